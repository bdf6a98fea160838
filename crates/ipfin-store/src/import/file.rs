//! Reading import files as a stream of rows: CSV (UTF-8 with or without BOM, GBK/GB18030 as
//! Excel in China saves it) and XLSX; the quick row estimate and the file key used to resume.

use super::{FileError, file_error};
use calamine::{Data, Reader};
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
    rows: Box<dyn Iterator<Item = RowItem> + Send>,
}

impl Iterator for RowSource {
    type Item = RowItem;
    fn next(&mut self) -> Option<Self::Item> {
        self.rows.next()
    }
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => {
            if *b {
                "是".into()
            } else {
                "否".into()
            }
        }
        Data::DateTime(d) => d.to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#ERROR {e:?}"),
    }
}

/// Opens a CSV or XLSX file as rows, detecting the format by content and the CSV encoding.
pub fn open_rows(path: &Path) -> std::result::Result<RowSource, FileError> {
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
        return open_xlsx(path);
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
    let decoding = Decoding {
        inner: raw,
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
        Some(Err(e)) => {
            return Err(file_error(
                "file.csv",
                format!("表头无法解析：{e}"),
                format!("The header cannot be read: {e}"),
            ));
        }
        None => return Err(file_error("file.empty", "文件为空。", "The file is empty.")),
    };
    let rows = records.map(|r| match r {
        Ok(rec) => Ok((
            rec.position().map(|p| p.line()).unwrap_or(0),
            rec.iter().map(str::to_string).collect(),
        )),
        Err(e) => Err(file_error(
            "file.csv",
            format!("CSV 格式错误：{e}"),
            format!("Malformed CSV: {e}"),
        )),
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

fn open_xlsx(path: &Path) -> std::result::Result<RowSource, FileError> {
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(path).map_err(|e| {
        file_error(
            "file.xlsx",
            format!("XLSX 文件无法读取：{e}"),
            format!("The XLSX file cannot be read: {e}"),
        )
    })?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| {
            file_error(
                "file.empty",
                "工作簿中没有工作表。",
                "The workbook has no sheet.",
            )
        })?
        .map_err(|e| {
            file_error(
                "file.xlsx",
                format!("工作表无法读取：{e}"),
                format!("The sheet cannot be read: {e}"),
            )
        })?;
    let start_row = range.start().map(|(r, _)| r as u64).unwrap_or(0);
    let mut rows = range.rows();
    let headers: Vec<String> = rows
        .next()
        .map(|r| r.iter().map(cell_text).collect())
        .unwrap_or_default();
    if headers.is_empty() {
        return Err(file_error("file.empty", "文件为空。", "The file is empty."));
    }
    let body: Vec<(u64, Vec<String>)> = rows
        .enumerate()
        .map(|(i, r)| (start_row + i as u64 + 2, r.iter().map(cell_text).collect()))
        .collect();
    Ok(RowSource {
        headers,
        encoding: "XLSX",
        rows: Box::new(body.into_iter().map(Ok)),
    })
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
