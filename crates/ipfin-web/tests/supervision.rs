//! Daily supervision through the real router (issue #8 item 3, R4.3): the district's lead
//! officer plans an inspection, records findings and raises a task for a bank; closing without
//! evidence is refused (422 on `file`, nothing stored); the bank sees and answers only its own
//! task (a disallowed file type refused), through pages and the API; the officer closes with
//! the confirmation; the district's supervision page, the lists' XLSX and the R4.3 cell.

mod support;

use axum::body::Body;
use axum::http::{Method, Request, header};
use ipfin_store::db::fetch_i64;
use ipfin_store::supervision::DEMO_PDF;
use support::{Session, TestApp};

async fn post_multipart(
    app: &TestApp,
    path: &str,
    s: &Session,
    fields: &[(&str, &str)],
    file: Option<(&str, &[u8])>,
) -> support::Resp {
    app.post_multipart(path, s, fields, file).await
}

fn id_from(location: Option<&str>, prefix: &str) -> i64 {
    let l = location.expect("a redirect");
    l.strip_prefix(prefix)
        .and_then(|r| r.split('?').next())
        .and_then(|r| r.parse().ok())
        .unwrap_or_else(|| panic!("{l} starts with {prefix}"))
}

async fn evidence_count(app: &TestApp) -> i64 {
    fetch_i64(
        app.store().conn(),
        "SELECT COUNT(*) FROM rectification_evidence",
        vec![],
    )
    .await
    .expect("count")
}

#[tokio::test]
async fn inspection_to_closed_task_through_pages_and_api() {
    for app in TestApp::all().await {
        let ns = app.login("ns.officer").await;
        let finance = app.login("ns.finance").await;
        let bank2 = app.login("bank2.manager").await;
        let bank1 = app.login("bank.manager").await;
        let bank2_id = app.org_id("鹏城商业银行").await;
        let today = ipfin_store::today_shanghai();
        let due = (today + chrono::Duration::days(7)).to_string();

        // A member department reads but cannot plan.
        let r = app
            .post_form(
                "/supervision/inspections",
                Some(&finance),
                &[("subject", &format!("bank:{bank2_id}"))],
            )
            .await;
        assert_eq!(r.status, 403);
        // A bad date is answered inline, nothing stored.
        let before = app.audit_count().await;
        let r = app
            .post_form(
                "/supervision/inspections",
                Some(&ns),
                &[
                    ("subject", &format!("bank:{bank2_id}")),
                    ("due_on", "2026-13-40"),
                    ("inspectors", "张敏"),
                    ("purpose", "检查贷款台账"),
                ],
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("YYYY-MM-DD"));
        assert_eq!(app.audit_count().await, before);
        let r = app
            .post_form(
                "/supervision/inspections",
                Some(&ns),
                &[
                    ("subject", &format!("bank:{bank2_id}")),
                    ("due_on", &due),
                    ("inspectors", "张敏、李卫"),
                    ("purpose", "检查贷款台账和贴息资料"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let insp = id_from(r.location(), "/supervision/inspections/");
        let page = app
            .get(&format!("/supervision/inspections/{insp}"), Some(&finance))
            .await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("鹏城商业银行") && page.body.contains("检查贷款台账和贴息资料"));
        let r = app
            .post_form(
                &format!("/supervision/inspections/{insp}/findings"),
                Some(&ns),
                &[
                    ("done_on", &today.to_string()),
                    ("result", "issues_found"),
                    ("findings", "贷款台账未按月更新"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let deadline = (today + chrono::Duration::days(30)).to_string();
        let r = app
            .post_form(
                &format!("/supervision/inspections/{insp}/tasks"),
                Some(&ns),
                &[
                    ("owner_org_id", &bank2_id.to_string()),
                    ("deadline", &deadline),
                    ("requirement", "建立按月更新的贷款台账"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let insp_page = app
            .get(&format!("/supervision/inspections/{insp}"), Some(&ns))
            .await;
        let task: i64 = insp_page
            .body
            .split("/supervision/tasks/")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .and_then(|r| r.parse().ok())
            .expect("a task link");

        // Closing without evidence: 422 naming the file, nothing stored.
        let before = (evidence_count(&app).await, app.audit_count().await);
        let r = post_multipart(
            &app,
            &format!("/supervision/tasks/{task}/close"),
            &ns,
            &[("note", "已整改"), ("confirm", "yes")],
            None,
        )
        .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("整改证明文件"), "{}", r.body);
        assert_eq!(
            (evidence_count(&app).await, app.audit_count().await),
            before
        );

        // The bank sees its task (with a notification) and nothing of the district.
        let home = app.get("/home", Some(&bank2)).await;
        assert!(
            home.body.contains("下达整改任务"),
            "notification on the home page"
        );
        let list = app.get("/supervision/tasks", Some(&bank2)).await;
        assert_eq!(list.status, 200);
        assert!(list.body.contains("建立按月更新的贷款台账"));
        assert!(
            !list.body.contains("南山知识产权金融服务站"),
            "no other owner's task"
        );
        assert_eq!(
            app.get(&format!("/supervision/inspections/{insp}"), Some(&bank2))
                .await
                .status,
            403
        );
        assert_eq!(
            app.get("/supervision/districts/440305", Some(&bank2))
                .await
                .status,
            403
        );
        assert_eq!(
            app.get(&format!("/supervision/tasks/{task}"), Some(&bank1))
                .await
                .status,
            404
        );
        // A disallowed type is refused; a PDF with a note is taken.
        let r = post_multipart(
            &app,
            &format!("/supervision/tasks/{task}/evidence"),
            &bank2,
            &[("note", "附整改报告")],
            Some(("report.pdf", b"MZ\x90\x00 not a pdf")),
        )
        .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("按文件内容判断"), "{}", r.body);
        assert_eq!(evidence_count(&app).await, before.0);
        let r = post_multipart(
            &app,
            &format!("/supervision/tasks/{task}/evidence"),
            &bank2,
            &[("note", "已建立月度台账，附整改报告")],
            Some(("整改报告.pdf", DEMO_PDF)),
        )
        .await;
        assert_eq!(r.status, 303, "{}", r.body);
        assert_eq!(evidence_count(&app).await, before.0 + 1);
        // Another bank cannot answer it.
        let r = post_multipart(
            &app,
            &format!("/supervision/tasks/{task}/evidence"),
            &bank1,
            &[("note", "越权")],
            Some(("x.pdf", DEMO_PDF)),
        )
        .await;
        assert_eq!(r.status, 404);

        // Through the API with the bank's token: the task, its evidence, the file.
        let token = app.token("鹏城商业银行").await;
        let r = app
            .api(
                Method::GET,
                &format!("/api/v1/supervision/tasks/{task}"),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let v = r.json();
        assert_eq!(v["task"]["status"], "evidence_submitted");
        let eid = v["evidence"][0]["id"].as_i64().expect("evidence id");
        let f = app
            .api(
                Method::GET,
                &format!("/api/v1/supervision/tasks/{task}/evidence/{eid}"),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(f.status, 200);
        assert_eq!(f.headers["content-type"], "application/pdf");
        let other = app.token("深南银行深圳分行").await;
        let r = app
            .api(
                Method::GET,
                &format!("/api/v1/supervision/tasks/{task}"),
                Some(&other),
                None,
            )
            .await;
        assert_eq!(r.status, 404);

        // Closing asks for confirmation, then closes.
        let r = post_multipart(
            &app,
            &format!("/supervision/tasks/{task}/close"),
            &ns,
            &[("note", "经核查整改到位")],
            None,
        )
        .await;
        assert_eq!(r.status, 422);
        assert!(r.body.contains("确认销号"));
        let r = post_multipart(
            &app,
            &format!("/supervision/tasks/{task}/close"),
            &ns,
            &[("note", "经核查整改到位"), ("confirm", "yes")],
            None,
        )
        .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let page = app
            .get(&format!("/supervision/tasks/{task}"), Some(&bank2))
            .await;
        assert!(page.body.contains("已销号") && page.body.contains("经核查整改到位"));

        // The district's page: targets against the pace, counts, the overdue demo task.
        let page = app
            .get("/supervision/districts/440305", Some(&finance))
            .await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("序时进度") && page.body.contains("逾期整改任务"));
        assert!(page.body.contains("南山知识产权金融服务站"));
        let o = app
            .api(
                Method::GET,
                "/api/v1/supervision/districts/440305",
                Some(&app.token("南山区财政局").await),
                None,
            )
            .await
            .json();
        assert_eq!(o["counts"]["overdue_tasks"], 1, "{o}");
        assert!(o["counts"]["closed_tasks"].as_i64() >= Some(2), "{o}");
        assert_eq!(o["conformance"]["passed"], true, "{o}");
        assert!(!o["targets"].as_array().expect("targets").is_empty());
        let other = app
            .get(
                "/supervision/districts/440305",
                Some(&app.login("ft.officer").await),
            )
            .await;
        assert_eq!(other.status, 404);

        // Lists: overdue filter and XLSX.
        let overdue = app
            .api(
                Method::GET,
                "/api/v1/supervision/tasks?overdue=1",
                Some(&app.token("南山区财政局").await),
                None,
            )
            .await
            .json();
        assert_eq!(overdue["total"], 1);
        let x = app
            .get("/supervision/tasks/export.xlsx?overdue=1", Some(&ns))
            .await;
        assert_eq!(x.status, 200);
        assert!(
            x.headers["content-type"]
                .to_str()
                .expect("ct")
                .contains("spreadsheetml")
        );
        let x = app
            .get("/supervision/inspections/export.xlsx", Some(&ns))
            .await;
        assert_eq!(x.status, 200);

        // The conformance matrix: 440305 passes R4.3, a district without inspections fails.
        let city = app.token("深圳市市场监督管理局（知识产权局）").await;
        let m = app
            .api(Method::GET, "/api/v1/conformance", Some(&city), None)
            .await
            .json();
        let cell = |code: &str| {
            m.as_array()
                .expect("rows")
                .iter()
                .find(|r| r["district_code"] == code)
                .expect("row")["cells"]
                .as_array()
                .expect("cells")
                .iter()
                .find(|c| c["requirement"] == "R4.3")
                .expect("R4.3")
                .clone()
        };
        assert_eq!(cell("440305")["status"], "pass", "{}", cell("440305"));
        assert_eq!(cell("440304")["status"], "fail");
        assert_eq!(
            cell("440305")["evidence"]
                .as_str()
                .map(|s| s.starts_with("/supervision/districts/440305")),
            Some(true)
        );
        app.cleanup().await;
    }
}

#[tokio::test]
async fn api_plans_and_closes_with_evidence() {
    for app in TestApp::all().await {
        let ns = app.login("ns.officer").await;
        let today = ipfin_store::today_shanghai();
        let call = |method: Method, path: String, body: serde_json::Value| {
            Request::builder()
                .method(method)
                .uri(path)
                .header(header::COOKIE, &ns.cookie)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .expect("request")
        };
        let r = app
            .send(call(
                Method::POST,
                "/api/v1/supervision/inspections".into(),
                serde_json::json!({"subject_kind": "station", "subject_name": "蛇口服务站",
                    "due_on": today.to_string(), "inspectors": "李卫", "purpose": "检查服务记录"}),
            ))
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        let insp = r.json()["id"].as_i64().expect("id");
        let r = app
            .send(call(
                Method::POST,
                format!("/api/v1/supervision/inspections/{insp}/findings"),
                serde_json::json!({"done_on": today.to_string(), "findings": "记录不全", "result": "issues_found"}),
            ))
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.json()["status"], "done");
        let lead = app.org_id("南山区市场监督管理局").await;
        let r = app
            .send(call(
                Method::POST,
                format!("/api/v1/supervision/inspections/{insp}/tasks"),
                serde_json::json!({"owner_org_id": lead, "deadline": today.to_string(), "requirement": "补全记录"}),
            ))
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        let task = r.json()["id"].as_i64().expect("id");
        // Close via the API with no evidence: 422 on `file`; then with a file.
        let send_close = |fields: &[(&str, &str)], file: Option<(&str, &[u8])>| {
            let (ct, body) = support::multipart(fields, file);
            Request::builder()
                .method(Method::POST)
                .uri(format!("/api/v1/supervision/tasks/{task}/close"))
                .header(header::COOKIE, &ns.cookie)
                .header(header::CONTENT_TYPE, ct)
                .body(Body::from(body))
                .expect("request")
        };
        let r = app
            .send(send_close(&[("note", "已补全"), ("confirm", "true")], None))
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert_eq!(r.json()["field"], "file");
        let r = app
            .send(send_close(
                &[("note", "已补全"), ("confirm", "true")],
                Some(("记录.pdf", DEMO_PDF)),
            ))
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.json()["status"], "closed");
        let r = app
            .send(call(
                Method::POST,
                format!("/api/v1/supervision/tasks/{task}/reopen"),
                serde_json::json!({"reason": "复查发现仍不完整"}),
            ))
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.json()["status"], "reopened");
        app.cleanup().await;
    }
}

/// Issue #18 item 6: the district sets the schedule of post-grant checks on its supervision
/// page (every error at once, input kept, nothing stored; a member department refused) and
/// through the API (another district's token sees nothing).
#[tokio::test]
async fn the_district_sets_its_check_schedule_on_the_page_and_through_the_api() {
    for app in TestApp::all().await {
        let ns = app.login("ns.officer").await;
        let finance = app.login("ns.finance").await;
        let page = "/supervision/districts/440305";
        let r = app.get(page, Some(&ns)).await;
        assert_eq!(r.status, 200);
        assert!(r.body.contains("资助后跟踪检查安排"), "{}", app.db.name);
        assert!(r.body.contains("<strong>拨付后 180 天</strong>（默认安排"));
        assert!(
            r.body
                .contains(r#"action="/supervision/districts/440305/check-schedule""#)
        );
        // A member department reads the schedule but gets no form and may not set it.
        let r = app.get(page, Some(&finance)).await;
        assert!(r.body.contains("拨付后 180 天"));
        assert!(!r.body.contains("check-schedule\""));
        let before = app.audit_count().await;
        let r = app
            .post_form(
                "/supervision/districts/440305/check-schedule",
                Some(&finance),
                &[("days_after", "90")],
            )
            .await;
        assert_eq!(r.status, 403);
        // Every bad offset at once, beside the field, with what was typed.
        let r = app
            .post_form(
                "/supervision/districts/440305/check-schedule",
                Some(&ns),
                &[("days_after", "0, 九十"), ("at_maturity", "1")],
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("检查时点“0”无效"), "{}", r.body);
        assert!(r.body.contains("检查时点“九十”无效"));
        assert!(r.body.contains(r#"value="0, 九十""#));
        assert_eq!(app.audit_count().await, before, "nothing stored");
        let r = app
            .post_form(
                "/supervision/districts/440305/check-schedule",
                Some(&ns),
                &[("days_after", "180, 90"), ("at_maturity", "1")],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let r = app.get(page, Some(&ns)).await;
        assert!(
            r.body
                .contains("<strong>拨付后 90 天、拨付后 180 天、贷款到期日</strong>"),
            "{}",
            app.db.name
        );
        assert!(r.body.contains(r#"value="90, 180""#));

        // The API: the district's token reads (tokens never manage a district), the city sets;
        // another district sees nothing.
        let token = app.token("南山区市场监督管理局").await;
        let path = "/api/v1/supervision/districts/440305/check-schedule";
        let r = app.api(Method::GET, path, Some(&token), None).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let j = r.json();
        assert_eq!(j["days_after"], serde_json::json!([90, 180]));
        assert_eq!(j["at_maturity"], true);
        assert_eq!(j["may_change"], false);
        let r = app
            .api(
                Method::PUT,
                path,
                Some(&token),
                Some(r#"{"days_after": [365]}"#.into()),
            )
            .await;
        assert_eq!(r.status, 403, "{}", r.body);
        let token = app.token("深圳市市场监督管理局（知识产权局）").await;
        let r = app
            .api(
                Method::PUT,
                path,
                Some(&token),
                Some(r#"{"days_after": [0, 2000], "at_maturity": false}"#.into()),
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        let errors = r.json()["errors"].as_array().cloned().unwrap_or_default();
        assert_eq!(errors.len(), 2, "{}", r.body);
        assert!(errors.iter().all(|e| e["field"] == "days_after"));
        let r = app
            .api(
                Method::PUT,
                path,
                Some(&token),
                Some(r#"{"days_after": [365]}"#.into()),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.json()["description"], "拨付后 365 天");
        let futian = app.token("福田区市场监督管理局").await;
        let r = app.api(Method::GET, path, Some(&futian), None).await;
        assert_eq!(r.status, 404, "{}", r.body);
        let r = app
            .api(
                Method::PUT,
                path,
                Some(&futian),
                Some(r#"{"days_after": [30]}"#.into()),
            )
            .await;
        assert_eq!(r.status, 403, "{}", r.body);
        let r = app.api(Method::GET, path, Some(&token), None).await;
        assert_eq!(r.json()["days_after"], serde_json::json!([365]));
    }
}
