//! Vouched id-verification jobs (the job object Vouched returns).
//!
//! - Checks: always one `Document` check (score = `result.confidences.id`); a `FaceMatch` check when
//!   `confidences.faceMatch` is non-null (score = it) and a `Selfie` check when `confidences.selfie` is.
//!   An error about a check without its confidence still creates that check, so the failure is not lost.
//!   All checks carry the job `id` as reference.
//! - Each `errors[]` entry (and `result.errors[]`, duplicates dropped) -> Failure finding, code = snake_case
//!   of the type without `Error` (`BirthDateMatchError` -> `birth_date_match`), message from `message`; on
//!   `FaceMatch` for face-match errors, `Selfie` for user-photo/selfie errors, `Document` for the rest
//!   (id photo, expiry, name, birth date...).
//! - Each non-null confidence -> `confidence_<name>` finding with `confidence` set, on its check (`id`,
//!   `idMatch`, `backId` and unknown names on `Document`); Info, or Warning below 0.5.
//! - Fields read off the ID (type, country, state, number, names, dates) -> Info `extracted_<field>`
//!   findings with field/value on `Document`.
//! - Result: Unknown unless `status` is "completed" (with a `not_completed` Warning); Clear when
//!   `result.success` is true and the check has no errors; otherwise Consider, with a `job_unsuccessful`
//!   Warning when the check has no error of its own to explain it.

use serde_json::Value;

use super::{NormalizeError, Normalized, Obj, finding, humanize, snake_case};
use crate::domain::check::{CheckKind, CheckResult, Finding, Severity};

const PROVIDER: &str = "vouched";

/// Vouched's confidences are 0..=1; below this one deserves a reviewer's eye.
const LOW_CONFIDENCE: f64 = 0.5;

/// `result` fields read off the ID: (Vouched key, our field name, label).
const EXTRACTED: &[(&str, &str, &str)] = &[
    ("type", "id_type", "ID type"),
    ("country", "country", "Issuing country"),
    ("state", "state", "Issuing state"),
    ("id", "id_number", "ID number"),
    ("firstName", "first_name", "First name"),
    ("middleName", "middle_name", "Middle name"),
    ("lastName", "last_name", "Last name"),
    ("dob", "birth_date", "Date of birth"),
    ("issueDate", "issue_date", "Issue date"),
    ("expireDate", "expiry_date", "Expiry date"),
];

/// The checks a job can report, in output order; the discriminant indexes the drafts.
#[derive(Clone, Copy)]
enum Target {
    Document = 0,
    FaceMatch = 1,
    Selfie = 2,
}

impl Target {
    const ALL: [Target; 3] = [Target::Document, Target::FaceMatch, Target::Selfie];

    fn kind(self) -> CheckKind {
        match self {
            Target::Document => CheckKind::Document,
            Target::FaceMatch => CheckKind::FaceMatch,
            Target::Selfie => CheckKind::Selfie,
        }
    }

    /// The check an error (as its snake_case code) is about.
    fn of_error(code: &str) -> Target {
        if code.contains("face_match") {
            Target::FaceMatch
        } else if code.contains("user_photo") || code.contains("selfie") {
            Target::Selfie
        } else {
            Target::Document
        }
    }

    /// The check a confidence belongs to, and whether it is that check's score.
    fn of_confidence(name: &str) -> (Target, bool) {
        match name {
            "id" => (Target::Document, true),
            "faceMatch" => (Target::FaceMatch, true),
            "selfie" => (Target::Selfie, true),
            _ => (Target::Document, false),
        }
    }
}

/// A check being assembled.
#[derive(Default)]
struct Draft {
    present: bool,
    score: Option<f64>,
    has_error: bool,
    findings: Vec<Finding>,
}

pub(super) fn normalize(payload: &Value) -> Result<Vec<Normalized>, NormalizeError> {
    let job = Obj::root(PROVIDER, payload)?;
    let status = job.required("status", Obj::str)?;
    let reference = job.id("id")?;
    let result = job.obj("result")?;

    let mut drafts: [Draft; 3] = Default::default();
    drafts[Target::Document as usize].present = true;
    let mut success = false;
    let mut errors = job.objs("errors")?;

    if let Some(result) = &result {
        success = result.bool("success")? == Some(true);
        errors.extend(result.objs("errors")?);

        if let Some(confidences) = result.obj("confidences")? {
            for name in confidences.keys() {
                let Some(value) = confidences.f64(name)? else {
                    continue;
                };
                if !(0.0..=1.0).contains(&value) {
                    return Err(confidences
                        .error(name, format_args!("should be between 0 and 1, got {value}")));
                }
                let (target, is_score) = Target::of_confidence(name);
                let draft = &mut drafts[target as usize];
                draft.present = true;
                if is_score {
                    draft.score = Some(value);
                }
                let snake = snake_case(name);
                let severity = if value < LOW_CONFIDENCE {
                    Severity::Warning
                } else {
                    Severity::Info
                };
                draft.findings.push(Finding {
                    confidence: Some(value),
                    ..finding(
                        format!("confidence_{snake}"),
                        severity,
                        format!("{} confidence {value}", humanize(&snake)),
                    )
                });
            }
        }

        for &(key, field, label) in EXTRACTED {
            if let Some(value) = result.str(key)? {
                drafts[Target::Document as usize].findings.push(Finding {
                    field: Some(field.to_owned()),
                    value: Some(value.to_owned()),
                    ..finding(
                        format!("extracted_{field}"),
                        Severity::Info,
                        format!("{label} read from the ID"),
                    )
                });
            }
        }
    }

    for error in &errors {
        let kind = error.required("type", Obj::str)?;
        let code = snake_case(kind.strip_suffix("Error").unwrap_or(kind));
        let message = error
            .str("message")?
            .map_or_else(|| humanize(&code), str::to_owned);
        let draft = &mut drafts[Target::of_error(&code) as usize];
        // The same error may be listed both on the job and in its result.
        if draft
            .findings
            .iter()
            .any(|f| f.code == code && f.message == message)
        {
            continue;
        }
        draft.present = true;
        draft.has_error = true;
        draft
            .findings
            .push(finding(code, Severity::Failure, message));
    }

    let completed = status == "completed";
    if !completed {
        drafts[Target::Document as usize].findings.push(finding(
            "not_completed",
            Severity::Warning,
            format!("Vouched job status is {status:?}, not \"completed\""),
        ));
    }

    Ok(Target::ALL
        .into_iter()
        .zip(drafts)
        .filter(|(_, draft)| draft.present)
        .map(|(target, mut draft)| {
            let result = if !completed {
                CheckResult::Unknown
            } else if success && !draft.has_error {
                CheckResult::Clear
            } else {
                if !draft.has_error {
                    draft.findings.push(finding(
                        "job_unsuccessful",
                        Severity::Warning,
                        "Vouched reported the job as unsuccessful",
                    ));
                }
                CheckResult::Consider
            };
            Normalized::new(
                target.kind(),
                result,
                draft.score,
                reference.clone(),
                draft.findings,
            )
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::super::codes;
    use super::*;
    use serde_json::json;

    fn malformed_reason(payload: Value) -> String {
        match normalize(&payload) {
            Err(NormalizeError::Malformed {
                provider: "vouched",
                reason,
            }) => reason,
            other => panic!("expected Malformed for {payload}, got {other:?}"),
        }
    }

    #[test]
    fn seed_failed_job_is_consider_on_document_face_match_and_selfie() {
        let checks = normalize(&fixture!("vouched_id_verification_failed")).expect("normalizes");
        assert_eq!(checks.len(), 3);

        let [document, face, selfie] = &checks[..] else {
            panic!("expected three checks")
        };
        assert_eq!(document.kind, CheckKind::Document);
        assert_eq!(document.result, CheckResult::Consider);
        assert_eq!(document.score, Some(0.4327));
        assert_eq!(document.reference.as_deref(), Some("hDj_HOv"));
        assert_eq!(
            codes(document),
            [
                "invalid_id_photo",
                "name_match",
                "birth_date_match",
                "confidence_id",
                "confidence_id_match",
                "extracted_id_type",
                "extracted_country",
                "extracted_state",
            ]
        );
        assert_eq!(document.findings[0].severity, Severity::Failure);
        assert_eq!(document.findings[0].message, "Invalid or unsupported id");
        assert_eq!(document.findings[3].severity, Severity::Warning);
        assert_eq!(document.findings[3].confidence, Some(0.4327));
        let country = &document.findings[6];
        assert_eq!(country.severity, Severity::Info);
        assert_eq!(
            (country.field.as_deref(), country.value.as_deref()),
            (Some("country"), Some("US"))
        );

        assert_eq!(face.kind, CheckKind::FaceMatch);
        assert_eq!(face.result, CheckResult::Consider);
        assert_eq!(face.score, Some(0.0));
        assert_eq!(codes(face), ["face_match", "confidence_face_match"]);
        assert_eq!(face.findings[0].message, "Id and selfie faces do not match");

        assert_eq!(selfie.kind, CheckKind::Selfie);
        assert_eq!(selfie.result, CheckResult::Consider);
        assert_eq!(selfie.score, Some(0.0434));
        assert_eq!(codes(selfie), ["invalid_user_photo", "confidence_selfie"]);
        assert_eq!(selfie.findings[1].severity, Severity::Warning);
    }

    #[test]
    fn clear_job_is_clear_with_info_only() {
        let checks = normalize(&fixture!("vouched_clear")).expect("normalizes");
        let kinds: Vec<_> = checks.iter().map(|c| (c.kind, c.result, c.score)).collect();
        assert_eq!(
            kinds,
            [
                (CheckKind::Document, CheckResult::Clear, Some(0.9731)),
                (CheckKind::FaceMatch, CheckResult::Clear, Some(0.9412)),
                (CheckKind::Selfie, CheckResult::Clear, Some(0.9902)),
            ]
        );
        assert!(
            checks
                .iter()
                .flat_map(|c| &c.findings)
                .all(|f| f.severity == Severity::Info)
        );
        assert!(
            checks
                .iter()
                .all(|c| c.reference.as_deref() == Some("oRM3YnSy"))
        );
        assert_eq!(
            codes(&checks[0]),
            [
                "confidence_id",
                "confidence_id_match",
                "extracted_id_type",
                "extracted_country",
                "extracted_state",
                "extracted_id_number",
                "extracted_first_name",
                "extracted_last_name",
                "extracted_birth_date",
                "extracted_expiry_date",
            ]
        );
        assert_eq!(codes(&checks[1]), ["confidence_face_match"]);
        assert_eq!(codes(&checks[2]), ["confidence_selfie"]);
    }

    #[test]
    fn expired_id_fails_the_document_and_explains_the_other_checks() {
        let checks = normalize(&fixture!("vouched_expired_id")).expect("normalizes");
        assert_eq!(checks.len(), 3);
        let document = &checks[0];
        assert_eq!(document.result, CheckResult::Consider);
        assert_eq!(document.findings[0].code, "expired_id");
        assert_eq!(document.findings[0].severity, Severity::Failure);
        assert_eq!(document.findings[0].message, "The id has expired");
        let expiry = document
            .findings
            .iter()
            .find(|f| f.code == "extracted_expiry_date")
            .expect("expiry read");
        assert_eq!(expiry.value.as_deref(), Some("06/22/2018"));
        // success=false makes the other checks Consider, and says why.
        for check in &checks[1..] {
            assert_eq!(check.result, CheckResult::Consider);
            assert_eq!(check.findings[0].code, "job_unsuccessful");
            assert_eq!(check.findings[0].severity, Severity::Warning);
        }
    }

    #[test]
    fn job_not_completed_is_unknown() {
        let checks = normalize(&json!({"id": "abc", "status": "active", "result": null}))
            .expect("normalizes");
        assert_eq!(checks.len(), 1);
        assert_eq!(checks[0].result, CheckResult::Unknown);
        assert_eq!(checks[0].score, None);
        assert_eq!(codes(&checks[0]), ["not_completed"]);
    }

    #[test]
    fn an_error_without_confidence_creates_its_check_and_duplicates_collapse() {
        let error = json!({"type": "FaceMatchError", "message": "no match"});
        let payload = json!({
            "status": "completed",
            "errors": [error],
            "result": {"success": false, "errors": [error], "confidences": {"id": 0.9}, "unknownExtra": {"x": 1}},
        });
        let checks = normalize(&payload).expect("normalizes");
        let kinds: Vec<_> = checks.iter().map(|c| (c.kind, c.result)).collect();
        assert_eq!(
            kinds,
            [
                (CheckKind::Document, CheckResult::Consider),
                (CheckKind::FaceMatch, CheckResult::Consider)
            ]
        );
        assert_eq!(checks[1].score, None);
        assert_eq!(codes(&checks[1]), ["face_match"]);
    }

    #[test]
    fn wrong_shapes_are_malformed() {
        assert_eq!(malformed_reason(json!({})), "`status` is missing");
        assert_eq!(
            malformed_reason(json!({"status": 5})),
            "`status` should be a string, got a number"
        );
        assert_eq!(
            malformed_reason(json!({"status": "completed", "result": []})),
            "`result` should be an object, got an array"
        );
        assert_eq!(
            malformed_reason(json!({"status": "completed", "result": {"confidences": "high"}})),
            "`result.confidences` should be an object, got a string"
        );
        assert_eq!(
            malformed_reason(
                json!({"status": "completed", "result": {"confidences": {"id": "0.9"}}})
            ),
            "`result.confidences.id` should be a number, got a string"
        );
        assert_eq!(
            malformed_reason(json!({"status": "completed", "result": {"confidences": {"id": 97}}})),
            "`result.confidences.id` should be between 0 and 1, got 97"
        );
        assert_eq!(
            malformed_reason(json!({"status": "completed", "result": {"success": "yes"}})),
            "`result.success` should be a boolean, got a string"
        );
        assert_eq!(
            malformed_reason(json!({"status": "completed", "result": {"firstName": 7}})),
            "`result.firstName` should be a string, got a number"
        );
        assert_eq!(
            malformed_reason(json!({"status": "completed", "errors": {"type": "FaceMatchError"}})),
            "`errors` should be an array, got an object"
        );
        assert_eq!(
            malformed_reason(json!({"status": "completed", "errors": [42]})),
            "`errors[0]` should be an object, got a number"
        );
        assert_eq!(
            malformed_reason(json!({"status": "completed", "errors": [{"message": "bad"}]})),
            "`errors[0].type` is missing"
        );
        assert_eq!(
            malformed_reason(json!({"status": "completed", "id": ["x"]})),
            "`id` should be a string or a number, got an array"
        );
    }
}
