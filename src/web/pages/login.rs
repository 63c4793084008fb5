//! Sign-in and sign-out.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::time::Instant;
use tower_sessions::Session;

use crate::app::AppState;
use crate::service::auth::{LockoutPolicy, SignIn, SignInError};
use crate::service::{self};
use crate::web::auth::{
    Staff, await_second_factor, current_user, pending_second_factor, redirect, require_enrolment,
    start_session,
};
use crate::web::csrf;
use crate::web::error::WebError;
use crate::web::layout::Layout;
use crate::web::request_meta::Meta;

/// The only message a refused sign-in gets, whatever the reason.
const REFUSED: &str = "Sign-in failed. Check your e-mail and password. After 5 failed attempts an account is locked for a while.";

/// A refused code: wrong, already used, or the account is locked.
const WRONG_CODE: &str = "That code was not accepted. Codes work once; wait for the next one. After 5 failed attempts an account is locked for a while.";

/// The answer once an address has had too many refusals (a spray over many accounts).
const THROTTLED: &str =
    "Too many failed sign-ins from your network. Wait a minute, then try again.";

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
pub struct LoginPage {
    layout: Layout,
    email: String,
    error: Option<&'static str>,
}

pub async fn page(State(state): State<AppState>, session: Session) -> Result<Response, WebError> {
    if current_user(&state, &session).await?.is_some() {
        return Ok(redirect("/", false));
    }
    let csrf = csrf::token(&session).await?;
    Ok(LoginPage {
        layout: Layout::anonymous("Sign in", csrf),
        email: String::new(),
        error: None,
    }
    .into_response())
}

#[derive(Deserialize)]
pub struct SignInForm {
    email: String,
    password: String,
}

pub async fn submit(
    State(state): State<AppState>,
    Meta(meta): Meta,
    session: Session,
    Form(form): Form<SignInForm>,
) -> Result<Response, WebError> {
    let address = meta.client_ip.clone().unwrap_or_default();
    if let Some(throttled) = throttled(&state, &session, &address, &form.email).await? {
        return Ok(throttled);
    }
    match service::auth::sign_in(
        &state.services,
        &meta,
        lockout(&state),
        &form.email,
        &form.password,
    )
    .await
    {
        Ok(SignIn::Complete(user)) => {
            start_session(&session, &user).await?;
            Ok(redirect(landing(&user), false))
        }
        Ok(SignIn::CodeDue(user)) => {
            await_second_factor(&session, &user).await?;
            Ok(redirect("/login/code", false))
        }
        Ok(SignIn::EnrolmentDue(user)) => {
            start_session(&session, &user).await?;
            require_enrolment(&session, true).await?;
            Ok(redirect("/account/mfa", false))
        }
        Err(SignInError::Refused) => {
            state
                .throttles
                .sign_in_failures
                .spend(address, Instant::now());
            let page = refused_page(&session, form.email, REFUSED).await?;
            Ok((StatusCode::UNAUTHORIZED, page).into_response())
        }
        Err(SignInError::Service(error)) => Err(error.into()),
    }
}

fn lockout(state: &AppState) -> LockoutPolicy {
    LockoutPolicy {
        max_failures: state.config.security.lockout_failures,
        lock_for: state.config.security.lockout,
    }
}

/// Where a user goes once signed in.
fn landing(user: &crate::domain::staff::StaffUser) -> &'static str {
    if user.must_change_password {
        "/account/password"
    } else {
        "/"
    }
}

/// 429 once this address has had too many refusals (a spray over many accounts, or many codes).
async fn throttled(
    state: &AppState,
    session: &Session,
    address: &str,
    email: &str,
) -> Result<Option<Response>, WebError> {
    let Err(wait) = state
        .throttles
        .sign_in_failures
        .peek(address.to_owned(), Instant::now())
    else {
        return Ok(None);
    };
    let page = refused_page(session, email.to_owned(), THROTTLED).await?;
    let retry_after = (header::RETRY_AFTER, (wait.as_secs() + 1).to_string());
    Ok(Some(
        (StatusCode::TOO_MANY_REQUESTS, [retry_after], page).into_response(),
    ))
}

#[derive(Template, WebTemplate)]
#[template(path = "login_code.html")]
pub struct CodePage {
    layout: Layout,
    error: Option<&'static str>,
}

/// The second sign-in step: the code from the user's authenticator app.
pub async fn code_page(session: Session) -> Result<Response, WebError> {
    if pending_second_factor(&session).await?.is_none() {
        return Ok(redirect("/login", false));
    }
    Ok(CodePage {
        layout: Layout::anonymous("Sign-in code", csrf::token(&session).await?),
        error: None,
    }
    .into_response())
}

#[derive(Deserialize)]
pub struct CodeForm {
    code: String,
}

pub async fn submit_code(
    State(state): State<AppState>,
    Meta(meta): Meta,
    session: Session,
    Form(form): Form<CodeForm>,
) -> Result<Response, WebError> {
    let Some(id) = pending_second_factor(&session).await? else {
        return Ok(redirect("/login", false));
    };
    let address = meta.client_ip.clone().unwrap_or_default();
    if let Some(throttled) = throttled(&state, &session, &address, "").await? {
        return Ok(throttled);
    }
    match service::auth::second_factor(&state.services, &meta, lockout(&state), id, &form.code)
        .await
    {
        Ok(user) => {
            start_session(&session, &user).await?;
            Ok(redirect(landing(&user), false))
        }
        Err(SignInError::Refused) => {
            state
                .throttles
                .sign_in_failures
                .spend(address, Instant::now());
            let page = CodePage {
                layout: Layout::anonymous("Sign-in code", csrf::token(&session).await?),
                error: Some(WRONG_CODE),
            };
            Ok((StatusCode::UNAUTHORIZED, page).into_response())
        }
        Err(SignInError::Service(error)) => Err(error.into()),
    }
}

/// The sign-in form again, with the e-mail kept and why it was refused.
async fn refused_page(
    session: &Session,
    email: String,
    error: &'static str,
) -> Result<LoginPage, WebError> {
    Ok(LoginPage {
        layout: Layout::anonymous("Sign in", csrf::token(session).await?),
        email,
        error: Some(error),
    })
}

pub async fn logout(State(state): State<AppState>, staff: Staff) -> Result<Response, WebError> {
    service::auth::sign_out(&state.services, &staff.ctx).await?;
    staff.session.flush().await.map_err(WebError::session)?;
    Ok(redirect("/login", false))
}
