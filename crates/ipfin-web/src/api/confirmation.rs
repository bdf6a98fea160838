//! Four eyes through the API (issue #18 item 3): the district's pending requests and what each
//! will do; a second person of the lead department confirms or refuses (with a reason), the
//! preparer withdraws. Requests are prepared by the existing endpoints (policy publication,
//! notices, the disburse and clawback actions), which answer 202 with the request's id.
//! Confirming and refusing need a person signed in: an API token is refused.

use super::{ApiQuery, id, json_error};
use crate::AppState;
use crate::actor::Actor;
use crate::error::AppResult;
use crate::usecase::confirmation::{ConfirmationDto, ConfirmationQuery, decide};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use ipfin_domain::confirmation::Decision;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The requests in scope.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConfirmationList {
    pub items: Vec<ConfirmationDto>,
}

/// The district's four-eyes requests (the district's government; the city reads all): pending
/// ones by default, oldest first, with their age.
#[utoipa::path(get, path = "/api/v1/confirmations", tag = "confirmation", params(ConfirmationQuery),
    responses((status = 200, body = ConfirmationList), (status = 422, description = "unknown status or kind")),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<ConfirmationQuery>,
) -> AppResult<Json<ConfirmationList>> {
    let rows = state
        .store
        .confirmations(&actor.scope, &q.filter()?)
        .await?;
    Ok(Json(ConfirmationList {
        items: rows
            .iter()
            .map(|c| ConfirmationDto::of(&actor, c))
            .collect::<AppResult<_>>()?,
    }))
}

/// One request: exactly what confirming does, who prepared it, and what the caller may do.
#[utoipa::path(get, path = "/api/v1/confirmations/{confirmation_id}", tag = "confirmation",
    params(("confirmation_id" = i64, Path)),
    responses((status = 200, body = ConfirmationDto), (status = 404, description = "not in your scope")),
    security(("bearer" = [])))]
pub async fn show(
    State(state): State<AppState>,
    actor: Actor,
    Path(cid): Path<String>,
) -> AppResult<Json<ConfirmationDto>> {
    let c = state.store.confirmation(&actor.scope, id(&cid)?).await?;
    Ok(Json(ConfirmationDto::of(&actor, &c)?))
}

/// Confirms a request: the step's checks run again as the confirmer and the step is done.
#[utoipa::path(post, path = "/api/v1/confirmations/{confirmation_id}/confirm", tag = "confirmation",
    params(("confirmation_id" = i64, Path)),
    responses((status = 200, description = "the request, confirmed", body = ConfirmationDto),
        (status = 403, description = "not a person of the district's lead department (an API token never confirms)"),
        (status = 404, description = "not in your scope"),
        (status = 409, description = "the preparer confirming, already decided, changed since prepared, or a conflict of duties"),
        (status = 422, description = "the step's own check fails now (e.g. a notice's start date has passed)")),
    security(("bearer" = [])))]
pub async fn confirm(
    State(state): State<AppState>,
    actor: Actor,
    Path(cid): Path<String>,
) -> AppResult<Json<ConfirmationDto>> {
    let c = decide(&state, &actor, id(&cid)?, Decision::Confirm, "").await?;
    Ok(Json(ConfirmationDto::of(&actor, &c)?))
}

/// Why a request is refused.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefuseBody {
    pub reason: String,
}

/// Refuses a request, with a reason: nothing is done.
#[utoipa::path(post, path = "/api/v1/confirmations/{confirmation_id}/refuse", tag = "confirmation",
    params(("confirmation_id" = i64, Path)), request_body = RefuseBody,
    responses((status = 200, description = "the request, refused", body = ConfirmationDto),
        (status = 403, description = "not a person of the district's lead department"),
        (status = 404, description = "not in your scope"),
        (status = 409, description = "the preparer refusing (withdraw instead), or already decided"),
        (status = 422, description = "no reason")),
    security(("bearer" = [])))]
pub async fn refuse(
    State(state): State<AppState>,
    actor: Actor,
    Path(cid): Path<String>,
    body: Bytes,
) -> AppResult<Json<ConfirmationDto>> {
    let cid = id(&cid)?;
    state.store.confirmation(&actor.scope, cid).await?;
    let b: RefuseBody = serde_json::from_slice(&body).map_err(|e| json_error(&e))?;
    let c = decide(&state, &actor, cid, Decision::Refuse, &b.reason).await?;
    Ok(Json(ConfirmationDto::of(&actor, &c)?))
}

/// Withdraws a request its caller prepared: nothing is done.
#[utoipa::path(post, path = "/api/v1/confirmations/{confirmation_id}/withdraw", tag = "confirmation",
    params(("confirmation_id" = i64, Path)),
    responses((status = 200, description = "the request, withdrawn", body = ConfirmationDto),
        (status = 403, description = "not the preparer"), (status = 404, description = "not in your scope"),
        (status = 409, description = "already decided")),
    security(("bearer" = [])))]
pub async fn withdraw(
    State(state): State<AppState>,
    actor: Actor,
    Path(cid): Path<String>,
) -> AppResult<Json<ConfirmationDto>> {
    let c = decide(&state, &actor, id(&cid)?, Decision::Withdraw, "").await?;
    Ok(Json(ConfirmationDto::of(&actor, &c)?))
}
