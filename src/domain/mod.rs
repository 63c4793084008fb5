//! The pure domain: entities, value types, the status machine, requirement validation and audit hashing.
//! Nothing here knows about HTTP, SQL or templates.

pub mod applicant;
pub mod application;
pub mod audit;
pub mod challenge;
pub mod check;
pub mod completeness;
pub mod decision;
pub mod document;
pub mod export;
pub mod ids;
pub mod job;
pub mod kyc_status;
pub mod legal;
pub mod level;
pub mod level_info;
pub mod level_rules;
pub mod password;
pub mod permission;
pub mod queue;
pub mod recovery_code;
pub mod requirement;
pub mod retention;
pub mod sign_in;
pub mod signature;
pub mod staff;
pub mod status;
pub mod tenant;
pub mod time;
pub mod totp;
pub mod validate;
pub mod verdict;
pub mod webhook;
pub(crate) mod wire_enum;
