//! Files only the service account may read. The data directory holds password hashes, applicants'
//! personal data, identity documents, webhook secrets and exports; `generate` writes plaintext
//! logins and keys. Directories are created 0700 and files 0600 explicitly, whatever the umask
//! (a umask can only take permissions away), and existing ones are tightened at start-up.

use std::io;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

use tokio::io::AsyncWriteExt;

const DIR_MODE: u32 = 0o700;
const FILE_MODE: u32 = 0o600;

/// Creates `dir` and its missing parents 0700, and makes `dir` itself 0700 if it existed: nobody
/// else can then reach anything under it.
pub fn create_dir(dir: &Path) -> io::Result<()> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(DIR_MODE)
        .create(dir)?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(DIR_MODE))
}

/// [`create_dir`] for async code; a directory that exists is left as it is.
pub async fn create_dir_async(dir: &Path) -> io::Result<()> {
    tokio::fs::DirBuilder::new()
        .recursive(true)
        .mode(DIR_MODE)
        .create(dir)
        .await
}

/// Creates (or truncates) a file 0600 for writing.
pub async fn create(path: &Path) -> io::Result<tokio::fs::File> {
    let file = tokio::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(FILE_MODE)
        .open(path)
        .await?;
    // A file that existed keeps its mode through `open`.
    file.set_permissions(std::fs::Permissions::from_mode(FILE_MODE))
        .await?;
    Ok(file)
}

/// Writes a whole file 0600.
pub async fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = create(path).await?;
    file.write_all(bytes).await?;
    file.flush().await
}

/// Writes a whole file 0600, from blocking code.
pub fn write_blocking(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(FILE_MODE)
        .open(path)?;
    file.set_permissions(std::fs::Permissions::from_mode(FILE_MODE))?;
    file.write_all(bytes)
}

/// Makes the SQLite database `path` 0600 before SQLite opens it: creates it empty when missing
/// (SQLite gives its `-wal` and `-shm` files the database file's mode) and tightens the database
/// and those files when they exist.
pub fn prepare_sqlite(path: &Path) -> io::Result<()> {
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .mode(FILE_MODE)
        .open(path)?;
    for suffix in ["", "-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        match std::fs::set_permissions(&name, std::fs::Permissions::from_mode(FILE_MODE)) {
            Err(error) if error.kind() == io::ErrorKind::NotFound => {}
            other => other?,
        }
    }
    Ok(())
}
