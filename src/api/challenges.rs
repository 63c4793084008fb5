//! Answers to a provider's out-of-wallet challenge questions (seed 000).

use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;

use super::applications::{ApplicationBody, application_id, body};
use super::auth::Tenant;
use super::error::{ApiError, ErrorBody, IdempotencyRefusals, JsonBodyRefusals, KeyRefusals};
use super::idempotency::IdempotencyKey;
use super::json::ApiJson;
use crate::app::AppState;
use crate::domain::challenge::Answer;
use crate::service;

/// Longest answer accepted: options are short phrases.
const MAX_ANSWER: usize = 500;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerBody {
    #[schema(max_length = 500)]
    key: String,
    #[schema(max_length = 500)]
    answer: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Answers {
    /// One answer per question, each one of the question's options.
    #[schema(min_items = 1, max_items = 50)]
    answers: Vec<AnswerBody>,
}

#[utoipa::path(post, path = "/kyc_applications/{id}/answers", tag = "applications", security(("api_key" = [])),
    params(("id" = String, Path, format = "uuid"), IdempotencyKey),
    request_body = Answers,
    responses(KeyRefusals, IdempotencyRefusals, JsonBodyRefusals,
              (status = 200, description = "Answered; the provider's judgement is applied (status and checks)", body = ApplicationBody),
              (status = 404, body = ErrorBody),
              (status = 409, description = "No questions are waiting, or idempotency_key_in_flight", body = ErrorBody),
              (status = 422, description = "Unanswered, unknown or duplicate questions, an answer that is not an option, \
                 a body of the wrong shape, or an invalid or reused Idempotency-Key", body = ErrorBody)))]
pub async fn answer(
    State(state): State<AppState>,
    Tenant(ctx): Tenant,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<Answers>,
) -> Result<Json<ApplicationBody>, ApiError> {
    let id = application_id(&id)?;
    if request.answers.is_empty() || request.answers.len() > 50 {
        return Err(ApiError::invalid(
            "answers",
            "out_of_range",
            "send 1 to 50 answers",
        ));
    }
    if request
        .answers
        .iter()
        .any(|a| a.answer.chars().count() > MAX_ANSWER || a.key.chars().count() > MAX_ANSWER)
    {
        return Err(ApiError::invalid(
            "answers",
            "too_long",
            format!("keys and answers are at most {MAX_ANSWER} characters"),
        ));
    }
    let answers = request
        .answers
        .into_iter()
        .map(|a| Answer {
            key: a.key,
            answer: a.answer,
        })
        .collect();
    service::pipeline::answer_questions(&state.services, &ctx, id, answers).await?;
    let view = service::intake::get(&state.services, &ctx, id).await?;
    Ok(Json(body(view)))
}
