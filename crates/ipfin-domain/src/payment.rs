//! The finance bureau pays (issue #18 item 4): the payee account collected on an application,
//! who may prepare, confirm, export and settle a payment run (四眼: the district's paying unit
//! prepares, an officer of the district's lead department — another organisation — confirms),
//! the run's states, and the rows of the treasury's returned result sheet, checked all at once.
//! Pure rules; the store loads the facts and records what these functions allow.

use crate::message::{FieldError, Msg};
use crate::money::Fen;
use crate::org::Scope;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

code_enum!(
    /// A payment run's states: lines change only while `draft`; the lead department confirms;
    /// the paying unit exports the treasury list, then records each line's result.
    RunState {
        Draft = "draft", "草稿", "Draft";
        Confirmed = "confirmed", "已确认（待导出）", "Confirmed";
        Exported = "exported", "已导出（待登记结果）", "Exported";
        Completed = "completed", "结果已登记", "Results recorded";
    }
);

code_enum!(
    /// The treasury's answer for one line.
    LineResult {
        Paid = "paid", "已支付", "Paid";
        Failed = "failed", "支付失败", "Failed";
    }
);

/// The payee account as the applicant typed it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayeeInput {
    pub account_name: String,
    pub bank_name: String,
    pub account_number: String,
}

/// A payee account that passed [`check_payee`]: the name as the registry has it, the bank, and
/// the account number as digits only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayeeAccount {
    pub account_name: String,
    pub bank_name: String,
    pub account_number: String,
}

/// A name as compared: full-width ASCII (U+FF01–U+FF5E, so `（` is `(`) and the ideographic
/// space folded to their ASCII forms, and all white space removed.
pub fn name_key(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// Whether an account name is the enterprise's registered name (after [`name_key`]).
pub fn same_name(account_name: &str, registered_name: &str) -> bool {
    let a = name_key(account_name);
    !a.is_empty() && a == name_key(registered_name)
}

/// Checks a payee account against the applicant's registered name. Every problem at once:
/// the account name must be the registered name (after trimming and full-width folding), the
/// bank is required (at most 100 characters), the account number has 8–30 digits (spaces, as
/// people group them, are removed; anything else is refused).
pub fn check_payee(
    input: &PayeeInput,
    registered_name: &str,
) -> Result<PayeeAccount, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = input.account_name.trim();
    if name.is_empty() {
        errors.push(FieldError::new(
            "account_name",
            "payee.account_name_required",
            format!("请填写收款账户户名（须与企业登记名称“{registered_name}”一致）。"),
            format!(
                "Enter the account name (it must be the registered name \"{registered_name}\")."
            ),
        ));
    } else if !same_name(name, registered_name) {
        errors.push(FieldError::new(
            "account_name",
            "payee.account_name_mismatch",
            format!(
                "收款账户户名“{name}”与申请单位登记名称“{registered_name}”不一致：资助资金只能拨付到申请单位本单位的账户。"
            ),
            format!(
                "The account name \"{name}\" differs from the registered name \"{registered_name}\": grants are paid only to the applicant's own account."
            ),
        ));
    }
    let bank = input.bank_name.trim();
    if bank.is_empty() {
        errors.push(FieldError::new(
            "bank_name",
            "payee.bank_required",
            "请填写开户银行（含支行名称）。",
            "Enter the bank (with the branch).",
        ));
    } else if bank.chars().count() > 100 {
        errors.push(FieldError::new(
            "bank_name",
            "payee.bank_too_long",
            "开户银行不能超过 100 个字符。",
            "The bank may have at most 100 characters.",
        ));
    } else if let Err((at, c)) = crate::text::normalise(bank) {
        errors.push(crate::text::forbidden_char_error(
            "bank_name",
            "开户银行",
            "The bank",
            at,
            c,
        ));
    }
    let number: String = input
        .account_number
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if number.is_empty() {
        errors.push(FieldError::new(
            "account_number",
            "payee.account_number_required",
            "请填写银行账号。",
            "Enter the account number.",
        ));
    } else if let Some(bad) = number.chars().find(|c| !c.is_ascii_digit()) {
        errors.push(FieldError::new(
            "account_number",
            "payee.account_number_digits",
            format!("银行账号只能由数字组成（可用空格分组），不能含“{bad}”。"),
            format!("The account number has digits only (spaces allowed), not \"{bad}\"."),
        ));
    } else if !(8..=30).contains(&number.len()) {
        errors.push(FieldError::new(
            "account_number",
            "payee.account_number_length",
            format!("银行账号应为 8–30 位数字，现为 {} 位。", number.len()),
            format!("The account number has 8–30 digits, not {}.", number.len()),
        ));
    }
    if errors.is_empty() {
        Ok(PayeeAccount {
            account_name: registered_name.trim().to_string(),
            bank_name: bank.to_string(),
            account_number: number,
        })
    } else {
        Err(errors)
    }
}

/// Several problems as one message (for the API body and the store error), numbered, each
/// naming its field; the code is the first problem's.
pub fn joined(problems: &[FieldError]) -> Msg {
    let code = problems.first().map_or("form.invalid", |p| p.msg.code);
    if problems.len() == 1 {
        return problems[0].msg.clone();
    }
    let zh: Vec<String> = problems
        .iter()
        .enumerate()
        .map(|(i, p)| format!("{}. {}", i + 1, p.msg.zh))
        .collect();
    let en: Vec<String> = problems
        .iter()
        .enumerate()
        .map(|(i, p)| format!("{}. {}", i + 1, p.msg.en))
        .collect();
    Msg::new(
        code,
        format!("共 {} 处问题：{}", problems.len(), zh.join(" ")),
        format!("{} problems: {}", problems.len(), en.join(" ")),
    )
}

/// What someone does with a payment run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunAction {
    /// Open a new run, add or remove lines (while draft).
    Prepare,
    /// Confirm the run's lines before export (the lead department).
    Confirm,
    /// Produce the treasury's payment list.
    Export,
    /// Record a line's result (paid / failed), by upload or form.
    Record,
    /// Mark a failed line settled with a reason.
    Settle,
}

/// The facts of a district and run that decide who may act.
#[derive(Debug, Clone, Copy)]
pub struct RunParties<'a> {
    pub district: &'a str,
    /// The district's paying unit (财政拨付单位), if designated.
    pub paying_unit: Option<i64>,
    /// The organisation that prepared the run (for a new run: none yet).
    pub preparer_org: Option<i64>,
}

/// Why an action is refused: not this caller's to do (403), or not now (409).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Forbidden(Msg),
    Conflict(Msg),
}

impl Refusal {
    pub fn msg(&self) -> &Msg {
        match self {
            Refusal::Forbidden(m) | Refusal::Conflict(m) => m,
        }
    }
}

/// Whether the caller — `scope`, the caller's organisation, and whether a person signs (an API
/// token never signs money) — may take `action` on a run of `parties.district` in `state`
/// (`None` for a run not yet opened). The paying unit prepares, exports, records and settles;
/// an officer of the district's lead department confirms, and never one of the preparing
/// organisation (four eyes across two organisations). Nobody else, not the city.
pub fn may(
    scope: &Scope,
    acting_org: Option<i64>,
    person: bool,
    action: RunAction,
    parties: &RunParties<'_>,
    state: Option<RunState>,
) -> Result<(), Refusal> {
    if !person {
        return Err(Refusal::Forbidden(Msg::new(
            "payment.person_required",
            "付款批次须由经办人员以个人账号登录办理（机构 API 令牌不能代替个人签署）。",
            "Payment runs are signed by a person signed in; an organisation's API token cannot sign.",
        )));
    }
    match action {
        RunAction::Confirm => {
            if !scope.leads_district(parties.district) {
                return Err(Refusal::Forbidden(Msg::new(
                    "payment.confirm_lead_only",
                    "付款批次须由本区牵头部门的经办人员确认。",
                    "A payment run is confirmed by an officer of the district's lead department.",
                )));
            }
            if acting_org.is_some() && acting_org == parties.preparer_org {
                return Err(Refusal::Conflict(Msg::new(
                    "payment.same_organisation",
                    "准备付款批次的单位不能自己确认：须由区牵头部门（另一单位）的经办人员确认（四眼原则）。",
                    "The organisation that prepared the run cannot confirm it: an officer of the lead department (another organisation) confirms.",
                )));
            }
        }
        _ => {
            let Scope::District { code, .. } = scope else {
                return Err(paying_unit_only());
            };
            if code != parties.district {
                return Err(paying_unit_only());
            }
            match (parties.paying_unit, acting_org) {
                (None, _) => {
                    return Err(Refusal::Forbidden(Msg::new(
                        "payment.no_paying_unit",
                        "本区尚未指定财政拨付单位：请市级管理员或区牵头部门先在“资金拨付”页面指定。",
                        "The district has no paying unit yet: the city administrator or the lead department designates one first.",
                    )));
                }
                (Some(unit), Some(org)) if unit == org => {}
                _ => return Err(paying_unit_only()),
            }
        }
    }
    let Some(state) = state else {
        return if action == RunAction::Prepare {
            Ok(())
        } else {
            Err(Refusal::Conflict(not_now(action, RunState::Draft)))
        };
    };
    let fits = match action {
        RunAction::Prepare | RunAction::Confirm => state == RunState::Draft,
        RunAction::Export => matches!(
            state,
            RunState::Confirmed | RunState::Exported | RunState::Completed
        ),
        RunAction::Record => state == RunState::Exported,
        RunAction::Settle => true,
    };
    if fits {
        Ok(())
    } else {
        Err(Refusal::Conflict(not_now(action, state)))
    }
}

fn paying_unit_only() -> Refusal {
    Refusal::Forbidden(Msg::new(
        "payment.paying_unit_only",
        "只有本区指定的财政拨付单位的人员可以准备、导出付款批次和登记支付结果。",
        "Only staff of the district's paying unit prepare and export payment runs and record results.",
    ))
}

fn not_now(action: RunAction, state: RunState) -> Msg {
    let (zh, en) = match action {
        RunAction::Prepare => (
            "只有草稿状态的付款批次可以增删明细",
            "Lines change only while the run is a draft",
        ),
        RunAction::Confirm => (
            "只有草稿状态的付款批次可以确认",
            "Only a draft run is confirmed",
        ),
        RunAction::Export => ("付款批次确认后才能导出", "A run is exported once confirmed"),
        RunAction::Record => (
            "付款批次导出后、结果登记完毕前才能登记支付结果",
            "Results are recorded after export, until every line has one",
        ),
        RunAction::Settle => ("无法办理", "Not possible"),
    };
    Msg::new(
        "payment.run_state",
        format!("{zh}（当前状态：{}）。", state.zh()),
        format!("{en} (the run is {}).", state.en()),
    )
}

/// The amount a line may pay: above 0 and at most what is still due (granted − disbursed).
pub fn check_amount(amount: Fen, granted: Fen, disbursed: Fen) -> Result<(), Msg> {
    let due = granted
        .checked_sub(disbursed)
        .unwrap_or(Fen::ZERO)
        .non_negative();
    if !amount.is_positive() || amount > due {
        return Err(Msg::new(
            "payment.amount",
            format!(
                "付款金额应大于 0，且不超过尚未拨付的资助额 {} 元（确定资助 {} 元，已拨付 {} 元）。",
                due.yuan(),
                granted.yuan(),
                disbursed.yuan()
            ),
            format!(
                "The amount must be above 0 and at most what is still due, {} (granted {}, paid {}).",
                due.yuan(),
                granted.yuan(),
                disbursed.yuan()
            ),
        ));
    }
    Ok(())
}

/// The columns of the treasury's payment list, in order; the returned result sheet has the same
/// columns followed by [`RESULT_COLUMNS`].
pub const LIST_COLUMNS: [&str; 8] = [
    "序号",
    "申请编号",
    "企业名称",
    "收款户名",
    "开户银行",
    "收款账号",
    "金额（元）",
    "用途",
];

/// The result columns the treasury fills in.
pub const RESULT_COLUMNS: [&str; 4] = ["支付结果", "支付日期", "支付凭证号", "失败原因"];

/// One line of a run as the result check needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineFacts {
    pub id: i64,
    pub line_no: i64,
    pub number: String,
    pub amount_fen: Fen,
    /// Whether a result is already recorded.
    pub has_result: bool,
}

/// One row of the returned sheet, as read (cell texts by column name).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResultRow {
    /// The row number a person sees in Excel (the header is 1).
    pub row: u64,
    pub line_no: String,
    pub number: String,
    pub amount: String,
    pub result: String,
    pub paid_on: String,
    pub reference: String,
    pub reason: String,
}

/// A result to record for one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Paid {
        paid_on: NaiveDate,
        reference: String,
    },
    Failed {
        reason: String,
    },
}

/// A result for one line of the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineOutcome {
    pub line_id: i64,
    pub outcome: Outcome,
}

/// A date as the treasury writes it: 2026-12-10, 2026/12/10, 2026.12.10, 2026年12月10日,
/// 20261210, or a date cell (read as `2026-12-10 00:00:00`).
pub fn sheet_date(v: &str) -> Option<NaiveDate> {
    let v = v.trim();
    let v = v.split([' ', 'T']).next().unwrap_or(v);
    if v.len() == 8 && v.chars().all(|c| c.is_ascii_digit()) {
        return NaiveDate::parse_from_str(v, "%Y%m%d").ok();
    }
    let norm: String = v
        .replace(['年', '月', '/', '.'], "-")
        .trim_end_matches('日')
        .to_string();
    NaiveDate::parse_from_str(&norm, "%Y-%m-%d").ok()
}

/// A result word neither paid nor failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnknownResult;

/// A result word: 成功 / 已支付 / 支付成功 / paid, or 失败 / 支付失败 / failed; empty: no result
/// yet (the line stays pending).
pub fn result_word(v: &str) -> Result<Option<LineResult>, UnknownResult> {
    match name_key(v).to_lowercase().as_str() {
        "" => Ok(None),
        "成功" | "已支付" | "支付成功" | "paid" | "success" => Ok(Some(LineResult::Paid)),
        "失败" | "支付失败" | "failed" | "fail" => Ok(Some(LineResult::Failed)),
        _ => Err(UnknownResult),
    }
}

/// One result, checked: the paid date must be a date not after `today`, the voucher reference
/// at most 100 characters; a failure needs its reason (at most 500 characters).
pub fn check_outcome(
    result: LineResult,
    paid_on: &str,
    reference: &str,
    reason: &str,
    today: NaiveDate,
) -> Result<Outcome, Vec<FieldError>> {
    let mut errors = Vec::new();
    match result {
        LineResult::Paid => {
            let date = match sheet_date(paid_on) {
                None => {
                    errors.push(FieldError::new(
                        "paid_on",
                        "payment.paid_on",
                        "已支付的明细须填写支付日期（YYYY-MM-DD）。",
                        "A paid line needs its payment date (YYYY-MM-DD).",
                    ));
                    None
                }
                Some(d) if d > today => {
                    errors.push(FieldError::new(
                        "paid_on",
                        "payment.paid_on_future",
                        format!("支付日期 {d} 晚于今天（{today}）。"),
                        format!("The payment date {d} is after today ({today})."),
                    ));
                    None
                }
                Some(d) => Some(d),
            };
            let reference = reference.trim();
            if reference.is_empty() {
                errors.push(FieldError::new(
                    "reference",
                    "payment.reference",
                    "已支付的明细须填写支付凭证号。",
                    "A paid line needs the payment voucher reference.",
                ));
            } else if reference.chars().count() > 100 {
                errors.push(FieldError::new(
                    "reference",
                    "payment.reference_too_long",
                    "支付凭证号不能超过 100 个字符。",
                    "The voucher reference may have at most 100 characters.",
                ));
            }
            match date {
                Some(paid_on) if errors.is_empty() => Ok(Outcome::Paid {
                    paid_on,
                    reference: reference.to_string(),
                }),
                _ => Err(errors),
            }
        }
        LineResult::Failed => {
            let reason = reason.trim();
            if reason.is_empty() {
                errors.push(FieldError::new(
                    "reason",
                    "payment.failure_reason",
                    "支付失败的明细须填写失败原因（如“户名与账号不符”）。",
                    "A failed line needs the reason (e.g. account name and number do not match).",
                ));
            } else if reason.chars().count() > 500 {
                errors.push(FieldError::new(
                    "reason",
                    "payment.failure_reason_too_long",
                    "失败原因不能超过 500 个字符。",
                    "The reason may have at most 500 characters.",
                ));
            }
            if errors.is_empty() {
                Ok(Outcome::Failed {
                    reason: reason.to_string(),
                })
            } else {
                Err(errors)
            }
        }
    }
}

/// Checks a returned result sheet against the run's lines. Every row is checked and every
/// problem listed, each with its row number: a row must name a line of this run (序号 and
/// 申请编号 together; an application not in the run is refused), with the line's amount; a line
/// may appear once and must not have a result already; the result is 成功 or 失败 with what
/// each needs. Rows without a result are left pending. `Err` holds every problem: nothing is
/// recorded then.
pub fn check_results(
    lines: &[LineFacts],
    rows: &[ResultRow],
    today: NaiveDate,
) -> Result<Vec<LineOutcome>, Vec<String>> {
    let mut problems = Vec::new();
    let mut out = Vec::new();
    let mut seen: Vec<i64> = Vec::new();
    for r in rows {
        let at = format!("第 {} 行", r.row);
        let number = r.number.trim();
        let by_number = lines.iter().find(|l| l.number == number);
        let Some(line) = by_number else {
            problems.push(if number.is_empty() {
                format!("{at}：未填写申请编号。")
            } else {
                format!("{at}：申请 {number} 不在本付款批次中。")
            });
            continue;
        };
        let mut row_problems = Vec::new();
        if r.line_no.trim().parse::<i64>().ok() != Some(line.line_no) {
            row_problems.push(format!(
                "序号“{}”与本批次中申请 {number} 的序号 {} 不符",
                r.line_no.trim(),
                line.line_no
            ));
        }
        match crate::money::parse_amount(&r.amount, 100) {
            Some(a) if Fen::new(a) == line.amount_fen => {}
            _ => row_problems.push(format!(
                "金额“{}”与本批次的付款金额 {} 元不符",
                r.amount.trim(),
                line.amount_fen.yuan()
            )),
        }
        if seen.contains(&line.id) {
            row_problems.push(format!("申请 {number} 在文件中出现了不止一次"));
        }
        seen.push(line.id);
        let word = result_word(&r.result);
        if line.has_result && !matches!(word, Ok(None)) {
            row_problems.push(format!("申请 {number} 的支付结果已经登记过"));
        }
        match word {
            Err(UnknownResult) => row_problems.push(format!(
                "支付结果“{}”无法识别（请填“成功”或“失败”）",
                r.result.trim()
            )),
            Ok(None) => {}
            Ok(Some(result)) => {
                match check_outcome(result, &r.paid_on, &r.reference, &r.reason, today) {
                    Ok(outcome) => {
                        if row_problems.is_empty() {
                            out.push(LineOutcome {
                                line_id: line.id,
                                outcome,
                            });
                        }
                    }
                    Err(errs) => row_problems.extend(
                        errs.into_iter()
                            .map(|e| e.msg.zh.trim_end_matches('。').to_string()),
                    ),
                }
            }
        }
        if !row_problems.is_empty() {
            problems.push(format!("{at}：{}。", row_problems.join("；")));
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAME: &str = "深圳市南山示例科技有限公司";

    fn input(name: &str, bank: &str, number: &str) -> PayeeInput {
        PayeeInput {
            account_name: name.into(),
            bank_name: bank.into(),
            account_number: number.into(),
        }
    }

    #[test]
    fn payee_account_name_is_the_registered_name_after_folding() {
        let ok = check_payee(
            &input(
                " 深圳市南山示例科技有限公司 ",
                "招商银行深圳南山支行",
                "7559 0123 4567 890",
            ),
            NAME,
        )
        .expect("valid");
        assert_eq!(ok.account_number, "755901234567890");
        assert_eq!(ok.account_name, NAME);
        // Full-width letters and brackets fold to their ASCII forms.
        assert!(same_name(
            "ABC科技（深圳）有限公司",
            "ABC科技(深圳)有限公司"
        ));
        assert!(same_name("ＡＢＣ 科技", "ABC科技"));
        assert!(!same_name("", ""));
    }

    #[test]
    fn adversarial_payee_accounts_list_every_problem_at_once() {
        // Another company's name, no bank, letters in the number: three problems, one call.
        let e = check_payee(&input("深圳市别家公司", "  ", "6222 02AB 1234"), NAME)
            .expect_err("invalid");
        let fields: Vec<&str> = e.iter().map(|x| x.field).collect();
        assert_eq!(fields, vec!["account_name", "bank_name", "account_number"]);
        assert_eq!(e[0].msg.code, "payee.account_name_mismatch");
        assert!(e[0].msg.zh.contains("深圳市别家公司") && e[0].msg.zh.contains(NAME));
        assert_eq!(e[2].msg.code, "payee.account_number_digits");
        assert!(e[2].msg.zh.contains('A'));
        // Too short, too long.
        for n in ["1234567", "1234567890123456789012345678901"] {
            let e = check_payee(&input(NAME, "招商银行", n), NAME).expect_err("length");
            assert_eq!(e[0].msg.code, "payee.account_number_length");
        }
        assert!(check_payee(&input(NAME, "招商银行", "12345678"), NAME).is_ok());
        let m = joined(&e_two());
        assert!(m.zh.starts_with("共 2 处问题") && m.zh.contains("1. ") && m.zh.contains("2. "));
    }

    fn e_two() -> Vec<FieldError> {
        check_payee(&input("别家", "", "12345678"), NAME).expect_err("two")
    }

    fn lead() -> Scope {
        Scope::District {
            code: "440305".into(),
            manage: true,
        }
    }
    fn member() -> Scope {
        Scope::District {
            code: "440305".into(),
            manage: false,
        }
    }

    #[test]
    fn the_paying_unit_prepares_and_the_lead_department_confirms() {
        let parties = RunParties {
            district: "440305",
            paying_unit: Some(20),
            preparer_org: Some(20),
        };
        let ok = |s: &Scope, org, action, state| may(s, Some(org), true, action, &parties, state);
        assert_eq!(ok(&member(), 20, RunAction::Prepare, None), Ok(()));
        assert_eq!(
            ok(&member(), 20, RunAction::Prepare, Some(RunState::Draft)),
            Ok(())
        );
        // Another member department of the district, the lead officers and the city: no.
        assert!(matches!(
            ok(&member(), 21, RunAction::Prepare, None),
            Err(Refusal::Forbidden(m)) if m.code == "payment.paying_unit_only"
        ));
        assert!(ok(&lead(), 10, RunAction::Export, Some(RunState::Confirmed)).is_err());
        assert!(ok(&Scope::City, 1, RunAction::Record, Some(RunState::Exported)).is_err());
        // Another district's paying unit.
        let other = Scope::District {
            code: "440304".into(),
            manage: false,
        };
        assert!(ok(&other, 20, RunAction::Prepare, None).is_err());
        // Confirmation: the lead department, never the preparer's organisation, never a token.
        assert_eq!(
            ok(&lead(), 10, RunAction::Confirm, Some(RunState::Draft)),
            Ok(())
        );
        assert!(matches!(
            ok(&member(), 20, RunAction::Confirm, Some(RunState::Draft)),
            Err(Refusal::Forbidden(m)) if m.code == "payment.confirm_lead_only"
        ));
        let same = RunParties {
            preparer_org: Some(10),
            ..parties
        };
        assert!(matches!(
            may(&lead(), Some(10), true, RunAction::Confirm, &same, Some(RunState::Draft)),
            Err(Refusal::Conflict(m)) if m.code == "payment.same_organisation"
        ));
        assert!(matches!(
            may(&lead(), Some(10), false, RunAction::Confirm, &parties, Some(RunState::Draft)),
            Err(Refusal::Forbidden(m)) if m.code == "payment.person_required"
        ));
        // No paying unit designated.
        let none = RunParties {
            paying_unit: None,
            ..parties
        };
        assert!(matches!(
            may(&member(), Some(20), true, RunAction::Prepare, &none, None),
            Err(Refusal::Forbidden(m)) if m.code == "payment.no_paying_unit"
        ));
    }

    #[test]
    fn run_states_gate_each_action() {
        let parties = RunParties {
            district: "440305",
            paying_unit: Some(20),
            preparer_org: Some(20),
        };
        let at = |action, state| may(&member(), Some(20), true, action, &parties, Some(state));
        assert!(at(RunAction::Prepare, RunState::Confirmed).is_err());
        assert!(at(RunAction::Export, RunState::Draft).is_err());
        assert!(at(RunAction::Export, RunState::Confirmed).is_ok());
        assert!(at(RunAction::Export, RunState::Exported).is_ok());
        assert!(at(RunAction::Record, RunState::Confirmed).is_err());
        assert!(at(RunAction::Record, RunState::Exported).is_ok());
        assert!(at(RunAction::Record, RunState::Completed).is_err());
        assert!(
            may(
                &lead(),
                Some(10),
                true,
                RunAction::Confirm,
                &parties,
                Some(RunState::Confirmed)
            )
            .is_err()
        );
    }

    #[test]
    fn amounts_never_exceed_what_is_due() {
        assert!(check_amount(Fen::new(500_000), Fen::new(700_000), Fen::new(200_000)).is_ok());
        let e = check_amount(Fen::new(500_001), Fen::new(700_000), Fen::new(200_000))
            .expect_err("above");
        assert!(e.zh.contains("5,000.00"), "{}", e.zh);
        assert!(check_amount(Fen::ZERO, Fen::new(700_000), Fen::ZERO).is_err());
        assert!(check_amount(Fen::new(-1), Fen::new(700_000), Fen::ZERO).is_err());
    }

    fn lines() -> Vec<LineFacts> {
        vec![
            LineFacts {
                id: 101,
                line_no: 1,
                number: "440305-2026-EF-00001".into(),
                amount_fen: Fen::new(600_000),
                has_result: false,
            },
            LineFacts {
                id: 102,
                line_no: 2,
                number: "440305-2026-EF-00002".into(),
                amount_fen: Fen::new(300_000),
                has_result: false,
            },
        ]
    }

    fn row(n: u64, line: &str, number: &str, amount: &str, result: &str) -> ResultRow {
        ResultRow {
            row: n,
            line_no: line.into(),
            number: number.into(),
            amount: amount.into(),
            result: result.into(),
            paid_on: "2026-12-10".into(),
            reference: "GK-0001".into(),
            reason: "户名与账号不符".into(),
        }
    }

    #[test]
    fn a_result_sheet_with_one_paid_and_one_failed_line() {
        let today: NaiveDate = "2026-12-11".parse().expect("date");
        let out = check_results(
            &lines(),
            &[
                row(2, "1", "440305-2026-EF-00001", "6000.00", "成功"),
                row(3, "2", "440305-2026-EF-00002", "3,000", "失败"),
            ],
            today,
        )
        .expect("valid");
        assert_eq!(out.len(), 2);
        assert!(
            matches!(&out[0].outcome, Outcome::Paid { reference, .. } if reference == "GK-0001")
        );
        assert!(
            matches!(&out[1].outcome, Outcome::Failed { reason } if reason == "户名与账号不符")
        );
        // A row without a result leaves its line pending.
        let out = check_results(
            &lines(),
            &[row(2, "1", "440305-2026-EF-00001", "6000.00", "")],
            today,
        )
        .expect("valid");
        assert!(out.is_empty());
    }

    #[test]
    fn adversarial_result_sheets_are_refused_listing_every_row() {
        let today: NaiveDate = "2026-12-11".parse().expect("date");
        let mut missing_date = row(5, "2", "440305-2026-EF-00002", "3000.00", "成功");
        missing_date.paid_on = String::new();
        let mut lines = lines();
        let e = check_results(
            &lines,
            &[
                // An application not in the run.
                row(2, "3", "440305-2026-EF-00099", "100.00", "成功"),
                // The amount changed.
                row(3, "1", "440305-2026-EF-00001", "6000.01", "成功"),
                // An unknown result word.
                row(4, "1", "440305-2026-EF-00001", "6000.00", "也许"),
                missing_date,
            ],
            today,
        )
        .expect_err("refused");
        assert_eq!(e.len(), 4, "{e:?}");
        assert!(
            e[0].starts_with("第 2 行")
                && e[0].contains("440305-2026-EF-00099")
                && e[0].contains("不在本付款批次中")
        );
        assert!(e[1].starts_with("第 3 行") && e[1].contains("金额"));
        assert!(
            e[2].starts_with("第 4 行") && e[2].contains("不止一次") && e[2].contains("无法识别")
        );
        assert!(e[3].starts_with("第 5 行") && e[3].contains("支付日期"));
        // A line whose result is already recorded.
        lines[0].has_result = true;
        let e = check_results(
            &lines,
            &[row(2, "1", "440305-2026-EF-00001", "6000.00", "失败")],
            today,
        )
        .expect_err("twice");
        assert!(e[0].contains("已经登记过"));
        // A payment dated in the future.
        let mut future = row(2, "2", "440305-2026-EF-00002", "3000.00", "paid");
        future.paid_on = "2026/12/31".into();
        let e = check_results(&lines, &[future], today).expect_err("future");
        assert!(e[0].contains("晚于今天"));
    }

    #[test]
    fn sheet_dates_as_the_treasury_writes_them() {
        let d: NaiveDate = "2026-12-10".parse().expect("date");
        for v in [
            "2026-12-10",
            "2026/12/10",
            "2026.12.10",
            "2026年12月10日",
            "20261210",
            "2026-12-10 00:00:00",
        ] {
            assert_eq!(sheet_date(v), Some(d), "{v}");
        }
        assert_eq!(sheet_date("10/12/2026"), None);
        assert_eq!(result_word(" 成功 "), Ok(Some(LineResult::Paid)));
        assert_eq!(result_word("FAILED"), Ok(Some(LineResult::Failed)));
        assert_eq!(result_word(""), Ok(None));
        assert!(result_word("ok?").is_err());
    }
}
