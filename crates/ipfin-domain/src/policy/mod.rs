//! Standardised support policies (SPEC §2, §3.4): the rule model as data, the calculation
//! engine that turns a policy version and an enterprise's loans and fees into subsidy amounts
//! with a derivation a person can follow, budget allocation, and dated LPR values.

pub mod budget;
pub mod calc;
pub mod conformance;
pub mod document;
pub mod eligibility;
pub mod input;
pub mod json_zh;
pub mod lpr;
pub mod materials;
pub mod rules;
pub mod simulate;

pub use budget::{BudgetMode, BudgetRequest, allocate_budget};
pub use calc::{Application, Calculation, IpShare, ItemAmount, Loan, Step, calculate};
pub use lpr::{LprTable, LprTerm};
pub use rules::{PerClass, Ratio, Rules};

/// Half-up rounding of an exact decimal amount of fen to whole fen (四舍五入到分).
pub fn round_fen(v: rust_decimal::Decimal) -> i64 {
    use rust_decimal::prelude::ToPrimitive;
    v.round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
        .to_i64()
        .unwrap_or(i64::MAX)
}

/// Fen as yuan for people: 1,234,567.89 元 (`Fen`'s display).
pub fn yuan(fen: impl Into<crate::money::Fen>) -> String {
    fen.into().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn rounding_is_half_up_to_the_fen() {
        assert_eq!(round_fen(dec!(0.5)), 1);
        assert_eq!(round_fen(dec!(0.49)), 0);
        assert_eq!(round_fen(dec!(2.5)), 3);
        assert_eq!(round_fen(dec!(1234.4999)), 1234);
        assert_eq!(yuan(123456789), "1,234,567.89 元");
        assert_eq!(yuan(5), "0.05 元");
    }
}
