//! Forms with every field wrong at once (issue #23 items 1 and 2), through the real router on
//! SQLite and PostgreSQL: each answers 422 with every problem in the summary and beside its
//! field (tied to it with `aria-describedby`), keeps what the person typed, and stores nothing.

mod support;

use axum::http::StatusCode;
use ipfin_store::db::fetch_i64;
use support::{PRE_CSRF as PRE, Resp, TestApp};

async fn count(app: &TestApp, sql: &str) -> i64 {
    fetch_i64(app.store().conn(), sql, vec![])
        .await
        .expect("count")
}

/// Each field is flagged beside itself and tied to its message, and the summary lists them all.
fn assert_flags(r: &Resp, fields: &[&str], who: &str) {
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{who}: {}",
        r.body
    );
    let summary = r
        .body
        .split("error-summary")
        .nth(1)
        .and_then(|s| s.split("</ul>").next())
        .unwrap_or_default();
    for f in fields {
        assert!(
            r.body.contains(&format!("id=\"{f}-error\"")),
            "{who}: no message beside {f}: {}",
            r.body
        );
        assert!(
            r.body.contains(&format!("aria-describedby=\"{f}-error\"")),
            "{who}: {f} is not tied to its message"
        );
        assert!(
            summary.contains(&format!("href=\"#{f}\"")),
            "{who}: the summary does not list {f}: {summary}"
        );
    }
}

#[tokio::test]
async fn registration_with_every_field_wrong_shows_all_six_problems_and_keeps_the_input() {
    for app in TestApp::all().await {
        let n = app.name();
        let before = count(&app, "SELECT COUNT(*) FROM enterprise_claims").await;
        let r = app
            .anon_form(
                "/register",
                &[
                    ("credit_code", "91440300ABC"),
                    ("display_name", ""),
                    ("phone", "0755-123"),
                    ("username", "A!"),
                    ("password", "short"),
                    ("password_again", "different"),
                ],
            )
            .await;
        assert_flags(
            &r,
            &[
                "credit_code",
                "display_name",
                "phone",
                "username",
                "password",
                "password_again",
            ],
            n,
        );
        // What was typed comes back (never the passwords).
        for kept in ["91440300ABC", "0755-123", "value=\"A!\""] {
            assert!(r.body.contains(kept), "{n}: lost {kept}");
        }
        assert!(!r.body.contains("different"), "{n}: a password was echoed");
        assert_eq!(
            count(&app, "SELECT COUNT(*) FROM enterprise_claims").await,
            before,
            "{n}"
        );
        app.cleanup().await;
    }
}

#[tokio::test]
async fn a_loan_report_with_eight_fields_wrong_shows_all_eight_and_stores_nothing() {
    for app in TestApp::all().await {
        let n = app.name();
        let bank = app.login("bank.manager").await;
        let before = count(&app, "SELECT COUNT(*) FROM loans").await;
        let form = [
            ("borrower_credit_code", "9144030012345"),
            ("contract_number", "2026-ALL-WRONG"),
            ("principal", "五百万"),
            ("rate", "百分之三"),
            ("start_date", "2026-13-45"),
            ("end_date", "明年"),
            ("ip_ratio", "六成"),
            ("pledge_number", "Y2026980077777"),
            ("registration_date", "昨天"),
            ("items", "发明 一种方法"),
        ];
        let r = app.post_form("/loans", Some(&bank), &form).await;
        assert_flags(
            &r,
            &[
                "borrower_credit_code",
                "principal",
                "rate",
                "start_date",
                "end_date",
                "ip_ratio",
                "registration_date",
                "items",
            ],
            n,
        );
        for kept in [
            "五百万",
            "百分之三",
            "2026-13-45",
            "2026-ALL-WRONG",
            "发明 一种方法",
        ] {
            assert!(r.body.contains(kept), "{n}: lost {kept}");
        }
        assert_eq!(
            count(&app, "SELECT COUNT(*) FROM loans").await,
            before,
            "{n}"
        );
        app.cleanup().await;
    }
}

#[tokio::test]
async fn an_objection_with_every_field_wrong_shows_all_three_and_keeps_what_was_written() {
    for app in TestApp::all().await {
        let n = app.name();
        let today = ipfin_store::today_shanghai();
        let nid = fetch_i64(
            app.store().conn(),
            "INSERT INTO notices (district_code, title, starts_on, ends_on, days, status, published_at, published_by) \
             VALUES ('440305', '表单测试公示', ?, ?, 5, 'open', 0, 0) RETURNING id",
            vec![today.into(), (today + chrono::Days::new(5)).into()],
        )
        .await
        .expect("notice");
        let long_contact = "电".repeat(101);
        let (ct, body) = support::multipart(
            &[
                ("_csrf", PRE),
                ("name", "  "),
                ("contact", &long_contact),
                ("text", ""),
            ],
            None,
        );
        let r = app
            .anon_post(&format!("/notices/{nid}/objections"), &ct, body)
            .await;
        assert_flags(&r, &["name", "contact", "text"], n);
        assert!(r.body.contains(&long_contact), "{n}: the contact was lost");
        // Written text is kept when only another field is wrong.
        let (ct, body) = support::multipart(
            &[
                ("_csrf", PRE),
                ("name", "张三"),
                ("contact", ""),
                ("text", "名单中的企业贷款合同编号与银行报送不一致。"),
            ],
            None,
        );
        let r = app
            .anon_post(&format!("/notices/{nid}/objections"), &ct, body)
            .await;
        assert_flags(&r, &["contact"], n);
        assert!(
            r.body
                .contains("名单中的企业贷款合同编号与银行报送不一致。"),
            "{n}"
        );
        assert!(r.body.contains("value=\"张三\""), "{n}");
        assert_eq!(
            count(&app, "SELECT COUNT(*) FROM objections").await,
            0,
            "{n}"
        );
        app.cleanup().await;
    }
}

#[tokio::test]
async fn the_size_tool_with_every_figure_wrong_shows_all_three() {
    for app in TestApp::all().await {
        let r = app
            .get(
                "/tools/enterprise-size?industry=I65&employees=-3&revenue_wan=abc&assets_wan=1e9",
                None,
            )
            .await;
        assert_flags(&r, &["employees", "revenue_wan", "assets_wan"], app.name());
        assert!(r.body.contains("value=\"abc\""), "{}", app.name());
        app.cleanup().await;
    }
}

#[tokio::test]
async fn the_new_application_form_comes_back_as_entered_with_the_chosen_policy() {
    for app in TestApp::all().await {
        let n = app.name();
        let policy = app
            .store()
            .policy_versions(&ipfin_domain::Scope::City, Some("440305"))
            .await
            .expect("versions")
            .into_iter()
            .find(|v| v.status == "published")
            .expect("南山's policy")
            .id
            .to_string();
        let ent = app.login("ent.user").await;
        // A fresh form: the enterprise's own district's policy first, and an apply link on the
        // policy's page opens the form with it chosen.
        let page = app.get("/applications/new", Some(&ent)).await;
        assert_eq!(page.status, StatusCode::OK, "{n}");
        let card = app.get(&format!("/policies/{policy}"), Some(&ent)).await;
        assert!(
            card.body
                .contains(&format!("href=\"/applications/new?policy={policy}\"")),
            "{n}: no apply link on the policy"
        );
        let before = count(&app, "SELECT COUNT(*) FROM applications").await;
        let r = app
            .post_form(
                "/applications",
                Some(&ent),
                &[
                    ("kind", "securitisation"),
                    ("policy_version_id", &policy),
                    ("product", "南山知识产权资产支持专项计划"),
                    ("year_number", "1"),
                    ("interest_paid", "五万元"),
                    ("guarantee_fee", "10000.00"),
                ],
            )
            .await;
        assert_flags(&r, &["interest_paid"], n);
        assert!(
            r.body
                .contains(&format!("<option value=\"{policy}\" selected>")),
            "{n}: the chosen policy was not kept"
        );
        assert!(
            r.body.contains("value=\"securitisation\" checked"),
            "{n}: the kind was not kept"
        );
        assert!(
            !r.body.contains("value=\"enterprise_fee\" checked"),
            "{n}: the default kind came back"
        );
        for kept in ["南山知识产权资产支持专项计划", "五万元", "10000.00"] {
            assert!(r.body.contains(kept), "{n}: lost {kept}");
        }
        assert_eq!(
            count(&app, "SELECT COUNT(*) FROM applications").await,
            before,
            "{n}"
        );
        app.cleanup().await;
    }
}
