//! Image decoding off the async runtime, bounded twice: no more decodes at once than cores (more
//! would only queue in the blocking pool while holding their memory), and no more decoded pixels in
//! memory at once than [`IN_FLIGHT_MIB`], whatever the number of cores.

use std::sync::LazyLock;

use tokio::sync::Semaphore;

use super::ServiceError;
use crate::media::detect::MAX_DECODED_BYTES;

const MIB: u64 = 1024 * 1024;

/// Decoded pixels across all decodes at once: one image at the largest size accepted
/// ([`MAX_DECODED_BYTES`], 128 MiB) and room beside it for smaller ones (a 12 MP photo takes 36 MB).
/// The allocator keeps a freed image's pages resident for a while, so resident memory runs about
/// one image above what is in flight: with the server's own ~55 MB, eight concurrent uploads of
/// the heaviest accepted image peak under 400 MB (bench/upload_rss.py; two heavy images in flight
/// measured 462 MB).
const IN_FLIGHT_MIB: u32 = (MAX_DECODED_BYTES / MIB) as u32 * 3 / 2;

static CORES: LazyLock<Semaphore> =
    LazyLock::new(|| Semaphore::new(std::thread::available_parallelism().map_or(2, usize::from)));

static MEMORY: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(IN_FLIGHT_MIB as usize));

/// Runs `work`, which decodes an image of `decoded_bytes` (from its header), once both a core and
/// the memory are free. The permits go with the blocking task, so a request given up by its client
/// still counts until its decode ends.
pub async fn decode<T: Send + 'static>(
    decoded_bytes: u64,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ServiceError> {
    let mib = u32::try_from(decoded_bytes.div_ceil(MIB))
        .unwrap_or(u32::MAX)
        .clamp(1, IN_FLIGHT_MIB);
    let closed =
        |e: tokio::sync::AcquireError| ServiceError::Internal(format!("decode permit: {e}"));
    let memory = MEMORY.acquire_many(mib).await.map_err(closed)?;
    let core = CORES.acquire().await.map_err(closed)?;
    tokio::task::spawn_blocking(move || {
        let result = work();
        drop((memory, core));
        result
    })
    .await
    .map_err(|e| ServiceError::Internal(format!("decode task: {e}")))
}
