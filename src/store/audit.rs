//! Appending to and reading the hash-chained audit trail.

use super::bulk::{AUDIT_EVENTS, Table, bind_event, insert_rows};
use super::db::{self, Query, Row, RowRef, query, query_as};
use futures_util::TryStreamExt;

use super::{Backend, Conn, Store, StoreError, WriteTx};
use crate::domain::audit::{
    ActionQuery, AuditEvent, AuditLogFilter, ChainAnchor, ChainBreak, ChainHead, ChainVerifier,
    HashedFields, LOG_PAGE_SIZE, NewAuditEvent,
};

/// Records an event to append when `tx` commits: the chain's head is the one row every writer
/// shares, so no transaction takes it while it changes anything else (see [`WriteTx`]'s lock order
/// and `WriteTx::commit`).
pub fn append(tx: &mut WriteTx, event: &NewAuditEvent) {
    tx.audit.push(AuditEvent {
        seq: 0,
        id: crate::domain::ids::AuditEventId::generate(),
        occurred_at: event.occurred_at.canonical(),
        actor: event.actor.encoded(),
        action: event.action.to_owned(),
        subject: event.subject.encoded(),
        tenant_id: event.tenant_id.clone(),
        request_id: event.request_id.clone(),
        client_ip: event.client_ip.clone(),
        payload: event.payload_text(),
        prev_hash: String::new(),
        hash: String::new(),
    });
}

/// Takes the chain's head: its row is locked until the transaction ends (PostgreSQL; SQLite holds
/// the write lock already), so appenders queue up: no gaps, no forks. Returns its seq and hash.
pub(super) async fn lock_head(conn: &mut Conn) -> Result<(i64, String), StoreError> {
    let row = query("UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash")
        .fetch_one(conn)
        .await?;
    Ok((row.try_get("seq")?, row.try_get("hash")?))
}

/// Chains `events` after `head` (taken with [`lock_head`] in this transaction) and writes them with
/// the new head. SQLite does this in the committing transaction itself (see [`WriteTx::commit`]);
/// PostgreSQL in a sequencing round over the events transactions left in `audit_pending` (see
/// `store::sequencer`).
pub(super) async fn chain(
    conn: &mut Conn,
    head: (i64, String),
    events: &mut [AuditEvent],
) -> Result<(), StoreError> {
    let (seq, mut prev_hash) = head;
    for (seq, event) in (seq + 1..).zip(events.iter_mut()) {
        event.seq = seq;
        event.prev_hash = std::mem::take(&mut prev_hash);
        event.hash = event.hashed_fields().hash();
        prev_hash.clone_from(&event.hash);
    }
    let backend = conn.backend();
    insert_rows(conn, backend, AUDIT_EVENTS, events, bind_event).await?;
    query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
        .bind(seq + events.len() as i64)
        .bind(&prev_hash)
        .execute(conn)
        .await?;
    Ok(())
}

/// What a PostgreSQL transaction leaves for the sequencer: its events, unnumbered.
const AUDIT_PENDING: &Table = &Table {
    name: "audit_pending",
    columns: &[
        ("event_id", false),
        ("occurred_at", false),
        ("actor", false),
        ("action", false),
        ("subject", false),
        ("tenant_id", false),
        ("request_id", false),
        ("client_ip", false),
        ("payload", false),
    ],
};

fn bind_pending<'q>(query: Query<'q>, e: &AuditEvent) -> Query<'q> {
    query
        .bind(e.id.to_string())
        .bind(e.occurred_at.clone())
        .bind(e.actor.clone())
        .bind(e.action.clone())
        .bind(e.subject.clone())
        .bind(e.tenant_id.clone())
        .bind(e.request_id.clone())
        .bind(e.client_ip.clone())
        .bind(e.payload.clone())
}

/// Writes a transaction's events to `audit_pending` (PostgreSQL): an insert that locks nothing
/// another transaction holds; they are chained after the commit.
pub(super) async fn leave_pending(
    conn: &mut Conn,
    events: &[AuditEvent],
) -> Result<(), StoreError> {
    insert_rows(conn, Backend::Postgres, AUDIT_PENDING, events, bind_pending).await
}

/// How many pending events one sequencing round chains at most.
pub(super) const ROUND: usize = 5000;

/// One sequencing round (PostgreSQL), in `conn`'s transaction: takes the head, moves up to
/// [`ROUND`] committed pending events into the chain in the order they were written, and returns
/// how many. The head is taken before the pending events are read, so a round sees every event
/// committed before it started, and two rounds (of two instances) never chain the same event.
pub(super) async fn sequence_round(conn: &mut Conn) -> Result<usize, StoreError> {
    let head = lock_head(conn).await?;
    // Read as unchained events: no seq or hashes yet.
    let rows = query(
        "WITH moved AS (
             DELETE FROM audit_pending
             WHERE id IN (SELECT id FROM audit_pending ORDER BY id LIMIT $1)
             RETURNING id AS pending_id, event_id AS id, occurred_at, actor, action, subject,
                       tenant_id, request_id, client_ip, payload)
         SELECT *, CAST(0 AS BIGINT) AS seq, '' AS prev_hash, '' AS hash FROM moved
         ORDER BY pending_id",
    )
    .bind(ROUND as i64)
    .fetch_all(&mut *conn)
    .await?;
    let mut events = rows
        .iter()
        .map(event_from_row)
        .collect::<Result<Vec<_>, StoreError>>()?;
    if !events.is_empty() {
        chain(conn, head, &mut events).await?;
    }
    Ok(events.len())
}

/// The head the database records (seq 0 before the first event).
pub async fn recorded_head(conn: &mut Conn) -> Result<(i64, String), StoreError> {
    let row = query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_one(conn)
        .await?;
    Ok((row.try_get("seq")?, row.try_get("hash")?))
}

/// How many events a chunked verification reads per round trip: bounded memory whatever the chunk.
const VERIFY_BATCH: i64 = 5000;

/// Every stored event in `seq` order, with what the chain hashes.
const CHAIN: &str = "SELECT seq, occurred_at, actor, action, subject, payload, prev_hash, hash
     FROM audit_events ORDER BY seq";

/// Recomputes the whole chain in `seq` order, streamed in one snapshot, and compares its end with the recorded head
/// and the optional anchor. `Ok(Err(..))` is a broken chain; `Err(..)` a database problem.
pub async fn verify(
    store: &Store,
    anchor: Option<ChainAnchor>,
) -> Result<Result<ChainHead, ChainBreak>, StoreError> {
    let mut tx = store.begin_snapshot().await?;
    let head = recorded_head(&mut tx).await?;
    let mut verifier = ChainVerifier::new(anchor);
    // The database reads the next rows on its side of the stream while this task hashes.
    let rows = db::stream::rows(tx.into_conn(), query(CHAIN), StoredLink::read);
    let mut rows = std::pin::pin!(rows);
    while let Some(link) = rows.try_next().await? {
        if let Err(broken) = verifier.push(link.fields(), &link.hash) {
            return Ok(Err(broken));
        }
    }
    Ok(verifier.finish(Some(head)))
}

/// An event of an application's history, with the actor shown by e-mail where it is staff.
#[derive(Debug, Clone)]
pub struct TimelineEntry {
    pub seq: i64,
    pub occurred_at: String,
    pub actor: String,
    pub actor_email: Option<String>,
    pub action: String,
    pub payload: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The audit events about an application and its documents and checks, oldest first.
pub async fn timeline(
    conn: &mut Conn,
    application: &str,
) -> Result<Vec<TimelineEntry>, StoreError> {
    let rows = query(
        "SELECT e.seq, e.occurred_at, e.actor, e.action, e.payload, e.prev_hash, e.hash, s.email
         FROM audit_events e LEFT JOIN staff_users s ON e.actor = 'staff:' || s.id
         WHERE e.subject = $1
            OR e.subject IN (SELECT 'document:' || id FROM documents WHERE application_id = $2)
            OR e.subject IN (SELECT 'check:' || id FROM checks WHERE application_id = $2)
         ORDER BY e.seq",
    )
    .bind(format!("application:{application}"))
    .bind(application)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(TimelineEntry {
                seq: row.try_get("seq")?,
                occurred_at: row.try_get("occurred_at")?,
                actor: row.try_get("actor")?,
                actor_email: row.try_get("email")?,
                action: row.try_get("action")?,
                payload: row.try_get("payload")?,
                prev_hash: row.try_get("prev_hash")?,
                hash: row.try_get("hash")?,
            })
        })
        .collect()
}

/// Who changed a subject last, and when (for "changed by X at T").
pub async fn last_change(
    conn: &mut Conn,
    subject: &str,
) -> Result<Option<(String, String)>, StoreError> {
    let row: Option<(String, String)> = query_as(
        "SELECT COALESCE(s.email, e.actor), e.occurred_at FROM audit_events e
         LEFT JOIN staff_users s ON e.actor = 'staff:' || s.id
         WHERE e.subject = $1 AND e.action NOT LIKE '%.viewed' AND e.action NOT LIKE '%revealed'
         ORDER BY e.seq DESC LIMIT 1",
    )
    .bind(subject)
    .fetch_optional(conn)
    .await?;
    Ok(row)
}

/// One row of the audit log, with the staff actor's e-mail and the tenant's name where there are.
#[derive(Debug, Clone)]
pub struct LogRow {
    pub seq: i64,
    pub occurred_at: String,
    pub actor: String,
    pub actor_email: Option<String>,
    pub action: String,
    pub subject: String,
    pub tenant_id: Option<String>,
    pub tenant_name: Option<String>,
}

/// A bound parameter of the audit log query.
enum LogParam {
    Text(String),
    Int(i64),
}

/// The audit log's WHERE clause and its parameters, numbered from `$1`.
fn log_conditions(filter: &AuditLogFilter) -> (String, Vec<LogParam>) {
    /// Adds a parameter and returns its number.
    fn push(params: &mut Vec<LogParam>, param: LogParam) -> usize {
        params.push(param);
        params.len()
    }
    let mut clauses: Vec<String> = Vec::new();
    let mut params: Vec<LogParam> = Vec::new();
    if let Some(actor) = &filter.actor {
        let n = push(&mut params, LogParam::Text(actor.clone()));
        clauses.push(format!("e.actor = ${n}"));
    }
    match &filter.action {
        None => {}
        Some(ActionQuery::Exact(action)) => {
            let n = push(&mut params, LogParam::Text(action.clone()));
            clauses.push(format!("e.action = ${n}"));
        }
        Some(ActionQuery::Prefix(prefix)) => {
            // SUBSTR compares bytes exactly on both backends (LIKE would treat `_` as a wildcard and
            // ignore case on SQLite). The length is our own number, not input.
            let len = prefix.len();
            let n = push(&mut params, LogParam::Text(prefix.clone()));
            clauses.push(format!("SUBSTR(e.action, 1, {len}) = ${n}"));
        }
    }
    if let Some(subject) = &filter.subject {
        let placeholders: Vec<String> = subject
            .subjects()
            .into_iter()
            .map(|s| format!("${}", push(&mut params, LogParam::Text(s))))
            .collect();
        clauses.push(format!("e.subject IN ({})", placeholders.join(", ")));
    }
    if let Some(tenant) = filter.tenant {
        let n = push(&mut params, LogParam::Text(tenant.to_string()));
        clauses.push(format!("e.tenant_id = ${n}"));
    }
    if let Some(from) = filter.from {
        let n = push(&mut params, LogParam::Text(from.canonical()));
        clauses.push(format!("e.occurred_at >= ${n}"));
    }
    if let Some(until) = filter.until {
        let n = push(&mut params, LogParam::Text(until.canonical()));
        clauses.push(format!("e.occurred_at < ${n}"));
    }
    if let Some(before) = filter.before {
        let n = push(&mut params, LogParam::Int(before));
        clauses.push(format!("e.seq < ${n}"));
    }
    let sql = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    (sql, params)
}

/// One page of the audit log, newest first, and whether an older page follows. Keyset on `seq`
/// (`seq < before`), never OFFSET; actors' e-mails and tenants' names come in the same statement.
pub async fn log_page(
    conn: &mut Conn,
    filter: &AuditLogFilter,
) -> Result<(Vec<LogRow>, bool), StoreError> {
    let (conditions, params) = log_conditions(filter);
    let sql = format!(
        "SELECT e.seq, e.occurred_at, e.actor, e.action, e.subject, e.tenant_id,
                s.email AS actor_email, t.name AS tenant_name
         FROM audit_events e
         LEFT JOIN staff_users s ON SUBSTR(e.actor, 1, 6) = 'staff:' AND s.id = SUBSTR(e.actor, 7)
         LEFT JOIN tenants t ON t.id = e.tenant_id
         {conditions}
         ORDER BY e.seq DESC
         LIMIT {}",
        LOG_PAGE_SIZE + 1
    );
    let mut query = query(&sql);
    for param in params {
        query = match param {
            LogParam::Text(text) => query.bind(text),
            LogParam::Int(n) => query.bind(n),
        };
    }
    let rows = query.fetch_all(conn).await?;
    let has_more = rows.len() as i64 > LOG_PAGE_SIZE;
    let rows = rows
        .iter()
        .take(LOG_PAGE_SIZE as usize)
        .map(|row| {
            Ok(LogRow {
                seq: row.try_get("seq")?,
                occurred_at: row.try_get("occurred_at")?,
                actor: row.try_get("actor")?,
                actor_email: row.try_get("actor_email")?,
                action: row.try_get("action")?,
                subject: row.try_get("subject")?,
                tenant_id: row.try_get("tenant_id")?,
                tenant_name: row.try_get("tenant_name")?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok((rows, has_more))
}

/// One stored event with what its detail page shows around it.
#[derive(Debug, Clone)]
pub struct EventDetail {
    pub event: AuditEvent,
    pub actor_email: Option<String>,
    pub tenant_name: Option<String>,
    /// The hash of event `seq - 1` (`None` when it is missing, or for the first event).
    pub previous_hash: Option<String>,
    /// Whether event `seq + 1` exists.
    pub has_next: bool,
}

/// An event from a row with the `audit_events` columns.
fn event_from_row(row: &Row) -> Result<AuditEvent, StoreError> {
    Ok(AuditEvent {
        seq: row.try_get("seq")?,
        id: super::rows::parsed(row, "id")?,
        occurred_at: row.try_get("occurred_at")?,
        actor: row.try_get("actor")?,
        action: row.try_get("action")?,
        subject: row.try_get("subject")?,
        tenant_id: row.try_get("tenant_id")?,
        request_id: row.try_get("request_id")?,
        client_ip: row.try_get("client_ip")?,
        payload: row.try_get("payload")?,
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
    })
}

/// The event with this `seq`, or `NotFound`.
pub async fn event_detail(conn: &mut Conn, seq: i64) -> Result<EventDetail, StoreError> {
    let row = query(
        "SELECT e.seq, e.id, e.occurred_at, e.actor, e.action, e.subject, e.tenant_id, e.request_id,
                e.client_ip, e.payload, e.prev_hash, e.hash,
                s.email AS actor_email, t.name AS tenant_name,
                p.hash AS previous_hash, n.seq AS next_seq
         FROM audit_events e
         LEFT JOIN staff_users s ON SUBSTR(e.actor, 1, 6) = 'staff:' AND s.id = SUBSTR(e.actor, 7)
         LEFT JOIN tenants t ON t.id = e.tenant_id
         LEFT JOIN audit_events p ON p.seq = e.seq - 1
         LEFT JOIN audit_events n ON n.seq = e.seq + 1
         WHERE e.seq = $1",
    )
    .bind(seq)
    .fetch_one(conn)
    .await?;
    let next_seq: Option<i64> = row.try_get("next_seq")?;
    Ok(EventDetail {
        event: event_from_row(&row)?,
        actor_email: row.try_get("actor_email")?,
        tenant_name: row.try_get("tenant_name")?,
        previous_hash: row.try_get("previous_hash")?,
        has_next: next_seq.is_some(),
    })
}

/// One chunk of a chain verification.
#[derive(Debug, Clone)]
pub struct VerifiedChunk {
    /// The last event verified (the starting point when this chunk held none).
    pub through: ChainAnchor,
    /// The head `audit_head` recorded, read in the same snapshot as the events.
    pub recorded_head: (i64, String),
    /// Whether the chunk reached the end of the stored events (fewer than asked for were left).
    pub at_end: bool,
}

/// Verifies up to `limit` events after `after` (the last event a previous chunk verified, or
/// [`ChainAnchor::genesis`]) with the same [`ChainVerifier`] as [`verify`], reading in batches of
/// `VERIFY_BATCH`. The head and the events are read in one snapshot, so an append meanwhile never
/// looks like a break; at the end, the caller compares with `recorded_head` (`ChainVerifier::finish`).
/// `Ok(Err(..))` is a broken chain; `Err(..)` a database problem.
pub async fn verify_chunk(
    store: &Store,
    after: &ChainAnchor,
    limit: i64,
) -> Result<Result<VerifiedChunk, ChainBreak>, StoreError> {
    let mut tx = store.begin_snapshot().await?;
    let head = recorded_head(&mut tx).await?;
    let mut verifier = ChainVerifier::resume(after.clone());
    let mut remaining = limit.max(1);
    let mut at_end = false;
    while remaining > 0 {
        let from = verifier.verified_through().seq;
        let rows = query(
            "SELECT seq, occurred_at, actor, action, subject, payload, prev_hash, hash
             FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(from)
        .bind(remaining.min(VERIFY_BATCH))
        .fetch_all(&mut tx)
        .await?;
        let read = rows.len() as i64;
        for row in rows {
            let link = StoredLink::read(RowRef::Row(&row))?;
            if let Err(broken) = verifier.push(link.fields(), &link.hash) {
                return Ok(Err(broken));
            }
        }
        if read < remaining.min(VERIFY_BATCH) {
            at_end = true;
            break;
        }
        remaining -= read;
    }
    tx.rollback().await?;
    Ok(Ok(VerifiedChunk {
        through: verifier.verified_through(),
        recorded_head: head,
        at_end,
    }))
}

/// A stored event's hashed fields and its stored hash, owned (read on the producer's side of a stream).
struct StoredLink {
    seq: i64,
    occurred_at: String,
    actor: String,
    action: String,
    subject: String,
    payload: String,
    prev_hash: String,
    hash: String,
}

impl StoredLink {
    fn read(row: RowRef<'_>) -> Result<StoredLink, StoreError> {
        Ok(StoredLink {
            seq: row.try_get("seq")?,
            occurred_at: row.try_get("occurred_at")?,
            actor: row.try_get("actor")?,
            action: row.try_get("action")?,
            subject: row.try_get("subject")?,
            payload: row.try_get("payload")?,
            prev_hash: row.try_get("prev_hash")?,
            hash: row.try_get("hash")?,
        })
    }

    /// The hashed part, as verification recomputes it.
    fn fields(&self) -> HashedFields<'_> {
        HashedFields {
            seq: self.seq,
            prev_hash: &self.prev_hash,
            occurred_at: &self.occurred_at,
            actor: &self.actor,
            action: &self.action,
            subject: &self.subject,
            payload: &self.payload,
        }
    }
}
