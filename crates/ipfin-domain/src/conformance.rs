//! The guideline conformance matrix's rules (SPEC §9): for each requirement, whether a
//! district's facts pass, with the finding in words. The shell loads the facts for every
//! district at once and adds the link to each cell's evidence.

use crate::coordination::Dataset;
use crate::policy::conformance::Check;
use crate::stats::Quarter;
use crate::target::Metric;
use chrono::NaiveDate;
use std::collections::BTreeSet;

/// The matrix's columns: requirement id and what is checked.
pub const COLUMNS: &[(&str, &str)] = &[
    ("R1.1", "明确牵头部门"),
    ("R1.2", "每季度召开银企对接会"),
    ("R2.1", "政策覆盖三类知识产权与四项费用、中小微不低于大型"),
    ("R2.2", "不设额外申报条件"),
    ("R2.3", "6 月底前修订发布并公布明白卡"),
    ("R2.4", "五阶段网上办理、统一材料清单"),
    ("R3.1", "服务站运行与“零跑动”"),
    ("R3.2", "白名单建立并按季推送"),
    ("R3.3", "区级专区上线"),
    ("R4.1", "目标任务落实到人"),
    ("R4.2", "季度数据按时报送"),
    ("R4.3", "定期检查督导"),
    ("R4.4", "定期总结报送"),
];

/// The columns' names in English, in the same order as [`COLUMNS`].
pub const COLUMNS_EN: &[&str] = &[
    "A lead department named",
    "A bank–enterprise meeting every quarter",
    "Policy covers the three IP types and four fee items; SMEs at least as well treated as large enterprises",
    "No extra application conditions",
    "Revised and published by the end of June, with its clear card",
    "Five stages online, one materials checklist",
    "Service stations running, \"zero trips\"",
    "Whitelist kept and pushed to banks each quarter",
    "District section online",
    "Targets assigned to persons",
    "Quarterly figures reported on time",
    "Regular inspections",
    "Regular work summaries",
];

/// The columns (id, name) in the reader's language.
pub fn columns(lang: crate::message::Lang) -> Vec<(&'static str, &'static str)> {
    COLUMNS
        .iter()
        .zip(COLUMNS_EN)
        .map(|((id, zh), en)| match lang {
            crate::message::Lang::Zh => (*id, *zh),
            crate::message::Lang::En => (*id, *en),
        })
        .collect()
}

/// Whether a requirement is met, not met, or cannot be judged from the data there is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Pass,
    Fail,
    NoData,
}

impl Status {
    /// The stable code: `pass`, `fail` or `no_data`.
    pub fn code(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::NoData => "no_data",
        }
    }
}

/// A cell's judgement: its status and the finding (Chinese).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub status: Status,
    pub finding: String,
}

impl Verdict {
    /// Passed or failed with the finding.
    pub fn new(passed: bool, finding: String) -> Verdict {
        Verdict {
            status: if passed { Status::Pass } else { Status::Fail },
            finding,
        }
    }

    /// No data: the capability that would supply it does not exist yet (`why`).
    pub fn no_data(why: &str) -> Verdict {
        Verdict {
            status: Status::NoData,
            finding: format!("暂无数据：{why}"),
        }
    }
}

/// Folds policy checks into one verdict (R2.1–R2.3): passed when all passed, the failed
/// findings listed; no checks means no published policy.
pub fn policy(checks: &[&Check]) -> Verdict {
    if checks.is_empty() {
        return Verdict::new(false, "尚未发布扶持政策。".into());
    }
    let failed: Vec<String> = checks
        .iter()
        .filter(|c| !c.passed)
        .map(|c| c.finding.clone())
        .collect();
    if failed.is_empty() {
        let ok: Vec<&str> = checks.iter().map(|c| c.name).collect();
        Verdict::new(true, format!("符合：{}", ok.join("；")))
    } else {
        Verdict::new(false, failed.join("；"))
    }
}

/// A running data-sharing arrangement as R1.1 sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sharing<'a> {
    pub dataset: Dataset,
    pub provider: &'a str,
    pub overdue: bool,
}

/// R1.1: a lead department designated and at least one running data-sharing arrangement; the
/// finding names the lead, counts the arrangements and lists the overdue ones.
pub fn coordination(lead: Option<&str>, running: &[Sharing<'_>]) -> Verdict {
    let Some(lead) = lead else {
        return Verdict::new(false, "尚未指定牵头部门。".into());
    };
    if running.is_empty() {
        return Verdict::new(false, format!("牵头部门：{lead}；尚未登记数据共享约定。"));
    }
    let overdue: Vec<String> = running
        .iter()
        .filter(|a| a.overdue)
        .map(|a| format!("{}（{}）", a.dataset.zh(), a.provider))
        .collect();
    let mut finding = format!("牵头部门：{lead}；数据共享约定 {} 项", running.len());
    if !overdue.is_empty() {
        finding.push_str(&format!("，逾期未报送：{}", overdue.join("、")));
    }
    finding.push('。');
    Verdict::new(true, finding)
}

/// R1.2: a held working meeting in each quarter of the year that has ended by `today`
/// (`held`: the quarters with one).
pub fn meetings(year: i32, today: NaiveDate, held: Option<&BTreeSet<u32>>) -> Verdict {
    let ended: Vec<u32> = (1..=4)
        .filter(|q| Quarter::new(year, *q).is_ok_and(|q| q.ended_by(today)))
        .collect();
    let missing: Vec<String> = ended
        .iter()
        .filter(|q| !held.is_some_and(|h| h.contains(q)))
        .map(|q| crate::format::quarter_zh(year, *q))
        .collect();
    if ended.is_empty() {
        Verdict::new(true, format!("{year} 年尚无已结束的季度。"))
    } else if missing.is_empty() {
        Verdict::new(
            true,
            format!("{year} 年已结束的 {} 个季度均已召开工作会议。", ended.len()),
        )
    } else {
        Verdict::new(
            false,
            format!("未召开工作会议的季度：{}", missing.join("、")),
        )
    }
}

/// A year's online applications of a district: submitted, accepted, put on notice.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OnlineUse {
    pub submitted: i64,
    pub accepted: i64,
    pub noticed: i64,
}

/// R2.4: applications handled online (at least one accepted) and the published policy's
/// materials checklist the city's unified one (`materials`: that check, absent without a
/// published policy).
pub fn online_handling(year: i32, used: OnlineUse, materials: &[&Check]) -> Verdict {
    let deviation = materials.iter().find(|c| !c.passed);
    let mut finding = format!(
        "{year} 年网上申报 {} 件，受理 {} 件，公示 {} 件",
        used.submitted, used.accepted, used.noticed
    );
    match deviation {
        Some(c) => finding.push_str(&format!("；材料清单偏差：{}", c.finding)),
        None if materials.is_empty() => finding.push_str("；尚无已发布政策的材料清单"),
        None => finding.push_str("；材料清单与全市统一清单一致"),
    }
    Verdict::new(
        used.accepted > 0 && deviation.is_none() && !materials.is_empty(),
        finding,
    )
}

/// What a district's public zone (专区) shows, as R3.3 counts it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ZoneContent {
    /// Published policies (each with its clear card).
    pub policies: usize,
    /// Published interpretations (政策解读).
    pub interpretations: usize,
    /// Application windows (申报通知) listed, open or coming.
    pub application_notices: usize,
    /// Public notices (资助公示).
    pub public_notices: usize,
    /// Contact persons of the lead department.
    pub contacts: usize,
}

/// R3.3: the district's zone is live when the public finds there a published policy with its
/// clear card, at least one interpretation and someone to contact; the finding counts what is
/// there and names what is missing.
pub fn zone(z: ZoneContent) -> Verdict {
    let mut missing = Vec::new();
    if z.policies == 0 {
        missing.push("已发布的扶持政策（明白卡）");
    }
    if z.interpretations == 0 {
        missing.push("政策解读");
    }
    if z.contacts == 0 {
        missing.push("联系人");
    }
    let shown = format!(
        "专区展示政策 {} 项、政策解读 {} 篇、申报通知 {} 项、公示 {} 项、联系人 {} 位",
        z.policies, z.interpretations, z.application_notices, z.public_notices, z.contacts
    );
    if missing.is_empty() {
        Verdict::new(true, format!("{shown}。"))
    } else {
        Verdict::new(false, format!("{shown}；缺少：{}。", missing.join("、")))
    }
}

/// R4.1: the year's targets (`targets`, in metric order) have a first responsible person and
/// every one is broken down to at least one person (`assigned`: the metric of each person's
/// share). No targets set: no data.
pub fn targets_assigned(
    year: i32,
    targets: &[Metric],
    first_responsible: Option<&str>,
    assigned: &[Metric],
) -> Verdict {
    if targets.is_empty() {
        return Verdict {
            status: Status::NoData,
            finding: format!("市里尚未下达本区 {year} 年目标。"),
        };
    }
    let missing: Vec<&str> = targets
        .iter()
        .filter(|m| !assigned.contains(m))
        .map(|m| m.zh())
        .collect();
    let mut problems = Vec::new();
    if first_responsible.is_none() {
        problems.push("未明确第一责任人".to_string());
    }
    if !missing.is_empty() {
        problems.push(format!("未分解到人：{}", missing.join("、")));
    }
    if problems.is_empty() {
        Verdict::new(
            true,
            format!(
                "第一责任人：{}；{} 项目标均已分解到 {} 人次",
                first_responsible.unwrap_or_default(),
                targets.len(),
                assigned.len()
            ),
        )
    } else {
        Verdict::new(false, problems.join("；"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(code: &'static str, passed: bool, finding: &str) -> Check {
        Check {
            code,
            name: code,
            passed,
            finding: finding.into(),
        }
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("a valid test date")
    }

    #[test]
    fn status_codes_are_stable() {
        assert_eq!(Status::Pass.code(), "pass");
        assert_eq!(Status::Fail.code(), "fail");
        assert_eq!(Status::NoData.code(), "no_data");
        assert_eq!(Verdict::no_data("x").finding, "暂无数据：x");
        assert_eq!(COLUMNS.len(), 13);
    }

    #[test]
    fn policy_without_checks_fails_and_lists_failed_findings() {
        assert_eq!(
            policy(&[]),
            Verdict::new(false, "尚未发布扶持政策。".into())
        );
        let a = check("a", true, "ok");
        let b = check("b", false, "缺少保险");
        let c = check("c", false, "设额外条件");
        assert_eq!(policy(&[&a]), Verdict::new(true, "符合：a".into()));
        assert_eq!(
            policy(&[&a, &b, &c]),
            Verdict::new(false, "缺少保险；设额外条件".into())
        );
    }

    #[test]
    fn coordination_needs_a_lead_and_a_running_arrangement() {
        assert_eq!(coordination(None, &[]).status, Status::Fail);
        assert_eq!(
            coordination(Some("区市场监管局"), &[]),
            Verdict::new(
                false,
                "牵头部门：区市场监管局；尚未登记数据共享约定。".into()
            )
        );
        let tax = Sharing {
            dataset: Dataset::Tax,
            provider: "区税务局",
            overdue: true,
        };
        let ip = Sharing {
            dataset: Dataset::Ip,
            provider: "区知识产权局",
            overdue: false,
        };
        let v = coordination(Some("区市场监管局"), &[tax, ip]);
        assert_eq!(v.status, Status::Pass);
        assert!(v.finding.contains("数据共享约定 2 项"), "{}", v.finding);
        assert!(v.finding.contains("逾期未报送："), "{}", v.finding);
        assert!(v.finding.contains("（区税务局）"), "{}", v.finding);
        assert!(v.finding.ends_with('。'));
    }

    #[test]
    fn meetings_in_every_ended_quarter() {
        // Early in the year nothing has ended: passed.
        assert_eq!(meetings(2026, day(2026, 2, 1), None).status, Status::Pass);
        let held: BTreeSet<u32> = [1].into_iter().collect();
        let v = meetings(2026, day(2026, 7, 2), Some(&held));
        assert_eq!(
            v,
            Verdict::new(false, "未召开工作会议的季度：2026年第二季度".into())
        );
        let both: BTreeSet<u32> = [1, 2].into_iter().collect();
        assert_eq!(
            meetings(2026, day(2026, 7, 2), Some(&both)),
            Verdict::new(true, "2026 年已结束的 2 个季度均已召开工作会议。".into())
        );
    }

    #[test]
    fn online_handling_needs_an_acceptance_and_the_unified_checklist() {
        let used = OnlineUse {
            submitted: 3,
            accepted: 1,
            noticed: 0,
        };
        let same = check("policy.unified_materials", true, "");
        let off = check("policy.unified_materials", false, "多要求审计报告");
        assert_eq!(online_handling(2026, used, &[&same]).status, Status::Pass);
        let v = online_handling(2026, used, &[&off]);
        assert_eq!(v.status, Status::Fail);
        assert!(v.finding.ends_with("材料清单偏差：多要求审计报告"));
        let none = online_handling(2026, used, &[]);
        assert_eq!(none.status, Status::Fail);
        assert!(none.finding.ends_with("尚无已发布政策的材料清单"));
        let idle = online_handling(2026, OnlineUse::default(), &[&same]);
        assert_eq!(idle.status, Status::Fail);
    }

    #[test]
    fn targets_broken_down_to_persons() {
        assert_eq!(
            targets_assigned(2026, &[], None, &[]).status,
            Status::NoData
        );
        let set = [Metric::Amount, Metric::Pledges];
        let v = targets_assigned(2026, &set, None, &[Metric::Amount]);
        assert_eq!(v.status, Status::Fail);
        assert!(v.finding.starts_with("未明确第一责任人；未分解到人："));
        let ok = targets_assigned(
            2026,
            &set,
            Some("张三"),
            &[Metric::Amount, Metric::Amount, Metric::Pledges],
        );
        assert_eq!(
            ok,
            Verdict::new(true, "第一责任人：张三；2 项目标均已分解到 3 人次".into())
        );
    }

    #[test]
    fn a_zone_is_live_with_a_policy_an_interpretation_and_a_contact() {
        let full = ZoneContent {
            policies: 1,
            interpretations: 2,
            application_notices: 1,
            public_notices: 0,
            contacts: 3,
        };
        let v = zone(full);
        assert_eq!(v.status, Status::Pass);
        assert!(v.finding.contains("政策解读 2 篇"), "{}", v.finding);
        let v = zone(ZoneContent {
            interpretations: 0,
            contacts: 0,
            ..full
        });
        assert_eq!(v.status, Status::Fail);
        assert!(
            v.finding.ends_with("缺少：政策解读、联系人。"),
            "{}",
            v.finding
        );
    }
}
