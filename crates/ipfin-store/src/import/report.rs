//! The error report of an import: the rejected rows as an XLSX workbook, one line a row with
//! every error of that row, and first, when the file was refused or stopped, the reason.

use super::{FileError, RowError, file_error};
use std::path::Path;

/// Writes the row errors as an XLSX workbook (see [`error_report_bytes`]).
pub fn write_error_report(
    path: &Path,
    headers: &[String],
    errors: &[RowError],
) -> std::result::Result<(), FileError> {
    write_import_report(path, headers, errors, None)
}

/// Writes the report of an import: `problem` (why the file was refused or stopped, if it was),
/// then the row errors.
pub fn write_import_report(
    path: &Path,
    headers: &[String],
    errors: &[RowError],
    problem: Option<&str>,
) -> std::result::Result<(), FileError> {
    let bytes = error_report_bytes(headers, errors, problem)?;
    std::fs::write(path, bytes).map_err(|e| {
        file_error(
            "file.write",
            format!("无法写入错误报告：{e}"),
            format!("Cannot write the error report: {e}"),
        )
    })
}

/// The report as XLSX bytes: the line, an error column naming each field and rule of the row
/// (all of them, one per line of the cell), and the row's original values. Text is written
/// printable, whatever the file held.
pub fn error_report_bytes(
    headers: &[String],
    errors: &[RowError],
    problem: Option<&str>,
) -> std::result::Result<Vec<u8>, FileError> {
    use ipfin_domain::text::printable;
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let xl = |e: rust_xlsxwriter::XlsxError| {
        file_error(
            "file.write",
            format!("无法写入错误报告：{e}"),
            format!("Cannot write the error report: {e}"),
        )
    };
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let wrap = rust_xlsxwriter::Format::new().set_text_wrap();
    sheet.set_name("导入错误").map_err(xl)?;
    sheet
        .write_string_with_format(0, 0, "行号", &bold)
        .map_err(xl)?;
    sheet
        .write_string_with_format(0, 1, "错误（字段：规则）", &bold)
        .map_err(xl)?;
    for (c, h) in headers.iter().enumerate().take(16_000) {
        sheet
            .write_string_with_format(0, c as u16 + 2, printable(h), &bold)
            .map_err(xl)?;
    }
    let mut r = 0u32;
    if let Some(p) = problem {
        r += 1;
        sheet.write_string(r, 0, "—").map_err(xl)?;
        sheet
            .write_string(r, 1, format!("整个文件：{}", printable(p)))
            .map_err(xl)?;
    }
    for row in errors.chunk_by(|a, b| a.line == b.line) {
        r += 1;
        let first = &row[0];
        sheet.write_number(r, 0, first.line as f64).map_err(xl)?;
        let all: Vec<String> = row
            .iter()
            .map(|e| format!("{}：{}", e.field, printable(&e.message)))
            .collect();
        sheet
            .write_string_with_format(r, 1, all.join("\n"), &wrap)
            .map_err(xl)?;
        for (c, v) in first.values.iter().enumerate().take(16_000) {
            sheet
                .write_string(r, c as u16 + 2, printable(v))
                .map_err(xl)?;
        }
    }
    book.save_to_buffer().map_err(xl)
}

/// (line, field) of each row error, for reports and tests.
pub fn import_errors_by_field(errors: &[RowError]) -> Vec<(u64, String)> {
    errors.iter().map(|e| (e.line, e.field.clone())).collect()
}
