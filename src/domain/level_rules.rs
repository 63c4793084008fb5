//! What makes a level valid, and what changed between two versions of one.

use std::collections::{HashMap, HashSet};

use super::ids::LevelId;
use super::level::{LevelDraft, LevelVersion};
use super::requirement::{Requirement, RequirementKind};
use super::validate::Invalid;

/// Longest level name and requirement label.
const MAX_NAME: usize = 100;
/// Requirement keys are machine names: `first_name`, `proof_of_address`.
const MAX_KEY: usize = 64;

fn problem(code: &'static str, message: impl Into<String>) -> Invalid {
    Invalid {
        code,
        message: message.into(),
    }
}

fn key_is_valid(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= MAX_KEY
        && key.starts_with(|c: char| c.is_ascii_lowercase())
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn requirement_problems(r: &Requirement, legal_documents: &[String], out: &mut Vec<Invalid>) {
    let name = if r.key.is_empty() {
        "a requirement"
    } else {
        &r.key
    };
    if r.label.trim().is_empty() || r.label.chars().count() > MAX_NAME {
        out.push(problem(
            "invalid_label",
            format!("{name}: the label must be 1 to {MAX_NAME} characters"),
        ));
    }
    match &r.kind {
        RequirementKind::Select { options } => {
            if options.is_empty() {
                out.push(problem(
                    "no_options",
                    format!("{name}: a select needs at least one option"),
                ));
            }
            let mut seen = HashSet::new();
            if let Some(dup) = options.iter().find(|o| !seen.insert(o.value.as_str())) {
                out.push(problem(
                    "duplicate_option",
                    format!("{name}: option {:?} is listed twice", dup.value),
                ));
            }
            if options.iter().any(|o| o.value.trim().is_empty()) {
                out.push(problem(
                    "empty_option",
                    format!("{name}: options need a value"),
                ));
            }
        }
        RequirementKind::Document { document_types, .. } if document_types.is_empty() => {
            out.push(problem(
                "no_document_types",
                format!("{name}: choose at least one document type"),
            ));
        }
        RequirementKind::GovernmentId { id_types } if id_types.is_empty() => {
            out.push(problem(
                "no_id_types",
                format!("{name}: choose at least one government id type"),
            ));
        }
        RequirementKind::LegalDocument { document_id }
            if !legal_documents.contains(document_id) =>
        {
            out.push(problem(
                "unknown_legal_document",
                format!("{name}: choose an existing legal document"),
            ));
        }
        _ => {}
    }
}

/// Every reason the draft cannot be saved, in form order. `id` is the level being edited (none for
/// a new one), `levels` the current version of every level (for upgrade targets and cycles),
/// `legal_documents` the ids requirements may point to, `providers` the provider names this
/// installation knows.
pub fn check(
    draft: &LevelDraft,
    id: Option<LevelId>,
    levels: &[LevelVersion],
    legal_documents: &[String],
    providers: &[&str],
) -> Result<(), Vec<Invalid>> {
    let mut out = Vec::new();
    let name = draft.name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME {
        out.push(problem(
            "invalid_level_name",
            format!("the name must be 1 to {MAX_NAME} characters"),
        ));
    } else if levels
        .iter()
        .any(|l| Some(l.level_id) != id && l.name.eq_ignore_ascii_case(name))
    {
        out.push(problem(
            "duplicate_level_name",
            format!("another level is called {name:?}"),
        ));
    }
    if !(1..=10).contains(&draft.tier) {
        out.push(problem("invalid_tier", "the tier must be 1 to 10"));
    }
    if draft.requirements.is_empty() {
        out.push(problem(
            "no_requirements",
            "a level needs at least one requirement",
        ));
    }
    let mut keys = HashSet::new();
    for r in &draft.requirements {
        if !key_is_valid(&r.key) {
            out.push(problem(
                "invalid_requirement_key",
                format!(
                    "requirement key {:?} must start with a lowercase letter and hold only a-z, 0-9 and _ (at most {MAX_KEY})",
                    r.key
                ),
            ));
        } else if !keys.insert(r.key.as_str()) {
            out.push(problem(
                "duplicate_requirement_key",
                format!("requirement key {:?} is used twice", r.key),
            ));
        }
        requirement_problems(r, legal_documents, &mut out);
    }
    let policy = &draft.policy;
    if !providers.contains(&policy.provider.as_str()) {
        out.push(problem(
            "unknown_provider",
            format!("unknown provider {:?}", policy.provider),
        ));
    }
    if !(1..=10).contains(&policy.max_attempts) {
        out.push(problem(
            "invalid_max_attempts",
            "max attempts must be 1 to 10",
        ));
    }
    if !(1..=24 * 90).contains(&policy.sla_hours) {
        out.push(problem("invalid_sla", "the SLA must be 1 hour to 90 days"));
    }
    out.extend(upgrade_problems(draft, id, levels));
    if out.is_empty() { Ok(()) } else { Err(out) }
}

fn upgrade_problems(
    draft: &LevelDraft,
    id: Option<LevelId>,
    levels: &[LevelVersion],
) -> Vec<Invalid> {
    let mut out = Vec::new();
    for target in &draft.upgrades_to {
        match levels.iter().find(|l| l.level_id == *target) {
            _ if Some(*target) == id => out.push(problem(
                "upgrade_to_self",
                "a level cannot upgrade to itself",
            )),
            None => out.push(problem(
                "unknown_upgrade",
                "an upgrade target does not exist",
            )),
            Some(level) if level.applicant_type != draft.applicant_type => out.push(problem(
                "upgrade_type_mismatch",
                format!(
                    "{} is for {} applicants; upgrades stay within one applicant type",
                    level.name, level.applicant_type
                ),
            )),
            Some(_) => {}
        }
    }
    if let Some(id) = id
        && let Some(cycle) = cycle_through(id, &draft.upgrades_to, levels)
    {
        let names: Vec<&str> = cycle
            .iter()
            .filter_map(|l| {
                levels
                    .iter()
                    .find(|v| v.level_id == *l)
                    .map(|v| v.name.as_str())
            })
            .collect();
        out.push(problem(
            "upgrade_cycle",
            format!("upgrades would go round in a circle: {}", names.join(" → ")),
        ));
    }
    out
}

/// A path back to `id` through the upgrade graph, with `id` upgrading to `targets` instead of
/// what it does now.
fn cycle_through(
    id: LevelId,
    targets: &[LevelId],
    levels: &[LevelVersion],
) -> Option<Vec<LevelId>> {
    let mut edges: HashMap<LevelId, &[LevelId]> = levels
        .iter()
        .map(|l| (l.level_id, l.upgrades_to.as_slice()))
        .collect();
    edges.insert(id, targets);
    let mut stack: Vec<(LevelId, Vec<LevelId>)> = vec![(id, vec![id])];
    let mut seen = HashSet::new();
    while let Some((at, path)) = stack.pop() {
        for next in edges.get(&at).copied().unwrap_or_default() {
            if *next == id {
                let mut cycle = path.clone();
                cycle.push(id);
                return Some(cycle);
            }
            if seen.insert(*next) {
                let mut longer = path.clone();
                longer.push(*next);
                stack.push((*next, longer));
            }
        }
    }
    None
}

/// What changed from version `a` to version `b`, one line per change, for admins and auditors.
pub fn diff(a: &LevelVersion, b: &LevelVersion) -> Vec<String> {
    let mut out = Vec::new();
    let mut field = |what: &str, before: String, after: String| {
        if before != after {
            out.push(format!("{what}: {before} → {after}"));
        }
    };
    field("name", a.name.clone(), b.name.clone());
    field("tier", a.tier.to_string(), b.tier.to_string());
    field(
        "applicant type",
        a.applicant_type.to_string(),
        b.applicant_type.to_string(),
    );
    field(
        "provider",
        a.policy.provider.clone(),
        b.policy.provider.clone(),
    );
    field(
        "automatic decisions",
        a.policy.auto_decision.to_string(),
        b.policy.auto_decision.to_string(),
    );
    field(
        "max attempts",
        a.policy.max_attempts.to_string(),
        b.policy.max_attempts.to_string(),
    );
    field(
        "four-eyes",
        a.policy.four_eyes.to_string(),
        b.policy.four_eyes.to_string(),
    );
    field(
        "SLA hours",
        a.policy.sla_hours.to_string(),
        b.policy.sla_hours.to_string(),
    );
    let ids = |v: &LevelVersion| {
        v.upgrades_to
            .iter()
            .map(|l| l.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    field("upgrades to", ids(a), ids(b));
    for r in &b.requirements {
        match a.requirement(&r.key) {
            None => out.push(format!(
                "requirement added: {} ({}, {})",
                r.key,
                r.kind.name(),
                if r.required { "required" } else { "optional" }
            )),
            Some(old) if old != r => out.push(format!("requirement changed: {}", r.key)),
            Some(_) => {}
        }
    }
    for r in &a.requirements {
        if b.requirement(&r.key).is_none() {
            out.push(format!("requirement removed: {}", r.key));
        }
    }
    let order = |v: &LevelVersion, other: &LevelVersion| {
        v.requirements
            .iter()
            .filter(|r| other.requirement(&r.key).is_some())
            .map(|r| r.key.clone())
            .collect::<Vec<_>>()
    };
    if order(a, b) != order(b, a) {
        out.push(format!(
            "requirements reordered: {}",
            order(b, a).join(", ")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::document::{DocumentSide, DocumentType};
    use crate::domain::level::{ApplicantType, Policy};
    use crate::domain::requirement::SelectOption;
    use crate::domain::time::Timestamp;

    fn text(key: &str) -> Requirement {
        Requirement {
            key: key.into(),
            label: "Label".into(),
            required: true,
            kind: RequirementKind::Text,
        }
    }

    fn draft() -> LevelDraft {
        LevelDraft {
            name: "Basic".into(),
            tier: 1,
            applicant_type: ApplicantType::Individual,
            requirements: vec![text("first_name")],
            policy: Policy::default(),
            upgrades_to: vec![],
        }
    }

    fn version(draft: &LevelDraft, id: LevelId) -> LevelVersion {
        LevelVersion {
            level_id: id,
            version: 1,
            name: draft.name.clone(),
            tier: draft.tier,
            applicant_type: draft.applicant_type,
            requirements: draft.requirements.clone(),
            policy: draft.policy.clone(),
            upgrades_to: draft.upgrades_to.clone(),
            created_at: Timestamp::now(),
        }
    }

    fn codes(
        draft: &LevelDraft,
        id: Option<LevelId>,
        levels: &[LevelVersion],
    ) -> Vec<&'static str> {
        match check(
            draft,
            id,
            levels,
            &["terms-v1".to_owned()],
            &["sandbox", "manual"],
        ) {
            Ok(()) => vec![],
            Err(problems) => problems.iter().map(|p| p.code).collect(),
        }
    }

    #[test]
    fn a_plain_level_is_valid() {
        assert_eq!(codes(&draft(), None, &[]), Vec::<&str>::new());
    }

    #[test]
    fn every_problem_has_its_own_message() {
        let mut d = draft();
        d.name = " ".into();
        d.tier = 0;
        d.policy.max_attempts = 0;
        d.policy.sla_hours = 0;
        d.policy.provider = "acme".into();
        d.requirements = vec![
            text("first_name"),
            text("first_name"),
            text("First Name"),
            Requirement {
                label: "".into(),
                ..text("nick")
            },
            Requirement {
                kind: RequirementKind::Select { options: vec![] },
                ..text("plan")
            },
            Requirement {
                kind: RequirementKind::Select {
                    options: vec![
                        SelectOption {
                            value: "a".into(),
                            label: "A".into(),
                        },
                        SelectOption {
                            value: "a".into(),
                            label: "A again".into(),
                        },
                        SelectOption {
                            value: " ".into(),
                            label: "blank".into(),
                        },
                    ],
                },
                ..text("tariff")
            },
            Requirement {
                kind: RequirementKind::Document {
                    document_types: vec![],
                    sides: vec![DocumentSide::Front],
                },
                ..text("passport")
            },
            Requirement {
                kind: RequirementKind::GovernmentId { id_types: vec![] },
                ..text("ssn")
            },
            Requirement {
                kind: RequirementKind::LegalDocument {
                    document_id: "terms-v0".into(),
                },
                ..text("terms")
            },
        ];
        assert_eq!(
            codes(&d, None, &[]),
            [
                "invalid_level_name",
                "invalid_tier",
                "duplicate_requirement_key",
                "invalid_requirement_key",
                "invalid_label",
                "no_options",
                "duplicate_option",
                "empty_option",
                "no_document_types",
                "no_id_types",
                "unknown_legal_document",
                "unknown_provider",
                "invalid_max_attempts",
                "invalid_sla",
            ]
        );
        let mut empty = draft();
        empty.requirements.clear();
        assert_eq!(codes(&empty, None, &[]), ["no_requirements"]);
    }

    #[test]
    fn upgrades_must_exist_match_the_type_and_never_loop() {
        let (a_id, b_id, c_id) = (
            LevelId::generate(),
            LevelId::generate(),
            LevelId::generate(),
        );
        let a = version(
            &LevelDraft {
                name: "A".into(),
                upgrades_to: vec![b_id],
                ..draft()
            },
            a_id,
        );
        let b = version(
            &LevelDraft {
                name: "B".into(),
                upgrades_to: vec![c_id],
                ..draft()
            },
            b_id,
        );
        let c = version(
            &LevelDraft {
                name: "C".into(),
                ..draft()
            },
            c_id,
        );
        let levels = [a.clone(), b, c];
        let closing = LevelDraft {
            name: "C".into(),
            upgrades_to: vec![a_id],
            ..draft()
        };
        assert_eq!(codes(&closing, Some(c_id), &levels), ["upgrade_cycle"]);
        let to_self = LevelDraft {
            name: "C".into(),
            upgrades_to: vec![c_id],
            ..draft()
        };
        assert!(codes(&to_self, Some(c_id), &levels).contains(&"upgrade_to_self"));
        let unknown = LevelDraft {
            name: "D".into(),
            upgrades_to: vec![LevelId::generate()],
            ..draft()
        };
        assert_eq!(codes(&unknown, None, &levels), ["unknown_upgrade"]);
        let business = LevelDraft {
            name: "KYB".into(),
            applicant_type: ApplicantType::Business,
            upgrades_to: vec![a_id],
            ..draft()
        };
        assert_eq!(codes(&business, None, &levels), ["upgrade_type_mismatch"]);
        let same_name = LevelDraft {
            name: "a".into(),
            ..draft()
        };
        assert_eq!(codes(&same_name, None, &levels), ["duplicate_level_name"]);
        assert_eq!(
            codes(
                &LevelDraft {
                    name: "A".into(),
                    upgrades_to: vec![b_id],
                    ..draft()
                },
                Some(a_id),
                &levels
            ),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn diffs_name_each_change() {
        let id = LevelId::generate();
        let before = version(&draft(), id);
        let mut after_draft = draft();
        after_draft.policy.four_eyes = true;
        after_draft.requirements.push(Requirement {
            kind: RequirementKind::Document {
                document_types: vec![DocumentType::Passport],
                sides: vec![],
            },
            ..text("passport")
        });
        let after = version(&after_draft, id);
        assert_eq!(
            diff(&before, &after),
            [
                "four-eyes: false → true",
                "requirement added: passport (document, required)"
            ]
        );
        assert!(diff(&after, &after).is_empty());
        let mut reordered = after.clone();
        reordered.requirements.reverse();
        assert_eq!(
            diff(&after, &reordered),
            ["requirements reordered: passport, first_name"]
        );
        assert_eq!(
            diff(&after, &before),
            ["four-eyes: true → false", "requirement removed: passport"]
        );
    }
}
