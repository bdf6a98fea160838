//! Pages and API through the real router on the real databases: sign-in and its abuse cases,
//! CSRF, sessions, tokens, uniform errors, the credit-code tool, management pages.

mod support;

use axum::body::Body;
use axum::http::{Method, Request, header};
use ipfin_store::testing::{DEMO_PASSWORD, TestDb};
use support::TestApp;
use tower::ServiceExt;

fn login_csrf(resp: &support::Resp) -> (String, String) {
    let cookie = resp
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("ipfin_precsrf="))
        .expect("pre-csrf cookie")
        .split(';')
        .next()
        .expect("cookie pair")
        .to_string();
    let token = cookie.trim_start_matches("ipfin_precsrf=").to_string();
    (cookie, token)
}

async fn post_login(
    app: &TestApp,
    cookie: &str,
    csrf: &str,
    username: &str,
    password: &str,
) -> support::Resp {
    let body = serde_urlencoded::to_string([
        ("_csrf", csrf),
        ("username", username),
        ("password", password),
        ("next", "/home"),
    ])
    .expect("enc");
    app.send(
        Request::builder()
            .method(Method::POST)
            .uri("/login")
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .expect("req"),
    )
    .await
}

#[tokio::test]
async fn sign_in_sign_out_and_home_per_role() {
    for app in TestApp::all().await {
        let page = app.get("/login", None).await;
        assert_eq!(page.status.as_u16(), 200);
        let (cookie, csrf) = login_csrf(&page);
        let r = post_login(&app, &cookie, &csrf, "ns.officer", DEMO_PASSWORD).await;
        assert_eq!(r.status.as_u16(), 303, "{}", r.body);
        assert_eq!(r.location(), Some("/home"));
        let set = r
            .headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with("ipfin_session="))
            .expect("session cookie")
            .to_string();
        assert!(
            set.contains("HttpOnly") && set.contains("SameSite=Lax"),
            "{set}"
        );
        let session_cookie = set.split(';').next().expect("pair").to_string();
        let home = app
            .send(
                Request::builder()
                    .uri("/home")
                    .header(header::COOKIE, &session_cookie)
                    .body(Body::empty())
                    .expect("req"),
            )
            .await;
        assert_eq!(home.status.as_u16(), 200);
        assert!(
            home.body.contains("待办事项") && home.body.contains("南山区"),
            "{}",
            home.body
        );

        // Each role's home page renders its own navigation.
        for (user, must_have, must_not) in [
            ("city.admin", "/audit", "/districts/440305\""),
            ("ns.finance", "/districts/440305", "/tokens"),
            ("bank.manager", "/tokens", "/districts"),
            ("agency.specialist", "/tokens", "/users\""),
            ("ent.user", "/orgs/", "/audit"),
        ] {
            let s = app.login(user).await;
            let r = app.get("/home", Some(&s)).await;
            assert_eq!(r.status.as_u16(), 200, "{user}");
            assert!(r.body.contains(must_have), "{user} home has {must_have}");
            assert!(!r.body.contains(must_not), "{user} home lacks {must_not}");
        }

        // Sign-out ends the session server-side.
        let s = app.login("ns.officer").await;
        let r = app.post_form("/logout", Some(&s), &[]).await;
        assert_eq!(r.status.as_u16(), 303);
        let r = app.get("/home", Some(&s)).await;
        assert_eq!(r.status.as_u16(), 303, "the old cookie no longer works");
        app.cleanup().await;
    }
}

#[tokio::test]
async fn wrong_passwords_lock_out_without_revealing_accounts() {
    let app = TestApp::with_db(TestDb::sqlite().await.with_demo().await);
    let page = app.get("/login", None).await;
    let (cookie, csrf) = login_csrf(&page);
    let mut statuses = Vec::new();
    let mut messages = std::collections::BTreeSet::new();
    for _ in 0..20 {
        let r = post_login(&app, &cookie, &csrf, "ns.officer", "wrong-password").await;
        statuses.push(r.status.as_u16());
        if r.status.as_u16() == 401 {
            messages.insert(r.body.contains("用户名或密码错误"));
        }
    }
    assert_eq!(&statuses[..5], &[401; 5], "five free attempts");
    assert!(
        statuses[5..].iter().all(|s| *s == 429),
        "then locked: {statuses:?}"
    );
    let locked = post_login(&app, &cookie, &csrf, "ns.officer", DEMO_PASSWORD).await;
    assert_eq!(
        locked.status.as_u16(),
        429,
        "even the right password waits out the lock"
    );
    assert!(locked.body.contains("秒后再试") && locked.headers.contains_key(header::RETRY_AFTER));
    // An unknown account behaves the same way: same message, same lock.
    let mut unknown = Vec::new();
    for _ in 0..6 {
        let r = post_login(&app, &cookie, &csrf, "no.such.user", "wrong-password").await;
        unknown.push(r.status.as_u16());
        if r.status.as_u16() == 401 {
            assert!(r.body.contains("用户名或密码错误"));
        }
    }
    assert_eq!(unknown, vec![401, 401, 401, 401, 401, 429]);
    // Other accounts are unaffected.
    let ok = post_login(&app, &cookie, &csrf, "ft.officer", DEMO_PASSWORD).await;
    assert_eq!(ok.status.as_u16(), 303);
    app.cleanup().await;
}

#[tokio::test]
async fn csrf_is_required_on_every_form() {
    let app = TestApp::with_db(TestDb::sqlite().await.with_demo().await);
    // Sign-in form without the double-submit token.
    let r = post_login(&app, "", "", "ns.officer", DEMO_PASSWORD).await;
    assert_eq!(r.status.as_u16(), 403);
    assert!(r.body.contains("安全令牌"), "{}", r.body);
    // Signed-in form with a wrong token: refused, nothing stored.
    let s = app.login("ns.officer").await;
    let before = app.audit_count().await;
    let org = app.org_id("南山区财政局").await;
    let r = app
        .post_form(
            &format!("/orgs/{org}/contacts"),
            Some(&s),
            &[("_csrf", "forged"), ("name", "x"), ("phone", "12345678")],
        )
        .await;
    assert_eq!(r.status.as_u16(), 403);
    let r = app
        .post_form(
            &format!("/orgs/{org}/contacts"),
            Some(&s),
            &[("_csrf", ""), ("name", "x"), ("phone", "12345678")],
        )
        .await;
    assert_eq!(r.status.as_u16(), 403);
    // A cross-site POST is refused by the origin check even with a valid token.
    let body = serde_urlencoded::to_string([
        ("_csrf", s.csrf.as_str()),
        ("name", "x"),
        ("phone", "12345678"),
    ])
    .expect("enc");
    let r = app
        .send(
            Request::builder()
                .method(Method::POST)
                .uri(format!("/orgs/{org}/contacts"))
                .header(header::COOKIE, &s.cookie)
                .header("sec-fetch-site", "cross-site")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .expect("req"),
        )
        .await;
    assert_eq!(r.status.as_u16(), 403);
    assert!(r.body.contains("跨站"), "{}", r.body);
    assert_eq!(app.audit_count().await, before);
    // With the right token it works.
    let r = app
        .post_form(
            &format!("/orgs/{org}/contacts"),
            Some(&s),
            &[("name", "李四"), ("phone", "0755-12345678")],
        )
        .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    app.cleanup().await;
}

#[tokio::test]
async fn forged_or_expired_sessions_and_revoked_tokens_are_refused() {
    let app = TestApp::with_db(TestDb::sqlite().await.with_demo().await);
    let r = app
        .send(
            Request::builder()
                .uri("/home")
                .header(header::COOKIE, "ipfin_session=forged")
                .body(Body::empty())
                .expect("req"),
        )
        .await;
    assert_eq!(r.status.as_u16(), 303);
    assert!(
        r.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .any(|v| v.to_str().unwrap_or("").contains("Max-Age=0")),
        "forged cookie is cleared"
    );
    // Expire a real session in the database.
    let s = app.login("ns.officer").await;
    ipfin_store::db::exec(
        app.store().conn(),
        "UPDATE sessions SET expires_at = 0",
        vec![],
    )
    .await
    .expect("expire");
    assert_eq!(app.get("/home", Some(&s)).await.status.as_u16(), 303);
    // Revoked token.
    let bank = app.org_id("深南银行深圳分行").await;
    let mut tx = app
        .store()
        .write(ipfin_store::audit::AuditActor::system("t"))
        .await
        .expect("tx");
    let (t, plain) = app
        .store()
        .create_api_token(&mut tx, &ipfin_domain::Scope::City, bank, "x", None)
        .await
        .expect("token");
    tx.commit().await.expect("c");
    assert_eq!(
        app.api(Method::GET, "/api/v1/me", Some(&plain), None)
            .await
            .status
            .as_u16(),
        200
    );
    let mut tx = app
        .store()
        .write(ipfin_store::audit::AuditActor::system("t"))
        .await
        .expect("tx");
    app.store()
        .revoke_api_token(&mut tx, &ipfin_domain::Scope::City, t.id)
        .await
        .expect("revoke");
    tx.commit().await.expect("c");
    let r = app.api(Method::GET, "/api/v1/me", Some(&plain), None).await;
    assert_eq!(r.status.as_u16(), 401);
    assert_eq!(r.json()["code"], "auth.invalid_token");
    let r = app
        .api(
            Method::GET,
            "/api/v1/tools/credit-code/x",
            Some("ipfin_forged"),
            None,
        )
        .await;
    assert_eq!(
        r.status.as_u16(),
        401,
        "a presented bad token is never downgraded to anonymous"
    );
    app.cleanup().await;
}

#[tokio::test]
async fn credit_code_api_normalises_and_names_the_rule() {
    let app = TestApp::with_db(TestDb::sqlite().await);
    let r = app
        .api(
            Method::GET,
            "/api/v1/tools/credit-code/%209144%200300%207152%206726xg%20",
            None,
            None,
        )
        .await;
    assert_eq!(r.status.as_u16(), 200);
    let j = r.json();
    assert_eq!(j["valid"], true);
    assert_eq!(j["normalized"], "9144030071526726XG");
    assert_eq!(j["division_code"], "440300");
    assert_eq!(j["organization_code"], "71526726X");
    assert_eq!(j["entity_type"], "企业");
    // Full-width input.
    let fw = "９１４４０３００７１５２６７２６ＸＧ";
    let r = app
        .api(
            Method::GET,
            &format!(
                "/api/v1/tools/credit-code/{}",
                ipfin_web::views::urlencode(fw)
            ),
            None,
            None,
        )
        .await;
    assert_eq!(r.json()["valid"], true);
    // Wrong check character: invalid, rule named, in Chinese by default and English on request.
    let r = app
        .api(
            Method::GET,
            "/api/v1/tools/credit-code/9144030071526726XA",
            None,
            None,
        )
        .await;
    let j = r.json();
    assert_eq!(j["valid"], false);
    assert_eq!(j["normalized"], serde_json::Value::Null);
    assert_eq!(j["errors"][0]["code"], "credit_code.check_character");
    assert!(
        j["errors"][0]["message"]
            .as_str()
            .expect("msg")
            .contains("第 18 位")
    );
    let r = app
        .send(
            Request::builder()
                .uri("/api/v1/tools/credit-code/9144030071526726XA")
                .header(header::ACCEPT_LANGUAGE, "en")
                .body(Body::empty())
                .expect("req"),
        )
        .await;
    assert!(
        r.json()["errors"][0]["message"]
            .as_str()
            .expect("msg")
            .contains("Check character")
    );
    // Invalid UTF-8 in the path: 400 with the uniform body.
    let r = app
        .api(Method::GET, "/api/v1/tools/credit-code/%FF%FE", None, None)
        .await;
    assert_eq!(r.status.as_u16(), 400);
    assert_eq!(r.json()["code"], "path.invalid");
    // The page works without JavaScript.
    let r = app
        .get("/tools/credit-code?code=9144030071526726XA", None)
        .await;
    assert_eq!(r.status.as_u16(), 422);
    assert!(r.body.contains("第 18 位校验码错误"));
    let r = app
        .get("/tools/credit-code?code=9144030071526726xg", None)
        .await;
    assert_eq!(r.status.as_u16(), 200);
    assert!(r.body.contains("9144030071526726XG") && r.body.contains("工商"));
    app.cleanup().await;
}

#[tokio::test]
async fn api_input_errors_are_uniform_and_store_nothing() {
    let app = TestApp::with_db(TestDb::sqlite().await.with_demo().await);
    let office = app.org_id("深圳市市场监督管理局（知识产权局）").await;
    let mut tx = app
        .store()
        .write(ipfin_store::audit::AuditActor::system("t"))
        .await
        .expect("tx");
    let (_, token) = app
        .store()
        .create_api_token(&mut tx, &ipfin_domain::Scope::City, office, "city", None)
        .await
        .expect("t");
    tx.commit().await.expect("c");
    let before = app.audit_count().await;
    let post = |body: Vec<u8>| {
        app.send(
            Request::builder()
                .method(Method::POST)
                .uri("/api/v1/organisations")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body))
                .expect("req"),
        )
    };
    let big = format!(
        "{{\"kind\":\"department\",\"name\":\"{}\"}}",
        "x".repeat(10 * 1024 * 1024)
    );
    let r = post(big.into_bytes()).await;
    assert_eq!(r.status.as_u16(), 413);
    assert_eq!(r.json()["code"], "request.too_large");
    let r = post(b"{\"kind\": ".to_vec()).await;
    assert_eq!(r.status.as_u16(), 400);
    assert_eq!(r.json()["code"], "json.malformed");
    let r = post(b"{\"kind\":\"department\",\"name\":\"\xff\xfe\"}".to_vec()).await;
    assert_eq!(r.status.as_u16(), 400, "invalid UTF-8: {}", r.body);
    let r = post(
        br#"{"kind":"department","name":"x","district_code":"440305","colour":"red"}"#.to_vec(),
    )
    .await;
    assert_eq!(r.status.as_u16(), 422);
    assert_eq!(r.json()["code"], "json.unknown_field");
    assert!(r.json()["message"].as_str().expect("m").contains("colour"));
    let r = post(br#"{"kind":"enterprise","name":"x","district_code":"440305","credit_code":"9144030071526726XA"}"#.to_vec()).await;
    assert_eq!(r.status.as_u16(), 422);
    assert_eq!(r.json()["field"], "credit_code");
    assert_eq!(r.json()["code"], "credit_code.check_character");
    assert_eq!(app.audit_count().await, before, "nothing stored");
    let r = post(r#"{"kind":"enterprise","name":"API 企业","district_code":"440305","credit_code":"9144030071526726xg"}"#.as_bytes().to_vec()).await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.body);
    assert_eq!(r.json()["credit_code"], "9144030071526726XG");
    let r = post(r#"{"kind":"enterprise","name":"重复","district_code":"440305","credit_code":"9144030071526726XG"}"#.as_bytes().to_vec()).await;
    assert_eq!(r.status.as_u16(), 409);
    // Unknown route and wrong method: uniform JSON too.
    let r = app.api(Method::GET, "/api/v1/nothing", None, None).await;
    assert_eq!(
        (r.status.as_u16(), r.json()["code"].as_str()),
        (404, Some("not_found"))
    );
    let r = app
        .api(Method::DELETE, "/api/v1/districts", None, None)
        .await;
    assert_eq!(r.status.as_u16(), 405);
    assert_eq!(r.json()["code"], "method_not_allowed");
    app.cleanup().await;
}

#[tokio::test]
async fn operations_endpoints_and_openapi() {
    let app = TestApp::with_db(TestDb::sqlite().await);
    assert_eq!(app.get("/healthz", None).await.status.as_u16(), 200);
    let r = app.get("/readyz", None).await;
    assert_eq!(r.json()["status"], "ready");
    let r = app.get("/metrics", None).await;
    assert!(
        r.body.contains("ipfin_http_requests_total{class=\"2xx\"}"),
        "{}",
        r.body
    );
    assert!(
        r.headers.contains_key("x-request-id")
            || app
                .get("/healthz", None)
                .await
                .headers
                .contains_key("x-request-id")
    );
    let r = app.get("/api/openapi.json", None).await;
    let j = r.json();
    assert_eq!(j["info"]["title"], "ipfin API");
    for p in [
        "/api/v1/tools/credit-code/{code}",
        "/api/v1/organisations",
        "/api/v1/me",
        "/readyz",
    ] {
        assert!(j["paths"][p].is_object(), "OpenAPI documents {p}");
    }
    // Every /api/v1 route is documented.
    for spec in ipfin_web::routes::route_specs() {
        if spec.path.starts_with("/api/v1/") {
            let method = spec.method.to_lowercase();
            assert!(
                j["paths"][spec.path][&method].is_object(),
                "OpenAPI lacks {} {}",
                spec.method,
                spec.path
            );
        }
    }
    // Operation ids are unique.
    let mut ids = std::collections::HashSet::new();
    for item in j["paths"].as_object().expect("paths").values() {
        for op in item.as_object().expect("item").values() {
            if let Some(id) = op["operationId"].as_str() {
                assert!(ids.insert(id.to_string()), "operationId {id} repeats");
            }
        }
    }
    // Every path parameter is a {name} of its path (query structs must say parameter_in =
    // Query, else they are documented as path parameters nothing resolves).
    for (path, item) in j["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("item") {
            for p in op["parameters"].as_array().into_iter().flatten() {
                if p["in"] == "path" {
                    let name = p["name"].as_str().unwrap_or_default();
                    assert!(
                        path.contains(&format!("{{{name}}}")),
                        "{method} {path}: path parameter {name} is not in the path"
                    );
                }
            }
        }
    }
    // OpenAPI requires a description on every response (checked in full by
    // openapi-spec-validator, see scripts/examples/README.md).
    for (path, item) in j["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("item") {
            for (status, resp) in op["responses"].as_object().expect("responses") {
                assert!(
                    resp["description"].as_str().is_some_and(|d| !d.is_empty()),
                    "{method} {path} {status} has no description"
                );
            }
        }
    }
    app.cleanup().await;
}

#[tokio::test]
async fn first_run_setup_creates_the_city_admin_once() {
    let app = TestApp::with_db(TestDb::sqlite().await);
    let secret = app
        .store()
        .bootstrap_secret()
        .await
        .expect("b")
        .expect("no users yet");
    assert_eq!(
        app.get("/setup?token=wrong", None).await.status.as_u16(),
        403
    );
    let page = app.get(&format!("/setup?token={secret}"), None).await;
    assert_eq!(page.status.as_u16(), 200);
    let (cookie, csrf) = login_csrf(&page);
    let submit = |password: &'static str| {
        let body = serde_urlencoded::to_string([
            ("_csrf", csrf.as_str()),
            ("token", secret.as_str()),
            ("office_name", "示例市市场监督管理局"),
            ("username", "admin"),
            ("display_name", "管理员"),
            ("password", password),
            ("password_again", password),
        ])
        .expect("enc");
        app.send(
            Request::builder()
                .method(Method::POST)
                .uri("/setup")
                .header(header::COOKIE, &cookie)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .expect("req"),
        )
    };
    let r = submit("short").await;
    assert_eq!(r.status.as_u16(), 422);
    assert!(r.body.contains("至少需要 12 个字符"), "{}", r.body);
    assert_eq!(app.store().user_count().await.expect("n"), 0);
    let r = submit("Strong-Pass-2026").await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    assert_eq!(app.store().user_count().await.expect("n"), 1);
    // The link is used up.
    assert_eq!(submit("Strong-Pass-2026").await.status.as_u16(), 403);
    assert!(app.store().bootstrap_secret().await.expect("b").is_none());
    app.cleanup().await;
}

/// The activation path shown on a page (`/activate/<64 hex>`).
fn activation_path(body: &str) -> String {
    let at = body.find("/activate/").expect("activation link shown");
    body[at..at + "/activate/".len() + 64].to_string()
}

/// Posts the activation form as an anonymous visitor (with the pre-sign-in CSRF cookie).
async fn activate(app: &TestApp, path: &str, password: &str, again: &str) -> support::Resp {
    let page = app.get(path, None).await;
    assert_eq!(page.status.as_u16(), 200, "{}", page.body);
    let (cookie, csrf) = login_csrf(&page);
    let body = serde_urlencoded::to_string([
        ("_csrf", csrf.as_str()),
        ("password", password),
        ("password_again", again),
    ])
    .expect("enc");
    app.send(
        Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .expect("req"),
    )
    .await
}

#[tokio::test]
async fn a_reviewer_cannot_open_reviewer_accounts_and_nobody_learns_a_password() {
    for app in TestApp::all().await {
        let officer = app.login("ns.officer").await;
        let lead = app.org_id("南山区市场监督管理局").await;
        let finance = app.org_id("南山区财政局").await;
        // The attack of the issue: an officer opens two more officer accounts. Refused, with
        // the reason; nothing stored.
        let before = app.audit_count().await;
        let r = app
            .post_form(
                "/users",
                Some(&officer),
                &[
                    ("organisation_id", &lead.to_string()),
                    ("username", "ns.sock1"),
                    ("display_name", "马甲一"),
                    ("roles", "district_officer"),
                ],
            )
            .await;
        assert_eq!(r.status.as_u16(), 422, "{}: {}", app.name(), r.body);
        assert!(r.body.contains("区用户管理员"), "{}", r.body);
        assert_eq!(app.audit_count().await, before);
        // The form offers no privileged role to a reviewer.
        let form = app.get("/users/new", Some(&officer)).await;
        assert!(!form.body.contains("value=\"district_officer\""));
        assert!(form.body.contains("value=\"department_member\""));
        // Nor may the officer reset a fellow reviewer's account.
        let checker = app.user_id("ns.checker").await;
        let r = app
            .post_form(
                &format!("/users/{checker}/reset-password"),
                Some(&officer),
                &[("confirm", "yes")],
            )
            .await;
        assert_eq!(r.status.as_u16(), 403, "{}", r.body);
        let page = app.get(&format!("/users/{checker}"), Some(&officer)).await;
        assert!(!page.body.contains("reset-password"), "no button either");

        // An account without review rights: created with an activation link, no password.
        let missing = app
            .post_form(
                "/users",
                Some(&officer),
                &[
                    ("organisation_id", &finance.to_string()),
                    ("username", "ns.wang"),
                    ("display_name", "王五"),
                ],
            )
            .await;
        assert_eq!(missing.status.as_u16(), 422);
        assert!(missing.body.contains("请至少选择一个角色"));
        let r = app
            .post_form(
                "/users",
                Some(&officer),
                &[
                    ("organisation_id", &finance.to_string()),
                    ("username", "ns.wang"),
                    ("display_name", "王五"),
                    ("roles", "department_member"),
                ],
            )
            .await;
        assert_eq!(r.status.as_u16(), 201, "{}", r.body);
        assert!(!r.body.contains("一次性密码"));
        let path = activation_path(&r.body);
        // Until activated there is no password to sign in with.
        let wang = app.user_id("ns.wang").await;
        let no_password = ipfin_store::db::fetch_i64(
            app.store().conn(),
            "SELECT COUNT(*) FROM users WHERE id = ? AND password_hash IS NULL",
            vec![wang.into()],
        )
        .await
        .expect("hash");
        assert_eq!(no_password, 1);
        // Mismatch: 422 and the link still works.
        let r = activate(&app, &path, "Wang-Wu-2026-pass", "Wang-Wu-2027-pass").await;
        assert_eq!(r.status.as_u16(), 422, "{}", r.body);
        // Both wrong at once: both errors shown in one answer.
        let r = activate(&app, &path, "short", "other").await;
        assert_eq!(r.status.as_u16(), 422, "{}", r.body);
        assert!(
            r.body.contains("两次输入的密码不一致") && r.body.contains("12"),
            "{}",
            r.body
        );
        let r = activate(&app, &path, "Wang-Wu-2026-pass", "Wang-Wu-2026-pass").await;
        assert_eq!(r.status.as_u16(), 303, "{}", r.body);
        assert_eq!(r.location(), Some("/login?ok=activated"));
        // Works once.
        let again = app.get(&path, None).await;
        assert_eq!(again.status.as_u16(), 410, "{}", again.body);
        assert!(again.body.contains("激活链接已使用"), "{}", again.body);
        // The person's own password works, with no forced change.
        let me = app.login_with("ns.wang", "Wang-Wu-2026-pass").await;
        assert_eq!(app.get("/home", Some(&me)).await.status.as_u16(), 200);

        // A reset: the old password stops working and a new link is issued; an older link
        // is replaced.
        let r = app
            .post_form(
                &format!("/users/{wang}/reset-password"),
                Some(&officer),
                &[("confirm", "yes")],
            )
            .await;
        assert_eq!(r.status.as_u16(), 200, "{}", r.body);
        let first = activation_path(&r.body);
        assert!(matches!(
            app.store()
                .sign_in("ns.wang", "Wang-Wu-2026-pass", None)
                .await
                .expect("sign in"),
            ipfin_store::auth::SignIn::Failed
        ));
        assert_eq!(app.get("/home", Some(&me)).await.status.as_u16(), 303);
        let r = app
            .post_form(
                &format!("/users/{wang}/reset-password"),
                Some(&officer),
                &[("confirm", "yes")],
            )
            .await;
        let second = activation_path(&r.body);
        assert_eq!(app.get(&first, None).await.status.as_u16(), 410);
        // After 72 hours a link is dead.
        ipfin_store::db::exec(
            app.store().conn(),
            "UPDATE account_activations SET expires_at = expires_at - 72 * 3600 WHERE used_at IS NULL",
            vec![],
        )
        .await
        .expect("age the link");
        let r = app.get(&second, None).await;
        assert_eq!(r.status.as_u16(), 410, "{}", r.body);
        app.cleanup().await;
    }
}

#[tokio::test]
async fn a_user_administrator_opens_officer_accounts_and_reviews_nothing() {
    for app in TestApp::all().await {
        let admin = app.login("ns.useradmin").await;
        let lead = app.org_id("南山区市场监督管理局").await;
        let r = app
            .post_form(
                "/users",
                Some(&admin),
                &[
                    ("organisation_id", &lead.to_string()),
                    ("username", "ns.reviewer4"),
                    ("display_name", "新复核人"),
                    ("roles", "district_officer"),
                ],
            )
            .await;
        assert_eq!(r.status.as_u16(), 201, "{}: {}", app.name(), r.body);
        activation_path(&r.body);
        // Never both: administration and review on one account.
        let r = app
            .post_form(
                "/users",
                Some(&admin),
                &[
                    ("organisation_id", &lead.to_string()),
                    ("username", "ns.both"),
                    ("display_name", "两者兼有"),
                    ("roles", "district_officer"),
                    ("roles", "user_admin"),
                ],
            )
            .await;
        assert_eq!(r.status.as_u16(), 422, "{}", r.body);
        // The user administrator sees no applications and cannot act on one.
        assert_eq!(
            app.get("/applications", Some(&admin)).await.status.as_u16(),
            403
        );
        // Another district's departments are not theirs.
        let ft = app.org_id("福田区财政局").await;
        let r = app
            .post_form(
                "/users",
                Some(&admin),
                &[
                    ("organisation_id", &ft.to_string()),
                    ("username", "ft.intruder"),
                    ("display_name", "越权"),
                    ("roles", "department_member"),
                ],
            )
            .await;
        assert!(matches!(r.status.as_u16(), 403 | 404 | 422), "{}", r.status);
        app.cleanup().await;
    }
}

#[tokio::test]
async fn initial_credentials_must_be_replaced_before_pages_or_api_work() {
    let app = TestApp::with_db(TestDb::sqlite().await.with_demo().await);
    ipfin_store::db::exec(
        app.store().conn(),
        "UPDATE users SET must_change_password = TRUE WHERE username = 'ns.finance'",
        vec![],
    )
    .await
    .expect("flag");
    let s = app.login("ns.finance").await;
    let r = app.get("/home", Some(&s)).await;
    assert_eq!(r.location(), Some("/account/password"));
    let r = app.get("/api/v1/enterprises", Some(&s)).await;
    assert_eq!(r.status.as_u16(), 403, "{}", r.body);
    assert_eq!(r.json()["code"], "password.must_change");
    app.cleanup().await;
}

#[tokio::test]
async fn irreversible_steps_need_confirmation_and_english_switch_works() {
    let app = TestApp::with_db(TestDb::sqlite().await.with_demo().await);
    let city = app.login("city.admin").await;
    let ft_finance = app.org_id("福田区财政局").await;
    let before = app.audit_count().await;
    let r = app
        .post_form(
            "/districts/440304/lead",
            Some(&city),
            &[
                ("organisation_id", &ft_finance.to_string()),
                ("from_date", "2026-12-01"),
            ],
        )
        .await;
    assert_eq!(r.status.as_u16(), 422);
    assert!(r.body.contains("我已确认"));
    assert_eq!(app.audit_count().await, before);
    let r = app
        .post_form(
            "/districts/440304/lead",
            Some(&city),
            &[
                ("organisation_id", &ft_finance.to_string()),
                ("from_date", "2026-12-01"),
                ("confirm", "yes"),
                ("head_name", "赵局长"),
            ],
        )
        .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    let r = app.get("/districts/440304", Some(&city)).await;
    assert!(
        r.body.contains("福田区财政局")
            && r.body.contains("2026年12月1日")
            && r.body.contains("赵局长")
    );
    // English.
    let r = app.get("/lang/en", None).await;
    assert!(
        r.headers
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|c| c.starts_with("ipfin_lang=en"))
    );
    let r = app
        .send(
            Request::builder()
                .uri("/districts/440304")
                .header(header::COOKIE, format!("{}; ipfin_lang=en", city.cookie))
                .body(Body::empty())
                .expect("req"),
        )
        .await;
    assert!(
        r.body.contains("Lead department history") && r.body.contains("1 Dec 2026"),
        "{}",
        r.body
    );
    app.cleanup().await;
}

#[tokio::test]
async fn disabling_a_user_ends_their_session_at_once() {
    let app = TestApp::with_db(TestDb::sqlite().await.with_demo().await);
    let member = app.login("ns.finance").await;
    assert_eq!(
        app.get("/home", Some(&member)).await.status.as_u16(),
        200,
        "session resolved (and cached)"
    );
    let officer = app.login("ns.officer").await;
    let id = app.user_id("ns.finance").await;
    let r = app
        .post_form(
            &format!("/users/{id}/active"),
            Some(&officer),
            &[("active", "false")],
        )
        .await;
    assert_eq!(r.status.as_u16(), 422, "disabling asks for confirmation");
    assert_eq!(app.get("/home", Some(&member)).await.status.as_u16(), 200);
    let r = app
        .post_form(
            &format!("/users/{id}/active"),
            Some(&officer),
            &[("active", "false"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    assert_eq!(
        app.get("/home", Some(&member)).await.status.as_u16(),
        303,
        "the disabled user is out immediately"
    );
    // Disabling an organisation shuts out its users too.
    let banker = app.login("bank.manager").await;
    assert_eq!(app.get("/home", Some(&banker)).await.status.as_u16(), 200);
    let city = app.login("city.admin").await;
    let bank = app.org_id("深南银行深圳分行").await;
    let r = app
        .post_form(
            &format!("/orgs/{bank}/active"),
            Some(&city),
            &[("active", "false"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    assert_eq!(app.get("/home", Some(&banker)).await.status.as_u16(), 303);
    // Nobody disables themselves.
    let me = city.user_id;
    let r = app
        .post_form(
            &format!("/users/{me}/active"),
            Some(&city),
            &[("active", "false"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status.as_u16(), 409);
    app.cleanup().await;
}

#[tokio::test]
async fn patent_number_tool_accepts_prefixes_and_names_the_rule() {
    let app = TestApp::with_db(TestDb::sqlite().await);
    // 200410068836 has check digit 1 (weights 2…9,2…5; sum 166; 166 mod 11 = 1).
    for input in [
        "200410068836.1",
        "ZL200410068836.1",
        "CN%202004%201006%208836%201",
        "2004100688361",
    ] {
        let r = app
            .api(
                Method::GET,
                &format!("/api/v1/tools/patent-number/{input}"),
                None,
                None,
            )
            .await;
        assert_eq!(r.status.as_u16(), 200);
        let j = r.json();
        assert_eq!(j["valid"], true, "{input}: {j}");
        assert_eq!(j["normalized"], "200410068836.1");
        assert_eq!(j["kind"], "invention");
        assert_eq!(j["year"], 2004);
    }
    let r = app
        .api(
            Method::GET,
            "/api/v1/tools/patent-number/200410068836.2",
            None,
            None,
        )
        .await;
    let j = r.json();
    assert_eq!(j["valid"], false);
    assert_eq!(j["kind"], serde_json::Value::Null);
    assert_eq!(j["errors"][0]["code"], "patent.check_digit");
    let r = app
        .get("/tools/patent-number?number=ZL200410068836.1", None)
        .await;
    assert_eq!(r.status.as_u16(), 200);
    assert!(r.body.contains("200410068836.1") && r.body.contains("发明"));
    app.cleanup().await;
}

#[tokio::test]
async fn enterprise_size_tool_classifies_and_names_missing_figures() {
    let app = TestApp::with_db(TestDb::sqlite().await);
    let post = |body: &'static str| {
        app.api(
            Method::POST,
            "/api/v1/tools/enterprise-size",
            None,
            Some(body.into()),
        )
    };
    let r = post(r#"{"industry": "I65", "employees": 120, "operating_revenue_fen": 1500000000, "total_assets_fen": null}"#).await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    let j = r.json();
    assert_eq!(j["class"], "medium");
    assert_eq!(j["industry_group"], "software_it");
    assert!(j["standard"].as_str().expect("standard").contains("300号"));
    assert!(j["explanation"].as_str().expect("e").contains("中型"));
    // Construction needs total assets: 422 naming the field.
    let r =
        post(r#"{"industry": "E47", "employees": 10, "operating_revenue_fen": 100000000}"#).await;
    assert_eq!(r.status.as_u16(), 422);
    assert_eq!(r.json()["field"], "total_assets_fen");
    assert_eq!(r.json()["code"], "size.figure_missing");
    let r = post(r#"{"industry": "Q99X", "employees": 10}"#).await;
    assert_eq!(
        (r.status.as_u16(), r.json()["field"].as_str()),
        (422, Some("industry"))
    );
    let r = post(r#"{"industry": "I65", "employees": -1, "operating_revenue_fen": 1}"#).await;
    assert_eq!(r.json()["code"], "size.figure_negative");
    let r = post(r#"{"industry": "I65", "staff": 1}"#).await;
    assert_eq!(r.json()["code"], "json.unknown_field");
    // The page, in 万元, without JavaScript.
    let r = app
        .get(
            "/tools/enterprise-size?industry=I65&employees=120&revenue_wan=1500&assets_wan=",
            None,
        )
        .await;
    assert_eq!(r.status.as_u16(), 200);
    assert!(r.body.contains("中型"), "{}", r.body);
    let r = app
        .get(
            "/tools/enterprise-size?industry=E47&employees=10&revenue_wan=100&assets_wan=",
            None,
        )
        .await;
    assert_eq!(r.status.as_u16(), 422);
    assert!(
        r.body.contains("资产总额") && r.body.contains("href=\"#assets_wan\""),
        "{}",
        r.body
    );
    let r = app
        .get("/tools/enterprise-size?industry=I65&employees=abc", None)
        .await;
    assert_eq!(r.status.as_u16(), 422);
    app.cleanup().await;
}

#[tokio::test]
async fn registry_search_register_claim_and_own_figures() {
    for app in TestApp::all().await {
        let officer = app.login("ns.officer").await;
        // Two-character search, in the district only.
        let r = app
            .get("/enterprises?q=%E9%B9%8F%E5%8D%8E", Some(&officer))
            .await; // 鹏华
        assert_eq!(r.status.as_u16(), 200);
        assert!(
            r.body.contains("深圳市鹏华光电科技有限公司") && !r.body.contains("福田"),
            "{}",
            app.name()
        );
        let r = app.get("/enterprises?q=%E5%8D%8E", Some(&officer)).await; // 华 alone
        assert_eq!(r.status.as_u16(), 422);
        assert!(r.body.contains("至少输入名称中的两个连续字符"));
        // Register a record through the page; figures in 万元 give the size class.
        let code = ipfin_store::demo::demo_credit_code("440305", 7001);
        let r = app
            .post_form(
                "/enterprises",
                Some(&officer),
                &[
                    ("credit_code", &code.to_lowercase()),
                    ("name", "深圳市新登记科技有限公司"),
                    ("tax_district", "440305"),
                    ("industry", "I65"),
                    ("employees", "8"),
                    ("revenue_wan", "45.5"),
                    ("assets_wan", ""),
                ],
            )
            .await;
        assert_eq!(r.status.as_u16(), 303, "{}", r.body);
        let page = app
            .get(
                r.location()
                    .expect("location")
                    .split('?')
                    .next()
                    .expect("path"),
                Some(&officer),
            )
            .await;
        assert!(
            page.body.contains(&code) && page.body.contains("微型") && page.body.contains("45.5"),
            "{}",
            page.body
        );
        let r = app
            .post_form(
                "/enterprises",
                Some(&officer),
                &[("credit_code", "9144030071526726XA"), ("name", "错码")],
            )
            .await;
        assert_eq!(r.status.as_u16(), 422);
        assert!(r.body.contains("第 18 位校验码错误"));
        // A person claims it through the public sign-up; the officer approves.
        let signup = app.get("/register", None).await;
        let (cookie, csrf) = login_csrf(&signup);
        let body = serde_urlencoded::to_string([
            ("_csrf", csrf.as_str()),
            ("credit_code", code.as_str()),
            ("display_name", "李经理"),
            ("phone", "13712345678"),
            ("username", "li.manager"),
            ("password", "Li-Manager-2026"),
            ("password_again", "Li-Manager-2026"),
        ])
        .expect("enc");
        let r = app
            .send(
                Request::builder()
                    .method(Method::POST)
                    .uri("/register")
                    .header(header::COOKIE, &cookie)
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from(body))
                    .expect("req"),
            )
            .await;
        assert_eq!(r.status.as_u16(), 201, "{}", r.body);
        let claims = app.get("/claims", Some(&officer)).await;
        assert!(claims.body.contains("li.manager") && claims.body.contains("13712345678"));
        let claim_id = claims
            .body
            .split("/claims/")
            .nth(1)
            .and_then(|s| s.split('/').next())
            .expect("claim id")
            .to_string();
        let r = app
            .post_form(
                &format!("/claims/{claim_id}/decide"),
                Some(&officer),
                &[("decision", "reject")],
            )
            .await;
        assert_eq!(r.status.as_u16(), 422, "rejecting needs a reason");
        let r = app
            .post_form(
                &format!("/claims/{claim_id}/decide"),
                Some(&officer),
                &[("decision", "approve")],
            )
            .await;
        assert_eq!(r.status.as_u16(), 303, "{}", r.body);
        // The enterprise user sees and edits only their own record.
        let li = app.login_with("li.manager", "Li-Manager-2026").await;
        let r = app.get("/enterprises", Some(&li)).await;
        assert_eq!(r.status.as_u16(), 303);
        let own = r.location().expect("own record").to_string();
        let r = app
            .post_form(
                &format!("{own}/figures"),
                Some(&li),
                &[
                    ("industry", "I65"),
                    ("employees", "150"),
                    ("revenue_wan", "1500"),
                    ("consent", "yes"),
                ],
            )
            .await;
        assert_eq!(r.status.as_u16(), 303, "{}", r.body);
        let page = app.get(&own, Some(&li)).await;
        assert!(page.body.contains("中型"), "{}", page.body);
        let api = app.get("/api/v1/enterprises", Some(&li)).await;
        assert_eq!(api.json()["total"], 1, "{}", api.body);
        // Size override by the officer, with a reason.
        let r = app
            .post_form(
                &format!("{own}/size"),
                Some(&officer),
                &[("size", "small"), ("reason", "")],
            )
            .await;
        assert_eq!(r.status.as_u16(), 422);
        let r = app
            .post_form(
                &format!("{own}/size"),
                Some(&officer),
                &[("size", "small"), ("reason", "审计报告")],
            )
            .await;
        assert_eq!(r.status.as_u16(), 303);
        let api = app.get(&format!("/api/v1{own}"), Some(&officer)).await;
        assert_eq!(
            (
                api.json()["size_class"].as_str(),
                api.json()["size_computed"].as_str()
            ),
            (Some("small"), Some("medium"))
        );
        app.cleanup().await;
    }
}

#[tokio::test]
async fn officers_tag_enterprises_and_record_ip_through_the_page() {
    let app = TestApp::with_db(TestDb::sqlite().await.with_demo().await);
    let officer = app.login("ns.officer").await;
    let list = app
        .get("/enterprises?q=%E9%B9%8F%E5%8D%8E", Some(&officer))
        .await; // 鹏华
    let id = list
        .body
        .split("href=\"/enterprises/")
        .filter_map(|s| s.split('"').next())
        .find(|s| s.chars().all(|c| c.is_ascii_digit()))
        .expect("a record link")
        .to_string();
    let path = format!("/enterprises/{id}");
    let r = app
        .post_form(
            &format!("{path}/tags"),
            Some(&officer),
            &[
                ("tag_type", "specialised"),
                ("year", "x"),
                ("source", "名单"),
            ],
        )
        .await;
    assert_eq!(r.status.as_u16(), 422);
    assert!(r.body.contains("请填写认定年度"));
    let r = app
        .post_form(
            &format!("{path}/tags"),
            Some(&officer),
            &[
                ("tag_type", "specialised"),
                ("year", "2025"),
                ("source", "广东省 2025 年专精特新中小企业名单"),
                ("valid_to", "2028-12-31"),
            ],
        )
        .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    let r = app
        .post_form(
            &format!("{path}/ip"),
            Some(&officer),
            &[
                ("kind", "patent"),
                ("number", "200410068836.2"),
                ("title", "一种光电装置"),
                ("legal_status", "valid"),
            ],
        )
        .await;
    assert_eq!(r.status.as_u16(), 422);
    assert!(r.body.contains("校验位错误"));
    let r = app
        .post_form(
            &format!("{path}/ip"),
            Some(&officer),
            &[
                ("kind", "patent"),
                ("number", "CN200410068836.1"),
                ("title", "一种光电装置"),
                ("legal_status", "valid"),
            ],
        )
        .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    let page = app.get(&path, Some(&officer)).await;
    assert!(
        page.body.contains("专精特新中小企业")
            && page.body.contains("2028年12月31日")
            && page.body.contains("200410068836.1"),
        "{}",
        page.body
    );
    let tagged = app
        .get("/enterprises?tag=specialised", Some(&officer))
        .await;
    assert!(tagged.body.contains("深圳市鹏华光电科技有限公司"));
    app.cleanup().await;
}

#[tokio::test]
async fn enterprise_lists_export_to_xlsx_with_the_current_filters() {
    use calamine::{Reader, Xlsx};
    let app = TestApp::with_db(TestDb::sqlite().await.with_demo().await);
    let officer = app.login("ns.officer").await;
    let page = app.get("/enterprises?industry=C3", Some(&officer)).await;
    let link = page
        .body
        .split("href=\"/enterprises/export.xlsx")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("export link")
        .replace("&#38;", "&");
    let resp = app
        .router
        .clone()
        .oneshot(
            Request::builder()
                .uri(format!("/enterprises/export.xlsx{link}"))
                .header(header::COOKIE, &officer.cookie)
                .body(Body::empty())
                .expect("req"),
        )
        .await
        .expect("resp");
    assert_eq!(resp.status().as_u16(), 200);
    assert!(
        resp.headers()[header::CONTENT_TYPE]
            .to_str()
            .expect("ct")
            .contains("spreadsheetml")
    );
    let bytes = http_body_util::BodyExt::collect(resp.into_body())
        .await
        .expect("body")
        .to_bytes();
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).expect("xlsx");
    let sheet = book.worksheet_range("企业库").expect("sheet");
    let names: Vec<String> = sheet.rows().skip(1).map(|r| r[0].to_string()).collect();
    assert_eq!(
        sheet.rows().next().map(|r| r[0].to_string()).as_deref(),
        Some("企业名称")
    );
    assert!(
        names.contains(&"深圳市鹏华光电科技有限公司".to_string()),
        "{names:?}"
    );
    assert!(
        names
            .iter()
            .all(|n| !n.contains("福田") && !n.contains("前海云链")),
        "district and industry filter apply: {names:?}"
    );
    let revenue: Vec<String> = sheet.rows().skip(1).map(|r| r[7].to_string()).collect();
    assert!(
        revenue.contains(&"26000000".to_string()),
        "2600 万元 = 26,000,000 元: {revenue:?}"
    );
    // The export is an import file: re-importing it changes nothing.
    let path = std::env::temp_dir().join(format!("ipfin-export-{}.xlsx", std::process::id()));
    std::fs::write(&path, &bytes).expect("write");
    let report = app
        .store()
        .import_enterprises_file(
            &path,
            &ipfin_domain::Scope::City,
            ipfin_store::audit::AuditActor::system("test"),
            100,
            &mut |_| {},
        )
        .await
        .expect("re-import");
    assert_eq!(
        (report.inserted, report.updated, report.errors.len()),
        (0, 0, 0),
        "{:?}",
        report.errors
    );
    assert_eq!(report.unchanged as usize, names.len());
    let _ = std::fs::remove_file(&path);
    app.cleanup().await;
}

#[tokio::test]
async fn the_language_switch_only_returns_to_this_site() {
    let app = TestApp::with_db(TestDb::sqlite().await);
    for (referer, expected) in [
        (
            "http://127.0.0.1:8080/tools/credit-code?code=1",
            "/tools/credit-code?code=1",
        ),
        ("http://127.0.0.1:8080//evil.example/x", "/"),
        ("http://127.0.0.1:8080/\\evil.example", "/"),
        ("not a url", "/"),
    ] {
        let r = app
            .send(
                Request::builder()
                    .uri("/lang/en")
                    .header(header::REFERER, referer)
                    .body(Body::empty())
                    .expect("req"),
            )
            .await;
        assert_eq!(r.location(), Some(expected), "{referer}");
    }
    app.cleanup().await;
}

async fn upload(
    app: &TestApp,
    s: &support::Session,
    fields: &[(&str, &str)],
    file: Option<(&str, &[u8])>,
) -> support::Resp {
    let (ct, body) = support::multipart(fields, file);
    app.send(
        Request::builder()
            .method(Method::POST)
            .uri("/imports")
            .header(header::COOKIE, &s.cookie)
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(body))
            .expect("req"),
    )
    .await
}

async fn get_bytes(app: &TestApp, path: &str, s: &support::Session) -> (u16, Vec<u8>) {
    let resp = app
        .router
        .clone()
        .oneshot(
            Request::builder()
                .uri(path)
                .header(header::COOKIE, &s.cookie)
                .body(Body::empty())
                .expect("req"),
        )
        .await
        .expect("answer");
    let status = resp.status().as_u16();
    let bytes = http_body_util::BodyExt::collect(resp.into_body())
        .await
        .expect("body")
        .to_bytes()
        .to_vec();
    (status, bytes)
}

#[tokio::test]
async fn an_officer_uploads_a_gbk_file_watches_it_and_downloads_the_error_report() {
    use calamine::Reader;
    for app in TestApp::all().await {
        let ns = app.login("ns.officer").await;
        let page = app.get("/imports", Some(&ns)).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("enctype=\"multipart/form-data\""));
        // A GBK file, as Excel in China saves CSV: one good row, one with a bad credit code.
        let csv = format!(
            "统一社会信用代码,企业名称,注册地\n{},深圳市网页导入有限公司,南山区\n91440300ABCDEFGH12,深圳市坏代码有限公司,南山区\n",
            ipfin_store::demo::demo_credit_code("440305", 8801)
        );
        let (gbk, _, _) = encoding_rs::GBK.encode(&csv);
        let fields = [("_csrf", ns.csrf.as_str()), ("kind", "enterprises")];
        let r = upload(&app, &ns, &fields, Some(("名录.csv", &gbk))).await;
        assert_eq!(r.status, 303, "{}: {}", app.name(), r.body);
        let at = r.location().expect("progress page").to_string();
        // The page refreshes itself while running; poll until done.
        let mut body = String::new();
        for _ in 0..200 {
            let p = app.get(&at, Some(&ns)).await;
            assert_eq!(p.status, 200);
            body = p.body;
            if !body.contains("http-equiv=\"refresh\"") && body.contains("/errors") {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        assert!(body.contains("<progress"), "{body}");
        assert!(body.contains("名录.csv"));
        assert!(
            body.contains("/errors"),
            "{}: error report link: {body}",
            app.name()
        );
        let (status, xlsx) = get_bytes(&app, &format!("{at}/errors"), &ns).await;
        assert_eq!(status, 200);
        let mut book: calamine::Xlsx<_> =
            calamine::Xlsx::new(std::io::Cursor::new(xlsx)).expect("xlsx");
        let sheet = book.worksheet_range_at(0).expect("sheet").expect("range");
        let text: Vec<String> = sheet
            .rows()
            .flat_map(|r| r.iter().map(|c| c.to_string()))
            .collect();
        assert!(text.iter().any(|c| c.contains("坏代码")), "{text:?}");
        assert!(
            text.iter()
                .any(|c| c.contains("credit_code") || c.contains("信用代码")),
            "{text:?}"
        );
        let found = app.get("/enterprises?q=网页导入", Some(&ns)).await;
        assert!(
            found.body.contains("深圳市网页导入有限公司"),
            "{}",
            app.name()
        );
        // Another district's officer cannot see the import.
        let ft = app.login("ft.officer").await;
        assert_eq!(app.get(&at, Some(&ft)).await.status, 404);

        // Refused before anything starts, with the reason on the form.
        let before = app.audit_count().await;
        let missing = upload(
            &app,
            &ns,
            &fields,
            Some(("two.csv", "企业名称,注册地\n某公司,南山区\n".as_bytes())),
        )
        .await;
        assert_eq!(missing.status, 422);
        assert!(
            missing.body.contains("统一社会信用代码"),
            "names the missing column"
        );
        let none = upload(&app, &ns, &fields, None).await;
        assert_eq!(none.status, 422);
        assert!(none.body.contains("请选择要上传的"));
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(
                "统一社会信用代码"
                    .encode_utf16()
                    .flat_map(|u| u.to_le_bytes()),
            )
            .collect();
        let r16 = upload(&app, &ns, &fields, Some(("u16.csv", &utf16))).await;
        assert_eq!(r16.status, 422);
        assert!(r16.body.contains("UTF-16"), "{}", r16.body);
        let forged = upload(
            &app,
            &ns,
            &[("_csrf", "forged"), ("kind", "tags")],
            Some(("t.csv", b"x")),
        )
        .await;
        assert_eq!(forged.status, 403);
        assert_eq!(
            app.audit_count().await,
            before + 4,
            "refused uploads import nothing: the two refused files are recorded as refused imports (start, refused), the missing file and the forged token write nothing"
        );

        // Templates for every kind.
        for kind in ["enterprises", "tags", "ip_assets"] {
            let (status, bytes) =
                get_bytes(&app, &format!("/imports/template?kind={kind}"), &ns).await;
            assert_eq!(status, 200, "{kind}");
            assert!(bytes.starts_with(b"PK"), "{kind}: an XLSX file");
        }
        app.cleanup().await;
    }
}

#[tokio::test]
async fn a_district_adds_its_own_tag_type_and_uses_it() {
    for app in TestApp::all().await {
        let ns = app.login("ns.officer").await;
        let page = app.get("/tag-types", Some(&ns)).await;
        assert!(page.body.contains("高新技术企业"));
        let bad = app
            .post_form(
                "/tag-types",
                Some(&ns),
                &[("code", "Bad Code"), ("name_zh", "测试")],
            )
            .await;
        assert_eq!(bad.status, 422);
        assert!(bad.body.contains("d_"), "the rule is named");
        let ok = app
            .post_form(
                "/tag-types",
                Some(&ns),
                &[
                    ("code", "d_ns_ip_star"),
                    ("name_zh", "南山知识产权之星"),
                    ("name_en", "Nanshan IP star"),
                ],
            )
            .await;
        assert_eq!(ok.status, 303, "{}", ok.body);
        assert!(
            app.get("/tag-types", Some(&ns))
                .await
                .body
                .contains("南山知识产权之星")
        );
        // Futian sees the guideline's types but not Nanshan's own.
        let ft = app.login("ft.officer").await;
        let theirs = app.get("/tag-types", Some(&ft)).await;
        assert!(theirs.body.contains("高新技术企业") && !theirs.body.contains("南山知识产权之星"));
        app.cleanup().await;
    }
}
