//! `kycdesk tenant create`.

use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use serde_json::json;

use crate::app::App;
use crate::config::Config;
use crate::domain::tenant::{TenantName, WebhookUrl};
use crate::service::{self, Ctx};

#[derive(Debug, Subcommand)]
pub enum TenantCommand {
    /// Create a tenant and print its id and a new API key (shown only once).
    Create {
        #[arg(long)]
        name: String,
        /// A sandbox tenant: deterministic provider results, may force statuses.
        #[arg(long)]
        sandbox: bool,
        /// Where the tenant's webhooks go (http or https).
        #[arg(long)]
        webhook_url: Option<String>,
        /// Print {"tenant_id", "api_key", "webhook_secret"} as JSON.
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(config: Config, command: &TenantCommand) -> anyhow::Result<ExitCode> {
    let TenantCommand::Create {
        name,
        sandbox,
        webhook_url,
        json,
    } = command;
    let name = TenantName::parse(name).context("--name")?;
    let webhook_url = webhook_url
        .as_deref()
        .map(WebhookUrl::parse)
        .transpose()
        .context("--webhook-url")?;
    let app = App::open(config).await?;
    let created = service::tenants::create(
        &app.services,
        &Ctx::system("cli"),
        service::tenants::NewTenant {
            name,
            sandbox: *sandbox,
            webhook_url,
        },
    )
    .await?;
    if *json {
        println!(
            "{}",
            json!({"tenant_id": created.tenant.id, "api_key": created.api_key, "webhook_secret": created.webhook_secret})
        );
    } else {
        println!(
            "tenant:         {} ({})",
            created.tenant.name, created.tenant.id
        );
        println!(
            "api key:        {}   (shown once; store it now)",
            created.api_key
        );
        println!("webhook secret: {}", created.webhook_secret);
    }
    Ok(ExitCode::SUCCESS)
}
