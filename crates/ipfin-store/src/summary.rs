//! District summaries and information reporting (SPEC §8 R4.4; issue #8 item 4). A district's
//! lead officers keep one draft per period, pre-filled with the results generated from the
//! statistics (the figures kept as the snapshot the text came from), and submit it to the city
//! as revision 1, 2, …; every revision is kept and the latest is current. The city comments on
//! a revision and requests more information (信息报送) with a due date; the district answers
//! with text and an optional attachment, which closes the request. Member departments read
//! their district's submitted summaries; no one else sees any. Every check runs before the
//! first write: a refused input changes nothing.

use crate::column::JsonText;
use crate::db::{exec, fetch_all, fetch_i64, fetch_opt};
use crate::error::{Result, StoreError};
use crate::{Store, WriteTx};
use bytes::Bytes;
use chrono::NaiveDate;
use ipfin_domain::application::files::{check_upload, display_name};
use ipfin_domain::org::Scope;
use ipfin_domain::policy::materials::FileKinds;
use ipfin_domain::stats::{Quarter, yoy_pct};
use ipfin_domain::summary::{
    Figures, Period, Sections, TargetFigure, check_answer, check_comment, check_period,
    check_request, check_sections, results_text,
};
use ipfin_domain::{FieldError, Msg};
use sea_orm::{ConnectionTrait, FromQueryResult};
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;

/// A summary: the open draft (`revision` None) or a submitted revision.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub id: i64,
    pub district_code: String,
    pub district_name: String,
    pub period: Period,
    pub revision: Option<i32>,
    pub sections: Sections,
    /// The statistics the results text was generated from.
    pub figures: Figures,
    pub updated_at: i64,
    pub submitted_at: Option<i64>,
    pub submitted_by_name: Option<String>,
    pub comments: Vec<Comment>,
}

#[derive(FromQueryResult)]
struct SummaryDb {
    id: i64,
    district_code: String,
    district_name: String,
    period: String,
    revision: Option<i32>,
    measures: String,
    results: String,
    highlights: String,
    problems: String,
    next_steps: String,
    figures: JsonText<Figures>,
    updated_at: i64,
    submitted_at: Option<i64>,
    submitted_by_name: Option<String>,
}

impl SummaryDb {
    fn into_summary(self) -> Result<Summary> {
        Ok(Summary {
            id: self.id,
            period: Period::parse(&self.period)
                .map_err(|_| StoreError::Internal(format!("bad period {}", self.period)))?,
            district_code: self.district_code,
            district_name: self.district_name,
            revision: self.revision,
            sections: Sections {
                measures: self.measures,
                results: self.results,
                highlights: self.highlights,
                problems: self.problems,
                next_steps: self.next_steps,
            },
            figures: self.figures.into_inner(),
            updated_at: self.updated_at,
            submitted_at: self.submitted_at,
            submitted_by_name: self.submitted_by_name,
            comments: Vec::new(),
        })
    }
}

const SUMMARY_SELECT: &str = "SELECT s.id, s.district_code, d.name AS district_name, s.period, s.revision, s.measures, \
     s.results, s.highlights, s.problems, s.next_steps, s.figures, s.updated_at, s.submitted_at, s.submitted_by_name \
     FROM summaries s JOIN districts d ON d.code = s.district_code";

/// The city's comment on a submitted revision.
#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct Comment {
    pub id: i64,
    pub summary_id: i64,
    pub text: String,
    pub author_name: String,
    pub created_at: i64,
}

/// An information request (信息报送) of the city to a district for a period, with its answer.
#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct InfoRequest {
    pub id: i64,
    pub district_code: String,
    pub period: String,
    pub text: String,
    pub due_on: NaiveDate,
    pub created_at: i64,
    pub answer: Option<String>,
    pub file_name: Option<String>,
    pub file_type: Option<String>,
    pub file_size: Option<i64>,
    pub answered_by_name: Option<String>,
    pub answered_at: Option<i64>,
}

impl InfoRequest {
    pub fn open(&self) -> bool {
        self.answered_at.is_none()
    }
}

const REQUEST_SELECT: &str = "SELECT id, district_code, period, text, due_on, created_at, answer, file_name, file_type, \
     file_size, answered_by_name, answered_at FROM summary_requests";

/// A district's summaries of one period as the caller may see them.
#[derive(Debug, Clone, Serialize)]
pub struct PeriodSummaries {
    pub district_code: String,
    pub district_name: String,
    pub period: Period,
    /// The open draft: the district's lead officers only.
    pub draft: Option<Summary>,
    /// Submitted revisions, the latest (current) first, each with the city's comments.
    pub revisions: Vec<Summary>,
    pub requests: Vec<InfoRequest>,
}

/// One cell of the city's overview: a district's summary of a period.
#[derive(Debug, Clone, Default, Serialize)]
pub struct OverviewCell {
    pub period: String,
    /// The current revision, if any was submitted.
    pub revision: Option<i32>,
    pub summary_id: Option<i64>,
    pub submitted_at: Option<i64>,
    /// When revision 1 was submitted (on-time checks).
    pub first_submitted_at: Option<i64>,
    pub open_requests: i64,
    /// A draft exists (shown to the district's lead officers only).
    pub draft: bool,
}

/// One district's row of the overview.
#[derive(Debug, Clone, Serialize)]
pub struct OverviewRow {
    pub district_code: String,
    pub district_name: String,
    pub cells: Vec<OverviewCell>,
}

/// What a submission produced.
#[derive(Debug, Clone, Serialize)]
pub struct Submitted {
    pub id: i64,
    pub revision: i32,
    /// Revision 2 or later: it replaces an earlier submission (which is kept).
    pub is_revision: bool,
}

/// An answer's attachment.
#[derive(Debug, Clone)]
pub struct AnswerFile {
    pub file_name: String,
    pub file_type: String,
    pub bytes: Bytes,
}

/// `NotFound` outside the district, `Forbidden` for anyone but its lead officers.
fn require_lead(scope: &Scope, district: &str) -> Result<()> {
    if !scope.reads_district(district) {
        return Err(StoreError::NotFound);
    }
    if !scope.leads_district(district) {
        return Err(only_lead());
    }
    Ok(())
}

fn only_lead() -> StoreError {
    StoreError::forbidden(
        "summary.lead_only",
        "工作总结由本区牵头部门经办人撰写和报送。",
        "Only the district's lead officers write and submit its summaries.",
    )
}

fn only_city() -> StoreError {
    StoreError::forbidden(
        "summary.city_only",
        "审阅意见和信息报送要求由市级管理部门提出。",
        "Only the city comments and requests information.",
    )
}

fn invalid(e: FieldError) -> StoreError {
    StoreError::Invalid(e)
}

/// The display name of the acting user (the audit label without one).
async fn actor_name(tx: &WriteTx) -> Result<String> {
    #[derive(FromQueryResult)]
    struct N {
        display_name: String,
    }
    if let Some(id) = tx.actor_user_id()
        && let Some(n) = fetch_opt::<N, _>(
            tx.conn(),
            "SELECT display_name FROM users WHERE id = ?",
            vec![id.into()],
        )
        .await?
    {
        return Ok(n.display_name);
    }
    Ok(tx.actor().label.clone())
}

async fn notify<C: ConnectionTrait>(
    conn: &C,
    district: Option<&str>,
    text: impl Into<crate::notification::NoteText>,
    link: String,
) -> Result<()> {
    // District notifications reach its lead officers; with neither organisation nor district
    // the notification is the city's.
    crate::notification::notify(conn, None, district, None, text, link).await
}

fn page_link(district: &str, period: Period) -> String {
    format!("/summaries/districts/{district}?period={period}")
}

async fn district_name<C: ConnectionTrait>(conn: &C, code: &str) -> Result<String> {
    #[derive(FromQueryResult)]
    struct N {
        name: String,
    }
    fetch_opt::<N, _>(
        conn,
        "SELECT name FROM districts WHERE code = ?",
        vec![code.into()],
    )
    .await?
    .map(|n| n.name)
    .ok_or(StoreError::NotFound)
}

async fn draft_in<C: ConnectionTrait>(
    conn: &C,
    district: &str,
    period: Period,
) -> Result<Option<Summary>> {
    fetch_opt::<SummaryDb, _>(
        conn,
        &format!(
            "{SUMMARY_SELECT} WHERE s.district_code = ? AND s.period = ? AND s.revision IS NULL"
        ),
        vec![district.into(), period.to_string().into()],
    )
    .await?
    .map(SummaryDb::into_summary)
    .transpose()
}

async fn comments_of<C: ConnectionTrait>(conn: &C, ids: &[i64]) -> Result<Vec<Comment>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks = vec!["?"; ids.len()].join(", ");
    fetch_all(
        conn,
        &format!(
            "SELECT id, summary_id, text, author_name, created_at FROM summary_comments WHERE summary_id IN ({marks}) ORDER BY id"
        ),
        ids.iter().map(|i| (*i).into()).collect(),
    )
    .await
}

impl Store {
    /// The figures a results section is generated from, for a district and period, read from the
    /// statistics (as the quarterly bulletin computes them: the quarter or the whole year, the
    /// same period a year earlier, the year to date, target completion and rank). Read before a
    /// write transaction opens.
    pub async fn summary_figures(
        &self,
        scope: &Scope,
        district: &str,
        period: Period,
    ) -> Result<Figures> {
        if !scope.reads_district(district) {
            return Err(StoreError::NotFound);
        }
        self.figures_of(district, period).await
    }

    /// `summary_figures` for the store's own jobs (refreshing seeded summaries).
    pub(crate) async fn figures_of(&self, district: &str, period: Period) -> Result<Figures> {
        let snap = self.snapshot(period.last_quarter()).await?;
        let districts = snap.rows.len() as u32;
        let row = snap
            .rows
            .into_iter()
            .find(|r| r.district_code == district)
            .ok_or(StoreError::NotFound)?;
        let s = &row.stats;
        let targets = row
            .completion
            .iter()
            .map(|c| TargetFigure {
                metric: c.metric,
                target: c.target,
                actual: c.actual,
                pct: c.pct,
            })
            .collect();
        let mut f = Figures {
            district_code: row.district_code.clone(),
            district_name: row.district_name.clone(),
            period: period.to_string(),
            as_of: period.last_day(),
            ytd_amount_fen: s.year_to_date.amount_fen,
            ytd_enterprises: s.year_to_date.enterprises,
            ytd_pledges: s.pledge_registrations_ytd,
            targets,
            rank: row.rank,
            districts,
            ..Default::default()
        };
        match period {
            Period::Quarter(_) => {
                f.amount_fen = s.quarter.amount_fen;
                f.loans = s.quarter.loans;
                f.enterprises = s.quarter.enterprises;
                f.first_loans = s.quarter.first_loans;
                f.pledges = s.pledge_registrations;
                f.last_year_amount_fen = s.last_year_quarter.amount_fen;
                f.yoy_amount_pct = s.yoy_amount_pct;
                f.granted_fen = s.granted_fen;
                f.disbursed_fen = s.disbursed_fen;
            }
            Period::Year(y) => {
                f.amount_fen = s.year_to_date.amount_fen;
                f.loans = s.year_to_date.loans;
                f.enterprises = s.year_to_date.enterprises;
                f.first_loans = s.year_to_date.first_loans;
                f.pledges = s.pledge_registrations_ytd;
                f.last_year_amount_fen = self
                    .quarter_stats_all(Quarter { year: y - 1, q: 4 })
                    .await?
                    .into_iter()
                    .find(|r| r.district == district)
                    .map(|r| r.year_to_date.amount_fen)
                    .unwrap_or_default();
                f.yoy_amount_pct = yoy_pct(f.amount_fen.get(), f.last_year_amount_fen.get());
                for q in 1..=4 {
                    if let Some(r) = self
                        .quarter_stats_all(Quarter { year: y, q })
                        .await?
                        .into_iter()
                        .find(|r| r.district == district)
                    {
                        f.granted_fen = f
                            .granted_fen
                            .checked_add(r.granted_fen)
                            .ok_or_else(|| StoreError::overflow("summary granted_fen"))?;
                        f.disbursed_fen = f
                            .disbursed_fen
                            .checked_add(r.disbursed_fen)
                            .ok_or_else(|| StoreError::overflow("summary disbursed_fen"))?;
                    }
                }
            }
        }
        Ok(f)
    }

    /// A district's summaries of a period: the draft for its lead officers, the submitted
    /// revisions (latest first) with comments, and the city's requests. The city and the
    /// district's own departments only; others get `NotFound`.
    pub async fn period_summaries(
        &self,
        scope: &Scope,
        district: &str,
        period: Period,
    ) -> Result<PeriodSummaries> {
        if !scope.reads_district(district) {
            return Err(StoreError::NotFound);
        }
        let district_name = district_name(self.conn(), district).await?;
        let draft = if scope.leads_district(district) {
            draft_in(self.conn(), district, period).await?
        } else {
            None
        };
        let rows: Vec<SummaryDb> = fetch_all(
            self.conn(),
            &format!(
                "{SUMMARY_SELECT} WHERE s.district_code = ? AND s.period = ? AND s.revision IS NOT NULL ORDER BY s.revision DESC"
            ),
            vec![district.into(), period.to_string().into()],
        )
        .await?;
        let mut revisions = rows
            .into_iter()
            .map(SummaryDb::into_summary)
            .collect::<Result<Vec<_>>>()?;
        let ids: Vec<i64> = revisions.iter().map(|r| r.id).collect();
        let comments = comments_of(self.conn(), &ids).await?;
        for r in &mut revisions {
            r.comments = comments
                .iter()
                .filter(|c| c.summary_id == r.id)
                .cloned()
                .collect();
        }
        let requests = fetch_all(
            self.conn(),
            &format!("{REQUEST_SELECT} WHERE district_code = ? AND period = ? ORDER BY id DESC"),
            vec![district.into(), period.to_string().into()],
        )
        .await?;
        Ok(PeriodSummaries {
            district_code: district.to_string(),
            district_name,
            period,
            draft,
            revisions,
            requests,
        })
    }

    /// One summary by id (a submitted revision; a draft only for its district's lead officers),
    /// with its comments.
    pub async fn summary(&self, scope: &Scope, id: i64) -> Result<Summary> {
        let mut s = fetch_opt::<SummaryDb, _>(
            self.conn(),
            &format!("{SUMMARY_SELECT} WHERE s.id = ?"),
            vec![id.into()],
        )
        .await?
        .ok_or(StoreError::NotFound)?
        .into_summary()?;
        if !scope.reads_district(&s.district_code)
            || (s.revision.is_none() && !scope.leads_district(&s.district_code))
        {
            return Err(StoreError::NotFound);
        }
        s.comments = comments_of(self.conn(), &[s.id]).await?;
        Ok(s)
    }

    /// Saves the district's draft for a period: creates it (the figures as given, the results
    /// text generated from them when left empty) or updates its text. `refresh` replaces the
    /// figures with those given and regenerates the results text from them.
    #[allow(clippy::too_many_arguments)]
    pub async fn save_summary_draft(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        district: &str,
        period: Period,
        today: NaiveDate,
        sections: &Sections,
        figures: &Figures,
        refresh: bool,
    ) -> Result<i64> {
        require_lead(scope, district)?;
        check_period(period, today, false).map_err(invalid)?;
        let mut s = sections.normalised();
        check_sections(&s, false).map_err(invalid)?;
        if refresh || s.results.is_empty() {
            s.results = results_text(period, figures);
        }
        let now = crate::now_s();
        let by = tx.actor_user_id();
        let existing = draft_in(tx.conn(), district, period).await?;
        let id = match existing {
            Some(d) => {
                let fig = if refresh { figures } else { &d.figures };
                exec(
                    tx.conn(),
                    "UPDATE summaries SET measures = ?, results = ?, highlights = ?, problems = ?, next_steps = ?, figures = ?, \
                     updated_by = ?, updated_at = ? WHERE id = ?",
                    vec![
                        s.measures.clone().into(),
                        s.results.clone().into(),
                        s.highlights.clone().into(),
                        s.problems.clone().into(),
                        s.next_steps.clone().into(),
                        json!(fig).to_string().into(),
                        by.into(),
                        now.into(),
                        d.id.into(),
                    ],
                )
                .await?;
                d.id
            }
            None => fetch_i64(
                tx.conn(),
                "INSERT INTO summaries (district_code, period, revision, measures, results, highlights, problems, next_steps, figures, \
                 created_by, created_at, updated_by, updated_at) VALUES (?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                vec![
                    district.into(),
                    period.to_string().into(),
                    s.measures.clone().into(),
                    s.results.clone().into(),
                    s.highlights.clone().into(),
                    s.problems.clone().into(),
                    s.next_steps.clone().into(),
                    json!(figures).to_string().into(),
                    by.into(),
                    now.into(),
                    by.into(),
                    now.into(),
                ],
            )
            .await
            .map_err(|e| {
                e.unique_as(Msg::new(
                    "summary.draft_exists",
                    "本期总结草稿刚被他人创建，请刷新页面后再保存。",
                    "Someone else just created this draft: reload and save again.",
                ))
            })?,
        };
        tx.audit(
            "summary.draft",
            "summary",
            id,
            json!({"district": district, "period": period.to_string(), "refresh": refresh}),
        )
        .await?;
        Ok(id)
    }

    /// Submits the district's summary of a period to the city (confirmation required): the
    /// sections given (or the saved draft) become the next revision, 1 for the first submission
    /// and 2, 3 … after; earlier revisions are kept. The period must have ended and every
    /// section be filled in. The city is notified.
    #[allow(clippy::too_many_arguments)]
    pub async fn submit_summary(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        district: &str,
        period: Period,
        today: NaiveDate,
        sections: Option<&Sections>,
        figures: &Figures,
        confirm: bool,
    ) -> Result<Submitted> {
        require_lead(scope, district)?;
        check_period(period, today, true).map_err(invalid)?;
        let draft = draft_in(tx.conn(), district, period).await?;
        let text = match (sections, &draft) {
            (Some(s), _) => s.normalised(),
            (None, Some(d)) => d.sections.clone(),
            (None, None) => {
                return Err(StoreError::invalid(
                    "sections",
                    "summary.no_draft",
                    format!(
                        "{}还没有总结草稿：请先填写并保存五个部分，再报送。",
                        period.zh()
                    ),
                    "There is no draft to submit: write the five sections first.",
                ));
            }
        };
        check_sections(&text, true).map_err(invalid)?;
        if !confirm {
            return Err(StoreError::invalid(
                "confirm",
                "confirm.required",
                "报送后不可撤回（如需更正只能再次报送新版本），请勾选“我已确认”后再报送。",
                "A submission cannot be withdrawn: tick “I confirm” and submit again.",
            ));
        }
        let id = match (sections, draft) {
            (None, Some(d)) => d.id,
            (Some(s), _) => {
                self.save_summary_draft(tx, scope, district, period, today, s, figures, false)
                    .await?
            }
            (None, None) => return Err(StoreError::NotFound),
        };
        let revision = fetch_i64(
            tx.conn(),
            "SELECT CAST(COALESCE(MAX(revision), 0) AS BIGINT) FROM summaries WHERE district_code = ? AND period = ?",
            vec![district.into(), period.to_string().into()],
        )
        .await? as i32
            + 1;
        let name = actor_name(tx).await?;
        exec(
            tx.conn(),
            "UPDATE summaries SET revision = ?, submitted_by = ?, submitted_by_name = ?, submitted_at = ? WHERE id = ?",
            vec![
                revision.into(),
                tx.actor_user_id().into(),
                name.into(),
                crate::now_s().into(),
                id.into(),
            ],
        )
        .await
        .map_err(|e| {
            e.unique_as(Msg::new(
                "summary.revision_taken",
                "同一期总结刚被他人报送，请刷新页面后再报送。",
                "Someone else just submitted this period: reload and submit again.",
            ))
        })?;
        let dname = district_name(tx.conn(), district).await?;
        notify(
            tx.conn(),
            None,
            if revision > 1 {
                (
                    format!(
                        "{dname}报送了{}工作总结（第 {revision} 版，更正此前版本）。",
                        period.zh()
                    ),
                    format!(
                        "{dname} submitted its summary for {} (revision {revision}, correcting the earlier one).",
                        period.en()
                    ),
                )
            } else {
                (
                    format!("{dname}报送了{}工作总结。", period.zh()),
                    format!("{dname} submitted its summary for {}.", period.en()),
                )
            },
            page_link(district, period),
        )
        .await?;
        tx.audit(
            "summary.submit",
            "summary",
            id,
            json!({"district": district, "period": period.to_string(), "revision": revision}),
        )
        .await?;
        Ok(Submitted {
            id,
            revision,
            is_revision: revision > 1,
        })
    }

    /// The city's comment on a submitted revision; the district is notified.
    pub async fn comment_summary(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        summary_id: i64,
        text: &str,
    ) -> Result<i64> {
        let s = fetch_opt::<SummaryDb, _>(
            tx.conn(),
            &format!("{SUMMARY_SELECT} WHERE s.id = ?"),
            vec![summary_id.into()],
        )
        .await?
        .ok_or(StoreError::NotFound)?
        .into_summary()?;
        if !scope.reads_district(&s.district_code) || s.revision.is_none() {
            return Err(StoreError::NotFound);
        }
        if !scope.is_city() {
            return Err(only_city());
        }
        check_comment(text).map_err(invalid)?;
        let name = actor_name(tx).await?;
        let id = fetch_i64(
            tx.conn(),
            "INSERT INTO summary_comments (summary_id, text, author_id, author_name, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
            vec![
                summary_id.into(),
                text.trim().into(),
                tx.actor_user_id().into(),
                name.into(),
                crate::now_s().into(),
            ],
        )
        .await?;
        notify(
            tx.conn(),
            Some(&s.district_code),
            (
                format!(
                    "市级管理部门对本区{}工作总结（第 {} 版）提出了审阅意见。",
                    s.period.zh(),
                    s.revision.unwrap_or(0)
                ),
                format!(
                    "The city commented on the district's summary for {} (revision {}).",
                    s.period.en(),
                    s.revision.unwrap_or(0)
                ),
            ),
            page_link(&s.district_code, s.period),
        )
        .await?;
        tx.audit(
            "summary.comment",
            "summary",
            summary_id,
            json!({"comment_id": id}),
        )
        .await?;
        Ok(id)
    }

    /// The city asks a district for more information on a period (信息报送), with a due date;
    /// the district is notified.
    #[allow(clippy::too_many_arguments)]
    pub async fn request_summary_info(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        district: &str,
        period: Period,
        text: &str,
        due_on: NaiveDate,
        today: NaiveDate,
    ) -> Result<i64> {
        if !scope.reads_district(district) {
            return Err(StoreError::NotFound);
        }
        if !scope.is_city() {
            return Err(only_city());
        }
        district_name(tx.conn(), district).await?;
        check_period(period, today, false).map_err(invalid)?;
        check_request(text, due_on, today).map_err(invalid)?;
        let id = fetch_i64(
            tx.conn(),
            "INSERT INTO summary_requests (district_code, period, text, due_on, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            vec![
                district.into(),
                period.to_string().into(),
                text.trim().into(),
                due_on.into(),
                tx.actor_user_id().into(),
                crate::now_s().into(),
            ],
        )
        .await?;
        notify(
            tx.conn(),
            Some(district),
            (
                format!(
                    "市级管理部门要求本区就{}补充报送信息，期限 {}。",
                    period.zh(),
                    ipfin_domain::format::date_zh(due_on)
                ),
                format!(
                    "The city asks the district for more information on {} by {}.",
                    period.en(),
                    ipfin_domain::format::date(due_on, ipfin_domain::Lang::En)
                ),
            ),
            page_link(district, period),
        )
        .await?;
        tx.audit(
            "summary.request",
            "summary_request",
            id,
            json!({"district": district, "period": period.to_string(), "due_on": due_on}),
        )
        .await?;
        Ok(id)
    }

    async fn request_row<C: ConnectionTrait>(
        conn: &C,
        scope: &Scope,
        id: i64,
    ) -> Result<InfoRequest> {
        let r: InfoRequest = fetch_opt(
            conn,
            &format!("{REQUEST_SELECT} WHERE id = ?"),
            vec![id.into()],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
        if !scope.reads_district(&r.district_code) {
            return Err(StoreError::NotFound);
        }
        Ok(r)
    }

    /// The open information requests the caller's district must answer (its lead officers'
    /// to-do list), earliest due first.
    pub async fn open_summary_requests(&self, scope: &Scope) -> Result<Vec<InfoRequest>> {
        let Some(district) = scope.lead_district() else {
            return Ok(vec![]);
        };
        fetch_all(
            self.conn(),
            &format!(
                "{REQUEST_SELECT} WHERE district_code = ? AND answered_at IS NULL ORDER BY due_on, id LIMIT 50"
            ),
            vec![district.to_string().into()],
        )
        .await
    }

    /// An information request the caller may see.
    pub async fn summary_request(&self, scope: &Scope, id: i64) -> Result<InfoRequest> {
        Self::request_row(self.conn(), scope, id).await
    }

    /// The district's lead officers answer an open request: text and an optional attachment
    /// (type judged by content: PDF, OFD, images, Word, Excel; at most 20 MB). Answering closes
    /// the request; the city is notified.
    pub async fn answer_summary_request(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        id: i64,
        text: &str,
        file: Option<(&str, Bytes)>,
    ) -> Result<()> {
        let r = Self::request_row(tx.conn(), scope, id).await?;
        if !scope.leads_district(&r.district_code) {
            return Err(only_lead());
        }
        if !r.open() {
            return Err(StoreError::conflict(
                "summary.request_answered",
                "该信息报送要求已经答复，不能重复答复。",
                "This request has already been answered.",
            ));
        }
        check_answer(text).map_err(invalid)?;
        let checked = match &file {
            Some((_, bytes)) => Some(check_upload("附件", FileKinds::Document, bytes).map_err(
                |m| {
                    StoreError::Invalid(FieldError {
                        field: "file",
                        msg: m,
                    })
                },
            )?),
            None => None,
        };
        let (key, name, size) = match (file, checked) {
            (Some((name, bytes)), Some(t)) => {
                let size = bytes.len() as i64;
                let key = self.keep_file(tx, bytes, t).await?;
                (Some(key), Some(display_name(name)), Some(size))
            }
            _ => (None, None, None),
        };
        let who = actor_name(tx).await?;
        exec(
            tx.conn(),
            "UPDATE summary_requests SET answer = ?, file_key = ?, file_name = ?, file_type = ?, file_size = ?, answered_by = ?, \
             answered_by_name = ?, answered_at = ? WHERE id = ? AND answered_at IS NULL",
            vec![
                text.trim().into(),
                key.into(),
                name.into(),
                checked.map(|t| t.code().to_string()).into(),
                size.into(),
                tx.actor_user_id().into(),
                who.into(),
                crate::now_s().into(),
                id.into(),
            ],
        )
        .await?;
        let period = Period::parse(&r.period)
            .map_err(|_| StoreError::Internal(format!("bad period {}", r.period)))?;
        let dname = district_name(tx.conn(), &r.district_code).await?;
        notify(
            tx.conn(),
            None,
            (
                format!("{dname}答复了{}的信息报送要求。", period.zh()),
                format!(
                    "{dname} answered the information request on {}.",
                    period.en()
                ),
            ),
            page_link(&r.district_code, period),
        )
        .await?;
        tx.audit(
            "summary.answer",
            "summary_request",
            id,
            json!({"file": checked.map(|t| t.code())}),
        )
        .await?;
        Ok(())
    }

    /// The attachment of an answered request, for the city and the district.
    pub async fn summary_request_file(&self, scope: &Scope, id: i64) -> Result<AnswerFile> {
        #[derive(FromQueryResult)]
        struct F {
            district_code: String,
            file_key: Option<String>,
            file_name: Option<String>,
            file_type: Option<String>,
        }
        let f: F = fetch_opt(
            self.conn(),
            "SELECT district_code, file_key, file_name, file_type FROM summary_requests WHERE id = ?",
            vec![id.into()],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
        if !scope.reads_district(&f.district_code) {
            return Err(StoreError::NotFound);
        }
        let (Some(key), Some(file_name), Some(file_type)) = (f.file_key, f.file_name, f.file_type)
        else {
            return Err(StoreError::NotFound);
        };
        Ok(AnswerFile {
            file_name,
            file_type,
            bytes: self.blobs().get(&key).await?,
        })
    }

    /// The districts in scope × the periods of a year (four quarters and the year): the
    /// current revision, when it was submitted, open requests, and (for the district's lead
    /// officers) whether a draft exists.
    pub async fn summary_overview(&self, scope: &Scope, year: i32) -> Result<Vec<OverviewRow>> {
        #[derive(FromQueryResult)]
        struct S {
            id: i64,
            district_code: String,
            period: String,
            revision: Option<i32>,
            submitted_at: Option<i64>,
        }
        #[derive(FromQueryResult)]
        struct R {
            district_code: String,
            period: String,
            n: i64,
        }
        let periods = Period::of_year(year);
        let codes: Vec<String> = periods.iter().map(|p| p.to_string()).collect();
        let marks = vec!["?"; codes.len()].join(", ");
        let values: Vec<sea_orm::Value> = codes.iter().map(|c| c.clone().into()).collect();
        let rows: Vec<S> = fetch_all(
            self.conn(),
            &format!(
                "SELECT id, district_code, period, revision, submitted_at FROM summaries WHERE period IN ({marks}) ORDER BY id"
            ),
            values.clone(),
        )
        .await?;
        let open: Vec<R> = fetch_all(
            self.conn(),
            &format!(
                "SELECT district_code, period, CAST(COUNT(*) AS BIGINT) AS n FROM summary_requests \
                 WHERE answered_at IS NULL AND period IN ({marks}) GROUP BY district_code, period"
            ),
            values,
        )
        .await?;
        let mut out = Vec::new();
        for d in self.districts().await? {
            if !scope.reads_district(&d.code) {
                continue;
            }
            let lead = scope.leads_district(&d.code);
            let cells = codes
                .iter()
                .map(|p| {
                    let mine: Vec<&S> = rows
                        .iter()
                        .filter(|s| s.district_code == d.code && &s.period == p)
                        .collect();
                    let current = mine
                        .iter()
                        .filter(|s| s.revision.is_some())
                        .max_by_key(|s| s.revision);
                    let first = mine.iter().find(|s| s.revision == Some(1));
                    OverviewCell {
                        period: p.clone(),
                        revision: current.and_then(|s| s.revision),
                        summary_id: current.map(|s| s.id),
                        submitted_at: current.and_then(|s| s.submitted_at),
                        first_submitted_at: first.and_then(|s| s.submitted_at),
                        open_requests: open
                            .iter()
                            .find(|r| r.district_code == d.code && &r.period == p)
                            .map(|r| r.n)
                            .unwrap_or(0),
                        draft: lead && mine.iter().any(|s| s.revision.is_none()),
                    }
                })
                .collect();
            out.push(OverviewRow {
                district_code: d.code,
                district_name: d.name,
                cells,
            });
        }
        Ok(out)
    }

    /// The periods of a year each district in scope has submitted a summary for, with the time
    /// of the first submission: the evidence of the conformance matrix's R4.4 cell.
    pub async fn summaries_submitted(
        &self,
        scope: &Scope,
        year: i32,
    ) -> Result<BTreeMap<String, Vec<(Period, NaiveDate)>>> {
        let offset = chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
        let mut out: BTreeMap<String, Vec<(Period, NaiveDate)>> = BTreeMap::new();
        for row in self.summary_overview(scope, year).await? {
            let got = row
                .cells
                .iter()
                .filter_map(|c| {
                    let at = chrono::DateTime::from_timestamp(c.first_submitted_at?, 0)?;
                    Some((
                        Period::parse(&c.period).ok()?,
                        at.with_timezone(&offset).date_naive(),
                    ))
                })
                .collect();
            out.insert(row.district_code, got);
        }
        Ok(out)
    }
}

impl Store {
    /// After the demo loans are loaded (`ipfin demo --scale city`): the demo's seeded summaries
    /// (written by the demo loader, no user) take the figures of the loans, so their results
    /// text matches the statistics and the bulletins. Summaries written by people are never
    /// touched. Returns how many were brought up to date.
    pub async fn refresh_demo_summaries(&self) -> Result<usize> {
        #[derive(FromQueryResult)]
        struct Seeded {
            id: i64,
            district_code: String,
            period: String,
            figures: String,
        }
        let seeded: Vec<Seeded> = fetch_all(
            self.conn(),
            "SELECT id, district_code, period, figures FROM summaries WHERE created_by IS NULL AND submitted_by IS NULL ORDER BY id",
            vec![],
        )
        .await?;
        let mut changes = Vec::new();
        for s in seeded {
            let Ok(period) = Period::parse(&s.period) else {
                continue;
            };
            let now = self.figures_of(&s.district_code, period).await?;
            if serde_json::from_str::<Figures>(&s.figures).ok().as_ref() != Some(&now) {
                changes.push((s.id, results_text(period, &now), now));
            }
        }
        if changes.is_empty() {
            return Ok(0);
        }
        let mut tx = self.write(crate::audit::AuditActor::system("demo")).await?;
        for (id, text, figures) in &changes {
            exec(
                tx.conn(),
                "UPDATE summaries SET results = ?, figures = ? WHERE id = ? AND created_by IS NULL",
                vec![
                    text.clone().into(),
                    json!(figures).to_string().into(),
                    (*id).into(),
                ],
            )
            .await?;
        }
        tx.audit(
            "demo.summaries",
            "summary",
            "demo",
            json!({"refreshed": changes.iter().map(|c| c.0).collect::<Vec<_>>()}),
        )
        .await?;
        tx.commit().await?;
        Ok(changes.len())
    }
}

/// The demo's summaries (issue #8): 南山区 (440305) has submitted its 2026 Q1–Q3 summaries,
/// the Q3 one with a city comment, an answered request and an open one; the other districts
/// have none. The demo is loaded into an empty database, so the figures are those of the
/// records loaded so far (the targets; no loans yet) until `refresh_demo_summaries` runs after
/// the demo loans.
pub(crate) async fn seed_demo(tx: &mut WriteTx, store: &Store) -> Result<()> {
    const CODE: &str = "440305";
    let lead = Scope::District {
        code: CODE.into(),
        manage: true,
    };
    let today = crate::today_shanghai();
    let name = district_name(tx.conn(), CODE).await?;
    #[derive(FromQueryResult)]
    struct T {
        metric: crate::column::Code<ipfin_domain::target::Metric>,
        value: i64,
    }
    let mut last = None;
    for q in 1..=3u32 {
        let period = Period::Quarter(Quarter { year: 2026, q });
        if !period.ended_by(today) {
            break;
        }
        let targets: Vec<T> = fetch_all(
            tx.conn(),
            "SELECT metric, value FROM district_targets WHERE district_code = ? AND year = ? ORDER BY metric",
            vec![CODE.into(), 2026.into()],
        )
        .await?;
        let figures = Figures {
            district_code: CODE.into(),
            district_name: name.clone(),
            period: period.to_string(),
            as_of: period.last_day(),
            targets: targets
                .into_iter()
                .map(|t| {
                    let m = t.metric.get();
                    TargetFigure {
                        metric: m,
                        target: t.value,
                        actual: 0,
                        pct: ipfin_domain::stats::completion_pct(0, t.value),
                    }
                })
                .collect(),
            ..Default::default()
        };
        let sections = Sections {
            measures: format!(
                "{}，区市场监管局牵头，联合区财政局、区科技创新局和区金融工作局召开质押融资工作例会，\
                 梳理高新技术企业和专精特新企业名单，向合作银行推送白名单企业；在街道服务站开展政策宣讲和“一对一”辅导。",
                period.zh()
            ),
            results: String::new(),
            highlights: "推出“知识产权+担保+保险”组合产品，首贷企业占比提升；质押登记实现线上办理、“零跑动”。".into(),
            problems: "部分小微企业知识产权估值难、银行授信审慎，商标和著作权质押占比偏低。".into(),
            next_steps: "扩大白名单推送范围，推动合作银行提高中小微企业授信额度；按季督导目标进度，确保完成年度任务。".into(),
        };
        store
            .save_summary_draft(tx, &lead, CODE, period, today, &sections, &figures, false)
            .await?;
        let s = store
            .submit_summary(tx, &lead, CODE, period, today, None, &figures, true)
            .await?;
        last = Some((s.id, period));
    }
    if let Some((id, period)) = last {
        store
            .comment_summary(
                tx,
                &Scope::City,
                id,
                "总结内容完整。请在下一步工作中进一步说明中小微企业融资占比的提升措施。",
            )
            .await?;
        let due = today + chrono::Duration::days(14);
        let answered = store
            .request_summary_info(
                tx,
                &Scope::City,
                CODE,
                period,
                "请补充报送本季度首贷企业名单及其融资金额。",
                due,
                today,
            )
            .await?;
        store
            .answer_summary_request(
                tx,
                &lead,
                answered,
                "本季度首贷企业名单已整理，详见区市场监管局报送的情况说明；合计首贷企业 3 家。",
                None,
            )
            .await?;
        store
            .request_summary_info(
                tx,
                &Scope::City,
                CODE,
                period,
                "请报送服务站“零跑动”办理质押登记的典型案例一至两个。",
                due,
                today,
            )
            .await?;
    }
    Ok(())
}
