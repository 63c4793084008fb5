//! Reviewer decisions, with the fixed taxonomy of reasons.

use serde::Serialize;

use super::ids::{ApplicationId, DecisionId, StaffUserId};
use super::time::Timestamp;
use super::wire_enum::wire_enum;

wire_enum!(Outcome, "outcome" { Accept => "accept", Reject => "reject", Remediate => "remediate" });

wire_enum!(
    /// Why an application was rejected or sent back. Fixed so that reports can count them.
    Reason, "reason" {
        DocumentUnreadable => "document_unreadable",
        DocumentExpired => "document_expired",
        FaceMismatch => "face_mismatch",
        DataMismatch => "data_mismatch",
        SuspectedFraud => "suspected_fraud",
        SanctionsHit => "sanctions_hit",
        Underage => "underage",
        UnsupportedDocument => "unsupported_document",
        Other => "other",
    }
);

wire_enum!(
    /// With four-eyes a decision is proposed first and confirmed by someone else.
    DecisionState, "decision state" {
        Proposed => "proposed",
        Confirmed => "confirmed",
        Returned => "returned",
        Invalidated => "invalidated",
    }
);

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decision {
    pub id: DecisionId,
    pub application_id: ApplicationId,
    pub outcome: Outcome,
    pub reasons: Vec<Reason>,
    /// Shown to the tenant.
    pub message_to_applicant: Option<String>,
    /// Never leaves the back-office.
    pub internal_comment: Option<String>,
    pub state: DecisionState,
    pub proposed_by: StaffUserId,
    pub proposed_at: Timestamp,
    pub confirmed_by: Option<StaffUserId>,
    pub confirmed_at: Option<Timestamp>,
}
