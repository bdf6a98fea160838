//! The edge of the web (issue #17 items 3, 4, 5, 6, 11) through the real router: where sign-in
//! may send a browser, the limits on anonymous objections (counted in the database, on SQLite
//! and PostgreSQL), control characters refused in every kind of text input and dropped from
//! every generated document, the security headers, and the small leaks.

mod support;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode, header};
use ipfin_domain::application::objection::ObjectionLimits;
use ipfin_store::db::fetch_i64;
use ipfin_web::{AppState, WebConfig, app};
use std::io::Read;
use support::{Resp, TestApp};

/// A pre-sign-in CSRF token (any 64 characters) and its cookie, as a browser holds them.
const PRE: &str = "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij1234";

fn pre_cookie() -> String {
    format!("ipfin_precsrf={PRE}")
}

/// A request from client address `ip` (as the server sees a TCP peer).
fn from_addr(mut req: Request<Body>, ip: &str) -> Request<Body> {
    let addr: std::net::SocketAddr = format!("{ip}:40000").parse().expect("addr");
    req.extensions_mut().insert(ConnectInfo(addr));
    req
}

/// An anonymous form post with the pre-sign-in CSRF token.
async fn anon_form(app: &TestApp, path: &str, pairs: &[(&str, &str)]) -> Resp {
    let mut all: Vec<(&str, &str)> = vec![("_csrf", PRE)];
    all.extend_from_slice(pairs);
    let body = serde_urlencoded::to_string(&all).expect("encode");
    app.send(
        Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::COOKIE, pre_cookie())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .expect("request"),
    )
    .await
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    fetch_i64(app.store().conn(), sql, vec![])
        .await
        .expect("count")
}

/// An open notice in Nanshan (today to today + 5), inserted as publishing would leave it.
async fn open_notice(app: &TestApp) -> i64 {
    let today = ipfin_store::today_shanghai();
    fetch_i64(
        app.store().conn(),
        "INSERT INTO notices (district_code, title, starts_on, ends_on, days, status, published_at, published_by) \
         VALUES ('440305', '异议限制测试公示', ?, ?, 5, 'open', 0, 0) RETURNING id",
        vec![today.into(), (today + chrono::Days::new(5)).into()],
    )
    .await
    .expect("notice")
}

// ---------------------------------------------------------------------------------------
// Item 3: the redirect after sign-in stays on the site.

#[tokio::test]
async fn sign_in_never_redirects_off_the_site_whatever_next_holds() {
    let apps = TestApp::all().await;
    let app = &apps[0];
    let user = app.login("ns.officer").await;
    let hostile = [
        "/\t/evil.example/phish",
        "/\r/evil.example/phish",
        "/\n/evil.example/phish",
        "\t//evil.example",
        "//evil.example/phish",
        "/\\evil.example/phish",
        "\\\\evil.example",
        "https://evil.example/phish",
        "http:/evil.example",
        "evil.example",
        "/%09/evil.example",
        "/%0D%0A/evil.example",
        "/%5Cevil.example",
        "/%2F/evil.example",
        "/%252F%252Fevil.example",
        "/ /evil.example",
        "",
    ];
    for next in hostile {
        let q = serde_urlencoded::to_string([("next", next)]).expect("encode");
        let r = app.get(&format!("/login?{q}"), Some(&user)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{next:?}: {}", r.body);
        assert_eq!(r.location(), Some("/home"), "{next:?} must not be followed");
    }
    // A path on the site is followed, query included.
    let r = app
        .get("/login?next=%2Fapplications%3Fpage%3D2", Some(&user))
        .await;
    assert_eq!(r.location(), Some("/applications?page=2"));
    // The form's hidden field and the sign-in itself use the same rule.
    let page = app.get("/login?next=%2F%09%2Fevil.example", None).await;
    assert!(page.body.contains("value=\"/home\""), "{}", page.body);
    let r = anon_form(
        app,
        "/login",
        &[
            ("username", "ns.officer"),
            ("password", ipfin_store::testing::DEMO_PASSWORD),
            ("next", "/\t/evil.example/phish"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), Some("/home"));
    for app in apps {
        app.cleanup().await;
    }
}

// ---------------------------------------------------------------------------------------
// Item 4: anonymous objections are limited, counted in the database.

/// The router of one server instance with small objection limits.
fn limited_router(store: ipfin_store::Store) -> axum::Router {
    let config = WebConfig {
        objection_limits: ObjectionLimits {
            per_address: 3,
            per_notice: 5,
            max_bytes: 4096,
            ..ObjectionLimits::default()
        },
        ..WebConfig::default()
    };
    app(AppState::new(store, config))
}

fn limited(db: ipfin_store::testing::TestDb) -> TestApp {
    TestApp {
        router: limited_router(db.store.clone()),
        db,
    }
}

async fn api_objection(app: &TestApp, nid: i64, ip: &str, text: &str) -> Resp {
    let body = serde_json::json!({"name": "王五", "contact": "13900000002", "text": text});
    app.send(from_addr(
        Request::builder()
            .method(Method::POST)
            .uri(format!("/api/v1/notices/{nid}/objections"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .expect("request"),
        ip,
    ))
    .await
}

/// A multipart objection from the page with these evidence files (part name `evidence`).
async fn page_objection(app: &TestApp, nid: i64, ip: &str, text: &str, files: &[&[u8]]) -> Resp {
    let boundary = "edgeBoundary9QK";
    let mut body = Vec::new();
    for (k, v) in [
        ("_csrf", PRE),
        ("name", "赵六"),
        ("contact", "13900000003"),
        ("text", text),
    ] {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    for (i, f) in files.iter().enumerate() {
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"evidence\"; filename=\"e{i}.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend(*f);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").as_bytes());
    app.send(from_addr(
        Request::builder()
            .method(Method::POST)
            .uri(format!("/notices/{nid}/objections"))
            .header(header::COOKIE, pre_cookie())
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(Body::from(body))
            .expect("request"),
        ip,
    ))
    .await
}

#[tokio::test]
async fn objections_are_limited_per_address_and_notice_bounded_and_never_duplicated() {
    for db in ipfin_store::testing::TestDb::all().await {
        let app = limited(db.with_demo().await);
        let n = app.name();
        let nid = open_notice(&app).await;
        let stored = "SELECT COUNT(*) FROM objections";
        // Three from one address are taken; the fourth gets 429 in Chinese with Retry-After.
        for i in 0..3 {
            let r = api_objection(&app, nid, "203.0.113.7", &format!("第 {i} 条异议")).await;
            assert_eq!(r.status, StatusCode::CREATED, "{n}: {}", r.body);
        }
        let r = api_objection(&app, nid, "203.0.113.7", "第 4 条异议").await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{n}: {}", r.body);
        assert_eq!(r.json()["code"], "objection.rate_address");
        assert!(r.json()["message"].as_str().is_some_and(|m| m.contains("分钟后再试")));
        let wait: i64 = r
            .headers
            .get(header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .expect("Retry-After");
        assert!((3500..=3600).contains(&wait), "{n}: {wait}");
        // The page route shares the count (read from the database), before reading the body.
        let r = page_objection(&app, nid, "203.0.113.7", "页面异议", &[]).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{n}: {}", r.body);
        assert!(r.headers.contains_key(header::RETRY_AFTER));
        assert!(r.body.contains("分钟后再试"), "{n}");
        assert_eq!(count(&app, stored).await, 3);

        // The exact same objection again, from elsewhere: 409, nothing stored.
        let r = api_objection(&app, nid, "198.51.100.1", "第 0 条异议").await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{n}: {}", r.body);
        assert_eq!(r.json()["code"], "objection.duplicate");
        // Evidence: two files, or more than the total size, are refused with 422.
        let pdf = b"%PDF-1.7 evidence".as_slice();
        let r = page_objection(&app, nid, "198.51.100.1", "两份材料", &[pdf, pdf]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{n}: {}", r.body);
        assert!(r.body.contains("最多附 1 个"), "{n}: {}", r.body);
        let mut big = b"%PDF-1.7 ".to_vec();
        big.resize(4097, b'x');
        let r = page_objection(&app, nid, "198.51.100.1", "材料过大", &[&big]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{n}: {}", r.body);
        assert!(r.body.contains("合计不能超过"), "{n}: {}", r.body);
        assert_eq!(count(&app, stored).await, 3);
        // One file within the limit is taken.
        let r = page_objection(&app, nid, "198.51.100.1", "附一份材料", &[pdf]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{n}: {}", r.body);

        // The notice's own limit (5 an hour) holds whatever the addresses.
        let r = api_objection(&app, nid, "198.51.100.2", "另一地址").await;
        assert_eq!(r.status, StatusCode::CREATED, "{n}: {}", r.body);
        let r = api_objection(&app, nid, "198.51.100.3", "第三个地址").await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{n}: {}", r.body);
        assert_eq!(r.json()["code"], "objection.rate_notice");
        assert_eq!(count(&app, stored).await, 5);
        // A second instance on the same database sees the same counts.
        let other = limited_router(app.store().clone());
        let body = serde_json::json!({"name": "王五", "contact": "1", "text": "另一实例"});
        let resp = tower::ServiceExt::oneshot(
            other,
            from_addr(
                Request::builder()
                    .method(Method::POST)
                    .uri(format!("/api/v1/notices/{nid}/objections"))
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(body.to_string()))
                    .expect("request"),
                "198.51.100.4",
            ),
        )
        .await
        .expect("answer");
        assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS, "{n}");
        app.cleanup().await;
    }
}
