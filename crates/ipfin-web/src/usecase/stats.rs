//! Statistics, annual targets and their breakdown to persons, quarterly bulletins and the
//! annual assessment (SPEC §8 R4.1, R4.2 and §9): the builders both the pages and the API
//! call, so a page and the API always show the same figures.

use crate::AppState;
use crate::actor::Actor;
use crate::error::{AppError, AppResult};
use crate::http::write;
use chrono::{Datelike, NaiveDate};
use ipfin_domain::stats::{Quarter, lagging};
use ipfin_domain::target::{
    Assessment, Metric, PersonProgress, YearActuals, assess, person_progress,
};
use ipfin_domain::{FieldError, Scope};
use ipfin_store::bulletin::{Bulletin, BulletinRow, Commendation, Correction};
use ipfin_store::target::{Assignment, Bonus, TargetLead};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

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
        if !scope.reads_district(&d.code) {
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
        a.metric,
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
    if !scope.reads_district(code) {
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
        .my_assignments(&actor.scope, u.user_id.get(), year)
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

/// Issues a quarter's bulletin (the city), freezing its figures.
pub async fn issue(
    state: &AppState,
    actor: &Actor,
    q: Quarter,
    title: &str,
    commendations: &[(String, String)],
) -> AppResult<i64> {
    if !actor.scope.is_city() {
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
    if !scope.reads_district(code) {
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
