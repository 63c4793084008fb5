//! One-time recovery codes for a lost authenticator: kept only as digests.

use sha2::{Digest, Sha256};

/// The digest stored for a recovery code. Case, spaces and dashes are forgiven, as people copy
/// codes from paper. A fast hash is enough: each code is ~79 random bits, not a chosen password.
pub fn digest(code: &str) -> String {
    let normal: String = code
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    hex::encode(Sha256::digest(normal.as_bytes()))
}

/// Whether what was typed looks like a recovery code rather than a six-digit TOTP code.
pub fn looks_like_one(code: &str) -> bool {
    code.chars().filter(char::is_ascii_alphanumeric).count() > 6
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typing_variations_give_the_same_digest() {
        assert_eq!(
            digest("abcd-efgh-jkmn-pqrs"),
            digest(" ABCD EFGH jkmn pqrs ")
        );
        assert_ne!(digest("abcd-efgh-jkmn-pqrs"), digest("abcd-efgh-jkmn-pqrt"));
        assert!(looks_like_one("abcd-efgh-jkmn-pqrs"));
        assert!(!looks_like_one("123 456"));
    }
}
