//! District summaries and information reporting (工作总结与信息报送, SPEC §8 R4.4; issue #8
//! item 4): the periods a summary covers (a quarter or a year), the fixed five sections, what a
//! draft and a submission must satisfy, the results text pre-filled from the statistics, the
//! city's information requests, and which summaries are due (15 days of grace after a quarter).
//! Pure: the store feeds the figures.

use crate::message::{FieldError, Msg};
use crate::money::Fen;
use crate::stats::Quarter;
use crate::target::Metric;
use chrono::{Datelike, Duration, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Days after a quarter's end by which its summary is expected (the conformance cell R4.4).
pub const GRACE_DAYS: i64 = 15;
/// The longest section, in characters.
pub const MAX_SECTION_CHARS: usize = 10_000;
/// The longest comment, request or answer, in characters.
pub const MAX_NOTE_CHARS: usize = 4_000;

fn invalid_period() -> Msg {
    Msg::new(
        "period.invalid",
        "总结期间应写作 2026Q3（季度）或 2026（年度），年份 2000–2100。",
        "Write the period as 2026Q3 (a quarter) or 2026 (a year), year 2000–2100.",
    )
}

/// What a summary covers: a calendar quarter or a calendar year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Period {
    Quarter(Quarter),
    Year(i32),
}

impl Period {
    /// Reads `2026Q3` (also `2026-q3`) or `2026`.
    pub fn parse(s: &str) -> Result<Period, Msg> {
        let t = s.trim();
        if t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit()) {
            let y: i32 = t.parse().map_err(|_| invalid_period())?;
            if !(2000..=2100).contains(&y) {
                return Err(invalid_period());
            }
            return Ok(Period::Year(y));
        }
        Quarter::parse(t)
            .map(Period::Quarter)
            .map_err(|_| invalid_period())
    }

    pub fn year(self) -> i32 {
        match self {
            Period::Quarter(q) => q.year,
            Period::Year(y) => y,
        }
    }

    pub fn is_year(self) -> bool {
        matches!(self, Period::Year(_))
    }

    pub fn first_day(self) -> NaiveDate {
        match self {
            Period::Quarter(q) => q.first_day(),
            Period::Year(y) => Quarter { year: y, q: 1 }.first_day(),
        }
    }

    pub fn last_day(self) -> NaiveDate {
        match self {
            Period::Quarter(q) => q.last_day(),
            Period::Year(y) => Quarter { year: y, q: 4 }.last_day(),
        }
    }

    /// The quarter whose year-to-date figures end where this period ends.
    pub fn last_quarter(self) -> Quarter {
        match self {
            Period::Quarter(q) => q,
            Period::Year(y) => Quarter { year: y, q: 4 },
        }
    }

    pub fn started_by(self, today: NaiveDate) -> bool {
        today >= self.first_day()
    }

    pub fn ended_by(self, today: NaiveDate) -> bool {
        today > self.last_day()
    }

    /// 2026年第三季度 / 2026年度.
    pub fn zh(self) -> String {
        match self {
            Period::Quarter(q) => format!(
                "{}年第{}季度",
                q.year,
                ["一", "二", "三", "四"][q.q as usize - 1]
            ),
            Period::Year(y) => format!("{y}年度"),
        }
    }

    /// Q3 2026 / 2026.
    pub fn en(self) -> String {
        match self {
            Period::Quarter(q) => format!("Q{} {}", q.q, q.year),
            Period::Year(y) => format!("{y}"),
        }
    }

    /// The periods a district reports for in a year: its four quarters, then the year.
    pub fn of_year(year: i32) -> Vec<Period> {
        (1..=4)
            .map(|q| Period::Quarter(Quarter { year, q }))
            .chain([Period::Year(year)])
            .collect()
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Period::Quarter(q) => write!(f, "{q}"),
            Period::Year(y) => write!(f, "{y}"),
        }
    }
}

impl Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Period, D::Error> {
        let s = String::deserialize(d)?;
        Period::parse(&s).map_err(|m| serde::de::Error::custom(m.en))
    }
}

code_enum! {
    /// The fixed sections of a summary (SPEC §8 R4.4), in their order.
    Section {
        Measures = "measures", "工作措施", "Measures";
        Results = "results", "工作成效", "Results";
        Highlights = "highlights", "工作亮点", "Highlights";
        Problems = "problems", "存在问题", "Problems";
        NextSteps = "next_steps", "下一步工作要点", "Next steps";
    }
}

/// The text of the five sections.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sections {
    #[serde(default)]
    pub measures: String,
    #[serde(default)]
    pub results: String,
    #[serde(default)]
    pub highlights: String,
    #[serde(default)]
    pub problems: String,
    #[serde(default)]
    pub next_steps: String,
}

impl Sections {
    pub fn get(&self, s: Section) -> &str {
        match s {
            Section::Measures => &self.measures,
            Section::Results => &self.results,
            Section::Highlights => &self.highlights,
            Section::Problems => &self.problems,
            Section::NextSteps => &self.next_steps,
        }
    }

    pub fn set(&mut self, s: Section, text: String) {
        let slot = match s {
            Section::Measures => &mut self.measures,
            Section::Results => &mut self.results,
            Section::Highlights => &mut self.highlights,
            Section::Problems => &mut self.problems,
            Section::NextSteps => &mut self.next_steps,
        };
        *slot = text;
    }

    /// The sections with surrounding white space removed and line ends as `\n`.
    pub fn normalised(&self) -> Sections {
        let mut out = Sections::default();
        for s in Section::ALL {
            out.set(*s, self.get(*s).replace("\r\n", "\n").trim().to_string());
        }
        out
    }
}

/// Checks the sections: none longer than the limit; on submission none empty. The error names
/// the section.
pub fn check_sections(s: &Sections, submit: bool) -> Result<(), FieldError> {
    for sec in Section::ALL {
        let text = s.get(*sec).trim();
        let n = text.chars().count();
        if n > MAX_SECTION_CHARS {
            return Err(FieldError::new(
                sec.code(),
                "summary.section_too_long",
                format!(
                    "“{}”有 {n} 字，超过 {MAX_SECTION_CHARS} 字的上限，请精简。",
                    sec.zh()
                ),
                format!(
                    "“{}” has {n} characters, over the limit of {MAX_SECTION_CHARS}.",
                    sec.en()
                ),
            ));
        }
        if submit && text.is_empty() {
            return Err(FieldError::new(
                sec.code(),
                "summary.section_required",
                format!(
                    "请填写“{}”：总结的五个部分（工作措施、工作成效、工作亮点、存在问题、下一步工作要点）均为必填。",
                    sec.zh()
                ),
                format!("Fill in “{}”: all five sections are required.", sec.en()),
            ));
        }
    }
    Ok(())
}

/// Checks the period of a summary on `today`: a period that has not started cannot be written;
/// a period that has not ended can be drafted but not submitted (its figures are not final).
pub fn check_period(p: Period, today: NaiveDate, submit: bool) -> Result<(), FieldError> {
    if !p.started_by(today) {
        return Err(FieldError::new(
            "period",
            "summary.not_started",
            format!(
                "{}尚未开始（{} 起），不能撰写该期总结。",
                p.zh(),
                p.first_day()
            ),
            format!("{} has not started yet.", p.en()),
        ));
    }
    if submit && !p.ended_by(today) {
        return Err(FieldError::new(
            "period",
            "summary.not_ended",
            format!(
                "{}到 {} 才结束：期末前只能保存草稿，期末后再报送（统计数据以期末为准）。",
                p.zh(),
                p.last_day()
            ),
            format!(
                "{} ends on {}: save a draft now and submit after the end.",
                p.en(),
                p.last_day()
            ),
        ));
    }
    Ok(())
}

fn check_note(
    field: &'static str,
    what_zh: &str,
    what_en: &str,
    text: &str,
) -> Result<(), FieldError> {
    let n = text.trim().chars().count();
    if n == 0 {
        return Err(FieldError::new(
            field,
            "summary.note_required",
            format!("请填写{what_zh}。"),
            format!("Fill in the {what_en}."),
        ));
    }
    if n > MAX_NOTE_CHARS {
        return Err(FieldError::new(
            field,
            "summary.note_too_long",
            format!("{what_zh}有 {n} 字，超过 {MAX_NOTE_CHARS} 字的上限，请精简。"),
            format!("The {what_en} is over {MAX_NOTE_CHARS} characters."),
        ));
    }
    Ok(())
}

/// Checks the city's comment on a submitted summary.
pub fn check_comment(text: &str) -> Result<(), FieldError> {
    check_note("text", "审阅意见", "comment", text)
}

/// Checks a district's answer to an information request.
pub fn check_answer(text: &str) -> Result<(), FieldError> {
    check_note("text", "报送内容", "answer", text)
}

/// Checks an information request (信息报送): what is asked, and a due date from today up to a
/// year ahead.
pub fn check_request(text: &str, due_on: NaiveDate, today: NaiveDate) -> Result<(), FieldError> {
    check_note("text", "需要补充报送的内容", "request", text)?;
    if due_on < today {
        return Err(FieldError::new(
            "due_on",
            "summary.due_past",
            format!("报送期限 {due_on} 已经过去，请选择今天（{today}）或以后的日期。"),
            "The due date is in the past.",
        ));
    }
    if due_on > today + Duration::days(366) {
        return Err(FieldError::new(
            "due_on",
            "summary.due_far",
            format!("报送期限 {due_on} 超过一年，请核对日期。"),
            "The due date is more than a year ahead.",
        ));
    }
    Ok(())
}

/// The date by which a quarter's summary is expected: 15 days after the quarter's end.
pub fn due_on(q: Quarter) -> NaiveDate {
    q.last_day() + Duration::days(GRACE_DAYS)
}

/// The quarters of `today`'s year whose summaries are due by now (their grace has passed).
pub fn quarters_due(today: NaiveDate) -> Vec<Quarter> {
    (1..=4)
        .map(|q| Quarter {
            year: today.year(),
            q,
        })
        .filter(|q| today > due_on(*q))
        .collect()
}

/// The due quarters without a submitted summary, in order.
pub fn missing(due: &[Quarter], submitted: &[Period]) -> Vec<Quarter> {
    due.iter()
        .filter(|q| !submitted.contains(&Period::Quarter(**q)))
        .copied()
        .collect()
}

/// The R4.4 cell of the conformance matrix: every quarter of the year whose grace has passed
/// needs a submitted summary; late first submissions are named but count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compliance {
    pub passed: bool,
    pub finding: String,
    pub missing: Vec<Quarter>,
}

/// Judges a district's summaries on `today`, given the periods it submitted with the date of
/// their first submission.
pub fn compliance(today: NaiveDate, submitted: &[(Period, NaiveDate)]) -> Compliance {
    let due = quarters_due(today);
    let periods: Vec<Period> = submitted.iter().map(|(p, _)| *p).collect();
    let missing = missing(&due, &periods);
    let label = |q: &Quarter| Period::Quarter(*q).zh();
    if due.is_empty() {
        return Compliance {
            passed: true,
            finding: format!(
                "{} 年尚无到期的季度总结（季度结束后 {GRACE_DAYS} 日内报送）。",
                today.year()
            ),
            missing,
        };
    }
    if !missing.is_empty() {
        let names: Vec<String> = missing.iter().map(label).collect();
        return Compliance {
            passed: false,
            finding: format!(
                "未报送：{}工作总结（季度结束后 {GRACE_DAYS} 日内应报送）。",
                names.join("、")
            ),
            missing,
        };
    }
    let late: Vec<String> = due
        .iter()
        .filter(|q| {
            submitted
                .iter()
                .any(|(p, on)| *p == Period::Quarter(**q) && *on > due_on(**q))
        })
        .map(label)
        .collect();
    let names: Vec<String> = due.iter().map(label).collect();
    let mut finding = format!("已报送{}工作总结", names.join("、"));
    if late.is_empty() {
        finding.push('。');
    } else {
        finding.push_str(&format!("；其中{}逾期报送。", late.join("、")));
    }
    Compliance {
        passed: true,
        finding,
        missing,
    }
}

/// One target with its completion at the period's end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetFigure {
    pub metric: Metric,
    pub target: i64,
    pub actual: i64,
    pub pct: Option<Decimal>,
}

/// The statistics a results section is generated from, kept with the text as its snapshot.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figures {
    pub district_code: String,
    pub district_name: String,
    /// e.g. 2026Q3 or 2026.
    pub period: String,
    /// The last day of the period: figures are "as of the end of" it.
    pub as_of: NaiveDate,
    /// Over the period (the quarter, or the whole year).
    pub amount_fen: Fen,
    pub loans: i64,
    pub enterprises: i64,
    pub first_loans: i64,
    pub pledges: i64,
    /// The same period a year earlier, and the change in percent (one decimal).
    pub last_year_amount_fen: Fen,
    pub yoy_amount_pct: Option<Decimal>,
    /// From 1 January to the period's end.
    pub ytd_amount_fen: Fen,
    pub ytd_enterprises: i64,
    pub ytd_pledges: i64,
    /// Subsidies granted and paid in the period's last quarter (a quarter) or the year.
    pub granted_fen: Fen,
    pub disbursed_fen: Fen,
    pub targets: Vec<TargetFigure>,
    /// Rank by the completion of the amount target among `districts` (as the bulletin ranks).
    pub rank: u32,
    pub districts: u32,
}

/// Fen as 万元 with two decimals and thousands separators, half away from zero (an `i64` of
/// fen or a `Fen`).
pub fn wan(fen: impl Into<Fen>) -> String {
    let fen = fen.into().get();
    let abs = fen.unsigned_abs();
    let hundredths = abs / 10_000 + u64::from(abs % 10_000 >= 5_000);
    let sign = if fen < 0 && hundredths > 0 { "-" } else { "" };
    format!(
        "{sign}{}.{:02}",
        crate::money::group_thousands(hundredths / 100),
        hundredths % 100
    )
}

fn pct(p: Decimal) -> String {
    let mut r = p;
    r.rescale(1);
    format!("{r}%")
}

fn target_value(m: Metric, v: i64) -> String {
    match m {
        Metric::Amount => format!("{} 万元", wan(v)),
        Metric::SmeShare => m.show(v),
        _ => format!("{v} {}", m.unit_zh()),
    }
}

/// The results section as proposed from the figures: amounts in 万元 with two decimals,
/// counts, year-on-year change, target completion and rank. The officer edits it freely.
pub fn results_text(p: Period, f: &Figures) -> String {
    let mut out = Vec::new();
    let span = if p.is_year() { "全年" } else { "本季度" };
    out.push(format!(
        "{}，{}新增知识产权质押融资 {} 万元，共 {} 笔，获贷企业 {} 家，其中首贷企业 {} 家；办理质押登记 {} 笔。",
        p.zh(),
        f.district_name,
        wan(f.amount_fen),
        f.loans,
        f.enterprises,
        f.first_loans,
        f.pledges
    ));
    out.push(match f.yoy_amount_pct {
        Some(y) if y >= Decimal::ZERO => format!(
            "融资金额较上年同期（{} 万元）增长 {}。",
            wan(f.last_year_amount_fen),
            pct(y)
        ),
        Some(y) => format!(
            "融资金额较上年同期（{} 万元）下降 {}。",
            wan(f.last_year_amount_fen),
            pct(-y)
        ),
        None => "上年同期无质押融资，不计同比。".to_string(),
    });
    if !p.is_year() {
        out.push(format!(
            "截至 {}，本年累计质押融资 {} 万元，获贷企业 {} 家，质押登记 {} 笔。",
            f.as_of.format("%-m月%-d日"),
            wan(f.ytd_amount_fen),
            f.ytd_enterprises,
            f.ytd_pledges
        ));
    }
    if f.targets.is_empty() {
        out.push(format!("市里尚未下达本区 {} 年目标任务。", p.year()));
    } else {
        let parts: Vec<String> = f
            .targets
            .iter()
            .map(|t| {
                format!(
                    "{}完成 {}（目标 {}，实际 {}）",
                    t.metric.zh(),
                    t.pct.map(pct).unwrap_or_else(|| "—".into()),
                    target_value(t.metric, t.target),
                    target_value(t.metric, t.actual)
                )
            })
            .collect();
        out.push(format!("年度目标任务：{}。", parts.join("；")));
    }
    if f.districts > 0 {
        out.push(format!(
            "按质押融资金额目标完成率，在全市 {} 个区中排名第 {} 位。",
            f.districts, f.rank
        ));
    }
    out.push(format!(
        "{}核定资助 {} 万元，拨付资助资金 {} 万元。",
        span,
        wan(f.granted_fen),
        wan(f.disbursed_fen)
    ));
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn periods_parse_and_bound() {
        let q3 = Period::parse("2026Q3").expect("q3");
        assert_eq!(q3, Period::Quarter(Quarter { year: 2026, q: 3 }));
        assert_eq!(
            (q3.first_day(), q3.last_day()),
            (d("2026-07-01"), d("2026-09-30"))
        );
        assert_eq!(q3.zh(), "2026年第三季度");
        let y = Period::parse(" 2026 ").expect("year");
        assert_eq!(y, Period::Year(2026));
        assert_eq!(
            (y.first_day(), y.last_day(), y.zh()),
            (d("2026-01-01"), d("2026-12-31"), "2026年度".to_string())
        );
        assert_eq!(y.to_string(), "2026");
        assert_eq!(Period::parse("2026q4").expect("q4").to_string(), "2026Q4");
        for bad in ["", "26", "2026Q5", "1999", "2026-13", "Q3", "20260"] {
            assert_eq!(
                Period::parse(bad).unwrap_err().code,
                "period.invalid",
                "{bad}"
            );
        }
        assert_eq!(Period::of_year(2026).len(), 5);
    }

    #[test]
    fn not_started_refused_not_ended_only_as_draft() {
        let today = d("2026-11-28");
        let q4 = Period::parse("2026Q4").expect("q4");
        assert!(check_period(q4, today, false).is_ok());
        assert_eq!(
            check_period(q4, today, true).unwrap_err().msg.code,
            "summary.not_ended"
        );
        let q1 = Period::parse("2027Q1").expect("q1");
        assert_eq!(
            check_period(q1, today, false).unwrap_err().msg.code,
            "summary.not_started"
        );
        assert!(check_period(Period::parse("2026Q3").expect("q3"), today, true).is_ok());
        assert_eq!(
            check_period(Period::Year(2026), today, true)
                .unwrap_err()
                .msg
                .code,
            "summary.not_ended"
        );
        assert!(check_period(Period::Year(2026), d("2027-01-01"), true).is_ok());
    }

    #[test]
    fn sections_required_on_submit_and_limited() {
        let mut s = Sections {
            measures: "措施".into(),
            results: "成效".into(),
            highlights: "亮点".into(),
            problems: "问题".into(),
            next_steps: String::new(),
        };
        assert!(check_sections(&s, false).is_ok());
        let e = check_sections(&s, true).unwrap_err();
        assert_eq!(
            (e.field, e.msg.code),
            ("next_steps", "summary.section_required")
        );
        assert!(e.msg.zh.contains("下一步工作要点"));
        s.next_steps = "   ".into();
        assert_eq!(check_sections(&s, true).unwrap_err().field, "next_steps");
        s.next_steps = "要点".into();
        assert!(check_sections(&s, true).is_ok());
        s.highlights = "字".repeat(MAX_SECTION_CHARS + 1);
        let e = check_sections(&s, false).unwrap_err();
        assert_eq!(
            (e.field, e.msg.code),
            ("highlights", "summary.section_too_long")
        );
        assert!(e.msg.zh.contains("工作亮点"));
        assert_eq!(
            Sections {
                measures: " a\r\nb ".into(),
                ..Default::default()
            }
            .normalised()
            .measures,
            "a\nb"
        );
    }

    #[test]
    fn requests_need_text_and_a_due_date_ahead() {
        let today = d("2026-11-28");
        assert!(check_request("请补充报送首贷企业名单。", d("2026-12-10"), today).is_ok());
        assert_eq!(
            check_request(" ", d("2026-12-10"), today)
                .unwrap_err()
                .field,
            "text"
        );
        assert_eq!(
            check_request("名单", d("2026-11-27"), today)
                .unwrap_err()
                .msg
                .code,
            "summary.due_past"
        );
        assert_eq!(
            check_request("名单", d("2028-01-01"), today)
                .unwrap_err()
                .msg
                .code,
            "summary.due_far"
        );
        assert!(check_comment("").is_err());
        assert!(check_answer(&"字".repeat(MAX_NOTE_CHARS + 1)).is_err());
    }

    #[test]
    fn quarters_due_after_fifteen_days_of_grace() {
        // Q3 ends 30 September; its summary is due by 15 October.
        assert_eq!(due_on(Quarter { year: 2026, q: 3 }), d("2026-10-15"));
        assert_eq!(quarters_due(d("2026-10-15")).len(), 2);
        assert_eq!(quarters_due(d("2026-10-16")).len(), 3);
        assert!(quarters_due(d("2026-01-10")).is_empty());
        let due = quarters_due(d("2026-11-28"));
        let got = missing(
            &due,
            &[Period::parse("2026Q2").expect("q2"), Period::Year(2025)],
        );
        assert_eq!(
            got,
            vec![Quarter { year: 2026, q: 1 }, Quarter { year: 2026, q: 3 }]
        );
    }

    #[test]
    fn compliance_lists_missing_quarters_and_late_ones() {
        let q = |n| Period::Quarter(Quarter { year: 2026, q: n });
        let today = d("2026-11-28");
        let c = compliance(today, &[(q(2), d("2026-07-10"))]);
        assert!(!c.passed);
        assert_eq!(
            c.missing,
            vec![Quarter { year: 2026, q: 1 }, Quarter { year: 2026, q: 3 }]
        );
        assert!(
            c.finding
                .contains("未报送：2026年第一季度、2026年第三季度工作总结"),
            "{}",
            c.finding
        );
        let c = compliance(
            today,
            &[
                (q(1), d("2026-04-10")),
                (q(2), d("2026-07-20")),
                (q(3), d("2026-10-09")),
            ],
        );
        assert!(c.passed);
        assert!(
            c.finding.contains("其中2026年第二季度逾期报送"),
            "{}",
            c.finding
        );
        let c = compliance(d("2026-02-01"), &[]);
        assert!(c.passed && c.finding.contains("尚无到期"), "{}", c.finding);
    }

    #[test]
    fn results_text_by_hand() {
        let f = Figures {
            district_code: "440305".into(),
            district_name: "南山区".into(),
            period: "2026Q3".into(),
            as_of: d("2026-09-30"),
            amount_fen: Fen::new(123_456_789),
            loans: 12,
            enterprises: 10,
            first_loans: 3,
            pledges: 15,
            last_year_amount_fen: Fen::new(100_000_000),
            yoy_amount_pct: Some(dec!(23.5)),
            ytd_amount_fen: Fen::new(450_000_000),
            ytd_enterprises: 25,
            ytd_pledges: 40,
            granted_fen: Fen::new(5_000_000),
            disbursed_fen: Fen::new(0),
            targets: vec![TargetFigure {
                metric: Metric::Amount,
                target: 1_000_000_000,
                actual: 450_000_000,
                pct: Some(dec!(45.0)),
            }],
            rank: 2,
            districts: 11,
        };
        let t = results_text(Period::parse("2026Q3").expect("q3"), &f);
        assert!(
            t.contains("新增知识产权质押融资 123.46 万元，共 12 笔，获贷企业 10 家，其中首贷企业 3 家；办理质押登记 15 笔"),
            "{t}"
        );
        assert!(t.contains("较上年同期（100.00 万元）增长 23.5%"), "{t}");
        assert!(
            t.contains("截至 9月30日，本年累计质押融资 450.00 万元"),
            "{t}"
        );
        assert!(
            t.contains("质押融资金额完成 45.0%（目标 1,000.00 万元，实际 450.00 万元）"),
            "{t}"
        );
        assert!(t.contains("在全市 11 个区中排名第 2 位"), "{t}");
        assert!(t.contains("核定资助 5.00 万元"), "{t}");
        let down = Figures {
            yoy_amount_pct: Some(dec!(-20.0)),
            ..f.clone()
        };
        assert!(results_text(Period::Year(2026), &down).contains("下降 20.0%"));
        assert_eq!(wan(5_000), "0.01");
        assert_eq!(wan(4_999), "0.00");
        assert_eq!(wan(12_345_678_900), "12,345.68");
    }
}
