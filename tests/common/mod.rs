//! Test harness: boots the real application on 127.0.0.1:0 with its own database per test,
//! on SQLite always and on PostgreSQL when KYCDESK_TEST_POSTGRES_URL is set.
#![allow(dead_code)] // each test crate uses a different part of the harness

pub mod browser;
pub mod chrome;
pub mod fake_vouched;
pub mod receiver;
pub mod tenant;

use std::net::SocketAddr;

use kycdesk::app::App;
use kycdesk::config::Config;
use kycdesk::service::Services;
use kycdesk::store::Backend;
use sqlx::{Connection, Executor};
use tempfile::TempDir;
use tokio::sync::oneshot;

pub struct TestApp {
    pub base_url: String,
    pub config: Config,
    pub services: Services,
    pub client: reqwest::Client,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
    pg_database: Option<(String, String)>,
    _data_dir: TempDir,
}

/// Runs each named `async fn(TestApp)` once on SQLite and once on PostgreSQL; with `@with f;`
/// each app's configuration is first adjusted by `f` (e.g. `common::no_workers`).
#[macro_export]
macro_rules! on_both_databases {
    (@with $adjust:path; $($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::common::TestApp::sqlite_with($adjust).await).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = $crate::common::TestApp::postgres_with($adjust).await {
                    super::$name(app).await
                }
            }
        }
    )*};
    ($($name:ident),* $(,)?) => {
        $crate::on_both_databases!(@with $crate::common::as_is; $($name),*);
    };
}

/// Leaves the configuration as the harness sets it.
pub fn as_is(_: &mut Config) {}

/// No background workers: applications stay where the API put them (tests of the API itself).
pub fn no_workers(config: &mut Config) {
    config.worker.workers = 0;
}

fn postgres_admin_url() -> Option<String> {
    match std::env::var("KYCDESK_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            // Loud on a developer machine, fatal in CI: a skipped database proves nothing.
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!(
                    "CI=true but KYCDESK_TEST_POSTGRES_URL is not set: PostgreSQL tests must run in CI"
                );
            }
            eprintln!(
                "\n!!! SKIPPED PostgreSQL test: set KYCDESK_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test to run it !!!\n"
            );
            None
        }
    }
}

/// The URL of another database on the same server.
fn with_database(url: &str, database: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let server = base.rsplit_once('/').map_or(base, |(server, _)| server);
    match query {
        Some(q) => format!("{server}/{database}?{q}"),
        None => format!("{server}/{database}"),
    }
}

impl TestApp {
    pub async fn sqlite() -> TestApp {
        Self::sqlite_with(|_| {}).await
    }

    /// A SQLite app with adjusted configuration (secure cookies, timeouts).
    pub async fn sqlite_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = Config::default_database_url(dir.path());
        Self::start(dir, url, None, adjust).await
    }

    pub async fn postgres() -> Option<TestApp> {
        Self::postgres_with(as_is).await
    }

    pub async fn postgres_with(adjust: impl FnOnce(&mut Config)) -> Option<TestApp> {
        let admin_url = postgres_admin_url()?;
        sqlx::any::install_default_drivers();
        let name = format!("kycdesk_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = sqlx::AnyConnection::connect(&admin_url)
            .await
            .expect("connect to the PostgreSQL admin database");
        admin
            .execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .expect("create test database");
        admin.close().await.expect("close admin connection");
        let url = with_database(&admin_url, &name);
        let dir = tempfile::tempdir().expect("temp dir");
        Some(Self::start(dir, url, Some((admin_url, name)), adjust).await)
    }

    async fn start(
        dir: TempDir,
        database_url: String,
        pg_database: Option<(String, String)>,
        adjust: impl FnOnce(&mut Config),
    ) -> TestApp {
        let mut config = Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            database_url,
            data_dir: dir.path().to_path_buf(),
            secure_cookies: false,
            security: kycdesk::config::SecurityConfig {
                // Every test signs in from 127.0.0.1; only the throttle's own test meets the limit.
                failures_per_address_per_minute: 100_000,
                callback_refusals_per_address_per_minute: 100_000,
                ..Default::default()
            },
            max_upload_bytes: kycdesk::config::DEFAULT_MAX_UPLOAD_BYTES,
            // High enough that no test but the rate-limit one ever meets it.
            api_rate_per_second: 10_000,
            public_url: None,
            // Fast retries so that retry paths finish within a test.
            worker: kycdesk::config::WorkerConfig {
                poll: std::time::Duration::from_millis(20),
                backoff_base: chrono::Duration::milliseconds(10),
                backoff_cap: chrono::Duration::milliseconds(100),
                ..Default::default()
            },
            webhooks: kycdesk::config::WebhookConfig {
                allow_private: true,
                timeout: std::time::Duration::from_secs(5),
            },
            providers: Default::default(),
            http: Default::default(),
        };
        adjust(&mut config);
        let app = App::open(config.clone()).await.expect("open app");
        let services = app.services.clone();
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .expect("bind");
        let base_url = format!("http://{}", listener.local_addr().expect("address"));
        let (tx, rx) = oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            app.serve(listener, async {
                let _ = rx.await;
            })
            .await
            .expect("server runs");
        });
        TestApp {
            base_url,
            config,
            services,
            client: reqwest::Client::new(),
            shutdown: Some(tx),
            server: Some(server),
            pg_database,
            _data_dir: dir,
        }
    }

    /// Creates an active staff user directly through the service layer.
    pub async fn staff_user(
        &self,
        email: &str,
        roles: &str,
        password: &str,
    ) -> kycdesk::domain::staff::StaffUser {
        use kycdesk::domain::password::Password;
        use kycdesk::domain::validate::contact::Email;
        let new = kycdesk::service::staff::NewStaffUser {
            email: Email::parse(email).expect("email"),
            roles: roles.parse().expect("roles"),
            password: Password::parse(password).expect("password"),
            must_change_password: false,
        };
        kycdesk::service::staff::create_user(
            &self.services,
            &kycdesk::service::Ctx::system("test"),
            new,
        )
        .await
        .expect("create staff user")
    }

    /// How many audit events have this action, once every event committed so far is chained (on
    /// PostgreSQL a worker's change is visible before its events leave `audit_pending`).
    pub async fn audit_count(&self, action: &str) -> i64 {
        self.services
            .store
            .chain_pending_audit()
            .await
            .expect("chain pending audit events");
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = $1")
            .bind(action)
            .fetch_one(self.services.store.pool())
            .await
            .expect("count audit events")
    }

    pub fn backend(&self) -> Backend {
        self.services.store.backend()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Runs SQL with the audit triggers out of the way, as an attacker with database access could.
    pub async fn tamper(&self, sql: &str) {
        let mut conn = self
            .services
            .store
            .pool()
            .acquire()
            .await
            .expect("connection");
        match self.backend() {
            Backend::Sqlite => {
                conn.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
                    .await
                    .expect("drop trigger");
                conn.execute("DROP TRIGGER IF EXISTS audit_events_no_delete")
                    .await
                    .expect("drop trigger");
            }
            Backend::Postgres => {
                conn.execute("ALTER TABLE audit_events DISABLE TRIGGER USER")
                    .await
                    .expect("disable triggers");
            }
        }
        conn.execute(sql).await.expect("tampering statement");
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server.abort();
        }
        if let Some((admin_url, name)) = self.pg_database.take() {
            // Drop runs outside async code: use a short-lived runtime on its own thread.
            let _ = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("runtime");
                runtime.block_on(async {
                    if let Ok(mut admin) = sqlx::AnyConnection::connect(&admin_url).await {
                        let _ = admin
                            .execute(
                                format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str(),
                            )
                            .await;
                    }
                });
            })
            .join();
        }
    }
}

/// Starts `command` (a `kycdesk serve` on port 0) with its stdout read until the server says where
/// it listens; returns the child and its URL.
pub fn spawn_server(command: &mut std::process::Command) -> (std::process::Child, String) {
    use std::io::{BufRead, BufReader};
    let mut child = command
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start kycdesk serve");
    let stdout = child.stdout.take().expect("stdout");
    let line = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .find(|l| l.contains("listening on"))
        .expect("the server says where it listens");
    let url = line.rsplit(' ').next().expect("url").to_owned();
    (child, url)
}
