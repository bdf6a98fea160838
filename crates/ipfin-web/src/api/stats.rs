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
use crate::http::write;
use crate::usecase::stats::{
    AssignmentProgress, BulletinView, DistrictAssessment, DistrictBreakdown, DistrictTargets,
    Feedback, YearQuery, assessments_of, breakdown, bulletin_view, feedback_view, issue,
    last_ended_quarter, metric_param, my_progress, points_param, quarter_param, target_overview,
    today,
};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use ipfin_domain::Fen;
use ipfin_domain::stats::Quarter;
use ipfin_store::bulletin::BulletinSummary;
use ipfin_store::stats::{DistrictQuarter, LoanFigures};
use ipfin_store::target::NewAssignment;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub(crate) fn parse<T: serde::de::DeserializeOwned>(body: &Bytes) -> AppResult<T> {
    serde_json::from_slice(body).map_err(|e| json_error(&e))
}

/// `?quarter=2026Q3` (default: the last quarter that has ended).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct QuarterQuery {
    pub quarter: Option<String>,
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
            .filter(|r| actor.scope.reads_district(&r.district))
            .map(DistrictQuarterDto::from)
            .collect(),
    ))
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
    if !actor.scope.reads_district(&code) {
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
    if !actor.scope.reads_district(&code) {
        return Err(AppError::not_found());
    }
    let q = Quarter::parse(&quarter).map_err(|_| AppError::not_found())?;
    Ok(Json(feedback_view(&state, &actor.scope, q, &code).await?))
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
    #[schema(value_type = i64)]
    pub granted_fen: Fen,
    #[schema(value_type = i64)]
    pub disbursed_fen: Fen,
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
    #[schema(value_type = i64)]
    pub amount_fen: Fen,
    pub enterprises: i64,
    pub first_loans: i64,
    #[schema(value_type = i64)]
    pub sme_amount_fen: Fen,
    #[schema(value_type = i64)]
    pub patent_amount_fen: Fen,
    #[schema(value_type = i64)]
    pub trademark_amount_fen: Fen,
    #[schema(value_type = i64)]
    pub copyright_amount_fen: Fen,
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
