//! Stored values the program cannot read (issue #16 item 4), on SQLite and (when configured)
//! PostgreSQL: an unknown code in a stored row, or a stored document that does not parse, fails
//! the read with an internal error instead of becoming a default; a unique-key violation is
//! recognised by the database's error code and becomes a conflict.

use ipfin_domain::Scope;
use ipfin_store::db::{exec, fetch_i64};
use ipfin_store::supervision::TaskFilter;
use ipfin_store::testing::TestDb;
use ipfin_store::{Page, StoreError};

fn ns() -> Scope {
    Scope::District {
        code: "440305".into(),
        manage: true,
    }
}

fn is_internal<T: std::fmt::Debug>(r: Result<T, StoreError>, what: &str, db: &str) {
    is_internal_with(r, "unknown stored code", what, db)
}

fn is_internal_with<T: std::fmt::Debug>(
    r: Result<T, StoreError>,
    text: &str,
    what: &str,
    db: &str,
) {
    match r {
        Err(StoreError::Internal(msg)) => assert!(msg.contains(text), "{db} {what}: {msg}"),
        other => panic!("{db} {what}: expected an internal error, got {other:?}"),
    }
}

#[tokio::test]
async fn an_unknown_stored_code_is_an_internal_error_not_a_default() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let today = ipfin_store::today_shanghai();

        // A rectification task whose status nobody knows.
        let task = fetch_i64(
            s.conn(),
            "SELECT MIN(id) FROM rectification_tasks WHERE district_code = '440305'",
            vec![],
        )
        .await
        .expect("a task");
        s.task(&ns(), task, today).await.expect("readable before");
        exec(
            s.conn(),
            "UPDATE rectification_tasks SET status = 'mislaid' WHERE id = ?",
            vec![task.into()],
        )
        .await
        .expect("write an unknown status");
        is_internal(s.task(&ns(), task, today).await, "task", db.name);
        is_internal(
            s.tasks(&ns(), &TaskFilter::default(), Page::default(), today)
                .await,
            "task list",
            db.name,
        );

        // An organisation of an unknown kind.
        let org = fetch_i64(
            s.conn(),
            "SELECT id FROM organisations WHERE name = ?",
            vec!["鹏城商业银行".into()],
        )
        .await
        .expect("org");
        s.organisation(&Scope::City, org)
            .await
            .expect("readable before");
        exec(
            s.conn(),
            "UPDATE organisations SET kind = 'guild' WHERE id = ?",
            vec![org.into()],
        )
        .await
        .expect("write an unknown kind");
        is_internal(
            s.organisation(&Scope::City, org).await,
            "organisation",
            db.name,
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn an_unreadable_stored_document_is_an_internal_error_not_an_empty_one() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;

        // A summary whose figures were damaged.
        let summary = fetch_i64(
            s.conn(),
            "SELECT MIN(id) FROM summaries WHERE revision IS NOT NULL",
            vec![],
        )
        .await
        .expect("a summary");
        s.summary(&Scope::City, summary)
            .await
            .expect("readable before");
        exec(
            s.conn(),
            "UPDATE summaries SET figures = '{\"loans\": ' WHERE id = ?",
            vec![summary.into()],
        )
        .await
        .expect("damage the figures");
        is_internal_with(
            s.summary(&Scope::City, summary).await,
            "unreadable stored document",
            "summary",
            db.name,
        );

        // A person's share of a target whose milestones are not a list of numbers.
        let user = fetch_i64(
            s.conn(),
            "SELECT MIN(u.id) FROM users u JOIN organisations o ON o.id = u.organisation_id \
             WHERE o.kind = 'department' AND o.district_code = '440305'",
            vec![],
        )
        .await
        .expect("a department user");
        exec(
            s.conn(),
            "INSERT INTO target_assignments (district_code, year, metric, user_id, share, milestones, note, set_by, set_at) \
             VALUES ('440305', 2026, 'amount', ?, 100, '[\"soon\"]', NULL, ?, 0)",
            vec![user.into(), user.into()],
        )
        .await
        .expect("write an unreadable milestone list");
        is_internal_with(
            s.assignments(&Scope::City, "440305", 2026).await,
            "unreadable stored document",
            "target assignments",
            db.name,
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_duplicate_key_is_a_conflict_by_error_code_and_other_failures_are_not() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let dup = || ipfin_domain::Msg::new("test.duplicate", "重复", "duplicate");
        // The same username again (unique index on users.username).
        let r = exec(
            s.conn(),
            "INSERT INTO users (organisation_id, username, display_name, password_hash, active, must_change_password, created_at) \
             SELECT organisation_id, username, display_name, password_hash, active, must_change_password, created_at \
             FROM users WHERE id = (SELECT MIN(id) FROM users)",
            vec![],
        )
        .await
        .map_err(|e| e.unique_as(dup()));
        match r {
            Err(StoreError::Conflict(m)) => assert_eq!(m.code, "test.duplicate", "{}", db.name),
            other => panic!("{}: expected a conflict, got {other:?}", db.name),
        }
        // The same primary key again.
        let r = exec(
            s.conn(),
            "INSERT INTO districts SELECT * FROM districts WHERE code = '440305'",
            vec![],
        )
        .await
        .map_err(|e| e.unique_as(dup()));
        assert!(
            matches!(r, Err(StoreError::Conflict(_))),
            "{}: {r:?}",
            db.name
        );
        // A foreign-key or not-null failure is not a duplicate, whatever its message says.
        let r = exec(
            s.conn(),
            "INSERT INTO users (organisation_id, username, display_name, password_hash, active, must_change_password, created_at) \
             VALUES (-1, 'unique.duplicate.key', 'x', 'x', TRUE, FALSE, 0)",
            vec![],
        )
        .await
        .map_err(|e| e.unique_as(dup()));
        assert!(matches!(r, Err(StoreError::Db(_))), "{}: {r:?}", db.name);
        let r = exec(
            s.conn(),
            "INSERT INTO users (organisation_id, username) VALUES (NULL, 'unique')",
            vec![],
        )
        .await
        .map_err(|e| e.unique_as(dup()));
        assert!(matches!(r, Err(StoreError::Db(_))), "{}: {r:?}", db.name);
        db.cleanup().await;
    }
}

/// An unknown role in `user_roles` (or an unknown organisation kind) never narrows a person's
/// rights silently: listing users, reading the user and resolving their session all fail with
/// an internal error that the log names. Stored target metrics likewise.
#[tokio::test]
async fn an_unknown_stored_role_or_metric_surfaces_instead_of_being_dropped() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let user = fetch_i64(
            s.conn(),
            "SELECT id FROM users WHERE username = 'ns.finance'",
            vec![],
        )
        .await
        .expect("user");
        let ipfin_store::auth::SignIn::Ok { token, .. } = s
            .sign_in("ns.finance", ipfin_store::testing::DEMO_PASSWORD, None)
            .await
            .expect("sign in")
        else {
            panic!("demo sign-in");
        };
        s.user(&Scope::City, user).await.expect("readable before");
        exec(
            s.conn(),
            "INSERT INTO user_roles (user_id, role) VALUES (?, 'overlord')",
            vec![user.into()],
        )
        .await
        .expect("write an unknown role");
        is_internal(s.user(&Scope::City, user).await, "user", db.name);
        is_internal(
            s.users(&Scope::City, None, Page::default()).await,
            "users",
            db.name,
        );
        is_internal(s.session_user(&token).await, "session", db.name);
        exec(
            s.conn(),
            "INSERT INTO district_targets (district_code, year, metric, value, set_at) VALUES ('440305', 2031, 'happiness', 1, 0)",
            vec![],
        )
        .await
        .expect("write an unknown metric");
        is_internal(s.target_map(&Scope::City, 2031).await, "targets", db.name);
        db.cleanup().await;
    }
}

/// An unknown item code in an application's stored item list (or in one of its stored item
/// rows) is an internal error that the log names: reading the application, listing the
/// applications and the simulator's inputs all fail, where the unknown item used to be skipped
/// silently (the application then looked as if it claimed fewer items, and the simulator
/// counted less than was granted).
#[tokio::test]
async fn an_unknown_stored_item_code_surfaces_instead_of_being_skipped() {
    use ipfin_domain::application::Kind;
    use ipfin_domain::policy::rules::Item;
    use ipfin_store::application::{ApplicationFilter, Body, NewApplication};
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let ent = Scope::Enterprise {
            org_id: ipfin_domain::id::OrgId::new(
                fetch_i64(
                    s.conn(),
                    "SELECT id FROM organisations WHERE name = ?",
                    vec!["深圳市南山示例科技有限公司".into()],
                )
                .await
                .expect("the demo enterprise"),
            ),
        };
        let policy = s
            .policy_versions(&Scope::City, Some("440305"))
            .await
            .expect("versions")
            .into_iter()
            .find(|v| v.status == "published")
            .expect("a published demo policy");
        let mut tx = s
            .write(ipfin_store::audit::AuditActor::system("test"))
            .await
            .expect("tx");
        let app = s
            .create_application(
                &mut tx,
                &ent,
                NewApplication {
                    kind: Kind::EnterpriseFee,
                    policy_version_id: policy.id,
                    batch: None,
                    items: vec![Item::Interest, Item::Evaluation],
                    body: Body::default(),
                },
                "2026-11-27".parse().expect("date"),
            )
            .await
            .expect("a draft");
        tx.commit().await.expect("commit");
        // A draft is the applicant's own: read it as the applicant.
        let detail = s.application(&ent, app).await.expect("readable before");
        let year = detail.row.policy_year;
        assert_eq!(
            detail.row.item_list(),
            vec![Item::Interest, Item::Evaluation],
            "{}",
            db.name
        );
        // As if accepted: in the simulator's inputs with what it was computed.
        exec(
            s.conn(),
            "UPDATE applications SET state = 'accepted' WHERE id = ?",
            vec![app.into()],
        )
        .await
        .expect("accepted");
        for (item, fen) in [("interest", 1_000_i64), ("evaluation", 500)] {
            exec(
                s.conn(),
                "INSERT INTO application_items (application_id, item, computed_fen) VALUES (?, ?, ?)",
                vec![app.into(), item.into(), fen.into()],
            )
            .await
            .expect("item row");
        }
        let past = s
            .simulation_inputs(&Scope::City, year)
            .await
            .expect("simulation inputs before");
        let mine = past.iter().find(|p| p.id == app).expect("among the inputs");
        assert_eq!(mine.current.len(), 2, "{}", db.name);

        // The applicant enterprise's stored size class unknown: the simulator refuses (it used
        // to count the enterprise as small).
        let class = "(SELECT enterprise_id FROM applications WHERE id = ?)";
        exec(
            s.conn(),
            &format!("UPDATE enterprises SET size_override = NULL, size_class = 'giant' WHERE id = {class}"),
            vec![app.into()],
        )
        .await
        .expect("write an unknown size class");
        is_internal(
            s.simulation_inputs(&Scope::City, year).await,
            "simulation inputs (size class)",
            db.name,
        );
        exec(
            s.conn(),
            &format!("UPDATE enterprises SET size_class = 'small' WHERE id = {class}"),
            vec![app.into()],
        )
        .await
        .expect("restore the size class");
        s.simulation_inputs(&Scope::City, year)
            .await
            .expect("simulation inputs again");

        // One stored item row with a code nobody knows: the simulator refuses.
        exec(
            s.conn(),
            "UPDATE application_items SET item = 'gratuity' WHERE application_id = ? AND item = 'evaluation'",
            vec![app.into()],
        )
        .await
        .expect("write an unknown item row");
        is_internal(
            s.simulation_inputs(&Scope::City, year).await,
            "simulation inputs",
            db.name,
        );

        // An unknown code among the application's items: the application and the list refuse.
        exec(
            s.conn(),
            "UPDATE applications SET items = 'interest,gratuity' WHERE id = ?",
            vec![app.into()],
        )
        .await
        .expect("write an unknown item");
        // (Accepted, as above: the city reads and lists it; the applicant reads it.)
        is_internal(
            s.application(&Scope::City, app).await,
            "application",
            db.name,
        );
        is_internal(
            s.applications(&Scope::City, &ApplicationFilter::default(), Page::default())
                .await,
            "application list",
            db.name,
        );
        is_internal(
            s.application(&ent, app).await,
            "the applicant's page",
            db.name,
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn an_unreadable_stored_loan_rate_kind_or_token_org_surfaces_instead_of_a_default() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let lender = fetch_i64(
            s.conn(),
            "SELECT id FROM organisations WHERE name = ?",
            vec!["深南银行深圳分行".into()],
        )
        .await
        .expect("lender");
        let lender = Scope::Institution {
            org_id: ipfin_domain::id::OrgId::new(lender),
        };
        let loan = ipfin_store::testing::fixtures::report_pledge_loan(
            s,
            &lender,
            "RATE-1",
            "Y2026980010001",
            "202310123456.6",
            0,
        )
        .await
        .expect("a reported loan");
        let before = s.loan(&Scope::City, loan).await.expect("readable before");
        let rate = before.loan.annual_rate.to_string();
        assert_eq!(before.terms().annual_rate, before.loan.annual_rate.value());
        // (column, unreadable value, what the error says)
        for (column, bad, says) in [
            ("annual_rate", "3.45%", "unreadable stored number"),
            ("ip_ratio", "sixty", "unreadable stored number"),
            ("ip_kinds", "patent,recipe", "unknown stored code"),
        ] {
            exec(
                s.conn(),
                &format!("UPDATE loans SET {column} = ? WHERE id = ?"),
                vec![bad.into(), loan.into()],
            )
            .await
            .expect("write an unreadable value");
            // The rate used to become 0 and the pledged share to vanish; an unknown kind was
            // skipped (and the application line fell back to a patent).
            is_internal_with(s.loan(&Scope::City, loan).await, says, column, db.name);
            let restore: (&str, sea_orm::Value) = match column {
                "annual_rate" => ("annual_rate", rate.clone().into()),
                "ip_ratio" => (
                    "ip_ratio",
                    before.loan.ip_ratio.as_deref().map(str::to_string).into(),
                ),
                _ => ("ip_kinds", before.loan.ip_kinds.to_string().into()),
            };
            exec(
                s.conn(),
                &format!("UPDATE loans SET {} = ? WHERE id = ?", restore.0),
                vec![restore.1, loan.into()],
            )
            .await
            .expect("restore");
            assert_eq!(
                s.loan(&Scope::City, loan)
                    .await
                    .expect("readable again")
                    .loan,
                before.loan,
                "{} {column}",
                db.name
            );
        }

        // A token of an organisation whose stored kind nobody knows: an internal error, not a
        // token that silently stops authenticating.
        let bank = fetch_i64(
            s.conn(),
            "SELECT id FROM organisations WHERE name = ?",
            vec!["鹏城商业银行".into()],
        )
        .await
        .expect("bank");
        let mut tx = s
            .write(ipfin_store::audit::AuditActor::system("test"))
            .await
            .expect("tx");
        let (_, secret) = s
            .create_api_token(&mut tx, &Scope::City, bank, "探测令牌", None)
            .await
            .expect("token");
        tx.commit().await.expect("commit");
        assert!(s.token_org(&secret).await.expect("token").is_some());
        exec(
            s.conn(),
            "UPDATE organisations SET kind = 'guild' WHERE id = ?",
            vec![bank.into()],
        )
        .await
        .expect("write an unknown kind");
        is_internal(s.token_org(&secret).await, "token", db.name);
        db.cleanup().await;
    }
}
