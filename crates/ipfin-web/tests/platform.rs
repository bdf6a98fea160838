//! The public service platform through the real router (issue #22): the zones, a zone with
//! its interpretation (HTML inert), feeds, search; matchmaking both ways with the daily limit;
//! a product with its minimum above its maximum refused with every error; a disposal listing
//! with no reserve price and a past deadline refused, then listed and its outcome recorded.

mod support;

use axum::http::Method;
use support::TestApp;

#[tokio::test]
async fn the_platform_signed_out_and_both_ways() {
    for app in TestApp::all().await {
        let n = app.db.name;
        app.store().seed_demo_disposal().await.expect("disposal");
        // Signed out: the front page, a zone, feeds, the public lists, search.
        let r = app.get("/zones", None).await;
        assert_eq!(r.status, 200, "{n}");
        assert!(r.body.contains("/zones/440305"));
        let r = app.get("/", None).await;
        assert!(
            r.body.contains("href=\"/zones/440305\""),
            "district rows link"
        );
        let r = app.get("/zones/440305", None).await;
        assert_eq!(r.status, 200);
        assert!(r.body.contains("一图读懂"), "{}", r.body);
        assert!(r.body.contains("id=\"stations\""));
        // The district's station, with its address and a link that books it.
        let station = ipfin_store::db::fetch_i64(
            app.store().conn(),
            "SELECT id FROM stations WHERE name = '南山知识产权金融服务站'",
            vec![],
        )
        .await
        .expect("station");
        assert!(r.body.contains("南山知识产权金融服务站"), "{}", r.body);
        assert!(
            r.body
                .contains(&format!("href=\"/book?station={station}\""))
        );
        let z = app
            .api(Method::GET, "/api/v1/zones/440305", None, None)
            .await;
        assert_eq!(z.status, 200, "{}", z.body);
        assert_eq!(
            z.json()["stations"][0]["book_url"],
            format!("/book?station={station}")
        );
        let link = r
            .body
            .split("/zones/440305/interpretations/")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .expect("interpretation link")
            .to_string();
        let r = app
            .get(&format!("/zones/440305/interpretations/{link}"), None)
            .await;
        assert_eq!(r.status, 200);
        assert!(r.body.contains("&#60;b&#62;温馨提示"), "inert: {}", r.body);
        assert!(!r.body.contains("<b>温馨提示"));
        let r = app.get("/feeds/440305/zone.atom", None).await;
        assert!(r.body.contains("<feed") && r.body.contains("【解读】"));
        let r = app.get("/feeds/city/zone.json", None).await;
        assert!(r.body.contains("jsonfeed.org") && r.body.contains("【处置】"));
        assert_eq!(app.get("/feeds/999999/zone.json", None).await.status, 404);
        for path in ["/products", "/financing-needs", "/valuation", "/disposal"] {
            assert_eq!(app.get(path, None).await.status, 200, "{path}");
        }
        let r = app.get("/financing-needs", None).await;
        assert!(r.body.contains("深圳市南山示例科技有限公司"));
        assert!(
            !r.body.contains("柔性电路板产线扩产"),
            "not listed publicly"
        );
        let r = app.get("/search?q=%E8%B4%A8%E6%8A%BC", None).await; // 质押
        assert!(r.body.contains("/products/") && r.body.contains("/zones/440305/interpretations/"));
        let r = app.get("/search?q=%E8%B4%A8", None).await; // one character
        assert!(r.body.contains("q-error"));
        let r = app.api(Method::GET, "/api/v1/search?q=x", None, None).await;
        assert_eq!(r.status, 422);

        // A bank: every open need; a product with min above max refused, every error at once.
        let bank = app.login("bank.manager").await;
        let r = app.get("/matchmaking", Some(&bank)).await;
        assert_eq!(r.status, 200);
        assert!(
            r.body.contains("深圳市福田样本电子有限公司"),
            "proposed to the bank"
        );
        let r = app.get("/financing-needs", Some(&bank)).await;
        assert!(
            r.body.contains("柔性电路板产线扩产"),
            "a bank sees every open need"
        );
        let before = app.audit_count().await;
        let r = app
            .post_form(
                "/matchmaking/products",
                Some(&bank),
                &[
                    ("name", "测试产品"),
                    ("min_amount", "5000000"),
                    ("max_amount", "100000"),
                    ("min_months", "36"),
                    ("max_months", "12"),
                    ("min_rate", "abc"),
                    ("max_rate", "4"),
                    ("contact", "0755-1"),
                ],
            )
            .await;
        assert_eq!(r.status, 422, "{n}");
        for id in [
            "min_amount-error",
            "min_months-error",
            "min_rate-error",
            "ip_kinds-error",
        ] {
            assert!(r.body.contains(id), "{id}");
        }
        assert!(r.body.contains("value=\"测试产品\""));
        assert_eq!(app.audit_count().await, before);
        let r = app
            .post_form(
                "/matchmaking/products",
                Some(&bank),
                &[
                    ("name", "测试产品"),
                    ("ip_kinds", "patent"),
                    ("min_amount", "100000"),
                    ("max_amount", "5000000"),
                    ("min_months", "6"),
                    ("max_months", "36"),
                    ("min_rate", "3.1"),
                    ("max_rate", "4"),
                    ("contact", "0755-12345678"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{n}: {}", r.body);
        // Interest in a need, not twice a day.
        let need = r_need(&app).await;
        let r = app
            .post_form(
                &format!("/financing-needs/{need}/interest"),
                Some(&bank),
                &[("message", "欢迎来电")],
            )
            .await;
        assert_eq!(r.status, 303, "{n}");
        let r = app
            .post_form(
                &format!("/financing-needs/{need}/interest"),
                Some(&bank),
                &[("message", "再次")],
            )
            .await;
        assert_eq!(r.status, 409, "{n}");
        assert!(r.body.contains("每天只能提出一次"));

        // An enterprise: a need without IP refused; a contact request through the API.
        let ent = app.login("ent.user").await;
        let r = app
            .post_form(
                "/matchmaking/needs",
                Some(&ent),
                &[
                    ("amount", "1000000"),
                    ("months", "12"),
                    ("purpose", "流动资金"),
                ],
            )
            .await;
        assert_eq!(r.status, 422);
        assert!(r.body.contains("ip_asset_ids-error"));
        let r = app.get("/matchmaking", Some(&ent)).await;
        assert!(
            r.body.contains("知易贷（知识产权质押）"),
            "proposed with reasons"
        );
        assert!(r.body.contains("金额"));
        let token = app.token("深圳市南山示例科技有限公司").await;
        let products = app.api(Method::GET, "/api/v1/products", None, None).await;
        let v: serde_json::Value = serde_json::from_str(&products.body).expect("json");
        let pid = v["items"][0]["id"].as_i64().expect("id");
        let r = app
            .api(
                Method::POST,
                &format!("/api/v1/products/{pid}/contact"),
                Some(&token),
                Some(r#"{"message":"请联系"}"#.into()),
            )
            .await;
        assert_eq!(r.status, 201, "{n}: {}", r.body);
        let r = app
            .api(
                Method::POST,
                &format!("/api/v1/products/{pid}/contact"),
                Some(&token),
                Some("{}".into()),
            )
            .await;
        assert_eq!(r.status, 409);

        // Disposal: bad input refused with every error, nothing stored.
        let r = app.get("/disposals", Some(&bank)).await;
        assert!(r.body.contains("SN-ZY-2024-0318"));
        let loan = r
            .body
            .split("name=\"loan_id\" value=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .expect("loan")
            .to_string();
        let before = app.audit_count().await;
        let r = app
            .post_form(
                "/disposals",
                Some(&bank),
                &[
                    ("loan_id", &loan),
                    ("title", "再次挂牌处置"),
                    ("reserve", ""),
                    ("closes_on", "2020-01-01"),
                ],
            )
            .await;
        assert_eq!(r.status, 422);
        for id in ["reserve-error", "closes_on-error", "ip_asset_ids-error"] {
            assert!(r.body.contains(id), "{id}");
        }
        assert_eq!(app.audit_count().await, before);
        // The listing's outcome needs the tick; then sold.
        let r = app.get("/disposal", None).await;
        let lid = r
            .body
            .split("href=\"/disposal/")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .expect("listing")
            .to_string();
        let r = app
            .post_form(
                &format!("/disposal/{lid}/interest"),
                Some(&ent),
                &[("name", "李四"), ("contact", "13900000000")],
            )
            .await;
        assert_eq!(r.status, 303);
        let r = app
            .post_form(
                &format!("/disposals/{lid}/outcome"),
                Some(&bank),
                &[("status", "sold"), ("price", "1900000")],
            )
            .await;
        assert_eq!(r.status, 422);
        assert!(r.body.contains("confirm-error"));
        let r = app
            .post_form(
                &format!("/disposals/{lid}/outcome"),
                Some(&bank),
                &[("status", "sold"), ("price", "1900000"), ("confirm", "yes")],
            )
            .await;
        assert_eq!(r.status, 303);
        let r = app.get(&format!("/disposals/{lid}"), Some(&bank)).await;
        assert!(r.body.contains("李四") && r.body.contains("/loans/"));
        // Another bank neither sees nor decides it.
        let bank2 = app.login("bank2.manager").await;
        assert_eq!(
            app.get(&format!("/disposals/{lid}"), Some(&bank2))
                .await
                .status,
            404
        );

        // Officers write an interpretation; its text stays text.
        let ns = app.login("ns.officer").await;
        let r = app
            .post_form(
                "/interpretations",
                Some(&ns),
                &[("title", "短"), ("body", "")],
            )
            .await;
        assert_eq!(r.status, 422);
        for id in ["title-error", "body-error", "policy_version_id-error"] {
            assert!(r.body.contains(id), "{id}");
        }
    }
}

async fn r_need(app: &TestApp) -> i64 {
    ipfin_store::db::fetch_i64(
        app.store().conn(),
        "SELECT MIN(id) FROM financing_needs WHERE status = 'open'",
        vec![],
    )
    .await
    .expect("need")
}

#[tokio::test]
async fn a_valuation_quote_from_request_to_report_on_pages_and_api() {
    for app in TestApp::all().await {
        let n = app.db.name;
        // The directory, signed out: the demo institution's profile.
        let r = app.get("/valuation", None).await;
        assert_eq!(r.status, 200, "{n}");
        assert!(r.body.contains("华信资产评估有限公司"), "{n}");
        assert!(r.body.contains("8,000.00 – 50,000.00"), "{n}: {}", r.body);
        let v = app
            .api(Method::GET, "/api/v1/valuation/institutions", None, None)
            .await
            .json();
        let valuer = v["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|i| i["name"] == "华信资产评估有限公司")
            .expect("the valuer")
            .clone();
        let valuer_id = valuer["org_id"].as_i64().expect("id");
        assert_eq!(valuer["fee_min_fen"], 800_000);

        // The institution edits its profile: every wrong field at once, what was typed kept.
        let val = app.login("valuer.user").await;
        let before = app.audit_count().await;
        let r = app
            .post_form(
                "/valuation/profile",
                Some(&val),
                &[
                    ("qualifications", ""),
                    ("fee_min", "90000"),
                    ("fee_max", "5千"),
                ],
            )
            .await;
        assert_eq!(r.status, 422, "{n}: {}", r.body);
        for id in ["qualifications-error", "ip_kinds-error", "fee_max-error"] {
            assert!(r.body.contains(id), "{n}: {id}");
        }
        assert!(r.body.contains("value=\"90000\""), "{n}");
        let r = app
            .post_form(
                "/valuation/profile",
                Some(&val),
                &[
                    ("qualifications", "资产评估资格 No.44020001"),
                    ("ip_kinds", "patent"),
                    ("ip_kinds", "trademark"),
                    ("fee_min", "90000"),
                    ("fee_max", "5000"),
                ],
            )
            .await;
        assert_eq!(r.status, 422, "{n}");
        assert!(
            r.body.contains("最低评估收费不能高于最高评估收费"),
            "{n}: {}",
            r.body
        );
        assert_eq!(app.audit_count().await, before, "{n}: nothing stored");

        // The enterprise asks for a quote on one of its patents.
        let ent = app.login("ent.user").await;
        let asset = ipfin_store::db::fetch_i64(
            app.store().conn(),
            "SELECT MIN(a.id) FROM ip_assets a JOIN enterprises e ON e.id = a.enterprise_id \
             WHERE e.name = '深圳市南山示例科技有限公司' AND a.kind = 'patent'",
            vec![],
        )
        .await
        .expect("a patent of the enterprise");
        let page = app.get("/valuation", Some(&ent)).await;
        assert!(
            page.body.contains(&format!("<option value=\"{asset}\"")),
            "{n}"
        );
        let vid = valuer_id.to_string();
        let r = app
            .post_form(
                "/valuation/quotes",
                Some(&ent),
                &[
                    ("valuer_org_id", &vid),
                    ("asset_id", ""),
                    ("note", "质押贷款用"),
                ],
            )
            .await;
        assert_eq!(r.status, 422, "{n}");
        assert!(r.body.contains(&format!("asset-{valuer_id}-error")), "{n}");
        assert!(r.body.contains("value=\"质押贷款用\""), "{n}");
        let form = [
            ("valuer_org_id", vid.as_str()),
            ("asset_id", &asset.to_string()),
            ("note", "质押贷款用"),
        ];
        let r = app.post_form("/valuation/quotes", Some(&ent), &form).await;
        assert_eq!(r.status, 303, "{n}: {}", r.body);
        let r = app.post_form("/valuation/quotes", Some(&ent), &form).await;
        assert_eq!(
            r.status, 409,
            "{n}: one open quote per asset and institution"
        );
        let ent_token = app.token("深圳市南山示例科技有限公司").await;
        let q = app
            .api(
                Method::GET,
                "/api/v1/valuation/quotes",
                Some(&ent_token),
                None,
            )
            .await
            .json();
        let quote = q["items"][0]["id"].as_i64().expect("quote");
        assert_eq!(q["items"][0]["status"], "requested");

        // Another bank neither sees nor answers it; the institution answers on its page.
        let bank = app.login("bank.manager").await;
        let r = app
            .post_form(
                &format!("/valuation/quotes/{quote}/answer"),
                Some(&bank),
                &[("fee", "12000"), ("days", "10")],
            )
            .await;
        assert_eq!(r.status, 404, "{n}");
        let list = app.get("/valuation/quotes", Some(&bank)).await;
        assert!(!list.body.contains("质押贷款用"), "{n}");
        let r = app
            .post_form(
                &format!("/valuation/quotes/{quote}/answer"),
                Some(&val),
                &[("fee", "abc"), ("days", "0")],
            )
            .await;
        assert_eq!(r.status, 422, "{n}");
        assert!(
            r.body.contains(&format!("fee-{quote}-error"))
                && r.body.contains(&format!("days-{quote}-error"))
        );
        let r = app
            .post_form(
                &format!("/valuation/quotes/{quote}/answer"),
                Some(&val),
                &[("fee", "12000"), ("days", "10"), ("note", "含现场勘查")],
            )
            .await;
        assert_eq!(r.status, 303, "{n}: {}", r.body);

        // The enterprise accepts through the API (once); the institution records the report.
        let accept = format!("/api/v1/valuation/quotes/{quote}/accept");
        let r = app.api(Method::POST, &accept, Some(&ent_token), None).await;
        assert_eq!(r.status, 204, "{n}: {}", r.body);
        let r = app.api(Method::POST, &accept, Some(&ent_token), None).await;
        assert_eq!(r.status, 409, "{n}");
        let tomorrow = (ipfin_store::today_shanghai() + chrono::Days::new(1)).to_string();
        let r = app
            .post_form(
                &format!("/valuation/quotes/{quote}/report"),
                Some(&val),
                &[
                    ("report_number", "HX-PG-2026-088"),
                    ("report_date", &tomorrow),
                    ("appraised", ""),
                ],
            )
            .await;
        assert_eq!(r.status, 422, "{n}");
        assert!(
            r.body.contains(&format!("rd-{quote}-error"))
                && r.body.contains(&format!("ap-{quote}-error"))
        );
        let valuer_token = app.token("华信资产评估有限公司").await;
        let today = ipfin_store::today_shanghai().to_string();
        let r = app
            .api(
                Method::POST,
                &format!("/api/v1/valuation/quotes/{quote}/report"),
                Some(&valuer_token),
                Some(
                    serde_json::json!({"report_number": "HX-PG-2026-088", "report_date": today,
                        "appraised_fen": 800_000_000})
                    .to_string(),
                ),
            )
            .await;
        assert_eq!(r.status, 204, "{n}: {}", r.body);
        let q = app
            .api(
                Method::GET,
                "/api/v1/valuation/quotes",
                Some(&ent_token),
                None,
            )
            .await
            .json();
        assert_eq!(q["items"][0]["status"], "reported", "{n}");
        assert_eq!(q["items"][0]["appraised_fen"], 800_000_000);
        assert_eq!(q["items"][0]["asset"]["id"], asset);
        // The district sees it; the other enterprise does not.
        let ns = app.login("ns.officer").await;
        let r = app.get("/valuation/quotes", Some(&ns)).await;
        assert!(r.body.contains("HX-PG-2026-088"), "{n}");
        let ent2 = app.login("ent2.user").await;
        let r = app.get("/valuation/quotes", Some(&ent2)).await;
        assert!(!r.body.contains("HX-PG-2026-088"), "{n}");
        // A kind the institution does not value is refused with its reason.
        let r = app
            .api(
                Method::PUT,
                "/api/v1/valuation/profile",
                Some(&valuer_token),
                Some(
                    serde_json::json!({"qualifications": "资产评估资格 No.44020001", "ip_kinds": ["trademark"],
                        "fee_min_fen": 800_000, "fee_max_fen": 5_000_000})
                    .to_string(),
                ),
            )
            .await;
        assert_eq!(r.status, 204, "{n}: {}", r.body);
        let r = app
            .api(
                Method::POST,
                "/api/v1/valuation/quotes",
                Some(&ent_token),
                Some(
                    serde_json::json!({"valuer_org_id": valuer_id, "asset_id": asset}).to_string(),
                ),
            )
            .await;
        assert_eq!(r.status, 422, "{n}: {}", r.body);
        assert!(r.body.contains("valuation.kind_not_valued"), "{n}");
        app.cleanup().await;
    }
}
