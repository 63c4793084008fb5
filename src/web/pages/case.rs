//! The application page: header, answers, documents, provider diagnostics, decision, notes, timeline.
//! Actions answer htmx with the partial they change plus out-of-band updates of the header, timeline
//! and status counts, so nothing reloads; without htmx they redirect back to the page.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Response};
use axum_htmx::HxRequest;
use serde::Deserialize;

use crate::app::AppState;
use crate::domain::check::Check;
use crate::domain::decision::{DecisionState, Outcome, Reason};
use crate::domain::document::{Document, in_force};
use crate::domain::ids::{ApplicationId, CheckId, DecisionId};
use crate::domain::permission::Permission;
use crate::domain::queue::QueueFilter;
use crate::domain::requirement::RequirementKind;
use crate::domain::status::ApplicationStatus;
use crate::domain::time::Timestamp;
use crate::service::cases::{Assignment, CaseFile};
use crate::service::decisions::{DecisionRequest, Review};
use crate::service::{self, ServiceError};
use crate::web::auth::{Staff, redirect_to};
use crate::web::error::WebError;
use crate::web::format;
use crate::web::layout::Layout;

fn application_id(raw: &str) -> Result<ApplicationId, WebError> {
    raw.parse().map_err(|_| WebError::NotFound)
}

/// The status badge, attempt and assignment controls.
#[derive(Template)]
#[template(path = "case/_header.html")]
pub struct CaseHeader {
    id: String,
    applicant: String,
    external_id: String,
    tenant: String,
    level: String,
    status: &'static str,
    attempt: String,
    waiting: String,
    assignee: Option<String>,
    assigned_to_me: bool,
    can_work: bool,
    reviewers: Vec<(String, String)>,
    csrf: String,
    oob: bool,
}

pub struct TimelineItem {
    when: String,
    who: String,
    what: String,
    detail: String,
    is_read: bool,
}

#[derive(Template)]
#[template(path = "case/_timeline.html")]
pub struct Timeline {
    items: Vec<TimelineItem>,
    oob: bool,
}

#[derive(Template)]
#[template(path = "case/_counts.html")]
pub struct StatusCounts {
    counts: Vec<(&'static str, i64)>,
    oob: bool,
}

pub struct ProposalView {
    id: String,
    outcome: &'static str,
    reasons: Vec<&'static str>,
    remediation: Vec<String>,
    message: Option<String>,
    comment: Option<String>,
    proposed_by_me: bool,
    proposer: String,
    when: String,
}

pub struct PastDecision {
    outcome: &'static str,
    state: &'static str,
    reasons: Vec<&'static str>,
    remediation: Vec<String>,
    message: Option<String>,
    comment: Option<String>,
    when: String,
}

#[derive(Template)]
#[template(path = "case/_decision.html")]
pub struct DecisionPanel {
    id: String,
    version: i64,
    in_review: bool,
    can_work: bool,
    four_eyes: bool,
    proposal: Option<ProposalView>,
    reasons: Vec<(&'static str, &'static str)>,
    requirements: Vec<(String, String)>,
    past: Vec<PastDecision>,
    notice: Option<String>,
    csrf: String,
}

pub struct NoteItem {
    author: String,
    when: String,
    body: String,
}

#[derive(Template)]
#[template(path = "case/_notes.html")]
pub struct Notes {
    id: String,
    notes: Vec<NoteItem>,
    can_work: bool,
    csrf: String,
}

pub struct Answer {
    label: String,
    value: String,
    protected: bool,
}

pub struct DocumentView {
    id: String,
    label: String,
    side: String,
    has_thumbnail: bool,
    is_pdf: bool,
    meta: String,
}

pub struct DocumentGroup {
    title: String,
    attempt: i64,
    current: bool,
    documents: Vec<DocumentView>,
}

pub struct FindingView {
    severity: &'static str,
    code: String,
    message: String,
    field: Option<String>,
    value: Option<String>,
    confidence: Option<f64>,
}

pub struct CheckView {
    id: String,
    kind: &'static str,
    provider: String,
    result: &'static str,
    result_class: &'static str,
    score: Option<f64>,
    reference: Option<String>,
    when: String,
    findings: Vec<FindingView>,
}

#[derive(Template, WebTemplate)]
#[template(path = "case/page.html")]
pub struct CasePage {
    layout: Layout,
    header: CaseHeader,
    counts: StatusCounts,
    answers: Vec<Answer>,
    has_protected: bool,
    groups: Vec<DocumentGroup>,
    checks: Vec<CheckView>,
    client_verification: Option<String>,
    questions: Option<String>,
    decision: DecisionPanel,
    notes: Notes,
    timeline: Timeline,
    record: super::record_keeping::RecordKeeping,
}

fn answer_text(value: &serde_json::Value, kind: &RequirementKind) -> (String, bool) {
    match kind {
        RequirementKind::GovernmentId { .. } => {
            let number = value["number"].as_str().unwrap_or_default();
            let masked: String = number
                .chars()
                .rev()
                .take(4)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            (
                format!(
                    "{} {}{}",
                    value["type"].as_str().unwrap_or_default().to_uppercase(),
                    "•".repeat(number.chars().count().saturating_sub(4)),
                    masked
                ),
                true,
            )
        }
        RequirementKind::Address => {
            let parts: Vec<&str> = ["line1", "line2", "postal_code", "city", "region", "country"]
                .iter()
                .filter_map(|k| value[*k].as_str())
                .collect();
            (parts.join(", "), false)
        }
        _ => (
            value
                .as_str()
                .map_or_else(|| value.to_string(), str::to_owned),
            false,
        ),
    }
}

fn header(
    case: &CaseFile,
    staff: &Staff,
    reviewers: Vec<(String, String)>,
    oob: bool,
) -> CaseHeader {
    let app = &case.application;
    CaseHeader {
        id: app.id.to_string(),
        applicant: case.applicant.display_name(),
        external_id: case.applicant.external_id.clone(),
        tenant: case.tenant_name.clone(),
        level: format!(
            "{} · tier {} · version {}",
            case.level.name, case.level.tier, case.level.version
        ),
        status: app.status.as_str(),
        attempt: format!("attempt {} of {}", app.attempt, app.max_attempts),
        waiting: format::waiting(app.status_changed_at, Timestamp::now()),
        assignee: case.assignee_email.clone(),
        assigned_to_me: app.assignee_id == Some(staff.user.id),
        can_work: staff.ctx.can(Permission::WorkCases),
        reviewers,
        csrf: staff.csrf.clone(),
        oob,
    }
}

fn timeline(case: &CaseFile, oob: bool) -> Timeline {
    let items = case
        .timeline
        .iter()
        .rev()
        .map(|e| {
            let detail = serde_json::from_str::<serde_json::Value>(&e.payload)
                .ok()
                .and_then(|v| v.as_object().cloned())
                .map(|o| {
                    o.iter()
                        .filter(|(k, v)| {
                            let empty = v.is_null() || v.as_array().is_some_and(Vec::is_empty);
                            // Ids are in the audit log itself; the timeline shows what a reader needs.
                            let id_like =
                                k.ends_with("_id") || k.ends_with("_by") || k.as_str() == "sha256";
                            !empty && !id_like
                        })
                        .map(|(k, v)| {
                            format!(
                                "{k}: {}",
                                v.as_str().map_or_else(|| v.to_string(), str::to_owned)
                            )
                        })
                        .collect::<Vec<_>>()
                        .join(" · ")
                })
                .unwrap_or_default();
            TimelineItem {
                when: format::when_text(&e.occurred_at),
                who: e.actor_email.clone().unwrap_or_else(|| e.actor.clone()),
                what: format::humanize_action(&e.action),
                detail,
                is_read: e.action.ends_with("viewed") || e.action.ends_with("revealed"),
            }
        })
        .collect();
    Timeline { items, oob }
}

/// What a remediation asks to redo, as the level labels it (the key if the level no longer has it).
fn redo_labels(case: &CaseFile, keys: &[String]) -> Vec<String> {
    keys.iter()
        .map(|key| {
            case.level
                .requirement(key)
                .map_or_else(|| key.clone(), |r| r.label.clone())
        })
        .collect()
}

fn decision_panel(case: &CaseFile, staff: &Staff, notice: Option<String>) -> DecisionPanel {
    let app = &case.application;
    let proposal = case
        .decisions
        .iter()
        .find(|d| d.state == DecisionState::Proposed)
        .map(|d| ProposalView {
            id: d.id.to_string(),
            outcome: d.outcome.as_str(),
            reasons: d.reasons.iter().map(Reason::label).collect(),
            remediation: redo_labels(case, &d.remediation),
            message: d.message_to_applicant.clone(),
            comment: d.internal_comment.clone(),
            proposed_by_me: d.proposed_by == staff.user.id,
            proposer: case
                .timeline
                .iter()
                .rev()
                .find(|e| e.action == "application.decision_proposed")
                .and_then(|e| e.actor_email.clone())
                .unwrap_or_default(),
            when: format::when(d.proposed_at),
        });
    let past = case
        .decisions
        .iter()
        .filter(|d| d.state != DecisionState::Proposed)
        .map(|d| PastDecision {
            outcome: d.outcome.as_str(),
            state: d.state.as_str(),
            reasons: d.reasons.iter().map(Reason::label).collect(),
            remediation: redo_labels(case, &d.remediation),
            message: d.message_to_applicant.clone(),
            comment: d.internal_comment.clone(),
            when: format::when(d.reviewed_at.unwrap_or(d.proposed_at)),
        })
        .collect();
    DecisionPanel {
        id: app.id.to_string(),
        version: app.version,
        in_review: app.status == ApplicationStatus::Review,
        can_work: staff.ctx.can(Permission::WorkCases),
        four_eyes: case.level.policy.four_eyes,
        proposal,
        reasons: Reason::ALL
            .iter()
            .map(|r| (r.as_str(), r.label()))
            .collect(),
        requirements: case
            .level
            .requirements
            .iter()
            .map(|r| (r.key.clone(), r.label.clone()))
            .collect(),
        past,
        notice,
        csrf: staff.csrf.clone(),
    }
}

fn notes(case: &CaseFile, staff: &Staff) -> Notes {
    Notes {
        id: case.application.id.to_string(),
        notes: case
            .notes
            .iter()
            .map(|n| NoteItem {
                author: n.author.clone(),
                when: format::when(n.created_at),
                body: n.body.clone(),
            })
            .collect(),
        can_work: staff.ctx.can(Permission::WorkCases),
        csrf: staff.csrf.clone(),
    }
}

fn document_groups(case: &CaseFile) -> Vec<DocumentGroup> {
    let in_force: Vec<_> = in_force(&case.documents, case.application.intake_attempt())
        .iter()
        .map(|d| d.id)
        .collect();
    let mut groups: BTreeMap<(std::cmp::Reverse<i64>, String), Vec<&Document>> = BTreeMap::new();
    for doc in &case.documents {
        let key = doc
            .requirement_key
            .clone()
            .unwrap_or_else(|| doc.doc_type.as_str().to_owned());
        groups
            .entry((std::cmp::Reverse(doc.attempt), key))
            .or_default()
            .push(doc);
    }
    for docs in groups.values_mut() {
        docs.sort_by_key(|d| d.side.map(|s| s.as_str() != "front"));
    }
    groups
        .into_iter()
        .map(|((attempt, key), docs)| DocumentGroup {
            title: case
                .level
                .requirement(&key)
                .map_or(key.clone(), |r| r.label.clone()),
            attempt: attempt.0,
            current: docs.iter().any(|d| in_force.contains(&d.id)),
            documents: docs
                .iter()
                .map(|d| DocumentView {
                    id: d.id.to_string(),
                    label: d.doc_type.as_str().replace('_', " "),
                    side: d.side.map(|s| s.as_str().to_owned()).unwrap_or_default(),
                    has_thumbnail: d.thumbnail_hash.is_some(),
                    is_pdf: d.mime_type == "application/pdf",
                    meta: format!(
                        "{} · {} KB{}{}",
                        d.mime_type,
                        (d.size_bytes + 1023) / 1024,
                        d.width
                            .zip(d.height)
                            .map(|(w, h)| format!(" · {w}×{h}"))
                            .unwrap_or_default(),
                        d.issuing_country
                            .map(|c| format!(" · {c}"))
                            .unwrap_or_default()
                    ),
                })
                .collect(),
        })
        .collect()
}

fn check_views(checks: &[Check]) -> Vec<CheckView> {
    checks
        .iter()
        .map(|c| {
            let mut findings: Vec<&crate::domain::check::Finding> = c.findings.iter().collect();
            findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
            let (result, result_class) = match c.result {
                Some(crate::domain::check::CheckResult::Clear) => ("clear", "badge ok"),
                Some(crate::domain::check::CheckResult::Consider) => ("consider", "badge warn"),
                // The questions a provider asked; the answers' judgement is a check of its own.
                None if c.kind == crate::domain::check::CheckKind::Questions => {
                    ("questions asked", "badge")
                }
                _ => ("unknown", "badge"),
            };
            CheckView {
                id: c.id.to_string(),
                kind: c.kind.as_str(),
                provider: c.provider.clone(),
                result,
                result_class,
                score: c.score,
                reference: c.reference.clone(),
                when: format::when(c.created_at),
                findings: findings
                    .into_iter()
                    .map(|f| FindingView {
                        severity: f.severity.as_str(),
                        code: f.code.clone(),
                        message: f.message.clone(),
                        field: f.field.clone(),
                        value: f.value.clone(),
                        confidence: f.confidence,
                    })
                    .collect(),
            }
        })
        .collect()
}

async fn status_counts(
    state: &AppState,
    staff: &Staff,
    oob: bool,
) -> Result<StatusCounts, WebError> {
    let counts =
        service::queue::counts(&state.services, &staff.ctx, &QueueFilter::default()).await?;
    let counts = ApplicationStatus::ALL
        .iter()
        .map(|s| {
            (
                s.as_str(),
                counts.iter().find(|(c, _)| c == s).map_or(0, |(_, n)| *n),
            )
        })
        .collect();
    Ok(StatusCounts { counts, oob })
}

async fn reviewers(state: &AppState, staff: &Staff) -> Result<Vec<(String, String)>, WebError> {
    if !staff.ctx.can(Permission::WorkCases) {
        return Ok(Vec::new());
    }
    let reviewers = service::queue::reviewers(&state.services, &staff.ctx).await?;
    Ok(reviewers.into_iter().map(|c| (c.value, c.label)).collect())
}

pub async fn page(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Result<CasePage, WebError> {
    let case = service::cases::open(&state.services, &staff.ctx, application_id(&id)?).await?;
    let answers: Vec<Answer> = case
        .level
        .requirements
        .iter()
        .filter(|r| !r.kind.is_upload())
        .map(|r| {
            let (value, protected) = case
                .application
                .attributes
                .get(&r.key)
                .map_or(("—".into(), false), |v| answer_text(v, &r.kind));
            Answer {
                label: r.label.clone(),
                value,
                protected,
            }
        })
        .collect();
    let pretty = |v: &serde_json::Value| serde_json::to_string_pretty(v).unwrap_or_default();
    let questions = case.application.params.get("questions").map(pretty);
    Ok(CasePage {
        layout: Layout::for_staff(&staff, &case.applicant.display_name()),
        header: header(&case, &staff, reviewers(&state, &staff).await?, false),
        counts: status_counts(&state, &staff, false).await?,
        has_protected: answers.iter().any(|a| a.protected),
        answers,
        groups: document_groups(&case),
        checks: check_views(&case.checks),
        client_verification: case.application.client_verification.as_ref().map(pretty),
        questions,
        decision: decision_panel(&case, &staff, None),
        notes: notes(&case, &staff),
        timeline: timeline(&case, false),
        record: super::record_keeping::record_keeping(&state, &staff, case.applicant.id).await?,
    })
}

/// After an action: the changed partial, plus header, timeline and counts out of band (htmx), or a
/// redirect back to the page (plain form post).
async fn after_action(
    state: &AppState,
    staff: &Staff,
    id: ApplicationId,
    is_htmx: bool,
    main: Main,
) -> Result<Response, WebError> {
    if !is_htmx {
        return Ok(redirect_to(&format!("/applications/{id}"), false));
    }
    let case = service::cases::reload(&state.services, &staff.ctx, id).await?;
    let mut html = match main {
        Main::Decision(notice) => decision_panel(&case, staff, notice).render()?,
        Main::Notes => notes(&case, staff).render()?,
        Main::Header => String::new(),
    };
    html.push_str(&header(&case, staff, reviewers(state, staff).await?, true).render()?);
    html.push_str(&timeline(&case, true).render()?);
    html.push_str(&status_counts(state, staff, true).await?.render()?);
    Ok(Html(html).into_response())
}

/// Which partial an action answers with (besides the out-of-band ones).
enum Main {
    Decision(Option<String>),
    Notes,
    Header,
}

/// The decision form: repeated `reason` and `redo` fields, so it is read as pairs.
pub async fn decide(
    State(state): State<AppState>,
    staff: Staff,
    HxRequest(is_htmx): HxRequest,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let id = application_id(&id)?;
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let all = |name: &str| {
        fields
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect::<Vec<_>>()
    };
    let outcome: Outcome = field("outcome")
        .ok_or_else(|| WebError::BadRequest("choose an outcome".into()))?
        .parse()
        .map_err(ServiceError::from)?;
    let reasons = all("reason")
        .iter()
        .map(|r| r.parse::<Reason>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(ServiceError::from)?;
    let version = field("version")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| WebError::BadRequest("the form lacks the application version".into()))?;
    let request = DecisionRequest {
        outcome,
        reasons,
        remediation: all("redo"),
        message_to_applicant: field("message"),
        internal_comment: field("comment"),
        version,
    };
    let decided = service::decisions::decide(&state.services, &staff.ctx, id, request).await?;
    let notice = match decided {
        service::decisions::Decided::Applied(status) => {
            format!("Decided: the application is now {status}.")
        }
        service::decisions::Decided::Proposed => {
            "Proposed. A second reviewer must confirm it.".into()
        }
        service::decisions::Decided::Returned => "Sent back.".into(),
    };
    after_action(&state, &staff, id, is_htmx, Main::Decision(Some(notice))).await
}

#[derive(Deserialize)]
pub struct ReviewForm {
    version: i64,
    comment: Option<String>,
}

async fn review(
    state: AppState,
    staff: Staff,
    is_htmx: bool,
    id: String,
    decision: String,
    form: ReviewForm,
    confirm: bool,
) -> Result<Response, WebError> {
    let id = application_id(&id)?;
    let decision: DecisionId = decision.parse().map_err(|_| WebError::NotFound)?;
    let answer = if confirm {
        Review::Confirm
    } else {
        Review::SendBack {
            comment: form.comment,
        }
    };
    let decided = service::decisions::review(
        &state.services,
        &staff.ctx,
        id,
        decision,
        form.version,
        answer,
    )
    .await?;
    let notice = match decided {
        service::decisions::Decided::Applied(status) => {
            format!("Confirmed: the application is now {status}.")
        }
        _ => "Sent back to the proposer; the application stays in review.".into(),
    };
    after_action(&state, &staff, id, is_htmx, Main::Decision(Some(notice))).await
}

pub async fn confirm(
    State(state): State<AppState>,
    staff: Staff,
    HxRequest(is_htmx): HxRequest,
    Path((id, decision)): Path<(String, String)>,
    Form(form): Form<ReviewForm>,
) -> Result<Response, WebError> {
    review(state, staff, is_htmx, id, decision, form, true).await
}

pub async fn send_back(
    State(state): State<AppState>,
    staff: Staff,
    HxRequest(is_htmx): HxRequest,
    Path((id, decision)): Path<(String, String)>,
    Form(form): Form<ReviewForm>,
) -> Result<Response, WebError> {
    review(state, staff, is_htmx, id, decision, form, false).await
}

#[derive(Deserialize)]
pub struct NoteForm {
    body: String,
}

pub async fn add_note(
    State(state): State<AppState>,
    staff: Staff,
    HxRequest(is_htmx): HxRequest,
    Path(id): Path<String>,
    Form(form): Form<NoteForm>,
) -> Result<Response, WebError> {
    let id = application_id(&id)?;
    service::cases::add_note(&state.services, &staff.ctx, id, &form.body).await?;
    after_action(&state, &staff, id, is_htmx, Main::Notes).await
}

#[derive(Deserialize)]
pub struct AssignForm {
    action: String,
    reviewer: Option<String>,
}

pub async fn assign(
    State(state): State<AppState>,
    staff: Staff,
    HxRequest(is_htmx): HxRequest,
    Path(id): Path<String>,
    Form(form): Form<AssignForm>,
) -> Result<Response, WebError> {
    let id = application_id(&id)?;
    let change = match form.action.as_str() {
        "claim" => Assignment::Claim,
        "release" => Assignment::Release,
        "assign" => Assignment::To(
            form.reviewer
                .as_deref()
                .and_then(|r| r.parse().ok())
                .ok_or_else(|| WebError::BadRequest("choose a reviewer".into()))?,
        ),
        _ => return Err(WebError::BadRequest("unknown assignment action".into())),
    };
    service::cases::assign(&state.services, &staff.ctx, id, change).await?;
    after_action(&state, &staff, id, is_htmx, Main::Header).await
}

#[derive(Template)]
#[template(path = "case/_government_ids.html")]
pub struct GovernmentIds {
    ids: Vec<(String, String)>,
}

/// Shows the government id numbers in clear (audited).
pub async fn reveal(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Result<Html<String>, WebError> {
    let ids =
        service::cases::reveal_government_ids(&state.services, &staff.ctx, application_id(&id)?)
            .await?;
    Ok(Html(GovernmentIds { ids }.render()?))
}

#[derive(Template)]
#[template(path = "case/_raw_payload.html")]
pub struct RawPayload {
    payload: String,
}

/// A check's raw provider payload (audited).
pub async fn raw_payload(
    State(state): State<AppState>,
    staff: Staff,
    Path((id, check)): Path<(String, String)>,
) -> Result<Html<String>, WebError> {
    let check: CheckId = check.parse().map_err(|_| WebError::NotFound)?;
    let payload =
        service::cases::raw_payload(&state.services, &staff.ctx, application_id(&id)?, check)
            .await?;
    Ok(Html(RawPayload { payload }.render()?))
}

impl FindingView {
    fn class(&self) -> &'static str {
        match self.severity {
            "failure" => "finding failure",
            "warning" => "finding warning",
            _ => "finding info",
        }
    }
}
