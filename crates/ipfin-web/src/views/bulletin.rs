//! Quarterly bulletins on pages (季度通报, issue #7): the list, the preview with commendations
//! and the confirmation before issuing, the issued bulletin with its charts and corrections,
//! each district's feedback page, and the bulletin as .docx and .xlsx. The charts are the same
//! SVG on the page and in the Word document.

use super::export::{Cell, Formats, write_cell, write_sheet};
use super::stats::{pct, pick};
use super::{CsrfForm, FormErrors, PageCtx, render, see_other};
use crate::AppState;
use crate::actor::Actor;
use crate::chart::{completion_chart, format_wan, yoy_chart};
use crate::docx::{Column, DocBuilder, Span};
use crate::error::{AppError, AppResult};
use crate::usecase::stats::{
    BulletinView, Feedback, bulletin_view, feedback_view, issue, last_ended_quarter, quarter_param,
};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use ipfin_domain::financing::yuan;
use ipfin_domain::stats::Quarter;
use ipfin_domain::target::Metric;
use ipfin_domain::{Fen, Lang};
use ipfin_store::bulletin::{BulletinRow, Commendation, Correction, Snapshot};
use rust_decimal::Decimal;
use rust_xlsxwriter::Workbook;
use serde::Deserialize;

fn quarter_label(q: Quarter, lang: Lang) -> String {
    ipfin_domain::format::quarter(q.year, q.q, lang)
}

/// The straight-line pace at a quarter's end: a quarter of the year per quarter.
fn pace(q: Quarter) -> Decimal {
    Decimal::from(q.q * 25)
}

/// The two charts of a bulletin: target completion and this year's quarter against last year's.
pub fn charts(s: &Snapshot, lang: Lang) -> (String, String) {
    let completion: Vec<(String, Option<Decimal>)> = s
        .rows
        .iter()
        .map(|r| (r.district_name.clone(), r.amount_pct))
        .collect();
    let yoy: Vec<(String, i64, i64)> = s
        .rows
        .iter()
        .map(|r| {
            (
                r.district_name.clone(),
                r.stats.quarter.amount_fen.get(),
                r.stats.last_year_quarter.amount_fen.get(),
            )
        })
        .collect();
    (
        completion_chart(
            &format!(
                "{} {}",
                quarter_label(s.quarter, lang),
                pick(lang, "质押融资金额目标完成率", "amount target completion")
            ),
            &completion,
            Some(pace(s.quarter)),
        ),
        yoy_chart(
            &format!(
                "{} {}",
                quarter_label(s.quarter, lang),
                pick(
                    lang,
                    "质押融资金额同比（万元）",
                    "amount year on year (10k yuan)"
                )
            ),
            &yoy,
        ),
    )
}

/// A ranking table line, formatted.
pub struct RankLine {
    pub rank: u32,
    pub code: String,
    pub name: String,
    pub target: String,
    pub ytd: String,
    pub completion: String,
    pub quarter: String,
    pub last_year: String,
    pub yoy: String,
    pub loans: i64,
    pub enterprises: i64,
    pub pledges: i64,
}

fn rank_lines(s: &Snapshot) -> Vec<RankLine> {
    s.rows
        .iter()
        .map(|r| RankLine {
            rank: r.rank,
            code: r.district_code.clone(),
            name: r.district_name.clone(),
            target: r
                .completion
                .iter()
                .find(|c| c.metric == Metric::Amount)
                .map(|c| yuan(c.target))
                .unwrap_or_else(|| "—".into()),
            ytd: yuan(r.stats.year_to_date.amount_fen),
            completion: pct(&r.amount_pct),
            quarter: yuan(r.stats.quarter.amount_fen),
            last_year: yuan(r.stats.last_year_quarter.amount_fen),
            yoy: pct(&r.stats.yoy_amount_pct),
            loans: r.stats.quarter.loans,
            enterprises: r.stats.year_to_date.enterprises,
            pledges: r.stats.pledge_registrations_ytd,
        })
        .collect()
}

/// A correction line, formatted.
pub struct CorrectionLine {
    pub district: String,
    pub figure: &'static str,
    pub published: String,
    pub current: String,
}

fn correction_lines(c: &[Correction]) -> Vec<CorrectionLine> {
    c.iter()
        .map(|c| {
            let f = |v: i64| if c.money { yuan(v) } else { v.to_string() };
            CorrectionLine {
                district: c.district_name.clone(),
                figure: c.figure,
                published: f(c.published),
                current: f(c.current),
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "bulletins.html")]
struct ListPage {
    ctx: PageCtx,
    list: Vec<ipfin_store::bulletin::BulletinSummary>,
    city: bool,
    own: Option<String>,
    suggested: String,
}

/// `GET /bulletins`: the issued bulletins; the city starts a new one from here.
pub async fn list(State(state): State<AppState>, actor: Actor) -> AppResult<Response> {
    let page = ListPage {
        ctx: PageCtx::new(&actor, &state, "/bulletins"),
        list: state.store.bulletins(&actor.scope).await?,
        city: actor.scope.is_city(),
        own: actor.scope.district().map(str::to_string),
        suggested: last_ended_quarter().to_string(),
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "bulletin_new.html")]
struct NewPage {
    ctx: PageCtx,
    quarter: String,
    label: String,
    ended: bool,
    issued: bool,
    as_of: chrono::NaiveDate,
    lines: Vec<RankLine>,
    completion_chart: String,
    yoy_chart: String,
    errors: FormErrors,
    form: IssueForm,
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct NewQuery {
    pub quarter: Option<String>,
}

async fn new_page(
    state: &AppState,
    actor: &Actor,
    q: Quarter,
    errors: FormErrors,
    form: IssueForm,
) -> AppResult<NewPage> {
    let snap = state.store.snapshot(q).await?;
    let (c1, c2) = charts(&snap, actor.lang);
    let issued = state
        .store
        .bulletins(&actor.scope)
        .await?
        .iter()
        .any(|b| b.quarter == q.to_string());
    Ok(NewPage {
        ctx: PageCtx::new(actor, state, "/bulletins"),
        quarter: q.to_string(),
        label: quarter_label(q, actor.lang),
        ended: q.ended_by(crate::usecase::stats::today()),
        issued,
        as_of: snap.as_of,
        lines: rank_lines(&snap),
        completion_chart: c1,
        yoy_chart: c2,
        errors,
        form,
    })
}

/// `GET /bulletins/new?quarter=`: the figures the bulletin would freeze, commendations to
/// choose, and the confirmation (the city).
pub async fn new(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<NewQuery>,
) -> AppResult<Response> {
    let quarter = match q
        .quarter
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(s) => quarter_param(s)?,
        None => last_ended_quarter(),
    };
    let page = new_page(
        &state,
        &actor,
        quarter,
        FormErrors::default(),
        IssueForm::default(),
    )
    .await?;
    Ok(render(StatusCode::OK, &page))
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct IssueForm {
    pub quarter: String,
    pub title: String,
    pub confirm: Option<String>,
}

/// `POST /bulletins`: issues the bulletin; commendations are the ticked districts
/// (`commend`) each with its reason (`reason_<code>`).
pub async fn create(
    State(state): State<AppState>,
    actor: Actor,
    form: CsrfForm<IssueForm>,
) -> AppResult<Response> {
    let f = form.data.clone();
    let q = quarter_param(&f.quarter)?;
    let praise: Vec<(String, String)> = form
        .all("commend")
        .iter()
        .map(|code| {
            let key = format!("reason_{code}");
            let reason = form
                .pairs
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            (code.to_string(), reason)
        })
        .collect();
    let r: AppResult<i64> = async {
        super::require_confirm(&f.confirm).map_err(AppError::invalid)?;
        issue(&state, &actor, q, &f.title, &praise).await
    }
    .await;
    match r {
        Ok(_) => Ok(see_other(&format!("/bulletins/{q}"), "created")),
        Err(e) if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN => {
            let status = e.status;
            let page =
                new_page(&state, &actor, q, FormErrors::from_error(&e, actor.lang), f).await?;
            Ok(render(status, &page))
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "bulletin.html")]
struct ShowPage {
    ctx: PageCtx,
    quarter: String,
    title: String,
    issued_on: chrono::NaiveDate,
    as_of: chrono::NaiveDate,
    lines: Vec<RankLine>,
    commendations: Vec<Commendation>,
    corrections: Vec<CorrectionLine>,
    completion_chart: String,
    yoy_chart: String,
    own: Option<String>,
}

fn parse_quarter(s: &str) -> AppResult<Quarter> {
    Quarter::parse(s).map_err(|_| AppError::not_found())
}

/// `GET /bulletins/{quarter}`: the bulletin as issued, with later corrections listed below it.
pub async fn show(
    State(state): State<AppState>,
    actor: Actor,
    Path(quarter): Path<String>,
    Query(q): Query<super::ListQuery>,
) -> AppResult<Response> {
    let v = bulletin_view(&state, &actor.scope, parse_quarter(&quarter)?).await?;
    let (c1, c2) = charts(&v.bulletin.snapshot, actor.lang);
    let page = ShowPage {
        ctx: PageCtx::new(&actor, &state, "/bulletins").with_flash(super::flash_key(&q.ok)),
        quarter: v.bulletin.quarter.to_string(),
        title: v.bulletin.title.clone(),
        issued_on: v.bulletin.issued_on,
        as_of: v.bulletin.snapshot.as_of,
        lines: rank_lines(&v.bulletin.snapshot),
        commendations: v.bulletin.commendations.clone(),
        corrections: correction_lines(&v.corrections),
        completion_chart: c1,
        yoy_chart: c2,
        own: actor.scope.district().map(str::to_string),
    };
    Ok(render(StatusCode::OK, &page))
}

/// A district's detailed figures, formatted (label, value).
fn detail(r: &BulletinRow) -> Vec<(&'static str, String)> {
    let s = &r.stats;
    let share = |part: Fen, total: Fen| {
        if total.is_positive() {
            format!(
                "{}（{}）",
                yuan(part),
                Metric::SmeShare.show(ipfin_domain::target::sme_share_bp(part, total))
            )
        } else {
            yuan(part)
        }
    };
    vec![
        ("本季度质押融资金额（元）", yuan(s.quarter.amount_fen)),
        ("本季度贷款笔数", s.quarter.loans.to_string()),
        ("本季度获贷企业数", s.quarter.enterprises.to_string()),
        ("本季度首贷企业数", s.quarter.first_loans.to_string()),
        (
            "其中专利质押（元）",
            share(s.quarter.patent_amount_fen, s.quarter.amount_fen),
        ),
        (
            "其中商标质押（元）",
            share(s.quarter.trademark_amount_fen, s.quarter.amount_fen),
        ),
        (
            "其中版权质押（元）",
            share(s.quarter.copyright_amount_fen, s.quarter.amount_fen),
        ),
        (
            "中小微企业融资（元，占比）",
            share(s.quarter.sme_amount_fen, s.quarter.amount_fen),
        ),
        (
            "上年同期融资金额（元）",
            yuan(s.last_year_quarter.amount_fen),
        ),
        ("同比", pct(&s.yoy_amount_pct)),
        ("本年累计融资金额（元）", yuan(s.year_to_date.amount_fen)),
        ("本年累计贷款笔数", s.year_to_date.loans.to_string()),
        ("本年累计获贷企业数", s.year_to_date.enterprises.to_string()),
        ("本年累计首贷企业数", s.year_to_date.first_loans.to_string()),
        (
            "本年累计中小微企业融资（元，占比）",
            share(s.year_to_date.sme_amount_fen, s.year_to_date.amount_fen),
        ),
        ("本季度质押登记笔数", s.pledge_registrations.to_string()),
        (
            "本年累计质押登记笔数",
            s.pledge_registrations_ytd.to_string(),
        ),
        ("本季度资助核定金额（元）", yuan(s.granted_fen)),
        ("本季度资助拨付金额（元）", yuan(s.disbursed_fen)),
        ("全市排名（按金额目标完成率）", r.rank.to_string()),
        ("按本年累计金额排名", s.rank_ytd_amount.to_string()),
    ]
}

fn completion_detail(r: &BulletinRow, lang: Lang) -> Vec<(String, String, String, String)> {
    r.completion
        .iter()
        .map(|c| {
            (
                c.metric.label(lang).to_string(),
                super::stats::show(c.metric, c.target, lang),
                super::stats::show(c.metric, c.actual, lang),
                pct(&c.pct),
            )
        })
        .collect()
}

#[derive(Template)]
#[template(path = "feedback.html")]
struct FeedbackPage {
    ctx: PageCtx,
    f: Feedback,
    detail: Vec<(&'static str, String)>,
    completion: Vec<(String, String, String, String)>,
    corrections: Vec<CorrectionLine>,
}

/// `GET /bulletins/{quarter}/districts/{code}`: a district's feedback data (the city, or that
/// district only).
pub async fn feedback(
    State(state): State<AppState>,
    actor: Actor,
    Path((quarter, code)): Path<(String, String)>,
) -> AppResult<Response> {
    if !actor.scope.reads_district(&code) {
        return Err(AppError::not_found());
    }
    let f = feedback_view(&state, &actor.scope, parse_quarter(&quarter)?, &code).await?;
    let page = FeedbackPage {
        ctx: PageCtx::new(&actor, &state, "/bulletins"),
        detail: detail(&f.row),
        completion: completion_detail(&f.row, actor.lang),
        corrections: correction_lines(&f.corrections),
        f,
    };
    Ok(render(StatusCode::OK, &page))
}

fn sheet_err(e: rust_xlsxwriter::XlsxError) -> AppError {
    AppError::internal(e)
}

/// A district's detailed figures as typed cells for the workbook: amounts in 元, counts, and
/// each share and the year-on-year change as a percentage of its own.
fn detail_cells(r: &BulletinRow) -> Vec<(&'static str, Cell)> {
    let s = &r.stats;
    let share = |part: Fen, total: Fen| {
        if total.is_positive() {
            Cell::Percent(Decimal::new(
                ipfin_domain::target::sme_share_bp(part, total),
                2,
            ))
        } else {
            Cell::Empty
        }
    };
    let q = &s.quarter;
    let y = &s.year_to_date;
    vec![
        ("本季度质押融资金额（元）", Cell::Yuan(q.amount_fen)),
        ("本季度贷款笔数", Cell::Count(q.loans)),
        ("本季度获贷企业数", Cell::Count(q.enterprises)),
        ("本季度首贷企业数", Cell::Count(q.first_loans)),
        ("其中专利质押（元）", Cell::Yuan(q.patent_amount_fen)),
        ("专利质押占比", share(q.patent_amount_fen, q.amount_fen)),
        ("其中商标质押（元）", Cell::Yuan(q.trademark_amount_fen)),
        ("商标质押占比", share(q.trademark_amount_fen, q.amount_fen)),
        ("其中版权质押（元）", Cell::Yuan(q.copyright_amount_fen)),
        ("版权质押占比", share(q.copyright_amount_fen, q.amount_fen)),
        ("中小微企业融资（元）", Cell::Yuan(q.sme_amount_fen)),
        ("中小微企业融资占比", share(q.sme_amount_fen, q.amount_fen)),
        (
            "上年同期融资金额（元）",
            Cell::Yuan(s.last_year_quarter.amount_fen),
        ),
        ("同比", Cell::percent(s.yoy_amount_pct)),
        ("本年累计融资金额（元）", Cell::Yuan(y.amount_fen)),
        ("本年累计贷款笔数", Cell::Count(y.loans)),
        ("本年累计获贷企业数", Cell::Count(y.enterprises)),
        ("本年累计首贷企业数", Cell::Count(y.first_loans)),
        ("本年累计中小微企业融资（元）", Cell::Yuan(y.sme_amount_fen)),
        (
            "本年累计中小微企业融资占比",
            share(y.sme_amount_fen, y.amount_fen),
        ),
        ("本季度质押登记笔数", Cell::Count(s.pledge_registrations)),
        (
            "本年累计质押登记笔数",
            Cell::Count(s.pledge_registrations_ytd),
        ),
        ("本季度资助核定金额（元）", Cell::Yuan(s.granted_fen)),
        ("本季度资助拨付金额（元）", Cell::Yuan(s.disbursed_fen)),
        (
            "全市排名（按金额目标完成率）",
            Cell::Count(i64::from(r.rank)),
        ),
        (
            "按本年累计金额排名",
            Cell::Count(i64::from(s.rank_ytd_amount)),
        ),
    ]
}

/// The bulletin as a workbook officials can compute with (decision 0038): the ranking, every
/// district's detailed figures, the commendations, and (on its own sheet) the corrections made
/// since issue — amounts in 元 as numbers (`#,##0.00`), counts as whole numbers, completion,
/// shares and year on year as percentages (`0.0%`), the dates as dates.
pub fn workbook(v: &BulletinView) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let b = &v.bulletin;
    let f = Formats::new();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("排名")?;
    ws.write_string_with_format(0, 0, &b.title, &f.bold)?;
    let dated = [
        (0, Cell::text("数据截至")),
        (1, Cell::Date(b.snapshot.as_of)),
        (2, Cell::text("印发日期")),
        (3, Cell::Date(b.issued_on)),
        (4, Cell::text("发文字号")),
        (5, Cell::text(doc_number(b))),
    ];
    for (c, cell) in &dated {
        write_cell(ws, &f, 1, *c, cell)?;
    }
    let head = [
        "排名",
        "区",
        "年度金额目标（元）",
        "本年累计（元）",
        "完成率",
        "本季度（元）",
        "上年同期（元）",
        "同比",
        "本季度笔数",
        "本年获贷企业数",
        "本年质押登记笔数",
    ];
    for (c, h) in head.iter().enumerate() {
        ws.write_string_with_format(3, c as u16, *h, &f.bold)?;
    }
    for (i, r) in b.snapshot.rows.iter().enumerate() {
        let st = &r.stats;
        let target = r
            .completion
            .iter()
            .find(|c| c.metric == Metric::Amount)
            .map(|c| Fen::new(c.target));
        let cells = [
            Cell::Count(i64::from(r.rank)),
            Cell::text(r.district_name.clone()),
            Cell::yuan(target),
            Cell::Yuan(st.year_to_date.amount_fen),
            Cell::percent(r.amount_pct),
            Cell::Yuan(st.quarter.amount_fen),
            Cell::Yuan(st.last_year_quarter.amount_fen),
            Cell::percent(st.yoy_amount_pct),
            Cell::Count(st.quarter.loans),
            Cell::Count(st.year_to_date.enterprises),
            Cell::Count(st.pledge_registrations_ytd),
        ];
        for (c, cell) in cells.iter().enumerate() {
            write_cell(ws, &f, i as u32 + 4, c as u16, cell)?;
        }
    }
    ws.set_freeze_panes(4, 2)?;
    ws.autofit();
    let ws = wb.add_worksheet();
    ws.set_name("分区反馈数据")?;
    let rows = &b.snapshot.rows;
    ws.write_string_with_format(0, 0, "指标", &f.bold)?;
    for (c, r) in rows.iter().enumerate() {
        ws.write_string_with_format(0, c as u16 + 1, &r.district_name, &f.bold)?;
    }
    if let Some(first) = rows.first() {
        for (i, (label, _)) in detail_cells(first).iter().enumerate() {
            ws.write_string(i as u32 + 1, 0, *label)?;
        }
    }
    for (c, r) in rows.iter().enumerate() {
        for (i, (_, value)) in detail_cells(r).iter().enumerate() {
            write_cell(ws, &f, i as u32 + 1, c as u16 + 1, value)?;
        }
    }
    ws.set_freeze_panes(1, 1)?;
    ws.autofit();
    let praise: Vec<Vec<Cell>> = b
        .commendations
        .iter()
        .map(|c| {
            vec![
                Cell::text(c.district_name.clone()),
                Cell::text(c.reason.clone()),
            ]
        })
        .collect();
    write_sheet(&mut wb, &f, "通报表扬", &["区", "理由"], &praise)?;
    let ws = wb.add_worksheet();
    ws.set_name("印发后更正")?;
    ws.write_string(0, 0, "以下为通报印发后数据更正的情况；通报正文数据不变。")?;
    for (c, h) in ["区", "指标", "通报数", "现数"].iter().enumerate() {
        ws.write_string_with_format(1, c as u16, *h, &f.bold)?;
    }
    for (i, c) in v.corrections.iter().enumerate() {
        let r = i as u32 + 2;
        let value = |n: i64| {
            if c.money {
                Cell::Yuan(Fen::new(n))
            } else {
                Cell::Count(n)
            }
        };
        let cells = [
            Cell::text(c.district_name.clone()),
            Cell::text(c.figure),
            value(c.published),
            value(c.current),
        ];
        for (col, cell) in cells.iter().enumerate() {
            write_cell(ws, &f, r, col as u16, cell)?;
        }
    }
    ws.autofit();
    wb.save_to_buffer()
}

/// `GET /bulletins/{quarter}/bulletin.xlsx`.
pub async fn xlsx(
    State(state): State<AppState>,
    actor: Actor,
    Path(quarter): Path<String>,
) -> AppResult<Response> {
    let v = bulletin_view(&state, &actor.scope, parse_quarter(&quarter)?).await?;
    let bytes = workbook(&v).map_err(sheet_err)?;
    Ok(super::import::xlsx(
        bytes,
        &format!("bulletin-{quarter}.xlsx"),
    ))
}

/// The 机关代字 of a bulletin's 发文字号 (知识产权质押融资通报): `知融通〔2026〕3号`. A city with
/// its own 代字 changes it here (it is not data; decision 0038).
pub const BULLETIN_CODE: &str = "知融通";
/// The 发文机关 when the issuing person's organisation is unknown.
const DEFAULT_ISSUER: &str = "市知识产权主管部门";
/// A quarter as documents write it: `2026年第三季度` (the one formatter, `ipfin_domain::format`).
pub fn quarter_cn(q: Quarter) -> String {
    ipfin_domain::format::quarter_zh(q.year, q.q)
}

/// The bulletin's 发文字号: the 代字, the year of issue and the bulletin's number in that year.
pub fn doc_number(b: &ipfin_store::bulletin::Bulletin) -> String {
    use chrono::Datelike;
    format!("{BULLETIN_CODE}〔{}〕{}号", b.issued_on.year(), b.number)
}

/// Whether every figure of a district's line is zero: its page is left out of the Word document
/// and the district named in one line instead.
pub fn all_zero(r: &BulletinRow) -> bool {
    let s = &r.stats;
    let none = ipfin_store::stats::LoanFigures::default();
    s.quarter == none
        && s.year_to_date == none
        && s.last_year_quarter == none
        && s.pledge_registrations == 0
        && s.pledge_registrations_ytd == 0
        && s.granted_fen == Fen::ZERO
        && s.disbursed_fen == Fen::ZERO
}

/// The bulletin as an official document (GB/T 9704, decision 0038): the 版头 with the 发文机关标志
/// and 发文字号, title, 主送机关, the overall figures, the ranking with its charts (a chart
/// without data is left out), the commendations, the 附件说明 and 落款; then the attachment with
/// one page per district that has figures (districts whose figures are all zero are named in one
/// line), and the 版记. Corrections after issue are not part of the issued document.
pub fn document(v: &BulletinView) -> Result<Vec<u8>, crate::docx::DocxError> {
    use crate::docx::{HeadLine, date_cn};
    let b = &v.bulletin;
    let s = &b.snapshot;
    let issuer = b
        .issuer
        .clone()
        .filter(|i| !i.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_ISSUER.to_string());
    let (c1, c2) = charts(s, Lang::Zh);
    // City totals of the districts' amounts, checked: a sum beyond fen fails the document.
    let city_total = |f: fn(&BulletinRow) -> Fen| {
        Fen::sum(s.rows.iter().map(f))
            .map_err(|_| crate::docx::DocxError::Figures("a city total is out of range".into()))
    };
    let total = city_total(|r| r.stats.quarter.amount_fen)?;
    let ytd = city_total(|r| r.stats.year_to_date.amount_fen)?;
    let loans: i64 = s.rows.iter().map(|r| r.stats.quarter.loans).sum();
    let quarter = quarter_cn(s.quarter);
    let mut d = DocBuilder::official();
    d.properties(&issuer, &b.title, b.issued_on)
        .letterhead(&format!("{issuer}文件"), HeadLine::Centred(doc_number(b)))
        .title(&b.title)
        .addressee("各区知识产权质押融资工作领导小组，市有关单位：");
    d.paragraph(&format!(
        "现将{quarter}全市知识产权质押融资工作情况通报如下（数据截至{}，按放款日期和质押登记日期统计）。",
        date_cn(s.as_of)
    ));
    d.heading(1, "一、总体情况");
    d.paragraph(&format!(
        "本季度全市新增知识产权质押融资{}万元，共{}笔；本年累计{}万元。",
        format_wan(total.get()),
        loans,
        format_wan(ytd.get())
    ));
    d.heading(1, "二、各区目标完成情况");
    // Amounts in 万元 so the ranking fits an A4 page (the page and the workbook keep 元).
    let cols = [
        Column::numeric("排名", 6),
        Column::text("区", 12),
        Column::numeric("年度目标（万元）", 16),
        Column::numeric("本年累计（万元）", 16),
        Column::numeric("完成率", 10),
        Column::numeric("本季度（万元）", 16),
        Column::numeric("同比", 10),
    ];
    let rows: Vec<Vec<String>> = s
        .rows
        .iter()
        .map(|r| {
            vec![
                r.rank.to_string(),
                r.district_name.clone(),
                r.completion
                    .iter()
                    .find(|c| c.metric == Metric::Amount)
                    .map(|c| format_wan(c.target))
                    .unwrap_or_else(|| "—".into()),
                format_wan(r.stats.year_to_date.amount_fen.get()),
                pct(&r.amount_pct),
                format_wan(r.stats.quarter.amount_fen.get()),
                pct(&r.stats.yoy_amount_pct),
            ]
        })
        .collect();
    d.table(&cols, &rows);
    // An empty chart is not drawn: no completion above zero, or no amount in either year.
    let completion_drawn = s
        .rows
        .iter()
        .any(|r| r.amount_pct.is_some_and(|p| p > Decimal::ZERO));
    let yoy_drawn = s.rows.iter().any(|r| {
        r.stats.quarter.amount_fen != Fen::ZERO || r.stats.last_year_quarter.amount_fen != Fen::ZERO
    });
    let mut figure = 0;
    if completion_drawn {
        figure += 1;
        d.chart(
            &c1,
            Some(&format!(
                "图{figure}　各区质押融资金额目标完成率（虚线为序时进度）"
            )),
        );
    }
    if yoy_drawn {
        figure += 1;
        d.chart(
            &c2,
            Some(&format!("图{figure}　各区本季度质押融资金额同比")),
        );
    }
    if !completion_drawn && !yoy_drawn {
        d.paragraph("本季度各区均无融资金额，不附图表。");
    }
    d.heading(1, "三、通报表扬");
    if b.commendations.is_empty() {
        d.paragraph("本季度无通报表扬。");
    } else {
        for c in &b.commendations {
            d.rich_paragraph(&[
                Span::bold(format!("{}：", c.district_name)),
                Span::plain(c.reason.clone()),
            ]);
        }
    }
    d.heading(1, "四、各区反馈数据");
    d.paragraph("各区本季度详细数据见附件，请各区对照核实，有出入的于10个工作日内反馈。");
    d.blank_line()
        .paragraph("附件：各区知识产权质押融资反馈数据")
        .signature(&issuer, b.issued_on);
    // The attachment: one page per district with figures; the others named in one line.
    let (empty, with_data): (Vec<&BulletinRow>, Vec<&BulletinRow>) =
        s.rows.iter().partition(|r| all_zero(r));
    d.page_break()
        .label("附件")
        .title("各区知识产权质押融资反馈数据");
    if !empty.is_empty() {
        let names: Vec<&str> = empty.iter().map(|r| r.district_name.as_str()).collect();
        d.paragraph(&format!("以下区本季度无数据：{}。", names.join("、")));
    }
    for (i, r) in with_data.iter().enumerate() {
        if i > 0 {
            d.page_break();
        }
        d.heading(1, &r.district_name);
        let rows: Vec<Vec<String>> = detail(r)
            .into_iter()
            .map(|(k, v)| vec![k.to_string(), v])
            .collect();
        d.table(
            &[Column::text("指标", 30), Column::numeric("数值", 20)],
            &rows,
        );
    }
    d.imprint(&issuer, b.issued_on);
    d.build()
}

/// `GET /bulletins/{quarter}/bulletin.docx`.
pub async fn docx(
    State(state): State<AppState>,
    actor: Actor,
    Path(quarter): Path<String>,
) -> AppResult<Response> {
    let v = bulletin_view(&state, &actor.scope, parse_quarter(&quarter)?).await?;
    let bytes = document(&v).map_err(AppError::internal)?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                    .to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"bulletin-{quarter}.docx\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ipfin_store::bulletin::{Bulletin, Completion};
    use ipfin_store::stats::DistrictQuarter;
    use std::io::Read;

    fn view() -> BulletinView {
        let q = Quarter { year: 2026, q: 3 };
        let mut stats = DistrictQuarter {
            district: "440305".into(),
            ..Default::default()
        };
        stats.quarter.amount_fen = Fen::new(123_456_789);
        stats.year_to_date.amount_fen = Fen::new(450_000_000);
        let row = BulletinRow {
            district_code: "440305".into(),
            district_name: "南山区".into(),
            stats,
            completion: vec![Completion {
                metric: Metric::Amount,
                target: 1_000_000_000,
                actual: 450_000_000,
                pct: Some(Decimal::new(450, 1)),
            }],
            amount_pct: Some(Decimal::new(450, 1)),
            rank: 1,
        };
        let empty = BulletinRow {
            district_code: "440308".into(),
            district_name: "盐田区".into(),
            stats: DistrictQuarter {
                district: "440308".into(),
                ..Default::default()
            },
            completion: vec![],
            amount_pct: None,
            rank: 2,
        };
        BulletinView {
            bulletin: Bulletin {
                id: 1,
                quarter: q,
                title: "关于2026年第3季度知识产权质押融资工作情况的通报".into(),
                issued_on: "2026-10-09".parse().expect("date"),
                issued_at: 0,
                snapshot: Snapshot {
                    quarter: q,
                    as_of: q.last_day(),
                    rows: vec![row, empty],
                },
                commendations: vec![Commendation {
                    district_code: "440305".into(),
                    district_name: "南山区".into(),
                    reason: "首贷企业增长显著".into(),
                }],
                issuer: Some("深圳市市场监督管理局（知识产权局）".into()),
                number: 3,
            },
            corrections: vec![],
        }
    }

    fn part(bytes: &[u8], name: &str) -> String {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
        let mut xml = String::new();
        zip.by_name(name)
            .expect(name)
            .read_to_string(&mut xml)
            .expect("read");
        xml
    }

    #[test]
    fn the_word_document_has_the_figures_the_commendation_and_both_charts() {
        let bytes = document(&view()).expect("docx");
        let xml = part(&bytes, "word/document.xml");
        for text in [
            "关于2026年第3季度知识产权质押融资工作情况的通报",
            "南山区",
            "首贷企业增长显著",
            "1,234,567.89",
            "45.0%",
        ] {
            assert!(xml.contains(text), "{text} missing");
        }
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
        let charts = zip
            .file_names()
            .filter_map(Result::ok)
            .filter(|n| n.starts_with("word/media/") && n.ends_with(".svg"))
            .count();
        assert_eq!(charts, 2, "both charts embedded");
        assert!(zip.by_name("word/media/rIdChart1.png").is_ok());
    }

    #[test]
    fn the_word_document_is_an_official_document() {
        let bytes = document(&view()).expect("docx");
        let xml = part(&bytes, "word/document.xml");
        // 版头: the red mark, the 文号 and the red rule under it.
        assert!(xml.contains("深圳市市场监督管理局（知识产权局）文件"));
        assert!(xml.contains("<w:color w:val=\"FF0000\" />"), "red mark");
        assert!(xml.contains("知融通〔2026〕3号"));
        assert!(xml.contains("w:color=\"FF0000\""), "red separator");
        // 主送机关, 落款 with the 成文日期 in Chinese, the 印发 line in a frame at the foot.
        assert!(xml.contains("各区知识产权质押融资工作领导小组，市有关单位："));
        assert_eq!(
            xml.matches("2026年10月9日").count(),
            2,
            "落款 and 印发 line"
        );
        assert!(xml.contains("2026年10月9日印发"));
        assert!(xml.contains("w:yAlign=\"bottom\""), "版记 at the foot");
        assert!(xml.contains("2026年第三季度"), "the quarter in words");
        // The district without figures has no page: named in one line instead.
        assert!(xml.contains("以下区本季度无数据：盐田区。"));
        let headings: Vec<&str> = xml
            .split("<w:p ")
            .filter(|p| p.contains("w:val=\"Heading1\""))
            .collect();
        assert!(headings.iter().any(|h| h.contains(">南山区<")));
        assert!(
            !headings.iter().any(|h| h.contains("盐田区")),
            "no page for 盐田区"
        );
        // Page: 156 mm × 225 mm text area (top 37 mm, left 28 mm), the 22-line grid.
        for margin in [
            "w:top=\"2098\"",
            "w:left=\"1587\"",
            "w:right=\"1474\"",
            "w:bottom=\"1984\"",
        ] {
            assert!(xml.contains(margin), "{margin}");
        }
        assert!(xml.contains("w:linePitch=\"579\""));
        // Fonts: 仿宋_GB2312 三号 body, 小标宋 title, 黑体 and 楷体 headings, with fallbacks.
        let styles = part(&bytes, "word/styles.xml");
        for font in ["仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312"] {
            assert!(styles.contains(&format!("w:eastAsia=\"{font}\"")), "{font}");
        }
        assert!(
            styles.contains("<w:sz w:val=\"32\" />") && styles.contains("<w:sz w:val=\"44\" />")
        );
        let fonts = part(&bytes, "word/fontTable.xml");
        assert!(fonts.contains("w:name=\"仿宋_GB2312\"><w:altName w:val=\"仿宋\""));
        // Page numbers "— n —", odd pages right and even pages left.
        let footers: String = (1..=2)
            .map(|n| part(&bytes, &format!("word/footer{n}.xml")))
            .collect();
        assert!(footers.contains("— ") && footers.contains(" —"));
        assert!(footers.contains("w:val=\"right\"") && footers.contains("w:val=\"left\""));
        assert!(part(&bytes, "word/settings.xml").contains("evenAndOddHeaders"));
        // Metadata: the issuing organisation and the issue date.
        let core = part(&bytes, "docProps/core.xml");
        assert!(core.contains("<dc:creator>深圳市市场监督管理局（知识产权局）</dc:creator>"));
        assert!(core.contains("<dcterms:created xsi:type=\"dcterms:W3CDTF\">2026-10-09T04:00:00Z"));
        assert!(core.contains("<dc:title>关于2026年第3季度"));
    }

    /// Writes the sample bulletin to /tmp for a look:
    /// `cargo test -p ipfin-web --lib write_bulletin_sample -- --ignored`, then
    /// `soffice --headless --convert-to pdf --outdir /tmp /tmp/ipfin-bulletin.docx`.
    #[test]
    #[ignore]
    fn write_bulletin_sample() {
        std::fs::write("/tmp/ipfin-bulletin.docx", document(&view()).expect("docx"))
            .expect("write");
    }

    #[test]
    fn empty_charts_are_not_drawn() {
        let mut v = view();
        for r in &mut v.bulletin.snapshot.rows {
            r.stats = DistrictQuarter {
                district: r.district_code.clone(),
                ..Default::default()
            };
            r.amount_pct = None;
        }
        let bytes = document(&v).expect("docx");
        let xml = part(&bytes, "word/document.xml");
        assert!(!xml.contains("<w:drawing>"), "no picture");
        assert!(xml.contains("本季度各区均无融资金额，不附图表。"));
        assert!(xml.contains("以下区本季度无数据：南山区、盐田区。"));
    }

    #[test]
    fn the_workbook_has_its_four_sheets() {
        let bytes = workbook(&view()).expect("xlsx");
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
        let mut wb = String::new();
        zip.by_name("xl/workbook.xml")
            .expect("workbook.xml")
            .read_to_string(&mut wb)
            .expect("read");
        for sheet in ["排名", "分区反馈数据", "通报表扬", "印发后更正"] {
            assert!(wb.contains(sheet), "{sheet} missing");
        }
    }
}
