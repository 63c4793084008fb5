//! Blobs as files under a directory: `<root>/<first two hex digits>/<hash>`.

use std::path::{Path, PathBuf};

use super::{BlobError, BlobFuture, BlobStore, content_hash, is_hash};

#[derive(Debug, Clone)]
pub struct LocalBlobStore {
    root: PathBuf,
}

impl LocalBlobStore {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    fn path_of(&self, hash: &str) -> Result<PathBuf, BlobError> {
        // Only a validated digest becomes a path, so no input can escape the root.
        if !is_hash(hash) {
            return Err(BlobError::InvalidHash);
        }
        Ok(self.root.join(&hash[..2]).join(hash))
    }
}

async fn write_once(path: &Path, bytes: &[u8]) -> Result<(), BlobError> {
    if tokio::fs::try_exists(path).await? {
        return Ok(());
    }
    if let Some(dir) = path.parent() {
        crate::private_files::create_dir_async(dir).await?;
    }
    // Write aside and rename, so a crash never leaves a half-written blob under its final name.
    let partial = path.with_extension(format!("partial-{}", uuid::Uuid::new_v4().simple()));
    crate::private_files::write(&partial, bytes).await?;
    if let Err(error) = tokio::fs::rename(&partial, path).await {
        let _ = tokio::fs::remove_file(&partial).await;
        return Err(error.into());
    }
    Ok(())
}

impl BlobStore for LocalBlobStore {
    fn put<'a>(&'a self, bytes: &'a [u8]) -> BlobFuture<'a, String> {
        Box::pin(async move {
            let hash = content_hash(bytes);
            write_once(&self.path_of(&hash)?, bytes).await?;
            Ok(hash)
        })
    }

    fn get<'a>(&'a self, hash: &'a str) -> BlobFuture<'a, Vec<u8>> {
        Box::pin(async move {
            match tokio::fs::read(self.path_of(hash)?).await {
                Ok(bytes) => Ok(bytes),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    Err(BlobError::NotFound(hash.to_owned()))
                }
                Err(e) => Err(e.into()),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn stores_by_content_and_reads_back() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = LocalBlobStore::new(dir.path());
        let hash = store.put(b"evidence").await.expect("put");
        assert_eq!(hash, content_hash(b"evidence"));
        assert_eq!(store.put(b"evidence").await.expect("put again"), hash);
        assert_eq!(store.get(&hash).await.expect("get"), b"evidence");
    }

    #[tokio::test]
    async fn refuses_paths_that_are_not_digests() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = LocalBlobStore::new(dir.path());
        assert!(matches!(
            store.get("../../etc/passwd").await,
            Err(BlobError::InvalidHash)
        ));
        let missing = "a".repeat(64);
        assert!(matches!(
            store.get(&missing).await,
            Err(BlobError::NotFound(_))
        ));
    }
}
