//! Policies through the real router on both databases: drafting, circulating for comments,
//! publishing, immutability, revising; the rule schema; the subsidy calculator computing a
//! Nanshan-style case; the working-day tool.

mod support;

use axum::http::Method;
use ipfin_domain::Scope;
use serde_json::json;
use support::TestApp;

/// Signs a person in and returns a caller that sends JSON with their session cookie
/// (department tokens act as members only; drafting is a person's work).
async fn person(app: &TestApp, username: &str) -> support::Session {
    app.login(username).await
}

async fn as_person(
    app: &TestApp,
    s: &support::Session,
    method: Method,
    path: &str,
    body: Option<String>,
) -> support::Resp {
    let mut b = axum::http::Request::builder()
        .method(method)
        .uri(path)
        .header("cookie", &s.cookie);
    let body = match body {
        Some(x) => {
            b = b.header("content-type", "application/json");
            axum::body::Body::from(x)
        }
        None => axum::body::Body::empty(),
    };
    app.send(b.body(body).expect("request")).await
}

/// Starts a draft in the browser; returns its page and id.
async fn new_draft(app: &TestApp, s: &support::Session) -> (String, i64) {
    let r = app.post_form("/policy-drafts", Some(s), &[]).await;
    let at = r
        .location()
        .and_then(|l| l.split('?').next())
        .expect("draft page")
        .to_string();
    let id = at
        .rsplit('/')
        .next()
        .and_then(|x| x.parse().ok())
        .expect("id");
    (at, id)
}

/// A Nanshan-style policy document (SPEC §3.4).
fn nanshan_doc(title: &str) -> serde_json::Value {
    let ratio = json!({"large": "0.7", "medium": "0.7", "small": "0.7", "micro": "0.7"});
    let items: Vec<serde_json::Value> = ["interest", "evaluation", "guarantee", "insurance"]
        .iter()
        .map(|i| json!({"item": i, "ratio": ratio}))
        .collect();
    json!({
        "title": title,
        "year": 2026,
        "financing_modes": ["pledge"],
        "ip_types": ["patent", "trademark", "copyright"],
        "rules": {
            "items": items,
            "enterprise_cap": {"amount_fen": {"large": 150000000, "medium": 150000000, "small": 150000000, "micro": 150000000}, "period": "year"}
        },
        "budget": {"total_fen": 5000000000i64, "mode": "pro_rata"},
        "batches": [{"name": "第一批", "opens": "2026-03-02", "closes": "2026-04-30"}],
        "contact": "南山区市场监督管理局知识产权科"
    })
}

#[tokio::test]
async fn a_policy_is_drafted_circulated_published_and_revised() {
    for app in TestApp::all().await {
        let officer = person(&app, "ns.officer").await;
        let finance = app.token("南山区财政局").await;
        let ft = app.token("福田区市场监督管理局").await;
        let created = as_person(
            &app,
            &officer,
            Method::POST,
            "/api/v1/policies",
            Some(nanshan_doc("南山测试政策").to_string()),
        )
        .await;
        assert_eq!(created.status, 201, "{}: {}", app.name(), created.body);
        let id = created.json()["id"].as_i64().expect("id");
        assert_eq!(created.json()["status"], "draft");
        // Not public yet; Futian cannot see it either.
        assert_eq!(
            app.api(Method::GET, &format!("/api/v1/policies/{id}"), None, None)
                .await
                .status,
            404
        );
        assert_eq!(
            app.api(
                Method::GET,
                &format!("/api/v1/policies/{id}"),
                Some(&ft),
                None
            )
            .await
            .status,
            404
        );
        // A bad document names the JSON path; nothing changes.
        let mut bad = nanshan_doc("南山测试政策");
        bad["rules"]["items"][0]["ratio"]["small"] = json!("1.5");
        let r = as_person(
            &app,
            &officer,
            Method::PUT,
            &format!("/api/v1/policies/{id}"),
            Some(bad.to_string()),
        )
        .await;
        assert_eq!(r.status, 422);
        assert_eq!(
            r.json()["field"],
            "rules.items[0].ratio.small",
            "{}",
            r.body
        );
        let mut overlap = nanshan_doc("南山测试政策");
        overlap["batches"] = json!([{"name": "一", "opens": "2026-03-01", "closes": "2026-05-01"}, {"name": "二", "opens": "2026-04-01", "closes": "2026-06-01"}]);
        let r = as_person(
            &app,
            &officer,
            Method::PUT,
            &format!("/api/v1/policies/{id}"),
            Some(overlap.to_string()),
        )
        .await;
        assert_eq!(
            (r.status.as_u16(), r.json()["code"].as_str()),
            (422, Some("policy.batch_overlap"))
        );
        // Circulated to the district's departments, who comment.
        let r = as_person(
            &app,
            &officer,
            Method::POST,
            &format!("/api/v1/policies/{id}/circulate"),
            None,
        )
        .await;
        assert_eq!(r.json()["status"], "circulating", "{}", r.body);
        let r = app
            .api(
                Method::POST,
                &format!("/api/v1/policies/{id}/comments"),
                Some(&finance),
                Some(json!({"body": "建议明确预算按比例核减的规则。"}).to_string()),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        let r = as_person(
            &app,
            &officer,
            Method::GET,
            &format!("/api/v1/policies/{id}"),
            None,
        )
        .await;
        assert_eq!(
            r.json()["comments"][0]["org_name"],
            "南山区财政局",
            "{}",
            r.body
        );
        // Published (prepared, then confirmed by a second officer): public, immutable.
        let r = as_person(
            &app,
            &officer,
            Method::POST,
            &format!("/api/v1/policies/{id}/publish"),
            None,
        )
        .await;
        assert_eq!(r.status, 202, "{}", r.body);
        assert_eq!(r.json()["kind"], "policy.publish", "{}", r.body);
        let cid = r.json()["confirmation_id"].as_i64().expect("request");
        let r = as_person(
            &app,
            &officer,
            Method::GET,
            &format!("/api/v1/policies/{id}"),
            None,
        )
        .await;
        assert_eq!(r.json()["status"], "circulating", "not yet published");
        let r = as_person(
            &app,
            &officer,
            Method::POST,
            &format!("/api/v1/confirmations/{cid}/confirm"),
            None,
        )
        .await;
        assert_eq!(
            (r.status.as_u16(), r.json()["code"].as_str()),
            (409, Some("confirmation.same_person")),
            "{}",
            r.body
        );
        let r = app.confirm_by_api(cid, "ns.checker").await;
        assert_eq!(r.json()["status"], "confirmed", "{}", r.body);
        let public = app
            .api(Method::GET, &format!("/api/v1/policies/{id}"), None, None)
            .await;
        assert_eq!(public.status, 200);
        assert!(
            public.json()["comments"]
                .as_array()
                .is_some_and(|c| c.is_empty()),
            "comments stay internal"
        );
        let r = as_person(
            &app,
            &officer,
            Method::PUT,
            &format!("/api/v1/policies/{id}"),
            Some(nanshan_doc("改").to_string()),
        )
        .await;
        assert_eq!(
            (r.status.as_u16(), r.json()["code"].as_str()),
            (409, Some("policy.published_immutable"))
        );
        // A revision: a new draft; publishing it supersedes the first.
        let r = as_person(
            &app,
            &officer,
            Method::POST,
            &format!("/api/v1/policies/{id}/revise"),
            None,
        )
        .await;
        let v2 = r.json()["id"]
            .as_i64()
            .unwrap_or_else(|| panic!("{}: {}", app.name(), r.body));
        assert_eq!(r.json()["version"], 2);
        let again = as_person(
            &app,
            &officer,
            Method::POST,
            &format!("/api/v1/policies/{id}/revise"),
            None,
        )
        .await;
        assert_eq!(again.json()["code"], "policy.revision_open");
        let r = as_person(
            &app,
            &officer,
            Method::POST,
            &format!("/api/v1/policies/{v2}/publish"),
            None,
        )
        .await;
        let cid = r.json()["confirmation_id"].as_i64().expect("request");
        let r = app.confirm_by_api(cid, "ns.checker").await;
        assert_eq!(r.status, 200, "{}", r.body);
        let first = app
            .api(Method::GET, &format!("/api/v1/policies/{id}"), None, None)
            .await;
        assert_eq!(first.json()["status"], "superseded");
        let list = app
            .api(Method::GET, "/api/v1/policies?district=440305", None, None)
            .await;
        assert!(
            list.body.contains("南山测试政策")
                && list.body.contains("南山区知识产权质押融资扶持措施"),
            "{}",
            list.body
        );
        app.cleanup().await;
    }
}

#[tokio::test]
async fn the_calculator_computes_a_nanshan_case_with_its_derivation() {
    for app in TestApp::all().await {
        let list = app
            .api(Method::GET, "/api/v1/policies?district=440305", None, None)
            .await;
        let id = list.json()[0]["id"].as_i64().expect("the demo policy");
        let loan = json!({
            "reference": "招商银行 2026-NS-001",
            "principal_fen": 1000000000i64,
            "ip_share": {"kind": "sole"},
            "ip_kind": "patent",
            "start": "2025-03-01",
            "end": "2026-03-01",
            "annual_rate": "0.0345",
            "interest_paid_fen": 35000000,
            "evaluation_fee_fen": 3000000,
            "guarantee_fee_fen": 10000000,
            "insurance_fee_fen": 2000000
        });
        let body = json!({"policy_version_id": id, "class": "small", "loans": [loan]});
        let r = app
            .api(
                Method::POST,
                "/api/v1/tools/subsidy-calculator",
                None,
                Some(body.to_string()),
            )
            .await;
        assert_eq!(r.status, 200, "{}: {}", app.name(), r.body);
        // 70% of 350,000 + 30,000 + 100,000 + 20,000 = 350,000.00 元.
        assert_eq!(r.json()["total_fen"], 35_000_000);
        assert_eq!(r.json()["items"][0]["amount_fen"], 24_500_000);
        assert!(
            r.body.contains("融资金额 = min(本金 10,000,000.00 元"),
            "{}",
            r.body
        );
        // Near the yearly cap: 1,300,000 used, 200,000 remain.
        let body = json!({"policy_version_id": id, "class": "small", "enterprise_used_fen": 130000000, "loans": [loan]});
        let r = app
            .api(
                Method::POST,
                "/api/v1/tools/subsidy-calculator",
                None,
                Some(body.to_string()),
            )
            .await;
        assert_eq!(r.json()["total_fen"], 20_000_000);
        // A loan without dates names the field; an unknown version is refused.
        let mut undated = loan.clone();
        undated.as_object_mut().expect("object").remove("start");
        let body = json!({"policy_version_id": id, "class": "small", "loans": [undated]});
        let r = app
            .api(
                Method::POST,
                "/api/v1/tools/subsidy-calculator",
                None,
                Some(body.to_string()),
            )
            .await;
        assert_eq!(r.status, 422);
        assert!(
            r.json()["message"]
                .as_str()
                .is_some_and(|m| m.contains("start")),
            "{}",
            r.body
        );
        let body = json!({"policy_version_id": 999999, "class": "small", "loans": [loan]});
        let r = app
            .api(
                Method::POST,
                "/api/v1/tools/subsidy-calculator",
                None,
                Some(body.to_string()),
            )
            .await;
        assert_eq!(
            (r.status.as_u16(), r.json()["code"].as_str()),
            (422, Some("policy.unpublished"))
        );
        app.cleanup().await;
    }
}

#[tokio::test]
async fn working_days_and_the_schema_are_public() {
    for app in TestApp::all().await {
        let r = app
            .api(
                Method::GET,
                "/api/v1/tools/working-days?start=2026-02-13&days=3",
                None,
                None,
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(
            r.json(),
            json!({"start": "2026-02-13", "end": "2026-02-24", "days": 3})
        );
        let r = app
            .api(
                Method::GET,
                "/api/v1/tools/working-days?start=2027-01-04&days=3",
                None,
                None,
            )
            .await;
        assert_eq!(
            (r.status.as_u16(), r.json()["code"].as_str()),
            (422, Some("calendar.not_covered"))
        );
        let r = app
            .api(
                Method::GET,
                "/api/v1/tools/working-days?start=2026-13-01&days=3",
                None,
                None,
            )
            .await;
        assert_eq!(
            (r.status.as_u16(), r.json()["field"].as_str()),
            (422, Some("start"))
        );
        let s = app
            .api(Method::GET, "/api/v1/schemas/policy-rules.json", None, None)
            .await;
        assert_eq!(s.status, 200);
        assert!(
            s.json()["$schema"]
                .as_str()
                .is_some_and(|v| v.contains("json-schema.org"))
        );
        assert!(s.body.contains("enterprise_cap"));
        app.cleanup().await;
    }
}

#[tokio::test]
async fn the_public_pages_show_policies_their_clear_card_and_the_calculator() {
    for app in TestApp::all().await {
        let list = app.get("/policies", None).await;
        assert_eq!(list.status, 200);
        assert!(
            list.body
                .contains("南山区知识产权质押融资扶持措施（2026 年修订）"),
            "{}",
            app.name()
        );
        let id = app
            .api(Method::GET, "/api/v1/policies?district=440305", None, None)
            .await
            .json()[0]["id"]
            .as_i64()
            .expect("id");
        let card = app.get(&format!("/policies/{id}"), None).await;
        assert_eq!(card.status, 200);
        for text in [
            "谁可以申请",
            "注册地在南山区",
            "具有独立法人资格",
            "70%",
            "每家企业每年资助最高 1,500,000.00 元",
            "知识产权质押证明",
            "class=\"card clear-card\"",
        ] {
            assert!(
                card.body.contains(text),
                "{}: clear card lacks {text}",
                app.name()
            );
        }
        // It prints on A4 by the site's stylesheet (the pages carry no inline style: CSP).
        let css = app.get("/static/app.css", None).await;
        assert!(css.body.contains("@page { size: A4"), "{}", app.name());
        let svg = app.get(&format!("/policies/{id}/card.svg"), None).await;
        assert_eq!(svg.status, 200);
        assert!(svg.body.starts_with("<svg") && svg.body.contains("谁可以申请"));
        let docx = app.get(&format!("/policies/{id}/card.docx"), None).await;
        assert_eq!(docx.status, 200);
        assert!(
            docx.headers["content-type"]
                .to_str()
                .is_ok_and(|c| c.contains("wordprocessingml"))
        );
        // The calculator in the browser: a Nanshan-style case, amounts in yuan.
        let q = format!(
            "/tools/subsidy-calculator?policy={id}&class=small&principal=10%2C000%2C000&start=2025-03-01&end=2026-03-01&rate=3.45&interest=350000&evaluation=30000&guarantee=100000&insurance=20000"
        );
        let r = app.get(&q, None).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(
            r.body
                .contains("<p class=\"ok\">测算资助合计： 350,000.00 元</p>"),
            "{}",
            r.body
        );
        assert!(r.body.contains("融资金额 = min(本金 10,000,000.00 元"));
        let bad = app.get(&format!("/tools/subsidy-calculator?policy={id}&principal=abc&start=2025-03-01&end=2026-03-01"), None).await;
        assert_eq!(bad.status, 422);
        assert!(bad.body.contains("请填写不小于 0 的金额"));
        let backwards = app.get(&format!("/tools/subsidy-calculator?policy={id}&principal=100&start=2026-03-01&end=2025-03-01"), None).await;
        assert_eq!(backwards.status, 422);
        assert!(
            backwards.body.contains("应晚于放款日"),
            "{}",
            backwards.body
        );
        app.cleanup().await;
    }
}

#[tokio::test]
async fn the_city_sees_policy_conformance_per_district() {
    for app in TestApp::all().await {
        let city = app.login("city.admin").await;
        let r = as_person(
            &app,
            &city,
            Method::GET,
            "/api/v1/conformance/policies",
            None,
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let rows = r.json();
        let rows = rows.as_array().expect("array");
        assert_eq!(rows.len(), 11, "every district and zone");
        let futian = rows
            .iter()
            .find(|d| d["district_code"] == "440304")
            .expect("futian");
        let failed: Vec<&str> = futian["checks"]
            .as_array()
            .expect("checks")
            .iter()
            .filter(|c| c["passed"] == false)
            .filter_map(|c| c["code"].as_str())
            .collect();
        // The demo Futian policy covers patents only and lacks the insurance item.
        assert!(
            failed.contains(&"policy.ip_types") && failed.contains(&"policy.items"),
            "{failed:?}"
        );
        let page = app.get("/conformance", Some(&city)).await;
        assert_eq!(page.status, 200);
        assert!(
            page.body.contains("福田区") && page.body.contains("未覆盖：商标、著作权"),
            "{}",
            app.name()
        );
        let ns = app.login("ns.officer").await;
        let own = as_person(&app, &ns, Method::GET, "/api/v1/conformance/policies", None).await;
        assert_eq!(
            own.json().as_array().map(|a| a.len()),
            Some(1),
            "a district sees its own row"
        );
        app.cleanup().await;
    }
}

#[tokio::test]
async fn each_district_has_an_atom_and_a_json_feed() {
    for app in TestApp::all().await {
        let atom = app.get("/feeds/440305/policies.atom", None).await;
        assert_eq!(atom.status, 200);
        assert!(
            atom.headers["content-type"]
                .to_str()
                .is_ok_and(|c| c.starts_with("application/atom+xml"))
        );
        assert!(
            atom.body
                .contains("<feed xmlns=\"http://www.w3.org/2005/Atom\">")
        );
        assert!(
            atom.body
                .contains("<title>南山区知识产权质押融资扶持措施（2026 年修订）</title>"),
            "{}",
            atom.body
        );
        let json = app.get("/feeds/440304/policies.json", None).await;
        let v: serde_json::Value = serde_json::from_str(&json.body).expect("json");
        assert_eq!(v["version"], "https://jsonfeed.org/version/1.1");
        assert!(
            v["items"][0]["title"]
                .as_str()
                .is_some_and(|t| t.contains("福田区"))
        );
        assert_eq!(
            app.get("/feeds/999999/policies.atom", None).await.status,
            404
        );
        app.cleanup().await;
    }
}

#[tokio::test]
async fn an_officer_drafts_circulates_and_publishes_in_the_browser() {
    for app in TestApp::all().await {
        let ns = app.login("ns.officer").await;
        assert_eq!(app.get("/policy-drafts", Some(&ns)).await.status, 200);
        let r = app.post_form("/policy-drafts", Some(&ns), &[]).await;
        assert_eq!(r.status, 303, "{}", r.body);
        let at = r
            .location()
            .expect("draft page")
            .split('?')
            .next()
            .expect("path")
            .to_string();
        let page = app.get(&at, Some(&ns)).await;
        assert!(
            page.body.contains("（草稿）") && page.body.contains("<textarea id=\"document\""),
            "{}",
            app.name()
        );
        let id: i64 = at
            .rsplit('/')
            .next()
            .and_then(|x| x.parse().ok())
            .expect("id");
        let doc: serde_json::Value = {
            let v = app
                .api(Method::GET, &format!("/api/v1/policies/{id}"), None, None)
                .await;
            assert_eq!(v.status, 404, "a draft is not public");
            let mine = as_person(
                &app,
                &ns,
                Method::GET,
                &format!("/api/v1/policies/{id}"),
                None,
            )
            .await;
            mine.json()["document"].clone()
        };
        // A ratio above 100% is refused on the page with its JSON path; nothing changes.
        let mut bad = doc.clone();
        bad["rules"]["items"][0]["ratio"]["micro"] = json!("1.2");
        let r = app
            .post_form(
                &at,
                Some(&ns),
                &[("action", "save"), ("document", &bad.to_string())],
            )
            .await;
        assert_eq!(r.status, 422);
        assert!(
            r.body.contains("<code>rules.items[0].ratio.micro</code>"),
            "{}",
            r.body
        );
        let mut good = doc.clone();
        good["title"] = json!("南山区知识产权质押融资扶持措施（2027 年征求意见稿）");
        let r = app
            .post_form(
                &at,
                Some(&ns),
                &[("action", "save"), ("document", &good.to_string())],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        app.post_form(&at, Some(&ns), &[("action", "circulate")])
            .await;
        // A member department comments; another district cannot even see the draft.
        let finance = app.login("ns.finance").await;
        let r = app
            .post_form(
                &at,
                Some(&finance),
                &[("action", "comment"), ("body", "预算安排已与财政局核对。")],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        assert!(
            app.get(&at, Some(&ns))
                .await
                .body
                .contains("预算安排已与财政局核对。")
        );
        let ft = app.login("ft.officer").await;
        assert_eq!(app.get(&at, Some(&ft)).await.status, 404);
        // Publishing needs the confirmation.
        let r = app
            .post_form(&at, Some(&ns), &[("action", "publish")])
            .await;
        assert_eq!(r.status, 422);
        let r = app
            .post_form(&at, Some(&ns), &[("action", "publish"), ("confirm", "yes")])
            .await;
        assert_eq!(r.status, 303);
        // Prepared: the page says it awaits a second person, and nothing is public yet.
        let waiting = app.get(r.location().expect("request"), Some(&ns)).await;
        assert!(
            waiting
                .body
                .contains("等待本区牵头部门的另一位经办人员确认"),
            "{}",
            waiting.body
        );
        assert_eq!(app.get(&format!("/policies/{id}"), None).await.status, 404);
        app.confirm_on_page(r.location(), "ns.checker").await;
        let public = app.get(&format!("/policies/{id}"), None).await;
        assert!(public.body.contains("2027 年征求意见稿"), "{}", app.name());
        app.cleanup().await;
    }
}

#[tokio::test]
async fn the_city_enters_lpr_values_that_calculations_use() {
    for app in TestApp::all().await {
        let city = app.login("city.admin").await;
        assert!(
            app.get("/reference-data", Some(&city))
                .await
                .body
                .contains("2026")
        );
        let bad = app
            .post_form(
                "/reference-data/lpr",
                Some(&city),
                &[
                    ("date", "2026-12-21"),
                    ("one_year", "abc"),
                    ("over_five_years", "3.5"),
                ],
            )
            .await;
        assert_eq!(bad.status, 422);
        let ok = app
            .post_form(
                "/reference-data/lpr",
                Some(&city),
                &[
                    ("date", "2026-12-21"),
                    ("one_year", "2.95"),
                    ("over_five_years", "3.45"),
                ],
            )
            .await;
        assert_eq!(ok.status, 303, "{}", ok.body);
        let table = app.store().lpr_table().await.expect("lpr");
        assert_eq!(
            table
                .published_in(ipfin_domain::policy::LprTerm::OneYear, 2026, 12)
                .expect("December 2026")
                .to_string(),
            "0.0295"
        );
        // A new year's arrangement makes periods in that year computable.
        let r = app
            .api(
                Method::GET,
                "/api/v1/tools/working-days?start=2027-01-29&days=3",
                None,
                None,
            )
            .await;
        assert_eq!(r.status, 422);
        let bad = app
            .post_form(
                "/reference-data/calendar",
                Some(&city),
                &[
                    ("year", "2027"),
                    ("notice", "测试通知"),
                    ("holidays", "2026-12-31"),
                ],
            )
            .await;
        assert_eq!(bad.status, 422);
        assert!(bad.body.contains("不在 2027 年内"), "{}", bad.body);
        let ok = app
            .post_form(
                "/reference-data/calendar",
                Some(&city),
                &[
                    ("year", "2027"),
                    ("notice", "测试通知"),
                    ("holidays", "2027-01-01\n2027-02-05~2027-02-13"),
                    ("workdays", "2027-02-14"),
                ],
            )
            .await;
        assert_eq!(ok.status, 303, "{}", ok.body);
        // Fri 29 Jan is day 1, Mon 1 Feb day 2, Tue 2 Feb day 3.
        let r = app
            .api(
                Method::GET,
                "/api/v1/tools/working-days?start=2027-01-29&days=3",
                None,
                None,
            )
            .await;
        assert_eq!(r.json()["end"], "2027-02-02", "{}", r.body);
        // Thu 4 Feb day 1, then 5–13 Feb off, Sun 14 Feb worked: day 2.
        let r = app
            .api(
                Method::GET,
                "/api/v1/tools/working-days?start=2027-02-04&days=2",
                None,
                None,
            )
            .await;
        assert_eq!(r.json()["end"], "2027-02-14", "{}", r.body);
        let ns = app.login("ns.officer").await;
        assert_eq!(
            app.post_form(
                "/reference-data/lpr",
                Some(&ns),
                &[
                    ("date", "2026-12-21"),
                    ("one_year", "1"),
                    ("over_five_years", "1")
                ]
            )
            .await
            .status,
            403
        );
        app.cleanup().await;
    }
}

#[tokio::test]
async fn eligibility_is_decided_with_its_evidence() {
    for app in TestApp::all().await {
        let id = app
            .api(Method::GET, "/api/v1/policies?district=440305", None, None)
            .await
            .json()[0]["id"]
            .as_i64()
            .expect("id");
        // The demo's Nanshan enterprise user, on the Nanshan policy.
        let ent = app.login("ent.user").await;
        let page = app.get(&format!("/policies/{id}"), Some(&ent)).await;
        assert!(
            page.body.contains("本企业是否符合申请条件"),
            "{}",
            app.name()
        );
        let mine = as_person(&app, &ent, Method::GET, "/api/v1/enterprises", None).await;
        let ent_id = mine.json()["items"][0]["id"].as_i64().expect("own record");
        let r = as_person(
            &app,
            &ent,
            Method::GET,
            &format!("/api/v1/policies/{id}/eligibility/{ent_id}"),
            None,
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let conditions = r.json()["conditions"]
            .as_array()
            .expect("conditions")
            .clone();
        assert_eq!(conditions.len(), 3);
        assert!(
            conditions[0]["evidence"]
                .as_str()
                .is_some_and(|e| e.contains("企业库登记信息"))
        );
        // Another enterprise's record is not reachable.
        let other = app.login("ent2.user").await;
        let r = as_person(
            &app,
            &other,
            Method::GET,
            &format!("/api/v1/policies/{id}/eligibility/{ent_id}"),
            None,
        )
        .await;
        assert_eq!(r.status, 404);
        app.cleanup().await;
    }
}

/// Publishes a document as the Nanshan officer and returns the version id.
async fn publish(app: &TestApp, s: &support::Session, doc: serde_json::Value) -> i64 {
    let r = as_person(
        app,
        s,
        Method::POST,
        "/api/v1/policies",
        Some(doc.to_string()),
    )
    .await;
    assert_eq!(r.status, 201, "{}: {}", app.name(), r.body);
    let id = r.json()["id"].as_i64().expect("id");
    let p = as_person(
        app,
        s,
        Method::POST,
        &format!("/api/v1/policies/{id}/publish"),
        None,
    )
    .await;
    assert_eq!(p.status, 202, "{}", p.body);
    // Four eyes: a second officer confirms.
    let cid = p.json()["confirmation_id"].as_i64().expect("request");
    let c = app.confirm_by_api(cid, "ns.checker").await;
    assert_eq!(c.json()["status"], "confirmed", "{}", c.body);
    id
}

fn policy(title: &str, rules: serde_json::Value) -> serde_json::Value {
    json!({"title": title, "year": 2026, "financing_modes": ["pledge"], "ip_types": ["patent", "trademark", "copyright"], "rules": rules})
}

fn all(v: &str) -> serde_json::Value {
    json!({"large": v, "medium": v, "small": v, "micro": v})
}

fn cap(v: i64) -> serde_json::Value {
    json!({"large": v, "medium": v, "small": v, "micro": v})
}

async fn calc(
    app: &TestApp,
    id: i64,
    class: &str,
    extra: serde_json::Value,
    loans: serde_json::Value,
) -> serde_json::Value {
    let mut body = json!({"policy_version_id": id, "class": class, "loans": loans});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            b.insert(k.clone(), v.clone());
        }
    }
    let r = app
        .api(
            Method::POST,
            "/api/v1/tools/subsidy-calculator",
            None,
            Some(body.to_string()),
        )
        .await;
    assert!(r.status == 200 || r.status == 422, "{}", r.body);
    r.json()
}

/// The rule sets of SPEC §3.4 built through the API as policy documents and run through the
/// calculator API; the figures are worked out by hand in the comments.
#[tokio::test]
async fn every_rule_set_through_the_api() {
    for app in TestApp::all().await {
        let ns = person(&app, "ns.officer").await;
        // Futian-style: patents only, loans up to 365 days, 50% of interest, fees count up to 4%
        // of the principal, CNY 2 million a year.
        let futian = publish(&app, &ns, policy("福田式", json!({
            "items": [
                {"item": "interest", "ratio": all("0.5")},
                {"item": "guarantee", "ratio": all("0.5"), "base_max_share_of_principal": "0.04"}
            ],
            "enterprise_cap": {"amount_fen": cap(200_000_000), "period": "year"},
            "conditions": {"ip_kinds": ["patent"], "max_loan_days": 365}
        }))).await;
        let loan = json!({"reference": "FT-01", "principal_fen": 500_000_000i64, "ip_share": {"kind": "sole"}, "ip_kind": "patent",
            "start": "2026-01-10", "end": "2027-01-10", "annual_rate": "0.0345", "interest_paid_fen": 17_250_000, "guarantee_fee_fen": 25_000_000});
        let trademark = json!({"reference": "FT-02", "principal_fen": 100_000_000i64, "ip_share": {"kind": "sole"}, "ip_kind": "trademark",
            "start": "2026-02-01", "end": "2026-12-01", "annual_rate": "0.0345", "interest_paid_fen": 3_000_000});
        // 172,500 × 50% = 86,250; min(250,000, 4% × 5,000,000 = 200,000) × 50% = 100,000;
        // the trademark loan does not count.
        let r = calc(&app, futian, "medium", json!({}), json!([loan, trademark])).await;
        assert_eq!(r["total_fen"], 18_625_000, "{}: {r}", app.name());

        // Fujian-style: 20% of min(December 1-year LPR of the repayment year, actual rate) on the
        // financed amount, 50% for small and micro enterprises with a guarantee; CNY 200,000 for
        // life.
        let fujian = publish(&app, &ns, policy("福建式", json!({
            "items": [{"item": "interest", "ratio": all("0.2"),
                "ratio_if_guaranteed": {"large": "0.2", "medium": "0.2", "small": "0.5", "micro": "0.5"},
                "interest": {"rate_base": {"date": "repayment_year_month", "term": "one_year", "month": 12}, "max_days": 365}}],
            "enterprise_cap": {"amount_fen": cap(20_000_000), "period": "lifetime"}
        }))).await;
        let loan = json!({"reference": "FJ-1", "principal_fen": 200_000_000i64, "ip_share": {"kind": "sole"}, "ip_kind": "patent",
            "start": "2025-01-01", "end": "2025-12-31", "annual_rate": "0.0345", "guarantee_fee_fen": 1_000_000});
        // 2,000,000 × min(3.00%, 3.45%) × 364 ÷ 360 = 60,666.666…; × 50% = 30,333.33 元.
        let r = calc(&app, fujian, "small", json!({}), json!([loan])).await;
        assert_eq!(r["total_fen"], 3_033_333, "{r}");
        // Large: × 20% = 12,133.33 元. With 180,000 used of the lifetime cap: 20,000 remain.
        assert_eq!(
            calc(&app, fujian, "large", json!({}), json!([loan])).await["total_fen"],
            1_213_333
        );
        assert_eq!(
            calc(
                &app,
                fujian,
                "small",
                json!({"enterprise_used_fen": 18_000_000}),
                json!([loan])
            )
            .await["total_fen"],
            2_000_000
        );

        // Beijing-style: 40% of interest where the rate is at most 40% above the LPR; revenue at
        // most CNY 200 million; CNY 500,000 a year.
        let beijing = publish(&app, &ns, policy("北京式", json!({
            "items": [{"item": "interest", "ratio": all("0.4"),
                "interest": {"max_rate_over_lpr": [{"date": "loan_start", "term": "one_year"}, "0.4"]}}],
            "enterprise_cap": {"amount_fen": cap(50_000_000), "period": "year"},
            "conditions": {"max_revenue_fen": 20_000_000_000i64}
        }))).await;
        let a = json!({"reference": "BJ-A", "principal_fen": 1_000_000_000i64, "ip_share": {"kind": "sole"}, "ip_kind": "patent",
            "start": "2025-06-01", "end": "2026-06-01", "annual_rate": "0.040", "interest_paid_fen": 40_000_000});
        let b = json!({"reference": "BJ-B", "principal_fen": 500_000_000i64, "ip_share": {"kind": "sole"}, "ip_kind": "patent",
            "start": "2025-06-01", "end": "2026-06-01", "annual_rate": "0.045", "interest_paid_fen": 22_500_000});
        // Ceiling 3.00% × 1.4 = 4.20%: only BJ-A counts, 400,000 × 40% = 160,000.
        let r = calc(
            &app,
            beijing,
            "medium",
            json!({"operating_revenue_fen": 15_000_000_000i64}),
            json!([a, b]),
        )
        .await;
        assert_eq!(r["total_fen"], 16_000_000, "{r}");
        let r = calc(
            &app,
            beijing,
            "medium",
            json!({"operating_revenue_fen": 25_000_000_000i64}),
            json!([a]),
        )
        .await;
        assert_eq!(
            (r["eligible"].as_bool(), r["total_fen"].as_i64()),
            (Some(false), Some(0))
        );

        // Caps as a share of the loan: interest ≤ 3% and ≤ 250,000; guarantee ≤ 1.2%;
        // evaluation ≤ 0.5%; paid in full up to those caps.
        let shares = publish(&app, &ns, policy("按贷款比例封顶", json!({
            "items": [
                {"item": "interest", "ratio": all("1"), "cap_share_of_principal": "0.03", "cap_fen": cap(25_000_000)},
                {"item": "guarantee", "ratio": all("1"), "cap_share_of_principal": "0.012"},
                {"item": "evaluation", "ratio": all("1"), "cap_share_of_principal": "0.005"}
            ]
        }))).await;
        let loan = json!({"reference": "CAP-1", "principal_fen": 1_000_000_000i64, "ip_share": {"kind": "sole"}, "ip_kind": "patent",
            "start": "2025-07-01", "end": "2026-07-01", "annual_rate": "0.0345", "interest_paid_fen": 38_000_000,
            "guarantee_fee_fen": 15_000_000, "evaluation_fee_fen": 4_000_000});
        // 250,000 + 120,000 + 40,000 = 410,000.
        assert_eq!(
            calc(&app, shares, "micro", json!({}), json!([loan])).await["total_fen"],
            41_000_000
        );

        // Financed amount: min(10,000,000, secured 8,000,000) × 60% = 4,800,000; interest
        // 345,000 × 60% = 207,000 limited to 4,800,000 × 3.00% × 365 ÷ 360 = 146,000; × 70% =
        // 102,200; guarantee 50,000 × 60% × 70% = 21,000.
        let financed = publish(&app, &ns, policy("融资金额", json!({
            "items": [
                {"item": "interest", "ratio": all("0.7"), "interest": {"limit_to_lpr": {"date": "loan_start", "term": "one_year"}}},
                {"item": "guarantee", "ratio": all("0.7")}
            ]
        }))).await;
        let loan = json!({"reference": "MIX-1", "principal_fen": 1_000_000_000i64, "secured_amount_fen": 800_000_000i64,
            "ip_share": {"kind": "ratio", "ratio": "0.6"}, "ip_kind": "patent", "start": "2025-06-10", "end": "2026-06-10",
            "annual_rate": "0.0345", "interest_paid_fen": 34_500_000, "guarantee_fee_fen": 5_000_000});
        assert_eq!(
            calc(&app, financed, "small", json!({}), json!([loan])).await["total_fen"],
            12_320_000
        );
        app.cleanup().await;
    }
}

#[tokio::test]
async fn the_drafting_form_writes_the_essentials_and_keeps_the_rest() {
    for app in TestApp::all().await {
        let ns = app.login("ns.officer").await;
        let (at, id) = new_draft(&app, &ns).await;
        let page = app.get(&at, Some(&ns)).await;
        assert!(
            page.body.contains("name=\"interest_small\" value=\"70\"")
                && page.body.contains("name=\"interest_micro\" value=\"70\"")
                && page.body.contains("name=\"ent_cap_medium\""),
            "{}",
            app.name()
        );
        let base: Vec<(&str, &str)> = vec![
            ("action", "form"),
            ("title", "南山区知识产权质押融资扶持措施（2027 年）"),
            ("year", "2027"),
            ("mode", "pledge"),
            ("ip", "patent"),
            ("ip", "trademark"),
            ("ip", "copyright"),
            ("item", "interest"),
            ("interest_large", "60"),
            ("interest_sme", "80"),
            // A class of its own: micro enterprises get 90%; the other SMEs take the _sme value.
            ("interest_micro", "90"),
            ("interest_cap_sme", "500000"),
            // Issue #19 item 3: 400,000 per enterprise per policy year for every class.
            ("interest_annual_cap_large", "400000"),
            ("interest_annual_cap_sme", "400000"),
            ("item", "guarantee"),
            ("guarantee_large", "50"),
            ("guarantee_sme", "70"),
            ("ent_cap_large", "1000000"),
            ("ent_cap_sme", "1500000"),
            ("ent_cap_period", "year"),
            ("budget", "30000000"),
            ("budget_mode", "first_come_first_served"),
            ("batch1_name", "第一批"),
            ("batch1_opens", "2027-03-01"),
            ("batch1_closes", "2027-04-30"),
            ("extra_conditions", "成立满 1 年"),
            ("contact", "0755-26000000"),
        ];
        let mut bad = base.clone();
        bad.retain(|(k, _)| *k != "interest_sme");
        bad.push(("interest_sme", "120"));
        let r = app.post_form(&at, Some(&ns), &bad).await;
        assert_eq!(r.status, 422);
        assert!(
            r.body.contains("资助比例应为 0 到 100 之间的百分数"),
            "{}",
            r.body
        );
        let r = app.post_form(&at, Some(&ns), &base).await;
        assert_eq!(r.status, 303, "{}", r.body);
        let v = as_person(
            &app,
            &ns,
            Method::GET,
            &format!("/api/v1/policies/{id}"),
            None,
        )
        .await
        .json();
        let doc = &v["document"];
        assert_eq!(doc["year"], 2027);
        assert_eq!(doc["rules"]["items"].as_array().map(|a| a.len()), Some(2));
        assert_eq!(doc["rules"]["items"][0]["ratio"]["micro"], "0.9");
        assert_eq!(doc["rules"]["items"][0]["ratio"]["small"], "0.8");
        assert_eq!(doc["rules"]["items"][0]["ratio"]["medium"], "0.8");
        assert_eq!(doc["rules"]["items"][0]["ratio"]["large"], "0.6");
        // The page shows each class as saved.
        let page = app.get(&at, Some(&ns)).await;
        assert!(page.body.contains("name=\"interest_micro\" value=\"90\""));
        assert_eq!(doc["rules"]["items"][0]["cap_fen"]["small"], 50_000_000);
        assert_eq!(
            doc["rules"]["items"][0]["annual_cap_fen"]["micro"],
            40_000_000
        );
        assert!(
            page.body
                .contains("name=\"interest_annual_cap_small\" value=\"400000\""),
            "{}",
            page.body
        );
        assert!(doc["rules"]["items"][1].get("annual_cap_fen").is_none());
        assert_eq!(
            doc["rules"]["enterprise_cap"]["amount_fen"]["large"],
            100_000_000
        );
        assert_eq!(doc["budget"]["mode"], "first_come_first_served");
        assert_eq!(doc["eligibility"]["extra_conditions"][0], "成立满 1 年");
        // What the form does not show is kept (the demo Nanshan policy's securitisation rule).
        assert!(doc["rules"]["securitisation"].is_object(), "{doc}");
        // Once published, the extra condition is marked on the public page.
        let r = app
            .post_form(&at, Some(&ns), &[("action", "publish"), ("confirm", "yes")])
            .await;
        app.confirm_on_page(r.location(), "ns.checker").await;
        let public = app.get(&format!("/policies/{id}"), None).await;
        assert!(
            public
                .body
                .contains("附加条件（指导意见未要求）：成立满 1 年")
        );
        assert!(
            public
                .body
                .contains("每家企业每个政策年度最高 400,000.00 元"),
            "{}",
            public.body
        );
        app.cleanup().await;
    }
}

#[tokio::test]
async fn package_documents_are_uploaded_with_a_draft_and_published_with_it() {
    for app in TestApp::all().await {
        let ns = app.login("ns.officer").await;
        let (at, id) = new_draft(&app, &ns).await;
        let send = |session: &support::Session,
                    fields: Vec<(&'static str, String)>,
                    file: Option<(&'static str, Vec<u8>)>| {
            let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let (ct, body) =
                support::multipart(&pairs, file.as_ref().map(|(n, b)| (*n, b.as_slice())));
            axum::http::Request::builder()
                .method(Method::POST)
                .uri(format!("{at}/attachments"))
                .header("cookie", &session.cookie)
                .header("content-type", ct)
                .body(axum::body::Body::from(body))
                .expect("request")
        };
        let fields = |s: &support::Session| {
            vec![
                ("_csrf", s.csrf.clone()),
                ("kind", "notice".to_string()),
                ("title", "2027 年申报通知".to_string()),
            ]
        };
        // A text file renamed .pdf is refused by its content.
        let r = app
            .send(send(
                &ns,
                fields(&ns),
                Some(("通知.pdf", b"just text".to_vec())),
            ))
            .await;
        assert_eq!(r.status, 422, "{}: {}", app.name(), r.body);
        assert!(r.body.contains("按文件内容判断"));
        let pdf = b"%PDF-1.4\n% ipfin test\n".to_vec();
        let r = app
            .send(send(&ns, fields(&ns), Some(("申报通知.pdf", pdf.clone()))))
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        // Another district cannot attach to Nanshan's draft.
        let ft = app.login("ft.officer").await;
        let r = app
            .send(send(&ft, fields(&ft), Some(("x.pdf", pdf.clone()))))
            .await;
        assert_eq!(r.status, 404);
        // Not public before publishing; downloadable after.
        let page = app.get(&at, Some(&ns)).await;
        let href = page
            .body
            .split("href=\"")
            .find(|h| h.contains("/attachments/"))
            .and_then(|h| h.split('"').next())
            .expect("link")
            .to_string();
        assert_eq!(app.get(&href, None).await.status, 404);
        let r = app
            .post_form(&at, Some(&ns), &[("action", "publish"), ("confirm", "yes")])
            .await;
        app.confirm_on_page(r.location(), "ns.checker").await;
        let public = app.get(&format!("/policies/{id}"), None).await;
        assert!(public.body.contains("2027 年申报通知"), "{}", app.name());
        let file = app.get(&href, None).await;
        assert_eq!(file.status, 200);
        assert_eq!(file.headers["content-type"], "application/pdf");
        assert!(file.body.starts_with("%PDF-1.4"));
        app.cleanup().await;
    }
}

/// Issue #19 items 6 and 7 through the live calculator: every bad field of a request at once,
/// each in Chinese with its path (no serde English, no line and column), the bad
/// amounts refused with 422, and the page saying the same beside its fields.
#[tokio::test]
async fn the_calculator_refuses_bad_input_in_chinese_all_at_once() {
    for app in TestApp::all().await {
        let list = app
            .api(Method::GET, "/api/v1/policies?district=440305", None, None)
            .await;
        let id = list.json()[0]["id"].as_i64().expect("the demo policy");
        let post = |body: serde_json::Value| {
            let app = &app;
            async move {
                app.api(
                    Method::POST,
                    "/api/v1/tools/subsidy-calculator",
                    None,
                    Some(body.to_string()),
                )
                .await
            }
        };
        let good = json!({"reference": "NS-1", "principal_fen": 100_000_000i64,
            "ip_share": {"kind": "sole"}, "ip_kind": "patent", "start": "2025-03-01",
            "end": "2026-03-01", "annual_rate": "0.0345", "interest_paid_fen": 3_500_000});
        let mut bad = good.clone();
        bad.as_object_mut().map(|o| o.remove("ip_share"));
        bad["principal_fen"] = json!("1e3");
        bad["ip_kind"] = json!("domain_name");
        bad["start"] = json!("2025-02-30");
        let r = post(json!({"policy_version_id": id, "class": "small", "enterprise_used_fen": "0", "loans": [bad]})).await;
        assert_eq!(r.status, 422, "{}: {}", app.name(), r.body);
        let errors = r.json()["errors"].as_array().cloned().unwrap_or_default();
        let paths: Vec<&str> = errors.iter().filter_map(|e| e["field"].as_str()).collect();
        assert_eq!(
            paths,
            vec![
                "enterprise_used_fen",
                "loans[0].principal_fen",
                "loans[0].ip_share",
                "loans[0].ip_kind",
                "loans[0].start",
            ],
            "{}",
            r.body
        );
        for w in [
            "expected",
            "invalid type",
            "missing field",
            "unknown variant",
            "line 1",
            "column",
            "out of range",
        ] {
            assert!(!r.body.contains(w), "{w}: {}", r.body);
        }
        assert!(
            r.body.contains("“本金（分）”（principal_fen）应为整数"),
            "{}",
            r.body
        );
        assert!(r.body.contains("可选：patent（专利）"), "{}", r.body);
        assert!(
            r.body.contains("“2025-02-30”不是实际存在的日期"),
            "{}",
            r.body
        );
        // The amounts: above the bound, a negative or zero IP share, an IP amount
        // above the principal, a ratio above 1 — each refused, nothing computed.
        for (field, value, code) in [
            (
                "principal_fen",
                json!(100_000_000_000_001i64),
                "amount.too_large",
            ),
            (
                "ip_share",
                json!({"kind": "amount", "amount_fen": -35_000}),
                "loan.ip_share",
            ),
            (
                "ip_share",
                json!({"kind": "ratio", "ratio": "0"}),
                "loan.ip_share",
            ),
            (
                "ip_share",
                json!({"kind": "amount", "amount_fen": 100_000_001}),
                "loan.ip_share",
            ),
            (
                "ip_share",
                json!({"kind": "ratio", "ratio": "1.2"}),
                "json.ratio",
            ),
            ("interest_paid_fen", json!(-1), "amount.negative"),
        ] {
            let mut l = good.clone();
            l[field] = value;
            let r = post(json!({"policy_version_id": id, "class": "small", "loans": [l]})).await;
            assert_eq!(
                (r.status.as_u16(), r.json()["code"].as_str()),
                (422, Some(code)),
                "{field}: {}",
                r.body
            );
            assert!(r.json()["total_fen"].is_null());
        }
        // Three items near the i64 limit: refused, not a wrapped total.
        let mut l = good.clone();
        for f in [
            "principal_fen",
            "interest_paid_fen",
            "evaluation_fee_fen",
            "guarantee_fee_fen",
        ] {
            l[f] = json!(i64::MAX / 2);
        }
        let r = post(json!({"policy_version_id": id, "class": "small", "loans": [l]})).await;
        assert_eq!(r.status, 422, "{}", r.body);
        // The page: the impossible date and the bad amount beside their fields, in Chinese.
        let page = app.get(&format!("/tools/subsidy-calculator?policy={id}&principal=abc&start=2025-02-30&end=2026-03-01&rate=3.45"), None).await;
        assert_eq!(page.status, 422);
        assert!(
            page.body.contains("贷款本金：请填写不小于 0 的金额"),
            "{}",
            page.body
        );
        assert!(
            page.body.contains("“2025-02-30”不是实际存在的日期"),
            "{}",
            page.body
        );
        app.cleanup().await;
    }
}

/// Issue #19 item 4 through the API: a term in calendar months (12 months = one year over
/// 29 February), refused together with days; rule amounts past the bound refused.
#[tokio::test]
async fn loan_terms_in_months_and_bounded_rule_amounts() {
    for app in TestApp::all().await {
        let ns = person(&app, "ns.officer").await;
        let both = policy(
            "期限",
            json!({"items": [{"item": "interest", "ratio": all("0.5")}],
            "conditions": {"max_loan_days": 365, "max_loan_months": 12}}),
        );
        let r = as_person(
            &app,
            &ns,
            Method::POST,
            "/api/v1/policies",
            Some(both.to_string()),
        )
        .await;
        assert_eq!(
            (r.status.as_u16(), r.json()["code"].as_str()),
            (422, Some("policy.term_units")),
            "{}",
            r.body
        );
        assert!(r.body.contains("不能同时设置"), "{}", r.body);
        let huge = policy(
            "上限",
            json!({"items": [{"item": "interest", "ratio": all("0.5"), "cap_fen": cap(100_000_000_000_001)}]}),
        );
        let r = as_person(
            &app,
            &ns,
            Method::POST,
            "/api/v1/policies",
            Some(huge.to_string()),
        )
        .await;
        assert_eq!(
            (r.status.as_u16(), r.json()["code"].as_str()),
            (422, Some("amount.too_large")),
            "{}",
            r.body
        );
        let months = publish(
            &app,
            &ns,
            policy(
                "按月",
                json!({"items": [{"item": "interest", "ratio": all("0.5")}],
            "conditions": {"max_loan_months": 12}}),
            ),
        )
        .await;
        let loan = |reference: &str, start: &str, end: &str| {
            json!({"reference": reference, "principal_fen": 100_000_000,
            "ip_share": {"kind": "sole"}, "ip_kind": "patent", "start": start, "end": end,
            "annual_rate": "0.0345", "interest_paid_fen": 3_450_000})
        };
        // Over 29 February 2028: 366 days, still 12 months — 34,500 × 50% = 17,250.00 元.
        let r = calc(
            &app,
            months,
            "small",
            json!({}),
            json!([loan("M-1", "2027-03-01", "2028-03-01")]),
        )
        .await;
        assert_eq!(r["total_fen"], 1_725_000, "{r}");
        // A year and a day is excluded, with the reason; nothing else qualifies.
        let r = calc(
            &app,
            months,
            "small",
            json!({}),
            json!([loan("M-2", "2025-03-01", "2026-03-02")]),
        )
        .await;
        assert_eq!(
            (r["eligible"].as_bool(), r["total_fen"].as_i64()),
            (Some(false), Some(0)),
            "{r}"
        );
        assert!(
            r.to_string()
                .contains("超过政策规定的 12 个月（应不晚于 2026年3月1日 到期）"),
            "{r}"
        );
        app.cleanup().await;
    }
}

/// The first published policy of a district.
async fn district_policy(app: &TestApp, code: &str) -> i64 {
    app.api(
        Method::GET,
        &format!("/api/v1/policies?district={code}"),
        None,
        None,
    )
    .await
    .json()[0]["id"]
        .as_i64()
        .expect("the demo policy")
}

/// Issue #19 item 10 through the router: the public calculator (API and page) for bank
/// rewards and securitisation beside enterprise fees, with figures worked out by hand; a kind
/// the policy does not offer and every bad input refused in Chinese, all at once.
#[tokio::test]
async fn the_calculator_for_the_three_kinds() {
    for app in TestApp::all().await {
        // Nanshan: rewards 1% of the financed amount, 1,000,000.00 a year; securitisation 70%,
        // 3,000,000.00 a year, 3 years. Futian offers neither.
        let ns = district_policy(&app, "440305").await;
        let ft = district_policy(&app, "440304").await;
        let post = |body: serde_json::Value| {
            let app = &app;
            async move {
                app.api(
                    Method::POST,
                    "/api/v1/tools/subsidy-calculator",
                    None,
                    Some(body.to_string()),
                )
                .await
            }
        };
        // Institution: 10,000,000 principal, 8,000,000 secured, IP amount 6,000,000 (60%) →
        // financed 4,800,000; 2,000,000 IP alone → 2,000,000; 6,800,000 × 1% = 68,000; with
        // 950,000 granted this year, 50,000 of the 1,000,000 remain.
        let loans = json!([
            {"reference": "深南银行 2026-ZY-9001", "principal_fen": 1_000_000_000i64, "secured_amount_fen": 800_000_000i64,
             "ip_share": {"kind": "amount", "amount_fen": 600_000_000i64}, "ip_kind": "patent", "class": "small", "first_time_borrower": true},
            {"principal_fen": 200_000_000i64, "ip_share": {"kind": "sole"}, "ip_kind": "trademark"}
        ]);
        let r = post(json!({"kind": "institution", "policy_version_id": ns, "loans": loans})).await;
        assert_eq!(r.status, 200, "{}: {}", app.name(), r.body);
        assert_eq!(
            (r.json()["kind"].as_str(), r.json()["total_fen"].as_i64()),
            (Some("institution"), Some(6_800_000))
        );
        let r = post(json!({"kind": "institution", "policy_version_id": ns,
            "granted_this_year_fen": 95_000_000, "loans": loans}))
        .await;
        assert_eq!(r.json()["total_fen"], 5_000_000, "{}", r.body);
        assert!(
            r.body.contains(
                "每家机构每年上限 1,000,000.00 元，本年已获 950,000.00 元，按 50,000.00 元 计。"
            ),
            "{}",
            r.body
        );
        // Securitisation: (3,000,000 + 1,500,000) × 70% = 3,150,000 → 3,000,000 a year; with
        // 500,000 granted this year, 2,500,000. Year 4: beyond the 3 years, not eligible.
        let sec = json!({"kind": "securitisation", "policy_version_id": ns, "year_number": 2,
            "interest_paid_fen": 300_000_000i64, "guarantee_fee_fen": 150_000_000i64});
        let r = post(sec.clone()).await;
        assert_eq!(r.json()["total_fen"], 300_000_000, "{}", r.body);
        let mut granted = sec.clone();
        granted["granted_this_year_fen"] = json!(50_000_000);
        assert_eq!(post(granted).await.json()["total_fen"], 250_000_000);
        let mut fourth = sec.clone();
        fourth["year_number"] = json!(4);
        let r = post(fourth).await;
        assert_eq!(
            (
                r.json()["eligible"].as_bool(),
                r.json()["total_fen"].as_i64()
            ),
            (Some(false), Some(0))
        );
        assert!(r.body.contains("证券化融资支持最多 3 年，本次为第 4 年"));

        // A kind Futian's policy does not offer.
        for kind in ["institution", "securitisation"] {
            let mut b = if kind == "institution" {
                json!({"kind": kind, "loans": loans})
            } else {
                sec.clone()
            };
            b["policy_version_id"] = json!(ft);
            let r = post(b).await;
            assert_eq!(r.status, 422, "{}", r.body);
            assert_eq!(r.json()["code"], "calc.kind_not_offered");
            assert_eq!(r.json()["errors"][0]["field"], "kind");
            assert!(
                r.body
                    .contains("本政策可测算：企业费用资助（enterprise_fee）"),
                "{}",
                r.body
            );
        }

        // Bad input of every kind, all at once, in Chinese, nothing computed.
        let r = post(json!({"kind": "securitisation", "policy_version_id": ns, "year_number": 0,
            "interest_paid_fen": -1, "guarantee_fee_fen": 100_000_000_000_001i64, "class": "small"}))
        .await;
        assert_eq!(r.status, 422);
        let j = r.json();
        let fields: Vec<&str> = j["errors"]
            .as_array()
            .map(|a| a.iter().filter_map(|e| e["field"].as_str()).collect())
            .unwrap_or_default();
        assert_eq!(
            fields,
            vec![
                "class",
                "year_number",
                "interest_paid_fen",
                "guarantee_fee_fen"
            ],
            "{}",
            r.body
        );
        assert!(r.json()["total_fen"].is_null());
        let r = post(json!({"kind": "institution", "policy_version_id": ns, "granted_this_year_fen": -1,
            "loans": [{"principal_fen": 100, "ip_share": {"kind": "ratio", "ratio": "0"}, "ip_kind": "patent"}]}))
        .await;
        let j = r.json();
        let codes: Vec<&str> = j["errors"]
            .as_array()
            .map(|a| a.iter().filter_map(|e| e["code"].as_str()).collect())
            .unwrap_or_default();
        assert_eq!(
            codes,
            vec!["loan.ip_share", "amount.negative"],
            "{}",
            r.body
        );
        // The list on a bank's loan: above the bound, a zero or negative IP share, an
        // IP amount above the principal, a ratio above 1 — each refused at its path.
        for (field, value, path, code) in [
            (
                "principal_fen",
                json!(100_000_000_000_001i64),
                "loans[0].principal_fen",
                "amount.too_large",
            ),
            (
                "ip_share",
                json!({"kind": "amount", "amount_fen": -1}),
                "loans[0].ip_share.amount_fen",
                "loan.ip_share",
            ),
            (
                "ip_share",
                json!({"kind": "amount", "amount_fen": 1_000_000_001i64}),
                "loans[0].ip_share.amount_fen",
                "loan.ip_share",
            ),
            (
                "ip_share",
                json!({"kind": "ratio", "ratio": "1.2"}),
                "loans[0].ip_share.ratio",
                "json.ratio",
            ),
            (
                "secured_amount_fen",
                json!(-5),
                "loans[0].secured_amount_fen",
                "amount.negative",
            ),
        ] {
            let mut l = loans[0].clone();
            l[field] = value;
            let r =
                post(json!({"kind": "institution", "policy_version_id": ns, "loans": [l]})).await;
            assert_eq!(r.status, 422, "{field}: {}", r.body);
            assert_eq!(
                (
                    r.json()["errors"][0]["field"].as_str(),
                    r.json()["errors"][0]["code"].as_str()
                ),
                (Some(path), Some(code)),
                "{}",
                r.body
            );
            assert!(r.json()["total_fen"].is_null());
        }
        let r = post(json!({"kind": "bonds", "policy_version_id": ns})).await;
        assert_eq!(r.json()["errors"][0]["field"], "kind", "{}", r.body);
        assert!(r.body.contains("可选：enterprise_fee（企业费用补贴）、institution（金融机构奖励）、securitisation（知识产权证券化）"), "{}", r.body);

        // The page: the kind is picked by links (no script), its fields shown.
        let page = app
            .get(
                &format!("/tools/subsidy-calculator?kind=institution&policy={ns}"),
                None,
            )
            .await;
        assert_eq!(page.status, 200);
        assert!(
            page.body.contains("name=\"loan3_principal\"") && !page.body.contains("name=\"start\"")
        );
        assert!(
            page.body.contains(&format!(
                "href=\"/tools/subsidy-calculator?kind=securitisation&#38;policy={ns}\""
            )),
            "{}",
            page.body
        );
        let page = app
            .get(&format!("/tools/subsidy-calculator?kind=institution&policy={ns}&granted=950%2C000&loan1_principal=10000000&loan1_secured=8000000&loan1_share=60&loan1_class=small&loan1_first=1&loan2_principal=2000000&loan2_ip_kind=trademark"), None)
            .await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(
            page.body
                .contains("<p class=\"ok\">测算资助合计： 50,000.00 元</p>"),
            "{}",
            page.body
        );
        let page = app
            .get(&format!("/tools/subsidy-calculator?kind=securitisation&policy={ns}&year_number=2&interest=3000000&guarantee=1500000"), None)
            .await;
        assert!(
            page.body
                .contains("<p class=\"ok\">测算资助合计： 3,000,000.00 元</p>"),
            "{}",
            page.body
        );
        // Every error at once beside its field, the input kept.
        let page = app
            .get(&format!("/tools/subsidy-calculator?kind=securitisation&policy={ns}&year_number=x&interest=-5&guarantee=abc"), None)
            .await;
        assert_eq!(page.status, 422);
        for text in [
            "第几年：请填写整数",
            "实付利息：请填写不小于 0 的金额",
            "担保费：请填写不小于 0 的金额",
            "value=\"x\"",
            "value=\"abc\"",
        ] {
            assert!(page.body.contains(text), "{text}: {}", page.body);
        }
        let page = app
            .get(&format!("/tools/subsidy-calculator?kind=institution&policy={ns}&loan1_principal=100&loan1_share=0&loan2_principal=abc"), None)
            .await;
        assert_eq!(page.status, 422);
        assert!(
            page.body
                .contains("第 2 笔贷款贷款本金：请填写不小于 0 的金额"),
            "{}",
            page.body
        );
        assert!(page.body.contains("知识产权占比应大于 0"), "{}", page.body);
        let page = app
            .get(
                &format!(
                    "/tools/subsidy-calculator?kind=institution&policy={ft}&loan1_principal=100"
                ),
                None,
            )
            .await;
        assert_eq!(page.status, 422);
        assert!(
            page.body.contains("所选政策没有银行金融机构奖励条款"),
            "{}",
            page.body
        );
        app.cleanup().await;
    }
}

/// Issue #19 item 3 through the calculator: an item's cap per enterprise per policy year less
/// what was used of it (`item_used_fen`, per item on the page), never negative.
#[tokio::test]
async fn the_calculator_takes_each_items_used_amount() {
    for app in TestApp::all().await {
        let ns = person(&app, "ns.officer").await;
        // Interest 70%, at most 400,000.00 per enterprise per policy year.
        let id = publish(&app, &ns, policy("年度单项上限", json!({
            "items": [{"item": "interest", "ratio": all("0.7"), "annual_cap_fen": cap(40_000_000)},
                      {"item": "guarantee", "ratio": all("0.7")}]
        }))).await;
        let loan = json!({"reference": "NS-9", "principal_fen": 1_000_000_000i64, "ip_share": {"kind": "sole"},
            "ip_kind": "patent", "start": "2026-01-05", "end": "2027-01-05", "annual_rate": "0.035",
            "interest_paid_fen": 35_000_000, "guarantee_fee_fen": 10_000_000});
        // Nothing used: 350,000 × 70% = 245,000 + guarantee 70,000.
        let r = calc(&app, id, "small", json!({}), json!([loan])).await;
        assert_eq!(r["total_fen"], 31_500_000, "{}: {r}", app.name());
        // 245,000 used by an earlier application: 155,000 remain.
        let r = calc(
            &app,
            id,
            "small",
            json!({"item_used_fen": {"interest": 24_500_000}}),
            json!([loan]),
        )
        .await;
        assert_eq!(r["total_fen"], 22_500_000, "{r}");
        assert_eq!(
            (
                r["items"][0]["annual_cap_fen"].as_i64(),
                r["items"][0]["used_fen"].as_i64(),
                r["items"][0]["remaining_fen"].as_i64(),
                r["items"][0]["amount_fen"].as_i64()
            ),
            (
                Some(40_000_000),
                Some(24_500_000),
                Some(15_500_000),
                Some(15_500_000)
            )
        );
        assert!(
            r.to_string()
                .contains("本年度已获批及在审 245,000.00 元，尚余 155,000.00 元"),
            "{r}"
        );
        // More than the cap used: the item is 0, never negative.
        let r = calc(
            &app,
            id,
            "small",
            json!({"item_used_fen": {"interest": 50_000_000}}),
            json!([loan]),
        )
        .await;
        assert_eq!(
            (
                r["items"][0]["amount_fen"].as_i64(),
                r["total_fen"].as_i64()
            ),
            (Some(0), Some(7_000_000)),
            "{r}"
        );
        // A negative used amount: 422 in Chinese, naming the item.
        let r = calc(
            &app,
            id,
            "small",
            json!({"item_used_fen": {"interest": -1}}),
            json!([loan]),
        )
        .await;
        assert_eq!(
            (r["code"].as_str(), r["errors"][0]["field"].as_str()),
            (Some("amount.negative"), Some("item_used_fen.interest")),
            "{r}"
        );
        assert!(
            r["message"]
                .as_str()
                .is_some_and(|m| m.contains("贷款贴息本年度已获批及在审金额不能为负数")),
            "{r}"
        );
        // The page: per item used amounts, the annual columns, a negative one beside its field.
        let q = format!(
            "/tools/subsidy-calculator?policy={id}&class=small&used_interest=245%2C000&principal=10000000&start=2026-01-05&end=2027-01-05&rate=3.5&interest=350000&guarantee=100000"
        );
        let page = app.get(&q, None).await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(
            page.body
                .contains("<p class=\"ok\">测算资助合计： 225,000.00 元</p>"),
            "{}",
            page.body
        );
        // One row of the item table: the cap, what was used and what remains, in that order
        // (each cell labelled for the phone layout).
        let cells = ["400,000.00 元", "245,000.00 元", "155,000.00 元"];
        let row = page
            .body
            .split("<tr>")
            .find(|r| r.contains(">400,000.00 元</td>"))
            .unwrap_or("");
        // The cap's cell, then the next two cells hold what was used and what remains.
        let cap = format!(">{}</td>", cells[0]);
        let mut rest = row.find(&cap).map_or("", |at| &row[at + cap.len()..]);
        for v in &cells[1..] {
            assert!(rest.starts_with("<td"), "{v} right after in: {row}");
            let content = rest.split_once('>').map_or("", |(_, c)| c);
            let cell = format!("{v}</td>");
            assert!(content.starts_with(&cell), "{v} right after in: {row}");
            rest = &content[cell.len()..];
        }
        let page = app
            .get(
                &q.replace("used_interest=245%2C000", "used_interest=-1"),
                None,
            )
            .await;
        assert_eq!(page.status, 422);
        assert!(
            page.body
                .contains("贷款贴息本年度已获批及在审金额：请填写不小于 0 的金额"),
            "{}",
            page.body
        );
        assert!(
            page.body
                .contains("id=\"used_interest\" name=\"used_interest\" value=\"-1\""),
            "{}",
            page.body
        );
        app.cleanup().await;
    }
}

/// Issue #19 item 3 on the application page: the second application of the year under a policy
/// whose interest is capped at 8,000.00 per enterprise per year shows in its derivation what the
/// first one holds (7,000.00) and what remains (1,000.00).
#[tokio::test]
async fn the_application_page_shows_what_was_used_of_an_annual_cap() {
    for app in TestApp::all().await {
        let ns = person(&app, "ns.officer").await;
        let mut doc = nanshan_doc("年度单项上限（申请页）");
        doc["rules"]["items"][0]["annual_cap_fen"] = cap(800_000);
        let policy = publish(&app, &ns, doc).await;
        let s = app.store();
        let bank_id = app.org_id("深南银行深圳分行").await;
        let bank = Scope::Institution {
            org_id: ipfin_domain::id::OrgId::new(bank_id),
        };
        let ent = Scope::Enterprise {
            org_id: ipfin_domain::id::OrgId::new(app.org_id("深圳市南山示例科技有限公司").await),
        };
        use ipfin_store::testing::fixtures::{
            fee_line, report_pledge_loan, submit_fee_application,
        };
        let today: chrono::NaiveDate = "2026-03-10".parse().expect("date");
        let mut ids = Vec::new();
        for (contract, pledge, interest) in [
            ("2026-WEB-0801", "Y2026980080001", 1_000_000),
            ("2026-WEB-0802", "Y2026980080002", 500_000),
        ] {
            report_pledge_loan(s, &bank, contract, pledge, "202310123456.6", interest)
                .await
                .expect("loan");
            ids.push(
                submit_fee_application(
                    s,
                    &ent,
                    policy,
                    vec![fee_line(bank_id, contract, pledge, interest)],
                    today,
                )
                .await
                .expect("submitted"),
            );
        }
        // 10,000.00 × 70% = 7,000.00 for the first; the second's 3,500.00 meets 1,000.00 left.
        let page = app
            .get(&format!("/applications/{}", ids[1]), Some(&ns))
            .await;
        assert_eq!(page.status, 200, "{}: {}", app.name(), page.body);
        assert!(
            page.body.contains("贷款贴息：每家企业本政策年度上限 8,000.00 元，本年度已获批及在审 7,000.00 元，尚余 1,000.00 元；计算金额 3,500.00 元 超过尚余额度，按 1,000.00 元 计。"),
            "{}",
            page.body
        );
        app.cleanup().await;
    }
}
