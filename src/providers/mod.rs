//! Third-party KYC providers: submitting an application, and turning what they report into our
//! checks and findings. The worker and the inbound webhook endpoint go through [`Provider`].

pub mod callbacks;
pub mod normalize;
pub mod sandbox;
pub mod vouched;

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;

use crate::domain::applicant::Applicant;
use crate::domain::application::Application;
use crate::domain::challenge::{Answer, Question};
use crate::domain::document::Document;
use crate::domain::verdict::Verdict;
use normalize::Normalized;

/// Everything a provider may need about one application.
pub struct Submission {
    pub application: Application,
    pub applicant: Applicant,
    /// The current attempt's documents with their bytes.
    pub documents: Vec<(Document, Vec<u8>)>,
    /// Where the provider should call back, when it works asynchronously.
    pub callback_url: Option<String>,
}

/// A provider's finished assessment.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    pub reference: Option<String>,
    /// The provider's payload, verbatim: the evidence behind the checks.
    pub raw: String,
    pub checks: Vec<Normalized>,
    pub verdict: Verdict,
}

impl Assessment {
    /// An assessment whose verdict follows from its checks (real providers).
    pub fn from_checks(reference: Option<String>, raw: String, checks: Vec<Normalized>) -> Self {
        let verdict = Verdict::of_checks(checks.iter().map(|c| (c.result, c.findings.as_slice())));
        Self {
            reference,
            raw,
            checks,
            verdict,
        }
    }
}

/// What a provider answered to a submission.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// The result, at once.
    Assessed(Assessment),
    /// The provider took the case; its result comes by callback or by asking again.
    Accepted { reference: String },
    /// The applicant must answer these before the provider decides (seed 000).
    Questions {
        reference: Option<String>,
        raw: String,
        questions: Vec<Question>,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// Timeouts, 5xx, overload: worth trying again later.
    #[error("provider unavailable: {0}")]
    Transient(String),
    /// The provider refused or misunderstood the request: trying again will not help.
    #[error("provider refused: {0}")]
    Refused(String),
    /// The provider cannot do what was asked (no documents, no questions).
    #[error("{0}")]
    Unsupported(String),
}

impl ProviderError {
    pub fn is_transient(&self) -> bool {
        matches!(self, ProviderError::Transient(_))
    }
}

#[async_trait]
pub trait Provider: Send + Sync + fmt::Debug {
    /// The name levels refer to and applications store.
    fn name(&self) -> &'static str;

    async fn submit(&self, submission: &Submission) -> Result<Reply, ProviderError>;

    /// Asks again for the result of an accepted submission; `None` while it is not ready.
    /// Providers that always answer at once have nothing to fetch.
    async fn fetch(&self, _reference: &str) -> Result<Option<Assessment>, ProviderError> {
        Err(ProviderError::Unsupported(format!(
            "{} answers at once; there is nothing to fetch",
            self.name()
        )))
    }

    /// Judges the applicant's answers to the questions it asked; most providers ask none.
    async fn judge_answers(
        &self,
        _submission: &Submission,
        _questions: &[Question],
        _answers: &[Answer],
    ) -> Result<Assessment, ProviderError> {
        Err(ProviderError::Unsupported(format!(
            "{} asks no challenge questions",
            self.name()
        )))
    }
}

/// The providers this installation can submit to, by name.
#[derive(Clone, Default)]
pub struct Providers {
    by_name: HashMap<&'static str, Arc<dyn Provider>>,
}

impl fmt::Debug for Providers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.by_name.keys()).finish()
    }
}

impl Providers {
    pub fn with(mut self, provider: Arc<dyn Provider>) -> Self {
        self.by_name.insert(provider.name(), provider);
        self
    }

    pub fn get(&self, name: &str) -> Option<Arc<dyn Provider>> {
        self.by_name.get(name).cloned()
    }
}
