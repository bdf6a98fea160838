//! The demo's working year (issue #23 item 11, decision 0040) on SQLite and (when configured)
//! PostgreSQL, for "today"s in later years: loans in each of the last twelve months,
//! applications in every state, a notice that ended and one running, the last quarter's
//! bulletin, targets partly met, an intact audit chain, and a second seeding that changes
//! nothing.

use chrono::{Datelike, Months, NaiveDate};
use ipfin_domain::Scope;
use ipfin_store::Store;
use ipfin_store::audit::Verification;
use ipfin_store::db::fetch_i64;
use ipfin_store::testing::TestDb;

async fn count(s: &Store, sql: &str, values: Vec<sea_orm::Value>) -> i64 {
    fetch_i64(s.conn(), sql, values).await.expect(sql)
}

/// Rows of the tables the year writes, to compare before and after a second seeding.
async fn footprint(s: &Store) -> Vec<i64> {
    let mut out = Vec::new();
    for t in [
        "loans",
        "loan_payments",
        "applications",
        "notices",
        "bulletins",
        "district_targets",
        "organisations",
        "audit_events",
    ] {
        out.push(count(s, &format!("SELECT COUNT(*) FROM {t}"), vec![]).await);
    }
    out
}

#[tokio::test]
async fn the_demo_year_shows_a_working_year_in_later_years_too() {
    let days = ["2027-03-15", "2028-01-02"].map(|d| d.parse::<NaiveDate>().expect("date"));
    for today in [ipfin_store::today_shanghai(), days[0], days[1]] {
        for db in TestDb::all().await {
            let db = db.with_demo_at(today).await;
            let s = &db.store;
            let n = format!("{} {today}", db.name);
            assert!(s.seed_demo_year(today, true).await.expect("seed"), "{n}");

            // Loans in each of the last twelve months, from several banks, in several districts.
            for m in 0..12 {
                let month = today
                    .with_day(1)
                    .and_then(|d| d.checked_sub_months(Months::new(m)))
                    .expect("month");
                let next = month.checked_add_months(Months::new(1)).expect("next");
                let loans = count(
                    s,
                    "SELECT COUNT(*) FROM loans WHERE start_date >= ? AND start_date < ?",
                    vec![month.into(), next.into()],
                )
                .await;
                assert!(loans >= 3, "{n}: {loans} loans in {month}");
            }
            let banks = count(
                s,
                "SELECT COUNT(DISTINCT lender_org_id) FROM loans WHERE contract_number LIKE 'ND-%'",
                vec![],
            )
            .await;
            assert_eq!(banks, 3, "{n}");
            let districts = count(
                s,
                "SELECT COUNT(DISTINCT e.registered_district) FROM loans l JOIN enterprises e ON e.id = l.enterprise_id WHERE l.contract_number LIKE 'ND-%'",
                vec![],
            )
            .await;
            assert!(districts >= 5, "{n}: {districts} districts");

            // Applications in every state.
            for state in [
                "draft",
                "submitted",
                "returned",
                "accepted",
                "reviewed",
                "rejected",
                "in_notice",
                "granted",
                "disbursed",
            ] {
                let c = count(
                    s,
                    "SELECT COUNT(*) FROM applications WHERE state = ?",
                    vec![state.into()],
                )
                .await;
                assert!(c >= 1, "{n}: no application {state}");
            }
            // A payment recorded for each disbursed application.
            assert_eq!(
                count(s, "SELECT COUNT(*) FROM applications WHERE state = 'disbursed' AND disbursed_fen > 0", vec![]).await,
                2,
                "{n}"
            );

            // A notice that ended and one running today, both public.
            let notices = s.public_notices("440305", 20).await.expect("notices");
            assert!(
                notices.iter().any(|x| x.ends_on < today),
                "{n}: an ended notice"
            );
            assert!(
                notices
                    .iter()
                    .any(|x| x.starts_on <= today && today <= x.ends_on),
                "{n}: a current notice: {:?}",
                notices
                    .iter()
                    .map(|x| (x.starts_on, x.ends_on))
                    .collect::<Vec<_>>()
            );

            // The last finished quarter's bulletin.
            let q = ipfin_domain::stats::Quarter::of(today).previous();
            let bulletins = s.bulletins(&Scope::City).await.expect("bulletins");
            assert!(
                bulletins.iter().any(|b| b.quarter == q.to_string()),
                "{n}: {:?}",
                bulletins.iter().map(|b| &b.quarter).collect::<Vec<_>>()
            );

            // Targets of today's year, met to different degrees (not all 0%).
            let actuals = s.year_actuals(today.year(), today).await.expect("actuals");
            let targets = s
                .target_map(&Scope::City, today.year())
                .await
                .expect("targets");
            let mut shares = std::collections::BTreeSet::new();
            for (district, metrics) in &targets {
                if let Some(target) = metrics
                    .get(&ipfin_domain::target::Metric::Amount)
                    .filter(|t| **t > 0)
                {
                    let actual = actuals.get(district).map_or(0, |a| a.amount_fen.get());
                    shares.insert(actual * 100 / target);
                }
            }
            assert!(shares.len() >= 3, "{n}: completion shares {shares:?}");
            assert!(shares.iter().any(|p| *p > 0), "{n}: {shares:?}");

            // The policies were published before 30 June of today's year (R2.3), not today.
            let policy = s
                .policy_versions(&Scope::City, Some("440305"))
                .await
                .expect("policies")
                .into_iter()
                .find(|v| v.status == "published")
                .expect("published");
            let on = ipfin_domain::calendar::business_date(policy.published_at.unwrap_or(0));
            assert_eq!(policy.year, today.year(), "{n}");
            assert!(
                on <= today && on.year() == today.year() && on.month() <= 6,
                "{n}: {on}"
            );

            assert_eq!(
                s.audit_verify().await.expect("verify"),
                Verification::Intact {
                    events: s.audit_count().await.expect("count")
                },
                "{n}"
            );

            // Once: a second seeding changes nothing.
            let before = footprint(s).await;
            assert!(!s.seed_demo_year(today, true).await.expect("again"), "{n}");
            assert_eq!(footprint(s).await, before, "{n}");
            db.cleanup().await;
        }
    }
}

#[tokio::test]
async fn the_tests_demo_city_has_no_year_and_its_policy_batches_lie_around_today() {
    let db = TestDb::sqlite().await.with_demo().await;
    let s = &db.store;
    assert_eq!(
        count(s, "SELECT COUNT(*) FROM loans", vec![]).await,
        0,
        "the tests' demo city counts no loans"
    );
    let today = ipfin_store::today_shanghai();
    let doc = s
        .policy_versions(&Scope::City, Some("440305"))
        .await
        .expect("policies")
        .into_iter()
        .find(|v| v.status == "published")
        .expect("published")
        .doc()
        .expect("doc");
    assert_eq!(doc.year, today.year());
    assert!(
        doc.batches
            .iter()
            .any(|b| b.opens <= today && (b.closes - today).num_days() >= 30),
        "a batch open today for 30 days more: {:?}",
        doc.batches
    );
    assert!(doc.batches.iter().any(|b| b.closes < today));
    db.cleanup().await;
}
