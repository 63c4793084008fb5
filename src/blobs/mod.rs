//! Document bytes, content-addressed by SHA-256. The original upload is evidence: it is written once
//! and never modified. A local directory is the default; an S3-compatible store can implement the same trait.

mod local;

use std::future::Future;
use std::pin::Pin;

use sha2::{Digest, Sha256};

pub use local::LocalBlobStore;

#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error("blob {0} not found")]
    NotFound(String),
    #[error("not a SHA-256 hex digest")]
    InvalidHash,
    #[error("blob store I/O: {0}")]
    Io(#[from] std::io::Error),
}

pub type BlobFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, BlobError>> + Send + 'a>>;

/// Where document bytes live.
pub trait BlobStore: Send + Sync + std::fmt::Debug {
    /// Stores the bytes (a no-op when the same content is already there) and returns their hash.
    fn put<'a>(&'a self, bytes: &'a [u8]) -> BlobFuture<'a, String>;
    fn get<'a>(&'a self, hash: &'a str) -> BlobFuture<'a, Vec<u8>>;
}

/// Lowercase hex SHA-256: the blob's address.
pub fn content_hash(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn is_hash(hash: &str) -> bool {
    hash.len() == 64 && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}
