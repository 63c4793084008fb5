//! Password hashing with argon2id, off the async runtime (a hash takes tens of milliseconds of CPU).

use argon2::password_hash::PasswordHasher;
use argon2::{Algorithm, Argon2, Params, Version};

use super::ServiceError;
use crate::domain::password::Password;

/// OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane.
fn hasher() -> Result<Argon2<'static>, ServiceError> {
    let params = Params::new(19 * 1024, 2, 1, None)
        .map_err(|e| ServiceError::Internal(format!("argon2 params: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// The PHC string to store (`$argon2id$v=19$m=19456,t=2,p=1$...`).
pub async fn hash(password: &Password) -> Result<String, ServiceError> {
    let password = password.clone();
    tokio::task::spawn_blocking(move || {
        let hash = hasher()?
            .hash_password(password.expose().as_bytes())
            .map_err(|e| ServiceError::Internal(format!("argon2: {e}")))?;
        Ok(hash.to_string())
    })
    .await
    .map_err(|e| ServiceError::Internal(format!("hashing task: {e}")))?
}
