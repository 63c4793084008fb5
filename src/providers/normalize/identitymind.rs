//! IdentityMind eDNA transactions (the KYC transaction object IdentityMind returns).
//!
//! - One `Database` check; reference = `tid`, else `mtid`; no score.
//! - `state`: A -> Clear; R -> Consider + Warning `manual_review`; D -> Consider + Failure `denied`; any
//!   other value -> Unknown + Warning `unrecognized_state`, so a new state reaches a reviewer.
//! - `ednaScoreCard.er.reportedRule` -> `rule_<ruleId>`, severity from `resultCode` (ACCEPT Info,
//!   MANUAL_REVIEW Warning, DENY/REJECT Failure, anything else Warning), message "name: description",
//!   value = the result code.
//! - Tests from the rule's `testResults`, then `ednaScoreCard.etr`, then `ednaScoreCard.sc` -> Info
//!   `test_<id, ':' as '_'>` with field = test id, value = details. A test id is kept once, first
//!   occurrence wins: the rule's own results come first and say the most.

use std::collections::HashSet;

use serde_json::Value;

use super::{NormalizeError, Normalized, Obj, code_part, finding};
use crate::domain::check::{CheckKind, CheckResult, Finding, Severity};

const PROVIDER: &str = "identitymind";

pub(super) fn normalize(payload: &Value) -> Result<Vec<Normalized>, NormalizeError> {
    let tx = Obj::root(PROVIDER, payload)?;
    let state = tx.required("state", Obj::str)?;
    let reference = match tx.id("tid")? {
        Some(tid) => Some(tid),
        None => tx.id("mtid")?,
    };

    let mut findings = Vec::new();
    let result = match state {
        "A" => CheckResult::Clear,
        "R" => {
            findings.push(finding(
                "manual_review",
                Severity::Warning,
                "IdentityMind referred the transaction for manual review",
            ));
            CheckResult::Consider
        }
        "D" => {
            findings.push(finding(
                "denied",
                Severity::Failure,
                "IdentityMind denied the transaction",
            ));
            CheckResult::Consider
        }
        other => {
            findings.push(finding(
                "unrecognized_state",
                Severity::Warning,
                format!("unrecognized IdentityMind state {other:?}"),
            ));
            CheckResult::Unknown
        }
    };

    if let Some(card) = tx.obj("ednaScoreCard")? {
        let mut tests = Vec::new();
        let rule = match card.obj("er")? {
            Some(er) => er.obj("reportedRule")?,
            None => None,
        };
        if let Some(rule) = rule {
            findings.push(rule_finding(&rule)?);
            tests.extend(rule.objs("testResults")?);
        }
        tests.extend(card.objs("etr")?);
        tests.extend(card.objs("sc")?);

        let mut seen = HashSet::new();
        for test in &tests {
            let id = test.required("test", Obj::str)?;
            if !seen.insert(id) {
                continue;
            }
            let details = test.str("details")?;
            let message = match details {
                Some(details) => format!("test {id}: {details}"),
                None => format!("test {id}"),
            };
            findings.push(Finding {
                field: Some(id.to_owned()),
                value: details.map(str::to_owned),
                ..finding(format!("test_{}", code_part(id)), Severity::Info, message)
            });
        }
    }

    Ok(vec![Normalized::new(
        CheckKind::Database,
        result,
        None,
        reference,
        findings,
    )])
}

fn rule_finding(rule: &Obj<'_>) -> Result<Finding, NormalizeError> {
    let id = rule.required("ruleId", Obj::id)?;
    let result_code = rule.str("resultCode")?;
    let severity = match result_code {
        Some("ACCEPT") => Severity::Info,
        Some("DENY" | "REJECT") => Severity::Failure,
        // MANUAL_REVIEW, and codes we do not know yet: a person should look.
        _ => Severity::Warning,
    };
    let parts: Vec<&str> = [rule.str("name")?, rule.str("description")?]
        .into_iter()
        .flatten()
        .collect();
    let message = if parts.is_empty() {
        format!("rule {id} fired")
    } else {
        parts.join(": ")
    };
    Ok(Finding {
        value: result_code.map(str::to_owned),
        ..finding(format!("rule_{}", code_part(&id)), severity, message)
    })
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
                provider: "identitymind",
                reason,
            }) => reason,
            other => panic!("expected Malformed for {payload}, got {other:?}"),
        }
    }

    #[test]
    fn seed_accepted_transaction_is_clear_with_deduped_tests() {
        let check = single(&fixture!("identitymind_accepted"));
        assert_eq!(check.kind, CheckKind::Database);
        assert_eq!(check.result, CheckResult::Clear);
        assert_eq!(check.score, None);
        assert_eq!(
            check.reference.as_deref(),
            Some("95ed799287ee48ccadf4cf1f654e064c")
        );
        // ed:1 appears in testResults, etr and sc: kept once, from the rule.
        assert_eq!(
            codes(&check),
            [
                "rule_1002",
                "test_ed_1",
                "test_ed_20",
                "test_ed_31",
                "test_ed_2",
                "test_ed_28"
            ]
        );
        assert!(check.findings.iter().all(|f| f.severity == Severity::Info));
        let rule = &check.findings[0];
        assert_eq!(rule.message, "Sandbox Rule: Rule fired from sandbox");
        assert_eq!(rule.value.as_deref(), Some("ACCEPT"));
        let test = &check.findings[1];
        assert_eq!(
            (test.field.as_deref(), test.value.as_deref()),
            (Some("ed:1"), Some("[Fired] details"))
        );
        assert_eq!(check.findings[2].value.as_deref(), Some("true"));
    }

    #[test]
    fn review_transaction_is_consider_with_manual_review_warnings() {
        let check = single(&fixture!("identitymind_review"));
        assert_eq!(check.result, CheckResult::Consider);
        assert_eq!(
            codes(&check),
            [
                "manual_review",
                "rule_1003",
                "test_ed_9",
                "test_ed_1",
                "test_ed_2"
            ]
        );
        assert_eq!(check.findings[0].severity, Severity::Warning);
        assert_eq!(check.findings[1].severity, Severity::Warning);
        assert_eq!(
            check.findings[1].message,
            "Sandbox Review Rule: Rule fired from sandbox"
        );
        assert_eq!(check.findings[2].severity, Severity::Info);
    }

    #[test]
    fn denied_transaction_is_consider_with_failures() {
        let check = single(&fixture!("identitymind_denied"));
        assert_eq!(check.result, CheckResult::Consider);
        assert_eq!(
            check.reference.as_deref(),
            Some("0a9b8c7d6e5f40312a3b4c5d6e7f8091")
        );
        assert_eq!(
            codes(&check),
            ["denied", "rule_1004", "test_ed_2", "test_ed_1"]
        );
        assert_eq!(check.findings[0].severity, Severity::Failure);
        assert_eq!(check.findings[1].severity, Severity::Failure);
        assert_eq!(check.findings[1].value.as_deref(), Some("DENY"));
    }

    #[test]
    fn minimal_and_unusual_transactions() {
        let check = single(&json!({"state": "A", "mtid": "m-1", "tid": ""}));
        assert_eq!(
            (check.result, check.reference.as_deref()),
            (CheckResult::Clear, Some("m-1"))
        );
        assert!(check.findings.is_empty());

        let check = single(&json!({"state": "X", "tid": 17}));
        assert_eq!(
            (check.result, check.reference.as_deref()),
            (CheckResult::Unknown, Some("17"))
        );
        assert_eq!(codes(&check), ["unrecognized_state"]);

        let rule = json!({"ruleId": "R-9", "resultCode": "REJECT"});
        let check = single(&json!({"state": "D", "ednaScoreCard": {"er": {"reportedRule": rule}}}));
        assert_eq!(codes(&check), ["denied", "rule_r_9"]);
        assert_eq!(check.findings[1].message, "rule R-9 fired");
        assert_eq!(check.findings[1].severity, Severity::Failure);
    }

    #[test]
    fn wrong_shapes_are_malformed() {
        assert_eq!(malformed_reason(json!({"tid": "x"})), "`state` is missing");
        assert_eq!(
            malformed_reason(json!({"state": 1})),
            "`state` should be a string, got a number"
        );
        assert_eq!(
            malformed_reason(json!({"state": "A", "ednaScoreCard": []})),
            "`ednaScoreCard` should be an object, got an array"
        );
        assert_eq!(
            malformed_reason(json!({"state": "A", "ednaScoreCard": {"etr": "ed:1"}})),
            "`ednaScoreCard.etr` should be an array, got a string"
        );
        assert_eq!(
            malformed_reason(json!({"state": "A", "ednaScoreCard": {"sc": [{"details": "true"}]}})),
            "`ednaScoreCard.sc[0].test` is missing"
        );
        assert_eq!(
            malformed_reason(
                json!({"state": "A", "ednaScoreCard": {"er": {"reportedRule": {"ruleId": true}}}})
            ),
            "`ednaScoreCard.er.reportedRule.ruleId` should be a string or a number, got a boolean"
        );
        assert_eq!(
            malformed_reason(
                json!({"state": "A", "ednaScoreCard": {"etr": [{"test": "ed:1", "details": false}]}})
            ),
            "`ednaScoreCard.etr[0].details` should be a string, got a boolean"
        );
    }
}
