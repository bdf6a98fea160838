//! Bulk import (SPEC §5): reading CSV (UTF-8 with or without BOM, GBK/GB18030 as Excel in
//! China saves it) and XLSX as a stream of rows, mapping Chinese or English headers, and writing
//! enterprises in batches — each batch one transaction, idempotent (unchanged rows are not
//! written), resumable (committed progress is recorded with the batch), with row-level errors.

use crate::db::{exec, fetch_all, fetch_i64, fetch_opt};
use crate::enterprise::{EnterpriseInput, validate};
use crate::error::{Result, StoreError};
use crate::{Store, WriteTx};
use calamine::{Data, Reader};
use ipfin_domain::Scope;
use sea_orm::{FromQueryResult, Value};
use serde_json::json;
use sm3::{Digest, Sm3};
use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

/// A problem with the whole file: nothing is imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{zh}")]
pub struct FileError {
    pub code: &'static str,
    pub zh: String,
    pub en: String,
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

/// The enterprise columns, each with the header names it is recognised by.
pub const ENTERPRISE_COLUMNS: &[(&str, &[&str], bool)] = &[
    (
        "credit_code",
        &["统一社会信用代码", "信用代码", "credit_code"],
        true,
    ),
    ("name", &["企业名称", "名称", "name"], true),
    (
        "registered_district",
        &["注册地", "注册区", "registered_district"],
        true,
    ),
    ("tax_district", &["纳税地", "纳税区", "tax_district"], false),
    (
        "independent_legal_person",
        &["独立法人", "是否独立法人", "independent_legal_person"],
        false,
    ),
    (
        "industry",
        &["行业代码", "国民经济行业代码", "industry"],
        false,
    ),
    (
        "employees",
        &["从业人员", "从业人员（人）", "从业人数", "employees"],
        false,
    ),
    (
        "operating_revenue_yuan",
        &["营业收入（元）", "营业收入(元)", "operating_revenue_yuan"],
        false,
    ),
    (
        "total_assets_yuan",
        &["资产总额（元）", "资产总额(元)", "total_assets_yuan"],
        false,
    ),
    (
        "data_sharing_consent",
        &[
            "同意数据共享",
            "同意向本区合作银行共享企业信息",
            "data_sharing_consent",
        ],
        false,
    ),
];

fn fold_header(h: &str) -> String {
    ipfin_domain::credit_code::normalize(h)
        .to_lowercase()
        .replace(['(', ')'], "")
}

/// Maps the file's header to column positions; names every missing required column.
pub fn map_headers(
    headers: &[String],
) -> std::result::Result<HashMap<&'static str, usize>, FileError> {
    let folded: Vec<String> = headers.iter().map(|h| fold_header(h)).collect();
    if let Some(i) = folded.iter().position(|h| h.is_empty())
        && folded.iter().skip(i).any(|h| !h.is_empty())
    {
        {
            return Err(file_error(
                "file.header_blank",
                format!(
                    "表头第 {} 列为空（可能是合并单元格）：请使用单行表头，每列一个名称。",
                    i + 1
                ),
                format!(
                    "Header column {} is blank (merged cells?): use a single header row, one name per column.",
                    i + 1
                ),
            ));
        }
    }
    let mut map = HashMap::new();
    let mut missing = Vec::new();
    for (field, names, required) in ENTERPRISE_COLUMNS {
        let pos = names
            .iter()
            .find_map(|n| folded.iter().position(|h| *h == fold_header(n)));
        match pos {
            Some(p) => {
                map.insert(*field, p);
            }
            None if *required => missing.push(names[0]),
            None => {}
        }
    }
    if !missing.is_empty() {
        return Err(file_error(
            "file.columns_missing",
            format!("缺少必需的列：{}。请使用导入模板。", missing.join("、")),
            format!(
                "Missing required columns: {}. Use the import template.",
                missing.join(", ")
            ),
        ));
    }
    Ok(map)
}

fn yes_no(v: &str, default: bool) -> Option<bool> {
    match v.trim().to_lowercase().as_str() {
        "" => Some(default),
        "是" | "y" | "yes" | "true" | "1" => Some(true),
        "否" | "n" | "no" | "false" | "0" => Some(false),
        _ => None,
    }
}

/// Parses one row into an enterprise input; districts may be given by code or Chinese name.
pub fn parse_enterprise_row(
    cols: &HashMap<&'static str, usize>,
    values: &[String],
    districts: &HashMap<String, String>,
) -> std::result::Result<EnterpriseInput, (String, String)> {
    let get = |f: &str| {
        cols.get(f)
            .and_then(|i| values.get(*i))
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    };
    let district = |f: &str| -> std::result::Result<Option<String>, (String, String)> {
        let v = get(f);
        if v.is_empty() {
            return Ok(None);
        }
        districts.get(&v).cloned().map(Some).ok_or_else(|| {
            (
                f.to_string(),
                format!("辖区“{v}”不存在：请填写辖区代码（如 440305）或名称（如 南山区）。"),
            )
        })
    };
    let amount = |f: &str| -> std::result::Result<Option<i64>, (String, String)> {
        let v = get(f);
        if v.is_empty() {
            return Ok(None);
        }
        ipfin_domain::money::parse_amount(&v, 100)
            .map(Some)
            .ok_or_else(|| {
                (
                    f.to_string(),
                    format!("“{v}”不是有效金额：请填写不小于 0 的数字（单位元，最多两位小数）。"),
                )
            })
    };
    let employees = match get("employees") {
        v if v.is_empty() => None,
        v => Some(v.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| {
            (
                "employees".to_string(),
                format!("“{v}”不是有效人数：请填写不小于 0 的整数。"),
            )
        })?),
    };
    Ok(EnterpriseInput {
        credit_code: get("credit_code"),
        name: get("name"),
        registered_district: district("registered_district")?,
        tax_district: district("tax_district")?,
        independent_legal_person: yes_no(&get("independent_legal_person"), true).ok_or_else(
            || {
                (
                    "independent_legal_person".to_string(),
                    "独立法人一栏请填“是”或“否”。".to_string(),
                )
            },
        )?,
        industry: Some(get("industry")).filter(|s| !s.is_empty()),
        employees,
        operating_revenue_fen: amount("operating_revenue_yuan")?,
        total_assets_fen: amount("total_assets_yuan")?,
        data_sharing_consent: yes_no(&get("data_sharing_consent"), false).ok_or_else(|| {
            (
                "data_sharing_consent".to_string(),
                "同意数据共享一栏请填“是”或“否”。".to_string(),
            )
        })?,
    })
}

/// What a batch did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchOutcome {
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
}

#[derive(Debug, Clone, FromQueryResult)]
struct ExistingRow {
    id: i64,
    credit_code: String,
    name: String,
    registered_district: Option<String>,
    tax_district: Option<String>,
    independent_legal_person: bool,
    industry: Option<String>,
    employees: Option<i64>,
    operating_revenue_fen: Option<i64>,
    total_assets_fen: Option<i64>,
    data_sharing_consent: bool,
}

/// A validated row ready to write.
#[derive(Debug, Clone)]
pub struct ReadyRow {
    pub line: u64,
    pub code: String,
    pub name: String,
    pub input: EnterpriseInput,
    pub industry: Option<String>,
    pub size: Option<String>,
}

/// Validates a parsed row for the scope; the error names the field and the rule.
pub fn ready(
    scope: &Scope,
    line: u64,
    input: EnterpriseInput,
) -> std::result::Result<ReadyRow, (String, String)> {
    let (code, name, industry, size) = validate(&input).map_err(|e| match e {
        StoreError::Invalid(fe) => (fe.field.to_string(), fe.msg.zh),
        other => ("_row".to_string(), other.to_string()),
    })?;
    if input.registered_district.is_none() {
        return Err(("registered_district".into(), "请填写注册地辖区。".into()));
    }
    if !scope.can_manage(
        ipfin_domain::OrgKind::Enterprise,
        input.registered_district.as_deref(),
    ) {
        return Err((
            "registered_district".into(),
            "注册地不在您的辖区，不能导入。".into(),
        ));
    }
    Ok(ReadyRow {
        line,
        code,
        name,
        input,
        industry,
        size,
    })
}

impl Store {
    /// District code and name → code, for rows that name a district either way.
    pub async fn district_lookup(&self) -> Result<HashMap<String, String>> {
        let mut m = HashMap::new();
        for d in self.districts().await? {
            m.insert(d.name.clone(), d.code.clone());
            m.insert(d.code.clone(), d.code);
        }
        Ok(m)
    }

    /// Writes one batch of validated rows: new codes are inserted, changed records updated,
    /// identical ones left alone; the name index follows. Returns what happened.
    pub async fn import_enterprise_batch(
        &self,
        tx: &mut WriteTx,
        rows: &[ReadyRow],
    ) -> Result<BatchOutcome> {
        let mut out = BatchOutcome::default();
        if rows.is_empty() {
            return Ok(out);
        }
        let mut existing: HashMap<String, ExistingRow> = HashMap::new();
        for chunk in rows.chunks(500) {
            let placeholders = vec!["?"; chunk.len()].join(", ");
            let found: Vec<ExistingRow> = fetch_all(
                tx.conn(),
                &format!(
                    "SELECT id, credit_code, name, registered_district, tax_district, independent_legal_person, industry, employees, \
                     operating_revenue_fen, total_assets_fen, data_sharing_consent FROM enterprises WHERE credit_code IN ({placeholders})"
                ),
                chunk.iter().map(|r| Value::from(r.code.clone())).collect(),
            )
            .await?;
            existing.extend(found.into_iter().map(|e| (e.credit_code.clone(), e)));
        }
        let now = crate::now_s();
        let mut new_rows = Vec::new();
        let mut reindex: Vec<(i64, &ReadyRow)> = Vec::new();
        for r in rows {
            match existing.get(&r.code) {
                None => new_rows.push(r),
                Some(e) => {
                    let same = e.name == r.name
                        && e.registered_district == r.input.registered_district
                        && e.tax_district == r.input.tax_district
                        && e.independent_legal_person == r.input.independent_legal_person
                        && e.industry == r.industry
                        && e.employees == r.input.employees
                        && e.operating_revenue_fen == r.input.operating_revenue_fen
                        && e.total_assets_fen == r.input.total_assets_fen
                        && e.data_sharing_consent == r.input.data_sharing_consent;
                    if same {
                        out.unchanged += 1;
                        continue;
                    }
                    exec(
                        tx.conn(),
                        "UPDATE enterprises SET name = ?, registered_district = ?, tax_district = ?, independent_legal_person = ?, industry = ?, \
                         employees = ?, operating_revenue_fen = ?, total_assets_fen = ?, size_class = ?, data_sharing_consent = ?, updated_at = ? \
                         WHERE id = ?",
                        vec![
                            r.name.clone().into(),
                            r.input.registered_district.clone().into(),
                            r.input.tax_district.clone().into(),
                            r.input.independent_legal_person.into(),
                            r.industry.clone().into(),
                            r.input.employees.into(),
                            r.input.operating_revenue_fen.into(),
                            r.input.total_assets_fen.into(),
                            r.size.clone().into(),
                            r.input.data_sharing_consent.into(),
                            now.into(),
                            e.id.into(),
                        ],
                    )
                    .await?;
                    out.updated += 1;
                    if e.name != r.name || e.registered_district != r.input.registered_district {
                        reindex.push((e.id, r));
                    }
                }
            }
        }
        // Multi-row inserts: 13 values a row, 70 rows a statement (under SQLite's 999-parameter floor).
        for chunk in new_rows.chunks(70) {
            let placeholders =
                vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"; chunk.len()].join(", ");
            let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 13);
            for r in chunk {
                values.extend([
                    Value::from(r.code.clone()),
                    r.name.clone().into(),
                    r.input.registered_district.clone().into(),
                    r.input.tax_district.clone().into(),
                    r.input.independent_legal_person.into(),
                    r.industry.clone().into(),
                    r.input.employees.into(),
                    r.input.operating_revenue_fen.into(),
                    r.input.total_assets_fen.into(),
                    r.size.clone().into(),
                    r.input.data_sharing_consent.into(),
                    now.into(),
                    now.into(),
                ]);
            }
            #[derive(FromQueryResult)]
            struct Inserted {
                id: i64,
                credit_code: String,
            }
            let ids: Vec<Inserted> = fetch_all(
                tx.conn(),
                &format!(
                    "INSERT INTO enterprises (credit_code, name, registered_district, tax_district, independent_legal_person, industry, \
                     employees, operating_revenue_fen, total_assets_fen, size_class, data_sharing_consent, created_at, updated_at) \
                     VALUES {placeholders} RETURNING id, credit_code"
                ),
                values,
            )
            .await?;
            let by_code: HashMap<&str, &ReadyRow> =
                chunk.iter().map(|r| (r.code.as_str(), *r)).collect();
            for i in ids {
                if let Some(r) = by_code.get(i.credit_code.as_str()) {
                    reindex.push((i.id, r));
                }
            }
            out.inserted += chunk.len() as u64;
        }
        // Name index rows for new and renamed records.
        let changed: Vec<i64> = reindex.iter().map(|(id, _)| *id).collect();
        for chunk in changed.chunks(500) {
            let placeholders = vec!["?"; chunk.len()].join(", ");
            exec(
                tx.conn(),
                &format!(
                    "DELETE FROM enterprise_name_grams WHERE enterprise_id IN ({placeholders})"
                ),
                chunk.iter().map(|id| Value::from(*id)).collect(),
            )
            .await?;
        }
        let mut grams: Vec<(String, String, i64)> = Vec::new();
        for (id, r) in &reindex {
            let d = r.input.registered_district.clone().unwrap_or_default();
            for g in ipfin_domain::enterprise::name_grams(&r.name) {
                grams.push((g, d.clone(), *id));
            }
        }
        for chunk in grams.chunks(300) {
            let placeholders = vec!["(?, ?, ?)"; chunk.len()].join(", ");
            let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 3);
            for (g, d, id) in chunk {
                values.extend([Value::from(g.clone()), d.clone().into(), (*id).into()]);
            }
            exec(tx.conn(), &format!("INSERT INTO enterprise_name_grams (gram, district, enterprise_id) VALUES {placeholders}"), values).await?;
        }
        Ok(out)
    }

    /// Finds an unfinished import of the same file (to resume) or starts a new one; returns the
    /// import id and how many data rows are already committed.
    pub async fn begin_import(
        &self,
        scope: &Scope,
        actor: crate::audit::AuditActor,
        kind: &str,
        file_key: &str,
        file_name: &str,
    ) -> Result<(i64, u64)> {
        #[derive(FromQueryResult)]
        struct Open {
            id: i64,
            rows_done: i64,
        }
        let open: Option<Open> = fetch_opt(
            self.conn(),
            "SELECT id, rows_done FROM imports WHERE kind = ? AND file_key = ? AND scope = ? AND status = 'running' ORDER BY id DESC LIMIT 1",
            vec![kind.into(), file_key.into(), scope_key(scope).into()],
        )
        .await?;
        if let Some(o) = open {
            return Ok((o.id, o.rows_done as u64));
        }
        let mut tx = self.write(actor).await?;
        let id = fetch_i64(
            tx.conn(),
            "INSERT INTO imports (kind, file_key, file_name, scope, status, rows_done, inserted, updated, unchanged, errors, started_at) \
             VALUES (?, ?, ?, ?, 'running', 0, 0, 0, 0, 0, ?) RETURNING id",
            vec![kind.into(), file_key.into(), file_name.into(), scope_key(scope).into(), crate::now_s().into()],
        )
        .await?;
        tx.audit(
            "import.start",
            "import",
            id,
            json!({"kind": kind, "file": file_name}),
        )
        .await?;
        tx.commit().await?;
        Ok((id, 0))
    }

    /// Records a committed batch with the import's progress, in the batch's transaction.
    pub async fn record_batch(
        &self,
        tx: &mut WriteTx,
        import_id: i64,
        rows_done: u64,
        o: &BatchOutcome,
        errors: u64,
    ) -> Result<()> {
        exec(
            tx.conn(),
            "UPDATE imports SET rows_done = ?, inserted = inserted + ?, updated = updated + ?, unchanged = unchanged + ?, errors = errors + ? WHERE id = ?",
            vec![
                (rows_done as i64).into(),
                (o.inserted as i64).into(),
                (o.updated as i64).into(),
                (o.unchanged as i64).into(),
                (errors as i64).into(),
                import_id.into(),
            ],
        )
        .await?;
        tx.audit(
            "import.batch",
            "import",
            import_id,
            json!({"rows_done": rows_done, "inserted": o.inserted, "updated": o.updated, "unchanged": o.unchanged, "errors": errors}),
        )
        .await
    }

    pub async fn finish_import(
        &self,
        actor: crate::audit::AuditActor,
        import_id: i64,
    ) -> Result<()> {
        let mut tx = self.write(actor).await?;
        exec(
            tx.conn(),
            "UPDATE imports SET status = 'done', finished_at = ? WHERE id = ?",
            vec![crate::now_s().into(), import_id.into()],
        )
        .await?;
        tx.audit("import.finish", "import", import_id, json!({}))
            .await?;
        tx.commit().await
    }
}

fn scope_key(scope: &Scope) -> String {
    match scope {
        Scope::City => "city".into(),
        Scope::District { code, .. } => format!("district:{code}"),
        other => format!("{other:?}"),
    }
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

/// Tracks credit codes seen earlier in the file, compactly (18 bytes each).
#[derive(Default)]
pub struct SeenCodes {
    seen: HashMap<[u8; 18], u64>,
}

impl SeenCodes {
    /// Records a code; returns the line it was first seen on when it is a duplicate.
    pub fn first_line(&mut self, code: &str, line: u64) -> Option<u64> {
        let mut key = [0u8; 18];
        let b = code.as_bytes();
        if b.len() != 18 {
            return None;
        }
        key.copy_from_slice(b);
        match self.seen.get(&key) {
            Some(l) => Some(*l),
            None => {
                self.seen.insert(key, line);
                None
            }
        }
    }
}

/// Why an import stopped.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{0}")]
    File(#[from] FileError),
    #[error("{0}")]
    Store(#[from] StoreError),
}

/// The result of importing a file.
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    pub import_id: i64,
    pub encoding: &'static str,
    pub headers: Vec<String>,
    /// Data rows read (not counting the header and blank lines).
    pub rows: u64,
    /// Rows skipped because an earlier run had committed them.
    pub resumed_from: u64,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub errors: Vec<RowError>,
}

impl Store {
    /// Imports enterprises from a CSV or XLSX file in batches of `batch_size` rows. `progress`
    /// is called after each committed batch with the number of data rows processed.
    pub async fn import_enterprises_file(
        &self,
        path: &Path,
        scope: &Scope,
        actor: crate::audit::AuditActor,
        batch_size: usize,
        progress: &mut (dyn FnMut(u64) + Send),
    ) -> std::result::Result<ImportReport, ImportError> {
        let src = open_rows(path)?;
        let cols = map_headers(&src.headers)?;
        let districts = self.district_lookup().await?;
        let key = file_key(path).map_err(|e| {
            file_error(
                "file.read",
                format!("读取文件失败：{e}"),
                format!("Reading failed: {e}"),
            )
        })?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let (import_id, done) = self
            .begin_import(scope, actor.clone(), "enterprises", &key, &name)
            .await?;
        let mut report = ImportReport {
            import_id,
            encoding: src.encoding,
            headers: src.headers.clone(),
            resumed_from: done,
            ..Default::default()
        };
        let mut seen = SeenCodes::default();
        let mut batch: Vec<ReadyRow> = Vec::with_capacity(batch_size);
        let mut batch_errors = 0u64;
        let batch_size = batch_size.max(1);
        for row in src {
            let (line, values) = row?;
            if values.iter().all(|v| v.trim().is_empty()) {
                continue;
            }
            report.rows += 1;
            let parsed = parse_enterprise_row(&cols, &values, &districts);
            if report.rows <= done {
                // Committed by an earlier run: only remember its code for duplicate checks.
                if let Ok(i) = &parsed
                    && let Ok(c) = ipfin_domain::CreditCode::parse(&i.credit_code)
                {
                    seen.first_line(c.as_str(), line);
                }
                continue;
            }
            let result = parsed.and_then(|i| ready(scope, line, i)).and_then(|r| {
                match seen.first_line(&r.code, line) {
                    Some(first) => Err((
                        "credit_code".to_string(),
                        format!("统一社会信用代码与第 {first} 行重复。"),
                    )),
                    None => Ok(r),
                }
            });
            match result {
                Ok(r) => batch.push(r),
                Err((field, message)) => {
                    batch_errors += 1;
                    report.errors.push(RowError {
                        line,
                        field,
                        message,
                        values,
                    });
                }
            }
            if batch.len() >= batch_size {
                self.flush_batch(
                    &actor,
                    import_id,
                    &mut batch,
                    report.rows,
                    &mut batch_errors,
                    &mut report,
                )
                .await?;
                progress(report.rows);
            }
        }
        self.flush_batch(
            &actor,
            import_id,
            &mut batch,
            report.rows,
            &mut batch_errors,
            &mut report,
        )
        .await?;
        progress(report.rows);
        self.finish_import(actor, import_id).await?;
        Ok(report)
    }

    async fn flush_batch(
        &self,
        actor: &crate::audit::AuditActor,
        import_id: i64,
        batch: &mut Vec<ReadyRow>,
        rows_done: u64,
        batch_errors: &mut u64,
        report: &mut ImportReport,
    ) -> Result<()> {
        let mut tx = self.write(actor.clone()).await?;
        let o = self.import_enterprise_batch(&mut tx, batch).await?;
        self.record_batch(&mut tx, import_id, rows_done, &o, *batch_errors)
            .await?;
        tx.commit().await?;
        report.inserted += o.inserted;
        report.updated += o.updated;
        report.unchanged += o.unchanged;
        batch.clear();
        *batch_errors = 0;
        Ok(())
    }
}

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

/// The import template: the header row in Chinese and one example row.
pub fn write_template(path: &Path) -> std::result::Result<(), FileError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let xl = |e: rust_xlsxwriter::XlsxError| {
        file_error(
            "file.write",
            format!("无法写入模板：{e}"),
            format!("Cannot write the template: {e}"),
        )
    };
    sheet.set_name("企业").map_err(xl)?;
    let example = [
        "9144030071526726XG",
        "深圳市示例科技有限公司",
        "440305",
        "南山区",
        "是",
        "I65",
        "120",
        "15000000.00",
        "20000000.00",
        "是",
    ];
    for (c, (_, names, _)) in ENTERPRISE_COLUMNS.iter().enumerate() {
        sheet.write_string(0, c as u16, names[0]).map_err(xl)?;
        sheet.write_string(1, c as u16, example[c]).map_err(xl)?;
    }
    book.save(path).map_err(xl)
}

/// (line, field) of each row error, for reports and tests.
pub fn import_errors_by_field(errors: &[RowError]) -> Vec<(u64, String)> {
    errors.iter().map(|e| (e.line, e.field.clone())).collect()
}
