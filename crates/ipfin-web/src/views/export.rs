//! Excel downloads of list pages: one sheet with a bold header row and text cells, all rows that
//! match the list's filters up to a limit (above it the officer narrows the filter).

use crate::error::{AppError, AppResult};
use axum::http::StatusCode;
use axum::response::Response;
use ipfin_store::Paged;
use rust_xlsxwriter::{Format, Workbook};

pub(crate) const EXPORT_LIMIT: u64 = 5_000;

/// The one page an export reads: all rows up to the limit, refused above it.
pub(crate) fn export_page() -> ipfin_store::Page {
    ipfin_store::Page {
        page: 1,
        per_page: EXPORT_LIMIT,
    }
}

pub(crate) fn export_rows<T>(p: Paged<T>) -> AppResult<Vec<T>> {
    if p.total > EXPORT_LIMIT {
        return Err(AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "export.too_many",
            format!("符合条件的记录超过 {EXPORT_LIMIT} 条，请增加筛选条件后再导出。"),
            format!("More than {EXPORT_LIMIT} records match: narrow the filter."),
        ));
    }
    Ok(p.items)
}

pub(crate) fn xl(e: rust_xlsxwriter::XlsxError) -> AppError {
    AppError::internal(format!("xlsx: {e}"))
}

/// A one-sheet workbook (a bold header row and text cells) as a download named `file`.
pub(crate) fn xlsx(
    sheet_name: &str,
    headers: &[&str],
    rows: &[Vec<String>],
    file: &str,
) -> AppResult<Response> {
    Ok(super::import::xlsx(
        workbook(sheet_name, headers, rows)?,
        file,
    ))
}

/// A one-sheet workbook: a bold header row and text cells.
pub(crate) fn workbook(
    sheet_name: &str,
    headers: &[&str],
    rows: &[Vec<String>],
) -> AppResult<Vec<u8>> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(sheet_name).map_err(xl)?;
    let bold = Format::new().set_bold();
    for (c, h) in headers.iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16, *h, &bold)
            .map_err(xl)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let v = ipfin_domain::text::printable(v);
            sheet.write_string(r as u32 + 1, c as u16, v).map_err(xl)?;
        }
    }
    book.save_to_buffer().map_err(xl)
}
