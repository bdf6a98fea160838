//! The guideline conformance matrix through the API (SPEC §9; issue #7); the matrix itself is
//! built in `usecase::conformance`.

use crate::AppState;
use crate::actor::Actor;
use crate::error::AppResult;
use crate::usecase::conformance::{MatrixRow, matrix};
use axum::Json;
use axum::extract::State;

/// The conformance matrix for the districts in scope (the city: all).
#[utoipa::path(get, path = "/api/v1/conformance", tag = "stats",
    responses((status = 200, body = Vec<MatrixRow>)), security(("bearer" = [])))]
pub async fn conformance(
    State(state): State<AppState>,
    actor: Actor,
) -> AppResult<Json<Vec<MatrixRow>>> {
    Ok(Json(matrix(&state, &actor).await?))
}
