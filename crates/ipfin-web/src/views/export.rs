//! Excel downloads of list pages: one sheet per list with a bold, frozen header row and all
//! rows that match the list's filters, in the list's order, up to a limit (above it the officer
//! narrows the filter).
//!
//! Cells are typed so an official can compute with them (issue #23 item 8, decision 0038):
//! amounts in 元 are numbers formatted `#,##0.00`, counts are whole numbers, percentages are
//! fractions formatted `0.0%`, scores are numbers formatted `0.00`, and dates are Excel dates
//! formatted `yyyy"年"m"月"d"日"` — never text. [`Cell`] says which a value is; [`write_sheet`]
//! writes a sheet of them.
//!
//! The lists without an export of their own page are here: applications, notices, targets and
//! the dashboard's figures.

use crate::AppState;
use crate::actor::Actor;
use crate::error::{AppError, AppResult};
use crate::usecase::stats::{YearQuery, target_overview, today};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{Datelike, NaiveDate};
use ipfin_domain::money::fen_to_sheet_number;
use ipfin_domain::stats::Quarter;
use ipfin_domain::target::Metric;
use ipfin_domain::{Fen, Lang};
use ipfin_store::Paged;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet};
use serde::Deserialize;

pub(crate) const EXPORT_LIMIT: u64 = 5_000;

/// The one page an export reads: all rows up to the limit, refused above it.
pub(crate) fn export_page() -> ipfin_store::Page {
    ipfin_store::Page {
        page: 1,
        per_page: EXPORT_LIMIT,
    }
}

pub(crate) fn export_rows<T>(p: Paged<T>) -> AppResult<Vec<T>> {
    if p.total > EXPORT_LIMIT {
        return Err(AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "export.too_many",
            format!("符合条件的记录超过 {EXPORT_LIMIT} 条，请增加筛选条件后再导出。"),
            format!("More than {EXPORT_LIMIT} records match: narrow the filter."),
        ));
    }
    Ok(p.items)
}

pub(crate) fn xl(e: rust_xlsxwriter::XlsxError) -> AppError {
    AppError::internal(format!("xlsx: {e}"))
}

/// A value of an exported sheet, typed as Excel should hold it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    Text(String),
    /// An amount in fen, written in 元 as a number (`#,##0.00`).
    Yuan(Fen),
    /// A count (`#,##0`).
    Count(i64),
    /// A percentage as people write it (45.2 for 45.2%), stored as the fraction 0.452 (`0.0%`).
    Percent(Decimal),
    /// A score or points (`0.00`).
    Score(Decimal),
    /// A date (`yyyy"年"m"月"d"日"`).
    Date(NaiveDate),
    Empty,
}

impl Cell {
    pub(crate) fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    /// An amount that may be absent.
    pub(crate) fn yuan(f: Option<Fen>) -> Cell {
        f.map(Cell::Yuan).unwrap_or(Cell::Empty)
    }

    /// A percentage that may be absent (no target, no base): an empty cell, not a dash.
    pub(crate) fn percent(p: Option<Decimal>) -> Cell {
        p.map(Cell::Percent).unwrap_or(Cell::Empty)
    }

    pub(crate) fn date(d: Option<NaiveDate>) -> Cell {
        d.map(Cell::Date).unwrap_or(Cell::Empty)
    }

    /// A metric's value in its unit: 元, a count, or a share in basis points as a percentage.
    pub(crate) fn metric(m: Metric, v: i64) -> Cell {
        match m {
            Metric::Amount => Cell::Yuan(Fen::new(v)),
            Metric::SmeShare => Cell::Percent(Decimal::new(v, 2)),
            _ => Cell::Count(v),
        }
    }
}

/// The number formats of a workbook's typed cells.
pub(crate) struct Formats {
    pub bold: Format,
    yuan: Format,
    count: Format,
    percent: Format,
    score: Format,
    date: Format,
}

impl Formats {
    pub(crate) fn new() -> Formats {
        Formats {
            bold: Format::new().set_bold(),
            yuan: Format::new().set_num_format("#,##0.00"),
            count: Format::new().set_num_format("#,##0"),
            percent: Format::new().set_num_format("0.0%"),
            score: Format::new().set_num_format("0.00"),
            date: Format::new().set_num_format("yyyy\"年\"m\"月\"d\"日\""),
        }
    }
}

/// Writes one typed cell.
pub(crate) fn write_cell(
    ws: &mut Worksheet,
    f: &Formats,
    row: u32,
    col: u16,
    cell: &Cell,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    match cell {
        Cell::Text(s) => {
            ws.write_string(row, col, ipfin_domain::text::printable(s))?;
        }
        Cell::Yuan(fen) => {
            ws.write_number_with_format(row, col, fen_to_sheet_number(fen.get()), &f.yuan)?;
        }
        Cell::Count(n) => {
            ws.write_number_with_format(row, col, *n as f64, &f.count)?;
        }
        Cell::Percent(p) => {
            let fraction = (*p / Decimal::ONE_HUNDRED).to_f64().unwrap_or(0.0);
            ws.write_number_with_format(row, col, fraction, &f.percent)?;
        }
        Cell::Score(s) => {
            ws.write_number_with_format(row, col, s.to_f64().unwrap_or(0.0), &f.score)?;
        }
        Cell::Date(d) => {
            let month = u8::try_from(d.month()).unwrap_or(1);
            let day = u8::try_from(d.day()).unwrap_or(1);
            let year = u16::try_from(d.year()).unwrap_or(1900);
            let at = ExcelDateTime::from_ymd(year, month, day)?;
            ws.write_datetime_with_format(row, col, &at, &f.date)?;
        }
        Cell::Empty => {}
    }
    Ok(())
}

/// Adds a sheet: the bold header row (frozen) from `headers`, then `rows` of typed cells.
pub(crate) fn write_sheet(
    book: &mut Workbook,
    f: &Formats,
    name: &str,
    headers: &[&str],
    rows: &[Vec<Cell>],
) -> Result<(), rust_xlsxwriter::XlsxError> {
    let ws = book.add_worksheet();
    ws.set_name(name)?;
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &f.bold)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            write_cell(ws, f, r as u32 + 1, c as u16, cell)?;
        }
    }
    ws.set_freeze_panes(1, 0)?;
    ws.autofit();
    Ok(())
}

/// A one-sheet workbook of typed cells as a download named `file`.
pub(crate) fn typed_xlsx(
    sheet_name: &str,
    headers: &[&str],
    rows: &[Vec<Cell>],
    file: &str,
) -> AppResult<Response> {
    let mut book = Workbook::new();
    write_sheet(&mut book, &Formats::new(), sheet_name, headers, rows).map_err(xl)?;
    Ok(super::import::xlsx(
        book.save_to_buffer().map_err(xl)?,
        file,
    ))
}

/// A one-sheet workbook (a bold header row and text cells) as a download named `file`.
pub(crate) fn xlsx(
    sheet_name: &str,
    headers: &[&str],
    rows: &[Vec<String>],
    file: &str,
) -> AppResult<Response> {
    let rows: Vec<Vec<Cell>> = rows
        .iter()
        .map(|r| r.iter().map(|v| Cell::text(v.clone())).collect())
        .collect();
    typed_xlsx(sheet_name, headers, &rows, file)
}

/// The Beijing-time date of a Unix time.
fn day(ts: Option<i64>) -> Cell {
    Cell::date(ts.and_then(ipfin_store::date_shanghai))
}

fn pick(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// District names by code, for lists that hold codes.
async fn district_names(state: &AppState) -> AppResult<std::collections::BTreeMap<String, String>> {
    Ok(state
        .store
        .districts()
        .await?
        .into_iter()
        .map(|d| (d.code, d.name))
        .collect())
}

/// `GET /applications/export.xlsx`: the applications of the list (same filters, same order):
/// numbers, applicants, policy and batch, district, state and stage, the computed, approved,
/// granted and disbursed amounts in 元, and the dates of submission, acceptance and last change.
pub async fn applications(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<super::application::AppListQuery>,
) -> AppResult<Response> {
    let list = export_rows(
        state
            .store
            .applications(&actor.scope, &q.filter(), export_page())
            .await?,
    )?;
    let names = district_names(&state).await?;
    let lang = actor.lang;
    let t = crate::i18n::T(lang);
    let headers = [
        t.s("app.number"),
        t.s("app.applicant"),
        t.s("app.kind"),
        pick(lang, "政策", "Policy"),
        pick(lang, "年度", "Year"),
        pick(lang, "批次", "Batch"),
        pick(lang, "区", "District"),
        t.s("common.status"),
        t.s("app.stage"),
        t.s("app.computed_yuan"),
        t.s("app.approved_yuan"),
        t.s("app.granted_yuan"),
        pick(lang, "已拨付（元）", "Disbursed (yuan)"),
        pick(lang, "提交日期", "Submitted on"),
        pick(lang, "受理日期", "Accepted on"),
        pick(lang, "最近更新", "Last change"),
    ];
    let rows: Vec<Vec<Cell>> = list
        .iter()
        .map(|a| {
            vec![
                Cell::text(a.label()),
                Cell::text(a.applicant_name.clone()),
                Cell::text(a.kind().label(lang)),
                Cell::text(a.policy_title.clone()),
                Cell::Count(i64::from(a.policy_year)),
                Cell::text(a.batch_name.clone()),
                Cell::text(
                    names
                        .get(&a.district_code)
                        .cloned()
                        .unwrap_or_else(|| a.district_code.clone()),
                ),
                Cell::text(a.state().label(lang)),
                Cell::text(
                    a.stage
                        .as_deref()
                        .and_then(ipfin_domain::application::Stage::from_code)
                        .map(|s| s.label(lang))
                        .unwrap_or(""),
                ),
                Cell::Yuan(a.computed_fen),
                Cell::yuan(a.approved_fen),
                Cell::yuan(a.granted_fen),
                Cell::Yuan(a.disbursed_fen),
                day(a.submitted_at),
                day(a.accepted_at),
                day(Some(a.updated_at)),
            ]
        })
        .collect();
    typed_xlsx(
        t.s("nav.applications"),
        &headers,
        &rows,
        "applications.xlsx",
    )
}

/// `GET /notices/export.xlsx`: the notices of the list (a district's own, the city's all, newest
/// first) with their period as dates, and on a second sheet every notice's list of applications
/// with the proposed amounts.
pub async fn notices(State(state): State<AppState>, actor: Actor) -> AppResult<Response> {
    let list = state.store.notices(actor.scope.district()).await?;
    let lang = actor.lang;
    let t = crate::i18n::T(lang);
    let mut entries: Vec<Vec<Cell>> = Vec::new();
    for n in &list {
        for e in state.store.notice(&actor.scope, n.id).await?.entries {
            entries.push(vec![
                Cell::text(n.title.clone()),
                Cell::text(e.number.clone().unwrap_or_default()),
                Cell::text(e.enterprise_name.clone()),
                Cell::text(e.items.clone()),
                Cell::Yuan(e.amount_fen),
            ]);
        }
    }
    let rows: Vec<Vec<Cell>> = list
        .iter()
        .map(|n| {
            vec![
                Cell::text(n.title.clone()),
                Cell::text(
                    n.district_name
                        .clone()
                        .unwrap_or_else(|| n.district_code.clone()),
                ),
                Cell::Date(n.starts_on),
                Cell::Date(n.ends_on),
                Cell::Count(i64::from(n.days)),
                Cell::text(if n.status == "open" {
                    t.s("notice.open")
                } else {
                    t.s("notice.ended")
                }),
                day(Some(n.published_at)),
            ]
        })
        .collect();
    let f = Formats::new();
    let mut book = Workbook::new();
    write_sheet(
        &mut book,
        &f,
        t.s("nav.notices"),
        &[
            t.s("notice.notice"),
            t.s("notice.district"),
            pick(lang, "公示开始", "Starts on"),
            pick(lang, "公示结束", "Ends on"),
            pick(lang, "工作日", "Working days"),
            t.s("common.status"),
            pick(lang, "发布日期", "Published on"),
        ],
        &rows,
    )
    .map_err(xl)?;
    write_sheet(
        &mut book,
        &f,
        pick(lang, "公示名单", "Listed applications"),
        &[
            t.s("notice.notice"),
            t.s("app.number"),
            t.s("notice.enterprise"),
            t.s("app.items"),
            t.s("notice.amount_yuan"),
        ],
        &entries,
    )
    .map_err(xl)?;
    Ok(super::import::xlsx(
        book.save_to_buffer().map_err(xl)?,
        "notices.xlsx",
    ))
}

/// `?year=`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct YearParam {
    year: Option<String>,
}

/// One line per district and target: the target and the result in their units, the completion
/// as a percentage, and whether it lags the straight-line pace.
async fn target_rows(state: &AppState, actor: &Actor, year: i32) -> AppResult<Vec<Vec<Cell>>> {
    let (overview, _) = target_overview(state, &actor.scope, year).await?;
    let lang = actor.lang;
    Ok(overview
        .iter()
        .flat_map(|d| {
            d.targets.iter().map(move |t| {
                vec![
                    Cell::text(d.district_name.clone()),
                    Cell::text(t.metric.label(lang)),
                    Cell::metric(t.metric, t.target),
                    Cell::metric(t.metric, t.actual),
                    Cell::percent(t.completion_pct),
                    Cell::text(if t.lagging {
                        pick(lang, "滞后", "Behind")
                    } else {
                        pick(lang, "正常", "On pace")
                    }),
                ]
            })
        })
        .collect())
}

fn target_headers(lang: Lang) -> [&'static str; 6] {
    [
        pick(lang, "区", "District"),
        pick(lang, "指标", "Metric"),
        pick(lang, "年度目标", "Annual target"),
        pick(lang, "完成", "Achieved"),
        pick(lang, "完成率", "Completion"),
        pick(lang, "进度", "Pace"),
    ]
}

/// `GET /targets/export.xlsx?year=`: the year's targets of the districts in scope with their
/// progress to date (amounts in 元, counts, the SME share and completion as percentages).
pub async fn targets(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<YearParam>,
) -> AppResult<Response> {
    let year = YearQuery { year: q.year }.year()?;
    let rows = target_rows(&state, &actor, year).await?;
    typed_xlsx(
        &format!("{year}"),
        &target_headers(actor.lang),
        &rows,
        &format!("targets-{year}.xlsx"),
    )
}

/// `GET /dashboard/export.xlsx?year=`: the dashboard's figures — each district's targets and
/// progress for the year, and the current quarter so far (amount, loans, enterprises, first
/// loans, pledge registrations, year on year) — for the city, or a district's own.
pub async fn dashboard(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<YearParam>,
) -> AppResult<Response> {
    let year = YearQuery { year: q.year }.year()?;
    let lang = actor.lang;
    let progress = target_rows(&state, &actor, year).await?;
    let quarter = Quarter::of(today());
    let names = district_names(&state).await?;
    let stats = state.store.quarter_stats(&actor.scope, quarter).await?;
    let rows: Vec<Vec<Cell>> = stats
        .iter()
        .filter(|s| actor.scope.reads_district(&s.district))
        .map(|s| {
            vec![
                Cell::text(names.get(&s.district).cloned().unwrap_or_default()),
                Cell::Yuan(s.quarter.amount_fen),
                Cell::Count(s.quarter.loans),
                Cell::Count(s.quarter.enterprises),
                Cell::Count(s.quarter.first_loans),
                Cell::Count(s.pledge_registrations),
                Cell::Yuan(s.last_year_quarter.amount_fen),
                Cell::percent(s.yoy_amount_pct),
                Cell::Yuan(s.year_to_date.amount_fen),
            ]
        })
        .collect();
    let f = Formats::new();
    let mut book = Workbook::new();
    write_sheet(
        &mut book,
        &f,
        pick(lang, "年度目标完成", "Targets"),
        &target_headers(lang),
        &progress,
    )
    .map_err(xl)?;
    let sheet = match lang {
        Lang::Zh => format!("{}（截至今日）", super::bulletin::quarter_cn(quarter)),
        Lang::En => format!(
            "{} to date",
            ipfin_domain::format::quarter(quarter.year, quarter.q, Lang::En)
        ),
    };
    write_sheet(
        &mut book,
        &f,
        &sheet,
        &[
            pick(lang, "区", "District"),
            pick(lang, "本季度融资金额（元）", "Amount this quarter (yuan)"),
            pick(lang, "贷款笔数", "Loans"),
            pick(lang, "获贷企业数", "Enterprises"),
            pick(lang, "首贷企业数", "First-time borrowers"),
            pick(lang, "质押登记笔数", "Pledge registrations"),
            pick(lang, "上年同期（元）", "Same quarter last year (yuan)"),
            pick(lang, "同比", "Year on year"),
            pick(lang, "本年累计（元）", "Year to date (yuan)"),
        ],
        &rows,
    )
    .map_err(xl)?;
    Ok(super::import::xlsx(
        book.save_to_buffer().map_err(xl)?,
        &format!("dashboard-{year}.xlsx"),
    ))
}
