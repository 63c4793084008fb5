//! The person or business being verified.

use serde::Serialize;

use super::ids::{ApplicantId, TenantId};
use super::level::ApplicantType;
use super::time::Timestamp;
use super::validate::contact::{Email, PhoneNumber};
use super::validate::country::CountryCode;
use super::validate::date::IsoDate;
use super::validate::government_id::GovernmentId;

#[derive(Debug, Clone, PartialEq)]
pub struct Applicant {
    pub id: ApplicantId,
    pub tenant_id: TenantId,
    /// The tenant's own reference, unique per tenant.
    pub external_id: String,
    pub applicant_type: ApplicantType,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// For businesses: the registered name.
    pub company_name: Option<String>,
    pub date_of_birth: Option<IsoDate>,
    pub email: Option<Email>,
    pub phone: Option<PhoneNumber>,
    pub country: Option<CountryCode>,
    /// Normalized address object (see `Requirement` kind `address`).
    pub address: Option<serde_json::Value>,
    pub government_ids: Vec<GovernmentId>,
    pub created_at: Timestamp,
    pub version: i64,
}

impl Applicant {
    /// The name staff see: the person's full name or the company name.
    pub fn display_name(&self) -> String {
        match (&self.company_name, &self.first_name, &self.last_name) {
            (Some(company), _, _) => company.clone(),
            (None, Some(first), Some(last)) => format!("{first} {last}"),
            (None, Some(name), None) | (None, None, Some(name)) => name.clone(),
            (None, None, None) => self.external_id.clone(),
        }
    }
}

/// Validated external id: 1..=128 printable characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExternalId(String);

impl ExternalId {
    pub fn parse(s: &str) -> Result<Self, super::validate::Invalid> {
        let id = s.trim();
        if id.is_empty() || id.chars().count() > 128 || id.chars().any(char::is_control) {
            return Err(super::validate::Invalid {
                code: "invalid_external_id",
                message: "external_id must be 1 to 128 printable characters".into(),
            });
        }
        Ok(Self(id.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A mobile device's id as an SDK reports it (seed 002 `deviceId`): 1..=200 printable characters.
/// It is recorded in the audit trail, so it is bounded like any other text there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceId(String);

impl DeviceId {
    pub fn parse(s: &str) -> Result<Self, super::validate::Invalid> {
        let id = s.trim();
        if id.is_empty() || id.chars().count() > 200 || id.chars().any(char::is_control) {
            return Err(super::validate::Invalid {
                code: "invalid_device_id",
                message: "deviceId must be 1 to 200 printable characters".into(),
            });
        }
        Ok(Self(id.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}
