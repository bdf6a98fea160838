//! The whitelist (白名单, SPEC §6, R3.2; issue #20 item 1): the tag types an enterprise can carry
//! (the guideline's categories are fixed; districts add their own, 其他知识产权领域表现突出的企业,
//! as data), what puts an enterprise on its district's list (a tag valid today, or an officer's
//! decision with a reason and an end date), and the checks of such a decision.

use crate::message::{FieldError, Lang};
use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

code_enum! {
    /// What puts an enterprise on the whitelist.
    EntrySource {
        Tag = "tag", "有效标签", "Valid tag";
        Decision = "decision", "认定决定", "Officer's decision";
    }
}

/// An officer's decision lasts at most this long; without an end date it lasts one year.
pub const DECISION_MAX_MONTHS: u32 = 36;
pub const DECISION_DEFAULT_MONTHS: u32 = 12;

/// Whether evidence valid from `from` to `to` (both inclusive, open when absent) counts on
/// `today` (Asia/Shanghai business date).
pub fn valid_on(from: Option<NaiveDate>, to: Option<NaiveDate>, today: NaiveDate) -> bool {
    from.is_none_or(|f| f <= today) && to.is_none_or(|t| t >= today)
}

/// An officer's decision to add an enterprise, checked: the reason (4–500 characters) and the
/// end date (after today, at most three years ahead; one year when not given). Every problem
/// at once.
pub fn check_decision(
    reason: &str,
    valid_to: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<(String, NaiveDate), Vec<FieldError>> {
    let mut errors = Vec::new();
    let reason = reason.trim();
    let n = reason.chars().count();
    if !(4..=500).contains(&n) {
        errors.push(FieldError::new(
            "reason",
            "whitelist.reason",
            "请填写列入理由（4 至 500 字），说明该企业在知识产权领域的突出表现及依据。",
            "Give the reason (4 to 500 characters).",
        ));
    }
    let latest = today + Months::new(DECISION_MAX_MONTHS);
    let until = valid_to.unwrap_or(today + Months::new(DECISION_DEFAULT_MONTHS));
    if until <= today || until > latest {
        errors.push(FieldError::new(
            "valid_to",
            "whitelist.valid_to",
            format!("有效期至应晚于今天，且不晚于 {latest}（最长三年）。"),
            format!("The end date must be after today and not after {latest}."),
        ));
    }
    if errors.is_empty() {
        Ok((reason.to_string(), until))
    } else {
        Err(errors)
    }
}

/// The reason for taking a decision back (2–500 characters).
pub fn check_removal(reason: &str) -> Result<String, FieldError> {
    let reason = reason.trim();
    if (2..=500).contains(&reason.chars().count()) {
        Ok(reason.to_string())
    } else {
        Err(FieldError::new(
            "reason",
            "whitelist.removal_reason",
            "请填写移出理由（2 至 500 字）。",
            "Give the reason for removing (2 to 500 characters).",
        ))
    }
}

/// (code, 中文, English) of the guideline's tag types.
pub const GUIDELINE_TAGS: &[(&str, &str, &str)] = &[
    (
        "ip_advantage",
        "知识产权优势示范企业",
        "IP advantage / demonstration enterprise",
    ),
    ("patent_award", "专利奖获奖企业", "Patent award winner"),
    (
        "specialised",
        "专精特新中小企业",
        "Specialised and sophisticated SME",
    ),
    (
        "little_giant",
        "专精特新“小巨人”企业",
        "Specialised and sophisticated 'little giant'",
    ),
    ("high_tech", "高新技术企业", "High-tech enterprise"),
    ("tech_sme", "科技型中小企业", "Tech-based SME"),
];

/// The label of a guideline tag type, if the code is one.
pub fn guideline_label(code: &str, lang: Lang) -> Option<&'static str> {
    GUIDELINE_TAGS
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, zh, en)| match lang {
            Lang::Zh => *zh,
            Lang::En => *en,
        })
}

/// A district-defined tag code: `d_` + 2–40 lower-case letters, digits or underscores.
pub fn valid_district_tag_code(code: &str) -> bool {
    code.strip_prefix("d_").is_some_and(|rest| {
        (2..=40).contains(&rest.len())
            && rest
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn evidence_counts_from_its_first_to_its_last_day() {
        let today = d("2026-12-07");
        assert!(valid_on(None, None, today));
        assert!(valid_on(Some(today), Some(today), today));
        assert!(
            !valid_on(None, Some(d("2026-12-06")), today),
            "expired yesterday"
        );
        assert!(!valid_on(Some(d("2026-12-08")), None, today), "not yet");
    }

    #[test]
    fn a_decision_needs_a_reason_and_an_end_within_three_years() {
        let today = d("2026-12-07");
        assert_eq!(
            check_decision("  专利质押融资意愿强，核心专利 12 件 ", None, today),
            Ok((
                "专利质押融资意愿强，核心专利 12 件".to_string(),
                d("2027-12-07")
            ))
        );
        let e = check_decision("好", Some(today), today).unwrap_err();
        assert_eq!(
            e.iter().map(|e| e.field).collect::<Vec<_>>(),
            vec!["reason", "valid_to"]
        );
        assert!(check_decision("理由充分", Some(d("2029-12-07")), today).is_ok());
        let e = check_decision("理由充分", Some(d("2029-12-08")), today).unwrap_err();
        assert!(e[0].msg.zh.contains("2029-12-07"), "{}", e[0].msg.zh);
        assert!(check_removal(" ").is_err());
        assert_eq!(check_removal(" 已迁出 ").as_deref(), Ok("已迁出"));
    }

    #[test]
    fn codes() {
        assert_eq!(guideline_label("high_tech", Lang::Zh), Some("高新技术企业"));
        assert_eq!(guideline_label("nope", Lang::Zh), None);
        assert!(valid_district_tag_code("d_nanshan_star"));
        assert!(
            !valid_district_tag_code("high_tech")
                && !valid_district_tag_code("d_X")
                && !valid_district_tag_code("d_a")
        );
    }
}
