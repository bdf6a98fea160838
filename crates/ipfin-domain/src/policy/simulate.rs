//! The policy simulator (SPEC §3.4, issue #6 item 10): past enterprise fee applications re-run
//! under a draft policy version, with the budget impact per class, item and district. The same
//! engine as the officers' calculation; each enterprise's cap is applied across its own
//! applications in the order they were submitted.

use super::budget::{BudgetRequest, allocate_budget};
use super::calc::{Application, Loan, calculate};
use super::document::Budget;
use super::lpr::LprTable;
use super::rules::{Item, Rules};
use crate::message::Msg;
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
    pub operating_revenue_fen: Option<i64>,
    pub loans: Vec<Loan>,
    /// What it got (granted, else approved, else computed), per item.
    pub current: Vec<(Item, i64)>,
}

/// Totals of one group (a class, an item or a district).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub applications: u32,
    pub current_fen: i64,
    pub simulated_fen: i64,
}

impl Totals {
    pub fn change_fen(&self) -> i64 {
        self.simulated_fen - self.current_fen
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
    pub budget_fen: Option<i64>,
    pub within_budget_fen: Option<i64>,
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
    let mut used: BTreeMap<i64, i64> = BTreeMap::new();
    let mut requests = Vec::new();
    for a in past {
        let app = Application {
            class: a.class,
            operating_revenue_fen: a.operating_revenue_fen,
            loans: a.loans.clone(),
            enterprise_used_fen: used.get(&a.applicant).copied().unwrap_or(0),
        };
        let calc = match calculate(rules, lpr, &app) {
            Ok(c) => c,
            Err(m) => {
                out.errors.push((a.id, m));
                continue;
            }
        };
        if !calc.eligible {
            out.ineligible += 1;
        }
        *used.entry(a.applicant).or_default() += calc.total_fen;
        requests.push(BudgetRequest {
            id: a.id,
            amount_fen: calc.total_fen,
            accepted_at: requests.len() as i64,
        });
        let current_total: i64 = a.current.iter().map(|(_, f)| f).sum();
        let add = |t: &mut Totals, cur: i64, sim: i64| {
            t.applications += 1;
            t.current_fen += cur;
            t.simulated_fen += sim;
        };
        add(&mut out.total, current_total, calc.total_fen);
        add(
            out.by_class.entry(a.class.code()).or_default(),
            current_total,
            calc.total_fen,
        );
        add(
            out.by_district.entry(a.district.clone()).or_default(),
            current_total,
            calc.total_fen,
        );
        for item in Item::ALL {
            let cur = a
                .current
                .iter()
                .filter(|(i, _)| *i == item)
                .map(|(_, f)| f)
                .sum::<i64>();
            let sim = calc
                .items
                .iter()
                .filter(|i| i.item == item)
                .map(|i| i.granted_fen)
                .sum::<i64>();
            if cur != 0 || sim != 0 {
                add(out.by_item.entry(item.code()).or_default(), cur, sim);
            }
        }
    }
    if let Some(b) = budget {
        let paid: i64 = allocate_budget(&requests, b.total_fen, b.mode).iter().sum();
        out.within_budget_fen = Some(paid);
    }
    out
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
            principal_fen: 100_000_000,
            secured_amount_fen: None,
            ip_share: IpShare::Sole,
            ip_kind: IpKind::Patent,
            start: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default(),
            end: NaiveDate::from_ymd_opt(2026, 12, 31).unwrap_or_default(),
            annual_rate: Decimal::new(35, 3),
            interest_paid_fen: interest_fen,
            evaluation_fee_fen: 0,
            guarantee_fee_fen: 0,
            insurance_fee_fen: 0,
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
                current: vec![(Item::Interest, 500_000)],
            },
            PastApplication {
                id: 2,
                applicant: 11,
                district: "440304".into(),
                class: SizeClass::Large,
                operating_revenue_fen: None,
                loans: vec![loan(2_000_000)],
                current: vec![(Item::Interest, 1_000_000)],
            },
        ];
        let budget = Budget {
            total_fen: 1_800_000,
            mode: BudgetMode::ProRata,
        };
        let s = simulate(&rules(70), Some(budget), &LprTable::demo(), &past);
        assert_eq!(s.total.current_fen, 1_500_000);
        assert_eq!(s.total.simulated_fen, 2_100_000);
        assert_eq!(s.by_class["small"].simulated_fen, 700_000);
        assert_eq!(s.by_district["440304"].change_fen(), 400_000);
        assert_eq!(s.by_item["interest"].applications, 2);
        // The budget pays 1,800,000 of the 2,100,000 the draft would grant.
        assert_eq!(s.within_budget_fen, Some(1_800_000));
    }
}
