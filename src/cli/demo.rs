//! `kycdesk demo`: serve a demo database, seeding it with demo data on first start.

use std::process::ExitCode;

use anyhow::Context;

use crate::app::{App, shutdown_signal};
use crate::config::Config;
use crate::demo;
use crate::service;

/// How many applications the demo history holds.
const DEMO_APPLICATIONS: usize = 200;

pub async fn run(config: Config) -> anyhow::Result<ExitCode> {
    let listen = config.listen;
    let data_dir = config.data_dir.clone();
    let app = App::open(config).await?;
    let seeded = if service::staff::any_exist(&app.services).await? {
        None
    } else {
        println!("Seeding demo data ({DEMO_APPLICATIONS} applications)...");
        Some(
            demo::seed(&app.services, DEMO_APPLICATIONS)
                .await
                .context("seeding demo data")?,
        )
    };
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let url = format!("http://{}", listener.local_addr()?);
    println!();
    println!("kycdesk demo is running at {url}");
    match &seeded {
        Some(seed) => {
            println!();
            println!("Staff logins (passwords are generated now and shown only once):");
            for login in &seed.logins {
                println!(
                    "  {:<28} {:<22} {}",
                    login.email, login.password, login.roles
                );
            }
            println!();
            println!("Tenant API keys (Authorization: Bearer <key>):");
            for tenant in &seed.tenants {
                let kind = if tenant.sandbox { "sandbox" } else { "live" };
                println!("  {:<22} {:<8} {}", tenant.name, kind, tenant.api_key);
            }
            println!();
            println!(
                "{} applications in every status were created, with documents, checks and an audit trail.",
                seed.applications
            );
        }
        None => {
            println!();
            println!(
                "Reusing the demo data in {} (logins were printed when it was created).",
                data_dir.display()
            );
            println!(
                "To start over with fresh data and new passwords: stop this process, delete that directory"
            );
            println!("(rm -rf {}) and run the demo again.", data_dir.display());
        }
    }
    println!();
    println!("Press Ctrl-C to stop.");
    app.serve(listener, shutdown_signal()).await?;
    Ok(ExitCode::SUCCESS)
}
