//! kycdesk: a KYC platform with a server-rendered compliance back-office.
//! Layers (docs/ARCHITECTURE.md, Layers): web / api / compat / cli / worker → service → domain,
//! store, providers, blobs.

pub mod api;
pub mod app;
pub mod blobs;
pub mod cli;
pub mod compat;
pub mod config;
pub mod demo;
pub mod domain;
pub mod media;
pub mod private_files;
pub mod providers;
pub mod rate_limit;
pub mod server;
pub mod service;
pub mod store;
pub mod web;
pub mod webhooks;
pub mod worker;
