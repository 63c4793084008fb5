//! `kycdesk generate --applications N [--tenants T] [--events-per-application E] [--seed S]`: bulk-loads a
//! synthetic dataset into an empty database for benchmarks, then prints the staff logins and writes them
//! (and the tenants' API keys) to `<data-dir>/logins.json` and `<data-dir>/tenants.json` for scripts.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use serde_json::json;

use crate::app::App;
use crate::config::Config;
use crate::demo::{self, GenerateOptions, Generated, Progress};
use crate::service::ServiceError;

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// How many applications (one applicant each).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    applications: u64,
    /// How many tenants; one or two of them are sandboxes.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=1000))]
    tenants: u32,
    /// Audit events per application, on average.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=100))]
    events_per_application: u32,
    /// The same seed gives the same population (people, statuses, times, ids).
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

/// Redraws the progress line at most this often.
const PROGRESS_EVERY: std::time::Duration = std::time::Duration::from_millis(500);

pub async fn run(config: Config, args: &GenerateArgs) -> anyhow::Result<ExitCode> {
    let data_dir = config.data_dir.clone();
    let app = App::open(config).await?;
    let options = GenerateOptions {
        applications: args.applications,
        tenants: args.tenants,
        events_per_application: args.events_per_application,
        seed: args.seed,
    };
    let started = Instant::now();
    let mut last_drawn: Option<Instant> = None;
    let expected_events = args.applications * u64::from(args.events_per_application);
    let progress = |done: Progress| {
        let finished = done.applications >= args.applications;
        if !finished && last_drawn.is_some_and(|at| at.elapsed() < PROGRESS_EVERY) {
            return;
        }
        last_drawn = Some(Instant::now());
        let seconds = started.elapsed().as_secs_f64().max(0.001);
        let rate = done.applications as f64 / seconds;
        let left = args.applications.saturating_sub(done.applications) as f64;
        let eta = if rate > 0.0 { left / rate } else { 0.0 };
        let mut stderr = std::io::stderr().lock();
        let _ = write!(
            stderr,
            "\r{}/{} applications, {}/~{} events, {:.0} applications/s, ETA {:.0}s   ",
            done.applications, args.applications, done.events, expected_events, rate, eta
        );
        let _ = stderr.flush();
    };
    let result = demo::generate(&app.services, options, progress).await;
    eprintln!();
    let generated = match result {
        Ok(generated) => generated,
        Err(ServiceError::Conflict(message)) => {
            eprintln!("error: {message}");
            return Ok(ExitCode::FAILURE);
        }
        Err(error) => return Err(error).context("generating the dataset"),
    };
    let elapsed = started.elapsed().as_secs_f64();
    write_files(&data_dir, &generated)?;
    print_summary(&generated, elapsed, &data_dir);
    Ok(ExitCode::SUCCESS)
}

/// `logins.json` and `tenants.json`: the one-time passwords and API keys, for scripts that sign in.
fn write_files(data_dir: &Path, generated: &Generated) -> anyhow::Result<()> {
    let logins: Vec<_> = generated
        .logins
        .iter()
        .map(|l| json!({"email": l.email, "password": l.password, "roles": l.roles}))
        .collect();
    let tenants: Vec<_> = generated
        .tenants
        .iter()
        .map(|t| json!({"name": t.name, "sandbox": t.sandbox, "api_key": t.api_key}))
        .collect();
    for (name, value) in [("logins.json", logins), ("tenants.json", tenants)] {
        let path = data_dir.join(name);
        let text = serde_json::to_string_pretty(&value)?;
        crate::private_files::write_blocking(&path, (text + "\n").as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

fn print_summary(generated: &Generated, elapsed: f64, data_dir: &Path) {
    let rows = generated.applications * 2
        + generated.events
        + generated.documents
        + generated.checks
        + generated.findings
        + generated.decisions;
    println!(
        "Generated {} applications in {elapsed:.1}s:",
        generated.applications
    );
    for (status, count) in &generated.by_status {
        println!("  {:<10} {count:>10}", status.as_str());
    }
    println!(
        "  {} audit events, {} documents, {} checks with {} findings, {} decisions ({} rows, {:.0} rows/s)",
        generated.events,
        generated.documents,
        generated.checks,
        generated.findings,
        generated.decisions,
        rows,
        rows as f64 / elapsed.max(0.001)
    );
    println!();
    println!("Staff logins (passwords are generated now and shown only once):");
    for login in &generated.logins {
        println!(
            "  {:<28} {:<22} {}",
            login.email, login.password, login.roles
        );
    }
    println!();
    println!("Tenant API keys (Authorization: Bearer <key>):");
    for tenant in &generated.tenants {
        let kind = if tenant.sandbox { "sandbox" } else { "live" };
        println!("  {:<28} {:<8} {}", tenant.name, kind, tenant.api_key);
    }
    println!();
    println!(
        "Also written to {} and {}.",
        data_dir.join("logins.json").display(),
        data_dir.join("tenants.json").display()
    );
}
