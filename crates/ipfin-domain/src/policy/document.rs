//! A policy version as one document (SPEC R2.1–R2.3): what it supports, its rules, budget,
//! application batches, eligibility (with any extra condition recorded as such), the package
//! documents and the contact. Documents are exchanged as JSON that validates against
//! [`schema`]; [`parse`] reports the JSON path of the first problem.

use super::budget::BudgetMode;
use super::rules::{RuleError, Rules};
use crate::message::Msg;
use crate::money::Fen;
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Financing modes a policy supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FinancingMode {
    /// 质押融资.
    Pledge,
    /// 保险.
    Insurance,
    /// 证券化.
    Securitisation,
    /// 其他创新模式.
    Other,
}

impl FinancingMode {
    pub fn zh(self) -> &'static str {
        match self {
            FinancingMode::Pledge => "知识产权质押融资",
            FinancingMode::Insurance => "知识产权保险",
            FinancingMode::Securitisation => "知识产权证券化",
            FinancingMode::Other => "其他创新融资模式",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            FinancingMode::Pledge => "IP pledge financing",
            FinancingMode::Insurance => "IP insurance",
            FinancingMode::Securitisation => "IP securitisation",
            FinancingMode::Other => "Other innovative financing",
        }
    }

    pub fn label(self, lang: crate::message::Lang) -> &'static str {
        match lang {
            crate::message::Lang::Zh => self.zh(),
            crate::message::Lang::En => self.en(),
        }
    }
}

/// The IP types of the guideline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum IpType {
    Patent,
    Trademark,
    Copyright,
}

impl IpType {
    pub fn zh(self) -> &'static str {
        match self {
            IpType::Patent => "专利",
            IpType::Trademark => "商标",
            IpType::Copyright => "著作权",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            IpType::Patent => "Patent",
            IpType::Trademark => "Trademark",
            IpType::Copyright => "Copyright",
        }
    }

    pub fn label(self, lang: crate::message::Lang) -> &'static str {
        match lang {
            crate::message::Lang::Zh => self.zh(),
            crate::message::Lang::En => self.en(),
        }
    }
}

/// The documents of a policy package (R2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PackageKind {
    /// 扶持政策.
    Policy,
    /// 申报通知.
    Notice,
    /// 实施细则.
    ImplementationRules,
    /// 操作规程.
    Procedures,
    /// 申报指南.
    Guide,
}

impl PackageKind {
    pub fn zh(self) -> &'static str {
        match self {
            PackageKind::Policy => "扶持政策",
            PackageKind::Notice => "申报通知",
            PackageKind::ImplementationRules => "实施细则",
            PackageKind::Procedures => "操作规程",
            PackageKind::Guide => "申报指南",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            PackageKind::Policy => "Support policy",
            PackageKind::Notice => "Application notice",
            PackageKind::ImplementationRules => "Implementation rules",
            PackageKind::Procedures => "Operating procedures",
            PackageKind::Guide => "Application guide",
        }
    }

    pub fn label(self, lang: crate::message::Lang) -> &'static str {
        match lang {
            crate::message::Lang::Zh => self.zh(),
            crate::message::Lang::En => self.en(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PackageDocument {
    pub kind: PackageKind,
    pub title: String,
    /// 文号, e.g. 深南科创规〔2026〕1号.
    #[serde(default)]
    pub reference: Option<String>,
    /// Where the full text is (the district's website or an attachment).
    #[serde(default)]
    pub url: Option<String>,
}

/// An application window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Batch {
    pub name: String,
    pub opens: NaiveDate,
    pub closes: NaiveDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Budget {
    pub total_fen: Fen,
    pub mode: BudgetMode,
}

/// Who may apply: the guideline's three conditions always; anything else is recorded as an
/// extra condition and shown as such.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Eligibility {
    pub extra_conditions: Vec<String>,
}

/// A policy version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyDocument {
    pub title: String,
    /// The policy year.
    pub year: i32,
    #[serde(default)]
    pub summary: String,
    pub financing_modes: Vec<FinancingMode>,
    pub ip_types: Vec<IpType>,
    pub rules: Rules,
    #[serde(default)]
    pub budget: Option<Budget>,
    #[serde(default)]
    pub batches: Vec<Batch>,
    #[serde(default)]
    pub eligibility: Eligibility,
    #[serde(default)]
    pub documents: Vec<PackageDocument>,
    /// Contact for applicants: office, phone, address.
    #[serde(default)]
    pub contact: String,
    /// Materials the district adds to the unified checklist (shown as deviations).
    #[serde(default)]
    pub extra_materials: Vec<ExtraMaterial>,
}

/// A material slot a district adds to the unified checklist (SPEC §3.2): shown to applicants
/// and flagged as a deviation to the city.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtraMaterial {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub required: bool,
    /// The kinds of application it applies to (`enterprise_fee`, `institution`,
    /// `securitisation`); empty: all.
    #[serde(default)]
    pub kinds: Vec<String>,
}

fn err(
    path: impl Into<String>,
    code: &'static str,
    zh: impl Into<String>,
    en: impl Into<String>,
) -> RuleError {
    RuleError {
        path: path.into(),
        msg: Msg::new(code, zh, en),
    }
}

/// Reads a policy document from JSON; the error names the JSON path and what is wrong there.
pub fn parse(json: &[u8]) -> Result<PolicyDocument, RuleError> {
    let de = &mut serde_json::Deserializer::from_slice(json);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." { "$".to_string() } else { path };
        let inner = e.into_inner();
        let (line, column) = (inner.line(), inner.column());
        let inner = inner.to_string();
        // A document that is not JSON at all: where, as people count lines.
        let zh = if inner.contains("expected value")
            || inner.contains("EOF")
            || inner.contains("trailing")
            || inner.contains("key must be a string")
        {
            format!("政策文件不是合法的 JSON（第 {line} 行第 {column} 个字符附近），请检查括号、引号和逗号。")
        } else {
            format!(
                "政策文件中{}：{}",
                super::json_zh::path_zh(&path),
                super::json_zh::serde_zh(&inner)
            )
        };
        err(
            path,
            "policy.schema",
            zh,
            format!("The policy document does not match the rule schema: {inner}"),
        )
    })
}

/// The JSON Schema of policy documents.
pub fn schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(PolicyDocument)).unwrap_or_default()
}

impl PolicyDocument {
    /// Everything wrong with the document beyond its shape, each with its JSON path.
    pub fn check(&self) -> Vec<RuleError> {
        let mut out = Vec::new();
        if self.title.trim().is_empty() {
            out.push(err(
                "title",
                "policy.title",
                "请填写政策名称。",
                "Enter the policy's title.",
            ));
        }
        if !(2000..=2100).contains(&self.year) {
            out.push(err(
                "year",
                "policy.year",
                "政策年度应在 2000–2100 之间。",
                "The year is between 2000 and 2100.",
            ));
        }
        if self.ip_types.is_empty() {
            out.push(err(
                "ip_types",
                "policy.ip_types",
                "请至少选择一种知识产权类型。",
                "Choose at least one IP type.",
            ));
        }
        if self.financing_modes.is_empty() {
            out.push(err(
                "financing_modes",
                "policy.modes",
                "请至少选择一种融资模式。",
                "Choose at least one financing mode.",
            ));
        }
        out.extend(self.rules.check().into_iter().map(|mut e| {
            e.path = format!("rules.{}", e.path);
            e
        }));
        if let Some(b) = &self.budget {
            if b.total_fen < Fen::ZERO {
                out.push(err(
                    "budget.total_fen",
                    "policy.budget",
                    "年度预算不能为负数。",
                    "The budget cannot be negative.",
                ));
            } else {
                super::rules::check_amount("budget.total_fen", b.total_fen, &mut out);
            }
        }
        for (i, m) in self.extra_materials.iter().enumerate() {
            let code_ok = !m.code.is_empty()
                && m.code.len() <= 40
                && m.code
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !code_ok || m.name.trim().is_empty() {
                out.push(err(
                    format!("extra_materials[{i}]"),
                    "policy.extra_material",
                    "增加的材料须有名称和代码（小写字母、数字、下划线，至多 40 个字符）。",
                    "An added material needs a name and a code (lower-case letters, digits, _).",
                ));
            }
            if m.kinds
                .iter()
                .any(|k| crate::application::Kind::from_code(k).is_none())
            {
                out.push(err(
                    format!("extra_materials[{i}].kinds"),
                    "policy.extra_material_kind",
                    "适用的申请类别只能是 enterprise_fee、institution、securitisation。",
                    "Kinds are enterprise_fee, institution or securitisation.",
                ));
            }
        }
        for (i, b) in self.batches.iter().enumerate() {
            if b.closes < b.opens {
                out.push(err(
                    format!("batches[{i}].closes"),
                    "policy.batch_order",
                    format!(
                        "批次“{}”的截止日期（{}）早于开始日期（{}）。",
                        b.name, b.closes, b.opens
                    ),
                    format!("Batch {} closes before it opens.", b.name),
                ));
            }
            for (j, o) in self.batches[..i].iter().enumerate() {
                if b.opens <= o.closes && o.opens <= b.closes {
                    out.push(err(
                        format!("batches[{i}]"),
                        "policy.batch_overlap",
                        format!(
                            "批次“{}”与批次“{}”（第 {} 个）时间重叠。",
                            b.name,
                            o.name,
                            j + 1
                        ),
                        format!("Batch {} overlaps batch {}.", b.name, o.name),
                    ));
                }
            }
        }
        for (i, c) in self.eligibility.extra_conditions.iter().enumerate() {
            if c.trim().is_empty() {
                out.push(err(
                    format!("eligibility.extra_conditions[{i}]"),
                    "policy.condition_blank",
                    "附加条件不能为空；如无附加条件请删除该项。",
                    "An extra condition cannot be blank.",
                ));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> serde_json::Value {
        serde_json::json!({
            "title": "南山区知识产权质押融资扶持措施（2026 年修订）",
            "year": 2026,
            "financing_modes": ["pledge", "securitisation"],
            "ip_types": ["patent", "trademark", "copyright"],
            "rules": {"items": [{"item": "interest", "ratio": {"large": "0.5", "medium": "0.7", "small": "0.7", "micro": "0.7"}}]},
            "batches": [
                {"name": "第一批", "opens": "2026-03-01", "closes": "2026-04-30"},
                {"name": "第二批", "opens": "2026-09-01", "closes": "2026-10-31"}
            ]
        })
    }

    #[test]
    fn a_good_document_parses_and_checks_clean() {
        let d = parse(doc().to_string().as_bytes()).expect("parses");
        assert!(d.check().is_empty(), "{:?}", d.check());
    }

    #[test]
    fn shape_errors_point_to_the_json_path() {
        let mut v = doc();
        v["rules"]["items"][0]["ratio"] = serde_json::json!({"large": "0.5", "medium": "0.7"});
        let e = parse(v.to_string().as_bytes()).unwrap_err();
        assert_eq!(e.path, "rules.items[0].ratio", "{e:?}");
        assert!(e.msg.zh.contains("small"), "{}", e.msg.zh);
        let mut v = doc();
        v["rules"]["items"][0]["ratio"]["small"] = serde_json::json!("1.2");
        let e = parse(v.to_string().as_bytes()).unwrap_err();
        assert_eq!(e.path, "rules.items[0].ratio.small");
        let mut v = doc();
        v["budget"] = serde_json::json!({"total_fen": 1, "mode": "lottery"});
        assert_eq!(
            parse(v.to_string().as_bytes()).unwrap_err().path,
            "budget.mode"
        );
        let mut v = doc();
        v["colour"] = serde_json::json!("red");
        assert!(
            parse(v.to_string().as_bytes())
                .unwrap_err()
                .msg
                .zh
                .contains("colour")
        );
    }

    #[test]
    fn rule_errors_are_in_chinese_without_line_and_column() {
        let mut v = doc();
        v["rules"]["items"][0]["cap_fen"] = serde_json::json!({"small": "1e3"});
        let e = parse(v.to_string().as_bytes()).unwrap_err();
        assert_eq!(e.path, "rules.items[0].cap_fen.small");
        assert_eq!(
            e.msg.zh,
            "政策文件中计算规则 › 资助项目 第 1 项 › 单项上限（分） › 小型企业（rules.items[0].cap_fen.small）：应为整数，实际填写的是文本 \"1e3\"。"
        );
        let mut v = doc();
        v["rules"]["items"][0]["item"] = serde_json::json!("lunch");
        let e = parse(v.to_string().as_bytes()).unwrap_err();
        assert!(
            e.msg.zh.contains(
                "“lunch”不是可选的值；可选：interest（贷款贴息）、evaluation（评估费补贴）"
            ),
            "{}",
            e.msg.zh
        );
        let mut v = doc();
        v["rules"]["items"][0]["ratio"]["small"] = serde_json::json!("1e-1");
        let e = parse(v.to_string().as_bytes()).unwrap_err();
        assert!(e.msg.zh.contains("“1e-1”不符合要求"), "{}", e.msg.zh);
        let mut v = doc();
        v["batches"][0]["opens"] = serde_json::json!("2026-02-30");
        let e = parse(v.to_string().as_bytes()).unwrap_err();
        assert!(e.msg.zh.contains("日期不存在"), "{}", e.msg.zh);
        for e in [
            parse(br#"{"title": 1}"#).unwrap_err(),
            parse(br#"{"title": "t", "year": 2026, "financing_modes": [], "ip_types": [], "rules": {}}"#).unwrap_err(),
        ] {
            for w in ["line", "column", "expected", "invalid", "missing"] {
                assert!(!e.msg.zh.contains(w), "{w}: {}", e.msg.zh);
            }
        }
        assert!(
            parse(b"{ nope")
                .unwrap_err()
                .msg
                .zh
                .contains("不是合法的 JSON")
        );
    }

    #[test]
    fn batches_must_not_overlap_or_close_before_opening() {
        let mut v = doc();
        v["batches"][1]["opens"] = serde_json::json!("2026-04-15");
        v["batches"].as_array_mut().expect("array").push(
            serde_json::json!({"name": "第三批", "opens": "2026-12-01", "closes": "2026-11-01"}),
        );
        let d = parse(v.to_string().as_bytes()).expect("parses");
        let paths: Vec<String> = d.check().into_iter().map(|e| e.path).collect();
        assert_eq!(paths, vec!["batches[1]", "batches[2].closes"]);
    }

    #[test]
    fn the_schema_describes_the_document() {
        let s = schema();
        let text = s.to_string();
        assert!(
            text.contains("PolicyDocument")
                && text.contains("extra_conditions")
                && text.contains("Ratio")
        );
    }
}
