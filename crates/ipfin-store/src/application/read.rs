//! Reading applications: one application with everything on its page, the scoped and
//! filtered lists, and the officers' work queue.

use super::{
    ApplicationDetail, ApplicationFilter, ApplicationRow, Body, COLS, FILE_COLS, FROM, FileRow,
    QueueCount, StateCount, StoredCalc, internal,
};
use crate::Store;
use crate::db::{Page, Paged, fetch_all, fetch_i64, fetch_one, fetch_page};
use crate::error::Result;
use ipfin_domain::application::{self as app, State, Workflow};
use ipfin_domain::org::Scope;
use ipfin_domain::visibility::{Party, Reach, Records};
use sea_orm::{FromQueryResult, Value};

/// Who must act next, in words: (Chinese, English).
fn awaiting(row: &ApplicationRow, wf: &Workflow) -> (String, String) {
    let pair = |zh: &str, en: &str| (zh.to_string(), en.to_string());
    match wf.state {
        State::Draft => pair(
            "等待申请单位上传材料并提交",
            "Awaiting the applicant's materials and submission",
        ),
        State::Submitted => pair(
            "等待区经办人员受理",
            "Awaiting acceptance by the district officer",
        ),
        State::Returned => (
            format!(
                "等待申请单位补正材料后重新提交{}",
                row.return_deadline
                    .map(|d| format!("（补正期限：{}）", ipfin_domain::format::date_zh(d)))
                    .unwrap_or_default()
            ),
            format!(
                "Awaiting the applicant's corrected materials and resubmission{}",
                row.return_deadline
                    .map(|d| format!(
                        " (by {})",
                        ipfin_domain::format::date(d, ipfin_domain::Lang::En)
                    ))
                    .unwrap_or_default()
            ),
        ),
        State::Accepted => (
            format!(
                "等待区审核人员{}",
                wf.stage.map(|s| s.zh()).unwrap_or("审核")
            ),
            format!(
                "Awaiting the district's reviewer: {}",
                wf.stage.map(|s| s.en()).unwrap_or("review")
            ),
        ),
        State::Reviewed => pair(
            "审核已通过，等待区经办人员发布公示",
            "Review passed; awaiting the district officer's public notice",
        ),
        State::InNotice => pair(
            "公示中，公示期满无成立的异议即确定资助",
            "In public notice: the subsidy is granted when the notice ends without an upheld objection",
        ),
        State::Granted => pair(
            "资助已确定，等待区财政拨付",
            "Subsidy granted; awaiting payment by the district's finance bureau",
        ),
        State::Disbursed => pair("已拨付，进入跟踪监管", "Paid; under follow-up supervision"),
        State::UnderInvestigation => pair(
            "跟踪监管发现问题，区经办人员核查中",
            "Supervision found a problem; the district officer is looking into it",
        ),
        _ => pair("办理已结束", "Closed"),
    }
}

impl Store {
    /// An application the scope may see, with everything on its page.
    pub async fn application(&self, scope: &Scope, id: i64) -> Result<ApplicationDetail> {
        let row = Self::app_row(self.conn(), scope, id).await?;
        if row.state() == State::Draft
            && !matches!(
                scope.reach(Records::Applications),
                Reach::Party(Party::Applicant, _)
            )
        {
            return Err(crate::error::StoreError::NotFound);
        }
        #[derive(FromQueryResult)]
        struct Extra {
            workflow: String,
            body: String,
            calc: Option<String>,
            differences: Option<String>,
        }
        let x: Extra = fetch_one(
            self.conn(),
            "SELECT workflow, body, calc, differences FROM applications WHERE id = ?",
            vec![id.into()],
        )
        .await?;
        let workflow: Workflow = serde_json::from_str(&x.workflow).map_err(internal)?;
        let body: Body = serde_json::from_str(&x.body).map_err(internal)?;
        let doc = Self::policy_doc_of(self.conn(), &row).await?;
        let slots = app::slots(row.kind(), &row.item_list(), &doc.extra_materials);
        let files: Vec<FileRow> = fetch_all(
            self.conn(),
            &format!(
                "SELECT {FILE_COLS} FROM application_files WHERE application_id = ? ORDER BY id"
            ),
            vec![id.into()],
        )
        .await?;
        let filled: Vec<&str> = files.iter().map(|f| f.slot.as_str()).collect();
        let missing = app::missing(&slots, &filled)
            .into_iter()
            .map(|s| s.name.clone())
            .collect();
        let (calculation, derivation, derivation_en) = match x.calc.as_deref() {
            Some(c) => {
                let stored: StoredCalc = serde_json::from_str(c).map_err(internal)?;
                (Some(stored.value), stored.lines, stored.lines_en)
            }
            None => (None, vec![], vec![]),
        };
        let differences = match x.differences.as_deref() {
            Some(d) => serde_json::from_str(d).map_err(internal)?,
            None => vec![],
        };
        let open_clawbacks = fetch_i64(
            self.conn(),
            "SELECT COUNT(*) FROM clawbacks c JOIN applications a2 ON a2.id = c.application_id \
             WHERE a2.applicant_org_id = ? AND c.recovered_on IS NULL",
            vec![row.applicant_org_id.into()],
        )
        .await?;
        let (awaiting, awaiting_en) = awaiting(&row, &workflow);
        Ok(ApplicationDetail {
            items: fetch_all(
                self.conn(),
                "SELECT item, computed_fen, approved_fen, reason, granted_fen FROM application_items WHERE application_id = ? ORDER BY item",
                vec![id.into()],
            )
            .await?,
            events: fetch_all(
                self.conn(),
                "SELECT e.id, e.at, e.actor_name, e.action, e.from_state, e.to_state, e.stage, e.comment, \
                 COALESCE(u.display_name, t.name) AS person, o.name AS organisation \
                 FROM application_events e \
                 LEFT JOIN users u ON u.id = e.user_id \
                 LEFT JOIN api_tokens t ON e.user_id IS NULL AND e.actor_name = 'token:' || CAST(t.id AS TEXT) \
                 LEFT JOIN organisations o ON o.id = COALESCE(u.organisation_id, t.organisation_id) \
                 WHERE e.application_id = ? ORDER BY e.id",
                vec![id.into()],
            )
            .await?,
            payments: fetch_all(
                self.conn(),
                "SELECT id, paid_on, amount_fen, reference FROM grant_payments WHERE application_id = ? ORDER BY id",
                vec![id.into()],
            )
            .await?,
            checks: fetch_all(
                self.conn(),
                "SELECT id, due_on, done_at, outcome, findings, kind, basis FROM supervision_checks WHERE application_id = ? ORDER BY due_on, id",
                vec![id.into()],
            )
            .await?,
            clawbacks: fetch_all(
                self.conn(),
                "SELECT id, amount_fen, reason, decided_at, recovered_on FROM clawbacks WHERE application_id = ? ORDER BY id",
                vec![id.into()],
            )
            .await?,
            row,
            workflow,
            body,
            slots,
            files,
            missing,
            calculation,
            derivation,
            derivation_en,
            differences,
            eligibility: Self::eligibility_checks(self.conn(), id).await?,
            open_clawbacks,
            awaiting,
            awaiting_en,
        })
    }

    fn filter_sql(scope: &Scope, f: &ApplicationFilter) -> (String, Vec<Value>) {
        let (mut cond, mut values) = crate::visibility::condition(scope, Records::Applications);
        if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            cond.push_str(" AND (a.number = ? OR o.name LIKE ?)");
            values.push(q.to_string().into());
            values.push(format!("%{}%", q.replace(['%', '_'], "")).into());
        }
        // A draft is the applicant's own until submitted: nobody else lists it.
        if !matches!(
            scope.reach(Records::Applications),
            Reach::Party(Party::Applicant, _)
        ) {
            cond.push_str(" AND a.state <> 'draft'");
        }
        if let Some(s) = f.state {
            cond.push_str(" AND a.state = ?");
            values.push(s.code().into());
        }
        if let Some(p) = f.phase {
            let codes: Vec<String> = State::ALL
                .iter()
                .filter(|s| s.phase() == Some(p))
                .map(|s| format!("'{}'", s.code()))
                .collect();
            cond.push_str(&format!(" AND a.state IN ({})", codes.join(",")));
        }
        if let Some(s) = f.stage.as_deref().filter(|s| !s.is_empty()) {
            cond.push_str(" AND a.stage = ?");
            values.push(s.to_string().into());
        }
        if let Some(k) = f.kind {
            cond.push_str(" AND a.kind = ?");
            values.push(k.code().into());
        }
        if let Some(d) = f.district.as_deref().filter(|d| !d.is_empty()) {
            cond.push_str(" AND a.district_code = ?");
            values.push(d.to_string().into());
        }
        (cond, values)
    }

    /// Applications the scope may see, newest activity first.
    pub async fn applications(
        &self,
        scope: &Scope,
        f: &ApplicationFilter,
        page: Page,
    ) -> Result<Paged<ApplicationRow>> {
        let (cond, values) = Self::filter_sql(scope, f);
        fetch_page(
            self.conn(),
            COLS,
            &format!("{FROM} WHERE {cond}"),
            "a.updated_at DESC, a.id DESC",
            values,
            page,
        )
        .await
    }

    /// Counts per state with the oldest last change, every state (the home pages' figures per
    /// stage, and the applicant's returned applications with their age).
    pub async fn application_state_counts(&self, scope: &Scope) -> Result<Vec<StateCount>> {
        let (cond, values) = Self::filter_sql(scope, &ApplicationFilter::default());
        fetch_all(
            self.conn(),
            &format!(
                "SELECT a.state, COUNT(*) AS count, MIN(a.updated_at) AS oldest_at {FROM} \
                 WHERE {cond} GROUP BY a.state ORDER BY a.state"
            ),
            values,
        )
        .await
    }

    /// Counts per state and stage with the oldest waiting time (the officers' work queue): only
    /// the states that await the lead department (`queue::AWAITING_OFFICERS`).
    pub async fn application_queue(&self, scope: &Scope) -> Result<Vec<QueueCount>> {
        let (cond, values) = crate::visibility::condition(scope, Records::Applications);
        fetch_all(
            self.conn(),
            &format!(
                "SELECT a.state, a.stage, COUNT(*) AS count, MIN(a.updated_at) AS oldest_at {FROM} \
                 WHERE {cond} AND a.state IN {} GROUP BY a.state, a.stage ORDER BY a.state, a.stage",
                ipfin_domain::application::queue::sql_states()
            ),
            values,
        )
        .await
    }
}
