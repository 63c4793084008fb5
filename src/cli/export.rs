//! `kycdesk export events|decisions --format csv|ndjson [filters] --out FILE`: the auditor export,
//! written to FILE with FILE.manifest.json beside it, audited as the system actor `system:cli`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::{Args, ValueEnum};

use crate::app::App;
use crate::config::Config;
use crate::domain::export::{
    ExportFilters, ExportFormat, ExportId, ExportKind, ExportRequest, FilterInput,
};
use crate::service::{self, Ctx};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum KindArg {
    /// Application histories: one row per audit event about an application.
    Events,
    /// One row per decision (proposed, confirmed, returned, invalidated).
    Decisions,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
    Csv,
    Ndjson,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// What to export.
    #[arg(value_enum)]
    kind: KindArg,
    /// File format.
    #[arg(long, value_enum)]
    format: FormatArg,
    /// Only this tenant's applications (tenant id).
    #[arg(long, value_name = "ID")]
    tenant: Option<String>,
    /// Only applications of this level (level id).
    #[arg(long, value_name = "ID")]
    level: Option<String>,
    /// Only applications in this status (draft, pending, submitted, review, remediate, accepted, rejected, failed).
    #[arg(long, value_name = "STATUS")]
    status: Option<String>,
    /// From this UTC day (YYYY-MM-DD) or RFC 3339 time, included: event time, or proposal time for decisions.
    #[arg(long, value_name = "DATE")]
    from: Option<String>,
    /// Up to this UTC day (YYYY-MM-DD, the whole day) or RFC 3339 time, included.
    #[arg(long, value_name = "DATE")]
    to: Option<String>,
    /// The file to write (replaced if present); the manifest goes to FILE.manifest.json.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

/// Rows between two progress updates on stderr.
const PROGRESS_EVERY: u64 = 10_000;

/// Misuse: one line on stderr, exit code 2 (as for argument errors).
fn misuse(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}

/// Refuses an output path that cannot be a new file before anything is opened.
fn check_out(out: &Path) -> Result<(), String> {
    if out.file_name().is_none() || out.to_str().is_none() {
        return Err("--out: expected a file name".into());
    }
    if out.is_dir() {
        return Err(format!("--out: {} is a directory", out.display()));
    }
    let parent = out.parent().filter(|p| !p.as_os_str().is_empty());
    if let Some(parent) = parent
        && !parent.is_dir()
    {
        return Err(format!(
            "--out: the directory {} does not exist",
            parent.display()
        ));
    }
    Ok(())
}

pub async fn run(config: Config, args: &ExportArgs) -> anyhow::Result<ExitCode> {
    let filters = ExportFilters::parse(FilterInput {
        tenant: args.tenant.as_deref().unwrap_or(""),
        level: args.level.as_deref().unwrap_or(""),
        status: args.status.as_deref().unwrap_or(""),
        from: args.from.as_deref().unwrap_or(""),
        to: args.to.as_deref().unwrap_or(""),
    });
    let filters = match filters {
        Ok(filters) => filters,
        Err(refused) => return Ok(misuse(&format!("--{}", refused.message))),
    };
    if let Err(message) = check_out(&args.out) {
        return Ok(misuse(&message));
    }
    let request = ExportRequest {
        kind: match args.kind {
            KindArg::Events => ExportKind::Events,
            KindArg::Decisions => ExportKind::Decisions,
        },
        format: match args.format {
            FormatArg::Csv => ExportFormat::Csv,
            FormatArg::Ndjson => ExportFormat::Ndjson,
        },
        filters,
    };
    let app = App::open(config).await?;
    // Set once a progress line is on stderr, so that an error starts on a line of its own.
    let progress_shown = AtomicBool::new(false);
    let progress = |rows: u64| {
        if rows.is_multiple_of(PROGRESS_EVERY) {
            let mut stderr = std::io::stderr().lock();
            let _ = write!(stderr, "\rexported {rows} rows");
            let _ = stderr.flush();
            progress_shown.store(true, Ordering::Relaxed);
        }
    };
    let manifest = service::exports::export_to_file(
        &app.services,
        &Ctx::system("cli"),
        ExportId::generate(),
        &request,
        &args.out,
        progress,
    )
    .await;
    let manifest = match manifest {
        Ok(manifest) => manifest,
        Err(error) => {
            if progress_shown.load(Ordering::Relaxed) {
                eprintln!();
            }
            return Err(error.into());
        }
    };
    eprintln!("\rexported {} rows", manifest.rows);
    println!(
        "{} export: {} rows in {} (sha256 {}), manifest {}, covering the audit chain up to {}:{}",
        manifest.kind,
        manifest.rows,
        args.out.display(),
        manifest.sha256,
        service::exports::manifest_path(&args.out).display(),
        manifest.head_seq,
        manifest.head_hash
    );
    Ok(ExitCode::SUCCESS)
}
