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

fn code<T: std::fmt::Debug>(r: Result<T, ipfin_store::StoreError>) -> String {
    match r {
        Err(ipfin_store::StoreError::Invalid(f)) => f.msg.code.to_string(),
        Err(ipfin_store::StoreError::Conflict(m)) | Err(ipfin_store::StoreError::Forbidden(m)) => {
            m.code.to_string()
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn targets_bulletin_and_a_later_correction() {
    use ipfin_domain::target::Metric;
    use ipfin_store::target::NewAssignment;
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
        for (borrower, contract, start, yuan, kind, number) in [
            (
                &ns,
                "NS-100000003",
                "2026-07-15",
                3_000_000,
                "patent",
                "202310123456.6",
            ),
            (
                &ns,
                "NS-100000004",
                "2026-09-30",
                1_500_000,
                "patent",
                "202310123456.6",
            ),
            (
                &ft,
                "FT-200000001",
                "2026-08-01",
                4_500_000,
                "trademark",
                "12345678",
            ),
        ] {
            report(
                s, &bank, borrower, contract, start, yuan, kind, number, true,
            )
            .await;
        }
        let today = d("2026-10-09");
        let set = |v: Vec<(&str, Metric, Option<i64>)>| {
            v.into_iter()
                .map(|(d, m, x)| (d.to_string(), m, x))
                .collect::<Vec<_>>()
        };
        let mut tx = s.write(AuditActor::system("city")).await.expect("tx");
        // Bad input changes nothing: a negative target, a past year unconfirmed, not the city.
        let neg = set(vec![
            ("440305", Metric::Amount, Some(1_000_000_000)),
            ("440305", Metric::Pledges, Some(-1)),
        ]);
        assert_eq!(
            code(
                s.set_targets(&mut tx, &Scope::City, 2026, today, false, &neg)
                    .await
            ),
            "target.negative"
        );
        let ok = set(vec![
            ("440305", Metric::Amount, Some(1_000_000_000)),
            ("440305", Metric::Enterprises, Some(2)),
            ("440304", Metric::Amount, Some(900_000_000)),
        ]);
        assert_eq!(
            code(
                s.set_targets(&mut tx, &Scope::City, 2025, today, false, &ok)
                    .await
            ),
            "target.past_year"
        );
        let district = Scope::District {
            code: "440305".into(),
            manage: true,
        };
        assert_eq!(
            code(
                s.set_targets(&mut tx, &district, 2026, today, false, &ok)
                    .await
            ),
            "target.city_only"
        );
        s.set_targets(&mut tx, &Scope::City, 2026, today, false, &ok)
            .await
            .expect("targets");
        tx.commit().await.expect("commit");
        let all = s.targets(&Scope::City, 2026).await.expect("t");
        assert!(all.iter().any(|t| t.district_code == "440305"
            && t.metric == "amount"
            && t.value == 1_000_000_000));
        assert!(all.iter().any(|t| t.district_code != "440305"));
        let own = s.targets(&district, 2026).await.expect("t");
        assert!(!own.is_empty() && own.iter().all(|t| t.district_code == "440305"));

        // The district breaks the amount down to persons with milestones.
        let officer = fetch_i64(
            s.conn(),
            "SELECT id FROM users WHERE username = 'ns.officer'",
            vec![],
        )
        .await
        .expect("officer");
        let checker = fetch_i64(
            s.conn(),
            "SELECT id FROM users WHERE username = 'ns.checker'",
            vec![],
        )
        .await
        .expect("checker");
        let share = |user_id, share, milestones: Option<Vec<i64>>| NewAssignment {
            metric: Metric::Amount,
            user_id,
            share,
            milestones,
            periods: 4,
            note: None,
        };
        let mut tx = s.write(AuditActor::system("district")).await.expect("tx");
        s.assign_target(
            &mut tx,
            &district,
            "440305",
            2026,
            &share(officer, 600_000_000, None),
        )
        .await
        .expect("assign");
        assert_eq!(
            code(
                s.assign_target(
                    &mut tx,
                    &district,
                    "440305",
                    2026,
                    &share(checker, 500_000_000, None)
                )
                .await
            ),
            "target.over"
        );
        assert_eq!(
            code(
                s.assign_target(
                    &mut tx,
                    &district,
                    "440305",
                    2026,
                    &share(
                        checker,
                        400_000_000,
                        Some(vec![100_000_000, 100_000_000, 100_000_000, 100_000_001])
                    )
                )
                .await
            ),
            "target.milestones_over"
        );
        s.set_target_lead(
            &mut tx,
            &district,
            "440305",
            2026,
            "张局长",
            Some("区市场监管局局长"),
        )
        .await
        .expect("lead");
        tx.commit().await.expect("commit");
        let mine = s.my_assignments(officer, 2026).await.expect("mine");
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0].milestones, vec![150_000_000; 4]);
        assert!(
            s.my_assignments(checker, 2026)
                .await
                .expect("none")
                .is_empty()
        );
        // Lowering the city's target below what was assigned is refused.
        let mut tx = s.write(AuditActor::system("city")).await.expect("tx");
        assert_eq!(
            code(
                s.set_targets(
                    &mut tx,
                    &Scope::City,
                    2026,
                    today,
                    false,
                    &set(vec![("440305", Metric::Amount, Some(500_000_000))])
                )
                .await
            ),
            "target.below_assigned"
        );
        tx.rollback().await.expect("rollback");

        // The Q3 snapshot: Nanshan 4,500,000 of 10,000,000 = 45.0%; Futian 4,500,000 of
        // 9,000,000 = 50.0% ranks first; districts without a target rank after them, tied.
        let q = Quarter::parse("2026Q3").expect("q");
        let snap = s.snapshot(q).await.expect("snapshot");
        let row = |snap: &ipfin_store::bulletin::Snapshot, c: &str| {
            snap.rows
                .iter()
                .find(|r| r.district_code == c)
                .cloned()
                .expect("row")
        };
        assert_eq!(row(&snap, "440304").rank, 1);
        assert_eq!(row(&snap, "440304").amount_pct, Some(Decimal::new(500, 1)));
        assert_eq!(row(&snap, "440305").rank, 2);
        assert_eq!(row(&snap, "440305").amount_pct, Some(Decimal::new(450, 1)));
        assert!(
            snap.rows
                .iter()
                .skip(2)
                .all(|r| r.rank == 3 && r.amount_pct.is_none_or(|p| p.is_zero()))
        );
        // Enterprises: 1 of 2 = 50.0%.
        let ent = row(&snap, "440305")
            .completion
            .into_iter()
            .find(|c| c.metric == Metric::Enterprises)
            .expect("enterprises");
        assert_eq!((ent.actual, ent.pct), (1, Some(Decimal::new(500, 1))));

        // Issuing: not before the quarter ends, not twice, the city only.
        let mut tx = s.write(AuditActor::system("city")).await.expect("tx");
        let praise = vec![(
            "440304".to_string(),
            "完成率全市第一，首贷企业增长明显".to_string(),
        )];
        assert_eq!(
            code(
                s.issue_bulletin(&mut tx, &Scope::City, &snap, d("2026-09-30"), "", &praise)
                    .await
            ),
            "bulletin.quarter_open"
        );
        assert_eq!(
            code(
                s.issue_bulletin(&mut tx, &district, &snap, today, "", &praise)
                    .await
            ),
            "bulletin.city_only"
        );
        s.issue_bulletin(&mut tx, &Scope::City, &snap, today, "", &praise)
            .await
            .expect("issue");
        assert_eq!(
            code(
                s.issue_bulletin(&mut tx, &Scope::City, &snap, today, "", &praise)
                    .await
            ),
            "bulletin.exists"
        );
        tx.commit().await.expect("commit");

        // A bank corrects the September loan afterwards: 1,500,000 → 2,500,000.
        report(
            s,
            &bank,
            &ns,
            "NS-100000004",
            "2026-09-30",
            2_500_000,
            "patent",
            "202310123456.6",
            true,
        )
        .await;
        let issued = s.bulletin(&Scope::City, q).await.expect("bulletin");
        let published = row(&issued.snapshot, "440305");
        assert_eq!(
            published.stats.year_to_date.amount_fen, 450_000_000,
            "unchanged"
        );
        assert_eq!(issued.commendations[0].district_name, "福田区");
        let now = s.snapshot(q).await.expect("now");
        let fixes = ipfin_store::bulletin::corrections(&issued.snapshot, &now);
        assert!(
            fixes.iter().any(|c| c.district_code == "440305"
                && c.figure == "本年累计融资金额（元）"
                && (c.published, c.current) == (450_000_000, 550_000_000)),
            "{fixes:?}"
        );
        assert!(fixes.iter().all(|c| c.district_code == "440305"));
        // Districts read bulletins; a bank does not.
        assert!(s.bulletin(&district, q).await.is_ok());
        assert!(s.bulletin(&bank, q).await.is_err());

        // Bonus points for the assessment.
        let mut tx = s.write(AuditActor::system("city")).await.expect("tx");
        assert_eq!(
            code(
                s.add_bonus(
                    &mut tx,
                    &Scope::City,
                    "440305",
                    2026,
                    Decimal::new(7, 0),
                    "首创证券化产品"
                )
                .await
            ),
            "bonus.points"
        );
        s.add_bonus(
            &mut tx,
            &Scope::City,
            "440305",
            2026,
            Decimal::new(25, 1),
            "首创知识产权证券化产品",
        )
        .await
        .expect("bonus");
        tx.commit().await.expect("commit");
        let b = s.bonuses(&district, 2026).await.expect("bonuses");
        assert_eq!((b.len(), b[0].points.as_str()), (1, "2.5"));
        assert!(
            s.bonuses(
                &Scope::District {
                    code: "440304".into(),
                    manage: true
                },
                2026
            )
            .await
            .expect("none")
            .is_empty()
        );
    }
}
