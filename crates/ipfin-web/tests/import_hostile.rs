//! Issue #17 item 1 through the real router: a bank user uploads the 2 KB workbook that declares
//! A1:XFD1048576 on `/imports`; it is refused at once with the cap named in Chinese, the refusal
//! is listed with a downloadable report, nothing is imported, and the server still answers.

mod support;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use support::TestApp;

#[tokio::test]
async fn the_two_kilobyte_bomb_uploaded_by_a_bank_is_refused_and_the_server_still_answers() {
    for app in TestApp::all().await {
        let bank = app.login("bank.manager").await;
        let bomb = ipfin_store::testing::hostile::dimension_bomb();
        let (ct, body) = support::multipart(
            &[("_csrf", bank.csrf.as_str()), ("kind", "loans")],
            Some(("贷款.xlsx", &bomb)),
        );
        let r = app
            .send(
                Request::builder()
                    .method(Method::POST)
                    .uri("/imports")
                    .header(header::COOKIE, &bank.cookie)
                    .header(header::CONTENT_TYPE, ct)
                    .body(Body::from(body))
                    .expect("request"),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", app.name());
        assert!(
            r.body.contains("A1:XFD1048576") && r.body.contains("列数上限 256 列"),
            "{}: the refusal names the cap and its limit: {}",
            app.name(),
            r.body
        );
        // The refusal is listed, with its report.
        let list = app.get("/imports", Some(&bank)).await;
        assert_eq!(list.status, StatusCode::OK, "the server still answers");
        assert!(list.body.contains("已拒绝"), "{}", list.body);
        let report_link = list
            .body
            .split("href=\"")
            .filter_map(|s| s.split('"').next())
            .find(|h| h.starts_with("/imports/") && h.ends_with("/errors"))
            .expect("a report link")
            .to_string();
        let (status, headers, bytes) = app.get_bytes(&report_link, &bank).await;
        assert_eq!(status, StatusCode::OK, "{}", app.name());
        assert_eq!(
            headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok()),
            Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        );
        let text = sheet_text(bytes);
        assert!(
            text.contains("整个文件") && text.contains("A1:XFD1048576"),
            "{text}"
        );
        // The import page says it was refused and why.
        let page = app
            .get(report_link.trim_end_matches("/errors"), Some(&bank))
            .await;
        assert!(
            page.body.contains("文件被拒绝") && page.body.contains("XFD1048576"),
            "{}",
            page.body
        );
        // Nothing was imported, and the server goes on serving.
        let loans = app.get("/loans", Some(&bank)).await;
        assert_eq!(loans.status, StatusCode::OK);
        assert_eq!(app.get("/healthz", None).await.status, StatusCode::OK);
        app.cleanup().await;
    }
}

/// All the text of the first sheet of a workbook.
fn sheet_text(bytes: Vec<u8>) -> String {
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::Xlsx::new(std::io::Cursor::new(bytes)).expect("xlsx");
    let range = book.worksheet_range_at(0).expect("sheet").expect("range");
    range
        .rows()
        .flat_map(|r| r.iter().map(|c| c.to_string()))
        .collect::<Vec<_>>()
        .join("\n")
}
