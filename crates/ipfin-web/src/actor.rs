//! Who is calling: every request is resolved once (session cookie or bearer token) into an
//! `Actor` with a `Scope`; each route's declared `Access` is then enforced before its handler.

use crate::AppState;
use crate::error::AppError;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use ipfin_domain::{Lang, OrgKind, Role, Scope};
use ipfin_store::audit::AuditActor;
use ipfin_store::auth::{SessionUser, TokenOrg};

pub const SESSION_COOKIE: &str = "ipfin_session";
pub const LANG_COOKIE: &str = "ipfin_lang";
/// Double-submit CSRF cookie for forms shown before sign-in.
pub const PRE_CSRF_COOKIE: &str = "ipfin_precsrf";

#[derive(Debug, Clone)]
pub enum Principal {
    Anonymous,
    User(Box<SessionUser>),
    Token(TokenOrg),
}

/// The resolved caller of one request.
#[derive(Debug, Clone)]
pub struct Actor {
    pub principal: Principal,
    pub scope: Scope,
    pub lang: Lang,
    pub ip: Option<String>,
}

impl Actor {
    pub fn user(&self) -> Option<&SessionUser> {
        match &self.principal {
            Principal::User(u) => Some(u),
            _ => None,
        }
    }

    /// The caller's organisation, when signed in or calling with a token.
    pub fn organisation_id(&self) -> Option<ipfin_domain::id::OrgId> {
        match &self.principal {
            Principal::User(u) => Some(u.organisation_id),
            Principal::Token(t) => Some(t.organisation_id),
            Principal::Anonymous => None,
        }
    }

    pub fn is_signed_in(&self) -> bool {
        !matches!(self.principal, Principal::Anonymous)
    }

    /// Roles that count for access rules. A token acts in the role its organisation's staff have.
    pub fn roles(&self) -> Vec<Role> {
        match &self.principal {
            Principal::Anonymous => vec![],
            Principal::User(u) => u.roles.clone(),
            Principal::Token(t) => vec![match t.org_kind {
                OrgKind::CityOffice => Role::CityAdmin,
                OrgKind::Department => Role::DepartmentMember,
                OrgKind::FinancialInstitution => Role::BankUser,
                OrgKind::ServiceAgency => Role::AgencyUser,
                OrgKind::Enterprise => Role::EnterpriseUser,
            }],
        }
    }

    pub fn has_any(&self, roles: &[Role]) -> bool {
        self.roles().iter().any(|r| roles.contains(r))
    }

    pub fn audit_actor(&self) -> AuditActor {
        match &self.principal {
            Principal::Anonymous => AuditActor::system("anonymous"),
            Principal::User(u) => AuditActor::user(u.user_id.get(), &u.username),
            Principal::Token(t) => AuditActor::token(t.token_id),
        }
    }

    /// Whose accounts the caller may administer (`ipfin_domain::user`); API tokens administer
    /// none.
    pub fn administrator(&self) -> ipfin_domain::user::Administrator {
        match self.user() {
            Some(u) => ipfin_domain::user::Administrator::of(
                &u.roles,
                &ipfin_domain::OrgFacts {
                    id: u.organisation_id,
                    kind: u.org_kind,
                    district_code: u.district_code.clone(),
                },
            ),
            None => ipfin_domain::user::Administrator::Nobody,
        }
    }

    pub fn csrf_token(&self) -> Option<&str> {
        self.user().map(|u| u.csrf_token.as_str())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Actor {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Actor>()
            .cloned()
            .ok_or_else(|| AppError::internal("actor not resolved"))
    }
}

/// Reads one cookie from the request headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value with the flags every ipfin cookie carries.
pub fn set_cookie(name: &str, value: &str, max_age: Option<i64>, secure: bool) -> HeaderValue {
    let mut s = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age {
        s.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        s.push_str("; Secure");
    }
    HeaderValue::from_str(&s).unwrap_or_else(|_| HeaderValue::from_static("invalid=1"))
}

fn request_lang(headers: &HeaderMap) -> Lang {
    if let Some(l) = cookie(headers, LANG_COOKIE) {
        return Lang::from_tag(l);
    }
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Lang::from_accept_language)
        .unwrap_or_default()
}

/// The client's address. Behind `proxy_hops` reverse proxies that each append the address they
/// saw to `X-Forwarded-For`, the client is the entry `proxy_hops` places from the right: the
/// entries further left were written by the client itself and can be anything. Without trusted
/// proxies the header is ignored and the socket's peer address is the client.
pub fn client_ip(
    forwarded_for: Option<&str>,
    peer: Option<std::net::IpAddr>,
    proxy_hops: usize,
) -> Option<String> {
    if proxy_hops > 0
        && let Some(xff) = forwarded_for
    {
        let entries: Vec<&str> = xff
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        if !entries.is_empty() {
            // Fewer entries than hops: every entry was written by a trusted proxy, so the
            // left-most one is the address the outermost proxy saw.
            let i = entries.len().saturating_sub(proxy_hops);
            let entry = entries[i];
            return entry
                .parse::<std::net::IpAddr>()
                .or_else(|_| entry.parse::<std::net::SocketAddr>().map(|a| a.ip()))
                .ok()
                .map(|ip| ip.to_string());
        }
    }
    peer.map(|ip| ip.to_string())
}

fn request_client_ip(req: &Request, proxy_hops: usize) -> Option<String> {
    let xff = req
        .headers()
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect::<Vec<_>>()
        .join(",");
    let peer = req
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|ci| ci.0.ip());
    client_ip(
        Some(xff.as_str()).filter(|s| !s.is_empty()),
        peer,
        proxy_hops,
    )
}

/// Resolves the caller and stores the `Actor` in the request extensions. A presented but
/// invalid bearer token is refused at once (401); an invalid session cookie is cleared and the
/// request proceeds anonymously.
pub async fn resolve(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let lang = request_lang(req.headers());
    let ip = request_client_ip(&req, state.config.trusted_proxy_hops);
    let mut clear_cookie = false;
    // Bearer tokens are for the API only; pages work with the session cookie.
    let is_api = req.uri().path().starts_with("/api/");
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string())
        .filter(|_| is_api);
    let principal = if let Some(token) = bearer {
        match state.store.token_org(&token).await {
            Ok(Some(t)) => Principal::Token(t),
            Ok(None) => {
                let err = AppError::new(
                    axum::http::StatusCode::UNAUTHORIZED,
                    "auth.invalid_token",
                    "接口令牌无效、已过期或已被吊销。",
                    "The API token is invalid, expired or revoked.",
                );
                return crate::http::error_json(&err, lang);
            }
            Err(e) => return AppError::from(e).into_response(),
        }
    } else if let Some(token) = cookie(req.headers(), SESSION_COOKIE).map(str::to_string) {
        let found = match state.sessions.get(&token) {
            Some(u) => Ok(Some(u)),
            None => {
                let r = state.store.session_user(&token).await;
                if let Ok(Some(u)) = &r {
                    state.sessions.put(&token, u.clone());
                }
                r
            }
        };
        match found {
            Ok(Some(u)) => Principal::User(Box::new(u)),
            Ok(None) => {
                clear_cookie = true;
                Principal::Anonymous
            }
            Err(e) => return AppError::from(e).into_response(),
        }
    } else {
        Principal::Anonymous
    };
    let scope = match &principal {
        Principal::Anonymous => Scope::Public,
        Principal::User(u) => u.scope(),
        Principal::Token(t) => t.scope(),
    };
    req.extensions_mut().insert(Actor {
        principal,
        scope,
        lang,
        ip,
    });
    let mut resp = next.run(req).await;
    if clear_cookie {
        resp.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(SESSION_COOKIE, "", Some(0), state.config.secure_cookies),
        );
    }
    resp
}

/// Who may call a route. Declared once per route in `routes.rs`, enforced by `enforce`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in user or API token; the data returned is confined by the scope.
    SignedIn,
    /// Only these roles; the data is further confined by the scope.
    Roles(&'static [Role]),
}

impl Access {
    pub fn allows(&self, actor: &Actor) -> bool {
        match self {
            Access::Public => true,
            Access::SignedIn => actor.is_signed_in(),
            Access::Roles(roles) => actor.has_any(roles),
        }
    }
}

/// Enforces a route's declared access: anonymous callers of a page are sent to sign in (API:
/// 401), signed-in callers without a fitting role get 403. A user who must change their
/// password is sent to do so first.
pub async fn enforce(State(access): State<Access>, req: Request, next: Next) -> Response {
    let Some(actor) = req.extensions().get::<Actor>() else {
        return AppError::internal("actor not resolved").into_response();
    };
    let is_api = req.uri().path().starts_with("/api/");
    if access != Access::Public && !actor.is_signed_in() {
        if is_api {
            return AppError::unauthorized().into_response();
        }
        let next_url = req
            .uri()
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/home".into());
        let target = format!("/login?next={}", crate::http::urlencode(&next_url));
        return Redirect::to(&target).into_response();
    }
    if !access.allows(actor) {
        return AppError::forbidden().into_response();
    }
    // Credentials someone else set (the console, the demo) are replaced before anything else
    // works, on pages and API alike.
    if let Some(u) = actor.user()
        && u.must_change_password
        && access != Access::Public
        && !req.uri().path().starts_with("/account/password")
        && req.uri().path() != "/logout"
    {
        if is_api {
            return AppError::new(
                axum::http::StatusCode::FORBIDDEN,
                "password.must_change",
                "请先在页面“修改密码”（/account/password）设置您自己的密码，然后才能使用其他功能和接口。",
                "Set your own password at /account/password before using anything else.",
            )
            .into_response();
        }
        return Redirect::to("/account/password").into_response();
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::client_ip;

    #[test]
    fn forged_left_most_addresses_never_become_the_client() {
        let peer = Some("10.0.0.2".parse().expect("ip"));
        for fake in ["6.6.6.6", "1.2.3.4", "127.0.0.1", "not-an-ip"] {
            let xff = format!("{fake}, 203.0.113.9");
            assert_eq!(
                client_ip(Some(&xff), peer, 1).as_deref(),
                Some("203.0.113.9")
            );
            // Two proxies: the entry two places from the right.
            let xff = format!("{fake}, 198.51.100.1, 10.0.0.1");
            assert_eq!(
                client_ip(Some(&xff), peer, 2).as_deref(),
                Some("198.51.100.1")
            );
        }
        // Not behind a proxy: the header is ignored.
        assert_eq!(
            client_ip(Some("6.6.6.6"), peer, 0).as_deref(),
            Some("10.0.0.2")
        );
        // Fewer entries than hops: the left-most, all written by trusted proxies.
        assert_eq!(
            client_ip(Some("198.51.100.1"), peer, 2).as_deref(),
            Some("198.51.100.1")
        );
        // A port some proxies add is dropped; garbage at the trusted position is no address.
        assert_eq!(
            client_ip(Some("x, 198.51.100.1:5000"), peer, 1).as_deref(),
            Some("198.51.100.1")
        );
        assert_eq!(client_ip(Some("6.6.6.6, garbage"), peer, 1), None);
        assert_eq!(client_ip(None, peer, 1).as_deref(), Some("10.0.0.2"));
    }
}
