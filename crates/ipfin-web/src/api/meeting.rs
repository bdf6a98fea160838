//! Quarterly working meetings through the API (SPEC §1 R1.2; issue #8 item 2): list and read
//! the meetings in scope, schedule, invite, record attendance, submit work reports with
//! attachments, raise and move tracked issues, record and publish minutes. Every handler first
//! checks the meeting or issue is visible (404 otherwise), then reads the body.

use super::application::Created;
use super::contract::{PageOf, each};
use super::json_error;
use crate::AppState;
use crate::actor::Actor;
use crate::error::{AppError, AppResult};
use crate::http::write;
use crate::usecase::meeting::{date_field, move_issue, status_param};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::NaiveDate;
use ipfin_domain::FieldError;
use ipfin_domain::id::OrgId;
use ipfin_store::Page;
use ipfin_store::meeting::{
    Attendance, Invitation, Issue, Meeting, MeetingFilter, MeetingSummary, NewIssue, NewMeeting,
    Report, ReportFile,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

fn parse<T: serde::de::DeserializeOwned>(body: &Bytes) -> AppResult<T> {
    serde_json::from_slice(body).map_err(|e| json_error(&e))
}

/// A numeric path id; anything else is simply not found.
pub fn id(s: &str) -> AppResult<i64> {
    s.parse().map_err(|_| AppError::not_found())
}

/// `?district=&quarter=&page=&per_page=`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct MeetingQuery {
    pub district: Option<String>,
    /// e.g. 2026Q3
    pub quarter: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

/// The meetings the caller sees: the city all, a district its own, a bank or agency those it
/// is invited to.
#[utoipa::path(get, path = "/api/v1/meetings", tag = "meeting", params(MeetingQuery),
    responses((status = 200, description = "a page of meetings", body = PageOf<MeetingSummaryDto>)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<MeetingQuery>,
) -> AppResult<Json<PageOf<MeetingSummaryDto>>> {
    let filter = MeetingFilter {
        district: q.district,
        quarter: q.quarter,
    };
    Ok(Json(
        state
            .store
            .meetings(&actor.scope, &filter, Page::new(q.page, q.per_page))
            .await?
            .into(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeetingBody {
    /// e.g. 2026Q3
    pub quarter: String,
    /// ISO date inside the quarter
    pub date: String,
    pub title: Option<String>,
    pub place: Option<String>,
    pub online_link: Option<String>,
    pub agenda: String,
    /// Required for a quarter that ended more than a quarter ago.
    #[serde(default)]
    pub confirm_past: bool,
}

/// Schedules a meeting of the caller's district (lead officers).
#[utoipa::path(post, path = "/api/v1/meetings", tag = "meeting", request_body = MeetingBody,
    responses((status = 201, description = "the meeting's id", body = Created),
        (status = 422, description = "far past without confirm_past, a date outside the quarter, no place or link, no agenda"),
        (status = 403, description = "not a lead officer")),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    actor: Actor,
    body: Bytes,
) -> AppResult<(StatusCode, Json<Created>)> {
    let b: MeetingBody = parse(&body)?;
    let input = NewMeeting {
        quarter: b.quarter,
        date: date_field("date", Some(&b.date))?,
        title: b.title,
        place: b.place,
        online_link: b.online_link,
        agenda: b.agenda,
        confirm_past: b.confirm_past,
    };
    let today = ipfin_store::today_shanghai();
    let id = write!(state, actor, |tx| state
        .store
        .create_meeting(&mut tx, &actor.scope, actor.organisation_id(), input, today)
        .await?)?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// One meeting as the caller may see it (a unit: its own report and issues only).
#[utoipa::path(get, path = "/api/v1/meetings/{meeting_id}", tag = "meeting",
    params(("meeting_id" = i64, Path)),
    responses((status = 200, body = MeetingDto), (status = 404, description = "not in your scope")),
    security(("bearer" = [])))]
pub async fn show(
    State(state): State<AppState>,
    actor: Actor,
    Path(meeting_id): Path<String>,
) -> AppResult<Json<MeetingDto>> {
    Ok(Json(
        state
            .store
            .meeting(&actor.scope, actor.organisation_id(), id(&meeting_id)?)
            .await?
            .into(),
    ))
}

/// The meeting, checked visible before a body is read.
async fn visible(state: &AppState, actor: &Actor, meeting_id: &str) -> AppResult<i64> {
    let mid = id(meeting_id)?;
    state
        .store
        .meeting(&actor.scope, actor.organisation_id(), mid)
        .await?;
    Ok(mid)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteBody {
    #[schema(value_type = Vec<i64>)]
    pub organisation_ids: Vec<OrgId>,
}

/// Invites units (the district's departments, financial institutions, service agencies); each
/// is notified and sees the meeting.
#[utoipa::path(post, path = "/api/v1/meetings/{meeting_id}/invitations", tag = "meeting",
    params(("meeting_id" = i64, Path)), request_body = InviteBody,
    responses((status = 200, description = "how many were invited", body = Invited), (status = 404, description = "not in your scope"),
        (status = 422, description = "an organisation that may not be invited"), (status = 409, description = "all already invited, or minutes published")),
    security(("bearer" = [])))]
pub async fn invite(
    State(state): State<AppState>,
    actor: Actor,
    Path(meeting_id): Path<String>,
    body: Bytes,
) -> AppResult<Json<Invited>> {
    let mid = visible(&state, &actor, &meeting_id).await?;
    let b: InviteBody = parse(&body)?;
    let n = write!(state, actor, |tx| state
        .store
        .invite(&mut tx, &actor.scope, mid, &b.organisation_ids)
        .await?)?;
    Ok(Json(Invited { invited: n }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendanceLine {
    #[schema(value_type = i64)]
    pub organisation_id: OrgId,
    pub attended: bool,
    pub attendees: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendanceBody {
    pub attendance: Vec<AttendanceLine>,
}

/// Records attendance and marks the meeting held (not before its date).
#[utoipa::path(post, path = "/api/v1/meetings/{meeting_id}/attendance", tag = "meeting",
    params(("meeting_id" = i64, Path)), request_body = AttendanceBody,
    responses((status = 200, description = "the meeting is held", body = Held), (status = 404, description = "not in your scope"),
        (status = 422, description = "a unit not invited, nobody attended, before the meeting date")),
    security(("bearer" = [])))]
pub async fn attendance(
    State(state): State<AppState>,
    actor: Actor,
    Path(meeting_id): Path<String>,
    body: Bytes,
) -> AppResult<Json<Held>> {
    let mid = visible(&state, &actor, &meeting_id).await?;
    let b: AttendanceBody = parse(&body)?;
    let lines: Vec<Attendance> = b
        .attendance
        .into_iter()
        .map(|l| Attendance {
            organisation_id: l.organisation_id,
            attended: l.attended,
            attendees: l.attendees,
        })
        .collect();
    let today = ipfin_store::today_shanghai();
    write!(state, actor, |tx| state
        .store
        .record_attendance(&mut tx, &actor.scope, mid, &lines, today)
        .await?)?;
    Ok(Json(Held { status: "held" }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportBody {
    pub text: String,
}

/// Submits the caller's organisation's work report; a resubmission becomes the next version
/// (the earlier text is kept).
#[utoipa::path(post, path = "/api/v1/meetings/{meeting_id}/reports", tag = "meeting",
    params(("meeting_id" = i64, Path)), request_body = ReportBody,
    responses((status = 201, description = "the report's id and version", body = ReportSaved), (status = 404, description = "not in your scope"),
        (status = 403, description = "your organisation is not invited"), (status = 409, description = "minutes published")),
    security(("bearer" = [])))]
pub async fn report(
    State(state): State<AppState>,
    actor: Actor,
    Path(meeting_id): Path<String>,
    body: Bytes,
) -> AppResult<(StatusCode, Json<ReportSaved>)> {
    let mid = visible(&state, &actor, &meeting_id).await?;
    let b: ReportBody = parse(&body)?;
    let (rid, version) = write!(state, actor, |tx| state
        .store
        .submit_report(
            &mut tx,
            &actor.scope,
            actor.organisation_id(),
            mid,
            &b.text,
            None
        )
        .await?)?;
    Ok((StatusCode::CREATED, Json(ReportSaved { id: rid, version })))
}

/// Adds an attachment to the caller's report: the body is the file, `X-File-Name` its name
/// (percent-encoded, metadata only). PDF, OFD, JPEG, PNG, .xlsx or .docx, judged by content.
#[utoipa::path(post, path = "/api/v1/meetings/{meeting_id}/reports/files", tag = "meeting",
    params(("meeting_id" = i64, Path)),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, description = "the file's id", body = Created), (status = 404, description = "not in your scope"),
        (status = 403, description = "not invited"), (status = 422, description = "empty, over 20 MB, a disallowed type"),
        (status = 409, description = "no report yet, or minutes published")),
    security(("bearer" = [])))]
pub async fn report_file(
    State(state): State<AppState>,
    actor: Actor,
    Path(meeting_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<(StatusCode, Json<Created>)> {
    let mid = visible(&state, &actor, &meeting_id).await?;
    let name = headers
        .get("x-file-name")
        .and_then(|v| v.to_str().ok())
        .map(super::application::percent_decode)
        .unwrap_or_default();
    let fid = write!(state, actor, |tx| state
        .store
        .add_report_file(
            &mut tx,
            &actor.scope,
            actor.organisation_id(),
            mid,
            &name,
            body
        )
        .await?)?;
    Ok((StatusCode::CREATED, Json(Created { id: fid })))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueBody {
    pub title: String,
    pub detail: Option<String>,
    /// An invited unit or the district's lead department.
    #[schema(value_type = i64)]
    pub owner_org_id: OrgId,
    /// ISO date, not before the meeting
    pub due_on: String,
}

/// Raises a tracked issue (lead officers); the owner unit is notified.
#[utoipa::path(post, path = "/api/v1/meetings/{meeting_id}/issues", tag = "meeting",
    params(("meeting_id" = i64, Path)), request_body = IssueBody,
    responses((status = 201, description = "the issue's id", body = Created), (status = 404, description = "not in your scope"),
        (status = 422, description = "owner not invited, due date before the meeting")),
    security(("bearer" = [])))]
pub async fn raise(
    State(state): State<AppState>,
    actor: Actor,
    Path(meeting_id): Path<String>,
    body: Bytes,
) -> AppResult<(StatusCode, Json<Created>)> {
    let mid = visible(&state, &actor, &meeting_id).await?;
    let b: IssueBody = parse(&body)?;
    let input = NewIssue {
        title: b.title,
        detail: b.detail,
        owner_org_id: b.owner_org_id,
        due_on: date_field("due_on", Some(&b.due_on))?,
    };
    let iid = write!(state, actor, |tx| state
        .store
        .raise_issue(&mut tx, &actor.scope, mid, input)
        .await?)?;
    Ok((StatusCode::CREATED, Json(Created { id: iid })))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MinutesBody {
    /// The minutes' text (saved as the draft when given).
    pub text: Option<String>,
    /// Who chaired the meeting (主持), for the 会议纪要; absent keeps it, empty clears it.
    #[serde(default)]
    pub chair: Option<String>,
    /// Who took the record (记录); absent keeps it, empty clears it.
    #[serde(default)]
    pub recorder: Option<String>,
    /// Publish to every participant (irreversible; needs `confirm: true`).
    #[serde(default)]
    pub publish: bool,
    #[serde(default)]
    pub confirm: bool,
}

/// Records the minutes and, with `publish` and `confirm`, publishes them to the participants.
#[utoipa::path(post, path = "/api/v1/meetings/{meeting_id}/minutes", tag = "meeting",
    params(("meeting_id" = i64, Path)), request_body = MinutesBody,
    responses((status = 200, description = "whether published, and how many were notified", body = MinutesSaved), (status = 404, description = "not in your scope"),
        (status = 422, description = "no text, publish without confirm"), (status = 409, description = "already published, or not held")),
    security(("bearer" = [])))]
pub async fn minutes(
    State(state): State<AppState>,
    actor: Actor,
    Path(meeting_id): Path<String>,
    body: Bytes,
) -> AppResult<Json<MinutesSaved>> {
    let mid = visible(&state, &actor, &meeting_id).await?;
    let b: MinutesBody = parse(&body)?;
    if b.text.is_none() && !b.publish && b.chair.is_none() && b.recorder.is_none() {
        return Err(AppError::invalid(FieldError::new(
            "text",
            "meeting.text_required",
            "请填写会议纪要。",
            "This text is required.",
        )));
    }
    let notified = write!(state, actor, |tx| {
        if b.chair.is_some() || b.recorder.is_some() {
            state
                .store
                .set_minutes_roles(
                    &mut tx,
                    &actor.scope,
                    mid,
                    b.chair.as_deref(),
                    b.recorder.as_deref(),
                )
                .await?;
        }
        if let Some(text) = &b.text {
            state
                .store
                .save_minutes(&mut tx, &actor.scope, mid, text)
                .await?;
        }
        if b.publish {
            Some(
                state
                    .store
                    .publish_minutes(&mut tx, &actor.scope, mid, b.confirm)
                    .await?,
            )
        } else {
            None
        }
    })?;
    Ok(Json(MinutesSaved {
        published: notified.is_some(),
        notified: notified.unwrap_or(0),
    }))
}

/// `?status=&mine=`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct IssueQuery {
    /// open | in_progress | resolved | escalated
    pub status: Option<String>,
    /// true: only the issues the caller's organisation owns ("my tracked items")
    pub mine: Option<bool>,
}

/// Tracked issues: the city all (`?status=escalated` for those escalated to it), a district its
/// own, a unit those it owns.
#[utoipa::path(get, path = "/api/v1/meeting-issues", tag = "meeting", params(IssueQuery),
    responses((status = 200, body = Vec<IssueDto>)), security(("bearer" = [])))]
pub async fn issues(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<IssueQuery>,
) -> AppResult<Json<Vec<IssueDto>>> {
    let status = match q.status.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(status_param(s)?),
        None => None,
    };
    Ok(Json(
        state
            .store
            .issues(
                &actor.scope,
                actor.organisation_id(),
                status,
                q.mine.unwrap_or(false),
            )
            .await
            .map(each)?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusBody {
    /// in_progress | resolved | escalated
    pub status: String,
    /// Required for resolved and escalated.
    pub note: Option<String>,
}

/// Moves an issue: open → in_progress → resolved (owner or lead) / escalated (lead); the city
/// resolves escalated issues. A note is required for resolved and escalated.
#[utoipa::path(post, path = "/api/v1/meeting-issues/{issue_id}/status", tag = "meeting",
    params(("issue_id" = i64, Path)), request_body = StatusBody,
    responses((status = 200, body = IssueDto), (status = 404, description = "not in your scope"),
        (status = 403, description = "not the owner or the lead"), (status = 422, description = "a transition not allowed, no note")),
    security(("bearer" = [])))]
pub async fn set_status(
    State(state): State<AppState>,
    actor: Actor,
    Path(issue_id): Path<String>,
    body: Bytes,
) -> AppResult<Json<IssueDto>> {
    let iid = id(&issue_id)?;
    state.store.issue(&actor.scope, iid).await?;
    let b: StatusBody = parse(&body)?;
    move_issue(&state, &actor, iid, &b.status, b.note).await?;
    Ok(Json(state.store.issue(&actor.scope, iid).await?.into()))
}

/// How many units were invited.
#[derive(Debug, Serialize, ToSchema)]
pub struct Invited {
    pub invited: usize,
}

/// Attendance recorded: the meeting is held.
#[derive(Debug, Serialize, ToSchema)]
pub struct Held {
    /// Always `held`.
    pub status: &'static str,
}

/// A submitted work report: its id and version.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportSaved {
    pub id: i64,
    pub version: i32,
}

/// Minutes saved; with `published`, how many participants were notified.
#[derive(Debug, Serialize, ToSchema)]
pub struct MinutesSaved {
    pub published: bool,
    pub notified: usize,
}

/// A meeting as the lists show it.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingSummaryDto {
    pub id: i64,
    pub district_code: String,
    pub district_name: String,
    /// e.g. 2026Q3
    pub quarter: String,
    pub title: String,
    pub meeting_date: NaiveDate,
    /// scheduled | held
    pub status: String,
    pub minutes_published_at: Option<i64>,
}

impl From<MeetingSummary> for MeetingSummaryDto {
    fn from(m: MeetingSummary) -> Self {
        let MeetingSummary {
            id,
            district_code,
            district_name,
            quarter,
            title,
            meeting_date,
            status,
            minutes_published_at,
        } = m;
        Self {
            id,
            district_code,
            district_name,
            quarter,
            title,
            meeting_date,
            status,
            minutes_published_at,
        }
    }
}

/// A meeting with everything its page shows, confined to what the caller may see.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingDto {
    pub id: i64,
    pub district_code: String,
    pub district_name: String,
    pub quarter: String,
    pub title: String,
    pub meeting_date: NaiveDate,
    pub place: Option<String>,
    pub online_link: Option<String>,
    pub agenda: String,
    pub convener: Option<String>,
    pub convener_org_id: Option<i64>,
    pub status: String,
    pub held_at: Option<i64>,
    /// The minutes: the published text for participants; the draft too for the district/city.
    pub minutes: Option<String>,
    pub minutes_published_at: Option<i64>,
    /// Who chaired the meeting (主持) and who took the record (记录), for the 会议纪要.
    pub chair: Option<String>,
    pub recorder: Option<String>,
    pub invitations: Vec<InvitationDto>,
    /// Every report for the district and the city; a unit sees its own only.
    pub reports: Vec<ReportDto>,
    /// Every issue for the district and the city; a unit sees the issues it owns.
    pub issues: Vec<IssueDto>,
    /// The caller may manage the meeting (the district's lead officers).
    pub can_manage: bool,
    /// The caller's organisation is invited (may submit a report).
    pub invited: bool,
}

impl From<Meeting> for MeetingDto {
    fn from(m: Meeting) -> Self {
        let Meeting {
            id,
            district_code,
            district_name,
            quarter,
            title,
            meeting_date,
            place,
            online_link,
            agenda,
            convener,
            convener_org_id,
            status,
            held_at,
            minutes,
            minutes_published_at,
            chair,
            recorder,
            invitations,
            reports,
            issues,
            can_manage,
            invited,
        } = m;
        Self {
            id,
            district_code,
            district_name,
            quarter,
            title,
            meeting_date,
            place,
            online_link,
            agenda,
            convener,
            convener_org_id,
            status,
            held_at,
            minutes,
            minutes_published_at,
            chair,
            recorder,
            invitations: each(invitations),
            reports: each(reports),
            issues: each(issues),
            can_manage,
            invited,
        }
    }
}

/// An invited unit and whether it attended.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationDto {
    #[schema(value_type = i64)]
    pub organisation_id: OrgId,
    pub org_name: String,
    pub org_kind: String,
    pub attended: bool,
    pub attendees: Option<String>,
}

impl From<Invitation> for InvitationDto {
    fn from(i: Invitation) -> Self {
        let Invitation {
            organisation_id,
            org_name,
            org_kind,
            attended,
            attendees,
        } = i;
        Self {
            organisation_id,
            org_name,
            org_kind,
            attended,
            attendees,
        }
    }
}

/// A unit's work report (the current version) with its attachments.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportDto {
    pub id: i64,
    #[schema(value_type = i64)]
    pub organisation_id: OrgId,
    pub org_name: String,
    pub text: String,
    pub version: i32,
    pub submitted_at: i64,
    pub files: Vec<ReportFileDto>,
}

impl From<Report> for ReportDto {
    fn from(r: Report) -> Self {
        let Report {
            id,
            organisation_id,
            org_name,
            text,
            version,
            submitted_at,
            files,
        } = r;
        Self {
            id,
            organisation_id,
            org_name,
            text,
            version,
            submitted_at,
            files: each(files),
        }
    }
}

/// An attachment of a work report (type judged by content).
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportFileDto {
    pub id: i64,
    pub report_id: i64,
    pub version: i32,
    pub file_name: String,
    pub file_type: String,
    pub size: i64,
    pub uploaded_at: i64,
}

impl From<ReportFile> for ReportFileDto {
    fn from(f: ReportFile) -> Self {
        let ReportFile {
            id,
            report_id,
            version,
            blob_key: _,
            file_name,
            file_type,
            size,
            uploaded_at,
        } = f;
        Self {
            id,
            report_id,
            version,
            file_name,
            file_type,
            size,
            uploaded_at,
        }
    }
}

/// A tracked issue raised at a meeting.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssueDto {
    pub id: i64,
    pub meeting_id: i64,
    pub meeting_title: String,
    pub quarter: String,
    pub district_code: String,
    pub district_name: String,
    pub title: String,
    pub detail: Option<String>,
    #[schema(value_type = i64)]
    pub owner_org_id: OrgId,
    pub owner_name: String,
    pub due_on: NaiveDate,
    /// open | in_progress | resolved | escalated
    pub status: String,
    pub resolution_note: Option<String>,
    pub updated_at: i64,
}

impl From<Issue> for IssueDto {
    fn from(i: Issue) -> Self {
        let Issue {
            id,
            meeting_id,
            meeting_title,
            quarter,
            district_code,
            district_name,
            title,
            detail,
            owner_org_id,
            owner_name,
            due_on,
            status,
            resolution_note,
            updated_at,
        } = i;
        Self {
            id,
            meeting_id,
            meeting_title,
            quarter,
            district_code,
            district_name,
            title,
            detail,
            owner_org_id,
            owner_name,
            due_on,
            status: status.to_string(),
            resolution_note,
            updated_at,
        }
    }
}
