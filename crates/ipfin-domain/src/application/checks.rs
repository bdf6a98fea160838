//! Post-grant checks (跟踪监管, SPEC §3.5; issue #18 item 6): the schedule a district sets
//! (checks a number of days after the first payment, and/or at each loan's maturity), the due
//! dates it gives for one disbursement, and the two kinds of check. A scheduled check is done
//! only by running *it*; an ad-hoc check an officer runs is recorded as its own check and never
//! closes a scheduled one.

use crate::message::FieldError;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

code_enum! {
    /// Why a check exists.
    CheckKind {
        Scheduled = "scheduled", "定期检查", "Scheduled check";
        AdHoc = "ad_hoc", "临时检查", "Ad-hoc check";
    }
}

/// The longest offset a district may schedule: five years after payment.
pub const MAX_DAYS_AFTER: u32 = 5 * 366;
/// At most this many offsets.
pub const MAX_OFFSETS: usize = 8;

/// A district's schedule of checks after the first payment of a grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckSchedule {
    /// Days after the first payment, ascending and distinct.
    pub days_after: Vec<u32>,
    /// Also a check on each loan's maturity date (when it falls after the payment).
    pub at_maturity: bool,
}

impl Default for CheckSchedule {
    /// The schedule of a district that set none: one check 180 days after payment.
    fn default() -> CheckSchedule {
        CheckSchedule {
            days_after: vec![180],
            at_maturity: false,
        }
    }
}

/// What a due date rests on: days after payment, or a loan's maturity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Basis {
    DaysAfter(u32),
    Maturity,
}

impl Basis {
    /// The stored text (`days:180`, `maturity`).
    pub fn code(&self) -> String {
        match self {
            Basis::DaysAfter(d) => format!("days:{d}"),
            Basis::Maturity => "maturity".to_string(),
        }
    }

    /// Reads the stored text back (`None` for an unknown text).
    pub fn from_code(s: &str) -> Option<Basis> {
        match s {
            "maturity" => Some(Basis::Maturity),
            _ => s
                .strip_prefix("days:")
                .and_then(|d| d.parse().ok())
                .map(Basis::DaysAfter),
        }
    }

    /// In Chinese, for the application's history and page.
    pub fn zh(&self) -> String {
        match self {
            Basis::DaysAfter(d) => format!("拨付后 {d} 天"),
            Basis::Maturity => "贷款到期日".to_string(),
        }
    }

    pub fn en(&self) -> String {
        match self {
            Basis::DaysAfter(d) => format!("{d} days after payment"),
            Basis::Maturity => "at loan maturity".to_string(),
        }
    }
}

impl CheckSchedule {
    /// Parses the form: offsets in days separated by commas, 、 or spaces (e.g. `90, 180`), and
    /// whether to check at maturity. Every problem is reported at once; at least one check must
    /// remain.
    pub fn parse(days_after: &str, at_maturity: bool) -> Result<CheckSchedule, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut days = Vec::new();
        for part in days_after
            .split(|c: char| c == ',' || c == '，' || c == '、' || c.is_whitespace())
            .filter(|p| !p.is_empty())
        {
            match part.parse::<u32>() {
                Ok(d) if (1..=MAX_DAYS_AFTER).contains(&d) => days.push(d),
                _ => errors.push(FieldError::new(
                    "days_after",
                    "check_schedule.days",
                    format!("检查时点“{part}”无效：应为 1 至 {MAX_DAYS_AFTER} 之间的整数天数。"),
                    format!("“{part}” is not a number of days from 1 to {MAX_DAYS_AFTER}."),
                )),
            }
        }
        days.sort_unstable();
        days.dedup();
        if days.len() > MAX_OFFSETS {
            errors.push(FieldError::new(
                "days_after",
                "check_schedule.too_many",
                format!("检查时点最多 {MAX_OFFSETS} 个。"),
                format!("At most {MAX_OFFSETS} offsets."),
            ));
        }
        if errors.is_empty() && days.is_empty() && !at_maturity {
            errors.push(FieldError::new(
                "days_after",
                "check_schedule.empty",
                "请至少设置一个检查时点（拨付后天数，或贷款到期日）。",
                "Set at least one check: days after payment, or at loan maturity.",
            ));
        }
        if errors.is_empty() {
            Ok(CheckSchedule {
                days_after: days,
                at_maturity,
            })
        } else {
            Err(errors)
        }
    }

    /// The offsets as the form shows them (`90, 180`).
    pub fn days_text(&self) -> String {
        self.days_after
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// In Chinese: `拨付后 90 天、拨付后 180 天、贷款到期日`.
    pub fn zh(&self) -> String {
        self.bases()
            .iter()
            .map(Basis::zh)
            .collect::<Vec<_>>()
            .join("、")
    }

    fn bases(&self) -> Vec<Basis> {
        let mut b: Vec<Basis> = self
            .days_after
            .iter()
            .map(|d| Basis::DaysAfter(*d))
            .collect();
        if self.at_maturity {
            b.push(Basis::Maturity);
        }
        b
    }

    /// The checks one disbursement gets: each offset after `paid_on`, and each distinct loan
    /// maturity after `paid_on` when the schedule asks for it. Ordered by date; two bases that
    /// fall on the same day are one check (the first basis named).
    pub fn due_dates(
        &self,
        paid_on: NaiveDate,
        maturities: &[NaiveDate],
    ) -> Vec<(NaiveDate, Basis)> {
        let mut out: Vec<(NaiveDate, Basis)> = self
            .days_after
            .iter()
            .filter_map(|d| {
                paid_on
                    .checked_add_days(chrono::Days::new(u64::from(*d)))
                    .map(|on| (on, Basis::DaysAfter(*d)))
            })
            .collect();
        if self.at_maturity {
            out.extend(
                maturities
                    .iter()
                    .filter(|m| **m > paid_on)
                    .map(|m| (*m, Basis::Maturity)),
            );
        }
        out.sort_by_key(|(on, _)| *on);
        out.dedup_by_key(|(on, _)| *on);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_default_is_one_check_after_180_days() {
        let s = CheckSchedule::default();
        assert_eq!(
            s.due_dates(d("2026-01-10"), &[d("2026-12-31")]),
            vec![(d("2026-07-09"), Basis::DaysAfter(180))]
        );
        assert_eq!(s.zh(), "拨付后 180 天");
    }

    #[test]
    fn offsets_and_maturities_give_dated_checks_in_order() {
        let s = CheckSchedule::parse("180，90 、 90", true).unwrap();
        assert_eq!(s.days_after, vec![90, 180]);
        assert_eq!(s.days_text(), "90, 180");
        assert_eq!(s.zh(), "拨付后 90 天、拨付后 180 天、贷款到期日");
        let due = s.due_dates(
            d("2026-03-01"),
            &[d("2026-06-30"), d("2026-02-01"), d("2026-08-28")],
        );
        assert_eq!(
            due,
            vec![
                (d("2026-05-30"), Basis::DaysAfter(90)),
                (d("2026-06-30"), Basis::Maturity),
                // 2026-08-28 is both 180 days after payment and a maturity: one check.
                (d("2026-08-28"), Basis::DaysAfter(180)),
            ]
        );
    }

    #[test]
    fn a_schedule_at_maturity_only_checks_nothing_for_loans_already_matured() {
        let s = CheckSchedule::parse("", true).unwrap();
        assert!(s.due_dates(d("2026-03-01"), &[d("2026-02-01")]).is_empty());
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let e = CheckSchedule::parse("0, abc, 99999", false).unwrap_err();
        assert_eq!(e.len(), 3);
        assert!(e.iter().all(|e| e.field == "days_after"));
        assert!(e[1].msg.zh.contains("“abc”"));
        let e = CheckSchedule::parse(" ", false).unwrap_err();
        assert_eq!(e[0].msg.code, "check_schedule.empty");
        let e = CheckSchedule::parse("1 2 3 4 5 6 7 8 9", false).unwrap_err();
        assert_eq!(e[0].msg.code, "check_schedule.too_many");
    }

    #[test]
    fn bases_read_back_what_they_store() {
        for b in [Basis::DaysAfter(180), Basis::Maturity] {
            assert_eq!(Basis::from_code(&b.code()), Some(b));
        }
        assert_eq!(Basis::from_code("days:x"), None);
        assert_eq!(CheckKind::from_code("ad_hoc"), Some(CheckKind::AdHoc));
    }
}
