//! The password rule for new passwords: long enough to resist guessing, not the username.

use crate::message::FieldError;

pub const MIN_LEN: usize = 10;
pub const MAX_LEN: usize = 128;

/// Checks a new password for `username`; the error names the field and the rule.
pub fn check_new_password(
    field: &'static str,
    username: &str,
    password: &str,
) -> Result<(), FieldError> {
    let n = password.chars().count();
    if n < MIN_LEN {
        return Err(FieldError::new(
            field,
            "password.too_short",
            format!("密码至少需要 {MIN_LEN} 个字符，当前为 {n} 个。"),
            format!("The password needs at least {MIN_LEN} characters; it has {n}."),
        ));
    }
    if n > MAX_LEN {
        return Err(FieldError::new(
            field,
            "password.too_long",
            format!("密码不能超过 {MAX_LEN} 个字符。"),
            format!("The password may have at most {MAX_LEN} characters."),
        ));
    }
    if password.to_lowercase().contains(&username.to_lowercase()) && !username.is_empty() {
        return Err(FieldError::new(
            field,
            "password.contains_username",
            "密码不能包含用户名。",
            "The password must not contain the username.",
        ));
    }
    let classes = [
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ];
    if classes.iter().filter(|b| **b).count() < 2 {
        return Err(FieldError::new(
            field,
            "password.too_simple",
            "密码需包含至少两类字符（小写字母、大写字母、数字、符号）。",
            "The password needs at least two kinds of characters (lower case, upper case, digits, symbols).",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules() {
        assert_eq!(
            check_new_password("p", "u", "short").unwrap_err().msg.code,
            "password.too_short"
        );
        assert_eq!(
            check_new_password("p", "zhangsan", "zhangsan2026!")
                .unwrap_err()
                .msg
                .code,
            "password.contains_username"
        );
        assert_eq!(
            check_new_password("p", "u", "aaaaaaaaaaaa")
                .unwrap_err()
                .msg
                .code,
            "password.too_simple"
        );
        assert!(check_new_password("p", "u", "Correct-Horse-9").is_ok());
    }
}
