//! Applications through the API (issue #6): enterprises' and banks' systems create drafts,
//! upload materials and submit; officers act on them; anyone reads a public notice and lodges
//! an objection. Path ids are checked against the caller's scope before a body is read.

use super::{ApiQuery, id, json_error};
use crate::AppState;
use crate::actor::Actor;
use crate::error::{AppError, AppResult};
use crate::http::write;
use crate::usecase::application::{ActionBody, ActionResult, run_action, run_simulation};
use crate::usecase::confirmation::Prepared;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use chrono::NaiveDate;
use ipfin_domain::application::Kind;
use ipfin_domain::policy::rules::Item;
use ipfin_domain::{Fen, FieldError, Scope};
use ipfin_store::Page;
use ipfin_store::application::{
    ApplicationDetail, ApplicationFilter, ApplicationRow, Body, NewApplication, NewObjection,
    NoticeDetail,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

fn parse<T: serde::de::DeserializeOwned>(body: &Bytes) -> AppResult<T> {
    serde_json::from_slice(body).map_err(|e| json_error(&e))
}

fn items_of(codes: &[String]) -> AppResult<Vec<Item>> {
    codes
        .iter()
        .map(|c| {
            Item::ALL
                .iter()
                .copied()
                .find(|i| i.code() == c)
                .ok_or_else(|| {
                    AppError::invalid(FieldError::new(
                        "items",
                        "application.item",
                        format!(
                            "资助项目“{c}”不存在：可选 interest、evaluation、guarantee、insurance。"
                        ),
                        "Items are interest, evaluation, guarantee or insurance.",
                    ))
                })
        })
        .collect()
}

/// A new draft application.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateBody {
    /// enterprise_fee | institution | securitisation
    pub kind: String,
    pub policy_version_id: i64,
    /// The batch's name; omitted: the batch open today.
    #[serde(default)]
    pub batch: Option<String>,
    /// interest | evaluation | guarantee | insurance (enterprise fee applications)
    #[serde(default)]
    pub items: Vec<String>,
    /// Loans (enterprise fee), or the securitisation figures.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub body: serde_json::Value,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Created {
    pub id: i64,
}

/// Starts a draft against a published policy version (enterprise or bank).
#[utoipa::path(post, path = "/api/v1/applications", tag = "application", request_body = CreateBody,
    responses((status = 201, description = "the draft's id", body = Created), (status = 422, description = "bad kind, items, policy version or batch")),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    actor: Actor,
    body: Bytes,
) -> AppResult<(axum::http::StatusCode, Json<Created>)> {
    let b: CreateBody = parse(&body)?;
    let kind = Kind::from_code(&b.kind).ok_or_else(|| {
        AppError::invalid(FieldError::new(
            "kind",
            "application.kind",
            "申请类别应为 enterprise_fee、institution 或 securitisation。",
            "The kind is enterprise_fee, institution or securitisation.",
        ))
    })?;
    let items = items_of(&b.items)?;
    let app_body: Body = if b.body.is_null() {
        Body::default()
    } else {
        serde_json::from_value(b.body).map_err(|e| json_error(&e))?
    };
    let today = ipfin_store::today_shanghai();
    let id = write!(state, actor, |tx| state
        .store
        .create_application(
            &mut tx,
            &actor.scope,
            NewApplication {
                kind,
                policy_version_id: b.policy_version_id,
                batch: b.batch,
                items,
                body: app_body,
            },
            today
        )
        .await?)?;
    Ok((axum::http::StatusCode::CREATED, Json(Created { id })))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct ListParams {
    /// Number or applicant name.
    pub q: Option<String>,
    pub state: Option<String>,
    /// first | second | approval
    pub stage: Option<String>,
    pub kind: Option<String>,
    pub district: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

impl ListParams {
    pub fn filter(&self) -> ApplicationFilter {
        ApplicationFilter {
            q: self.q.clone(),
            state: self
                .state
                .as_deref()
                .and_then(ipfin_domain::application::State::from_code),
            phase: None,
            stage: self.stage.clone(),
            kind: self.kind.as_deref().and_then(Kind::from_code),
            district: self.district.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationList {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<ApplicationRow>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

/// Applications in the caller's scope (own for applicants; the district's for its officers).
#[utoipa::path(get, path = "/api/v1/applications", tag = "application", params(ListParams),
    responses((status = 200, body = ApplicationList)), security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(p): ApiQuery<ListParams>,
) -> AppResult<Json<ApplicationList>> {
    let r = state
        .store
        .applications(&actor.scope, &p.filter(), Page::new(p.page, p.per_page))
        .await?;
    Ok(Json(ApplicationList {
        items: r.items,
        total: r.total,
        page: r.page,
        per_page: r.per_page,
    }))
}

/// One application: state, what is awaited from whom, items, materials, the derivation of the
/// amount, differences with the banks' reports, history, payments and checks.
#[utoipa::path(get, path = "/api/v1/applications/{app_id}", tag = "application", params(("app_id" = i64, Path)),
    responses((status = 200, description = "the application", body = ApplicationDetailDto), (status = 404, description = "not in your scope")),
    security(("bearer" = [])))]
pub async fn show(
    State(state): State<AppState>,
    actor: Actor,
    Path(app_id): Path<String>,
) -> AppResult<Json<ApplicationDetailDto>> {
    Ok(Json(
        state
            .store
            .application(&actor.scope, id(&app_id)?)
            .await?
            .into(),
    ))
}

/// New items and figures for a draft or returned application.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateBody {
    #[serde(default)]
    pub items: Vec<String>,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub body: serde_json::Value,
}

/// Replaces a draft's items and figures (after acceptance and a return: amounts only, the
/// loans and items it claims for stay).
#[utoipa::path(put, path = "/api/v1/applications/{app_id}", tag = "application", params(("app_id" = i64, Path)),
    request_body = UpdateBody,
    responses((status = 200, description = "the application", body = ApplicationDetailDto), (status = 404, description = "not in your scope"),
        (status = 409, description = "no longer editable, or loans changed after acceptance"), (status = 422, description = "bad items or figures")),
    security(("bearer" = [])))]
pub async fn update(
    State(state): State<AppState>,
    actor: Actor,
    Path(app_id): Path<String>,
    body: Bytes,
) -> AppResult<Json<ApplicationDetailDto>> {
    let app_id = id(&app_id)?;
    state.store.application(&actor.scope, app_id).await?;
    let b: UpdateBody = parse(&body)?;
    let items = items_of(&b.items)?;
    let app_body: Body = serde_json::from_value(b.body).map_err(|e| json_error(&e))?;
    write!(state, actor, |tx| state
        .store
        .update_application(&mut tx, &actor.scope, app_id, items, app_body)
        .await?)?;
    Ok(Json(
        state.store.application(&actor.scope, app_id).await?.into(),
    ))
}

/// Uploads one file into a slot; the body is the file itself, `X-File-Name` its name
/// (metadata only). The type is judged by content.
#[utoipa::path(post, path = "/api/v1/applications/{app_id}/slots/{slot}", tag = "application",
    params(("app_id" = i64, Path), ("slot" = String, Path, description = "slot code, e.g. business_licence")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, description = "the file's id", body = Created), (status = 404, description = "not in your scope"),
        (status = 422, description = "empty, too large, a type the slot does not take, or no such slot"), (status = 409, description = "the application can no longer change")),
    security(("bearer" = [])))]
pub async fn upload(
    State(state): State<AppState>,
    actor: Actor,
    Path((app_id, slot)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<(axum::http::StatusCode, Json<Created>)> {
    let app_id = id(&app_id)?;
    state.store.application(&actor.scope, app_id).await?;
    let name = headers
        .get("x-file-name")
        .and_then(|v| v.to_str().ok())
        .map(percent_decode)
        .unwrap_or_default();
    let fid = write!(state, actor, |tx| state
        .store
        .add_file(&mut tx, &actor.scope, app_id, &slot, &name, body)
        .await?)?;
    Ok((axum::http::StatusCode::CREATED, Json(Created { id: fid })))
}

/// Decodes %XX escapes (file names with Chinese characters travel percent-encoded in headers).
pub(crate) fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Downloads a file of an application the caller may see.
#[utoipa::path(get, path = "/api/v1/applications/{app_id}/files/{file_id}", tag = "application",
    params(("app_id" = i64, Path), ("file_id" = i64, Path)),
    responses((status = 200, description = "the file", body = String, content_type = "application/octet-stream"), (status = 404, description = "not in your scope")),
    security(("bearer" = [])))]
pub async fn download(
    State(state): State<AppState>,
    actor: Actor,
    Path((app_id, file_id)): Path<(String, String)>,
) -> AppResult<axum::response::Response> {
    let (f, bytes) = state
        .store
        .application_file(&actor.scope, id(&app_id)?, id(&file_id)?)
        .await?;
    Ok(crate::http::file_response(&f, bytes))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Submitted {
    pub number: String,
}

/// Submits (or resubmits after a return): batch window, eligibility, every required slot
/// (the error lists each missing one by name), the figures; the calculation is stored.
#[utoipa::path(post, path = "/api/v1/applications/{app_id}/submit", tag = "application", params(("app_id" = i64, Path)),
    responses((status = 200, description = "the application's number", body = Submitted), (status = 404, description = "not in your scope"),
        (status = 409, description = "batch closed, not eligible, or the state does not allow it"), (status = 422, description = "missing materials or bad figures")),
    security(("bearer" = [])))]
pub async fn submit(
    State(state): State<AppState>,
    actor: Actor,
    Path(app_id): Path<String>,
) -> AppResult<Json<Submitted>> {
    let app_id = id(&app_id)?;
    let today = ipfin_store::today_shanghai();
    let number = write!(state, actor, |tx| state
        .store
        .submit_application(&mut tx, &actor.scope, app_id, today)
        .await?)?;
    Ok(Json(Submitted { number }))
}

/// Acts on an application: the applicant withdraws; the district's officers accept, return
/// for supplement, do not accept, pass a review stage (with approved amounts), reject,
/// disburse, run a supervision check, clear, claw back, record a recovery. A disbursement and a
/// clawback are prepared (202 with `confirmation_id`): a second person of the district's lead
/// department confirms them (`/api/v1/confirmations/{id}/confirm`).
#[utoipa::path(post, path = "/api/v1/applications/{app_id}/actions", tag = "application", params(("app_id" = i64, Path)),
    request_body = ActionBody,
    responses((status = 200, body = ActionResult),
        (status = 202, description = "disburse, clawback: prepared, awaiting a second person", body = ActionResult),
        (status = 404, description = "not in your scope"),
        (status = 403, description = "not yours to do"), (status = 409, description = "the state does not allow it, maker–checker, double-dipping"),
        (status = 422, description = "bad input, e.g. an amount above the calculation")),
    security(("bearer" = [])))]
pub async fn action(
    State(state): State<AppState>,
    actor: Actor,
    Path(app_id): Path<String>,
    body: Bytes,
) -> AppResult<(axum::http::StatusCode, Json<ActionResult>)> {
    let app_id = id(&app_id)?;
    state.store.application(&actor.scope, app_id).await?;
    let b: ActionBody = parse(&body)?;
    let r = run_action(&state, &actor, app_id, b).await?;
    let status = if r.confirmation_id.is_some() {
        axum::http::StatusCode::ACCEPTED
    } else {
        axum::http::StatusCode::OK
    };
    Ok((status, Json(r)))
}

/// A public notice to publish.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoticeBody {
    pub title: String,
    pub application_ids: Vec<i64>,
    /// First day (counted as day 1 when a working day); default today.
    #[serde(default)]
    pub start: Option<NaiveDate>,
    /// Working days, 5–30; default 5.
    #[serde(default)]
    pub days: Option<u32>,
}

/// Prepares a public notice (公示) of reviewed applications (the district's officers): checked
/// as publishing checks it, then published when a second person of the district's lead
/// department confirms it (`/api/v1/confirmations/{id}/confirm`; its `result_id` is the
/// notice).
#[utoipa::path(post, path = "/api/v1/notices", tag = "application", request_body = NoticeBody,
    responses((status = 202, description = "prepared, awaiting a second person", body = Prepared), (status = 409, description = "an application is not reviewed, or already in a pending notice"),
        (status = 422, description = "bad title or days, or the calendar does not cover the period")),
    security(("bearer" = [])))]
pub async fn publish_notice(
    State(state): State<AppState>,
    actor: Actor,
    body: Bytes,
) -> AppResult<(axum::http::StatusCode, Json<Prepared>)> {
    let b: NoticeBody = parse(&body)?;
    let start = b.start.unwrap_or_else(ipfin_store::today_shanghai);
    let c = write!(state, actor, |tx| state
        .store
        .prepare_notice(
            &mut tx,
            &actor.scope,
            &b.title,
            &b.application_ids,
            start,
            b.days.unwrap_or(5),
            ipfin_store::today_shanghai()
        )
        .await?)?;
    Ok((axum::http::StatusCode::ACCEPTED, Json(Prepared::from(&c))))
}

/// A batch with applications that passed their notice and await its budget's allocation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BatchAwaitingDto {
    /// The policy version whose budget and window apply (pass it to close the batch).
    pub policy_version_id: i64,
    pub title: String,
    pub year: i32,
    pub batch_name: String,
    /// Applications that passed their notice, not yet granted, and their approved total.
    pub cleared: i64,
    #[schema(value_type = i64)]
    pub cleared_fen: Fen,
    /// Applications of the batch still before the end of their notice.
    pub before_notice_end: i64,
    /// The batch's application window is over.
    pub window_over: bool,
    /// Closed earlier by two officers (later rounds get what remains).
    pub closed: bool,
}

impl From<ipfin_store::application::BatchAwaiting> for BatchAwaitingDto {
    fn from(b: ipfin_store::application::BatchAwaiting) -> Self {
        BatchAwaitingDto {
            policy_version_id: b.policy_version_id,
            title: b.title,
            year: b.year,
            batch_name: b.batch_name,
            cleared: b.cleared,
            cleared_fen: b.cleared_fen,
            before_notice_end: b.before_notice_end,
            window_over: b.window_over,
            closed: b.closed,
        }
    }
}

/// Batches of the caller's district awaiting their budget's allocation (issue #19 item 2): the
/// budget is allocated once over a whole batch, when its window is over and none of it is
/// still before its notice's end, or when two officers close it.
#[utoipa::path(get, path = "/api/v1/batches", tag = "application",
    responses((status = 200, description = "batches awaiting allocation", body = Vec<BatchAwaitingDto>)),
    security(("bearer" = [])))]
pub async fn batches(
    State(state): State<AppState>,
    actor: Actor,
) -> AppResult<Json<Vec<BatchAwaitingDto>>> {
    let list = state
        .store
        .batches_awaiting(&actor.scope, ipfin_store::today_shanghai())
        .await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseBatchBody {
    pub policy_version_id: i64,
    pub batch_name: String,
}

/// Prepares closing a batch (four eyes): once a second person of the district's lead
/// department confirms it, the batch's budget is allocated over every application of it that
/// passed its notice, exactly as the request shows (`step.batch`).
#[utoipa::path(post, path = "/api/v1/batches/close", tag = "application", request_body = CloseBatchBody,
    responses((status = 202, description = "prepared, awaiting a second person", body = Prepared),
        (status = 409, description = "nothing of the batch has passed its notice, or its applications are held by a pending request"),
        (status = 422, description = "no such batch in the policy"), (status = 404, description = "not the district's policy")),
    security(("bearer" = [])))]
pub async fn close_batch(
    State(state): State<AppState>,
    actor: Actor,
    body: Bytes,
) -> AppResult<(axum::http::StatusCode, Json<Prepared>)> {
    let b: CloseBatchBody = parse(&body)?;
    let c = write!(state, actor, |tx| state
        .store
        .prepare_batch_close(&mut tx, &actor.scope, b.policy_version_id, &b.batch_name)
        .await?)?;
    Ok((axum::http::StatusCode::ACCEPTED, Json(Prepared::from(&c))))
}

/// A public notice: its period and list (enterprise, items, amount; no personal data).
#[utoipa::path(get, path = "/api/v1/notices/{notice_id}", tag = "application", params(("notice_id" = i64, Path)),
    responses((status = 200, description = "the notice", body = NoticeDetailDto), (status = 404, description = "no such notice")))]
pub async fn notice(
    State(state): State<AppState>,
    actor: Actor,
    Path(notice_id): Path<String>,
) -> AppResult<Json<NoticeDetailDto>> {
    Ok(Json(
        state
            .store
            .notice(&actor.scope, id(&notice_id)?)
            .await?
            .into(),
    ))
}

/// An objection from anyone during the notice period.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectionBody {
    #[serde(default)]
    pub application_id: Option<i64>,
    pub name: String,
    pub contact: String,
    pub text: String,
}

/// Lodges an objection (anyone, during the period).
#[utoipa::path(post, path = "/api/v1/notices/{notice_id}/objections", tag = "application", params(("notice_id" = i64, Path)),
    request_body = ObjectionBody,
    responses((status = 201, description = "the objection's id", body = Created), (status = 404, description = "no such notice"),
        (status = 409, description = "the period is over, or the same objection was already lodged"), (status = 422, description = "missing name, contact or text"),
        (status = 429, description = "too many objections from this address or on this notice just now: see Retry-After")))]
pub async fn lodge(
    State(state): State<AppState>,
    actor: Actor,
    Path(notice_id): Path<String>,
    body: Bytes,
) -> AppResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let nid = id(&notice_id)?;
    state.store.notice(&Scope::Public, nid).await?;
    if let Some(refused) = crate::usecase::application::objection_limit(&state, &actor, nid).await?
    {
        return Ok(refused);
    }
    let b: ObjectionBody = parse(&body)?;
    let today = ipfin_store::today_shanghai();
    let oid = write!(state, actor, |tx| state
        .store
        .lodge_objection(
            &mut tx,
            nid,
            NewObjection {
                application_id: b.application_id,
                name: b.name,
                contact: b.contact,
                text: b.text,
                evidence: None,
                client_addr: actor.ip.clone(),
            },
            today
        )
        .await?)?;
    Ok((axum::http::StatusCode::CREATED, Json(Created { id: oid })).into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    pub uphold: bool,
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Done {
    pub ok: bool,
}

/// Decides an objection (the district's officers): upheld returns the application to review.
#[utoipa::path(post, path = "/api/v1/objections/{objection_id}/decision", tag = "application", params(("objection_id" = i64, Path)),
    request_body = DecisionBody,
    responses((status = 200, body = Done), (status = 404, description = "not in your district"), (status = 409, description = "already decided"),
        (status = 422, description = "no reason given")),
    security(("bearer" = [])))]
pub async fn decide(
    State(state): State<AppState>,
    actor: Actor,
    Path(objection_id): Path<String>,
    body: Bytes,
) -> AppResult<Json<Done>> {
    let oid = id(&objection_id)?;
    state.store.objection_notice(&actor.scope, oid).await?;
    let b: DecisionBody = parse(&body)?;
    write!(state, actor, |tx| state
        .store
        .decide_objection(&mut tx, &actor.scope, oid, b.uphold, &b.reason)
        .await?)?;
    Ok(Json(Done { ok: true }))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct SimulationParams {
    /// The policy year whose applications are re-run (default: the version's year).
    pub year: Option<i32>,
}

/// Policy simulator: past enterprise fee applications of a year re-run under this version,
/// with the budget impact per class, item and district (current vs simulated, fen).
#[utoipa::path(get, path = "/api/v1/policies/{version_id}/simulation", tag = "application",
    params(("version_id" = i64, Path), SimulationParams),
    responses((status = 200, description = "the budget impact: in total, by class, item and district", body = SimulationDto),
        (status = 404, description = "no such version in your scope")),
    security(("bearer" = [])))]
pub async fn simulation(
    State(state): State<AppState>,
    actor: Actor,
    Path(version_id): Path<String>,
    ApiQuery(p): ApiQuery<SimulationParams>,
) -> AppResult<Json<SimulationDto>> {
    let (v, year, sim) = run_simulation(&state, &actor, id(&version_id)?, p.year).await?;
    let ipfin_domain::policy::simulate::Simulation {
        total,
        by_class,
        by_item,
        by_district,
        ineligible,
        errors,
        budget_fen,
        within_budget_fen,
    } = sim;
    let totals = |m: std::collections::BTreeMap<_, ipfin_domain::policy::simulate::Totals>| {
        m.into_iter().map(|(k, t)| (k, t.into())).collect()
    };
    Ok(Json(SimulationDto {
        version_id: v.id,
        year,
        total: total.into(),
        by_class: totals(by_class),
        by_item: totals(by_item),
        by_district: by_district
            .into_iter()
            .map(|(k, t)| (k, t.into()))
            .collect(),
        ineligible,
        errors: errors
            .into_iter()
            .map(|(application_id, m)| SimulationError {
                application_id,
                code: m.code,
                message: m.text(actor.lang).to_string(),
            })
            .collect(),
        budget_fen,
        within_budget_fen,
    }))
}

/// The budget impact of a policy version on a year's past applications (fen).
#[derive(Debug, Serialize, ToSchema)]
pub struct SimulationDto {
    pub version_id: i64,
    pub year: i32,
    pub total: TotalsDto,
    /// By size class (micro, small, medium, large).
    pub by_class: std::collections::BTreeMap<&'static str, TotalsDto>,
    /// By item (interest, evaluation, guarantee, insurance).
    pub by_item: std::collections::BTreeMap<&'static str, TotalsDto>,
    /// By district code.
    pub by_district: std::collections::BTreeMap<String, TotalsDto>,
    /// Applications the version's conditions would rule out.
    pub ineligible: u32,
    /// Applications that could not be calculated, with why (e.g. an LPR value missing).
    pub errors: Vec<SimulationError>,
    /// The version's budget and what it would pay under its mode.
    #[schema(value_type = Option<i64>)]
    pub budget_fen: Option<Fen>,
    #[schema(value_type = Option<i64>)]
    pub within_budget_fen: Option<Fen>,
}

/// Totals of one group: applications, what they got and what they would get.
#[derive(Debug, Serialize, ToSchema)]
pub struct TotalsDto {
    pub applications: u32,
    #[schema(value_type = i64)]
    pub current_fen: Fen,
    #[schema(value_type = i64)]
    pub simulated_fen: Fen,
}

impl From<ipfin_domain::policy::simulate::Totals> for TotalsDto {
    fn from(t: ipfin_domain::policy::simulate::Totals) -> Self {
        let ipfin_domain::policy::simulate::Totals {
            applications,
            current_fen,
            simulated_fen,
        } = t;
        Self {
            applications,
            current_fen,
            simulated_fen,
        }
    }
}

/// An application the simulation could not calculate.
#[derive(Debug, Serialize, ToSchema)]
pub struct SimulationError {
    pub application_id: i64,
    pub code: &'static str,
    /// In the caller's language.
    pub message: String,
}

/// Everything a person sees on an application's page.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationDetailDto {
    /// The application's row: number, kind, applicant, state, amounts, dates.
    #[schema(value_type = Object)]
    pub row: ApplicationRow,
    /// Where it stands: the state, the stage and who acts next.
    #[schema(value_type = Object)]
    pub workflow: ipfin_domain::application::workflow::Workflow,
    /// The loans (enterprise fee) or the securitisation figures.
    #[schema(value_type = Object)]
    pub body: Body,
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<ipfin_store::application::ItemRow>,
    /// The materials' slots.
    #[schema(value_type = Vec<Object>)]
    pub slots: Vec<ipfin_domain::application::SlotDef>,
    #[schema(value_type = Vec<Object>)]
    pub files: Vec<ipfin_store::application::FileRow>,
    /// Required slots without a file, by name.
    pub missing: Vec<String>,
    #[schema(value_type = Vec<Object>)]
    pub events: Vec<ipfin_store::application::EventRow>,
    /// The stored calculation (after submission).
    #[schema(value_type = Option<Object>)]
    pub calculation: Option<serde_json::Value>,
    /// The derivation in Chinese, one line a step.
    pub derivation: Vec<String>,
    /// Differences between the stated figures and what banks and contract parties reported,
    /// each with the officer's decision (`decision`) once made; `decidable: false` marks a loan
    /// no bank has reported (the application cannot be accepted until it is).
    #[schema(value_type = Vec<Object>)]
    pub differences: Vec<ipfin_domain::application::Difference>,
    /// Eligibility as checked at submission, acceptance and grant: each condition with its
    /// value, source and as-of date.
    pub eligibility: Vec<EligibilityCheckDto>,
    #[schema(value_type = Vec<Object>)]
    pub payments: Vec<ipfin_store::application::PaymentRow>,
    #[schema(value_type = Vec<Object>)]
    pub checks: Vec<ipfin_store::application::CheckRow>,
    #[schema(value_type = Vec<Object>)]
    pub clawbacks: Vec<ipfin_store::application::ClawbackRow>,
    /// Open clawbacks of the same applicant (flagged at eligibility).
    pub open_clawbacks: i64,
    /// Who must act next, in words.
    pub awaiting: String,
}

impl From<ApplicationDetail> for ApplicationDetailDto {
    fn from(d: ApplicationDetail) -> Self {
        let ApplicationDetail {
            row,
            workflow,
            body,
            items,
            slots,
            files,
            missing,
            events,
            calculation,
            derivation,
            derivation_en: _,
            differences,
            eligibility,
            payments,
            checks,
            clawbacks,
            open_clawbacks,
            awaiting,
            awaiting_en: _,
        } = d;
        Self {
            row,
            workflow,
            body,
            items,
            slots,
            files,
            missing,
            events,
            calculation,
            derivation,
            differences,
            eligibility: eligibility
                .into_iter()
                .map(EligibilityCheckDto::from)
                .collect(),
            payments,
            checks,
            clawbacks,
            open_clawbacks,
            awaiting,
        }
    }
}

/// One eligibility check kept with an application (R2.2).
#[derive(Debug, Serialize, ToSchema)]
pub struct EligibilityCheckDto {
    /// `submit`, `accept` or `grant`.
    pub step: String,
    /// When (seconds since the epoch).
    pub checked_at: i64,
    /// All of the guideline's conditions were met.
    pub eligible: bool,
    pub conditions: Vec<EligibilityConditionDto>,
}

/// One condition as checked: its value, evidence (with the data source) and as-of date.
#[derive(Debug, Serialize, ToSchema)]
pub struct EligibilityConditionDto {
    /// `registered_in_district`, `taxed_in_district`, `independent_legal_person` or `extra`.
    pub code: String,
    pub name: String,
    /// `null`: a policy's extra condition, checked by the officer.
    pub met: Option<bool>,
    pub evidence: String,
    pub as_of: String,
    pub extra: bool,
}

impl From<ipfin_domain::policy::eligibility::KeptCheck> for EligibilityCheckDto {
    fn from(c: ipfin_domain::policy::eligibility::KeptCheck) -> Self {
        Self {
            step: c.step.code().to_string(),
            checked_at: c.checked_at,
            eligible: c.eligible,
            conditions: c
                .conditions
                .into_iter()
                .map(|k| EligibilityConditionDto {
                    code: k.code,
                    name: k.name,
                    met: k.met,
                    evidence: k.evidence,
                    as_of: k.as_of,
                    extra: k.extra,
                })
                .collect(),
        }
    }
}

/// A public notice with its list and, for officers, the objections.
#[derive(Debug, Serialize, ToSchema)]
pub struct NoticeDetailDto {
    /// The notice: district, title, period, status.
    #[schema(value_type = Object)]
    pub notice: ipfin_store::application::NoticeRow,
    /// Enterprise, items and amount of each application listed (no personal data).
    #[schema(value_type = Vec<Object>)]
    pub entries: Vec<ipfin_store::application::NoticeEntry>,
    /// Objections with the objector's contact: officers only (empty for the public).
    #[schema(value_type = Vec<Object>)]
    pub objections: Vec<ipfin_store::application::ObjectionRow>,
}

impl From<NoticeDetail> for NoticeDetailDto {
    fn from(d: NoticeDetail) -> Self {
        let NoticeDetail {
            notice,
            entries,
            objections,
        } = d;
        Self {
            notice,
            entries,
            objections,
        }
    }
}
