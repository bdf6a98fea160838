//! Quarterly working meetings in the browser (SPEC §1 R1.2; issue #8 item 2): the list, the
//! scheduling form, the meeting page (invitations, attendance, work reports with attachments,
//! tracked issues, minutes) with its .docx export, and "my tracked items".

use super::application::read_form;
use super::export::Cell;
use super::{
    CsrfForm, FormErrors, OkQuery, PageCtx, after_post, flash_key, render, require_confirm,
    see_other,
};
use crate::AppState;
use crate::actor::Actor;
use crate::docx::{DocBuilder, Span};
use crate::error::{AppError, AppResult};
use crate::http::file_response_as;
use crate::http::{path_id, write};
use crate::usecase::meeting::{date_field, move_issue, status_param};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ipfin_domain::id::OrgId;
use ipfin_domain::meeting::{IssueStatus, MeetingStatus};
use ipfin_domain::stats::Quarter;
use ipfin_domain::{Lang, OrgKind};
use ipfin_store::application::FileRow;
use ipfin_store::meeting::{
    Attendance, Candidate, Issue, Meeting, MeetingFilter, MeetingSummary, NewIssue, NewMeeting,
    next_statuses,
};
use ipfin_store::{Page, Paged};
use serde::Deserialize;
use std::collections::HashMap;

/// The largest report attachment upload (the file limit plus room for the form).
pub const MAX_UPLOAD_BYTES: usize = ipfin_domain::application::files::MAX_FILE_BYTES + 1024 * 1024;

fn meeting_status(code: &str, lang: Lang) -> &'static str {
    MeetingStatus::from_code(code)
        .map(|s| s.label(lang))
        .unwrap_or("")
}

fn issue_status(code: &str, lang: Lang) -> &'static str {
    IssueStatus::from_code(code)
        .map(|s| s.label(lang))
        .unwrap_or("")
}

fn kind_label(code: &str, lang: Lang) -> &'static str {
    OrgKind::from_code(code)
        .map(|k| k.label(lang))
        .unwrap_or("")
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    district: Option<String>,
    quarter: Option<String>,
    page: Option<String>,
    ok: Option<String>,
}

#[derive(Template)]
#[template(path = "meetings.html")]
struct ListPage {
    ctx: PageCtx,
    list: Paged<MeetingSummary>,
    district: String,
    quarter: String,
    is_city: bool,
    can_create: bool,
    errors: FormErrors,
}

impl ListPage {
    fn status(&self, code: &str) -> &'static str {
        meeting_status(code, self.ctx.lang)
    }
    fn export_link(&self) -> String {
        format!(
            "/meetings/export.xlsx?district={}&quarter={}",
            crate::http::urlencode(&self.district),
            crate::http::urlencode(&self.quarter)
        )
    }
    fn page_link(&self, page: u64) -> String {
        format!(
            "/meetings?district={}&quarter={}&page={page}",
            crate::http::urlencode(&self.district),
            crate::http::urlencode(&self.quarter)
        )
    }
}

/// `GET /meetings`: the meetings in scope, filtered by district (the city) and quarter.
pub async fn list(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let ctx = PageCtx::new(&actor, &state, "/meetings").with_flash(flash_key(&q.ok));
    let district = q.district.clone().unwrap_or_default().trim().to_string();
    let quarter = q.quarter.clone().unwrap_or_default().trim().to_string();
    let filter = MeetingFilter {
        district: Some(district.clone()),
        quarter: Some(quarter.clone()),
    };
    let page = Page::new(q.page.as_deref().and_then(|p| p.parse().ok()), None);
    let (list, errors) = match state.store.meetings(&actor.scope, &filter, page).await {
        Ok(l) => (l, FormErrors::default()),
        Err(e) => {
            let e = AppError::from(e);
            if e.status != StatusCode::UNPROCESSABLE_ENTITY {
                return Err(e);
            }
            let empty = state
                .store
                .meetings(&actor.scope, &MeetingFilter::default(), page)
                .await?;
            (empty, FormErrors::from_error(&e, actor.lang))
        }
    };
    let page = ListPage {
        ctx,
        list,
        district,
        quarter,
        is_city: actor.scope.is_city(),
        can_create: actor.scope.lead_district().is_some(),
        errors,
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MeetingForm {
    quarter: String,
    date: String,
    title: String,
    place: String,
    online_link: String,
    agenda: String,
    confirm_past: Option<String>,
}

#[derive(Template)]
#[template(path = "meeting_new.html")]
struct NewPage {
    ctx: PageCtx,
    form: MeetingForm,
    errors: FormErrors,
}

/// `GET /meetings/new`: the scheduling form (lead officers).
pub async fn new_page(State(state): State<AppState>, actor: Actor) -> AppResult<Response> {
    let form = MeetingForm {
        quarter: Quarter::of(ipfin_store::today_shanghai()).to_string(),
        ..Default::default()
    };
    let page = NewPage {
        ctx: PageCtx::new(&actor, &state, "/meetings"),
        form,
        errors: FormErrors::default(),
    };
    Ok(render(StatusCode::OK, &page))
}

/// `POST /meetings`: schedules a meeting; bad input shows the form again with the error.
pub async fn create(
    State(state): State<AppState>,
    actor: Actor,
    form: CsrfForm<MeetingForm>,
) -> AppResult<Response> {
    let f = form.data;
    let opt = |s: &str| Some(s.to_string()).filter(|s| !s.trim().is_empty());
    let r: AppResult<i64> = async {
        let input = NewMeeting {
            quarter: f.quarter.clone(),
            date: date_field("date", Some(&f.date))?,
            title: opt(&f.title),
            place: opt(&f.place),
            online_link: opt(&f.online_link),
            agenda: f.agenda.clone(),
            confirm_past: f.confirm_past.as_deref() == Some("yes"),
        };
        let today = ipfin_store::today_shanghai();
        write!(state, actor, |tx| state
            .store
            .create_meeting(&mut tx, &actor.scope, actor.organisation_id(), input, today)
            .await?)
    }
    .await;
    match r {
        Ok(id) => Ok(see_other(&format!("/meetings/{id}"), "created")),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let page = NewPage {
                ctx: PageCtx::new(&actor, &state, "/meetings"),
                errors: FormErrors::from_error(&e, actor.lang),
                form: f,
            };
            Ok(render(e.status, &page))
        }
        Err(e) => Err(e),
    }
}

/// One issue with the statuses the viewer may move it to.
pub struct IssueLine {
    pub issue: Issue,
    pub next: Vec<(&'static str, &'static str)>,
}

fn issue_lines(actor: &Actor, issues: Vec<Issue>) -> Vec<IssueLine> {
    issues
        .into_iter()
        .map(|i| IssueLine {
            next: next_statuses(&actor.scope, actor.organisation_id(), &i)
                .into_iter()
                .map(|s| (s.code(), s.label(actor.lang)))
                .collect(),
            issue: i,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "meeting.html")]
struct DetailPage {
    ctx: PageCtx,
    m: Meeting,
    issues: Vec<IssueLine>,
    /// Organisations that may still be invited (lead officers).
    candidates: Vec<Candidate>,
    /// Possible owners of a new issue: the invited units and the convening department.
    owners: Vec<(i64, String)>,
    /// The caller's own current report text (prefills the form).
    my_report: String,
    open: bool,
    /// Where a status change from this page returns to.
    issue_back: &'static str,
    errors: FormErrors,
    /// The minutes form as typed, when it came back with an error.
    minutes_form: Option<MinutesForm>,
}

impl DetailPage {
    /// The minutes form's values: as typed after an error, else as stored.
    fn minutes_text(&self) -> String {
        match &self.minutes_form {
            Some(f) => f.minutes.clone(),
            None => self.m.minutes.clone().unwrap_or_default(),
        }
    }
    fn chair(&self) -> String {
        match &self.minutes_form {
            Some(f) => f.chair.clone(),
            None => self.m.chair.clone().unwrap_or_default(),
        }
    }
    fn recorder(&self) -> String {
        match &self.minutes_form {
            Some(f) => f.recorder.clone(),
            None => self.m.recorder.clone().unwrap_or_default(),
        }
    }
    fn status(&self, code: &str) -> &'static str {
        meeting_status(code, self.ctx.lang)
    }
    fn issue_status(&self, code: &str) -> &'static str {
        issue_status(code, self.ctx.lang)
    }
    fn kind(&self, code: &str) -> &'static str {
        kind_label(code, self.ctx.lang)
    }
    fn size(&self, bytes: &i64) -> String {
        format!("{:.1} KB", *bytes as f64 / 1024.0)
    }
}

async fn detail_page(
    state: &AppState,
    actor: &Actor,
    id: i64,
    errors: FormErrors,
    flash: Option<&str>,
) -> AppResult<DetailPage> {
    let m = state
        .store
        .meeting(&actor.scope, actor.organisation_id(), id)
        .await?;
    let candidates = if m.can_manage {
        state
            .store
            .invite_candidates(&actor.scope, &m.district_code)
            .await?
            .into_iter()
            .filter(|c| !m.invitations.iter().any(|i| i.organisation_id == c.id))
            .collect()
    } else {
        Vec::new()
    };
    let mut owners: Vec<(i64, String)> = Vec::new();
    if let (Some(id), Some(name)) = (m.convener_org_id, m.convener.clone()) {
        owners.push((id, name));
    }
    for i in &m.invitations {
        if !owners.iter().any(|(o, _)| i.organisation_id == *o) {
            owners.push((i.organisation_id.get(), i.org_name.clone()));
        }
    }
    let my_report = m
        .reports
        .iter()
        .find(|r| Some(r.organisation_id) == actor.organisation_id())
        .map(|r| r.text.clone())
        .unwrap_or_default();
    let issues = issue_lines(actor, m.issues.clone());
    Ok(DetailPage {
        ctx: PageCtx::new(actor, state, "/meetings").with_flash(flash),
        open: m.minutes_published_at.is_none(),
        m,
        issues,
        candidates,
        owners,
        my_report,
        issue_back: "meeting",
        errors,
        minutes_form: None,
    })
}

/// `GET /meetings/{meeting_id}`.
pub async fn detail(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Query(q): Query<OkQuery>,
) -> AppResult<Response> {
    let p = detail_page(
        &state,
        &actor,
        path_id(&id)?,
        FormErrors::default(),
        flash_key(&q.ok),
    )
    .await?;
    Ok(render(StatusCode::OK, &p))
}

/// After a change from the meeting page: back to it, or the page again with the error.
async fn after(
    state: &AppState,
    actor: &Actor,
    id: i64,
    r: AppResult<()>,
    flash: &str,
) -> AppResult<Response> {
    let to = format!("/meetings/{id}");
    after_post(r, &to, flash, actor.lang, |errors| {
        detail_page(state, actor, id, errors, None)
    })
    .await
}

/// The meeting, checked visible before a form is read.
async fn visible(state: &AppState, actor: &Actor, id: &str) -> AppResult<i64> {
    let id = path_id(id)?;
    state
        .store
        .meeting(&actor.scope, actor.organisation_id(), id)
        .await?;
    Ok(id)
}

/// `POST /meetings/{meeting_id}/invitations` (checkboxes `organisation`).
pub async fn invite(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    form: CsrfForm<HashMap<String, String>>,
) -> AppResult<Response> {
    let id = visible(&state, &actor, &id).await?;
    let orgs: Vec<OrgId> = form
        .all("organisation")
        .iter()
        .filter_map(|v| v.parse().ok())
        .collect();
    let r = write!(state, actor, |tx| state
        .store
        .invite(&mut tx, &actor.scope, id, &orgs)
        .await?)
    .map(|_| ());
    after(&state, &actor, id, r, "updated").await
}

/// `POST /meetings/{meeting_id}/attendance` (checkboxes `attended` with organisation ids,
/// `attendees_{id}` names).
pub async fn attendance(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    form: CsrfForm<HashMap<String, String>>,
) -> AppResult<Response> {
    let id = visible(&state, &actor, &id).await?;
    let attended: Vec<OrgId> = form
        .all("attended")
        .iter()
        .filter_map(|v| v.parse().ok())
        .collect();
    let m = state
        .store
        .meeting(&actor.scope, actor.organisation_id(), id)
        .await?;
    let lines: Vec<Attendance> = m
        .invitations
        .iter()
        .map(|i| Attendance {
            organisation_id: i.organisation_id,
            attended: attended.contains(&i.organisation_id),
            attendees: form
                .data
                .get(&format!("attendees_{}", i.organisation_id))
                .cloned(),
        })
        .collect();
    let today = ipfin_store::today_shanghai();
    let r = write!(state, actor, |tx| state
        .store
        .record_attendance(&mut tx, &actor.scope, id, &lines, today)
        .await?);
    after(&state, &actor, id, r, "updated").await
}

/// `POST /meetings/{meeting_id}/reports` (multipart: `_csrf`, `text`, optional `file`).
pub async fn report(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    headers: HeaderMap,
    req: axum::extract::Request,
) -> AppResult<Response> {
    let id = visible(&state, &actor, &id).await?;
    let (fields, file) = read_form(&actor, &headers, req).await?;
    let text = fields.get("text").cloned().unwrap_or_default();
    let r = write!(state, actor, |tx| state
        .store
        .submit_report(
            &mut tx,
            &actor.scope,
            actor.organisation_id(),
            id,
            &text,
            file.clone()
        )
        .await?)
    .map(|_| ());
    after(&state, &actor, id, r, "submitted").await
}

/// `GET /meetings/{meeting_id}/files/{report_file_id}`: an attachment the caller may see.
pub async fn download(
    State(state): State<AppState>,
    actor: Actor,
    Path((id, fid)): Path<(String, String)>,
) -> AppResult<Response> {
    let (f, bytes) = state
        .store
        .report_file(
            &actor.scope,
            actor.organisation_id(),
            path_id(&id)?,
            path_id(&fid)?,
        )
        .await?;
    let row = FileRow {
        id: f.id,
        slot: "meeting_report".into(),
        blob_key: f.blob_key,
        file_name: f.file_name,
        file_type: f.file_type,
        size: f.size,
        uploaded_at: f.uploaded_at,
    };
    Ok(file_response_as(&row, bytes, false))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct IssueForm {
    title: String,
    detail: String,
    owner_org_id: String,
    due_on: String,
}

/// `POST /meetings/{meeting_id}/issues`.
pub async fn raise(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    form: CsrfForm<IssueForm>,
) -> AppResult<Response> {
    let id = visible(&state, &actor, &id).await?;
    let f = form.data;
    let r: AppResult<()> = async {
        let input = NewIssue {
            title: f.title.clone(),
            detail: Some(f.detail.clone()),
            owner_org_id: f.owner_org_id.trim().parse().unwrap_or(OrgId::new(0)),
            due_on: date_field("due_on", Some(&f.due_on))?,
        };
        write!(state, actor, |tx| state
            .store
            .raise_issue(&mut tx, &actor.scope, id, input)
            .await?)
        .map(|_| ())
    }
    .await;
    after(&state, &actor, id, r, "created").await
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct MinutesForm {
    minutes: String,
    /// 主持 and 记录 of the 会议纪要 (optional).
    chair: String,
    recorder: String,
    confirm: Option<String>,
}

/// `POST /meetings/{meeting_id}/minutes`: saves the draft with who chaired the meeting and who
/// took the record; after an error the form shows what was typed.
pub async fn minutes(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    form: CsrfForm<MinutesForm>,
) -> AppResult<Response> {
    let id = visible(&state, &actor, &id).await?;
    let f = form.data;
    let r = write!(state, actor, |tx| {
        state
            .store
            .set_minutes_roles(&mut tx, &actor.scope, id, Some(&f.chair), Some(&f.recorder))
            .await?;
        state
            .store
            .save_minutes(&mut tx, &actor.scope, id, &f.minutes)
            .await?
    });
    let to = format!("/meetings/{id}");
    after_post(r, &to, "updated", actor.lang, |errors| async {
        let mut page = detail_page(&state, &actor, id, errors, None).await?;
        page.minutes_form = Some(f.clone());
        Ok(page)
    })
    .await
}

/// `POST /meetings/{meeting_id}/minutes/publish`: irreversible, with the confirmation box.
pub async fn publish(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    form: CsrfForm<MinutesForm>,
) -> AppResult<Response> {
    let id = visible(&state, &actor, &id).await?;
    let r: AppResult<()> = async {
        // The store refuses a missing confirmation too; the page names the checkbox.
        require_confirm(&form.data.confirm).map_err(AppError::invalid)?;
        write!(state, actor, |tx| state
            .store
            .publish_minutes(&mut tx, &actor.scope, id, true)
            .await?)
        .map(|_| ())
    }
    .await;
    after(&state, &actor, id, r, "submitted").await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StatusForm {
    status: String,
    note: String,
    back: String,
}

/// `POST /meeting-issues/{issue_id}/status`: from the meeting page (`back=meeting`) or the
/// list of tracked items.
pub async fn set_status(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    form: CsrfForm<StatusForm>,
) -> AppResult<Response> {
    let iid = path_id(&id)?;
    let issue = state.store.issue(&actor.scope, iid).await?;
    let f = form.data;
    let r = move_issue(&state, &actor, iid, &f.status, Some(f.note.clone())).await;
    if f.back == "meeting" {
        return after(&state, &actor, issue.meeting_id, r, "updated").await;
    }
    match r {
        Ok(()) => Ok(see_other("/meeting-issues", "updated")),
        Err(e)
            if matches!(
                e.status,
                StatusCode::UNPROCESSABLE_ENTITY | StatusCode::FORBIDDEN
            ) =>
        {
            let status = e.status;
            let p = issues_page(
                &state,
                &actor,
                &IssuesQuery::default(),
                FormErrors::from_error(&e, actor.lang),
            )
            .await?;
            Ok(render(status, &p))
        }
        Err(e) => Err(e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct IssuesQuery {
    status: Option<String>,
    /// `all`: the whole district's (or the city's) items instead of the caller's own.
    scope: Option<String>,
    ok: Option<String>,
}

#[derive(Template)]
#[template(path = "meeting_issues.html")]
struct IssuesPage {
    ctx: PageCtx,
    issues: Vec<IssueLine>,
    status: String,
    all: bool,
    /// The district and the city may widen the list to every item they see.
    can_widen: bool,
    statuses: Vec<(&'static str, &'static str)>,
    issue_back: &'static str,
    errors: FormErrors,
}

impl IssuesPage {
    fn issue_status(&self, code: &str) -> &'static str {
        issue_status(code, self.ctx.lang)
    }
}

async fn issues_page(
    state: &AppState,
    actor: &Actor,
    q: &IssuesQuery,
    errors: FormErrors,
) -> AppResult<IssuesPage> {
    let status = q.status.clone().unwrap_or_default();
    let filter = match status.trim() {
        "" => None,
        s => Some(status_param(s)?),
    };
    let can_widen = actor.scope.is_government();
    // The city has no items of its own: it sees every district's.
    let all = actor.scope.is_city() || (can_widen && q.scope.as_deref() == Some("all"));
    let issues = state
        .store
        .issues(&actor.scope, actor.organisation_id(), filter, !all)
        .await?;
    Ok(IssuesPage {
        ctx: PageCtx::new(actor, state, "/meeting-issues").with_flash(flash_key(&q.ok)),
        issues: issue_lines(actor, issues),
        status,
        all,
        can_widen,
        statuses: IssueStatus::ALL
            .iter()
            .map(|s| (s.code(), s.label(actor.lang)))
            .collect(),
        issue_back: "list",
        errors,
    })
}

/// `GET /meeting-issues`: "my tracked items" — the issues the caller's organisation owns; the
/// district and the city may list all they see (`?scope=all`), by status.
pub async fn issues(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<IssuesQuery>,
) -> AppResult<Response> {
    let p = issues_page(&state, &actor, &q, FormErrors::default()).await?;
    Ok(render(StatusCode::OK, &p))
}

/// `GET /meeting-issues/export.xlsx`: the tracked items of the list view (same filters).
pub async fn issues_xlsx(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<IssuesQuery>,
) -> AppResult<Response> {
    let p = issues_page(&state, &actor, &q, FormErrors::default()).await?;
    let t = p.ctx.t;
    let headers = [
        t.s("meeting.district"),
        t.s("meeting.quarter"),
        t.s("meeting.meeting"),
        t.s("meeting.issue_title"),
        t.s("meeting.issue_detail"),
        t.s("meeting.owner"),
        t.s("meeting.due_on"),
        t.s("common.status"),
        t.s("meeting.note"),
    ];
    let rows: Vec<Vec<Cell>> = p
        .issues
        .iter()
        .map(|l| {
            let x = &l.issue;
            vec![
                Cell::text(x.district_name.clone()),
                Cell::text(x.quarter.clone()),
                Cell::text(x.meeting_title.clone()),
                Cell::text(x.title.clone()),
                Cell::text(x.detail.clone().unwrap_or_default()),
                Cell::text(x.owner_name.clone()),
                Cell::Date(x.due_on),
                Cell::text(issue_status(&x.status, actor.lang)),
                Cell::text(x.resolution_note.clone().unwrap_or_default()),
            ]
        })
        .collect();
    super::export::typed_xlsx(
        t.s("nav.meeting_issues"),
        &headers,
        &rows,
        "meeting-issues.xlsx",
    )
}

/// `GET /meetings/export.xlsx`: the meetings of the list view (same filters), all of them up to
/// the export limit.
pub async fn list_xlsx(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let filter = MeetingFilter {
        district: q.district.clone().map(|d| d.trim().to_string()),
        quarter: q.quarter.clone().map(|d| d.trim().to_string()),
    };
    let list = super::export::export_rows(
        state
            .store
            .meetings(&actor.scope, &filter, super::export::export_page())
            .await?,
    )?;
    let t = crate::i18n::T(actor.lang);
    let headers = [
        t.s("meeting.quarter"),
        t.s("meeting.title"),
        t.s("meeting.district"),
        t.s("meeting.date"),
        t.s("common.status"),
        t.s("meeting.minutes"),
    ];
    let rows: Vec<Vec<Cell>> = list
        .iter()
        .map(|m| {
            vec![
                Cell::text(m.quarter.clone()),
                Cell::text(m.title.clone()),
                Cell::text(m.district_name.clone()),
                Cell::Date(m.meeting_date),
                Cell::text(meeting_status(&m.status, actor.lang)),
                if m.minutes_published_at.is_some() {
                    Cell::text(t.s("meeting.published"))
                } else {
                    Cell::Empty
                },
            ]
        })
        .collect();
    super::export::typed_xlsx(t.s("nav.meetings"), &headers, &rows, "meetings.xlsx")
}

/// The meeting as minutes in the 会议纪要 form (GB/T 9704 10.3, decision 0038), as far as the
/// caller sees the meeting: the red 纪要标志, the convening organisation and the date of
/// publication (草稿 before) over the red rule, the title, 时间, 地点, 主持, 出席 (and 缺席), 记录,
/// the agenda, the minutes' text with the units that reported, the decisions numbered, each with
/// its responsible organisation and deadline, and the 版记 with the 印发 line once published.
pub fn document(m: &Meeting) -> Result<Vec<u8>, crate::docx::DocxError> {
    use crate::docx::{HeadLine, date_cn};
    let issuer = m
        .convener
        .clone()
        .filter(|c| !c.trim().is_empty())
        .unwrap_or_else(|| format!("{}知识产权质押融资工作领导小组", m.district_name));
    let published = m.minutes_published_at.and_then(ipfin_store::date_shanghai);
    let mut d = DocBuilder::official();
    d.properties(
        &issuer,
        &format!("{}纪要", m.title),
        published.unwrap_or(m.meeting_date),
    );
    d.letterhead(
        &format!("{}知识产权质押融资工作会议纪要", m.district_name),
        HeadLine::Split(
            issuer.clone(),
            published.map(date_cn).unwrap_or_else(|| "草稿".to_string()),
        ),
    );
    d.title(&m.title);
    d.labelled("时间", &date_cn(m.meeting_date));
    let venue = [
        m.place.clone(),
        m.online_link.clone().map(|l| format!("线上：{l}")),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join("；");
    if !venue.is_empty() {
        d.labelled("地点", &venue);
    }
    if let Some(chair) = m.chair.as_deref().filter(|c| !c.trim().is_empty()) {
        d.labelled("主持", chair);
    }
    let unit = |i: &ipfin_store::meeting::Invitation| match i
        .attendees
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
    {
        Some(names) => format!("{}（{names}）", i.org_name),
        None => i.org_name.clone(),
    };
    let present: Vec<String> = m
        .invitations
        .iter()
        .filter(|i| i.attended)
        .map(unit)
        .collect();
    let absent: Vec<String> = m
        .invitations
        .iter()
        .filter(|i| !i.attended)
        .map(|i| i.org_name.clone())
        .collect();
    if !present.is_empty() {
        d.labelled("出席", &present.join("，"));
    }
    if m.held_at.is_some() && !absent.is_empty() {
        d.labelled("缺席", &absent.join("，"));
    }
    if let Some(recorder) = m.recorder.as_deref().filter(|r| !r.trim().is_empty()) {
        d.labelled("记录", recorder);
    }
    d.heading(1, "一、会议议程");
    for line in m.agenda.lines().filter(|l| !l.trim().is_empty()) {
        d.paragraph(line.trim());
    }
    d.heading(1, "二、会议主要内容");
    if !m.reports.is_empty() {
        let units: Vec<&str> = m.reports.iter().map(|r| r.org_name.as_str()).collect();
        d.paragraph(&format!("会议听取了{}的工作汇报。", units.join("、")));
    }
    match &m.minutes {
        Some(minutes) if !minutes.trim().is_empty() => {
            for line in minutes.lines().filter(|l| !l.trim().is_empty()) {
                d.paragraph(line.trim());
            }
        }
        _ => {
            d.paragraph("（纪要正文尚未填写。）");
        }
    }
    d.heading(1, "三、议定事项");
    if m.issues.is_empty() {
        d.paragraph("本次会议无议定事项。");
    }
    for (n, i) in m.issues.iter().enumerate() {
        // The detail as a sentence of its own, ending in a full stop.
        let detail = match i.detail.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            Some(t) if t.ends_with(['。', '；', '！', '？', '.']) => t.to_string(),
            Some(t) => format!("{t}。"),
            None => String::new(),
        };
        d.rich_paragraph(&[
            Span::bold(format!(
                "{}. {}。",
                n + 1,
                i.title.trim().trim_end_matches('。')
            )),
            Span::plain(detail),
            Span::plain(format!(
                "责任单位：{}；完成时限：{}。",
                i.owner_name,
                date_cn(i.due_on)
            )),
        ]);
    }
    if let Some(day) = published {
        d.imprint(&issuer, day);
    }
    d.build()
}

/// `GET /meetings/{meeting_id}/meeting.docx`: what the caller sees of the meeting, as .docx.
pub async fn docx(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let m = state
        .store
        .meeting(&actor.scope, actor.organisation_id(), path_id(&id)?)
        .await?;
    let bytes = document(&m).map_err(AppError::internal)?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                    .to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"meeting-{}-{}.docx\"",
                    m.district_code, m.quarter
                ),
            ),
        ],
        bytes,
    )
        .into_response())
}
