//! Demo data: a deterministic, fictional back-office history (no real persons), drawn documents included.

pub mod font;
pub mod images;
mod people;
mod seed;

pub use seed::{DemoLogin, DemoSeed, DemoTenant, seed};
