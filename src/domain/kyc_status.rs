//! The applicant's KYC status in seed 002's vocabulary, derived from the latest application.

use serde::Serialize;

use super::status::ApplicationStatus;

/// Computed, never stored: it always agrees with the applications.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum KycStatus {
    NotRegistered,
    Lv1,
    Pending,
    NeedResubmit,
    ApprovedVerified,
    Rejected,
}

impl KycStatus {
    /// Derives the status from the applicant's latest application, if any.
    pub fn derive(latest: Option<ApplicationStatus>) -> KycStatus {
        use ApplicationStatus::*;
        match latest {
            None => KycStatus::NotRegistered,
            Some(Draft) => KycStatus::Lv1,
            Some(Pending | Submitted | Review | Failed) => KycStatus::Pending,
            Some(Remediate) => KycStatus::NeedResubmit,
            Some(Accepted) => KycStatus::ApprovedVerified,
            Some(Rejected) => KycStatus::Rejected,
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            KycStatus::NotRegistered => "NOT_REGISTERED",
            KycStatus::Lv1 => "LV1",
            KycStatus::Pending => "PENDING",
            KycStatus::NeedResubmit => "NEED_RESUBMIT",
            KycStatus::ApprovedVerified => "APPROVED_VERIFIED",
            KycStatus::Rejected => "REJECTED",
        }
    }
}

/// An application's attempts as seed 002 counts them ("user have 3 attempts"): an attempt is used
/// once submitted, and none is left once the application is decided for good.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempts {
    pub used: i64,
    pub max: i64,
    pub left: i64,
}

impl Attempts {
    pub fn of(status: ApplicationStatus, attempt: i64, max_attempts: i64) -> Attempts {
        let used = if status == ApplicationStatus::Draft {
            attempt - 1
        } else {
            attempt
        };
        let left = if status.is_final() {
            0
        } else {
            (max_attempts - used).max(0)
        };
        Attempts {
            used,
            max: max_attempts,
            left,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempts_are_used_by_submission_and_gone_once_final() {
        use ApplicationStatus::*;
        let of = |status, attempt| {
            let a = Attempts::of(status, attempt, 3);
            (a.used, a.left)
        };
        assert_eq!(of(Draft, 1), (0, 3));
        assert_eq!(of(Pending, 1), (1, 2));
        assert_eq!(of(Remediate, 1), (1, 2));
        assert_eq!(of(Review, 2), (2, 1));
        assert_eq!(of(Remediate, 2), (2, 1));
        assert_eq!(of(Rejected, 3), (3, 0));
        assert_eq!(of(Accepted, 1), (1, 0));
        assert_eq!(Attempts::of(Pending, 1, 3).max, 3);
    }

    #[test]
    fn every_application_status_maps_to_the_seed_vocabulary() {
        use ApplicationStatus::*;
        let expected = [
            (Draft, "LV1"),
            (Pending, "PENDING"),
            (Submitted, "PENDING"),
            (Review, "PENDING"),
            (Failed, "PENDING"),
            (Remediate, "NEED_RESUBMIT"),
            (Accepted, "APPROVED_VERIFIED"),
            (Rejected, "REJECTED"),
        ];
        assert_eq!(expected.len(), ApplicationStatus::ALL.len());
        for (status, name) in expected {
            assert_eq!(KycStatus::derive(Some(status)).as_str(), name);
        }
        assert_eq!(KycStatus::derive(None).as_str(), "NOT_REGISTERED");
    }

    #[test]
    fn serializes_as_its_name() {
        let json = serde_json::to_string(&KycStatus::ApprovedVerified).expect("serializes");
        assert_eq!(json, "\"APPROVED_VERIFIED\"");
    }
}
