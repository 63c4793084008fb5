//! Webhooks both ways: Standard Webhooks signatures for what we send, provider signatures for what
//! we receive, and the guard that keeps tenant-supplied URLs off internal networks.

pub mod sender;
pub mod signing;
pub mod target_guard;
