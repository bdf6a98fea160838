//! The `/api/v1` JSON API: extractors that turn malformed input into uniform errors, and the
//! endpoint modules. Every endpoint is documented in the OpenAPI document (`openapi.rs`).

pub mod application;
pub mod confirmation;
pub mod conformance;
pub mod contract;
pub mod coordination;
pub mod enterprise;
pub mod financing;
pub mod meeting;
pub mod openapi;
pub mod ops;
pub mod org;
pub mod payment;
pub mod platform;
pub mod policy;
pub mod push;
pub mod screening;
pub mod station;
pub mod stats;
pub mod summary;
pub mod supervision;
pub mod tools;
pub mod user;
pub mod whitelist;

use crate::error::AppError;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;

/// A JSON body: 415 unless `application/json`, 413 above the limit, 400 when malformed
/// (including invalid UTF-8), 422 for unknown or missing fields, naming the field.
pub struct ApiJson<T>(pub T);

/// Extracts the name between the first pair of backticks of a serde message.
fn backticked(msg: &str) -> Option<&str> {
    let start = msg.find('`')? + 1;
    let len = msg[start..].find('`')?;
    Some(&msg[start..start + len])
}

pub fn json_error(e: &serde_json::Error) -> AppError {
    use serde_json::error::Category;
    let text = e.to_string();
    match e.classify() {
        Category::Syntax | Category::Eof | Category::Io => AppError::bad_request(
            "json.malformed",
            format!(
                "请求体不是合法的 JSON（第 {} 行第 {} 列）。",
                e.line(),
                e.column()
            ),
            format!(
                "The request body is not valid JSON (line {}, column {}).",
                e.line(),
                e.column()
            ),
        ),
        Category::Data => {
            if text.starts_with("unknown field") {
                let f = backticked(&text).unwrap_or("?");
                AppError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "json.unknown_field",
                    format!("不支持的字段“{f}”，请删除后重试。"),
                    format!("Unknown field '{f}': remove it."),
                )
            } else if text.starts_with("missing field") {
                let f = backticked(&text).unwrap_or("?");
                AppError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "json.missing_field",
                    format!("缺少必填字段“{f}”。"),
                    format!("Missing required field '{f}'."),
                )
            } else {
                AppError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "json.invalid_value",
                    format!("字段取值类型不正确：{text}"),
                    format!("A field has a value of the wrong type: {text}"),
                )
            }
        }
    }
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, _: &S) -> Result<Self, Self::Rejection> {
        let json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("application/json"));
        if !json {
            return Err(AppError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "request.content_type",
                "请求体须为 JSON，并设置 Content-Type: application/json。",
                "Send a JSON body with Content-Type: application/json.",
            ));
        }
        let bytes = axum::body::Bytes::from_request(req, &())
            .await
            .map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    crate::http::too_large()
                } else {
                    AppError::bad_request(
                        "request.body",
                        "无法读取请求体。",
                        "Could not read the request body.",
                    )
                }
            })?;
        serde_json::from_slice(&bytes)
            .map(ApiJson)
            .map_err(|e| json_error(&e))
    }
}

/// A path segment as text: 400 when it is not valid UTF-8.
pub struct ApiPath(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ApiPath {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<String>::from_request_parts(parts, state)
            .await
            .map(|p| ApiPath(p.0))
            .map_err(|e: PathRejection| {
                AppError::bad_request(
                    "path.invalid",
                    "地址中的参数无法识别（须为 UTF-8 文本）。",
                    format!("The address parameter cannot be read (must be UTF-8 text): {e}"),
                )
            })
    }
}

/// Query parameters: 400 naming the problem when they cannot be parsed.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| ApiQuery(q.0))
            .map_err(|e: QueryRejection| {
                AppError::bad_request(
                    "query.invalid",
                    format!("查询参数有误：{}", e.body_text()),
                    format!("Invalid query parameters: {}", e.body_text()),
                )
            })
    }
}

/// Parses a numeric id from the path; anything else is simply not found.
pub fn id(s: &str) -> Result<i64, AppError> {
    s.parse().map_err(|_| AppError::not_found())
}

/// A multipart body read into memory: its text fields and its `file` (name, bytes; absent when
/// both are empty). A body that is not multipart at all is refused (400) with `not_multipart`
/// (zh, en) followed by the reason.
pub async fn read_multipart(
    req: Request,
    not_multipart: (&str, &str),
) -> Result<
    (
        std::collections::HashMap<String, String>,
        Option<(String, axum::body::Bytes)>,
    ),
    AppError,
> {
    let (zh, en) = not_multipart;
    let mut form = axum::extract::Multipart::from_request(req, &())
        .await
        .map_err(|e| {
            AppError::bad_request("form.malformed", format!("{zh}：{e}"), format!("{en}: {e}"))
        })?;
    let mp = crate::http::multipart_error;
    let mut fields = std::collections::HashMap::new();
    let mut file = None;
    while let Some(f) = form.next_field().await.map_err(mp)? {
        let name = f.name().unwrap_or("").to_string();
        if name == "file" {
            let fname = f.file_name().unwrap_or("").to_string();
            let bytes = f.bytes().await.map_err(mp)?;
            if !fname.is_empty() || !bytes.is_empty() {
                file = Some((fname, bytes));
            }
        } else {
            let text = f.text().await.map_err(mp)?;
            let text = crate::text_input::field(&name, &text)?.into_owned();
            fields.insert(name, text);
        }
    }
    Ok((fields, file))
}
