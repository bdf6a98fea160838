//! Daily supervision through the API (SPEC §8 R4.3; issue #8 item 3): a district's inspections
//! and rectification tasks, the owners' evidence, and the district's supervision overview
//! (progress against its targets from `api::stats`, inspection and task counts, the R4.3
//! conformance finding). The builders here serve the pages too.

use super::contract::PageOf;
use super::{json_error, read_multipart};
use crate::AppState;
use crate::actor::Actor;
use crate::api::application::Created;
use crate::error::{AppError, AppResult};
use crate::http::{path_id, write};
use crate::usecase::stats::YearQuery;
use crate::usecase::supervision::{
    CheckScheduleBody, CheckScheduleDto, InspectionQuery, Overview, TaskDetail, TaskQuery,
    add_evidence, close_task, evidence_response, inspection_tasks, overview, result_of,
    subject_kind, task_detail, today,
};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{Datelike, NaiveDate};
use ipfin_domain::id::OrgId;
use ipfin_store::supervision::{Findings, Inspection, NewInspection, NewTask, Task};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

fn parse<T: serde::de::DeserializeOwned>(body: &Bytes) -> AppResult<T> {
    serde_json::from_slice(body).map_err(|e| json_error(&e))
}

/// A district's supervision overview for a year.
#[utoipa::path(get, path = "/api/v1/supervision/districts/{code}", tag = "supervision",
    params(("code" = String, Path), YearQuery),
    responses((status = 200, body = Overview), (status = 404, description = "not your district")),
    security(("bearer" = [])))]
pub async fn district(
    State(state): State<AppState>,
    actor: Actor,
    Path(code): Path<String>,
    Query(q): Query<YearQuery>,
) -> AppResult<Json<Overview>> {
    Ok(Json(
        overview(&state, &actor.scope, &code, q.year()?).await?,
    ))
}

/// A district's schedule of post-grant checks (跟踪检查安排): days after the first payment
/// and/or each loan's maturity. A district that set none has one check 180 days after payment.
#[utoipa::path(get, path = "/api/v1/supervision/districts/{code}/check-schedule", tag = "supervision",
    params(("code" = String, Path)),
    responses((status = 200, body = CheckScheduleDto), (status = 404, description = "not your district")),
    security(("bearer" = [])))]
pub async fn check_schedule(
    State(state): State<AppState>,
    actor: Actor,
    Path(code): Path<String>,
) -> AppResult<Json<CheckScheduleDto>> {
    Ok(Json(
        crate::usecase::supervision::check_schedule(&state, &actor.scope, &code).await?,
    ))
}

/// Sets a district's schedule of post-grant checks (the city administrator or the district's
/// lead department). Payments recorded from now on are checked on it; checks already scheduled
/// keep their dates. Ad-hoc checks never close a scheduled one.
#[utoipa::path(put, path = "/api/v1/supervision/districts/{code}/check-schedule", tag = "supervision",
    params(("code" = String, Path)), request_body = CheckScheduleBody,
    responses((status = 200, body = CheckScheduleDto), (status = 403, description = "not the city or the district's lead department"),
        (status = 404, description = "not your district"),
        (status = 422, description = "a day count outside 1–1830, more than 8, or no check at all; every problem is listed in `errors`")),
    security(("bearer" = [])))]
pub async fn set_check_schedule(
    State(state): State<AppState>,
    actor: Actor,
    Path(code): Path<String>,
    body: Bytes,
) -> AppResult<Json<CheckScheduleDto>> {
    if !actor.scope.reads_district(&code) {
        return Err(AppError::not_found());
    }
    let b: CheckScheduleBody = parse(&body)?;
    let days = b
        .days_after
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(",");
    Ok(Json(
        crate::usecase::supervision::set_check_schedule(
            &state,
            &actor,
            &code,
            &days,
            b.at_maturity,
        )
        .await?,
    ))
}

/// The inspections in scope (the city all, a district's departments their district).
#[utoipa::path(get, path = "/api/v1/supervision/inspections", tag = "supervision", params(InspectionQuery),
    responses((status = 200, description = "a page of inspections, each with `overdue`", body = PageOf<InspectionDto>)),
    security(("bearer" = [])))]
pub async fn inspections(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<InspectionQuery>,
) -> AppResult<Json<PageOf<InspectionDto>>> {
    Ok(Json(
        state
            .store
            .inspections(&actor.scope, &q.filter()?, q.page(), today())
            .await?
            .into(),
    ))
}

/// A planned inspection.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanBody {
    /// station | bank | enterprise
    pub subject_kind: String,
    /// The institution (bank) or the service agency running the station.
    #[serde(default)]
    #[schema(value_type = Option<i64>)]
    pub org_id: Option<OrgId>,
    /// The enterprise (enterprise).
    #[serde(default)]
    #[schema(value_type = Option<i64>)]
    pub enterprise_id: Option<ipfin_domain::id::EnterpriseId>,
    /// A station without an account, by name.
    #[serde(default)]
    pub subject_name: Option<String>,
    pub due_on: NaiveDate,
    pub inspectors: String,
    pub purpose: String,
}

impl PlanBody {
    pub fn to_new(&self) -> AppResult<NewInspection> {
        Ok(NewInspection {
            kind: subject_kind(&self.subject_kind)?,
            org_id: self.org_id,
            enterprise_id: self.enterprise_id,
            name: self.subject_name.clone(),
            due_on: self.due_on,
            inspectors: self.inspectors.clone(),
            purpose: self.purpose.clone(),
        })
    }
}

/// Plans an inspection in the caller's district (its lead officers).
#[utoipa::path(post, path = "/api/v1/supervision/inspections", tag = "supervision", request_body = PlanBody,
    responses((status = 201, body = Created), (status = 403, description = "not a lead officer"),
        (status = 422, description = "a subject outside the district, a date out of range, missing inspectors or purpose")),
    security(("bearer" = [])))]
pub async fn plan(
    State(state): State<AppState>,
    actor: Actor,
    body: Bytes,
) -> AppResult<(StatusCode, Json<Created>)> {
    let b: PlanBody = parse(&body)?;
    let p = b.to_new()?;
    let id = write!(state, actor, |tx| state
        .store
        .plan_inspection(&mut tx, &actor.scope, &p, today())
        .await?)?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// An inspection with its tasks.
#[derive(Debug, Serialize, ToSchema)]
pub struct InspectionDetail {
    #[schema(value_type = Object)]
    pub inspection: Inspection,
    #[schema(value_type = Vec<Object>)]
    pub tasks: Vec<Task>,
}

/// One inspection with its rectification tasks.
#[utoipa::path(get, path = "/api/v1/supervision/inspections/{inspection_id}", tag = "supervision",
    params(("inspection_id" = i64, Path)),
    responses((status = 200, body = InspectionDetail), (status = 404, description = "not in your scope")),
    security(("bearer" = [])))]
pub async fn inspection(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<Json<InspectionDetail>> {
    let id = path_id(&id)?;
    let inspection = state.store.inspection(&actor.scope, id, today()).await?;
    let tasks = inspection_tasks(&state, &actor.scope, id).await?;
    Ok(Json(InspectionDetail { inspection, tasks }))
}

/// The findings of an inspection.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FindingsBody {
    pub done_on: NaiveDate,
    pub findings: String,
    /// no_issues | issues_found
    pub result: String,
}

/// Records an inspection's findings: it is done.
#[utoipa::path(post, path = "/api/v1/supervision/inspections/{inspection_id}/findings", tag = "supervision",
    params(("inspection_id" = i64, Path)), request_body = FindingsBody,
    responses((status = 200, description = "the inspection", body = InspectionDto), (status = 409, description = "already recorded"),
        (status = 422, description = "a date in the future, no findings")),
    security(("bearer" = [])))]
pub async fn findings(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Json<InspectionDto>> {
    let id = path_id(&id)?;
    state.store.inspection(&actor.scope, id, today()).await?;
    let b: FindingsBody = parse(&body)?;
    let f = Findings {
        done_on: b.done_on,
        findings: b.findings,
        result: result_of(&b.result)?,
    };
    write!(state, actor, |tx| state
        .store
        .record_findings(&mut tx, &actor.scope, id, &f, today())
        .await?)?;
    Ok(Json(
        state
            .store
            .inspection(&actor.scope, id, today())
            .await?
            .into(),
    ))
}

/// A rectification task to raise.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskBody {
    /// The inspected organisation (when it has accounts) or one of the district's departments.
    #[schema(value_type = i64)]
    pub owner_org_id: OrgId,
    pub deadline: NaiveDate,
    pub requirement: String,
}

/// Raises a rectification task from an inspection that found issues; the owner is notified.
#[utoipa::path(post, path = "/api/v1/supervision/inspections/{inspection_id}/tasks", tag = "supervision",
    params(("inspection_id" = i64, Path)), request_body = TaskBody,
    responses((status = 201, body = Created), (status = 409, description = "the inspection found no issues"),
        (status = 422, description = "a past deadline, an owner outside the choices, no requirement")),
    security(("bearer" = [])))]
pub async fn create_task(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<(StatusCode, Json<Created>)> {
    let id = path_id(&id)?;
    state.store.inspection(&actor.scope, id, today()).await?;
    let b: TaskBody = parse(&body)?;
    let t = NewTask {
        owner_org_id: b.owner_org_id,
        deadline: b.deadline,
        requirement: b.requirement,
    };
    let tid = write!(state, actor, |tx| state
        .store
        .create_task(&mut tx, &actor.scope, id, &t, today())
        .await?)?;
    Ok((StatusCode::CREATED, Json(Created { id: tid })))
}

/// The tasks in scope: the city all, a district its own, an owner organisation its own.
#[utoipa::path(get, path = "/api/v1/supervision/tasks", tag = "supervision", params(TaskQuery),
    responses((status = 200, description = "a page of tasks, each with `days_overdue`", body = PageOf<TaskDto>)),
    security(("bearer" = [])))]
pub async fn tasks(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<TaskQuery>,
) -> AppResult<Json<PageOf<TaskDto>>> {
    Ok(Json(
        state
            .store
            .tasks(&actor.scope, &q.filter()?, q.page(), today())
            .await?
            .into(),
    ))
}

/// One task with its evidence and history.
#[utoipa::path(get, path = "/api/v1/supervision/tasks/{task_id}", tag = "supervision",
    params(("task_id" = i64, Path)),
    responses((status = 200, body = TaskDetail), (status = 404, description = "not in your scope")),
    security(("bearer" = [])))]
pub async fn task(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<Json<TaskDetail>> {
    Ok(Json(
        task_detail(&state, &actor.scope, path_id(&id)?).await?,
    ))
}

/// How an evidence body that is not multipart is refused.
const NOT_MULTIPART: (&str, &str) = (
    "请以 multipart/form-data 提交（字段 note、file）",
    "Send multipart/form-data (fields note, file)",
);

/// Submits evidence for a task: multipart `note` and `file` (the owner organisation).
#[utoipa::path(post, path = "/api/v1/supervision/tasks/{task_id}/evidence", tag = "supervision",
    params(("task_id" = i64, Path)),
    request_body(content_type = "multipart/form-data", description = "note (text) and file (PDF, OFD, JPEG, PNG, XLSX or DOCX, judged by content, up to 20 MB)"),
    responses((status = 201, body = Created), (status = 403, description = "not the task's owner"),
        (status = 422, description = "no file, a disallowed file type, no note")),
    security(("bearer" = [])))]
pub async fn evidence(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    req: axum::extract::Request,
) -> AppResult<(StatusCode, Json<Created>)> {
    let id = path_id(&id)?;
    state.store.task(&actor.scope, id, today()).await?;
    let (fields, file) = read_multipart(req, NOT_MULTIPART).await?;
    let note = fields.get("note").cloned().unwrap_or_default();
    let eid = add_evidence(&state, &actor, id, &note, &file).await?;
    Ok((StatusCode::CREATED, Json(Created { id: eid })))
}

/// Closes (销号) a task: multipart `note`, `confirm=true` and, when the owner submitted no
/// evidence, a `file`. Without evidence: 422 on `file`, nothing stored.
#[utoipa::path(post, path = "/api/v1/supervision/tasks/{task_id}/close", tag = "supervision",
    params(("task_id" = i64, Path)),
    request_body(content_type = "multipart/form-data", description = "note, confirm (true) and file (unless evidence was submitted)"),
    responses((status = 200, description = "the task", body = TaskDto), (status = 409, description = "already closed"),
        (status = 422, description = "no evidence, no note or no confirmation")),
    security(("bearer" = [])))]
pub async fn close(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    req: axum::extract::Request,
) -> AppResult<Json<TaskDto>> {
    let id = path_id(&id)?;
    state.store.task(&actor.scope, id, today()).await?;
    let (fields, file) = read_multipart(req, NOT_MULTIPART).await?;
    let note = fields.get("note").cloned().unwrap_or_default();
    let confirmed = matches!(
        fields.get("confirm").map(|s| s.trim()),
        Some("true" | "yes" | "1")
    );
    close_task(&state, &actor, id, &note, &file, confirmed).await?;
    Ok(Json(
        state.store.task(&actor.scope, id, today()).await?.into(),
    ))
}

/// Why a task goes back.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReopenBody {
    pub reason: String,
}

/// Sends a task back to its owner (evidence not sufficient, or a closed task not rectified).
#[utoipa::path(post, path = "/api/v1/supervision/tasks/{task_id}/reopen", tag = "supervision",
    params(("task_id" = i64, Path)), request_body = ReopenBody,
    responses((status = 200, description = "the task", body = TaskDto), (status = 409, description = "nothing to reopen"),
        (status = 422, description = "no reason")),
    security(("bearer" = [])))]
pub async fn reopen(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Json<TaskDto>> {
    let id = path_id(&id)?;
    state.store.task(&actor.scope, id, today()).await?;
    let b: ReopenBody = parse(&body)?;
    write!(state, actor, |tx| state
        .store
        .reopen_task(&mut tx, &actor.scope, id, &b.reason, today())
        .await?)?;
    Ok(Json(
        state.store.task(&actor.scope, id, today()).await?.into(),
    ))
}

/// Downloads an evidence file of a task.
#[utoipa::path(get, path = "/api/v1/supervision/tasks/{task_id}/evidence/{evidence_id}", tag = "supervision",
    params(("task_id" = i64, Path), ("evidence_id" = i64, Path)),
    responses((status = 200, description = "the file", body = String, content_type = "application/octet-stream"), (status = 404, description = "not in your scope")),
    security(("bearer" = [])))]
pub async fn evidence_file(
    State(state): State<AppState>,
    actor: Actor,
    Path((id, eid)): Path<(String, String)>,
) -> AppResult<Response> {
    evidence_response(&state, &actor.scope, &id, &eid).await
}

/// This year (Asia/Shanghai).
pub fn this_year() -> i32 {
    today().year()
}

/// An inspection as lists and pages show it.
#[derive(Debug, Serialize, ToSchema)]
pub struct InspectionDto {
    pub id: i64,
    pub district_code: String,
    /// station | bank | enterprise
    pub subject_kind: String,
    pub subject_org_id: Option<i64>,
    pub subject_enterprise_id: Option<i64>,
    pub subject_name: String,
    pub due_on: NaiveDate,
    pub inspectors: String,
    pub purpose: String,
    /// planned | done
    pub status: String,
    pub done_on: Option<NaiveDate>,
    pub findings: Option<String>,
    /// no_issues | issues_found
    pub result: Option<String>,
    pub created_at: i64,
    /// Rectification tasks raised from it.
    pub tasks: i64,
    /// Planned and past its due date.
    pub overdue: bool,
}

impl From<Inspection> for InspectionDto {
    fn from(i: Inspection) -> Self {
        let Inspection {
            id,
            district_code,
            subject_kind,
            subject_org_id,
            subject_enterprise_id,
            subject_name,
            due_on,
            inspectors,
            purpose,
            status,
            done_on,
            findings,
            result,
            created_at,
            tasks,
            overdue,
        } = i;
        Self {
            id,
            district_code,
            subject_kind: subject_kind.to_string(),
            subject_org_id,
            subject_enterprise_id,
            subject_name,
            due_on,
            inspectors,
            purpose,
            status: status.to_string(),
            done_on,
            findings,
            result: result.map(|r| r.to_string()),
            created_at,
            tasks,
            overdue,
        }
    }
}

/// A rectification task as lists and pages show it.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskDto {
    pub id: i64,
    pub inspection_id: i64,
    pub district_code: String,
    pub subject_name: String,
    pub inspection_done_on: Option<NaiveDate>,
    pub findings: Option<String>,
    #[schema(value_type = i64)]
    pub owner_org_id: OrgId,
    pub owner_name: String,
    pub deadline: NaiveDate,
    pub requirement: String,
    /// open | evidence_submitted | closed | reopened
    pub status: String,
    pub created_at: i64,
    pub closed_at: Option<i64>,
    pub close_note: Option<String>,
    /// Days past the deadline when not closed.
    pub days_overdue: Option<i64>,
}

impl From<Task> for TaskDto {
    fn from(t: Task) -> Self {
        let Task {
            id,
            inspection_id,
            district_code,
            subject_name,
            inspection_done_on,
            findings,
            owner_org_id,
            owner_name,
            deadline,
            requirement,
            status,
            created_at,
            closed_at,
            close_note,
            days_overdue,
        } = t;
        Self {
            id,
            inspection_id,
            district_code,
            subject_name,
            inspection_done_on,
            findings,
            owner_org_id,
            owner_name,
            deadline,
            requirement,
            status: status.to_string(),
            created_at,
            closed_at,
            close_note,
            days_overdue,
        }
    }
}
