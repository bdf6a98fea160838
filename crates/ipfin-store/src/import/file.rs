//! Reading import files as a stream of rows: CSV (UTF-8 with or without BOM, GBK/GB18030 as
//! Excel in China saves it) and XLSX; the quick row estimate and the file key used to resume.

use super::guard::{Guarded, limit_hit};
use super::limits::{ImportLimits, line_too_long};
use super::{FileError, file_error};
use sm3::{Digest, Sm3};
use std::io::Read;
use std::path::Path;

/// Decodes a byte stream in a legacy encoding into UTF-8 as it is read.
struct Decoding<R: Read> {
    inner: R,
    decoder: encoding_rs::Decoder,
    input: Vec<u8>,
    output: Vec<u8>,
    pos: usize,
    eof: bool,
}

impl<R: Read> Read for Decoding<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.pos == self.output.len() {
            if self.eof {
                return Ok(0);
            }
            self.input.resize(64 * 1024, 0);
            let n = self.inner.read(&mut self.input)?;
            self.eof = n == 0;
            let mut out = String::with_capacity(n * 3 / 2 + 16);
            let max = self.decoder.max_utf8_buffer_length(n).unwrap_or(n * 4 + 16);
            out.reserve(max);
            let _ = self
                .decoder
                .decode_to_string(&self.input[..n], &mut out, self.eof);
            self.output = out.into_bytes();
            self.pos = 0;
        }
        let n = buf.len().min(self.output.len() - self.pos);
        buf[..n].copy_from_slice(&self.output[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// One data row: its line in the file and its values, or a problem with the file.
pub type RowItem = std::result::Result<(u64, Vec<String>), FileError>;

/// Rows of a file: the header and an iterator of (line, values).
pub struct RowSource {
    pub headers: Vec<String>,
    pub encoding: &'static str,
    pub(super) rows: Box<dyn Iterator<Item = RowItem> + Send>,
}

impl Iterator for RowSource {
    type Item = RowItem;
    fn next(&mut self) -> Option<Self::Item> {
        self.rows.next()
    }
}

/// Opens a CSV or XLSX file as rows, detecting the format by content and the CSV encoding.
/// The rows are read as they are asked for; a file over one of `limits` gives a [`FileError`]
/// naming the cap (at once for what the file declares, at the row where it is found otherwise).
pub fn open_rows(path: &Path, limits: &ImportLimits) -> std::result::Result<RowSource, FileError> {
    let mut f = std::fs::File::open(path).map_err(|e| {
        file_error(
            "file.open",
            format!("无法打开文件：{e}"),
            format!("Cannot open the file: {e}"),
        )
    })?;
    let mut head = vec![0u8; 64 * 1024];
    let n = read_up_to(&mut f, &mut head)?;
    head.truncate(n);
    if head.starts_with(b"PK\x03\x04") {
        return super::xlsx::open_xlsx(path, limits);
    }
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        return Err(file_error(
            "file.utf16",
            "文件为 UTF-16 编码，暂不支持：请在 Excel 中另存为“CSV UTF-8（逗号分隔）”或 XLSX 后再导入。",
            "The file is UTF-16: save it as 'CSV UTF-8' or XLSX and import again.",
        ));
    }
    let (encoding, skip) = if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        (encoding_rs::UTF_8, 3)
    } else {
        match std::str::from_utf8(&head) {
            Ok(_) => (encoding_rs::UTF_8, 0),
            // A multi-byte character cut at the end of the sample is still UTF-8.
            Err(e) if e.error_len().is_none() => (encoding_rs::UTF_8, 0),
            Err(_) => (encoding_rs::GB18030, 0),
        }
    };
    let f = std::fs::File::open(path).map_err(|e| {
        file_error(
            "file.open",
            format!("无法打开文件：{e}"),
            format!("Cannot open the file: {e}"),
        )
    })?;
    let mut raw = std::io::BufReader::with_capacity(256 * 1024, f);
    std::io::copy(&mut (&mut raw).take(skip), &mut std::io::sink()).map_err(|e| {
        file_error(
            "file.read",
            format!("读取文件失败：{e}"),
            format!("Reading failed: {e}"),
        )
    })?;
    // No line may be longer than a full row of the longest cells allows (at least 1 MiB): the
    // CSV reader holds a whole record, so this bounds what it holds.
    let max_line = (limits.max_cell_chars as u64 * 4 * 8).max(1 << 20);
    let guarded = Guarded::new(
        raw,
        u64::MAX,
        line_too_long(max_line),
        b'\n',
        max_line,
        line_too_long(max_line),
    );
    let decoding = Decoding {
        inner: guarded,
        decoder: encoding.new_decoder_without_bom_handling(),
        input: Vec::new(),
        output: Vec::new(),
        pos: 0,
        eof: false,
    };
    let reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .from_reader(decoding);
    let mut records = reader.into_records();
    let headers: Vec<String> = match records.next() {
        Some(Ok(r)) => r.iter().map(str::to_string).collect(),
        Some(Err(e)) => return Err(csv_error(e, "表头无法解析", "The header cannot be read")),
        None => return Err(file_error("file.empty", "文件为空。", "The file is empty.")),
    };
    let limits = *limits;
    let mut data_rows = 0u64;
    let rows = records.map(move |r| {
        let rec = r.map_err(|e| csv_error(e, "CSV 格式错误", "Malformed CSV"))?;
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        data_rows += 1;
        if data_rows > limits.max_rows {
            return Err(limits.too_many_rows());
        }
        if rec.len() as u64 > u64::from(limits.max_columns) {
            return Err(limits.too_many_columns(line, rec.len() as u64));
        }
        if let Some(c) = rec.iter().position(|v| {
            v.len() > limits.max_cell_chars && v.chars().count() > limits.max_cell_chars
        }) {
            return Err(limits.cell_too_long(&format!("第 {line} 行第 {} 列", c + 1)));
        }
        Ok((line, rec.iter().map(str::to_string).collect()))
    });
    Ok(RowSource {
        headers,
        encoding: if encoding == encoding_rs::UTF_8 {
            "UTF-8"
        } else {
            "GB18030"
        },
        rows: Box::new(rows),
    })
}

/// A CSV reading error: the limit that stopped the reader, or the CSV problem.
fn csv_error(e: csv::Error, zh: &str, en: &str) -> FileError {
    if let csv::ErrorKind::Io(io) = e.kind()
        && let Some(hit) = limit_hit(io)
    {
        return hit;
    }
    file_error("file.csv", format!("{zh}：{e}"), format!("{en}: {e}"))
}

fn read_up_to(f: &mut std::fs::File, buf: &mut [u8]) -> std::result::Result<usize, FileError> {
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) => {
                return Err(file_error(
                    "file.read",
                    format!("读取文件失败：{e}"),
                    format!("Reading failed: {e}"),
                ));
            }
        }
    }
    Ok(n)
}

/// The number of data rows of a CSV file, counted quickly by its line breaks (a quoted name
/// with a line break counts twice, so this is an estimate); XLSX files give none.
pub fn estimate_rows(file: &Path) -> Option<u64> {
    let mut f = std::fs::File::open(file).ok()?;
    let mut buf = vec![0u8; 1 << 20];
    let mut n = 0u64;
    let mut first = true;
    loop {
        let k = f.read(&mut buf).ok()?;
        if k == 0 {
            break;
        }
        if first && buf.starts_with(b"PK") {
            return None;
        }
        first = false;
        n += buf[..k].iter().filter(|b| **b == b'\n').count() as u64;
    }
    Some(n.saturating_sub(1))
}

/// Identifies a file for resuming: its size and the SM3 hash of its first and last MiB.
pub fn file_key(path: &Path) -> std::io::Result<String> {
    use std::io::{Seek, SeekFrom};
    let mut f = std::fs::File::open(path)?;
    let len = f.metadata()?.len();
    let mut h = Sm3::new();
    h.update(len.to_le_bytes());
    let mut buf = vec![0u8; 1 << 20];
    let n = f.read(&mut buf)?;
    h.update(&buf[..n]);
    if len > (2 << 20) {
        f.seek(SeekFrom::End(-(1 << 20)))?;
        let n = f.read(&mut buf)?;
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}
