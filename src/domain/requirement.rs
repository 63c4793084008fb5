//! Questionnaire items of a level and the validation of the values a tenant fills in.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::document::{DocumentSide, DocumentType};
use super::validate::Invalid;
use super::validate::contact::{Email, PhoneNumber};
use super::validate::country::CountryCode;
use super::validate::date::IsoDate;
use super::validate::government_id::{GovernmentId, GovernmentIdType};

/// Longest free-text answer we keep; longer input is refused rather than cut.
const MAX_TEXT_CHARS: usize = 1000;

/// One questionnaire item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Requirement {
    /// Stable machine key, unique within a level (`first_name`, `passport`).
    pub key: String,
    pub label: String,
    pub required: bool,
    #[serde(flatten)]
    pub kind: RequirementKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelectOption {
    pub value: String,
    pub label: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatureChannel {
    Sms,
    Email,
}

/// What kind of answer a requirement takes, with the options that kind needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RequirementKind {
    Text,
    Date,
    Country,
    Email,
    Phone,
    Address,
    Select {
        options: Vec<SelectOption>,
    },
    /// The value is the id of the accepted legal document version.
    LegalDocument {
        document_id: String,
    },
    Document {
        document_types: Vec<DocumentType>,
        sides: Vec<DocumentSide>,
    },
    Selfie,
    Liveness,
    GovernmentId {
        id_types: Vec<GovernmentIdType>,
    },
    /// A value confirmed with a one-time code sent over the channel.
    Signature {
        channel: SignatureChannel,
    },
}

impl RequirementKind {
    pub fn name(&self) -> &'static str {
        match self {
            RequirementKind::Text => "text",
            RequirementKind::Date => "date",
            RequirementKind::Country => "country",
            RequirementKind::Email => "email",
            RequirementKind::Phone => "phone",
            RequirementKind::Address => "address",
            RequirementKind::Select { .. } => "select",
            RequirementKind::LegalDocument { .. } => "legal_document",
            RequirementKind::Document { .. } => "document",
            RequirementKind::Selfie => "selfie",
            RequirementKind::Liveness => "liveness",
            RequirementKind::GovernmentId { .. } => "government_id",
            RequirementKind::Signature { .. } => "signature",
        }
    }

    /// Documents, selfies and liveness are filled by uploads, not by attribute values.
    pub fn is_upload(&self) -> bool {
        matches!(
            self,
            RequirementKind::Document { .. } | RequirementKind::Selfie | RequirementKind::Liveness
        )
    }
}

fn invalid(code: &'static str, message: impl Into<String>) -> Invalid {
    Invalid {
        code,
        message: message.into(),
    }
}

fn as_text<'v>(value: &'v Value, what: &str) -> Result<&'v str, Invalid> {
    value
        .as_str()
        .ok_or_else(|| invalid("invalid_type", format!("{what} must be a string")))
}

fn non_empty_text(value: &Value, what: &str) -> Result<String, Invalid> {
    let text = as_text(value, what)?.trim();
    if text.is_empty() {
        return Err(invalid("required", format!("{what} must not be empty")));
    }
    if text.chars().count() > MAX_TEXT_CHARS {
        return Err(invalid(
            "too_long",
            format!("{what} must be at most {MAX_TEXT_CHARS} characters"),
        ));
    }
    Ok(text.to_owned())
}

fn address(value: &Value) -> Result<Value, Invalid> {
    let object = value.as_object().ok_or_else(|| {
        invalid(
            "invalid_type",
            "address must be an object with line1, city, postal_code and country",
        )
    })?;
    let field = |name: &str, required: bool| -> Result<Option<String>, Invalid> {
        match object.get(name) {
            None | Some(Value::Null) if !required => Ok(None),
            None | Some(Value::Null) => {
                Err(invalid("required", format!("address.{name} is required")))
            }
            Some(v) => non_empty_text(v, &format!("address.{name}")).map(Some),
        }
    };
    if let Some(unknown) = object.keys().find(|k| {
        !["line1", "line2", "city", "postal_code", "region", "country"].contains(&k.as_str())
    }) {
        return Err(invalid(
            "unknown_field",
            format!("address has no field {unknown:?}"),
        ));
    }
    let country = CountryCode::parse(&field("country", true)?.unwrap_or_default())?;
    Ok(json!({
        "line1": field("line1", true)?,
        "line2": field("line2", false)?,
        "city": field("city", true)?,
        "postal_code": field("postal_code", true)?,
        "region": field("region", false)?,
        "country": country.as_str(),
    }))
}

fn government_id(value: &Value, id_types: &[GovernmentIdType]) -> Result<Value, Invalid> {
    let object = value.as_object().ok_or_else(|| {
        invalid(
            "invalid_type",
            "government id must be an object with type and number",
        )
    })?;
    let id_type = GovernmentIdType::parse(as_text(
        object.get("type").unwrap_or(&Value::Null),
        "government id type",
    )?)?;
    if !id_types.contains(&id_type) {
        let accepted: Vec<&str> = id_types.iter().map(GovernmentIdType::as_str).collect();
        return Err(invalid(
            "unsupported_government_id_type",
            format!("accepted id types: {}", accepted.join(", ")),
        ));
    }
    let id = GovernmentId::parse(
        id_type,
        as_text(
            object.get("number").unwrap_or(&Value::Null),
            "government id number",
        )?,
    )?;
    Ok(json!({"type": id.id_type().as_str(), "number": id.number()}))
}

impl Requirement {
    /// Checks that an upload of this type and side may fill this requirement.
    pub fn accepts_upload(
        &self,
        doc_type: DocumentType,
        side: Option<DocumentSide>,
    ) -> Result<(), Invalid> {
        let ok = match &self.kind {
            RequirementKind::Document {
                document_types,
                sides,
            } => {
                document_types.contains(&doc_type)
                    && side.is_none_or(|s| sides.is_empty() || sides.contains(&s))
            }
            RequirementKind::Selfie | RequirementKind::Liveness => doc_type == DocumentType::Selfie,
            _ => false,
        };
        if ok {
            Ok(())
        } else {
            Err(invalid(
                "document_not_accepted",
                format!(
                    "{} does not take a {doc_type}{} document",
                    self.label,
                    side.map(|s| format!(" ({s})")).unwrap_or_default()
                ),
            ))
        }
    }

    /// Checks a submitted value and returns it in normalized form, ready to store.
    pub fn accept(&self, value: &Value) -> Result<Value, Invalid> {
        match &self.kind {
            RequirementKind::Text => non_empty_text(value, &self.label).map(Value::String),
            RequirementKind::Date => Ok(Value::String(
                IsoDate::parse(as_text(value, &self.label)?)?.to_string(),
            )),
            RequirementKind::Country => Ok(Value::String(
                CountryCode::parse(as_text(value, &self.label)?)?
                    .as_str()
                    .to_owned(),
            )),
            RequirementKind::Email => Ok(Value::String(
                Email::parse(as_text(value, &self.label)?)?
                    .as_str()
                    .to_owned(),
            )),
            RequirementKind::Phone => Ok(Value::String(
                PhoneNumber::parse(as_text(value, &self.label)?)?
                    .as_str()
                    .to_owned(),
            )),
            RequirementKind::Address => address(value),
            RequirementKind::Select { options } => {
                let chosen = as_text(value, &self.label)?;
                options
                    .iter()
                    .find(|option| option.value == chosen)
                    .map(|option| Value::String(option.value.clone()))
                    .ok_or_else(|| {
                        invalid(
                            "invalid_option",
                            format!("{} must be one of the listed options", self.label),
                        )
                    })
            }
            RequirementKind::LegalDocument { document_id } => {
                if as_text(value, &self.label)? == document_id {
                    Ok(Value::String(document_id.clone()))
                } else {
                    Err(invalid(
                        "invalid_legal_document",
                        format!(
                            "{} must be the id of the current legal document version",
                            self.label
                        ),
                    ))
                }
            }
            RequirementKind::GovernmentId { id_types } => government_id(value, id_types),
            RequirementKind::Signature { .. } => {
                non_empty_text(value, &self.label).map(Value::String)
            }
            RequirementKind::Document { .. }
            | RequirementKind::Selfie
            | RequirementKind::Liveness => Err(invalid(
                "upload_required",
                format!("{} is filled by uploading a document", self.label),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn requirement(kind: RequirementKind) -> Requirement {
        Requirement {
            key: "k".into(),
            label: "Field".into(),
            required: true,
            kind,
        }
    }

    #[test]
    fn simple_kinds_normalize_their_values() {
        assert_eq!(
            requirement(RequirementKind::Text).accept(&json!("  Ada ")),
            Ok(json!("Ada"))
        );
        assert_eq!(
            requirement(RequirementKind::Date).accept(&json!("1990-02-28")),
            Ok(json!("1990-02-28"))
        );
        assert_eq!(
            requirement(RequirementKind::Country).accept(&json!("de")),
            Ok(json!("DE"))
        );
        assert_eq!(
            requirement(RequirementKind::Email).accept(&json!("Ada@Example.ORG")),
            Ok(json!("Ada@example.org"))
        );
        assert_eq!(
            requirement(RequirementKind::Phone).accept(&json!("+49 151 1234 5678")),
            Ok(json!("+4915112345678"))
        );
    }

    #[test]
    fn simple_kinds_refuse_bad_values_with_a_code() {
        let cases = [
            (RequirementKind::Text, json!("   "), "required"),
            (RequirementKind::Text, json!(12), "invalid_type"),
            (RequirementKind::Text, json!("x".repeat(1001)), "too_long"),
            (RequirementKind::Date, json!("1990-02-30"), "invalid_date"),
            (RequirementKind::Date, json!("02/03/1990"), "invalid_date"),
            (RequirementKind::Country, json!("UK"), "invalid_country"),
            (
                RequirementKind::Email,
                json!("not-an-email"),
                "invalid_email",
            ),
            (RequirementKind::Phone, json!("0151 12345"), "invalid_phone"),
            (RequirementKind::Selfie, json!("x"), "upload_required"),
        ];
        for (kind, value, code) in cases {
            let name = kind.name();
            assert_eq!(
                requirement(kind).accept(&value).map_err(|e| e.code),
                Err(code),
                "{name} {value}"
            );
        }
    }

    #[test]
    fn select_accepts_only_listed_options() {
        let kind = RequirementKind::Select {
            options: vec![SelectOption {
                value: "salary".into(),
                label: "Salary".into(),
            }],
        };
        assert_eq!(
            requirement(kind.clone()).accept(&json!("salary")),
            Ok(json!("salary"))
        );
        assert_eq!(
            requirement(kind)
                .accept(&json!("lottery"))
                .map_err(|e| e.code),
            Err("invalid_option")
        );
    }

    #[test]
    fn government_ids_check_type_and_format() {
        let kind = RequirementKind::GovernmentId {
            id_types: vec![GovernmentIdType::Ssn, GovernmentIdType::Bvn],
        };
        let req = requirement(kind);
        assert_eq!(
            req.accept(&json!({"type": "ssn", "number": "123-45-6789"})),
            Ok(json!({"type": "ssn", "number": "123456789"}))
        );
        assert_eq!(
            req.accept(&json!({"type": "bvn", "number": "123"}))
                .map_err(|e| e.code),
            Err("invalid_government_id")
        );
        assert_eq!(
            req.accept(&json!({"type": "nin", "number": "12345678901"}))
                .map_err(|e| e.code),
            Err("unsupported_government_id_type")
        );
        assert_eq!(
            req.accept(&json!("123456789")).map_err(|e| e.code),
            Err("invalid_type")
        );
    }

    #[test]
    fn addresses_need_their_parts_and_a_real_country() {
        let req = requirement(RequirementKind::Address);
        let ok = req
            .accept(&json!({"line1": "1 Main St", "city": "Lyon", "postal_code": "69001", "country": "fr"}))
            .expect("valid");
        assert_eq!(ok["country"], json!("FR"));
        assert_eq!(ok["line2"], Value::Null);
        let missing =
            req.accept(&json!({"line1": "1 Main St", "country": "FR", "postal_code": "1"}));
        assert_eq!(
            missing.map_err(|e| e.message),
            Err("address.city is required".to_owned())
        );
        let unknown = req.accept(&json!({"line1": "a", "city": "b", "postal_code": "c", "country": "FR", "planet": "Mars"}));
        assert_eq!(unknown.map_err(|e| e.code), Err("unknown_field"));
    }

    #[test]
    fn legal_documents_must_name_the_current_version() {
        let req = requirement(RequirementKind::LegalDocument {
            document_id: "terms-v3".into(),
        });
        assert_eq!(req.accept(&json!("terms-v3")), Ok(json!("terms-v3")));
        assert_eq!(
            req.accept(&json!("terms-v2")).map_err(|e| e.code),
            Err("invalid_legal_document")
        );
    }

    #[test]
    fn requirements_serialize_flat_with_their_kind() {
        let req = Requirement {
            key: "passport".into(),
            label: "Passport".into(),
            required: true,
            kind: RequirementKind::Document {
                document_types: vec![DocumentType::Passport],
                sides: vec![DocumentSide::Front],
            },
        };
        let json = serde_json::to_value(&req).expect("serializes");
        assert_eq!(json["kind"], json!("document"));
        assert_eq!(json["document_types"], json!(["passport"]));
        let back: Requirement = serde_json::from_value(json).expect("parses back");
        assert_eq!(back, req);
    }
}
