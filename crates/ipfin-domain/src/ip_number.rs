//! IP numbers (SPEC §10): Chinese patent application numbers with their check digit, trademark
//! registration numbers, software copyright and works registration numbers. Each parser
//! normalises the input (trim, spaces, full-width characters, case, optional prefixes) and names
//! the rule an invalid number breaks.

use crate::credit_code::normalize as fold;
use crate::message::Msg;
use serde::{Deserialize, Serialize};

/// The kinds of IP asset an enterprise holds (SPEC §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum IpKind {
    Patent,
    Trademark,
    SoftwareCopyright,
    WorksCopyright,
}

/// Stored IP kinds (a loan's pledged kinds) are decoded like every other vocabulary.
impl crate::code_enum::CodeEnum for IpKind {
    const NAME: &'static str = "IpKind";
    fn from_code(s: &str) -> Option<IpKind> {
        IpKind::from_code(s)
    }
    fn code(self) -> &'static str {
        IpKind::code(self)
    }
}

impl IpKind {
    pub const ALL: &'static [IpKind] = &[
        IpKind::Patent,
        IpKind::Trademark,
        IpKind::SoftwareCopyright,
        IpKind::WorksCopyright,
    ];
    pub fn code(self) -> &'static str {
        match self {
            IpKind::Patent => "patent",
            IpKind::Trademark => "trademark",
            IpKind::SoftwareCopyright => "software_copyright",
            IpKind::WorksCopyright => "works_copyright",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            IpKind::Patent => "专利",
            IpKind::Trademark => "商标",
            IpKind::SoftwareCopyright => "软件著作权",
            IpKind::WorksCopyright => "作品著作权",
        }
    }
    pub fn en(self) -> &'static str {
        match self {
            IpKind::Patent => "Patent",
            IpKind::Trademark => "Trademark",
            IpKind::SoftwareCopyright => "Software copyright",
            IpKind::WorksCopyright => "Works copyright",
        }
    }
    pub fn from_code(s: &str) -> Option<IpKind> {
        IpKind::ALL.iter().copied().find(|k| k.code() == s)
    }
    /// Normalises and validates a registration or application number of this kind; for patents
    /// also returns the patent kind.
    pub fn parse_number(self, input: &str) -> Result<(String, Option<PatentKind>), Msg> {
        match self {
            IpKind::Patent => PatentNumber::parse(input).map(|p| (p.normalized, Some(p.kind))),
            IpKind::Trademark => parse_trademark(input).map(|n| (n, None)),
            IpKind::SoftwareCopyright => parse_software_copyright(input).map(|n| (n, None)),
            IpKind::WorksCopyright => parse_works_copyright(input).map(|n| (n, None)),
        }
    }
}

/// Patent kinds by the kind digit of the application number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PatentKind {
    Invention,
    UtilityModel,
    Design,
    PctInvention,
    PctUtilityModel,
}

impl PatentKind {
    pub fn from_digit(d: char) -> Option<PatentKind> {
        Some(match d {
            '1' => PatentKind::Invention,
            '2' => PatentKind::UtilityModel,
            '3' => PatentKind::Design,
            '8' => PatentKind::PctInvention,
            '9' => PatentKind::PctUtilityModel,
            _ => return None,
        })
    }
    pub fn code(self) -> &'static str {
        match self {
            PatentKind::Invention => "invention",
            PatentKind::UtilityModel => "utility_model",
            PatentKind::Design => "design",
            PatentKind::PctInvention => "pct_invention",
            PatentKind::PctUtilityModel => "pct_utility_model",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            PatentKind::Invention => "发明",
            PatentKind::UtilityModel => "实用新型",
            PatentKind::Design => "外观设计",
            PatentKind::PctInvention => "PCT 发明",
            PatentKind::PctUtilityModel => "PCT 实用新型",
        }
    }
}

/// A valid patent application number.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PatentNumber {
    /// `YYYYTNNNNNNN.C` (since October 2003) or `YYTNNNNN.C` (older).
    pub normalized: String,
    pub kind: PatentKind,
    /// Four-digit application year (older numbers: 19YY for YY ≥ 85, else 20YY).
    pub year: i32,
}

/// Everything the patent-number checker can say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatentCheck {
    pub input: String,
    pub number: Option<PatentNumber>,
    pub errors: Vec<Msg>,
}

/// The check digit for the digits before the dot: weights 2 3 4 5 6 7 8 9 2 3 4 5 (12 digits)
/// or 2…9 (8 digits), sum mod 11, 10 → `X`.
pub fn patent_check_digit(body: &str) -> Option<char> {
    const WEIGHTS: [u32; 12] = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5];
    if !(body.len() == 12 || body.len() == 8) {
        return None;
    }
    let mut sum = 0;
    for (c, w) in body.chars().zip(WEIGHTS) {
        sum += c.to_digit(10)? * w;
    }
    match sum % 11 {
        10 => Some('X'),
        v => char::from_digit(v, 10),
    }
}

fn err(code: &'static str, zh: String, en: String) -> Msg {
    Msg::new(code, zh, en)
}

/// Checks a patent application number: optional `CN`/`ZL` prefix, spaces, full-width
/// characters and a missing dot are accepted.
pub fn check_patent(input: &str) -> PatentCheck {
    let mut s = fold(input);
    for prefix in ["CN", "ZL"] {
        if let Some(rest) = s.strip_prefix(prefix) {
            s = rest.to_string();
        }
    }
    let mut errors = Vec::new();
    let (body, check): (String, Option<char>) = match s.split_once('.') {
        Some((b, c)) => {
            let mut cs = c.chars();
            match (cs.next(), cs.next()) {
                (Some(ch), None) => (b.to_string(), Some(ch)),
                _ => {
                    errors.push(err(
                        "patent.check_format",
                        "小数点后应为一位校验位（数字或 X）。".into(),
                        "After the dot comes one check character (a digit or X).".into(),
                    ));
                    (b.to_string(), None)
                }
            }
        }
        None if s.is_ascii() && (s.len() == 13 || s.len() == 9) => {
            (s[..s.len() - 1].to_string(), s.chars().last())
        }
        None => (s.clone(), None),
    };
    if errors.is_empty() {
        if body.is_empty() {
            errors.push(err(
                "patent.empty",
                "请输入专利申请号，例如 202310123456.7。".into(),
                "Enter a patent application number, e.g. 202310123456.7.".into(),
            ));
        } else if !body.chars().all(|c| c.is_ascii_digit()) {
            errors.push(err(
                "patent.digits",
                format!("申请号“{body}”应全部为数字（可带 CN/ZL 前缀）。"),
                format!(
                    "The application number '{body}' must be digits (a CN/ZL prefix is allowed)."
                ),
            ));
        } else if body.len() != 12 && body.len() != 8 {
            errors.push(err(
                "patent.length",
                format!("申请号应为 12 位数字加校验位（2003 年 10 月前为 8 位），当前为 {} 位。", body.len()),
                format!("An application number has 12 digits plus a check character (8 before October 2003); this one has {}.", body.len()),
            ));
        } else if check.is_none() {
            errors.push(err(
                "patent.check_missing",
                "缺少校验位：申请号末尾应有“.”加一位数字或 X。".into(),
                "The check character is missing: end with '.' and a digit or X.".into(),
            ));
        }
    }
    let mut number = None;
    if errors.is_empty() {
        let kind_digit = if body.len() == 12 {
            body.as_bytes()[4] as char
        } else {
            body.as_bytes()[2] as char
        };
        let kind = PatentKind::from_digit(kind_digit);
        let year = if body.len() == 12 {
            body[..4].parse::<i32>().unwrap_or(0)
        } else {
            let yy = body[..2].parse::<i32>().unwrap_or(0);
            if yy >= 85 { 1900 + yy } else { 2000 + yy }
        };
        if kind.is_none() {
            errors.push(err(
                "patent.kind",
                format!("申请种类位“{kind_digit}”无效：应为 1 发明、2 实用新型、3 外观设计、8 PCT 发明或 9 PCT 实用新型。"),
                format!("Kind digit '{kind_digit}' is not valid: 1 invention, 2 utility model, 3 design, 8 PCT invention, 9 PCT utility model."),
            ));
        }
        if !(1985..=2100).contains(&year) || (body.len() == 12 && year < 2003) {
            errors.push(err(
                "patent.year",
                format!("申请年份 {year} 不在有效范围内。"),
                format!("Application year {year} is out of range."),
            ));
        }
        let expected = patent_check_digit(&body);
        if let (Some(e), Some(c)) = (expected, check)
            && e != c
        {
            errors.push(err(
                "patent.check_digit",
                format!(
                    "校验位错误：按国家知识产权局规则计算应为“{e}”，实际为“{c}”，请核对申请号。"
                ),
                format!("Check character is wrong: the CNIPA rule gives '{e}', found '{c}'."),
            ));
        }
        if let (true, Some(kind), Some(c)) = (errors.is_empty(), kind, check) {
            number = Some(PatentNumber {
                normalized: format!("{body}.{c}"),
                kind,
                year,
            });
        }
    }
    PatentCheck {
        input: input.to_string(),
        number,
        errors,
    }
}

impl PatentNumber {
    pub fn parse(input: &str) -> Result<PatentNumber, Msg> {
        let mut r = check_patent(input);
        match r.number {
            Some(n) => Ok(n),
            None => Err(r.errors.remove(0)),
        }
    }
}

/// A trademark registration number: digits only (leading zeros dropped), 1–9 digits.
pub fn parse_trademark(input: &str) -> Result<String, Msg> {
    let s = fold(input);
    let s = s.strip_prefix("TM").unwrap_or(&s);
    let digits = s.trim_start_matches('0');
    if s.is_empty()
        || !s.chars().all(|c| c.is_ascii_digit())
        || digits.is_empty()
        || digits.len() > 9
    {
        return Err(Msg::new(
            "trademark.number",
            "商标注册号应为 1–9 位数字，例如 12345678。",
            "A trademark registration number has 1–9 digits, e.g. 12345678.",
        ));
    }
    Ok(digits.to_string())
}

/// A Nice classification class, 1–45.
pub fn parse_nice_class(input: &str) -> Result<u8, Msg> {
    match fold(input).parse::<u8>() {
        Ok(n) if (1..=45).contains(&n) => Ok(n),
        _ => Err(Msg::new(
            "trademark.nice_class",
            "尼斯分类应为 1–45 之间的整数。",
            "The Nice class must be a whole number from 1 to 45.",
        )),
    }
}

/// A software copyright registration number: `YYYYSR` + 6 or 7 digits, e.g. `2016SR172900`.
pub fn parse_software_copyright(input: &str) -> Result<String, Msg> {
    let s = fold(input);
    let ok = s.is_ascii()
        && s.len() >= 12
        && s.len() <= 13
        && s[..4].chars().all(|c| c.is_ascii_digit())
        && &s[4..6] == "SR"
        && s[6..].chars().all(|c| c.is_ascii_digit())
        && s[..4]
            .parse::<i32>()
            .is_ok_and(|y| (1991..=2100).contains(&y));
    if ok {
        Ok(s)
    } else {
        Err(Msg::new(
            "copyright.software_number",
            "软件著作权登记号格式应为“年份 + SR + 6 或 7 位数字”，例如 2016SR172900、2024SR0123456。",
            "A software copyright number is year + SR + 6 or 7 digits, e.g. 2016SR172900.",
        ))
    }
}

/// A works registration number: `国作登字-YYYY-X-NNNNNNNN`, e.g. `国作登字-2021-L-00268255`.
pub fn parse_works_copyright(input: &str) -> Result<String, Msg> {
    let s: String = fold(input).replace(['—', '－', '–'], "-");
    let parts: Vec<&str> = s.split('-').collect();
    let ok = parts.len() == 4
        && parts[0].ends_with("作登字")
        && parts[1].len() == 4
        && parts[1].chars().all(|c| c.is_ascii_digit())
        && parts[2].len() == 1
        && parts[2].chars().all(|c| c.is_ascii_uppercase())
        && parts[3].len() == 8
        && parts[3].chars().all(|c| c.is_ascii_digit());
    if ok {
        Ok(parts.join("-"))
    } else {
        Err(Msg::new(
            "copyright.works_number",
            "作品登记号格式应为“国作登字-年份-类别字母-8 位数字”，例如 国作登字-2021-L-00268255。",
            "A works registration number looks like 国作登字-2021-L-00268255.",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn valid(body: &str) -> String {
        format!("{body}.{}", patent_check_digit(body).expect("digits"))
    }

    #[test]
    fn check_digit_by_hand() {
        // 2,0,0,4,1,0,0,6,8,8,3,6 · 2,3,4,5,6,7,8,9,2,3,4,5 = 166; 166 mod 11 = 1.
        assert_eq!(patent_check_digit("200410068836"), Some('1'));
        // Older 8-digit number: 9,8,1,0,1,2,3,4 · 2..9 = 18+24+4+0+6+14+24+36 = 126; 126 mod 11 = 5.
        assert_eq!(patent_check_digit("98101234"), Some('5'));
        // A sum ≡ 10 (mod 11) gives X: find one and check it is accepted with x or X.
        let body = (0..1_000_000u32)
            .map(|n| format!("20231{n:07}"))
            .find(|b| patent_check_digit(b) == Some('X'))
            .expect("some body has check X");
        assert!(check_patent(&format!("{body}.x")).number.is_some());
    }

    #[test]
    fn accepted_spellings_normalise_to_one_form() {
        let n = valid("202310123456");
        for input in [
            n.clone(),
            format!("CN{n}"),
            format!("ZL{n}"),
            format!("zl {}", n.replace('.', "")),
            format!(" CN 2023 1012 3456.{}", n.chars().last().expect("c")),
            n.replace('.', ""),
        ] {
            let r = check_patent(&input);
            let p = r
                .number
                .unwrap_or_else(|| panic!("{input}: {:?}", r.errors));
            assert_eq!(p.normalized, n);
            assert_eq!(p.kind, PatentKind::Invention);
            assert_eq!(p.year, 2023);
        }
    }

    #[test]
    fn kinds_and_years() {
        for (d, kind) in [
            ('1', "invention"),
            ('2', "utility_model"),
            ('3', "design"),
            ('8', "pct_invention"),
            ('9', "pct_utility_model"),
        ] {
            let n = valid(&format!("2019{d}0000001"));
            assert_eq!(PatentNumber::parse(&n).expect("valid").kind.code(), kind);
        }
        let old = PatentNumber::parse(&valid("98101234")).expect("old format");
        assert_eq!((old.year, old.kind), (1998, PatentKind::Invention));
        assert_eq!(
            PatentNumber::parse(&valid("02201234")).expect("old").year,
            2002
        );
    }

    #[test]
    fn each_kind_of_invalid_is_named() {
        let n = valid("202310123456");
        let wrong = format!("{}{}", &n[..13], if n.ends_with('0') { '1' } else { '0' });
        for (input, code) in [
            ("", "patent.empty"),
            ("CN", "patent.empty"),
            ("2023A0123456.1", "patent.digits"),
            ("20231012345.1", "patent.length"),
            ("202310123456", "patent.check_missing"),
            ("202310123456.12", "patent.check_format"),
            (wrong.as_str(), "patent.check_digit"),
        ] {
            let r = check_patent(input);
            assert!(r.number.is_none(), "{input}");
            assert_eq!(r.errors[0].code, code, "{input}: {:?}", r.errors);
        }
        let bad_kind = valid("202350123456");
        assert_eq!(check_patent(&bad_kind).errors[0].code, "patent.kind");
        let bad_year = valid("199010123456");
        assert_eq!(check_patent(&bad_year).errors[0].code, "patent.year");
    }

    #[test]
    fn trademarks_and_copyrights() {
        assert_eq!(parse_trademark(" 12345678 ").as_deref(), Ok("12345678"));
        assert_eq!(parse_trademark("０１２３").as_deref(), Ok("123"));
        assert!(parse_trademark("12a45").is_err());
        assert!(parse_trademark("1234567890").is_err());
        assert!(parse_trademark("000").is_err());
        assert_eq!(parse_nice_class("9"), Ok(9));
        assert!(parse_nice_class("46").is_err() && parse_nice_class("0").is_err());
        assert_eq!(
            parse_software_copyright("2016sr172900").as_deref(),
            Ok("2016SR172900")
        );
        assert_eq!(
            parse_software_copyright("2024SR0123456").as_deref(),
            Ok("2024SR0123456")
        );
        assert!(parse_software_copyright("2016SR17290").is_err());
        assert!(parse_software_copyright("16SR172900").is_err());
        assert_eq!(
            parse_works_copyright("国作登字—2021—L—00268255").as_deref(),
            Ok("国作登字-2021-L-00268255")
        );
        assert!(parse_works_copyright("国作登字-2021-L-268255").is_err());
    }

    proptest! {
        #[test]
        fn a_single_wrong_digit_is_always_detected(serial in 0u32..10_000_000, year in 2004i32..2030, kind in proptest::sample::select(vec!['1','2','3','8','9']), pos in 0usize..12, delta in 1u32..10) {
            let body = format!("{year}{kind}{serial:07}");
            let good = valid(&body);
            prop_assert!(check_patent(&good).number.is_some());
            let mut digits: Vec<char> = body.chars().collect();
            let d = digits[pos].to_digit(10).expect("digit");
            digits[pos] = char::from_digit((d + delta) % 10, 10).expect("digit");
            let changed: String = digits.into_iter().collect();
            let bad = format!("{changed}.{}", good.chars().last().expect("check"));
            prop_assert!(check_patent(&bad).number.is_none());
        }

        #[test]
        fn checker_never_panics(s in ".{0,30}") {
            let _ = check_patent(&s);
            let _ = parse_trademark(&s);
            let _ = parse_software_copyright(&s);
            let _ = parse_works_copyright(&s);
        }
    }
}
