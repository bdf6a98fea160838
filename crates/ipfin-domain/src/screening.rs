//! Screening (数据化手段筛选, SPEC §6 R3.2; issue #20 item 2): a transparent scoring model that
//! finds enterprises likely to need and qualify for IP pledge financing. Each factor turns one
//! fact of the enterprise into a level (e.g. 有效发明专利 5–9 件 → level 3 of 4); the score is
//! the sum over factors of `weight × level ÷ top level`. A fact that is not known is *missing*:
//! it contributes nothing and is shown as 缺失, never as zero.
//!
//! Levels are small integers, so an enterprise's levels pack into one number (its *profile*),
//! and every enterprise with the same profile has the same score under every model: the store
//! scores a city by its profiles (decision 0033).

use crate::message::{FieldError, Lang};
use crate::money::Fen;
use crate::size::SizeClass;
use serde::{Deserialize, Serialize};

code_enum! {
    /// The factors of the model, in the order the page shows them.
    Factor {
        InventionPatents = "invention_patents", "有效发明专利", "Invention patents in force";
        Trademarks = "trademarks", "有效注册商标", "Registered trademarks";
        Copyrights = "copyrights", "著作权登记", "Copyright registrations";
        PortfolioGrowth = "portfolio_growth", "近两年新增知识产权", "New IP in the last two years";
        RdIntensity = "rd_intensity", "研发投入强度", "R&D intensity";
        Revenue = "revenue", "营业收入", "Operating revenue";
        RevenueGrowth = "revenue_growth", "营业收入增长率", "Revenue growth";
        NoIpPledge = "no_ip_pledge", "无在押知识产权质押", "No current IP pledge";
        FinancingNeed = "financing_need", "已申报融资需求", "Declared financing need";
        NoAbnormalOperation = "no_abnormal_operation", "无经营异常记录", "No abnormal-operation record";
        NoDishonestRecord = "no_dishonest_record", "无失信记录", "No dishonest record";
        Size = "size_class", "企业规模", "Size class";
    }
}

code_enum! {
    /// Where a score stands against the model's threshold.
    Band {
        High = "high", "优先", "High";
        Qualified = "qualified", "达标", "Qualified";
        Below = "below", "未达标", "Below threshold";
    }
}

/// How a factor's levels read: the top level and the words of each level (zh, en).
struct Levels {
    top: u8,
    words: &'static [(&'static str, &'static str)],
}

impl Factor {
    fn levels(self) -> Levels {
        let (top, words): (u8, &'static [(&'static str, &'static str)]) = match self {
            Factor::InventionPatents => (
                4,
                &[
                    ("0 件", "none"),
                    ("1 件", "1"),
                    ("2–4 件", "2–4"),
                    ("5–9 件", "5–9"),
                    ("10 件及以上", "10 or more"),
                ],
            ),
            Factor::Trademarks | Factor::Copyrights => (
                3,
                &[
                    ("0 件", "none"),
                    ("1–2 件", "1–2"),
                    ("3–9 件", "3–9"),
                    ("10 件及以上", "10 or more"),
                ],
            ),
            Factor::PortfolioGrowth => (
                3,
                &[
                    ("无新增", "none"),
                    ("新增 1 件", "1 new"),
                    ("新增 2–4 件", "2–4 new"),
                    ("新增 5 件及以上", "5 or more new"),
                ],
            ),
            Factor::RdIntensity => (
                3,
                &[
                    ("低于 1%", "below 1%"),
                    ("1%–3%", "1%–3%"),
                    ("3%–6%", "3%–6%"),
                    ("6% 及以上", "6% or more"),
                ],
            ),
            Factor::Revenue => (
                3,
                &[
                    ("低于 500 万元", "below ¥5m"),
                    ("500 万–2000 万元", "¥5m–20m"),
                    ("2000 万–1 亿元", "¥20m–100m"),
                    ("1 亿元及以上", "¥100m or more"),
                ],
            ),
            Factor::RevenueGrowth => (
                3,
                &[
                    ("下降", "falling"),
                    ("增长 0–10%", "0–10%"),
                    ("增长 10%–30%", "10%–30%"),
                    ("增长 30% 及以上", "30% or more"),
                ],
            ),
            Factor::NoIpPledge => (1, &[("有在押质押", "pledged now"), ("无", "none")]),
            Factor::FinancingNeed => (1, &[("未申报", "none declared"), ("已申报", "declared")]),
            Factor::NoAbnormalOperation => (
                1,
                &[("列入经营异常名录", "listed as abnormal"), ("无", "none")],
            ),
            Factor::NoDishonestRecord => (
                1,
                &[
                    ("失信被执行人", "dishonest judgment debtor"),
                    ("无", "none"),
                ],
            ),
            Factor::Size => (
                2,
                &[
                    ("大型", "large"),
                    ("微型", "micro"),
                    ("小型或中型", "small or medium"),
                ],
            ),
        };
        Levels { top, words }
    }

    /// The highest level of the factor (a fact at this level earns the whole weight).
    pub fn top(self) -> u8 {
        self.levels().top
    }

    /// The words of a level, e.g. `5–9 件`; a missing fact is 缺失.
    pub fn level_text(self, level: Option<u8>, lang: Lang) -> &'static str {
        match level {
            None => match lang {
                Lang::Zh => "缺失",
                Lang::En => "missing",
            },
            Some(l) => self
                .levels()
                .words
                .get(usize::from(l))
                .map(|(zh, en)| match lang {
                    Lang::Zh => *zh,
                    Lang::En => *en,
                })
                .unwrap_or("?"),
        }
    }

    /// The field a weight of this factor is checked as (`weights.<code>`).
    pub fn field(self) -> &'static str {
        match self {
            Factor::InventionPatents => "weights.invention_patents",
            Factor::Trademarks => "weights.trademarks",
            Factor::Copyrights => "weights.copyrights",
            Factor::PortfolioGrowth => "weights.portfolio_growth",
            Factor::RdIntensity => "weights.rd_intensity",
            Factor::Revenue => "weights.revenue",
            Factor::RevenueGrowth => "weights.revenue_growth",
            Factor::NoIpPledge => "weights.no_ip_pledge",
            Factor::FinancingNeed => "weights.financing_need",
            Factor::NoAbnormalOperation => "weights.no_abnormal_operation",
            Factor::NoDishonestRecord => "weights.no_dishonest_record",
            Factor::Size => "weights.size_class",
        }
    }

    fn index(self) -> usize {
        Factor::ALL.iter().position(|f| *f == self).unwrap_or(0)
    }
}

/// The number of factors.
pub const FACTORS: usize = 12;

/// What is known of an enterprise, as the store reads it. Counts of IP come from the IP
/// register (an enterprise with none has zero); everything else may be unknown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    /// Patents of kind invention (or PCT invention) in force.
    pub invention_patents: u32,
    /// Trademarks in force.
    pub trademarks: u32,
    /// Software and works copyright registrations in force.
    pub copyrights: u32,
    /// IP in force granted or registered in the two years up to the scoring date.
    pub recent_grants: u32,
    pub rd_expense_fen: Option<Fen>,
    pub revenue_fen: Option<Fen>,
    /// The previous year's revenue.
    pub prev_revenue_fen: Option<Fen>,
    /// A pledge registration not cancelled (always known: the register is ours).
    pub current_pledge: bool,
    pub financing_need: Option<bool>,
    pub abnormal_operation: Option<bool>,
    pub dishonest: Option<bool>,
    pub size: Option<SizeClass>,
}

/// The level a count reaches: the number of steps it is at or above.
fn steps(value: i128, steps: &[i128]) -> u8 {
    steps.iter().filter(|s| value >= **s).count() as u8
}

/// A ratio `num / den` against steps in basis points (1% = 100), exactly.
fn ratio_steps(num: i128, den: i128, bp: &[i128]) -> u8 {
    bp.iter().filter(|b| num * 10_000 >= den * **b).count() as u8
}

/// The levels of every factor (`None`: the fact is missing).
pub fn levels(f: &Facts) -> [Option<u8>; FACTORS] {
    let yuan = |y: i128| y * 100;
    let rd = match (f.rd_expense_fen, f.revenue_fen) {
        (Some(rd), Some(rev)) if rd >= 0 && rev > 0 => Some(ratio_steps(
            i128::from(rd.get()),
            i128::from(rev.get()),
            &[100, 300, 600],
        )),
        _ => None,
    };
    let growth = match (f.revenue_fen, f.prev_revenue_fen) {
        (Some(now), Some(prev)) if now >= 0 && prev > 0 => Some(ratio_steps(
            i128::from(now.get()) - i128::from(prev.get()),
            i128::from(prev.get()),
            &[0, 1_000, 3_000],
        )),
        _ => None,
    };
    [
        Some(steps(f.invention_patents.into(), &[1, 2, 5, 10])),
        Some(steps(f.trademarks.into(), &[1, 3, 10])),
        Some(steps(f.copyrights.into(), &[1, 3, 10])),
        Some(steps(f.recent_grants.into(), &[1, 2, 5])),
        rd,
        f.revenue_fen.filter(|r| *r >= 0).map(|r| {
            steps(
                r.get().into(),
                &[yuan(5_000_000), yuan(20_000_000), yuan(100_000_000)],
            )
        }),
        growth,
        Some(u8::from(!f.current_pledge)),
        f.financing_need.map(u8::from),
        f.abnormal_operation.map(|a| u8::from(!a)),
        f.dishonest.map(|d| u8::from(!d)),
        f.size.map(|s| match s {
            SizeClass::Large => 0,
            SizeClass::Micro => 1,
            SizeClass::Small | SizeClass::Medium => 2,
        }),
    ]
}

/// Levels packed into one number, three bits a factor (7: missing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Profile(pub i64);

const MISSING: i64 = 7;

impl Profile {
    pub fn of(levels: &[Option<u8>; FACTORS]) -> Profile {
        let mut p = 0i64;
        for (i, l) in levels.iter().enumerate() {
            let v = l.map(|l| i64::from(l.min(6))).unwrap_or(MISSING);
            p |= v << (3 * i);
        }
        Profile(p)
    }

    pub fn levels(self) -> [Option<u8>; FACTORS] {
        let mut out = [None; FACTORS];
        for (i, o) in out.iter_mut().enumerate() {
            let v = (self.0 >> (3 * i)) & 7;
            *o = (v != MISSING).then_some(v as u8);
        }
        out
    }

    pub fn level(self, f: Factor) -> Option<u8> {
        self.levels()[f.index()]
    }
}

/// The highest weight of one factor.
pub const MAX_WEIGHT: i64 = 100;

/// A scoring model: a weight (0–100 points) per factor and a threshold in points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Model {
    pub weights: [u32; FACTORS],
    pub threshold: u32,
}

/// Scores are kept in twelfths of a point, so that every level's share of a weight (levels
/// have 1, 2, 3 or 4 steps) is a whole number and no rounding ever decides a threshold.
pub const TWELFTHS: u32 = 12;

/// A score in twelfths of a point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Score(pub u32);

impl Score {
    /// The score in points with one decimal, e.g. `47.5` (rounded half up, for display).
    pub fn display(self) -> String {
        let tenths = (self.0 * 10 + TWELFTHS / 2) / TWELFTHS;
        format!("{}.{}", tenths / 10, tenths % 10)
    }
}

impl std::fmt::Display for Score {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.display())
    }
}

/// One factor's part of a score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Contribution {
    pub factor: Factor,
    /// `None`: the fact is missing.
    pub level: Option<u8>,
    pub points: Score,
    /// The factor's weight (what the top level earns).
    pub weight: u32,
}

impl Contribution {
    /// 有效发明专利：5–9 件，15.0 / 20 分 — or 研发投入强度：缺失（0 / 10 分）.
    pub fn text(&self, lang: Lang) -> String {
        let words = self.factor.level_text(self.level, lang);
        match (lang, self.level) {
            (Lang::Zh, Some(_)) => format!(
                "{}：{words}，{} / {} 分",
                self.factor.zh(),
                self.points,
                self.weight
            ),
            (Lang::Zh, None) => {
                format!("{}：缺失（不计分，满分 {}）", self.factor.zh(), self.weight)
            }
            (Lang::En, Some(_)) => format!(
                "{}: {words}, {} / {}",
                self.factor.en(),
                self.points,
                self.weight
            ),
            (Lang::En, None) => format!(
                "{}: missing (no points, of {})",
                self.factor.en(),
                self.weight
            ),
        }
    }
}

impl Model {
    /// The default model: IP first (invention patents weigh most), then the need for money and
    /// the ability to repay; 100 points in all, threshold 40.
    pub fn default_model() -> Model {
        Model {
            weights: [20, 6, 6, 10, 10, 8, 8, 10, 10, 4, 4, 4],
            threshold: 40,
        }
    }

    pub fn weight(&self, f: Factor) -> u32 {
        self.weights[f.index()]
    }

    /// The most points an enterprise can reach.
    pub fn total(&self) -> u32 {
        self.weights.iter().sum()
    }

    /// Checks a model as typed: every weight 0–100 (a negative one is refused), not all zero,
    /// the threshold from 0 to the total of the weights. Every problem at once, each beside
    /// its field.
    pub fn check(weights: &[(Factor, i64)], threshold: i64) -> Result<Model, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut out = [0u32; FACTORS];
        for f in Factor::ALL {
            let Some((_, w)) = weights.iter().find(|(g, _)| g == f) else {
                errors.push(FieldError::new(
                    f.field(),
                    "screening.weight_missing",
                    format!("请填写“{}”的权重（0 至 {MAX_WEIGHT} 的整数）。", f.zh()),
                    format!("Give the weight of “{}” (0 to {MAX_WEIGHT}).", f.en()),
                ));
                continue;
            };
            if *w < 0 {
                errors.push(FieldError::new(
                    f.field(),
                    "screening.weight_negative",
                    format!(
                        "“{}”的权重不能为负数（应为 0 至 {MAX_WEIGHT} 的整数）。",
                        f.zh()
                    ),
                    format!("The weight of “{}” cannot be negative.", f.en()),
                ));
            } else if *w > MAX_WEIGHT {
                errors.push(FieldError::new(
                    f.field(),
                    "screening.weight_too_large",
                    format!("“{}”的权重不能超过 {MAX_WEIGHT}。", f.zh()),
                    format!("The weight of “{}” is at most {MAX_WEIGHT}.", f.en()),
                ));
            } else {
                out[f.index()] = *w as u32;
            }
        }
        let total: i64 = weights
            .iter()
            .filter(|(_, w)| *w > 0)
            .map(|(_, w)| (*w).min(MAX_WEIGHT))
            .sum();
        if total == 0 && weights.iter().all(|(_, w)| *w <= 0) {
            errors.push(FieldError::new(
                "weights",
                "screening.weights_all_zero",
                "权重不能全部为 0：至少为一个因素设置大于 0 的权重。",
                "At least one weight must be above zero.",
            ));
        }
        if threshold < 0 || (total > 0 && threshold > total) {
            errors.push(FieldError::new(
                "threshold",
                "screening.threshold",
                format!("入选分数线应为 0 至权重合计（{total} 分）之间的整数。"),
                format!("The threshold must be from 0 to the total of the weights ({total})."),
            ));
        }
        if errors.is_empty() {
            Ok(Model {
                weights: out,
                threshold: threshold as u32,
            })
        } else {
            Err(errors)
        }
    }

    /// The score of a profile.
    pub fn score(&self, p: Profile) -> Score {
        let levels = p.levels();
        let mut s = 0u32;
        for (i, f) in Factor::ALL.iter().enumerate() {
            if let Some(l) = levels[i] {
                let top = u32::from(f.top());
                s += self.weights[i] * u32::from(l.min(f.top())) * (TWELFTHS / top);
            }
        }
        Score(s)
    }

    /// Each factor's part of a profile's score, in the factors' order.
    pub fn explain(&self, p: Profile) -> Vec<Contribution> {
        let levels = p.levels();
        Factor::ALL
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let weight = self.weights[i];
                let level = levels[i].map(|l| l.min(f.top()));
                Contribution {
                    factor: *f,
                    level,
                    points: Score(level.map_or(0, |l| {
                        weight * u32::from(l) * (TWELFTHS / u32::from(f.top()))
                    })),
                    weight,
                }
            })
            .collect()
    }

    /// Whether a score reaches the threshold.
    pub fn passes(&self, s: Score) -> bool {
        s.0 >= self.threshold * TWELFTHS
    }

    /// The band of a score: below the threshold, at or above it, or in the upper half between
    /// the threshold and the most points an enterprise can reach (优先).
    pub fn band(&self, s: Score) -> Band {
        if !self.passes(s) {
            Band::Below
        } else if s.0 * 2 >= (self.threshold + self.total()) * TWELFTHS {
            Band::High
        } else {
            Band::Qualified
        }
    }

    /// The weights as (factor code, weight), for storing and the API.
    pub fn weight_pairs(&self) -> Vec<(&'static str, u32)> {
        Factor::ALL
            .iter()
            .map(|f| (f.code(), self.weight(*f)))
            .collect()
    }
}

/// How many enterprises a new model takes in and lets go compared with the saved one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Shift {
    /// Passing under the saved model.
    pub before: u64,
    /// Passing under the new model.
    pub after: u64,
    /// Passing under the new model only.
    pub entering: u64,
    /// Passing under the saved model only.
    pub leaving: u64,
}

/// The shift between two models over profiles with their counts.
pub fn shift(old: &Model, new: &Model, profiles: &[(Profile, u64)]) -> Shift {
    let mut s = Shift::default();
    for (p, n) in profiles {
        let a = old.passes(old.score(*p));
        let b = new.passes(new.score(*p));
        s.before += u64::from(a) * n;
        s.after += u64::from(b) * n;
        s.entering += u64::from(!a && b) * n;
        s.leaving += u64::from(a && !b) * n;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(weights: &[i64]) -> Vec<(Factor, i64)> {
        Factor::ALL
            .iter()
            .copied()
            .zip(weights.iter().copied())
            .collect()
    }

    #[test]
    fn the_default_model_is_valid_and_totals_100() {
        let m = Model::default_model();
        assert_eq!(m.total(), 100);
        let pairs: Vec<(Factor, i64)> = Factor::ALL
            .iter()
            .map(|f| (*f, i64::from(m.weight(*f))))
            .collect();
        assert_eq!(Model::check(&pairs, 40), Ok(m));
    }

    #[test]
    fn negative_and_all_zero_weights_are_refused_beside_their_fields() {
        let mut w = vec![0i64; FACTORS];
        let e = Model::check(&all(&w), 0).unwrap_err();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].field, "weights");
        assert!(e[0].msg.zh.contains("不能全部为 0"), "{}", e[0].msg.zh);
        w[0] = -5;
        let e = Model::check(&all(&w), 50).unwrap_err();
        let fields: Vec<&str> = e.iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["weights.invention_patents", "weights"]);
        assert!(e[0].msg.zh.contains("有效发明专利") && e[0].msg.zh.contains("负数"));
        w[3] = 101;
        let e = Model::check(&all(&w), -1).unwrap_err();
        let fields: Vec<&str> = e.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            vec![
                "weights.invention_patents",
                "weights.portfolio_growth",
                "threshold"
            ]
        );
        w = vec![10; FACTORS];
        let e = Model::check(&all(&w), 121).unwrap_err();
        assert_eq!(e[0].field, "threshold");
        assert!(e[0].msg.zh.contains("120"), "{}", e[0].msg.zh);
        assert!(Model::check(&all(&w), 120).is_ok());
        let e = Model::check(&all(&w)[..11], 10).unwrap_err();
        assert_eq!(e[0].field, "weights.size_class");
    }

    #[test]
    fn levels_follow_the_facts_and_missing_stays_missing() {
        let f = Facts {
            invention_patents: 5,
            trademarks: 2,
            copyrights: 10,
            recent_grants: 1,
            rd_expense_fen: Some(Fen::new(30_000_000)),
            revenue_fen: Some(Fen::new(1_000_000_000)),
            prev_revenue_fen: Some(Fen::new(800_000_000)),
            current_pledge: true,
            financing_need: Some(true),
            abnormal_operation: None,
            dishonest: Some(false),
            size: Some(SizeClass::Small),
        };
        let l = levels(&f);
        // 3% R&D is the 3%–6% level (a step is reached at its value), growth 25% is 10–30%.
        assert_eq!(
            l,
            [
                Some(3),
                Some(1),
                Some(3),
                Some(1),
                Some(2),
                Some(1),
                Some(2),
                Some(0),
                Some(1),
                None,
                Some(1),
                Some(2)
            ]
        );
        let p = Profile::of(&l);
        assert_eq!(p.levels(), l);
        let m = Model::default_model();
        // 20·3/4 + 6·1/3 + 6 + 10·1/3 + 10·2/3 + 8·1/3 + 8·2/3 + 0 + 10 + missing + 4 + 4
        // = 15 + 2 + 6 + 3⅓ + 6⅔ + 2⅔ + 5⅓ + 10 + 4 + 4 = 59
        assert_eq!(m.score(p), Score(59 * 12));
        assert_eq!(m.score(p).display(), "59.0");
        let ex = m.explain(p);
        assert_eq!(ex.iter().map(|c| c.points.0).sum::<u32>(), 59 * 12);
        assert_eq!(ex[0].text(Lang::Zh), "有效发明专利：5–9 件，15.0 / 20 分");
        assert_eq!(
            ex[9].text(Lang::Zh),
            "无经营异常记录：缺失（不计分，满分 4）"
        );
        assert_eq!(ex[9].points, Score(0));
        // Unknown revenue: revenue, R&D intensity and growth are all missing, not zero.
        let l = levels(&Facts {
            rd_expense_fen: Some(Fen::new(1)),
            ..Facts::default()
        });
        assert_eq!((l[4], l[5], l[6]), (None, None, None));
        // A falling revenue is known (level 0), a zero previous year is not a base.
        let l = levels(&Facts {
            revenue_fen: Some(Fen::new(90)),
            prev_revenue_fen: Some(Fen::new(100)),
            ..Facts::default()
        });
        assert_eq!(l[6], Some(0));
        let l = levels(&Facts {
            revenue_fen: Some(Fen::new(90)),
            prev_revenue_fen: Some(Fen::new(0)),
            ..Facts::default()
        });
        assert_eq!(l[6], None);
    }

    #[test]
    fn bands_and_shift() {
        let m = Model::default_model();
        assert_eq!(m.band(Score(39 * 12 + 11)), Band::Below);
        assert_eq!(m.band(Score(40 * 12)), Band::Qualified);
        assert_eq!(m.band(Score(70 * 12)), Band::High);
        let rich = Profile::of(&[Some(4); FACTORS]);
        let none = Profile::of(&[None; FACTORS]);
        assert_eq!(m.score(rich), Score(100 * 12));
        assert_eq!(m.score(none), Score(0));
        let pledge_only = Profile::of(&levels(&Facts::default()));
        // Nothing known but the registers: no IP, no pledge → 10 points.
        assert_eq!(m.score(pledge_only), Score(10 * 12));
        let mut low = m.clone();
        low.threshold = 10;
        let s = shift(&m, &low, &[(rich, 3), (none, 5), (pledge_only, 7)]);
        assert_eq!(
            s,
            Shift {
                before: 3,
                after: 10,
                entering: 7,
                leaving: 0
            }
        );
    }

    #[test]
    fn every_level_has_words() {
        for f in Factor::ALL {
            for l in 0..=f.top() {
                assert_ne!(f.level_text(Some(l), Lang::Zh), "?", "{f:?} {l}");
            }
            assert_eq!(f.level_text(Some(f.top() + 1), Lang::Zh), "?");
            assert!(f.field().ends_with(f.code()));
            assert_eq!(TWELFTHS % u32::from(f.top()), 0);
        }
    }
}
