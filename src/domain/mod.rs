//! The pure domain: entities, value types, the status machine, requirement validation and audit hashing.
//! Nothing here knows about HTTP, SQL or templates.

pub mod applicant;
pub mod application;
pub mod audit;
pub mod check;
pub mod completeness;
pub mod decision;
pub mod document;
pub mod ids;
pub mod kyc_status;
pub mod level;
pub mod level_info;
pub mod password;
pub mod permission;
pub mod queue;
pub mod requirement;
pub mod staff;
pub mod status;
pub mod tenant;
pub mod time;
pub mod validate;
mod wire_enum;
