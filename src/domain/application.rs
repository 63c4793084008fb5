//! A KYC application: one attempt of an applicant to reach a level.

use std::collections::BTreeMap;

use serde::Serialize;

use super::check::Severity;
use super::ids::{ApplicantId, ApplicationId, LevelId, StaffUserId, TenantId};
use super::status::{ApplicationStatus, TransitionActor, check_transition};
use super::time::Timestamp;
use super::wire_enum::wire_enum;

wire_enum!(ApplicationKind, "application type" { Kyc => "kyc", Kyb => "kyb" });

impl ApplicationKind {
    /// People apply for KYC, businesses for KYB.
    pub fn for_applicant(applicant_type: super::level::ApplicantType) -> ApplicationKind {
        match applicant_type {
            super::level::ApplicantType::Individual => ApplicationKind::Kyc,
            super::level::ApplicantType::Business => ApplicationKind::Kyb,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Application {
    pub id: ApplicationId,
    pub tenant_id: TenantId,
    pub applicant_id: ApplicantId,
    pub level_id: LevelId,
    pub level_version: i64,
    pub kind: ApplicationKind,
    pub provider: String,
    pub provider_reference: Option<String>,
    pub status: ApplicationStatus,
    pub attempt: i64,
    pub max_attempts: i64,
    /// Questionnaire answers by requirement key, normalized.
    pub attributes: BTreeMap<String, serde_json::Value>,
    /// Provider parameters passed through (seed 003 `params`).
    pub params: serde_json::Value,
    /// Verification asserted by the tenant (seed 000 `client_verification`).
    pub client_verification: Option<serde_json::Value>,
    pub webhook_url: Option<String>,
    pub assignee_id: Option<StaffUserId>,
    /// The worst finding severity over all checks so far; `None` before any check.
    pub findings_summary: Option<Severity>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// When the current status began: how long the case has been waiting.
    pub status_changed_at: Timestamp,
    /// Optimistic concurrency: every change of content says which version it read.
    pub version: i64,
}

impl Application {
    /// Applies a status change if the machine allows it. Resubmitting after remediation starts a new attempt.
    pub fn transition(
        &mut self,
        to: ApplicationStatus,
        actor: TransitionActor,
        at: Timestamp,
    ) -> Result<(), super::status::InvalidTransition> {
        check_transition(self.status, to, actor)?;
        if self.status == ApplicationStatus::Remediate && to == ApplicationStatus::Pending {
            self.attempt += 1;
        }
        self.status = to;
        self.updated_at = at;
        self.status_changed_at = at;
        Ok(())
    }

    /// Folds new findings into the summary: the worst severity seen so far stays.
    pub fn record_findings(&mut self, worst: Option<Severity>) {
        self.findings_summary = match (self.findings_summary, worst) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
    }

    /// The attempt the tenant's uploads belong to: while the application waits for remediation,
    /// the next one (sending it back to review starts that attempt).
    pub fn intake_attempt(&self) -> i64 {
        if self.status == ApplicationStatus::Remediate {
            self.attempt + 1
        } else {
            self.attempt
        }
    }

    /// Whether another attempt is allowed after remediation.
    pub fn attempts_left(&self) -> bool {
        self.attempt < self.max_attempts
    }
}

/// One id a mobile SDK hands back after running its own capture with the provider (seed 002
/// `accountId`, `workflowId`): 1..=200 printable characters without spaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SdkReference(String);

impl SdkReference {
    pub fn parse(s: &str) -> Result<Self, super::validate::Invalid> {
        let id = s.trim();
        if id.is_empty()
            || id.chars().count() > 200
            || id.chars().any(|c| c.is_control() || c.is_whitespace())
        {
            return Err(super::validate::Invalid {
                code: "invalid_reference",
                message: "must be 1 to 200 printable characters without spaces".into(),
            });
        }
        Ok(Self(id.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The provider's references of the verification an SDK ran for one attempt of an application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SdkReferences {
    pub account_id: SdkReference,
    pub workflow_id: SdkReference,
}
