//! A contact person's phone number and e-mail address, checked for form only (no lookup).

use crate::message::FieldError;

/// A phone number: at most 20 characters, only digits, spaces and `+ - ( )`, at least 5 digits
/// (`0755-86001234`, `+86 138 0013 8000`, `(0755) 8600 1234`).
pub fn check_phone(phone: &str) -> Result<(), FieldError> {
    let ok = phone.chars().count() <= 20
        && phone.chars().filter(|c| c.is_ascii_digit()).count() >= 5
        && phone
            .chars()
            .all(|c| c.is_ascii_digit() || "+-() ".contains(c));
    if ok {
        Ok(())
    } else {
        Err(FieldError::new(
            "phone",
            "contact.phone_format",
            "联系电话格式不正确：只能包含数字、空格及 + - ( )，至少 5 位数字。",
            "Phone: digits, spaces and + - ( ) only, at least 5 digits.",
        ))
    }
}

/// An e-mail address: at most 254 bytes, a non-empty local part, a domain with a dot, no
/// white space.
pub fn check_email(email: &str) -> Result<(), FieldError> {
    let ok = email.len() <= 254
        && email
            .split_once('@')
            .is_some_and(|(a, d)| !a.is_empty() && d.contains('.'))
        && !email.contains(char::is_whitespace);
    if ok {
        Ok(())
    } else {
        Err(FieldError::new(
            "email",
            "contact.email_format",
            "电子邮箱格式不正确，例如 name@example.gov.cn。",
            "E-mail is not valid, e.g. name@example.gov.cn.",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones() {
        for ok in [
            "0755-86001234",
            "+86 138 0013 8000",
            "(0755) 8600 1234",
            "12345",
        ] {
            assert_eq!(check_phone(ok), Ok(()), "{ok}");
        }
        for bad in [
            "1234",                     // four digits
            "0755-8600-1234 ext 5",     // letters
            "０７５５８６００１２３４", // full-width digits
            "+86 138 0013 8000 0000",   // 22 characters
            "",
        ] {
            let e = check_phone(bad).expect_err(bad);
            assert_eq!((e.field, e.msg.code), ("phone", "contact.phone_format"));
        }
    }

    #[test]
    fn emails() {
        for ok in ["name@example.gov.cn", "a@b.c", "王@例子.中国"] {
            assert_eq!(check_email(ok), Ok(()), "{ok}");
        }
        let long = format!("{}@example.cn", "a".repeat(250));
        for bad in [
            "name.example.gov.cn", // no @
            "@example.gov.cn",     // no local part
            "name@localhost",      // no dot in the domain
            "na me@example.cn",    // space
            long.as_str(),         // 261 bytes
        ] {
            let e = check_email(bad).expect_err(bad);
            assert_eq!((e.field, e.msg.code), ("email", "contact.email_format"));
        }
    }
}
