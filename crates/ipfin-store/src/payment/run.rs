//! Preparing a payment run (the paying unit: open it, add and remove lines while it is a draft),
//! confirming it (an officer of the lead department, of another organisation), and exporting it
//! for the treasury (the paying unit; the run is then exported and waits for its results).

use super::{RunDetail, RunRow};
use crate::db::{exec, fetch_i64, fetch_opt};
use crate::error::{Result, StoreError};
use crate::{Store, WriteTx};
use ipfin_domain::application::State;
use ipfin_domain::org::Scope;
use ipfin_domain::payment::{RunAction, RunState, check_amount, check_payee, joined};
use ipfin_domain::{Fen, Msg};
use sea_orm::FromQueryResult;
use serde_json::json;

impl Store {
    /// Opens a payment run in the caller's district (the paying unit's staff, signed in), with
    /// the given applications as its first lines (all or nothing).
    pub async fn create_payment_run(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        title: &str,
        application_ids: &[i64],
    ) -> Result<i64> {
        let district = scope.district().unwrap_or_default().to_string();
        let org = Self::check_run_action(tx, scope, RunAction::Prepare, &district, None)
            .await?
            .ok_or(StoreError::NotFound)?;
        let title = match title.trim() {
            "" => format!("{} 资助资金付款批次", crate::today_shanghai()),
            t => crate::org::require_text("title", "批次名称", "Title", t, 100)?,
        };
        let user = tx.actor_user_id().unwrap_or_default();
        let id = fetch_i64(
            tx.conn(),
            "INSERT INTO payment_runs (district_code, title, state, paying_org_id, prepared_by, prepared_at) \
             VALUES (?, ?, 'draft', ?, ?, ?) RETURNING id",
            vec![
                district.clone().into(),
                title.clone().into(),
                org.into(),
                user.into(),
                crate::now_s().into(),
            ],
        )
        .await?;
        tx.audit(
            "payment_run.create",
            "payment_run",
            id,
            json!({"district": district, "title": title, "paying_org_id": org}),
        )
        .await?;
        for app in application_ids {
            self.add_payment_line(tx, scope, id, *app, None).await?;
        }
        Ok(id)
    }

    /// Adds a granted application to a draft run: its payee account (checked again against the
    /// registered name) and the amount — what is still due (granted − disbursed) unless a
    /// smaller amount is given; more is refused. An application waits in one run at a time.
    pub async fn add_payment_line(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        run_id: i64,
        application_id: i64,
        amount_fen: Option<Fen>,
    ) -> Result<i64> {
        let run = Self::run_row(tx.conn(), scope, run_id).await?;
        Self::check_run_action(
            tx,
            scope,
            RunAction::Prepare,
            &run.district_code,
            Some(&run),
        )
        .await?;
        let (row, wf) = Self::payable_row(tx, scope, application_id).await?;
        if row.district_code != run.district_code {
            return Err(StoreError::NotFound);
        }
        let label = row.label();
        if !matches!(wf.state, State::Granted | State::Disbursed) {
            return Err(StoreError::conflict(
                "payment.not_payable",
                format!(
                    "申请 {label} 的状态为“{}”：只有资助已确定、尚未拨付完毕的申请可以列入付款批次。",
                    wf.state.zh()
                ),
                "Only granted applications not yet paid in full go into a payment run.",
            ));
        }
        let granted = row.granted_fen.unwrap_or(Fen::ZERO);
        let amount = match amount_fen {
            Some(a) => a,
            // What is still due; stored figures whose difference does not fit in fen are an
            // internal error (logged), never taken as nothing due.
            None => granted
                .checked_sub(row.disbursed_fen)
                .ok_or_else(|| StoreError::overflow("payment line due (granted − disbursed)"))?,
        };
        check_amount(amount, granted, row.disbursed_fen).map_err(|m| {
            StoreError::Invalid(ipfin_domain::FieldError {
                field: "amount_fen",
                msg: Msg::new(m.code, format!("申请 {label}：{}", m.zh), m.en),
            })
        })?;
        let Some(payee) = Self::payee_of(tx.conn(), application_id).await? else {
            return Err(StoreError::conflict(
                "payment.no_payee",
                format!(
                    "申请 {label} 尚未填写收款账户：请企业在申请的“收款账户”页面填写后再列入批次。"
                ),
                "The applicant has not named its payee account yet.",
            ));
        };
        let name = Self::registered_name(tx.conn(), &row).await?;
        let input = ipfin_domain::payment::PayeeInput {
            account_name: payee.account_name.clone(),
            bank_name: payee.bank_name.clone(),
            account_number: payee.account_number.clone(),
        };
        if let Err(errors) = check_payee(&input, &name) {
            let m = joined(&errors);
            return Err(StoreError::conflict(
                "payment.payee_invalid",
                format!("申请 {label} 的收款账户不能使用：{}", m.zh),
                format!("The payee account of {label} cannot be used: {}", m.en),
            ));
        }
        #[derive(FromQueryResult)]
        struct Pending {
            run_id: i64,
        }
        let pending: Option<Pending> = fetch_opt(
            tx.conn(),
            "SELECT run_id FROM payment_run_lines WHERE application_id = ? AND result IS NULL",
            vec![application_id.into()],
        )
        .await?;
        if let Some(p) = pending {
            return Err(StoreError::conflict(
                "payment.already_in_run",
                format!("申请 {label} 已在付款批次 #{} 中等待支付结果。", p.run_id),
                format!("{label} already waits in payment run #{}.", p.run_id),
            ));
        }
        let line_no = fetch_i64(
            tx.conn(),
            "SELECT CAST(COALESCE(MAX(line_no), 0) AS BIGINT) FROM payment_run_lines WHERE run_id = ?",
            vec![run_id.into()],
        )
        .await?
            + 1;
        let purpose: String = format!("{} 资助资金 {label}", row.policy_title)
            .chars()
            .take(200)
            .collect();
        let id = fetch_i64(
            tx.conn(),
            "INSERT INTO payment_run_lines (run_id, line_no, application_id, account_name, bank_name, account_number, amount_fen, purpose) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            vec![
                run_id.into(),
                line_no.into(),
                application_id.into(),
                payee.account_name.into(),
                payee.bank_name.into(),
                payee.account_number.into(),
                amount.into(),
                purpose.into(),
            ],
        )
        .await
        .map_err(|e| {
            e.unique_as(Msg::new(
                "payment.already_in_run",
                format!("申请 {label} 已在另一付款批次中等待支付结果。"),
                "The application already waits in another payment run.",
            ))
        })?;
        tx.audit(
            "payment_run.add_line",
            "payment_run",
            run_id,
            json!({"line_id": id, "line_no": line_no, "application_id": application_id, "number": row.number, "amount_fen": amount}),
        )
        .await?;
        Ok(id)
    }

    /// Removes a line from a draft run; the lines after it move up one number.
    pub async fn remove_payment_line(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        run_id: i64,
        line_id: i64,
    ) -> Result<()> {
        let run = Self::run_row(tx.conn(), scope, run_id).await?;
        Self::check_run_action(
            tx,
            scope,
            RunAction::Prepare,
            &run.district_code,
            Some(&run),
        )
        .await?;
        #[derive(FromQueryResult)]
        struct L {
            line_no: i32,
            application_id: i64,
            amount_fen: Fen,
        }
        let l: L = fetch_opt(
            tx.conn(),
            "SELECT line_no, application_id, amount_fen FROM payment_run_lines WHERE id = ? AND run_id = ?",
            vec![line_id.into(), run_id.into()],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
        exec(
            tx.conn(),
            "DELETE FROM payment_run_lines WHERE id = ?",
            vec![line_id.into()],
        )
        .await?;
        exec(
            tx.conn(),
            "UPDATE payment_run_lines SET line_no = line_no - 1 WHERE run_id = ? AND line_no > ?",
            vec![run_id.into(), l.line_no.into()],
        )
        .await?;
        tx.audit(
            "payment_run.remove_line",
            "payment_run",
            run_id,
            json!({"line_id": line_id, "line_no": l.line_no, "application_id": l.application_id, "amount_fen": l.amount_fen}),
        )
        .await
    }

    /// An officer of the district's lead department confirms a draft run — never one of the
    /// organisation that prepared it. Every line is checked again (still payable, its amount
    /// still within granted − disbursed); any problem refuses the confirmation, listing all.
    pub async fn confirm_payment_run(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        run_id: i64,
    ) -> Result<()> {
        let run = Self::run_row(tx.conn(), scope, run_id).await?;
        Self::check_run_action(
            tx,
            scope,
            RunAction::Confirm,
            &run.district_code,
            Some(&run),
        )
        .await?;
        let lines = Self::run_lines(tx.conn(), run_id).await?;
        if lines.is_empty() {
            return Err(StoreError::conflict(
                "payment.empty_run",
                "付款批次中没有明细，不能确认。",
                "The run has no lines to confirm.",
            ));
        }
        let mut problems = Vec::new();
        for l in &lines {
            let (row, wf) = Self::payable_row(tx, scope, l.application_id).await?;
            let label = row.label();
            if !matches!(wf.state, State::Granted | State::Disbursed) {
                problems.push(format!(
                    "第 {} 行（{label}）：申请状态已变为“{}”",
                    l.line_no,
                    wf.state.zh()
                ));
            } else if let Err(m) = check_amount(
                l.amount_fen,
                row.granted_fen.unwrap_or(Fen::ZERO),
                row.disbursed_fen,
            ) {
                problems.push(format!(
                    "第 {} 行（{label}）：{}",
                    l.line_no,
                    m.zh.trim_end_matches('。')
                ));
            }
        }
        if !problems.is_empty() {
            return Err(StoreError::conflict(
                "payment.confirm_problems",
                format!(
                    "付款批次不能确认，共 {} 处问题：{}。请财政拨付单位调整后再提交确认。",
                    problems.len(),
                    problems.join("；")
                ),
                "The run cannot be confirmed: some lines are no longer payable as prepared.",
            ));
        }
        let now = crate::now_s();
        let changed = exec(
            tx.conn(),
            "UPDATE payment_runs SET state = 'confirmed', confirmed_by = ?, confirmed_at = ? WHERE id = ? AND state = 'draft'",
            vec![tx.actor_user_id().into(), now.into(), run_id.into()],
        )
        .await?;
        if changed != 1 {
            return Err(stale());
        }
        crate::notification::notify(
            tx.conn(),
            Some(run.paying_org_id),
            None,
            None,
            (
                format!(
                    "付款批次 #{run_id}“{}”已由牵头部门确认，可以导出支付清单。",
                    run.title
                ),
                format!(
                    "Payment run #{run_id} “{}” was confirmed by the lead department: export the payment list.",
                    run.title
                ),
            ),
            format!("/payments/runs/{run_id}"),
        )
        .await?;
        tx.audit(
            "payment_run.confirm",
            "payment_run",
            run_id,
            json!({"lines": lines.len(), "total_fen": run.total_fen, "prepared_by": run.prepared_by, "paying_org_id": run.paying_org_id}),
        )
        .await
    }

    /// The paying unit exports a confirmed run for the treasury: the first export moves it to
    /// `exported`; later exports give the same list again. Every export is in the audit trail.
    pub async fn export_payment_run(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        run_id: i64,
    ) -> Result<RunDetail> {
        let run = Self::run_row(tx.conn(), scope, run_id).await?;
        Self::check_run_action(tx, scope, RunAction::Export, &run.district_code, Some(&run))
            .await?;
        if run.state() == RunState::Confirmed {
            let changed = exec(
                tx.conn(),
                "UPDATE payment_runs SET state = 'exported', exported_by = ?, exported_at = ? WHERE id = ? AND state = 'confirmed'",
                vec![tx.actor_user_id().into(), crate::now_s().into(), run_id.into()],
            )
            .await?;
            if changed != 1 {
                return Err(stale());
            }
        }
        let run: RunRow = Self::run_row(tx.conn(), scope, run_id).await?;
        let lines = Self::run_lines(tx.conn(), run_id).await?;
        tx.audit(
            "payment_run.export",
            "payment_run",
            run_id,
            json!({"lines": lines.len(), "total_fen": run.total_fen}),
        )
        .await?;
        Ok(RunDetail { run, lines })
    }
}

pub(super) fn stale() -> StoreError {
    StoreError::conflict(
        "payment.stale",
        "该付款批次刚被他人办理，请刷新页面后再操作。",
        "Someone else just acted on this run; reload and try again.",
    )
}
