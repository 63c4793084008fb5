//! The built-in sandbox provider: deterministic, so that every path can be driven from outside.
//!
//! The outcome is `params.sandbox_outcome` when the application has one (`clear`, `consider`,
//! `reject`, `remediate`, `error`, `questions`); otherwise the applicant's last name, when it is one
//! of those words in any case (a "Jane Reject" is rejected); otherwise `clear`.
//! `error` fails every submission as a provider outage would. `questions` asks three out-of-wallet
//! questions; the right answer to each is its first option. All right: clear; any wrong: consider.

use async_trait::async_trait;
use serde_json::json;

use super::normalize::{Normalized, finding};
use super::{Assessment, Provider, ProviderError, Reply, Submission};
use crate::domain::challenge::{Answer, Question};
use crate::domain::check::{CheckKind, CheckResult, Finding, Severity};
use crate::domain::verdict::Verdict;
use crate::domain::wire_enum::wire_enum;

wire_enum!(SandboxOutcome, "sandbox outcome" {
    Clear => "clear",
    Consider => "consider",
    Reject => "reject",
    Remediate => "remediate",
    Error => "error",
    Questions => "questions",
});

impl SandboxOutcome {
    /// The outcome asked for by the application's parameters, else by the applicant's last name
    /// (see the module documentation).
    pub fn of(params: &serde_json::Value, last_name: Option<&str>) -> SandboxOutcome {
        let word = |text: &str| text.trim().to_ascii_lowercase().parse().ok();
        params
            .get("sandbox_outcome")
            .and_then(|v| v.as_str())
            .and_then(word)
            .or_else(|| last_name.and_then(word))
            .unwrap_or(SandboxOutcome::Clear)
    }
}

#[derive(Debug, Default)]
pub struct Sandbox;

fn check(kind: CheckKind, result: CheckResult, score: f64, findings: Vec<Finding>) -> Normalized {
    Normalized {
        kind,
        result,
        score: Some(score),
        reference: None,
        findings,
    }
}

fn reference(submission: &Submission) -> String {
    format!(
        "sandbox-{}-{}",
        submission.application.id, submission.application.attempt
    )
}

fn assessment(submission: &Submission, verdict: Verdict, checks: Vec<Normalized>) -> Assessment {
    let reference = reference(submission);
    let raw = json!({
        "provider": "sandbox", "reference": reference, "verdict": verdict,
        "checks": checks,
    });
    Assessment {
        reference: Some(reference),
        raw: raw.to_string(),
        checks,
        verdict,
    }
}

fn document_check(result: CheckResult, score: f64, findings: Vec<Finding>) -> Normalized {
    check(CheckKind::Document, result, score, findings)
}

fn questions() -> Vec<Question> {
    let question = |key: &str, prompt: &str, options: [&str; 4]| Question {
        key: key.into(),
        prompt: prompt.into(),
        options: options.iter().map(|o| (*o).to_owned()).collect(),
    };
    vec![
        question(
            "previous_street",
            "On which of these streets have you lived?",
            ["Elm Street", "Harbour Road", "Mill Lane", "None of these"],
        ),
        question(
            "vehicle",
            "Which of these vehicles have you owned?",
            ["Volvo V70", "Fiat Panda", "Ford Focus", "None of these"],
        ),
        question(
            "lender",
            "With which of these lenders have you had a loan?",
            [
                "Northwind Credit",
                "Harbor Savings",
                "Apex Loans",
                "None of these",
            ],
        ),
    ]
}

#[async_trait]
impl Provider for Sandbox {
    fn name(&self) -> &'static str {
        "sandbox"
    }

    async fn submit(&self, submission: &Submission) -> Result<Reply, ProviderError> {
        let face = || check(CheckKind::FaceMatch, CheckResult::Clear, 0.97, vec![]);
        let assessed =
            |verdict, checks| Ok(Reply::Assessed(assessment(submission, verdict, checks)));
        match SandboxOutcome::of(
            &submission.application.params,
            submission.applicant.last_name.as_deref(),
        ) {
            SandboxOutcome::Clear => assessed(
                Verdict::Clear,
                vec![document_check(CheckResult::Clear, 0.98, vec![]), face()],
            ),
            SandboxOutcome::Consider => assessed(
                Verdict::Consider,
                vec![
                    document_check(
                        CheckResult::Consider,
                        0.62,
                        vec![finding(
                            "image_quality",
                            Severity::Warning,
                            "the document photo is blurred (sandbox)",
                        )],
                    ),
                    face(),
                ],
            ),
            SandboxOutcome::Reject => assessed(
                Verdict::Reject,
                vec![document_check(
                    CheckResult::Consider,
                    0.08,
                    vec![finding(
                        "document_tampered",
                        Severity::Failure,
                        "the document shows signs of tampering (sandbox)",
                    )],
                )],
            ),
            SandboxOutcome::Remediate => assessed(
                Verdict::Remediate,
                vec![document_check(
                    CheckResult::Consider,
                    0.41,
                    vec![finding(
                        "document_expired",
                        Severity::Failure,
                        "the document has expired; a valid one is needed (sandbox)",
                    )],
                )],
            ),
            SandboxOutcome::Error => Err(ProviderError::Transient(
                "sandbox provider outage (sandbox_outcome=error)".into(),
            )),
            SandboxOutcome::Questions => {
                let questions = questions();
                let reference = reference(submission);
                let raw =
                    json!({"provider": "sandbox", "reference": reference, "questions": questions});
                Ok(Reply::Questions {
                    reference: Some(reference),
                    raw: raw.to_string(),
                    questions,
                })
            }
        }
    }

    async fn judge_answers(
        &self,
        submission: &Submission,
        questions: &[Question],
        answers: &[Answer],
    ) -> Result<Assessment, ProviderError> {
        let wrong: Vec<Finding> = questions
            .iter()
            .filter(|q| {
                let given = answers.iter().find(|a| a.key == q.key).map(|a| &a.answer);
                given != q.options.first()
            })
            .map(|q| Finding {
                field: Some(q.key.clone()),
                ..finding(
                    "challenge_failed",
                    Severity::Warning,
                    "a challenge question was answered wrongly (sandbox)",
                )
            })
            .collect();
        let (result, verdict) = if wrong.is_empty() {
            (CheckResult::Clear, Verdict::Clear)
        } else {
            (CheckResult::Consider, Verdict::Consider)
        };
        let score = 1.0 - wrong.len() as f64 / questions.len().max(1) as f64;
        Ok(assessment(
            submission,
            verdict,
            vec![check(CheckKind::Questions, result, score, wrong)],
        ))
    }
}

/// No provider: every application goes to a reviewer with no checks.
#[derive(Debug, Default)]
pub struct Manual;

#[async_trait]
impl Provider for Manual {
    fn name(&self) -> &'static str {
        "manual"
    }

    async fn submit(&self, submission: &Submission) -> Result<Reply, ProviderError> {
        Ok(Reply::Assessed(Assessment {
            reference: None,
            raw: json!({"provider": "manual", "application": submission.application.id})
                .to_string(),
            checks: vec![],
            verdict: Verdict::Consider,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parameter_wins_then_the_last_name_then_clear() {
        let of = SandboxOutcome::of;
        assert_eq!(
            of(&json!({"sandbox_outcome": "reject"}), Some("Questions")),
            SandboxOutcome::Reject
        );
        assert_eq!(
            of(&json!({"sandbox_outcome": " Consider "}), None),
            SandboxOutcome::Consider
        );
        assert_eq!(of(&json!({}), Some("REMEDIATE")), SandboxOutcome::Remediate);
        assert_eq!(
            of(&json!({"sandbox_outcome": "maybe"}), Some("Error")),
            SandboxOutcome::Error
        );
        assert_eq!(
            of(&json!({"sandbox_outcome": 3}), Some("Lovelace")),
            SandboxOutcome::Clear
        );
        assert_eq!(of(&json!(null), None), SandboxOutcome::Clear);
    }

    #[test]
    fn questions_have_distinct_keys_and_the_right_answer_first() {
        let asked = questions();
        assert_eq!(asked.len(), 3);
        for q in &asked {
            assert_eq!(q.options.len(), 4);
            assert_eq!(asked.iter().filter(|o| o.key == q.key).count(), 1);
        }
    }
}
