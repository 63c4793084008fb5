//! KYC levels and the legal documents their requirements point to. Saving an edit creates a new
//! version; applications keep the version they were created with.

use serde_json::json;

use super::{Ctx, FieldError, ServiceError, Services};
use crate::domain::audit::AuditSubject;
use crate::domain::ids::LevelId;
use crate::domain::legal::LegalDocument;
use crate::domain::level::LevelVersion;
use crate::domain::level_rules;
use crate::domain::permission::Permission;
use crate::domain::time::Timestamp;
use crate::store::levels::LevelRow;
use crate::store::{self, Conn, StoreError};

pub use crate::domain::level::LevelDraft as NewLevel;

/// The provider names a level may choose.
pub const PROVIDERS: [&str; 5] = ["sandbox", "manual", "vouched", "identitymind", "sumsub"];

fn refused(problems: Vec<crate::domain::validate::Invalid>) -> ServiceError {
    ServiceError::InvalidFields(
        problems
            .into_iter()
            .map(|p| FieldError {
                field: "level".into(),
                code: p.code,
                message: p.message,
            })
            .collect(),
    )
}

/// Checks a draft against the other levels and the legal documents.
async fn check(conn: &mut Conn, draft: &NewLevel, id: Option<LevelId>) -> Result<(), ServiceError> {
    let levels: Vec<LevelVersion> = store::levels::list_all(conn)
        .await?
        .into_iter()
        .map(|row| row.current)
        .collect();
    let legal: Vec<String> = store::legal_documents::list(conn)
        .await?
        .into_iter()
        .map(|d| d.id)
        .collect();
    level_rules::check(draft, id, &levels, &legal, &PROVIDERS).map_err(refused)
}

fn version_of(draft: NewLevel, level_id: LevelId, version: i64, at: Timestamp) -> LevelVersion {
    LevelVersion {
        level_id,
        version,
        name: draft.name.trim().to_owned(),
        tier: draft.tier,
        applicant_type: draft.applicant_type,
        requirements: draft.requirements,
        policy: draft.policy,
        upgrades_to: draft.upgrades_to,
        created_at: at,
    }
}

/// Creates a level with its first version.
pub async fn create(
    services: &Services,
    ctx: &Ctx,
    new: NewLevel,
) -> Result<LevelVersion, ServiceError> {
    ctx.require(services, Permission::Administer, "level.create")
        .await?;
    let mut tx = services.store.begin_write().await?;
    check(&mut tx, &new, None).await?;
    let level = version_of(new, LevelId::generate(), 1, Timestamp::now());
    store::levels::insert(&mut tx, &level).await?;
    let event = ctx.event(
        "level.created",
        AuditSubject::new("level", level.level_id),
        json!({"name": level.name, "tier": level.tier, "version": level.version, "requirements": level.requirements.len()}),
    );
    store::audit::append(&mut tx, &event);
    tx.commit().await?;
    Ok(level)
}

/// Saves an edit as a new version, if nobody saved one since `row_version` was read.
pub async fn update(
    services: &Services,
    ctx: &Ctx,
    id: LevelId,
    row_version: i64,
    draft: NewLevel,
) -> Result<LevelVersion, ServiceError> {
    ctx.require(services, Permission::Administer, "level.update")
        .await?;
    let mut tx = services.store.begin_write().await?;
    let current = load(&mut tx, id).await?;
    if current.row_version != row_version {
        return Err(ServiceError::Stale);
    }
    check(&mut tx, &draft, Some(id)).await?;
    let next = version_of(draft, id, current.current.version + 1, Timestamp::now());
    let changes = level_rules::diff(&current.current, &next);
    if changes.is_empty() {
        return Err(ServiceError::Conflict(
            "nothing changed; no new version was made".into(),
        ));
    }
    store::levels::add_version(&mut tx, &next, row_version).await?;
    let event = ctx.event(
        "level.version_created",
        AuditSubject::new("level", id),
        json!({"version": next.version, "changes": changes}),
    );
    store::audit::append(&mut tx, &event);
    tx.commit().await?;
    Ok(next)
}

async fn load(conn: &mut Conn, id: LevelId) -> Result<LevelRow, ServiceError> {
    match store::levels::get(conn, id).await {
        Err(StoreError::NotFound) => Err(ServiceError::NotFound("level")),
        other => Ok(other?),
    }
}

/// Offers the level to new applications, or stops offering it (existing ones go on).
pub async fn set_active(
    services: &Services,
    ctx: &Ctx,
    id: LevelId,
    active: bool,
) -> Result<(), ServiceError> {
    ctx.require(services, Permission::Administer, "level.set_active")
        .await?;
    let mut tx = services.store.begin_write().await?;
    load(&mut tx, id).await?;
    store::levels::set_active(&mut tx, id, active).await?;
    let action = if active {
        "level.activated"
    } else {
        "level.deactivated"
    };
    store::audit::append(
        &mut tx,
        &ctx.event(action, AuditSubject::new("level", id), json!({})),
    );
    tx.commit().await?;
    Ok(())
}

/// Deletes a level no application ever used; one in use can only be deactivated.
pub async fn delete(services: &Services, ctx: &Ctx, id: LevelId) -> Result<(), ServiceError> {
    ctx.require(services, Permission::Administer, "level.delete")
        .await?;
    let mut tx = services.store.begin_write().await?;
    let level = load(&mut tx, id).await?;
    if level.applications > 0 {
        return Err(ServiceError::Conflict(format!(
            "{} is used by {} application(s); deactivate it instead",
            level.current.name, level.applications
        )));
    }
    let referenced = store::levels::list_all(&mut tx)
        .await?
        .into_iter()
        .find(|other| other.current.upgrades_to.contains(&id));
    if let Some(other) = referenced {
        return Err(ServiceError::Conflict(format!(
            "{} upgrades to it; change that level first",
            other.current.name
        )));
    }
    store::levels::delete(&mut tx, id).await?;
    let event = ctx.event(
        "level.deleted",
        AuditSubject::new("level", id),
        json!({"name": level.current.name}),
    );
    store::audit::append(&mut tx, &event);
    tx.commit().await?;
    Ok(())
}

/// The current version of every active level.
pub async fn list_active(
    services: &Services,
    ctx: &Ctx,
) -> Result<Vec<LevelVersion>, ServiceError> {
    if ctx.tenant.is_none() {
        ctx.require(services, Permission::ViewCases, "level.list")
            .await?;
    }
    let mut conn = services.store.conn().await?;
    Ok(store::levels::list_active(&mut conn).await?)
}

/// Every level for the admin list.
pub async fn list_all(services: &Services, ctx: &Ctx) -> Result<Vec<LevelRow>, ServiceError> {
    ctx.require(services, Permission::Administer, "level.list")
        .await?;
    let mut conn = services.store.conn().await?;
    Ok(store::levels::list_all(&mut conn).await?)
}

/// One level with all its versions (newest first), for the editor.
pub struct LevelDetail {
    pub level: LevelRow,
    pub versions: Vec<LevelVersion>,
    /// Every level's current version, for the upgrade choices.
    pub others: Vec<LevelVersion>,
    pub legal_documents: Vec<LegalDocument>,
}

pub async fn detail(
    services: &Services,
    ctx: &Ctx,
    id: LevelId,
) -> Result<LevelDetail, ServiceError> {
    ctx.require(services, Permission::Administer, "level.view")
        .await?;
    let mut conn = services.store.conn().await?;
    let level = load(&mut conn, id).await?;
    Ok(LevelDetail {
        versions: store::levels::versions(&mut conn, id).await?,
        others: store::levels::list_all(&mut conn)
            .await?
            .into_iter()
            .map(|row| row.current)
            .filter(|v| v.level_id != id)
            .collect(),
        legal_documents: store::legal_documents::list(&mut conn).await?,
        level,
    })
}

/// One version of a level, as it was saved.
pub async fn version(
    services: &Services,
    ctx: &Ctx,
    id: LevelId,
    version: i64,
) -> Result<LevelVersion, ServiceError> {
    ctx.require(services, Permission::Administer, "level.view")
        .await?;
    let mut conn = services.store.conn().await?;
    match store::levels::get_version(&mut conn, id, version).await {
        Err(StoreError::NotFound) => Err(ServiceError::NotFound("level version")),
        other => Ok(other?),
    }
}

/// The changes between two versions of a level.
pub async fn diff(
    services: &Services,
    ctx: &Ctx,
    id: LevelId,
    from: i64,
    to: i64,
) -> Result<(LevelVersion, LevelVersion, Vec<String>), ServiceError> {
    ctx.require(services, Permission::Administer, "level.diff")
        .await?;
    let mut conn = services.store.conn().await?;
    let mut version = async |v: i64| match store::levels::get_version(&mut conn, id, v).await {
        Err(StoreError::NotFound) => Err(ServiceError::NotFound("level version")),
        other => Ok(other?),
    };
    let a = version(from).await?;
    let b = version(to).await?;
    let changes = level_rules::diff(&a, &b);
    Ok((a, b, changes))
}

/// Publishes a legal document version.
pub async fn add_legal_document(
    services: &Services,
    ctx: &Ctx,
    title: &str,
    version: &str,
    body: &str,
) -> Result<LegalDocument, ServiceError> {
    ctx.require(services, Permission::Administer, "legal_document.create")
        .await?;
    let doc = LegalDocument::new(title, version, body, Timestamp::now())?;
    let mut tx = services.store.begin_write().await?;
    match store::legal_documents::insert(&mut tx, &doc).await {
        Err(StoreError::Duplicate(_)) => {
            return Err(ServiceError::Duplicate(
                "this document already has a version with that label",
            ));
        }
        other => other?,
    }
    let event = ctx.event(
        "legal_document.created",
        AuditSubject::new("legal_document", &doc.id),
        json!({"title": doc.title, "version": doc.version, "chars": doc.body.chars().count()}),
    );
    store::audit::append(&mut tx, &event);
    tx.commit().await?;
    Ok(doc)
}

pub async fn legal_documents(
    services: &Services,
    ctx: &Ctx,
) -> Result<Vec<LegalDocument>, ServiceError> {
    if ctx.tenant.is_none() {
        ctx.require(services, Permission::ViewCases, "legal_document.list")
            .await?;
    }
    let mut conn = services.store.conn().await?;
    Ok(store::legal_documents::list(&mut conn).await?)
}

/// One legal document version, for tenants to show the applicant the text they accept.
pub async fn legal_document(
    services: &Services,
    ctx: &Ctx,
    id: &str,
) -> Result<LegalDocument, ServiceError> {
    if ctx.tenant.is_none() {
        ctx.require(services, Permission::ViewCases, "legal_document.view")
            .await?;
    }
    let mut conn = services.store.conn().await?;
    match store::legal_documents::get(&mut conn, id).await {
        Err(StoreError::NotFound) => Err(ServiceError::NotFound("legal document")),
        other => Ok(other?),
    }
}
