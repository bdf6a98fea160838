//! Quarterly statistics (issue #7 groundwork) on SQLite and (when configured) PostgreSQL, on
//! hand-computed data: a quarter, the year to date, the same quarter a year earlier, pledge
//! registrations, and the rank among districts with ties; and the aggregates kept by every write
//! against the direct computation.

use chrono::NaiveDate;
use ipfin_domain::Scope;
use ipfin_domain::financing::{LoanTerms, PledgeTerms};
use ipfin_domain::size::SizeClass;
use ipfin_domain::stats::Quarter;
use ipfin_domain::{CreditCode, Fen};
use ipfin_store::Store;
use ipfin_store::audit::AuditActor;
use ipfin_store::db::fetch_i64;
use ipfin_store::demo::demo_credit_code;
use ipfin_store::enterprise::{EnterpriseFigures, EnterpriseInput};
use ipfin_store::financing::{LoanInput, PledgeInput, PledgeItemInput};
use ipfin_store::import::ImportKind;
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
        borrower_credit_code: CreditCode::parse(borrower).expect("valid"),
        terms: LoanTerms {
            contract_number: contract.into(),
            principal_fen: Fen::new(yuan * 100),
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
                secured_amount_fen: Fen::new(yuan * 100),
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
            org_id: ipfin_domain::id::OrgId::new(
                fetch_i64(
                    s.conn(),
                    "SELECT id FROM organisations WHERE name = '深南银行深圳分行'",
                    vec![],
                )
                .await
                .expect("bank"),
            ),
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
            .quarter_stats(&Scope::City, Quarter::parse("2026Q3").expect("q"))
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
        assert_eq!(
            (n.quarter.loans, n.quarter.amount_fen),
            (2, Fen::new(400_000_000))
        );
        assert_eq!(n.quarter.enterprises, 1);
        assert_eq!(n.quarter.first_loans, 1);
        assert_eq!(n.quarter.patent_amount_fen, 400_000_000);
        assert_eq!(n.year_to_date.amount_fen, 450_000_000);
        assert_eq!(n.last_year_quarter.amount_fen, 100_000_000);
        // 4,000,000 against 1,000,000 a year earlier: +300.0%.
        assert_eq!(n.yoy_amount_pct, Some(Decimal::new(3000, 1)));
        assert_eq!(n.pledge_registrations, 2);
        let f = by("440304");
        assert_eq!(
            (f.quarter.loans, f.quarter.amount_fen),
            (1, Fen::new(450_000_000))
        );
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
            org_id: ipfin_domain::id::OrgId::new(
                fetch_i64(
                    s.conn(),
                    "SELECT id FROM organisations WHERE name = '深南银行深圳分行'",
                    vec![],
                )
                .await
                .expect("bank"),
            ),
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
        let mine = s
            .my_assignments(&Scope::City, officer, 2026)
            .await
            .expect("mine");
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0].milestones, vec![150_000_000; 4]);
        assert!(
            s.my_assignments(&Scope::City, checker, 2026)
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

        // Ranks on exact completion (issue #19 item 11): Nanshan's 5,500,000.00 of a
        // 14,666,666,666.67 target is 0.0375% (shown 0.0%), Luohu has 0 of 1,000,000.00 (0.0%):
        // Nanshan ranks above Luohu and the other districts at 0, not tied with them.
        let mut tx = s.write(AuditActor::system("city")).await.expect("tx");
        s.set_targets(
            &mut tx,
            &Scope::City,
            2026,
            today,
            false,
            &set(vec![
                ("440305", Metric::Amount, Some(1_466_666_666_667)),
                ("440303", Metric::Amount, Some(100_000_000)),
            ]),
        )
        .await
        .expect("targets");
        tx.commit().await.expect("commit");
        let snap = s.snapshot(q).await.expect("snapshot");
        let (ns_row, lh_row) = (row(&snap, "440305"), row(&snap, "440303"));
        assert_eq!(ns_row.amount_pct, Some(Decimal::new(0, 1)));
        assert_eq!(lh_row.amount_pct, Some(Decimal::new(0, 1)));
        assert_eq!(
            (row(&snap, "440304").rank, ns_row.rank, lh_row.rank),
            (1, 2, 3)
        );
        // Every other district stands at 0% too: tied with Luohu.
        assert!(
            snap.rows.iter().skip(2).all(|r| r.rank == 3),
            "{:?}",
            snap.rows
                .iter()
                .map(|r| (&r.district_code, r.rank, r.amount_pct))
                .collect::<Vec<_>>()
        );
    }
}

/// The stored aggregate tables, sorted, for comparing the incrementally kept state with a
/// rebuild from the records.
async fn aggregate_tables(s: &Store) -> Vec<String> {
    #[derive(sea_orm::FromQueryResult)]
    struct Row {
        line: String,
    }
    let mut out = Vec::new();
    for sql in [
        "SELECT CAST(day AS VARCHAR(10)) || ' ' || district || ' ' || CAST(loans AS VARCHAR(20)) || ' ' || CAST(amount_fen AS VARCHAR(20)) \
         || ' ' || CAST(first_loans AS VARCHAR(20)) || ' ' || CAST(sme_amount_fen AS VARCHAR(20)) || ' ' || CAST(patent_amount_fen AS VARCHAR(20)) \
         || ' ' || CAST(trademark_amount_fen AS VARCHAR(20)) || ' ' || CAST(copyright_amount_fen AS VARCHAR(20)) || ' ' || CAST(pledges AS VARCHAR(20)) AS line \
         FROM stat_loan_days WHERE loans <> 0 OR pledges <> 0 OR amount_fen <> 0",
        "SELECT CAST(enterprise_id AS VARCHAR(20)) || ' ' || CAST(year AS VARCHAR(8)) || ' ' || district || ' ' || CAST(q1 AS VARCHAR(20)) || ' ' \
         || CAST(q2 AS VARCHAR(20)) || ' ' || CAST(q3 AS VARCHAR(20)) || ' ' || CAST(q4 AS VARCHAR(20)) AS line FROM stat_enterprise_years",
        "SELECT CAST(year AS VARCHAR(8)) || ' ' || CAST(quarter AS VARCHAR(8)) || ' ' || district || ' ' || CAST(enterprises AS VARCHAR(20)) || ' ' \
         || CAST(new_in_year AS VARCHAR(20)) AS line FROM stat_quarter_enterprises WHERE enterprises <> 0 OR new_in_year <> 0",
    ] {
        let rows: Vec<Row> = ipfin_store::db::fetch_all(s.conn(), sql, vec![])
            .await
            .expect("aggregates");
        let mut lines: Vec<String> = rows.into_iter().map(|r| r.line).collect();
        lines.sort();
        out.extend(lines);
    }
    out
}

/// The aggregate statistics equal the direct computation for every quarter of 2024–2027.
async fn agrees(s: &Store, db: &str, step: &str) {
    let mut loans = 0;
    for year in 2024..=2027 {
        for q in 1..=4 {
            let q = Quarter::new(year, q).expect("quarter");
            let agg = s.quarter_stats(&Scope::City, q).await.expect("aggregated");
            let direct = s.quarter_stats_direct(q).await.expect("direct");
            loans += direct.iter().map(|d| d.quarter.loans).sum::<i64>();
            assert_eq!(agg.len(), direct.len(), "{db}, after {step}: {q}");
            for (a, d) in agg.iter().zip(&direct) {
                assert_eq!(
                    serde_json::to_value(a).expect("json"),
                    serde_json::to_value(d).expect("json"),
                    "{db}, after {step}: {q}, aggregated (left) against direct (right)"
                );
            }
        }
    }
    assert!(loans > 0, "{db}, after {step}: no loans counted");
}

fn patent(serial: u32) -> String {
    let body = format!("20231{serial:07}");
    let check = ipfin_domain::ip_number::patent_check_digit(&body).expect("check digit");
    format!("{body}.{check}")
}

struct Loan<'a> {
    contract: &'a str,
    borrower: &'a str,
    start: &'a str,
    yuan: i64,
    items: Vec<(&'a str, String)>,
    pledge: &'a str,
    registered: &'a str,
    first: bool,
}

async fn save(s: &Store, bank: &Scope, l: Loan<'_>) {
    let input = LoanInput {
        borrower_credit_code: CreditCode::parse(l.borrower).expect("valid"),
        terms: LoanTerms {
            contract_number: l.contract.into(),
            principal_fen: Fen::new(l.yuan * 100),
            annual_rate: Decimal::new(35, 3),
            start: d(l.start),
            end: d(l.start) + chrono::Duration::days(364),
            disbursements: vec![],
            other_collateral: false,
            ip_amount_fen: None,
            ip_ratio: None,
        },
        first_loan: l.first,
        status: None,
        pledges: vec![PledgeInput {
            terms: PledgeTerms {
                number: l.pledge.into(),
                secured_amount_fen: Fen::new(l.yuan * 100),
                registration_date: d(l.registered),
                cancellation_date: None,
            },
            items: l
                .items
                .into_iter()
                .map(|(kind, number)| PledgeItemInput {
                    kind: kind.into(),
                    number,
                    title: None,
                    related_party: None,
                })
                .collect(),
        }],
    };
    let mut tx = s.write(AuditActor::system("bank")).await.expect("tx");
    s.save_loan(&mut tx, bank, &input).await.expect("loan");
    tx.commit().await.expect("commit");
}

const ENT_HEADER: &str = "统一社会信用代码,企业名称,注册地,纳税地,独立法人,行业代码,从业人员,营业收入（元）,资产总额（元）,同意数据共享";

fn tmp_file(name: &str, content: &[u8]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "ipfin-stats-{}-{}",
        std::process::id(),
        &ipfin_store::auth::random_token()[..8]
    ));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join(name);
    std::fs::write(&path, content).expect("write");
    path
}

async fn import(s: &Store, kind: ImportKind, scope: &Scope, path: &std::path::Path) {
    let r = s
        .import_file(
            kind,
            path,
            scope,
            AuditActor::system("test"),
            100,
            &mut |_| {},
        )
        .await
        .expect("import");
    assert!(r.errors.is_empty(), "{:?}", r.errors);
}

#[tokio::test]
async fn aggregates_follow_every_write_and_equal_the_direct_statistics() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let name = db.name;
        let bank = Scope::Institution {
            org_id: ipfin_domain::id::OrgId::new(
                fetch_i64(
                    s.conn(),
                    "SELECT id FROM organisations WHERE name = '深南银行深圳分行'",
                    vec![],
                )
                .await
                .expect("bank"),
            ),
        };
        // Four enterprises: two in Nanshan, one in Futian, one in Bao'an; all small by their
        // figures.
        let code = |district: &str, n: u32| demo_credit_code(district, n);
        let (e1, e2, e3, e4) = (
            code("440305", 7101),
            code("440305", 7102),
            code("440304", 7103),
            code("440306", 7104),
        );
        let ents = |e4_district: &str, e2_employees: u32| {
            format!(
                "{ENT_HEADER}\n{e1},深圳市统计甲有限公司,440305,440305,是,I65,120,15000000,,否\n\
                 {e2},深圳市统计乙有限公司,440305,440305,是,I65,{e2_employees},15000000,,否\n\
                 {e3},深圳市统计丙有限公司,440304,440304,是,I65,120,15000000,,否\n\
                 {e4},深圳市统计丁有限公司,{e4_district},{e4_district},是,I65,120,15000000,,否\n"
            )
        };
        import(
            s,
            ImportKind::Enterprises,
            &Scope::City,
            &tmp_file("ents.csv", ents("440306", 120).as_bytes()),
        )
        .await;

        // New loans over two years, two of E1's in the same quarter.
        let loans = [
            (
                "ST-1",
                &e1,
                "2025-02-10",
                1_000_000,
                vec![("patent", patent(1))],
                true,
            ),
            (
                "ST-2",
                &e1,
                "2025-08-10",
                2_000_000,
                vec![("patent", patent(1))],
                false,
            ),
            (
                "ST-3",
                &e1,
                "2026-03-01",
                500_000,
                vec![("patent", patent(2))],
                false,
            ),
            (
                "ST-4",
                &e1,
                "2026-03-20",
                700_000,
                vec![("trademark", "71010001".to_string())],
                false,
            ),
            (
                "ST-5",
                &e2,
                "2026-07-15",
                3_000_000,
                vec![("trademark", "71020001".to_string())],
                true,
            ),
            (
                "ST-6",
                &e3,
                "2026-09-30",
                4_500_000,
                vec![("software_copyright", "2023SR0710301".to_string())],
                true,
            ),
            (
                "ST-7",
                &e4,
                "2025-09-30",
                900_000,
                vec![("patent", patent(4)), ("trademark", "71040001".to_string())],
                true,
            ),
            (
                "ST-8",
                &e4,
                "2026-08-31",
                1_100_000,
                vec![("patent", patent(4))],
                false,
            ),
        ];
        for (i, (contract, borrower, start, yuan, items, first)) in loans.iter().enumerate() {
            save(
                s,
                &bank,
                Loan {
                    contract,
                    borrower,
                    start,
                    yuan: *yuan,
                    items: items.clone(),
                    pledge: &format!("Y{}9871{:05}", &start[..4], i + 1),
                    registered: start,
                    first: *first,
                },
            )
            .await;
        }
        agrees(s, name, "new loans").await;

        // ST-2 changes amount and moves to the next year's first quarter, its pledge too.
        save(
            s,
            &bank,
            Loan {
                contract: "ST-2",
                borrower: &e1,
                start: "2026-01-05",
                yuan: 2_500_000,
                items: vec![("patent", patent(1))],
                pledge: "Y2025987100002",
                registered: "2026-01-04",
                first: false,
            },
        )
        .await;
        agrees(s, name, "a loan's amount and date changed").await;

        // ST-5 turns out to be E3's loan (another borrower, another pledge registration).
        save(
            s,
            &bank,
            Loan {
                contract: "ST-5",
                borrower: &e3,
                start: "2026-07-15",
                yuan: 3_000_000,
                items: vec![("trademark", "71030001".to_string())],
                pledge: "Y2026987100105",
                registered: "2026-07-14",
                first: true,
            },
        )
        .await;
        agrees(s, name, "a loan's borrower changed").await;

        // E1 moves from Nanshan to Futian: its loans and pledges follow.
        let e1_id = fetch_i64(
            s.conn(),
            "SELECT id FROM enterprises WHERE credit_code = ?",
            vec![e1.clone().into()],
        )
        .await
        .expect("e1");
        let current = s.enterprise(&Scope::City, e1_id).await.expect("e1");
        let mut tx = s.write(AuditActor::system("city")).await.expect("tx");
        s.save_enterprise(
            &mut tx,
            &Scope::City,
            EnterpriseInput {
                credit_code: CreditCode::parse(&e1).expect("valid"),
                name: current.name.clone(),
                registered_district: Some("440304".into()),
                tax_district: Some("440304".into()),
                independent_legal_person: true,
                industry: Some("I65".into()),
                employees: Some(120),
                operating_revenue_fen: Some(ipfin_domain::Fen::new(1_500_000_000)),
                total_assets_fen: None,
                data_sharing_consent: false,
            },
        )
        .await
        .expect("move");
        tx.commit().await.expect("commit");
        agrees(s, name, "an enterprise moved to another district").await;

        // E3 is overridden to large (its loans leave the SME amount), then set back; E1's own
        // figures make it large by computation.
        let e3_id = fetch_i64(
            s.conn(),
            "SELECT id FROM enterprises WHERE credit_code = ?",
            vec![e3.clone().into()],
        )
        .await
        .expect("e3");
        let mut tx = s.write(AuditActor::system("city")).await.expect("tx");
        s.override_size(
            &mut tx,
            &Scope::City,
            e3_id,
            Some(SizeClass::Large),
            "集团下属企业",
        )
        .await
        .expect("override");
        tx.commit().await.expect("commit");
        agrees(s, name, "a size override").await;
        let mut tx = s.write(AuditActor::system("city")).await.expect("tx");
        s.update_enterprise_figures(
            &mut tx,
            &Scope::City,
            e1_id,
            EnterpriseFigures {
                industry: Some("I65".into()),
                employees: Some(3000),
                operating_revenue_fen: Some(ipfin_domain::Fen::new(200_000_000_000)),
                total_assets_fen: None,
                data_sharing_consent: false,
            },
        )
        .await
        .expect("figures");
        tx.commit().await.expect("commit");
        let sme_2026q1 = |stats: &[ipfin_store::stats::DistrictQuarter]| {
            stats
                .iter()
                .find(|x| x.district == "440304")
                .map(|x| (x.quarter.amount_fen, x.quarter.sme_amount_fen))
        };
        let q1 = s
            .quarter_stats(&Scope::City, Quarter::parse("2026Q1").expect("q"))
            .await
            .expect("stats");
        // E1's three 2026Q1 loans (2,500,000 + 500,000 + 700,000) are Futian's now, none SME.
        assert_eq!(
            sme_2026q1(&q1),
            Some((Fen::new(370_000_000), Fen::ZERO)),
            "{name}"
        );
        agrees(s, name, "figures that change the size class").await;

        // A bank's loan file: one new loan and ST-8 corrected.
        let csv = format!(
            "合同编号,借款人统一社会信用代码,贷款金额（元）,年利率（%）,起始日,到期日,首贷,质押登记号,质押登记日,质押知识产权,状态\n\
             ST-9,{e2},800000,3.6,2026-11-02,2027-11-01,否,Y2026987100009,2026-11-01,商标:71020002,存续\n\
             ST-8,{e4},1300000,3.6,2026-10-08,2027-10-07,否,Y2026987100008,2026-10-07,专利:{},\n",
            patent(4)
        );
        import(
            s,
            ImportKind::Loans,
            &bank,
            &tmp_file("loans.csv", csv.as_bytes()),
        )
        .await;
        agrees(s, name, "a loan import").await;

        // The registry import moves E4 to Nanshan and makes E2 large.
        import(
            s,
            ImportKind::Enterprises,
            &Scope::City,
            &tmp_file("ents2.csv", ents("440305", 3000).as_bytes()),
        )
        .await;
        agrees(s, name, "an enterprise import").await;

        // What the writes kept equals what a rebuild computes from the records.
        let kept = aggregate_tables(s).await;
        let report = s.rebuild_stats(|_| {}).await.expect("rebuild");
        assert!(
            report.day_rows > 0 && report.enterprise_year_rows > 0,
            "{name}"
        );
        assert_eq!(kept, aggregate_tables(s).await, "{name}: kept vs rebuilt");
        agrees(s, name, "a rebuild").await;
        db.cleanup().await;
    }
}

/// Banks report and correct loans while the city moves their borrowers between districts and
/// changes their size: on PostgreSQL these run concurrently (READ COMMITTED), and the aggregates
/// still equal the direct statistics and a rebuild.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn aggregates_stay_exact_under_concurrent_writers() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = db.store.clone();
        let name = db.name;
        let bank = Scope::Institution {
            org_id: ipfin_domain::id::OrgId::new(
                fetch_i64(
                    s.conn(),
                    "SELECT id FROM organisations WHERE name = '深南银行深圳分行'",
                    vec![],
                )
                .await
                .expect("bank"),
            ),
        };
        let districts = ["440305", "440304", "440306"];
        let codes: Vec<String> = (0..4)
            .map(|i| demo_credit_code("440305", 7201 + i))
            .collect();
        let mut csv = format!("{ENT_HEADER}\n");
        for (i, c) in codes.iter().enumerate() {
            let district = districts[i % 3];
            csv.push_str(&format!(
                "{c},深圳市并发{i}有限公司,{district},{district},是,I65,120,15000000,,否\n"
            ));
        }
        import(
            &s,
            ImportKind::Enterprises,
            &Scope::City,
            &tmp_file("ents.csv", csv.as_bytes()),
        )
        .await;
        let mut tasks = Vec::new();
        for t in 0..4u32 {
            let (s, bank, codes) = (s.clone(), bank.clone(), codes.clone());
            tasks.push(tokio::spawn(async move {
                for i in 0..8u32 {
                    let n = t * 100 + i;
                    let borrower = &codes[(n as usize * 7 + t as usize) % codes.len()];
                    let month = 1 + (n * 5) % 12;
                    let year = 2025 + (n % 2) as i32;
                    let start = format!("{year}-{month:02}-1{}", n % 9);
                    let contract = format!("CC-{n}");
                    let trademark = format!("7{n:07}");
                    let pledge = format!("Y{year}98720{n:04}");
                    // Every third loan is corrected: another amount, a month later.
                    let later = format!("{year}-{:02}-1{}", month % 12 + 1, n % 9);
                    let mut versions = vec![(&start, 100_000 + i64::from(n) * 1000)];
                    if i % 3 == 0 && later[..4] == start[..4] {
                        versions.push((&later, 150_000 + i64::from(n) * 1000));
                    }
                    for (day, yuan) in versions {
                        save(
                            &s,
                            &bank,
                            Loan {
                                contract: &contract,
                                borrower,
                                start: day,
                                yuan,
                                items: vec![("trademark", trademark.clone())],
                                pledge: &pledge,
                                registered: day,
                                first: n % 3 == 0,
                            },
                        )
                        .await;
                    }
                }
            }));
        }
        let mover = {
            let (s, codes) = (s.clone(), codes.clone());
            tokio::spawn(async move {
                for round in 0..6usize {
                    for (i, c) in codes.iter().enumerate() {
                        let id = fetch_i64(
                            s.conn(),
                            "SELECT id FROM enterprises WHERE credit_code = ?",
                            vec![c.clone().into()],
                        )
                        .await
                        .expect("id");
                        let current = s.enterprise(&Scope::City, id).await.expect("enterprise");
                        let district = districts[(i + round + 1) % 3];
                        let mut tx = s.write(AuditActor::system("city")).await.expect("tx");
                        s.save_enterprise(
                            &mut tx,
                            &Scope::City,
                            EnterpriseInput {
                                credit_code: CreditCode::parse(c).expect("valid"),
                                name: current.name.clone(),
                                registered_district: Some(district.into()),
                                tax_district: Some(district.into()),
                                independent_legal_person: true,
                                industry: Some("I65".into()),
                                employees: Some(120),
                                operating_revenue_fen: Some(ipfin_domain::Fen::new(1_500_000_000)),
                                total_assets_fen: None,
                                data_sharing_consent: false,
                            },
                        )
                        .await
                        .expect("move");
                        tx.commit().await.expect("commit");
                        let mut tx = s.write(AuditActor::system("city")).await.expect("tx");
                        let class = (round % 2 == 0).then_some(SizeClass::Large);
                        s.override_size(&mut tx, &Scope::City, id, class, "核定")
                            .await
                            .expect("override");
                        tx.commit().await.expect("commit");
                    }
                }
            })
        };
        for t in tasks {
            t.await.expect("bank task");
        }
        mover.await.expect("mover");
        agrees(&s, name, "concurrent writers").await;
        let kept = aggregate_tables(&s).await;
        s.rebuild_stats(|_| {}).await.expect("rebuild");
        assert_eq!(kept, aggregate_tables(&s).await, "{name}: kept vs rebuilt");
        db.cleanup().await;
    }
}
