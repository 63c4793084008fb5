//! Callbacks from providers (`POST /api/v1/provider-webhooks/{provider}`): signature checked first
//! ([`check`]), then ([`receive`]) a signed one is kept verbatim, de-duplicated and applied to the
//! case it is about, and a refused one is kept as its SHA-256, size and an excerpt: anyone can send
//! one, so it must not cost what it weighs. The edge throttles refusals per address in between.

use serde_json::json;
use sha2::{Digest, Sha256};

use super::{Ctx, ServiceError, Services};
use crate::domain::audit::{AuditActor, AuditSubject};
use crate::domain::ids::ProviderWebhookId;
use crate::domain::time::Timestamp;
use crate::providers::callbacks;
use crate::store::provider_webhooks::ReceivedCallback;
use crate::store::{self, StoreError};
use crate::webhooks::signing::{verify_sumsub, verify_vouched};

/// The signature headers a callback came with.
#[derive(Debug, Default)]
pub struct Signature {
    /// Vouched `X-Signature`.
    pub x_signature: Option<String>,
    /// Sumsub `X-Payload-Digest` and `X-Payload-Digest-Alg`.
    pub payload_digest: Option<String>,
    pub payload_digest_alg: Option<String>,
}

/// How much of a refused callback's body is kept, as evidence of what was tried.
pub const REFUSED_EXCERPT_BYTES: usize = 2 * 1024;

/// A callback whose signature was checked against the provider's secret. Only [`check`] makes
/// one, so [`receive`] cannot be told a forged callback is signed.
pub struct Checked<'a> {
    provider: &'a str,
    body: &'a [u8],
    signed: bool,
}

impl Checked<'_> {
    /// Whether the signature held.
    pub fn signed(&self) -> bool {
        self.signed
    }
}

/// Checks the signature of a callback for `provider`; `NotFound` for a provider that is unknown or
/// not configured.
pub fn check<'a>(
    services: &Services,
    provider: &'a str,
    signature: &Signature,
    body: &'a [u8],
) -> Result<Checked<'a>, ServiceError> {
    Ok(Checked {
        provider,
        body,
        signed: signature_holds(services, provider, signature, body)?,
    })
}

/// The first `REFUSED_EXCERPT_BYTES` of `text`, cut at a character boundary.
fn excerpt(text: &str) -> &str {
    let mut end = text.len().min(REFUSED_EXCERPT_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Receipt {
    /// Stored; its result was applied to an application waiting for it.
    Applied,
    /// Stored; nothing to apply (an interim status, or no application waits for it).
    Stored,
    /// The same callback came before: ignored.
    Duplicate,
    /// The signature did not hold: its digest, size and excerpt stored and audited, nothing applied.
    BadSignature,
}

fn signature_holds(
    services: &Services,
    provider: &str,
    signature: &Signature,
    body: &[u8],
) -> Result<bool, ServiceError> {
    let providers = &services.settings.providers;
    let verified = match provider {
        "vouched" => {
            let secret = providers
                .vouched
                .as_ref()
                .ok_or(ServiceError::NotFound("provider"))?;
            verify_vouched(
                secret.webhook_secret.expose().as_bytes(),
                body,
                signature.x_signature.as_deref().unwrap_or_default(),
            )
        }
        "sumsub" => {
            let secret = providers
                .sumsub_webhook_secret
                .as_ref()
                .ok_or(ServiceError::NotFound("provider"))?;
            verify_sumsub(
                secret.expose().as_bytes(),
                body,
                signature.payload_digest.as_deref().unwrap_or_default(),
                signature.payload_digest_alg.as_deref(),
            )
        }
        _ => return Err(ServiceError::NotFound("provider")),
    };
    Ok(verified.is_ok())
}

pub async fn receive(
    services: &Services,
    ctx: &Ctx,
    callback: Checked<'_>,
) -> Result<Receipt, ServiceError> {
    let Checked {
        provider,
        body,
        signed: valid,
    } = callback;
    let text = std::str::from_utf8(body).map_err(|_| crate::domain::validate::Invalid {
        code: "invalid_body",
        message: "the body is not UTF-8 JSON".into(),
    })?;
    let body_sha256 = hex::encode(Sha256::digest(body));
    let parsed = if valid {
        Some(callbacks::parse(provider, text).map_err(|message| {
            crate::domain::validate::Invalid {
                code: "invalid_body",
                message,
            }
        })?)
    } else {
        None
    };
    let now = Timestamp::now();
    let mut tx = services.store.begin_write().await?;
    let reference = parsed.as_ref().and_then(|p| p.reference.clone());
    let applied = match parsed.and_then(|p| Some((p.reference?, p.assessment?))) {
        Some((reference, assessment)) => {
            super::pipeline::apply_callback(&mut tx, provider, &reference, assessment).await?
        }
        None => None,
    };
    let record = ReceivedCallback {
        id: ProviderWebhookId::generate(),
        provider,
        body_sha256: &body_sha256,
        signature_valid: valid,
        reference: reference.as_deref(),
        application_id: applied,
        body: if valid { text } else { excerpt(text) },
        body_size: i64::try_from(body.len()).unwrap_or(i64::MAX),
        received_at: now,
    };
    match store::provider_webhooks::insert(&mut tx, &record).await {
        // Dropping the transaction undoes anything applied above: the first copy did it already.
        Err(StoreError::Duplicate(_)) => return Ok(Receipt::Duplicate),
        other => other?,
    }
    let mut event = ctx.event(
        if valid {
            "provider_webhook.received"
        } else {
            "provider_webhook.rejected"
        },
        AuditSubject::new("provider_webhook", record.id),
        json!({"provider": provider, "reference": reference, "application_id": applied,
               "body_sha256": body_sha256, "body_size": record.body_size, "signature_valid": valid}),
    );
    event.actor = AuditActor::provider(provider);
    store::audit::append(&mut tx, &event);
    tx.commit().await?;
    Ok(match (valid, applied) {
        (false, _) => Receipt::BadSignature,
        (true, Some(_)) => Receipt::Applied,
        (true, None) => Receipt::Stored,
    })
}
