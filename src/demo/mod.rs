//! Demo data: a deterministic, fictional back-office history (no real persons), drawn documents included.

pub mod font;
mod generate;
pub mod images;
mod people;
mod seed;

pub use generate::{GenerateOptions, Generated, Progress, generate};
pub use seed::{DemoLogin, DemoSeed, DemoTenant, seed};
