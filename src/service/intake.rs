//! Applications as tenants drive them through the API: create, read, list, fill the questionnaire,
//! send to review, force a status in the sandbox, read the history.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::{Ctx, FieldError, ServiceError, Services, TenantPrincipal, announce, retry};
use crate::domain::application::{Application, ApplicationKind, SdkReferences};
use crate::domain::audit::AuditSubject;
use crate::domain::challenge::Question;
use crate::domain::check::Check;
use crate::domain::completeness::{Upload, missing_requirements, not_redone};
use crate::domain::decision::{Decision, DecisionState, Outcome};
use crate::domain::document::{Document, in_force};
use crate::domain::ids::{ApplicantId, ApplicationId, LevelId};
use crate::domain::level::LevelVersion;
use crate::domain::requirement::SignatureChannel;
use crate::domain::status::{ApplicationStatus, TransitionActor, check_transition};
use crate::domain::time::Timestamp;
use crate::store::applications::ListFilter;
use crate::store::{self, Conn, StoreError};

pub struct NewApplication {
    pub applicant_id: ApplicantId,
    pub level_id: LevelId,
    pub kind: ApplicationKind,
    pub params: Value,
    pub webhook_url: Option<String>,
}

/// An application with what a tenant may see of it.
pub struct ApplicationView {
    pub application: Application,
    pub level: LevelVersion,
    pub documents: Vec<Document>,
    pub checks: Vec<Check>,
    /// The latest final decision (its message to the applicant; never the internal comment).
    pub decision: Option<Decision>,
    /// Required items not yet fulfilled for the current attempt.
    pub missing: Vec<String>,
    /// Challenge questions of the current attempt waiting for answers.
    pub questions: Vec<Question>,
}

/// The acting tenant's application; another tenant's is not found.
pub(crate) async fn load(
    conn: &mut Conn,
    ctx: &Ctx,
    id: ApplicationId,
) -> Result<Application, ServiceError> {
    let tenant = ctx.tenant_scope()?;
    match store::applications::get(conn, tenant.id, id).await {
        Err(StoreError::NotFound) => Err(ServiceError::NotFound("application")),
        other => Ok(other?),
    }
}

/// The acting tenant's application, if its content may still change (draft or remediate);
/// `what` names the change for the refusal ("answers can be changed").
pub(crate) async fn load_editable(
    conn: &mut Conn,
    ctx: &Ctx,
    id: ApplicationId,
    what: &str,
) -> Result<Application, ServiceError> {
    let application = load(conn, ctx, id).await?;
    if !matches!(
        application.status,
        ApplicationStatus::Draft | ApplicationStatus::Remediate
    ) {
        return Err(ServiceError::Conflict(format!(
            "{what} in draft or remediate only; the application is {}",
            application.status
        )));
    }
    Ok(application)
}

async fn view(conn: &mut Conn, application: Application) -> Result<ApplicationView, ServiceError> {
    let level =
        store::levels::get_version(conn, application.level_id, application.level_version).await?;
    let documents = store::documents::for_application(conn, application.id).await?;
    let checks = store::checks::for_application(conn, application.id).await?;
    let decision = store::decisions::for_application(conn, application.id)
        .await?
        .into_iter()
        .find(|d| d.state == DecisionState::Confirmed);
    let missing = missing_for(&level, &application, &documents);
    let questions = match store::challenges::get(conn, application.id, application.attempt).await? {
        Some(challenge)
            if challenge.answers.is_none()
                && application.status == ApplicationStatus::Submitted =>
        {
            challenge.questions
        }
        _ => Vec::new(),
    };
    Ok(ApplicationView {
        application,
        level,
        documents,
        checks,
        decision,
        missing,
        questions,
    })
}

/// What the reviewer's remediation asked to upload again and the new attempt does not have yet.
async fn not_redone_for(
    tx: &mut store::Tx,
    level: &LevelVersion,
    application: &Application,
    documents: &[Document],
) -> Result<Vec<String>, ServiceError> {
    let redo = store::decisions::for_application(tx, application.id)
        .await?
        .into_iter()
        .find(|d| d.outcome == Outcome::Remediate && d.state == DecisionState::Confirmed)
        .map(|d| d.remediation)
        .unwrap_or_default();
    let new_uploads: Vec<Upload<'_>> = documents
        .iter()
        .filter(|d| d.attempt == application.intake_attempt())
        .map(|d| Upload {
            requirement_key: d.requirement_key.as_deref(),
            doc_type: d.doc_type,
            side: d.side,
        })
        .collect();
    Ok(not_redone(level, &redo, &new_uploads))
}

fn missing_for(
    level: &LevelVersion,
    application: &Application,
    documents: &[Document],
) -> Vec<String> {
    let uploads: Vec<Upload<'_>> = in_force(documents, application.intake_attempt())
        .into_iter()
        .map(|d| Upload {
            requirement_key: d.requirement_key.as_deref(),
            doc_type: d.doc_type,
            side: d.side,
        })
        .collect();
    missing_requirements(level, &application.attributes, &uploads)
}

pub async fn create(
    services: &Services,
    ctx: &Ctx,
    new: NewApplication,
) -> Result<ApplicationView, ServiceError> {
    let tenant = ctx.tenant_scope()?;
    if let Some(url) = &new.webhook_url {
        super::webhooks::check_target(services, url)?;
    }
    retry::on_contention(services, "application.create", || {
        create_once(services, ctx, tenant, &new)
    })
    .await
}

async fn create_once(
    services: &Services,
    ctx: &Ctx,
    tenant: &TenantPrincipal,
    new: &NewApplication,
) -> Result<ApplicationView, ServiceError> {
    let now = Timestamp::now();
    let mut tx = services.store.begin_write().await?;
    let applicant = super::applicants::load(&mut tx, tenant.id, new.applicant_id).await?;
    let level = match store::levels::current_active(&mut tx, new.level_id).await {
        Err(StoreError::NotFound) => return Err(ServiceError::NotFound("level")),
        other => other?,
    };
    let expected_kind = ApplicationKind::for_applicant(level.applicant_type);
    if applicant.applicant_type != level.applicant_type || new.kind != expected_kind {
        return Err(ServiceError::Conflict(format!(
            "level {} is for {} applicants ({})",
            level.name, level.applicant_type, expected_kind
        )));
    }
    let existing = store::applications::for_applicant(&mut tx, applicant.id).await?;
    if existing.iter().any(|a| !a.status.is_final()) {
        return Err(ServiceError::Conflict(
            "the applicant already has an open application".into(),
        ));
    }
    let application = Application {
        id: ApplicationId::generate(),
        tenant_id: tenant.id,
        applicant_id: applicant.id,
        level_id: level.level_id,
        level_version: level.version,
        kind: new.kind,
        // Test traffic never reaches a real provider: sandbox tenants get the sandbox provider.
        provider: if tenant.sandbox {
            "sandbox".to_owned()
        } else {
            level.policy.provider.clone()
        },
        provider_reference: None,
        status: ApplicationStatus::Draft,
        attempt: 1,
        max_attempts: level.policy.max_attempts,
        attributes: Default::default(),
        params: new.params.clone(),
        client_verification: None,
        webhook_url: new.webhook_url.clone(),
        assignee_id: None,
        findings_summary: None,
        created_at: now,
        updated_at: now,
        status_changed_at: now,
        version: 1,
    };
    store::applications::insert(&mut tx, &application).await?;
    let payload = json!({"applicant_id": applicant.id, "level_id": level.level_id, "level_version": level.version, "status": "draft"});
    let event = ctx
        .event(
            "application.created",
            AuditSubject::new("application", application.id),
            payload,
        )
        .for_tenant(tenant.id);
    store::audit::append(&mut tx, &event);
    let message = json!({"id": application.id, "status": "draft", "applicant_id": applicant.id});
    store::outbox::enqueue(
        &mut tx,
        tenant.id,
        "kyc_application.created",
        &application.id.to_string(),
        &message,
        now,
    )
    .await?;
    let view = view(&mut tx, application).await?;
    tx.commit().await?;
    Ok(view)
}

pub async fn get(
    services: &Services,
    ctx: &Ctx,
    id: ApplicationId,
) -> Result<ApplicationView, ServiceError> {
    let mut conn = services.store.conn().await?;
    let application = load(&mut conn, ctx, id).await?;
    view(&mut conn, application).await
}

/// Largest page of the list endpoint.
pub const MAX_PER_PAGE: i64 = 100;

pub async fn list(
    services: &Services,
    ctx: &Ctx,
    filter: &ListFilter,
    page: i64,
    per_page: i64,
) -> Result<(Vec<Application>, i64), ServiceError> {
    let tenant = ctx.tenant_scope()?;
    let mut conn = services.store.conn().await?;
    Ok(store::applications::list(
        &mut conn,
        tenant.id,
        filter,
        page.max(1),
        per_page.clamp(1, MAX_PER_PAGE),
    )
    .await?)
}

/// Fills questionnaire answers. Every change is validated against the application's own level
/// version; if any is refused, none is written and every refusal is reported.
pub async fn update_attributes(
    services: &Services,
    ctx: &Ctx,
    id: ApplicationId,
    changes: Vec<(String, Value)>,
    sign_codes: &HashMap<SignatureChannel, String>,
) -> Result<ApplicationView, ServiceError> {
    retry::on_contention(services, "application.update_attributes", || {
        update_attributes_once(services, ctx, id, &changes, sign_codes)
    })
    .await
}

async fn update_attributes_once(
    services: &Services,
    ctx: &Ctx,
    id: ApplicationId,
    changes: &[(String, Value)],
    sign_codes: &HashMap<SignatureChannel, String>,
) -> Result<ApplicationView, ServiceError> {
    let mut tx = services.store.begin_write().await?;
    let mut application = load_editable(&mut tx, ctx, id, "answers can be changed").await?;
    let level =
        store::levels::get_version(&mut tx, application.level_id, application.level_version)
            .await?;
    let mut errors = Vec::new();
    let mut accepted = Vec::new();
    for (key, value) in changes {
        match level.requirement(key) {
            None => errors.push(FieldError {
                field: key.clone(),
                code: "unknown_requirement",
                message: "this level has no such requirement".into(),
            }),
            Some(requirement) => match requirement.accept(value) {
                Ok(normalized) => accepted.push((key.clone(), normalized)),
                Err(invalid) => errors.push(FieldError {
                    field: key.clone(),
                    code: invalid.code,
                    message: invalid.message,
                }),
            },
        }
    }
    if !errors.is_empty() {
        return Err(ServiceError::InvalidFields(errors));
    }
    let keys: Vec<String> = accepted.iter().map(|(k, _)| k.clone()).collect();
    let channels = super::signatures::channels_needed(&level, &keys);
    let mut tx = if channels.is_empty() {
        tx
    } else {
        super::signatures::confirm(tx, ctx, &application, &channels, sign_codes).await?
    };
    application.attributes.extend(accepted);
    application.updated_at = Timestamp::now();
    store::applications::update(&mut tx, &mut application).await?;
    let event = ctx
        .event(
            "application.attributes_updated",
            AuditSubject::new("application", id),
            json!({"keys": keys}),
        )
        .for_tenant(application.tenant_id);
    store::audit::append(&mut tx, &event);
    let view = view(&mut tx, application).await?;
    tx.commit().await?;
    Ok(view)
}

/// Sends a complete application to review (from draft, or back after remediation as a new attempt).
pub async fn send_to_review(
    services: &Services,
    ctx: &Ctx,
    id: ApplicationId,
) -> Result<ApplicationView, ServiceError> {
    retry::on_contention(services, "application.send_to_review", || async {
        let mut tx = services.store.begin_write().await?;
        let mut application = load(&mut tx, ctx, id).await?;
        send_in(&mut tx, ctx, &mut application).await?;
        let view = view(&mut tx, application).await?;
        tx.commit().await?;
        Ok(view)
    })
    .await
}

/// Sends the application to review within the caller's transaction.
async fn send_in(
    tx: &mut store::Tx,
    ctx: &Ctx,
    application: &mut Application,
) -> Result<(), ServiceError> {
    let level =
        store::levels::get_version(tx, application.level_id, application.level_version).await?;
    let documents = store::documents::for_application(tx, application.id).await?;
    let mut missing = missing_for(&level, application, &documents);
    if application.status == ApplicationStatus::Remediate {
        missing.extend(not_redone_for(tx, &level, application, &documents).await?);
    }
    if !missing.is_empty() {
        return Err(ServiceError::Incomplete(missing));
    }
    let from = application.status;
    application.transition(
        ApplicationStatus::Pending,
        TransitionActor::Tenant,
        Timestamp::now(),
    )?;
    store::applications::update(tx, application).await?;
    announce::status_changed(tx, ctx, application, from, json!({})).await?;
    super::pipeline::enqueue_submission(tx, application.id, application.updated_at).await?;
    Ok(())
}

/// Sandbox tenants may move an application along any edge of the status machine (seeds 001, 003).
pub async fn force_status(
    services: &Services,
    ctx: &Ctx,
    id: ApplicationId,
    to: ApplicationStatus,
) -> Result<ApplicationView, ServiceError> {
    let tenant = ctx.tenant_scope()?;
    if !tenant.sandbox {
        return Err(ServiceError::NotAllowed(
            "only sandbox tenants may set a status directly".into(),
        ));
    }
    let mut tx = services.store.begin_write().await?;
    let mut application = load(&mut tx, ctx, id).await?;
    check_transition(application.status, to, TransitionActor::SandboxTenant)?;
    let from = application.status;
    application.transition(to, TransitionActor::SandboxTenant, Timestamp::now())?;
    store::applications::update(&mut tx, &mut application).await?;
    announce::status_changed(&mut tx, ctx, &application, from, json!({})).await?;
    let view = view(&mut tx, application).await?;
    tx.commit().await?;
    Ok(view)
}

/// A history entry as the tenant sees it.
pub struct Event {
    pub seq: i64,
    pub occurred_at: String,
    pub action: String,
    pub payload: Value,
}

/// What tenants may see of the history: their own actions and status changes and decisions,
/// not staff reads, notes or assignments.
const TENANT_VISIBLE: [&str; 8] = [
    "application.created",
    "application.attributes_updated",
    "application.status_changed",
    "application.decided",
    "document.uploaded",
    "check.completed",
    "challenge.issued",
    "challenge.answered",
];

pub async fn events(
    services: &Services,
    ctx: &Ctx,
    id: ApplicationId,
) -> Result<Vec<Event>, ServiceError> {
    let mut conn = services.store.conn().await?;
    load(&mut conn, ctx, id).await?;
    let entries = store::audit::timeline(&mut conn, &id.to_string()).await?;
    Ok(entries
        .into_iter()
        .filter(|e| TENANT_VISIBLE.contains(&e.action.as_str()))
        .map(|e| Event {
            seq: e.seq,
            payload: serde_json::from_str(&e.payload).unwrap_or(Value::Null),
            occurred_at: e.occurred_at,
            action: e.action,
        })
        .collect())
}

/// Records a verification the tenant asserts itself (seed 000 `client_verification`, seed 004 tier,
/// address and BVN). It is shown to reviewers beside the provider's findings; it decides nothing.
pub async fn client_verification(
    services: &Services,
    ctx: &Ctx,
    id: ApplicationId,
    assertion: Value,
) -> Result<ApplicationView, ServiceError> {
    let mut tx = services.store.begin_write().await?;
    let mut application = load(&mut tx, ctx, id).await?;
    if application.status.is_final() {
        return Err(ServiceError::Conflict(format!(
            "the application is {}; nothing can be added",
            application.status
        )));
    }
    application.client_verification = Some(assertion.clone());
    application.updated_at = Timestamp::now();
    store::applications::update(&mut tx, &mut application).await?;
    let event = ctx
        .event(
            "application.client_verification_recorded",
            AuditSubject::new("application", id),
            assertion,
        )
        .for_tenant(application.tenant_id);
    store::audit::append(&mut tx, &event);
    let view = view(&mut tx, application).await?;
    tx.commit().await?;
    Ok(view)
}

/// What a tenant asserts about an applicant's KYC record (seed 004): the tier it verified, whether
/// the address was verified, and the BVN.
pub struct KycUpdate {
    pub tier: i64,
    pub address_verified: bool,
    pub bvn: crate::domain::validate::government_id::GovernmentId,
}

/// The applicant's KYC record after an update: the applicant and its latest application.
pub struct KycRecord {
    pub applicant: crate::domain::applicant::Applicant,
    pub latest: Application,
    pub level_tier: i64,
}

/// Records a seed 004 update as a client verification on the applicant's latest application, which
/// must still be open: it is evidence for reviewers, not a decision.
pub async fn update_kyc(
    services: &Services,
    ctx: &Ctx,
    applicant: ApplicantId,
    update: KycUpdate,
) -> Result<KycRecord, ServiceError> {
    let tenant = ctx.tenant_scope()?;
    let mut conn = services.store.conn().await?;
    let found = super::applicants::load(&mut conn, tenant.id, applicant).await?;
    let latest = store::applications::for_applicant(&mut conn, applicant)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| ServiceError::Conflict("the applicant has no KYC application yet".into()))?;
    drop(conn);
    let assertion = json!({
        "source": "kyc_update", "tier": update.tier, "address_verified": update.address_verified,
        "bvn": update.bvn.masked(),
    });
    let view = client_verification(services, ctx, latest.id, assertion).await?;
    Ok(KycRecord {
        applicant: found,
        level_tier: view.level.tier,
        latest: view.application,
    })
}

/// The person's application on `level` (seed 000 `program_guid`): the open one is reused, and a new
/// one is opened when none is. A person works on one level at a time, so an open application on
/// another level is a conflict.
pub async fn open_on_level(
    services: &Services,
    ctx: &Ctx,
    applicant: ApplicantId,
    level: LevelId,
) -> Result<ApplicationView, ServiceError> {
    let tenant = ctx.tenant_scope()?;
    let mut conn = services.store.conn().await?;
    let person = super::applicants::load(&mut conn, tenant.id, applicant).await?;
    let open = store::applications::for_applicant(&mut conn, applicant)
        .await?
        .into_iter()
        .find(|a| !a.status.is_final());
    match open {
        Some(application) if application.level_id == level => view(&mut conn, application).await,
        Some(_) => Err(ServiceError::Conflict(
            "the applicant has an open application on another level".into(),
        )),
        None => {
            drop(conn);
            let kind = ApplicationKind::for_applicant(person.applicant_type);
            let new = NewApplication {
                applicant_id: applicant,
                level_id: level,
                kind,
                params: Value::Object(Default::default()),
                webhook_url: None,
            };
            create(services, ctx, new).await
        }
    }
}

/// The person's latest application, if they have one (seed 000 calls that name no level).
pub async fn latest_for_applicant(
    services: &Services,
    ctx: &Ctx,
    applicant: ApplicantId,
) -> Result<Option<ApplicationView>, ServiceError> {
    let tenant = ctx.tenant_scope()?;
    let mut conn = services.store.conn().await?;
    super::applicants::load(&mut conn, tenant.id, applicant).await?;
    let latest = store::applications::for_applicant(&mut conn, applicant)
        .await?
        .into_iter()
        .next();
    match latest {
        Some(application) => Ok(Some(view(&mut conn, application).await?)),
        None => Ok(None),
    }
}

/// Government ids given without naming a requirement (seed 000 `identifications`): each fills a
/// government-id requirement of the level that accepts its type, the first one not yet filled by
/// this call. A type the level takes nowhere is refused; nothing is written then.
pub async fn record_government_ids(
    services: &Services,
    ctx: &Ctx,
    id: ApplicationId,
    ids: &[crate::domain::validate::government_id::GovernmentId],
) -> Result<ApplicationView, ServiceError> {
    use crate::domain::requirement::RequirementKind;
    let mut conn = services.store.conn().await?;
    let application = load(&mut conn, ctx, id).await?;
    let level =
        store::levels::get_version(&mut conn, application.level_id, application.level_version)
            .await?;
    drop(conn);
    let mut changes: Vec<(String, Value)> = Vec::with_capacity(ids.len());
    for gov_id in ids {
        let requirement = level.requirements.iter().find(|r| {
            matches!(&r.kind, RequirementKind::GovernmentId { id_types } if id_types.contains(&gov_id.id_type()))
                && !changes.iter().any(|(key, _)| *key == r.key)
        });
        let Some(requirement) = requirement else {
            return Err(ServiceError::InvalidFields(vec![FieldError {
                field: "govt_id_type".into(),
                code: "unknown_requirement",
                message: format!("this level takes no (further) {}", gov_id.id_type().label()),
            }]));
        };
        changes.push((
            requirement.key.clone(),
            json!({"type": gov_id.id_type().as_str(), "number": gov_id.number()}),
        ));
    }
    update_attributes(services, ctx, id, changes, &HashMap::new()).await
}

/// Longest note a tenant may leave on an application.
const MAX_TENANT_NOTE_CHARS: usize = 4000;

/// A note the tenant leaves on an application (seed 000 `notes`). Reviewers' notes need a staff
/// author, so a tenant's note is kept in the application's audit trail, which the case page shows.
pub async fn record_tenant_note(
    services: &Services,
    ctx: &Ctx,
    id: ApplicationId,
    note: &str,
) -> Result<(), ServiceError> {
    let note = note.trim();
    if note.is_empty() || note.chars().count() > MAX_TENANT_NOTE_CHARS {
        return Err(ServiceError::InvalidFields(vec![FieldError {
            field: "notes".into(),
            code: "invalid_note",
            message: format!("a note must be 1 to {MAX_TENANT_NOTE_CHARS} characters"),
        }]));
    }
    let mut tx = services.store.begin_write().await?;
    let application = load(&mut tx, ctx, id).await?;
    let event = ctx
        .event(
            "application.tenant_note_added",
            AuditSubject::new("application", id),
            json!({"note": note}),
        )
        .for_tenant(application.tenant_id);
    store::audit::append(&mut tx, &event);
    tx.commit().await?;
    Ok(())
}

/// Sends the application to review unless it is already on its way or decided (seed 000
/// `perform_kyc`, which a client may repeat): only a draft or a remediation is sent.
pub async fn ensure_sent_to_review(
    services: &Services,
    ctx: &Ctx,
    id: ApplicationId,
) -> Result<ApplicationView, ServiceError> {
    let current = get(services, ctx, id).await?;
    match current.application.status {
        ApplicationStatus::Draft | ApplicationStatus::Remediate => {
            send_to_review(services, ctx, id).await
        }
        _ => Ok(current),
    }
}

/// Records what a mobile SDK handed back after its own capture (seed 002 `registerUser`) on the
/// applicant's application, and sends that application to verification. It is the open application;
/// without one, a new one is made on `level`, or else on the first level open to the applicant of
/// their type (`level_info`: the lowest-tier entry level, or the next one after an acceptance).
/// The same references again change nothing; other references on an attempt already under
/// verification are a conflict.
pub async fn register_sdk_result(
    services: &Services,
    ctx: &Ctx,
    applicant: ApplicantId,
    references: SdkReferences,
    level: Option<LevelId>,
) -> Result<ApplicationView, ServiceError> {
    let tenant = ctx.tenant_scope()?;
    let mut conn = services.store.conn().await?;
    let found = super::applicants::load(&mut conn, tenant.id, applicant).await?;
    let applications = store::applications::for_applicant(&mut conn, applicant).await?;
    if let Some(latest) = applications.first() {
        let recorded =
            store::applications::sdk_references(&mut conn, latest.id, latest.attempt).await?;
        if recorded.as_ref() == Some(&references) {
            return view(&mut conn, latest.clone()).await;
        }
    }
    drop(conn);
    let id = match applications.iter().find(|a| !a.status.is_final()) {
        Some(open) if level.is_some_and(|l| l != open.level_id) => {
            return Err(ServiceError::Conflict(
                "the applicant already has an open application on another level".into(),
            ));
        }
        Some(open) => open.id,
        None => {
            let level_id = match level {
                Some(level) => level,
                None => first_open_level(services, ctx, &found).await?,
            };
            let new = NewApplication {
                applicant_id: applicant,
                level_id,
                kind: ApplicationKind::for_applicant(found.applicant_type),
                params: json!({}),
                webhook_url: None,
            };
            create(services, ctx, new).await?.application.id
        }
    };
    let mut tx = services.store.begin_write().await?;
    let mut application = load(&mut tx, ctx, id).await?;
    if matches!(
        application.status,
        ApplicationStatus::Draft | ApplicationStatus::Remediate
    ) {
        send_in(&mut tx, ctx, &mut application).await?;
    }
    match store::applications::sdk_references(&mut tx, id, application.attempt).await? {
        Some(recorded) if recorded == references => return view(&mut tx, application).await,
        Some(_) => {
            return Err(ServiceError::Conflict(
                "the application is already under verification with other SDK references".into(),
            ));
        }
        None => {}
    }
    let now = Timestamp::now();
    store::applications::insert_sdk_references(&mut tx, id, application.attempt, &references, now)
        .await?;
    let event = ctx
        .event(
            "application.sdk_references_recorded",
            AuditSubject::new("application", id),
            json!({"account_id": references.account_id.as_str(), "workflow_id": references.workflow_id.as_str(), "attempt": application.attempt}),
        )
        .for_tenant(tenant.id);
    store::audit::append(&mut tx, &event);
    let view = view(&mut tx, application).await?;
    tx.commit().await?;
    Ok(view)
}

/// The first level an applicant without an open application may apply for, of their type.
async fn first_open_level(
    services: &Services,
    ctx: &Ctx,
    applicant: &crate::domain::applicant::Applicant,
) -> Result<LevelId, ServiceError> {
    let (info, levels) = super::applicants::level_info(services, ctx, applicant.id).await?;
    info.available_levels_for_upgrade
        .into_iter()
        .find(|id| {
            levels
                .iter()
                .any(|l| l.level_id == *id && l.applicant_type == applicant.applicant_type)
        })
        .ok_or_else(|| {
            ServiceError::Conflict(
                "no level is open to this applicant; name one with levelId".into(),
            )
        })
}
