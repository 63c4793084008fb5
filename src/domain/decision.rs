//! Reviewer decisions: the fixed taxonomy of reasons, what a valid decision contains, and the
//! four-eyes rule (a proposal is confirmed by someone else, on the application as it was proposed).

use serde::Serialize;

use super::ids::{ApplicationId, DecisionId, StaffUserId};
use super::level::LevelVersion;
use super::status::ApplicationStatus;
use super::time::Timestamp;
use super::validate::Invalid;
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

impl Reason {
    pub fn label(&self) -> &'static str {
        match self {
            Reason::DocumentUnreadable => "Document unreadable",
            Reason::DocumentExpired => "Document expired",
            Reason::FaceMismatch => "Face does not match",
            Reason::DataMismatch => "Data does not match",
            Reason::SuspectedFraud => "Suspected fraud",
            Reason::SanctionsHit => "Sanctions hit",
            Reason::Underage => "Under age",
            Reason::UnsupportedDocument => "Unsupported document",
            Reason::Other => "Other",
        }
    }
}

wire_enum!(
    /// With four-eyes a decision is proposed first and confirmed (or sent back) by someone else.
    DecisionState, "decision state" {
        Proposed => "proposed",
        Confirmed => "confirmed",
        Returned => "returned",
        Invalidated => "invalidated",
    }
);

impl Outcome {
    /// The status an application reaches with this outcome.
    pub fn target_status(&self) -> ApplicationStatus {
        match self {
            Outcome::Accept => ApplicationStatus::Accepted,
            Outcome::Reject => ApplicationStatus::Rejected,
            Outcome::Remediate => ApplicationStatus::Remediate,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decision {
    pub id: DecisionId,
    pub application_id: ApplicationId,
    pub outcome: Outcome,
    pub reasons: Vec<Reason>,
    /// Requirement keys the applicant must redo (remediation only).
    pub remediation: Vec<String>,
    /// Shown to the tenant.
    pub message_to_applicant: Option<String>,
    /// Never leaves the back-office.
    pub internal_comment: Option<String>,
    pub state: DecisionState,
    /// The application version this decision was made on.
    pub application_version: i64,
    pub proposed_by: StaffUserId,
    pub proposed_at: Timestamp,
    /// The second reviewer under four-eyes.
    pub reviewed_by: Option<StaffUserId>,
    pub reviewed_at: Option<Timestamp>,
}

const MAX_MESSAGE_CHARS: usize = 2000;
const MAX_COMMENT_CHARS: usize = 4000;

/// A decision as a reviewer submits it, checked against the application's level.
#[derive(Debug, Clone, PartialEq)]
pub struct DecisionInput {
    pub outcome: Outcome,
    pub reasons: Vec<Reason>,
    pub remediation: Vec<String>,
    pub message_to_applicant: Option<String>,
    pub internal_comment: Option<String>,
}

fn invalid(code: &'static str, message: impl Into<String>) -> Invalid {
    Invalid {
        code,
        message: message.into(),
    }
}

fn bounded(text: Option<String>, max: usize, what: &str) -> Result<Option<String>, Invalid> {
    let text = text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
    match text {
        Some(t) if t.chars().count() > max => Err(invalid(
            "too_long",
            format!("the {what} must be at most {max} characters"),
        )),
        other => Ok(other),
    }
}

impl DecisionInput {
    pub fn new(
        outcome: Outcome,
        mut reasons: Vec<Reason>,
        mut remediation: Vec<String>,
        message_to_applicant: Option<String>,
        internal_comment: Option<String>,
        level: &LevelVersion,
    ) -> Result<Self, Invalid> {
        reasons.dedup();
        remediation.retain(|key| !key.trim().is_empty());
        remediation.dedup();
        match outcome {
            Outcome::Reject | Outcome::Remediate if reasons.is_empty() => {
                return Err(invalid(
                    "reason_required",
                    format!("to {outcome}, give at least one reason"),
                ));
            }
            Outcome::Remediate if remediation.is_empty() => {
                return Err(invalid(
                    "remediation_required",
                    "name the requirements or documents the applicant must redo",
                ));
            }
            Outcome::Accept | Outcome::Reject if !remediation.is_empty() => {
                return Err(invalid(
                    "remediation_not_allowed",
                    "only a remediation names items to redo",
                ));
            }
            _ => {}
        }
        if let Some(unknown) = remediation
            .iter()
            .find(|key| level.requirement(key).is_none())
        {
            return Err(invalid(
                "unknown_requirement",
                format!("{unknown:?} is not a requirement of this level"),
            ));
        }
        Ok(Self {
            outcome,
            reasons,
            remediation,
            message_to_applicant: bounded(
                message_to_applicant,
                MAX_MESSAGE_CHARS,
                "message to the applicant",
            )?,
            internal_comment: bounded(internal_comment, MAX_COMMENT_CHARS, "internal comment")?,
        })
    }
}

/// Why a proposal cannot be confirmed or sent back by this reviewer now.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReviewRefusal {
    #[error("the reviewer who proposed a decision cannot also confirm it or send it back")]
    SameReviewer,
    #[error("this decision is no longer waiting for confirmation")]
    NotProposed,
    #[error(
        "the application changed after the proposal; the proposal is void and must be made again"
    )]
    Outdated,
}

impl Decision {
    /// The four-eyes rule for the second reviewer.
    pub fn check_review(
        &self,
        reviewer: StaffUserId,
        application_version: i64,
    ) -> Result<(), ReviewRefusal> {
        if self.state != DecisionState::Proposed {
            return Err(ReviewRefusal::NotProposed);
        }
        if self.proposed_by == reviewer {
            return Err(ReviewRefusal::SameReviewer);
        }
        if self.application_version != application_version {
            return Err(ReviewRefusal::Outdated);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::LevelId;
    use crate::domain::level::{ApplicantType, Policy};
    use crate::domain::requirement::{Requirement, RequirementKind};

    fn level() -> LevelVersion {
        LevelVersion {
            level_id: LevelId::generate(),
            version: 1,
            name: "Standard".into(),
            tier: 2,
            applicant_type: ApplicantType::Individual,
            requirements: vec![Requirement {
                key: "selfie".into(),
                label: "Selfie".into(),
                required: true,
                kind: RequirementKind::Selfie,
            }],
            policy: Policy::default(),
            upgrades_to: vec![],
            created_at: Timestamp::now(),
        }
    }

    fn input(
        outcome: Outcome,
        reasons: Vec<Reason>,
        remediation: Vec<&str>,
    ) -> Result<DecisionInput, &'static str> {
        DecisionInput::new(
            outcome,
            reasons,
            remediation.into_iter().map(String::from).collect(),
            Some("  ".into()),
            None,
            &level(),
        )
        .map_err(|e| e.code)
    }

    #[test]
    fn reject_and_remediate_need_reasons_and_remediation_needs_items() {
        assert!(input(Outcome::Accept, vec![], vec![]).is_ok());
        assert_eq!(
            input(Outcome::Reject, vec![], vec![]),
            Err("reason_required")
        );
        assert!(input(Outcome::Reject, vec![Reason::SuspectedFraud], vec![]).is_ok());
        assert_eq!(
            input(Outcome::Remediate, vec![Reason::DocumentUnreadable], vec![]),
            Err("remediation_required")
        );
        assert_eq!(
            input(
                Outcome::Remediate,
                vec![Reason::DocumentUnreadable],
                vec!["passport"]
            ),
            Err("unknown_requirement")
        );
        let ok = input(
            Outcome::Remediate,
            vec![Reason::DocumentUnreadable],
            vec!["selfie"],
        )
        .expect("valid");
        assert_eq!(ok.remediation, ["selfie"]);
        assert_eq!(ok.message_to_applicant, None, "blank text is no text");
        assert_eq!(
            input(Outcome::Accept, vec![], vec!["selfie"]),
            Err("remediation_not_allowed")
        );
    }

    #[test]
    fn long_texts_are_refused() {
        let long = DecisionInput::new(
            Outcome::Accept,
            vec![],
            vec![],
            Some("x".repeat(2001)),
            None,
            &level(),
        );
        assert_eq!(long.map_err(|e| e.code), Err("too_long"));
    }

    #[test]
    fn four_eyes_needs_another_reviewer_on_the_same_version() {
        let proposer = StaffUserId::generate();
        let other = StaffUserId::generate();
        let decision = Decision {
            id: DecisionId::generate(),
            application_id: ApplicationId::generate(),
            outcome: Outcome::Accept,
            reasons: vec![],
            remediation: vec![],
            message_to_applicant: None,
            internal_comment: None,
            state: DecisionState::Proposed,
            application_version: 7,
            proposed_by: proposer,
            proposed_at: Timestamp::now(),
            reviewed_by: None,
            reviewed_at: None,
        };
        assert_eq!(decision.check_review(other, 7), Ok(()));
        assert_eq!(
            decision.check_review(proposer, 7),
            Err(ReviewRefusal::SameReviewer)
        );
        assert_eq!(
            decision.check_review(other, 8),
            Err(ReviewRefusal::Outdated)
        );
        let done = Decision {
            state: DecisionState::Confirmed,
            ..decision
        };
        assert_eq!(done.check_review(other, 7), Err(ReviewRefusal::NotProposed));
    }

    #[test]
    fn outcomes_lead_to_their_status() {
        assert_eq!(
            Outcome::Remediate.target_status(),
            ApplicationStatus::Remediate
        );
        assert_eq!(Reason::FaceMismatch.label(), "Face does not match");
    }
}
