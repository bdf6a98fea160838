//! One way to write dates, quarters and amounts for people in Chinese (issue #23 item 5), used
//! by pages, messages, documents and exports alike: `2026年9月18日`, `2026年第三季度`, amounts in
//! 元 with two decimals in money records and in 万元/亿元 in statistics. The API keeps ISO dates
//! and integer fen.

use crate::money::{Fen, group_thousands};
use chrono::NaiveDate;

/// A date as written in Chinese documents: `2026年9月18日`.
pub fn date_zh(d: NaiveDate) -> String {
    d.format("%Y年%-m月%-d日").to_string()
}

/// A quarter in Chinese: `2026年第三季度` (quarters outside 1–4 are written as digits).
pub fn quarter_zh(year: i32, q: u32) -> String {
    const N: [&str; 4] = ["一", "二", "三", "四"];
    match N.get((q as usize).wrapping_sub(1)) {
        Some(n) => format!("{year}年第{n}季度"),
        None => format!("{year}年第{q}季度"),
    }
}

/// An amount for statistics, in the unit officials read: below 1 万元 in 元, below 1 亿元 in
/// 万元, above in 亿元, with two decimals rounded half away from zero (exact: integer
/// arithmetic on fen): `40,008,000,000.00 元` is `400.08 亿元`.
pub fn amount_stat(fen: Fen) -> String {
    const WAN: u64 = 1_000_000; // fen in 1 万元
    const YI: u64 = 10_000_000_000; // fen in 1 亿元
    let sign = if fen.get() < 0 { "-" } else { "" };
    let abs = fen.get().unsigned_abs();
    let (unit, per) = if abs >= YI {
        ("亿元", YI)
    } else if abs >= WAN {
        ("万元", WAN)
    } else {
        return format!("{} 元", fen.yuan());
    };
    // Hundredths of the unit, rounded half up.
    let hundredths = (u128::from(abs) * 100 + u128::from(per) / 2) / u128::from(per);
    let whole = u64::try_from(hundredths / 100).unwrap_or(u64::MAX);
    format!(
        "{sign}{}.{:02} {unit}",
        group_thousands(whole),
        hundredths % 100
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_quarters_and_statistics_read_as_officials_write_them() {
        let d = NaiveDate::from_ymd_opt(2026, 9, 8).expect("date");
        assert_eq!(date_zh(d), "2026年9月8日");
        assert_eq!(quarter_zh(2026, 3), "2026年第三季度");
        assert_eq!(quarter_zh(2026, 7), "2026年第7季度");
        assert_eq!(amount_stat(Fen::new(4_000_800_000_000)), "400.08 亿元");
        assert_eq!(amount_stat(Fen::new(52_000_000_000)), "5.20 亿元");
        assert_eq!(amount_stat(Fen::new(300_000_000)), "300.00 万元");
        assert_eq!(amount_stat(Fen::new(1_234_567)), "1.23 万元");
        assert_eq!(amount_stat(Fen::new(1_235_000)), "1.24 万元");
        assert_eq!(amount_stat(Fen::new(99_999)), "999.99 元");
        assert_eq!(amount_stat(Fen::new(-300_000_000)), "-300.00 万元");
        assert!(amount_stat(Fen::new(i64::MIN)).ends_with("亿元"));
    }
}
