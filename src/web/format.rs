//! Small formatting helpers shared by the pages (durations, timestamps, statuses).

use crate::domain::check::Severity;
use crate::domain::time::Timestamp;

/// "3 d 4 h", "5 h 20 min", "12 min".
pub fn waiting(since: Timestamp, now: Timestamp) -> String {
    let minutes = (now.as_datetime() - since.as_datetime())
        .num_minutes()
        .max(0);
    let (days, hours, mins) = (minutes / 1440, (minutes % 1440) / 60, minutes % 60);
    match (days, hours) {
        (0, 0) => format!("{mins} min"),
        (0, _) => format!("{hours} h {mins} min"),
        _ => format!("{days} d {hours} h"),
    }
}

/// The SLA colour class: on time, close to the limit (over 75 %), or late.
pub fn sla_class(since: Timestamp, now: Timestamp, sla_hours: i64) -> &'static str {
    let waited = (now.as_datetime() - since.as_datetime()).num_minutes();
    let limit = sla_hours.max(1) * 60;
    if waited >= limit {
        "sla-late"
    } else if waited * 4 >= limit * 3 {
        "sla-near"
    } else {
        "sla-ok"
    }
}

/// `2026-11-22 08:15` in UTC.
pub fn when(at: Timestamp) -> String {
    at.as_datetime().format("%Y-%m-%d %H:%M UTC").to_string()
}

/// The same for a stored canonical timestamp string.
pub fn when_text(at: &str) -> String {
    at.parse::<Timestamp>()
        .map(when)
        .unwrap_or_else(|_| at.to_owned())
}

/// Label and CSS class of a provider result summary.
pub fn result_badge(summary: Option<Severity>) -> (&'static str, &'static str) {
    match summary {
        None => ("no result", "badge"),
        Some(Severity::Info) => ("clear", "badge ok"),
        Some(Severity::Warning) => ("consider", "badge warn"),
        Some(Severity::Failure) => ("failures", "badge off"),
    }
}

/// `application.status_changed` → `Status changed`.
pub fn humanize_action(action: &str) -> String {
    let tail = action.rsplit_once('.').map_or(action, |(_, t)| t);
    let subject = action.split('.').next().unwrap_or("");
    let words = tail.replace('_', " ");
    let mut chars = words.chars();
    let sentence = match chars.next() {
        Some(first) => first.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    };
    match subject {
        "application" | "" => sentence,
        other => format!("{} {}", other.replace('_', " "), words)
            .trim()
            .to_owned(),
    }
}

/// 1234567 → `1,234,567`.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(40_000), "40,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(-1_000), "-1,000");
    }
    use chrono::Duration;

    #[test]
    fn waiting_times_read_naturally() {
        let now = Timestamp::now();
        assert_eq!(waiting(now.plus(Duration::minutes(-12)), now), "12 min");
        assert_eq!(
            waiting(now.plus(Duration::minutes(-320)), now),
            "5 h 20 min"
        );
        assert_eq!(waiting(now.plus(Duration::hours(-76)), now), "3 d 4 h");
    }

    #[test]
    fn sla_colours() {
        let now = Timestamp::now();
        assert_eq!(sla_class(now.plus(Duration::hours(-1)), now, 24), "sla-ok");
        assert_eq!(
            sla_class(now.plus(Duration::hours(-20)), now, 24),
            "sla-near"
        );
        assert_eq!(
            sla_class(now.plus(Duration::hours(-25)), now, 24),
            "sla-late"
        );
    }

    #[test]
    fn actions_become_words() {
        assert_eq!(
            humanize_action("application.status_changed"),
            "Status changed"
        );
        assert_eq!(humanize_action("document.viewed"), "document viewed");
        assert_eq!(
            humanize_action("check.raw_payload_viewed"),
            "check raw payload viewed"
        );
    }
}
