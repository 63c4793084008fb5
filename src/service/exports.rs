//! Auditor exports: application histories (audit events) and decisions, as CSV or NDJSON, for the
//! auditor role only. `write_export` is the one streaming path, used by the web page and the CLI alike:
//! it reads the chain head and the rows in one read snapshot, encodes each row as it arrives, hashes the
//! bytes on their way out, writes in chunks of `CHUNK_BYTES`, and appends `export.created` to the audit
//! trail once everything is written. Memory stays bounded whatever the number of rows.

use std::io;
use std::path::{Path, PathBuf};

use futures_util::{Stream, TryStreamExt};
use serde_json::json;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncWrite, AsyncWriteExt};

use super::{Ctx, ServiceError, Services};
use crate::domain::audit::AuditSubject;
use crate::domain::export::{
    CSV_CELLS_NOTE, ExportFormat, ExportId, ExportKind, ExportManifest, ExportRequest, ExportRow,
    FilterInput, RowEncoder, manifest_file_name,
};
use crate::domain::permission::Permission;
use crate::domain::time::Timestamp;
use crate::private_files;
use crate::store::{self, StoreError};

pub use crate::store::exports::Choice;

/// Encoded rows are handed to the writer (and the hash) in chunks of about this size.
pub const CHUNK_BYTES: usize = 64 * 1024;

fn io_failed(what: &str, path: &Path, error: io::Error) -> ServiceError {
    ServiceError::Internal(format!("cannot {what} {}: {error}", path.display()))
}

fn write_failed(error: io::Error) -> ServiceError {
    ServiceError::Internal(format!("cannot write the export: {error}"))
}

/// Where encoded bytes wait for the next chunk, with the running hash and size of what went out.
struct Sink<'w, W> {
    out: &'w mut W,
    buf: Vec<u8>,
    sha256: Sha256,
    bytes: u64,
}

impl<W: AsyncWrite + Unpin> Sink<'_, W> {
    async fn drain(&mut self) -> Result<(), ServiceError> {
        if self.buf.is_empty() {
            return Ok(());
        }
        self.sha256.update(&self.buf);
        self.out.write_all(&self.buf).await.map_err(write_failed)?;
        self.bytes += self.buf.len() as u64;
        self.buf.clear();
        Ok(())
    }
}

/// Encodes the rows as they come and passes each full chunk on; returns the number of rows.
async fn pump<R, S, W>(
    rows: S,
    encoder: &RowEncoder,
    sink: &mut Sink<'_, W>,
    progress: &mut impl FnMut(u64),
) -> Result<u64, ServiceError>
where
    R: ExportRow,
    S: Stream<Item = Result<R, StoreError>>,
    W: AsyncWrite + Unpin,
{
    let encode_failed =
        |e: crate::domain::export::EncodeError| ServiceError::Internal(e.to_string());
    let mut rows = std::pin::pin!(rows);
    encoder.header::<R>(&mut sink.buf).map_err(encode_failed)?;
    let mut count = 0_u64;
    while let Some(row) = rows.try_next().await? {
        encoder.row(&row, &mut sink.buf).map_err(encode_failed)?;
        count += 1;
        progress(count);
        if sink.buf.len() >= CHUNK_BYTES {
            sink.drain().await?;
        }
    }
    Ok(count)
}

/// Streams one export into `out` and records it in the audit trail; `progress` hears the number of
/// rows written so far after each row. The chain head is read in the same snapshot as the rows, so an
/// events export covers exactly the matching events up to `head_seq`. `out` is flushed, not closed.
pub async fn write_export<W: AsyncWrite + Unpin + Send>(
    services: &Services,
    ctx: &Ctx,
    id: ExportId,
    request: &ExportRequest,
    out: &mut W,
    mut progress: impl FnMut(u64) + Send,
) -> Result<ExportManifest, ServiceError> {
    ctx.require(services, Permission::Audit, "export.create")
        .await?;
    let created_at = Timestamp::now();
    let encoder = RowEncoder::new(request.format);
    let mut sink = Sink {
        out,
        buf: Vec::with_capacity(CHUNK_BYTES + CHUNK_BYTES / 4),
        sha256: Sha256::new(),
        bytes: 0,
    };
    let mut snapshot = services.store.begin_snapshot().await?;
    let (head_seq, head_hash) = store::audit::recorded_head(&mut snapshot).await?;
    let filters = &request.filters;
    let rows = match request.kind {
        // The stream takes the snapshot and ends it when the rows end.
        ExportKind::Events => {
            let rows = store::exports::events(snapshot, filters, head_seq);
            pump(rows, &encoder, &mut sink, &mut progress).await?
        }
        ExportKind::Decisions => {
            let rows = store::exports::decisions(snapshot, filters);
            pump(rows, &encoder, &mut sink, &mut progress).await?
        }
    };
    sink.drain().await?;
    sink.out.flush().await.map_err(write_failed)?;
    let manifest = ExportManifest {
        export_id: id,
        kind: request.kind,
        format: request.format,
        filters: filters.clone(),
        rows,
        bytes: sink.bytes,
        sha256: hex::encode(sink.sha256.finalize()),
        head_seq,
        head_hash,
        created_at,
        created_by: ctx
            .staff
            .as_ref()
            .map_or_else(|| ctx.actor.encoded(), |staff| staff.email.clone()),
        actor: ctx.actor.encoded(),
        file: None,
        csv_cells: (request.format == ExportFormat::Csv).then(|| CSV_CELLS_NOTE.to_owned()),
    };
    let mut event = ctx.event(
        "export.created",
        AuditSubject::new("export", id),
        json!({
            "export_id": id,
            "kind": manifest.kind,
            "format": manifest.format,
            "filters": manifest.filters,
            "rows": manifest.rows,
            "sha256": manifest.sha256,
            "head_seq": manifest.head_seq,
        }),
    );
    if let Some(tenant) = filters.tenant_id {
        event = event.for_tenant(tenant);
    }
    super::record(services, &event).await?;
    Ok(manifest)
}

/// `path` with `suffix` appended to its file name.
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// The manifest written beside an export file `FILE`: `FILE.manifest.json`.
pub fn manifest_path(path: &Path) -> PathBuf {
    with_suffix(path, ".manifest.json")
}

/// Writes a file atomically: a temporary name first, renamed when complete.
async fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), ServiceError> {
    let partial = with_suffix(path, ".partial");
    private_files::write(&partial, bytes)
        .await
        .map_err(|e| io_failed("write", &partial, e))?;
    tokio::fs::rename(&partial, path)
        .await
        .map_err(|e| io_failed("rename", &partial, e))
}

/// Exports into the file `path` (replaced if present) and writes the manifest beside it
/// (`manifest_path`). The rows go to `path.partial` first and take the real name only when complete,
/// so a failed export leaves no file that looks finished.
pub async fn export_to_file(
    services: &Services,
    ctx: &Ctx,
    id: ExportId,
    request: &ExportRequest,
    path: &Path,
    progress: impl FnMut(u64) + Send,
) -> Result<ExportManifest, ServiceError> {
    ctx.require(services, Permission::Audit, "export.create")
        .await?;
    let file_name = path
        .file_name()
        .and_then(|name| name.to_str())
        .map(str::to_owned)
        .ok_or_else(|| ServiceError::Internal(format!("{} is not a file name", path.display())))?;
    let partial = with_suffix(path, ".partial");
    let mut file = private_files::create(&partial)
        .await
        .map_err(|e| io_failed("create", &partial, e))?;
    let finished = async {
        let mut manifest = write_export(services, ctx, id, request, &mut file, progress).await?;
        file.sync_all()
            .await
            .map_err(|e| io_failed("write", &partial, e))?;
        tokio::fs::rename(&partial, path)
            .await
            .map_err(|e| io_failed("rename", &partial, e))?;
        manifest.file = Some(file_name);
        Ok::<_, ServiceError>(manifest)
    }
    .await;
    drop(file);
    let manifest = match finished {
        Ok(manifest) => manifest,
        Err(error) => {
            let _ = tokio::fs::remove_file(&partial).await;
            return Err(error);
        }
    };
    let mut text = serde_json::to_vec_pretty(&manifest)
        .map_err(|e| ServiceError::Internal(format!("cannot encode the manifest: {e}")))?;
    text.push(b'\n');
    write_atomically(&manifest_path(path), &text).await?;
    Ok(manifest)
}

/// Creates an export in `dir` (the exports directory) as `<id>.<csv|ndjson>` with its manifest, from
/// the kind, format and filters as typed (refused with the field named when they do not parse).
pub async fn create(
    services: &Services,
    ctx: &Ctx,
    dir: &Path,
    kind: &str,
    format: &str,
    filters: FilterInput<'_>,
) -> Result<ExportManifest, ServiceError> {
    ctx.require(services, Permission::Audit, "export.create")
        .await?;
    let request = ExportRequest::parse(kind, format, filters)?;
    private_files::create_dir_async(dir)
        .await
        .map_err(|e| io_failed("create", dir, e))?;
    let id = ExportId::generate();
    let path = dir.join(id.file_name(request.format));
    export_to_file(services, ctx, id, &request, &path, |_| {}).await
}

/// Reads a manifest of the exports directory; `None` when it is not one of ours (or damaged).
async fn read_manifest(dir: &Path, data_file: &str) -> Option<(ExportManifest, Vec<u8>)> {
    let path = dir.join(manifest_file_name(data_file));
    let bytes = tokio::fs::read(&path).await.ok()?;
    match serde_json::from_slice::<ExportManifest>(&bytes) {
        Ok(manifest)
            if manifest.export_id.file_name(manifest.format) == data_file
                && manifest.file.as_deref() == Some(data_file) =>
        {
            Some((manifest, bytes))
        }
        _ => {
            tracing::warn!(path = %path.display(), "ignoring a file that is not an export manifest");
            None
        }
    }
}

/// The previous exports in `dir`, from their manifests, newest first.
pub async fn list(
    services: &Services,
    ctx: &Ctx,
    dir: &Path,
) -> Result<Vec<ExportManifest>, ServiceError> {
    ctx.require(services, Permission::Audit, "export.list")
        .await?;
    let mut entries = match tokio::fs::read_dir(dir).await {
        Ok(entries) => entries,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(io_failed("read", dir, error)),
    };
    let mut manifests = Vec::new();
    while let Some(entry) = entries
        .next_entry()
        .await
        .map_err(|e| io_failed("read", dir, e))?
    {
        let name = entry.file_name();
        let Some(data_file) = name.to_str().and_then(|n| n.strip_suffix(".manifest.json")) else {
            continue;
        };
        if let Some((manifest, _)) = read_manifest(dir, data_file).await {
            manifests.push(manifest);
        }
    }
    manifests.sort_by_key(|m| std::cmp::Reverse((m.created_at, m.export_id)));
    Ok(manifests)
}

/// The manifest of one export and its bytes as stored.
async fn find(dir: &Path, id: ExportId) -> Result<(ExportManifest, Vec<u8>), ServiceError> {
    for format in ExportFormat::ALL {
        if let Some(found) = read_manifest(dir, &id.file_name(*format)).await {
            return Ok(found);
        }
    }
    Err(ServiceError::NotFound("export"))
}

/// One export's manifest, as stored (JSON).
pub async fn manifest(
    services: &Services,
    ctx: &Ctx,
    dir: &Path,
    id: ExportId,
) -> Result<(ExportManifest, Vec<u8>), ServiceError> {
    ctx.require(services, Permission::Audit, "export.list")
        .await?;
    find(dir, id).await
}

/// An export file opened for download, with its size. The download is audited (`export.downloaded`):
/// the file holds application histories.
pub async fn open(
    services: &Services,
    ctx: &Ctx,
    dir: &Path,
    id: ExportId,
) -> Result<(ExportManifest, tokio::fs::File, u64), ServiceError> {
    ctx.require(services, Permission::Audit, "export.download")
        .await?;
    let (manifest, _) = find(dir, id).await?;
    let path = dir.join(id.file_name(manifest.format));
    let file = match tokio::fs::File::open(&path).await {
        Ok(file) => file,
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            return Err(ServiceError::NotFound("export"));
        }
        Err(error) => return Err(io_failed("open", &path, error)),
    };
    let size = file
        .metadata()
        .await
        .map_err(|e| io_failed("read", &path, e))?
        .len();
    let mut event = ctx.event(
        "export.downloaded",
        AuditSubject::new("export", id),
        json!({"export_id": id, "kind": manifest.kind, "format": manifest.format, "sha256": manifest.sha256}),
    );
    if let Some(tenant) = manifest.filters.tenant_id {
        event = event.for_tenant(tenant);
    }
    super::record(services, &event).await?;
    Ok((manifest, file, size))
}

/// What the export form offers to filter on.
#[derive(Debug, Clone)]
pub struct FormChoices {
    pub tenants: Vec<Choice>,
    pub levels: Vec<Choice>,
}

pub async fn form_choices(services: &Services, ctx: &Ctx) -> Result<FormChoices, ServiceError> {
    ctx.require(services, Permission::Audit, "export.list")
        .await?;
    let mut conn = services.store.conn().await?;
    Ok(FormChoices {
        tenants: store::exports::tenant_choices(&mut conn).await?,
        levels: store::exports::level_choices(&mut conn).await?,
    })
}
