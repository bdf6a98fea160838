//! Security headers on every response: a Content-Security-Policy that runs only ipfin's own
//! script and style files (no inline script or style anywhere in the pages), framing refused
//! (`frame-ancestors 'none'`, `X-Frame-Options: DENY`), no content sniffing, a referrer kept to
//! the site, no caching of pages and API answers (`Cache-Control: no-store`), and HSTS when the site is served over HTTPS (secure cookies on). A response that
//! set its own policy (a stored file shown in the review screen's frame) keeps it.

use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// The pages' policy: scripts, styles, images and fetches from the site only; no plugins, no
/// `<base>`, forms post only to the site, and no other site may frame a page.
pub const PAGE_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; \
     connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// One year, subdomains included: set only when the site is reached over HTTPS.
pub const HSTS: &str = "max-age=31536000; includeSubDomains";

pub async fn add(State(https): State<bool>, req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    let mut set = |name: HeaderName, value: &'static str| {
        if !h.contains_key(&name) {
            h.insert(name, HeaderValue::from_static(value));
        }
    };
    set(header::CONTENT_SECURITY_POLICY, PAGE_CSP);
    set(header::X_FRAME_OPTIONS, "DENY");
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::REFERRER_POLICY, "same-origin");
    // Pages and API answers hold tenants' data: no browser or proxy keeps a copy (static
    // assets set their own caching).
    set(header::CACHE_CONTROL, "no-store");
    if https {
        set(header::STRICT_TRANSPORT_SECURITY, HSTS);
    }
    resp
}
