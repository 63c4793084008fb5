//! `kycdesk audit verify`.

use std::process::ExitCode;

use clap::Subcommand;
use serde_json::json;

use crate::app::App;
use crate::config::Config;
use crate::domain::audit::ChainAnchor;
use crate::service;

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute the hash chain. Exit 0 when intact, 1 when broken.
    Verify {
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
        /// A head printed earlier (SEQ:HASH) that the chain must still contain: catches a truncated tail.
        #[arg(long, value_name = "SEQ:HASH")]
        expect_head: Option<ChainAnchor>,
    },
}

pub async fn run(config: Config, command: &AuditCommand) -> anyhow::Result<ExitCode> {
    let AuditCommand::Verify { json, expect_head } = command;
    let app = App::open(config).await?;
    let outcome = service::audit::verify(&app.services, expect_head.clone()).await?;
    match (&outcome, json) {
        (Ok(head), true) => println!(
            "{}",
            json!({"intact": true, "events": head.events, "head_seq": head.seq, "head_hash": head.hash})
        ),
        (Ok(head), false) => println!(
            "intact: {} events, head {}:{}",
            head.events, head.seq, head.hash
        ),
        (Err(broken), true) => println!(
            "{}",
            json!({"intact": false, "broken_seq": broken.seq, "reason": broken.reason})
        ),
        (Err(broken), false) => println!("broken at seq {}: {}", broken.seq, broken.reason),
    }
    Ok(if outcome.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
