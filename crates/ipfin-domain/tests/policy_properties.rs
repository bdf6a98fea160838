//! Properties of the calculation engine over generated policies and applications: totals are
//! the sum of the items, no amount is negative or above any cap, raising a ratio never lowers
//! a grant, the result does not depend on the order in which loans are listed, and no input at
//! all — amounts anywhere in i64, rates, shares, dates — reaches a panic: it is calculated or
//! refused with a message.

use chrono::NaiveDate;
use ipfin_domain::ip_number::IpKind;
use ipfin_domain::money::Fen;
use ipfin_domain::policy::calc::MAX_FEN;
use ipfin_domain::policy::rules::*;
use ipfin_domain::policy::{Application, IpShare, Loan, LprTable, LprTerm, calculate};
use ipfin_domain::size::SizeClass;
use proptest::prelude::*;
use rust_decimal::Decimal;

fn ratio() -> impl Strategy<Value = Ratio> {
    (0u32..=100).prop_map(|p| Ratio::new(Decimal::new(i64::from(p), 2)).expect("ratio"))
}

/// An IP share as the engine takes it: above 0.
fn share_ratio() -> impl Strategy<Value = Ratio> {
    (1u32..=10_000).prop_map(|p| Ratio::new(Decimal::new(i64::from(p), 4)).expect("ratio"))
}

fn cap() -> impl Strategy<Value = Option<Fen>> {
    prop_oneof![
        Just(None),
        (0i64..50_000_000).prop_map(|c| Some(Fen::new(c)))
    ]
}

fn item_rule(item: Item) -> impl Strategy<Value = ItemRule> {
    (
        ratio(),
        cap(),
        proptest::option::of(ratio()),
        proptest::option::of(ratio()),
        any::<bool>(),
        cap(),
    )
        .prop_map(
            move |(r, c, cap_share, base_share, lpr_limit, annual)| ItemRule {
                item,
                ratio: PerClass::all(r),
                ratio_if_guaranteed: None,
                cap_fen: PerClass::all(c),
                annual_cap_fen: PerClass::all(annual),
                cap_share_of_principal: cap_share,
                base_max_share_of_principal: base_share,
                interest: (item == Item::Interest && lpr_limit).then(|| InterestRule {
                    limit_to_lpr: Some(LprDate::LoanStart {
                        term: LprTerm::OneYear,
                    }),
                    ..Default::default()
                }),
            },
        )
}

fn rules() -> impl Strategy<Value = Rules> {
    (
        item_rule(Item::Interest),
        item_rule(Item::Evaluation),
        item_rule(Item::Guarantee),
        item_rule(Item::Insurance),
        cap(),
        cap(),
        proptest::option::of(ratio()),
    )
        .prop_map(|(a, b, c, d, app_cap, ent_cap, group)| Rules {
            items: vec![a, b, c, d],
            application_cap_fen: PerClass::all(app_cap),
            enterprise_cap: ent_cap.map(|c| EnterpriseCap {
                amount_fen: PerClass::all(Some(c)),
                period: CapPeriod::Year,
            }),
            conditions: Conditions::default(),
            fee_group_limit: group.map(|share_of_principal| GroupLimit {
                items: vec![Item::Evaluation, Item::Guarantee, Item::Insurance],
                share_of_principal,
            }),
            institution_reward: None,
            securitisation: None,
        })
}

fn loan() -> impl Strategy<Value = Loan> {
    (
        1i64..2_000_000_000,
        proptest::option::of(1i64..2_000_000_000),
        prop_oneof![
            Just(IpShare::Sole),
            share_ratio().prop_map(|ratio| IpShare::Ratio { ratio }),
            (1i64..=1000).prop_map(|permille| IpShare::Amount {
                amount_fen: Fen::new(permille)
            }),
        ],
        0i64..300,
        30i64..700,
        (
            0i64..100_000_000,
            0i64..5_000_000,
            0i64..5_000_000,
            0i64..5_000_000,
        ),
        0u32..100,
    )
        .prop_map(
            |(principal, secured, share, offset, days, (interest, eval, guar, ins), n)| {
                let start = NaiveDate::from_ymd_opt(2025, 5, 25).expect("date")
                    + chrono::Duration::days(offset);
                // An IP amount is a share of the principal (in ‰), so never above it.
                let share = match share {
                    IpShare::Amount { amount_fen } => IpShare::Amount {
                        amount_fen: Fen::new((principal * amount_fen.get() / 1000).max(1)),
                    },
                    s => s,
                };
                Loan {
                    reference: format!("L{n:03}"),
                    principal_fen: Fen::new(principal),
                    secured_amount_fen: secured.map(Fen::new),
                    ip_share: share,
                    ip_kind: IpKind::Patent,
                    start,
                    end: start + chrono::Duration::days(days),
                    annual_rate: Decimal::new(345, 4),
                    interest_paid_fen: Fen::new(interest),
                    evaluation_fee_fen: Fen::new(eval),
                    guarantee_fee_fen: Fen::new(guar),
                    insurance_fee_fen: Fen::new(ins),
                }
            },
        )
}

fn application() -> impl Strategy<Value = Application> {
    (
        proptest::collection::vec(loan(), 1..5),
        0i64..60_000_000,
        0usize..4,
        // Per item used: nothing, some of the cap, all of it, or more than any cap.
        proptest::collection::btree_map(
            prop_oneof![
                Just(Item::Interest),
                Just(Item::Evaluation),
                Just(Item::Guarantee),
                Just(Item::Insurance)
            ],
            0i64..80_000_000,
            0..4,
        ),
    )
        .prop_map(|(loans, used, c, item_used)| Application {
            class: SizeClass::ALL[c],
            operating_revenue_fen: None,
            loans,
            enterprise_used_fen: Fen::new(used),
            item_used_fen: item_used
                .into_iter()
                .map(|(i, f)| (i, Fen::new(f)))
                .collect(),
        })
}

/// Any amount at all: small, at the bound, past it, negative, the ends of i64.
fn wild_fen() -> impl Strategy<Value = Fen> {
    prop_oneof![
        (0i64..1_000_000_000).prop_map(Fen::new),
        (MAX_FEN - 10..MAX_FEN + 10).prop_map(Fen::new),
        any::<i64>().prop_map(Fen::new),
        Just(Fen::new(i64::MAX)),
        Just(Fen::new(i64::MIN)),
        Just(Fen::ZERO),
    ]
}

fn wild_loan() -> impl Strategy<Value = Loan> {
    (
        (wild_fen(), proptest::option::of(wild_fen())),
        prop_oneof![
            Just(IpShare::Sole),
            ratio().prop_map(|ratio| IpShare::Ratio { ratio }),
            wild_fen().prop_map(|amount_fen| IpShare::Amount { amount_fen }),
        ],
        (-400_000i64..400_000, -10i64..100_000),
        (any::<i64>(), 0u32..28),
        (wild_fen(), wild_fen(), wild_fen(), wild_fen()),
    )
        .prop_map(
            |((principal, secured), share, (offset, days), (rate, scale), (i, e, g, s))| {
                let start = NaiveDate::from_ymd_opt(2025, 5, 25).expect("date")
                    + chrono::Duration::days(offset);
                Loan {
                    reference: "L".into(),
                    principal_fen: principal,
                    secured_amount_fen: secured,
                    ip_share: share,
                    ip_kind: IpKind::Patent,
                    start,
                    end: start + chrono::Duration::days(days),
                    annual_rate: Decimal::new(rate, scale),
                    interest_paid_fen: i,
                    evaluation_fee_fen: e,
                    guarantee_fee_fen: g,
                    insurance_fee_fen: s,
                }
            },
        )
}

/// Rules with caps anywhere in i64 (a stored document older than the checks) and every
/// interest shape, LPR-relative ones included.
fn wild_rules() -> impl Strategy<Value = Rules> {
    (
        rules(),
        proptest::option::of(any::<i64>()),
        proptest::option::of(any::<i64>()),
        proptest::option::of(0u32..2000),
        any::<bool>(),
    )
        .prop_map(|(mut r, item_cap, ent_cap, max_days, ceiling)| {
            r.items[0].cap_fen = PerClass::all(item_cap.map(Fen::new));
            r.items[0].annual_cap_fen =
                PerClass::all(item_cap.map(|c| Fen::new(c.wrapping_add(1))));
            r.items[0].interest = Some(InterestRule {
                max_days,
                max_rate_over_lpr: ceiling.then(|| {
                    (
                        LprDate::LoanStart {
                            term: LprTerm::OneYear,
                        },
                        Ratio::new(Decimal::new(4, 1)).expect("ratio"),
                    )
                }),
                rate_base: (!ceiling).then_some(LprDate::LoanStart {
                    term: LprTerm::OverFiveYears,
                }),
                ..Default::default()
            });
            r.enterprise_cap = ent_cap.map(|c| EnterpriseCap {
                amount_fen: PerClass::all(Some(Fen::new(c))),
                period: CapPeriod::Years(3),
            });
            r
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn totals_are_the_sum_of_items_and_no_amount_is_negative_or_above_a_cap(r in rules(), a in application()) {
        let c = calculate(&r, &LprTable::demo(), &a).expect("calculates");
        prop_assert!(c.eligible);
        let principal: i64 = a.loans.iter().map(|l| l.principal_fen.get()).sum();
        for (i, rule) in c.items.iter().zip(&r.items) {
            prop_assert!(i.granted_fen >= 0 && i.granted_fen <= i.capped_fen && i.capped_fen <= i.computed_fen);
            if let Some(cap) = rule.cap_fen.get(a.class) {
                prop_assert!(i.capped_fen <= cap);
            }
            // The item's annual cap per enterprise less what was used is never exceeded, and
            // used beyond the cap makes nothing negative.
            let used = a.item_used_fen.get(&rule.item).map_or(0, |f| f.get());
            if let Some(annual) = rule.annual_cap_fen.get(a.class).map(Fen::get) {
                prop_assert!(i.capped_fen <= (annual - used).max(0));
                prop_assert_eq!(i.annual.map(|r| (r.used_fen.get(), r.remaining_fen.get())), Some((used, (annual - used).max(0))));
            } else {
                prop_assert!(i.annual.is_none());
            }
            if let Some(share) = rule.cap_share_of_principal {
                prop_assert!(i.capped_fen.to_decimal() <= Decimal::from(principal) * share.value() + Decimal::new(5, 1));
            }
        }
        prop_assert_eq!(c.items.iter().map(|i| i.granted_fen.get()).sum::<i64>(), c.total_fen.get());
        prop_assert!(c.total_fen >= 0);
        for s in &c.steps {
            prop_assert!(s.amount_fen.is_none_or(|f| f >= 0), "{:?}", s);
        }
        if let Some(cap) = r.application_cap_fen.get(a.class) {
            prop_assert!(c.total_fen <= cap);
        }
        if let Some(ec) = &r.enterprise_cap && let Some(cap) = ec.amount_fen.get(a.class) {
            prop_assert!(c.total_fen <= (cap.get() - a.enterprise_used_fen.get()).max(0));
        }
    }

    #[test]
    fn raising_a_ratio_never_lowers_a_grant(r in rules(), a in application(), k in 0usize..4, up in 0u32..=100) {
        let before = calculate(&r, &LprTable::demo(), &a).expect("calculates");
        let mut higher = r.clone();
        let old = higher.items[k].ratio.get(a.class).value();
        let new = (old + Decimal::new(i64::from(up), 2)).min(Decimal::ONE);
        higher.items[k].ratio = PerClass::all(Ratio::new(new).expect("ratio"));
        let after = calculate(&higher, &LprTable::demo(), &a).expect("calculates");
        prop_assert!(after.total_fen >= before.total_fen);
        prop_assert!(after.items[k].capped_fen >= before.items[k].capped_fen);
    }

    #[test]
    fn the_order_of_loans_does_not_matter(r in rules(), a in application(), rot in 0usize..5) {
        let c = calculate(&r, &LprTable::demo(), &a).expect("calculates");
        let mut b = a.clone();
        let n = b.loans.len();
        b.loans.rotate_left(rot % n);
        b.loans.reverse();
        let d = calculate(&r, &LprTable::demo(), &b).expect("calculates");
        prop_assert_eq!(c.items, d.items);
        prop_assert_eq!(c.total_fen, d.total_fen);
    }

    /// Whatever the figures, the engine answers: a result within the bounds, or a refusal
    /// with a code — and a refusal whenever an input is out of its bounds.
    #[test]
    fn no_input_reaches_a_panic(
        r in wild_rules(),
        loans in proptest::collection::vec(wild_loan(), 0..4),
        used in wild_fen(),
        revenue in proptest::option::of(wild_fen()),
        c in 0usize..4,
        item_used in wild_fen(),
    ) {
        let a = Application { class: SizeClass::ALL[c], operating_revenue_fen: revenue, loans, enterprise_used_fen: used,
            item_used_fen: [(Item::Interest, item_used)].into_iter().collect() };
        let out_of_bounds = !a.problems().is_empty();
        match calculate(&r, &LprTable::demo(), &a) {
            Ok(calc) => {
                prop_assert!(!out_of_bounds, "{:?}", a.problems());
                prop_assert!(calc.total_fen >= 0);
                prop_assert_eq!(calc.items.iter().map(|i| i.granted_fen.get()).sum::<i64>(), calc.total_fen.get());
                prop_assert!(calc.eligible || calc.total_fen == 0);
                // Rendering the derivation cannot panic either.
                prop_assert_eq!(calc.lines().len(), calc.steps.len());
            }
            Err(m) => prop_assert!(!m.code.is_empty() && !m.zh.is_empty()),
        }
    }

    /// Nothing qualifies → not eligible, 0, and a reason for every loan.
    #[test]
    fn an_application_whose_every_loan_is_excluded_is_not_eligible(r in rules(), mut a in application()) {
        let mut r = r;
        r.conditions.ip_kinds = vec![IpKind::Trademark];
        for l in &mut a.loans {
            l.ip_kind = IpKind::Patent;
        }
        let c = calculate(&r, &LprTable::demo(), &a).expect("calculates");
        prop_assert!(!c.eligible);
        prop_assert_eq!(c.total_fen, 0);
        prop_assert!(c.items.is_empty());
        prop_assert_eq!(c.steps.iter().filter(|s| s.rule == "condition.ip_kind").count(), a.loans.len());
        prop_assert_eq!(c.steps.last().map(|s| s.rule), Some("condition.none"));
    }
}
