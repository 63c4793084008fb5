//! Tenants (client organisations) and their API keys.

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::ids::{ApiKeyId, TenantId};
use super::time::Timestamp;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tenant {
    pub id: TenantId,
    pub name: String,
    /// Sandbox tenants may force statuses and get deterministic provider results.
    pub sandbox: bool,
    pub webhook_url: Option<String>,
    pub created_at: Timestamp,
}

/// A tenant name: trimmed, 1..=200 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantName(String);

impl TenantName {
    pub fn parse(s: &str) -> Result<Self, super::validate::Invalid> {
        let name = s.trim();
        if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
            return Err(super::validate::Invalid {
                code: "invalid_tenant_name",
                message: "tenant name must be 1 to 200 printable characters".into(),
            });
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The stored side of an API key: the secret itself is shown once and only its hash is kept.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApiKey {
    pub id: ApiKeyId,
    pub tenant_id: TenantId,
    /// The first characters of the key, to recognise it in lists and logs.
    pub prefix: String,
    pub created_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
    pub last_used_at: Option<Timestamp>,
}

/// How many characters of a key identify it.
pub const API_KEY_PREFIX_LEN: usize = 12;

/// Hash of an API key as stored. Keys carry 256 random bits, so a fast hash is enough: there is
/// nothing to brute-force that a slow hash would protect.
pub fn api_key_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_names_are_trimmed_and_bounded() {
        assert_eq!(
            TenantName::parse("  Acme Bank ").expect("valid").as_str(),
            "Acme Bank"
        );
        assert!(TenantName::parse("   ").is_err());
        assert!(TenantName::parse(&"a".repeat(201)).is_err());
        assert!(TenantName::parse("bad\nname").is_err());
    }

    #[test]
    fn key_hash_is_stable_hex() {
        assert_eq!(api_key_hash("kyc_test"), api_key_hash("kyc_test"));
        assert_eq!(api_key_hash("kyc_test").len(), 64);
        assert_ne!(api_key_hash("kyc_a"), api_key_hash("kyc_b"));
    }
}
