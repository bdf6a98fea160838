//! Screening (issue #20 item 2) on SQLite and (when configured) PostgreSQL: profiles derived
//! from the records (IP in force, pledges, the enterprise's figures; unknown facts missing),
//! a hand-computed score, the districts' versioned models with who may save them, bad weights
//! refused whole with nothing stored, the preview of a change, and the push's `screened` list.

use ipfin_domain::Scope;
use ipfin_domain::screening::{Band, Factor, Model, Score};
use ipfin_store::audit::AuditActor;
use ipfin_store::db::{exec, fetch_i64};
use ipfin_store::testing::TestDb;
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

fn nanshan(manage: bool) -> Scope {
    Scope::District {
        code: "440305".into(),
        manage,
    }
}

fn pairs(m: &Model) -> Vec<(Factor, i64)> {
    Factor::ALL
        .iter()
        .map(|f| (*f, i64::from(m.weight(*f))))
        .collect()
}

async fn officer(s: &Store) -> AuditActor {
    AuditActor::user(
        fetch_i64(
            s.conn(),
            "SELECT id FROM users WHERE username = 'ns.officer'",
            vec![],
        )
        .await
        .expect("officer"),
        "ns.officer",
    )
}

/// A Nanshan enterprise with known figures, no IP and no pledge.
async fn add_known(s: &Store) -> i64 {
    exec(
        s.conn(),
        "INSERT INTO enterprises (credit_code, name, registered_district, independent_legal_person, operating_revenue_fen, \
         prev_revenue_fen, rd_expense_fen, financing_need, abnormal_operation, dishonest, size_class, created_at, updated_at) \
         VALUES ('91440305MA5TEST01X', '深圳市筛选测试科技有限公司', '440305', ?, ?, ?, ?, ?, ?, ?, 'small', 0, 0)",
        vec![
            true.into(),
            3_000_000_000i64.into(),
            2_000_000_000i64.into(),
            200_000_000i64.into(),
            true.into(),
            false.into(),
            false.into(),
        ],
    )
    .await
    .expect("insert");
    fetch_i64(
        s.conn(),
        "SELECT id FROM enterprises WHERE credit_code = '91440305MA5TEST01X'",
        vec![],
    )
    .await
    .expect("id")
}

#[tokio::test]
async fn scores_models_preview_and_the_screened_list() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let today = ipfin_store::today_shanghai();
        let known = add_known(s).await;
        let report = s.refresh_screening(today).await.expect("refresh");
        let with_district = fetch_i64(
            s.conn(),
            "SELECT CAST(COUNT(*) AS BIGINT) FROM enterprises WHERE registered_district IS NOT NULL",
            vec![],
        )
        .await
        .expect("count");
        assert_eq!(report.enterprises, with_district, "{}", db.name);
        assert!(s.screening_refreshed().await.expect("refreshed").is_some());

        // No saved model: the default, version 0.
        let saved = s
            .screening_model(&nanshan(false), Some("440305"))
            .await
            .expect("model");
        assert_eq!((saved.version, saved.id), (0, None));
        let m = Model::default_model();
        assert_eq!(saved.model, m);

        // Revenue 3,000万 (level 2 of 3), growth 50% (3/3), R&D 6.7% (3/3), no pledge, a
        // declared need, clean records, small: 10 + 8·2/3 + 8 + 10 + 10 + 4 + 4 + 4 = 55⅓;
        // the IP factors are known zeros.
        let p = s
            .screening_profile_of(&nanshan(false), known)
            .await
            .expect("profile")
            .expect("has one");
        assert_eq!(m.score(p), Score(664), "{}", db.name);
        assert_eq!(m.score(p).display(), "55.3");
        let ex = m.explain(p);
        assert_eq!(ex[0].level, Some(0));
        assert_eq!(
            ex[5].text(ipfin_domain::Lang::Zh),
            "营业收入：2000 万–1 亿元，5.3 / 8 分"
        );
        // Another district does not see it.
        let futian = Scope::District {
            code: "440304".into(),
            manage: true,
        };
        assert_eq!(
            s.screening_profile_of(&futian, known)
                .await
                .expect("futian"),
            None
        );

        // Unknown facts are missing, not zero: 华科智能 has no R&D or last year's revenue.
        let huake = fetch_i64(
            s.conn(),
            "SELECT id FROM enterprises WHERE name = '深圳华科智能装备股份有限公司'",
            vec![],
        )
        .await
        .expect("huake");
        let hp = s
            .screening_profile_of(&nanshan(false), huake)
            .await
            .expect("p")
            .expect("has one");
        let hx = m.explain(hp);
        assert_eq!((hx[4].level, hx[6].level, hx[9].level), (None, None, None));
        assert!(hx[4].text(ipfin_domain::Lang::Zh).contains("缺失"));

        let all = s
            .score_district(
                &nanshan(false),
                Some("440305"),
                &m,
                Page::new(Some(1), Some(200)),
            )
            .await
            .expect("score");
        let in_district = fetch_i64(
            s.conn(),
            "SELECT CAST(COUNT(*) AS BIGINT) FROM enterprises WHERE registered_district = '440305'",
            vec![],
        )
        .await
        .expect("n") as u64;
        assert_eq!(all.enterprises, in_district);
        assert_eq!(
            all.distribution.iter().map(|d| d.1).sum::<u64>(),
            in_district
        );
        assert_eq!(all.list.total, all.passing);
        assert!(all.list.items.iter().any(|e| e.enterprise_id == known));
        assert!(all.list.items.windows(2).all(|w| w[0].score >= w[1].score));
        assert!(all.list.items.iter().all(|e| e.band != Band::Below));
        // Paging walks the same order.
        let second = s
            .score_district(
                &nanshan(false),
                Some("440305"),
                &m,
                Page::new(Some(2), Some(1)),
            )
            .await
            .expect("page 2");
        if all.list.items.len() > 1 {
            assert_eq!(
                second.list.items[0].enterprise_id,
                all.list.items[1].enterprise_id
            );
        }
        // The city reads every district and the city as a whole; a district not the city.
        let city = s
            .score_district(&Scope::City, None, &m, Page::default())
            .await
            .expect("city");
        assert_eq!(city.enterprises as i64, with_district);
        assert!(matches!(
            s.score_district(&nanshan(true), None, &m, Page::default())
                .await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            s.score_district(&futian, Some("440305"), &m, Page::default())
                .await,
            Err(StoreError::NotFound)
        ));

        // Bad weights: every problem beside its field, nothing stored.
        let officer = officer(s).await;
        let before = s.audit_count().await.expect("audit");
        let mut bad = pairs(&m);
        bad[0].1 = -3;
        let e = write!(s, officer.clone(), |tx| s.save_screening_model(
            &mut tx,
            &nanshan(true),
            Some("440305"),
            &bad,
            40,
            None
        ))
        .expect_err("negative");
        match e {
            StoreError::Invalid(f) => {
                assert_eq!(f.field, "weights.invention_patents");
                assert!(f.msg.zh.contains("不能为负数"));
            }
            other => panic!("{other:?}"),
        }
        let zero: Vec<(Factor, i64)> = Factor::ALL.iter().map(|f| (*f, 0)).collect();
        let e = write!(s, officer.clone(), |tx| s.save_screening_model(
            &mut tx,
            &nanshan(true),
            Some("440305"),
            &zero,
            0,
            None
        ))
        .expect_err("all zero");
        assert!(format!("{e:?}").contains("weights_all_zero"), "{e:?}");
        // A member department, another district and a token may not save.
        let e = write!(s, officer.clone(), |tx| s.save_screening_model(
            &mut tx,
            &nanshan(false),
            Some("440305"),
            &pairs(&m),
            40,
            None
        ))
        .expect_err("member");
        assert!(matches!(e, StoreError::Forbidden(_)), "{e:?}");
        let e = write!(s, officer.clone(), |tx| s.save_screening_model(
            &mut tx,
            &futian,
            Some("440305"),
            &pairs(&m),
            40,
            None
        ))
        .expect_err("futian");
        assert!(matches!(e, StoreError::NotFound), "{e:?}");
        let e = write!(s, AuditActor::token(1), |tx| s.save_screening_model(
            &mut tx,
            &nanshan(true),
            Some("440305"),
            &pairs(&m),
            40,
            None
        ))
        .expect_err("token");
        assert!(matches!(e, StoreError::Forbidden(_)), "{e:?}");
        assert_eq!(s.audit_count().await.expect("audit"), before);
        assert!(
            s.screening_models(&nanshan(false), Some("440305"))
                .await
                .expect("history")
                .is_empty()
        );

        // A preview of a lower threshold: who enters, nobody leaves; nothing is saved.
        let mut lower = m.clone();
        lower.threshold = 5;
        let pv = s
            .preview_screening(&nanshan(false), Some("440305"), &lower, Page::default())
            .await
            .expect("preview");
        assert_eq!(pv.shift.before, all.passing);
        assert_eq!(pv.shift.leaving, 0);
        assert_eq!(pv.shift.after, pv.shift.before + pv.shift.entering);
        assert_eq!(pv.entering.total, pv.shift.entering);
        assert!(pv.entering.items.iter().all(|e| e.score < Score(40 * 12)));

        // Saving makes versions 1 and 2, with who saved them.
        let v1 = write!(s, officer.clone(), |tx| s.save_screening_model(
            &mut tx,
            &nanshan(true),
            Some("440305"),
            &pairs(&lower),
            5,
            Some("降低分数线，扩大筛选范围")
        ))
        .expect("v1");
        assert_eq!(v1.version, 1);
        let mut strict = m.clone();
        strict.threshold = 55;
        let v2 = write!(s, officer.clone(), |tx| s.save_screening_model(
            &mut tx,
            &nanshan(true),
            Some("440305"),
            &pairs(&strict),
            55,
            None
        ))
        .expect("v2");
        assert_eq!(v2.version, 2);
        let history = s
            .screening_models(&nanshan(false), Some("440305"))
            .await
            .expect("history");
        assert_eq!(
            history.iter().map(|h| h.version).collect::<Vec<_>>(),
            vec![2, 1]
        );
        assert!(history[1].saved_by.is_some());
        assert_eq!(history[1].note.as_deref(), Some("降低分数线，扩大筛选范围"));
        // The city's own model is separate; only the city saves it.
        assert_eq!(
            s.screening_model(&Scope::City, None)
                .await
                .expect("city")
                .version,
            0
        );

        // The push's list: at or above the saved model (version 2)'s threshold.
        let (version, list) = s
            .screened(&nanshan(false), "440305", Page::new(Some(1), Some(200)))
            .await
            .expect("screened");
        assert_eq!(version, 2);
        assert!(list.items.iter().any(|e| e.enterprise_id == known));
        assert!(list.items.iter().all(|e| e.score >= Score(55 * 12)));
        assert!(matches!(
            s.screened(&futian, "440305", Page::default()).await,
            Err(StoreError::NotFound)
        ));

        // A pledge registered today takes the pledge factor away at the next refresh.
        let bank = fetch_i64(
            s.conn(),
            "SELECT id FROM organisations WHERE kind = 'financial_institution' ORDER BY id LIMIT 1",
            vec![],
        )
        .await
        .expect("bank");
        exec(
            s.conn(),
            "INSERT INTO pledge_registrations (number, pledgee_org_id, pledgor_enterprise_id, secured_amount_fen, registration_date, \
             created_at, updated_at) VALUES ('Y2026980099999', ?, ?, 100, ?, 0, 0)",
            vec![bank.into(), known.into(), today.into()],
        )
        .await
        .expect("pledge");
        s.refresh_screening(today).await.expect("refresh");
        let p = s
            .screening_profile_of(&nanshan(false), known)
            .await
            .expect("p")
            .expect("one");
        assert_eq!(p.level(Factor::NoIpPledge), Some(0));
        // Each refresh wrote a generation beside the one in force; only the newest is kept.
        let generations = fetch_i64(
            s.conn(),
            "SELECT CAST(COUNT(DISTINCT generation) AS BIGINT) FROM screening_facts",
            vec![],
        )
        .await
        .expect("generations");
        assert_eq!(generations, 1, "{}", db.name);
        assert_eq!(m.score(p), Score(664 - 120));
        db.cleanup().await;
    }
}

/// The profiles as the table holds them: (district, profile, enterprises), sorted.
async fn profile_counts(s: &Store) -> Vec<(String, i64, i64)> {
    #[derive(sea_orm::FromQueryResult)]
    struct P {
        district_code: String,
        profile: i64,
        enterprises: i64,
    }
    let g = s
        .screening_refreshed()
        .await
        .expect("r")
        .expect("in force")
        .id;
    let mut v: Vec<(String, i64, i64)> = ipfin_store::db::fetch_all::<P, _>(
        s.conn(),
        "SELECT district_code, profile, enterprises FROM screening_profiles WHERE generation = ?",
        vec![g.into()],
    )
    .await
    .expect("profiles")
    .into_iter()
    .map(|p| (p.district_code, p.profile, p.enterprises))
    .collect();
    v.sort();
    v
}

/// Issue #20, the incremental refresh: changes made through the forms (an IP asset added, a
/// size decided) and a new enterprise are recorded as changes; refreshing only them gives the
/// very same district counts and profiles as a full refresh would, the changes are consumed,
/// and nothing is applied while a full refresh is running.
#[tokio::test]
async fn refreshing_only_the_changed_enterprises_gives_what_a_full_refresh_gives() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let today = ipfin_store::today_shanghai();
        s.refresh_screening(today).await.expect("refresh");
        assert_eq!(s.screening_changes_pending().await.expect("pending"), 0);
        let target = fetch_i64(
            s.conn(),
            "SELECT MIN(id) FROM enterprises WHERE registered_district = '440305'",
            vec![],
        )
        .await
        .expect("enterprise");
        let before = s
            .screening_profile_of(&nanshan(false), target)
            .await
            .expect("profile")
            .expect("one");
        let officer = officer(s).await;
        write!(s, officer.clone(), |tx| s.add_ip_asset(
            &mut tx,
            &nanshan(true),
            target,
            ipfin_store::enterprise::IpInput {
                kind: "patent".into(),
                number: "202410999888.8".into(),
                title: "增量刷新测试发明".into(),
                legal_status: "valid".into(),
                grant_date: Some(today),
                nice_class: None,
            }
        ))
        .expect("asset");
        write!(s, officer.clone(), |tx| s.override_size(
            &mut tx,
            &nanshan(true),
            target,
            Some(ipfin_domain::size::SizeClass::Micro),
            "测试：按最新年报认定"
        ))
        .expect("size");
        let known = add_known(s).await;
        exec(
            s.conn(),
            "INSERT INTO screening_changes (enterprise_id) VALUES (?)",
            vec![known.into()],
        )
        .await
        .expect("marked as an import would");
        assert_eq!(s.screening_changes_pending().await.expect("pending"), 3);

        // While a full refresh runs, the changes wait.
        exec(
            s.conn(),
            "INSERT INTO screening_refreshes (as_of, enterprises, millis, refreshed_at) VALUES (?, 0, 0, ?)",
            vec![today.into(), (ipfin_store::now_s()).into()],
        )
        .await
        .expect("a refresh running");
        assert_eq!(s.refresh_screening_changes().await.expect("waits"), 0);
        assert_eq!(s.screening_changes_pending().await.expect("pending"), 3);
        exec(
            s.conn(),
            "DELETE FROM screening_refreshes WHERE finished_at IS NULL",
            vec![],
        )
        .await
        .expect("it ended");

        assert_eq!(
            s.refresh_screening_changes().await.expect("changes"),
            2,
            "{}",
            db.name
        );
        assert_eq!(s.screening_changes_pending().await.expect("pending"), 0);
        let after = s
            .screening_profile_of(&nanshan(false), target)
            .await
            .expect("profile")
            .expect("one");
        assert_ne!(before, after, "the new invention and the size count");
        assert!(
            s.screening_profile_of(&nanshan(false), known)
                .await
                .expect("profile")
                .is_some()
        );
        let incremental = profile_counts(s).await;
        let in_force = s.screening_refreshed().await.expect("r").expect("in force");
        s.refresh_screening(today).await.expect("full");
        assert_eq!(incremental, profile_counts(s).await, "{}", db.name);
        let full = s.screening_refreshed().await.expect("r").expect("in force");
        assert_eq!(in_force.enterprises, full.enterprises);
    }
}
