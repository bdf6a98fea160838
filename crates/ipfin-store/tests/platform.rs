//! The public service platform (issue #22) on SQLite and (when configured) PostgreSQL: the
//! demo's products, needs, interpretations and listing; who reads which need; a contact
//! repeated on the same day refused by the database's state; a contact with a pushed
//! enterprise counted by the push funnel; disposal only of a defaulted loan's pledged IP.

use ipfin_domain::id::OrgId;
use ipfin_domain::platform::{Interest, ListingOutcome, Need, Product, ProductInput, query_grams};
use ipfin_domain::{Fen, Scope};
use ipfin_store::audit::AuditActor;
use ipfin_store::db::fetch_i64;
use ipfin_store::testing::TestDb;
use ipfin_store::{Store, StoreError};

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

#[tokio::test]
async fn only_the_owner_edits_a_product_or_need_and_only_while_it_is_open() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let n = db.name;
        let bank_a = Scope::Institution {
            org_id: org(s, "深南银行深圳分行").await,
        };
        let bank_b = Scope::Institution {
            org_id: org(s, "鹏城商业银行").await,
        };
        let ns = Scope::Enterprise {
            org_id: org(s, "深圳市南山示例科技有限公司").await,
        };
        let ft = Scope::Enterprise {
            org_id: org(s, "深圳市福田样本电子有限公司").await,
        };
        let product = s.products(&bank_a).await.expect("p")[0].clone();
        let kinds = vec!["trademark".to_string()];
        let changed = Product::check(&ProductInput {
            name: "知易贷二代",
            ip_kinds: &kinds,
            min_fen: Some(Fen::new(100)),
            max_fen: Some(Fen::new(200)),
            min_months: Some(1),
            max_months: Some(12),
            min_rate_bp: Some(300),
            max_rate_bp: Some(400),
            contact: "0755-88880001",
            ..Default::default()
        })
        .expect("ok");
        // Another bank, an enterprise: not found, nothing changes.
        for scope in [&bank_b, &ns] {
            let r = write!(s, AuditActor::system("t"), |tx| s
                .update_product(&mut tx, scope, product.id, &changed));
            assert!(matches!(r, Err(StoreError::NotFound)), "{n}: {r:?}");
        }
        write!(s, AuditActor::system("t"), |tx| s
            .update_product(&mut tx, &bank_a, product.id, &changed))
        .expect("own product");
        let p = s.product(&Scope::Public, product.id).await.expect("p");
        assert_eq!(
            (p.name.as_str(), p.ip_kinds.as_str(), p.max_fen),
            ("知易贷二代", "trademark", Fen::new(200))
        );
        assert_eq!(
            s.search(&query_grams("二代").expect("g"))
                .await
                .expect("s")
                .len(),
            1,
            "{n}"
        );
        write!(s, AuditActor::system("t"), |tx| s
            .withdraw_product(&mut tx, &bank_a, product.id))
        .expect("withdraw");
        let r = write!(s, AuditActor::system("t"), |tx| s
            .update_product(&mut tx, &bank_a, product.id, &changed));
        assert!(
            matches!(r, Err(StoreError::Conflict(ref m)) if m.code == "product.not_editable"),
            "{n}: {r:?}"
        );

        // Needs: the enterprise's own, open, its own IP.
        let need = s.needs(&ns).await.expect("n")[0].clone();
        let ip = need.assets[0].id;
        let other = fetch_i64(
            s.conn(),
            "SELECT a.id FROM ip_assets a JOIN enterprises e ON e.id = a.enterprise_id WHERE e.name = '深圳市福田样本电子有限公司'",
            vec![],
        )
        .await
        .expect("asset");
        let edit = Need::check(
            Some(Fen::new(12_345)),
            Some(9),
            "设备更新改造",
            &[ip],
            false,
        )
        .expect("ok");
        let r = write!(s, AuditActor::system("t"), |tx| s
            .update_need(&mut tx, &ft, need.id, &edit));
        assert!(matches!(r, Err(StoreError::NotFound)), "{n}: {r:?}");
        let foreign = Need::check(
            Some(Fen::new(12_345)),
            Some(9),
            "设备更新改造",
            &[other],
            false,
        )
        .expect("ok");
        let r = write!(s, AuditActor::system("t"), |tx| s
            .update_need(&mut tx, &ns, need.id, &foreign));
        assert!(
            matches!(r, Err(StoreError::Invalid(ref e)) if e.msg.code == "need.ip_not_own"),
            "{n}: {r:?}"
        );
        write!(s, AuditActor::system("t"), |tx| s
            .update_need(&mut tx, &ns, need.id, &edit))
        .expect("own need");
        let after = s.need(&ns, need.id).await.expect("n");
        assert_eq!(
            (after.amount_fen, after.months, after.public),
            (Fen::new(12_345), 9, false),
            "{n}"
        );
        assert_eq!(after.assets.len(), 1);
        write!(s, AuditActor::system("t"), |tx| s
            .close_need(&mut tx, &ns, need.id))
        .expect("close");
        let r = write!(s, AuditActor::system("t"), |tx| s
            .update_need(&mut tx, &ns, need.id, &edit));
        assert!(
            matches!(r, Err(StoreError::Conflict(ref m)) if m.code == "need.not_editable"),
            "{n}: {r:?}"
        );
        db.cleanup().await;
    }
}

async fn org(s: &Store, name: &str) -> OrgId {
    OrgId::new(
        fetch_i64(
            s.conn(),
            "SELECT id FROM organisations WHERE name = ?",
            vec![name.to_string().into()],
        )
        .await
        .expect(name),
    )
}

#[tokio::test]
async fn matchmaking_both_ways_with_a_daily_limit_and_the_funnel() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let n = db.name;
        let bank_a = Scope::Institution {
            org_id: org(s, "深南银行深圳分行").await,
        };
        let ns = Scope::Enterprise {
            org_id: org(s, "深圳市南山示例科技有限公司").await,
        };
        let ft = Scope::Enterprise {
            org_id: org(s, "深圳市福田样本电子有限公司").await,
        };
        // Public: three active products, one publicly listed need; a bank: both open needs.
        assert_eq!(s.products(&Scope::Public).await.expect("p").len(), 3, "{n}");
        assert_eq!(s.needs(&Scope::Public).await.expect("n").len(), 1);
        assert_eq!(s.needs(&bank_a).await.expect("n").len(), 2);
        assert_eq!(s.needs(&ns).await.expect("n").len(), 1);
        // Proposed both ways, with the reasons.
        let m = s.enterprise_matches(&ns).await.expect("m");
        let names: Vec<_> = m[0].1.iter().map(|x| x.item.name.clone()).collect();
        assert!(
            names.contains(&"知易贷（知识产权质押）".to_string()),
            "{names:?}"
        );
        assert!(m[0].1[0].reasons.iter().any(|r| r.zh.contains("金额")));
        let b = s.bank_matches(&bank_a).await.expect("b");
        assert_eq!(b[0].1.len(), 2, "{n}: both needs fit 知易贷");
        // A need must offer the enterprise's own IP.
        let other: i64 = fetch_i64(
            s.conn(),
            "SELECT a.id FROM ip_assets a JOIN enterprises e ON e.id = a.enterprise_id WHERE e.name = '深圳市福田样本电子有限公司'",
            vec![],
        )
        .await
        .expect("asset");
        let need = Need::check(
            Some(Fen::new(10_000)),
            Some(6),
            "流动资金周转",
            &[other],
            true,
        )
        .expect("ok");
        let r = write!(s, AuditActor::system("t"), |tx| s
            .create_need(&mut tx, &ns, &need));
        assert!(matches!(r, Err(StoreError::Invalid(ref e)) if e.msg.code == "need.ip_not_own"));
        // The enterprise (pushed to bank A in the demo) asks about bank A's product: recorded,
        // and counted as the push entry's first contact.
        let product = s
            .products(&Scope::Public)
            .await
            .expect("p")
            .into_iter()
            .find(|p| p.name == "知易贷（知识产权质押）")
            .expect("product")
            .id;
        let before = fetch_i64(s.conn(), "SELECT COUNT(*) FROM push_follow_ups", vec![])
            .await
            .expect("n");
        let id = write!(s, AuditActor::user(1, "ent.user"), |tx| s.request_contact(
            &mut tx,
            &ns,
            product,
            "请联系我们"
        ))
        .expect("contact");
        assert!(id > 0);
        let after = fetch_i64(s.conn(), "SELECT COUNT(*) FROM push_follow_ups", vec![])
            .await
            .expect("n");
        assert_eq!(after, before + 1, "{n}: the funnel sees the contact");
        let c = s.match_contacts(&ns).await.expect("c");
        assert!(c[0].push_entry_id.is_some());
        // The same request the same day: refused, nothing stored.
        let r = write!(s, AuditActor::user(1, "ent.user"), |tx| s.request_contact(
            &mut tx,
            &ns,
            product,
            "再次请求"
        ));
        assert!(
            matches!(r, Err(StoreError::Conflict(ref m)) if m.code == "match.contact_repeated"),
            "{n}: {r:?}"
        );
        assert_eq!(s.match_contacts(&ns).await.expect("c").len(), 1);
        // The bank sees its contacts; the other enterprise does not see this one.
        assert_eq!(s.match_contacts(&bank_a).await.expect("c").len(), 2);
        assert_eq!(s.match_contacts(&ft).await.expect("c").len(), 1);
        // The bank expresses interest in a need; not twice a day.
        let need = s.needs(&bank_a).await.expect("n")[0].id;
        write!(s, AuditActor::user(2, "bank.manager"), |tx| s
            .express_interest(&mut tx, &bank_a, need, ""))
        .expect("interest");
        let r = write!(s, AuditActor::user(2, "bank.manager"), |tx| s
            .express_interest(&mut tx, &bank_a, need, ""));
        assert!(matches!(r, Err(StoreError::Conflict(_))));
        // An enterprise cannot express a bank's interest.
        let r = write!(s, AuditActor::user(1, "ent.user"), |tx| s
            .express_interest(&mut tx, &ns, need, ""));
        assert!(matches!(r, Err(StoreError::Forbidden(_))));
        db.cleanup().await;
    }
}

#[tokio::test]
async fn disposal_of_a_defaulted_loan_and_search() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let n = db.name;
        let today = ipfin_store::today_shanghai();
        assert!(s.seed_demo_disposal().await.expect("disposal"), "{n}");
        assert!(!s.seed_demo_disposal().await.expect("once"));
        let bank_a = Scope::Institution {
            org_id: org(s, "深南银行深圳分行").await,
        };
        let bank_b = Scope::Institution {
            org_id: org(s, "鹏城商业银行").await,
        };
        let listings = s.listings(&Scope::Public).await.expect("l");
        assert_eq!(listings.len(), 1, "{n}");
        let l = &listings[0];
        assert_eq!(l.reserve_fen, 180_000_000);
        assert_eq!(l.assets.len(), 1);
        // Interests: the listing's bank reads them, another bank and the public do not.
        assert_eq!(
            s.listing_interests(&bank_a, l.id).await.expect("i").len(),
            1
        );
        assert!(
            s.listing_interests(&bank_b, l.id)
                .await
                .expect("i")
                .is_empty()
        );
        assert!(
            s.listing_interests(&Scope::Public, l.id)
                .await
                .expect("i")
                .is_empty()
        );
        // A second open listing of the same loan is refused.
        let loans = s.disposable_loans(&bank_a).await.expect("loans");
        assert_eq!(loans.len(), 1);
        let listing = ipfin_domain::platform::Listing::check(
            "再次挂牌",
            Some(Fen::new(100)),
            None,
            Some(today + chrono::Days::new(5)),
            "",
            &[loans[0].assets[0].id],
            today,
        )
        .expect("ok");
        let r = write!(s, AuditActor::system("t"), |tx| s.create_listing(
            &mut tx,
            &bank_a,
            loans[0].loan_id,
            &listing
        ));
        assert!(matches!(r, Err(StoreError::Conflict(_))), "{n}: {r:?}");
        // Another bank cannot list this loan's IP.
        let r = write!(s, AuditActor::system("t"), |tx| s.create_listing(
            &mut tx,
            &bank_b,
            loans[0].loan_id,
            &listing
        ));
        assert!(matches!(r, Err(StoreError::NotFound)));
        // Interest registered by anyone; the outcome by the bank, once.
        let i = Interest::check("张三", "13800000000", "").expect("ok");
        write!(s, AuditActor::system("public"), |tx| s
            .register_interest(&mut tx, l.id, &i, today))
        .expect("interest");
        let o =
            ListingOutcome::check("sold", Some(Fen::new(190_000_000)), None, "", today).expect("o");
        let r = write!(s, AuditActor::system("t"), |tx| s
            .record_listing_outcome(&mut tx, &bank_b, l.id, &o));
        assert!(matches!(r, Err(StoreError::NotFound)));
        write!(s, AuditActor::system("t"), |tx| s
            .record_listing_outcome(&mut tx, &bank_a, l.id, &o))
        .expect("sold");
        let r = write!(s, AuditActor::system("t"), |tx| s
            .register_interest(&mut tx, l.id, &i, today));
        assert!(matches!(r, Err(StoreError::Conflict(_))));
        let l = s.listing(&Scope::Public, l.id).await.expect("l");
        assert_eq!(
            (l.status.as_str(), l.price_fen),
            ("sold", Some(Fen::new(190_000_000)))
        );
        // Search with two-character grams: policies, interpretations, products, listings.
        let hits = s
            .search(&query_grams("质押").expect("q"))
            .await
            .expect("hits");
        let kinds: std::collections::BTreeSet<_> = hits.iter().map(|h| h.kind).collect();
        assert!(
            kinds.contains("interpretation") && kinds.contains("product"),
            "{n}: {kinds:?}"
        );
        let hits = s
            .search(&query_grams("模具").expect("q"))
            .await
            .expect("hits");
        assert!(hits.iter().any(|h| h.kind == "listing"), "{n}");
        // Interpretations: drafts are the district's; published ones public.
        assert_eq!(
            s.interpretations(&Scope::Public, Some("440305"))
                .await
                .expect("i")
                .len(),
            1
        );
        db.cleanup().await;
    }
}
