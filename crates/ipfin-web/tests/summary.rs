//! District summaries and information reporting through the real router (issue #8 item 4,
//! R4.4): Futian's lead officer drafts the Q3 summary with the results pre-filled, is refused
//! without confirmation and with a section empty (nothing stored), submits, and submits again
//! through the API (revision 2, said so); the city sees the overview (page and XLSX), comments
//! and requests information; the district answers (a disallowed attachment refused, a PDF
//! kept); the .docx holds the title, the five sections, the revision and the comment; member
//! departments read, other districts and banks do not; the conformance cell lists what is
//! missing.

mod support;

use axum::body::Body;
use axum::http::{Method, Request, header};
use std::io::{Cursor, Read};
use support::{Session, TestApp};

const PAGE: &str = "/summaries/districts/440304?period=2026Q3";

async fn get_bytes(
    app: &TestApp,
    path: &str,
    s: &Session,
) -> (u16, axum::http::HeaderMap, Vec<u8>) {
    let (status, headers, bytes) = app.get_bytes(path, s).await;
    (status.as_u16(), headers, bytes)
}

/// A JSON call with a browser session (the API takes sessions as well as tokens).
async fn api_as(
    app: &TestApp,
    method: Method,
    path: &str,
    s: &Session,
    body: serde_json::Value,
) -> support::Resp {
    app.send(
        Request::builder()
            .method(method)
            .uri(path)
            .header(header::COOKIE, &s.cookie)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .expect("request"),
    )
    .await
}

async fn post_multipart(
    app: &TestApp,
    path: &str,
    s: &Session,
    text: &str,
    file: Option<(&str, &[u8])>,
) -> support::Resp {
    app.post_multipart(path, s, &[("text", text)], file).await
}

fn section_form<'a>(problems: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut v = vec![
        ("measures", "召开联席会议，推送白名单企业。"),
        ("results", "本季度新增质押融资若干。"),
        ("highlights", "首贷企业明显增加。"),
        ("problems", problems),
        ("next_steps", "扩大白名单推送范围。"),
    ];
    v.extend_from_slice(extra);
    v
}

fn document_xml(docx: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(docx)).expect("a .docx is a zip");
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .expect("word/document.xml")
        .read_to_string(&mut xml)
        .expect("utf-8");
    xml
}

#[tokio::test]
async fn draft_submit_revise_review_request_answer_export() {
    for app in TestApp::all().await {
        let ft = app.login("ft.officer").await;
        let city = app.login("city.admin").await;

        // The page: the results pre-filled from the statistics, the draft form, the submission.
        let r = app.get(PAGE, Some(&ft)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(
            r.body
                .contains("2026年第三季度，福田区新增知识产权质押融资"),
            "{}",
            r.body
        );
        assert!(r.body.contains("下一步工作要点") && r.body.contains("保存草稿"));
        assert!(r.body.contains("name=\"confirm\""));

        // A draft with the results left empty: generated; saved.
        let r = app
            .post_form(
                "/summaries/districts/440304/draft?period=2026Q3",
                Some(&ft),
                &[("measures", "召开联席会议。"), ("action", "save")],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let r = app.get(PAGE, Some(&ft)).await;
        assert!(r.body.contains("草稿已保存于") && r.body.contains("召开联席会议。"));

        // Refused: no confirmation; an empty section (named). Nothing stored.
        let before = app.audit_count().await;
        let r = app
            .post_form(
                "/summaries/districts/440304/submit?period=2026Q3",
                Some(&ft),
                &section_form("资金不足。", &[]),
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("我已确认"), "{}", r.body);
        assert!(
            r.body.contains("首贷企业明显增加。"),
            "the typed text is kept"
        );
        let r = app
            .post_form(
                "/summaries/districts/440304/submit?period=2026Q3",
                Some(&ft),
                &section_form("", &[("confirm", "yes")]),
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("请填写“存在问题”"), "{}", r.body);
        // A quarter that has not ended: only a draft.
        let r = api_as(
            &app,
            Method::POST,
            "/api/v1/summaries/districts/440304/submit?period=2026Q4",
            &ft,
            serde_json::json!({"sections": {"measures": "a", "results": "b", "highlights": "c", "problems": "d", "next_steps": "e"}, "confirm": true}),
        )
        .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert_eq!(r.json()["code"], "summary.not_ended");
        let r = api_as(
            &app,
            Method::PUT,
            "/api/v1/summaries/districts/440304?period=2027Q1",
            &ft,
            serde_json::json!({"measures": "a"}),
        )
        .await;
        assert_eq!(r.json()["code"], "summary.not_started", "{}", r.body);
        assert_eq!(app.audit_count().await, before, "refusals store nothing");

        // Submitted on the page: revision 1.
        let r = app
            .post_form(
                "/summaries/districts/440304/submit?period=2026Q3",
                Some(&ft),
                &section_form("资金不足。", &[("confirm", "yes")]),
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let r = app.get(PAGE, Some(&ft)).await;
        assert!(r.body.contains("第 1 版"), "{}", r.body);

        // Submitted again through the API: revision 2, said to be one; revision 1 kept.
        let r = api_as(
            &app,
            Method::POST,
            "/api/v1/summaries/districts/440304/submit?period=2026Q3",
            &ft,
            serde_json::json!({"sections": {"measures": "更正后的措施。", "results": "更正后的成效。", "highlights": "亮点。", "problems": "问题。", "next_steps": "要点。"}, "confirm": true}),
        )
        .await;
        assert_eq!(r.status, 201, "{}", r.body);
        let j = r.json();
        assert_eq!(
            (j["revision"].as_i64(), j["is_revision"].as_bool()),
            (Some(2), Some(true))
        );
        assert!(j["message"].as_str().expect("message").contains("修订版"));
        let rev2 = j["id"].as_i64().expect("id");
        let v = api_as(
            &app,
            Method::GET,
            "/api/v1/summaries/districts/440304?period=2026Q3",
            &ft,
            serde_json::json!({}),
        )
        .await
        .json();
        let revs = v["summaries"]["revisions"].as_array().expect("revisions");
        assert_eq!(revs.len(), 2);
        assert_eq!(revs[1]["sections"]["problems"], "资金不足。");
        assert!(
            v["proposal"]["results"]
                .as_str()
                .expect("proposal")
                .contains("万元")
        );

        // The city: the overview (page and workbook), a comment, an information request.
        let r = app.get("/summaries?year=2026", Some(&city)).await;
        assert_eq!(r.status, 200);
        assert!(
            r.body.contains("福田区") && r.body.contains("第 2 版") && r.body.contains("南山区")
        );
        let (status, _, xlsx) = get_bytes(&app, "/summaries/export.xlsx?year=2026", &city).await;
        assert_eq!(status, 200);
        let mut wb: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(Cursor::new(xlsx)).expect("xlsx");
        let sheet = calamine::Reader::worksheet_range(&mut wb, "报送情况").expect("sheet");
        let text: Vec<String> = sheet.rows().flatten().map(|c| c.to_string()).collect();
        assert!(
            text.iter().any(|c| c.starts_with("已报送 第2版")),
            "{text:?}"
        );
        assert!(text.iter().any(|c| c == "未报送"));
        let r = app
            .post_form(
                &format!("/summaries/{rev2}/comments"),
                Some(&city),
                &[("text", "请补充首贷企业的典型案例。")],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let city_token = app.token("深圳市市场监督管理局（知识产权局）").await;
        let r = app
            .api(
                Method::POST,
                "/api/v1/summaries/districts/440304/requests?period=2026Q3",
                Some(&city_token),
                Some(r#"{"text": "请报送首贷企业名单。", "due_on": "2099-01-01"}"#.into()),
            )
            .await;
        assert_eq!(
            r.status, 422,
            "a due date more than a year ahead: {}",
            r.body
        );
        let due = (ipfin_store::today_shanghai() + chrono::Duration::days(10)).to_string();
        let r = app
            .api(
                Method::POST,
                "/api/v1/summaries/districts/440304/requests?period=2026Q3",
                Some(&city_token),
                Some(
                    serde_json::json!({"text": "请报送首贷企业名单。", "due_on": due}).to_string(),
                ),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        let rid = r.json()["id"].as_i64().expect("id");
        let home = app.get("/home", Some(&ft)).await;
        assert!(
            home.body.contains("审阅意见") && home.body.contains("补充报送"),
            "district notified"
        );
        let home = app.get("/home", Some(&city)).await;
        assert!(
            home.body.contains("福田区报送了2026年第三季度工作总结"),
            "city notified"
        );

        // The district answers: an executable is refused by content, nothing stored; a PDF is kept.
        let before = app.audit_count().await;
        let answer = format!("/summary-requests/{rid}/answer");
        let r = post_multipart(
            &app,
            &answer,
            &ft,
            "名单见附件。",
            Some(("名单.pdf", b"MZ\x90\x00 an exe")),
        )
        .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("附件"), "{}", r.body);
        assert_eq!(app.audit_count().await, before);
        let r = post_multipart(
            &app,
            &answer,
            &ft,
            "名单见附件。",
            Some(("名单.pdf", b"%PDF-1.7 list")),
        )
        .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let r = post_multipart(&app, &answer, &ft, "再答复一次。", None).await;
        assert_eq!(r.status, 409, "answered requests are closed: {}", r.body);
        let (status, headers, bytes) =
            get_bytes(&app, &format!("/summary-requests/{rid}/file"), &city).await;
        assert_eq!(status, 200);
        assert_eq!(bytes, b"%PDF-1.7 list");
        assert!(
            headers[header::CONTENT_SECURITY_POLICY]
                .to_str()
                .expect("csp")
                .contains("sandbox")
        );
        let page = app.get(PAGE, Some(&city)).await;
        assert!(page.body.contains("已答复") && page.body.contains("名单见附件。"));

        // The Word document of revision 2.
        let (status, headers, docx) =
            get_bytes(&app, &format!("/summaries/{rev2}/summary.docx"), &city).await;
        assert_eq!(status, 200);
        assert!(
            headers[header::CONTENT_TYPE]
                .to_str()
                .expect("type")
                .contains("wordprocessingml")
        );
        let xml = document_xml(&docx);
        for want in [
            "福田区2026年第三季度知识产权质押融资工作总结",
            "第 2 版",
            "报送日期",
            "一、工作措施",
            "二、工作成效",
            "三、工作亮点",
            "四、存在问题",
            "五、下一步工作要点",
            "更正后的措施。",
            "市级审阅意见",
            "请补充首贷企业的典型案例。",
        ] {
            assert!(xml.contains(want), "{}: the .docx lacks {want}", app.name());
        }

        // Member departments read their district's; other districts, banks and the public do not.
        let member = app.login("ns.finance").await;
        let r = app
            .get("/summaries/districts/440305?period=2026Q3", Some(&member))
            .await;
        assert_eq!(r.status, 200);
        assert!(r.body.contains("第 1 版") && !r.body.contains("保存草稿"));
        assert_eq!(app.get(PAGE, Some(&member)).await.status, 404);
        assert_eq!(
            app.get(&format!("/summaries/{rev2}"), Some(&member))
                .await
                .status,
            404
        );
        let bank = app.token("深南银行深圳分行").await;
        let r = app
            .api(Method::GET, "/api/v1/summaries", Some(&bank), None)
            .await;
        assert_eq!(r.status, 403);
        assert_eq!(app.get("/summaries", None).await.status, 303);

        // The conformance cell: Futian has only Q3, Nanshan (demo) Q1–Q3.
        let today = ipfin_store::today_shanghai();
        let m = app
            .api(Method::GET, "/api/v1/conformance", Some(&city_token), None)
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
                .find(|c| c["requirement"] == "R4.4")
                .cloned()
                .expect("R4.4")
        };
        let ft_cell = cell("440304");
        assert!(
            ft_cell["evidence"]
                .as_str()
                .expect("evidence")
                .starts_with("/summaries/districts/440304?period=")
        );
        if chrono::Datelike::year(&today) == 2026 && today > "2026-10-15".parse().expect("date") {
            assert_eq!(ft_cell["status"], "fail", "{ft_cell}");
            assert!(
                ft_cell["finding"]
                    .as_str()
                    .expect("finding")
                    .contains("2026年第一季度、2026年第二季度"),
                "{ft_cell}"
            );
            assert_eq!(cell("440305")["status"], "pass", "{}", cell("440305"));
        }
        app.cleanup().await;
    }
}
