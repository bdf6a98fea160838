//! Statistics and targets (SPEC §8 R4.1, R4.2; issue #7 groundwork): quarters in
//! Asia/Shanghai business dates, target completion and year-on-year change as exact decimals,
//! ranking with ties, and milestones counted back from the year's end (倒排时间节点). Pure: the
//! store feeds the figures.

use crate::message::Msg;
use chrono::{Datelike, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

fn invalid_quarter() -> Msg {
    Msg::new(
        "quarter.invalid",
        "季度应写作 2026Q3 这样的形式（年份 2000–2100，季度 1–4）。",
        "Write a quarter as 2026Q3 (year 2000–2100, quarter 1–4).",
    )
}

/// A calendar quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Quarter {
    pub year: i32,
    /// 1–4.
    pub q: u32,
}

impl Quarter {
    pub fn new(year: i32, q: u32) -> Result<Quarter, Msg> {
        if !(1..=4).contains(&q) || !(2000..=2100).contains(&year) {
            return Err(invalid_quarter());
        }
        Ok(Quarter { year, q })
    }

    /// Reads `2026Q3` (also `2026-Q3`, `2026q3`).
    pub fn parse(s: &str) -> Result<Quarter, Msg> {
        let t = s.trim().to_ascii_uppercase().replace('-', "");
        let (y, q) = t.split_once('Q').ok_or_else(invalid_quarter)?;
        Quarter::new(
            y.parse().map_err(|_| invalid_quarter())?,
            q.parse().map_err(|_| invalid_quarter())?,
        )
    }

    /// The quarter a date falls in.
    pub fn of(d: NaiveDate) -> Quarter {
        Quarter {
            year: d.year(),
            q: (d.month() - 1) / 3 + 1,
        }
    }

    /// The quarter before this one (2026Q1 → 2025Q4).
    pub fn previous(self) -> Quarter {
        if self.q == 1 {
            Quarter {
                year: self.year - 1,
                q: 4,
            }
        } else {
            Quarter {
                year: self.year,
                q: self.q - 1,
            }
        }
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, (self.q - 1) * 3 + 1, 1).unwrap_or_default()
    }

    pub fn last_day(self) -> NaiveDate {
        let next = if self.q == 4 {
            NaiveDate::from_ymd_opt(self.year + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(self.year, self.q * 3 + 1, 1)
        };
        next.and_then(|d| d.pred_opt()).unwrap_or_default()
    }

    /// Whether the quarter is over on `today` (a bulletin needs a finished quarter).
    pub fn ended_by(self, today: NaiveDate) -> bool {
        today > self.last_day()
    }

    /// The same quarter a year earlier (for year-on-year change).
    pub fn year_before(self) -> Quarter {
        Quarter {
            year: self.year - 1,
            q: self.q,
        }
    }
}

impl std::fmt::Display for Quarter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}Q{}", self.year, self.q)
    }
}

fn pct(num: Decimal, den: Decimal) -> Decimal {
    (num * Decimal::ONE_HUNDRED / den)
        .round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero)
}

/// Target completion in percent, one decimal, half-up; `None` without a (positive) target.
pub fn completion_pct(actual: i64, target: i64) -> Option<Decimal> {
    (target > 0).then(|| pct(Decimal::from(actual), Decimal::from(target)))
}

/// Year-on-year change in percent, one decimal, half-up; `None` when last year was zero.
pub fn yoy_pct(current: i64, last_year: i64) -> Option<Decimal> {
    // The difference is taken in `Decimal` (96 bits): two amounts of opposite sign near the
    // limits of `i64` do not wrap.
    (last_year != 0).then(|| {
        pct(
            Decimal::from(current) - Decimal::from(last_year),
            Decimal::from(last_year).abs(),
        )
    })
}

/// A completion as the exact fraction actual ÷ target (target above zero), compared exactly:
/// ranking on it never ties two districts that rounding to 0.1% would make equal (0.0375% is
/// above 0%).
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct ExactCompletion {
    pub actual: i64,
    pub target: i64,
}

impl ExactCompletion {
    /// `None` without a (positive) target.
    pub fn new(actual: i64, target: i64) -> Option<ExactCompletion> {
        (target > 0).then_some(ExactCompletion { actual, target })
    }
    /// actual × other.target, compared in `i128`: both targets are positive, so the order of
    /// the fractions is the order of the cross products, exactly.
    fn cross(self, other: ExactCompletion) -> (i128, i128) {
        (
            i128::from(self.actual) * i128::from(other.target),
            i128::from(other.actual) * i128::from(self.target),
        )
    }
}

impl PartialEq for ExactCompletion {
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = self.cross(*other);
        a == b
    }
}

impl PartialOrd for ExactCompletion {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        let (a, b) = self.cross(*other);
        Some(a.cmp(&b))
    }
}

/// Ranks, 1 = highest, with ties sharing a rank and the next rank skipped (1, 2, 2, 4), in the
/// order the values were given. `None` values (no data) rank last, after all others, together.
pub fn ranks<T: PartialOrd + Copy>(values: &[Option<T>]) -> Vec<u32> {
    values
        .iter()
        .map(|v| {
            let better = values
                .iter()
                .filter(|o| match (o, v) {
                    (Some(o), Some(v)) => o > v,
                    (Some(_), None) => true,
                    _ => false,
                })
                .count();
            better as u32 + 1
        })
        .collect()
}

/// Milestones counted back from the year's end: the cumulative amount due by the end of each
/// quarter (4) or month (12), straight-line, exact to the unit, the last one the target itself.
pub fn milestones(target: i64, year: i32, periods: u32) -> Result<Vec<(NaiveDate, i64)>, Msg> {
    if target < 0 {
        return Err(Msg::new(
            "target.negative",
            "目标不能为负数。",
            "A target cannot be negative.",
        ));
    }
    if periods != 4 && periods != 12 {
        return Err(Msg::new(
            "target.periods",
            "节点按季度（4 个）或按月（12 个）倒排。",
            "Milestones are quarterly (4) or monthly (12).",
        ));
    }
    let step = 12 / periods;
    let mut out = Vec::with_capacity(periods as usize);
    for k in 1..=periods {
        let month_end = k * step;
        let end = if month_end == 12 {
            NaiveDate::from_ymd_opt(year, 12, 31)
        } else {
            NaiveDate::from_ymd_opt(year, month_end + 1, 1).and_then(|d| d.pred_opt())
        }
        .unwrap_or_default();
        // Cumulative share k/periods of the target, rounded down; the last is the target.
        let due = (i128::from(target) * i128::from(k) / i128::from(periods)) as i64;
        out.push((end, due));
    }
    Ok(out)
}

/// How a target's milestones accrue over the year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Accrual {
    /// Amounts and counts add up: each milestone is the cumulative amount due by its date.
    Sum,
    /// A ratio (the SME share) is a level to reach: each milestone is the level the ratio must
    /// stand at on its date, never a slice of the target ("70%" is not "17.5% a quarter").
    Level,
}

/// Milestones of a target by how it accrues: cumulative straight-line amounts ([`milestones`])
/// for a sum; for a level, the target itself at every period's end.
pub fn milestones_of(
    accrual: Accrual,
    target: i64,
    year: i32,
    periods: u32,
) -> Result<Vec<(NaiveDate, i64)>, Msg> {
    let m = milestones(target, year, periods)?;
    Ok(match accrual {
        Accrual::Sum => m,
        Accrual::Level => m.into_iter().map(|(d, _)| (d, target)).collect(),
    })
}

/// Checks persons' shares of a target: none negative; amounts together not above the target, a
/// ratio's levels each not above it (two persons answering for 70% do not make 140%).
pub fn check_breakdown(accrual: Accrual, target: i64, shares: &[i64]) -> Result<(), Msg> {
    if shares.iter().any(|s| *s < 0) {
        return Err(Msg::new(
            "target.negative",
            "分解到人的目标不能为负数。",
            "A person's share cannot be negative.",
        ));
    }
    if accrual == Accrual::Level {
        if shares.iter().any(|s| *s > target) {
            return Err(Msg::new(
                "target.over",
                "比例目标分解到人时，每人承担的水平不能高于区目标。",
                "A person's level cannot be above the district's ratio target.",
            ));
        }
        return Ok(());
    }
    let sum: i128 = shares.iter().map(|s| i128::from(*s)).sum();
    if sum > i128::from(target) {
        return Err(Msg::new(
            "target.over",
            format!("分解到人的目标合计 {sum} 超过区目标 {target}，请调整。"),
            "The persons' shares add up to more than the district's target.",
        ));
    }
    Ok(())
}

/// Whether a district lags: below the straight-line pace to the annual target on `today`.
pub fn lagging(actual: i64, target: i64, today: NaiveDate) -> bool {
    if target <= 0 {
        return false;
    }
    let days = if NaiveDate::from_ymd_opt(today.year(), 12, 31).is_some_and(|d| d.ordinal() == 366)
    {
        366
    } else {
        365
    };
    let pace = i128::from(target) * i128::from(today.ordinal()) / days;
    i128::from(actual) < pace
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_previous_quarter_crosses_the_year() {
        let q = |year, q| Quarter { year, q };
        assert_eq!(q(2026, 1).previous(), q(2025, 4));
        assert_eq!(q(2026, 4).previous(), q(2026, 3));
    }
    use rust_decimal_macros::dec;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn quarters_in_business_dates() {
        let q3 = Quarter::parse("2026Q3").expect("q3");
        assert_eq!(
            (q3.first_day(), q3.last_day()),
            (d("2026-07-01"), d("2026-09-30"))
        );
        assert_eq!(
            Quarter::parse("2026-q4").expect("q4").last_day(),
            d("2026-12-31")
        );
        assert_eq!(Quarter::of(d("2026-03-31")).q, 1);
        assert!(!q3.ended_by(d("2026-09-30")));
        assert!(q3.ended_by(d("2026-10-01")));
        assert_eq!(q3.year_before().to_string(), "2025Q3");
        assert_eq!(
            Quarter::parse("2026Q5").unwrap_err().code,
            "quarter.invalid"
        );
        assert_eq!(Quarter::parse("Q3").unwrap_err().code, "quarter.invalid");
    }

    #[test]
    fn completion_and_year_on_year_by_hand() {
        // 3.2 of 5 亿元 = 64.0%; 2 of 3 = 66.666… → 66.7%.
        assert_eq!(completion_pct(320, 500), Some(dec!(64.0)));
        assert_eq!(completion_pct(2, 3), Some(dec!(66.7)));
        assert_eq!(completion_pct(5, 0), None);
        // 1.2 → 1.5: +25.0%; 1.5 → 1.2: −20.0%; 1 → 0: −100.0%.
        assert_eq!(yoy_pct(150, 120), Some(dec!(25.0)));
        assert_eq!(yoy_pct(120, 150), Some(dec!(-20.0)));
        assert_eq!(yoy_pct(0, 1), Some(dec!(-100.0)));
        assert_eq!(yoy_pct(7, 0), None);
        // Adversarial: a difference beyond i64 (it used to overflow the subtraction).
        assert_eq!(
            yoy_pct(i64::MAX, -1),
            Some(Decimal::from(i64::MAX) * dec!(100) + dec!(100))
        );
        // 1 of 8 = 12.5 exactly; 1 of 16 = 6.25 → 6.3 (half-up).
        assert_eq!(completion_pct(1, 16), Some(dec!(6.3)));
    }

    #[test]
    fn ties_share_a_rank_and_no_data_ranks_last() {
        assert_eq!(
            ranks(&[Some(5), Some(9), Some(5), Some(1)]),
            vec![2, 1, 2, 4]
        );
        assert_eq!(ranks(&[Some(3), None, Some(3), None]), vec![1, 3, 1, 3]);
        assert_eq!(
            ranks(&[Some(dec!(64.0)), Some(dec!(66.7)), Some(dec!(66.7))]),
            vec![3, 1, 1]
        );
    }

    /// Issue #19 item 11: a district at 3 of 8,000 (0.0375%, shown as 0.0%) ranks above one
    /// at 0, and 1 of 3 above 333 of 1,000 (both 33.3%).
    #[test]
    fn ranks_use_exact_completion() {
        let e = ExactCompletion::new;
        assert_eq!(completion_pct(3, 8000), completion_pct(0, 8000));
        assert_eq!(
            ranks(&[e(0, 8000), e(3, 8000), None, e(0, 5)]),
            vec![2, 1, 4, 2]
        );
        assert_eq!(completion_pct(1, 3), completion_pct(333, 1000));
        assert_eq!(ranks(&[e(333, 1000), e(1, 3)]), vec![2, 1]);
        // Equal fractions tie exactly: 1/2 = 500/1000.
        assert_eq!(ranks(&[e(1, 2), e(500, 1000)]), vec![1, 1]);
        // Extremes do not wrap (cross products in i128).
        assert_eq!(ranks(&[e(i64::MAX, 1), e(i64::MAX - 1, 1)]), vec![1, 2]);
        assert_eq!(e(1, 0), None);
    }

    #[test]
    fn a_ratio_targets_milestones_are_levels() {
        // 70% (7,000 bp): 70% at each quarter's end, not 17.5%, 35%, 52.5%, 70%.
        let m = milestones_of(Accrual::Level, 7000, 2026, 4).expect("levels");
        assert_eq!(
            m,
            vec![
                (d("2026-03-31"), 7000),
                (d("2026-06-30"), 7000),
                (d("2026-09-30"), 7000),
                (d("2026-12-31"), 7000)
            ]
        );
        assert_eq!(
            milestones_of(Accrual::Sum, 7000, 2026, 4).expect("sums")[2],
            (d("2026-09-30"), 5250)
        );
    }

    #[test]
    fn milestones_count_back_from_the_year_end() {
        let m = milestones(1000, 2026, 4).expect("quarters");
        assert_eq!(
            m,
            vec![
                (d("2026-03-31"), 250),
                (d("2026-06-30"), 500),
                (d("2026-09-30"), 750),
                (d("2026-12-31"), 1000)
            ]
        );
        let m = milestones(100, 2026, 12).expect("months");
        assert_eq!(m[0], (d("2026-01-31"), 8));
        assert_eq!(m[1], (d("2026-02-28"), 16));
        assert_eq!(m[11], (d("2026-12-31"), 100));
        assert_eq!(milestones(-1, 2026, 4).unwrap_err().code, "target.negative");
        assert!(check_breakdown(Accrual::Sum, 100, &[60, 40]).is_ok());
        assert_eq!(
            check_breakdown(Accrual::Sum, 100, &[60, 41])
                .unwrap_err()
                .code,
            "target.over"
        );
        // A ratio: each person's level at most the target, not their sum.
        assert!(check_breakdown(Accrual::Level, 7000, &[7000, 7000]).is_ok());
        assert_eq!(
            check_breakdown(Accrual::Level, 7000, &[7001])
                .unwrap_err()
                .code,
            "target.over"
        );
        assert_eq!(
            check_breakdown(Accrual::Sum, 100, &[-1]).unwrap_err().code,
            "target.negative"
        );
        // Half the year gone (1 July is day 182 of 365): pace 498 of 1000.
        assert!(lagging(497, 1000, d("2026-07-01")));
        assert!(!lagging(498, 1000, d("2026-07-01")));
    }
}
