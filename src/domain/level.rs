//! KYC levels (tiers): what an application must contain and how it is decided. Levels are versioned:
//! an edit creates a new version and an application keeps the version it was created with.

use serde::{Deserialize, Serialize};

use super::ids::LevelId;
use super::requirement::Requirement;
use super::time::Timestamp;
use super::wire_enum::wire_enum;

wire_enum!(ApplicantType, "applicant type" { Individual => "individual", Business => "business" });

/// How applications of a level are processed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Policy {
    /// The provider applications are submitted to (`sandbox`, `vouched`, ...), or `manual`.
    pub provider: String,
    /// When true a clear provider result decides without a human; otherwise results go to review.
    pub auto_decision: bool,
    pub max_attempts: i64,
    /// A decision needs a second reviewer to confirm it.
    pub four_eyes: bool,
    /// Hours a case may wait for review before it is late.
    pub sla_hours: i64,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            provider: "sandbox".into(),
            auto_decision: false,
            max_attempts: 3,
            four_eyes: false,
            sla_hours: 24,
        }
    }
}

/// A level as an admin submits it: the content of its next version.
#[derive(Debug, Clone, PartialEq)]
pub struct LevelDraft {
    pub name: String,
    pub tier: i64,
    pub applicant_type: ApplicantType,
    pub requirements: Vec<Requirement>,
    pub policy: Policy,
    pub upgrades_to: Vec<LevelId>,
}

/// One version of a level, immutable once saved.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LevelVersion {
    pub level_id: LevelId,
    pub version: i64,
    pub name: String,
    pub tier: i64,
    pub applicant_type: ApplicantType,
    pub requirements: Vec<Requirement>,
    pub policy: Policy,
    /// Levels an applicant accepted at this level may apply for next.
    pub upgrades_to: Vec<LevelId>,
    pub created_at: Timestamp,
}

impl LevelVersion {
    pub fn requirement(&self, key: &str) -> Option<&Requirement> {
        self.requirements.iter().find(|r| r.key == key)
    }

    /// The first requirement an upload of this type can fill, for clients that do not name one.
    pub fn upload_requirement_for(
        &self,
        doc_type: super::document::DocumentType,
    ) -> Option<&Requirement> {
        self.requirements
            .iter()
            .find(|r| r.accepts_upload(doc_type, None).is_ok())
    }
}
