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

#[cfg(test)]
mod tests {
    use super::*;

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
