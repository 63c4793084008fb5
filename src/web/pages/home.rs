//! The home page after sign-in.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;

use crate::app::AppState;
use crate::service::{self, applications::ApplicationSummary};
use crate::web::auth::Staff;
use crate::web::error::WebError;
use crate::web::layout::Layout;

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
pub struct HomePage {
    layout: Layout,
    recent: Vec<ApplicationSummary>,
}

pub async fn page(State(state): State<AppState>, staff: Staff) -> Result<HomePage, WebError> {
    let recent = service::applications::recently_updated(&state.services, &staff.ctx, 15).await?;
    Ok(HomePage {
        layout: Layout::for_staff(&staff, "Home"),
        recent,
    })
}
