//! Free text typed by people: trimmed, required where the form says so, bounded in length
//! (counted in characters, so a Chinese name of 50 characters fits a 50-character limit).

use crate::message::FieldError;

/// Trims an optional text input; empty becomes `None`.
pub fn clean(s: Option<String>) -> Option<String> {
    s.map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

/// A required text of at most `max` characters, trimmed; the error names the field with its
/// label in both languages.
pub fn required(
    field: &'static str,
    label_zh: &str,
    label_en: &str,
    value: &str,
    max: usize,
) -> Result<String, FieldError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(FieldError::new(
            field,
            "field.required",
            format!("请填写{label_zh}。"),
            format!("{label_en} is required."),
        ));
    }
    if v.chars().count() > max {
        return Err(FieldError::new(
            field,
            "field.too_long",
            format!("{label_zh}不能超过 {max} 个字符。"),
            format!("{label_en} may have at most {max} characters."),
        ));
    }
    Ok(v.to_string())
}

/// A character people cannot mean in text: a C0 control other than tab, line feed and carriage
/// return (NUL, `\x01`, form feed …), DEL, or a bidirectional override or isolate, which can
/// make a name read differently from what it is (`U+202A`–`U+202E`, `U+2066`–`U+2069`).
pub fn is_forbidden_char(c: char) -> bool {
    (c.is_control() && (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r'))
        || c == '\u{7f}'
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Text as a person meant it: a vertical tab (what Word pastes for Shift+Enter) becomes a line
/// break; then the first forbidden character left, if any, is reported with its position
/// (counted in characters, from 1) so the message can say where it is.
pub fn normalise(value: &str) -> Result<std::borrow::Cow<'_, str>, (usize, char)> {
    let v: std::borrow::Cow<'_, str> = if value.contains('\u{b}') {
        std::borrow::Cow::Owned(value.replace('\u{b}', "\n"))
    } else {
        std::borrow::Cow::Borrowed(value)
    };
    match v.chars().enumerate().find(|(_, c)| is_forbidden_char(*c)) {
        Some((i, c)) => Err((i + 1, c)),
        None => Ok(v),
    }
}

/// The error for a forbidden character in a field, naming the field, the position and the
/// character's code point (`U+0000`), since the character itself is invisible.
pub fn forbidden_char_error(
    field: &'static str,
    label_zh: &str,
    label_en: &str,
    at: usize,
    c: char,
) -> FieldError {
    FieldError::new(
        field,
        "field.control_char",
        format!(
            "{label_zh}第 {at} 个字符是不可见的控制字符（U+{:04X}），请删除后重新提交。",
            c as u32
        ),
        format!(
            "{label_en} has an invisible control character (U+{:04X}) at position {at}: remove it and submit again.",
            c as u32
        ),
    )
}

/// Removes forbidden characters from text on its way out (documents, exports), turning a
/// vertical tab into a line break, so a generated file is well-formed whatever was stored.
pub fn printable(value: &str) -> std::borrow::Cow<'_, str> {
    if value.chars().any(|c| c == '\u{b}' || is_forbidden_char(c)) {
        std::borrow::Cow::Owned(
            value
                .chars()
                .filter_map(|c| match c {
                    '\u{b}' => Some('\n'),
                    c if is_forbidden_char(c) => None,
                    c => Some(c),
                })
                .collect(),
        )
    } else {
        std::borrow::Cow::Borrowed(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_refused_but_a_pasted_vertical_tab_is_a_line_break() {
        assert_eq!(
            normalise("第一行\u{b}第二行").as_deref(),
            Ok("第一行\n第二行")
        );
        assert_eq!(normalise("a\tb\r\nc").as_deref(), Ok("a\tb\r\nc"));
        assert_eq!(normalise("ab\0c"), Err((3, '\0')));
        assert_eq!(normalise("\u{1}"), Err((1, '\u{1}')));
        assert_eq!(normalise("x\u{7f}"), Err((2, '\u{7f}')));
        // A right-to-left override would make "exe.pdf" read as "fdp.exe".
        assert_eq!(normalise("a\u{202e}b"), Err((2, '\u{202e}')));
        let e = forbidden_char_error("agenda", "议程", "Agenda", 3, '\0');
        assert_eq!(e.msg.code, "field.control_char");
        assert!(e.msg.zh.contains("U+0000") && e.msg.zh.contains("第 3 个字符"));
        assert_eq!(printable("a\0b\u{b}c\u{1f}"), "ab\nc");
        assert!(matches!(printable("正常"), std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn required_text_is_trimmed_and_bounded_in_characters() {
        assert_eq!(
            required("name", "姓名", "Name", "  王小明 ", 50),
            Ok("王小明".to_string())
        );
        let e = required("name", "姓名", "Name", "   ", 50).expect_err("blank");
        assert_eq!((e.field, e.msg.code), ("name", "field.required"));
        assert_eq!(e.msg.zh, "请填写姓名。");
        // Five Chinese characters are five, not fifteen bytes.
        assert!(required("name", "姓名", "Name", "深圳市南山", 5).is_ok());
        let e = required("name", "姓名", "Name", "深圳市南山区", 5).expect_err("six");
        assert_eq!(e.msg.code, "field.too_long");
        assert_eq!(e.msg.en, "Name may have at most 5 characters.");
    }

    #[test]
    fn clean_drops_blank_text() {
        assert_eq!(clean(Some("  a ".into())), Some("a".into()));
        assert_eq!(clean(Some("   ".into())), None);
        assert_eq!(clean(None), None);
    }
}
