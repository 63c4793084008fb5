//! The seed's request body, parsed at the edge into domain values: government ids, uploads that
//! passed the native upload checks, answers, the tenant's own verification and the level asked for.

use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::api::applications::ClientVerification;
use crate::api::documents::{JsonUpload, from_json};
use crate::api::error::ApiError;
use crate::domain::challenge::Answer;
use crate::domain::ids::LevelId;
use crate::domain::validate::government_id::{GovernmentId, GovernmentIdType};
use crate::media::detect::MediaKind;
use crate::service::documents::NewUpload;

/// The body as sent; documents stay raw slices of it until they are read one at a time, so that
/// a request holding six files is not held in memory twice over (body and parsed tree).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KycRequest<'a> {
    #[serde(default)]
    perform_kyc: Option<bool>,
    #[serde(default)]
    notes: Option<String>,
    #[serde(default)]
    identifications: Option<Vec<Identification>>,
    #[serde(default)]
    answers: Option<Vec<AnswerBody>>,
    #[serde(default, borrow)]
    document: Option<&'a RawValue>,
    #[serde(default, borrow)]
    client_verification: Option<&'a RawValue>,
    #[serde(default)]
    program_guid: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Identification {
    govt_id_type: String,
    #[serde(default)]
    govt_id_number: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AnswerBody {
    key: String,
    answer: String,
}

/// The tenant's own verification, with the documents that back it.
pub struct ClientCall {
    pub assertion: Value,
    pub uploads: Vec<NewUpload>,
}

/// Everything one call asks for, valid as far as it can be told without the person's level.
pub struct KycCall {
    pub perform: bool,
    pub notes: Option<String>,
    pub government_ids: Vec<GovernmentId>,
    pub uploads: Vec<NewUpload>,
    pub client_verification: Option<ClientCall>,
    pub answers: Vec<Answer>,
    pub level: Option<LevelId>,
}

impl KycCall {
    /// Whether the call changes anything (else it only reads where the person stands).
    pub fn acts(&self) -> bool {
        self.perform
            || self.notes.is_some()
            || !self.government_ids.is_empty()
            || !self.uploads.is_empty()
            || self.client_verification.is_some()
            || !self.answers.is_empty()
    }
}

pub fn bad_request(field: &str, code: &'static str, message: impl Into<String>) -> ApiError {
    ApiError {
        status: StatusCode::BAD_REQUEST,
        ..ApiError::invalid(field, code, message)
    }
}

/// Names a refusal's fields as the request does (`document.front`).
fn within(prefix: &str, mut error: ApiError) -> ApiError {
    for detail in &mut error.details {
        detail.field = if detail.field.is_empty() {
            prefix.to_owned()
        } else {
            format!("{prefix}.{}", detail.field)
        };
    }
    error
}

/// The seed's `govt_id_type` values onto ours; `NOTPROVIDED` means no id was given.
fn government_id_type(raw: &str) -> Result<Option<GovernmentIdType>, ()> {
    let id_type = match raw.trim().to_ascii_uppercase().as_str() {
        "NOTPROVIDED" | "NOT_PROVIDED" => return Ok(None),
        "SSN" => GovernmentIdType::Ssn,
        "BVN" => GovernmentIdType::Bvn,
        "NIN" => GovernmentIdType::Nin,
        "PASSPORT" => GovernmentIdType::Passport,
        "NATIONAL_ID" | "NATIONALID" | "ID_CARD" => GovernmentIdType::NationalId,
        "DRIVERS_LICENSE" | "DRIVER_LICENSE" | "DRIVERS_LICENCE" => GovernmentIdType::DriverLicense,
        "TAX_ID" | "TIN" => GovernmentIdType::TaxId,
        _ => return Err(()),
    };
    Ok(Some(id_type))
}

fn government_ids(identifications: Vec<Identification>) -> Result<Vec<GovernmentId>, ApiError> {
    let mut ids = Vec::new();
    for (i, identification) in identifications.into_iter().enumerate() {
        let field = |name: &str| format!("identifications[{i}].{name}");
        let id_type = government_id_type(&identification.govt_id_type).map_err(|()| {
            bad_request(
                &field("govt_id_type"),
                "unknown_value",
                "govt_id_type must be one of NOTPROVIDED, SSN, BVN, NIN, PASSPORT, NATIONAL_ID, DRIVERS_LICENSE, TAX_ID",
            )
        })?;
        let Some(id_type) = id_type else { continue };
        let number = identification.govt_id_number.unwrap_or_default();
        let id = GovernmentId::parse(id_type, &number)
            .map_err(|e| bad_request(&field("govt_id_number"), e.code, e.message))?;
        ids.push(id);
    }
    Ok(ids)
}

/// A seed `Document` through the native JSON upload's checks (type names, base64, size); the
/// declared `file_type` must be one we know.
fn uploads(prefix: &str, document: &RawValue, limit: usize) -> Result<Vec<NewUpload>, ApiError> {
    if document.get() == "null" {
        return Ok(Vec::new());
    }
    let body: JsonUpload = serde_json::from_str(document.get())
        .map_err(|e| bad_request(prefix, "invalid_shape", e.to_string()))?;
    if let Some(file_type) = body.file_type()
        && MediaKind::from_declared(file_type).is_none()
    {
        return Err(bad_request(
            &format!("{prefix}.file_type"),
            "unknown_value",
            "file_type must be one of BMP, JPG, JPEG, PNG, PDF, TIFF, WEBP",
        ));
    }
    from_json(body, limit).map_err(|e| within(prefix, e))
}

fn client_call(raw: &RawValue, limit: usize) -> Result<ClientCall, ApiError> {
    const PREFIX: &str = "client_verification";
    let shape = |e: serde_json::Error| bad_request(PREFIX, "invalid_shape", e.to_string());
    let mut fields: serde_json::Map<String, Value> = serde_json::Map::new();
    let mut uploads_of = Vec::new();
    let raw_fields: Vec<(String, &RawValue)> =
        serde_json::from_str::<std::collections::BTreeMap<String, &RawValue>>(raw.get())
            .map_err(|_| bad_request(PREFIX, "invalid_shape", "must be an object"))?
            .into_iter()
            .collect();
    for (name, value) in raw_fields {
        if name == "document" {
            uploads_of = uploads(&format!("{PREFIX}.document"), value, limit)?;
        } else {
            fields.insert(name, serde_json::from_str(value.get()).map_err(shape)?);
        }
    }
    let verification: ClientVerification =
        serde_json::from_value(Value::Object(fields)).map_err(shape)?;
    let assertion = verification
        .validate()
        .map_err(|e| within(PREFIX, ApiError::from(e)))?;
    Ok(ClientCall {
        assertion,
        uploads: uploads_of,
    })
}

impl KycRequest<'_> {
    /// The call, with every file checked against `limit` bytes.
    pub fn parse(self, limit: usize) -> Result<KycCall, ApiError> {
        let level = self
            .program_guid
            .as_deref()
            .map(|raw| {
                raw.parse().map_err(|_| {
                    bad_request(
                        "program_guid",
                        "invalid_id",
                        "program_guid must be the id of a KYC level",
                    )
                })
            })
            .transpose()?;
        let answers = self
            .answers
            .unwrap_or_default()
            .into_iter()
            .map(|a| Answer {
                key: a.key,
                answer: a.answer,
            })
            .collect();
        Ok(KycCall {
            perform: self.perform_kyc.unwrap_or(false),
            notes: self.notes.filter(|n| !n.trim().is_empty()),
            government_ids: government_ids(self.identifications.unwrap_or_default())?,
            uploads: match self.document {
                None => Vec::new(),
                Some(document) => uploads("document", document, limit)?,
            },
            client_verification: self
                .client_verification
                .filter(|c| c.get() != "null")
                .map(|c| client_call(c, limit))
                .transpose()?,
            answers,
            level,
        })
    }
}
