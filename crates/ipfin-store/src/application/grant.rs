//! Grants and payment: the end of a notice grants its applications within what remains of the
//! policy year's budget; disbursement records the payments and schedules supervision.

use super::{ItemRow, NoticeRow, field_err};
use crate::confirmation::Signed;
use crate::db::{exec, fetch_all, fetch_i64};
use crate::error::{Result, StoreError};
use crate::{Store, WriteTx};
use chrono::NaiveDate;
use ipfin_domain::Msg;
use ipfin_domain::application::duties::Duty;
use ipfin_domain::application::{Action, Actor, State};
use ipfin_domain::confirmation::DisburseStep;
use ipfin_domain::org::Scope;
use ipfin_domain::policy::budget::{BudgetMode, BudgetRequest, allocate_budget, proportional};
use ipfin_domain::policy::eligibility::Step;
use sea_orm::FromQueryResult;
use serde_json::json;

impl Store {
    /// Ends every notice whose period is over on `today` (a background job): applications
    /// without an upheld objection are granted within what remains of the policy year's
    /// budget, first come first served by acceptance time or pro rata over the notice.
    pub async fn end_due_notices(&self, today: NaiveDate) -> Result<usize> {
        let due: Vec<NoticeRow> = fetch_all(
            self.conn(),
            "SELECT id, district_code, title, starts_on, ends_on, days, status, published_at FROM notices WHERE status = 'open' AND ends_on < ? ORDER BY id",
            vec![today.into()],
        )
        .await?;
        for n in &due {
            let mut tx = self
                .write(crate::audit::AuditActor::system("notice-period"))
                .await?;
            self.end_notice(&mut tx, n).await?;
            tx.commit().await?;
        }
        Ok(due.len())
    }

    async fn end_notice(&self, tx: &mut WriteTx, n: &NoticeRow) -> Result<()> {
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
        let mut rows = Vec::new();
        for e in &entries {
            let row = Self::app_row(tx.conn(), &scope, e.application_id).await?;
            let (wf, _) = Self::app_state(tx.conn(), e.application_id).await?;
            // Eligibility once more before money is committed (R2.2): an enterprise that moved
            // away since acceptance is not granted, and takes nothing from the budget.
            let doc = Self::policy_version_in_any(tx.conn(), row.policy_version_id)
                .await?
                .doc()?;
            if let Some(c) = self.prove_eligibility(tx, &row, &doc, Step::Grant).await? {
                let why = c.refusal(Step::Grant).zh;
                exec(tx.conn(), "UPDATE notice_entries SET outcome = 'ineligible' WHERE notice_id = ? AND application_id = ?", vec![n.id.into(), row.id.into()]).await?;
                Self::transition(
                    tx,
                    &row,
                    &wf,
                    Actor::Officer(0),
                    Action::Disqualify,
                    &why,
                    json!({"notice_id": n.id, "condition": c.code}),
                )
                .await?;
                Self::release_claims(tx, row.id).await?;
                Self::notify_applicant(tx, &row, format!("{} 未获资助：{why}", row.label()))
                    .await?;
                continue;
            }
            rows.push((row, wf));
        }
        // Budgets per pinned policy: what remains of its year's budget.
        let mut grants: Vec<i64> = rows
            .iter()
            .map(|(r, _)| r.approved_fen.unwrap_or(0))
            .collect();
        let mut by_policy: std::collections::BTreeMap<i64, Vec<usize>> = Default::default();
        for (i, (r, _)) in rows.iter().enumerate() {
            by_policy.entry(r.policy_version_id).or_default().push(i);
        }
        let mut budget_notes = Vec::new();
        for (pv, idx) in by_policy {
            let v = Self::policy_version_in_any(tx.conn(), pv).await?;
            let doc = v.doc()?;
            let Some(budget) = doc.budget else { continue };
            let used = fetch_i64(
                tx.conn(),
                "SELECT CAST(COALESCE(SUM(a.granted_fen), 0) AS BIGINT) FROM applications a JOIN policy_versions p ON p.id = a.policy_version_id \
                 WHERE p.series = ? AND a.policy_year = ? AND a.granted_fen IS NOT NULL",
                vec![v.series.into(), doc.year.into()],
            )
            .await?;
            let remaining = (budget.total_fen - used).max(0);
            let requests: Vec<BudgetRequest> = idx
                .iter()
                .map(|i| BudgetRequest {
                    id: rows[*i].0.id,
                    amount_fen: ipfin_domain::Fen::new(grants[*i]),
                    accepted_at: rows[*i].0.accepted_at.unwrap_or(0),
                })
                .collect();
            let out = allocate_budget(&requests, ipfin_domain::Fen::new(remaining), budget.mode);
            let asked: i64 = requests.iter().map(|r| r.amount_fen.get()).sum();
            if asked > remaining {
                budget_notes.push(json!({"policy_version_id": pv, "remaining_fen": remaining, "asked_fen": asked, "mode": match budget.mode { BudgetMode::ProRata => "pro_rata", BudgetMode::FirstComeFirstServed => "first_come_first_served" }}));
            }
            for (k, i) in idx.iter().enumerate() {
                grants[*i] = out[k].get();
            }
        }
        for (k, (row, wf)) in rows.iter().enumerate() {
            let granted = grants[k];
            let items: Vec<ItemRow> = fetch_all(
                tx.conn(),
                "SELECT item, computed_fen, approved_fen, reason, granted_fen FROM application_items WHERE application_id = ? ORDER BY item",
                vec![row.id.into()],
            )
            .await?;
            let weights: Vec<i64> = items.iter().map(|i| i.approved_fen.unwrap_or(0)).collect();
            let shares = proportional(&weights, granted);
            for (it, share) in items.iter().zip(shares) {
                exec(tx.conn(), "UPDATE application_items SET granted_fen = ? WHERE application_id = ? AND item = ?", vec![share.into(), row.id.into(), it.item.clone().into()]).await?;
            }
            exec(
                tx.conn(),
                "UPDATE applications SET granted_fen = ? WHERE id = ?",
                vec![granted.into(), row.id.into()],
            )
            .await?;
            exec(tx.conn(), "UPDATE notice_entries SET outcome = 'granted' WHERE notice_id = ? AND application_id = ?", vec![n.id.into(), row.id.into()]).await?;
            let cut = row.approved_fen.unwrap_or(0) - granted;
            let comment = if cut > 0 {
                format!(
                    "公示期满无成立的异议；因年度预算所限，核定 {} 元调减为 {} 元。",
                    ipfin_domain::financing::yuan(row.approved_fen.unwrap_or(0)),
                    ipfin_domain::financing::yuan(granted)
                )
            } else {
                "公示期满无成立的异议，资助确定。".into()
            };
            Self::transition(
                tx,
                row,
                wf,
                Actor::Officer(0),
                Action::EndNotice,
                &comment,
                json!({"notice_id": n.id, "granted_fen": granted}),
            )
            .await?;
            Self::notify_applicant(
                tx,
                row,
                format!(
                    "{} 资助确定：{} 元。",
                    row.label(),
                    ipfin_domain::financing::yuan(granted)
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
            json!({"granted": rows.len(), "budget": budget_notes}),
        )
        .await
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
        amount_fen: i64,
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
        let granted = row.granted_fen.unwrap_or(0);
        if amount_fen <= 0 || row.disbursed_fen.saturating_add(amount_fen) > granted {
            return Err(field_err(
                "amount",
                Msg::new(
                    "disburse.amount",
                    format!(
                        "拨付金额应大于 0，且累计不超过确定的资助额 {} 元（已拨付 {} 元）。",
                        ipfin_domain::financing::yuan(granted),
                        ipfin_domain::financing::yuan(row.disbursed_fen)
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
