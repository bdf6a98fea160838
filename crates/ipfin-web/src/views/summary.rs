//! District summaries and information reporting on pages (SPEC §8 R4.4; issue #8 item 4): the
//! overview of districts × periods (XLSX export), a district's page for a period (the draft
//! form with the results pre-filled from the statistics, submission with confirmation, the
//! revisions with the city's comments, the information requests and their answers), one
//! revision's page and its Word export. The data comes from `api::summary`.

use super::{
    CsrfForm, FormErrors, OkQuery, PageCtx, after_post, flash_key, render, require_confirm,
    see_other,
};
use crate::AppState;
use crate::actor::Actor;
use crate::docx::{Column, DocBuilder, Span};
use crate::error::{AppError, AppResult};
use crate::http::{path_id, write};
use crate::i18n::T;
use crate::usecase::stats::{YearQuery, today};
use crate::usecase::summary::{PeriodQuery, PeriodView, district_in_scope, period_view};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Datelike;
use ipfin_domain::Lang;
use ipfin_domain::summary::{Figures, Period, Section, Sections, wan};
use ipfin_store::summary::{InfoRequest, OverviewRow, Summary};
use rust_xlsxwriter::{Format, Workbook};
use serde::Deserialize;

/// A Unix time as a Beijing-time date (2026年10月9日).
fn date_zh(secs: i64) -> String {
    date_in(secs, Lang::Zh)
}

/// A Unix time as a Beijing-time date in the reader's language (9 Oct 2026).
fn date_in(secs: i64, lang: Lang) -> String {
    let offset = chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8");
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|t| ipfin_domain::format::date(t.with_timezone(&offset).date_naive(), lang))
        .unwrap_or_default()
}

fn pct(p: &Option<rust_decimal::Decimal>) -> String {
    crate::views::stats::pct(p)
}

/// The figures behind a results text as (label, value) lines.
pub fn figure_lines(f: &Figures, t: T) -> Vec<(String, String)> {
    let mut out = vec![
        (t.s("summary.f_amount").to_string(), wan(f.amount_fen)),
        (t.s("summary.f_loans").to_string(), f.loans.to_string()),
        (
            t.s("summary.f_enterprises").to_string(),
            f.enterprises.to_string(),
        ),
        (
            t.s("summary.f_first_loans").to_string(),
            f.first_loans.to_string(),
        ),
        (t.s("summary.f_pledges").to_string(), f.pledges.to_string()),
        (
            t.s("summary.f_last_year").to_string(),
            wan(f.last_year_amount_fen),
        ),
        (t.s("summary.f_yoy").to_string(), pct(&f.yoy_amount_pct)),
        (
            t.s("summary.f_ytd_amount").to_string(),
            wan(f.ytd_amount_fen),
        ),
        (
            t.s("summary.f_ytd_enterprises").to_string(),
            f.ytd_enterprises.to_string(),
        ),
        (
            t.s("summary.f_ytd_pledges").to_string(),
            f.ytd_pledges.to_string(),
        ),
    ];
    for c in &f.targets {
        out.push((
            format!("{}{}", c.metric.label(t.0), t.s("summary.f_completion")),
            pct(&c.pct),
        ));
    }
    if f.districts > 0 {
        out.push((
            t.s("summary.f_rank").to_string(),
            format!("{} / {}", f.rank, f.districts),
        ));
    }
    out.push((t.s("summary.f_granted").to_string(), wan(f.granted_fen)));
    out.push((t.s("summary.f_disbursed").to_string(), wan(f.disbursed_fen)));
    out
}

fn period_label(p: Period, lang: Lang) -> String {
    match lang {
        Lang::Zh => p.zh(),
        Lang::En => p.en(),
    }
}

/// A submitted revision (or the draft) as a page shows it.
struct RevisionView {
    id: i64,
    revision: String,
    submitted: String,
    by: String,
    sections: Vec<(&'static str, Vec<String>)>,
    figures: Vec<(String, String)>,
    comments: Vec<(String, String, String)>,
}

fn revision_view(s: &Summary, ctx: &PageCtx) -> RevisionView {
    RevisionView {
        id: s.id,
        revision: match s.revision {
            Some(n) => ctx.t.s("summary.revision_n").replace("{n}", &n.to_string()),
            None => ctx.t.s("summary.draft").to_string(),
        },
        submitted: ctx.opt_datetime(&s.submitted_at),
        by: s.submitted_by_name.clone().unwrap_or_default(),
        sections: Section::ALL
            .iter()
            .map(|sec| {
                (
                    sec.label(ctx.lang),
                    s.sections.get(*sec).lines().map(str::to_string).collect(),
                )
            })
            .collect(),
        figures: figure_lines(&s.figures, ctx.t),
        comments: s
            .comments
            .iter()
            .map(|c| {
                (
                    c.author_name.clone(),
                    ctx.datetime(&c.created_at),
                    c.text.clone(),
                )
            })
            .collect(),
    }
}

struct CellView {
    href: String,
    text: String,
    class: &'static str,
    open_requests: i64,
}

struct OverviewLine {
    name: String,
    cells: Vec<CellView>,
}

#[derive(Template)]
#[template(path = "summaries.html")]
struct OverviewPage {
    ctx: PageCtx,
    year: i32,
    years: Vec<i32>,
    periods: Vec<String>,
    lines: Vec<OverviewLine>,
}

fn overview_lines(rows: &[OverviewRow], ctx: &PageCtx) -> Vec<OverviewLine> {
    rows.iter()
        .map(|r| OverviewLine {
            name: r.district_name.clone(),
            cells: r
                .cells
                .iter()
                .map(|c| {
                    let (text, class) = match (c.revision, c.draft) {
                        (Some(n), _) => (
                            format!(
                                "{} · {}",
                                ctx.t.s("summary.revision_n").replace("{n}", &n.to_string()),
                                c.submitted_at
                                    .map(|at| date_in(at, ctx.lang))
                                    .unwrap_or_default()
                            ),
                            "on",
                        ),
                        (None, true) => (ctx.t.s("summary.draft").to_string(), "off"),
                        (None, false) => (ctx.t.s("summary.not_submitted").to_string(), "off"),
                    };
                    CellView {
                        href: format!(
                            "/summaries/districts/{}?period={}",
                            r.district_code, c.period
                        ),
                        text,
                        class,
                        open_requests: c.open_requests,
                    }
                })
                .collect(),
        })
        .collect()
}

/// `GET /summaries?year=`: districts × periods (the city all; a district its own row).
pub async fn overview(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    let year = q.year()?;
    let rows = state.store.summary_overview(&actor.scope, year).await?;
    let ctx = PageCtx::new(&actor, &state, "/summaries");
    let this = today().year();
    let page = OverviewPage {
        lines: overview_lines(&rows, &ctx),
        periods: Period::of_year(year)
            .into_iter()
            .map(|p| period_label(p, ctx.lang))
            .collect(),
        years: (this - 2..=this).rev().collect(),
        year,
        ctx,
    };
    Ok(render(StatusCode::OK, &page))
}

/// `GET /summaries/export.xlsx?year=`: the overview as a workbook.
pub async fn overview_xlsx(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    let year = q.year()?;
    let rows = state.store.summary_overview(&actor.scope, year).await?;
    let bytes = overview_workbook(year, &rows).map_err(AppError::internal)?;
    Ok(super::import::xlsx(
        bytes,
        &format!("summaries-{year}.xlsx"),
    ))
}

fn overview_workbook(
    year: i32,
    rows: &[OverviewRow],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let ws = wb.add_worksheet();
    ws.set_name("报送情况")?;
    ws.write_string_with_format(0, 0, format!("{year} 年各区工作总结报送情况"), &bold)?;
    ws.write_string_with_format(2, 0, "区", &bold)?;
    let periods = Period::of_year(year);
    for (i, p) in periods.iter().enumerate() {
        let c = 1 + 2 * i as u16;
        ws.write_string_with_format(2, c, p.zh(), &bold)?;
        ws.write_string_with_format(2, c + 1, "待答复信息报送", &bold)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 3;
        ws.write_string(r, 0, &row.district_name)?;
        for (i, cell) in row.cells.iter().enumerate() {
            let c = 1 + 2 * i as u16;
            let text = match (cell.revision, cell.submitted_at) {
                (Some(n), Some(at)) => format!("已报送 第{n}版 {}", date_zh(at)),
                _ => "未报送".to_string(),
            };
            ws.write_string(r, c, text)?;
            ws.write_number(r, c + 1, cell.open_requests as f64)?;
        }
    }
    ws.autofit();
    wb.save_to_buffer()
}

struct SectionField {
    code: &'static str,
    label: &'static str,
    value: String,
}

struct RequestView {
    id: i64,
    text: String,
    due_on: String,
    created: String,
    open: bool,
    overdue: bool,
    answer: String,
    answered: String,
    by: String,
    file: Option<String>,
}

fn request_view(r: &InfoRequest, ctx: &PageCtx) -> RequestView {
    RequestView {
        id: r.id,
        text: r.text.clone(),
        due_on: ctx.date(&r.due_on),
        created: ctx.datetime(&r.created_at),
        open: r.open(),
        overdue: r.open() && r.due_on < today(),
        answer: r.answer.clone().unwrap_or_default(),
        answered: ctx.opt_datetime(&r.answered_at),
        by: r.answered_by_name.clone().unwrap_or_default(),
        file: r.file_name.clone(),
    }
}

#[derive(Template)]
#[template(path = "summary_district.html")]
struct DistrictPage {
    ctx: PageCtx,
    code: String,
    name: String,
    period: String,
    label: String,
    periods: Vec<(String, String, bool)>,
    lead: bool,
    city: bool,
    ended: bool,
    fields: Vec<SectionField>,
    figures: Vec<(String, String)>,
    figures_as_of: String,
    draft_saved: Option<String>,
    current: Option<RevisionView>,
    older: Vec<(i64, String, String)>,
    requests: Vec<RequestView>,
    errors: FormErrors,
    min_due: String,
}

async fn district_page(
    state: &AppState,
    actor: &Actor,
    code: &str,
    period: Period,
    errors: FormErrors,
    typed: Option<Sections>,
    flash: Option<&str>,
) -> AppResult<DistrictPage> {
    let PeriodView {
        summaries: v,
        proposal,
    } = period_view(state, actor, code, period).await?;
    let ctx = PageCtx::new(actor, state, "/summaries").with_flash(flash);
    let lead = actor.scope.leads_district(code);
    // The form shows what was typed (after an error), else the draft, else the latest
    // revision with fresh results, else the proposal.
    let base = match (&typed, &v.draft, v.revisions.first(), &proposal) {
        (Some(t), _, _, _) => t.clone(),
        (None, Some(d), _, _) => d.sections.clone(),
        (None, None, Some(r), Some(p)) => Sections {
            results: p.results.clone(),
            ..r.sections.clone()
        },
        (None, None, _, Some(p)) => Sections {
            results: p.results.clone(),
            ..Default::default()
        },
        _ => Sections::default(),
    };
    let snapshot = match (&v.draft, &proposal) {
        (Some(d), _) => Some(&d.figures),
        (None, Some(p)) => Some(&p.figures),
        _ => None,
    };
    let page = DistrictPage {
        code: code.to_string(),
        name: v.district_name.clone(),
        period: period.to_string(),
        label: period_label(period, ctx.lang),
        periods: Period::of_year(period.year())
            .into_iter()
            .map(|p| (p.to_string(), period_label(p, ctx.lang), p == period))
            .collect(),
        lead,
        city: actor.scope.is_city(),
        ended: period.ended_by(today()),
        fields: Section::ALL
            .iter()
            .map(|s| SectionField {
                code: s.code(),
                label: s.label(ctx.lang),
                value: base.get(*s).to_string(),
            })
            .collect(),
        figures: snapshot.map(|f| figure_lines(f, ctx.t)).unwrap_or_default(),
        figures_as_of: snapshot.map(|f| ctx.date(&f.as_of)).unwrap_or_default(),
        draft_saved: v.draft.as_ref().map(|d| ctx.datetime(&d.updated_at)),
        current: v.revisions.first().map(|r| revision_view(r, &ctx)),
        older: v
            .revisions
            .iter()
            .skip(1)
            .map(|r| {
                (
                    r.id,
                    ctx.t
                        .s("summary.revision_n")
                        .replace("{n}", &r.revision.unwrap_or(0).to_string()),
                    ctx.opt_datetime(&r.submitted_at),
                )
            })
            .collect(),
        requests: v.requests.iter().map(|r| request_view(r, &ctx)).collect(),
        errors,
        min_due: today().to_string(),
        ctx,
    };
    Ok(page)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PageQuery {
    period: Option<String>,
    ok: Option<String>,
}

/// `GET /summaries/districts/{code}?period=`.
pub async fn district(
    State(state): State<AppState>,
    actor: Actor,
    Path(code): Path<String>,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    district_in_scope(&actor, &code)?;
    let period = PeriodQuery { period: q.period }.period()?;
    let page = district_page(
        &state,
        &actor,
        &code,
        period,
        FormErrors::default(),
        None,
        flash_key(&q.ok),
    )
    .await?;
    Ok(render(StatusCode::OK, &page))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DraftForm {
    #[serde(flatten)]
    sections: Sections,
    action: String,
    confirm: Option<String>,
}

/// After a POST on a district's page: back to it, or the page again with the error inline.
#[allow(clippy::too_many_arguments)]
async fn after(
    state: &AppState,
    actor: &Actor,
    code: &str,
    period: Period,
    r: AppResult<()>,
    flash: &str,
    typed: Option<Sections>,
) -> AppResult<Response> {
    let to = format!("/summaries/districts/{code}?period={period}");
    after_post(r, &to, flash, actor.lang, |errors| {
        district_page(state, actor, code, period, errors, typed, None)
    })
    .await
}

/// `POST /summaries/districts/{code}/draft?period=`: saves the draft (`action=refresh`
/// regenerates the results from the statistics).
pub async fn save_draft(
    State(state): State<AppState>,
    actor: Actor,
    Path(code): Path<String>,
    Query(q): Query<PeriodQuery>,
    form: CsrfForm<DraftForm>,
) -> AppResult<Response> {
    district_in_scope(&actor, &code)?;
    let period = q.period()?;
    let f = form.data;
    let sections = f.sections;
    let refresh = f.action == "refresh";
    let r = crate::usecase::summary::save_draft(&state, &actor, &code, period, &sections, refresh)
        .await
        .map(|_| ());
    after(
        &state,
        &actor,
        &code,
        period,
        r,
        "updated",
        Some(sections).filter(|_| !refresh),
    )
    .await
}

/// `POST /summaries/districts/{code}/submit?period=`: submits the form's text (confirmation
/// required) as the next revision.
pub async fn submit(
    State(state): State<AppState>,
    actor: Actor,
    Path(code): Path<String>,
    Query(q): Query<PeriodQuery>,
    form: CsrfForm<DraftForm>,
) -> AppResult<Response> {
    district_in_scope(&actor, &code)?;
    let period = q.period()?;
    let f = form.data;
    let sections = f.sections;
    let r: AppResult<()> = async {
        require_confirm(&f.confirm).map_err(AppError::invalid)?;
        crate::usecase::summary::submit(&state, &actor, &code, period, Some(&sections), true)
            .await?;
        Ok(())
    }
    .await;
    after(
        &state,
        &actor,
        &code,
        period,
        r,
        "submitted",
        Some(sections),
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RequestForm {
    text: String,
    due_on: String,
}

/// `POST /summaries/districts/{code}/requests?period=`: the city requests information.
pub async fn request(
    State(state): State<AppState>,
    actor: Actor,
    Path(code): Path<String>,
    Query(q): Query<PeriodQuery>,
    form: CsrfForm<RequestForm>,
) -> AppResult<Response> {
    district_in_scope(&actor, &code)?;
    let period = q.period()?;
    let r = crate::usecase::summary::request_info(
        &state,
        &actor,
        &code,
        period,
        &form.data.text,
        &form.data.due_on,
    )
    .await
    .map(|_| ());
    after(&state, &actor, &code, period, r, "created", None).await
}

/// `POST /summary-requests/{request_id}/answer` (multipart: `_csrf`, `text`, optional `file`).
pub async fn answer(
    State(state): State<AppState>,
    actor: Actor,
    Path(request_id): Path<String>,
    headers: HeaderMap,
    req: axum::extract::Request,
) -> AppResult<Response> {
    let rid = path_id(&request_id)?;
    let r = state.store.summary_request(&actor.scope, rid).await?;
    let period = Period::parse(&r.period).map_err(|_| AppError::not_found())?;
    let (fields, file) = super::application::read_form(&actor, &headers, req).await?;
    let text = fields.get("text").cloned().unwrap_or_default();
    let res = crate::usecase::summary::answer(&state, &actor, rid, &text, file).await;
    after(
        &state,
        &actor,
        &r.district_code,
        period,
        res,
        "submitted",
        None,
    )
    .await
}

/// `GET /summary-requests/{request_id}/file`: an answer's attachment (downloaded, sandboxed).
pub async fn answer_file(
    State(state): State<AppState>,
    actor: Actor,
    Path(request_id): Path<String>,
) -> AppResult<Response> {
    let f = state
        .store
        .summary_request_file(&actor.scope, path_id(&request_id)?)
        .await?;
    let row = ipfin_store::application::FileRow {
        id: 0,
        slot: "answer".into(),
        blob_key: String::new(),
        file_name: f.file_name,
        file_type: f.file_type,
        size: f.bytes.len() as i64,
        uploaded_at: 0,
    };
    Ok(crate::http::file_response(&row, f.bytes))
}

#[derive(Template)]
#[template(path = "summary.html")]
struct RevisionPage {
    ctx: PageCtx,
    code: String,
    name: String,
    period: String,
    label: String,
    rev: RevisionView,
    city: bool,
    submitted: bool,
    errors: FormErrors,
}

async fn revision_page(
    state: &AppState,
    actor: &Actor,
    id: i64,
    errors: FormErrors,
    flash: Option<&str>,
) -> AppResult<RevisionPage> {
    let s = state.store.summary(&actor.scope, id).await?;
    let ctx = PageCtx::new(actor, state, "/summaries").with_flash(flash);
    Ok(RevisionPage {
        code: s.district_code.clone(),
        name: s.district_name.clone(),
        period: s.period.to_string(),
        label: period_label(s.period, ctx.lang),
        rev: revision_view(&s, &ctx),
        city: actor.scope.is_city(),
        submitted: s.revision.is_some(),
        errors,
        ctx,
    })
}

/// `GET /summaries/{summary_id}`: one revision with its comments.
pub async fn show(
    State(state): State<AppState>,
    actor: Actor,
    Path(summary_id): Path<String>,
    Query(q): Query<OkQuery>,
) -> AppResult<Response> {
    let page = revision_page(
        &state,
        &actor,
        path_id(&summary_id)?,
        FormErrors::default(),
        flash_key(&q.ok),
    )
    .await?;
    Ok(render(StatusCode::OK, &page))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CommentForm {
    text: String,
}

/// `POST /summaries/{summary_id}/comments`: the city's comment.
pub async fn comment(
    State(state): State<AppState>,
    actor: Actor,
    Path(summary_id): Path<String>,
    form: CsrfForm<CommentForm>,
) -> AppResult<Response> {
    let id = path_id(&summary_id)?;
    state.store.summary(&actor.scope, id).await?;
    let r = write!(state, actor, |tx| state
        .store
        .comment_summary(&mut tx, &actor.scope, id, &form.data.text)
        .await?);
    match r {
        Ok(_) => Ok(see_other(&format!("/summaries/{id}"), "created")),
        Err(e)
            if matches!(
                e.status,
                StatusCode::UNPROCESSABLE_ENTITY | StatusCode::FORBIDDEN
            ) =>
        {
            let status = e.status;
            let page = revision_page(
                &state,
                &actor,
                id,
                FormErrors::from_error(&e, actor.lang),
                None,
            )
            .await?;
            Ok(render(status, &page))
        }
        Err(e) => Err(e),
    }
}

/// The summary as a Word document: title with district and period, revision and submission
/// date, the five sections, the figures the results came from, and the city's comments.
pub fn document(s: &Summary) -> Result<Vec<u8>, crate::docx::DocxError> {
    let mut d = DocBuilder::new();
    d.title(&format!(
        "{}{}知识产权质押融资工作总结",
        s.district_name,
        s.period.zh()
    ));
    d.paragraph(&match (s.revision, s.submitted_at) {
        (Some(n), Some(at)) => format!(
            "第 {n} 版　报送日期：{}　报送人：{}{}",
            date_zh(at),
            s.submitted_by_name.clone().unwrap_or_default(),
            if n > 1 {
                "（修订版，以本版为准）"
            } else {
                ""
            }
        ),
        _ => "草稿（尚未报送）".to_string(),
    });
    const NUMBERS: [&str; 5] = ["一", "二", "三", "四", "五"];
    for (i, sec) in Section::ALL.iter().enumerate() {
        d.heading(1, &format!("{}、{}", NUMBERS[i], sec.zh()));
        for line in s
            .sections
            .get(*sec)
            .lines()
            .filter(|l| !l.trim().is_empty())
        {
            d.paragraph(line.trim());
        }
    }
    d.heading(
        1,
        &format!("附：统计数据（截至 {}，金额单位：万元）", s.figures.as_of),
    );
    let rows: Vec<Vec<String>> = figure_lines(&s.figures, T(Lang::Zh))
        .into_iter()
        .map(|(k, v)| vec![k, v])
        .collect();
    d.table(
        &[Column::text("指标", 30), Column::numeric("数值", 20)],
        &rows,
    );
    d.heading(1, "市级审阅意见");
    if s.comments.is_empty() {
        d.paragraph("暂无审阅意见。");
    }
    for c in &s.comments {
        d.rich_paragraph(&[
            Span::bold(format!("{}（{}）：", c.author_name, date_zh(c.created_at))),
            Span::plain(c.text.clone()),
        ]);
    }
    d.build()
}

/// `GET /summaries/{summary_id}/summary.docx`.
pub async fn docx(
    State(state): State<AppState>,
    actor: Actor,
    Path(summary_id): Path<String>,
) -> AppResult<Response> {
    let s = state
        .store
        .summary(&actor.scope, path_id(&summary_id)?)
        .await?;
    let bytes = document(&s).map_err(AppError::internal)?;
    let name = format!(
        "summary-{}-{}-r{}.docx",
        s.district_code,
        s.period,
        s.revision.unwrap_or(0)
    );
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                    .to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}
