//! Screening through the API (issue #20 item 2): the district's (or the city's) enterprises
//! at or above its model's threshold with each score's factors, the model and its versions, a
//! preview of a change and saving a new version.

use super::json_error;
use crate::AppState;
use crate::actor::Actor;
use crate::error::AppResult;
use crate::usecase::screening::{
    self as uc, ModelBody, ModelDto, ModelsDto, ScoredDto, ScreeningDto, ScreeningQuery,
};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use ipfin_domain::screening::Shift;
use serde::Serialize;
use utoipa::ToSchema;

fn parse<T: serde::de::DeserializeOwned>(body: &Bytes) -> AppResult<T> {
    serde_json::from_slice(body).map_err(|e| json_error(&e))
}

/// The enterprises the model in force screens in, best first, each with its contributing
/// factors (a missing fact is shown as missing), and the counts and distribution of scores.
#[utoipa::path(get, path = "/api/v1/screening", tag = "screening", params(ScreeningQuery),
    responses((status = 200, body = ScreeningDto),
        (status = 404, description = "not a government caller, or another district")),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<ScreeningQuery>,
) -> AppResult<Json<ScreeningDto>> {
    let o = uc::overview(&state, &actor, &q, q.page()).await?;
    Ok(Json(o.dto(actor.lang)))
}

/// The model in force (version 0: the default model) and every saved version.
#[utoipa::path(get, path = "/api/v1/screening/model", tag = "screening", params(ScreeningQuery),
    responses((status = 200, body = ModelsDto),
        (status = 404, description = "not a government caller, or another district")),
    security(("bearer" = [])))]
pub async fn model(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<ScreeningQuery>,
) -> AppResult<Json<ModelsDto>> {
    let district = q.district(&actor)?;
    let d = district.as_deref();
    let current = state.store.screening_model(&actor.scope, d).await?;
    let history = state.store.screening_models(&actor.scope, d).await?;
    Ok(Json(ModelsDto {
        current: ModelDto::new(&current, actor.lang),
        history: history
            .iter()
            .map(|m| ModelDto::new(m, actor.lang))
            .collect(),
    }))
}

/// Saves a new version of the model (the district's lead officers or the city administrator,
/// signed in as themselves; tokens are refused). Every problem of the weights and threshold at
/// once; nothing is stored when any is wrong.
#[utoipa::path(put, path = "/api/v1/screening/model", tag = "screening", params(ScreeningQuery),
    request_body = ModelBody,
    responses((status = 200, body = ModelDto),
        (status = 403, description = "not a lead officer or the city administrator, or a token"),
        (status = 404, description = "another district"),
        (status = 422, description = "a weight negative or above 100, all weights zero, a threshold above the total, an unknown factor; every problem in `errors`")),
    security(("bearer" = [])))]
pub async fn save(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<ScreeningQuery>,
    body: Bytes,
) -> AppResult<Json<ModelDto>> {
    let district = q.district(&actor)?;
    let b: ModelBody = parse(&body)?;
    let saved = uc::save(&state, &actor, district.as_deref(), &b).await?;
    let saved = state
        .store
        .screening_model(&actor.scope, district.as_deref())
        .await
        .unwrap_or(saved);
    Ok(Json(ModelDto::new(&saved, actor.lang)))
}

/// How a new model would change the list against the one in force.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PreviewDto {
    /// Passing under the model in force.
    pub before: u64,
    /// Passing under the new model.
    pub after: u64,
    pub entering: u64,
    pub leaving: u64,
    /// The first page of those who would enter (new score), best first.
    pub entering_items: Vec<ScoredDto>,
    /// The first page of those who would leave (score in force), best first.
    pub leaving_items: Vec<ScoredDto>,
}

/// Previews a model (nothing is saved): how many enterprises would enter and leave the list,
/// and which ones (`page`/`per_page` page both lists).
#[utoipa::path(post, path = "/api/v1/screening/preview", tag = "screening", params(ScreeningQuery),
    request_body = ModelBody,
    responses((status = 200, body = PreviewDto),
        (status = 404, description = "another district"),
        (status = 422, description = "the model is not valid; every problem in `errors`")),
    security(("bearer" = [])))]
pub async fn preview(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<ScreeningQuery>,
    body: Bytes,
) -> AppResult<Json<PreviewDto>> {
    let district = q.district(&actor)?;
    let b: ModelBody = parse(&body)?;
    let new = b.model()?;
    let saved = state
        .store
        .screening_model(&actor.scope, district.as_deref())
        .await?;
    let p = uc::preview(&state, &actor, district.as_deref(), &b, q.page()).await?;
    let Shift {
        before,
        after,
        entering,
        leaving,
    } = p.shift;
    Ok(Json(PreviewDto {
        before,
        after,
        entering,
        leaving,
        entering_items: p
            .entering
            .items
            .iter()
            .map(|e| ScoredDto::new(e, &new, actor.lang))
            .collect(),
        leaving_items: p
            .leaving
            .items
            .iter()
            .map(|e| ScoredDto::new(e, &saved.model, actor.lang))
            .collect(),
    }))
}
