//! Rows of tag, IP and loan files: reading fields, parsing into ready rows, and finding
//! duplicate keys within the file.

use super::columns::{ImportKind, yes_no};
use super::enterprise::{ReadyRow, check_enterprise_row};
use crate::error::StoreError;
use ipfin_domain::Scope;
use std::collections::HashMap;

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
pub(super) struct RowContext {
    pub(super) kind: ImportKind,
    pub(super) cols: HashMap<&'static str, usize>,
    pub(super) districts: HashMap<String, String>,
    /// Tag type code and Chinese name → code.
    pub(super) tag_types: HashMap<String, String>,
    pub(super) scope: Scope,
    pub(super) backend: sea_orm::DbBackend,
}

/// A checked row, ready to write.
pub enum Ready {
    Enterprise(ReadyRow),
    Tag(TagRow),
    Ip(IpRow),
    Loan(LoanImportRow),
    FollowUp(FollowUpRow),
}

/// A follow-up row, checked as far as the file alone allows (the push it belongs to, its date
/// against the push and the loan are checked when it is written).
pub struct FollowUpRow {
    pub line: u64,
    pub values: Vec<String>,
    pub code: String,
    pub contacted_on: chrono::NaiveDate,
    pub channel: ipfin_domain::push::Channel,
    pub person: String,
    pub outcome: ipfin_domain::push::Outcome,
    pub contract_number: Option<String>,
    pub note: String,
}

/// A loan row, parsed (the store checks it against the database when writing).
pub struct LoanImportRow {
    pub line: u64,
    pub values: Vec<String>,
    pub input: crate::financing::LoanInput,
}

impl Ready {
    /// What makes two rows of a file the same record.
    pub(super) fn key(&self) -> String {
        match self {
            Ready::Enterprise(r) => r.code.clone(),
            Ready::Tag(r) => format!("{} {} {}", r.code, r.tag_type, r.year),
            Ready::Ip(r) => format!("{} {}", r.ip.kind.code(), r.ip.number),
            Ready::Loan(r) => r.input.terms.contract_number.clone(),
            Ready::FollowUp(r) => format!("{} {} {}", r.code, r.contacted_on, r.outcome.code()),
        }
    }

    pub(super) fn duplicate_error(&self, first: u64) -> (String, String) {
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
            Ready::FollowUp(_) => (
                "contacted_on".to_string(),
                format!("同一企业同一天的同一跟进结果与第 {first} 行重复。"),
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

/// Every problem found in one row: (field, message), in the order the fields are read.
pub type RowProblems = Vec<(String, String)>;

/// Collects the problems of a row so that all of them are reported, not only the first: a
/// field that fails is recorded and read as its default so the others are still checked.
#[derive(Default)]
pub(super) struct Problems(pub(super) RowProblems);

impl Problems {
    /// The value, or (recording the problem) the type's default.
    pub(super) fn take<T: Default>(&mut self, r: RowResult<T>) -> T {
        match r {
            Ok(v) => v,
            Err(e) => {
                self.add(e);
                T::default()
            }
        }
    }

    /// Records a problem unless its field already has one.
    pub(super) fn add(&mut self, e: (String, String)) {
        if !self.has(&e.0) {
            self.0.push(e);
        }
    }

    pub(super) fn has(&self, field: &str) -> bool {
        self.0.iter().any(|(f, _)| f == field)
    }

    /// The row's value when nothing was wrong, else all the problems.
    pub(super) fn finish<T>(self, value: T) -> std::result::Result<T, RowProblems> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(self.0)
        }
    }
}

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
    /// Checks the row's mapped fields for invisible control characters (a vertical tab, as Word
    /// pastes it, becomes a line break): each field that has one is a problem naming the
    /// column, the position and the code point (PostgreSQL cannot even store a NUL).
    pub(super) fn normalise(&self, values: &mut [String]) -> RowProblems {
        let mut fields: Vec<(&'static str, usize)> =
            self.cols.iter().map(|(f, i)| (*f, *i)).collect();
        fields.sort_by_key(|(_, i)| *i);
        let mut problems = Vec::new();
        for (field, i) in fields {
            let Some(v) = values.get_mut(i) else {
                continue;
            };
            match ipfin_domain::text::normalise(v) {
                Ok(std::borrow::Cow::Borrowed(_)) => {}
                Ok(std::borrow::Cow::Owned(n)) => *v = n,
                Err((at, c)) => {
                    let label = self.kind.label_of(field);
                    let e = ipfin_domain::text::forbidden_char_error(field, label, field, at, c);
                    problems.push((field.to_string(), e.msg.zh));
                }
            }
        }
        problems
    }

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
        self.parsed_credit_code(values).map(|c| c.to_string())
    }

    /// The row's credit code, parsed (the import is an edge: the store takes a `CreditCode`).
    fn parsed_credit_code(&self, values: &[String]) -> RowResult<ipfin_domain::CreditCode> {
        ipfin_domain::CreditCode::parse(&self.get(values, "credit_code"))
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
    /// `类型:号码;类型:号码`. Every field is checked; all problems are returned.
    fn loan(
        &self,
        values: &[String],
    ) -> std::result::Result<crate::financing::LoanInput, RowProblems> {
        use crate::financing::{LoanInput, PledgeInput, PledgeItemInput, parse_rate};
        use ipfin_domain::Fen;
        use ipfin_domain::financing::{Disbursement, LoanStatus, LoanTerms, PledgeTerms};
        let mut p = Problems::default();
        let principal = Fen::new(p.take(self.yuan(values, "principal_yuan")).unwrap_or(0));
        let rate_text = self.get(values, "rate_percent");
        let rate = p.take(
            parse_rate(&format!("{}%", rate_text.trim_end_matches('%'))).ok_or_else(|| {
                (
                    "rate_percent".to_string(),
                    format!("年利率“{rate_text}”无效：以百分数填写，如 3.45。"),
                )
            }),
        );
        let ratio_text = self.get(values, "ip_ratio_percent");
        let ip_ratio = if ratio_text.is_empty() {
            None
        } else {
            p.take(
                parse_rate(&format!("{}%", ratio_text.trim_end_matches('%')))
                    .map(Some)
                    .ok_or_else(|| {
                        (
                            "ip_ratio_percent".to_string(),
                            format!("知识产权对应比例“{ratio_text}”无效：以百分数填写，如 60。"),
                        )
                    }),
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
            p.take(
                LoanStatus::ALL
                    .iter()
                    .copied()
                    .find(|s| s.code() == status_text || s.zh() == status_text)
                    .map(Some)
                    .ok_or_else(|| {
                        (
                            "status".to_string(),
                            format!("状态“{status_text}”无效：请填写 存续、已结清、逾期 或 违约。"),
                        )
                    }),
            )
        };
        let start = p.take(self.required_date(values, "start_date"));
        let disbursements = match p.take(self.date(values, "disbursement_date")) {
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
            let Some((kind_text, number)) = part.split_once([':', '：']) else {
                p.add((
                    "pledge_items".to_string(),
                    format!("“{part}”：请按“类型:号码”填写，多项用分号分隔，如“专利:202310123456.6;商标:12345678”。"),
                ));
                continue;
            };
            let kind_text = kind_text.trim();
            let kind = ipfin_domain::ip_number::IpKind::ALL
                .iter()
                .copied()
                .find(|k| k.code() == kind_text || k.zh() == kind_text)
                .or(match kind_text {
                    "专利" => Some(ipfin_domain::ip_number::IpKind::Patent),
                    "软著" => Some(ipfin_domain::ip_number::IpKind::SoftwareCopyright),
                    _ => None,
                });
            let Some(kind) = kind else {
                p.add((
                    "pledge_items".to_string(),
                    format!(
                        "质押物类型“{kind_text}”无效：请填写 专利、商标、软件著作权 或 作品著作权。"
                    ),
                ));
                continue;
            };
            items.push(PledgeItemInput {
                kind: kind.code().to_string(),
                number: number.trim().to_string(),
                title: None,
                related_party: None,
            });
        }
        let end = p.take(self.required_date(values, "end_date"));
        let other_collateral = p.take(flag("other_collateral"));
        let ip_amount_fen = p.take(self.yuan(values, "ip_amount_yuan")).map(Fen::new);
        let first_loan = p.take(flag("first_loan"));
        let secured_amount_fen = p
            .take(self.yuan(values, "secured_amount_yuan"))
            .map_or(principal, Fen::new);
        let registration_date = p.take(self.required_date(values, "registration_date"));
        // Read last, so its problem is listed after the others as when the store checked it.
        let borrower_credit_code = match self.parsed_credit_code(values) {
            Ok(code) => code,
            Err(problem) => {
                p.add(problem);
                return Err(p.0);
            }
        };
        p.finish(LoanInput {
            borrower_credit_code,
            terms: LoanTerms {
                contract_number: self.get(values, "contract_number"),
                principal_fen: principal,
                annual_rate: rate,
                start,
                end,
                disbursements,
                other_collateral,
                ip_amount_fen,
                ip_ratio,
            },
            first_loan,
            status,
            pledges: vec![PledgeInput {
                terms: PledgeTerms {
                    number: self.get(values, "pledge_number"),
                    secured_amount_fen,
                    registration_date,
                    cancellation_date: None,
                },
                items,
            }],
        })
    }

    /// Parses and checks one row of the file; a row with problems gives all of them.
    pub(super) fn parse(
        &self,
        line: u64,
        values: &[String],
    ) -> std::result::Result<Ready, RowProblems> {
        match self.kind {
            ImportKind::Enterprises => {
                let mut r =
                    check_enterprise_row(&self.scope, line, &self.cols, values, &self.districts)?;
                r.index_text = crate::enterprise::name_index_text(self.backend, &r.name);
                Ok(Ready::Enterprise(r))
            }
            ImportKind::Tags => {
                let mut p = Problems::default();
                let code = p.take(self.credit_code(values));
                let given = self.get(values, "tag_type");
                let tag_type = p.take(self.tag_types.get(&given).cloned().ok_or_else(|| {
                    (
                        "tag_type".to_string(),
                        format!("标签类型“{given}”不存在：请填写标签类型名称（如“高新技术企业”）或代码。"),
                    )
                }));
                let year_text = self.get(values, "year");
                let year = p.take(year_text.parse::<i32>().map_err(|_| {
                    (
                        "year".to_string(),
                        format!("认定年度“{year_text}”不是年份：请填写四位数字，如 2025。"),
                    )
                }));
                let input = crate::enterprise::TagInput {
                    tag_type: tag_type.clone(),
                    source: self.get(values, "source"),
                    year,
                    valid_from: p.take(self.date(values, "valid_from")),
                    valid_to: p.take(self.date(values, "valid_to")),
                };
                let source = if p.has("tag_type") || p.has("year") {
                    String::new()
                } else {
                    p.take(crate::enterprise::validate_tag(&input).map_err(field_err))
                };
                p.finish(Ready::Tag(TagRow {
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
                let mut p = Problems::default();
                let code = p.take(self.credit_code(values));
                let kind_text = self.get(values, "kind");
                let kind = p.take(
                    ipfin_domain::ip_number::IpKind::ALL
                        .iter()
                        .copied()
                        .find(|k| k.code() == kind_text || k.zh() == kind_text)
                        .map(Some)
                        .ok_or_else(|| {
                            (
                                "kind".to_string(),
                                format!("类型“{kind_text}”无效：请填写 专利、商标、软件著作权 或 作品著作权。"),
                            )
                        }),
                );
                let status_text = self.get(values, "legal_status");
                let legal_status = p.take(
                    crate::enterprise::LEGAL_STATUSES
                        .iter()
                        .find(|(c, zh, _)| *c == status_text || *zh == status_text)
                        .map(|(c, _, _)| c.to_string())
                        .ok_or_else(|| {
                            (
                                "legal_status".to_string(),
                                format!(
                                    "法律状态“{status_text}”无效：请填写 审查中、有效 或 失效。"
                                ),
                            )
                        }),
                );
                let grant_date = p.take(self.date(values, "grant_date"));
                let Some(kind) = kind else {
                    return Err(p.0);
                };
                let input = crate::enterprise::IpInput {
                    kind: kind.code().to_string(),
                    number: self.get(values, "number"),
                    title: self.get(values, "title"),
                    legal_status: if legal_status.is_empty() {
                        "valid".to_string()
                    } else {
                        legal_status
                    },
                    grant_date,
                    nice_class: Some(self.get(values, "nice_class")).filter(|s| !s.is_empty()),
                };
                match crate::enterprise::validate_ip(&input).map_err(field_err) {
                    Ok(ip) => p.finish(Ready::Ip(IpRow {
                        line,
                        values: values.to_vec(),
                        code,
                        ip,
                    })),
                    Err(e) => {
                        p.add(e);
                        Err(p.0)
                    }
                }
            }
            ImportKind::FollowUps => {
                use ipfin_domain::push::{Channel, FollowUp, Outcome};
                let mut p = Problems::default();
                let code = p.take(self.credit_code(values));
                let date = p.take(self.required_date(values, "contacted_on"));
                let by = |all: &[(&'static str, &'static str)], text: &str| {
                    all.iter()
                        .find(|(c, zh)| *c == text || *zh == text)
                        .map(|(c, _)| c.to_string())
                        .unwrap_or_else(|| text.to_string())
                };
                let channels: Vec<(&str, &str)> =
                    Channel::ALL.iter().map(|c| (c.code(), c.zh())).collect();
                let outcomes: Vec<(&str, &str)> =
                    Outcome::ALL.iter().map(|c| (c.code(), c.zh())).collect();
                let channel = by(&channels, &self.get(values, "channel"));
                let outcome = by(&outcomes, &self.get(values, "outcome"));
                let contract = Some(self.get(values, "contract_number")).filter(|c| !c.is_empty());
                // The file alone: the push date is checked when the row is written.
                let far = chrono::NaiveDate::MIN;
                let checked = FollowUp::check(
                    Some(date),
                    &channel,
                    &self.get(values, "person"),
                    &outcome,
                    contract.as_ref().map(|_| 0),
                    &self.get(values, "note"),
                    far,
                    crate::today_shanghai(),
                );
                match checked {
                    Ok(f) if !p.has("credit_code") && !p.has("contacted_on") => {
                        p.finish(Ready::FollowUp(FollowUpRow {
                            line,
                            values: values.to_vec(),
                            code,
                            contacted_on: f.contacted_on,
                            channel: f.channel,
                            person: f.person,
                            outcome: f.outcome,
                            contract_number: contract.filter(|_| f.outcome == Outcome::Granted),
                            note: f.note,
                        }))
                    }
                    Ok(_) => Err(p.0),
                    Err(errors) => {
                        for e in errors {
                            let field = match e.field {
                                "loan_id" => "contract_number",
                                f => f,
                            };
                            if !p.has(field) {
                                p.add((field.to_string(), e.msg.zh.clone()));
                            }
                        }
                        Err(p.0)
                    }
                }
            }
            ImportKind::Loans => Ok(Ready::Loan(LoanImportRow {
                line,
                values: values.to_vec(),
                input: self.loan(values)?,
            })),
        }
    }
}
