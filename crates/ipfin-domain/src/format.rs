//! One way to write dates, quarters and amounts for people in Chinese (issue #23 item 5), used
//! by pages, messages, documents and exports alike: `2026年9月18日`, `2026年第三季度`, amounts in
//! 元 with two decimals in money records and in 万元/亿元 in statistics. The API keeps ISO dates
//! and integer fen. English pages get the same facts in English order (`18 Sep 2026`,
//! `Q3 2026`, `CNY 400.08m`): each function taking a [`Lang`] picks the form.

use crate::message::Lang;
use crate::money::{Fen, group_thousands};
use chrono::NaiveDate;

/// A date for a reader: `2026年9月18日` or `18 Sep 2026`.
pub fn date(d: NaiveDate, lang: Lang) -> String {
    match lang {
        Lang::Zh => date_zh(d),
        Lang::En => d.format("%-d %b %Y").to_string(),
    }
}

/// A quarter for a reader: `2026年第三季度` or `Q3 2026`.
pub fn quarter(year: i32, q: u32, lang: Lang) -> String {
    match lang {
        Lang::Zh => quarter_zh(year, q),
        Lang::En => format!("Q{q} {year}"),
    }
}

/// A statistics amount for a reader: [`amount_stat`] in Chinese; in English `CNY 999.99`,
/// `CNY 12.35k`, `CNY 300.00m`, `CNY 40.01bn` (thousands, millions, billions of yuan; exact,
/// rounded half away from zero).
pub fn amount_stat_in(fen: Fen, lang: Lang) -> String {
    if lang == Lang::Zh {
        return amount_stat(fen);
    }
    const K: u64 = 100_000; // fen in a thousand yuan
    const M: u64 = 100_000_000;
    const BN: u64 = 100_000_000_000;
    let sign = if fen.get() < 0 { "-" } else { "" };
    let abs = fen.get().unsigned_abs();
    let (unit, per) = if abs >= BN {
        ("bn", BN)
    } else if abs >= M {
        ("m", M)
    } else if abs >= 10 * K {
        ("k", K)
    } else {
        return format!("CNY {}", fen.yuan());
    };
    scaled(sign, abs, per, "CNY ", unit)
}

/// `abs` fen in units of `per` fen with two decimals, rounded half up, grouped by thousands.
fn scaled(sign: &str, abs: u64, per: u64, before: &str, after: &str) -> String {
    let hundredths = (u128::from(abs) * 100 + u128::from(per) / 2) / u128::from(per);
    let whole = u64::try_from(hundredths / 100).unwrap_or(u64::MAX);
    format!(
        "{sign}{before}{}.{:02}{after}",
        group_thousands(whole),
        hundredths % 100
    )
}

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
    scaled(sign, abs, per, "", &format!(" {unit}"))
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

    #[test]
    fn english_readers_get_day_month_year_quarters_and_cny() {
        let d = NaiveDate::from_ymd_opt(2026, 9, 18).expect("date");
        assert_eq!(date(d, Lang::En), "18 Sep 2026");
        assert_eq!(date(d, Lang::Zh), "2026年9月18日");
        assert_eq!(quarter(2026, 3, Lang::En), "Q3 2026");
        assert_eq!(quarter(2026, 3, Lang::Zh), "2026年第三季度");
        let en = |f| amount_stat_in(Fen::new(f), Lang::En);
        assert_eq!(en(4_000_800_000_000), "CNY 40.01bn");
        assert_eq!(en(52_000_000_000), "CNY 520.00m");
        assert_eq!(en(1_000_000), "CNY 10.00k");
        assert_eq!(en(1_234_567), "CNY 12.35k");
        assert_eq!(en(99_999), "CNY 999.99");
        assert_eq!(en(-300_000_000), "-CNY 3.00m");
        assert_eq!(
            amount_stat_in(Fen::new(52_000_000_000), Lang::Zh),
            "5.20 亿元"
        );
        assert!(en(i64::MIN).ends_with("bn"));
    }
}
