//! Financing records (SPEC §4): IP pledge loans, pledge registrations and the guarantee,
//! insurance and valuation contracts around them. Pure checks on what a bank reports; the store
//! applies them before anything is written and adds the checks that need the database.

use crate::message::{FieldError, Msg};
use crate::money::Fen;
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

code_enum!(
    /// A loan's status (SPEC §4), changed with a date.
    LoanStatus {
        Outstanding = "outstanding", "存续", "Outstanding";
        Repaid = "repaid", "已结清", "Repaid";
        Overdue = "overdue", "逾期", "Overdue";
        Defaulted = "defaulted", "违约", "Defaulted";
    }
);

code_enum!(
    /// The contracts that accompany a pledge loan and whose fees a policy may subsidise.
    ContractKind {
        Guarantee = "guarantee", "担保合同", "Guarantee";
        Insurance = "insurance", "保险合同", "Insurance";
        Valuation = "valuation", "评估报告", "Valuation";
    }
);

/// The largest principal accepted (1,000 亿元), to catch a unit mistake (分 typed as 元 twice).
pub const MAX_PRINCIPAL_FEN: Fen = Fen::new(10_000_000_000_000);

/// The default pattern of pledge registration numbers (SPEC §10: pattern only, no check digit),
/// e.g. `Y2023980012345`. A deployment may set its own (`IPFIN_PLEDGE_NUMBER_PATTERN`).
pub const DEFAULT_PLEDGE_NUMBER_PATTERN: &str = r"^[A-Z][0-9]{13}$";

/// One disbursement (放款) of a loan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disbursement {
    pub date: NaiveDate,
    pub amount_fen: Fen,
}

/// The contract facts of a loan as a bank reports them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoanTerms {
    pub contract_number: String,
    pub principal_fen: Fen,
    /// Annual rate as a fraction (3.45% = 0.0345).
    pub annual_rate: Decimal,
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// Empty means one disbursement of the whole principal on the start date.
    pub disbursements: Vec<Disbursement>,
    /// Whether collateral other than IP secures the loan too.
    pub other_collateral: bool,
    /// The IP-attributable amount (required, or the ratio, when there is other collateral).
    pub ip_amount_fen: Option<Fen>,
    /// The IP-attributable ratio, in (0, 1].
    pub ip_ratio: Option<Decimal>,
}

fn err(field: &'static str, code: &'static str, zh: String, en: String) -> FieldError {
    FieldError::new(field, code, zh, en)
}

/// Normalises a contract number: trimmed, full-width folded; 1–64 characters.
pub fn contract_number(input: &str) -> Result<String, FieldError> {
    let s = crate::credit_code::normalize(input);
    let s = s.trim().to_string();
    if s.is_empty() || s.chars().count() > 64 {
        return Err(err(
            "contract_number",
            "loan.contract_number",
            "请填写合同编号（1–64 个字符）。".into(),
            "Enter the contract number (1–64 characters).".into(),
        ));
    }
    Ok(s)
}

/// A guarantee, insurance or valuation contract as reported.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContractInput {
    pub kind: String,
    pub provider_name: String,
    pub contract_number: String,
    pub fee_fen: Fen,
    pub invoice_number: Option<String>,
    pub invoice_date: Option<NaiveDate>,
    pub paid_date: Option<NaiveDate>,
    pub paid_fen: Option<Fen>,
    pub appraised_value_fen: Option<Fen>,
    pub report_date: Option<NaiveDate>,
}

/// What `check_contract` establishes about a contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedContract {
    pub kind: ContractKind,
    /// Trimmed, 1–200 characters.
    pub provider_name: String,
    /// Normalised (see `contract_number`).
    pub contract_number: String,
}

/// Checks a contract as reported, in this order: a known kind, the provider named (at most 200
/// characters), a contract number, fees not negative, the amount paid not above the fee, the
/// payment date and amount given together, and a valuation report with its appraised value
/// (above 0) and report date.
pub fn check_contract(c: &ContractInput) -> Result<CheckedContract, FieldError> {
    let kind = ContractKind::from_code(c.kind.trim()).ok_or_else(|| {
        FieldError::new(
            "kind",
            "contract.kind",
            "请选择合同类型：担保（guarantee）、保险（insurance）或评估（valuation）。",
            "Choose the kind: guarantee, insurance or valuation.",
        )
    })?;
    let provider_name = crate::text::required(
        "provider_name",
        "服务机构名称",
        "Provider",
        &c.provider_name,
        200,
    )?;
    let contract_number = contract_number(&c.contract_number)?;
    if c.fee_fen < Fen::ZERO || c.paid_fen.is_some_and(|p| p < Fen::ZERO) {
        return Err(FieldError::new(
            "fee_fen",
            "contract.fee",
            "费用金额不能为负。",
            "Fees cannot be negative.",
        ));
    }
    if c.paid_fen.is_some_and(|p| p > c.fee_fen) {
        return Err(FieldError::new(
            "paid_fen",
            "contract.paid_over_fee",
            "已付金额不能超过合同约定的费用。",
            "The amount paid cannot exceed the fee.",
        ));
    }
    if c.paid_fen.is_some() != c.paid_date.is_some() {
        return Err(FieldError::new(
            "paid_date",
            "contract.payment_pair",
            "付款日期和付款金额须同时填写。",
            "Give both the payment date and the amount paid.",
        ));
    }
    if kind == ContractKind::Valuation
        && (c.appraised_value_fen.is_none_or(|v| !v.is_positive()) || c.report_date.is_none())
    {
        return Err(FieldError::new(
            "appraised_value_fen",
            "contract.valuation",
            "评估报告须填写评估价值（大于 0）和报告日期。",
            "A valuation report needs the appraised value (above 0) and the report date.",
        ));
    }
    Ok(CheckedContract {
        kind,
        provider_name,
        contract_number,
    })
}

/// Checks the date of a loan's status change: between the loan's start and today (both
/// included), and not before the previous change.
pub fn check_status_date(
    start: NaiveDate,
    today: NaiveDate,
    previous: Option<NaiveDate>,
    date: NaiveDate,
) -> Result<(), FieldError> {
    if date < start || date > today {
        return Err(err(
            "date",
            "loan.status_date",
            format!("状态变更日期须在贷款起始日 {start} 与今天 {today} 之间。"),
            format!(
                "The date of a status change must be between the start {start} and today {today}."
            ),
        ));
    }
    if let Some(last) = previous
        && date < last
    {
        return Err(err(
            "date",
            "loan.status_order",
            format!("状态变更日期不能早于上一次变更（{last}）。"),
            format!("The date cannot be before the previous change ({last})."),
        ));
    }
    Ok(())
}

/// The plausible range of a loan's dates: IP pledge loans in China date from the 1990s, and a
/// date after 2099 or a term over 30 years is a typing error (year 0, −2026 or 9999 is refused).
pub const LOAN_YEARS: (i32, i32) = (1990, 2099);
/// The longest loan term accepted, in years.
pub const MAX_LOAN_TERM_YEARS: u32 = 30;

/// Checks a loan's start and end lie in [`LOAN_YEARS`] and the term is at most
/// [`MAX_LOAN_TERM_YEARS`] (the order of the two is checked separately).
pub fn check_loan_dates(start: NaiveDate, end: NaiveDate) -> Result<(), FieldError> {
    let (first, last) = LOAN_YEARS;
    for (field, label_zh, label_en, d) in [
        ("start_date", "起始日", "start date", start),
        ("end_date", "到期日", "end date", end),
    ] {
        if d.year() < first || d.year() > last {
            return Err(err(
                field,
                "loan.date_range",
                format!(
                    "{label_zh}（{}）不在合理范围内：须在 {first} 年至 {last} 年之间。",
                    crate::format::date_zh(d)
                ),
                format!(
                    "The {label_en} ({d}) is out of range: it must be between {first} and {last}."
                ),
            ));
        }
    }
    if start
        .checked_add_months(chrono::Months::new(12 * MAX_LOAN_TERM_YEARS))
        .is_some_and(|limit| end > limit)
    {
        return Err(err(
            "end_date",
            "loan.term",
            format!(
                "贷款期限不能超过 {MAX_LOAN_TERM_YEARS} 年（起始日 {}，到期日 {}）。",
                crate::format::date_zh(start),
                crate::format::date_zh(end)
            ),
            format!(
                "A loan term may be at most {MAX_LOAN_TERM_YEARS} years (start {start}, end {end})."
            ),
        ));
    }
    Ok(())
}

/// Checks a loan's terms: a positive principal, a rate in [0, 36%], the end after the start
/// and both dates plausible ([`check_loan_dates`]),
/// disbursements inside the loan period summing to at most the principal, and the IP share
/// (required with other collateral; a ratio in (0, 1] or an amount in (0, principal]).
/// Returns the terms with the contract number normalised and the default disbursement filled in.
pub fn check_terms(t: &LoanTerms) -> Result<LoanTerms, FieldError> {
    let contract_number = contract_number(&t.contract_number)?;
    if !t.principal_fen.is_positive() || t.principal_fen > MAX_PRINCIPAL_FEN {
        return Err(err(
            "principal_fen",
            "loan.principal",
            "贷款金额须大于 0 且不超过 1000 亿元。".into(),
            "The principal must be above 0 and at most 100 billion yuan.".into(),
        ));
    }
    if t.annual_rate < Decimal::ZERO || t.annual_rate > Decimal::new(36, 2) {
        return Err(err(
            "annual_rate",
            "loan.rate",
            format!(
                "年利率须在 0 到 36% 之间（以小数填写，3.45% 写作 0.0345），实际为 {}。",
                t.annual_rate
            ),
            format!(
                "The annual rate must be between 0 and 36% (a fraction: 3.45% is 0.0345); got {}.",
                t.annual_rate
            ),
        ));
    }
    if t.end <= t.start {
        return Err(err(
            "end_date",
            "loan.dates",
            format!(
                "到期日（{}）须晚于起始日（{}）。",
                crate::format::date_zh(t.end),
                crate::format::date_zh(t.start)
            ),
            format!(
                "The end date ({}) must be after the start date ({}).",
                t.end, t.start
            ),
        ));
    }
    check_loan_dates(t.start, t.end)?;
    let disbursements = if t.disbursements.is_empty() {
        vec![Disbursement {
            date: t.start,
            amount_fen: t.principal_fen,
        }]
    } else {
        let mut d = t.disbursements.clone();
        d.sort_by_key(|x| x.date);
        d
    };
    for (i, d) in disbursements.iter().enumerate() {
        if !d.amount_fen.is_positive() {
            return Err(err(
                "disbursements",
                "loan.disbursement_amount",
                format!("第 {} 笔放款金额须大于 0。", i + 1),
                format!("Disbursement {} must be above 0.", i + 1),
            ));
        }
        if d.date < t.start || d.date > t.end {
            return Err(err(
                "disbursements",
                "loan.disbursement_date",
                format!(
                    "放款日 {} 不在贷款期限（{} 至 {}）内。",
                    crate::format::date_zh(d.date),
                    crate::format::date_zh(t.start),
                    crate::format::date_zh(t.end)
                ),
                format!(
                    "Disbursement date {} is outside the loan period ({} to {}).",
                    d.date, t.start, t.end
                ),
            ));
        }
    }
    // A total beyond what fen can hold is certainly above the principal.
    let total = Fen::sum(disbursements.iter().map(|d| d.amount_fen));
    if total.is_err() || total.is_ok_and(|total| total > t.principal_fen) {
        return Err(err(
            "disbursements",
            "loan.disbursement_total",
            "放款金额合计超过了贷款金额。".into(),
            "The disbursements add up to more than the principal.".into(),
        ));
    }
    if let Some(r) = t.ip_ratio
        && (r <= Decimal::ZERO || r > Decimal::ONE)
    {
        return Err(err(
            "ip_ratio",
            "loan.ip_ratio",
            format!("知识产权对应比例须大于 0 且不超过 1（60% 写作 0.6），实际为 {r}。"),
            format!("The IP-attributable ratio must be in (0, 1] (60% is 0.6); got {r}."),
        ));
    }
    if let Some(a) = t.ip_amount_fen
        && (!a.is_positive() || a > t.principal_fen)
    {
        return Err(err(
            "ip_amount_fen",
            "loan.ip_amount",
            "知识产权对应金额须大于 0 且不超过贷款金额。".into(),
            "The IP-attributable amount must be above 0 and at most the principal.".into(),
        ));
    }
    if t.ip_amount_fen.is_some() && t.ip_ratio.is_some() {
        return Err(err(
            "ip_ratio",
            "loan.ip_share_both",
            "知识产权对应金额与比例只填一项。".into(),
            "Give the IP-attributable amount or the ratio, not both.".into(),
        ));
    }
    if t.other_collateral && t.ip_amount_fen.is_none() && t.ip_ratio.is_none() {
        return Err(err(
            "ip_ratio",
            "loan.ip_share_required",
            "有其他担保方式时，须填写知识产权对应的金额或比例。".into(),
            "With other collateral, give the IP-attributable amount or ratio.".into(),
        ));
    }
    Ok(LoanTerms {
        contract_number,
        disbursements,
        ..t.clone()
    })
}

/// A repayment or interest payment on a loan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    pub date: NaiveDate,
    pub principal_fen: Fen,
    pub interest_fen: Fen,
}

/// The principal repaid by these payments in total, or an error if it does not fit in fen.
fn principal_repaid<'a>(
    payments: impl IntoIterator<Item = &'a Payment>,
) -> Result<Fen, FieldError> {
    Fen::sum(payments.into_iter().map(|x| x.principal_fen)).map_err(|_| {
        err(
            "principal_fen",
            "amount.overflow",
            "还本金额合计超出可计算范围，请核对金额的单位。".into(),
            "The principal repaid in total is out of range; check the units.".into(),
        )
    })
}

/// Checks a new payment against the loan and the payments already recorded: amounts not
/// negative and not both zero, not before the start, principal repaid in total at most the
/// principal. Interest paid after the end date (overdue interest) is allowed with a warning.
pub fn check_payment(
    terms: &LoanTerms,
    earlier: &[Payment],
    p: &Payment,
) -> Result<Vec<Msg>, FieldError> {
    if p.principal_fen < Fen::ZERO
        || p.interest_fen < Fen::ZERO
        || (p.principal_fen == Fen::ZERO && p.interest_fen == Fen::ZERO)
    {
        return Err(err(
            "principal_fen",
            "payment.amount",
            "还本金额和付息金额不能为负，且至少一项大于 0。".into(),
            "Principal and interest may not be negative, and one must be above 0.".into(),
        ));
    }
    if p.date < terms.start {
        return Err(err(
            "date",
            "payment.date",
            format!("还款日 {} 早于贷款起始日 {}。", p.date, terms.start),
            format!(
                "The payment date {} is before the loan's start {}.",
                p.date, terms.start
            ),
        ));
    }
    let repaid = principal_repaid(earlier.iter().chain([p]))?;
    if repaid > terms.principal_fen {
        return Err(err(
            "principal_fen",
            "payment.over_principal",
            format!(
                "累计还本 {} 元将超过贷款金额 {} 元。",
                yuan(repaid),
                yuan(terms.principal_fen)
            ),
            format!(
                "Principal repaid would total {} yuan, above the principal of {} yuan.",
                yuan(repaid),
                yuan(terms.principal_fen)
            ),
        ));
    }
    let mut warnings = Vec::new();
    if p.interest_fen.is_positive() && p.date > terms.end {
        warnings.push(Msg::new(
            "payment.interest_after_end",
            format!(
                "付息日 {} 晚于到期日 {}（逾期利息？），补贴只计贷款期限内的利息。",
                p.date, terms.end
            ),
            format!(
                "Interest paid on {} is after the end date {} (overdue interest?); subsidies count only interest within the loan period.",
                p.date, terms.end
            ),
        ));
    }
    Ok(warnings)
}

/// Checks that the terms still hold the payments already recorded (an update must not lower the
/// principal below what was repaid, or move the start after a payment).
pub fn check_terms_against_payments(
    terms: &LoanTerms,
    payments: &[Payment],
) -> Result<(), FieldError> {
    let repaid = principal_repaid(payments)?;
    if repaid > terms.principal_fen {
        return Err(err(
            "principal_fen",
            "loan.principal_below_repaid",
            format!("已还本金 {} 元，贷款金额不能低于此数。", yuan(repaid)),
            format!(
                "{} yuan has been repaid; the principal cannot be lower.",
                yuan(repaid)
            ),
        ));
    }
    if let Some(first) = payments.iter().map(|p| p.date).min()
        && first < terms.start
    {
        return Err(err(
            "start_date",
            "loan.start_after_payment",
            format!("已有 {first} 的还款记录，起始日不能晚于该日。"),
            format!("There is a payment on {first}; the start cannot be later."),
        ));
    }
    Ok(())
}

/// Warnings on a status change: a loan marked repaid with principal still owed.
pub fn status_warnings(terms: &LoanTerms, payments: &[Payment], status: LoanStatus) -> Vec<Msg> {
    match principal_repaid(payments) {
        Ok(repaid) if status == LoanStatus::Repaid && repaid < terms.principal_fen => {
            vec![Msg::new(
                "loan.repaid_with_balance",
                format!(
                    "标记为已结清，但登记的还本合计 {} 元少于贷款金额 {} 元。",
                    yuan(repaid),
                    yuan(terms.principal_fen)
                ),
                format!(
                    "Marked repaid, but recorded principal repayments total {} of {} yuan.",
                    yuan(repaid),
                    yuan(terms.principal_fen)
                ),
            )]
        }
        // A total beyond what fen can hold is certainly not below the principal: no warning.
        _ => Vec::new(),
    }
}

/// Amount in 元 with two decimals, for messages (an `i64` of fen or a `Fen`).
pub fn yuan(fen: impl Into<Fen>) -> String {
    fen.into().yuan()
}

/// The pattern pledge registration numbers must match: a small regular-expression subset
/// (`^`, `$`, literals, `[A-Z]`-style classes, `[0-9]`, `\d`, and `{n}` / `{m,n}` counts), so
/// the domain needs no regex engine and an administrator's pattern is checked when it is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PledgeNumberPattern {
    source: String,
    atoms: Vec<(Atom, u32, u32)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Atom {
    Literal(char),
    Class(Vec<(char, char)>),
}

impl Atom {
    fn matches(&self, c: char) -> bool {
        match self {
            Atom::Literal(l) => *l == c,
            Atom::Class(ranges) => ranges.iter().any(|(a, b)| (*a..=*b).contains(&c)),
        }
    }
}

impl Default for PledgeNumberPattern {
    fn default() -> Self {
        PledgeNumberPattern::new(DEFAULT_PLEDGE_NUMBER_PATTERN).unwrap_or_else(|_| {
            PledgeNumberPattern {
                source: String::new(),
                atoms: Vec::new(),
            }
        })
    }
}

impl PledgeNumberPattern {
    /// Parses a pattern; the whole number must match it (anchors are implied).
    pub fn new(pattern: &str) -> Result<PledgeNumberPattern, String> {
        let body = pattern.trim();
        let body = body.strip_prefix('^').unwrap_or(body);
        let body = body.strip_suffix('$').unwrap_or(body);
        let chars: Vec<char> = body.chars().collect();
        let mut atoms: Vec<(Atom, u32, u32)> = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            let atom = match chars[i] {
                '\\' => {
                    i += 1;
                    match chars.get(i) {
                        Some('d') => Atom::Class(vec![('0', '9')]),
                        Some(c) => Atom::Literal(*c),
                        None => return Err("模式以反斜杠结尾".into()),
                    }
                }
                '[' => {
                    let close = chars[i..]
                        .iter()
                        .position(|c| *c == ']')
                        .ok_or("方括号未闭合")?
                        + i;
                    let inner = &chars[i + 1..close];
                    let mut ranges = Vec::new();
                    let mut j = 0;
                    while j < inner.len() {
                        if j + 2 < inner.len() && inner[j + 1] == '-' {
                            ranges.push((inner[j], inner[j + 2]));
                            j += 3;
                        } else {
                            ranges.push((inner[j], inner[j]));
                            j += 1;
                        }
                    }
                    if ranges.is_empty() {
                        return Err("空的字符类 []".into());
                    }
                    i = close;
                    Atom::Class(ranges)
                }
                '{' | '}' | '*' | '+' | '?' | '(' | ')' | '|' | '.' => {
                    return Err(format!("不支持的模式字符“{}”", chars[i]));
                }
                c => Atom::Literal(c),
            };
            i += 1;
            let (mut lo, mut hi) = (1, 1);
            if chars.get(i) == Some(&'{') {
                let close = chars[i..]
                    .iter()
                    .position(|c| *c == '}')
                    .ok_or("花括号未闭合")?
                    + i;
                let inner: String = chars[i + 1..close].iter().collect();
                let (a, b) = match inner.split_once(',') {
                    Some((a, b)) => (a.trim().to_string(), b.trim().to_string()),
                    None => (inner.trim().to_string(), inner.trim().to_string()),
                };
                lo = a.parse().map_err(|_| format!("次数“{inner}”无效"))?;
                hi = b.parse().map_err(|_| format!("次数“{inner}”无效"))?;
                if hi < lo || hi > 64 {
                    return Err(format!("次数“{inner}”无效"));
                }
                i = close + 1;
            }
            atoms.push((atom, lo, hi));
        }
        if atoms.is_empty() {
            return Err("模式为空".into());
        }
        Ok(PledgeNumberPattern {
            source: pattern.trim().to_string(),
            atoms,
        })
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    /// A number of the pattern's form, to show people instead of the pattern itself: letters
    /// from the start of their class, digits counting up (`[A-Z][0-9]{13}` → `A1234567890123`).
    pub fn example(&self) -> String {
        let mut out = String::new();
        let mut digit = 1u32;
        for (atom, lo, _) in &self.atoms {
            for _ in 0..(*lo).max(1) {
                match atom {
                    Atom::Literal(c) => out.push(*c),
                    Atom::Class(ranges) if ranges.iter().any(|(a, b)| *a <= '5' && '5' <= *b) => {
                        out.push(char::from_digit(digit % 10, 10).unwrap_or('0'));
                        digit += 1;
                    }
                    Atom::Class(ranges) => out.push(ranges.first().map_or('0', |r| r.0)),
                }
            }
        }
        out
    }

    fn matches_from(&self, atom: usize, chars: &[char]) -> bool {
        let Some((a, lo, hi)) = self.atoms.get(atom) else {
            return chars.is_empty();
        };
        let run = chars
            .iter()
            .take(*hi as usize)
            .take_while(|c| a.matches(**c))
            .count();
        (*lo as usize..=run)
            .rev()
            .any(|n| self.matches_from(atom + 1, &chars[n..]))
    }

    /// Normalises a registration number (spaces removed, full-width folded, upper-cased) and
    /// checks it against the pattern.
    pub fn parse(&self, input: &str) -> Result<String, FieldError> {
        let n: String = crate::credit_code::normalize(input)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_uppercase();
        let chars: Vec<char> = n.chars().collect();
        if chars.is_empty() || !self.matches_from(0, &chars) {
            return Err(err(
                "pledge_number",
                "pledge.number",
                format!(
                    "质押登记号“{n}”格式不对：应与登记证上的编号格式相同，例如 {}（字母和数字的位置、位数一致）。",
                    self.example()
                ),
                format!(
                    "Pledge registration number “{n}” is not in the register's form, e.g. {}.",
                    self.example()
                ),
            ));
        }
        Ok(n)
    }
}

/// A pledge registration's own facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PledgeTerms {
    pub number: String,
    pub secured_amount_fen: Fen,
    pub registration_date: NaiveDate,
    pub cancellation_date: Option<NaiveDate>,
}

/// Checks a pledge registration: number by the pattern, a positive secured amount, the
/// cancellation (if any) not before the registration.
pub fn check_pledge(
    pattern: &PledgeNumberPattern,
    p: &PledgeTerms,
) -> Result<PledgeTerms, FieldError> {
    let number = pattern.parse(&p.number)?;
    if !p.secured_amount_fen.is_positive() || p.secured_amount_fen > MAX_PRINCIPAL_FEN {
        return Err(err(
            "secured_amount_fen",
            "pledge.secured_amount",
            "担保债权金额须大于 0。".into(),
            "The secured amount must be above 0.".into(),
        ));
    }
    if let Some(c) = p.cancellation_date
        && c < p.registration_date
    {
        return Err(err(
            "cancellation_date",
            "pledge.dates",
            format!("注销日（{c}）不能早于登记日（{}）。", p.registration_date),
            format!(
                "The cancellation date ({c}) cannot be before the registration date ({}).",
                p.registration_date
            ),
        ));
    }
    Ok(PledgeTerms {
        number,
        ..p.clone()
    })
}

/// Warnings on a loan's pledges: registered long after the loan started, or cancelled before
/// the loan's end while it is not repaid.
pub fn pledge_warnings(terms: &LoanTerms, p: &PledgeTerms) -> Vec<Msg> {
    let mut w = Vec::new();
    if p.registration_date > terms.end {
        w.push(Msg::new(
            "pledge.after_loan",
            format!(
                "质押登记日 {} 晚于贷款到期日 {}。",
                p.registration_date, terms.end
            ),
            format!(
                "The pledge was registered on {}, after the loan's end {}.",
                p.registration_date, terms.end
            ),
        ));
    }
    w
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_pledge_pattern_gives_an_example_that_it_accepts() {
        for p in [
            DEFAULT_PLEDGE_NUMBER_PATTERN,
            r"^ZY\d{4}-[0-9]{6}$",
            "[A-C]{2}[0-9]",
        ] {
            let p = PledgeNumberPattern::new(p).expect("pattern");
            let ex = p.example();
            assert!(p.parse(&ex).is_ok(), "{ex} does not match {}", p.source());
        }
        assert_eq!(PledgeNumberPattern::default().example(), "A1234567890123");
    }

    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn contract() -> ContractInput {
        ContractInput {
            kind: "guarantee".into(),
            provider_name: " 深圳市高新投融资担保有限公司 ".into(),
            contract_number: " DB-2026-001 ".into(),
            fee_fen: Fen::new(2_000_000),
            paid_date: Some(d("2026-03-10")),
            paid_fen: Some(Fen::new(2_000_000)),
            ..ContractInput::default()
        }
    }

    fn contract_code(c: &ContractInput) -> (&'static str, &'static str) {
        let e = check_contract(c).expect_err("refused");
        (e.field, e.msg.code)
    }

    #[test]
    fn a_contract_is_checked_in_order() {
        assert_eq!(
            check_contract(&contract()),
            Ok(CheckedContract {
                kind: ContractKind::Guarantee,
                provider_name: "深圳市高新投融资担保有限公司".into(),
                contract_number: "DB-2026-001".into(),
            })
        );
        let with = |f: fn(&mut ContractInput)| {
            let mut c = contract();
            f(&mut c);
            c
        };
        assert_eq!(
            contract_code(&with(|c| c.kind = "loan".into())),
            ("kind", "contract.kind")
        );
        assert_eq!(
            contract_code(&with(|c| c.provider_name = "  ".into())),
            ("provider_name", "field.required")
        );
        assert_eq!(
            contract_code(&with(|c| c.provider_name = "担".repeat(201))),
            ("provider_name", "field.too_long")
        );
        assert_eq!(
            contract_code(&with(|c| c.contract_number = String::new())),
            ("contract_number", "loan.contract_number")
        );
        assert_eq!(
            contract_code(&with(|c| c.fee_fen = Fen::new(-1))),
            ("fee_fen", "contract.fee")
        );
        // Paid 20,000.01 元 on a fee of 20,000 元.
        assert_eq!(
            contract_code(&with(|c| c.paid_fen = Some(Fen::new(2_000_001)))),
            ("paid_fen", "contract.paid_over_fee")
        );
        assert_eq!(
            contract_code(&with(|c| c.paid_date = None)),
            ("paid_date", "contract.payment_pair")
        );
        // A valuation report needs its value and date.
        let valuation = with(|c| c.kind = "valuation".into());
        assert_eq!(
            contract_code(&valuation),
            ("appraised_value_fen", "contract.valuation")
        );
        let mut valued = valuation.clone();
        valued.appraised_value_fen = Some(Fen::new(800_000_000));
        valued.report_date = Some(d("2026-02-20"));
        assert_eq!(
            check_contract(&valued).map(|c| c.kind),
            Ok(ContractKind::Valuation)
        );
        valued.appraised_value_fen = Some(Fen::new(0));
        assert_eq!(
            contract_code(&valued),
            ("appraised_value_fen", "contract.valuation")
        );
    }

    #[test]
    fn a_status_date_lies_between_the_start_and_today_after_the_previous_change() {
        let (start, today) = (d("2026-03-05"), d("2026-06-30"));
        assert_eq!(check_status_date(start, today, None, start), Ok(()));
        assert_eq!(check_status_date(start, today, None, today), Ok(()));
        let code = |prev: Option<NaiveDate>, date: &str| {
            check_status_date(start, today, prev, d(date)).map_err(|e| (e.field, e.msg.code))
        };
        assert_eq!(code(None, "2026-03-04"), Err(("date", "loan.status_date")));
        assert_eq!(code(None, "2026-07-01"), Err(("date", "loan.status_date")));
        // The previous change was on 1 May: 30 April is out of order, 1 May itself is fine.
        let prev = Some(d("2026-05-01"));
        assert_eq!(code(prev, "2026-04-30"), Err(("date", "loan.status_order")));
        assert_eq!(code(prev, "2026-05-01"), Ok(()));
        let e = check_status_date(start, today, None, d("2026-03-01")).expect_err("early");
        assert_eq!(
            e.msg.en,
            "The date of a status change must be between the start 2026-03-05 and today 2026-06-30."
        );
    }

    fn terms() -> LoanTerms {
        LoanTerms {
            contract_number: " 2026-ZY-0012 ".into(),
            principal_fen: Fen::new(500_000_000),
            annual_rate: Decimal::new(345, 4),
            start: d("2026-03-05"),
            end: d("2027-03-04"),
            disbursements: vec![],
            other_collateral: false,
            ip_amount_fen: None,
            ip_ratio: None,
        }
    }

    #[test]
    fn loan_dates_outside_1990_to_2099_or_over_thirty_years_are_refused() {
        let with = |start: NaiveDate, end: NaiveDate| {
            check_terms(&LoanTerms {
                start,
                end,
                ..terms()
            })
            .map_err(|e| (e.field, e.msg.code))
        };
        let year = |y: i32| NaiveDate::from_ymd_opt(y, 6, 1).expect("date");
        assert!(with(year(1990), year(2020)).is_ok());
        assert!(with(year(2070), year(2099)).is_ok());
        assert_eq!(
            with(year(0), year(2026)),
            Err(("start_date", "loan.date_range"))
        );
        assert_eq!(
            with(year(-2026), year(2026)),
            Err(("start_date", "loan.date_range"))
        );
        assert_eq!(
            with(year(2026), year(9999)),
            Err(("end_date", "loan.date_range"))
        );
        assert_eq!(
            with(year(1989), year(2000)).map_err(|e| e.1),
            Err("loan.date_range")
        );
        // Thirty years exactly is accepted; a day more is not.
        assert!(with(d("2026-03-05"), d("2056-03-05")).is_ok());
        assert_eq!(
            with(d("2026-03-05"), d("2056-03-06")),
            Err(("end_date", "loan.term"))
        );
    }

    #[test]
    fn terms_are_normalised_and_default_disbursement_filled() {
        let t = check_terms(&terms()).unwrap();
        assert_eq!(t.contract_number, "2026-ZY-0012");
        assert_eq!(
            t.disbursements,
            vec![Disbursement {
                date: d("2026-03-05"),
                amount_fen: Fen::new(500_000_000)
            }]
        );
    }

    #[test]
    fn bad_terms_name_their_field() {
        let cases: Vec<(LoanTerms, &str)> = vec![
            (
                LoanTerms {
                    principal_fen: Fen::new(0),
                    ..terms()
                },
                "loan.principal",
            ),
            (
                LoanTerms {
                    principal_fen: Fen::new(-5),
                    ..terms()
                },
                "loan.principal",
            ),
            (
                LoanTerms {
                    end: d("2026-03-01"),
                    ..terms()
                },
                "loan.dates",
            ),
            (
                LoanTerms {
                    end: d("2026-03-05"),
                    ..terms()
                },
                "loan.dates",
            ),
            (
                LoanTerms {
                    ip_ratio: Some(Decimal::new(15, 1)),
                    other_collateral: true,
                    ..terms()
                },
                "loan.ip_ratio",
            ),
            (
                LoanTerms {
                    ip_ratio: Some(Decimal::ZERO),
                    ..terms()
                },
                "loan.ip_ratio",
            ),
            (
                LoanTerms {
                    other_collateral: true,
                    ..terms()
                },
                "loan.ip_share_required",
            ),
            (
                LoanTerms {
                    annual_rate: Decimal::new(5, 0),
                    ..terms()
                },
                "loan.rate",
            ),
            (
                LoanTerms {
                    disbursements: vec![Disbursement {
                        date: d("2026-01-01"),
                        amount_fen: Fen::new(1),
                    }],
                    ..terms()
                },
                "loan.disbursement_date",
            ),
            (
                LoanTerms {
                    disbursements: vec![
                        Disbursement {
                            date: d("2026-03-05"),
                            amount_fen: Fen::new(300_000_000),
                        },
                        Disbursement {
                            date: d("2026-04-05"),
                            amount_fen: Fen::new(300_000_000),
                        },
                    ],
                    ..terms()
                },
                "loan.disbursement_total",
            ),
            (
                LoanTerms {
                    contract_number: "  ".into(),
                    ..terms()
                },
                "loan.contract_number",
            ),
        ];
        for (t, code) in cases {
            let e = check_terms(&t).unwrap_err();
            assert_eq!(e.msg.code, code, "{t:?}");
        }
        // Ratio of exactly 1 and an amount equal to the principal are fine.
        assert!(
            check_terms(&LoanTerms {
                ip_ratio: Some(Decimal::ONE),
                other_collateral: true,
                ..terms()
            })
            .is_ok()
        );
        assert!(
            check_terms(&LoanTerms {
                ip_amount_fen: Some(Fen::new(500_000_000)),
                other_collateral: true,
                ..terms()
            })
            .is_ok()
        );
    }

    #[test]
    fn payments_never_exceed_the_principal() {
        let t = check_terms(&terms()).unwrap();
        let p = |date: &str, principal_fen: i64, interest_fen: i64| Payment {
            date: d(date),
            principal_fen: Fen::new(principal_fen),
            interest_fen: Fen::new(interest_fen),
        };
        let earlier = vec![p("2026-06-05", 300_000_000, 4_000_000)];
        assert!(check_payment(&t, &earlier, &p("2026-09-05", 200_000_000, 0)).is_ok());
        let e = check_payment(&t, &earlier, &p("2026-09-05", 200_000_001, 0)).unwrap_err();
        assert_eq!(e.msg.code, "payment.over_principal");
        assert!(e.msg.zh.contains("5,000,000.01"), "{}", e.msg.zh);
        let e = check_payment(&t, &[], &p("2026-03-01", 1, 0)).unwrap_err();
        assert_eq!(e.msg.code, "payment.date");
        let e = check_payment(&t, &[], &p("2026-04-01", 0, 0)).unwrap_err();
        assert_eq!(e.msg.code, "payment.amount");
        let w = check_payment(&t, &[], &p("2027-04-01", 0, 100)).unwrap();
        assert_eq!(w[0].code, "payment.interest_after_end");
        // Repayments whose total does not fit in fen are refused, not wrapped into a small sum.
        let huge = vec![p("2026-06-05", i64::MAX, 0)];
        let e = check_payment(&t, &huge, &p("2026-09-05", 1, 0)).unwrap_err();
        assert_eq!(e.msg.code, "amount.overflow");
        assert!(
            status_warnings(
                &t,
                &[huge[0].clone(), p("2026-09-05", 1, 0)],
                LoanStatus::Repaid
            )
            .is_empty()
        );
        assert!(
            check_terms_against_payments(
                &LoanTerms {
                    principal_fen: Fen::new(200_000_000),
                    ..t.clone()
                },
                &earlier
            )
            .is_err()
        );
        assert_eq!(
            status_warnings(&t, &earlier, LoanStatus::Repaid)[0].code,
            "loan.repaid_with_balance"
        );
        assert!(status_warnings(&t, &earlier, LoanStatus::Overdue).is_empty());
    }

    #[test]
    fn pledge_numbers_follow_the_pattern() {
        let p = PledgeNumberPattern::default();
        assert_eq!(p.parse(" y2023 9800 12345 ").unwrap(), "Y2023980012345");
        assert_eq!(
            p.parse("Ｙ２０２３９８００１２３４５").unwrap(),
            "Y2023980012345"
        );
        for bad in [
            "2023980012345",
            "Y202398001234",
            "Y20239800123456",
            "YY023980012345",
            "",
        ] {
            let e = p.parse(bad).unwrap_err();
            assert_eq!(e.field, "pledge_number");
            assert!(e.msg.zh.contains("格式不对"));
        }
        let custom = PledgeNumberPattern::new(r"^(Y|Z)").unwrap_err();
        assert!(custom.contains("不支持"));
        let custom = PledgeNumberPattern::new(r"[YZ]\d{4}-[0-9]{2,6}").unwrap();
        assert!(custom.parse("Z2024-123").is_ok());
        assert!(custom.parse("Z2024-1").is_err());
        assert!(custom.parse("X2024-123").is_err());
        assert!(PledgeNumberPattern::new("[A-Z").is_err());
        assert!(PledgeNumberPattern::new(r"\d{3,1}").is_err());
    }

    #[test]
    fn pledge_dates_in_order() {
        let pattern = PledgeNumberPattern::default();
        let p = PledgeTerms {
            number: "Y2026980012345".into(),
            secured_amount_fen: Fen::new(1),
            registration_date: d("2026-03-01"),
            cancellation_date: Some(d("2026-02-01")),
        };
        assert_eq!(
            check_pledge(&pattern, &p).unwrap_err().msg.code,
            "pledge.dates"
        );
        let p = PledgeTerms {
            secured_amount_fen: Fen::new(0),
            cancellation_date: None,
            ..p
        };
        assert_eq!(
            check_pledge(&pattern, &p).unwrap_err().msg.code,
            "pledge.secured_amount"
        );
    }
}
