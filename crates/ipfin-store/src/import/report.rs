//! The error report of an import: the rejected rows as an XLSX workbook.

use super::{FileError, RowError, file_error};
use std::path::Path;

/// Writes the row errors as an XLSX workbook: the original columns, the line, and an error
/// column naming the field and the rule.
pub fn write_error_report(
    path: &Path,
    headers: &[String],
    errors: &[RowError],
) -> std::result::Result<(), FileError> {
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
    sheet.set_name("导入错误").map_err(xl)?;
    sheet
        .write_string_with_format(0, 0, "行号", &bold)
        .map_err(xl)?;
    sheet
        .write_string_with_format(0, 1, "错误（字段：规则）", &bold)
        .map_err(xl)?;
    for (c, h) in headers.iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16 + 2, h, &bold)
            .map_err(xl)?;
    }
    for (i, e) in errors.iter().enumerate() {
        let r = i as u32 + 1;
        sheet.write_number(r, 0, e.line as u32).map_err(xl)?;
        sheet
            .write_string(r, 1, format!("{}：{}", e.field, e.message))
            .map_err(xl)?;
        for (c, v) in e.values.iter().enumerate() {
            sheet.write_string(r, c as u16 + 2, v).map_err(xl)?;
        }
    }
    book.save(path).map_err(xl)
}

/// (line, field) of each row error, for reports and tests.
pub fn import_errors_by_field(errors: &[RowError]) -> Vec<(u64, String)> {
    errors.iter().map(|e| (e.line, e.field.clone())).collect()
}
