//! The institution and securitisation requests of the calculator (issue #19 item 10): what
//! each kind asks for, how its JSON is read (every problem at once, in Chinese, with its path),
//! and the refusal of a kind the chosen policy does not offer.

use super::{Reader, ip_share, loan_reader, loans_of};
use crate::ip_number::IpKind;
use crate::message::Msg;
use crate::money::Fen;
use crate::policy::calc::{
    Application, Calculation, RewardLoan, amount_problem, calculate, try_institution_reward,
    try_securitisation,
};
use crate::policy::lpr::LprTable;
use crate::policy::rules::{RuleError, Rules};
use crate::size::SizeClass;
use serde_json::Value;

/// What the calculator computes, by the kind of application (SPEC §3.1, issue #19 item 10).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// An enterprise's fees on its loans (`kind` `enterprise_fee`, the default).
    EnterpriseFee(Application),
    /// A financial institution's reward on its loans of the year (`kind` `institution`).
    Institution {
        loans: Vec<RewardLoan>,
        /// What the institution was already granted this year.
        granted_this_year_fen: Fen,
    },
    /// An enterprise's securitisation support (`kind` `securitisation`).
    Securitisation {
        /// Which year of support (1 = the first); the workflow counts it from the records.
        year_number: u32,
        interest_paid_fen: Fen,
        guarantee_fee_fen: Fen,
        granted_this_year_fen: Fen,
    },
}

/// The kinds of calculation: (code, Chinese name).
pub const KINDS: [(&str, &str); 3] = [
    ("enterprise_fee", "企业费用资助"),
    ("institution", "银行金融机构奖励"),
    ("securitisation", "知识产权证券化资助"),
];

impl Request {
    pub fn kind(&self) -> &'static str {
        match self {
            Request::EnterpriseFee(_) => KINDS[0].0,
            Request::Institution { .. } => KINDS[1].0,
            Request::Securitisation { .. } => KINDS[2].0,
        }
    }

    /// Runs the engine on the request under `rules`. A kind the policy does not offer is
    /// refused (`calc.kind_not_offered`, at `kind`, naming what the policy does offer); an
    /// input the engine cannot take is refused at the path of the field it concerns.
    pub fn calculate(&self, rules: &Rules, lpr: &LprTable) -> Result<Calculation, RuleError> {
        let at = |path: &str, msg: Msg| RuleError {
            path: path.to_string(),
            msg,
        };
        match self {
            Request::EnterpriseFee(_)
            | Request::Institution { .. }
            | Request::Securitisation { .. }
                if !offered_kinds(rules).iter().any(|(k, _)| *k == self.kind()) =>
            {
                Err(self.not_offered(rules))
            }
            Request::EnterpriseFee(app) => calculate(rules, lpr, app).map_err(|m| at("loans", m)),
            Request::Institution {
                loans,
                granted_this_year_fen,
            } => match &rules.institution_reward {
                Some(rule) => try_institution_reward(rule, loans, *granted_this_year_fen)
                    .map_err(|m| at("loans", m)),
                None => Err(self.not_offered(rules)),
            },
            Request::Securitisation {
                year_number,
                interest_paid_fen,
                guarantee_fee_fen,
                granted_this_year_fen,
            } => match &rules.securitisation {
                Some(rule) => try_securitisation(
                    rule,
                    *year_number,
                    *interest_paid_fen,
                    *guarantee_fee_fen,
                    *granted_this_year_fen,
                )
                .map_err(|m| at("interest_paid_fen", m)),
                None => Err(self.not_offered(rules)),
            },
        }
    }

    /// The refusal of a kind the policy does not offer, naming what it does offer.
    fn not_offered(&self, rules: &Rules) -> RuleError {
        let name = KINDS
            .iter()
            .find(|(k, _)| *k == self.kind())
            .map_or("", |k| k.1);
        let list: Vec<String> = offered_kinds(rules)
            .iter()
            .map(|(k, zh)| format!("{zh}（{k}）"))
            .collect();
        RuleError {
            path: "kind".into(),
            msg: Msg::new(
                "calc.kind_not_offered",
                format!(
                    "所选政策没有{name}条款，不能按“{name}”（{}）测算；本政策可测算：{}。",
                    self.kind(),
                    list.join("、")
                ),
                format!("The policy does not offer {}.", self.kind()),
            ),
        }
    }
}

/// The kinds of calculation a policy's rules offer: enterprise fees when it has items, rewards
/// when it has an institution reward, securitisation when it has securitisation support.
pub fn offered_kinds(rules: &Rules) -> Vec<(&'static str, &'static str)> {
    let has = [
        !rules.items.is_empty(),
        rules.institution_reward.is_some(),
        rules.securitisation.is_some(),
    ];
    KINDS
        .iter()
        .zip(has)
        .filter(|(_, h)| *h)
        .map(|(k, _)| *k)
        .collect()
}

const TOP_INSTITUTION: &[&str] = &[
    "kind",
    "policy_version_id",
    "granted_this_year_fen",
    "loans",
];

const TOP_SECURITISATION: &[&str] = &[
    "kind",
    "policy_version_id",
    "year_number",
    "interest_paid_fen",
    "guarantee_fee_fen",
    "granted_this_year_fen",
];

const REWARD_LOAN: &[&str] = &[
    "reference",
    "principal_fen",
    "secured_amount_fen",
    "ip_share",
    "ip_kind",
    "class",
    "first_time_borrower",
];

/// One loan of an institution's reward request.
pub(super) fn reward_loan(
    v: &Value,
    i: usize,
    problems: &mut Vec<RuleError>,
) -> Option<RewardLoan> {
    let mut r = loan_reader(v, i, REWARD_LOAN, problems)?;
    let kinds: Vec<(&str, IpKind)> = IpKind::ALL.iter().map(|k| (k.code(), *k)).collect();
    let classes: Vec<(&str, SizeClass)> = SizeClass::ALL.iter().map(|c| (c.code(), *c)).collect();
    let reference = r
        .text("reference", false)
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| format!("贷款 {}", i + 1));
    let principal_fen = r.money("principal_fen", true);
    let secured_amount_fen = r.money("secured_amount_fen", false);
    let share = ip_share(&mut r);
    let ip_kind = r.code("ip_kind", &kinds);
    let class = match r.get("class", false) {
        Some(_) => r.code("class", &classes).map(Some),
        None => Some(None),
    };
    let first_time = r.boolean("first_time_borrower");
    // The bounds of what could be read, whatever else is wrong.
    let mut bounds_ok = true;
    if let (Some(principal_fen), Some(ip_share)) = (principal_fen, share) {
        let probe = RewardLoan {
            principal_fen,
            secured_amount_fen,
            ip_share,
            ip_kinds: Vec::new(),
            class: None,
            first_time,
        };
        for (f, msg) in probe.problems(&reference) {
            bounds_ok = false;
            r.problems.push(RuleError {
                path: format!("loans[{i}].{f}"),
                msg,
            });
        }
    }
    bounds_ok.then_some(())?;
    Some(RewardLoan {
        principal_fen: principal_fen?,
        secured_amount_fen,
        ip_share: share?,
        ip_kinds: vec![ip_kind?],
        class: class?,
        first_time,
    })
}

/// The policy version and the `institution` request, each `None` where it does not read.
pub(super) fn institution(r: &mut Reader<'_>) -> (Option<i64>, Option<Request>) {
    r.unknown(TOP_INSTITUTION);
    let id = r.integer("policy_version_id", true);
    (id, institution_request(r))
}

fn institution_request(r: &mut Reader<'_>) -> Option<Request> {
    let granted = r.money("granted_this_year_fen", false).unwrap_or_default();
    let (loans, all) = loans_of(r, reward_loan);
    let bad = amount_problem("本年已获奖励", granted, 0);
    if let Some(msg) = bad {
        r.problems.push(RuleError {
            path: "granted_this_year_fen".into(),
            msg,
        });
        return None;
    }
    all.then_some(())?;
    Some(Request::Institution {
        loans: loans.into_iter().map(|(_, l)| l).collect(),
        granted_this_year_fen: granted,
    })
}

/// The policy version and the `securitisation` request, each `None` where it does not read.
pub(super) fn securitisation(r: &mut Reader<'_>) -> (Option<i64>, Option<Request>) {
    r.unknown(TOP_SECURITISATION);
    let id = r.integer("policy_version_id", true);
    (id, securitisation_request(r))
}

fn securitisation_request(r: &mut Reader<'_>) -> Option<Request> {
    let year = r.integer("year_number", true);
    let interest = r.money("interest_paid_fen", false).unwrap_or_default();
    let guarantee = r.money("guarantee_fee_fen", false).unwrap_or_default();
    let granted = r.money("granted_this_year_fen", false).unwrap_or_default();
    let year = match year {
        Some(y) if (1..=100).contains(&y) => u32::try_from(y).ok(),
        Some(y) => {
            r.problem(
                "year_number",
                "calc.year_number",
                format!("应为 1 到 100 之间的整数（第 1 年填 1），实际为 {y}。"),
            );
            None
        }
        None => None,
    };
    let before = r.problems.len();
    for (key, what, v) in [
        ("interest_paid_fen", "实付利息", interest),
        ("guarantee_fee_fen", "担保费", guarantee),
        ("granted_this_year_fen", "本年已获资助", granted),
    ] {
        if let Some(msg) = amount_problem(what, v, 0) {
            r.problems.push(RuleError {
                path: key.into(),
                msg,
            });
        }
    }
    if r.problems.len() == before && interest.get() == 0 && guarantee.get() == 0 {
        r.problem(
            "interest_paid_fen",
            "calc.securitisation_cost",
            "与担保费合计应大于 0：请填写当年实际支付的利息和担保费（单位：分）。".into(),
        );
    }
    (r.problems.len() == before).then_some(())?;
    Some(Request::Securitisation {
        year_number: year?,
        interest_paid_fen: interest,
        guarantee_fee_fen: guarantee,
        granted_this_year_fen: granted,
    })
}
