//! Enterprise registry tests, on SQLite and (when configured) PostgreSQL.

use ipfin_domain::Scope;
use ipfin_domain::size::SizeClass;
use ipfin_store::audit::AuditActor;
use ipfin_store::auth::SignIn;
use ipfin_store::demo::demo_credit_code;
use ipfin_store::enterprise::{ClaimInput, EnterpriseFilter, EnterpriseInput};
use ipfin_store::testing::TestDb;
use ipfin_store::{Page, Store, StoreError};

fn district(code: &str) -> Scope {
    Scope::District {
        code: code.into(),
        manage: true,
    }
}

fn input(code: String, name: &str, district: &str) -> EnterpriseInput {
    EnterpriseInput {
        credit_code: ipfin_domain::CreditCode::parse(&code).expect("a valid code"),
        name: name.into(),
        registered_district: Some(district.into()),
        tax_district: Some(district.into()),
        independent_legal_person: true,
        industry: Some("I65".into()),
        employees: Some(120),
        operating_revenue_fen: Some(ipfin_domain::Fen::new(1_500_000_000)),
        total_assets_fen: None,
        data_sharing_consent: false,
    }
}

async fn save(
    s: &Store,
    scope: &Scope,
    i: EnterpriseInput,
) -> Result<(ipfin_store::enterprise::Enterprise, bool), StoreError> {
    let mut tx = s.write(AuditActor::system("test")).await?;
    let r = s.save_enterprise(&mut tx, scope, i).await?;
    tx.commit().await?;
    Ok(r)
}

async fn search(s: &Store, scope: &Scope, q: &str) -> Vec<String> {
    s.search_enterprises(
        scope,
        &EnterpriseFilter {
            q: Some(q.into()),
            ..Default::default()
        },
        Page::default(),
    )
    .await
    .expect("search")
    .items
    .into_iter()
    .map(|e| e.name)
    .collect()
}

#[tokio::test]
async fn records_are_upserted_by_credit_code_with_computed_size() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let code = demo_credit_code("440305", 9001);
        let (e, created) = save(
            s,
            &district("440305"),
            input(code.to_lowercase(), "深圳市测试华为软件有限公司", "440305"),
        )
        .await
        .expect("save");
        assert!(created, "{}", db.name);
        assert_eq!(e.credit_code, code);
        assert_eq!(e.effective_size(), Some(SizeClass::Medium));
        let before = s.audit_count().await.expect("n");
        let (again, created) = save(
            s,
            &district("440305"),
            input(code.clone(), "深圳市测试华为软件有限公司", "440305"),
        )
        .await
        .expect("save again");
        assert!(
            !created && again.id == e.id,
            "{}: same code, same record",
            db.name
        );
        assert_eq!(s.audit_count().await.expect("n"), before + 1);
        // Another district may not overwrite it.
        let r = save(
            s,
            &district("440304"),
            input(code.clone(), "改名", "440304"),
        )
        .await;
        assert!(
            matches!(r, Err(StoreError::Conflict(_))),
            "{}: {r:?}",
            db.name
        );
        // Bad inputs name their field and store nothing. (A code that does not parse never
        // reaches the store: the input carries a `CreditCode`, parsed at the edge.)
        let before = s.audit_count().await.expect("n");
        for (mut i, field) in [
            (
                input(demo_credit_code("440305", 9002), " ", "440305"),
                "name",
            ),
            (
                input(demo_credit_code("440305", 9003), "x", "440305"),
                "employees",
            ),
            (
                input(demo_credit_code("440305", 9004), "x", "440305"),
                "industry",
            ),
        ] {
            if field == "employees" {
                i.employees = Some(-1);
            }
            if field == "industry" {
                i.industry = Some("Q9X".into());
            }
            match save(s, &Scope::City, i).await {
                Err(StoreError::Invalid(e)) => assert_eq!(e.field, field, "{}", db.name),
                other => panic!("{}: {field}: {other:?}", db.name),
            }
        }
        assert_eq!(s.audit_count().await.expect("n"), before);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn two_character_name_search_and_code_search_stay_in_the_district() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        save(
            s,
            &district("440305"),
            input(
                demo_credit_code("440305", 9101),
                "深圳市南山华为通信有限公司",
                "440305",
            ),
        )
        .await
        .expect("ns");
        save(
            s,
            &district("440304"),
            input(
                demo_credit_code("440304", 9102),
                "深圳市福田华为终端有限公司",
                "440304",
            ),
        )
        .await
        .expect("ft");
        assert_eq!(
            search(s, &district("440305"), "华为").await,
            vec!["深圳市南山华为通信有限公司"],
            "{}",
            db.name
        );
        assert_eq!(
            search(s, &district("440304"), "华为").await,
            vec!["深圳市福田华为终端有限公司"]
        );
        assert_eq!(search(s, &Scope::City, "华为").await.len(), 2);
        assert_eq!(
            search(s, &Scope::City, "华为通信").await,
            vec!["深圳市南山华为通信有限公司"]
        );
        assert!(
            search(s, &Scope::City, "为华").await.is_empty(),
            "order matters"
        );
        // A rename moves the record in the name index: the old fragment no longer finds it.
        save(
            s,
            &district("440304"),
            input(
                demo_credit_code("440304", 9102),
                "深圳市福田鸿蒙终端有限公司",
                "440304",
            ),
        )
        .await
        .expect("rename");
        assert!(
            search(s, &district("440304"), "华为").await.is_empty(),
            "{}: old name still indexed",
            db.name
        );
        assert_eq!(
            search(s, &district("440304"), "鸿蒙").await,
            vec!["深圳市福田鸿蒙终端有限公司"]
        );
        // Counts stop at a cap and say so.
        let f = EnterpriseFilter {
            q: Some("深圳".into()),
            ..Default::default()
        };
        let all = s
            .search_enterprises_capped(&Scope::City, &f, Page::default(), 100)
            .await
            .expect("count");
        assert!(all.total >= 2 && !all.capped, "{}: {}", db.name, all.total);
        let capped = s
            .search_enterprises_capped(&Scope::City, &f, Page::default(), 1)
            .await
            .expect("capped");
        assert!(capped.capped && capped.total == 1, "{}", db.name);
        assert!(
            capped.items.len() >= 2,
            "the page is not cut by the count cap"
        );
        // By credit code: exact, prefix, and lower case.
        let code = demo_credit_code("440305", 9101);
        assert_eq!(
            search(s, &district("440305"), &code.to_lowercase())
                .await
                .len(),
            1
        );
        assert_eq!(
            search(s, &district("440304"), &code).await.len(),
            0,
            "{}: other district's code",
            db.name
        );
        assert!(!search(s, &Scope::City, &code[..10]).await.is_empty());
        // One character is refused with a clear message.
        let r = s
            .search_enterprises(
                &Scope::City,
                &EnterpriseFilter {
                    q: Some("华".into()),
                    ..Default::default()
                },
                Page::default(),
            )
            .await;
        assert!(matches!(r, Err(StoreError::Invalid(ref e)) if e.msg.code == "search.too_short"));
        // Filters.
        let f = EnterpriseFilter {
            size: Some(SizeClass::Large),
            ..Default::default()
        };
        let large = s
            .search_enterprises(&district("440305"), &f, Page::default())
            .await
            .expect("filter");
        assert!(
            large
                .items
                .iter()
                .all(|e| e.effective_size() == Some(SizeClass::Large))
                && large.total >= 1
        );
        let f = EnterpriseFilter {
            industry: Some("c3".into()),
            ..Default::default()
        };
        let c3 = s
            .search_enterprises(&Scope::City, &f, Page::default())
            .await
            .expect("filter");
        assert!(
            c3.items
                .iter()
                .all(|e| e.industry.as_deref().is_some_and(|i| i.starts_with("C3")))
                && c3.total >= 3
        );
        // A bank sees no registry at all.
        assert_eq!(
            search(
                s,
                &Scope::Institution {
                    org_id: ipfin_domain::id::OrgId::new(1)
                },
                "深圳"
            )
            .await
            .len(),
            0
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn size_override_is_recorded_with_its_reason() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let (e, _) = save(
            s,
            &district("440305"),
            input(
                demo_credit_code("440305", 9201),
                "深圳市规模调整有限公司",
                "440305",
            ),
        )
        .await
        .expect("save");
        let mut tx = s.write(AuditActor::system("test")).await.expect("tx");
        let r = s
            .override_size(
                &mut tx,
                &district("440305"),
                e.id,
                Some(SizeClass::Small),
                " ",
            )
            .await;
        assert!(matches!(r, Err(StoreError::Invalid(ref f)) if f.field == "reason"));
        drop(tx);
        let mut tx = s.write(AuditActor::system("test")).await.expect("tx");
        let r = s
            .override_size(
                &mut tx,
                &district("440304"),
                e.id,
                Some(SizeClass::Small),
                "x",
            )
            .await;
        assert!(
            matches!(r, Err(StoreError::NotFound)),
            "{}: other district",
            db.name
        );
        drop(tx);
        let mut tx = s.write(AuditActor::system("test")).await.expect("tx");
        let e2 = s
            .override_size(
                &mut tx,
                &district("440305"),
                e.id,
                Some(SizeClass::Small),
                "2025 年审计报告：营业收入 980 万元",
            )
            .await
            .expect("override");
        tx.commit().await.expect("commit");
        assert_eq!(
            e2.size_class.as_deref(),
            Some("medium"),
            "computed class kept"
        );
        assert_eq!(e2.effective_size(), Some(SizeClass::Small));
        assert!(
            e2.size_override_reason
                .is_some_and(|r| r.contains("审计报告"))
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_claim_approved_by_the_district_gives_the_enterprise_an_account() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let code = demo_credit_code("440305", 9301);
        save(
            s,
            &district("440305"),
            input(code.clone(), "深圳市认领测试有限公司", "440305"),
        )
        .await
        .expect("save");
        let claim = ClaimInput {
            credit_code: ipfin_domain::CreditCode::parse(&code).expect("valid"),
            username: "claim.user".into(),
            display_name: "王经理".into(),
            password: "Claim-Pass-2026".into(),
            phone: "13800138000".into(),
        };
        for (mut bad, field) in [
            (claim.clone(), "credit_code"),
            (claim.clone(), "phone"),
            (claim.clone(), "password"),
        ] {
            match field {
                "credit_code" => bad.credit_code = ipfin_store::demo::demo_code("440305", 9399),
                "phone" => bad.phone = "12345".into(),
                _ => bad.password = "short".into(),
            }
            match s.submit_claim(bad).await {
                Err(StoreError::Invalid(e)) => assert_eq!(e.field, field, "{}", db.name),
                other => panic!("{}: {field}: {other:?}", db.name),
            }
        }
        // A taken username is not disclosed: the claim is kept (approving it is refused).
        let mut taken = claim.clone();
        taken.username = "ns.officer".into();
        s.submit_claim(taken)
            .await
            .expect("the answer does not tell whether a username exists");
        let id = s.submit_claim(claim).await.expect("claim");
        assert!(
            matches!(
                s.sign_in("claim.user", "Claim-Pass-2026", None)
                    .await
                    .expect("x"),
                SignIn::Failed
            ),
            "no access before approval"
        );
        assert!(
            s.claims(&district("440304"))
                .await
                .expect("claims")
                .iter()
                .all(|c| c.id != id),
            "other district does not see it"
        );
        let mut tx = s.write(AuditActor::system("test")).await.expect("tx");
        assert!(matches!(
            s.decide_claim(&mut tx, &district("440304"), id, true, None)
                .await,
            Err(StoreError::NotFound)
        ));
        drop(tx);
        let mut tx = s.write(AuditActor::system("test")).await.expect("tx");
        s.decide_claim(&mut tx, &district("440305"), id, true, None)
            .await
            .expect("approve");
        tx.commit().await.expect("commit");
        let SignIn::Ok { token, .. } = s
            .sign_in("claim.user", "Claim-Pass-2026", None)
            .await
            .expect("x")
        else {
            panic!("{}: approved claimant signs in", db.name)
        };
        let su = s.session_user(&token).await.expect("s").expect("s");
        let mine = s
            .search_enterprises(&su.scope(), &EnterpriseFilter::default(), Page::default())
            .await
            .expect("own");
        assert_eq!(
            mine.items
                .iter()
                .map(|e| e.name.as_str())
                .collect::<Vec<_>>(),
            vec!["深圳市认领测试有限公司"],
            "{}",
            db.name
        );
        let mut tx = s.write(AuditActor::system("test")).await.expect("tx");
        assert!(matches!(
            s.decide_claim(&mut tx, &district("440305"), id, false, Some("x".into()))
                .await,
            Err(StoreError::Conflict(_))
        ));
        drop(tx);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn tags_and_ip_assets_are_validated_and_scoped() {
    use ipfin_store::enterprise::{IpInput, TagInput};
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let (e, _) = save(
            s,
            &district("440305"),
            input(
                demo_credit_code("440305", 9401),
                "深圳市标签测试有限公司",
                "440305",
            ),
        )
        .await
        .expect("save");
        let tag = |t: &str, year: i32| TagInput {
            tag_type: t.into(),
            source: "深圳市 2025 年高新技术企业认定名单".into(),
            year,
            ..Default::default()
        };
        let mut tx = s.write(AuditActor::system("test")).await.expect("tx");
        s.add_tag(&mut tx, &district("440305"), e.id, tag("high_tech", 2025))
            .await
            .expect("tag");
        tx.commit().await.expect("commit");
        for (t, field) in [
            (tag("nope", 2025), "tag_type"),
            (tag("high_tech", 1999), "year"),
            (
                TagInput {
                    source: " ".into(),
                    ..tag("high_tech", 2024)
                },
                "source",
            ),
        ] {
            let mut tx = s.write(AuditActor::system("test")).await.expect("tx");
            match s.add_tag(&mut tx, &district("440305"), e.id, t).await {
                Err(StoreError::Invalid(f)) => assert_eq!(f.field, field, "{}", db.name),
                other => panic!("{}: {field}: {other:?}", db.name),
            }
        }
        let mut tx = s.write(AuditActor::system("test")).await.expect("tx");
        assert!(
            matches!(
                s.add_tag(&mut tx, &district("440305"), e.id, tag("high_tech", 2025))
                    .await,
                Err(StoreError::Conflict(_))
            ),
            "{}: same year twice",
            db.name
        );
        drop(tx);
        let mut tx = s.write(AuditActor::system("test")).await.expect("tx");
        assert!(matches!(
            s.add_tag(&mut tx, &district("440304"), e.id, tag("tech_sme", 2025))
                .await,
            Err(StoreError::NotFound)
        ));
        drop(tx);
        // A district's own tag type.
        let mut tx = s.write(AuditActor::system("test")).await.expect("tx");
        s.create_district_tag_type(
            &mut tx,
            &district("440305"),
            "d_nanshan_star",
            "南山区知识产权明星企业",
            "Nanshan IP star",
        )
        .await
        .expect("type");
        s.add_tag(
            &mut tx,
            &district("440305"),
            e.id,
            tag("d_nanshan_star", 2026),
        )
        .await
        .expect("district tag");
        tx.commit().await.expect("commit");
        assert!(
            s.tag_types(&district("440304"))
                .await
                .expect("types")
                .iter()
                .all(|t| t.code != "d_nanshan_star"),
            "{}: other districts do not see it",
            db.name
        );
        let f = EnterpriseFilter {
            tag: Some("high_tech".into()),
            ..Default::default()
        };
        let tagged = s
            .search_enterprises(&district("440305"), &f, Page::default())
            .await
            .expect("tag filter");
        // This record and the demo's 深圳市南山示例科技有限公司 (a 高新技术企业 tag of the demo).
        let mut names: Vec<&str> = tagged.items.iter().map(|x| x.name.as_str()).collect();
        names.sort_unstable();
        let mut expected = vec![e.name.as_str(), "深圳市南山示例科技有限公司"];
        expected.sort_unstable();
        assert_eq!(names, expected, "{}", db.name);
        // IP assets: numbers validated per kind, duplicates refused.
        let ip = |kind: &str, number: &str| IpInput {
            kind: kind.into(),
            number: number.into(),
            title: "一种测试装置".into(),
            legal_status: "valid".into(),
            nice_class: Some("9".into()),
            ..Default::default()
        };
        let mut tx = s.write(AuditActor::system("test")).await.expect("tx");
        let a = s
            .add_ip_asset(
                &mut tx,
                &district("440305"),
                e.id,
                ip("patent", "ZL 2004 1006 8836.1"),
            )
            .await
            .expect("patent");
        assert_eq!(
            (a.number.as_str(), a.patent_kind.as_deref()),
            ("200410068836.1", Some("invention"))
        );
        s.add_ip_asset(
            &mut tx,
            &district("440305"),
            e.id,
            ip("trademark", "12345678"),
        )
        .await
        .expect("trademark");
        s.add_ip_asset(
            &mut tx,
            &district("440305"),
            e.id,
            ip("software_copyright", "2016sr172900"),
        )
        .await
        .expect("software");
        tx.commit().await.expect("commit");
        for (a, field) in [
            (ip("patent", "200410068836.2"), "number"),
            (ip("trademark", "12a"), "number"),
            (
                IpInput {
                    nice_class: None,
                    ..ip("trademark", "87654321")
                },
                "nice_class",
            ),
            (ip("gene", "x"), "kind"),
        ] {
            let mut tx = s.write(AuditActor::system("test")).await.expect("tx");
            match s.add_ip_asset(&mut tx, &district("440305"), e.id, a).await {
                Err(StoreError::Invalid(f)) => assert_eq!(f.field, field, "{}", db.name),
                other => panic!("{}: {field}: {other:?}", db.name),
            }
        }
        let mut tx = s.write(AuditActor::system("test")).await.expect("tx");
        assert!(matches!(
            s.add_ip_asset(&mut tx, &Scope::City, e.id, ip("patent", "200410068836.1"))
                .await,
            Err(StoreError::Conflict(_))
        ));
        drop(tx);
        assert_eq!(
            s.ip_assets(&district("440305"), e.id)
                .await
                .expect("list")
                .len(),
            3
        );
        assert!(matches!(
            s.ip_assets(&district("440304"), e.id).await,
            Err(StoreError::NotFound)
        ));
        db.cleanup().await;
    }
}
