//! Reading provider callbacks (inbound webhooks) once their signature has been checked: which case
//! they are about, and the assessment they carry, if any.

use serde_json::Value;

use super::Assessment;
use super::normalize::normalize;

/// What a callback says.
#[derive(Debug, Clone, PartialEq)]
pub struct Callback {
    /// The provider's reference for the case (Vouched job id, Sumsub applicant id).
    pub reference: Option<String>,
    /// Present when the callback reports a finished review.
    pub assessment: Option<Assessment>,
}

/// Parses a callback body of `provider`. An error names what was not understood.
pub fn parse(provider: &str, body: &str) -> Result<Callback, String> {
    let payload: Value =
        serde_json::from_str(body).map_err(|e| format!("the body is not JSON: {e}"))?;
    let text = |key: &str| {
        payload
            .get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let (reference, finished) = match provider {
        // A job callback: finished when `completed`.
        "vouched" => (text("id"), text("status").as_deref() == Some("completed")),
        // `applicantReviewed` carries `reviewResult`; other types (created, pending) do not.
        "sumsub" => (
            text("applicantId").or_else(|| text("externalUserId")),
            payload.get("reviewResult").is_some_and(Value::is_object),
        ),
        other => return Err(format!("no callbacks are read for provider {other:?}")),
    };
    let assessment = if finished {
        let checks = normalize(provider, &payload).map_err(|e| e.to_string())?;
        Some(Assessment::from_checks(
            reference.clone(),
            body.to_owned(),
            checks,
        ))
    } else {
        None
    };
    Ok(Callback {
        reference,
        assessment,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::verdict::Verdict;

    #[test]
    fn a_completed_vouched_job_is_assessed() {
        let body = include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/providers/vouched_clear.json"
        ));
        let callback = parse("vouched", body).expect("parsed");
        assert_eq!(callback.reference.as_deref(), Some("oRM3YnSy"));
        let assessment = callback.assessment.expect("assessed");
        assert_eq!(assessment.verdict, Verdict::Clear);
        assert_eq!(assessment.raw, body);
    }

    #[test]
    fn an_active_vouched_job_carries_no_assessment() {
        let callback = parse("vouched", r#"{"id": "j1", "status": "active"}"#).expect("parsed");
        assert_eq!(callback.reference.as_deref(), Some("j1"));
        assert_eq!(callback.assessment, None);
    }

    #[test]
    fn sumsub_reviews_map_to_verdicts() {
        let review = |answer: &str, kind: &str| {
            format!(
                r#"{{"applicantId": "5cb56e8e", "type": "applicantReviewed",
                    "reviewResult": {{"reviewAnswer": "{answer}", "rejectLabels": ["FORGERY"], "reviewRejectType": "{kind}"}}}}"#
            )
        };
        let verdict = |body: String| {
            parse("sumsub", &body)
                .expect("parsed")
                .assessment
                .expect("assessed")
                .verdict
        };
        assert_eq!(verdict(review("RED", "FINAL")), Verdict::Reject);
        assert_eq!(verdict(review("RED", "RETRY")), Verdict::Remediate);
        let pending = parse(
            "sumsub",
            r#"{"applicantId": "a1", "type": "applicantPending"}"#,
        )
        .expect("parsed");
        assert_eq!(pending.reference.as_deref(), Some("a1"));
        assert_eq!(pending.assessment, None);
    }

    #[test]
    fn garbage_is_refused_not_panicked_on() {
        assert!(parse("vouched", "not json").is_err());
        assert!(
            parse(
                "vouched",
                r#"{"id": "j", "status": "completed", "result": []}"#
            )
            .is_err()
        );
        assert!(parse("acme", "{}").is_err());
    }
}
