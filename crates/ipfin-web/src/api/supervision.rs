//! Daily supervision through the API (SPEC §8 R4.3; issue #8 item 3): a district's inspections
//! and rectification tasks, the owners' evidence, and the district's supervision overview
//! (progress against its targets from `api::stats`, inspection and task counts, the R4.3
//! conformance finding). The builders here serve the pages too.

use super::contract::PageOf;
use super::{json_error, read_multipart};
use crate::AppState;
use crate::actor::Actor;
use crate::api::application::Created;
use crate::api::conformance::Cell;
use crate::api::stats::{YearQuery, as_of, sees_district, target_overview};
use crate::error::{AppError, AppResult};
use crate::views::org::{path_id, write};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{Datelike, NaiveDate};
use ipfin_domain::supervision::{
    InspectionResult, InspectionStatus, SubjectKind, SupervisionFacts, TaskStatus, conformance,
    pace_pct,
};
use ipfin_domain::target::Metric;
use ipfin_domain::{FieldError, Scope};
use ipfin_store::supervision::{
    Counts, Evidence, Findings, Inspection, InspectionFilter, NewInspection, NewTask, Task,
    TaskEvent, TaskFilter,
};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

pub fn today() -> NaiveDate {
    ipfin_store::today_shanghai()
}

fn parse<T: serde::de::DeserializeOwned>(body: &Bytes) -> AppResult<T> {
    serde_json::from_slice(body).map_err(|e| json_error(&e))
}

fn bad_choice(field: &'static str, zh: &str, en: &str) -> AppError {
    AppError::invalid(FieldError::new(
        field,
        "form.choice",
        zh.to_string(),
        en.to_string(),
    ))
}

/// Reads a subject kind code.
pub fn subject_kind(s: &str) -> AppResult<SubjectKind> {
    SubjectKind::from_code(s.trim()).ok_or_else(|| {
        bad_choice(
            "subject_kind",
            "检查对象类型应为 station（服务站）、bank（金融机构）或 enterprise（受资助企业）。",
            "The subject kind is station, bank or enterprise.",
        )
    })
}

/// Reads an inspection result code.
pub fn result_of(s: &str) -> AppResult<InspectionResult> {
    InspectionResult::from_code(s.trim()).ok_or_else(|| {
        bad_choice(
            "result",
            "请选择检查结论：no_issues（未发现问题）或 issues_found（发现问题）。",
            "The result is no_issues or issues_found.",
        )
    })
}

/// Reads a date typed as YYYY-MM-DD.
pub fn date_of(field: &'static str, s: &str) -> AppResult<NaiveDate> {
    s.trim().parse().map_err(|_| {
        AppError::invalid(FieldError::new(
            field,
            "form.date",
            "请按 YYYY-MM-DD 格式填写日期，例如 2026-12-15。",
            "Enter the date as YYYY-MM-DD.",
        ))
    })
}

/// One target of the district: completion against the straight-line pace.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MetricPace {
    /// amount | enterprises | pledges | first_loans | sme_share
    pub metric: String,
    pub target: i64,
    pub actual: i64,
    #[schema(value_type = Option<String>)]
    pub completion_pct: Option<Decimal>,
    /// The share of the year elapsed (the SME share is a ratio: its pace is the target itself).
    #[schema(value_type = String)]
    pub pace_pct: Decimal,
    pub lagging: bool,
}

/// The R4.3 finding for the district.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Finding {
    pub passed: bool,
    pub finding: String,
}

/// A district's supervision page in figures.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Overview {
    pub district_code: String,
    pub district_name: String,
    pub year: i32,
    pub as_of: NaiveDate,
    #[schema(value_type = String)]
    pub pace_pct: Decimal,
    pub targets: Vec<MetricPace>,
    /// The metrics behind their pace.
    pub lagging: Vec<String>,
    #[schema(value_type = Object)]
    pub counts: Counts,
    pub conformance: Finding,
}

/// The district's overview for a year: its targets' progress (from the statistics, as the
/// dashboards compute it) against the pace, the supervision counts and the R4.3 finding.
pub async fn overview(
    state: &AppState,
    scope: &Scope,
    code: &str,
    year: i32,
) -> AppResult<Overview> {
    if !sees_district(scope, code) {
        return Err(AppError::not_found());
    }
    let (districts, _) = target_overview(state, scope, year).await?;
    let d = districts
        .into_iter()
        .find(|d| d.district_code == code)
        .ok_or_else(AppError::not_found)?;
    let day = as_of(year);
    let pace = pace_pct(day);
    let targets: Vec<MetricPace> = d
        .targets
        .iter()
        .map(|t| MetricPace {
            metric: t.metric.code().to_string(),
            target: t.target,
            actual: t.actual,
            completion_pct: t.completion_pct,
            pace_pct: if t.metric == Metric::SmeShare {
                Decimal::ONE_HUNDRED
            } else {
                pace
            },
            lagging: t.lagging,
        })
        .collect();
    let counts = state
        .store
        .supervision_counts(scope, code, year, today())
        .await?;
    let facts = state.store.supervision_facts(scope, year, today()).await?;
    let (passed, finding) = conformance(year, &facts.get(code).copied().unwrap_or_default());
    Ok(Overview {
        district_code: d.district_code,
        district_name: d.district_name,
        year,
        as_of: day,
        pace_pct: pace,
        lagging: targets
            .iter()
            .filter(|t| t.lagging)
            .map(|t| t.metric.clone())
            .collect(),
        targets,
        counts,
        conformance: Finding { passed, finding },
    })
}

/// The R4.3 cell of the conformance matrix for a district.
pub fn conformance_cell(year: i32, facts: &BTreeMap<String, SupervisionFacts>, code: &str) -> Cell {
    let (passed, finding) = conformance(year, &facts.get(code).copied().unwrap_or_default());
    Cell {
        requirement: "R4.3",
        status: if passed { "pass" } else { "fail" },
        finding,
        evidence: Some(format!("/supervision/districts/{code}?year={year}")),
    }
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

/// Filters of the inspection list (`?district=&status=planned|done&overdue=1&year=&page=`).
#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct InspectionQuery {
    pub district: Option<String>,
    pub status: Option<String>,
    pub overdue: Option<String>,
    pub year: Option<String>,
    pub page: Option<String>,
}

fn opt(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl InspectionQuery {
    pub fn filter(&self) -> AppResult<InspectionFilter> {
        Ok(InspectionFilter {
            district: opt(&self.district).map(str::to_string),
            status: match opt(&self.status) {
                None => None,
                Some(s) => Some(InspectionStatus::from_code(s).ok_or_else(|| {
                    bad_choice(
                        "status",
                        "状态应为 planned 或 done。",
                        "Status is planned or done.",
                    )
                })?),
            },
            overdue: matches!(opt(&self.overdue), Some("1" | "yes" | "true")),
            year: match opt(&self.year) {
                None => None,
                Some(_) => Some(
                    YearQuery {
                        year: self.year.clone(),
                    }
                    .year()?,
                ),
            },
        })
    }
    pub fn page(&self) -> ipfin_store::Page {
        ipfin_store::Page::new(opt(&self.page).and_then(|p| p.parse().ok()), None)
    }
    /// The filters as a query string (for paging and export links).
    pub fn query_string(&self) -> String {
        serde_urlencoded::to_string([
            ("district", opt(&self.district).unwrap_or("")),
            ("status", opt(&self.status).unwrap_or("")),
            ("overdue", opt(&self.overdue).unwrap_or("")),
            ("year", opt(&self.year).unwrap_or("")),
        ])
        .unwrap_or_default()
    }
}

/// Filters of the task list (`?district=&status=&overdue=1&inspection=&page=`).
#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct TaskQuery {
    pub district: Option<String>,
    pub status: Option<String>,
    pub overdue: Option<String>,
    pub inspection: Option<String>,
    pub page: Option<String>,
}

impl TaskQuery {
    pub fn filter(&self) -> AppResult<TaskFilter> {
        Ok(TaskFilter {
            district: opt(&self.district).map(str::to_string),
            status: match opt(&self.status) {
                None => None,
                Some(s) => Some(TaskStatus::from_code(s).ok_or_else(|| {
                    bad_choice(
                        "status",
                        "状态应为 open、evidence_submitted、closed 或 reopened。",
                        "Status is open, evidence_submitted, closed or reopened.",
                    )
                })?),
            },
            overdue: matches!(opt(&self.overdue), Some("1" | "yes" | "true")),
            inspection_id: opt(&self.inspection).and_then(|s| s.parse().ok()),
        })
    }
    pub fn page(&self) -> ipfin_store::Page {
        ipfin_store::Page::new(opt(&self.page).and_then(|p| p.parse().ok()), None)
    }
    pub fn query_string(&self) -> String {
        serde_urlencoded::to_string([
            ("district", opt(&self.district).unwrap_or("")),
            ("status", opt(&self.status).unwrap_or("")),
            ("overdue", opt(&self.overdue).unwrap_or("")),
            ("inspection", opt(&self.inspection).unwrap_or("")),
        ])
        .unwrap_or_default()
    }
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
    pub org_id: Option<i64>,
    /// The enterprise (enterprise).
    #[serde(default)]
    pub enterprise_id: Option<i64>,
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

/// Every task raised from an inspection.
pub async fn inspection_tasks(state: &AppState, scope: &Scope, id: i64) -> AppResult<Vec<Task>> {
    Ok(state
        .store
        .tasks(
            scope,
            &TaskFilter {
                inspection_id: Some(id),
                ..Default::default()
            },
            ipfin_store::Page::new(Some(1), Some(ipfin_store::Page::MAX_PER_PAGE)),
            today(),
        )
        .await?
        .items)
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
    pub owner_org_id: i64,
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

/// A task with its evidence and history.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskDetail {
    #[schema(value_type = Object)]
    pub task: Task,
    #[schema(value_type = Vec<Object>)]
    pub evidence: Vec<Evidence>,
    #[schema(value_type = Vec<Object>)]
    pub events: Vec<TaskEvent>,
}

pub async fn task_detail(state: &AppState, scope: &Scope, id: i64) -> AppResult<TaskDetail> {
    Ok(TaskDetail {
        task: state.store.task(scope, id, today()).await?,
        evidence: state.store.task_evidence(scope, id).await?,
        events: state.store.task_events(scope, id).await?,
    })
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

/// Stores the caller's organisation's evidence (note and optional file) for a task: the API's
/// and the page's submission alike.
pub async fn add_evidence(
    state: &AppState,
    actor: &Actor,
    id: i64,
    note: &str,
    file: &Option<(String, Bytes)>,
) -> AppResult<i64> {
    let org = actor.organisation_id();
    write!(state, actor, |tx| state
        .store
        .submit_evidence(
            &mut tx,
            &actor.scope,
            org,
            id,
            note,
            file.as_ref().map(|(n, b)| (n.as_str(), b.clone())),
            today(),
        )
        .await?)
}

/// Closes a task with the note, the file (needed when the owner submitted none) and the
/// confirmation: the API's and the page's closing alike.
pub async fn close_task(
    state: &AppState,
    actor: &Actor,
    id: i64,
    note: &str,
    file: &Option<(String, Bytes)>,
    confirmed: bool,
) -> AppResult<()> {
    write!(state, actor, |tx| state
        .store
        .close_task(
            &mut tx,
            &actor.scope,
            id,
            note,
            file.as_ref().map(|(n, b)| (n.as_str(), b.clone())),
            confirmed,
            today(),
        )
        .await?)
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

/// Serves an evidence file as a download (sandboxed), for whoever may see the task.
pub async fn evidence_response(
    state: &AppState,
    scope: &Scope,
    task_id: &str,
    evidence_id: &str,
) -> AppResult<Response> {
    let (e, bytes) = state
        .store
        .evidence_file(scope, path_id(task_id)?, path_id(evidence_id)?)
        .await?;
    let row = ipfin_store::application::FileRow {
        id: e.id,
        slot: "rectification_evidence".into(),
        blob_key: e.blob_key,
        file_name: e.file_name,
        file_type: e.file_type,
        size: e.size,
        uploaded_at: e.submitted_at,
    };
    Ok(crate::views::application::file_response(&row, bytes))
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
    pub owner_org_id: i64,
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
            status,
            created_at,
            closed_at,
            close_note,
            days_overdue,
        }
    }
}
