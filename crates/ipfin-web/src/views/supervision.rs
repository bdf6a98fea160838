//! Daily supervision on pages (SPEC §8 R4.3; issue #8 item 3): the district's supervision page
//! (progress against targets, counts, the calendar of inspections by month, overdue tasks, the
//! planning form), inspection and task lists with filters, paging and XLSX, an inspection's
//! findings and tasks, and a task's evidence, closure and reopening. Figures come from
//! `api::supervision` so the pages and the API agree.

use super::export::{export_page, export_rows, xlsx};
use super::{CsrfForm, FormErrors, OkQuery, PageCtx, flash_key, render, see_other};
use crate::AppState;
use crate::actor::Actor;
use crate::error::{AppError, AppResult};
use crate::http::{path_id, write};
use crate::usecase::stats::YearQuery;
use crate::usecase::supervision::{
    CheckScheduleDto, InspectionQuery, Overview, TaskDetail, TaskQuery, add_evidence,
    check_schedule, close_task, date_of, evidence_response, inspection_tasks, overview, result_of,
    subject_kind, task_detail, today,
};
use crate::views::stats::{pct, pick, show};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Datelike, NaiveDate};
use ipfin_domain::id::{EnterpriseId, OrgId};
use ipfin_domain::supervision::{
    InspectionResult, InspectionStatus, SubjectKind, TaskAction, TaskStatus, can_act,
};
use ipfin_domain::target::Metric;
use ipfin_domain::{FieldError, Lang, Scope};
use ipfin_store::Paged;
use ipfin_store::supervision::{
    Choice, Findings, Inspection, InspectionFilter, NewInspection, NewTask, Subjects, Task,
    TaskFilter,
};
use serde::Deserialize;

/// An inspection line as the pages show it.
pub struct InspectionLine {
    pub id: i64,
    pub district: String,
    pub kind: &'static str,
    pub subject: String,
    pub due_on: NaiveDate,
    pub done_on: Option<NaiveDate>,
    pub status: &'static str,
    pub result: &'static str,
    pub inspectors: String,
    pub overdue: bool,
    pub tasks: i64,
}

fn inspection_line(i: &Inspection, lang: Lang) -> InspectionLine {
    InspectionLine {
        id: i.id,
        district: i.district_code.clone(),
        kind: i.kind().label(lang),
        subject: i.subject_name.clone(),
        due_on: i.due_on,
        done_on: i.done_on,
        status: i.status().label(lang),
        result: i.result().map(|r| r.label(lang)).unwrap_or(""),
        inspectors: i.inspectors.clone(),
        overdue: i.overdue,
        tasks: i.tasks,
    }
}

/// A task line as the pages show it.
pub struct TaskLine {
    pub id: i64,
    pub district: String,
    pub subject: String,
    pub owner: String,
    pub deadline: NaiveDate,
    pub requirement: String,
    pub status: &'static str,
    pub days_overdue: Option<i64>,
    pub closed: bool,
}

fn task_line(t: &Task, lang: Lang) -> TaskLine {
    TaskLine {
        id: t.id,
        district: t.district_code.clone(),
        subject: t.subject_name.clone(),
        owner: t.owner_name.clone(),
        deadline: t.deadline,
        requirement: t.requirement.clone(),
        status: t.status().label(lang),
        days_overdue: t.days_overdue,
        closed: t.status() == TaskStatus::Closed,
    }
}

/// `GET /supervision`: a district's departments go to their district's page, the city to the
/// inspection list, an owner organisation to its tasks.
pub async fn index(actor: Actor) -> Response {
    match &actor.scope {
        Scope::District { code, .. } => {
            Redirect::to(&format!("/supervision/districts/{code}")).into_response()
        }
        Scope::City => Redirect::to("/supervision/inspections").into_response(),
        _ => Redirect::to("/supervision/tasks").into_response(),
    }
}

/// A month of the calendar.
pub struct Month {
    pub label: String,
    pub items: Vec<InspectionLine>,
}

/// A target line of the supervision page.
pub struct PaceLine {
    pub metric: &'static str,
    pub target: String,
    pub actual: String,
    pub completion: String,
    pub pace: String,
    pub lagging: bool,
}

/// The planning form as typed.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct PlanForm {
    pub subject: String,
    pub subject_name: String,
    pub due_on: String,
    pub inspectors: String,
    pub purpose: String,
}

/// The check-schedule form as typed.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct ScheduleForm {
    pub days_after: String,
    /// A ticked box sends `1`.
    pub at_maturity: Option<String>,
}

/// What the district page's forms re-show after an error.
#[derive(Debug, Default)]
struct Entered {
    plan: PlanForm,
    schedule: Option<ScheduleForm>,
}

#[derive(Template)]
#[template(path = "supervision_district.html")]
struct DistrictPage {
    /// The schedule of post-grant checks, and its form (as typed after an error).
    schedule: CheckScheduleDto,
    schedule_form: ScheduleForm,
    ctx: PageCtx,
    o: Overview,
    pace: String,
    targets: Vec<PaceLine>,
    months: Vec<Month>,
    overdue_tasks: Vec<TaskLine>,
    manage: bool,
    subjects: Subjects,
    form: PlanForm,
    errors: FormErrors,
}

async fn district_page(
    state: &AppState,
    actor: &Actor,
    code: &str,
    year: i32,
    entered: Entered,
    errors: FormErrors,
    flash: Option<&str>,
) -> AppResult<Response> {
    let o = overview(state, &actor.scope, code, year).await?;
    let schedule = check_schedule(state, &actor.scope, code).await?;
    let schedule_form = entered.schedule.unwrap_or_else(|| ScheduleForm {
        days_after: schedule
            .days_after
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        at_maturity: schedule.at_maturity.then(|| "1".to_string()),
    });
    let form = entered.plan;
    let lang = actor.lang;
    let all = state
        .store
        .inspections(
            &actor.scope,
            &InspectionFilter {
                district: Some(code.to_string()),
                year: Some(year),
                ..Default::default()
            },
            ipfin_store::Page::new(Some(1), Some(ipfin_store::Page::MAX_PER_PAGE)),
            today(),
        )
        .await?;
    let mut months: Vec<Month> = Vec::new();
    for i in &all.items {
        let d = i.done_on.unwrap_or(i.due_on);
        let label = match lang {
            Lang::Zh => format!("{}年{}月", d.year(), d.month()),
            Lang::En => d.format("%B %Y").to_string(),
        };
        match months.last_mut() {
            Some(m) if m.label == label => m.items.push(inspection_line(i, lang)),
            _ => months.push(Month {
                label,
                items: vec![inspection_line(i, lang)],
            }),
        }
    }
    let overdue_tasks = state
        .store
        .tasks(
            &actor.scope,
            &TaskFilter {
                district: Some(code.to_string()),
                overdue: true,
                ..Default::default()
            },
            ipfin_store::Page::new(Some(1), Some(ipfin_store::Page::MAX_PER_PAGE)),
            today(),
        )
        .await?
        .items
        .iter()
        .map(|t| task_line(t, lang))
        .collect();
    let manage = actor.scope.leads_district(code);
    let subjects = if manage {
        state.store.inspection_subjects(&actor.scope, code).await?
    } else {
        Subjects::default()
    };
    let targets = o
        .targets
        .iter()
        .filter_map(|t| {
            let m = Metric::from_code(&t.metric)?;
            Some(PaceLine {
                metric: m.label(lang),
                target: show(m, t.target, lang),
                actual: show(m, t.actual, lang),
                completion: pct(&t.completion_pct),
                pace: pct(&Some(t.pace_pct)),
                lagging: t.lagging,
            })
        })
        .collect();
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = DistrictPage {
        ctx: PageCtx::new(actor, state, &format!("/supervision/districts/{code}"))
            .with_flash(flash),
        pace: pct(&Some(o.pace_pct)),
        o,
        targets,
        months,
        overdue_tasks,
        manage,
        subjects,
        form,
        schedule,
        schedule_form,
        errors,
    };
    Ok(render(status, &page))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DistrictQuery {
    year: Option<String>,
    ok: Option<String>,
}

/// `GET /supervision/districts/{code}`: the district's supervision page.
pub async fn district(
    State(state): State<AppState>,
    actor: Actor,
    Path(code): Path<String>,
    Query(q): Query<DistrictQuery>,
) -> AppResult<Response> {
    let year = YearQuery { year: q.year }.year()?;
    district_page(
        &state,
        &actor,
        &code,
        year,
        Entered::default(),
        FormErrors::default(),
        flash_key(&q.ok),
    )
    .await
}

fn subject_of(form: &PlanForm) -> AppResult<(SubjectKind, Option<OrgId>, Option<EnterpriseId>)> {
    let (kind, id) = form.subject.split_once(':').unwrap_or((&form.subject, ""));
    let kind = subject_kind(kind).map_err(|_| {
        AppError::invalid(FieldError::new(
            "subject",
            "inspection.subject",
            "请选择检查对象。",
            "Choose what to inspect.",
        ))
    })?;
    let id = id.trim().parse::<i64>().ok();
    Ok(match kind {
        SubjectKind::Enterprise => (kind, None, id.map(EnterpriseId::new)),
        _ => (kind, id.map(OrgId::new), None),
    })
}

/// `POST /supervision/inspections`: plans an inspection (the district's lead officers).
pub async fn plan(
    State(state): State<AppState>,
    actor: Actor,
    form: CsrfForm<PlanForm>,
) -> AppResult<Response> {
    let f = form.data;
    let Scope::District { code, .. } = actor.scope.clone() else {
        return Err(AppError::forbidden());
    };
    let r: AppResult<i64> = async {
        let (kind, org_id, enterprise_id) = subject_of(&f)?;
        let p = NewInspection {
            kind,
            org_id,
            enterprise_id,
            name: Some(f.subject_name.clone()),
            due_on: date_of("due_on", &f.due_on)?,
            inspectors: f.inspectors.clone(),
            purpose: f.purpose.clone(),
        };
        write!(state, actor, |tx| state
            .store
            .plan_inspection(&mut tx, &actor.scope, &p, today())
            .await?)
    }
    .await;
    match r {
        Ok(id) => Ok(see_other(
            &format!("/supervision/inspections/{id}"),
            "created",
        )),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let errors = FormErrors::from_error(&e, actor.lang);
            let entered = Entered {
                plan: f,
                schedule: None,
            };
            district_page(&state, &actor, &code, today().year(), entered, errors, None).await
        }
        Err(e) => Err(e),
    }
}

/// `POST /supervision/districts/{code}/check-schedule` (`days_after`, `at_maturity`): the city
/// administrator or the lead department sets the schedule of post-grant checks.
pub async fn set_check_schedule(
    State(state): State<AppState>,
    actor: Actor,
    Path(code): Path<String>,
    form: CsrfForm<ScheduleForm>,
) -> AppResult<Response> {
    let f = form.data;
    let r = crate::usecase::supervision::set_check_schedule(
        &state,
        &actor,
        &code,
        &f.days_after,
        f.at_maturity.is_some(),
    )
    .await;
    match r {
        Ok(_) => Ok(see_other(
            &format!("/supervision/districts/{code}"),
            "updated",
        )),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let errors = FormErrors::from_error(&e, actor.lang);
            let entered = Entered {
                plan: PlanForm::default(),
                schedule: Some(f),
            };
            district_page(&state, &actor, &code, today().year(), entered, errors, None).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "inspections.html")]
struct ListPage {
    ctx: PageCtx,
    list: Paged<InspectionLine>,
    q: InspectionQuery,
    statuses: Vec<(&'static str, &'static str)>,
    show_district: bool,
    export_link: String,
    prev: Option<String>,
    next: Option<String>,
}

impl ListPage {
    fn sel(&self, v: &Option<String>, code: &str) -> bool {
        v.as_deref() == Some(code)
    }
}

fn map_page<T, U>(p: Paged<T>, f: impl Fn(&T) -> U) -> Paged<U> {
    Paged {
        items: p.items.iter().map(f).collect(),
        total: p.total,
        capped: p.capped,
        page: p.page,
        per_page: p.per_page,
    }
}

/// The links to a list's previous and next pages, keeping its filters (`qs`).
fn pager<T>(base: &str, qs: &str, list: &Paged<T>) -> (Option<String>, Option<String>) {
    let link = |page: u64| format!("{base}?{qs}&page={page}");
    let prev = (list.page > 1).then(|| link(list.page - 1));
    let next = (list.page < list.pages()).then(|| link(list.page + 1));
    (prev, next)
}

/// `GET /supervision/inspections`: inspections with filters and paging.
pub async fn inspections(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<InspectionQuery>,
) -> AppResult<Response> {
    let list = state
        .store
        .inspections(&actor.scope, &q.filter()?, q.page(), today())
        .await?;
    let qs = q.query_string();
    let base = "/supervision/inspections";
    let (prev, next) = pager(base, &qs, &list);
    let lang = actor.lang;
    let page = ListPage {
        ctx: PageCtx::new(&actor, &state, base),
        list: map_page(list, |i| inspection_line(i, lang)),
        statuses: InspectionStatus::ALL
            .iter()
            .map(|s| (s.code(), s.label(lang)))
            .collect(),
        show_district: actor.scope.is_city(),
        export_link: format!("/supervision/inspections/export.xlsx?{qs}"),
        q,
        prev,
        next,
    };
    Ok(render(StatusCode::OK, &page))
}

fn yes(b: bool, lang: Lang) -> String {
    if b {
        pick(lang, "是", "yes").to_string()
    } else {
        String::new()
    }
}

/// `GET /supervision/inspections/export.xlsx`: the list's inspections (same filters).
pub async fn inspections_xlsx(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<InspectionQuery>,
) -> AppResult<Response> {
    let f = q.filter()?;
    let items = export_rows(
        state
            .store
            .inspections(&actor.scope, &f, export_page(), today())
            .await?,
    )?;
    let lang = actor.lang;
    let t = crate::i18n::T(lang);
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|i| {
            vec![
                i.id.to_string(),
                i.district_code.clone(),
                i.kind().label(lang).to_string(),
                i.subject_name.clone(),
                i.due_on.to_string(),
                i.inspectors.clone(),
                i.purpose.clone(),
                i.status().label(lang).to_string(),
                yes(i.overdue, lang),
                i.done_on.map(|d| d.to_string()).unwrap_or_default(),
                i.result().map(|r| r.label(lang)).unwrap_or("").to_string(),
                i.findings.clone().unwrap_or_default(),
                i.tasks.to_string(),
            ]
        })
        .collect();
    let headers = [
        "ID",
        t.s("district.name"),
        t.s("sup.subject_kind"),
        t.s("sup.subject"),
        t.s("sup.due_on"),
        t.s("sup.inspectors"),
        t.s("sup.purpose"),
        t.s("common.status"),
        t.s("sup.overdue"),
        t.s("sup.done_on"),
        t.s("sup.result"),
        t.s("sup.findings"),
        t.s("sup.tasks"),
    ];
    xlsx(t.s("sup.inspections"), &headers, &rows, "inspections.xlsx")
}

#[derive(Template)]
#[template(path = "inspection.html")]
struct InspectionPage {
    ctx: PageCtx,
    i: InspectionLine,
    purpose: String,
    findings: String,
    tasks: Vec<TaskLine>,
    can_record: bool,
    can_task: bool,
    results: Vec<(&'static str, &'static str)>,
    owners: Vec<Choice>,
    form: std::collections::HashMap<String, String>,
    errors: FormErrors,
}

impl InspectionPage {
    fn val(&self, k: &str) -> &str {
        self.form.get(k).map(String::as_str).unwrap_or("")
    }
}

async fn inspection_page(
    state: &AppState,
    actor: &Actor,
    id: i64,
    form: std::collections::HashMap<String, String>,
    errors: FormErrors,
    status: StatusCode,
    flash: Option<&str>,
) -> AppResult<Response> {
    let i = state.store.inspection(&actor.scope, id, today()).await?;
    let lang = actor.lang;
    let manage = actor.scope.leads_district(&i.district_code);
    let tasks = inspection_tasks(state, &actor.scope, id)
        .await?
        .iter()
        .map(|t| task_line(t, lang))
        .collect();
    let can_record = manage && i.status() == InspectionStatus::Planned;
    let can_task = manage && i.result() == Some(InspectionResult::IssuesFound);
    let owners = if can_task {
        state.store.task_owner_choices(&actor.scope, id).await?
    } else {
        Vec::new()
    };
    let page = InspectionPage {
        ctx: PageCtx::new(actor, state, "/supervision/inspections").with_flash(flash),
        purpose: i.purpose.clone(),
        findings: i.findings.clone().unwrap_or_default(),
        i: inspection_line(&i, lang),
        tasks,
        can_record,
        can_task,
        results: InspectionResult::ALL
            .iter()
            .map(|r| (r.code(), r.label(lang)))
            .collect(),
        owners,
        form,
        errors,
    };
    Ok(render(status, &page))
}

/// `GET /supervision/inspections/{inspection_id}`.
pub async fn inspection(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Query(q): Query<OkQuery>,
) -> AppResult<Response> {
    inspection_page(
        &state,
        &actor,
        path_id(&id)?,
        Default::default(),
        FormErrors::default(),
        StatusCode::OK,
        flash_key(&q.ok),
    )
    .await
}

/// After a POST on an inspection: back to its page, or the page with the error inline.
async fn after_inspection(
    state: &AppState,
    actor: &Actor,
    id: i64,
    r: AppResult<()>,
    form: std::collections::HashMap<String, String>,
) -> AppResult<Response> {
    match r {
        Ok(()) => Ok(see_other(
            &format!("/supervision/inspections/{id}"),
            "updated",
        )),
        Err(e)
            if matches!(
                e.status,
                StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT
            ) =>
        {
            let errors = FormErrors::from_error(&e, actor.lang);
            inspection_page(state, actor, id, form, errors, e.status, None).await
        }
        Err(e) => Err(e),
    }
}

fn get(form: &std::collections::HashMap<String, String>, k: &str) -> String {
    form.get(k)
        .map(|v| v.trim().to_string())
        .unwrap_or_default()
}

/// `POST /supervision/inspections/{inspection_id}/findings`.
pub async fn record(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    form: CsrfForm<std::collections::HashMap<String, String>>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    state.store.inspection(&actor.scope, id, today()).await?;
    let f = form.data;
    let r: AppResult<()> = async {
        let findings = Findings {
            done_on: date_of("done_on", &get(&f, "done_on"))?,
            findings: get(&f, "findings"),
            result: result_of(&get(&f, "result"))?,
        };
        write!(state, actor, |tx| state
            .store
            .record_findings(&mut tx, &actor.scope, id, &findings, today())
            .await?)
    }
    .await;
    after_inspection(&state, &actor, id, r, f).await
}

/// `POST /supervision/inspections/{inspection_id}/tasks`.
pub async fn add_task(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    form: CsrfForm<std::collections::HashMap<String, String>>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    state.store.inspection(&actor.scope, id, today()).await?;
    let f = form.data;
    let r: AppResult<()> = async {
        let t = NewTask {
            owner_org_id: get(&f, "owner_org_id").parse().map_err(|_| {
                AppError::invalid(FieldError::new(
                    "owner_org_id",
                    "rectification.owner",
                    "请选择整改责任单位。",
                    "Choose the owner.",
                ))
            })?,
            deadline: date_of("deadline", &get(&f, "deadline"))?,
            requirement: get(&f, "requirement"),
        };
        write!(state, actor, |tx| {
            state
                .store
                .create_task(&mut tx, &actor.scope, id, &t, today())
                .await?;
        })
    }
    .await;
    after_inspection(&state, &actor, id, r, f).await
}

#[derive(Template)]
#[template(path = "supervision_tasks.html")]
struct TasksPage {
    ctx: PageCtx,
    list: Paged<TaskLine>,
    q: TaskQuery,
    statuses: Vec<(&'static str, &'static str)>,
    show_district: bool,
    export_link: String,
    prev: Option<String>,
    next: Option<String>,
}

impl TasksPage {
    fn sel(&self, v: &Option<String>, code: &str) -> bool {
        v.as_deref() == Some(code)
    }
}

/// `GET /supervision/tasks`: the tasks in scope with filters and paging.
pub async fn tasks(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<TaskQuery>,
) -> AppResult<Response> {
    let list = state
        .store
        .tasks(&actor.scope, &q.filter()?, q.page(), today())
        .await?;
    let qs = q.query_string();
    let base = "/supervision/tasks";
    let (prev, next) = pager(base, &qs, &list);
    let lang = actor.lang;
    let page = TasksPage {
        ctx: PageCtx::new(&actor, &state, base),
        list: map_page(list, |t| task_line(t, lang)),
        statuses: TaskStatus::ALL
            .iter()
            .map(|s| (s.code(), s.label(lang)))
            .collect(),
        show_district: actor.scope.is_city(),
        export_link: format!("/supervision/tasks/export.xlsx?{qs}"),
        q,
        prev,
        next,
    };
    Ok(render(StatusCode::OK, &page))
}

/// `GET /supervision/tasks/export.xlsx`: the list's tasks (same filters).
pub async fn tasks_xlsx(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<TaskQuery>,
) -> AppResult<Response> {
    let f = q.filter()?;
    let items = export_rows(
        state
            .store
            .tasks(&actor.scope, &f, export_page(), today())
            .await?,
    )?;
    let lang = actor.lang;
    let t = crate::i18n::T(lang);
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|x| {
            vec![
                x.id.to_string(),
                x.district_code.clone(),
                x.subject_name.clone(),
                x.owner_name.clone(),
                x.requirement.clone(),
                ipfin_domain::format::date(x.deadline, lang),
                x.status().label(lang).to_string(),
                x.days_overdue.map(|d| d.to_string()).unwrap_or_default(),
                x.close_note.clone().unwrap_or_default(),
            ]
        })
        .collect();
    let headers = [
        "ID",
        t.s("district.name"),
        t.s("sup.subject"),
        t.s("sup.owner"),
        t.s("sup.requirement"),
        t.s("sup.deadline"),
        t.s("common.status"),
        t.s("sup.days_overdue"),
        t.s("sup.close_note"),
    ];
    xlsx(
        t.s("sup.tasks"),
        &headers,
        &rows,
        "rectification-tasks.xlsx",
    )
}

#[derive(Template)]
#[template(path = "supervision_task.html")]
struct TaskPage {
    ctx: PageCtx,
    t: TaskLine,
    d: TaskDetail,
    manage: bool,
    can_respond: bool,
    can_close: bool,
    can_reopen: bool,
    form: std::collections::HashMap<String, String>,
    errors: FormErrors,
}

impl TaskPage {
    fn val(&self, k: &str) -> &str {
        self.form.get(k).map(String::as_str).unwrap_or("")
    }
    fn action_label(&self, code: &str) -> &'static str {
        ipfin_domain::supervision::TaskAction::from_code(code)
            .map(|a| a.label(self.ctx.lang))
            .unwrap_or_else(|| pick(self.ctx.lang, "下达整改任务", "Raised"))
    }
    fn status_label(&self, code: &str) -> &'static str {
        TaskStatus::from_code(code)
            .map(|s| s.label(self.ctx.lang))
            .unwrap_or("")
    }
}

async fn task_page(
    state: &AppState,
    actor: &Actor,
    id: i64,
    form: std::collections::HashMap<String, String>,
    errors: FormErrors,
    status: StatusCode,
    flash: Option<&str>,
) -> AppResult<Response> {
    let d = task_detail(state, &actor.scope, id).await?;
    let s = d.task.status();
    let manage = actor.scope.leads_district(&d.task.district_code);
    let can = |action| {
        can_act(
            &actor.scope,
            actor.organisation_id(),
            &d.task.district_code,
            d.task.owner_org_id,
            s,
            action,
        )
    };
    let page = TaskPage {
        ctx: PageCtx::new(actor, state, "/supervision/tasks").with_flash(flash),
        t: task_line(&d.task, actor.lang),
        can_respond: can(TaskAction::SubmitEvidence),
        can_close: can(TaskAction::Close),
        can_reopen: can(TaskAction::Reopen),
        manage,
        d,
        form,
        errors,
    };
    Ok(render(status, &page))
}

/// `GET /supervision/tasks/{task_id}`.
pub async fn task(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Query(q): Query<OkQuery>,
) -> AppResult<Response> {
    task_page(
        &state,
        &actor,
        path_id(&id)?,
        Default::default(),
        FormErrors::default(),
        StatusCode::OK,
        flash_key(&q.ok),
    )
    .await
}

async fn after_task(
    state: &AppState,
    actor: &Actor,
    id: i64,
    r: AppResult<()>,
    form: std::collections::HashMap<String, String>,
    flash: &str,
) -> AppResult<Response> {
    match r {
        Ok(()) => Ok(see_other(&format!("/supervision/tasks/{id}"), flash)),
        Err(e)
            if matches!(
                e.status,
                StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT | StatusCode::FORBIDDEN
            ) =>
        {
            let errors = FormErrors::from_error(&e, actor.lang);
            task_page(state, actor, id, form, errors, e.status, None).await
        }
        Err(e) => Err(e),
    }
}

/// `POST /supervision/tasks/{task_id}/evidence` (multipart: `_csrf`, `note`, `file`): the owner
/// organisation submits its evidence.
pub async fn submit_evidence(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    headers: HeaderMap,
    req: axum::extract::Request,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    state.store.task(&actor.scope, id, today()).await?;
    let (fields, file) = super::application::read_form(&actor, &headers, req).await?;
    let note = get(&fields, "note");
    let r = add_evidence(&state, &actor, id, &note, &file)
        .await
        .map(|_| ());
    after_task(&state, &actor, id, r, fields, "submitted").await
}

/// `POST /supervision/tasks/{task_id}/close` (multipart: `_csrf`, `note`, `confirm`, and a
/// `file` unless the owner submitted evidence): the lead officer closes the task.
pub async fn close(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    headers: HeaderMap,
    req: axum::extract::Request,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    state.store.task(&actor.scope, id, today()).await?;
    let (fields, file) = super::application::read_form(&actor, &headers, req).await?;
    let note = get(&fields, "note");
    let confirmed = get(&fields, "confirm") == "yes";
    let r = close_task(&state, &actor, id, &note, &file, confirmed).await;
    after_task(&state, &actor, id, r, fields, "updated").await
}

/// `POST /supervision/tasks/{task_id}/reopen` (`reason`).
pub async fn reopen(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    form: CsrfForm<std::collections::HashMap<String, String>>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    state.store.task(&actor.scope, id, today()).await?;
    let f = form.data;
    let reason = get(&f, "reason");
    let r = write!(state, actor, |tx| {
        state
            .store
            .reopen_task(&mut tx, &actor.scope, id, &reason, today())
            .await?;
    });
    after_task(&state, &actor, id, r, f, "updated").await
}

/// `GET /supervision/tasks/{task_id}/evidence/{evidence_id}`: an evidence file (download).
pub async fn evidence_file(
    State(state): State<AppState>,
    actor: Actor,
    Path((id, eid)): Path<(String, String)>,
) -> AppResult<Response> {
    evidence_response(&state, &actor.scope, &id, &eid).await
}
