//! Verifying the audit chain.

use serde_json::json;

use super::{Ctx, ServiceError, Services};
use crate::domain::audit::{
    ActionQuery, ActorQuery, AuditActor, AuditLogFilter, AuditSubject, ChainAnchor, ChainBreak,
    ChainHead, ChainVerifier, GENESIS_HASH, SubjectQuery, day_start,
};
use crate::domain::ids::TenantId;
use crate::domain::permission::Permission;
use crate::domain::tenant::Tenant;
use crate::domain::time::Timestamp;
use crate::domain::validate::Invalid;
use crate::domain::validate::date::IsoDate;
use crate::store::{self, StoreError};

/// Recomputes the chain. The outer error is a database problem; the inner one a broken chain.
pub async fn verify(
    services: &Services,
    anchor: Option<ChainAnchor>,
) -> Result<Result<ChainHead, ChainBreak>, ServiceError> {
    Ok(store::audit::verify(&services.store, anchor).await?)
}

/// Events verified per chunk by the back-office verification, unless the request asks otherwise.
pub const VERIFY_CHUNK: i64 = 20_000;
/// The most events one chunk may verify: bounds the time and memory of one request.
pub const MAX_VERIFY_CHUNK: i64 = 50_000;

/// What the auditor asked the log for, parsed at the edge; the actor may still be an e-mail.
#[derive(Debug, Clone, Default)]
pub struct LogQuery {
    pub actor: Option<ActorQuery>,
    pub action: Option<ActionQuery>,
    pub subject: Option<SubjectQuery>,
    pub tenant: Option<TenantId>,
    /// First and last day (inclusive, UTC).
    pub from: Option<IsoDate>,
    pub to: Option<IsoDate>,
    /// Keyset position: events older than this `seq`.
    pub before: Option<i64>,
}

/// One page of the audit log.
#[derive(Debug, Clone)]
pub struct LogView {
    pub rows: Vec<store::audit::LogRow>,
    pub has_more: bool,
    /// The actor was an e-mail no staff user has, so nothing matches.
    pub unknown_actor: bool,
}

fn day(date: IsoDate) -> Result<Timestamp, ServiceError> {
    day_start(date).ok_or_else(|| {
        ServiceError::Invalid(Invalid::new("invalid_date", "this date is out of range"))
    })
}

/// A page of the audit log, newest first (auditors only). A staff e-mail as actor is resolved to
/// `staff:<id>`; one statement reads the page with the actors' e-mails and the tenants' names.
pub async fn log(
    services: &Services,
    ctx: &Ctx,
    query: &LogQuery,
) -> Result<LogView, ServiceError> {
    ctx.require(services, Permission::Audit, "audit.list")
        .await?;
    let mut conn = services.store.conn().await?;
    let actor = match &query.actor {
        None => None,
        Some(ActorQuery::Encoded(actor)) => Some(actor.clone()),
        Some(ActorQuery::StaffEmail(email)) => {
            match store::staff::find_by_email(&mut conn, email).await {
                Ok(user) => Some(AuditActor::staff(user.id).encoded()),
                Err(StoreError::NotFound) => {
                    return Ok(LogView {
                        rows: Vec::new(),
                        has_more: false,
                        unknown_actor: true,
                    });
                }
                Err(error) => return Err(error.into()),
            }
        }
    };
    let filter = AuditLogFilter {
        actor,
        action: query.action.clone(),
        subject: query.subject.clone(),
        tenant: query.tenant,
        from: query.from.map(day).transpose()?,
        until: query
            .to
            .map(|to| day(to).map(|start| start.plus(chrono::Duration::days(1))))
            .transpose()?,
        before: query.before,
    };
    let (rows, has_more) = store::audit::log_page(&mut conn, &filter).await?;
    Ok(LogView {
        rows,
        has_more,
        unknown_actor: false,
    })
}

/// The tenants, by name, to filter the audit log by (auditors only).
pub async fn tenants(services: &Services, ctx: &Ctx) -> Result<Vec<Tenant>, ServiceError> {
    ctx.require(services, Permission::Audit, "audit.list")
        .await?;
    let mut conn = services.store.conn().await?;
    Ok(store::tenants::list(&mut conn).await?)
}

/// One event in full, with whether its hash recomputes and links to the previous event (auditors only).
#[derive(Debug, Clone)]
pub struct EventView {
    pub detail: store::audit::EventDetail,
    /// The stored hash is the hash of the stored fields.
    pub hash_recomputes: bool,
    /// `prev_hash` is the previous event's hash (the genesis hash for the first); `None` when the
    /// previous event is missing.
    pub links_to_previous: Option<bool>,
}

pub async fn event(services: &Services, ctx: &Ctx, seq: i64) -> Result<EventView, ServiceError> {
    ctx.require(services, Permission::Audit, "audit.read")
        .await?;
    let mut conn = services.store.conn().await?;
    let detail = match store::audit::event_detail(&mut conn, seq).await {
        Err(StoreError::NotFound) => return Err(ServiceError::NotFound("audit event")),
        other => other?,
    };
    let event = &detail.event;
    let links_to_previous = if event.seq == 1 {
        Some(event.prev_hash == GENESIS_HASH)
    } else {
        detail
            .previous_hash
            .as_ref()
            .map(|previous| *previous == event.prev_hash)
    };
    Ok(EventView {
        hash_recomputes: event.hash_recomputes(),
        links_to_previous,
        detail,
    })
}

/// Where a chunked verification stands after one more chunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyProgress {
    /// More events remain: the next chunk starts after `through`. `total` is the head's seq now.
    Running { through: ChainAnchor, total: i64 },
    /// The end, recorded as an `audit.verified` event.
    Finished(Result<ChainHead, ChainBreak>),
}

/// Verifies the next chunk of at most `chunk` events (clamped to `1..=MAX_VERIFY_CHUNK`) after
/// `after`, with the hashing and head comparison `kycdesk audit verify` uses (auditors only).
/// Nothing is kept between chunks: the caller carries `after`. The outcome is audited once, at the end.
pub async fn verify_chunk(
    services: &Services,
    ctx: &Ctx,
    after: ChainAnchor,
    chunk: i64,
) -> Result<VerifyProgress, ServiceError> {
    ctx.require(services, Permission::Audit, "audit.verify")
        .await?;
    let chunk = chunk.clamp(1, MAX_VERIFY_CHUNK);
    let outcome = match store::audit::verify_chunk(&services.store, &after, chunk).await? {
        Err(broken) => Err(broken),
        Ok(verified) if !verified.at_end => {
            return Ok(VerifyProgress::Running {
                total: verified.recorded_head.0.max(verified.through.seq),
                through: verified.through,
            });
        }
        Ok(verified) => {
            ChainVerifier::resume(verified.through).finish(Some(verified.recorded_head))
        }
    };
    let payload = match &outcome {
        Ok(head) => json!({"head_seq": head.seq, "head_hash": head.hash}),
        Err(broken) => json!({"broken_at": broken.seq, "reason": broken.reason}),
    };
    let event = ctx.event(
        "audit.verified",
        AuditSubject::new("audit", "chain"),
        payload,
    );
    super::record(services, &event).await?;
    Ok(VerifyProgress::Finished(outcome))
}
