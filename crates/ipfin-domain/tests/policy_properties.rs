//! Properties of the calculation engine over generated policies and applications: no grant
//! exceeds a cap, raising a ratio never lowers a grant, and the result does not depend on the
//! order in which loans are listed.

use chrono::NaiveDate;
use ipfin_domain::ip_number::IpKind;
use ipfin_domain::policy::rules::*;
use ipfin_domain::policy::{Application, IpShare, Loan, LprTable, LprTerm, calculate};
use ipfin_domain::size::SizeClass;
use proptest::prelude::*;
use rust_decimal::Decimal;

fn ratio() -> impl Strategy<Value = Ratio> {
    (0u32..=100).prop_map(|p| Ratio::new(Decimal::new(i64::from(p), 2)).expect("ratio"))
}

fn cap() -> impl Strategy<Value = Option<i64>> {
    prop_oneof![Just(None), (0i64..50_000_000).prop_map(Some)]
}

fn item_rule(item: Item) -> impl Strategy<Value = ItemRule> {
    (
        ratio(),
        cap(),
        proptest::option::of(ratio()),
        proptest::option::of(ratio()),
        any::<bool>(),
    )
        .prop_map(move |(r, c, cap_share, base_share, lpr_limit)| ItemRule {
            item,
            ratio: PerClass::all(r),
            ratio_if_guaranteed: None,
            cap_fen: PerClass::all(c),
            cap_share_of_principal: cap_share,
            base_max_share_of_principal: base_share,
            interest: (item == Item::Interest && lpr_limit).then(|| InterestRule {
                limit_to_lpr: Some(LprDate::LoanStart {
                    term: LprTerm::OneYear,
                }),
                ..Default::default()
            }),
        })
}

fn rules() -> impl Strategy<Value = Rules> {
    (
        item_rule(Item::Interest),
        item_rule(Item::Evaluation),
        item_rule(Item::Guarantee),
        item_rule(Item::Insurance),
        cap(),
        cap(),
    )
        .prop_map(|(a, b, c, d, app_cap, ent_cap)| Rules {
            items: vec![a, b, c, d],
            application_cap_fen: PerClass::all(app_cap),
            enterprise_cap: ent_cap.map(|c| EnterpriseCap {
                amount_fen: PerClass::all(Some(c)),
                period: CapPeriod::Year,
            }),
            conditions: Conditions::default(),
            fee_group_limit: None,
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
            ratio().prop_map(|ratio| IpShare::Ratio { ratio })
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
                Loan {
                    reference: format!("L{n:03}"),
                    principal_fen: principal,
                    secured_amount_fen: secured,
                    ip_share: share,
                    ip_kind: IpKind::Patent,
                    start,
                    end: start + chrono::Duration::days(days),
                    annual_rate: Decimal::new(345, 4),
                    interest_paid_fen: interest,
                    evaluation_fee_fen: eval,
                    guarantee_fee_fen: guar,
                    insurance_fee_fen: ins,
                }
            },
        )
}

fn application() -> impl Strategy<Value = Application> {
    (
        proptest::collection::vec(loan(), 1..5),
        0i64..60_000_000,
        0usize..4,
    )
        .prop_map(|(loans, used, c)| Application {
            class: SizeClass::ALL[c],
            operating_revenue_fen: None,
            loans,
            enterprise_used_fen: used,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn no_grant_exceeds_any_cap(r in rules(), a in application()) {
        let c = calculate(&r, &LprTable::demo(), &a).expect("calculates");
        let principal: i64 = a.loans.iter().map(|l| l.principal_fen).sum();
        for (i, rule) in c.items.iter().zip(&r.items) {
            prop_assert!(i.granted_fen >= 0 && i.granted_fen <= i.capped_fen && i.capped_fen <= i.computed_fen);
            if let Some(cap) = rule.cap_fen.get(a.class) {
                prop_assert!(i.capped_fen <= cap);
            }
            if let Some(share) = rule.cap_share_of_principal {
                prop_assert!(Decimal::from(i.capped_fen) <= Decimal::from(principal) * share.value() + Decimal::new(5, 1));
            }
        }
        prop_assert_eq!(c.items.iter().map(|i| i.granted_fen).sum::<i64>(), c.total_fen);
        if let Some(cap) = r.application_cap_fen.get(a.class) {
            prop_assert!(c.total_fen <= cap);
        }
        if let Some(ec) = &r.enterprise_cap && let Some(cap) = ec.amount_fen.get(a.class) {
            prop_assert!(c.total_fen <= (cap - a.enterprise_used_fen).max(0));
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
}
