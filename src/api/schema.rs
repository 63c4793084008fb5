//! Schemas for the API document where a derive alone cannot say what the handlers enforce: the
//! same rules as the parsers (`domain::validate`, `ExternalId`, ...), written as JSON Schema so that
//! a request valid by the document is one the API accepts, and the other way round. Rules that no
//! schema can state (an id that must exist, a code that must match, a file's content) stay with the
//! handlers and are answered 404/409/422 as documented.

use serde_json::{Value, json};
use utoipa::openapi::schema::Schema;

use crate::domain::document::DocumentType;
use crate::domain::status::ApplicationStatus;
use crate::domain::validate::country::CountryCode;

/// What `str::trim` removes (Unicode White_Space), as the inside of a regex class.
const WS: &str = r"\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";
/// `char::is_control` (Unicode Cc), likewise.
const CC: &str = r"\u0000-\u001f\u007f-\u009f";

fn schema(value: Value) -> Schema {
    serde_json::from_value(value).unwrap_or_else(|e| panic!("an API schema does not parse: {e}"))
}

fn string_or_null(nullable: bool) -> Value {
    if nullable {
        json!(["string", "null"])
    } else {
        json!("string")
    }
}

/// Text that is trimmed, then must be at most `max` characters with no control character
/// (and, if `required`, not empty).
fn trimmed_text_pattern(required: bool, max: usize) -> String {
    let edge = format!("[^{WS}{CC}]");
    let body = format!("{edge}(?:[^{CC}]{{0,{}}}{edge})?", max - 2);
    let ws = format!("[{WS}]*");
    if required {
        format!("^{ws}{body}{ws}$")
    } else {
        format!("^{ws}(?:{body})?{ws}$")
    }
}

/// `external_id`: 1 to 128 printable characters once trimmed (`ExternalId::parse`).
pub fn external_id() -> Schema {
    schema(json!({
        "type": "string",
        "minLength": 1,
        "pattern": trimmed_text_pattern(true, 128),
        "description": "Your reference: 1 to 128 printable characters (surrounding whitespace is trimmed)",
    }))
}

/// Applicant names: trimmed, at most 200 printable characters; empty means not given.
pub fn name() -> Schema {
    schema(json!({
        "type": ["string", "null"],
        "pattern": trimmed_text_pattern(false, 200),
        "description": "At most 200 printable characters (trimmed); empty means not given",
    }))
}

/// Free text kept as sent: at most `max` characters, no control characters.
pub fn plain_text(max: usize) -> Value {
    json!({
        "type": ["string", "null"],
        "maxLength": max,
        "pattern": format!("^[^{CC}]*$"),
    })
}

/// Client verification texts: at most 200 printable characters.
pub fn text200() -> Schema {
    schema(plain_text(200))
}

/// `YYYY-MM-DD`, a real calendar date, year 1000 to 9999 (`IsoDate::parse`).
pub fn date() -> Schema {
    schema(json!({
        "type": ["string", "null"],
        "format": "date",
        "pattern": "^[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}$",
    }))
}

/// `Email::parse`, a little stricter: no surrounding whitespace.
pub fn email() -> Schema {
    let atom = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
    let label = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
    schema(json!({
        "type": ["string", "null"],
        "maxLength": 254,
        "pattern": format!("^(?=[^@]{{1,64}}@){atom}(?:\\.{atom})*@(?:{label}\\.)+[A-Za-z]{{2,63}}$"),
    }))
}

/// E.164 with optional spaces, hyphens, dots and parentheses (`PhoneNumber::parse`).
pub fn phone() -> Schema {
    schema(json!({
        "type": ["string", "null"],
        "pattern": r"^[ .()-]*\+[ .()-]*[1-9](?:[ .()-]*[0-9]){7,14}[ .()-]*$",
        "description": "International format: +, country code, number; 8 to 15 digits",
    }))
}

fn countries() -> Vec<Value> {
    let mut codes = Vec::new();
    for a in b'A'..=b'Z' {
        for b in b'A'..=b'Z' {
            let code = String::from_utf8_lossy(&[a, b]).into_owned();
            if CountryCode::parse(&code).is_ok() {
                codes.push(Value::String(code));
            }
        }
    }
    codes
}

fn country_value(nullable: bool, blank: bool) -> Value {
    let mut codes = countries();
    if blank {
        codes.push(json!(""));
    }
    if nullable {
        codes.push(Value::Null);
    }
    json!({
        "type": string_or_null(nullable),
        "enum": codes,
        "description": "An assigned ISO 3166-1 alpha-2 code",
    })
}

/// An applicant's country.
pub fn country() -> Schema {
    schema(country_value(true, false))
}

/// A document's issuing country: empty means not given.
pub fn issuing_country() -> Schema {
    schema(country_value(true, true))
}

/// `{line1, line2, city, postal_code, region, country}` (the `address` requirement kind).
pub fn address() -> Schema {
    let required = json!({
        "type": "string",
        "pattern": format!("^[{WS}]*[^{WS}][\\s\\S]*$"),
        "maxLength": 1000,
    });
    let optional = json!({"type": ["string", "null"], "maxLength": 1000});
    schema(json!({
        "type": ["object", "null"],
        "properties": {
            "line1": required,
            "line2": optional,
            "city": required,
            "postal_code": required,
            "region": optional,
            "country": country_value(false, false),
        },
        "required": ["line1", "city", "postal_code", "country"],
        "additionalProperties": false,
    }))
}

/// Government ids: the number's format depends on the type.
pub fn government_ids() -> Schema {
    let id = |kind: &str, pattern: &str| {
        json!({
            "type": "object",
            "properties": {
                "type": {"type": "string", "enum": [kind]},
                "number": {"type": "string", "pattern": pattern},
            },
            "required": ["type", "number"],
            "additionalProperties": false,
        })
    };
    let other = "^[A-Za-z0-9]{4,20}$";
    schema(json!({
        "type": "array",
        "items": {"oneOf": [
            id("ssn", "^(?!000|666|9)[0-9]{3}(?:-(?!00)[0-9]{2}-|(?!00)[0-9]{2})(?!0000)[0-9]{4}$"),
            id("bvn", "^[0-9]{11}$"),
            id("nin", "^[0-9]{11}$"),
            id("passport", "^[A-Za-z0-9]{6,9}$"),
            id("national_id", other),
            id("driver_license", other),
            id("tax_id", other),
        ]},
    }))
}

fn words(words: &[&str], nullable: bool) -> Schema {
    let mut values: Vec<Value> = words.iter().map(|w| json!(w)).collect();
    if nullable {
        values.push(Value::Null);
    }
    schema(json!({"type": string_or_null(nullable), "enum": values}))
}

/// `individual` (the default) or `business`.
pub fn applicant_type() -> Schema {
    words(&["individual", "business"], true)
}

/// `kyc` (the default) or `kyb`.
pub fn application_kind() -> Schema {
    words(&["kyc", "kyb"], true)
}

fn statuses() -> Vec<&'static str> {
    ApplicationStatus::ALL.iter().map(|s| s.as_str()).collect()
}

/// An application status.
pub fn status() -> Schema {
    words(&statuses(), false)
}

/// A document side in a multipart upload: empty means not given.
pub fn side() -> Schema {
    words(&["front", "back", ""], true)
}

/// `sms` or `email`.
pub fn channel() -> Schema {
    words(&["sms", "email"], false)
}

/// Document types, as stored and as the seeds spell them (upper case, `drivers_license`, ...).
pub fn document_type() -> Schema {
    let mut names: Vec<String> = DocumentType::ALL
        .iter()
        .map(|t| t.as_str().to_owned())
        .collect();
    names.extend(
        [
            "drivers_license",
            "driving_licence",
            "national_id",
            "identity_card",
        ]
        .map(str::to_owned),
    );
    let upper: Vec<String> = names.iter().map(|n| n.to_ascii_uppercase()).collect();
    names.extend(upper);
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    words(&names, false)
}

/// A webhook target: an absolute http(s) URL (`WebhookUrl::parse`); empty means none.
pub fn webhook_url() -> Schema {
    let port = "0*(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])";
    let host = format!(r"(?:[A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\])(?::{port})?");
    let rest = format!("[^{WS}{CC}]*");
    schema(json!({
        "type": ["string", "null"],
        "maxLength": 2048,
        "pattern": format!("^[{WS}]*(?:[Hh][Tt][Tt][Pp][Ss]?://{host}(?:[/?#]{rest})?[{WS}]*)?$"),
    }))
}

/// Not empty nor only whitespace.
pub fn not_blank() -> Schema {
    schema(json!({
        "type": ["string", "null"],
        "pattern": format!("[^{WS}]"),
    }))
}

fn to_value(schema: Schema) -> Value {
    serde_json::to_value(schema).unwrap_or_default()
}

/// The JSON form of a document upload: at least one of `front`, `back`, `face_image` (an empty
/// string counts as not sent).
pub fn json_upload() -> Schema {
    let file = to_value(base64_file());
    let text = json!({"type": ["string", "null"]});
    let sent = |name: &str| json!({"type": "object", "required": [name], "properties": {name: {"type": "string", "minLength": 1}}});
    // `allOf`, because a schema object with `type` keeps no `anyOf` of its own here.
    schema(json!({"allOf": [{
        "type": "object",
        "properties": {
            "document_type": to_value(document_type()),
            "file_type": {"type": ["string", "null"], "description": "The declared MIME type of front and back; must match their content"},
            "issuing_country": to_value(issuing_country()),
            "requirement_key": text,
            "front": file,
            "back": file,
            "face_image": file,
            "liveness_detected": {"type": ["boolean", "null"]},
        },
        "required": ["document_type"],
        "additionalProperties": false,
        "description": "Files as standard base64 (or data: URLs); at least one of front, back, face_image",
    }, {
        "anyOf": [sent("front"), sent("back"), sent("face_image")],
    }]}))
}

/// A file as standard, padded base64, optionally as a `data:...;base64,` URL.
pub fn base64_file() -> Schema {
    let b64 = "(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/][AQgw]==|[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=)?";
    schema(json!({
        "type": ["string", "null"],
        "contentEncoding": "base64",
        "pattern": format!("^(?:data:[^,]*base64,)?[{WS}]*{b64}[{WS}]*$"),
    }))
}
