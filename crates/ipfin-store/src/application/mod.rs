//! Applications (SPEC §3, issue #6): drafts, materials, submission with eligibility,
//! completeness and the stored calculation, acceptance with the double-dipping block and the
//! cross-check against the banks' reports, staged review with maker–checker, public notice
//! with objections, grants within the budget, disbursement, supervision and clawback.
//!
//! Every transition goes through the pure workflow table in `ipfin_domain::application` and is
//! recorded with its actor, time, comment and inputs. Scope: an applicant sees its own
//! applications; a district its own (only lead officers act); the city all, read-only.
//!
//! One file per concern: `draft` (create, update, files, vault), `read` (detail, lists,
//! queue), `review` (submit, withdraw, accept, return, refuse, staged review), `notice` (public
//! notice and objections), `grant` (grants within the budget at the end of a notice,
//! disbursement), `supervision` (checks, overdue supplements, investigations, clawbacks) and
//! `simulation`. This file holds the rows and the helpers they share.

mod draft;
mod duties;
mod eligibility;
mod figures;
mod grant;
mod notice;
mod payment;
mod read;
mod review;
mod simulation;
mod supervision;

pub use crate::notification::Notification;
pub use grant::{BatchAwaiting, BatchKey};
pub use payment::PayeeRow;
pub use supervision::DistrictCheckSchedule;

use crate::notification::notify;

use crate::column::{Code, CodeList};
use crate::db::{exec, fetch_one, fetch_opt};
use crate::error::{Result, StoreError};
use crate::{Store, WriteTx};
use bytes::Bytes;
use chrono::NaiveDate;
use ipfin_domain::application::{Action, Actor, Difference, Kind, Line, SlotDef, State, Workflow};
use ipfin_domain::org::Scope;
use ipfin_domain::policy::rules::Item;
use ipfin_domain::visibility::{Party, Reach, Records};
use ipfin_domain::{Fen, FieldError, Msg, OrgId};
use sea_orm::{ConnectionTrait, FromQueryResult};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// What an application claims, beyond its kind and items.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Body {
    /// Enterprise fee applications: the loans.
    #[serde(default)]
    pub lines: Vec<Line>,
    /// Securitisation: which year of the securitised financing (1 = the first).
    #[serde(default)]
    pub year_number: Option<u32>,
    /// Securitisation: interest paid in the year, fen.
    #[serde(default)]
    pub interest_paid_fen: Fen,
    /// Securitisation: guarantee fee paid in the year, fen.
    #[serde(default)]
    pub guarantee_fee_fen: Fen,
    /// Securitisation: the product's name and issuer.
    #[serde(default)]
    pub product: String,
}

/// A new draft.
#[derive(Debug, Clone)]
pub struct NewApplication {
    pub kind: Kind,
    pub policy_version_id: i64,
    /// The batch applied in; `None`: the batch open today.
    pub batch: Option<String>,
    pub items: Vec<Item>,
    pub body: Body,
}

impl NewApplication {
    /// An enterprise fee application for the interest (贷款贴息) of `lines`, in the batch open
    /// on the day it is created.
    pub fn interest(policy_version_id: i64, lines: Vec<Line>) -> NewApplication {
        NewApplication {
            kind: Kind::EnterpriseFee,
            policy_version_id,
            batch: None,
            items: vec![Item::Interest],
            body: Body {
                lines,
                ..Default::default()
            },
        }
    }
}

#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct ApplicationRow {
    pub id: i64,
    pub number: Option<String>,
    pub kind: Code<Kind>,
    pub district_code: String,
    pub policy_version_id: i64,
    pub policy_title: String,
    pub policy_year: i32,
    pub batch_name: String,
    pub applicant_org_id: OrgId,
    pub applicant_name: String,
    pub enterprise_id: Option<i64>,
    pub state: Code<State>,
    pub stage: Option<String>,
    /// The items applied for, decoded when the row is loaded (an unknown code is an error).
    pub items: CodeList<Item>,
    pub computed_fen: Fen,
    pub approved_fen: Option<Fen>,
    pub granted_fen: Option<Fen>,
    pub disbursed_fen: Fen,
    pub return_note: Option<String>,
    pub return_deadline: Option<NaiveDate>,
    pub created_at: i64,
    pub submitted_at: Option<i64>,
    pub accepted_at: Option<i64>,
    pub updated_at: i64,
}

impl ApplicationRow {
    pub fn kind(&self) -> Kind {
        self.kind.get()
    }
    pub fn state(&self) -> State {
        self.state.get()
    }
    pub fn item_list(&self) -> Vec<Item> {
        self.items.values().to_vec()
    }
    /// The number, or 草稿 for a draft that has none yet.
    pub fn label(&self) -> String {
        self.number
            .clone()
            .unwrap_or_else(|| format!("草稿 #{}", self.id))
    }
}

const COLS: &str = "a.id, a.number, a.kind, a.district_code, a.policy_version_id, p.title AS policy_title, \
    a.policy_year, a.batch_name, a.applicant_org_id, o.name AS applicant_name, a.enterprise_id, a.state, a.stage, a.items, \
    a.computed_fen, a.approved_fen, a.granted_fen, a.disbursed_fen, a.return_note, a.return_deadline, a.created_at, \
    a.submitted_at, a.accepted_at, a.updated_at";
const FILE_COLS: &str = "id, slot, blob_key, file_name, file_type, size, uploaded_at";
const FROM: &str = "FROM applications a JOIN organisations o ON o.id = a.applicant_org_id \
    JOIN policy_versions p ON p.id = a.policy_version_id";

#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct ItemRow {
    pub item: String,
    pub computed_fen: Fen,
    pub approved_fen: Option<Fen>,
    pub reason: Option<String>,
    pub granted_fen: Option<Fen>,
}

#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct EventRow {
    pub id: i64,
    pub at: i64,
    pub actor_name: String,
    pub action: String,
    pub from_state: String,
    pub to_state: String,
    pub stage: Option<String>,
    pub comment: String,
    /// The person who acted (or the API token's name), when a person or token acted.
    pub person: Option<String>,
    /// Their organisation.
    pub organisation: Option<String>,
}

impl EventRow {
    /// Who acted, as people read it: 南山区经办人（演示）（南山区市场监督管理局）, or 系统 for the
    /// background jobs.
    pub fn who(&self) -> String {
        match (&self.person, &self.organisation) {
            (Some(p), Some(o)) => format!("{p}（{o}）"),
            (Some(p), None) => p.clone(),
            _ if self.actor_name.starts_with("system:") => "系统".into(),
            _ => self.actor_name.clone(),
        }
    }
}

#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct FileRow {
    pub id: i64,
    pub slot: String,
    pub blob_key: String,
    pub file_name: String,
    pub file_type: String,
    pub size: i64,
    pub uploaded_at: i64,
}

#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct VaultDoc {
    pub id: i64,
    pub slot: String,
    pub blob_key: String,
    pub file_name: String,
    pub file_type: String,
    pub size: i64,
    pub valid_until: NaiveDate,
}

#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct PaymentRow {
    pub id: i64,
    pub paid_on: NaiveDate,
    pub amount_fen: Fen,
    pub reference: String,
}

#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct CheckRow {
    pub id: i64,
    pub due_on: NaiveDate,
    pub done_at: Option<i64>,
    pub outcome: Option<String>,
    pub findings: Option<String>,
    /// `scheduled` (from the district's schedule) or `ad_hoc` (run by an officer).
    pub kind: String,
    /// What a scheduled check's date rests on (`days:180`, `maturity`).
    pub basis: Option<String>,
}

impl CheckRow {
    /// 定期检查（拨付后 180 天） / 临时检查, for the page.
    pub fn label(&self, lang: ipfin_domain::Lang) -> String {
        use ipfin_domain::application::checks::{Basis, CheckKind};
        // An unknown stored code is shown as it is stored, never as another kind.
        let Some(kind) = CheckKind::from_code(&self.kind) else {
            return self.kind.clone();
        };
        let basis = self.basis.as_deref().and_then(Basis::from_code);
        match (lang, basis) {
            (ipfin_domain::Lang::Zh, Some(b)) => format!("{}（{}）", kind.zh(), b.zh()),
            (ipfin_domain::Lang::En, Some(b)) => format!("{} ({})", kind.en(), b.en()),
            (lang, None) => kind.label(lang).to_string(),
        }
    }
}

#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct ClawbackRow {
    pub id: i64,
    pub amount_fen: Fen,
    pub reason: String,
    pub decided_at: i64,
    pub recovered_on: Option<NaiveDate>,
}

/// Everything a person sees on an application's page.
#[derive(Debug, Clone, Serialize)]
pub struct ApplicationDetail {
    pub row: ApplicationRow,
    pub workflow: Workflow,
    pub body: Body,
    pub items: Vec<ItemRow>,
    pub slots: Vec<SlotDef>,
    pub files: Vec<FileRow>,
    /// Required slots without a file, by name.
    pub missing: Vec<String>,
    pub events: Vec<EventRow>,
    /// The stored calculation (after submission).
    pub calculation: Option<serde_json::Value>,
    /// The derivation in Chinese, one line a step.
    pub derivation: Vec<String>,
    /// The derivation in English (empty for calculations stored before English existed).
    pub derivation_en: Vec<String>,
    /// Differences between the stated figures and the banks' and contract parties' reports,
    /// each with the officer's decision once made.
    pub differences: Vec<Difference>,
    /// Eligibility as checked at submission, acceptance and grant, with the evidence.
    pub eligibility: Vec<ipfin_domain::policy::eligibility::KeptCheck>,
    pub payments: Vec<PaymentRow>,
    pub checks: Vec<CheckRow>,
    pub clawbacks: Vec<ClawbackRow>,
    /// Open clawbacks of the same applicant (flagged at eligibility).
    pub open_clawbacks: i64,
    /// Who must act next, in words.
    pub awaiting: String,
    /// The same in English.
    pub awaiting_en: String,
}

/// Filters of the lists and the officers' queue.
#[derive(Debug, Clone, Default)]
pub struct ApplicationFilter {
    pub q: Option<String>,
    pub state: Option<State>,
    /// One of the five stages (its states), from the home pages' figures.
    pub phase: Option<ipfin_domain::application::Phase>,
    pub stage: Option<String>,
    pub kind: Option<Kind>,
    pub district: Option<String>,
}

/// One line of the officers' queue: a state (and stage) with its count and oldest age.
#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct QueueCount {
    /// Decoded when loaded: an unknown stored state is an internal error, never left out.
    pub state: Code<State>,
    pub stage: Option<String>,
    pub count: i64,
    pub oldest_at: Option<i64>,
}

/// How many applications in scope are in one state, and since when the oldest has been there.
#[derive(Debug, Clone, FromQueryResult)]
pub struct StateCount {
    pub state: Code<State>,
    pub count: i64,
    pub oldest_at: Option<i64>,
}

impl QueueCount {
    /// When the oldest application of this line is due (`queue::AWAITING_OFFICERS`).
    pub fn due_on(&self) -> Option<NaiveDate> {
        ipfin_domain::application::queue::due_on(
            self.state.get(),
            ipfin_domain::calendar::business_date(self.oldest_at?),
        )
    }

    /// The oldest application of this line is past its deadline on `today`.
    pub fn overdue(&self, today: NaiveDate) -> bool {
        self.due_on().is_some_and(|d| d < today)
    }
}

/// The columns of a [`NoticeRow`] in a query `FROM notices` (not aliased).
pub(crate) const NOTICE_COLUMNS: &str = "id, district_code, \
    (SELECT d.name FROM districts d WHERE d.code = notices.district_code) AS district_name, \
    title, starts_on, ends_on, days, status, published_at";

#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct NoticeRow {
    pub id: i64,
    pub district_code: String,
    /// The issuing district's name, as people read it (the code stays for programs).
    pub district_name: Option<String>,
    pub title: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub days: i32,
    pub status: String,
    pub published_at: i64,
}

#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct NoticeEntry {
    pub application_id: i64,
    pub number: Option<String>,
    pub enterprise_name: String,
    pub items: String,
    pub amount_fen: Fen,
    pub outcome: Option<String>,
}

#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct ObjectionRow {
    pub id: i64,
    pub notice_id: i64,
    pub application_id: Option<i64>,
    pub name: String,
    pub contact: String,
    pub text: String,
    pub evidence_key: Option<String>,
    pub evidence_name: Option<String>,
    pub lodged_at: i64,
    pub decision: Option<String>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NoticeDetail {
    pub notice: NoticeRow,
    pub entries: Vec<NoticeEntry>,
    /// Objections with the objector's contact: officers only (empty for the public).
    pub objections: Vec<ObjectionRow>,
}

/// Who issued a public notice, as its page names them: the district, the publishing
/// organisation, a contact with a phone number, and the day of publication (the 落款).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct NoticeIssuer {
    pub district_name: String,
    /// The organisation of the officer who published it.
    pub organisation: Option<String>,
    /// A contact person of that organisation (else of the district's lead department) with a
    /// phone number.
    pub contact_name: Option<String>,
    pub phone: Option<String>,
    /// The day it was published, Beijing time.
    pub published_on: Option<NaiveDate>,
}

/// An objection as lodged by a member of the public.
#[derive(Debug, Clone)]
pub struct NewObjection {
    pub application_id: Option<i64>,
    pub name: String,
    pub contact: String,
    pub text: String,
    pub evidence: Option<(String, Bytes)>,
    /// The client address it came from: counted for the limits, shown to no one.
    pub client_addr: Option<String>,
}

/// An officer's decision on one item at a review stage.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ItemDecision {
    pub item: Item,
    pub approved_fen: Fen,
    #[serde(default)]
    pub reason: String,
}

/// States whose applications reserve or hold an amount against the enterprise cap and hold
/// their claims on loans.
const ACTIVE: &str = "('submitted','returned','accepted','reviewed','in_notice','granted','disbursed','under_investigation','cleared')";
/// What an application in the alias `a` holds toward the enterprise's caps: its latest figure
/// (granted, else approved, else computed) while `ACTIVE`; once clawed back, what the enterprise
/// kept of it — the disbursed amount less every clawback, never below zero.
const HELD: &str = "CASE WHEN a.state = 'clawed_back' THEN \
     (CASE WHEN a.disbursed_fen > (SELECT COALESCE(SUM(c.amount_fen), 0) FROM clawbacks c WHERE c.application_id = a.id) \
      THEN a.disbursed_fen - (SELECT COALESCE(SUM(c.amount_fen), 0) FROM clawbacks c WHERE c.application_id = a.id) ELSE 0 END) \
     ELSE COALESCE(a.granted_fen, a.approved_fen, a.computed_fen) END";

fn officer_district(scope: &Scope) -> Result<&str> {
    match scope.lead_district() {
        Some(code) => Ok(code),
        None => Err(StoreError::forbidden(
            "application.officer_only",
            "只有本区牵头部门的经办人员可以办理申请。",
            "Only the district's lead officers handle applications.",
        )),
    }
}

fn applicant_org(scope: &Scope) -> Result<ipfin_domain::id::OrgId> {
    match scope.reach(Records::Applications) {
        Reach::Party(Party::Applicant, org_id) => Ok(org_id),
        _ => Err(StoreError::forbidden(
            "application.applicant_only",
            "只有申请单位（企业或银行）可以办理此操作。",
            "Only the applicant does this.",
        )),
    }
}

/// Review decisions are signed by a person (maker–checker), not by an organisation's token.
fn person_required() -> StoreError {
    StoreError::forbidden(
        "application.person_required",
        "审核、公示等办理须由经办人员以个人账号登录操作（机构 API 令牌不能代替个人签署）。",
        "Officers act signed in as themselves; an organisation's API token cannot sign a review.",
    )
}

fn internal(e: impl std::fmt::Display) -> StoreError {
    StoreError::Internal(e.to_string())
}

fn field_err(field: &'static str, m: Msg) -> StoreError {
    StoreError::Invalid(FieldError { field, msg: m })
}

fn workflow_err(m: Msg) -> StoreError {
    StoreError::Conflict(m)
}

#[derive(FromQueryResult)]
struct IdRow {
    id: i64,
}

impl ApplicationDetail {
    /// Who must act next, in the reader's language.
    pub fn awaiting_in(&self, lang: ipfin_domain::Lang) -> &str {
        match lang {
            ipfin_domain::Lang::Zh => &self.awaiting,
            ipfin_domain::Lang::En => &self.awaiting_en,
        }
    }

    /// The derivation in the reader's language: the Chinese lines when no English was stored
    /// (a calculation stored before English derivations existed).
    pub fn derivation_in(&self, lang: ipfin_domain::Lang) -> &[String] {
        match lang {
            ipfin_domain::Lang::En if !self.derivation_en.is_empty() => &self.derivation_en,
            _ => &self.derivation,
        }
    }
}

/// The calculation as stored: the engine's result and its Chinese derivation, both kept so the
/// figures can be shown exactly as they were even after the policy is revised.
#[derive(Debug, Serialize, Deserialize)]
struct StoredCalc {
    value: serde_json::Value,
    lines: Vec<String>,
    /// The same derivation in English (absent from calculations stored before it existed:
    /// those show the Chinese lines).
    #[serde(default)]
    lines_en: Vec<String>,
}

impl Store {
    async fn app_row<C: ConnectionTrait>(
        conn: &C,
        scope: &Scope,
        id: i64,
    ) -> Result<ApplicationRow> {
        let (cond, mut values) = crate::visibility::condition(scope, Records::Applications);
        values.insert(0, id.into());
        fetch_opt(
            conn,
            &format!("SELECT {COLS} {FROM} WHERE a.id = ? AND {cond}"),
            values,
        )
        .await?
        .ok_or(StoreError::NotFound)
    }

    async fn app_state<C: ConnectionTrait>(conn: &C, id: i64) -> Result<(Workflow, Body)> {
        #[derive(FromQueryResult)]
        struct W {
            workflow: String,
            body: String,
        }
        let w: W = fetch_one(
            conn,
            "SELECT workflow, body FROM applications WHERE id = ?",
            vec![id.into()],
        )
        .await?;
        Ok((
            serde_json::from_str(&w.workflow).map_err(internal)?,
            serde_json::from_str(&w.body).map_err(internal)?,
        ))
    }

    /// Moves an application by the workflow table and records the transition.
    async fn transition(
        tx: &mut WriteTx,
        row: &ApplicationRow,
        wf: &Workflow,
        actor: Actor,
        action: Action,
        comment: &str,
        data: serde_json::Value,
    ) -> Result<Workflow> {
        let next = wf.apply(actor, action).map_err(workflow_err)?;
        let now = crate::now_s();
        let changed = exec(
            tx.conn(),
            "UPDATE applications SET state = ?, stage = ?, workflow = ?, updated_at = ? WHERE id = ? AND state = ?",
            vec![
                next.state.code().into(),
                next.stage.map(|s| s.code().to_string()).into(),
                serde_json::to_string(&next).map_err(internal)?.into(),
                now.into(),
                row.id.into(),
                wf.state.code().into(),
            ],
        )
        .await?;
        if changed != 1 {
            return Err(StoreError::conflict(
                "application.stale",
                "该申请刚被他人办理，请刷新页面后再操作。",
                "Someone else just acted on this application; reload and try again.",
            ));
        }
        Self::insert_event(tx, row, wf, action.code(), next.state, comment, &data).await?;
        tx.audit(
            &format!("application.{}", action.code()),
            "application",
            row.id,
            json!({"number": row.number, "from": wf.state.code(), "to": next.state.code(), "comment": comment, "data": data}),
        )
        .await?;
        Ok(next)
    }

    /// Records something done to an application that does not move it (a decision on the
    /// figures, an eligibility check) in its history, as `transition` does for moves.
    async fn record_event(
        tx: &WriteTx,
        row: &ApplicationRow,
        wf: &Workflow,
        action: &str,
        comment: &str,
        data: serde_json::Value,
    ) -> Result<()> {
        Self::insert_event(tx, row, wf, action, wf.state, comment, &data).await
    }

    /// One line of an application's history: who (the transaction's actor), when, what, from
    /// which state to which, at which review stage.
    async fn insert_event(
        tx: &WriteTx,
        row: &ApplicationRow,
        wf: &Workflow,
        action: &str,
        to: State,
        comment: &str,
        data: &serde_json::Value,
    ) -> Result<()> {
        exec(
            tx.conn(),
            "INSERT INTO application_events (application_id, at, user_id, actor_name, action, from_state, to_state, stage, comment, data) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            vec![
                row.id.into(),
                crate::now_us().into(),
                tx.actor_user_id().into(),
                tx.actor().label.clone().into(),
                action.to_string().into(),
                wf.state.code().into(),
                to.code().into(),
                wf.stage.map(|s| s.code().to_string()).into(),
                comment.to_string().into(),
                data.to_string().into(),
            ],
        )
        .await?;
        Ok(())
    }

    /// A person's name as shown in histories and decisions.
    async fn user_display_name<C: ConnectionTrait>(conn: &C, user: i64) -> Result<String> {
        #[derive(FromQueryResult)]
        struct N {
            display_name: String,
        }
        Ok(fetch_opt::<N, _>(
            conn,
            "SELECT display_name FROM users WHERE id = ?",
            vec![user.into()],
        )
        .await?
        .map(|n| n.display_name)
        .unwrap_or_else(|| format!("用户 {user}")))
    }

    async fn notify_officers(
        tx: &WriteTx,
        row: &ApplicationRow,
        text: impl Into<crate::notification::NoteText>,
    ) -> Result<()> {
        notify(
            tx.conn(),
            None,
            Some(&row.district_code),
            Some(row.id),
            text,
            format!("/applications/{}", row.id),
        )
        .await
    }

    async fn notify_applicant(
        tx: &WriteTx,
        row: &ApplicationRow,
        text: impl Into<crate::notification::NoteText>,
    ) -> Result<()> {
        notify(
            tx.conn(),
            Some(row.applicant_org_id),
            None,
            Some(row.id),
            text,
            format!("/applications/{}", row.id),
        )
        .await
    }

    async fn officer_row(
        tx: &WriteTx,
        scope: &Scope,
        id: i64,
    ) -> Result<(ApplicationRow, Workflow, Body, i64)> {
        let district = officer_district(scope)?.to_string();
        let row = Self::app_row(tx.conn(), scope, id).await?;
        if row.district_code != district {
            return Err(StoreError::NotFound);
        }
        let (wf, body) = Self::app_state(tx.conn(), id).await?;
        let user = tx.actor_user_id().ok_or_else(person_required)?;
        Ok((row, wf, body, user))
    }
}
