//! ipfin-store: persistence for ipfin on SQLite (embedded default) and PostgreSQL. Repository
//! functions that touch tenant data take a `Scope` and apply it in SQL; every write runs in a
//! `WriteTx` that must append an audit event before it may commit.

#![forbid(unsafe_code)]

pub mod application;
pub mod audit;
pub mod auth;
pub mod blob;
pub mod budget;
pub mod bulletin;
pub mod column;
pub mod confirmation;
pub mod coordination;
pub mod db;
pub mod demo;
pub mod demo_bulk;
pub mod enterprise;
pub mod error;
pub mod financing;
pub mod fsperm;
pub mod import;
pub mod meeting;
pub mod migration;
pub mod notification;
pub mod org;
pub mod payment;
pub mod platform;
pub mod policy;
pub mod push;
pub mod screening;
pub mod station;
pub mod stats;
pub mod stats_aggregate;
pub mod summary;
pub mod supervision;
pub mod target;
pub mod testing;
pub mod user;
pub(crate) mod visibility;
pub mod whitelist;

pub use column::{Code, CodeList, DecimalText, JsonText};
pub use db::{Page, Paged, Store, WriteTx};
pub use error::StoreError;

/// Unix time now, in seconds.
pub fn now_s() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Unix time now, in microseconds.
pub fn now_us() -> i64 {
    chrono::Utc::now().timestamp_micros()
}

/// Today's business date in Asia/Shanghai (UTC+8, no daylight saving).
/// The Asia/Shanghai business date of a Unix time (seconds).
pub fn date_shanghai(ts: i64) -> Option<chrono::NaiveDate> {
    let offset = chrono::FixedOffset::east_opt(8 * 3600)?;
    chrono::DateTime::from_timestamp(ts, 0).map(|t| t.with_timezone(&offset).date_naive())
}

pub fn today_shanghai() -> chrono::NaiveDate {
    let offset = chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
    chrono::Utc::now().with_timezone(&offset).date_naive()
}
