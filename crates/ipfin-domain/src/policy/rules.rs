//! The rule model of a policy version, as data (SPEC §3.4): subsidy items with ratios and caps
//! per enterprise class, limits on what counts as the base, interest rules relative to the
//! LPR, application and enterprise caps over a period, conditions, and the budget. Every rule
//! set seen in published district policies is a value of these types; none needs code.

use super::lpr::LprTerm;
use crate::ip_number::IpKind;
use crate::message::Msg;
use crate::money::Fen;
use crate::size::SizeClass;
use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A ratio between 0 and 1 inclusive, exact (0.7 = 70%). In JSON it is a plain decimal string
/// (`"0.7"`, `"1"`, `"0.042"`) or a number; the parser accepts exactly what the schema's
/// pattern does, so `"1e-1"`, `".5"` or `"70%"` are refused by both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(into = "Decimal")]
pub struct Ratio(Decimal);

/// The schema's pattern for a ratio written as a string.
fn ratio_text_ok(s: &str) -> bool {
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    match s.split_once('.') {
        None => s == "0" || s == "1",
        Some(("0", f)) => digits(f),
        Some(("1", f)) => digits(f) && f.bytes().all(|b| b == b'0'),
        Some(_) => false,
    }
}

impl<'de> Deserialize<'de> for Ratio {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Ratio, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Ratio;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("比例（0 到 1 之间的小数，如 \"0.7\"）")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Ratio, E> {
                let bad = || {
                    E::custom(format!(
                        "比例应写作 0 到 1 之间的小数（如 \"0.7\" 表示 70%），“{s}”不符合要求"
                    ))
                };
                if !ratio_text_ok(s) {
                    return Err(bad());
                }
                let v: Decimal = s.parse().map_err(|_| bad())?;
                Ratio::new(v).map_err(E::custom)
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Ratio, E> {
                // The number as written (Display is its shortest form, never an exponent),
                // not its binary approximation.
                let d = v
                    .to_string()
                    .parse::<Decimal>()
                    .map_err(|_| E::custom(format!("比例应为 0 到 1 之间的小数，实际为 {v}")))?;
                Ratio::new(d).map_err(E::custom)
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Ratio, E> {
                Ratio::new(Decimal::from(v)).map_err(E::custom)
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Ratio, E> {
                Ratio::new(Decimal::from(v)).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

impl Ratio {
    pub const ZERO: Ratio = Ratio(Decimal::ZERO);
    pub const ONE: Ratio = Ratio(Decimal::ONE);

    pub fn new(v: Decimal) -> Result<Ratio, String> {
        if v < Decimal::ZERO || v > Decimal::ONE {
            return Err(format!("比例应在 0 到 1 之间（0%–100%），实际为 {v}"));
        }
        Ok(Ratio(v.normalize()))
    }

    /// From a percentage: 70 → 0.7.
    pub fn percent(p: Decimal) -> Result<Ratio, String> {
        Ratio::new(p / Decimal::ONE_HUNDRED)
    }

    pub fn value(self) -> Decimal {
        self.0
    }

    /// As people write it: 70%, 1.2%.
    pub fn display(self) -> String {
        format!("{}%", (self.0 * Decimal::ONE_HUNDRED).normalize())
    }
}

impl JsonSchema for Ratio {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Ratio".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "比例，0 到 1 之间的小数（70% 写作 \"0.7\"）/ a ratio between 0 and 1, as a decimal string",
            "type": ["string", "number"],
            "pattern": "^(0(\\.[0-9]+)?|1(\\.0+)?)$",
            "minimum": 0,
            "maximum": 1
        })
    }
}

impl TryFrom<Decimal> for Ratio {
    type Error = String;
    fn try_from(v: Decimal) -> Result<Ratio, String> {
        Ratio::new(v)
    }
}

impl From<Ratio> for Decimal {
    fn from(r: Ratio) -> Decimal {
        r.0
    }
}

/// A value per enterprise size class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub struct PerClass<T> {
    pub large: T,
    pub medium: T,
    pub small: T,
    pub micro: T,
}

impl<T> PerClass<Option<T>> {
    /// No class has a value (an optional cap that is not set).
    pub fn is_unset(&self) -> bool {
        self.large.is_none()
            && self.medium.is_none()
            && self.small.is_none()
            && self.micro.is_none()
    }
}

impl<T: Copy> PerClass<T> {
    /// The same value for every class.
    pub fn all(v: T) -> PerClass<T> {
        PerClass {
            large: v,
            medium: v,
            small: v,
            micro: v,
        }
    }

    /// One value for large enterprises, another for SMEs (medium, small, micro).
    pub fn large_and_sme(large: T, sme: T) -> PerClass<T> {
        PerClass {
            large,
            medium: sme,
            small: sme,
            micro: sme,
        }
    }

    pub fn get(&self, c: SizeClass) -> T {
        match c {
            SizeClass::Large => self.large,
            SizeClass::Medium => self.medium,
            SizeClass::Small => self.small,
            SizeClass::Micro => self.micro,
        }
    }

    pub fn map<U>(&self, f: impl Fn(T) -> U) -> PerClass<U> {
        PerClass {
            large: f(self.large),
            medium: f(self.medium),
            small: f(self.small),
            micro: f(self.micro),
        }
    }
}

/// What a subsidy item pays towards.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Item {
    /// 贴息: interest paid.
    Interest,
    /// 评估费.
    Evaluation,
    /// 担保费.
    Guarantee,
    /// 保险费.
    Insurance,
}

impl Item {
    pub const ALL: [Item; 4] = [
        Item::Interest,
        Item::Evaluation,
        Item::Guarantee,
        Item::Insurance,
    ];

    pub fn zh(self) -> &'static str {
        match self {
            Item::Interest => "贷款贴息",
            Item::Evaluation => "评估费补贴",
            Item::Guarantee => "担保费补贴",
            Item::Insurance => "保险费补贴",
        }
    }

    /// The item's name in English (glossary: docs/glossary.md).
    pub fn en(self) -> &'static str {
        match self {
            Item::Interest => "Interest subsidy",
            Item::Evaluation => "Evaluation fee subsidy",
            Item::Guarantee => "Guarantee fee subsidy",
            Item::Insurance => "Insurance fee subsidy",
        }
    }

    /// The item's name in the reader's language.
    pub fn label(self, lang: crate::message::Lang) -> &'static str {
        match lang {
            crate::message::Lang::Zh => self.zh(),
            crate::message::Lang::En => self.en(),
        }
    }

    /// What the item pays towards, in English: interest, evaluation fee …
    pub fn fee_en(self) -> &'static str {
        match self {
            Item::Interest => "interest",
            Item::Evaluation => "evaluation fee",
            Item::Guarantee => "guarantee fee",
            Item::Insurance => "insurance fee",
        }
    }

    /// What the item pays towards: 利息, 评估费 …
    pub fn fee_zh(self) -> &'static str {
        match self {
            Item::Interest => "利息",
            Item::Evaluation => "评估费",
            Item::Guarantee => "担保费",
            Item::Insurance => "保险费",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Item::Interest => "interest",
            Item::Evaluation => "evaluation",
            Item::Guarantee => "guarantee",
            Item::Insurance => "insurance",
        }
    }

    /// The item with this code, if any.
    pub fn from_code(s: &str) -> Option<Item> {
        Item::ALL.iter().copied().find(|i| i.code() == s)
    }
}

/// Stored item codes are decoded like every other vocabulary: an unknown one is refused.
impl crate::code_enum::CodeEnum for Item {
    const NAME: &'static str = "Item";
    fn from_code(s: &str) -> Option<Item> {
        Item::from_code(s)
    }
    fn code(self) -> &'static str {
        Item::code(self)
    }
}

/// Which LPR value a rule refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "date", rename_all = "snake_case")]
pub enum LprDate {
    /// The value in force on the loan's start date.
    LoanStart { term: LprTerm },
    /// The value published in a month of the year the loan is repaid (Fujian: December).
    RepaymentYearMonth { term: LprTerm, month: u32 },
}

impl LprDate {
    pub fn term(self) -> LprTerm {
        match self {
            LprDate::LoanStart { term } | LprDate::RepaymentYearMonth { term, .. } => term,
        }
    }
}

/// How the interest item's base is found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct InterestRule {
    /// The base is the financed amount × min(this LPR, the loan's rate) × days ÷ 360, instead
    /// of the interest paid (Fujian: a share of the December LPR of the repayment year).
    pub rate_base: Option<LprDate>,
    /// The base is at most interest at this LPR on the financed amount (× days ÷ 360).
    pub limit_to_lpr: Option<LprDate>,
    /// Only loans whose annual rate is at most this LPR × (1 + margin) (Beijing: 40% above).
    pub max_rate_over_lpr: Option<(LprDate, Ratio)>,
    /// At most this many days of each loan count (a year: 365).
    pub max_days: Option<u32>,
}

/// One subsidy item of a policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemRule {
    pub item: Item,
    /// Share of the base paid, per class.
    pub ratio: PerClass<Ratio>,
    /// Share paid instead when the loan is guaranteed or insured (Fujian: 50% for small and
    /// micro enterprises).
    #[serde(default)]
    pub ratio_if_guaranteed: Option<PerClass<Ratio>>,
    /// Cap per application, per class (fen).
    #[serde(default)]
    pub cap_fen: PerClass<Option<Fen>>,
    /// Cap per enterprise per policy year, per class (fen): what the enterprise was granted or
    /// has in progress for this item under any version of the same policy in the same policy
    /// year counts against it (R2.1 "per enterprise per policy year"; decision 0032).
    #[serde(default, skip_serializing_if = "PerClass::is_unset")]
    pub annual_cap_fen: PerClass<Option<Fen>>,
    /// Cap as a share of the principal of the application's loans (interest ≤ 3% of the loan).
    #[serde(default)]
    pub cap_share_of_principal: Option<Ratio>,
    /// The base counts only up to this share of the loan's principal (Futian: fees ≤ 4%).
    #[serde(default)]
    pub base_max_share_of_principal: Option<Ratio>,
    /// Interest only.
    #[serde(default)]
    pub interest: Option<InterestRule>,
}

impl ItemRule {
    /// An item at these ratios with no caps, limits or interest rule: what a rule set adds to.
    pub fn new(item: Item, ratio: PerClass<Ratio>) -> ItemRule {
        ItemRule {
            item,
            ratio,
            ratio_if_guaranteed: None,
            cap_fen: PerClass::all(None),
            annual_cap_fen: PerClass::all(None),
            cap_share_of_principal: None,
            base_max_share_of_principal: None,
            interest: None,
        }
    }
}

/// The period over which an enterprise's subsidies are capped: `"year"`, `"lifetime"` or
/// `{"years": 3}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CapPeriod {
    /// Per policy year.
    Year,
    /// Over the enterprise's lifetime.
    Lifetime,
    /// Over N consecutive years.
    Years(u32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnterpriseCap {
    pub amount_fen: PerClass<Option<Fen>>,
    pub period: CapPeriod,
}

/// Conditions every application must meet.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Conditions {
    /// IP kinds whose pledge loans count (empty: all).
    pub ip_kinds: Vec<IpKind>,
    /// Loans longer than this many days do not count (for rules that say days).
    pub max_loan_days: Option<u32>,
    /// Loans longer than this many calendar months do not count (Futian: one year = 12
    /// months, whatever the leap days): the end date is at most the start date plus the
    /// months (31 January + 1 month = 28 or 29 February). Not together with days.
    pub max_loan_months: Option<u32>,
    /// Only enterprises with operating revenue at most this (Beijing: CNY 200 million).
    pub max_revenue_fen: Option<Fen>,
}

/// A policy version's rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    pub items: Vec<ItemRule>,
    /// Cap per application, per class.
    #[serde(default)]
    pub application_cap_fen: PerClass<Option<Fen>>,
    #[serde(default)]
    pub enterprise_cap: Option<EnterpriseCap>,
    #[serde(default)]
    pub conditions: Conditions,
    /// A limit several items share, on each loan.
    #[serde(default)]
    pub fee_group_limit: Option<GroupLimit>,
    #[serde(default)]
    pub institution_reward: Option<RewardRule>,
    #[serde(default)]
    pub securitisation: Option<SecuritisationRule>,
}

impl Rules {
    /// These items and nothing else: no application or enterprise cap, no conditions, no
    /// reward or securitisation.
    pub fn with_items(items: Vec<ItemRule>) -> Rules {
        Rules {
            items,
            application_cap_fen: PerClass::all(None),
            enterprise_cap: None,
            conditions: Conditions::default(),
            fee_group_limit: None,
            institution_reward: None,
            securitisation: None,
        }
    }
}

/// A problem in a rule document, at a JSON path such as `items[0].cap_fen.small`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    pub path: String,
    pub msg: Msg,
}

fn err(path: String, code: &'static str, zh: String, en: String) -> RuleError {
    RuleError {
        path,
        msg: Msg::new(code, zh, en),
    }
}

fn check_cap(path: &str, caps: &PerClass<Option<Fen>>, out: &mut Vec<RuleError>) {
    for (c, v) in SizeClass::ALL.iter().map(|c| (c, caps.get(*c))) {
        if let Some(v) = v
            && v < Fen::ZERO
        {
            out.push(err(
                format!("{path}.{}", c.code()),
                "policy.cap_negative",
                format!("上限不能为负数（{}）。", c.label(crate::message::Lang::Zh)),
                format!("A cap cannot be negative ({}).", c.code()),
            ));
        } else if let Some(v) = v {
            check_amount(&format!("{path}.{}", c.code()), v, out);
        }
    }
}

/// An amount of a rule above the engine's bound ([`super::calc::MAX_FEN`]) or below 0.
pub(crate) fn check_amount(path: &str, v: Fen, out: &mut Vec<RuleError>) {
    if let Some(msg) = super::calc::amount_problem(&format!("规则金额（{path}）"), v, 0) {
        out.push(RuleError {
            path: path.to_string(),
            msg,
        });
    }
}

impl Rules {
    /// Checks what the types cannot: caps not negative, each item once, an interest rule only
    /// on the interest item, SME ratios at least the large-enterprise ones is a conformance
    /// matter (SPEC §9), not an error. Returns every problem, each naming its JSON path.
    pub fn check(&self) -> Vec<RuleError> {
        let mut out = Vec::new();
        if self.items.is_empty() {
            out.push(err(
                "items".into(),
                "policy.no_items",
                "请至少设置一个资助项目。".into(),
                "Set at least one subsidy item.".into(),
            ));
        }
        for (i, it) in self.items.iter().enumerate() {
            let path = format!("items[{i}]");
            if self.items[..i].iter().any(|o| o.item == it.item) {
                out.push(err(
                    format!("{path}.item"),
                    "policy.item_twice",
                    format!("资助项目“{}”重复设置。", it.item.zh()),
                    format!("The item {} is set twice.", it.item.code()),
                ));
            }
            check_cap(&format!("{path}.cap_fen"), &it.cap_fen, &mut out);
            check_cap(
                &format!("{path}.annual_cap_fen"),
                &it.annual_cap_fen,
                &mut out,
            );
            if it.interest.is_some() && it.item != Item::Interest {
                out.push(err(
                    format!("{path}.interest"),
                    "policy.interest_rule",
                    "利率规则只能用于贷款贴息项目。".into(),
                    "Interest rules apply to the interest item only.".into(),
                ));
            }
            if let Some(InterestRule {
                rate_base: Some(LprDate::RepaymentYearMonth { month, .. }),
                ..
            }) = it.interest
                && !(1..=12).contains(&month)
            {
                out.push(err(
                    format!("{path}.interest.rate_base.month"),
                    "policy.month",
                    "月份应为 1–12。".into(),
                    "The month is 1–12.".into(),
                ));
            }
        }
        check_cap("application_cap_fen", &self.application_cap_fen, &mut out);
        let c = &self.conditions;
        if c.max_loan_days.is_some() && c.max_loan_months.is_some() {
            out.push(err(
                "conditions.max_loan_months".into(),
                "policy.term_units",
                "贷款期限上限只能按天（max_loan_days）或按月（max_loan_months）中的一种设置，不能同时设置。".into(),
                "Set the loan term limit in days or in months, not both.".into(),
            ));
        }
        if c.max_loan_months == Some(0) || c.max_loan_days == Some(0) {
            out.push(err(
                if c.max_loan_months == Some(0) {
                    "conditions.max_loan_months".into()
                } else {
                    "conditions.max_loan_days".into()
                },
                "policy.term_zero",
                "贷款期限上限应至少为 1（天或月）。".into(),
                "The loan term limit is at least 1.".into(),
            ));
        }
        if let Some(v) = self.conditions.max_revenue_fen {
            check_amount("conditions.max_revenue_fen", v, &mut out);
        }
        if let Some(r) = &self.institution_reward {
            check_amount("institution_reward.per_loan_fen", r.per_loan_fen, &mut out);
            if let Some(c) = r.cap_per_year_fen {
                check_amount("institution_reward.cap_per_year_fen", c, &mut out);
            }
        }
        if let Some(c) = self.securitisation.and_then(|s| s.cap_per_year_fen) {
            check_amount("securitisation.cap_per_year_fen", c, &mut out);
        }
        if let Some(c) = &self.enterprise_cap {
            check_cap("enterprise_cap.amount_fen", &c.amount_fen, &mut out);
            if let CapPeriod::Years(0) = c.period {
                out.push(err(
                    "enterprise_cap.years".into(),
                    "policy.years",
                    "年限应至少为 1 年。".into(),
                    "The number of years is at least 1.".into(),
                ));
            }
        }
        out
    }
}

/// Several items whose bases together count only up to a share of the loan's principal
/// (Futian: guarantee, evaluation and other service fees up to 4%).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupLimit {
    pub items: Vec<Item>,
    pub share_of_principal: Ratio,
}

/// Rewards to financial institutions (SPEC §3.4): a share of the financed amount of the year's
/// qualifying IP pledge loans (min(principal, secured amount) × IP share) and/or an amount per
/// loan, capped per institution per year; optionally only loans to first-time borrowers, of
/// some IP kinds, or to enterprises of some classes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RewardRule {
    pub ratio: Ratio,
    #[serde(default)]
    pub per_loan_fen: Fen,
    pub cap_per_year_fen: Option<Fen>,
    /// Only loans to enterprises borrowing against IP for the first time ("or of loans to
    /// first-time borrowers").
    #[serde(default)]
    pub first_time_borrowers_only: bool,
    /// Only loans pledging these IP kinds (empty: all).
    #[serde(default)]
    pub ip_kinds: Vec<IpKind>,
    /// Only loans to enterprises of the classes marked true (absent: all), e.g. SMEs only:
    /// `{"large": false, "medium": true, "small": true, "micro": true}`.
    #[serde(default)]
    pub classes: Option<PerClass<bool>>,
}

/// Securitisation support: a share of the financing cost (interest and guarantee fee paid),
/// capped per year and granted for a limited number of years.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecuritisationRule {
    pub ratio: Ratio,
    pub cap_per_year_fen: Option<Fen>,
    pub max_years: Option<u32>,
}

#[cfg(test)]
mod item_code_tests {
    use super::Item;

    #[test]
    fn item_codes_round_trip_and_unknown_ones_are_refused() {
        for i in Item::ALL {
            assert_eq!(Item::from_code(i.code()), Some(i));
        }
        // Adversarial: a near miss, a different case, an application kind, empty.
        for bad in ["interests", "Interest", "securitisation", ""] {
            assert_eq!(Item::from_code(bad), None, "{bad:?}");
        }
    }
}
