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

/// Tags and IP assets of a Shenzhen-sized registry (2,000,000 enterprises): 25,000 high-tech
/// enterprises, 1,300 小巨人, several thousand 专精特新 and 科技型中小企业, a few hundred IP
/// demonstration enterprises and patent award winners, and 300,000 IP assets held by 50,000
/// enterprises. Smaller registries get the same shares.
const CITY: u64 = 2_000_000;
const TAG_QUOTAS: &[(&str, u64)] = &[
    ("高新技术企业", 25_000),
    ("专精特新“小巨人”企业", 1_300),
    ("专精特新中小企业", 6_500),
    ("科技型中小企业", 8_000),
    ("知识产权优势示范企业", 600),
    ("专利奖获奖企业", 300),
];
const IP_ASSETS: u64 = 300_000;
const IP_HOLDERS: u64 = 50_000;
/// IP holders that borrow against their IP (some twice): ~20,000 loans at city scale.
const BORROWERS: u64 = 16_000;

/// `quota` scaled to a registry of `count` (at least one when there are enterprises).
fn scaled(quota: u64, count: u64) -> u64 {
    if count == 0 {
        0
    } else {
        (quota * count / CITY).max(1).min(count)
    }
}

/// Chooses exactly `k` of `n` items in one pass (Knuth's selection sampling).
struct Selection {
    k: u64,
    n: u64,
    rng: Rng,
}

impl Selection {
    fn new(k: u64, n: u64, seed: u64) -> Selection {
        Selection {
            k,
            n,
            rng: Rng::new(seed),
        }
    }
    /// Whether the next item is chosen.
    fn next(&mut self) -> bool {
        let chosen = self.n > 0 && self.rng.below(self.n) < self.k;
        if chosen {
            self.k -= 1;
        }
        self.n = self.n.saturating_sub(1);
        chosen
    }
}

/// A valid patent application number (with its check digit) for a serial.
pub fn patent_number(year: u64, kind: u64, serial: u64) -> String {
    let body = format!("{year:04}{kind}{:07}", serial % 10_000_000);
    let check = ipfin_domain::ip_number::patent_check_digit(&body).unwrap_or('0');
    format!("{body}.{check}")
}

/// The paths of the three files `write_city_csv` writes, and the borrowers it chose.
pub struct CityFiles {
    pub enterprises: std::path::PathBuf,
    pub tags: std::path::PathBuf,
    pub ip_assets: std::path::PathBuf,
    pub borrowers: Vec<Borrower>,
}

/// An IP holder that takes pledge loans in the demo: its credit code and the IP it can pledge
/// (kind code, number), all held by it in the generated IP file.
pub struct Borrower {
    pub credit_code: ipfin_domain::CreditCode,
    pub ip: Vec<(&'static str, String)>,
}

/// Writes the registry, its tags and its IP assets as three import-ready CSV files in `dir`.
pub fn write_city_csv(
    dir: &Path,
    count: u64,
    seed: u64,
    progress: impl FnMut(u64),
) -> Result<CityFiles> {
    let files = CityFiles {
        enterprises: dir.join("enterprises.csv"),
        tags: dir.join("tags.csv"),
        ip_assets: dir.join("ip-assets.csv"),
        borrowers: Vec::new(),
    };
    let mut borrowers = Vec::new();
    let mut borrower_sel = Selection::new(
        scaled(BORROWERS, count).min(scaled(IP_HOLDERS, count)),
        scaled(IP_HOLDERS, count),
        seed ^ 0x00B0_440E,
    );
    let mut tags = std::io::BufWriter::new(std::fs::File::create(&files.tags)?);
    writeln!(
        tags,
        "统一社会信用代码,标签类型,来源,认定年度,有效期起,有效期止"
    )?;
    let mut ips =
        std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&files.ip_assets)?);
    writeln!(
        ips,
        "统一社会信用代码,类型,号码,名称,法律状态,授权日,尼斯分类"
    )?;
    let mut selections: Vec<(&str, Selection)> = TAG_QUOTAS
        .iter()
        .enumerate()
        .map(|(i, (name, quota))| {
            (
                *name,
                Selection::new(scaled(*quota, count), count, seed ^ (0x7A6 + i as u64)),
            )
        })
        .collect();
    let holders = scaled(IP_HOLDERS, count);
    let mut holder_sel = Selection::new(holders, count, seed ^ 0x1D0);
    let mut assets_left = scaled(IP_ASSETS, count);
    let mut holders_left = holders;
    let mut rng = Rng::new(seed ^ 0xA55E7);
    let mut serial = 0u64;
    write_enterprises(&files.enterprises, count, seed, progress, |code| {
        for (name, sel) in selections.iter_mut() {
            if sel.next() {
                let year = 2021 + rng.below(5);
                writeln!(
                    tags,
                    "{code},{name},深圳市{}年度认定名单,{year},{year}-12-01,{}-11-30",
                    year,
                    year + 3
                )?;
            }
        }
        if holder_sel.next() {
            // Two to ten assets each, the last holder taking what remains so the total is exact.
            holders_left -= 1;
            let n = if holders_left == 0 {
                assets_left
            } else {
                (2 + rng.below(9)).min(assets_left)
            };
            assets_left -= n;
            let mut pledgeable: Vec<(&'static str, String)> = Vec::new();
            for _ in 0..n {
                serial += 1;
                let year = 2015 + rng.below(10);
                match rng.below(10) {
                    0..=5 => {
                        let kind = [1, 2, 3, 2, 1, 8][rng.below(6) as usize];
                        let title = [
                            "一种数据处理方法及装置",
                            "一种电池热管理系统",
                            "一种显示面板及其制备方法",
                            "一种无人机控制装置",
                            "一种医疗影像识别方法",
                        ][rng.below(5) as usize];
                        let number = patent_number(year, kind, serial);
                        let valid = rng.below(10) < 8;
                        writeln!(
                            ips,
                            "{code},专利,{number},{title},{},{}-{:02}-15,",
                            if valid { "有效" } else { "审查中" },
                            year + 1,
                            1 + rng.below(12)
                        )?;
                        if valid {
                            pledgeable.push(("patent", number));
                        }
                    }
                    6..=7 => {
                        writeln!(
                            ips,
                            "{code},商标,{},图文商标,有效,{}-{:02}-01,{}",
                            10_000_000 + serial,
                            year,
                            1 + rng.below(12),
                            [9, 35, 42, 10, 7][rng.below(5) as usize]
                        )?;
                        pledgeable.push(("trademark", (10_000_000 + serial).to_string()));
                    }
                    8 => writeln!(
                        ips,
                        "{code},软件著作权,{year}SR{:07},管理软件V1.0,有效,{year}-06-30,",
                        serial % 10_000_000
                    )?,
                    _ => writeln!(
                        ips,
                        "{code},作品著作权,国作登字-{year}-F-{:08},品牌标识设计,有效,{year}-03-31,",
                        serial % 100_000_000
                    )?,
                }
            }
            if borrower_sel.next() && !pledgeable.is_empty() {
                pledgeable.truncate(3);
                borrowers.push(Borrower {
                    credit_code: ipfin_domain::CreditCode::parse(code)
                        .map_err(|m| anyhow::anyhow!("generated credit code {code}: {}", m.en))?,
                    ip: pledgeable,
                });
            }
        }
        Ok(())
    })?;
    tags.flush()?;
    ips.flush()?;
    Ok(CityFiles { borrowers, ..files })
}

/// Writes `count` enterprises as CSV (UTF-8, the import template's Chinese headers).
#[cfg(test)]
pub fn write_enterprises_csv(
    path: &Path,
    count: u64,
    seed: u64,
    progress: impl FnMut(u64),
) -> Result<()> {
    write_enterprises(path, count, seed, progress, |_| Ok(()))
}

/// Writes the enterprises, calling `each` with every credit code in order.
fn write_enterprises(
    path: &Path,
    count: u64,
    seed: u64,
    mut progress: impl FnMut(u64),
    mut each: impl FnMut(&str) -> Result<()>,
) -> Result<()> {
    let f = std::fs::File::create(path)?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, f);
    writeln!(
        w,
        "统一社会信用代码,企业名称,注册地,纳税地,独立法人,行业代码,从业人员,营业收入（元）,资产总额（元）,同意数据共享,\
         研发费用（元）,上年营业收入（元）,融资需求,经营异常,失信被执行人"
    )?;
    let mut rng = Rng::new(seed);
    // The screening facts (issue #20 item 2) draw from their own generator, so the other
    // columns stay what they were for a seed.
    let mut facts = Rng::new(seed ^ 0x0005_C04E);
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
        let code = credit_code(district, n + 1);
        let consent = if rng.below(3) == 0 { "是" } else { "否" };
        // Known for some: R&D expense for a third, last year's revenue for half, a declared
        // need for a fifth (known either way), abnormal-operation and dishonest records from
        // the market regulator's data for 60%.
        let rd = if facts.below(3) == 0 {
            format!("{}.00", revenue_yuan * facts.below(120) / 1000)
        } else {
            String::new()
        };
        let prev = if facts.below(2) == 0 {
            format!("{}.00", revenue_yuan * (60 + facts.below(80)) / 100)
        } else {
            String::new()
        };
        let need = match facts.below(10) {
            0 => "是",
            1 => "否",
            _ => "",
        };
        let (abnormal, dishonest) = if facts.below(5) < 3 {
            (
                if facts.below(25) == 0 { "是" } else { "否" },
                if facts.below(100) == 0 { "是" } else { "否" },
            )
        } else {
            ("", "")
        };
        writeln!(
            w,
            "{code},{prefix}{a}{b}{c}{trade}{form},{district},{district},是,{industry},{employees},{revenue_yuan}.00,{assets_yuan}.00,{consent},{rd},{prev},{need},{abnormal},{dishonest}"
        )?;
        each(&code)?;
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
        // The tag and IP files: exact quotas at this scale, every number valid.
        let files = write_city_csv(&dir, 20_000, 7, |_| {}).expect("city");
        let tags = std::fs::read_to_string(&files.tags).expect("tags");
        assert_eq!(
            tags.lines()
                .filter(|l| l.contains(",高新技术企业,"))
                .count(),
            250
        );
        assert_eq!(tags.lines().filter(|l| l.contains("小巨人")).count(), 13);
        let ips = std::fs::read_to_string(&files.ip_assets).expect("ips");
        assert_eq!(ips.lines().count() - 1, 3000);
        for line in ips.lines().skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            let kind = match f[1] {
                "专利" => ipfin_domain::ip_number::IpKind::Patent,
                "商标" => ipfin_domain::ip_number::IpKind::Trademark,
                "软件著作权" => ipfin_domain::ip_number::IpKind::SoftwareCopyright,
                _ => ipfin_domain::ip_number::IpKind::WorksCopyright,
            };
            assert!(kind.parse_number(f[2]).is_ok(), "{line}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
