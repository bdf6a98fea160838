//! Quarterly working meetings (SPEC §1 R1.2; issue #8 item 2, decision 0014): a district's lead
//! department schedules a meeting for a quarter and invites units (member departments, financial
//! institutions, service agencies); invited units are notified and see that meeting — and only
//! it — with their own report and the issues they own; attendance marks the meeting held; each
//! invited unit submits its work report (resubmission keeps the earlier versions); issues raised
//! are tracked through the domain's status machine; minutes are published once, to every
//! participant. Every check runs before the first write: a refused input changes nothing.

use crate::column::Code;
use crate::db::{Page, Paged, exec, fetch_all, fetch_i64, fetch_opt, fetch_page};
use crate::error::{Result, StoreError};
use crate::{Store, WriteTx};
use bytes::Bytes;
use chrono::NaiveDate;
use ipfin_domain::FieldError;
use ipfin_domain::application::files::{check_upload, display_name};
use ipfin_domain::id::OrgId;
use ipfin_domain::meeting::{
    IssueMover, IssueStatus, MAX_TEXT, MeetingStatus, check_due, check_held, check_schedule,
    check_text, check_venue, default_title, transition,
};
use ipfin_domain::org::Scope;
use ipfin_domain::policy::materials::FileKinds;
use ipfin_domain::stats::Quarter;
use ipfin_domain::visibility::Records;
use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use serde::Serialize;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};

/// A meeting as the lists show it.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult, Serialize)]
pub struct MeetingSummary {
    pub id: i64,
    pub district_code: String,
    pub district_name: String,
    pub quarter: String,
    pub title: String,
    pub meeting_date: NaiveDate,
    pub status: String,
    pub minutes_published_at: Option<i64>,
}

/// A meeting with everything its page shows (already confined to what the caller may see).
#[derive(Debug, Clone, Serialize)]
pub struct Meeting {
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
    pub invitations: Vec<Invitation>,
    /// Every report for the district and the city; a unit sees its own only.
    pub reports: Vec<Report>,
    /// Every issue for the district and the city; a unit sees the issues it owns.
    pub issues: Vec<Issue>,
    /// The caller may manage the meeting (the district's lead officers).
    pub can_manage: bool,
    /// The caller's organisation is invited (may submit a report).
    pub invited: bool,
}

#[derive(FromQueryResult)]
struct MeetingRow {
    id: i64,
    district_code: String,
    district_name: String,
    quarter: String,
    title: String,
    meeting_date: NaiveDate,
    place: Option<String>,
    online_link: Option<String>,
    agenda: String,
    convener: Option<String>,
    convener_org_id: Option<i64>,
    status: String,
    held_at: Option<i64>,
    minutes: Option<String>,
    minutes_published_at: Option<i64>,
    chair: Option<String>,
    recorder: Option<String>,
}

/// An invited unit and whether it attended.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult, Serialize)]
pub struct Invitation {
    pub organisation_id: OrgId,
    pub org_name: String,
    pub org_kind: String,
    pub attended: bool,
    pub attendees: Option<String>,
}

/// A unit's work report (the current version) with its attachments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub id: i64,
    pub organisation_id: OrgId,
    pub org_name: String,
    pub text: String,
    pub version: i32,
    pub submitted_at: i64,
    pub files: Vec<ReportFile>,
}

#[derive(FromQueryResult)]
struct ReportRow {
    id: i64,
    organisation_id: OrgId,
    org_name: String,
    text: String,
    version: i32,
    submitted_at: i64,
}

/// An attachment of a work report (type judged by content).
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult, Serialize)]
pub struct ReportFile {
    pub id: i64,
    pub report_id: i64,
    pub version: i32,
    #[serde(skip)]
    pub blob_key: String,
    pub file_name: String,
    pub file_type: String,
    pub size: i64,
    pub uploaded_at: i64,
}

/// A tracked issue raised at a meeting.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult, Serialize)]
pub struct Issue {
    pub id: i64,
    pub meeting_id: i64,
    pub meeting_title: String,
    pub quarter: String,
    pub district_code: String,
    pub district_name: String,
    pub title: String,
    pub detail: Option<String>,
    pub owner_org_id: OrgId,
    pub owner_name: String,
    pub due_on: NaiveDate,
    pub status: Code<IssueStatus>,
    pub resolution_note: Option<String>,
    pub updated_at: i64,
}

impl Issue {
    pub fn status(&self) -> IssueStatus {
        self.status.get()
    }
}

/// A new meeting.
#[derive(Debug, Clone, Default)]
pub struct NewMeeting {
    pub quarter: String,
    pub date: Option<NaiveDate>,
    pub title: Option<String>,
    pub place: Option<String>,
    pub online_link: Option<String>,
    pub agenda: String,
    /// Confirms recording a meeting of a quarter that ended more than a quarter ago.
    pub confirm_past: bool,
}

/// One invited unit's attendance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attendance {
    pub organisation_id: OrgId,
    pub attended: bool,
    /// Names of the persons who attended (free text, optional).
    pub attendees: Option<String>,
}

/// A new tracked issue.
#[derive(Debug, Clone)]
pub struct NewIssue {
    pub title: String,
    pub detail: Option<String>,
    pub owner_org_id: OrgId,
    pub due_on: Option<NaiveDate>,
}

/// A list filter: a district (the city), a quarter.
#[derive(Debug, Clone, Default)]
pub struct MeetingFilter {
    pub district: Option<String>,
    pub quarter: Option<String>,
}

/// An organisation that may be invited.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult, Serialize)]
pub struct Candidate {
    pub id: i64,
    pub name: String,
    pub kind: String,
}

/// A notification addressed to one organisation.
pub use crate::notification::Notification;

const MEETING_FROM: &str = "FROM meetings m JOIN districts d ON d.code = m.district_code";

const ISSUE_SELECT: &str = "SELECT s.id, s.meeting_id, m.title AS meeting_title, m.quarter, s.district_code, d.name AS district_name, \
     s.title, s.detail, s.owner_org_id, o.name AS owner_name, s.due_on, s.status, s.resolution_note, s.updated_at \
     FROM meeting_issues s JOIN meetings m ON m.id = s.meeting_id JOIN districts d ON d.code = s.district_code \
     JOIN organisations o ON o.id = s.owner_org_id";

fn lead_only() -> StoreError {
    StoreError::forbidden(
        "meeting.lead_only",
        "只有本区牵头部门经办人可以安排会议、邀请单位、登记出席、提出事项和发布纪要。",
        "Only the district's lead officers manage its meetings.",
    )
}

fn invalid(e: FieldError) -> StoreError {
    StoreError::Invalid(e)
}

fn published_conflict() -> StoreError {
    StoreError::conflict(
        "meeting.published",
        "会议纪要已经发布，会议记录已归档，不能再修改。",
        "The minutes are published: the meeting record is closed.",
    )
}

fn clean(s: Option<String>) -> Option<String> {
    s.map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

impl Store {
    /// The meetings the caller sees, newest quarter first.
    pub async fn meetings(
        &self,
        scope: &Scope,
        filter: &MeetingFilter,
        page: Page,
    ) -> Result<Paged<MeetingSummary>> {
        let (cond, mut values) = crate::visibility::condition(scope, Records::Meetings);
        let mut sql = format!("{MEETING_FROM} WHERE {cond}");
        if let Some(d) = filter.district.as_deref().filter(|d| !d.is_empty()) {
            sql.push_str(" AND m.district_code = ?");
            values.push(d.to_string().into());
        }
        if let Some(q) = filter.quarter.as_deref().filter(|q| !q.is_empty()) {
            let q = Quarter::parse(q).map_err(|m| {
                invalid(FieldError {
                    field: "quarter",
                    msg: m,
                })
            })?;
            sql.push_str(" AND m.quarter = ?");
            values.push(q.to_string().into());
        }
        fetch_page(
            self.conn(),
            "m.id, m.district_code, d.name AS district_name, m.quarter, m.title, m.meeting_date, m.status, m.minutes_published_at",
            &sql,
            "m.quarter DESC, m.meeting_date DESC, m.id DESC",
            values,
            page,
        )
        .await
    }

    async fn meeting_row<C: ConnectionTrait>(
        conn: &C,
        scope: &Scope,
        id: i64,
    ) -> Result<MeetingRow> {
        let (cond, mut values) = crate::visibility::condition(scope, Records::Meetings);
        values.insert(0, id.into());
        fetch_opt(
            conn,
            &format!(
                "SELECT m.id, m.district_code, d.name AS district_name, m.quarter, m.title, m.meeting_date, m.place, m.online_link, \
                 m.agenda, (SELECT o.name FROM organisations o WHERE o.id = m.convener_org_id) AS convener, m.convener_org_id, m.status, m.held_at, \
                 m.minutes, m.minutes_published_at, m.chair, m.recorder {MEETING_FROM} WHERE m.id = ? AND {cond}"
            ),
            values,
        )
        .await?
        .ok_or(StoreError::NotFound)
    }

    /// One meeting as the caller may see it: the city and the district whole; an invited bank or
    /// agency its agenda, the invited units and attendance, its own report, the issues it owns,
    /// and the minutes once published. Not visible → `NotFound`.
    pub async fn meeting(&self, scope: &Scope, org_id: Option<OrgId>, id: i64) -> Result<Meeting> {
        Self::meeting_in(self.conn(), scope, org_id, id).await
    }

    async fn meeting_in<C: ConnectionTrait>(
        conn: &C,
        scope: &Scope,
        org_id: Option<OrgId>,
        id: i64,
    ) -> Result<Meeting> {
        let r = Self::meeting_row(conn, scope, id).await?;
        // The city and the district's own departments see a meeting whole; an invited bank
        // or agency sees its own part.
        let whole = scope.reads_district(&r.district_code);
        let invitations: Vec<Invitation> = fetch_all(
            conn,
            "SELECT i.organisation_id, o.name AS org_name, o.kind AS org_kind, i.attended, i.attendees \
             FROM meeting_invitations i JOIN organisations o ON o.id = i.organisation_id WHERE i.meeting_id = ? \
             ORDER BY CASE o.kind WHEN 'department' THEN 0 WHEN 'financial_institution' THEN 1 ELSE 2 END, o.id",
            vec![id.into()],
        )
        .await?;
        let own = org_id.map_or(-1, OrgId::get);
        let (report_cond, mut rv): (&str, Vec<Value>) = if whole {
            ("", vec![])
        } else {
            (" AND r.organisation_id = ?", vec![own.into()])
        };
        rv.insert(0, id.into());
        let rows: Vec<ReportRow> = fetch_all(
            conn,
            &format!(
                "SELECT r.id, r.organisation_id, o.name AS org_name, r.text, r.version, r.submitted_at \
                 FROM meeting_reports r JOIN organisations o ON o.id = r.organisation_id WHERE r.meeting_id = ?{report_cond} ORDER BY r.id"
            ),
            rv.clone(),
        )
        .await?;
        let files: Vec<ReportFile> = fetch_all(
            conn,
            &format!(
                "SELECT f.id, f.report_id, f.version, f.blob_key, f.file_name, f.file_type, f.size, f.uploaded_at \
                 FROM meeting_report_files f JOIN meeting_reports r ON r.id = f.report_id WHERE r.meeting_id = ?{report_cond} ORDER BY f.id"
            ),
            rv,
        )
        .await?;
        let reports = rows
            .into_iter()
            .map(|x| Report {
                files: files
                    .iter()
                    .filter(|f| f.report_id == x.id)
                    .cloned()
                    .collect(),
                id: x.id,
                organisation_id: x.organisation_id,
                org_name: x.org_name,
                text: x.text,
                version: x.version,
                submitted_at: x.submitted_at,
            })
            .collect();
        let issues: Vec<Issue> = if whole {
            fetch_all(
                conn,
                &format!("{ISSUE_SELECT} WHERE s.meeting_id = ? ORDER BY s.id"),
                vec![id.into()],
            )
            .await?
        } else {
            fetch_all(
                conn,
                &format!(
                    "{ISSUE_SELECT} WHERE s.meeting_id = ? AND s.owner_org_id = ? ORDER BY s.id"
                ),
                vec![id.into(), own.into()],
            )
            .await?
        };
        let invited = invitations
            .iter()
            .any(|i| org_id.is_some_and(|o| o == i.organisation_id));
        let minutes = if whole || r.minutes_published_at.is_some() {
            r.minutes
        } else {
            None
        };
        Ok(Meeting {
            can_manage: scope.leads_district(&r.district_code),
            invited,
            id: r.id,
            district_code: r.district_code,
            district_name: r.district_name,
            quarter: r.quarter,
            title: r.title,
            meeting_date: r.meeting_date,
            place: r.place,
            online_link: r.online_link,
            agenda: r.agenda,
            convener: r.convener,
            convener_org_id: r.convener_org_id,
            status: r.status,
            held_at: r.held_at,
            minutes,
            minutes_published_at: r.minutes_published_at,
            chair: r.chair,
            recorder: r.recorder,
            invitations,
            reports,
            issues,
        })
    }

    /// The meeting row for a change by the district's lead officers: not visible → `NotFound`,
    /// visible but not theirs to manage → `Forbidden`, minutes published → `Conflict`.
    async fn managed(tx: &WriteTx, scope: &Scope, id: i64) -> Result<MeetingRow> {
        let r = Self::meeting_row(tx.conn(), scope, id).await?;
        if !scope.leads_district(&r.district_code) {
            return Err(lead_only());
        }
        if r.minutes_published_at.is_some() {
            return Err(published_conflict());
        }
        Ok(r)
    }

    /// Schedules a meeting of the caller's district (lead officers). The convener is the
    /// caller's organisation (the lead department).
    pub async fn create_meeting(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        org_id: Option<OrgId>,
        input: NewMeeting,
        today: NaiveDate,
    ) -> Result<i64> {
        let Some(code) = scope.lead_district() else {
            return Err(lead_only());
        };
        let quarter = Quarter::parse(&input.quarter).map_err(|m| {
            invalid(FieldError {
                field: "quarter",
                msg: m,
            })
        })?;
        let date = input.date.ok_or_else(|| {
            invalid(FieldError::new(
                "date",
                "meeting.date_required",
                "请填写会议日期（YYYY-MM-DD）。",
                "Give the meeting's date (YYYY-MM-DD).",
            ))
        })?;
        check_schedule(quarter, date, today, input.confirm_past).map_err(invalid)?;
        let place = clean(input.place);
        let link = clean(input.online_link);
        check_venue(place.as_deref(), link.as_deref()).map_err(invalid)?;
        check_text("agenda", "会议议程", &input.agenda, MAX_TEXT).map_err(invalid)?;
        let title = match clean(input.title) {
            Some(t) => {
                check_text("title", "会议名称", &t, 200).map_err(invalid)?;
                t
            }
            None => {
                let name: String = fetch_opt::<DistrictName, _>(
                    tx.conn(),
                    "SELECT name FROM districts WHERE code = ?",
                    vec![code.into()],
                )
                .await?
                .map(|d| d.name)
                .unwrap_or_default();
                default_title(&name, quarter)
            }
        };
        let now = crate::now_s();
        let id = fetch_i64(
            tx.conn(),
            "INSERT INTO meetings (district_code, quarter, title, meeting_date, place, online_link, agenda, convener_org_id, status, \
             created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            vec![
                code.into(),
                quarter.to_string().into(),
                title.clone().into(),
                date.into(),
                place.into(),
                link.into(),
                input.agenda.trim().to_string().into(),
                org_id.into(),
                MeetingStatus::Scheduled.code().into(),
                tx.actor_user_id().into(),
                now.into(),
                now.into(),
            ],
        )
        .await?;
        tx.audit(
            "meeting.create",
            "meeting",
            id,
            json!({"district": code, "quarter": quarter.to_string(), "date": date, "title": title, "confirm_past": input.confirm_past}),
        )
        .await?;
        Ok(id)
    }

    /// The organisations a district's meeting may invite: the district's departments, the
    /// financial institutions and the service agencies (active ones).
    pub async fn invite_candidates(&self, scope: &Scope, district: &str) -> Result<Vec<Candidate>> {
        if !scope.reads_district(district) {
            return Err(StoreError::NotFound);
        }
        Self::candidates_in(self.conn(), district).await
    }

    async fn candidates_in<C: ConnectionTrait>(conn: &C, district: &str) -> Result<Vec<Candidate>> {
        fetch_all(
            conn,
            "SELECT o.id, o.name, o.kind FROM organisations o WHERE o.active AND \
             ((o.kind = 'department' AND o.district_code = ?) OR o.kind IN ('financial_institution', 'service_agency')) \
             ORDER BY CASE o.kind WHEN 'department' THEN 0 WHEN 'financial_institution' THEN 1 ELSE 2 END, o.id",
            vec![district.to_string().into()],
        )
        .await
    }

    /// Invites units to a meeting (lead officers); each newly invited organisation is notified.
    /// Returns how many were newly invited. An organisation that may not be invited (another
    /// district's department, an enterprise, unknown) refuses the whole list.
    pub async fn invite(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        id: i64,
        org_ids: &[OrgId],
    ) -> Result<usize> {
        let m = Self::managed(tx, scope, id).await?;
        if org_ids.is_empty() {
            return Err(invalid(FieldError::new(
                "organisations",
                "meeting.invite_none",
                "请至少选择一个要邀请的单位。",
                "Choose at least one unit to invite.",
            )));
        }
        let candidates = Self::candidates_in(tx.conn(), &m.district_code).await?;
        for o in org_ids {
            if !candidates.iter().any(|c| *o == c.id) {
                return Err(invalid(FieldError::new(
                    "organisations",
                    "meeting.invite_org",
                    format!("单位 #{o} 不能受邀：只能邀请本区部门、金融机构和服务机构。"),
                    "Only the district's departments, financial institutions and service agencies may be invited.",
                )));
            }
        }
        let already: Vec<OrgId> = invited_orgs(tx.conn(), id).await?;
        let now = crate::now_s();
        let mut added = Vec::new();
        for o in org_ids.iter().collect::<BTreeSet<_>>() {
            if already.contains(o) {
                continue;
            }
            exec(
                tx.conn(),
                "INSERT INTO meeting_invitations (meeting_id, organisation_id, invited_by, invited_at, attended) VALUES (?, ?, ?, ?, ?)",
                vec![id.into(), (*o).into(), tx.actor_user_id().into(), now.into(), false.into()],
            )
            .await?;
            let venue = m
                .place
                .clone()
                .or_else(|| m.online_link.clone())
                .unwrap_or_default();
            notify(
                tx,
                *o,
                (
                    format!(
                        "{}邀请贵单位参加“{}”（{}，{}），请在会前提交工作汇报。",
                        m.district_name,
                        m.title,
                        ipfin_domain::format::date_zh(m.meeting_date),
                        venue
                    ),
                    format!(
                        "{} invites you to “{}” ({}, {}): submit your work report before the meeting.",
                        m.district_name,
                        m.title,
                        ipfin_domain::format::date(m.meeting_date, ipfin_domain::Lang::En),
                        venue
                    ),
                ),
                id,
            )
            .await?;
            added.push(*o);
        }
        if added.is_empty() {
            return Err(StoreError::conflict(
                "meeting.invite_again",
                "所选单位均已受邀，没有新邀请。",
                "Every chosen unit is already invited.",
            ));
        }
        tx.audit(
            "meeting.invite",
            "meeting",
            id,
            json!({"organisations": added}),
        )
        .await?;
        Ok(added.len())
    }

    /// Records which invited units attended (with the attendees' names, optional) and marks the
    /// meeting held (lead officers; not before its date). Units not listed did not attend.
    pub async fn record_attendance(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        id: i64,
        lines: &[Attendance],
        today: NaiveDate,
    ) -> Result<()> {
        let m = Self::managed(tx, scope, id).await?;
        check_held(m.meeting_date, today).map_err(invalid)?;
        let invited: Vec<OrgId> = invited_orgs(tx.conn(), id).await?;
        if invited.is_empty() {
            return Err(invalid(FieldError::new(
                "attendance",
                "meeting.no_invitations",
                "会议尚未邀请任何单位：请先邀请参会单位，再登记出席情况。",
                "Invite units before recording attendance.",
            )));
        }
        for l in lines {
            if !invited.contains(&l.organisation_id) {
                return Err(invalid(FieldError::new(
                    "attendance",
                    "meeting.not_invited",
                    format!(
                        "单位 #{} 未受邀参加本次会议，不能登记其出席。",
                        l.organisation_id
                    ),
                    "Only invited units can attend.",
                )));
            }
            if l.attendees
                .as_deref()
                .is_some_and(|a| a.chars().count() > 500)
            {
                return Err(invalid(FieldError::new(
                    "attendees",
                    "meeting.attendees_long",
                    "出席人员姓名最多 500 字。",
                    "Attendee names are at most 500 characters.",
                )));
            }
        }
        if !lines.iter().any(|l| l.attended) {
            return Err(invalid(FieldError::new(
                "attendance",
                "meeting.nobody",
                "请勾选至少一个出席单位：没有单位出席的会议不能记为已召开。",
                "Tick at least one unit that attended.",
            )));
        }
        for o in &invited {
            let l = lines.iter().find(|l| l.organisation_id == *o);
            exec(
                tx.conn(),
                "UPDATE meeting_invitations SET attended = ?, attendees = ? WHERE meeting_id = ? AND organisation_id = ?",
                vec![
                    l.is_some_and(|l| l.attended).into(),
                    clean(l.and_then(|l| l.attendees.clone())).into(),
                    id.into(),
                    (*o).into(),
                ],
            )
            .await?;
        }
        let now = crate::now_s();
        exec(
            tx.conn(),
            "UPDATE meetings SET status = ?, held_at = COALESCE(held_at, ?), updated_at = ? WHERE id = ?",
            vec![MeetingStatus::Held.code().into(), now.into(), now.into(), id.into()],
        )
        .await?;
        let attended: Vec<OrgId> = lines
            .iter()
            .filter(|l| l.attended)
            .map(|l| l.organisation_id)
            .collect();
        tx.audit(
            "meeting.attendance",
            "meeting",
            id,
            json!({"attended": attended}),
        )
        .await?;
        Ok(())
    }

    /// The caller's organisation's report on a meeting it was invited to: checks the
    /// invitation (not visible → `NotFound`; visible but not invited → `Forbidden`) and that
    /// the record is still open.
    async fn reporting_unit(
        tx: &WriteTx,
        scope: &Scope,
        org_id: Option<OrgId>,
        id: i64,
    ) -> Result<(MeetingRow, OrgId)> {
        let m = Self::meeting_row(tx.conn(), scope, id).await?;
        let not_invited = || {
            StoreError::forbidden(
                "meeting.not_invited",
                "贵单位未受邀参加本次会议，不能提交工作汇报。",
                "Your organisation is not invited to this meeting: it cannot submit a report.",
            )
        };
        let org = org_id.ok_or_else(not_invited)?;
        let n = i64::from(invited_orgs(tx.conn(), id).await?.contains(&org));
        if n == 0 || scope.is_city() {
            return Err(not_invited());
        }
        if m.minutes_published_at.is_some() {
            return Err(published_conflict());
        }
        Ok((m, org))
    }

    /// Submits (or resubmits) the caller's organisation's work report, with an optional
    /// attachment. A resubmission replaces the current text and keeps the earlier one as a
    /// version; attachments stay with the report. Returns (report id, version).
    pub async fn submit_report(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        org_id: Option<OrgId>,
        id: i64,
        text: &str,
        file: Option<(String, Bytes)>,
    ) -> Result<(i64, i32)> {
        let (_, org) = Self::reporting_unit(tx, scope, org_id, id).await?;
        check_text("text", "工作汇报", text, MAX_TEXT).map_err(invalid)?;
        let checked = match &file {
            Some((_, bytes)) => Some(
                check_upload("工作汇报附件", FileKinds::Document, bytes).map_err(|m| {
                    invalid(FieldError {
                        field: "file",
                        msg: m,
                    })
                })?,
            ),
            None => None,
        };
        let now = crate::now_s();
        let by = tx.actor_user_id();
        #[derive(FromQueryResult)]
        struct Current {
            id: i64,
            version: i32,
            text: String,
            submitted_by: Option<i64>,
            submitted_at: i64,
        }
        let current: Option<Current> = fetch_opt(
            tx.conn(),
            "SELECT id, version, text, submitted_by, submitted_at FROM meeting_reports WHERE meeting_id = ? AND organisation_id = ?",
            vec![id.into(), org.into()],
        )
        .await?;
        let (report_id, version) = match current {
            Some(c) => {
                exec(
                    tx.conn(),
                    "INSERT INTO meeting_report_versions (report_id, version, text, submitted_by, submitted_at) VALUES (?, ?, ?, ?, ?)",
                    vec![c.id.into(), c.version.into(), c.text.into(), c.submitted_by.into(), c.submitted_at.into()],
                )
                .await?;
                exec(
                    tx.conn(),
                    "UPDATE meeting_reports SET text = ?, version = ?, submitted_by = ?, submitted_at = ? WHERE id = ?",
                    vec![text.trim().to_string().into(), (c.version + 1).into(), by.into(), now.into(), c.id.into()],
                )
                .await?;
                (c.id, c.version + 1)
            }
            None => (
                fetch_i64(
                    tx.conn(),
                    "INSERT INTO meeting_reports (meeting_id, organisation_id, text, version, submitted_by, submitted_at) \
                     VALUES (?, ?, ?, 1, ?, ?) RETURNING id",
                    vec![id.into(), org.into(), text.trim().to_string().into(), by.into(), now.into()],
                )
                .await?,
                1,
            ),
        };
        if let (Some((name, bytes)), Some(t)) = (file, checked) {
            self.keep_report_file(tx, report_id, version, &name, bytes, t)
                .await?;
        }
        tx.audit(
            "meeting.report",
            "meeting",
            id,
            json!({"organisation": org, "report": report_id, "version": version}),
        )
        .await?;
        Ok((report_id, version))
    }

    async fn keep_report_file(
        &self,
        tx: &WriteTx,
        report_id: i64,
        version: i32,
        name: &str,
        bytes: Bytes,
        t: ipfin_domain::application::FileType,
    ) -> Result<i64> {
        let size = bytes.len() as i64;
        let key = self.keep_file(tx, bytes, t).await?;
        fetch_i64(
            tx.conn(),
            "INSERT INTO meeting_report_files (report_id, version, blob_key, file_name, file_type, size, uploaded_by, uploaded_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            vec![
                report_id.into(),
                version.into(),
                key.into(),
                display_name(name).into(),
                t.code().into(),
                size.into(),
                tx.actor_user_id().into(),
                crate::now_s().into(),
            ],
        )
        .await
    }

    /// Adds an attachment to the caller's organisation's current report (the report must have
    /// been submitted). The type is judged by content.
    pub async fn add_report_file(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        org_id: Option<OrgId>,
        id: i64,
        name: &str,
        bytes: Bytes,
    ) -> Result<i64> {
        let (_, org) = Self::reporting_unit(tx, scope, org_id, id).await?;
        let t = check_upload("工作汇报附件", FileKinds::Document, &bytes).map_err(|m| {
            invalid(FieldError {
                field: "file",
                msg: m,
            })
        })?;
        #[derive(FromQueryResult)]
        struct Current {
            id: i64,
            version: i32,
        }
        let c: Current = fetch_opt(
            tx.conn(),
            "SELECT id, version FROM meeting_reports WHERE meeting_id = ? AND organisation_id = ?",
            vec![id.into(), org.into()],
        )
        .await?
        .ok_or_else(|| {
            StoreError::conflict(
                "meeting.report_first",
                "请先提交工作汇报正文，再上传附件。",
                "Submit the report's text before its attachments.",
            )
        })?;
        let fid = self
            .keep_report_file(tx, c.id, c.version, name, bytes, t)
            .await?;
        tx.audit(
            "meeting.report_file",
            "meeting",
            id,
            json!({"organisation": org, "report": c.id, "file": fid, "type": t.code()}),
        )
        .await?;
        Ok(fid)
    }

    /// An attachment of a report the caller may see, with its bytes.
    pub async fn report_file(
        &self,
        scope: &Scope,
        org_id: Option<OrgId>,
        id: i64,
        file_id: i64,
    ) -> Result<(ReportFile, Bytes)> {
        let m = self.meeting(scope, org_id, id).await?;
        let f = m
            .reports
            .iter()
            .flat_map(|r| r.files.iter())
            .find(|f| f.id == file_id)
            .cloned()
            .ok_or(StoreError::NotFound)?;
        let bytes = self.blobs().get(&f.blob_key).await?;
        Ok((f, bytes))
    }

    /// Raises a tracked issue at a meeting (lead officers): the owner is an invited unit or the
    /// district's lead department; the owner is notified.
    pub async fn raise_issue(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        id: i64,
        input: NewIssue,
    ) -> Result<i64> {
        let m = Self::managed(tx, scope, id).await?;
        check_text("title", "事项名称", &input.title, 200).map_err(invalid)?;
        let detail = clean(input.detail);
        if let Some(d) = &detail {
            check_text("detail", "事项说明", d, MAX_TEXT).map_err(invalid)?;
        }
        let due = input.due_on.ok_or_else(|| {
            invalid(FieldError::new(
                "due_on",
                "issue.due_required",
                "请填写办理期限（YYYY-MM-DD）。",
                "Give the due date (YYYY-MM-DD).",
            ))
        })?;
        check_due(due, m.meeting_date).map_err(invalid)?;
        let invited = i64::from(
            invited_orgs(tx.conn(), id)
                .await?
                .contains(&input.owner_org_id),
        );
        let today = crate::today_shanghai();
        let lead = fetch_i64(
            tx.conn(),
            "SELECT COUNT(*) FROM lead_designations WHERE district_code = ? AND organisation_id = ? AND from_date <= ? \
             AND (to_date IS NULL OR to_date > ?)",
            vec![m.district_code.clone().into(), input.owner_org_id.into(), today.into(), today.into()],
        )
        .await?;
        if invited == 0 && lead == 0 {
            return Err(invalid(FieldError::new(
                "owner_org_id",
                "issue.owner",
                "责任单位须是本次会议的受邀单位或本区牵头部门。",
                "The owner must be an invited unit or the district's lead department.",
            )));
        }
        let now = crate::now_s();
        let issue = fetch_i64(
            tx.conn(),
            "INSERT INTO meeting_issues (meeting_id, district_code, title, detail, owner_org_id, due_on, status, created_by, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            vec![
                id.into(),
                m.district_code.clone().into(),
                input.title.trim().to_string().into(),
                detail.into(),
                input.owner_org_id.into(),
                due.into(),
                IssueStatus::Open.code().into(),
                tx.actor_user_id().into(),
                now.into(),
                now.into(),
            ],
        )
        .await?;
        notify(
            tx,
            input.owner_org_id,
            (
                format!(
                    "“{}”提出的事项“{}”由贵单位办理，期限 {}。",
                    m.title,
                    input.title.trim(),
                    ipfin_domain::format::date_zh(due)
                ),
                format!(
                    "“{}”: the issue “{}” is yours to handle by {}.",
                    m.title,
                    input.title.trim(),
                    ipfin_domain::format::date(due, ipfin_domain::Lang::En)
                ),
            ),
            id,
        )
        .await?;
        tx.audit(
            "meeting.issue",
            "meeting",
            id,
            json!({"issue": issue, "owner": input.owner_org_id, "due_on": due}),
        )
        .await?;
        Ok(issue)
    }

    /// The tracked issues the caller sees: the city all (or those escalated), a district its
    /// own, any other unit those it owns ("my tracked items"). `org_id` is the caller's
    /// organisation; `mine` confines a district's departments to their own items too.
    pub async fn issues(
        &self,
        scope: &Scope,
        org_id: Option<OrgId>,
        status: Option<IssueStatus>,
        mine: bool,
    ) -> Result<Vec<Issue>> {
        let (mut cond, mut values) = crate::visibility::condition(scope, Records::MeetingIssues);
        if mine && !scope.is_city() {
            cond.push_str(" AND s.owner_org_id = ?");
            values.push(org_id.map_or(-1, OrgId::get).into());
        }
        if let Some(s) = status {
            cond.push_str(" AND s.status = ?");
            values.push(s.code().into());
        }
        fetch_all(
            self.conn(),
            &format!("{ISSUE_SELECT} WHERE {cond} ORDER BY s.due_on, s.id LIMIT 500"),
            values,
        )
        .await
    }

    /// One tracked issue the caller sees (the city all, a district its own, a unit those it
    /// owns); otherwise `NotFound`.
    pub async fn issue(&self, scope: &Scope, id: i64) -> Result<Issue> {
        let i: Issue = fetch_opt(
            self.conn(),
            &format!("{ISSUE_SELECT} WHERE s.id = ?"),
            vec![id.into()],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
        if issue_reached(scope, &i) {
            Ok(i)
        } else {
            Err(StoreError::NotFound)
        }
    }

    /// Moves a tracked issue (domain status machine): the district's lead officers, the owner
    /// unit, or the city for escalated issues. Not visible → `NotFound`; visible but not the
    /// caller's to move → `Forbidden`.
    pub async fn move_issue(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        org_id: Option<OrgId>,
        issue_id: i64,
        to: IssueStatus,
        note: Option<String>,
    ) -> Result<()> {
        let i: Issue = fetch_opt(
            tx.conn(),
            &format!("{ISSUE_SELECT} WHERE s.id = ?"),
            vec![issue_id.into()],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
        let by = match mover(scope, org_id, &i) {
            Some(by) => by,
            None if scope.reads_district(&i.district_code) => {
                return Err(StoreError::forbidden(
                    "issue.not_owner",
                    "只有责任单位和区牵头部门可以办理该事项。",
                    "Only the owner unit and the lead department move this issue.",
                ));
            }
            None => return Err(StoreError::NotFound),
        };
        let from = i.status();
        let note = clean(note);
        transition(from, to, by, note.as_deref()).map_err(invalid)?;
        let now = crate::now_s();
        exec(
            tx.conn(),
            "UPDATE meeting_issues SET status = ?, resolution_note = COALESCE(?, resolution_note), updated_at = ? WHERE id = ?",
            vec![to.code().into(), note.clone().into(), now.into(), issue_id.into()],
        )
        .await?;
        exec(
            tx.conn(),
            "INSERT INTO meeting_issue_events (issue_id, at, user_id, from_status, to_status, note) VALUES (?, ?, ?, ?, ?, ?)",
            vec![issue_id.into(), now.into(), tx.actor_user_id().into(), from.code().into(), to.code().into(), note.clone().into()],
        )
        .await?;
        tx.audit(
            "meeting.issue_status",
            "meeting_issue",
            issue_id,
            json!({"from": from.code(), "to": to.code(), "note": note}),
        )
        .await?;
        Ok(())
    }

    /// Saves the minutes' draft (lead officers; until published).
    pub async fn save_minutes(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        id: i64,
        text: &str,
    ) -> Result<()> {
        Self::managed(tx, scope, id).await?;
        check_text("minutes", "会议纪要", text, MAX_TEXT).map_err(invalid)?;
        exec(
            tx.conn(),
            "UPDATE meetings SET minutes = ?, updated_at = ? WHERE id = ?",
            vec![
                text.trim().to_string().into(),
                crate::now_s().into(),
                id.into(),
            ],
        )
        .await?;
        tx.audit(
            "meeting.minutes",
            "meeting",
            id,
            json!({"chars": text.trim().chars().count()}),
        )
        .await?;
        Ok(())
    }

    /// Records who chaired the meeting and who took the record (lead officers, until the minutes
    /// are published): `None` keeps the stored value, an empty text clears it. Each at most 100
    /// characters.
    pub async fn set_minutes_roles(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        id: i64,
        chair: Option<&str>,
        recorder: Option<&str>,
    ) -> Result<()> {
        let r = Self::managed(tx, scope, id).await?;
        let chair = match chair {
            Some(c) => clean(Some(c.to_string())),
            None => r.chair,
        };
        let recorder = match recorder {
            Some(c) => clean(Some(c.to_string())),
            None => r.recorder,
        };
        for (field, label, value) in [
            ("chair", "主持人", &chair),
            ("recorder", "记录人", &recorder),
        ] {
            if let Some(v) = value {
                check_text(field, label, v, 100).map_err(invalid)?;
            }
        }
        exec(
            tx.conn(),
            "UPDATE meetings SET chair = ?, recorder = ?, updated_at = ? WHERE id = ?",
            vec![
                chair.clone().into(),
                recorder.clone().into(),
                crate::now_s().into(),
                id.into(),
            ],
        )
        .await?;
        tx.audit(
            "meeting.minutes_roles",
            "meeting",
            id,
            json!({"chair": chair, "recorder": recorder}),
        )
        .await?;
        Ok(())
    }

    /// Publishes the minutes to every invited unit (lead officers): irreversible, so it needs
    /// `confirm`; the meeting must be held and the minutes written. Each participant is notified.
    pub async fn publish_minutes(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        id: i64,
        confirm: bool,
    ) -> Result<usize> {
        let m = Self::managed(tx, scope, id).await?;
        if m.status != MeetingStatus::Held.code() {
            return Err(StoreError::conflict(
                "meeting.not_held",
                "会议尚未登记出席情况（未召开），不能发布纪要。",
                "Record the attendance before publishing the minutes.",
            ));
        }
        if m.minutes.as_deref().map(str::trim).unwrap_or("").is_empty() {
            return Err(invalid(FieldError::new(
                "minutes",
                "meeting.minutes_empty",
                "请先填写并保存会议纪要，再发布。",
                "Write and save the minutes before publishing them.",
            )));
        }
        if !confirm {
            return Err(invalid(FieldError::new(
                "confirm",
                "confirm.required",
                "纪要发布后不可撤回或修改，并将通知全部参会单位：请勾选“我已确认”后再发布。",
                "Publishing cannot be undone and notifies every participant: tick “I confirm”.",
            )));
        }
        let now = crate::now_s();
        exec(
            tx.conn(),
            "UPDATE meetings SET minutes_published_at = ?, minutes_published_by = ?, updated_at = ? WHERE id = ?",
            vec![now.into(), tx.actor_user_id().into(), now.into(), id.into()],
        )
        .await?;
        let invited: Vec<OrgId> = invited_orgs(tx.conn(), id).await?;
        for o in &invited {
            notify(
                tx,
                *o,
                (
                    format!("“{}”的会议纪要已发布，请查阅。", m.title),
                    format!("The minutes of “{}” are published.", m.title),
                ),
                id,
            )
            .await?;
        }
        tx.audit(
            "meeting.publish",
            "meeting",
            id,
            json!({"notified": invited}),
        )
        .await?;
        Ok(invited.len())
    }

    /// The quarters of `year` in which each district in scope held a meeting (R1.2 conformance).
    pub async fn held_quarters(
        &self,
        scope: &Scope,
        year: i32,
    ) -> Result<BTreeMap<String, BTreeSet<u32>>> {
        #[derive(FromQueryResult)]
        struct Row {
            district_code: String,
            quarter: String,
        }
        let (cond, mut values) = crate::visibility::condition(scope, Records::Meetings);
        values.push(MeetingStatus::Held.code().into());
        values.push(format!("{year}Q%").into());
        let rows: Vec<Row> = fetch_all(
            self.conn(),
            &format!(
                "SELECT DISTINCT m.district_code, m.quarter FROM meetings m WHERE {cond} AND m.status = ? AND m.quarter LIKE ?"
            ),
            values,
        )
        .await?;
        let mut out: BTreeMap<String, BTreeSet<u32>> = BTreeMap::new();
        for r in rows {
            if let Ok(q) = Quarter::parse(&r.quarter) {
                out.entry(r.district_code).or_default().insert(q.q);
            }
        }
        Ok(out)
    }

    /// Meetings awaiting the caller's organisation's work report: invited, no report yet, not
    /// held yet (a report comes before or at the meeting; the home page's to-do list).
    pub async fn reports_due(
        &self,
        scope: &Scope,
        org_id: Option<OrgId>,
    ) -> Result<Vec<MeetingSummary>> {
        let Some(org) = org_id else {
            return Ok(vec![]);
        };
        let (cond, mut values) = crate::visibility::condition(scope, Records::Meetings);
        values.push(org.into());
        values.push(org.into());
        fetch_all(
            self.conn(),
            &format!(
                "SELECT m.id, m.district_code, d.name AS district_name, m.quarter, m.title, m.meeting_date, m.status, m.minutes_published_at \
                 {MEETING_FROM} WHERE {cond} AND m.status = 'scheduled' AND m.minutes_published_at IS NULL \
                 AND EXISTS (SELECT 1 FROM meeting_invitations i WHERE i.meeting_id = m.id AND i.organisation_id = ?) \
                 AND NOT EXISTS (SELECT 1 FROM meeting_reports r WHERE r.meeting_id = m.id AND r.organisation_id = ?) \
                 ORDER BY m.meeting_date, m.id LIMIT 20"
            ),
            values,
        )
        .await
    }
}

/// In which capacity the caller may move an issue, if at all: the city, the district's lead
/// officers, or the owner unit's users.
pub fn mover(scope: &Scope, org_id: Option<OrgId>, i: &Issue) -> Option<IssueMover> {
    let owner = scope.acting_organisation(org_id) == Some(i.owner_org_id);
    if scope.is_city() {
        Some(IssueMover::City)
    } else if scope.leads_district(&i.district_code) {
        Some(IssueMover::Lead)
    } else if owner && issue_reached(scope, i) {
        Some(IssueMover::Owner)
    } else {
        None
    }
}

/// Whether the scope reaches a tracked issue (the in-memory twin of the list's condition).
fn issue_reached(scope: &Scope, i: &Issue) -> bool {
    scope
        .reach(Records::MeetingIssues)
        .admits(&ipfin_domain::visibility::RecordFacts {
            district: Some(&i.district_code),
            published: false,
            parties: &[(ipfin_domain::visibility::Party::Owner, i.owner_org_id)],
        })
}

/// The statuses the caller may move an issue to next.
pub fn next_statuses(scope: &Scope, org_id: Option<OrgId>, i: &Issue) -> Vec<IssueStatus> {
    match mover(scope, org_id, i) {
        Some(by) => IssueStatus::ALL
            .iter()
            .copied()
            .filter(|to| ipfin_domain::meeting::allowed(i.status(), *to, by))
            .collect(),
        None => vec![],
    }
}

/// The organisations invited to a meeting.
async fn invited_orgs<C: ConnectionTrait>(conn: &C, meeting_id: i64) -> Result<Vec<OrgId>> {
    Ok(fetch_all::<InvitedOrg, _>(
        conn,
        "SELECT organisation_id AS id FROM meeting_invitations WHERE meeting_id = ? ORDER BY organisation_id",
        vec![meeting_id.into()],
    )
    .await?
    .into_iter()
    .map(|o| o.id)
    .collect())
}

#[derive(FromQueryResult)]
struct InvitedOrg {
    id: OrgId,
}

#[derive(FromQueryResult)]
struct DistrictName {
    name: String,
}

/// A notification to one organisation, linking to the meeting.
async fn notify(
    tx: &WriteTx,
    org_id: OrgId,
    text: impl Into<crate::notification::NoteText>,
    meeting_id: i64,
) -> Result<()> {
    crate::notification::notify(
        tx.conn(),
        Some(org_id),
        None,
        None,
        text,
        format!("/meetings/{meeting_id}"),
    )
    .await
}

/// The organisation with this exact name (demo seeding).
async fn org_named(tx: &WriteTx, name: &str) -> Result<OrgId> {
    fetch_i64(
        tx.conn(),
        "SELECT id FROM organisations WHERE name = ?",
        vec![name.to_string().into()],
    )
    .await
    .map(OrgId::new)
}

/// Demo data (issue #8): 南山区's meetings of 2026 — Q1 and Q2 held; Q3 held with the finance
/// bureau, both banks and the service station invited, three reports, two issues (one resolved
/// with a note, one escalated to the city) and published minutes. Small and deterministic.
pub(crate) async fn seed_demo(store: &Store, tx: &mut WriteTx) -> Result<()> {
    let lead_scope = Scope::District {
        code: "440305".into(),
        manage: true,
    };
    let lead = org_named(tx, "南山区市场监督管理局").await?;
    let finance = org_named(tx, "南山区财政局").await?;
    let bank = org_named(tx, "深南银行深圳分行").await?;
    let bank2 = org_named(tx, "鹏城商业银行").await?;
    let station = org_named(tx, "南山知识产权金融服务站").await?;
    // Demo dates are fixed; their quarters may lie in the far past when the demo is loaded later.
    let today =
        crate::today_shanghai().max(NaiveDate::from_ymd_opt(2026, 11, 28).unwrap_or_default());
    let d = |m: u32, day: u32| NaiveDate::from_ymd_opt(2026, m, day);
    for (quarter, date) in [("2026Q1", d(3, 20)), ("2026Q2", d(6, 19))] {
        let id = store
            .create_meeting(
                tx,
                &lead_scope,
                Some(lead),
                NewMeeting {
                    quarter: quarter.into(),
                    date,
                    place: Some("南山区政府 5 楼 501 会议室".into()),
                    agenda:
                        "一、通报本季度质押融资进展；二、各成员单位汇报；三、研究需协调解决的问题。"
                            .into(),
                    confirm_past: true,
                    ..Default::default()
                },
                today,
            )
            .await?;
        store.invite(tx, &lead_scope, id, &[finance, bank]).await?;
        store
            .record_attendance(
                tx,
                &lead_scope,
                id,
                &[
                    Attendance {
                        organisation_id: finance,
                        attended: true,
                        attendees: None,
                    },
                    Attendance {
                        organisation_id: bank,
                        attended: true,
                        attendees: None,
                    },
                ],
                today,
            )
            .await?;
    }
    let id = store
        .create_meeting(
            tx,
            &lead_scope,
            Some(lead),
            NewMeeting {
                quarter: "2026Q3".into(),
                date: d(9, 18),
                place: Some("南山区政府 5 楼 501 会议室".into()),
                online_link: Some("https://meeting.example.cn/ns-2026q3".into()),
                agenda: "一、通报 2026 年第三季度知识产权质押融资工作进展；二、区财政局、合作银行、服务站汇报；三、研究首贷企业评估费分担和跨区质押登记问题；四、部署第四季度工作。".into(),
                confirm_past: true,
                ..Default::default()
            },
            today,
        )
        .await?;
    store
        .invite(tx, &lead_scope, id, &[finance, bank, bank2, station])
        .await?;
    let units = [
        (
            Scope::District {
                code: "440305".into(),
                manage: false,
            },
            finance,
            "区财政局：第三季度拨付质押融资贴息资金 1,280 万元，惠及企业 46 家；第四季度将按第三批申报进度安排预算。",
        ),
        (
            Scope::Institution { org_id: bank },
            bank,
            "深南银行深圳分行：第三季度新增知识产权质押贷款 23 笔、金额 2.1 亿元，其中首贷企业 9 家；建议简化评估报告要求。",
        ),
        (
            Scope::Institution { org_id: bank2 },
            bank2,
            "鹏城商业银行：第三季度新增知识产权质押贷款 11 笔、金额 0.8 亿元；跨区企业质押登记办理时间偏长。",
        ),
    ];
    for (scope, org, text) in units {
        store
            .submit_report(tx, &scope, Some(org), id, text, None)
            .await?;
    }
    store
        .record_attendance(
            tx,
            &lead_scope,
            id,
            &[
                Attendance {
                    organisation_id: finance,
                    attended: true,
                    attendees: Some("王财政（副局长）".into()),
                },
                Attendance {
                    organisation_id: bank,
                    attended: true,
                    attendees: Some("李信贷、陈客户经理".into()),
                },
                Attendance {
                    organisation_id: bank2,
                    attended: true,
                    attendees: Some("周经理".into()),
                },
                Attendance {
                    organisation_id: station,
                    attended: false,
                    attendees: None,
                },
            ],
            today,
        )
        .await?;
    let resolved = store
        .raise_issue(
            tx,
            &lead_scope,
            id,
            NewIssue {
                title: "首贷企业评估费分担办法".into(),
                detail: Some("银行反映首贷企业评估费负担重，建议由区财政按比例分担。".into()),
                owner_org_id: finance,
                due_on: d(10, 31),
            },
        )
        .await?;
    let escalated = store
        .raise_issue(
            tx,
            &lead_scope,
            id,
            NewIssue {
                title: "跨区企业质押登记办理时限".into(),
                detail: Some("注册地在外区的企业办理质押登记需往返两地，影响放款时间。".into()),
                owner_org_id: lead,
                due_on: d(10, 31),
            },
        )
        .await?;
    let finance_scope = Scope::District {
        code: "440305".into(),
        manage: false,
    };
    store
        .move_issue(
            tx,
            &finance_scope,
            Some(finance),
            resolved,
            IssueStatus::InProgress,
            None,
        )
        .await?;
    store
        .move_issue(
            tx,
            &finance_scope,
            Some(finance),
            resolved,
            IssueStatus::Resolved,
            Some(
                "区财政局已印发分担办法：首贷企业评估费由区财政承担 50%，自 10 月 1 日起执行。"
                    .into(),
            ),
        )
        .await?;
    store
        .move_issue(
            tx,
            &lead_scope,
            Some(lead),
            escalated,
            IssueStatus::InProgress,
            None,
        )
        .await?;
    store
        .move_issue(
            tx,
            &lead_scope,
            Some(lead),
            escalated,
            IssueStatus::Escalated,
            Some("涉及市级登记窗口的办理权限，需市市场监管局协调各区统一办理。".into()),
        )
        .await?;
    store
        .save_minutes(
            tx,
            &lead_scope,
            id,
            "2026 年 9 月 18 日，南山区召开第三季度知识产权质押融资工作会议。区财政局、深南银行深圳分行、鹏城商业银行汇报了第三季度工作。会议议定：一、首贷企业评估费由区财政分担，区财政局负责，10 月底前出台办法；二、跨区质押登记时限问题提请市级协调。",
        )
        .await?;
    store
        .set_minutes_roles(
            tx,
            &lead_scope,
            id,
            Some("南山区市场监督管理局副局长 李明"),
            Some("南山区市场监督管理局知识产权科 王芳"),
        )
        .await?;
    store.publish_minutes(tx, &lead_scope, id, true).await?;
    Ok(())
}
