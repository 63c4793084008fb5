//! The inputs the seed lists beside its headers (`deviceId`, `accountId`, `workflowId`), parsed into
//! domain values. Each may come as a header or, for clients that cannot set custom headers on
//! every call, in the query (`deviceId`) or the JSON body (`registerUser`).

use axum::body::Bytes;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::Deserialize;

use super::caller::header;
use crate::api::error::ApiError;
use crate::domain::applicant::DeviceId;
use crate::domain::application::{SdkReference, SdkReferences};
use crate::domain::ids::LevelId;

/// An input given as a header or elsewhere; given both ways with different values it is refused
/// rather than guessed.
fn either(
    field: &str,
    header: Option<&str>,
    other: Option<String>,
) -> Result<Option<String>, ApiError> {
    match (header, other) {
        (Some(a), Some(b)) if a != b.trim() => Err(ApiError::invalid(
            field,
            "conflicting_values",
            "given as a header and elsewhere with different values",
        )),
        (Some(a), _) => Ok(Some(a.to_owned())),
        (None, other) => Ok(other),
    }
}

#[derive(Deserialize)]
struct TokenQuery {
    #[serde(rename = "deviceId")]
    device_id: Option<String>,
}

/// `getToken`'s optional device id.
pub fn device(parts: &Parts) -> Result<Option<DeviceId>, ApiError> {
    let query = Query::<TokenQuery>::try_from_uri(&parts.uri).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_query",
            format!("the query string cannot be read: {e}"),
        )
    })?;
    either(
        "deviceId",
        header(&parts.headers, "deviceid"),
        query.0.device_id,
    )?
    .map(|id| DeviceId::parse(&id).map_err(|e| ApiError::invalid("deviceId", e.code, e.message)))
    .transpose()
}

/// `registerUser`'s JSON body; every field may instead be a header.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RegisterBody {
    account_id: Option<String>,
    workflow_id: Option<String>,
    level_id: Option<String>,
}

impl RegisterBody {
    /// An empty body is a header-only call.
    pub fn read(body: &Bytes) -> Result<RegisterBody, ApiError> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(RegisterBody::default());
        }
        serde_json::from_slice(body).map_err(|e| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_json",
                format!("the body is not a valid registerUser request: {e}"),
            )
        })
    }
}

/// What `registerUser` asks: record these references, on this level if a new application is needed.
pub struct Registration {
    pub references: SdkReferences,
    pub level: Option<LevelId>,
}

impl TryFrom<(&Parts, RegisterBody)> for Registration {
    type Error = ApiError;

    fn try_from((parts, body): (&Parts, RegisterBody)) -> Result<Self, ApiError> {
        let reference = |field: &str, header_name: &str, value: Option<String>| {
            let value =
                either(field, header(&parts.headers, header_name), value)?.ok_or_else(|| {
                    ApiError::invalid(
                        field,
                        "missing",
                        "required, as a header or in the JSON body",
                    )
                })?;
            SdkReference::parse(&value).map_err(|e| ApiError::invalid(field, e.code, e.message))
        };
        let account_id = reference("accountId", "accountid", body.account_id)?;
        let workflow_id = reference("workflowId", "workflowid", body.workflow_id)?;
        let level = either("levelId", header(&parts.headers, "levelid"), body.level_id)?
            .map(|id| {
                id.trim().parse().map_err(|_| {
                    ApiError::invalid("levelId", "invalid_id", "levelId must be the id of a level")
                })
            })
            .transpose()?;
        Ok(Registration {
            references: SdkReferences {
                account_id,
                workflow_id,
            },
            level,
        })
    }
}
