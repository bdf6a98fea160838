//! The calculation engine over a batch of 100,000 applications (3 loans, 4 items each),
//! single-threaded (issue #4: under 1 s).

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use ipfin_domain::ip_number::IpKind;
use ipfin_domain::money::Fen;
use ipfin_domain::policy::rules::{
    CapPeriod, Conditions, EnterpriseCap, InterestRule, Item, ItemRule, LprDate, PerClass, Ratio,
    Rules,
};
use ipfin_domain::policy::{Application, IpShare, Loan, LprTable, LprTerm, calculate};
use ipfin_domain::size::SizeClass;
use rust_decimal::Decimal;
use std::hint::black_box;

fn rules() -> Rules {
    let ratio = Ratio::new(Decimal::new(7, 1)).expect("ratio");
    let items = Item::ALL
        .iter()
        .map(|i| ItemRule {
            item: *i,
            ratio: PerClass::all(ratio),
            ratio_if_guaranteed: None,
            cap_fen: PerClass::all(Some(Fen::new(50_000_000))),
            annual_cap_fen: PerClass::all(None),
            cap_share_of_principal: Some(Ratio::new(Decimal::new(3, 2)).expect("ratio")),
            base_max_share_of_principal: None,
            interest: (*i == Item::Interest).then(|| InterestRule {
                limit_to_lpr: Some(LprDate::LoanStart {
                    term: LprTerm::OneYear,
                }),
                ..Default::default()
            }),
        })
        .collect();
    Rules {
        items,
        application_cap_fen: PerClass::all(Some(Fen::new(100_000_000))),
        enterprise_cap: Some(EnterpriseCap {
            amount_fen: PerClass::all(Some(Fen::new(150_000_000))),
            period: CapPeriod::Year,
        }),
        conditions: Conditions::default(),
        fee_group_limit: None,
        institution_reward: None,
        securitisation: None,
    }
}

fn applications(n: usize) -> Vec<Application> {
    let start = NaiveDate::from_ymd_opt(2025, 6, 1).expect("date");
    (0..n)
        .map(|i| Application {
            class: SizeClass::ALL[i % 4],
            operating_revenue_fen: None,
            enterprise_used_fen: Fen::new((i as i64 % 7) * 10_000_000),
            item_used_fen: Default::default(),
            loans: (0..3)
                .map(|k| Loan {
                    reference: format!("L{i}-{k}"),
                    principal_fen: Fen::new(100_000_000 + (i as i64 * 7919 + k) % 900_000_000),
                    secured_amount_fen: Some(Fen::new(80_000_000)),
                    ip_share: if k == 2 {
                        IpShare::Ratio {
                            ratio: Ratio::new(Decimal::new(6, 1)).expect("ratio"),
                        }
                    } else {
                        IpShare::Sole
                    },
                    ip_kind: IpKind::Patent,
                    start: start + chrono::Duration::days((i % 60) as i64),
                    end: start + chrono::Duration::days(365 + (i % 60) as i64),
                    annual_rate: Decimal::new(345, 4),
                    interest_paid_fen: Fen::new(3_000_000 + (i as i64 % 1000) * 1000),
                    evaluation_fee_fen: Fen::new(300_000),
                    guarantee_fee_fen: Fen::new(1_000_000),
                    insurance_fee_fen: Fen::new(200_000),
                })
                .collect(),
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let rules = rules();
    let lpr = LprTable::demo();
    let apps = applications(100_000);
    let mut g = c.benchmark_group("calc");
    g.sample_size(10);
    g.bench_function("100k applications × 3 loans × 4 items", |b| {
        b.iter(|| {
            let mut total = 0i64;
            for a in &apps {
                total += calculate(&rules, &lpr, black_box(a))
                    .map(|c| c.total_fen.get())
                    .unwrap_or(0);
            }
            black_box(total)
        })
    });
    // The same with an annual cap per item and part of it used (issue #19 item 3).
    let mut annual = rules.clone();
    for it in &mut annual.items {
        it.annual_cap_fen = PerClass::all(Some(Fen::new(40_000_000)));
    }
    let used: Vec<Application> = apps
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let mut a = a.clone();
            a.item_used_fen = Item::ALL
                .iter()
                .map(|it| (*it, Fen::new((i as i64 % 5) * 10_000_000)))
                .collect();
            a
        })
        .collect();
    g.bench_function(
        "100k applications × 3 loans × 4 items, annual caps",
        |b| {
            b.iter(|| {
                let mut total = 0i64;
                for a in &used {
                    total += calculate(&annual, &lpr, black_box(a))
                        .map(|c| c.total_fen.get())
                        .unwrap_or(0);
                }
                black_box(total)
            })
        },
    );
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
