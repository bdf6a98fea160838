//! The finance bureau pays through the real router (issue #18 items 4 and 5): the enterprise
//! names its payee account (a wrong name and letters in the number refused at once, on the
//! page and through the API); the district's finance bureau (`ns.finance`) opens a payment run
//! on the page and is refused confirming it; a lead officer confirms; the finance bureau
//! exports the treasury's XLSX list and uploads the returned sheet — refused whole for a line
//! not in the run, then recorded with one failed line; the failed line is retried in a second
//! run through the API; the policy year's budget figures at each step on the API, the policy
//! page and the district's home page; and the officer-only manual disbursement still refuses
//! the finance bureau.

mod support;

use axum::body::Body;
use axum::http::{Method, Request, header};
use chrono::NaiveDate;
use ipfin_domain::Scope;
use ipfin_domain::application::{Kind, Line};
use ipfin_domain::policy::rules::Item;
use ipfin_store::application::{Body as AppBody, NewApplication};
use ipfin_store::audit::AuditActor;
use ipfin_store::{Store, StoreError};
use rust_decimal::Decimal;
use support::{Session, TestApp, multipart};

const ENT: &str = "深圳市南山示例科技有限公司";
const TODAY: &str = "2026-11-27";

fn d(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

async fn run<T>(
    s: &Store,
    actor: AuditActor,
    f: impl AsyncFnOnce(&mut ipfin_store::WriteTx) -> Result<T, StoreError>,
) -> T {
    let mut tx = s.write(actor).await.expect("tx");
    let v = f(&mut tx).await.expect("write");
    tx.commit().await.expect("commit");
    v
}

fn line(lender: i64, contract: &str, pledge: &str, interest_fen: i64) -> Line {
    ipfin_store::testing::fixtures::fee_line(lender, contract, pledge, interest_fen)
}

/// A policy with a budget of 10,000.00 first come first served, and two applications of the
/// demo enterprise granted under it (7,000.00 and, cut by the budget, 3,000.00).
async fn granted_pair(app: &TestApp) -> (i64, i64, i64) {
    let s = app.store();
    let lead = Scope::District {
        code: "440305".into(),
        manage: true,
    };
    let bank_id = app.org_id("深南银行深圳分行").await;
    let bank = Scope::Institution {
        org_id: ipfin_domain::id::OrgId::new(bank_id),
    };
    let ent = Scope::Enterprise {
        org_id: ipfin_domain::id::OrgId::new(app.org_id(ENT).await),
    };
    let mut doc = ipfin_store::demo::demo_policy_at("440305", "南山区", d(TODAY));
    doc.title = "南山区知识产权质押融资贴息（拨付测试）".into();
    doc.budget = Some(ipfin_domain::policy::document::Budget {
        total_fen: ipfin_domain::Fen::new(1_000_000),
        mode: ipfin_domain::policy::BudgetMode::FirstComeFirstServed,
    });
    // Four eyes (item 3): officer 1 prepares, officer 2 confirms.
    let prepared = run(s, AuditActor::user(9001, "o1"), async |tx| {
        let v = s.create_policy(tx, &lead, &doc).await?;
        Ok(s.prepare_policy_publication(tx, &lead, v.id).await?.id)
    })
    .await;
    let policy = run(s, AuditActor::user(9002, "o2"), async |tx| {
        s.confirm_request(tx, &lead, prepared, d(TODAY)).await
    })
    .await
    .result_id
    .expect("the version");
    let mut ids = Vec::new();
    for (i, interest) in [(1, 1_000_000), (2, 500_000)] {
        let contract = format!("2026-WEBPAY-{i}");
        let pledge = format!("Y202698004000{i}");
        let patent = if i == 1 {
            "202310123456.6"
        } else {
            "202310234567.4"
        };
        let loan = ipfin_store::financing::LoanInput {
            borrower_credit_code: ipfin_store::demo::demo_code("440305", 101),
            terms: ipfin_domain::financing::LoanTerms {
                contract_number: contract.clone(),
                principal_fen: ipfin_domain::Fen::new(500_000_000),
                annual_rate: Decimal::new(345, 4),
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
                    number: pledge.clone(),
                    secured_amount_fen: ipfin_domain::Fen::new(500_000_000),
                    registration_date: d("2026-03-01"),
                    cancellation_date: None,
                },
                items: vec![ipfin_store::financing::PledgeItemInput {
                    kind: "patent".into(),
                    number: patent.into(),
                    title: None,
                    related_party: None,
                }],
            }],
        };
        let saved = run(s, AuditActor::system("bank"), async |tx| {
            s.save_loan(tx, &bank, &loan).await
        })
        .await;
        // The bank reports the interest paid: grants rest on reported figures (item 1).
        run(s, AuditActor::system("bank"), async |tx| {
            s.add_payment(
                tx,
                &bank,
                saved.id,
                ipfin_domain::financing::Payment {
                    date: d("2026-06-05"),
                    principal_fen: ipfin_domain::Fen::new(0),
                    interest_fen: ipfin_domain::Fen::new(interest),
                },
            )
            .await
        })
        .await;
        let body = AppBody {
            lines: vec![line(bank_id, &contract, &pledge, interest)],
            ..Default::default()
        };
        let id = run(s, AuditActor::system("ent"), async |tx| {
            s.create_application(
                tx,
                &ent,
                NewApplication {
                    kind: Kind::EnterpriseFee,
                    policy_version_id: policy,
                    batch: None,
                    items: vec![Item::Interest],
                    body: body.clone(),
                },
                d(TODAY),
            )
            .await
        })
        .await;
        let detail = s.application(&ent, id).await.expect("detail");
        for (k, slot) in detail.slots.iter().filter(|x| x.required).enumerate() {
            let bytes = axum::body::Bytes::from(format!("%PDF-1.7\n% {} {k}\n", slot.code));
            run(s, AuditActor::system("ent"), async |tx| {
                s.add_file(tx, &ent, id, &slot.code, "scan.pdf", bytes.clone())
                    .await
            })
            .await;
        }
        run(s, AuditActor::system("ent"), async |tx| {
            s.submit_application(tx, &ent, id, d(TODAY)).await
        })
        .await;
        ids.push(id);
    }
    // The officers' flow to granted, with four eyes (items 2 and 3 of issue #19).
    ipfin_store::testing::fixtures::grant_submitted(s, &lead, &ids, d(TODAY))
        .await
        .expect("granted");
    (policy, ids[0], ids[1])
}

/// A JSON API call with a signed-in session's cookie.
async fn api(
    app: &TestApp,
    method: Method,
    path: &str,
    who: &Session,
    body: Option<String>,
) -> support::Resp {
    let mut b = Request::builder()
        .method(method)
        .uri(path)
        .header(header::COOKIE, &who.cookie);
    if body.is_some() {
        b = b.header(header::CONTENT_TYPE, "application/json");
    }
    app.send(
        b.body(Body::from(body.unwrap_or_default()))
            .expect("request"),
    )
    .await
}

async fn post_bytes(
    app: &TestApp,
    path: &str,
    who: &Session,
    ct: &str,
    body: Vec<u8>,
) -> (u16, Vec<u8>, String) {
    let req = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::COOKIE, &who.cookie)
        .header(header::CONTENT_TYPE, ct)
        .body(Body::from(body))
        .expect("request");
    let (status, headers, bytes) = app.send_raw(req).await;
    let ctype = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (status.as_u16(), bytes, ctype)
}

/// The exported list as rows of text.
fn sheet_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("xlsx");
    let sheet = calamine::Reader::worksheet_range(&mut wb, "支付清单").expect("sheet");
    sheet
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

/// The treasury's answer: the exported rows with the result columns filled in.
fn returned(rows: &[Vec<String>], results: &[(&str, &str, &str, &str)]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in rows[0].iter().enumerate() {
        sheet.write_string(0, c as u16, h).expect("header");
    }
    for (r, row) in rows.iter().skip(1).enumerate() {
        for (c, v) in row.iter().take(8).enumerate() {
            sheet.write_string(r as u32 + 1, c as u16, v).expect("cell");
        }
        if let Some((res, date, reference, reason)) = results.get(r) {
            for (c, v) in [res, date, reference, reason].iter().enumerate() {
                sheet
                    .write_string(r as u32 + 1, 8 + c as u16, **v)
                    .expect("cell");
            }
        }
    }
    book.save_to_buffer().expect("xlsx")
}

async fn budget(app: &TestApp, who: &Session, policy: i64) -> serde_json::Value {
    let r = api(
        app,
        Method::GET,
        &format!("/api/v1/policies/{policy}/budget"),
        who,
        None,
    )
    .await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    r.json()
}

#[tokio::test]
async fn the_finance_bureau_pays_a_run_exported_and_its_result_imported_with_one_failed_line() {
    for app in TestApp::all().await {
        let name = app.name();
        let (policy, a, b) = granted_pair(&app).await;
        let ent = app.login("ent.user").await;
        let finance = app.login("ns.finance").await;
        let officer = app.login("ns.officer").await;

        // Granted: the budget is spent, nothing paid yet.
        let f = budget(&app, &finance, policy).await;
        assert_eq!(
            (
                &f["budget_fen"],
                &f["granted_fen"],
                &f["paid_fen"],
                &f["unpaid_fen"],
                &f["remaining_fen"],
                &f["mode"]
            ),
            (
                &1_000_000.into(),
                &1_000_000.into(),
                &0.into(),
                &1_000_000.into(),
                &0.into(),
                &"first_come_first_served".into()
            ),
            "{name}: {f}"
        );
        // Another district does not read it; an enterprise is refused by the rule.
        let ft = app.login("ft.officer").await;
        assert_eq!(
            api(
                &app,
                Method::GET,
                &format!("/api/v1/policies/{policy}/budget"),
                &ft,
                None
            )
            .await
            .status
            .as_u16(),
            404
        );
        assert_eq!(
            api(
                &app,
                Method::GET,
                &format!("/api/v1/policies/{policy}/budget"),
                &ent,
                None
            )
            .await
            .status
            .as_u16(),
            403
        );
        // The policy page shows the figures to the district's government, not to the public.
        let page = app
            .get(&format!("/policies/{policy}"), Some(&finance))
            .await;
        assert!(
            page.body.contains("年度预算执行情况") && page.body.contains("10,000.00"),
            "{name}"
        );
        assert!(
            !app.get(&format!("/policies/{policy}"), None)
                .await
                .body
                .contains("年度预算执行情况")
        );

        // The banner is true now: the finance bureau sees the payments page; the officer-only
        // manual disbursement still refuses it.
        let detail = app.get(&format!("/applications/{b}"), Some(&finance)).await;
        assert!(detail.body.contains("等待区财政拨付"), "{name}");
        let r = app
            .post_form(
                &format!("/applications/{b}/action"),
                Some(&finance),
                &[
                    ("action", "disburse"),
                    ("amount_fen", "100"),
                    ("date", "2026-12-10"),
                    ("reference", "X"),
                ],
            )
            .await;
        assert_eq!(r.status.as_u16(), 403, "{name}");

        // Payee account on the page: another company's name, letters in the number and no bank
        // are all shown at once, the input kept; nothing stored.
        let r = app
            .post_form(
                &format!("/applications/{a}/payee"),
                Some(&ent),
                &[
                    ("account_name", "深圳市别家科技有限公司"),
                    ("bank_name", ""),
                    ("account_number", "6222 AB12 3456"),
                ],
            )
            .await;
        assert_eq!(r.status.as_u16(), 422, "{name}: {}", r.body);
        for text in [
            "不一致",
            "请填写开户银行",
            "只能由数字组成",
            "value=\"深圳市别家科技有限公司\"",
        ] {
            assert!(r.body.contains(text), "{name}: {text}");
        }
        assert_eq!(
            api(
                &app,
                Method::GET,
                &format!("/api/v1/applications/{a}/payee"),
                &ent,
                None
            )
            .await
            .json()["payee"],
            serde_json::Value::Null
        );
        let r = app
            .post_form(
                &format!("/applications/{a}/payee"),
                Some(&ent),
                &[
                    ("account_name", ENT),
                    ("bank_name", "招商银行深圳南山支行"),
                    ("account_number", "7559 0123 4567 8901"),
                ],
            )
            .await;
        assert_eq!(r.status.as_u16(), 303, "{name}: {}", r.body);
        // Through the API: the same rules, every problem in one message.
        let r = api(
            &app,
            Method::PUT,
            &format!("/api/v1/applications/{b}/payee"),
            &ent,
            Some(serde_json::json!({"account_name": "别家公司", "bank_name": "招商银行", "account_number": "12345678X"}).to_string()),
        )
        .await;
        assert_eq!(r.status.as_u16(), 422, "{name}: {}", r.body);
        let j = r.json();
        assert_eq!(j["code"], "payee.account_name_mismatch");
        assert_eq!(j["field"], "account_name");
        assert!(
            j["message"]
                .as_str()
                .is_some_and(|m| m.contains("共 2 处问题") && m.contains("银行账号")),
            "{j}"
        );
        let r = api(
            &app,
            Method::PUT,
            &format!("/api/v1/applications/{b}/payee"),
            &ent,
            Some(serde_json::json!({"account_name": ENT, "bank_name": "招商银行深圳南山支行", "account_number": "755901234560000"}).to_string()),
        )
        .await;
        assert_eq!(r.status.as_u16(), 200, "{name}: {}", r.body);
        assert_eq!(r.json()["account_number"], "755901234560000");

        // The finance bureau opens a run on the page with both applications.
        let home = app.get("/home", Some(&finance)).await;
        assert!(
            home.body.contains("2 笔已确定的资助待列入付款批次"),
            "{name}"
        );
        let page = app.get("/payments", Some(&finance)).await;
        assert!(
            page.body.contains("南山区财政局") && page.body.contains("name=\"application_ids\""),
            "{name}"
        );
        let r = app
            .post_form(
                "/payments/runs",
                Some(&finance),
                &[
                    ("title", "2026年12月第一批"),
                    ("application_ids", &a.to_string()),
                    ("application_ids", &b.to_string()),
                ],
            )
            .await;
        assert_eq!(r.status.as_u16(), 303, "{name}: {}", r.body);
        let loc = r.location().expect("location").to_string();
        let run_id: i64 = loc
            .trim_start_matches("/payments/runs/")
            .split('?')
            .next()
            .and_then(|x| x.parse().ok())
            .expect("run id");
        // The preparer is refused confirming (page and API); the lead officer sees the step.
        let r = app
            .post_form(
                &format!("/payments/runs/{run_id}/confirm"),
                Some(&finance),
                &[("confirm", "yes")],
            )
            .await;
        assert_eq!(r.status.as_u16(), 403, "{name}");
        let r = api(
            &app,
            Method::POST,
            &format!("/api/v1/payment-runs/{run_id}/confirm"),
            &finance,
            None,
        )
        .await;
        assert_eq!(r.status.as_u16(), 403, "{name}");
        let home = app.get("/home", Some(&officer)).await;
        assert!(home.body.contains("待确认"), "{name}");
        let page = app
            .get(&format!("/payments/runs/{run_id}"), Some(&officer))
            .await;
        assert!(
            page.body.contains("确认付款批次") && page.body.contains("10,000.00"),
            "{name}"
        );
        // Confirmation asks for the tick.
        let r = app
            .post_form(
                &format!("/payments/runs/{run_id}/confirm"),
                Some(&officer),
                &[],
            )
            .await;
        assert_eq!(r.status.as_u16(), 422, "{name}");
        let r = app
            .post_form(
                &format!("/payments/runs/{run_id}/confirm"),
                Some(&officer),
                &[("confirm", "yes")],
            )
            .await;
        assert_eq!(r.status.as_u16(), 303, "{name}: {}", r.body);
        let shown = api(
            &app,
            Method::GET,
            &format!("/api/v1/payment-runs/{run_id}"),
            &officer,
            None,
        )
        .await
        .json();
        assert_eq!(shown["run"]["state"], "confirmed", "{name}");
        assert!(
            shown["run"]["confirmer_name"]
                .as_str()
                .is_some_and(|n| n.contains("南山区经办人"))
        );

        // Export: the XLSX list for the treasury.
        let csrf = finance.csrf.clone();
        let (status, bytes, ctype) = post_bytes(
            &app,
            &format!("/payments/runs/{run_id}/export"),
            &finance,
            "application/x-www-form-urlencoded",
            format!("_csrf={csrf}").into_bytes(),
        )
        .await;
        assert_eq!(status, 200, "{name}: {}", String::from_utf8_lossy(&bytes));
        assert!(ctype.contains("spreadsheetml"), "{name}");
        let rows = sheet_rows(&bytes);
        assert_eq!(
            &rows[0][..8],
            &[
                "序号",
                "申请编号",
                "企业名称",
                "收款户名",
                "开户银行",
                "收款账号",
                "金额（元）",
                "用途"
            ]
        );
        assert_eq!(rows.len(), 3);
        assert_eq!(
            rows[1][5], "7559012345678901",
            "{name}: the account stays text"
        );
        assert_eq!(
            (rows[1][6].as_str(), rows[2][6].as_str()),
            ("7000", "3000"),
            "{name}"
        );
        let num_a = rows[1][1].clone();

        // The returned sheet with an application not in the run: refused whole, the row named.
        let mut bad = rows.clone();
        bad.push(vec![
            "3".into(),
            "440305-2026-EF-09999".into(),
            ENT.into(),
            ENT.into(),
            "x".into(),
            "1".into(),
            "100".into(),
            "x".into(),
        ]);
        let sheet = returned(
            &bad,
            &[
                ("成功", "2026-12-01", "GK-1", ""),
                ("失败", "", "", "户名与账号不符"),
                ("成功", "2026-12-01", "GK-3", ""),
            ],
        );
        let (ct, body) = multipart(&[("_csrf", &finance.csrf)], Some(("results.xlsx", &sheet)));
        let (status, page, _) = post_bytes(
            &app,
            &format!("/payments/runs/{run_id}/results"),
            &finance,
            &ct,
            body,
        )
        .await;
        let page = String::from_utf8_lossy(&page);
        assert_eq!(status, 422, "{name}: {page}");
        assert!(
            page.contains("第 4 行")
                && page.contains("440305-2026-EF-09999")
                && page.contains("不在本付款批次中"),
            "{name}: {page}"
        );
        // Through the API too, as JSON.
        let (status, body, _) = post_bytes(
            &app,
            &format!("/api/v1/payment-runs/{run_id}/results"),
            &finance,
            "application/octet-stream",
            sheet.clone(),
        )
        .await;
        assert_eq!(status, 422);
        let j: serde_json::Value = serde_json::from_slice(&body).expect("json");
        assert_eq!(j["code"], "payment.results_refused", "{j}");
        let f = budget(&app, &finance, policy).await;
        assert_eq!(f["paid_fen"], 0, "{name}: nothing recorded");

        // The real answer: a paid, b failed.
        let sheet = returned(
            &rows,
            &[
                ("成功", "2026-12-01", "GK-2026-0001", ""),
                ("失败", "", "", "户名与账号不符"),
            ],
        );
        let (ct, body) = multipart(&[("_csrf", &finance.csrf)], Some(("results.xlsx", &sheet)));
        let (status, page, _) = post_bytes(
            &app,
            &format!("/payments/runs/{run_id}/results"),
            &finance,
            &ct,
            body,
        )
        .await;
        assert_eq!(status, 303, "{name}: {}", String::from_utf8_lossy(&page));
        let shown = api(
            &app,
            Method::GET,
            &format!("/api/v1/payment-runs/{run_id}"),
            &finance,
            None,
        )
        .await
        .json();
        assert_eq!(shown["run"]["state"], "completed", "{name}");
        assert_eq!(
            (&shown["run"]["paid_fen"], &shown["run"]["failed"]),
            (&700_000.into(), &1.into())
        );
        let f = budget(&app, &finance, policy).await;
        assert_eq!(
            (&f["paid_fen"], &f["unpaid_fen"]),
            (&700_000.into(), &300_000.into()),
            "{name}: {f}"
        );
        let ap = api(
            &app,
            Method::GET,
            &format!("/api/v1/applications/{a}"),
            &ent,
            None,
        )
        .await
        .json();
        assert_eq!(ap["row"]["state"], "disbursed", "{name}: {ap}");
        assert!(ap.to_string().contains("GK-2026-0001"));
        let _ = num_a;
        // The failed line stays visible until settled.
        let page = app.get("/payments", Some(&finance)).await;
        assert!(page.body.contains("户名与账号不符"), "{name}");
        let home = app.get("/home", Some(&finance)).await;
        assert!(
            home.body.contains("1 笔支付失败尚未了结") && home.body.contains("年度预算执行情况"),
            "{name}"
        );

        // A second run through the API retries b; a token cannot sign it.
        let token = app.token("南山区财政局").await;
        let r = app
            .api(
                Method::POST,
                "/api/v1/payment-runs",
                Some(&token),
                Some(serde_json::json!({"application_ids": [b]}).to_string()),
            )
            .await;
        assert_eq!(r.status.as_u16(), 403, "{name}: {}", r.body);
        assert_eq!(r.json()["code"], "payment.person_required");
        let r = api(
            &app,
            Method::POST,
            "/api/v1/payment-runs",
            &finance,
            Some(serde_json::json!({"application_ids": [b]}).to_string()),
        )
        .await;
        assert_eq!(r.status.as_u16(), 201, "{name}: {}", r.body);
        let run2 = r.json()["id"].as_i64().expect("id");
        let r = api(
            &app,
            Method::POST,
            &format!("/api/v1/payment-runs/{run2}/confirm"),
            &officer,
            None,
        )
        .await;
        assert_eq!(r.status.as_u16(), 200, "{name}: {}", r.body);
        let r = api(
            &app,
            Method::POST,
            &format!("/api/v1/payment-runs/{run2}/export"),
            &finance,
            None,
        )
        .await;
        assert_eq!(r.status.as_u16(), 200, "{name}");
        let line = api(
            &app,
            Method::GET,
            &format!("/api/v1/payment-runs/{run2}"),
            &finance,
            None,
        )
        .await
        .json()["lines"][0]["id"]
            .as_i64()
            .expect("line");
        // Adversarial: a paid result without its date and reference.
        let r = api(
            &app,
            Method::POST,
            &format!("/api/v1/payment-runs/{run2}/lines/{line}/result"),
            &finance,
            Some(r#"{"result":"paid"}"#.into()),
        )
        .await;
        assert_eq!(r.status.as_u16(), 422, "{name}: {}", r.body);
        let r = api(
            &app,
            Method::POST,
            &format!("/api/v1/payment-runs/{run2}/lines/{line}/result"),
            &finance,
            Some(r#"{"result":"paid","paid_on":"2026-12-02","reference":"GK-2026-0101"}"#.into()),
        )
        .await;
        assert_eq!(r.status.as_u16(), 200, "{name}: {}", r.body);
        assert_eq!(r.json()["paid"], 1);
        let o = api(&app, Method::GET, "/api/v1/payments", &finance, None)
            .await
            .json();
        assert_eq!(
            o["open_failures"].as_array().map(Vec::len),
            Some(0),
            "{name}: {o}"
        );
        assert_eq!(
            o["payables"].as_array().map(Vec::len),
            Some(0),
            "{name}: {o}"
        );
        let f = budget(&app, &finance, policy).await;
        assert_eq!(
            (&f["paid_fen"], &f["unpaid_fen"], &f["remaining_fen"]),
            (&1_000_000.into(), &0.into(), &0.into()),
            "{name}: {f}"
        );
        // Another district's officer reads none of it.
        assert_eq!(
            app.get(&format!("/payments/runs/{run_id}"), Some(&ft))
                .await
                .status
                .as_u16(),
            404
        );
        assert!(
            !app.get("/payments", Some(&ft))
                .await
                .body
                .contains("2026年12月第一批")
        );
        app.cleanup().await;
    }
}
