//! Paying a granted application (issue #18 item 4): the one function that records a payment,
//! shared by the officer's manual disbursement (`grant.rs`) and the paying unit's payment runs
//! (`crate::payment`), and the payee account the applicant names on the application.

use super::{ApplicationRow, applicant_org, field_err};
use crate::db::{exec, fetch_opt};
use crate::error::{Result, StoreError};
use crate::{Store, WriteTx};
use chrono::NaiveDate;
use ipfin_domain::application::duties::Duty;
use ipfin_domain::application::{Action, Actor, State, Workflow};
use ipfin_domain::org::Scope;
use ipfin_domain::payment::{PayeeInput, check_payee, joined};
use ipfin_domain::{Fen, FieldError, Msg};
use sea_orm::{ConnectionTrait, FromQueryResult};
use serde::Serialize;
use serde_json::json;

/// The payee account of an application, as stored.
#[derive(Debug, Clone, FromQueryResult, Serialize, PartialEq, Eq)]
pub struct PayeeRow {
    pub application_id: i64,
    pub account_name: String,
    pub bank_name: String,
    pub account_number: String,
    pub updated_at: i64,
}

/// States in which the applicant may still name or change the account: before the grant is
/// paid in full and while the application is alive.
fn payee_open(state: State) -> bool {
    !matches!(
        state,
        State::Withdrawn
            | State::NotAccepted
            | State::Rejected
            | State::UnderInvestigation
            | State::Cleared
            | State::ClawedBack
    )
}

impl Store {
    /// Records one payment of a granted application — the one way a payment is recorded, by a
    /// manual disbursement or a payment run's paid line: the amount is above 0 and at most
    /// granted − disbursed at this moment, the reference is required; a `grant_payments` row,
    /// `disbursed_fen`, the Granted → Disbursed transition on the first payment (with the
    /// supervision checks of the district's schedule, `schedule_checks`), `application.disburse_more` on the
    /// next ones, and a notice to the applicant.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn record_payment(
        tx: &mut WriteTx,
        row: &ApplicationRow,
        wf: &Workflow,
        user: i64,
        paid_on: NaiveDate,
        amount_fen: Fen,
        reference: &str,
        signed: Option<&crate::confirmation::Signed>,
    ) -> Result<()> {
        if !matches!(wf.state, State::Granted | State::Disbursed) {
            return Err(StoreError::conflict(
                "disburse.state",
                format!("申请状态为“{}”，资助确定后才能拨付。", wf.state.zh()),
                "Only granted applications are disbursed.",
            ));
        }
        let id = row.id;
        // Read again inside the transaction: another payment may have been recorded since the
        // row was loaded.
        let disbursed = crate::db::fetch_fen(
            tx.conn(),
            "SELECT disbursed_fen FROM applications WHERE id = ?",
            vec![id.into()],
        )
        .await?;
        let granted = row.granted_fen.unwrap_or(Fen::ZERO);
        let total = disbursed.checked_add(amount_fen);
        if !amount_fen.is_positive() || total.is_none_or(|t| t > granted) {
            return Err(field_err(
                "amount",
                Msg::new(
                    "disburse.amount",
                    format!(
                        "拨付金额应大于 0，且累计不超过确定的资助额 {} 元（已拨付 {} 元）。",
                        granted.yuan(),
                        disbursed.yuan()
                    ),
                    "The amount must be above 0 and in total not above the grant.",
                ),
            ));
        }
        let reference = crate::org::require_text(
            "reference",
            "支付凭证号",
            "Payment reference",
            reference,
            100,
        )?;
        exec(
            tx.conn(),
            "INSERT INTO grant_payments (application_id, paid_on, amount_fen, reference, created_at) VALUES (?, ?, ?, ?, ?)",
            vec![id.into(), paid_on.into(), amount_fen.into(), reference.clone().into(), crate::now_s().into()],
        )
        .await?;
        exec(
            tx.conn(),
            "UPDATE applications SET disbursed_fen = disbursed_fen + ? WHERE id = ?",
            vec![amount_fen.into(), id.into()],
        )
        .await?;
        if wf.state == State::Granted {
            Self::transition(
                tx,
                row,
                wf,
                Actor::Officer(user),
                Action::Disburse,
                &signed.map_or_else(|| reference.clone(), |s| s.comment(&reference)),
                match signed {
                    Some(s) => s.data(json!({"amount_fen": amount_fen, "paid_on": paid_on})),
                    None => json!({"amount_fen": amount_fen, "paid_on": paid_on}),
                },
            )
            .await?;
            let (_, body) = Self::app_state(tx.conn(), id).await?;
            Self::schedule_checks(tx, row, &body, paid_on).await?;
        } else {
            tx.audit("application.disburse_more", "application", id, {
                let data =
                    json!({"amount_fen": amount_fen, "paid_on": paid_on, "reference": reference});
                match signed {
                    Some(s) => s.data(data),
                    None => data,
                }
            })
            .await?;
        }
        Self::notify_applicant(
            tx,
            row,
            (
                format!("{} 已拨付 {} 元。", row.label(), amount_fen.yuan()),
                format!("{}: CNY {} paid.", row.label(), amount_fen.yuan()),
            ),
        )
        .await
    }

    /// A granted application of the scope's district as a payment run needs it: its row and
    /// workflow (not found outside the scope).
    pub(crate) async fn payable_row(
        tx: &WriteTx,
        scope: &Scope,
        id: i64,
    ) -> Result<(ApplicationRow, Workflow)> {
        let row = Self::app_row(tx.conn(), scope, id).await?;
        let (wf, _) = Self::app_state(tx.conn(), id).await?;
        Ok((row, wf))
    }

    /// Refuses `user` paying the application when separation of duties forbids it (decision
    /// 0022): the paying unit's clerk who records a paid line signs the disbursement.
    pub(crate) async fn check_payer(tx: &WriteTx, row: &ApplicationRow, user: i64) -> Result<()> {
        Self::check_duty(tx, row, user, Duty::Disburse).await
    }

    /// The name the payee account must carry: the enterprise's registered name (the registry's,
    /// when the applicant is linked to a registry record), else the applicant organisation's.
    pub(crate) async fn registered_name<C: ConnectionTrait>(
        conn: &C,
        row: &ApplicationRow,
    ) -> Result<String> {
        #[derive(FromQueryResult)]
        struct N {
            name: String,
        }
        if let Some(e) = row.enterprise_id {
            let n: Option<N> = fetch_opt(
                conn,
                "SELECT name FROM enterprises WHERE id = ?",
                vec![e.into()],
            )
            .await?;
            if let Some(n) = n {
                return Ok(n.name);
            }
        }
        Ok(row.applicant_name.clone())
    }

    pub(crate) async fn payee_of<C: ConnectionTrait>(
        conn: &C,
        id: i64,
    ) -> Result<Option<PayeeRow>> {
        fetch_opt(
            conn,
            "SELECT application_id, account_name, bank_name, account_number, updated_at FROM payee_accounts WHERE application_id = ?",
            vec![id.into()],
        )
        .await
    }

    /// The payee account of an application the scope reads, if one was named.
    pub async fn payee_account(&self, scope: &Scope, id: i64) -> Result<Option<PayeeRow>> {
        Self::app_row(self.conn(), scope, id).await?;
        Self::payee_of(self.conn(), id).await
    }

    /// The name the payee account of an application the scope reads must carry.
    pub async fn payee_name(&self, scope: &Scope, id: i64) -> Result<String> {
        let row = Self::app_row(self.conn(), scope, id).await?;
        Self::registered_name(self.conn(), &row).await
    }

    /// The applicant names (or changes) the account the grant is paid to. Checked in the domain
    /// against the registered name, every problem at once (one message listing them, on the
    /// first problem's field). Refused once the application is closed, and while it is in a
    /// payment run waiting for its result (the run was prepared with the old account).
    pub async fn set_payee_account(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        id: i64,
        input: &PayeeInput,
    ) -> Result<PayeeRow> {
        let org = applicant_org(scope)?;
        let row = Self::app_row(tx.conn(), scope, id).await?;
        if org != row.applicant_org_id {
            return Err(StoreError::NotFound);
        }
        let state = row.state();
        if !payee_open(state)
            || (state == State::Disbursed
                && row.disbursed_fen >= row.granted_fen.unwrap_or(Fen::ZERO))
        {
            return Err(StoreError::conflict(
                "payee.closed",
                format!("申请状态为“{}”，不能再修改收款账户。", state.zh()),
                "The application is closed or paid in full: its payee account no longer changes.",
            ));
        }
        let pending = crate::db::fetch_i64(
            tx.conn(),
            "SELECT COUNT(*) FROM payment_run_lines WHERE application_id = ? AND result IS NULL",
            vec![id.into()],
        )
        .await?;
        if pending > 0 {
            return Err(StoreError::conflict(
                "payee.in_run",
                "该申请已列入付款批次、正等待支付结果，不能修改收款账户；如需修改，请联系区财政拨付单位先将其移出草稿批次。",
                "The application is in a payment run awaiting its result: ask the paying unit to remove it from the draft run first.",
            ));
        }
        let name = Self::registered_name(tx.conn(), &row).await?;
        let account = check_payee(input, &name).map_err(|errors: Vec<FieldError>| {
            StoreError::Invalid(FieldError {
                field: errors.first().map_or("account_name", |e| e.field),
                msg: joined(&errors),
            })
        })?;
        let before = Self::payee_of(tx.conn(), id).await?;
        let now = crate::now_s();
        exec(
            tx.conn(),
            "INSERT INTO payee_accounts (application_id, account_name, bank_name, account_number, updated_by, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (application_id) DO UPDATE SET account_name = excluded.account_name, \
             bank_name = excluded.bank_name, account_number = excluded.account_number, updated_by = excluded.updated_by, \
             updated_at = excluded.updated_at",
            vec![
                id.into(),
                account.account_name.clone().into(),
                account.bank_name.clone().into(),
                account.account_number.clone().into(),
                tx.actor_user_id().into(),
                now.into(),
            ],
        )
        .await?;
        let after = PayeeRow {
            application_id: id,
            account_name: account.account_name,
            bank_name: account.bank_name,
            account_number: account.account_number,
            updated_at: now,
        };
        tx.audit(
            "application.payee",
            "application",
            id,
            json!({"number": row.number, "before": before, "after": &after}),
        )
        .await?;
        Ok(after)
    }
}
