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
use crate::service::auth::{LockoutPolicy, SignInError};
use crate::service::{self};
use crate::web::auth::{Staff, current_user, redirect, start_session};
use crate::web::csrf;
use crate::web::error::WebError;
use crate::web::layout::Layout;
use crate::web::request_meta::Meta;

/// The only message a refused sign-in gets, whatever the reason.
const REFUSED: &str = "Sign-in failed. Check your e-mail and password. After 5 failed attempts an account is locked for a while.";

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
    let throttle = &state.throttles.sign_in_failures;
    if let Err(wait) = throttle.peek(address.clone(), Instant::now()) {
        let page = refused_page(&session, form.email, THROTTLED).await?;
        let retry_after = (header::RETRY_AFTER, (wait.as_secs() + 1).to_string());
        return Ok((StatusCode::TOO_MANY_REQUESTS, [retry_after], page).into_response());
    }
    let policy = LockoutPolicy {
        max_failures: state.config.security.lockout_failures,
        lock_for: state.config.security.lockout,
    };
    match service::auth::sign_in(&state.services, &meta, policy, &form.email, &form.password).await
    {
        Ok(user) => {
            start_session(&session, &user).await?;
            Ok(redirect(
                if user.must_change_password {
                    "/account/password"
                } else {
                    "/"
                },
                false,
            ))
        }
        Err(SignInError::Refused) => {
            throttle.spend(address, Instant::now());
            let page = refused_page(&session, form.email, REFUSED).await?;
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
