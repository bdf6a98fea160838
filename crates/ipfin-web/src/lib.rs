//! ipfin-web: the HTTP layer. Server-rendered pages (askama) and the `/api/v1` JSON API share
//! one router; every route declares who may call it (`routes.rs`), every request is resolved
//! into an `Actor` with a scope (`actor.rs`), and handlers stay thin over `ipfin-store`.

#![forbid(unsafe_code)]

pub mod actor;
pub mod api;
pub mod areas;
pub mod chart;
pub mod docx;
pub mod error;
pub mod http;
pub mod i18n;
pub mod metrics;
pub mod public_cache;
pub mod routes;
pub mod security_headers;
pub mod session_cache;
pub mod text_input;
pub mod usecase;
pub mod views;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderName, StatusCode};
use axum::middleware::{Next, from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use ipfin_store::Store;
use std::sync::Arc;
use std::time::Duration;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// Settings the web layer needs.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure` (set when served over HTTPS).
    pub secure_cookies: bool,
    /// How many reverse proxies in front of ipfin append to `X-Forwarded-For` (0: the header is
    /// ignored). The client address is the entry this many places from the right.
    pub trusted_proxy_hops: usize,
    /// Largest accepted request body.
    pub max_body_bytes: usize,
    /// Show the demo banner.
    pub demo: bool,
    /// Where uploaded import files and their error reports are kept (mode 0700 advised: they
    /// hold enterprises' data).
    pub upload_dir: std::path::PathBuf,
    /// Where policy package documents are kept (they are part of published versions: back
    /// this folder up with the database).
    pub attachment_dir: std::path::PathBuf,
    /// The site's address as people reach it (`https://ipfin.example.gov.cn`, no trailing
    /// slash), for absolute links in feeds; never taken from a request's `Host` header.
    pub public_base_url: String,
    /// Limits on anonymous objections to public notices (per address, per notice, evidence).
    pub objection_limits: ipfin_domain::application::objection::ObjectionLimits,
    /// How old the public zone data may be when served from this process's memory (zero: read
    /// the database for every request). `ipfin serve` uses 5 seconds.
    pub public_cache_ttl: std::time::Duration,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            secure_cookies: false,
            trusted_proxy_hops: 0,
            max_body_bytes: 1024 * 1024,
            demo: false,
            upload_dir: std::env::temp_dir().join("ipfin-uploads"),
            attachment_dir: std::env::temp_dir().join("ipfin-attachments"),
            public_base_url: "http://127.0.0.1:8080".into(),
            objection_limits: Default::default(),
            public_cache_ttl: std::time::Duration::ZERO,
        }
    }
}

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<WebConfig>,
    pub metrics: Arc<metrics::Metrics>,
    pub sessions: Arc<session_cache::SessionCache>,
    /// Public zone data, `WebConfig::public_cache_ttl` old at most.
    pub public: Arc<public_cache::PublicCache>,
}

impl AppState {
    pub fn new(store: Store, config: WebConfig) -> AppState {
        AppState {
            store,
            metrics: Arc::new(metrics::Metrics::default()),
            sessions: Arc::new(session_cache::SessionCache::default()),
            public: Arc::new(public_cache::PublicCache::new(config.public_cache_ttl)),
            config: Arc::new(config),
        }
    }
}

/// Prefix of the temporary files an upload is written to before it is checked and stored.
pub const UPLOAD_TEMP_PREFIX: &str = "upload-";

/// At start, before serving: removes the temporary files of uploads that a crash or a kill cut
/// off (`upload-*` in the upload and attachment folders), and makes those folders and what
/// they hold owner-only (0700/0600). Returns how many temporary files were removed.
pub fn prepare_upload_dirs(config: &WebConfig) -> std::io::Result<usize> {
    let mut removed = 0;
    for dir in [&config.upload_dir, &config.attachment_dir] {
        ipfin_store::fsperm::private_dir(dir)?;
        removed += ipfin_store::fsperm::remove_prefixed(dir, UPLOAD_TEMP_PREFIX)?;
        ipfin_store::fsperm::restrict_tree(dir)?;
    }
    Ok(removed)
}

/// Watches writes for a full storage: a refusal for want of space marks the store (so
/// `/readyz` reports it), a successful write clears the mark.
async fn watch_storage(
    axum::extract::State(store): axum::extract::State<Store>,
    req: Request,
    next: Next,
) -> Response {
    let write = !matches!(
        *req.method(),
        axum::http::Method::GET | axum::http::Method::HEAD | axum::http::Method::OPTIONS
    );
    let resp = next.run(req).await;
    if resp
        .extensions()
        .get::<error::AppError>()
        .is_some_and(|e| e.msg.code == error::STORAGE_FULL)
    {
        store.note_storage_full();
    } else if write && (resp.status().is_success() || resp.status().is_redirection()) {
        store.note_storage_ok();
    }
    resp
}

async fn fallback() -> error::AppError {
    error::AppError::not_found()
}

/// Turns bare framework statuses (405, CSRF refusals) into ipfin errors so they are localised too.
async fn normalize_errors(req: Request, next: Next) -> Response {
    let resp = next.run(req).await;
    if resp.extensions().get::<error::AppError>().is_some() {
        return resp;
    }
    if resp
        .extensions()
        .get::<tower_http::csrf::ProtectionError>()
        .is_some()
    {
        return error::AppError::new(
            StatusCode::FORBIDDEN,
            "csrf.cross_site",
            "跨站提交已被拒绝：请从本系统页面提交表单。",
            "Cross-site request refused: submit forms from ipfin's own pages.",
        )
        .into_response();
    }
    match resp.status() {
        StatusCode::METHOD_NOT_ALLOWED => error::AppError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "该地址不支持此请求方法。",
            "This address does not accept that method.",
        )
        .into_response(),
        StatusCode::PAYLOAD_TOO_LARGE => http::too_large().into_response(),
        _ => resp,
    }
}

/// Limits every request body to the configured size, except an import upload, which may be
/// as large as [`views::import::MAX_UPLOAD_BYTES`]; a declared length over the limit is refused
/// before the body is read.
async fn limit_body(
    axum::extract::State((max, objection)): axum::extract::State<(usize, usize)>,
    req: Request,
    next: axum::middleware::Next,
) -> Response {
    let path = req.uri().path();
    let post = req.method() == axum::http::Method::POST;
    let limit = if post && path == "/imports" {
        views::import::MAX_UPLOAD_BYTES
    } else if post && path.starts_with("/policy-drafts/") && path.ends_with("/attachments") {
        views::policy::MAX_ATTACHMENT_BYTES
    } else if post && path.starts_with("/notices/") && path.ends_with("/objections") {
        // The objection's evidence limit plus room for its text fields.
        objection
    } else if post
        && path.contains("/applications/")
        && (path.contains("/files") || path.contains("/slots/"))
    {
        views::application::MAX_FILE_BYTES
    } else {
        max
    };
    let declared = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return http::too_large().into_response();
    }
    let (parts, body) = req.into_parts();
    let body = axum::body::Body::new(http_body_util::Limited::new(body, limit));
    next.run(Request::from_parts(parts, body)).await
}

/// The complete application: routes and the global layers.
pub fn app(state: AppState) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    let max_body = state.config.max_body_bytes;
    routes::router()
        .fallback(fallback)
        .layer(CatchPanicLayer::custom(|_| {
            error::AppError::internal("handler panicked").into_response()
        }))
        .layer(from_fn(text_input::check))
        .layer(DefaultBodyLimit::max(max_body))
        .layer(from_fn_with_state(
            (
                max_body,
                state.config.objection_limits.max_bytes + 64 * 1024,
            ),
            limit_body,
        ))
        .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, Duration::from_secs(30)))
        .layer(tower_http::csrf::CsrfLayer::new())
        .layer(from_fn_with_state(state.store.clone(), watch_storage))
        .layer(from_fn(normalize_errors))
        .layer(from_fn_with_state(state.clone(), views::localize))
        .layer(from_fn_with_state(state.clone(), actor::resolve))
        .layer(from_fn_with_state(state.metrics.clone(), metrics::record))
        .layer(from_fn_with_state(
            state.config.secure_cookies,
            security_headers::add,
        ))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &Request| {
                let id = req
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                tracing::info_span!("http", method = %req.method(), path = %logged_path(req.uri().path()), request_id = %id)
            })
            .on_request(())
            .on_response(tower_http::trace::DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .with_state(state)
}

/// The path as the request log shows it: an activation link's secret never goes to the log.
fn logged_path(path: &str) -> std::borrow::Cow<'_, str> {
    match path.strip_prefix("/activate/") {
        Some(rest) if !rest.is_empty() => std::borrow::Cow::Borrowed("/activate/{token}"),
        _ => std::borrow::Cow::Borrowed(path),
    }
}

#[cfg(test)]
mod log_tests {
    #[test]
    fn activation_secrets_stay_out_of_the_request_log() {
        assert_eq!(
            super::logged_path("/activate/3f9c00aa"),
            "/activate/{token}"
        );
        assert_eq!(super::logged_path("/users/3"), "/users/3");
    }
}
