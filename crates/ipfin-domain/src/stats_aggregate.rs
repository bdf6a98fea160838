//! Incrementally maintained statistics (issue #7, decision 0010): what one loan or pledge
//! registration contributes to its district's daily figures and to the per-enterprise quarter
//! counts, how a write's contributions add up into one delta, and how an enterprise's loan
//! counts by quarter turn into changes of the district's distinct-enterprise counts. Pure: the
//! store reads the facts and applies the delta.

use crate::money::{Fen, MoneyOverflow};
use crate::stats::Quarter;
use chrono::{Datelike, NaiveDate};
use std::collections::BTreeMap;

/// What a loan contributes, as it stands: the borrower's registered district and size at the
/// time, the first disbursement date, the principal and the IP kinds pledged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoanFact {
    pub district: String,
    pub enterprise_id: i64,
    pub day: NaiveDate,
    pub principal_fen: Fen,
    pub first_loan: bool,
    /// The borrower's (overridden or computed) size is medium, small or micro.
    pub sme: bool,
    /// Comma-separated IP kind codes, as stored on the loan.
    pub ip_kinds: String,
}

/// What a pledge registration contributes: one registration in the pledgor's district on its
/// registration date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PledgeFact {
    pub district: String,
    pub day: NaiveDate,
}

/// The summable figures of a district on one day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DayFigures {
    pub loans: i64,
    pub amount_fen: Fen,
    pub first_loans: i64,
    pub sme_amount_fen: Fen,
    pub patent_amount_fen: Fen,
    pub trademark_amount_fen: Fen,
    /// Software and works copyright together (a loan pledging both counts once).
    pub copyright_amount_fen: Fen,
    pub pledges: i64,
}

impl DayFigures {
    pub fn is_zero(&self) -> bool {
        *self == DayFigures::default()
    }

    /// Adds (`sign` = 1) or subtracts (`sign` = -1) other figures; the amounts are checked, so
    /// a sum beyond what fen can hold is an error, never a wrapped total. On an error `self` is
    /// unchanged.
    fn add(&mut self, o: &DayFigures, sign: i64) -> Result<(), MoneyOverflow> {
        let count = |a: i64, b: i64| {
            b.checked_mul(sign)
                .and_then(|b| a.checked_add(b))
                .ok_or(MoneyOverflow)
        };
        let money = |a: Fen, b: Fen| {
            b.checked_mul(sign)
                .and_then(|b| a.checked_add(b))
                .ok_or(MoneyOverflow)
        };
        *self = DayFigures {
            loans: count(self.loans, o.loans)?,
            amount_fen: money(self.amount_fen, o.amount_fen)?,
            first_loans: count(self.first_loans, o.first_loans)?,
            sme_amount_fen: money(self.sme_amount_fen, o.sme_amount_fen)?,
            patent_amount_fen: money(self.patent_amount_fen, o.patent_amount_fen)?,
            trademark_amount_fen: money(self.trademark_amount_fen, o.trademark_amount_fen)?,
            copyright_amount_fen: money(self.copyright_amount_fen, o.copyright_amount_fen)?,
            pledges: count(self.pledges, o.pledges)?,
        };
        Ok(())
    }
}

impl LoanFact {
    /// The loan's figures on its day. IP kinds are matched as the direct query matches them
    /// (`LIKE '%patent%'`, `'%trademark%'`, `'%copyright%'`).
    pub fn figures(&self) -> DayFigures {
        let amount = |yes: bool| if yes { self.principal_fen } else { Fen::ZERO };
        DayFigures {
            loans: 1,
            amount_fen: self.principal_fen,
            first_loans: i64::from(self.first_loan),
            sme_amount_fen: amount(self.sme),
            patent_amount_fen: amount(self.ip_kinds.contains("patent")),
            trademark_amount_fen: amount(self.ip_kinds.contains("trademark")),
            copyright_amount_fen: amount(self.ip_kinds.contains("copyright")),
            pledges: 0,
        }
    }
}

/// An enterprise-year's loan counts by quarter (index 0 = Q1).
pub type QuarterCounts = [i64; 4];

/// The changes one write makes to the aggregates, summed: daily figures by (day, district) and
/// loan counts by quarter by (enterprise, year, district). Removing a contribution and adding
/// it back cancels out exactly.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatDelta {
    pub days: BTreeMap<(NaiveDate, String), DayFigures>,
    pub enterprise_years: BTreeMap<(i64, i32, String), QuarterCounts>,
}

impl StatDelta {
    /// Adds (`sign` = 1) or removes (`sign` = -1) a loan's contribution; amounts that would
    /// no longer fit in fen are an error.
    pub fn loan(&mut self, f: &LoanFact, sign: i64) -> Result<(), MoneyOverflow> {
        self.days
            .entry((f.day, f.district.clone()))
            .or_default()
            .add(&f.figures(), sign)?;
        let q = Quarter::of(f.day);
        self.enterprise_years
            .entry((f.enterprise_id, f.day.year(), f.district.clone()))
            .or_default()[(q.q - 1) as usize] += sign;
        Ok(())
    }

    /// Adds or removes a pledge registration's contribution.
    pub fn pledge(&mut self, f: &PledgeFact, sign: i64) {
        self.days
            .entry((f.day, f.district.clone()))
            .or_default()
            .pledges += sign;
    }

    /// Replaces contributions: removes `before`, adds `after` (what was there before a write and
    /// what is there after it).
    pub fn replace(
        &mut self,
        before: (&[LoanFact], &[PledgeFact]),
        after: (&[LoanFact], &[PledgeFact]),
    ) -> Result<(), MoneyOverflow> {
        for f in before.0 {
            self.loan(f, -1)?;
        }
        for f in before.1 {
            self.pledge(f, -1);
        }
        for f in after.0 {
            self.loan(f, 1)?;
        }
        for f in after.1 {
            self.pledge(f, 1);
        }
        Ok(())
    }

    /// Drops the entries that cancelled out.
    pub fn prune(&mut self) {
        self.days.retain(|_, d| !d.is_zero());
        self.enterprise_years
            .retain(|_, c| c.iter().any(|n| *n != 0));
    }

    /// Whether nothing changes (after [`StatDelta::prune`]).
    pub fn is_empty(&self) -> bool {
        self.days.is_empty() && self.enterprise_years.is_empty()
    }

    pub fn merge(&mut self, other: StatDelta) -> Result<(), MoneyOverflow> {
        for (k, d) in other.days {
            self.days.entry(k).or_default().add(&d, 1)?;
        }
        for (k, c) in other.enterprise_years {
            let e = self.enterprise_years.entry(k).or_default();
            for (a, b) in e.iter_mut().zip(c) {
                *a += b;
            }
        }
        Ok(())
    }
}

/// The first quarter (0-based) with a loan, if any.
fn first_active(c: &QuarterCounts) -> Option<usize> {
    c.iter().position(|n| *n > 0)
}

/// How one enterprise-year's change of loan counts (`before` → `after`) changes its district's
/// counts for that year: `.0[k]` the change of the number of enterprises with a loan in
/// quarter k+1, `.1[k]` the change of the number of enterprises whose first loan of the year
/// is in quarter k+1 (summed over quarters 1..=q they give the year-to-date distinct count).
pub fn quarter_count_changes(
    before: &QuarterCounts,
    after: &QuarterCounts,
) -> (QuarterCounts, QuarterCounts) {
    let active = std::array::from_fn(|k| i64::from(after[k] > 0) - i64::from(before[k] > 0));
    let mut first = [0i64; 4];
    if let Some(k) = first_active(before) {
        first[k] -= 1;
    }
    if let Some(k) = first_active(after) {
        first[k] += 1;
    }
    (active, first)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    fn loan(district: &str, ent: i64, day: &str, fen: i64, kinds: &str) -> LoanFact {
        LoanFact {
            district: district.into(),
            enterprise_id: ent,
            day: d(day),
            principal_fen: Fen::new(fen),
            first_loan: true,
            sme: false,
            ip_kinds: kinds.into(),
        }
    }

    #[test]
    fn a_loan_counts_under_each_kind_it_pledges_and_copyright_once() {
        let f = loan(
            "440305",
            1,
            "2026-08-10",
            500,
            "patent,software_copyright,works_copyright",
        )
        .figures();
        assert_eq!(
            (
                f.loans,
                f.amount_fen.get(),
                f.first_loans,
                f.patent_amount_fen.get(),
                f.trademark_amount_fen.get(),
                f.copyright_amount_fen.get(),
                f.sme_amount_fen.get()
            ),
            (1, 500, 1, 500, 0, 500, 0)
        );
    }

    #[test]
    fn moving_a_loan_to_another_district_and_back_cancels_out() {
        let a = loan("440305", 7, "2026-03-31", 100, "patent");
        let b = LoanFact {
            district: "440304".into(),
            ..a.clone()
        };
        let mut delta = StatDelta::default();
        delta
            .replace(
                (std::slice::from_ref(&a), &[]),
                (std::slice::from_ref(&b), &[]),
            )
            .expect("fits");
        delta.prune();
        assert_eq!(delta.days.len(), 2);
        assert_eq!(
            delta.enterprise_years[&(7, 2026, "440305".to_string())],
            [-1, 0, 0, 0]
        );
        delta.replace((&[b], &[]), (&[a], &[])).expect("fits");
        delta.prune();
        assert!(delta.is_empty());
    }

    /// Adversarial: two loans on one day whose principals together do not fit in fen. The
    /// delta refuses the second instead of wrapping the day's amount to a negative number, and
    /// the day's figures stay as they were.
    #[test]
    fn a_day_whose_amounts_do_not_fit_is_refused_not_wrapped() {
        let big = loan("440305", 1, "2026-08-10", i64::MAX - 10, "patent");
        let mut delta = StatDelta::default();
        delta.loan(&big, 1).expect("one fits");
        let before = delta.clone();
        let more = loan("440305", 2, "2026-08-10", 11, "patent");
        assert_eq!(delta.loan(&more, 1), Err(MoneyOverflow));
        assert_eq!(delta.days, before.days, "the day is unchanged");
        delta.loan(&big, -1).expect("removal fits");
        assert!(delta.days.values().all(|d| d.amount_fen == Fen::ZERO));
        let mut other = StatDelta::default();
        other.loan(&big, 1).expect("fits");
        other.loan(&big, 1).expect_err("twice does not fit");
        let mut merged = StatDelta::default();
        merged.loan(&big, 1).expect("fits");
        let mut again = StatDelta::default();
        again.loan(&big, 1).expect("fits");
        assert_eq!(merged.merge(again), Err(MoneyOverflow));
    }

    #[test]
    fn first_loan_of_the_year_moves_between_quarters() {
        // One loan in Q3; another arrives in Q1: Q1 gains an enterprise and becomes the first
        // quarter, Q3 keeps its enterprise but is no longer the first.
        let (active, first) = quarter_count_changes(&[0, 0, 1, 0], &[1, 0, 1, 0]);
        assert_eq!(active, [1, 0, 0, 0]);
        assert_eq!(first, [1, 0, -1, 0]);
        // A second loan in the same quarter changes nothing.
        assert_eq!(
            quarter_count_changes(&[1, 0, 0, 0], &[2, 0, 0, 0]),
            ([0; 4], [0; 4])
        );
        // The last loan goes.
        assert_eq!(
            quarter_count_changes(&[0, 1, 0, 0], &[0, 0, 0, 0]),
            ([0, -1, 0, 0], [0, -1, 0, 0])
        );
    }

    proptest! {
        /// Applying the changes of any sequence of loan additions and removals one by one gives
        /// the counts computed from the final state.
        #[test]
        fn count_changes_sum_to_the_final_counts(steps in proptest::collection::vec((0usize..4, any::<bool>()), 0..40)) {
            let mut counts = [0i64; 4];
            let mut active = [0i64; 4];
            let mut first = [0i64; 4];
            for (q, add) in steps {
                let before = counts;
                if add { counts[q] += 1 } else if counts[q] > 0 { counts[q] -= 1 }
                let (a, f) = quarter_count_changes(&before, &counts);
                for (x, y) in active.iter_mut().zip(a) { *x += y; }
                for (x, y) in first.iter_mut().zip(f) { *x += y; }
            }
            let (a, f) = quarter_count_changes(&[0; 4], &counts);
            prop_assert_eq!(active, a);
            prop_assert_eq!(first, f);
            // Year to date: distinct enterprises with a loan in Q1..=q.
            for q in 0..4 {
                let ytd: i64 = first[..=q].iter().sum();
                prop_assert_eq!(ytd, i64::from(counts[..=q].iter().any(|n| *n > 0)));
            }
        }
    }
}
