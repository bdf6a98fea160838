//! Applications through the API (issue #6): enterprises' and banks' systems create drafts,
//! upload materials and submit; officers act on them; anyone reads a public notice and lodges
//! an objection. Path ids are checked against the caller's scope before a body is read.

use super::{ApiQuery, id, json_error};
use crate::AppState;
use crate::actor::Actor;
use crate::error::{AppError, AppResult};
use crate::views::org::write;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use chrono::NaiveDate;
use ipfin_domain::application::{Action, Kind};
use ipfin_domain::policy::rules::Item;
use ipfin_domain::{FieldError, Scope};
use ipfin_store::Page;
use ipfin_store::application::{
    ApplicationDetail, ApplicationFilter, ApplicationRow, Body, ItemDecision, NewApplication,
    NewObjection, NoticeDetail,
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
    responses((status = 200, description = "the application", body = Object), (status = 404, description = "not in your scope")),
    security(("bearer" = [])))]
pub async fn show(
    State(state): State<AppState>,
    actor: Actor,
    Path(app_id): Path<String>,
) -> AppResult<Json<ApplicationDetail>> {
    Ok(Json(
        state.store.application(&actor.scope, id(&app_id)?).await?,
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
    responses((status = 200, description = "the application", body = Object), (status = 404, description = "not in your scope"),
        (status = 409, description = "no longer editable, or loans changed after acceptance"), (status = 422, description = "bad items or figures")),
    security(("bearer" = [])))]
pub async fn update(
    State(state): State<AppState>,
    actor: Actor,
    Path(app_id): Path<String>,
    body: Bytes,
) -> AppResult<Json<ApplicationDetail>> {
    let app_id = id(&app_id)?;
    state.store.application(&actor.scope, app_id).await?;
    let b: UpdateBody = parse(&body)?;
    let items = items_of(&b.items)?;
    let app_body: Body = serde_json::from_value(b.body).map_err(|e| json_error(&e))?;
    write!(state, actor, |tx| state
        .store
        .update_application(&mut tx, &actor.scope, app_id, items, app_body)
        .await?)?;
    Ok(Json(state.store.application(&actor.scope, app_id).await?))
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
    responses((status = 200, description = "the file", content_type = "application/octet-stream"), (status = 404, description = "not in your scope")),
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
    Ok(crate::views::application::file_response(&f, bytes))
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

/// An action on an application.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionBody {
    /// withdraw (applicant); accept, return, not_accept, pass, reject, disburse, supervise,
    /// clear, clawback, recovered (officers)
    pub action: String,
    #[serde(default)]
    pub comment: String,
    /// return: what to supplement; not_accept, reject, clear, clawback: the reason.
    #[serde(default)]
    pub note: String,
    /// return: the supplement deadline; disburse: the payment date; recovered: the date.
    #[serde(default)]
    pub date: Option<NaiveDate>,
    /// pass: the approved amount per item (omitted items keep their amount).
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<ItemDecision>,
    /// disburse, clawback: the amount in fen.
    #[serde(default)]
    pub amount_fen: Option<i64>,
    /// disburse: the payment reference.
    #[serde(default)]
    pub reference: String,
    /// recovered: which clawback.
    #[serde(default)]
    pub clawback_id: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActionResult {
    pub state: String,
    /// accept: differences with the banks' reports; supervise: findings.
    #[schema(value_type = Vec<Object>)]
    pub notes: Vec<serde_json::Value>,
}

fn required_date(d: Option<NaiveDate>) -> AppResult<NaiveDate> {
    d.ok_or_else(|| {
        AppError::invalid(FieldError::new(
            "date",
            "action.date",
            "请填写日期（YYYY-MM-DD）。",
            "Enter the date (YYYY-MM-DD).",
        ))
    })
}

/// Runs an action (the one function behind the API and the page forms).
pub async fn run_action(
    state: &AppState,
    actor: &Actor,
    app_id: i64,
    b: ActionBody,
) -> AppResult<ActionResult> {
    let s = &state.store;
    let scope = &actor.scope;
    let today = ipfin_store::today_shanghai();
    let mut notes: Vec<serde_json::Value> = Vec::new();
    match b.action.as_str() {
        "withdraw" => write!(state, actor, |tx| s
            .withdraw_application(&mut tx, scope, app_id)
            .await?)?,
        "accept" => {
            let d = write!(state, actor, |tx| s
                .accept_application(&mut tx, scope, app_id, &b.comment)
                .await?)?;
            notes = d
                .iter()
                .filter_map(|x| serde_json::to_value(x).ok())
                .collect();
        }
        "return" => {
            let deadline = required_date(b.date)?;
            write!(state, actor, |tx| s
                .return_application(&mut tx, scope, app_id, &b.note, deadline, today)
                .await?)?
        }
        "not_accept" => write!(state, actor, |tx| s
            .refuse_application(&mut tx, scope, app_id, Action::NotAccept, &b.note)
            .await?)?,
        "reject" => write!(state, actor, |tx| s
            .refuse_application(&mut tx, scope, app_id, Action::Reject, &b.note)
            .await?)?,
        "pass" => {
            write!(state, actor, |tx| s
                .pass_review(&mut tx, scope, app_id, &b.items, &b.comment)
                .await?)?;
        }
        "disburse" => {
            let on = required_date(b.date)?;
            write!(state, actor, |tx| s
                .disburse(
                    &mut tx,
                    scope,
                    app_id,
                    on,
                    b.amount_fen.unwrap_or(0),
                    &b.reference
                )
                .await?)?
        }
        "supervise" => {
            let f = write!(state, actor, |tx| s
                .run_supervision(&mut tx, scope, app_id)
                .await?)?;
            notes = f.into_iter().map(serde_json::Value::String).collect();
        }
        "clear" => write!(state, actor, |tx| s
            .close_investigation(&mut tx, scope, app_id, None, &b.note)
            .await?)?,
        "clawback" => {
            let amount = b.amount_fen.unwrap_or(0);
            write!(state, actor, |tx| s
                .close_investigation(&mut tx, scope, app_id, Some(amount), &b.note)
                .await?)?
        }
        "recovered" => {
            let on = required_date(b.date)?;
            let cid = b.clawback_id.unwrap_or(0);
            write!(state, actor, |tx| s
                .clawback_recovered(&mut tx, scope, app_id, cid, on)
                .await?)?
        }
        other => {
            return Err(AppError::invalid(FieldError::new(
                "action",
                "action.unknown",
                format!("不支持的操作“{other}”。"),
                "Unknown action.",
            )));
        }
    }
    let d = s.application(scope, app_id).await?;
    Ok(ActionResult {
        state: d.row.state.to_string(),
        notes,
    })
}

/// Acts on an application: the applicant withdraws; the district's officers accept, return
/// for supplement, do not accept, pass a review stage (with approved amounts), reject,
/// disburse, run a supervision check, clear, claw back, record a recovery.
#[utoipa::path(post, path = "/api/v1/applications/{app_id}/actions", tag = "application", params(("app_id" = i64, Path)),
    request_body = ActionBody,
    responses((status = 200, body = ActionResult), (status = 404, description = "not in your scope"),
        (status = 403, description = "not yours to do"), (status = 409, description = "the state does not allow it, maker–checker, double-dipping"),
        (status = 422, description = "bad input, e.g. an amount above the calculation")),
    security(("bearer" = [])))]
pub async fn action(
    State(state): State<AppState>,
    actor: Actor,
    Path(app_id): Path<String>,
    body: Bytes,
) -> AppResult<Json<ActionResult>> {
    let app_id = id(&app_id)?;
    state.store.application(&actor.scope, app_id).await?;
    let b: ActionBody = parse(&body)?;
    Ok(Json(run_action(&state, &actor, app_id, b).await?))
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

/// Publishes a public notice (公示) of reviewed applications (the district's officers).
#[utoipa::path(post, path = "/api/v1/notices", tag = "application", request_body = NoticeBody,
    responses((status = 201, description = "the notice's id", body = Created), (status = 409, description = "an application is not reviewed"),
        (status = 422, description = "bad title or days, or the calendar does not cover the period")),
    security(("bearer" = [])))]
pub async fn publish_notice(
    State(state): State<AppState>,
    actor: Actor,
    body: Bytes,
) -> AppResult<(axum::http::StatusCode, Json<Created>)> {
    let b: NoticeBody = parse(&body)?;
    let start = b.start.unwrap_or_else(ipfin_store::today_shanghai);
    let nid = write!(state, actor, |tx| state
        .store
        .publish_notice(
            &mut tx,
            &actor.scope,
            &b.title,
            &b.application_ids,
            start,
            b.days.unwrap_or(5),
            ipfin_store::today_shanghai()
        )
        .await?)?;
    Ok((axum::http::StatusCode::CREATED, Json(Created { id: nid })))
}

/// A public notice: its period and list (enterprise, items, amount; no personal data).
#[utoipa::path(get, path = "/api/v1/notices/{notice_id}", tag = "application", params(("notice_id" = i64, Path)),
    responses((status = 200, description = "the notice", body = Object), (status = 404, description = "no such notice")))]
pub async fn notice(
    State(state): State<AppState>,
    actor: Actor,
    Path(notice_id): Path<String>,
) -> AppResult<Json<NoticeDetail>> {
    Ok(Json(
        state.store.notice(&actor.scope, id(&notice_id)?).await?,
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
        (status = 409, description = "the period is over"), (status = 422, description = "missing name, contact or text")))]
pub async fn lodge(
    State(state): State<AppState>,
    actor: Actor,
    Path(notice_id): Path<String>,
    body: Bytes,
) -> AppResult<(axum::http::StatusCode, Json<Created>)> {
    let nid = id(&notice_id)?;
    state.store.notice(&Scope::Public, nid).await?;
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
                evidence: None
            },
            today
        )
        .await?)?;
    Ok((axum::http::StatusCode::CREATED, Json(Created { id: oid })))
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

/// The simulation of a policy version over past applications (the district's own; the
/// city's: every district's).
pub async fn run_simulation(
    state: &AppState,
    actor: &Actor,
    version_id: i64,
    year: Option<i32>,
) -> AppResult<(
    ipfin_store::policy::PolicyVersionRow,
    i32,
    ipfin_domain::policy::simulate::Simulation,
)> {
    let v = state.store.policy_version(&actor.scope, version_id).await?;
    let doc = v.doc()?;
    let year = year.unwrap_or(doc.year);
    let past = state.store.simulation_inputs(&actor.scope, year).await?;
    let lpr = state.store.lpr_table().await?;
    let sim = ipfin_domain::policy::simulate::simulate(&doc.rules, doc.budget, &lpr, &past);
    Ok((v, year, sim))
}

/// Policy simulator: past enterprise fee applications of a year re-run under this version,
/// with the budget impact per class, item and district (current vs simulated, fen).
#[utoipa::path(get, path = "/api/v1/policies/{version_id}/simulation", tag = "application",
    params(("version_id" = i64, Path), SimulationParams),
    responses((status = 200, description = "{total, by_class, by_item, by_district, ineligible, errors, budget_fen, within_budget_fen}", body = Object),
        (status = 404, description = "no such version in your scope")),
    security(("bearer" = [])))]
pub async fn simulation(
    State(state): State<AppState>,
    actor: Actor,
    Path(version_id): Path<String>,
    ApiQuery(p): ApiQuery<SimulationParams>,
) -> AppResult<Json<serde_json::Value>> {
    let (v, year, sim) = run_simulation(&state, &actor, id(&version_id)?, p.year).await?;
    let errors: Vec<serde_json::Value> = sim
        .errors
        .iter()
        .map(|(id, m)| serde_json::json!({"application_id": id, "code": m.code, "message": m.text(actor.lang)}))
        .collect();
    Ok(Json(serde_json::json!({
        "version_id": v.id, "year": year, "total": sim.total, "by_class": sim.by_class,
        "by_item": sim.by_item, "by_district": sim.by_district, "ineligible": sim.ineligible,
        "errors": errors, "budget_fen": sim.budget_fen, "within_budget_fen": sim.within_budget_fen,
    })))
}
