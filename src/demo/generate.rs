//! `kycdesk generate`: a large synthetic dataset for the performance budget (docs/ARCHITECTURE.md,
//! Performance budget).
//!
//! Tenants, staff users and levels are created through the services, as for the demo. The population
//! (applicants, applications in every status, document metadata, checks with findings, decisions and
//! the audit trail) is generated on a blocking thread in batches and written by `store::bulk` in one
//! transaction per batch while the next batch is generated: memory stays flat and both cores work.
//!
//! The audit events are sealed here in seq order exactly as a committing transaction seals them (`store::audit`), so the
//! chain verifies; their `occurred_at` grows with `seq` after the set-up events (tenants, staff and
//! levels, recorded at generation time as for the demo).
//!
//! Deterministic: the same seed gives the same people, statuses, times and row ids relative to the
//! generation day (the history ends at 00:00 UTC of that day). Tenants, staff, levels and all secrets
//! come from the services and are new on every run.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use chrono::Duration;
use serde_json::json;

use super::images::{ArtKind, pixel_size};
use super::people::{DemoRng, Person};
use super::seed::{
    DemoLogin, DemoTenant, OwnedArt, create_levels, create_staff, decision_wording, documents_for,
    fixture, remediation_item, store_art,
};
use crate::domain::application::{Application, ApplicationKind};
use crate::domain::audit::{AuditActor, AuditEvent, AuditSubject, NewAuditEvent};
use crate::domain::check::{Check, CheckStatus};
use crate::domain::decision::{Decision, DecisionState, Outcome};
use crate::domain::document::{Document, DocumentType};
use crate::domain::ids::{
    ApiKeyId, ApplicantId, ApplicationId, AuditEventId, CheckId, DecisionId, DocumentId,
    StaffUserId, TenantId,
};
use crate::domain::level::LevelVersion;
use crate::domain::status::{ApplicationStatus, TransitionActor};
use crate::domain::tenant::TenantName;
use crate::domain::time::Timestamp;
use crate::domain::validate::country::CountryCode;
use crate::providers::normalize::{Normalized, normalize};
use crate::service::{self, Ctx, ServiceError, Services};
use crate::store::{self, bulk::Batch};

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct GenerateOptions {
    pub applications: u64,
    pub tenants: u32,
    /// The average number of audit events per application.
    pub events_per_application: u32,
    pub seed: u64,
}

/// How far the load is, after each committed batch.
#[derive(Debug, Clone, Copy, Default)]
pub struct Progress {
    pub applications: u64,
    pub events: u64,
}

/// What was generated, for the summary and for scripts that sign in afterwards.
pub struct Generated {
    pub logins: Vec<DemoLogin>,
    pub tenants: Vec<DemoTenant>,
    /// Every status, in the status machine's order, with its count (zero included).
    pub by_status: Vec<(ApplicationStatus, u64)>,
    pub applications: u64,
    /// Audit events of the generated history (the set-up events are not counted).
    pub events: u64,
    pub documents: u64,
    pub checks: u64,
    pub findings: u64,
    pub decisions: u64,
}

/// Applications per batch (and transaction): large enough that commits are rare, small enough that a
/// batch with its documents, checks and events stays at a few MB.
const BATCH_APPLICATIONS: usize = 2_000;

/// How far back the history goes.
const HISTORY_DAYS: i64 = 730;

/// Applications younger than this have the "recent" status mix: most of the open work is here.
const RECENT_DAYS: i64 = 30;

/// Drawn images per document kind: a handful of real files, stored once and shared by every document.
const IMAGE_VARIANTS: u64 = 2;

/// Fictional tenants; beyond the list the names repeat with a number. Index 1 and 6 are sandboxes.
const TENANT_NAMES: [&str; 10] = [
    "Northwind Bank",
    "Lumen Pay",
    "Harbor Credit Union",
    "Copperleaf Wallet",
    "Brightline Brokerage",
    "Meridian Remit",
    "Sandpiper Labs",
    "Atlas Marketplace",
    "Kestrel Insurance",
    "Orchid Exchange",
];

/// Status weights (per mille) for applications younger than `RECENT_DAYS`, and for older ones, whose
/// open cases are a stale backlog (the review queue still holds tens of thousands at 1M applications).
const RECENT_MIX: [(ApplicationStatus, u64); 8] = {
    use ApplicationStatus::*;
    [
        (Draft, 80),
        (Pending, 30),
        (Submitted, 30),
        (Failed, 20),
        (Review, 300),
        (Remediate, 60),
        (Accepted, 360),
        (Rejected, 120),
    ]
};
const OLD_MIX: [(ApplicationStatus, u64); 8] = {
    use ApplicationStatus::*;
    [
        (Draft, 65),
        (Pending, 3),
        (Submitted, 4),
        (Failed, 5),
        (Review, 35),
        (Remediate, 40),
        (Accepted, 690),
        (Rejected, 158),
    ]
};

fn weighted<T: Copy>(rng: &mut DemoRng, items: &[(T, u64)]) -> T {
    let total: u64 = items.iter().map(|(_, w)| w).sum();
    let mut roll = rng.below(total);
    for (item, weight) in items {
        if roll < *weight {
            return *item;
        }
        roll -= weight;
    }
    items[items.len() - 1].0
}

fn minutes(n: u64) -> Duration {
    Duration::minutes(n as i64)
}

/// A tenant as the generator uses it.
#[derive(Clone, Copy)]
struct TenantRef {
    id: TenantId,
    api_key: ApiKeyId,
}

/// A stored drawing that document rows point at.
struct Image {
    kind: ArtKind,
    variant: u64,
    hash: String,
    thumbnail: Option<String>,
    size: i64,
}

/// A provider payload fixture with its normalized checks, for one provider, outcome and variant.
struct CheckTemplate {
    provider: String,
    outcome: ApplicationStatus,
    variant: u64,
    raw: &'static str,
    results: Vec<Normalized>,
}

/// Everything the population refers to, set up through the services before generation starts.
struct World {
    tenants: Vec<(TenantRef, u64)>,
    reviewers: Vec<StaffUserId>,
    levels: Vec<LevelVersion>,
    images: Vec<Image>,
    checks: Vec<CheckTemplate>,
    /// The end of the history.
    until: Timestamp,
}

/// One step of an application's planned history.
#[derive(Debug, Clone, Copy)]
enum Step {
    Create,
    Upload,
    Move(ApplicationStatus, TransitionActor),
    /// The provider's checks, with the outcome they point to.
    ProviderResult(ApplicationStatus),
    Claim,
    Decide(Outcome),
}

/// How much an event matters when an application gets fewer events than its history has: the lowest
/// ranks are kept (creation, then the decision and the final status change, then the other changes).
mod rank {
    pub const CREATED: u8 = 0;
    pub const FINAL: u8 = 1;
    pub const STATUS: u8 = 2;
    pub const UPLOAD: u8 = 3;
    pub const CHECK: u8 = 4;
    pub const APPLICANT: u8 = 5;
    pub const CLAIM: u8 = 6;
    pub const VIEW: u8 = 7;
}

/// An event waiting for its turn in the chain, ordered by time, then by the order it was generated.
struct Pending {
    order: u64,
    event: NewAuditEvent,
}

impl Pending {
    fn key(&self) -> (Timestamp, u64) {
        (self.event.occurred_at, self.order)
    }
}

impl PartialEq for Pending {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl Eq for Pending {}

impl PartialOrd for Pending {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Pending {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key().cmp(&other.key())
    }
}

/// Counts for the summary.
#[derive(Default)]
struct Counts {
    by_status: [u64; 8],
    documents: u64,
    checks: u64,
    findings: u64,
    decisions: u64,
    events: u64,
}

/// The population generator. Applications are generated in order of creation time; their events wait in
/// a heap until no later application can produce an earlier event, and are then sealed in time order.
struct Generator {
    world: World,
    total: u64,
    events_per_application: u64,
    rng: DemoRng,
    /// A separate stream for the random part of ids, so that ids do not shift the population.
    id_rng: DemoRng,
    waiting: BinaryHeap<Reverse<Pending>>,
    generated_order: u64,
    /// Events selected so far (sealed or waiting), against the target `events_per_application × n`.
    selected: u64,
    seq: i64,
    prev_hash: String,
    counts: Counts,
}

impl Generator {
    /// The creation time of application `index`: increasing with the index, denser towards the end
    /// (a business that grows): density ∝ 1 + 2x over the history, sampled by its inverse CDF.
    fn arrival(&mut self, index: u64) -> Timestamp {
        let q = (index as f64 + self.rng.below(1_000_000) as f64 / 1e6) / self.total as f64;
        let x = ((1.0 + 8.0 * q).sqrt() - 1.0) / 2.0;
        let history = Duration::days(HISTORY_DAYS).num_seconds() as f64;
        let age = Duration::milliseconds(((1.0 - x) * history * 1000.0) as i64);
        self.world.until.plus(-age)
    }

    /// Seals the waiting events that happened up to `until` into `events`, in chain order.
    fn release(&mut self, until: Option<Timestamp>, events: &mut Vec<AuditEvent>) {
        while let Some(Reverse(next)) = self.waiting.peek() {
            if until.is_some_and(|until| next.event.occurred_at > until) {
                break;
            }
            let Some(Reverse(pending)) = self.waiting.pop() else {
                break;
            };
            let event = pending.event;
            self.seq += 1;
            let mut sealed = AuditEvent {
                seq: self.seq,
                id: AuditEventId::from_uuid(uuid_with(&mut self.id_rng, event.occurred_at)),
                occurred_at: event.occurred_at.canonical(),
                actor: event.actor.encoded(),
                action: event.action.to_owned(),
                subject: event.subject.encoded(),
                tenant_id: event.tenant_id.clone(),
                request_id: None,
                client_ip: None,
                payload: event.payload_text(),
                prev_hash: std::mem::take(&mut self.prev_hash),
                hash: String::new(),
            };
            sealed.hash = sealed.hashed_fields().hash();
            self.prev_hash = sealed.hash.clone();
            self.counts.events += 1;
            events.push(sealed);
        }
    }

    /// The steps that lead an application to `target` in `attempts` attempts, each with its time.
    fn plan(
        &mut self,
        level: &LevelVersion,
        target: ApplicationStatus,
        attempts: i64,
        start: Timestamp,
    ) -> Vec<(Timestamp, Step)> {
        use ApplicationStatus::*;
        let rng = &mut self.rng;
        let mut at = start;
        let mut steps = vec![(at, Step::Create)];
        let mut after = |rng: &mut DemoRng, max_minutes: u64| {
            at = at.plus(minutes(1 + rng.below(max_minutes)));
            at
        };
        if level.requirements.iter().any(|r| r.kind.is_upload()) {
            steps.push((after(rng, 20), Step::Upload));
        }
        if target == Draft {
            return steps;
        }
        for attempt in 1..=attempts {
            let last = attempt == attempts;
            steps.push((after(rng, 10), Step::Move(Pending, TransitionActor::Tenant)));
            if last && target == Pending {
                break;
            }
            if last && target == Failed {
                steps.push((after(rng, 2), Step::Move(Failed, TransitionActor::Worker)));
                break;
            }
            steps.push((
                after(rng, 2),
                Step::Move(Submitted, TransitionActor::Worker),
            ));
            if last && target == Submitted {
                break;
            }
            let outcome = match (last, target) {
                (true, Accepted) => Outcome::Accept,
                (true, Rejected) => Outcome::Reject,
                _ => Outcome::Remediate,
            };
            let pointing_to = if last && target == Review {
                Review
            } else {
                outcome.target_status()
            };
            steps.push((after(rng, 30), Step::ProviderResult(pointing_to)));
            if last && target == Accepted && level.policy.auto_decision {
                steps.push((
                    after(rng, 1),
                    Step::Move(Accepted, TransitionActor::Provider),
                ));
                break;
            }
            steps.push((after(rng, 1), Step::Move(Review, TransitionActor::Provider)));
            if last && target == Review {
                // A third of the open reviews are already being worked on.
                if rng.below(3) == 0 {
                    steps.push((after(rng, 8 * 60), Step::Claim));
                }
                break;
            }
            steps.push((after(rng, 24 * 60), Step::Claim));
            steps.push((after(rng, 60), Step::Decide(outcome)));
            if !last {
                // The applicant corrects the documents within a week.
                steps.push((after(rng, 7 * 24 * 60), Step::Upload));
            }
        }
        steps
    }

    /// Generates application `index`, created at `created`, into `batch`; its events wait for their turn.
    fn application(
        &mut self,
        index: u64,
        created: Timestamp,
        batch: &mut Batch,
    ) -> Result<(), ServiceError> {
        use ApplicationStatus::*;
        let tenant = weighted(&mut self.rng, &self.world.tenants);
        let level_index = match self.rng.below(10) {
            0..=3 => 0,
            4..=7 => 1,
            _ => 2,
        };
        let level = self.world.levels[level_index].clone();
        let person = Person::generate(&mut self.rng, index as usize);
        let recent = created > self.world.until.plus(-Duration::days(RECENT_DAYS));
        // The oldest eight cover every status, so even a tiny dataset has all of them.
        let target = match ApplicationStatus::ALL.get(index as usize) {
            Some(status) => *status,
            None if recent => weighted(&mut self.rng, &RECENT_MIX),
            None => weighted(&mut self.rng, &OLD_MIX),
        };
        let uploads = level.requirements.iter().any(|r| r.kind.is_upload());
        let attempts = match (uploads, target, self.rng.below(100)) {
            (false, _, _) | (true, Draft, _) => 1,
            (true, Remediate, 0..=9) => 2,
            (true, Remediate, _) => 1,
            (true, _, 0..=1) => 3,
            (true, _, 2..=9) => 2,
            _ => 1,
        };
        let variant = self.rng.next_u64();
        let reviewer = self.world.reviewers[(variant % self.world.reviewers.len() as u64) as usize];
        let key_actor = AuditActor::api_key(tenant.api_key);
        let answers = super::seed::attributes(&person, &level, &mut self.rng)?;

        let applicant = super::seed::person_applicant(
            &person,
            &answers,
            ApplicantId::from_uuid(uuid_with(&mut self.id_rng, created)),
            tenant.id,
            format!(
                "cust-{:012x}",
                index.wrapping_mul(0x9E37_79B9_7F4A_7C15) & 0xffff_ffff_ffff
            ),
            created,
        );
        let mut app = Application {
            id: ApplicationId::from_uuid(uuid_with(&mut self.id_rng, created)),
            tenant_id: tenant.id,
            applicant_id: applicant.id,
            level_id: level.level_id,
            level_version: level.version,
            kind: ApplicationKind::Kyc,
            provider: level.policy.provider.clone(),
            provider_reference: None,
            status: Draft,
            attempt: 1,
            max_attempts: level.policy.max_attempts,
            attributes: answers,
            params: json!({}),
            client_verification: None,
            webhook_url: None,
            assignee_id: None,
            findings_summary: None,
            created_at: created,
            updated_at: created,
            status_changed_at: created,
            version: 1,
        };
        // (rank, event) in time order.
        let mut events: Vec<(u8, NewAuditEvent)> = Vec::new();
        let event = |actor: AuditActor,
                     action: &'static str,
                     subject: AuditSubject,
                     payload: serde_json::Value,
                     at: Timestamp| {
            let mut event =
                NewAuditEvent::new(actor, action, subject, payload).for_tenant(tenant.id);
            event.occurred_at = at;
            event
        };
        let app_subject = AuditSubject::new("application", app.id);
        let mut last_at = created;
        for (at, step) in self.plan(&level, target, attempts, created) {
            if at > self.world.until {
                break;
            }
            last_at = at;
            match step {
                Step::Create => {
                    events.push((
                        rank::APPLICANT,
                        event(
                            key_actor.clone(),
                            "applicant.created",
                            AuditSubject::new("applicant", applicant.id),
                            json!({"external_id": applicant.external_id}),
                            at,
                        ),
                    ));
                    events.push((
                        rank::CREATED,
                        event(
                            key_actor.clone(),
                            "application.created",
                            app_subject.clone(),
                            json!({"applicant_id": applicant.id, "level_id": level.level_id, "level_version": level.version, "status": "draft"}),
                            at,
                        ),
                    ));
                }
                Step::Upload => {
                    for (kind, doc_type, side, key) in documents_for(&level, variant) {
                        let image = self
                            .world
                            .images
                            .iter()
                            .find(|i| i.kind == kind && i.variant == variant % IMAGE_VARIANTS)
                            .ok_or(ServiceError::NotFound("generated image"))?;
                        let (width, height) = pixel_size(kind);
                        let doc = Document {
                            id: DocumentId::from_uuid(uuid_with(&mut self.id_rng, at)),
                            tenant_id: tenant.id,
                            application_id: app.id,
                            attempt: app.intake_attempt(),
                            requirement_key: Some(key.to_owned()),
                            doc_type,
                            side: Some(side),
                            issuing_country: CountryCode::parse(person.country).ok(),
                            liveness: (doc_type == DocumentType::Selfie).then_some(true),
                            blob_hash: image.hash.clone(),
                            mime_type: "image/png".into(),
                            size_bytes: image.size,
                            width: Some(i64::from(width)),
                            height: Some(i64::from(height)),
                            thumbnail_hash: image.thumbnail.clone(),
                            uploaded_at: at,
                        };
                        events.push((
                            rank::UPLOAD,
                            event(
                                key_actor.clone(),
                                "document.uploaded",
                                AuditSubject::new("document", doc.id),
                                json!({"application_id": app.id, "document_type": doc_type.as_str(), "side": side.as_str(), "sha256": doc.blob_hash}),
                                at,
                            ),
                        ));
                        self.counts.documents += 1;
                        batch.documents.push(doc);
                    }
                    app.version += 1;
                    app.updated_at = at;
                }
                Step::Move(to, mover) => {
                    let actor = match mover {
                        TransitionActor::Provider => AuditActor::provider(&app.provider),
                        TransitionActor::Worker => AuditActor::system("worker"),
                        _ => key_actor.clone(),
                    };
                    if to == Submitted {
                        app.provider_reference =
                            Some(format!("{}-{:016x}", app.provider, self.rng.next_u64()));
                    }
                    let from = app.status;
                    app.transition(to, mover, at)?;
                    app.version += 1;
                    events.push((
                        rank::STATUS,
                        event(
                            actor,
                            "application.status_changed",
                            app_subject.clone(),
                            json!({"from": from.as_str(), "to": to.as_str(), "attempt": app.attempt}),
                            at,
                        ),
                    ));
                }
                Step::ProviderResult(pointing_to) => {
                    let template = self
                        .world
                        .checks
                        .iter()
                        .find(|t| {
                            t.provider == app.provider
                                && t.outcome == pointing_to
                                && t.variant == variant % 2
                        })
                        .ok_or(ServiceError::NotFound("provider fixture"))?;
                    let mut checks = Vec::with_capacity(template.results.len());
                    for result in &template.results {
                        checks.push(Check {
                            id: CheckId::from_uuid(uuid_with(&mut self.id_rng, at)),
                            application_id: app.id,
                            document_id: None,
                            provider: app.provider.clone(),
                            reference: result.reference.clone(),
                            kind: result.kind,
                            status: CheckStatus::Completed,
                            result: Some(result.result),
                            score: result.score,
                            findings: result.findings.clone(),
                            raw_payload: template.raw.to_owned(),
                            created_at: at,
                        });
                    }
                    for check in checks {
                        events.push((
                            rank::CHECK,
                            event(
                                AuditActor::provider(&check.provider),
                                "check.completed",
                                AuditSubject::new("check", check.id),
                                json!({"application_id": app.id, "kind": check.kind.as_str(), "result": check.result.map(|r| r.as_str()), "findings": check.findings.len()}),
                                at,
                            ),
                        ));
                        app.record_findings(check.worst_severity());
                        self.counts.checks += 1;
                        self.counts.findings += check.findings.len() as u64;
                        batch.checks.push(check);
                    }
                    app.version += 1;
                    app.updated_at = at;
                }
                Step::Claim => {
                    app.assignee_id = Some(reviewer);
                    events.push((
                        rank::CLAIM,
                        event(
                            AuditActor::staff(reviewer),
                            "application.claimed",
                            app_subject.clone(),
                            json!({"assignee": reviewer}),
                            at,
                        ),
                    ));
                }
                Step::Decide(outcome) => {
                    let (reasons, message) = decision_wording(outcome);
                    let confirmer = self
                        .world
                        .reviewers
                        .iter()
                        .copied()
                        .find(|r| *r != reviewer)
                        .filter(|_| level.policy.four_eyes);
                    let decision = Decision {
                        id: DecisionId::from_uuid(uuid_with(&mut self.id_rng, at)),
                        application_id: app.id,
                        outcome,
                        reasons: reasons.clone(),
                        message_to_applicant: message,
                        internal_comment: Some(
                            "Compared the documents with the provider findings.".into(),
                        ),
                        remediation: if outcome == Outcome::Remediate {
                            vec![remediation_item(&level)]
                        } else {
                            vec![]
                        },
                        state: DecisionState::Confirmed,
                        application_version: app.version,
                        proposed_by: reviewer,
                        proposed_at: at,
                        reviewed_by: confirmer,
                        reviewed_at: confirmer.map(|_| at),
                    };
                    app.assignee_id = Some(reviewer);
                    let reason_names: Vec<&str> = reasons.iter().map(|r| r.as_str()).collect();
                    events.push((
                        rank::FINAL,
                        event(
                            AuditActor::staff(reviewer),
                            "application.decided",
                            app_subject.clone(),
                            json!({"decision_id": decision.id, "outcome": outcome.as_str(), "reasons": reason_names, "confirmed_by": confirmer}),
                            at,
                        ),
                    ));
                    let from = app.status;
                    let to = outcome.target_status();
                    app.transition(to, TransitionActor::Reviewer, at)?;
                    app.version += 1;
                    events.push((
                        rank::STATUS,
                        event(
                            AuditActor::staff(reviewer),
                            "application.status_changed",
                            app_subject.clone(),
                            json!({"from": from.as_str(), "to": to.as_str(), "attempt": app.attempt}),
                            at,
                        ),
                    ));
                    self.counts.decisions += 1;
                    batch.decisions.push(decision);
                }
            }
        }
        // The change that put the application where it is now outranks the ones before it.
        if let Some((rank, _)) = events
            .iter_mut()
            .rev()
            .find(|(_, e)| e.action == "application.status_changed")
        {
            *rank = rank::FINAL;
        }
        self.select(index, events, reviewer, last_at, tenant.id, &app);
        self.counts.by_status[status_index(app.status)] += 1;
        batch.applicants.push(applicant);
        batch.applications.push(app);
        Ok(())
    }

    /// Keeps as many of an application's events as the running target allows (the lowest ranks, in time
    /// order), or adds staff views after its last step where its history is shorter; then queues them.
    fn select(
        &mut self,
        index: u64,
        mut events: Vec<(u8, NewAuditEvent)>,
        viewer: StaffUserId,
        last_at: Timestamp,
        tenant: TenantId,
        app: &Application,
    ) {
        let target = (index + 1) * self.events_per_application;
        let quota = target.saturating_sub(self.selected).max(1) as usize;
        if events.len() > quota {
            let mut order: Vec<usize> = (0..events.len()).collect();
            order.sort_by_key(|i| (events[*i].0, *i));
            let mut keep = vec![false; events.len()];
            for i in order.into_iter().take(quota) {
                keep[i] = true;
            }
            let mut flags = keep.into_iter();
            events.retain(|_| flags.next().unwrap_or(false));
        }
        let mut at = last_at;
        while events.len() < quota {
            at = at
                .plus(minutes(1 + self.rng.below(24 * 60)))
                .min(self.world.until);
            let mut view = NewAuditEvent::new(
                AuditActor::staff(viewer),
                "application.viewed",
                AuditSubject::new("application", app.id),
                json!({}),
            )
            .for_tenant(tenant);
            view.occurred_at = at;
            events.push((rank::VIEW, view));
        }
        self.selected += events.len() as u64;
        for (_, event) in events {
            self.generated_order += 1;
            self.waiting.push(Reverse(Pending {
                order: self.generated_order,
                event,
            }));
        }
    }
}

/// A UUIDv7 for something created at `at`: time-ordered like every id, and deterministic (random bits
/// from `rng`) unlike `generate()`.
fn uuid_with(rng: &mut DemoRng, at: Timestamp) -> uuid::Uuid {
    let millis = u64::try_from(at.as_datetime().timestamp_millis()).unwrap_or(0);
    let mut random = [0_u8; 10];
    random[..8].copy_from_slice(&rng.next_u64().to_le_bytes());
    random[8..].copy_from_slice(&rng.next_u64().to_le_bytes()[..2]);
    uuid::Builder::from_unix_timestamp_millis(millis, &random).into_uuid()
}

fn status_index(status: ApplicationStatus) -> usize {
    ApplicationStatus::ALL
        .iter()
        .position(|s| *s == status)
        .unwrap_or(0)
}

/// Runs the generator, sending full batches to the loader. Stops early when the loader has gone.
fn run_generator(
    mut generator: Generator,
    batches: tokio::sync::mpsc::Sender<Batch>,
) -> Result<Counts, ServiceError> {
    let stopped = || ServiceError::Internal("the loader stopped".into());
    let mut batch = Batch::default();
    for index in 0..generator.total {
        let created = generator.arrival(index);
        generator.release(Some(created), &mut batch.events);
        generator.application(index, created, &mut batch)?;
        if batch.applications.len() >= BATCH_APPLICATIONS {
            batches
                .blocking_send(std::mem::take(&mut batch))
                .map_err(|_| stopped())?;
        }
    }
    generator.release(None, &mut batch.events);
    if !batch.applications.is_empty() || !batch.events.is_empty() {
        batches.blocking_send(batch).map_err(|_| stopped())?;
    }
    Ok(generator.counts)
}

/// Creates the tenants: the first with most of the traffic, one or two sandboxes with little.
async fn create_tenants(
    services: &Services,
    ctx: &Ctx,
    count: u32,
) -> Result<(Vec<DemoTenant>, Vec<(TenantRef, u64)>), ServiceError> {
    let mut shown = Vec::new();
    let mut refs = Vec::new();
    for index in 0..count as usize {
        let base = TENANT_NAMES[index % TENANT_NAMES.len()];
        let sandbox = index % TENANT_NAMES.len() == 1 || index % TENANT_NAMES.len() == 6;
        let round = index / TENANT_NAMES.len();
        let name = match (round, sandbox) {
            (0, false) => base.to_owned(),
            (0, true) => format!("{base} (sandbox)"),
            (n, false) => format!("{base} {}", n + 1),
            (n, true) => format!("{base} {} (sandbox)", n + 1),
        };
        let created = service::tenants::create(
            services,
            ctx,
            service::tenants::NewTenant {
                name: TenantName::parse(&name)?,
                sandbox,
                webhook_url: None,
            },
        )
        .await?;
        // Traffic falls with the rank (1/(k+1)); sandboxes see only test traffic.
        let weight = if sandbox {
            20
        } else {
            1_000 / (index as u64 + 1) + 10
        };
        refs.push((
            TenantRef {
                id: created.tenant.id,
                api_key: created.api_key_id,
            },
            weight,
        ));
        shown.push(DemoTenant {
            name: created.tenant.name,
            sandbox,
            api_key: created.api_key,
        });
    }
    Ok((shown, refs))
}

/// Draws and stores the handful of images every document row points at (originals and thumbnails).
async fn store_images(services: &Services) -> Result<Vec<Image>, ServiceError> {
    let mut images = Vec::new();
    for variant in 0..IMAGE_VARIANTS {
        let person = Person::generate(&mut DemoRng::new(0x696d_6167 + variant), variant as usize);
        for kind in [
            ArtKind::PassportPage,
            ArtKind::IdCardFront,
            ArtKind::IdCardBack,
            ArtKind::Selfie,
            ArtKind::ProofOfAddress,
            ArtKind::ProofOfFunds,
        ] {
            let stored = store_art(
                services,
                OwnedArt {
                    kind,
                    full_name: person.full_name(),
                    date_of_birth: person.date_of_birth.clone(),
                    document_number: format!("D{:08}", 31_337 + variant),
                    country: person.country,
                    seed: variant,
                },
            )
            .await?;
            images.push(Image {
                kind,
                variant,
                hash: stored.hash,
                thumbnail: stored.thumbnail,
                size: stored.size as i64,
            });
        }
    }
    Ok(images)
}

/// Normalizes each provider fixture once; every generated check copies one of them.
fn check_templates(levels: &[LevelVersion]) -> Result<Vec<CheckTemplate>, ServiceError> {
    let mut templates = Vec::new();
    for level in levels {
        let provider = &level.policy.provider;
        for outcome in [
            ApplicationStatus::Accepted,
            ApplicationStatus::Rejected,
            ApplicationStatus::Remediate,
            ApplicationStatus::Review,
        ] {
            for variant in 0..2 {
                let raw = fixture(provider, outcome, variant);
                let payload: serde_json::Value = serde_json::from_str(raw)
                    .map_err(|e| ServiceError::Internal(format!("provider fixture: {e}")))?;
                let results = normalize(provider, &payload)
                    .map_err(|e| ServiceError::Internal(e.to_string()))?;
                templates.push(CheckTemplate {
                    provider: provider.clone(),
                    outcome,
                    variant,
                    raw,
                    results,
                });
            }
        }
    }
    Ok(templates)
}

/// Generates the dataset into an empty database; `progress` hears after every committed batch.
pub async fn generate(
    services: &Services,
    options: GenerateOptions,
    mut progress: impl FnMut(Progress),
) -> Result<Generated, ServiceError> {
    if !store::bulk::is_empty(&mut services.store.conn().await?).await? {
        return Err(ServiceError::Conflict(
            "the database is not empty (it has applications or staff users): generate only fills a new database"
                .into(),
        ));
    }
    let ctx = Ctx::system("generate");
    let (tenants, tenant_refs) = create_tenants(services, &ctx, options.tenants.max(1)).await?;
    let (logins, staff) = create_staff(services, &ctx).await?;
    let levels = create_levels(services, &ctx).await?;
    let images = store_images(services).await?;
    let checks = check_templates(&levels)?;
    let (head_seq, head_hash) =
        store::audit::recorded_head(&mut services.store.conn().await?).await?;
    let until = chrono::Utc::now()
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .map(|midnight| Timestamp::from_datetime(midnight.and_utc()))
        .unwrap_or_else(Timestamp::now);
    let generator = Generator {
        world: World {
            tenants: tenant_refs,
            reviewers: staff.reviewers,
            levels,
            images,
            checks,
            until,
        },
        total: options.applications,
        events_per_application: u64::from(options.events_per_application),
        rng: DemoRng::new(options.seed),
        id_rng: DemoRng::new(options.seed ^ 0x6964_7300_0000_0000),
        waiting: BinaryHeap::new(),
        generated_order: 0,
        selected: 0,
        seq: head_seq,
        prev_hash: head_hash,
        counts: Counts::default(),
    };

    let mut loader = store::bulk::Loader::open(&services.store).await?;
    // Two batches in flight: one being written while the next is generated.
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<Batch>(2);
    let producing = tokio::task::spawn_blocking(move || run_generator(generator, sender));
    let mut done = Progress::default();
    let mut head = head_seq;
    let mut loaded = Ok(());
    let mut waited = std::time::Duration::ZERO;
    let mut loading = std::time::Duration::ZERO;
    loop {
        let t0 = std::time::Instant::now();
        let Some(batch) = receiver.recv().await else {
            break;
        };
        waited += t0.elapsed();
        let t1 = std::time::Instant::now();
        let r = loader.load(&batch, head).await;
        loading += t1.elapsed();
        if let Err(error) = r {
            loaded = Err(error);
            break;
        }
        head = batch.events.last().map_or(head, |e| e.seq);
        done.applications += batch.applications.len() as u64;
        done.events += batch.events.len() as u64;
        progress(done);
    }
    drop(receiver);
    let produced = producing
        .await
        .map_err(|e| ServiceError::Internal(format!("generator task: {e}")))?;
    loaded?;
    let counts = produced?;
    // PostgreSQL's triggers left a delta row per application: fold them before the statistics.
    store::queue::fold_counts(&services.store).await?;
    loader.finish().await?;
    Ok(Generated {
        logins,
        tenants,
        by_status: ApplicationStatus::ALL
            .iter()
            .map(|s| (*s, counts.by_status[status_index(*s)]))
            .collect(),
        applications: done.applications,
        events: counts.events,
        documents: counts.documents,
        checks: counts.checks,
        findings: counts.findings,
        decisions: counts.decisions,
    })
}
