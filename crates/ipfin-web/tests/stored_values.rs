//! Stored documents the program cannot read (issue #16 item 4) through the real router on both
//! databases: a policy document or a kept idempotent answer that does not parse is a 500 with
//! the standard error body, never an empty document or an empty 200.

mod support;

use axum::http::{Method, StatusCode};
use ipfin_store::db::{exec, fetch_i64};
use serde_json::json;
use support::TestApp;

fn assert_internal(r: &support::Resp, what: &str, db: &str) {
    assert_eq!(
        r.status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "{db} {what}: {}",
        r.body
    );
    assert_eq!(r.json()["code"], "internal", "{db} {what}: {}", r.body);
}

#[tokio::test]
async fn an_unreadable_policy_document_is_an_internal_error() {
    for app in TestApp::all().await {
        let s = app.store();
        let id = fetch_i64(
            s.conn(),
            "SELECT MIN(id) FROM policy_versions WHERE status = 'published'",
            vec![],
        )
        .await
        .expect("a published policy");
        let path = format!("/api/v1/policies/{id}");
        let ok = app.api(Method::GET, &path, None, None).await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
        assert!(ok.json()["document"].is_object());
        exec(
            s.conn(),
            "UPDATE policy_versions SET document = '{\"title\": ' WHERE id = ?",
            vec![id.into()],
        )
        .await
        .expect("damage the document");
        let r = app.api(Method::GET, &path, None, None).await;
        assert_internal(&r, "policy", app.name());
        app.cleanup().await;
    }
}

fn loan() -> serde_json::Value {
    json!({
        "contract_number": "K-DAMAGED",
        "borrower_credit_code": ipfin_store::demo::demo_credit_code("440305", 101),
        "principal_fen": 500_000_000,
        "annual_rate": "0.0345",
        "start_date": "2026-03-05",
        "end_date": "2027-03-04",
        "first_loan": true,
        "pledges": [{
            "number": "Y2026980033333",
            "secured_amount_fen": 500_000_000,
            "registration_date": "2026-03-01",
            "items": [{"kind": "patent", "number": "CN 202310123456.6", "title": "一种电池管理方法"}]
        }]
    })
}

#[tokio::test]
async fn an_unreadable_kept_answer_is_an_internal_error() {
    for app in TestApp::all().await {
        let token = app.token("深南银行深圳分行").await;
        let send = || {
            let req = axum::http::Request::builder()
                .method(Method::POST)
                .uri("/api/v1/loans")
                .header("authorization", format!("Bearer {token}"))
                .header("content-type", "application/json")
                .header("idempotency-key", "key-damaged")
                .body(axum::body::Body::from(loan().to_string()))
                .expect("request");
            app.send(req)
        };
        let first = send().await;
        assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
        exec(
            app.store().conn(),
            "UPDATE idempotency_keys SET body = 'not json' WHERE key = 'key-damaged'",
            vec![],
        )
        .await
        .expect("damage the answer");
        let r = send().await;
        assert_internal(&r, "idempotent replay", app.name());
        app.cleanup().await;
    }
}
