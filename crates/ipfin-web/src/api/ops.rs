//! Operational endpoints: liveness, readiness (the database answers), Prometheus metrics.

use crate::AppState;
use crate::error::AppError;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::Serialize;
use utoipa::ToSchema;

/// The process's state.
#[derive(Debug, Serialize, ToSchema)]
pub struct Status {
    /// `ok` (alive) or `ready` (the database answers).
    pub status: &'static str,
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "ops", responses((status = 200, description = "alive", body = Status)))]
pub async fn healthz() -> impl IntoResponse {
    Json(Status { status: "ok" })
}

/// The process can serve: the database answers and the storage has room (a write that failed
/// for want of space within the last minute, with no successful write since, makes it not
/// ready, with the reason `storage.full`).
#[utoipa::path(get, path = "/readyz", tag = "ops", responses((status = 200, description = "ready", body = Status), (status = 503, description = "database unavailable or storage full")))]
pub async fn readyz(State(state): State<AppState>) -> Result<impl IntoResponse, AppError> {
    if state.store.storage_full_since().is_some() {
        return Err(AppError::storage_full());
    }
    state.store.ping().await.map_err(|e| {
        tracing::warn!(error = %e, "readiness check failed");
        AppError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "not_ready",
            "数据库暂不可用。",
            "The database is unavailable.",
        )
    })?;
    Ok(Json(Status { status: "ready" }))
}

/// Prometheus text exposition.
#[utoipa::path(get, path = "/metrics", tag = "ops", responses((status = 200, description = "Prometheus metrics", body = String, content_type = "text/plain")))]
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
}
