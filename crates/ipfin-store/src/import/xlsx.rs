//! Reading the first sheet of an XLSX workbook as a stream of rows, within the import limits.
//!
//! Nothing is sized from what the file declares. The zip is inspected before any part is
//! parsed: the number of entries, each part's declared size, their total and each part's
//! compression ratio. Every part is then inflated through a [`Guarded`] reader that stops at
//! the part's declared size (declared sizes can lie) and at a run of text longer than a cell may
//! be. The sheet is read row by row with `quick-xml`; the declared `<dimension>` is only checked
//! against the caps, never used to allocate, and rows keep their own numbers (`<row r>`), so a
//! sheet with gaps reports the lines a person sees in Excel. Shared strings are held compactly
//! (one text buffer and an end offset a string) and bounded by their own cap.

use super::file::{RowItem, RowSource};
use super::guard::{Guarded, limit_hit};
use super::limits::{ImportLimits, MAX_ZIP_ENTRIES, RATIO_GRACE_BYTES, size_mismatch};
use super::{FileError, file_error};
use quick_xml::events::{BytesRef, BytesStart, Event};
use std::collections::HashMap;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

type Xml = quick_xml::Reader<BufReader<Guarded<Box<dyn Read + Send>>>>;

fn xlsx_error(detail: impl std::fmt::Display) -> FileError {
    file_error(
        "file.xlsx",
        format!("XLSX 文件无法读取：{detail}"),
        format!("The XLSX file cannot be read: {detail}"),
    )
}

fn xml_error(e: quick_xml::Error) -> FileError {
    match &e {
        quick_xml::Error::Io(io) => limit_hit(io).unwrap_or_else(|| xlsx_error(&e)),
        _ => xlsx_error(e),
    }
}

/// The local name of an element.
fn local(e: &BytesStart) -> String {
    e.local_name().as_ref().to_string()
}

/// An attribute by its local name (`r:id` is `id`), unescaped.
fn attr(e: &BytesStart, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .and_then(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.into_owned())
        })
}

/// `&amp;`, `&#x41;` … as text (a reference to NUL becomes NUL, for the row check to refuse).
fn push_ref(out: &mut String, r: &BytesRef) {
    if let Some(s) = quick_xml::escape::resolve_xml_entity(r.as_ref()) {
        out.push_str(s);
    } else {
        match r.resolve_char_ref() {
            Ok(Some(c)) => out.push(c),
            _ => out.push('\u{0}'),
        }
    }
}

/// OOXML's escapes for characters XML cannot carry (`_x0001_`; `_x005F_` is `_`).
fn decode_escapes(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains("_x") {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("_x") {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let decoded = tail
            .get(2..6)
            .filter(|_| tail.as_bytes().get(6) == Some(&b'_'))
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .and_then(char::from_u32);
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &tail[7..];
            }
            None => {
                out.push_str("_x");
                rest = &tail[2..];
            }
        }
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

/// `BC` → 54 (0-based column index); `None` when there are no letters or too many.
fn column_index(letters: &str) -> Option<u64> {
    let mut n: u64 = 0;
    let mut seen = 0;
    for b in letters.bytes().take_while(u8::is_ascii_alphabetic) {
        n = n * 26 + u64::from(b.to_ascii_uppercase() - b'A' + 1);
        seen += 1;
        if seen > 3 {
            return None;
        }
    }
    (seen > 0).then(|| n - 1)
}

/// `B7` → (column 1, row 7).
fn cell_ref(r: &str) -> Option<(u64, u64)> {
    let col = column_index(r)?;
    let digits = r.trim_start_matches(|c: char| c.is_ascii_alphabetic());
    Some((col, digits.parse().ok()?))
}

/// 0-based column index → `A`, `B`, … `AA`.
fn column_letters(mut i: u64) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8_lossy(&s).into_owned()
}

/// A number as the import reads it: whole numbers without a decimal point.
fn number_text(v: &str) -> String {
    match v.trim().parse::<f64>() {
        Ok(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
        Ok(f) => f.to_string(),
        Err(_) => v.to_string(),
    }
}

/// The shared-string table: all the text in one buffer and where each string ends.
#[derive(Default)]
struct SharedStrings {
    text: String,
    ends: Vec<u32>,
}

impl SharedStrings {
    fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)? as usize;
        let start = match i {
            0 => 0,
            _ => *self.ends.get(i - 1)? as usize,
        };
        self.text.get(start..end)
    }

    /// Adds a string, growing the buffers by at most a quarter at a time so the table never
    /// holds much more than the cap.
    fn push(&mut self, s: &str, limits: &ImportLimits) -> Result<(), FileError> {
        let used = self.text.len() as u64 + s.len() as u64 + 4 * (self.ends.len() as u64 + 1);
        if used > limits.max_shared_strings_bytes || used > u64::from(u32::MAX) {
            return Err(limits.shared_strings());
        }
        if self.text.capacity() - self.text.len() < s.len() {
            self.text
                .reserve_exact(s.len().max(self.text.len() / 4).max(1 << 16));
        }
        if self.ends.capacity() == self.ends.len() {
            self.ends.reserve_exact((self.ends.len() / 4).max(1 << 12));
        }
        self.text.push_str(s);
        self.ends.push(self.text.len() as u32);
        Ok(())
    }
}

/// The workbook as a zip whose entries passed the size checks.
struct Book {
    path: PathBuf,
    zip: zip::ZipArchive<std::fs::File>,
    limits: ImportLimits,
}

impl Book {
    fn open(path: &Path, limits: &ImportLimits) -> Result<Book, FileError> {
        let f = std::fs::File::open(path).map_err(xlsx_error)?;
        let mut zip = zip::ZipArchive::new(f).map_err(|e| {
            file_error(
                "file.xlsx",
                format!("文件以 XLSX 的标记开头，但不是有效的 XLSX（zip）文件：{e}"),
                format!("The file starts like an XLSX file but is not a valid XLSX (zip): {e}"),
            )
        })?;
        if zip.len() > MAX_ZIP_ENTRIES {
            return Err(file_error(
                "file.too_many_entries",
                format!(
                    "工作簿包含 {} 个部件，超过上限（{MAX_ZIP_ENTRIES} 个）。",
                    zip.len()
                ),
                format!(
                    "The workbook has {} parts, over the limit of {MAX_ZIP_ENTRIES}.",
                    zip.len()
                ),
            ));
        }
        let mut total: u64 = 0;
        for i in 0..zip.len() {
            let e = zip.by_index_raw(i).map_err(xlsx_error)?;
            let (size, packed) = (e.size(), e.compressed_size());
            total = total.saturating_add(size);
            if size > RATIO_GRACE_BYTES && size / packed.max(1) >= limits.max_compression_ratio {
                let name = e.name().map(|n| n.into_owned()).unwrap_or_default();
                return Err(limits.compression_ratio(&name, size / packed.max(1)));
            }
        }
        if total > limits.max_uncompressed_bytes {
            return Err(limits.too_large_uncompressed(total));
        }
        Ok(Book {
            path: path.to_path_buf(),
            zip,
            limits: *limits,
        })
    }

    /// A part as XML, inflated through a guard at its declared size; `None` if it is absent.
    fn part(&mut self, name: &str) -> Result<Option<Xml>, FileError> {
        let Some(i) = self.zip.index_for_name(name) else {
            return Ok(None);
        };
        let (start, packed, size, method, encrypted) = {
            let e = self.zip.by_index_raw(i).map_err(xlsx_error)?;
            (
                e.data_start(),
                e.compressed_size(),
                e.size(),
                e.compression(),
                e.encrypted(),
            )
        };
        let start = start.ok_or_else(|| xlsx_error(format!("{name}: no data offset")))?;
        if encrypted {
            return Err(file_error(
                "file.encrypted",
                "工作簿已加密：请取消密码后另存再导入。",
                "The workbook is encrypted: remove the password, save and import again.",
            ));
        }
        let mut f = std::fs::File::open(&self.path).map_err(xlsx_error)?;
        f.seek(SeekFrom::Start(start)).map_err(xlsx_error)?;
        let raw = BufReader::new(f.take(packed));
        let inflated: Box<dyn Read + Send> = match method {
            zip::CompressionMethod::Stored => Box::new(raw),
            zip::CompressionMethod::Deflated => Box::new(flate2::read::DeflateDecoder::new(raw)),
            other => {
                return Err(xlsx_error(format!(
                    "{name}: unsupported compression {other:?}"
                )));
            }
        };
        let max_run = self.limits.max_cell_chars as u64 * 8 + 4096;
        let guarded = Guarded::new(
            inflated,
            size,
            size_mismatch(name, size),
            b'<',
            max_run,
            self.limits.cell_too_long(name),
        );
        let mut xml = quick_xml::Reader::from_reader(BufReader::with_capacity(64 * 1024, guarded));
        xml.config_mut().trim_text(false);
        Ok(Some(xml))
    }

    /// The first sheet's part and the shared strings' part, from the workbook and its
    /// relationships (with the usual names as a fallback).
    fn parts(&mut self) -> Result<(String, Option<String>), FileError> {
        let mut first_sheet = None;
        if let Some(mut xml) = self.part("xl/workbook.xml")? {
            let mut buf = Vec::new();
            loop {
                buf.clear();
                match xml.read_event_into(&mut buf).map_err(xml_error)? {
                    Event::Start(e) | Event::Empty(e) if local(&e) == "sheet" => {
                        first_sheet = attr(&e, "id");
                        break;
                    }
                    Event::Eof => break,
                    _ => {}
                }
            }
        }
        let mut targets = HashMap::new();
        let mut shared = None;
        if let Some(mut xml) = self.part("xl/_rels/workbook.xml.rels")? {
            let mut buf = Vec::new();
            loop {
                buf.clear();
                match xml.read_event_into(&mut buf).map_err(xml_error)? {
                    Event::Start(e) | Event::Empty(e) if local(&e) == "Relationship" => {
                        let (Some(id), Some(target)) = (attr(&e, "Id"), attr(&e, "Target")) else {
                            continue;
                        };
                        let target = match target.strip_prefix('/') {
                            Some(t) => t.to_string(),
                            None => format!("xl/{target}"),
                        };
                        if attr(&e, "Type").is_some_and(|t| t.ends_with("/sharedStrings")) {
                            shared = Some(target.clone());
                        }
                        targets.insert(id, target);
                    }
                    Event::Eof => break,
                    _ => {}
                }
            }
        }
        let sheet = first_sheet
            .and_then(|id| targets.remove(&id))
            .unwrap_or_else(|| "xl/worksheets/sheet1.xml".to_string());
        let shared = shared.or_else(|| {
            self.zip
                .index_for_name("xl/sharedStrings.xml")
                .map(|_| "xl/sharedStrings.xml".to_string())
        });
        Ok((sheet, shared))
    }

    fn shared_strings(&mut self, name: Option<&str>) -> Result<SharedStrings, FileError> {
        let mut table = SharedStrings::default();
        let Some(mut xml) = (match name {
            Some(n) => self.part(n)?,
            None => None,
        }) else {
            return Ok(table);
        };
        let limits = self.limits;
        let max_bytes = limits.max_cell_chars * 4;
        let (mut buf, mut cur) = (Vec::new(), String::new());
        let (mut in_t, mut phonetic) = (false, 0u32);
        loop {
            buf.clear();
            match xml.read_event_into(&mut buf).map_err(xml_error)? {
                Event::Start(e) => match local(&e).as_str() {
                    "si" => cur.clear(),
                    "t" => in_t = true,
                    "rPh" => phonetic += 1,
                    _ => {}
                },
                Event::Empty(e) if local(&e) == "si" => table.push("", &limits)?,
                Event::End(e) => match e.local_name().as_ref() {
                    "t" => in_t = false,
                    "rPh" => phonetic = phonetic.saturating_sub(1),
                    "si" => {
                        let s = decode_escapes(&cur);
                        if s.chars().count() > limits.max_cell_chars {
                            return Err(limits.cell_too_long("共享字符串表中"));
                        }
                        table.push(&s, &limits)?;
                    }
                    _ => {}
                },
                Event::Text(t) if in_t && phonetic == 0 => cur.push_str(&t.xml10_content()),
                Event::CData(t) if in_t && phonetic == 0 => cur.push_str(&t.xml10_content()),
                Event::GeneralRef(r) if in_t && phonetic == 0 => push_ref(&mut cur, &r),
                Event::Eof => break,
                _ => {}
            }
            if cur.len() > max_bytes {
                return Err(limits.cell_too_long("共享字符串表中"));
            }
        }
        Ok(table)
    }
}

/// The rows of a sheet, read one at a time.
struct SheetRows {
    xml: Xml,
    buf: Vec<u8>,
    strings: SharedStrings,
    limits: ImportLimits,
    /// The header's first column: rows are read from there.
    offset: usize,
    /// The number of the row after the last one read (for rows without `r`).
    next_row: u64,
    data_rows: u64,
    done: bool,
}

/// A cell being read.
#[derive(Default)]
struct Cell {
    col: u64,
    kind: String,
    value: String,
    open: bool,
    in_text: bool,
    phonetic: u32,
}

impl SheetRows {
    /// Reads up to `<sheetData>`, checking the declared dimension on the way.
    fn start(&mut self) -> Result<(), FileError> {
        loop {
            self.buf.clear();
            match self.xml.read_event_into(&mut self.buf).map_err(xml_error)? {
                Event::Start(e) | Event::Empty(e) if local(&e) == "dimension" => {
                    if let Some(r) = attr(&e, "ref") {
                        self.check_dimension(&r)?;
                    }
                }
                Event::Start(e) if local(&e) == "sheetData" => return Ok(()),
                Event::Empty(e) if local(&e) == "sheetData" => {
                    self.done = true;
                    return Ok(());
                }
                Event::Eof => {
                    self.done = true;
                    return Ok(());
                }
                _ => {}
            }
        }
    }

    fn check_dimension(&self, declared: &str) -> Result<(), FileError> {
        let mut corners = declared.split(':').filter_map(cell_ref);
        let Some(first) = corners.next() else {
            return Ok(());
        };
        let last = corners.next().unwrap_or(first);
        let rows = last.1.abs_diff(first.1) + 1;
        let cols = last.0.abs_diff(first.0) + 1;
        if rows > self.limits.max_rows.saturating_add(1)
            || cols > u64::from(self.limits.max_columns)
        {
            return Err(self.limits.dimension(declared, rows, cols));
        }
        Ok(())
    }

    /// The next row with at least one value: its number and values.
    fn read_row(&mut self) -> Result<Option<(u64, Vec<String>)>, FileError> {
        if self.done {
            return Ok(None);
        }
        let limits = self.limits;
        let max_bytes = limits.max_cell_chars * 4;
        let mut row: Option<(u64, Vec<String>)> = None;
        let mut cell = Cell::default();
        let mut next_col = 0u64;
        loop {
            self.buf.clear();
            match self.xml.read_event_into(&mut self.buf).map_err(xml_error)? {
                Event::Start(e) => match local(&e).as_str() {
                    "row" => {
                        let n = attr(&e, "r")
                            .and_then(|r| r.parse().ok())
                            .unwrap_or(self.next_row);
                        self.next_row = n + 1;
                        next_col = 0;
                        row = Some((n, Vec::new()));
                    }
                    "c" => {
                        cell = Self::cell_start(&e, next_col);
                        next_col = cell.col + 1;
                    }
                    "v" | "t" => cell.in_text = cell.open,
                    "rPh" => cell.phonetic += 1,
                    _ => {}
                },
                Event::Empty(e) => match local(&e).as_str() {
                    "row" => {
                        self.next_row = attr(&e, "r")
                            .and_then(|r| r.parse::<u64>().ok())
                            .unwrap_or(self.next_row)
                            + 1;
                    }
                    "c" => {
                        next_col = Self::cell_start(&e, next_col).col + 1;
                    }
                    _ => {}
                },
                Event::Text(t) if cell.in_text && cell.phonetic == 0 => {
                    cell.value.push_str(&t.xml10_content())
                }
                Event::CData(t) if cell.in_text && cell.phonetic == 0 => {
                    cell.value.push_str(&t.xml10_content())
                }
                Event::GeneralRef(r) if cell.in_text && cell.phonetic == 0 => {
                    push_ref(&mut cell.value, &r)
                }
                Event::End(e) => match e.local_name().as_ref() {
                    "v" | "t" => cell.in_text = false,
                    "rPh" => cell.phonetic = cell.phonetic.saturating_sub(1),
                    "c" => {
                        if let Some((n, values)) = row.as_mut() {
                            self.cell_end(*n, &mut cell, values)?;
                        }
                        cell = Cell::default();
                    }
                    "row" => {
                        if let Some((n, values)) = row.take()
                            && values.iter().any(|v| !v.is_empty())
                        {
                            return Ok(Some((n, values)));
                        }
                    }
                    "sheetData" => {
                        self.done = true;
                        return Ok(None);
                    }
                    _ => {}
                },
                Event::Eof => {
                    self.done = true;
                    return Ok(None);
                }
                _ => {}
            }
            if cell.value.len() > max_bytes {
                let place = self.place(row.as_ref().map_or(0, |r| r.0), cell.col);
                return Err(limits.cell_too_long(&place));
            }
        }
    }

    fn cell_start(e: &BytesStart, next_col: u64) -> Cell {
        let col = attr(e, "r")
            .and_then(|r| column_index(&r))
            .unwrap_or(next_col);
        Cell {
            col,
            kind: attr(e, "t").unwrap_or_default(),
            open: true,
            ..Default::default()
        }
    }

    fn place(&self, row: u64, col: u64) -> String {
        format!("单元格 {}{row} ", column_letters(col))
    }

    /// Turns a finished cell into text and puts it in its column.
    fn cell_end(
        &self,
        row: u64,
        cell: &mut Cell,
        values: &mut Vec<String>,
    ) -> Result<(), FileError> {
        let raw = std::mem::take(&mut cell.value);
        let text = match cell.kind.as_str() {
            "s" => {
                let i: usize = raw
                    .trim()
                    .parse()
                    .map_err(|_| xlsx_error(format!("bad shared string index {raw:?}")))?;
                self.strings
                    .get(i)
                    .ok_or_else(|| xlsx_error(format!("shared string {i} does not exist")))?
                    .to_string()
            }
            "inlineStr" | "str" | "d" | "e" => decode_escapes(&raw).into_owned(),
            "b" => match raw.trim() {
                "1" | "true" => "是".to_string(),
                "0" | "false" => "否".to_string(),
                other => other.to_string(),
            },
            _ if raw.is_empty() => String::new(),
            _ => number_text(&raw),
        };
        if text.is_empty() {
            return Ok(());
        }
        if cell.col >= u64::from(self.limits.max_columns) {
            return Err(self.limits.too_many_columns(row, cell.col + 1));
        }
        if text.len() > self.limits.max_cell_chars
            && text.chars().count() > self.limits.max_cell_chars
        {
            return Err(self.limits.cell_too_long(&self.place(row, cell.col)));
        }
        let col = cell.col as usize;
        if col < self.offset {
            return Ok(());
        }
        let at = col - self.offset;
        if values.len() <= at {
            values.resize(at + 1, String::new());
        }
        values[at] = text;
        Ok(())
    }
}

impl Iterator for SheetRows {
    type Item = RowItem;
    fn next(&mut self) -> Option<RowItem> {
        match self.read_row() {
            Ok(Some(r)) => {
                self.data_rows += 1;
                if self.data_rows > self.limits.max_rows {
                    self.done = true;
                    return Some(Err(self.limits.too_many_rows()));
                }
                Some(Ok(r))
            }
            Ok(None) => None,
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

/// Opens the first sheet of an XLSX workbook as rows: the first row with a value is the header.
pub(super) fn open_xlsx(path: &Path, limits: &ImportLimits) -> Result<RowSource, FileError> {
    let mut book = Book::open(path, limits)?;
    let (sheet, shared) = book.parts()?;
    let strings = book.shared_strings(shared.as_deref())?;
    let xml = book.part(&sheet)?.ok_or_else(|| {
        file_error(
            "file.empty",
            "工作簿中没有工作表。",
            "The workbook has no sheet.",
        )
    })?;
    let mut rows = SheetRows {
        xml,
        buf: Vec::with_capacity(8 * 1024),
        strings,
        limits: *limits,
        offset: 0,
        next_row: 1,
        data_rows: 0,
        done: false,
    };
    rows.start()?;
    let Some((_, mut headers)) = rows.read_row()? else {
        return Err(file_error("file.empty", "文件为空。", "The file is empty."));
    };
    let offset = headers.iter().position(|h| !h.is_empty()).unwrap_or(0);
    headers.drain(..offset);
    rows.offset = offset;
    Ok(RowSource {
        headers,
        encoding: "XLSX",
        rows: Box::new(rows),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_and_cell_references() {
        assert_eq!(column_index("A1"), Some(0));
        assert_eq!(column_index("Z9"), Some(25));
        assert_eq!(column_index("AA3"), Some(26));
        assert_eq!(column_index("XFD1048576"), Some(16_383));
        assert_eq!(column_index("ABCD1"), None);
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(27), "AB");
        assert_eq!(column_letters(16_383), "XFD");
        assert_eq!(cell_ref("XFD1048576"), Some((16_383, 1_048_576)));
    }

    #[test]
    fn ooxml_escapes_decode() {
        assert_eq!(decode_escapes("a_x0000_b"), "a\u{0}b");
        assert_eq!(decode_escapes("x_x005F_y"), "x_y");
        assert_eq!(decode_escapes("_xZZZZ_ and _x"), "_xZZZZ_ and _x");
        assert_eq!(number_text("15000000"), "15000000");
        assert_eq!(number_text("3.45"), "3.45");
    }
}
