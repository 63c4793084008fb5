//! Applications as staff see them.

use super::{Ctx, ServiceError, Services};
use crate::domain::permission::Permission;
use crate::store;

pub use crate::store::applications::ApplicationSummary;

/// The applications changed most recently, for the home page.
pub async fn recently_updated(
    services: &Services,
    ctx: &Ctx,
    limit: i64,
) -> Result<Vec<ApplicationSummary>, ServiceError> {
    ctx.require(services, Permission::ViewCases, "application.list")
        .await?;
    let mut conn = services.store.conn().await?;
    Ok(store::applications::recently_updated(&mut conn, limit.clamp(1, 100)).await?)
}
