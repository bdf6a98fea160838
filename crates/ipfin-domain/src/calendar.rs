//! Working days (SPEC §10): the mainland-China calendar as data — statutory holidays and
//! adjusted working days (调休上班) per year, as the State Council announces them — and the
//! rule for a period of N working days. A date outside the loaded years is an error, never a
//! guess.

use crate::message::Msg;
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use std::collections::BTreeSet;

/// One year's arrangement: the statutory rest days and the weekend days that are worked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearArrangement {
    pub year: i32,
    pub holidays: BTreeSet<NaiveDate>,
    pub adjusted_working_days: BTreeSet<NaiveDate>,
}

/// The calendar: the years whose arrangements are known.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    years: Vec<YearArrangement>,
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap_or(NaiveDate::MIN)
}

fn span(y: i32, from: (u32, u32), to: (u32, u32)) -> Vec<NaiveDate> {
    let (a, b) = (d(y, from.0, from.1), d(y, to.0, to.1));
    a.iter_days().take_while(|x| *x <= b).collect()
}

impl YearArrangement {
    pub fn new(year: i32, holidays: Vec<NaiveDate>, adjusted: Vec<NaiveDate>) -> YearArrangement {
        YearArrangement {
            year,
            holidays: holidays.into_iter().collect(),
            adjusted_working_days: adjusted.into_iter().collect(),
        }
    }
}

/// 2025 (国办发明电〔2024〕12号).
pub fn arrangement_2025() -> YearArrangement {
    let y = 2025;
    let mut h = vec![d(y, 1, 1)];
    h.extend(span(y, (1, 28), (2, 4)));
    h.extend(span(y, (4, 4), (4, 6)));
    h.extend(span(y, (5, 1), (5, 5)));
    h.extend(span(y, (5, 31), (6, 2)));
    h.extend(span(y, (10, 1), (10, 8)));
    let w = vec![
        d(y, 1, 26),
        d(y, 2, 8),
        d(y, 4, 27),
        d(y, 9, 28),
        d(y, 10, 11),
    ];
    YearArrangement::new(y, h, w)
}

/// 2026 (notice of 4 November 2025).
pub fn arrangement_2026() -> YearArrangement {
    let y = 2026;
    let mut h = span(y, (1, 1), (1, 3));
    h.extend(span(y, (2, 15), (2, 23)));
    h.extend(span(y, (4, 4), (4, 6)));
    h.extend(span(y, (5, 1), (5, 5)));
    h.extend(span(y, (6, 19), (6, 21)));
    h.extend(span(y, (9, 25), (9, 27)));
    h.extend(span(y, (10, 1), (10, 7)));
    let w = vec![
        d(y, 1, 4),
        d(y, 2, 14),
        d(y, 2, 28),
        d(y, 5, 9),
        d(y, 9, 20),
        d(y, 10, 10),
    ];
    YearArrangement::new(y, h, w)
}

fn not_covered(date: NaiveDate) -> Msg {
    Msg::new(
        "calendar.not_covered",
        format!(
            "工作日历未包含 {} 年的节假日安排，请市级管理员先录入国务院公布的当年安排。",
            date.year()
        ),
        format!(
            "The working-day calendar has no arrangement for {}: the city administrator must enter the State Council's arrangement first.",
            date.year()
        ),
    )
}

impl Calendar {
    pub fn new(mut years: Vec<YearArrangement>) -> Calendar {
        years.sort_by_key(|y| y.year);
        years.dedup_by_key(|y| y.year);
        Calendar { years }
    }

    /// The calendar with the arrangements published so far (2025, 2026).
    pub fn builtin() -> Calendar {
        Calendar::new(vec![arrangement_2025(), arrangement_2026()])
    }

    pub fn years(&self) -> &[YearArrangement] {
        &self.years
    }

    /// Whether the date is a working day; an error when its year is not loaded.
    pub fn is_working_day(&self, date: NaiveDate) -> Result<bool, Msg> {
        let y = self
            .years
            .iter()
            .find(|y| y.year == date.year())
            .ok_or_else(|| not_covered(date))?;
        if y.holidays.contains(&date) {
            return Ok(false);
        }
        if y.adjusted_working_days.contains(&date) {
            return Ok(true);
        }
        Ok(!matches!(date.weekday(), Weekday::Sat | Weekday::Sun))
    }

    /// The last day of a period of `days` working days starting on `start`: `start` is day 1
    /// when it is a working day, else the next working day is; the period ends at 24:00
    /// (Asia/Shanghai) of the returned day.
    pub fn period_end(&self, start: NaiveDate, days: u32) -> Result<NaiveDate, Msg> {
        if days == 0 {
            return Err(Msg::new(
                "calendar.days",
                "工作日天数应至少为 1。",
                "The number of working days must be at least 1.",
            ));
        }
        let mut date = start;
        let mut counted = 0;
        loop {
            if self.is_working_day(date)? {
                counted += 1;
                if counted == days {
                    return Ok(date);
                }
            }
            date += Duration::days(1);
        }
    }

    /// Working days from `from` to `to`, both included.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> Result<u32, Msg> {
        let mut n = 0;
        for date in from.iter_days().take_while(|x| *x <= to) {
            if self.is_working_day(date)? {
                n += 1;
            }
        }
        Ok(n)
    }
}

/// China Standard Time (UTC+8, no daylight saving): the zone of business dates.
pub fn shanghai() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(8 * 3600)
        .unwrap_or_else(|| chrono::FixedOffset::east_opt(0).expect("UTC"))
}

/// The business date of a Unix time (seconds).
pub fn business_date(unix_s: i64) -> NaiveDate {
    chrono::DateTime::from_timestamp(unix_s, 0)
        .map(|t| t.with_timezone(&shanghai()).date_naive())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_2025_and_2026_arrangements() {
        let c = Calendar::builtin();
        for (date, working) in [
            (d(2025, 1, 1), false),
            (d(2025, 1, 26), true), // Sunday worked
            (d(2025, 2, 4), false),
            (d(2025, 2, 8), true), // Saturday worked
            (d(2025, 10, 8), false),
            (d(2025, 10, 11), true),
            (d(2025, 10, 12), false), // an ordinary Sunday
            (d(2026, 1, 4), true),
            (d(2026, 2, 15), false),
            (d(2026, 2, 23), false),
            (d(2026, 2, 28), true),
            (d(2026, 5, 9), true),
            (d(2026, 6, 19), false),
            (d(2026, 9, 20), true),
            (d(2026, 10, 7), false),
            (d(2026, 10, 10), true),
            (d(2026, 11, 27), true), // a Friday
        ] {
            assert_eq!(c.is_working_day(date), Ok(working), "{date}");
        }
    }

    #[test]
    fn periods_count_the_start_when_it_is_a_working_day() {
        let c = Calendar::builtin();
        // Friday 27 Nov 2026 is day 1; 5 working days end on Thursday 3 Dec.
        assert_eq!(c.period_end(d(2026, 11, 27), 5), Ok(d(2026, 12, 3)));
        // Saturday 28 Nov: Monday 30 Nov is day 1.
        assert_eq!(c.period_end(d(2026, 11, 28), 1), Ok(d(2026, 11, 30)));
        // Across the 2026 Spring Festival: Fri 13 Feb is day 1, Sat 14 Feb (worked) day 2,
        // then 15–23 Feb are holidays: Tue 24 Feb is day 3.
        assert_eq!(c.period_end(d(2026, 2, 13), 3), Ok(d(2026, 2, 24)));
        // Across National Day 2025: Tue 30 Sep day 1; 1–8 Oct off; Thu 9 Oct day 2.
        assert_eq!(c.period_end(d(2025, 9, 30), 2), Ok(d(2025, 10, 9)));
        assert_eq!(
            c.working_days_between(d(2026, 2, 13), d(2026, 2, 24)),
            Ok(3)
        );
    }

    #[test]
    fn a_year_without_data_is_an_error_not_a_guess() {
        let c = Calendar::builtin();
        let e = c.period_end(d(2026, 12, 28), 10).unwrap_err();
        assert_eq!(e.code, "calendar.not_covered");
        assert!(e.zh.contains("2027"));
        assert_eq!(
            c.period_end(d(2026, 1, 5), 0).unwrap_err().code,
            "calendar.days"
        );
    }
}
