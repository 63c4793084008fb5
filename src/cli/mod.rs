//! The command line: `serve`, `demo`, `migrate`, `user create`, `tenant create`, `audit verify`.
//! Every command takes `--database-url` and `--data-dir` (or their env vars) and works on the
//! same database a running server uses.

mod audit;
mod demo;
mod export;
mod generate;
mod serve;
mod tenant;
mod user;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{ArgAction, Args, Parser, Subcommand};

use crate::config::{
    Config, DEFAULT_API_RATE_PER_SECOND, DEFAULT_MAX_UPLOAD_BYTES, HttpConfig, ProviderConfig,
    Secret, SecurityConfig, VouchedConfig, WebhookConfig, WorkerConfig,
};

#[derive(Debug, Parser)]
#[command(
    name = "kycdesk",
    version,
    about = "KYC platform with a compliance back-office"
)]
pub struct Cli {
    #[command(flatten)]
    storage: StorageArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Args)]
struct StorageArgs {
    /// Database URL: sqlite://PATH or postgres://USER@HOST/DB [default: SQLite file in the data dir]
    #[arg(long, global = true, env = "KYCDESK_DATABASE_URL")]
    database_url: Option<String>,
    /// Directory for the SQLite database and document files [default: ./data, ./data/demo for demo]
    #[arg(long, global = true, env = "KYCDESK_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Allow webhook targets on private, loopback and link-local addresses (tests only) [default: false]
    #[arg(long, global = true, env = "KYCDESK_WEBHOOK_ALLOW_PRIVATE", action = ArgAction::Set, value_parser = clap::builder::BoolishValueParser::new())]
    webhook_allow_private: Option<bool>,
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080]
    #[arg(long, env = "KYCDESK_LISTEN")]
    listen: Option<SocketAddr>,
    /// Mark cookies Secure (turn off only for plain http) [default: true; false for demo]
    #[arg(long, env = "KYCDESK_SECURE_COOKIES", action = ArgAction::Set, value_parser = clap::builder::BoolishValueParser::new())]
    secure_cookies: Option<bool>,
    /// Minutes of inactivity that end a back-office session [default: 30]
    #[arg(long, env = "KYCDESK_SESSION_IDLE_MINUTES", value_parser = clap::value_parser!(u32).range(1..=1440))]
    session_idle_minutes: Option<u32>,
    /// Hours after sign-in that end a session however busy [default: 12]
    #[arg(long, env = "KYCDESK_SESSION_ABSOLUTE_HOURS", value_parser = clap::value_parser!(u32).range(1..=168))]
    session_absolute_hours: Option<u32>,
    /// Minutes an account stays locked after 5 failed sign-ins [default: 15]
    #[arg(long, env = "KYCDESK_LOCKOUT_MINUTES", value_parser = clap::value_parser!(u32).range(1..=1440))]
    lockout_minutes: Option<u32>,
    /// Refused sign-ins (and refused API keys) per client address and minute, in bursts of twice that [default: 10]
    #[arg(long, env = "KYCDESK_FAILURES_PER_ADDRESS_PER_MINUTE", value_parser = clap::value_parser!(u32).range(1..=100_000))]
    failures_per_address_per_minute: Option<u32>,
    /// Refused provider callbacks per client address and minute, in bursts of twice that [default: 10]
    #[arg(long, env = "KYCDESK_CALLBACK_REFUSALS_PER_ADDRESS_PER_MINUTE", value_parser = clap::value_parser!(u32).range(1..=100_000))]
    callback_refusals_per_address_per_minute: Option<u32>,
    /// Largest document file accepted, in MiB [default: 15]
    #[arg(long, env = "KYCDESK_MAX_UPLOAD_MIB", value_parser = clap::value_parser!(u32).range(1..=100))]
    max_upload_mib: Option<u32>,
    /// API requests per second allowed per key, in bursts of twice that [default: 20]
    #[arg(long, env = "KYCDESK_API_RATE_LIMIT", value_parser = clap::value_parser!(u32).range(1..=100_000))]
    api_rate_limit: Option<u32>,
    /// The URL this server is reached at from outside, for provider callbacks (e.g. https://kyc.example.com)
    #[arg(long, env = "KYCDESK_PUBLIC_URL")]
    public_url: Option<String>,
    /// Background workers running jobs (provider submissions, webhook deliveries) [default: 2]
    #[arg(long, env = "KYCDESK_WORKERS", value_parser = clap::value_parser!(u16).range(0..=64))]
    workers: Option<u16>,
    /// First retry delay of a failed job in milliseconds, doubled per attempt [default: 5000]
    #[arg(long, env = "KYCDESK_JOB_BACKOFF_MS", value_parser = clap::value_parser!(u32).range(1..=3_600_000))]
    job_backoff_ms: Option<u32>,
    /// Seconds a claimed job stays reserved; a crashed worker's job is retried after that [default: 120]
    #[arg(long, env = "KYCDESK_JOB_LEASE_SECONDS", value_parser = clap::value_parser!(u32).range(1..=86_400))]
    job_lease_seconds: Option<u32>,
    /// Seconds a client has to send a request's headers, from connecting or from the previous answer (closes idle keep-alive connections) [default: 10]
    #[arg(long, env = "KYCDESK_HEADER_READ_TIMEOUT_SECONDS", value_parser = clap::value_parser!(u32).range(1..=3600))]
    header_read_timeout_seconds: Option<u32>,
    /// Seconds a request's body may pause between two pieces [default: 30]
    #[arg(long, env = "KYCDESK_BODY_READ_TIMEOUT_SECONDS", value_parser = clap::value_parser!(u32).range(1..=3600))]
    body_read_timeout_seconds: Option<u32>,
    /// Seconds an API request with an Idempotency-Key may run; also how long its key's claim lasts [default: 120]
    #[arg(long, env = "KYCDESK_REQUEST_TIMEOUT_SECONDS", value_parser = clap::value_parser!(u32).range(1..=3600))]
    request_timeout_seconds: Option<u32>,
    /// Vouched API base URL; with --vouched-api-key enables the `vouched` provider
    #[arg(long, env = "KYCDESK_VOUCHED_URL")]
    vouched_url: Option<String>,
    /// Vouched API key (prefer the environment variable)
    #[arg(long, env = "KYCDESK_VOUCHED_API_KEY", hide_env_values = true)]
    vouched_api_key: Option<String>,
    /// The key Vouched signs callbacks with (X-Signature)
    #[arg(long, env = "KYCDESK_VOUCHED_WEBHOOK_SECRET", hide_env_values = true)]
    vouched_webhook_secret: Option<String>,
    /// The secret Sumsub signs webhooks with (X-Payload-Digest)
    #[arg(long, env = "KYCDESK_SUMSUB_WEBHOOK_SECRET", hide_env_values = true)]
    sumsub_webhook_secret: Option<String>,
}

impl ServeArgs {
    fn worker(&self) -> WorkerConfig {
        let defaults = WorkerConfig::default();
        WorkerConfig {
            workers: self.workers.map_or(defaults.workers, usize::from),
            backoff_base: self.job_backoff_ms.map_or(defaults.backoff_base, |ms| {
                chrono::Duration::milliseconds(i64::from(ms))
            }),
            lease: self
                .job_lease_seconds
                .map_or(defaults.lease, |s| chrono::Duration::seconds(i64::from(s))),
            ..defaults
        }
    }

    fn providers(&self) -> ProviderConfig {
        let vouched = match (&self.vouched_url, &self.vouched_api_key) {
            (Some(base_url), Some(api_key)) => Some(VouchedConfig {
                base_url: base_url.clone(),
                api_key: Secret::new(api_key),
                webhook_secret: Secret::new(
                    self.vouched_webhook_secret.clone().unwrap_or_default(),
                ),
                timeout: std::time::Duration::from_secs(20),
            }),
            _ => None,
        };
        ProviderConfig {
            vouched,
            sumsub_webhook_secret: self.sumsub_webhook_secret.clone().map(Secret::new),
        }
    }

    fn http(&self) -> HttpConfig {
        let defaults = HttpConfig::default();
        let seconds = |s: u32| std::time::Duration::from_secs(u64::from(s));
        HttpConfig {
            header_read_timeout: self
                .header_read_timeout_seconds
                .map_or(defaults.header_read_timeout, seconds),
            body_read_timeout: self
                .body_read_timeout_seconds
                .map_or(defaults.body_read_timeout, seconds),
            request_timeout: self
                .request_timeout_seconds
                .map_or(defaults.request_timeout, seconds),
        }
    }

    fn security(&self) -> SecurityConfig {
        let defaults = SecurityConfig::default();
        let minutes = |m: u32| chrono::Duration::minutes(i64::from(m));
        SecurityConfig {
            session_idle: self
                .session_idle_minutes
                .map_or(defaults.session_idle, minutes),
            session_absolute: self
                .session_absolute_hours
                .map_or(defaults.session_absolute, |h| {
                    chrono::Duration::hours(i64::from(h))
                }),
            lockout: self.lockout_minutes.map_or(defaults.lockout, minutes),
            failures_per_address_per_minute: self
                .failures_per_address_per_minute
                .unwrap_or(defaults.failures_per_address_per_minute),
            callback_refusals_per_address_per_minute: self
                .callback_refusals_per_address_per_minute
                .unwrap_or(defaults.callback_refusals_per_address_per_minute),
            ..defaults
        }
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the back-office, the API and the workers.
    Serve(ServeArgs),
    /// Serve on a demo database (./data/demo), seeded with demo data on first start.
    Demo(ServeArgs),
    /// Apply database migrations and exit.
    Migrate,
    /// Manage staff users.
    #[command(subcommand)]
    User(user::UserCommand),
    /// Manage tenants.
    #[command(subcommand)]
    Tenant(tenant::TenantCommand),
    /// Inspect the audit trail.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Export application histories or decisions for auditors (CSV or NDJSON, with a manifest).
    Export(export::ExportArgs),
    /// Bulk-load a large synthetic dataset into an empty database (benchmarks).
    Generate(generate::GenerateArgs),
}

const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

impl StorageArgs {
    fn config(
        &self,
        default_data_dir: &str,
        serve: Option<&ServeArgs>,
        default_secure: bool,
    ) -> Config {
        let data_dir = self
            .data_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from(default_data_dir));
        let database_url = self
            .database_url
            .clone()
            .unwrap_or_else(|| Config::default_database_url(&data_dir));
        let fallback_listen = SocketAddr::from(([127, 0, 0, 1], 8080));
        Config {
            listen: serve
                .and_then(|s| s.listen)
                .unwrap_or_else(|| DEFAULT_LISTEN.parse().unwrap_or(fallback_listen)),
            database_url,
            data_dir,
            secure_cookies: serve
                .and_then(|s| s.secure_cookies)
                .unwrap_or(default_secure),
            security: serve.map(ServeArgs::security).unwrap_or_default(),
            max_upload_bytes: serve
                .and_then(|s| s.max_upload_mib)
                .map_or(DEFAULT_MAX_UPLOAD_BYTES, |mib| mib as usize * 1024 * 1024),
            api_rate_per_second: serve
                .and_then(|s| s.api_rate_limit)
                .unwrap_or(DEFAULT_API_RATE_PER_SECOND),
            public_url: serve.and_then(|s| s.public_url.clone()),
            // Only the server runs workers; one-off commands leave jobs to it.
            worker: serve.map_or(
                WorkerConfig {
                    workers: 0,
                    ..WorkerConfig::default()
                },
                ServeArgs::worker,
            ),
            webhooks: WebhookConfig {
                allow_private: self.webhook_allow_private.unwrap_or(false),
                ..WebhookConfig::default()
            },
            providers: serve.map(ServeArgs::providers).unwrap_or_default(),
            http: serve.map(ServeArgs::http).unwrap_or_default(),
        }
    }
}

/// Parses the arguments. Misuse gives one line on stderr and exit code 2; help and version print as usual.
pub fn parse() -> Result<Cli, ExitCode> {
    Cli::try_parse().map_err(|error| {
        use clap::error::ErrorKind;
        if matches!(
            error.kind(),
            ErrorKind::DisplayHelp
                | ErrorKind::DisplayVersion
                | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
        ) {
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() { 2 } else { 0 });
        }
        let rendered = error.render().to_string();
        let first = rendered
            .lines()
            .next()
            .unwrap_or("error: invalid arguments");
        eprintln!("{first} (see kycdesk --help)");
        ExitCode::from(2)
    })
}

/// Runs the chosen command.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let storage = &cli.storage;
    match &cli.command {
        Command::Serve(args) => serve::run(storage.config("./data", Some(args), true)).await,
        Command::Demo(args) => demo::run(storage.config("./data/demo", Some(args), false)).await,
        Command::Migrate => {
            let config = storage.config("./data", None, true);
            crate::app::App::open(config).await?;
            println!("migrations applied");
            Ok(ExitCode::SUCCESS)
        }
        Command::User(command) => user::run(storage.config("./data", None, true), command).await,
        Command::Tenant(command) => {
            tenant::run(storage.config("./data", None, true), command).await
        }
        Command::Audit(command) => audit::run(storage.config("./data", None, true), command).await,
        Command::Export(args) => export::run(storage.config("./data", None, true), args).await,
        Command::Generate(args) => generate::run(storage.config("./data", None, true), args).await,
    }
}
