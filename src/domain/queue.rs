//! The review queue's filters, sort orders and keyset cursor, as values parsed at the edge.

use super::ids::{ApplicationId, LevelId, StaffUserId, TenantId};
use super::status::ApplicationStatus;
use super::time::Timestamp;
use super::wire_enum::wire_enum;

/// Rows per queue page.
pub const PAGE_SIZE: i64 = 50;

/// A text search looks at most at this many matching applicants, the most recently registered: a
/// common surname matching tens of thousands of people would otherwise make every page and every tab
/// count read them all. The page says when a search went past it.
pub const SEARCH_LIMIT: i64 = 1_000;

wire_enum!(
    /// How the queue is ordered; each order is keyset-paginated on (sort key, id).
    #[derive(Default)]
    QueueSort, "sort order" {
        #[default]
        OldestWaiting => "oldest",
        NewestWaiting => "newest",
        RecentlyCreated => "created",
    }
);

impl QueueSort {
    pub fn label(&self) -> &'static str {
        match self {
            QueueSort::OldestWaiting => "Oldest waiting first",
            QueueSort::NewestWaiting => "Newest first",
            QueueSort::RecentlyCreated => "Recently created",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AssigneeFilter {
    #[default]
    Anyone,
    Unassigned,
    Staff(StaffUserId),
}

/// Where the previous page ended: the last row's sort key and id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub key: Timestamp,
    pub id: ApplicationId,
}

impl Cursor {
    /// `<timestamp>_<id>`: URL-safe as it is.
    pub fn encode(&self) -> String {
        format!("{}_{}", self.key.canonical(), self.id)
    }

    pub fn decode(s: &str) -> Option<Cursor> {
        let (key, id) = s.split_once('_')?;
        Some(Cursor {
            key: key.parse().ok()?,
            id: id.parse().ok()?,
        })
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueueFilter {
    pub status: Option<ApplicationStatus>,
    pub level: Option<LevelId>,
    pub tenant: Option<TenantId>,
    pub provider: Option<String>,
    pub assignee: AssigneeFilter,
    /// Created on or after / before (exclusive) these instants.
    pub created_from: Option<Timestamp>,
    pub created_until: Option<Timestamp>,
    pub failures_only: bool,
    /// Applicant name, e-mail, external id, or an application id.
    pub search: Option<String>,
    pub sort: QueueSort,
    pub after: Option<Cursor>,
}

impl QueueFilter {
    /// Whether nothing but the tenant and the level narrows the applications (status, order and
    /// cursor aside): the per-status counts can then come from kept counters. Destructured so that
    /// a new filter cannot be forgotten here.
    pub fn narrows_by_tenant_and_level_only(&self) -> bool {
        let QueueFilter {
            status: _,
            level: _,
            tenant: _,
            provider,
            assignee,
            created_from,
            created_until,
            failures_only,
            search,
            sort: _,
            after: _,
        } = self;
        provider.is_none()
            && *assignee == AssigneeFilter::Anyone
            && created_from.is_none()
            && created_until.is_none()
            && !failures_only
            && search.as_deref().is_none_or(|s| s.trim().is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_none() {
        let cursor = Cursor {
            key: Timestamp::now(),
            id: ApplicationId::generate(),
        };
        assert_eq!(Cursor::decode(&cursor.encode()), Some(cursor));
        assert_eq!(Cursor::decode("nope"), None);
        assert_eq!(Cursor::decode("2026-01-01T00:00:00Z_notanid"), None);
    }

    #[test]
    fn sorts_parse_from_their_wire_names() {
        assert_eq!("newest".parse::<QueueSort>(), Ok(QueueSort::NewestWaiting));
        assert_eq!(QueueSort::default(), QueueSort::OldestWaiting);
    }
}
