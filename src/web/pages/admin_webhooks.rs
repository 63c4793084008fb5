//! Admins read a tenant's webhook deliveries (each message with its attempts, newest first, 50 a
//! page) and redeliver a message. Redelivering swaps the `WebhooksMain` partial; without htmx the
//! whole page renders.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum_htmx::HxRequest;
use serde::Deserialize;

use crate::app::AppState;
use crate::domain::ids::{ApplicationId, OutboxMessageId, TenantId};
use crate::domain::job::JobState;
use crate::domain::webhook::{DeliveryAttempt, OutboxMessage};
use crate::service::{self, ServiceError};
use crate::web::auth::Staff;
use crate::web::error::WebError;
use crate::web::format;
use crate::web::layout::{Layout, partial_or_page};

pub struct AttemptRow {
    at: String,
    url: Option<String>,
    ok: bool,
    /// `HTTP 200`, the transport error, or both.
    outcome: String,
    latency_ms: Option<i64>,
    response_excerpt: Option<String>,
}

pub struct MessageRow {
    id: OutboxMessageId,
    event_type: String,
    subject: String,
    /// The case page, when the subject is an application.
    subject_href: Option<String>,
    created: String,
    state: String,
    state_class: &'static str,
    attempts: i64,
    attempt_rows: Vec<AttemptRow>,
    /// A delivery job is queued or running: redelivering now would be refused.
    pending: bool,
}

#[derive(Template)]
#[template(path = "admin/_webhooks_main.html")]
pub struct WebhooksMain {
    tenant_id: TenantId,
    rows: Vec<MessageRow>,
    /// The cursor this page was read with (kept so a redelivery re-renders the same page).
    before: Option<OutboxMessageId>,
    older_href: Option<String>,
    notice: Option<String>,
    csrf: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/webhooks.html")]
pub struct WebhooksPage {
    layout: Layout,
    tenant_name: String,
    main: WebhooksMain,
}

fn respond(
    staff: &Staff,
    is_htmx: bool,
    tenant_name: String,
    main: WebhooksMain,
) -> Result<Response, WebError> {
    partial_or_page(is_htmx, main, |main| WebhooksPage {
        layout: Layout::for_staff(staff, &format!("Webhook deliveries — {tenant_name}")),
        tenant_name,
        main,
    })
}

/// How a message's delivery stands, and the badge class to show it with.
fn delivery_state(message: &OutboxMessage) -> (String, &'static str) {
    let pending = matches!(
        message.job_state,
        Some(JobState::Queued | JobState::Running)
    );
    match (message.delivered_at, message.job_state) {
        (Some(at), _) if pending => (
            format!("delivered {}; redelivery queued", format::when(at)),
            "badge ok",
        ),
        (Some(at), _) => (format!("delivered {}", format::when(at)), "badge ok"),
        (None, Some(JobState::Running)) => ("sending".into(), "badge"),
        (None, Some(JobState::Queued)) if message.attempts == 0 => ("queued".into(), "badge"),
        (None, Some(JobState::Queued)) => ("retrying".into(), "badge warn"),
        (None, Some(JobState::Dead)) => ("dead".into(), "badge off"),
        // A delivery job finishes undelivered only when there was no endpoint to send to.
        (None, Some(JobState::Done)) => ("no endpoint".into(), "badge warn"),
        (None, None) => ("not scheduled".into(), "badge"),
    }
}

fn attempt_row(attempt: DeliveryAttempt) -> AttemptRow {
    let ok = attempt.succeeded();
    let outcome = match (attempt.status_code, attempt.error) {
        (Some(status), Some(error)) => format!("HTTP {status}: {error}"),
        (Some(status), None) => format!("HTTP {status}"),
        (None, Some(error)) => error,
        (None, None) => "no response".to_owned(),
    };
    AttemptRow {
        at: format::when(attempt.attempted_at),
        url: attempt.url,
        ok,
        outcome,
        latency_ms: attempt.latency_ms,
        response_excerpt: attempt.response_excerpt,
    }
}

fn message_row(delivery: service::webhooks::Delivery) -> MessageRow {
    let service::webhooks::Delivery { message, attempts } = delivery;
    let (state, state_class) = delivery_state(&message);
    let subject_href = message
        .subject_id
        .parse::<ApplicationId>()
        .ok()
        .map(|id| format!("/applications/{id}"));
    MessageRow {
        id: message.id,
        pending: matches!(
            message.job_state,
            Some(JobState::Queued | JobState::Running)
        ),
        event_type: message.event_type,
        subject: message.subject_id,
        subject_href,
        created: format::when(message.created_at),
        state,
        state_class,
        attempts: message.attempts,
        attempt_rows: attempts.into_iter().map(attempt_row).collect(),
    }
}

/// The tenant's name, from the tenants list (there is no single-tenant read); unknown → 404.
async fn tenant_name(state: &AppState, staff: &Staff, id: TenantId) -> Result<String, WebError> {
    service::tenants::list(&state.services, &staff.ctx)
        .await?
        .into_iter()
        .find(|listed| listed.tenant.id == id)
        .map(|listed| listed.tenant.name)
        .ok_or(WebError::Service(ServiceError::NotFound("tenant")))
}

/// The page's partial and the tenant's name.
async fn main_view(
    state: &AppState,
    staff: &Staff,
    tenant: TenantId,
    before: Option<OutboxMessageId>,
    notice: Option<String>,
) -> Result<(String, WebhooksMain), WebError> {
    let deliveries =
        service::webhooks::deliveries(&state.services, &staff.ctx, tenant, before).await?;
    let name = tenant_name(state, staff, tenant).await?;
    let full =
        i64::try_from(deliveries.len()).is_ok_and(|n| n >= service::webhooks::DELIVERIES_PER_PAGE);
    let older_href = deliveries.last().filter(|_| full).map(|last| {
        format!(
            "/admin/tenants/{tenant}/webhooks?before={}",
            last.message.id
        )
    });
    Ok((
        name,
        WebhooksMain {
            tenant_id: tenant,
            rows: deliveries.into_iter().map(message_row).collect(),
            before,
            older_href,
            notice,
            csrf: staff.csrf.clone(),
        },
    ))
}

fn tenant_id(raw: &str) -> Result<TenantId, WebError> {
    raw.parse().map_err(|_| WebError::NotFound)
}

/// An optional `before` cursor; empty means the first page.
fn cursor(raw: Option<&str>) -> Result<Option<OutboxMessageId>, WebError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(raw) => raw
            .parse()
            .map(Some)
            .map_err(|_| WebError::BadRequest("the page cursor is not valid".into())),
    }
}

#[derive(Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    before: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    staff: Staff,
    HxRequest(is_htmx): HxRequest,
    Path(id): Path<String>,
    Query(query): Query<PageQuery>,
) -> Result<Response, WebError> {
    let tenant = tenant_id(&id)?;
    let before = cursor(query.before.as_deref())?;
    let (name, main) = main_view(&state, &staff, tenant, before, None).await?;
    respond(&staff, is_htmx, name, main)
}

#[derive(Deserialize)]
pub struct RedeliverForm {
    /// The tenant whose deliveries page to show afterwards.
    #[serde(default)]
    tenant: String,
    /// That page's cursor, so the same page comes back.
    #[serde(default)]
    before: Option<String>,
}

pub async fn redeliver(
    State(state): State<AppState>,
    staff: Staff,
    HxRequest(is_htmx): HxRequest,
    Path(id): Path<String>,
    Form(form): Form<RedeliverForm>,
) -> Result<Response, WebError> {
    let message: OutboxMessageId = id.parse().map_err(|_| WebError::NotFound)?;
    let tenant: TenantId = form
        .tenant
        .parse()
        .map_err(|_| WebError::BadRequest("the form names no tenant".into()))?;
    let before = cursor(form.before.as_deref())?;
    service::webhooks::redeliver(&state.services, &staff.ctx, message).await?;
    let notice = "Message queued for redelivery.".to_owned();
    let (name, main) = main_view(&state, &staff, tenant, before, Some(notice)).await?;
    respond(&staff, is_htmx, name, main)
}
