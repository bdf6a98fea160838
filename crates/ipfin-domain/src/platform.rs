//! The public service platform (SPEC §7 R3.3, issue #22): the rules of district zones'
//! interpretations (政策解读), financing matchmaking (bank products, enterprise financing needs,
//! proposed matches with their reasons, contacts), disposal listings after a default, and the
//! two-character n-grams the one search box uses. Pure: every check returns every problem at
//! once.

use crate::ip_number::IpKind;
use crate::message::{FieldError, Msg};
use crate::money::Fen;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

code_enum! {
    /// Where an interpretation stands.
    InterpretationStatus {
        Draft = "draft", "草稿", "Draft";
        Published = "published", "已发布", "Published";
        Withdrawn = "withdrawn", "已撤回", "Withdrawn";
    }
}

code_enum! {
    /// Where a bank's loan product stands: on offer (public, proposed, editable by its bank) or
    /// withdrawn (kept for the record, no longer editable).
    ProductStatus {
        Active = "active", "在售", "On offer";
        Withdrawn = "withdrawn", "已撤回", "Withdrawn";
    }
}

impl ProductStatus {
    /// Whether the bank may still correct the product (only while it is on offer).
    pub fn editable(self) -> bool {
        self == ProductStatus::Active
    }
}

code_enum! {
    /// Where an enterprise's financing need stands: open (shown, proposed, editable by the
    /// enterprise) or closed.
    NeedStatus {
        Open = "open", "进行中", "Open";
        Closed = "closed", "已关闭", "Closed";
    }
}

impl NeedStatus {
    /// Whether the enterprise may still correct the need (only while it is open).
    pub fn editable(self) -> bool {
        self == NeedStatus::Open
    }
}

code_enum! {
    /// Which side started a matchmaking contact.
    ContactKind {
        Request = "request", "企业申请对接产品", "Enterprise asks about a product";
        Interest = "interest", "银行对融资需求表达意向", "Bank interested in a need";
    }
}

code_enum! {
    /// Where a disposal listing stands.
    ListingStatus {
        Open = "open", "挂牌中", "Open";
        Sold = "sold", "已成交", "Sold";
        Withdrawn = "withdrawn", "已撤牌", "Withdrawn";
    }
}

fn text(
    errors: &mut Vec<FieldError>,
    field: &'static str,
    label_zh: &str,
    label_en: &str,
    value: &str,
    min: usize,
    max: usize,
) -> String {
    let v = value.trim();
    let n = v.chars().count();
    if let Err((at, c)) = crate::text::normalise(v) {
        errors.push(crate::text::forbidden_char_error(
            field, label_zh, label_en, at, c,
        ));
    } else if n < min {
        errors.push(if n == 0 {
            FieldError::new(
                field,
                "field.required",
                format!("请填写{label_zh}。"),
                format!("{label_en} is required."),
            )
        } else {
            FieldError::new(
                field,
                "field.too_short",
                format!("{label_zh}至少需要 {min} 个字符。"),
                format!("{label_en} needs at least {min} characters."),
            )
        });
    } else if n > max {
        errors.push(FieldError::new(
            field,
            "field.too_long",
            format!("{label_zh}不能超过 {max} 个字符。"),
            format!("{label_en} may have at most {max} characters."),
        ));
    }
    v.to_string()
}

/// An interpretation (政策解读) as an officer writes it. The text is stored as typed and
/// always shown as text (escaped), never as HTML.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interpretation {
    pub title: String,
    pub body: String,
    /// The published policy version it interprets.
    pub policy_version_id: Option<i64>,
}

impl Interpretation {
    pub fn check(
        title: &str,
        body: &str,
        policy_version_id: Option<i64>,
    ) -> Result<Interpretation, Vec<FieldError>> {
        let mut errors = Vec::new();
        let title = text(&mut errors, "title", "标题", "The title", title, 4, 120);
        let body = text(&mut errors, "body", "正文", "The text", body, 20, 20_000);
        if policy_version_id.is_none() {
            errors.push(FieldError::new(
                "policy_version_id",
                "interpretation.policy",
                "请选择所解读的已发布政策。",
                "Choose the published policy this interprets.",
            ));
        }
        if errors.is_empty() {
            Ok(Interpretation {
                title,
                body,
                policy_version_id,
            })
        } else {
            Err(errors)
        }
    }
}

/// The paragraphs of a stored text, for display as text (each becomes a `<p>`, escaped).
pub fn paragraphs(body: &str) -> Vec<String> {
    body.split('\n')
        .map(|p| crate::text::printable(p.trim()).into_owned())
        .filter(|p| !p.is_empty())
        .collect()
}

/// Parses an annual rate typed in percent ("3.45", "3.45%") into basis points (345).
pub fn parse_rate_bp(s: &str) -> Option<i32> {
    let s = s.trim().trim_end_matches(['%', '％']).trim();
    let (whole, frac) = match s.split_once('.') {
        Some((w, f)) => (w, f),
        None => (s, ""),
    };
    if whole.is_empty() || whole.len() > 2 || frac.len() > 2 {
        return None;
    }
    if !whole.chars().all(|c| c.is_ascii_digit()) || !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let w: i32 = whole.parse().ok()?;
    let f: i32 = format!("{frac:0<2}").parse().ok()?;
    Some(w * 100 + f)
}

/// Basis points as a percentage: 345 → "3.45%".
pub fn rate_display(bp: i32) -> String {
    format!("{}.{:02}%", bp / 100, bp % 100)
}

/// A bank's IP-pledge loan product (融资产品).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    pub name: String,
    pub ip_kinds: Vec<IpKind>,
    pub min_fen: Fen,
    pub max_fen: Fen,
    pub min_months: i32,
    pub max_months: i32,
    /// Indicative annual rate range, in basis points.
    pub min_rate_bp: i32,
    pub max_rate_bp: i32,
    /// GB/T 4754 industry code prefixes; empty: any industry.
    pub industries: Vec<String>,
    /// District codes; empty: the whole city.
    pub regions: Vec<String>,
    pub contact: String,
    pub description: String,
}

/// What a product form or body carries, before checking (amounts already in fen).
#[derive(Debug, Clone, Default)]
pub struct ProductInput<'a> {
    pub name: &'a str,
    pub ip_kinds: &'a [String],
    pub min_fen: Option<Fen>,
    pub max_fen: Option<Fen>,
    pub min_months: Option<i32>,
    pub max_months: Option<i32>,
    pub min_rate_bp: Option<i32>,
    pub max_rate_bp: Option<i32>,
    pub industries: &'a [String],
    pub regions: &'a [String],
    pub contact: &'a str,
    pub description: &'a str,
}

fn range<T: PartialOrd + Copy>(
    errors: &mut Vec<FieldError>,
    min: (&'static str, Option<T>),
    max: (&'static str, Option<T>),
    ok: impl Fn(T) -> bool,
    what_zh: &str,
    what_en: &str,
) -> Option<(T, T)> {
    let mut bad = false;
    for (field, v, which) in [(min.0, min.1, "最低"), (max.0, max.1, "最高")] {
        match v {
            None => {
                bad = true;
                errors.push(FieldError::new(
                    field,
                    "product.range_missing",
                    format!("请填写{which}{what_zh}。"),
                    format!("Give the {what_en} range."),
                ));
            }
            Some(x) if !ok(x) => {
                bad = true;
                errors.push(FieldError::new(
                    field,
                    "product.range_value",
                    format!("{which}{what_zh}超出允许范围。"),
                    format!("The {what_en} is out of range."),
                ));
            }
            _ => {}
        }
    }
    if bad {
        return None;
    }
    let (a, b) = (min.1?, max.1?);
    if a > b {
        errors.push(FieldError::new(
            min.0,
            "product.min_above_max",
            format!("最低{what_zh}不能高于最高{what_zh}。"),
            format!("The minimum {what_en} is above the maximum."),
        ));
        return None;
    }
    Some((a, b))
}

impl Product {
    pub fn check(i: &ProductInput<'_>) -> Result<Product, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = text(&mut errors, "name", "产品名称", "The name", i.name, 2, 60);
        let kinds = ip_kinds(&mut errors, i.ip_kinds, "可质押的");
        let amount = range(
            &mut errors,
            ("min_amount", i.min_fen),
            ("max_amount", i.max_fen),
            |v: Fen| v.is_positive(),
            "贷款金额",
            "amount",
        );
        let months = range(
            &mut errors,
            ("min_months", i.min_months),
            ("max_months", i.max_months),
            |v: i32| (1..=360).contains(&v),
            "期限（月，1–360）",
            "term",
        );
        let rate = range(
            &mut errors,
            ("min_rate", i.min_rate_bp),
            ("max_rate", i.max_rate_bp),
            |v: i32| (1..=3600).contains(&v),
            "参考年利率（0.01%–36%）",
            "rate",
        );
        let industries = codes(&mut errors, "industries", i.industries, |s| {
            s.len() <= 5 && s.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        });
        let regions = codes(&mut errors, "regions", i.regions, |s| {
            s.len() == 6 && s.chars().all(|c| c.is_ascii_digit())
        });
        let contact = text(
            &mut errors,
            "contact",
            "联系方式",
            "The contact",
            i.contact,
            4,
            100,
        );
        let description = text(
            &mut errors,
            "description",
            "产品说明",
            "The description",
            i.description,
            0,
            2000,
        );
        match (amount, months, rate, errors.is_empty()) {
            (Some((min_fen, max_fen)), Some((min_months, max_months)), Some((lo, hi)), true) => {
                Ok(Product {
                    name,
                    ip_kinds: kinds,
                    min_fen,
                    max_fen,
                    min_months,
                    max_months,
                    min_rate_bp: lo,
                    max_rate_bp: hi,
                    industries,
                    regions,
                    contact,
                    description,
                })
            }
            _ => Err(errors),
        }
    }
}

/// The IP kinds chosen (at least one, no unknown code), in the order given.
fn ip_kinds(errors: &mut Vec<FieldError>, input: &[String], what_zh: &str) -> Vec<IpKind> {
    let mut kinds = Vec::new();
    for k in input.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        match IpKind::from_code(k) {
            Some(k) if !kinds.contains(&k) => kinds.push(k),
            Some(_) => {}
            None => errors.push(FieldError::new(
                "ip_kinds",
                "product.ip_kind",
                format!("“{k}”不是知识产权类型，可选：专利、商标、软件著作权、作品著作权。"),
                "Unknown IP kind.",
            )),
        }
    }
    if kinds.is_empty() && !errors.iter().any(|e| e.field == "ip_kinds") {
        errors.push(FieldError::new(
            "ip_kinds",
            "product.ip_kinds",
            format!("请至少选择一种{what_zh}知识产权类型。"),
            "Choose at least one IP kind.",
        ));
    }
    kinds
}

fn codes(
    errors: &mut Vec<FieldError>,
    field: &'static str,
    input: &[String],
    ok: impl Fn(&str) -> bool,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in input
        .iter()
        .flat_map(|s| s.split([',', '，', ' ', '、']))
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        if !ok(s) {
            errors.push(FieldError::new(
                field,
                "product.code",
                format!("“{s}”格式不对：行业填国民经济行业分类代码（如 I65），地区填六位区划代码（如 440305）。"),
                "Industry codes like I65, district codes like 440305.",
            ));
        } else if !out.iter().any(|o| o == s) {
            out.push(s.to_string());
        }
    }
    out
}

/// An enterprise's financing need (融资需求).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Need {
    pub amount_fen: Fen,
    pub months: i32,
    pub purpose: String,
    /// The enterprise's IP assets it offers as pledge (at least one).
    pub ip_asset_ids: Vec<i64>,
    /// Listed on the public page `/financing-needs` (banks see every open need either way).
    pub public: bool,
}

impl Need {
    pub fn check(
        amount_fen: Option<Fen>,
        months: Option<i32>,
        purpose: &str,
        ip_asset_ids: &[i64],
        public: bool,
    ) -> Result<Need, Vec<FieldError>> {
        let mut errors = Vec::new();
        if amount_fen.is_none_or(|a| a <= 0) {
            errors.push(FieldError::new(
                "amount",
                "need.amount",
                "请填写融资金额（元，大于 0）。",
                "Give the amount (yuan, above 0).",
            ));
        }
        if !months.is_some_and(|m| (1..=360).contains(&m)) {
            errors.push(FieldError::new(
                "months",
                "need.months",
                "请填写融资期限（1–360 个月）。",
                "Give the term (1–360 months).",
            ));
        }
        let purpose = text(
            &mut errors,
            "purpose",
            "资金用途",
            "The purpose",
            purpose,
            4,
            500,
        );
        let mut ids: Vec<i64> = ip_asset_ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            errors.push(FieldError::new(
                "ip_asset_ids",
                "need.no_ip",
                "融资需求至少要关联一项本企业的知识产权（用于质押）。",
                "Link at least one of your IP assets.",
            ));
        }
        match (amount_fen, months, errors.is_empty()) {
            (Some(a), Some(m), true) => Ok(Need {
                amount_fen: a,
                months: m,
                purpose,
                ip_asset_ids: ids,
                public,
            }),
            _ => Err(errors),
        }
    }
}

/// What matching looks at on a need: its figures and its enterprise's facts.
#[derive(Debug, Clone, Default)]
pub struct NeedFacts<'a> {
    pub amount_fen: Fen,
    pub months: i32,
    pub ip_kinds: &'a [String],
    pub industry: Option<&'a str>,
    pub district: Option<&'a str>,
}

/// What matching looks at on a product.
#[derive(Debug, Clone, Default)]
pub struct ProductFacts<'a> {
    pub min_fen: Fen,
    pub max_fen: Fen,
    pub min_months: i32,
    pub max_months: i32,
    pub ip_kinds: &'a [String],
    pub industries: &'a [String],
    pub regions: &'a [String],
}

/// Whether a product and a need match, with the reasons (every criterion that matched, in
/// words, Chinese and English); `None` when a criterion fails. A criterion the product does not
/// declare (no industries, no regions) does not exclude.
pub fn match_reasons(p: &ProductFacts<'_>, n: &NeedFacts<'_>) -> Option<Vec<Msg>> {
    let mut reasons = Vec::new();
    if n.amount_fen < p.min_fen || n.amount_fen > p.max_fen {
        return None;
    }
    let (amount, min, max) = (n.amount_fen.yuan(), p.min_fen.yuan(), p.max_fen.yuan());
    reasons.push(Msg::new(
        "match.amount",
        format!("金额 {amount} 元在产品额度 {min}–{max} 元之内"),
        format!("amount {amount} yuan within the product's {min}–{max} yuan"),
    ));
    if n.months < p.min_months || n.months > p.max_months {
        return None;
    }
    reasons.push(Msg::new(
        "match.term",
        format!(
            "期限 {} 个月在 {}–{} 个月之内",
            n.months, p.min_months, p.max_months
        ),
        format!(
            "term {} months within {}–{} months",
            n.months, p.min_months, p.max_months
        ),
    ));
    let common: Vec<&String> = n
        .ip_kinds
        .iter()
        .filter(|k| p.ip_kinds.contains(k))
        .collect();
    if common.is_empty() {
        return None;
    }
    let names = |label: fn(IpKind) -> &'static str, sep: &str| {
        common
            .iter()
            .map(|c| IpKind::from_code(c).map_or((*c).clone(), |k| label(k).to_string()))
            .collect::<Vec<_>>()
            .join(sep)
    };
    reasons.push(Msg::new(
        "match.ip_kinds",
        format!("接受所提供的{}质押", names(IpKind::zh, "、")),
        format!("pledge of {} accepted", names(IpKind::en, ", ")),
    ));
    if !p.industries.is_empty() {
        let i = n.industry?;
        let hit = p.industries.iter().find(|x| i.starts_with(x.as_str()))?;
        reasons.push(Msg::new(
            "match.industry",
            format!("行业 {i} 属于产品支持的行业 {hit}"),
            format!("industry {i} is under the product's industry {hit}"),
        ));
    }
    if !p.regions.is_empty() {
        let d = n.district?;
        if !p.regions.iter().any(|r| r == d) {
            return None;
        }
        reasons.push(Msg::new(
            "match.region",
            format!("企业注册地 {d} 在产品服务地区内"),
            format!("registered in {d}, within the product's regions"),
        ));
    }
    Some(reasons)
}

/// A disposal listing (处置挂牌) as the pledgee bank enters it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listing {
    pub title: String,
    pub reserve_fen: Fen,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    pub terms: String,
    pub ip_asset_ids: Vec<i64>,
}

impl Listing {
    pub fn check(
        title: &str,
        reserve_fen: Option<Fen>,
        opens_on: Option<NaiveDate>,
        closes_on: Option<NaiveDate>,
        terms: &str,
        ip_asset_ids: &[i64],
        today: NaiveDate,
    ) -> Result<Listing, Vec<FieldError>> {
        let mut errors = Vec::new();
        let title = text(&mut errors, "title", "挂牌标题", "The title", title, 4, 120);
        if reserve_fen.is_none_or(|r| r <= 0) {
            errors.push(FieldError::new(
                "reserve",
                "listing.reserve",
                "请填写保留价（元，大于 0）：没有保留价不能挂牌。",
                "A listing needs a reserve price above 0.",
            ));
        }
        let opens = opens_on.unwrap_or(today);
        if opens < today {
            errors.push(FieldError::new(
                "opens_on",
                "listing.opens_past",
                "挂牌开始日期不能早于今天。",
                "The listing cannot open in the past.",
            ));
        }
        match closes_on {
            None => errors.push(FieldError::new(
                "closes_on",
                "listing.closes_missing",
                "请填写挂牌截止日期（YYYY-MM-DD）。",
                "Give the closing date.",
            )),
            Some(c) if c <= today => errors.push(FieldError::new(
                "closes_on",
                "listing.closes_past",
                format!("截止日期 {c} 已过或就是今天，请填写今天之后的日期。"),
                "The closing date has passed.",
            )),
            Some(c) if c <= opens => errors.push(FieldError::new(
                "closes_on",
                "listing.closes_before_open",
                "截止日期应晚于开始日期。",
                "The listing must close after it opens.",
            )),
            Some(c) if (c - opens).num_days() > 366 => errors.push(FieldError::new(
                "closes_on",
                "listing.too_long",
                "挂牌期不能超过一年。",
                "A listing lasts at most a year.",
            )),
            _ => {}
        }
        let terms = text(
            &mut errors,
            "terms",
            "交易条件",
            "The terms",
            terms,
            0,
            2000,
        );
        let mut ids = ip_asset_ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            errors.push(FieldError::new(
                "ip_asset_ids",
                "listing.no_assets",
                "请至少选择一项出质的知识产权。",
                "Choose at least one pledged IP asset.",
            ));
        }
        match (reserve_fen, closes_on, errors.is_empty()) {
            (Some(r), Some(c), true) => Ok(Listing {
                title,
                reserve_fen: r,
                opens_on: opens,
                closes_on: c,
                terms,
                ip_asset_ids: ids,
            }),
            _ => Err(errors),
        }
    }
}

/// An interested party's registration on a listing (anyone, signed in or not).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interest {
    pub name: String,
    pub contact: String,
    pub note: String,
}

impl Interest {
    pub fn check(name: &str, contact: &str, note: &str) -> Result<Interest, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = text(&mut errors, "name", "姓名或单位", "The name", name, 2, 60);
        let contact = text(
            &mut errors,
            "contact",
            "联系方式",
            "The contact",
            contact,
            5,
            60,
        );
        let note = text(&mut errors, "note", "说明", "The note", note, 0, 500);
        if errors.is_empty() {
            Ok(Interest {
                name,
                contact,
                note,
            })
        } else {
            Err(errors)
        }
    }
}

/// The outcome of a listing: sold (price and date) or withdrawn (reason).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListingOutcome {
    pub status: ListingStatus,
    pub price_fen: Option<Fen>,
    pub on: NaiveDate,
    pub note: String,
}

impl ListingOutcome {
    pub fn check(
        status: &str,
        price_fen: Option<Fen>,
        on: Option<NaiveDate>,
        note: &str,
        today: NaiveDate,
    ) -> Result<ListingOutcome, Vec<FieldError>> {
        let mut errors = Vec::new();
        let status = match ListingStatus::from_code(status.trim()) {
            Some(s @ (ListingStatus::Sold | ListingStatus::Withdrawn)) => Some(s),
            _ => {
                errors.push(FieldError::new(
                    "status",
                    "listing.outcome",
                    "请选择结果：已成交或已撤牌。",
                    "Choose sold or withdrawn.",
                ));
                None
            }
        };
        if status == Some(ListingStatus::Sold) && price_fen.is_none_or(|p| p <= 0) {
            errors.push(FieldError::new(
                "price",
                "listing.price",
                "已成交须填写成交价（元，大于 0）。",
                "A sale needs its price.",
            ));
        }
        let on = on.unwrap_or(today);
        if on > today {
            errors.push(FieldError::new(
                "on",
                "listing.outcome_future",
                "结果日期不能晚于今天。",
                "The date cannot be in the future.",
            ));
        }
        let min = if status == Some(ListingStatus::Withdrawn) {
            4
        } else {
            0
        };
        let note = text(&mut errors, "note", "说明", "The note", note, min, 500);
        match (status, errors.is_empty()) {
            (Some(s), true) => Ok(ListingOutcome {
                status: s,
                price_fen: price_fen.filter(|_| s == ListingStatus::Sold),
                on,
                note,
            }),
            _ => Err(errors),
        }
    }
}

/// The search grams of a text: every two consecutive letters, digits or CJK characters within a
/// run of them (lower-cased), and single characters of one-character runs; distinct.
pub fn grams(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |g: String| {
        if !out.contains(&g) {
            out.push(g);
        }
    };
    for run in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|r| !r.is_empty())
    {
        let chars: Vec<char> = run.chars().flat_map(char::to_lowercase).collect();
        if chars.len() == 1 {
            push(chars[0].to_string());
        }
        for w in chars.windows(2) {
            push(w.iter().collect());
        }
    }
    out
}

/// The grams of a query (at most 16, so a query stays cheap), or the error when it has fewer
/// than two characters to search for.
pub fn query_grams(q: &str) -> Result<Vec<String>, FieldError> {
    let g: Vec<String> = grams(q)
        .into_iter()
        .filter(|g| g.chars().count() == 2)
        .collect();
    if g.is_empty() {
        return Err(FieldError::new(
            "q",
            "search.too_short",
            "请至少输入两个连续的字或字母再搜索。",
            "Type at least two characters.",
        ));
    }
    Ok(g.into_iter().take(16).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn an_interpretation_needs_a_policy_and_text_every_error_at_once() {
        let e = Interpretation::check("", "短", None).expect_err("bad");
        let fields: Vec<_> = e.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["title", "body", "policy_version_id"]);
        let ok = Interpretation::check(
            "南山区政策解读",
            "<script>alert(1)</script> 这是一篇足够长的政策解读正文内容。",
            Some(3),
        )
        .expect("ok");
        // Stored as typed; shown as text by the pages.
        assert!(ok.body.contains("<script>"));
        assert_eq!(paragraphs("一\n\n 二 \n").len(), 2);
    }

    #[test]
    fn a_product_with_min_above_max_is_refused_with_every_error() {
        let kinds = vec!["patent".to_string(), "magic".to_string()];
        let e = Product::check(&ProductInput {
            name: "知易贷",
            ip_kinds: &kinds,
            min_fen: Some(Fen::new(500)),
            max_fen: Some(Fen::new(100)),
            min_months: Some(36),
            max_months: Some(12),
            min_rate_bp: Some(500),
            max_rate_bp: Some(300),
            contact: "0755-1234",
            ..Default::default()
        })
        .expect_err("bad");
        let codes: Vec<_> = e.iter().map(|e| (e.field, e.msg.code)).collect();
        assert_eq!(
            codes,
            [
                ("ip_kinds", "product.ip_kind"),
                ("min_amount", "product.min_above_max"),
                ("min_months", "product.min_above_max"),
                ("min_rate", "product.min_above_max"),
            ]
        );
        let kinds = vec!["patent".to_string()];
        let p = Product::check(&ProductInput {
            name: "知易贷",
            ip_kinds: &kinds,
            min_fen: Some(Fen::new(100)),
            max_fen: Some(Fen::new(100)),
            min_months: Some(6),
            max_months: Some(36),
            min_rate_bp: Some(300),
            max_rate_bp: Some(450),
            industries: &["I65, C39".to_string()],
            contact: "0755-1234",
            ..Default::default()
        })
        .expect("ok");
        assert_eq!(p.industries, ["I65", "C39"]);
        assert_eq!(parse_rate_bp("3.45%"), Some(345));
        assert_eq!(parse_rate_bp("4"), Some(400));
        assert_eq!(parse_rate_bp("3.456"), None);
        assert_eq!(rate_display(345), "3.45%");
    }

    #[test]
    fn a_need_without_ip_is_refused() {
        let e =
            Need::check(Some(Fen::new(100)), Some(12), "研发投入", &[], true).expect_err("no ip");
        assert_eq!(e[0].msg.code, "need.no_ip");
        let n =
            Need::check(Some(Fen::new(100)), Some(12), "研发投入", &[3, 3, 2], false).expect("ok");
        assert_eq!(n.ip_asset_ids, [2, 3]);
    }

    #[test]
    fn matches_say_which_criteria_matched() {
        let pk = vec!["patent".to_string()];
        let ind = vec!["I".to_string()];
        let p = ProductFacts {
            min_fen: Fen::new(100),
            max_fen: Fen::new(1000),
            min_months: 6,
            max_months: 36,
            ip_kinds: &pk,
            industries: &ind,
            regions: &[],
        };
        let nk = vec!["patent".to_string(), "trademark".to_string()];
        let n = NeedFacts {
            amount_fen: Fen::new(500),
            months: 12,
            ip_kinds: &nk,
            industry: Some("I65"),
            district: Some("440305"),
        };
        let r = match_reasons(&p, &n).expect("match");
        assert_eq!(r.len(), 4);
        assert!(r[2].zh.contains("专利"), "{r:?}");
        assert_eq!(r[2].en, "pledge of Patent accepted");
        assert!(
            r[0].zh.contains("5.00 元") && r[0].en.contains("5.00 yuan"),
            "{r:?}"
        );
        assert!(
            r.iter()
                .all(|m| !m.en.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))),
            "no Chinese in English: {r:?}"
        );
        assert!(
            match_reasons(
                &p,
                &NeedFacts {
                    amount_fen: Fen::new(5000),
                    ..n.clone()
                }
            )
            .is_none()
        );
        assert!(
            match_reasons(
                &p,
                &NeedFacts {
                    industry: Some("C39"),
                    ..n.clone()
                }
            )
            .is_none()
        );
    }

    #[test]
    fn a_listing_needs_a_reserve_and_a_future_deadline() {
        let today = d("2026-12-07");
        let e = Listing::check(
            "专利处置",
            None,
            None,
            Some(d("2026-12-01")),
            "",
            &[1],
            today,
        )
        .expect_err("bad");
        let codes: Vec<_> = e.iter().map(|e| e.msg.code).collect();
        assert_eq!(codes, ["listing.reserve", "listing.closes_past"]);
        let l = Listing::check(
            "专利处置",
            Some(Fen::new(100)),
            None,
            Some(d("2027-01-31")),
            "",
            &[1],
            today,
        )
        .expect("ok");
        assert_eq!(l.opens_on, today);
        let o = ListingOutcome::check("sold", None, None, "", today).expect_err("no price");
        assert_eq!(o[0].field, "price");
        let o = ListingOutcome::check("withdrawn", Some(Fen::new(5)), None, "债务已清偿", today)
            .expect("ok");
        assert_eq!(o.price_fen, None);
    }

    #[test]
    fn grams_are_two_characters() {
        assert_eq!(grams("专利贷 A1"), ["专利", "利贷", "a1"]);
        assert_eq!(grams("知"), ["知"]);
        assert_eq!(query_grams("专利").expect("ok"), ["专利"]);
        assert!(query_grams("专").is_err());
        assert!(query_grams("  ").is_err());
    }
}

// ---------------------------------------------------------------------------------------------
// Valuation (评估评价, R3.3 item 3): an institution's profile, quotes requested by enterprises
// for one of their IP assets, and the report that links back to the asset.
// ---------------------------------------------------------------------------------------------

code_enum! {
    /// Where a valuation quote stands: requested by the enterprise, quoted or declined by the
    /// institution, accepted by the enterprise, reported (the valuation report recorded).
    QuoteStatus {
        Requested = "requested", "待报价", "Awaiting a quote";
        Quoted = "quoted", "已报价", "Quoted";
        Declined = "declined", "已婉拒", "Declined";
        Accepted = "accepted", "企业已接受报价", "Accepted";
        Reported = "reported", "已出具评估报告", "Report issued";
    }
}

/// What may happen to a quote next, and by whom.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuoteAction {
    /// The institution answers with a fee, or declines.
    Answer,
    /// The enterprise accepts the fee.
    Accept,
    /// The institution records the report.
    Report,
}

impl QuoteStatus {
    /// Whether `action` is possible in this state.
    pub fn allows(self, action: QuoteAction) -> bool {
        matches!(
            (self, action),
            (QuoteStatus::Requested, QuoteAction::Answer)
                | (QuoteStatus::Quoted, QuoteAction::Accept)
                | (QuoteStatus::Accepted, QuoteAction::Report)
        )
    }
}

/// A valuation institution's public profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValuationProfile {
    /// Qualifications (资质), e.g. 资产评估资格证书编号.
    pub qualifications: String,
    pub ip_kinds: Vec<IpKind>,
    pub fee_min: Fen,
    pub fee_max: Fen,
}

impl ValuationProfile {
    /// Every problem at once: qualifications 4–500 characters, at least one IP kind, a fee
    /// range of positive amounts with the minimum not above the maximum.
    pub fn check(
        qualifications: &str,
        kinds: &[String],
        fee_min_fen: Option<Fen>,
        fee_max_fen: Option<Fen>,
    ) -> Result<ValuationProfile, Vec<FieldError>> {
        let mut errors = Vec::new();
        let qualifications = text(
            &mut errors,
            "qualifications",
            "资质说明",
            "The qualifications",
            qualifications,
            4,
            500,
        );
        let kinds = ip_kinds(&mut errors, kinds, "评估的");
        let fees = range(
            &mut errors,
            ("fee_min", fee_min_fen),
            ("fee_max", fee_max_fen),
            |v: Fen| v.is_positive(),
            "评估收费",
            "fee",
        );
        match fees {
            Some((a, b)) if errors.is_empty() => Ok(ValuationProfile {
                qualifications,
                ip_kinds: kinds,
                fee_min: a,
                fee_max: b,
            }),
            _ => Err(errors),
        }
    }
}

/// The institution's answer to a quote request: a fee and the days needed, or a decline with
/// its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuoteAnswer {
    Quote { fee: Fen, days: i32, note: String },
    Decline { reason: String },
}

impl QuoteAnswer {
    pub fn check(
        decline: bool,
        fee_fen: Option<Fen>,
        days: Option<i32>,
        note: &str,
    ) -> Result<QuoteAnswer, Vec<FieldError>> {
        let mut errors = Vec::new();
        if decline {
            let reason = text(&mut errors, "note", "婉拒理由", "The reason", note, 4, 500);
            return if errors.is_empty() {
                Ok(QuoteAnswer::Decline { reason })
            } else {
                Err(errors)
            };
        }
        let note = text(&mut errors, "note", "报价说明", "The note", note, 0, 500);
        if fee_fen.is_none_or(|f| f <= 0) {
            errors.push(FieldError::new(
                "fee",
                "valuation.fee",
                "请填写评估收费（元，大于 0，最多两位小数）。",
                "Give the fee (yuan, above 0).",
            ));
        }
        if days.is_none_or(|d| !(1..=180).contains(&d)) {
            errors.push(FieldError::new(
                "days",
                "valuation.days",
                "请填写完成评估所需的工作日数（1–180）。",
                "Give the working days needed (1–180).",
            ));
        }
        match (fee_fen, days) {
            (Some(f), Some(d)) if errors.is_empty() => Ok(QuoteAnswer::Quote {
                fee: f,
                days: d,
                note,
            }),
            _ => Err(errors),
        }
    }
}

/// The valuation report recorded on an accepted quote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValuationReport {
    pub number: String,
    pub date: NaiveDate,
    pub appraised: Fen,
}

impl ValuationReport {
    /// The report number (2–64 characters), its date (not before the request, not after
    /// today) and the appraised value (above 0).
    pub fn check(
        number: &str,
        date: Option<NaiveDate>,
        appraised_fen: Option<Fen>,
        requested_on: NaiveDate,
        today: NaiveDate,
    ) -> Result<ValuationReport, Vec<FieldError>> {
        let mut errors = Vec::new();
        let number = text(
            &mut errors,
            "report_number",
            "报告编号",
            "The report number",
            number,
            2,
            64,
        );
        match date {
            None => errors.push(FieldError::new(
                "report_date",
                "valuation.report_date",
                "请填写报告日期。",
                "Give the report date.",
            )),
            Some(d) if d < requested_on || d > today => errors.push(FieldError::new(
                "report_date",
                "valuation.report_date",
                format!("报告日期须在询价日期（{requested_on}）与今天之间。"),
                "The report date lies between the request and today.",
            )),
            Some(_) => {}
        }
        if appraised_fen.is_none_or(|f| f <= 0) {
            errors.push(FieldError::new(
                "appraised",
                "valuation.appraised",
                "请填写评估价值（元，大于 0，最多两位小数）。",
                "Give the appraised value (yuan, above 0).",
            ));
        }
        match (date, appraised_fen) {
            (Some(d), Some(a)) if errors.is_empty() => Ok(ValuationReport {
                number,
                date: d,
                appraised: a,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod valuation_tests {
    use super::*;

    #[test]
    fn a_profile_shows_every_problem_at_once() {
        let e = ValuationProfile::check(
            "",
            &["lottery".into()],
            Some(Fen::new(500_000)),
            Some(Fen::new(100_000)),
        )
        .expect_err("bad");
        let fields: Vec<&str> = e.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            vec!["qualifications", "ip_kinds", "fee_min"],
            "{e:?}"
        );
        let p = ValuationProfile::check(
            "资产评估资格证书 No.44020001",
            &["patent".into(), "trademark".into(), "patent".into()],
            Some(Fen::new(500_000)),
            Some(Fen::new(5_000_000)),
        )
        .expect("good");
        assert_eq!(p.ip_kinds, vec![IpKind::Patent, IpKind::Trademark]);
        assert_eq!(p.fee_min, Fen::new(500_000));
    }

    #[test]
    fn answers_and_reports_check_every_field() {
        let e = QuoteAnswer::check(false, None, Some(0), "").expect_err("bad");
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(
            QuoteAnswer::check(true, None, None, "忙").is_err(),
            "a reason of 4+"
        );
        assert!(matches!(
            QuoteAnswer::check(true, None, None, "本月排期已满"),
            Ok(QuoteAnswer::Decline { .. })
        ));
        let d = |s: &str| s.parse::<NaiveDate>().expect("date");
        let e = ValuationReport::check(
            "",
            Some(d("2026-01-01")),
            Some(Fen::new(0)),
            d("2026-03-01"),
            d("2026-12-07"),
        )
        .expect_err("bad");
        assert_eq!(e.len(), 3, "{e:?}");
        assert!(
            ValuationReport::check(
                "PG-1",
                Some(d("2026-12-08")),
                Some(Fen::new(1)),
                d("2026-03-01"),
                d("2026-12-07")
            )
            .is_err(),
            "future"
        );
        assert!(
            ValuationReport::check(
                "PG-1",
                Some(d("2026-03-01")),
                Some(Fen::new(1)),
                d("2026-03-01"),
                d("2026-12-07")
            )
            .is_ok()
        );
    }

    #[test]
    fn a_quote_moves_only_forward() {
        use QuoteAction as A;
        use QuoteStatus as S;
        assert!(S::Requested.allows(A::Answer) && !S::Requested.allows(A::Report));
        assert!(S::Quoted.allows(A::Accept) && !S::Quoted.allows(A::Answer));
        assert!(S::Accepted.allows(A::Report) && !S::Declined.allows(A::Accept));
        assert!(!S::Reported.allows(A::Report));
    }
}
