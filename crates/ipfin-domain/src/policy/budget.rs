//! Budget allocation (SPEC §3.4 step 5): first come first served (用完即止) by acceptance
//! time, or pro rata (按比例核减) with the rounding remainder assigned deterministically so the
//! grants sum to the budget exactly.

use crate::money::Fen;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BudgetMode {
    /// 用完即止: in order of acceptance until the budget is used up.
    FirstComeFirstServed,
    /// 按比例核减: every grant cut by the same proportion when the total exceeds the budget.
    ProRata,
}

/// One approved amount waiting for the budget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetRequest {
    pub id: i64,
    pub amount_fen: Fen,
    /// Acceptance time (for first come first served); ties go to the lower id.
    pub accepted_at: i64,
}

/// Shares `target` among `weights` in proportion, each rounded down, the remainder going one
/// fen at a time to the largest fractional parts (ties: the earlier index). The shares sum to
/// `target` exactly when the weights sum to at least `target`.
pub fn proportional(weights: &[i64], target: i64) -> Vec<i64> {
    let total: i128 = weights.iter().map(|w| i128::from((*w).max(0))).sum();
    if total == 0 || target <= 0 {
        return vec![0; weights.len()];
    }
    let target = i128::from(target).min(total);
    let mut shares: Vec<(usize, i128, i128)> = weights
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let p = i128::from((*w).max(0)) * target;
            (i, p / total, p % total)
        })
        .collect();
    let given: i128 = shares.iter().map(|s| s.1).sum();
    let mut left = target - given;
    let mut order: Vec<usize> = (0..shares.len()).collect();
    order.sort_by(|a, b| shares[*b].2.cmp(&shares[*a].2).then(a.cmp(b)));
    for i in order {
        if left == 0 {
            break;
        }
        if shares[i].2 > 0 {
            shares[i].1 += 1;
            left -= 1;
        }
    }
    shares.iter().map(|s| s.1 as i64).collect()
}

/// The grant of each request (in the order given) under a budget. Exact and unable to
/// overflow: the pro-rata shares are computed in `i128` and each grant is at most its request
/// and the budget, so every grant and their sum fit in fen.
pub fn allocate_budget(requests: &[BudgetRequest], budget: Fen, mode: BudgetMode) -> Vec<Fen> {
    let budget = budget.non_negative();
    match mode {
        BudgetMode::ProRata => {
            let total: i128 = requests
                .iter()
                .map(|r| i128::from(r.amount_fen.non_negative().get()))
                .sum();
            if total <= i128::from(budget.get()) {
                return requests
                    .iter()
                    .map(|r| r.amount_fen.non_negative())
                    .collect();
            }
            // Ties in the remainder go to the lower id, whatever order the requests came in.
            let mut by_id: Vec<usize> = (0..requests.len()).collect();
            by_id.sort_by_key(|i| requests[*i].id);
            let weights: Vec<i64> = by_id
                .iter()
                .map(|i| requests[*i].amount_fen.get())
                .collect();
            let shares = proportional(&weights, budget.get());
            let mut out = vec![Fen::ZERO; requests.len()];
            for (k, i) in by_id.into_iter().enumerate() {
                out[i] = Fen::new(shares[k]);
            }
            out
        }
        BudgetMode::FirstComeFirstServed => {
            let mut order: Vec<usize> = (0..requests.len()).collect();
            order.sort_by_key(|i| (requests[*i].accepted_at, requests[*i].id));
            let mut left = budget;
            let mut out = vec![Fen::ZERO; requests.len()];
            for i in order {
                let g = requests[i].amount_fen.non_negative().min(left);
                out[i] = g;
                // 0 <= g <= left: the difference is never below zero.
                left = left.checked_sub(g).unwrap_or(Fen::ZERO);
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn req(id: i64, amount_fen: i64, accepted_at: i64) -> BudgetRequest {
        BudgetRequest {
            id,
            amount_fen: Fen::new(amount_fen),
            accepted_at,
        }
    }

    /// The grants as plain fen, for comparing with hand-computed lists.
    fn alloc(r: &[BudgetRequest], budget: i64, mode: BudgetMode) -> Vec<i64> {
        allocate_budget(r, Fen::new(budget), mode)
            .into_iter()
            .map(Fen::get)
            .collect()
    }

    #[test]
    fn pro_rata_by_hand() {
        // 1,000,000 fen budget for 600,000 + 600,000 + 300,000 = 1,500,000: two thirds each.
        let r = [req(1, 600_000, 0), req(2, 600_000, 0), req(3, 300_000, 0)];
        assert_eq!(
            alloc(&r, 1_000_000, BudgetMode::ProRata),
            vec![400_000, 400_000, 200_000]
        );
        // 100 fen over three equal requests: 33.33 each, the one remaining fen to the lowest id.
        let r = [req(9, 50, 0), req(4, 50, 0), req(7, 50, 0)];
        assert_eq!(alloc(&r, 100, BudgetMode::ProRata), vec![33, 34, 33]);
        // Under budget: everything granted.
        assert_eq!(alloc(&r, 1_000, BudgetMode::ProRata), vec![50, 50, 50]);
    }

    /// Adversarial: requests and a budget at the edge of what fen can hold. The pro-rata shares
    /// are computed in `i128`, first come first served subtracts only what is left: nothing
    /// wraps, the grants sum to the budget exactly.
    #[test]
    fn amounts_near_the_limit_do_not_wrap() {
        let r = [
            req(1, i64::MAX, 0),
            req(2, i64::MAX, 1),
            req(3, i64::MAX, 2),
        ];
        for mode in [BudgetMode::ProRata, BudgetMode::FirstComeFirstServed] {
            let g = alloc(&r, i64::MAX, mode);
            let sum: i128 = g.iter().map(|x| i128::from(*x)).sum();
            assert_eq!(sum, i128::from(i64::MAX), "{mode:?}: {g:?}");
            assert!(g.iter().all(|x| *x >= 0), "{mode:?}: {g:?}");
        }
        // A negative budget or request counts as zero.
        assert_eq!(alloc(&r, -5, BudgetMode::ProRata), vec![0, 0, 0]);
        assert_eq!(
            alloc(&[req(1, -5, 0)], 10, BudgetMode::FirstComeFirstServed),
            vec![0]
        );
    }

    #[test]
    fn first_come_first_served_by_hand() {
        let r = [req(1, 500, 30), req(2, 400, 10), req(3, 300, 20)];
        // id 2 (t=10) gets 400, id 3 (t=20) 300, id 1 (t=30) the last 300 of 1,000.
        assert_eq!(
            alloc(&r, 1_000, BudgetMode::FirstComeFirstServed),
            vec![300, 400, 300]
        );
    }

    proptest! {
        #[test]
        fn pro_rata_sums_exactly_and_never_exceeds_a_request(
            amounts in proptest::collection::vec(0i64..50_000_000, 1..40),
            budget in 0i64..500_000_000,
        ) {
            let r: Vec<BudgetRequest> = amounts.iter().enumerate().map(|(i, a)| req(i as i64, *a, 0)).collect();
            let g = alloc(&r, budget, BudgetMode::ProRata);
            let total: i64 = amounts.iter().sum();
            prop_assert_eq!(g.iter().sum::<i64>(), total.min(budget));
            for (a, x) in amounts.iter().zip(&g) {
                prop_assert!(*x <= *a && *x >= 0);
            }
        }

        #[test]
        fn pro_rata_does_not_depend_on_the_order(
            amounts in proptest::collection::vec(1i64..5_000_000, 2..20),
            budget in 1i64..20_000_000,
            rot in 0usize..20,
        ) {
            let r: Vec<BudgetRequest> = amounts.iter().enumerate().map(|(i, a)| req(i as i64, *a, 0)).collect();
            let g = alloc(&r, budget, BudgetMode::ProRata);
            let mut shuffled = r.clone();
            let k = rot % shuffled.len();
            shuffled.rotate_left(k);
            let h = alloc(&shuffled, budget, BudgetMode::ProRata);
            for (req, x) in shuffled.iter().zip(&h) {
                prop_assert_eq!(*x, g[req.id as usize]);
            }
        }

        #[test]
        fn first_come_never_exceeds_the_budget(
            amounts in proptest::collection::vec(0i64..5_000_000, 1..30),
            budget in 0i64..50_000_000,
        ) {
            let r: Vec<BudgetRequest> = amounts.iter().enumerate().map(|(i, a)| req(i as i64, *a, (i as i64 * 7919) % 13)).collect();
            let g = alloc(&r, budget, BudgetMode::FirstComeFirstServed);
            let total: i64 = amounts.iter().sum();
            prop_assert_eq!(g.iter().sum::<i64>(), total.min(budget));
        }
    }
}
