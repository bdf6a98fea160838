//! The calculation engine (SPEC §3.4): pure and exact. For each loan it finds the financed
//! amount and each item's base; each item's amount is the sum over loans of base × ratio,
//! rounded half-up to the fen once, then capped per item; then the application cap and what
//! remains of the enterprise's cap for the period apply. Every step is recorded in Chinese with
//! its inputs, so an officer or an enterprise can follow the figures.

use super::budget::proportional;
use super::lpr::LprTable;
use super::rules::{InterestRule, Item, ItemRule, LprDate, Ratio, Rules};
use super::yuan;
use crate::ip_number::IpKind;
use crate::message::{Lang, Msg};
use crate::money::Fen;
use crate::size::SizeClass;
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The largest amount any money input of the engine may state: 10^14 fen (one trillion 元).
/// Far above any loan or fee a district sees, and far enough below what fen and the exact
/// decimal arithmetic hold that no sum, product or cap of bounded inputs can overflow.
pub const MAX_FEN: i64 = 100_000_000_000_000;

/// The share of a loan secured by IP (mixed collateral: the contract states it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum IpShare {
    /// IP is the only collateral.
    Sole,
    /// A stated ratio of the loan (above 0, at most 1).
    Ratio { ratio: Ratio },
    /// A stated amount of the principal (above 0, at most the principal).
    Amount { amount_fen: Fen },
}

/// A loan and what was paid on it, as the application states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Loan {
    /// Bank and contract number, e.g. 招商银行 2026-ZY-0012.
    pub reference: String,
    pub principal_fen: Fen,
    /// The secured amount on the pledge registration.
    #[serde(default)]
    pub secured_amount_fen: Option<Fen>,
    pub ip_share: IpShare,
    pub ip_kind: IpKind,
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// Annual rate as a fraction (3.45% = 0.0345).
    pub annual_rate: Decimal,
    #[serde(default)]
    pub interest_paid_fen: Fen,
    #[serde(default)]
    pub evaluation_fee_fen: Fen,
    #[serde(default)]
    pub guarantee_fee_fen: Fen,
    #[serde(default)]
    pub insurance_fee_fen: Fen,
}

impl Loan {
    fn fee(&self, item: Item) -> Fen {
        match item {
            Item::Interest => self.interest_paid_fen,
            Item::Evaluation => self.evaluation_fee_fen,
            Item::Guarantee => self.guarantee_fee_fen,
            Item::Insurance => self.insurance_fee_fen,
        }
    }
    fn guaranteed(&self) -> bool {
        self.guarantee_fee_fen.is_positive() || self.insurance_fee_fen.is_positive()
    }

    /// Everything wrong with the loan's figures, each with the field it concerns (as in the
    /// JSON input) and a message naming the field in Chinese and the rule. The engine refuses
    /// a loan with any; forms list them all at once.
    pub fn problems(&self) -> Vec<(&'static str, Msg)> {
        let r = &self.reference;
        let mut out = RewardLoan {
            principal_fen: self.principal_fen,
            secured_amount_fen: self.secured_amount_fen,
            ip_share: IpShare::Sole,
            ip_kinds: Vec::new(),
            class: None,
            first_time: false,
        }
        .problems(r);
        money_problems(
            r,
            &[
                ("interest_paid_fen", "实付利息", self.interest_paid_fen, 0),
                ("evaluation_fee_fen", "评估费", self.evaluation_fee_fen, 0),
                ("guarantee_fee_fen", "担保费", self.guarantee_fee_fen, 0),
                ("insurance_fee_fen", "保险费", self.insurance_fee_fen, 0),
            ],
            &mut out,
        );
        ip_share_problems(r, self.ip_share, self.principal_fen, &mut out);
        if self.annual_rate < Decimal::ZERO || self.annual_rate > Decimal::ONE {
            out.push((
                "annual_rate",
                invalid(
                    "loan.rate",
                    format!("贷款“{r}”的年利率应在 0–100% 之间（例如 3.45% 填 0.0345）。"),
                    format!("Loan {r}: the annual rate is between 0 and 1 (3.45% is 0.0345)."),
                ),
            ));
        }
        if self.end <= self.start {
            out.push((
                "end",
                invalid(
                    "loan.dates",
                    format!(
                        "贷款“{r}”的到期日（{}）应晚于放款日（{}）。",
                        self.end, self.start
                    ),
                    format!("Loan {r}: the end date must be after the start date."),
                ),
            ));
        }
        out
    }
}

/// Loan amounts out of their bounds: (field, Chinese name, amount, minimum) of the loan `r`.
fn money_problems(
    r: &str,
    amounts: &[(&'static str, &str, Fen, i64)],
    out: &mut Vec<(&'static str, Msg)>,
) {
    for (field, zh, v, min) in amounts {
        // The common case without a message to word (this runs for every loan of a batch).
        if (*min..=MAX_FEN).contains(&v.get()) {
            continue;
        }
        if let Some(m) = amount_problem(&format!("贷款“{r}”的{zh}"), *v, *min) {
            out.push((field, m));
        }
    }
}

/// An IP share that cannot be: a ratio of 0, an amount of 0 or less, or above the principal.
fn ip_share_problems(r: &str, share: IpShare, principal: Fen, out: &mut Vec<(&'static str, Msg)>) {
    match share {
        IpShare::Sole => {}
        IpShare::Ratio { ratio } => {
            if ratio.value() <= Decimal::ZERO {
                out.push((
                    "ip_share.ratio",
                    invalid(
                        "loan.ip_share",
                        format!("贷款“{r}”的知识产权占比应大于 0、至多 1（100%），实际为 0。"),
                        format!("Loan {r}: the IP share is above 0 and at most 1."),
                    ),
                ));
            }
        }
        IpShare::Amount { amount_fen } => {
            if amount_fen.get() <= 0 {
                out.push((
                    "ip_share.amount_fen",
                    invalid(
                        "loan.ip_share",
                        format!(
                            "贷款“{r}”的知识产权担保金额应大于 0，实际为 {}。",
                            yuan(amount_fen.get())
                        ),
                        format!("Loan {r}: the IP-secured amount is above 0."),
                    ),
                ));
            } else if amount_fen > principal {
                out.push((
                    "ip_share.amount_fen",
                    invalid(
                        "loan.ip_share",
                        format!(
                            "贷款“{r}”的知识产权担保金额 {} 不能超过本金 {}。",
                            yuan(amount_fen.get()),
                            yuan(principal.get())
                        ),
                        format!("Loan {r}: the IP-secured amount cannot exceed the principal."),
                    ),
                ));
            }
        }
    }
}

/// A money input out of its bounds (below `min`, or above [`MAX_FEN`]), named `what`.
pub fn amount_problem(what: &str, v: Fen, min: i64) -> Option<Msg> {
    let v = v.get();
    if v < 0 {
        Some(invalid(
            "amount.negative",
            format!("{what}不能为负数，实际为 {}。", yuan(v)),
            format!("{what}: an amount cannot be negative."),
        ))
    } else if v < min {
        Some(invalid(
            "amount.zero",
            format!("{what}应大于 0。"),
            format!("{what}: the amount must be above 0."),
        ))
    } else if v > MAX_FEN {
        Some(invalid(
            "amount.too_large",
            format!(
                "{what} {} 超过可受理的上限 {}（金额以分为单位填写，请核对单位）。",
                yuan(v),
                yuan(MAX_FEN)
            ),
            format!("{what}: the amount is above the limit of 10^14 fen; check the unit."),
        ))
    } else {
        None
    }
}

/// An enterprise's fee application under a policy version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    pub class: SizeClass,
    pub operating_revenue_fen: Option<Fen>,
    pub loans: Vec<Loan>,
    /// Granted and reserved (in-progress) amounts of the enterprise within the cap period.
    pub enterprise_used_fen: Fen,
    /// Per item: what the enterprise was granted or has in progress for the item in the policy
    /// year, against the item's annual cap (`ItemRule::annual_cap_fen`); absent: nothing.
    pub item_used_fen: BTreeMap<Item, Fen>,
}

impl Application {
    /// Everything wrong with the application's figures: its own amounts, then each loan's
    /// (field `loans[i].name`).
    pub fn problems(&self) -> Vec<(String, Msg)> {
        let mut out = Vec::new();
        if let Some(m) = self
            .operating_revenue_fen
            .and_then(|v| amount_problem("企业营业收入", v, 0))
        {
            out.push(("operating_revenue_fen".to_string(), m));
        }
        if let Some(m) = amount_problem("已获批及在审金额", self.enterprise_used_fen, 0) {
            out.push(("enterprise_used_fen".to_string(), m));
        }
        for (item, used) in &self.item_used_fen {
            if let Some(m) =
                amount_problem(&format!("{}本年度已获批及在审金额", item.zh()), *used, 0)
            {
                out.push((format!("item_used_fen.{}", item.code()), m));
            }
        }
        for (i, l) in self.loans.iter().enumerate() {
            out.extend(
                l.problems()
                    .into_iter()
                    .map(|(f, m)| (format!("loans[{i}].{f}"), m)),
            );
        }
        out
    }
}

/// A value a derivation step refers to; the text is rendered from these only when shown, so a
/// batch of 100,000 applications does not format 100,000 derivations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "t", content = "v", rename_all = "snake_case")]
pub enum Arg {
    Fen(Fen),
    Pct(Decimal),
    Int(i64),
    /// A loan, by its index in [`Calculation::loans`].
    Loan(usize),
    Text(&'static str),
    Date(NaiveDate),
    Owned(String),
    /// Words in both languages (an item, a size class, an IP type): Chinese, English.
    Both(String, String),
}

impl Arg {
    fn both(zh: &str, en: &str) -> Arg {
        Arg::Both(zh.to_string(), en.to_string())
    }
}

/// One step of a derivation: the rule that applied, its inputs, and the amount it arrived at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    /// Which rule applied (stable code; its templates are [`template`] and [`template_en`]).
    pub rule: &'static str,
    pub args: Vec<Arg>,
    pub amount_fen: Option<Fen>,
}

/// The Chinese sentence of each step; `{n}` is the n-th argument.
pub fn template(rule: &str) -> &'static str {
    match rule {
        "condition.revenue" => "企业营业收入 {0} 超过政策规定的 {1}，不符合申请条件。",
        "condition.ip_kind" => "贷款“{0}”以{1}质押，不在本政策支持的知识产权类型内，不计入。",
        "condition.loan_days" => "贷款“{0}”期限 {1} 天，超过政策规定的 {2} 天，不计入。",
        "condition.loan_months" => {
            "贷款“{0}”期限 {1} 至 {2}，超过政策规定的 {3} 个月（应不晚于 {4} 到期），不计入。"
        }
        "condition.none" => "没有一笔贷款符合本政策的条件，不予资助。",
        "loan.financed" => {
            "贷款“{0}”：融资金额 = min(本金 {1}，登记担保金额 {2}) × 知识产权占比 {3} = {4}"
        }
        "item.share" => "贷款“{0}” {1}：基数 {2} × {3}比例 {4} = {5}",
        "item.cap" => "{0}：计算金额 {1} 超过{2}上限 {3}，按上限计。",
        "item.cap_share" => "{0}：计算金额 {1} 超过贷款本金的 {2}（{3}），按上限计。",
        "item.amount" => "{0}：{1}（四舍五入到分）",
        "item.annual_cap" => {
            "{0}：每家企业本政策年度上限 {1}，本年度已获批及在审 {2}，尚余 {3}；计算金额 {4} 超过尚余额度，按 {3} 计。"
        }
        "item.annual_room" => {
            "{0}：每家企业本政策年度上限 {1}，本年度已获批及在审 {2}，尚余 {3}，本次 {4} 未超过。"
        }
        "application.cap" => "各项合计 {0} 超过单次申请上限 {1}，按上限计。",
        "enterprise.cap" => "企业{0}上限 {1}，已获批及在审 {2}，尚余 {3}，本次按 {3} 计。",
        "total" => "测算资助合计：{0}",
        "interest.rate_ceiling" => "贷款“{0}”年利率 {1} 高于 {2} {3} 上浮 {4}（{5}），不予贴息。",
        "interest.rate_base" => {
            "贷款“{0}”贴息基数 = 融资金额 {1} × min({2} {3}，实际利率 {4}) × {5} 天 ÷ 360 = {6}"
        }
        "interest.paid" => "贷款“{0}”实付利息 {1} × 知识产权占比 {2} = {3}",
        "interest.paid_days" => "贷款“{0}”实付利息 {1} × 知识产权占比 {2} × {3}/{4} 天 = {5}",
        "interest.lpr_limit" => {
            "贷款“{0}”贴息基数以按 {1} {2} 计算的利息为限：{3} × {2} × {4} 天 ÷ 360 = {5}"
        }
        "fee.share" => "贷款“{0}”{1}：{2} × 知识产权占比 {3} = {4}",
        "base.share_of_principal" => "贷款“{0}” {1}基数以本金的 {2} 为限：{3}",
        "base.group_share" => "贷款“{0}”{1}合计 {2}，以本金的 {3}（{4}）为限，按比例计入",
        "reward.amount" => {
            "年度知识产权质押贷款 {0} 笔，融资金额（min(本金，登记担保金额) × 知识产权占比）共 {1} × {2} = {3}"
        }
        "reward.amount_per_loan" => {
            "年度知识产权质押贷款 {0} 笔，融资金额共 {1} × {2} + 每笔 {3} × {0} = {4}"
        }
        "reward.excluded" => "{0} 笔贷款{1}，不计入奖励。",
        "reward.cap" => "每家机构每年上限 {0}，本年已获 {1}，按 {2} 计。",
        "reward.total" | "securitisation.total" => "测算合计：{0}",
        "securitisation.years" => "证券化融资支持最多 {0} 年，本次为第 {1} 年，不予支持。",
        "securitisation.amount" => "融资成本（利息 {0} + 担保费 {1}）{2} × {3} = {4}",
        "securitisation.cap" => "每年上限 {0}，本年已获 {1}，按 {2} 计。",
        "amount.overflow" => "金额超出可计算范围，不予测算；请核对金额的单位。",
        _ => "{0}",
    }
}

/// The English sentence of each step (the same arguments as [`template`]).
pub fn template_en(rule: &str) -> &'static str {
    match rule {
        "condition.revenue" => {
            "The enterprise's operating revenue {0} is above the policy's {1}: not eligible."
        }
        "condition.ip_kind" => {
            "Loan {0} is secured by a {1}, an IP type this policy does not support: not counted."
        }
        "condition.loan_days" => {
            "Loan {0} runs {1} days, more than the policy's {2} days: not counted."
        }
        "condition.loan_months" => {
            "Loan {0} runs from {1} to {2}, longer than the policy's {3} months (due by {4}): not counted."
        }
        "condition.none" => "No loan meets this policy's conditions: no subsidy.",
        "loan.financed" => {
            "Loan {0}: financed amount = min(principal {1}, secured amount {2}) × IP share {3} = {4}"
        }
        "item.share" => "Loan {0} {1}: base {2} × {3} ratio {4} = {5}",
        "item.cap" => "{0}: computed {1} exceeds the {2} cap {3}; the cap applies.",
        "item.cap_share" => {
            "{0}: computed {1} exceeds {2} of the principal ({3}); the cap applies."
        }
        "item.amount" => "{0}: {1} (rounded half up to the fen)",
        "item.annual_cap" => {
            "{0}: annual cap per enterprise under this policy {1}, approved and pending this year {2}, remaining {3}; computed {4} exceeds what remains, so {3} applies."
        }
        "item.annual_room" => {
            "{0}: annual cap per enterprise under this policy {1}, approved and pending this year {2}, remaining {3}; {4} this time is within it."
        }
        "application.cap" => {
            "The items total {0}, above the cap per application {1}; the cap applies."
        }
        "enterprise.cap" => {
            "Enterprise cap ({0}) {1}, approved and pending {2}, remaining {3}; {3} applies this time."
        }
        "total" => "Estimated subsidy in total: {0}",
        "interest.rate_ceiling" => {
            "Loan {0}: the annual rate {1} is above {2} {3} plus {4} ({5}): no interest subsidy."
        }
        "interest.rate_base" => {
            "Loan {0}: interest base = financed amount {1} × min({2} {3}, actual rate {4}) × {5} days ÷ 360 = {6}"
        }
        "interest.paid" => "Loan {0}: interest paid {1} × IP share {2} = {3}",
        "interest.paid_days" => "Loan {0}: interest paid {1} × IP share {2} × {3}/{4} days = {5}",
        "interest.lpr_limit" => {
            "Loan {0}: the interest base is limited to interest at {1} {2}: {3} × {2} × {4} days ÷ 360 = {5}"
        }
        "fee.share" => "Loan {0} {1}: {2} × IP share {3} = {4}",
        "base.share_of_principal" => {
            "Loan {0}: the {1} base is limited to {2} of the principal: {3}"
        }
        "base.group_share" => {
            "Loan {0}: {1} total {2}, limited to {3} of the principal ({4}), counted in proportion"
        }
        "reward.amount" => {
            "{0} IP pledge loans in the year, financed amount (min(principal, secured amount) × IP share) in total {1} × {2} = {3}"
        }
        "reward.amount_per_loan" => {
            "{0} IP pledge loans in the year, financed amount in total {1} × {2} + {3} per loan × {0} = {4}"
        }
        "reward.excluded" => "{0} loan(s): {1}; not counted for the reward.",
        "reward.cap" => "Cap per institution per year {0}, received this year {1}; {2} applies.",
        "reward.total" | "securitisation.total" => "Estimated total: {0}",
        "securitisation.years" => {
            "Securitisation financing is supported for at most {0} years; this is year {1}: not supported."
        }
        "securitisation.amount" => {
            "Financing cost (interest {0} + guarantee fee {1}) {2} × {3} = {4}"
        }
        "securitisation.cap" => "Cap per year {0}, received this year {1}; {2} applies.",
        "amount.overflow" => {
            "An amount is beyond what can be calculated: no estimate; check the units of the amounts."
        }
        _ => "{0}",
    }
}

fn step(rule: &'static str, args: Vec<Arg>, amount_fen: Option<Fen>) -> Step {
    Step {
        rule,
        args,
        amount_fen,
    }
}

/// One item's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemAmount {
    pub item: Item,
    /// Σ base × ratio, rounded half-up to the fen.
    pub computed_fen: Fen,
    /// After the item's cap.
    pub capped_fen: Fen,
    /// After the application and enterprise caps (shared out in proportion).
    pub granted_fen: Fen,
    /// The item's annual cap per enterprise, when the policy sets one for the class: the cap,
    /// what was used in the year, and what remained before this application.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub annual: Option<AnnualRoom>,
}

/// An item's annual cap per enterprise and what of it was used (issue #19 item 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AnnualRoom {
    pub cap_fen: Fen,
    pub used_fen: Fen,
    /// max(cap − used, 0).
    pub remaining_fen: Fen,
}

/// The result and how it was reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Calculation {
    pub eligible: bool,
    pub items: Vec<ItemAmount>,
    pub total_fen: Fen,
    pub steps: Vec<Step>,
    /// The loans' references, in the order the steps refer to them.
    pub loans: Vec<String>,
}

impl Calculation {
    fn render(&self, a: &Arg, lang: Lang) -> String {
        match a {
            Arg::Fen(f) => match lang {
                Lang::Zh => yuan(*f),
                Lang::En => format!("CNY {}", f.yuan()),
            },
            Arg::Pct(r) => pct(*r),
            Arg::Int(n) => n.to_string(),
            Arg::Loan(i) => self.loans.get(*i).cloned().unwrap_or_default(),
            Arg::Text(t) => (*t).to_string(),
            Arg::Date(d) => crate::format::date(*d, lang),
            Arg::Owned(s) => s.clone(),
            Arg::Both(zh, en) => match lang {
                Lang::Zh => zh.clone(),
                Lang::En => en.clone(),
            },
        }
    }

    /// A step in Chinese.
    pub fn text(&self, step: &Step) -> String {
        self.text_in(step, Lang::Zh)
    }

    /// A step in the reader's language.
    pub fn text_in(&self, step: &Step, lang: Lang) -> String {
        let mut out = match lang {
            Lang::Zh => template(step.rule),
            Lang::En => template_en(step.rule),
        }
        .to_string();
        for (i, a) in step.args.iter().enumerate().rev() {
            out = out.replace(&format!("{{{i}}}"), &self.render(a, lang));
        }
        out
    }

    /// The whole derivation in Chinese, one line a step.
    pub fn lines(&self) -> Vec<String> {
        self.lines_in(Lang::Zh)
    }

    /// The whole derivation in the reader's language, one line a step.
    pub fn lines_in(&self, lang: Lang) -> Vec<String> {
        self.steps.iter().map(|s| self.text_in(s, lang)).collect()
    }
}

/// A ratio as a percentage, exactly as stated (4.20000001%, not 4.2%); a quotient that does
/// not end (an IP amount ÷ principal of 1/3) is shown to six places with “≈”.
fn pct(r: Decimal) -> String {
    let p = r.checked_mul(Decimal::ONE_HUNDRED).unwrap_or(r).normalize();
    if p.scale() <= 10 {
        format!("{p}%")
    } else {
        format!("≈{}%", p.round_dp(6).normalize())
    }
}

fn invalid(code: &'static str, zh: String, en: String) -> Msg {
    Msg::new(code, zh, en)
}

/// An amount beyond what fen can hold: the calculation is refused, never wrapped or saturated.
fn overflow() -> Msg {
    Msg::new(
        "amount.overflow",
        "金额超出可计算范围，请核对金额的单位。",
        "An amount is out of range; check the units of the amounts.",
    )
}

/// An exact amount rounded half-up to the fen, or the overflow refusal.
fn to_fen(v: Decimal) -> Result<Fen, Msg> {
    Fen::from_decimal(v).ok_or_else(overflow)
}

/// An LPR value a rule refers to, and how to name it in a step.
fn lpr_for(table: &LprTable, at: LprDate, loan: &Loan) -> Result<(Decimal, Arg), Msg> {
    match at {
        LprDate::LoanStart { term } => Ok((
            table.on(term, loan.start)?,
            Arg::Both(
                format!(
                    "{}（{} 放款日）",
                    term.zh(),
                    crate::format::date_zh(loan.start)
                ),
                format!(
                    "{} (loan start {})",
                    term.en(),
                    crate::format::date(loan.start, Lang::En)
                ),
            ),
        )),
        LprDate::RepaymentYearMonth { term, month } => Ok((
            table.published_in(term, loan.end.year(), month)?,
            Arg::Both(
                format!("{}（{} 年 {} 月公布）", term.zh(), loan.end.year(), month),
                format!("{} (published {}-{month:02})", term.en(), loan.end.year()),
            ),
        )),
    }
}

/// An exact step of the arithmetic, or the overflow refusal (never a panic, never a wrapped
/// or saturated value).
fn ck(v: Option<Decimal>) -> Result<Decimal, Msg> {
    v.ok_or_else(overflow)
}

/// Runs the rules on an application. An error is a calculation that cannot be done (bad
/// input, or an LPR value the table lacks); an application that does not qualify is a result
/// with `eligible: false` and every reason among its steps: the revenue condition, or no loan
/// (and item) that the policy's conditions let count.
pub fn calculate(rules: &Rules, lpr: &LprTable, app: &Application) -> Result<Calculation, Msg> {
    if let Some((_, m)) = app.problems().into_iter().next() {
        return Err(m);
    }
    let mut steps = Vec::new();
    let class = app.class;
    let class_words = || Arg::both(class.label(Lang::Zh), class.label(Lang::En));
    // Loans in a fixed order, so the derivation does not depend on how they were listed.
    let mut loans: Vec<&Loan> = app.loans.iter().collect();
    loans.sort_by(|a, b| a.reference.cmp(&b.reference).then(a.start.cmp(&b.start)));
    let refs: Vec<String> = loans.iter().map(|l| l.reference.clone()).collect();
    let ineligible = |steps: Vec<Step>, refs: Vec<String>| Calculation {
        eligible: false,
        items: Vec::new(),
        total_fen: Fen::ZERO,
        steps,
        loans: refs,
    };
    if let Some(max) = rules.conditions.max_revenue_fen {
        match app.operating_revenue_fen {
            None => {
                return Err(invalid(
                    "application.revenue",
                    "本政策对营业收入有要求，请填写企业上年度营业收入。".into(),
                    "This policy has a revenue condition: enter the enterprise's operating revenue.".into(),
                ));
            }
            Some(rev) if rev > max => {
                steps.push(step(
                    "condition.revenue",
                    vec![Arg::Fen(rev), Arg::Fen(max)],
                    None,
                ));
                return Ok(ineligible(steps, refs));
            }
            Some(_) => {}
        }
    }
    // Per item: Σ base × ratio (exact), and the principal of the loans that counted.
    let mut weighted: Vec<Decimal> = vec![Decimal::ZERO; rules.items.len()];
    let mut principal_counted = Fen::ZERO;
    let mut qualified = false;
    for (li, loan) in loans.into_iter().enumerate() {
        if !rules.conditions.ip_kinds.is_empty()
            && !rules.conditions.ip_kinds.contains(&loan.ip_kind)
        {
            steps.push(step(
                "condition.ip_kind",
                vec![
                    Arg::Loan(li),
                    Arg::both(loan.ip_kind.zh(), loan.ip_kind.en()),
                ],
                None,
            ));
            continue;
        }
        let days = (loan.end - loan.start).num_days();
        if let Some(max) = rules.conditions.max_loan_days
            && days > i64::from(max)
        {
            steps.push(step(
                "condition.loan_days",
                vec![Arg::Loan(li), Arg::Int(days), Arg::Int(i64::from(max))],
                None,
            ));
            continue;
        }
        if let Some(months) = rules.conditions.max_loan_months {
            let last = loan.start.checked_add_months(chrono::Months::new(months));
            if last.is_none_or(|last| loan.end > last) {
                steps.push(step(
                    "condition.loan_months",
                    vec![
                        Arg::Loan(li),
                        Arg::Date(loan.start),
                        Arg::Date(loan.end),
                        Arg::Int(i64::from(months)),
                        last.map_or(Arg::Text("—"), Arg::Date),
                    ],
                    None,
                ));
                continue;
            }
        }
        let principal = loan.principal_fen;
        let share = match loan.ip_share {
            IpShare::Sole => Decimal::ONE,
            IpShare::Ratio { ratio } => ratio.value(),
            IpShare::Amount { amount_fen } => {
                ck(amount_fen.to_decimal().checked_div(principal.to_decimal()))?.min(Decimal::ONE)
            }
        };
        let secured = loan.secured_amount_fen.unwrap_or(principal);
        let financed = ck(secured.min(principal).to_decimal().checked_mul(share))?;
        principal_counted = principal_counted
            .checked_add(principal)
            .ok_or_else(overflow)?;
        let financed_fen = to_fen(financed)?;
        steps.push(step(
            "loan.financed",
            vec![
                Arg::Loan(li),
                Arg::Fen(principal),
                Arg::Fen(secured),
                Arg::Pct(share),
                Arg::Fen(financed_fen),
            ],
            Some(financed_fen),
        ));
        // Each item's base; `None`: the loan is ruled out for the item (its rate is above the
        // policy's ceiling).
        let mut bases = Vec::with_capacity(rules.items.len());
        for rule in &rules.items {
            bases.push(item_base(
                rule, lpr, loan, li, days, share, financed, &mut steps,
            )?);
        }
        if bases.iter().any(Option::is_some) {
            qualified = true;
        }
        // A limit shared by several items (Futian: guarantee, evaluation and other service fees
        // together count up to 4% of the principal): over it, each is cut in proportion.
        if let Some(g) = &rules.fee_group_limit {
            let in_group = |r: &ItemRule| g.items.contains(&r.item);
            let mut total = Decimal::ZERO;
            for (r, b) in rules.items.iter().zip(&bases) {
                if in_group(r) {
                    total = ck(total.checked_add(b.unwrap_or_default()))?;
                }
            }
            let limit = ck(principal
                .to_decimal()
                .checked_mul(g.share_of_principal.value()))?;
            if total > limit && total > Decimal::ZERO {
                for (r, b) in rules.items.iter().zip(bases.iter_mut()) {
                    if in_group(r)
                        && let Some(b) = b
                    {
                        *b = ck(ck(b.checked_mul(limit))?.checked_div(total))?;
                    }
                }
                let names: Vec<&str> = g.items.iter().map(|i| i.fee_zh()).collect();
                let names_en: Vec<&str> = g.items.iter().map(|i| i.fee_en()).collect();
                steps.push(step(
                    "base.group_share",
                    vec![
                        Arg::Loan(li),
                        Arg::Both(names.join("、"), names_en.join(", ")),
                        Arg::Fen(to_fen(total)?),
                        Arg::Pct(g.share_of_principal.value()),
                        Arg::Fen(to_fen(limit)?),
                    ],
                    None,
                ));
            }
        }
        for (k, (rule, base)) in rules.items.iter().zip(bases).enumerate() {
            let base = base.unwrap_or_default();
            let ratio = match (&rule.ratio_if_guaranteed, loan.guaranteed()) {
                (Some(g), true) => g.get(class),
                _ => rule.ratio.get(class),
            };
            let part = ck(base.checked_mul(ratio.value()))?;
            if base > Decimal::ZERO {
                steps.push(step(
                    "item.share",
                    vec![
                        Arg::Loan(li),
                        Arg::both(rule.item.zh(), rule.item.en()),
                        Arg::Fen(to_fen(base)?),
                        class_words(),
                        Arg::Pct(ratio.value()),
                        Arg::Fen(to_fen(part)?),
                    ],
                    None,
                ));
            }
            weighted[k] = ck(weighted[k].checked_add(part))?;
        }
    }
    if !qualified {
        steps.push(step("condition.none", Vec::new(), Some(Fen::ZERO)));
        return Ok(ineligible(steps, refs));
    }
    let mut items = Vec::new();
    for (k, rule) in rules.items.iter().enumerate() {
        let computed = to_fen(weighted[k])?;
        let mut capped = computed;
        if let Some(c) = rule.cap_fen.get(class)
            && capped > c
        {
            let c = c.non_negative();
            steps.push(step(
                "item.cap",
                vec![
                    Arg::both(rule.item.zh(), rule.item.en()),
                    Arg::Fen(capped),
                    class_words(),
                    Arg::Fen(c),
                ],
                Some(c),
            ));
            capped = c;
        }
        if let Some(share) = rule.cap_share_of_principal {
            let c = principal_counted
                .checked_mul_ratio(share.value())
                .ok_or_else(overflow)?;
            if capped > c {
                steps.push(step(
                    "item.cap_share",
                    vec![
                        Arg::both(rule.item.zh(), rule.item.en()),
                        Arg::Fen(capped),
                        Arg::Pct(share.value()),
                        Arg::Fen(c),
                    ],
                    Some(c),
                ));
                capped = c;
            }
        }
        // The item's cap per enterprise per policy year, less what the enterprise already used
        // of it: never negative, whatever was used.
        let annual = match rule.annual_cap_fen.get(class) {
            Some(cap) => {
                let cap = cap.non_negative();
                let used = app
                    .item_used_fen
                    .get(&rule.item)
                    .copied()
                    .unwrap_or(Fen::ZERO);
                let remaining = cap.checked_sub(used).ok_or_else(overflow)?.non_negative();
                let binding = capped > remaining;
                steps.push(step(
                    if binding {
                        "item.annual_cap"
                    } else {
                        "item.annual_room"
                    },
                    vec![
                        Arg::both(rule.item.zh(), rule.item.en()),
                        Arg::Fen(cap),
                        Arg::Fen(used),
                        Arg::Fen(remaining),
                        Arg::Fen(capped),
                    ],
                    binding.then_some(remaining),
                ));
                if binding {
                    capped = remaining;
                }
                Some(AnnualRoom {
                    cap_fen: cap,
                    used_fen: used,
                    remaining_fen: remaining,
                })
            }
            None => None,
        };
        steps.push(step(
            "item.amount",
            vec![Arg::both(rule.item.zh(), rule.item.en()), Arg::Fen(capped)],
            Some(capped),
        ));
        items.push(ItemAmount {
            item: rule.item,
            computed_fen: computed,
            capped_fen: capped,
            granted_fen: capped,
            annual,
        });
    }
    let sum = Fen::sum(items.iter().map(|i| i.capped_fen)).map_err(|_| overflow())?;
    let mut total = sum;
    if let Some(cap) = rules.application_cap_fen.get(class)
        && total > cap
    {
        let cap = cap.non_negative();
        steps.push(step(
            "application.cap",
            vec![Arg::Fen(total), Arg::Fen(cap)],
            Some(cap),
        ));
        total = cap;
    }
    if let Some(ec) = &rules.enterprise_cap
        && let Some(cap) = ec.amount_fen.get(class)
    {
        let remaining = cap
            .checked_sub(app.enterprise_used_fen)
            .ok_or_else(overflow)?
            .non_negative();
        if total > remaining {
            let period = match ec.period {
                super::rules::CapPeriod::Year => Arg::both("本年度", "this year"),
                super::rules::CapPeriod::Lifetime => Arg::both("累计", "in total"),
                super::rules::CapPeriod::Years(years) => {
                    Arg::Both(format!("{years} 年内"), format!("within {years} years"))
                }
            };
            steps.push(step(
                "enterprise.cap",
                vec![
                    period,
                    Arg::Fen(cap),
                    Arg::Fen(app.enterprise_used_fen),
                    Arg::Fen(remaining),
                ],
                Some(remaining),
            ));
            total = remaining;
        }
    }
    if total < sum {
        let shares = proportional(
            &items.iter().map(|i| i.capped_fen.get()).collect::<Vec<_>>(),
            total.get(),
        );
        // Each share is at most its item's capped amount: `proportional` never gives more.
        for (i, s) in items.iter_mut().zip(shares) {
            i.granted_fen = Fen::new(s);
        }
    }
    steps.push(step("total", vec![Arg::Fen(total)], Some(total)));
    Ok(Calculation {
        eligible: true,
        items,
        total_fen: total,
        steps,
        loans: refs,
    })
}

/// The base of one item for one loan (exact), recording the rules that shaped it; `None` when
/// the loan is ruled out for the item.
#[allow(clippy::too_many_arguments)]
fn item_base(
    rule: &ItemRule,
    lpr: &LprTable,
    loan: &Loan,
    li: usize,
    days: i64,
    share: Decimal,
    financed: Decimal,
    steps: &mut Vec<Step>,
) -> Result<Option<Decimal>, Msg> {
    let d360 = Decimal::from(360);
    // base × rate × days ÷ 360, exactly.
    let interest_on = |amount: Decimal, rate: Decimal, days: i64| -> Result<Decimal, Msg> {
        ck(ck(ck(amount.checked_mul(rate))?.checked_mul(Decimal::from(days)))?.checked_div(d360))
    };
    let mut base = if rule.item == Item::Interest {
        let ir: InterestRule = rule.interest.unwrap_or_default();
        let counted = ir.max_days.map_or(days, |m| days.min(i64::from(m)));
        if let Some((at, margin)) = ir.max_rate_over_lpr {
            let (v, what) = lpr_for(lpr, at, loan)?;
            let ceiling = ck(v.checked_mul(Decimal::ONE + margin.value()))?;
            if loan.annual_rate > ceiling {
                steps.push(step(
                    "interest.rate_ceiling",
                    vec![
                        Arg::Loan(li),
                        Arg::Pct(loan.annual_rate),
                        what,
                        Arg::Pct(v),
                        Arg::Pct(margin.value()),
                        Arg::Pct(ceiling),
                    ],
                    None,
                ));
                return Ok(None);
            }
        }
        let mut base = match ir.rate_base {
            Some(at) => {
                let (v, what) = lpr_for(lpr, at, loan)?;
                let rate = v.min(loan.annual_rate);
                let b = interest_on(financed, rate, counted)?;
                steps.push(step(
                    "interest.rate_base",
                    vec![
                        Arg::Loan(li),
                        Arg::Fen(to_fen(financed)?),
                        what,
                        Arg::Pct(v),
                        Arg::Pct(loan.annual_rate),
                        Arg::Int(counted),
                        Arg::Fen(to_fen(b)?),
                    ],
                    None,
                ));
                b
            }
            None => {
                let paid_fen = loan.interest_paid_fen;
                let paid = ck(paid_fen.to_decimal().checked_mul(share))?;
                if counted < days {
                    let b = ck(ck(paid.checked_mul(Decimal::from(counted)))?
                        .checked_div(Decimal::from(days)))?;
                    steps.push(step(
                        "interest.paid_days",
                        vec![
                            Arg::Loan(li),
                            Arg::Fen(paid_fen),
                            Arg::Pct(share),
                            Arg::Int(counted),
                            Arg::Int(days),
                            Arg::Fen(to_fen(b)?),
                        ],
                        None,
                    ));
                    b
                } else {
                    if share < Decimal::ONE {
                        steps.push(step(
                            "interest.paid",
                            vec![
                                Arg::Loan(li),
                                Arg::Fen(paid_fen),
                                Arg::Pct(share),
                                Arg::Fen(to_fen(paid)?),
                            ],
                            None,
                        ));
                    }
                    paid
                }
            }
        };
        if let Some(at) = ir.limit_to_lpr {
            let (v, what) = lpr_for(lpr, at, loan)?;
            let limit = interest_on(financed, v, counted)?;
            if base > limit {
                steps.push(step(
                    "interest.lpr_limit",
                    vec![
                        Arg::Loan(li),
                        what,
                        Arg::Pct(v),
                        Arg::Fen(to_fen(financed)?),
                        Arg::Int(counted),
                        Arg::Fen(to_fen(limit)?),
                    ],
                    None,
                ));
                base = limit;
            }
        }
        base
    } else {
        let fee = loan.fee(rule.item);
        let b = ck(fee.to_decimal().checked_mul(share))?;
        if share < Decimal::ONE && fee.is_positive() {
            steps.push(step(
                "fee.share",
                vec![
                    Arg::Loan(li),
                    Arg::both(rule.item.fee_zh(), rule.item.fee_en()),
                    Arg::Fen(fee),
                    Arg::Pct(share),
                    Arg::Fen(to_fen(b)?),
                ],
                None,
            ));
        }
        b
    };
    if let Some(s) = rule.base_max_share_of_principal {
        let limit = ck(loan.principal_fen.to_decimal().checked_mul(s.value()))?;
        if base > limit {
            steps.push(step(
                "base.share_of_principal",
                vec![
                    Arg::Loan(li),
                    Arg::both(rule.item.zh(), rule.item.en()),
                    Arg::Pct(s.value()),
                    Arg::Fen(to_fen(limit)?),
                ],
                None,
            ));
            base = limit;
        }
    }
    Ok(Some(base))
}

/// Applies a yearly cap less what was granted earlier in the year, recording the step.
fn yearly_cap(
    steps: &mut Vec<Step>,
    rule: &'static str,
    total: Fen,
    cap: Option<Fen>,
    granted: Fen,
) -> Result<Fen, Msg> {
    let Some(cap) = cap else { return Ok(total) };
    let remaining = cap
        .checked_sub(granted)
        .ok_or_else(overflow)?
        .non_negative();
    if total <= remaining {
        return Ok(total);
    }
    steps.push(step(
        rule,
        vec![Arg::Fen(cap), Arg::Fen(granted), Arg::Fen(remaining)],
        Some(remaining),
    ));
    Ok(remaining)
}

fn single(rule: &'static str, mut steps: Vec<Step>, total: Fen, eligible: bool) -> Calculation {
    steps.push(step(rule, vec![Arg::Fen(total)], Some(total)));
    Calculation {
        eligible,
        items: Vec::new(),
        total_fen: total,
        steps,
        loans: Vec::new(),
    }
}

/// A calculation refused because an amount is out of range: ineligible, zero, one step that
/// says so.
fn refused(rule: &'static str) -> Calculation {
    single(
        rule,
        vec![step("amount.overflow", Vec::new(), Some(Fen::ZERO))],
        Fen::ZERO,
        false,
    )
}

/// A loan an institution made in the year, as its reward counts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RewardLoan {
    pub principal_fen: Fen,
    /// The secured amount on the pledge registration(s), if known.
    pub secured_amount_fen: Option<Fen>,
    pub ip_share: IpShare,
    /// The IP kinds pledged.
    pub ip_kinds: Vec<IpKind>,
    /// The borrower's class, if known.
    pub class: Option<SizeClass>,
    /// The borrower's first IP pledge loan.
    pub first_time: bool,
}

impl RewardLoan {
    /// A loan secured by IP alone, for the principal: (principal, IP kind).
    pub fn sole(principal_fen: Fen) -> RewardLoan {
        RewardLoan {
            principal_fen,
            secured_amount_fen: None,
            ip_share: IpShare::Sole,
            ip_kinds: vec![IpKind::Patent],
            class: None,
            first_time: false,
        }
    }

    /// Everything wrong with the loan's figures (named `r` in the messages), each with its
    /// field as in the calculator's JSON: the bounds and the IP share of [`Loan::problems`].
    pub fn problems(&self, r: &str) -> Vec<(&'static str, Msg)> {
        let mut out = Vec::new();
        money_problems(
            r,
            &[("principal_fen", "本金", self.principal_fen, 1)],
            &mut out,
        );
        if let Some(s) = self.secured_amount_fen {
            money_problems(r, &[("secured_amount_fen", "登记担保金额", s, 0)], &mut out);
        }
        ip_share_problems(r, self.ip_share, self.principal_fen, &mut out);
        out
    }

    /// min(principal, secured amount) × IP share, exact.
    fn financed(&self) -> Result<Decimal, Msg> {
        let principal = self.principal_fen;
        for (what, v) in [
            ("贷款本金", Some(principal)),
            ("登记担保金额", self.secured_amount_fen),
        ] {
            if let Some(m) = v.and_then(|v| amount_problem(what, v, 0)) {
                return Err(m);
            }
        }
        let share = match self.ip_share {
            IpShare::Sole => Decimal::ONE,
            IpShare::Ratio { ratio } => ratio.value(),
            IpShare::Amount { amount_fen } if principal.is_positive() => ck(amount_fen
                .non_negative()
                .to_decimal()
                .checked_div(principal.to_decimal()))?
            .min(Decimal::ONE),
            IpShare::Amount { .. } => Decimal::ZERO,
        };
        let base = self.secured_amount_fen.unwrap_or(principal).min(principal);
        ck(base.to_decimal().checked_mul(share))
    }
}

/// An institution's reward for its loans of the year, less what it has already been granted
/// this year. Amounts out of range give a refused (ineligible, zero) calculation;
/// `try_institution_reward` reports them as an error.
pub fn institution_reward(
    rule: &super::rules::RewardRule,
    loans: &[RewardLoan],
    granted_this_year_fen: Fen,
) -> Calculation {
    try_institution_reward(rule, loans, granted_this_year_fen)
        .unwrap_or_else(|_| refused("reward.total"))
}

/// `institution_reward`, with an amount out of range as an error.
pub fn try_institution_reward(
    rule: &super::rules::RewardRule,
    loans: &[RewardLoan],
    granted_this_year_fen: Fen,
) -> Result<Calculation, Msg> {
    let mut steps = Vec::new();
    let mut financed = Decimal::ZERO;
    let mut count = 0i64;
    let (mut not_first, mut other_kind, mut other_class) = (0i64, 0i64, 0i64);
    for l in loans {
        let f = l.financed()?;
        if rule.first_time_borrowers_only && !l.first_time {
            not_first += 1;
        } else if !rule.ip_kinds.is_empty() && !l.ip_kinds.iter().any(|k| rule.ip_kinds.contains(k))
        {
            other_kind += 1;
        } else if rule
            .classes
            .is_some_and(|only| !l.class.is_some_and(|c| only.get(c)))
        {
            other_class += 1;
        } else {
            financed = ck(financed.checked_add(f))?;
            count += 1;
        }
    }
    for (n, why, why_en) in [
        (
            not_first,
            "借款企业并非首次办理知识产权质押贷款",
            "the borrower had an IP pledge loan before",
        ),
        (
            other_kind,
            "质押的知识产权不在奖励范围内",
            "the pledged IP is outside the reward's types",
        ),
        (
            other_class,
            "借款企业规模不在奖励范围内",
            "the borrower's size is outside the reward's classes",
        ),
    ] {
        if n > 0 {
            steps.push(step(
                "reward.excluded",
                vec![Arg::Int(n), Arg::both(why, why_en)],
                None,
            ));
        }
    }
    if count == 0 {
        steps.push(step("condition.none", Vec::new(), Some(Fen::ZERO)));
        return Ok(single("reward.total", steps, Fen::ZERO, false));
    }
    let total_financed = to_fen(financed)?;
    let by_ratio = total_financed
        .checked_mul_ratio(rule.ratio.value())
        .ok_or_else(overflow)?;
    let per_loan = rule.per_loan_fen.checked_mul(count).ok_or_else(overflow)?;
    let mut total = by_ratio.checked_add(per_loan).ok_or_else(overflow)?;
    steps.push(if per_loan.is_positive() {
        step(
            "reward.amount_per_loan",
            vec![
                Arg::Int(count),
                Arg::Fen(total_financed),
                Arg::Pct(rule.ratio.value()),
                Arg::Fen(rule.per_loan_fen),
                Arg::Fen(total),
            ],
            Some(total),
        )
    } else {
        step(
            "reward.amount",
            vec![
                Arg::Int(count),
                Arg::Fen(total_financed),
                Arg::Pct(rule.ratio.value()),
                Arg::Fen(total),
            ],
            Some(total),
        )
    });
    total = yearly_cap(
        &mut steps,
        "reward.cap",
        total,
        rule.cap_per_year_fen,
        granted_this_year_fen,
    )?;
    Ok(single("reward.total", steps, total, true))
}

/// Securitisation support for the `year_number`-th year (1 = the first) of an enterprise's
/// securitised financing. Amounts out of range give a refused (ineligible, zero) calculation;
/// `try_securitisation` reports them as an error.
pub fn securitisation(
    rule: &super::rules::SecuritisationRule,
    year_number: u32,
    interest_fen: Fen,
    guarantee_fee_fen: Fen,
    granted_this_year_fen: Fen,
) -> Calculation {
    try_securitisation(
        rule,
        year_number,
        interest_fen,
        guarantee_fee_fen,
        granted_this_year_fen,
    )
    .unwrap_or_else(|_| refused("securitisation.total"))
}

/// `securitisation`, with an amount out of range as an error.
pub fn try_securitisation(
    rule: &super::rules::SecuritisationRule,
    year_number: u32,
    interest_fen: Fen,
    guarantee_fee_fen: Fen,
    granted_this_year_fen: Fen,
) -> Result<Calculation, Msg> {
    if let Some(max) = rule.max_years
        && year_number > max
    {
        let steps = vec![step(
            "securitisation.years",
            vec![Arg::Int(i64::from(max)), Arg::Int(i64::from(year_number))],
            Some(Fen::ZERO),
        )];
        return Ok(single("securitisation.total", steps, Fen::ZERO, false));
    }
    for (what, v) in [("实付利息", interest_fen), ("担保费", guarantee_fee_fen)] {
        if let Some(m) = amount_problem(what, v, 0) {
            return Err(m);
        }
    }
    let cost = interest_fen
        .non_negative()
        .checked_add(guarantee_fee_fen.non_negative())
        .ok_or_else(overflow)?;
    let computed = cost
        .checked_mul_ratio(rule.ratio.value())
        .ok_or_else(overflow)?;
    let mut steps = vec![step(
        "securitisation.amount",
        vec![
            Arg::Fen(interest_fen),
            Arg::Fen(guarantee_fee_fen),
            Arg::Fen(cost),
            Arg::Pct(rule.ratio.value()),
            Arg::Fen(computed),
        ],
        Some(computed),
    )];
    let mut total = computed;
    total = yearly_cap(
        &mut steps,
        "securitisation.cap",
        total,
        rule.cap_per_year_fen,
        granted_this_year_fen,
    )?;
    Ok(single("securitisation.total", steps, total, true))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::rules::SecuritisationRule;

    #[test]
    fn amounts_out_of_range_are_refused_not_wrapped() {
        let rule = SecuritisationRule {
            ratio: Ratio::new(Decimal::new(5, 1)).expect("ratio"),
            cap_per_year_fen: None,
            max_years: None,
        };
        let e = try_securitisation(&rule, 1, Fen::new(i64::MAX), Fen::new(1), Fen::ZERO)
            .expect_err("too large");
        assert_eq!(e.code, "amount.too_large");
        // The bound is inclusive: 10^14 fen is taken, one fen more is refused.
        assert_eq!(
            try_securitisation(&rule, 1, Fen::new(MAX_FEN + 1), Fen::ZERO, Fen::ZERO)
                .map_err(|m| m.code),
            Err("amount.too_large")
        );
        assert_eq!(
            try_securitisation(&rule, 1, Fen::new(MAX_FEN), Fen::ZERO, Fen::ZERO)
                .map(|c| c.total_fen),
            Ok(Fen::new(MAX_FEN / 2))
        );
        let c = securitisation(&rule, 1, Fen::new(i64::MAX), Fen::new(1), Fen::ZERO);
        assert!(!c.eligible);
        assert_eq!(c.total_fen, 0);
        assert_eq!(c.steps[0].rule, "amount.overflow");
        // In range: half of 3 fen is 1.5, rounded half up to 2.
        assert_eq!(
            try_securitisation(&rule, 1, Fen::new(2), Fen::new(1), Fen::ZERO).map(|c| c.total_fen),
            Ok(Fen::new(2))
        );
        // A cap less a negative "already granted" that does not fit is refused too.
        let capped = SecuritisationRule {
            cap_per_year_fen: Some(Fen::new(i64::MAX)),
            ..rule
        };
        assert_eq!(
            try_securitisation(&capped, 1, Fen::new(2), Fen::new(1), Fen::new(-1))
                .map_err(|m| m.code),
            Err("amount.overflow")
        );
        // An amount per loan times the loans that does not fit is refused, never wrapped; the
        // infallible form gives the refused calculation.
        let reward = crate::policy::rules::RewardRule {
            ratio: Ratio::new(Decimal::ZERO).expect("ratio"),
            per_loan_fen: Fen::new(i64::MAX / 2 + 1),
            cap_per_year_fen: None,
            first_time_borrowers_only: false,
            ip_kinds: Vec::new(),
            classes: None,
        };
        let loans = [
            RewardLoan::sole(Fen::new(100)),
            RewardLoan::sole(Fen::new(100)),
        ];
        assert_eq!(
            try_institution_reward(&reward, &loans, Fen::ZERO).map_err(|m| m.code),
            Err("amount.overflow")
        );
        let c = institution_reward(&reward, &loans, Fen::ZERO);
        assert_eq!((c.eligible, c.total_fen), (false, Fen::ZERO));
        assert_eq!(
            try_institution_reward(&reward, &loans[..1], Fen::ZERO).map(|c| c.total_fen),
            Ok(Fen::new(i64::MAX / 2 + 1))
        );
    }
}
