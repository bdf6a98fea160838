//! The city's view through the API (issue #7, SPEC §8 R4.1, R4.2 and §9): quarterly
//! statistics, annual targets and their breakdown to persons, quarterly bulletins with their
//! corrections, the annual assessment and the conformance matrix. The builders here serve the
//! pages too, so a page and the API always show the same figures.

use super::application::Created;
use super::contract::each;
use super::json_error;
use crate::AppState;
use crate::actor::Actor;
use crate::error::{AppError, AppResult};
use crate::views::org::write;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::{Datelike, NaiveDate};
use ipfin_domain::stats::{Quarter, lagging};
use ipfin_domain::target::{
    Assessment, Metric, PersonProgress, YearActuals, assess, person_progress,
};
use ipfin_domain::{FieldError, Scope};
use ipfin_store::bulletin::{Bulletin, BulletinRow, BulletinSummary, Commendation, Correction};
use ipfin_store::stats::{DistrictQuarter, LoanFigures};
use ipfin_store::target::{Assignment, Bonus, NewAssignment, TargetLead};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

pub(crate) fn parse<T: serde::de::DeserializeOwned>(body: &Bytes) -> AppResult<T> {
    serde_json::from_slice(body).map_err(|e| json_error(&e))
}

pub fn today() -> NaiveDate {
    ipfin_store::today_shanghai()
}

/// `?year=` (default: this year, Asia/Shanghai).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct YearQuery {
    pub year: Option<String>,
}

impl YearQuery {
    pub fn year(&self) -> AppResult<i32> {
        match self
            .year
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => Ok(today().year()),
            Some(s) => s
                .parse::<i32>()
                .ok()
                .filter(|y| (2000..=2100).contains(y))
                .ok_or_else(|| {
                    AppError::invalid(FieldError::new(
                        "year",
                        "year.invalid",
                        "年度应为 2000–2100 之间的四位数字，例如 2026。",
                        "The year must be four digits between 2000 and 2100.",
                    ))
                }),
        }
    }
}

/// `?quarter=2026Q3` (default: the last quarter that has ended).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct QuarterQuery {
    pub quarter: Option<String>,
}

/// The last quarter that has ended by today.
pub fn last_ended_quarter() -> Quarter {
    Quarter::of(today()).previous()
}

pub fn quarter_param(s: &str) -> AppResult<Quarter> {
    Quarter::parse(s.trim()).map_err(|m| {
        AppError::invalid(FieldError {
            field: "quarter",
            msg: m,
        })
    })
}

impl QuarterQuery {
    pub fn quarter(&self) -> AppResult<Quarter> {
        match self
            .quarter
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => Ok(last_ended_quarter()),
            Some(s) => quarter_param(s),
        }
    }
}

/// Whether the caller reads this district's internal figures: the city all, a district its own.
pub fn sees_district(scope: &Scope, code: &str) -> bool {
    match scope {
        Scope::City => true,
        Scope::District { code: own, .. } => own == code,
        _ => false,
    }
}

/// A quarter's statistics: the city every district, a district its own line.
#[utoipa::path(get, path = "/api/v1/stats", tag = "stats", params(QuarterQuery),
    responses((status = 200, description = "per district: quarter, year to date, the same quarter last year, pledge registrations, grants, payments, year-on-year %, rank", body = Vec<DistrictQuarterDto>)),
    security(("bearer" = [])))]
pub async fn stats(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<QuarterQuery>,
) -> AppResult<Json<Vec<DistrictQuarterDto>>> {
    let q = q.quarter()?;
    let rows = state.store.quarter_stats(&actor.scope, q).await?;
    Ok(Json(
        rows.into_iter()
            .filter(|r| sees_district(&actor.scope, &r.district))
            .map(DistrictQuarterDto::from)
            .collect(),
    ))
}

/// One target of a district with its progress.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TargetProgress {
    #[schema(value_type = String)]
    pub metric: Metric,
    pub target: i64,
    pub actual: i64,
    #[schema(value_type = Option<String>)]
    pub completion_pct: Option<Decimal>,
    /// Below the straight-line pace to the annual target (a past year: below the target).
    pub lagging: bool,
}

/// A district's targets for a year with its progress.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DistrictTargets {
    pub district_code: String,
    pub district_name: String,
    pub targets: Vec<TargetProgress>,
    /// Any target behind its pace.
    pub lagging: bool,
}

fn progress(m: Metric, target: i64, actual: i64, year: i32, today: NaiveDate) -> TargetProgress {
    let behind = if m == Metric::SmeShare || year < today.year() {
        actual < target
    } else if year > today.year() {
        false
    } else {
        lagging(actual, target, today)
    };
    TargetProgress {
        metric: m,
        target,
        actual,
        completion_pct: ipfin_domain::stats::completion_pct(actual, target),
        lagging: behind,
    }
}

/// The as-of date of a year's progress: today in the current year, the year's end before.
pub fn as_of(year: i32) -> NaiveDate {
    let t = today();
    if year < t.year() {
        NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(t)
    } else {
        t
    }
}

/// Every district in scope with its targets for the year and progress to date.
pub async fn target_overview(
    state: &AppState,
    scope: &Scope,
    year: i32,
) -> AppResult<(Vec<DistrictTargets>, BTreeMap<String, YearActuals>)> {
    let targets = state.store.target_map(scope, year).await?;
    let actuals = state.store.year_actuals(year, as_of(year)).await?;
    let mut out = Vec::new();
    for d in state.store.districts().await? {
        if !sees_district(scope, &d.code) {
            continue;
        }
        let a = actuals.get(&d.code).copied().unwrap_or_default();
        let set = targets.get(&d.code).cloned().unwrap_or_default();
        let rows: Vec<TargetProgress> = Metric::ALL
            .iter()
            .filter_map(|m| {
                set.get(m)
                    .map(|t| progress(*m, *t, a.value(*m), year, as_of(year)))
            })
            .collect();
        out.push(DistrictTargets {
            lagging: rows.iter().any(|r| r.lagging),
            district_code: d.code,
            district_name: d.name,
            targets: rows,
        });
    }
    Ok((out, actuals))
}

/// The targets of a year for the districts in scope, with progress to date.
#[utoipa::path(get, path = "/api/v1/targets", tag = "stats", params(YearQuery),
    responses((status = 200, body = Vec<DistrictTargets>)), security(("bearer" = [])))]
pub async fn targets(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<YearQuery>,
) -> AppResult<Json<Vec<DistrictTargets>>> {
    Ok(Json(
        target_overview(&state, &actor.scope, q.year()?).await?.0,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetEntry {
    pub district_code: String,
    /// amount | enterprises | pledges | first_loans | sme_share
    pub metric: String,
    /// Fen for the amount, a count, or basis points for the SME share; null removes the target.
    pub value: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetsBody {
    pub year: i32,
    /// Required to change the targets of a year that has ended.
    #[serde(default)]
    pub confirm_past: bool,
    pub targets: Vec<TargetEntry>,
}

pub fn metric_param(field: &'static str, code: &str) -> AppResult<Metric> {
    Metric::from_code(code.trim()).ok_or_else(|| {
        AppError::invalid(FieldError::new(
            field,
            "target.metric",
            format!(
                "指标 {code} 不存在：可用 amount（融资金额）、enterprises（获贷企业数）、pledges（质押登记笔数）、first_loans（首贷企业数）、sme_share（中小微企业占比）。"
            ),
            "Unknown metric.",
        ))
    })
}

/// Sets the year's targets (the city). All entries are checked before anything is stored.
#[utoipa::path(put, path = "/api/v1/targets", tag = "stats", request_body = TargetsBody,
    responses((status = 200, description = "how many targets were set", body = TargetsUpdated),
        (status = 422, description = "a negative value, a past year without confirm_past, an unknown district or metric"),
        (status = 409, description = "below what the district already assigned to persons")),
    security(("bearer" = [])))]
pub async fn set_targets(
    State(state): State<AppState>,
    actor: Actor,
    body: Bytes,
) -> AppResult<Json<TargetsUpdated>> {
    let b: TargetsBody = parse(&body)?;
    let mut entries = Vec::new();
    for e in &b.targets {
        entries.push((
            e.district_code.trim().to_string(),
            metric_param("metric", &e.metric)?,
            e.value,
        ));
    }
    let n = write!(state, actor, |tx| state
        .store
        .set_targets(
            &mut tx,
            &actor.scope,
            b.year,
            today(),
            b.confirm_past,
            &entries
        )
        .await?)?;
    Ok(Json(TargetsUpdated { updated: n }))
}

/// A person's share with their progress.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AssignmentProgress {
    #[schema(value_type = Object)]
    pub assignment: Assignment,
    #[schema(value_type = Object)]
    pub progress: PersonProgress,
    /// The last day of each milestone period.
    pub period_ends: Vec<NaiveDate>,
}

/// A district's breakdown for a year: targets, first responsible person, persons.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DistrictBreakdown {
    pub year: i32,
    pub district: DistrictTargets,
    #[schema(value_type = Option<Object>)]
    pub first_responsible: Option<TargetLead>,
    /// The head of the lead department as designated (the default first responsible person).
    pub lead_head: Option<String>,
    pub assignments: Vec<AssignmentProgress>,
}

fn with_progress(
    a: Assignment,
    district: &DistrictTargets,
    year: i32,
    day: NaiveDate,
) -> AssignmentProgress {
    let t = district.targets.iter().find(|t| t.metric == a.metric);
    let p = person_progress(
        t.map(|t| t.actual).unwrap_or(0),
        t.map(|t| t.target).unwrap_or(0),
        a.share,
        &a.milestones,
        year,
        day,
    );
    AssignmentProgress {
        period_ends: ipfin_domain::target::period_ends(year, a.milestones.len()),
        assignment: a,
        progress: p,
    }
}

pub async fn breakdown(
    state: &AppState,
    scope: &Scope,
    code: &str,
    year: i32,
) -> AppResult<DistrictBreakdown> {
    if !sees_district(scope, code) {
        return Err(AppError::not_found());
    }
    let (mut overview, _) = target_overview(state, scope, year).await?;
    let pos = overview
        .iter()
        .position(|d| d.district_code == code)
        .ok_or_else(AppError::not_found)?;
    let district = overview.swap_remove(pos);
    let lead_head = state
        .store
        .lead_history(scope, code)
        .await?
        .into_iter()
        .find(|l| l.to_date.is_none())
        .and_then(|l| l.head_name);
    let assignments = state
        .store
        .assignments(scope, code, year)
        .await?
        .into_iter()
        .map(|a| with_progress(a, &district, year, as_of(year)))
        .collect();
    Ok(DistrictBreakdown {
        year,
        first_responsible: state.store.target_lead(scope, code, year).await?,
        lead_head,
        assignments,
        district,
    })
}

/// A district's targets, first responsible person and persons with their progress.
#[utoipa::path(get, path = "/api/v1/targets/districts/{code}", tag = "stats",
    params(("code" = String, Path), YearQuery),
    responses((status = 200, body = DistrictBreakdown), (status = 404, description = "not a district in the caller's scope")),
    security(("bearer" = [])))]
pub async fn district_targets(
    State(state): State<AppState>,
    actor: Actor,
    Path(code): Path<String>,
    Query(q): Query<YearQuery>,
) -> AppResult<Json<DistrictBreakdown>> {
    Ok(Json(
        breakdown(&state, &actor.scope, &code, q.year()?).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignmentBody {
    pub year: i32,
    pub metric: String,
    pub user_id: i64,
    /// In the metric's unit (fen, count, basis points).
    pub share: i64,
    /// Per period (4 quarters or 12 months); omitted: the straight-line proposal.
    pub milestones: Option<Vec<i64>>,
    /// 4 or 12 when milestones are omitted (default 4).
    pub periods: Option<u32>,
    pub note: Option<String>,
}

/// Assigns a share of a district's target to a person of its departments (lead officers).
#[utoipa::path(post, path = "/api/v1/targets/districts/{code}/assignments", tag = "stats",
    params(("code" = String, Path)), request_body = AssignmentBody,
    responses((status = 201, description = "the assignment's id", body = Created),
        (status = 422, description = "shares or milestones above the target, a person outside the district"),
        (status = 404, description = "not a district in the caller's scope")),
    security(("bearer" = [])))]
pub async fn assign(
    State(state): State<AppState>,
    actor: Actor,
    Path(code): Path<String>,
    body: Bytes,
) -> AppResult<(StatusCode, Json<Created>)> {
    if !sees_district(&actor.scope, &code) {
        return Err(AppError::not_found());
    }
    let b: AssignmentBody = parse(&body)?;
    let a = NewAssignment {
        metric: metric_param("metric", &b.metric)?,
        user_id: b.user_id,
        share: b.share,
        milestones: b.milestones,
        periods: b.periods.unwrap_or(4),
        note: b.note,
    };
    let id = write!(state, actor, |tx| state
        .store
        .assign_target(&mut tx, &actor.scope, &code, b.year, &a)
        .await?)?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// The signed-in person's own shares with progress.
pub async fn my_progress(
    state: &AppState,
    actor: &Actor,
    year: i32,
) -> AppResult<Vec<AssignmentProgress>> {
    let Some(u) = actor.user() else {
        return Ok(Vec::new());
    };
    let mine = state
        .store
        .my_assignments(&actor.scope, u.user_id, year)
        .await?;
    if mine.is_empty() {
        return Ok(Vec::new());
    }
    // The person's own district's figures, read with the city's view of those lines only.
    let (overview, _) = target_overview(state, &Scope::City, year).await?;
    let mut out = Vec::new();
    for a in mine {
        let Some(d) = overview.iter().find(|d| d.district_code == a.district_code) else {
            continue;
        };
        out.push(with_progress(a, d, year, as_of(year)));
    }
    Ok(out)
}

/// The caller's own targets (a responsible person) with progress.
#[utoipa::path(get, path = "/api/v1/my/targets", tag = "stats", params(YearQuery),
    responses((status = 200, body = Vec<AssignmentProgress>)), security(("bearer" = [])))]
pub async fn my_targets(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<YearQuery>,
) -> AppResult<Json<Vec<AssignmentProgress>>> {
    Ok(Json(my_progress(&state, &actor, q.year()?).await?))
}

/// The issued bulletins.
#[utoipa::path(get, path = "/api/v1/bulletins", tag = "stats",
    responses((status = 200, body = Vec<BulletinSummaryDto>)), security(("bearer" = [])))]
pub async fn bulletins(
    State(state): State<AppState>,
    actor: Actor,
) -> AppResult<Json<Vec<BulletinSummaryDto>>> {
    Ok(Json(state.store.bulletins(&actor.scope).await.map(each)?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommendationBody {
    pub district_code: String,
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulletinBody {
    /// e.g. 2026Q3; the quarter must have ended.
    pub quarter: String,
    pub title: Option<String>,
    #[serde(default)]
    pub commendations: Vec<CommendationBody>,
}

/// Issues a quarter's bulletin (the city), freezing its figures.
pub async fn issue(
    state: &AppState,
    actor: &Actor,
    q: Quarter,
    title: &str,
    commendations: &[(String, String)],
) -> AppResult<i64> {
    if actor.scope != Scope::City {
        return Err(AppError::forbidden());
    }
    // Taken before the write transaction: SQLite serialises writers, and the snapshot reads.
    let snapshot = state.store.snapshot(q).await?;
    write!(state, actor, |tx| state
        .store
        .issue_bulletin(
            &mut tx,
            &actor.scope,
            &snapshot,
            today(),
            title,
            commendations
        )
        .await?)
}

#[utoipa::path(post, path = "/api/v1/bulletins", tag = "stats", request_body = BulletinBody,
    responses((status = 201, description = "the bulletin's id and quarter", body = BulletinIssued),
        (status = 422, description = "the quarter has not ended; a commendation without a reason"),
        (status = 409, description = "the quarter's bulletin was already issued")),
    security(("bearer" = [])))]
pub async fn issue_bulletin(
    State(state): State<AppState>,
    actor: Actor,
    body: Bytes,
) -> AppResult<(StatusCode, Json<BulletinIssued>)> {
    let b: BulletinBody = parse(&body)?;
    let q = quarter_param(&b.quarter)?;
    let praise: Vec<(String, String)> = b
        .commendations
        .into_iter()
        .map(|c| (c.district_code, c.reason))
        .collect();
    let id = issue(&state, &actor, q, b.title.as_deref().unwrap_or(""), &praise).await?;
    Ok((
        StatusCode::CREATED,
        Json(BulletinIssued {
            id,
            quarter: q.to_string(),
        }),
    ))
}

/// An issued bulletin with the corrections made to its figures since.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BulletinView {
    #[schema(value_type = Object)]
    pub bulletin: Bulletin,
    #[schema(value_type = Vec<Object>)]
    pub corrections: Vec<Correction>,
}

pub async fn bulletin_view(state: &AppState, scope: &Scope, q: Quarter) -> AppResult<BulletinView> {
    let bulletin = state.store.bulletin(scope, q).await?;
    let now = state.store.snapshot(q).await?;
    let corrections = ipfin_store::bulletin::corrections(&bulletin.snapshot, &now);
    Ok(BulletinView {
        bulletin,
        corrections,
    })
}

/// A bulletin as issued, with later corrections listed separately.
#[utoipa::path(get, path = "/api/v1/bulletins/{quarter}", tag = "stats", params(("quarter" = String, Path, description = "e.g. 2026Q3")),
    responses((status = 200, body = BulletinView), (status = 404, description = "no bulletin for that quarter")),
    security(("bearer" = [])))]
pub async fn bulletin(
    State(state): State<AppState>,
    actor: Actor,
    Path(quarter): Path<String>,
) -> AppResult<Json<BulletinView>> {
    let q = Quarter::parse(&quarter).map_err(|_| AppError::not_found())?;
    Ok(Json(bulletin_view(&state, &actor.scope, q).await?))
}

/// A district's feedback data (反馈数据) of a bulletin: its own line in full, its commendation
/// and the corrections to its figures.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Feedback {
    pub quarter: String,
    pub title: String,
    pub issued_on: NaiveDate,
    #[schema(value_type = Object)]
    pub row: BulletinRow,
    pub districts: usize,
    #[schema(value_type = Option<Object>)]
    pub commendation: Option<Commendation>,
    #[schema(value_type = Vec<Object>)]
    pub corrections: Vec<Correction>,
}

pub async fn feedback_view(
    state: &AppState,
    scope: &Scope,
    q: Quarter,
    code: &str,
) -> AppResult<Feedback> {
    if !sees_district(scope, code) {
        return Err(AppError::not_found());
    }
    let v = bulletin_view(state, scope, q).await?;
    let row = v
        .bulletin
        .snapshot
        .rows
        .iter()
        .find(|r| r.district_code == code)
        .cloned()
        .ok_or_else(AppError::not_found)?;
    Ok(Feedback {
        quarter: q.to_string(),
        title: v.bulletin.title.clone(),
        issued_on: v.bulletin.issued_on,
        districts: v.bulletin.snapshot.rows.len(),
        commendation: v
            .bulletin
            .commendations
            .iter()
            .find(|c| c.district_code == code)
            .cloned(),
        corrections: v
            .corrections
            .into_iter()
            .filter(|c| c.district_code == code)
            .collect(),
        row,
    })
}

/// A district's feedback data of a bulletin (the city, or that district).
#[utoipa::path(get, path = "/api/v1/bulletins/{quarter}/districts/{code}", tag = "stats",
    params(("quarter" = String, Path), ("code" = String, Path)),
    responses((status = 200, body = Feedback), (status = 404, description = "no such bulletin, or another district's feedback")),
    security(("bearer" = [])))]
pub async fn feedback(
    State(state): State<AppState>,
    actor: Actor,
    Path((quarter, code)): Path<(String, String)>,
) -> AppResult<Json<Feedback>> {
    if !sees_district(&actor.scope, &code) {
        return Err(AppError::not_found());
    }
    let q = Quarter::parse(&quarter).map_err(|_| AppError::not_found())?;
    Ok(Json(feedback_view(&state, &actor.scope, q, &code).await?))
}

/// A district's annual assessment with its bonus points.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DistrictAssessment {
    pub district_code: String,
    pub district_name: String,
    #[schema(value_type = Object)]
    pub assessment: Assessment,
    #[schema(value_type = Vec<Object>)]
    pub bonuses: Vec<Bonus>,
    pub rank: u32,
}

pub async fn assessments_of(
    state: &AppState,
    scope: &Scope,
    year: i32,
) -> AppResult<Vec<DistrictAssessment>> {
    let (overview, _) = target_overview(state, scope, year).await?;
    let bonuses = state.store.bonuses(scope, year).await?;
    let mut out: Vec<DistrictAssessment> = overview
        .into_iter()
        .map(|d| {
            let mine: Vec<Bonus> = bonuses
                .iter()
                .filter(|b| b.district_code == d.district_code)
                .cloned()
                .collect();
            let points: Vec<Decimal> = mine.iter().filter_map(|b| b.points.parse().ok()).collect();
            let lines: Vec<(Metric, i64, i64)> = d
                .targets
                .iter()
                .map(|t| (t.metric, t.target, t.actual))
                .collect();
            DistrictAssessment {
                assessment: assess(&lines, &points),
                district_code: d.district_code,
                district_name: d.district_name,
                bonuses: mine,
                rank: 0,
            }
        })
        .collect();
    let totals: Vec<Option<Decimal>> = out
        .iter()
        .map(|a| (!a.assessment.targets.is_empty()).then_some(a.assessment.total))
        .collect();
    for (a, r) in out.iter_mut().zip(ipfin_domain::stats::ranks(&totals)) {
        a.rank = r;
    }
    out.sort_by(|a, b| {
        a.rank
            .cmp(&b.rank)
            .then(a.district_code.cmp(&b.district_code))
    });
    Ok(out)
}

/// The annual assessment (绩效评估) of the districts in scope.
#[utoipa::path(get, path = "/api/v1/assessments", tag = "stats", params(YearQuery),
    responses((status = 200, body = Vec<DistrictAssessment>)), security(("bearer" = [])))]
pub async fn assessments(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<YearQuery>,
) -> AppResult<Json<Vec<DistrictAssessment>>> {
    Ok(Json(assessments_of(&state, &actor.scope, q.year()?).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BonusBody {
    pub district_code: String,
    pub year: i32,
    /// 0.5–5 in steps of 0.5, e.g. "2.5".
    pub points: String,
    pub reason: String,
}

pub fn points_param(s: &str) -> AppResult<Decimal> {
    s.trim().parse::<Decimal>().map_err(|_| {
        AppError::invalid(FieldError::new(
            "points",
            "bonus.points",
            "加分应为数字，按 0.5 分为单位，例如 2.5。",
            "Points are a number such as 2.5.",
        ))
    })
}

/// Grants bonus points (加分) with the reason (the city).
#[utoipa::path(post, path = "/api/v1/assessments/bonuses", tag = "stats", request_body = BonusBody,
    responses((status = 201, description = "the bonus's id", body = Created), (status = 422, description = "points outside 0.5–5 or no reason")),
    security(("bearer" = [])))]
pub async fn add_bonus(
    State(state): State<AppState>,
    actor: Actor,
    body: Bytes,
) -> AppResult<(StatusCode, Json<Created>)> {
    let b: BonusBody = parse(&body)?;
    let points = points_param(&b.points)?;
    let id = write!(state, actor, |tx| state
        .store
        .add_bonus(
            &mut tx,
            &actor.scope,
            b.district_code.trim(),
            b.year,
            points,
            &b.reason
        )
        .await?)?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// How many targets were set.
#[derive(Debug, Serialize, ToSchema)]
pub struct TargetsUpdated {
    pub updated: usize,
}

/// An issued bulletin's id and quarter.
#[derive(Debug, Serialize, ToSchema)]
pub struct BulletinIssued {
    pub id: i64,
    /// e.g. 2026Q3
    pub quarter: String,
}

/// An issued bulletin in a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct BulletinSummaryDto {
    pub id: i64,
    pub quarter: String,
    pub title: String,
    pub issued_on: NaiveDate,
}

impl From<BulletinSummary> for BulletinSummaryDto {
    fn from(b: BulletinSummary) -> Self {
        let BulletinSummary {
            id,
            quarter,
            title,
            issued_on,
        } = b;
        Self {
            id,
            quarter,
            title,
            issued_on,
        }
    }
}

/// One district's line of a quarter's statistics.
#[derive(Debug, Serialize, ToSchema)]
pub struct DistrictQuarterDto {
    pub district: String,
    pub quarter: LoanFiguresDto,
    pub year_to_date: LoanFiguresDto,
    /// The same quarter a year earlier.
    pub last_year_quarter: LoanFiguresDto,
    pub pledge_registrations: i64,
    /// Pledge registrations from 1 January to the quarter's end.
    pub pledge_registrations_ytd: i64,
    pub granted_fen: i64,
    pub disbursed_fen: i64,
    /// Year-on-year change of the quarter's amount, % (one decimal).
    #[schema(value_type = Option<String>, example = "12.5")]
    pub yoy_amount_pct: Option<Decimal>,
    /// Rank among districts by the year-to-date amount (ties share a rank).
    pub rank_ytd_amount: u32,
}

impl From<DistrictQuarter> for DistrictQuarterDto {
    fn from(d: DistrictQuarter) -> Self {
        let DistrictQuarter {
            district,
            quarter,
            year_to_date,
            last_year_quarter,
            pledge_registrations,
            pledge_registrations_ytd,
            granted_fen,
            disbursed_fen,
            yoy_amount_pct,
            rank_ytd_amount,
        } = d;
        Self {
            district,
            quarter: quarter.into(),
            year_to_date: year_to_date.into(),
            last_year_quarter: last_year_quarter.into(),
            pledge_registrations,
            pledge_registrations_ytd,
            granted_fen,
            disbursed_fen,
            yoy_amount_pct,
            rank_ytd_amount,
        }
    }
}

/// Loan figures of a district over a period.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoanFiguresDto {
    pub loans: i64,
    pub amount_fen: i64,
    pub enterprises: i64,
    pub first_loans: i64,
    pub sme_amount_fen: i64,
    pub patent_amount_fen: i64,
    pub trademark_amount_fen: i64,
    pub copyright_amount_fen: i64,
}

impl From<LoanFigures> for LoanFiguresDto {
    fn from(f: LoanFigures) -> Self {
        let LoanFigures {
            loans,
            amount_fen,
            enterprises,
            first_loans,
            sme_amount_fen,
            patent_amount_fen,
            trademark_amount_fen,
            copyright_amount_fen,
        } = f;
        Self {
            loans,
            amount_fen,
            enterprises,
            first_loans,
            sme_amount_fen,
            patent_amount_fen,
            trademark_amount_fen,
            copyright_amount_fen,
        }
    }
}
