//! Posts signed webhook messages to tenant endpoints through the SSRF-guarded client.

use std::time::Instant;

use super::signing::{WebhookSecret, sign};
use super::target_guard::{check_literal, guarded_client_builder};
use crate::config::WebhookConfig;

/// What one delivery attempt produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub status: Option<u16>,
    pub latency_ms: i64,
    pub error: Option<String>,
    pub body: Option<String>,
}

/// How much of a response is read: enough for an excerpt, never a hostile gigabyte.
const MAX_RESPONSE_BYTES: usize = 16 * 1024;

#[derive(Debug, Clone)]
pub struct WebhookSender {
    client: reqwest::Client,
    allow_private: bool,
}

impl WebhookSender {
    pub fn new(config: WebhookConfig) -> Result<Self, reqwest::Error> {
        let client = guarded_client_builder(config.allow_private)
            .timeout(config.timeout)
            .user_agent(concat!("kycdesk-webhooks/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            client,
            allow_private: config.allow_private,
        })
    }

    /// Whether a URL may be saved as a webhook target under this configuration.
    pub fn check_target(&self, url: &str) -> Result<(), super::target_guard::TargetError> {
        check_literal(url, self.allow_private)
    }

    /// Sends one Standard Webhooks message: `webhook-id` stays the same across retries so the
    /// receiver can de-duplicate; the timestamp and signature are of this attempt.
    pub async fn send(
        &self,
        url: &str,
        message_id: &str,
        secrets: &[WebhookSecret],
        body: String,
        timestamp: i64,
    ) -> Outcome {
        let started = Instant::now();
        let elapsed =
            |started: Instant| i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
        if let Err(refused) = check_literal(url, self.allow_private) {
            return Outcome {
                status: None,
                latency_ms: 0,
                error: Some(refused.to_string()),
                body: None,
            };
        }
        let signature = sign(secrets, message_id, timestamp, body.as_bytes());
        let sent = self
            .client
            .post(url)
            .header("content-type", "application/json")
            .header("webhook-id", message_id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(body)
            .send()
            .await;
        match sent {
            Err(error) => Outcome {
                status: None,
                latency_ms: elapsed(started),
                error: Some(describe(&error)),
                body: None,
            },
            Ok(mut response) => {
                let status = response.status().as_u16();
                let mut bytes = Vec::new();
                while bytes.len() < MAX_RESPONSE_BYTES {
                    match response.chunk().await {
                        Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
                        Ok(None) | Err(_) => break,
                    }
                }
                bytes.truncate(MAX_RESPONSE_BYTES);
                Outcome {
                    status: Some(status),
                    latency_ms: elapsed(started),
                    error: None,
                    body: Some(String::from_utf8_lossy(&bytes).into_owned()),
                }
            }
        }
    }
}

/// A transport error in a line an admin can act on (reqwest's own text nests its causes).
fn describe(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else if error.is_redirect() {
        "redirect refused"
    } else {
        "request failed"
    };
    let mut cause = String::new();
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        cause = inner.to_string();
        source = inner.source();
    }
    if cause.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind}: {cause}")
    }
}
