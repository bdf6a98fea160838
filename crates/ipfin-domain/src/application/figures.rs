//! Which figures a grant is computed on (SPEC §3.4–§3.5, issue #18 item 1): the loan as its
//! bank reported it, and the fees as the contract parties reported them — never the
//! applicant's own figures unless the officer at 经办 decided, with evidence and a reason, to
//! accept a stated figure. Every difference between what the applicant stated and what was
//! reported is listed; the derivation says for each field which figure was used and why.

use crate::financing::yuan;
use crate::message::Msg;
use crate::money::Fen;
use crate::policy::calc::{IpShare, Loan};
use crate::policy::rules::{Item, Ratio};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::lines::Line;

/// The loan as its bank reported it (SPEC §4), with what the contract parties reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reported {
    pub loan_id: i64,
    pub principal_fen: Fen,
    /// The sum of the secured amounts of the pledge registrations linked to the loan.
    pub secured_amount_fen: Option<Fen>,
    pub other_collateral: bool,
    pub ip_amount_fen: Option<Fen>,
    pub ip_ratio: Option<Decimal>,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub annual_rate: Decimal,
    pub interest_paid_fen: Fen,
    /// Paid fees of the reported contracts of each kind; `None`: no such contract reported.
    pub evaluation_fee_fen: Option<Fen>,
    pub guarantee_fee_fen: Option<Fen>,
    pub insurance_fee_fen: Option<Fen>,
    pub pledge_numbers: Vec<String>,
}

code_enum!(
    /// What the officer decided about one difference.
    Choice {
        KeepReported = "keep_reported", "采用报送数", "Keep the reported figure";
        AcceptStated = "accept_stated", "采用申报数（有佐证）", "Accept the stated figure (evidenced)";
    }
);

/// The officer's decision on a difference, kept with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub choice: Choice,
    pub reason: String,
    /// The application's file that evidences a stated figure (required to accept it).
    #[serde(default)]
    pub evidence_file_id: Option<i64>,
    #[serde(default)]
    pub evidence_name: Option<String>,
    pub by_user: i64,
    pub by_name: String,
    pub at: i64,
}

/// A difference between the application and the reports, shown to the reviewer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Difference {
    pub line: usize,
    pub field: String,
    pub name: String,
    pub stated: String,
    pub reported: String,
    /// `false`: the bank has not reported the loan at all — nothing to decide, the bank must
    /// report it before the application can be accepted.
    #[serde(default = "yes")]
    pub decidable: bool,
    #[serde(default)]
    pub decision: Option<Decision>,
}

fn yes() -> bool {
    true
}

/// The fields compared, in the order shown.
const FIELDS: &[(&str, &str, &str)] = &[
    ("principal_fen", "贷款本金", "principal"),
    ("secured_amount_fen", "质押担保金额", "secured amount"),
    ("ip_share", "知识产权质押份额", "IP share"),
    ("start", "放款日", "start date"),
    ("end", "到期日", "end date"),
    ("annual_rate", "年利率", "annual rate"),
    ("interest_paid_fen", "已付利息", "interest paid"),
    ("evaluation_fee_fen", "评估费", "evaluation fee"),
    ("guarantee_fee_fen", "担保费", "guarantee fee"),
    ("insurance_fee_fen", "保险费", "insurance fee"),
    ("pledge_number", "质权登记号", "pledge registration number"),
];

/// The label of a compared field, for messages.
pub fn field_name(field: &str) -> Option<&'static str> {
    FIELDS
        .iter()
        .find(|(f, _, _)| *f == field)
        .map(|(_, n, _)| *n)
}

/// The English label of a compared field.
pub fn field_name_en(field: &str) -> Option<&'static str> {
    FIELDS
        .iter()
        .find(|(f, _, _)| *f == field)
        .map(|(_, _, n)| *n)
}

fn share_text(other: bool, amount: Option<Fen>, ratio: Option<Decimal>) -> String {
    match (other, amount, ratio) {
        (false, _, _) => "仅以知识产权质押".into(),
        (true, Some(a), _) => format!("知识产权质押所获 {} 元", yuan(a)),
        (true, None, Some(r)) => format!("知识产权质押占 {}", percent(r)),
        (true, None, None) => "有其他担保，未载明知识产权份额".into(),
    }
}

fn share_text_en(other: bool, amount: Option<Fen>, ratio: Option<Decimal>) -> String {
    match (other, amount, ratio) {
        (false, _, _) => "IP is the only collateral".into(),
        (true, Some(a), _) => format!("CNY {} secured by IP", yuan(a)),
        (true, None, Some(r)) => format!("IP secures {}", percent(r)),
        (true, None, None) => "other collateral, IP share not stated".into(),
    }
}

fn opt_yuan_en(v: Option<Fen>) -> String {
    v.map(|v| format!("CNY {}", yuan(v)))
        .unwrap_or_else(|| "not reported".into())
}

fn percent(r: Decimal) -> String {
    format!("{}%", (r * Decimal::ONE_HUNDRED).normalize())
}

fn opt_yuan(v: Option<Fen>) -> String {
    v.map(yuan).unwrap_or_else(|| "未报送".into())
}

/// A paid amount: the applicant may claim less than was reported paid, never more.
fn paid_differs(stated: Fen, reported: Option<Fen>) -> bool {
    stated > reported.unwrap_or(Fen::ZERO)
}

/// Compares a line with the reports, field by field. Paid amounts differ only when more is
/// stated than reported (claiming less is the applicant's choice).
pub fn compare(i: usize, l: &Line, r: &Reported) -> Vec<Difference> {
    let mut out = Vec::new();
    let mut push = |field: &str, stated: String, reported: String| {
        out.push(Difference {
            line: i,
            field: field.into(),
            name: field_name(field).unwrap_or(field).into(),
            stated,
            reported,
            decidable: true,
            decision: None,
        });
    };
    if l.principal_fen != r.principal_fen {
        push(
            "principal_fen",
            yuan(l.principal_fen),
            yuan(r.principal_fen),
        );
    }
    if let Some(s) = l.secured_amount_fen
        && Some(s) != r.secured_amount_fen
    {
        push(
            "secured_amount_fen",
            yuan(s),
            opt_yuan(r.secured_amount_fen),
        );
    }
    let stated_share = share_text(l.other_collateral, l.ip_amount_fen, l.ip_ratio);
    let reported_share = share_text(r.other_collateral, r.ip_amount_fen, r.ip_ratio);
    if stated_share != reported_share {
        push("ip_share", stated_share, reported_share);
    }
    if l.start != r.start {
        push("start", l.start.to_string(), r.start.to_string());
    }
    if l.end != r.end {
        push("end", l.end.to_string(), r.end.to_string());
    }
    if l.annual_rate.normalize() != r.annual_rate.normalize() {
        push(
            "annual_rate",
            percent(l.annual_rate),
            percent(r.annual_rate),
        );
    }
    for (field, stated, reported) in [
        (
            "interest_paid_fen",
            l.interest_paid_fen,
            Some(r.interest_paid_fen),
        ),
        (
            "evaluation_fee_fen",
            l.evaluation_fee_fen,
            r.evaluation_fee_fen,
        ),
        (
            "guarantee_fee_fen",
            l.guarantee_fee_fen,
            r.guarantee_fee_fen,
        ),
        (
            "insurance_fee_fen",
            l.insurance_fee_fen,
            r.insurance_fee_fen,
        ),
    ] {
        if paid_differs(stated, reported) {
            push(field, yuan(stated), opt_yuan(reported));
        }
    }
    if let Some(p) = l.pledge_number.as_deref().map(str::trim)
        && !p.is_empty()
        && !r.pledge_numbers.iter().any(|n| n == p)
    {
        let reported = if r.pledge_numbers.is_empty() {
            "未报送".to_string()
        } else {
            r.pledge_numbers.join("、")
        };
        push("pledge_number", p.to_string(), reported);
    }
    out
}

/// The difference listed for a loan no bank has reported: nothing to decide.
pub fn unreported(i: usize, l: &Line) -> Difference {
    Difference {
        line: i,
        field: "loan".into(),
        name: "银行报送记录".into(),
        stated: l.reference(),
        reported: "银行未报送该贷款".into(),
        decidable: false,
        decision: None,
    }
}

/// What the enterprise is told about a loan no bank reported: which bank must report what.
pub fn unreported_msg(l: &Line) -> Msg {
    let bank = if l.lender_name.is_empty() {
        "贷款银行".to_string()
    } else {
        l.lender_name.clone()
    };
    Msg::new(
        "application.loan_unreported",
        format!(
            "贷款“{}”尚未由{bank}报送：请联系{bank}在本系统“贷款”中报送合同编号为 {} 的知识产权质押贷款（本金、放款日与到期日、利率、质押登记及已付利息），报送后方可受理。",
            l.reference(),
            l.contract_number.trim()
        ),
        format!(
            "Loan {} has not been reported by its bank; the bank must report it before the application can be accepted.",
            l.reference()
        ),
    )
}

/// Keeps the decisions of differences that are still the same (same line, field and both
/// figures): a resubmission or a later report does not undo a decision on an unchanged
/// difference, and any change needs a new one.
pub fn carry_decisions(old: &[Difference], mut new: Vec<Difference>) -> Vec<Difference> {
    for d in &mut new {
        if let Some(o) = old.iter().find(|o| {
            o.line == d.line
                && o.field == d.field
                && o.stated == d.stated
                && o.reported == d.reported
        }) {
            d.decision = o.decision.clone();
        }
    }
    new
}

/// How many differences still wait for the officer's decision.
pub fn undecided(diffs: &[Difference]) -> usize {
    diffs
        .iter()
        .filter(|d| d.decidable && d.decision.is_none())
        .count()
}

fn accepted(diffs: &[Difference], line: usize, field: &str) -> bool {
    diffs.iter().any(|d| {
        d.line == line
            && d.field == field
            && d.decision
                .as_ref()
                .is_some_and(|x| x.choice == Choice::AcceptStated)
    })
}

/// The loan the calculation takes, and for each field that matters which figure was used and
/// why (one line each, in Chinese and English, for the derivation).
pub fn effective(i: usize, l: &Line, r: &Reported, diffs: &[Difference]) -> (Loan, Vec<Msg>) {
    let mut why = Vec::new();
    let reference = l.reference();
    // (field, stated, reported) each in Chinese and English.
    let pick = |why: &mut Vec<Msg>,
                field: &str,
                stated: (String, String),
                reported: (String, String),
                use_stated: bool| {
        let name = field_name(field).unwrap_or(field);
        let name_en = field_name_en(field).unwrap_or(field);
        let ((s, s_en), (r, r_en)) = (stated, reported);
        if accepted(diffs, i, field) {
            why.push(Msg::new(
                "figure.accepted",
                format!(
                    "贷款“{reference}”{name}：采用申报数 {s}（经办认定，有佐证材料；银行/合同方报送 {r}）"
                ),
                format!(
                    "Loan {reference}, {name_en}: the stated {s_en} is used (accepted by the officer with evidence; reported {r_en})"
                ),
            ));
            true
        } else if use_stated {
            why.push(Msg::new(
                "figure.stated",
                format!("贷款“{reference}”{name}：采用申报数 {s}（不超过报送数 {r}）"),
                format!(
                    "Loan {reference}, {name_en}: the stated {s_en} is used (not above the reported {r_en})"
                ),
            ));
            true
        } else {
            why.push(Msg::new(
                "figure.reported",
                format!("贷款“{reference}”{name}：采用报送数 {r}"),
                format!("Loan {reference}, {name_en}: the reported {r_en} is used"),
            ));
            false
        }
    };
    let money = |f: Fen| (yuan(f), format!("CNY {}", yuan(f)));
    let opt_money = |f: Option<Fen>| (opt_yuan(f), opt_yuan_en(f));
    let principal_fen = if pick(
        &mut why,
        "principal_fen",
        money(l.principal_fen),
        money(r.principal_fen),
        false,
    ) {
        l.principal_fen
    } else {
        r.principal_fen
    };
    let secured_amount_fen = match (l.secured_amount_fen, r.secured_amount_fen) {
        (Some(s), rep) if accepted(diffs, i, "secured_amount_fen") => {
            pick(
                &mut why,
                "secured_amount_fen",
                money(s),
                opt_money(rep),
                true,
            );
            Some(s)
        }
        (_, rep) => rep,
    };
    let (other, amount, ratio) = if pick(
        &mut why,
        "ip_share",
        (
            share_text(l.other_collateral, l.ip_amount_fen, l.ip_ratio),
            share_text_en(l.other_collateral, l.ip_amount_fen, l.ip_ratio),
        ),
        (
            share_text(r.other_collateral, r.ip_amount_fen, r.ip_ratio),
            share_text_en(r.other_collateral, r.ip_amount_fen, r.ip_ratio),
        ),
        false,
    ) {
        (l.other_collateral, l.ip_amount_fen, l.ip_ratio)
    } else {
        (r.other_collateral, r.ip_amount_fen, r.ip_ratio)
    };
    let ip_share = match (other, amount, ratio) {
        (false, _, _) => IpShare::Sole,
        (true, Some(amount_fen), _) => IpShare::Amount { amount_fen },
        (true, None, Some(x)) => match Ratio::new(x) {
            Ok(ratio) => IpShare::Ratio { ratio },
            Err(_) => IpShare::Sole,
        },
        (true, None, None) => IpShare::Sole,
    };
    let start = if accepted(diffs, i, "start") {
        l.start
    } else {
        r.start
    };
    let end = if accepted(diffs, i, "end") {
        l.end
    } else {
        r.end
    };
    let annual_rate = if accepted(diffs, i, "annual_rate") {
        l.annual_rate
    } else {
        r.annual_rate
    };
    let (from, to) = (crate::format::date_zh(start), crate::format::date_zh(end));
    let (from_en, to_en) = (
        crate::format::date(start, crate::message::Lang::En),
        crate::format::date(end, crate::message::Lang::En),
    );
    let rate = percent(annual_rate);
    if start != r.start || end != r.end || annual_rate != r.annual_rate {
        why.push(Msg::new(
            "figure.terms_accepted",
            format!("贷款“{reference}”期限与利率：{from} 至 {to}，年利率 {rate}（含经办认定的申报数）"),
            format!(
                "Loan {reference}, term and rate: {from_en} to {to_en}, annual rate {rate} (with figures accepted by the officer)"
            ),
        ));
    } else {
        why.push(Msg::new(
            "figure.terms_reported",
            format!("贷款“{reference}”期限与利率：采用报送数 {from} 至 {to}，年利率 {rate}"),
            format!(
                "Loan {reference}, term and rate: the reported {from_en} to {to_en}, annual rate {rate}"
            ),
        ));
    }
    let mut paid = |field: &str, stated: Fen, reported: Option<Fen>| -> Fen {
        if stated == Fen::ZERO {
            return Fen::ZERO;
        }
        let rep = reported.unwrap_or(Fen::ZERO);
        if stated <= rep {
            pick(&mut why, field, money(stated), opt_money(reported), true);
            stated
        } else if pick(&mut why, field, money(stated), opt_money(reported), false) {
            stated
        } else {
            rep
        }
    };
    let interest_paid_fen = paid(
        "interest_paid_fen",
        l.interest_paid_fen,
        Some(r.interest_paid_fen),
    );
    let evaluation_fee_fen = paid(
        "evaluation_fee_fen",
        l.evaluation_fee_fen,
        r.evaluation_fee_fen,
    );
    let guarantee_fee_fen = paid(
        "guarantee_fee_fen",
        l.guarantee_fee_fen,
        r.guarantee_fee_fen,
    );
    let insurance_fee_fen = paid(
        "insurance_fee_fen",
        l.insurance_fee_fen,
        r.insurance_fee_fen,
    );
    (
        Loan {
            reference,
            principal_fen,
            secured_amount_fen,
            ip_share,
            ip_kind: l.ip_kind,
            start,
            end,
            annual_rate,
            interest_paid_fen,
            evaluation_fee_fen,
            guarantee_fee_fen,
            insurance_fee_fen,
        },
        why,
    )
}

/// One decision as an officer submits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionInput {
    pub line: usize,
    pub field: String,
    pub choice: Choice,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub evidence_file_id: Option<i64>,
}

/// A problem with one submitted decision, naming it (`decisions[i].field`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionError {
    pub field: String,
    pub msg: Msg,
}

/// Checks every submitted decision at once: each names a decidable difference of the
/// application, carries a reason (2–500 characters), and accepting a stated figure names one
/// of the application's files as evidence. Returns every problem.
pub fn check_decisions(
    diffs: &[Difference],
    input: &[DecisionInput],
    files: &[(i64, String)],
) -> Vec<DecisionError> {
    let mut errors = Vec::new();
    if input.is_empty() {
        errors.push(DecisionError {
            field: "decisions".into(),
            msg: Msg::new(
                "difference.none",
                "请至少对一项差异作出认定。",
                "Decide at least one difference.",
            ),
        });
    }
    for (k, d) in input.iter().enumerate() {
        let at = |f: &str| format!("decisions[{k}].{f}");
        let Some(diff) = diffs
            .iter()
            .find(|x| x.line == d.line && x.field == d.field && x.decidable)
        else {
            errors.push(DecisionError {
                field: at("field"),
                msg: Msg::new(
                    "difference.unknown",
                    format!(
                        "第 {} 笔贷款的“{}”没有需要认定的差异。",
                        d.line + 1,
                        field_name(&d.field).unwrap_or(&d.field)
                    ),
                    "There is no such difference to decide.",
                ),
            });
            continue;
        };
        let reason = d.reason.trim().chars().count();
        if !(2..=500).contains(&reason) {
            errors.push(DecisionError {
                field: at("reason"),
                msg: Msg::new(
                    "difference.reason",
                    format!(
                        "第 {} 笔贷款“{}”的差异：请填写认定理由（2–500 字）。",
                        d.line + 1,
                        diff.name
                    ),
                    "Give a reason (2–500 characters).",
                ),
            });
        }
        if d.choice == Choice::AcceptStated
            && !d
                .evidence_file_id
                .is_some_and(|f| files.iter().any(|(id, _)| *id == f))
        {
            errors.push(DecisionError {
                field: at("evidence_file_id"),
                msg: Msg::new(
                    "difference.evidence",
                    format!(
                        "第 {} 笔贷款“{}”采用申报数时，须选择本申请中作为佐证的材料（如合同、发票、银行回单）。",
                        d.line + 1,
                        diff.name
                    ),
                    "Accepting a stated figure needs one of the application's files as evidence.",
                ),
            });
        }
    }
    errors
}

/// Records checked decisions on the differences.
pub fn apply_decisions(
    diffs: &mut [Difference],
    input: &[DecisionInput],
    files: &[(i64, String)],
    by_user: i64,
    by_name: &str,
    at: i64,
) {
    for d in input {
        if let Some(x) = diffs
            .iter_mut()
            .find(|x| x.line == d.line && x.field == d.field && x.decidable)
        {
            let evidence = match d.choice {
                Choice::AcceptStated => d.evidence_file_id,
                Choice::KeepReported => None,
            };
            x.decision = Some(Decision {
                choice: d.choice,
                reason: d.reason.trim().to_string(),
                evidence_file_id: evidence,
                evidence_name: evidence
                    .and_then(|e| files.iter().find(|(id, _)| *id == e))
                    .map(|(_, n)| n.clone()),
                by_user,
                by_name: by_name.to_string(),
                at,
            });
        }
    }
}

/// The items a line's fees belong to, for callers that zero fees of items not applied for.
pub fn fee_item(field: &str) -> Option<Item> {
    match field {
        "interest_paid_fen" => Some(Item::Interest),
        "evaluation_fee_fen" => Some(Item::Evaluation),
        "guarantee_fee_fen" => Some(Item::Guarantee),
        "insurance_fee_fen" => Some(Item::Insurance),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ip_number::IpKind;
    use rust_decimal_macros::dec;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn line() -> Line {
        Line {
            lender_org_id: crate::OrgId::new(7),
            lender_name: "招商银行".into(),
            contract_number: "2026-ZY-0012".into(),
            pledge_number: Some("Y2026980012345".into()),
            principal_fen: Fen::new(500_000_000),
            secured_amount_fen: None,
            other_collateral: false,
            ip_amount_fen: None,
            ip_ratio: None,
            ip_kind: IpKind::Patent,
            start: d(2026, 1, 10),
            end: d(2027, 1, 9),
            annual_rate: dec!(0.035),
            interest_paid_fen: Fen::new(1_000_000),
            evaluation_fee_fen: Fen::new(2_000_000),
            guarantee_fee_fen: Fen::new(0),
            insurance_fee_fen: Fen::new(0),
        }
    }

    fn reported() -> Reported {
        Reported {
            loan_id: 1,
            principal_fen: Fen::new(400_000_000),
            secured_amount_fen: Some(Fen::new(600_000_000)),
            other_collateral: true,
            ip_amount_fen: None,
            ip_ratio: Some(dec!(0.6)),
            start: d(2026, 1, 10),
            end: d(2027, 1, 9),
            annual_rate: dec!(0.0350),
            interest_paid_fen: Fen::new(1_200_000),
            evaluation_fee_fen: None,
            guarantee_fee_fen: None,
            insurance_fee_fen: None,
            pledge_numbers: vec!["Y2026980012345".into()],
        }
    }

    #[test]
    fn differences_list_each_field_that_differs() {
        let diffs = compare(0, &line(), &reported());
        let fields: Vec<&str> = diffs.iter().map(|d| d.field.as_str()).collect();
        // Interest stated below the reported amount is no difference; a fee nobody reported is.
        assert_eq!(fields, ["principal_fen", "ip_share", "evaluation_fee_fen"]);
        assert_eq!(diffs[0].reported, "4,000,000.00");
        assert_eq!(diffs[2].reported, "未报送");
        assert_eq!(undecided(&diffs), 3);
    }

    #[test]
    fn the_calculation_takes_reported_figures_unless_a_stated_one_was_accepted() {
        let l = line();
        let r = reported();
        let mut diffs = compare(0, &l, &r);
        let (loan, why) = effective(0, &l, &r, &diffs);
        // The bank's principal and IP share; the stated interest (below the reported one);
        // the evaluation fee nobody reported is 0 until the officer accepts it with evidence.
        assert_eq!(loan.principal_fen, 400_000_000);
        assert_eq!(
            loan.ip_share,
            IpShare::Ratio {
                ratio: Ratio::new(dec!(0.6)).unwrap()
            }
        );
        assert_eq!(loan.interest_paid_fen, 1_000_000);
        assert_eq!(loan.evaluation_fee_fen, 0);
        assert_eq!(loan.secured_amount_fen, Some(Fen::new(600_000_000)));
        assert!(why.iter().any(|w| {
            w.zh.contains("本金：采用报送数 4,000,000.00")
                && w.en
                    .contains("principal: the reported CNY 4,000,000.00 is used")
        }));

        let files = vec![(31, "评估费发票.pdf".to_string())];
        let input = vec![
            DecisionInput {
                line: 0,
                field: "evaluation_fee_fen".into(),
                choice: Choice::AcceptStated,
                reason: "评估机构未在系统报送，核对发票原件无误".into(),
                evidence_file_id: Some(31),
            },
            DecisionInput {
                line: 0,
                field: "principal_fen".into(),
                choice: Choice::KeepReported,
                reason: "以银行报送为准".into(),
                evidence_file_id: None,
            },
        ];
        assert!(check_decisions(&diffs, &input, &files).is_empty());
        apply_decisions(&mut diffs, &input, &files, 4, "南山区经办人", 100);
        assert_eq!(undecided(&diffs), 1);
        let (loan, why) = effective(0, &l, &r, &diffs);
        assert_eq!(loan.evaluation_fee_fen, 2_000_000);
        assert_eq!(loan.principal_fen, 400_000_000);
        assert!(
            why.iter()
                .any(|w| w.zh.contains("评估费：采用申报数 20,000.00（经办认定"))
        );
    }

    #[test]
    fn every_bad_decision_is_named_at_once() {
        let diffs = compare(0, &line(), &reported());
        let files = vec![(31, "发票.pdf".to_string())];
        let input = vec![
            DecisionInput {
                line: 0,
                field: "evaluation_fee_fen".into(),
                choice: Choice::AcceptStated,
                reason: " ".into(),
                evidence_file_id: Some(99),
            },
            DecisionInput {
                line: 3,
                field: "principal_fen".into(),
                choice: Choice::KeepReported,
                reason: "理由充分".into(),
                evidence_file_id: None,
            },
        ];
        let errors = check_decisions(&diffs, &input, &files);
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "decisions[0].reason",
                "decisions[0].evidence_file_id",
                "decisions[1].field"
            ]
        );
        assert!(!check_decisions(&diffs, &[], &files).is_empty());
    }

    #[test]
    fn decisions_survive_only_while_the_difference_is_the_same() {
        let l = line();
        let r = reported();
        let mut old = compare(0, &l, &r);
        let input = vec![DecisionInput {
            line: 0,
            field: "principal_fen".into(),
            choice: Choice::KeepReported,
            reason: "以银行报送为准".into(),
            evidence_file_id: None,
        }];
        apply_decisions(&mut old, &input, &[], 4, "经办", 1);
        let same = carry_decisions(&old, compare(0, &l, &r));
        assert_eq!(undecided(&same), 2);
        let mut l2 = l.clone();
        l2.principal_fen = Fen::new(450_000_000);
        let changed = carry_decisions(&old, compare(0, &l2, &r));
        assert_eq!(undecided(&changed), 3);
    }

    #[test]
    fn an_unreported_loan_names_the_bank_and_cannot_be_decided() {
        let l = line();
        let u = unreported(0, &l);
        assert!(!u.decidable);
        assert_eq!(undecided(std::slice::from_ref(&u)), 0);
        let m = unreported_msg(&l);
        assert!(m.zh.contains("招商银行") && m.zh.contains("2026-ZY-0012"));
        assert!(
            !check_decisions(
                &[u],
                &[DecisionInput {
                    line: 0,
                    field: "loan".into(),
                    choice: Choice::AcceptStated,
                    reason: "企业说报了".into(),
                    evidence_file_id: None,
                }],
                &[]
            )
            .is_empty()
        );
    }
}
