//! The structured drafting form: the fields an official changes every year — title, modes, IP
//! types, each item's ratio and cap per enterprise class (large, medium, small, micro; `_sme`
//! fields set the three SME classes at once), the yearly cap, the budget,
//! two batches, extra conditions, contact — read from and written back into the policy
//! document. Everything else in the document (LPR rules, base limits, rewards) is kept.

use ipfin_domain::policy::BudgetMode;
use ipfin_domain::policy::document::{Batch, Budget, FinancingMode, IpType, PolicyDocument};
use ipfin_domain::policy::rules::{CapPeriod, EnterpriseCap, Item, ItemRule, PerClass, Ratio};
use ipfin_domain::size::SizeClass;
use ipfin_domain::{Fen, FieldError};
use rust_decimal::Decimal;

/// The enterprise classes in form order, with the suffix of their fields.
pub const CLASSES: [(SizeClass, &str); 4] = [
    (SizeClass::Large, "large"),
    (SizeClass::Medium, "medium"),
    (SizeClass::Small, "small"),
    (SizeClass::Micro, "micro"),
];

/// One value per class as text: (field suffix, class label, value).
pub type ClassValues = Vec<(&'static str, &'static str, String)>;

/// One item's row of the form.
pub struct ItemRow {
    pub code: &'static str,
    pub name: &'static str,
    pub on: bool,
    pub ratios: ClassValues,
    pub caps: ClassValues,
    /// Cap per enterprise per policy year (issue #19 item 3).
    pub annual_caps: ClassValues,
}

fn per_class<T: Copy>(p: Option<&PerClass<T>>, show: impl Fn(T) -> String) -> ClassValues {
    CLASSES
        .iter()
        .map(|(c, suffix)| {
            (
                *suffix,
                c.zh(),
                p.map(|p| show(p.get(*c))).unwrap_or_default(),
            )
        })
        .collect()
}

/// The form's values, as text.
pub struct PolicyForm {
    pub title: String,
    pub year: String,
    pub summary: String,
    pub contact: String,
    pub modes: Vec<(&'static str, &'static str, bool)>,
    pub ip_types: Vec<(&'static str, &'static str, bool)>,
    pub items: Vec<ItemRow>,
    pub ent_caps: ClassValues,
    pub ent_cap_period: String,
    pub budget: String,
    pub budget_mode: String,
    pub batches: Vec<(String, String, String)>,
    pub extra_conditions: String,
}

const MODES: [(FinancingMode, &str); 4] = [
    (FinancingMode::Pledge, "pledge"),
    (FinancingMode::Insurance, "insurance"),
    (FinancingMode::Securitisation, "securitisation"),
    (FinancingMode::Other, "other"),
];
const IP_TYPES: [(IpType, &str); 3] = [
    (IpType::Patent, "patent"),
    (IpType::Trademark, "trademark"),
    (IpType::Copyright, "copyright"),
];

fn pct(r: Ratio) -> String {
    (r.value() * Decimal::ONE_HUNDRED).normalize().to_string()
}

fn yuan(fen: Option<Fen>) -> String {
    fen.map(|f| {
        let d = Decimal::new(f.get(), 2).normalize();
        d.to_string()
    })
    .unwrap_or_default()
}

impl PolicyForm {
    pub fn from_doc(d: &PolicyDocument) -> PolicyForm {
        let items = Item::ALL
            .iter()
            .map(|i| {
                let rule = d.rules.items.iter().find(|r| r.item == *i);
                ItemRow {
                    code: i.code(),
                    name: i.zh(),
                    on: rule.is_some(),
                    ratios: per_class(rule.map(|r| &r.ratio), pct),
                    caps: per_class(rule.map(|r| &r.cap_fen), yuan),
                    annual_caps: per_class(rule.map(|r| &r.annual_cap_fen), yuan),
                }
            })
            .collect();
        let ec = d.rules.enterprise_cap.as_ref();
        let mut batches: Vec<(String, String, String)> = d
            .batches
            .iter()
            .map(|b| (b.name.clone(), b.opens.to_string(), b.closes.to_string()))
            .collect();
        batches.resize(
            batches.len().max(2),
            (String::new(), String::new(), String::new()),
        );
        PolicyForm {
            title: d.title.clone(),
            year: d.year.to_string(),
            summary: d.summary.clone(),
            contact: d.contact.clone(),
            modes: MODES
                .iter()
                .map(|(m, c)| (*c, m.zh(), d.financing_modes.contains(m)))
                .collect(),
            ip_types: IP_TYPES
                .iter()
                .map(|(t, c)| (*c, t.zh(), d.ip_types.contains(t)))
                .collect(),
            items,
            ent_caps: per_class(ec.map(|c| &c.amount_fen), yuan),
            ent_cap_period: match ec.map(|c| c.period) {
                Some(CapPeriod::Lifetime) => "lifetime".into(),
                _ => "year".into(),
            },
            budget: yuan(d.budget.map(|b| b.total_fen)),
            budget_mode: match d.budget.map(|b| b.mode) {
                Some(BudgetMode::FirstComeFirstServed) => "first_come_first_served".into(),
                _ => "pro_rata".into(),
            },
            batches,
            extra_conditions: d.eligibility.extra_conditions.join("\n"),
        }
    }
}

fn get<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim())
        .unwrap_or("")
}

fn has(pairs: &[(String, String)], name: &str, value: &str) -> bool {
    pairs.iter().any(|(k, v)| k == name && v == value)
}

fn ratio(v: &str, field: &'static str) -> Result<Ratio, FieldError> {
    v.trim_end_matches('%')
        .parse::<Decimal>()
        .ok()
        .and_then(|p| Ratio::percent(p).ok())
        .ok_or_else(|| {
            FieldError::new(
                field,
                "policy.ratio",
                "资助比例应为 0 到 100 之间的百分数，例如 70。",
                "A ratio is a percentage between 0 and 100, e.g. 70.",
            )
        })
}

fn amount(v: &str, field: &'static str) -> Result<Option<Fen>, FieldError> {
    if v.is_empty() {
        return Ok(None);
    }
    ipfin_domain::money::parse_amount(v, 100)
        .map(|f| Some(Fen::new(f)))
        .ok_or_else(|| {
            FieldError::new(
                field,
                "policy.cap_negative",
                "金额应为不小于 0 的数字（单位元，最多两位小数）；不设上限请留空。",
                "An amount is a number of at least 0 (yuan); leave it empty for no cap.",
            )
        })
}

/// Reads `{prefix}_large`, `_medium`, `_small`, `_micro`; a class left out takes
/// `{prefix}_sme` (one value for the three SME classes, as older forms and scripts send).
fn read_classes<T: Copy>(
    pairs: &[(String, String)],
    prefix: &str,
    parse: impl Fn(&str) -> Result<T, FieldError>,
) -> Result<PerClass<T>, FieldError> {
    let sme = get(pairs, &format!("{prefix}_sme"));
    let value = |suffix: &str| {
        let name = format!("{prefix}_{suffix}");
        let given = pairs.iter().any(|(k, _)| *k == name);
        let v = get(pairs, &name);
        parse(if !given && suffix != "large" { sme } else { v })
    };
    Ok(PerClass {
        large: value("large")?,
        medium: value("medium")?,
        small: value("small")?,
        micro: value("micro")?,
    })
}

/// Writes the form's fields into the document (keeping everything the form does not show).
pub fn apply(doc: &mut PolicyDocument, pairs: &[(String, String)]) -> Result<(), FieldError> {
    doc.title = get(pairs, "title").to_string();
    doc.year = get(pairs, "year").parse().map_err(|_| {
        FieldError::new(
            "year",
            "policy.year",
            "请填写政策年度，例如 2026。",
            "Enter the policy year, e.g. 2026.",
        )
    })?;
    doc.summary = get(pairs, "summary").to_string();
    doc.contact = get(pairs, "contact").to_string();
    doc.financing_modes = MODES
        .iter()
        .filter(|(_, c)| has(pairs, "mode", c))
        .map(|(m, _)| *m)
        .collect();
    doc.ip_types = IP_TYPES
        .iter()
        .filter(|(_, c)| has(pairs, "ip", c))
        .map(|(t, _)| *t)
        .collect();
    let mut items = Vec::new();
    for item in Item::ALL {
        let c = item.code();
        if !has(pairs, "item", c) {
            continue;
        }
        let field: &'static str = match item {
            Item::Interest => "interest_large",
            Item::Evaluation => "evaluation_large",
            Item::Guarantee => "guarantee_large",
            Item::Insurance => "insurance_large",
        };
        let ratios = read_classes(pairs, c, |v| ratio(v, field))?;
        let caps = read_classes(pairs, &format!("{c}_cap"), |v| amount(v, field))?;
        let mut rule = doc
            .rules
            .items
            .iter()
            .find(|r| r.item == item)
            .cloned()
            .unwrap_or_else(|| ItemRule::new(item, PerClass::all(Ratio::ZERO)));
        rule.ratio = ratios;
        rule.cap_fen = caps;
        // The annual caps where the form sends them (a client that does not know them keeps
        // what the document says).
        let annual = format!("{c}_annual_cap");
        if pairs.iter().any(|(k, _)| k.starts_with(&annual)) {
            rule.annual_cap_fen = read_classes(pairs, &annual, |v| amount(v, field))?;
        }
        items.push(rule);
    }
    doc.rules.items = items;
    let ent_caps = read_classes(pairs, "ent_cap", |v| amount(v, "ent_cap_large"))?;
    let any_cap = CLASSES.iter().any(|(c, _)| ent_caps.get(*c).is_some());
    doc.rules.enterprise_cap = any_cap.then(|| EnterpriseCap {
        amount_fen: ent_caps,
        period: if get(pairs, "ent_cap_period") == "lifetime" {
            CapPeriod::Lifetime
        } else {
            CapPeriod::Year
        },
    });
    doc.budget = amount(get(pairs, "budget"), "budget")?.map(|total_fen| Budget {
        total_fen,
        mode: if get(pairs, "budget_mode") == "first_come_first_served" {
            BudgetMode::FirstComeFirstServed
        } else {
            BudgetMode::ProRata
        },
    });
    let mut batches = Vec::new();
    for k in 1..=2 {
        let name = get(pairs, &format!("batch{k}_name"));
        let (opens, closes) = (
            get(pairs, &format!("batch{k}_opens")),
            get(pairs, &format!("batch{k}_closes")),
        );
        if name.is_empty() && opens.is_empty() && closes.is_empty() {
            continue;
        }
        let date = |v: &str| {
            chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| {
                FieldError::new(
                    if k == 1 {
                        "batch1_opens"
                    } else {
                        "batch2_opens"
                    },
                    "date.format",
                    "请填写批次的开始和截止日期，例如 2026-03-02。",
                    "Enter the batch's dates, e.g. 2026-03-02.",
                )
            })
        };
        batches.push(Batch {
            name: if name.is_empty() {
                format!("第{k}批")
            } else {
                name.to_string()
            },
            opens: date(opens)?,
            closes: date(closes)?,
        });
    }
    doc.batches = batches;
    doc.eligibility.extra_conditions = get(pairs, "extra_conditions")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    Ok(())
}
