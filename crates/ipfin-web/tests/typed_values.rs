//! Typed values after the edge (issue #16 item 4), through the real router on SQLite and (when
//! configured) PostgreSQL: the store takes a parsed `CreditCode`, so every form and body that
//! carries a credit code parses it at the edge. A code that breaks GB 32100 is refused beside
//! its field with the rule's code, the form keeps what was typed, and nothing is stored.

mod support;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use ipfin_store::db::fetch_i64;
use support::TestApp;

/// GB 32100's example code with a wrong check character (position 18 should be `G`).
const BAD: &str = "9144030071526726XA";

/// A pre-sign-in CSRF token and its cookie, as a browser holds them before signing in.
const PRE: &str = "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij1234";

async fn count(app: &TestApp, sql: &str) -> i64 {
    fetch_i64(app.store().conn(), sql, vec![])
        .await
        .expect("count")
}

/// Rows in every table a credit-code form could write to, and the audit chain's length.
async fn written(app: &TestApp) -> (i64, i64, i64, i64, i64) {
    (
        count(app, "SELECT COUNT(*) FROM enterprises").await,
        count(app, "SELECT COUNT(*) FROM organisations").await,
        count(app, "SELECT COUNT(*) FROM loans").await,
        count(app, "SELECT COUNT(*) FROM enterprise_claims").await,
        app.audit_count().await,
    )
}

#[tokio::test]
async fn a_credit_code_that_breaks_gb_32100_is_refused_at_every_edge_and_nothing_is_stored() {
    for app in TestApp::all().await {
        let officer = app.login("ns.officer").await;
        let city = app.login("city.admin").await;
        let bank = app.login("bank.manager").await;
        let before = written(&app).await;

        // The enterprise form: the code's field, the rule, the typed name kept.
        let r = app
            .post_form(
                "/enterprises",
                Some(&officer),
                &[
                    ("credit_code", BAD),
                    ("name", "深圳市错码测试有限公司"),
                    ("registered_district", "440305"),
                    ("tax_district", "440305"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains("第 18 位校验码错误"), "{}", r.body);
        assert!(r.body.contains("深圳市错码测试有限公司"), "input kept");

        // The organisation form (an enterprise needs a valid code).
        let r = app
            .post_form(
                "/orgs",
                Some(&city),
                &[
                    ("kind", "enterprise"),
                    ("name", "错码企业"),
                    ("district_code", "440305"),
                    ("credit_code", BAD),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains("第 18 位校验码错误"), "{}", r.body);

        // The loan form: the borrower's code.
        let r = app
            .post_form(
                "/loans",
                Some(&bank),
                &[
                    ("borrower_credit_code", BAD),
                    ("contract_number", "2026-TYPED-1"),
                    ("principal", "5,000,000.00"),
                    ("rate", "3.45"),
                    ("start_date", "2026-03-05"),
                    ("end_date", "2027-03-04"),
                    ("pledge_number", "Y2026980066666"),
                    ("registration_date", "2026-03-01"),
                    ("items", "专利 202310123456.6 一种电池管理方法"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains("第 18 位校验码错误"), "{}", r.body);
        assert!(r.body.contains("value=\"2026-TYPED-1\""), "input kept");

        // The registration form, anonymous (pre-sign-in CSRF).
        let pairs = [
            ("_csrf", PRE),
            ("credit_code", BAD),
            ("username", "typed.claim"),
            ("display_name", "钱经理"),
            ("phone", "13712345670"),
            ("password", "Typed-Claim-2026-long"),
            ("password_again", "Typed-Claim-2026-long"),
        ];
        let r = app
            .send(
                Request::builder()
                    .method(Method::POST)
                    .uri("/register")
                    .header(header::COOKIE, format!("ipfin_precsrf={PRE}"))
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from(
                        serde_urlencoded::to_string(pairs).expect("encode"),
                    ))
                    .expect("request"),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains("第 18 位校验码错误"), "{}", r.body);

        // (The organisation API is checked the same way in web.rs.)
        assert_eq!(
            written(&app).await,
            before,
            "nothing stored, nothing audited"
        );
        app.cleanup().await;
    }
}
