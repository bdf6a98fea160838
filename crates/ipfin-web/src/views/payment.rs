//! The finance bureau pays, on pages (issue #18 item 4): the payments page (the paying unit and
//! its designation, the runs, granted applications still to pay, failed lines still open, the
//! new-run form), a run (lines, confirmation, export, results by upload or per line, settling
//! failed lines) and the applicant's payee account. Everything comes from `usecase::payment`,
//! as the API does.

use super::{CsrfForm, FormErrors, PageCtx, render};
use crate::AppState;
use crate::actor::Actor;
use crate::error::{AppError, AppResult};
use crate::http::path_id;
use crate::usecase::payment::{
    self as uc, LineBody, NewRunBody, PayeeBody, PayeeDto, PaymentRunDto, PaymentsOverview,
    PolicyBudget, ResultBody, shown_inline,
};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use ipfin_domain::payment::check_payee;
use ipfin_domain::{FieldError, Lang, OrgKind};
use serde::Deserialize;

fn yuan<F: Copy + Into<ipfin_domain::Fen>>(fen: &F) -> String {
    ipfin_domain::financing::yuan(*fen)
}

/// The flash of a page after a POST (`?done=`), from this area's messages only.
fn flash(done: &Option<String>) -> Option<&'static str> {
    Some(match done.as_deref()? {
        "created" => "pay.flash_created",
        "line_added" => "pay.flash_line_added",
        "line_removed" => "pay.flash_line_removed",
        "confirmed" => "pay.flash_confirmed",
        "results" => "pay.flash_results",
        "settled" => "pay.flash_settled",
        "designated" => "pay.flash_designated",
        "payee" => "pay.flash_payee",
        _ => return None,
    })
}

fn done(to: &str, what: &str) -> Response {
    let sep = if to.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{to}{sep}done={what}")).into_response()
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DoneQuery {
    done: Option<String>,
}

#[derive(Template)]
#[template(path = "payments.html")]
struct PaymentsPage {
    ctx: PageCtx,
    o: PaymentsOverview,
    budgets: Vec<PolicyBudget>,
    departments: Vec<(i64, String)>,
    errors: FormErrors,
}

impl PaymentsPage {
    fn yuan<F: Copy + Into<ipfin_domain::Fen>>(&self, fen: &F) -> String {
        yuan(fen)
    }
}

async fn payments_page(
    state: &AppState,
    actor: &Actor,
    errors: FormErrors,
    done: &Option<String>,
) -> AppResult<PaymentsPage> {
    let o = uc::overview(state, actor).await?;
    let departments = match (&o.district_code, o.may_designate) {
        (Some(d), true) => state
            .store
            .organisations(
                &actor.scope,
                &ipfin_store::org::OrgFilter {
                    kind: Some(OrgKind::Department),
                    district_code: Some(d.clone()),
                    q: None,
                },
                ipfin_store::Page::new(Some(1), Some(100)),
            )
            .await?
            .items
            .into_iter()
            .filter(|o| o.active)
            .map(|o| (o.id, o.name))
            .collect(),
        _ => vec![],
    };
    Ok(PaymentsPage {
        ctx: PageCtx::new(actor, state, "/payments").with_flash(flash(done)),
        budgets: uc::published_budgets(state, actor, o.district_code.as_deref()).await?,
        o,
        departments,
        errors,
    })
}

/// `GET /payments`: the payments page of the caller's district (the city: every district).
pub async fn index(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<DoneQuery>,
) -> AppResult<Response> {
    let page = payments_page(&state, &actor, FormErrors::default(), &q.done).await?;
    Ok(render(StatusCode::OK, &page))
}

async fn back_to_payments(
    state: &AppState,
    actor: &Actor,
    r: AppResult<()>,
    to: &str,
    what: &str,
) -> AppResult<Response> {
    match r {
        Ok(()) => Ok(done(to, what)),
        Err(e) if shown_inline(&e) => {
            let page =
                payments_page(state, actor, FormErrors::from_error(&e, actor.lang), &None).await?;
            Ok(render(e.status, &page))
        }
        Err(e) => Err(e),
    }
}

/// `POST /payments/runs` (`title`, `application_ids` repeated): the paying unit opens a run.
pub async fn create(
    State(state): State<AppState>,
    actor: Actor,
    form: CsrfForm<TitleForm>,
) -> AppResult<Response> {
    let ids: Result<Vec<i64>, _> = form
        .all("application_ids")
        .iter()
        .map(|v| v.trim().parse::<i64>())
        .collect();
    let Ok(application_ids) = ids else {
        return back_to_payments(
            &state,
            &actor,
            Err(AppError::invalid(FieldError::new(
                "application_ids",
                "form.choice",
                "请从列表中勾选要列入批次的申请。",
                "Tick the applications from the list.",
            ))),
            "",
            "",
        )
        .await;
    };
    let b = NewRunBody {
        title: form.data.title.clone(),
        application_ids,
    };
    match uc::create_run(&state, &actor, &b).await {
        Ok(id) => Ok(done(&format!("/payments/runs/{id}"), "created")),
        Err(e) => back_to_payments(&state, &actor, Err(e), "", "").await,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TitleForm {
    pub title: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct UnitForm {
    pub organisation_id: String,
}

/// `POST /payments/districts/{code}/paying-unit` (`organisation_id`): the city or the lead
/// department designates the paying unit.
pub async fn designate(
    State(state): State<AppState>,
    actor: Actor,
    Path(code): Path<String>,
    form: CsrfForm<UnitForm>,
) -> AppResult<Response> {
    let r = match form.data.organisation_id.trim().parse::<i64>() {
        Ok(org) => uc::designate(&state, &actor, &code, org).await.map(|_| ()),
        Err(_) => Err(AppError::invalid(FieldError::new(
            "organisation_id",
            "form.choice",
            "请选择担任财政拨付单位的部门。",
            "Choose the department.",
        ))),
    };
    back_to_payments(&state, &actor, r, "/payments", "designated").await
}

#[derive(Template)]
#[template(path = "payment_run.html")]
struct RunPage {
    ctx: PageCtx,
    r: PaymentRunDto,
    /// Granted applications of the district the paying unit may still add.
    candidates: Vec<uc::PayableDto>,
    errors: FormErrors,
}

impl RunPage {
    fn yuan<F: Copy + Into<ipfin_domain::Fen>>(&self, fen: &F) -> String {
        yuan(fen)
    }
    fn lang(&self) -> Lang {
        self.ctx.lang
    }
}

async fn run_page(
    state: &AppState,
    actor: &Actor,
    id: i64,
    errors: FormErrors,
    done: &Option<String>,
) -> AppResult<RunPage> {
    let r = uc::run_view(state, actor, id).await?;
    let candidates = if r.may("prepare") {
        state
            .store
            .payables(&actor.scope, Some(&r.run.district_code))
            .await?
            .iter()
            .filter(|p| p.pending_run_id.is_none() && p.account_number.is_some())
            .map(uc::PayableDto::try_from)
            .collect::<AppResult<_>>()?
    } else {
        vec![]
    };
    Ok(RunPage {
        ctx: PageCtx::new(actor, state, "/payments").with_flash(flash(done)),
        r,
        candidates,
        errors,
    })
}

/// `GET /payments/runs/{run_id}`.
pub async fn run(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    let page = run_page(&state, &actor, id, FormErrors::default(), &q.done).await?;
    Ok(render(StatusCode::OK, &page))
}

async fn back_to_run(
    state: &AppState,
    actor: &Actor,
    id: i64,
    r: AppResult<()>,
    what: &str,
) -> AppResult<Response> {
    match r {
        Ok(()) => Ok(done(&format!("/payments/runs/{id}"), what)),
        Err(e) if shown_inline(&e) => {
            let page = run_page(
                state,
                actor,
                id,
                FormErrors::from_error(&e, actor.lang),
                &None,
            )
            .await?;
            Ok(render(e.status, &page))
        }
        Err(e) => Err(e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LineForm {
    pub application_id: String,
    /// 元, optional (a partial payment).
    pub amount: String,
}

/// `POST /payments/runs/{run_id}/lines` (`application_id`, `amount` in 元, optional).
pub async fn add_line(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    form: CsrfForm<LineForm>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    state.store.payment_run(&actor.scope, id).await?;
    let f = &form.data;
    let mut problems = Vec::new();
    let app = f.application_id.trim().parse::<i64>().map_err(|_| {
        FieldError::new(
            "application_id",
            "form.choice",
            "请选择要列入批次的申请。",
            "Choose the application.",
        )
    });
    let amount = match f.amount.trim() {
        "" => Ok(None),
        a => ipfin_domain::money::parse_amount(a, 100)
            .map(|a| Some(ipfin_domain::Fen::new(a)))
            .ok_or_else(|| {
                FieldError::new(
                    "amount",
                    "form.amount",
                    "付款金额请按元填写，最多两位小数，例如 3000.00。",
                    "Enter the amount in 元 with at most two decimals.",
                )
            }),
    };
    if let Err(e) = &app {
        problems.push(e.clone());
    }
    if let Err(e) = &amount {
        problems.push(e.clone());
    }
    let r = match (app, amount) {
        (Ok(application_id), Ok(amount_fen)) => uc::add_line(
            &state,
            &actor,
            id,
            &LineBody {
                application_id,
                amount_fen,
            },
        )
        .await
        .map(|_| ()),
        _ => {
            let page = run_page(
                &state,
                &actor,
                id,
                FormErrors {
                    items: problems
                        .iter()
                        .map(|e| (e.field.to_string(), e.msg.text(actor.lang).to_string()))
                        .collect(),
                },
                &None,
            )
            .await?;
            return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    };
    back_to_run(&state, &actor, id, r, "line_added").await
}

/// `POST /payments/runs/{run_id}/lines/{line_id}/remove`.
pub async fn remove_line(
    State(state): State<AppState>,
    actor: Actor,
    Path((id, line)): Path<(String, String)>,
    _form: CsrfForm<TitleForm>,
) -> AppResult<Response> {
    let (id, line) = (path_id(&id)?, path_id(&line)?);
    let r = uc::remove_line(&state, &actor, id, line).await;
    back_to_run(&state, &actor, id, r, "line_removed").await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ConfirmForm {
    pub confirm: Option<String>,
}

/// `POST /payments/runs/{run_id}/confirm` (`confirm=yes`): a lead officer confirms.
pub async fn confirm(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    form: CsrfForm<ConfirmForm>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    state.store.payment_run(&actor.scope, id).await?;
    let r = match super::require_confirm(&form.data.confirm) {
        Ok(()) => uc::confirm(&state, &actor, id).await,
        Err(e) => Err(AppError::invalid(e)),
    };
    back_to_run(&state, &actor, id, r, "confirmed").await
}

/// `POST /payments/runs/{run_id}/export`: the payment list for the treasury (XLSX download).
pub async fn export(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    _form: CsrfForm<TitleForm>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    match uc::export(&state, &actor, id).await {
        Ok((bytes, name)) => Ok(uc::xlsx_response(bytes, &name)),
        Err(e) => back_to_run(&state, &actor, id, Err(e), "").await,
    }
}

/// `POST /payments/runs/{run_id}/results` (multipart: `_csrf`, `file`): the returned sheet.
pub async fn upload_results(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    headers: HeaderMap,
    req: axum::extract::Request,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    state.store.payment_run(&actor.scope, id).await?;
    let (_, file) = super::application::read_form(&actor, &headers, req).await?;
    let r = match file {
        Some((_, bytes)) => uc::record_sheet_bytes(&state, &actor, id, &bytes)
            .await
            .map(|_| ()),
        None => Err(AppError::invalid(FieldError::new(
            "file",
            "payment.result_empty",
            "请选择填写了支付结果的 XLSX 文件。",
            "Choose the XLSX with the results.",
        ))),
    };
    back_to_run(&state, &actor, id, r, "results").await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResultForm {
    pub result: String,
    pub paid_on: String,
    pub reference: String,
    pub reason: String,
}

/// `POST /payments/runs/{run_id}/lines/{line_id}/result`: one line's result.
pub async fn record_line(
    State(state): State<AppState>,
    actor: Actor,
    Path((id, line)): Path<(String, String)>,
    form: CsrfForm<ResultForm>,
) -> AppResult<Response> {
    let (id, line) = (path_id(&id)?, path_id(&line)?);
    let f = form.data;
    let b = ResultBody {
        result: f.result,
        paid_on: f.paid_on,
        reference: f.reference,
        reason: f.reason,
    };
    let r = uc::record_line(&state, &actor, id, line, &b)
        .await
        .map(|_| ());
    back_to_run(&state, &actor, id, r, "results").await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SettleForm {
    pub note: String,
}

/// `POST /payments/runs/{run_id}/lines/{line_id}/settle` (`note`): a failed line settled.
pub async fn settle(
    State(state): State<AppState>,
    actor: Actor,
    Path((id, line)): Path<(String, String)>,
    form: CsrfForm<SettleForm>,
) -> AppResult<Response> {
    let (id, line) = (path_id(&id)?, path_id(&line)?);
    let r = uc::settle(&state, &actor, id, line, &form.data.note).await;
    back_to_run(&state, &actor, id, r, "settled").await
}

#[derive(Template)]
#[template(path = "payee.html")]
struct PayeePage {
    ctx: PageCtx,
    app_id: i64,
    label: String,
    registered_name: String,
    current: Option<PayeeDto>,
    can_edit: bool,
    form: PayeeBody,
    errors: FormErrors,
}

async fn payee_page(
    state: &AppState,
    actor: &Actor,
    id: i64,
    form: Option<PayeeBody>,
    errors: FormErrors,
    done: &Option<String>,
) -> AppResult<PayeePage> {
    let d = state.store.application(&actor.scope, id).await?;
    let current = uc::payee(state, actor, id).await?;
    let registered_name = state.store.payee_name(&actor.scope, id).await?;
    let can_edit = actor.scope.is_organisation(d.row.applicant_org_id);
    let form = form.unwrap_or_else(|| match &current {
        Some(c) => PayeeBody {
            account_name: c.account_name.clone(),
            bank_name: c.bank_name.clone(),
            account_number: c.account_number.clone(),
        },
        None => PayeeBody {
            account_name: registered_name.clone(),
            ..Default::default()
        },
    });
    Ok(PayeePage {
        ctx: PageCtx::new(actor, state, "/applications").with_flash(flash(done)),
        app_id: id,
        label: d.row.label(),
        registered_name,
        current,
        can_edit,
        form,
        errors,
    })
}

/// `GET /applications/{app_id}/payee`: the payee account (the applicant edits it).
pub async fn payee(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    let page = payee_page(&state, &actor, id, None, FormErrors::default(), &q.done).await?;
    Ok(render(StatusCode::OK, &page))
}

/// `POST /applications/{app_id}/payee` (`account_name`, `bank_name`, `account_number`): every
/// field checked at once, the input kept on a refusal.
pub async fn save_payee(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    form: CsrfForm<PayeeForm>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    let f = form.data;
    let b = PayeeBody {
        account_name: f.account_name,
        bank_name: f.bank_name,
        account_number: f.account_number,
    };
    let name = state.store.payee_name(&actor.scope, id).await?;
    let r = match check_payee(&b.input(), &name) {
        Err(problems) => {
            let errors = FormErrors {
                items: problems
                    .iter()
                    .map(|e| (e.field.to_string(), e.msg.text(actor.lang).to_string()))
                    .collect(),
            };
            let page = payee_page(&state, &actor, id, Some(b), errors, &None).await?;
            return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
        Ok(_) => uc::set_payee(&state, &actor, id, &b).await,
    };
    match r {
        Ok(_) => Ok(done(&format!("/applications/{id}/payee"), "payee")),
        Err(e) if shown_inline(&e) => {
            let page = payee_page(
                &state,
                &actor,
                id,
                Some(b),
                FormErrors::from_error(&e, actor.lang),
                &None,
            )
            .await?;
            Ok(render(e.status, &page))
        }
        Err(e) => Err(e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PayeeForm {
    pub account_name: String,
    pub bank_name: String,
    pub account_number: String,
}
