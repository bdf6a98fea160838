//! Bulk import (SPEC §5): reading CSV (UTF-8 with or without BOM, GBK/GB18030 as Excel in
//! China saves it) and XLSX as a stream of rows, mapping Chinese or English headers, and writing
//! enterprises in batches — each batch one transaction, idempotent (unchanged rows are not
//! written), resumable (committed progress is recorded with the batch), with row-level errors.
//!
//! One file per concern: `file` (reading CSV/XLSX rows), `columns` (kinds, headers, templates),
//! `enterprise`, `tag`, `ip` and `loan` (the rows of each kind and their batch writes), `rows`
//! (parsing tag, IP and loan rows), `run` (a file through batches), `job` (import bookkeeping
//! and scope) and `report` (the error report). This file holds the errors they share.

mod columns;
mod enterprise;
mod file;
mod follow_up;
mod guard;
mod ip;
mod job;
mod limits;
mod loan;
mod report;
mod rows;
mod run;
mod tag;
mod xlsx;

pub use columns::{
    Column, ENTERPRISE_COLUMNS, IP_COLUMNS, ImportKind, LOAN_COLUMNS, TAG_COLUMNS, map_headers,
    write_template,
};
pub use enterprise::{BatchOutcome, ReadyRow, parse_enterprise_row, ready};
pub use file::{RowItem, RowSource, estimate_rows, file_key, open_rows};
pub(crate) use job::IMPORT_COLS;
pub use job::ImportRecord;
pub use limits::ImportLimits;
pub use report::{
    error_report_bytes, import_errors_by_field, write_error_report, write_import_report,
};
pub use rows::{IpRow, LoanImportRow, Ready, SeenKeys, TagRow, parse_date};
pub use run::{ImportError, ImportReport, check_file};

/// A problem with the whole file: nothing is imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{zh}")]
pub struct FileError {
    pub code: &'static str,
    pub zh: String,
    pub en: String,
}

impl FileError {
    pub fn new(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> FileError {
        file_error(code, zh, en)
    }
}

impl From<FileError> for ipfin_domain::Msg {
    fn from(e: FileError) -> Self {
        ipfin_domain::Msg::new(e.code, e.zh, e.en)
    }
}

fn file_error(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> FileError {
    FileError {
        code,
        zh: zh.into(),
        en: en.into(),
    }
}

/// A problem with one row: the row is skipped and reported, the others go on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// 1-based line (CSV) or row (XLSX) number in the file, the header being 1.
    pub line: u64,
    pub field: String,
    pub message: String,
    pub values: Vec<String>,
}
