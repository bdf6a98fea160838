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

/// Where a batch (申报批次) stands when one of its notices ends, the daily job looks at it or an
/// officer asks to close it. SPEC §3.4 step 5 decides the budget over the whole batch: every
/// grant cut by the same proportion, first come first served by acceptance over the whole
/// batch — so nothing of a batch is granted while more of it may still come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchStanding {
    /// The batch's application window is over: no new application can enter it.
    pub window_over: bool,
    /// Applications of the batch still before the end of their notice (submitted, returned for
    /// supplement, in review, reviewed, or in a notice not yet ended).
    pub before_notice_end: i64,
    /// Two officers closed the batch (four eyes): what has passed its notice is allocated now,
    /// what passes later gets what then remains.
    pub closed: bool,
}

impl BatchStanding {
    /// Whether the batch's budget is to be allocated over what has passed its notice.
    pub fn allocation_due(&self) -> bool {
        self.closed || (self.window_over && self.before_notice_end == 0)
    }
}

/// One allocation round of a batch: the grants of `requests` from what remains of the year's
/// `budget` after `granted_before` (grants of earlier batches and rounds); no budget: every
/// request in full.
pub fn allocate_round(
    requests: &[BudgetRequest],
    budget: Option<(Fen, BudgetMode)>,
    granted_before: Fen,
) -> Vec<Fen> {
    match budget {
        None => requests
            .iter()
            .map(|r| r.amount_fen.non_negative())
            .collect(),
        Some((total, mode)) => {
            let remaining = total
                .checked_sub(granted_before.non_negative())
                .unwrap_or(Fen::ZERO)
                .non_negative();
            allocate_budget(requests, remaining, mode)
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

    /// A batch's notices ending one after another, as the store drives it: after each end the
    /// batch's standing is asked and, when due, a round allocates what has passed its notice
    /// and is not yet granted from what remains. Returns each request's grant.
    fn run_batch(
        requests: &[BudgetRequest],
        notice_of: &[usize],
        end_order: &[usize],
        budget: i64,
        mode: BudgetMode,
    ) -> Vec<Fen> {
        let mut ended = vec![false; requests.len()];
        let mut granted: Vec<Option<Fen>> = vec![None; requests.len()];
        for n in end_order {
            for (i, k) in notice_of.iter().enumerate() {
                if k == n {
                    ended[i] = true;
                }
            }
            let standing = BatchStanding {
                window_over: true,
                before_notice_end: ended.iter().filter(|e| !**e).count() as i64,
                closed: false,
            };
            if !standing.allocation_due() {
                continue;
            }
            let waiting: Vec<usize> = (0..requests.len())
                .filter(|i| ended[*i] && granted[*i].is_none())
                .collect();
            let before = granted
                .iter()
                .flatten()
                .fold(Fen::ZERO, |a, g| a.checked_add(*g).unwrap_or(a));
            let round: Vec<BudgetRequest> = waiting.iter().map(|i| requests[*i].clone()).collect();
            let out = allocate_round(&round, Some((Fen::new(budget), mode)), before);
            for (i, g) in waiting.into_iter().zip(out) {
                granted[i] = Some(g);
            }
        }
        granted
            .into_iter()
            .map(|g| g.unwrap_or(Fen::ZERO))
            .collect()
    }

    /// Issue #19 item 2 by hand: 600,000 + 600,000 + 300,000 against 1,000,000, the third on a
    /// second notice. Per notice the first two were paid in full and the third got 0 (pro rata)
    /// — per batch all three are cut by the same two thirds.
    #[test]
    fn a_batch_split_over_two_notices_is_cut_as_one() {
        let r = [
            req(1, 600_000, 10),
            req(2, 600_000, 30),
            req(3, 300_000, 20),
        ];
        let g = run_batch(&r, &[0, 0, 1], &[0, 1], 1_000_000, BudgetMode::ProRata);
        assert_eq!(
            g.iter().map(|x| x.get()).collect::<Vec<_>>(),
            vec![400_000, 400_000, 200_000]
        );
        // First come first served follows acceptance over the batch: id 3 (t=20) before id 2
        // (t=30), though id 2's notice ended first.
        let g = run_batch(
            &r,
            &[0, 0, 1],
            &[0, 1],
            1_000_000,
            BudgetMode::FirstComeFirstServed,
        );
        assert_eq!(
            g.iter().map(|x| x.get()).collect::<Vec<_>>(),
            vec![600_000, 100_000, 300_000]
        );
        // Nothing is due while part of the batch is before its notice's end, or its window open.
        let open = BatchStanding {
            window_over: false,
            before_notice_end: 0,
            closed: false,
        };
        assert!(!open.allocation_due());
        let waiting = BatchStanding {
            window_over: true,
            before_notice_end: 1,
            closed: false,
        };
        assert!(!waiting.allocation_due());
        assert!(
            BatchStanding {
                closed: true,
                ..open
            }
            .allocation_due()
        );
        // A later round gets what remains after the earlier grants; none when used up.
        let later = allocate_round(
            &[req(9, 500, 0)],
            Some((Fen::new(1_000), BudgetMode::ProRata)),
            Fen::new(800),
        );
        assert_eq!(later, vec![Fen::new(200)]);
        let none = allocate_round(
            &[req(9, 500, 0)],
            Some((Fen::new(1_000), BudgetMode::ProRata)),
            Fen::new(1_200),
        );
        assert_eq!(none, vec![Fen::ZERO]);
        assert_eq!(
            allocate_round(&[req(9, 500, 0)], None, Fen::new(1_200)),
            vec![Fen::new(500)]
        );
    }

    proptest! {
        /// A batch split over any number of notices, ending in any order, is allocated exactly
        /// as if it had been one notice.
        #[test]
        fn a_batch_split_over_notices_equals_one_notice(
            amounts in proptest::collection::vec((0i64..5_000_000, 0i64..50), 1..25),
            notices in proptest::collection::vec(0usize..4, 25),
            order_seed in 0usize..24,
            budget in 0i64..60_000_000,
            pro_rata in proptest::bool::ANY,
        ) {
            let mode = if pro_rata { BudgetMode::ProRata } else { BudgetMode::FirstComeFirstServed };
            let r: Vec<BudgetRequest> = amounts.iter().enumerate().map(|(i, (a, t))| req(i as i64, *a, *t)).collect();
            let notice_of: Vec<usize> = (0..r.len()).map(|i| notices[i]).collect();
            let mut order: Vec<usize> = (0..4).collect();
            order.rotate_left(order_seed % 4);
            if order_seed >= 12 {
                order.reverse();
            }
            let split = run_batch(&r, &notice_of, &order, budget, mode);
            let one = allocate_budget(&r, Fen::new(budget), mode);
            prop_assert_eq!(split, one);
        }

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
