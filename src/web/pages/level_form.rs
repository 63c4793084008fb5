//! The level editor's form: what the browser posts, turned into a `LevelDraft` at the edge, and a
//! level version turned back into form values. Requirement rows repeat, so each row's fields carry
//! the row's token as a prefix (`r3f2.key`) and the hidden `row` fields give their order.

use crate::domain::document::{DocumentSide, DocumentType};
use crate::domain::ids::LevelId;
use crate::domain::level::{ApplicantType, LevelDraft, LevelVersion, Policy};
use crate::domain::requirement::{Requirement, RequirementKind, SelectOption, SignatureChannel};
use crate::domain::validate::government_id::GovernmentIdType;

/// The kinds an admin can choose, as the editor lists them.
pub const KINDS: [(&str, &str); 13] = [
    ("text", "Text"),
    ("date", "Date"),
    ("country", "Country"),
    ("email", "E-mail"),
    ("phone", "Phone"),
    ("address", "Address"),
    ("select", "Select"),
    ("legal_document", "Legal document"),
    ("document", "Document upload"),
    ("selfie", "Selfie"),
    ("liveness", "Liveness"),
    ("government_id", "Government ID"),
    ("signature", "Signature (one-time code)"),
];

/// A posted form as name/value pairs, in order.
pub struct Posted(Vec<(String, String)>);

impl Posted {
    pub fn parse(body: &[u8]) -> Option<Self> {
        serde_urlencoded::from_bytes(body).ok().map(Posted)
    }

    /// The first value of a field, if it was sent.
    pub fn get(&self, name: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    }

    /// The first value of a field, empty when it was not sent.
    pub fn first(&self, name: &str) -> String {
        self.get(name).unwrap_or_default()
    }

    fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(n, _)| n == name)
    }
}

/// One requirement row as typed.
#[derive(Debug, Clone, Default)]
pub struct RowInput {
    pub token: String,
    pub key: String,
    pub label: String,
    pub kind: String,
    pub required: bool,
    /// Select options, one per line: `value | Label`.
    pub options: String,
    pub doc_types: Vec<String>,
    pub sides: Vec<String>,
    pub id_types: Vec<String>,
    pub channel: String,
    pub legal_document: String,
}

/// The whole form as typed.
#[derive(Debug, Clone, Default)]
pub struct LevelInput {
    pub name: String,
    pub tier: String,
    pub applicant_type: String,
    pub provider: String,
    pub auto_decision: bool,
    pub four_eyes: bool,
    pub max_attempts: String,
    pub sla_hours: String,
    pub upgrades_to: Vec<String>,
    pub rows: Vec<RowInput>,
}

/// A fresh row token: short, unique enough within one form.
pub fn token() -> String {
    format!("r{}", &uuid::Uuid::new_v4().simple().to_string()[..8])
}

impl RowInput {
    pub fn blank(kind: &str) -> Self {
        Self {
            token: token(),
            kind: kind.to_owned(),
            required: true,
            ..Self::default()
        }
    }

    /// A row read from posted fields with its token prefix (the row-refresh request posts one row).
    pub fn from_posted(posted: &Posted, token: &str) -> Self {
        let field = |name: &str| format!("{token}.{name}");
        Self {
            token: token.to_owned(),
            key: posted.first(&field("key")).trim().to_owned(),
            label: posted.first(&field("label")).trim().to_owned(),
            kind: posted.first(&field("kind")),
            required: posted.has(&field("required")),
            options: posted.first(&field("options")),
            doc_types: posted.all(&field("doc_types")),
            sides: posted.all(&field("sides")),
            id_types: posted.all(&field("id_types")),
            channel: posted.first(&field("channel")),
            legal_document: posted.first(&field("legal_document")),
        }
    }

    pub fn from_requirement(r: &Requirement) -> Self {
        let mut row = Self {
            token: token(),
            key: r.key.clone(),
            label: r.label.clone(),
            kind: r.kind.name().to_owned(),
            required: r.required,
            ..Self::default()
        };
        match &r.kind {
            RequirementKind::Select { options } => {
                row.options = options
                    .iter()
                    .map(|o| format!("{} | {}", o.value, o.label))
                    .collect::<Vec<_>>()
                    .join("\n");
            }
            RequirementKind::Document {
                document_types,
                sides,
            } => {
                row.doc_types = document_types
                    .iter()
                    .map(|t| t.as_str().to_owned())
                    .collect();
                row.sides = sides.iter().map(|s| s.as_str().to_owned()).collect();
            }
            RequirementKind::GovernmentId { id_types } => {
                row.id_types = id_types.iter().map(|t| t.as_str().to_owned()).collect();
            }
            RequirementKind::Signature { channel } => {
                row.channel = match channel {
                    SignatureChannel::Sms => "sms".into(),
                    SignatureChannel::Email => "email".into(),
                };
            }
            RequirementKind::LegalDocument { document_id } => {
                row.legal_document = document_id.clone();
            }
            _ => {}
        }
        row
    }

    fn to_requirement(&self) -> Result<Requirement, String> {
        let what = if self.key.is_empty() {
            "a requirement"
        } else {
            &self.key
        };
        let parse_all = |values: &[String],
                         parse: &dyn Fn(&str) -> Option<String>|
         -> Result<Vec<String>, String> {
            values
                .iter()
                .map(|v| parse(v).ok_or_else(|| format!("{what}: unknown choice {v:?}")))
                .collect()
        };
        let kind = match self.kind.as_str() {
            "text" => RequirementKind::Text,
            "date" => RequirementKind::Date,
            "country" => RequirementKind::Country,
            "email" => RequirementKind::Email,
            "phone" => RequirementKind::Phone,
            "address" => RequirementKind::Address,
            "selfie" => RequirementKind::Selfie,
            "liveness" => RequirementKind::Liveness,
            "select" => RequirementKind::Select {
                options: self
                    .options
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(|line| {
                        let (value, label) = line.split_once('|').unwrap_or((line, line));
                        SelectOption {
                            value: value.trim().to_owned(),
                            label: label.trim().to_owned(),
                        }
                    })
                    .collect(),
            },
            "document" => {
                parse_all(&self.doc_types, &|v| {
                    v.parse::<DocumentType>().ok().map(|_| v.to_owned())
                })?;
                parse_all(&self.sides, &|v| {
                    v.parse::<DocumentSide>().ok().map(|_| v.to_owned())
                })?;
                RequirementKind::Document {
                    document_types: self
                        .doc_types
                        .iter()
                        .filter_map(|v| v.parse().ok())
                        .collect(),
                    sides: self.sides.iter().filter_map(|v| v.parse().ok()).collect(),
                }
            }
            "government_id" => RequirementKind::GovernmentId {
                id_types: self
                    .id_types
                    .iter()
                    .map(|v| {
                        GovernmentIdType::parse(v)
                            .map_err(|_| format!("{what}: unknown id type {v:?}"))
                    })
                    .collect::<Result<_, _>>()?,
            },
            "signature" => RequirementKind::Signature {
                channel: match self.channel.as_str() {
                    "email" => SignatureChannel::Email,
                    _ => SignatureChannel::Sms,
                },
            },
            "legal_document" => RequirementKind::LegalDocument {
                document_id: self.legal_document.clone(),
            },
            other => return Err(format!("{what}: unknown kind {other:?}")),
        };
        Ok(Requirement {
            key: self.key.clone(),
            label: self.label.clone(),
            required: self.required,
            kind,
        })
    }
}

fn number(text: &str, what: &str, errors: &mut Vec<String>) -> i64 {
    text.trim().parse().unwrap_or_else(|_| {
        errors.push(format!("{what} must be a whole number"));
        0
    })
}

impl LevelInput {
    pub fn blank() -> Self {
        Self {
            tier: "1".into(),
            applicant_type: "individual".into(),
            provider: "sandbox".into(),
            max_attempts: "3".into(),
            sla_hours: "24".into(),
            rows: vec![RowInput::blank("text")],
            ..Self::default()
        }
    }

    pub fn from_posted(posted: &Posted) -> Self {
        Self {
            name: posted.first("name"),
            tier: posted.first("tier"),
            applicant_type: posted.first("applicant_type"),
            provider: posted.first("provider"),
            auto_decision: posted.has("auto_decision"),
            four_eyes: posted.has("four_eyes"),
            max_attempts: posted.first("max_attempts"),
            sla_hours: posted.first("sla_hours"),
            upgrades_to: posted.all("upgrades_to"),
            rows: posted
                .all("row")
                .iter()
                .map(|token| RowInput::from_posted(posted, token))
                .collect(),
        }
    }

    pub fn from_version(level: &LevelVersion) -> Self {
        Self {
            name: level.name.clone(),
            tier: level.tier.to_string(),
            applicant_type: level.applicant_type.as_str().to_owned(),
            provider: level.policy.provider.clone(),
            auto_decision: level.policy.auto_decision,
            four_eyes: level.policy.four_eyes,
            max_attempts: level.policy.max_attempts.to_string(),
            sla_hours: level.policy.sla_hours.to_string(),
            upgrades_to: level.upgrades_to.iter().map(LevelId::to_string).collect(),
            rows: level
                .requirements
                .iter()
                .map(RowInput::from_requirement)
                .collect(),
        }
    }

    /// The draft, or what could not even be read (numbers that are not numbers, unknown choices);
    /// the domain then judges the draft itself.
    pub fn to_draft(&self) -> Result<LevelDraft, Vec<String>> {
        let mut errors = Vec::new();
        let tier = number(&self.tier, "the tier", &mut errors);
        let max_attempts = number(&self.max_attempts, "max attempts", &mut errors);
        let sla_hours = number(&self.sla_hours, "the SLA", &mut errors);
        let applicant_type = self
            .applicant_type
            .parse::<ApplicantType>()
            .unwrap_or_else(|_| {
                errors.push("choose an applicant type".into());
                ApplicantType::Individual
            });
        let upgrades_to = self
            .upgrades_to
            .iter()
            .filter_map(|id| match id.parse::<LevelId>() {
                Ok(id) => Some(id),
                Err(_) => {
                    errors.push("an upgrade target is not a level".into());
                    None
                }
            })
            .collect();
        let requirements = self
            .rows
            .iter()
            .filter_map(|row| row.to_requirement().map_err(|e| errors.push(e)).ok())
            .collect();
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(LevelDraft {
            name: self.name.clone(),
            tier,
            applicant_type,
            requirements,
            policy: Policy {
                provider: self.provider.clone(),
                auto_decision: self.auto_decision,
                max_attempts,
                four_eyes: self.four_eyes,
                sla_hours,
            },
            upgrades_to,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_come_in_the_order_of_their_tokens_with_their_options() {
        let body = "name=Gold&tier=2&applicant_type=individual&provider=sandbox&auto_decision=on&max_attempts=3&sla_hours=12\
            &row=b&b.key=passport&b.label=Passport&b.kind=document&b.required=on&b.doc_types=passport&b.sides=front\
            &row=a&a.key=plan&a.label=Plan&a.kind=select&a.options=basic+%7C+Basic%0D%0Apro";
        let input = LevelInput::from_posted(&Posted::parse(body.as_bytes()).expect("form"));
        let draft = input.to_draft().expect("draft");
        let keys: Vec<&str> = draft.requirements.iter().map(|r| r.key.as_str()).collect();
        assert_eq!(keys, ["passport", "plan"]);
        assert!(draft.requirements[0].required && !draft.requirements[1].required);
        assert!(draft.policy.auto_decision && !draft.policy.four_eyes);
        match &draft.requirements[1].kind {
            RequirementKind::Select { options } => {
                assert_eq!(options.len(), 2);
                assert_eq!(
                    (options[0].value.as_str(), options[0].label.as_str()),
                    ("basic", "Basic")
                );
                assert_eq!(
                    (options[1].value.as_str(), options[1].label.as_str()),
                    ("pro", "pro")
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn unreadable_values_are_reported_not_guessed() {
        let body = "name=X&tier=two&applicant_type=robot&max_attempts=3&sla_hours=x&row=a&a.key=k&a.kind=hologram";
        let errors = LevelInput::from_posted(&Posted::parse(body.as_bytes()).expect("form"))
            .to_draft()
            .expect_err("refused");
        assert_eq!(errors.len(), 4, "{errors:?}");
    }

    #[test]
    fn a_version_round_trips_through_the_form() {
        let draft = LevelDraft {
            name: "Gold".into(),
            tier: 2,
            applicant_type: ApplicantType::Business,
            requirements: vec![Requirement {
                key: "ssn".into(),
                label: "SSN".into(),
                required: false,
                kind: RequirementKind::GovernmentId {
                    id_types: vec![GovernmentIdType::Ssn],
                },
            }],
            policy: Policy::default(),
            upgrades_to: vec![],
        };
        let version = LevelVersion {
            level_id: LevelId::generate(),
            version: 1,
            name: draft.name.clone(),
            tier: draft.tier,
            applicant_type: draft.applicant_type,
            requirements: draft.requirements.clone(),
            policy: draft.policy.clone(),
            upgrades_to: vec![],
            created_at: crate::domain::time::Timestamp::now(),
        };
        assert_eq!(LevelInput::from_version(&version).to_draft(), Ok(draft));
    }
}
