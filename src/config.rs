//! Typed configuration from CLI flags and `KYCDESK_*` environment variables (see `cli`).

use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub database_url: String,
    pub data_dir: PathBuf,
    /// Cookies marked `Secure` (off only for plain-http local runs such as the demo).
    pub secure_cookies: bool,
    pub security: SecurityConfig,
    /// Largest accepted document file, in bytes.
    pub max_upload_bytes: usize,
    /// Average API requests per second allowed per key (bursts of twice that).
    pub api_rate_per_second: u32,
    /// The address tenants and providers reach this server at, for provider callbacks.
    pub public_url: Option<String>,
    pub worker: WorkerConfig,
    pub webhooks: WebhookConfig,
    pub providers: ProviderConfig,
    pub http: HttpConfig,
}

/// Time limits on client connections, so that a slow or silent client cannot hold a connection
/// (and its descriptor) or a request open.
#[derive(Debug, Clone, Copy)]
pub struct HttpConfig {
    /// A connection must deliver a request's complete headers within this, counted from when it
    /// opened or its previous answer went out: it also closes idle keep-alive connections.
    pub header_read_timeout: std::time::Duration,
    /// The longest a request's body may pause between two pieces.
    pub body_read_timeout: std::time::Duration,
    /// An API request with an `Idempotency-Key` must finish within this: it is also how long that
    /// key's claim is held (its lease).
    pub request_timeout: std::time::Duration,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            header_read_timeout: std::time::Duration::from_secs(10),
            body_read_timeout: std::time::Duration::from_secs(30),
            request_timeout: std::time::Duration::from_secs(120),
        }
    }
}

/// The background workers: how many, how often they look, how failures are retried.
#[derive(Debug, Clone, Copy)]
pub struct WorkerConfig {
    /// Workers running jobs concurrently; 0 runs none (commands other than `serve`).
    pub workers: usize,
    /// How long an idle worker waits before looking for due jobs again.
    pub poll: std::time::Duration,
    /// First retry delay; doubles with each attempt, with jitter.
    pub backoff_base: chrono::Duration,
    pub backoff_cap: chrono::Duration,
    /// How long a claimed job is reserved; a worker that died leaves it to be claimed again after.
    pub lease: chrono::Duration,
    /// How often a provider that took a case is asked for its result when no callback came.
    pub fetch_interval: chrono::Duration,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            workers: 2,
            poll: std::time::Duration::from_millis(250),
            backoff_base: chrono::Duration::seconds(5),
            backoff_cap: chrono::Duration::hours(2),
            lease: chrono::Duration::minutes(2),
            fetch_interval: chrono::Duration::seconds(30),
        }
    }
}

/// Outbound webhook delivery.
#[derive(Debug, Clone, Copy)]
pub struct WebhookConfig {
    /// Deliver to private, loopback and link-local addresses (tests and on-premise setups only).
    pub allow_private: bool,
    pub timeout: std::time::Duration,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        Self {
            allow_private: false,
            timeout: std::time::Duration::from_secs(10),
        }
    }
}

/// A key or secret from the configuration: `Debug` never shows it, so it cannot reach a log.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

/// Third-party providers this installation is configured for.
#[derive(Debug, Clone, Default)]
pub struct ProviderConfig {
    pub vouched: Option<VouchedConfig>,
    /// The secret Sumsub signs its webhooks with (`X-Payload-Digest`).
    pub sumsub_webhook_secret: Option<Secret>,
}

#[derive(Debug, Clone)]
pub struct VouchedConfig {
    pub base_url: String,
    pub api_key: Secret,
    /// The key Vouched signs its callbacks with (`X-Signature`).
    pub webhook_secret: Secret,
    pub timeout: std::time::Duration,
}

/// Default API rate per key.
pub const DEFAULT_API_RATE_PER_SECOND: u32 = 20;

/// Default largest document file: 15 MiB.
pub const DEFAULT_MAX_UPLOAD_BYTES: usize = 15 * 1024 * 1024;

/// Session lifetimes and the sign-in lockout.
#[derive(Debug, Clone, Copy)]
pub struct SecurityConfig {
    /// A session unused this long ends.
    pub session_idle: chrono::Duration,
    /// A session ends this long after sign-in, however busy.
    pub session_absolute: chrono::Duration,
    pub lockout_failures: i64,
    pub lockout: chrono::Duration,
    /// Refused sign-ins (and, separately, refused API keys) allowed per client address and minute,
    /// in bursts of two minutes' worth; beyond that the address gets 429 without a check.
    pub failures_per_address_per_minute: u32,
    /// Refused provider callbacks (unsigned or badly signed) stored and audited per client address
    /// and minute, in bursts of two minutes' worth; beyond that the address gets 429 and nothing
    /// is kept.
    pub callback_refusals_per_address_per_minute: u32,
}

impl Default for SecurityConfig {
    fn default() -> Self {
        Self {
            session_idle: chrono::Duration::minutes(30),
            session_absolute: chrono::Duration::hours(12),
            lockout_failures: 5,
            lockout: chrono::Duration::minutes(15),
            failures_per_address_per_minute: 10,
            callback_refusals_per_address_per_minute: 10,
        }
    }
}

impl Config {
    /// The default database: a SQLite file in the data directory, created when missing.
    pub fn default_database_url(data_dir: &std::path::Path) -> String {
        format!(
            "sqlite://{}?mode=rwc",
            data_dir.join("kycdesk.sqlite").display()
        )
    }

    pub fn blob_dir(&self) -> PathBuf {
        self.data_dir.join("blobs")
    }
}

/// The URL with any password replaced, for messages and logs.
pub fn redact_database_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or("");
            let masked = if userinfo.contains(':') {
                format!("{user}:****")
            } else {
                user.to_owned()
            };
            format!("{scheme}://{masked}@{host}{path}")
        }
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_masked_in_database_urls() {
        assert_eq!(
            redact_database_url("postgres://kyc:s3cret@db:5432/kyc"),
            "postgres://kyc:****@db:5432/kyc"
        );
        assert_eq!(
            redact_database_url("postgres://postgres@127.0.0.1/test"),
            "postgres://postgres@127.0.0.1/test"
        );
        assert_eq!(
            redact_database_url("sqlite://./data/kycdesk.sqlite?mode=rwc"),
            "sqlite://./data/kycdesk.sqlite?mode=rwc"
        );
    }
}
