//! Money: `Fen`, an amount in integer fen whose arithmetic is checked (an overflow is an error,
//! never a wrapped or saturated value), and exact money input: amounts typed by people (元 or
//! 万元, with thousands separators) become integer fen without ever passing through floating
//! point.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt;

/// An amount of money in fen (分, 1/100 元). The database and the API carry the plain integer
/// (`#[serde(transparent)]`); arithmetic past the edge goes through the checked operations.
/// Its JSON Schema (`schemars`, for the policy document) is the integer's, inlined, so a
/// document that states an amount keeps the schema `{"type": "integer", "format": "int64"}`.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Fen(i64);

/// The schema of the plain integer, inlined where an amount is used (never a `$defs/Fen`
/// entry): the policy document's published schema is the same as when amounts were `i64`.
impl schemars::JsonSchema for Fen {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        <i64 as schemars::JsonSchema>::schema_name()
    }
    fn schema_id() -> std::borrow::Cow<'static, str> {
        <i64 as schemars::JsonSchema>::schema_id()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        <i64 as schemars::JsonSchema>::json_schema(generator)
    }
}

/// An amount that does not fit in fen (beyond ±9.2 × 10^16 元): the calculation is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MoneyOverflow;

impl std::fmt::Display for MoneyOverflow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("amount out of range")
    }
}

impl std::error::Error for MoneyOverflow {}

impl MoneyOverflow {
    /// The refusal people see (`amount.overflow`), naming no field.
    pub fn msg() -> crate::message::Msg {
        crate::message::Msg::new(
            "amount.overflow",
            "金额超出可计算范围，请核对金额的单位。",
            "An amount is out of range; check the units of the amounts.",
        )
    }
    /// The refusal as an error on a form field.
    pub fn field(field: &'static str) -> crate::message::FieldError {
        crate::message::FieldError {
            field,
            msg: MoneyOverflow::msg(),
        }
    }
}

impl Fen {
    pub const ZERO: Fen = Fen(0);

    pub const fn new(fen: i64) -> Fen {
        Fen(fen)
    }
    /// The integer fen, for the database and the API.
    pub const fn get(self) -> i64 {
        self.0
    }
    /// Whole 元 as fen, if it fits.
    pub fn from_yuan(yuan: i64) -> Option<Fen> {
        yuan.checked_mul(100).map(Fen)
    }
    pub fn checked_add(self, other: Fen) -> Option<Fen> {
        self.0.checked_add(other.0).map(Fen)
    }
    pub fn checked_sub(self, other: Fen) -> Option<Fen> {
        self.0.checked_sub(other.0).map(Fen)
    }
    /// The amount `n` times (a per-loan amount for `n` loans).
    pub fn checked_mul(self, n: i64) -> Option<Fen> {
        self.0.checked_mul(n).map(Fen)
    }
    /// The amount times an exact ratio, rounded half away from zero to the fen.
    pub fn checked_mul_ratio(self, ratio: Decimal) -> Option<Fen> {
        Decimal::from(self.0)
            .checked_mul(ratio)
            .and_then(Fen::from_decimal)
    }
    /// An exact amount in fen, rounded half away from zero to the fen, if it fits.
    pub fn from_decimal(fen: Decimal) -> Option<Fen> {
        use rust_decimal::prelude::ToPrimitive;
        fen.round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
            .to_i64()
            .map(Fen)
    }
    /// The amount as an exact decimal number of fen.
    pub fn to_decimal(self) -> Decimal {
        Decimal::from(self.0)
    }
    /// Negative amounts count as zero.
    pub fn non_negative(self) -> Fen {
        Fen(self.0.max(0))
    }
    pub fn is_positive(self) -> bool {
        self.0 > 0
    }
    /// The amount in 元 with two decimals and thousands separators, without the unit:
    /// `1,234,567.89`, `-0.05` (for messages and tables that name the unit elsewhere).
    pub fn yuan(self) -> String {
        let abs = self.0.unsigned_abs();
        let sign = if self.0 < 0 { "-" } else { "" };
        format!("{sign}{}.{:02}", group_thousands(abs / 100), abs % 100)
    }
    /// The amount in 元 as a person types it back into a form: two decimals, no separators
    /// (`5000000.00`, `-0.05`).
    pub fn plain(self) -> String {
        let abs = self.0.unsigned_abs();
        let sign = if self.0 < 0 { "-" } else { "" };
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }
    /// The sum of the amounts, or `MoneyOverflow` if it does not fit.
    pub fn sum<I: IntoIterator<Item = Fen>>(amounts: I) -> Result<Fen, MoneyOverflow> {
        amounts
            .into_iter()
            .try_fold(Fen::ZERO, |acc, a| acc.checked_add(a).ok_or(MoneyOverflow))
    }
}

impl From<i64> for Fen {
    fn from(fen: i64) -> Fen {
        Fen(fen)
    }
}

/// An amount compares with a plain number of fen (tests, and a stored figure checked
/// against a literal); arithmetic still goes through the checked operations.
impl PartialEq<i64> for Fen {
    fn eq(&self, other: &i64) -> bool {
        self.0 == *other
    }
}

/// An amount orders against a plain number of fen (`amount >= 0`, a bound); no arithmetic.
impl PartialOrd<i64> for Fen {
    fn partial_cmp(&self, other: &i64) -> Option<std::cmp::Ordering> {
        self.0.partial_cmp(other)
    }
}

impl From<&Fen> for Fen {
    fn from(f: &Fen) -> Fen {
        *f
    }
}

impl From<Fen> for i64 {
    fn from(f: Fen) -> i64 {
        f.0
    }
}

/// 元 with two decimals and thousands separators: `1,234,567.89 元`, `-0.05 元`.
impl fmt::Display for Fen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} 元", self.yuan())
    }
}

/// Parses a non-negative decimal amount in a unit of `fen_per_unit` fen (元 = 100, 万元 =
/// 1,000,000) into fen. Accepts `1,234.56`, full-width digits and surrounding spaces; refuses
/// more decimals than the unit can hold exactly, signs, and overflow.
pub fn parse_amount(input: &str, fen_per_unit: i64) -> Option<i64> {
    let s: String = crate::credit_code::normalize(input).replace(',', "");
    if s.is_empty() || !s.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, f),
        None => (s.as_str(), ""),
    };
    if int.is_empty() && frac.is_empty() || frac.contains('.') {
        return None;
    }
    let scale_digits = fen_per_unit.checked_ilog10()? as usize;
    if 10i64.checked_pow(scale_digits as u32)? != fen_per_unit || frac.len() > scale_digits {
        return None;
    }
    let int_part: i64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let frac_part: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<scale_digits$}").parse().ok()?
    };
    int_part.checked_mul(fen_per_unit)?.checked_add(frac_part)
}

/// 元 as a spreadsheet number, for exports only: spreadsheets hold numbers as IEEE doubles, so
/// the exact decimal text of the amount is converted once, at the boundary. Every amount below
/// 2^53 fen (about 90 trillion 元) round-trips to the same two-decimal text.
pub fn fen_to_sheet_number(fen: i64) -> f64 {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
        .parse()
        .unwrap_or(0.0)
}

/// Digits with a comma every three places: 1234567 → `1,234,567`.
pub fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    grouped
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    #[test]
    fn fen_by_hand() {
        let a = Fen::new(123_456);
        assert_eq!(a.to_string(), "1,234.56 元");
        assert_eq!(Fen::new(-5).to_string(), "-0.05 元");
        assert_eq!(
            Fen::new(i64::MIN).to_string(),
            "-92,233,720,368,547,758.08 元"
        );
        assert_eq!(Fen::from_yuan(1_500), Some(Fen::new(150_000)));
        assert_eq!(Fen::from_yuan(i64::MAX / 10), None);
        assert_eq!(a.checked_add(Fen::new(44)), Some(Fen::new(123_500)));
        assert_eq!(a.checked_sub(Fen::new(123_457)), Some(Fen::new(-1)));
        assert_eq!(Fen::new(-1).non_negative(), Fen::ZERO);
        assert_eq!(Fen::new(5_000).checked_mul(3), Some(Fen::new(15_000)));
        // 3.45% of 5,000,000 元, and halves rounded away from zero.
        assert_eq!(
            Fen::new(500_000_000).checked_mul_ratio(dec!(0.0345)),
            Some(Fen::new(17_250_000))
        );
        assert_eq!(Fen::new(1).checked_mul_ratio(dec!(0.5)), Some(Fen::new(1)));
        assert_eq!(
            Fen::new(-1).checked_mul_ratio(dec!(0.5)),
            Some(Fen::new(-1))
        );
        assert_eq!(Fen::new(1).checked_mul_ratio(dec!(0.49)), Some(Fen::ZERO));
        assert_eq!(Fen::new(i64::MAX).checked_add(Fen::new(1)), None, "no wrap");
        assert_eq!(Fen::new(i64::MIN).checked_sub(Fen::new(1)), None);
        assert_eq!(Fen::new(i64::MAX).checked_mul(2), None);
        assert_eq!(Fen::new(i64::MAX).checked_mul_ratio(dec!(1.5)), None);
        assert_eq!(
            Fen::sum([Fen::new(1), Fen::new(2), Fen::new(3)]),
            Ok(Fen::new(6))
        );
        assert_eq!(
            Fen::sum([Fen::new(i64::MAX), Fen::new(1)]),
            Err(MoneyOverflow)
        );
        assert_eq!(serde_json::to_string(&a).ok().as_deref(), Some("123456"));
        assert_eq!(
            serde_json::to_value(schemars::schema_for!(Option<Fen>)).ok(),
            serde_json::to_value(schemars::schema_for!(Option<i64>)).ok(),
            "the JSON Schema of an amount is the integer's"
        );
        assert_eq!(serde_json::from_str::<Fen>("-7").ok(), Some(Fen::new(-7)));
        assert!(Fen::new(2) > Fen::new(1));
        assert!(Fen::new(2) > 1 && Fen::new(-1) < 0 && Fen::ZERO >= 0);
        assert_eq!(Fen::new(-123_456).yuan(), "-1,234.56");
        assert_eq!(
            MoneyOverflow::field("principal_fen").msg.code,
            "amount.overflow"
        );
        assert_eq!(MoneyOverflow::field("principal_fen").field, "principal_fen");
    }

    proptest! {
        /// A sum is the exact integer sum when it fits and an error when it does not: never a
        /// wrapped or saturated value.
        #[test]
        fn sums_are_exact_or_refused(amounts in proptest::collection::vec(any::<i64>(), 0..8)) {
            let exact: i128 = amounts.iter().map(|a| i128::from(*a)).sum();
            let partial_overflow = amounts.iter().try_fold(0i64, |acc, a| acc.checked_add(*a)).is_none();
            match Fen::sum(amounts.iter().copied().map(Fen::new)) {
                Ok(s) => {
                    prop_assert_eq!(i128::from(s.get()), exact);
                    prop_assert!(!partial_overflow);
                }
                Err(MoneyOverflow) => prop_assert!(partial_overflow),
            }
        }

        #[test]
        fn add_and_sub_are_exact_or_none(a in any::<i64>(), b in any::<i64>()) {
            let sum = i128::from(a) + i128::from(b);
            match Fen::new(a).checked_add(Fen::new(b)) {
                Some(s) => prop_assert_eq!(i128::from(s.get()), sum),
                None => prop_assert!(sum > i128::from(i64::MAX) || sum < i128::from(i64::MIN)),
            }
            let diff = i128::from(a) - i128::from(b);
            match Fen::new(a).checked_sub(Fen::new(b)) {
                Some(s) => prop_assert_eq!(i128::from(s.get()), diff),
                None => prop_assert!(diff > i128::from(i64::MAX) || diff < i128::from(i64::MIN)),
            }
        }

        #[test]
        fn display_round_trips_through_parse(f in 0i64..i64::MAX) {
            let text = Fen::new(f).to_string();
            let number = text.trim_end_matches(" 元");
            prop_assert_eq!(parse_amount(number, 100), Some(f));
        }
    }

    #[test]
    fn exact_amounts() {
        assert_eq!(parse_amount("1500", 1_000_000), Some(1_500_000_000));
        assert_eq!(parse_amount("0.000001", 1_000_000), Some(1));
        assert_eq!(parse_amount("1,234.56", 100), Some(123_456));
        assert_eq!(parse_amount("１２.５", 100), Some(1250));
        assert_eq!(parse_amount(".5", 100), Some(50));
        assert_eq!(parse_amount("0.001", 100), None, "more decimals than fen");
        assert_eq!(parse_amount("-1", 100), None);
        assert_eq!(parse_amount("1e3", 100), None);
        assert_eq!(parse_amount("", 100), None);
        assert_eq!(parse_amount(".", 100), None);
        assert_eq!(parse_amount("1.2.3", 100), None);
        assert_eq!(parse_amount("99999999999999999999", 100), None);
        assert_eq!(format!("{:.2}", fen_to_sheet_number(123_456)), "1234.56");
        assert_eq!(format!("{:.2}", fen_to_sheet_number(-5)), "-0.05");
    }
}
