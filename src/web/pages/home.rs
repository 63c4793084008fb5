//! The home dashboard: counts by status, the oldest waiting case, my cases, today's decisions, and how
//! long cases in review have waited, drawn as an SVG bar chart on the server.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;

use crate::app::AppState;
use crate::domain::permission::Permission;
use crate::domain::status::ApplicationStatus;
use crate::domain::time::Timestamp;
use crate::service::dashboard::AGING_BUCKETS;
use crate::service::{self, applications::ApplicationSummary};
use crate::web::auth::Staff;
use crate::web::error::WebError;
use crate::web::format;
use crate::web::layout::Layout;

/// One bar of the aging chart, in SVG user units.
pub struct Bar {
    label: &'static str,
    count: i64,
    x: i64,
    y: i64,
    height: i64,
    label_y: i64,
    class: &'static str,
}

const CHART_HEIGHT: i64 = 160;
const BAR_WIDTH: i64 = 70;
const BAR_GAP: i64 = 30;

fn bars(aging: &[i64; 5]) -> Vec<Bar> {
    let max = aging.iter().copied().max().unwrap_or(0).max(1);
    let classes = ["bar-fresh", "bar-fresh", "bar-aging", "bar-old", "bar-old"];
    (0_i64..)
        .zip(aging.iter().zip(AGING_BUCKETS).zip(classes))
        .map(|(i, ((count, label), class))| {
            let height = count * CHART_HEIGHT / max;
            Bar {
                label,
                count: *count,
                x: 10 + i * (BAR_WIDTH + BAR_GAP),
                y: 10 + CHART_HEIGHT - height,
                height,
                label_y: CHART_HEIGHT + 30,
                class,
            }
        })
        .collect()
}

pub struct Tile {
    status: &'static str,
    count: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
pub struct HomePage {
    layout: Layout,
    tiles: Vec<Tile>,
    oldest: Option<(String, String)>,
    assigned_to_me: Option<i64>,
    decisions_today: Vec<(String, i64)>,
    bars: Vec<Bar>,
    in_review: i64,
    can_work: bool,
    recent: Vec<ApplicationSummary>,
}

pub async fn page(State(state): State<AppState>, staff: Staff) -> Result<HomePage, WebError> {
    let dashboard = service::dashboard::dashboard(&state.services, &staff.ctx).await?;
    let recent = service::applications::recently_updated(&state.services, &staff.ctx, 10).await?;
    let now = Timestamp::now();
    let tiles = ApplicationStatus::ALL
        .iter()
        .map(|s| Tile {
            status: s.as_str(),
            count: dashboard
                .counts
                .iter()
                .find(|(c, _)| c == s)
                .map_or(0, |(_, n)| *n),
        })
        .collect();
    Ok(HomePage {
        layout: Layout::for_staff(&staff, "Home"),
        tiles,
        oldest: dashboard
            .oldest_in_review
            .map(|t| (format::waiting(t, now), format::when(t))),
        assigned_to_me: dashboard.assigned_to_me,
        decisions_today: dashboard.decisions_today,
        in_review: dashboard.aging.iter().sum(),
        bars: bars(&dashboard.aging),
        can_work: staff.ctx.can(Permission::WorkCases),
        recent,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_tallest() {
        let drawn = bars(&[0, 5, 10, 0, 1]);
        assert_eq!(drawn[2].height, CHART_HEIGHT);
        assert_eq!(drawn[1].height, CHART_HEIGHT / 2);
        assert_eq!(drawn[0].height, 0);
        assert!(drawn.iter().all(|b| b.y + b.height == 10 + CHART_HEIGHT));
    }
}
