//! Vouched: a real HTTP adapter. A submission becomes an `id-verification` job; a completed job
//! is normalized into checks; an active one is finished later by its callback or by asking again.

pub mod client;

use async_trait::async_trait;

use super::normalize::normalize;
use super::{Assessment, Provider, ProviderError, Reply, Submission};
use crate::domain::document::{DocumentSide, DocumentType};
use client::{Job, JobRequest, JobStatus, VouchedClient, VouchedError};

#[derive(Debug, Clone)]
pub struct Vouched {
    client: VouchedClient,
}

impl Vouched {
    pub fn new(client: VouchedClient) -> Self {
        Self { client }
    }
}

impl From<VouchedError> for ProviderError {
    fn from(error: VouchedError) -> Self {
        if error.is_transient() {
            ProviderError::Transient(error.to_string())
        } else {
            ProviderError::Refused(error.to_string())
        }
    }
}

const IDENTITY_DOCUMENTS: [DocumentType; 4] = [
    DocumentType::Passport,
    DocumentType::IdCard,
    DocumentType::DriverLicense,
    DocumentType::ResidencePermit,
];

/// The job for a submission: names and birth date from the applicant, the identity document's
/// sides and the selfie from the current attempt.
fn job_request(submission: &Submission) -> Result<JobRequest, ProviderError> {
    let applicant = &submission.applicant;
    let (Some(first_name), Some(last_name)) = (&applicant.first_name, &applicant.last_name) else {
        return Err(ProviderError::Unsupported(
            "Vouched needs the applicant's first and last name".into(),
        ));
    };
    let side = |wanted: Option<DocumentSide>| {
        submission
            .documents
            .iter()
            .find(|(d, _)| IDENTITY_DOCUMENTS.contains(&d.doc_type) && d.side == wanted)
            .map(|(_, bytes)| bytes.clone())
    };
    let id_photo = side(Some(DocumentSide::Front))
        .or_else(|| side(None))
        .ok_or_else(|| ProviderError::Unsupported("Vouched needs an identity document".into()))?;
    let user_photo = submission
        .documents
        .iter()
        .find(|(d, _)| d.doc_type == DocumentType::Selfie)
        .map(|(_, bytes)| bytes.clone());
    Ok(JobRequest {
        first_name: first_name.clone(),
        last_name: last_name.clone(),
        date_of_birth: applicant.date_of_birth.as_ref().map(|d| d.to_string()),
        id_photo,
        id_photo_back: side(Some(DocumentSide::Back)),
        user_photo,
        callback_url: submission.callback_url.clone(),
        passthrough: submission
            .application
            .params
            .get("params")
            .and_then(serde_json::Value::as_object)
            .cloned()
            .unwrap_or_default(),
    })
}

/// A completed job's assessment; `None` while Vouched is still working on it.
pub fn assess(job: &Job) -> Result<Option<Assessment>, ProviderError> {
    if job.status != JobStatus::Completed {
        return Ok(None);
    }
    let payload: serde_json::Value = serde_json::from_str(&job.raw)
        .map_err(|e| ProviderError::Refused(format!("Vouched job is not JSON: {e}")))?;
    let checks =
        normalize("vouched", &payload).map_err(|e| ProviderError::Refused(e.to_string()))?;
    Ok(Some(Assessment::from_checks(
        Some(job.id.clone()),
        job.raw.clone(),
        checks,
    )))
}

#[async_trait]
impl Provider for Vouched {
    fn name(&self) -> &'static str {
        "vouched"
    }

    async fn submit(&self, submission: &Submission) -> Result<Reply, ProviderError> {
        let job = self.client.submit(&job_request(submission)?).await?;
        Ok(match assess(&job)? {
            Some(assessment) => Reply::Assessed(assessment),
            None => Reply::Accepted { reference: job.id },
        })
    }

    async fn fetch(&self, reference: &str) -> Result<Option<Assessment>, ProviderError> {
        match self.client.fetch(reference).await? {
            Some(job) => assess(&job),
            None => Err(ProviderError::Refused(format!(
                "Vouched has no job {reference:?}"
            ))),
        }
    }
}
