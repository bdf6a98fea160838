//! Quarterly statistics (issue #7 groundwork) on SQLite and (when configured) PostgreSQL, on
//! hand-computed data: a quarter, the year to date, the same quarter a year earlier, pledge
//! registrations, and the rank among districts with ties.

use chrono::NaiveDate;
use ipfin_domain::Scope;
use ipfin_domain::financing::{LoanTerms, PledgeTerms};
use ipfin_domain::stats::Quarter;
use ipfin_store::Store;
use ipfin_store::audit::AuditActor;
use ipfin_store::db::fetch_i64;
use ipfin_store::demo::demo_credit_code;
use ipfin_store::financing::{LoanInput, PledgeInput, PledgeItemInput};
use ipfin_store::testing::TestDb;
use rust_decimal::Decimal;

fn d(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

#[allow(clippy::too_many_arguments)]
async fn report(
    s: &Store,
    bank: &Scope,
    borrower: &str,
    contract: &str,
    start: &str,
    yuan: i64,
    kind: &str,
    number: &str,
    first: bool,
) {
    let l = LoanInput {
        borrower_credit_code: borrower.into(),
        terms: LoanTerms {
            contract_number: contract.into(),
            principal_fen: yuan * 100,
            annual_rate: Decimal::new(35, 3),
            start: d(start),
            end: d(start) + chrono::Duration::days(364),
            disbursements: vec![],
            other_collateral: false,
            ip_amount_fen: None,
            ip_ratio: None,
        },
        first_loan: first,
        status: None,
        pledges: vec![PledgeInput {
            terms: PledgeTerms {
                number: format!("Y{}{}", &start[..4], &contract[contract.len() - 9..]),
                secured_amount_fen: yuan * 100,
                registration_date: d(start),
                cancellation_date: None,
            },
            items: vec![PledgeItemInput {
                kind: kind.into(),
                number: number.into(),
                title: None,
                related_party: None,
            }],
        }],
    };
    let mut tx = s.write(AuditActor::system("bank")).await.expect("tx");
    s.save_loan(&mut tx, bank, &l).await.expect("loan");
    tx.commit().await.expect("commit");
}

#[tokio::test]
async fn a_quarter_by_hand() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let bank = Scope::Institution {
            org_id: fetch_i64(
                s.conn(),
                "SELECT id FROM organisations WHERE name = '深南银行深圳分行'",
                vec![],
            )
            .await
            .expect("bank"),
        };
        let ns = demo_credit_code("440305", 101);
        let ft = demo_credit_code("440304", 102);
        // Nanshan: 2025Q3 one loan of 1,000,000; 2026Q1 one of 500,000; 2026Q3 two (3,000,000
        // first-time, patent; 1,000,000 on the last day of the quarter).
        report(
            s,
            &bank,
            &ns,
            "NS-100000001",
            "2025-08-10",
            1_000_000,
            "patent",
            "202310123456.6",
            false,
        )
        .await;
        report(
            s,
            &bank,
            &ns,
            "NS-100000002",
            "2026-03-01",
            500_000,
            "patent",
            "202310123456.6",
            false,
        )
        .await;
        report(
            s,
            &bank,
            &ns,
            "NS-100000003",
            "2026-07-15",
            3_000_000,
            "patent",
            "202310123456.6",
            true,
        )
        .await;
        report(
            s,
            &bank,
            &ns,
            "NS-100000004",
            "2026-09-30",
            1_000_000,
            "patent",
            "202310123456.6",
            false,
        )
        .await;
        // Futian: 2026Q3 one trademark loan of 4,500,000 (the same year-to-date as Nanshan:
        // a tie for first place); 2026-10-01 falls outside Q3.
        report(
            s,
            &bank,
            &ft,
            "FT-200000001",
            "2026-08-01",
            4_500_000,
            "trademark",
            "12345678",
            true,
        )
        .await;
        report(
            s,
            &bank,
            &ft,
            "FT-200000002",
            "2026-10-01",
            9_000_000,
            "trademark",
            "12345678",
            false,
        )
        .await;

        let stats = s
            .quarter_stats(Quarter::parse("2026Q3").expect("q"))
            .await
            .expect("stats");
        let by = |code: &str| {
            stats
                .iter()
                .find(|x| x.district == code)
                .cloned()
                .expect("district")
        };
        let n = by("440305");
        assert_eq!((n.quarter.loans, n.quarter.amount_fen), (2, 400_000_000));
        assert_eq!(n.quarter.enterprises, 1);
        assert_eq!(n.quarter.first_loans, 1);
        assert_eq!(n.quarter.patent_amount_fen, 400_000_000);
        assert_eq!(n.year_to_date.amount_fen, 450_000_000);
        assert_eq!(n.last_year_quarter.amount_fen, 100_000_000);
        // 4,000,000 against 1,000,000 a year earlier: +300.0%.
        assert_eq!(n.yoy_amount_pct, Some(Decimal::new(3000, 1)));
        assert_eq!(n.pledge_registrations, 2);
        let f = by("440304");
        assert_eq!((f.quarter.loans, f.quarter.amount_fen), (1, 450_000_000));
        assert_eq!(f.quarter.trademark_amount_fen, 450_000_000);
        assert_eq!(f.yoy_amount_pct, None, "nothing a year earlier");
        // Both have 4,500,000 year to date: tied first; the districts with nothing share third.
        assert_eq!((n.rank_ytd_amount, f.rank_ytd_amount), (1, 1));
        assert!(
            stats
                .iter()
                .filter(|x| x.year_to_date.amount_fen == 0)
                .all(|x| x.rank_ytd_amount == 3)
        );
        // SME share: both demo enterprises are SMEs by the 2011 standard.
        assert_eq!(n.quarter.sme_amount_fen, n.quarter.amount_fen);
    }
}
