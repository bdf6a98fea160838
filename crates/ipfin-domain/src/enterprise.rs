//! Enterprise registry rules (SPEC §4): the name index that lets officers find an enterprise by
//! any fragment of its Chinese name down to two characters, and field checks for records.

use crate::message::FieldError;

/// Folds a name for indexing and search: full-width to ASCII, ASCII lower case, and only
/// letters and digits of any script kept (spaces, brackets and punctuation dropped).
pub fn fold_name(name: &str) -> Vec<char> {
    crate::credit_code::normalize(name)
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// The distinct character bigrams of a name, sorted: the index terms of the name search. Any
/// substring of two or more characters of the folded name has all its bigrams among these.
pub fn name_grams(name: &str) -> Vec<String> {
    name_gram_pairs(name)
        .into_iter()
        .map(|[a, b]| [a, b].iter().collect())
        .collect()
}

/// [`name_grams`] as character pairs, without a string per bigram (for bulk indexing).
pub fn name_gram_pairs(name: &str) -> Vec<[char; 2]> {
    let chars = fold_name(name);
    let mut grams: Vec<[char; 2]> = chars.windows(2).map(|w| [w[0], w[1]]).collect();
    grams.sort_unstable();
    grams.dedup();
    grams
}

/// The bigrams a query must all match, or an error when the query is too short to search by
/// name (one character would match most of the city).
pub fn query_grams(q: &str) -> Result<Vec<String>, FieldError> {
    let grams = name_grams(q);
    if grams.is_empty() {
        return Err(FieldError::new(
            "q",
            "search.too_short",
            "请至少输入名称中的两个连续字符（例如“华为”），或输入统一社会信用代码。",
            "Enter at least two consecutive characters of the name (e.g. 华为), or a credit code.",
        ));
    }
    Ok(grams)
}

/// Whether a query looks like (a fragment of) a credit code rather than a name.
pub fn is_code_query(q: &str) -> bool {
    let s = crate::credit_code::normalize(q);
    s.len() >= 4 && s.chars().all(|c| c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_substring_of_two_or_more_characters_is_covered() {
        let name = "深圳市华为技术有限公司";
        let grams = name_grams(name);
        assert!(grams.contains(&"华为".to_string()));
        let chars: Vec<char> = name.chars().collect();
        for i in 0..chars.len() {
            for j in i + 2..=chars.len() {
                let sub: String = chars[i..j].iter().collect();
                for g in query_grams(&sub).expect("≥ 2 chars") {
                    assert!(grams.contains(&g), "{sub}: {g}");
                }
            }
        }
    }

    #[test]
    fn folding_and_short_queries() {
        assert_eq!(name_grams("ＡＢ（深圳）"), vec!["ab", "b深", "深圳"]);
        assert_eq!(query_grams("华").unwrap_err().msg.code, "search.too_short");
        assert!(query_grams(" 华 为 ").is_ok(), "spaces are dropped");
        assert!(is_code_query("91440300"));
        assert!(!is_code_query("华为"));
        assert!(!is_code_query("914"));
    }
}
