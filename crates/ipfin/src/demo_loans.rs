//! Demo pledge loans (issue #5): ~20,000 loans at city scale from 15 banks over 2024–2026, on
//! the generated IP holders' own IP, with pledges, quarterly interest, repayments, statuses and
//! guarantee, insurance and valuation contracts. Deterministic for a seed and an as-of date.

use crate::generate::{Borrower, Rng};
use chrono::{Datelike, Months, NaiveDate};
use ipfin_domain::financing::{LoanStatus, LoanTerms, Payment, PledgeTerms};
use ipfin_domain::{EnterpriseId, Fen, OrgId};
use ipfin_store::demo_bulk::BulkLoan;
use ipfin_store::financing::{ContractInput, LoanInput, PledgeInput, PledgeItemInput};
use rust_decimal::Decimal;

/// The demo's banks: the two of the small demo and thirteen more.
pub const BANKS: &[&str] = &[
    "深南银行深圳分行",
    "鹏城商业银行",
    "湾区发展银行深圳分行",
    "粤海农村商业银行",
    "前海科创银行",
    "华南工商银行深圳分行",
    "南粤建设银行深圳分行",
    "中南农业银行深圳分行",
    "特区招商银行",
    "鹏程兴业银行深圳分行",
    "蛇口浦发银行深圳分行",
    "福田民生银行深圳分行",
    "宝安邮储银行",
    "龙岗华夏银行深圳分行",
    "光明平安银行",
];

/// One demo loan and what follows it.
pub struct DemoLoan {
    pub bank: usize,
    pub input: LoanInput,
    pub payments: Vec<Payment>,
    pub status: Option<(LoanStatus, NaiveDate, &'static str)>,
    pub contracts: Vec<ContractInput>,
}

fn day(start: NaiveDate, days: u64) -> NaiveDate {
    start + chrono::Days::new(days)
}

use ipfin_store::demo::interest;

/// The loans of the generated borrowers, as of `as_of` (payments and statuses up to it).
pub fn demo_loans(borrowers: &[Borrower], seed: u64, as_of: NaiveDate) -> Vec<DemoLoan> {
    let mut rng = Rng::new(seed ^ 0x0001_0A45);
    let first_day = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default();
    let last_start = NaiveDate::from_ymd_opt(2026, 10, 31)
        .unwrap_or_default()
        .min(as_of);
    let span = (last_start - first_day).num_days().max(1) as u64;
    let mut out = Vec::new();
    let mut serial = 0u64;
    for b in borrowers {
        let loans = if rng.below(4) == 0 { 2 } else { 1 };
        for _ in 0..loans {
            serial += 1;
            let bank = *rng.weighted(&[
                (0usize, 14),
                (1, 10),
                (2, 9),
                (3, 8),
                (4, 8),
                (5, 7),
                (6, 7),
                (7, 6),
                (8, 6),
                (9, 5),
                (10, 5),
                (11, 4),
                (12, 4),
                (13, 4),
                (14, 3),
            ]);
            let principal = *rng.weighted(&[(10u64, 30), (30, 30), (50, 20), (100, 12), (300, 8)])
                as i64
                * (1 + rng.below(10) as i64)
                * 10_000_000; // 10 万元 steps of 100–3,000 万元
            let rate = Decimal::new(280 + 5 * rng.below(35) as i64, 4);
            let start = day(first_day, rng.below(span));
            let months = *rng.weighted(&[(12u32, 70), (24, 20), (36, 10)]);
            let end = start
                .checked_add_months(Months::new(months))
                .map(|d| d - chrono::Days::new(1))
                .unwrap_or(start);
            let other = rng.below(4) == 0;
            let registered = start - chrono::Days::new(1 + rng.below(10));
            let n_items = 1 + rng.below(b.ip.len() as u64) as usize;
            let items = b.ip[..n_items]
                .iter()
                .map(|(kind, number)| PledgeItemInput {
                    kind: kind.to_string(),
                    number: number.clone(),
                    title: None,
                    related_party: None,
                })
                .collect();
            let input = LoanInput {
                borrower_credit_code: b.credit_code.clone(),
                terms: LoanTerms {
                    contract_number: format!("{}-ZY-{:06}", start.year(), serial),
                    principal_fen: Fen::new(principal),
                    annual_rate: rate,
                    start,
                    end,
                    disbursements: vec![],
                    other_collateral: other,
                    ip_amount_fen: None,
                    ip_ratio: other.then(|| Decimal::new(4 + rng.below(6) as i64, 1)),
                },
                first_loan: rng.below(10) < 3,
                status: None,
                pledges: vec![PledgeInput {
                    terms: PledgeTerms {
                        number: format!("Y{}98{:07}", registered.year(), serial),
                        secured_amount_fen: Fen::new(principal),
                        registration_date: registered,
                        cancellation_date: None,
                    },
                    items,
                }],
            };
            // Quarterly interest up to the end or the as-of date; the principal at the end.
            let fate = rng.below(50);
            let matured = end <= as_of;
            let mut payments = Vec::new();
            let mut from = start;
            loop {
                let to = from
                    .checked_add_months(Months::new(3))
                    .unwrap_or(end)
                    .min(end);
                if to > as_of || to <= from {
                    break;
                }
                let last = to == end;
                let defaulting = matured && fate < 3 && last;
                payments.push(Payment {
                    date: to,
                    principal_fen: Fen::new(if last && !defaulting { principal } else { 0 }),
                    interest_fen: Fen::new(interest(principal, rate, (to - from).num_days())),
                });
                from = to;
                if last {
                    break;
                }
            }
            if matured && fate < 3 {
                // No principal back at the end: overdue, defaulted three months on.
                payments.retain(|p| p.date < end);
            }
            let status = if matured && fate < 3 {
                let later = day(end, 90);
                if fate == 0 && later <= as_of {
                    Some((LoanStatus::Defaulted, later, "逾期超过 90 天"))
                } else {
                    Some((LoanStatus::Overdue, day(end, 1), "到期未还本"))
                }
            } else if matured {
                Some((LoanStatus::Repaid, end, "到期结清"))
            } else {
                None
            };
            let mut contracts = Vec::new();
            if rng.below(10) < 8 {
                let fee = (principal / 200).clamp(500_000, 5_000_000);
                contracts.push(ContractInput {
                    kind: "valuation".into(),
                    provider_name: "华信资产评估有限公司".into(),
                    contract_number: format!("PG-{serial:06}"),
                    fee_fen: Fen::new(fee),
                    invoice_number: Some(format!("4403{serial:08}")),
                    invoice_date: Some(registered),
                    paid_date: Some(registered),
                    paid_fen: Some(Fen::new(fee)),
                    appraised_value_fen: Some(Fen::new(principal * (2 + rng.below(2) as i64))),
                    report_date: Some(registered - chrono::Days::new(5)),
                });
            }
            if rng.below(20) < 7 {
                let fee = principal * 15 / 1000 * i64::from(months) / 12;
                contracts.push(ContractInput {
                    kind: "guarantee".into(),
                    provider_name: "前海科技融资担保有限公司".into(),
                    contract_number: format!("DB-{serial:06}"),
                    fee_fen: Fen::new(fee),
                    invoice_number: Some(format!("4403{:08}", serial + 50_000_000)),
                    invoice_date: Some(start),
                    paid_date: Some(start),
                    paid_fen: Some(Fen::new(fee)),
                    appraised_value_fen: None,
                    report_date: None,
                });
            }
            if rng.below(5) == 0 {
                let fee = principal / 100;
                contracts.push(ContractInput {
                    kind: "insurance".into(),
                    provider_name: "南方财产保险深圳分公司".into(),
                    contract_number: format!("BX-{serial:06}"),
                    fee_fen: Fen::new(fee),
                    invoice_number: None,
                    invoice_date: None,
                    paid_date: Some(start),
                    paid_fen: Some(Fen::new(fee)),
                    appraised_value_fen: None,
                    report_date: None,
                });
            }
            out.push(DemoLoan {
                bank,
                input,
                payments,
                status,
                contracts,
            });
        }
    }
    out
}

/// Benchmark-sized synthetic loans (`ipfin demo --loans N`): `n` loans of the demo banks
/// starting 2024-01-01..=2026-10-31, to borrowers drawn from about `n / 4` enterprises of
/// `enterprises`, with one pledge registration each; loans ended by `as_of` are repaid.
/// Deterministic for a seed. Contract numbers `BK-0000001…`, pledge numbers `Y<year>97<serial>`.
pub struct BulkLoans<'a> {
    rng: Rng,
    borrowers: Vec<i64>,
    banks: &'a [i64],
    serial: u64,
    n: u64,
    as_of: NaiveDate,
}

/// The contract number prefix of the synthetic loans.
pub const BULK_PREFIX: &str = "BK-";

impl<'a> BulkLoans<'a> {
    pub fn new(
        enterprises: &[i64],
        banks: &'a [i64],
        n: u64,
        seed: u64,
        as_of: NaiveDate,
    ) -> BulkLoans<'a> {
        let mut rng = Rng::new(seed ^ 0x00B0_1C10);
        let pool = (n / 4).clamp(1, enterprises.len().max(1) as u64);
        let borrowers = if enterprises.is_empty() {
            Vec::new()
        } else {
            (0..pool)
                .map(|_| enterprises[rng.below(enterprises.len() as u64) as usize])
                .collect()
        };
        BulkLoans {
            rng,
            borrowers,
            banks,
            serial: 0,
            n,
            as_of,
        }
    }
}

impl Iterator for BulkLoans<'_> {
    type Item = BulkLoan;

    fn next(&mut self) -> Option<BulkLoan> {
        if self.serial >= self.n || self.borrowers.is_empty() || self.banks.is_empty() {
            return None;
        }
        self.serial += 1;
        let rng = &mut self.rng;
        let first_day = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default();
        let last_start = NaiveDate::from_ymd_opt(2026, 10, 31)
            .unwrap_or_default()
            .min(self.as_of);
        let span = (last_start - first_day).num_days().max(1) as u64;
        let start = day(first_day, rng.below(span));
        let months = *rng.weighted(&[(12u32, 70), (24, 20), (36, 10)]);
        let end = start
            .checked_add_months(Months::new(months))
            .map(|d| d - chrono::Days::new(1))
            .unwrap_or(start);
        let principal = *rng.weighted(&[(10u64, 30), (30, 30), (50, 20), (100, 12), (300, 8)])
            as i64
            * (1 + rng.below(10) as i64)
            * 10_000_000;
        let ip_kinds = *rng.weighted(&[
            ("patent", 45),
            ("trademark", 20),
            ("patent,trademark", 20),
            ("software_copyright", 8),
            ("patent,software_copyright", 4),
            ("works_copyright", 3),
        ]);
        let registered = start - chrono::Days::new(1 + rng.below(10));
        Some(BulkLoan {
            lender_org_id: OrgId::new(self.banks[rng.below(self.banks.len() as u64) as usize]),
            enterprise_id: EnterpriseId::new(
                self.borrowers[rng.below(self.borrowers.len() as u64) as usize],
            ),
            contract_number: format!("{BULK_PREFIX}{:07}", self.serial),
            principal_fen: Fen::new(principal),
            annual_rate: Decimal::new(280 + 5 * rng.below(35) as i64, 4)
                .normalize()
                .to_string(),
            start,
            end,
            first_loan: rng.below(10) < 3,
            ip_kinds,
            status: if end <= self.as_of {
                "repaid"
            } else {
                "outstanding"
            },
            pledge_number: format!("Y{}97{:07}", registered.year(), self.serial),
            registered,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_loans_are_consistent_and_deterministic() {
        let borrowers: Vec<Borrower> = (0..200)
            .map(|i| Borrower {
                credit_code: ipfin_domain::CreditCode::parse(&crate::generate::credit_code(
                    "440305",
                    i + 1,
                ))
                .expect("a generated code is valid"),
                ip: vec![("patent", format!("p{i}")), ("trademark", format!("t{i}"))],
            })
            .collect();
        let as_of = NaiveDate::from_ymd_opt(2026, 11, 20).expect("date");
        let a = demo_loans(&borrowers, 7, as_of);
        let b = demo_loans(&borrowers, 7, as_of);
        assert_eq!(a.len(), b.len());
        assert!(a.len() > 220 && a.len() < 280, "{}", a.len());
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x.input, y.input);
            assert_eq!(x.payments, y.payments);
        }
        for l in &a {
            let t = ipfin_domain::financing::check_terms(&l.input.terms).expect("valid terms");
            let mut earlier = Vec::new();
            for p in &l.payments {
                ipfin_domain::financing::check_payment(&t, &earlier, p).expect("valid payment");
                assert!(p.date <= as_of);
                earlier.push(p.clone());
            }
            if let Some((s, d, _)) = l.status {
                assert!(d <= as_of && d >= t.start, "{s:?} {d}");
            }
            assert!(l.bank < BANKS.len());
        }
        assert!(
            a.iter()
                .any(|l| matches!(l.status, Some((LoanStatus::Repaid, ..))))
        );
        assert!(a.iter().any(|l| l.status.is_none()));
    }

    #[test]
    fn bulk_loans_are_unique_deterministic_and_within_the_period() {
        let enterprises: Vec<i64> = (1..=1000).collect();
        let banks = [11, 12, 13];
        let as_of = NaiveDate::from_ymd_opt(2026, 11, 20).expect("date");
        let a: Vec<BulkLoan> = BulkLoans::new(&enterprises, &banks, 2000, 7, as_of).collect();
        let b: Vec<BulkLoan> = BulkLoans::new(&enterprises, &banks, 2000, 7, as_of).collect();
        assert_eq!(a, b);
        assert_eq!(a.len(), 2000);
        let pattern = ipfin_domain::financing::PledgeNumberPattern::default();
        let mut contracts = std::collections::HashSet::new();
        let mut borrowers = std::collections::HashSet::new();
        for l in &a {
            assert!(contracts.insert(l.contract_number.clone()));
            borrowers.insert(l.enterprise_id);
            assert!(l.start >= NaiveDate::from_ymd_opt(2024, 1, 1).expect("date"));
            assert!(l.start <= as_of && l.registered < l.start && l.end > l.start);
            assert!(banks.contains(&l.lender_org_id.get()));
            assert!(
                pattern.parse(&l.pledge_number).is_ok(),
                "{}",
                l.pledge_number
            );
            assert_eq!(l.status == "repaid", l.end <= as_of);
        }
        // About n / 4 borrowers (drawn with replacement).
        assert!(
            borrowers.len() > 350 && borrowers.len() <= 500,
            "{}",
            borrowers.len()
        );
    }
}
