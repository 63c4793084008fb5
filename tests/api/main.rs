//! The tenant API, the seed dialects, providers, jobs, webhooks, the store and the command line.
//! Every integration test of this part is one module of this one binary (one link instead of one
//! per file; zero-to-production does the same).

#[macro_use]
#[path = "../common/mod.rs"]
mod common;

mod api;
mod api_documents;
mod audit_chain;
mod cancellation;
mod cli;
mod compat_seed000;
mod compat_seed001;
mod compat_seed002;
mod compat_seed004;
mod contention;
mod crash;
mod generate;
mod idempotency;
mod openapi;
mod provider_callbacks;
mod providers;
mod security_media;
mod signatures;
mod store;
mod vouched_client;
mod webhooks;
