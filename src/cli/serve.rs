//! `kycdesk serve`.

use std::process::ExitCode;

use anyhow::Context;

use crate::app::{App, shutdown_signal};
use crate::config::Config;

pub async fn run(config: Config) -> anyhow::Result<ExitCode> {
    let listen = config.listen;
    let app = App::open(config).await?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    println!("kycdesk listening on http://{}", listener.local_addr()?);
    app.serve(listener, shutdown_signal()).await?;
    Ok(ExitCode::SUCCESS)
}
