//! The finance bureau pays and the budget is visible, through the API (issue #18 items 4 and
//! 5): the payments overview, payment runs (prepare, confirm, export, results by sheet or per
//! line, settle), the paying unit, the payee account of an application and a policy year's
//! budget figures. The same use cases as the pages (`usecase::payment`).

use super::json_error;
use crate::AppState;
use crate::actor::Actor;
use crate::api::application::Created;
use crate::error::AppResult;
use crate::http::path_id;
use crate::usecase::payment::{
    self as uc, LineBody, NewRunBody, PayeeBody, PayeeDto, PayingUnitBody, PayingUnitDto,
    PaymentRunDto, PaymentsOverview, PolicyBudget, ResultBody, ResultSummaryDto, SettleBody,
};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;
use utoipa::ToSchema;

fn parse<T: serde::de::DeserializeOwned>(body: &Bytes) -> AppResult<T> {
    serde_json::from_slice(body).map_err(|e| json_error(&e))
}

/// The payments overview of the caller's district (the city: every district): the paying unit,
/// the runs, granted applications still to pay, failed lines still open.
#[utoipa::path(get, path = "/api/v1/payments", tag = "payment",
    responses((status = 200, body = PaymentsOverview)),
    security(("bearer" = [])))]
pub async fn overview(
    State(state): State<AppState>,
    actor: Actor,
) -> AppResult<Json<PaymentsOverview>> {
    Ok(Json(uc::overview(&state, &actor).await?))
}

/// Opens a payment run (the district's paying unit, signed in), with its first lines.
#[utoipa::path(post, path = "/api/v1/payment-runs", tag = "payment", request_body = NewRunBody,
    responses((status = 201, body = Created), (status = 403, description = "not the paying unit, or a token"),
        (status = 409, description = "an application not payable, without a payee account, or already in a run"),
        (status = 422, description = "an amount above what is due")),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    actor: Actor,
    body: Bytes,
) -> AppResult<(StatusCode, Json<Created>)> {
    let b: NewRunBody = parse(&body)?;
    let id = uc::create_run(&state, &actor, &b).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// A payment run with its lines and the actions the caller may take.
#[utoipa::path(get, path = "/api/v1/payment-runs/{run_id}", tag = "payment",
    params(("run_id" = i64, Path)),
    responses((status = 200, body = PaymentRunDto), (status = 404, description = "not in your scope")),
    security(("bearer" = [])))]
pub async fn show(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<Json<PaymentRunDto>> {
    Ok(Json(uc::run_view(&state, &actor, path_id(&id)?).await?))
}

/// Adds a granted application to a draft run (the amount still due unless a smaller one is
/// given).
#[utoipa::path(post, path = "/api/v1/payment-runs/{run_id}/lines", tag = "payment",
    params(("run_id" = i64, Path)), request_body = LineBody,
    responses((status = 201, body = Created), (status = 404, description = "not in your scope"),
        (status = 409, description = "not a draft, not payable, no payee account, already in a run"),
        (status = 422, description = "an amount above what is due")),
    security(("bearer" = [])))]
pub async fn add_line(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<(StatusCode, Json<Created>)> {
    let id = path_id(&id)?;
    state.store.payment_run(&actor.scope, id).await?;
    let b: LineBody = parse(&body)?;
    let line = uc::add_line(&state, &actor, id, &b).await?;
    Ok((StatusCode::CREATED, Json(Created { id: line })))
}

/// Removes a line from a draft run.
#[utoipa::path(post, path = "/api/v1/payment-runs/{run_id}/lines/{line_id}/remove", tag = "payment",
    params(("run_id" = i64, Path), ("line_id" = i64, Path)),
    responses((status = 200, body = PaymentRunDto), (status = 404, description = "not in your scope"),
        (status = 409, description = "the run is no longer a draft")),
    security(("bearer" = [])))]
pub async fn remove_line(
    State(state): State<AppState>,
    actor: Actor,
    Path((id, line)): Path<(String, String)>,
) -> AppResult<Json<PaymentRunDto>> {
    let (id, line) = (path_id(&id)?, path_id(&line)?);
    uc::remove_line(&state, &actor, id, line).await?;
    Ok(Json(uc::run_view(&state, &actor, id).await?))
}

/// Confirms a draft run: an officer of the district's lead department, never of the preparing
/// organisation (four eyes across two organisations); every line is checked again.
#[utoipa::path(post, path = "/api/v1/payment-runs/{run_id}/confirm", tag = "payment",
    params(("run_id" = i64, Path)),
    responses((status = 200, body = PaymentRunDto), (status = 404, description = "not in your scope"),
        (status = 403, description = "not a lead officer, or a token"),
        (status = 409, description = "the preparing organisation, not a draft, or a line no longer payable")),
    security(("bearer" = [])))]
pub async fn confirm(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<Json<PaymentRunDto>> {
    let id = path_id(&id)?;
    uc::confirm(&state, &actor, id).await?;
    Ok(Json(uc::run_view(&state, &actor, id).await?))
}

/// Exports a confirmed run: the treasury's payment list (XLSX). The first export moves the run
/// to `exported`.
#[utoipa::path(post, path = "/api/v1/payment-runs/{run_id}/export", tag = "payment",
    params(("run_id" = i64, Path)),
    responses((status = 200, description = "the payment list", body = String, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 404, description = "not in your scope"), (status = 409, description = "not confirmed yet")),
    security(("bearer" = [])))]
pub async fn export(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let (bytes, name) = uc::export(&state, &actor, path_id(&id)?).await?;
    Ok(uc::xlsx_response(bytes, &name))
}

/// Records the treasury's returned sheet (the body is the XLSX: the exported columns and 支付结果,
/// 支付日期, 支付凭证号, 失败原因). Every row is checked first; any bad row refuses the whole
/// file, listing each with its row number.
#[utoipa::path(post, path = "/api/v1/payment-runs/{run_id}/results", tag = "payment",
    params(("run_id" = i64, Path)),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = ResultSummaryDto), (status = 404, description = "not in your scope"),
        (status = 409, description = "not exported, or every result recorded"),
        (status = 422, description = "the file refused: every bad row listed")),
    security(("bearer" = [])))]
pub async fn results(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Json<ResultSummaryDto>> {
    Ok(Json(
        uc::record_sheet_bytes(&state, &actor, path_id(&id)?, &body).await?,
    ))
}

/// Records one line's result: paid (date, voucher reference) or failed (reason).
#[utoipa::path(post, path = "/api/v1/payment-runs/{run_id}/lines/{line_id}/result", tag = "payment",
    params(("run_id" = i64, Path), ("line_id" = i64, Path)), request_body = ResultBody,
    responses((status = 200, body = ResultSummaryDto), (status = 404, description = "not in your scope"),
        (status = 409, description = "not exported, or the result already recorded"),
        (status = 422, description = "a missing date, reference or reason; an amount above what is due")),
    security(("bearer" = [])))]
pub async fn record_line(
    State(state): State<AppState>,
    actor: Actor,
    Path((id, line)): Path<(String, String)>,
    body: Bytes,
) -> AppResult<Json<ResultSummaryDto>> {
    let (id, line) = (path_id(&id)?, path_id(&line)?);
    state.store.payment_run(&actor.scope, id).await?;
    let b: ResultBody = parse(&body)?;
    Ok(Json(uc::record_line(&state, &actor, id, line, &b).await?))
}

/// Marks a failed line settled with a reason.
#[utoipa::path(post, path = "/api/v1/payment-runs/{run_id}/lines/{line_id}/settle", tag = "payment",
    params(("run_id" = i64, Path), ("line_id" = i64, Path)), request_body = SettleBody,
    responses((status = 200, body = PaymentRunDto), (status = 404, description = "not in your scope"),
        (status = 409, description = "not a failed line still open"), (status = 422, description = "no reason")),
    security(("bearer" = [])))]
pub async fn settle(
    State(state): State<AppState>,
    actor: Actor,
    Path((id, line)): Path<(String, String)>,
    body: Bytes,
) -> AppResult<Json<PaymentRunDto>> {
    let (id, line) = (path_id(&id)?, path_id(&line)?);
    state.store.payment_run(&actor.scope, id).await?;
    let b: SettleBody = parse(&body)?;
    uc::settle(&state, &actor, id, line, &b.note).await?;
    Ok(Json(uc::run_view(&state, &actor, id).await?))
}

/// Designates the district's paying unit (the city administrator or the district's lead
/// officers): a member department, never the lead department itself.
#[utoipa::path(put, path = "/api/v1/payments/districts/{code}/paying-unit", tag = "payment",
    params(("code" = String, Path)), request_body = PayingUnitBody,
    responses((status = 200, body = PayingUnitDto), (status = 403, description = "not the city or the district's lead officers"),
        (status = 422, description = "not an active department of the district, or the lead department")),
    security(("bearer" = [])))]
pub async fn designate(
    State(state): State<AppState>,
    actor: Actor,
    Path(code): Path<String>,
    body: Bytes,
) -> AppResult<Json<PayingUnitDto>> {
    if !actor.scope.manages_district(&code) {
        return Err(crate::error::AppError::not_found());
    }
    let b: PayingUnitBody = parse(&body)?;
    Ok(Json(
        uc::designate(&state, &actor, &code, b.organisation_id).await?,
    ))
}

/// The payee account of an application (absent until the applicant names one).
#[derive(Debug, Serialize, ToSchema)]
pub struct PayeeAccountView {
    pub payee: Option<PayeeDto>,
}

/// The payee account of an application the caller reads.
#[utoipa::path(get, path = "/api/v1/applications/{app_id}/payee", tag = "payment",
    params(("app_id" = i64, Path)),
    responses((status = 200, body = PayeeAccountView), (status = 404, description = "not in your scope")),
    security(("bearer" = [])))]
pub async fn payee(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<Json<PayeeAccountView>> {
    Ok(Json(PayeeAccountView {
        payee: uc::payee(&state, &actor, path_id(&id)?).await?,
    }))
}

/// The applicant names its payee account: the account name must be its registered name, the
/// bank is required, the number has 8–30 digits (spaces allowed). Every problem in one answer.
#[utoipa::path(put, path = "/api/v1/applications/{app_id}/payee", tag = "payment",
    params(("app_id" = i64, Path)), request_body = PayeeBody,
    responses((status = 200, body = PayeeDto), (status = 404, description = "not in your scope"),
        (status = 409, description = "the application is closed or waits in a payment run"),
        (status = 422, description = "every problem listed: a name other than the registered one, letters in the number, no bank")),
    security(("bearer" = [])))]
pub async fn save_payee(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Json<PayeeDto>> {
    let id = path_id(&id)?;
    state.store.application(&actor.scope, id).await?;
    let b: PayeeBody = parse(&body)?;
    Ok(Json(uc::set_payee(&state, &actor, id, &b).await?))
}

/// A policy year's budget figures: budget, committed (in review), granted, paid, still to pay,
/// clawed back and remaining (government of the policy's district; the city).
#[utoipa::path(get, path = "/api/v1/policies/{version_id}/budget", tag = "payment",
    params(("version_id" = i64, Path)),
    responses((status = 200, body = PolicyBudget), (status = 404, description = "not in your scope")),
    security(("bearer" = [])))]
pub async fn budget(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<Json<PolicyBudget>> {
    Ok(Json(
        uc::policy_budget(&state, &actor, path_id(&id)?).await?,
    ))
}
