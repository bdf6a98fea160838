//! The coordination mechanism through the API (SPEC §1 R1.1; issue #8): a district's record —
//! lead department history, member departments with contact persons, data-sharing arrangements
//! with their delivery state — and recording or ending arrangements.

use super::ApiPath;
use crate::AppState;
use crate::actor::Actor;
use crate::api::application::Created;
use crate::api::stats::parse;
use crate::error::{AppError, AppResult};
use crate::usecase::coordination::{DepartmentDto, record};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use ipfin_store::coordination::{Arrangement, NewArrangement};
use ipfin_store::org::LeadDesignation;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A district's coordination record.
#[derive(Debug, Serialize, ToSchema)]
pub struct CoordinationDto {
    pub district_code: String,
    pub district_name: String,
    /// Dated lead-department designations, newest first.
    #[schema(value_type = Vec<Object>)]
    pub lead_history: Vec<LeadDesignation>,
    pub departments: Vec<DepartmentDto>,
    #[schema(value_type = Vec<Object>)]
    pub arrangements: Vec<Arrangement>,
}

/// A district's coordination mechanism: lead history, departments with contacts, data-sharing
/// arrangements with the date of the last delivery and whether one is overdue.
#[utoipa::path(get, path = "/api/v1/districts/{code}/coordination", tag = "coordination",
    params(("code" = String, Path, description = "district code, e.g. 440305")),
    responses((status = 200, body = CoordinationDto), (status = 404, description = "not a district in your scope")),
    security(("bearer" = [])))]
pub async fn coordination(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(code): ApiPath,
) -> AppResult<Json<CoordinationDto>> {
    let (departments, arrangements) = record(&state, &actor, &code).await?;
    let d = state.store.district(&code).await?;
    Ok(Json(CoordinationDto {
        lead_history: state.store.lead_history(&actor.scope, &code).await?,
        district_code: d.code,
        district_name: d.name,
        departments,
        arrangements,
    }))
}

/// A new data-sharing arrangement.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ArrangementBody {
    /// The providing department (a department of the district).
    pub provider_org_id: i64,
    /// registration | tax | credit | sci_tech | ip
    pub dataset: String,
    /// monthly | quarterly | half_yearly | yearly
    pub frequency: String,
    /// Where the data comes from: source system or legal basis.
    pub provenance: String,
    /// Receiving departments of the district (at least one).
    pub recipients: Vec<i64>,
    /// ISO date; default today.
    pub starts_on: Option<NaiveDate>,
    pub note: Option<String>,
}

/// Records a data-sharing arrangement (the city or the district's lead officers).
#[utoipa::path(post, path = "/api/v1/districts/{code}/sharing", tag = "coordination",
    params(("code" = String, Path)), request_body = ArrangementBody,
    responses((status = 201, description = "the arrangement's id", body = Created),
        (status = 422, description = "a provider or recipient outside the district, no provenance, unknown data set or frequency"),
        (status = 403, description = "member departments read only"),
        (status = 404, description = "not a district in your scope")),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    actor: Actor,
    Path(code): Path<String>,
    body: Bytes,
) -> AppResult<(StatusCode, Json<Created>)> {
    if !actor.scope.reads_district(&code) {
        return Err(AppError::not_found());
    }
    let b: ArrangementBody = parse(&body)?;
    let id = state
        .store
        .create_arrangement(
            &actor.scope,
            actor.audit_actor(),
            &code,
            NewArrangement {
                provider_org_id: Some(b.provider_org_id),
                dataset: Some(b.dataset),
                frequency: Some(b.frequency),
                provenance: b.provenance,
                note: b.note,
                starts_on: b.starts_on,
                recipients: b.recipients,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// One arrangement with the imports that delivered it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArrangementDetailDto {
    #[schema(value_type = Object)]
    pub arrangement: Arrangement,
    #[schema(value_type = Vec<Object>)]
    pub deliveries: Vec<ipfin_store::import::ImportRecord>,
}

#[utoipa::path(get, path = "/api/v1/districts/{code}/sharing/{arrangement_id}", tag = "coordination",
    params(("code" = String, Path), ("arrangement_id" = i64, Path)),
    responses((status = 200, body = ArrangementDetailDto), (status = 404, description = "not found in your scope")),
    security(("bearer" = [])))]
pub async fn detail(
    State(state): State<AppState>,
    actor: Actor,
    Path((code, id)): Path<(String, String)>,
) -> AppResult<Json<ArrangementDetailDto>> {
    let id = super::id(&id)?;
    let today = ipfin_store::today_shanghai();
    let arrangement = state
        .store
        .arrangement(&actor.scope, &code, id, today)
        .await?;
    let deliveries = state.store.deliveries(&actor.scope, &code, id).await?;
    Ok(Json(ArrangementDetailDto {
        arrangement,
        deliveries,
    }))
}

/// Ending an arrangement is irreversible: `{"confirm": true}`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ConfirmBody {
    #[serde(default)]
    pub confirm: bool,
}

#[utoipa::path(post, path = "/api/v1/districts/{code}/sharing/{arrangement_id}/end", tag = "coordination",
    params(("code" = String, Path), ("arrangement_id" = i64, Path)), request_body = ConfirmBody,
    responses((status = 204), (status = 422, description = "not confirmed"),
        (status = 409, description = "already ended"), (status = 404)),
    security(("bearer" = [])))]
pub async fn end(
    State(state): State<AppState>,
    actor: Actor,
    Path((code, id)): Path<(String, String)>,
    body: Bytes,
) -> AppResult<StatusCode> {
    let id = super::id(&id)?;
    state
        .store
        .arrangement(&actor.scope, &code, id, ipfin_store::today_shanghai())
        .await?;
    let b: ConfirmBody = parse(&body)?;
    if !b.confirm {
        return Err(AppError::invalid(ipfin_domain::FieldError::new(
            "confirm",
            "confirm.required",
            "终止数据共享约定不可撤销，请在请求中设置 \"confirm\": true。",
            "Ending an arrangement cannot be undone: send \"confirm\": true.",
        )));
    }
    state
        .store
        .end_arrangement(&actor.scope, actor.audit_actor(), &code, id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
