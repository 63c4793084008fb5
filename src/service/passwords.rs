//! Password hashing with argon2id, off the async runtime (a hash takes tens of milliseconds of CPU).

use std::sync::LazyLock;

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};

use super::ServiceError;
use crate::domain::password::Password;

/// OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane.
fn hasher() -> Result<Argon2<'static>, ServiceError> {
    let params = Params::new(19 * 1024, 2, 1, None)
        .map_err(|e| ServiceError::Internal(format!("argon2 params: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// One argon2 run takes 19 MiB and a core for tens of milliseconds; more runs at once than cores
/// only queue in the blocking pool while holding their memory (a burst of 100 sign-ins would hold
/// 1.9 GB). Waiting here holds nothing.
static HASHING: LazyLock<tokio::sync::Semaphore> = LazyLock::new(|| {
    tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, usize::from))
});

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ServiceError> {
    let _permit = HASHING
        .acquire()
        .await
        .map_err(|e| ServiceError::Internal(format!("hashing permit: {e}")))?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ServiceError::Internal(format!("hashing task: {e}")))
}

/// The PHC string to store (`$argon2id$v=19$m=19456,t=2,p=1$...`).
pub async fn hash(password: &Password) -> Result<String, ServiceError> {
    let password = password.clone();
    blocking(move || {
        let hash = hasher()?
            .hash_password(password.expose().as_bytes())
            .map_err(|e| ServiceError::Internal(format!("argon2: {e}")))?;
        Ok(hash.to_string())
    })
    .await?
}

/// A hash of nothing anyone knows, verified against when there is no real one, so that an unknown
/// e-mail address takes as long to refuse as a wrong password.
static DECOY_HASH: LazyLock<String> = LazyLock::new(|| {
    let decoy = generate_one_time();
    hasher()
        .ok()
        .and_then(|h| h.hash_password(decoy.as_bytes()).ok())
        .map(|h| h.to_string())
        .unwrap_or_default()
});

/// Computes the decoy hash ahead of the first sign-in, so that one is not slower than the rest.
pub async fn warm_up() -> Result<(), ServiceError> {
    blocking(|| {
        LazyLock::force(&DECOY_HASH);
    })
    .await
}

/// Checks a password against a stored hash (or against the decoy when `stored` is `None`).
pub async fn verify(password: &str, stored: Option<&str>) -> Result<bool, ServiceError> {
    let password = password.to_owned();
    let stored = stored.map(str::to_owned);
    blocking(move || {
        let is_real = stored.is_some();
        let phc = stored.unwrap_or_else(|| DECOY_HASH.clone());
        let Ok(parsed) = PasswordHash::new(&phc) else {
            return false;
        };
        let matches = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        is_real && matches
    })
    .await
}

/// A readable one-time password (`abcd-efgh-jkmn-pqrs`, about 79 bits), for new accounts and resets.
pub fn generate_one_time() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut bytes = [0_u8; 16];
    rand::fill(&mut bytes);
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_the_decoy_never_matches() {
        let password = Password::parse("violet harbour lantern").expect("valid");
        let stored = hash(&password).await.expect("hash");
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(
            verify("violet harbour lantern", Some(&stored))
                .await
                .expect("verify")
        );
        assert!(
            !verify("violet harbour lanterns", Some(&stored))
                .await
                .expect("verify")
        );
        assert!(
            !verify("violet harbour lantern", None)
                .await
                .expect("verify")
        );
    }

    #[test]
    fn one_time_passwords_are_long_and_differ() {
        let a = generate_one_time();
        assert_eq!(a.len(), 19);
        assert!(Password::parse(&a).is_ok());
        assert_ne!(a, generate_one_time());
    }
}
