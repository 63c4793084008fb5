//! The service layer's one error type; each edge maps it to its own response.

use crate::domain::permission::Permission;
use crate::domain::status::InvalidTransition;
use crate::domain::validate::Invalid;
use crate::store::StoreError;

/// One refused field of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub code: &'static str,
    pub message: String,
}

/// `field: message; field: message`, for edges that print errors as text (the CLI, logs).
fn describe(fields: &[FieldError]) -> String {
    fields
        .iter()
        .map(|f| format!("{}: {}", f.field, f.message))
        .collect::<Vec<_>>()
        .join("; ")
}

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// Several fields refused at once; nothing was written.
    #[error("{}", describe(.0))]
    InvalidFields(Vec<FieldError>),
    /// The application lacks required answers or documents (their keys).
    #[error("required items are missing: {}", .0.join(", "))]
    Incomplete(Vec<String>),
    /// Input that does not meet a domain rule.
    #[error("{0}")]
    Invalid(#[from] Invalid),
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The thing to create exists already.
    #[error("{0}")]
    Duplicate(&'static str),
    /// Someone else changed it since it was read.
    #[error("changed by someone else since it was read")]
    Stale,
    #[error(transparent)]
    Transition(#[from] InvalidTransition),
    /// The actor's roles do not grant this (already audited as `access.denied`).
    #[error("not permitted: {0}")]
    Forbidden(Permission),
    /// The roles allow it, but a rule forbids this actor doing it here (four-eyes).
    #[error("{0}")]
    NotAllowed(String),
    /// The request conflicts with the current state (someone else changed it, a proposal is void).
    #[error("{0}")]
    Conflict(String),
    /// A service we depend on (a code gateway) failed; the request may succeed later.
    #[error("{0}")]
    Unavailable(String),
    /// The database aborted the transaction for a concurrent one more often than the use case is
    /// run again (see `retry`); nothing was written and the request may succeed if repeated.
    #[error("the database is busy with concurrent changes ({0}); try again")]
    Contention(crate::store::Contention),
    #[error("internal error: {0}")]
    Internal(String),
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for ServiceError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::StaleVersion => ServiceError::Stale,
            StoreError::Contention(cause) => ServiceError::Contention(cause),
            other => ServiceError::Store(other),
        }
    }
}
