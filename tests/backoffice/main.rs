//! The back-office, sign-in and security, administration, audit and record keeping.
//! Every integration test of this part is one module of this one binary (one link instead of one
//! per file; zero-to-production does the same).

#[macro_use]
#[path = "../common/mod.rs"]
mod common;

mod admin_jobs_webhooks;
mod admin_tenants;
mod audit_log;
mod auditor_readonly;
mod auth;
mod demo;
mod file_modes;
mod health;
mod levels;
mod mfa;
mod permission_first;
mod permissions;
mod record_keeping;
mod remediation;
mod reviewer;
mod timeouts;
