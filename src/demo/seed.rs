//! Seeds an empty database with a plausible month of back-office history.
//!
//! Every change goes through the same store functions, the same status machine and the same audit
//! chain as live traffic; the only difference is that steps carry backdated timestamps, and they are
//! replayed in time order so the audit chain's `occurred_at` grows with `seq`.

use serde_json::{Value, json};

use super::images::{ArtKind, DocumentArt, pixel_size, render_png};
use super::people::{DemoRng, Person};
use crate::domain::applicant::Applicant;
use crate::domain::application::{Application, ApplicationKind};
use crate::domain::audit::{AuditActor, AuditSubject, NewAuditEvent};
use crate::domain::check::{Check, CheckStatus};
use crate::domain::decision::{Decision, DecisionState, Outcome, Reason};
use crate::domain::document::{Document, DocumentSide, DocumentType};
use crate::domain::ids::{
    ApiKeyId, ApplicantId, ApplicationId, CheckId, DecisionId, DocumentId, NoteId, StaffUserId,
    TenantId,
};
use crate::domain::level::{ApplicantType, LevelVersion, Policy};
use crate::domain::password::Password;
use crate::domain::requirement::{Requirement, RequirementKind, SelectOption};
use crate::domain::staff::Roles;
use crate::domain::status::{ApplicationStatus, TransitionActor};
use crate::domain::tenant::TenantName;
use crate::domain::time::Timestamp;
use crate::domain::validate::contact::{Email, PhoneNumber};
use crate::domain::validate::country::CountryCode;
use crate::domain::validate::date::IsoDate;
use crate::domain::validate::government_id::GovernmentIdType;
use crate::media::detect::MediaKind;
use crate::providers::normalize::normalize;
use crate::service::{self, Ctx, ServiceError, Services};
use crate::store::{self, Tx};

pub struct DemoLogin {
    pub email: String,
    pub password: String,
    pub roles: String,
}

pub struct DemoTenant {
    pub name: String,
    pub sandbox: bool,
    pub api_key: String,
}

/// What the seeder created, for the demo banner.
pub struct DemoSeed {
    pub logins: Vec<DemoLogin>,
    pub tenants: Vec<DemoTenant>,
    pub applications: usize,
}

/// Target statuses in a cycle whose first eight entries cover every status, so even a small demo has all eight.
const STATUS_CYCLE: [ApplicationStatus; 20] = {
    use ApplicationStatus::*;
    [
        Review, Accepted, Rejected, Remediate, Draft, Pending, Submitted, Failed, Review, Accepted,
        Review, Accepted, Rejected, Remediate, Review, Accepted, Draft, Review, Accepted, Review,
    ]
};

/// Provider payload fixtures from the seed documents (and variants), by provider and intended outcome.
pub(super) fn fixture(provider: &str, status: ApplicationStatus, variant: u64) -> &'static str {
    use ApplicationStatus::*;
    match (provider, status, variant % 2) {
        ("identitymind", Accepted, _) => {
            include_str!("../../fixtures/providers/identitymind_accepted.json")
        }
        ("identitymind", Rejected, _) => {
            include_str!("../../fixtures/providers/identitymind_denied.json")
        }
        ("identitymind", _, _) => include_str!("../../fixtures/providers/identitymind_review.json"),
        ("vouched", Accepted, _) => include_str!("../../fixtures/providers/vouched_clear.json"),
        ("vouched", _, 0) => {
            include_str!("../../fixtures/providers/vouched_id_verification_failed.json")
        }
        ("vouched", _, _) => include_str!("../../fixtures/providers/vouched_expired_id.json"),
        (_, Accepted, _) => include_str!("../../fixtures/providers/sumsub_review_green.json"),
        (_, Rejected, _) => include_str!("../../fixtures/providers/sumsub_review_red_final.json"),
        (_, _, 0) => include_str!("../../fixtures/providers/sumsub_review_red_retry.json"),
        (_, _, _) => include_str!("../../fixtures/providers/sumsub_document_ignored.json"),
    }
}

fn requirement(key: &str, label: &str, kind: RequirementKind) -> Requirement {
    Requirement {
        key: key.into(),
        label: label.into(),
        required: true,
        kind,
    }
}

fn basic_requirements() -> Vec<Requirement> {
    vec![
        requirement("first_name", "First name", RequirementKind::Text),
        requirement("last_name", "Last name", RequirementKind::Text),
        requirement("date_of_birth", "Date of birth", RequirementKind::Date),
        requirement("country", "Country of residence", RequirementKind::Country),
        requirement("email", "E-mail", RequirementKind::Email),
    ]
}

fn standard_requirements() -> Vec<Requirement> {
    let mut requirements = basic_requirements();
    requirements.extend([
        requirement("phone", "Mobile phone", RequirementKind::Phone),
        requirement(
            "government_id",
            "Government ID number",
            RequirementKind::GovernmentId {
                id_types: vec![
                    GovernmentIdType::Ssn,
                    GovernmentIdType::Bvn,
                    GovernmentIdType::Nin,
                    GovernmentIdType::Passport,
                ],
            },
        ),
        requirement(
            "identity_document",
            "Passport or ID card",
            RequirementKind::Document {
                document_types: vec![DocumentType::Passport, DocumentType::IdCard],
                sides: vec![DocumentSide::Front, DocumentSide::Back],
            },
        ),
        requirement("selfie", "Selfie", RequirementKind::Selfie),
    ]);
    requirements
}

fn enhanced_requirements() -> Vec<Requirement> {
    let mut requirements = standard_requirements();
    requirements.extend([
        requirement("address", "Residential address", RequirementKind::Address),
        requirement(
            "proof_of_address",
            "Proof of address",
            RequirementKind::Document {
                document_types: vec![DocumentType::ProofOfAddress],
                sides: vec![DocumentSide::Front],
            },
        ),
        requirement(
            "proof_of_funds",
            "Proof of funds",
            RequirementKind::Document {
                document_types: vec![DocumentType::ProofOfFunds],
                sides: vec![DocumentSide::Front],
            },
        ),
        requirement(
            "source_of_funds",
            "Source of funds",
            RequirementKind::Select {
                options: ["salary", "savings", "business", "inheritance"]
                    .iter()
                    .map(|v| SelectOption {
                        value: (*v).into(),
                        label: format!("{}{}", v[..1].to_uppercase(), &v[1..]),
                    })
                    .collect(),
            },
        ),
    ]);
    requirements
}

/// Creates the three demo levels, highest first so each can name the one it upgrades to.
pub(super) async fn create_levels(
    services: &Services,
    ctx: &Ctx,
) -> Result<Vec<LevelVersion>, ServiceError> {
    use service::levels::{NewLevel, create};
    let enhanced = create(
        services,
        ctx,
        NewLevel {
            name: "Enhanced".into(),
            tier: 3,
            applicant_type: ApplicantType::Individual,
            requirements: enhanced_requirements(),
            policy: Policy {
                provider: "sumsub".into(),
                auto_decision: false,
                max_attempts: 3,
                four_eyes: true,
                sla_hours: 72,
            },
            upgrades_to: vec![],
        },
    )
    .await?;
    let standard = create(
        services,
        ctx,
        NewLevel {
            name: "Standard".into(),
            tier: 2,
            applicant_type: ApplicantType::Individual,
            requirements: standard_requirements(),
            policy: Policy {
                provider: "vouched".into(),
                auto_decision: false,
                max_attempts: 3,
                four_eyes: false,
                sla_hours: 24,
            },
            upgrades_to: vec![enhanced.level_id],
        },
    )
    .await?;
    let basic = create(
        services,
        ctx,
        NewLevel {
            name: "Basic".into(),
            tier: 1,
            applicant_type: ApplicantType::Individual,
            requirements: basic_requirements(),
            policy: Policy {
                provider: "identitymind".into(),
                auto_decision: true,
                max_attempts: 3,
                four_eyes: false,
                sla_hours: 4,
            },
            upgrades_to: vec![standard.level_id],
        },
    )
    .await?;
    Ok(vec![basic, standard, enhanced])
}

/// The applicant record of a generated person (demo and `generate` alike).
pub(crate) fn person_applicant(
    person: &Person,
    answers: &std::collections::BTreeMap<String, Value>,
    id: ApplicantId,
    tenant_id: TenantId,
    external_id: String,
    created_at: Timestamp,
) -> Applicant {
    Applicant {
        id,
        tenant_id,
        external_id,
        applicant_type: ApplicantType::Individual,
        first_name: Some(person.first_name.clone()),
        last_name: Some(person.last_name.clone()),
        company_name: None,
        date_of_birth: IsoDate::parse(&person.date_of_birth).ok(),
        email: Email::parse(&person.email).ok(),
        phone: PhoneNumber::parse(&person.phone).ok(),
        country: CountryCode::parse(person.country).ok(),
        address: answers.get("address").cloned(),
        government_ids: Vec::new(),
        created_at,
        version: 1,
    }
}

pub(super) struct Staff {
    pub(super) reviewers: Vec<StaffUserId>,
}

pub(super) async fn create_staff(
    services: &Services,
    ctx: &Ctx,
) -> Result<(Vec<DemoLogin>, Staff), ServiceError> {
    let mut logins = Vec::new();
    let mut reviewers = Vec::new();
    for (local, roles) in [
        ("admin", "admin"),
        ("reviewer1", "reviewer"),
        ("reviewer2", "reviewer"),
        ("auditor", "auditor"),
    ] {
        let password = service::passwords::generate_one_time();
        let user = service::staff::create_user(
            services,
            ctx,
            service::staff::NewStaffUser {
                email: Email::parse(&format!("{local}@demo.kycdesk.test"))?,
                roles: roles.parse::<Roles>()?,
                password: Password::parse(&password)?,
                must_change_password: false,
            },
        )
        .await?;
        if user.roles.contains(crate::domain::staff::Role::Reviewer) {
            reviewers.push(user.id);
        }
        logins.push(DemoLogin {
            email: user.email.as_str().to_owned(),
            password,
            roles: user.roles.to_string(),
        });
    }
    Ok((logins, Staff { reviewers }))
}

/// One step of an application's history.
enum Step {
    Create,
    Upload,
    Move(ApplicationStatus, TransitionActor),
    ProviderResult,
    Decide(Outcome),
}

struct Case {
    tenant: (TenantId, ApiKeyId),
    level: usize,
    person: Person,
    target: ApplicationStatus,
    variant: u64,
    application: Option<Application>,
}

/// The steps that lead a case to its target status, each with its time.
fn plan_steps(
    case: &Case,
    level: &LevelVersion,
    start: Timestamp,
    rng: &mut DemoRng,
) -> Vec<(Timestamp, Step)> {
    use ApplicationStatus::*;
    let mut at = start;
    let mut steps = vec![(at, Step::Create)];
    let mut next = |rng: &mut DemoRng, minutes: u64| {
        at = at.plus(chrono::Duration::minutes(1 + rng.below(minutes) as i64));
        at
    };
    let has_uploads = level.requirements.iter().any(|r| r.kind.is_upload());
    if has_uploads {
        steps.push((next(rng, 20), Step::Upload));
    }
    if case.target == Draft {
        return steps;
    }
    steps.push((next(rng, 10), Step::Move(Pending, TransitionActor::Tenant)));
    match case.target {
        Pending => return steps,
        Failed => {
            steps.push((next(rng, 2), Step::Move(Failed, TransitionActor::Worker)));
            return steps;
        }
        _ => {}
    }
    steps.push((next(rng, 2), Step::Move(Submitted, TransitionActor::Worker)));
    if case.target == Submitted {
        return steps;
    }
    steps.push((next(rng, 30), Step::ProviderResult));
    if case.target == Accepted && level.policy.auto_decision {
        steps.push((
            next(rng, 1),
            Step::Move(Accepted, TransitionActor::Provider),
        ));
        return steps;
    }
    steps.push((next(rng, 1), Step::Move(Review, TransitionActor::Provider)));
    let outcome = match case.target {
        Accepted => Outcome::Accept,
        Rejected => Outcome::Reject,
        Remediate => Outcome::Remediate,
        _ => return steps,
    };
    steps.push((next(rng, 48 * 60), Step::Decide(outcome)));
    steps
}

fn government_id(person: &Person, rng: &mut DemoRng) -> Value {
    match person.country {
        "US" => {
            json!({"type": "ssn", "number": format!("{:03}-{:02}-{:04}", 100 + rng.below(500), 10 + rng.below(89), 1000 + rng.below(8999))})
        }
        "NG" => json!({"type": "bvn", "number": format!("22{:09}", rng.below(1_000_000_000))}),
        _ => json!({"type": "passport", "number": format!("C{:08}", rng.below(100_000_000))}),
    }
}

/// The questionnaire answers for a person, each passed through the level's own validation.
pub(super) fn attributes(
    person: &Person,
    level: &LevelVersion,
    rng: &mut DemoRng,
) -> Result<std::collections::BTreeMap<String, Value>, ServiceError> {
    let mut answers = std::collections::BTreeMap::new();
    for requirement in level.requirements.iter().filter(|r| !r.kind.is_upload()) {
        let raw = match requirement.key.as_str() {
            "first_name" => json!(person.first_name),
            "last_name" => json!(person.last_name),
            "date_of_birth" => json!(person.date_of_birth),
            "country" => json!(person.country),
            "email" => json!(person.email),
            "phone" => json!(person.phone),
            "government_id" => government_id(person, rng),
            "address" => {
                json!({"line1": person.street, "city": person.city, "postal_code": person.postal_code, "country": person.country})
            }
            _ => json!(*rng.pick(&["salary", "savings", "business"])),
        };
        answers.insert(requirement.key.clone(), requirement.accept(&raw)?);
    }
    Ok(answers)
}

/// Appends an audit event that happened at `at`.
async fn append_at(
    tx: &mut Tx,
    actor: AuditActor,
    action: &'static str,
    subject: AuditSubject,
    payload: Value,
    tenant: TenantId,
    at: Timestamp,
) -> Result<(), ServiceError> {
    let mut event = NewAuditEvent::new(actor, action, subject, payload).for_tenant(tenant);
    event.occurred_at = at;
    store::audit::append(tx, &event);
    Ok(())
}

/// Records an application event in the audit trail and tells the tenant through the outbox.
async fn announce(
    tx: &mut Tx,
    app: &Application,
    actor: AuditActor,
    action: &'static str,
    payload: Value,
    webhook: (&str, Value),
    at: Timestamp,
) -> Result<(), ServiceError> {
    let subject = AuditSubject::new("application", app.id);
    append_at(tx, actor, action, subject, payload, app.tenant_id, at).await?;
    let (event_type, message) = webhook;
    store::outbox::enqueue(
        tx,
        app.tenant_id,
        event_type,
        &app.id.to_string(),
        &message,
        at,
    )
    .await?;
    Ok(())
}

fn actor_for(
    mover: TransitionActor,
    case: &Case,
    provider: &str,
    reviewer: StaffUserId,
) -> AuditActor {
    match mover {
        TransitionActor::Tenant | TransitionActor::SandboxTenant => {
            AuditActor::api_key(case.tenant.1)
        }
        TransitionActor::Provider => AuditActor::provider(provider),
        TransitionActor::Reviewer => AuditActor::staff(reviewer),
        TransitionActor::Worker | TransitionActor::Admin | TransitionActor::System => {
            AuditActor::system("worker")
        }
    }
}

async fn record_move(
    tx: &mut Tx,
    app: &mut Application,
    to: ApplicationStatus,
    mover: TransitionActor,
    actor: AuditActor,
    at: Timestamp,
) -> Result<(), ServiceError> {
    let from = app.status;
    app.transition(to, mover, at)?;
    store::applications::update(tx, app).await?;
    let payload = json!({"from": from.as_str(), "to": to.as_str(), "attempt": app.attempt});
    announce(
        tx,
        app,
        actor,
        "application.status_changed",
        payload,
        (
            "kyc_application.status_changed",
            json!({"id": app.id, "status": to.as_str(), "previous_status": from.as_str()}),
        ),
        at,
    )
    .await?;
    Ok(())
}

pub(super) fn documents_for(
    level: &LevelVersion,
    variant: u64,
) -> Vec<(ArtKind, DocumentType, DocumentSide, &'static str)> {
    let mut docs = Vec::new();
    if level.requirement("identity_document").is_some() {
        if variant.is_multiple_of(2) {
            docs.push((
                ArtKind::PassportPage,
                DocumentType::Passport,
                DocumentSide::Front,
                "identity_document",
            ));
        } else {
            docs.push((
                ArtKind::IdCardFront,
                DocumentType::IdCard,
                DocumentSide::Front,
                "identity_document",
            ));
            docs.push((
                ArtKind::IdCardBack,
                DocumentType::IdCard,
                DocumentSide::Back,
                "identity_document",
            ));
        }
        docs.push((
            ArtKind::Selfie,
            DocumentType::Selfie,
            DocumentSide::Front,
            "selfie",
        ));
    }
    if level.requirement("proof_of_address").is_some() {
        docs.push((
            ArtKind::ProofOfAddress,
            DocumentType::ProofOfAddress,
            DocumentSide::Front,
            "proof_of_address",
        ));
        docs.push((
            ArtKind::ProofOfFunds,
            DocumentType::ProofOfFunds,
            DocumentSide::Front,
            "proof_of_funds",
        ));
    }
    docs
}

/// What to draw on a document, owned so that it can move to a blocking thread.
pub(super) struct OwnedArt {
    pub(super) kind: ArtKind,
    pub(super) full_name: String,
    pub(super) date_of_birth: String,
    pub(super) document_number: String,
    pub(super) country: &'static str,
    pub(super) seed: u64,
}

/// A drawn document in the blob store.
pub(super) struct StoredArt {
    pub(super) hash: String,
    /// The derived preview, as an upload gets one.
    pub(super) thumbnail: Option<String>,
    pub(super) size: usize,
}

/// Draws a document (off the async threads), stores it and its thumbnail like an upload.
pub(super) async fn store_art(
    services: &Services,
    art: OwnedArt,
) -> Result<StoredArt, ServiceError> {
    let png = tokio::task::spawn_blocking(move || {
        render_png(&DocumentArt {
            kind: art.kind,
            full_name: &art.full_name,
            date_of_birth: &art.date_of_birth,
            document_number: &art.document_number,
            country: art.country,
            seed: art.seed,
        })
    })
    .await
    .map_err(|e| ServiceError::Internal(format!("rendering task: {e}")))?;
    let hash = services
        .blobs
        .put(&png)
        .await
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    let thumbnail = service::documents::store_thumbnail(services, &png, MediaKind::Png).await?;
    Ok(StoredArt {
        hash,
        thumbnail,
        size: png.len(),
    })
}

struct Seeder<'a> {
    services: &'a Services,
    levels: Vec<LevelVersion>,
    staff: Staff,
}

impl Seeder<'_> {
    async fn run_step(
        &self,
        case: &mut Case,
        step: &Step,
        at: Timestamp,
        rng: &mut DemoRng,
    ) -> Result<(), ServiceError> {
        let level = &self.levels[case.level];
        let reviewer =
            self.staff.reviewers[(case.variant % self.staff.reviewers.len() as u64) as usize];
        // Rendering happens before the transaction: the write lock is held only for the writes.
        let mut rendered = Vec::new();
        if let (Step::Upload, Some(app)) = (step, &case.application) {
            for (kind, doc_type, side, key) in documents_for(level, case.variant) {
                let full_name = case.person.full_name();
                let date_of_birth = case.person.date_of_birth.clone();
                let number = format!(
                    "D{}",
                    &app.id.as_uuid().simple().to_string()[..8].to_uppercase()
                );
                let art = OwnedArt {
                    kind,
                    full_name,
                    date_of_birth,
                    document_number: number,
                    country: case.person.country,
                    seed: case.variant,
                };
                let stored = store_art(self.services, art).await?;
                rendered.push((
                    kind,
                    doc_type,
                    side,
                    key,
                    stored.hash,
                    stored.thumbnail,
                    stored.size,
                ));
            }
        }
        let mut tx = self.services.store.begin_write().await?;
        match step {
            Step::Create => self.create(&mut tx, case, level, at, rng).await?,
            Step::Upload => {
                let app = case
                    .application
                    .as_ref()
                    .ok_or(ServiceError::NotFound("application"))?;
                for (kind, doc_type, side, key, hash, thumbnail, size) in rendered {
                    let (width, height) = pixel_size(kind);
                    let doc = Document {
                        id: DocumentId::generate(),
                        tenant_id: app.tenant_id,
                        application_id: app.id,
                        attempt: app.attempt,
                        requirement_key: Some(key.to_owned()),
                        doc_type,
                        side: Some(side),
                        issuing_country: CountryCode::parse(case.person.country).ok(),
                        liveness: (doc_type == DocumentType::Selfie).then_some(true),
                        blob_hash: hash,
                        mime_type: "image/png".into(),
                        size_bytes: size as i64,
                        width: Some(i64::from(width)),
                        height: Some(i64::from(height)),
                        thumbnail_hash: thumbnail,
                        uploaded_at: at,
                    };
                    store::documents::insert(&mut tx, &doc).await?;
                    let payload = json!({"application_id": app.id, "document_type": doc_type.as_str(), "side": side.as_str(), "sha256": doc.blob_hash});
                    append_at(
                        &mut tx,
                        AuditActor::api_key(case.tenant.1),
                        "document.uploaded",
                        AuditSubject::new("document", doc.id),
                        payload,
                        app.tenant_id,
                        at,
                    )
                    .await?;
                }
            }
            Step::Move(to, mover) => {
                let actor = actor_for(*mover, case, &level.policy.provider, reviewer);
                let app = case
                    .application
                    .as_mut()
                    .ok_or(ServiceError::NotFound("application"))?;
                record_move(&mut tx, app, *to, *mover, actor, at).await?;
                // A third of the open reviews are already being worked on.
                if *to == ApplicationStatus::Review
                    && case.target == ApplicationStatus::Review
                    && case.variant.is_multiple_of(3)
                {
                    store::applications::set_assignee(&mut tx, app.id, None, Some(reviewer))
                        .await?;
                    app.assignee_id = Some(reviewer);
                    let subject = AuditSubject::new("application", app.id);
                    let payload = json!({"assignee": reviewer});
                    append_at(
                        &mut tx,
                        AuditActor::staff(reviewer),
                        "application.claimed",
                        subject,
                        payload,
                        app.tenant_id,
                        at,
                    )
                    .await?;
                }
            }
            Step::ProviderResult => self.provider_result(&mut tx, case, level, at).await?,
            Step::Decide(outcome) => self.decide(&mut tx, case, *outcome, reviewer, at).await?,
        }
        tx.commit().await?;
        Ok(())
    }

    async fn create(
        &self,
        tx: &mut Tx,
        case: &mut Case,
        level: &LevelVersion,
        at: Timestamp,
        rng: &mut DemoRng,
    ) -> Result<(), ServiceError> {
        let person = &case.person;
        let answers = attributes(person, level, rng)?;
        let external_id = format!(
            "cust-{}",
            &ApplicantId::generate().as_uuid().simple().to_string()[20..]
        );
        let applicant = person_applicant(
            person,
            &answers,
            ApplicantId::generate(),
            case.tenant.0,
            external_id,
            at,
        );
        store::applicants::insert(tx, &applicant).await?;
        let key_actor = AuditActor::api_key(case.tenant.1);
        append_at(
            tx,
            key_actor.clone(),
            "applicant.created",
            AuditSubject::new("applicant", applicant.id),
            json!({"external_id": applicant.external_id}),
            case.tenant.0,
            at,
        )
        .await?;
        let app = Application {
            id: ApplicationId::generate(),
            tenant_id: case.tenant.0,
            applicant_id: applicant.id,
            level_id: level.level_id,
            level_version: level.version,
            kind: ApplicationKind::Kyc,
            provider: level.policy.provider.clone(),
            provider_reference: None,
            status: ApplicationStatus::Draft,
            attempt: 1,
            max_attempts: level.policy.max_attempts,
            attributes: answers,
            params: json!({}),
            client_verification: None,
            webhook_url: None,
            assignee_id: None,
            findings_summary: None,
            created_at: at,
            updated_at: at,
            status_changed_at: at,
            version: 1,
        };
        store::applications::insert(tx, &app).await?;
        let payload = json!({"applicant_id": applicant.id, "level_id": level.level_id, "level_version": level.version, "status": "draft"});
        announce(
            tx,
            &app,
            key_actor,
            "application.created",
            payload,
            (
                "kyc_application.created",
                json!({"id": app.id, "status": "draft"}),
            ),
            at,
        )
        .await?;
        case.application = Some(app);
        Ok(())
    }

    async fn provider_result(
        &self,
        tx: &mut Tx,
        case: &mut Case,
        level: &LevelVersion,
        at: Timestamp,
    ) -> Result<(), ServiceError> {
        let app = case
            .application
            .as_mut()
            .ok_or(ServiceError::NotFound("application"))?;
        let raw = fixture(&level.policy.provider, case.target, case.variant);
        let payload: Value = serde_json::from_str(raw)
            .map_err(|e| ServiceError::Internal(format!("demo fixture: {e}")))?;
        let normalized = normalize(&level.policy.provider, &payload)
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        for result in normalized {
            let check = Check {
                id: CheckId::generate(),
                application_id: app.id,
                document_id: None,
                provider: level.policy.provider.clone(),
                reference: result.reference.clone(),
                kind: result.kind,
                status: CheckStatus::Completed,
                result: Some(result.result),
                score: result.score,
                findings: result.findings,
                raw_payload: raw.to_owned(),
                created_at: at,
            };
            store::checks::insert(tx, &check).await?;
            let payload = json!({"application_id": app.id, "kind": check.kind.as_str(), "result": result.result.as_str(), "findings": check.findings.len()});
            append_at(
                tx,
                AuditActor::provider(&check.provider),
                "check.completed",
                AuditSubject::new("check", check.id),
                payload,
                app.tenant_id,
                at,
            )
            .await?;
            app.record_findings(check.worst_severity());
        }
        app.updated_at = at;
        store::applications::update(tx, app).await?;
        Ok(())
    }

    async fn decide(
        &self,
        tx: &mut Tx,
        case: &mut Case,
        outcome: Outcome,
        reviewer: StaffUserId,
        at: Timestamp,
    ) -> Result<(), ServiceError> {
        let four_eyes = self.levels[case.level].policy.four_eyes;
        let app = case
            .application
            .as_mut()
            .ok_or(ServiceError::NotFound("application"))?;
        let (reasons, message) = decision_wording(outcome);
        let confirmer = self
            .staff
            .reviewers
            .iter()
            .copied()
            .find(|r| *r != reviewer)
            .filter(|_| four_eyes);
        let decision = Decision {
            id: DecisionId::generate(),
            application_id: app.id,
            outcome,
            reasons: reasons.clone(),
            message_to_applicant: message,
            internal_comment: Some("Compared the document with the provider findings.".into()),
            remediation: if outcome == Outcome::Remediate {
                vec![remediation_item(&self.levels[case.level])]
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
        if app.assignee_id != Some(reviewer) {
            store::applications::set_assignee(tx, app.id, app.assignee_id, Some(reviewer)).await?;
            app.assignee_id = Some(reviewer);
        }
        store::decisions::insert(tx, &decision).await?;
        store::decisions::insert_note(
            tx,
            NoteId::generate(),
            app.id,
            reviewer,
            "Checked the findings; see decision.",
            at,
        )
        .await?;
        let to = outcome.target_status();
        let reason_names: Vec<&str> = reasons.iter().map(|r| r.as_str()).collect();
        let payload = json!({"decision_id": decision.id, "outcome": outcome.as_str(), "reasons": reason_names, "confirmed_by": confirmer});
        announce(
            tx,
            app,
            AuditActor::staff(reviewer),
            "application.decided",
            payload,
            (
                "kyc_application.decided",
                json!({"id": app.id, "outcome": outcome.as_str()}),
            ),
            at,
        )
        .await?;
        record_move(
            tx,
            app,
            to,
            TransitionActor::Reviewer,
            AuditActor::staff(reviewer),
            at,
        )
        .await
    }
}

/// The reasons and the message to the applicant a demo reviewer gives with an outcome.
pub(super) fn decision_wording(outcome: Outcome) -> (Vec<Reason>, Option<String>) {
    match outcome {
        Outcome::Accept => (vec![], None),
        Outcome::Reject => (
            vec![Reason::SuspectedFraud, Reason::DataMismatch],
            Some("We could not verify your identity.".to_owned()),
        ),
        Outcome::Remediate => (
            vec![Reason::DocumentUnreadable],
            Some("Please upload a sharper photo of your identity document.".to_owned()),
        ),
    }
}

/// What a demo remediation asks to redo: the identity document where the level has one.
pub(super) fn remediation_item(level: &LevelVersion) -> String {
    let key = if level.requirement("identity_document").is_some() {
        "identity_document"
    } else {
        "date_of_birth"
    };
    key.to_owned()
}

/// Seeds tenants, staff, levels and `applications` applications with their history. Run on an empty database.
pub async fn seed(services: &Services, applications: usize) -> Result<DemoSeed, ServiceError> {
    let ctx = Ctx::system("demo");
    let mut tenants = Vec::new();
    let mut tenant_keys = Vec::new();
    for (name, sandbox) in [("Northwind Bank", false), ("Lumen Pay (sandbox)", true)] {
        let created = service::tenants::create(
            services,
            &ctx,
            service::tenants::NewTenant {
                name: TenantName::parse(name)?,
                sandbox,
                webhook_url: None,
            },
        )
        .await?;
        tenant_keys.push((created.tenant.id, created.api_key_id));
        tenants.push(DemoTenant {
            name: created.tenant.name,
            sandbox,
            api_key: created.api_key,
        });
    }
    let (logins, staff) = create_staff(services, &ctx).await?;
    let levels = create_levels(services, &ctx).await?;
    let seeder = Seeder {
        services,
        levels,
        staff,
    };

    let mut rng = DemoRng::new(0x6b79_6364_6573_6b00);
    let now = Timestamp::now();
    let mut cases = Vec::with_capacity(applications);
    let mut timeline = Vec::new();
    for index in 0..applications {
        let level = match rng.below(10) {
            0..=3 => 0,
            4..=7 => 1,
            _ => 2,
        };
        let case = Case {
            tenant: tenant_keys[index % tenant_keys.len()],
            level,
            person: Person::generate(&mut rng, index),
            target: STATUS_CYCLE[index % STATUS_CYCLE.len()],
            variant: rng.next_u64(),
            application: None,
        };
        // Spread over the last 30 days; open cases lean recent, as in a real queue.
        let open = !case.target.is_final() && case.target != ApplicationStatus::Remediate;
        let window_days = if open { 4 } else { 30 };
        let age_minutes = 30 + rng.below(window_days * 24 * 60) as i64;
        let start = now.plus(chrono::Duration::minutes(-age_minutes));
        for (at, step) in plan_steps(&case, &seeder.levels[level], start, &mut rng) {
            timeline.push((at.min(now), index, step));
        }
        cases.push(case);
    }
    timeline.sort_by_key(|(at, index, _)| (*at, *index));
    for (at, index, step) in &timeline {
        seeder
            .run_step(&mut cases[*index], step, *at, &mut rng)
            .await?;
    }
    Ok(DemoSeed {
        logins,
        tenants,
        applications,
    })
}
