//! Daily supervision (SPEC §8 R4.3; issue #8 item 3): a district's scheduled inspections
//! (定期检查督导) of service stations, financial institutions and subsidised enterprises, their
//! findings, and the rectification tasks (整改任务) raised from them with their status machine
//! (open → evidence submitted → closed, or reopened), the overdue rule in Asia/Shanghai business
//! dates, and the conformance rule of the matrix. Pure: the store feeds the records.

use crate::message::{FieldError, Msg};
use crate::stats::completion_pct;
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

code_enum! {
    /// What an inspection looks at.
    SubjectKind {
        Station = "station", "服务站", "Service station";
        Bank = "bank", "金融机构", "Financial institution";
        Enterprise = "enterprise", "受资助企业", "Subsidised enterprise";
    }
}

code_enum! {
    /// Where an inspection stands.
    InspectionStatus {
        Planned = "planned", "计划中", "Planned";
        Done = "done", "已完成", "Done";
    }
}

code_enum! {
    /// What an inspection found.
    InspectionResult {
        NoIssues = "no_issues", "未发现问题", "No issues";
        IssuesFound = "issues_found", "发现问题", "Issues found";
    }
}

code_enum! {
    /// Where a rectification task stands.
    TaskStatus {
        Open = "open", "待整改", "Open";
        EvidenceSubmitted = "evidence_submitted", "已提交整改材料", "Evidence submitted";
        Closed = "closed", "已销号", "Closed";
        Reopened = "reopened", "退回重新整改", "Reopened";
    }
}

code_enum! {
    /// What can happen to a rectification task.
    TaskAction {
        SubmitEvidence = "submit_evidence", "提交整改材料", "Submit evidence";
        Close = "close", "验收销号", "Close";
        Reopen = "reopen", "退回重新整改", "Reopen";
    }
}

/// A rectification task overdue by more than this many days fails the R4.3 conformance cell.
pub const CONFORMANCE_GRACE_DAYS: i64 = 30;

/// The status a task moves to under an action, or why it may not.
///
/// | from \ action        | submit evidence     | close  | reopen   |
/// |----------------------|---------------------|--------|----------|
/// | open                 | evidence submitted  | closed | —        |
/// | evidence submitted   | evidence submitted  | closed | reopened |
/// | reopened             | evidence submitted  | closed | —        |
/// | closed               | —                   | —      | reopened |
/// Who may take an action on a rectification task, answered once for the page's buttons and
/// the store's checks: the owner organisation submits evidence; the district's lead officers
/// close and reopen. `department` is the caller's department when the scope is a district's.
/// The state machine (`next_status`) decides separately whether the task's status allows it.
pub fn may_act(
    scope: &crate::org::Scope,
    department: Option<crate::id::OrgId>,
    district: &str,
    owner: crate::id::OrgId,
    action: TaskAction,
) -> bool {
    match action {
        TaskAction::SubmitEvidence => scope.acting_organisation(department) == Some(owner),
        TaskAction::Close | TaskAction::Reopen => scope.leads_district(district),
    }
}

/// Whether the caller may take the action now: allowed to, and the status allows it.
pub fn can_act(
    scope: &crate::org::Scope,
    department: Option<crate::id::OrgId>,
    district: &str,
    owner: crate::id::OrgId,
    status: TaskStatus,
    action: TaskAction,
) -> bool {
    may_act(scope, department, district, owner, action) && next_status(status, action).is_ok()
}

pub fn next_status(from: TaskStatus, action: TaskAction) -> Result<TaskStatus, Msg> {
    use TaskAction as A;
    use TaskStatus as S;
    match (from, action) {
        (S::Open | S::EvidenceSubmitted | S::Reopened, A::SubmitEvidence) => {
            Ok(S::EvidenceSubmitted)
        }
        (S::Open | S::EvidenceSubmitted | S::Reopened, A::Close) => Ok(S::Closed),
        (S::EvidenceSubmitted | S::Closed, A::Reopen) => Ok(S::Reopened),
        (from, action) => Err(Msg::new(
            "rectification.transition",
            format!("整改任务当前状态为“{}”，不能“{}”。", from.zh(), action.zh()),
            format!(
                "A task that is {} cannot be given “{}”.",
                from.en().to_lowercase(),
                action.en().to_lowercase()
            ),
        )),
    }
}

/// Days a task is past its deadline on `today` (Asia/Shanghai business date): `Some(n)` with
/// n ≥ 1 when the deadline has passed and the task is not closed; a task is due through the
/// whole of its deadline day.
pub fn days_overdue(status: TaskStatus, deadline: NaiveDate, today: NaiveDate) -> Option<i64> {
    (status != TaskStatus::Closed && today > deadline).then(|| (today - deadline).num_days())
}

/// Whether a task is overdue on `today`.
pub fn task_overdue(status: TaskStatus, deadline: NaiveDate, today: NaiveDate) -> bool {
    days_overdue(status, deadline, today).is_some()
}

/// Whether a planned inspection is overdue: its due date passed without findings recorded.
pub fn inspection_overdue(status: InspectionStatus, due_on: NaiveDate, today: NaiveDate) -> bool {
    status == InspectionStatus::Planned && today > due_on
}

fn err(field: &'static str, code: &'static str, zh: String, en: &str) -> FieldError {
    FieldError::new(field, code, zh, en)
}

fn text_between(
    field: &'static str,
    label: &str,
    s: &str,
    min: usize,
    max: usize,
) -> Result<(), FieldError> {
    let n = s.trim().chars().count();
    if n < min || n > max {
        return Err(err(
            field,
            "supervision.text",
            format!("请填写{label}（{min}–{max} 个字，现有 {n} 个字）。"),
            "The text is missing or too long.",
        ));
    }
    Ok(())
}

/// Checks a planned inspection: the due date within a year back (recording an inspection
/// already held) and two years ahead, the inspectors and the purpose given.
pub fn check_plan(
    due_on: NaiveDate,
    today: NaiveDate,
    inspectors: &str,
    purpose: &str,
) -> Result<(), FieldError> {
    if (today - due_on).num_days() > 366 || (due_on - today).num_days() > 731 {
        return Err(err(
            "due_on",
            "inspection.due_on",
            format!("计划检查日期 {due_on} 不在可安排的范围内（一年前至两年后），请核对日期。"),
            "The due date must lie between a year ago and two years ahead.",
        ));
    }
    text_between("inspectors", "检查人员", inspectors, 2, 200)?;
    text_between("purpose", "检查目的和内容", purpose, 2, 2000)
}

/// Checks findings: done on a date not in the future (and not more than a year before the
/// plan), with the findings written down.
pub fn check_findings(
    done_on: NaiveDate,
    due_on: NaiveDate,
    today: NaiveDate,
    findings: &str,
) -> Result<(), FieldError> {
    if done_on > today {
        return Err(err(
            "done_on",
            "inspection.done_future",
            format!("检查日期 {done_on} 在今天之后：请在检查完成后再登记结果。"),
            "An inspection cannot be recorded before it took place.",
        ));
    }
    if (due_on - done_on).num_days() > 366 {
        return Err(err(
            "done_on",
            "inspection.done_on",
            format!("检查日期 {done_on} 早于计划日期一年以上，请核对日期。"),
            "The date done lies more than a year before the plan.",
        ));
    }
    text_between("findings", "检查发现的情况", findings, 2, 5000)
}

/// Checks a new rectification task: a deadline from today on, within two years, and the
/// requirement written down.
pub fn check_task(
    deadline: NaiveDate,
    today: NaiveDate,
    requirement: &str,
) -> Result<(), FieldError> {
    if deadline < today {
        return Err(err(
            "deadline",
            "rectification.deadline_past",
            format!("整改期限 {deadline} 已经过去，请给出今天或之后的日期。"),
            "The deadline has already passed.",
        ));
    }
    if (deadline - today).num_days() > 731 {
        return Err(err(
            "deadline",
            "rectification.deadline_far",
            format!("整改期限 {deadline} 超过两年，请核对日期。"),
            "The deadline is more than two years ahead.",
        ));
    }
    text_between("requirement", "整改要求", requirement, 2, 2000)
}

/// Checks the note that goes with evidence or a closure.
pub fn check_note(field: &'static str, label: &str, note: &str) -> Result<(), FieldError> {
    text_between(field, label, note, 2, 2000)
}

/// The refusal to close a task that has no evidence: a file and a note are both needed.
pub fn evidence_missing() -> FieldError {
    err(
        "file",
        "rectification.evidence_missing",
        "销号须有整改证明材料：请上传整改证明文件（“整改证明文件”一栏），并填写整改情况说明；责任单位已提交材料的，可直接验收销号。"
            .into(),
        "Closing needs evidence: upload a file showing the rectification and write a note.",
    )
}

/// The straight-line pace of the year on `day` in percent (the share of the year elapsed), one
/// decimal: what each target's completion is measured against.
pub fn pace_pct(day: NaiveDate) -> Decimal {
    let days = NaiveDate::from_ymd_opt(day.year(), 12, 31)
        .map(|d| d.ordinal())
        .unwrap_or(365);
    completion_pct(i64::from(day.ordinal()), i64::from(days)).unwrap_or_default()
}

/// The district's supervision as the conformance matrix sees it for a year.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupervisionFacts {
    /// Inspections done (findings recorded) this year.
    pub done: i64,
    /// Planned inspections of the year still to do.
    pub planned: i64,
    /// Tasks overdue today.
    pub overdue_tasks: i64,
    /// The most days any open task is past its deadline.
    pub worst_overdue_days: i64,
}

/// The R4.3 cell: passed when the district recorded at least one inspection this year and no
/// rectification task is more than `CONFORMANCE_GRACE_DAYS` past its deadline; the finding
/// says why.
pub fn conformance(year: i32, f: &SupervisionFacts) -> (bool, String) {
    let mut problems = Vec::new();
    if f.done == 0 {
        problems.push(format!("{year} 年尚未记录完成的督导检查"));
    }
    if f.worst_overdue_days > CONFORMANCE_GRACE_DAYS {
        problems.push(format!(
            "有整改任务逾期超过 {CONFORMANCE_GRACE_DAYS} 天（最长逾期 {} 天，逾期任务 {} 项）",
            f.worst_overdue_days, f.overdue_tasks
        ));
    }
    if problems.is_empty() {
        let mut s = format!(
            "{year} 年已完成督导检查 {} 次，计划中 {} 次",
            f.done, f.planned
        );
        if f.overdue_tasks > 0 {
            s.push_str(&format!(
                "；逾期整改任务 {} 项（均未超过 {CONFORMANCE_GRACE_DAYS} 天）",
                f.overdue_tasks
            ));
        } else {
            s.push_str("；无逾期整改任务");
        }
        (true, s)
    } else {
        (false, problems.join("；"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn task_status_machine() {
        use TaskAction as A;
        use TaskStatus as S;
        assert_eq!(
            next_status(S::Open, A::SubmitEvidence),
            Ok(S::EvidenceSubmitted)
        );
        assert_eq!(
            next_status(S::EvidenceSubmitted, A::SubmitEvidence),
            Ok(S::EvidenceSubmitted)
        );
        assert_eq!(next_status(S::EvidenceSubmitted, A::Close), Ok(S::Closed));
        assert_eq!(next_status(S::Open, A::Close), Ok(S::Closed));
        assert_eq!(
            next_status(S::EvidenceSubmitted, A::Reopen),
            Ok(S::Reopened)
        );
        assert_eq!(
            next_status(S::Reopened, A::SubmitEvidence),
            Ok(S::EvidenceSubmitted)
        );
        assert_eq!(next_status(S::Closed, A::Reopen), Ok(S::Reopened));
        let e = next_status(S::Closed, A::SubmitEvidence).expect_err("closed is final for owners");
        assert_eq!(e.code, "rectification.transition");
        assert!(e.zh.contains("已销号"), "{}", e.zh);
        assert!(next_status(S::Closed, A::Close).is_err());
        assert!(next_status(S::Open, A::Reopen).is_err());
        assert!(next_status(S::Reopened, A::Reopen).is_err());
    }

    #[test]
    fn no_transition_leads_out_of_the_four_states_or_skips_closed_by_owner() {
        // Every state reachable from open stays within the table, and only Close reaches closed.
        for s in TaskStatus::ALL {
            for a in TaskAction::ALL {
                if let Ok(n) = next_status(*s, *a) {
                    assert_eq!(n == TaskStatus::Closed, *a == TaskAction::Close);
                }
            }
        }
    }

    #[test]
    fn overdue_in_business_dates() {
        let deadline = d("2026-09-30");
        assert_eq!(
            days_overdue(TaskStatus::Open, deadline, d("2026-09-30")),
            None,
            "due through the deadline day"
        );
        assert_eq!(
            days_overdue(TaskStatus::Open, deadline, d("2026-10-01")),
            Some(1)
        );
        assert_eq!(
            days_overdue(TaskStatus::Reopened, deadline, d("2026-11-15")),
            Some(46)
        );
        assert!(task_overdue(
            TaskStatus::EvidenceSubmitted,
            deadline,
            d("2026-10-02")
        ));
        assert!(!task_overdue(TaskStatus::Closed, deadline, d("2027-01-01")));
        assert!(inspection_overdue(
            InspectionStatus::Planned,
            d("2026-03-31"),
            d("2026-04-01")
        ));
        assert!(!inspection_overdue(
            InspectionStatus::Planned,
            d("2026-03-31"),
            d("2026-03-31")
        ));
        assert!(!inspection_overdue(
            InspectionStatus::Done,
            d("2026-03-31"),
            d("2026-12-01")
        ));
    }

    #[test]
    fn plan_and_findings_checks() {
        let today = d("2026-11-27");
        assert!(check_plan(d("2026-12-15"), today, "张三、李四", "检查服务站台账").is_ok());
        assert!(check_plan(d("2026-01-15"), today, "张三", "补录年初检查").is_ok());
        assert_eq!(
            check_plan(d("2029-01-01"), today, "张三", "x检查")
                .expect_err("far")
                .field,
            "due_on"
        );
        assert_eq!(
            check_plan(d("2026-12-15"), today, " ", "检查")
                .expect_err("no inspectors")
                .field,
            "inspectors"
        );
        assert_eq!(
            check_plan(d("2026-12-15"), today, "张三", "")
                .expect_err("no purpose")
                .field,
            "purpose"
        );
        assert_eq!(
            check_findings(d("2026-11-28"), d("2026-12-15"), today, "发现台账缺失")
                .expect_err("future")
                .field,
            "done_on"
        );
        assert!(check_findings(d("2026-11-20"), d("2026-12-15"), today, "台账齐全").is_ok());
        assert_eq!(
            check_findings(d("2026-11-20"), d("2026-12-15"), today, "")
                .expect_err("empty")
                .field,
            "findings"
        );
    }

    #[test]
    fn task_checks() {
        let today = d("2026-11-27");
        assert!(check_task(today, today, "补齐台账").is_ok());
        let e = check_task(d("2026-11-26"), today, "补齐台账").expect_err("past");
        assert_eq!(
            (e.field, e.msg.code),
            ("deadline", "rectification.deadline_past")
        );
        assert_eq!(
            check_task(d("2029-11-26"), today, "补齐台账")
                .expect_err("far")
                .field,
            "deadline"
        );
        assert_eq!(
            check_task(d("2026-12-26"), today, "")
                .expect_err("no requirement")
                .field,
            "requirement"
        );
        assert_eq!(evidence_missing().field, "file");
        assert!(evidence_missing().msg.zh.contains("整改证明文件"));
        assert_eq!(
            check_note("note", "整改情况说明", " ")
                .expect_err("empty")
                .field,
            "note"
        );
    }

    #[test]
    fn pace_is_the_share_of_the_year_elapsed() {
        assert_eq!(pace_pct(d("2026-12-31")), dec!(100.0));
        assert_eq!(pace_pct(d("2026-07-02")), dec!(50.1)); // day 183 of 365
        assert_eq!(pace_pct(d("2028-07-02")), dec!(50.3)); // day 184 of 366
        assert_eq!(pace_pct(d("2026-01-01")), dec!(0.3));
    }

    #[test]
    fn conformance_rule() {
        let ok = SupervisionFacts {
            done: 2,
            planned: 3,
            overdue_tasks: 1,
            worst_overdue_days: 30,
        };
        let (pass, finding) = conformance(2026, &ok);
        assert!(pass, "{finding}");
        assert!(finding.contains("已完成督导检查 2 次"), "{finding}");
        let late = SupervisionFacts {
            worst_overdue_days: 31,
            ..ok
        };
        let (pass, finding) = conformance(2026, &late);
        assert!(!pass);
        assert!(finding.contains("最长逾期 31 天"), "{finding}");
        let none = SupervisionFacts::default();
        let (pass, finding) = conformance(2026, &none);
        assert!(!pass);
        assert!(finding.contains("尚未记录完成的督导检查"), "{finding}");
    }

    #[test]
    fn who_may_act_on_a_task() {
        use crate::id::OrgId;
        use crate::org::Scope;
        let lead = Scope::District {
            code: "440305".into(),
            manage: true,
        };
        let member = Scope::District {
            code: "440305".into(),
            manage: false,
        };
        let bank = Scope::Institution {
            org_id: OrgId::new(7),
        };
        let (d, owner) = ("440305", OrgId::new(7));
        use TaskAction as A;
        assert!(may_act(&bank, None, d, owner, A::SubmitEvidence));
        assert!(!may_act(&bank, None, d, owner, A::Close));
        assert!(!may_act(
            &Scope::Institution {
                org_id: OrgId::new(8)
            },
            None,
            d,
            owner,
            A::SubmitEvidence
        ));
        assert!(
            may_act(&lead, None, d, owner, A::Close) && may_act(&lead, None, d, owner, A::Reopen)
        );
        assert!(!may_act(&lead, None, "440304", owner, A::Close));
        assert!(!may_act(&member, None, d, owner, A::Close));
        assert!(may_act(
            &member,
            Some(OrgId::new(7)),
            d,
            owner,
            A::SubmitEvidence
        ));
        assert!(
            !may_act(&Scope::City, None, d, owner, A::Close),
            "the city does not close a district's tasks"
        );
        assert!(!can_act(
            &lead,
            None,
            d,
            owner,
            TaskStatus::Closed,
            A::Close
        ));
        assert!(can_act(
            &lead,
            None,
            d,
            owner,
            TaskStatus::Closed,
            A::Reopen
        ));
        assert!(!can_act(
            &bank,
            None,
            d,
            owner,
            TaskStatus::Closed,
            A::SubmitEvidence
        ));
    }
}
