//! The whitelist (issue #20 item 1) on SQLite and (when configured) PostgreSQL: entries by a tag
//! valid today (an expired tag, a tag of another district's type or an enterprise of another
//! district does not count) and by an officer's decision with its reason and end date; the
//! evidence shown; an entry leaves the list the day after its evidence ends; filters and
//! paging; who may read and decide; bad input refused whole with nothing stored.

use chrono::{Duration, NaiveDate};
use ipfin_domain::Scope;
use ipfin_domain::whitelist::EntrySource;
use ipfin_store::audit::AuditActor;
use ipfin_store::db::fetch_i64;
use ipfin_store::enterprise::TagInput;
use ipfin_store::testing::TestDb;
use ipfin_store::whitelist::{WhitelistEntry, WhitelistFilter};
use ipfin_store::{Page, Store, StoreError};

macro_rules! write {
    ($s:expr, $actor:expr, |$tx:ident| $body:expr) => {{
        let mut $tx = $s.write($actor).await.expect("tx");
        match $body.await {
            Ok(v) => {
                $tx.commit().await.expect("commit");
                Ok(v)
            }
            Err(e) => {
                $tx.rollback().await.expect("rollback");
                Err(e)
            }
        }
    }};
}

fn nanshan() -> Scope {
    Scope::District {
        code: "440305".into(),
        manage: true,
    }
}

async fn ent(s: &Store, name: &str) -> i64 {
    fetch_i64(
        s.conn(),
        "SELECT id FROM enterprises WHERE name = ?",
        vec![name.to_string().into()],
    )
    .await
    .expect(name)
}

async fn names(s: &Store, scope: &Scope, f: &WhitelistFilter, on: NaiveDate) -> Vec<String> {
    s.whitelist(scope, f, Page::new(Some(1), Some(200)), on)
        .await
        .expect("list")
        .items
        .into_iter()
        .map(|e| e.row.name)
        .collect()
}

fn district(code: &str) -> WhitelistFilter {
    WhitelistFilter {
        district: Some(code.into()),
        ..Default::default()
    }
}

async fn entry(s: &Store, name: &str, on: NaiveDate) -> WhitelistEntry {
    let f = WhitelistFilter {
        q: Some(name.into()),
        ..Default::default()
    };
    s.whitelist(&nanshan(), &f, Page::default(), on)
        .await
        .expect("list")
        .items
        .into_iter()
        .find(|e| e.row.name == name)
        .unwrap_or_else(|| panic!("{name} listed"))
}

#[tokio::test]
async fn tags_and_decisions_make_the_list_with_their_evidence() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let today = ipfin_store::today_shanghai();
        let officer = AuditActor::user(
            fetch_i64(
                s.conn(),
                "SELECT id FROM users WHERE username = 'ns.officer'",
                vec![],
            )
            .await
            .expect("officer"),
            "ns.officer",
        );
        // The demo's tags: 南山示例 (高新技术企业) and 鹏华光电 (专精特新) and 前海云链 (科技型中小企业,
        // 60 more days) are listed; 华科智能's 小巨人 tag expired 30 days ago; 华强微电子 is in 福田.
        let listed = names(s, &nanshan(), &WhitelistFilter::default(), today).await;
        assert_eq!(listed.len(), 3, "{}: {listed:?}", db.name);
        assert!(!listed.iter().any(|n| n.contains("华科智能")));
        let e = entry(s, "深圳市南山示例科技有限公司", today).await;
        assert_eq!(e.evidence.len(), 1);
        assert_eq!(e.evidence[0].source, EntrySource::Tag);
        assert_eq!(e.evidence[0].label, "高新技术企业");
        assert_eq!(e.evidence[0].detail, "深圳市高新技术企业认定名单");
        assert_eq!(e.listed_until(), Some(today + Duration::days(900)));
        // The day after its tag ends, 前海云链 leaves the list by itself.
        let later = today + Duration::days(61);
        assert!(
            !names(s, &nanshan(), &WhitelistFilter::default(), later)
                .await
                .iter()
                .any(|n| n.contains("前海云链"))
        );

        // A tag of a type the enterprise's district does not use does not count; neither does
        // a tag that starts tomorrow.
        let huake = ent(s, "深圳华科智能装备股份有限公司").await;
        write!(s, officer.clone(), |tx| s.add_tag(
            &mut tx,
            &nanshan(),
            huake,
            TagInput {
                tag_type: "ip_advantage".into(),
                source: "国家知识产权优势企业名单".into(),
                year: 2026,
                valid_from: Some(today + Duration::days(1)),
                valid_to: None,
            }
        ))
        .expect("tag");
        assert!(
            !names(s, &nanshan(), &WhitelistFilter::default(), today)
                .await
                .iter()
                .any(|n| n.contains("华科智能"))
        );
        assert!(
            names(
                s,
                &nanshan(),
                &WhitelistFilter::default(),
                today + Duration::days(1)
            )
            .await
            .iter()
            .any(|n| n.contains("华科智能"))
        );

        // An officer's decision: every problem at once, nothing stored.
        let before = s.audit_count().await.expect("count");
        let e = write!(s, officer.clone(), |tx| s.add_to_whitelist(
            &mut tx,
            &nanshan(),
            huake,
            "好",
            Some(today),
            today
        ))
        .expect_err("bad decision");
        match e {
            StoreError::Problems(p) => assert_eq!(
                p.iter().map(|p| p.path.as_str()).collect::<Vec<_>>(),
                vec!["reason", "valid_to"]
            ),
            other => panic!("{other:?}"),
        }
        // A member department and another district may not decide; a token may not either.
        let member = Scope::District {
            code: "440305".into(),
            manage: false,
        };
        let e = write!(s, officer.clone(), |tx| s.add_to_whitelist(
            &mut tx,
            &member,
            huake,
            "核心专利质押意愿强",
            None,
            today
        ))
        .expect_err("member");
        assert!(matches!(e, StoreError::Forbidden(_)), "{e:?}");
        let futian = Scope::District {
            code: "440304".into(),
            manage: true,
        };
        let e = write!(s, officer.clone(), |tx| s.add_to_whitelist(
            &mut tx,
            &futian,
            huake,
            "核心专利质押意愿强",
            None,
            today
        ))
        .expect_err("another district");
        assert!(matches!(e, StoreError::NotFound), "{e:?}");
        let e = write!(s, AuditActor::token(1), |tx| s.add_to_whitelist(
            &mut tx,
            &nanshan(),
            huake,
            "核心专利质押意愿强",
            None,
            today
        ))
        .expect_err("a token");
        assert!(matches!(e, StoreError::Forbidden(_)), "{e:?}");
        assert_eq!(s.audit_count().await.expect("count"), before);

        let decision = write!(s, officer.clone(), |tx| s.add_to_whitelist(
            &mut tx,
            &nanshan(),
            huake,
            "  核心专利质押意愿强，经走访核实 ",
            None,
            today
        ))
        .expect("decided");
        let e = write!(s, officer.clone(), |tx| s.add_to_whitelist(
            &mut tx,
            &nanshan(),
            huake,
            "再次列入试试",
            None,
            today
        ))
        .expect_err("one decision in force");
        assert!(
            matches!(e, StoreError::Conflict(ref m) if m.code == "whitelist.duplicate"),
            "{e:?}"
        );
        let e = entry(s, "深圳华科智能装备股份有限公司", today).await;
        assert_eq!(e.evidence.len(), 1, "the future tag is not evidence yet");
        let d = &e.evidence[0];
        assert_eq!(d.source, EntrySource::Decision);
        assert_eq!(d.detail, "核心专利质押意愿强，经走访核实");
        assert_eq!(d.decision_id, Some(decision));
        assert_eq!(d.decided_by.as_deref(), Some("南山区经办人（演示）"));
        assert_eq!(d.valid_to, Some(today + chrono::Months::new(12)));
        // Filters: by source, by tag type; paging.
        let by = |source| WhitelistFilter {
            source: Some(source),
            ..Default::default()
        };
        assert_eq!(
            names(s, &nanshan(), &by(EntrySource::Decision), today).await,
            vec!["深圳华科智能装备股份有限公司"]
        );
        assert_eq!(
            names(s, &nanshan(), &by(EntrySource::Tag), today)
                .await
                .len(),
            3
        );
        let tag = WhitelistFilter {
            tag: Some("high_tech".into()),
            ..Default::default()
        };
        assert_eq!(
            names(s, &nanshan(), &tag, today).await,
            vec!["深圳市南山示例科技有限公司"]
        );
        let p = s
            .whitelist(
                &nanshan(),
                &WhitelistFilter::default(),
                Page::new(Some(2), Some(3)),
                today,
            )
            .await
            .expect("page 2");
        assert_eq!((p.total, p.items.len()), (4, 1));

        // Who reads: the district's departments and the city (by district); not another
        // district, not a bank.
        assert_eq!(
            names(s, &member, &WhitelistFilter::default(), today)
                .await
                .len(),
            4
        );
        assert_eq!(
            names(s, &Scope::City, &district("440305"), today)
                .await
                .len(),
            4
        );
        assert_eq!(
            names(s, &Scope::City, &district("440304"), today).await,
            vec!["深圳市华强微电子有限公司"]
        );
        assert!(matches!(
            s.whitelist(&futian, &district("440305"), Page::default(), today)
                .await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            s.whitelist(
                &Scope::Institution {
                    org_id: ipfin_domain::id::OrgId::new(1)
                },
                &WhitelistFilter::default(),
                Page::default(),
                today
            )
            .await,
            Err(StoreError::NotFound)
        ));

        // Taking the decision back: the reason is required; another district cannot.
        let e = write!(s, officer.clone(), |tx| s.remove_from_whitelist(
            &mut tx,
            &nanshan(),
            decision,
            " "
        ))
        .expect_err("no reason");
        assert!(matches!(e, StoreError::Invalid(ref f) if f.field == "reason"));
        let e = write!(s, officer.clone(), |tx| s.remove_from_whitelist(
            &mut tx,
            &futian,
            decision,
            "越权移出"
        ))
        .expect_err("another district");
        assert!(matches!(e, StoreError::NotFound));
        write!(s, officer.clone(), |tx| s.remove_from_whitelist(
            &mut tx,
            &nanshan(),
            decision,
            "企业已迁出本区"
        ))
        .expect("removed");
        assert_eq!(
            names(s, &nanshan(), &by(EntrySource::Decision), today)
                .await
                .len(),
            0
        );
        // Once taken back, a new decision may be made.
        write!(s, officer, |tx| s.add_to_whitelist(
            &mut tx,
            &nanshan(),
            huake,
            "重新核实后列入",
            None,
            today
        ))
        .expect("again");
    }
}
