//! What the base layout needs: the page title, the signed-in user and their navigation, the CSRF token.

use super::auth::Staff;
use crate::domain::permission::Permission;

pub struct Nav {
    pub email: String,
    pub roles: String,
    pub administer: bool,
    /// Auditors see the audit log.
    pub audit: bool,
}

pub struct Layout {
    pub title: String,
    pub nav: Option<Nav>,
    pub csrf: String,
}

impl Layout {
    pub fn for_staff(staff: &Staff, title: &str) -> Self {
        let nav = Nav {
            email: staff.user.email.as_str().to_owned(),
            roles: staff.user.roles.to_string(),
            administer: staff.ctx.can(Permission::Administer),
            audit: staff.ctx.can(Permission::Audit),
        };
        Self {
            title: title.to_owned(),
            nav: Some(nav),
            csrf: staff.csrf.clone(),
        }
    }

    /// For pages outside a session (sign-in) that still post a form.
    pub fn anonymous(title: &str, csrf: String) -> Self {
        Self {
            title: title.to_owned(),
            nav: None,
            csrf,
        }
    }

    /// For error pages.
    pub fn bare(title: &str) -> Self {
        Self {
            title: title.to_owned(),
            nav: None,
            csrf: String::new(),
        }
    }
}

/// htmx requests get the partial; a plain request gets the page that wraps it (same URL, with or without JS).
pub fn partial_or_page<P: askama::Template, Page: axum::response::IntoResponse>(
    is_htmx: bool,
    partial: P,
    page: impl FnOnce(P) -> Page,
) -> Result<axum::response::Response, super::error::WebError> {
    use axum::response::IntoResponse;
    if is_htmx {
        Ok(axum::response::Html(partial.render()?).into_response())
    } else {
        Ok(page(partial).into_response())
    }
}
