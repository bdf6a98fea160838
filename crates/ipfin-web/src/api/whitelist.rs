//! The whitelist through the API (issue #20 item 1): the district's list today with each
//! entry's evidence, and the lead officers' decisions.

use super::contract::PageOf;
use super::json_error;
use crate::AppState;
use crate::actor::Actor;
use crate::api::application::Created;
use crate::error::AppResult;
use crate::http::path_id;
use crate::usecase::whitelist::{self as uc, DecisionBody, WhitelistEntryDto, WhitelistQuery};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

fn parse<T: serde::de::DeserializeOwned>(body: &Bytes) -> AppResult<T> {
    serde_json::from_slice(body).map_err(|e| json_error(&e))
}

/// The whitelist today: enterprises of the district with a valid tag or a decision in force,
/// each with its evidence (the city: all districts, or `?district=`).
#[utoipa::path(get, path = "/api/v1/whitelist", tag = "whitelist", params(WhitelistQuery),
    responses((status = 200, body = PageOf<WhitelistEntryDto>),
        (status = 404, description = "not a government caller, or another district"),
        (status = 422, description = "an unknown `source` or `size`; every problem in `errors`")),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<WhitelistQuery>,
) -> AppResult<Json<PageOf<WhitelistEntryDto>>> {
    Ok(Json(uc::list(&state, &actor, &q, q.page()).await?.into()))
}

/// Adds an enterprise of the district by decision (the district's lead officers or the city
/// administrator, signed in as themselves; tokens are refused).
#[utoipa::path(post, path = "/api/v1/whitelist/decisions", tag = "whitelist", request_body = DecisionBody,
    responses((status = 201, body = Created), (status = 403, description = "not a lead officer or the city administrator, or a token"),
        (status = 409, description = "a decision is already in force for the enterprise"),
        (status = 422, description = "unknown credit code, reason not 4–500 characters, end date not within three years; every problem in `errors`")),
    security(("bearer" = [])))]
pub async fn decide(
    State(state): State<AppState>,
    actor: Actor,
    body: Bytes,
) -> AppResult<(StatusCode, Json<Created>)> {
    let b: DecisionBody = parse(&body)?;
    let id = uc::decide(&state, &actor, &b).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// Why a decision is taken back.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RemoveBody {
    pub reason: String,
}

/// Takes a decision back (tags are not touched).
#[utoipa::path(post, path = "/api/v1/whitelist/decisions/{decision_id}/remove", tag = "whitelist",
    params(("decision_id" = i64, Path)), request_body = RemoveBody,
    responses((status = 204), (status = 404, description = "no such decision in force in your district"),
        (status = 422, description = "no reason")),
    security(("bearer" = [])))]
pub async fn remove(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<StatusCode> {
    let id = path_id(&id)?;
    state
        .store
        .whitelist_decision_seen(&actor.scope, id)
        .await?;
    let b: RemoveBody = parse(&body)?;
    uc::remove(&state, &actor, id, &b.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}
