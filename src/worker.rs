//! The background workers `kycdesk serve` runs: each claims due jobs and runs them until stopped.

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::service::{Services, jobs};

pub struct Workers {
    stop: watch::Sender<bool>,
    handles: Vec<JoinHandle<()>>,
}

/// Starts the configured number of workers.
pub fn spawn(services: &Services) -> Workers {
    let (stop, stopped) = watch::channel(false);
    let handles = (0..services.settings.worker.workers)
        .map(|_| tokio::spawn(work(services.clone(), stopped.clone())))
        .collect();
    Workers { stop, handles }
}

impl Workers {
    /// Lets each worker finish the job in hand, then stops it.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        for handle in self.handles {
            let _ = handle.await;
        }
    }
}

async fn work(services: Services, mut stopped: watch::Receiver<bool>) {
    let poll = services.settings.worker.poll;
    while !*stopped.borrow() {
        let busy = match jobs::run_next(&services).await {
            Ok(ran) => ran,
            Err(error) => {
                tracing::warn!(%error, "worker could not run a job");
                false
            }
        };
        if !busy {
            tokio::select! {
                () = tokio::time::sleep(poll) => {}
                _ = stopped.changed() => {}
            }
        }
    }
}
