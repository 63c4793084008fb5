//! The `kycdesk` binary: parse the command line, set up logging, run.

use std::process::ExitCode;

use tracing_subscriber::EnvFilter;

/// glibc's allocator spent a fifth of a loaded server's CPU in malloc/free (many small, short-lived
/// values per row and per request, across threads); mimalloc's thread-local free lists cut that.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = match kycdesk::cli::parse() {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    let filter =
        EnvFilter::try_from_env("KYCDESK_LOG").unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(kycdesk::cli::run(cli)) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
