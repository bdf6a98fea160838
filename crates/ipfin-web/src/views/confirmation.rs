//! Four eyes pages (issue #18 item 3): the district's requests awaiting a second person
//! (`/confirmations`, with their age) and one request with exactly what confirming does, its
//! confirm and refuse (with reason) forms for a second person and the withdraw form for the
//! preparer — each shown exactly when the store would allow it.

use super::{CsrfForm, FormErrors, PageCtx, flash_key, render, see_other};
use crate::AppState;
use crate::actor::Actor;
use crate::error::{AppError, AppResult};
use crate::http::path_id;
use crate::usecase::confirmation::{ConfirmationQuery, StepDto, age_seconds, allowed, decide};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use ipfin_domain::confirmation::{Decision, Kind, Status, Step};
use ipfin_domain::financing::yuan;
use ipfin_domain::policy::budget::BudgetMode;
use ipfin_domain::policy::document::Budget;
use ipfin_domain::{Fen, FieldError};
use ipfin_store::confirmation::ConfirmationRow;
use serde::Deserialize;

fn kind_label(c: &ConfirmationRow, ctx: &PageCtx) -> &'static str {
    c.kind.get().label(ctx.lang)
}

fn status_label(c: &ConfirmationRow, ctx: &PageCtx) -> &'static str {
    c.status().label(ctx.lang)
}

/// An age in days and hours, e.g. "2 天 3 小时".
fn age_text(ctx: &PageCtx, secs: i64) -> String {
    let (d, h) = (secs / 86_400, (secs % 86_400) / 3_600);
    ctx.t
        .s("conf.age_value")
        .replace("{d}", &d.to_string())
        .replace("{h}", &h.to_string())
}

#[derive(Template)]
#[template(path = "confirmations.html")]
struct ListPage {
    ctx: PageCtx,
    rows: Vec<ConfirmationRow>,
    status: String,
    kinds: Vec<(&'static str, &'static str)>,
    kind: String,
    now: i64,
    me: Option<i64>,
}

impl ListPage {
    fn kind(&self, c: &ConfirmationRow) -> &'static str {
        kind_label(c, &self.ctx)
    }
    fn status_of(&self, c: &ConfirmationRow) -> &'static str {
        status_label(c, &self.ctx)
    }
    fn age(&self, c: &ConfirmationRow) -> String {
        age_text(&self.ctx, age_seconds(c, self.now))
    }
    fn mine(&self, c: &ConfirmationRow) -> bool {
        self.me.is_some() && c.prepared_by == self.me
    }
    fn statuses(&self) -> Vec<(&'static str, &'static str)> {
        let mut v: Vec<(&'static str, &'static str)> = Status::ALL
            .iter()
            .map(|s| (s.code(), s.label(self.ctx.lang)))
            .collect();
        v.push(("all", self.ctx.t.s("conf.all")));
        v
    }
}

/// `GET /confirmations`: the district's requests (pending by default, oldest first, with age).
pub async fn list(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<ConfirmationQuery>,
) -> AppResult<Response> {
    let filter = q.filter()?;
    let rows = state.store.confirmations(&actor.scope, &filter).await?;
    let ctx = PageCtx::new(&actor, &state, "/confirmations");
    let kinds = Kind::ALL
        .iter()
        .map(|k| (k.code(), k.label(ctx.lang)))
        .collect();
    let p = ListPage {
        kinds,
        rows,
        status: filter
            .status
            .map(|s| s.code().to_string())
            .unwrap_or_else(|| "all".into()),
        kind: filter
            .kind
            .map(|k| k.code().to_string())
            .unwrap_or_default(),
        now: ipfin_store::now_s(),
        me: actor.user().map(|u| u.user_id.get()),
        ctx,
    };
    Ok(render(StatusCode::OK, &p))
}

#[derive(Template)]
#[template(path = "confirmation.html")]
struct DetailPage {
    ctx: PageCtx,
    c: ConfirmationRow,
    may: Vec<Decision>,
    mine: bool,
    errors: FormErrors,
    reason: String,
    now: i64,
    figures: Figures,
}

/// The step's computed figures (totals, what is paid after, the budget's change), checked
/// once when the page is built: a total past fen is an internal error, never a wrapped
/// figure. The totals are the ones the API shows.
struct Figures {
    step: StepDto,
    budget_change: Fen,
}

impl Figures {
    fn of(c: &ConfirmationRow) -> AppResult<Figures> {
        let overflow = |e| AppError::internal(format!("confirmation #{}: {e}", c.id));
        Ok(Figures {
            step: StepDto::try_from(c.step()).map_err(overflow)?,
            budget_change: match c.step() {
                Step::Policy(p) => p.budget_change_fen().map_err(overflow)?,
                _ => Fen::ZERO,
            },
        })
    }
}

impl DetailPage {
    fn money<F: Copy + Into<Fen>>(&self, f: &F) -> String {
        yuan(*f)
    }
    /// Paid in total after the disbursement (shown in the disbursement's branch only).
    fn paid_after(&self) -> String {
        let d = self.figures.step.disbursement.as_ref();
        d.map(|d| d.disbursed_after_fen.yuan()).unwrap_or_default()
    }
    /// The notice's total (shown in the notice's branch only).
    fn notice_total(&self) -> String {
        let n = self.figures.step.notice.as_ref();
        n.map(|n| n.total_fen.yuan()).unwrap_or_default()
    }
    /// The batch's approved and granted totals (shown in the batch's branch only).
    fn batch_approved(&self) -> String {
        let b = self.figures.step.batch.as_ref();
        b.map(|b| b.approved_fen.yuan()).unwrap_or_default()
    }
    fn batch_granted(&self) -> String {
        let b = self.figures.step.batch.as_ref();
        b.map(|b| b.granted_fen.yuan()).unwrap_or_default()
    }
    fn fill(&self, text: &str, n: &i64) -> String {
        text.replace("{}", &n.to_string())
    }
    fn kind(&self) -> &'static str {
        kind_label(&self.c, &self.ctx)
    }
    fn status(&self) -> &'static str {
        status_label(&self.c, &self.ctx)
    }
    fn pending(&self) -> bool {
        self.c.status() == Status::Pending
    }
    fn age(&self) -> String {
        age_text(&self.ctx, age_seconds(&self.c, self.now))
    }
    fn can(&self, d: &str) -> bool {
        self.may.iter().any(|x| match x {
            Decision::Confirm => d == "confirm",
            Decision::Refuse => d == "refuse",
            Decision::Withdraw => d == "withdraw",
        })
    }
    fn step(&self) -> &Step {
        self.c.step()
    }
    fn budget(&self, b: &Option<Budget>) -> String {
        match b {
            None => self.ctx.t.s("conf.no_budget").to_string(),
            Some(b) => format!(
                "{} {} · {}",
                yuan(b.total_fen),
                self.ctx.t.s("unit.yuan"),
                self.ctx.t.s(match b.mode {
                    BudgetMode::FirstComeFirstServed => "conf.mode_fcfs",
                    BudgetMode::ProRata => "conf.mode_pro_rata",
                })
            ),
        }
    }
    /// The change of the budget's total, signed, or empty when it did not change.
    fn budget_change(&self) -> String {
        let d = self.figures.budget_change;
        if d == Fen::ZERO {
            String::new()
        } else {
            format!(
                "{}{} {}",
                if d.is_positive() { "+" } else { "" },
                d.yuan(),
                self.ctx.t.s("unit.yuan")
            )
        }
    }
    fn subject_href(&self) -> String {
        self.c.subject_href()
    }
    fn number(&self, n: &Option<String>, id: &i64) -> String {
        n.clone().unwrap_or_else(|| format!("#{id}"))
    }
}

async fn detail_page(
    state: &AppState,
    actor: &Actor,
    id: i64,
    errors: FormErrors,
    reason: String,
    flash: Option<&str>,
) -> AppResult<DetailPage> {
    let c = state.store.confirmation(&actor.scope, id).await?;
    let me = actor.user().map(|u| u.user_id.get());
    Ok(DetailPage {
        figures: Figures::of(&c)?,
        ctx: PageCtx::new(actor, state, "/confirmations").with_flash(flash),
        may: allowed(actor, &c),
        mine: me.is_some() && c.prepared_by == me,
        c,
        errors,
        reason,
        now: ipfin_store::now_s(),
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DetailQuery {
    ok: Option<String>,
}

/// `GET /confirmations/{confirmation_id}`: exactly what confirming does.
pub async fn detail(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Query(q): Query<DetailQuery>,
) -> AppResult<Response> {
    let p = detail_page(
        &state,
        &actor,
        path_id(&id)?,
        FormErrors::default(),
        String::new(),
        flash_key(&q.ok),
    )
    .await?;
    Ok(render(StatusCode::OK, &p))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DecisionForm {
    action: String,
    reason: String,
    confirm: String,
}

/// `POST /confirmations/{confirmation_id}/decision`: confirm (with the tick that the step
/// cannot be undone), refuse (with a reason) or withdraw.
pub async fn decision(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    form: CsrfForm<DecisionForm>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    // Someone else's request is 404 whatever the form holds.
    state.store.confirmation(&actor.scope, id).await?;
    let f = &form.data;
    let r: AppResult<&str> = async {
        let (d, flash) = match f.action.as_str() {
            "confirm" => (Decision::Confirm, "confirmed"),
            "refuse" => (Decision::Refuse, "refused"),
            "withdraw" => (Decision::Withdraw, "withdrawn"),
            _ => {
                return Err(AppError::bad_request(
                    "form.action",
                    "未知的操作。",
                    "Unknown action.",
                ));
            }
        };
        if d == Decision::Confirm && f.confirm != "yes" {
            return Err(AppError::invalid(FieldError::new(
                "confirm",
                "confirm.required",
                "确认后将立即执行且不能撤销：请勾选“我已逐项核对，确认执行”后再提交。",
                "Confirming does the step at once and cannot be undone: tick the box and submit again.",
            )));
        }
        decide(&state, &actor, id, d, &f.reason).await?;
        Ok(flash)
    }
    .await;
    match r {
        Ok(flash) => Ok(see_other(&format!("/confirmations/{id}"), flash)),
        Err(e)
            if matches!(
                e.status,
                StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT | StatusCode::FORBIDDEN
            ) =>
        {
            let status = e.status;
            let p = detail_page(
                &state,
                &actor,
                id,
                FormErrors::from_error(&e, actor.lang),
                f.reason.clone(),
                None,
            )
            .await?;
            Ok(render(status, &p))
        }
        Err(e) => Err(e),
    }
}
