//! Quarterly working meetings (SPEC §1 R1.2; issue #8 item 2): when a meeting may be scheduled
//! for a quarter and on which date, what a work report and minutes must hold, and the status
//! machine of the issues raised (open → in progress → resolved / escalated to the city) with who
//! may move an issue where. Pure: the store loads, calls and stores.

use crate::message::FieldError;
use crate::stats::Quarter;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

code_enum!(
    /// Where a meeting stands: scheduled, or held once its attendance is recorded.
    MeetingStatus {
        Scheduled = "scheduled", "已安排", "Scheduled";
        Held = "held", "已召开", "Held";
    }
);

code_enum!(
    /// The status of a tracked issue (协调解决有关问题).
    IssueStatus {
        Open = "open", "待办理", "Open";
        InProgress = "in_progress", "办理中", "In progress";
        Resolved = "resolved", "已解决", "Resolved";
        Escalated = "escalated", "已提交市级协调", "Escalated to the city";
    }
);

/// Who asks to move an issue: the district's lead department, the unit owning the issue, or
/// the city (which receives escalated issues).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum IssueMover {
    Lead,
    Owner,
    City,
}

fn err(field: &'static str, code: &'static str, zh: String, en: &str) -> FieldError {
    FieldError::new(field, code, zh, en)
}

/// Quarters after `from` up to `to` (0 when `to` is not later).
fn quarters_between(from: Quarter, to: Quarter) -> i32 {
    (to.year - from.year) * 4 + to.q as i32 - from.q as i32
}

/// Checks a meeting's quarter and date. The rules (decision 0014):
/// - the date lies inside the quarter (a quarter's meeting is held in that quarter);
/// - a quarter that ended more than one quarter ago (before the previous quarter) is the far
///   past: recording such a meeting needs `confirmed` (a late record of history);
/// - at most four quarters ahead (anything further is a typing error).
pub fn check_schedule(
    quarter: Quarter,
    date: NaiveDate,
    today: NaiveDate,
    confirmed: bool,
) -> Result<(), FieldError> {
    let current = Quarter::of(today);
    if quarter < current.previous() && !confirmed {
        return Err(err(
            "confirm_past",
            "meeting.far_past",
            format!(
                "{quarter} 已结束一个季度以上：补录往期会议须勾选“确认补录往期会议”（当前为 {current}）。"
            ),
            "That quarter ended more than a quarter ago: tick the confirmation to record a past meeting.",
        ));
    }
    if quarters_between(current, quarter) > 4 {
        return Err(err(
            "quarter",
            "meeting.far_future",
            format!("{quarter} 距今超过四个季度，请核对季度（当前为 {current}）。"),
            "The quarter is more than four quarters ahead: check it.",
        ));
    }
    if date < quarter.first_day() || date > quarter.last_day() {
        return Err(err(
            "date",
            "meeting.date_outside",
            format!(
                "会议日期 {date} 不在 {quarter}（{} 至 {}）之内：季度工作会议应在该季度内召开。",
                quarter.first_day(),
                quarter.last_day()
            ),
            "The date must fall inside the meeting's quarter.",
        ));
    }
    Ok(())
}

/// Checks where a meeting takes place: a place, an online link (http/https), or both.
pub fn check_venue(place: Option<&str>, link: Option<&str>) -> Result<(), FieldError> {
    let place = place.map(str::trim).filter(|s| !s.is_empty());
    let link = link.map(str::trim).filter(|s| !s.is_empty());
    if place.is_none() && link.is_none() {
        return Err(err(
            "place",
            "meeting.venue",
            "请填写会议地点或线上会议链接（至少一项）。".into(),
            "Give a place or an online link.",
        ));
    }
    if let Some(l) = link
        && !(l.starts_with("https://") || l.starts_with("http://"))
    {
        return Err(err(
            "online_link",
            "meeting.link",
            format!("线上会议链接“{l}”应以 https:// 或 http:// 开头。"),
            "The online link must start with https:// or http://.",
        ));
    }
    if place.is_some_and(|p| p.chars().count() > 200) {
        return Err(err(
            "place",
            "meeting.place_long",
            "会议地点最多 200 字。".into(),
            "The place is at most 200 characters.",
        ));
    }
    Ok(())
}

/// Checks a required text field: not blank, at most `max` characters.
pub fn check_text(
    field: &'static str,
    label: &str,
    text: &str,
    max: usize,
) -> Result<(), FieldError> {
    let n = text.trim().chars().count();
    if n == 0 {
        return Err(err(
            field,
            "meeting.text_required",
            format!("请填写{label}。"),
            "This text is required.",
        ));
    }
    if n > max {
        return Err(err(
            field,
            "meeting.text_long",
            format!("{label}最多 {max} 字，现有 {n} 字。"),
            "The text is too long.",
        ));
    }
    Ok(())
}

/// The longest agenda, report, minutes or note (characters).
pub const MAX_TEXT: usize = 20_000;

/// Whether a meeting on `date` can be marked held on `today` (not before it took place).
pub fn check_held(date: NaiveDate, today: NaiveDate) -> Result<(), FieldError> {
    if date > today {
        return Err(err(
            "attendance",
            "meeting.not_yet",
            format!("会议定于 {date} 召开，尚未到会议日期，不能登记出席情况。"),
            "The meeting has not taken place yet.",
        ));
    }
    Ok(())
}

/// The transitions of the issue machine, with who may make each.
pub fn allowed(from: IssueStatus, to: IssueStatus, by: IssueMover) -> bool {
    use IssueMover::*;
    use IssueStatus::*;
    match (from, to) {
        (Open, InProgress) | (InProgress, Resolved) => matches!(by, Lead | Owner),
        (InProgress, Escalated) => by == Lead,
        // The city closes what was escalated to it.
        (Escalated, Resolved) => by == City,
        _ => false,
    }
}

/// Checks a status change: the transition must exist for the mover, and a resolution or
/// escalation needs a note saying how it was resolved or why it goes to the city.
pub fn transition(
    from: IssueStatus,
    to: IssueStatus,
    by: IssueMover,
    note: Option<&str>,
) -> Result<(), FieldError> {
    if !allowed(from, to, by) {
        let who = match by {
            IssueMover::Lead => "区牵头部门",
            IssueMover::Owner => "责任单位",
            IssueMover::City => "市级部门",
        };
        let next: Vec<&str> = IssueStatus::ALL
            .iter()
            .filter(|s| allowed(from, **s, by))
            .map(|s| s.zh())
            .collect();
        return Err(err(
            "status",
            "issue.transition",
            format!(
                "{who}不能把“{}”的事项改为“{}”{}。",
                from.zh(),
                to.zh(),
                if next.is_empty() {
                    "（该事项已不能由您再变更）".to_string()
                } else {
                    format!("（可改为：{}）", next.join("、"))
                }
            ),
            "That status change is not allowed.",
        ));
    }
    if matches!(to, IssueStatus::Resolved | IssueStatus::Escalated) {
        let n = note.map(str::trim).unwrap_or("").chars().count();
        if n == 0 {
            return Err(err(
                "note",
                "issue.note_required",
                format!(
                    "改为“{}”须填写办理说明（如何解决，或为何提交市级协调）。",
                    to.zh()
                ),
                "A resolution note is required.",
            ));
        }
        if n > MAX_TEXT {
            return Err(err(
                "note",
                "meeting.text_long",
                format!("办理说明最多 {MAX_TEXT} 字。"),
                "The note is too long.",
            ));
        }
    }
    Ok(())
}

/// Checks an issue's due date: not before the meeting (an issue is raised there).
pub fn check_due(due: NaiveDate, meeting_date: NaiveDate) -> Result<(), FieldError> {
    if due < meeting_date {
        return Err(err(
            "due_on",
            "issue.due",
            format!("办理期限 {due} 早于会议日期 {meeting_date}，请核对。"),
            "The due date is before the meeting.",
        ));
    }
    Ok(())
}

/// The default title of a meeting: 南山区 2026 年第三季度知识产权质押融资工作会议.
pub fn default_title(district_name: &str, quarter: Quarter) -> String {
    let q = ["一", "二", "三", "四"][(quarter.q.clamp(1, 4) - 1) as usize];
    format!(
        "{district_name} {} 年第{q}季度知识产权质押融资工作会议",
        quarter.year
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use IssueMover::*;
    use IssueStatus::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }
    fn q(s: &str) -> Quarter {
        Quarter::parse(s).expect("quarter")
    }

    #[test]
    fn far_past_needs_confirmation() {
        let today = d("2026-11-28"); // 2026Q4
        // The previous quarter is a late record, no confirmation needed.
        assert!(check_schedule(q("2026Q3"), d("2026-09-18"), today, false).is_ok());
        assert!(check_schedule(q("2026Q4"), d("2026-12-18"), today, false).is_ok());
        let e = check_schedule(q("2026Q2"), d("2026-06-18"), today, false).unwrap_err();
        assert_eq!((e.field, e.msg.code), ("confirm_past", "meeting.far_past"));
        assert!(e.msg.zh.contains("2026Q2"));
        assert!(check_schedule(q("2026Q2"), d("2026-06-18"), today, true).is_ok());
        // Across a year boundary: in 2027Q1, 2026Q4 is the previous quarter.
        assert!(check_schedule(q("2026Q4"), d("2026-12-01"), d("2027-01-05"), false).is_ok());
        assert!(check_schedule(q("2026Q3"), d("2026-09-01"), d("2027-01-05"), false).is_err());
    }

    #[test]
    fn date_inside_the_quarter_and_not_too_far_ahead() {
        let today = d("2026-11-28");
        let e = check_schedule(q("2026Q4"), d("2027-01-02"), today, false).unwrap_err();
        assert_eq!(e.msg.code, "meeting.date_outside");
        assert!(check_schedule(q("2026Q4"), d("2026-10-01"), today, false).is_ok());
        assert!(check_schedule(q("2026Q4"), d("2026-12-31"), today, false).is_ok());
        assert!(check_schedule(q("2026Q3"), d("2026-06-30"), today, false).is_err());
        assert!(check_schedule(q("2027Q4"), d("2027-10-10"), today, false).is_ok());
        assert_eq!(
            check_schedule(q("2028Q1"), d("2028-01-10"), today, false)
                .unwrap_err()
                .msg
                .code,
            "meeting.far_future"
        );
    }

    #[test]
    fn venue_and_texts() {
        assert!(check_venue(Some("南山区政府 3 楼会议室"), None).is_ok());
        assert!(check_venue(None, Some("https://meeting.example.cn/123")).is_ok());
        assert_eq!(
            check_venue(Some("  "), None).unwrap_err().msg.code,
            "meeting.venue"
        );
        assert_eq!(
            check_venue(None, Some("meeting.example.cn"))
                .unwrap_err()
                .field,
            "online_link"
        );
        assert!(check_text("agenda", "议程", "一、通报", 10).is_ok());
        assert_eq!(
            check_text("agenda", "议程", " ", 10).unwrap_err().msg.code,
            "meeting.text_required"
        );
        assert_eq!(
            check_text("agenda", "议程", "一二三四五六", 5)
                .unwrap_err()
                .msg
                .code,
            "meeting.text_long"
        );
        assert!(check_held(d("2026-09-18"), d("2026-09-18")).is_ok());
        assert!(check_held(d("2026-12-18"), d("2026-11-28")).is_err());
        assert!(check_due(d("2026-10-31"), d("2026-09-18")).is_ok());
        assert!(check_due(d("2026-09-01"), d("2026-09-18")).is_err());
        assert_eq!(
            default_title("南山区", q("2026Q3")),
            "南山区 2026 年第三季度知识产权质押融资工作会议"
        );
    }

    #[test]
    fn the_issue_machine() {
        // The happy paths.
        assert!(transition(Open, InProgress, Owner, None).is_ok());
        assert!(transition(InProgress, Resolved, Owner, Some("已放款")).is_ok());
        assert!(transition(InProgress, Escalated, Lead, Some("需市级协调")).is_ok());
        assert!(transition(Escalated, Resolved, City, Some("市里已协调")).is_ok());
        // A note is required for resolved and escalated.
        let e = transition(InProgress, Resolved, Lead, Some("  ")).unwrap_err();
        assert_eq!((e.field, e.msg.code), ("note", "issue.note_required"));
        assert_eq!(
            transition(InProgress, Escalated, Lead, None)
                .unwrap_err()
                .msg
                .code,
            "issue.note_required"
        );
        // Owners cannot escalate; the lead cannot close what the city holds; nothing skips.
        assert!(transition(InProgress, Escalated, Owner, Some("x")).is_err());
        assert!(transition(Escalated, Resolved, Lead, Some("x")).is_err());
        assert!(transition(Open, Resolved, Lead, Some("x")).is_err());
        assert!(transition(Open, Escalated, Lead, Some("x")).is_err());
        assert!(transition(Open, InProgress, City, None).is_err());
        let e = transition(Resolved, InProgress, Lead, None).unwrap_err();
        assert_eq!(e.msg.code, "issue.transition");
        assert!(e.msg.zh.contains("已不能"));
    }

    #[test]
    fn no_path_leaves_a_terminal_state() {
        // Resolved is terminal for everyone; every state is reachable from Open.
        for to in IssueStatus::ALL {
            for by in [Lead, Owner, City] {
                assert!(!allowed(Resolved, *to, by));
            }
        }
        let mut seen = vec![Open];
        let mut frontier = vec![Open];
        while let Some(s) = frontier.pop() {
            for to in IssueStatus::ALL {
                if [Lead, Owner, City].iter().any(|b| allowed(s, *to, *b)) && !seen.contains(to) {
                    seen.push(*to);
                    frontier.push(*to);
                }
            }
        }
        assert_eq!(seen.len(), IssueStatus::ALL.len());
    }

    #[test]
    fn previous_quarter() {
        assert_eq!(q("2026Q1").previous(), q("2025Q4"));
        assert_eq!(q("2026Q3").previous(), q("2026Q2"));
    }
}
