//! `TestApp`: the real router over a real database (SQLite, and PostgreSQL when configured),
//! with the demo city loaded, driven in-process.

#![allow(dead_code)]

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use ipfin_store::auth::SignIn;
use ipfin_store::org::OrgFilter;
use ipfin_store::testing::{DEMO_PASSWORD, TestDb};
use ipfin_store::{Page, Store};
use ipfin_web::{AppState, WebConfig, app};
use tower::ServiceExt;

pub struct TestApp {
    pub db: TestDb,
    pub router: Router,
}

/// A signed-in browser session.
#[derive(Clone, Debug)]
pub struct Session {
    pub username: String,
    pub cookie: String,
    pub csrf: String,
    pub user_id: i64,
}

/// A response with its body read.
#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Resp {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    pub fn location(&self) -> Option<&str> {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
    }
}

impl TestApp {
    /// One app per configured database, each with the demo city.
    pub async fn all() -> Vec<TestApp> {
        let mut out = Vec::new();
        for db in TestDb::all().await {
            out.push(TestApp::with_db(db.with_demo().await));
        }
        out
    }

    pub fn with_db(db: TestDb) -> TestApp {
        let state = AppState::new(db.store.clone(), WebConfig::default());
        TestApp {
            router: app(state),
            db,
        }
    }

    pub fn store(&self) -> &Store {
        &self.db.store
    }

    pub fn name(&self) -> &'static str {
        self.db.name
    }

    pub async fn cleanup(self) {
        self.db.cleanup().await;
    }

    /// Signs a demo user in directly through the store.
    pub async fn login(&self, username: &str) -> Session {
        self.login_with(username, DEMO_PASSWORD).await
    }

    /// Signs a user in with their password directly through the store.
    pub async fn login_with(&self, username: &str, password: &str) -> Session {
        let SignIn::Ok { token, user_id } = self
            .store()
            .sign_in(username, password, None)
            .await
            .expect("sign in")
        else {
            panic!("{username} signs in with the demo password");
        };
        let su = self
            .store()
            .session_user(&token)
            .await
            .expect("resolve")
            .expect("session");
        Session {
            username: username.into(),
            cookie: format!("ipfin_session={token}"),
            csrf: su.csrf_token,
            user_id,
        }
    }

    /// Sends a request through the router: status, headers and the body's bytes.
    pub async fn send_raw(
        &self,
        req: Request<Body>,
    ) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        let resp = self
            .router
            .clone()
            .oneshot(req)
            .await
            .expect("router answers");
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp.into_body().collect().await.expect("body").to_bytes();
        (status, headers, bytes.to_vec())
    }

    pub async fn send(&self, req: Request<Body>) -> Resp {
        let (status, headers, bytes) = self.send_raw(req).await;
        Resp {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// A GET whose body is binary (a download): status, headers and the bytes as sent.
    pub async fn get_bytes(
        &self,
        path: &str,
        session: &Session,
    ) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        let req = Request::builder()
            .method(Method::GET)
            .uri(path)
            .header(header::COOKIE, &session.cookie)
            .body(Body::empty())
            .expect("request");
        self.send_raw(req).await
    }

    pub async fn get(&self, path: &str, session: Option<&Session>) -> Resp {
        let mut b = Request::builder().method(Method::GET).uri(path);
        if let Some(s) = session {
            b = b.header(header::COOKIE, &s.cookie);
        }
        self.send(b.body(Body::empty()).expect("request")).await
    }

    /// Posts a form; the session's CSRF token is added unless `pairs` has `_csrf` already.
    pub async fn post_form(
        &self,
        path: &str,
        session: Option<&Session>,
        pairs: &[(&str, &str)],
    ) -> Resp {
        let mut all: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        if let Some(s) = session
            && !pairs.iter().any(|(k, _)| *k == "_csrf")
        {
            all.push(("_csrf".into(), s.csrf.clone()));
        }
        let body = serde_urlencoded::to_string(&all).expect("encode");
        let mut b = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(s) = session {
            b = b.header(header::COOKIE, &s.cookie);
        }
        self.send(b.body(Body::from(body)).expect("request")).await
    }

    pub async fn api(
        &self,
        method: Method,
        path: &str,
        bearer: Option<&str>,
        body: Option<String>,
    ) -> Resp {
        let mut b = Request::builder().method(method).uri(path);
        if let Some(t) = bearer {
            b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let body = match body {
            Some(s) => {
                b = b.header(header::CONTENT_TYPE, "application/json");
                Body::from(s)
            }
            None => Body::empty(),
        };
        self.send(b.body(body).expect("request")).await
    }

    /// An API token for the organisation with this exact name (issued as the city would).
    pub async fn token(&self, org: &str) -> String {
        let org_id = self.org_id(org).await;
        let mut tx = self
            .store()
            .write(ipfin_store::audit::AuditActor::system("test"))
            .await
            .expect("tx");
        let (_, plain) = self
            .store()
            .create_api_token(
                &mut tx,
                &ipfin_domain::Scope::City,
                org_id,
                "测试系统",
                None,
            )
            .await
            .expect("token");
        tx.commit().await.expect("commit");
        plain
    }

    pub async fn org_id(&self, name: &str) -> i64 {
        let p = self
            .store()
            .organisations(
                &ipfin_domain::Scope::City,
                &OrgFilter {
                    q: Some(name.into()),
                    ..Default::default()
                },
                Page::default(),
            )
            .await
            .expect("orgs");
        p.items
            .iter()
            .find(|o| o.name == name)
            .unwrap_or_else(|| panic!("org {name}"))
            .id
    }

    pub async fn user_id(&self, username: &str) -> i64 {
        let p = self
            .store()
            .users(&ipfin_domain::Scope::City, Some(username), Page::default())
            .await
            .expect("users");
        p.items
            .iter()
            .find(|u| u.username == username)
            .unwrap_or_else(|| panic!("user {username}"))
            .id
    }

    /// Four eyes (issue #18 item 3): `second` (a demo officer other than the preparer)
    /// confirms, on the page, the request a prepare answered with (`/confirmations/{id}…`).
    pub async fn confirm_on_page(&self, location: Option<&str>, second: &str) -> Resp {
        let id = confirmation_id(location);
        let s = self.login(second).await;
        let r = self
            .post_form(
                &format!("/confirmations/{id}/decision"),
                Some(&s),
                &[("action", "confirm"), ("confirm", "yes")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "confirm #{id}: {}", r.body);
        r
    }

    /// Four eyes through the API: `second` confirms request `id` (as a signed-in person).
    pub async fn confirm_by_api(&self, id: i64, second: &str) -> Resp {
        let s = self.login(second).await;
        let req = Request::builder()
            .method(Method::POST)
            .uri(format!("/api/v1/confirmations/{id}/confirm"))
            .header(header::COOKIE, &s.cookie)
            .body(Body::empty())
            .expect("request");
        self.send(req).await
    }

    /// A page's multipart form (a file upload) posted with the session and its CSRF token.
    pub async fn post_multipart(
        &self,
        path: &str,
        s: &Session,
        fields: &[(&str, &str)],
        file: Option<(&str, &[u8])>,
    ) -> Resp {
        let mut all = vec![("_csrf", s.csrf.as_str())];
        all.extend_from_slice(fields);
        let (ct, body) = multipart(&all, file);
        self.send(
            Request::builder()
                .method(Method::POST)
                .uri(path)
                .header(header::COOKIE, &s.cookie)
                .header(header::CONTENT_TYPE, ct)
                .body(Body::from(body))
                .expect("request"),
        )
        .await
    }

    pub async fn audit_count(&self) -> i64 {
        self.store().audit_count().await.expect("count")
    }
}

/// The request id in a `/confirmations/{id}…` redirect.
pub fn confirmation_id(location: Option<&str>) -> i64 {
    location
        .and_then(|l| l.strip_prefix("/confirmations/"))
        .and_then(|x| x.split('?').next())
        .and_then(|x| x.parse().ok())
        .unwrap_or_else(|| panic!("not a confirmation: {location:?}"))
}

/// A multipart body with the given text fields and one file.
/// A pre-sign-in CSRF token (any 64 characters) as a signed-out browser holds it, and its cookie.
#[allow(dead_code)]
pub const PRE_CSRF: &str = "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij1234";

#[allow(dead_code)]
pub fn pre_cookie() -> String {
    format!("ipfin_precsrf={PRE_CSRF}")
}

#[allow(dead_code)]
impl TestApp {
    /// A signed-out POST carrying the pre-sign-in CSRF cookie (the body carries the token).
    pub async fn anon_post(&self, path: &str, content_type: &str, body: Vec<u8>) -> Resp {
        self.send(
            Request::builder()
                .method(Method::POST)
                .uri(path)
                .header(header::COOKIE, pre_cookie())
                .header(header::CONTENT_TYPE, content_type)
                .body(Body::from(body))
                .expect("request"),
        )
        .await
    }
    /// A signed-out form post with the pre-sign-in CSRF token.
    pub async fn anon_form(&self, path: &str, pairs: &[(&str, &str)]) -> Resp {
        let mut all: Vec<(&str, &str)> = vec![("_csrf", PRE_CSRF)];
        all.extend_from_slice(pairs);
        let body = serde_urlencoded::to_string(&all).expect("encode");
        self.anon_post(path, "application/x-www-form-urlencoded", body.into_bytes())
            .await
    }
}

#[allow(dead_code)]
impl TestApp {
    /// The city issues the quarter's bulletin on the page (or finds it issued already) and
    /// reads it back through the API: the frozen bulletin as JSON.
    pub async fn issue_bulletin(&self, quarter: &str) -> serde_json::Value {
        let city = self.login("city.admin").await;
        let r = self
            .post_form(
                "/bulletins",
                Some(&city),
                &[("quarter", quarter), ("confirm", "yes")],
            )
            .await;
        assert!(
            r.status == StatusCode::SEE_OTHER || r.status == StatusCode::CONFLICT,
            "{}: issued (or issued already): {}",
            self.name(),
            r.body
        );
        let token = self.token("深圳市市场监督管理局（知识产权局）").await;
        self.api(
            Method::GET,
            &format!("/api/v1/bulletins/{quarter}"),
            Some(&token),
            None,
        )
        .await
        .json()
    }
}

pub fn multipart(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> (String, Vec<u8>) {
    let boundary = "ipfinTestBoundary7MA4YWxk";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    if let Some((name, bytes)) = file {
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend(bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}
