//! The query strings and JSON bodies of seed 001, read into typed values with DRF's messages, and the
//! scope every request names (`legal_entity_uuid`: the caller's own tenant; `client_uuid`: one of
//! its applicants).

use std::collections::BTreeMap;
use std::str::FromStr;

use axum::http::StatusCode;
use serde_json::{Map, Value};

use super::error::Drf;
use crate::api::error::ApiError;
use crate::domain::ids::{ApplicantId, TenantId};
use crate::service::Ctx;

const REQUIRED: &str = "This field is required.";
const NOT_A_UUID: &str = "Must be a valid UUID.";

/// The query string; the last value of a repeated name wins, as Django's `QueryDict.get`.
pub struct Params(BTreeMap<String, String>);

impl Params {
    pub fn parse(raw: Option<&str>) -> Result<Self, Drf> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or_default())
            .map_err(|_| Drf::field("", "The query string is not valid."))?;
        Ok(Params(pairs.into_iter().collect()))
    }

    fn text(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
    }

    pub fn get(&self, name: &str) -> Option<String> {
        self.text(name).map(str::to_owned)
    }

    pub fn uuid<T: FromStr>(&self, name: &str) -> Result<Option<T>, Drf> {
        self.text(name)
            .map(|v| v.parse().map_err(|_| Drf::field(name, NOT_A_UUID)))
            .transpose()
    }

    pub fn required_uuid<T: FromStr>(&self, name: &str) -> Result<T, Drf> {
        self.uuid(name)?.ok_or_else(|| Drf::field(name, REQUIRED))
    }

    /// DRF's boolean spellings.
    pub fn flag(&self, name: &str) -> Result<Option<bool>, Drf> {
        self.text(name)
            .map(|v| match v.to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" | "on" => Ok(true),
                "false" | "0" | "no" | "off" => Ok(false),
                _ => Err(Drf::field(name, "Must be a valid boolean.")),
            })
            .transpose()
    }

    pub fn int(&self, name: &str) -> Result<Option<i64>, Drf> {
        self.text(name)
            .map(|v| {
                v.parse()
                    .map_err(|_| Drf::field(name, "A valid integer is required."))
            })
            .transpose()
    }

    /// `legal_entity_uuid`, when given, must be the caller's own tenant; another one is not found,
    /// exactly like an unknown one.
    pub fn check_entity(&self, ctx: &Ctx, required: bool) -> Result<(), Drf> {
        let given: Option<TenantId> = self.uuid("legal_entity_uuid")?;
        match given {
            None if required => Err(Drf::field("legal_entity_uuid", REQUIRED)),
            Some(entity) if entity != ctx.tenant_scope()?.id => Err(Drf::not_found("legal entity")),
            _ => Ok(()),
        }
    }

    /// The client a client-scoped request is about: `legal_entity_uuid` and `client_uuid` are both
    /// required. Whether the client is the caller's is checked by the service that loads it.
    pub fn client(&self, ctx: &Ctx) -> Result<ApplicantId, Drf> {
        self.check_entity(ctx, true)?;
        self.required_uuid("client_uuid")
    }

    /// For requests on one application: the scope, when given, must be the application's.
    pub fn check_application_scope(&self, ctx: &Ctx, applicant: ApplicantId) -> Result<(), Drf> {
        self.check_entity(ctx, false)?;
        match self.uuid::<ApplicantId>("client_uuid")? {
            Some(client) if client != applicant => Err(Drf::not_found("application")),
            _ => Ok(()),
        }
    }
}

/// A JSON object body. DRF reads an empty body as an empty object.
pub struct Body(Map<String, Value>);

impl Body {
    pub fn parse(bytes: &[u8]) -> Result<Self, Drf> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Body(Map::new()));
        }
        match serde_json::from_slice(bytes) {
            Ok(Value::Object(map)) => Ok(Body(map)),
            Ok(other) => Err(Drf::field(
                "",
                format!(
                    "Invalid data. Expected a dictionary, but got {}.",
                    type_name(&other)
                ),
            )),
            Err(error) => Err(Drf(ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_json",
                format!("JSON parse error - {error}"),
            ))),
        }
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name).filter(|v| !v.is_null())
    }

    pub fn text(&self, name: &str) -> Result<Option<&str>, Drf> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text.trim()).filter(|t| !t.is_empty())),
            Some(_) => Err(Drf::field(name, "Not a valid string.")),
        }
    }

    pub fn required_text(&self, name: &str) -> Result<&str, Drf> {
        self.text(name)?.ok_or_else(|| Drf::field(name, REQUIRED))
    }

    pub fn required_uuid<T: FromStr>(&self, name: &str) -> Result<T, Drf> {
        self.required_text(name)?
            .parse()
            .map_err(|_| Drf::field(name, NOT_A_UUID))
    }

    pub fn required_list(&self, name: &str) -> Result<&[Value], Drf> {
        match self.get(name) {
            None => Err(Drf::field(name, REQUIRED)),
            Some(Value::Array(items)) => Ok(items),
            Some(other) => Err(Drf::field(
                name,
                format!(
                    "Expected a list of items but got type \"{}\".",
                    type_name(other)
                ),
            )),
        }
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "int",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

/// A list of ids, each given as a string or as an object with a `uuid` (the answers of this
/// dialect), so a client can pass back what it received.
pub fn uuids<T: FromStr>(field: &str, items: &[Value]) -> Result<Vec<T>, Drf> {
    items
        .iter()
        .map(|item| {
            item.as_str()
                .or_else(|| item.get("uuid").and_then(Value::as_str))
                .and_then(|text| text.trim().parse().ok())
                .ok_or_else(|| Drf::field(field, NOT_A_UUID))
        })
        .collect()
}
