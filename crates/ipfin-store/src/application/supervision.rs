//! After payment: supervision checks (on the district's schedule, and ad hoc), the district's
//! check schedule, overdue supplement deadlines, investigations and clawbacks.

use super::{ApplicationRow, Body, field_err};
use crate::confirmation::Signed;
use crate::db::{exec, fetch_all, fetch_i64, fetch_opt};
use crate::error::{Result, StoreError};
use crate::{Store, WriteTx};
use chrono::NaiveDate;
use ipfin_domain::application::checks::{CheckKind, CheckSchedule};
use ipfin_domain::application::duties::Duty;
use ipfin_domain::application::{Action, Actor, State, Workflow};
use ipfin_domain::confirmation::ClawbackStep;
use ipfin_domain::org::Scope;
use ipfin_domain::{Fen, Msg};
use sea_orm::{ConnectionTrait, FromQueryResult};
use serde::Serialize;
use serde_json::json;

/// A district's schedule of post-grant checks: as it set it, or the default.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct DistrictCheckSchedule {
    pub district_code: String,
    pub schedule: CheckSchedule,
    /// When the district set it; `None` while the default applies.
    pub set_at: Option<i64>,
}

/// An investigation's conclusion: required.
fn investigation_reason(reason: &str) -> Result<&str> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(field_err(
            "reason",
            Msg::new(
                "investigation.reason",
                "请填写核查结论。",
                "Give the conclusion.",
            ),
        ));
    }
    Ok(reason)
}

impl Store {
    /// Runs a supervision check now: each loan of the application must still be outstanding or
    /// repaid normally, and its pledge still registered (per the financing records). A finding
    /// opens an investigation.
    pub async fn run_supervision(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        id: i64,
    ) -> Result<Vec<String>> {
        let (row, wf, body, user) = Self::officer_row(tx, scope, id).await?;
        Self::supervise(tx, row, wf, body, user, None).await
    }

    /// The district's schedule of post-grant checks (the default when it set none).
    pub(crate) async fn check_schedule_of<C: ConnectionTrait>(
        conn: &C,
        district: &str,
    ) -> Result<DistrictCheckSchedule> {
        #[derive(FromQueryResult)]
        struct S {
            days_after: String,
            at_maturity: bool,
            set_at: i64,
        }
        let s: Option<S> = fetch_opt(
            conn,
            "SELECT days_after, at_maturity, set_at FROM check_schedules WHERE district_code = ?",
            vec![district.into()],
        )
        .await?;
        Ok(match s {
            None => DistrictCheckSchedule {
                district_code: district.to_string(),
                schedule: CheckSchedule::default(),
                set_at: None,
            },
            Some(s) => DistrictCheckSchedule {
                district_code: district.to_string(),
                schedule: CheckSchedule::parse(&s.days_after, s.at_maturity).map_err(|_| {
                    StoreError::Internal(format!(
                        "stored check schedule of district {district} is unreadable: {:?}",
                        s.days_after
                    ))
                })?,
                set_at: Some(s.set_at),
            },
        })
    }

    /// The check schedule of a district the scope reads (not found otherwise).
    pub async fn check_schedule(
        &self,
        scope: &Scope,
        district: &str,
    ) -> Result<DistrictCheckSchedule> {
        if !scope.reads_district(district) {
            return Err(StoreError::NotFound);
        }
        Self::district_in(self.conn(), district).await?;
        Self::check_schedule_of(self.conn(), district).await
    }

    /// Sets a district's schedule of post-grant checks (the city administrator or the
    /// district's lead department). It applies to payments recorded from now on; checks already
    /// scheduled keep their dates. Every problem of the input is reported at once.
    pub async fn set_check_schedule(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        district: &str,
        days_after: &str,
        at_maturity: bool,
    ) -> Result<DistrictCheckSchedule> {
        if !scope.reads_district(district) {
            return Err(StoreError::NotFound);
        }
        if !scope.manages_district(district) {
            return Err(StoreError::forbidden(
                "check_schedule.manage",
                "只有市级管理员或本区牵头部门可以设置跟踪检查安排。",
                "Only the city administrator or the district's lead department sets the check schedule.",
            ));
        }
        Self::district_in(tx.conn(), district).await?;
        let schedule = CheckSchedule::parse(days_after, at_maturity).map_err(StoreError::fields)?;
        let before = Self::check_schedule_of(tx.conn(), district).await?;
        let now = crate::now_s();
        exec(
            tx.conn(),
            "INSERT INTO check_schedules (district_code, days_after, at_maturity, set_by, set_at) VALUES (?, ?, ?, ?, ?) \
             ON CONFLICT (district_code) DO UPDATE SET days_after = excluded.days_after, \
             at_maturity = excluded.at_maturity, set_by = excluded.set_by, set_at = excluded.set_at",
            vec![
                district.into(),
                schedule.days_text().into(),
                at_maturity.into(),
                tx.actor_user_id().into(),
                now.into(),
            ],
        )
        .await?;
        let after = DistrictCheckSchedule {
            district_code: district.to_string(),
            schedule,
            set_at: Some(now),
        };
        tx.audit(
            "district.check_schedule",
            "district",
            district,
            json!({"before": before.schedule, "after": after.schedule}),
        )
        .await?;
        Ok(after)
    }

    /// Schedules the checks of a first payment on `paid_on` from the district's schedule: each
    /// offset after the payment and, when the district asks, each loan's maturity.
    pub(crate) async fn schedule_checks(
        tx: &WriteTx,
        row: &ApplicationRow,
        body: &Body,
        paid_on: NaiveDate,
    ) -> Result<()> {
        let schedule = Self::check_schedule_of(tx.conn(), &row.district_code)
            .await?
            .schedule;
        let mut maturities = Vec::new();
        if schedule.at_maturity {
            #[derive(FromQueryResult)]
            struct M {
                end_date: NaiveDate,
            }
            for l in &body.lines {
                let m: Option<M> = fetch_opt(
                    tx.conn(),
                    "SELECT end_date FROM loans WHERE lender_org_id = ? AND contract_number = ?",
                    vec![
                        l.lender_org_id.into(),
                        l.contract_number.trim().to_string().into(),
                    ],
                )
                .await?;
                maturities.extend(m.map(|m| m.end_date));
            }
        }
        for (due_on, basis) in schedule.due_dates(paid_on, &maturities) {
            exec(
                tx.conn(),
                "INSERT INTO supervision_checks (application_id, due_on, kind, basis) VALUES (?, ?, ?, ?)",
                vec![
                    row.id.into(),
                    due_on.into(),
                    CheckKind::Scheduled.code().into(),
                    basis.code().into(),
                ],
            )
            .await?;
        }
        Ok(())
    }

    /// Tells the officers and the applicant, once, that a supplement deadline has passed (a
    /// background job). Returns how many applications were overdue.
    pub async fn note_overdue_returns(&self, today: NaiveDate) -> Result<usize> {
        const MARK: &str = "补正期限已过";
        #[derive(FromQueryResult)]
        struct Due {
            id: i64,
            district_code: String,
        }
        let due: Vec<Due> = fetch_all(
            self.conn(),
            &format!(
                "SELECT a.id, a.district_code FROM applications a WHERE a.state = 'returned' AND a.return_deadline < ? \
                 AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.application_id = a.id AND n.text LIKE '%{MARK}%') \
                 ORDER BY a.id LIMIT 500"
            ),
            vec![today.into()],
        )
        .await?;
        for d in &due {
            let scope = Scope::District {
                code: d.district_code.clone(),
                manage: true,
            };
            let mut tx = self
                .write(crate::audit::AuditActor::system("deadlines"))
                .await?;
            let row = Self::app_row(tx.conn(), &scope, d.id).await?;
            let when = row
                .return_deadline
                .map(ipfin_domain::format::date_zh)
                .unwrap_or_default();
            let when_en = row
                .return_deadline
                .map(|d| ipfin_domain::format::date(d, ipfin_domain::Lang::En))
                .unwrap_or_default();
            Self::notify_officers(
                &tx,
                &row,
                (
                    format!("{} {}（{when}），申请单位尚未重新提交。", row.label(), MARK),
                    format!(
                        "{}: the supplement deadline ({when_en}) has passed and the applicant has not resubmitted.",
                        row.label()
                    ),
                ),
            )
            .await?;
            Self::notify_applicant(
                &tx,
                &row,
                (
                    format!(
                        "{} {}（{when}）：请尽快补正后重新提交，或联系经办人员。",
                        row.label(),
                        MARK
                    ),
                    format!(
                        "{}: the supplement deadline ({when_en}) has passed: supplement and resubmit soon, or contact the officer.",
                        row.label()
                    ),
                ),
            )
            .await?;
            tx.audit(
                "application.return_overdue",
                "application",
                d.id,
                json!({"deadline": when}),
            )
            .await?;
            tx.commit().await?;
        }
        Ok(due.len())
    }

    /// Runs every supervision check due on `today` (a background job; the system acts).
    /// Returns how many applications were checked.
    pub async fn run_due_supervision(&self, today: NaiveDate) -> Result<usize> {
        #[derive(FromQueryResult)]
        struct Due {
            id: i64,
            application_id: i64,
            district_code: String,
        }
        let due: Vec<Due> = fetch_all(
            self.conn(),
            "SELECT c.id, c.application_id, a.district_code FROM supervision_checks c JOIN applications a ON a.id = c.application_id \
             WHERE c.done_at IS NULL AND c.due_on <= ? AND a.state = 'disbursed' ORDER BY c.due_on, c.id LIMIT 500",
            vec![today.into()],
        )
        .await?;
        let mut checked = 0;
        for d in &due {
            let scope = Scope::District {
                code: d.district_code.clone(),
                manage: true,
            };
            let mut tx = self
                .write(crate::audit::AuditActor::system("supervision"))
                .await?;
            let row = Self::app_row(tx.conn(), &scope, d.application_id).await?;
            let (wf, body) = Self::app_state(tx.conn(), d.application_id).await?;
            // An earlier due check of the same application may have opened an investigation in
            // this run: this one waits until the application is back under supervision.
            if wf.state != State::Disbursed {
                continue;
            }
            Self::supervise(&mut tx, row, wf, body, 0, Some(d.id)).await?;
            tx.commit().await?;
            checked += 1;
        }
        Ok(checked)
    }

    async fn supervise(
        tx: &mut WriteTx,
        row: ApplicationRow,
        wf: Workflow,
        body: Body,
        user: i64,
        scheduled: Option<i64>,
    ) -> Result<Vec<String>> {
        let id = row.id;
        if wf.state != State::Disbursed {
            return Err(StoreError::conflict(
                "supervision.state",
                "只有已拨付的申请进入跟踪监管。",
                "Only disbursed applications are supervised.",
            ));
        }
        let mut findings = Vec::new();
        for l in &body.lines {
            #[derive(FromQueryResult)]
            struct S {
                id: i64,
                status: String,
            }
            let s: Option<S> = fetch_opt(
                tx.conn(),
                "SELECT id, status FROM loans WHERE lender_org_id = ? AND contract_number = ?",
                vec![
                    l.lender_org_id.into(),
                    l.contract_number.trim().to_string().into(),
                ],
            )
            .await?;
            match s {
                None => findings.push(format!("贷款“{}”在银行报送记录中不存在。", l.reference())),
                Some(s) => {
                    if s.status == "overdue" || s.status == "defaulted" {
                        let zh = ipfin_domain::financing::LoanStatus::from_code(&s.status)
                            .map(|x| x.zh())
                            .unwrap_or("");
                        findings.push(format!("贷款“{}”状态为{zh}。", l.reference()));
                    }
                    let cancelled = fetch_i64(
                        tx.conn(),
                        "SELECT COUNT(*) FROM loan_pledges lp JOIN pledge_registrations p ON p.id = lp.registration_id \
                         WHERE lp.loan_id = ? AND p.cancellation_date IS NOT NULL",
                        vec![s.id.into()],
                    )
                    .await?;
                    let active = fetch_i64(
                        tx.conn(),
                        "SELECT COUNT(*) FROM loan_pledges lp JOIN pledge_registrations p ON p.id = lp.registration_id \
                         WHERE lp.loan_id = ? AND p.cancellation_date IS NULL",
                        vec![s.id.into()],
                    )
                    .await?;
                    if active == 0 && s.status != "repaid" {
                        findings.push(format!(
                            "贷款“{}”未还清，但质押登记已注销（{cancelled} 项）。",
                            l.reference()
                        ));
                    }
                }
            }
        }
        let outcome = if findings.is_empty() { "ok" } else { "finding" };
        let text = findings.join("；");
        // A scheduled check is closed by running it; an officer's check is its own record and
        // leaves every scheduled check pending.
        match scheduled {
            Some(check) => exec(tx.conn(), "UPDATE supervision_checks SET done_at = ?, outcome = ?, findings = ? WHERE id = ? AND application_id = ?", vec![crate::now_s().into(), outcome.into(), text.clone().into(), check.into(), id.into()]).await?,
            None => exec(tx.conn(), "INSERT INTO supervision_checks (application_id, due_on, done_at, outcome, findings, kind, run_by) VALUES (?, ?, ?, ?, ?, ?, ?)", vec![id.into(), crate::today_shanghai().into(), crate::now_s().into(), outcome.into(), text.clone().into(), CheckKind::AdHoc.code().into(), (user > 0).then_some(user).into()]).await?,
        };
        if findings.is_empty() {
            tx.audit(
                "application.supervision_ok",
                "application",
                id,
                json!({"check": scheduled, "kind": if scheduled.is_some() { CheckKind::Scheduled } else { CheckKind::AdHoc }}),
            )
            .await?;
        } else {
            Self::transition(
                tx,
                &row,
                &wf,
                Actor::Officer(user),
                Action::Investigate,
                &text,
                json!({"findings": findings}),
            )
            .await?;
        }
        Ok(findings)
    }

    /// Closes an investigation as cleared, with the conclusion. (A clawback is decided by two
    /// people: `plan_clawback`, then `claw_back` when a second person confirms.)
    pub async fn clear_investigation(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        id: i64,
        reason: &str,
    ) -> Result<()> {
        let (row, wf, _, user) = Self::officer_row(tx, scope, id).await?;
        let reason = investigation_reason(reason)?;
        Self::transition(
            tx,
            &row,
            &wf,
            Actor::Officer(user),
            Action::Clear,
            reason,
            json!({}),
        )
        .await?;
        Ok(())
    }

    /// Checks a clawback exactly as deciding it checks it (the investigation open, separation
    /// of duties for the acting person, the conclusion, an amount within what was disbursed)
    /// and says what it will do; nothing is written.
    pub(crate) async fn plan_clawback(
        tx: &WriteTx,
        scope: &Scope,
        id: i64,
        amount_fen: Fen,
        reason: &str,
    ) -> Result<ClawbackStep> {
        let (row, wf, _, user) = Self::officer_row(tx, scope, id).await?;
        let reason = investigation_reason(reason)?;
        wf.apply(Actor::Officer(user), Action::Clawback)
            .map_err(StoreError::Conflict)?;
        Self::check_duty(tx, &row, user, Duty::Clawback).await?;
        if !amount_fen.is_positive() || amount_fen > row.disbursed_fen {
            return Err(field_err(
                "amount",
                Msg::new(
                    "clawback.amount",
                    format!(
                        "追回金额应大于 0 且不超过已拨付的 {} 元。",
                        row.disbursed_fen.yuan()
                    ),
                    "The amount must be above 0 and not above what was disbursed.",
                ),
            ));
        }
        Ok(ClawbackStep {
            application_id: id,
            number: row.number.clone(),
            enterprise_name: row.applicant_name.clone(),
            amount_fen,
            reason: reason.to_string(),
            disbursed_fen: row.disbursed_fen,
        })
    }

    /// Decides a clawback planned by `plan_clawback` (checked again by the caller); the history
    /// names both people of the four eyes.
    pub(crate) async fn claw_back(
        tx: &mut WriteTx,
        scope: &Scope,
        step: &ClawbackStep,
        signed: &Signed,
    ) -> Result<()> {
        let id = step.application_id;
        let (row, wf, _, user) = Self::officer_row(tx, scope, id).await?;
        let (a, reason) = (step.amount_fen, step.reason.as_str());
        Self::transition(
            tx,
            &row,
            &wf,
            Actor::Officer(user),
            Action::Clawback,
            &signed.comment(reason),
            signed.data(json!({"amount_fen": a})),
        )
        .await?;
        exec(tx.conn(), "INSERT INTO clawbacks (application_id, amount_fen, reason, decided_at) VALUES (?, ?, ?, ?)", vec![id.into(), a.into(), reason.to_string().into(), crate::now_s().into()]).await?;
        Self::release_claims(tx, id).await?;
        Self::notify_applicant(
            tx,
            &row,
            (
                format!("{} 经核查需追回资助 {} 元：{reason}", row.label(), a.yuan()),
                format!(
                    "{}: CNY {} of the grant is to be recovered after a check: {reason}",
                    row.label(),
                    a.yuan()
                ),
            ),
        )
        .await
    }

    /// Records that a clawback was recovered.
    pub async fn clawback_recovered(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        id: i64,
        clawback_id: i64,
        on: NaiveDate,
    ) -> Result<()> {
        let _ = Self::officer_row(tx, scope, id).await?;
        let n = exec(tx.conn(), "UPDATE clawbacks SET recovered_on = ? WHERE id = ? AND application_id = ? AND recovered_on IS NULL", vec![on.into(), clawback_id.into(), id.into()]).await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        tx.audit(
            "application.clawback_recovered",
            "application",
            id,
            json!({"clawback_id": clawback_id, "on": on}),
        )
        .await
    }

    /// Open clawbacks of an organisation (flagged at its next eligibility check).
    pub async fn open_clawbacks(
        &self,
        scope: &Scope,
        org_id: ipfin_domain::id::OrgId,
    ) -> Result<i64> {
        // City-wide by design (an open clawback anywhere bars a new subsidy), so it is asked
        // only by government, which checks eligibility, and by the organisation itself.
        if !(scope.is_government() || scope.is_organisation(org_id)) {
            return Err(crate::error::StoreError::NotFound);
        }
        fetch_i64(
            self.conn(),
            "SELECT COUNT(*) FROM clawbacks c JOIN applications a ON a.id = c.application_id WHERE a.applicant_org_id = ? AND c.recovered_on IS NULL",
            vec![org_id.into()],
        )
        .await
    }
}
