//! Normalizing provider results (the `provider_representation` a provider returned) into checks in our
//! vocabulary: `CheckKind`, `CheckResult` and `Finding`s.
//!
//! Each provider module documents its own mapping. Common rules: the payload is read, never trusted —
//! anything of an unexpected shape is `NormalizeError::Malformed` naming the offending field (no panics);
//! unknown extra fields are ignored; JSON `null` and empty strings count as absent; findings come sorted
//! failures first, then warnings, then info, each group in the order the provider gave them.

use std::cmp::Reverse;
use std::fmt::Display;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::domain::check::{CheckKind, CheckResult, Finding, Severity};

/// Loads `fixtures/providers/<name>.json` for the provider modules' tests.
#[cfg(test)]
macro_rules! fixture {
    ($name:literal) => {
        serde_json::from_str::<serde_json::Value>(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/providers/",
            $name,
            ".json"
        )))
        .expect("fixture is valid JSON")
    };
}

mod identitymind;
mod sumsub;
mod vouched;

/// One check as a provider reported it, in our vocabulary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Normalized {
    pub kind: CheckKind,
    pub result: CheckResult,
    /// 0.0..=1.0 overall score where the provider gives one (Vouched: the id confidence; IdentityMind: none; Sumsub: none)
    pub score: Option<f64>,
    /// Provider reference (Vouched job id, IdentityMind tid/mtid), if present.
    pub reference: Option<String>,
    /// Sorted by severity, failures first.
    pub findings: Vec<Finding>,
}

impl Normalized {
    fn new(
        kind: CheckKind,
        result: CheckResult,
        score: Option<f64>,
        reference: Option<String>,
        mut findings: Vec<Finding>,
    ) -> Self {
        // Stable, so findings of one severity keep the provider's order.
        findings.sort_by_key(|f| Reverse(severity_rank(f.severity)));
        Normalized {
            kind,
            result,
            score,
            reference,
            findings,
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum NormalizeError {
    #[error("unknown provider {0:?}")]
    UnknownProvider(String),
    #[error("{provider} payload not understood: {reason}")]
    Malformed {
        provider: &'static str,
        reason: String,
    },
}

/// Normalizes one provider payload into the checks it reports.
///
/// `provider` is our provider name ("vouched", "identitymind", "sumsub"), exactly as stored.
pub fn normalize(provider: &str, payload: &Value) -> Result<Vec<Normalized>, NormalizeError> {
    match provider {
        "vouched" => vouched::normalize(payload),
        "identitymind" => identitymind::normalize(payload),
        "sumsub" => sumsub::normalize(payload),
        other => Err(NormalizeError::UnknownProvider(other.to_owned())),
    }
}

fn severity_rank(severity: Severity) -> u8 {
    match severity {
        Severity::Info => 0,
        Severity::Warning => 1,
        Severity::Failure => 2,
    }
}

/// A finding with only the required parts; callers add field/value/confidence with struct update syntax.
pub(crate) fn finding(
    code: impl Into<String>,
    severity: Severity,
    message: impl Into<String>,
) -> Finding {
    Finding {
        code: code.into(),
        severity,
        message: message.into(),
        field: None,
        value: None,
        confidence: None,
    }
}

/// `InvalidIdPhoto` / `faceMatch` / `DOBMatch` -> `invalid_id_photo` / `face_match` / `dob_match`.
fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            let prev = chars[i - 1];
            let next_is_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            // A word starts at a lower->upper step, or at the last capital of an acronym ("DOBMatch").
            if prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_is_lower)
            {
                out.push('_');
            }
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// Makes a provider word safe inside a finding code: `ed:1` -> `ed_1`, `UNSATISFACTORY_PHOTOS` -> `unsatisfactory_photos`.
fn code_part(word: &str) -> String {
    word.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// `UNSATISFACTORY_PHOTOS` / `face_match` -> `Unsatisfactory photos` / `Face match`.
fn humanize(word: &str) -> String {
    let spaced = word.replace('_', " ").to_lowercase();
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A JSON object together with its path in the payload, so that a `Malformed` reason names the field.
struct Obj<'a> {
    provider: &'static str,
    path: String,
    map: &'a Map<String, Value>,
}

impl<'a> Obj<'a> {
    fn root(provider: &'static str, payload: &'a Value) -> Result<Self, NormalizeError> {
        match payload {
            Value::Object(map) => Ok(Obj {
                provider,
                path: String::new(),
                map,
            }),
            other => Err(NormalizeError::Malformed {
                provider,
                reason: format!("expected a JSON object, got {}", describe(other)),
            }),
        }
    }

    fn path_of(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// A `Malformed` error about `key` in this object.
    fn error(&self, key: &str, problem: impl Display) -> NormalizeError {
        NormalizeError::Malformed {
            provider: self.provider,
            reason: format!("`{}` {problem}", self.path_of(key)),
        }
    }

    fn wrong_type(&self, key: &str, expected: &str, got: &Value) -> NormalizeError {
        self.error(
            key,
            format_args!("should be {expected}, got {}", describe(got)),
        )
    }

    /// The value under `key`; `null` counts as absent because providers use both for "nothing".
    fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    /// Turns an optional getter into a required one: `obj.required("status", Obj::str)`.
    fn required<T>(
        &self,
        key: &str,
        get: impl FnOnce(&Self, &str) -> Result<Option<T>, NormalizeError>,
    ) -> Result<T, NormalizeError> {
        get(self, key)?.ok_or_else(|| self.error(key, "is missing"))
    }

    fn obj(&self, key: &str) -> Result<Option<Obj<'a>>, NormalizeError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Object(map)) => Ok(Some(Obj {
                provider: self.provider,
                path: self.path_of(key),
                map,
            })),
            Some(other) => Err(self.wrong_type(key, "an object", other)),
        }
    }

    /// A non-blank string.
    fn str(&self, key: &str) -> Result<Option<&'a str>, NormalizeError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str()).filter(|s| !s.trim().is_empty())),
            Some(other) => Err(self.wrong_type(key, "a string", other)),
        }
    }

    /// An identifier, which providers send as a string or a number.
    fn id(&self, key: &str) -> Result<Option<String>, NormalizeError> {
        match self.get(key) {
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(Value::String(_)) | None => Ok(self.str(key)?.map(str::to_owned)),
            Some(other) => Err(self.wrong_type(key, "a string or a number", other)),
        }
    }

    fn f64(&self, key: &str) -> Result<Option<f64>, NormalizeError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Number(n)) => n
                .as_f64()
                .map(Some)
                .ok_or_else(|| self.error(key, "is out of range")),
            Some(other) => Err(self.wrong_type(key, "a number", other)),
        }
    }

    fn bool(&self, key: &str) -> Result<Option<bool>, NormalizeError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(self.wrong_type(key, "a boolean", other)),
        }
    }

    /// The elements of an array; absent or `null` is an empty list.
    fn array(&self, key: &str) -> Result<&'a [Value], NormalizeError> {
        match self.get(key) {
            None => Ok(&[]),
            Some(Value::Array(items)) => Ok(items),
            Some(other) => Err(self.wrong_type(key, "an array", other)),
        }
    }

    fn objs(&self, key: &str) -> Result<Vec<Obj<'a>>, NormalizeError> {
        let items = self.array(key)?;
        items
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::Object(map) => Ok(Obj {
                    provider: self.provider,
                    path: format!("{}[{i}]", self.path_of(key)),
                    map,
                }),
                other => Err(self.wrong_type(&format!("{key}[{i}]"), "an object", other)),
            })
            .collect()
    }

    fn strs(&self, key: &str) -> Result<Vec<&'a str>, NormalizeError> {
        let items = self.array(key)?;
        items
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::String(s) => Ok(s.as_str()),
                other => Err(self.wrong_type(&format!("{key}[{i}]"), "a string", other)),
            })
            .collect()
    }

    /// Keys in sorted order, whatever map ordering serde_json was built with.
    fn keys(&self) -> Vec<&'a str> {
        let mut keys: Vec<&'a str> = self.map.keys().map(String::as_str).collect();
        keys.sort_unstable();
        keys
    }
}

/// The finding codes of a check, in order, for concise assertions.
#[cfg(test)]
fn codes(check: &Normalized) -> Vec<&str> {
    check.findings.iter().map(|f| f.code.as_str()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_provider_is_rejected() {
        assert_eq!(
            normalize("onfido", &json!({})),
            Err(NormalizeError::UnknownProvider("onfido".into()))
        );
        // Names are matched exactly, as stored.
        assert_eq!(
            normalize("Vouched", &json!({})),
            Err(NormalizeError::UnknownProvider("Vouched".into()))
        );
    }

    #[test]
    fn non_object_payloads_are_malformed_for_every_provider() {
        for provider in ["vouched", "identitymind", "sumsub"] {
            for payload in [
                json!(null),
                json!([]),
                json!([{"status": "completed"}]),
                json!(1),
                json!("ok"),
            ] {
                match normalize(provider, &payload) {
                    Err(NormalizeError::Malformed {
                        provider: p,
                        reason,
                    }) => {
                        assert_eq!(p, provider);
                        assert!(
                            reason.starts_with("expected a JSON object, got "),
                            "{reason}"
                        );
                    }
                    other => panic!("{provider} {payload}: {other:?}"),
                }
            }
        }
    }

    #[test]
    fn malformed_error_message_names_provider_and_reason() {
        let err = normalize("sumsub", &json!(null)).expect_err("null is not a payload");
        assert_eq!(
            err.to_string(),
            "sumsub payload not understood: expected a JSON object, got null"
        );
    }

    #[test]
    fn findings_sort_failures_first_and_keep_order_within_a_severity() {
        let check = Normalized::new(
            CheckKind::Document,
            CheckResult::Consider,
            None,
            None,
            vec![
                finding("i1", Severity::Info, ""),
                finding("f1", Severity::Failure, ""),
                finding("w1", Severity::Warning, ""),
                finding("i2", Severity::Info, ""),
                finding("f2", Severity::Failure, ""),
            ],
        );
        assert_eq!(codes(&check), ["f1", "f2", "w1", "i1", "i2"]);
    }

    #[test]
    fn word_helpers() {
        assert_eq!(snake_case("InvalidIdPhoto"), "invalid_id_photo");
        assert_eq!(snake_case("faceMatch"), "face_match");
        assert_eq!(snake_case("BirthDateMatch"), "birth_date_match");
        assert_eq!(snake_case("DOBMatch"), "dob_match");
        assert_eq!(snake_case("id"), "id");
        assert_eq!(code_part("ed:1"), "ed_1");
        assert_eq!(code_part("UNSATISFACTORY_PHOTOS"), "unsatisfactory_photos");
        assert_eq!(humanize("UNSATISFACTORY_PHOTOS"), "Unsatisfactory photos");
        assert_eq!(humanize("face_match"), "Face match");
        assert_eq!(humanize(""), "");
    }

    #[test]
    fn reasons_name_the_offending_path() {
        let payload = json!({"a": {"b": [{"c": 1}, {"c": true}]}});
        let root = Obj::root("sumsub", &payload).expect("object");
        let a = root.required("a", Obj::obj).expect("a is an object");
        let items = a.objs("b").expect("b is an array of objects");
        assert_eq!(items[0].f64("c"), Ok(Some(1.0)));
        assert_eq!(
            items[1].f64("c"),
            Err(NormalizeError::Malformed {
                provider: "sumsub",
                reason: "`a.b[1].c` should be a number, got a boolean".into()
            })
        );
        assert_eq!(
            a.required("missing", Obj::str),
            Err(NormalizeError::Malformed {
                provider: "sumsub",
                reason: "`a.missing` is missing".into()
            })
        );
        assert_eq!(
            root.strs("a"),
            Err(NormalizeError::Malformed {
                provider: "sumsub",
                reason: "`a` should be an array, got an object".into()
            })
        );
    }
}
