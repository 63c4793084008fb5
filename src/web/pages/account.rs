//! A user changes their own password.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::app::AppState;
use crate::service::{self, ServiceError};
use crate::web::auth::{Staff, adopt_epoch};
use crate::web::error::WebError;
use crate::web::layout::Layout;

#[derive(Template, WebTemplate)]
#[template(path = "account/password.html")]
pub struct PasswordPage {
    layout: Layout,
    must_change: bool,
    error: Option<String>,
    done: bool,
}

pub async fn page(staff: Staff) -> PasswordPage {
    PasswordPage {
        must_change: staff.user.must_change_password,
        layout: Layout::for_staff(&staff, "Change password"),
        error: None,
        done: false,
    }
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
    confirm_password: String,
}

pub async fn change(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<PasswordForm>,
) -> Result<Response, WebError> {
    let refuse = |message: String| {
        let page = PasswordPage {
            must_change: staff.user.must_change_password,
            layout: Layout::for_staff(&staff, "Change password"),
            error: Some(message),
            done: false,
        };
        Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
    };
    if form.new_password != form.confirm_password {
        return refuse("The new password and its confirmation differ.".into());
    }
    match service::staff::change_own_password(
        &state.services,
        &staff.ctx,
        &form.current_password,
        &form.new_password,
    )
    .await
    {
        Ok(user) => {
            adopt_epoch(&staff.session, &user).await?;
            let page = PasswordPage {
                must_change: false,
                layout: Layout::for_staff(&staff, "Change password"),
                error: None,
                done: true,
            };
            Ok(page.into_response())
        }
        Err(ServiceError::Invalid(invalid)) => refuse(invalid.message),
        Err(other) => Err(other.into()),
    }
}
