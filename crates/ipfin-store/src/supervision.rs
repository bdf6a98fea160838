//! Daily supervision (SPEC §8 R4.3; issue #8 item 3): a district's lead officers plan
//! inspections of stations, financial institutions and subsidised enterprises, record findings,
//! raise rectification tasks with an owner organisation and a deadline, and close them with
//! evidence (a stored file and a note). The district's departments read everything of their
//! district; an owner organisation outside the district's departments sees only its own tasks
//! and answers them. Every check runs before the first write: a refused input changes nothing.

use crate::column::Code;
use crate::db::{Page, Paged, exec, fetch_all, fetch_i64, fetch_opt, fetch_page};
use crate::error::{Result, StoreError};
use crate::{Store, WriteTx};
use bytes::Bytes;
use chrono::NaiveDate;
use ipfin_domain::application::files::{check_upload, display_name};
use ipfin_domain::id::OrgId;
use ipfin_domain::org::Scope;
use ipfin_domain::policy::materials::FileKinds;
use ipfin_domain::supervision::{
    InspectionResult, InspectionStatus, SubjectKind, SupervisionFacts, TaskAction, TaskStatus,
    check_findings, check_note, check_plan, check_task, days_overdue, evidence_missing,
    inspection_overdue, may_act, next_status,
};
use ipfin_domain::visibility::Records;
use ipfin_domain::{FieldError, Msg};
use sea_orm::{FromQueryResult, Value};
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;

/// An inspection as lists and pages show it.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult, Serialize)]
pub struct Inspection {
    pub id: i64,
    pub district_code: String,
    pub subject_kind: Code<SubjectKind>,
    pub subject_org_id: Option<i64>,
    pub subject_enterprise_id: Option<i64>,
    pub subject_name: String,
    pub due_on: NaiveDate,
    pub inspectors: String,
    pub purpose: String,
    pub status: Code<InspectionStatus>,
    pub done_on: Option<NaiveDate>,
    pub findings: Option<String>,
    pub result: Option<Code<InspectionResult>>,
    pub created_at: i64,
    /// Rectification tasks raised from it.
    pub tasks: i64,
    /// Planned and past its due date (set by the store for `today`).
    #[sea_orm(skip)]
    pub overdue: bool,
}

impl Inspection {
    pub fn status(&self) -> InspectionStatus {
        self.status.get()
    }
    pub fn kind(&self) -> SubjectKind {
        self.subject_kind.get()
    }
    pub fn result(&self) -> Option<InspectionResult> {
        self.result.map(Code::get)
    }
}

/// A rectification task as lists and pages show it.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult, Serialize)]
pub struct Task {
    pub id: i64,
    pub inspection_id: i64,
    pub district_code: String,
    pub subject_name: String,
    pub inspection_done_on: Option<NaiveDate>,
    pub findings: Option<String>,
    pub owner_org_id: OrgId,
    pub owner_name: String,
    pub deadline: NaiveDate,
    pub requirement: String,
    pub status: Code<TaskStatus>,
    pub created_at: i64,
    pub closed_at: Option<i64>,
    pub close_note: Option<String>,
    /// Days past the deadline when not closed (set by the store for `today`).
    #[sea_orm(skip)]
    pub days_overdue: Option<i64>,
}

impl Task {
    pub fn status(&self) -> TaskStatus {
        self.status.get()
    }
}

/// A piece of evidence: a stored file with its note.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult, Serialize)]
pub struct Evidence {
    pub id: i64,
    pub task_id: i64,
    #[serde(skip)]
    pub blob_key: String,
    pub file_name: String,
    pub file_type: String,
    pub size: i64,
    pub note: String,
    pub org_name: Option<String>,
    pub submitted_at: i64,
}

/// One step in a task's history.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult, Serialize)]
pub struct TaskEvent {
    pub at: i64,
    pub actor_name: String,
    pub action: String,
    pub from_status: String,
    pub to_status: String,
    pub note: String,
}

/// Something an inspection can look at or a task can be given to.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult, Serialize)]
pub struct Choice {
    pub id: i64,
    pub name: String,
}

/// The subjects a district can inspect: institutions (city-wide), service agencies of the
/// district or city-wide, and the enterprises granted a subsidy in the district.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Subjects {
    pub banks: Vec<Choice>,
    pub agencies: Vec<Choice>,
    pub enterprises: Vec<Choice>,
}

/// A new inspection plan. The subject is a kind and a reference: `org_id` for an institution
/// (or a station run by a service agency), `enterprise_id` for an enterprise; a station
/// without an account is named in `name`.
#[derive(Debug, Clone)]
pub struct NewInspection {
    pub kind: SubjectKind,
    pub org_id: Option<OrgId>,
    pub enterprise_id: Option<ipfin_domain::id::EnterpriseId>,
    pub name: Option<String>,
    pub due_on: NaiveDate,
    pub inspectors: String,
    pub purpose: String,
}

/// Findings of an inspection.
#[derive(Debug, Clone)]
pub struct Findings {
    pub done_on: NaiveDate,
    pub findings: String,
    pub result: InspectionResult,
}

/// A new rectification task.
#[derive(Debug, Clone)]
pub struct NewTask {
    pub owner_org_id: OrgId,
    pub deadline: NaiveDate,
    pub requirement: String,
}

/// Filters of the inspection list.
#[derive(Debug, Clone, Default)]
pub struct InspectionFilter {
    pub district: Option<String>,
    pub status: Option<InspectionStatus>,
    pub overdue: bool,
    pub year: Option<i32>,
}

/// Filters of the task list.
#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    pub district: Option<String>,
    pub status: Option<TaskStatus>,
    pub overdue: bool,
    pub inspection_id: Option<i64>,
}

/// A district's supervision figures for a year.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub planned: i64,
    pub done: i64,
    pub overdue_inspections: i64,
    pub open_tasks: i64,
    pub overdue_tasks: i64,
    pub closed_tasks: i64,
}

const INSPECTION_SELECT: &str = "i.id, i.district_code, i.subject_kind, i.subject_org_id, i.subject_enterprise_id, i.subject_name, \
     i.due_on, i.inspectors, i.purpose, i.status, i.done_on, i.findings, i.result, i.created_at, \
     (SELECT COUNT(*) FROM rectification_tasks t WHERE t.inspection_id = i.id) AS tasks";

const TASK_SELECT: &str = "t.id, t.inspection_id, t.district_code, i.subject_name, i.done_on AS inspection_done_on, i.findings, \
     t.owner_org_id, o.name AS owner_name, t.deadline, t.requirement, t.status, t.created_at, t.closed_at, t.close_note";

const TASK_FROM: &str = "FROM rectification_tasks t JOIN inspections i ON i.id = t.inspection_id \
     JOIN organisations o ON o.id = t.owner_org_id";

/// The lead officers' acts on a task (close, reopen), or why not (`supervision::may_act`).
fn lead_may(scope: &Scope, t: &Task, action: TaskAction) -> Result<()> {
    if may_act(scope, None, &t.district_code, t.owner_org_id, action) {
        Ok(())
    } else {
        lead_district(scope).map(|_| ())?;
        Err(StoreError::NotFound)
    }
}

/// The district a lead officer manages, or why not.
fn lead_district(scope: &Scope) -> Result<&str> {
    match scope.lead_district() {
        Some(code) => Ok(code),
        None if scope.is_government() => Err(StoreError::forbidden(
            "supervision.lead_only",
            "督导检查由本区牵头部门经办人安排和记录。",
            "Only the district's lead officers plan and record inspections.",
        )),
        None => Err(StoreError::NotFound),
    }
}

fn invalid(field: &'static str, m: Msg) -> StoreError {
    StoreError::Invalid(FieldError { field, msg: m })
}

fn subject_error(zh: &str) -> StoreError {
    StoreError::invalid(
        "subject",
        "inspection.subject",
        zh.to_string(),
        "Choose a subject of the district from the list.",
    )
}

impl Store {
    /// What a district can inspect: active financial institutions (city-wide), active service
    /// agencies of the district or city-wide, and the enterprises granted a subsidy in it.
    pub async fn inspection_subjects(&self, scope: &Scope, district: &str) -> Result<Subjects> {
        if !scope.reads_district(district) {
            return Err(StoreError::NotFound);
        }
        let banks = fetch_all(
            self.conn(),
            "SELECT id, name FROM organisations WHERE kind = 'financial_institution' AND active ORDER BY name",
            vec![],
        )
        .await?;
        let agencies = fetch_all(
            self.conn(),
            "SELECT id, name FROM organisations WHERE kind = 'service_agency' AND active \
             AND (district_code IS NULL OR district_code = ?) ORDER BY name",
            vec![district.into()],
        )
        .await?;
        let enterprises = fetch_all(
            self.conn(),
            "SELECT e.id, e.name FROM enterprises e WHERE EXISTS (SELECT 1 FROM applications a WHERE a.enterprise_id = e.id \
             AND a.district_code = ? AND a.granted_fen > 0) ORDER BY e.name",
            vec![district.into()],
        )
        .await?;
        Ok(Subjects {
            banks,
            agencies,
            enterprises,
        })
    }

    /// Plans an inspection in the lead officer's district. The subject must operate in the
    /// district: any active financial institution (they are city-wide), a service agency of the
    /// district or city-wide, an enterprise registered or taxed in the district or subsidised
    /// by it; a station without an account by its name.
    pub async fn plan_inspection(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        p: &NewInspection,
        today: NaiveDate,
    ) -> Result<i64> {
        let district = lead_district(scope)?.to_string();
        check_plan(p.due_on, today, &p.inspectors, &p.purpose).map_err(StoreError::Invalid)?;
        #[derive(FromQueryResult)]
        struct Named {
            name: String,
        }
        let (org_id, enterprise_id, name) = match p.kind {
            SubjectKind::Bank => {
                let id = p
                    .org_id
                    .ok_or_else(|| subject_error("请选择被检查的金融机构。"))?;
                let n: Named = fetch_opt(
                    tx.conn(),
                    "SELECT name FROM organisations WHERE id = ? AND kind = 'financial_institution' AND active",
                    vec![id.into()],
                )
                .await?
                .ok_or_else(|| subject_error("所选金融机构不存在或已停用，请从列表中选择。"))?;
                (Some(id), None, n.name)
            }
            SubjectKind::Station => match p.org_id {
                Some(id) => {
                    let n: Named = fetch_opt(
                        tx.conn(),
                        "SELECT name FROM organisations WHERE id = ? AND kind = 'service_agency' AND active \
                         AND (district_code IS NULL OR district_code = ?)",
                        vec![id.into(), district.clone().into()],
                    )
                    .await?
                    .ok_or_else(|| {
                        subject_error("所选服务机构不在本区或已停用，请从列表中选择。")
                    })?;
                    (Some(id), None, n.name)
                }
                None => {
                    let n = p.name.as_deref().map(str::trim).unwrap_or("");
                    if n.chars().count() < 2 || n.chars().count() > 100 {
                        return Err(StoreError::invalid(
                            "subject_name",
                            "inspection.station_name",
                            "请填写被检查服务站的名称（2–100 个字），或从列表中选择服务机构。",
                            "Name the station (2–100 characters) or choose a service agency.",
                        ));
                    }
                    (None, None, n.to_string())
                }
            },
            SubjectKind::Enterprise => {
                let id = p
                    .enterprise_id
                    .ok_or_else(|| subject_error("请选择被检查的企业。"))?;
                let n: Named = fetch_opt(
                    tx.conn(),
                    "SELECT e.name FROM enterprises e WHERE e.id = ? AND (e.registered_district = ? OR e.tax_district = ? \
                     OR EXISTS (SELECT 1 FROM applications a WHERE a.enterprise_id = e.id AND a.district_code = ?))",
                    vec![id.into(), district.clone().into(), district.clone().into(), district.clone().into()],
                )
                .await?
                .ok_or_else(|| subject_error("所选企业不在本区（注册地、纳税地或申报地均不在本区），请核对。"))?;
                (None, Some(id), n.name)
            }
        };
        let id = fetch_i64(
            tx.conn(),
            "INSERT INTO inspections (district_code, subject_kind, subject_org_id, subject_enterprise_id, subject_name, due_on, \
             inspectors, purpose, status, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'planned', ?, ?) RETURNING id",
            vec![
                district.clone().into(),
                p.kind.code().into(),
                org_id.into(),
                enterprise_id.into(),
                name.clone().into(),
                p.due_on.into(),
                p.inspectors.trim().into(),
                p.purpose.trim().into(),
                tx.actor_user_id().into(),
                crate::now_s().into(),
            ],
        )
        .await?;
        tx.audit(
            "inspection.plan",
            "inspection",
            id,
            json!({"district": district, "subject_kind": p.kind.code(), "subject": name, "due_on": p.due_on}),
        )
        .await?;
        Ok(id)
    }

    async fn inspection_in<C: sea_orm::ConnectionTrait>(
        conn: &C,
        scope: &Scope,
        id: i64,
        today: NaiveDate,
    ) -> Result<Inspection> {
        let mut i: Inspection = fetch_opt(
            conn,
            &format!("SELECT {INSPECTION_SELECT} FROM inspections i WHERE i.id = ?"),
            vec![id.into()],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
        if !scope.reads_district(&i.district_code) {
            return Err(StoreError::NotFound);
        }
        i.overdue = inspection_overdue(i.status(), i.due_on, today);
        Ok(i)
    }

    /// One inspection, for the city and its district's departments.
    pub async fn inspection(&self, scope: &Scope, id: i64, today: NaiveDate) -> Result<Inspection> {
        Self::inspection_in(self.conn(), scope, id, today).await
    }

    /// The inspections in scope, newest due date last within the page's order (by due date).
    pub async fn inspections(
        &self,
        scope: &Scope,
        f: &InspectionFilter,
        page: Page,
        today: NaiveDate,
    ) -> Result<Paged<Inspection>> {
        let mut conds: Vec<String> = Vec::new();
        let mut values: Vec<Value> = Vec::new();
        if !scope.is_government() {
            return Err(StoreError::NotFound);
        }
        if let Some(code) = scope.district() {
            conds.push("i.district_code = ?".into());
            values.push(code.into());
        }
        if let Some(d) = &f.district {
            conds.push("i.district_code = ?".into());
            values.push(d.clone().into());
        }
        if let Some(s) = f.status {
            conds.push("i.status = ?".into());
            values.push(s.code().into());
        }
        if f.overdue {
            conds.push("i.status = 'planned' AND i.due_on < ?".into());
            values.push(today.into());
        }
        if let Some(y) = f.year {
            let (from, to) = year_bounds(y);
            conds.push("COALESCE(i.done_on, i.due_on) BETWEEN ? AND ?".into());
            values.push(from.into());
            values.push(to.into());
        }
        let from_where = if conds.is_empty() {
            "FROM inspections i".to_string()
        } else {
            format!("FROM inspections i WHERE {}", conds.join(" AND "))
        };
        let mut p: Paged<Inspection> = fetch_page(
            self.conn(),
            INSPECTION_SELECT,
            &from_where,
            "COALESCE(i.done_on, i.due_on), i.id",
            values,
            page,
        )
        .await?;
        for i in &mut p.items {
            i.overdue = inspection_overdue(i.status(), i.due_on, today);
        }
        Ok(p)
    }

    /// Records an inspection's findings (date done, what was found, the result): it is done.
    pub async fn record_findings(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        id: i64,
        f: &Findings,
        today: NaiveDate,
    ) -> Result<()> {
        let i = Self::inspection_in(tx.conn(), scope, id, today).await?;
        lead_district(scope)?;
        if i.status() == InspectionStatus::Done {
            return Err(StoreError::conflict(
                "inspection.done",
                "该检查已登记结果，不能重复登记。",
                "The findings of this inspection are already recorded.",
            ));
        }
        check_findings(f.done_on, i.due_on, today, &f.findings).map_err(StoreError::Invalid)?;
        let n = exec(
            tx.conn(),
            "UPDATE inspections SET status = 'done', done_on = ?, findings = ?, result = ?, recorded_by = ?, recorded_at = ? \
             WHERE id = ? AND status = 'planned'",
            vec![
                f.done_on.into(),
                f.findings.trim().into(),
                f.result.code().into(),
                tx.actor_user_id().into(),
                crate::now_s().into(),
                id.into(),
            ],
        )
        .await?;
        if n != 1 {
            return Err(StoreError::conflict(
                "inspection.stale",
                "该检查刚被他人登记，请刷新页面。",
                "Someone else just recorded this inspection; reload.",
            ));
        }
        tx.audit(
            "inspection.findings",
            "inspection",
            id,
            json!({"done_on": f.done_on, "result": f.result.code()}),
        )
        .await
    }

    /// Who can own a task raised from this inspection: the inspected organisation when it has
    /// active accounts, and the district's own departments.
    pub async fn task_owner_choices(
        &self,
        scope: &Scope,
        inspection_id: i64,
    ) -> Result<Vec<Choice>> {
        let i = self
            .inspection(scope, inspection_id, crate::today_shanghai())
            .await?;
        Self::owner_choices_in(self.conn(), &i).await
    }

    async fn owner_choices_in<C: sea_orm::ConnectionTrait>(
        conn: &C,
        i: &Inspection,
    ) -> Result<Vec<Choice>> {
        let subject_org = match (i.subject_org_id, i.subject_enterprise_id) {
            (Some(o), _) => Some(o),
            (None, Some(e)) => {
                #[derive(FromQueryResult)]
                struct Org {
                    organisation_id: Option<i64>,
                }
                fetch_opt::<Org, _>(
                    conn,
                    "SELECT organisation_id FROM enterprises WHERE id = ?",
                    vec![e.into()],
                )
                .await?
                .and_then(|o| o.organisation_id)
            }
            _ => None,
        };
        let mut out: Vec<Choice> = Vec::new();
        if let Some(o) = subject_org {
            out.extend(
                fetch_all::<Choice, _>(
                    conn,
                    "SELECT o.id, o.name FROM organisations o WHERE o.id = ? AND o.active \
                     AND EXISTS (SELECT 1 FROM users u WHERE u.organisation_id = o.id AND u.active)",
                    vec![o.into()],
                )
                .await?,
            );
        }
        out.extend(
            fetch_all::<Choice, _>(
                conn,
                "SELECT id, name FROM organisations WHERE kind = 'department' AND district_code = ? AND active ORDER BY id",
                vec![i.district_code.clone().into()],
            )
            .await?,
        );
        Ok(out)
    }

    /// Raises a rectification task from an inspection that found issues; the owner
    /// organisation is told.
    pub async fn create_task(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        inspection_id: i64,
        t: &NewTask,
        today: NaiveDate,
    ) -> Result<i64> {
        let i = Self::inspection_in(tx.conn(), scope, inspection_id, today).await?;
        lead_district(scope)?;
        if i.result() != Some(InspectionResult::IssuesFound) {
            return Err(StoreError::conflict(
                "rectification.no_issues",
                "只有已登记结果且“发现问题”的检查才能下达整改任务。",
                "Tasks are raised from inspections whose findings show issues.",
            ));
        }
        check_task(t.deadline, today, &t.requirement).map_err(StoreError::Invalid)?;
        let owners = Self::owner_choices_in(tx.conn(), &i).await?;
        let Some(owner) = owners.iter().find(|o| t.owner_org_id == o.id) else {
            return Err(StoreError::invalid(
                "owner_org_id",
                "rectification.owner",
                "整改责任单位须是被检查单位（有在用账号时）或本区的部门，请从列表中选择。",
                "Choose the inspected organisation or one of the district's departments.",
            ));
        };
        let now = crate::now_s();
        let id = fetch_i64(
            tx.conn(),
            "INSERT INTO rectification_tasks (inspection_id, district_code, owner_org_id, deadline, requirement, status, \
             created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'open', ?, ?, ?) RETURNING id",
            vec![
                inspection_id.into(),
                i.district_code.clone().into(),
                t.owner_org_id.into(),
                t.deadline.into(),
                t.requirement.trim().into(),
                tx.actor_user_id().into(),
                now.into(),
                now.into(),
            ],
        )
        .await?;
        Self::task_event(
            tx,
            id,
            "create",
            TaskStatus::Open,
            TaskStatus::Open,
            t.requirement.trim(),
        )
        .await?;
        crate::notification::notify(
            tx.conn(),
            Some(t.owner_org_id),
            None,
            None,
            (
                format!(
                    "督导检查（{}）下达整改任务，请于 {} 前完成整改并提交整改证明材料。",
                    i.subject_name,
                    ipfin_domain::format::date_zh(t.deadline)
                ),
                format!(
                    "Inspection ({}): a rectification task; rectify and submit the evidence by {}.",
                    i.subject_name,
                    ipfin_domain::format::date(t.deadline, ipfin_domain::Lang::En)
                ),
            ),
            format!("/supervision/tasks/{id}"),
        )
        .await?;
        tx.audit(
            "rectification.create",
            "rectification_task",
            id,
            json!({"inspection_id": inspection_id, "owner_org_id": t.owner_org_id, "owner": owner.name, "deadline": t.deadline}),
        )
        .await?;
        Ok(id)
    }

    async fn task_event(
        tx: &WriteTx,
        task_id: i64,
        action: &str,
        from: TaskStatus,
        to: TaskStatus,
        note: &str,
    ) -> Result<()> {
        let label = tx.actor().label.clone();
        exec(
            tx.conn(),
            "INSERT INTO rectification_events (task_id, at, user_id, actor_name, action, from_status, to_status, note) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            vec![
                task_id.into(),
                crate::now_s().into(),
                tx.actor_user_id().into(),
                label.into(),
                action.into(),
                from.code().into(),
                to.code().into(),
                note.trim().into(),
            ],
        )
        .await?;
        Ok(())
    }

    async fn task_in<C: sea_orm::ConnectionTrait>(
        conn: &C,
        scope: &Scope,
        id: i64,
        today: NaiveDate,
    ) -> Result<Task> {
        let (cond, mut values) = crate::visibility::condition(scope, Records::Tasks);
        values.push(id.into());
        let mut t: Task = fetch_opt(
            conn,
            &format!("SELECT {TASK_SELECT} {TASK_FROM} WHERE {cond} AND t.id = ?"),
            values,
        )
        .await?
        .ok_or(StoreError::NotFound)?;
        t.days_overdue = days_overdue(t.status(), t.deadline, today);
        Ok(t)
    }

    /// One task: the city, its district's departments, and the owner organisation.
    pub async fn task(&self, scope: &Scope, id: i64, today: NaiveDate) -> Result<Task> {
        Self::task_in(self.conn(), scope, id, today).await
    }

    /// The tasks in scope, by deadline.
    pub async fn tasks(
        &self,
        scope: &Scope,
        f: &TaskFilter,
        page: Page,
        today: NaiveDate,
    ) -> Result<Paged<Task>> {
        let (cond, mut values) = crate::visibility::condition(scope, Records::Tasks);
        let mut conds = vec![cond];
        if let Some(d) = &f.district {
            conds.push("t.district_code = ?".into());
            values.push(d.clone().into());
        }
        if let Some(s) = f.status {
            conds.push("t.status = ?".into());
            values.push(s.code().into());
        }
        if f.overdue {
            conds.push("t.status <> 'closed' AND t.deadline < ?".into());
            values.push(today.into());
        }
        if let Some(i) = f.inspection_id {
            conds.push("t.inspection_id = ?".into());
            values.push(i.into());
        }
        let mut p: Paged<Task> = fetch_page(
            self.conn(),
            TASK_SELECT,
            &format!("{TASK_FROM} WHERE {}", conds.join(" AND ")),
            "t.deadline, t.id",
            values,
            page,
        )
        .await?;
        for t in &mut p.items {
            t.days_overdue = days_overdue(t.status(), t.deadline, today);
        }
        Ok(p)
    }

    /// A task's evidence, oldest first.
    pub async fn task_evidence(&self, scope: &Scope, id: i64) -> Result<Vec<Evidence>> {
        self.task(scope, id, crate::today_shanghai()).await?;
        fetch_all(
            self.conn(),
            "SELECT e.id, e.task_id, e.blob_key, e.file_name, e.file_type, e.size, e.note, o.name AS org_name, e.submitted_at \
             FROM rectification_evidence e LEFT JOIN organisations o ON o.id = e.organisation_id WHERE e.task_id = ? ORDER BY e.id",
            vec![id.into()],
        )
        .await
    }

    /// A task's history, oldest first.
    pub async fn task_events(&self, scope: &Scope, id: i64) -> Result<Vec<TaskEvent>> {
        self.task(scope, id, crate::today_shanghai()).await?;
        fetch_all(
            self.conn(),
            "SELECT at, actor_name, action, from_status, to_status, note FROM rectification_events WHERE task_id = ? ORDER BY id",
            vec![id.into()],
        )
        .await
    }

    /// An evidence file with its bytes, for whoever may see the task.
    pub async fn evidence_file(
        &self,
        scope: &Scope,
        task_id: i64,
        evidence_id: i64,
    ) -> Result<(Evidence, Bytes)> {
        let e = self
            .task_evidence(scope, task_id)
            .await?
            .into_iter()
            .find(|e| e.id == evidence_id)
            .ok_or(StoreError::NotFound)?;
        let bytes = self.blobs().get(&e.blob_key).await?;
        Ok((e, bytes))
    }

    /// Checks and keeps an evidence file with its note. The type is judged by content; a
    /// refused file stores nothing.
    async fn keep_evidence(
        &self,
        tx: &WriteTx,
        task_id: i64,
        org_id: Option<OrgId>,
        note: &str,
        file_name: &str,
        bytes: Bytes,
    ) -> Result<i64> {
        let t = check_upload("整改证明文件", FileKinds::Document, &bytes)
            .map_err(|m| invalid("file", m))?;
        let size = bytes.len() as i64;
        let key = self.keep_file(tx, bytes, t).await?;
        fetch_i64(
            tx.conn(),
            "INSERT INTO rectification_evidence (task_id, blob_key, file_name, file_type, size, note, organisation_id, submitted_by, submitted_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            vec![
                task_id.into(),
                key.into(),
                display_name(file_name).into(),
                t.code().into(),
                size.into(),
                note.trim().into(),
                org_id.into(),
                tx.actor_user_id().into(),
                crate::now_s().into(),
            ],
        )
        .await
    }

    async fn move_task(
        tx: &WriteTx,
        t: &Task,
        to: TaskStatus,
        extra: &str,
        extra_values: Vec<Value>,
    ) -> Result<()> {
        let mut values = vec![to.code().into(), crate::now_s().into()];
        values.extend(extra_values);
        values.push(t.id.into());
        values.push(t.status.into());
        let n = exec(
            tx.conn(),
            &format!(
                "UPDATE rectification_tasks SET status = ?, updated_at = ?{extra} WHERE id = ? AND status = ?"
            ),
            values,
        )
        .await?;
        if n != 1 {
            return Err(StoreError::conflict(
                "rectification.stale",
                "该整改任务刚被他人办理，请刷新页面后再操作。",
                "Someone else just acted on this task; reload and try again.",
            ));
        }
        Ok(())
    }

    /// The owner organisation submits evidence (a file and a note) for its task.
    #[allow(clippy::too_many_arguments)]
    pub async fn submit_evidence(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        org_id: Option<OrgId>,
        task_id: i64,
        note: &str,
        file: Option<(&str, Bytes)>,
        today: NaiveDate,
    ) -> Result<i64> {
        let t = Self::task_in(tx.conn(), scope, task_id, today).await?;
        if !may_act(
            scope,
            org_id,
            &t.district_code,
            t.owner_org_id,
            TaskAction::SubmitEvidence,
        ) {
            return Err(StoreError::forbidden(
                "rectification.owner_only",
                "只有整改责任单位可以提交整改材料。",
                "Only the task's owner submits evidence.",
            ));
        }
        let to =
            next_status(t.status(), TaskAction::SubmitEvidence).map_err(StoreError::Conflict)?;
        check_note("note", "整改情况说明", note).map_err(StoreError::Invalid)?;
        let Some((name, bytes)) = file else {
            return Err(StoreError::invalid(
                "file",
                "rectification.file_missing",
                "请上传整改证明文件（“整改证明文件”一栏）：整改材料须同时有文件和说明。",
                "Upload a file showing the rectification together with the note.",
            ));
        };
        let eid = self
            .keep_evidence(tx, task_id, Some(t.owner_org_id), note, name, bytes)
            .await?;
        Self::move_task(tx, &t, to, "", vec![]).await?;
        Self::task_event(
            tx,
            task_id,
            TaskAction::SubmitEvidence.code(),
            t.status(),
            to,
            note,
        )
        .await?;
        crate::notification::notify(
            tx.conn(),
            None,
            Some(&t.district_code),
            None,
            (
                format!(
                    "{}已就督导检查（{}）的整改任务提交整改材料，请验收。",
                    t.owner_name, t.subject_name
                ),
                format!(
                    "{} submitted rectification evidence for the inspection ({}): check it.",
                    t.owner_name, t.subject_name
                ),
            ),
            format!("/supervision/tasks/{task_id}"),
        )
        .await?;
        tx.audit(
            "rectification.evidence",
            "rectification_task",
            task_id,
            json!({"evidence_id": eid, "status": to.code()}),
        )
        .await?;
        Ok(eid)
    }

    /// The lead officer closes (销号) a task with evidence: what the owner submitted, or a file
    /// given now; always with a closing note and the confirmation. Without evidence nothing is
    /// stored.
    #[allow(clippy::too_many_arguments)]
    pub async fn close_task(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        task_id: i64,
        note: &str,
        file: Option<(&str, Bytes)>,
        confirmed: bool,
        today: NaiveDate,
    ) -> Result<()> {
        let t = Self::task_in(tx.conn(), scope, task_id, today).await?;
        lead_may(scope, &t, TaskAction::Close)?;
        let to = next_status(t.status(), TaskAction::Close).map_err(StoreError::Conflict)?;
        let has_evidence = fetch_i64(
            tx.conn(),
            "SELECT COUNT(*) FROM rectification_evidence WHERE task_id = ?",
            vec![task_id.into()],
        )
        .await?
            > 0;
        if !has_evidence && file.is_none() {
            return Err(StoreError::Invalid(evidence_missing()));
        }
        check_note("note", "整改情况说明（验收意见）", note).map_err(StoreError::Invalid)?;
        if !confirmed {
            return Err(StoreError::invalid(
                "confirm",
                "confirm.required",
                "销号后任务即告完成，请勾选“我已核实整改到位，确认销号”后再提交。",
                "Tick the confirmation to close the task.",
            ));
        }
        if let Some((name, bytes)) = file {
            self.keep_evidence(tx, task_id, None, note, name, bytes)
                .await?;
        }
        Self::move_task(
            tx,
            &t,
            to,
            ", closed_at = ?, closed_by = ?, close_note = ?",
            vec![
                crate::now_s().into(),
                tx.actor_user_id().into(),
                note.trim().into(),
            ],
        )
        .await?;
        Self::task_event(tx, task_id, TaskAction::Close.code(), t.status(), to, note).await?;
        tx.audit(
            "rectification.close",
            "rectification_task",
            task_id,
            json!({"note": note.trim()}),
        )
        .await
    }

    /// The lead officer sends a task back (the evidence does not show the rectification, or a
    /// closed task turned out not rectified), with the reason; the owner is told.
    pub async fn reopen_task(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        task_id: i64,
        reason: &str,
        today: NaiveDate,
    ) -> Result<()> {
        let t = Self::task_in(tx.conn(), scope, task_id, today).await?;
        lead_may(scope, &t, TaskAction::Reopen)?;
        let to = next_status(t.status(), TaskAction::Reopen).map_err(StoreError::Conflict)?;
        check_note("reason", "退回理由", reason).map_err(StoreError::Invalid)?;
        Self::move_task(
            tx,
            &t,
            to,
            ", closed_at = NULL, closed_by = NULL, close_note = NULL",
            vec![],
        )
        .await?;
        Self::task_event(
            tx,
            task_id,
            TaskAction::Reopen.code(),
            t.status(),
            to,
            reason,
        )
        .await?;
        crate::notification::notify(
            tx.conn(),
            Some(t.owner_org_id),
            None,
            None,
            (
                format!(
                    "督导检查（{}）的整改任务被退回重新整改：{}",
                    t.subject_name,
                    reason.trim()
                ),
                format!(
                    "The rectification for the inspection ({}) was sent back: {}",
                    t.subject_name,
                    reason.trim()
                ),
            ),
            format!("/supervision/tasks/{task_id}"),
        )
        .await?;
        tx.audit(
            "rectification.reopen",
            "rectification_task",
            task_id,
            json!({"reason": reason.trim()}),
        )
        .await
    }

    /// A district's inspections and tasks in figures for a year (tasks: all current ones).
    pub async fn supervision_counts(
        &self,
        scope: &Scope,
        district: &str,
        year: i32,
        today: NaiveDate,
    ) -> Result<Counts> {
        if !scope.reads_district(district) {
            return Err(StoreError::NotFound);
        }
        let facts = self.supervision_facts(scope, year, today).await?;
        let f = facts.get(district).copied().unwrap_or_default();
        let (from, to) = year_bounds(year);
        let count = |sql: &'static str, values: Vec<Value>| async move {
            fetch_i64(self.conn(), sql, values).await
        };
        Ok(Counts {
            planned: f.planned,
            done: f.done,
            overdue_inspections: count(
                "SELECT COUNT(*) FROM inspections WHERE district_code = ? AND status = 'planned' AND due_on < ? AND due_on BETWEEN ? AND ?",
                vec![district.into(), today.into(), from.into(), to.into()],
            )
            .await?,
            open_tasks: count(
                "SELECT COUNT(*) FROM rectification_tasks WHERE district_code = ? AND status <> 'closed'",
                vec![district.into()],
            )
            .await?,
            overdue_tasks: f.overdue_tasks,
            closed_tasks: count(
                "SELECT COUNT(*) FROM rectification_tasks WHERE district_code = ? AND status = 'closed'",
                vec![district.into()],
            )
            .await?,
        })
    }

    /// Each district's supervision facts for a year as the conformance matrix reads them
    /// (the districts in scope): inspections done and planned in the year, tasks overdue today
    /// and the longest overdue.
    pub async fn supervision_facts(
        &self,
        scope: &Scope,
        year: i32,
        today: NaiveDate,
    ) -> Result<BTreeMap<String, SupervisionFacts>> {
        #[derive(FromQueryResult)]
        struct I {
            district_code: String,
            status: String,
            n: i64,
        }
        #[derive(FromQueryResult)]
        struct T {
            district_code: String,
            deadline: NaiveDate,
        }
        let (from, to) = year_bounds(year);
        let mut out: BTreeMap<String, SupervisionFacts> = BTreeMap::new();
        let rows: Vec<I> = fetch_all(
            self.conn(),
            "SELECT district_code, status, COUNT(*) AS n FROM inspections WHERE COALESCE(done_on, due_on) BETWEEN ? AND ? \
             GROUP BY district_code, status",
            vec![from.into(), to.into()],
        )
        .await?;
        for r in rows
            .into_iter()
            .filter(|r| scope.reads_district(&r.district_code))
        {
            let f = out.entry(r.district_code).or_default();
            match InspectionStatus::from_code(&r.status) {
                Some(InspectionStatus::Done) => f.done += r.n,
                _ => f.planned += r.n,
            }
        }
        let late: Vec<T> = fetch_all(
            self.conn(),
            "SELECT district_code, deadline FROM rectification_tasks WHERE status <> 'closed' AND deadline < ?",
            vec![today.into()],
        )
        .await?;
        for t in late
            .into_iter()
            .filter(|t| scope.reads_district(&t.district_code))
        {
            let days = days_overdue(TaskStatus::Open, t.deadline, today).unwrap_or(0);
            let f = out.entry(t.district_code).or_default();
            f.overdue_tasks += 1;
            f.worst_overdue_days = f.worst_overdue_days.max(days);
        }
        Ok(out)
    }
}

/// The first and last day of a year.
fn year_bounds(year: i32) -> (NaiveDate, NaiveDate) {
    (
        NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default(),
        NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or_default(),
    )
}

/// The demo district's supervision (issue #8): planned inspections across the coming months,
/// one done inspection of the demo bank with a finding and a rectification task closed with
/// evidence, and an inspection of the service station whose task is overdue.
pub(crate) async fn seed_demo(store: &Store, tx: &mut WriteTx) -> Result<()> {
    let today = crate::today_shanghai();
    let lead = Scope::District {
        code: "440305".into(),
        manage: true,
    };
    #[derive(FromQueryResult)]
    struct Id {
        id: i64,
    }
    let find = "SELECT id FROM organisations WHERE name = ?";
    let bank: Id = fetch_opt(tx.conn(), find, vec!["深南银行深圳分行".into()])
        .await?
        .ok_or_else(|| StoreError::Internal("demo bank missing".into()))?;
    let station: Id = fetch_opt(tx.conn(), find, vec!["南山知识产权金融服务站".into()])
        .await?
        .ok_or_else(|| StoreError::Internal("demo station missing".into()))?;
    let days = chrono::Duration::days;
    // Planned inspections spread over the coming months.
    for (months, kind, org_id, name, purpose) in [
        (
            1,
            SubjectKind::Station,
            None,
            Some("南山科技园知识产权金融服务站"),
            "检查服务站服务台账、上门服务记录和“零跑动”落实情况",
        ),
        (
            2,
            SubjectKind::Bank,
            Some(OrgId::new(bank.id)),
            None,
            "检查知识产权质押贷款的投放进度和贴息资料",
        ),
        (
            4,
            SubjectKind::Station,
            Some(OrgId::new(station.id)),
            None,
            "季度督导：服务专员配备和服务案件办理时限",
        ),
    ] {
        store
            .plan_inspection(
                tx,
                &lead,
                &NewInspection {
                    kind,
                    org_id,
                    enterprise_id: None,
                    name: name.map(str::to_string),
                    due_on: today + days(30 * months),
                    inspectors: "南山区市场监督管理局 张敏、李卫".into(),
                    purpose: purpose.into(),
                },
                today,
            )
            .await?;
    }
    // The demo bank, inspected a month ago: a finding, a task closed with evidence.
    let done = store
        .plan_inspection(
            tx,
            &lead,
            &NewInspection {
                kind: SubjectKind::Bank,
                org_id: Some(OrgId::new(bank.id)),
                enterprise_id: None,
                name: None,
                due_on: today - days(35),
                inspectors: "南山区市场监督管理局 张敏".into(),
                purpose: "检查知识产权质押贷款贴息申报资料的真实性和完整性".into(),
            },
            today,
        )
        .await?;
    store
        .record_findings(
            tx,
            &lead,
            done,
            &Findings {
                done_on: today - days(33),
                findings: "抽查 5 笔贷款，其中 1 笔缺少质押登记证明复印件，贷款台账未按月更新。"
                    .into(),
                result: InspectionResult::IssuesFound,
            },
            today,
        )
        .await?;
    let task = store
        .create_task(
            tx,
            &lead,
            done,
            &NewTask {
                owner_org_id: OrgId::new(bank.id),
                deadline: today,
                requirement: "补齐缺失的质押登记证明，建立按月更新的贷款台账，并报送整改情况。"
                    .into(),
            },
            today,
        )
        .await?;
    let bank_scope = Scope::Institution {
        org_id: OrgId::new(bank.id),
    };
    store
        .submit_evidence(
            tx,
            &bank_scope,
            None,
            task,
            "已补齐质押登记证明并建立月度台账，附整改报告。",
            Some(("整改报告.pdf", Bytes::from_static(DEMO_PDF))),
            today,
        )
        .await?;
    store
        .close_task(
            tx,
            &lead,
            task,
            "经核查，质押登记证明已补齐，台账按月更新，整改到位，予以销号。",
            None,
            true,
            today,
        )
        .await?;
    // The station, inspected two months ago: its task is past the deadline and still open.
    let late = store
        .plan_inspection(
            tx,
            &lead,
            &NewInspection {
                kind: SubjectKind::Station,
                org_id: Some(OrgId::new(station.id)),
                enterprise_id: None,
                name: None,
                due_on: today - days(62),
                inspectors: "南山区市场监督管理局 李卫".into(),
                purpose: "检查服务站上门服务记录".into(),
            },
            today,
        )
        .await?;
    store
        .record_findings(
            tx,
            &lead,
            late,
            &Findings {
                done_on: today - days(60),
                findings: "上门服务记录缺少服务对象签字，3 个服务案件未记录跑动次数。".into(),
                result: InspectionResult::IssuesFound,
            },
            today,
        )
        .await?;
    let overdue = store
        .create_task(
            tx,
            &lead,
            late,
            &NewTask {
                owner_org_id: OrgId::new(station.id),
                deadline: today,
                requirement: "补录服务对象签字和跑动次数，完善上门服务记录制度。".into(),
            },
            today,
        )
        .await?;
    // The deadline passed ten days ago (written directly: a new task's deadline is never past).
    exec(
        tx.conn(),
        "UPDATE rectification_tasks SET deadline = ?, created_at = created_at - 5184000 WHERE id = ?",
        vec![(today - days(10)).into(), overdue.into()],
    )
    .await?;
    Ok(())
}

/// A minimal valid PDF (one empty page) for demo and test evidence.
pub const DEMO_PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";
