//! Store tests: each runs on SQLite and, when `IPFIN_TEST_POSTGRES_URL` is set, on PostgreSQL.

use chrono::NaiveDate;
use ipfin_domain::user::Administrator;
use ipfin_domain::{OrgKind, Role, Scope};
use ipfin_store::audit::{AuditActor, Verification};
use ipfin_store::auth::SignIn;
use ipfin_store::org::{NewContact, NewDesignation, NewOrganisation, OrgFilter};
use ipfin_store::testing::{DEMO_PASSWORD, TestDb};
use ipfin_store::user::NewUser;
use ipfin_store::{Page, Store, StoreError};

fn district(code: &str, manage: bool) -> Scope {
    Scope::District {
        code: code.into(),
        manage,
    }
}

async fn org_id(store: &Store, name: &str) -> i64 {
    let page = store
        .organisations(
            &Scope::City,
            &OrgFilter {
                q: Some(name.into()),
                ..Default::default()
            },
            Page::default(),
        )
        .await
        .expect("list");
    page.items
        .iter()
        .find(|o| o.name == name)
        .unwrap_or_else(|| panic!("{name} exists"))
        .id
}

#[tokio::test]
async fn demo_city_loads_once_with_eleven_districts_and_leads() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let districts = s.districts().await.expect("districts");
        assert_eq!(districts.len(), 11, "{}", db.name);
        assert!(
            districts.iter().all(|d| d.lead_org_id.is_some()),
            "{}: every district has a lead",
            db.name
        );
        assert!(
            districts
                .iter()
                .any(|d| d.code == "440300DP" && d.kind == "functional_zone")
        );
        assert!(
            s.load_demo(|_| "x".into())
                .await
                .expect("second load")
                .is_none(),
            "{}",
            db.name
        );
        assert_eq!(
            s.audit_verify().await.expect("verify"),
            Verification::Intact {
                events: s.audit_count().await.expect("count")
            }
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn district_scope_is_enforced_in_sql() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let ns = district("440305", true);
        let orgs = s
            .organisations(&ns, &OrgFilter::default(), Page::new(None, Some(200)))
            .await
            .expect("list");
        assert!(orgs.total >= 5, "{}", db.name);
        assert!(
            orgs.items
                .iter()
                .all(|o| o.district_code.as_deref() == Some("440305")),
            "{}",
            db.name
        );
        let futian = org_id(s, "福田区市场监督管理局").await;
        assert!(
            matches!(s.organisation(&ns, futian).await, Err(StoreError::NotFound)),
            "{}",
            db.name
        );
        assert!(
            matches!(s.contacts(&ns, futian).await, Err(StoreError::NotFound)),
            "{}",
            db.name
        );
        assert!(
            matches!(
                s.lead_history(&ns, "440304").await,
                Err(StoreError::NotFound)
            ),
            "{}",
            db.name
        );
        // Users of another district are invisible too.
        let users = s.users(&ns, None, Page::default()).await.expect("users");
        assert!(
            users
                .items
                .iter()
                .all(|u| u.district_code.as_deref() == Some("440305")),
            "{}",
            db.name
        );
        // Writes into another district are refused and store nothing.
        let before = s.audit_count().await.expect("count");
        let mut tx = s.write(AuditActor::system("test")).await.expect("tx");
        let r = s
            .add_contact(
                &mut tx,
                &ns,
                futian,
                NewContact {
                    name: "x".into(),
                    phone: Some("12345678".into()),
                    ..Default::default()
                },
            )
            .await;
        assert!(matches!(r, Err(StoreError::NotFound)), "{}", db.name);
        drop(tx);
        assert_eq!(s.audit_count().await.expect("count"), before);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn institution_and_enterprise_see_only_themselves() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let bank1 = org_id(s, "深南银行深圳分行").await;
        let bank2 = org_id(s, "鹏城商业银行").await;
        let scope = Scope::Institution {
            org_id: ipfin_domain::id::OrgId::new(bank1),
        };
        let list = s
            .organisations(&scope, &OrgFilter::default(), Page::default())
            .await
            .expect("list");
        assert_eq!(
            list.items.iter().map(|o| o.id).collect::<Vec<_>>(),
            vec![bank1],
            "{}",
            db.name
        );
        assert!(matches!(
            s.organisation(&scope, bank2).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            s.org_users(&scope, bank2).await,
            Err(StoreError::NotFound)
        ));
        let e1 = org_id(s, "深圳市南山示例科技有限公司").await;
        let e2 = org_id(s, "深圳市福田样本电子有限公司").await;
        let escope = Scope::Enterprise {
            org_id: ipfin_domain::id::OrgId::new(e1),
        };
        assert!(matches!(
            s.organisation(&escope, e2).await,
            Err(StoreError::NotFound)
        ));
        assert!(
            s.users(&escope, None, Page::default())
                .await
                .expect("users")
                .items
                .iter()
                .all(|u| u.organisation_id == e1)
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn lead_designation_keeps_a_dated_history_with_one_lead_at_a_time() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let finance = org_id(s, "南山区财政局").await;
        let smr = org_id(s, "南山区市场监督管理局").await;
        let date = |m, d| NaiveDate::from_ymd_opt(2026, m, d).expect("date");
        // Backdating before the current designation is refused.
        let mut tx = s.write(AuditActor::system("test")).await.expect("tx");
        let r = s
            .designate_lead(
                &mut tx,
                &Scope::City,
                "440305",
                NewDesignation {
                    organisation_id: finance,
                    from: date(1, 1),
                    head_name: None,
                    note: None,
                },
            )
            .await;
        assert!(
            matches!(r, Err(StoreError::Invalid(ref e)) if e.field == "from_date"),
            "{}: {r:?}",
            db.name
        );
        drop(tx);
        // A district officer cannot designate.
        let mut tx = s.write(AuditActor::system("test")).await.expect("tx");
        let r = s
            .designate_lead(
                &mut tx,
                &district("440305", true),
                "440305",
                NewDesignation {
                    organisation_id: finance,
                    from: date(7, 1),
                    head_name: None,
                    note: None,
                },
            )
            .await;
        assert!(matches!(r, Err(StoreError::Forbidden(_))));
        drop(tx);
        let mut tx = s.write(AuditActor::system("test")).await.expect("tx");
        s.designate_lead(
            &mut tx,
            &Scope::City,
            "440305",
            NewDesignation {
                organisation_id: finance,
                from: date(7, 1),
                head_name: Some("张局长".into()),
                note: None,
            },
        )
        .await
        .expect("designate");
        tx.commit().await.expect("commit");
        let h = s
            .lead_history(&Scope::City, "440305")
            .await
            .expect("history");
        assert_eq!(h.len(), 2, "{}", db.name);
        assert_eq!((h[0].organisation_id, h[0].to_date), (finance, None));
        assert_eq!(
            (h[1].organisation_id, h[1].to_date),
            (smr, Some(date(7, 1)))
        );
        assert_eq!(
            Store::lead_on(s.conn(), "440305", date(6, 30))
                .await
                .expect("on"),
            Some(smr)
        );
        assert_eq!(
            Store::lead_on(s.conn(), "440305", date(7, 1))
                .await
                .expect("on"),
            Some(finance)
        );
        // A department of another district cannot lead this one.
        let futian = org_id(s, "福田区财政局").await;
        let mut tx = s.write(AuditActor::system("test")).await.expect("tx");
        let r = s
            .designate_lead(
                &mut tx,
                &Scope::City,
                "440305",
                NewDesignation {
                    organisation_id: futian,
                    from: date(9, 1),
                    head_name: None,
                    note: None,
                },
            )
            .await;
        assert!(matches!(r, Err(StoreError::Invalid(ref e)) if e.field == "organisation_id"));
        drop(tx);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn user_creation_respects_scope_roles_and_uniqueness() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let ns = district("440305", true);
        let finance = org_id(s, "南山区财政局").await;
        let bank = org_id(s, "深南银行深圳分行").await;
        let new = |org, username: &str, roles: Vec<Role>| NewUser {
            organisation_id: org,
            username: username.into(),
            display_name: "测试".into(),
            roles,
            password: None,
            temporary: false,
        };
        let officer = Administrator::Reviewer("440305".into());
        let mut tx = s.write(AuditActor::system("test")).await.expect("tx");
        let (u, link) = s
            .create_user(
                &mut tx,
                &ns,
                &officer,
                new(finance, "ns.new", vec![Role::DepartmentMember]),
            )
            .await
            .expect("create");
        tx.commit().await.expect("commit");
        // No password anyone knows: an activation link for the person.
        let link = link.expect("activation link");
        assert!(!u.must_change_password, "{}", db.name);
        for (org, name, roles, what) in [
            (
                finance,
                "ns.admin",
                vec![Role::CityAdmin],
                "city_admin not grantable",
            ),
            (
                bank,
                "ns.bank",
                vec![Role::BankUser],
                "bank not managed by district",
            ),
            (finance, "ns.new", vec![Role::DepartmentMember], "duplicate"),
            (finance, "X", vec![Role::DepartmentMember], "bad username"),
            (finance, "ns.none", vec![], "no roles"),
            (
                finance,
                "ns.sock",
                vec![Role::DistrictOfficer],
                "a reviewer opens no reviewer account",
            ),
        ] {
            let mut tx = s.write(AuditActor::system("test")).await.expect("tx");
            let r = s
                .create_user(&mut tx, &ns, &officer, new(org, name, roles))
                .await;
            assert!(r.is_err(), "{}: {what}", db.name);
        }
        assert!(matches!(
            s.sign_in("ns.new", "", None).await.expect("sign in"),
            SignIn::Failed
        ));
        let mut tx = s.write(AuditActor::system("test")).await.expect("tx");
        s.activate(&mut tx, &link.token, "Ns-New-Password-2026")
            .await
            .expect("activate");
        tx.commit().await.expect("commit");
        assert!(matches!(
            s.sign_in("ns.new", "Ns-New-Password-2026", None)
                .await
                .expect("sign in"),
            SignIn::Ok { .. }
        ));
        // Used once; a second use changes nothing.
        let mut tx = s.write(AuditActor::system("test")).await.expect("tx");
        let e = s
            .activate(&mut tx, &link.token, "Another-Password-2026")
            .await
            .expect_err("used");
        tx.rollback().await.expect("rollback");
        assert!(matches!(e, StoreError::Gone(_)), "{e:?}");
        db.cleanup().await;
    }
}

#[tokio::test]
async fn sessions_tokens_and_password_changes() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let SignIn::Ok { token, .. } = s
            .sign_in("NS.Officer ", DEMO_PASSWORD, Some("127.0.0.1"))
            .await
            .expect("sign in")
        else {
            panic!("{}: demo officer signs in", db.name)
        };
        assert!(matches!(
            s.sign_in("ns.officer", "wrong", None).await.expect("x"),
            SignIn::Failed
        ));
        assert!(matches!(
            s.sign_in("nobody", "wrong", None).await.expect("x"),
            SignIn::Failed
        ));
        let su = s
            .session_user(&token)
            .await
            .expect("resolve")
            .expect("valid session");
        assert_eq!(su.scope(), district("440305", true));
        assert!(s.session_user("forged").await.expect("resolve").is_none());

        // Password change ends other sessions but keeps the current one.
        let SignIn::Ok { token: other, .. } = s
            .sign_in("ns.officer", DEMO_PASSWORD, None)
            .await
            .expect("x")
        else {
            panic!()
        };
        let mut tx = s
            .write(AuditActor::user(su.user_id.get(), &su.username))
            .await
            .expect("tx");
        let r = s
            .change_password(
                &mut tx,
                su.user_id,
                "wrong",
                "New-Password-2027",
                Some(&su.session_hash),
            )
            .await;
        assert!(matches!(r, Err(StoreError::Invalid(ref e)) if e.field == "current_password"));
        drop(tx);
        let mut tx = s
            .write(AuditActor::user(su.user_id.get(), &su.username))
            .await
            .expect("tx");
        s.change_password(
            &mut tx,
            su.user_id,
            DEMO_PASSWORD,
            "New-Password-2027",
            Some(&su.session_hash),
        )
        .await
        .expect("change");
        tx.commit().await.expect("commit");
        assert!(s.session_user(&token).await.expect("x").is_some());
        assert!(
            s.session_user(&other).await.expect("x").is_none(),
            "{}",
            db.name
        );

        // API tokens: issued once, hashed at rest, revocable; other banks cannot revoke.
        let bank = org_id(s, "深南银行深圳分行").await;
        let bank2 = org_id(s, "鹏城商业银行").await;
        let bscope = Scope::Institution {
            org_id: ipfin_domain::id::OrgId::new(bank),
        };
        let mut tx = s.write(AuditActor::system("test")).await.expect("tx");
        let (t, plain) = s
            .create_api_token(&mut tx, &bscope, bank, "核心系统", None)
            .await
            .expect("token");
        tx.commit().await.expect("commit");
        assert!(plain.starts_with("ipfin_"));
        let resolved = s.token_org(&plain).await.expect("x").expect("valid");
        assert_eq!(resolved.scope(), bscope);
        let mut tx = s.write(AuditActor::system("test")).await.expect("tx");
        let r = s
            .revoke_api_token(
                &mut tx,
                &Scope::Institution {
                    org_id: ipfin_domain::id::OrgId::new(bank2),
                },
                t.id,
            )
            .await;
        assert!(matches!(r, Err(StoreError::NotFound)), "{}: {r:?}", db.name);
        drop(tx);
        let mut tx = s.write(AuditActor::system("test")).await.expect("tx");
        s.revoke_api_token(&mut tx, &bscope, t.id)
            .await
            .expect("revoke");
        tx.commit().await.expect("commit");
        assert!(s.token_org(&plain).await.expect("x").is_none());
        db.cleanup().await;
    }
}

#[tokio::test]
async fn invalid_organisations_are_refused_with_the_field_named() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let cases = [
            (
                NewOrganisation {
                    kind: "financial_institution".into(),
                    name: "无类别银行".into(),
                    ..Default::default()
                },
                "institution_type",
            ),
            (
                NewOrganisation {
                    kind: "enterprise".into(),
                    name: "无代码企业".into(),
                    district_code: Some("440305".into()),
                    ..Default::default()
                },
                "credit_code",
            ),
            (
                NewOrganisation {
                    kind: "department".into(),
                    name: "  ".into(),
                    district_code: Some("440305".into()),
                    ..Default::default()
                },
                "name",
            ),
            (
                NewOrganisation {
                    kind: "department".into(),
                    name: "无辖区部门".into(),
                    district_code: Some("999999".into()),
                    ..Default::default()
                },
                "district_code",
            ),
            (
                NewOrganisation {
                    kind: "planet".into(),
                    name: "x".into(),
                    ..Default::default()
                },
                "kind",
            ),
        ];
        let before = s.audit_count().await.expect("count");
        for (n, field) in cases {
            let mut tx = s.write(AuditActor::system("test")).await.expect("tx");
            match s.create_organisation(&mut tx, &Scope::City, n).await {
                Err(StoreError::Invalid(e)) => assert_eq!(e.field, field, "{}", db.name),
                other => panic!("{}: expected invalid {field}, got {other:?}", db.name),
            }
        }
        assert_eq!(
            s.audit_count().await.expect("count"),
            before,
            "{}: nothing stored",
            db.name
        );
        // A lower-case credit code is normalised before it is stored.
        let mut tx = s.write(AuditActor::system("test")).await.expect("tx");
        let o = s
            .create_organisation(
                &mut tx,
                &Scope::City,
                NewOrganisation {
                    kind: "enterprise".into(),
                    name: "小写代码企业".into(),
                    district_code: Some("440305".into()),
                    // Parsed (and normalised) at the edge.
                    credit_code: Some(
                        ipfin_domain::CreditCode::parse(" 9144030071526726xg ").expect("valid"),
                    ),
                    ..Default::default()
                },
            )
            .await
            .expect("create");
        tx.commit().await.expect("commit");
        assert_eq!(o.credit_code.as_deref(), Some("9144030071526726XG"));
        assert_eq!(o.kind(), OrgKind::Enterprise);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_write_without_audit_cannot_commit() {
    for db in TestDb::all().await {
        let s = &db.store;
        let tx = s.write(AuditActor::system("test")).await.expect("tx");
        ipfin_store::db::exec(
            tx.conn(),
            "INSERT INTO settings (key, value) VALUES ('x', 'y')",
            vec![],
        )
        .await
        .expect("insert");
        assert!(tx.commit().await.is_err());
        assert_eq!(
            ipfin_store::db::fetch_i64(
                s.conn(),
                "SELECT COUNT(*) FROM settings WHERE key = 'x'",
                vec![]
            )
            .await
            .expect("n"),
            0
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn tampering_with_an_audit_row_is_detected() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let n = s.audit_count().await.expect("count");
        assert_eq!(
            s.audit_verify().await.expect("verify"),
            Verification::Intact { events: n }
        );
        // Someone in full control of the database removes the append-only guards first.
        ipfin_store::testing::drop_audit_guards(s).await;
        ipfin_store::db::exec(
            s.conn(),
            "UPDATE audit_events SET data = REPLACE(data, '\"after\"', '\"later\"') WHERE seq = 20",
            vec![],
        )
        .await
        .expect("tamper");
        assert_eq!(
            s.audit_verify().await.expect("verify"),
            Verification::Broken(ipfin_domain::audit::ChainBreak::Altered { seq: 20 }),
            "{}",
            db.name
        );
        // Deleting an event is detected as a gap.
        ipfin_store::db::exec(s.conn(), "DELETE FROM audit_events WHERE seq = 10", vec![])
            .await
            .expect("delete");
        assert!(matches!(
            s.audit_verify().await.expect("verify"),
            Verification::Broken(ipfin_domain::audit::ChainBreak::Missing {
                expected_seq: 10,
                ..
            })
        ));
        db.cleanup().await;
    }
}

#[tokio::test]
async fn concurrent_writers_keep_the_chain_linear() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = db.store.clone();
        let mut handles = Vec::new();
        for i in 0..16 {
            let s = s.clone();
            handles.push(tokio::spawn(async move {
                let mut tx = s.write(AuditActor::system("test")).await.expect("tx");
                tx.audit("test.concurrent", "test", i, serde_json::json!({"i": i}))
                    .await
                    .expect("audit");
                tx.commit().await.expect("commit");
            }));
        }
        for h in handles {
            h.await.expect("join");
        }
        let n = s.audit_count().await.expect("count");
        assert_eq!(
            s.audit_verify().await.expect("verify"),
            Verification::Intact { events: n },
            "{}",
            db.name
        );
        db.cleanup().await;
    }
}
