//! Loan Prime Rate values as dated data (published on the 20th of each month by the National
//! Interbank Funding Center): a calculation that needs a value the table does not hold fails
//! with a message instead of guessing.

use crate::message::Msg;
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LprTerm {
    OneYear,
    OverFiveYears,
}

impl LprTerm {
    pub fn zh(self) -> &'static str {
        match self {
            LprTerm::OneYear => "1 年期 LPR",
            LprTerm::OverFiveYears => "5 年期以上 LPR",
        }
    }
}

/// One publication: the date and both rates (annual, as fractions: 3.0% = 0.030).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LprValue {
    pub date: NaiveDate,
    pub one_year: Decimal,
    pub over_five_years: Decimal,
}

/// The published values, by date.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LprTable {
    values: Vec<LprValue>,
}

/// A value is in force for at most this many days after it was published (the next one is
/// due a month later); beyond that the table is out of date for the date asked.
const IN_FORCE_DAYS: i64 = 45;

fn missing(what: String, en: String) -> Msg {
    Msg::new(
        "lpr.missing",
        format!("缺少{what}的 LPR 数据，请市级管理员在“LPR 数据”中录入后再计算。"),
        format!("No LPR value for {en}: the city administrator must enter it first."),
    )
}

impl LprTable {
    pub fn new(mut values: Vec<LprValue>) -> LprTable {
        values.sort_by_key(|v| v.date);
        values.dedup_by_key(|v| v.date);
        LprTable { values }
    }

    pub fn values(&self) -> &[LprValue] {
        &self.values
    }

    fn pick(v: &LprValue, term: LprTerm) -> Decimal {
        match term {
            LprTerm::OneYear => v.one_year,
            LprTerm::OverFiveYears => v.over_five_years,
        }
    }

    /// The value in force on a date: the latest published on or before it, if recent.
    pub fn on(&self, term: LprTerm, date: NaiveDate) -> Result<Decimal, Msg> {
        self.values
            .iter()
            .rev()
            .find(|v| v.date <= date)
            .filter(|v| (date - v.date).num_days() <= IN_FORCE_DAYS)
            .map(|v| Self::pick(v, term))
            .ok_or_else(|| missing(format!(" {date} "), date.to_string()))
    }

    /// The value published in a month (e.g. the December LPR of a year).
    pub fn published_in(&self, term: LprTerm, year: i32, month: u32) -> Result<Decimal, Msg> {
        self.values
            .iter()
            .rev()
            .find(|v| v.date.year() == year && v.date.month() == month)
            .map(|v| Self::pick(v, term))
            .ok_or_else(|| {
                missing(
                    format!(" {year} 年 {month} 月公布"),
                    format!("{year}-{month:02}"),
                )
            })
    }

    /// Values for the demo city: 2025 as published (1-year 3.10%, over-5-year 3.60% until
    /// April; 3.00% and 3.50% from May), and 2026 to November at the May 2025 level. A real
    /// deployment enters the published values on the LPR page instead.
    pub fn demo() -> LprTable {
        let mut v = Vec::new();
        for (y, months) in [(2025, 1..=12), (2026, 1..=11)] {
            for m in months {
                let (one, five) = if y == 2025 && m < 5 {
                    (Decimal::new(310, 4), Decimal::new(360, 4))
                } else {
                    (Decimal::new(300, 4), Decimal::new(350, 4))
                };
                if let Some(date) = NaiveDate::from_ymd_opt(y, m, 20) {
                    v.push(LprValue {
                        date,
                        one_year: one,
                        over_five_years: five,
                    });
                }
            }
        }
        LprTable::new(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn values_are_dated_and_missing_ones_are_errors() {
        let t = LprTable::demo();
        assert_eq!(t.on(LprTerm::OneYear, d(2025, 3, 1)), Ok(dec!(0.0310)));
        assert_eq!(t.on(LprTerm::OneYear, d(2025, 5, 20)), Ok(dec!(0.0300)));
        assert_eq!(
            t.on(LprTerm::OverFiveYears, d(2026, 6, 1)),
            Ok(dec!(0.0350))
        );
        assert_eq!(t.published_in(LprTerm::OneYear, 2025, 12), Ok(dec!(0.0300)));
        // December 2026 is not published yet; 2024 was never entered.
        assert_eq!(
            t.published_in(LprTerm::OneYear, 2026, 12).unwrap_err().code,
            "lpr.missing"
        );
        assert_eq!(
            t.on(LprTerm::OneYear, d(2024, 6, 1)).unwrap_err().code,
            "lpr.missing"
        );
        assert_eq!(
            t.on(LprTerm::OneYear, d(2027, 3, 1)).unwrap_err().code,
            "lpr.missing"
        );
    }
}
