//! Four eyes on money and publication (issue #18 item 3): publishing a policy version (and so
//! changing its budget), publishing a public notice, recording a disbursement and deciding a
//! clawback are prepared by one person and done only when a second person of the district's
//! lead department confirms (`ipfin_domain::confirmation` says who may do what).
//!
//! Preparing runs the step's own checks (`plan_*` next to each step) without writing anything
//! of the step, and records the request with exactly what it will do (the plan, as JSON) and a
//! Chinese summary; the records it is about are held (`confirmation_holds`), so each has at most
//! one pending request. Confirming checks the plan again as the confirmer (separation of duties
//! included), refuses when anything changed since, and performs the step in the same
//! transaction; the history and the audit name both people. Refusing needs a reason.

use crate::column::{Code, JsonText};
use crate::db::{exec, fetch_all, fetch_i64, fetch_one, fetch_opt};
use crate::error::{Result, StoreError};
use crate::notification::notify;
use crate::{Store, WriteTx};
use chrono::NaiveDate;
use ipfin_domain::Scope;
use ipfin_domain::confirmation::{
    self as rules, Decision, Kind, Refusal, Request, Signer, Status, Step,
};
use ipfin_domain::visibility::Records;
use ipfin_domain::{Fen, Msg};
use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use serde::Serialize;
use serde_json::json;

/// A four-eyes request as stored.
#[derive(Debug, Clone, FromQueryResult)]
pub struct ConfirmationRow {
    pub id: i64,
    pub district_code: String,
    pub kind: Code<Kind>,
    pub subject_type: String,
    pub subject_id: i64,
    /// Exactly what confirming does.
    pub payload: JsonText<Step>,
    /// The same in one Chinese sentence.
    pub summary: String,
    /// The person who prepared it (`None`: an API token).
    pub prepared_by: Option<i64>,
    pub prepared_by_name: String,
    pub prepared_at: i64,
    pub decided_by: Option<i64>,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<i64>,
    pub outcome: Code<Status>,
    /// Why it was refused.
    pub reason: Option<String>,
    /// What confirming made: the notice, or the policy version published.
    pub result_id: Option<i64>,
}

impl ConfirmationRow {
    pub fn step(&self) -> &Step {
        &self.payload.0
    }
    pub fn status(&self) -> Status {
        self.outcome.get()
    }
    fn request(&self) -> Request<'_> {
        Request {
            district: &self.district_code,
            status: self.status(),
            prepared_by: self.prepared_by,
        }
    }
    /// Where the record the request is about is seen.
    pub fn subject_href(&self) -> String {
        match (self.step(), self.result_id) {
            (Step::Notice(_), Some(n)) => format!("/notices/{n}"),
            (Step::Notice(_), None) => "/notices".into(),
            (Step::Policy(p), _) => format!("/policy-drafts/{}", p.version_id),
            (Step::Disburse(d), _) => format!("/applications/{}", d.application_id),
            (Step::Clawback(c), _) => format!("/applications/{}", c.application_id),
            (Step::Batch(_), _) => "/notices".into(),
            (Step::Push(p), _) => format!("/push/lists/{}", p.list_id),
        }
    }
}

/// Filters of the list.
#[derive(Debug, Clone, Default)]
pub struct ConfirmationFilter {
    pub status: Option<Status>,
    pub kind: Option<Kind>,
}

/// The two people of a confirmed step, as the application's history and the audit name them.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Signed {
    pub confirmation_id: i64,
    pub prepared_by: String,
    pub confirmed_by: String,
}

impl Signed {
    /// A history comment with both names.
    pub(crate) fn comment(&self, base: &str) -> String {
        format!(
            "{base}（四眼：{} 准备，{} 确认；确认单 #{}）",
            self.prepared_by, self.confirmed_by, self.confirmation_id
        )
    }

    /// Event data with both names added.
    pub(crate) fn data(&self, mut v: serde_json::Value) -> serde_json::Value {
        if let Some(m) = v.as_object_mut() {
            m.insert(
                "four_eyes".into(),
                json!({"confirmation_id": self.confirmation_id, "prepared_by": self.prepared_by, "confirmed_by": self.confirmed_by}),
            );
        }
        v
    }
}

const COLS: &str = "c.id, c.district_code, c.kind, c.subject_type, c.subject_id, c.payload, c.summary, \
    c.prepared_by, c.prepared_by_name, c.prepared_at, c.decided_by, c.decided_by_name, c.decided_at, \
    c.outcome, c.reason, c.result_id";

fn refusal(r: Refusal) -> StoreError {
    match r {
        Refusal::Forbidden(m) => StoreError::Forbidden(m),
        Refusal::Conflict(m) => StoreError::Conflict(m),
    }
}

fn changed() -> StoreError {
    StoreError::Conflict(rules::changed_since_prepared())
}

fn internal(e: impl std::fmt::Display) -> StoreError {
    StoreError::Internal(e.to_string())
}

/// The acting person's name as the history shows it: 姓名（账号）, else the audit label.
pub(crate) async fn signer_name(tx: &WriteTx) -> Result<String> {
    #[derive(FromQueryResult)]
    struct N {
        display_name: String,
        username: String,
    }
    if let Some(id) = tx.actor_user_id() {
        let n: Option<N> = fetch_opt(
            tx.conn(),
            "SELECT display_name, username FROM users WHERE id = ?",
            vec![id.into()],
        )
        .await?;
        if let Some(n) = n {
            return Ok(format!("{}（{}）", n.display_name, n.username));
        }
    }
    Ok(tx.actor().label.clone())
}

impl Store {
    async fn confirmation_in<C: ConnectionTrait>(
        conn: &C,
        scope: &Scope,
        id: i64,
    ) -> Result<ConfirmationRow> {
        let (cond, mut values) = crate::visibility::condition(scope, Records::Confirmations);
        values.insert(0, id.into());
        fetch_opt(
            conn,
            &format!("SELECT {COLS} FROM confirmations c WHERE c.id = ? AND {cond}"),
            values,
        )
        .await?
        .ok_or(StoreError::NotFound)
    }

    /// One request, if the scope may read it (the district's government, the city).
    pub async fn confirmation(&self, scope: &Scope, id: i64) -> Result<ConfirmationRow> {
        Self::confirmation_in(self.conn(), scope, id).await
    }

    /// Requests the scope may read, pending first, then the newest; at most 200.
    pub async fn confirmations(
        &self,
        scope: &Scope,
        filter: &ConfirmationFilter,
    ) -> Result<Vec<ConfirmationRow>> {
        let (mut cond, mut values) = crate::visibility::condition(scope, Records::Confirmations);
        if let Some(s) = filter.status {
            cond.push_str(" AND c.outcome = ?");
            values.push(s.code().into());
        }
        if let Some(k) = filter.kind {
            cond.push_str(" AND c.kind = ?");
            values.push(k.code().into());
        }
        fetch_all(
            self.conn(),
            &format!(
                "SELECT {COLS} FROM confirmations c WHERE {cond} \
                 ORDER BY CASE WHEN c.outcome = 'pending' THEN 0 ELSE 1 END, \
                 CASE WHEN c.outcome = 'pending' THEN c.prepared_at ELSE -c.prepared_at END, c.id LIMIT 200"
            ),
            values,
        )
        .await
    }

    /// How many pending requests this person may confirm: their district's, prepared by
    /// someone else (0 for anyone who does not lead a district, or is not a person).
    pub async fn confirmations_awaiting(
        &self,
        scope: &Scope,
        user: Option<i64>,
    ) -> Result<crate::db::Waiting> {
        let (Some(district), Some(user)) = (scope.lead_district(), user) else {
            return Ok(crate::db::Waiting::default());
        };
        fetch_one(
            self.conn(),
            "SELECT COUNT(*) AS count, MIN(prepared_at) AS oldest_at FROM confirmations \
             WHERE district_code = ? AND outcome = 'pending' AND (prepared_by IS NULL OR prepared_by <> ?)",
            vec![district.to_string().into(), user.into()],
        )
        .await
    }

    /// The pending request about a record, if any (for the record's page).
    pub async fn pending_confirmation(
        &self,
        scope: &Scope,
        subject_type: &str,
        subject_id: i64,
    ) -> Result<Option<ConfirmationRow>> {
        let (cond, mut values) = crate::visibility::condition(scope, Records::Confirmations);
        values.insert(0, subject_type.to_string().into());
        values.insert(1, subject_id.into());
        fetch_opt(
            self.conn(),
            &format!(
                "SELECT {COLS} FROM confirmations c JOIN confirmation_holds h ON h.confirmation_id = c.id \
                 WHERE h.subject_type = ? AND h.subject_id = ? AND {cond}"
            ),
            values,
        )
        .await
    }

    /// Prepares the publication of a policy draft (a budget change when it revises a published
    /// version's budget).
    pub async fn prepare_policy_publication(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        version_id: i64,
    ) -> Result<ConfirmationRow> {
        // (`plan_policy_publish` admits only the caller's own district's draft.)
        let step = Self::plan_policy_publish(tx, scope, version_id).await?;
        let district = lead(scope)?;
        record_request(tx, scope, &district, Step::Policy(step)).await
    }

    /// Prepares a public notice of reviewed applications.
    #[allow(clippy::too_many_arguments)]
    pub async fn prepare_notice(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        title: &str,
        ids: &[i64],
        start: NaiveDate,
        days: u32,
        today: NaiveDate,
    ) -> Result<ConfirmationRow> {
        let step = Self::plan_notice(tx, scope, title, ids, start, days, today).await?;
        let district = lead(scope)?;
        record_request(tx, scope, &district, Step::Notice(step)).await
    }

    /// Prepares a disbursement of a granted application.
    pub async fn prepare_disbursement(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        application_id: i64,
        paid_on: NaiveDate,
        amount_fen: Fen,
        reference: &str,
    ) -> Result<ConfirmationRow> {
        let step =
            Self::plan_disbursement(tx, scope, application_id, paid_on, amount_fen, reference)
                .await?;
        let district = lead(scope)?;
        let row = record_request(tx, scope, &district, Step::Disburse(step)).await?;
        // The preparer signs the disbursement too (separation of duties reads it).
        tx.audit(
            "application.disburse_prepare",
            "application",
            application_id,
            json!({"confirmation_id": row.id, "amount_fen": amount_fen}),
        )
        .await?;
        Ok(row)
    }

    /// Prepares a clawback at the end of an investigation.
    pub async fn prepare_clawback(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        application_id: i64,
        amount_fen: Fen,
        reason: &str,
    ) -> Result<ConfirmationRow> {
        let step = Self::plan_clawback(tx, scope, application_id, amount_fen, reason).await?;
        let district = lead(scope)?;
        let row = record_request(tx, scope, &district, Step::Clawback(step)).await?;
        tx.audit(
            "application.clawback_prepare",
            "application",
            application_id,
            json!({"confirmation_id": row.id, "amount_fen": amount_fen}),
        )
        .await?;
        Ok(row)
    }

    /// Prepares closing a batch (申报批次) of a policy version of the district: its budget is
    /// allocated over every application of the batch that cleared its notice (issue #19 item 2).
    pub async fn prepare_batch_close(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        policy_version_id: i64,
        batch_name: &str,
    ) -> Result<ConfirmationRow> {
        let district = lead(scope)?;
        let key =
            Self::batch_key(tx.conn(), scope, &district, policy_version_id, batch_name).await?;
        let step = self.plan_batch_allocation(tx, &key).await?;
        record_request(tx, scope, &district, Step::Batch(step)).await
    }

    /// The batch of the district's policy version by name (404: another district's policy; 422:
    /// no such batch).
    async fn batch_key<C: ConnectionTrait>(
        conn: &C,
        scope: &Scope,
        district: &str,
        policy_version_id: i64,
        batch_name: &str,
    ) -> Result<crate::application::BatchKey> {
        let v = Self::policy_version_scoped(conn, scope, policy_version_id).await?;
        if v.district_code != district {
            return Err(StoreError::NotFound);
        }
        let doc = v.doc()?;
        let name = batch_name.trim();
        if !doc.batches.iter().any(|b| b.name == name) {
            return Err(StoreError::invalid(
                "batch_name",
                "batch.unknown",
                format!(
                    "政策“{}”没有名为“{name}”的申报批次（现有：{}）。",
                    v.title,
                    doc.batches
                        .iter()
                        .map(|b| b.name.as_str())
                        .collect::<Vec<_>>()
                        .join("、")
                ),
                "The policy has no batch of that name.",
            ));
        }
        Ok(crate::application::BatchKey {
            series: v.series,
            policy_year: doc.year,
            batch_name: name.to_string(),
            district_code: district.to_string(),
        })
    }

    /// A second person confirms: the step's checks run again as the confirmer, the plan must
    /// be what was prepared, and the step is done in this transaction.
    pub async fn confirm_request(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        id: i64,
        today: NaiveDate,
    ) -> Result<ConfirmationRow> {
        let c = Self::confirmation_in(tx.conn(), scope, id).await?;
        rules::may_decide(
            Decision::Confirm,
            scope,
            Signer::of(tx.actor_user_id()),
            &c.request(),
        )
        .map_err(refusal)?;
        let name = decide(tx, &c, Decision::Confirm, None).await?;
        let signed = Signed {
            confirmation_id: c.id,
            prepared_by: c.prepared_by_name.clone(),
            confirmed_by: name.clone(),
        };
        let result = match c.step() {
            Step::Policy(p) => {
                let fresh = Self::plan_policy_publish(tx, scope, p.version_id).await?;
                if &fresh != p {
                    return Err(changed());
                }
                self.publish_policy(tx, scope, p.version_id).await?;
                Some(p.version_id)
            }
            Step::Notice(n) => {
                let ids: Vec<i64> = n.entries.iter().map(|e| e.application_id).collect();
                let fresh =
                    Self::plan_notice(tx, scope, &n.title, &ids, n.starts_on, n.days, today)
                        .await?;
                if &fresh != n {
                    return Err(changed());
                }
                Some(Self::publish_notice(tx, scope, n, &signed).await?)
            }
            Step::Disburse(d) => {
                let fresh = Self::plan_disbursement(
                    tx,
                    scope,
                    d.application_id,
                    d.paid_on,
                    d.amount_fen,
                    &d.reference,
                )
                .await?;
                if &fresh != d {
                    return Err(changed());
                }
                Self::disburse(tx, scope, d, &signed).await?;
                None
            }
            Step::Batch(b) => {
                let key = crate::application::BatchKey {
                    series: b.series,
                    policy_year: b.year,
                    batch_name: b.batch_name.clone(),
                    district_code: c.district_code.clone(),
                };
                let fresh = self.plan_batch_allocation(tx, &key).await?;
                if &fresh != b {
                    return Err(changed());
                }
                let closed = fetch_i64(
                    tx.conn(),
                    "SELECT COUNT(*) FROM batch_closures WHERE series = ? AND policy_year = ? AND batch_name = ?",
                    vec![b.series.into(), b.year.into(), b.batch_name.clone().into()],
                )
                .await?;
                if closed == 0 {
                    exec(
                        tx.conn(),
                        "INSERT INTO batch_closures (series, policy_year, batch_name, district_code, closed_at, closed_by, confirmation_id) \
                         VALUES (?, ?, ?, ?, ?, ?, ?)",
                        vec![
                            b.series.into(),
                            b.year.into(),
                            b.batch_name.clone().into(),
                            c.district_code.clone().into(),
                            crate::now_s().into(),
                            tx.actor_user_id().into(),
                            c.id.into(),
                        ],
                    )
                    .await?;
                }
                Self::allocate_batch(tx, &key, b, Some(&signed)).await?;
                None
            }
            Step::Push(p) => {
                let fresh = crate::push::plan_push(tx.conn(), p.list_id, today).await?;
                if &fresh != p {
                    return Err(changed());
                }
                Self::send_push(tx, p, today).await?;
                Some(p.list_id)
            }
            Step::Clawback(k) => {
                let fresh =
                    Self::plan_clawback(tx, scope, k.application_id, k.amount_fen, &k.reason)
                        .await?;
                if &fresh != k {
                    return Err(changed());
                }
                Self::claw_back(tx, scope, k, &signed).await?;
                None
            }
        };
        if let Some(r) = result {
            exec(
                tx.conn(),
                "UPDATE confirmations SET result_id = ? WHERE id = ?",
                vec![r.into(), c.id.into()],
            )
            .await?;
        }
        tx.audit(
            "confirmation.confirm",
            "confirmation",
            c.id,
            json!({"kind": c.kind.as_str(), "subject_type": c.subject_type, "subject_id": c.subject_id,
                   "prepared_by": c.prepared_by, "prepared_by_name": c.prepared_by_name,
                   "confirmed_by": tx.actor_user_id(), "confirmed_by_name": name,
                   "summary": c.summary, "result_id": result}),
        )
        .await?;
        notify(
            tx.conn(),
            None,
            Some(&c.district_code),
            None,
            (
                format!("已确认执行（{}确认）：{}", name, c.summary),
                format!("Confirmed and done (by {}): {}", name, c.summary),
            ),
            format!("/confirmations/{}", c.id),
        )
        .await?;
        Self::confirmation_in(tx.conn(), scope, id).await
    }

    /// A second person refuses, with a reason: nothing is done, the records are free again.
    pub async fn refuse_request(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        id: i64,
        reason: &str,
    ) -> Result<()> {
        let c = Self::confirmation_in(tx.conn(), scope, id).await?;
        rules::may_decide(
            Decision::Refuse,
            scope,
            Signer::of(tx.actor_user_id()),
            &c.request(),
        )
        .map_err(refusal)?;
        let reason = rules::refusal_reason(reason).map_err(|m| {
            StoreError::Invalid(ipfin_domain::FieldError {
                field: "reason",
                msg: m,
            })
        })?;
        let name = decide(tx, &c, Decision::Refuse, Some(&reason)).await?;
        if let Step::Push(p) = c.step() {
            Self::cancel_push(tx, p.list_id).await?;
        }
        tx.audit(
            "confirmation.refuse",
            "confirmation",
            c.id,
            json!({"kind": c.kind.as_str(), "subject_type": c.subject_type, "subject_id": c.subject_id,
                   "prepared_by": c.prepared_by, "prepared_by_name": c.prepared_by_name,
                   "refused_by": tx.actor_user_id(), "refused_by_name": name, "reason": reason}),
        )
        .await?;
        notify(
            tx.conn(),
            None,
            Some(&c.district_code),
            None,
            (
                format!("已退回（{name}）：{}。理由：{reason}", c.summary),
                format!("Refused ({name}): {}. Reason: {reason}", c.summary),
            ),
            format!("/confirmations/{}", c.id),
        )
        .await
    }

    /// The preparer takes a pending request back: nothing is done.
    pub async fn withdraw_request(&self, tx: &mut WriteTx, scope: &Scope, id: i64) -> Result<()> {
        let c = Self::confirmation_in(tx.conn(), scope, id).await?;
        rules::may_decide(
            Decision::Withdraw,
            scope,
            Signer::of(tx.actor_user_id()),
            &c.request(),
        )
        .map_err(refusal)?;
        decide(tx, &c, Decision::Withdraw, None).await?;
        if let Step::Push(p) = c.step() {
            Self::cancel_push(tx, p.list_id).await?;
        }
        tx.audit(
            "confirmation.withdraw",
            "confirmation",
            c.id,
            json!({"kind": c.kind.as_str(), "subject_type": c.subject_type, "subject_id": c.subject_id}),
        )
        .await
    }
}

/// The district a lead officer prepares for.
fn lead(scope: &Scope) -> Result<String> {
    scope
        .lead_district()
        .map(str::to_string)
        .ok_or_else(|| StoreError::Forbidden(rules::lead_only()))
}

/// Records a prepared request: the district's lead prepares it; each record it is about is
/// held for it (a record already held by a pending request is refused, naming that request).
pub(crate) async fn record_request(
    tx: &mut WriteTx,
    scope: &Scope,
    district: &str,
    step: Step,
) -> Result<ConfirmationRow> {
    rules::may_prepare(scope, district).map_err(StoreError::Forbidden)?;
    let kind = step.kind();
    let subjects = step.subjects();
    let Some(first) = subjects.first().copied() else {
        return Err(StoreError::Internal("a request about nothing".into()));
    };
    #[derive(FromQueryResult)]
    struct Held {
        confirmation_id: i64,
        kind: Code<Kind>,
        summary: String,
    }
    for s in &subjects {
        let held: Option<Held> = fetch_opt(
            tx.conn(),
            "SELECT h.confirmation_id, c.kind, c.summary FROM confirmation_holds h JOIN confirmations c ON c.id = h.confirmation_id \
             WHERE h.subject_type = ? AND h.subject_id = ?",
            vec![s.kind.into(), s.id.into()],
        )
        .await?;
        if let Some(h) = held {
            let k = h.kind.get().zh();
            return Err(StoreError::conflict(
                "confirmation.pending",
                format!(
                    "该事项已有待确认的申请（确认单 #{}，{k}：{}）：请先由第二人确认或退回，或由准备人撤回，再重新准备。",
                    h.confirmation_id, h.summary
                ),
                format!(
                    "A request about this record is already pending (#{}); confirm, refuse or withdraw it first.",
                    h.confirmation_id
                ),
            ));
        }
    }
    // The step's totals are checked here once: a total past fen is never stored or shown.
    let summary = step
        .summary_zh()
        .map_err(|_| StoreError::overflow("confirmation summary"))?;
    let payload = serde_json::to_string(&step).map_err(internal)?;
    let name = signer_name(tx).await?;
    let id = fetch_i64(
        tx.conn(),
        "INSERT INTO confirmations (district_code, kind, subject_type, subject_id, payload, summary, prepared_by, prepared_by_name, prepared_at, outcome) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending') RETURNING id",
        vec![
            district.to_string().into(),
            kind.code().into(),
            first.kind.into(),
            first.id.into(),
            payload.into(),
            summary.clone().into(),
            tx.actor_user_id().into(),
            name.clone().into(),
            crate::now_s().into(),
        ],
    )
    .await?;
    for s in &subjects {
        exec(
            tx.conn(),
            "INSERT INTO confirmation_holds (subject_type, subject_id, confirmation_id) VALUES (?, ?, ?)",
            vec![s.kind.into(), s.id.into(), id.into()],
        )
        .await
        .map_err(|e| {
            e.unique_as(Msg::new(
                "confirmation.pending",
                "该事项刚被他人准备了待确认的申请，请刷新页面后查看。",
                "Someone just prepared a request about this record; reload.",
            ))
        })?;
    }
    tx.audit(
        "confirmation.prepare",
        "confirmation",
        id,
        json!({"kind": kind.code(), "district": district, "subject_type": first.kind, "subject_id": first.id,
               "prepared_by_name": name, "summary": summary}),
    )
    .await?;
    notify(
        tx.conn(),
        None,
        Some(district),
        None,
        (
            format!("待第二人确认（{name} 准备）：{summary}"),
            format!("Awaiting a second person's confirmation (prepared by {name}): {summary}"),
        ),
        format!("/confirmations/{id}"),
    )
    .await?;
    Store::confirmation_in(tx.conn(), scope, id).await
}

/// Marks a pending request decided (the first decision wins: a request decided meanwhile is
/// refused) and frees the records it held. Returns the decider's name.
async fn decide(
    tx: &WriteTx,
    c: &ConfirmationRow,
    decision: Decision,
    reason: Option<&str>,
) -> Result<String> {
    let name = signer_name(tx).await?;
    let changed = exec(
        tx.conn(),
        "UPDATE confirmations SET outcome = ?, decided_by = ?, decided_by_name = ?, decided_at = ?, reason = ? \
         WHERE id = ? AND outcome = 'pending'",
        vec![
            decision.outcome().code().into(),
            tx.actor_user_id().into(),
            name.clone().into(),
            crate::now_s().into(),
            reason.map(str::to_string).into(),
            c.id.into(),
        ],
    )
    .await?;
    if changed != 1 {
        return Err(StoreError::conflict(
            "confirmation.decided",
            "该申请刚被他人处理，请刷新页面后查看。",
            "Someone else just decided this request; reload.",
        ));
    }
    exec(
        tx.conn(),
        "DELETE FROM confirmation_holds WHERE confirmation_id = ?",
        vec![Value::from(c.id)],
    )
    .await?;
    Ok(name)
}
