//! The policy simulator (SPEC §3.4, issue #6 item 10): past enterprise fee applications re-run
//! under a draft policy version, with the budget impact per class, item and district. The same
//! engine as the officers' calculation; each enterprise's cap is applied across its own
//! applications in the order they were submitted. Amounts are added with checked arithmetic: an
//! application whose amounts would take a total beyond what fen can hold is listed among the
//! errors (`amount.overflow`) and left out of every total, never wrapped into them.

use super::budget::{BudgetRequest, allocate_budget};
use super::calc::{Application, Loan, calculate};
use super::document::Budget;
use super::lpr::LprTable;
use super::rules::{Item, Rules};
use crate::message::Msg;
use crate::money::{Fen, MoneyOverflow};
use crate::size::SizeClass;
use serde::Serialize;
use std::collections::BTreeMap;

/// One past application as it was decided.
#[derive(Debug, Clone)]
pub struct PastApplication {
    pub id: i64,
    /// The applicant, for the enterprise cap across its applications.
    pub applicant: i64,
    pub district: String,
    pub class: SizeClass,
    pub operating_revenue_fen: Option<Fen>,
    pub loans: Vec<Loan>,
    /// What it got (granted, else approved, else computed), per item.
    pub current: Vec<(Item, Fen)>,
}

/// Totals of one group (a class, an item or a district).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub applications: u32,
    pub current_fen: Fen,
    pub simulated_fen: Fen,
}

impl Totals {
    /// What the draft would pay more (or less) than was paid; `None` only if the difference
    /// does not fit in fen.
    pub fn change_fen(&self) -> Option<Fen> {
        self.simulated_fen.checked_sub(self.current_fen)
    }

    /// The totals with one more application, or an overflow (then `self` is unchanged).
    fn plus(&self, current: Fen, simulated: Fen) -> Result<Totals, MoneyOverflow> {
        Ok(Totals {
            applications: self.applications.saturating_add(1),
            current_fen: self.current_fen.checked_add(current).ok_or(MoneyOverflow)?,
            simulated_fen: self
                .simulated_fen
                .checked_add(simulated)
                .ok_or(MoneyOverflow)?,
        })
    }
}

/// The budget impact of a draft.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Simulation {
    pub total: Totals,
    pub by_class: BTreeMap<&'static str, Totals>,
    pub by_item: BTreeMap<&'static str, Totals>,
    pub by_district: BTreeMap<String, Totals>,
    /// Applications the draft's conditions would rule out.
    pub ineligible: u32,
    /// Applications that could not be calculated, with why (e.g. an LPR value missing).
    #[serde(skip)]
    pub errors: Vec<(i64, Msg)>,
    /// The draft's budget and what it would pay under its mode.
    pub budget_fen: Option<Fen>,
    pub within_budget_fen: Option<Fen>,
}

/// Re-runs `past` (in submission order) under `rules` and sums the result.
pub fn simulate(
    rules: &Rules,
    budget: Option<Budget>,
    lpr: &LprTable,
    past: &[PastApplication],
) -> Simulation {
    let mut out = Simulation {
        budget_fen: budget.map(|b| b.total_fen),
        ..Default::default()
    };
    let mut used: BTreeMap<i64, Fen> = BTreeMap::new();
    // Each enterprise's running total per item, against the items' annual caps.
    let mut item_used: BTreeMap<i64, BTreeMap<super::rules::Item, Fen>> = BTreeMap::new();
    let mut requests = Vec::new();
    for a in past {
        let app = Application {
            class: a.class,
            operating_revenue_fen: a.operating_revenue_fen,
            loans: a.loans.clone(),
            item_used_fen: item_used.get(&a.applicant).cloned().unwrap_or_default(),
            enterprise_used_fen: used.get(&a.applicant).copied().unwrap_or_default(),
        };
        let calc = match calculate(rules, lpr, &app) {
            Ok(c) => c,
            Err(m) => {
                out.errors.push((a.id, m));
                continue;
            }
        };
        match add_application(&mut out, &mut used, a, &calc) {
            Ok(()) => {}
            Err(MoneyOverflow) => {
                out.errors.push((a.id, MoneyOverflow::msg()));
                continue;
            }
        }
        let mine = item_used.entry(a.applicant).or_default();
        for i in &calc.items {
            let was = mine.get(&i.item).copied().unwrap_or_default();
            // Bounded grants cannot overflow; if one ever did, the item stays as it was.
            if let Some(now) = was.checked_add(i.granted_fen) {
                mine.insert(i.item, now);
            }
        }
        if !calc.eligible {
            out.ineligible += 1;
        }
        requests.push(BudgetRequest {
            id: a.id,
            amount_fen: calc.total_fen,
            accepted_at: requests.len() as i64,
        });
    }
    if let Some(b) = budget {
        // Each grant is at most its request and all of them at most the budget: the sum fits.
        out.within_budget_fen = Fen::sum(allocate_budget(&requests, b.total_fen, b.mode)).ok();
    }
    out
}

/// Adds one calculated application to the totals and to its enterprise's running total, all or
/// nothing: on an overflow nothing has changed.
fn add_application(
    out: &mut Simulation,
    used: &mut BTreeMap<i64, Fen>,
    a: &PastApplication,
    calc: &super::calc::Calculation,
) -> Result<(), MoneyOverflow> {
    let simulated = calc.total_fen;
    let current = Fen::sum(a.current.iter().map(|(_, f)| *f))?;
    let enterprise = used
        .get(&a.applicant)
        .copied()
        .unwrap_or_default()
        .checked_add(simulated)
        .ok_or(MoneyOverflow)?;
    let total = out.total.plus(current, simulated)?;
    let class_key = a.class.code();
    let by_class = totals_of(&out.by_class, &class_key).plus(current, simulated)?;
    let by_district = totals_of(&out.by_district, &a.district).plus(current, simulated)?;
    let mut by_item = Vec::new();
    for item in Item::ALL {
        let cur = Fen::sum(
            a.current
                .iter()
                .filter(|(i, _)| *i == item)
                .map(|(_, f)| *f),
        )?;
        let sim = Fen::sum(
            calc.items
                .iter()
                .filter(|i| i.item == item)
                .map(|i| i.granted_fen),
        )?;
        if cur != Fen::ZERO || sim != Fen::ZERO {
            by_item.push((
                item.code(),
                totals_of(&out.by_item, &item.code()).plus(cur, sim)?,
            ));
        }
    }
    // Everything fits: record it.
    used.insert(a.applicant, enterprise);
    out.total = total;
    out.by_class.insert(class_key, by_class);
    out.by_district.insert(a.district.clone(), by_district);
    out.by_item.extend(by_item);
    Ok(())
}

fn totals_of<K: Ord>(m: &BTreeMap<K, Totals>, k: &K) -> Totals {
    m.get(k).cloned().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ip_number::IpKind;
    use crate::policy::budget::BudgetMode;
    use crate::policy::calc::IpShare;
    use chrono::NaiveDate;
    use rust_decimal::Decimal;

    fn loan(interest_fen: i64) -> Loan {
        Loan {
            reference: "测试银行 2026-01".into(),
            principal_fen: Fen::new(100_000_000),
            secured_amount_fen: None,
            ip_share: IpShare::Sole,
            ip_kind: IpKind::Patent,
            start: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default(),
            end: NaiveDate::from_ymd_opt(2026, 12, 31).unwrap_or_default(),
            annual_rate: Decimal::new(35, 3),
            interest_paid_fen: Fen::new(interest_fen),
            evaluation_fee_fen: Fen::ZERO,
            guarantee_fee_fen: Fen::ZERO,
            insurance_fee_fen: Fen::ZERO,
        }
    }

    fn rules(pct: i64) -> Rules {
        let v = serde_json::json!({"items": [{"item": "interest", "ratio": {"large": format!("0.{pct}"), "medium": format!("0.{pct}"), "small": format!("0.{pct}"), "micro": format!("0.{pct}")}}]});
        serde_json::from_value(v).unwrap_or_else(|e| panic!("rules: {e}"))
    }

    #[test]
    fn a_higher_ratio_shows_its_cost_per_class_item_and_district() {
        let past = vec![
            PastApplication {
                id: 1,
                applicant: 10,
                district: "440305".into(),
                class: SizeClass::Small,
                operating_revenue_fen: None,
                loans: vec![loan(1_000_000)],
                current: vec![(Item::Interest, Fen::new(500_000))],
            },
            PastApplication {
                id: 2,
                applicant: 11,
                district: "440304".into(),
                class: SizeClass::Large,
                operating_revenue_fen: None,
                loans: vec![loan(2_000_000)],
                current: vec![(Item::Interest, Fen::new(1_000_000))],
            },
        ];
        let budget = Budget {
            total_fen: Fen::new(1_800_000),
            mode: BudgetMode::ProRata,
        };
        let s = simulate(&rules(70), Some(budget), &LprTable::demo(), &past);
        assert_eq!(s.total.current_fen, Fen::new(1_500_000));
        assert_eq!(s.total.simulated_fen, Fen::new(2_100_000));
        assert_eq!(s.by_class["small"].simulated_fen, Fen::new(700_000));
        assert_eq!(
            s.by_district["440304"].change_fen(),
            Some(Fen::new(400_000))
        );
        assert_eq!(s.by_item["interest"].applications, 2);
        // The budget pays 1,800,000 of the 2,100,000 the draft would grant.
        assert_eq!(s.within_budget_fen, Some(Fen::new(1_800_000)));
    }

    /// Adversarial: what one application got is recorded near the limit of fen, and a second
    /// one takes the current total past it. The second is listed as an error
    /// (`amount.overflow`) and left out of every total; the totals are those of the first
    /// alone, not a wrapped negative sum.
    #[test]
    fn an_application_that_would_overflow_a_total_is_an_error_not_a_wrap() {
        let one = |id: i64, current: i64| PastApplication {
            id,
            applicant: id,
            district: "440305".into(),
            class: SizeClass::Small,
            operating_revenue_fen: None,
            loans: vec![loan(1_000_000)],
            current: vec![(Item::Interest, Fen::new(current))],
        };
        let past = vec![one(1, i64::MAX - 10), one(2, 11)];
        let s = simulate(&rules(70), None, &LprTable::demo(), &past);
        assert_eq!(s.errors.len(), 1, "{:?}", s.errors);
        assert_eq!(s.errors[0].0, 2);
        assert_eq!(s.errors[0].1.code, "amount.overflow");
        assert_eq!(s.total.applications, 1);
        assert_eq!(s.total.current_fen, Fen::new(i64::MAX - 10));
        assert_eq!(s.by_district["440305"].applications, 1);
        assert_eq!(s.by_item["interest"].current_fen, Fen::new(i64::MAX - 10));
        // Within one application, items whose sum does not fit are refused too.
        let mut both = one(3, i64::MAX);
        both.current.push((Item::Evaluation, Fen::new(1)));
        let s = simulate(&rules(70), None, &LprTable::demo(), &[both]);
        assert_eq!(s.errors[0].1.code, "amount.overflow");
        assert_eq!(s.total, Totals::default());
    }
}
