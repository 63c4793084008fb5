//! Outbound webhooks: the messages tenants are told, and each attempt to deliver one.

use serde_json::{Value, json};

use super::ids::{OutboxMessageId, TenantId, WebhookAttemptId};
use super::job::JobState;
use super::time::Timestamp;

/// A message in the outbox, with how its delivery stands.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxMessage {
    pub id: OutboxMessageId,
    pub tenant_id: TenantId,
    pub event_type: String,
    pub subject_id: String,
    /// The event's data, as JSON text.
    pub payload: String,
    pub created_at: Timestamp,
    pub delivered_at: Option<Timestamp>,
    /// The state of its latest delivery job.
    pub job_state: Option<JobState>,
    pub attempts: i64,
}

impl OutboxMessage {
    /// The request body, as Standard Webhooks recommends: `type`, `timestamp`, `data`.
    pub fn body(&self) -> String {
        let data: Value = serde_json::from_str(&self.payload).unwrap_or(Value::Null);
        json!({"type": self.event_type, "timestamp": self.created_at, "data": data}).to_string()
    }
}

/// One try at delivering a message: what came back and how long it took.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryAttempt {
    pub id: WebhookAttemptId,
    pub message_id: OutboxMessageId,
    pub attempted_at: Timestamp,
    pub url: Option<String>,
    pub status_code: Option<i64>,
    pub latency_ms: Option<i64>,
    pub error: Option<String>,
    pub response_excerpt: Option<String>,
}

impl DeliveryAttempt {
    /// A 2xx answer is a delivery; anything else is retried.
    pub fn succeeded(&self) -> bool {
        self.status_code
            .is_some_and(|code| (200..300).contains(&code))
    }
}

/// How much of a response body is kept for admins to read.
pub const RESPONSE_EXCERPT_CHARS: usize = 500;

/// The first characters of a response body, cut on a character boundary.
pub fn excerpt(body: &str) -> String {
    body.chars().take(RESPONSE_EXCERPT_CHARS).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_wraps_the_payload_with_type_and_timestamp() {
        let message = OutboxMessage {
            id: OutboxMessageId::generate(),
            tenant_id: TenantId::generate(),
            event_type: "kyc_application.created".into(),
            subject_id: "x".into(),
            payload: r#"{"id":"a","status":"draft"}"#.into(),
            created_at: "2026-11-22T08:00:00Z".parse().expect("timestamp"),
            delivered_at: None,
            job_state: None,
            attempts: 0,
        };
        let body: Value = serde_json::from_str(&message.body()).expect("json");
        assert_eq!(body["type"], "kyc_application.created");
        assert_eq!(body["timestamp"], "2026-11-22T08:00:00.000000Z");
        assert_eq!(body["data"]["status"], "draft");
    }

    #[test]
    fn excerpts_are_cut_on_characters() {
        let long = "é".repeat(RESPONSE_EXCERPT_CHARS + 10);
        assert_eq!(excerpt(&long).chars().count(), RESPONSE_EXCERPT_CHARS);
        assert_eq!(excerpt("ok"), "ok");
    }
}
