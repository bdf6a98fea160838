//! Four eyes (issue #18 item 3): what the pages and the API both show of a request (exactly
//! what confirming does) and the decisions both take. The steps are prepared by the existing
//! buttons and endpoints (policy publication, notices, disbursement, clawback).

use crate::AppState;
use crate::actor::Actor;
use crate::error::{AppError, AppResult};
use crate::http::write;
use ipfin_domain::confirmation::{self as rules, Decision, Kind, Request, Signer, Status, Step};
use ipfin_domain::money::{Fen, MoneyOverflow};
use ipfin_domain::policy::budget::BudgetMode;
use ipfin_domain::policy::document::Budget;
use ipfin_store::confirmation::ConfirmationRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A step prepared and awaiting a second person (answered with 202 Accepted).
#[derive(Debug, Serialize, ToSchema)]
pub struct Prepared {
    /// The request's id: `GET /api/v1/confirmations/{id}` shows it, a second person of the
    /// district's lead department confirms it with `POST /api/v1/confirmations/{id}/confirm`.
    pub confirmation_id: i64,
    /// policy.publish | policy.budget | notice.publish | grant.disburse | clawback.decide |
    /// batch.allocate | push.send
    pub kind: String,
    /// pending
    pub status: String,
    /// What confirming will do, in Chinese.
    pub summary: String,
}

impl From<&ConfirmationRow> for Prepared {
    fn from(c: &ConfirmationRow) -> Prepared {
        Prepared {
            confirmation_id: c.id,
            kind: c.kind.to_string(),
            status: c.outcome.to_string(),
            summary: c.summary.clone(),
        }
    }
}

/// A policy's budget.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BudgetDto {
    #[schema(value_type = i64)]
    pub total_fen: Fen,
    /// first_come_first_served | pro_rata
    pub mode: String,
}

fn budget(b: &Option<Budget>) -> Option<BudgetDto> {
    b.map(|b| BudgetDto {
        total_fen: b.total_fen,
        mode: match b.mode {
            BudgetMode::FirstComeFirstServed => "first_come_first_served",
            BudgetMode::ProRata => "pro_rata",
        }
        .into(),
    })
}

/// Publishing a policy version: the version, what it supersedes, the budget before and after.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PolicyStepDto {
    pub version_id: i64,
    pub series: i64,
    pub version: i32,
    pub title: String,
    pub year: i32,
    /// SM3 of the document as prepared.
    pub document_sm3: String,
    pub supersedes: Option<i64>,
    pub budget_before: Option<BudgetDto>,
    pub budget_after: Option<BudgetDto>,
    pub changes_budget: bool,
}

/// One line of a notice as it will be published.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NoticeLineDto {
    pub application_id: i64,
    pub number: Option<String>,
    pub enterprise_name: String,
    pub items: String,
    #[schema(value_type = i64)]
    pub amount_fen: Fen,
}

/// Publishing a public notice.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NoticeStepDto {
    pub title: String,
    pub starts_on: chrono::NaiveDate,
    pub ends_on: chrono::NaiveDate,
    pub days: u32,
    pub entries: Vec<NoticeLineDto>,
    #[schema(value_type = i64)]
    pub total_fen: Fen,
    /// The notice splits a batch: its budget is decided only when the batch's last notice ends
    /// or two officers close it (issue #19 item 2).
    pub warnings: Vec<String>,
}

/// One application of a batch as the allocation grants it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BatchLineDto {
    pub application_id: i64,
    pub number: Option<String>,
    pub enterprise_name: String,
    /// Unix seconds of acceptance (first come first served follows it).
    pub accepted_at: i64,
    #[schema(value_type = i64)]
    pub approved_fen: Fen,
    #[schema(value_type = i64)]
    pub granted_fen: Fen,
}

/// An application of the batch no longer eligible when the grant is decided.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BatchIneligibleDto {
    pub application_id: i64,
    pub number: Option<String>,
    pub enterprise_name: String,
    pub reason: String,
}

/// Closing a batch and allocating its budget over what cleared its notice.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BatchStepDto {
    pub policy_version_id: i64,
    pub title: String,
    pub year: i32,
    pub batch_name: String,
    pub budget: Option<BudgetDto>,
    #[schema(value_type = i64)]
    pub granted_before_fen: Fen,
    /// Applications of the batch still before their notice's end: they get what remains.
    pub before_notice_end: i64,
    #[schema(value_type = i64)]
    pub approved_fen: Fen,
    #[schema(value_type = i64)]
    pub granted_fen: Fen,
    pub lines: Vec<BatchLineDto>,
    pub ineligible: Vec<BatchIneligibleDto>,
}

/// Recording a payment.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DisburseStepDto {
    pub application_id: i64,
    pub number: Option<String>,
    pub enterprise_name: String,
    pub paid_on: chrono::NaiveDate,
    #[schema(value_type = i64)]
    pub amount_fen: Fen,
    pub reference: String,
    #[schema(value_type = i64)]
    pub granted_fen: Fen,
    #[schema(value_type = i64)]
    pub disbursed_before_fen: Fen,
    #[schema(value_type = i64)]
    pub disbursed_after_fen: Fen,
}

/// Deciding a clawback.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClawbackStepDto {
    pub application_id: i64,
    pub number: Option<String>,
    pub enterprise_name: String,
    #[schema(value_type = i64)]
    pub amount_fen: Fen,
    pub reason: String,
    #[schema(value_type = i64)]
    pub disbursed_fen: Fen,
}

/// One enterprise pushed to one bank.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PushLineDto {
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub credit_code: String,
    pub bank_org_id: i64,
    pub bank_name: String,
    /// `whitelist` or `screening`.
    pub source: String,
    pub reason: String,
}

/// Sending a push list to the district's partner banks.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PushStepDto {
    pub list_id: i64,
    /// `preference`, `fit` or `round_robin`.
    pub method: String,
    pub k: u32,
    pub period_days: u32,
    pub lines: Vec<PushLineDto>,
}

/// Exactly what confirming does: one of the four is set.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct StepDto {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<PolicyStepDto>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice: Option<NoticeStepDto>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disbursement: Option<DisburseStepDto>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clawback: Option<ClawbackStepDto>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batch: Option<BatchStepDto>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub push: Option<PushStepDto>,
}

impl TryFrom<&Step> for StepDto {
    type Error = MoneyOverflow;

    /// The step with its totals; `MoneyOverflow` when a total does not fit in fen (a stored
    /// step that could not have been prepared).
    fn try_from(s: &Step) -> Result<StepDto, MoneyOverflow> {
        Ok(match s {
            Step::Policy(p) => StepDto {
                policy: Some(PolicyStepDto {
                    version_id: p.version_id,
                    series: p.series,
                    version: p.version,
                    title: p.title.clone(),
                    year: p.year,
                    document_sm3: p.document_sm3.clone(),
                    supersedes: p.supersedes,
                    budget_before: budget(&p.budget_before),
                    budget_after: budget(&p.budget_after),
                    changes_budget: p.changes_budget(),
                }),
                ..Default::default()
            },
            Step::Notice(n) => StepDto {
                notice: Some(NoticeStepDto {
                    title: n.title.clone(),
                    starts_on: n.starts_on,
                    ends_on: n.ends_on,
                    days: n.days,
                    total_fen: n.total_fen()?,
                    entries: n
                        .entries
                        .iter()
                        .map(|e| NoticeLineDto {
                            application_id: e.application_id,
                            number: e.number.clone(),
                            enterprise_name: e.enterprise_name.clone(),
                            items: e.items.clone(),
                            amount_fen: e.amount_fen,
                        })
                        .collect(),
                    warnings: n.warnings.clone(),
                }),
                ..Default::default()
            },
            Step::Disburse(d) => StepDto {
                disbursement: Some(DisburseStepDto {
                    application_id: d.application_id,
                    number: d.number.clone(),
                    enterprise_name: d.enterprise_name.clone(),
                    paid_on: d.paid_on,
                    amount_fen: d.amount_fen,
                    reference: d.reference.clone(),
                    granted_fen: d.granted_fen,
                    disbursed_before_fen: d.disbursed_before_fen,
                    disbursed_after_fen: d.disbursed_after_fen()?,
                }),
                ..Default::default()
            },
            Step::Batch(b) => StepDto {
                batch: Some(BatchStepDto {
                    policy_version_id: b.policy_version_id,
                    title: b.title.clone(),
                    year: b.year,
                    batch_name: b.batch_name.clone(),
                    budget: budget(&b.budget),
                    granted_before_fen: b.granted_before_fen,
                    before_notice_end: b.before_notice_end,
                    approved_fen: b.approved_fen()?,
                    granted_fen: b.granted_fen()?,
                    lines: b
                        .lines
                        .iter()
                        .map(|l| BatchLineDto {
                            application_id: l.application_id,
                            number: l.number.clone(),
                            enterprise_name: l.enterprise_name.clone(),
                            accepted_at: l.accepted_at,
                            approved_fen: l.approved_fen,
                            granted_fen: l.granted_fen,
                        })
                        .collect(),
                    ineligible: b
                        .ineligible
                        .iter()
                        .map(|i| BatchIneligibleDto {
                            application_id: i.application_id,
                            number: i.number.clone(),
                            enterprise_name: i.enterprise_name.clone(),
                            reason: i.reason.clone(),
                        })
                        .collect(),
                }),
                ..Default::default()
            },
            Step::Push(p) => StepDto {
                push: Some(PushStepDto {
                    list_id: p.list_id,
                    method: p.method.clone(),
                    k: p.k,
                    period_days: p.period_days,
                    lines: p
                        .lines
                        .iter()
                        .map(|l| PushLineDto {
                            enterprise_id: l.enterprise_id,
                            enterprise_name: l.enterprise_name.clone(),
                            credit_code: l.credit_code.clone(),
                            bank_org_id: l.bank_org_id,
                            bank_name: l.bank_name.clone(),
                            source: l.source.clone(),
                            reason: l.reason.clone(),
                        })
                        .collect(),
                }),
                ..Default::default()
            },
            Step::Clawback(c) => StepDto {
                clawback: Some(ClawbackStepDto {
                    application_id: c.application_id,
                    number: c.number.clone(),
                    enterprise_name: c.enterprise_name.clone(),
                    amount_fen: c.amount_fen,
                    reason: c.reason.clone(),
                    disbursed_fen: c.disbursed_fen,
                }),
                ..Default::default()
            },
        })
    }
}

/// A four-eyes request as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConfirmationDto {
    pub id: i64,
    pub district_code: String,
    /// policy.publish | policy.budget | notice.publish | grant.disburse | clawback.decide |
    /// batch.allocate | push.send
    pub kind: String,
    /// pending | confirmed | refused | withdrawn
    pub status: String,
    pub subject_type: String,
    pub subject_id: i64,
    /// What confirming does, in Chinese.
    pub summary: String,
    pub step: StepDto,
    /// The person who prepared it (absent: an API token).
    pub prepared_by: Option<i64>,
    pub prepared_by_name: String,
    /// Unix seconds.
    pub prepared_at: i64,
    /// Seconds it has been waiting (pending ones) or waited (decided ones).
    pub age_seconds: i64,
    pub decided_by: Option<i64>,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<i64>,
    /// Why it was refused.
    pub reason: Option<String>,
    /// What confirming made: the notice's id, or the policy version published.
    pub result_id: Option<i64>,
    /// What the caller may do now: confirm, refuse, withdraw.
    pub may: Vec<String>,
}

/// Seconds a request has been waiting (or waited until decided).
pub fn age_seconds(c: &ConfirmationRow, now: i64) -> i64 {
    (c.decided_at.unwrap_or(now) - c.prepared_at).max(0)
}

/// What the caller may do to a request, by the same rule the store applies (so a page shows a
/// button exactly when the action is allowed).
pub fn allowed(actor: &Actor, c: &ConfirmationRow) -> Vec<Decision> {
    let signer = Signer::of(actor.user().map(|u| u.user_id.get()));
    let r = Request {
        district: &c.district_code,
        status: c.status(),
        prepared_by: c.prepared_by,
    };
    [Decision::Confirm, Decision::Refuse, Decision::Withdraw]
        .into_iter()
        .filter(|d| rules::may_decide(*d, &actor.scope, signer, &r).is_ok())
        .collect()
}

fn decision_code(d: Decision) -> &'static str {
    match d {
        Decision::Confirm => "confirm",
        Decision::Refuse => "refuse",
        Decision::Withdraw => "withdraw",
    }
}

impl ConfirmationDto {
    /// The request as the API shows it; a stored step whose totals do not fit in fen is an
    /// internal error (logged), never a wrapped figure.
    pub fn of(actor: &Actor, c: &ConfirmationRow) -> AppResult<ConfirmationDto> {
        Ok(ConfirmationDto {
            id: c.id,
            district_code: c.district_code.clone(),
            kind: c.kind.to_string(),
            status: c.outcome.to_string(),
            subject_type: c.subject_type.clone(),
            subject_id: c.subject_id,
            summary: c.summary.clone(),
            step: StepDto::try_from(c.step())
                .map_err(|e| AppError::internal(format!("confirmation #{}: {e}", c.id)))?,
            prepared_by: c.prepared_by,
            prepared_by_name: c.prepared_by_name.clone(),
            prepared_at: c.prepared_at,
            age_seconds: age_seconds(c, ipfin_store::now_s()),
            decided_by: c.decided_by,
            decided_by_name: c.decided_by_name.clone(),
            decided_at: c.decided_at,
            reason: c.reason.clone(),
            result_id: c.result_id,
            may: allowed(actor, c)
                .into_iter()
                .map(|d| decision_code(d).to_string())
                .collect(),
        })
    }
}

/// The list's filters (`?status=pending&kind=grant.disburse`); unknown values are refused.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct ConfirmationQuery {
    /// pending | confirmed | refused | withdrawn | all (default: pending)
    pub status: Option<String>,
    /// policy.publish | policy.budget | notice.publish | grant.disburse | clawback.decide |
    /// batch.allocate | push.send
    pub kind: Option<String>,
}

impl ConfirmationQuery {
    pub fn filter(&self) -> AppResult<ipfin_store::confirmation::ConfirmationFilter> {
        let status = match self.status.as_deref().map(str::trim) {
            None | Some("") => Some(Status::Pending),
            Some("all") => None,
            Some(s) => Some(Status::from_code(s).ok_or_else(|| {
                AppError::invalid(ipfin_domain::FieldError::new(
                    "status",
                    "confirmation.status",
                    format!("状态“{s}”不存在：可选 pending、confirmed、refused、withdrawn、all。"),
                    "Status is pending, confirmed, refused, withdrawn or all.",
                ))
            })?),
        };
        let kind = match self.kind.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(k) => Some(Kind::from_code(k).ok_or_else(|| {
                AppError::invalid(ipfin_domain::FieldError::new(
                    "kind",
                    "confirmation.kind",
                    format!(
                        "类型“{k}”不存在：可选 policy.publish、policy.budget、notice.publish、grant.disburse、clawback.decide。"
                    ),
                    "Unknown kind.",
                ))
            })?),
        };
        Ok(ipfin_store::confirmation::ConfirmationFilter { status, kind })
    }
}

/// Takes a decision on a request (the one function behind the API and the page's forms).
pub async fn decide(
    state: &AppState,
    actor: &Actor,
    id: i64,
    decision: Decision,
    reason: &str,
) -> AppResult<ConfirmationRow> {
    let s = &state.store;
    let scope = &actor.scope;
    // Someone else's request is 404 whatever the body holds.
    s.confirmation(scope, id).await?;
    match decision {
        Decision::Confirm => {
            let today = ipfin_store::today_shanghai();
            write!(state, actor, |tx| s
                .confirm_request(&mut tx, scope, id, today)
                .await?)?;
        }
        Decision::Refuse => write!(state, actor, |tx| s
            .refuse_request(&mut tx, scope, id, reason)
            .await?)?,
        Decision::Withdraw => write!(state, actor, |tx| s
            .withdraw_request(&mut tx, scope, id)
            .await?)?,
    }
    Ok(s.confirmation(scope, id).await?)
}
