//! The coordination mechanism through the real router (R1.1, issue #8): the district page shows
//! departments with contacts and the data-sharing arrangements with the overdue one flagged; a
//! lead officer records an arrangement (a refused form stores nothing), delivers it by a linked
//! import on the imports page, and ends it with confirmation; the API reads and writes the same
//! record; the conformance matrix's R1.1 cell counts the arrangements.

mod support;

use axum::http::{Method, StatusCode};
use ipfin_store::db::fetch_i64;
use support::TestApp;

async fn arrangements(app: &TestApp) -> i64 {
    fetch_i64(
        app.store().conn(),
        "SELECT COUNT(*) FROM sharing_arrangements",
        vec![],
    )
    .await
    .expect("count")
}

#[tokio::test]
async fn arrangements_on_the_page_through_imports_and_the_api() {
    for app in TestApp::all().await {
        let ns = app.login("ns.officer").await;
        let member = app.login("ns.finance").await;
        let lead = app.org_id("南山区市场监督管理局").await;
        let finance = app.org_id("南山区财政局").await;

        // The district page: contacts, the three demo arrangements, the tax one overdue.
        let page = app.get("/districts/440305", Some(&member)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("南山联络员"), "contact persons");
        assert!(page.body.contains("数据共享约定"));
        assert!(page.body.contains("纳税信息"));
        assert!(
            page.body.contains("逾期"),
            "the overdue tax arrangement is flagged"
        );
        assert!(
            !page.body.contains("action=\"/districts/440305/sharing\""),
            "member departments read only"
        );
        let page = app.get("/districts/440305", Some(&ns)).await;
        assert!(page.body.contains("action=\"/districts/440305/sharing\""));

        // A refused form shows the error beside its field and stores nothing.
        let before = arrangements(&app).await;
        let r = app
            .post_form(
                "/districts/440305/sharing",
                Some(&ns),
                &[
                    ("provider_org_id", &finance.to_string()),
                    ("dataset", "credit"),
                    ("frequency", "monthly"),
                    ("provenance", ""),
                    ("recipients", &lead.to_string()),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("请填写数据来源"), "{}", r.body);
        let r = app
            .post_form(
                "/districts/440305/sharing",
                Some(&member),
                &[
                    ("provider_org_id", &finance.to_string()),
                    ("dataset", "credit"),
                    ("frequency", "monthly"),
                    ("provenance", "区公共信用信息平台"),
                    ("recipients", &lead.to_string()),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "members cannot record");
        assert_eq!(arrangements(&app).await, before);

        // Recorded: credit data from the finance bureau, delivered as tags.
        let r = app
            .post_form(
                "/districts/440305/sharing",
                Some(&ns),
                &[
                    ("provider_org_id", &finance.to_string()),
                    ("dataset", "sci_tech"),
                    ("frequency", "monthly"),
                    ("provenance", "区科技创新局专精特新企业名单"),
                    ("recipients", &lead.to_string()),
                    ("recipients", &finance.to_string()),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let at = r.location().expect("to the arrangement").to_string();
        let id: i64 = at
            .trim_start_matches("/districts/440305/sharing/")
            .split('?')
            .next()
            .and_then(|s| s.parse().ok())
            .expect("id");
        let page = app.get(&at, Some(&member)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("专精特新企业名单"));
        assert!(page.body.contains("尚未报送"));

        // The imports page offers the arrangement; a registry import of the wrong kind is
        // refused before anything starts, the tag import is linked as its delivery.
        let imports = app
            .get(&format!("/imports?kind=tags&arrangement={id}"), Some(&ns))
            .await;
        assert!(
            imports
                .body
                .contains(&format!("<option value=\"{id}\" selected>")),
            "{}",
            imports.body
        );
        let csv = format!(
            "统一社会信用代码,标签类型,来源,认定年度\n{},high_tech,区科技创新局名单,2026\n",
            ipfin_store::demo::demo_credit_code("440305", 101)
        );
        let upload = |kind: &str| {
            let (ct, body) = support::multipart(
                &[
                    ("_csrf", ns.csrf.as_str()),
                    ("kind", kind),
                    ("arrangement_id", &id.to_string()),
                ],
                Some(("名单.csv", csv.as_bytes())),
            );
            app.send(
                axum::http::Request::builder()
                    .method(Method::POST)
                    .uri("/imports")
                    .header("cookie", &ns.cookie)
                    .header("content-type", ct)
                    .body(axum::body::Body::from(body))
                    .expect("request"),
            )
        };
        let imports_before = fetch_i64(app.store().conn(), "SELECT COUNT(*) FROM imports", vec![])
            .await
            .expect("imports");
        let r = upload("enterprises").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("须通过“企业标签"), "{}", r.body);
        assert_eq!(
            fetch_i64(app.store().conn(), "SELECT COUNT(*) FROM imports", vec![])
                .await
                .expect("imports"),
            imports_before,
            "no import started"
        );
        let r = upload("tags").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let progress = r.location().expect("progress").to_string();
        let mut done = false;
        for _ in 0..200 {
            let p = app.get(&progress, Some(&ns)).await;
            if !p.body.contains("http-equiv=\"refresh\"") {
                done = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        assert!(done, "import finished");

        // The API reads the delivery; a bad arrangement is refused with its field named.
        let officer_token = app.token("南山区市场监督管理局").await;
        let member_token = app.token("南山区财政局").await;
        let r = app
            .api(
                Method::GET,
                &format!("/api/v1/districts/440305/sharing/{id}"),
                Some(&member_token),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let j = r.json();
        let today = ipfin_store::today_shanghai().to_string();
        assert_eq!(j["arrangement"]["last_delivery"], today.as_str());
        assert_eq!(j["arrangement"]["deliveries"], 1);
        assert_eq!(j["arrangement"]["state"]["state"], "on_time");
        assert_eq!(j["deliveries"].as_array().map(Vec::len), Some(1));
        let r = app
            .api(
                Method::GET,
                "/api/v1/districts/440305/coordination",
                Some(&member_token),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        let j = r.json();
        assert_eq!(j["arrangements"].as_array().map(Vec::len), Some(4));
        assert!(
            j["departments"]
                .as_array()
                .expect("departments")
                .iter()
                .any(|d| d["is_lead"] == true && d["contacts"][0]["name"] == "南山联络员")
        );
        let body = |provenance: &str| {
            serde_json::json!({"provider_org_id": finance, "dataset": "credit", "frequency": "yearly",
                               "provenance": provenance, "recipients": [lead]})
            .to_string()
        };
        let city = app.token("深圳市市场监督管理局（知识产权局）").await;
        let r = app
            .api(
                Method::POST,
                "/api/v1/districts/440305/sharing",
                Some(&city),
                Some(body("x")),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["code"], "sharing.provenance");
        let r = app
            .api(
                Method::POST,
                "/api/v1/districts/440305/sharing",
                Some(&city),
                Some(body("区公共信用信息平台")),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        // A department's token reads only (tokens never manage a district).
        let r = app
            .api(
                Method::POST,
                "/api/v1/districts/440305/sharing",
                Some(&officer_token),
                Some(body("区公共信用信息平台")),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        assert_eq!(arrangements(&app).await, before + 2);

        // Ending needs the confirmation; then the arrangement is ended, once.
        let end = format!("/districts/440305/sharing/{id}/end");
        let r = app.post_form(&end, Some(&ns), &[]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("我已确认"));
        let r = app.post_form(&end, Some(&ns), &[("confirm", "yes")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = app
            .get(&format!("/districts/440305/sharing/{id}"), Some(&ns))
            .await;
        assert!(page.body.contains("已终止"));
        let r = app.post_form(&end, Some(&ns), &[("confirm", "yes")]).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "ended once: {}", r.body);

        // The conformance matrix names the lead and counts the running arrangements.
        let r = app
            .api(Method::GET, "/api/v1/conformance", Some(&city), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let rows = r.json();
        let ns_row = rows
            .as_array()
            .expect("rows")
            .iter()
            .find(|r| r["district_code"] == "440305")
            .expect("nanshan");
        let r11 = &ns_row["cells"][0];
        assert_eq!(r11["requirement"], "R1.1");
        assert_eq!(r11["status"], "pass");
        assert!(
            r11["finding"]
                .as_str()
                .is_some_and(|f| f.contains("数据共享约定 4 项") && f.contains("纳税信息")),
            "{r11}"
        );
        app.cleanup().await;
    }
}
