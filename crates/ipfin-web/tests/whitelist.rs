//! The whitelist through the real router (issue #20 item 1): the district's page with each
//! entry's evidence and its filters, the XLSX, a decision through the form (every error at once
//! beside its field, what was typed kept, nothing stored) and through the API, taking it back
//! with the confirmation; a member department reads but does not decide; a bank gets nothing.

mod support;

use axum::http::Method;
use support::TestApp;

#[tokio::test]
async fn the_district_keeps_its_whitelist_on_pages_and_through_the_api() {
    for app in TestApp::all().await {
        let n = app.db.name;
        let ns = app.login("ns.officer").await;
        let finance = app.login("ns.finance").await;
        let bank = app.login("bank.manager").await;

        // The demo's tags: three enterprises of 南山 are listed today, with their evidence.
        let r = app.get("/whitelist", Some(&ns)).await;
        assert_eq!(r.status, 200, "{n}");
        assert!(r.body.contains("深圳市南山示例科技有限公司"));
        assert!(r.body.contains("高新技术企业（"), "{}", r.body);
        assert!(r.body.contains("深圳市高新技术企业认定名单"));
        assert!(
            !r.body.contains("深圳华科智能装备股份有限公司"),
            "its tag expired"
        );
        assert!(
            !r.body.contains("深圳市华强微电子有限公司"),
            "福田's enterprise"
        );
        // Filters: by tag type.
        let r = app.get("/whitelist?tag=specialised", Some(&ns)).await;
        assert!(r.body.contains("深圳市鹏华光电科技有限公司"));
        assert!(!r.body.contains("深圳市南山示例科技有限公司"));
        let r = app
            .get("/whitelist?source=nope&size=giant", Some(&ns))
            .await;
        assert_eq!(r.status, 422, "{n}");
        assert!(r.body.contains("列入依据应为") && r.body.contains("企业规模应为"));

        // A decision through the form: every error at once, what was typed kept, nothing stored.
        let before = app.audit_count().await;
        let r = app
            .post_form(
                "/whitelist/decisions",
                Some(&ns),
                &[
                    ("credit_code", "91440300MA5XXXXXX"),
                    ("reason", "好"),
                    ("valid_to", "2020-01-01"),
                ],
            )
            .await;
        assert_eq!(r.status, 422, "{n}: {}", r.body);
        assert!(r.body.contains(r#"value="91440300MA5XXXXXX""#));
        assert!(r.body.contains("id=\"credit_code-error\""), "{}", r.body);
        assert_eq!(app.audit_count().await, before);
        // 深圳华科智能装备股份有限公司, the fourth enterprise of the demo registry.
        let huake = ipfin_store::demo::demo_credit_code("440305", 203);
        let r = app
            .post_form(
                "/whitelist/decisions",
                Some(&ns),
                &[
                    ("credit_code", &huake),
                    ("reason", "好"),
                    ("valid_to", "2020-01-01"),
                ],
            )
            .await;
        assert_eq!(r.status, 422, "{n}");
        assert!(r.body.contains("id=\"reason-error\"") && r.body.contains("id=\"valid_to-error\""));
        assert!(r.body.contains(">好</textarea>"));
        // A member department reads the list but may not decide.
        let r = app
            .post_form(
                "/whitelist/decisions",
                Some(&finance),
                &[("credit_code", &huake), ("reason", "核心专利质押意愿强")],
            )
            .await;
        assert_eq!(r.status, 403, "{n}");
        assert_eq!(app.audit_count().await, before);
        let r = app
            .post_form(
                "/whitelist/decisions",
                Some(&ns),
                &[
                    ("credit_code", &huake),
                    ("reason", "核心专利质押意愿强，经走访核实"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{n}: {}", r.body);
        let r = app.get("/whitelist?source=decision", Some(&finance)).await;
        assert!(r.body.contains("深圳华科智能装备股份有限公司"));
        assert!(
            r.body
                .contains("认定决定（核心专利质押意愿强，经走访核实，南山区经办人（演示）")
        );
        assert!(
            !r.body.contains("/remove"),
            "a member department gets no removal form"
        );

        // The XLSX holds the same entries with their evidence.
        let (status, _, bytes) = app.get_bytes("/whitelist/export.xlsx", &ns).await;
        assert_eq!(status, 200, "{n}");
        let mut wb: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("xlsx");
        let sheet = calamine::Reader::worksheet_range(&mut wb, "白名单").expect("sheet");
        let rows: Vec<Vec<String>> = sheet
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect();
        assert_eq!(rows.len(), 5, "{n}: a header and four entries");
        assert!(
            rows.iter()
                .any(|r| r[1] == "深圳华科智能装备股份有限公司" && r[5].contains("认定决定"))
        );

        // The API: the list with evidence; a decision id to take back.
        let token = app.token("南山区市场监督管理局").await;
        let r = app
            .api(
                Method::GET,
                "/api/v1/whitelist?source=decision",
                Some(&token),
                None,
            )
            .await;
        assert_eq!(r.status, 200, "{n}: {}", r.body);
        let j = r.json();
        assert_eq!(j["total"], 1);
        let decision = j["items"][0]["evidence"][0]["decision_id"]
            .as_i64()
            .expect("decision id");
        // A district token reads but never decides.
        let r = app
            .api(
                Method::POST,
                "/api/v1/whitelist/decisions",
                Some(&token),
                Some(format!(
                    r#"{{"credit_code": "{huake}", "reason": "再次列入"}}"#
                )),
            )
            .await;
        assert_eq!(r.status, 403, "{n}: {}", r.body);
        // Taking it back on the page needs the confirmation and a reason.
        let path = format!("/whitelist/decisions/{decision}/remove");
        let r = app
            .post_form(&path, Some(&ns), &[("reason", "企业已迁出本区")])
            .await;
        assert_eq!(r.status, 422, "{n}");
        // The list again with the problem in its summary, not an error page.
        assert!(
            r.body.contains("请勾选确认后再移出") && r.body.contains("error-summary"),
            "{}",
            r.body
        );
        let r = app
            .post_form(
                &path,
                Some(&ns),
                &[("reason", "企业已迁出本区"), ("confirm", "yes")],
            )
            .await;
        assert_eq!(r.status, 303, "{n}: {}", r.body);
        let r = app.get("/whitelist?source=decision", Some(&ns)).await;
        assert!(!r.body.contains("深圳华科智能装备股份有限公司"));

        // A bank sees no whitelist (pushes come with issue #20 item 4).
        assert_eq!(app.get("/whitelist", Some(&bank)).await.status, 403);
        let bt = app.token("深南银行深圳分行").await;
        assert_eq!(
            app.api(Method::GET, "/api/v1/whitelist", Some(&bt), None)
                .await
                .status,
            403
        );
    }
}
