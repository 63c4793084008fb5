//! Out-of-wallet challenge questions (seed 000): a provider asks, the applicant answers through the
//! tenant, the provider judges the answers.

use serde::{Deserialize, Serialize};

use super::ids::ApplicationId;
use super::time::Timestamp;
use super::validate::Invalid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub key: String,
    pub prompt: String,
    pub options: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    pub key: String,
    pub answer: String,
}

/// The questions of one attempt and, once given, their answers.
#[derive(Debug, Clone, PartialEq)]
pub struct Challenge {
    pub application_id: ApplicationId,
    pub attempt: i64,
    pub provider: String,
    pub questions: Vec<Question>,
    pub answers: Option<Vec<Answer>>,
    pub issued_at: Timestamp,
    pub answered_at: Option<Timestamp>,
}

fn invalid(code: &'static str, message: String) -> Invalid {
    Invalid { code, message }
}

impl Challenge {
    /// Accepts a complete set of answers: one per question, each one of the question's options.
    /// Whether they are *right* is the provider's call.
    pub fn check_answers(&self, answers: &[Answer]) -> Result<(), Invalid> {
        if self.answers.is_some() {
            return Err(invalid(
                "already_answered",
                "these questions have already been answered".into(),
            ));
        }
        for answer in answers {
            let question = self
                .questions
                .iter()
                .find(|q| q.key == answer.key)
                .ok_or_else(|| {
                    invalid(
                        "unknown_question",
                        format!("there is no question {:?}", answer.key),
                    )
                })?;
            if answers.iter().filter(|a| a.key == answer.key).count() > 1 {
                return Err(invalid(
                    "duplicate_answer",
                    format!("question {:?} is answered more than once", answer.key),
                ));
            }
            if !question.options.contains(&answer.answer) {
                return Err(invalid(
                    "invalid_option",
                    format!("the answer to {:?} must be one of its options", answer.key),
                ));
            }
        }
        if let Some(missing) = self
            .questions
            .iter()
            .find(|q| !answers.iter().any(|a| a.key == q.key))
        {
            return Err(invalid(
                "unanswered_question",
                format!("question {:?} has no answer", missing.key),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn challenge() -> Challenge {
        Challenge {
            application_id: ApplicationId::generate(),
            attempt: 1,
            provider: "sandbox".into(),
            questions: vec![
                Question {
                    key: "street".into(),
                    prompt: "Which street have you lived on?".into(),
                    options: vec!["Elm".into(), "Oak".into()],
                },
                Question {
                    key: "car".into(),
                    prompt: "Which car have you owned?".into(),
                    options: vec!["Volvo".into(), "Fiat".into()],
                },
            ],
            answers: None,
            issued_at: Timestamp::now(),
            answered_at: None,
        }
    }

    fn answer(key: &str, value: &str) -> Answer {
        Answer {
            key: key.into(),
            answer: value.into(),
        }
    }

    #[test]
    fn a_complete_set_of_listed_options_is_accepted() {
        let c = challenge();
        assert_eq!(
            c.check_answers(&[answer("car", "Fiat"), answer("street", "Elm")]),
            Ok(())
        );
    }

    #[test]
    fn every_kind_of_bad_answer_set_is_named() {
        let c = challenge();
        let code = |answers: &[Answer]| c.check_answers(answers).expect_err("refused").code;
        assert_eq!(code(&[answer("street", "Elm")]), "unanswered_question");
        assert_eq!(
            code(&[answer("street", "Elm"), answer("car", "Tesla")]),
            "invalid_option"
        );
        assert_eq!(
            code(&[
                answer("street", "Elm"),
                answer("car", "Fiat"),
                answer("pet", "Rex")
            ]),
            "unknown_question"
        );
        assert_eq!(
            code(&[
                answer("street", "Elm"),
                answer("street", "Oak"),
                answer("car", "Fiat")
            ]),
            "duplicate_answer"
        );
        let mut answered = challenge();
        answered.answers = Some(vec![]);
        assert_eq!(
            answered.check_answers(&[]).expect_err("refused").code,
            "already_answered"
        );
    }
}
