//! Application pages (issue #6): the enterprise's and bank's applications with materials,
//! submission and history; the officers' work queue and review screen; public notices with
//! the objection form; objection decisions.

use super::{CsrfForm, FormErrors, PageCtx, after_post, flash_key, render, see_other};
use crate::AppState;
use crate::actor::{Actor, PRE_CSRF_COOKIE, cookie};
use crate::error::{AppError, AppResult};
use crate::http::{file_response, file_response_as};
use crate::http::{path_id, write};
use crate::i18n::T;
use crate::usecase::application::{ActionBody, run_action};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{FromRequest, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::NaiveDate;
use ipfin_domain::Fen;
use ipfin_domain::application::{Difference, Kind, Line, State as AppStateCode, Workflow};
use ipfin_domain::financing::yuan as fmt_yuan;
use ipfin_domain::money::parse_amount;
use ipfin_domain::policy::rules::Item;
use ipfin_domain::visibility::{Party, Reach, Records};
use ipfin_domain::{FieldError, Lang, Scope};
use ipfin_store::Paged;
use ipfin_store::application::{
    ApplicationDetail, ApplicationRow, Body, FileRow, ItemDecision, NewApplication, NewObjection,
    NoticeDetail, NoticeRow, QueueCount, VaultDoc,
};
use ipfin_store::financing::LoanRow;
use ipfin_store::policy::PolicyVersionRow;
use serde::Deserialize;

/// The largest upload of a material or evidence file through a page.
pub const MAX_FILE_BYTES: usize = ipfin_domain::application::files::MAX_FILE_BYTES + 64 * 1024;

fn money<F: Copy + Into<ipfin_domain::Fen>>(fen: &F) -> String {
    fmt_yuan(*fen)
}

fn state_label(code: &str, lang: Lang) -> &'static str {
    AppStateCode::from_code(code)
        .map(|s| s.label(lang))
        .unwrap_or("")
}

fn stage_label(code: &Option<String>, lang: Lang) -> &'static str {
    code.as_deref()
        .and_then(ipfin_domain::application::Stage::from_code)
        .map(|s| s.label(lang))
        .unwrap_or("")
}

fn kind_label(code: &str, lang: Lang) -> &'static str {
    Kind::from_code(code).map(|k| k.label(lang)).unwrap_or("")
}

/// An item's name (in Chinese, `Item::zh`).
fn item_text(i: Item, t: T) -> &'static str {
    match i {
        Item::Interest => t.s("app.item.interest"),
        Item::Evaluation => t.s("app.item.evaluation"),
        Item::Guarantee => t.s("app.item.guarantee"),
        Item::Insurance => t.s("app.item.insurance"),
    }
}

fn item_label(code: &str, t: T) -> &'static str {
    Item::ALL
        .iter()
        .find(|i| i.code() == code)
        .map(|i| item_text(*i, t))
        .or_else(|| Kind::from_code(code).map(|k| k.label(t.0)))
        .unwrap_or("")
}

/// A catalogue text with its `{n}` filled in.
fn fill(text: &str, n: impl std::fmt::Display) -> String {
    text.replace("{n}", &n.to_string())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AppListQuery {
    q: Option<String>,
    state: Option<String>,
    phase: Option<String>,
    stage: Option<String>,
    kind: Option<String>,
    page: Option<String>,
    ok: Option<String>,
}

impl AppListQuery {
    /// The store's filter of the list (and of its export, so both show the same rows).
    pub(crate) fn filter(&self) -> ipfin_store::application::ApplicationFilter {
        ipfin_store::application::ApplicationFilter {
            q: self.q.clone(),
            state: self.state.as_deref().and_then(AppStateCode::from_code),
            phase: self
                .phase
                .as_deref()
                .and_then(ipfin_domain::application::Phase::from_code),
            stage: self.stage.clone(),
            kind: self.kind.as_deref().and_then(Kind::from_code),
            district: None,
        }
    }

    /// The list's filters as a query string, for the export link.
    fn export_link(&self) -> String {
        let v = |o: &Option<String>| crate::http::urlencode(o.as_deref().unwrap_or(""));
        format!(
            "/applications/export.xlsx?q={}&state={}&phase={}&stage={}&kind={}",
            v(&self.q),
            v(&self.state),
            v(&self.phase),
            v(&self.stage),
            v(&self.kind)
        )
    }
}

#[derive(Template)]
#[template(path = "applications.html")]
struct ListPage {
    ctx: PageCtx,
    list: Paged<ApplicationRow>,
    queue: Vec<QueueCount>,
    can_apply: bool,
    officer: bool,
    q: AppListQuery,
    states: Vec<(&'static str, &'static str)>,
}

impl ListPage {
    fn money<F: Copy + Into<ipfin_domain::Fen>>(&self, f: &F) -> String {
        money(f)
    }
    fn opt_money<F: Copy + Into<ipfin_domain::Fen>>(&self, f: &Option<F>) -> String {
        f.map(|f| money(&f)).unwrap_or_else(|| "—".into())
    }
    fn state(&self, c: &str) -> &'static str {
        state_label(c, self.ctx.lang)
    }
    fn stage(&self, c: &Option<String>) -> &'static str {
        stage_label(c, self.ctx.lang)
    }
    /// The five stages for the filter: (code, label).
    fn phases(&self) -> Vec<(&'static str, &'static str)> {
        ipfin_domain::application::Phase::ALL
            .iter()
            .map(|p| (p.code(), p.label(self.ctx.lang)))
            .collect()
    }
    fn kind(&self, c: &str) -> &'static str {
        kind_label(c, self.ctx.lang)
    }
    fn fill(&self, text: &str, n: impl std::fmt::Display) -> String {
        fill(text, n)
    }
    fn today(&self) -> NaiveDate {
        ipfin_store::today_shanghai()
    }
    fn age(&self, at: &Option<i64>) -> String {
        at.map(|t| {
            fill(
                self.ctx.t.s("app.days"),
                (ipfin_store::now_s() - t).max(0) / 86_400,
            )
        })
        .unwrap_or_default()
    }
    fn sel(&self, v: &Option<String>, code: &str) -> bool {
        v.as_deref() == Some(code)
    }
}

/// `GET /applications`: applicants' own applications; the officers' queue with counts and ages.
pub async fn list(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<AppListQuery>,
) -> AppResult<Response> {
    let page = ipfin_store::Page::new(q.page.as_deref().and_then(|p| p.parse().ok()), None);
    let filter = q.filter();
    let list = state
        .store
        .applications(&actor.scope, &filter, page)
        .await?;
    let officer = actor.scope.is_government();
    let queue = if officer {
        state.store.application_queue(&actor.scope).await?
    } else {
        vec![]
    };
    let p = ListPage {
        ctx: PageCtx::new(&actor, &state, "/applications").with_flash(flash_key(&q.ok)),
        list,
        queue,
        can_apply: matches!(
            actor.scope.reach(Records::Applications),
            Reach::Party(Party::Applicant, _)
        ),
        officer,
        states: AppStateCode::ALL
            .iter()
            .map(|s| (s.code(), s.label(actor.lang)))
            .collect(),
        q,
    };
    Ok(render(StatusCode::OK, &p))
}

#[derive(Template)]
#[template(path = "application_new.html")]
struct NewPage {
    ctx: PageCtx,
    policies: Vec<PolicyVersionRow>,
    loans: Vec<LoanRow>,
    institution: bool,
    errors: FormErrors,
    today: String,
    /// The policy chosen by a link from a district zone (`?policy=`).
    chosen: Option<i64>,
    /// What the person entered in the form that failed (every name with its values), shown
    /// again as entered; empty on a fresh form, which starts from the defaults.
    typed: Vec<(String, String)>,
}

impl NewPage {
    fn is_chosen(&self, id: &i64) -> bool {
        self.chosen == Some(*id)
    }
    /// The value typed into `name` ("" when none).
    fn typed(&self, name: &str) -> &str {
        self.typed
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }
    /// A loan's fee as typed (`interest_12`).
    fn typed_fee(&self, kind: &str, loan: &i64) -> &str {
        let name = format!("{kind}_{loan}");
        self.typed
            .iter()
            .find(|(k, _)| *k == name)
            .map_or("", |(_, v)| v.as_str())
    }
    /// Whether a checkbox or radio button is on: as submitted, or its default on a fresh form.
    fn on(&self, name: &str, value: &str, default: bool) -> bool {
        if self.typed.is_empty() {
            return default;
        }
        self.typed.iter().any(|(k, v)| k == name && v == value)
    }
    /// A loan ticked in the submitted form.
    fn loan_on(&self, id: &i64) -> bool {
        let id = id.to_string();
        self.typed.iter().any(|(k, v)| k == "loan" && *v == id)
    }
    fn money(&self, f: &ipfin_domain::Fen) -> String {
        money(f)
    }
    fn kind(&self, c: &str) -> &'static str {
        kind_label(c, self.ctx.lang)
    }
    fn fill(&self, text: &str, n: impl std::fmt::Display) -> String {
        fill(text, n)
    }
    fn policy_suffix(&self, district: &str, version: &i32) -> String {
        let t = self.ctx.t;
        t.s("app.policy_option")
            .replace("{district}", district)
            .replace("{version}", &version.to_string())
    }
}

async fn new_page_for(state: &AppState, actor: &Actor, errors: FormErrors) -> AppResult<NewPage> {
    let today = ipfin_store::today_shanghai();
    // Only policies open for applications today; the enterprise's own district first.
    let home = match actor.scope {
        Scope::Enterprise { .. } => match state.store.own_enterprise_id(&actor.scope).await {
            Ok(id) => state
                .store
                .enterprise(&actor.scope, id)
                .await
                .ok()
                .and_then(|e| e.registered_district),
            Err(_) => None,
        },
        _ => None,
    };
    let mut policies: Vec<PolicyVersionRow> = state
        .store
        .policy_versions(&actor.scope, None)
        .await?
        .into_iter()
        .filter(|v| v.status == "published")
        .filter(|v| {
            v.doc()
                .map(|d| {
                    d.batches
                        .iter()
                        .any(|b| b.opens <= today && today <= b.closes)
                })
                .unwrap_or(false)
        })
        .collect();
    if let Some(home) = home.as_deref() {
        policies.sort_by_key(|v| v.district_code != home);
    }
    let loans = match actor.scope {
        Scope::Enterprise { .. } => {
            state
                .store
                .loans(
                    &actor.scope,
                    &Default::default(),
                    ipfin_store::Page::new(Some(1), Some(100)),
                )
                .await?
                .items
        }
        _ => vec![],
    };
    let ctx = PageCtx::new(actor, state, "/applications/new");
    Ok(NewPage {
        today: ctx.date(&today),
        ctx,
        policies,
        loans,
        institution: matches!(actor.scope, Scope::Institution { .. }),
        errors,
        chosen: None,
        typed: Vec::new(),
    })
}

/// `?policy=`: the policy a district zone's application notice links to.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewQuery {
    policy: Option<String>,
}

/// `GET /applications/new`: choose the policy, the kind and (enterprises) the loans reported
/// by the banks, with what was paid on each.
pub async fn new_page(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<NewQuery>,
) -> AppResult<Response> {
    let mut p = new_page_for(&state, &actor, FormErrors::default()).await?;
    p.chosen = q.policy.as_deref().and_then(|s| s.parse().ok());
    Ok(render(StatusCode::OK, &p))
}

fn field(field: &'static str, code: &'static str, zh: String) -> AppError {
    AppError::invalid(FieldError::new(
        field,
        code,
        zh,
        "See the message in Chinese.",
    ))
}

fn amount(form: &CsrfForm<NewForm>, name: &str) -> AppResult<Fen> {
    let v = form
        .pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    yuan_field(v, "lines")
}

/// An amount typed in 元 (empty: 0), or the error beside `field`: never a silent 0 for
/// what the applicant typed wrong.
fn yuan_field(v: &str, field_name: &'static str) -> AppResult<Fen> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(Fen::ZERO);
    }
    parse_amount(v, 100).map(Fen::new).ok_or_else(|| {
        field(
            field_name,
            "form.amount",
            format!("金额“{v}”格式不正确：请填写元，最多两位小数，例如 12000.50。"),
        )
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewForm {
    kind: String,
    policy_version_id: String,
    year_number: String,
    interest_paid: String,
    guarantee_fee: String,
    product: String,
}

/// `POST /applications`: creates the draft from the chosen reported loans.
pub async fn create(
    State(state): State<AppState>,
    actor: Actor,
    form: CsrfForm<NewForm>,
) -> AppResult<Response> {
    let r: AppResult<i64> = async {
        let f = &form.data;
        let kind = Kind::from_code(&f.kind)
            .ok_or_else(|| field("kind", "application.kind", "请选择申请类别。".into()))?;
        let policy: i64 = f.policy_version_id.parse().map_err(|_| {
            field(
                "policy_version_id",
                "application.policy",
                "请选择政策。".into(),
            )
        })?;
        let items: Vec<Item> = Item::ALL
            .iter()
            .copied()
            .filter(|i| form.all("items").contains(&i.code()))
            .collect();
        let mut body = Body::default();
        match kind {
            Kind::EnterpriseFee => {
                let chosen: Vec<i64> = form
                    .all("loan")
                    .iter()
                    .filter_map(|v| v.parse().ok())
                    .collect();
                for loan_id in chosen {
                    let l = state.store.loan(&actor.scope, loan_id).await?;
                    let get = |k: &str| format!("{k}_{loan_id}");
                    body.lines.push(Line {
                        lender_org_id: l.loan.lender_org_id,
                        lender_name: l.loan.lender_name.clone(),
                        contract_number: l.loan.contract_number.clone(),
                        pledge_number: l.pledges.first().map(|p| p.pledge.number.clone()),
                        principal_fen: l.loan.principal_fen,
                        secured_amount_fen: l.pledges.first().map(|p| p.pledge.secured_amount_fen),
                        other_collateral: l.loan.other_collateral,
                        ip_amount_fen: l.loan.ip_amount_fen,
                        ip_ratio: l
                            .loan
                            .ip_ratio
                            .as_ref()
                            .map(ipfin_store::DecimalText::value),
                        // The first pledged kind; a loan is saved with at least one.
                        ip_kind: l
                            .loan
                            .ip_kinds
                            .values()
                            .first()
                            .copied()
                            .unwrap_or(ipfin_domain::ip_number::IpKind::Patent),
                        start: l.loan.start_date,
                        end: l.loan.end_date,
                        annual_rate: l.loan.annual_rate.value(),
                        interest_paid_fen: amount(&form, &get("interest"))?,
                        evaluation_fee_fen: amount(&form, &get("evaluation"))?,
                        guarantee_fee_fen: amount(&form, &get("guarantee"))?,
                        insurance_fee_fen: amount(&form, &get("insurance"))?,
                    });
                }
                if body.lines.is_empty() {
                    return Err(field(
                        "lines",
                        "application.no_loans",
                        "请至少勾选一笔贷款。".into(),
                    ));
                }
            }
            Kind::Securitisation => {
                body.year_number = f.year_number.trim().parse().ok();
                body.interest_paid_fen = yuan_field(&f.interest_paid, "interest_paid")?;
                body.guarantee_fee_fen = yuan_field(&f.guarantee_fee, "guarantee_fee")?;
                body.product = f.product.trim().to_string();
            }
            Kind::Institution => {}
        }
        let today = ipfin_store::today_shanghai();
        write!(state, actor, |tx| state
            .store
            .create_application(
                &mut tx,
                &actor.scope,
                NewApplication {
                    kind,
                    policy_version_id: policy,
                    batch: None,
                    items,
                    body
                },
                today
            )
            .await?)
    }
    .await;
    match r {
        Ok(id) => Ok(see_other(&format!("/applications/{id}"), "created")),
        Err(e)
            if e.status == StatusCode::UNPROCESSABLE_ENTITY
                || e.status == StatusCode::CONFLICT
                || e.status == StatusCode::FORBIDDEN =>
        {
            let status = e.status;
            let mut p =
                new_page_for(&state, &actor, FormErrors::from_error(&e, actor.lang)).await?;
            p.chosen = form.data.policy_version_id.parse().ok();
            p.typed = form.pairs.clone();
            Ok(render(status, &p))
        }
        Err(e) => Err(e),
    }
}

/// A slot with its files, for the page.
pub struct SlotView {
    pub code: String,
    pub name: String,
    pub required: bool,
    pub note: String,
    pub deviation: bool,
    pub files: Vec<FileRow>,
    pub vault: Vec<VaultDoc>,
}

#[derive(Template)]
#[template(path = "application.html")]
struct DetailPage {
    ctx: PageCtx,
    d: ApplicationDetail,
    slots: Vec<SlotView>,
    officer: bool,
    can_edit: bool,
    actions: Vec<&'static str>,
    errors: FormErrors,
    today: String,
    /// The material shown beside the figures (`?view=file_id`).
    preview: Option<FileRow>,
    /// What the user entered in the form that failed, shown again as entered.
    entered: std::collections::HashMap<String, String>,
    /// A four-eyes request about the application awaiting a second person (issue #18 item 3).
    pending: Option<ipfin_store::confirmation::ConfirmationRow>,
    /// A draft's estimate on the figures it would be submitted with (nothing stored).
    estimate: Option<(ipfin_domain::policy::calc::Calculation, Vec<String>)>,
}

impl DetailPage {
    /// The officer at 经办 decides the differences on this page.
    fn deciding(&self) -> bool {
        self.can("pass")
            && self.d.row.stage.as_deref() == Some("first")
            && self.d.differences.iter().any(|x| x.decidable)
    }
    /// A reviewer at 复核 or 审批 may return the application to the previous stage.
    fn internal_return(&self) -> bool {
        self.can("return_internal")
            && matches!(self.d.row.stage.as_deref(), Some("second" | "approval"))
    }
    fn entered_value(&self, k: &usize, what: &str) -> Option<&str> {
        self.entered
            .get(&format!("d{k}_{what}"))
            .map(String::as_str)
    }
    fn chosen(&self, k: &usize, x: &Difference, c: &str) -> bool {
        match self.entered_value(k, "choice") {
            Some(v) => v == c,
            None => x.decision.as_ref().is_some_and(|d| d.choice.code() == c),
        }
    }
    fn evidence_is(&self, k: &usize, x: &Difference, id: &i64) -> bool {
        match self.entered_value(k, "evidence") {
            Some(v) => v == id.to_string(),
            None => x
                .decision
                .as_ref()
                .is_some_and(|d| d.evidence_file_id == Some(*id)),
        }
    }
    fn reason_of(&self, k: &usize, x: &Difference) -> String {
        match self.entered_value(k, "reason") {
            Some(v) => v.to_string(),
            None => x
                .decision
                .as_ref()
                .map(|d| d.reason.clone())
                .unwrap_or_default(),
        }
    }
    /// The error of one submitted decision's field, if any.
    fn derr(&self, k: &usize, field: &str) -> Option<&str> {
        self.errors.get(&format!("decisions[{k}].{field}"))
    }
    fn choice(&self, c: &ipfin_domain::application::figures::Choice) -> &'static str {
        c.label(self.ctx.lang)
    }
    fn step(&self, s: &ipfin_domain::policy::eligibility::Step) -> &'static str {
        s.label(self.ctx.lang)
    }
    fn at_s(&self, s: &i64) -> String {
        self.ctx.datetime(s)
    }
    fn money<F: Copy + Into<ipfin_domain::Fen>>(&self, f: &F) -> String {
        money(f)
    }
    fn opt_money<F: Copy + Into<ipfin_domain::Fen>>(&self, f: &Option<F>) -> String {
        f.map(|f| money(&f)).unwrap_or_else(|| "—".into())
    }
    fn state(&self, c: &str) -> &'static str {
        state_label(c, self.ctx.lang)
    }
    fn stage(&self, c: &Option<String>) -> &'static str {
        stage_label(c, self.ctx.lang)
    }
    fn kind(&self, c: &str) -> &'static str {
        kind_label(c, self.ctx.lang)
    }
    fn item(&self, c: &str) -> &'static str {
        item_label(c, self.ctx.t)
    }
    fn action(&self, c: &str) -> &'static str {
        if c == "decide_differences" {
            return self.ctx.t.s("app.decide_event");
        }
        ipfin_domain::application::Action::from_code(c)
            .map(|a| a.label(self.ctx.lang))
            .unwrap_or("")
    }
    fn item_choices(&self) -> Vec<(&'static str, &'static str)> {
        Item::ALL
            .iter()
            .map(|i| (i.code(), item_text(*i, self.ctx.t)))
            .collect()
    }
    fn fill(&self, text: &str, n: impl std::fmt::Display) -> String {
        fill(text, n)
    }
    fn use_vault(&self, v: &VaultDoc) -> String {
        let t = self.ctx.t;
        t.s("app.use_vault")
            .replace("{name}", &v.file_name)
            .replace("{until}", &v.valid_until.to_string())
    }
    fn transition(&self, from: &str, to: &str) -> String {
        let t = self.ctx.t;
        t.s("app.transition")
            .replace("{from}", self.state(from))
            .replace("{to}", self.state(to))
    }
    fn can(&self, a: &str) -> bool {
        self.actions.contains(&a)
    }
    fn kb(&self, n: &i64) -> String {
        format!("{:.0} KB", (*n as f64 / 1024.0).ceil())
    }
    fn at(&self, us: &i64) -> String {
        self.ctx.datetime(&(us / 1_000_000))
    }
    fn rate(&self, r: &rust_decimal::Decimal) -> String {
        format!("{}%", (r * rust_decimal::Decimal::ONE_HUNDRED).normalize())
    }
}

fn allowed(actor: &Actor, d: &ApplicationDetail) -> Vec<&'static str> {
    use ipfin_domain::application::{Action, Actor as WfActor};
    let wf: &Workflow = &d.workflow;
    let Some(who) = WfActor::of(
        &actor.scope,
        actor.user().map(|u| u.user_id.get()),
        &d.row.district_code,
        d.row.applicant_org_id,
    ) else {
        return vec![];
    };
    let mut out: Vec<&'static str> = wf
        .allowed(who)
        .into_iter()
        .filter(|a| {
            !matches!(
                a,
                Action::PublishNotice | Action::UpholdObjection | Action::EndNotice
            )
        })
        .map(|a| a.code())
        .collect();
    if matches!(who, WfActor::Officer(_)) && wf.state == AppStateCode::Disbursed {
        out.retain(|a| *a != "investigate");
        out.push("supervise");
        if d.row.disbursed_fen < d.row.granted_fen.unwrap_or(ipfin_domain::Fen::ZERO) {
            out.push("disburse");
        }
    }
    out
}

async fn detail_page(
    state: &AppState,
    actor: &Actor,
    id: i64,
    errors: FormErrors,
    flash: Option<&str>,
) -> AppResult<DetailPage> {
    detail_page_with(state, actor, id, errors, flash, None).await
}

async fn detail_page_with(
    state: &AppState,
    actor: &Actor,
    id: i64,
    errors: FormErrors,
    flash: Option<&str>,
    view: Option<i64>,
) -> AppResult<DetailPage> {
    let d = state.store.application(&actor.scope, id).await?;
    let preview = view.and_then(|f| d.files.iter().find(|x| x.id == f).cloned());
    let today = ipfin_store::today_shanghai();
    let vault = state.store.vault(&actor.scope, today).await?;
    let slots = d
        .slots
        .iter()
        .map(|s| {
            // A standard slot reads in the reader's language; one a district added or
            // changed keeps its own words.
            let en = (actor.lang == Lang::En && !s.deviation)
                .then(|| ipfin_domain::policy::materials::english(&s.code))
                .flatten();
            SlotView {
                code: s.code.clone(),
                name: en.map_or_else(|| s.name.clone(), |(n, _)| n.to_string()),
                required: s.required,
                note: en.map_or_else(|| s.note.clone(), |(_, n)| n.to_string()),
                deviation: s.deviation,
                files: d
                    .files
                    .iter()
                    .filter(|f| f.slot == s.code)
                    .cloned()
                    .collect(),
                vault: vault.iter().filter(|v| v.slot == s.code).cloned().collect(),
            }
        })
        .collect();
    let applicant = ipfin_domain::application::Actor::of(
        &actor.scope,
        None,
        &d.row.district_code,
        d.row.applicant_org_id,
    ) == Some(ipfin_domain::application::Actor::Applicant);
    let officer = actor.scope.leads_district(&d.row.district_code);
    let pending = state
        .store
        .pending_confirmation(&actor.scope, "application", id)
        .await?;
    let estimate = if applicant && d.row.state() == AppStateCode::Draft {
        state
            .store
            .draft_estimate(&actor.scope, id, actor.lang)
            .await?
    } else {
        None
    };
    let mut actions = allowed(actor, &d);
    if pending.is_some() {
        // The step awaiting a second person is not prepared twice.
        actions.retain(|a| !matches!(*a, "disburse" | "clear" | "clawback"));
    }
    Ok(DetailPage {
        ctx: PageCtx::new(actor, state, &format!("/applications/{id}")).with_flash(flash),
        can_edit: applicant
            && matches!(d.row.state(), AppStateCode::Draft | AppStateCode::Returned),
        actions,
        pending,
        slots,
        officer,
        d,
        errors,
        today: today.to_string(),
        preview,
        entered: Default::default(),
        estimate,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DetailQuery {
    ok: Option<String>,
    view: Option<String>,
}

/// `GET /applications/{app_id}` (`?view=file_id`: that material beside the figures).
pub async fn detail(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Query(q): Query<DetailQuery>,
) -> AppResult<Response> {
    let view = q.view.as_deref().and_then(|v| v.parse().ok());
    let p = detail_page_with(
        &state,
        &actor,
        path_id(&id)?,
        FormErrors::default(),
        flash_key(&q.ok),
        view,
    )
    .await?;
    Ok(render(StatusCode::OK, &p))
}

async fn after(
    state: &AppState,
    actor: &Actor,
    id: i64,
    r: AppResult<()>,
    flash: &str,
) -> AppResult<Response> {
    let to = format!("/applications/{id}");
    after_post(r, &to, flash, actor.lang, |errors| {
        detail_page(state, actor, id, errors, None)
    })
    .await
}

/// A multipart form read into memory: its text fields and its file (name, bytes), with the
/// CSRF token checked against the session or, before sign-in, the pre-sign-in cookie.
pub(crate) async fn read_form(
    actor: &Actor,
    headers: &HeaderMap,
    req: axum::extract::Request,
) -> AppResult<(
    std::collections::HashMap<String, String>,
    Option<(String, Bytes)>,
)> {
    let (fields, mut files) = read_form_files(actor, headers, req).await?;
    Ok((fields, files.pop()))
}

/// Like [`read_form`], with every file part sent (in order), so a caller can bound their
/// number and total size.
pub(crate) async fn read_form_files(
    actor: &Actor,
    headers: &HeaderMap,
    req: axum::extract::Request,
) -> AppResult<(
    std::collections::HashMap<String, String>,
    Vec<(String, Bytes)>,
)> {
    let mut form = axum::extract::Multipart::from_request(req, &())
        .await
        .map_err(|e| {
            AppError::bad_request(
                "form.malformed",
                format!("请通过页面上传文件（multipart/form-data）：{e}"),
                format!("Upload from the page: {e}"),
            )
        })?;
    let expected = actor
        .csrf_token()
        .map(str::to_string)
        .or_else(|| cookie(headers, PRE_CSRF_COOKIE).map(str::to_string));
    let mp = crate::http::multipart_error;
    let mut fields = std::collections::HashMap::new();
    let mut files = Vec::new();
    let mut csrf_ok = false;
    while let Some(f) = form.next_field().await.map_err(mp)? {
        let name = f.name().unwrap_or("").to_string();
        if name == "_csrf" {
            let sent = f.text().await.map_err(mp)?;
            csrf_ok = expected
                .as_deref()
                .is_some_and(|e| !sent.is_empty() && super::same_secret(&sent, e));
        } else if name == "file" || name == "evidence" {
            if !csrf_ok {
                break;
            }
            let fname = f.file_name().unwrap_or("").to_string();
            let bytes = f.bytes().await.map_err(mp)?;
            if !fname.is_empty() || !bytes.is_empty() {
                files.push((fname, bytes));
            }
        } else {
            let text = f.text().await.map_err(mp)?;
            let text = crate::text_input::field(&name, &text)?.into_owned();
            fields.insert(name, text);
        }
    }
    if !csrf_ok {
        return Err(super::csrf_error());
    }
    Ok((fields, files))
}

/// `POST /applications/{app_id}/files` (multipart: `_csrf`, `slot`, `file`, and for a licence
/// or tax certificate optionally `valid_until` to keep it in the vault).
pub async fn upload(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    headers: HeaderMap,
    req: axum::extract::Request,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    state.store.application(&actor.scope, id).await?;
    let (fields, file) = read_form(&actor, &headers, req).await?;
    let slot = fields.get("slot").cloned().unwrap_or_default();
    let r: AppResult<()> = async {
        let Some((name, bytes)) = file else {
            return Err(field("file", "file.missing", "请选择要上传的文件。".into()));
        };
        let valid_until = fields
            .get("valid_until")
            .map(|s| s.trim())
            .filter(|s| !s.is_empty());
        let today = ipfin_store::today_shanghai();
        write!(state, actor, |tx| {
            state
                .store
                .add_file(&mut tx, &actor.scope, id, &slot, &name, bytes.clone())
                .await?;
            if let Some(v) = valid_until {
                let until: NaiveDate = v.parse().map_err(|_| {
                    ipfin_store::StoreError::invalid(
                        "valid_until",
                        "vault.date",
                        "有效期请填写 YYYY-MM-DD 格式的日期。",
                        "Enter the date as YYYY-MM-DD.",
                    )
                })?;
                state
                    .store
                    .vault_add(&mut tx, &actor.scope, &slot, &name, until, bytes, today)
                    .await?;
            }
        })
    }
    .await;
    after(&state, &actor, id, r, "created").await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct VaultForm {
    vault_id: String,
}

/// `POST /applications/{app_id}/vault`: attaches a still-valid vault document.
pub async fn attach_vault(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    form: CsrfForm<VaultForm>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    state.store.application(&actor.scope, id).await?;
    let vid = path_id(&form.data.vault_id)?;
    let today = ipfin_store::today_shanghai();
    let r = write!(state, actor, |tx| {
        state
            .store
            .attach_vault(&mut tx, &actor.scope, id, vid, today)
            .await?;
    });
    after(&state, &actor, id, r, "created").await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FileForm {
    file_id: String,
}

/// `POST /applications/{app_id}/files/delete`.
pub async fn remove_file(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    form: CsrfForm<FileForm>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    state.store.application(&actor.scope, id).await?;
    let fid = path_id(&form.data.file_id)?;
    let r = write!(state, actor, |tx| {
        state
            .store
            .remove_file(&mut tx, &actor.scope, id, fid)
            .await?;
    });
    after(&state, &actor, id, r, "updated").await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ConfirmForm {
    confirm: String,
}

/// `POST /applications/{app_id}/submit` (with confirmation).
pub async fn submit(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    form: CsrfForm<ConfirmForm>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    state.store.application(&actor.scope, id).await?;
    let r: AppResult<()> = if form.data.confirm != "yes" {
        Err(field(
            "confirm",
            "form.confirm",
            "请勾选“我确认所填信息和材料真实、完整”后再提交。".into(),
        ))
    } else {
        let today = ipfin_store::today_shanghai();
        write!(state, actor, |tx| {
            state
                .store
                .submit_application(&mut tx, &actor.scope, id, today)
                .await?;
        })
    };
    after(&state, &actor, id, r, "submitted").await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DownloadQuery {
    inline: Option<String>,
}

/// `GET /applications/{app_id}/files/{file_id}` (`?inline=1`: shown in the review screen).
pub async fn download(
    State(state): State<AppState>,
    actor: Actor,
    Path((id, fid)): Path<(String, String)>,
    Query(q): Query<DownloadQuery>,
) -> AppResult<Response> {
    let (f, bytes) = state
        .store
        .application_file(&actor.scope, path_id(&id)?, path_id(&fid)?)
        .await?;
    Ok(file_response_as(
        &f,
        bytes,
        q.inline.as_deref() == Some("1"),
    ))
}

/// `POST /applications/{app_id}/action`: every other action from the page's forms.
pub async fn act(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    form: CsrfForm<std::collections::HashMap<String, String>>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    state.store.application(&actor.scope, id).await?;
    let f = &form.data;
    let get = |k: &str| f.get(k).map(|v| v.trim().to_string()).unwrap_or_default();
    let r: AppResult<Option<i64>> = async {
        let money_of = |k: &str| -> AppResult<Option<i64>> {
            let v = get(k);
            if v.is_empty() {
                return Ok(None);
            }
            parse_amount(&v, 100).map(Some).ok_or_else(|| {
                field(
                    "amount",
                    "form.amount",
                    format!("金额“{v}”格式不正确：请填写元，最多两位小数。"),
                )
            })
        };
        let mut items = Vec::new();
        for it in Item::ALL {
            if let Some(a) = money_of(&format!("approved_{}", it.code()))? {
                items.push(ItemDecision {
                    item: it,
                    approved_fen: a.into(),
                    reason: get(&format!("reason_{}", it.code())),
                });
            }
        }
        for k in [Kind::Institution, Kind::Securitisation] {
            if let Some(a) = money_of(&format!("approved_{}", k.code()))? {
                items.push(ItemDecision {
                    item: Item::Interest,
                    approved_fen: a.into(),
                    reason: get(&format!("reason_{}", k.code())),
                });
            }
        }
        let action = get("action");
        if matches!(
            action.as_str(),
            "withdraw" | "not_accept" | "reject" | "clawback"
        ) && get("confirm") != "yes"
        {
            return Err(field(
                "confirm",
                "form.confirm",
                "这一步不能撤销：请勾选确认后再提交。".into(),
            ));
        }
        let mut decisions = Vec::new();
        for k in 0..200 {
            let choice = get(&format!("d{k}_choice"));
            let field = get(&format!("d{k}_field"));
            if field.is_empty() {
                break;
            }
            if choice.is_empty() {
                continue;
            }
            let Some(choice) = ipfin_domain::application::figures::Choice::from_code(&choice)
            else {
                continue;
            };
            decisions.push(crate::usecase::application::DecisionBody {
                line: get(&format!("d{k}_line")).parse().unwrap_or(usize::MAX),
                field,
                choice: choice.code().to_string(),
                reason: get(&format!("d{k}_reason")),
                evidence_file_id: get(&format!("d{k}_evidence")).parse().ok(),
            });
        }
        let b = ActionBody {
            action,
            comment: get("comment"),
            note: get("note"),
            date: get("date").parse().ok(),
            items,
            amount_fen: money_of("amount")?.map(ipfin_domain::Fen::new),
            reference: get("reference"),
            clawback_id: get("clawback_id").parse().ok(),
            decisions,
        };
        run_action(&state, &actor, id, b)
            .await
            .map(|a| a.confirmation_id)
    }
    .await;
    match r {
        // Four eyes: a disbursement or clawback prepared is shown awaiting a second person.
        Ok(Some(cid)) => Ok(see_other(&format!("/confirmations/{cid}"), "prepared")),
        other => {
            let to = format!("/applications/{id}");
            after_post(
                other.map(|_| ()),
                &to,
                "updated",
                actor.lang,
                |errors| async {
                    let mut page = detail_page(&state, &actor, id, errors, None).await?;
                    page.entered = form.data.clone();
                    Ok(page)
                },
            )
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "notices.html")]
struct NoticesPage {
    ctx: PageCtx,
    notices: Vec<NoticeRow>,
    reviewed: Vec<ApplicationRow>,
    /// Batches awaiting their budget's allocation (issue #19 item 2).
    batches: Vec<ipfin_store::application::BatchAwaiting>,
    officer: bool,
    /// Officials may download the list (`/notices/export.xlsx`).
    exports: bool,
    errors: FormErrors,
    today: String,
}

impl NoticesPage {
    fn money<F: Copy + Into<ipfin_domain::Fen>>(&self, f: &Option<F>) -> String {
        f.map(|f| money(&f)).unwrap_or_default()
    }
    fn yuan(&self, f: &ipfin_domain::Fen) -> String {
        money(f)
    }
    fn fill(&self, text: &str, n: impl std::fmt::Display) -> String {
        fill(text, n)
    }
}

async fn notices_page(
    state: &AppState,
    actor: &Actor,
    errors: FormErrors,
    flash: Option<&str>,
) -> AppResult<NoticesPage> {
    let (district, officer) = match &actor.scope {
        Scope::District { code, manage } => (Some(code.as_str()), *manage),
        _ => (None, false),
    };
    let reviewed = if officer {
        state
            .store
            .applications(
                &actor.scope,
                &ipfin_store::application::ApplicationFilter {
                    state: Some(AppStateCode::Reviewed),
                    ..Default::default()
                },
                ipfin_store::Page::new(Some(1), Some(200)),
            )
            .await?
            .items
    } else {
        vec![]
    };
    let batches = if officer {
        state
            .store
            .batches_awaiting(&actor.scope, ipfin_store::today_shanghai())
            .await?
    } else {
        vec![]
    };
    Ok(NoticesPage {
        ctx: PageCtx::new(actor, state, "/notices").with_flash(flash),
        notices: state.store.notices(district).await?,
        reviewed,
        batches,
        officer,
        exports: actor.scope.is_government(),
        errors,
        today: ipfin_store::today_shanghai().to_string(),
    })
}

/// `GET /notices`: published notices; the district's officers also publish one here.
pub async fn notices(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<super::ListQuery>,
) -> AppResult<Response> {
    let p = notices_page(&state, &actor, FormErrors::default(), flash_key(&q.ok)).await?;
    Ok(render(StatusCode::OK, &p))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NoticeForm {
    title: String,
    start: String,
    days: String,
    confirm: String,
}

/// `POST /notices`: prepares a notice of the chosen reviewed applications (ticked), published
/// once a second officer confirms it.
pub async fn publish(
    State(state): State<AppState>,
    actor: Actor,
    form: CsrfForm<NoticeForm>,
) -> AppResult<Response> {
    let f = &form.data;
    let ids: Vec<i64> = form
        .all("application")
        .iter()
        .filter_map(|v| v.parse().ok())
        .collect();
    let r: AppResult<i64> = async {
        if f.confirm != "yes" {
            return Err(field(
                "confirm",
                "form.confirm",
                "公示发布后不能修改：请勾选确认。".into(),
            ));
        }
        let start: NaiveDate = f.start.trim().parse().map_err(|_| {
            field(
                "start",
                "notice.start",
                "请填写公示开始日期（YYYY-MM-DD）。".into(),
            )
        })?;
        let days: u32 = f.days.trim().parse().unwrap_or(5);
        // Four eyes (issue #18 item 3): prepared here, published when a second person confirms.
        write!(state, actor, |tx| state
            .store
            .prepare_notice(
                &mut tx,
                &actor.scope,
                &f.title,
                &ids,
                start,
                days,
                ipfin_store::today_shanghai()
            )
            .await?
            .id)
    }
    .await;
    match r {
        Ok(cid) => Ok(see_other(&format!("/confirmations/{cid}"), "prepared")),
        Err(e)
            if matches!(
                e.status,
                StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT | StatusCode::FORBIDDEN
            ) =>
        {
            let status = e.status;
            let p =
                notices_page(&state, &actor, FormErrors::from_error(&e, actor.lang), None).await?;
            Ok(render(status, &p))
        }
        Err(e) => Err(e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CloseBatchForm {
    policy_version_id: String,
    batch_name: String,
    confirm: String,
}

/// `POST /notices/batches/close`: prepares closing a batch (its budget allocated over what
/// passed its notice) once a second officer confirms it (issue #19 item 2).
pub async fn close_batch(
    State(state): State<AppState>,
    actor: Actor,
    form: CsrfForm<CloseBatchForm>,
) -> AppResult<Response> {
    let f = &form.data;
    let r: AppResult<i64> = async {
        if f.confirm != "yes" {
            return Err(field(
                "confirm",
                "form.confirm",
                "关闭批次后将按预算确定本批次的资助，不能撤销：请勾选确认。".into(),
            ));
        }
        let version: i64 = f.policy_version_id.trim().parse().map_err(|_| {
            field(
                "policy_version_id",
                "batch.policy",
                "请选择要关闭的申报批次。".into(),
            )
        })?;
        write!(state, actor, |tx| state
            .store
            .prepare_batch_close(&mut tx, &actor.scope, version, &f.batch_name)
            .await?
            .id)
    }
    .await;
    match r {
        Ok(cid) => Ok(see_other(&format!("/confirmations/{cid}"), "prepared")),
        Err(e)
            if matches!(
                e.status,
                StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT | StatusCode::FORBIDDEN
            ) =>
        {
            let status = e.status;
            let p =
                notices_page(&state, &actor, FormErrors::from_error(&e, actor.lang), None).await?;
            Ok(render(status, &p))
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "notice.html")]
struct NoticePage {
    ctx: PageCtx,
    n: NoticeDetail,
    /// The district, publishing organisation, contact and date the page names (its 落款).
    issuer: ipfin_store::application::NoticeIssuer,
    officer: bool,
    open: bool,
    csrf: String,
    errors: FormErrors,
    /// What the person wrote in the objection form, kept when it is shown again with errors.
    typed: ObjectionTyped,
}

/// The objection form's text fields as typed.
#[derive(Debug, Default)]
struct ObjectionTyped {
    name: String,
    contact: String,
    text: String,
}

impl NoticePage {
    fn money(&self, f: &Fen) -> String {
        money(f)
    }
    fn period(&self) -> String {
        let n = &self.n.notice;
        let t = self.ctx.t;
        t.s("notice.period_text")
            .replace("{start}", &self.ctx.date(&n.starts_on))
            .replace("{end}", &self.ctx.date(&n.ends_on))
            .replace("{days}", &n.days.to_string())
    }
    fn paren(&self, s: &str) -> String {
        fill(self.ctx.t.s("notice.paren"), s)
    }
    /// Who issued the notice, by name: the publishing organisation, else the district.
    fn issuer_name(&self) -> String {
        self.issuer
            .organisation
            .clone()
            .filter(|o| !o.trim().is_empty())
            .unwrap_or_else(|| self.issuer.district_name.clone())
    }
    /// Whom the public asks during the notice period, with the phone number.
    fn contact_line(&self) -> String {
        let t = self.ctx.t;
        match (&self.issuer.contact_name, &self.issuer.phone) {
            (Some(name), Some(phone)) => t
                .s("notice.contact_line")
                .replace("{name}", name)
                .replace("{phone}", phone),
            _ => t
                .s("notice.contact_district")
                .replace("{district}", &self.issuer.district_name),
        }
    }
}

async fn notice_page(
    state: &AppState,
    actor: &Actor,
    id: i64,
    csrf: String,
    errors: FormErrors,
    flash: Option<&str>,
) -> AppResult<NoticePage> {
    let n = state.store.notice(&actor.scope, id).await?;
    let issuer = state.store.notice_issuer(id).await?;
    let today = ipfin_store::today_shanghai();
    Ok(NoticePage {
        issuer,
        ctx: PageCtx::new(actor, state, &format!("/notices/{id}")).with_flash(flash),
        officer: actor.scope.leads_district(&n.notice.district_code),
        open: n.notice.status == "open" && today >= n.notice.starts_on && today <= n.notice.ends_on,
        n,
        csrf,
        errors,
        typed: ObjectionTyped::default(),
    })
}

/// `GET /notices/{notice_id}`: the public list and the objection form; the district's officers
/// also see and decide the objections.
pub async fn notice(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<super::ListQuery>,
) -> AppResult<Response> {
    let (csrf, fresh) = match actor.csrf_token() {
        Some(t) => (t.to_string(), false),
        None => super::pre_csrf(&headers),
    };
    let id = path_id(&id)?;
    let mut p = notice_page(
        &state,
        &actor,
        id,
        csrf.clone(),
        FormErrors::default(),
        flash_key(&q.ok),
    )
    .await?;
    // A signed-out reader sees "objection lodged" only right after lodging one from this browser
    // (the one-time cookie the lodging set), never from a shared link; the cookie is spent.
    let own = super::own_flash(&headers, "objection_lodged");
    if own && !actor.is_signed_in() && q.ok.as_deref() == Some("objection_lodged") {
        p.ctx.flash = Some(p.ctx.t.s("flash.objection_lodged").to_string());
    }
    let mut resp = super::auth::with_pre_csrf(
        render(StatusCode::OK, &p),
        &csrf,
        fresh,
        state.config.secure_cookies,
    );
    if own {
        super::spend_own_flash(&mut resp, state.config.secure_cookies);
    }
    Ok(resp)
}

/// `POST /notices/{notice_id}/objections` (multipart: name, contact, text, application_id,
/// optional evidence): anyone, during the period.
pub async fn lodge(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    Path(id): Path<String>,
    req: axum::extract::Request,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    state.store.notice(&Scope::Public, id).await?;
    if let Some(refused) = crate::usecase::application::objection_limit(&state, &actor, id).await? {
        return Ok(refused);
    }
    let (fields, mut files) = read_form_files(&actor, &headers, req).await?;
    let sizes: Vec<usize> = files.iter().map(|(_, b)| b.len()).collect();
    let evidence_ok = ipfin_domain::application::objection::check_evidence(
        &state.config.objection_limits,
        &sizes,
    )
    .map_err(|m| FieldError {
        field: "evidence",
        msg: m,
    });
    let file = files.pop();
    let get = |k: &str| {
        fields
            .get(k)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let today = ipfin_store::today_shanghai();
    let o = NewObjection {
        application_id: get("application_id").parse().ok(),
        name: get("name"),
        contact: get("contact"),
        text: get("text"),
        evidence: file,
        client_addr: actor.ip.clone(),
    };
    // Every problem at once: what was written and the evidence, before anything is stored.
    let mut problems = ipfin_domain::FieldErrors::default();
    if let Err(e) = ipfin_domain::application::objection::check_text(&o.name, &o.contact, &o.text) {
        problems.extend(e);
    }
    problems.take(evidence_ok);
    let typed = ObjectionTyped {
        name: o.name.clone(),
        contact: o.contact.clone(),
        text: o.text.clone(),
    };
    let r = match problems.finish() {
        Ok(()) => write!(state, actor, |tx| state
            .store
            .lodge_objection(&mut tx, id, o, today)
            .await?),
        Err(e) => Err(ipfin_store::StoreError::fields(e).into()),
    };
    match r {
        Ok(_) => {
            let to = format!("/notices/{id}");
            let mut resp = see_other(&to, "objection_lodged");
            super::set_own_flash(&mut resp, "objection_lodged", state.config.secure_cookies);
            Ok(resp)
        }
        Err(e)
            if matches!(
                e.status,
                StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT
            ) =>
        {
            let status = e.status;
            let csrf = actor
                .csrf_token()
                .map(str::to_string)
                .or_else(|| cookie(&headers, PRE_CSRF_COOKIE).map(str::to_string))
                .unwrap_or_default();
            let mut p = notice_page(
                &state,
                &actor,
                id,
                csrf,
                FormErrors::from_error(&e, actor.lang),
                None,
            )
            .await?;
            p.typed = typed;
            Ok(render(status, &p))
        }
        Err(e) => Err(e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DecideForm {
    decision: String,
    reason: String,
    notice_id: String,
}

/// `POST /objections/{objection_id}/decision`.
pub async fn decide(
    State(state): State<AppState>,
    actor: Actor,
    Path(oid): Path<String>,
    form: CsrfForm<DecideForm>,
) -> AppResult<Response> {
    let oid = path_id(&oid)?;
    let notice_id = state.store.objection_notice(&actor.scope, oid).await?;
    let f = &form.data;
    let r = write!(state, actor, |tx| state
        .store
        .decide_objection(
            &mut tx,
            &actor.scope,
            oid,
            f.decision == "uphold",
            &f.reason
        )
        .await?);
    let _ = &f.notice_id;
    match r {
        Ok(()) => Ok(see_other(&format!("/notices/{notice_id}"), "updated")),
        Err(e)
            if matches!(
                e.status,
                StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT
            ) =>
        {
            let status = e.status;
            let p = notice_page(
                &state,
                &actor,
                notice_id,
                actor.csrf_token().unwrap_or_default().to_string(),
                FormErrors::from_error(&e, actor.lang),
                None,
            )
            .await?;
            Ok(render(status, &p))
        }
        Err(e) => Err(e),
    }
}

/// `GET /objections/{objection_id}/evidence`: the district's officers.
pub async fn evidence(
    State(state): State<AppState>,
    actor: Actor,
    Path(oid): Path<String>,
) -> AppResult<Response> {
    let (name, bytes) = state
        .store
        .objection_evidence(&actor.scope, path_id(&oid)?)
        .await?;
    let t = ipfin_domain::application::files::sniff(&bytes);
    let f = FileRow {
        id: 0,
        slot: String::new(),
        blob_key: String::new(),
        file_name: name,
        file_type: t.map(|t| t.code().to_string()).unwrap_or_default(),
        size: bytes.len() as i64,
        uploaded_at: 0,
    };
    Ok(file_response(&f, bytes))
}

#[derive(Template)]
#[template(path = "simulation.html")]
struct SimulationPage {
    ctx: PageCtx,
    v: PolicyVersionRow,
    year: i32,
    s: ipfin_domain::policy::simulate::Simulation,
    errors_text: Vec<String>,
}

impl SimulationPage {
    fn money(&self, f: &ipfin_domain::Fen) -> String {
        money(f)
    }
    fn change(&self, t: &ipfin_domain::policy::simulate::Totals) -> String {
        match t.change_fen() {
            Some(c) if c.is_positive() => format!("+{}", money(&c)),
            Some(c) => money(&c),
            None => "—".into(),
        }
    }
    fn class(&self, c: &str) -> &'static str {
        ipfin_domain::size::SizeClass::from_code(c)
            .map(|x| x.label(self.ctx.lang))
            .unwrap_or("")
    }
    fn item(&self, c: &str) -> &'static str {
        item_label(c, self.ctx.t)
    }
    fn fill(&self, text: &str, n: impl std::fmt::Display) -> String {
        fill(text, n)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SimulationQuery {
    year: Option<String>,
}

/// `GET /policy-drafts/{version_id}/simulation?year=`: the simulator's page.
pub async fn simulation(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Query(q): Query<SimulationQuery>,
) -> AppResult<Response> {
    let year = q.year.as_deref().and_then(|y| y.trim().parse().ok());
    let (v, year, s) =
        crate::usecase::application::run_simulation(&state, &actor, path_id(&id)?, year).await?;
    let p = SimulationPage {
        ctx: PageCtx::new(&actor, &state, &format!("/policy-drafts/{}", v.id)),
        errors_text: s
            .errors
            .iter()
            .map(|(id, m)| {
                let t = T(actor.lang);
                t.s("sim.error_line")
                    .replace("{id}", &id.to_string())
                    .replace("{text}", m.text(actor.lang))
            })
            .collect(),
        v,
        year,
        s,
    };
    Ok(render(StatusCode::OK, &p))
}

/// `POST /applications/{app_id}/figures`: the applicant corrects what was paid on each loan
/// (元) and the items, or the securitisation figures, on a draft or returned application.
pub async fn update_figures(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    form: CsrfForm<std::collections::HashMap<String, String>>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    let d = state.store.application(&actor.scope, id).await?;
    let get = |k: &str| {
        form.data
            .get(k)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let fen = |k: &str| -> AppResult<Fen> { yuan_field(&get(k), "lines") };
    let r: AppResult<()> = async {
        let mut body = d.body.clone();
        for (i, l) in body.lines.iter_mut().enumerate() {
            l.interest_paid_fen = fen(&format!("interest_{i}"))?;
            l.evaluation_fee_fen = fen(&format!("evaluation_{i}"))?;
            l.guarantee_fee_fen = fen(&format!("guarantee_{i}"))?;
            l.insurance_fee_fen = fen(&format!("insurance_{i}"))?;
        }
        if d.row.kind() == Kind::Securitisation {
            body.year_number = get("year_number").parse().ok();
            body.interest_paid_fen = yuan_field(&get("interest_paid"), "interest_paid")?;
            body.guarantee_fee_fen = yuan_field(&get("guarantee_fee"), "guarantee_fee")?;
        }
        let items: Vec<Item> = Item::ALL
            .iter()
            .copied()
            .filter(|i| form.all("items").contains(&i.code()))
            .collect();
        write!(state, actor, |tx| state
            .store
            .update_application(&mut tx, &actor.scope, id, items, body)
            .await?)
    }
    .await;
    after(&state, &actor, id, r, "updated").await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_names_in_chinese_are_the_domain_names() {
        for i in Item::ALL {
            assert_eq!(item_text(i, T(Lang::Zh)), i.zh());
        }
    }
}
