//! Document bytes: thumbnails derived from originals (the originals themselves are never changed).

use super::{ServiceError, Services};
use crate::media::detect::MediaKind;
use crate::media::thumbnail::thumbnail;

/// Derives a thumbnail (off the async runtime: decoding takes tens of milliseconds) and stores it in
/// the blob store; returns its hash, or `None` for PDFs.
pub async fn store_thumbnail(
    services: &Services,
    original: &[u8],
    kind: MediaKind,
) -> Result<Option<String>, ServiceError> {
    let bytes = original.to_vec();
    let preview = tokio::task::spawn_blocking(move || thumbnail(&bytes, kind))
        .await
        .map_err(|e| ServiceError::Internal(format!("thumbnail task: {e}")))?
        .map_err(|e| ServiceError::Internal(format!("thumbnail of a stored document: {e}")))?;
    match preview {
        Some(jpeg) => Ok(Some(
            services
                .blobs
                .put(&jpeg)
                .await
                .map_err(|e| ServiceError::Internal(e.to_string()))?,
        )),
        None => Ok(None),
    }
}
