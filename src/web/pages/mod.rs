//! One module per page; each page's template struct wraps the partials it swaps.

pub mod account;
pub mod account_mfa;
pub mod admin_jobs;
pub mod admin_levels;
pub mod admin_tenants;
pub mod admin_users;
pub mod admin_webhooks;
pub mod audit_exports;
pub mod audit_log;
pub mod case;
pub mod documents;
pub mod home;
pub mod level_form;
pub mod login;
pub mod queue;
pub mod record_keeping;
