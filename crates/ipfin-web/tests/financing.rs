//! Loans through the API as a bank's system uses them (issue #5): create, re-send, update,
//! Idempotency-Key, batches, payments, status, contracts, listing; every bad input named in the
//! issue gets a clear 4xx and stores nothing.

mod support;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use support::TestApp;

fn ns_code() -> String {
    ipfin_store::demo::demo_credit_code("440305", 101)
}

fn loan(contract: &str, pledge: &str) -> Value {
    json!({
        "contract_number": contract,
        "borrower_credit_code": ns_code(),
        "principal_fen": 500_000_000,
        "annual_rate": "0.0345",
        "start_date": "2026-03-05",
        "end_date": "2027-03-04",
        "first_loan": true,
        "pledges": [{
            "number": pledge,
            "secured_amount_fen": 500_000_000,
            "registration_date": "2026-03-01",
            "items": [{"kind": "patent", "number": "CN 202310123456.6", "title": "一种电池管理方法"}]
        }]
    })
}

async fn post(app: &TestApp, path: &str, bearer: &str, body: &Value) -> support::Resp {
    app.api(Method::POST, path, Some(bearer), Some(body.to_string()))
        .await
}

async fn loans_count(app: &TestApp) -> i64 {
    ipfin_store::db::fetch_i64(
        app.store().conn(),
        "SELECT CAST(COUNT(*) AS BIGINT) FROM loans",
        vec![],
    )
    .await
    .expect("count")
}

#[tokio::test]
async fn a_banks_system_reports_and_re_sends_loans() {
    for app in TestApp::all().await {
        let a = app.token("深南银行深圳分行").await;
        let b = app.token("鹏城商业银行").await;
        let r = post(
            &app,
            "/api/v1/loans",
            &a,
            &loan("2026-ZY-0012", "Y2026980012345"),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let id = r.json()["id"].as_i64().expect("id");
        assert_eq!(r.json()["result"], "created");
        // The same loan again: 200, unchanged, one record.
        let r = post(
            &app,
            "/api/v1/loans",
            &a,
            &loan("2026-ZY-0012", "Y2026980012345"),
        )
        .await;
        assert_eq!(
            (r.status, r.json()["result"].clone()),
            (StatusCode::OK, json!("unchanged"))
        );
        assert_eq!(r.json()["id"].as_i64(), Some(id));
        assert_eq!(loans_count(&app).await, 1);
        // Changed content updates it.
        let mut changed = loan("2026-ZY-0012", "Y2026980012345");
        changed["annual_rate"] = json!("0.031");
        let r = post(&app, "/api/v1/loans", &a, &changed).await;
        assert_eq!(r.json()["result"], "updated", "{}", r.body);
        // The same contract number from another bank: its own loan (unique per lender).
        let r = post(
            &app,
            "/api/v1/loans",
            &b,
            &loan("2026-ZY-0012", "Y2026980054321"),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let b_id = r.json()["id"].as_i64().expect("id");
        // Bank A cannot see bank B's loan; bank B lists only its own.
        let r = app
            .api(
                Method::GET,
                &format!("/api/v1/loans/{b_id}"),
                Some(&a),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = app.api(Method::GET, "/api/v1/loans", Some(&b), None).await;
        assert_eq!(r.json()["total"], 1);
        assert_eq!(r.json()["items"][0]["id"].as_i64(), Some(b_id));
        assert_eq!(r.json()["totals"]["first_loan_count"], 1);
        // Detail with the pledge and the IP item added to the borrower's assets.
        let r = app
            .api(Method::GET, &format!("/api/v1/loans/{id}"), Some(&a), None)
            .await;
        let d = r.json();
        assert_eq!(d["annual_rate"], "0.031");
        assert_eq!(d["pledges"][0]["number"], "Y2026980012345");
        assert_eq!(d["pledges"][0]["items"][0]["number"], "202310123456.6");
        assert_eq!(d["disbursements"][0]["amount_fen"], 500_000_000);

        // Payments, status and a guarantee contract.
        let r = post(
            &app,
            &format!("/api/v1/loans/{id}/payments"),
            &a,
            &json!({"date": "2026-06-05", "principal_fen": 100_000_000, "interest_fen": 3_875_000}),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let r = post(
            &app,
            &format!("/api/v1/loans/{id}/payments"),
            &a,
            &json!({"date": "2026-07-05", "principal_fen": 400_000_001}),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["code"], "payment.over_principal");
        assert_eq!(r.json()["field"], "principal_fen");
        let r = post(
            &app,
            &format!("/api/v1/loans/{id}/status"),
            &a,
            &json!({"status": "overdue", "date": "2026-07-06", "note": "逾期 1 天"}),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = post(
            &app,
            &format!("/api/v1/loans/{id}/contracts"),
            &a,
            &json!({"kind": "guarantee", "provider_name": "前海科技融资担保有限公司", "contract_number": "DB-2026-7",
                    "fee_fen": 5_000_000, "paid_date": "2026-03-06", "paid_fen": 5_000_000, "invoice_number": "44030001"}),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        // Bank B cannot record anything on bank A's loan, whatever the body.
        let before = app.audit_count().await;
        let r = post(
            &app,
            &format!("/api/v1/loans/{id}/payments"),
            &b,
            &json!({"date": "2026-06-05", "principal_fen": 1}),
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(app.audit_count().await, before);
        let r = app
            .api(Method::GET, &format!("/api/v1/loans/{id}"), Some(&a), None)
            .await;
        let d = r.json();
        assert_eq!(d["status"], "overdue");
        assert_eq!(d["repaid_fen"], 100_000_000);
        assert_eq!(d["contracts"][0]["kind"], "guarantee");
        // The borrower's district sees it; another district does not.
        let ns = app.token("南山区市场监督管理局").await;
        let ft = app.token("福田区市场监督管理局").await;
        let r = app.api(Method::GET, "/api/v1/loans", Some(&ns), None).await;
        assert_eq!(r.json()["total"], 2);
        assert_eq!(
            r.json()["totals"]["by_ip_kind"][0],
            json!(["patent", 2, 1_000_000_000])
        );
        let r = app.api(Method::GET, "/api/v1/loans", Some(&ft), None).await;
        assert_eq!(r.json()["total"], 0);
        let r = app
            .api(Method::GET, &format!("/api/v1/loans/{id}"), Some(&ft), None)
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        app.cleanup().await;
    }
}

#[tokio::test]
async fn idempotency_keys_replay_the_first_answer() {
    for app in TestApp::all().await {
        let a = app.token("深南银行深圳分行").await;
        let send = |body: Value, key: &'static str| {
            let req = axum::http::Request::builder()
                .method(Method::POST)
                .uri("/api/v1/loans")
                .header("authorization", format!("Bearer {a}"))
                .header("content-type", "application/json")
                .header("idempotency-key", key)
                .body(axum::body::Body::from(body.to_string()))
                .expect("request");
            app.send(req)
        };
        let first = send(loan("K-1", "Y2026980011111"), "key-1").await;
        assert_eq!(first.status, StatusCode::CREATED);
        let replay = send(loan("K-1", "Y2026980011111"), "key-1").await;
        assert_eq!(
            replay.status,
            StatusCode::CREATED,
            "the first answer, replayed"
        );
        assert_eq!(replay.body, first.body);
        assert_eq!(
            replay
                .headers
                .get("idempotent-replay")
                .map(|v| v.as_bytes()),
            Some(&b"true"[..])
        );
        let other = send(loan("K-2", "Y2026980022222"), "key-1").await;
        assert_eq!(other.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(other.json()["code"], "idempotency.mismatch");
        assert_eq!(loans_count(&app).await, 1);
        app.cleanup().await;
    }
}

#[tokio::test]
async fn bad_loans_are_refused_with_the_field_named_and_nothing_stored() {
    for app in TestApp::all().await {
        let a = app.token("深南银行深圳分行").await;
        let b_org = app.org_id("鹏城商业银行").await;
        let set = |path: &str, v: Value| {
            let mut l = loan("BAD-1", "Y2026980000001");
            let mut cur = &mut l;
            let parts: Vec<&str> = path.split('.').collect();
            for (i, p) in parts.iter().enumerate() {
                if i + 1 == parts.len() {
                    cur[*p] = v.clone();
                    break;
                }
                cur = match p.parse::<usize>() {
                    Ok(n) => &mut cur[n],
                    Err(_) => &mut cur[*p],
                };
            }
            l
        };
        let cases: Vec<(Value, u16, &str, &str)> = vec![
            (
                set(
                    "borrower_credit_code",
                    json!(ipfin_store::demo::demo_credit_code("440305", 99_999)),
                ),
                422,
                "loan.borrower_unknown",
                "borrower_credit_code",
            ),
            (
                set("borrower_credit_code", json!("91440300MA5XXXXXX1")),
                422,
                "credit_code.check",
                "borrower_credit_code",
            ),
            (
                set("principal_fen", json!(0)),
                422,
                "loan.principal",
                "principal_fen",
            ),
            (
                set("principal_fen", json!(-500)),
                422,
                "loan.principal",
                "principal_fen",
            ),
            (
                set("end_date", json!("2026-03-01")),
                422,
                "loan.dates",
                "end_date",
            ),
            (
                set("ip_ratio", json!("1.5")),
                422,
                "loan.ip_ratio",
                "ip_ratio",
            ),
            (
                set("pledges.0.number", json!("2026-ZY-88")),
                422,
                "pledge.number",
                "pledge_number",
            ),
            (
                set("lender_org_id", json!(b_org)),
                403,
                "loan.lender_mismatch",
                "",
            ),
            (set("status", json!("closed")), 422, "loan.status", "status"),
            (
                set("annual_rate", json!("abc")),
                422,
                "json.invalid_value",
                "",
            ),
            (set("surprise", json!(1)), 422, "json.unknown_field", ""),
        ];
        let before = (loans_count(&app).await, app.audit_count().await);
        for (body, status, code, field) in cases {
            let r = post(&app, "/api/v1/loans", &a, &body).await;
            assert_eq!(r.status.as_u16(), status, "{body}: {}", r.body);
            let j = r.json();
            let got = j["code"].as_str().unwrap_or_default();
            assert!(
                got.starts_with(code.split('.').next().unwrap_or(code)),
                "{body}: {}",
                r.body
            );
            if code != "credit_code.check" {
                assert_eq!(got, code, "{}", r.body);
            }
            if !field.is_empty() {
                assert_eq!(j["field"], field, "{}", r.body);
            }
            assert!(!j["message"].as_str().unwrap_or_default().is_empty());
        }
        assert_eq!((loans_count(&app).await, app.audit_count().await), before);

        // A batch is stored whole or not at all; the failing loan is named by its index.
        let batch =
            json!({"loans": [loan("B-1", "Y2026980030001"), set("principal_fen", json!(0))]});
        let r = post(&app, "/api/v1/loans/batch", &a, &batch).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.json()["field"], "loans[1].principal_fen");
        assert!(
            r.json()["message"]
                .as_str()
                .unwrap_or_default()
                .contains("第 2 笔")
        );
        assert_eq!(loans_count(&app).await, before.0);
        let batch =
            json!({"loans": [loan("B-1", "Y2026980030001"), loan("B-2", "Y2026980030002")]});
        let r = post(&app, "/api/v1/loans/batch", &a, &batch).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(
            (r.json()["created"].clone(), r.json()["unchanged"].clone()),
            (json!(2), json!(0))
        );
        let r = post(&app, "/api/v1/loans/batch", &a, &batch).await;
        assert_eq!(
            (r.json()["created"].clone(), r.json()["unchanged"].clone()),
            (json!(0), json!(2))
        );
        // A district's token cannot report loans.
        let ns = app.token("南山区市场监督管理局").await;
        let r = post(&app, "/api/v1/loans", &ns, &loan("X-1", "Y2026980040001")).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        app.cleanup().await;
    }
}

#[tokio::test]
async fn a_bank_reports_a_loan_in_the_browser_and_the_district_sees_it() {
    for app in TestApp::all().await {
        let bank = app.login("bank.manager").await;
        let r = app.get("/loans/new", Some(&bank)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("质押登记号"));
        let code = ns_code();
        let mut form = vec![
            ("borrower_credit_code", code.as_str()),
            ("contract_number", "2026-WEB-1"),
            ("principal", "5,000,000.00"),
            ("rate", "3.45"),
            ("start_date", "2026年3月5日"),
            ("end_date", "2027-03-04"),
            ("first_loan", "yes"),
            ("pledge_number", "Y2026980077777"),
            ("registration_date", "2026-03-01"),
            (
                "items",
                "专利 202310123456.6 一种电池管理方法\n商标 12345678 南山示例",
            ),
        ];
        // A trademark needs no check digit but its number must be digits; a ratio of 150% is refused.
        form.push(("other_collateral", "yes"));
        form.push(("ip_ratio", "150"));
        let r = app.post_form("/loans", Some(&bank), &form).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(
            r.body.contains("知识产权对应比例须大于 0 且不超过 1"),
            "{}",
            r.body
        );
        assert!(
            r.body.contains("value=\"2026-WEB-1\""),
            "the form keeps what was typed"
        );
        form.pop();
        form.push(("ip_ratio", "60"));
        let r = app.post_form("/loans", Some(&bank), &form).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let loc = r.location().expect("redirect").to_string();
        let page = app.get(&loc, Some(&bank)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("5,000,000.00"));
        assert!(page.body.contains("3.45%"));
        assert!(page.body.contains("60%"));
        assert!(page.body.contains("Y2026980077777"));
        // A payment above the principal is refused beside its field.
        let id = loc
            .trim_start_matches("/loans/")
            .split('?')
            .next()
            .unwrap_or("")
            .to_string();
        let r = app
            .post_form(
                &format!("/loans/{id}/payments"),
                Some(&bank),
                &[("date", "2026-06-05"), ("principal_fen", "5000000.01")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("超过贷款金额"));
        let r = app
            .post_form(
                &format!("/loans/{id}/payments"),
                Some(&bank),
                &[
                    ("date", "2026-06-05"),
                    ("principal_fen", "1000000"),
                    ("interest_fen", "43125"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

        // Correcting it: the form starts with the loan's facts; another bank cannot open it.
        let r = app.get(&format!("/loans/new?from={id}"), Some(&bank)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("value=\"2026-WEB-1\""), "{}", r.body);
        assert!(r.body.contains("value=\"3.45\""));
        assert!(r.body.contains("value=\"5000000.00\""));
        assert!(r.body.contains("patent 202310123456.6"));
        let bank2 = app.login("bank2.manager").await;
        let r = app
            .get(&format!("/loans/new?from={id}"), Some(&bank2))
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        // The Nanshan officer sees it with totals; Futian does not; the enterprise sees its own.
        let ns = app.login("ns.officer").await;
        let r = app.get("/loans?first_loan=yes", Some(&ns)).await;
        assert!(r.body.contains("2026-WEB-1"), "{}", r.body);
        assert!(r.body.contains("深南银行深圳分行"));
        // The officer narrows the view to one bank; another bank's filter finds nothing.
        let bank1 = app.org_id("深南银行深圳分行").await;
        let bank2_id = app.org_id("鹏城商业银行").await;
        let r = app.get(&format!("/loans?lender={bank1}"), Some(&ns)).await;
        assert!(r.body.contains("2026-WEB-1"));
        assert!(
            r.body
                .contains(&format!("<option value=\"{bank1}\" selected>")),
            "{}",
            r.body
        );
        let r = app
            .get(&format!("/loans?lender={bank2_id}"), Some(&ns))
            .await;
        assert!(!r.body.contains("2026-WEB-1"));
        let ft = app.login("ft.officer").await;
        let r = app.get("/loans", Some(&ft)).await;
        assert!(!r.body.contains("2026-WEB-1"));
        let r = app.get(&format!("/loans/{id}"), Some(&ft)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let ent = app.login("ent.user").await;
        let r = app.get(&format!("/loans/{id}"), Some(&ent)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            !r.body.contains("登记还款付息"),
            "only the lender records payments"
        );
        // Export of the district's view.
        let r = app.get("/loans/export.xlsx", Some(&ns)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(
            r.headers.get("content-type").and_then(|v| v.to_str().ok()),
            Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        );
        app.cleanup().await;
    }
}

#[tokio::test]
async fn a_bank_uploads_its_loans_and_a_district_cannot() {
    for app in TestApp::all().await {
        let bank = app.login("bank.manager").await;
        let page = app.get("/imports", Some(&bank)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains("kind=loans"),
            "the bank gets the loans template"
        );
        assert!(
            !page.body.contains("kind=enterprises"),
            "and no registry imports"
        );
        let csv = format!(
            "合同编号,借款人统一社会信用代码,贷款金额（元）,年利率（%）,起始日,到期日,质押登记号,质押登记日,质押知识产权\n\
             UP-1,{},3000000,3.6,2026年3月5日,2027-03-04,Y2026980090001,2026-03-01,专利:202310123456.6\n",
            ns_code()
        );
        let (gbk, _, _) = encoding_rs::GBK.encode(&csv);
        let send = |s: &support::Session, kind: &str| {
            let (ct, body) = support::multipart(
                &[("_csrf", s.csrf.as_str()), ("kind", kind)],
                Some(("贷款.csv", &gbk)),
            );
            app.send(
                axum::http::Request::builder()
                    .method(Method::POST)
                    .uri("/imports")
                    .header("cookie", &s.cookie)
                    .header("content-type", ct)
                    .body(axum::body::Body::from(body))
                    .expect("request"),
            )
        };
        let r = send(&bank, "loans").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let at = r.location().expect("progress").to_string();
        let mut done = false;
        for _ in 0..200 {
            let p = app.get(&at, Some(&bank)).await;
            if !p.body.contains("http-equiv=\"refresh\"") {
                done = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        assert!(done, "import finished");
        assert_eq!(loans_count(&app).await, 1);
        // A district officer may not import loans: refused on the form, nothing started.
        let ns = app.login("ns.officer").await;
        let r = send(&ns, "loans").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(loans_count(&app).await, 1);
        // Another bank cannot see the first bank's import.
        let bank2 = app.login("bank2.manager").await;
        assert_eq!(
            app.get(&at, Some(&bank2)).await.status,
            StatusCode::NOT_FOUND
        );
        app.cleanup().await;
    }
}
