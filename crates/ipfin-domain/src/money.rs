//! Exact money input: amounts typed by people (元 or 万元, with thousands separators) become
//! integer fen without ever passing through floating point.

/// Parses a non-negative decimal amount in a unit of `fen_per_unit` fen (元 = 100, 万元 =
/// 1,000,000) into fen. Accepts `1,234.56`, full-width digits and surrounding spaces; refuses
/// more decimals than the unit can hold exactly, signs, and overflow.
pub fn parse_amount(input: &str, fen_per_unit: i64) -> Option<i64> {
    let s: String = crate::credit_code::normalize(input).replace(',', "");
    if s.is_empty() || !s.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, f),
        None => (s.as_str(), ""),
    };
    if int.is_empty() && frac.is_empty() || frac.contains('.') {
        return None;
    }
    let scale_digits = fen_per_unit.checked_ilog10()? as usize;
    if 10i64.checked_pow(scale_digits as u32)? != fen_per_unit || frac.len() > scale_digits {
        return None;
    }
    let int_part: i64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let frac_part: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<scale_digits$}").parse().ok()?
    };
    int_part.checked_mul(fen_per_unit)?.checked_add(frac_part)
}

/// 元 as a spreadsheet number, for exports only: spreadsheets hold numbers as IEEE doubles, so
/// the exact decimal text of the amount is converted once, at the boundary. Every amount below
/// 2^53 fen (about 90 trillion 元) round-trips to the same two-decimal text.
pub fn fen_to_sheet_number(fen: i64) -> f64 {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
        .parse()
        .unwrap_or(0.0)
}

/// Digits with a comma every three places: 1234567 → `1,234,567`.
pub fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    grouped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_amounts() {
        assert_eq!(parse_amount("1500", 1_000_000), Some(1_500_000_000));
        assert_eq!(parse_amount("0.000001", 1_000_000), Some(1));
        assert_eq!(parse_amount("1,234.56", 100), Some(123_456));
        assert_eq!(parse_amount("１２.５", 100), Some(1250));
        assert_eq!(parse_amount(".5", 100), Some(50));
        assert_eq!(parse_amount("0.001", 100), None, "more decimals than fen");
        assert_eq!(parse_amount("-1", 100), None);
        assert_eq!(parse_amount("1e3", 100), None);
        assert_eq!(parse_amount("", 100), None);
        assert_eq!(parse_amount(".", 100), None);
        assert_eq!(parse_amount("1.2.3", 100), None);
        assert_eq!(parse_amount("99999999999999999999", 100), None);
        assert_eq!(format!("{:.2}", fen_to_sheet_number(123_456)), "1234.56");
        assert_eq!(format!("{:.2}", fen_to_sheet_number(-5)), "-0.05");
    }
}
