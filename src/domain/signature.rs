//! Signature requirements (seed 001): a value counts as signed when the applicant confirms it with a
//! one-time code sent to them. The rules of the code live here; sending it is a gateway's job.

use chrono::Duration;
use sha2::{Digest, Sha256};

use super::ids::ApplicationId;
use super::time::Timestamp;
use super::validate::Invalid;

/// The code every sandbox tenant's applicants "receive" (seed 001): nothing is sent.
pub const SANDBOX_CODE: &str = "111111";
/// How long a code is valid.
pub const CODE_TTL: Duration = Duration::minutes(10);
/// Wrong codes tolerated before the code is void (a six-digit code must not be guessable).
pub const MAX_FAILED_ATTEMPTS: i64 = 5;

/// Codes are stored hashed with the application id, so a leaked table does not give usable codes
/// for another application.
pub fn code_hash(application: ApplicationId, code: &str) -> String {
    hex::encode(Sha256::digest(format!("{application}:{}", code.trim())))
}

/// A fresh six-digit code.
pub fn generate_code() -> String {
    format!("{:06}", rand::random_range(0..1_000_000u32))
}

fn invalid(code: &'static str, message: &str) -> Invalid {
    Invalid {
        code,
        message: message.into(),
    }
}

/// Judges a code given for a stored one; the caller counts failures and consumes a good code.
pub fn check_code(
    application: ApplicationId,
    stored_hash: &str,
    failed_attempts: i64,
    expires_at: Timestamp,
    given: &str,
    now: Timestamp,
) -> Result<(), Invalid> {
    if failed_attempts >= MAX_FAILED_ATTEMPTS {
        return Err(invalid(
            "signature_code_locked",
            "too many wrong codes; request a new one",
        ));
    }
    if now > expires_at {
        return Err(invalid(
            "signature_code_expired",
            "the code has expired; request a new one",
        ));
    }
    // Both sides are hex digests of equal length; compare without an early exit.
    let given_hash = code_hash(application, given);
    let differ = given_hash
        .bytes()
        .zip(stored_hash.bytes())
        .fold(given_hash.len() ^ stored_hash.len(), |acc, (a, b)| {
            acc | usize::from(a ^ b)
        });
    if differ != 0 {
        return Err(invalid("signature_code_invalid", "the code is not correct"));
    }
    Ok(())
}

/// A destination as the audit trail shows it: enough to recognize, not enough to contact.
pub fn mask_destination(destination: &str) -> String {
    let chars: Vec<char> = destination.chars().collect();
    if let Some(at) = destination.find('@') {
        let (local, domain) = destination.split_at(at);
        let first: String = local.chars().take(1).collect();
        return format!("{first}•••{domain}");
    }
    let keep = chars.len().saturating_sub(3);
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i < keep && c.is_ascii_digit() {
                '•'
            } else {
                *c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_accepted_once_right_and_in_time() {
        let app = ApplicationId::generate();
        let now = Timestamp::now();
        let hash = code_hash(app, "123456");
        let expires = now.plus(CODE_TTL);
        assert_eq!(check_code(app, &hash, 0, expires, "123456", now), Ok(()));
        assert_eq!(check_code(app, &hash, 0, expires, " 123456 ", now), Ok(()));
        let code = |given, failed, at| {
            check_code(app, &hash, failed, expires, given, at)
                .expect_err("refused")
                .code
        };
        assert_eq!(code("654321", 0, now), "signature_code_invalid");
        assert_eq!(code("", 0, now), "signature_code_invalid");
        assert_eq!(
            code("123456", MAX_FAILED_ATTEMPTS, now),
            "signature_code_locked"
        );
        assert_eq!(
            code("123456", 0, expires.plus(Duration::seconds(1))),
            "signature_code_expired"
        );
    }

    #[test]
    fn hashes_are_bound_to_the_application() {
        let code = "111111";
        assert_ne!(
            code_hash(ApplicationId::generate(), code),
            code_hash(ApplicationId::generate(), code)
        );
    }

    #[test]
    fn generated_codes_have_six_digits() {
        for _ in 0..100 {
            let code = generate_code();
            assert_eq!(code.len(), 6);
            assert!(code.bytes().all(|b| b.is_ascii_digit()));
        }
    }

    #[test]
    fn destinations_are_masked() {
        assert_eq!(mask_destination("jane.doe@example.com"), "j•••@example.com");
        assert_eq!(mask_destination("+447700900123"), "+•••••••••123");
    }
}
