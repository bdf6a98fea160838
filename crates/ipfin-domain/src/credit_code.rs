//! Unified social credit code (统一社会信用代码, GB 32100-2015): normalisation, validation and
//! decomposition. `CreditCode::parse` is the one implementation used wherever an enterprise or
//! organisation is identified.

use crate::message::Msg;
use serde::{Deserialize, Serialize};

/// The 31 characters allowed in a credit code (no I, O, Z, S, V).
pub const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];
const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

/// A credit code that passed length, alphabet and check-character rules.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CreditCode(String);

/// Everything the checker can say about an input, valid or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditCodeCheck {
    pub input: String,
    /// The input after trimming, removing spaces, folding full-width characters, upper-casing.
    pub normalized: String,
    pub code: Option<CreditCode>,
    pub errors: Vec<Msg>,
    pub warnings: Vec<Msg>,
}

impl CreditCodeCheck {
    pub fn is_valid(&self) -> bool {
        self.code.is_some()
    }
}

/// Folds full-width ASCII (U+FF01..U+FF5E) and the ideographic space to their ASCII forms,
/// drops all whitespace, and upper-cases.
pub fn normalize(input: &str) -> String {
    input
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .filter(|c| !c.is_whitespace())
        .flat_map(|c| c.to_uppercase())
        .collect()
}

fn alphabet_index(c: char) -> Option<u32> {
    ALPHABET.find(c).map(|i| i as u32)
}

/// The check character (position 18) for the first 17 characters, all from the alphabet.
pub fn check_character(first17: &str) -> Option<char> {
    let mut sum = 0u32;
    let mut n = 0;
    for (c, w) in first17.chars().zip(WEIGHTS) {
        sum += alphabet_index(c)? * w;
        n += 1;
    }
    if n != 17 || first17.chars().count() != 17 {
        return None;
    }
    let v = (31 - sum % 31) % 31;
    ALPHABET.chars().nth(v as usize)
}

/// Value of an organisation-code body character (GB 11714): digits 0–9, letters A–Z as 10–35.
fn org_char_value(c: char) -> Option<u32> {
    match c {
        '0'..='9' => Some(c as u32 - '0' as u32),
        'A'..='Z' => Some(c as u32 - 'A' as u32 + 10),
        _ => None,
    }
}

/// The check character of a GB 11714 organisation code for its 8 body characters.
pub fn org_check_character(body8: &str) -> Option<char> {
    if body8.chars().count() != 8 {
        return None;
    }
    let mut sum = 0u32;
    for (c, w) in body8.chars().zip(ORG_WEIGHTS) {
        sum += org_char_value(c)? * w;
    }
    match 11 - sum % 11 {
        10 => Some('X'),
        11 => Some('0'),
        v => char::from_digit(v, 10),
    }
}

/// Registration authority (position 1) and entity type (position 2) names, in Chinese.
pub fn authority_name(c: char) -> Option<&'static str> {
    Some(match c {
        '1' => "机构编制",
        '2' => "外交",
        '3' => "司法行政",
        '4' => "文化",
        '5' => "民政",
        '6' => "旅游",
        '7' => "宗教",
        '8' => "工会",
        '9' => "工商（市场监管）",
        'A' => "中央军委改革和编制办公室",
        'N' => "农业",
        'Y' => "其他",
        _ => return None,
    })
}

pub fn entity_type_name(authority: char, kind: char) -> Option<&'static str> {
    Some(match (authority, kind) {
        ('1', '1') => "机关",
        ('1', '2') => "事业单位",
        ('1', '3') => "中央编办直接管理机构编制的群众团体",
        ('2', '1') => "外国常驻新闻机构",
        ('3', '1') => "律师执业机构",
        ('3', '2') => "公证处",
        ('3', '3') => "基层法律服务所",
        ('3', '4') => "司法鉴定机构",
        ('3', '5') => "仲裁委员会",
        ('4', '1') => "外国在华文化中心",
        ('5', '1') => "社会团体",
        ('5', '2') => "民办非企业单位",
        ('5', '3') => "基金会",
        ('6', '1') => "外国旅游部门常驻代表机构",
        ('6', '2') => "港澳台地区旅游部门常驻内地（大陆）代表机构",
        ('7', '1') => "宗教活动场所",
        ('7', '2') => "宗教院校",
        ('8', '1') => "基层工会",
        ('9', '1') => "企业",
        ('9', '2') => "个体工商户",
        ('9', '3') => "农民专业合作社",
        ('A', '1') => "军队事业单位",
        ('N', '1') => "组级集体经济组织",
        ('N', '2') => "村级集体经济组织",
        ('N', '3') => "乡镇级集体经济组织",
        ('Y', '1') => "其他",
        (_, '9') if authority_name(authority).is_some() => "其他",
        _ => return None,
    })
}

/// Checks an input and reports every finding; valid iff there are no errors.
pub fn check(input: &str) -> CreditCodeCheck {
    let normalized = normalize(input);
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let chars: Vec<char> = normalized.chars().collect();

    if chars.is_empty() {
        errors.push(Msg::new(
            "credit_code.empty",
            "统一社会信用代码不能为空，请输入 18 位代码。",
            "The credit code is empty: enter the 18-character code.",
        ));
    } else if chars.len() != 18 {
        errors.push(Msg::new(
            "credit_code.length",
            format!(
                "统一社会信用代码应为 18 位，当前为 {} 位，请核对后重新输入。",
                chars.len()
            ),
            format!(
                "A credit code has 18 characters; this one has {}.",
                chars.len()
            ),
        ));
    }
    for (i, c) in chars.iter().enumerate() {
        if alphabet_index(*c).is_none() {
            errors.push(Msg::new(
                "credit_code.alphabet",
                format!(
                    "第 {} 位字符“{}”不允许出现在统一社会信用代码中（不使用 I、O、Z、S、V）。",
                    i + 1,
                    c
                ),
                format!(
                    "Character {} ('{}') is not allowed in a credit code (I, O, Z, S, V are never used).",
                    i + 1,
                    c
                ),
            ));
        }
    }

    if errors.is_empty() {
        let first17: String = chars[..17].iter().collect();
        if let Some(expected) = check_character(&first17)
            && expected != chars[17]
        {
            errors.push(Msg::new(
                "credit_code.check_character",
                format!(
                    "第 18 位校验码错误：按 GB 32100 计算应为“{}”，实际为“{}”，请核对代码是否抄错。",
                    expected, chars[17]
                ),
                format!(
                    "Check character (position 18) is wrong: GB 32100 gives '{}', found '{}'.",
                    expected, chars[17]
                ),
            ));
        }
    }

    if chars.len() == 18 {
        let authority = chars[0];
        match authority_name(authority) {
            None => warnings.push(Msg::new(
                "credit_code.authority_unknown",
                format!("第 1 位登记管理部门代码“{authority}”不在 GB 32100 的代码表中。"),
                format!(
                    "Position 1 ('{authority}') is not a registration authority listed in GB 32100."
                ),
            )),
            Some(_) => {
                if entity_type_name(authority, chars[1]).is_none() {
                    warnings.push(Msg::new(
                        "credit_code.entity_type_unknown",
                        format!(
                            "第 2 位机构类别代码“{}”不属于登记管理部门“{}”的类别。",
                            chars[1], authority
                        ),
                        format!(
                            "Position 2 ('{}') is not an entity type of registration authority '{}'.",
                            chars[1], authority
                        ),
                    ))
                }
            }
        }
        if !chars[2..8].iter().all(|c| c.is_ascii_digit()) {
            warnings.push(Msg::new(
                "credit_code.division_format",
                "第 3–8 位应为 6 位数字的行政区划代码。",
                "Positions 3–8 should be a 6-digit administrative division code.",
            ));
        }
        let body: String = chars[8..16].iter().collect();
        match org_check_character(&body) {
            Some(expected) if expected == chars[16] => {}
            Some(expected) => warnings.push(Msg::new(
                "credit_code.org_check_character",
                format!(
                    "第 9–17 位组织机构代码的校验码应为“{}”，实际为“{}”（仅提示，不影响代码有效性）。",
                    expected, chars[16]
                ),
                format!(
                    "The embedded organisation code's check character should be '{}', found '{}' (warning only).",
                    expected, chars[16]
                ),
            )),
            None => warnings.push(Msg::new(
                "credit_code.org_check_character",
                "第 9–16 位组织机构代码本体含有无法计算校验码的字符（仅提示）。",
                "The embedded organisation code body has characters that cannot be checked (warning only).",
            )),
        }
    }

    let code = errors.is_empty().then(|| CreditCode(normalized.clone()));
    CreditCodeCheck {
        input: input.to_string(),
        normalized,
        code,
        errors,
        warnings,
    }
}

impl CreditCode {
    /// Parses an input into a valid code, or returns the first error.
    pub fn parse(input: &str) -> Result<CreditCode, Msg> {
        let mut report = check(input);
        match report.code {
            Some(code) => Ok(code),
            None => Err(report.errors.remove(0)),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn registration_authority(&self) -> char {
        self.0.as_bytes()[0] as char
    }
    pub fn entity_type(&self) -> char {
        self.0.as_bytes()[1] as char
    }
    pub fn division_code(&self) -> &str {
        &self.0[2..8]
    }
    pub fn organization_code(&self) -> &str {
        &self.0[8..17]
    }
}

impl TryFrom<String> for CreditCode {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        CreditCode::parse(&value).map_err(|m| m.zh)
    }
}

impl From<CreditCode> for String {
    fn from(c: CreditCode) -> String {
        c.0
    }
}

impl std::fmt::Display for CreditCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn spec_examples_pass() {
        for s in ["9144030071526726XG", "914403001922038216"] {
            let r = check(s);
            assert!(r.is_valid(), "{s}: {:?}", r.errors);
            assert!(r.warnings.is_empty(), "{s}: {:?}", r.warnings);
        }
        let c = CreditCode::parse("9144030071526726XG").expect("valid");
        assert_eq!(c.registration_authority(), '9');
        assert_eq!(c.entity_type(), '1');
        assert_eq!(c.division_code(), "440300");
        assert_eq!(c.organization_code(), "71526726X");
    }

    #[test]
    fn lowercase_fullwidth_and_spaces_are_normalised() {
        let r = check("  9144 0300 7152 6726xg ");
        assert_eq!(r.normalized, "9144030071526726XG");
        assert!(r.is_valid());
        let r = check("９１４４０３００７１５２６７２６ＸＧ");
        assert_eq!(r.normalized, "9144030071526726XG");
        assert!(r.is_valid());
        let r = check("9144030071526726x\u{3000}g");
        assert!(r.is_valid());
    }

    #[test]
    fn wrong_check_character_names_the_rule() {
        let r = check("9144030071526726XA");
        assert!(!r.is_valid());
        assert_eq!(r.errors[0].code, "credit_code.check_character");
        assert!(r.errors[0].zh.contains("第 18 位"));
        assert!(r.errors[0].zh.contains("“G”"));
    }

    #[test]
    fn length_and_alphabet_errors() {
        assert_eq!(check("").errors[0].code, "credit_code.empty");
        assert_eq!(check("91440300").errors[0].code, "credit_code.length");
        let r = check("9144030071526726XI");
        assert!(r.errors.iter().any(|e| e.code == "credit_code.alphabet"));
        assert!(r.errors[0].zh.contains("第 18 位"));
    }

    #[test]
    fn org_code_mismatch_is_only_a_warning() {
        // Change the org-code check char (pos 17) and recompute position 18.
        let first17 = "9144030071526726A";
        let c18 = check_character(first17).expect("alphabet");
        let code = format!("{first17}{c18}");
        let r = check(&code);
        assert!(r.is_valid(), "{:?}", r.errors);
        assert_eq!(r.warnings[0].code, "credit_code.org_check_character");
    }

    fn alphabet_char() -> impl Strategy<Value = char> {
        proptest::sample::select(ALPHABET.chars().collect::<Vec<_>>())
    }

    proptest! {
        #[test]
        fn any_17_chars_with_computed_check_are_valid(body in proptest::collection::vec(alphabet_char(), 17)) {
            let first17: String = body.iter().collect();
            let c = check_character(&first17).expect("all from alphabet");
            let code = format!("{first17}{c}");
            prop_assert!(check(&code).is_valid());
            prop_assert!(check(&code.to_lowercase()).is_valid());
        }

        #[test]
        fn a_single_substitution_is_always_detected(
            body in proptest::collection::vec(alphabet_char(), 17),
            pos in 0usize..18,
            replacement in alphabet_char(),
        ) {
            let first17: String = body.iter().collect();
            let c = check_character(&first17).expect("alphabet");
            let mut chars: Vec<char> = format!("{first17}{c}").chars().collect();
            prop_assume!(chars[pos] != replacement);
            chars[pos] = replacement;
            let code: String = chars.into_iter().collect();
            prop_assert!(!check(&code).is_valid());
        }

        #[test]
        fn checker_never_panics(s in ".{0,40}") {
            let _ = check(&s);
        }
    }
}
