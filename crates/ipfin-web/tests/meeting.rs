//! Quarterly working meetings (R1.2, issue #8) through the real router: the lead officer
//! schedules and invites, invited units see the meeting and report (page and API), a unit not
//! invited is refused and nothing is stored, attendance, issues through their statuses, the
//! escalated issue on the city's dashboard, minutes published with confirmation, and the .docx.

mod support;

use axum::body::Body;
use axum::http::{Method, Request, header};
use ipfin_store::db::fetch_i64;
use std::io::Read;
use support::{Resp, Session, TestApp};

async fn count(app: &TestApp, sql: &str) -> i64 {
    fetch_i64(app.store().conn(), sql, vec![])
        .await
        .expect("count")
}

/// An API call with a browser session (the lead officers' way to the API).
async fn api_as(app: &TestApp, s: &Session, method: Method, path: &str, body: &str) -> Resp {
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

async fn upload(app: &TestApp, s: &Session, path: &str, text: &str, file: (&str, &[u8])) -> Resp {
    app.post_multipart(path, s, &[("text", text)], Some(file))
        .await
}

async fn raw_file(app: &TestApp, token: &str, path: &str, name: &str, bytes: &[u8]) -> Resp {
    app.send(
        Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header("x-file-name", name)
            .header(header::CONTENT_TYPE, "application/octet-stream")
            .body(Body::from(bytes.to_vec()))
            .expect("request"),
    )
    .await
}

const STORED: &str = "SELECT (SELECT COUNT(*) FROM meeting_reports) + (SELECT COUNT(*) FROM meeting_report_versions) + (SELECT COUNT(*) FROM meeting_report_files)";

#[tokio::test]
async fn a_quarterly_meeting_end_to_end() {
    for app in TestApp::all().await {
        let n = app.name();
        let officer = app.login("ns.officer").await;
        let bank = app.login("bank.manager").await;
        let bank2 = app.login("bank2.manager").await;
        let city = app.login("city.admin").await;
        let finance = app.org_id("南山区财政局").await;
        let bank_org = app.org_id("深南银行深圳分行").await;
        let station = app.org_id("南山知识产权金融服务站").await;
        let lead_org = app.org_id("南山区市场监督管理局").await;
        let today = ipfin_store::today_shanghai();
        let quarter = ipfin_domain::stats::Quarter::of(today);
        let meetings_before = count(&app, "SELECT COUNT(*) FROM meetings").await;

        // Scheduling: the far past without confirmation is refused with a clear 422.
        assert_eq!(app.get("/meetings/new", Some(&officer)).await.status, 200);
        let far = quarter.previous().previous();
        let far_date = far.first_day().to_string();
        let r = app
            .post_form(
                "/meetings",
                Some(&officer),
                &[
                    ("quarter", &far.to_string()),
                    ("date", &far_date),
                    ("place", "区政府会议室"),
                    ("agenda", "往期议程"),
                ],
            )
            .await;
        assert_eq!(r.status, 422, "{n}: {}", r.body);
        assert!(r.body.contains("确认补录往期会议"), "{n}");
        let r = api_as(
            &app,
            &officer,
            Method::POST,
            "/api/v1/meetings",
            &format!(
                r#"{{"quarter":"{far}","date":"{far_date}","place":"x","agenda":"往期议程"}}"#
            ),
        )
        .await;
        assert_eq!(r.status, 422, "{n}: {}", r.body);
        assert_eq!(r.json()["code"], "meeting.far_past");
        assert_eq!(
            count(&app, "SELECT COUNT(*) FROM meetings").await,
            meetings_before
        );
        // A member department cannot schedule.
        let member = app.login("ns.finance").await;
        assert_eq!(
            app.post_form("/meetings", Some(&member), &[("quarter", "2026Q4")])
                .await
                .status,
            403
        );

        let r = app
            .post_form(
                "/meetings",
                Some(&officer),
                &[
                    ("quarter", &quarter.to_string()),
                    ("date", &today.to_string()),
                    ("place", "南山区政府 5 楼 501 会议室"),
                    ("online_link", "https://meeting.example.cn/e2e"),
                    ("agenda", "一、通报端到端测试进展；二、各单位汇报"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{n}: {}", r.body);
        let loc = r.location().expect("location").to_string();
        let id: i64 = loc
            .trim_start_matches("/meetings/")
            .split('?')
            .next()
            .and_then(|s| s.parse().ok())
            .expect("id");
        let page = format!("/meetings/{id}");

        // Invitations: each unit is notified and sees the meeting; bank2 is not invited.
        let r = app
            .post_form(
                &format!("{page}/invitations"),
                Some(&officer),
                &[
                    ("organisation", &finance.to_string()),
                    ("organisation", &bank_org.to_string()),
                    ("organisation", &station.to_string()),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{n}: {}", r.body);
        let home = app.get("/home", Some(&bank)).await;
        assert!(
            home.body.contains("邀请贵单位参加") && home.body.contains(&page),
            "{n}"
        );
        assert!(
            home.body.contains("提交工作汇报："),
            "{n}: on the to-do list"
        );
        let agency = app.login("agency.specialist").await;
        assert!(
            app.get("/home", Some(&agency)).await.body.contains(&page),
            "{n}: agency notified"
        );
        let seen = app.get(&page, Some(&bank)).await;
        assert_eq!(seen.status, 200);
        assert!(seen.body.contains("通报端到端测试进展"));
        assert!(app.get("/meetings", Some(&bank)).await.body.contains(&page));
        // Not invited: 404 on the page, the API, the export, and a report changes nothing.
        assert_eq!(app.get(&page, Some(&bank2)).await.status, 404);
        assert!(
            !app.get("/meetings", Some(&bank2))
                .await
                .body
                .contains(&page)
        );
        let t2 = app.token("鹏城商业银行").await;
        let api = format!("/api/v1/meetings/{id}");
        assert_eq!(
            app.api(Method::GET, &api, Some(&t2), None).await.status,
            404
        );
        assert_eq!(
            app.get(&format!("{page}/meeting.docx"), Some(&bank2))
                .await
                .status,
            404
        );
        let before = count(&app, STORED).await;
        let r = app
            .api(
                Method::POST,
                &format!("{api}/reports"),
                Some(&t2),
                Some(r#"{"text":"越权"}"#.into()),
            )
            .await;
        assert_eq!(r.status, 404, "{n}: {}", r.body);
        let r = upload(
            &app,
            &bank2,
            &format!("{page}/reports"),
            "越权",
            ("a.pdf", b"%PDF-1.7 x"),
        )
        .await;
        assert_eq!(r.status, 404);
        // A member department of the district that was not invited: 403, clearly.
        let tax = app.token("南山区税务局").await;
        let r = app
            .api(
                Method::POST,
                &format!("{api}/reports"),
                Some(&tax),
                Some(r#"{"text":"未受邀"}"#.into()),
            )
            .await;
        assert_eq!(r.status, 403, "{n}: {}", r.body);
        assert_eq!(r.json()["code"], "meeting.not_invited");
        // A disallowed type, by content: 422 and nothing stored.
        let r = upload(
            &app,
            &bank,
            &format!("{page}/reports"),
            "第一版",
            ("报告.pdf", b"MZ\x90\x00 exe"),
        )
        .await;
        assert_eq!(r.status, 422, "{n}: {}", r.body);
        assert!(r.body.contains("按文件内容判断"), "{n}");
        assert_eq!(
            count(&app, STORED).await,
            before,
            "{n}: refused reports stored nothing"
        );

        // Reports: the bank on the page with a PDF, again through the API (a new version), an
        // attachment through the API; the finance bureau and the agency through theirs.
        let r = upload(
            &app,
            &bank,
            &format!("{page}/reports"),
            "深南银行第一版汇报",
            ("汇报.pdf", b"%PDF-1.7 report"),
        )
        .await;
        assert_eq!(r.status, 303, "{n}: {}", r.body);
        let t1 = app.token("深南银行深圳分行").await;
        let r = app
            .api(
                Method::POST,
                &format!("{api}/reports"),
                Some(&t1),
                Some(r#"{"text":"深南银行：本季度新增质押贷款 5 笔"}"#.into()),
            )
            .await;
        assert_eq!(r.status, 201, "{n}: {}", r.body);
        assert_eq!(r.json()["version"], 2);
        let docx_bytes = b"PK\x03\x04....word/document.xml....";
        let r = raw_file(
            &app,
            &t1,
            &format!("{api}/reports/files"),
            "%E6%98%8E%E7%BB%86.docx",
            docx_bytes,
        )
        .await;
        assert_eq!(r.status, 201, "{n}: {}", r.body);
        let r = raw_file(
            &app,
            &t1,
            &format!("{api}/reports/files"),
            "x.exe",
            b"MZ\x90\x00",
        )
        .await;
        assert_eq!(r.status, 422);
        let tf = app.token("南山区财政局").await;
        let r = app
            .api(
                Method::POST,
                &format!("{api}/reports"),
                Some(&tf),
                Some(r#"{"text":"区财政局：贴息资金已拨付"}"#.into()),
            )
            .await;
        assert_eq!(r.status, 201, "{n}: {}", r.body);
        let ta = app.token("南山知识产权金融服务站").await;
        let r = app
            .api(
                Method::POST,
                &format!("{api}/reports"),
                Some(&ta),
                Some(r#"{"text":"服务站：受理评估咨询 12 件"}"#.into()),
            )
            .await;
        assert_eq!(r.status, 201, "{n}: {}", r.body);
        assert_eq!(
            count(
                &app,
                &format!("SELECT COUNT(*) FROM meeting_reports WHERE meeting_id = {id}")
            )
            .await,
            3
        );
        // The bank sees its own report only; the district all three.
        let mine = app.api(Method::GET, &api, Some(&t1), None).await.json();
        assert_eq!(mine["reports"].as_array().map(Vec::len), Some(1), "{n}");
        assert_eq!(
            mine["reports"][0]["files"].as_array().map(Vec::len),
            Some(2)
        );
        let file_id = mine["reports"][0]["files"][0]["id"]
            .as_i64()
            .expect("file id");
        let f = app
            .get(&format!("{page}/files/{file_id}"), Some(&bank))
            .await;
        assert_eq!(f.status, 200);
        assert_eq!(f.body, "%PDF-1.7 report");
        assert_eq!(
            app.get(&format!("{page}/files/{file_id}"), Some(&bank2))
                .await
                .status,
            404
        );
        let whole = app.get(&page, Some(&officer)).await;
        assert!(
            whole.body.contains("服务站：受理评估咨询") && whole.body.contains("贴息资金已拨付")
        );

        // Attendance marks the meeting held.
        let r = app
            .post_form(
                &format!("{page}/attendance"),
                Some(&officer),
                &[
                    ("attended", &finance.to_string()),
                    ("attended", &bank_org.to_string()),
                    (&format!("attendees_{bank_org}"), "李信贷"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{n}: {}", r.body);
        let m = api_as(&app, &officer, Method::GET, &api, "").await.json();
        assert_eq!(m["status"], "held");
        assert_eq!(
            m["invitations"]
                .as_array()
                .map(|a| a.iter().filter(|i| i["attended"] == true).count()),
            Some(2)
        );

        // Issues: one owned by the bank (resolved by it), one by the lead department (escalated).
        let r = app
            .post_form(
                &format!("{page}/issues"),
                Some(&officer),
                &[
                    ("title", "端到端评估费分担"),
                    ("owner_org_id", &bank_org.to_string()),
                    ("due_on", &(today + chrono::Duration::days(30)).to_string()),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{n}: {}", r.body);
        let r = api_as(
            &app,
            &officer,
            Method::POST,
            &format!("{api}/issues"),
            &format!(
                r#"{{"title":"端到端跨区登记","owner_org_id":{lead_org},"due_on":"{}"}}"#,
                today + chrono::Duration::days(30)
            ),
        )
        .await;
        assert_eq!(r.status, 201, "{n}: {}", r.body);
        let lead_issue = r.json()["id"].as_i64().expect("id");
        let xlsx = app.get("/meeting-issues/export.xlsx", Some(&bank)).await;
        assert_eq!(xlsx.status, 200, "{n}");
        assert!(xlsx.body.starts_with("PK"), "{n}: an xlsx package");
        // The meetings list exports with its filters; the bank's holds only meetings it was
        // invited to.
        for who in [&officer, &bank] {
            let (status, _, bytes) = app.get_bytes("/meetings/export.xlsx", who).await;
            assert_eq!(status, 200, "{n}");
            let mut wb: calamine::Xlsx<_> =
                calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("xlsx");
            let sheet = calamine::Reader::worksheet_range(&mut wb, "工作会议").expect("sheet");
            let rows: Vec<Vec<String>> = sheet
                .rows()
                .map(|r| r.iter().map(|c| c.to_string()).collect())
                .collect();
            assert_eq!(rows[0][0], "季度", "{n}");
            let body = app.get("/meetings", Some(who)).await.body;
            // Links to a meeting (`/meetings/12`), one per row of the list.
            let link = "<a href=\"/meetings/";
            let listed = body
                .match_indices(link)
                .filter(|(at, _)| body[at + link.len()..].starts_with(|c: char| c.is_ascii_digit()))
                .count();
            assert_eq!(
                rows.len() - 1,
                listed,
                "{n}: the export holds the list's meetings"
            );
            assert!(
                rows.iter().skip(1).all(|r| r[2] == "南山区"),
                "{n}: {rows:?}"
            );
        }
        let mine = app.get("/meeting-issues", Some(&bank)).await;
        assert!(
            mine.body.contains("端到端评估费分担") && !mine.body.contains("端到端跨区登记"),
            "{n}"
        );
        let bank_issue = app
            .api(
                Method::GET,
                "/api/v1/meeting-issues?mine=true",
                Some(&t1),
                None,
            )
            .await
            .json()
            .as_array()
            .and_then(|a| {
                a.iter()
                    .find(|i| i["title"] == "端到端评估费分担")
                    .and_then(|i| i["id"].as_i64())
            })
            .expect("bank's issue");
        let status = format!("/meeting-issues/{bank_issue}/status");
        assert_eq!(
            app.post_form(&status, Some(&bank), &[("status", "in_progress")])
                .await
                .status,
            303
        );
        let r = app
            .post_form(
                &status,
                Some(&bank),
                &[("status", "resolved"), ("note", " ")],
            )
            .await;
        assert_eq!(r.status, 422, "{n}: a resolution needs a note");
        assert!(r.body.contains("办理说明"));
        assert_eq!(
            app.post_form(
                &status,
                Some(&bank),
                &[("status", "resolved"), ("note", "已与区财政确定分担比例")]
            )
            .await
            .status,
            303
        );
        assert_eq!(
            app.post_form(
                &status,
                Some(&bank2),
                &[("status", "escalated"), ("note", "x")]
            )
            .await
            .status,
            404
        );
        let lead_status = format!("/api/v1/meeting-issues/{lead_issue}/status");
        let r = api_as(
            &app,
            &officer,
            Method::POST,
            &lead_status,
            r#"{"status":"escalated","note":"x"}"#,
        )
        .await;
        assert_eq!(r.status, 422, "{n}: no skipping from open");
        assert_eq!(
            api_as(
                &app,
                &officer,
                Method::POST,
                &lead_status,
                r#"{"status":"in_progress"}"#
            )
            .await
            .status,
            200
        );
        let r = api_as(
            &app,
            &officer,
            Method::POST,
            &lead_status,
            r#"{"status":"escalated","note":"需市级统一登记窗口"}"#,
        )
        .await;
        assert_eq!(r.status, 200, "{n}: {}", r.body);
        assert_eq!(r.json()["status"], "escalated");
        // The city sees it on its dashboard and through the API.
        let dash = app.get("/dashboard", Some(&city)).await;
        assert!(
            dash.body.contains("端到端跨区登记") && dash.body.contains("需市级统一登记窗口"),
            "{n}"
        );
        // It also names the districts that held no meeting in the last ended quarter: Futian
        // never does in the demo; Nanshan held 2026Q1–Q3.
        let last = ipfin_domain::stats::Quarter::of(ipfin_store::today_shanghai()).previous();
        let flagged = dash
            .body
            .split("id=\"no-meeting\"")
            .nth(1)
            .and_then(|s| s.split("</p>").next())
            .expect("the section");
        assert!(
            flagged.contains(&format!(
                "（{}）",
                ipfin_domain::format::quarter_zh(last.year, last.q)
            )),
            "{n}: {flagged}"
        );
        assert!(
            flagged.contains(&format!("/meetings?district=440304&amp;quarter={last}")),
            "{n}: {flagged}"
        );
        let nanshan_held = last.year == 2026 && last.q <= 3;
        assert_eq!(
            flagged.contains("district=440305"),
            !nanshan_held,
            "{n}: {flagged}"
        );
        let ct = app.token("深圳市市场监督管理局（知识产权局）").await;
        let esc = app
            .api(
                Method::GET,
                "/api/v1/meeting-issues?status=escalated",
                Some(&ct),
                None,
            )
            .await;
        assert!(
            esc.body.contains("端到端跨区登记") && !esc.body.contains("端到端评估费分担"),
            "{n}"
        );

        // Minutes: saved, then published only with the confirmation; then closed.
        let r = app
            .post_form(
                &format!("{page}/minutes"),
                Some(&officer),
                &[
                    ("minutes", "会议议定：端到端纪要事项"),
                    ("chair", "区市场监督管理局副局长 端到端主持"),
                    ("recorder", "知识产权科 端到端记录"),
                ],
            )
            .await;
        assert_eq!(r.status, 303);
        assert!(
            !app.get(&page, Some(&bank))
                .await
                .body
                .contains("端到端纪要事项"),
            "{n}: drafts stay with the district"
        );
        let r = app
            .post_form(&format!("{page}/minutes/publish"), Some(&officer), &[])
            .await;
        assert_eq!(r.status, 422);
        assert!(m["minutes_published_at"].is_null());
        assert!(
            api_as(&app, &officer, Method::GET, &api, "").await.json()["minutes_published_at"]
                .is_null()
        );
        let r = app
            .post_form(
                &format!("{page}/minutes/publish"),
                Some(&officer),
                &[("confirm", "yes")],
            )
            .await;
        assert_eq!(r.status, 303, "{n}: {}", r.body);
        assert!(
            app.get(&page, Some(&bank))
                .await
                .body
                .contains("端到端纪要事项")
        );
        let home = app.get("/home", Some(&bank)).await;
        assert!(
            home.body.contains("纪要已发布") && !home.body.contains("提交工作汇报："),
            "{n}"
        );
        let r = api_as(
            &app,
            &officer,
            Method::POST,
            &format!("{api}/minutes"),
            r#"{"text":"改写"}"#,
        )
        .await;
        assert_eq!(r.status, 409);

        // The .docx: agenda, attendance, reports summary and issues.
        let d = app
            .get(&format!("{page}/meeting.docx"), Some(&officer))
            .await;
        assert_eq!(d.status, 200);
        let (_, _, bytes) = app
            .get_bytes(&format!("{page}/meeting.docx"), &officer)
            .await;
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
        let mut xml = String::new();
        zip.by_name("word/document.xml")
            .expect("document.xml")
            .read_to_string(&mut xml)
            .expect("read");
        // In the 会议纪要 form: 时间, 主持, 出席 with the attendees, 记录, the units that reported,
        // the decisions numbered with their owner and deadline, the 印发 line.
        for needle in [
            "知识产权质押融资工作会议纪要",
            "通报端到端测试进展",
            "主持：",
            "端到端主持",
            "出席：",
            "深南银行深圳分行（李信贷）",
            "记录：",
            "端到端记录",
            "会议听取了",
            "南山知识产权金融服务站",
            "端到端纪要事项",
            "1. 端到端",
            "责任单位：",
            "完成时限：",
            "印发",
        ] {
            assert!(xml.contains(needle), "{n}: the .docx lacks {needle}");
        }

        // The demo's Q3 meeting: three reports, two issues, minutes published.
        let demo = app
            .api(
                Method::GET,
                "/api/v1/meetings?district=440305&quarter=2026Q3",
                Some(&ct),
                None,
            )
            .await
            .json();
        assert_eq!(demo["total"], 1, "{n}: {demo}");
        let did = demo["items"][0]["id"].as_i64().expect("id");
        let dm = app
            .api(
                Method::GET,
                &format!("/api/v1/meetings/{did}"),
                Some(&ct),
                None,
            )
            .await
            .json();
        assert_eq!(dm["reports"].as_array().map(Vec::len), Some(3));
        assert_eq!(dm["issues"][0]["status"], "resolved");
        assert_eq!(dm["issues"][1]["status"], "escalated");
        // Invited bank2 sees the demo meeting; and nothing of the district's other meetings.
        let b2 = app
            .api(Method::GET, "/api/v1/meetings", Some(&t2), None)
            .await
            .json();
        assert_eq!(b2["total"], 1, "{n}: {b2}");
        assert_eq!(b2["items"][0]["id"], did);
        app.cleanup().await;
    }
}
