//! The caps an import file must keep (settings with defaults sized so a legitimate
//! 1,000,000-row loans workbook passes), and the refusal each cap gives: a stable code and a
//! Chinese message naming the cap and its limit.

use super::{FileError, file_error};

/// What an import file may hold. A file over any of these is refused as a whole, before a row
/// is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ImportLimits {
    /// Data rows (the header not counted).
    pub max_rows: u64,
    /// Columns of a row (and of the sheet's declared dimension).
    pub max_columns: u32,
    /// Characters in one cell (Excel's own limit is 32,767).
    pub max_cell_chars: usize,
    /// XLSX: total uncompressed size of the workbook's parts, as declared and as inflated.
    pub max_uncompressed_bytes: u64,
    /// XLSX: uncompressed size of a part over its compressed size (parts under 1 MiB exempt).
    pub max_compression_ratio: u64,
    /// XLSX: memory for the shared-string table (its text plus 4 bytes a string).
    pub max_shared_strings_bytes: u64,
}

impl Default for ImportLimits {
    fn default() -> Self {
        ImportLimits {
            max_rows: 5_000_000,
            max_columns: 256,
            max_cell_chars: 32_767,
            max_uncompressed_bytes: 4 << 30,
            max_compression_ratio: 100,
            max_shared_strings_bytes: 192 << 20,
        }
    }
}

/// Parts smaller than this are not held to the compression ratio (a small, repetitive part
/// such as an empty style sheet compresses well and is harmless).
pub(super) const RATIO_GRACE_BYTES: u64 = 1 << 20;

/// Entries a workbook may have (a real one has tens; each costs a directory lookup).
pub(super) const MAX_ZIP_ENTRIES: usize = 10_000;

/// A size in bytes as people read it.
pub(super) fn human(bytes: u64) -> String {
    const MIB: u64 = 1 << 20;
    const GIB: u64 = 1 << 30;
    if bytes >= GIB && bytes.is_multiple_of(GIB) {
        format!("{} GiB", bytes / GIB)
    } else if bytes >= MIB {
        format!("{} MiB", bytes.div_ceil(MIB))
    } else {
        format!("{bytes} B")
    }
}

impl ImportLimits {
    pub(super) fn too_many_rows(&self) -> FileError {
        file_error(
            "file.too_many_rows",
            format!(
                "文件的数据行数超过上限（行数上限：{} 行）：请拆分为多个文件分别导入。",
                self.max_rows
            ),
            format!(
                "The file has more data rows than the limit ({} rows): split it into several files.",
                self.max_rows
            ),
        )
    }

    pub(super) fn too_many_columns(&self, line: u64, columns: u64) -> FileError {
        file_error(
            "file.too_many_columns",
            format!(
                "第 {line} 行有 {columns} 列，超过列数上限（{} 列）：请删除多余的列。",
                self.max_columns
            ),
            format!(
                "Line {line} has {columns} columns, over the limit of {} columns: remove the extra columns.",
                self.max_columns
            ),
        )
    }

    pub(super) fn cell_too_long(&self, place: &str) -> FileError {
        file_error(
            "file.cell_too_long",
            format!(
                "{place}的内容超过单元格长度上限（{} 个字符）。",
                self.max_cell_chars
            ),
            format!(
                "A cell ({place}) is longer than the cell length limit ({} characters).",
                self.max_cell_chars
            ),
        )
    }

    pub(super) fn dimension(&self, declared: &str, rows: u64, columns: u64) -> FileError {
        file_error(
            "file.dimension",
            format!(
                "工作表声明的范围 {declared}（{rows} 行 × {columns} 列）超过上限（行数上限 {} 行，列数上限 {} 列）：请只保留有数据的区域后另存再导入。",
                self.max_rows + 1,
                self.max_columns
            ),
            format!(
                "The sheet declares the range {declared} ({rows} rows × {columns} columns), over the limits ({} rows, {} columns): keep only the cells with data and save again.",
                self.max_rows + 1,
                self.max_columns
            ),
        )
    }

    pub(super) fn too_large_uncompressed(&self, bytes: u64) -> FileError {
        file_error(
            "file.too_large_uncompressed",
            format!(
                "工作簿解压后共 {}，超过解压后大小上限（{}）。",
                human(bytes),
                human(self.max_uncompressed_bytes)
            ),
            format!(
                "The workbook is {} uncompressed, over the uncompressed size limit ({}).",
                human(bytes),
                human(self.max_uncompressed_bytes)
            ),
        )
    }

    pub(super) fn compression_ratio(&self, part: &str, ratio: u64) -> FileError {
        file_error(
            "file.compression_ratio",
            format!(
                "工作簿中的“{part}”压缩比为 {ratio}:1，超过压缩比上限（{}:1），疑似压缩炸弹，已拒绝。",
                self.max_compression_ratio
            ),
            format!(
                "The part \"{part}\" is compressed {ratio}:1, over the compression ratio limit ({}:1): refused as a possible zip bomb.",
                self.max_compression_ratio
            ),
        )
    }

    pub(super) fn shared_strings(&self) -> FileError {
        file_error(
            "file.shared_strings",
            format!(
                "工作簿的共享字符串表超过上限（{}）。",
                human(self.max_shared_strings_bytes)
            ),
            format!(
                "The workbook's shared strings exceed the limit ({}).",
                human(self.max_shared_strings_bytes)
            ),
        )
    }
}

/// A part that inflates to more than its declared size: the declared sizes the checks relied on
/// were false.
pub(super) fn size_mismatch(part: &str, declared: u64) -> FileError {
    file_error(
        "file.size_mismatch",
        format!(
            "工作簿中的“{part}”解压后超过其声明的大小（{declared} 字节），文件已被篡改或损坏。"
        ),
        format!(
            "The part \"{part}\" inflates to more than its declared size ({declared} bytes): the file is damaged or forged."
        ),
    )
}

/// A line of a CSV file longer than any row the caps allow.
pub(super) fn line_too_long(limit: u64) -> FileError {
    file_error(
        "file.line_too_long",
        format!("文件中有一行超过行长度上限（{}）。", human(limit)),
        format!(
            "A line of the file is longer than the limit ({}).",
            human(limit)
        ),
    )
}
