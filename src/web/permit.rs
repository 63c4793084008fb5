//! Permission first: a state-changing back-office route names the permission it needs in the
//! router, and a layer refuses (403, audited) anyone without it before the handler's extractors
//! read the form. A handler that checked after `Form` would answer 422 to a role that may not act.

use axum::extract::{FromRequestParts, Request, State};
use axum::handler::Handler;
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, post};

use super::auth::Staff;
use crate::app::AppState;
use crate::domain::permission::Permission;

#[derive(Clone)]
struct Needed {
    state: AppState,
    permission: Permission,
    attempted: &'static str,
}

/// A POST route that only a staff member holding `permission` reaches; `attempted` is the action
/// the `access.denied` event names (the same name the service layer uses).
pub fn post_if<H, T>(
    state: &AppState,
    permission: Permission,
    attempted: &'static str,
    handler: H,
) -> MethodRouter<AppState>
where
    H: Handler<T, AppState>,
    T: 'static,
{
    let needed = Needed {
        state: state.clone(),
        permission,
        attempted,
    };
    post(handler).route_layer(from_fn_with_state(needed, check))
}

async fn check(State(needed): State<Needed>, request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    // `require_staff` runs outside this layer, so the member is known here.
    let staff = match Staff::from_request_parts(&mut parts, &()).await {
        Ok(staff) => staff,
        Err(error) => return error.into_response(),
    };
    if let Err(error) = staff
        .require(&needed.state, needed.permission, needed.attempted)
        .await
    {
        return error.into_response();
    }
    next.run(Request::from_parts(parts, body)).await
}
