//! Sumsub results, in the two shapes we receive; a payload with both yields both checks, one with
//! neither is malformed. Sumsub gives no score, and these shapes carry no reference.
//!
//! - Document diagnostics `{"verification": {"sumsub": {status, client_note}}}` -> one `Document` check:
//!   "ignored" -> Unknown + Warning `not_recognized` (message = client_note); "approved"/"green" -> Clear;
//!   "rejected"/"red" -> Consider + Failure `rejected` (message = client_note); any other status ->
//!   Unknown + Warning `unrecognized_status`. Statuses match case-insensitively. A client_note not used
//!   as a message becomes an Info `client_note`.
//! - Applicant review `{"reviewResult": {reviewAnswer, rejectLabels, reviewRejectType, ...}}` -> one
//!   `Document` check: GREEN -> Clear; RED -> Consider with a Failure per reject label (code = lowercase
//!   label, message humanised), `reject_type_retry` Warning / `reject_type_final` Failure (another type:
//!   Warning `reject_type_<type>`), and a Failure `rejected` when no label says why; any other answer ->
//!   Unknown + Warning `unrecognized_answer`. `moderationComment` / `clientComment` -> Info
//!   `moderation_comment` / `client_comment`.

use serde_json::Value;

use super::{NormalizeError, Normalized, Obj, code_part, finding, humanize};
use crate::domain::check::{CheckKind, CheckResult, Severity};

const PROVIDER: &str = "sumsub";

pub(super) fn normalize(payload: &Value) -> Result<Vec<Normalized>, NormalizeError> {
    let root = Obj::root(PROVIDER, payload)?;
    let mut checks = Vec::new();
    if let Some(verification) = root.obj("verification")? {
        checks.push(diagnostics(&verification.required("sumsub", Obj::obj)?)?);
    }
    if let Some(review) = root.obj("reviewResult")? {
        checks.push(review_result(&review)?);
    }
    if checks.is_empty() {
        return Err(NormalizeError::Malformed {
            provider: PROVIDER,
            reason: "expected `verification.sumsub` or `reviewResult`".into(),
        });
    }
    Ok(checks)
}

fn diagnostics(sumsub: &Obj<'_>) -> Result<Normalized, NormalizeError> {
    let status = sumsub.required("status", Obj::str)?;
    let note = sumsub.str("client_note")?;
    let mut findings = Vec::new();
    let result = match status.to_ascii_lowercase().as_str() {
        "ignored" => {
            let message = note.unwrap_or("Sumsub could not recognize the document");
            findings.push(finding("not_recognized", Severity::Warning, message));
            return Ok(Normalized::new(
                CheckKind::Document,
                CheckResult::Unknown,
                None,
                None,
                findings,
            ));
        }
        "rejected" | "red" => {
            findings.push(finding(
                "rejected",
                Severity::Failure,
                note.unwrap_or("Sumsub rejected the document"),
            ));
            return Ok(Normalized::new(
                CheckKind::Document,
                CheckResult::Consider,
                None,
                None,
                findings,
            ));
        }
        "approved" | "green" => CheckResult::Clear,
        _ => {
            findings.push(finding(
                "unrecognized_status",
                Severity::Warning,
                format!("unrecognized Sumsub status {status:?}"),
            ));
            CheckResult::Unknown
        }
    };
    findings.extend(note.map(|note| finding("client_note", Severity::Info, note)));
    Ok(Normalized::new(
        CheckKind::Document,
        result,
        None,
        None,
        findings,
    ))
}

fn review_result(review: &Obj<'_>) -> Result<Normalized, NormalizeError> {
    let answer = review.required("reviewAnswer", Obj::str)?;
    let labels = review.strs("rejectLabels")?;
    let reject_type = review.str("reviewRejectType")?;
    let mut findings = Vec::new();
    let result = match answer.to_ascii_uppercase().as_str() {
        "GREEN" => CheckResult::Clear,
        "RED" => {
            for label in &labels {
                findings.push(finding(
                    code_part(label),
                    Severity::Failure,
                    humanize(label),
                ));
            }
            if labels.is_empty() {
                findings.push(finding(
                    "rejected",
                    Severity::Failure,
                    "Sumsub rejected the applicant",
                ));
            }
            findings.extend(
                reject_type.map(|kind| match kind.to_ascii_uppercase().as_str() {
                    "RETRY" => finding(
                        "reject_type_retry",
                        Severity::Warning,
                        "applicant may resubmit",
                    ),
                    "FINAL" => finding("reject_type_final", Severity::Failure, "final rejection"),
                    _ => finding(
                        format!("reject_type_{}", code_part(kind)),
                        Severity::Warning,
                        format!("reject type {kind}"),
                    ),
                }),
            );
            CheckResult::Consider
        }
        _ => {
            findings.push(finding(
                "unrecognized_answer",
                Severity::Warning,
                format!("unrecognized Sumsub review answer {answer:?}"),
            ));
            CheckResult::Unknown
        }
    };
    for (key, code) in [
        ("moderationComment", "moderation_comment"),
        ("clientComment", "client_comment"),
    ] {
        findings.extend(
            review
                .str(key)?
                .map(|comment| finding(code, Severity::Info, comment)),
        );
    }
    Ok(Normalized::new(
        CheckKind::Document,
        result,
        None,
        None,
        findings,
    ))
}

#[cfg(test)]
mod tests {
    use super::super::codes;
    use super::*;
    use serde_json::json;

    fn single(payload: &Value) -> Normalized {
        let mut checks = normalize(payload).expect("normalizes");
        assert_eq!(checks.len(), 1);
        checks.remove(0)
    }

    fn malformed_reason(payload: Value) -> String {
        match normalize(&payload) {
            Err(NormalizeError::Malformed {
                provider: "sumsub",
                reason,
            }) => reason,
            other => panic!("expected Malformed for {payload}, got {other:?}"),
        }
    }

    #[test]
    fn seed_ignored_document_is_unknown_with_the_note() {
        let check = single(&fixture!("sumsub_document_ignored"));
        assert_eq!(
            (
                check.kind,
                check.result,
                check.score,
                check.reference.as_deref()
            ),
            (CheckKind::Document, CheckResult::Unknown, None, None)
        );
        assert_eq!(codes(&check), ["not_recognized"]);
        assert_eq!(check.findings[0].severity, Severity::Warning);
        assert_eq!(
            check.findings[0].message,
            "There is no available data to recognize from image"
        );
    }

    #[test]
    fn diagnostics_statuses() {
        let check = single(
            &json!({"verification": {"sumsub": {"status": "approved", "client_note": "ok"}}}),
        );
        assert_eq!(
            (check.result, codes(&check)),
            (CheckResult::Clear, vec!["client_note"])
        );
        assert_eq!(check.findings[0].severity, Severity::Info);

        let check = single(&json!({"verification": {"sumsub": {"status": "GREEN"}}}));
        assert_eq!((check.result, codes(&check)), (CheckResult::Clear, vec![]));

        let check = single(&json!({"verification": {"sumsub": {"status": "rejected"}}}));
        assert_eq!(
            (check.result, codes(&check)),
            (CheckResult::Consider, vec!["rejected"])
        );
        assert_eq!(check.findings[0].severity, Severity::Failure);

        let check = single(
            &json!({"verification": {"sumsub": {"status": "pending", "client_note": "wait"}}}),
        );
        assert_eq!(
            (check.result, codes(&check)),
            (
                CheckResult::Unknown,
                vec!["unrecognized_status", "client_note"]
            )
        );
    }

    #[test]
    fn green_review_is_clear() {
        let check = single(&fixture!("sumsub_review_green"));
        assert_eq!(
            (check.kind, check.result),
            (CheckKind::Document, CheckResult::Clear)
        );
        assert!(check.findings.is_empty());
    }

    #[test]
    fn red_retry_review_lists_labels_and_allows_resubmission() {
        let check = single(&fixture!("sumsub_review_red_retry"));
        assert_eq!(check.result, CheckResult::Consider);
        assert_eq!(
            codes(&check),
            [
                "unsatisfactory_photos",
                "screenshots",
                "reject_type_retry",
                "moderation_comment",
                "client_comment"
            ]
        );
        let severities: Vec<_> = check.findings.iter().map(|f| f.severity).collect();
        assert_eq!(
            severities,
            [
                Severity::Failure,
                Severity::Failure,
                Severity::Warning,
                Severity::Info,
                Severity::Info
            ]
        );
        assert_eq!(check.findings[0].message, "Unsatisfactory photos");
        assert_eq!(check.findings[2].message, "applicant may resubmit");
        assert_eq!(
            check.findings[4].message,
            "Document photos are screenshots and too blurry to read."
        );
    }

    #[test]
    fn red_final_review_is_a_final_failure() {
        let check = single(&fixture!("sumsub_review_red_final"));
        assert_eq!(check.result, CheckResult::Consider);
        assert_eq!(
            codes(&check),
            [
                "forgery",
                "reject_type_final",
                "moderation_comment",
                "client_comment"
            ]
        );
        assert_eq!(check.findings[0].message, "Forgery");
        assert_eq!(check.findings[1].severity, Severity::Failure);
        assert_eq!(check.findings[1].message, "final rejection");
    }

    #[test]
    fn unusual_reviews() {
        let check = single(
            &json!({"reviewResult": {"reviewAnswer": "RED", "reviewRejectType": "EXTERNAL"}}),
        );
        assert_eq!(codes(&check), ["rejected", "reject_type_external"]);

        let check = single(&json!({"reviewResult": {"reviewAnswer": "YELLOW"}}));
        assert_eq!(
            (check.result, codes(&check)),
            (CheckResult::Unknown, vec!["unrecognized_answer"])
        );

        let both = json!({
            "verification": {"sumsub": {"status": "ignored"}},
            "reviewResult": {"reviewAnswer": "GREEN"},
        });
        let results: Vec<_> = normalize(&both)
            .expect("normalizes")
            .iter()
            .map(|c| c.result)
            .collect();
        assert_eq!(results, [CheckResult::Unknown, CheckResult::Clear]);
    }

    #[test]
    fn wrong_shapes_are_malformed() {
        assert_eq!(
            malformed_reason(json!({})),
            "expected `verification.sumsub` or `reviewResult`"
        );
        assert_eq!(
            malformed_reason(json!({"verification": {}})),
            "`verification.sumsub` is missing"
        );
        assert_eq!(
            malformed_reason(json!({"verification": {"sumsub": {"status": null}}})),
            "`verification.sumsub.status` is missing"
        );
        assert_eq!(
            malformed_reason(
                json!({"verification": {"sumsub": {"status": "ignored", "client_note": 3}}})
            ),
            "`verification.sumsub.client_note` should be a string, got a number"
        );
        assert_eq!(
            malformed_reason(json!({"reviewResult": "GREEN"})),
            "`reviewResult` should be an object, got a string"
        );
        assert_eq!(
            malformed_reason(json!({"reviewResult": {"reviewAnswer": 1}})),
            "`reviewResult.reviewAnswer` should be a string, got a number"
        );
        assert_eq!(
            malformed_reason(
                json!({"reviewResult": {"reviewAnswer": "RED", "rejectLabels": ["FORGERY", 1]}})
            ),
            "`reviewResult.rejectLabels[1]` should be a string, got a number"
        );
    }
}
