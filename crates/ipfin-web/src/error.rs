//! One error type for handlers. It carries a stable code and a bilingual message; the
//! `localize` middleware turns it into JSON `{code, message, field?}` for `/api` and into an
//! HTML page for everything else, in the caller's language. A 5xx never shows internals.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ipfin_domain::{FieldError, Msg};
use ipfin_store::StoreError;

/// The error code of a write refused for want of space.
pub const STORAGE_FULL: &str = "storage.full";

#[derive(Debug, Clone)]
pub struct AppError {
    pub status: StatusCode,
    pub msg: Msg,
    pub field: Option<&'static str>,
    /// A JSON path in a document (policy rules), shown as `field` in the API body.
    pub path: Option<String>,
    /// Every problem of a form checked at once (field or path, message), when there are
    /// several: the API body lists them as `errors`, forms show each beside its field.
    pub problems: Option<Box<Problems>>,
}

/// Every problem of a form checked at once: (field or JSON path, message).
#[derive(Debug, Clone, Default)]
pub struct Problems(pub Vec<(String, Msg)>);

impl AppError {
    pub fn new(
        status: StatusCode,
        code: &'static str,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        AppError {
            status,
            msg: Msg::new(code, zh, en),
            field: None,
            path: None,
            problems: None,
        }
    }

    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "未找到该页面或记录，或您无权查看。",
            "Not found, or you may not see it.",
        )
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "auth.required",
            "请先登录。",
            "Please sign in first.",
        )
    }

    pub fn forbidden() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "auth.forbidden",
            "您的角色无权执行此操作。",
            "Your role may not do this.",
        )
    }

    pub fn bad_request(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, zh, en)
    }

    pub fn invalid(e: FieldError) -> Self {
        AppError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            msg: e.msg,
            field: Some(e.field),
            path: None,
            problems: None,
        }
    }

    /// A write failed because the disk or the database is full: nothing was stored.
    pub fn storage_full() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            STORAGE_FULL,
            "存储空间不足，本次操作未保存。请稍后重试，并请管理员释放磁盘空间。",
            "Storage is full: nothing was saved. Retry later, and ask the administrator to free disk space.",
        )
    }

    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!(error = %detail, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "系统内部错误，请稍后重试；如持续出现请联系管理员。",
            "Internal error; please retry later or contact the administrator.",
        )
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::not_found(),
            StoreError::Forbidden(msg) => AppError {
                status: StatusCode::FORBIDDEN,
                msg,
                field: None,
                path: None,
                problems: None,
            },
            StoreError::Invalid(fe) => AppError::invalid(fe),
            StoreError::Conflict(msg) => AppError {
                status: StatusCode::CONFLICT,
                msg,
                field: None,
                path: None,
                problems: None,
            },
            StoreError::Gone(msg) => AppError {
                status: StatusCode::GONE,
                msg,
                field: None,
                path: None,
                problems: None,
            },
            StoreError::Document(e) => AppError {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                msg: e.msg,
                field: None,
                path: Some(e.path),
                problems: None,
            },
            StoreError::Problems(list) => {
                let first = list.first().cloned();
                let joined = |zh: bool| {
                    list.iter()
                        .map(|e| {
                            if zh {
                                e.msg.zh.clone()
                            } else {
                                e.msg.en.clone()
                            }
                        })
                        .collect::<Vec<_>>()
                        .join(if zh { "；" } else { "; " })
                };
                AppError {
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                    msg: Msg::new(
                        first.as_ref().map(|e| e.msg.code).unwrap_or("form.invalid"),
                        joined(true),
                        joined(false),
                    ),
                    field: None,
                    path: first.map(|e| e.path),
                    problems: Some(Box::new(Problems(
                        list.into_iter().map(|e| (e.path, e.msg)).collect(),
                    ))),
                }
            }
            StoreError::StorageFull(detail) => {
                tracing::error!(error = %detail, "storage full");
                AppError::storage_full()
            }
            StoreError::Db(e) => AppError::internal(e),
            StoreError::Internal(e) => AppError::internal(e),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        // The body is produced by the `localize` middleware, which knows the path and language.
        let mut resp = self.status.into_response();
        resp.extensions_mut().insert(self);
        resp
    }
}

pub type AppResult<T> = Result<T, AppError>;
