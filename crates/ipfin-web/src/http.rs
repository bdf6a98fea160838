//! HTTP helpers shared by both adapters (pages in `views`, JSON in `api`) and the use-case
//! layer: the audited-write macro, path ids, file downloads, URL encoding and the uniform
//! upload and error responses. Neither adapter owns them, so neither calls the other.

use crate::error::{AppError, AppResult};
use axum::body::Bytes;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use ipfin_domain::Lang;
use ipfin_store::application::FileRow;

/// Runs one audited write; returns what the closure returned.
macro_rules! write {
    ($state:expr, $actor:expr, |$tx:ident| $body:expr) => {{
        async {
            let mut $tx = $state.store.write($actor.audit_actor()).await?;
            let out = $body;
            $tx.commit().await?;
            Ok::<_, ipfin_store::StoreError>(out)
        }
        .await
        .map_err(AppError::from)
    }};
}
pub(crate) use write;

/// Parses a numeric path id; anything else is simply not found.
pub fn path_id(s: &str) -> AppResult<i64> {
    s.parse().map_err(|_| AppError::not_found())
}

/// Parses a credit code typed into a form field or sent in a body (the edge: the store takes a
/// `CreditCode`); the error names the field and the GB 32100 rule broken.
pub fn credit_code(
    field: &'static str,
    input: &str,
) -> Result<ipfin_domain::CreditCode, ipfin_domain::FieldError> {
    ipfin_domain::CreditCode::parse(input).map_err(|msg| ipfin_domain::FieldError { field, msg })
}

/// [`credit_code`] for an optional field: blank (or absent) is `None`.
pub fn optional_credit_code(
    field: &'static str,
    input: Option<&str>,
) -> Result<Option<ipfin_domain::CreditCode>, ipfin_domain::FieldError> {
    match input.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => credit_code(field, s).map(Some),
        None => Ok(None),
    }
}

/// A stored file as a download (original name as metadata only).
pub fn file_response(f: &FileRow, bytes: Bytes) -> Response {
    file_response_as(f, bytes, false)
}

/// A stored file shown in the page (`inline`: PDF and images only, sandboxed) or downloaded.
pub fn file_response_as(f: &FileRow, bytes: Bytes, inline: bool) -> Response {
    let inline = inline && matches!(f.file_type.as_str(), "pdf" | "jpeg" | "png");
    let mime = ipfin_domain::application::FileType::from_code(&f.file_type)
        .map(|t| t.mime())
        .unwrap_or("application/octet-stream");
    // Whatever a download holds, it runs nothing in the browser; a PDF shown in the review
    // screen is left to the browser's own PDF viewer (a sandbox CSP would block it).
    // Only ipfin's own review screen may frame it (`frame-ancestors 'self'`).
    let csp = if inline && f.file_type == "pdf" {
        "default-src 'none'; object-src 'self'; plugin-types application/pdf; frame-ancestors 'self'"
    } else {
        "default-src 'none'; img-src 'self'; sandbox; frame-ancestors 'self'"
    };
    (
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "{}; filename*=UTF-8''{}",
                    if inline { "inline" } else { "attachment" },
                    rfc5987(&f.file_name)
                ),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
            (header::CONTENT_SECURITY_POLICY, csp.to_string()),
            (header::X_FRAME_OPTIONS, "SAMEORIGIN".to_string()),
        ],
        bytes,
    )
        .into_response()
}

/// RFC 5987 encoding of a file name for Content-Disposition.
pub(crate) fn rfc5987(name: &str) -> String {
    name.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Percent-encodes a string for a URL query value.
pub fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Where a browser may be sent after sign-in: `next` when it is a path on this site, else
/// `/home`. The one place that decides. Refused: anything not starting with a single `/`
/// (`//host`, `https://…`), a backslash (`/\\host`: browsers read it as `/`), any control or
/// white-space character (browsers silently drop tab, CR and LF, so `/\t/evil.example` would
/// become `//evil.example`), and the same in the percent-decoded forms (`/%09/…`, `/%5C…`,
/// `/%2F…`, decoded up to three times), and anything over 2,000 bytes.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if same_site_path(n) => n.to_string(),
        _ => "/home".into(),
    }
}

fn same_site_path(n: &str) -> bool {
    let plain = |s: &str| {
        s.starts_with('/')
            && !s[1..].starts_with(['/', '\\'])
            && !s
                .chars()
                .any(|c| c == '\\' || c.is_control() || c.is_whitespace())
    };
    if n.len() > 2000 || !plain(n) {
        return false;
    }
    let mut current = n.to_string();
    for _ in 0..3 {
        let decoded = percent_decode(&current);
        if decoded == current {
            return true;
        }
        if !plain(&decoded) {
            return false;
        }
        current = decoded;
    }
    // Still changing after three rounds: nothing a page of ours links to.
    false
}

/// `%XX` sequences decoded (invalid UTF-8 replaced); other text unchanged.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A multipart field that could not be read: 413 when the body went over the limit, else 400.
pub fn multipart_error(e: axum::extract::multipart::MultipartError) -> AppError {
    // A body over the route's limit can surface as a parse failure whose cause is the limit.
    let mut cause: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(&e);
    let mut over_limit = false;
    while let Some(c) = cause {
        over_limit |= c.is::<http_body_util::LengthLimitError>();
        cause = c.source();
    }
    if over_limit || e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        too_large()
    } else {
        AppError::bad_request(
            "form.malformed",
            format!("上传内容格式错误：{e}"),
            format!("The upload is malformed: {e}"),
        )
    }
}

pub fn too_large() -> AppError {
    AppError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "request.too_large",
        "提交的内容过大，超过了系统允许的上限。",
        "The request body is larger than allowed.",
    )
}

/// The uniform JSON error body `{code, message, field?}`.
pub fn error_json(err: &AppError, lang: Lang) -> Response {
    let mut body = serde_json::json!({"code": err.msg.code, "message": err.msg.text(lang)});
    if let Some(p) = &err.path {
        body["field"] = p.clone().into();
    } else if let Some(f) = err.field {
        body["field"] = f.into();
    }
    if let Some(p) = &err.problems {
        body["errors"] = p
            .0
            .iter()
            .map(|(f, m)| serde_json::json!({"field": f, "code": m.code, "message": m.text(lang)}))
            .collect();
    }
    (err.status, axum::Json(body)).into_response()
}
