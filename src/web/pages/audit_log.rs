//! The auditor's audit log: the events newest first with filters and keyset pages in the query string
//! (htmx swaps only `AuditResults`), one event in full with its hashes, and the chain verified from
//! the browser in chunks, each chunk's progress requesting the next one itself.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Response};
use axum_htmx::HxRequest;
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::domain::audit::{
    ActionQuery, ActorQuery, ChainAnchor, SubjectQuery, parse_before, parse_seq,
};
use crate::domain::ids::TenantId;
use crate::domain::time::Timestamp;
use crate::domain::validate::Invalid;
use crate::domain::validate::date::IsoDate;
use crate::service::audit::{LogQuery, VERIFY_CHUNK, VerifyProgress};
use crate::service::{self, audit::LogView};
use crate::store::audit::LogRow;
use crate::web::auth::Staff;
use crate::web::error::WebError;
use crate::web::format;
use crate::web::layout::{Layout, partial_or_page};

/// The log's query string, exactly as shareable URLs carry it.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct LogParams {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    actor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    action: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    subject: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tenant: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    before: Option<String>,
}

fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// A query parameter that does not parse: a 400 page (or toast) saying which.
fn bad(what: &str, why: &Invalid) -> WebError {
    WebError::BadRequest(format!("The {what} filter is not valid: {}.", why.message))
}

impl LogParams {
    /// Parses each filter; a value that does not parse is a 400 naming the parameter.
    fn query(&self) -> Result<LogQuery, WebError> {
        fn parse<T>(
            value: &Option<String>,
            what: &str,
            parse: impl Fn(&str) -> Result<T, Invalid>,
        ) -> Result<Option<T>, WebError> {
            present(value)
                .map(|v| parse(v).map_err(|why| bad(what, &why)))
                .transpose()
        }
        Ok(LogQuery {
            actor: parse(&self.actor, "actor", ActorQuery::parse)?,
            action: parse(&self.action, "action", ActionQuery::parse)?,
            subject: parse(&self.subject, "subject", SubjectQuery::parse)?,
            tenant: present(&self.tenant)
                .map(|v| {
                    v.parse::<TenantId>().map_err(|_| {
                        WebError::BadRequest("The tenant filter is not a tenant id.".into())
                    })
                })
                .transpose()?,
            from: parse(&self.from, "from date", IsoDate::parse)?,
            to: parse(&self.to, "to date", IsoDate::parse)?,
            before: parse(&self.before, "page", parse_before)?,
        })
    }

    /// This query at another keyset position (`None`: the first page).
    fn href(&self, before: Option<i64>) -> String {
        let mut next = self.clone();
        next.before = before.map(|seq| seq.to_string());
        // Empty form fields add nothing to a shareable URL.
        for field in [
            &mut next.actor,
            &mut next.action,
            &mut next.subject,
            &mut next.tenant,
            &mut next.from,
            &mut next.to,
        ] {
            if field.as_deref().is_some_and(|v| v.trim().is_empty()) {
                *field = None;
            }
        }
        let query = serde_urlencoded::to_string(&next).unwrap_or_default();
        if query.is_empty() {
            "/audit".into()
        } else {
            format!("/audit?{query}")
        }
    }
}

/// `2026-11-22 08:15:03 UTC`, or the stored text as it is when it does not parse.
fn when_seconds(at: &str) -> String {
    at.parse::<Timestamp>().map_or_else(
        |_| at.to_owned(),
        |t| t.as_datetime().format("%Y-%m-%d %H:%M:%S UTC").to_string(),
    )
}

/// The application id of an `application:<id>` subject, for a link to its case page.
fn application_of(subject: &str) -> Option<String> {
    subject
        .strip_prefix("application:")
        .filter(|id| id.parse::<crate::domain::ids::ApplicationId>().is_ok())
        .map(str::to_owned)
}

pub struct Row {
    seq: i64,
    occurred_at: String,
    at: String,
    actor: String,
    actor_email: Option<String>,
    action: String,
    subject: String,
    application: Option<String>,
    tenant_id: String,
    tenant: Option<String>,
}

fn row(r: LogRow) -> Row {
    Row {
        seq: r.seq,
        at: when_seconds(&r.occurred_at),
        occurred_at: r.occurred_at,
        actor_email: r.actor_email,
        actor: r.actor,
        action: r.action,
        application: application_of(&r.subject),
        subject: r.subject,
        tenant: r.tenant_name.or_else(|| r.tenant_id.clone()),
        tenant_id: r.tenant_id.unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "audit/_results.html")]
pub struct AuditResults {
    rows: Vec<Row>,
    notice: Option<String>,
    next_href: Option<String>,
    first_href: Option<String>,
}

pub struct FilterForm {
    params: LogParams,
    /// (id, name)
    tenants: Vec<(String, String)>,
}

impl FilterForm {
    fn tenant_selected(&self, id: &str) -> bool {
        present(&self.params.tenant) == Some(id)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "audit/log.html")]
pub struct AuditLogPage {
    layout: Layout,
    form: FilterForm,
    results: AuditResults,
    chunk: i64,
}

fn results(params: &LogParams, query: &LogQuery, view: LogView) -> AuditResults {
    let next_href = match (view.has_more, view.rows.last()) {
        (true, Some(last)) => Some(params.href(Some(last.seq))),
        _ => None,
    };
    AuditResults {
        notice: view
            .unknown_actor
            .then(|| "No staff user has this e-mail address, so no event matches.".to_owned()),
        rows: view.rows.into_iter().map(row).collect(),
        next_href,
        first_href: query.before.map(|_| params.href(None)),
    }
}

/// `GET /audit`: the log, newest first, 50 events a page.
pub async fn page(
    State(state): State<AppState>,
    staff: Staff,
    HxRequest(is_htmx): HxRequest,
    Query(params): Query<LogParams>,
) -> Result<Response, WebError> {
    let query = params.query()?;
    let view = service::audit::log(&state.services, &staff.ctx, &query).await?;
    let results = results(&params, &query, view);
    if is_htmx {
        return Ok(Html(results.render()?).into_response());
    }
    let tenants = service::audit::tenants(&state.services, &staff.ctx)
        .await?
        .into_iter()
        .map(|t| (t.id.to_string(), t.name))
        .collect();
    Ok(AuditLogPage {
        layout: Layout::for_staff(&staff, "Audit log"),
        form: FilterForm { params, tenants },
        results,
        chunk: VERIFY_CHUNK,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "audit/event.html")]
pub struct EventPage {
    layout: Layout,
    seq: i64,
    id: String,
    occurred_at: String,
    at: String,
    actor: String,
    actor_email: Option<String>,
    action: String,
    subject: String,
    application: Option<String>,
    tenant_id: Option<String>,
    tenant_name: Option<String>,
    request_id: Option<String>,
    client_ip: Option<String>,
    prev_hash: String,
    hash: String,
    payload: String,
    hash_recomputes: bool,
    /// `linked`, `broken` (prev_hash is not the previous event's hash) or `missing` (no previous event).
    link: &'static str,
    previous: Option<i64>,
    next: Option<i64>,
}

/// `GET /audit/events/{seq}`: one event in full.
pub async fn event(
    State(state): State<AppState>,
    staff: Staff,
    Path(seq): Path<String>,
) -> Result<EventPage, WebError> {
    let seq = parse_seq(&seq).map_err(|why| WebError::BadRequest(format!("{why}.")))?;
    let view = service::audit::event(&state.services, &staff.ctx, seq).await?;
    let detail = view.detail;
    let event = detail.event;
    // Shown as stored when it is not JSON (it always is, unless someone altered it).
    let payload = serde_json::from_str::<serde_json::Value>(&event.payload)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| event.payload.clone());
    Ok(EventPage {
        layout: Layout::for_staff(&staff, &format!("Audit event {}", event.seq)),
        seq: event.seq,
        id: event.id.to_string(),
        at: when_seconds(&event.occurred_at),
        occurred_at: event.occurred_at,
        actor: event.actor,
        actor_email: detail.actor_email,
        action: event.action,
        application: application_of(&event.subject),
        subject: event.subject,
        tenant_id: event.tenant_id,
        tenant_name: detail.tenant_name,
        request_id: event.request_id,
        client_ip: event.client_ip,
        prev_hash: event.prev_hash,
        hash: event.hash,
        payload,
        hash_recomputes: view.hash_recomputes,
        link: match view.links_to_previous {
            Some(true) => "linked",
            Some(false) => "broken",
            None => "missing",
        },
        previous: (event.seq > 1).then(|| event.seq - 1),
        next: detail.has_next.then(|| event.seq + 1),
    })
}

/// The progress of a running verification: what the next chunk carries.
pub struct Running {
    after_seq: i64,
    prev_hash: String,
    text: String,
    verified: i64,
    total: i64,
}

#[derive(Template)]
#[template(path = "audit/_verify.html")]
pub struct VerifyView {
    running: Option<Running>,
    /// "Intact: N events, head SEQ:HASH"
    intact: Option<String>,
    /// "Broken at seq N: reason"
    broken: Option<String>,
    csrf: String,
    chunk: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "audit/verify.html")]
pub struct VerifyPage {
    layout: Layout,
    main: VerifyView,
}

/// The verification form: empty to start at the first event, or the progress of the previous chunk.
#[derive(Debug, Deserialize)]
pub struct VerifyForm {
    #[serde(default)]
    after_seq: Option<String>,
    #[serde(default)]
    prev_hash: Option<String>,
    /// Events per chunk (the service clamps it to `1..=MAX_VERIFY_CHUNK`).
    #[serde(default)]
    chunk: Option<String>,
}

/// `POST /audit/verify`: verifies the next chunk and answers with the progress, which asks for the
/// chunk after it by itself (`hx-trigger="load"`); without htmx, a "Continue" button does.
/// Where the session's verification stands: the last verified (seq, hash).
const VERIFY_PROGRESS: &str = "audit_verify_progress";

pub async fn verify(
    State(state): State<AppState>,
    staff: Staff,
    HxRequest(is_htmx): HxRequest,
    Form(form): Form<VerifyForm>,
) -> Result<Response, WebError> {
    // The progress lives in the session, not in the form: a forged `after_seq` cannot make the
    // recorded `audit.verified` skip events.
    let stored: Option<(i64, String)> = staff
        .session
        .get(VERIFY_PROGRESS)
        .await
        .map_err(WebError::session)?;
    let after = match (present(&form.after_seq), present(&form.prev_hash)) {
        (None, None) => ChainAnchor::genesis(),
        (seq, hash) => {
            let claimed = ChainAnchor::resume_point(seq.unwrap_or(""), hash.unwrap_or(""))
                .map_err(|why| WebError::BadRequest(format!("{why}.")))?;
            if stored != Some((claimed.seq, claimed.hash.clone())) {
                return Err(WebError::BadRequest(
                    "This verification is not the one in progress; start it again.".into(),
                ));
            }
            claimed
        }
    };
    let chunk = match present(&form.chunk) {
        None => VERIFY_CHUNK,
        Some(chunk) => chunk
            .parse::<i64>()
            .map_err(|_| WebError::BadRequest("The chunk size must be a number.".into()))?,
    };
    let progress = service::audit::verify_chunk(&state.services, &staff.ctx, after, chunk).await?;
    let mut main = VerifyView {
        running: None,
        intact: None,
        broken: None,
        csrf: staff.csrf.clone(),
        chunk,
    };
    match &progress {
        VerifyProgress::Running { through, .. } => staff
            .session
            .insert(VERIFY_PROGRESS, (through.seq, through.hash.clone()))
            .await
            .map_err(WebError::session)?,
        VerifyProgress::Finished(_) => {
            staff
                .session
                .remove::<(i64, String)>(VERIFY_PROGRESS)
                .await
                .map_err(WebError::session)?;
        }
    }
    match progress {
        VerifyProgress::Running { through, total } => {
            main.running = Some(Running {
                text: format!(
                    "Verified {} of {} events",
                    format::thousands(through.seq),
                    format::thousands(total)
                ),
                verified: through.seq,
                total: total.max(1),
                after_seq: through.seq,
                prev_hash: through.hash,
            });
        }
        VerifyProgress::Finished(Ok(head)) => {
            main.intact = Some(format!(
                "Intact: {} events, head {}:{}",
                format::thousands(head.events),
                head.seq,
                head.hash
            ));
        }
        VerifyProgress::Finished(Err(broken)) => {
            main.broken = Some(format!("Broken at seq {}: {}", broken.seq, broken.reason));
        }
    }
    partial_or_page(is_htmx, main, |main| VerifyPage {
        layout: Layout::for_staff(&staff, "Verify the audit chain"),
        main,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_links_keep_the_filters_and_drop_empty_fields() {
        let params = LogParams {
            action: Some("application.".into()),
            actor: Some(String::new()),
            before: Some("900".into()),
            ..Default::default()
        };
        assert_eq!(
            params.href(Some(812)),
            "/audit?action=application.&before=812"
        );
        assert_eq!(params.href(None), "/audit?action=application.");
        assert_eq!(LogParams::default().href(None), "/audit");
    }
}
