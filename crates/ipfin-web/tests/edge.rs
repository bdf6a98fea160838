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
use std::io::Read as _;
use support::{Resp, TestApp};

use support::{PRE_CSRF as PRE, pre_cookie};

/// A request from client address `ip` (as the server sees a TCP peer).
fn from_addr(mut req: Request<Body>, ip: &str) -> Request<Body> {
    let addr: std::net::SocketAddr = format!("{ip}:40000").parse().expect("addr");
    req.extensions_mut().insert(ConnectInfo(addr));
    req
}

/// An anonymous form post with the pre-sign-in CSRF token.
async fn anon_form(app: &TestApp, path: &str, pairs: &[(&str, &str)]) -> Resp {
    app.anon_form(path, pairs).await
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
        assert!(
            r.json()["message"]
                .as_str()
                .is_some_and(|m| m.contains("分钟后再试"))
        );
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
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{n}: {}",
            r.body
        );
        assert!(r.body.contains("最多附 1 个"), "{n}: {}", r.body);
        let mut big = b"%PDF-1.7 ".to_vec();
        big.resize(4097, b'x');
        let r = page_objection(&app, nid, "198.51.100.1", "材料过大", &[&big]).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{n}: {}",
            r.body
        );
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

// ---------------------------------------------------------------------------------------
// Item 5: control characters refused in every text input, dropped from every document.

#[tokio::test]
async fn control_characters_are_refused_in_forms_json_and_queries_naming_the_field() {
    for app in TestApp::all().await {
        let n = app.name();
        let officer = app.login("ns.officer").await;
        let quarter = ipfin_domain::stats::Quarter::of(ipfin_store::today_shanghai());
        let date = ipfin_store::today_shanghai().to_string();
        let meetings = "SELECT COUNT(*) FROM meetings";
        let before = count(&app, meetings).await;
        for bad in ["议程\0一", "议程\u{1}一", "议程\u{202e}一"] {
            let r = app
                .post_form(
                    "/meetings",
                    Some(&officer),
                    &[
                        ("quarter", &quarter.to_string()),
                        ("date", &date),
                        ("place", "会议室"),
                        ("agenda", bad),
                    ],
                )
                .await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{n}: {}",
                r.body
            );
            assert!(
                r.body.contains("“agenda”第 3 个字符是不可见的控制字符"),
                "{n}: {}",
                r.body
            );
        }
        // The same through the JSON API (on PostgreSQL a NUL was a 500), named by its path.
        let token = app.token("南山区市场监督管理局").await;
        let body = serde_json::json!({"quarter": quarter.to_string(), "date": date, "place": "x", "agenda": "a\u{0}b"});
        let r = app
            .api(
                Method::POST,
                "/api/v1/meetings",
                Some(&token),
                Some(body.to_string()),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{n}: {}",
            r.body
        );
        assert_eq!(r.json()["code"], "field.control_char");
        assert_eq!(r.json()["field"], "agenda");
        assert_eq!(count(&app, meetings).await, before, "{n}: nothing stored");
        // A search with NUL is refused, not a database error.
        let r = app.get("/enterprises?q=%00", Some(&officer)).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{n}: {}",
            r.body
        );
        let r = app
            .api(
                Method::GET,
                "/api/v1/enterprises?q=a%00",
                Some(&token),
                None,
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{n}: {}",
            r.body
        );
        // A pasted vertical tab (Word's Shift+Enter) is a line break, and stored as one.
        let r = app
            .post_form(
                "/meetings",
                Some(&officer),
                &[
                    ("quarter", &quarter.to_string()),
                    ("date", &date),
                    ("place", "会议室"),
                    ("agenda", "一、通报进展\u{b}二、各单位汇报"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{n}: {}", r.body);
        let stored = fetch_i64(
            app.store().conn(),
            "SELECT COUNT(*) FROM meetings WHERE agenda = ?",
            vec!["一、通报进展\n二、各单位汇报".into()],
        )
        .await
        .expect("count");
        assert_eq!(stored, 1, "{n}");
        app.cleanup().await;
    }
}

#[tokio::test]
async fn a_docx_from_an_agenda_stored_with_control_characters_is_well_formed() {
    for app in TestApp::all().await {
        let n = app.name();
        let officer = app.login("ns.officer").await;
        let quarter = ipfin_domain::stats::Quarter::of(ipfin_store::today_shanghai());
        let r = app
            .post_form(
                "/meetings",
                Some(&officer),
                &[
                    ("quarter", &quarter.to_string()),
                    ("date", &ipfin_store::today_shanghai().to_string()),
                    ("place", "会议室"),
                    ("agenda", "占位"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{n}: {}", r.body);
        let page = r
            .location()
            .and_then(|l| l.split('?').next())
            .expect("meeting page")
            .to_string();
        let id: i64 = page.trim_start_matches("/meetings/").parse().expect("id");
        // What was stored before the edge refused it: PostgreSQL never holds a NUL in text.
        let agenda = if n == "sqlite" {
            "一、议程\0第一项\u{b}二、\u{1}第二项\u{7f}"
        } else {
            "一、议程第一项\u{b}二、\u{1}第二项\u{7f}"
        };
        ipfin_store::db::exec(
            app.store().conn(),
            "UPDATE meetings SET agenda = ? WHERE id = ?",
            vec![agenda.into(), id.into()],
        )
        .await
        .expect("store the old agenda");
        let (status, _, bytes) = app
            .get_bytes(&format!("{page}/meeting.docx"), &officer)
            .await;
        assert_eq!(status, StatusCode::OK, "{n}");
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
        for i in 0..zip.len() {
            let mut part = zip.by_index(i).expect("part");
            let name = part.name().map(|s| s.to_string()).unwrap_or_default();
            if !(name.ends_with(".xml") || name.ends_with(".rels")) {
                continue;
            }
            let mut xml = String::new();
            part.read_to_string(&mut xml).expect("utf-8");
            roxmltree::Document::parse(&xml)
                .unwrap_or_else(|e| panic!("{n}: {name} is not well-formed XML: {e}"));
            if name == "word/document.xml" {
                assert!(xml.contains("第一项") && xml.contains("第二项"), "{n}");
                assert!(!xml.contains('\u{1}') && !xml.contains('\0'), "{n}");
            }
        }
        app.cleanup().await;
    }
}

// ---------------------------------------------------------------------------------------
// Item 6: security headers, one test per header.

async fn home_page() -> (TestApp, Resp) {
    let app = TestApp::with_db(
        ipfin_store::testing::TestDb::sqlite()
            .await
            .with_demo()
            .await,
    );
    let r = app.get("/login", None).await;
    assert_eq!(r.status, StatusCode::OK);
    (app, r)
}

fn header_of(r: &Resp, name: header::HeaderName) -> &str {
    r.headers
        .get(&name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("no {name}"))
}

#[tokio::test]
async fn pages_send_a_content_security_policy_without_inline_script() {
    let (app, r) = home_page().await;
    let csp = header_of(&r, header::CONTENT_SECURITY_POLICY);
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
        "{csp}"
    );
    assert!(csp.contains("object-src 'none'") && csp.contains("base-uri 'none'"));
    // No page carries inline script, an inline handler or an inline style the policy blocks.
    let officer = app.login("ns.officer").await;
    for path in ["/login", "/home", "/policies", "/meetings", "/applications"] {
        let body = app.get(path, Some(&officer)).await.body;
        for needle in ["<script>", "onclick=", "onchange=", "<style", "style=\""] {
            assert!(!body.contains(needle), "{path} holds {needle}");
        }
    }
    // Error pages and the API carry it too.
    let r = app.get("/no-such-page", None).await;
    assert!(r.headers.contains_key(header::CONTENT_SECURITY_POLICY));
}

#[tokio::test]
async fn pages_refuse_to_be_framed() {
    let (_app, r) = home_page().await;
    assert!(header_of(&r, header::CONTENT_SECURITY_POLICY).contains("frame-ancestors 'none'"));
    assert_eq!(header_of(&r, header::X_FRAME_OPTIONS), "DENY");
}

#[tokio::test]
async fn responses_forbid_content_sniffing() {
    let (app, r) = home_page().await;
    assert_eq!(header_of(&r, header::X_CONTENT_TYPE_OPTIONS), "nosniff");
    let api = app.get("/api/v1/tools/credit-code/x", None).await;
    assert_eq!(header_of(&api, header::X_CONTENT_TYPE_OPTIONS), "nosniff");
}

#[tokio::test]
async fn pages_keep_the_referrer_on_the_site() {
    let (_app, r) = home_page().await;
    assert_eq!(header_of(&r, header::REFERRER_POLICY), "same-origin");
}

#[tokio::test]
async fn pages_and_api_answers_are_not_cached_but_static_assets_are() {
    let (app, r) = home_page().await;
    assert_eq!(header_of(&r, header::CACHE_CONTROL), "no-store");
    let api = app.get("/api/v1/tools/credit-code/x", None).await;
    assert_eq!(header_of(&api, header::CACHE_CONTROL), "no-store");
    let css = app.get("/static/app.css", None).await;
    assert_eq!(
        header_of(&css, header::CACHE_CONTROL),
        "public, max-age=3600"
    );
}

#[tokio::test]
async fn hsts_is_sent_only_when_secure_cookies_are_on() {
    let (app, r) = home_page().await;
    assert!(!r.headers.contains_key(header::STRICT_TRANSPORT_SECURITY));
    let https = TestApp {
        router: ipfin_web::app(AppState::new(
            app.store().clone(),
            WebConfig {
                secure_cookies: true,
                ..WebConfig::default()
            },
        )),
        db: app.db,
    };
    let r = https.get("/login", None).await;
    assert_eq!(
        header_of(&r, header::STRICT_TRANSPORT_SECURITY),
        "max-age=31536000; includeSubDomains"
    );
}

// ---------------------------------------------------------------------------------------
// Item 11: smaller leaks.

#[tokio::test]
async fn register_answers_the_same_whether_the_username_exists() {
    for app in TestApp::all().await {
        let n = app.name();
        let code = ipfin_store::demo::demo_credit_code("440305", 101);
        let claim = |username: &'static str| {
            let code = code.clone();
            let app = &app;
            async move {
                anon_form(
                    app,
                    "/register",
                    &[
                        ("credit_code", &code),
                        ("display_name", "孙经理"),
                        ("phone", "13712345679"),
                        ("username", username),
                        ("password", "Sun-Manager-2026-long"),
                        ("password_again", "Sun-Manager-2026-long"),
                    ],
                )
                .await
            }
        };
        let taken = claim("ns.officer").await;
        let fresh = claim("sun.manager").await;
        assert_eq!(taken.status, fresh.status, "{n}: {}", taken.body);
        assert_eq!(taken.status, StatusCode::CREATED, "{n}: {}", taken.body);
        assert!(!taken.body.contains("已被使用") && !taken.body.contains("已被占用"));
        assert_eq!(
            taken.body.replace("ns.officer", "sun.manager"),
            fresh.body,
            "{n}: the two answers differ"
        );
        // The way forward: approving the taken one is refused with what to tell the applicant.
        let officer = app.login("ns.officer").await;
        let claim_id = fetch_i64(
            app.store().conn(),
            "SELECT id FROM enterprise_claims WHERE username = 'ns.officer'",
            vec![],
        )
        .await
        .expect("claim kept");
        let r = app
            .post_form(
                &format!("/claims/{claim_id}/decide"),
                Some(&officer),
                &[("decision", "approve")],
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{n}: {}", r.body);
        assert!(
            r.body.contains("请驳回并请申请人换用户名"),
            "{n}: {}",
            r.body
        );
        app.cleanup().await;
    }
}

#[tokio::test]
async fn a_refused_pledge_does_not_name_who_holds_the_patent() {
    for app in TestApp::all().await {
        let n = app.name();
        let bank = app.token("深南银行深圳分行").await;
        let loan = |contract: &str, reg: &str, borrower: String| {
            serde_json::json!({
                "contract_number": contract,
                "borrower_credit_code": borrower,
                "principal_fen": 500_000_000,
                "annual_rate": "0.0345",
                "start_date": "2026-03-05",
                "end_date": "2027-03-04",
                "first_loan": true,
                "pledges": [{"number": reg, "secured_amount_fen": 500_000_000, "registration_date": "2026-03-01",
                    "items": [{"kind": "patent", "number": "202320111111.4", "title": "探测"}]}]
            })
            .to_string()
        };
        let futian = ipfin_store::demo::demo_credit_code("440304", 102);
        let r = app
            .api(
                Method::POST,
                "/api/v1/loans",
                Some(&bank),
                Some(loan("FT-9", "Y2026980029001", futian)),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{n}: {}", r.body);
        let nanshan = ipfin_store::demo::demo_credit_code("440305", 101);
        let r = app
            .api(
                Method::POST,
                "/api/v1/loans",
                Some(&bank),
                Some(loan("NS-9", "Y2026980029002", nanshan)),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{n}: {}",
            r.body
        );
        assert_eq!(r.json()["code"], "pledge.ip_not_borrower");
        // Every demo enterprise's name ends in 有限公司; the holder's must not appear.
        assert!(
            !r.body.contains("有限公司"),
            "{n}: the holder is named: {}",
            r.body
        );
        assert!(r.body.contains("不在借款企业名下"), "{n}: {}", r.body);
        app.cleanup().await;
    }
}

#[tokio::test]
async fn feed_links_use_the_configured_base_url_not_the_host_header() {
    let db = ipfin_store::testing::TestDb::sqlite()
        .await
        .with_demo()
        .await;
    let app = TestApp {
        router: ipfin_web::app(AppState::new(
            db.store.clone(),
            WebConfig {
                public_base_url: "https://ipfin.example.gov.cn".into(),
                ..WebConfig::default()
            },
        )),
        db,
    };
    for feed in ["/feeds/440305/policies.atom", "/feeds/440305/policies.json"] {
        let r = app
            .send(
                Request::builder()
                    .uri(feed)
                    .header(header::HOST, "evil.example")
                    .body(Body::empty())
                    .expect("request"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{feed}: {}", r.body);
        assert!(!r.body.contains("evil.example"), "{feed}: {}", r.body);
        assert!(
            r.body.contains("https://ipfin.example.gov.cn/"),
            "{feed}: {}",
            r.body
        );
    }
}

#[tokio::test]
async fn loans_dated_outside_a_plausible_range_are_refused() {
    for app in TestApp::all().await {
        let n = app.name();
        let bank = app.token("深南银行深圳分行").await;
        let before = count(&app, "SELECT COUNT(*) FROM loans").await;
        for (i, (start, end, code)) in [
            ("0000-03-05", "2027-03-04", "loan.date_range"),
            ("-2026-03-05", "2027-03-04", "loan.date_range"),
            ("2026-03-05", "9999-03-04", "loan.date_range"),
            ("1989-12-31", "1995-01-01", "loan.date_range"),
            ("2026-03-05", "2060-03-04", "loan.term"),
        ]
        .into_iter()
        .enumerate()
        {
            let body = serde_json::json!({
                "contract_number": format!("RANGE-{i}"),
                "borrower_credit_code": ipfin_store::demo::demo_credit_code("440305", 101),
                "principal_fen": 500_000_000,
                "annual_rate": "0.0345",
                "start_date": start,
                "end_date": end,
                "first_loan": true,
                "pledges": [{"number": format!("Y20269800391{i:02}"), "secured_amount_fen": 500_000_000, "registration_date": "2026-03-01",
                    "items": [{"kind": "patent", "number": "CN 202310123456.6", "title": "一种电池管理方法"}]}]
            });
            let r = app
                .api(
                    Method::POST,
                    "/api/v1/loans",
                    Some(&bank),
                    Some(body.to_string()),
                )
                .await;
            assert!(r.status.is_client_error(), "{n}: {start}–{end}: {}", r.body);
            if r.status == StatusCode::UNPROCESSABLE_ENTITY
                && r.json()["code"] != "json.invalid_value"
            {
                assert_eq!(r.json()["code"], code, "{n}: {start}–{end}: {}", r.body);
            }
        }
        assert_eq!(
            count(&app, "SELECT COUNT(*) FROM loans").await,
            before,
            "{n}"
        );
        app.cleanup().await;
    }
}
