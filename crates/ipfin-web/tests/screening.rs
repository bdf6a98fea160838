//! Screening through the real router (issue #20 item 2): the district's page with the default
//! model, the scored enterprises with their factors (missing facts shown as 缺失), the XLSX;
//! the settings form (bad weights beside their fields, what was typed kept, nothing stored),
//! its preview and the confirmed save as a new version; the API (list, model, preview, PUT);
//! another district's list is not found, a member department reads but does not save, a bank
//! gets nothing.

mod support;

use axum::body::Body;
use axum::http::{Method, Request, header};
use support::TestApp;

const FACTORS: &[&str] = &[
    "invention_patents",
    "trademarks",
    "copyrights",
    "portfolio_growth",
    "rd_intensity",
    "revenue",
    "revenue_growth",
    "no_ip_pledge",
    "financing_need",
    "no_abnormal_operation",
    "no_dishonest_record",
    "size_class",
];
const DEFAULT: &[&str] = &[
    "20", "6", "6", "10", "10", "8", "8", "10", "10", "4", "4", "4",
];

fn form<'a>(weights: &'a [&'a str], threshold: &'a str) -> Vec<(String, &'a str)> {
    let mut v: Vec<(String, &str)> = FACTORS
        .iter()
        .zip(weights)
        .map(|(f, w)| (format!("weights.{f}"), *w))
        .collect();
    v.push(("threshold".into(), threshold));
    v
}

fn body(weights: &[i64], threshold: i64) -> String {
    let w: Vec<String> = FACTORS
        .iter()
        .zip(weights)
        .map(|(f, w)| format!(r#"{{"factor": "{f}", "weight": {w}}}"#))
        .collect();
    format!(
        r#"{{"weights": [{}], "threshold": {threshold}}}"#,
        w.join(", ")
    )
}

#[tokio::test]
async fn the_district_screens_its_enterprises_on_pages_and_through_the_api() {
    for app in TestApp::all().await {
        let n = app.db.name;
        let ns = app.login("ns.officer").await;
        let finance = app.login("ns.finance").await;
        let bank = app.login("bank.manager").await;

        // The default model; the demo's facts make 南山示例 pass, its factors in Chinese.
        let r = app.get("/screening", Some(&ns)).await;
        assert_eq!(r.status, 200, "{n}: {}", r.body);
        assert!(r.body.contains("默认模型"), "{}", r.body);
        assert!(r.body.contains("深圳市南山示例科技有限公司"), "{}", r.body);
        assert!(r.body.contains("有效发明专利："), "{}", r.body);
        assert!(r.body.contains("研发投入强度："));
        // 华科智能 has no R&D figures: shown as missing where it is listed (in the API below).
        assert!(
            !r.body.contains("深圳市华强微电子有限公司"),
            "福田's enterprise"
        );
        // Another district's list is not found; a bank gets nothing.
        assert_eq!(
            app.get("/screening?district=440304", Some(&ns))
                .await
                .status,
            404
        );
        assert_eq!(app.get("/screening", Some(&bank)).await.status, 403);

        // The XLSX holds the passing enterprises with their factors.
        let (status, _, bytes) = app.get_bytes("/screening/export.xlsx", &ns).await;
        assert_eq!(status, 200, "{n}");
        let mut wb: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("xlsx");
        let sheet = calamine::Reader::worksheet_range(&mut wb, "筛选结果").expect("sheet");
        let rows: Vec<Vec<String>> = sheet
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect();
        assert!(rows.len() >= 2, "{n}: {rows:?}");
        assert!(rows[1][5].contains("有效发明专利："), "{:?}", rows[1]);

        // Bad weights through the form: every problem beside its field, typed values kept,
        // nothing stored.
        let before = app.audit_count().await;
        let mut bad = DEFAULT.to_vec();
        bad[0] = "-5";
        bad[4] = "abc";
        let pairs = form(&bad, "40");
        let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        let r = app.post_form("/screening/preview", Some(&ns), &pairs).await;
        assert_eq!(r.status, 422, "{n}: {}", r.body);
        assert!(r.body.contains("id=\"w-rd_intensity-error\""), "{}", r.body);
        assert!(r.body.contains("研发投入强度”的权重应为 0 至 100 的整数"));
        assert!(r.body.contains(r#"value="abc""#));
        let zero = ["0"; 12];
        let pairs = form(&zero, "0");
        let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        let r = app.post_form("/screening/preview", Some(&ns), &pairs).await;
        assert_eq!(r.status, 422, "{n}");
        assert!(r.body.contains("权重不能全部为 0"), "{}", r.body);
        let r = app.post_form("/screening/model", Some(&ns), &pairs).await;
        assert_eq!(r.status, 422, "{n}");
        assert_eq!(app.audit_count().await, before);

        // A preview of a lower threshold: who enters; then the confirmed save.
        let pairs = form(DEFAULT, "5");
        let mut pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        let r = app.post_form("/screening/preview", Some(&ns), &pairs).await;
        assert_eq!(r.status, 200, "{n}: {}", r.body);
        assert!(r.body.contains("新进入"), "{}", r.body);
        assert!(r.body.contains(r#"action="/screening/model""#));
        assert_eq!(app.audit_count().await, before, "a preview stores nothing");
        // Without the confirmation nothing is saved; a member department may not save.
        let r = app.post_form("/screening/model", Some(&ns), &pairs).await;
        assert_eq!(r.status, 422, "{n}");
        pairs.push(("confirm", "yes"));
        pairs.push(("note", "扩大筛选范围"));
        let r = app
            .post_form("/screening/model", Some(&finance), &pairs)
            .await;
        assert_eq!(r.status, 403, "{n}");
        assert_eq!(app.audit_count().await, before);
        let r = app.post_form("/screening/model", Some(&ns), &pairs).await;
        assert_eq!(r.status, 303, "{n}: {}", r.body);
        let r = app.get("/screening", Some(&finance)).await;
        assert!(r.body.contains("扩大筛选范围"), "{}", r.body);
        assert!(
            !r.body.contains(r#"action="/screening/preview""#),
            "no form for a member"
        );

        // The API: the list with factors, missing facts marked.
        let token = app.token("南山区市场监督管理局").await;
        let r = app
            .api(
                Method::GET,
                "/api/v1/screening?per_page=200",
                Some(&token),
                None,
            )
            .await;
        assert_eq!(r.status, 200, "{n}: {}", r.body);
        let j = r.json();
        assert_eq!(j["model"]["version"], 1);
        assert_eq!(j["model"]["threshold"], 5);
        let items = j["items"].as_array().expect("items");
        assert!(!items.is_empty());
        assert!(items.iter().any(|e| {
            e["contributions"]
                .as_array()
                .expect("c")
                .iter()
                .any(|c| c["missing"] == true && c["level"] == "缺失")
        }));
        let r = app
            .api(Method::GET, "/api/v1/screening/model", Some(&token), None)
            .await;
        assert_eq!(r.status, 200);
        assert_eq!(r.json()["history"].as_array().map(Vec::len), Some(1));
        // Preview through the API: bad input is a 422 with every field.
        let r = app
            .api(
                Method::POST,
                "/api/v1/screening/preview",
                Some(&token),
                Some(body(&[-1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 0)),
            )
            .await;
        assert_eq!(r.status, 422, "{n}: {}", r.body);
        assert!(
            r.body.contains("weights.invention_patents") && r.body.contains("weights_all_zero"),
            "{}",
            r.body
        );
        let r = app
            .api(
                Method::POST,
                "/api/v1/screening/preview",
                Some(&token),
                Some(body(&[20, 6, 6, 10, 10, 8, 8, 10, 10, 4, 4, 4], 40)),
            )
            .await;
        assert_eq!(r.status, 200, "{n}: {}", r.body);
        assert_eq!(r.json()["entering"], 0);
        // A token never saves; another district is not found before the body is read.
        let r = app
            .api(
                Method::PUT,
                "/api/v1/screening/model",
                Some(&token),
                Some(body(&[20, 6, 6, 10, 10, 8, 8, 10, 10, 4, 4, 4], 40)),
            )
            .await;
        assert_eq!(r.status, 403, "{n}: {}", r.body);
        let put = |uri: &'static str, b: String| {
            Request::builder()
                .method(Method::PUT)
                .uri(uri)
                .header(header::COOKIE, &ns.cookie)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(b))
                .expect("request")
        };
        let r = app
            .send(put(
                "/api/v1/screening/model?district=440304",
                "not json".into(),
            ))
            .await;
        assert_eq!(r.status, 404, "{n}: {}", r.body);
        let r = app
            .send(put(
                "/api/v1/screening/model",
                body(&[20, 6, 6, 10, 10, 8, 8, 10, 10, 4, 4, 4], 101),
            ))
            .await;
        assert_eq!(r.status, 422, "{n}: {}", r.body);
        assert!(r.body.contains("threshold"), "{}", r.body);
        // The officer signed in saves through the API: version 2.
        let r = app
            .send(put(
                "/api/v1/screening/model",
                body(&[20, 6, 6, 10, 10, 8, 8, 10, 10, 4, 4, 4], 40),
            ))
            .await;
        assert_eq!(r.status, 200, "{n}: {}", r.body);
        assert_eq!(r.json()["version"], 2);
        let bt = app.token("深南银行深圳分行").await;
        assert_eq!(
            app.api(Method::GET, "/api/v1/screening", Some(&bt), None)
                .await
                .status,
            403
        );
    }
}
