//! Four eyes on money and publication (issue #18 item 3): the steps that publish a policy or
//! change its budget, publish a public notice, pay a grant or decide a clawback are prepared by
//! one person and confirmed by another person of the responsible organisation (the district's
//! lead department). The preparer never confirms; an organisation's API token may prepare but
//! never confirm or refuse. A request is pending until it is confirmed (the step is done),
//! refused by a second person (with a reason) or withdrawn by its preparer.
//!
//! What a request will do is a [`Step`]: exactly the figures shown to the confirmer and the
//! figures the store checks again, unchanged, before it performs the step.

use crate::message::Msg;
use crate::money::{Fen, MoneyOverflow};
use crate::org::Scope;
use crate::policy::budget::BudgetMode;
use crate::policy::document::Budget;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

code_enum!(
    /// The kinds of step that need a second person.
    Kind {
        PolicyPublish = "policy.publish", "发布政策版本", "Publish a policy version";
        PolicyBudget = "policy.budget", "调整政策预算", "Change a policy's budget";
        NoticePublish = "notice.publish", "发布公示", "Publish a public notice";
        GrantDisburse = "grant.disburse", "登记拨付", "Record a disbursement";
        ClawbackDecide = "clawback.decide", "决定追回", "Decide a clawback";
        BatchAllocate = "batch.allocate", "关闭批次并分配预算", "Close a batch and allocate its budget";
        PushSend = "push.send", "向银行推送企业名单", "Push enterprises to banks";
    }
);

code_enum!(
    /// Where a request stands.
    Status {
        Pending = "pending", "待确认", "Awaiting confirmation";
        Confirmed = "confirmed", "已确认执行", "Confirmed and done";
        Refused = "refused", "已退回", "Refused";
        Withdrawn = "withdrawn", "已撤回", "Withdrawn";
    }
);

/// What a second person (or the preparer) does to a pending request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// A second person confirms: the step is done.
    Confirm,
    /// A second person refuses, with a reason: nothing is done.
    Refuse,
    /// The preparer takes the request back: nothing is done.
    Withdraw,
}

impl Decision {
    /// The status a pending request reaches.
    pub fn outcome(self) -> Status {
        match self {
            Decision::Confirm => Status::Confirmed,
            Decision::Refuse => Status::Refused,
            Decision::Withdraw => Status::Withdrawn,
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Decision::Confirm => "确认",
            Decision::Refuse => "退回",
            Decision::Withdraw => "撤回",
        }
    }
}

/// Who acts: a person signed in as themselves, or an organisation's API token (or the system).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signer {
    Person(i64),
    /// An API token or a background job: no person signs.
    NoPerson,
}

impl Signer {
    pub fn of(user_id: Option<i64>) -> Signer {
        user_id.map_or(Signer::NoPerson, Signer::Person)
    }
}

/// The facts of a request that decide who may act on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request<'a> {
    pub district: &'a str,
    pub status: Status,
    /// The person who prepared it; `None` when a token prepared it.
    pub prepared_by: Option<i64>,
}

/// Who may prepare a step of this district: its lead department (a person or, where the step
/// itself admits one, its token). The step's own rules still apply on top.
pub fn may_prepare(scope: &Scope, district: &str) -> Result<(), Msg> {
    if scope.leads_district(district) {
        Ok(())
    } else {
        Err(lead_only())
    }
}

/// The refusal of anyone who is not the district's lead department.
pub fn lead_only() -> Msg {
    Msg::new(
        "confirmation.lead_only",
        "只有本区牵头部门的经办人员可以准备或确认这一步（协同部门、其他区和市级部门不能代为确认）。",
        "Only the district's lead department prepares or confirms this step.",
    )
}

/// Why a decision is refused: `Forbidden` (who you are) or `Conflict` (the request's state or
/// the four-eyes rule).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Forbidden(Msg),
    Conflict(Msg),
}

impl Refusal {
    pub fn msg(&self) -> &Msg {
        match self {
            Refusal::Forbidden(m) | Refusal::Conflict(m) => m,
        }
    }
}

/// Whether `signer` with `scope` may take `decision` on `request`.
///
/// - the request must still be pending;
/// - confirming and refusing: a person (never a token), of the district's lead department,
///   other than the preparer;
/// - withdrawing: the preparer, as themselves.
pub fn may_decide(
    decision: Decision,
    scope: &Scope,
    signer: Signer,
    request: &Request<'_>,
) -> Result<(), Refusal> {
    if request.status != Status::Pending {
        return Err(Refusal::Conflict(Msg::new(
            "confirmation.decided",
            format!(
                "该申请已处理（{}），不能再{}。",
                request.status.zh(),
                decision.zh()
            ),
            format!("This request is already {}.", request.status.en()),
        )));
    }
    let Signer::Person(me) = signer else {
        return Err(Refusal::Forbidden(Msg::new(
            "confirmation.person_required",
            "四眼确认须由第二位经办人员以个人账号登录操作；机构 API 令牌只能准备，不能确认、退回或撤回。",
            "A second person confirms, signed in as themselves; an API token may prepare but never confirm.",
        )));
    };
    if !scope.leads_district(request.district) {
        return Err(Refusal::Forbidden(lead_only()));
    }
    match decision {
        Decision::Confirm | Decision::Refuse if request.prepared_by == Some(me) => {
            Err(Refusal::Conflict(Msg::new(
                "confirmation.same_person",
                format!(
                    "准备人不能{}自己准备的事项：须由本区牵头部门的另一位经办人员{}（四眼原则）。如需放弃，请撤回。",
                    decision.zh(),
                    decision.zh()
                ),
                "The person who prepared a step cannot confirm or refuse it: a second person of the lead department does (four eyes). Withdraw it instead.",
            )))
        }
        Decision::Withdraw if request.prepared_by != Some(me) => Err(Refusal::Forbidden(Msg::new(
            "confirmation.withdraw_own",
            "只有准备人可以撤回；其他经办人员请确认或退回（填写理由）。",
            "Only the person who prepared a request withdraws it; others confirm or refuse it.",
        ))),
        _ => Ok(()),
    }
}

/// A refusal's reason: required, trimmed, at most 500 characters.
pub fn refusal_reason(reason: &str) -> Result<String, Msg> {
    let r = reason.trim();
    if r.is_empty() {
        return Err(Msg::new(
            "confirmation.reason",
            "退回须填写理由（告诉准备人哪里不对）。",
            "A refusal needs a reason.",
        ));
    }
    if r.chars().count() > 500 {
        return Err(Msg::new(
            "confirmation.reason_length",
            "退回理由最多 500 字。",
            "The reason is at most 500 characters.",
        ));
    }
    Ok(r.to_string())
}

/// Exactly what a confirmed request does, with the figures the confirmer sees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    Policy(PolicyStep),
    Notice(NoticeStep),
    Disburse(DisburseStep),
    Clawback(ClawbackStep),
    Batch(BatchStep),
    Push(PushStep),
}

/// Publishing a policy version (and superseding the series' published one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyStep {
    pub version_id: i64,
    pub series: i64,
    pub version: i32,
    pub title: String,
    pub year: i32,
    /// SM3 of the document as prepared: a draft changed since cannot be published by this
    /// request.
    pub document_sm3: String,
    /// The published version this one supersedes, if any.
    pub supersedes: Option<i64>,
    /// The budget of the superseded version (none: no published version, or no budget).
    pub budget_before: Option<Budget>,
    pub budget_after: Option<Budget>,
}

impl PolicyStep {
    /// Whether publishing changes the budget figures of a published policy.
    pub fn changes_budget(&self) -> bool {
        self.supersedes.is_some() && self.budget_before != self.budget_after
    }

    /// The change of the budget's total (after − before; no budget counts as zero), or
    /// `MoneyOverflow` if it does not fit in fen.
    pub fn budget_change_fen(&self) -> Result<Fen, MoneyOverflow> {
        let total = |b: &Option<Budget>| b.map_or(Fen::ZERO, |b| b.total_fen);
        total(&self.budget_after)
            .checked_sub(total(&self.budget_before))
            .ok_or(MoneyOverflow)
    }
}

/// One line of a public notice as it will be published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeLine {
    pub application_id: i64,
    pub number: Option<String>,
    pub enterprise_name: String,
    pub items: String,
    pub amount_fen: Fen,
}

/// Publishing a public notice of reviewed applications.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeStep {
    pub title: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub days: u32,
    pub entries: Vec<NoticeLine>,
    /// The notice splits a batch: accepted applications of the batch are not on it (issue #19
    /// item 2). The batch's budget is then decided only when its last notice ends or two
    /// officers close it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl NoticeStep {
    /// What the notice grants in total, or `MoneyOverflow` if it does not fit in fen.
    pub fn total_fen(&self) -> Result<Fen, MoneyOverflow> {
        Fen::sum(self.entries.iter().map(|e| e.amount_fen))
    }
}

/// Recording one payment of a grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisburseStep {
    pub application_id: i64,
    pub number: Option<String>,
    pub enterprise_name: String,
    pub paid_on: NaiveDate,
    pub amount_fen: Fen,
    pub reference: String,
    pub granted_fen: Fen,
    /// Paid before this payment.
    pub disbursed_before_fen: Fen,
}

impl DisburseStep {
    /// Paid in total once this payment is recorded, or `MoneyOverflow` if it does not fit.
    pub fn disbursed_after_fen(&self) -> Result<Fen, MoneyOverflow> {
        self.disbursed_before_fen
            .checked_add(self.amount_fen)
            .ok_or(MoneyOverflow)
    }
}

/// Deciding a clawback at the end of an investigation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClawbackStep {
    pub application_id: i64,
    pub number: Option<String>,
    pub enterprise_name: String,
    pub amount_fen: Fen,
    pub reason: String,
    pub disbursed_fen: Fen,
}

/// One application of a batch as its allocation grants it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchLine {
    pub application_id: i64,
    pub number: Option<String>,
    pub enterprise_name: String,
    /// Unix seconds of acceptance (first come first served follows it).
    pub accepted_at: i64,
    /// The amount approved in review and published.
    pub approved_fen: Fen,
    /// What the allocation grants.
    pub granted_fen: Fen,
}

/// An application of the batch found no longer eligible when the grant is decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchIneligible {
    pub application_id: i64,
    pub number: Option<String>,
    pub enterprise_name: String,
    pub condition: String,
    pub reason: String,
}

/// Allocating a batch's budget over its applications that passed their notice (SPEC §3.4 step
/// 5), when the batch is complete or two officers close it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchStep {
    /// The policy version whose budget applies (the series' published one).
    pub policy_version_id: i64,
    pub series: i64,
    pub title: String,
    pub year: i32,
    pub batch_name: String,
    pub budget: Option<Budget>,
    /// Granted in the policy year before this allocation (earlier batches and rounds).
    pub granted_before_fen: Fen,
    /// Applications of the batch still before the end of their notice: closing the batch
    /// leaves them what remains after this allocation.
    pub before_notice_end: i64,
    pub lines: Vec<BatchLine>,
    pub ineligible: Vec<BatchIneligible>,
}

impl BatchStep {
    /// Approved in review over the batch's lines, or `MoneyOverflow` if it does not fit.
    pub fn approved_fen(&self) -> Result<Fen, MoneyOverflow> {
        Fen::sum(self.lines.iter().map(|l| l.approved_fen))
    }
    /// Granted by the allocation over the batch's lines, or `MoneyOverflow` if it does not fit.
    pub fn granted_fen(&self) -> Result<Fen, MoneyOverflow> {
        Fen::sum(self.lines.iter().map(|l| l.granted_fen))
    }
}

/// One enterprise pushed to one bank, as the confirmer sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushLine {
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub credit_code: String,
    pub bank_org_id: i64,
    pub bank_name: String,
    /// `whitelist` or `screening`.
    pub source: String,
    /// Why this bank (the assignment's reason).
    pub reason: String,
}

/// Sending a prepared push list to the district's partner banks (issue #20 item 4): enterprise
/// data leaves the government, so a second officer confirms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushStep {
    pub list_id: i64,
    /// `preference`, `fit` or `round_robin`.
    pub method: String,
    pub k: u32,
    pub period_days: u32,
    pub lines: Vec<PushLine>,
}

impl PushStep {
    /// The number of distinct enterprises and of distinct banks.
    pub fn counts(&self) -> (usize, usize) {
        let e: std::collections::BTreeSet<i64> =
            self.lines.iter().map(|l| l.enterprise_id).collect();
        let b: std::collections::BTreeSet<i64> = self.lines.iter().map(|l| l.bank_org_id).collect();
        (e.len(), b.len())
    }

    /// Per bank, its name and how many enterprises it receives (by name).
    pub fn per_bank(&self) -> Vec<(String, usize)> {
        let mut m: std::collections::BTreeMap<(i64, &str), usize> = Default::default();
        for l in &self.lines {
            *m.entry((l.bank_org_id, l.bank_name.as_str())).or_default() += 1;
        }
        m.into_iter()
            .map(|((_, n), c)| (n.to_string(), c))
            .collect()
    }
}

/// The record a request is about (one pending request per subject and kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subject {
    pub kind: &'static str,
    pub id: i64,
}

fn budget_zh(b: &Option<Budget>) -> String {
    match b {
        None => "未设预算".into(),
        Some(b) => format!(
            "{} 元（{}）",
            b.total_fen.yuan(),
            match b.mode {
                BudgetMode::FirstComeFirstServed => "用完即止",
                BudgetMode::ProRata => "按比例核减",
            }
        ),
    }
}

fn budget_en(b: &Option<Budget>) -> String {
    match b {
        None => "no budget".into(),
        Some(b) => format!(
            "CNY {} ({})",
            b.total_fen.yuan(),
            match b.mode {
                BudgetMode::FirstComeFirstServed => "first come first served",
                BudgetMode::ProRata => "pro rata",
            }
        ),
    }
}

fn number(n: &Option<String>, id: i64) -> String {
    n.clone().unwrap_or_else(|| format!("#{id}"))
}

impl Step {
    /// The kind of step: publishing a version that changes a published policy's budget is a
    /// budget change.
    pub fn kind(&self) -> Kind {
        match self {
            Step::Policy(p) if p.changes_budget() => Kind::PolicyBudget,
            Step::Policy(_) => Kind::PolicyPublish,
            Step::Notice(_) => Kind::NoticePublish,
            Step::Disburse(_) => Kind::GrantDisburse,
            Step::Clawback(_) => Kind::ClawbackDecide,
            Step::Batch(_) => Kind::BatchAllocate,
            Step::Push(_) => Kind::PushSend,
        }
    }

    /// The records the request holds while pending: the policy version, the application, or
    /// every application of a notice.
    pub fn subjects(&self) -> Vec<Subject> {
        match self {
            Step::Policy(p) => vec![Subject {
                kind: "policy_version",
                id: p.version_id,
            }],
            Step::Notice(n) => n
                .entries
                .iter()
                .map(|e| Subject {
                    kind: "application",
                    id: e.application_id,
                })
                .collect(),
            Step::Disburse(d) => vec![Subject {
                kind: "application",
                id: d.application_id,
            }],
            Step::Clawback(c) => vec![Subject {
                kind: "application",
                id: c.application_id,
            }],
            Step::Push(p) => vec![Subject {
                kind: "push_list",
                id: p.list_id,
            }],
            Step::Batch(b) => b
                .lines
                .iter()
                .map(|l| l.application_id)
                .chain(b.ineligible.iter().map(|i| i.application_id))
                .map(|id| Subject {
                    kind: "application",
                    id,
                })
                .collect(),
        }
    }

    /// The one subject a request names (a notice's: its first application; the notice itself
    /// exists only once confirmed).
    pub fn subject(&self) -> Option<Subject> {
        self.subjects().into_iter().next()
    }

    /// What will be done, in one Chinese sentence with every figure; `MoneyOverflow` when a
    /// total of the step does not fit in fen (the step cannot be prepared or shown).
    pub fn summary_zh(&self) -> Result<String, MoneyOverflow> {
        Ok(match self {
            Step::Policy(p) => {
                let mut s = format!(
                    "发布政策“{}”（{} 年度）第 {} 版",
                    p.title, p.year, p.version
                );
                match p.supersedes {
                    Some(old) => s.push_str(&format!("，替代现行版本（编号 {old}）")),
                    None => s.push_str("（首次发布）"),
                }
                if p.changes_budget() {
                    s.push_str(&format!(
                        "；年度预算由 {} 调整为 {}",
                        budget_zh(&p.budget_before),
                        budget_zh(&p.budget_after)
                    ));
                } else {
                    s.push_str(&format!("；年度预算 {}", budget_zh(&p.budget_after)));
                }
                s.push('。');
                s
            }
            Step::Notice(n) => {
                let mut s = format!(
                    "发布公示“{}”：{} 件申请，拟资助合计 {} 元，公示期 {} 至 {}（{} 个工作日）。",
                    n.title,
                    n.entries.len(),
                    n.total_fen()?.yuan(),
                    n.starts_on,
                    n.ends_on,
                    n.days
                );
                for w in &n.warnings {
                    s.push_str("注意：");
                    s.push_str(w);
                }
                s
            }
            Step::Batch(b) => {
                let mut s = format!(
                    "关闭“{}”（{} 年度）申报批次“{}”并分配预算：{} 件申请核定合计 {} 元，确定资助合计 {} 元（年度预算 {}，此前已确定 {} 元）",
                    b.title,
                    b.year,
                    b.batch_name,
                    b.lines.len(),
                    b.approved_fen()?.yuan(),
                    b.granted_fen()?.yuan(),
                    budget_zh(&b.budget),
                    b.granted_before_fen.yuan()
                );
                if !b.ineligible.is_empty() {
                    s.push_str(&format!(
                        "；{} 件申请资助确定时条件不符，不予资助",
                        b.ineligible.len()
                    ));
                }
                if b.before_notice_end > 0 {
                    s.push_str(&format!(
                        "；本批次尚有 {} 件申请未到公示期满，之后只能在剩余预算内确定",
                        b.before_notice_end
                    ));
                }
                s.push('。');
                s
            }
            Step::Push(p) => {
                let (e, b) = p.counts();
                let method = crate::push::Method::from_code(&p.method)
                    .map(|m| m.zh())
                    .unwrap_or("");
                format!(
                    "向 {b} 家合作银行推送 {e} 户企业（共 {} 条，{method}，每户最多 {} 家银行，推送有效期 {} 天）：{}。",
                    p.lines.len(),
                    p.k,
                    p.period_days,
                    p.per_bank()
                        .iter()
                        .map(|(n, c)| format!("{n} {c} 户"))
                        .collect::<Vec<_>>()
                        .join("，")
                )
            }
            Step::Disburse(d) => format!(
                "向“{}”拨付申请 {} 的资助 {} 元（支付日期 {}，凭证号 {}）；确定资助 {} 元，此前已拨付 {} 元，拨付后累计 {} 元。",
                d.enterprise_name,
                number(&d.number, d.application_id),
                d.amount_fen.yuan(),
                d.paid_on,
                d.reference,
                d.granted_fen.yuan(),
                d.disbursed_before_fen.yuan(),
                d.disbursed_after_fen()?.yuan()
            ),
            Step::Clawback(c) => format!(
                "决定向“{}”追回申请 {} 的资助 {} 元（已拨付 {} 元），理由：{}",
                c.enterprise_name,
                number(&c.number, c.application_id),
                c.amount_fen.yuan(),
                c.disbursed_fen.yuan(),
                c.reason
            ),
        })
    }

    /// The same in English.
    pub fn summary_en(&self) -> Result<String, MoneyOverflow> {
        Ok(match self {
            Step::Policy(p) => {
                let budget = if p.changes_budget() {
                    format!(
                        "; budget from {} to {}",
                        budget_en(&p.budget_before),
                        budget_en(&p.budget_after)
                    )
                } else {
                    format!("; budget {}", budget_en(&p.budget_after))
                };
                format!(
                    "Publish \"{}\" ({}) version {}{}{budget}.",
                    p.title,
                    p.year,
                    p.version,
                    match p.supersedes {
                        Some(old) => format!(", superseding #{old}"),
                        None => " (first publication)".into(),
                    }
                )
            }
            Step::Notice(n) => format!(
                "Publish the notice \"{}\": {} applications, CNY {} in total, {} to {} ({} working days).",
                n.title,
                n.entries.len(),
                n.total_fen()?.yuan(),
                n.starts_on,
                n.ends_on,
                n.days
            ),
            Step::Disburse(d) => format!(
                "Pay CNY {} of application {} to {} on {} (reference {}); granted CNY {}, paid before CNY {}.",
                d.amount_fen.yuan(),
                number(&d.number, d.application_id),
                d.enterprise_name,
                d.paid_on,
                d.reference,
                d.granted_fen.yuan(),
                d.disbursed_before_fen.yuan()
            ),
            Step::Batch(b) => format!(
                "Close batch \"{}\" of \"{}\" ({}) and allocate its budget: {} applications, CNY {} approved, CNY {} granted (budget {}, granted before CNY {}); {} ineligible; {} still before the end of their notice.",
                b.batch_name,
                b.title,
                b.year,
                b.lines.len(),
                b.approved_fen()?.yuan(),
                b.granted_fen()?.yuan(),
                budget_en(&b.budget),
                b.granted_before_fen.yuan(),
                b.ineligible.len(),
                b.before_notice_end
            ),
            Step::Push(p) => {
                let (e, b) = p.counts();
                format!(
                    "Push {e} enterprises to {b} partner banks ({} lines, {}, at most {} banks each, for {} days).",
                    p.lines.len(),
                    p.method,
                    p.k,
                    p.period_days
                )
            }
            Step::Clawback(c) => format!(
                "Claw back CNY {} of application {} from {} (disbursed CNY {}): {}",
                c.amount_fen.yuan(),
                number(&c.number, c.application_id),
                c.enterprise_name,
                c.disbursed_fen.yuan(),
                c.reason
            ),
        })
    }
}

/// The refusal when what a request would do is no longer what was prepared (a draft edited, an
/// amount changed, an application moved on): the confirmer refuses it and the step is prepared
/// again.
pub fn changed_since_prepared() -> Msg {
    Msg::new(
        "confirmation.changed",
        "准备之后相关数据已发生变化（如政策稿被修改、申请状态或金额变动），按原样执行已不可能：请退回该事项，由经办人员重新准备。",
        "What this request would do has changed since it was prepared; refuse it and prepare the step again.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lead(code: &str) -> Scope {
        Scope::District {
            code: code.into(),
            manage: true,
        }
    }

    fn pending(prepared_by: Option<i64>) -> Request<'static> {
        Request {
            district: "440305",
            status: Status::Pending,
            prepared_by,
        }
    }

    fn code(r: Result<(), Refusal>) -> &'static str {
        match r {
            Ok(()) => "ok",
            Err(e) => e.msg().code,
        }
    }

    #[test]
    fn a_second_person_of_the_lead_department_confirms() {
        let r = pending(Some(1));
        assert_eq!(
            code(may_decide(
                Decision::Confirm,
                &lead("440305"),
                Signer::Person(2),
                &r
            )),
            "ok"
        );
        assert_eq!(
            code(may_decide(
                Decision::Refuse,
                &lead("440305"),
                Signer::Person(2),
                &r
            )),
            "ok"
        );
    }

    #[test]
    fn the_preparer_never_confirms_or_refuses_only_withdraws() {
        let r = pending(Some(1));
        let me = Signer::Person(1);
        for d in [Decision::Confirm, Decision::Refuse] {
            let e = may_decide(d, &lead("440305"), me, &r).expect_err("preparer");
            assert!(matches!(e, Refusal::Conflict(_)));
            assert_eq!(e.msg().code, "confirmation.same_person");
        }
        assert_eq!(
            code(may_decide(Decision::Withdraw, &lead("440305"), me, &r)),
            "ok"
        );
        // Nobody else withdraws.
        assert_eq!(
            code(may_decide(
                Decision::Withdraw,
                &lead("440305"),
                Signer::Person(2),
                &r
            )),
            "confirmation.withdraw_own"
        );
    }

    #[test]
    fn a_token_prepares_but_never_decides() {
        // A token-prepared request has no preparing person: any person of the lead confirms.
        let r = pending(None);
        assert_eq!(
            code(may_decide(
                Decision::Confirm,
                &lead("440305"),
                Signer::Person(2),
                &r
            )),
            "ok"
        );
        for d in [Decision::Confirm, Decision::Refuse, Decision::Withdraw] {
            let e = may_decide(d, &lead("440305"), Signer::NoPerson, &pending(Some(1)))
                .expect_err("token");
            assert!(matches!(e, Refusal::Forbidden(_)));
            assert_eq!(e.msg().code, "confirmation.person_required");
        }
        assert!(may_prepare(&lead("440305"), "440305").is_ok());
    }

    #[test]
    fn another_district_a_member_department_and_the_city_cannot_confirm() {
        let r = pending(Some(1));
        let member = Scope::District {
            code: "440305".into(),
            manage: false,
        };
        for scope in [lead("440304"), member.clone(), Scope::City, Scope::Public] {
            let e = may_decide(Decision::Confirm, &scope, Signer::Person(2), &r)
                .expect_err("not the lead");
            assert_eq!(e.msg().code, "confirmation.lead_only", "{scope:?}");
            assert_eq!(
                may_prepare(&scope, "440305").map_err(|m| m.code),
                Err("confirmation.lead_only")
            );
        }
    }

    #[test]
    fn only_pending_requests_are_decided() {
        for s in [Status::Confirmed, Status::Refused, Status::Withdrawn] {
            let r = Request {
                status: s,
                ..pending(Some(1))
            };
            for d in [Decision::Confirm, Decision::Refuse, Decision::Withdraw] {
                assert_eq!(
                    code(may_decide(d, &lead("440305"), Signer::Person(2), &r)),
                    "confirmation.decided"
                );
            }
        }
        assert_eq!(Decision::Confirm.outcome(), Status::Confirmed);
        assert_eq!(Decision::Refuse.outcome(), Status::Refused);
        assert_eq!(Decision::Withdraw.outcome(), Status::Withdrawn);
    }

    #[test]
    fn a_refusal_needs_a_reason() {
        assert_eq!(
            refusal_reason("  ").map_err(|m| m.code),
            Err("confirmation.reason")
        );
        assert_eq!(
            refusal_reason(&"长".repeat(501)).map_err(|m| m.code),
            Err("confirmation.reason_length")
        );
        assert_eq!(refusal_reason(" 金额有误 ").as_deref(), Ok("金额有误"));
    }

    fn policy(before: Option<Budget>, after: Option<Budget>, supersedes: Option<i64>) -> Step {
        Step::Policy(PolicyStep {
            version_id: 7,
            series: 3,
            version: 2,
            title: "南山区知识产权质押融资贴息".into(),
            year: 2026,
            document_sm3: "x".into(),
            supersedes,
            budget_before: before,
            budget_after: after,
        })
    }

    #[test]
    fn a_revision_that_changes_the_budget_is_a_budget_change() {
        let b = |yuan: i64| {
            Some(Budget {
                total_fen: Fen::new(yuan * 100),
                mode: BudgetMode::FirstComeFirstServed,
            })
        };
        assert_eq!(policy(None, b(1_000), None).kind(), Kind::PolicyPublish);
        assert_eq!(
            policy(b(1_000), b(1_000), Some(5)).kind(),
            Kind::PolicyPublish
        );
        let change = policy(b(1_000), b(2_000_000), Some(5));
        assert_eq!(change.kind(), Kind::PolicyBudget);
        let Step::Policy(p) = &change else {
            panic!("policy")
        };
        assert_eq!(p.budget_change_fen(), Ok(Fen::new(199_900_000)));
        let Step::Policy(cut) = policy(b(2_000), None, Some(5)) else {
            panic!("policy")
        };
        assert_eq!(cut.budget_change_fen(), Ok(Fen::new(-200_000)));
        let huge = Some(Budget {
            total_fen: Fen::new(i64::MIN),
            mode: BudgetMode::ProRata,
        });
        let Step::Policy(wild) = policy(huge, b(1), Some(5)) else {
            panic!("policy")
        };
        assert_eq!(wild.budget_change_fen(), Err(MoneyOverflow));
        let s = change.summary_zh().expect("fits");
        assert!(
            s.contains("由 1,000.00 元（用完即止） 调整为 2,000,000.00 元（用完即止）"),
            "{s}"
        );
        assert_eq!(
            change.subjects(),
            vec![Subject {
                kind: "policy_version",
                id: 7
            }]
        );
    }

    #[test]
    fn summaries_name_every_figure() {
        let n = Step::Notice(NoticeStep {
            title: "2026 年第三批公示".into(),
            starts_on: "2026-11-27".parse().expect("date"),
            ends_on: "2026-12-03".parse().expect("date"),
            days: 5,
            entries: vec![
                NoticeLine {
                    application_id: 1,
                    number: Some("440305-2026-EF-00001".into()),
                    enterprise_name: "甲".into(),
                    items: "利息".into(),
                    amount_fen: Fen::new(600_000),
                },
                NoticeLine {
                    application_id: 2,
                    number: None,
                    enterprise_name: "乙".into(),
                    items: "利息".into(),
                    amount_fen: Fen::new(150_050),
                },
            ],
            warnings: vec![],
        });
        assert_eq!(n.kind(), Kind::NoticePublish);
        assert_eq!(n.subjects().len(), 2);
        assert!(
            n.summary_zh()
                .expect("fits")
                .contains("2 件申请，拟资助合计 7,500.50 元")
        );
        let d = Step::Disburse(DisburseStep {
            application_id: 1,
            number: Some("440305-2026-EF-00001".into()),
            enterprise_name: "甲".into(),
            paid_on: "2026-12-10".parse().expect("date"),
            amount_fen: Fen::new(400_000),
            reference: "CZ-1".into(),
            granted_fen: Fen::new(600_000),
            disbursed_before_fen: Fen::new(100_000),
        });
        assert_eq!(d.kind(), Kind::GrantDisburse);
        let s = d.summary_zh().expect("fits");
        assert!(
            s.contains("4,000.00 元") && s.contains("累计 5,000.00 元"),
            "{s}"
        );
        let c = Step::Clawback(ClawbackStep {
            application_id: 1,
            number: None,
            enterprise_name: "甲".into(),
            amount_fen: Fen::new(600_000),
            reason: "贷款逾期".into(),
            disbursed_fen: Fen::new(600_000),
        });
        assert_eq!(c.kind(), Kind::ClawbackDecide);
        assert!(
            c.summary_zh().expect("fits").contains("申请 #1")
                && c.summary_en().expect("fits").contains("6,000.00")
        );
        // Closing a batch (issue #19 item 2): every figure, the ineligible and what is left out.
        let b = Step::Batch(BatchStep {
            policy_version_id: 7,
            series: 7,
            title: "南山区贴息".into(),
            year: 2026,
            batch_name: "第三批".into(),
            budget: Some(Budget {
                total_fen: Fen::new(1_000_000),
                mode: BudgetMode::ProRata,
            }),
            granted_before_fen: Fen::ZERO,
            before_notice_end: 2,
            lines: vec![
                BatchLine {
                    application_id: 1,
                    number: None,
                    enterprise_name: "甲".into(),
                    accepted_at: 10,
                    approved_fen: Fen::new(700_000),
                    granted_fen: Fen::new(500_000),
                },
                BatchLine {
                    application_id: 2,
                    number: None,
                    enterprise_name: "乙".into(),
                    accepted_at: 20,
                    approved_fen: Fen::new(700_000),
                    granted_fen: Fen::new(500_000),
                },
            ],
            ineligible: vec![BatchIneligible {
                application_id: 3,
                number: None,
                enterprise_name: "丙".into(),
                condition: "registered_district".into(),
                reason: "注册地已迁出".into(),
            }],
        });
        assert_eq!(b.kind(), Kind::BatchAllocate);
        assert_eq!(b.subjects().len(), 3);
        let s = b.summary_zh().expect("fits");
        assert!(
            s.contains("核定合计 14,000.00 元，确定资助合计 10,000.00 元")
                && s.contains("1 件申请资助确定时条件不符")
                && s.contains("尚有 2 件申请未到公示期满"),
            "{s}"
        );
        // A notice that splits a batch says so in its summary.
        let Step::Notice(mut split) = n else {
            panic!("notice")
        };
        split.warnings = vec!["申报批次“第三批”还有 1 件已受理的申请不在本次公示中".into()];
        assert!(
            Step::Notice(split.clone())
                .summary_zh()
                .expect("fits")
                .contains("注意：申报批次“第三批”")
        );
        // A total past fen is refused, never wrapped: the step has no summary.
        split.entries[1].amount_fen = Fen::new(i64::MAX);
        assert_eq!(split.total_fen(), Err(MoneyOverflow));
        assert_eq!(Step::Notice(split).summary_en(), Err(MoneyOverflow));
        let Step::Disburse(mut late) = d else {
            panic!("disbursement")
        };
        late.disbursed_before_fen = Fen::new(i64::MAX);
        assert_eq!(late.disbursed_after_fen(), Err(MoneyOverflow));
        assert_eq!(Step::Disburse(late).summary_zh(), Err(MoneyOverflow));
        let Step::Batch(mut big) = b else {
            panic!("batch")
        };
        big.lines[0].granted_fen = Fen::new(i64::MAX);
        assert_eq!(big.approved_fen(), Ok(Fen::new(1_400_000)));
        assert_eq!(big.granted_fen(), Err(MoneyOverflow));
        assert_eq!(Step::Batch(big).summary_zh(), Err(MoneyOverflow));
    }

    #[test]
    fn steps_round_trip_as_stored() {
        let c = Step::Clawback(ClawbackStep {
            application_id: 1,
            number: None,
            enterprise_name: "甲".into(),
            amount_fen: Fen::new(1),
            reason: "r".into(),
            disbursed_fen: Fen::new(1),
        });
        let text = serde_json::to_string(&c).expect("json");
        assert!(text.contains("\"step\":\"clawback\""), "{text}");
        // Amounts are stored as the plain integer of fen, as before they were typed.
        assert!(text.contains("\"amount_fen\":1,"), "{text}");
        assert_eq!(serde_json::from_str::<Step>(&text).expect("back"), c);
        for k in Kind::ALL {
            assert_eq!(Kind::from_code(k.code()), Some(*k));
        }
    }
}
