//! Enterprise size classification (SPEC §10): 大型 / 中型 / 小型 / 微型 by the national SME
//! standard 工信部联企业〔2011〕300号《中小企业划型标准规定》.
//!
//! The thresholds are data: a [`Standard`] is one edition — its industry groups, each group's
//! lower limits for large, medium and small, and the GB/T 4754-2017 code prefixes that select a
//! group. A later edition is a new `Standard` value, not new code.
//!
//! The rule of the standard: an enterprise is of a class when it reaches the lower limits of
//! *all* indicators listed for that class; otherwise it drops one class and is tested again.
//! Below the small limits it is micro. Money is taken in fen (`i64`), the standard counts in
//! 万元 (1 万元 = 1,000,000 fen); explanations show exact 万元 amounts without floats.

use crate::message::{FieldError, Lang};
use crate::money::Fen;
use serde::{Deserialize, Serialize};

/// Fen in one 万元.
pub const FEN_PER_WAN: i64 = 1_000_000;

/// The size classes, largest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SizeClass {
    Large,
    Medium,
    Small,
    Micro,
}

/// Stored size classes are decoded like every other vocabulary: an unknown one is refused.
impl crate::code_enum::CodeEnum for SizeClass {
    const NAME: &'static str = "SizeClass";
    fn from_code(s: &str) -> Option<SizeClass> {
        SizeClass::from_code(s)
    }
    fn code(self) -> &'static str {
        SizeClass::code(self)
    }
}

impl SizeClass {
    pub const ALL: &'static [SizeClass] = &[
        SizeClass::Large,
        SizeClass::Medium,
        SizeClass::Small,
        SizeClass::Micro,
    ];

    /// The stable code name used in the database, the API and URLs.
    pub fn code(self) -> &'static str {
        match self {
            SizeClass::Large => "large",
            SizeClass::Medium => "medium",
            SizeClass::Small => "small",
            SizeClass::Micro => "micro",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            SizeClass::Large => "大型",
            SizeClass::Medium => "中型",
            SizeClass::Small => "小型",
            SizeClass::Micro => "微型",
        }
    }
    pub fn en(self) -> &'static str {
        match self {
            SizeClass::Large => "large",
            SizeClass::Medium => "medium",
            SizeClass::Small => "small",
            SizeClass::Micro => "micro",
        }
    }
    pub fn label(self, lang: Lang) -> &'static str {
        match lang {
            Lang::Zh => self.zh(),
            Lang::En => self.en(),
        }
    }
    pub fn from_code(s: &str) -> Option<SizeClass> {
        SizeClass::ALL.iter().copied().find(|c| c.code() == s)
    }
    /// Size order: micro 0, small 1, medium 2, large 3 (the enum is deliberately not `Ord`,
    /// since its declaration order is largest first).
    pub fn rank(self) -> u8 {
        match self {
            SizeClass::Micro => 0,
            SizeClass::Small => 1,
            SizeClass::Medium => 2,
            SizeClass::Large => 3,
        }
    }
    /// The class one step down (micro stays micro).
    pub fn below(self) -> SizeClass {
        match self {
            SizeClass::Large => SizeClass::Medium,
            SizeClass::Medium => SizeClass::Small,
            SizeClass::Small | SizeClass::Micro => SizeClass::Micro,
        }
    }
}

impl std::fmt::Display for SizeClass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// The three indicators of the standard: X 从业人员, Y 营业收入, Z 资产总额.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Figure {
    Employees,
    OperatingRevenue,
    TotalAssets,
}

impl Figure {
    pub const ALL: &'static [Figure] = &[
        Figure::Employees,
        Figure::OperatingRevenue,
        Figure::TotalAssets,
    ];

    /// The input field carrying this figure (see [`SizeInput`]).
    pub fn field(self) -> &'static str {
        match self {
            Figure::Employees => "employees",
            Figure::OperatingRevenue => "operating_revenue_fen",
            Figure::TotalAssets => "total_assets_fen",
        }
    }
    /// The letter the standard uses: X, Y or Z.
    pub fn letter(self) -> char {
        match self {
            Figure::Employees => 'X',
            Figure::OperatingRevenue => 'Y',
            Figure::TotalAssets => 'Z',
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            Figure::Employees => "从业人员",
            Figure::OperatingRevenue => "营业收入",
            Figure::TotalAssets => "资产总额",
        }
    }
    pub fn en(self) -> &'static str {
        match self {
            Figure::Employees => "employees",
            Figure::OperatingRevenue => "operating revenue",
            Figure::TotalAssets => "total assets",
        }
    }
    /// Whether the figure is money (fen in input, 万元 in the tables).
    pub fn is_money(self) -> bool {
        !matches!(self, Figure::Employees)
    }
    /// Input units per table unit: 1 for persons, [`FEN_PER_WAN`] for money.
    pub fn scale(self) -> i64 {
        if self.is_money() { FEN_PER_WAN } else { 1 }
    }
}

/// A lower limit of one indicator: `min` persons, or `min` 万元 for money.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub figure: Figure,
    pub min: i64,
}

impl Limit {
    /// The limit in input units (persons or fen).
    pub fn min_input_units(&self) -> i64 {
        self.min.saturating_mul(self.figure.scale())
    }
    fn met_by(&self, value: i64) -> bool {
        value >= self.min_input_units()
    }
}

/// An industry group of the standard with its lower limits. A class is reached when every
/// limit listed for it is met (an empty list would always be met).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndustryGroup {
    /// Stable code name, e.g. `software_it`.
    pub code: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    pub large: &'static [Limit],
    pub medium: &'static [Limit],
    pub small: &'static [Limit],
}

impl IndustryGroup {
    /// The limits of a class (micro has none: it is what is left).
    pub fn limits(&self, class: SizeClass) -> &'static [Limit] {
        match class {
            SizeClass::Large => self.large,
            SizeClass::Medium => self.medium,
            SizeClass::Small => self.small,
            SizeClass::Micro => &[],
        }
    }
    /// Whether classifying this group needs the figure.
    pub fn needs(&self, figure: Figure) -> bool {
        [self.large, self.medium, self.small]
            .iter()
            .any(|limits| limits.iter().any(|l| l.figure == figure))
    }
    /// The figures this group needs, in the order X, Y, Z.
    pub fn figures(&self) -> impl Iterator<Item = Figure> + '_ {
        Figure::ALL.iter().copied().filter(|f| self.needs(*f))
    }
    pub fn label(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Zh => self.zh,
            Lang::En => self.en,
        }
    }
}

/// Selects a group for GB/T 4754-2017 codes starting with `prefix` (longest prefix wins).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndustryRule {
    pub prefix: &'static str,
    pub group: &'static IndustryGroup,
}

/// One edition of the classification standard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standard {
    /// Stable code, e.g. `MIIT-2011-300`.
    pub code: &'static str,
    /// Full Chinese name, cited in every explanation.
    pub name: &'static str,
    pub groups: &'static [&'static IndustryGroup],
    /// Industry code prefixes; a code matched by none belongs to `fallback`.
    pub industries: &'static [IndustryRule],
    pub fallback: &'static IndustryGroup,
}

/// The facts to classify. Money in fen; a figure the industry group does not use may be absent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SizeInput {
    /// GB/T 4754-2017 code: section letter plus 2–4 digits, e.g. `I65`, `C3911`.
    pub industry: String,
    pub employees: Option<i64>,
    pub operating_revenue_fen: Option<Fen>,
    pub total_assets_fen: Option<Fen>,
}

impl SizeInput {
    pub fn figure(&self, figure: Figure) -> Option<i64> {
        match figure {
            Figure::Employees => self.employees,
            Figure::OperatingRevenue => self.operating_revenue_fen.map(Fen::get),
            Figure::TotalAssets => self.total_assets_fen.map(Fen::get),
        }
    }
}

/// The verdict with the reason, in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Classification {
    pub class: SizeClass,
    /// Code name of the industry group, e.g. `software_it`.
    pub industry_group: &'static str,
    pub industry_group_zh: &'static str,
    /// Name of the standard applied.
    pub standard: &'static str,
    pub explanation_zh: String,
    pub explanation_en: String,
}

impl Classification {
    pub fn explanation(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.explanation_zh,
            Lang::En => &self.explanation_en,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 工信部联企业〔2011〕300号: the data.
// ---------------------------------------------------------------------------------------------

const fn x(min: i64) -> Limit {
    Limit {
        figure: Figure::Employees,
        min,
    }
}
const fn y(min_wan: i64) -> Limit {
    Limit {
        figure: Figure::OperatingRevenue,
        min: min_wan,
    }
}
const fn z(min_wan: i64) -> Limit {
    Limit {
        figure: Figure::TotalAssets,
        min: min_wan,
    }
}

mod miit_2011 {
    use super::{IndustryGroup, IndustryRule, Standard, x, y, z};

    pub static AGRICULTURE: IndustryGroup = IndustryGroup {
        code: "agriculture",
        zh: "农、林、牧、渔业",
        en: "Agriculture, forestry, animal husbandry and fishery",
        large: &[y(20000)],
        medium: &[y(500)],
        small: &[y(50)],
    };
    pub static INDUSTRY: IndustryGroup = IndustryGroup {
        code: "industry",
        zh: "工业",
        en: "Industry",
        large: &[x(1000), y(40000)],
        medium: &[x(300), y(2000)],
        small: &[x(20), y(300)],
    };
    pub static CONSTRUCTION: IndustryGroup = IndustryGroup {
        code: "construction",
        zh: "建筑业",
        en: "Construction",
        large: &[y(80000), z(80000)],
        medium: &[y(6000), z(5000)],
        small: &[y(300), z(300)],
    };
    pub static WHOLESALE: IndustryGroup = IndustryGroup {
        code: "wholesale",
        zh: "批发业",
        en: "Wholesale",
        large: &[x(200), y(40000)],
        medium: &[x(20), y(5000)],
        small: &[x(5), y(1000)],
    };
    pub static RETAIL: IndustryGroup = IndustryGroup {
        code: "retail",
        zh: "零售业",
        en: "Retail",
        large: &[x(300), y(20000)],
        medium: &[x(50), y(500)],
        small: &[x(10), y(100)],
    };
    pub static TRANSPORT: IndustryGroup = IndustryGroup {
        code: "transport",
        zh: "交通运输业",
        en: "Transport",
        large: &[x(1000), y(30000)],
        medium: &[x(300), y(3000)],
        small: &[x(20), y(200)],
    };
    pub static WAREHOUSING: IndustryGroup = IndustryGroup {
        code: "warehousing",
        zh: "仓储业",
        en: "Warehousing",
        large: &[x(200), y(30000)],
        medium: &[x(100), y(1000)],
        small: &[x(20), y(100)],
    };
    pub static POSTAL: IndustryGroup = IndustryGroup {
        code: "postal",
        zh: "邮政业",
        en: "Postal services",
        large: &[x(1000), y(30000)],
        medium: &[x(300), y(2000)],
        small: &[x(20), y(100)],
    };
    pub static ACCOMMODATION: IndustryGroup = IndustryGroup {
        code: "accommodation",
        zh: "住宿业",
        en: "Accommodation",
        large: &[x(300), y(10000)],
        medium: &[x(100), y(2000)],
        small: &[x(10), y(100)],
    };
    pub static CATERING: IndustryGroup = IndustryGroup {
        code: "catering",
        zh: "餐饮业",
        en: "Catering",
        large: &[x(300), y(10000)],
        medium: &[x(100), y(2000)],
        small: &[x(10), y(100)],
    };
    pub static INFO_TRANSMISSION: IndustryGroup = IndustryGroup {
        code: "info_transmission",
        zh: "信息传输业",
        en: "Information transmission",
        large: &[x(2000), y(100000)],
        medium: &[x(100), y(1000)],
        small: &[x(10), y(100)],
    };
    pub static SOFTWARE_IT: IndustryGroup = IndustryGroup {
        code: "software_it",
        zh: "软件和信息技术服务业",
        en: "Software and information technology services",
        large: &[x(300), y(10000)],
        medium: &[x(100), y(1000)],
        small: &[x(10), y(50)],
    };
    pub static REAL_ESTATE_DEV: IndustryGroup = IndustryGroup {
        code: "real_estate_dev",
        zh: "房地产开发经营",
        en: "Real estate development",
        large: &[y(200000), z(10000)],
        medium: &[y(1000), z(5000)],
        small: &[y(100), z(2000)],
    };
    pub static PROPERTY_MGMT: IndustryGroup = IndustryGroup {
        code: "property_mgmt",
        zh: "物业管理",
        en: "Property management",
        large: &[x(1000), y(5000)],
        medium: &[x(300), y(1000)],
        small: &[x(100), y(500)],
    };
    pub static LEASING_BUSINESS: IndustryGroup = IndustryGroup {
        code: "leasing_business",
        zh: "租赁和商务服务业",
        en: "Leasing and business services",
        large: &[x(300), z(120000)],
        medium: &[x(100), z(8000)],
        small: &[x(10), z(100)],
    };
    pub static OTHER: IndustryGroup = IndustryGroup {
        code: "other",
        zh: "其他未列明行业",
        en: "Other industries not listed elsewhere",
        large: &[x(300)],
        medium: &[x(100)],
        small: &[x(10)],
    };

    const fn r(prefix: &'static str, group: &'static IndustryGroup) -> IndustryRule {
        IndustryRule { prefix, group }
    }

    pub static STANDARD: Standard = Standard {
        code: "MIIT-2011-300",
        name: "中小企业划型标准规定（工信部联企业〔2011〕300号）",
        groups: &[
            &AGRICULTURE,
            &INDUSTRY,
            &CONSTRUCTION,
            &WHOLESALE,
            &RETAIL,
            &TRANSPORT,
            &WAREHOUSING,
            &POSTAL,
            &ACCOMMODATION,
            &CATERING,
            &INFO_TRANSMISSION,
            &SOFTWARE_IT,
            &REAL_ESTATE_DEV,
            &PROPERTY_MGMT,
            &LEASING_BUSINESS,
            &OTHER,
        ],
        // GB/T 4754-2017 sections and divisions.
        industries: &[
            r("A", &AGRICULTURE),
            r("B", &INDUSTRY),
            r("C", &INDUSTRY),
            r("D", &INDUSTRY),
            r("E", &CONSTRUCTION),
            r("F51", &WHOLESALE),
            r("F52", &RETAIL),
            r("G53", &TRANSPORT),
            r("G54", &TRANSPORT),
            r("G55", &TRANSPORT),
            r("G56", &TRANSPORT),
            r("G57", &TRANSPORT),
            r("G58", &TRANSPORT),
            r("G59", &WAREHOUSING),
            r("G60", &POSTAL),
            r("H61", &ACCOMMODATION),
            r("H62", &CATERING),
            r("I63", &INFO_TRANSMISSION),
            r("I64", &INFO_TRANSMISSION),
            r("I65", &SOFTWARE_IT),
            r("K701", &REAL_ESTATE_DEV),
            r("K702", &PROPERTY_MGMT),
            r("L", &LEASING_BUSINESS),
        ],
        fallback: &OTHER,
    };
}

/// 工信部联企业〔2011〕300号, the edition in force.
pub use miit_2011::STANDARD as MIIT_2011_300;

/// Every known edition, oldest first.
pub static STANDARDS: &[&Standard] = &[&miit_2011::STANDARD];

/// 工信部联企业〔2011〕300号.
pub fn standard_2011() -> &'static Standard {
    &miit_2011::STANDARD
}

/// The edition with this code (e.g. `MIIT-2011-300`).
pub fn standard(code: &str) -> Option<&'static Standard> {
    STANDARDS.iter().copied().find(|s| s.code == code)
}

// ---------------------------------------------------------------------------------------------
// Rules.
// ---------------------------------------------------------------------------------------------

const INDUSTRY_FIELD: &str = "industry";

fn industry_unknown(code: &str) -> FieldError {
    let (zh, en) = if code.is_empty() {
        (
            "行业代码不能为空：请填写 GB/T 4754-2017 行业代码，即门类字母（A–T）加 2–4 位数字，例如“I65”。"
                .to_string(),
            "The industry code is empty: enter a GB/T 4754-2017 code, a section letter (A–T) and 2–4 digits, e.g. \"I65\"."
                .to_string(),
        )
    } else {
        (
            format!(
                "行业代码“{code}”无法识别：应为 GB/T 4754-2017 行业代码，即门类字母（A–T）加 2–4 位数字，例如“I65”。"
            ),
            format!(
                "Industry code \"{code}\" is not recognised: expected a GB/T 4754-2017 code, a section letter (A–T) and 2–4 digits, e.g. \"I65\"."
            ),
        )
    };
    FieldError::new(INDUSTRY_FIELD, "size.industry_unknown", zh, en)
}

/// Whether a normalised code has the form of a GB/T 4754 code: a section letter A–T alone, or
/// followed by a division (2 digits), group (3) or class (4).
fn well_formed(code: &str) -> bool {
    let mut chars = code.chars();
    match chars.next() {
        Some('A'..='T') => {
            let digits = chars.as_str();
            digits.bytes().all(|b| b.is_ascii_digit())
                && (digits.is_empty() || (2..=4).contains(&digits.len()))
        }
        _ => false,
    }
}

impl Standard {
    /// The group with this code name.
    pub fn group(&self, code: &str) -> Option<&'static IndustryGroup> {
        self.groups.iter().copied().find(|g| g.code == code)
    }

    /// Maps a GB/T 4754-2017 industry code (trimmed, spaces and full-width characters folded,
    /// upper-cased) to its group. Errors when the code is malformed, or too coarse to decide
    /// (a bare section letter or `K70` that spans several groups).
    pub fn industry_group(&self, industry: &str) -> Result<&'static IndustryGroup, FieldError> {
        let code = crate::credit_code::normalize(industry);
        if !well_formed(&code) {
            return Err(industry_unknown(&code));
        }
        let own = self
            .industries
            .iter()
            .filter(|r| code.starts_with(r.prefix))
            .max_by_key(|r| r.prefix.len())
            .map_or(self.fallback, |r| r.group);
        // Finer codes under this one that lead elsewhere make the code ambiguous.
        let mut candidates: Vec<&'static IndustryGroup> = vec![own];
        let mut example = None;
        for rule in self.industries {
            if rule.prefix.len() > code.len()
                && rule.prefix.starts_with(code.as_str())
                && rule.group.code != own.code
            {
                example.get_or_insert(rule.prefix);
                if !candidates.iter().any(|g| g.code == rule.group.code) {
                    candidates.push(rule.group);
                }
            }
        }
        match example {
            None => Ok(own),
            Some(example) => {
                let zh_names: Vec<&str> = candidates.iter().map(|g| g.zh).collect();
                let en_names: Vec<&str> = candidates.iter().map(|g| g.en).collect();
                Err(FieldError::new(
                    INDUSTRY_FIELD,
                    "size.industry_ambiguous",
                    format!(
                        "行业代码“{code}”可能属于多个划型行业（{}），请填写更细的行业代码，例如“{example}”。",
                        zh_names.join("、")
                    ),
                    format!(
                        "Industry code \"{code}\" spans several groups ({}): enter a finer code, e.g. \"{example}\".",
                        en_names.join("; ")
                    ),
                ))
            }
        }
    }
}

/// Checks that every figure the group needs is present and not negative; returns them as
/// `[X, Y, Z]` with unused figures set to 0.
fn figures(group: &IndustryGroup, input: &SizeInput) -> Result<[i64; 3], FieldError> {
    let mut out = [0i64; 3];
    for (i, figure) in Figure::ALL.iter().copied().enumerate() {
        if !group.needs(figure) {
            continue;
        }
        match input.figure(figure) {
            None => {
                return Err(FieldError::new(
                    figure.field(),
                    "size.figure_missing",
                    format!(
                        "{}的划型需要{}（{}），请补充。",
                        group.zh,
                        figure.zh(),
                        figure.field()
                    ),
                    format!(
                        "Classifying {} needs {} ({}); please provide it.",
                        group.en,
                        figure.en(),
                        figure.field()
                    ),
                ));
            }
            Some(v) if v < 0 => {
                return Err(FieldError::new(
                    figure.field(),
                    "size.figure_negative",
                    format!(
                        "{}（{}）不能为负数，当前为 {v}。",
                        figure.zh(),
                        figure.field()
                    ),
                    format!(
                        "{} ({}) cannot be negative; got {v}.",
                        figure.en(),
                        figure.field()
                    ),
                ));
            }
            Some(v) => out[i] = v,
        }
    }
    Ok(out)
}

fn value_of(values: &[i64; 3], figure: Figure) -> i64 {
    match figure {
        Figure::Employees => values[0],
        Figure::OperatingRevenue => values[1],
        Figure::TotalAssets => values[2],
    }
}

/// Classifies an enterprise by one edition of the standard.
///
/// ```
/// use ipfin_domain::size::{classify, standard_2011, SizeClass, SizeInput};
/// let input = SizeInput {
///     industry: "I65".into(),
///     employees: Some(120),
///     operating_revenue_fen: Some(ipfin_domain::Fen::new(1_500_000_000)), // 1500 万元
///     total_assets_fen: None,
/// };
/// let c = classify(standard_2011(), &input)?;
/// assert_eq!(c.class, SizeClass::Medium);
/// assert_eq!(c.industry_group, "software_it");
/// # Ok::<(), ipfin_domain::FieldError>(())
/// ```
pub fn classify(edition: &Standard, input: &SizeInput) -> Result<Classification, FieldError> {
    let (class, group, values) = decide(edition, input)?;
    let (explanation_zh, explanation_en) = explain(group, class, &values);
    Ok(Classification {
        class,
        industry_group: group.code,
        industry_group_zh: group.zh,
        standard: edition.name,
        explanation_zh,
        explanation_en,
    })
}

/// The class alone, without the explanation (bulk imports classify millions of rows).
pub fn class_of(edition: &Standard, input: &SizeInput) -> Result<SizeClass, FieldError> {
    decide(edition, input).map(|(class, _, _)| class)
}

fn decide<'a>(
    edition: &'a Standard,
    input: &SizeInput,
) -> Result<(SizeClass, &'a IndustryGroup, [i64; 3]), FieldError> {
    let group = edition.industry_group(&input.industry)?;
    let values = figures(group, input)?;
    let meets = |limits: &[Limit]| limits.iter().all(|l| l.met_by(value_of(&values, l.figure)));
    let class = [SizeClass::Large, SizeClass::Medium, SizeClass::Small]
        .into_iter()
        .find(|c| meets(group.limits(*c)))
        .unwrap_or(SizeClass::Micro);
    Ok((class, group, values))
}

fn explain(group: &IndustryGroup, class: SizeClass, values: &[i64; 3]) -> (String, String) {
    // The limits compared: those of the class reached, or the small ones for micro.
    let compared = match class {
        SizeClass::Micro => group.small,
        c => group.limits(c),
    };
    let above = match class {
        SizeClass::Large => None,
        SizeClass::Medium => Some(SizeClass::Large),
        SizeClass::Small => Some(SizeClass::Medium),
        SizeClass::Micro => Some(SizeClass::Small),
    };
    let (sep_zh, sep_en) = if class == SizeClass::Micro {
        ("，", ", ")
    } else {
        (" 且 ", " and ")
    };
    let mut zh_parts = Vec::new();
    let mut en_parts = Vec::new();
    for limit in compared {
        let v = value_of(values, limit.figure);
        let op = if limit.met_by(v) { "≥" } else { "<" };
        zh_parts.push(format!(
            "{} {} {op} {}",
            limit.figure.zh(),
            amount_zh(limit.figure, v),
            amount_zh(limit.figure, limit.min_input_units())
        ));
        en_parts.push(format!(
            "{} {} {op} {}",
            limit.figure.en(),
            amount_en(limit.figure, v),
            amount_en(limit.figure, limit.min_input_units())
        ));
    }
    let mut zh = format!("{}：{}", group.zh, zh_parts.join(sep_zh));
    let mut en = format!("{}: {}", group.en, en_parts.join(sep_en));
    match above {
        None => {
            zh.push_str("，达到大型标准，划为大型。");
            en.push_str("; meets the large-enterprise thresholds, so large.");
        }
        Some(above) => {
            let limits = group.limits(above);
            let zh_limits: Vec<String> = limits
                .iter()
                .map(|l| {
                    format!(
                        "{} {}",
                        l.figure.zh(),
                        amount_zh(l.figure, l.min_input_units())
                    )
                })
                .collect();
            let en_limits: Vec<String> = limits
                .iter()
                .map(|l| {
                    format!(
                        "{} {}",
                        l.figure.en(),
                        amount_en(l.figure, l.min_input_units())
                    )
                })
                .collect();
            zh.push_str(&format!(
                "，未达到{}标准（{}），划为{}。",
                above.zh(),
                zh_limits.join("且"),
                class.zh()
            ));
            en.push_str(&format!(
                "; below the {}-enterprise thresholds ({}), so {}.",
                above.en(),
                en_limits.join(" and "),
                class.en()
            ));
        }
    }
    (zh, en)
}

/// `120 人` or `1500 万元` (money given in fen).
fn amount_zh(figure: Figure, v: i64) -> String {
    if figure.is_money() {
        format!("{} 万元", fen_to_wan(v))
    } else {
        format!("{v} 人")
    }
}

/// `120` or `CNY 15,000,000` (money given in fen).
fn amount_en(figure: Figure, v: i64) -> String {
    if figure.is_money() {
        format!("CNY {}", fen_to_yuan(v))
    } else {
        v.to_string()
    }
}

/// Exact 万元 from fen, trailing zeros trimmed: 1_500_000_000 → `1500`, 1_234_500_000 →
/// `1234.5`, 1 → `0.000001`.
pub fn fen_to_wan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    let per = FEN_PER_WAN.unsigned_abs();
    let (int, rem) = (abs / per, abs % per);
    if rem == 0 {
        format!("{sign}{int}")
    } else {
        let frac = format!("{rem:06}");
        format!("{sign}{int}.{}", frac.trim_end_matches('0'))
    }
}

/// Exact yuan from fen with thousands separators: 1_500_000_000 → `15,000,000`, 12_345 →
/// `123.45`.
fn fen_to_yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    let (int, rem) = (abs / 100, abs % 100);
    let grouped = crate::money::group_thousands(int);
    if rem == 0 {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{rem:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::SizeClass::{Large, Medium, Micro, Small};
    use super::*;
    use proptest::prelude::*;

    /// 万元 to fen.
    const fn w(wan: i64) -> i64 {
        wan * 1_000_000
    }

    fn input(industry: &str, x: Option<i64>, y: Option<i64>, z: Option<i64>) -> SizeInput {
        SizeInput {
            industry: industry.to_string(),
            employees: x,
            operating_revenue_fen: y.map(Fen::new),
            total_assets_fen: z.map(Fen::new),
        }
    }

    fn run(industry: &str, x: Option<i64>, y: Option<i64>, z: Option<i64>) -> Classification {
        match classify(standard_2011(), &input(industry, x, y, z)) {
            Ok(c) => c,
            Err(e) => panic!("{industry} {x:?} {y:?} {z:?}: {e:?}"),
        }
    }

    fn err(industry: &str, x: Option<i64>, y: Option<i64>, z: Option<i64>) -> FieldError {
        match classify(standard_2011(), &input(industry, x, y, z)) {
            Ok(c) => panic!("{industry} {x:?} {y:?} {z:?}: expected an error, got {c:?}"),
            Err(e) => e,
        }
    }

    /// Industry code, X persons, Y fen, Z fen, expected class.
    type Case = (
        &'static str,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        SizeClass,
    );

    /// Every threshold of every group: at it, one unit (person or fen) under, one unit over.
    /// Figures a group does not use are `None`. Expected classes written out by hand.
    #[rustfmt::skip]
    const BOUNDARIES: &[Case] = &[
    // agriculture
    ("A01", None, Some(w(20000)), None, Large),
    ("A01", None, Some(w(20000) - 1), None, Medium),
    ("A01", None, Some(w(20000) + 1), None, Large),
    ("A01", None, Some(w(500)), None, Medium),
    ("A01", None, Some(w(500) - 1), None, Small),
    ("A01", None, Some(w(500) + 1), None, Medium),
    ("A01", None, Some(w(50)), None, Small),
    ("A01", None, Some(w(50) - 1), None, Micro),
    ("A01", None, Some(w(50) + 1), None, Small),
    // industry
    ("C39", Some(1000), Some(w(40000)), None, Large),
    ("C39", Some(999), Some(w(40000)), None, Medium),
    ("C39", Some(1001), Some(w(40000)), None, Large),
    ("C39", Some(1000), Some(w(40000) - 1), None, Medium),
    ("C39", Some(1000), Some(w(40000) + 1), None, Large),
    ("C39", Some(300), Some(w(2000)), None, Medium),
    ("C39", Some(299), Some(w(2000)), None, Small),
    ("C39", Some(301), Some(w(2000)), None, Medium),
    ("C39", Some(300), Some(w(2000) - 1), None, Small),
    ("C39", Some(300), Some(w(2000) + 1), None, Medium),
    ("C39", Some(20), Some(w(300)), None, Small),
    ("C39", Some(19), Some(w(300)), None, Micro),
    ("C39", Some(21), Some(w(300)), None, Small),
    ("C39", Some(20), Some(w(300) - 1), None, Micro),
    ("C39", Some(20), Some(w(300) + 1), None, Small),
    // construction
    ("E47", None, Some(w(80000)), Some(w(80000)), Large),
    ("E47", None, Some(w(80000) - 1), Some(w(80000)), Medium),
    ("E47", None, Some(w(80000) + 1), Some(w(80000)), Large),
    ("E47", None, Some(w(80000)), Some(w(80000) - 1), Medium),
    ("E47", None, Some(w(80000)), Some(w(80000) + 1), Large),
    ("E47", None, Some(w(6000)), Some(w(5000)), Medium),
    ("E47", None, Some(w(6000) - 1), Some(w(5000)), Small),
    ("E47", None, Some(w(6000) + 1), Some(w(5000)), Medium),
    ("E47", None, Some(w(6000)), Some(w(5000) - 1), Small),
    ("E47", None, Some(w(6000)), Some(w(5000) + 1), Medium),
    ("E47", None, Some(w(300)), Some(w(300)), Small),
    ("E47", None, Some(w(300) - 1), Some(w(300)), Micro),
    ("E47", None, Some(w(300) + 1), Some(w(300)), Small),
    ("E47", None, Some(w(300)), Some(w(300) - 1), Micro),
    ("E47", None, Some(w(300)), Some(w(300) + 1), Small),
    // wholesale
    ("F51", Some(200), Some(w(40000)), None, Large),
    ("F51", Some(199), Some(w(40000)), None, Medium),
    ("F51", Some(201), Some(w(40000)), None, Large),
    ("F51", Some(200), Some(w(40000) - 1), None, Medium),
    ("F51", Some(200), Some(w(40000) + 1), None, Large),
    ("F51", Some(20), Some(w(5000)), None, Medium),
    ("F51", Some(19), Some(w(5000)), None, Small),
    ("F51", Some(21), Some(w(5000)), None, Medium),
    ("F51", Some(20), Some(w(5000) - 1), None, Small),
    ("F51", Some(20), Some(w(5000) + 1), None, Medium),
    ("F51", Some(5), Some(w(1000)), None, Small),
    ("F51", Some(4), Some(w(1000)), None, Micro),
    ("F51", Some(6), Some(w(1000)), None, Small),
    ("F51", Some(5), Some(w(1000) - 1), None, Micro),
    ("F51", Some(5), Some(w(1000) + 1), None, Small),
    // retail
    ("F52", Some(300), Some(w(20000)), None, Large),
    ("F52", Some(299), Some(w(20000)), None, Medium),
    ("F52", Some(301), Some(w(20000)), None, Large),
    ("F52", Some(300), Some(w(20000) - 1), None, Medium),
    ("F52", Some(300), Some(w(20000) + 1), None, Large),
    ("F52", Some(50), Some(w(500)), None, Medium),
    ("F52", Some(49), Some(w(500)), None, Small),
    ("F52", Some(51), Some(w(500)), None, Medium),
    ("F52", Some(50), Some(w(500) - 1), None, Small),
    ("F52", Some(50), Some(w(500) + 1), None, Medium),
    ("F52", Some(10), Some(w(100)), None, Small),
    ("F52", Some(9), Some(w(100)), None, Micro),
    ("F52", Some(11), Some(w(100)), None, Small),
    ("F52", Some(10), Some(w(100) - 1), None, Micro),
    ("F52", Some(10), Some(w(100) + 1), None, Small),
    // transport
    ("G54", Some(1000), Some(w(30000)), None, Large),
    ("G54", Some(999), Some(w(30000)), None, Medium),
    ("G54", Some(1001), Some(w(30000)), None, Large),
    ("G54", Some(1000), Some(w(30000) - 1), None, Medium),
    ("G54", Some(1000), Some(w(30000) + 1), None, Large),
    ("G54", Some(300), Some(w(3000)), None, Medium),
    ("G54", Some(299), Some(w(3000)), None, Small),
    ("G54", Some(301), Some(w(3000)), None, Medium),
    ("G54", Some(300), Some(w(3000) - 1), None, Small),
    ("G54", Some(300), Some(w(3000) + 1), None, Medium),
    ("G54", Some(20), Some(w(200)), None, Small),
    ("G54", Some(19), Some(w(200)), None, Micro),
    ("G54", Some(21), Some(w(200)), None, Small),
    ("G54", Some(20), Some(w(200) - 1), None, Micro),
    ("G54", Some(20), Some(w(200) + 1), None, Small),
    // warehousing
    ("G59", Some(200), Some(w(30000)), None, Large),
    ("G59", Some(199), Some(w(30000)), None, Medium),
    ("G59", Some(201), Some(w(30000)), None, Large),
    ("G59", Some(200), Some(w(30000) - 1), None, Medium),
    ("G59", Some(200), Some(w(30000) + 1), None, Large),
    ("G59", Some(100), Some(w(1000)), None, Medium),
    ("G59", Some(99), Some(w(1000)), None, Small),
    ("G59", Some(101), Some(w(1000)), None, Medium),
    ("G59", Some(100), Some(w(1000) - 1), None, Small),
    ("G59", Some(100), Some(w(1000) + 1), None, Medium),
    ("G59", Some(20), Some(w(100)), None, Small),
    ("G59", Some(19), Some(w(100)), None, Micro),
    ("G59", Some(21), Some(w(100)), None, Small),
    ("G59", Some(20), Some(w(100) - 1), None, Micro),
    ("G59", Some(20), Some(w(100) + 1), None, Small),
    // postal
    ("G60", Some(1000), Some(w(30000)), None, Large),
    ("G60", Some(999), Some(w(30000)), None, Medium),
    ("G60", Some(1001), Some(w(30000)), None, Large),
    ("G60", Some(1000), Some(w(30000) - 1), None, Medium),
    ("G60", Some(1000), Some(w(30000) + 1), None, Large),
    ("G60", Some(300), Some(w(2000)), None, Medium),
    ("G60", Some(299), Some(w(2000)), None, Small),
    ("G60", Some(301), Some(w(2000)), None, Medium),
    ("G60", Some(300), Some(w(2000) - 1), None, Small),
    ("G60", Some(300), Some(w(2000) + 1), None, Medium),
    ("G60", Some(20), Some(w(100)), None, Small),
    ("G60", Some(19), Some(w(100)), None, Micro),
    ("G60", Some(21), Some(w(100)), None, Small),
    ("G60", Some(20), Some(w(100) - 1), None, Micro),
    ("G60", Some(20), Some(w(100) + 1), None, Small),
    // accommodation
    ("H61", Some(300), Some(w(10000)), None, Large),
    ("H61", Some(299), Some(w(10000)), None, Medium),
    ("H61", Some(301), Some(w(10000)), None, Large),
    ("H61", Some(300), Some(w(10000) - 1), None, Medium),
    ("H61", Some(300), Some(w(10000) + 1), None, Large),
    ("H61", Some(100), Some(w(2000)), None, Medium),
    ("H61", Some(99), Some(w(2000)), None, Small),
    ("H61", Some(101), Some(w(2000)), None, Medium),
    ("H61", Some(100), Some(w(2000) - 1), None, Small),
    ("H61", Some(100), Some(w(2000) + 1), None, Medium),
    ("H61", Some(10), Some(w(100)), None, Small),
    ("H61", Some(9), Some(w(100)), None, Micro),
    ("H61", Some(11), Some(w(100)), None, Small),
    ("H61", Some(10), Some(w(100) - 1), None, Micro),
    ("H61", Some(10), Some(w(100) + 1), None, Small),
    // catering
    ("H62", Some(300), Some(w(10000)), None, Large),
    ("H62", Some(299), Some(w(10000)), None, Medium),
    ("H62", Some(301), Some(w(10000)), None, Large),
    ("H62", Some(300), Some(w(10000) - 1), None, Medium),
    ("H62", Some(300), Some(w(10000) + 1), None, Large),
    ("H62", Some(100), Some(w(2000)), None, Medium),
    ("H62", Some(99), Some(w(2000)), None, Small),
    ("H62", Some(101), Some(w(2000)), None, Medium),
    ("H62", Some(100), Some(w(2000) - 1), None, Small),
    ("H62", Some(100), Some(w(2000) + 1), None, Medium),
    ("H62", Some(10), Some(w(100)), None, Small),
    ("H62", Some(9), Some(w(100)), None, Micro),
    ("H62", Some(11), Some(w(100)), None, Small),
    ("H62", Some(10), Some(w(100) - 1), None, Micro),
    ("H62", Some(10), Some(w(100) + 1), None, Small),
    // info_transmission
    ("I63", Some(2000), Some(w(100000)), None, Large),
    ("I63", Some(1999), Some(w(100000)), None, Medium),
    ("I63", Some(2001), Some(w(100000)), None, Large),
    ("I63", Some(2000), Some(w(100000) - 1), None, Medium),
    ("I63", Some(2000), Some(w(100000) + 1), None, Large),
    ("I63", Some(100), Some(w(1000)), None, Medium),
    ("I63", Some(99), Some(w(1000)), None, Small),
    ("I63", Some(101), Some(w(1000)), None, Medium),
    ("I63", Some(100), Some(w(1000) - 1), None, Small),
    ("I63", Some(100), Some(w(1000) + 1), None, Medium),
    ("I63", Some(10), Some(w(100)), None, Small),
    ("I63", Some(9), Some(w(100)), None, Micro),
    ("I63", Some(11), Some(w(100)), None, Small),
    ("I63", Some(10), Some(w(100) - 1), None, Micro),
    ("I63", Some(10), Some(w(100) + 1), None, Small),
    // software_it
    ("I65", Some(300), Some(w(10000)), None, Large),
    ("I65", Some(299), Some(w(10000)), None, Medium),
    ("I65", Some(301), Some(w(10000)), None, Large),
    ("I65", Some(300), Some(w(10000) - 1), None, Medium),
    ("I65", Some(300), Some(w(10000) + 1), None, Large),
    ("I65", Some(100), Some(w(1000)), None, Medium),
    ("I65", Some(99), Some(w(1000)), None, Small),
    ("I65", Some(101), Some(w(1000)), None, Medium),
    ("I65", Some(100), Some(w(1000) - 1), None, Small),
    ("I65", Some(100), Some(w(1000) + 1), None, Medium),
    ("I65", Some(10), Some(w(50)), None, Small),
    ("I65", Some(9), Some(w(50)), None, Micro),
    ("I65", Some(11), Some(w(50)), None, Small),
    ("I65", Some(10), Some(w(50) - 1), None, Micro),
    ("I65", Some(10), Some(w(50) + 1), None, Small),
    // real_estate_dev
    ("K701", None, Some(w(200000)), Some(w(10000)), Large),
    ("K701", None, Some(w(200000) - 1), Some(w(10000)), Medium),
    ("K701", None, Some(w(200000) + 1), Some(w(10000)), Large),
    ("K701", None, Some(w(200000)), Some(w(10000) - 1), Medium),
    ("K701", None, Some(w(200000)), Some(w(10000) + 1), Large),
    ("K701", None, Some(w(1000)), Some(w(5000)), Medium),
    ("K701", None, Some(w(1000) - 1), Some(w(5000)), Small),
    ("K701", None, Some(w(1000) + 1), Some(w(5000)), Medium),
    ("K701", None, Some(w(1000)), Some(w(5000) - 1), Small),
    ("K701", None, Some(w(1000)), Some(w(5000) + 1), Medium),
    ("K701", None, Some(w(100)), Some(w(2000)), Small),
    ("K701", None, Some(w(100) - 1), Some(w(2000)), Micro),
    ("K701", None, Some(w(100) + 1), Some(w(2000)), Small),
    ("K701", None, Some(w(100)), Some(w(2000) - 1), Micro),
    ("K701", None, Some(w(100)), Some(w(2000) + 1), Small),
    // property_mgmt
    ("K702", Some(1000), Some(w(5000)), None, Large),
    ("K702", Some(999), Some(w(5000)), None, Medium),
    ("K702", Some(1001), Some(w(5000)), None, Large),
    ("K702", Some(1000), Some(w(5000) - 1), None, Medium),
    ("K702", Some(1000), Some(w(5000) + 1), None, Large),
    ("K702", Some(300), Some(w(1000)), None, Medium),
    ("K702", Some(299), Some(w(1000)), None, Small),
    ("K702", Some(301), Some(w(1000)), None, Medium),
    ("K702", Some(300), Some(w(1000) - 1), None, Small),
    ("K702", Some(300), Some(w(1000) + 1), None, Medium),
    ("K702", Some(100), Some(w(500)), None, Small),
    ("K702", Some(99), Some(w(500)), None, Micro),
    ("K702", Some(101), Some(w(500)), None, Small),
    ("K702", Some(100), Some(w(500) - 1), None, Micro),
    ("K702", Some(100), Some(w(500) + 1), None, Small),
    // leasing_business
    ("L72", Some(300), None, Some(w(120000)), Large),
    ("L72", Some(299), None, Some(w(120000)), Medium),
    ("L72", Some(301), None, Some(w(120000)), Large),
    ("L72", Some(300), None, Some(w(120000) - 1), Medium),
    ("L72", Some(300), None, Some(w(120000) + 1), Large),
    ("L72", Some(100), None, Some(w(8000)), Medium),
    ("L72", Some(99), None, Some(w(8000)), Small),
    ("L72", Some(101), None, Some(w(8000)), Medium),
    ("L72", Some(100), None, Some(w(8000) - 1), Small),
    ("L72", Some(100), None, Some(w(8000) + 1), Medium),
    ("L72", Some(10), None, Some(w(100)), Small),
    ("L72", Some(9), None, Some(w(100)), Micro),
    ("L72", Some(11), None, Some(w(100)), Small),
    ("L72", Some(10), None, Some(w(100) - 1), Micro),
    ("L72", Some(10), None, Some(w(100) + 1), Small),
    // other
    ("M73", Some(300), None, None, Large),
    ("M73", Some(299), None, None, Medium),
    ("M73", Some(301), None, None, Large),
    ("M73", Some(100), None, None, Medium),
    ("M73", Some(99), None, None, Small),
    ("M73", Some(101), None, None, Medium),
    ("M73", Some(10), None, None, Small),
    ("M73", Some(9), None, None, Micro),
    ("M73", Some(11), None, None, Small),
    ];

    #[test]
    fn every_threshold_at_under_and_over() {
        assert_eq!(BOUNDARIES.len(), 228);
        for &(code, x, y, z, expected) in BOUNDARIES {
            let c = run(code, x, y, z);
            assert_eq!(
                c.class, expected,
                "{code} X={x:?} Y={y:?} Z={z:?}: {}",
                c.explanation_zh
            );
        }
    }

    #[test]
    fn every_group_reached_by_its_sample_code() {
        let expected = [
            ("A01", "agriculture", "农、林、牧、渔业"),
            ("C39", "industry", "工业"),
            ("E47", "construction", "建筑业"),
            ("F51", "wholesale", "批发业"),
            ("F52", "retail", "零售业"),
            ("G54", "transport", "交通运输业"),
            ("G59", "warehousing", "仓储业"),
            ("G60", "postal", "邮政业"),
            ("H61", "accommodation", "住宿业"),
            ("H62", "catering", "餐饮业"),
            ("I63", "info_transmission", "信息传输业"),
            ("I65", "software_it", "软件和信息技术服务业"),
            ("K701", "real_estate_dev", "房地产开发经营"),
            ("K702", "property_mgmt", "物业管理"),
            ("L72", "leasing_business", "租赁和商务服务业"),
            ("M73", "other", "其他未列明行业"),
        ];
        assert_eq!(standard_2011().groups.len(), expected.len());
        for (code, group, zh) in expected {
            let g = standard_2011().industry_group(code).expect(code);
            assert_eq!((g.code, g.zh), (group, zh), "{code}");
        }
    }

    #[test]
    fn api_example() {
        let c = run("I65", Some(120), Some(1_500_000_000), None);
        assert_eq!(c.class, Medium);
        assert_eq!(c.industry_group, "software_it");
        assert_eq!(c.industry_group_zh, "软件和信息技术服务业");
        assert_eq!(
            c.standard,
            "中小企业划型标准规定（工信部联企业〔2011〕300号）"
        );
        assert_eq!(
            c.explanation_zh,
            "软件和信息技术服务业：从业人员 120 人 ≥ 100 人 且 营业收入 1500 万元 ≥ 1000 万元，\
             未达到大型标准（从业人员 300 人且营业收入 10000 万元），划为中型。"
        );
        assert_eq!(
            c.explanation_en,
            "Software and information technology services: employees 120 ≥ 100 and operating \
             revenue CNY 15,000,000 ≥ CNY 10,000,000; below the large-enterprise thresholds \
             (employees 300 and operating revenue CNY 100,000,000), so medium."
        );
    }

    #[test]
    fn explanations_for_large_and_micro() {
        let c = run("C3911", Some(1000), Some(w(40000)), None);
        assert_eq!(
            c.explanation_zh,
            "工业：从业人员 1000 人 ≥ 1000 人 且 营业收入 40000 万元 ≥ 40000 万元，达到大型标准，划为大型。"
        );
        let c = run("C39", Some(5), Some(w(500)), None);
        assert_eq!(c.class, Micro);
        assert_eq!(
            c.explanation_zh,
            "工业：从业人员 5 人 < 20 人，营业收入 500 万元 ≥ 300 万元，\
             未达到小型标准（从业人员 20 人且营业收入 300 万元），划为微型。"
        );
        assert_eq!(
            c.explanation_en,
            "Industry: employees 5 < 20, operating revenue CNY 5,000,000 ≥ CNY 3,000,000; below \
             the small-enterprise thresholds (employees 20 and operating revenue CNY 3,000,000), \
             so micro."
        );
        // Two money figures are told apart by name.
        let c = run("E48", None, Some(w(6000)), Some(w(4999)));
        assert_eq!(c.class, Small);
        assert!(c.explanation_zh.contains("营业收入 6000 万元 ≥ 300 万元"));
        assert!(c.explanation_zh.contains("资产总额 4999 万元 ≥ 300 万元"));
        assert!(
            c.explanation_zh
                .contains("未达到中型标准（营业收入 6000 万元且资产总额 5000 万元）")
        );
    }

    #[test]
    fn exact_wan_amounts() {
        assert_eq!(fen_to_wan(0), "0");
        assert_eq!(fen_to_wan(1), "0.000001");
        assert_eq!(fen_to_wan(1_500_000_000), "1500");
        assert_eq!(fen_to_wan(1_234_500_000), "1234.5");
        assert_eq!(fen_to_wan(w(40000) - 1), "39999.999999");
        assert_eq!(fen_to_wan(-1_250_000), "-1.25");
        assert_eq!(fen_to_yuan(12_345), "123.45");
        assert_eq!(fen_to_yuan(100_000), "1,000");
        assert_eq!(fen_to_yuan(5), "0.05");
        let c = run("I65", Some(120), Some(w(1000) - 1), None);
        assert_eq!(c.class, Small);
        assert!(
            c.explanation_zh
                .contains("营业收入 999.999999 万元 ≥ 50 万元")
        );
        assert!(c.explanation_en.contains("CNY 9,999,999.99"));
    }

    #[test]
    fn higher_figures_in_one_indicator_do_not_lift_the_class() {
        // Huge headcount, tiny revenue: every class needs both.
        assert_eq!(run("C39", Some(100_000), Some(w(299)), None).class, Micro);
        assert_eq!(run("C39", Some(19), Some(w(1_000_000)), None).class, Micro);
        // Revenue of a large firm, assets of a small one (real estate development).
        assert_eq!(
            run("K7010", None, Some(w(500_000)), Some(w(2000))).class,
            Small
        );
        assert_eq!(
            run("K7010", None, Some(w(500_000)), Some(w(1999))).class,
            Micro
        );
        assert_eq!(run("M73", Some(0), None, None).class, Micro);
    }

    #[test]
    fn missing_figures_name_field_and_group() {
        #[rustfmt::skip]
        let cases = [
            ("A01", "operating_revenue_fen", "农、林、牧、渔业", "营业收入"),
            ("C39", "employees", "工业", "从业人员"),
            ("C39", "operating_revenue_fen", "工业", "营业收入"),
            ("E47", "operating_revenue_fen", "建筑业", "营业收入"),
            ("E47", "total_assets_fen", "建筑业", "资产总额"),
            ("F51", "employees", "批发业", "从业人员"),
            ("F51", "operating_revenue_fen", "批发业", "营业收入"),
            ("F52", "employees", "零售业", "从业人员"),
            ("F52", "operating_revenue_fen", "零售业", "营业收入"),
            ("G54", "employees", "交通运输业", "从业人员"),
            ("G54", "operating_revenue_fen", "交通运输业", "营业收入"),
            ("G59", "employees", "仓储业", "从业人员"),
            ("G59", "operating_revenue_fen", "仓储业", "营业收入"),
            ("G60", "employees", "邮政业", "从业人员"),
            ("G60", "operating_revenue_fen", "邮政业", "营业收入"),
            ("H61", "employees", "住宿业", "从业人员"),
            ("H61", "operating_revenue_fen", "住宿业", "营业收入"),
            ("H62", "employees", "餐饮业", "从业人员"),
            ("H62", "operating_revenue_fen", "餐饮业", "营业收入"),
            ("I63", "employees", "信息传输业", "从业人员"),
            ("I63", "operating_revenue_fen", "信息传输业", "营业收入"),
            ("I65", "employees", "软件和信息技术服务业", "从业人员"),
            ("I65", "operating_revenue_fen", "软件和信息技术服务业", "营业收入"),
            ("K701", "operating_revenue_fen", "房地产开发经营", "营业收入"),
            ("K701", "total_assets_fen", "房地产开发经营", "资产总额"),
            ("K702", "employees", "物业管理", "从业人员"),
            ("K702", "operating_revenue_fen", "物业管理", "营业收入"),
            ("L72", "employees", "租赁和商务服务业", "从业人员"),
            ("L72", "total_assets_fen", "租赁和商务服务业", "资产总额"),
            ("M73", "employees", "其他未列明行业", "从业人员"),
        ];
        for (code, field, group_zh, figure_zh) in cases {
            let full = Some(w(1));
            let x = (field != "employees").then_some(50);
            let y = (field != "operating_revenue_fen").then_some(full).flatten();
            let z = (field != "total_assets_fen").then_some(full).flatten();
            let e = err(code, x, y, z);
            assert_eq!(e.field, field, "{code}");
            assert_eq!(e.msg.code, "size.figure_missing", "{code}");
            assert_eq!(
                e.msg.zh,
                format!("{group_zh}的划型需要{figure_zh}（{field}），请补充。"),
                "{code}"
            );
            assert!(e.msg.en.contains(field), "{code}");
        }
        assert_eq!(
            err("E47", Some(10), Some(w(1)), None).msg.zh,
            "建筑业的划型需要资产总额（total_assets_fen），请补充。"
        );
    }

    #[test]
    fn figures_a_group_does_not_use_are_ignored() {
        assert_eq!(run("A01", None, Some(w(50)), None).class, Small);
        assert_eq!(run("E47", None, Some(w(300)), Some(w(300))).class, Small);
        assert_eq!(run("K701", None, Some(w(100)), Some(w(2000))).class, Small);
        assert_eq!(run("L72", Some(10), None, Some(w(100))).class, Small);
        assert_eq!(run("M73", Some(10), None, None).class, Small);
        assert_eq!(run("I65", Some(10), Some(w(50)), None).class, Small);
        // Even a negative figure that the group does not use.
        assert_eq!(run("M73", Some(10), Some(-1), Some(-1)).class, Small);
    }

    #[test]
    fn negative_figures_are_rejected() {
        for (code, x, y, z, field) in [
            ("C39", Some(-1), Some(w(1)), None, "employees"),
            ("C39", Some(1), Some(-1), None, "operating_revenue_fen"),
            ("A01", None, Some(-5), None, "operating_revenue_fen"),
            ("E47", None, Some(w(1)), Some(-1), "total_assets_fen"),
            ("L72", Some(-3), None, Some(w(1)), "employees"),
            ("M73", Some(i64::MIN), None, None, "employees"),
        ] {
            let e = err(code, x, y, z);
            assert_eq!(e.msg.code, "size.figure_negative", "{code}");
            assert_eq!(e.field, field, "{code}");
            assert!(e.msg.zh.contains("不能为负数"));
        }
        let e = err("A01", None, Some(-5), None);
        assert_eq!(
            e.msg.zh,
            "营业收入（operating_revenue_fen）不能为负数，当前为 -5。"
        );
    }

    #[test]
    fn unknown_industry_codes() {
        for code in [
            "", "   ", "65", "I6", "ZZ9", "I65X", "Z99", "U01", "I65100", "I-65", "6I5", "II65",
            "I６5x",
        ] {
            let e = err(code, Some(1), Some(1), Some(1));
            assert_eq!(e.field, "industry", "{code:?}");
            assert_eq!(e.msg.code, "size.industry_unknown", "{code:?}");
            assert!(e.msg.zh.contains("“I65”"), "{code:?}: {}", e.msg.zh);
            assert!(e.msg.en.contains("\"I65\""), "{code:?}");
        }
        assert!(err("I65X", None, None, None).msg.zh.contains("“I65X”"));
    }

    #[test]
    fn codes_too_coarse_to_decide_are_rejected() {
        for (code, example) in [
            ("F", "F51"),
            ("G", "G53"),
            ("H", "H61"),
            ("I", "I63"),
            ("K", "K701"),
            ("K70", "K701"),
        ] {
            let e = err(code, Some(1), Some(1), Some(1));
            assert_eq!(e.field, "industry", "{code}");
            assert_eq!(e.msg.code, "size.industry_ambiguous", "{code}");
            assert!(
                e.msg.zh.contains(&format!("“{example}”")),
                "{code}: {}",
                e.msg.zh
            );
        }
        let e = err("f", None, None, None);
        assert!(e.msg.zh.contains("批发业、零售业"), "{}", e.msg.zh);
        // A section that maps to one group as a whole is fine on its own.
        for (code, group) in [
            ("A", "agriculture"),
            ("C", "industry"),
            ("E", "construction"),
            ("L", "leasing_business"),
            ("M", "other"),
        ] {
            let g = standard_2011().industry_group(code).expect(code);
            assert_eq!(g.code, group, "{code}");
        }
    }

    #[test]
    fn industry_codes_are_normalised_and_mapped() {
        for (code, group) in [
            ("i6510", "software_it"),
            (" I65 ", "software_it"),
            ("Ｉ６５", "software_it"),
            ("K7010", "real_estate_dev"),
            ("k701", "real_estate_dev"),
            ("K7020", "property_mgmt"),
            ("K703", "other"),
            ("K7040", "other"),
            ("G5431", "transport"),
            ("G53", "transport"),
            ("G58", "transport"),
            ("G5960", "warehousing"),
            ("G6010", "postal"),
            ("C3911", "industry"),
            ("B06", "industry"),
            ("D44", "industry"),
            ("E50", "construction"),
            ("F5123", "wholesale"),
            ("F5211", "retail"),
            ("F53", "other"),
            ("H6110", "accommodation"),
            ("H6210", "catering"),
            ("I6311", "info_transmission"),
            ("I64", "info_transmission"),
            ("L7212", "leasing_business"),
            ("A01", "agriculture"),
            ("A0511", "agriculture"),
            ("J66", "other"),
            ("M73", "other"),
            ("T9600", "other"),
        ] {
            let g = standard_2011().industry_group(code).expect(code);
            assert_eq!(g.code, group, "{code:?}");
        }
    }

    #[test]
    fn size_class_and_figure_names() {
        let codes: Vec<&str> = SizeClass::ALL.iter().map(|c| c.code()).collect();
        assert_eq!(codes, ["large", "medium", "small", "micro"]);
        let zh: Vec<&str> = SizeClass::ALL.iter().map(|c| c.zh()).collect();
        assert_eq!(zh, ["大型", "中型", "小型", "微型"]);
        for c in SizeClass::ALL {
            assert_eq!(SizeClass::from_code(c.code()), Some(*c));
            assert_eq!(
                serde_json::to_string(c).expect("serialise"),
                format!("\"{}\"", c.code())
            );
        }
        assert_eq!(
            serde_json::to_string(&Figure::OperatingRevenue).expect("serialise"),
            "\"operating_revenue\""
        );
        let fields: Vec<&str> = Figure::ALL.iter().map(|f| f.field()).collect();
        assert_eq!(
            fields,
            ["employees", "operating_revenue_fen", "total_assets_fen"]
        );
        assert_eq!(standard("MIIT-2011-300"), Some(standard_2011()));
        assert_eq!(MIIT_2011_300.code, "MIIT-2011-300");
    }

    #[test]
    fn the_2011_table_is_consistent() {
        let s = standard_2011();
        let mut codes: Vec<&str> = s.groups.iter().map(|g| g.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), s.groups.len(), "group codes are unique");
        assert!(s.group(s.fallback.code).is_some());
        for rule in s.industries {
            assert!(well_formed(rule.prefix), "{}", rule.prefix);
            assert!(s.group(rule.group.code).is_some(), "{}", rule.prefix);
        }
        for g in s.groups {
            assert!(!g.small.is_empty(), "{}", g.code);
            // Each class lists the same indicators, with limits not rising as classes fall.
            for (upper, lower) in [(g.large, g.medium), (g.medium, g.small)] {
                assert_eq!(upper.len(), lower.len(), "{}", g.code);
                for (u, l) in upper.iter().zip(lower) {
                    assert_eq!(u.figure, l.figure, "{}", g.code);
                    assert!(u.min >= l.min, "{}", g.code);
                }
            }
        }
    }

    const SAMPLE_CODES: &[&str] = &[
        "A01", "C39", "E47", "F51", "F52", "G54", "G59", "G60", "H61", "H62", "I63", "I65", "K701",
        "K702", "L72", "M73",
    ];

    fn figure_value() -> impl Strategy<Value = i64> {
        prop_oneof![0i64..3000, 0i64..w(300_000), 0i64..=i64::MAX]
    }

    proptest! {
        #[test]
        fn raising_one_figure_never_lowers_the_class(
            code in proptest::sample::select(SAMPLE_CODES),
            x in figure_value(),
            y in figure_value(),
            z in figure_value(),
            which in 0usize..3,
            raise in prop_oneof![0i64..10, 0i64..w(10_000), 0i64..=i64::MAX],
        ) {
            let before = run(code, Some(x), Some(y), Some(z));
            let mut v = [x, y, z];
            v[which] = v[which].saturating_add(raise);
            let after = run(code, Some(v[0]), Some(v[1]), Some(v[2]));
            prop_assert!(
                after.class.rank() >= before.class.rank(),
                "{code}: {:?} -> {:?}", before.explanation_zh, after.explanation_zh
            );
        }

        #[test]
        fn classify_never_panics(
            industry in ".{0,8}",
            x in proptest::option::of(any::<i64>()),
            y in proptest::option::of(any::<i64>()),
            z in proptest::option::of(any::<i64>()),
        ) {
            let _ = classify(standard_2011(), &input(&industry, x, y, z));
        }
    }
}
