//! Daily supervision (SPEC §8 R4.3; issue #8 item 3): a district's inspections and
//! rectification tasks, the owners' evidence, and the district's supervision overview
//! (progress against its targets from `usecase::stats`, inspection and task counts, the R4.3
//! conformance finding), for the pages and the API alike.

use super::stats::{YearQuery, as_of, target_overview};
use crate::AppState;
use crate::actor::Actor;
use crate::error::{AppError, AppResult};
use crate::http::{path_id, write};
use axum::body::Bytes;
use axum::response::Response;
use chrono::NaiveDate;
use ipfin_domain::supervision::{
    InspectionResult, InspectionStatus, SubjectKind, TaskStatus, conformance, pace_pct,
};
use ipfin_domain::target::Metric;
use ipfin_domain::{FieldError, Scope};
use ipfin_store::supervision::{Counts, Evidence, InspectionFilter, Task, TaskEvent, TaskFilter};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn today() -> NaiveDate {
    ipfin_store::today_shanghai()
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
    if !scope.reads_district(code) {
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
    Ok(crate::http::file_response(&row, bytes))
}

/// A district's schedule of post-grant checks (跟踪检查安排; issue #18 item 6).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CheckScheduleDto {
    pub district_code: String,
    /// Days after the first payment at which a check falls due, ascending.
    pub days_after: Vec<u32>,
    /// Also a check at each loan's maturity date.
    pub at_maturity: bool,
    /// The schedule in Chinese, e.g. "拨付后 180 天、贷款到期日".
    pub description: String,
    /// When the district set it (Unix seconds); absent while the default (180 days) applies.
    pub set_at: Option<i64>,
    /// Whether the city administrator or the caller's lead department may change it.
    pub may_change: bool,
}

/// A new schedule as the API takes it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckScheduleBody {
    /// Days after the first payment (1 to 1830 each, at most 8); may be empty when
    /// `at_maturity` is true.
    #[serde(default)]
    pub days_after: Vec<u32>,
    #[serde(default)]
    pub at_maturity: bool,
}

fn schedule_dto(
    scope: &Scope,
    s: ipfin_store::application::DistrictCheckSchedule,
) -> CheckScheduleDto {
    CheckScheduleDto {
        may_change: scope.manages_district(&s.district_code),
        description: s.schedule.zh(),
        days_after: s.schedule.days_after,
        at_maturity: s.schedule.at_maturity,
        set_at: s.set_at,
        district_code: s.district_code,
    }
}

/// The check schedule of a district the caller reads.
pub async fn check_schedule(
    state: &AppState,
    scope: &Scope,
    code: &str,
) -> AppResult<CheckScheduleDto> {
    let s = state.store.check_schedule(scope, code).await?;
    Ok(schedule_dto(scope, s))
}

/// Sets a district's check schedule (`days_after` as typed: numbers separated by commas or
/// spaces); every problem is reported at once.
pub async fn set_check_schedule(
    state: &AppState,
    actor: &Actor,
    code: &str,
    days_after: &str,
    at_maturity: bool,
) -> AppResult<CheckScheduleDto> {
    let s = write!(state, actor, |tx| state
        .store
        .set_check_schedule(&mut tx, &actor.scope, code, days_after, at_maturity)
        .await?)?;
    Ok(schedule_dto(&actor.scope, s))
}
