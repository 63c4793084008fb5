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

/// A tenant's default webhook target: an absolute http(s) URL, trimmed, at most 2048 characters.
/// Credentials in the URL are refused: the URL is shown on admin pages and would leak them there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl(String);

/// Longer URLs are refused by common servers and proxies; a webhook target has no need for them.
const MAX_WEBHOOK_URL_CHARS: usize = 2048;

impl WebhookUrl {
    pub fn parse(s: &str) -> Result<Self, super::validate::Invalid> {
        let url = s.trim();
        let refused = || {
            super::validate::Invalid::new(
                "invalid_webhook_url",
                "the webhook URL must be an absolute http(s) URL of at most 2048 characters",
            )
        };
        if url.chars().count() > MAX_WEBHOOK_URL_CHARS
            || url.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(refused());
        }
        let rest = ["https://", "http://"]
            .iter()
            .find_map(|scheme| {
                url.get(..scheme.len())
                    .filter(|head| head.eq_ignore_ascii_case(scheme))
                    .map(|_| &url[scheme.len()..])
            })
            .ok_or_else(refused)?;
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if !valid_authority(authority) {
            return Err(refused());
        }
        Ok(Self(url.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `host` or `host:port`, the host a name, an IPv4 address or a bracketed IPv6 address. User info
/// (`user:pass@`) fails the host check.
fn valid_authority(authority: &str) -> bool {
    if let Some(bracketed) = authority.strip_prefix('[') {
        let Some((address, after)) = bracketed.split_once(']') else {
            return false;
        };
        let address_ok = !address.is_empty()
            && address
                .chars()
                .all(|c| c.is_ascii_hexdigit() || matches!(c, ':' | '.'));
        return address_ok && (after.is_empty() || after.strip_prefix(':').is_some_and(valid_port));
    }
    let (host, port) = match authority.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    };
    let host_ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '.' | '_'));
    host_ok && port.is_none_or(valid_port)
}

/// 1..=65535 in plain digits (`u16::from_str` alone would also take a sign).
fn valid_port(port: &str) -> bool {
    !port.is_empty()
        && port.bytes().all(|b| b.is_ascii_digit())
        && port.parse::<u16>().is_ok_and(|port| port > 0)
}

/// A tenant with all its API keys, newest key first (the admin list).
#[derive(Debug, Clone, PartialEq)]
pub struct TenantWithKeys {
    pub tenant: Tenant,
    pub keys: Vec<ApiKey>,
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
    fn webhook_urls_are_absolute_http_urls() {
        for good in [
            "https://hooks.example.com/kyc",
            "  http://example.com  ",
            "HTTPS://Example.com:8443/a?b=c#d",
            "https://10.0.0.1/hook",
            "https://[2001:db8::1]:8080/hook",
            "https://[::1]",
            "https://bücher.example/hook",
        ] {
            assert!(WebhookUrl::parse(good).is_ok(), "{good}");
        }
        assert_eq!(
            WebhookUrl::parse(" https://example.com/x ")
                .expect("valid")
                .as_str(),
            "https://example.com/x"
        );
        let long = format!("https://example.com/{}", "a".repeat(2048));
        for bad in [
            "",
            "example.com/hook",
            "/relative/path",
            "ftp://example.com/",
            "javascript:alert(1)",
            "https://",
            "https:///path",
            "https://user:pass@example.com/",
            "https://example.com:0/",
            "https://example.com:+80/",
            "https://example.com:99999/",
            "https://example.com:/",
            "https://[::1/",
            "https://[zz]/",
            "https://exa mple.com/",
            "https://example.com/a\nb",
            long.as_str(),
        ] {
            let refused = WebhookUrl::parse(bad).expect_err(bad);
            assert_eq!(refused.code, "invalid_webhook_url");
        }
        let at_limit = format!("https://example.com/{}", "a".repeat(2048 - 20));
        assert_eq!(at_limit.chars().count(), 2048);
        assert!(WebhookUrl::parse(&at_limit).is_ok());
    }

    #[test]
    fn key_hash_is_stable_hex() {
        assert_eq!(api_key_hash("kyc_test"), api_key_hash("kyc_test"));
        assert_eq!(api_key_hash("kyc_test").len(), 64);
        assert_ne!(api_key_hash("kyc_a"), api_key_hash("kyc_b"));
    }
}
