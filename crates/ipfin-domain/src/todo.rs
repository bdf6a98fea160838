//! The to-do list (待办) a home page starts with (SPEC §0): what awaits this person or
//! organisation, each with its deadline and age, most urgent first. Every area contributes the
//! states that await someone; the order and the words about time are decided here, once.

use crate::message::Lang;
use chrono::NaiveDate;

/// One thing that awaits the reader, with a link to do it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Todo {
    pub text: String,
    pub href: String,
    /// When it must be done, if a rule or a person set a deadline.
    pub due: Option<NaiveDate>,
    /// Since when it has waited (the oldest item of a group).
    pub since: Option<NaiveDate>,
}

/// How pressing an item is, for the words and the colour beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Urgency {
    /// Past its deadline by this many days.
    Overdue(i64),
    /// Due today.
    DueToday,
    /// Due on this date, this many days from today.
    Due(NaiveDate, i64),
    /// No deadline; waiting for this many days.
    Waiting(i64),
    /// Neither a deadline nor a start date.
    Open,
}

impl Todo {
    pub fn new(text: impl Into<String>, href: impl Into<String>) -> Todo {
        Todo {
            text: text.into(),
            href: href.into(),
            due: None,
            since: None,
        }
    }

    pub fn due(mut self, due: Option<NaiveDate>) -> Todo {
        self.due = due;
        self
    }

    pub fn since(mut self, since: Option<NaiveDate>) -> Todo {
        self.since = since;
        self
    }

    pub fn urgency(&self, today: NaiveDate) -> Urgency {
        match (self.due, self.since) {
            (Some(d), _) => {
                let days = (d - today).num_days();
                match days {
                    n if n < 0 => Urgency::Overdue(-n),
                    0 => Urgency::DueToday,
                    n => Urgency::Due(d, n),
                }
            }
            (None, Some(s)) => Urgency::Waiting((today - s).num_days().max(0)),
            (None, None) => Urgency::Open,
        }
    }

    /// The words about time beside the item: 逾期 10 天 · 已等待 12 天.
    pub fn timing(&self, today: NaiveDate, lang: Lang) -> String {
        let zh = lang == Lang::Zh;
        let mut parts = Vec::new();
        match self.urgency(today) {
            Urgency::Overdue(n) if zh => parts.push(format!("逾期 {n} 天")),
            Urgency::Overdue(n) => parts.push(format!("{n} {} overdue", days_en(n))),
            Urgency::DueToday if zh => parts.push("今天到期".to_string()),
            Urgency::DueToday => parts.push("due today".to_string()),
            Urgency::Due(d, n) if zh => parts.push(format!(
                "{}前办理（还有 {n} 天）",
                crate::format::date(d, lang)
            )),
            Urgency::Due(d, n) => parts.push(format!(
                "due {} ({n} {} left)",
                crate::format::date(d, lang),
                days_en(n)
            )),
            Urgency::Waiting(_) | Urgency::Open => {}
        }
        if let Some(s) = self.since
            && let n = (today - s).num_days()
            && n > 0
        {
            parts.push(if zh {
                format!("已等待 {n} 天")
            } else {
                format!("waiting {n} {}", days_en(n))
            });
        }
        parts.join(if zh { "，" } else { ", " })
    }

    /// Past its deadline (shown as a warning).
    pub fn overdue(&self, today: NaiveDate) -> bool {
        matches!(self.urgency(today), Urgency::Overdue(_))
    }
}

fn days_en(n: i64) -> &'static str {
    if n == 1 { "day" } else { "days" }
}

/// Most urgent first: what has a deadline, by deadline (so the most overdue leads); then what
/// has waited, oldest first; then the rest in the order they were added.
pub fn sort(todos: &mut [Todo]) {
    todos.sort_by_key(|t| (t.due.is_none(), t.due, t.since.is_none(), t.since));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    #[test]
    fn the_most_overdue_leads_then_the_nearest_deadline_then_the_oldest_wait() {
        let mut list = vec![
            Todo::new("no dates", "/a"),
            Todo::new("waiting 3", "/b").since(Some(d(12, 5))),
            Todo::new("due in 2", "/c").due(Some(d(12, 10))),
            Todo::new("waiting 20", "/d").since(Some(d(11, 18))),
            Todo::new("overdue 10", "/e").due(Some(d(11, 28))),
            Todo::new("overdue 1", "/f").due(Some(d(12, 7))),
        ];
        sort(&mut list);
        let order: Vec<&str> = list.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(
            order,
            [
                "overdue 10",
                "overdue 1",
                "due in 2",
                "waiting 20",
                "waiting 3",
                "no dates"
            ]
        );
    }

    #[test]
    fn timing_says_deadline_and_age_in_both_languages() {
        let today = d(12, 8);
        let overdue = Todo::new("x", "/")
            .due(Some(d(11, 28)))
            .since(Some(d(11, 18)));
        assert_eq!(overdue.timing(today, Lang::Zh), "逾期 10 天，已等待 20 天");
        assert_eq!(
            overdue.timing(today, Lang::En),
            "10 days overdue, waiting 20 days"
        );
        assert!(overdue.overdue(today));
        let due = Todo::new("x", "/").due(Some(d(12, 10)));
        assert_eq!(
            due.timing(today, Lang::Zh),
            "2026年12月10日前办理（还有 2 天）"
        );
        assert_eq!(due.timing(today, Lang::En), "due 10 Dec 2026 (2 days left)");
        assert!(!due.overdue(today));
        let today_due = Todo::new("x", "/").due(Some(today));
        assert_eq!(today_due.timing(today, Lang::Zh), "今天到期");
        assert_eq!(Todo::new("x", "/").timing(today, Lang::Zh), "");
    }
}
