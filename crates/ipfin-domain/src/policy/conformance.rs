//! The R2 cells of the guideline conformance matrix (SPEC §9) for one district's policy:
//! covers all three IP types, includes the four fee items, treats SMEs at least as well as
//! large enterprises, adds no entry condition, asks for no materials beyond the unified
//! checklist (SPEC §3.2: additions are deviations), this year's revision published before the
//! end of June, and a clear card published.

use super::document::{IpType, PolicyDocument};
use super::rules::Item;
use crate::size::SizeClass;
use chrono::{Datelike, NaiveDate};
use serde::Serialize;

/// One check: passed or not, and what was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub code: &'static str,
    pub name: &'static str,
    pub passed: bool,
    pub finding: String,
}

fn check(code: &'static str, name: &'static str, passed: bool, finding: String) -> Check {
    Check {
        code,
        name,
        passed,
        finding,
    }
}

/// The checks of a district's current published policy (`None`: nothing published), as of
/// `today` (Asia/Shanghai).
pub fn policy_checks(
    published: Option<(&PolicyDocument, NaiveDate)>,
    today: NaiveDate,
) -> Vec<Check> {
    let Some((doc, published_on)) = published else {
        return vec![check(
            "policy.published",
            "已发布扶持政策及明白卡",
            false,
            "尚未发布任何扶持政策。".into(),
        )];
    };
    let mut out = vec![check(
        "policy.published",
        "已发布扶持政策及明白卡",
        true,
        format!("{}（{} 发布），明白卡随政策生成。", doc.title, published_on),
    )];
    let missing: Vec<&str> = [IpType::Patent, IpType::Trademark, IpType::Copyright]
        .into_iter()
        .filter(|t| !doc.ip_types.contains(t))
        .map(|t| t.zh())
        .collect();
    out.push(check(
        "policy.ip_types",
        "覆盖专利、商标、著作权",
        missing.is_empty(),
        if missing.is_empty() {
            "三类均覆盖。".into()
        } else {
            format!("未覆盖：{}。", missing.join("、"))
        },
    ));
    let items: Vec<&str> = Item::ALL
        .into_iter()
        .filter(|i| !doc.rules.items.iter().any(|r| r.item == *i))
        .map(|i| i.zh())
        .collect();
    out.push(check(
        "policy.items",
        "包含利息、评估、担保、保险费用资助",
        items.is_empty(),
        if items.is_empty() {
            "四项均包含。".into()
        } else {
            format!("缺少：{}。", items.join("、"))
        },
    ));
    let mut weaker = Vec::new();
    for r in &doc.rules.items {
        let large_ratio = r.ratio.get(SizeClass::Large);
        let large_cap = r.cap_fen.get(SizeClass::Large);
        for c in [SizeClass::Medium, SizeClass::Small, SizeClass::Micro] {
            let ratio_low = r.ratio.get(c) < large_ratio;
            let cap_low = match (r.cap_fen.get(c), large_cap) {
                (Some(s), Some(l)) => s < l,
                (Some(_), None) => true,
                _ => false,
            };
            if ratio_low || cap_low {
                weaker.push(format!(
                    "{}（{}）",
                    r.item.zh(),
                    c.label(crate::message::Lang::Zh)
                ));
            }
        }
    }
    if let Some(ec) = &doc.rules.enterprise_cap {
        for c in [SizeClass::Medium, SizeClass::Small, SizeClass::Micro] {
            let low = match (ec.amount_fen.get(c), ec.amount_fen.get(SizeClass::Large)) {
                (Some(s), Some(l)) => s < l,
                (Some(_), None) => true,
                _ => false,
            };
            if low {
                weaker.push(format!(
                    "企业年度上限（{}）",
                    c.label(crate::message::Lang::Zh)
                ));
            }
        }
    }
    out.push(check(
        "policy.sme_favoured",
        "中小微企业资助比例和上限不低于大型企业",
        weaker.is_empty(),
        if weaker.is_empty() {
            "满足。".into()
        } else {
            format!("低于大型企业：{}。", weaker.join("、"))
        },
    ));
    out.push(check(
        "policy.no_extra_condition",
        "未设置注册、纳税、独立法人以外的申报条件",
        doc.eligibility.extra_conditions.is_empty(),
        if doc.eligibility.extra_conditions.is_empty() {
            "无附加条件。".into()
        } else {
            format!(
                "附加条件：{}。",
                doc.eligibility.extra_conditions.join("；")
            )
        },
    ));
    let added: Vec<&str> = doc
        .extra_materials
        .iter()
        .map(|m| m.name.as_str())
        .collect();
    out.push(check(
        "policy.unified_materials",
        "申报材料与全市统一清单一致",
        added.is_empty(),
        if added.is_empty() {
            format!("使用统一清单（{} 版）。", super::materials::EDITION)
        } else {
            format!("在统一清单外增加：{}。", added.join("、"))
        },
    ));
    let deadline = NaiveDate::from_ymd_opt(today.year(), 6, 30).unwrap_or(today);
    let this_year = doc.year == today.year() && published_on.year() == today.year();
    let on_time = this_year && published_on <= deadline;
    out.push(check(
        "policy.revised_by_june",
        "当年度政策于 6 月底前修订发布",
        on_time,
        if on_time {
            format!("{} 年度政策于 {} 发布。", doc.year, published_on)
        } else if this_year {
            format!(
                "{} 年度政策于 {} 发布，晚于 6 月 30 日。",
                doc.year, published_on
            )
        } else {
            format!(
                "现行政策为 {} 年度，{} 年度修订尚未发布。",
                doc.year,
                today.year()
            )
        },
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    fn doc() -> PolicyDocument {
        let items: Vec<serde_json::Value> = ["interest", "evaluation", "guarantee", "insurance"]
            .iter()
            .map(|i| serde_json::json!({"item": i, "ratio": {"large": "0.5", "medium": "0.7", "small": "0.7", "micro": "0.7"}}))
            .collect();
        let v = serde_json::json!({
            "title": "测试政策", "year": 2026, "financing_modes": ["pledge"],
            "ip_types": ["patent", "trademark", "copyright"],
            "rules": {"items": items}
        });
        super::super::document::parse(v.to_string().as_bytes()).expect("doc")
    }

    #[test]
    fn a_conforming_policy_passes_every_check() {
        let c = policy_checks(Some((&doc(), d(2026, 3, 1))), d(2026, 11, 27));
        assert!(c.iter().all(|x| x.passed), "{c:?}");
        assert_eq!(c.len(), 7);
    }

    #[test]
    fn each_finding() {
        let mut p = doc();
        p.ip_types = vec![IpType::Patent];
        p.rules.items.truncate(1);
        p.rules.items[0].ratio.small = p.rules.items[0].ratio.large;
        p.rules.items[0].ratio.large = super::super::rules::Ratio::ONE;
        p.eligibility.extra_conditions = vec!["成立满 2 年".into()];
        p.extra_materials = vec![super::super::document::ExtraMaterial {
            code: "credit_report".into(),
            name: "企业信用报告".into(),
            required: true,
            kinds: vec![],
        }];
        let c = policy_checks(Some((&p, d(2026, 7, 15))), d(2026, 11, 27));
        let failed: Vec<&str> = c.iter().filter(|x| !x.passed).map(|x| x.code).collect();
        assert_eq!(
            failed,
            vec![
                "policy.ip_types",
                "policy.items",
                "policy.sme_favoured",
                "policy.no_extra_condition",
                "policy.unified_materials",
                "policy.revised_by_june"
            ]
        );
        assert!(c[1].finding.contains("商标") && c[1].finding.contains("著作权"));
        let none = policy_checks(None, d(2026, 11, 27));
        assert!(!none[0].passed);
        // Last year's policy still in force in November: this year's revision is missing.
        let mut old = doc();
        old.year = 2025;
        let c = policy_checks(Some((&old, d(2025, 3, 1))), d(2026, 11, 27));
        assert!(c.iter().any(|x| x.code == "policy.revised_by_june"
            && !x.passed
            && x.finding.contains("2026 年度修订尚未发布")));
    }
}
