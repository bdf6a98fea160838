//! The city's view on pages (issue #7): annual targets and their breakdown to persons, a
//! person's own targets, the city and district dashboards, the annual assessment and the
//! conformance matrix, with Excel exports. The figures come from `api::stats` so the pages and
//! the API agree.

use super::{CsrfForm, FormErrors, PageCtx, render, see_other};
use crate::AppState;
use crate::actor::Actor;
use crate::error::{AppError, AppResult};
use crate::http::write;
use crate::usecase::conformance::{COLUMNS, MatrixRow};
use crate::usecase::stats::{
    AssignmentProgress, DistrictAssessment, DistrictBreakdown, DistrictTargets, YearQuery, as_of,
    assessments_of, breakdown, metric_param, my_progress, points_param, target_overview, today,
};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Datelike, NaiveDate};
use ipfin_domain::stats::Quarter;
use ipfin_domain::target::{Metric, proposed_milestones};
use ipfin_domain::{FieldError, Lang, Scope};
use ipfin_store::target::NewAssignment;
use rust_decimal::Decimal;
use rust_xlsxwriter::{Format, Workbook};
use serde::Deserialize;

/// A percentage with one decimal, or a dash.
pub fn pct(p: &Option<Decimal>) -> String {
    p.map(|p| format!("{p:.1}%")).unwrap_or_else(|| "—".into())
}

/// A metric's value in its unit with the unit label, in the reader's language (amounts by the
/// one formatter: `1,500.00 万元` / `CNY 15.00m`).
pub fn show(m: Metric, v: i64, lang: Lang) -> String {
    match (m, lang) {
        (Metric::Amount, _) => {
            ipfin_domain::format::amount_stat_in(ipfin_domain::Fen::new(v), lang)
        }
        (Metric::SmeShare, _) => m.show(v),
        (_, Lang::Zh) => format!("{v} {}", m.unit_zh()),
        (Metric::Enterprises | Metric::FirstLoans, Lang::En) => format!("{v} enterprises"),
        (_, Lang::En) => format!("{v} loans"),
    }
}

/// A metric's value as typed into the breakdown form (amounts in 元; no unit, no separators).
fn plain(m: Metric, v: i64) -> String {
    match m {
        Metric::Amount | Metric::SmeShare => {
            let s = format!("{}.{:02}", v / 100, (v % 100).abs());
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        }
        _ => v.to_string(),
    }
}

pub fn pick(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

fn field(name: &'static str, code: &'static str, zh: String, en: &str) -> AppError {
    AppError::invalid(FieldError::new(name, code, zh, en.to_string()))
}

/// A target cell of the targets form.
pub struct TargetCell {
    pub name: String,
    /// The metric's name, for the input's accessible label.
    pub label: &'static str,
    pub value: String,
    pub progress: String,
    pub lagging: bool,
}

/// A district line of the targets form.
pub struct TargetLine {
    pub code: String,
    pub name: String,
    pub cells: Vec<TargetCell>,
    pub lagging: bool,
}

#[derive(Template)]
#[template(path = "targets.html")]
struct TargetsPage {
    ctx: PageCtx,
    year: i32,
    city: bool,
    metrics: Vec<&'static str>,
    lines: Vec<TargetLine>,
    errors: FormErrors,
    as_of: NaiveDate,
}

fn lines(
    districts: &[DistrictTargets],
    names: &[(String, String)],
    lang: Lang,
    typed: Option<&[(String, String)]>,
) -> Vec<TargetLine> {
    names
        .iter()
        .map(|(code, name)| {
            let d = districts.iter().find(|d| &d.district_code == code);
            let cells = Metric::ALL
                .iter()
                .map(|m| {
                    let key = format!("t_{code}_{}", m.code());
                    let t = d.and_then(|d| d.targets.iter().find(|t| t.metric == *m));
                    let value = match typed {
                        Some(pairs) => pairs
                            .iter()
                            .find(|(k, _)| *k == key)
                            .map(|(_, v)| v.clone())
                            .unwrap_or_default(),
                        None => t.map(|t| m.input_text(t.target)).unwrap_or_default(),
                    };
                    TargetCell {
                        progress: t
                            .map(|t| {
                                format!("{} · {}", show(*m, t.actual, lang), pct(&t.completion_pct))
                            })
                            .unwrap_or_default(),
                        lagging: t.is_some_and(|t| t.lagging),
                        name: key,
                        label: m.label(lang),
                        value,
                    }
                })
                .collect();
            TargetLine {
                code: code.clone(),
                name: name.clone(),
                lagging: d.is_some_and(|d| d.lagging),
                cells,
            }
        })
        .collect()
}

async fn targets_page(
    state: &AppState,
    actor: &Actor,
    year: i32,
    errors: FormErrors,
    typed: Option<&[(String, String)]>,
) -> AppResult<TargetsPage> {
    let (overview, _) = target_overview(state, &actor.scope, year).await?;
    let names: Vec<(String, String)> = state
        .store
        .districts()
        .await?
        .into_iter()
        .filter(|d| actor.scope.reads_district(&d.code))
        .map(|d| (d.code, d.name))
        .collect();
    Ok(TargetsPage {
        ctx: PageCtx::new(actor, state, "/targets"),
        year,
        city: actor.scope.is_city(),
        metrics: Metric::ALL.iter().map(|m| m.label(actor.lang)).collect(),
        lines: lines(&overview, &names, actor.lang, typed),
        errors,
        as_of: as_of(year),
    })
}

/// `GET /targets?year=`: the city sets each district's targets; a district reads its own.
pub async fn targets(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<DistrictQuery>,
) -> AppResult<Response> {
    let year = YearQuery { year: q.year }.year()?;
    let page = targets_page(&state, &actor, year, FormErrors::default(), None)
        .await?
        .with_flash(q.ok.as_deref());
    Ok(render(StatusCode::OK, &page))
}

impl TargetsPage {
    fn with_flash(mut self, ok: Option<&str>) -> Self {
        self.ctx = self
            .ctx
            .with_flash(super::flash_key(&ok.map(str::to_string)));
        self
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TargetsForm {
    pub year: String,
    pub confirm_past: Option<String>,
}

/// `POST /targets`: the city's targets for a year, all districts at once (amounts in 万元, counts
/// and percent; an empty cell removes the target). Every cell is checked before anything is
/// stored; each problem is shown beside its cell.
pub async fn set_targets(
    State(state): State<AppState>,
    actor: Actor,
    form: CsrfForm<TargetsForm>,
) -> AppResult<Response> {
    let year = YearQuery {
        year: Some(form.data.year.clone()),
    }
    .year()?;
    let typed: Vec<(String, String)> = form
        .pairs
        .iter()
        .filter(|(k, _)| k.starts_with("t_"))
        .cloned()
        .collect();
    let r: AppResult<usize> = async {
        let mut entries = Vec::new();
        let mut problems = Vec::new();
        for (k, v) in &typed {
            let Some((code, metric)) = k[2..].split_once('_') else {
                continue;
            };
            let m = metric_param("metric", metric)?;
            let v = v.trim();
            let value = if v.is_empty() {
                None
            } else if let Some(x) = m.parse_input(v) {
                Some(x)
            } else {
                problems.push(ipfin_domain::policy::rules::RuleError {
                    path: k.clone(),
                    msg: ipfin_domain::Msg::new(
                        "target.value",
                        format!(
                            "“{}”填写有误：请填写数字（金额以万元为单位，最多 6 位小数；占比以 % 为单位）。",
                            m.zh()
                        ),
                        format!(
                            "{}: write a number (amounts in CNY 10k, at most 6 decimals; shares in %).",
                            m.en()
                        ),
                    ),
                });
                None
            };
            entries.push((code.to_string(), m, value));
        }
        if !problems.is_empty() {
            return Err(AppError::from(ipfin_store::StoreError::Problems(problems)));
        }
        let confirm = form.data.confirm_past.as_deref() == Some("yes");
        write!(state, actor, |tx| state
            .store
            .set_targets(&mut tx, &actor.scope, year, today(), confirm, &entries)
            .await?)
    }
    .await;
    match r {
        Ok(_) => Ok(see_other(&format!("/targets?year={year}"), "updated")),
        Err(e) if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN => {
            let status = e.status;
            let page = targets_page(
                &state,
                &actor,
                year,
                FormErrors::from_error(&e, actor.lang),
                Some(&typed),
            )
            .await?;
            Ok(render(status, &page))
        }
        Err(e) => Err(e),
    }
}

/// A milestone or what is due: a ratio's is a level to reach (≥ 70.00%), an amount's as is.
fn level(m: Metric, v: i64, lang: Lang) -> String {
    match m.accrual() {
        ipfin_domain::stats::Accrual::Level => format!("≥ {}", show(m, v, lang)),
        ipfin_domain::stats::Accrual::Sum => show(m, v, lang),
    }
}

/// A person's line on the breakdown page.
pub struct PersonLine {
    pub id: i64,
    pub metric: String,
    pub person: String,
    pub share: String,
    pub milestones: Vec<(NaiveDate, String)>,
    pub attributed: String,
    pub due: String,
    pub completion: String,
    pub behind: bool,
}

fn person_lines(list: &[AssignmentProgress], lang: Lang) -> Vec<PersonLine> {
    list.iter()
        .map(|a| {
            let m = a.assignment.metric;
            PersonLine {
                id: a.assignment.id,
                metric: m.label(lang).to_string(),
                person: format!("{}（{}）", a.assignment.display_name, a.assignment.org_name),
                share: show(m, a.assignment.share, lang),
                milestones: a
                    .period_ends
                    .iter()
                    .zip(&a.assignment.milestones)
                    .map(|(d, v)| (*d, level(m, *v, lang)))
                    .collect(),
                attributed: show(m, a.progress.attributed, lang),
                due: level(m, a.progress.due, lang),
                completion: pct(&a.progress.completion_pct),
                behind: a.progress.behind,
            }
        })
        .collect()
}

/// A target line of a district.
pub struct ProgressLine {
    pub metric: String,
    pub target: String,
    pub actual: String,
    pub completion: String,
    pub lagging: bool,
}

fn progress_lines(d: &DistrictTargets, lang: Lang) -> Vec<ProgressLine> {
    d.targets
        .iter()
        .map(|t| ProgressLine {
            metric: t.metric.label(lang).to_string(),
            target: show(t.metric, t.target, lang),
            actual: show(t.metric, t.actual, lang),
            completion: pct(&t.completion_pct),
            lagging: t.lagging,
        })
        .collect()
}

/// A user who can carry a target.
pub struct PersonChoice {
    pub id: i64,
    pub label: String,
}

#[derive(Template)]
#[template(path = "target_district.html")]
struct DistrictPage {
    ctx: PageCtx,
    year: i32,
    code: String,
    name: String,
    as_of: NaiveDate,
    manage: bool,
    dashboard: bool,
    lead: String,
    lead_title: String,
    lead_default: String,
    targets: Vec<ProgressLine>,
    persons: Vec<PersonLine>,
    choices: Vec<PersonChoice>,
    metrics: Vec<(&'static str, &'static str)>,
    quarter: Option<QuarterLine>,
    errors: FormErrors,
    form: AssignForm,
    proposal: String,
}

/// The current quarter so far, for a dashboard.
pub struct QuarterLine {
    pub label: String,
    pub amount: String,
    pub loans: i64,
    pub enterprises: i64,
    pub pledges: i64,
    pub yoy: String,
}

async fn quarter_so_far(
    state: &AppState,
    scope: &Scope,
) -> AppResult<(Quarter, Vec<ipfin_store::stats::DistrictQuarter>)> {
    let q = Quarter::of(today());
    Ok((q, state.store.quarter_stats(scope, q).await?))
}

fn quarter_line(q: Quarter, s: &ipfin_store::stats::DistrictQuarter, lang: Lang) -> QuarterLine {
    QuarterLine {
        label: match lang {
            Lang::Zh => format!(
                "{}（截至今日）",
                ipfin_domain::format::quarter_zh(q.year, q.q)
            ),
            Lang::En => format!(
                "{} (to date)",
                ipfin_domain::format::quarter(q.year, q.q, lang)
            ),
        },
        amount: ipfin_domain::format::amount_stat_in(s.quarter.amount_fen, lang),
        loans: s.quarter.loans,
        enterprises: s.quarter.enterprises,
        pledges: s.pledge_registrations,
        yoy: pct(&s.yoy_amount_pct),
    }
}

#[allow(clippy::too_many_arguments)]
async fn district_page(
    state: &AppState,
    actor: &Actor,
    code: &str,
    year: i32,
    dashboard: bool,
    errors: FormErrors,
    form: AssignForm,
) -> AppResult<DistrictPage> {
    let b: DistrictBreakdown = breakdown(state, &actor.scope, code, year).await?;
    let manage = actor.scope.leads_district(code);
    let choices = if manage {
        state
            .store
            .target_candidates(&actor.scope, code)
            .await?
            .into_iter()
            .map(|c| PersonChoice {
                id: c.id,
                label: format!("{}（{}）", c.display_name, c.org_name),
            })
            .collect()
    } else {
        Vec::new()
    };
    let quarter = if dashboard {
        let (q, stats) = quarter_so_far(state, &actor.scope).await?;
        stats
            .iter()
            .find(|s| s.district == code)
            .map(|s| quarter_line(q, s, actor.lang))
    } else {
        None
    };
    let proposal = match (form.share.trim(), Metric::from_code(&form.metric)) {
        (s, Some(m)) if !s.is_empty() => m
            .parse(s)
            .and_then(|v| {
                proposed_milestones(m, v, year, if form.periods == "12" { 12 } else { 4 }).ok()
            })
            .map(|steps| {
                steps
                    .iter()
                    .map(|v| plain(m, *v))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default(),
        _ => String::new(),
    };
    Ok(DistrictPage {
        ctx: PageCtx::new(
            actor,
            state,
            if dashboard { "/dashboard" } else { "/targets" },
        ),
        year,
        code: code.to_string(),
        name: b.district.district_name.clone(),
        as_of: as_of(year),
        manage,
        dashboard,
        lead: b
            .first_responsible
            .as_ref()
            .map(|l| l.person_name.clone())
            .unwrap_or_default(),
        lead_title: b
            .first_responsible
            .as_ref()
            .and_then(|l| l.title.clone())
            .unwrap_or_default(),
        lead_default: b.lead_head.clone().unwrap_or_default(),
        targets: progress_lines(&b.district, actor.lang),
        persons: person_lines(&b.assignments, actor.lang),
        choices,
        metrics: b
            .district
            .targets
            .iter()
            .map(|t| (t.metric.code(), t.metric.label(actor.lang)))
            .collect(),
        quarter,
        errors,
        form,
        proposal,
    })
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct DistrictQuery {
    pub year: Option<String>,
    pub ok: Option<String>,
}

/// `GET /targets/districts/{code}?year=`: a district's breakdown to persons.
pub async fn district(
    State(state): State<AppState>,
    actor: Actor,
    Path(code): Path<String>,
    Query(q): Query<DistrictQuery>,
) -> AppResult<Response> {
    if !actor.scope.reads_district(&code) {
        return Err(AppError::not_found());
    }
    let year = YearQuery { year: q.year }.year()?;
    let mut page = district_page(
        &state,
        &actor,
        &code,
        year,
        false,
        FormErrors::default(),
        AssignForm::default(),
    )
    .await?;
    page.ctx = page.ctx.with_flash(super::flash_key(&q.ok));
    Ok(render(StatusCode::OK, &page))
}

/// `GET /dashboard/districts/{code}`: a district's dashboard (its targets, the quarter so far,
/// its persons' progress with lagging flagged).
pub async fn district_dashboard(
    State(state): State<AppState>,
    actor: Actor,
    Path(code): Path<String>,
    Query(q): Query<DistrictQuery>,
) -> AppResult<Response> {
    if !actor.scope.reads_district(&code) {
        return Err(AppError::not_found());
    }
    let year = YearQuery { year: q.year }.year()?;
    let page = district_page(
        &state,
        &actor,
        &code,
        year,
        true,
        FormErrors::default(),
        AssignForm::default(),
    )
    .await?;
    Ok(render(StatusCode::OK, &page))
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct AssignForm {
    pub year: String,
    pub metric: String,
    pub user_id: String,
    pub share: String,
    pub periods: String,
    pub milestones: String,
    pub note: String,
    /// "propose": only show the proposed milestones, store nothing.
    pub action: String,
}

/// `POST /targets/districts/{code}/assignments`: a person's share with milestones (the
/// proposal when the milestones are left empty; "propose" fills them in without storing).
pub async fn assign(
    State(state): State<AppState>,
    actor: Actor,
    Path(code): Path<String>,
    form: CsrfForm<AssignForm>,
) -> AppResult<Response> {
    if !actor.scope.reads_district(&code) {
        return Err(AppError::not_found());
    }
    let f = form.data.clone();
    let year = YearQuery {
        year: Some(f.year.clone()),
    }
    .year()?;
    if f.action == "propose" {
        let page =
            district_page(&state, &actor, &code, year, false, FormErrors::default(), f).await?;
        return Ok(render(StatusCode::OK, &page));
    }
    let r: AppResult<i64> = async {
        let m = metric_param("metric", &f.metric)?;
        let user_id: i64 = f.user_id.trim().parse().map_err(|_| {
            field(
                "user_id",
                "target.person",
                "请选择责任人。".into(),
                "Choose the person.",
            )
        })?;
        let share = m.parse(&f.share).ok_or_else(|| {
            field(
                "share",
                "target.share",
                format!("请填写承担的目标（{}）。", m.unit_zh()),
                "Write the person's share.",
            )
        })?;
        let milestones = if f.milestones.trim().is_empty() {
            None
        } else {
            let mut steps = Vec::new();
            for (i, part) in f
                .milestones
                .split([',', '，', ' ', '\n', ';', '；'])
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .enumerate()
            {
                steps.push(m.parse(part).ok_or_else(|| {
                    field(
                        "milestones",
                        "target.milestone",
                        format!("第 {} 个时间节点“{part}”不是数字。", i + 1),
                        "A milestone is not a number.",
                    )
                })?);
            }
            Some(steps)
        };
        let a = NewAssignment {
            metric: m,
            user_id,
            share,
            milestones,
            periods: if f.periods == "12" { 12 } else { 4 },
            note: Some(f.note.clone()),
        };
        write!(state, actor, |tx| state
            .store
            .assign_target(&mut tx, &actor.scope, &code, year, &a)
            .await?)
    }
    .await;
    match r {
        Ok(_) => Ok(see_other(
            &format!("/targets/districts/{code}?year={year}"),
            "updated",
        )),
        Err(e) if e.status.is_client_error() && e.status != StatusCode::NOT_FOUND => {
            let status = e.status;
            let page = district_page(
                &state,
                &actor,
                &code,
                year,
                false,
                FormErrors::from_error(&e, actor.lang),
                f,
            )
            .await?;
            Ok(render(status, &page))
        }
        Err(e) => Err(e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RemoveForm {
    pub year: String,
    pub id: String,
    pub confirm: Option<String>,
}

/// `POST /targets/districts/{code}/assignments/delete`: removes a person's share.
pub async fn unassign(
    State(state): State<AppState>,
    actor: Actor,
    Path(code): Path<String>,
    form: CsrfForm<RemoveForm>,
) -> AppResult<Response> {
    if !actor.scope.reads_district(&code) {
        return Err(AppError::not_found());
    }
    let year = YearQuery {
        year: Some(form.data.year.clone()),
    }
    .year()?;
    let id: i64 = form.data.id.parse().map_err(|_| AppError::not_found())?;
    write!(state, actor, |tx| state
        .store
        .remove_assignment(&mut tx, &actor.scope, id)
        .await?)?;
    Ok(see_other(
        &format!("/targets/districts/{code}?year={year}"),
        "updated",
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LeadForm {
    pub year: String,
    pub person_name: String,
    pub title: String,
}

/// `POST /targets/districts/{code}/lead`: records the first responsible person.
pub async fn set_lead(
    State(state): State<AppState>,
    actor: Actor,
    Path(code): Path<String>,
    form: CsrfForm<LeadForm>,
) -> AppResult<Response> {
    if !actor.scope.reads_district(&code) {
        return Err(AppError::not_found());
    }
    let year = YearQuery {
        year: Some(form.data.year.clone()),
    }
    .year()?;
    let r = write!(state, actor, |tx| state
        .store
        .set_target_lead(
            &mut tx,
            &actor.scope,
            &code,
            year,
            &form.data.person_name,
            Some(&form.data.title)
        )
        .await?);
    match r {
        Ok(()) => Ok(see_other(
            &format!("/targets/districts/{code}?year={year}"),
            "updated",
        )),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let page = district_page(
                &state,
                &actor,
                &code,
                year,
                false,
                FormErrors::from_error(&e, actor.lang),
                AssignForm::default(),
            )
            .await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "my_targets.html")]
struct MyTargetsPage {
    ctx: PageCtx,
    year: i32,
    as_of: NaiveDate,
    persons: Vec<PersonLine>,
}

/// `GET /my/targets`: the signed-in person's own targets and progress.
pub async fn my_targets(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<DistrictQuery>,
) -> AppResult<Response> {
    let year = YearQuery { year: q.year }.year()?;
    let list = my_progress(&state, &actor, year).await?;
    let page = MyTargetsPage {
        ctx: PageCtx::new(&actor, &state, "/my/targets"),
        year,
        as_of: as_of(year),
        persons: person_lines(&list, actor.lang),
    };
    Ok(render(StatusCode::OK, &page))
}

/// A district's line on the city dashboard.
pub struct DashLine {
    pub code: String,
    pub name: String,
    pub targets: Vec<ProgressLine>,
    pub lagging: bool,
    pub quarter: Option<QuarterLine>,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    ctx: PageCtx,
    year: i32,
    as_of: NaiveDate,
    pace: String,
    lines: Vec<DashLine>,
    lagging: usize,
    chart: String,
    /// Issues escalated to the city from the districts' working meetings (issue #8).
    escalated: Vec<ipfin_store::meeting::Issue>,
    /// The last ended quarter and the districts that held no working meeting in it (R1.2).
    last_quarter: ipfin_domain::stats::Quarter,
    no_meeting: Vec<(String, String)>,
}

/// `GET /dashboard`: the city's year against targets per district, the current quarter so
/// far, lagging districts flagged, each linking to its district dashboard. A district officer
/// goes to their own district's dashboard.
pub async fn dashboard(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<DistrictQuery>,
) -> AppResult<Response> {
    if let Some(code) = actor.scope.district() {
        return Ok(Redirect::to(&format!("/dashboard/districts/{code}")).into_response());
    }
    let year = YearQuery { year: q.year }.year()?;
    let (overview, _) = target_overview(&state, &actor.scope, year).await?;
    let (cq, stats) = quarter_so_far(&state, &actor.scope).await?;
    let day = as_of(year);
    let days = if NaiveDate::from_ymd_opt(year, 12, 31).is_some_and(|d| d.ordinal() == 366) {
        366
    } else {
        365
    };
    let pace = Decimal::from(day.ordinal() * 100) / Decimal::from(days);
    let lines: Vec<DashLine> = overview
        .iter()
        .map(|d| DashLine {
            code: d.district_code.clone(),
            name: d.district_name.clone(),
            targets: progress_lines(d, actor.lang),
            lagging: d.lagging,
            quarter: (year == cq.year)
                .then(|| stats.iter().find(|s| s.district == d.district_code))
                .flatten()
                .map(|s| quarter_line(cq, s, actor.lang)),
        })
        .collect();
    let chart_rows: Vec<(String, Option<Decimal>)> = overview
        .iter()
        .map(|d| {
            (
                d.district_name.clone(),
                d.targets
                    .iter()
                    .find(|t| t.metric == Metric::Amount)
                    .and_then(|t| t.completion_pct),
            )
        })
        .collect();
    let last_quarter = crate::usecase::stats::last_ended_quarter();
    let held = state
        .store
        .held_quarters(&actor.scope, last_quarter.year)
        .await?;
    let no_meeting = state
        .store
        .districts()
        .await?
        .into_iter()
        .filter(|d| actor.scope.reads_district(&d.code))
        .filter(|d| {
            !held
                .get(&d.code)
                .is_some_and(|h| h.contains(&last_quarter.q))
        })
        .map(|d| (d.code, d.name))
        .collect();
    let page = DashboardPage {
        last_quarter,
        no_meeting,
        ctx: PageCtx::new(&actor, &state, "/dashboard"),
        year,
        as_of: day,
        pace: pct(&Some(pace.round_dp(1))),
        lagging: lines.iter().filter(|l| l.lagging).count(),
        chart: crate::chart::completion_chart(
            pick(
                actor.lang,
                "质押融资金额目标完成率",
                "Amount target completion",
            ),
            &chart_rows,
            Some(pace.round_dp(1)),
        ),
        lines,
        escalated: state
            .store
            .issues(
                &actor.scope,
                None,
                Some(ipfin_domain::meeting::IssueStatus::Escalated),
                false,
            )
            .await?,
    };
    Ok(render(StatusCode::OK, &page))
}

/// An assessment line of the page.
pub struct AssessLine {
    pub code: String,
    pub name: String,
    pub rank: u32,
    pub targets: Vec<(String, String, String, String)>,
    pub base: String,
    pub bonus: String,
    pub total: String,
    pub bonuses: Vec<(String, String)>,
}

fn assess_lines(list: &[DistrictAssessment], lang: Lang) -> Vec<AssessLine> {
    list.iter()
        .map(|a| AssessLine {
            code: a.district_code.clone(),
            name: a.district_name.clone(),
            rank: a.rank,
            targets: a
                .assessment
                .targets
                .iter()
                .map(|t| {
                    (
                        t.metric.label(lang).to_string(),
                        format!(
                            "{} / {}",
                            show(t.metric, t.actual, lang),
                            show(t.metric, t.target, lang)
                        ),
                        pct(&t.completion_pct),
                        format!("{:.2}", t.points),
                    )
                })
                .collect(),
            base: format!("{:.2}", a.assessment.base),
            bonus: format!("{:.1}", a.assessment.bonus),
            total: format!("{:.2}", a.assessment.total),
            bonuses: a
                .bonuses
                .iter()
                .map(|b| (b.points.clone(), b.reason.clone()))
                .collect(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "assessments.html")]
struct AssessmentsPage {
    ctx: PageCtx,
    year: i32,
    as_of: NaiveDate,
    city: bool,
    lines: Vec<AssessLine>,
    districts: Vec<(String, String)>,
    errors: FormErrors,
}

async fn assessments_page(
    state: &AppState,
    actor: &Actor,
    year: i32,
    errors: FormErrors,
) -> AppResult<AssessmentsPage> {
    let list = assessments_of(state, &actor.scope, year).await?;
    Ok(AssessmentsPage {
        ctx: PageCtx::new(actor, state, "/assessments"),
        year,
        as_of: as_of(year),
        city: actor.scope.is_city(),
        districts: list
            .iter()
            .map(|a| (a.district_code.clone(), a.district_name.clone()))
            .collect(),
        lines: assess_lines(&list, actor.lang),
        errors,
    })
}

/// `GET /assessments?year=`: the annual assessment (绩效评估).
pub async fn assessments(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<DistrictQuery>,
) -> AppResult<Response> {
    let year = YearQuery { year: q.year }.year()?;
    let mut page = assessments_page(&state, &actor, year, FormErrors::default()).await?;
    page.ctx = page.ctx.with_flash(super::flash_key(&q.ok));
    Ok(render(StatusCode::OK, &page))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BonusForm {
    pub year: String,
    pub district_code: String,
    pub points: String,
    pub reason: String,
}

/// `POST /assessments/bonuses`: bonus points with the reason (the city).
pub async fn add_bonus(
    State(state): State<AppState>,
    actor: Actor,
    form: CsrfForm<BonusForm>,
) -> AppResult<Response> {
    let f = &form.data;
    let year = YearQuery {
        year: Some(f.year.clone()),
    }
    .year()?;
    let r: AppResult<i64> = async {
        let points = points_param(&f.points)?;
        write!(state, actor, |tx| state
            .store
            .add_bonus(
                &mut tx,
                &actor.scope,
                f.district_code.trim(),
                year,
                points,
                &f.reason
            )
            .await?)
    }
    .await;
    match r {
        Ok(_) => Ok(see_other(&format!("/assessments?year={year}"), "created")),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let page =
                assessments_page(&state, &actor, year, FormErrors::from_error(&e, actor.lang))
                    .await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e),
    }
}

fn sheet_err(e: rust_xlsxwriter::XlsxError) -> AppError {
    AppError::internal(e)
}

/// `GET /assessments/export?year=`: the assessment as .xlsx, typed so it can be computed
/// with (decision 0038): each target and result in its unit (元, a count, the SME share as a
/// percentage), completion as a percentage, the weight, and points and scores as numbers.
pub async fn assessments_xlsx(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<DistrictQuery>,
) -> AppResult<Response> {
    use super::export::{Cell, Formats, write_sheet};
    let year = YearQuery { year: q.year }.year()?;
    let list = assessments_of(&state, &actor.scope, year).await?;
    let head = [
        "排名",
        "区",
        "指标",
        "目标",
        "完成",
        "完成率",
        "权重",
        "得分",
        "基础分",
        "加分",
        "总分",
    ];
    let rows: Vec<Vec<Cell>> = list
        .iter()
        .flat_map(|a| {
            a.assessment.targets.iter().map(move |t| {
                vec![
                    Cell::Count(i64::from(a.rank)),
                    Cell::text(a.district_name.clone()),
                    Cell::text(t.metric.zh()),
                    Cell::metric(t.metric, t.target),
                    Cell::metric(t.metric, t.actual),
                    Cell::percent(t.completion_pct),
                    Cell::Count(t.weight),
                    Cell::Score(t.points),
                    Cell::Score(a.assessment.base),
                    Cell::Score(a.assessment.bonus),
                    Cell::Score(a.assessment.total),
                ]
            })
        })
        .collect();
    let bonuses: Vec<Vec<Cell>> = list
        .iter()
        .flat_map(|a| {
            a.bonuses.iter().map(move |b| {
                vec![
                    Cell::text(a.district_name.clone()),
                    b.points
                        .trim()
                        .parse::<Decimal>()
                        .map(Cell::Score)
                        .unwrap_or_else(|_| Cell::text(b.points.clone())),
                    Cell::text(b.reason.clone()),
                ]
            })
        })
        .collect();
    let f = Formats::new();
    let mut wb = Workbook::new();
    write_sheet(&mut wb, &f, "绩效评估", &head, &rows).map_err(sheet_err)?;
    write_sheet(&mut wb, &f, "加分事项", &["区", "加分", "理由"], &bonuses).map_err(sheet_err)?;
    let bytes = wb.save_to_buffer().map_err(sheet_err)?;
    Ok(super::import::xlsx(
        bytes,
        &format!("assessment-{year}.xlsx"),
    ))
}

#[derive(Template)]
#[template(path = "conformance.html")]
struct ConformancePage {
    ctx: PageCtx,
    columns: Vec<(&'static str, &'static str)>,
    rows: Vec<MatrixRow>,
}

/// `GET /conformance`: the guideline conformance matrix.
pub async fn conformance(State(state): State<AppState>, actor: Actor) -> AppResult<Response> {
    let rows = crate::usecase::conformance::matrix(&state, &actor).await?;
    let page = ConformancePage {
        ctx: PageCtx::new(&actor, &state, "/conformance"),
        columns: ipfin_domain::conformance::columns(actor.lang),
        rows,
    };
    Ok(render(StatusCode::OK, &page))
}

/// `GET /conformance/export`: the matrix as .xlsx (status and finding per cell).
pub async fn conformance_xlsx(State(state): State<AppState>, actor: Actor) -> AppResult<Response> {
    let rows = crate::usecase::conformance::matrix(&state, &actor).await?;
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold().set_text_wrap();
    let wrap = Format::new().set_text_wrap();
    let ws = wb.add_worksheet();
    ws.set_name("对标矩阵").map_err(sheet_err)?;
    ws.write_string_with_format(0, 0, "区", &bold)
        .map_err(sheet_err)?;
    for (c, (id, name)) in COLUMNS.iter().enumerate() {
        ws.write_string_with_format(0, c as u16 + 1, format!("{id} {name}"), &bold)
            .map_err(sheet_err)?;
        ws.set_column_width(c as u16 + 1, 28).map_err(sheet_err)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        ws.write_string(r, 0, &row.district_name)
            .map_err(sheet_err)?;
        for (c, cell) in row.cells.iter().enumerate() {
            let mark = match cell.status {
                "pass" => "✔ 符合",
                "fail" => "✘ 不符合",
                _ => "— 暂无数据",
            };
            ws.write_string_with_format(
                r,
                c as u16 + 1,
                format!("{mark}\n{}", cell.finding),
                &wrap,
            )
            .map_err(sheet_err)?;
        }
    }
    let bytes = wb.save_to_buffer().map_err(sheet_err)?;
    Ok(super::import::xlsx(bytes, "conformance.xlsx"))
}
