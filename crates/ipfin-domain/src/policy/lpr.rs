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

    pub fn en(self) -> &'static str {
        match self {
            LprTerm::OneYear => "1-year LPR",
            LprTerm::OverFiveYears => "over-5-year LPR",
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

/// The LPR is published on the 20th of each month, moved to the next working day when the
/// 20th is not one (by the holiday calendar for the years it holds, Saturdays and Sundays
/// otherwise). A value is in force until the next publication day; on and after that day
/// without the next value, the table is out of date for the date asked.
const PUBLICATION_DAY: u32 = 20;

fn missing(what: String, en: String) -> Msg {
    Msg::new(
        "lpr.missing",
        format!("缺少{what}的 LPR 数据，请市级管理员在“LPR 数据”中录入后再计算。"),
        format!("No LPR value for {en}: the city administrator must enter it first."),
    )
}

/// The publication day of a month: the 20th, or the next working day after it.
pub fn publication_day(year: i32, month: u32) -> Option<NaiveDate> {
    static CALENDAR: std::sync::LazyLock<crate::calendar::Calendar> =
        std::sync::LazyLock::new(crate::calendar::Calendar::builtin);
    let calendar = &*CALENDAR;
    let mut d = NaiveDate::from_ymd_opt(year, month, PUBLICATION_DAY)?;
    // At most a fortnight of holidays in a row (the Spring Festival and National Day weeks).
    for _ in 0..15 {
        let working = calendar.is_working_day(d).unwrap_or(!matches!(
            d.weekday(),
            chrono::Weekday::Sat | chrono::Weekday::Sun
        ));
        if working {
            return Some(d);
        }
        d = d.succ_opt()?;
    }
    Some(d)
}

/// Whether a value dated `published` is still in force on `date`: before the publication day
/// that follows it — the next month's when the value is that month's (dated on or after the
/// 20th, even where the publication moved later), this month's otherwise.
fn in_force(published: NaiveDate, date: NaiveDate) -> bool {
    let (y, m) = if published.day() < PUBLICATION_DAY {
        (published.year(), published.month())
    } else if published.month() == 12 {
        (published.year() + 1, 1)
    } else {
        (published.year(), published.month() + 1)
    };
    // A publication day is never before the 20th: most dates need no calendar.
    match NaiveDate::from_ymd_opt(y, m, PUBLICATION_DAY) {
        Some(twentieth) if date < twentieth => true,
        _ => publication_day(y, m).is_some_and(|next| date < next),
    }
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

    /// The value in force on a date: the latest published on or before it, unless the next
    /// publication day has come by then (the value is out of date: a missing value).
    pub fn on(&self, term: LprTerm, date: NaiveDate) -> Result<Decimal, Msg> {
        self.values
            .iter()
            .rev()
            .find(|v| v.date <= date)
            .filter(|v| in_force(v.date, date))
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

    #[test]
    fn a_value_is_stale_from_the_next_publication_day() {
        let t = LprTable::demo();
        // November 2026 was the last value entered. 20 December 2026 is a Sunday, so December's
        // value is due on Monday the 21st: the 20th still takes November's, the 21st fails with
        // the message for a missing value (45 days of grace once took November's to January).
        assert_eq!(publication_day(2026, 12), Some(d(2026, 12, 21)));
        assert_eq!(t.on(LprTerm::OneYear, d(2026, 12, 20)), Ok(dec!(0.0300)));
        let e = t.on(LprTerm::OneYear, d(2026, 12, 21)).unwrap_err();
        assert_eq!(e.code, "lpr.missing");
        assert!(e.zh.contains("缺少 2026-12-21 的 LPR 数据"), "{}", e.zh);
        // A holiday moves it: 20 February 2026 is in the Spring Festival (15–23 February), so
        // the value is due on Tuesday the 24th; Saturday 20 September 2025 moves to Monday the
        // 22nd; Sunday 20 September 2026 is a working day of the arrangement and stays.
        assert_eq!(publication_day(2026, 2), Some(d(2026, 2, 24)));
        assert_eq!(publication_day(2025, 9), Some(d(2025, 9, 22)));
        assert_eq!(publication_day(2026, 9), Some(d(2026, 9, 20)));
        // A January value holds until the February publication; a February value entered on
        // the 20th (a holiday) holds until March's.
        assert_eq!(t.on(LprTerm::OneYear, d(2026, 2, 23)), Ok(dec!(0.0300)));
        assert_eq!(t.on(LprTerm::OneYear, d(2026, 3, 19)), Ok(dec!(0.0300)));
        let only_jan = LprTable::new(vec![LprValue {
            date: d(2026, 1, 20),
            one_year: dec!(0.03),
            over_five_years: dec!(0.035),
        }]);
        assert!(only_jan.on(LprTerm::OneYear, d(2026, 2, 23)).is_ok());
        assert!(only_jan.on(LprTerm::OneYear, d(2026, 2, 24)).is_err());
        // A value entered on its publication day holds until the next one, the day before it
        // included: 2025-10-20 holds to 2025-11-19.
        assert_eq!(t.on(LprTerm::OneYear, d(2025, 11, 19)), Ok(dec!(0.0300)));
    }
}
