//! Record keeping (FATF Recommendation 11): records are kept for a period after the business
//! relationship ends, longer under a legal hold. Erasure itself comes later; this says how long.

use chrono::Months;

use super::time::Timestamp;
use super::validate::Invalid;

/// The default: five years after the relationship ends.
pub const DEFAULT_YEARS: u32 = 5;

/// How long records are kept after the relationship ends, in whole years (1 to 30).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionPeriod(u32);

impl Default for RetentionPeriod {
    fn default() -> Self {
        Self(DEFAULT_YEARS)
    }
}

impl RetentionPeriod {
    pub fn years(years: i64) -> Result<Self, Invalid> {
        u32::try_from(years)
            .ok()
            .filter(|y| (1..=30).contains(y))
            .map(Self)
            .ok_or_else(|| Invalid {
                code: "invalid_retention_period",
                message: "the retention period must be 1 to 30 years".into(),
            })
    }

    pub fn as_years(&self) -> u32 {
        self.0
    }
}

/// Where one applicant's records stand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Retention {
    /// A legal hold: kept whatever the period says.
    Held { reason: String },
    /// The relationship is still open (an application is not final, or none ever was).
    Open,
    /// Kept until this date: the period after the last final decision.
    Until(Timestamp),
}

/// The relationship ends, for retention, when the applicant's last application became final.
pub fn retention(
    period: RetentionPeriod,
    relationship_ended: Option<Timestamp>,
    hold: Option<&str>,
) -> Retention {
    if let Some(reason) = hold {
        return Retention::Held {
            reason: reason.to_owned(),
        };
    }
    match relationship_ended {
        None => Retention::Open,
        Some(ended) => {
            let until = ended
                .as_datetime()
                .checked_add_months(Months::new(period.as_years() * 12))
                .map_or(ended, Timestamp::from_datetime);
            Retention::Until(until)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_period_runs_from_the_end_of_the_relationship() {
        let ended: Timestamp = "2026-11-22T10:00:00Z".parse().expect("time");
        assert_eq!(
            retention(RetentionPeriod::default(), Some(ended), None),
            Retention::Until("2031-11-22T10:00:00Z".parse().expect("time"))
        );
        assert_eq!(
            retention(RetentionPeriod::default(), None, None),
            Retention::Open
        );
        assert_eq!(
            retention(
                RetentionPeriod::default(),
                Some(ended),
                Some("court order 12")
            ),
            Retention::Held {
                reason: "court order 12".into()
            }
        );
    }

    #[test]
    fn periods_are_whole_years_within_reason() {
        assert_eq!(RetentionPeriod::years(7).map(|p| p.as_years()), Ok(7));
        for bad in [0, 31, -5] {
            assert_eq!(
                RetentionPeriod::years(bad).expect_err("refused").code,
                "invalid_retention_period"
            );
        }
    }
}
