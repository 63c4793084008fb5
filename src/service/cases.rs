//! A case as a reviewer works it: opening it (audited), revealing protected data (audited), notes and
//! assignment. Decisions are in `decisions`.

use serde_json::json;

use super::{Ctx, ServiceError, Services};
use crate::domain::applicant::Applicant;
use crate::domain::application::Application;
use crate::domain::audit::AuditSubject;
use crate::domain::check::Check;
use crate::domain::decision::Decision;
use crate::domain::document::Document;
use crate::domain::ids::{ApplicationId, CheckId, DocumentId, NoteId, StaffUserId};
use crate::domain::level::LevelVersion;
use crate::domain::permission::Permission;
use crate::domain::requirement::RequirementKind;
use crate::domain::staff::Role;
use crate::domain::time::Timestamp;
use crate::domain::validate::Invalid;
use crate::domain::validate::government_id::GovernmentIdType;
use crate::store::audit::TimelineEntry;
use crate::store::decisions::NoteView;
use crate::store::{self, Conn, StoreError};

/// Everything the application page shows.
pub struct CaseFile {
    pub application: Application,
    pub applicant: Applicant,
    pub tenant_name: String,
    pub level: LevelVersion,
    pub documents: Vec<Document>,
    pub checks: Vec<Check>,
    pub decisions: Vec<Decision>,
    pub notes: Vec<NoteView>,
    pub timeline: Vec<TimelineEntry>,
    pub assignee_email: Option<String>,
}

fn not_found(error: StoreError, what: &'static str) -> ServiceError {
    match error {
        StoreError::NotFound => ServiceError::NotFound(what),
        other => other.into(),
    }
}

/// Records a read of protected data in its own transaction.
async fn audit_read(
    services: &Services,
    ctx: &Ctx,
    action: &'static str,
    subject: AuditSubject,
    tenant: String,
    payload: serde_json::Value,
) -> Result<(), ServiceError> {
    super::record(
        services,
        &ctx.event(action, subject, payload).for_tenant(tenant),
    )
    .await
}

async fn load_application(conn: &mut Conn, id: ApplicationId) -> Result<Application, ServiceError> {
    store::applications::get_any(conn, id)
        .await
        .map_err(|e| not_found(e, "application"))
}

/// Loads a whole case; the view itself is audited (every staff read of an applicant record is:
/// docs/ARCHITECTURE.md, Audit chain).
pub async fn open(
    services: &Services,
    ctx: &Ctx,
    id: ApplicationId,
) -> Result<CaseFile, ServiceError> {
    load(services, ctx, id, true).await
}

/// The case as it is now, without recording a view (used to re-render parts after an action).
pub async fn reload(
    services: &Services,
    ctx: &Ctx,
    id: ApplicationId,
) -> Result<CaseFile, ServiceError> {
    load(services, ctx, id, false).await
}

async fn load(
    services: &Services,
    ctx: &Ctx,
    id: ApplicationId,
    record_view: bool,
) -> Result<CaseFile, ServiceError> {
    ctx.require(services, Permission::ViewCases, "application.view")
        .await?;
    let application = load_application(&mut services.store.conn().await?, id).await?;
    if record_view {
        let subject = AuditSubject::new("application", id);
        audit_read(
            services,
            ctx,
            "application.viewed",
            subject,
            application.tenant_id.to_string(),
            json!({}),
        )
        .await?;
    }
    load_case(services, application).await
}

pub(crate) async fn load_case(
    services: &Services,
    application: Application,
) -> Result<CaseFile, ServiceError> {
    let mut conn = services.store.conn().await?;
    let id = application.id;
    let applicant = store::applicants::get(&mut conn, application.applicant_id).await?;
    let tenant_name = store::tenants::name(&mut conn, application.tenant_id).await?;
    let level =
        store::levels::get_version(&mut conn, application.level_id, application.level_version)
            .await?;
    let documents = store::documents::for_application(&mut conn, id).await?;
    let checks = store::checks::for_application(&mut conn, id).await?;
    let decisions = store::decisions::for_application(&mut conn, id).await?;
    let notes = store::decisions::notes(&mut conn, id).await?;
    let timeline = store::audit::timeline(&mut conn, &id.to_string()).await?;
    let assignee_email = match application.assignee_id {
        Some(staff) => Some(
            store::staff::get(&mut conn, staff)
                .await?
                .email
                .as_str()
                .to_owned(),
        ),
        None => None,
    };
    Ok(CaseFile {
        application,
        applicant,
        tenant_name,
        level,
        documents,
        checks,
        decisions,
        notes,
        timeline,
        assignee_email,
    })
}

/// The applicant's government id numbers in clear; audited.
pub async fn reveal_government_ids(
    services: &Services,
    ctx: &Ctx,
    id: ApplicationId,
) -> Result<Vec<(String, String)>, ServiceError> {
    ctx.require(
        services,
        Permission::ViewCases,
        "applicant.government_id_reveal",
    )
    .await?;
    let mut conn = services.store.conn().await?;
    let application = load_application(&mut conn, id).await?;
    let applicant = store::applicants::get(&mut conn, application.applicant_id).await?;
    let level =
        store::levels::get_version(&mut conn, application.level_id, application.level_version)
            .await?;
    drop(conn);
    let mut ids: Vec<(String, String)> = applicant
        .government_ids
        .iter()
        .map(|g| (g.id_type().label().to_owned(), g.number().to_owned()))
        .collect();
    let answered = level
        .requirements
        .iter()
        .filter(|r| matches!(r.kind, RequirementKind::GovernmentId { .. }))
        .filter_map(|r| application.attributes.get(&r.key));
    for answer in answered {
        let kind = answer["type"]
            .as_str()
            .and_then(|t| GovernmentIdType::parse(t).ok());
        let label = kind.map_or("Government ID", |k| k.label()).to_owned();
        ids.push((
            label,
            answer["number"].as_str().unwrap_or_default().to_owned(),
        ));
    }
    let subject = AuditSubject::new("applicant", applicant.id);
    audit_read(
        services,
        ctx,
        "applicant.government_id_revealed",
        subject,
        application.tenant_id.to_string(),
        json!({"application_id": id}),
    )
    .await?;
    Ok(ids)
}

/// A check's raw provider payload, pretty-printed; audited.
pub async fn raw_payload(
    services: &Services,
    ctx: &Ctx,
    id: ApplicationId,
    check: CheckId,
) -> Result<String, ServiceError> {
    ctx.require(services, Permission::ViewCases, "check.raw_payload_view")
        .await?;
    let mut conn = services.store.conn().await?;
    let application = load_application(&mut conn, id).await?;
    let (provider, raw) = store::checks::raw_payload(&mut conn, id, check)
        .await
        .map_err(|e| not_found(e, "check"))?;
    drop(conn);
    audit_read(
        services,
        ctx,
        "check.raw_payload_viewed",
        AuditSubject::new("check", check),
        application.tenant_id.to_string(),
        json!({"provider": provider}),
    )
    .await?;
    let pretty = serde_json::from_str::<serde_json::Value>(&raw)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok());
    Ok(pretty.unwrap_or(raw))
}

/// A document's original bytes; every opening is audited.
pub async fn document(
    services: &Services,
    ctx: &Ctx,
    id: DocumentId,
) -> Result<(Document, Vec<u8>), ServiceError> {
    ctx.require(services, Permission::ViewCases, "document.view")
        .await?;
    let mut conn = services.store.conn().await?;
    let doc = store::documents::get(&mut conn, id)
        .await
        .map_err(|e| not_found(e, "document"))?;
    drop(conn);
    let bytes = services
        .blobs
        .get(&doc.blob_hash)
        .await
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    let payload =
        json!({"application_id": doc.application_id, "document_type": doc.doc_type.as_str()});
    audit_read(
        services,
        ctx,
        "document.viewed",
        AuditSubject::new("document", id),
        doc.tenant_id.to_string(),
        payload,
    )
    .await?;
    Ok((doc, bytes))
}

/// A document's thumbnail (part of the audited case view, not audited on its own).
pub async fn thumbnail(
    services: &Services,
    ctx: &Ctx,
    id: DocumentId,
) -> Result<Option<Vec<u8>>, ServiceError> {
    ctx.require(services, Permission::ViewCases, "document.thumbnail")
        .await?;
    let mut conn = services.store.conn().await?;
    let doc = store::documents::get(&mut conn, id)
        .await
        .map_err(|e| not_found(e, "document"))?;
    drop(conn);
    match doc.thumbnail_hash {
        Some(hash) => Ok(Some(
            services
                .blobs
                .get(&hash)
                .await
                .map_err(|e| ServiceError::Internal(e.to_string()))?,
        )),
        None => Ok(None),
    }
}

const MAX_NOTE_CHARS: usize = 4000;

pub async fn add_note(
    services: &Services,
    ctx: &Ctx,
    id: ApplicationId,
    body: &str,
) -> Result<(), ServiceError> {
    ctx.require(services, Permission::WorkCases, "application.note")
        .await?;
    let body = body.trim();
    if body.is_empty() || body.chars().count() > MAX_NOTE_CHARS {
        return Err(ServiceError::Invalid(Invalid {
            code: "invalid_note",
            message: format!("a note must be 1 to {MAX_NOTE_CHARS} characters"),
        }));
    }
    let author = ctx.staff_id()?;
    let mut tx = services.store.begin_write().await?;
    let application = load_application(&mut tx, id).await?;
    store::decisions::insert_note(
        &mut tx,
        NoteId::generate(),
        id,
        author,
        body,
        Timestamp::now(),
    )
    .await?;
    let event = ctx
        .event(
            "application.note_added",
            AuditSubject::new("application", id),
            json!({"note": body}),
        )
        .for_tenant(application.tenant_id);
    store::audit::append(&mut tx, &event);
    tx.commit().await?;
    Ok(())
}

/// Who takes the case: claim it, give it up, or hand it to another reviewer.
pub enum Assignment {
    Claim,
    Release,
    To(StaffUserId),
}

pub async fn assign(
    services: &Services,
    ctx: &Ctx,
    id: ApplicationId,
    change: Assignment,
) -> Result<(), ServiceError> {
    ctx.require(services, Permission::WorkCases, "application.assign")
        .await?;
    let me = ctx.staff_id()?;
    let mut tx = services.store.begin_write().await?;
    let application = load_application(&mut tx, id).await?;
    let current = application.assignee_id;
    let (target, action) = match change {
        Assignment::Claim => (Some(me), "application.claimed"),
        Assignment::Release => (None, "application.released"),
        Assignment::To(other) => {
            let reviewer = store::staff::get(&mut tx, other)
                .await
                .map_err(|e| not_found(e, "reviewer"))?;
            if !reviewer.active || !reviewer.roles.contains(Role::Reviewer) {
                return Err(ServiceError::Invalid(Invalid {
                    code: "not_a_reviewer",
                    message: "cases can only be assigned to active reviewers".into(),
                }));
            }
            (Some(other), "application.assigned")
        }
    };
    match change {
        Assignment::Claim if current.is_some_and(|c| c != me) => {
            return Err(ServiceError::Conflict(
                "another reviewer has already claimed this case".into(),
            ));
        }
        Assignment::Release if current != Some(me) => {
            return Err(ServiceError::Conflict(
                "only the reviewer it is assigned to can release a case".into(),
            ));
        }
        _ => {}
    }
    if !store::applications::set_assignee(&mut tx, id, current, target).await? {
        return Err(ServiceError::Conflict(
            "the assignment changed in the meantime; reload and try again".into(),
        ));
    }
    let event = ctx
        .event(
            action,
            AuditSubject::new("application", id),
            json!({"from": current, "to": target}),
        )
        .for_tenant(application.tenant_id);
    store::audit::append(&mut tx, &event);
    tx.commit().await?;
    Ok(())
}

/// Claims the longest-waiting unassigned case in review. Concurrent callers never get the same case.
pub async fn next_case(
    services: &Services,
    ctx: &Ctx,
) -> Result<Option<ApplicationId>, ServiceError> {
    ctx.require(services, Permission::WorkCases, "application.claim_next")
        .await?;
    let me = ctx.staff_id()?;
    let mut tx = services.store.begin_write().await?;
    let Some(id) = store::applications::claim_next(&mut tx, services.store.backend(), me).await?
    else {
        return Ok(None);
    };
    let application = load_application(&mut tx, id).await?;
    let event = ctx
        .event(
            "application.claimed",
            AuditSubject::new("application", id),
            json!({"from": null, "to": me, "next_case": true}),
        )
        .for_tenant(application.tenant_id);
    store::audit::append(&mut tx, &event);
    tx.commit().await?;
    Ok(Some(id))
}
