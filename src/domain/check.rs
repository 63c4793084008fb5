//! Provider runs on an application or a document, and the findings normalized from them.

use serde::Serialize;

use super::ids::{ApplicationId, CheckId, DocumentId};
use super::time::Timestamp;
use super::wire_enum::wire_enum;

wire_enum!(CheckKind, "check kind" {
    Document => "document",
    Selfie => "selfie",
    FaceMatch => "face_match",
    Database => "database",
    Watchlist => "watchlist",
    Liveness => "liveness",
    Questions => "questions",
});

wire_enum!(CheckStatus, "check status" { Pending => "pending", Completed => "completed", Error => "error" });

wire_enum!(CheckResult, "check result" { Clear => "clear", Consider => "consider", Unknown => "unknown" });

wire_enum!(Severity, "severity" { Info => "info", Warning => "warning", Failure => "failure" });

impl Severity {
    fn rank(&self) -> u8 {
        match self {
            Severity::Info => 0,
            Severity::Warning => 1,
            Severity::Failure => 2,
        }
    }
}

impl PartialOrd for Severity {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Severity {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.rank().cmp(&other.rank())
    }
}

/// One observation from a provider, in one vocabulary whatever the provider.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub code: String,
    pub severity: Severity,
    pub message: String,
    pub field: Option<String>,
    pub value: Option<String>,
    /// 0.0 ..= 1.0 where the provider gives one.
    pub confidence: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    pub id: CheckId,
    pub application_id: ApplicationId,
    pub document_id: Option<DocumentId>,
    pub provider: String,
    pub reference: Option<String>,
    pub kind: CheckKind,
    pub status: CheckStatus,
    pub result: Option<CheckResult>,
    pub score: Option<f64>,
    pub findings: Vec<Finding>,
    /// The provider's payload, verbatim: evidence.
    pub raw_payload: String,
    pub created_at: Timestamp,
}

impl Check {
    /// The worst severity among the findings, for queue summaries.
    pub fn worst_severity(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }
}
