//! The loans an enterprise fee application claims for (SPEC §3.1, §3.4), the mixed-collateral
//! rule of the materials checklist, and the cross-check against the bank's reported loan
//! (SPEC §3.5).

use crate::id::OrgId;
use crate::ip_number::IpKind;
use crate::message::Msg;
use crate::money::Fen;
use crate::policy::calc::{IpShare, Loan};
use crate::policy::rules::Item;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// One loan line of an application, as the applicant states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Line {
    /// The lending bank (an organisation id).
    pub lender_org_id: OrgId,
    /// The bank's name, for display.
    #[serde(default)]
    pub lender_name: String,
    pub contract_number: String,
    /// The pledge registration number (质权登记号).
    #[serde(default)]
    pub pledge_number: Option<String>,
    pub principal_fen: Fen,
    #[serde(default)]
    pub secured_amount_fen: Option<Fen>,
    /// Whether IP is the only collateral; when not, the IP amount or ratio must be stated.
    pub other_collateral: bool,
    #[serde(default)]
    pub ip_amount_fen: Option<Fen>,
    #[serde(default)]
    pub ip_ratio: Option<Decimal>,
    pub ip_kind: IpKind,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub annual_rate: Decimal,
    #[serde(default)]
    pub interest_paid_fen: Fen,
    #[serde(default)]
    pub evaluation_fee_fen: Fen,
    #[serde(default)]
    pub guarantee_fee_fen: Fen,
    #[serde(default)]
    pub insurance_fee_fen: Fen,
}

impl Line {
    /// How the line is named in messages and derivations: bank and contract number.
    pub fn reference(&self) -> String {
        if self.lender_name.is_empty() {
            self.contract_number.clone()
        } else {
            format!("{} {}", self.lender_name, self.contract_number)
        }
    }

    /// The key double-dipping is checked on: bank and contract number.
    pub fn loan_key(&self) -> String {
        format!("{}:{}", self.lender_org_id, self.contract_number.trim())
    }

    /// The loan as the calculation engine takes it.
    pub fn to_calc(&self) -> Loan {
        let ip_share = match (self.other_collateral, self.ip_amount_fen, self.ip_ratio) {
            (false, _, _) => IpShare::Sole,
            (true, Some(amount_fen), _) => IpShare::Amount { amount_fen },
            // A loan with other collateral whose IP share is unreadable or missing is never
            // taken as IP-only (that would pay on the whole principal): the engine refuses the
            // zero IP amount with the loan named.
            (true, None, Some(r)) => match crate::policy::rules::Ratio::new(r) {
                Ok(ratio) => IpShare::Ratio { ratio },
                Err(_) => IpShare::Amount {
                    amount_fen: Fen::new(0),
                },
            },
            (true, None, None) => IpShare::Amount {
                amount_fen: Fen::new(0),
            },
        };
        Loan {
            reference: self.reference(),
            principal_fen: self.principal_fen,
            secured_amount_fen: self.secured_amount_fen,
            ip_share,
            ip_kind: self.ip_kind,
            start: self.start,
            end: self.end,
            annual_rate: self.annual_rate,
            interest_paid_fen: self.interest_paid_fen,
            evaluation_fee_fen: self.evaluation_fee_fen,
            guarantee_fee_fen: self.guarantee_fee_fen,
            insurance_fee_fen: self.insurance_fee_fen,
        }
    }

    fn fee(&self, item: Item) -> Fen {
        match item {
            Item::Interest => self.interest_paid_fen,
            Item::Evaluation => self.evaluation_fee_fen,
            Item::Guarantee => self.guarantee_fee_fen,
            Item::Insurance => self.insurance_fee_fen,
        }
    }
}

/// A problem with a line, naming the field (`lines[i].field`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub field: String,
    pub msg: Msg,
}

fn line_err(i: usize, field: &str, code: &'static str, zh: String, en: String) -> LineError {
    LineError {
        field: format!("lines[{i}].{field}"),
        msg: Msg::new(code, zh, en),
    }
}

/// Checks the lines of an enterprise fee application for the chosen items: at least one loan;
/// each with a contract number, a positive principal, dates in order, a rate in 0–36%; the
/// mixed-collateral rule (a loan with other collateral must state the IP amount or ratio); and
/// some amount paid for each chosen item. Every problem of every loan is reported at once.
pub fn check_lines(lines: &[Line], items: &[Item]) -> Result<(), Vec<LineError>> {
    let mut errs = Vec::new();
    if lines.is_empty() {
        errs.push(LineError {
            field: "lines".into(),
            msg: Msg::new(
                "application.no_loans",
                "请至少填写一笔知识产权质押贷款。",
                "Add at least one IP pledge loan.",
            ),
        });
    }
    if items.is_empty() {
        errs.push(LineError {
            field: "items".into(),
            msg: Msg::new(
                "application.no_items",
                "请至少选择一个资助项目（贴息、评估费、担保费、保险费）。",
                "Choose at least one item.",
            ),
        });
    }
    let mut keys = std::collections::HashSet::new();
    for (i, l) in lines.iter().enumerate() {
        let r = l.reference();
        if l.contract_number.trim().is_empty() {
            errs.push(line_err(
                i,
                "contract_number",
                "line.contract_number",
                format!("第 {} 笔贷款：请填写贷款合同编号。", i + 1),
                "Enter the loan contract number.".into(),
            ));
        }
        if !keys.insert(l.loan_key()) {
            errs.push(line_err(
                i,
                "contract_number",
                "line.duplicate",
                format!("贷款“{r}”在本申请中重复填写。"),
                format!("Loan {r} is listed twice."),
            ));
        }
        if !l.principal_fen.is_positive() {
            errs.push(line_err(
                i,
                "principal_fen",
                "line.principal",
                format!("贷款“{r}”的本金应大于 0。"),
                format!("Loan {r}: the principal must be above 0."),
            ));
        }
        if l.end <= l.start {
            errs.push(line_err(
                i,
                "end",
                "line.dates",
                format!(
                    "贷款“{r}”的到期日（{}）应晚于放款日（{}）。",
                    crate::format::date_zh(l.end),
                    crate::format::date_zh(l.start)
                ),
                format!("Loan {r}: the end date must be after the start date."),
            ));
        }
        if l.annual_rate < Decimal::ZERO || l.annual_rate > Decimal::new(36, 2) {
            errs.push(line_err(
                i,
                "annual_rate",
                "line.rate",
                format!("贷款“{r}”的年利率应在 0–36% 之间（3.45% 填 0.0345）。"),
                format!("Loan {r}: the annual rate is between 0 and 0.36."),
            ));
        }
        if l.other_collateral {
            let amount_ok = l
                .ip_amount_fen
                .is_some_and(|a| a.is_positive() && a <= l.principal_fen);
            let ratio_ok = l
                .ip_ratio
                .is_some_and(|r| r > Decimal::ZERO && r <= Decimal::ONE);
            if !amount_ok && !ratio_ok {
                errs.push(line_err(
                    i,
                    "ip_amount_fen",
                    "line.mixed_collateral",
                    format!(
                        "贷款“{r}”除知识产权外还有其他担保：请填写合同载明的知识产权质押所获贷款金额（不超过本金）或比例（0–100%），未载明的贷款不予受理。"
                    ),
                    format!(
                        "Loan {r} has other collateral: state the amount (up to the principal) or ratio obtained through the IP pledge."
                    ),
                ));
            }
        }
        let amounts = [
            l.interest_paid_fen,
            l.evaluation_fee_fen,
            l.guarantee_fee_fen,
            l.insurance_fee_fen,
        ];
        if amounts.iter().any(|a| *a < 0) || l.secured_amount_fen.is_some_and(|s| s < 0) {
            errs.push(line_err(
                i,
                "interest_paid_fen",
                "line.negative",
                format!("贷款“{r}”的金额不能为负数。"),
                format!("Loan {r}: amounts cannot be negative."),
            ));
        }
    }
    for item in items {
        if lines.iter().all(|l| l.fee(*item) == Fen::ZERO) {
            errs.push(LineError {
                field: "items".into(),
                msg: Msg::new(
                    "application.item_without_amount",
                    format!(
                        "申请了{}，但各笔贷款的“{}”都是 0：请填写实际支付的金额，或取消该项目。",
                        item.zh(),
                        item.fee_zh()
                    ),
                    format!(
                        "{} is applied for but no loan states an amount paid.",
                        item.code()
                    ),
                ),
            });
        }
    }
    if errs.is_empty() { Ok(()) } else { Err(errs) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

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
            start: NaiveDate::from_ymd_opt(2026, 1, 10).unwrap(),
            end: NaiveDate::from_ymd_opt(2027, 1, 9).unwrap(),
            annual_rate: dec!(0.035),
            interest_paid_fen: Fen::new(1_000_000),
            evaluation_fee_fen: Fen::new(0),
            guarantee_fee_fen: Fen::new(0),
            insurance_fee_fen: Fen::new(0),
        }
    }

    #[test]
    fn mixed_collateral_needs_the_ip_amount_or_ratio() {
        let mut l = line();
        assert!(check_lines(std::slice::from_ref(&l), &[Item::Interest]).is_ok());
        l.other_collateral = true;
        let e = check_lines(std::slice::from_ref(&l), &[Item::Interest]).unwrap_err();
        assert_eq!(e[0].field, "lines[0].ip_amount_fen");
        assert_eq!(e[0].msg.code, "line.mixed_collateral");
        l.ip_ratio = Some(dec!(0.6));
        assert!(check_lines(std::slice::from_ref(&l), &[Item::Interest]).is_ok());
        assert_eq!(
            l.to_calc().ip_share,
            IpShare::Ratio {
                ratio: crate::policy::rules::Ratio::new(dec!(0.6)).unwrap()
            }
        );
        // An unreadable or missing share with other collateral is never "IP only".
        for bad in [Some(dec!(1.5)), None] {
            l.ip_ratio = bad;
            assert_eq!(
                l.to_calc().ip_share,
                IpShare::Amount {
                    amount_fen: Fen::new(0)
                },
                "{bad:?}"
            );
        }
        // An item with nothing paid is refused, naming the item.
        let e = check_lines(&[line()], &[Item::Guarantee]).unwrap_err();
        assert_eq!(e[0].msg.code, "application.item_without_amount");
        assert_eq!(
            check_lines(&[line(), line()], &[Item::Interest]).unwrap_err()[0]
                .msg
                .code,
            "line.duplicate"
        );
    }

    #[test]
    fn every_problem_of_every_loan_is_named_at_once() {
        let mut a = line();
        a.contract_number = " ".into();
        a.annual_rate = dec!(0.5);
        let mut b = line();
        b.contract_number = "2026-ZY-0099".into();
        b.principal_fen = Fen::new(0);
        b.end = b.start;
        b.other_collateral = true;
        let e = check_lines(&[a, b], &[Item::Interest, Item::Insurance]).unwrap_err();
        let got: Vec<(&str, &str)> = e.iter().map(|x| (x.field.as_str(), x.msg.code)).collect();
        assert_eq!(
            got,
            [
                ("lines[0].contract_number", "line.contract_number"),
                ("lines[0].annual_rate", "line.rate"),
                ("lines[1].principal_fen", "line.principal"),
                ("lines[1].end", "line.dates"),
                ("lines[1].ip_amount_fen", "line.mixed_collateral"),
                ("items", "application.item_without_amount"),
            ]
        );
    }
}
