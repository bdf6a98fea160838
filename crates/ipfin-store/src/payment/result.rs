//! The treasury's results (the paying unit): by the returned sheet (every row checked first;
//! any bad row refuses the whole file, listing all, and nothing changes) or one line at a time
//! by form. A paid line records the payment as a disbursement does (`Store::record_payment`);
//! a failed line stays open until the application is paid in a later run or the line is
//! marked settled with a reason.

use super::run::stale;
use super::{LineRow, RunRow};
use crate::db::{exec, fetch_i64, fetch_opt};
use crate::error::{Result, StoreError};
use crate::{Store, WriteTx};
use chrono::NaiveDate;
use ipfin_domain::application::State;
use ipfin_domain::org::Scope;
use ipfin_domain::payment::{
    LineFacts, LineOutcome, LineResult, Outcome, ResultRow, RunAction, check_amount, check_outcome,
    check_results, joined,
};
use ipfin_domain::{Fen, FieldError, Msg};
use serde::Serialize;
use serde_json::json;

/// What a result upload or form recorded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ResultSummary {
    pub paid: usize,
    pub failed: usize,
    /// Lines of the run still without a result.
    pub pending: i64,
}

fn refused(problems: Vec<String>) -> StoreError {
    StoreError::Invalid(FieldError {
        field: "file",
        msg: Msg::new(
            "payment.results_refused",
            format!(
                "支付结果未登记（整份文件未导入），共 {} 处问题：{}",
                problems.len(),
                problems.join(" ")
            ),
            format!(
                "No result was recorded (the whole file is refused): {} problems: {}",
                problems.len(),
                problems.join(" ")
            ),
        ),
    })
}

impl Store {
    /// Records the results of a returned sheet (rows as read, with their row numbers).
    pub async fn record_payment_results(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        run_id: i64,
        rows: &[ResultRow],
        today: NaiveDate,
    ) -> Result<ResultSummary> {
        let run = Self::run_row(tx.conn(), scope, run_id).await?;
        Self::check_run_action(tx, scope, RunAction::Record, &run.district_code, Some(&run))
            .await?;
        if rows.is_empty() {
            return Err(refused(vec!["文件中没有数据行。".into()]));
        }
        let lines = Self::run_lines(tx.conn(), run_id).await?;
        let facts: Vec<LineFacts> = lines
            .iter()
            .map(|l| LineFacts {
                id: l.id,
                line_no: i64::from(l.line_no),
                number: l.number.clone().unwrap_or_default(),
                amount_fen: l.amount_fen,
                has_result: l.result.is_some(),
            })
            .collect();
        let outcomes = check_results(&facts, rows, today).map_err(refused)?;
        self.apply_outcomes(tx, scope, &run, &lines, outcomes, |l| {
            rows.iter()
                .find(|r| r.number.trim() == l.number.as_deref().unwrap_or_default())
                .map_or_else(String::new, |r| format!("第 {} 行", r.row))
        })
        .await
    }

    /// Records one line's result from the form.
    #[allow(clippy::too_many_arguments)]
    pub async fn record_payment_result(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        run_id: i64,
        line_id: i64,
        result: LineResult,
        paid_on: &str,
        reference: &str,
        reason: &str,
        today: NaiveDate,
    ) -> Result<ResultSummary> {
        let run = Self::run_row(tx.conn(), scope, run_id).await?;
        Self::check_run_action(tx, scope, RunAction::Record, &run.district_code, Some(&run))
            .await?;
        let lines = Self::run_lines(tx.conn(), run_id).await?;
        let line = lines
            .iter()
            .find(|l| l.id == line_id)
            .ok_or(StoreError::NotFound)?;
        if line.result.is_some() {
            return Err(StoreError::conflict(
                "payment.result_recorded",
                format!("第 {} 行的支付结果已经登记过。", line.line_no),
                "This line's result is already recorded.",
            ));
        }
        let outcome = check_outcome(result, paid_on, reference, reason, today).map_err(|e| {
            StoreError::Invalid(FieldError {
                field: e.first().map_or("result", |x| x.field),
                msg: joined(&e),
            })
        })?;
        self.apply_outcomes(
            tx,
            scope,
            &run,
            &lines,
            vec![LineOutcome { line_id, outcome }],
            |l| format!("第 {} 行", l.line_no),
        )
        .await
    }

    /// Checks every paid outcome against the application as it is now (still payable, the
    /// amount within granted − disbursed, the signer free to pay it), listing every problem;
    /// then records them all.
    async fn apply_outcomes(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        run: &RunRow,
        lines: &[LineRow],
        outcomes: Vec<LineOutcome>,
        at: impl Fn(&LineRow) -> String,
    ) -> Result<ResultSummary> {
        let user = tx.actor_user_id().ok_or(StoreError::NotFound)?;
        let mut problems = Vec::new();
        let mut plan = Vec::new();
        for o in outcomes {
            let Some(line) = lines.iter().find(|l| l.id == o.line_id) else {
                continue;
            };
            let (row, wf) = Self::payable_row(tx, scope, line.application_id).await?;
            if let Outcome::Paid { .. } = &o.outcome {
                let label = row.label();
                if !matches!(wf.state, State::Granted | State::Disbursed) {
                    problems.push(format!(
                        "{}：申请 {label} 的状态为“{}”，不能再拨付。",
                        at(line),
                        wf.state.zh()
                    ));
                    continue;
                }
                if let Err(m) = check_amount(
                    line.amount_fen,
                    row.granted_fen.unwrap_or(Fen::ZERO),
                    row.disbursed_fen,
                ) {
                    problems.push(format!("{}：申请 {label}：{}", at(line), m.zh));
                    continue;
                }
                if let Err(e) = Self::check_payer(tx, &row, user).await {
                    let text = match e {
                        StoreError::Forbidden(m) | StoreError::Conflict(m) => m.zh,
                        other => return Err(other),
                    };
                    problems.push(format!("{}：{text}", at(line)));
                    continue;
                }
            }
            plan.push((line, row, wf, o.outcome));
        }
        if !problems.is_empty() {
            return Err(refused(problems));
        }
        let now = crate::now_s();
        let mut summary = ResultSummary::default();
        for (line, row, wf, outcome) in plan {
            match outcome {
                Outcome::Paid { paid_on, reference } => {
                    Self::record_payment(
                        tx,
                        &row,
                        &wf,
                        user,
                        paid_on,
                        line.amount_fen,
                        &reference,
                        None,
                    )
                    .await?;
                    let changed = exec(
                        tx.conn(),
                        "UPDATE payment_run_lines SET result = 'paid', paid_on = ?, reference = ?, recorded_by = ?, recorded_at = ? \
                         WHERE id = ? AND result IS NULL",
                        vec![paid_on.into(), reference.clone().into(), user.into(), now.into(), line.id.into()],
                    )
                    .await?;
                    if changed != 1 {
                        return Err(stale());
                    }
                    // Earlier failed lines of the application are settled by this payment.
                    exec(
                        tx.conn(),
                        "UPDATE payment_run_lines SET settled_at = ?, settled_by = ?, settle_note = ? \
                         WHERE application_id = ? AND result = 'failed' AND settled_at IS NULL",
                        vec![
                            now.into(),
                            user.into(),
                            format!("已在付款批次 #{} 第 {} 行重新支付成功", run.id, line.line_no).into(),
                            line.application_id.into(),
                        ],
                    )
                    .await?;
                    summary.paid += 1;
                }
                Outcome::Failed { reason } => {
                    let changed = exec(
                        tx.conn(),
                        "UPDATE payment_run_lines SET result = 'failed', failure_reason = ?, recorded_by = ?, recorded_at = ? \
                         WHERE id = ? AND result IS NULL",
                        vec![reason.clone().into(), user.into(), now.into(), line.id.into()],
                    )
                    .await?;
                    if changed != 1 {
                        return Err(stale());
                    }
                    crate::notification::notify(
                        tx.conn(),
                        Some(row.applicant_org_id),
                        None,
                        Some(row.id),
                        (
                            format!(
                                "{} 的资助资金 {} 元支付未成功：{reason}。请核对收款账户，区财政拨付单位将重新支付。",
                                row.label(),
                                line.amount_fen.yuan()
                            ),
                            format!(
                                "{}: the payment of CNY {} failed: {reason}. Check the payee account; the paying unit pays again.",
                                row.label(),
                                line.amount_fen.yuan()
                            ),
                        ),
                        format!("/applications/{}/payee", row.id),
                    )
                    .await?;
                    tx.audit(
                        "application.payment_failed",
                        "application",
                        row.id,
                        json!({"run_id": run.id, "line_no": line.line_no, "amount_fen": line.amount_fen, "reason": reason}),
                    )
                    .await?;
                    summary.failed += 1;
                }
            }
        }
        summary.pending = fetch_i64(
            tx.conn(),
            "SELECT COUNT(*) FROM payment_run_lines WHERE run_id = ? AND result IS NULL",
            vec![run.id.into()],
        )
        .await?;
        if summary.pending == 0 {
            exec(
                tx.conn(),
                "UPDATE payment_runs SET state = 'completed', completed_at = ? WHERE id = ? AND state = 'exported'",
                vec![now.into(), run.id.into()],
            )
            .await?;
        }
        tx.audit(
            "payment_run.results",
            "payment_run",
            run.id,
            json!({"paid": summary.paid, "failed": summary.failed, "pending": summary.pending}),
        )
        .await?;
        Ok(summary)
    }

    /// Marks a failed line settled with a reason (e.g. the grant is handled outside the
    /// programme): the paying unit, once the line has failed.
    pub async fn settle_failed_line(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        run_id: i64,
        line_id: i64,
        note: &str,
    ) -> Result<()> {
        let run = Self::run_row(tx.conn(), scope, run_id).await?;
        Self::check_run_action(tx, scope, RunAction::Settle, &run.district_code, Some(&run))
            .await?;
        #[derive(sea_orm::FromQueryResult)]
        struct L {
            result: Option<String>,
            settled_at: Option<i64>,
            application_id: i64,
        }
        let l: L = fetch_opt(
            tx.conn(),
            "SELECT result, settled_at, application_id FROM payment_run_lines WHERE id = ? AND run_id = ?",
            vec![line_id.into(), run_id.into()],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
        if l.result.as_deref() != Some("failed") || l.settled_at.is_some() {
            return Err(StoreError::conflict(
                "payment.not_open_failure",
                "只有支付失败、尚未了结的明细可以标记为已了结。",
                "Only a failed line not yet settled can be marked settled.",
            ));
        }
        let note = crate::org::require_text("note", "了结说明", "Reason", note, 500)?;
        exec(
            tx.conn(),
            "UPDATE payment_run_lines SET settled_at = ?, settled_by = ?, settle_note = ? WHERE id = ?",
            vec![
                crate::now_s().into(),
                tx.actor_user_id().into(),
                note.clone().into(),
                line_id.into(),
            ],
        )
        .await?;
        tx.audit(
            "payment_run.settle",
            "payment_run",
            run_id,
            json!({"line_id": line_id, "application_id": l.application_id, "note": note}),
        )
        .await
    }
}
