//! The finance bureau pays and the budget is visible (issue #18 items 4 and 5): what the pages
//! and the API both show and do — the payments overview (the paying unit, runs, granted
//! applications still to pay, failed lines still open), a run with the actions the caller may
//! take, the treasury's payment list as XLSX and the returned result sheet read within the
//! import limits, the payee account, and a policy year's budget figures.

use crate::AppState;
use crate::actor::Actor;
use crate::error::{AppError, AppResult};
use crate::http::write;
use axum::http::StatusCode;
use chrono::NaiveDate;
use ipfin_domain::budget::BudgetFigures;
use ipfin_domain::payment::{LIST_COLUMNS, LineResult, RESULT_COLUMNS, ResultRow, RunAction};
use ipfin_domain::policy::BudgetMode;
use ipfin_domain::{Fen, FieldError, Lang};
use ipfin_store::budget::BatchBudget;
use ipfin_store::payment::{LineRow, Payable, RunDetail, RunRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn today() -> NaiveDate {
    ipfin_store::today_shanghai()
}

/// A policy year's budget figures (amounts in fen). `remaining_fen` = budget − committed −
/// granted (clawed-back money returns to the treasury, not to the year's budget); negative when
/// more is committed than the budget holds.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PolicyBudget {
    pub policy_version_id: i64,
    pub district_code: String,
    pub title: String,
    pub year: i32,
    /// The year's budget from the policy document; absent when the policy sets none.
    #[schema(value_type = Option<i64>)]
    pub budget_fen: Option<Fen>,
    /// first_come_first_served | pro_rata
    pub mode: Option<String>,
    /// Accepted and in review (accepted, reviewed, in_notice): approved or computed amounts.
    #[schema(value_type = i64)]
    pub committed_fen: Fen,
    #[schema(value_type = i64)]
    pub granted_fen: Fen,
    #[schema(value_type = i64)]
    pub paid_fen: Fen,
    /// Granted and still to pay.
    #[schema(value_type = i64)]
    pub unpaid_fen: Fen,
    #[schema(value_type = i64)]
    pub clawed_back_fen: Fen,
    #[schema(value_type = Option<i64>)]
    pub remaining_fen: Option<Fen>,
}

/// The message keys of the budget figures, in the order [`PolicyBudget::shown`] gives them.
pub const BUDGET_KEYS: [&str; 7] = [
    "budget.total",
    "budget.committed",
    "budget.granted",
    "budget.paid",
    "budget.unpaid",
    "budget.clawed_back",
    "budget.remaining",
];

fn mode_code(m: BudgetMode) -> &'static str {
    match m {
        BudgetMode::FirstComeFirstServed => "first_come_first_served",
        BudgetMode::ProRata => "pro_rata",
    }
}

impl From<&BatchBudget> for PolicyBudget {
    fn from(b: &BatchBudget) -> Self {
        let f: BudgetFigures = b.figures;
        PolicyBudget {
            policy_version_id: b.policy_version_id,
            district_code: b.district_code.clone(),
            title: b.title.clone(),
            year: b.year,
            budget_fen: f.budget_fen,
            mode: f.mode.map(|m| mode_code(m).to_string()),
            committed_fen: f.committed_fen,
            granted_fen: f.granted_fen,
            paid_fen: f.paid_fen,
            unpaid_fen: f.unpaid_fen,
            clawed_back_fen: f.clawed_back_fen,
            remaining_fen: f.remaining_fen,
        }
    }
}

impl PolicyBudget {
    /// The mode in words.
    pub fn mode_label(&self, lang: Lang) -> &'static str {
        match (self.mode.as_deref(), lang) {
            (Some("first_come_first_served"), Lang::Zh) => "用完即止（先到先得）",
            (Some("first_come_first_served"), Lang::En) => "first come, first served",
            (Some("pro_rata"), Lang::Zh) => "按比例核减",
            (Some("pro_rata"), Lang::En) => "pro rata",
            (_, Lang::Zh) => "未设预算",
            (_, Lang::En) => "no budget",
        }
    }
    /// The figures as the pages show them, in 元, in the order of [`BUDGET_KEYS`].
    pub fn shown(&self) -> Vec<String> {
        let y = ipfin_domain::financing::yuan;
        vec![
            self.budget_fen.map(y).unwrap_or_else(|| "—".into()),
            y(self.committed_fen),
            y(self.granted_fen),
            y(self.paid_fen),
            y(self.unpaid_fen),
            y(self.clawed_back_fen),
            self.remaining_fen.map(y).unwrap_or_else(|| "—".into()),
        ]
    }
    pub fn overcommitted(&self) -> bool {
        self.remaining_fen.is_some_and(|r| r < Fen::ZERO)
    }
}

/// The budget figures of a policy version's year (government of its district; the city).
pub async fn policy_budget(
    state: &AppState,
    actor: &Actor,
    version_id: i64,
) -> AppResult<PolicyBudget> {
    let b = state.store.batch_budget(&actor.scope, version_id).await?;
    Ok((&b).into())
}

/// The budget figures of the published policies the caller's government scope reads (for the
/// policy page and the home page), one query for all of them.
pub async fn published_budgets(
    state: &AppState,
    actor: &Actor,
    district: Option<&str>,
) -> AppResult<Vec<PolicyBudget>> {
    if !actor.scope.is_government() {
        return Ok(vec![]);
    }
    let versions: Vec<_> = state
        .store
        .policy_versions(&actor.scope, district)
        .await?
        .into_iter()
        .filter(|v| v.status == "published" && actor.scope.reads_district(&v.district_code))
        .collect();
    Ok(state
        .store
        .policy_budgets(&actor.scope, &versions)
        .await?
        .iter()
        .map(PolicyBudget::from)
        .collect())
}

/// The budget figures of one version's year, for government readers of its district (the
/// policy page); empty for anyone else.
pub async fn version_budgets(
    state: &AppState,
    actor: &Actor,
    v: &ipfin_store::policy::PolicyVersionRow,
) -> AppResult<Vec<PolicyBudget>> {
    if !actor.scope.is_government() || !actor.scope.reads_district(&v.district_code) {
        return Ok(vec![]);
    }
    Ok(state
        .store
        .policy_budgets(&actor.scope, std::slice::from_ref(v))
        .await?
        .iter()
        .map(PolicyBudget::from)
        .collect())
}

/// The home page's part (a district's departments): what waits for the caller — grants the
/// paying unit can put in a run, runs the lead officers have to confirm, failed lines still
/// open — as (text, link), and the district's policy-year budgets.
pub async fn home(
    state: &AppState,
    actor: &Actor,
) -> AppResult<(Vec<ipfin_domain::todo::Todo>, Vec<PolicyBudget>)> {
    let Some(district) = actor.scope.district().map(str::to_string) else {
        return Ok((vec![], vec![]));
    };
    let t = crate::i18n::T(actor.lang);
    let s = &state.store;
    let mut todos = Vec::new();
    let paying = s
        .may_on_run(
            &actor.scope,
            actor.organisation_id().map(ipfin_domain::id::OrgId::get),
            actor.user().is_some(),
            RunAction::Prepare,
            &district,
            None,
        )
        .await?;
    if paying {
        let ready = s
            .payables(&actor.scope, Some(&district))
            .await?
            .iter()
            .filter(|p| p.pending_run_id.is_none())
            .count();
        if ready > 0 {
            todos.push(ipfin_domain::todo::Todo::new(
                t.s("todo.payments_due").replace("{n}", &ready.to_string()),
                "/payments".to_string(),
            ));
        }
        let failures = s.open_failures(&actor.scope, Some(&district)).await?.len();
        if failures > 0 {
            todos.push(ipfin_domain::todo::Todo::new(
                t.s("todo.payment_failures")
                    .replace("{n}", &failures.to_string()),
                "/payments".to_string(),
            ));
        }
    }
    if actor.scope.leads_district(&district) {
        for r in s.payment_runs(&actor.scope, Some(&district)).await? {
            if r.state() == ipfin_domain::payment::RunState::Draft && r.lines > 0 {
                todos.push(ipfin_domain::todo::Todo::new(
                    t.s("todo.run_to_confirm")
                        .replace("{run}", &format!("#{} {}", r.id, r.title)),
                    format!("/payments/runs/{}", r.id),
                ));
            }
        }
    }
    Ok((
        todos,
        published_budgets(state, actor, Some(&district)).await?,
    ))
}

/// A district's paying unit.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PayingUnitDto {
    pub district_code: String,
    pub organisation_id: i64,
    pub organisation_name: String,
}

/// A payment run with its totals.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RunSummary {
    pub id: i64,
    pub district_code: String,
    pub title: String,
    /// draft | confirmed | exported | completed
    pub state: String,
    pub state_label: String,
    pub paying_org_name: String,
    pub preparer_name: Option<String>,
    pub confirmer_name: Option<String>,
    pub prepared_at: i64,
    pub confirmed_at: Option<i64>,
    pub exported_at: Option<i64>,
    pub completed_at: Option<i64>,
    pub lines: i64,
    #[schema(value_type = i64)]
    pub total_fen: Fen,
    #[schema(value_type = i64)]
    pub paid_fen: Fen,
    pub failed: i64,
    pub pending: i64,
}

impl RunSummary {
    fn of(r: &RunRow, lang: Lang) -> RunSummary {
        RunSummary {
            id: r.id,
            district_code: r.district_code.clone(),
            title: r.title.clone(),
            state: r.state.to_string(),
            state_label: r.state().label(lang).to_string(),
            paying_org_name: r.paying_org_name.clone(),
            preparer_name: r.preparer_name.clone(),
            confirmer_name: r.confirmer_name.clone(),
            prepared_at: r.prepared_at,
            confirmed_at: r.confirmed_at,
            exported_at: r.exported_at,
            completed_at: r.completed_at,
            lines: r.lines,
            total_fen: r.total_fen,
            paid_fen: r.paid_fen,
            failed: r.failed,
            pending: r.pending,
        }
    }
}

/// One line of a run.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RunLine {
    pub id: i64,
    pub run_id: i64,
    pub line_no: i32,
    pub application_id: i64,
    pub number: Option<String>,
    pub enterprise_name: String,
    pub account_name: String,
    pub bank_name: String,
    pub account_number: String,
    #[schema(value_type = i64)]
    pub amount_fen: Fen,
    pub purpose: String,
    /// paid | failed; absent while waiting for the treasury.
    pub result: Option<String>,
    pub paid_on: Option<NaiveDate>,
    pub reference: Option<String>,
    pub failure_reason: Option<String>,
    /// A failed line is open until settled (paid in a later run, or marked with a reason).
    pub settled: bool,
    pub settle_note: Option<String>,
    /// The later run the application was put in again.
    pub retried_in: Option<i64>,
}

impl From<&LineRow> for RunLine {
    fn from(l: &LineRow) -> Self {
        RunLine {
            id: l.id,
            run_id: l.run_id,
            line_no: l.line_no,
            application_id: l.application_id,
            number: l.number.clone(),
            enterprise_name: l.enterprise_name.clone(),
            account_name: l.account_name.clone(),
            bank_name: l.bank_name.clone(),
            account_number: l.account_number.clone(),
            amount_fen: l.amount_fen,
            purpose: l.purpose.clone(),
            result: l.result.clone(),
            paid_on: l.paid_on,
            reference: l.reference.clone(),
            failure_reason: l.failure_reason.clone(),
            settled: l.settled_at.is_some(),
            settle_note: l.settle_note.clone(),
            retried_in: l.retried_in,
        }
    }
}

impl RunLine {
    pub fn result_label(&self, lang: Lang) -> &'static str {
        match self.result.as_deref().and_then(LineResult::from_code) {
            Some(r) => r.label(lang),
            None => match lang {
                Lang::Zh => "待登记",
                Lang::En => "pending",
            },
        }
    }
    pub fn open_failure(&self) -> bool {
        self.result.as_deref() == Some("failed") && !self.settled
    }
}

/// A payment run, its lines and what the caller may do with it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PaymentRunDto {
    pub run: RunSummary,
    pub lines: Vec<RunLine>,
    /// The actions the caller may take now: prepare (add and remove lines), confirm, export,
    /// record (results), settle (failed lines).
    pub allowed: Vec<String>,
}

impl PaymentRunDto {
    pub fn may(&self, action: &str) -> bool {
        self.allowed.iter().any(|a| a == action)
    }
}

/// A payee account.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PayeeDto {
    pub account_name: String,
    pub bank_name: String,
    /// Digits only.
    pub account_number: String,
    pub updated_at: i64,
}

impl From<ipfin_store::application::PayeeRow> for PayeeDto {
    fn from(p: ipfin_store::application::PayeeRow) -> Self {
        PayeeDto {
            account_name: p.account_name,
            bank_name: p.bank_name,
            account_number: p.account_number,
            updated_at: p.updated_at,
        }
    }
}

/// A granted application still to pay.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PayableDto {
    pub application_id: i64,
    pub number: Option<String>,
    pub district_code: String,
    pub enterprise_name: String,
    #[schema(value_type = i64)]
    pub granted_fen: Fen,
    #[schema(value_type = i64)]
    pub disbursed_fen: Fen,
    #[schema(value_type = i64)]
    pub due_fen: Fen,
    /// The payee account, when the applicant has named one.
    pub payee_account_name: Option<String>,
    pub payee_bank_name: Option<String>,
    pub payee_account_number: Option<String>,
    /// The run it waits in, if any.
    pub pending_run_id: Option<i64>,
}

impl TryFrom<&Payable> for PayableDto {
    type Error = AppError;

    /// What is due is a checked subtraction: stored figures that give no amount are an
    /// internal error (logged), never a wrapped figure.
    fn try_from(p: &Payable) -> AppResult<Self> {
        let due_fen = p.due_fen().map_err(|e| {
            AppError::internal(format!("application {} due: {e}", p.application_id))
        })?;
        Ok(PayableDto {
            application_id: p.application_id,
            number: p.number.clone(),
            district_code: p.district_code.clone(),
            enterprise_name: p.enterprise_name.clone(),
            granted_fen: p.granted_fen,
            disbursed_fen: p.disbursed_fen,
            due_fen,
            payee_account_name: p.account_name.clone(),
            payee_bank_name: p.bank_name.clone(),
            payee_account_number: p.account_number.clone(),
            pending_run_id: p.pending_run_id,
        })
    }
}

/// The payments page in figures.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PaymentsOverview {
    /// The caller's district (absent for the city).
    pub district_code: Option<String>,
    pub paying_unit: Option<PayingUnitDto>,
    /// Whether the caller may open a run (the paying unit's staff).
    pub may_prepare: bool,
    /// Whether the caller may designate the paying unit (the district's lead officers).
    pub may_designate: bool,
    pub runs: Vec<RunSummary>,
    pub payables: Vec<PayableDto>,
    pub open_failures: Vec<RunLine>,
}

/// The payments overview of the caller's district (the city: every district).
pub async fn overview(state: &AppState, actor: &Actor) -> AppResult<PaymentsOverview> {
    let s = &state.store;
    let scope = &actor.scope;
    let district = scope.district().map(str::to_string);
    let paying_unit = match &district {
        Some(d) => s.paying_unit(scope, d).await?.map(|u| PayingUnitDto {
            district_code: u.district_code,
            organisation_id: u.organisation_id,
            organisation_name: u.organisation_name,
        }),
        None => None,
    };
    let may_prepare = match &district {
        Some(d) => {
            s.may_on_run(
                scope,
                actor.organisation_id().map(ipfin_domain::id::OrgId::get),
                actor.user().is_some(),
                RunAction::Prepare,
                d,
                None,
            )
            .await?
        }
        None => false,
    };
    Ok(PaymentsOverview {
        may_designate: actor.user().is_some()
            && district.as_deref().is_some_and(|d| scope.leads_district(d)),
        runs: s
            .payment_runs(scope, None)
            .await?
            .iter()
            .map(|r| RunSummary::of(r, actor.lang))
            .collect(),
        payables: s
            .payables(scope, None)
            .await?
            .iter()
            .map(PayableDto::try_from)
            .collect::<AppResult<_>>()?,
        open_failures: s
            .open_failures(scope, None)
            .await?
            .iter()
            .map(RunLine::from)
            .collect(),
        district_code: district,
        paying_unit,
        may_prepare,
    })
}

/// The actions the caller may take on a run now.
pub async fn allowed(state: &AppState, actor: &Actor, run: &RunRow) -> AppResult<Vec<String>> {
    let mut out = Vec::new();
    for (action, name) in [
        (RunAction::Prepare, "prepare"),
        (RunAction::Confirm, "confirm"),
        (RunAction::Export, "export"),
        (RunAction::Record, "record"),
        (RunAction::Settle, "settle"),
    ] {
        if state
            .store
            .may_on_run(
                &actor.scope,
                actor.organisation_id().map(ipfin_domain::id::OrgId::get),
                actor.user().is_some(),
                action,
                &run.district_code,
                Some(run),
            )
            .await?
        {
            out.push(name.to_string());
        }
    }
    Ok(out)
}

/// A run as the caller sees it.
pub async fn run_view(state: &AppState, actor: &Actor, id: i64) -> AppResult<PaymentRunDto> {
    let d = state.store.payment_run(&actor.scope, id).await?;
    dto(state, actor, &d).await
}

async fn dto(state: &AppState, actor: &Actor, d: &RunDetail) -> AppResult<PaymentRunDto> {
    Ok(PaymentRunDto {
        allowed: allowed(state, actor, &d.run).await?,
        run: RunSummary::of(&d.run, actor.lang),
        lines: d.lines.iter().map(RunLine::from).collect(),
    })
}

/// A new run: a title (optional) and the applications of its first lines.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRunBody {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub application_ids: Vec<i64>,
}

pub async fn create_run(state: &AppState, actor: &Actor, b: &NewRunBody) -> AppResult<i64> {
    write!(state, actor, |tx| state
        .store
        .create_payment_run(&mut tx, &actor.scope, &b.title, &b.application_ids)
        .await?)
}

/// A line to add: the application, and an amount (fen) below what is due for a partial payment.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LineBody {
    pub application_id: i64,
    #[serde(default)]
    #[schema(value_type = Option<i64>)]
    pub amount_fen: Option<Fen>,
}

pub async fn add_line(
    state: &AppState,
    actor: &Actor,
    run_id: i64,
    b: &LineBody,
) -> AppResult<i64> {
    write!(state, actor, |tx| state
        .store
        .add_payment_line(
            &mut tx,
            &actor.scope,
            run_id,
            b.application_id,
            b.amount_fen
        )
        .await?)
}

pub async fn remove_line(
    state: &AppState,
    actor: &Actor,
    run_id: i64,
    line_id: i64,
) -> AppResult<()> {
    write!(state, actor, |tx| state
        .store
        .remove_payment_line(&mut tx, &actor.scope, run_id, line_id)
        .await?)
}

pub async fn confirm(state: &AppState, actor: &Actor, run_id: i64) -> AppResult<()> {
    write!(state, actor, |tx| state
        .store
        .confirm_payment_run(&mut tx, &actor.scope, run_id)
        .await?)
}

/// Exports a run: the payment list for the treasury as XLSX (and the file name).
pub async fn export(state: &AppState, actor: &Actor, run_id: i64) -> AppResult<(Vec<u8>, String)> {
    let d = write!(state, actor, |tx| state
        .store
        .export_payment_run(&mut tx, &actor.scope, run_id)
        .await?)?;
    Ok((
        payment_list(&d)?,
        format!("payment-run-{}-{}.xlsx", d.run.id, d.run.district_code),
    ))
}

/// An XLSX download.
pub fn xlsx_response(bytes: Vec<u8>, name: &str) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    (
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

fn xl(e: rust_xlsxwriter::XlsxError) -> AppError {
    AppError::internal(format!("xlsx: {e}"))
}

/// The treasury's payment list: per line its number, the application number, the enterprise,
/// the payee account (name, bank, number as text), the amount in 元 with two decimals and the
/// purpose; then the empty result columns the treasury fills in and sends back.
pub fn payment_list(d: &RunDetail) -> AppResult<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("支付清单").map_err(xl)?;
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("0.00");
    for (c, h) in LIST_COLUMNS.iter().chain(RESULT_COLUMNS.iter()).enumerate() {
        sheet
            .write_string_with_format(0, c as u16, *h, &bold)
            .map_err(xl)?;
    }
    let text = |v: &str| ipfin_domain::text::printable(v).into_owned();
    for (i, l) in d.lines.iter().enumerate() {
        let r = i as u32 + 1;
        sheet.write_number(r, 0, f64::from(l.line_no)).map_err(xl)?;
        sheet
            .write_string(r, 1, l.number.clone().unwrap_or_default())
            .map_err(xl)?;
        sheet
            .write_string(r, 2, text(&l.enterprise_name))
            .map_err(xl)?;
        sheet
            .write_string(r, 3, text(&l.account_name))
            .map_err(xl)?;
        sheet.write_string(r, 4, text(&l.bank_name)).map_err(xl)?;
        sheet.write_string(r, 5, &l.account_number).map_err(xl)?;
        sheet
            .write_number_with_format(
                r,
                6,
                ipfin_domain::money::fen_to_sheet_number(l.amount_fen.get()),
                &money,
            )
            .map_err(xl)?;
        sheet.write_string(r, 7, text(&l.purpose)).map_err(xl)?;
        if let Some(res) = l.result.as_deref().and_then(LineResult::from_code) {
            sheet
                .write_string(
                    r,
                    8,
                    if res == LineResult::Paid {
                        "成功"
                    } else {
                        "失败"
                    },
                )
                .map_err(xl)?;
            if let Some(p) = l.paid_on {
                sheet.write_string(r, 9, p.to_string()).map_err(xl)?;
            }
            sheet
                .write_string(r, 10, text(l.reference.as_deref().unwrap_or_default()))
                .map_err(xl)?;
            sheet
                .write_string(r, 11, text(l.failure_reason.as_deref().unwrap_or_default()))
                .map_err(xl)?;
        }
    }
    sheet.set_column_width(1, 22).map_err(xl)?;
    sheet.set_column_width(2, 30).map_err(xl)?;
    sheet.set_column_width(3, 30).map_err(xl)?;
    sheet.set_column_width(4, 26).map_err(xl)?;
    sheet.set_column_width(5, 24).map_err(xl)?;
    sheet.set_column_width(7, 40).map_err(xl)?;
    book.save_to_buffer().map_err(xl)
}

fn sheet_error(code: &'static str, zh: String, en: String) -> AppError {
    AppError::invalid(FieldError::new("file", code, zh, en))
}

/// The most rows a result sheet may have (a run has far fewer lines).
const MAX_RESULT_ROWS: usize = 10_000;

/// Reads a returned result sheet (XLSX, or CSV in UTF-8 or GBK) within the import limits:
/// the columns by their headers (序号, 申请编号, 金额（元）, 支付结果, 支付日期, 支付凭证号,
/// 失败原因; the others are ignored), every non-empty row with its row number.
pub fn read_result_sheet(
    path: &std::path::Path,
    limits: &ipfin_store::import::ImportLimits,
) -> AppResult<Vec<ResultRow>> {
    let src = ipfin_store::import::open_rows(path, limits)
        .map_err(|e| sheet_error(e.code, format!("结果文件无法读取：{}", e.zh), e.en))?;
    let find = |names: &[&str]| {
        src.headers.iter().position(|h| {
            names
                .iter()
                .any(|n| ipfin_domain::payment::name_key(h) == ipfin_domain::payment::name_key(n))
        })
    };
    let wanted: [(&str, &[&str]); 7] = [
        ("序号", &["序号", "line_no"]),
        ("申请编号", &["申请编号", "number"]),
        ("金额（元）", &["金额（元）", "金额", "amount"]),
        ("支付结果", &["支付结果", "结果", "result"]),
        ("支付日期", &["支付日期", "paid_on"]),
        ("支付凭证号", &["支付凭证号", "凭证号", "reference"]),
        ("失败原因", &["失败原因", "reason"]),
    ];
    let cols: Vec<Option<usize>> = wanted.iter().map(|(_, names)| find(names)).collect();
    let missing: Vec<&str> = wanted
        .iter()
        .zip(&cols)
        .filter(|(_, c)| c.is_none())
        .map(|((n, _), _)| *n)
        .collect();
    if !missing.is_empty() {
        return Err(sheet_error(
            "payment.result_columns",
            format!(
                "结果文件缺少列：{}。请使用导出的支付清单填写结果后上传。",
                missing.join("、")
            ),
            format!("The result file lacks the columns {}.", missing.join(", ")),
        ));
    }
    let idx: Vec<usize> = cols.into_iter().flatten().collect();
    let mut rows = Vec::new();
    for item in src {
        let (line, values) =
            item.map_err(|e| sheet_error(e.code, format!("结果文件无法读取：{}", e.zh), e.en))?;
        if values.iter().all(|v| v.trim().is_empty()) {
            continue;
        }
        if rows.len() >= MAX_RESULT_ROWS {
            return Err(sheet_error(
                "payment.result_rows",
                format!("结果文件超过 {MAX_RESULT_ROWS} 行。"),
                format!("The result file has more than {MAX_RESULT_ROWS} rows."),
            ));
        }
        let cell = |i: usize| values.get(idx[i]).cloned().unwrap_or_default();
        rows.push(ResultRow {
            row: line,
            line_no: cell(0),
            number: cell(1),
            amount: cell(2),
            result: cell(3),
            paid_on: cell(4),
            reference: cell(5),
            reason: cell(6),
        });
    }
    Ok(rows)
}

/// A file on disk removed when dropped.
pub struct TempFile(pub std::path::PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// What a result upload or form recorded.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResultSummaryDto {
    pub paid: usize,
    pub failed: usize,
    /// Lines of the run still waiting for a result.
    pub pending: i64,
}

/// Records a returned result sheet saved at `path` (the whole file or nothing).
pub async fn record_sheet(
    state: &AppState,
    actor: &Actor,
    run_id: i64,
    path: std::path::PathBuf,
) -> AppResult<ResultSummaryDto> {
    // Not found before the file is read: another district's run answers 404 whatever is sent.
    state.store.payment_run(&actor.scope, run_id).await?;
    let limits = *state.store.import_limits();
    let rows = tokio::task::spawn_blocking(move || read_result_sheet(&path, &limits))
        .await
        .map_err(|e| AppError::internal(format!("result sheet: {e}")))??;
    let s = write!(state, actor, |tx| state
        .store
        .record_payment_results(&mut tx, &actor.scope, run_id, &rows, today())
        .await?)?;
    Ok(ResultSummaryDto {
        paid: s.paid,
        failed: s.failed,
        pending: s.pending,
    })
}

/// Records a result sheet sent as bytes (the API): written to the upload folder first, as the
/// reader works on files.
pub async fn record_sheet_bytes(
    state: &AppState,
    actor: &Actor,
    run_id: i64,
    bytes: &[u8],
) -> AppResult<ResultSummaryDto> {
    state.store.payment_run(&actor.scope, run_id).await?;
    if bytes.is_empty() {
        return Err(sheet_error(
            "payment.result_empty",
            "请上传填写了支付结果的 XLSX 文件（请求体为空）。".into(),
            "Send the XLSX with the results (the body is empty).".into(),
        ));
    }
    let dir = state.config.upload_dir.clone();
    let path = dir.join(format!(
        "results-{}",
        &ipfin_store::auth::random_token()[..16]
    ));
    let io = |e: std::io::Error| {
        if ipfin_store::error::io_is_storage_full(&e) {
            AppError::from(ipfin_store::StoreError::StorageFull(format!("upload: {e}")))
        } else {
            AppError::internal(format!("upload: {e}"))
        }
    };
    tokio::fs::create_dir_all(&dir).await.map_err(io)?;
    let guard = TempFile(path.clone());
    tokio::fs::write(&path, bytes).await.map_err(io)?;
    let out = record_sheet(state, actor, run_id, path).await;
    drop(guard);
    out
}

/// One line's result from a form: paid (date, voucher reference) or failed (reason).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResultBody {
    /// paid | failed
    pub result: String,
    #[serde(default)]
    pub paid_on: String,
    #[serde(default)]
    pub reference: String,
    #[serde(default)]
    pub reason: String,
}

pub fn result_of(s: &str) -> AppResult<LineResult> {
    LineResult::from_code(s.trim()).ok_or_else(|| {
        AppError::invalid(FieldError::new(
            "result",
            "payment.result_choice",
            "请选择支付结果：paid（已支付）或 failed（支付失败）。",
            "Choose the result: paid or failed.",
        ))
    })
}

pub async fn record_line(
    state: &AppState,
    actor: &Actor,
    run_id: i64,
    line_id: i64,
    b: &ResultBody,
) -> AppResult<ResultSummaryDto> {
    state.store.payment_run(&actor.scope, run_id).await?;
    let result = result_of(&b.result)?;
    let s = write!(state, actor, |tx| state
        .store
        .record_payment_result(
            &mut tx,
            &actor.scope,
            run_id,
            line_id,
            result,
            &b.paid_on,
            &b.reference,
            &b.reason,
            today()
        )
        .await?)?;
    Ok(ResultSummaryDto {
        paid: s.paid,
        failed: s.failed,
        pending: s.pending,
    })
}

/// The reason a failed line is settled.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettleBody {
    pub note: String,
}

pub async fn settle(
    state: &AppState,
    actor: &Actor,
    run_id: i64,
    line_id: i64,
    note: &str,
) -> AppResult<()> {
    write!(state, actor, |tx| state
        .store
        .settle_failed_line(&mut tx, &actor.scope, run_id, line_id, note)
        .await?)
}

/// The paying unit to designate.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PayingUnitBody {
    pub organisation_id: i64,
}

pub async fn designate(
    state: &AppState,
    actor: &Actor,
    district: &str,
    organisation_id: i64,
) -> AppResult<PayingUnitDto> {
    let u = write!(state, actor, |tx| state
        .store
        .set_paying_unit(&mut tx, &actor.scope, district, organisation_id)
        .await?)?;
    Ok(PayingUnitDto {
        district_code: u.district_code,
        organisation_id: u.organisation_id,
        organisation_name: u.organisation_name,
    })
}

/// The payee account as typed: account name, bank, account number (spaces allowed).
#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PayeeBody {
    pub account_name: String,
    pub bank_name: String,
    pub account_number: String,
}

impl PayeeBody {
    pub fn input(&self) -> ipfin_domain::payment::PayeeInput {
        ipfin_domain::payment::PayeeInput {
            account_name: self.account_name.clone(),
            bank_name: self.bank_name.clone(),
            account_number: self.account_number.clone(),
        }
    }
}

pub async fn set_payee(
    state: &AppState,
    actor: &Actor,
    app_id: i64,
    b: &PayeeBody,
) -> AppResult<PayeeDto> {
    let p = write!(state, actor, |tx| state
        .store
        .set_payee_account(&mut tx, &actor.scope, app_id, &b.input())
        .await?)?;
    Ok(p.into())
}

/// The payee account of an application the caller reads (`None`: not named yet).
pub async fn payee(state: &AppState, actor: &Actor, app_id: i64) -> AppResult<Option<PayeeDto>> {
    Ok(state
        .store
        .payee_account(&actor.scope, app_id)
        .await?
        .map(PayeeDto::from))
}

/// The status of a refusal the page shows inline (the others pass through).
pub fn shown_inline(e: &AppError) -> bool {
    matches!(
        e.status,
        StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT | StatusCode::FORBIDDEN
    )
}
