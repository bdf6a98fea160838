//! The deterministic city-scale dataset (SPEC §5): Shenzhen-sized enterprises with valid credit
//! codes, realistic industries, districts and figures, written as an import-ready CSV. The same
//! seed always gives the same file, so benchmarks compare like with like.

use anyhow::Result;
use ipfin_domain::credit_code::{check_character, org_check_character};
use std::io::Write;
use std::path::Path;

/// SplitMix64: small, fast and good enough for synthetic data.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    /// Picks by weight.
    pub fn weighted<'a, T>(&mut self, items: &'a [(T, u64)]) -> &'a T {
        let total: u64 = items.iter().map(|(_, w)| *w).sum();
        let mut x = self.below(total);
        for (item, w) in items {
            if x < *w {
                return item;
            }
            x -= w;
        }
        &items[items.len() - 1].0
    }
}

/// Districts weighted roughly by their share of Shenzhen's registered enterprises.
const DISTRICTS: &[(&str, u64)] = &[
    ("440306", 22),
    ("440307", 20),
    ("440304", 14),
    ("440305", 13),
    ("440309", 12),
    ("440303", 7),
    ("440311", 4),
    ("440310", 3),
    ("440308", 2),
    ("440300DP", 1),
    ("440300SS", 1),
];

const INDUSTRIES: &[(&str, u64)] = &[
    ("F5179", 18),
    ("L7212", 14),
    ("I6510", 12),
    ("F5299", 9),
    ("C3914", 6),
    ("C3825", 4),
    ("C3569", 4),
    ("M7320", 5),
    ("E4851", 4),
    ("K7010", 2),
    ("K7020", 2),
    ("G5430", 3),
    ("G5990", 1),
    ("H6210", 5),
    ("H6110", 1),
    ("I6311", 1),
    ("A0511", 1),
    ("R8710", 3),
    ("O8010", 5),
];

const WORDS_A: &[&str] = &[
    "华", "鹏", "深", "前", "南", "海", "科", "创", "新", "智", "联", "信", "达", "中", "汇", "瑞",
    "星", "宏", "泰", "恒", "腾", "博", "康", "安", "捷", "迅", "锐", "晶", "芯", "光", "云", "数",
    "航", "宇", "天", "德", "金", "银", "润", "和", "源", "远",
];
const WORDS_B: &[&str] = &[
    "为", "兴", "达", "通", "盛", "辉", "宇", "科", "信", "德", "航", "泰", "源", "丰", "美", "佳",
    "力", "阳", "明", "思", "维", "拓", "启", "越", "嘉", "森", "峰", "川", "然", "逸", "图", "汇",
    "腾", "瑞", "澜", "耀", "驰",
];
const TRADES: &[&str] = &[
    "科技",
    "电子",
    "信息技术",
    "智能装备",
    "新材料",
    "生物医药",
    "贸易",
    "实业",
    "投资",
    "网络科技",
    "光电",
    "精密制造",
    "医疗器械",
    "新能源",
    "供应链管理",
    "文化传播",
    "餐饮管理",
    "物业管理",
    "建设工程",
    "物流",
];
const FORMS: &[(&str, u64)] = &[("有限公司", 90), ("股份有限公司", 6), ("有限责任公司", 4)];

/// A valid credit code for serial `n` in a division: 91 + division + 8-digit body + checks.
pub fn credit_code(division: &str, n: u64) -> String {
    let division = if division.len() == 6 {
        division
    } else {
        "440300"
    };
    let body = format!("{:08}", n % 100_000_000);
    let org = org_check_character(&body).unwrap_or('0');
    let first17 = format!("91{division}{body}{org}");
    let check = check_character(&first17).unwrap_or('0');
    format!("{first17}{check}")
}

/// Writes `count` enterprises as CSV (UTF-8, the import template's Chinese headers).
pub fn write_enterprises_csv(
    path: &Path,
    count: u64,
    seed: u64,
    mut progress: impl FnMut(u64),
) -> Result<()> {
    let f = std::fs::File::create(path)?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, f);
    writeln!(
        w,
        "统一社会信用代码,企业名称,注册地,纳税地,独立法人,行业代码,从业人员,营业收入（元）,资产总额（元）,同意数据共享"
    )?;
    let mut rng = Rng::new(seed);
    for n in 0..count {
        let district = *rng.weighted(DISTRICTS);
        let industry = *rng.weighted(INDUSTRIES);
        let a = WORDS_A[rng.below(WORDS_A.len() as u64) as usize];
        let b = WORDS_B[rng.below(WORDS_B.len() as u64) as usize];
        let c = WORDS_A[rng.below(WORDS_A.len() as u64) as usize];
        let trade = TRADES[rng.below(TRADES.len() as u64) as usize];
        let form = *rng.weighted(FORMS);
        // Most enterprises are micro or small: employees log-uniform-ish, revenue per head varies.
        let employees = match rng.below(100) {
            0..=59 => 1 + rng.below(10),
            60..=84 => 10 + rng.below(90),
            85..=96 => 100 + rng.below(400),
            _ => 500 + rng.below(5000),
        };
        let revenue_yuan = employees * (80_000 + rng.below(1_500_000));
        let assets_yuan = revenue_yuan / 2 + rng.below(revenue_yuan.max(1));
        let prefix = if district.starts_with("440300") {
            "深圳"
        } else {
            "深圳市"
        };
        writeln!(
            w,
            "{},{prefix}{a}{b}{c}{trade}{form},{district},{district},是,{industry},{employees},{revenue_yuan}.00,{assets_yuan}.00,{}",
            credit_code(district, n + 1),
            if rng.below(3) == 0 { "是" } else { "否" }
        )?;
        if n % 100_000 == 0 {
            progress(n);
        }
    }
    w.flush()?;
    progress(count);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_valid_and_unique_and_the_file_is_deterministic() {
        let mut seen = std::collections::HashSet::new();
        for n in 1..5000 {
            let c = credit_code("440305", n);
            let r = ipfin_domain::credit_code::check(&c);
            assert!(r.is_valid() && r.warnings.is_empty(), "{c}");
            assert!(seen.insert(c));
        }
        let dir = std::env::temp_dir().join(format!("ipfin-gen-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let (a, b) = (dir.join("a.csv"), dir.join("b.csv"));
        write_enterprises_csv(&a, 1000, 7, |_| {}).expect("a");
        write_enterprises_csv(&b, 1000, 7, |_| {}).expect("b");
        assert_eq!(std::fs::read(&a).expect("a"), std::fs::read(&b).expect("b"));
        assert_eq!(
            std::fs::read_to_string(&a).expect("a").lines().count(),
            1001
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
