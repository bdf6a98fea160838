//! Push lists to banks (推送, SPEC §6, R3.2; issue #20 items 3–5): who may be pushed (consent),
//! the district's push settings, how enterprises are assigned to the district's partner banks
//! (the enterprise's preference, fit with what a bank declares it lends on, or round-robin; at
//! most k banks each, never the same bank twice within the period), and a bank's follow-up.

use crate::id::OrgId;
use crate::message::FieldError;
use crate::money::{Fen, MoneyOverflow};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};

code_enum! {
    /// How a push list assigns its enterprises to banks.
    Method {
        Preference = "preference", "按企业意向银行", "By the enterprise's preferred banks";
        Fit = "fit", "按银行授信偏好匹配", "By fit with what banks lend on";
        RoundRobin = "round_robin", "轮流分配", "Round-robin";
    }
}

code_enum! {
    /// What put an enterprise on a push list.
    Source {
        Whitelist = "whitelist", "白名单", "Whitelist";
        Screening = "screening", "数据化筛选", "Screening";
    }
}

code_enum! {
    /// How a bank contacted a pushed enterprise.
    Channel {
        Phone = "phone", "电话", "Phone";
        Visit = "visit", "上门走访", "Visit";
        Online = "online", "线上", "Online";
        Meeting = "meeting", "银企对接会", "Matchmaking meeting";
        Other = "other", "其他", "Other";
    }
}

code_enum! {
    /// Where a bank's follow-up of a pushed enterprise stands.
    Outcome {
        NotReachable = "not_reachable", "未能联系上", "Not reachable";
        NotInterested = "not_interested", "企业暂无意向", "Not interested";
        NeedsTime = "needs_time", "企业需要时间考虑", "Needs more time";
        Applying = "applying", "已进入贷款申请", "Application in progress";
        Granted = "granted", "已放款", "Loan granted";
    }
}

impl Outcome {
    /// Whether the enterprise was reached (anything but "not reachable").
    pub fn contacted(self) -> bool {
        self != Outcome::NotReachable
    }
}

/// A district's push settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// At most this many banks per enterprise in one push list (k).
    pub max_banks: u32,
    /// A push lasts this many days (the bank sees the enterprise for that long), and the same
    /// enterprise is not pushed to the same bank again within it.
    pub period_days: u32,
    /// The bank should make first contact within this many working days.
    pub first_contact_working_days: u32,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            max_banks: 2,
            period_days: 90,
            first_contact_working_days: 10,
        }
    }
}

impl Settings {
    /// The settings as entered, checked: every problem at once.
    pub fn check(
        max_banks: i64,
        period_days: i64,
        first_contact_working_days: i64,
    ) -> Result<Settings, Vec<FieldError>> {
        let mut errors = Vec::new();
        if !(1..=10).contains(&max_banks) {
            errors.push(FieldError::new(
                "max_banks",
                "push.max_banks",
                "每户企业最多推送的银行数须为 1 至 10 之间的整数。",
                "Banks per enterprise must be a whole number from 1 to 10.",
            ));
        }
        if !(7..=366).contains(&period_days) {
            errors.push(FieldError::new(
                "period_days",
                "push.period_days",
                "推送有效期须为 7 至 366 天。",
                "The push period must be 7 to 366 days.",
            ));
        }
        if !(1..=60).contains(&first_contact_working_days) {
            errors.push(FieldError::new(
                "first_contact_working_days",
                "push.first_contact",
                "首次联系时限须为 1 至 60 个工作日。",
                "The first-contact limit must be 1 to 60 working days.",
            ));
        }
        if errors.is_empty() {
            Ok(Settings {
                max_banks: max_banks as u32,
                period_days: period_days as u32,
                first_contact_working_days: first_contact_working_days as u32,
            })
        } else {
            Err(errors)
        }
    }
}

/// What a bank declares it lends on (its IP-pledge lending preferences); an empty list or an
/// absent bound means "any".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lending {
    /// IP kinds it accepts as pledge (`patent`, `trademark`, …).
    pub ip_kinds: Vec<String>,
    pub min_fen: Option<Fen>,
    pub max_fen: Option<Fen>,
    /// GB/T 4754 industry code prefixes (`C`, `I65`).
    pub industries: Vec<String>,
}

impl Lending {
    /// The declaration as entered, checked: every problem at once.
    pub fn check(
        ip_kinds: Vec<String>,
        min_fen: Option<Fen>,
        max_fen: Option<Fen>,
        industries: Vec<String>,
    ) -> Result<Lending, Vec<FieldError>> {
        let mut errors = Vec::new();
        let bound = |v: Option<Fen>| {
            v.is_none_or(|n| (0..=crate::policy::calc::MAX_FEN).contains(&n.get()))
        };
        if !bound(min_fen) || !bound(max_fen) {
            errors.push(FieldError::new(
                "min_amount",
                "push.lending_amount",
                "授信金额须为不超过 1 万亿元的非负金额。",
                "Amounts must be non-negative and at most 10^12 yuan.",
            ));
        } else if let (Some(a), Some(b)) = (min_fen, max_fen)
            && a > b
        {
            errors.push(FieldError::new(
                "max_amount",
                "push.lending_range",
                "授信金额上限不能低于下限。",
                "The maximum cannot be below the minimum.",
            ));
        }
        if let Some(bad) = ip_kinds
            .iter()
            .find(|k| crate::ip_number::IpKind::from_code(k).is_none())
        {
            errors.push(FieldError::new(
                "ip_kinds",
                "push.lending_ip_kind",
                format!(
                    "知识产权类型“{bad}”无效，可选：{}。",
                    crate::ip_number::IpKind::ALL
                        .iter()
                        .map(|k| k.zh())
                        .collect::<Vec<_>>()
                        .join("、")
                ),
                "Unknown IP kind.",
            ));
        }
        let industries: Vec<String> = industries
            .into_iter()
            .map(|s| s.trim().to_uppercase())
            .filter(|s| !s.is_empty())
            .collect();
        if industries.iter().any(|s| {
            s.len() > 5
                || !s.starts_with(|c: char| c.is_ascii_uppercase())
                || !s[1..].chars().all(|c| c.is_ascii_digit())
        }) {
            errors.push(FieldError::new(
                "industries",
                "push.lending_industry",
                "行业须为国民经济行业分类代码（一个大写字母，可跟数字，如 C、I65），用逗号分隔。",
                "Industries are GB/T 4754 codes (a letter, optionally digits), comma-separated.",
            ));
        }
        if errors.is_empty() {
            Ok(Lending {
                ip_kinds,
                min_fen,
                max_fen,
                industries,
            })
        } else {
            Err(errors)
        }
    }
}

/// An enterprise that may be pushed, with the facts assignment decides on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub enterprise_id: i64,
    /// Banks the enterprise said it prefers (with its consent), in its order.
    pub preferred_banks: Vec<OrgId>,
    /// Kinds of its valid IP assets.
    pub ip_kinds: Vec<String>,
    /// The financing it declared it needs, if it did.
    pub need_fen: Option<Fen>,
    pub industry: Option<String>,
}

/// A partner bank of the district with its declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bank {
    pub org_id: OrgId,
    pub lending: Lending,
}

/// One enterprise assigned to one bank, with why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assigned {
    pub enterprise_id: i64,
    pub bank: OrgId,
    pub reason: String,
}

/// An enterprise the list leaves out, with why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    pub enterprise_id: i64,
    pub reason: String,
}

/// Which criteria of a bank's declaration an enterprise meets: `None` when one it declares is
/// not met, else the matched criteria in Chinese (empty: the bank declares nothing).
pub fn fit(c: &Candidate, l: &Lending) -> Option<Vec<String>> {
    let mut matched = Vec::new();
    if !l.ip_kinds.is_empty() {
        let kinds: Vec<&String> = c
            .ip_kinds
            .iter()
            .filter(|k| l.ip_kinds.contains(k))
            .collect();
        if kinds.is_empty() {
            return None;
        }
        let mut zh: Vec<String> = kinds
            .iter()
            .map(|k| {
                crate::ip_number::IpKind::from_code(k)
                    .map(|k| k.zh().to_string())
                    .unwrap_or_else(|| (*k).clone())
            })
            .collect();
        zh.dedup();
        matched.push(format!("知识产权类型（{}）", zh.join("、")));
    }
    if l.min_fen.is_some() || l.max_fen.is_some() {
        let need = c.need_fen?;
        if l.min_fen.is_some_and(|m| need < m) || l.max_fen.is_some_and(|m| need > m) {
            return None;
        }
        matched.push(format!("融资需求 {} 元在授信范围内", need.yuan()));
    }
    if !l.industries.is_empty() {
        let ind = c.industry.as_deref()?;
        let hit = l.industries.iter().find(|p| ind.starts_with(p.as_str()))?;
        matched.push(format!("行业（{hit}）"));
    }
    Some(matched)
}

/// Assigns candidates to banks by the method: at most `k` banks each, never a pair in
/// `recent` (pushed within the period), banks taken in turn so the list spreads evenly. Every
/// candidate ends either with at least one bank or in `skipped` with the reason.
pub fn assign(
    candidates: &[Candidate],
    banks: &[Bank],
    method: Method,
    k: u32,
    recent: &HashSet<(i64, OrgId)>,
) -> (Vec<Assigned>, Vec<Skipped>) {
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    let mut load: BTreeMap<OrgId, usize> = banks.iter().map(|b| (b.org_id, 0)).collect();
    let k = k.max(1) as usize;
    for c in candidates {
        let open = |b: &OrgId| !recent.contains(&(c.enterprise_id, *b));
        // (bank, reason, rank: lower first)
        let mut options: Vec<(OrgId, String, usize)> = match method {
            Method::Preference => c
                .preferred_banks
                .iter()
                .enumerate()
                .filter(|(_, b)| banks.iter().any(|x| x.org_id == **b))
                .map(|(i, b)| (*b, format!("企业意向银行（第 {} 选择）", i + 1), i))
                .collect(),
            Method::Fit => banks
                .iter()
                .filter_map(|b| {
                    let m = fit(c, &b.lending)?;
                    let reason = if m.is_empty() {
                        "银行未声明授信偏好，可接受各类企业".to_string()
                    } else {
                        format!("符合：{}", m.join("；"))
                    };
                    // More matched criteria first.
                    Some((b.org_id, reason, 10 - m.len().min(10)))
                })
                .collect(),
            Method::RoundRobin => banks
                .iter()
                .map(|b| (b.org_id, "轮流分配".to_string(), 0))
                .collect(),
        };
        let before = options.len();
        options.retain(|(b, _, _)| open(b));
        if options.is_empty() {
            let reason = if before > 0 {
                "推送有效期内已向可选银行推送过该企业".to_string()
            } else {
                match method {
                    Method::Preference => "企业未表达意向银行，或意向银行不是本区合作银行".into(),
                    Method::Fit => "没有合作银行的授信偏好与该企业相符".into(),
                    Method::RoundRobin => "本区没有合作银行".into(),
                }
            };
            skipped.push(Skipped {
                enterprise_id: c.enterprise_id,
                reason,
            });
            continue;
        }
        // Rank, then the least loaded bank, then the bank's id: stable and even.
        options.sort_by_key(|(b, _, rank)| (*rank, load.get(b).copied().unwrap_or(0), *b));
        for (b, reason, _) in options.into_iter().take(k) {
            *load.entry(b).or_default() += 1;
            out.push(Assigned {
                enterprise_id: c.enterprise_id,
                bank: b,
                reason,
            });
        }
    }
    (out, skipped)
}

/// A bank's follow-up of one pushed enterprise as entered, checked: every problem at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUp {
    pub contacted_on: NaiveDate,
    pub channel: Channel,
    pub person: String,
    pub outcome: Outcome,
    pub loan_id: Option<i64>,
    pub note: String,
}

impl FollowUp {
    #[allow(clippy::too_many_arguments)]
    pub fn check(
        contacted_on: Option<NaiveDate>,
        channel: &str,
        person: &str,
        outcome: &str,
        loan_id: Option<i64>,
        note: &str,
        pushed_on: NaiveDate,
        today: NaiveDate,
    ) -> Result<FollowUp, Vec<FieldError>> {
        let mut errors = Vec::new();
        match contacted_on {
            Some(d) if d >= pushed_on && d <= today => {}
            _ => errors.push(FieldError::new(
                "contacted_on",
                "push.contacted_on",
                format!("联系日期须在推送日 {pushed_on} 与今天 {today} 之间（格式 2026-12-07）。"),
                format!("The contact date must be between {pushed_on} and {today}."),
            )),
        }
        let channel = Channel::from_code(channel.trim());
        if channel.is_none() {
            errors.push(FieldError::new(
                "channel",
                "push.channel",
                format!(
                    "请选择联系方式：{}。",
                    Channel::ALL
                        .iter()
                        .map(|c| c.zh())
                        .collect::<Vec<_>>()
                        .join("、")
                ),
                "Choose the channel.",
            ));
        }
        let person = person.trim();
        if !(1..=50).contains(&person.chars().count()) {
            errors.push(FieldError::new(
                "person",
                "push.person",
                "请填写联系人（本行客户经理姓名，最多 50 字）。",
                "Give the contact person (at most 50 characters).",
            ));
        }
        let outcome = Outcome::from_code(outcome.trim());
        match outcome {
            None => errors.push(FieldError::new(
                "outcome",
                "push.outcome",
                format!(
                    "请选择跟进结果：{}。",
                    Outcome::ALL
                        .iter()
                        .map(|c| c.zh())
                        .collect::<Vec<_>>()
                        .join("、")
                ),
                "Choose the outcome.",
            )),
            Some(Outcome::Granted) if loan_id.is_none() => errors.push(FieldError::new(
                "loan_id",
                "push.loan_required",
                "结果为“已放款”时须选择本行已报送的对应贷款。",
                "A granted loan must name the reported loan.",
            )),
            _ => {}
        }
        let note = note.trim();
        if note.chars().count() > 1000 {
            errors.push(FieldError::new(
                "note",
                "push.note",
                "备注最多 1000 字。",
                "The note is at most 1000 characters.",
            ));
        }
        match (contacted_on, channel, outcome, errors.is_empty()) {
            (Some(d), Some(ch), Some(o), true) => Ok(FollowUp {
                contacted_on: d,
                channel: ch,
                person: person.to_string(),
                outcome: o,
                loan_id: if o == Outcome::Granted { loan_id } else { None },
                note: note.to_string(),
            }),
            _ => Err(errors),
        }
    }
}

/// The consent an enterprise gives to share its data with the district's partner banks, as
/// recorded: what it covers, in Chinese (shown on its page and in the history).
pub const CONSENT_SCOPE: &str = "banks";
pub const CONSENT_SCOPE_ZH: &str = "同意区知识产权局将本企业的登记信息、知识产权与融资需求推送给区合作银行，用于知识产权质押融资对接";

/// One pushed line as the funnel counts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunnelEntry {
    pub district: String,
    pub bank: OrgId,
    pub bank_name: String,
    /// `whitelist` or `screening`.
    pub source: String,
    pub sent_on: NaiveDate,
    pub first_contact_on: Option<NaiveDate>,
    pub outcome: Option<Outcome>,
    /// The principal of the loan a granted line names.
    pub granted_fen: Option<Fen>,
}

/// The funnel's stages for a set of pushed lines: pushed → contacted → applied → granted (count
/// and amount), and the days from push to first contact.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Stages {
    pub pushed: i64,
    pub contacted: i64,
    /// An application in progress or a loan granted.
    pub applied: i64,
    pub granted: i64,
    pub granted_fen: Fen,
    /// Sum of days from push to first contact, over the contacted lines.
    pub contact_days: i64,
}

impl Stages {
    /// Counts one line; `MoneyOverflow` when the granted total does not fit in fen.
    fn add(&mut self, e: &FunnelEntry) -> Result<(), MoneyOverflow> {
        self.pushed += 1;
        if let Some(d) = e.first_contact_on {
            self.contacted += 1;
            self.contact_days += (d - e.sent_on).num_days().max(0);
        }
        if matches!(e.outcome, Some(Outcome::Applying | Outcome::Granted)) {
            self.applied += 1;
        }
        if e.outcome == Some(Outcome::Granted) {
            self.granted += 1;
            self.granted_fen = self
                .granted_fen
                .checked_add(e.granted_fen.unwrap_or(Fen::ZERO))
                .ok_or(MoneyOverflow)?;
        }
        Ok(())
    }

    /// Average days to first contact, to one decimal (half up); `None` before any contact.
    pub fn avg_contact_days(&self) -> Option<rust_decimal::Decimal> {
        (self.contacted > 0).then(|| {
            one_decimal(
                rust_decimal::Decimal::from(self.contact_days)
                    / rust_decimal::Decimal::from(self.contacted),
            )
        })
    }

    /// `part` of `whole` as an exact percentage to one decimal (half up); `None` of nothing.
    pub fn pct(part: i64, whole: i64) -> Option<rust_decimal::Decimal> {
        (whole > 0).then(|| {
            one_decimal(
                rust_decimal::Decimal::from(part) * rust_decimal::Decimal::from(100)
                    / rust_decimal::Decimal::from(whole),
            )
        })
    }
}

/// Rounded half up to one decimal, always shown with it (75 → 75.0).
fn one_decimal(v: rust_decimal::Decimal) -> rust_decimal::Decimal {
    let mut r = v.round_dp_with_strategy(1, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    r.rescale(1);
    r
}

/// The funnel: in total, per bank and per source.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Funnel {
    pub total: Stages,
    /// (bank, its name, stages), by name.
    pub banks: Vec<(OrgId, String, Stages)>,
    /// (source, stages).
    pub sources: Vec<(String, Stages)>,
}

impl Funnel {
    /// The funnel of the lines; `MoneyOverflow` when a granted total does not fit in fen (never
    /// a wrapped or saturated total).
    pub fn of(entries: &[FunnelEntry]) -> Result<Funnel, MoneyOverflow> {
        let mut total = Stages::default();
        let mut banks: BTreeMap<(String, OrgId), Stages> = BTreeMap::new();
        let mut sources: BTreeMap<String, Stages> = BTreeMap::new();
        for e in entries {
            total.add(e)?;
            banks
                .entry((e.bank_name.clone(), e.bank))
                .or_default()
                .add(e)?;
            sources.entry(e.source.clone()).or_default().add(e)?;
        }
        Ok(Funnel {
            total,
            banks: banks
                .into_iter()
                .map(|((name, id), s)| (id, name, s))
                .collect(),
            sources: sources.into_iter().collect(),
        })
    }
}

/// R3.2 (白名单建立并按季推送): passed when the district has a whitelist and sent a push list this
/// quarter; the finding gives the figures and the banks' follow-up rate.
pub fn conformance(
    whitelisted: i64,
    pushed_this_quarter: &Stages,
    quarter: &str,
) -> (bool, String) {
    let passed = whitelisted > 0 && pushed_this_quarter.pushed > 0;
    let mut finding = if whitelisted == 0 {
        "尚未建立白名单".to_string()
    } else {
        format!("白名单 {whitelisted} 户")
    };
    if pushed_this_quarter.pushed == 0 {
        finding.push_str(&format!("；{quarter} 尚未向银行推送"));
    } else {
        finding.push_str(&format!(
            "；{quarter} 推送 {} 条，银行已联系 {} 条（{}%）",
            pushed_this_quarter.pushed,
            pushed_this_quarter.contacted,
            Stages::pct(pushed_this_quarter.contacted, pushed_this_quarter.pushed)
                .unwrap_or_default()
        ));
    }
    finding.push('。');
    (passed, finding)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(id: i64) -> Candidate {
        Candidate {
            enterprise_id: id,
            preferred_banks: vec![],
            ip_kinds: vec!["patent".into()],
            need_fen: Some(Fen::new(50_000_000)),
            industry: Some("I6510".into()),
        }
    }

    fn bank(id: i64) -> Bank {
        Bank {
            org_id: OrgId::new(id),
            lending: Lending::default(),
        }
    }

    #[test]
    fn round_robin_spreads_evenly_and_respects_k() {
        let cs: Vec<Candidate> = (1..=6).map(cand).collect();
        let banks = [bank(10), bank(11), bank(12)];
        let (a, s) = assign(&cs, &banks, Method::RoundRobin, 1, &HashSet::new());
        assert!(s.is_empty());
        assert_eq!(a.len(), 6);
        for b in [10, 11, 12] {
            assert_eq!(a.iter().filter(|x| x.bank == OrgId::new(b)).count(), 2);
        }
        let (a, _) = assign(&cs, &banks, Method::RoundRobin, 2, &HashSet::new());
        assert_eq!(a.len(), 12);
        for c in 1..=6 {
            let mine: Vec<_> = a.iter().filter(|x| x.enterprise_id == c).collect();
            assert_eq!(mine.len(), 2);
            assert_ne!(mine[0].bank, mine[1].bank);
        }
    }

    #[test]
    fn never_the_same_bank_twice_within_the_period() {
        let cs = [cand(1)];
        let banks = [bank(10), bank(11)];
        let recent: HashSet<_> = [(1, OrgId::new(10))].into();
        let (a, _) = assign(&cs, &banks, Method::RoundRobin, 2, &recent);
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].bank, OrgId::new(11));
        let recent: HashSet<_> = [(1, OrgId::new(10)), (1, OrgId::new(11))].into();
        let (a, s) = assign(&cs, &banks, Method::RoundRobin, 2, &recent);
        assert!(a.is_empty());
        assert!(s[0].reason.contains("已向"));
    }

    #[test]
    fn preference_follows_the_enterprise_and_only_partners() {
        let mut c = cand(1);
        c.preferred_banks = vec![OrgId::new(99), OrgId::new(11), OrgId::new(10)];
        let banks = [bank(10), bank(11)];
        let (a, _) = assign(&[c.clone()], &banks, Method::Preference, 1, &HashSet::new());
        assert_eq!(a[0].bank, OrgId::new(11));
        assert!(a[0].reason.contains("第 2 选择"));
        let (a, s) = assign(&[cand(2)], &banks, Method::Preference, 1, &HashSet::new());
        assert!(a.is_empty() && s[0].reason.contains("未表达"));
    }

    #[test]
    fn fit_checks_each_declared_criterion() {
        let c = cand(1);
        let mut l = Lending {
            ip_kinds: vec!["trademark".into()],
            ..Default::default()
        };
        assert_eq!(fit(&c, &l), None);
        l.ip_kinds.push("patent".into());
        l.max_fen = Some(Fen::new(10_000_000));
        assert_eq!(fit(&c, &l), None, "need above the bank's maximum");
        l.max_fen = Some(Fen::new(100_000_000));
        l.industries = vec!["C".into()];
        assert_eq!(fit(&c, &l), None, "industry I is not C");
        l.industries = vec!["I65".into()];
        let m = fit(&c, &l).unwrap_or_default();
        assert_eq!(m.len(), 3, "{m:?}");
        let mut no_need = c.clone();
        no_need.need_fen = None;
        assert_eq!(
            fit(&no_need, &l),
            None,
            "an amount range needs a declared need"
        );
        // The better fit comes first.
        let banks = [
            bank(10),
            Bank {
                org_id: OrgId::new(11),
                lending: l,
            },
        ];
        let (a, _) = assign(&[c], &banks, Method::Fit, 1, &HashSet::new());
        assert_eq!(a[0].bank, OrgId::new(11));
        assert!(a[0].reason.contains("行业（I65）"), "{}", a[0].reason);
    }

    #[test]
    fn settings_and_follow_ups_report_every_error() {
        assert_eq!(Settings::check(0, 3, 0).map_err(|e| e.len()), Err(3));
        assert!(Settings::check(2, 90, 10).is_ok());
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        let pushed = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default();
        let today = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap_or_default();
        let e = FollowUp::check(
            d("2026-11-30"),
            "fax",
            " ",
            "granted",
            None,
            "",
            pushed,
            today,
        )
        .err()
        .unwrap_or_default();
        let fields: Vec<_> = e.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["contacted_on", "channel", "person", "loan_id"]);
        let f = FollowUp::check(
            d("2026-12-02"),
            "phone",
            "张经理",
            "needs_time",
            Some(5),
            "",
            pushed,
            today,
        );
        assert_eq!(
            f.map(|f| f.loan_id),
            Ok(None),
            "a loan only with a granted outcome"
        );
        assert!(Outcome::NeedsTime.contacted() && !Outcome::NotReachable.contacted());
        assert_eq!(
            Lending::check(
                vec!["domain_name".into()],
                Some(Fen::new(5)),
                Some(Fen::new(4)),
                vec!["c1".into(), "1x".into()]
            )
            .map_err(|e| e.len()),
            Err(3)
        );
    }

    #[test]
    fn the_funnel_counts_each_stage_per_bank_and_source() {
        let d = |n: u32| NaiveDate::from_ymd_opt(2026, 12, n).unwrap_or_default();
        let e = |bank: i64,
                 src: &str,
                 contact: Option<u32>,
                 outcome: Option<Outcome>,
                 fen: Option<i64>| FunnelEntry {
            district: "440305".into(),
            bank: OrgId::new(bank),
            bank_name: format!("银行{bank}"),
            source: src.into(),
            sent_on: d(1),
            first_contact_on: contact.map(d),
            outcome,
            granted_fen: fen.map(Fen::new),
        };
        let f = Funnel::of(&[
            e(
                1,
                "whitelist",
                Some(4),
                Some(Outcome::Granted),
                Some(500_000_000),
            ),
            e(1, "whitelist", Some(2), Some(Outcome::Applying), None),
            e(2, "screening", Some(8), Some(Outcome::NotInterested), None),
            e(2, "whitelist", None, None, None),
        ])
        .expect("fits");
        assert_eq!(
            Funnel::of(&[
                e(
                    1,
                    "whitelist",
                    Some(4),
                    Some(Outcome::Granted),
                    Some(i64::MAX)
                ),
                e(2, "whitelist", Some(4), Some(Outcome::Granted), Some(1)),
            ]),
            Err(MoneyOverflow),
            "a granted total past fen is refused, never saturated"
        );
        assert_eq!(
            f.total,
            Stages {
                pushed: 4,
                contacted: 3,
                applied: 2,
                granted: 1,
                granted_fen: Fen::new(500_000_000),
                contact_days: 3 + 1 + 7,
            }
        );
        assert_eq!(
            f.total.avg_contact_days().map(|v| v.to_string()),
            Some("3.7".into())
        );
        assert_eq!(
            Stages::pct(3, 4).map(|v| v.to_string()),
            Some("75.0".into())
        );
        assert_eq!(
            Stages::pct(1, 3).map(|v| v.to_string()),
            Some("33.3".into())
        );
        assert_eq!(Stages::pct(1, 0), None);
        assert_eq!(f.banks.len(), 2);
        assert_eq!(f.banks[0].2.pushed, 2);
        assert_eq!(
            f.sources
                .iter()
                .map(|(s, x)| (s.as_str(), x.pushed))
                .collect::<Vec<_>>(),
            [("screening", 1), ("whitelist", 3)]
        );
        let (ok, finding) = conformance(3, &f.total, "2026Q4");
        assert!(ok, "{finding}");
        assert!(
            finding.contains("推送 4 条") && finding.contains("75.0%"),
            "{finding}"
        );
        let (ok, finding) = conformance(3, &Stages::default(), "2026Q4");
        assert!(!ok && finding.contains("尚未向银行推送"));
        assert!(!conformance(0, &f.total, "2026Q4").0);
    }
}
