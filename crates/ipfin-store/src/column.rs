//! Column types that decode stored text when a row is loaded, so that a value the program
//! cannot read fails the fetch with a logged internal error instead of becoming a default:
//! `Code<T>`, a stored vocabulary code (a state, a kind, a status), `CodeList<T>`, a stored
//! comma-separated list of codes (an application's items), `JsonText<T>`, a stored JSON
//! document (figures, milestones), and `DecimalText`, a stored decimal number (a loan's rate).

use ipfin_domain::CodeEnum;
use sea_orm::{ColIdx, DbErr, QueryResult, TryGetError, TryGetable};
use serde::de::DeserializeOwned;
use serde::{Serialize, Serializer};
use std::fmt;
use std::ops::Deref;

/// The prefix of the decoding error that `StoreError::from(DbErr)` turns into `Internal`.
pub(crate) const UNKNOWN_CODE: &str = "unknown stored code";
/// The prefix of the decoding error for a stored document that does not parse.
pub(crate) const UNREADABLE_DOCUMENT: &str = "unreadable stored document";
/// The prefix of the decoding error for a stored number that does not parse.
pub(crate) const UNREADABLE_NUMBER: &str = "unreadable stored number";

/// A vocabulary value read from a text column. Serializes, displays and compares as its code,
/// so pages and JSON see the same text as before (it dereferences to the code, `get` gives the
/// value).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Code<T>(pub T);

impl<T: CodeEnum> Code<T> {
    /// The value.
    pub fn get(self) -> T {
        self.0
    }
    /// The stable code name.
    pub fn as_str(&self) -> &'static str {
        self.0.code()
    }
}

impl<T: CodeEnum> Deref for Code<T> {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl<T> From<T> for Code<T> {
    fn from(v: T) -> Self {
        Code(v)
    }
}

impl<T: CodeEnum> fmt::Display for Code<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<T: CodeEnum> Serialize for Code<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<T: CodeEnum> PartialEq<str> for Code<T> {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl<T: CodeEnum> PartialEq<&str> for Code<T> {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl<T: CodeEnum> PartialEq<Code<T>> for String {
    fn eq(&self, other: &Code<T>) -> bool {
        self == other.as_str()
    }
}

impl<T: CodeEnum> PartialEq<Code<T>> for &str {
    fn eq(&self, other: &Code<T>) -> bool {
        *self == other.as_str()
    }
}

impl<T: CodeEnum> From<Code<T>> for sea_orm::Value {
    fn from(c: Code<T>) -> Self {
        sea_orm::Value::from(c.as_str())
    }
}

/// Decodes a stored code, or logs it and returns the error that marks an unknown code.
pub(crate) fn decode<T: CodeEnum>(column: &str, value: &str) -> Result<T, DbErr> {
    T::from_code(value).ok_or_else(|| {
        tracing::error!(
            vocabulary = T::NAME,
            column,
            value,
            "unknown code in a stored row"
        );
        DbErr::Type(format!(
            "{UNKNOWN_CODE} {value:?} for {} in column {column}",
            T::NAME
        ))
    })
}

/// Decodes a stored comma-separated list of codes (e.g. a user's roles); an unknown code is an
/// internal error, logged, never silently dropped.
pub(crate) fn decode_list<T: CodeEnum>(
    column: &str,
    list: Option<&str>,
) -> crate::error::Result<Vec<T>> {
    list.unwrap_or_default()
        .split(',')
        .filter(|c| !c.is_empty())
        .map(|c| decode::<T>(column, c).map_err(crate::StoreError::from))
        .collect()
}

/// A comma-separated list of codes read from a text column (an application's items), decoded
/// when the row is loaded: an unknown code fails the fetch like `Code<T>`, never silently
/// dropped. Displays, serialises and dereferences as the stored text, so pages and JSON see
/// the same text as before; `values` gives the decoded list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CodeList<T> {
    text: String,
    values: Vec<T>,
}

impl<T: CodeEnum> CodeList<T> {
    /// Decodes a stored list (`"a,b"`; empty text is the empty list).
    pub(crate) fn decode(column: &str, text: String) -> Result<Self, DbErr> {
        let values = text
            .split(',')
            .filter(|c| !c.is_empty())
            .map(|c| decode::<T>(column, c))
            .collect::<Result<Vec<T>, DbErr>>()?;
        Ok(CodeList { text, values })
    }
    /// The decoded values, in stored order.
    pub fn values(&self) -> &[T] {
        &self.values
    }
}

impl<T> Deref for CodeList<T> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.text
    }
}

impl<T> fmt::Display for CodeList<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl<T> Serialize for CodeList<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<T> PartialEq<CodeList<T>> for String {
    fn eq(&self, other: &CodeList<T>) -> bool {
        *self == other.text
    }
}

impl<T: CodeEnum> TryGetable for CodeList<T> {
    fn try_get_by<I: ColIdx>(res: &QueryResult, index: I) -> Result<Self, TryGetError> {
        let s = String::try_get_by(res, index)?;
        Ok(CodeList::decode(&column_name(&index), s)?)
    }
}

fn column_name<I: ColIdx>(index: &I) -> String {
    match (index.as_str(), index.as_usize()) {
        (Some(name), _) => name.to_string(),
        (None, Some(n)) => format!("#{n}"),
        (None, None) => format!("{index:?}"),
    }
}

impl<T: CodeEnum> TryGetable for Code<T> {
    fn try_get_by<I: ColIdx>(res: &QueryResult, index: I) -> Result<Self, TryGetError> {
        let s = String::try_get_by(res, index)?;
        Ok(Code(decode(&column_name(&index), &s)?))
    }
}

/// A JSON document kept in a text column, parsed when the row is loaded.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct JsonText<T>(pub T);

impl<T> JsonText<T> {
    /// The document.
    pub fn into_inner(self) -> T {
        self.0
    }
}

/// Parses a stored document, or logs it and returns the error that marks an unreadable one.
pub(crate) fn parse_document<T: DeserializeOwned>(column: &str, text: &str) -> Result<T, DbErr> {
    serde_json::from_str(text).map_err(|e| {
        tracing::error!(
            column,
            document = std::any::type_name::<T>(),
            error = %e,
            "unreadable stored document"
        );
        DbErr::Type(format!("{UNREADABLE_DOCUMENT} in column {column}: {e}"))
    })
}

impl<T: DeserializeOwned> TryGetable for JsonText<T> {
    fn try_get_by<I: ColIdx>(res: &QueryResult, index: I) -> Result<Self, TryGetError> {
        let s = String::try_get_by(res, index)?;
        Ok(JsonText(parse_document(&column_name(&index), &s)?))
    }
}

/// A decimal number kept as text (a loan's annual rate, its pledged share), parsed when the row
/// is loaded: text that is not a number fails the fetch with a logged internal error instead of
/// becoming zero. Displays, serialises and dereferences as the stored text, so pages and JSON
/// see the same text as before; `value` gives the number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecimalText {
    text: String,
    value: rust_decimal::Decimal,
}

impl DecimalText {
    /// Parses a stored number, or logs it and returns the error that marks an unreadable one.
    pub(crate) fn parse(column: &str, text: String) -> Result<Self, DbErr> {
        match text.trim().parse::<rust_decimal::Decimal>() {
            Ok(value) => Ok(DecimalText { text, value }),
            Err(e) => {
                tracing::error!(column, value = %text, error = %e, "unreadable stored number");
                Err(DbErr::Type(format!(
                    "{UNREADABLE_NUMBER} {text:?} in column {column}: {e}"
                )))
            }
        }
    }
    /// The number.
    pub fn value(&self) -> rust_decimal::Decimal {
        self.value
    }
}

impl Deref for DecimalText {
    type Target = str;
    fn deref(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for DecimalText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Serialize for DecimalText {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl PartialEq<&str> for DecimalText {
    fn eq(&self, other: &&str) -> bool {
        self.text == *other
    }
}

impl TryGetable for DecimalText {
    fn try_get_by<I: ColIdx>(res: &QueryResult, index: I) -> Result<Self, TryGetError> {
        let s = String::try_get_by(res, index)?;
        Ok(DecimalText::parse(&column_name(&index), s)?)
    }
}

#[cfg(test)]
mod decimal_text_tests {
    use super::*;

    #[test]
    fn a_stored_number_keeps_its_text_and_an_unreadable_one_is_an_internal_error() {
        let r = DecimalText::parse("loans.annual_rate", "0.0345".into());
        let r = r.ok();
        assert_eq!(
            r.as_ref().map(DecimalText::value),
            Some(rust_decimal::Decimal::new(345, 4))
        );
        assert_eq!(
            r.as_ref().map(ToString::to_string).as_deref(),
            Some("0.0345")
        );
        let bad = DecimalText::parse("loans.annual_rate", "3.45%".into());
        assert!(matches!(
            bad.map_err(crate::StoreError::from),
            Err(crate::StoreError::Internal(m)) if m.contains("loans.annual_rate") && m.contains("3.45%")
        ));
    }
}
