//! Back-office sessions: starting one at sign-in, and checking it on every request behind sign-in.

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

use super::csrf;
use super::error::WebError;
use super::request_meta::meta_of;
use crate::app::AppState;
use crate::domain::ids::StaffUserId;
use crate::domain::staff::StaffUser;
use crate::domain::time::Timestamp;
use crate::service::{self, Ctx};

const STAFF_ID: &str = "staff_id";
const EPOCH: &str = "epoch";
const SIGNED_IN_AT: &str = "signed_in_at";
const LAST_SEEN: &str = "last_seen";
/// Set between a right password and the second factor: whose code is due, and since when.
const PENDING_USER: &str = "mfa_pending_user";
const PENDING_SINCE: &str = "mfa_pending_since";
/// Set when MFA is required and the user has none: nothing but enrolment until it is done.
const ENROLMENT_DUE: &str = "mfa_enrolment_due";

/// How long the code step waits after the password step.
const SECOND_FACTOR_WITHIN_MINUTES: i64 = 5;

/// Activity is written back at most this often, so a busy reviewer does not cost a write per click.
const TOUCH_EVERY_SECONDS: i64 = 60;

/// The signed-in staff member of this request.
#[derive(Debug, Clone)]
pub struct Staff {
    pub user: StaffUser,
    pub ctx: Ctx,
    pub csrf: String,
    pub session: Session,
}

impl Staff {
    /// Refuses (and audits) before a form is even read, so that a role without the permission gets
    /// 403 whatever it sent, never a validation message.
    pub async fn require(
        &self,
        state: &crate::app::AppState,
        permission: crate::domain::permission::Permission,
        attempted: &'static str,
    ) -> Result<(), WebError> {
        Ok(self
            .ctx
            .require(&state.services, permission, attempted)
            .await?)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Staff {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        // Present on every route behind `require_staff`; absent means a routing mistake.
        parts
            .extensions
            .get::<Staff>()
            .cloned()
            .ok_or(WebError::NotFound)
    }
}

/// Starts an authenticated session: a new session id (no fixation), the user's epoch, a new CSRF token.
pub async fn start_session(session: &Session, user: &StaffUser) -> Result<(), WebError> {
    session.cycle_id().await.map_err(WebError::session)?;
    for key in [PENDING_USER, PENDING_SINCE] {
        session.remove_value(key).await.map_err(WebError::session)?;
    }
    let now = Timestamp::now().canonical();
    session
        .insert(STAFF_ID, user.id.to_string())
        .await
        .map_err(WebError::session)?;
    session
        .insert(EPOCH, user.session_epoch)
        .await
        .map_err(WebError::session)?;
    session
        .insert(SIGNED_IN_AT, &now)
        .await
        .map_err(WebError::session)?;
    session
        .insert(LAST_SEEN, &now)
        .await
        .map_err(WebError::session)?;
    csrf::rotate(session).await?;
    Ok(())
}

/// After a right password, when a second factor is due: the session is not signed in, it only
/// remembers whose code to ask for (a new id and CSRF token here too).
pub async fn await_second_factor(session: &Session, user: &StaffUser) -> Result<(), WebError> {
    session.cycle_id().await.map_err(WebError::session)?;
    session
        .insert(PENDING_USER, user.id.to_string())
        .await
        .map_err(WebError::session)?;
    session
        .insert(PENDING_SINCE, Timestamp::now().canonical())
        .await
        .map_err(WebError::session)?;
    csrf::rotate(session).await?;
    Ok(())
}

/// The user whose second factor this session waits for, if the password step was recent.
pub async fn pending_second_factor(session: &Session) -> Result<Option<StaffUserId>, WebError> {
    let get = |key: &'static str| async move {
        session.get::<String>(key).await.map_err(WebError::session)
    };
    let (Some(id), Some(since)) = (get(PENDING_USER).await?, get(PENDING_SINCE).await?) else {
        return Ok(None);
    };
    let (Ok(id), Ok(since)) = (id.parse::<StaffUserId>(), since.parse::<Timestamp>()) else {
        return Ok(None);
    };
    let deadline = since.plus(chrono::Duration::minutes(SECOND_FACTOR_WITHIN_MINUTES));
    Ok((deadline > Timestamp::now()).then_some(id))
}

/// Holds a signed-in session to the enrolment page until the user has a second factor.
pub async fn require_enrolment(session: &Session, due: bool) -> Result<(), WebError> {
    if due {
        session
            .insert(ENROLMENT_DUE, true)
            .await
            .map_err(WebError::session)
    } else {
        session
            .remove_value(ENROLMENT_DUE)
            .await
            .map(drop)
            .map_err(WebError::session)
    }
}

/// Keeps the session valid after the user's own change bumped their epoch (password change).
pub async fn adopt_epoch(session: &Session, user: &StaffUser) -> Result<(), WebError> {
    session
        .insert(EPOCH, user.session_epoch)
        .await
        .map_err(WebError::session)
}

/// The user of a still-valid session, or `None` when there is none or it has ended.
pub async fn current_user(
    state: &AppState,
    session: &Session,
) -> Result<Option<StaffUser>, WebError> {
    let get = |key: &'static str| async move {
        session.get::<String>(key).await.map_err(WebError::session)
    };
    let (Some(id), Some(signed_in_at), Some(last_seen)) = (
        get(STAFF_ID).await?,
        get(SIGNED_IN_AT).await?,
        get(LAST_SEEN).await?,
    ) else {
        return Ok(None);
    };
    let epoch = session
        .get::<i64>(EPOCH)
        .await
        .map_err(WebError::session)?
        .unwrap_or(-1);
    let (Ok(id), Ok(signed_in_at), Ok(last_seen)) = (
        id.parse::<StaffUserId>(),
        signed_in_at.parse::<Timestamp>(),
        last_seen.parse::<Timestamp>(),
    ) else {
        return Ok(None);
    };
    let now = Timestamp::now();
    let security = state.config.security;
    if signed_in_at.plus(security.session_absolute) <= now
        || last_seen.plus(security.session_idle) <= now
    {
        return Ok(None);
    }
    let Some(user) = service::auth::resume(&state.services, id, epoch).await? else {
        return Ok(None);
    };
    if last_seen.plus(chrono::Duration::seconds(TOUCH_EVERY_SECONDS)) <= now {
        session
            .insert(LAST_SEEN, now.canonical())
            .await
            .map_err(WebError::session)?;
    }
    Ok(Some(user))
}

/// Sends the browser to another page; htmx requests get `HX-Redirect` so the whole page changes.
pub fn redirect(to: &'static str, is_htmx: bool) -> Response {
    redirect_to(to, is_htmx)
}

/// `redirect` to a computed path (only paths we build ourselves, never user input).
pub fn redirect_to(to: &str, is_htmx: bool) -> Response {
    let Ok(location) = HeaderValue::from_str(to) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let mut response = if is_htmx {
        StatusCode::OK
    } else {
        StatusCode::SEE_OTHER
    }
    .into_response();
    let name = if is_htmx {
        HeaderName::from_static("hx-redirect")
    } else {
        header::LOCATION
    };
    response.headers_mut().insert(name, location);
    response
}

/// Lets a request through only with a valid session; makes `Staff` available to the handler.
pub async fn require_staff(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let is_htmx = request.headers().contains_key("hx-request");
    let Some(session) = request.extensions().get::<Session>().cloned() else {
        return redirect("/login", is_htmx);
    };
    let user = match current_user(&state, &session).await {
        Ok(Some(user)) => user,
        Ok(None) => {
            // Half-way through a two-step sign-in: back to the code, not to the start.
            match pending_second_factor(&session).await {
                Ok(Some(_)) => return redirect("/login/code", is_htmx),
                Ok(None) => {}
                Err(error) => return error.into_response(),
            }
            if let Err(error) = session.flush().await {
                return WebError::session(error).into_response();
            }
            return redirect("/login", is_htmx);
        }
        Err(error) => return error.into_response(),
    };
    let path = request.uri().path();
    if user.must_change_password && path != "/account/password" && path != "/logout" {
        return redirect("/account/password", is_htmx);
    }
    let enrolment_due = match session.get::<bool>(ENROLMENT_DUE).await {
        Ok(due) => due.unwrap_or(false),
        Err(error) => return WebError::session(error).into_response(),
    };
    if enrolment_due && path != "/account/mfa" && path != "/logout" {
        return redirect("/account/mfa", is_htmx);
    }
    let csrf = match csrf::token(&session).await {
        Ok(token) => token,
        Err(error) => return error.into_response(),
    };
    let (mut parts, body) = request.into_parts();
    let ctx = Ctx::staff(&user, meta_of(&parts));
    parts.extensions.insert(Staff {
        user,
        ctx,
        csrf,
        session,
    });
    next.run(Request::from_parts(parts, body)).await
}
