//! Third-party KYC providers: turning what they report into our checks and findings.

pub mod normalize;
