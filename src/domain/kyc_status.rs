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

#[cfg(test)]
mod tests {
    use super::*;

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
