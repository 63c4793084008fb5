//! A user sets up two-factor sign-in (TOTP) and receives their recovery codes.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use qrcode::QrCode;
use qrcode::render::svg;
use serde::Deserialize;

use crate::app::AppState;
use crate::service::mfa::PendingEnrolment;
use crate::service::{self, ServiceError};
use crate::web::auth::{Staff, adopt_epoch, require_enrolment};
use crate::web::error::WebError;
use crate::web::format::when;
use crate::web::layout::Layout;

const TITLE: &str = "Two-factor sign-in";

#[derive(Template, WebTemplate)]
#[template(path = "account/mfa_status.html")]
pub struct StatusPage {
    layout: Layout,
    enrolled_at: String,
    recovery_codes_left: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "account/mfa_setup.html")]
pub struct SetupPage {
    layout: Layout,
    /// Set when the administrator requires MFA and this user has none yet.
    required: bool,
    secret: String,
    uri: String,
    /// The QR code of `uri`, drawn here as inline SVG (no script, so the CSP stays strict).
    qr_svg: String,
    error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "account/mfa_codes.html")]
pub struct RecoveryCodesPage {
    layout: Layout,
    codes: Vec<String>,
}

/// The URI as a QR code in SVG, without the XML declaration (it is embedded in HTML).
fn qr_svg(uri: &str) -> Result<String, WebError> {
    let code =
        QrCode::new(uri.as_bytes()).map_err(|e| ServiceError::Internal(format!("QR code: {e}")))?;
    let svg = code
        .render::<svg::Color>()
        .min_dimensions(232, 232)
        .quiet_zone(true)
        .build();
    let start = svg.find("<svg").unwrap_or(0);
    Ok(svg[start..].replacen(
        "<svg ",
        "<svg role=\"img\" aria-label=\"QR code of the set-up key\" ",
        1,
    ))
}

async fn setup_page(
    state: &AppState,
    staff: &Staff,
    pending: PendingEnrolment,
    error: Option<String>,
) -> Result<SetupPage, WebError> {
    Ok(SetupPage {
        layout: Layout::for_staff(staff, TITLE),
        required: service::mfa::is_required(&state.services).await?,
        qr_svg: qr_svg(&pending.uri)?,
        secret: pending.secret,
        uri: pending.uri,
        error,
    })
}

pub async fn page(State(state): State<AppState>, staff: Staff) -> Result<Response, WebError> {
    let status = service::mfa::status(&state.services, staff.user.id).await?;
    if let Some(enrolled_at) = status.enrolled_at {
        return Ok(StatusPage {
            layout: Layout::for_staff(&staff, TITLE),
            enrolled_at: when(enrolled_at),
            recovery_codes_left: status.recovery_codes_left,
        }
        .into_response());
    }
    let pending = service::mfa::begin_enrolment(&state.services, &staff.ctx).await?;
    Ok(setup_page(&state, &staff, pending, None)
        .await?
        .into_response())
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    code: String,
}

pub async fn confirm(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<ConfirmForm>,
) -> Result<Response, WebError> {
    match service::mfa::confirm_enrolment(&state.services, &staff.ctx, &form.code).await {
        Ok((codes, user)) => {
            adopt_epoch(&staff.session, &user).await?;
            require_enrolment(&staff.session, false).await?;
            Ok(RecoveryCodesPage {
                layout: Layout::for_staff(&staff, TITLE),
                codes,
            }
            .into_response())
        }
        Err(ServiceError::Invalid(invalid)) if invalid.code == "wrong_code" => {
            let pending = service::mfa::begin_enrolment(&state.services, &staff.ctx).await?;
            let page = setup_page(&state, &staff, pending, Some(invalid.message)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}
