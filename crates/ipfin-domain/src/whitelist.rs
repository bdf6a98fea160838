//! Whitelist categories (SPEC §6, R3.2): the tag types an enterprise can carry. The guideline's
//! categories are fixed; districts add their own (其他知识产权领域表现突出的企业) as data.

use crate::message::Lang;

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
