//! District summaries and information reporting through the API (SPEC §8 R4.4; issue #8
//! item 4): the overview of districts × periods, a district's summaries of a period with the
//! figures proposal, saving a draft, submitting (revisions), the city's comments and
//! information requests, and the district's answers. The period is a query parameter
//! (`?period=2026Q3` or `?period=2026`). The builders here serve the pages too.

use super::application::Created;
use super::contract::each;
use super::{id, json_error};
use crate::AppState;
use crate::actor::Actor;
use crate::error::{AppError, AppResult};
use crate::http::write;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, Path, Query, Request, State};
use axum::http::{StatusCode, header};
use chrono::NaiveDate;
use ipfin_domain::summary::{Figures, Period, Sections};
use ipfin_store::summary::{Comment, InfoRequest, OverviewCell, OverviewRow, Submitted, Summary};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::usecase::stats::YearQuery;
use crate::usecase::summary::{
    PeriodQuery, PeriodView, answer, district_in_scope, period_view, request_info, save_draft,
    submit,
};

fn parse<T: serde::de::DeserializeOwned>(body: &Bytes) -> AppResult<T> {
    serde_json::from_slice(body).map_err(|e| json_error(&e))
}

/// Districts × periods of a year (四个季度和年度): submitted revisions and open requests.
#[utoipa::path(get, path = "/api/v1/summaries", tag = "summary", params(YearQuery),
    responses((status = 200, body = Vec<OverviewRowDto>)), security(("bearer" = [])))]
pub async fn overview(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<YearQuery>,
) -> AppResult<Json<Vec<OverviewRowDto>>> {
    Ok(Json(
        state
            .store
            .summary_overview(&actor.scope, q.year()?)
            .await
            .map(each)?,
    ))
}

/// A district's summaries of a period: the draft (lead officers), every submitted revision
/// (latest first) with the city's comments, the information requests, and for the lead
/// officers the results text the statistics propose now.
#[utoipa::path(get, path = "/api/v1/summaries/districts/{code}", tag = "summary",
    params(("code" = String, Path, description = "district code, e.g. 440305"), PeriodQuery),
    responses((status = 200, body = PeriodView), (status = 404, description = "not your district")),
    security(("bearer" = [])))]
pub async fn district(
    State(state): State<AppState>,
    actor: Actor,
    Path(code): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> AppResult<Json<PeriodView>> {
    district_in_scope(&actor, &code)?;
    Ok(Json(period_view(&state, &actor, &code, q.period()?).await?))
}

/// The five sections of a draft.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DraftBody {
    #[serde(default)]
    pub measures: String,
    /// Left empty, it is generated from the statistics.
    #[serde(default)]
    pub results: String,
    #[serde(default)]
    pub highlights: String,
    #[serde(default)]
    pub problems: String,
    #[serde(default)]
    pub next_steps: String,
    /// Regenerate the results text (and its figures snapshot) from the statistics now.
    #[serde(default)]
    pub refresh: bool,
}

impl DraftBody {
    fn sections(&self) -> Sections {
        Sections {
            measures: self.measures.clone(),
            results: self.results.clone(),
            highlights: self.highlights.clone(),
            problems: self.problems.clone(),
            next_steps: self.next_steps.clone(),
        }
    }
}

/// Saves the district's draft for a period (lead officers). A period that has not started is
/// refused; one that has not ended can only be drafted.
#[utoipa::path(put, path = "/api/v1/summaries/districts/{code}", tag = "summary",
    params(("code" = String, Path), PeriodQuery), request_body = DraftBody,
    responses((status = 200, description = "the draft", body = SummaryDto),
        (status = 422, description = "a section over 10,000 characters, a period not started"),
        (status = 404, description = "not your district")),
    security(("bearer" = [])))]
pub async fn save(
    State(state): State<AppState>,
    actor: Actor,
    Path(code): Path<String>,
    Query(q): Query<PeriodQuery>,
    body: Bytes,
) -> AppResult<Json<SummaryDto>> {
    district_in_scope(&actor, &code)?;
    let period = q.period()?;
    let b: DraftBody = parse(&body)?;
    let id = save_draft(&state, &actor, &code, period, &b.sections(), b.refresh).await?;
    Ok(Json(state.store.summary(&actor.scope, id).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitBody {
    /// The five sections; without them the saved draft is submitted.
    #[schema(value_type = Option<Object>)]
    pub sections: Option<Sections>,
    /// Must be true: a submission cannot be withdrawn.
    #[serde(default)]
    pub confirm: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SubmitAnswer {
    pub id: i64,
    pub revision: i32,
    /// Revision 2 or later: it supersedes the earlier submissions, which are kept.
    pub is_revision: bool,
    pub message: String,
}

/// Submits the district's summary of an ended period to the city. Submitting again makes a new
/// revision (2, 3 …); all revisions are kept and the latest is current.
#[utoipa::path(post, path = "/api/v1/summaries/districts/{code}/submit", tag = "summary",
    params(("code" = String, Path), PeriodQuery), request_body = SubmitBody,
    responses((status = 201, body = SubmitAnswer),
        (status = 422, description = "an empty section (named), no confirmation, a period not ended"),
        (status = 404, description = "not your district")),
    security(("bearer" = [])))]
pub async fn submit_summary(
    State(state): State<AppState>,
    actor: Actor,
    Path(code): Path<String>,
    Query(q): Query<PeriodQuery>,
    body: Bytes,
) -> AppResult<(StatusCode, Json<SubmitAnswer>)> {
    district_in_scope(&actor, &code)?;
    let period = q.period()?;
    let b: SubmitBody = parse(&body)?;
    let s = submit(
        &state,
        &actor,
        &code,
        period,
        b.sections.as_ref(),
        b.confirm,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(SubmitAnswer {
            id: s.id,
            revision: s.revision,
            is_revision: s.is_revision,
            message: submitted_message(period, &s),
        }),
    ))
}

/// What a submission says, in Chinese.
pub fn submitted_message(period: Period, s: &Submitted) -> String {
    if s.is_revision {
        format!(
            "已报送{}工作总结的第 {} 版（修订版）：此前的版本均已保留，以本版为准。",
            period.zh(),
            s.revision
        )
    } else {
        format!("已向市里报送{}工作总结（第 1 版）。", period.zh())
    }
}

/// One summary (a submitted revision, or the draft for the lead officers) with its comments.
#[utoipa::path(get, path = "/api/v1/summaries/{summary_id}", tag = "summary",
    params(("summary_id" = i64, Path)),
    responses((status = 200, body = SummaryDto), (status = 404, description = "not in your scope")),
    security(("bearer" = [])))]
pub async fn show(
    State(state): State<AppState>,
    actor: Actor,
    Path(summary_id): Path<String>,
) -> AppResult<Json<SummaryDto>> {
    Ok(Json(
        state
            .store
            .summary(&actor.scope, id(&summary_id)?)
            .await?
            .into(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TextBody {
    pub text: String,
}

/// The city's comment on a submitted revision (the district is notified).
#[utoipa::path(post, path = "/api/v1/summaries/{summary_id}/comments", tag = "summary",
    params(("summary_id" = i64, Path)), request_body = TextBody,
    responses((status = 201, description = "the comment's id", body = Created), (status = 422, description = "empty or too long"),
        (status = 404, description = "no such submitted summary")),
    security(("bearer" = [])))]
pub async fn comment(
    State(state): State<AppState>,
    actor: Actor,
    Path(summary_id): Path<String>,
    body: Bytes,
) -> AppResult<(StatusCode, Json<Created>)> {
    let sid = id(&summary_id)?;
    state.store.summary(&actor.scope, sid).await?;
    let b: TextBody = parse(&body)?;
    let cid = write!(state, actor, |tx| state
        .store
        .comment_summary(&mut tx, &actor.scope, sid, &b.text)
        .await?)?;
    Ok((StatusCode::CREATED, Json(Created { id: cid })))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestBody {
    /// What the district is to report.
    pub text: String,
    /// YYYY-MM-DD, today or later.
    pub due_on: String,
}

/// The city requests more information (信息报送) from a district on a period.
#[utoipa::path(post, path = "/api/v1/summaries/districts/{code}/requests", tag = "summary",
    params(("code" = String, Path), PeriodQuery), request_body = RequestBody,
    responses((status = 201, description = "the request's id", body = Created), (status = 422, description = "no text, a due date in the past"),
        (status = 404, description = "no such district")),
    security(("bearer" = [])))]
pub async fn request(
    State(state): State<AppState>,
    actor: Actor,
    Path(code): Path<String>,
    Query(q): Query<PeriodQuery>,
    body: Bytes,
) -> AppResult<(StatusCode, Json<Created>)> {
    district_in_scope(&actor, &code)?;
    if !actor.scope.is_city() {
        return Err(AppError::forbidden());
    }
    let period = q.period()?;
    let b: RequestBody = parse(&body)?;
    let rid = request_info(&state, &actor, &code, period, &b.text, &b.due_on).await?;
    Ok((StatusCode::CREATED, Json(Created { id: rid })))
}

/// The district answers a request: JSON `{"text": …}`, or multipart/form-data with `text` and
/// an optional `file` (PDF, OFD, JPEG, PNG, Word or Excel, judged by content; at most 20 MB).
/// Answering closes the request.
#[utoipa::path(post, path = "/api/v1/summary-requests/{request_id}/answer", tag = "summary",
    params(("request_id" = i64, Path)), request_body = TextBody,
    responses((status = 200, body = InfoRequestDto), (status = 422, description = "no text; an attachment of a type not taken"),
        (status = 409, description = "already answered"), (status = 404, description = "not your district's request")),
    security(("bearer" = [])))]
pub async fn answer_request(
    State(state): State<AppState>,
    actor: Actor,
    Path(request_id): Path<String>,
    req: Request,
) -> AppResult<Json<InfoRequestDto>> {
    let rid = id(&request_id)?;
    state.store.summary_request(&actor.scope, rid).await?;
    let ct = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let (text, file) = if ct.starts_with("multipart/form-data") {
        read_answer(req).await?
    } else {
        let body = Bytes::from_request(req, &())
            .await
            .map_err(|_| crate::http::too_large())?;
        let b: TextBody = parse(&body)?;
        (b.text, None)
    };
    answer(&state, &actor, rid, &text, file).await?;
    Ok(Json(
        state.store.summary_request(&actor.scope, rid).await?.into(),
    ))
}

/// The `text` and `file` fields of a multipart answer.
async fn read_answer(req: Request) -> AppResult<(String, Option<(String, Bytes)>)> {
    let (mut fields, file) =
        super::read_multipart(req, ("上传内容格式错误", "The upload is malformed")).await?;
    Ok((fields.remove("text").unwrap_or_default(), file))
}

/// A summary: the open draft (`revision` null) or a submitted revision, with the city's
/// comments.
#[derive(Debug, Serialize, ToSchema)]
pub struct SummaryDto {
    pub id: i64,
    pub district_code: String,
    pub district_name: String,
    /// e.g. 2026Q3 or 2026
    #[schema(value_type = String)]
    pub period: Period,
    pub revision: Option<i32>,
    pub sections: SectionsDto,
    /// The statistics the results text was generated from (a snapshot).
    #[schema(value_type = Object)]
    pub figures: Figures,
    pub updated_at: i64,
    pub submitted_at: Option<i64>,
    pub submitted_by_name: Option<String>,
    pub comments: Vec<CommentDto>,
}

impl From<Summary> for SummaryDto {
    fn from(s: Summary) -> Self {
        let Summary {
            id,
            district_code,
            district_name,
            period,
            revision,
            sections,
            figures,
            updated_at,
            submitted_at,
            submitted_by_name,
            comments,
        } = s;
        Self {
            id,
            district_code,
            district_name,
            period,
            revision,
            sections: sections.into(),
            figures,
            updated_at,
            submitted_at,
            submitted_by_name,
            comments: each(comments),
        }
    }
}

/// The text of a summary's five sections.
#[derive(Debug, Serialize, ToSchema)]
pub struct SectionsDto {
    pub measures: String,
    pub results: String,
    pub highlights: String,
    pub problems: String,
    pub next_steps: String,
}

impl From<Sections> for SectionsDto {
    fn from(s: Sections) -> Self {
        let Sections {
            measures,
            results,
            highlights,
            problems,
            next_steps,
        } = s;
        Self {
            measures,
            results,
            highlights,
            problems,
            next_steps,
        }
    }
}

/// The city's comment on a submitted revision.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommentDto {
    pub id: i64,
    pub summary_id: i64,
    pub text: String,
    pub author_name: String,
    pub created_at: i64,
}

impl From<Comment> for CommentDto {
    fn from(c: Comment) -> Self {
        let Comment {
            id,
            summary_id,
            text,
            author_name,
            created_at,
        } = c;
        Self {
            id,
            summary_id,
            text,
            author_name,
            created_at,
        }
    }
}

/// An information request (信息报送) of the city to a district for a period, with its answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct InfoRequestDto {
    pub id: i64,
    pub district_code: String,
    pub period: String,
    pub text: String,
    pub due_on: NaiveDate,
    pub created_at: i64,
    pub answer: Option<String>,
    pub file_name: Option<String>,
    pub file_type: Option<String>,
    pub file_size: Option<i64>,
    pub answered_by_name: Option<String>,
    pub answered_at: Option<i64>,
}

impl From<InfoRequest> for InfoRequestDto {
    fn from(r: InfoRequest) -> Self {
        let InfoRequest {
            id,
            district_code,
            period,
            text,
            due_on,
            created_at,
            answer,
            file_name,
            file_type,
            file_size,
            answered_by_name,
            answered_at,
        } = r;
        Self {
            id,
            district_code,
            period,
            text,
            due_on,
            created_at,
            answer,
            file_name,
            file_type,
            file_size,
            answered_by_name,
            answered_at,
        }
    }
}

/// One district's row of the overview: a cell per period of the year.
#[derive(Debug, Serialize, ToSchema)]
pub struct OverviewRowDto {
    pub district_code: String,
    pub district_name: String,
    pub cells: Vec<OverviewCellDto>,
}

impl From<OverviewRow> for OverviewRowDto {
    fn from(r: OverviewRow) -> Self {
        let OverviewRow {
            district_code,
            district_name,
            cells,
        } = r;
        Self {
            district_code,
            district_name,
            cells: each(cells),
        }
    }
}

/// A district's summary of a period.
#[derive(Debug, Serialize, ToSchema)]
pub struct OverviewCellDto {
    pub period: String,
    /// The current revision, if any was submitted.
    pub revision: Option<i32>,
    pub summary_id: Option<i64>,
    pub submitted_at: Option<i64>,
    /// When revision 1 was submitted (on-time checks).
    pub first_submitted_at: Option<i64>,
    pub open_requests: i64,
    /// A draft exists (shown to the district's lead officers only).
    pub draft: bool,
}

impl From<OverviewCell> for OverviewCellDto {
    fn from(c: OverviewCell) -> Self {
        let OverviewCell {
            period,
            revision,
            summary_id,
            submitted_at,
            first_submitted_at,
            open_requests,
            draft,
        } = c;
        Self {
            period,
            revision,
            summary_id,
            submitted_at,
            first_submitted_at,
            open_requests,
            draft,
        }
    }
}
