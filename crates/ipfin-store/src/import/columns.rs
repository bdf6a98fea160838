//! What each kind of import is and which columns it has: the header names in Chinese and
//! English, header mapping, yes/no cells, and the template workbook.

use super::{FileError, file_error};
use ipfin_domain::Scope;
use std::collections::HashMap;
use std::path::Path;

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
    /// A bank's follow-up of the enterprises pushed to it (issue #20 item 5).
    FollowUps,
}

impl ImportKind {
    pub const ALL: [ImportKind; 5] = [
        ImportKind::Enterprises,
        ImportKind::Tags,
        ImportKind::IpAssets,
        ImportKind::Loans,
        ImportKind::FollowUps,
    ];

    /// Whether a caller of this scope imports this kind: registry data by the city and the
    /// district's lead officers, loans by financial institutions (their own).
    pub fn allowed_for(self, scope: &Scope) -> bool {
        use ipfin_domain::visibility::{Party, Reach, Records};
        match self {
            ImportKind::Loans | ImportKind::FollowUps => {
                matches!(scope.reach(Records::Loans), Reach::Party(Party::Lender, _))
            }
            _ => scope.is_city() || scope.lead_district().is_some(),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            ImportKind::Enterprises => "enterprises",
            ImportKind::Tags => "tags",
            ImportKind::IpAssets => "ip_assets",
            ImportKind::Loans => "loans",
            ImportKind::FollowUps => "follow_ups",
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
            ImportKind::FollowUps => "推送企业跟进情况",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            ImportKind::Enterprises => "Enterprises",
            ImportKind::Tags => "Enterprise tags",
            ImportKind::IpAssets => "IP assets",
            ImportKind::Loans => "Pledge loans",
            ImportKind::FollowUps => "Follow-up of pushed enterprises",
        }
    }

    /// The Chinese header of a field (the template's), or the field itself.
    pub fn label_of(self, field: &str) -> &'static str {
        self.columns()
            .iter()
            .find(|(f, _, _)| *f == field)
            .and_then(|(_, names, _)| names.first().copied())
            .unwrap_or("该列")
    }

    pub fn columns(self) -> &'static [Column] {
        match self {
            ImportKind::Enterprises => ENTERPRISE_COLUMNS,
            ImportKind::Tags => TAG_COLUMNS,
            ImportKind::IpAssets => IP_COLUMNS,
            ImportKind::Loans => LOAN_COLUMNS,
            ImportKind::FollowUps => FOLLOW_UP_COLUMNS,
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
                "1200000.00",
                "12000000.00",
                "是",
                "否",
                "否",
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
            ImportKind::FollowUps => &[
                "9144030071526726XG",
                "2026-12-07",
                "电话",
                "李经理",
                "企业需要时间考虑",
                "",
                "企业下月答复",
            ],
        }
    }
}

const CREDIT_CODE_COLUMN: Column = (
    "credit_code",
    &["统一社会信用代码", "信用代码", "credit_code"],
    true,
);

/// The follow-up columns: the enterprise pushed to the bank, the contact and its outcome (by
/// its Chinese name or code); a granted loan by the contract number the bank reported.
pub const FOLLOW_UP_COLUMNS: &[Column] = &[
    CREDIT_CODE_COLUMN,
    ("contacted_on", &["联系日期", "contacted_on"], true),
    ("channel", &["联系方式", "channel"], true),
    ("person", &["联系人", "客户经理", "person"], true),
    ("outcome", &["跟进结果", "结果", "outcome"], true),
    (
        "contract_number",
        &["贷款合同编号", "合同编号", "contract_number"],
        false,
    ),
    ("note", &["备注", "note"], false),
];

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
    // Facts for screening (issue #20 item 2) that arrive through the data-sharing
    // arrangements; an empty cell is unknown, and a file without the column leaves what is
    // stored alone.
    (
        "rd_expense_yuan",
        &[
            "研发费用（元）",
            "研发费用(元)",
            "研发投入（元）",
            "rd_expense_yuan",
        ],
        false,
    ),
    (
        "prev_revenue_yuan",
        &[
            "上年营业收入（元）",
            "上年营业收入(元)",
            "prev_revenue_yuan",
        ],
        false,
    ),
    (
        "financing_need",
        &["融资需求", "有融资需求", "financing_need"],
        false,
    ),
    (
        "abnormal_operation",
        &["经营异常", "列入经营异常名录", "abnormal_operation"],
        false,
    ),
    (
        "dishonest",
        &["失信被执行人", "失信记录", "dishonest"],
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

pub(super) fn yes_no(v: &str, default: bool) -> Option<bool> {
    match v.trim().to_lowercase().as_str() {
        "" => Some(default),
        "是" | "y" | "yes" | "true" | "1" => Some(true),
        "否" | "n" | "no" | "false" | "0" => Some(false),
        _ => None,
    }
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
