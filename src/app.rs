//! Builds the application (database, blob store, services, router) and serves it.

use std::future::Future;
use std::sync::Arc;

use anyhow::Context;
use axum::Router;
use tokio::net::TcpListener;

use crate::blobs::LocalBlobStore;
use crate::config::{Config, redact_database_url};
use crate::providers::Providers;
use crate::providers::sandbox::{Manual, Sandbox};
use crate::providers::vouched::Vouched;
use crate::providers::vouched::client::VouchedClient;
use crate::service::signatures::SandboxOnlyCodes;
use crate::service::{CodeSender, Services, Settings};
use crate::store::Store;
use crate::webhooks::sender::WebhookSender;

/// Shared by every handler.
#[derive(Clone, Debug)]
pub struct AppState {
    pub services: Services,
    pub config: Arc<Config>,
    pub throttles: Arc<crate::rate_limit::Throttles>,
}

/// An opened application: migrated database and services, ready to serve or to run a command against.
pub struct App {
    pub config: Config,
    pub services: Services,
}

impl App {
    /// Opens the database (creating the data directory for SQLite), runs migrations, sets up storage.
    pub async fn open(config: Config) -> anyhow::Result<App> {
        crate::private_files::create_dir(&config.data_dir).with_context(|| {
            format!(
                "cannot create the data directory {}",
                config.data_dir.display()
            )
        })?;
        let shown_url = redact_database_url(&config.database_url);
        let store = Store::connect(&config.database_url)
            .await
            .with_context(|| format!("cannot connect to the database at {shown_url}"))?;
        store
            .migrate()
            .await
            .with_context(|| format!("cannot migrate the database at {shown_url}"))?;
        let blobs = Arc::new(LocalBlobStore::new(config.blob_dir()));
        let services = Services {
            store,
            blobs,
            providers: providers(&config)?,
            webhooks: WebhookSender::new(config.webhooks)
                .context("cannot set up the webhook client")?,
            codes: Arc::new(SandboxOnlyCodes),
            settings: Arc::new(Settings {
                worker: config.worker,
                public_url: config.public_url.clone(),
                providers: config.providers.clone(),
            }),
        };
        Ok(App { config, services })
    }

    /// Replaces how one-time signature codes are sent (an SMS or e-mail gateway).
    pub fn with_code_sender(mut self, codes: Arc<dyn CodeSender>) -> Self {
        self.services.codes = codes;
        self
    }

    pub fn router(&self) -> Router {
        let state = AppState {
            services: self.services.clone(),
            config: Arc::new(self.config.clone()),
            throttles: Arc::new(crate::rate_limit::Throttles::new(
                self.config.api_rate_per_second,
                self.config.security.failures_per_address_per_minute,
                self.config
                    .security
                    .callback_refusals_per_address_per_minute,
            )),
        };
        let routes = crate::web::router(&state)
            .merge(crate::api::router(&state))
            .merge(crate::compat::router());
        crate::web::around(routes, &state).with_state(state)
    }

    /// Serves until `shutdown` resolves, then finishes in-flight requests and closes the database.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let router = self.router();
        crate::service::passwords::warm_up().await?;
        let housekeeping = tokio::spawn(housekeeping(self.services.clone()));
        let maintenance = self.services.store.spawn_maintenance();
        let workers = crate::worker::spawn(&self.services);
        tracing::info!(
            address = %listener.local_addr()?,
            database = %redact_database_url(&self.config.database_url),
            secure_cookies = self.config.secure_cookies,
            "serving"
        );
        crate::server::serve(listener, router, self.config.http, shutdown).await;
        housekeeping.abort();
        workers.stop().await;
        maintenance.abort();
        self.services.store.close().await;
        Ok(())
    }
}

/// The providers levels can name: the sandbox and manual review always, Vouched when configured.
fn providers(config: &Config) -> anyhow::Result<Providers> {
    let mut providers = Providers::default()
        .with(Arc::new(Sandbox))
        .with(Arc::new(Manual));
    if let Some(vouched) = &config.providers.vouched {
        let http = reqwest::Client::builder()
            .timeout(vouched.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .context("cannot set up the Vouched client")?;
        let client = VouchedClient::new(&vouched.base_url, vouched.api_key.expose(), http)
            .context("invalid Vouched configuration")?;
        providers = providers.with(Arc::new(Vouched::new(client)));
    }
    Ok(providers)
}

/// How often expired sessions and idempotency keys are removed.
const HOUSEKEEPING_EVERY: std::time::Duration = std::time::Duration::from_secs(15 * 60);

async fn housekeeping(services: Services) {
    let mut every = tokio::time::interval(HOUSEKEEPING_EVERY);
    loop {
        every.tick().await;
        match crate::service::auth::purge_expired_sessions(&services).await {
            Ok(0) => {}
            Ok(purged) => tracing::info!(purged, "expired sessions removed"),
            Err(error) => tracing::warn!(%error, "could not remove expired sessions"),
        }
        match crate::service::idempotency::purge_expired(&services).await {
            Ok(0) => {}
            Ok(purged) => tracing::info!(purged, "expired idempotency keys removed"),
            Err(error) => tracing::warn!(%error, "could not remove expired idempotency keys"),
        }
    }
}
/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
