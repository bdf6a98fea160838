//! Push to banks through the real router (issue #20 items 3–5): an officer prepares a list on
//! `/push` (every error at once, what was typed kept), a second officer confirms it on the
//! confirmation page, the banks see their enterprises on `/pushed` and record follow-ups by
//! form and API, an enterprise withdraws its consent on `/consent`; who may do what.

mod support;

use axum::body::Body;
use axum::http::{Method, Request, header};
use support::TestApp;

#[tokio::test]
async fn a_push_from_preparation_to_follow_up_on_pages_and_api() {
    for app in TestApp::all().await {
        let n = app.db.name;
        let ns = app.login("ns.officer").await;
        let second = app.login("ns.cashier").await;
        let finance = app.login("ns.finance").await;
        let bank = app.login("bank.manager").await;
        let bank2 = app.login("bank2.manager").await;

        // The district's page: the demo's list, three partner banks, the settings.
        let r = app.get("/push", Some(&ns)).await;
        assert_eq!(r.status, 200, "{n}");
        assert!(r.body.contains("深圳前海农商银行（演示）"));
        assert!(r.body.contains("/push/lists/"));
        // Bad input: every error at once, what was typed kept, nothing stored.
        let before = app.audit_count().await;
        let r = app
            .post_form(
                "/push/settings",
                Some(&ns),
                &[
                    ("max_banks", "0"),
                    ("period_days", "3"),
                    ("first_contact_working_days", "90"),
                ],
            )
            .await;
        assert_eq!(r.status, 422, "{n}");
        for id in [
            "max_banks-error",
            "period_days-error",
            "first_contact_working_days-error",
        ] {
            assert!(r.body.contains(id), "{id}");
        }
        assert!(r.body.contains(r#"value="90""#));
        let r = app
            .post_form(
                "/push/lists",
                Some(&ns),
                &[("method", "magic"), ("limit", "9999"), ("note", "保留")],
            )
            .await;
        assert_eq!(r.status, 422, "{n}");
        assert!(r.body.contains("method-error") || r.body.contains("请选择分配方式"));
        assert!(r.body.contains(">保留</textarea>"));
        assert_eq!(app.audit_count().await, before);
        // A member department reads but does not prepare.
        let r = app
            .post_form("/push/lists", Some(&finance), &[("method", "round_robin")])
            .await;
        assert_eq!(r.status, 403, "{n}");

        // Prepared by one officer: it lands on the confirmation page and nothing is out yet.
        let r = app
            .post_form(
                "/push/lists",
                Some(&ns),
                &[("method", "round_robin"), ("limit", "10"), ("tag", "")],
            )
            .await;
        assert_eq!(r.status, 303, "{n}: {}", r.body);
        let loc = r.location().expect("location").to_string();
        assert!(loc.starts_with("/confirmations/"), "{loc}");
        let conf = loc
            .trim_start_matches("/confirmations/")
            .split('?')
            .next()
            .expect("id")
            .to_string();
        let page = app
            .get(&format!("/confirmations/{conf}"), Some(&second))
            .await;
        assert!(page.body.contains("向银行推送企业名单"), "{}", page.body);
        assert!(page.body.contains("深圳市前海云链信息技术有限公司"));
        let r = app.get("/pushed", Some(&bank2)).await;
        assert!(!r.body.contains("深圳市南山示例科技有限公司"));
        // The preparer cannot confirm; the second officer does.
        let r = app
            .post_form(
                &format!("/confirmations/{conf}/decision"),
                Some(&ns),
                &[("action", "confirm"), ("confirm", "yes")],
            )
            .await;
        assert!(r.status.is_client_error(), "{n}: {}", r.status);
        let r = app
            .post_form(
                &format!("/confirmations/{conf}/decision"),
                Some(&second),
                &[("action", "confirm"), ("confirm", "yes")],
            )
            .await;
        assert_eq!(r.status, 303, "{n}: {}", r.body);
        let r = app.get("/pushed", Some(&bank2)).await;
        assert!(r.body.contains("深圳市南山示例科技有限公司"), "{n}");
        // Its home page says what awaits it.
        let home = app.get("/home", Some(&bank2)).await;
        assert!(home.body.contains("待首次联系的企业 2 家"), "{}", home.body);

        // The bank follows up through the form: every error at once, then a contact.
        let entries = app
            .api(
                Method::GET,
                "/api/v1/pushed?awaiting_contact=true",
                Some(&app.token("鹏城商业银行").await),
                None,
            )
            .await;
        assert_eq!(entries.status, 200, "{n}");
        let v: serde_json::Value = serde_json::from_str(&entries.body).expect("json");
        let entry = v["items"][0]["id"].as_i64().expect("entry");
        let r = app
            .post_form(
                &format!("/pushed/{entry}/follow-ups"),
                Some(&bank2),
                &[
                    ("contacted_on", "2020-01-01"),
                    ("channel", "fax"),
                    ("person", ""),
                    ("outcome", "granted"),
                ],
            )
            .await;
        assert_eq!(r.status, 422, "{n}");
        for id in ["contacted_on-error", "person-error", "loan_id-error"] {
            assert!(r.body.contains(id), "{id}: {}", r.body);
        }
        let today = ipfin_store::today_shanghai().to_string();
        let r = app
            .post_form(
                &format!("/pushed/{entry}/follow-ups"),
                Some(&bank2),
                &[
                    ("contacted_on", today.as_str()),
                    ("channel", "phone"),
                    ("person", "李经理"),
                    ("outcome", "needs_time"),
                    ("note", "下周再联系"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{n}: {}", r.body);
        let r = app
            .get(&format!("/push/entries/{entry}"), Some(&bank2))
            .await;
        assert!(r.body.contains("下周再联系"));
        // The district sees the contact on its list; the other bank cannot open the entry.
        let r = app.get(&format!("/push/entries/{entry}"), Some(&ns)).await;
        assert_eq!(r.status, 200);
        assert!(r.body.contains("李经理"));
        let r = app
            .get(&format!("/push/entries/{entry}"), Some(&bank))
            .await;
        assert_eq!(r.status, 404, "{n}");
        // Through the API: a follow-up by another bank is not found (before the body is read).
        let bt = app.token("深南银行深圳分行").await;
        let r = app
            .api(
                Method::POST,
                &format!("/api/v1/pushed/{entry}/follow-ups"),
                Some(&bt),
                Some("not json".into()),
            )
            .await;
        assert_eq!(r.status, 404, "{n}");
        // The bank's lending declaration: errors in Chinese, then saved.
        let r = app
            .api(
                Method::PUT,
                "/api/v1/bank/lending",
                Some(&bt),
                Some(
                    r#"{"ip_kinds":["domain"],"min_fen":5,"max_fen":4,"industries":["9x"]}"#.into(),
                ),
            )
            .await;
        assert_eq!(r.status, 422, "{n}: {}", r.body);
        let r = app
            .api(
                Method::PUT,
                "/api/v1/bank/lending",
                Some(&bt),
                Some(r#"{"ip_kinds":["patent"],"min_fen":100000000,"industries":["C"]}"#.into()),
            )
            .await;
        assert_eq!(r.status, 200, "{n}: {}", r.body);
    }
}

#[tokio::test]
async fn an_enterprise_gives_and_withdraws_its_consent_on_its_page() {
    for app in TestApp::all().await {
        let n = app.db.name;
        let ent = app.login("ent.user").await;
        let r = app.get("/consent", Some(&ent)).await;
        assert_eq!(r.status, 200, "{n}");
        assert!(
            r.body.contains("深南银行深圳分行"),
            "partner banks to prefer"
        );
        // Withdrawing needs the confirmation.
        let r = app
            .post_form("/consent", Some(&ent), &[("given", "no")])
            .await;
        assert_eq!(r.status, 422, "{n}");
        let r = app
            .post_form(
                "/consent",
                Some(&ent),
                &[("given", "no"), ("confirm", "yes")],
            )
            .await;
        assert_eq!(r.status, 303, "{n}");
        let r = app.get("/consent", Some(&ent)).await;
        assert!(r.body.contains("未授权"), "{}", r.body);
        // Given again with a preferred bank, through the API.
        let bank = app.org_id("鹏城商业银行").await;
        let t = app.token("深圳市南山示例科技有限公司").await;
        let r = app
            .api(
                Method::PUT,
                "/api/v1/consent",
                Some(&t),
                Some(format!(r#"{{"given":true,"preferred_banks":[{bank}]}}"#)),
            )
            .await;
        assert_eq!(r.status, 200, "{n}: {}", r.body);
        let v: serde_json::Value = serde_json::from_str(&r.body).expect("json");
        assert_eq!(v["given"], true);
        assert_eq!(v["preferred_banks"][0]["org_id"], bank);
        assert!(v["history"].as_array().expect("history").len() >= 3);
        // A bank has no consent page.
        let b = app.login("bank.manager").await;
        assert_eq!(app.get("/consent", Some(&b)).await.status, 403);
    }
}

#[tokio::test]
async fn an_officer_records_that_an_enterprises_data_is_public_on_its_page_and_by_api() {
    for app in TestApp::all().await {
        let n = app.db.name;
        let ns = app.login("ns.officer").await;
        let finance = app.login("ns.finance").await;
        let ent = app.login("ent.user").await;
        let id = app.org_id("深圳市南山示例科技有限公司").await;
        let e = ipfin_store::db::fetch_i64(
            app.store().conn(),
            "SELECT id FROM enterprises WHERE organisation_id = ?",
            vec![id.into()],
        )
        .await
        .expect("enterprise");
        // The enterprise page links to it; the page shows the state and the form.
        let r = app.get(&format!("/enterprises/{e}"), Some(&ns)).await;
        assert!(r.body.contains(&format!("/push/consent/{e}")), "{n}");
        let r = app.get(&format!("/push/consent/{e}"), Some(&ns)).await;
        assert_eq!(r.status, 200, "{n}");
        assert!(r.body.contains(r#"name="basis""#));
        // A member department reads it without the form, and may not record.
        let r = app.get(&format!("/push/consent/{e}"), Some(&finance)).await;
        assert_eq!(r.status, 200, "{n}");
        assert!(!r.body.contains(r#"name="basis""#));
        let r = app
            .post_form(
                &format!("/push/consent/{e}"),
                Some(&finance),
                &[
                    ("action", "set"),
                    ("basis", "深交所上市公司，定期报告公开披露"),
                ],
            )
            .await;
        assert_eq!(r.status, 403, "{n}");
        // Too short: the error beside the field, what was typed kept, nothing stored.
        let before = app.audit_count().await;
        let r = app
            .post_form(
                &format!("/push/consent/{e}"),
                Some(&ns),
                &[("action", "set"), ("basis", "公开")],
            )
            .await;
        assert_eq!(r.status, 422, "{n}");
        assert!(r.body.contains("basis-error") && r.body.contains(r#"value="公开""#));
        // Clearing without the tick is refused.
        let r = app
            .post_form(
                &format!("/push/consent/{e}"),
                Some(&ns),
                &[("action", "clear")],
            )
            .await;
        assert_eq!(r.status, 422, "{n}");
        assert_eq!(app.audit_count().await, before);
        // Recorded: the history says so, and the enterprise sees it on its consent page.
        let r = app
            .post_form(
                &format!("/push/consent/{e}"),
                Some(&ns),
                &[
                    ("action", "set"),
                    ("basis", "深交所上市公司，定期报告公开披露"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{n}: {}", r.body);
        let r = app.get(&format!("/push/consent/{e}"), Some(&ns)).await;
        assert!(
            r.body
                .contains("登记数据已公开：深交所上市公司，定期报告公开披露")
        );
        let r = app.get("/consent", Some(&ent)).await;
        assert!(
            r.body.contains("深交所上市公司，定期报告公开披露"),
            "{}",
            r.body
        );
        // Through the API: a token never records; the officer signed in does.
        let t = app.token("南山区市场监督管理局").await;
        let uri = format!("/api/v1/push/consent/{e}/public-data");
        let r = app
            .api(
                Method::PUT,
                &uri,
                Some(&t),
                Some(r#"{"basis":"深交所上市公司，定期报告公开披露"}"#.to_string()),
            )
            .await;
        assert_eq!(r.status, 403, "{n}: {}", r.body);
        let put = |who: &support::Session, b: &str| {
            Request::builder()
                .method(Method::PUT)
                .uri(&uri)
                .header(header::COOKIE, &who.cookie)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(b.to_string()))
                .expect("request")
        };
        let r = app.send(put(&ns, r#"{"basis":"x"}"#)).await;
        assert_eq!(r.status, 422, "{n}: {}", r.body);
        let r = app.send(put(&ns, r#"{"basis":null}"#)).await;
        assert_eq!(r.status, 200, "{n}: {}", r.body);
        let v = r.json();
        assert_eq!(v["public_basis"], serde_json::Value::Null);
        assert_eq!(v["history"][0]["channel"], "public");
        assert_eq!(v["history"][0]["given"], false);
        let r = app
            .api(
                Method::GET,
                &format!("/api/v1/push/consent/{e}"),
                Some(&t),
                None,
            )
            .await;
        assert_eq!(r.status, 200, "{n}");
        assert_eq!(r.json()["pushable"], true, "it consented in the demo");
        // Another district's officer finds nothing, before the body is read.
        let ft = app.login("ft.officer").await;
        let r = app.send(put(&ft, "not json")).await;
        assert_eq!(r.status, 404, "{n}: {}", r.body);
    }
}

#[tokio::test]
async fn the_funnel_and_the_conformance_cell_show_the_demo_push() {
    for app in TestApp::all().await {
        let n = app.db.name;
        let ns = app.login("ns.officer").await;
        let bank = app.login("bank2.manager").await;
        let city = app.login("city.admin").await;
        // The demo list was sent 20 days ago: count from 30 days back.
        let from = (ipfin_store::today_shanghai() - chrono::Days::new(30)).to_string();
        let r = app
            .get(&format!("/push/funnel?from={from}"), Some(&ns))
            .await;
        assert_eq!(r.status, 200, "{n}");
        assert!(r.body.contains("<svg"), "a chart");
        // Three pushed, two contacted (66.7%), one application in progress.
        assert!(r.body.contains("66.7%"), "{}", r.body);
        let api = app
            .api(
                Method::GET,
                &format!("/api/v1/push/funnel?from={from}"),
                Some(&app.token("鹏城商业银行").await),
                None,
            )
            .await;
        assert_eq!(api.status, 200, "{n}");
        let v: serde_json::Value = serde_json::from_str(&api.body).expect("json");
        assert_eq!(
            v["total"]["pushed"], 1,
            "the bank counts its own pushes only"
        );
        assert_eq!(v["banks"].as_array().map(Vec::len), Some(1));
        let (status, _, bytes) = app
            .get_bytes(&format!("/push/funnel.xlsx?from={from}"), &ns)
            .await;
        assert_eq!(status, 200);
        assert!(bytes.starts_with(b"PK"), "a workbook");
        // Bad dates: every problem at once.
        let r = app
            .get("/push/funnel?from=yesterday&to=2020-13-01", Some(&ns))
            .await;
        assert_eq!(r.status, 422, "{n}");
        // Another district's funnel is not found for a district officer.
        assert_eq!(
            app.get("/push/funnel?district=440304", Some(&ns))
                .await
                .status,
            404
        );
        // Bank 2 called its demo enterprise: nothing awaits it on its home page.
        let home = app.get("/home", Some(&bank)).await;
        assert!(!home.body.contains("待首次联系的企业"), "{n}");
        // The lead officer's home page names the demo's overdue first contact.
        let home = app.get("/home", Some(&ns)).await;
        assert!(
            home.body.contains("银行首次联系已逾期的推送企业 1 家"),
            "{n}"
        );
        // R3.2 in the conformance matrix is judged from the whitelist and this quarter's pushes.
        let m = app.get("/conformance", Some(&city)).await;
        assert_eq!(m.status, 200);
        assert!(m.body.contains("白名单 3 户"), "{}", m.body);
        assert!(!m.body.contains("白名单推送功能尚未上线"));
    }
}
