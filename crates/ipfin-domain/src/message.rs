//! Bilingual messages: every rule violation carries a stable code and a text in Chinese
//! (default) and English, so the web layer can answer in the caller's language.

use serde::Serialize;

/// The interface languages, Chinese first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// Parses a language tag loosely: anything starting with `en` is English, else Chinese.
    pub fn from_tag(tag: &str) -> Lang {
        if tag.trim().to_ascii_lowercase().starts_with("en") {
            Lang::En
        } else {
            Lang::Zh
        }
    }

    /// Picks the first supported language of an `Accept-Language` header value.
    pub fn from_accept_language(header: &str) -> Lang {
        header
            .split(',')
            .map(|part| {
                part.split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase()
            })
            .find_map(|tag| {
                if tag.starts_with("en") {
                    Some(Lang::En)
                } else if tag.starts_with("zh") {
                    Some(Lang::Zh)
                } else {
                    None
                }
            })
            .unwrap_or_default()
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
}

/// A message with a stable machine code and its text in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Msg {
    pub code: &'static str,
    pub zh: String,
    pub en: String,
}

impl Msg {
    pub fn new(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        Msg {
            code,
            zh: zh.into(),
            en: en.into(),
        }
    }

    pub fn text(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

impl std::fmt::Display for Msg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.zh)
    }
}

/// A rule violation on one input field (for inline form errors and 422 bodies).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub msg: Msg,
}

impl FieldError {
    pub fn new(
        field: &'static str,
        code: &'static str,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        FieldError {
            field,
            msg: Msg::new(code, zh, en),
        }
    }
}

/// Every problem of a form, collected so that all of them are shown at once (issue #23 item
/// 1): each field is checked even when an earlier one failed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    /// The value, or `None` with its problem recorded.
    pub fn take<T>(&mut self, r: Result<T, FieldError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.push(e);
                None
            }
        }
    }
    /// Records a problem; a second problem of the same field is kept too (both are shown).
    pub fn push(&mut self, e: FieldError) {
        self.0.push(e);
    }
    /// Records every problem of a check that reports several.
    pub fn extend(&mut self, errors: impl IntoIterator<Item = FieldError>) {
        self.0.extend(errors);
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// `Ok(())` when nothing was wrong, otherwise every problem in the order found.
    pub fn finish(self) -> Result<(), Vec<FieldError>> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_errors_keep_every_problem_in_order() {
        let mut e = FieldErrors::default();
        let a: Option<i32> = e.take(Err(FieldError::new("a", "x.a", "甲", "a")));
        let b = e.take(Ok::<_, FieldError>(2));
        e.push(FieldError::new("c", "x.c", "丙", "c"));
        assert_eq!((a, b), (None, Some(2)));
        let fields: Vec<&str> = e.finish().unwrap_err().iter().map(|f| f.field).collect();
        assert_eq!(fields, ["a", "c"]);
        assert_eq!(FieldErrors::default().finish(), Ok(()));
    }

    #[test]
    fn accept_language_prefers_first_supported() {
        assert_eq!(Lang::from_accept_language("en-US,en;q=0.9"), Lang::En);
        assert_eq!(
            Lang::from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"),
            Lang::Zh
        );
        assert_eq!(Lang::from_accept_language("fr, en;q=0.5"), Lang::En);
        assert_eq!(Lang::from_accept_language(""), Lang::Zh);
    }
}
