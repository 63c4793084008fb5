//! The review queue.

use super::{Ctx, ServiceError, Services};
use crate::domain::permission::Permission;
use crate::domain::queue::QueueFilter;
use crate::domain::status::ApplicationStatus;
use crate::store;
use crate::store::queue::{Choice, QueueRow};

pub struct QueueView {
    pub rows: Vec<QueueRow>,
    pub has_more: bool,
    /// Per status, under the current filters.
    pub counts: Vec<(ApplicationStatus, i64)>,
    pub choices: Vec<Choice>,
    /// The text search matched more applicants than it looks at (`SEARCH_LIMIT`): rows and counts
    /// cover the most recently registered of them.
    pub search_overflows: bool,
}

/// A queue page: three statements (page, counts, filter choices) whatever the page size; a search
/// adds one to choose its index and one to tell whether it went past `SEARCH_LIMIT`.
pub async fn queue(
    services: &Services,
    ctx: &Ctx,
    filter: &QueueFilter,
) -> Result<QueueView, ServiceError> {
    ctx.require(services, Permission::ViewCases, "application.list")
        .await?;
    let mut conn = services.store.conn().await?;
    let backend = services.store.backend();
    let resolved = store::queue::resolve(&mut conn, backend, filter).await?;
    let (rows, has_more) = store::queue::page(&mut conn, &resolved).await?;
    let counts = store::queue::counts(&mut conn, &resolved).await?;
    let choices = store::queue::choices(&mut conn).await?;
    let search_overflows = store::queue::search_overflows(&mut conn, &resolved).await?;
    Ok(QueueView {
        rows,
        has_more,
        counts,
        choices,
        search_overflows,
    })
}

/// Applications per status under the filter (for a counts strip refreshed after a decision).
pub async fn counts(
    services: &Services,
    ctx: &Ctx,
    filter: &QueueFilter,
) -> Result<Vec<(ApplicationStatus, i64)>, ServiceError> {
    ctx.require(services, Permission::ViewCases, "application.list")
        .await?;
    let mut conn = services.store.conn().await?;
    let resolved = store::queue::resolve(&mut conn, services.store.backend(), filter).await?;
    Ok(store::queue::counts(&mut conn, &resolved).await?)
}

/// Active reviewers, to assign cases to.
pub async fn reviewers(services: &Services, ctx: &Ctx) -> Result<Vec<Choice>, ServiceError> {
    ctx.require(services, Permission::ViewCases, "staff_user.list_reviewers")
        .await?;
    let mut conn = services.store.conn().await?;
    Ok(store::queue::choices(&mut conn)
        .await?
        .into_iter()
        .filter(|c| c.kind == "reviewer")
        .collect())
}
