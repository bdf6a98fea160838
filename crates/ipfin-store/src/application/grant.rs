//! Grants and payment: the end of a notice clears its applications (no upheld objection); the
//! batch's budget is allocated over every application of the batch that cleared its notice
//! once the batch is complete or two officers close it (issue #19 item 2, SPEC §3.4 step 5);
//! disbursement records the payments and schedules supervision.

use super::{ItemRow, NOTICE_COLUMNS, NoticeRow, field_err};
use crate::confirmation::Signed;
use crate::db::{exec, fetch_all, fetch_fen, fetch_i64, fetch_opt};
use crate::error::{Result, StoreError};
use crate::{Store, WriteTx};
use chrono::NaiveDate;
use ipfin_domain::Msg;
use ipfin_domain::application::duties::Duty;
use ipfin_domain::application::{Action, Actor, State};
use ipfin_domain::confirmation::{BatchIneligible, BatchLine, BatchStep, DisburseStep};
use ipfin_domain::org::Scope;
use ipfin_domain::policy::budget::{
    BatchStanding, BudgetMode, BudgetRequest, allocate_round, proportional,
};
use ipfin_domain::policy::eligibility::Step;
use ipfin_domain::{Fen, financing::yuan};
use sea_orm::{ConnectionTrait, FromQueryResult};
use serde::Serialize;
use serde_json::json;

/// A batch (申报批次): a policy series' year and the batch's name, in a district. Applications
/// pinned to different versions of the same policy share their batch.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, FromQueryResult)]
pub struct BatchKey {
    pub series: i64,
    pub policy_year: i32,
    pub batch_name: String,
    pub district_code: String,
}

/// A batch with applications that cleared their notice and await the budget's allocation.
#[derive(Debug, Clone, Serialize)]
pub struct BatchAwaiting {
    pub policy_version_id: i64,
    pub title: String,
    pub series: i64,
    pub year: i32,
    pub batch_name: String,
    /// Applications that cleared their notice, not yet granted.
    pub cleared: i64,
    pub cleared_fen: Fen,
    /// Applications of the batch still before the end of their notice.
    pub before_notice_end: i64,
    /// The batch's application window is over.
    pub window_over: bool,
    /// Two officers closed the batch earlier.
    pub closed: bool,
}

/// Applications of a batch: `a` joined with its version `p`.
const IN_BATCH: &str =
    "p.series = ? AND a.policy_year = ? AND a.batch_name = ? AND a.district_code = ?";

/// An application that cleared its notice and awaits the batch's allocation.
const CLEARED: &str = "a.state = 'in_notice' AND EXISTS (SELECT 1 FROM notice_entries ne \
     WHERE ne.application_id = a.id AND ne.outcome = 'cleared')";

/// An application still before the end of its notice: submitted, returned, in review, reviewed,
/// or in a notice that has not ended.
const BEFORE_NOTICE_END: &str = "(a.state IN ('submitted', 'returned', 'accepted', 'reviewed') \
     OR (a.state = 'in_notice' AND NOT EXISTS (SELECT 1 FROM notice_entries ne \
         WHERE ne.application_id = a.id AND ne.outcome = 'cleared')))";

fn key_values(k: &BatchKey) -> Vec<sea_orm::Value> {
    vec![
        k.series.into(),
        k.policy_year.into(),
        k.batch_name.clone().into(),
        k.district_code.clone().into(),
    ]
}

fn mode_code(m: BudgetMode) -> &'static str {
    match m {
        BudgetMode::ProRata => "pro_rata",
        BudgetMode::FirstComeFirstServed => "first_come_first_served",
    }
}

fn mode_zh(m: BudgetMode) -> &'static str {
    match m {
        BudgetMode::ProRata => "按比例核减",
        BudgetMode::FirstComeFirstServed => "用完即止（按受理先后）",
    }
}

impl Store {
    /// Ends every notice whose period is over on `today` (a background job): applications
    /// without an upheld objection clear their notice; then every batch that is complete on
    /// `today` (or was closed) has its budget allocated over what cleared. Returns the number of
    /// notices ended.
    pub async fn end_due_notices(&self, today: NaiveDate) -> Result<usize> {
        let due: Vec<NoticeRow> = fetch_all(
            self.conn(),
            &format!("SELECT {NOTICE_COLUMNS} FROM notices WHERE status = 'open' AND ends_on < ? ORDER BY id"),
            vec![today.into()],
        )
        .await?;
        for n in &due {
            let mut tx = self
                .write(crate::audit::AuditActor::system("notice-period"))
                .await?;
            Self::end_notice(&mut tx, n).await?;
            tx.commit().await?;
        }
        self.allocate_due_batches(today).await?;
        Ok(due.len())
    }

    /// Allocates the budget of every batch with cleared applications whose allocation is due
    /// on `today`; each batch in its own transaction. Returns how many were allocated.
    pub async fn allocate_due_batches(&self, today: NaiveDate) -> Result<usize> {
        let keys: Vec<BatchKey> = fetch_all(
            self.conn(),
            &format!(
                "SELECT DISTINCT p.series, a.policy_year, a.batch_name, a.district_code FROM applications a \
                 JOIN policy_versions p ON p.id = a.policy_version_id WHERE {CLEARED} \
                 ORDER BY p.series, a.policy_year, a.batch_name, a.district_code"
            ),
            vec![],
        )
        .await?;
        let mut done = 0;
        for k in keys {
            let mut tx = self
                .write(crate::audit::AuditActor::system("batch-allocation"))
                .await?;
            let v = Self::batch_version(tx.conn(), &k).await?;
            if !Self::batch_standing(tx.conn(), &k, &v.doc()?, today)
                .await?
                .allocation_due()
            {
                tx.rollback().await?;
                continue;
            }
            let step = self.plan_batch_allocation(&tx, &k).await?;
            Self::allocate_batch(&mut tx, &k, &step, None).await?;
            tx.commit().await?;
            done += 1;
        }
        Ok(done)
    }

    /// Ends a notice: each application on it without an upheld objection clears its notice and
    /// waits for its batch's allocation.
    async fn end_notice(tx: &mut WriteTx, n: &NoticeRow) -> Result<()> {
        #[derive(FromQueryResult)]
        struct E {
            application_id: i64,
        }
        let entries: Vec<E> = fetch_all(
            tx.conn(),
            "SELECT n.application_id FROM notice_entries n JOIN applications a ON a.id = n.application_id \
             WHERE n.notice_id = ? AND n.outcome IS NULL AND a.state = 'in_notice' ORDER BY a.accepted_at, a.id",
            vec![n.id.into()],
        )
        .await?;
        let scope = Scope::District {
            code: n.district_code.clone(),
            manage: true,
        };
        for e in &entries {
            exec(
                tx.conn(),
                "UPDATE notice_entries SET outcome = 'cleared' WHERE notice_id = ? AND application_id = ?",
                vec![n.id.into(), e.application_id.into()],
            )
            .await?;
            let row = Self::app_row(tx.conn(), &scope, e.application_id).await?;
            Self::notify_applicant(
                tx,
                &row,
                (
                    format!(
                        "{} 公示期满，无成立的异议；资助金额待申报批次“{}”的预算统一分配后确定。",
                        row.label(),
                        row.batch_name
                    ),
                    format!(
                        "{}: the notice ended without an upheld objection; the amount is set when the budget of batch “{}” is allocated.",
                        row.label(),
                        row.batch_name
                    ),
                ),
            )
            .await?;
        }
        exec(
            tx.conn(),
            "UPDATE notices SET status = 'ended', ended_at = ? WHERE id = ?",
            vec![crate::now_s().into(), n.id.into()],
        )
        .await?;
        tx.audit(
            "notice.end",
            "notice",
            n.id,
            json!({"cleared": entries.len()}),
        )
        .await
    }

    /// The policy version whose budget and batch window apply to a batch: the series' published
    /// version, else the latest version an application of the batch is pinned to.
    pub(crate) async fn batch_version<C: ConnectionTrait>(
        conn: &C,
        k: &BatchKey,
    ) -> Result<crate::policy::PolicyVersionRow> {
        #[derive(FromQueryResult)]
        struct Id {
            id: i64,
        }
        let published: Option<Id> = fetch_opt(
            conn,
            "SELECT id FROM policy_versions WHERE series = ? AND status = 'published' ORDER BY id DESC LIMIT 1",
            vec![k.series.into()],
        )
        .await?;
        let id = match published {
            Some(p) => p.id,
            None => fetch_i64(
                conn,
                &format!(
                    "SELECT CAST(COALESCE(MAX(a.policy_version_id), 0) AS BIGINT) FROM applications a \
                     JOIN policy_versions p ON p.id = a.policy_version_id WHERE {IN_BATCH}"
                ),
                key_values(k),
            )
            .await?,
        };
        Self::policy_version_in_any(conn, id).await
    }

    /// Where a batch stands on `today`.
    pub(crate) async fn batch_standing<C: ConnectionTrait>(
        conn: &C,
        k: &BatchKey,
        doc: &ipfin_domain::policy::document::PolicyDocument,
        today: NaiveDate,
    ) -> Result<BatchStanding> {
        let before_notice_end = fetch_i64(
            conn,
            &format!(
                "SELECT COUNT(*) FROM applications a JOIN policy_versions p ON p.id = a.policy_version_id \
                 WHERE {IN_BATCH} AND {BEFORE_NOTICE_END}"
            ),
            key_values(k),
        )
        .await?;
        let closed = fetch_i64(
            conn,
            "SELECT COUNT(*) FROM batch_closures WHERE series = ? AND policy_year = ? AND batch_name = ?",
            vec![
                k.series.into(),
                k.policy_year.into(),
                k.batch_name.clone().into(),
            ],
        )
        .await?
            > 0;
        // A batch the document no longer names takes no new applications.
        let window_over = doc
            .batches
            .iter()
            .find(|b| b.name == k.batch_name)
            .is_none_or(|b| b.closes < today);
        Ok(BatchStanding {
            window_over,
            before_notice_end,
            closed,
        })
    }

    /// What allocating a batch's budget now does: eligibility proved once more for each
    /// application that cleared its notice (R2.2: money is committed now), and the grants of
    /// the eligible ones from what remains of the policy year's budget, first come first served
    /// by acceptance over the whole batch or pro rata over the whole batch. Writes only the
    /// eligibility proofs.
    pub(crate) async fn plan_batch_allocation(
        &self,
        tx: &WriteTx,
        k: &BatchKey,
    ) -> Result<BatchStep> {
        #[derive(FromQueryResult)]
        struct Id {
            id: i64,
        }
        let ids: Vec<Id> = fetch_all(
            tx.conn(),
            &format!(
                "SELECT a.id FROM applications a JOIN policy_versions p ON p.id = a.policy_version_id \
                 WHERE {IN_BATCH} AND {CLEARED} ORDER BY a.accepted_at, a.id"
            ),
            key_values(k),
        )
        .await?;
        if ids.is_empty() {
            return Err(StoreError::conflict(
                "batch.nothing_cleared",
                format!(
                    "申报批次“{}”没有公示期满、待确定资助的申请，无需关闭分配。",
                    k.batch_name
                ),
                "No application of the batch has cleared its notice and awaits its grant.",
            ));
        }
        let scope = Scope::District {
            code: k.district_code.clone(),
            manage: true,
        };
        let mut rows = Vec::new();
        let mut ineligible = Vec::new();
        for id in ids {
            let row = Self::app_row(tx.conn(), &scope, id.id).await?;
            let doc = Self::policy_version_in_any(tx.conn(), row.policy_version_id)
                .await?
                .doc()?;
            if let Some(c) = self.prove_eligibility(tx, &row, &doc, Step::Grant).await? {
                ineligible.push(BatchIneligible {
                    application_id: row.id,
                    number: row.number.clone(),
                    enterprise_name: row.applicant_name.clone(),
                    condition: c.code.to_string(),
                    reason: c.refusal(Step::Grant).zh,
                });
                continue;
            }
            rows.push(row);
        }
        let v = Self::batch_version(tx.conn(), k).await?;
        let doc = v.doc()?;
        let granted_before = fetch_fen(
            tx.conn(),
            "SELECT CAST(COALESCE(SUM(a.granted_fen), 0) AS BIGINT) FROM applications a JOIN policy_versions p ON p.id = a.policy_version_id \
             WHERE p.series = ? AND a.policy_year = ? AND a.granted_fen IS NOT NULL",
            vec![k.series.into(), k.policy_year.into()],
        )
        .await?;
        let requests: Vec<BudgetRequest> = rows
            .iter()
            .map(|r| BudgetRequest {
                id: r.id,
                amount_fen: r.approved_fen.unwrap_or(Fen::ZERO),
                accepted_at: r.accepted_at.unwrap_or(0),
            })
            .collect();
        let grants = allocate_round(
            &requests,
            doc.budget.map(|b| (b.total_fen, b.mode)),
            granted_before,
        );
        let before_notice_end = Self::batch_standing(tx.conn(), k, &doc, crate::today_shanghai())
            .await?
            .before_notice_end;
        Ok(BatchStep {
            policy_version_id: v.id,
            series: k.series,
            title: v.title.clone(),
            year: k.policy_year,
            batch_name: k.batch_name.clone(),
            budget: doc.budget,
            granted_before_fen: granted_before,
            before_notice_end,
            lines: rows
                .iter()
                .zip(grants)
                .map(|(r, g)| BatchLine {
                    application_id: r.id,
                    number: r.number.clone(),
                    enterprise_name: r.applicant_name.clone(),
                    accepted_at: r.accepted_at.unwrap_or(0),
                    approved_fen: r.approved_fen.unwrap_or(Fen::ZERO),
                    granted_fen: g,
                })
                .collect(),
            ineligible,
        })
    }

    /// Does a planned allocation: the ineligible are not granted (and take nothing), the others
    /// are granted what the plan says, each item's share in proportion. `signed`: two officers
    /// closed the batch (recorded, and named in each history).
    pub(crate) async fn allocate_batch(
        tx: &mut WriteTx,
        k: &BatchKey,
        step: &BatchStep,
        signed: Option<&Signed>,
    ) -> Result<()> {
        let scope = Scope::District {
            code: k.district_code.clone(),
            manage: true,
        };
        let sign = |base: String| match signed {
            Some(s) => s.comment(&base),
            None => base,
        };
        for x in &step.ineligible {
            let row = Self::app_row(tx.conn(), &scope, x.application_id).await?;
            let (wf, _) = Self::app_state(tx.conn(), x.application_id).await?;
            exec(
                tx.conn(),
                "UPDATE notice_entries SET outcome = 'ineligible' WHERE application_id = ? AND outcome = 'cleared'",
                vec![row.id.into()],
            )
            .await?;
            Self::transition(
                tx,
                &row,
                &wf,
                Actor::Officer(0),
                Action::Disqualify,
                &sign(x.reason.clone()),
                json!({"batch": step.batch_name, "condition": x.condition}),
            )
            .await?;
            Self::release_claims(tx, row.id).await?;
            Self::notify_applicant(
                tx,
                &row,
                (
                    format!("{} 未获资助：{}", row.label(), x.reason),
                    format!("{} is not granted: {}", row.label(), x.reason),
                ),
            )
            .await?;
        }
        for l in &step.lines {
            let row = Self::app_row(tx.conn(), &scope, l.application_id).await?;
            let (wf, _) = Self::app_state(tx.conn(), l.application_id).await?;
            let granted = l.granted_fen;
            let items: Vec<ItemRow> = fetch_all(
                tx.conn(),
                "SELECT item, computed_fen, approved_fen, reason, granted_fen FROM application_items WHERE application_id = ? ORDER BY item",
                vec![row.id.into()],
            )
            .await?;
            let weights: Vec<i64> = items
                .iter()
                .map(|i| i.approved_fen.unwrap_or(Fen::ZERO).get())
                .collect();
            let shares = proportional(&weights, granted.get());
            for (it, share) in items.iter().zip(shares) {
                exec(tx.conn(), "UPDATE application_items SET granted_fen = ? WHERE application_id = ? AND item = ?", vec![share.into(), row.id.into(), it.item.clone().into()]).await?;
            }
            exec(
                tx.conn(),
                "UPDATE applications SET granted_fen = ? WHERE id = ?",
                vec![granted.into(), row.id.into()],
            )
            .await?;
            exec(
                tx.conn(),
                "UPDATE notice_entries SET outcome = 'granted' WHERE application_id = ? AND outcome = 'cleared'",
                vec![row.id.into()],
            )
            .await?;
            let comment = if l.approved_fen > granted {
                format!(
                    "公示期满无成立的异议；申报批次“{}”的年度预算{}统一分配（{}），核定 {} 元调减为 {} 元。",
                    step.batch_name,
                    step.budget.map(|b| yuan(b.total_fen)).unwrap_or_default(),
                    step.budget.map(|b| mode_zh(b.mode)).unwrap_or_default(),
                    yuan(l.approved_fen),
                    yuan(granted)
                )
            } else {
                format!(
                    "公示期满无成立的异议；申报批次“{}”统一分配预算，资助确定。",
                    step.batch_name
                )
            };
            Self::transition(
                tx,
                &row,
                &wf,
                Actor::Officer(0),
                Action::EndNotice,
                &sign(comment),
                json!({"batch": step.batch_name, "granted_fen": granted}),
            )
            .await?;
            Self::notify_applicant(
                tx,
                &row,
                (
                    format!("{} 资助确定：{} 元。", row.label(), yuan(granted)),
                    format!("{} is granted CNY {}.", row.label(), yuan(granted)),
                ),
            )
            .await?;
        }
        let approved_total = step
            .approved_fen()
            .map_err(|_| StoreError::overflow("batch approved total"))?;
        let granted_total = step
            .granted_fen()
            .map_err(|_| StoreError::overflow("batch granted total"))?;
        let data = json!({
            "series": k.series, "policy_year": k.policy_year, "batch": k.batch_name,
            "budget_fen": step.budget.map(|b| b.total_fen),
            "mode": step.budget.map(|b| mode_code(b.mode)),
            "granted_before_fen": step.granted_before_fen,
            "approved_fen": approved_total, "granted_fen": granted_total,
            "granted": step.lines.iter().map(|l| json!({"application_id": l.application_id, "approved_fen": l.approved_fen, "granted_fen": l.granted_fen})).collect::<Vec<_>>(),
            "ineligible": step.ineligible.iter().map(|i| i.application_id).collect::<Vec<_>>(),
            "before_notice_end": step.before_notice_end,
        });
        tx.audit(
            "batch.allocate",
            "policy_version",
            step.policy_version_id,
            match signed {
                Some(s) => s.data(data),
                None => data,
            },
        )
        .await
    }

    /// Batches of the scope's district with applications that cleared their notice and await
    /// the budget's allocation (officers of the district; the city sees every district's).
    pub async fn batches_awaiting(
        &self,
        scope: &Scope,
        today: NaiveDate,
    ) -> Result<Vec<BatchAwaiting>> {
        let (cond, values): (&str, Vec<sea_orm::Value>) = match scope {
            Scope::District { code, .. } => ("AND a.district_code = ?", vec![code.clone().into()]),
            Scope::City => ("", vec![]),
            _ => return Ok(vec![]),
        };
        let keys: Vec<BatchKey> = fetch_all(
            self.conn(),
            &format!(
                "SELECT DISTINCT p.series, a.policy_year, a.batch_name, a.district_code FROM applications a \
                 JOIN policy_versions p ON p.id = a.policy_version_id WHERE {CLEARED} {cond} \
                 ORDER BY p.series, a.policy_year, a.batch_name, a.district_code"
            ),
            values,
        )
        .await?;
        let mut out = Vec::new();
        for k in keys {
            let v = Self::batch_version(self.conn(), &k).await?;
            let standing = Self::batch_standing(self.conn(), &k, &v.doc()?, today).await?;
            #[derive(FromQueryResult)]
            struct Sum {
                n: i64,
                fen: Fen,
            }
            let s: Option<Sum> = fetch_opt(
                self.conn(),
                &format!(
                    "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(a.approved_fen), 0) AS BIGINT) AS fen FROM applications a \
                     JOIN policy_versions p ON p.id = a.policy_version_id WHERE {IN_BATCH} AND {CLEARED}"
                ),
                key_values(&k),
            )
            .await?;
            let s = s.unwrap_or(Sum {
                n: 0,
                fen: Fen::ZERO,
            });
            out.push(BatchAwaiting {
                policy_version_id: v.id,
                title: v.title.clone(),
                series: k.series,
                year: k.policy_year,
                batch_name: k.batch_name.clone(),
                cleared: s.n,
                cleared_fen: s.fen,
                before_notice_end: standing.before_notice_end,
                window_over: standing.window_over,
                closed: standing.closed,
            });
        }
        Ok(out)
    }

    /// Checks a disbursement exactly as recording it checks it (state, separation of duties for
    /// the acting person, amount within the grant, reference) and says what it will do; nothing
    /// is written. Four eyes (issue #18 item 3): the preparer's plan is stored with the request,
    /// the confirmer's is made again and must be the same before `disburse` records it.
    pub(crate) async fn plan_disbursement(
        tx: &WriteTx,
        scope: &Scope,
        id: i64,
        paid_on: NaiveDate,
        amount_fen: Fen,
        reference: &str,
    ) -> Result<DisburseStep> {
        let (row, wf, _, user) = Self::officer_row(tx, scope, id).await?;
        if !matches!(wf.state, State::Granted | State::Disbursed) {
            return Err(StoreError::conflict(
                "disburse.state",
                format!("申请状态为“{}”，资助确定后才能拨付。", wf.state.zh()),
                "Only granted applications are disbursed.",
            ));
        }
        if wf.state == State::Granted {
            wf.apply(Actor::Officer(user), Action::Disburse)
                .map_err(StoreError::Conflict)?;
        }
        Self::check_duty(tx, &row, user, Duty::Disburse).await?;
        let granted = row.granted_fen.unwrap_or(Fen::ZERO);
        let total = row.disbursed_fen.checked_add(amount_fen);
        if !amount_fen.is_positive() || total.is_none_or(|t| t > granted) {
            return Err(field_err(
                "amount",
                Msg::new(
                    "disburse.amount",
                    format!(
                        "拨付金额应大于 0，且累计不超过确定的资助额 {} 元（已拨付 {} 元）。",
                        granted.yuan(),
                        row.disbursed_fen.yuan()
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
        Ok(DisburseStep {
            application_id: id,
            number: row.number.clone(),
            enterprise_name: row.applicant_name.clone(),
            paid_on,
            amount_fen,
            reference,
            granted_fen: granted,
            disbursed_before_fen: row.disbursed_fen,
        })
    }

    /// Records a disbursement planned by `plan_disbursement` (checked again by the caller);
    /// the first schedules a supervision check half a year later. The history names both
    /// people of the four eyes.
    pub(crate) async fn disburse(
        tx: &mut WriteTx,
        scope: &Scope,
        step: &DisburseStep,
        signed: &Signed,
    ) -> Result<()> {
        let id = step.application_id;
        let (row, wf, _, user) = Self::officer_row(tx, scope, id).await?;
        Self::record_payment(
            tx,
            &row,
            &wf,
            user,
            step.paid_on,
            step.amount_fen,
            &step.reference,
            Some(signed),
        )
        .await
    }
}
