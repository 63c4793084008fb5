//! Use cases run again, whole, when the database aborted their transaction to let a concurrent one
//! through. The store's lock order (see `store::WriteTx`) leaves no cycle through the rows every
//! writer shares; what remains (two use cases taking the same entities in opposite orders) is rare,
//! and a caller should never see it as a failure.

use std::future::Future;
use std::time::Duration;

use rand::Rng;

use super::{ServiceError, Services};

/// Runs of one use case before the contention reaches the caller (a 503, "busy, try again").
const ATTEMPTS: u32 = 5;

/// Runs `use_case` until it ends other than by contention, at most [`ATTEMPTS`] times, each
/// retry after a short random pause so that the two transactions do not meet again in step.
/// Every retry is counted (the store's counts and the `kycdesk_transaction_retries_total` metric)
/// and logged.
pub(crate) async fn on_contention<T, F, Fut>(
    services: &Services,
    name: &'static str,
    mut use_case: F,
) -> Result<T, ServiceError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ServiceError>>,
{
    let mut attempt = 1;
    loop {
        match use_case().await {
            Err(ServiceError::Contention(cause)) => {
                services.store.contention().record(cause);
                metrics::counter!("kycdesk_transaction_retries_total",
                    "use_case" => name, "cause" => cause.as_str())
                .increment(1);
                if attempt == ATTEMPTS {
                    tracing::error!(use_case = name, %cause, attempt, "transaction aborted by the database every time; giving up");
                    return Err(ServiceError::Contention(cause));
                }
                tracing::warn!(use_case = name, %cause, attempt, "transaction aborted by the database; running the use case again");
                let pause = rand::rng().random_range(1..=5 * u64::from(attempt));
                tokio::time::sleep(Duration::from_millis(pause)).await;
                attempt += 1;
            }
            other => return other,
        }
    }
}
