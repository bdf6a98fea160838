//! Budget you can see (issue #18 item 5): the figures of a policy year's budget — what the
//! policy document sets aside, what applications in review have committed, what was granted,
//! paid and clawed back, and what remains — and the warning an officer sees when accepting an
//! application beyond what remains under first come, first served. Pure arithmetic on sums the
//! store reads in one query; nothing is refused here.

use crate::message::Msg;
use crate::money::{Fen, MoneyOverflow};
use crate::policy::BudgetMode;
use crate::policy::document::Budget;
use serde::Serialize;

/// The sums over the applications of one policy year (a policy series and its year: every
/// version of a policy shares its year's budget, as the grant at the end of a notice does).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct BudgetSums {
    /// Applications accepted and in review (`accepted`, `reviewed`, `in_notice`): the approved
    /// amount where a review stage set one, else the computed amount.
    pub committed_fen: Fen,
    /// Every amount granted at the end of a notice (whatever happened since: paid,
    /// investigated, clawed back).
    pub granted_fen: Fen,
    /// What was disbursed of the granted amounts.
    pub paid_fen: Fen,
    /// What clawback decisions ordered returned.
    pub clawed_back_fen: Fen,
    /// Granted and still to pay: granted − disbursed of the applications still payable
    /// (`granted`, `disbursed`).
    pub unpaid_fen: Fen,
}

/// A policy year's budget figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BudgetFigures {
    /// The year's budget from the policy document; `None`: the policy sets none.
    pub budget_fen: Option<Fen>,
    pub mode: Option<BudgetMode>,
    pub committed_fen: Fen,
    pub granted_fen: Fen,
    pub paid_fen: Fen,
    pub clawed_back_fen: Fen,
    /// Granted and still to pay (see [`BudgetSums::unpaid_fen`]).
    pub unpaid_fen: Fen,
    /// `budget − committed − granted`; negative when more is committed than the budget holds
    /// (pro rata then cuts every grant; first come, first served grants the earliest).
    /// Clawed-back money is returned to the treasury (缴回国库), not to the year's budget, so
    /// it does not count here — the same rule as the grant at the end of a notice, which
    /// allocates `budget − granted`. `None` without a budget.
    pub remaining_fen: Option<Fen>,
}

/// The figures from the document's budget and the sums, or `MoneyOverflow` when what remains
/// does not fit in fen.
pub fn figures(budget: Option<Budget>, s: BudgetSums) -> Result<BudgetFigures, MoneyOverflow> {
    let remaining_fen = match budget {
        None => None,
        Some(b) => Some(
            b.total_fen
                .checked_sub(s.committed_fen)
                .and_then(|r| r.checked_sub(s.granted_fen))
                .ok_or(MoneyOverflow)?,
        ),
    };
    Ok(BudgetFigures {
        budget_fen: budget.map(|b| b.total_fen),
        mode: budget.map(|b| b.mode),
        committed_fen: s.committed_fen,
        granted_fen: s.granted_fen,
        paid_fen: s.paid_fen,
        clawed_back_fen: s.clawed_back_fen,
        unpaid_fen: s.unpaid_fen,
        remaining_fen,
    })
}

/// Whether committing `amount_fen` more goes beyond what remains.
pub fn exceeds_remaining(f: &BudgetFigures, amount_fen: Fen) -> bool {
    f.remaining_fen.is_some_and(|r| amount_fen > r)
}

/// The warning for an officer accepting an application of `amount_fen` (its computed amount):
/// only under first come, first served (用完即止), only beyond what remains. Acceptance goes on;
/// the officer is told the application may get less or nothing at the grant.
pub fn acceptance_warning(f: &BudgetFigures, amount_fen: Fen) -> Option<Msg> {
    if f.mode != Some(BudgetMode::FirstComeFirstServed) || !exceeds_remaining(f, amount_fen) {
        return None;
    }
    let remaining = f.remaining_fen.unwrap_or(Fen::ZERO);
    let y = Fen::yuan;
    Some(Msg::new(
        "budget.beyond_remaining",
        format!(
            "预算提示：本政策年度预算 {} 元，已占用（审核中）{} 元、已确定资助 {} 元，剩余 {} 元；本申请测算金额 {} 元超出剩余预算。按“用完即止”规则，资助确定时可能少于测算金额或为零。受理照常进行。",
            y(f.budget_fen.unwrap_or(Fen::ZERO)),
            y(f.committed_fen),
            y(f.granted_fen),
            y(remaining),
            y(amount_fen)
        ),
        format!(
            "Budget: the year's budget is {}, {} committed in review and {} granted, {} remaining; this application's {} goes beyond it. First come, first served: the grant may be less or nothing. The application is accepted all the same.",
            y(f.budget_fen.unwrap_or(Fen::ZERO)),
            y(f.committed_fen),
            y(f.granted_fen),
            y(remaining),
            y(amount_fen)
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fcfs(total_fen: i64) -> Option<Budget> {
        Some(Budget {
            total_fen: Fen::new(total_fen),
            mode: BudgetMode::FirstComeFirstServed,
        })
    }

    /// A worked example: a budget of 100,000.00; 30,000.00 in review, 50,000.00 granted of which
    /// 20,000.00 paid and 5,000.00 clawed back.
    #[test]
    fn figures_of_a_year() {
        let f = figures(
            fcfs(10_000_000),
            BudgetSums {
                committed_fen: Fen::new(3_000_000),
                granted_fen: Fen::new(5_000_000),
                paid_fen: Fen::new(2_000_000),
                clawed_back_fen: Fen::new(500_000),
                unpaid_fen: Fen::new(2_500_000),
            },
        )
        .expect("fits");
        assert_eq!(f.remaining_fen, Some(Fen::new(2_000_000)));
        assert_eq!(f.unpaid_fen, 2_500_000);
        assert!(!exceeds_remaining(&f, Fen::new(2_000_000)));
        assert!(exceeds_remaining(&f, Fen::new(2_000_001)));
        // Without a budget nothing remains to compare.
        let none = figures(None, BudgetSums::default()).expect("fits");
        assert_eq!(none.remaining_fen, None);
        assert!(!exceeds_remaining(&none, Fen::new(i64::MAX)));
        // What remains past fen is refused, never wrapped.
        let wild = BudgetSums {
            committed_fen: Fen::new(i64::MAX),
            ..BudgetSums::default()
        };
        assert_eq!(figures(fcfs(-2), wild), Err(MoneyOverflow));
        assert_eq!(
            figures(None, wild).map(|f| f.committed_fen),
            Ok(Fen::new(i64::MAX))
        );
    }

    #[test]
    fn acceptance_beyond_the_remaining_budget_warns_only_first_come_first_served() {
        let sums = BudgetSums {
            committed_fen: Fen::new(700_000),
            granted_fen: Fen::new(0),
            paid_fen: Fen::new(0),
            clawed_back_fen: Fen::new(0),
            unpaid_fen: Fen::new(0),
        };
        let f = figures(fcfs(1_000_000), sums).expect("fits");
        assert!(acceptance_warning(&f, Fen::new(300_000)).is_none());
        let w = acceptance_warning(&f, Fen::new(300_001)).expect("beyond");
        assert_eq!(w.code, "budget.beyond_remaining");
        assert!(
            w.zh.contains("3,000.00") && w.zh.contains("3,000.01") && w.zh.contains("受理照常进行")
        );
        // Pro rata: everyone is cut at the grant, nobody is warned at acceptance.
        let pro = figures(
            Some(Budget {
                total_fen: Fen::new(1_000_000),
                mode: BudgetMode::ProRata,
            }),
            sums,
        )
        .expect("fits");
        assert!(acceptance_warning(&pro, Fen::new(5_000_000)).is_none());
        // Over-committed already: remaining is negative and any amount warns.
        let over = figures(fcfs(500_000), sums).expect("fits");
        assert_eq!(over.remaining_fen, Some(Fen::new(-200_000)));
        assert!(acceptance_warning(&over, Fen::new(1)).is_some());
    }
}
