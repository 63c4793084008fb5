//! The home dashboard.

use chrono::{Duration, Utc};

use super::{Ctx, ServiceError, Services};
use crate::domain::permission::Permission;
use crate::domain::status::ApplicationStatus;
use crate::domain::time::Timestamp;
use crate::store;

/// Waiting-time buckets of the aging chart, newest first.
pub const AGING_BUCKETS: [&str; 5] = ["< 4 h", "4–24 h", "1–3 days", "3–7 days", "> 7 days"];

pub struct Dashboard {
    pub counts: Vec<(ApplicationStatus, i64)>,
    pub oldest_in_review: Option<Timestamp>,
    pub assigned_to_me: Option<i64>,
    pub decisions_today: Vec<(String, i64)>,
    /// Cases in review per `AGING_BUCKETS` entry.
    pub aging: [i64; 5],
}

pub async fn dashboard(services: &Services, ctx: &Ctx) -> Result<Dashboard, ServiceError> {
    ctx.require(services, Permission::ViewCases, "dashboard.view")
        .await?;
    let mut conn = services.store.conn().await?;
    let now = Timestamp::now();
    let ago = |hours: i64| now.plus(Duration::hours(-hours));
    let mut aging = [0_i64; 5];
    for (bucket, n) in
        store::dashboard::review_aging(&mut conn, &[ago(4), ago(24), ago(72), ago(168)]).await?
    {
        if let Some(slot) = usize::try_from(bucket).ok().and_then(|b| aging.get_mut(b)) {
            *slot = n;
        }
    }
    let midnight = Utc::now()
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .map(|t| Timestamp::from_datetime(t.and_utc()))
        .unwrap_or(now);
    let reviewer = ctx
        .staff
        .as_ref()
        .filter(|_| ctx.can(Permission::WorkCases))
        .map(|s| s.id);
    let assigned_to_me = match reviewer {
        Some(id) => Some(store::dashboard::assigned_in_review(&mut conn, id).await?),
        None => None,
    };
    Ok(Dashboard {
        counts: store::applications::count_by_status(&mut conn).await?,
        oldest_in_review: store::dashboard::oldest_in_review(&mut conn).await?,
        assigned_to_me,
        decisions_today: store::dashboard::decisions_since(&mut conn, midnight).await?,
        aging,
    })
}
