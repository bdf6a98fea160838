//! Service stations (issue #21, R3.1) on SQLite and (when configured) PostgreSQL: the demo's
//! stations and cases; a specialist sees only their station's cases and the enterprises of those
//! cases; bad input (a visit before the case opened, a step done without its linked record, an
//! application prepared without consent, a booking outside the station's service area) is
//! refused with nothing stored; a booking becomes a case; the figures per station.

use chrono::Days;
use ipfin_domain::Scope;
use ipfin_domain::id::OrgId;
use ipfin_domain::station::{
    Activity, Booking, BookingFields, Step, StepFields, StepUpdate, VisitFields,
};
use ipfin_store::audit::AuditActor;
use ipfin_store::db::fetch_i64;
use ipfin_store::station::CaseFilter;
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

async fn id(s: &Store, sql: &str, name: &str) -> i64 {
    fetch_i64(s.conn(), sql, vec![name.to_string().into()])
        .await
        .expect(name)
}

async fn person(s: &Store, username: &str) -> AuditActor {
    AuditActor::user(
        id(s, "SELECT id FROM users WHERE username = ?", username).await,
        username,
    )
}

async fn agency(s: &Store, name: &str) -> Scope {
    Scope::Agency {
        org_id: OrgId::new(id(s, "SELECT id FROM organisations WHERE name = ?", name).await),
    }
}

fn code(e: &StoreError) -> String {
    match e {
        StoreError::Invalid(f) => f.msg.code.to_string(),
        StoreError::Problems(p) => p
            .iter()
            .map(|p| p.path.clone())
            .collect::<Vec<_>>()
            .join(","),
        StoreError::Conflict(m) | StoreError::Forbidden(m) => m.code.to_string(),
        other => format!("{other:?}"),
    }
}

#[tokio::test]
async fn a_specialist_sees_their_station_only_and_bad_input_changes_nothing() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let n = db.name;
        let today = ipfin_store::today_shanghai();
        let ns = agency(s, "南山知识产权金融服务站").await;
        let ft = agency(s, "福田知识产权金融服务站").await;
        let mine = s
            .service_cases(&ns, CaseFilter::default(), today, Page::default())
            .await
            .expect("cases");
        assert_eq!(mine.total, 5, "{n}");
        let theirs = s
            .service_cases(&ft, CaseFilter::default(), today, Page::default())
            .await
            .expect("cases");
        assert_eq!(theirs.total, 2, "{n}");
        // Station A cannot open station B's case, nor B's enterprise.
        let b_case = theirs.items[0].id;
        let b_ent = theirs.items[0].enterprise_id;
        assert!(matches!(
            s.service_case(&ns, b_case, today).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            s.enterprise(&ns, b_ent).await,
            Err(StoreError::NotFound)
        ));
        assert!(s.enterprise(&ft, b_ent).await.is_ok(), "{n}");
        // A bank and another enterprise see no case.
        let bank = Scope::Institution {
            org_id: OrgId::new(
                id(
                    s,
                    "SELECT id FROM organisations WHERE name = ?",
                    "深南银行深圳分行",
                )
                .await,
            ),
        };
        assert!(matches!(
            s.service_case(&bank, b_case, today).await,
            Err(StoreError::NotFound)
        ));

        // Bad input on A's open case: nothing stored.
        let case = mine
            .items
            .iter()
            .find(|c| c.enterprise_name == "深圳市鹏华光电科技有限公司")
            .expect("case");
        let actor = person(s, "agency.specialist").await;
        let audit_before = fetch_i64(s.conn(), "SELECT COUNT(*) FROM audit_events", vec![])
            .await
            .expect("count");
        let r = write!(s, actor.clone(), |tx| s.add_visit(
            &mut tx,
            &ns,
            case.id,
            &VisitFields {
                step: None,
                visited_on: Some(case.opened_on - Days::new(1)),
                place: "企业".into(),
                visitors: "专员".into(),
                what: "走访".into(),
            },
            today
        ));
        assert_eq!(
            code(&r.expect_err("before open")),
            "station.visit_before_open",
            "{n}"
        );
        let u = StepUpdate::check(
            Step::Valuation,
            &StepFields {
                status: "in_progress".into(),
                responsible: "专员".into(),
                linked_id: Some(999_999),
                ..Default::default()
            },
            case.opened_on,
            today,
        )
        .expect("valid");
        let r = write!(s, actor.clone(), |tx| s
            .update_step(&mut tx, &ns, case.id, &u, today));
        assert_eq!(
            code(&r.expect_err("unknown link")),
            "station.link_unknown",
            "{n}"
        );
        let r = write!(s, actor.clone(), |tx| s.prepare_application(
            &mut tx,
            &ns,
            case.id,
            1,
            vec![],
            today
        ));
        assert_eq!(
            code(&r.expect_err("no consent")),
            "station.consent_required",
            "{n}"
        );
        // Station A cannot write to B's case.
        let r = write!(s, actor.clone(), |tx| s.add_trip(
            &mut tx,
            &ns,
            b_case,
            Some(today),
            "窗口",
            "核验",
            today
        ));
        assert!(matches!(r, Err(StoreError::NotFound)), "{n}");
        let b = Booking::check(
            &BookingFields {
                station_id: Some(1),
                enterprise_name: "某龙岗企业".into(),
                credit_code: "9144030071526726XG".into(),
                contact_name: "李".into(),
                contact_phone: "13800138000".into(),
                district: "440307".into(),
                need: String::new(),
            },
            |_| true,
        )
        .expect("valid");
        let station = s.own_station(&ns).await.expect("read").expect("a station");
        let r = write!(s, AuditActor::system("test"), |tx| s.request_booking(
            &mut tx,
            &Scope::Public,
            station.id,
            &b
        ));
        assert_eq!(
            code(&r.expect_err("not served")),
            "station.not_served",
            "{n}"
        );
        let audit_after = fetch_i64(s.conn(), "SELECT COUNT(*) FROM audit_events", vec![])
            .await
            .expect("count");
        assert_eq!(audit_before, audit_after, "{n}");

        // A booking in the service area becomes a case (the enterprise registered on the way).
        let b = Booking {
            district: "440306".into(),
            ..b
        };
        let booking = write!(s, AuditActor::system("test"), |tx| s.request_booking(
            &mut tx,
            &Scope::Public,
            station.id,
            &b
        ))
        .expect("booked");
        let case_id = write!(s, actor.clone(), |tx| s
            .accept_booking(&mut tx, &ns, booking, today))
        .expect("accepted");
        let d = s.service_case(&ns, case_id, today).await.expect("case");
        assert_eq!(d.steps.len(), 6);
        assert_eq!(d.case.enterprise_name, "某龙岗企业");
        // Twice is a conflict.
        let r = write!(s, actor.clone(), |tx| s
            .accept_booking(&mut tx, &ns, booking, today));
        assert_eq!(
            code(&r.expect_err("decided")),
            "station.booking_decided",
            "{n}"
        );

        // The district's figures: every station has cases; zero-trip share per station.
        let district = Scope::District {
            code: "440305".into(),
            manage: false,
        };
        let facts = s.case_facts(&district, None).await.expect("facts");
        let a = Activity::of(facts.iter().map(|(_, f)| f), today - Days::new(365), today)
            .expect("fits");
        assert_eq!(a.opened, 6, "{n}");
        assert_eq!((a.completed, a.zero_trip), (2, 1), "{n}");
        let city = s.case_facts(&Scope::City, None).await.expect("facts");
        assert_eq!(city.len(), 9, "{n}");
        db.cleanup().await;
    }
}

#[tokio::test]
async fn the_demo_cases_past_registration_obtain_real_loans_linked_to_their_steps() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let n = db.name;
        let lead = |code: &str| Scope::District {
            code: code.to_string(),
            manage: true,
        };
        // The tests' demo counts no loans: the linked steps were "not needed".
        let loan_fen = async |district: &str| {
            s.case_facts(&lead(district), Some(district))
                .await
                .expect("facts")
                .iter()
                .map(|(_, f)| f.loan_fen.get())
                .sum::<i64>()
        };
        assert_eq!(loan_fen("440305").await, 0, "{n}");
        assert!(s.seed_demo_case_loans().await.expect("seed"), "{n}");
        assert!(!s.seed_demo_case_loans().await.expect("once"), "{n}: once");
        // 南山's two cases and 福田's one, 3,000,000.00 each, through the bank's own records.
        assert_eq!(loan_fen("440305").await, 600_000_000, "{n}");
        assert_eq!(loan_fen("440304").await, 300_000_000, "{n}");
        let linked = fetch_i64(
            s.conn(),
            "SELECT COUNT(*) FROM case_steps cs JOIN service_cases sc ON sc.id = cs.case_id \
             WHERE cs.status = 'done' AND cs.linked_id IS NOT NULL AND ( \
               (cs.step = 'valuation' AND EXISTS (SELECT 1 FROM financing_contracts fc JOIN loans l ON l.id = fc.loan_id \
                 WHERE fc.id = cs.linked_id AND fc.kind = 'valuation' AND l.enterprise_id = sc.enterprise_id)) \
               OR (cs.step = 'registration' AND EXISTS (SELECT 1 FROM pledge_registrations p \
                 WHERE p.id = cs.linked_id AND p.pledgor_enterprise_id = sc.enterprise_id)))",
            vec![],
        )
        .await
        .expect("linked");
        assert_eq!(
            linked, 6,
            "{n}: valuation and registration of three cases, each the enterprise's own record"
        );
        let bank = Scope::Institution {
            org_id: OrgId::new(
                id(
                    s,
                    "SELECT id FROM organisations WHERE name = ?",
                    "深圳前海农商银行（演示）",
                )
                .await,
            ),
        };
        let loans = s
            .loans(
                &bank,
                &ipfin_store::financing::LoanFilter::default(),
                Page::default(),
            )
            .await
            .expect("loans");
        assert_eq!(loans.total, 3, "{n}: the bank reported them");
    }
}
