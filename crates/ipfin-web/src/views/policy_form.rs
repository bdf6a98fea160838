//! The structured drafting form: the fields an official changes every year — title, modes, IP
//! types, each item's ratio and cap for large enterprises and SMEs, the yearly cap, the budget,
//! two batches, extra conditions, contact — read from and written back into the policy
//! document. Everything else in the document (LPR rules, base limits, rewards) is kept.

use ipfin_domain::FieldError;
use ipfin_domain::policy::BudgetMode;
use ipfin_domain::policy::document::{Batch, Budget, FinancingMode, IpType, PolicyDocument};
use ipfin_domain::policy::rules::{CapPeriod, EnterpriseCap, Item, ItemRule, PerClass, Ratio};
use rust_decimal::Decimal;

/// One item's row of the form.
pub struct ItemRow {
    pub code: &'static str,
    pub name: &'static str,
    pub on: bool,
    pub large: String,
    pub sme: String,
    pub cap_large: String,
    pub cap_sme: String,
    /// The document distinguishes medium, small and micro, which the form cannot show.
    pub finer: bool,
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
    pub ent_cap_large: String,
    pub ent_cap_sme: String,
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

fn yuan(fen: Option<i64>) -> String {
    fen.map(|f| {
        let d = Decimal::new(f, 2).normalize();
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
                    large: rule.map(|r| pct(r.ratio.large)).unwrap_or_default(),
                    sme: rule.map(|r| pct(r.ratio.small)).unwrap_or_default(),
                    cap_large: rule.map(|r| yuan(r.cap_fen.large)).unwrap_or_default(),
                    cap_sme: rule.map(|r| yuan(r.cap_fen.small)).unwrap_or_default(),
                    finer: rule.is_some_and(|r| {
                        r.ratio.medium != r.ratio.small
                            || r.ratio.micro != r.ratio.small
                            || r.cap_fen.medium != r.cap_fen.small
                            || r.cap_fen.micro != r.cap_fen.small
                    }),
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
            ent_cap_large: yuan(ec.and_then(|c| c.amount_fen.large)),
            ent_cap_sme: yuan(ec.and_then(|c| c.amount_fen.small)),
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

fn amount(v: &str, field: &'static str) -> Result<Option<i64>, FieldError> {
    if v.is_empty() {
        return Ok(None);
    }
    ipfin_domain::money::parse_amount(v, 100)
        .map(Some)
        .ok_or_else(|| {
            FieldError::new(
                field,
                "policy.cap_negative",
                "金额应为不小于 0 的数字（单位元，最多两位小数）；不设上限请留空。",
                "An amount is a number of at least 0 (yuan); leave it empty for no cap.",
            )
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
        let large = ratio(get(pairs, &format!("{c}_large")), field)?;
        let sme = ratio(get(pairs, &format!("{c}_sme")), field)?;
        let cap_large = amount(get(pairs, &format!("{c}_cap_large")), field)?;
        let cap_sme = amount(get(pairs, &format!("{c}_cap_sme")), field)?;
        let mut rule = doc
            .rules
            .items
            .iter()
            .find(|r| r.item == item)
            .cloned()
            .unwrap_or(ItemRule {
                item,
                ratio: PerClass::all(Ratio::ZERO),
                ratio_if_guaranteed: None,
                cap_fen: PerClass::all(None),
                cap_share_of_principal: None,
                base_max_share_of_principal: None,
                interest: None,
            });
        rule.ratio = PerClass::large_and_sme(large, sme);
        rule.cap_fen = PerClass::large_and_sme(cap_large, cap_sme);
        items.push(rule);
    }
    doc.rules.items = items;
    let cap_large = amount(get(pairs, "ent_cap_large"), "ent_cap_large")?;
    let cap_sme = amount(get(pairs, "ent_cap_sme"), "ent_cap_sme")?;
    doc.rules.enterprise_cap = (cap_large.is_some() || cap_sme.is_some()).then(|| EnterpriseCap {
        amount_fen: PerClass::large_and_sme(cap_large, cap_sme),
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
