//! The hash-chained audit trail: event types, the canonical encoding, and chain verification.
//!
//! Canonical encoding (also in docs/ARCHITECTURE.md and the README, so an auditor can re-implement
//! it): the hash input is the concatenation of eight netstrings
//! `<byte length in ASCII decimal>:<UTF-8 bytes>,`, in this order: `kycdesk-audit-v1`, seq (ASCII
//! decimal), prev_hash (64 lowercase hex; 64 zeros before the first event), occurred_at (RFC 3339 UTC
//! with six fractional digits and `Z`), actor (`kind:id`), action, subject (`kind:id`), payload (the
//! stored JSON text, byte for byte). `hash` is the lowercase hex SHA-256.

use std::fmt;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::ids::AuditEventId;
use super::time::Timestamp;
use super::validate::Invalid;

/// The `prev_hash` of the first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

const ENCODING_TAG: &str = "kycdesk-audit-v1";

/// Who did it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditActor {
    /// `staff`, `api_key`, `provider`, `system` or `anonymous` (a failed sign-in).
    pub kind: &'static str,
    pub id: String,
}

impl AuditActor {
    pub fn staff(id: impl fmt::Display) -> Self {
        Self {
            kind: "staff",
            id: id.to_string(),
        }
    }

    pub fn api_key(id: impl fmt::Display) -> Self {
        Self {
            kind: "api_key",
            id: id.to_string(),
        }
    }

    pub fn provider(name: &str) -> Self {
        Self {
            kind: "provider",
            id: name.to_owned(),
        }
    }

    /// The platform itself, naming the component (`cli`, `worker`, `demo`).
    pub fn system(component: &str) -> Self {
        Self {
            kind: "system",
            id: component.to_owned(),
        }
    }

    pub fn encoded(&self) -> String {
        format!("{}:{}", self.kind, self.id)
    }
}

/// What it was done to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditSubject {
    /// `tenant`, `api_key`, `applicant`, `application`, `document`, `level`, `staff_user`, `audit`, ...
    pub kind: &'static str,
    pub id: String,
}

impl AuditSubject {
    pub fn new(kind: &'static str, id: impl fmt::Display) -> Self {
        Self {
            kind,
            id: id.to_string(),
        }
    }

    pub fn encoded(&self) -> String {
        format!("{}:{}", self.kind, self.id)
    }
}

/// An event about to be appended; the store assigns `seq` and the hashes.
#[derive(Debug, Clone)]
pub struct NewAuditEvent {
    pub occurred_at: Timestamp,
    pub actor: AuditActor,
    pub action: &'static str,
    pub subject: AuditSubject,
    pub tenant_id: Option<String>,
    pub request_id: Option<String>,
    pub client_ip: Option<String>,
    pub payload: serde_json::Value,
}

impl NewAuditEvent {
    pub fn new(
        actor: AuditActor,
        action: &'static str,
        subject: AuditSubject,
        payload: serde_json::Value,
    ) -> Self {
        Self {
            occurred_at: Timestamp::now(),
            actor,
            action,
            subject,
            tenant_id: None,
            request_id: None,
            client_ip: None,
            payload,
        }
    }

    pub fn for_tenant(mut self, tenant_id: impl fmt::Display) -> Self {
        self.tenant_id = Some(tenant_id.to_string());
        self
    }

    /// The payload as stored and hashed: compact JSON with object keys sorted
    /// (serde_json's map is ordered by key), so the same payload always gives the same bytes.
    pub fn payload_text(&self) -> String {
        self.payload.to_string()
    }
}

/// The fields the hash covers, as stored.
#[derive(Debug, Clone, Copy)]
pub struct HashedFields<'a> {
    pub seq: i64,
    pub prev_hash: &'a str,
    pub occurred_at: &'a str,
    pub actor: &'a str,
    pub action: &'a str,
    pub subject: &'a str,
    pub payload: &'a str,
}

impl HashedFields<'_> {
    /// The exact bytes that are hashed (see the module documentation).
    pub fn canonical_bytes(&self) -> Vec<u8> {
        let seq = self.seq.to_string();
        let fields = [
            ENCODING_TAG,
            seq.as_str(),
            self.prev_hash,
            self.occurred_at,
            self.actor,
            self.action,
            self.subject,
            self.payload,
        ];
        let mut out = Vec::with_capacity(fields.iter().map(|f| f.len() + 8).sum());
        for field in fields {
            out.extend_from_slice(field.len().to_string().as_bytes());
            out.push(b':');
            out.extend_from_slice(field.as_bytes());
            out.push(b',');
        }
        out
    }

    pub fn hash(&self) -> String {
        hex::encode(Sha256::digest(self.canonical_bytes()))
    }
}

/// An event as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEvent {
    pub seq: i64,
    pub id: AuditEventId,
    pub occurred_at: String,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub tenant_id: Option<String>,
    pub request_id: Option<String>,
    pub client_ip: Option<String>,
    pub payload: String,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditEvent {
    pub fn hashed_fields(&self) -> HashedFields<'_> {
        HashedFields {
            seq: self.seq,
            prev_hash: &self.prev_hash,
            occurred_at: &self.occurred_at,
            actor: &self.actor,
            action: &self.action,
            subject: &self.subject,
            payload: &self.payload,
        }
    }
}

/// A point of the chain someone wrote down earlier (`seq:hash`), to detect a truncated tail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainAnchor {
    pub seq: i64,
    pub hash: String,
}

impl std::str::FromStr for ChainAnchor {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let (seq, hash) = s.split_once(':').ok_or("expected SEQ:HASH")?;
        let seq = seq
            .trim()
            .parse::<i64>()
            .map_err(|_| "SEQ must be a positive number")?;
        let hash = hash.trim().to_ascii_lowercase();
        if seq < 1 || hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err("expected SEQ:HASH with SEQ ≥ 1 and a 64-digit hex hash".into());
        }
        Ok(Self { seq, hash })
    }
}

/// Why the chain is not intact, at the first event where it breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainBreak {
    pub seq: i64,
    pub reason: String,
}

/// An intact chain: how many events and the head they end in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainHead {
    pub events: i64,
    pub seq: i64,
    pub hash: String,
}

/// Verifies a chain event by event, in `seq` order, in constant memory.
#[derive(Debug)]
pub struct ChainVerifier {
    expected_seq: i64,
    prev_hash: String,
    anchor: Option<ChainAnchor>,
    anchor_seen: bool,
}

impl ChainVerifier {
    pub fn new(anchor: Option<ChainAnchor>) -> Self {
        Self {
            expected_seq: 1,
            prev_hash: GENESIS_HASH.to_owned(),
            anchor,
            anchor_seen: false,
        }
    }

    /// Checks the next event; the first error is the first broken `seq`.
    pub fn push(&mut self, fields: HashedFields<'_>, stored_hash: &str) -> Result<(), ChainBreak> {
        let seq = self.expected_seq;
        if fields.seq != seq {
            return Err(ChainBreak {
                seq,
                reason: format!(
                    "event {seq} is missing (next stored event is {})",
                    fields.seq
                ),
            });
        }
        if fields.prev_hash != self.prev_hash {
            return Err(ChainBreak {
                seq,
                reason: "prev_hash does not match the previous event's hash".into(),
            });
        }
        if fields.hash() != stored_hash {
            return Err(ChainBreak {
                seq,
                reason: "hash does not match the event's contents".into(),
            });
        }
        if let Some(anchor) = &self.anchor
            && anchor.seq == seq
        {
            if anchor.hash != stored_hash {
                return Err(ChainBreak {
                    seq,
                    reason: "hash differs from the expected head".into(),
                });
            }
            self.anchor_seen = true;
        }
        self.prev_hash = stored_hash.to_owned();
        self.expected_seq += 1;
        Ok(())
    }

    /// Ends verification against the head the database records (`None` when it records none) and the anchor.
    pub fn finish(self, recorded_head: Option<(i64, String)>) -> Result<ChainHead, ChainBreak> {
        let last_seq = self.expected_seq - 1;
        if let Some(anchor) = &self.anchor
            && !self.anchor_seen
        {
            return Err(ChainBreak {
                seq: last_seq + 1,
                reason: format!(
                    "chain ends at seq {last_seq}, before the expected head seq {}",
                    anchor.seq
                ),
            });
        }
        if let Some((head_seq, head_hash)) = recorded_head {
            if head_seq != last_seq {
                return Err(ChainBreak {
                    seq: last_seq + 1,
                    reason: format!(
                        "chain ends at seq {last_seq} but the recorded head is seq {head_seq}"
                    ),
                });
            }
            if head_hash != self.prev_hash {
                return Err(ChainBreak {
                    seq: last_seq,
                    reason: "hash differs from the recorded head".into(),
                });
            }
        }
        Ok(ChainHead {
            events: last_seq,
            seq: last_seq,
            hash: self.prev_hash,
        })
    }
}

impl ChainAnchor {
    /// The point before the first event: seq 0 and the genesis hash.
    pub fn genesis() -> Self {
        Self {
            seq: 0,
            hash: GENESIS_HASH.to_owned(),
        }
    }

    /// Where a chunked verification resumes: the last verified event's seq (0 before the first event)
    /// and hash, as a client carries them between chunks.
    pub fn resume_point(seq: &str, hash: &str) -> Result<Self, Invalid> {
        let invalid = || {
            Invalid::new(
                "invalid_chain_point",
                "the verification progress is not valid; start the verification again",
            )
        };
        let seq = seq.trim().parse::<i64>().map_err(|_| invalid())?;
        let hash = hash.trim();
        let is_hash =
            hash.len() == 64 && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        if seq < 0 || !is_hash || (seq == 0 && hash != GENESIS_HASH) {
            return Err(invalid());
        }
        Ok(Self {
            seq,
            hash: hash.to_owned(),
        })
    }
}

impl ChainVerifier {
    /// Continues a verification that has already checked every event up to `after` (see
    /// [`ChainAnchor::genesis`] for a fresh start), so a long chain can be verified in chunks.
    pub fn resume(after: ChainAnchor) -> Self {
        Self {
            expected_seq: after.seq + 1,
            prev_hash: after.hash,
            anchor: None,
            anchor_seen: false,
        }
    }

    /// The last event verified so far (the starting point when none was).
    pub fn verified_through(&self) -> ChainAnchor {
        ChainAnchor {
            seq: self.expected_seq - 1,
            hash: self.prev_hash.clone(),
        }
    }
}

impl AuditEvent {
    /// Whether the stored hash is what the event's stored fields hash to (the link to the previous
    /// event is checked separately, against that event's hash).
    pub fn hash_recomputes(&self) -> bool {
        self.hashed_fields().hash() == self.hash
    }
}

/// Audit log rows per page.
pub const LOG_PAGE_SIZE: i64 = 50;

/// The subject kinds whose id is a UUID: a bare UUID typed as the subject filter matches
/// `<kind>:<uuid>` for each of them (one index lookup per kind, instead of scanning every event's subject).
/// A new subject kind with UUID ids belongs here.
pub const UUID_SUBJECT_KINDS: [&str; 14] = [
    "api_key",
    "applicant",
    "application",
    "check",
    "decision",
    "document",
    "export",
    "job",
    "legal_document",
    "level",
    "provider_webhook",
    "staff_user",
    "tenant",
    "webhook_message",
];

fn filter_invalid(message: &str) -> Invalid {
    Invalid::new("invalid_filter", message)
}

/// Checks `kind:id`: a lowercase kind, a colon, a non-empty id without spaces; `refusal` explains otherwise.
fn encoded_pair(value: &str, refusal: &str) -> Result<String, Invalid> {
    let ok = value.len() <= 300
        && value.split_once(':').is_some_and(|(kind, id)| {
            !kind.is_empty()
                && kind.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
                && !id.is_empty()
                && !id.chars().any(char::is_whitespace)
        });
    if ok {
        Ok(value.to_owned())
    } else {
        Err(filter_invalid(refusal))
    }
}

/// Who did it, as an auditor types it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActorQuery {
    /// Exactly this `kind:id`.
    Encoded(String),
    /// The staff user with this e-mail (`staff:<id>` once resolved).
    StaffEmail(super::validate::contact::Email),
}

impl ActorQuery {
    pub fn parse(value: &str) -> Result<Self, Invalid> {
        let value = value.trim();
        if value.contains('@') {
            return Ok(Self::StaffEmail(super::validate::contact::Email::parse(
                value,
            )?));
        }
        encoded_pair(
            value,
            "the actor filter takes kind:id (staff:<id>, system:cli) or a staff e-mail address",
        )
        .map(Self::Encoded)
    }
}

/// Which actions: one exactly, or every action under a dotted prefix (`application.` or `application.*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionQuery {
    Exact(String),
    /// Ends with a dot.
    Prefix(String),
}

impl ActionQuery {
    pub fn parse(value: &str) -> Result<Self, Invalid> {
        let value = value.trim();
        let prefix = value.strip_suffix('*');
        let text = prefix.unwrap_or(value);
        let valid = !text.is_empty()
            && text.len() <= 200
            && text
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'.');
        if !valid {
            return Err(filter_invalid(
                "the action filter takes a dotted action (application.decided) or a prefix (application.)",
            ));
        }
        Ok(match (prefix, text.ends_with('.')) {
            (_, true) => Self::Prefix(text.to_owned()),
            (Some(_), false) => Self::Prefix(format!("{text}.")),
            (None, false) => Self::Exact(text.to_owned()),
        })
    }
}

/// What it was done to: exactly this `kind:id`, or any subject whose id is this UUID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubjectQuery {
    Encoded(String),
    Id(uuid::Uuid),
}

impl SubjectQuery {
    pub fn parse(value: &str) -> Result<Self, Invalid> {
        let value = value.trim();
        if let Ok(id) = uuid::Uuid::parse_str(value) {
            return Ok(Self::Id(id));
        }
        encoded_pair(
            value,
            "the subject filter takes kind:id (application:<id>) or a bare id",
        )
        .map(Self::Encoded)
    }

    /// The encoded subjects it matches.
    pub fn subjects(&self) -> Vec<String> {
        match self {
            Self::Encoded(subject) => vec![subject.clone()],
            Self::Id(id) => UUID_SUBJECT_KINDS
                .iter()
                .map(|kind| format!("{kind}:{}", id.hyphenated()))
                .collect(),
        }
    }
}

/// Where the previous audit log page ended: the next page has the events with a smaller `seq`.
pub fn parse_before(value: &str) -> Result<i64, Invalid> {
    value
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|seq| *seq >= 1)
        .ok_or_else(|| filter_invalid("the page position must be an event number (1 or more)"))
}

/// An event number typed into a URL.
pub fn parse_seq(value: &str) -> Result<i64, Invalid> {
    value
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|seq| *seq >= 1)
        .ok_or_else(|| Invalid::new("invalid_seq", "an audit event number is 1 or more"))
}

/// The start (00:00:00 UTC) of a calendar day.
pub fn day_start(date: super::validate::date::IsoDate) -> Option<Timestamp> {
    chrono::NaiveDate::from_ymd_opt(
        i32::from(date.year()),
        u32::from(date.month()),
        u32::from(date.day()),
    )
    .and_then(|day| day.and_hms_opt(0, 0, 0))
    .map(|start| Timestamp::from_datetime(start.and_utc()))
}

/// The audit log filter with the actor resolved to `kind:id`; every field narrows, `None` does not.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditLogFilter {
    pub actor: Option<String>,
    pub action: Option<ActionQuery>,
    pub subject: Option<SubjectQuery>,
    pub tenant: Option<super::ids::TenantId>,
    /// Occurred at or after this instant.
    pub from: Option<Timestamp>,
    /// Occurred before this instant (the day after the inclusive "to" date).
    pub until: Option<Timestamp>,
    /// Keyset position: only events with a smaller `seq`.
    pub before: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn chain(n: i64) -> Vec<AuditEvent> {
        let mut prev = GENESIS_HASH.to_owned();
        (1..=n)
            .map(|seq| {
                let mut event = AuditEvent {
                    seq,
                    id: AuditEventId::generate(),
                    occurred_at: "2026-11-22T08:00:00.000000Z".into(),
                    actor: "system:test".into(),
                    action: "test.event".into(),
                    subject: format!("thing:{seq}"),
                    tenant_id: None,
                    request_id: None,
                    client_ip: None,
                    payload: format!("{{\"n\":{seq}}}"),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                event.hash = event.hashed_fields().hash();
                prev = event.hash.clone();
                event
            })
            .collect()
    }

    fn verify(
        events: &[AuditEvent],
        head: Option<(i64, String)>,
        anchor: Option<ChainAnchor>,
    ) -> Result<ChainHead, ChainBreak> {
        let mut verifier = ChainVerifier::new(anchor);
        for event in events {
            verifier.push(event.hashed_fields(), &event.hash)?;
        }
        verifier.finish(head)
    }

    #[test]
    fn canonical_bytes_are_netstrings_in_the_documented_order() {
        let fields = HashedFields {
            seq: 1,
            prev_hash: GENESIS_HASH,
            occurred_at: "2026-11-22T08:00:00.000000Z",
            actor: "system:cli",
            action: "tenant.created",
            subject: "tenant:t1",
            payload: "{\"name\":\"Zoë\"}",
        };
        let expected = format!(
            "16:kycdesk-audit-v1,1:1,64:{GENESIS_HASH},27:2026-11-22T08:00:00.000000Z,10:system:cli,14:tenant.created,9:tenant:t1,15:{{\"name\":\"Zoë\"}},"
        );
        assert_eq!(
            String::from_utf8(fields.canonical_bytes()).expect("utf8"),
            expected
        );
        // A fixed vector, so a re-implementation can check itself against it (see README).
        assert_eq!(
            fields.hash(),
            hex::encode(Sha256::digest(expected.as_bytes()))
        );
    }

    #[test]
    fn an_intact_chain_reports_its_head() {
        let events = chain(5);
        let head = verify(&events, Some((5, events[4].hash.clone())), None).expect("intact");
        assert_eq!(
            head,
            ChainHead {
                events: 5,
                seq: 5,
                hash: events[4].hash.clone()
            }
        );
        assert_eq!(verify(&[], None, None).expect("empty is intact").seq, 0);
    }

    #[test]
    fn a_changed_payload_breaks_at_its_seq() {
        let mut events = chain(5);
        events[2].payload = "{\"n\":99}".into();
        assert_eq!(verify(&events, None, None).expect_err("broken").seq, 3);
    }

    #[test]
    fn a_deleted_event_breaks_at_its_seq() {
        let mut events = chain(5);
        events.remove(1);
        let broken = verify(&events, None, None).expect_err("broken");
        assert_eq!(broken.seq, 2);
        assert!(broken.reason.contains("missing"), "{}", broken.reason);
    }

    #[test]
    fn a_rehashed_forgery_breaks_at_the_next_link() {
        let mut events = chain(5);
        events[1].payload = "{\"n\":42}".into();
        events[1].hash = events[1].hashed_fields().hash();
        assert_eq!(verify(&events, None, None).expect_err("broken").seq, 3);
    }

    #[test]
    fn a_truncated_tail_is_caught_by_the_recorded_head_or_an_anchor() {
        let events = chain(5);
        let head = (5, events[4].hash.clone());
        assert_eq!(
            verify(&events[..3], Some(head), None)
                .expect_err("broken")
                .seq,
            4
        );
        let anchor = ChainAnchor {
            seq: 5,
            hash: events[4].hash.clone(),
        };
        let forged_head = Some((3, events[2].hash.clone()));
        assert_eq!(
            verify(&events[..3], forged_head, Some(anchor.clone()))
                .expect_err("broken")
                .seq,
            4
        );
        assert!(verify(&events, None, Some(anchor)).is_ok());
    }

    #[test]
    fn anchors_parse_from_seq_colon_hash() {
        let anchor: ChainAnchor = format!("12:{}", "AB".repeat(32)).parse().expect("valid");
        assert_eq!(
            anchor,
            ChainAnchor {
                seq: 12,
                hash: "ab".repeat(32)
            }
        );
        assert!("12".parse::<ChainAnchor>().is_err());
        assert!("0:00".parse::<ChainAnchor>().is_err());
        assert!(format!("x:{GENESIS_HASH}").parse::<ChainAnchor>().is_err());
    }
}

#[cfg(test)]
mod log_and_chunk_tests {
    use super::*;

    use super::tests::chain;

    /// Verifies in chunks of `size`, resuming from the last verified point each time.
    fn verify_in_chunks(
        events: &[AuditEvent],
        size: usize,
        head: (i64, String),
    ) -> Result<ChainHead, ChainBreak> {
        let mut through = ChainAnchor::genesis();
        for chunk in events.chunks(size) {
            let mut verifier = ChainVerifier::resume(through);
            for event in chunk {
                verifier.push(event.hashed_fields(), &event.hash)?;
            }
            through = verifier.verified_through();
        }
        ChainVerifier::resume(through).finish(Some(head))
    }

    #[test]
    fn chunks_verify_exactly_like_one_pass() {
        let mut events = chain(10);
        let head = (10, events[9].hash.clone());
        let whole = {
            let mut verifier = ChainVerifier::new(None);
            for event in &events {
                verifier
                    .push(event.hashed_fields(), &event.hash)
                    .expect("intact");
            }
            verifier.finish(Some(head.clone()))
        };
        assert_eq!(verify_in_chunks(&events, 3, head.clone()), whole);
        assert_eq!(
            verify_in_chunks(&events, 3, head.clone())
                .expect("intact")
                .events,
            10
        );
        assert_eq!(
            verify_in_chunks(&events[..7], 3, head.clone())
                .expect_err("truncated")
                .seq,
            8
        );
        events[4].payload = "{\"n\":0}".into();
        assert_eq!(
            verify_in_chunks(&events, 3, head).expect_err("broken").seq,
            5
        );
        let empty = verify_in_chunks(&[], 3, (0, GENESIS_HASH.into())).expect("empty");
        assert_eq!((empty.events, empty.hash.as_str()), (0, GENESIS_HASH));
    }

    #[test]
    fn a_resume_point_must_be_a_seq_and_a_hash() {
        let hash = "ab".repeat(32);
        assert_eq!(
            ChainAnchor::resume_point("12", &hash),
            Ok(ChainAnchor {
                seq: 12,
                hash: hash.clone()
            })
        );
        assert_eq!(
            ChainAnchor::resume_point("0", GENESIS_HASH),
            Ok(ChainAnchor::genesis())
        );
        for (seq, hash) in [
            ("0", hash.as_str()),
            ("-1", GENESIS_HASH),
            ("x", GENESIS_HASH),
            ("3", "AB"),
            ("3", &"AB".repeat(32)),
        ] {
            assert!(
                ChainAnchor::resume_point(seq, hash).is_err(),
                "{seq}:{hash}"
            );
        }
    }

    #[test]
    fn log_filters_parse_what_auditors_type() {
        assert_eq!(
            ActionQuery::parse("application.decided"),
            Ok(ActionQuery::Exact("application.decided".into()))
        );
        for prefix in ["application.", "application.*", "application*"] {
            assert_eq!(
                ActionQuery::parse(prefix),
                Ok(ActionQuery::Prefix("application.".into())),
                "{prefix}"
            );
        }
        assert!(ActionQuery::parse("Application.Decided").is_err());
        assert!(ActionQuery::parse("*").is_err());

        assert_eq!(
            ActorQuery::parse(" system:cli "),
            Ok(ActorQuery::Encoded("system:cli".into()))
        );
        assert!(matches!(
            ActorQuery::parse("Ann@Example.com"),
            Ok(ActorQuery::StaffEmail(email)) if email.as_str() == "Ann@example.com"
        ));
        for bad in ["staff", ":id", "staff:", "Staff:1", "a b:c", "ann@"] {
            assert!(ActorQuery::parse(bad).is_err(), "{bad}");
        }

        let id = uuid::Uuid::now_v7();
        let by_id = SubjectQuery::parse(&id.to_string()).expect("a bare id");
        assert_eq!(by_id, SubjectQuery::Id(id));
        assert!(by_id.subjects().contains(&format!("application:{id}")));
        assert_eq!(by_id.subjects().len(), UUID_SUBJECT_KINDS.len());
        assert_eq!(
            SubjectQuery::parse("permission:audit").map(|s| s.subjects()),
            Ok(vec!["permission:audit".to_owned()])
        );
        assert!(SubjectQuery::parse("nonsense").is_err());

        assert_eq!(parse_before("812"), Ok(812));
        assert!(parse_before("0").is_err() && parse_before("x").is_err());
        assert!(parse_seq("-3").is_err());
        let day =
            day_start(crate::domain::validate::date::IsoDate::parse("2026-02-28").expect("date"));
        assert_eq!(
            day.map(|t| t.canonical()).as_deref(),
            Some("2026-02-28T00:00:00.000000Z")
        );
    }
}
