//! Service stations and door-to-door service through the API (issue #21, R3.1): a district's
//! stations and figures, a station's cases (steps, visits, trips, consent, an application
//! prepared on the enterprise's behalf, the rating), the specialist's week, bookings.

use super::contract::PageOf;
use super::json_error;
use crate::AppState;
use crate::actor::Actor;
use crate::api::application::Created;
use crate::error::AppResult;
use crate::http::path_id;
use crate::usecase::station::{
    self as uc, BookingDto, CaseDetailDto, CaseDto, ConsentBody, FiguresDto, FiguresQuery,
    ManagerBody, OpenCaseBody, PersonDto, PrepareBody, RatingBody, ServedEnterpriseDto, StationDto,
    TripBody, WeekDto,
};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use ipfin_domain::station::{BookingFields, StationFields, StepFields, VisitFields};
use ipfin_store::station::CaseFilter;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

fn parse<T: serde::de::DeserializeOwned>(body: &Bytes) -> AppResult<T> {
    serde_json::from_slice(body).map_err(|e| json_error(&e))
}

/// `?district=` (the city chooses; a district's departments get their own).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct DistrictQuery {
    pub district: Option<String>,
}

/// The stations the caller reads (a district's government: its district's).
#[utoipa::path(get, path = "/api/v1/stations", tag = "station", params(DistrictQuery),
    responses((status = 200, body = Vec<StationDto>), (status = 404, description = "another district")),
    security(("bearer" = [])))]
pub async fn stations(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<DistrictQuery>,
) -> AppResult<Json<Vec<StationDto>>> {
    let d = uc::district_of(&actor, q.district.as_deref())?;
    Ok(Json(uc::stations(&state, &actor, d.as_deref()).await?))
}

/// A new station.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StationBody {
    /// The service agency (organisation) that is the station.
    pub org_id: Option<i64>,
    pub name: String,
    pub partner_kind: String,
    pub partner_name: String,
    pub address: String,
    /// District codes served (the station's own is always added).
    #[serde(default)]
    pub service_area: Vec<String>,
    pub opened_on: Option<NaiveDate>,
    pub contact_name: String,
    pub contact_phone: String,
}

/// Sets up a station (the district's lead officers, or the city with `district`).
#[utoipa::path(post, path = "/api/v1/stations", tag = "station", params(DistrictQuery), request_body = StationBody,
    responses((status = 201, body = Created), (status = 403, description = "not the district's lead department"),
        (status = 409, description = "the agency is already a station"),
        (status = 422, description = "every wrong field in `errors`")),
    security(("bearer" = [])))]
pub async fn create_station(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<DistrictQuery>,
    body: Bytes,
) -> AppResult<(StatusCode, Json<Created>)> {
    let d = uc::district_of(&actor, q.district.as_deref())?.ok_or_else(|| {
        crate::error::AppError::invalid(ipfin_domain::FieldError::new(
            "district",
            "push.district_required",
            "请选择区（district，例如 440305）。",
            "Choose a district (e.g. 440305).",
        ))
    })?;
    let b: StationBody = parse(&body)?;
    let f = StationFields {
        name: b.name,
        partner_kind: b.partner_kind,
        partner_name: b.partner_name,
        address: b.address,
        service_area: b.service_area,
        opened_on: b.opened_on,
        contact_name: b.contact_name,
        contact_phone: b.contact_phone,
    };
    let id = uc::create_station(&state, &actor, &d, b.org_id, &f).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// A station with its people.
#[derive(Debug, Serialize, ToSchema)]
pub struct StationDetail {
    pub station: StationDto,
    pub people: Vec<PersonDto>,
}

#[utoipa::path(get, path = "/api/v1/stations/{station_id}", tag = "station", params(("station_id" = i64, Path)),
    responses((status = 200, body = StationDetail), (status = 404, description = "no such station")),
    security(("bearer" = [])))]
pub async fn station(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<Json<StationDetail>> {
    let (station, people) = uc::station(&state, &actor, path_id(&id)?).await?;
    Ok(Json(StationDetail { station, people }))
}

/// A person to add to a station.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonBody {
    pub username: String,
    /// specialist | account_manager
    pub role: String,
}

#[utoipa::path(post, path = "/api/v1/stations/{station_id}/people", tag = "station", params(("station_id" = i64, Path)),
    request_body = PersonBody,
    responses((status = 204), (status = 403, description = "not the district's lead department"),
        (status = 404, description = "no such station"), (status = 409, description = "already a person of the station"),
        (status = 422, description = "no account of that kind")),
    security(("bearer" = [])))]
pub async fn add_person(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<StatusCode> {
    let id = path_id(&id)?;
    uc::station(&state, &actor, id).await?;
    let b: PersonBody = parse(&body)?;
    uc::add_person(&state, &actor, id, &b.username, &b.role).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The district's figures per station and the zero-trip share per quarter.
#[utoipa::path(get, path = "/api/v1/stations/figures", tag = "station", params(FiguresQuery),
    responses((status = 200, body = FiguresDto), (status = 404, description = "another district"),
        (status = 422, description = "start after end")),
    security(("bearer" = [])))]
pub async fn figures(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<FiguresQuery>,
) -> AppResult<Json<FiguresDto>> {
    Ok(Json(uc::figures(&state, &actor, &q).await?))
}

/// An enterprise of one of the caller's station's cases.
#[utoipa::path(get, path = "/api/v1/stations/enterprises/{ent_id}", tag = "station", params(("ent_id" = i64, Path)),
    responses((status = 200, body = ServedEnterpriseDto), (status = 404, description = "not an enterprise of your cases")),
    security(("bearer" = [])))]
pub async fn served_enterprise(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<Json<ServedEnterpriseDto>> {
    Ok(Json(
        uc::served_enterprise(&state, &actor, path_id(&id)?).await?,
    ))
}

/// `?station_id=&open=true&page=&per_page=`
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct CasesQuery {
    pub station_id: Option<i64>,
    pub open: Option<bool>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

/// The cases the caller reads (a station's staff: their station's; an enterprise: its own).
#[utoipa::path(get, path = "/api/v1/cases", tag = "station", params(CasesQuery),
    responses((status = 200, body = PageOf<CaseDto>)),
    security(("bearer" = [])))]
pub async fn cases(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<CasesQuery>,
) -> AppResult<Json<PageOf<CaseDto>>> {
    let p = uc::cases(
        &state,
        &actor,
        CaseFilter {
            station_id: q.station_id,
            district: None,
            open_only: q.open.unwrap_or(false),
        },
        ipfin_store::Page::new(q.page, q.per_page),
    )
    .await?;
    Ok(Json(p.into()))
}

/// Opens a case for an enterprise of the registry (a station's staff, or the district).
#[utoipa::path(post, path = "/api/v1/cases", tag = "station", request_body = OpenCaseBody,
    responses((status = 201, body = Created), (status = 403, description = "not the station's staff or the district"),
        (status = 409, description = "an open case exists"),
        (status = 422, description = "unknown enterprise, or its district is not served")),
    security(("bearer" = [])))]
pub async fn open_case(
    State(state): State<AppState>,
    actor: Actor,
    body: Bytes,
) -> AppResult<(StatusCode, Json<Created>)> {
    if actor.scope.org_kind() != Some(ipfin_domain::OrgKind::ServiceAgency)
        && actor.scope.lead_district().is_none()
        && !actor.scope.is_city()
    {
        return Err(crate::error::AppError::not_found());
    }
    let b: OpenCaseBody = parse(&body)?;
    let id = uc::open_case(&state, &actor, &b).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// One case with its steps, visits and trips.
#[utoipa::path(get, path = "/api/v1/cases/{case_id}", tag = "station", params(("case_id" = i64, Path)),
    responses((status = 200, body = CaseDetailDto), (status = 404, description = "not a case you see")),
    security(("bearer" = [])))]
pub async fn case(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<Json<CaseDetailDto>> {
    Ok(Json(uc::case(&state, &actor, path_id(&id)?).await?))
}

/// Updates one step: status, dates, who is responsible, documents and (valuation,
/// registration, subsidy) the linked record's id.
#[utoipa::path(put, path = "/api/v1/cases/{case_id}/steps/{step}", tag = "station",
    params(("case_id" = i64, Path), ("step" = String, Path, description = "policy | qualification | valuation | contract | registration | subsidy")),
    request_body = StepBodyDoc,
    responses((status = 204), (status = 403, description = "not the station's staff or the district"),
        (status = 404, description = "not a case you see, or no such step"),
        (status = 422, description = "every wrong field in `errors`; `station.link_required` for a done step without its record")),
    security(("bearer" = [])))]
pub async fn update_step(
    State(state): State<AppState>,
    actor: Actor,
    Path((id, step)): Path<(String, String)>,
    body: Bytes,
) -> AppResult<StatusCode> {
    let id = path_id(&id)?;
    uc::case(&state, &actor, id).await?;
    let f: StepFields = parse(&body)?;
    uc::update_step(&state, &actor, id, &step, &f).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Adds a file to a step's documents: the body is the file's bytes, its name (percent-encoded
/// UTF-8) in `X-File-Name`. The content decides the type (PDF, OFD, JPEG, PNG, Excel, Word).
#[utoipa::path(post, path = "/api/v1/cases/{case_id}/steps/{step}/files", tag = "station",
    params(("case_id" = i64, Path), ("step" = String, Path, description = "policy | qualification | valuation | contract | registration | subsidy")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, description = "the file's id", body = Created),
        (status = 403, description = "not the station's staff or the district"),
        (status = 404, description = "not a case you see, or no such step"),
        (status = 422, description = "`file.empty`, `file.too_large`, `file.type`, or `station.step_files_full` (20 files per step)")),
    security(("bearer" = [])))]
pub async fn upload_step_file(
    State(state): State<AppState>,
    actor: Actor,
    Path((id, step)): Path<(String, String)>,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> AppResult<(StatusCode, Json<Created>)> {
    let id = path_id(&id)?;
    let name = headers
        .get("x-file-name")
        .and_then(|v| v.to_str().ok())
        .map(crate::api::application::percent_decode)
        .unwrap_or_default();
    let fid = uc::add_step_file(&state, &actor, id, &step, &name, body).await?;
    Ok((StatusCode::CREATED, Json(Created { id: fid })))
}

/// Downloads a step's file of a case the caller reads.
#[utoipa::path(get, path = "/api/v1/cases/{case_id}/files/{case_file_id}", tag = "station",
    params(("case_id" = i64, Path), ("case_file_id" = i64, Path)),
    responses((status = 200, description = "the file", body = String, content_type = "application/octet-stream"),
        (status = 404, description = "not a case you see, or not its file")),
    security(("bearer" = [])))]
pub async fn step_file(
    State(state): State<AppState>,
    actor: Actor,
    Path((id, fid)): Path<(String, String)>,
) -> AppResult<axum::response::Response> {
    uc::step_file(&state, &actor, path_id(&id)?, path_id(&fid)?).await
}

/// Removes a step's file (the audit keeps its name and content key).
#[utoipa::path(delete, path = "/api/v1/cases/{case_id}/files/{case_file_id}", tag = "station",
    params(("case_id" = i64, Path), ("case_file_id" = i64, Path)),
    responses((status = 204), (status = 403, description = "not the station's staff or the district"),
        (status = 404, description = "not a case you see, or not its file")),
    security(("bearer" = [])))]
pub async fn delete_step_file(
    State(state): State<AppState>,
    actor: Actor,
    Path((id, fid)): Path<(String, String)>,
) -> AppResult<StatusCode> {
    uc::remove_step_file(&state, &actor, path_id(&id)?, path_id(&fid)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A step's new state (documentation of `StepFields`).
#[derive(Debug, Deserialize, ToSchema)]
pub struct StepBodyDoc {
    /// not_started | in_progress | done | not_needed
    pub status: String,
    pub started_on: Option<NaiveDate>,
    pub done_on: Option<NaiveDate>,
    pub responsible: Option<String>,
    pub documents: Option<String>,
    pub linked_id: Option<i64>,
}

/// A visit (documentation of `VisitFields`).
#[derive(Debug, Deserialize, ToSchema)]
pub struct VisitBodyDoc {
    pub step: Option<String>,
    pub visited_on: NaiveDate,
    pub place: String,
    /// Who took part, by whom from which organisation.
    pub visitors: String,
    pub what: String,
}

/// Records a visit (held or planned); not before the case opened.
#[utoipa::path(post, path = "/api/v1/cases/{case_id}/visits", tag = "station", params(("case_id" = i64, Path)),
    request_body = VisitBodyDoc,
    responses((status = 201, body = Created), (status = 403, description = "not the station's staff or the district"),
        (status = 404, description = "not a case you see"),
        (status = 422, description = "every wrong field; `station.visit_before_open` for a visit before the case opened")),
    security(("bearer" = [])))]
pub async fn add_visit(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<(StatusCode, Json<Created>)> {
    let id = path_id(&id)?;
    uc::case(&state, &actor, id).await?;
    let f: VisitFields = parse(&body)?;
    let v = uc::add_visit(&state, &actor, id, &f).await?;
    Ok((StatusCode::CREATED, Json(Created { id: v })))
}

/// Records a trip the enterprise had to make to an office.
#[utoipa::path(post, path = "/api/v1/cases/{case_id}/trips", tag = "station", params(("case_id" = i64, Path)),
    request_body = TripBody,
    responses((status = 201, body = Created), (status = 403, description = "not the station's staff or the district"),
        (status = 404, description = "not a case you see"), (status = 422, description = "every wrong field")),
    security(("bearer" = [])))]
pub async fn add_trip(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<(StatusCode, Json<Created>)> {
    let id = path_id(&id)?;
    uc::case(&state, &actor, id).await?;
    let b: TripBody = parse(&body)?;
    let t = uc::add_trip(&state, &actor, id, &b).await?;
    Ok((StatusCode::CREATED, Json(Created { id: t })))
}

/// Assigns one of the station's bank account managers to the case (their bank then reads it),
/// or clears the assignment.
#[utoipa::path(put, path = "/api/v1/cases/{case_id}/manager", tag = "station", params(("case_id" = i64, Path)),
    request_body = ManagerBody,
    responses((status = 204), (status = 403, description = "not the station's staff or the district"),
        (status = 404, description = "not a case you see"),
        (status = 422, description = "`station.manager_unknown`: not an account manager of the station")),
    security(("bearer" = [])))]
pub async fn assign_manager(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<StatusCode> {
    let id = path_id(&id)?;
    uc::case(&state, &actor, id).await?;
    let b: ManagerBody = parse(&body)?;
    uc::assign_manager(&state, &actor, id, &b).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Records the enterprise's consent to an application prepared on its behalf.
#[utoipa::path(post, path = "/api/v1/cases/{case_id}/consent", tag = "station", params(("case_id" = i64, Path)),
    request_body = ConsentBody,
    responses((status = 204), (status = 403, description = "neither the enterprise nor the station's staff"),
        (status = 404, description = "not a case you see"), (status = 422, description = "who gave it is missing")),
    security(("bearer" = [])))]
pub async fn consent(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<StatusCode> {
    let id = path_id(&id)?;
    uc::case(&state, &actor, id).await?;
    let b: ConsentBody = parse(&body)?;
    uc::consent(&state, &actor, id, &b).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Prepares the enterprise's application on its behalf (its draft; it confirms and submits).
#[utoipa::path(post, path = "/api/v1/cases/{case_id}/application", tag = "station", params(("case_id" = i64, Path)),
    request_body = PrepareBody,
    responses((status = 201, body = Created), (status = 403, description = "not the station's staff or the district"),
        (status = 404, description = "not a case you see"),
        (status = 409, description = "the enterprise has no account"),
        (status = 422, description = "`station.consent_required` without recorded consent; no open batch")),
    security(("bearer" = [])))]
pub async fn prepare_application(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<(StatusCode, Json<Created>)> {
    let id = path_id(&id)?;
    uc::case(&state, &actor, id).await?;
    let b: PrepareBody = parse(&body)?;
    let a = uc::prepare_application(&state, &actor, id, &b).await?;
    Ok((StatusCode::CREATED, Json(Created { id: a })))
}

/// The enterprise rates its completed case (once).
#[utoipa::path(post, path = "/api/v1/cases/{case_id}/rating", tag = "station", params(("case_id" = i64, Path)),
    request_body = RatingBody,
    responses((status = 204), (status = 403, description = "not the enterprise served"),
        (status = 404, description = "not a case you see"), (status = 409, description = "not completed, or rated"),
        (status = 422, description = "rating not 1–5")),
    security(("bearer" = [])))]
pub async fn rate(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<StatusCode> {
    let id = path_id(&id)?;
    uc::case(&state, &actor, id).await?;
    let b: RatingBody = parse(&body)?;
    uc::rate(&state, &actor, id, &b).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `?date=` (any day of the week; default today).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct WeekQuery {
    pub date: Option<NaiveDate>,
}

/// The visits of a week (Monday to Sunday) of the caller's cases.
#[utoipa::path(get, path = "/api/v1/cases/week", tag = "station", params(WeekQuery),
    responses((status = 200, body = WeekDto)),
    security(("bearer" = [])))]
pub async fn week(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<WeekQuery>,
) -> AppResult<Json<WeekDto>> {
    Ok(Json(uc::week(&state, &actor, q.date).await?))
}

/// A booking (documentation of `BookingFields`).
#[derive(Debug, Deserialize, ToSchema)]
pub struct BookingBodyDoc {
    pub station_id: i64,
    pub enterprise_name: String,
    pub credit_code: String,
    pub contact_name: String,
    pub contact_phone: String,
    /// The enterprise's district (must be served by the station).
    pub district: String,
    pub need: Option<String>,
}

/// Requests on-site service from a station (anyone; an enterprise signed in is recorded).
#[utoipa::path(post, path = "/api/v1/bookings", tag = "station", request_body = BookingBodyDoc,
    responses((status = 201, body = Created),
        (status = 422, description = "every wrong field; `station.not_served` for a district the station does not serve")))]
pub async fn book(
    State(state): State<AppState>,
    actor: Actor,
    body: Bytes,
) -> AppResult<(StatusCode, Json<Created>)> {
    let f: BookingFields = parse(&body)?;
    let id = uc::book(&state, &actor, &f).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// The bookings the caller reads (pending first).
#[utoipa::path(get, path = "/api/v1/bookings", tag = "station",
    responses((status = 200, body = Vec<BookingDto>)),
    security(("bearer" = [])))]
pub async fn bookings(
    State(state): State<AppState>,
    actor: Actor,
) -> AppResult<Json<Vec<BookingDto>>> {
    Ok(Json(uc::bookings(&state, &actor).await?))
}

/// Turns a booking into a case.
#[utoipa::path(post, path = "/api/v1/bookings/{booking_id}/accept", tag = "station", params(("booking_id" = i64, Path)),
    responses((status = 201, body = Created), (status = 403, description = "not the station's staff or the district"),
        (status = 404, description = "not a booking you see"), (status = 409, description = "already decided")),
    security(("bearer" = [])))]
pub async fn accept(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let c = uc::accept(&state, &actor, path_id(&id)?).await?;
    Ok((StatusCode::CREATED, Json(Created { id: c })))
}

/// Why a booking is declined.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclineBody {
    pub reason: String,
}

/// Declines a booking with its reason.
#[utoipa::path(post, path = "/api/v1/bookings/{booking_id}/decline", tag = "station", params(("booking_id" = i64, Path)),
    request_body = DeclineBody,
    responses((status = 204), (status = 403, description = "not the station's staff or the district"),
        (status = 404, description = "not a booking you see"), (status = 409, description = "already decided"),
        (status = 422, description = "reason not 4–500 characters")),
    security(("bearer" = [])))]
pub async fn decline(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<StatusCode> {
    let id = path_id(&id)?;
    if !uc::bookings(&state, &actor)
        .await?
        .iter()
        .any(|b| b.id == id)
    {
        return Err(crate::error::AppError::not_found());
    }
    let b: DeclineBody = parse(&body)?;
    uc::decline(&state, &actor, id, &b.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}
