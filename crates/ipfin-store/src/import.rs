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
use sea_orm::{ConnectionTrait, FromQueryResult, Value};
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

/// A column of an import file: field, the header names it is recognised by (the first is the
/// template's), and whether it is required.
pub type Column = (&'static str, &'static [&'static str], bool);

/// What an import file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    Enterprises,
    Tags,
    IpAssets,
    /// IP pledge loans with their pledge registration, reported by a financial institution.
    Loans,
}

impl ImportKind {
    pub const ALL: [ImportKind; 4] = [
        ImportKind::Enterprises,
        ImportKind::Tags,
        ImportKind::IpAssets,
        ImportKind::Loans,
    ];

    /// Whether a caller of this scope imports this kind: registry data by the city and the
    /// district's lead officers, loans by financial institutions (their own).
    pub fn allowed_for(self, scope: &Scope) -> bool {
        match self {
            ImportKind::Loans => matches!(scope, Scope::Institution { .. }),
            _ => matches!(scope, Scope::City | Scope::District { manage: true, .. }),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            ImportKind::Enterprises => "enterprises",
            ImportKind::Tags => "tags",
            ImportKind::IpAssets => "ip_assets",
            ImportKind::Loans => "loans",
        }
    }

    /// By code; `ip-assets` (the CLI's spelling) is accepted too.
    pub fn from_code(s: &str) -> Option<ImportKind> {
        let s = s.replace('-', "_");
        ImportKind::ALL.into_iter().find(|k| k.code() == s)
    }

    pub fn zh(self) -> &'static str {
        match self {
            ImportKind::Enterprises => "企业名录",
            ImportKind::Tags => "企业标签（白名单类别）",
            ImportKind::IpAssets => "知识产权",
            ImportKind::Loans => "质押贷款",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            ImportKind::Enterprises => "Enterprises",
            ImportKind::Tags => "Enterprise tags",
            ImportKind::IpAssets => "IP assets",
            ImportKind::Loans => "Pledge loans",
        }
    }

    pub fn columns(self) -> &'static [Column] {
        match self {
            ImportKind::Enterprises => ENTERPRISE_COLUMNS,
            ImportKind::Tags => TAG_COLUMNS,
            ImportKind::IpAssets => IP_COLUMNS,
            ImportKind::Loans => LOAN_COLUMNS,
        }
    }

    /// One example row of the template.
    fn example(self) -> &'static [&'static str] {
        match self {
            ImportKind::Enterprises => &[
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
            ],
            ImportKind::Tags => &[
                "9144030071526726XG",
                "高新技术企业",
                "深科技创新〔2025〕12号",
                "2025",
                "2025-12-01",
                "2028-11-30",
            ],
            ImportKind::IpAssets => &[
                "9144030071526726XG",
                "专利",
                "ZL 202310123456.6",
                "一种数据压缩方法",
                "有效",
                "2024-06-18",
                "",
            ],
            ImportKind::Loans => &[
                "2026-ZY-0012",
                "9144030071526726XG",
                "5000000.00",
                "3.45",
                "2026-03-05",
                "2027-03-04",
                "2026-03-05",
                "是",
                "否",
                "",
                "",
                "Y2026980012345",
                "5000000.00",
                "2026-03-01",
                "专利:202310123456.6;商标:12345678",
                "存续",
            ],
        }
    }
}

const CREDIT_CODE_COLUMN: Column = (
    "credit_code",
    &["统一社会信用代码", "信用代码", "credit_code"],
    true,
);

/// The tag columns: the tag type by its Chinese name or code.
pub const TAG_COLUMNS: &[Column] = &[
    CREDIT_CODE_COLUMN,
    ("tag_type", &["标签类型", "标签", "tag_type"], true),
    (
        "source",
        &["来源", "认定文件", "来源（认定文件或名单）", "source"],
        true,
    ),
    ("year", &["认定年度", "年度", "year"], true),
    (
        "valid_from",
        &["有效期起", "有效期开始", "valid_from"],
        false,
    ),
    ("valid_to", &["有效期止", "有效期截止", "valid_to"], false),
];

/// The IP asset columns: 专利 / 商标 / 软件著作权 / 作品著作权 (or the codes).
pub const IP_COLUMNS: &[Column] = &[
    CREDIT_CODE_COLUMN,
    ("kind", &["类型", "知识产权类型", "kind"], true),
    (
        "number",
        &["号码", "申请号", "注册号", "登记号", "number"],
        true,
    ),
    ("title", &["名称", "专利名称", "title"], true),
    ("legal_status", &["法律状态", "legal_status"], true),
    (
        "grant_date",
        &["授权日", "授权日期", "注册日", "grant_date"],
        false,
    ),
    ("nice_class", &["尼斯分类", "类别", "nice_class"], false),
];

/// The loan columns: one loan with one pledge registration a row; the pledged IP as
/// `类型:号码` separated by `;`.
pub const LOAN_COLUMNS: &[Column] = &[
    (
        "contract_number",
        &["合同编号", "借款合同编号", "contract_number"],
        true,
    ),
    (
        "credit_code",
        &["借款人统一社会信用代码", "统一社会信用代码", "credit_code"],
        true,
    ),
    (
        "principal_yuan",
        &["贷款金额（元）", "贷款金额(元)", "principal_yuan"],
        true,
    ),
    (
        "rate_percent",
        &["年利率（%）", "年利率(%)", "年利率", "rate_percent"],
        true,
    ),
    ("start_date", &["起始日", "贷款起始日", "start_date"], true),
    ("end_date", &["到期日", "贷款到期日", "end_date"], true),
    ("disbursement_date", &["放款日", "disbursement_date"], false),
    ("first_loan", &["首贷", "是否首贷", "first_loan"], false),
    (
        "other_collateral",
        &["有其他担保", "其他担保", "other_collateral"],
        false,
    ),
    (
        "ip_amount_yuan",
        &[
            "知识产权对应金额（元）",
            "知识产权对应金额(元)",
            "ip_amount_yuan",
        ],
        false,
    ),
    (
        "ip_ratio_percent",
        &[
            "知识产权对应比例（%）",
            "知识产权对应比例(%)",
            "ip_ratio_percent",
        ],
        false,
    ),
    ("pledge_number", &["质押登记号", "pledge_number"], true),
    (
        "secured_amount_yuan",
        &[
            "担保债权金额（元）",
            "担保债权金额(元)",
            "secured_amount_yuan",
        ],
        false,
    ),
    (
        "registration_date",
        &["质押登记日", "登记日", "registration_date"],
        true,
    ),
    (
        "pledge_items",
        &["质押知识产权", "质押物", "pledge_items"],
        true,
    ),
    ("status", &["状态", "贷款状态", "status"], false),
];

/// The enterprise columns, each with the header names it is recognised by.
pub const ENTERPRISE_COLUMNS: &[Column] = &[
    CREDIT_CODE_COLUMN,
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
    columns: &[Column],
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
    for (field, names, required) in columns {
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
    /// The name index text (filled in by the importer for its backend).
    pub index_text: String,
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
    if !scope.manages_kind_in(
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
        index_text: String::new(),
    })
}

/// A row's name index text: as prepared by the reading thread, or computed here.
fn index_text(backend: sea_orm::DbBackend, r: &ReadyRow) -> String {
    if r.index_text.is_empty() {
        crate::enterprise::name_index_text(backend, &r.name)
    } else {
        r.index_text.clone()
    }
}

impl Store {
    /// Tag type code and Chinese name → code, over every tag type (whether a district's own
    /// type fits the enterprise is checked when the row is written).
    pub async fn tag_type_lookup(&self) -> Result<HashMap<String, String>> {
        #[derive(FromQueryResult)]
        struct T {
            code: String,
            name_zh: String,
        }
        let all: Vec<T> =
            fetch_all(self.conn(), "SELECT code, name_zh FROM tag_types", vec![]).await?;
        let mut m = HashMap::new();
        for t in all {
            m.insert(t.name_zh, t.code.clone());
            m.insert(t.code.clone(), t.code);
        }
        Ok(m)
    }

    /// The scope's enterprises with these credit codes: code → (id, registered district).
    async fn enterprises_by_code(
        tx: &WriteTx,
        scope: &Scope,
        codes: &[&str],
    ) -> Result<HashMap<String, (i64, Option<String>)>> {
        #[derive(FromQueryResult)]
        struct E {
            id: i64,
            credit_code: String,
            registered_district: Option<String>,
        }
        let mut out = HashMap::new();
        for chunk in codes.chunks(2000) {
            let (cond, mut values) =
                crate::visibility::condition(scope, ipfin_domain::visibility::Records::Enterprises);
            let placeholders = vec!["?"; chunk.len()].join(", ");
            values.extend(chunk.iter().map(|c| Value::from(c.to_string())));
            let found: Vec<E> = fetch_all(
                tx.conn(),
                &format!(
                    "SELECT e.id, e.credit_code, e.registered_district FROM enterprises e{} WHERE {cond} AND e.credit_code IN ({placeholders})",
                    code_index_hint(tx.conn().get_database_backend())
                ),
                values,
            )
            .await?;
            out.extend(
                found
                    .into_iter()
                    .map(|e| (e.credit_code, (e.id, e.registered_district))),
            );
        }
        Ok(out)
    }

    /// Writes a batch of tag rows: a tag is one (enterprise, type, year); new ones are added,
    /// changed sources or validity updated, identical ones left alone. Rows naming an
    /// enterprise outside the scope, or a district's tag type for another district, are errors.
    pub async fn import_tag_batch(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        rows: Vec<TagRow>,
    ) -> Result<(BatchOutcome, Vec<RowError>)> {
        let mut out = BatchOutcome::default();
        let mut errors = Vec::new();
        if rows.is_empty() {
            return Ok((out, errors));
        }
        let codes: Vec<&str> = rows.iter().map(|r| r.code.as_str()).collect();
        let ents = Self::enterprises_by_code(tx, scope, &codes).await?;
        #[derive(FromQueryResult)]
        struct T {
            code: String,
            district_code: Option<String>,
        }
        let type_district: HashMap<String, Option<String>> = fetch_all::<T, _>(
            tx.conn(),
            "SELECT code, district_code FROM tag_types",
            vec![],
        )
        .await?
        .into_iter()
        .map(|t| (t.code, t.district_code))
        .collect();
        #[derive(FromQueryResult)]
        struct Existing {
            id: i64,
            enterprise_id: i64,
            tag_type: String,
            year: i32,
            source: String,
            valid_from: Option<chrono::NaiveDate>,
            valid_to: Option<chrono::NaiveDate>,
        }
        let ids: Vec<i64> = ents.values().map(|(id, _)| *id).collect();
        let mut existing: HashMap<(i64, String, i32), Existing> = HashMap::new();
        for chunk in ids.chunks(2000) {
            let placeholders = vec!["?"; chunk.len()].join(", ");
            let found: Vec<Existing> = fetch_all(
                tx.conn(),
                &format!("SELECT id, enterprise_id, tag_type, year, source, valid_from, valid_to FROM enterprise_tags WHERE enterprise_id IN ({placeholders})"),
                chunk.iter().map(|id| Value::from(*id)).collect(),
            )
            .await?;
            existing.extend(
                found
                    .into_iter()
                    .map(|e| ((e.enterprise_id, e.tag_type.clone(), e.year), e)),
            );
        }
        let now = crate::now_s();
        let mut new_rows: Vec<(i64, TagRow)> = Vec::new();
        for r in rows {
            let Some((ent_id, district)) = ents.get(&r.code) else {
                errors.push(not_in_scope(r.line, &r.code, r.values));
                continue;
            };
            if let Some(Some(own)) = type_district.get(&r.tag_type)
                && district.as_deref() != Some(own.as_str())
            {
                errors.push(RowError {
                    line: r.line,
                    field: "tag_type".into(),
                    message: "该标签类型由其他辖区自定义，不能用于本企业。".into(),
                    values: r.values,
                });
                continue;
            }
            match existing.get(&(*ent_id, r.tag_type.clone(), r.year)) {
                Some(e)
                    if e.source == r.source
                        && e.valid_from == r.valid_from
                        && e.valid_to == r.valid_to =>
                {
                    out.unchanged += 1;
                }
                Some(e) => {
                    exec(
                        tx.conn(),
                        "UPDATE enterprise_tags SET source = ?, valid_from = ?, valid_to = ? WHERE id = ?",
                        vec![r.source.clone().into(), r.valid_from.into(), r.valid_to.into(), e.id.into()],
                    )
                    .await?;
                    out.updated += 1;
                }
                None => new_rows.push((*ent_id, r)),
            }
        }
        for chunk in new_rows.chunks(1000) {
            let placeholders = vec!["(?, ?, ?, ?, ?, ?, ?)"; chunk.len()].join(", ");
            let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 7);
            for (ent_id, r) in chunk {
                values.extend([
                    Value::from(*ent_id),
                    r.tag_type.clone().into(),
                    r.source.clone().into(),
                    r.year.into(),
                    r.valid_from.into(),
                    r.valid_to.into(),
                    now.into(),
                ]);
            }
            exec(
                tx.conn(),
                &format!("INSERT INTO enterprise_tags (enterprise_id, tag_type, source, year, valid_from, valid_to, created_at) VALUES {placeholders}"),
                values,
            )
            .await?;
            out.inserted += chunk.len() as u64;
        }
        Ok((out, errors))
    }

    /// Writes a batch of IP asset rows: an asset is one (kind, number); new ones are added to
    /// the enterprise, changed titles, statuses and dates updated, identical ones left alone.
    /// A number already held by another enterprise is an error (a transfer is recorded by
    /// an officer, not by a bulk file).
    pub async fn import_ip_batch(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        rows: Vec<IpRow>,
    ) -> Result<(BatchOutcome, Vec<RowError>)> {
        let mut out = BatchOutcome::default();
        let mut errors = Vec::new();
        if rows.is_empty() {
            return Ok((out, errors));
        }
        let codes: Vec<&str> = rows.iter().map(|r| r.code.as_str()).collect();
        let ents = Self::enterprises_by_code(tx, scope, &codes).await?;
        #[derive(FromQueryResult)]
        struct Existing {
            id: i64,
            enterprise_id: i64,
            kind: String,
            number: String,
            patent_kind: Option<String>,
            title: String,
            legal_status: String,
            grant_date: Option<chrono::NaiveDate>,
            nice_class: Option<i16>,
        }
        let numbers: Vec<&str> = rows.iter().map(|r| r.ip.number.as_str()).collect();
        let mut existing: HashMap<(String, String), Existing> = HashMap::new();
        for chunk in numbers.chunks(2000) {
            let placeholders = vec!["?"; chunk.len()].join(", ");
            let found: Vec<Existing> = fetch_all(
                tx.conn(),
                &format!("SELECT id, enterprise_id, kind, number, patent_kind, title, legal_status, grant_date, nice_class FROM ip_assets WHERE number IN ({placeholders})"),
                chunk.iter().map(|n| Value::from(n.to_string())).collect(),
            )
            .await?;
            existing.extend(
                found
                    .into_iter()
                    .map(|e| ((e.kind.clone(), e.number.clone()), e)),
            );
        }
        let now = crate::now_s();
        let mut new_rows: Vec<(i64, IpRow)> = Vec::new();
        for r in rows {
            let Some((ent_id, _)) = ents.get(&r.code) else {
                errors.push(not_in_scope(r.line, &r.code, r.values));
                continue;
            };
            let ip = &r.ip;
            let patent_kind = ip.patent_kind.map(|k| k.code().to_string());
            match existing.get(&(ip.kind.code().to_string(), ip.number.clone())) {
                Some(e) if e.enterprise_id != *ent_id => errors.push(RowError {
                    line: r.line,
                    field: "number".into(),
                    message: format!(
                        "{}“{}”已登记在其他企业名下；权利转移请由区级经办人在企业页面办理。",
                        ip.kind.zh(),
                        ip.number
                    ),
                    values: r.values,
                }),
                Some(e)
                    if e.title == ip.title
                        && e.legal_status == ip.legal_status
                        && e.grant_date == ip.grant_date
                        && e.nice_class == ip.nice_class
                        && e.patent_kind == patent_kind =>
                {
                    out.unchanged += 1;
                }
                Some(e) => {
                    exec(
                        tx.conn(),
                        "UPDATE ip_assets SET title = ?, legal_status = ?, grant_date = ?, nice_class = ?, patent_kind = ? WHERE id = ?",
                        vec![ip.title.clone().into(), ip.legal_status.clone().into(), ip.grant_date.into(), ip.nice_class.into(), patent_kind.into(), e.id.into()],
                    )
                    .await?;
                    out.updated += 1;
                }
                None => new_rows.push((*ent_id, r)),
            }
        }
        for chunk in new_rows.chunks(1000) {
            let placeholders = vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?)"; chunk.len()].join(", ");
            let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 9);
            for (ent_id, r) in chunk {
                let ip = &r.ip;
                values.extend([
                    Value::from(*ent_id),
                    ip.kind.code().into(),
                    ip.number.clone().into(),
                    ip.patent_kind.map(|k| k.code().to_string()).into(),
                    ip.title.clone().into(),
                    ip.legal_status.clone().into(),
                    ip.grant_date.into(),
                    ip.nice_class.into(),
                    now.into(),
                ]);
            }
            exec(
                tx.conn(),
                &format!("INSERT INTO ip_assets (enterprise_id, kind, number, patent_kind, title, legal_status, grant_date, nice_class, created_at) VALUES {placeholders}"),
                values,
            )
            .await?;
            out.inserted += chunk.len() as u64;
        }
        Ok((out, errors))
    }
}

impl Store {
    /// Writes a batch of loan rows through [`Store::save_loan`]: a row that breaks a rule is
    /// reported and left out (every check runs before the row writes anything).
    pub async fn import_loan_batch(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        rows: Vec<LoanImportRow>,
    ) -> Result<(BatchOutcome, Vec<RowError>)> {
        let mut out = BatchOutcome::default();
        let mut errors = Vec::new();
        for r in rows {
            match self.save_loan(tx, scope, &r.input).await {
                Ok(saved) => match saved.outcome {
                    crate::financing::SaveOutcome::Created => out.inserted += 1,
                    crate::financing::SaveOutcome::Updated => out.updated += 1,
                    crate::financing::SaveOutcome::Unchanged => out.unchanged += 1,
                },
                Err(StoreError::Invalid(fe)) => errors.push(RowError {
                    line: r.line,
                    field: import_field(fe.field).to_string(),
                    message: fe.msg.zh,
                    values: r.values,
                }),
                Err(StoreError::Forbidden(m)) | Err(StoreError::Conflict(m)) => {
                    errors.push(RowError {
                        line: r.line,
                        field: "_row".into(),
                        message: m.zh,
                        values: r.values,
                    })
                }
                Err(e) => return Err(e),
            }
        }
        Ok((out, errors))
    }
}

/// The file column a store field comes from.
fn import_field(f: &str) -> &str {
    match f {
        "borrower_credit_code" => "credit_code",
        "principal_fen" => "principal_yuan",
        "annual_rate" => "rate_percent",
        "ip_amount_fen" => "ip_amount_yuan",
        "ip_ratio" => "ip_ratio_percent",
        "disbursements" => "disbursement_date",
        "secured_amount_fen" => "secured_amount_yuan",
        "pledges" => "pledge_items",
        "cancellation_date" => "registration_date",
        other => other,
    }
}

/// `INDEXED BY` for a batch lookup of enterprises by credit code on SQLite.
///
/// The planner weighs a `credit_code IN (…5,000 codes…)` lookup against the statistics of
/// `enterprises`, and opening the store runs `PRAGMA optimize`, which analyses the table while
/// it is still small (the demo city's 12 rows). Planned against 12 rows the lookup became a
/// full scan of the table testing each row against the list, and the prepared statement keeps
/// that plan for the whole import: each batch read the whole table, so a 2,000,000-row import
/// spent 78 of its 125 s in this lookup, more the larger the table grew. Naming the index keeps
/// it one index search per code whatever the statistics say.
fn code_index_hint(backend: sea_orm::DbBackend) -> &'static str {
    if backend == sea_orm::DbBackend::Sqlite {
        " INDEXED BY ux_ent_credit_code"
    } else {
        ""
    }
}

fn not_in_scope(line: u64, code: &str, values: Vec<String>) -> RowError {
    RowError {
        line,
        field: "credit_code".into(),
        message: format!("统一社会信用代码 {code} 的企业未在您的辖区登记：请先导入或登记该企业。"),
        values,
    }
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
        for chunk in rows.chunks(5000) {
            let placeholders = vec!["?"; chunk.len()].join(", ");
            let found: Vec<ExistingRow> = fetch_all(
                tx.conn(),
                &format!(
                    "SELECT id, credit_code, name, registered_district, tax_district, independent_legal_person, industry, employees, \
                     operating_revenue_fen, total_assets_fen, data_sharing_consent FROM enterprises{} WHERE credit_code IN ({placeholders})",
                    code_index_hint(tx.conn().get_database_backend())
                ),
                chunk.iter().map(|r| Value::from(r.code.clone())).collect(),
            )
            .await?;
            existing.extend(found.into_iter().map(|e| (e.credit_code.clone(), e)));
        }
        let now = crate::now_s();
        let mut new_rows = Vec::new();
        let mut fresh: Vec<(i64, String)> = Vec::new();
        let mut renamed: Vec<(i64, String)> = Vec::new();
        let mut changed: Vec<(&ReadyRow, &ExistingRow)> = Vec::new();
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
                    } else {
                        changed.push((r, e));
                    }
                }
            }
        }
        // A changed record may move to another district or size class: its loans and pledges
        // move with it in the statistics (decision 0010).
        let changed_ids: Vec<i64> = changed.iter().map(|(_, e)| e.id).collect();
        let before =
            crate::stats_aggregate::enterprise_facts(tx.conn(), &changed_ids, true).await?;
        for (r, e) in changed {
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
            if e.name != r.name {
                renamed.push((e.id, index_text(tx.conn().get_database_backend(), r)));
            }
        }
        let after =
            crate::stats_aggregate::enterprise_facts(tx.conn(), &changed_ids, false).await?;
        tx.replace_stats(&before, &after);
        // Multi-row inserts of 13 values a row (14 on PostgreSQL, which stores the name index
        // in the row): 2,000 rows a statement on SQLite (the bundled SQLite allows 32,766
        // parameters), 1,000 on PostgreSQL.
        let backend = tx.conn().get_database_backend();
        let pg = backend == sea_orm::DbBackend::Postgres;
        let (per_stmt, row_ph) = if pg {
            (1000, "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        } else {
            (2000, "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        };
        for chunk in new_rows.chunks(per_stmt) {
            let placeholders = vec![row_ph; chunk.len()].join(", ");
            let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 14);
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
                if pg {
                    values.push(index_text(backend, r).into());
                }
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
                     employees, operating_revenue_fen, total_assets_fen, size_class, data_sharing_consent, created_at, updated_at{}) \
                     VALUES {placeholders} RETURNING id, credit_code",
                    if pg { ", name_grams" } else { "" }
                ),
                values,
            )
            .await?;
            if !pg {
                let by_code: HashMap<&str, &ReadyRow> =
                    chunk.iter().map(|r| (r.code.as_str(), *r)).collect();
                for i in ids {
                    if let Some(r) = by_code.get(i.credit_code.as_str()) {
                        fresh.push((i.id, index_text(backend, r)));
                    }
                }
            }
            out.inserted += chunk.len() as u64;
        }
        // Name index entries for new and renamed records.
        crate::enterprise::write_index_texts(tx.conn(), &fresh, true).await?;
        crate::enterprise::write_index_texts(tx.conn(), &renamed, false).await?;
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

    /// The imports the scope started (the city sees all), newest first.
    pub async fn imports(
        &self,
        scope: &Scope,
        page: crate::Page,
    ) -> Result<crate::Paged<ImportRecord>> {
        let (cond, values) = import_scope_sql(scope);
        crate::db::fetch_page(
            self.conn(),
            IMPORT_COLS,
            &format!("FROM imports WHERE {cond}"),
            "id DESC",
            values,
            page,
        )
        .await
    }

    /// One import, if the scope started it (or is the city).
    pub async fn import_record(&self, scope: &Scope, id: i64) -> Result<ImportRecord> {
        let (cond, mut values) = import_scope_sql(scope);
        values.insert(0, id.into());
        fetch_opt(
            self.conn(),
            &format!("SELECT {IMPORT_COLS} FROM imports WHERE id = ? AND {cond}"),
            values,
        )
        .await?
        .ok_or(StoreError::NotFound)
    }

    /// At start: imports still marked running were cut off by the last stop. Each gets a
    /// message saying so (importing the same file again resumes it); returns how many.
    pub async fn note_interrupted_imports(&self, actor: crate::audit::AuditActor) -> Result<u64> {
        let n = fetch_i64(
            self.conn(),
            "SELECT COUNT(*) FROM imports WHERE status = 'running' AND message IS NULL",
            vec![],
        )
        .await?;
        if n == 0 {
            return Ok(0);
        }
        let mut tx = self.write(actor).await?;
        exec(
            tx.conn(),
            "UPDATE imports SET message = ? WHERE status = 'running' AND message IS NULL",
            vec![
                "服务已重启，导入在此中断 / the server restarted during this import"
                    .to_string()
                    .into(),
            ],
        )
        .await?;
        tx.audit("import.interrupted", "import", "*", json!({"count": n}))
            .await?;
        tx.commit().await?;
        Ok(n as u64)
    }

    /// Records the expected number of rows (for the progress bar).
    pub async fn set_import_estimate(
        &self,
        actor: crate::audit::AuditActor,
        id: i64,
        rows: u64,
    ) -> Result<()> {
        self.import_note(
            actor,
            id,
            "import.estimate",
            "rows_estimate",
            Value::from(rows as i64),
        )
        .await
    }

    /// Records why an import stopped before the end (it resumes when the file is imported again).
    pub async fn set_import_message(
        &self,
        actor: crate::audit::AuditActor,
        id: i64,
        message: &str,
    ) -> Result<()> {
        self.import_note(
            actor,
            id,
            "import.interrupted",
            "message",
            Value::from(message.to_string()),
        )
        .await
    }

    /// Records where the import's row error report was written.
    pub async fn set_import_error_report(
        &self,
        actor: crate::audit::AuditActor,
        id: i64,
        path: &str,
    ) -> Result<()> {
        self.import_note(
            actor,
            id,
            "import.error_report",
            "error_report",
            Value::from(path.to_string()),
        )
        .await
    }

    async fn import_note(
        &self,
        actor: crate::audit::AuditActor,
        id: i64,
        action: &str,
        column: &'static str,
        value: Value,
    ) -> Result<()> {
        let mut tx = self.write(actor).await?;
        exec(
            tx.conn(),
            &format!("UPDATE imports SET {column} = ? WHERE id = ?"),
            vec![value.clone(), id.into()],
        )
        .await?;
        tx.audit(action, "import", id, json!({ column: value.to_string() }))
            .await?;
        tx.commit().await
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
            "UPDATE imports SET status = 'done', finished_at = ?, message = NULL WHERE id = ?",
            vec![crate::now_s().into(), import_id.into()],
        )
        .await?;
        tx.audit("import.finish", "import", import_id, json!({}))
            .await?;
        tx.commit().await?;
        // Fresh statistics after a bulk load, so the planners pick the name index for a rare
        // fragment and the district's id order for a common one.
        // (Without statistics SQLite drives a name search from the district index and runs
        // the FTS match row by row: 600 ms instead of 2 ms at 2,000,000 enterprises.)
        exec(self.conn(), "ANALYZE enterprises", vec![]).await?;
        Ok(())
    }
}

/// An import as listed and shown to the officer who started it.
#[derive(Debug, Clone, FromQueryResult, serde::Serialize)]
pub struct ImportRecord {
    pub id: i64,
    pub kind: String,
    pub file_name: String,
    pub status: String,
    pub rows_done: i64,
    pub rows_estimate: Option<i64>,
    pub inserted: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub errors: i64,
    pub started_at: i64,
    pub finished_at: Option<i64>,
    pub message: Option<String>,
    pub error_report: Option<String>,
}

impl ImportRecord {
    pub fn running(&self) -> bool {
        self.status == "running"
    }
    /// Percent done, when an estimate is known.
    pub fn percent(&self) -> Option<i64> {
        match (self.running(), self.rows_estimate) {
            (false, _) => Some(100),
            (true, Some(n)) if n > 0 => Some((self.rows_done * 100 / n).min(99)),
            _ => None,
        }
    }
}

pub(crate) const IMPORT_COLS: &str = "id, kind, file_name, status, rows_done, rows_estimate, inserted, updated, unchanged, errors, \
    started_at, finished_at, message, error_report";

fn import_scope_sql(scope: &Scope) -> (String, Vec<Value>) {
    match scope {
        Scope::City => ("1=1".into(), vec![]),
        Scope::District { .. } | Scope::Institution { .. } => {
            ("scope = ?".into(), vec![scope_key(scope).into()])
        }
        _ => ("1=0".into(), vec![]),
    }
}

fn scope_key(scope: &Scope) -> String {
    match scope {
        Scope::City => "city".into(),
        Scope::District { code, .. } => format!("district:{code}"),
        Scope::Institution { org_id } => format!("institution:{org_id}"),
        other => format!("{other:?}"),
    }
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

/// Tracks the keys of rows seen earlier in the file: credit codes compactly, other keys as
/// strings.
///
/// A city-sized registry is two million codes. Held in a hash map of `[u8; 18]` → `u64` they
/// took 138 MB (4,194,304 buckets of 33 bytes) plus the old table while it grew (207 MB at
/// the last resize), the largest part of the import's peak memory. Here a code is packed into
/// 12 bytes (18 characters of a 31-letter alphabet are 90 bits) with its line as `u32`, 16
/// bytes an entry: recent codes in a small hash map, older ones in a sorted vector they are
/// merged into every 65,536 codes (32 MB for two million, 64 MB while merging).
#[derive(Default)]
pub struct SeenKeys {
    sorted: Vec<([u8; 12], u32)>,
    recent: HashMap<[u8; 12], u32>,
    other: HashMap<String, u64>,
}

impl SeenKeys {
    const RECENT: usize = 1 << 16;

    /// Records a key; returns the line it was first seen on when it is a duplicate.
    pub fn first_line(&mut self, key: &str, line: u64) -> Option<u64> {
        let code = pack_code(key);
        if let Some(code) = &code {
            if let Some(l) = self.recent.get(code) {
                return Some(u64::from(*l));
            }
            if let Ok(i) = self.sorted.binary_search_by(|(c, _)| c.cmp(code)) {
                return Some(u64::from(self.sorted[i].1));
            }
        }
        if let Some(l) = self.other.get(key) {
            return Some(*l);
        }
        match (code, u32::try_from(line)) {
            (Some(code), Ok(line)) => {
                self.recent.insert(code, line);
                if self.recent.len() >= Self::RECENT {
                    self.merge_recent();
                }
            }
            _ => {
                self.other.insert(key.to_string(), line);
            }
        }
        None
    }

    /// Moves the recent codes into the sorted vector.
    fn merge_recent(&mut self) {
        let mut recent: Vec<([u8; 12], u32)> = self.recent.drain().collect();
        recent.sort_unstable_by_key(|a| a.0);
        let old = std::mem::take(&mut self.sorted);
        let mut merged = Vec::with_capacity(old.len() + recent.len());
        let (mut a, mut b) = (old.into_iter().peekable(), recent.into_iter().peekable());
        loop {
            let next = match (a.peek(), b.peek()) {
                (Some(x), Some(y)) if x.0 <= y.0 => a.next(),
                (Some(_), Some(_)) => b.next(),
                (Some(_), None) => a.next(),
                (None, Some(_)) => b.next(),
                (None, None) => break,
            };
            merged.extend(next);
        }
        self.sorted = merged;
    }
}

/// A credit code (18 characters of [`ipfin_domain::credit_code::ALPHABET`]) packed into 12
/// bytes, 5 bits a character; `None` for any other key.
fn pack_code(key: &str) -> Option<[u8; 12]> {
    if key.len() != 18 {
        return None;
    }
    let alphabet = ipfin_domain::credit_code::ALPHABET.as_bytes();
    let mut v: u128 = 0;
    for b in key.bytes() {
        let d = alphabet.iter().position(|a| *a == b)?;
        v = (v << 5) | d as u128;
    }
    let bytes = v.to_be_bytes();
    let mut out = [0u8; 12];
    out.copy_from_slice(&bytes[4..]);
    Some(out)
}

/// What the reading thread needs to check rows.
struct RowContext {
    kind: ImportKind,
    cols: HashMap<&'static str, usize>,
    districts: HashMap<String, String>,
    /// Tag type code and Chinese name → code.
    tag_types: HashMap<String, String>,
    scope: Scope,
    backend: sea_orm::DbBackend,
}

/// A checked row, ready to write.
pub enum Ready {
    Enterprise(ReadyRow),
    Tag(TagRow),
    Ip(IpRow),
    Loan(LoanImportRow),
}

/// A loan row, parsed (the store checks it against the database when writing).
pub struct LoanImportRow {
    pub line: u64,
    pub values: Vec<String>,
    pub input: crate::financing::LoanInput,
}

impl Ready {
    /// What makes two rows of a file the same record.
    fn key(&self) -> String {
        match self {
            Ready::Enterprise(r) => r.code.clone(),
            Ready::Tag(r) => format!("{} {} {}", r.code, r.tag_type, r.year),
            Ready::Ip(r) => format!("{} {}", r.ip.kind.code(), r.ip.number),
            Ready::Loan(r) => r.input.terms.contract_number.clone(),
        }
    }

    fn duplicate_error(&self, first: u64) -> (String, String) {
        match self {
            Ready::Enterprise(_) => (
                "credit_code".to_string(),
                format!("统一社会信用代码与第 {first} 行重复。"),
            ),
            Ready::Tag(_) => (
                "tag_type".to_string(),
                format!("同一企业同一年度的此类标签与第 {first} 行重复。"),
            ),
            Ready::Ip(_) => (
                "number".to_string(),
                format!("知识产权号码与第 {first} 行重复。"),
            ),
            Ready::Loan(_) => (
                "contract_number".to_string(),
                format!("合同编号与第 {first} 行重复。"),
            ),
        }
    }
}

/// A checked tag row.
pub struct TagRow {
    pub line: u64,
    pub values: Vec<String>,
    pub code: String,
    pub tag_type: String,
    pub source: String,
    pub year: i32,
    pub valid_from: Option<chrono::NaiveDate>,
    pub valid_to: Option<chrono::NaiveDate>,
}

/// A checked IP asset row.
pub struct IpRow {
    pub line: u64,
    pub values: Vec<String>,
    pub code: String,
    pub ip: crate::enterprise::ValidIp,
}

type RowResult<T> = std::result::Result<T, (String, String)>;

fn field_err(e: StoreError) -> (String, String) {
    match e {
        StoreError::Invalid(fe) => (fe.field.to_string(), fe.msg.zh),
        other => ("_row".to_string(), other.to_string()),
    }
}

/// A date as officials write it: 2025-12-01, 2025/12/1, 2025.12.1, 2025年12月1日, or an
/// XLSX date cell (read as 2025-12-01 00:00:00).
pub fn parse_date(v: &str) -> Option<chrono::NaiveDate> {
    let v = v.trim();
    let v = v.split([' ', 'T']).next().unwrap_or(v);
    let norm: String = v
        .replace(['年', '月', '/', '.'], "-")
        .trim_end_matches('日')
        .to_string();
    chrono::NaiveDate::parse_from_str(&norm, "%Y-%m-%d").ok()
}

impl RowContext {
    fn get(&self, values: &[String], f: &str) -> String {
        self.cols
            .get(f)
            .and_then(|i| values.get(*i))
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    }

    fn date(&self, values: &[String], f: &str) -> RowResult<Option<chrono::NaiveDate>> {
        let v = self.get(values, f);
        if v.is_empty() {
            return Ok(None);
        }
        parse_date(&v).map(Some).ok_or_else(|| {
            (
                f.to_string(),
                format!("“{v}”不是有效日期：请按“2025-12-01”的格式填写。"),
            )
        })
    }

    fn credit_code(&self, values: &[String]) -> RowResult<String> {
        ipfin_domain::CreditCode::parse(&self.get(values, "credit_code"))
            .map(|c| c.to_string())
            .map_err(|m| ("credit_code".to_string(), m.zh))
    }

    fn yuan(&self, values: &[String], f: &str) -> RowResult<Option<i64>> {
        let v = self.get(values, f);
        if v.is_empty() {
            return Ok(None);
        }
        ipfin_domain::money::parse_amount(&v, 100)
            .map(Some)
            .ok_or_else(|| {
                (
                    f.to_string(),
                    format!("金额“{v}”无效：以元填写，最多两位小数，如 5000000.00。"),
                )
            })
    }

    fn required_date(&self, values: &[String], f: &str) -> RowResult<chrono::NaiveDate> {
        self.date(values, f)?
            .ok_or_else(|| (f.to_string(), "请填写日期，如 2026-03-05。".to_string()))
    }

    /// A loan row: amounts in 元, rates and shares in percent, 是/否 flags, the pledged IP as
    /// `类型:号码;类型:号码`.
    fn loan(&self, values: &[String]) -> RowResult<crate::financing::LoanInput> {
        use crate::financing::{LoanInput, PledgeInput, PledgeItemInput, parse_rate};
        use ipfin_domain::financing::{Disbursement, LoanStatus, LoanTerms, PledgeTerms};
        let principal = self.yuan(values, "principal_yuan")?.unwrap_or(0);
        let rate_text = self.get(values, "rate_percent");
        let rate =
            parse_rate(&format!("{}%", rate_text.trim_end_matches('%'))).ok_or_else(|| {
                (
                    "rate_percent".to_string(),
                    format!("年利率“{rate_text}”无效：以百分数填写，如 3.45。"),
                )
            })?;
        let ratio_text = self.get(values, "ip_ratio_percent");
        let ip_ratio = if ratio_text.is_empty() {
            None
        } else {
            Some(
                parse_rate(&format!("{}%", ratio_text.trim_end_matches('%'))).ok_or_else(|| {
                    (
                        "ip_ratio_percent".to_string(),
                        format!("知识产权对应比例“{ratio_text}”无效：以百分数填写，如 60。"),
                    )
                })?,
            )
        };
        let flag = |f: &str| -> RowResult<bool> {
            let v = self.get(values, f);
            yes_no(&v, false).ok_or_else(|| (f.to_string(), format!("“{v}”应为“是”或“否”。")))
        };
        let status_text = self.get(values, "status");
        let status = if status_text.is_empty() {
            None
        } else {
            Some(
                LoanStatus::ALL
                    .iter()
                    .copied()
                    .find(|s| s.code() == status_text || s.zh() == status_text)
                    .ok_or_else(|| {
                        (
                            "status".to_string(),
                            format!("状态“{status_text}”无效：请填写 存续、已结清、逾期 或 违约。"),
                        )
                    })?,
            )
        };
        let start = self.required_date(values, "start_date")?;
        let disbursements = match self.date(values, "disbursement_date")? {
            Some(date) => vec![Disbursement {
                date,
                amount_fen: principal,
            }],
            None => vec![],
        };
        let mut items = Vec::new();
        let items_text = self.get(values, "pledge_items");
        for part in items_text
            .split([';', '；', '\n'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let (kind_text, number) = part.split_once([':', '：']).ok_or_else(|| {
                (
                    "pledge_items".to_string(),
                    format!("“{part}”：请按“类型:号码”填写，多项用分号分隔，如“专利:202310123456.6;商标:12345678”。"),
                )
            })?;
            let kind_text = kind_text.trim();
            let kind = ipfin_domain::ip_number::IpKind::ALL
                .iter()
                .copied()
                .find(|k| k.code() == kind_text || k.zh() == kind_text)
                .or(match kind_text {
                    "专利" => Some(ipfin_domain::ip_number::IpKind::Patent),
                    "软著" => Some(ipfin_domain::ip_number::IpKind::SoftwareCopyright),
                    _ => None,
                })
                .ok_or_else(|| {
                    (
                        "pledge_items".to_string(),
                        format!("质押物类型“{kind_text}”无效：请填写 专利、商标、软件著作权 或 作品著作权。"),
                    )
                })?;
            items.push(PledgeItemInput {
                kind: kind.code().to_string(),
                number: number.trim().to_string(),
                title: None,
                related_party: None,
            });
        }
        Ok(LoanInput {
            borrower_credit_code: self.get(values, "credit_code"),
            terms: LoanTerms {
                contract_number: self.get(values, "contract_number"),
                principal_fen: principal,
                annual_rate: rate,
                start,
                end: self.required_date(values, "end_date")?,
                disbursements,
                other_collateral: flag("other_collateral")?,
                ip_amount_fen: self.yuan(values, "ip_amount_yuan")?,
                ip_ratio,
            },
            first_loan: flag("first_loan")?,
            status,
            pledges: vec![PledgeInput {
                terms: PledgeTerms {
                    number: self.get(values, "pledge_number"),
                    secured_amount_fen: self
                        .yuan(values, "secured_amount_yuan")?
                        .unwrap_or(principal),
                    registration_date: self.required_date(values, "registration_date")?,
                    cancellation_date: None,
                },
                items,
            }],
        })
    }

    /// Parses and checks one row of the file.
    fn parse(&self, line: u64, values: &[String]) -> RowResult<Ready> {
        match self.kind {
            ImportKind::Enterprises => {
                let input = parse_enterprise_row(&self.cols, values, &self.districts)?;
                let mut r = ready(&self.scope, line, input)?;
                r.index_text = crate::enterprise::name_index_text(self.backend, &r.name);
                Ok(Ready::Enterprise(r))
            }
            ImportKind::Tags => {
                let code = self.credit_code(values)?;
                let given = self.get(values, "tag_type");
                let tag_type = self.tag_types.get(&given).cloned().ok_or_else(|| {
                    (
                        "tag_type".to_string(),
                        format!("标签类型“{given}”不存在：请填写标签类型名称（如“高新技术企业”）或代码。"),
                    )
                })?;
                let year_text = self.get(values, "year");
                let year = year_text.parse::<i32>().map_err(|_| {
                    (
                        "year".to_string(),
                        format!("认定年度“{year_text}”不是年份：请填写四位数字，如 2025。"),
                    )
                })?;
                let input = crate::enterprise::TagInput {
                    tag_type: tag_type.clone(),
                    source: self.get(values, "source"),
                    year,
                    valid_from: self.date(values, "valid_from")?,
                    valid_to: self.date(values, "valid_to")?,
                };
                let source = crate::enterprise::validate_tag(&input).map_err(field_err)?;
                Ok(Ready::Tag(TagRow {
                    line,
                    values: values.to_vec(),
                    code,
                    tag_type,
                    source,
                    year,
                    valid_from: input.valid_from,
                    valid_to: input.valid_to,
                }))
            }
            ImportKind::IpAssets => {
                let code = self.credit_code(values)?;
                let kind_text = self.get(values, "kind");
                let kind = ipfin_domain::ip_number::IpKind::ALL
                    .iter()
                    .copied()
                    .find(|k| k.code() == kind_text || k.zh() == kind_text)
                    .ok_or_else(|| {
                        (
                            "kind".to_string(),
                            format!("类型“{kind_text}”无效：请填写 专利、商标、软件著作权 或 作品著作权。"),
                        )
                    })?;
                let status_text = self.get(values, "legal_status");
                let legal_status = crate::enterprise::LEGAL_STATUSES
                    .iter()
                    .find(|(c, zh, _)| *c == status_text || *zh == status_text)
                    .map(|(c, _, _)| c.to_string())
                    .ok_or_else(|| {
                        (
                            "legal_status".to_string(),
                            format!("法律状态“{status_text}”无效：请填写 审查中、有效 或 失效。"),
                        )
                    })?;
                let input = crate::enterprise::IpInput {
                    kind: kind.code().to_string(),
                    number: self.get(values, "number"),
                    title: self.get(values, "title"),
                    legal_status,
                    grant_date: self.date(values, "grant_date")?,
                    nice_class: Some(self.get(values, "nice_class")).filter(|s| !s.is_empty()),
                };
                let ip = crate::enterprise::validate_ip(&input).map_err(field_err)?;
                Ok(Ready::Ip(IpRow {
                    line,
                    values: values.to_vec(),
                    code,
                    ip,
                }))
            }
            ImportKind::Loans => Ok(Ready::Loan(LoanImportRow {
                line,
                values: values.to_vec(),
                input: self.loan(values)?,
            })),
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
    /// Imports enterprises from a CSV or XLSX file (see [`Store::import_file`]).
    pub async fn import_enterprises_file(
        &self,
        path: &Path,
        scope: &Scope,
        actor: crate::audit::AuditActor,
        batch_size: usize,
        progress: &mut (dyn FnMut(u64) + Send),
    ) -> std::result::Result<ImportReport, ImportError> {
        self.import_file(
            ImportKind::Enterprises,
            path,
            scope,
            actor,
            batch_size,
            progress,
        )
        .await
    }

    /// Imports a CSV or XLSX file of `kind` in batches of `batch_size` rows, each batch in one
    /// transaction: rows that fail a check are left out and reported, the others are written.
    /// Importing the same file again changes nothing; an interrupted import of the same file
    /// resumes after its last committed batch. `progress` is called after each batch with
    /// the number of data rows processed.
    pub async fn import_file(
        &self,
        kind: ImportKind,
        path: &Path,
        scope: &Scope,
        actor: crate::audit::AuditActor,
        batch_size: usize,
        progress: &mut (dyn FnMut(u64) + Send),
    ) -> std::result::Result<ImportReport, ImportError> {
        let src = open_rows(path)?;
        let cols = map_headers(kind.columns(), &src.headers)?;
        let ctx = RowContext {
            kind,
            cols,
            districts: self.district_lookup().await?,
            tag_types: self.tag_type_lookup().await?,
            scope: scope.clone(),
            backend: self.backend(),
        };
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
            .begin_import(scope, actor.clone(), kind.code(), &key, &name)
            .await?;
        let mut report = ImportReport {
            import_id,
            encoding: src.encoding,
            headers: src.headers.clone(),
            resumed_from: done,
            ..Default::default()
        };
        // Reading, parsing and validating run on a blocking thread while the previous batch is
        // written: the two halves take similar time, so on two cores the import runs at
        // nearly the rate of the slower one rather than their sum.
        let (sender, mut receiver) = tokio::sync::mpsc::channel::<Prepared>(2);
        let batch_size = batch_size.max(1);
        let producer = tokio::task::spawn_blocking(move || {
            prepare_batches(src, &ctx, done, batch_size, &sender)
        });
        while let Some(p) = receiver.recv().await {
            let mut batch_errors = p.errors.len() as u64;
            report.errors.extend(p.errors);
            report.rows = p.rows_seen;
            if p.rows.is_empty() && batch_errors == 0 && !p.last {
                continue;
            }
            self.flush_batch(
                &actor,
                scope,
                import_id,
                p.rows,
                report.rows,
                &mut batch_errors,
                &mut report,
            )
            .await?;
            progress(report.rows);
        }
        // The producer's own result: a file error ends the import where it stood (committed
        // batches stay; running the import again resumes after them).
        match producer.await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(e.into()),
            Err(e) => {
                return Err(file_error(
                    "file.read",
                    format!("读取文件时出错：{e}"),
                    format!("Reading the file failed: {e}"),
                )
                .into());
            }
        }
        self.finish_import(actor, import_id).await?;
        Ok(report)
    }

    #[allow(clippy::too_many_arguments)]
    async fn flush_batch(
        &self,
        actor: &crate::audit::AuditActor,
        scope: &Scope,
        import_id: i64,
        rows: Vec<Ready>,
        rows_done: u64,
        batch_errors: &mut u64,
        report: &mut ImportReport,
    ) -> Result<()> {
        let mut tx = self.write(actor.clone()).await?;
        let mut ents = Vec::new();
        let mut tags = Vec::new();
        let mut ips = Vec::new();
        let mut loans = Vec::new();
        for r in rows {
            match r {
                Ready::Enterprise(r) => ents.push(r),
                Ready::Tag(r) => tags.push(r),
                Ready::Ip(r) => ips.push(r),
                Ready::Loan(r) => loans.push(r),
            }
        }
        let mut o = self.import_enterprise_batch(&mut tx, &ents).await?;
        let mut errors = Vec::new();
        for (b, e) in [
            self.import_tag_batch(&mut tx, scope, tags).await?,
            self.import_ip_batch(&mut tx, scope, ips).await?,
            self.import_loan_batch(&mut tx, scope, loans).await?,
        ] {
            o.inserted += b.inserted;
            o.updated += b.updated;
            o.unchanged += b.unchanged;
            errors.extend(e);
        }
        *batch_errors += errors.len() as u64;
        self.record_batch(&mut tx, import_id, rows_done, &o, *batch_errors)
            .await?;
        tx.commit().await?;
        report.inserted += o.inserted;
        report.updated += o.updated;
        report.unchanged += o.unchanged;
        report.errors.extend(errors);
        report.errors.sort_by_key(|e| e.line);
        *batch_errors = 0;
        Ok(())
    }
}

/// One batch as prepared by the reading thread.
struct Prepared {
    rows: Vec<Ready>,
    errors: Vec<RowError>,
    /// Data rows read so far, this batch included.
    rows_seen: u64,
    /// The end of the file.
    last: bool,
}

/// Reads, parses and validates rows into batches and sends them; stops early when the writer
/// has gone (its error is reported by the writer). Rows an earlier run committed only have
/// their codes remembered for the duplicate check.
fn prepare_batches(
    src: RowSource,
    ctx: &RowContext,
    done: u64,
    batch_size: usize,
    sender: &tokio::sync::mpsc::Sender<Prepared>,
) -> std::result::Result<(), FileError> {
    let mut seen = SeenKeys::default();
    let new_batch = || Prepared {
        rows: Vec::with_capacity(batch_size),
        errors: Vec::new(),
        rows_seen: 0,
        last: false,
    };
    let mut batch = new_batch();
    let mut rows_seen = 0u64;
    for row in src {
        let (line, values) = row?;
        if values.iter().all(|v| v.trim().is_empty()) {
            continue;
        }
        rows_seen += 1;
        let parsed = ctx.parse(line, &values);
        if rows_seen <= done {
            // Committed by an earlier run: only remember its key for the duplicate check.
            if let Ok(r) = &parsed {
                seen.first_line(&r.key(), line);
            }
            continue;
        }
        let result = parsed.and_then(|r| match seen.first_line(&r.key(), line) {
            Some(first) => Err(r.duplicate_error(first)),
            None => Ok(r),
        });
        match result {
            Ok(r) => batch.rows.push(r),
            Err((field, message)) => batch.errors.push(RowError {
                line,
                field,
                message,
                values,
            }),
        }
        if batch.rows.len() >= batch_size {
            batch.rows_seen = rows_seen;
            let full = std::mem::replace(&mut batch, new_batch());
            if sender.blocking_send(full).is_err() {
                return Ok(());
            }
        }
    }
    batch.rows_seen = rows_seen;
    batch.last = true;
    let _ = sender.blocking_send(batch);
    Ok(())
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
pub fn write_template(kind: ImportKind, path: &Path) -> std::result::Result<(), FileError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let xl = |e: rust_xlsxwriter::XlsxError| {
        file_error(
            "file.write",
            format!("无法写入模板：{e}"),
            format!("Cannot write the template: {e}"),
        )
    };
    sheet
        .set_name(kind.zh().split('（').next().unwrap_or("导入"))
        .map_err(xl)?;
    let example = kind.example();
    for (c, (_, names, _)) in kind.columns().iter().enumerate() {
        sheet.write_string(0, c as u16, names[0]).map_err(xl)?;
        sheet
            .write_string(1, c as u16, example.get(c).copied().unwrap_or(""))
            .map_err(xl)?;
        sheet.set_column_width(c as u16, 18).map_err(xl)?;
    }
    book.save(path).map_err(xl)
}

/// (line, field) of each row error, for reports and tests.
pub fn import_errors_by_field(errors: &[RowError]) -> Vec<(u64, String)> {
    errors.iter().map(|e| (e.line, e.field.clone())).collect()
}
