//! The finance bureau pays (issue #18 item 4, decision 0026): a district's paying unit
//! (财政拨付单位) prepares payment runs of granted applications, an officer of the district's
//! lead department confirms them (four eyes across two organisations), the paying unit exports
//! the treasury's payment list and records each line's result — a paid line records the payment
//! exactly as a manual disbursement does (`Store::record_payment`).
//!
//! Who may do what is `ipfin_domain::payment::may`; this module loads the facts it needs (the
//! district's paying unit, the caller's organisation, the run's preparer) and applies its
//! answer. Reads are scoped with `Records::PaymentRuns` (government of the district; the city).
//! One file per concern: this one (rows, the paying unit, reads), `run` (preparing, confirming,
//! exporting) and `result` (results by upload or form, settling failed lines).

mod result;
mod run;

pub use result::ResultSummary;

use crate::column::Code;
use crate::db::{exec, fetch_all, fetch_opt};
use crate::error::{Result, StoreError};
use crate::visibility::condition;
use crate::{Store, WriteTx};
use chrono::NaiveDate;
use ipfin_domain::money::MoneyOverflow;
use ipfin_domain::org::Scope;
use ipfin_domain::payment::{Refusal, RunAction, RunParties, RunState};
use ipfin_domain::visibility::Records;
use ipfin_domain::{Fen, OrgId, OrgKind};
use sea_orm::{ConnectionTrait, FromQueryResult};
use serde::Serialize;
use serde_json::json;

/// A district's paying unit.
#[derive(Debug, Clone, FromQueryResult, Serialize, PartialEq, Eq)]
pub struct PayingUnit {
    pub district_code: String,
    pub organisation_id: i64,
    pub organisation_name: String,
    pub set_at: i64,
}

/// A payment run with its totals.
#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct RunRow {
    pub id: i64,
    pub district_code: String,
    pub title: String,
    pub state: Code<RunState>,
    pub paying_org_id: OrgId,
    pub paying_org_name: String,
    pub prepared_by: i64,
    pub preparer_name: Option<String>,
    pub prepared_at: i64,
    pub confirmed_by: Option<i64>,
    pub confirmer_name: Option<String>,
    pub confirmed_at: Option<i64>,
    pub exported_at: Option<i64>,
    pub completed_at: Option<i64>,
    pub lines: i64,
    pub total_fen: Fen,
    pub paid_fen: Fen,
    pub failed: i64,
    pub pending: i64,
}

impl RunRow {
    pub fn state(&self) -> RunState {
        self.state.get()
    }
}

/// One line of a run: the account and amount as prepared, and the treasury's result.
#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct LineRow {
    pub id: i64,
    pub run_id: i64,
    pub line_no: i32,
    pub application_id: i64,
    pub number: Option<String>,
    pub enterprise_name: String,
    pub account_name: String,
    pub bank_name: String,
    pub account_number: String,
    pub amount_fen: Fen,
    pub purpose: String,
    /// `paid`, `failed`, or none yet.
    pub result: Option<String>,
    pub paid_on: Option<NaiveDate>,
    pub reference: Option<String>,
    pub failure_reason: Option<String>,
    pub recorded_at: Option<i64>,
    pub settled_at: Option<i64>,
    pub settle_note: Option<String>,
    /// A later run the application was put in again (a failed line being retried).
    pub retried_in: Option<i64>,
}

/// A run and its lines.
#[derive(Debug, Clone, Serialize)]
pub struct RunDetail {
    pub run: RunRow,
    pub lines: Vec<LineRow>,
}

/// A granted application still to pay, with its payee account (if named) and the run it waits
/// in (if any).
#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct Payable {
    pub application_id: i64,
    pub number: Option<String>,
    pub district_code: String,
    pub enterprise_name: String,
    pub granted_fen: Fen,
    pub disbursed_fen: Fen,
    pub account_name: Option<String>,
    pub bank_name: Option<String>,
    pub account_number: Option<String>,
    pub pending_run_id: Option<i64>,
}

impl Payable {
    /// Granted − disbursed, or `MoneyOverflow` if the stored figures do not give an amount.
    pub fn due_fen(&self) -> std::result::Result<Fen, MoneyOverflow> {
        self.granted_fen
            .checked_sub(self.disbursed_fen)
            .ok_or(MoneyOverflow)
    }
}

const RUN_COLS: &str = "r.id, r.district_code, r.title, r.state, r.paying_org_id, o.name AS paying_org_name, \
    r.prepared_by, pu.display_name AS preparer_name, r.prepared_at, r.confirmed_by, cu.display_name AS confirmer_name, \
    r.confirmed_at, r.exported_at, r.completed_at, \
    (SELECT COUNT(*) FROM payment_run_lines l WHERE l.run_id = r.id) AS lines, \
    (SELECT CAST(COALESCE(SUM(l.amount_fen), 0) AS BIGINT) FROM payment_run_lines l WHERE l.run_id = r.id) AS total_fen, \
    (SELECT CAST(COALESCE(SUM(l.amount_fen), 0) AS BIGINT) FROM payment_run_lines l WHERE l.run_id = r.id AND l.result = 'paid') AS paid_fen, \
    (SELECT COUNT(*) FROM payment_run_lines l WHERE l.run_id = r.id AND l.result = 'failed') AS failed, \
    (SELECT COUNT(*) FROM payment_run_lines l WHERE l.run_id = r.id AND l.result IS NULL) AS pending";
const RUN_FROM: &str = "FROM payment_runs r JOIN organisations o ON o.id = r.paying_org_id \
    LEFT JOIN users pu ON pu.id = r.prepared_by LEFT JOIN users cu ON cu.id = r.confirmed_by";
const LINE_COLS: &str = "l.id, l.run_id, l.line_no, l.application_id, a.number, o.name AS enterprise_name, \
    l.account_name, l.bank_name, l.account_number, l.amount_fen, l.purpose, l.result, l.paid_on, l.reference, \
    l.failure_reason, l.recorded_at, l.settled_at, l.settle_note, \
    (SELECT MIN(l2.run_id) FROM payment_run_lines l2 WHERE l2.application_id = l.application_id AND l2.id > l.id) AS retried_in";
const LINE_FROM: &str = "FROM payment_run_lines l JOIN applications a ON a.id = l.application_id \
    JOIN organisations o ON o.id = a.applicant_org_id";

pub(crate) fn refusal(r: Refusal) -> StoreError {
    match r {
        Refusal::Forbidden(m) => StoreError::Forbidden(m),
        Refusal::Conflict(m) => StoreError::Conflict(m),
    }
}

impl Store {
    /// The district's paying unit, if designated.
    pub(crate) async fn paying_unit_of<C: ConnectionTrait>(
        conn: &C,
        district: &str,
    ) -> Result<Option<PayingUnit>> {
        fetch_opt(
            conn,
            "SELECT u.district_code, u.organisation_id, o.name AS organisation_name, u.set_at \
             FROM paying_units u JOIN organisations o ON o.id = u.organisation_id WHERE u.district_code = ?",
            vec![district.into()],
        )
        .await
    }

    /// The paying unit of a district the scope reads (not found otherwise).
    pub async fn paying_unit(&self, scope: &Scope, district: &str) -> Result<Option<PayingUnit>> {
        if !scope.reads_district(district) {
            return Err(StoreError::NotFound);
        }
        Self::paying_unit_of(self.conn(), district).await
    }

    /// The organisation of the person signing this transaction (none for a token or the
    /// system).
    pub(crate) async fn signer_org(tx: &WriteTx) -> Result<Option<i64>> {
        let Some(user) = tx.actor_user_id() else {
            return Ok(None);
        };
        #[derive(FromQueryResult)]
        struct O {
            organisation_id: i64,
        }
        let o: Option<O> = fetch_opt(
            tx.conn(),
            "SELECT organisation_id FROM users WHERE id = ?",
            vec![user.into()],
        )
        .await?;
        Ok(o.map(|o| o.organisation_id))
    }

    /// Designates a member department of the district as its paying unit (the city
    /// administrator or the district's lead officers, signed in as themselves). The lead
    /// department itself cannot be the paying unit: the two organisations are the four eyes of
    /// every run. The previous designation stays in the audit trail.
    pub async fn set_paying_unit(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        district: &str,
        organisation_id: i64,
    ) -> Result<PayingUnit> {
        if !scope.manages_district(district) {
            return Err(StoreError::forbidden(
                "payment.designate",
                "只有市级管理员或本区牵头部门可以指定财政拨付单位。",
                "Only the city administrator or the district's lead department designates the paying unit.",
            ));
        }
        if tx.actor_user_id().is_none() {
            return Err(StoreError::forbidden(
                "payment.person_required",
                "指定财政拨付单位须以个人账号登录办理。",
                "Designating the paying unit is signed by a person.",
            ));
        }
        Self::district_in(tx.conn(), district).await?;
        let org = self
            .org_in(tx.conn(), &Scope::City, organisation_id)
            .await
            .ok()
            .filter(|o| {
                o.kind() == OrgKind::Department
                    && o.district_code.as_deref() == Some(district)
                    && o.active
            })
            .ok_or_else(|| {
                StoreError::invalid(
                    "organisation_id",
                    "payment.unit_not_department",
                    "财政拨付单位必须是本辖区在用的区级部门。",
                    "The paying unit must be an active department of this district.",
                )
            })?;
        let today = crate::today_shanghai();
        if Self::lead_on(tx.conn(), district, today).await? == Some(organisation_id) {
            return Err(StoreError::invalid(
                "organisation_id",
                "payment.unit_is_lead",
                "牵头部门不能同时担任财政拨付单位：付款批次须由两个单位分别准备和确认（四眼原则）。",
                "The lead department cannot be the paying unit: runs are prepared and confirmed by two organisations.",
            ));
        }
        let before = Self::paying_unit_of(tx.conn(), district).await?;
        if before.as_ref().map(|b| b.organisation_id) == Some(organisation_id) {
            return Err(StoreError::conflict(
                "payment.unit_unchanged",
                format!("{} 已是本区的财政拨付单位。", org.name),
                "This department is already the paying unit.",
            ));
        }
        let now = crate::now_s();
        exec(
            tx.conn(),
            "INSERT INTO paying_units (district_code, organisation_id, set_by, set_at) VALUES (?, ?, ?, ?) \
             ON CONFLICT (district_code) DO UPDATE SET organisation_id = excluded.organisation_id, \
             set_by = excluded.set_by, set_at = excluded.set_at",
            vec![
                district.into(),
                organisation_id.into(),
                tx.actor_user_id().into(),
                now.into(),
            ],
        )
        .await?;
        let after = PayingUnit {
            district_code: district.to_string(),
            organisation_id,
            organisation_name: org.name,
            set_at: now,
        };
        tx.audit(
            "district.paying_unit",
            "district",
            district,
            json!({"before": before, "after": &after}),
        )
        .await?;
        Ok(after)
    }

    /// The demo's designation (no person signs it; audited as the demo).
    pub(crate) async fn seed_paying_unit(
        tx: &mut WriteTx,
        district: &str,
        organisation_id: i64,
    ) -> Result<()> {
        exec(
            tx.conn(),
            "INSERT INTO paying_units (district_code, organisation_id, set_by, set_at) VALUES (?, ?, NULL, ?)",
            vec![district.into(), organisation_id.into(), crate::now_s().into()],
        )
        .await?;
        tx.audit(
            "district.paying_unit",
            "district",
            district,
            json!({"before": null, "after": {"organisation_id": organisation_id}}),
        )
        .await
    }

    /// Payment runs the scope reads, newest first (optionally one district's).
    pub async fn payment_runs(&self, scope: &Scope, district: Option<&str>) -> Result<Vec<RunRow>> {
        let (mut cond, mut values) = condition(scope, Records::PaymentRuns);
        if let Some(d) = district {
            cond.push_str(" AND r.district_code = ?");
            values.push(d.into());
        }
        fetch_all(
            self.conn(),
            &format!("SELECT {RUN_COLS} {RUN_FROM} WHERE {cond} ORDER BY r.id DESC LIMIT 200"),
            values,
        )
        .await
    }

    pub(crate) async fn run_row<C: ConnectionTrait>(
        conn: &C,
        scope: &Scope,
        id: i64,
    ) -> Result<RunRow> {
        let (cond, mut values) = condition(scope, Records::PaymentRuns);
        values.insert(0, id.into());
        fetch_opt(
            conn,
            &format!("SELECT {RUN_COLS} {RUN_FROM} WHERE r.id = ? AND {cond}"),
            values,
        )
        .await?
        .ok_or(StoreError::NotFound)
    }

    pub(crate) async fn run_lines<C: ConnectionTrait>(
        conn: &C,
        run_id: i64,
    ) -> Result<Vec<LineRow>> {
        fetch_all(
            conn,
            &format!("SELECT {LINE_COLS} {LINE_FROM} WHERE l.run_id = ? ORDER BY l.line_no, l.id"),
            vec![run_id.into()],
        )
        .await
    }

    /// A run the scope reads, with its lines.
    pub async fn payment_run(&self, scope: &Scope, id: i64) -> Result<RunDetail> {
        let run = Self::run_row(self.conn(), scope, id).await?;
        let lines = Self::run_lines(self.conn(), id).await?;
        Ok(RunDetail { run, lines })
    }

    /// Granted applications still to pay in the scope's districts, oldest acceptance first.
    pub async fn payables(&self, scope: &Scope, district: Option<&str>) -> Result<Vec<Payable>> {
        if !scope.is_government() {
            return Ok(vec![]);
        }
        let (mut cond, mut values) = condition(scope, Records::Applications);
        if let Some(d) = district {
            cond.push_str(" AND a.district_code = ?");
            values.push(d.into());
        }
        fetch_all(
            self.conn(),
            &format!(
                "SELECT a.id AS application_id, a.number, a.district_code, o.name AS enterprise_name, \
                 CAST(COALESCE(a.granted_fen, 0) AS BIGINT) AS granted_fen, a.disbursed_fen, \
                 p.account_name, p.bank_name, p.account_number, \
                 (SELECT MIN(l.run_id) FROM payment_run_lines l WHERE l.application_id = a.id AND l.result IS NULL) AS pending_run_id \
                 FROM applications a JOIN organisations o ON o.id = a.applicant_org_id \
                 LEFT JOIN payee_accounts p ON p.application_id = a.id \
                 WHERE {cond} AND a.state IN ('granted', 'disbursed') AND a.granted_fen > a.disbursed_fen \
                 ORDER BY a.accepted_at, a.id LIMIT 500"
            ),
            values,
        )
        .await
    }

    /// Failed lines not yet settled (retried and paid, or marked settled with a reason).
    pub async fn open_failures(
        &self,
        scope: &Scope,
        district: Option<&str>,
    ) -> Result<Vec<LineRow>> {
        let (mut cond, mut values) = condition(scope, Records::PaymentRuns);
        if let Some(d) = district {
            cond.push_str(" AND r.district_code = ?");
            values.push(d.into());
        }
        fetch_all(
            self.conn(),
            &format!(
                "SELECT {LINE_COLS} {LINE_FROM} JOIN payment_runs r ON r.id = l.run_id \
                 WHERE {cond} AND l.result = 'failed' AND l.settled_at IS NULL ORDER BY l.run_id, l.line_no"
            ),
            values,
        )
        .await
    }

    /// Whether the caller may take an action on a run (or open one, `run = None`): what the
    /// pages ask to show a button, the same answer the store acts on. `person`: signed in as
    /// a person; `acting_org`: the caller's organisation.
    pub async fn may_on_run(
        &self,
        scope: &Scope,
        acting_org: Option<i64>,
        person: bool,
        action: RunAction,
        district: &str,
        run: Option<&RunRow>,
    ) -> Result<bool> {
        let unit = Self::paying_unit_of(self.conn(), district).await?;
        let parties = RunParties {
            district,
            paying_unit: unit.map(|u| u.organisation_id),
            preparer_org: run.map(|r| r.paying_org_id.get()),
        };
        Ok(ipfin_domain::payment::may(
            scope,
            acting_org,
            person,
            action,
            &parties,
            run.map(RunRow::state),
        )
        .is_ok())
    }

    /// Checks the signer may take `action` on `run` (or open a run in `district`).
    pub(crate) async fn check_run_action(
        tx: &WriteTx,
        scope: &Scope,
        action: RunAction,
        district: &str,
        run: Option<&RunRow>,
    ) -> Result<Option<i64>> {
        let org = Self::signer_org(tx).await?;
        let unit = Self::paying_unit_of(tx.conn(), district).await?;
        let parties = RunParties {
            district,
            paying_unit: unit.map(|u| u.organisation_id),
            preparer_org: run.map(|r| r.paying_org_id.get()),
        };
        ipfin_domain::payment::may(
            scope,
            org,
            tx.actor_user_id().is_some(),
            action,
            &parties,
            run.map(RunRow::state),
        )
        .map_err(refusal)?;
        Ok(org)
    }
}
