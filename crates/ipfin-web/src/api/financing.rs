//! Financing records through the API (issue #5): a bank's system reports loans with their
//! pledges (one or a batch), re-sends them safely (idempotent by contract number, and by
//! `Idempotency-Key`), records payments, status changes and contracts; every party lists the
//! loans its scope covers.

use super::{ApiJson, ApiPath, ApiQuery, id, json_error};
use crate::AppState;
use crate::actor::Actor;
use crate::error::{AppError, AppResult};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use ipfin_domain::financing::{Disbursement, LoanStatus, LoanTerms, Payment, PledgeTerms};
use ipfin_domain::ip_number::IpKind;
use ipfin_domain::visibility::{Party, Reach, Records};
use ipfin_domain::{CreditCode, Fen, FieldError, Lang, Msg, OrgId, Scope};
use ipfin_store::Page;
use ipfin_store::financing::{
    ContractInput, LoanDetail, LoanFilter, LoanInput, LoanRow, LoanTotals, PledgeInput,
    PledgeItemInput, SaveOutcome,
};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sm3::{Digest, Sm3};
use utoipa::{IntoParams, ToSchema};

/// At most this many loans in one batch request.
pub const MAX_BATCH: usize = 500;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisbursementBody {
    pub date: NaiveDate,
    #[schema(value_type = i64)]
    pub amount_fen: Fen,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PledgeItemBody {
    /// patent | trademark | software_copyright | works_copyright
    pub kind: String,
    /// Application or registration number, e.g. 202310123456.6 (CN/ZL prefixes, spaces accepted).
    pub number: String,
    /// Title, for an asset not yet in the registry.
    #[serde(default)]
    pub title: Option<String>,
    /// When the item is held by someone other than the borrower: the relation (e.g. 同一实际控制人).
    #[serde(default)]
    pub related_party: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PledgeBody {
    /// Registration number, e.g. Y2026980012345 (pattern only, SPEC §10).
    pub number: String,
    #[schema(value_type = i64)]
    pub secured_amount_fen: Fen,
    pub registration_date: NaiveDate,
    #[serde(default)]
    pub cancellation_date: Option<NaiveDate>,
    pub items: Vec<PledgeItemBody>,
}

/// A loan as the bank reports it. Re-sending the same contract number updates the loan (or
/// changes nothing when the content is the same).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoanBody {
    /// The lending institution; when given it must be the caller's own.
    #[serde(default)]
    #[schema(value_type = Option<i64>)]
    pub lender_org_id: Option<OrgId>,
    pub contract_number: String,
    /// The borrower's unified social credit code (GB 32100).
    pub borrower_credit_code: String,
    /// Principal in fen (分).
    #[schema(value_type = i64)]
    pub principal_fen: Fen,
    /// Annual rate as a decimal fraction: "0.0345" for 3.45%.
    #[schema(value_type = String, example = "0.0345")]
    pub annual_rate: Decimal,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    /// Default: the whole principal on the start date.
    #[serde(default)]
    pub disbursements: Vec<DisbursementBody>,
    /// First-time borrower (首贷).
    #[serde(default)]
    pub first_loan: bool,
    /// Whether other collateral secures the loan too; then ip_amount_fen or ip_ratio is required.
    #[serde(default)]
    pub other_collateral: bool,
    #[serde(default)]
    #[schema(value_type = Option<i64>)]
    pub ip_amount_fen: Option<Fen>,
    /// IP-attributable ratio in (0, 1], e.g. "0.6".
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "0.6")]
    pub ip_ratio: Option<Decimal>,
    /// outstanding | repaid | overdue | defaulted (on creation; default outstanding).
    #[serde(default)]
    pub status: Option<String>,
    pub pledges: Vec<PledgeBody>,
}

impl LoanBody {
    fn into_input(self, scope: &Scope) -> AppResult<LoanInput> {
        if let (Some(lender), Reach::Party(Party::Lender, own)) =
            (self.lender_org_id, scope.reach(Records::Loans))
            && lender != own
        {
            return Err(AppError::new(
                StatusCode::FORBIDDEN,
                "loan.lender_mismatch",
                "只能报送本机构发放的贷款：lender_org_id 与令牌所属机构不一致。",
                "You may report only your own institution's loans: lender_org_id is not the token's institution.",
            ));
        }
        let status = match self.status.as_deref() {
            None => None,
            Some(s) => Some(LoanStatus::from_code(s).ok_or_else(|| {
                AppError::invalid(ipfin_domain::FieldError::new(
                    "status",
                    "loan.status",
                    format!("贷款状态“{s}”无效：应为 outstanding、repaid、overdue 或 defaulted。"),
                    format!("Status “{s}” is not one of outstanding, repaid, overdue, defaulted."),
                ))
            })?),
        };
        // The edge parses the code; the store only looks it up.
        let borrower_credit_code =
            CreditCode::parse(&self.borrower_credit_code).map_err(|msg| {
                AppError::invalid(FieldError {
                    field: "borrower_credit_code",
                    msg,
                })
            })?;
        Ok(LoanInput {
            borrower_credit_code,
            terms: LoanTerms {
                contract_number: self.contract_number,
                principal_fen: self.principal_fen,
                annual_rate: self.annual_rate,
                start: self.start_date,
                end: self.end_date,
                disbursements: self
                    .disbursements
                    .into_iter()
                    .map(|d| Disbursement {
                        date: d.date,
                        amount_fen: d.amount_fen,
                    })
                    .collect(),
                other_collateral: self.other_collateral,
                ip_amount_fen: self.ip_amount_fen,
                ip_ratio: self.ip_ratio,
            },
            first_loan: self.first_loan,
            status,
            pledges: self
                .pledges
                .into_iter()
                .map(|p| PledgeInput {
                    terms: PledgeTerms {
                        number: p.number,
                        secured_amount_fen: p.secured_amount_fen,
                        registration_date: p.registration_date,
                        cancellation_date: p.cancellation_date,
                    },
                    items: p
                        .items
                        .into_iter()
                        .map(|i| PledgeItemInput {
                            kind: i.kind,
                            number: i.number,
                            title: i.title,
                            related_party: i.related_party,
                        })
                        .collect(),
                })
                .collect(),
        })
    }
}

/// A consistency warning: stored, but worth a look.
#[derive(Debug, Serialize, ToSchema)]
pub struct WarningDto {
    pub code: String,
    pub message: String,
}

fn warnings(ws: &[Msg], lang: Lang) -> Vec<WarningDto> {
    ws.iter()
        .map(|w| WarningDto {
            code: w.code.to_string(),
            message: w.text(lang).to_string(),
        })
        .collect()
}

/// The answer to a reported loan.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoanSaved {
    pub id: i64,
    /// created | updated | unchanged
    pub result: String,
    pub warnings: Vec<WarningDto>,
}

/// A loan with its disbursements, pledges, payments, status history, contracts and warnings.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoanDto {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub loan: LoanDetail,
    pub warnings: Vec<WarningDto>,
}

fn outcome_code(o: SaveOutcome) -> &'static str {
    match o {
        SaveOutcome::Created => "created",
        SaveOutcome::Updated => "updated",
        SaveOutcome::Unchanged => "unchanged",
    }
}

/// The body as JSON, read only after the path was checked (someone else's loan is 404 whatever
/// the body holds).
fn json_value(body: &Bytes) -> AppResult<serde_json::Value> {
    serde_json::from_slice(body).map_err(|e| json_error(&e))
}

fn parse_body<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> AppResult<T> {
    serde_json::from_value(v).map_err(|e| json_error(&e))
}

/// Runs a write request under its `Idempotency-Key` (when sent): the first answer is kept and
/// replayed for the same key and body; the same key with another body is refused.
async fn idempotent<F, Fut>(
    state: &AppState,
    actor: &Actor,
    headers: &HeaderMap,
    body: &serde_json::Value,
    run: F,
) -> AppResult<Response>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = AppResult<(StatusCode, serde_json::Value)>>,
{
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| !k.is_empty());
    // Kept per lending institution (the only callers that write loans).
    let org = match actor.scope.reach(Records::Loans) {
        Reach::Party(Party::Lender, org_id) => Some(org_id),
        _ => None,
    };
    let (Some(key), Some(org)) = (key, org) else {
        let (status, v) = run().await?;
        return Ok((status, Json(v)).into_response());
    };
    if key.chars().count() > 200 {
        return Err(AppError::bad_request(
            "idempotency.key",
            "Idempotency-Key 不能超过 200 个字符。",
            "The Idempotency-Key may have at most 200 characters.",
        ));
    }
    let hash = hex::encode(Sm3::digest(
        ipfin_domain::audit::canonical_json(body).as_bytes(),
    ));
    if let Some((h, status, stored)) = state.store.idempotent_answer(org, key).await? {
        if h != hash {
            return Err(AppError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency.mismatch",
                "该 Idempotency-Key 已用于另一份不同的请求；新请求请使用新的键。",
                "This Idempotency-Key was used for a different request; use a new key.",
            ));
        }
        // A stored answer the program cannot read is an internal error (logged), never an
        // empty 200.
        let status = u16::try_from(status)
            .ok()
            .and_then(|s| StatusCode::from_u16(s).ok())
            .ok_or_else(|| {
                AppError::internal(format!(
                    "unreadable stored idempotent answer: status {status}"
                ))
            })?;
        let v: serde_json::Value = serde_json::from_str(&stored)
            .map_err(|e| AppError::internal(format!("unreadable stored idempotent answer: {e}")))?;
        let mut resp = (status, Json(v)).into_response();
        resp.headers_mut().insert(
            "idempotent-replay",
            axum::http::HeaderValue::from_static("true"),
        );
        return Ok(resp);
    }
    let (status, v) = run().await?;
    state
        .store
        .keep_idempotent_answer(org, key, &hash, status.as_u16() as i32, &v.to_string())
        .await?;
    Ok((status, Json(v)).into_response())
}

async fn save_one(
    state: &AppState,
    actor: &Actor,
    input: &LoanInput,
) -> AppResult<(StatusCode, LoanSaved)> {
    let mut tx = state.store.write(actor.audit_actor()).await?;
    let saved = state.store.save_loan(&mut tx, &actor.scope, input).await?;
    if saved.outcome == SaveOutcome::Unchanged {
        tx.rollback().await?;
    } else {
        tx.commit().await?;
    }
    let status = if saved.outcome == SaveOutcome::Created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        LoanSaved {
            id: saved.id,
            result: outcome_code(saved.outcome).into(),
            warnings: warnings(&saved.warnings, actor.lang),
        },
    ))
}

/// Reports a loan of the caller's institution with its pledges: 201 when new, 200 when it
/// updated or matched the loan with the same contract number. Honours `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/loans", tag = "financing", request_body = LoanBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "replays the first answer for the same key and body")),
    responses((status = 201, body = LoanSaved), (status = 200, body = LoanSaved, description = "updated or unchanged"),
        (status = 403, description = "not a financial institution, or lender_org_id is another institution"),
        (status = 422, description = "a rule is broken; `field` names the field; nothing was stored")),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> AppResult<Response> {
    let input = parse_body::<LoanBody>(body.clone())?.into_input(&actor.scope)?;
    idempotent(&state, &actor, &headers, &body, || async {
        let (status, saved) = save_one(&state, &actor, &input).await?;
        Ok((status, serde_json::to_value(saved).unwrap_or_default()))
    })
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoanBatch {
    /// Up to 500 loans; all are stored or none.
    pub loans: Vec<LoanBody>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoanBatchSaved {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub loans: Vec<LoanSaved>,
}

/// Reports up to 500 loans in one transaction: all are stored or, if any breaks a rule, none
/// (`field` then reads `loans[i].field`). Honours `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/loans/batch", tag = "financing", request_body = LoanBatch,
    params(("Idempotency-Key" = Option<String>, Header, description = "replays the first answer for the same key and body")),
    responses((status = 200, body = LoanBatchSaved), (status = 422, description = "a loan breaks a rule; nothing was stored")),
    security(("bearer" = [])))]
pub async fn batch(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> AppResult<Response> {
    let b: LoanBatch = parse_body(body.clone())?;
    if b.loans.is_empty() || b.loans.len() > MAX_BATCH {
        return Err(AppError::invalid(ipfin_domain::FieldError::new(
            "loans",
            "loan.batch_size",
            format!(
                "一批须有 1 到 {MAX_BATCH} 笔贷款，实际为 {} 笔。",
                b.loans.len()
            ),
            format!(
                "A batch holds 1 to {MAX_BATCH} loans; got {}.",
                b.loans.len()
            ),
        )));
    }
    let mut inputs = Vec::with_capacity(b.loans.len());
    for l in b.loans {
        inputs.push(l.into_input(&actor.scope)?);
    }
    idempotent(&state, &actor, &headers, &body, || async {
        let mut tx = state.store.write(actor.audit_actor()).await?;
        let mut out = LoanBatchSaved {
            created: 0,
            updated: 0,
            unchanged: 0,
            loans: Vec::with_capacity(inputs.len()),
        };
        for (i, input) in inputs.iter().enumerate() {
            let saved = match state.store.save_loan(&mut tx, &actor.scope, input).await {
                Ok(s) => s,
                Err(e) => {
                    let mut e = AppError::from(e);
                    if let Some(f) = e.field.take() {
                        e.path = Some(format!("loans[{i}].{f}"));
                    }
                    e.msg.zh = format!(
                        "第 {} 笔贷款（{}）：{}",
                        i + 1,
                        input.terms.contract_number,
                        e.msg.zh
                    );
                    e.msg.en = format!(
                        "Loan {} ({}): {}",
                        i + 1,
                        input.terms.contract_number,
                        e.msg.en
                    );
                    return Err(e);
                }
            };
            match saved.outcome {
                SaveOutcome::Created => out.created += 1,
                SaveOutcome::Updated => out.updated += 1,
                SaveOutcome::Unchanged => out.unchanged += 1,
            }
            out.loans.push(LoanSaved {
                id: saved.id,
                result: outcome_code(saved.outcome).into(),
                warnings: warnings(&saved.warnings, actor.lang),
            });
        }
        if out.created + out.updated > 0 {
            tx.commit().await?;
        } else {
            tx.rollback().await?;
        }
        Ok((
            StatusCode::OK,
            serde_json::to_value(out).unwrap_or_default(),
        ))
    })
    .await
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default, deny_unknown_fields)]
pub struct LoanQuery {
    /// contract number, borrower credit code, or part of the borrower's name
    pub q: Option<String>,
    /// outstanding | repaid | overdue | defaulted
    pub status: Option<String>,
    /// first-time borrowers only (true) or others (false)
    pub first_loan: Option<bool>,
    /// patent | trademark | software_copyright | works_copyright
    pub ip_kind: Option<String>,
    /// loans starting in this year
    pub year: Option<i32>,
    /// borrower's registered district code
    pub district: Option<String>,
    /// lending institution's organisation id (the city's and districts' views)
    #[param(value_type = Option<i64>)]
    pub lender: Option<OrgId>,
    pub page: Option<u64>,
    /// 1–200, default 20
    pub per_page: Option<u64>,
}

impl LoanQuery {
    pub fn filter(&self) -> LoanFilter {
        LoanFilter {
            q: self.q.clone(),
            status: self.status.as_deref().and_then(LoanStatus::from_code),
            first_loan: self.first_loan,
            ip_kind: self.ip_kind.as_deref().and_then(IpKind::from_code),
            year: self.year,
            district: self.district.clone().filter(|d| !d.is_empty()),
            lender_org_id: self.lender,
            ..LoanFilter::default()
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoanPage {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<LoanRow>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
    /// Totals over all matching loans (not just this page).
    #[schema(value_type = Object)]
    pub totals: LoanTotals,
}

/// Loans in the caller's scope: a bank its own, a district its enterprises', the city all, an
/// enterprise its own; with totals by IP kind, first-time borrowers and SMEs.
#[utoipa::path(get, path = "/api/v1/loans", tag = "financing", params(LoanQuery),
    responses((status = 200, body = LoanPage)), security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<LoanQuery>,
) -> AppResult<Json<LoanPage>> {
    let f = q.filter();
    let p = state
        .store
        .loans(&actor.scope, &f, Page::new(q.page, q.per_page))
        .await?;
    let totals = state.store.loan_totals(&actor.scope, &f).await?;
    Ok(Json(LoanPage {
        items: p.items,
        total: p.total,
        page: p.page,
        per_page: p.per_page,
        totals,
    }))
}

/// One loan with everything recorded on it.
#[utoipa::path(get, path = "/api/v1/loans/{loan_id}", tag = "financing", params(("loan_id" = i64, Path)),
    responses((status = 200, body = LoanDto), (status = 404, description = "no such loan in your scope")),
    security(("bearer" = [])))]
pub async fn show(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(loan_id): ApiPath,
) -> AppResult<Json<LoanDto>> {
    let loan = state.store.loan(&actor.scope, id(&loan_id)?).await?;
    Ok(Json(LoanDto {
        warnings: warnings(&loan.warnings, actor.lang),
        loan,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusBody {
    /// outstanding | repaid | overdue | defaulted
    pub status: String,
    pub date: NaiveDate,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Recorded {
    pub warnings: Vec<WarningDto>,
}

/// Checks the caller may see the loan before the body is read (someone else's loan is 404
/// whatever the body says).
async fn visible(state: &AppState, actor: &Actor, loan_id: &str) -> AppResult<i64> {
    let id = id(loan_id)?;
    state.store.loan(&actor.scope, id).await?;
    Ok(id)
}

/// Changes a loan's status as of a date (the lending institution).
#[utoipa::path(post, path = "/api/v1/loans/{loan_id}/status", tag = "financing", params(("loan_id" = i64, Path)),
    request_body = StatusBody, responses((status = 200, body = Recorded), (status = 404), (status = 422)),
    security(("bearer" = [])))]
pub async fn set_status(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(loan_id): ApiPath,
    body: Bytes,
) -> AppResult<Json<Recorded>> {
    let id = visible(&state, &actor, &loan_id).await?;
    let b: StatusBody = parse_body(json_value(&body)?)?;
    let status = LoanStatus::from_code(&b.status).ok_or_else(|| {
        AppError::invalid(ipfin_domain::FieldError::new(
            "status",
            "loan.status",
            "贷款状态应为 outstanding、repaid、overdue 或 defaulted。",
            "The status must be outstanding, repaid, overdue or defaulted.",
        ))
    })?;
    let ws = crate::http::write!(state, actor, |tx| state
        .store
        .set_loan_status(&mut tx, &actor.scope, id, status, b.date, &b.note)
        .await?)?;
    Ok(Json(Recorded {
        warnings: warnings(&ws, actor.lang),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentBody {
    pub date: NaiveDate,
    #[serde(default)]
    #[schema(value_type = i64)]
    pub principal_fen: Fen,
    #[serde(default)]
    #[schema(value_type = i64)]
    pub interest_fen: Fen,
}

/// Records a repayment and/or interest payment (the lending institution). Principal repaid
/// never exceeds the loan's principal.
#[utoipa::path(post, path = "/api/v1/loans/{loan_id}/payments", tag = "financing", params(("loan_id" = i64, Path)),
    request_body = PaymentBody, responses((status = 201, body = Recorded), (status = 404), (status = 422)),
    security(("bearer" = [])))]
pub async fn add_payment(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(loan_id): ApiPath,
    body: Bytes,
) -> AppResult<(StatusCode, Json<Recorded>)> {
    let id = visible(&state, &actor, &loan_id).await?;
    let b: PaymentBody = parse_body(json_value(&body)?)?;
    let p = Payment {
        date: b.date,
        principal_fen: b.principal_fen,
        interest_fen: b.interest_fen,
    };
    let ws = crate::http::write!(state, actor, |tx| state
        .store
        .add_payment(&mut tx, &actor.scope, id, p)
        .await?)?;
    Ok((
        StatusCode::CREATED,
        Json(Recorded {
            warnings: warnings(&ws, actor.lang),
        }),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContractBody {
    /// guarantee | insurance | valuation
    pub kind: String,
    pub provider_name: String,
    pub contract_number: String,
    #[schema(value_type = i64)]
    pub fee_fen: Fen,
    #[serde(default)]
    pub invoice_number: Option<String>,
    #[serde(default)]
    pub invoice_date: Option<NaiveDate>,
    #[serde(default)]
    pub paid_date: Option<NaiveDate>,
    #[serde(default)]
    #[schema(value_type = Option<i64>)]
    pub paid_fen: Option<Fen>,
    /// Valuation reports: the appraised value and the report date.
    #[serde(default)]
    #[schema(value_type = Option<i64>)]
    pub appraised_value_fen: Option<Fen>,
    #[serde(default)]
    pub report_date: Option<NaiveDate>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ContractCreated {
    pub id: i64,
}

/// Records a guarantee, insurance or valuation contract on a loan (the lending institution).
#[utoipa::path(post, path = "/api/v1/loans/{loan_id}/contracts", tag = "financing", params(("loan_id" = i64, Path)),
    request_body = ContractBody, responses((status = 201, body = ContractCreated), (status = 404), (status = 409), (status = 422)),
    security(("bearer" = [])))]
pub async fn add_contract(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(loan_id): ApiPath,
    body: Bytes,
) -> AppResult<(StatusCode, Json<ContractCreated>)> {
    let id = visible(&state, &actor, &loan_id).await?;
    let b: ContractBody = parse_body(json_value(&body)?)?;
    let c = ContractInput {
        kind: b.kind,
        provider_name: b.provider_name,
        contract_number: b.contract_number,
        fee_fen: b.fee_fen,
        invoice_number: b.invoice_number,
        invoice_date: b.invoice_date,
        paid_date: b.paid_date,
        paid_fen: b.paid_fen,
        appraised_value_fen: b.appraised_value_fen,
        report_date: b.report_date,
    };
    let cid = crate::http::write!(state, actor, |tx| state
        .store
        .add_contract(&mut tx, &actor.scope, id, &c)
        .await?)?;
    Ok((StatusCode::CREATED, Json(ContractCreated { id: cid })))
}
