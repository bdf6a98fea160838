//! Text as people send it, checked once at the edge: every value of a page form
//! (`application/x-www-form-urlencoded`), every string of a JSON body, every query parameter
//! and every text part of a multipart upload passes [`field`] before a handler sees it. A
//! pasted vertical tab becomes a line break; any other invisible control character (NUL,
//! `\x01` …) or a bidirectional override is refused with 422 naming the field and the position,
//! and nothing is changed. Passwords and the CSRF token are left exactly as sent (they are
//! compared, never stored as text or printed). File parts of uploads are not text.

use crate::error::AppError;
use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::borrow::Cow;

/// Fields compared as secrets, never stored as text: passed through untouched.
fn is_secret(name: &str) -> bool {
    name == "_csrf" || name.contains("password")
}

/// The refusal of a forbidden character in field `name` (a form field or a JSON path such as
/// `pledges[0].items[1].title`), at character position `at`.
fn refusal(name: &str, at: usize, c: char) -> AppError {
    let e = ipfin_domain::text::forbidden_char_error(
        "text",
        &format!("“{name}”"),
        &format!("Field '{name}'"),
        at,
        c,
    );
    AppError {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        msg: e.msg,
        field: None,
        path: Some(name.to_string()),
        problems: None,
    }
}

/// One text value of field `name`, normalised (a vertical tab becomes a line break), or the
/// refusal naming the field.
pub fn field<'a>(name: &str, value: &'a str) -> Result<Cow<'a, str>, AppError> {
    if is_secret(name) {
        return Ok(Cow::Borrowed(value));
    }
    ipfin_domain::text::normalise(value).map_err(|(at, c)| refusal(name, at, c))
}

/// Form pairs: `None` when nothing changed, the re-encoded body when a value was normalised.
fn form_body(bytes: &[u8]) -> Result<Option<Vec<u8>>, AppError> {
    let Ok(pairs) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(bytes) else {
        // Not a form the handlers could read either: they refuse it with their own message.
        return Ok(None);
    };
    let mut changed = false;
    let mut out = Vec::with_capacity(pairs.len());
    for (k, v) in &pairs {
        let key = field(k, k)?;
        let value = field(k, v)?;
        changed |= matches!(value, Cow::Owned(_)) || matches!(key, Cow::Owned(_));
        out.push((key.into_owned(), value.into_owned()));
    }
    if !changed {
        return Ok(None);
    }
    serde_urlencoded::to_string(&out)
        .map(|s| Some(s.into_bytes()))
        .map_err(|e| AppError::internal(format!("re-encoding a form: {e}")))
}

/// Walks a JSON value, normalising every string in place; `path` names where it is.
fn json_value(path: &mut String, v: &mut serde_json::Value) -> Result<bool, AppError> {
    use serde_json::Value;
    match v {
        Value::String(s) => {
            let name = if path.is_empty() {
                "body"
            } else {
                path.as_str()
            };
            let leaf = path.rsplit(['.', '[']).next().unwrap_or("");
            if is_secret(leaf) {
                return Ok(false);
            }
            match ipfin_domain::text::normalise(s).map_err(|(at, c)| refusal(name, at, c))? {
                Cow::Borrowed(_) => Ok(false),
                Cow::Owned(n) => {
                    *s = n;
                    Ok(true)
                }
            }
        }
        Value::Array(items) => {
            let mut changed = false;
            for (i, item) in items.iter_mut().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                changed |= json_value(path, item)?;
                path.truncate(len);
            }
            Ok(changed)
        }
        Value::Object(map) => {
            let mut changed = false;
            for (k, item) in map.iter_mut() {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
                if let Err((at, c)) = ipfin_domain::text::normalise(k) {
                    return Err(refusal(path, at, c));
                }
                changed |= json_value(path, item)?;
                path.truncate(len);
            }
            Ok(changed)
        }
        _ => Ok(false),
    }
}

/// A JSON body: `None` when nothing changed, the re-encoded body when a string was normalised.
fn json_body(bytes: &[u8]) -> Result<Option<Vec<u8>>, AppError> {
    let Ok(mut v) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        // Malformed JSON is the handler's to refuse, with the line and column.
        return Ok(None);
    };
    if !json_value(&mut String::new(), &mut v)? {
        return Ok(None);
    }
    serde_json::to_vec(&v)
        .map(Some)
        .map_err(|e| AppError::internal(format!("re-encoding JSON: {e}")))
}

/// The query string's parameters: refused when one holds a forbidden character (a query is
/// not rewritten; a vertical tab in a search is simply refused like the others).
fn query(q: &str) -> Result<(), AppError> {
    let Ok(pairs) = serde_urlencoded::from_str::<Vec<(String, String)>>(q) else {
        return Ok(());
    };
    for (k, v) in &pairs {
        for s in [k, v] {
            if !is_secret(k)
                && let Some((i, c)) = s
                    .chars()
                    .enumerate()
                    .find(|(_, c)| *c == '\u{b}' || ipfin_domain::text::is_forbidden_char(*c))
            {
                return Err(refusal(k, i + 1, c));
            }
        }
    }
    Ok(())
}

/// A body that could not be read: over the size limit (413) or broken off (400).
fn unreadable(e: axum::Error) -> AppError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
    while let Some(s) = source {
        if s.is::<http_body_util::LengthLimitError>() {
            return crate::http::too_large();
        }
        source = s.source();
    }
    AppError::bad_request(
        "request.body",
        "无法读取提交的内容。",
        "Could not read the request body.",
    )
}

/// The middleware: checks the query of every request and the text of every form and JSON
/// body, passing the normalised body on.
pub async fn check(req: Request, next: Next) -> Response {
    if let Some(q) = req.uri().query()
        && let Err(e) = query(q)
    {
        return e.into_response();
    }
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let ct = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let is_form = ct.starts_with("application/x-www-form-urlencoded");
    let is_json = ct.starts_with("application/json")
        || (ct.starts_with("application/") && ct.contains("+json"));
    if !is_form && !is_json {
        return next.run(req).await;
    }
    let (mut parts, body) = req.into_parts();
    let bytes: Bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(b) => b,
        Err(e) => return unreadable(e).into_response(),
    };
    let checked = if is_form {
        form_body(&bytes)
    } else {
        json_body(&bytes)
    };
    let bytes = match checked {
        Ok(None) => bytes,
        Ok(Some(new)) => {
            parts
                .headers
                .insert(header::CONTENT_LENGTH, HeaderValue::from(new.len()));
            Bytes::from(new)
        }
        Err(e) => return e.into_response(),
    };
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_values_are_normalised_and_controls_refused_naming_the_field() {
        assert_eq!(
            form_body(b"_csrf=x&agenda=a%0Bb").ok().flatten().as_deref(),
            Some(&b"_csrf=x&agenda=a%0Ab"[..])
        );
        assert_eq!(form_body(b"agenda=plain&n=1").ok().flatten(), None);
        let e = form_body(b"title=ab%00c").expect_err("NUL");
        assert_eq!(e.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(e.path.as_deref(), Some("title"));
        assert!(e.msg.zh.contains("“title”第 3 个字符") && e.msg.zh.contains("U+0000"));
        // Passwords are compared, never stored: left as sent.
        assert_eq!(form_body(b"password=a%01b").ok().flatten(), None);
    }

    #[test]
    fn json_strings_are_checked_at_every_depth() {
        let e = json_body(br#"{"pledges":[{"items":[{"title":"x\u0001"}]}]}"#).expect_err("SOH");
        assert_eq!(e.path.as_deref(), Some("pledges[0].items[0].title"));
        let out = json_body(br#"{"a":["x\u000by"]}"#)
            .ok()
            .flatten()
            .unwrap_or_default();
        assert_eq!(out, br#"{"a":["x\ny"]}"#.to_vec());
        assert_eq!(json_body(br#"{"a":1,"b":"ok"}"#).ok().flatten(), None);
        assert!(json_body(b"not json").is_ok_and(|o| o.is_none()));
        assert!(json_body("{\"name\":\"a\u{202e}b\"}".as_bytes()).is_err());
    }

    #[test]
    fn queries_with_controls_are_refused_but_tab_passes() {
        assert!(query("q=%00").is_err());
        assert!(query("q=a%0Bb").is_err());
        assert!(query("next=/%09/x&q=%E4%B8%AD").is_ok());
    }
}
