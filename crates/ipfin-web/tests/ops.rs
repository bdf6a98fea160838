//! Issue #17 items 7, 9 and 10 through the real router: the client address behind trusted
//! proxies, the account lock's message and its survival of a restart, the idle timeout, a full
//! storage (503 and `/readyz`), and temporary uploads removed at start.

mod support;

use axum::body::Body;
use axum::http::{Method, Request, header};
use http_body_util::BodyExt;
use ipfin_store::Page;
use ipfin_store::testing::{DEMO_PASSWORD, TestDb, fill_storage, free_storage};
use ipfin_web::{AppState, WebConfig, app as build_app};
use support::TestApp;
use tower::ServiceExt;

fn app_with(db: TestDb, config: WebConfig) -> TestApp {
    TestApp {
        router: build_app(AppState::new(db.store.clone(), config)),
        db,
    }
}

/// A sign-in form post with its pre-sign-in CSRF pair, from a client at `forwarded_for`.
async fn post_login(
    app: &TestApp,
    username: &str,
    password: &str,
    forwarded_for: Option<&str>,
) -> support::Resp {
    app.send(login_request(username, password, forwarded_for))
        .await
}

fn login_request(username: &str, password: &str, forwarded_for: Option<&str>) -> Request<Body> {
    let csrf = "0123456789abcdef0123456789abcdef";
    let body = serde_urlencoded::to_string([
        ("_csrf", csrf),
        ("username", username),
        ("password", password),
        ("next", "/home"),
    ])
    .expect("enc");
    let mut b = Request::builder()
        .method(Method::POST)
        .uri("/login")
        .header(header::COOKIE, format!("ipfin_precsrf={csrf}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(xff) = forwarded_for {
        b = b.header("x-forwarded-for", xff);
    }
    b.body(Body::from(body)).expect("req")
}

#[tokio::test]
async fn the_client_address_is_counted_from_the_right_behind_a_trusted_proxy() {
    let db = TestDb::sqlite().await.with_demo().await;
    let app = app_with(
        db,
        WebConfig {
            trusted_proxy_hops: 1,
            ..WebConfig::default()
        },
    );
    // 60 failures, each claiming another left-most address; our proxy appended the real one.
    let mut slowed = 0;
    for i in 0..60 {
        let xff = format!("6.6.6.{i}, 203.0.113.9");
        let r = post_login(&app, &format!("guess{i}"), "wrong-password", Some(&xff)).await;
        match r.status.as_u16() {
            401 => {}
            429 => slowed += 1,
            other => panic!("{other}: {}", r.body),
        }
    }
    assert!(slowed > 0, "the real address is slowed after 30 failures");
    let (failures, _) = app
        .store()
        .sign_in_failures(None, Some("203.0.113.9"))
        .await
        .expect("counters")
        .expect("the real address is counted");
    assert!(failures >= 30, "{failures}");
    assert_eq!(
        app.store()
            .sign_in_failures(None, Some("6.6.6.6"))
            .await
            .expect("counters"),
        None,
        "a forged address is never counted"
    );
    // The audit log records the real address, never a forged one.
    let events = app
        .store()
        .audit_list(None, Page::new(Some(1), Some(200)))
        .await
        .expect("audit");
    let failed: Vec<_> = events
        .items
        .iter()
        .filter(|e| e.action == "auth.sign_in_failed")
        .collect();
    assert!(!failed.is_empty());
    assert!(failed.iter().all(|e| e.data.contains("203.0.113.9")));
    assert!(!events.items.iter().any(|e| e.data.contains("6.6.6.")));
    app.cleanup().await;

    // Without trusted proxies the header is ignored altogether.
    let app = app_with(
        TestDb::sqlite().await.with_demo().await,
        WebConfig::default(),
    );
    post_login(&app, "guess", "wrong-password", Some("6.6.6.6")).await;
    assert_eq!(
        app.store()
            .sign_in_failures(None, Some("6.6.6.6"))
            .await
            .expect("counters"),
        None
    );
    app.cleanup().await;
}

#[tokio::test]
async fn a_locked_account_is_told_in_chinese_when_to_retry_and_a_restart_keeps_the_lock() {
    for app in TestApp::all().await {
        for _ in 0..5 {
            let r = post_login(&app, "ns.officer", "wrong-password", None).await;
            assert_eq!(r.status.as_u16(), 401);
        }
        // A restarted server (new process state over the same database) still refuses, even
        // the right password.
        let restarted = build_app(AppState::new(app.store().clone(), WebConfig::default()));
        let resp = restarted
            .oneshot(login_request("ns.officer", DEMO_PASSWORD, None))
            .await
            .expect("router answers");
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = resp.into_body().collect().await.expect("body").to_bytes();
        let r = support::Resp {
            status,
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        };
        assert_eq!(r.status.as_u16(), 429, "{}", app.name());
        assert!(
            r.body.contains("已暂时锁定") && r.body.contains("北京时间"),
            "{}",
            r.body
        );
        let retry: i64 = r
            .headers
            .get(header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .expect("Retry-After");
        assert!((1..=30).contains(&retry), "{retry}");
        // A colleague behind the same address is not affected.
        let ok = post_login(&app, "ft.officer", DEMO_PASSWORD, None).await;
        assert_eq!(ok.status.as_u16(), 303);
        app.cleanup().await;
    }
}

#[tokio::test]
async fn an_idle_session_is_sent_to_sign_in_again() {
    for app in TestApp::all().await {
        let s = app.login("ns.officer").await;
        assert_eq!(app.get("/home", Some(&s)).await.status.as_u16(), 200);
        // 31 minutes without a request (the default idle timeout is 30).
        ipfin_store::db::exec(
            app.store().conn(),
            "UPDATE sessions SET last_seen_at = last_seen_at - 1860",
            vec![],
        )
        .await
        .expect("time passes");
        // Past the 5-second session cache of the first request.
        tokio::time::sleep(ipfin_web::session_cache::TTL).await;
        let r = app.get("/home", Some(&s)).await;
        assert_eq!(r.status.as_u16(), 303, "{}", app.name());
        assert!(r.location().is_some_and(|l| l.starts_with("/login")));
        app.cleanup().await;
    }
}

#[tokio::test]
async fn writes_get_503_storage_full_and_readyz_says_why_until_space_is_freed() {
    for app in TestApp::all().await {
        let s = app.login("ns.officer").await;
        assert_eq!(app.get("/readyz", None).await.status.as_u16(), 200);
        let events = app.store().audit_count().await.expect("count");
        fill_storage(app.store()).await;
        let r = app.post_form("/logout", Some(&s), &[]).await;
        assert_eq!(r.status.as_u16(), 503, "{}: {}", app.name(), r.body);
        assert!(r.body.contains("存储空间不足"), "{}", r.body);
        let api = app.api(Method::GET, "/readyz", None, None).await;
        assert_eq!(api.status.as_u16(), 503);
        assert_eq!(api.json()["code"], "storage.full", "{}", api.body);
        assert_eq!(app.store().audit_count().await.expect("count"), events);
        // Space is freed: the next write goes through and the service is ready again.
        free_storage(app.store()).await;
        let r = app.post_form("/logout", Some(&s), &[]).await;
        assert_eq!(r.status.as_u16(), 303, "{}", r.body);
        assert_eq!(app.get("/readyz", None).await.status.as_u16(), 200);
        app.cleanup().await;
    }
}

#[cfg(unix)]
#[tokio::test]
async fn uploads_cut_off_by_a_crash_leave_no_temporary_file_after_a_restart() {
    use std::os::unix::fs::PermissionsExt;
    let root = std::env::temp_dir().join(format!(
        "ipfin-uploads-{}-{}",
        std::process::id(),
        &ipfin_store::auth::random_token()[..8]
    ));
    let config = WebConfig {
        upload_dir: root.join("uploads"),
        attachment_dir: root.join("attachments"),
        ..WebConfig::default()
    };
    for dir in [&config.upload_dir, &config.attachment_dir] {
        std::fs::create_dir_all(dir).expect("dir");
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        // What a process killed in the middle of an upload leaves behind.
        std::fs::write(dir.join("upload-0123456789abcdef"), b"half an upload").expect("w");
        let kept = dir.join("attachment-kept");
        std::fs::write(&kept, b"kept").expect("w");
        std::fs::set_permissions(&kept, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    }
    let removed = ipfin_web::prepare_upload_dirs(&config).expect("prepare");
    assert_eq!(removed, 2);
    for dir in [&config.upload_dir, &config.attachment_dir] {
        let names: Vec<String> = std::fs::read_dir(dir)
            .expect("read")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            vec!["attachment-kept".to_string()],
            "{}",
            dir.display()
        );
        let mode =
            |p: &std::path::Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode(dir), 0o700);
        assert_eq!(mode(&dir.join("attachment-kept")), 0o600);
    }
    std::fs::remove_dir_all(&root).ok();
}
