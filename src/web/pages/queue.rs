//! The review queue: tabs per status with counts, filters and search in the query string, keyset
//! pages. htmx swaps only `QueueResults`; a plain request gets the page around it.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Response};
use axum_htmx::HxRequest;
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::domain::queue::{AssigneeFilter, Cursor, QueueFilter, QueueSort, SEARCH_LIMIT};
use crate::domain::status::ApplicationStatus;
use crate::domain::time::Timestamp;
use crate::domain::validate::date::IsoDate;
use crate::service;
use crate::store::queue::Choice;
use crate::web::auth::{Staff, redirect};
use crate::web::error::WebError;
use crate::web::format;
use crate::web::layout::Layout;

/// The queue's query string, exactly as shareable URLs carry it.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct QueueQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    level: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tenant: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    provider: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    assignee: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    until: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    failures: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    q: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sort: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    after: Option<String>,
}

fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn bad(what: &str) -> WebError {
    WebError::BadRequest(format!("the filter {what} is not valid"))
}

impl QueueQuery {
    /// The same query with other values, for tab and page links (`None` removes a parameter).
    fn with(&self, status: Option<&str>, after: Option<String>) -> String {
        let mut next = self.clone();
        next.status = status.map(str::to_owned);
        next.after = after;
        let query = serde_urlencoded::to_string(&next).unwrap_or_default();
        if query.is_empty() {
            "/applications".into()
        } else {
            format!("/applications?{query}")
        }
    }

    /// Parses the query into a filter. Missing status means the review tab; `all` means every status.
    fn filter(&self, staff: &Staff) -> Result<QueueFilter, WebError> {
        let day = |value: &Option<String>, what: &str| -> Result<Option<Timestamp>, WebError> {
            present(value)
                .map(|v| {
                    let date = IsoDate::parse(v).map_err(|_| bad(what))?;
                    let start = chrono::NaiveDate::from_ymd_opt(
                        i32::from(date.year()),
                        u32::from(date.month()),
                        u32::from(date.day()),
                    )
                    .and_then(|d| d.and_hms_opt(0, 0, 0))
                    .ok_or_else(|| bad(what))?;
                    Ok(Timestamp::from_datetime(start.and_utc()))
                })
                .transpose()
        };
        Ok(QueueFilter {
            status: match present(&self.status) {
                None => Some(ApplicationStatus::Review),
                Some("all") => None,
                Some(s) => Some(s.parse().map_err(|_| bad("status"))?),
            },
            level: present(&self.level)
                .map(str::parse)
                .transpose()
                .map_err(|_| bad("level"))?,
            tenant: present(&self.tenant)
                .map(str::parse)
                .transpose()
                .map_err(|_| bad("tenant"))?,
            provider: present(&self.provider).map(str::to_owned),
            assignee: match present(&self.assignee) {
                None | Some("anyone") => AssigneeFilter::Anyone,
                Some("me") => AssigneeFilter::Staff(staff.user.id),
                Some("unassigned") => AssigneeFilter::Unassigned,
                Some(id) => AssigneeFilter::Staff(id.parse().map_err(|_| bad("assignee"))?),
            },
            created_from: day(&self.from, "from")?,
            created_until: day(&self.until, "until")?.map(|t| t.plus(chrono::Duration::days(1))),
            failures_only: present(&self.failures).is_some(),
            search: present(&self.q).map(|q| q.chars().take(200).collect()),
            sort: present(&self.sort)
                .map(str::parse)
                .transpose()
                .map_err(|_| bad("sort"))?
                .unwrap_or_default(),
            after: present(&self.after)
                .map(|a| Cursor::decode(a).ok_or_else(|| bad("page")))
                .transpose()?,
        })
    }
}

pub struct Tab {
    label: String,
    count: i64,
    href: String,
    active: bool,
}

pub struct Row {
    id: String,
    applicant: String,
    external_id: String,
    tenant: String,
    level: String,
    status: &'static str,
    result: (&'static str, &'static str),
    attempt: String,
    waiting: String,
    sla: &'static str,
    assignee: Option<String>,
}

#[derive(Template)]
#[template(path = "queue/_results.html")]
pub struct QueueResults {
    /// The tab shown, kept in the filter form (`form="queue-filters"`) as tabs change.
    status: String,
    tabs: Vec<Tab>,
    rows: Vec<Row>,
    next_href: Option<String>,
    first_href: Option<String>,
    /// The search term, when it matched more applicants than a search looks at.
    overflowing_search: Option<String>,
    search_limit: String,
}

pub struct FilterForm {
    query: QueueQuery,
    levels: Vec<Choice>,
    tenants: Vec<Choice>,
    reviewers: Vec<Choice>,
    providers: Vec<String>,
    sorts: Vec<(&'static str, &'static str)>,
    can_work: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "queue/page.html")]
pub struct QueuePage {
    layout: Layout,
    form: FilterForm,
    results: QueueResults,
}

fn is(value: &Option<String>, expected: &str) -> bool {
    value.as_deref() == Some(expected)
}

pub async fn page(
    State(state): State<AppState>,
    staff: Staff,
    HxRequest(is_htmx): HxRequest,
    Query(query): Query<QueueQuery>,
) -> Result<Response, WebError> {
    let filter = query.filter(&staff)?;
    let view = service::queue::queue(&state.services, &staff.ctx, &filter).await?;
    let now = Timestamp::now();
    let current = filter.status.map(|s| s.as_str());
    let total: i64 = view.counts.iter().map(|(_, n)| n).sum();
    let mut tabs = vec![Tab {
        label: "All".into(),
        count: total,
        href: query.with(Some("all"), None),
        active: current.is_none(),
    }];
    for status in ApplicationStatus::ALL {
        let count = view
            .counts
            .iter()
            .find(|(s, _)| *s == status)
            .map_or(0, |(_, n)| *n);
        tabs.push(Tab {
            label: status.as_str().into(),
            count,
            href: query.with(Some(status.as_str()), None),
            active: current == Some(status.as_str()),
        });
    }
    let status_param = present(&query.status).map(str::to_owned);
    let next_href = match (view.has_more, view.rows.last()) {
        (true, Some(last)) => {
            let key = if filter.sort == QueueSort::RecentlyCreated {
                last.created_at
            } else {
                last.status_changed_at
            };
            Some(query.with(
                status_param.as_deref(),
                Some(Cursor { key, id: last.id }.encode()),
            ))
        }
        _ => None,
    };
    let first_href = filter
        .after
        .as_ref()
        .map(|_| query.with(status_param.as_deref(), None));
    let rows = view
        .rows
        .iter()
        .map(|r| Row {
            id: r.id.to_string(),
            applicant: r.applicant_name.clone(),
            external_id: r.external_id.clone(),
            tenant: r.tenant_name.clone(),
            level: format!("{} · tier {}", r.level_name, r.tier),
            status: r.status.as_str(),
            result: format::result_badge(r.findings_summary),
            attempt: format!("{} of {}", r.attempt, r.max_attempts),
            waiting: format::waiting(r.status_changed_at, now),
            sla: if r.status == ApplicationStatus::Review {
                format::sla_class(r.status_changed_at, now, r.sla_hours)
            } else {
                ""
            },
            assignee: r.assignee_email.clone(),
        })
        .collect();
    let status = present(&query.status).unwrap_or("review").to_owned();
    let results = QueueResults {
        status,
        tabs,
        rows,
        next_href,
        first_href,
        overflowing_search: view
            .search_overflows
            .then(|| filter.search.clone().unwrap_or_default()),
        search_limit: format::thousands(SEARCH_LIMIT),
    };
    if is_htmx {
        return Ok(Html(results.render()?).into_response());
    }
    let of_kind = |kind: &str| {
        view.choices
            .iter()
            .filter(|c| c.kind == kind)
            .cloned()
            .collect::<Vec<_>>()
    };
    let mut providers: Vec<String> = view
        .choices
        .iter()
        .filter_map(|c| c.provider.clone())
        .collect();
    providers.sort();
    providers.dedup();
    let form = FilterForm {
        levels: of_kind("level"),
        tenants: of_kind("tenant"),
        reviewers: of_kind("reviewer"),
        providers,
        sorts: QueueSort::ALL
            .iter()
            .map(|s| (s.as_str(), s.label()))
            .collect(),
        can_work: staff
            .ctx
            .can(crate::domain::permission::Permission::WorkCases),
        query,
    };
    Ok(QueuePage {
        layout: Layout::for_staff(&staff, "Queue"),
        form,
        results,
    }
    .into_response())
}

/// "Next case": claim the longest-waiting unassigned case in review and open it.
pub async fn next_case(
    State(state): State<AppState>,
    staff: Staff,
    HxRequest(is_htmx): HxRequest,
) -> Result<Response, WebError> {
    match service::cases::next_case(&state.services, &staff.ctx).await? {
        Some(id) => {
            let to = format!("/applications/{id}");
            Ok(crate::web::auth::redirect_to(&to, is_htmx))
        }
        None => Ok(redirect(
            "/applications?status=review&assignee=unassigned",
            is_htmx,
        )),
    }
}

impl FilterForm {
    fn selected(&self, field: &Option<String>, value: &str) -> bool {
        is(field, value)
    }
}
