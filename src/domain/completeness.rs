//! Whether an application is complete enough to send to review: every required answer given, every
//! required document in force (see `document::in_force`), and after remediation every document the
//! reviewer asked for uploaded again.

use std::collections::BTreeMap;

use super::document::{DocumentSide, DocumentType};
use super::level::LevelVersion;
use super::requirement::RequirementKind;

/// An uploaded document as completeness sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Upload<'a> {
    pub requirement_key: Option<&'a str>,
    pub doc_type: DocumentType,
    pub side: Option<DocumentSide>,
}

/// A passport is one page; other identity documents need every side the requirement lists.
fn satisfies(sides: &[DocumentSide], uploads: &[&Upload<'_>]) -> bool {
    if uploads.iter().any(|u| u.doc_type == DocumentType::Passport) {
        return true;
    }
    if uploads.is_empty() {
        return false;
    }
    sides.is_empty()
        || sides.iter().all(|side| {
            uploads
                .iter()
                .any(|u| u.side == Some(*side) || u.side.is_none() && *side == DocumentSide::Front)
        })
}

/// The keys of required requirements that are not yet fulfilled, in level order.
pub fn missing_requirements(
    level: &LevelVersion,
    answers: &BTreeMap<String, serde_json::Value>,
    uploads: &[Upload<'_>],
) -> Vec<String> {
    level
        .requirements
        .iter()
        .filter(|r| r.required)
        .filter(|r| {
            let uploaded: Vec<&Upload<'_>> = uploads
                .iter()
                .filter(|u| u.requirement_key == Some(r.key.as_str()))
                .collect();
            match &r.kind {
                RequirementKind::Document { sides, .. } => !satisfies(sides, &uploaded),
                RequirementKind::Selfie | RequirementKind::Liveness => uploaded.is_empty(),
                _ => !answers.contains_key(&r.key),
            }
        })
        .map(|r| r.key.clone())
        .collect()
}

/// The requirements a reviewer asked to redo that need a new upload and have none in the new
/// attempt. (Answers are edited in place, so only documents can be told apart by attempt.)
pub fn not_redone(
    level: &LevelVersion,
    redo: &[String],
    new_uploads: &[Upload<'_>],
) -> Vec<String> {
    level
        .requirements
        .iter()
        .filter(|r| redo.contains(&r.key))
        .filter(|r| {
            matches!(
                r.kind,
                RequirementKind::Document { .. }
                    | RequirementKind::Selfie
                    | RequirementKind::Liveness
            )
        })
        .filter(|r| {
            !new_uploads
                .iter()
                .any(|u| u.requirement_key == Some(r.key.as_str()))
        })
        .map(|r| r.key.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::LevelId;
    use crate::domain::level::{ApplicantType, Policy};
    use crate::domain::requirement::Requirement;
    use crate::domain::time::Timestamp;
    use serde_json::json;

    fn level() -> LevelVersion {
        let req = |key: &str, kind| Requirement {
            key: key.into(),
            label: key.into(),
            required: true,
            kind,
        };
        LevelVersion {
            level_id: LevelId::generate(),
            version: 1,
            name: "Standard".into(),
            tier: 2,
            applicant_type: ApplicantType::Individual,
            requirements: vec![
                req("first_name", RequirementKind::Text),
                req(
                    "identity_document",
                    RequirementKind::Document {
                        document_types: vec![DocumentType::Passport, DocumentType::IdCard],
                        sides: vec![DocumentSide::Front, DocumentSide::Back],
                    },
                ),
                req("selfie", RequirementKind::Selfie),
                Requirement {
                    key: "nickname".into(),
                    label: "Nickname".into(),
                    required: false,
                    kind: RequirementKind::Text,
                },
            ],
            policy: Policy::default(),
            upgrades_to: vec![],
            created_at: Timestamp::now(),
        }
    }

    fn upload(key: &'static str, doc_type: DocumentType, side: DocumentSide) -> Upload<'static> {
        Upload {
            requirement_key: Some(key),
            doc_type,
            side: Some(side),
        }
    }

    #[test]
    fn everything_missing_at_first_and_optional_items_never() {
        assert_eq!(
            missing_requirements(&level(), &BTreeMap::new(), &[]),
            ["first_name", "identity_document", "selfie"]
        );
    }

    #[test]
    fn an_id_card_needs_both_sides_a_passport_one_page() {
        let answers = BTreeMap::from([("first_name".to_owned(), json!("Ada"))]);
        let front = upload(
            "identity_document",
            DocumentType::IdCard,
            DocumentSide::Front,
        );
        let back = upload(
            "identity_document",
            DocumentType::IdCard,
            DocumentSide::Back,
        );
        let selfie = upload("selfie", DocumentType::Selfie, DocumentSide::Front);
        assert_eq!(
            missing_requirements(&level(), &answers, &[front, selfie]),
            ["identity_document"]
        );
        assert!(missing_requirements(&level(), &answers, &[front, back, selfie]).is_empty());
        let passport = upload(
            "identity_document",
            DocumentType::Passport,
            DocumentSide::Front,
        );
        assert!(missing_requirements(&level(), &answers, &[passport, selfie]).is_empty());
    }

    #[test]
    fn a_document_asked_for_again_needs_a_new_upload_answers_do_not() {
        let redo = ["identity_document".to_owned(), "first_name".to_owned()];
        assert_eq!(not_redone(&level(), &redo, &[]), ["identity_document"]);
        let passport = upload(
            "identity_document",
            DocumentType::Passport,
            DocumentSide::Front,
        );
        assert!(not_redone(&level(), &redo, &[passport]).is_empty());
    }
}
