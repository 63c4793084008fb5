//! Admins manage KYC levels: the list (with legal documents), the editor (htmx requirement rows:
//! add, remove, reorder, kind-specific options), versions and the diff between any two,
//! activation, deletion of unused levels.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::body::Bytes;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_htmx::HxRequest;
use serde::Deserialize;

use super::level_form::{KINDS, LevelInput, Posted, RowInput};
use crate::app::AppState;
use crate::domain::document::{DocumentSide, DocumentType};
use crate::domain::ids::LevelId;
use crate::domain::legal::LegalDocument;
use crate::domain::level::LevelVersion;
use crate::domain::permission::Permission;
use crate::domain::validate::government_id::GovernmentIdType;
use crate::service::{self, ServiceError};
use crate::web::auth::{Staff, redirect_to};
use crate::web::error::WebError;
use crate::web::format;
use crate::web::layout::{Layout, partial_or_page};

/// One choice of a select or a checkbox group.
pub struct Choice {
    value: String,
    label: String,
    on: bool,
}

fn choices<'a>(all: impl IntoIterator<Item = (&'a str, &'a str)>, on: &[String]) -> Vec<Choice> {
    all.into_iter()
        .map(|(value, label)| Choice {
            value: value.to_owned(),
            label: label.to_owned(),
            on: on.iter().any(|v| v == value),
        })
        .collect()
}

/// A requirement row as the editor shows it.
pub struct RowView {
    row: RowInput,
    kinds: Vec<Choice>,
    doc_types: Vec<Choice>,
    sides: Vec<Choice>,
    id_types: Vec<Choice>,
    legal_documents: Vec<Choice>,
}

fn row_view(row: RowInput, legal: &[LegalDocument]) -> RowView {
    let doc_types: Vec<(&str, &str)> = DocumentType::ALL
        .iter()
        .map(|t| (t.as_str(), t.as_str()))
        .collect();
    let sides: Vec<(&str, &str)> = DocumentSide::ALL
        .iter()
        .map(|s| (s.as_str(), s.as_str()))
        .collect();
    let id_types: Vec<(&str, &str)> = GovernmentIdType::ALL
        .iter()
        .map(|t| (t.as_str(), t.label()))
        .collect();
    let legal_labels: Vec<(String, String)> = legal
        .iter()
        .map(|d| (d.id.clone(), format!("{} ({})", d.title, d.version)))
        .collect();
    RowView {
        kinds: choices(KINDS, std::slice::from_ref(&row.kind)),
        doc_types: choices(doc_types, &row.doc_types),
        sides: choices(sides, &row.sides),
        id_types: choices(id_types, &row.id_types),
        legal_documents: choices(
            legal_labels.iter().map(|(v, l)| (v.as_str(), l.as_str())),
            std::slice::from_ref(&row.legal_document),
        ),
        row,
    }
}

#[derive(Template)]
#[template(path = "admin/_requirement_row.html")]
pub struct RequirementRow {
    view: RowView,
}

pub struct LevelListRow {
    id: LevelId,
    name: String,
    tier: i64,
    applicant_type: String,
    version: i64,
    active: bool,
    applications: i64,
    provider: String,
}

#[derive(Template)]
#[template(path = "admin/_levels_main.html")]
pub struct LevelsMain {
    rows: Vec<LevelListRow>,
    legal_documents: Vec<(String, String, String, String)>,
    retention_years: u32,
    notice: Option<String>,
    csrf: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/levels.html")]
pub struct LevelsPage {
    layout: Layout,
    main: LevelsMain,
}

pub struct VersionRow {
    version: i64,
    created: String,
    current: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/level_edit.html")]
pub struct LevelEditPage {
    layout: Layout,
    heading: String,
    action: String,
    input: LevelInput,
    rows: Vec<RowView>,
    applicant_types: Vec<Choice>,
    providers: Vec<Choice>,
    upgrades: Vec<Choice>,
    errors: Vec<String>,
    row_version: Option<i64>,
    versions: Vec<VersionRow>,
    level_id: Option<LevelId>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/level_diff.html")]
pub struct LevelDiffPage {
    layout: Layout,
    level_id: LevelId,
    name: String,
    from: i64,
    to: i64,
    changes: Vec<String>,
}

fn level_id(raw: &str) -> Result<LevelId, WebError> {
    raw.parse().map_err(|_| WebError::NotFound)
}

async fn levels_main(
    state: &AppState,
    staff: &Staff,
    notice: Option<String>,
) -> Result<LevelsMain, WebError> {
    let rows = service::levels::list_all(&state.services, &staff.ctx)
        .await?
        .into_iter()
        .map(|row| LevelListRow {
            id: row.current.level_id,
            name: row.current.name.clone(),
            tier: row.current.tier,
            applicant_type: row.current.applicant_type.to_string(),
            version: row.current.version,
            active: row.active,
            applications: row.applications,
            provider: row.current.policy.provider.clone(),
        })
        .collect();
    let legal_documents = service::levels::legal_documents(&state.services, &staff.ctx)
        .await?
        .into_iter()
        .map(|d| (d.id, d.title, d.version, format::when(d.created_at)))
        .collect();
    Ok(LevelsMain {
        rows,
        legal_documents,
        retention_years: service::retention::period(&state.services)
            .await?
            .as_years(),
        notice,
        csrf: staff.csrf.clone(),
    })
}

fn levels_response(staff: &Staff, is_htmx: bool, main: LevelsMain) -> Result<Response, WebError> {
    partial_or_page(is_htmx, main, |main| LevelsPage {
        layout: Layout::for_staff(staff, "Levels"),
        main,
    })
}

pub async fn page(
    State(state): State<AppState>,
    staff: Staff,
    HxRequest(is_htmx): HxRequest,
) -> Result<Response, WebError> {
    let main = levels_main(&state, &staff, None).await?;
    levels_response(&staff, is_htmx, main)
}

/// What the editor shows besides the form values.
struct EditorContext {
    others: Vec<LevelVersion>,
    legal: Vec<LegalDocument>,
    versions: Vec<LevelVersion>,
    current_version: Option<i64>,
}

fn editor(
    staff: &Staff,
    heading: String,
    level: Option<(LevelId, i64)>,
    input: LevelInput,
    errors: Vec<String>,
    context: EditorContext,
) -> LevelEditPage {
    let upgrade_choices: Vec<(String, String)> = context
        .others
        .iter()
        .map(|l| {
            (
                l.level_id.to_string(),
                format!("{} (tier {})", l.name, l.tier),
            )
        })
        .collect();
    let providers: Vec<(&str, &str)> = service::levels::PROVIDERS
        .iter()
        .map(|p| (*p, *p))
        .collect();
    LevelEditPage {
        layout: Layout::for_staff(staff, &heading),
        action: match level {
            Some((id, _)) => format!("/admin/levels/{id}"),
            None => "/admin/levels".into(),
        },
        rows: input
            .rows
            .iter()
            .cloned()
            .map(|row| row_view(row, &context.legal))
            .collect(),
        applicant_types: choices(
            [
                ("individual", "Individual (KYC)"),
                ("business", "Business (KYB)"),
            ],
            std::slice::from_ref(&input.applicant_type),
        ),
        providers: choices(providers, std::slice::from_ref(&input.provider)),
        upgrades: choices(
            upgrade_choices
                .iter()
                .map(|(v, l)| (v.as_str(), l.as_str())),
            &input.upgrades_to,
        ),
        versions: context
            .versions
            .iter()
            .map(|v| VersionRow {
                version: v.version,
                created: format::when(v.created_at),
                current: Some(v.version) == context.current_version,
            })
            .collect(),
        row_version: level.map(|(_, v)| v),
        level_id: level.map(|(id, _)| id),
        heading,
        input,
        errors,
    }
}

async fn new_context(state: &AppState, staff: &Staff) -> Result<EditorContext, WebError> {
    let others = service::levels::list_all(&state.services, &staff.ctx)
        .await?
        .into_iter()
        .map(|row| row.current)
        .collect();
    Ok(EditorContext {
        others,
        legal: service::levels::legal_documents(&state.services, &staff.ctx).await?,
        versions: Vec::new(),
        current_version: None,
    })
}

pub async fn new_level(State(state): State<AppState>, staff: Staff) -> Result<Response, WebError> {
    let context = new_context(&state, &staff).await?;
    Ok(editor(
        &staff,
        "New level".into(),
        None,
        LevelInput::blank(),
        vec![],
        context,
    )
    .into_response())
}

/// The messages of a refused save, for the form.
fn messages(error: ServiceError) -> Result<Vec<String>, WebError> {
    match error {
        ServiceError::InvalidFields(fields) => Ok(fields.into_iter().map(|f| f.message).collect()),
        ServiceError::Invalid(invalid) => Ok(vec![invalid.message]),
        ServiceError::Conflict(message) => Ok(vec![message]),
        ServiceError::Stale => Ok(vec![
            "Someone saved this level in the meantime. Reload it and edit again.".into(),
        ]),
        other => Err(other.into()),
    }
}

fn refused(page: LevelEditPage) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
}

pub async fn create(
    State(state): State<AppState>,
    staff: Staff,
    body: Bytes,
) -> Result<Response, WebError> {
    let posted =
        Posted::parse(&body).ok_or_else(|| WebError::BadRequest("unreadable form".into()))?;
    let input = LevelInput::from_posted(&posted);
    let outcome = match input.to_draft() {
        Ok(draft) => service::levels::create(&state.services, &staff.ctx, draft)
            .await
            .map_err(messages),
        Err(errors) => Err(Ok(errors)),
    };
    match outcome {
        Ok(level) => Ok(redirect_to(
            &format!("/admin/levels/{}", level.level_id),
            false,
        )),
        Err(errors) => {
            let errors = errors?;
            let context = new_context(&state, &staff).await?;
            Ok(refused(editor(
                &staff,
                "New level".into(),
                None,
                input,
                errors,
                context,
            )))
        }
    }
}

async fn edit_context(
    state: &AppState,
    staff: &Staff,
    id: LevelId,
) -> Result<(service::levels::LevelDetail, EditorContext), WebError> {
    let detail = service::levels::detail(&state.services, &staff.ctx, id).await?;
    let context = EditorContext {
        others: detail.others.clone(),
        legal: detail.legal_documents.clone(),
        versions: detail.versions.clone(),
        current_version: Some(detail.level.current.version),
    };
    Ok((detail, context))
}

fn heading(level: &LevelVersion) -> String {
    format!("{} · version {}", level.name, level.version)
}

pub async fn edit(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = level_id(&id)?;
    let (detail, context) = edit_context(&state, &staff, id).await?;
    let input = LevelInput::from_version(&detail.level.current);
    let level = Some((id, detail.level.row_version));
    Ok(editor(
        &staff,
        heading(&detail.level.current),
        level,
        input,
        vec![],
        context,
    )
    .into_response())
}

pub async fn update(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, WebError> {
    let id = level_id(&id)?;
    let posted =
        Posted::parse(&body).ok_or_else(|| WebError::BadRequest("unreadable form".into()))?;
    let row_version: i64 = posted
        .first("row_version")
        .parse()
        .map_err(|_| WebError::BadRequest("the form lacks its version".into()))?;
    let input = LevelInput::from_posted(&posted);
    let outcome = match input.to_draft() {
        Ok(draft) => service::levels::update(&state.services, &staff.ctx, id, row_version, draft)
            .await
            .map_err(messages),
        Err(errors) => Err(Ok(errors)),
    };
    match outcome {
        Ok(_) => Ok(redirect_to(&format!("/admin/levels/{id}"), false)),
        Err(errors) => {
            let errors = errors?;
            let (detail, context) = edit_context(&state, &staff, id).await?;
            let level = Some((id, row_version));
            Ok(refused(editor(
                &staff,
                heading(&detail.level.current),
                level,
                input,
                errors,
                context,
            )))
        }
    }
}

/// A requirement row: a new one (`?kind=`), or a posted one re-rendered for its new kind
/// (`?refresh=<token>` with the row's fields).
pub async fn requirement_row(
    State(state): State<AppState>,
    staff: Staff,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    staff
        .ctx
        .require(&state.services, Permission::Administer, "level.edit")
        .await?;
    let query = query.unwrap_or_default();
    let posted = Posted::parse(query.as_bytes())
        .ok_or_else(|| WebError::BadRequest("unreadable row".into()))?;
    let row = match posted.get("refresh") {
        Some(token)
            if token.starts_with('r')
                && token.len() <= 16
                && token.chars().all(|c| c.is_ascii_alphanumeric()) =>
        {
            RowInput::from_posted(&posted, &token)
        }
        Some(_) => return Err(WebError::BadRequest("unknown row".into())),
        None => RowInput::blank(&posted.get("kind").unwrap_or_else(|| "text".into())),
    };
    if !KINDS.iter().any(|(kind, _)| *kind == row.kind) {
        return Err(WebError::BadRequest("unknown requirement kind".into()));
    }
    let legal = service::levels::legal_documents(&state.services, &staff.ctx).await?;
    Ok(axum::response::Html(
        RequirementRow {
            view: row_view(row, &legal),
        }
        .render()?,
    )
    .into_response())
}

#[derive(Deserialize)]
pub struct ActiveForm {
    active: String,
}

pub async fn set_active(
    State(state): State<AppState>,
    staff: Staff,
    HxRequest(is_htmx): HxRequest,
    Path(id): Path<String>,
    Form(form): Form<ActiveForm>,
) -> Result<Response, WebError> {
    let active = form.active == "true";
    service::levels::set_active(&state.services, &staff.ctx, level_id(&id)?, active).await?;
    let notice = if active {
        "Level activated: new applications may use it."
    } else {
        "Level deactivated: no new applications; existing ones go on."
    };
    let main = levels_main(&state, &staff, Some(notice.into())).await?;
    levels_response(&staff, is_htmx, main)
}

pub async fn delete(
    State(state): State<AppState>,
    staff: Staff,
    HxRequest(is_htmx): HxRequest,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    service::levels::delete(&state.services, &staff.ctx, level_id(&id)?).await?;
    let main = levels_main(&state, &staff, Some("Level deleted.".into())).await?;
    levels_response(&staff, is_htmx, main)
}

#[derive(Deserialize)]
pub struct DiffQuery {
    from: i64,
    to: i64,
}

pub async fn diff(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Query(query): Query<DiffQuery>,
) -> Result<Response, WebError> {
    let id = level_id(&id)?;
    let (a, b, changes) =
        service::levels::diff(&state.services, &staff.ctx, id, query.from, query.to).await?;
    Ok(LevelDiffPage {
        layout: Layout::for_staff(
            &staff,
            &format!("{}: version {} → {}", b.name, a.version, b.version),
        ),
        level_id: id,
        name: b.name,
        from: a.version,
        to: b.version,
        changes,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/level_version.html")]
pub struct LevelVersionPage {
    layout: Layout,
    level_id: LevelId,
    level: LevelVersion,
    created: String,
    requirements: Vec<(String, String, String, bool, String)>,
}

/// An earlier (or the current) version, read-only: what applications on it were asked.
pub async fn version(
    State(state): State<AppState>,
    staff: Staff,
    Path((id, version)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let id = level_id(&id)?;
    let version: i64 = version.parse().map_err(|_| WebError::NotFound)?;
    let level = service::levels::version(&state.services, &staff.ctx, id, version).await?;
    let requirements = level
        .requirements
        .iter()
        .map(|r| {
            let options = serde_json::to_string(&r.kind).unwrap_or_default();
            (
                r.key.clone(),
                r.label.clone(),
                r.kind.name().to_owned(),
                r.required,
                options,
            )
        })
        .collect();
    Ok(LevelVersionPage {
        layout: Layout::for_staff(
            &staff,
            &format!("{} · version {}", level.name, level.version),
        ),
        level_id: id,
        created: format::when(level.created_at),
        requirements,
        level,
    }
    .into_response())
}

#[derive(Deserialize)]
pub struct LegalForm {
    title: String,
    version: String,
    body: String,
}

pub async fn add_legal_document(
    State(state): State<AppState>,
    staff: Staff,
    HxRequest(is_htmx): HxRequest,
    Form(form): Form<LegalForm>,
) -> Result<Response, WebError> {
    let doc = service::levels::add_legal_document(
        &state.services,
        &staff.ctx,
        &form.title,
        &form.version,
        &form.body,
    )
    .await?;
    let notice = format!("Published {} ({}).", doc.title, doc.version);
    let main = levels_main(&state, &staff, Some(notice)).await?;
    levels_response(&staff, is_htmx, main)
}
