//! Server-rendered pages: the shared page context (language, navigation, CSRF token), form
//! handling with CSRF checks, inline field errors, and the localised error page.

pub mod application;
pub mod assets;
pub mod audit;
pub mod auth;
pub mod bulletin;
pub mod clear_card;
pub mod confirmation;
pub mod coordination;
pub mod enterprise;
pub mod export;
pub mod financing;
pub mod home;
pub mod import;
pub mod meeting;
pub mod org;
pub mod payment;
pub mod platform;
pub mod policy;
pub mod policy_form;
pub mod push;
pub mod screening;
pub mod station;
pub mod stats;
pub mod summary;
pub mod supervision;
pub mod token;
pub mod tools;
pub mod user;
pub mod whitelist;

use crate::AppState;
use crate::actor::{Actor, PRE_CSRF_COOKIE, cookie};
use crate::error::AppError;
/// Where to go after sign-in: decided in `crate::http` (one place).
pub use crate::http::safe_next;
/// Kept here for callers that built page links through `views` (the helper lives in `http`).
pub use crate::http::urlencode;
use crate::http::{error_json, too_large};
use crate::i18n::T;
use askama::Template;
use axum::body::Body;
use axum::extract::{FromRequest, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use ipfin_domain::{FieldError, Lang, OrgKind, Role, Scope};
use serde::Deserialize;
use serde::de::DeserializeOwned;

/// A navigation link.
#[derive(Debug, Clone)]
pub struct NavItem {
    pub href: String,
    pub label: &'static str,
    pub current: bool,
}

/// A group of the signed-in menu (issue #23 item 3): its name and entries; `current` when the
/// page shown is one of them.
#[derive(Debug, Clone)]
pub struct NavGroupItem {
    pub label: &'static str,
    pub current: bool,
    pub items: Vec<NavItem>,
}

/// The signed-in user as the page header shows them.
#[derive(Debug, Clone)]
pub struct UserNav {
    pub display_name: String,
    pub org_name: String,
}

/// What every page template gets.
#[derive(Debug, Clone)]
pub struct PageCtx {
    pub t: T,
    pub lang: Lang,
    pub user: Option<UserNav>,
    pub nav: Vec<NavItem>,
    /// The signed-in menu by task group (empty when signed out: the flat `nav` is shown).
    pub nav_groups: Vec<NavGroupItem>,
    pub csrf: String,
    pub flash: Option<String>,
    pub demo: bool,
    /// The site's public address (`IPFIN_PUBLIC_BASE_URL`), for links people copy elsewhere.
    pub base_url: String,
}

/// The menu by task group, groups in their fixed order, entries in menu order within each.
fn group_nav(nav: &[NavItem], t: T) -> Vec<NavGroupItem> {
    use crate::areas::NavGroup;
    let mut groups: Vec<(NavGroup, NavGroupItem)> = Vec::new();
    for item in nav {
        let g = NavGroup::of(&item.href).unwrap_or(NavGroup::Tools);
        let at = match groups.iter().position(|(k, _)| *k == g) {
            Some(i) => i,
            None => {
                groups.push((
                    g,
                    NavGroupItem {
                        label: t.s(g.label()),
                        current: false,
                        items: Vec::new(),
                    },
                ));
                groups.len() - 1
            }
        };
        let entry = &mut groups[at].1;
        entry.current |= item.current;
        entry.items.push(item.clone());
    }
    groups.sort_by_key(|(k, _)| *k);
    groups.into_iter().map(|(_, g)| g).collect()
}

impl PageCtx {
    pub fn new(actor: &Actor, state: &AppState, path: &str) -> PageCtx {
        let t = T(actor.lang);
        let links: Vec<(String, &'static str)> = crate::areas::nav(actor)
            .into_iter()
            .map(|l| (l.href, l.label))
            .collect();
        let nav: Vec<NavItem> = links
            .into_iter()
            .map(|(href, key)| NavItem {
                current: href == path
                    || (href != "/" && href != "/home" && path.starts_with(&format!("{href}/"))),
                label: t.s(key),
                href,
            })
            .collect();
        let nav_groups = if actor.user().is_some() {
            group_nav(&nav, t)
        } else {
            Vec::new()
        };
        PageCtx {
            t,
            lang: actor.lang,
            user: actor.user().map(|u| UserNav {
                display_name: u.display_name.clone(),
                org_name: u.org_name.clone(),
            }),
            nav,
            nav_groups,
            csrf: actor.csrf_token().unwrap_or_default().to_string(),
            flash: None,
            demo: state.config.demo,
            base_url: state.config.public_base_url.clone(),
        }
    }

    /// The banner confirming what the reader just did (`?ok=` after a redirect). A signed-out
    /// reader sees only the banners of the sign-in flow (signed out, account activated): any
    /// other `?ok=` in a link someone shared reports that person's action, not the reader's.
    pub fn with_flash(mut self, key: Option<&str>) -> Self {
        const SIGNED_OUT_FLASH: &[&str] = &["flash.signed_out", "flash.activated"];
        self.flash = key
            .filter(|k| self.user.is_some() || SIGNED_OUT_FLASH.contains(k))
            .map(|k| self.t.s(k).to_string());
        self
    }

    pub fn lang_code(&self) -> &'static str {
        self.lang.code()
    }
    pub fn other_lang(&self) -> &'static str {
        match self.lang {
            Lang::Zh => "en",
            Lang::En => "zh",
        }
    }
    pub fn signed_in(&self) -> bool {
        self.user.is_some()
    }
    pub fn role_label(&self, r: &Role) -> &'static str {
        r.label(self.lang)
    }
    pub fn kind_label(&self, code: &str) -> &'static str {
        OrgKind::from_code(code)
            .map(|k| k.label(self.lang))
            .unwrap_or("")
    }
    pub fn institution_label(&self, code: &Option<String>) -> &'static str {
        code.as_deref()
            .and_then(ipfin_domain::InstitutionType::from_code)
            .map(|k| k.label(self.lang))
            .unwrap_or("")
    }
    /// A Unix time as a Beijing-time date and time (2026年3月5日 14:05 / 5 Mar 2026 14:05).
    pub fn datetime(&self, secs: &i64) -> String {
        let offset = chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8");
        match chrono::DateTime::from_timestamp(*secs, 0) {
            Some(t) => {
                let t = t.with_timezone(&offset);
                match self.lang {
                    Lang::Zh => t.format("%Y年%-m月%-d日 %H:%M").to_string(),
                    Lang::En => t.format("%-d %b %Y %H:%M").to_string(),
                }
            }
            None => String::new(),
        }
    }
    pub fn opt_datetime(&self, secs: &Option<i64>) -> String {
        secs.map(|s| self.datetime(&s))
            .unwrap_or_else(|| "—".into())
    }
    /// Punctuation around words in the reader's language: `（` / ` (`.
    pub fn lp(&self) -> &'static str {
        match self.lang {
            Lang::Zh => "（",
            Lang::En => " (",
        }
    }
    /// `）` / `)`.
    pub fn rp(&self) -> &'static str {
        match self.lang {
            Lang::Zh => "）",
            Lang::En => ")",
        }
    }
    /// `：` / `: `.
    pub fn colon(&self) -> &'static str {
        match self.lang {
            Lang::Zh => "：",
            Lang::En => ": ",
        }
    }
    /// The separator of a list: `、` / `, `.
    pub fn sep(&self) -> &'static str {
        match self.lang {
            Lang::Zh => "、",
            Lang::En => ", ",
        }
    }
    /// A date by the one formatter: `2026年9月18日` / `18 Sep 2026`.
    pub fn date(&self, d: &chrono::NaiveDate) -> String {
        ipfin_domain::format::date(*d, self.lang)
    }
    /// A quarter's code (`2026Q3`, as in links) for reading: `2026年第三季度` / `Q3 2026`.
    pub fn quarter(&self, code: &str) -> String {
        match ipfin_domain::stats::Quarter::parse(code) {
            Ok(q) => ipfin_domain::format::quarter(q.year, q.q, self.lang),
            Err(_) => code.to_string(),
        }
    }
    pub fn opt_date(&self, d: &Option<chrono::NaiveDate>) -> String {
        d.as_ref()
            .map(|d| self.date(d))
            .unwrap_or_else(|| self.t.s("common.until_now").into())
    }
}

/// Inline form errors, keyed by field.
#[derive(Debug, Clone, Default)]
pub struct FormErrors {
    pub items: Vec<(String, String)>,
}

impl FormErrors {
    pub fn from_error(e: &AppError, lang: Lang) -> FormErrors {
        if let Some(p) = &e.problems {
            return FormErrors {
                items: p
                    .0
                    .iter()
                    .map(|(f, m)| (f.clone(), m.text(lang).to_string()))
                    .collect(),
            };
        }
        FormErrors {
            items: vec![(
                e.field.unwrap_or("_form").to_string(),
                e.msg.text(lang).to_string(),
            )],
        }
    }
    pub fn from_field(e: &FieldError, lang: Lang) -> FormErrors {
        FormErrors::from_fields(std::slice::from_ref(e), lang)
    }
    /// Every problem of a form, in the order found.
    pub fn from_fields(errors: &[FieldError], lang: Lang) -> FormErrors {
        FormErrors {
            items: errors
                .iter()
                .map(|e| (e.field.to_string(), e.msg.text(lang).to_string()))
                .collect(),
        }
    }
    pub fn get(&self, field: &str) -> Option<&str> {
        self.items
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }
    pub fn any(&self) -> bool {
        !self.items.is_empty()
    }
    /// `aria-invalid` value for a field.
    pub fn invalid(&self, field: &str) -> &'static str {
        if self.get(field).is_some() {
            "true"
        } else {
            "false"
        }
    }
}

/// Renders a template with a status.
pub fn render<P: Template>(status: StatusCode, page: &P) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => AppError::internal(format!("template: {e}")).into_response(),
    }
}

/// Redirect after a successful POST with a flash message key.
pub fn see_other(path: &str, flash: &str) -> Response {
    let sep = if path.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{path}{sep}ok={flash}")).into_response()
}

/// After a POST from a record's page: back to `to` with the flash, or, when the change was
/// refused for a reason the user can act on (422, 409, 403), the page again (built by `page`
/// from the errors) under that status, the errors shown inline. Other errors pass through.
pub async fn after_post<P, F>(
    r: Result<(), AppError>,
    to: &str,
    flash: &str,
    lang: Lang,
    page: impl FnOnce(FormErrors) -> F,
) -> Result<Response, AppError>
where
    P: Template,
    F: std::future::Future<Output = Result<P, AppError>>,
{
    match r {
        Ok(()) => Ok(see_other(to, flash)),
        Err(e)
            if matches!(
                e.status,
                StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT | StatusCode::FORBIDDEN
            ) =>
        {
            let status = e.status;
            let p = page(FormErrors::from_error(&e, lang)).await?;
            Ok(render(status, &p))
        }
        Err(e) => Err(e),
    }
}

/// The query of a page a POST redirects back to: `ok` names the flash message.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OkQuery {
    ok: Option<String>,
}

/// A form body whose CSRF token was checked: the session's token when signed in, the
/// double-submit cookie before sign-in. Fields are strings; handlers parse them.
pub struct CsrfForm<F> {
    pub data: F,
    pub pairs: Vec<(String, String)>,
}

impl<F> CsrfForm<F> {
    /// Every value given for a repeated field (checkboxes).
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

pub fn csrf_error() -> AppError {
    AppError::new(
        StatusCode::FORBIDDEN,
        "csrf.token",
        "表单已过期或缺少安全令牌，请刷新页面后重新提交。",
        "The form expired or lacks its security token: reload the page and submit again.",
    )
}

/// Compares secrets in time independent of where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

impl<F: DeserializeOwned + Send, S: Send + Sync> FromRequest<S> for CsrfForm<F> {
    type Rejection = AppError;

    async fn from_request(req: Request, _: &S) -> Result<Self, Self::Rejection> {
        let actor = req
            .extensions()
            .get::<Actor>()
            .cloned()
            .ok_or_else(|| AppError::internal("no actor"))?;
        let pre_cookie = cookie(req.headers(), PRE_CSRF_COOKIE).map(str::to_string);
        let ct = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        if !ct.starts_with("application/x-www-form-urlencoded") {
            return Err(AppError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "request.content_type",
                "请通过页面表单提交（application/x-www-form-urlencoded）。",
                "Submit the page's form (application/x-www-form-urlencoded).",
            ));
        }
        let bytes = axum::body::Bytes::from_request(req, &())
            .await
            .map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    too_large()
                } else {
                    AppError::bad_request(
                        "request.body",
                        "无法读取提交的内容。",
                        "Could not read the request body.",
                    )
                }
            })?;
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).map_err(|_| {
            AppError::bad_request(
                "form.malformed",
                "表单内容格式错误。",
                "The form data is malformed.",
            )
        })?;
        let sent = pairs
            .iter()
            .find(|(k, _)| k == "_csrf")
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        let expected = match actor.csrf_token() {
            Some(t) => Some(t.to_string()),
            None => pre_cookie,
        };
        match expected {
            Some(e) if !sent.is_empty() && same_secret(sent, &e) => {}
            _ => return Err(csrf_error()),
        }
        let data = serde_urlencoded::from_bytes(&bytes).map_err(|e| {
            AppError::bad_request(
                "form.malformed",
                format!("表单内容格式错误：{e}"),
                format!("The form data is malformed: {e}"),
            )
        })?;
        Ok(CsrfForm { data, pairs })
    }
}

/// A random token for the pre-sign-in CSRF cookie (reused while the cookie exists).
pub fn pre_csrf(headers: &axum::http::HeaderMap) -> (String, bool) {
    match cookie(headers, PRE_CSRF_COOKIE) {
        Some(v) if v.len() == 64 => (v.to_string(), false),
        _ => (ipfin_store::auth::random_token(), true),
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    ctx: PageCtx,
    message: String,
}

/// Renders `AppError` responses: JSON `{code, message, field?}` under `/api` and for the
/// operational endpoints, an HTML page elsewhere — in the caller's language.
pub async fn localize(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let actor = req.extensions().get::<Actor>().cloned();
    let path = req.uri().path().to_string();
    let resp = next.run(req).await;
    let Some(err) = resp.extensions().get::<AppError>().cloned() else {
        return resp;
    };
    let lang = actor.as_ref().map(|a| a.lang).unwrap_or_default();
    let (parts, _) = resp.into_parts();
    let mut out = if path.starts_with("/api/")
        || matches!(path.as_str(), "/healthz" | "/readyz" | "/metrics")
    {
        error_json(&err, lang)
    } else {
        let ctx = match &actor {
            Some(a) => PageCtx::new(a, &state, &path),
            None => PageCtx::new(
                &Actor {
                    principal: crate::actor::Principal::Anonymous,
                    scope: Scope::Public,
                    lang,
                    ip: None,
                },
                &state,
                &path,
            ),
        };
        render(
            err.status,
            &ErrorPage {
                ctx,
                message: err.msg.text(lang).to_string(),
            },
        )
    };
    for (name, value) in parts.headers.iter() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            out.headers_mut().append(name.clone(), value.clone());
        }
    }
    out
}

/// A body-less redirect that also sets cookies.
pub fn redirect_with_cookies(to: &str, cookies: Vec<HeaderValue>) -> Response {
    let mut resp = Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(header::LOCATION, to)
        .body(Body::empty())
        .unwrap_or_default();
    for c in cookies {
        resp.headers_mut().append(header::SET_COOKIE, c);
    }
    resp
}

/// Query of list pages.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ListQuery {
    pub q: Option<String>,
    pub kind: Option<String>,
    pub district: Option<String>,
    pub page: Option<String>,
    pub ok: Option<String>,
    /// A data-sharing arrangement an import delivers (`/imports?arrangement=`).
    pub arrangement: Option<String>,
}

impl ListQuery {
    pub fn page(&self) -> ipfin_store::Page {
        ipfin_store::Page::new(self.page.as_deref().and_then(|p| p.parse().ok()), None)
    }
}

/// The cookie that tells a signed-out visitor's next page that the banner in its `?ok=` is
/// their own (after lodging an objection): set by the redirect, two minutes, spent when shown.
const OWN_FLASH_COOKIE: &str = "ipfin_flash";

/// Marks the redirect `resp` as carrying the visitor's own `flash`.
pub fn set_own_flash(resp: &mut Response, flash: &str, secure: bool) {
    resp.headers_mut().append(
        header::SET_COOKIE,
        crate::actor::set_cookie(OWN_FLASH_COOKIE, flash, Some(120), secure),
    );
}

/// Whether the request carries the one-time cookie for `flash`.
pub fn own_flash(headers: &axum::http::HeaderMap, flash: &str) -> bool {
    cookie(headers, OWN_FLASH_COOKIE) == Some(flash)
}

/// Spends the one-time cookie (a reload no longer shows the banner).
pub fn spend_own_flash(resp: &mut Response, secure: bool) {
    resp.headers_mut().append(
        header::SET_COOKIE,
        crate::actor::set_cookie(OWN_FLASH_COOKIE, "", Some(0), secure),
    );
}

/// Only flash keys the application defines are shown.
pub fn flash_key(ok: &Option<String>) -> Option<&'static str> {
    const KEYS: &[&str] = &[
        "created",
        "updated",
        "disabled",
        "enabled",
        "revoked",
        "designated",
        "contact_added",
        "contact_removed",
        "password_changed",
        "signed_out",
        "submitted",
        "objection_lodged",
        "activated",
        "prepared",
        "confirmed",
        "refused",
        "withdrawn",
    ];
    let k = ok.as_deref()?;
    KEYS.iter().find(|x| **x == k).map(|x| match *x {
        "created" => "flash.created",
        "updated" => "flash.updated",
        "disabled" => "flash.disabled",
        "enabled" => "flash.enabled",
        "revoked" => "flash.revoked",
        "designated" => "flash.designated",
        "contact_added" => "flash.contact_added",
        "contact_removed" => "flash.contact_removed",
        "password_changed" => "flash.password_changed",
        "submitted" => "flash.submitted",
        "objection_lodged" => "flash.objection_lodged",
        "activated" => "flash.activated",
        "prepared" => "flash.prepared",
        "confirmed" => "flash.confirmed",
        "refused" => "flash.refused",
        "withdrawn" => "flash.withdrawn",
        _ => "flash.signed_out",
    })
}

/// Requires the confirmation checkbox of an irreversible step.
pub fn require_confirm(confirm: &Option<String>) -> Result<(), FieldError> {
    if confirm.as_deref() == Some("yes") {
        Ok(())
    } else {
        Err(FieldError::new(
            "confirm",
            "confirm.required",
            "此操作不可撤销，请勾选“我已确认”后再提交。",
            "This step cannot be undone: tick “I confirm” and submit again.",
        ))
    }
}
