//! Store errors: what went wrong in terms a handler can map to a status and a message.

use ipfin_domain::{FieldError, Msg};
use sea_orm::{DbErr, SqlErr};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The record does not exist or lies outside the caller's scope (indistinguishable on purpose).
    #[error("not found")]
    NotFound,
    /// The caller may see the record but not do this to it.
    #[error("forbidden: {0}")]
    Forbidden(Msg),
    /// An input broke a rule; nothing was stored.
    #[error("invalid {}: {}", .0.field, .0.msg)]
    Invalid(FieldError),
    /// The change conflicts with existing data (duplicate, stale state); nothing was stored.
    #[error("conflict: {0}")]
    Conflict(Msg),
    /// A one-time link or offer that no longer works (used, expired, replaced); nothing changed.
    #[error("gone: {0}")]
    Gone(Msg),
    /// A policy document broke a rule, at a JSON path; nothing was stored.
    #[error("invalid document at {}: {}", .0.path, .0.msg)]
    Document(ipfin_domain::policy::rules::RuleError),
    /// Several inputs broke rules, each at its field or path (a form checked at once); nothing
    /// was stored.
    #[error("invalid: {} problems", .0.len())]
    Problems(Vec<ipfin_domain::policy::rules::RuleError>),
    /// The disk (or the database's quota) is full: nothing was stored; retry once space is freed.
    #[error("storage full: {0}")]
    StorageFull(String),
    #[error("database: {0}")]
    Db(DbErr),
    #[error("internal: {0}")]
    Internal(String),
}

impl StoreError {
    pub fn invalid(
        field: &'static str,
        code: &'static str,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        StoreError::Invalid(FieldError::new(field, code, zh, en))
    }

    /// Every field problem of a form checked at once (one error stays `Invalid`).
    pub fn fields(mut errors: Vec<FieldError>) -> Self {
        if errors.len() == 1
            && let Some(e) = errors.pop()
        {
            return StoreError::Invalid(e);
        }
        StoreError::Problems(
            errors
                .into_iter()
                .map(|e| ipfin_domain::policy::rules::RuleError {
                    path: e.field.to_string(),
                    msg: e.msg,
                })
                .collect(),
        )
    }

    pub fn forbidden(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        StoreError::Forbidden(Msg::new(code, zh, en))
    }

    pub fn conflict(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        StoreError::Conflict(Msg::new(code, zh, en))
    }

    /// An amount computed from stored figures that does not fit in fen (`what` names the
    /// figure): logged, and an internal error, never a wrapped or saturated value.
    pub fn overflow(what: &str) -> Self {
        tracing::error!(figure = what, "amount out of range");
        StoreError::Internal(format!("amount out of range: {what}"))
    }

    /// Maps a unique-constraint violation to a conflict with the given message; other database
    /// errors pass through.
    pub fn unique_or(err: DbErr, conflict: Msg) -> Self {
        if is_unique_violation(&err) {
            StoreError::Conflict(conflict)
        } else {
            StoreError::Db(err)
        }
    }
}

impl StoreError {
    /// Turns a unique-constraint violation from an insert into a conflict with this message.
    pub fn unique_as(self, conflict: Msg) -> Self {
        match self {
            StoreError::Db(db) => StoreError::unique_or(db, conflict),
            other => other,
        }
    }
}

impl From<DbErr> for StoreError {
    /// A stored value the program cannot read (an unknown code, a document that does not parse) is an internal error; every
    /// other database error passes through.
    fn from(err: DbErr) -> Self {
        match err {
            DbErr::Type(msg)
                if msg.starts_with(crate::column::UNKNOWN_CODE)
                    || msg.starts_with(crate::column::UNREADABLE_DOCUMENT)
                    || msg.starts_with(crate::column::UNREADABLE_NUMBER) =>
            {
                StoreError::Internal(msg)
            }
            other if is_storage_full(&other) => StoreError::StorageFull(other.to_string()),
            other => StoreError::Db(other),
        }
    }
}

/// SQLite's result code for "database or disk is full" (`SQLITE_FULL`; SQLite also returns it
/// when a write fails with ENOSPC).
const SQLITE_FULL: &str = "13";
/// PostgreSQL's SQLSTATE `disk_full`.
const PG_DISK_FULL: &str = "53100";

/// Whether a database error means the storage is full: SQLite `SQLITE_FULL`, PostgreSQL
/// SQLSTATE 53100, or an I/O error that is ENOSPC, by the driver's codes, not the message text.
pub fn is_storage_full(err: &DbErr) -> bool {
    use sea_orm::RuntimeErr;
    let (DbErr::Exec(RuntimeErr::SqlxError(e))
    | DbErr::Query(RuntimeErr::SqlxError(e))
    | DbErr::Conn(RuntimeErr::SqlxError(e))) = err
    else {
        return false;
    };
    match e.as_ref() {
        sea_orm::sqlx::Error::Database(d) => d
            .code()
            .is_some_and(|c| c == SQLITE_FULL || c == PG_DISK_FULL),
        sea_orm::sqlx::Error::Io(io) => io_is_storage_full(io),
        _ => false,
    }
}

/// ENOSPC (and EDQUOT, a full quota) from the operating system.
pub fn io_is_storage_full(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded
    ) || e.raw_os_error() == Some(28)
}

/// Whether any error in a source chain is an I/O error meaning the storage is full (object
/// store errors wrap the file system's error).
pub fn source_is_storage_full(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(err);
    while let Some(e) = next {
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && io_is_storage_full(io)
        {
            return true;
        }
        next = e.source();
    }
    false
}

/// Whether the database refused a write for a unique key, recognised by the driver's error code
/// (not the message text): PostgreSQL SQLSTATE 23505, SQLite extended codes 2067
/// (`SQLITE_CONSTRAINT_UNIQUE`) and 1555 (`SQLITE_CONSTRAINT_PRIMARYKEY`). SeaORM's
/// `DbErr::sql_err` reads exactly these codes from the sqlx database error.
pub fn is_unique_violation(err: &DbErr) -> bool {
    matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
