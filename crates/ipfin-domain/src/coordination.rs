//! The coordination mechanism (SPEC §1 R1.1; issue #8): a district's data-sharing arrangements —
//! which department provides which data set, to whom, how often, from where — and when the next
//! delivery falls due. A delivery is an import (SPEC §5) linked to the arrangement; the rules
//! here say which import kind delivers a data set and when an arrangement is overdue.

use crate::FieldError;
use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

code_enum! {
    /// The data sets departments share under the mechanism.
    Dataset {
        Registration = "registration", "商事登记信息", "Business registration";
        Tax = "tax", "纳税信息", "Tax records";
        Credit = "credit", "信用信息", "Credit records";
        SciTech = "sci_tech", "科技企业名单", "Science-and-technology enterprise lists";
        Ip = "ip", "知识产权信息", "IP records";
    }
}

code_enum! {
    /// How often a data set is delivered.
    Frequency {
        Monthly = "monthly", "每月", "Monthly";
        Quarterly = "quarterly", "每季度", "Quarterly";
        HalfYearly = "half_yearly", "每半年", "Every six months";
        Yearly = "yearly", "每年", "Yearly";
    }
}

/// Which import delivers a data set: registration and tax data update the enterprise register
/// (size, revenue, employees), credit and science-and-technology lists arrive as enterprise
/// tags (whitelist categories), IP records as IP assets. The code is the import kind's code.
pub fn import_kind(dataset: Dataset) -> &'static str {
    match dataset {
        Dataset::Registration | Dataset::Tax => "enterprises",
        Dataset::Credit | Dataset::SciTech => "tags",
        Dataset::Ip => "ip_assets",
    }
}

impl Frequency {
    pub fn months(self) -> u32 {
        match self {
            Frequency::Monthly => 1,
            Frequency::Quarterly => 3,
            Frequency::HalfYearly => 6,
            Frequency::Yearly => 12,
        }
    }
}

/// The date the next delivery is due: one period after the last delivery, or after the start of
/// the arrangement when nothing has been delivered yet. Month ends clamp (31 January + 1 month =
/// 28 or 29 February).
pub fn next_due(frequency: Frequency, starts_on: NaiveDate, last: Option<NaiveDate>) -> NaiveDate {
    let from = last.map_or(starts_on, |l| l.max(starts_on));
    from.checked_add_months(Months::new(frequency.months()))
        .unwrap_or(NaiveDate::MAX)
}

/// An arrangement's delivery state on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum DeliveryState {
    /// Delivered within the period (or the first period is still running).
    OnTime { due: NaiveDate },
    /// The due date has passed without a delivery; `days` past it.
    Overdue { due: NaiveDate, days: i64 },
    /// The arrangement has ended.
    Ended,
}

impl DeliveryState {
    pub fn is_overdue(&self) -> bool {
        matches!(self, DeliveryState::Overdue { .. })
    }
}

/// The state of an arrangement on `today`: overdue the day after its due date.
pub fn delivery_state(
    frequency: Frequency,
    starts_on: NaiveDate,
    ended_on: Option<NaiveDate>,
    last: Option<NaiveDate>,
    today: NaiveDate,
) -> DeliveryState {
    if ended_on.is_some_and(|e| e <= today) {
        return DeliveryState::Ended;
    }
    let due = next_due(frequency, starts_on, last);
    if today > due {
        DeliveryState::Overdue {
            due,
            days: (today - due).num_days(),
        }
    } else {
        DeliveryState::OnTime { due }
    }
}

/// The provenance (where the data comes from: the source system or the legal basis) is required
/// so a reader knows what the shared data set is worth: 2–200 characters.
pub fn check_provenance(s: &str) -> Result<String, FieldError> {
    let t = s.trim();
    let n = t.chars().count();
    if !(2..=200).contains(&n) {
        return Err(FieldError::new(
            "provenance",
            "sharing.provenance",
            "请填写数据来源（来源系统或依据，2–200 个字），例如“区市场监管局商事登记系统”。",
            "Give the provenance (source system or legal basis, 2–200 characters).",
        ));
    }
    Ok(t.to_string())
}

/// An arrangement cannot start more than a year before `today` (a record of a real past
/// arrangement is entered with its actual start; older ones start at the beginning of the
/// mechanism's records) nor more than a year ahead.
pub fn check_start(starts_on: NaiveDate, today: NaiveDate) -> Result<(), FieldError> {
    let days = (starts_on - today).num_days();
    if !(-366..=366).contains(&days) {
        return Err(FieldError::new(
            "starts_on",
            "sharing.starts_on",
            "开始日期须在今天前后一年之内。",
            "The start date must be within a year of today.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("a valid test date")
    }

    #[test]
    fn next_due_counts_one_period_from_the_last_delivery() {
        assert_eq!(
            next_due(Frequency::Quarterly, d(2026, 1, 1), None),
            d(2026, 4, 1)
        );
        assert_eq!(
            next_due(Frequency::Monthly, d(2026, 1, 1), Some(d(2026, 1, 31))),
            d(2026, 2, 28)
        );
        assert_eq!(
            next_due(Frequency::Yearly, d(2026, 1, 1), Some(d(2026, 3, 5))),
            d(2027, 3, 5)
        );
        // A delivery before the arrangement started (an earlier import) does not count.
        assert_eq!(
            next_due(Frequency::HalfYearly, d(2026, 6, 1), Some(d(2026, 1, 1))),
            d(2026, 12, 1)
        );
    }

    #[test]
    fn overdue_from_the_day_after_the_due_date() {
        let s = d(2026, 1, 1);
        assert_eq!(
            delivery_state(Frequency::Quarterly, s, None, None, d(2026, 4, 1)),
            DeliveryState::OnTime { due: d(2026, 4, 1) }
        );
        assert_eq!(
            delivery_state(Frequency::Quarterly, s, None, None, d(2026, 4, 11)),
            DeliveryState::Overdue {
                due: d(2026, 4, 1),
                days: 10
            }
        );
        assert_eq!(
            delivery_state(
                Frequency::Quarterly,
                s,
                None,
                Some(d(2026, 3, 20)),
                d(2026, 4, 11)
            ),
            DeliveryState::OnTime {
                due: d(2026, 6, 20)
            }
        );
        assert_eq!(
            delivery_state(
                Frequency::Quarterly,
                s,
                Some(d(2026, 3, 1)),
                None,
                d(2026, 4, 11)
            ),
            DeliveryState::Ended
        );
    }

    #[test]
    fn every_dataset_has_an_import_kind() {
        for ds in Dataset::ALL {
            assert!(["enterprises", "tags", "ip_assets"].contains(&import_kind(*ds)));
        }
    }

    #[test]
    fn provenance_and_start_are_checked() {
        assert!(check_provenance(" x ").is_err());
        assert_eq!(
            check_provenance(" 区税务局征管系统 ").expect("valid provenance"),
            "区税务局征管系统"
        );
        assert!(check_start(d(2024, 1, 1), d(2026, 11, 28)).is_err());
        assert!(check_start(d(2026, 1, 1), d(2026, 11, 28)).is_ok());
    }
}
