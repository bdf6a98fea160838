//! Data-sharing arrangements of the coordination mechanism (R1.1, issue #8) on SQLite and
//! (when configured) PostgreSQL: who may record them, what is refused (nothing stored), a
//! delivery through the import machinery, the overdue flag to the lead department (once per
//! due date), and ending an arrangement.

use chrono::{Datelike, Months, NaiveDate};
use ipfin_domain::Scope;
use ipfin_domain::coordination::{Dataset, DeliveryState};
use ipfin_store::audit::AuditActor;
use ipfin_store::coordination::NewArrangement;
use ipfin_store::db::fetch_i64;
use ipfin_store::import::ImportKind;
use ipfin_store::testing::TestDb;
use ipfin_store::{Store, StoreError, today_shanghai};

fn ns(manage: bool) -> Scope {
    Scope::District {
        code: "440305".into(),
        manage,
    }
}

async fn dept(s: &Store, name: &str) -> i64 {
    fetch_i64(
        s.conn(),
        "SELECT id FROM organisations WHERE name = ?",
        vec![name.into()],
    )
    .await
    .expect(name)
}

async fn count(s: &Store) -> i64 {
    fetch_i64(
        s.conn(),
        "SELECT COUNT(*) FROM sharing_arrangements",
        vec![],
    )
    .await
    .expect("count")
}

fn field_of(e: StoreError) -> &'static str {
    match e {
        StoreError::Invalid(fe) => fe.field,
        other => panic!("expected a field error, got {other:?}"),
    }
}

#[tokio::test]
async fn arrangements_are_recorded_delivered_flagged_and_ended() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let today = today_shanghai();
        let jan1 = NaiveDate::from_ymd_opt(today.year(), 1, 1).expect("jan 1");

        // The demo: Nanshan shares registration data monthly (started three weeks ago: on
        // time), tax data quarterly since 1 January (nothing delivered: overdue since 1 April)
        // and the high-tech list yearly (due next 1 January).
        let list = s
            .arrangements(&ns(false), "440305", today)
            .await
            .expect("list");
        assert_eq!(list.len(), 3, "{}", db.name);
        let by = |d: Dataset| list.iter().find(|a| a.dataset == d).expect("dataset");
        let tax = by(Dataset::Tax);
        let due = jan1.checked_add_months(Months::new(3)).expect("due");
        assert_eq!(
            tax.state,
            DeliveryState::Overdue {
                due,
                days: (today - due).num_days()
            }
        );
        assert_eq!(tax.provider_name, "南山区税务局");
        assert_eq!(tax.import_kind, "enterprises");
        assert!(matches!(
            by(Dataset::Registration).state,
            DeliveryState::OnTime { .. }
        ));
        let sci = by(Dataset::SciTech).clone();
        assert_eq!(
            sci.state,
            DeliveryState::OnTime {
                due: jan1.with_year(today.year() + 1).expect("next")
            }
        );
        assert_eq!(sci.last_delivery, None);
        // Another district sees none of Nanshan's; banks see nothing.
        assert!(matches!(
            s.arrangements(
                &Scope::District {
                    code: "440304".into(),
                    manage: true
                },
                "440305",
                today
            )
            .await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            s.arrangements(
                &Scope::Institution {
                    org_id: ipfin_domain::id::OrgId::new(1)
                },
                "440305",
                today
            )
            .await,
            Err(StoreError::NotFound)
        ));

        // Refusals, each naming its field; nothing stored.
        let lead = dept(s, "南山区市场监督管理局").await;
        let finance = dept(s, "南山区财政局").await;
        let futian = dept(s, "福田区财政局").await;
        let good = NewArrangement {
            provider_org_id: Some(finance),
            dataset: Some("credit".into()),
            frequency: Some("quarterly".into()),
            provenance: "区财政局公共信用信息平台".into(),
            note: None,
            starts_on: None,
            recipients: vec![lead],
        };
        let before = count(s).await;
        let try_new = |scope: Scope, n: NewArrangement| async move {
            s.create_arrangement(&scope, AuditActor::system("test"), "440305", n)
                .await
        };
        let bad = [
            (
                NewArrangement {
                    provider_org_id: Some(futian),
                    ..good.clone()
                },
                "provider_org_id",
            ),
            (
                NewArrangement {
                    recipients: vec![],
                    ..good.clone()
                },
                "recipients",
            ),
            (
                NewArrangement {
                    recipients: vec![lead, futian],
                    ..good.clone()
                },
                "recipients",
            ),
            (
                NewArrangement {
                    provenance: " ".into(),
                    ..good.clone()
                },
                "provenance",
            ),
            (
                NewArrangement {
                    dataset: Some("weather".into()),
                    ..good.clone()
                },
                "dataset",
            ),
            (
                NewArrangement {
                    frequency: Some("daily".into()),
                    ..good.clone()
                },
                "frequency",
            ),
            (
                NewArrangement {
                    starts_on: Some(today - chrono::Days::new(400)),
                    ..good.clone()
                },
                "starts_on",
            ),
        ];
        for (n, field) in bad {
            let e = try_new(ns(true), n).await.expect_err(field);
            assert_eq!(field_of(e), field, "{}", db.name);
        }
        assert!(matches!(
            try_new(ns(false), good.clone()).await,
            Err(StoreError::Forbidden(_))
        ));
        assert!(matches!(
            try_new(
                Scope::District {
                    code: "440304".into(),
                    manage: true
                },
                good.clone()
            )
            .await,
            Err(StoreError::NotFound)
        ));
        assert_eq!(count(s).await, before, "nothing stored by a refusal");
        let credit = try_new(ns(true), good.clone()).await.expect("created");
        assert_eq!(count(s).await, before + 1);

        // A delivery must be the import that carries the data set, in a running arrangement
        // of the caller's own district.
        let e = s
            .check_delivery(&ns(true), credit, "enterprises")
            .await
            .expect_err("kind");
        assert_eq!(field_of(e), "arrangement_id");
        let e = s
            .check_delivery(
                &Scope::District {
                    code: "440304".into(),
                    manage: true,
                },
                sci.id,
                "tags",
            )
            .await
            .expect_err("other district");
        assert_eq!(field_of(e), "arrangement_id");
        assert!(matches!(
            s.check_delivery(&ns(false), sci.id, "tags").await,
            Err(StoreError::Forbidden(_))
        ));

        // The high-tech list delivered as a tag import linked to the arrangement.
        s.check_delivery(&ns(true), sci.id, "tags")
            .await
            .expect("may deliver");
        let dir = std::env::temp_dir().join(format!(
            "ipfin-sharing-{}-{}",
            std::process::id(),
            &ipfin_store::auth::random_token()[..8]
        ));
        std::fs::create_dir_all(&dir).expect("dir");
        let file = dir.join("高新技术企业名单.csv");
        std::fs::write(
            &file,
            format!(
                "统一社会信用代码,标签类型,来源,认定年度\n{},high_tech,区科技创新局高企名单,{}\n",
                ipfin_store::demo::demo_credit_code("440305", 101),
                today.year()
            ),
        )
        .expect("csv");
        let key = ipfin_store::import::file_key(&file).expect("key");
        let (import_id, _) = s
            .begin_import(
                &ns(true),
                AuditActor::system("test"),
                "tags",
                &key,
                "高新技术企业名单.csv",
            )
            .await
            .expect("begin");
        s.link_delivery(AuditActor::system("test"), import_id, sci.id)
            .await
            .expect("link");
        let report = s
            .import_file(
                ImportKind::Tags,
                &file,
                &ns(true),
                AuditActor::system("test"),
                100,
                &mut |_| {},
            )
            .await
            .expect("import");
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        let sci = s
            .arrangement(&ns(false), "440305", sci.id, today)
            .await
            .expect("one");
        assert_eq!(sci.last_delivery, Some(today));
        assert_eq!(sci.deliveries, 1);
        assert_eq!(
            sci.state,
            DeliveryState::OnTime {
                due: today.checked_add_months(Months::new(12)).expect("due")
            }
        );
        let deliveries = s
            .deliveries(&ns(false), "440305", sci.id)
            .await
            .expect("deliveries");
        assert_eq!(deliveries.len(), 1);
        assert_eq!(deliveries[0].id, import_id);

        // Overdue arrangements are flagged to the lead department once per due date.
        let flagged = s.notify_overdue_deliveries(today).await.expect("flag");
        assert!(flagged >= 1, "the tax arrangement is overdue");
        assert_eq!(s.notify_overdue_deliveries(today).await.expect("again"), 0);
        let notes = s.notifications(&ns(true), 50).await.expect("notifications");
        assert!(
            notes.iter().any(|n| n.text.contains("南山区税务局")
                && n.text.contains("纳税信息")
                && n.link == format!("/districts/440305/sharing/{}", tax.id)),
            "{notes:?}"
        );

        // Ending: only once; an ended arrangement takes no delivery and is never overdue.
        s.end_arrangement(&ns(true), AuditActor::system("test"), "440305", tax.id)
            .await
            .expect("end");
        assert!(matches!(
            s.end_arrangement(&ns(true), AuditActor::system("test"), "440305", tax.id)
                .await,
            Err(StoreError::Conflict(_))
        ));
        let tax = s
            .arrangement(&ns(false), "440305", tax.id, today)
            .await
            .expect("tax");
        assert_eq!(tax.state, DeliveryState::Ended);
        let e = s
            .check_delivery(&ns(true), tax.id, "enterprises")
            .await
            .expect_err("ended");
        assert_eq!(field_of(e), "arrangement_id");
        std::fs::remove_dir_all(&dir).ok();
        db.cleanup().await;
    }
}
