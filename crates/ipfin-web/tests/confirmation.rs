//! Four eyes through the real router (issue #18 item 3), on both databases: a notice and a
//! disbursement refused for one person and confirmed by a second; the preparer, the lead
//! department's API token, another district's officer and a member department cannot confirm;
//! a refusal changes nothing; a payment above the grant is refused when prepared; a budget
//! change shows its figures before and after; the officers' home counts what awaits them.

mod support;

use axum::http::Method;
use ipfin_domain::Scope;
use ipfin_store::audit::AuditActor;
use serde_json::json;
use support::{Session, TestApp};

/// Runs a store write as `actor` and commits it.
macro_rules! store_write {
    ($app:expr, $actor:expr, |$tx:ident| $body:expr) => {{
        let mut $tx = $app.store().write($actor).await.expect("tx");
        let out = $body.await.expect("store write");
        $tx.commit().await.expect("commit");
        out
    }};
}

fn d(s: &str) -> chrono::NaiveDate {
    s.parse().expect("date")
}

async fn as_user(app: &TestApp, username: &str) -> AuditActor {
    AuditActor::user(app.user_id(username).await, username)
}

fn nanshan() -> Scope {
    Scope::District {
        code: "440305".into(),
        manage: true,
    }
}

/// A person's JSON call with their session cookie.
async fn call(
    app: &TestApp,
    s: &Session,
    method: Method,
    path: &str,
    body: Option<serde_json::Value>,
) -> support::Resp {
    let mut b = axum::http::Request::builder()
        .method(method)
        .uri(path)
        .header("cookie", &s.cookie);
    let body = match body {
        Some(x) => {
            b = b.header("content-type", "application/json");
            axum::body::Body::from(x.to_string())
        }
        None => axum::body::Body::empty(),
    };
    app.send(b.body(body).expect("request")).await
}

/// A bank's reward application in Nanshan (1% of its loans: 50,000.00), reviewed at the three
/// stages by ns.officer, ns.checker and ns.approver.
async fn reviewed_application(app: &TestApp) -> i64 {
    let today = ipfin_store::today_shanghai();
    let bank = Scope::Institution {
        org_id: ipfin_domain::id::OrgId::new(app.org_id("深南银行深圳分行").await),
    };
    let loan = ipfin_store::financing::LoanInput {
        borrower_credit_code: ipfin_store::demo::demo_code("440305", 101),
        terms: ipfin_domain::financing::LoanTerms {
            contract_number: "2026-4E-0001".into(),
            principal_fen: ipfin_domain::Fen::new(500_000_000),
            annual_rate: rust_decimal::Decimal::new(345, 4),
            start: d("2026-03-05"),
            end: d("2027-03-04"),
            disbursements: vec![],
            other_collateral: false,
            ip_amount_fen: None,
            ip_ratio: None,
        },
        first_loan: true,
        status: None,
        pledges: vec![ipfin_store::financing::PledgeInput {
            terms: ipfin_domain::financing::PledgeTerms {
                number: "Y2026980030001".into(),
                secured_amount_fen: ipfin_domain::Fen::new(500_000_000),
                registration_date: d("2026-03-01"),
                cancellation_date: None,
            },
            items: vec![ipfin_store::financing::PledgeItemInput {
                kind: "patent".into(),
                number: "202310123456.6".into(),
                title: None,
                related_party: None,
            }],
        }],
    };
    let s = app.store();
    store_write!(app, AuditActor::system("bank"), |tx| s
        .save_loan(&mut tx, &bank, &loan));
    let policy = s
        .policy_versions(&Scope::City, Some("440305"))
        .await
        .expect("versions")
        .into_iter()
        .find(|v| v.status == "published")
        .expect("published")
        .id;
    let batch = s
        .policy_version(&Scope::City, policy)
        .await
        .expect("policy")
        .doc()
        .expect("doc")
        .batches
        .first()
        .expect("a batch")
        .clone();
    let on = batch.opens;
    let id: i64 = store_write!(app, AuditActor::system("bank"), |tx| s.create_application(
        &mut tx,
        &bank,
        ipfin_store::application::NewApplication {
            kind: ipfin_domain::application::Kind::Institution,
            policy_version_id: policy,
            batch: Some(batch.name.clone()),
            items: vec![],
            body: Default::default(),
        },
        on
    ));
    let detail = s.application(&bank, id).await.expect("detail");
    for slot in detail.slots.iter().filter(|x| x.required) {
        let bytes = axum::body::Bytes::from(format!("%PDF-1.7 {}", slot.code).into_bytes());
        store_write!(app, AuditActor::system("bank"), |tx| s.add_file(
            &mut tx,
            &bank,
            id,
            &slot.code,
            "scan.pdf",
            bytes.clone()
        ));
    }
    store_write!(app, AuditActor::system("bank"), |tx| s
        .submit_application(&mut tx, &bank, id, on));
    let lead = nanshan();
    store_write!(app, as_user(app, "ns.officer").await, |tx| s
        .accept_application(&mut tx, &lead, id, ""));
    for who in ["ns.officer", "ns.checker", "ns.approver"] {
        store_write!(app, as_user(app, who).await, |tx| s.pass_review(
            &mut tx,
            &lead,
            id,
            &[],
            ""
        ));
    }
    let _ = today;
    id
}

#[tokio::test]
async fn a_notice_and_a_disbursement_are_refused_for_one_person_and_confirmed_by_a_second() {
    for app in TestApp::all().await {
        let s = app.store();
        let id = reviewed_application(&app).await;
        let officer = app.login("ns.officer").await;
        let checker = app.login("ns.checker").await;

        // The notice through the API: prepared (202), not published until a second person
        // confirms; the preparer's confirmation is refused and changes nothing.
        let r = call(
            &app,
            &officer,
            Method::POST,
            "/api/v1/notices",
            Some(json!({"title": "银行奖励拟资助名单公示", "application_ids": [id]})),
        )
        .await;
        assert_eq!(r.status, 202, "{}: {}", app.name(), r.body);
        assert_eq!(r.json()["kind"], "notice.publish");
        assert!(
            r.json()["summary"]
                .as_str()
                .is_some_and(|t| t.contains("50,000.00")),
            "{}",
            r.body
        );
        let notice_request = r.json()["confirmation_id"].as_i64().expect("request");
        let before = app.audit_count().await;
        let r = call(
            &app,
            &officer,
            Method::POST,
            &format!("/api/v1/confirmations/{notice_request}/confirm"),
            None,
        )
        .await;
        assert_eq!(r.status, 409, "{}", r.body);
        assert_eq!(r.json()["code"], "confirmation.same_person");
        assert!(
            r.json()["message"]
                .as_str()
                .is_some_and(|m| m.contains("准备人不能确认")),
            "{}",
            r.body
        );
        assert_eq!(app.audit_count().await, before, "nothing changed");
        assert!(s.notices(Some("440305")).await.expect("notices").is_empty());
        let r = call(
            &app,
            &checker,
            Method::GET,
            &format!("/api/v1/confirmations/{notice_request}"),
            None,
        )
        .await;
        assert_eq!(
            r.json()["step"]["notice"]["total_fen"],
            5_000_000,
            "{}",
            r.body
        );
        assert_eq!(r.json()["may"], json!(["confirm", "refuse"]));
        let r = app.confirm_by_api(notice_request, "ns.checker").await;
        assert_eq!(r.status, 200, "{}", r.body);
        let notice = r.json()["result_id"].as_i64().expect("the notice");
        assert_eq!(
            app.get(&format!("/notices/{notice}"), None).await.status,
            200
        );
        s.end_due_notices(ipfin_store::today_shanghai() + chrono::Duration::days(30))
            .await
            .expect("end");

        // The disbursement on the page, by ns.payer (who did not review).
        let payer = app.login("ns.payer").await;
        let page = app.get(&format!("/applications/{id}"), Some(&payer)).await;
        assert!(page.body.contains("登记拨付") && page.body.contains("另一位经办人员"));
        let today = ipfin_store::today_shanghai().to_string();
        let requests = |app: &TestApp| {
            let s = app.store().clone();
            async move {
                ipfin_store::db::fetch_i64(s.conn(), "SELECT COUNT(*) FROM confirmations", vec![])
                    .await
                    .expect("count")
            }
        };
        let n = requests(&app).await;
        // Above the grant: refused when prepared, nothing recorded.
        let r = app
            .post_form(
                &format!("/applications/{id}/action"),
                Some(&payer),
                &[
                    ("action", "disburse"),
                    ("amount", "50000.01"),
                    ("date", &today),
                    ("reference", "GK-2026-0001"),
                ],
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(
            r.body.contains("累计不超过确定的资助额 50,000.00 元"),
            "{}",
            r.body
        );
        assert_eq!(requests(&app).await, n);
        let r = app
            .post_form(
                &format!("/applications/{id}/action"),
                Some(&payer),
                &[
                    ("action", "disburse"),
                    ("amount", "30000.00"),
                    ("date", &today),
                    ("reference", "GK-2026-0001"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let pay = support::confirmation_id(r.location());
        // The page says it awaits a second person and shows exactly what will happen.
        let page = app
            .get(&format!("/confirmations/{pay}?ok=prepared"), Some(&payer))
            .await;
        for text in [
            "等待本区牵头部门的另一位经办人员确认",
            "30,000.00",
            "50,000.00",
            "GK-2026-0001",
            "南山区拨付经办人（演示）",
        ] {
            assert!(page.body.contains(text), "{text}: {}", page.body);
        }
        assert!(
            !page.body.contains("value=\"confirm\""),
            "no confirm button for the preparer"
        );
        // The application shows the pending request and no second disbursement form.
        let page = app.get(&format!("/applications/{id}"), Some(&payer)).await;
        assert!(page.body.contains(&format!("/confirmations/{pay}")));
        assert!(!page.body.contains("name=\"action\" value=\"disburse\""));
        // The officers' home: the second person is told, the preparer is not.
        let cashier = app.login("ns.cashier").await;
        assert!(
            app.get("/home", Some(&cashier))
                .await
                .body
                .contains("待我确认的四眼事项 1"),
        );
        assert!(
            !app.get("/home", Some(&payer))
                .await
                .body
                .contains("待我确认的四眼事项"),
        );
        // The list shows it with its age.
        let list = app.get("/confirmations", Some(&cashier)).await;
        assert!(
            list.body.contains(&format!("/confirmations/{pay}"))
                && list.body.contains("0 天 0 小时"),
            "{}",
            list.body
        );

        let token = app.token("南山区市场监督管理局").await;
        let ft = app.login("ft.officer").await;
        let finance = app.login("ns.finance").await;
        let before = app.audit_count().await;
        // The preparer confirms: 409, stable code, nothing changed.
        let r = app
            .post_form(
                &format!("/confirmations/{pay}/decision"),
                Some(&payer),
                &[("action", "confirm"), ("confirm", "yes")],
            )
            .await;
        assert_eq!(r.status, 409, "{}", r.body);
        assert!(r.body.contains("准备人不能确认自己准备的事项"));
        // The lead department's API token: refused (tokens prepare, never confirm).
        let r = app
            .api(
                Method::POST,
                &format!("/api/v1/confirmations/{pay}/confirm"),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(r.status, 403, "{}", r.body);
        // The token reads it, though.
        let r = app
            .api(Method::GET, "/api/v1/confirmations", Some(&token), None)
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        // Another district's officer: not found.
        let r = app
            .post_form(
                &format!("/confirmations/{pay}/decision"),
                Some(&ft),
                &[("action", "confirm"), ("confirm", "yes")],
            )
            .await;
        assert_eq!(r.status, 404);
        assert_eq!(
            call(
                &app,
                &ft,
                Method::GET,
                &format!("/api/v1/confirmations/{pay}"),
                None
            )
            .await
            .status,
            404
        );
        // A member department of the district: refused.
        let r = app
            .post_form(
                &format!("/confirmations/{pay}/decision"),
                Some(&finance),
                &[("action", "confirm"), ("confirm", "yes")],
            )
            .await;
        assert_eq!(r.status, 403);
        // Confirming needs the tick; refusing needs a reason.
        let r = app
            .post_form(
                &format!("/confirmations/{pay}/decision"),
                Some(&cashier),
                &[("action", "confirm")],
            )
            .await;
        assert_eq!(r.status, 422);
        let r = app
            .post_form(
                &format!("/confirmations/{pay}/decision"),
                Some(&cashier),
                &[("action", "refuse"), ("reason", " ")],
            )
            .await;
        assert_eq!(r.status, 422);
        assert!(r.body.contains("退回须填写理由"), "{}", r.body);
        assert_eq!(
            app.audit_count().await,
            before,
            "{}: nothing changed",
            app.name()
        );

        // Refused by the second person: nothing paid.
        let r = app
            .post_form(
                &format!("/confirmations/{pay}/decision"),
                Some(&cashier),
                &[("action", "refuse"), ("reason", "金额应与国库支付单一致")],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let a = s.application(&nanshan(), id).await.expect("app");
        assert_eq!(
            (a.row.state.as_str(), a.row.disbursed_fen.get()),
            ("granted", 0)
        );

        // Prepared again through the API (202), then confirmed: a reviewer is refused by
        // separation of duties, the cashier pays.
        let r = call(
            &app,
            &payer,
            Method::POST,
            &format!("/api/v1/applications/{id}/actions"),
            Some(json!({"action": "disburse", "amount_fen": 5_000_000, "date": today, "reference": "GK-2026-0002"})),
        )
        .await;
        assert_eq!(r.status, 202, "{}", r.body);
        assert_eq!(r.json()["state"], "granted");
        let pay = r.json()["confirmation_id"].as_i64().expect("request");
        let r = call(
            &app,
            &cashier,
            Method::GET,
            "/api/v1/confirmations?status=pending&kind=grant.disburse",
            None,
        )
        .await;
        assert_eq!(r.json()["items"][0]["id"], pay, "{}", r.body);
        assert_eq!(
            r.json()["items"][0]["step"]["disbursement"]["amount_fen"],
            5_000_000
        );
        let r = call(
            &app,
            &cashier,
            Method::GET,
            "/api/v1/confirmations?status=later",
            None,
        )
        .await;
        assert_eq!(r.status, 422, "{}", r.body);
        let r = app.confirm_by_api(pay, "ns.approver").await;
        assert_eq!(r.status, 409, "{}", r.body);
        assert_eq!(r.json()["code"], "duty.separate");
        let r = app.confirm_by_api(pay, "ns.cashier").await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.json()["status"], "confirmed");
        let a = call(
            &app,
            &payer,
            Method::GET,
            &format!("/api/v1/applications/{id}"),
            None,
        )
        .await
        .json();
        assert_eq!(a["row"]["state"], "disbursed");
        assert_eq!(a["row"]["disbursed_fen"], 5_000_000);
        // The history names both people.
        let page = app.get(&format!("/applications/{id}"), Some(&payer)).await;
        assert!(
            page.body
                .contains("南山区拨付经办人（演示）（ns.payer） 准备")
                && page
                    .body
                    .contains("南山区拨付复核人（演示）（ns.cashier） 确认"),
            "{}",
            page.body
        );
        app.cleanup().await;
    }
}

#[tokio::test]
async fn a_budget_change_shows_the_figures_before_and_after() {
    for app in TestApp::all().await {
        let s = app.store();
        let officer = app.login("ns.officer").await;
        let current = s
            .policy_versions(&Scope::City, Some("440305"))
            .await
            .expect("versions")
            .into_iter()
            .find(|v| v.status == "published")
            .expect("published");
        let r = call(
            &app,
            &officer,
            Method::POST,
            &format!("/api/v1/policies/{}/revise", current.id),
            None,
        )
        .await;
        let v2 = r.json()["id"].as_i64().expect("revision");
        let mut doc = serde_json::to_value(current.doc().expect("doc")).expect("json");
        doc["budget"] = json!({"total_fen": 12_345_678_900_i64, "mode": "first_come_first_served"});
        let r = call(
            &app,
            &officer,
            Method::PUT,
            &format!("/api/v1/policies/{v2}"),
            Some(doc),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let r = app
            .post_form(
                &format!("/policy-drafts/{v2}"),
                Some(&officer),
                &[("action", "publish"), ("confirm", "yes")],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let cid = support::confirmation_id(r.location());
        let checker = app.login("ns.checker").await;
        let page = app
            .get(&format!("/confirmations/{cid}"), Some(&checker))
            .await;
        assert!(
            page.body.contains("调整政策预算")
                && page.body.contains("123,456,789.00")
                && page.body.contains("（预算调整）"),
            "{}",
            page.body
        );
        assert!(
            page.body.contains("value=\"confirm\""),
            "a second person may confirm"
        );
        // The draft page shows the pending request instead of the publish button.
        let draft = app
            .get(&format!("/policy-drafts/{v2}"), Some(&officer))
            .await;
        assert!(draft.body.contains(&format!("/confirmations/{cid}")));
        // Not changed until confirmed.
        let budget = |app: &TestApp| {
            let s = app.store().clone();
            async move {
                s.policy_versions(&Scope::City, Some("440305"))
                    .await
                    .expect("versions")
                    .into_iter()
                    .find(|v| v.status == "published")
                    .expect("published")
                    .doc()
                    .expect("doc")
                    .budget
                    .map(|b| b.total_fen.get())
            }
        };
        assert_ne!(budget(&app).await, Some(12_345_678_900));
        app.confirm_on_page(Some(&format!("/confirmations/{cid}")), "ns.checker")
            .await;
        assert_eq!(budget(&app).await, Some(12_345_678_900));
        let page = app
            .get(&format!("/confirmations/{cid}"), Some(&officer))
            .await;
        assert!(page.body.contains("已确认执行"), "{}", page.body);
        app.cleanup().await;
    }
}

/// Issue #19 item 2 through the real router, on both databases: a notice's end grants nothing
/// while another application of the batch is still before its notice's end; the batch shows
/// on the notices page and in `GET /api/v1/batches`; closing it needs the tick, is prepared by
/// one officer and done only when a second confirms; then the grant is made, and closing again
/// or an unknown batch is refused with a Chinese message.
#[tokio::test]
async fn a_batch_is_closed_with_four_eyes_before_its_budget_is_allocated() {
    for app in TestApp::all().await {
        let s = app.store();
        let id = reviewed_application(&app).await;
        let officer = app.login("ns.officer").await;
        let lead = nanshan();
        // The enterprise's securitisation application in the same batch, submitted: still
        // before its notice's end.
        let ent = Scope::Enterprise {
            org_id: ipfin_domain::id::OrgId::new(app.org_id("深圳市南山示例科技有限公司").await),
        };
        let row = s.application(&lead, id).await.expect("app").row;
        let batch_opens = s
            .policy_version(&Scope::City, row.policy_version_id)
            .await
            .expect("policy")
            .doc()
            .expect("doc")
            .batches
            .iter()
            .find(|b| b.name == row.batch_name)
            .expect("batch")
            .opens;
        let other: i64 = store_write!(app, AuditActor::system("ent"), |tx| s.create_application(
            &mut tx,
            &ent,
            ipfin_store::application::NewApplication {
                kind: ipfin_domain::application::Kind::Securitisation,
                policy_version_id: row.policy_version_id,
                batch: Some(row.batch_name.clone()),
                items: vec![],
                body: ipfin_store::application::Body {
                    interest_paid_fen: ipfin_domain::Fen::new(10_000_000),
                    guarantee_fee_fen: ipfin_domain::Fen::new(2_000_000),
                    product: "南山知识产权资产支持专项计划".into(),
                    ..Default::default()
                },
            },
            batch_opens
        ));
        let detail = s.application(&ent, other).await.expect("detail");
        for slot in detail.slots.iter().filter(|x| x.required) {
            let bytes = axum::body::Bytes::from(format!("%PDF-1.7 {}", slot.code).into_bytes());
            store_write!(app, AuditActor::system("ent"), |tx| s.add_file(
                &mut tx,
                &ent,
                other,
                &slot.code,
                "scan.pdf",
                bytes.clone()
            ));
        }
        store_write!(app, AuditActor::system("ent"), |tx| s.submit_application(
            &mut tx,
            &ent,
            other,
            batch_opens
        ));

        let r = call(
            &app,
            &officer,
            Method::POST,
            "/api/v1/notices",
            Some(json!({"title": "银行奖励拟资助名单公示", "application_ids": [id]})),
        )
        .await;
        assert_eq!(r.status, 202, "{}: {}", app.name(), r.body);
        let notice_request = r.json()["confirmation_id"].as_i64().expect("request");
        let r = app.confirm_by_api(notice_request, "ns.checker").await;
        assert_eq!(r.status, 200, "{}", r.body);
        let notice = r.json()["result_id"].as_i64().expect("the notice");
        s.end_due_notices(ipfin_store::today_shanghai() + chrono::Duration::days(30))
            .await
            .expect("end");
        let page = app.get(&format!("/notices/{notice}"), Some(&officer)).await;
        assert!(
            page.body.contains("公示期满，待批次预算分配"),
            "{}",
            page.body
        );
        let r = s.application(&lead, id).await.expect("app").row;
        assert_eq!((r.state().code(), r.granted_fen), ("in_notice", None));

        // What awaits, in the API and on the page.
        let r = call(&app, &officer, Method::GET, "/api/v1/batches", None).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let b = r.json()[0].clone();
        assert_eq!(
            (
                &b["batch_name"],
                &b["cleared"],
                &b["cleared_fen"],
                &b["before_notice_end"],
                &b["window_over"]
            ),
            (
                &json!(row.batch_name),
                &json!(1),
                &json!(5_000_000),
                &json!(1),
                &json!(true)
            ),
            "{}",
            r.body
        );
        let page = app.get("/notices", Some(&officer)).await;
        assert!(page.body.contains("待分配预算的申报批次") && page.body.contains(&row.batch_name));

        // Closing on the page: the tick is required; then prepared, not done.
        let version = row.policy_version_id.to_string();
        let form = [
            ("policy_version_id", version.as_str()),
            ("batch_name", row.batch_name.as_str()),
        ];
        let r = app
            .post_form("/notices/batches/close", Some(&officer), &form)
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("请勾选确认"));
        let mut ticked = form.to_vec();
        ticked.push(("confirm", "yes"));
        let r = app
            .post_form("/notices/batches/close", Some(&officer), &ticked)
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let request = support::confirmation_id(r.location());
        let page = app
            .get(&format!("/confirmations/{request}"), Some(&officer))
            .await;
        assert!(
            page.body.contains("关闭批次并分配预算") && page.body.contains("50,000.00"),
            "{}",
            page.body
        );
        assert!(page.body.contains("尚有 1 件申请未到公示期满"));
        assert_eq!(
            s.application(&lead, id).await.expect("app").row.granted_fen,
            None,
            "prepared only"
        );
        let r = call(
            &app,
            &officer,
            Method::POST,
            &format!("/api/v1/confirmations/{request}/confirm"),
            None,
        )
        .await;
        assert_eq!(r.json()["code"], "confirmation.same_person", "{}", r.body);
        let r = call(
            &app,
            &officer,
            Method::GET,
            &format!("/api/v1/confirmations/{request}"),
            None,
        )
        .await;
        assert_eq!(r.json()["kind"], "batch.allocate");
        assert_eq!(
            r.json()["step"]["batch"]["granted_fen"],
            5_000_000,
            "{}",
            r.body
        );
        app.confirm_on_page(Some(&format!("/confirmations/{request}")), "ns.checker")
            .await;
        let done = s.application(&lead, id).await.expect("app");
        assert_eq!(
            (done.row.state().code(), done.row.granted_fen),
            ("granted", Some(ipfin_domain::Fen::new(5_000_000)))
        );
        assert!(done.events.iter().any(|e| e.comment.contains("四眼")));

        // Closing again: nothing awaits; an unknown batch: named.
        let r = call(
            &app,
            &officer,
            Method::POST,
            "/api/v1/batches/close",
            Some(json!({"policy_version_id": row.policy_version_id, "batch_name": row.batch_name})),
        )
        .await;
        assert_eq!(r.status, 409, "{}", r.body);
        assert_eq!(r.json()["code"], "batch.nothing_cleared", "{}", r.body);
        let r = call(
            &app,
            &officer,
            Method::POST,
            "/api/v1/batches/close",
            Some(json!({"policy_version_id": row.policy_version_id, "batch_name": "第九批"})),
        )
        .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("没有名为“第九批”的申报批次"), "{}", r.body);
    }
}
