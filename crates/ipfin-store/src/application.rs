//! Applications (SPEC §3, issue #6): drafts, materials, submission with eligibility,
//! completeness and the stored calculation, acceptance with the double-dipping block and the
//! cross-check against the banks' reports, staged review with maker–checker, public notice
//! with objections, grants within the budget, disbursement, supervision and clawback.
//!
//! Every transition goes through the pure workflow table in `ipfin_domain::application` and is
//! recorded with its actor, time, comment and inputs. Scope: an applicant sees its own
//! applications; a district its own (only lead officers act); the city all, read-only.

use crate::db::{Page, Paged, exec, fetch_all, fetch_i64, fetch_one, fetch_opt, fetch_page};
use crate::error::{Result, StoreError};
use crate::{Store, WriteTx};
use bytes::Bytes;
use chrono::{Datelike, NaiveDate};
use ipfin_domain::application::files::check_upload;
use ipfin_domain::application::{
    self as app, Action, Actor, Difference, Kind, Line, Reported, SlotDef, State, Workflow,
};
use ipfin_domain::org::Scope;
use ipfin_domain::policy::budget::{BudgetMode, BudgetRequest, allocate_budget, proportional};
use ipfin_domain::policy::calc::{self, Calculation};
use ipfin_domain::policy::document::PolicyDocument;
use ipfin_domain::policy::rules::{CapPeriod, Item};
use ipfin_domain::{FieldError, Msg};
use sea_orm::{ConnectionTrait, FromQueryResult, Value};
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
    pub interest_paid_fen: i64,
    /// Securitisation: guarantee fee paid in the year, fen.
    #[serde(default)]
    pub guarantee_fee_fen: i64,
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

#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct ApplicationRow {
    pub id: i64,
    pub number: Option<String>,
    pub kind: String,
    pub district_code: String,
    pub policy_version_id: i64,
    pub policy_title: String,
    pub policy_year: i32,
    pub batch_name: String,
    pub applicant_org_id: i64,
    pub applicant_name: String,
    pub enterprise_id: Option<i64>,
    pub state: String,
    pub stage: Option<String>,
    pub items: String,
    pub computed_fen: i64,
    pub approved_fen: Option<i64>,
    pub granted_fen: Option<i64>,
    pub disbursed_fen: i64,
    pub return_note: Option<String>,
    pub return_deadline: Option<NaiveDate>,
    pub created_at: i64,
    pub submitted_at: Option<i64>,
    pub accepted_at: Option<i64>,
    pub updated_at: i64,
}

impl ApplicationRow {
    pub fn kind(&self) -> Kind {
        Kind::from_code(&self.kind).unwrap_or(Kind::EnterpriseFee)
    }
    pub fn state(&self) -> State {
        State::from_code(&self.state).unwrap_or(State::Draft)
    }
    pub fn item_list(&self) -> Vec<Item> {
        self.items
            .split(',')
            .filter_map(|c| Item::ALL.iter().copied().find(|i| i.code() == c))
            .collect()
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
    pub computed_fen: i64,
    pub approved_fen: Option<i64>,
    pub reason: Option<String>,
    pub granted_fen: Option<i64>,
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
    pub amount_fen: i64,
    pub reference: String,
}

#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct CheckRow {
    pub id: i64,
    pub due_on: NaiveDate,
    pub done_at: Option<i64>,
    pub outcome: Option<String>,
    pub findings: Option<String>,
}

#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct ClawbackRow {
    pub id: i64,
    pub amount_fen: i64,
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
    /// Differences with the banks' reports, found at acceptance.
    pub differences: Vec<Difference>,
    pub payments: Vec<PaymentRow>,
    pub checks: Vec<CheckRow>,
    pub clawbacks: Vec<ClawbackRow>,
    /// Open clawbacks of the same applicant (flagged at eligibility).
    pub open_clawbacks: i64,
    /// Who must act next, in words.
    pub awaiting: String,
}

/// Filters of the lists and the officers' queue.
#[derive(Debug, Clone, Default)]
pub struct ApplicationFilter {
    pub q: Option<String>,
    pub state: Option<State>,
    pub stage: Option<String>,
    pub kind: Option<Kind>,
    pub district: Option<String>,
}

/// One line of the officers' queue: a state (and stage) with its count and oldest age.
#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct QueueCount {
    pub state: String,
    pub stage: Option<String>,
    pub count: i64,
    pub oldest_at: Option<i64>,
}

#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct NoticeRow {
    pub id: i64,
    pub district_code: String,
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
    pub amount_fen: i64,
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

#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct Notification {
    pub id: i64,
    pub application_id: Option<i64>,
    pub text: String,
    pub link: String,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

/// An objection as lodged by a member of the public.
#[derive(Debug, Clone)]
pub struct NewObjection {
    pub application_id: Option<i64>,
    pub name: String,
    pub contact: String,
    pub text: String,
    pub evidence: Option<(String, Bytes)>,
}

/// An officer's decision on one item at a review stage.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ItemDecision {
    pub item: Item,
    pub approved_fen: i64,
    #[serde(default)]
    pub reason: String,
}

/// States whose applications reserve or hold an amount against the enterprise cap and hold
/// their claims on loans.
const ACTIVE: &str = "('submitted','returned','accepted','reviewed','in_notice','granted','disbursed','under_investigation','cleared')";

fn officer_district(scope: &Scope) -> Result<&str> {
    match scope {
        Scope::District { code, manage: true } => Ok(code),
        _ => Err(StoreError::forbidden(
            "application.officer_only",
            "只有本区牵头部门的经办人员可以办理申请。",
            "Only the district's lead officers handle applications.",
        )),
    }
}

fn applicant_org(scope: &Scope) -> Result<i64> {
    match scope {
        Scope::Enterprise { org_id } | Scope::Institution { org_id } => Ok(*org_id),
        _ => Err(StoreError::forbidden(
            "application.applicant_only",
            "只有申请单位（企业或银行）可以办理此操作。",
            "Only the applicant does this.",
        )),
    }
}

fn scope_sql(scope: &Scope) -> (String, Vec<Value>) {
    match scope {
        Scope::City => ("1=1".into(), vec![]),
        Scope::District { code, .. } => ("a.district_code = ?".into(), vec![code.clone().into()]),
        Scope::Enterprise { org_id } | Scope::Institution { org_id } => {
            ("a.applicant_org_id = ?".into(), vec![(*org_id).into()])
        }
        Scope::Agency { .. } | Scope::Public => ("1=0".into(), vec![]),
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

fn items_csv(items: &[Item]) -> String {
    Item::ALL
        .iter()
        .filter(|i| items.contains(i))
        .map(|i| i.code())
        .collect::<Vec<_>>()
        .join(",")
}

fn awaiting(row: &ApplicationRow, wf: &Workflow) -> String {
    match wf.state {
        State::Draft => "等待申请单位上传材料并提交".into(),
        State::Submitted => "等待区经办人员受理".into(),
        State::Returned => format!(
            "等待申请单位补正材料后重新提交{}",
            row.return_deadline
                .map(|d| format!("（补正期限：{d}）"))
                .unwrap_or_default()
        ),
        State::Accepted => format!(
            "等待区审核人员{}",
            wf.stage.map(|s| s.zh()).unwrap_or("审核")
        ),
        State::Reviewed => "审核已通过，等待区经办人员发布公示".into(),
        State::InNotice => "公示中，公示期满无成立的异议即确定资助".into(),
        State::Granted => "资助已确定，等待区财政拨付".into(),
        State::Disbursed => "已拨付，进入跟踪监管".into(),
        State::UnderInvestigation => "跟踪监管发现问题，区经办人员核查中".into(),
        _ => "办理已结束".into(),
    }
}

impl Store {
    async fn app_row<C: ConnectionTrait>(
        conn: &C,
        scope: &Scope,
        id: i64,
    ) -> Result<ApplicationRow> {
        let (cond, mut values) = scope_sql(scope);
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
        let label = tx.actor().label.clone();
        exec(
            tx.conn(),
            "INSERT INTO application_events (application_id, at, user_id, actor_name, action, from_state, to_state, stage, comment, data) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            vec![
                row.id.into(),
                crate::now_us().into(),
                tx.actor_user_id().into(),
                label.into(),
                action.code().into(),
                wf.state.code().into(),
                next.state.code().into(),
                wf.stage.map(|s| s.code().to_string()).into(),
                comment.to_string().into(),
                data.to_string().into(),
            ],
        )
        .await?;
        tx.audit(
            &format!("application.{}", action.code()),
            "application",
            row.id,
            json!({"number": row.number, "from": wf.state.code(), "to": next.state.code(), "comment": comment, "data": data}),
        )
        .await?;
        Ok(next)
    }

    async fn notify(
        tx: &WriteTx,
        org_id: Option<i64>,
        district: Option<&str>,
        application_id: i64,
        text: String,
    ) -> Result<()> {
        exec(
            tx.conn(),
            "INSERT INTO notifications (organisation_id, district_code, application_id, text, link, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            vec![
                org_id.into(),
                district.map(str::to_string).into(),
                application_id.into(),
                text.into(),
                format!("/applications/{application_id}").into(),
                crate::now_s().into(),
            ],
        )
        .await?;
        Ok(())
    }

    async fn notify_officers(tx: &WriteTx, row: &ApplicationRow, text: String) -> Result<()> {
        Self::notify(tx, None, Some(&row.district_code), row.id, text).await
    }

    async fn notify_applicant(tx: &WriteTx, row: &ApplicationRow, text: String) -> Result<()> {
        Self::notify(tx, Some(row.applicant_org_id), None, row.id, text).await
    }

    /// Starts a draft against an open batch of a published policy version (pinned).
    pub async fn create_application(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        a: NewApplication,
        today: NaiveDate,
    ) -> Result<i64> {
        let org = applicant_org(scope)?;
        let institution = matches!(scope, Scope::Institution { .. });
        if institution != (a.kind == Kind::Institution) {
            return Err(field_err(
                "kind",
                Msg::new(
                    "application.kind",
                    if institution {
                        "银行金融机构只能申请“银行金融机构资助”。"
                    } else {
                        "企业可以申请“企业费用资助”或“知识产权证券化资助”。"
                    },
                    "This kind of application is not for your organisation.",
                ),
            ));
        }
        let v = Self::policy_version_scoped(tx.conn(), scope, a.policy_version_id)
            .await
            .map_err(|_| {
                field_err(
                    "policy_version_id",
                    Msg::new(
                        "application.policy",
                        "请选择一个已发布的政策版本。",
                        "Choose a published policy version.",
                    ),
                )
            })?;
        if v.status != "published" {
            return Err(field_err(
                "policy_version_id",
                Msg::new(
                    "application.policy_not_current",
                    "该政策版本已被修订或尚未发布，请选择现行有效的版本。",
                    "Choose the version in force.",
                ),
            ));
        }
        let doc = v.doc()?;
        let batch = match &a.batch {
            Some(name) => doc
                .batches
                .iter()
                .find(|b| &b.name == name)
                .ok_or_else(|| {
                    field_err(
                        "batch",
                        Msg::new(
                            "application.batch",
                            format!("政策中没有名为“{name}”的申报批次。"),
                            "No such batch in the policy.",
                        ),
                    )
                })?,
            None => doc
                .batches
                .iter()
                .find(|b| b.opens <= today && today <= b.closes)
                .ok_or_else(|| {
                    field_err(
                        "batch",
                        Msg::new(
                            "application.no_open_batch",
                            format!(
                                "该政策今天（{today}）没有正在受理的申报批次，请留意申报通知。"
                            ),
                            "No batch of this policy is open today.",
                        ),
                    )
                })?,
        };
        let enterprise_id = if institution {
            None
        } else {
            Some(
                fetch_opt::<IdRow, _>(
                    tx.conn(),
                    "SELECT id FROM enterprises WHERE organisation_id = ?",
                    vec![org.into()],
                )
                .await?
                .ok_or_else(|| {
                    StoreError::forbidden(
                        "application.no_registry",
                        "贵单位还没有关联企业库记录，请先联系所在区服务站完成认领。",
                        "Your organisation is not linked to a registry record yet.",
                    )
                })?
                .id,
            )
        };
        let items: Vec<Item> = match a.kind {
            Kind::EnterpriseFee => a.items.clone(),
            Kind::Institution => vec![],
            Kind::Securitisation => vec![Item::Interest, Item::Guarantee],
        };
        let stages = 3;
        let wf = Workflow::new(stages);
        let now = crate::now_s();
        let id = fetch_i64(
            tx.conn(),
            "INSERT INTO applications (kind, district_code, policy_version_id, policy_year, batch_name, applicant_org_id, enterprise_id, \
             state, workflow, items, body, computed_fen, disbursed_fen, created_by, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?, 0, 0, ?, ?, ?) RETURNING id",
            vec![
                a.kind.code().into(),
                v.district_code.clone().into(),
                v.id.into(),
                doc.year.into(),
                batch.name.clone().into(),
                org.into(),
                enterprise_id.into(),
                serde_json::to_string(&wf).map_err(internal)?.into(),
                items_csv(&items).into(),
                serde_json::to_string(&a.body).map_err(internal)?.into(),
                tx.actor_user_id().into(),
                now.into(),
                now.into(),
            ],
        )
        .await?;
        tx.audit(
            "application.create",
            "application",
            id,
            json!({"kind": a.kind.code(), "policy_version_id": v.id, "batch": batch.name}),
        )
        .await?;
        Ok(id)
    }

    /// Stores a checked file by content and records it once in `blobs`; returns its key.
    pub(crate) async fn keep_file(
        &self,
        tx: &WriteTx,
        bytes: Bytes,
        t: app::FileType,
    ) -> Result<String> {
        let size = bytes.len() as i64;
        let key = self.blobs().put(bytes).await?;
        exec(
            tx.conn(),
            "INSERT INTO blobs (key, size, file_type, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
            vec![key.clone().into(), size.into(), t.code().into(), crate::now_s().into()],
        )
        .await?;
        Ok(key)
    }

    /// Changes a draft's (or a returned application's) items and figures.
    pub async fn update_application(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        id: i64,
        items: Vec<Item>,
        body: Body,
    ) -> Result<()> {
        applicant_org(scope)?;
        let row = Self::app_row(tx.conn(), scope, id).await?;
        Self::editable(&row)?;
        let items = if row.kind() == Kind::EnterpriseFee {
            items
        } else {
            row.item_list()
        };
        // Once accepted, the loans and items hold their claims (double-dipping): a returned
        // application may correct amounts, not change what it claims for.
        if row.accepted_at.is_some() {
            let (_, old) = Self::app_state(tx.conn(), id).await?;
            let keys = |b: &Body| {
                let mut k: Vec<(String, Option<String>)> = b
                    .lines
                    .iter()
                    .map(|l| (l.loan_key(), l.pledge_number.clone()))
                    .collect();
                k.sort();
                k
            };
            if keys(&old) != keys(&body) || items_csv(&items) != row.items {
                return Err(StoreError::conflict(
                    "application.claims_fixed",
                    "申请已受理：补正时只能修改金额和材料，不能增减贷款、质权登记号或资助项目。",
                    "After acceptance only amounts and materials can change, not the loans or items.",
                ));
            }
        }
        exec(
            tx.conn(),
            "UPDATE applications SET items = ?, body = ?, updated_at = ? WHERE id = ?",
            vec![
                items_csv(&items).into(),
                serde_json::to_string(&body).map_err(internal)?.into(),
                crate::now_s().into(),
                id.into(),
            ],
        )
        .await?;
        tx.audit(
            "application.update",
            "application",
            id,
            json!({"items": items_csv(&items)}),
        )
        .await
    }

    fn editable(row: &ApplicationRow) -> Result<()> {
        if matches!(row.state(), State::Draft | State::Returned) {
            Ok(())
        } else {
            Err(StoreError::conflict(
                "application.not_editable",
                format!("申请状态为“{}”，不能再修改材料或数据。", row.state().zh()),
                "The application can no longer be changed.",
            ))
        }
    }

    async fn policy_doc_of<C: ConnectionTrait>(
        conn: &C,
        row: &ApplicationRow,
    ) -> Result<PolicyDocument> {
        Self::policy_version_in_any(conn, row.policy_version_id)
            .await?
            .doc()
    }

    /// Uploads a file into a slot (draft or returned). The content decides the type; the name
    /// is kept as metadata only. Files are stored once per content.
    pub async fn add_file(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        id: i64,
        slot: &str,
        file_name: &str,
        bytes: Bytes,
    ) -> Result<i64> {
        applicant_org(scope)?;
        let row = Self::app_row(tx.conn(), scope, id).await?;
        Self::editable(&row)?;
        let doc = Self::policy_doc_of(tx.conn(), &row).await?;
        let slots = app::slots(row.kind(), &row.item_list(), &doc.extra_materials);
        let def = slots.iter().find(|s| s.code == slot).ok_or_else(|| {
            field_err(
                "slot",
                Msg::new(
                    "file.slot",
                    format!("本申请没有“{slot}”这一材料项，请按材料清单上传。"),
                    "No such material slot in this application.",
                ),
            )
        })?;
        let t = check_upload(&def.name, def.files, &bytes).map_err(|m| field_err("file", m))?;
        let size = bytes.len() as i64;
        let key = self.keep_file(tx, bytes, t).await?;
        let name = app::files::display_name(file_name);
        let fid = fetch_i64(
            tx.conn(),
            "INSERT INTO application_files (application_id, slot, blob_key, file_name, file_type, size, uploaded_by, uploaded_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            vec![id.into(), slot.to_string().into(), key.clone().into(), name.clone().into(), t.code().into(), size.into(), tx.actor_user_id().into(), crate::now_s().into()],
        )
        .await?;
        tx.audit(
            "application.file",
            "application",
            id,
            json!({"slot": slot, "file_id": fid, "sm3": key, "name": name, "type": t.code(), "size": size}),
        )
        .await?;
        Ok(fid)
    }

    /// Removes a file from a draft or returned application.
    pub async fn remove_file(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        id: i64,
        file_id: i64,
    ) -> Result<()> {
        applicant_org(scope)?;
        let row = Self::app_row(tx.conn(), scope, id).await?;
        Self::editable(&row)?;
        let n = exec(
            tx.conn(),
            "DELETE FROM application_files WHERE id = ? AND application_id = ?",
            vec![file_id.into(), id.into()],
        )
        .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        tx.audit(
            "application.file_remove",
            "application",
            id,
            json!({"file_id": file_id}),
        )
        .await
    }

    /// Keeps a business licence or tax certificate in the enterprise's vault until a date.
    #[allow(clippy::too_many_arguments)]
    pub async fn vault_add(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        slot: &str,
        file_name: &str,
        valid_until: NaiveDate,
        bytes: Bytes,
        today: NaiveDate,
    ) -> Result<i64> {
        let org = match scope {
            Scope::Enterprise { org_id } => *org_id,
            _ => {
                return Err(StoreError::forbidden(
                    "vault.enterprise_only",
                    "只有企业有材料库。",
                    "Only enterprises keep a document vault.",
                ));
            }
        };
        if !app::VAULT_SLOTS.contains(&slot) {
            return Err(field_err(
                "slot",
                Msg::new(
                    "vault.slot",
                    "材料库只保存营业执照和纳税证明。",
                    "The vault keeps business licences and tax certificates.",
                ),
            ));
        }
        if valid_until < today {
            return Err(field_err(
                "valid_until",
                Msg::new(
                    "vault.expired",
                    format!("有效期至（{valid_until}）早于今天，已失效的材料不能存入材料库。"),
                    "The document has expired.",
                ),
            ));
        }
        let name_zh = if slot == "business_licence" {
            "营业执照"
        } else {
            "纳税证明"
        };
        let t = check_upload(
            name_zh,
            ipfin_domain::policy::materials::FileKinds::Scan,
            &bytes,
        )
        .map_err(|m| field_err("file", m))?;
        let size = bytes.len() as i64;
        let key = self.keep_file(tx, bytes, t).await?;
        let vid = fetch_i64(
            tx.conn(),
            "INSERT INTO vault_documents (organisation_id, slot, blob_key, file_name, file_type, size, valid_until, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            vec![org.into(), slot.to_string().into(), key.clone().into(), app::files::display_name(file_name).into(), t.code().into(), size.into(), valid_until.into(), crate::now_s().into()],
        )
        .await?;
        tx.audit(
            "vault.add",
            "organisation",
            org,
            json!({"slot": slot, "sm3": key, "valid_until": valid_until}),
        )
        .await?;
        Ok(vid)
    }

    /// The enterprise's vault documents still valid on `today`.
    pub async fn vault(&self, scope: &Scope, today: NaiveDate) -> Result<Vec<VaultDoc>> {
        Self::vault_in(self.conn(), scope, today).await
    }

    async fn vault_in<C: ConnectionTrait>(
        conn: &C,
        scope: &Scope,
        today: NaiveDate,
    ) -> Result<Vec<VaultDoc>> {
        let Scope::Enterprise { org_id } = scope else {
            return Ok(vec![]);
        };
        fetch_all(
            conn,
            "SELECT id, slot, blob_key, file_name, file_type, size, valid_until FROM vault_documents \
             WHERE organisation_id = ? AND valid_until >= ? ORDER BY slot, valid_until DESC",
            vec![(*org_id).into(), today.into()],
        )
        .await
    }

    /// Attaches a still-valid vault document to an application's slot of the same kind.
    pub async fn attach_vault(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        id: i64,
        vault_id: i64,
        today: NaiveDate,
    ) -> Result<i64> {
        let row = Self::app_row(tx.conn(), scope, id).await?;
        Self::editable(&row)?;
        let doc = Self::vault_in(tx.conn(), scope, today)
            .await?
            .into_iter()
            .find(|d| d.id == vault_id)
            .ok_or(StoreError::NotFound)?;
        let fid = fetch_i64(
            tx.conn(),
            "INSERT INTO application_files (application_id, slot, blob_key, file_name, file_type, size, uploaded_by, uploaded_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            vec![id.into(), doc.slot.clone().into(), doc.blob_key.clone().into(), doc.file_name.clone().into(), doc.file_type.clone().into(), doc.size.into(), tx.actor_user_id().into(), crate::now_s().into()],
        )
        .await?;
        tx.audit(
            "application.file_vault",
            "application",
            id,
            json!({"vault_id": vault_id, "slot": doc.slot}),
        )
        .await?;
        Ok(fid)
    }

    /// A file of an application the scope may see, with its bytes.
    pub async fn application_file(
        &self,
        scope: &Scope,
        id: i64,
        file_id: i64,
    ) -> Result<(FileRow, Bytes)> {
        Self::app_row(self.conn(), scope, id).await?;
        let f: FileRow = fetch_opt(
            self.conn(),
            &format!(
                "SELECT {FILE_COLS} FROM application_files WHERE id = ? AND application_id = ?"
            ),
            vec![file_id.into(), id.into()],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
        let bytes = self.blobs().get(&f.blob_key).await?;
        Ok((f, bytes))
    }

    /// An application the scope may see, with everything on its page.
    pub async fn application(&self, scope: &Scope, id: i64) -> Result<ApplicationDetail> {
        let row = Self::app_row(self.conn(), scope, id).await?;
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
        let (calculation, derivation) = match x.calc.as_deref() {
            Some(c) => {
                let stored: StoredCalc = serde_json::from_str(c).map_err(internal)?;
                (Some(stored.value), stored.lines)
            }
            None => (None, vec![]),
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
        let awaiting = awaiting(&row, &workflow);
        Ok(ApplicationDetail {
            items: fetch_all(
                self.conn(),
                "SELECT item, computed_fen, approved_fen, reason, granted_fen FROM application_items WHERE application_id = ? ORDER BY item",
                vec![id.into()],
            )
            .await?,
            events: fetch_all(
                self.conn(),
                "SELECT id, at, actor_name, action, from_state, to_state, stage, comment FROM application_events WHERE application_id = ? ORDER BY id",
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
                "SELECT id, due_on, done_at, outcome, findings FROM supervision_checks WHERE application_id = ? ORDER BY id",
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
            differences,
            open_clawbacks,
            awaiting,
        })
    }

    fn filter_sql(scope: &Scope, f: &ApplicationFilter) -> (String, Vec<Value>) {
        let (mut cond, mut values) = scope_sql(scope);
        if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            cond.push_str(" AND (a.number = ? OR o.name LIKE ?)");
            values.push(q.to_string().into());
            values.push(format!("%{}%", q.replace(['%', '_'], "")).into());
        }
        if let Some(s) = f.state {
            cond.push_str(" AND a.state = ?");
            values.push(s.code().into());
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

    /// Counts per state and stage with the oldest waiting time (the officers' work queue).
    pub async fn application_queue(&self, scope: &Scope) -> Result<Vec<QueueCount>> {
        let (cond, values) = scope_sql(scope);
        fetch_all(
            self.conn(),
            &format!(
                "SELECT a.state, a.stage, COUNT(*) AS count, MIN(a.updated_at) AS oldest_at {FROM} \
                 WHERE {cond} AND a.state <> 'draft' GROUP BY a.state, a.stage ORDER BY a.state, a.stage"
            ),
            values,
        )
        .await
    }
}

#[derive(FromQueryResult)]
struct IdRow {
    id: i64,
}

#[derive(FromQueryResult)]
struct NameRow {
    name: String,
}

/// The calculation as stored: the engine's result and its Chinese derivation, both kept so the
/// figures can be shown exactly as they were even after the policy is revised.
#[derive(Debug, Serialize, Deserialize)]
struct StoredCalc {
    value: serde_json::Value,
    lines: Vec<String>,
}

/// Open files of the materials checklist that a submit found missing, by name.
fn missing_error(names: &[String]) -> StoreError {
    field_err(
        "files",
        Msg::new(
            "application.missing_materials",
            format!("以下必备材料尚未上传：{}。", names.join("、")),
            format!("Required materials missing: {}.", names.join(", ")),
        ),
    )
}

impl Store {
    /// The policy version of an application (pinned; no scope: the application was checked).
    pub(crate) async fn policy_version_in_any<C: ConnectionTrait>(
        conn: &C,
        id: i64,
    ) -> Result<crate::policy::PolicyVersionRow> {
        Self::policy_version_scoped(conn, &Scope::City, id).await
    }

    /// What the enterprise has been granted or has in progress within the cap period, other
    /// than this application (SPEC §3.4 step 4: in-progress applications reserve their amount).
    async fn enterprise_used<C: ConnectionTrait>(
        conn: &C,
        row: &ApplicationRow,
        period: Option<CapPeriod>,
    ) -> Result<i64> {
        let mut sql = format!(
            "SELECT CAST(COALESCE(SUM(COALESCE(a.granted_fen, a.approved_fen, a.computed_fen)), 0) AS BIGINT) FROM applications a \
             WHERE a.applicant_org_id = ? AND a.district_code = ? AND a.kind = ? AND a.id <> ? AND a.state IN {ACTIVE}"
        );
        let mut values: Vec<Value> = vec![
            row.applicant_org_id.into(),
            row.district_code.clone().into(),
            row.kind.clone().into(),
            row.id.into(),
        ];
        match period {
            Some(CapPeriod::Year) | None => {
                sql.push_str(" AND a.policy_year = ?");
                values.push(row.policy_year.into());
            }
            Some(CapPeriod::Years(n)) => {
                sql.push_str(" AND a.policy_year > ? AND a.policy_year <= ?");
                values.push((row.policy_year - n as i32).into());
                values.push(row.policy_year.into());
            }
            Some(CapPeriod::Lifetime) => {}
        }
        fetch_i64(conn, &sql, values).await
    }

    /// Runs the engine on an application as it stands.
    async fn calculate_for(
        &self,
        tx: &WriteTx,
        row: &ApplicationRow,
        body: &Body,
        doc: &PolicyDocument,
    ) -> Result<Calculation> {
        let conn = tx.conn();
        match row.kind() {
            Kind::EnterpriseFee => {
                let e = self
                    .enterprise_in(conn, &Scope::City, row.enterprise_id.unwrap_or(0))
                    .await?;
                let class = e.effective_size().ok_or_else(|| {
                    StoreError::conflict(
                        "application.size_unknown",
                        "企业规模（大型、中型、小型、微型）尚未确定：请先在企业信息中补充从业人员、营业收入和资产总额，或联系区经办人员认定。",
                        "The enterprise's size class is not known yet.",
                    )
                })?;
                let used =
                    Self::enterprise_used(conn, row, doc.rules.enterprise_cap.map(|c| c.period))
                        .await?;
                let input = calc::Application {
                    class,
                    operating_revenue_fen: e.operating_revenue_fen,
                    // Only the items applied for count: fees of other items stay out.
                    loans: body
                        .lines
                        .iter()
                        .map(|l| {
                            let mut loan = l.to_calc();
                            let applied = row.item_list();
                            for (item, fee) in [
                                (Item::Interest, &mut loan.interest_paid_fen),
                                (Item::Evaluation, &mut loan.evaluation_fee_fen),
                                (Item::Guarantee, &mut loan.guarantee_fee_fen),
                                (Item::Insurance, &mut loan.insurance_fee_fen),
                            ] {
                                if !applied.contains(&item) {
                                    *fee = 0;
                                }
                            }
                            loan
                        })
                        .collect(),
                    enterprise_used_fen: used,
                };
                let lpr = Self::lpr_table_in(conn).await?;
                calc::calculate(&doc.rules, &lpr, &input).map_err(|m| field_err("lines", m))
            }
            Kind::Institution => {
                let rule = doc.rules.institution_reward.ok_or_else(|| {
                    StoreError::conflict(
                        "application.no_reward_rule",
                        "该政策没有对银行金融机构的奖励条款。",
                        "The policy has no institution reward.",
                    )
                })?;
                #[derive(FromQueryResult)]
                struct P {
                    principal_fen: i64,
                }
                let loans: Vec<P> = fetch_all(
                    conn,
                    "SELECT l.principal_fen FROM loans l JOIN enterprises e ON e.id = l.enterprise_id \
                     WHERE l.lender_org_id = ? AND e.registered_district = ? AND l.start_date >= ? AND l.start_date <= ?",
                    vec![
                        row.applicant_org_id.into(),
                        row.district_code.clone().into(),
                        NaiveDate::from_ymd_opt(row.policy_year, 1, 1).into(),
                        NaiveDate::from_ymd_opt(row.policy_year, 12, 31).into(),
                    ],
                )
                .await?;
                if loans.is_empty() {
                    return Err(StoreError::conflict(
                        "application.no_loans_reported",
                        format!(
                            "贵行{}年在本区没有报送的知识产权质押贷款，请先在“贷款”中报送。",
                            row.policy_year
                        ),
                        "No reported loans in the district for the year.",
                    ));
                }
                let used = Self::enterprise_used(conn, row, Some(CapPeriod::Year)).await?;
                let amounts: Vec<i64> = loans.iter().map(|l| l.principal_fen).collect();
                Ok(calc::institution_reward(&rule, &amounts, used))
            }
            Kind::Securitisation => {
                let rule = doc.rules.securitisation.ok_or_else(|| {
                    StoreError::conflict(
                        "application.no_securitisation_rule",
                        "该政策没有知识产权证券化资助条款。",
                        "The policy has no securitisation support.",
                    )
                })?;
                let year = body.year_number.unwrap_or(0);
                if year == 0 {
                    return Err(field_err(
                        "year_number",
                        Msg::new(
                            "application.year_number",
                            "请填写这是证券化融资的第几年（1 表示第一年）。",
                            "Enter which year of the securitised financing this is.",
                        ),
                    ));
                }
                if body.interest_paid_fen < 0
                    || body.guarantee_fee_fen < 0
                    || body.interest_paid_fen + body.guarantee_fee_fen == 0
                {
                    return Err(field_err(
                        "interest_paid_fen",
                        Msg::new(
                            "application.securitisation_cost",
                            "请填写当年实际支付的利息和担保费（不能为负，合计应大于 0）。",
                            "Enter the interest and guarantee fee paid.",
                        ),
                    ));
                }
                let used = Self::enterprise_used(conn, row, Some(CapPeriod::Year)).await?;
                Ok(calc::securitisation(
                    &rule,
                    year,
                    body.interest_paid_fen,
                    body.guarantee_fee_fen,
                    used,
                ))
            }
        }
    }

    /// Submits (or resubmits after a return): the batch must be open, the enterprise eligible,
    /// every required slot filled and the figures valid; the calculation runs and is stored;
    /// the first submission gets the next number of its district, year and kind.
    pub async fn submit_application(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        id: i64,
        today: NaiveDate,
    ) -> Result<String> {
        applicant_org(scope)?;
        let row = Self::app_row(tx.conn(), scope, id).await?;
        let (wf, body) = Self::app_state(tx.conn(), id).await?;
        wf.apply(Actor::Applicant, Action::Submit)
            .map_err(workflow_err)?;
        let v = Self::policy_version_in_any(tx.conn(), row.policy_version_id).await?;
        let doc = v.doc()?;
        if wf.state == State::Draft {
            let batch = doc.batches.iter().find(|b| b.name == row.batch_name);
            if !batch.is_some_and(|b| b.opens <= today && today <= b.closes) {
                let window = batch
                    .map(|b| format!("{} 至 {}", b.opens, b.closes))
                    .unwrap_or_default();
                return Err(StoreError::conflict(
                    "application.batch_closed",
                    format!(
                        "申报批次“{}”的受理时间为 {window}，今天（{today}）不在受理期内。",
                        row.batch_name
                    ),
                    "The batch is not open today.",
                ));
            }
        }
        if row.kind() == Kind::EnterpriseFee {
            app::lines::check_lines(&body.lines, &row.item_list()).map_err(|e| {
                StoreError::Document(ipfin_domain::policy::rules::RuleError {
                    path: e.field,
                    msg: e.msg,
                })
            })?;
        }
        // Eligibility (R2.2) for enterprises.
        if let Some(eid) = row.enterprise_id {
            let e = self.enterprise_in(tx.conn(), &Scope::City, eid).await?;
            let name = fetch_opt::<NameRow, _>(
                tx.conn(),
                "SELECT name FROM districts WHERE code = ?",
                vec![row.district_code.clone().into()],
            )
            .await?
            .map(|d| d.name)
            .unwrap_or_default();
            let el = ipfin_domain::policy::eligibility::check(
                &e.facts(),
                &row.district_code,
                &name,
                &doc.eligibility.extra_conditions,
            );
            if let Some(c) = el.conditions.iter().find(|c| c.met == Some(false)) {
                return Err(StoreError::conflict(
                    "application.not_eligible",
                    format!(
                        "不符合申请条件：{}（{}，截至 {}）。如登记信息有误，请联系区服务站更正。",
                        c.name, c.evidence, c.as_of
                    ),
                    format!("Not eligible: {}.", c.code),
                ));
            }
        }
        // Completeness.
        let files: Vec<FileRow> = fetch_all(
            tx.conn(),
            &format!("SELECT {FILE_COLS} FROM application_files WHERE application_id = ?"),
            vec![id.into()],
        )
        .await?;
        let slots = app::slots(row.kind(), &row.item_list(), &doc.extra_materials);
        let filled: Vec<&str> = files.iter().map(|f| f.slot.as_str()).collect();
        let missing: Vec<String> = app::missing(&slots, &filled)
            .into_iter()
            .map(|s| s.name.clone())
            .collect();
        if !missing.is_empty() {
            return Err(missing_error(&missing));
        }
        let c = self.calculate_for(tx, &row, &body, &doc).await?;
        if !c.eligible {
            // The policy's own conditions (years limit, revenue, IP types) rule it out: say
            // which, in the derivation's words, instead of filing an application for nothing.
            let why: Vec<String> = c.lines().into_iter().filter(|l| l.contains("不")).collect();
            return Err(StoreError::conflict(
                "application.policy_conditions",
                format!(
                    "按本政策的条件，本申请不能获得资助：{}",
                    if why.is_empty() {
                        c.lines().join("；")
                    } else {
                        why.join("；")
                    }
                ),
                "The policy's conditions rule this application out.",
            ));
        }
        let stored = StoredCalc {
            value: serde_json::to_value(&c).map_err(internal)?,
            lines: c.lines(),
        };
        // The number: the next in district-year-kind, inside this transaction (gapless).
        let number = match &row.number {
            Some(n) => n.clone(),
            None => {
                let year = today.year();
                exec(
                    tx.conn(),
                    "INSERT INTO application_counters (district_code, year, kind, last_seq) VALUES (?, ?, ?, 0) ON CONFLICT DO NOTHING",
                    vec![row.district_code.clone().into(), year.into(), row.kind.clone().into()],
                )
                .await?;
                let seq = fetch_i64(
                    tx.conn(),
                    "UPDATE application_counters SET last_seq = last_seq + 1 WHERE district_code = ? AND year = ? AND kind = ? RETURNING last_seq",
                    vec![row.district_code.clone().into(), year.into(), row.kind.clone().into()],
                )
                .await?;
                app::ApplicationNumber {
                    district: row.district_code.clone(),
                    year,
                    kind: row.kind(),
                    sequence: seq as u32,
                }
                .to_string()
            }
        };
        let now = crate::now_s();
        exec(
            tx.conn(),
            "UPDATE applications SET number = ?, calc = ?, computed_fen = ?, submitted_at = COALESCE(submitted_at, ?), return_note = NULL, return_deadline = NULL WHERE id = ?",
            vec![number.clone().into(), serde_json::to_string(&stored).map_err(internal)?.into(), c.total_fen.into(), now.into(), id.into()],
        )
        .await?;
        // Amounts a reviewer already approved (a resubmission after a return at a later stage)
        // stay, capped by the new calculation: a return never undoes a reviewer's cut.
        let before: Vec<ItemRow> = fetch_all(
            tx.conn(),
            "SELECT item, computed_fen, approved_fen, reason, granted_fen FROM application_items WHERE application_id = ?",
            vec![id.into()],
        )
        .await?;
        exec(
            tx.conn(),
            "DELETE FROM application_items WHERE application_id = ?",
            vec![id.into()],
        )
        .await?;
        let items: Vec<(String, i64)> = if c.items.is_empty() {
            vec![(row.kind.clone(), c.total_fen)]
        } else {
            let applied = row.item_list();
            c.items
                .iter()
                .filter(|i| applied.contains(&i.item))
                .map(|i| (i.item.code().to_string(), i.granted_fen))
                .collect()
        };
        for (item, fen) in &items {
            let kept = before.iter().find(|b| &b.item == item);
            let approved = kept.and_then(|b| b.approved_fen).map(|a| a.min(*fen));
            exec(
                tx.conn(),
                "INSERT INTO application_items (application_id, item, computed_fen, approved_fen, reason) VALUES (?, ?, ?, ?, ?)",
                vec![
                    id.into(),
                    item.clone().into(),
                    (*fen).into(),
                    approved.into(),
                    kept.and_then(|b| b.reason.clone()).into(),
                ],
            )
            .await?;
        }
        let mut row = row;
        row.number = Some(number.clone());
        // An applicant with a clawback still open is flagged to the officers (SPEC §3.3).
        let open_clawbacks = fetch_i64(
            tx.conn(),
            "SELECT COUNT(*) FROM clawbacks c JOIN applications a ON a.id = c.application_id \
             WHERE a.applicant_org_id = ? AND c.recovered_on IS NULL",
            vec![row.applicant_org_id.into()],
        )
        .await?;
        let next = Self::transition(
            tx,
            &row,
            &wf,
            Actor::Applicant,
            Action::Submit,
            "",
            json!({"computed_fen": c.total_fen, "eligible": c.eligible,
                   "materials_edition": ipfin_domain::policy::materials::EDITION,
                   "open_clawbacks": open_clawbacks}),
        )
        .await?;
        let flag = if open_clawbacks > 0 {
            format!("（注意：该单位有 {open_clawbacks} 笔资助尚未追回）")
        } else {
            String::new()
        };
        let text = match next.state {
            State::Submitted => format!("{number} {} 已提交，等待受理。{flag}", row.applicant_name),
            _ => format!(
                "{number} {} 已补正，回到{}。",
                row.applicant_name,
                next.stage.map(|s| s.zh()).unwrap_or("审核")
            ),
        };
        Self::notify_officers(tx, &row, text).await?;
        Ok(number)
    }

    /// Withdraws an application not yet accepted.
    pub async fn withdraw_application(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        id: i64,
    ) -> Result<()> {
        applicant_org(scope)?;
        let row = Self::app_row(tx.conn(), scope, id).await?;
        let (wf, _) = Self::app_state(tx.conn(), id).await?;
        Self::transition(
            tx,
            &row,
            &wf,
            Actor::Applicant,
            Action::Withdraw,
            "",
            json!({}),
        )
        .await?;
        Self::release_claims(tx, id).await
    }

    async fn release_claims(tx: &WriteTx, id: i64) -> Result<()> {
        exec(
            tx.conn(),
            "UPDATE application_claims SET active = ? WHERE application_id = ?",
            vec![false.into(), id.into()],
        )
        .await?;
        Ok(())
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

    /// Accepts a submitted application: the same loan or pledge registration may be granted
    /// once per item and year across all districts (blocked here with a pointer to the other
    /// application), and the figures are compared with the banks' reports.
    pub async fn accept_application(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        id: i64,
        comment: &str,
    ) -> Result<Vec<Difference>> {
        let (row, wf, body, user) = Self::officer_row(tx, scope, id).await?;
        let next = wf
            .apply(Actor::Officer(user), Action::Accept)
            .map_err(workflow_err)?;
        let _ = next;
        let mut claims: Vec<(String, String)> = Vec::new();
        for l in &body.lines {
            for item in row.item_list() {
                claims.push((format!("loan:{}", l.loan_key()), item.code().to_string()));
                if let Some(p) = l
                    .pledge_number
                    .as_deref()
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                {
                    claims.push((format!("pledge:{p}"), item.code().to_string()));
                }
            }
        }
        for (key, item) in &claims {
            #[derive(FromQueryResult)]
            struct Other {
                number: Option<String>,
                district_code: String,
            }
            let other: Option<Other> = fetch_opt(
                tx.conn(),
                "SELECT a.number, a.district_code FROM application_claims c JOIN applications a ON a.id = c.application_id \
                 WHERE c.claim_key = ? AND c.item = ? AND c.year = ? AND c.active = ? AND c.application_id <> ?",
                vec![key.clone().into(), item.clone().into(), row.policy_year.into(), true.into(), id.into()],
            )
            .await?;
            if let Some(o) = other {
                let what = if key.starts_with("pledge:") {
                    "质权登记"
                } else {
                    "贷款"
                };
                let item_zh = Item::ALL
                    .iter()
                    .find(|i| i.code() == item)
                    .map(|i| i.zh())
                    .unwrap_or("");
                return Err(StoreError::conflict(
                    "application.double_dipping",
                    format!(
                        "{what}“{}”的{item_zh}已由申请 {}（{}）申请或获得 {} 年度资助，同一贷款同一项目同一年度只能资助一次。",
                        key.split_once(':').map(|x| x.1).unwrap_or(key),
                        o.number.unwrap_or_default(),
                        o.district_code,
                        row.policy_year
                    ),
                    "The same loan or pledge was already claimed for this item and year.",
                ));
            }
        }
        for (key, item) in &claims {
            exec(
                tx.conn(),
                "INSERT INTO application_claims (application_id, claim_key, item, year, active) VALUES (?, ?, ?, ?, ?) \
                 ON CONFLICT (application_id, claim_key, item) DO UPDATE SET active = excluded.active",
                vec![id.into(), key.clone().into(), item.clone().into(), row.policy_year.into(), true.into()],
            )
            .await
            .map_err(|e| {
                e.unique_as(Msg::new(
                    "application.double_dipping",
                    "同一贷款同一项目同一年度已被另一申请占用，请刷新后查看。",
                    "The loan was just claimed by another application.",
                ))
            })?;
        }
        // Cross-check with the banks' reports.
        let mut diffs = Vec::new();
        for (i, l) in body.lines.iter().enumerate() {
            if let Some(r) = self.reported_loan(tx.conn(), l).await? {
                diffs.extend(app::lines::cross_check(i, l, &r));
            } else {
                diffs.push(Difference {
                    line: i,
                    field: "contract_number".into(),
                    name: "银行报送记录".into(),
                    stated: l.reference(),
                    reported: "银行未报送该贷款".into(),
                });
            }
        }
        exec(
            tx.conn(),
            "UPDATE applications SET differences = ?, accepted_at = COALESCE(accepted_at, ?) WHERE id = ?",
            vec![serde_json::to_string(&diffs).map_err(internal)?.into(), crate::now_s().into(), id.into()],
        )
        .await?;
        Self::transition(
            tx,
            &row,
            &wf,
            Actor::Officer(user),
            Action::Accept,
            comment,
            json!({"differences": diffs.len()}),
        )
        .await?;
        Self::notify_applicant(tx, &row, format!("{} 已受理，进入审核。", row.label())).await?;
        Ok(diffs)
    }

    async fn reported_loan<C: ConnectionTrait>(
        &self,
        conn: &C,
        l: &Line,
    ) -> Result<Option<Reported>> {
        #[derive(FromQueryResult)]
        struct R {
            id: i64,
            principal_fen: i64,
            start_date: NaiveDate,
            end_date: NaiveDate,
            annual_rate: String,
            interest_paid_fen: i64,
        }
        let Some(r): Option<R> = fetch_opt(
            conn,
            "SELECT id, principal_fen, start_date, end_date, annual_rate, interest_paid_fen FROM loans WHERE lender_org_id = ? AND contract_number = ?",
            vec![l.lender_org_id.into(), l.contract_number.trim().to_string().into()],
        )
        .await?
        else {
            return Ok(None);
        };
        #[derive(FromQueryResult)]
        struct N {
            number: String,
        }
        let numbers: Vec<N> = fetch_all(
            conn,
            "SELECT p.number FROM loan_pledges lp JOIN pledge_registrations p ON p.id = lp.registration_id WHERE lp.loan_id = ?",
            vec![r.id.into()],
        )
        .await?;
        Ok(Some(Reported {
            loan_id: r.id,
            principal_fen: r.principal_fen,
            start: r.start_date,
            end: r.end_date,
            annual_rate: r.annual_rate.parse().unwrap_or_default(),
            interest_paid_fen: r.interest_paid_fen,
            pledge_numbers: numbers.into_iter().map(|n| n.number).collect(),
        }))
    }

    /// Returns an application for supplement, with what to supplement and a deadline.
    pub async fn return_application(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        id: i64,
        what: &str,
        deadline: NaiveDate,
        today: NaiveDate,
    ) -> Result<()> {
        let (row, wf, _, user) = Self::officer_row(tx, scope, id).await?;
        let what = what.trim();
        if what.is_empty() {
            return Err(field_err(
                "note",
                Msg::new(
                    "application.return_note",
                    "请写明需要补正的材料或内容。",
                    "Say what to supplement.",
                ),
            ));
        }
        if deadline <= today {
            return Err(field_err(
                "deadline",
                Msg::new(
                    "application.return_deadline",
                    "补正期限应晚于今天。",
                    "The deadline must be after today.",
                ),
            ));
        }
        Self::transition(
            tx,
            &row,
            &wf,
            Actor::Officer(user),
            Action::Return,
            what,
            json!({"deadline": deadline}),
        )
        .await?;
        exec(
            tx.conn(),
            "UPDATE applications SET return_note = ?, return_deadline = ? WHERE id = ?",
            vec![what.to_string().into(), deadline.into(), id.into()],
        )
        .await?;
        Self::notify_applicant(
            tx,
            &row,
            format!("{} 被退回补正：{what}（期限 {deadline}）", row.label()),
        )
        .await
    }

    /// Does not accept (不予受理) or rejects in review (审核不通过), with a reason.
    pub async fn refuse_application(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        id: i64,
        action: Action,
        reason: &str,
    ) -> Result<()> {
        let (row, wf, _, user) = Self::officer_row(tx, scope, id).await?;
        if !matches!(action, Action::NotAccept | Action::Reject) {
            return Err(StoreError::Internal(
                "refuse takes not_accept or reject".into(),
            ));
        }
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(field_err(
                "reason",
                Msg::new(
                    "application.reason",
                    "请填写理由，申请单位会看到。",
                    "Give the reason.",
                ),
            ));
        }
        Self::transition(
            tx,
            &row,
            &wf,
            Actor::Officer(user),
            action,
            reason,
            json!({}),
        )
        .await?;
        Self::release_claims(tx, id).await?;
        Self::notify_applicant(
            tx,
            &row,
            format!("{}：{}。理由：{reason}", row.label(), action.zh()),
        )
        .await
    }

    /// Passes the current review stage, with the approved amount of each item: never above the
    /// calculation, and lower only with a reason. Nobody passes two stages of one application.
    pub async fn pass_review(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        id: i64,
        decisions: &[ItemDecision],
        comment: &str,
    ) -> Result<State> {
        let (row, wf, _, user) = Self::officer_row(tx, scope, id).await?;
        wf.apply(Actor::Officer(user), Action::Pass)
            .map_err(workflow_err)?;
        let items: Vec<ItemRow> = fetch_all(
            tx.conn(),
            "SELECT item, computed_fen, approved_fen, reason, granted_fen FROM application_items WHERE application_id = ? ORDER BY item",
            vec![id.into()],
        )
        .await?;
        for d in decisions {
            let Some(it) = items
                .iter()
                .find(|i| i.item == d.item.code() || (items.len() == 1 && i.item == row.kind))
            else {
                return Err(field_err(
                    "items",
                    Msg::new(
                        "review.item",
                        format!("本申请没有申请{}。", d.item.zh()),
                        "The application does not claim this item.",
                    ),
                ));
            };
            let ceiling = it.approved_fen.unwrap_or(it.computed_fen);
            if d.approved_fen > it.computed_fen || d.approved_fen > ceiling {
                return Err(field_err(
                    "approved_fen",
                    Msg::new(
                        "review.above_calculation",
                        format!(
                            "{}核定金额 {} 元高于系统测算（或上一环节核定）的 {} 元：核定金额只能调低，不能调高。",
                            d.item.zh(),
                            ipfin_domain::financing::yuan(d.approved_fen),
                            ipfin_domain::financing::yuan(ceiling)
                        ),
                        "An approved amount cannot exceed the calculation.",
                    ),
                ));
            }
            if d.approved_fen < 0 {
                return Err(field_err(
                    "approved_fen",
                    Msg::new(
                        "review.negative",
                        "核定金额不能为负数。",
                        "Amounts cannot be negative.",
                    ),
                ));
            }
            if d.approved_fen < ceiling && d.reason.trim().is_empty() {
                return Err(field_err(
                    "reason",
                    Msg::new(
                        "review.reason",
                        format!("{}核定金额低于测算金额，请填写调减理由。", d.item.zh()),
                        "Give the reason for lowering an amount.",
                    ),
                ));
            }
        }
        for it in &items {
            let d = decisions
                .iter()
                .find(|d| d.item.code() == it.item || (items.len() == 1 && it.item == row.kind));
            let approved = d
                .map(|d| d.approved_fen)
                .unwrap_or(it.approved_fen.unwrap_or(it.computed_fen));
            let reason = d
                .map(|d| d.reason.trim().to_string())
                .filter(|r| !r.is_empty())
                .or(it.reason.clone());
            exec(
                tx.conn(),
                "UPDATE application_items SET approved_fen = ?, reason = ? WHERE application_id = ? AND item = ?",
                vec![approved.into(), reason.into(), id.into(), it.item.clone().into()],
            )
            .await?;
        }
        let total = fetch_i64(tx.conn(), "SELECT CAST(COALESCE(SUM(approved_fen), 0) AS BIGINT) FROM application_items WHERE application_id = ?", vec![id.into()]).await?;
        exec(
            tx.conn(),
            "UPDATE applications SET approved_fen = ? WHERE id = ?",
            vec![total.into(), id.into()],
        )
        .await?;
        let next = Self::transition(
            tx,
            &row,
            &wf,
            Actor::Officer(user),
            Action::Pass,
            comment,
            json!({"decisions": decisions, "approved_fen": total}),
        )
        .await?;
        if next.state == State::Reviewed {
            Self::notify_officers(
                tx,
                &row,
                format!(
                    "{} 审核通过（核定 {} 元），待发布公示。",
                    row.label(),
                    ipfin_domain::financing::yuan(total)
                ),
            )
            .await?;
        } else {
            Self::notify_officers(
                tx,
                &row,
                format!(
                    "{} 待{}。",
                    row.label(),
                    next.stage.map(|s| s.zh()).unwrap_or("")
                ),
            )
            .await?;
        }
        Ok(next.state)
    }
}

impl Store {
    /// Publishes a public notice (公示) of reviewed applications for `days` working days from
    /// `start`; refuses where the calendar does not cover the period.
    /// The notice cannot start before `today`.
    #[allow(clippy::too_many_arguments)]
    pub async fn publish_notice(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        title: &str,
        ids: &[i64],
        start: NaiveDate,
        days: u32,
        today: NaiveDate,
    ) -> Result<i64> {
        let district = officer_district(scope)?.to_string();
        if start < today {
            return Err(field_err(
                "start",
                Msg::new(
                    "notice.backdated",
                    format!(
                        "公示开始日期（{start}）不能早于今天（{today}）：公示期须完整对外公开。"
                    ),
                    "A notice cannot start before today.",
                ),
            ));
        }
        let title = title.trim();
        if title.is_empty() {
            return Err(field_err(
                "title",
                Msg::new(
                    "notice.title",
                    "请填写公示标题。",
                    "Enter the notice's title.",
                ),
            ));
        }
        if ids.is_empty() {
            return Err(field_err(
                "applications",
                Msg::new(
                    "notice.empty",
                    "请至少选择一件审核通过的申请。",
                    "Choose at least one reviewed application.",
                ),
            ));
        }
        if !(5..=30).contains(&days) {
            return Err(field_err(
                "days",
                Msg::new(
                    "notice.days",
                    "公示期应为 5–30 个工作日。",
                    "A notice runs 5–30 working days.",
                ),
            ));
        }
        let calendar = Self::calendar_in(tx.conn()).await?;
        let end = calendar
            .period_end(start, days)
            .map_err(|m| field_err("start", m))?;
        let user = tx.actor_user_id().ok_or_else(person_required)?;
        let now = crate::now_s();
        let nid = fetch_i64(
            tx.conn(),
            "INSERT INTO notices (district_code, title, starts_on, ends_on, days, status, published_at, published_by) \
             VALUES (?, ?, ?, ?, ?, 'open', ?, ?) RETURNING id",
            vec![district.clone().into(), title.to_string().into(), start.into(), end.into(), (days as i32).into(), now.into(), user.into()],
        )
        .await?;
        for id in ids {
            let (row, wf, _, _) = Self::officer_row(tx, scope, *id).await?;
            if wf.state != State::Reviewed {
                return Err(StoreError::conflict(
                    "notice.not_reviewed",
                    format!(
                        "申请 {} 的状态为“{}”，只有审核通过的申请可以公示。",
                        row.label(),
                        wf.state.zh()
                    ),
                    "Only reviewed applications can be published.",
                ));
            }
            let items: Vec<String> = row.item_list().iter().map(|i| i.zh().to_string()).collect();
            let items = if items.is_empty() {
                row.kind().zh().to_string()
            } else {
                items.join("、")
            };
            exec(
                tx.conn(),
                "INSERT INTO notice_entries (notice_id, application_id, enterprise_name, items, amount_fen) VALUES (?, ?, ?, ?, ?)",
                vec![nid.into(), (*id).into(), row.applicant_name.clone().into(), items.into(), row.approved_fen.unwrap_or(0).into()],
            )
            .await?;
            Self::transition(
                tx,
                &row,
                &wf,
                Actor::Officer(user),
                Action::PublishNotice,
                title,
                json!({"notice_id": nid, "ends_on": end}),
            )
            .await?;
            Self::notify_applicant(
                tx,
                &row,
                format!("{} 已进入公示，公示期至 {end}。", row.label()),
            )
            .await?;
        }
        tx.audit(
            "notice.publish",
            "notice",
            nid,
            json!({"applications": ids, "starts_on": start, "ends_on": end, "days": days}),
        )
        .await?;
        Ok(nid)
    }

    /// Notices: a district's (officers), or every published one (public, city).
    pub async fn notices(&self, district: Option<&str>) -> Result<Vec<NoticeRow>> {
        let (cond, values): (&str, Vec<Value>) = match district {
            Some(d) => ("WHERE district_code = ?", vec![d.to_string().into()]),
            None => ("", vec![]),
        };
        fetch_all(
            self.conn(),
            &format!("SELECT id, district_code, title, starts_on, ends_on, days, status, published_at FROM notices {cond} ORDER BY id DESC LIMIT 200"),
            values,
        )
        .await
    }

    /// A notice: public facts for everyone; the objections (with contacts) only for the
    /// district's officers and the city.
    pub async fn notice(&self, scope: &Scope, id: i64) -> Result<NoticeDetail> {
        Self::notice_in(self.conn(), scope, id).await
    }

    async fn notice_in<C: ConnectionTrait>(
        conn: &C,
        scope: &Scope,
        id: i64,
    ) -> Result<NoticeDetail> {
        let notice: NoticeRow = fetch_opt(
            conn,
            "SELECT id, district_code, title, starts_on, ends_on, days, status, published_at FROM notices WHERE id = ?",
            vec![id.into()],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
        let entries = fetch_all(
            conn,
            "SELECT n.application_id, a.number, n.enterprise_name, n.items, n.amount_fen, n.outcome FROM notice_entries n \
             JOIN applications a ON a.id = n.application_id WHERE n.notice_id = ? ORDER BY a.number",
            vec![id.into()],
        )
        .await?;
        let officer = match scope {
            Scope::City => true,
            Scope::District { code, .. } => *code == notice.district_code,
            _ => false,
        };
        let objections = if officer {
            fetch_all(
                conn,
                "SELECT id, notice_id, application_id, name, contact, text, evidence_key, evidence_name, lodged_at, decision, reason \
                 FROM objections WHERE notice_id = ? ORDER BY id",
                vec![id.into()],
            )
            .await?
        } else {
            vec![]
        };
        Ok(NoticeDetail {
            notice,
            entries,
            objections,
        })
    }

    /// Anyone lodges an objection during the notice period (until 24:00 of its last day).
    pub async fn lodge_objection(
        &self,
        tx: &mut WriteTx,
        notice_id: i64,
        o: NewObjection,
        today: NaiveDate,
    ) -> Result<i64> {
        let d = Self::notice_in(tx.conn(), &Scope::Public, notice_id).await?;
        if d.notice.status != "open" || today > d.notice.ends_on || today < d.notice.starts_on {
            return Err(StoreError::conflict(
                "objection.period",
                format!(
                    "公示期为 {} 至 {}，现已不在公示期内，不能再提出异议。",
                    d.notice.starts_on, d.notice.ends_on
                ),
                "The notice period is over.",
            ));
        }
        if let Some(a) = o.application_id
            && !d.entries.iter().any(|e| e.application_id == a)
        {
            return Err(field_err(
                "application_id",
                Msg::new(
                    "objection.application",
                    "所选申请不在本次公示名单中。",
                    "The application is not on this notice.",
                ),
            ));
        }
        let name = crate::org::require_text("name", "姓名或单位", "Name", &o.name, 100)?;
        let contact = crate::org::require_text("contact", "联系方式", "Contact", &o.contact, 100)?;
        let text = crate::org::require_text("text", "异议内容", "Objection", &o.text, 4000)?;
        let (key, ename) = match o.evidence {
            Some((fname, bytes)) if !bytes.is_empty() => {
                let t = check_upload(
                    "异议证明材料",
                    ipfin_domain::policy::materials::FileKinds::Document,
                    &bytes,
                )
                .map_err(|m| field_err("evidence", m))?;
                let key = self.keep_file(tx, bytes, t).await?;
                (Some(key), Some(app::files::display_name(&fname)))
            }
            _ => (None, None),
        };
        let oid = fetch_i64(
            tx.conn(),
            "INSERT INTO objections (notice_id, application_id, name, contact, text, evidence_key, evidence_name, lodged_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            vec![notice_id.into(), o.application_id.into(), name.into(), contact.into(), text.into(), key.into(), ename.into(), crate::now_s().into()],
        )
        .await?;
        exec(
            tx.conn(),
            "INSERT INTO notifications (organisation_id, district_code, application_id, text, link, created_at) VALUES (NULL, ?, ?, ?, ?, ?)",
            vec![d.notice.district_code.clone().into(), o.application_id.into(), format!("公示“{}”收到一件异议，请处理。", d.notice.title).into(), format!("/notices/{notice_id}").into(), crate::now_s().into()],
        )
        .await?;
        tx.audit(
            "objection.lodge",
            "notice",
            notice_id,
            json!({"objection_id": oid, "application_id": o.application_id}),
        )
        .await?;
        Ok(oid)
    }

    /// Decides an objection: upheld sends the application back to review; dismissed is
    /// recorded with the reason.
    pub async fn decide_objection(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        objection_id: i64,
        uphold: bool,
        reason: &str,
    ) -> Result<()> {
        let district = officer_district(scope)?.to_string();
        let o: ObjectionRow = fetch_opt(
            tx.conn(),
            "SELECT o.id, o.notice_id, o.application_id, o.name, o.contact, o.text, o.evidence_key, o.evidence_name, o.lodged_at, o.decision, o.reason \
             FROM objections o JOIN notices n ON n.id = o.notice_id WHERE o.id = ? AND n.district_code = ?",
            vec![objection_id.into(), district.into()],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
        if o.decision.is_some() {
            return Err(StoreError::conflict(
                "objection.decided",
                "该异议已处理。",
                "The objection was already decided.",
            ));
        }
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(field_err(
                "reason",
                Msg::new(
                    "objection.reason",
                    "请填写处理意见（核查情况和理由）。",
                    "Give the reason.",
                ),
            ));
        }
        if uphold {
            let Some(aid) = o.application_id else {
                return Err(field_err(
                    "application_id",
                    Msg::new(
                        "objection.no_application",
                        "该异议未指向具体申请，不能认定成立；请驳回并说明，或另行处理。",
                        "The objection names no application.",
                    ),
                ));
            };
            let (row, wf, _, user) = Self::officer_row(tx, scope, aid).await?;
            Self::transition(
                tx,
                &row,
                &wf,
                Actor::Officer(user),
                Action::UpholdObjection,
                reason,
                json!({"objection_id": objection_id}),
            )
            .await?;
            exec(tx.conn(), "UPDATE notice_entries SET outcome = 'upheld' WHERE notice_id = ? AND application_id = ?", vec![o.notice_id.into(), aid.into()]).await?;
            exec(
                tx.conn(),
                "UPDATE applications SET approved_fen = NULL WHERE id = ?",
                vec![aid.into()],
            )
            .await?;
            exec(tx.conn(), "UPDATE application_items SET approved_fen = NULL, reason = NULL WHERE application_id = ?", vec![aid.into()]).await?;
            Self::notify_applicant(
                tx,
                &row,
                format!(
                    "{} 公示期间的异议经核查成立，申请退回重新审核。",
                    row.label()
                ),
            )
            .await?;
        }
        exec(
            tx.conn(),
            "UPDATE objections SET decision = ?, reason = ?, decided_by = ?, decided_at = ? WHERE id = ?",
            vec![(if uphold { "upheld" } else { "dismissed" }).into(), reason.to_string().into(), tx.actor_user_id().into(), crate::now_s().into(), objection_id.into()],
        )
        .await?;
        tx.audit(
            "objection.decide",
            "objection",
            objection_id,
            json!({"upheld": uphold, "reason": reason}),
        )
        .await
    }

    /// Ends every notice whose period is over on `today` (a background job): applications
    /// without an upheld objection are granted within what remains of the policy year's
    /// budget, first come first served by acceptance time or pro rata over the notice.
    pub async fn end_due_notices(&self, today: NaiveDate) -> Result<usize> {
        let due: Vec<NoticeRow> = fetch_all(
            self.conn(),
            "SELECT id, district_code, title, starts_on, ends_on, days, status, published_at FROM notices WHERE status = 'open' AND ends_on < ? ORDER BY id",
            vec![today.into()],
        )
        .await?;
        for n in &due {
            let mut tx = self
                .write(crate::audit::AuditActor::system("notice-period"))
                .await?;
            self.end_notice(&mut tx, n).await?;
            tx.commit().await?;
        }
        Ok(due.len())
    }

    async fn end_notice(&self, tx: &mut WriteTx, n: &NoticeRow) -> Result<()> {
        #[derive(FromQueryResult)]
        struct E {
            application_id: i64,
        }
        let entries: Vec<E> = fetch_all(
            tx.conn(),
            "SELECT n.application_id FROM notice_entries n JOIN applications a ON a.id = n.application_id \
             WHERE n.notice_id = ? AND n.outcome IS NULL AND a.state = 'in_notice' ORDER BY a.accepted_at, a.id",
            vec![n.id.into()],
        )
        .await?;
        let scope = Scope::District {
            code: n.district_code.clone(),
            manage: true,
        };
        let mut rows = Vec::new();
        for e in &entries {
            let row = Self::app_row(tx.conn(), &scope, e.application_id).await?;
            let (wf, _) = Self::app_state(tx.conn(), e.application_id).await?;
            rows.push((row, wf));
        }
        // Budgets per pinned policy: what remains of its year's budget.
        let mut grants: Vec<i64> = rows
            .iter()
            .map(|(r, _)| r.approved_fen.unwrap_or(0))
            .collect();
        let mut by_policy: std::collections::BTreeMap<i64, Vec<usize>> = Default::default();
        for (i, (r, _)) in rows.iter().enumerate() {
            by_policy.entry(r.policy_version_id).or_default().push(i);
        }
        let mut budget_notes = Vec::new();
        for (pv, idx) in by_policy {
            let v = Self::policy_version_in_any(tx.conn(), pv).await?;
            let doc = v.doc()?;
            let Some(budget) = doc.budget else { continue };
            let used = fetch_i64(
                tx.conn(),
                "SELECT CAST(COALESCE(SUM(a.granted_fen), 0) AS BIGINT) FROM applications a JOIN policy_versions p ON p.id = a.policy_version_id \
                 WHERE p.series = ? AND a.policy_year = ? AND a.granted_fen IS NOT NULL",
                vec![v.series.into(), doc.year.into()],
            )
            .await?;
            let remaining = (budget.total_fen - used).max(0);
            let requests: Vec<BudgetRequest> = idx
                .iter()
                .map(|i| BudgetRequest {
                    id: rows[*i].0.id,
                    amount_fen: grants[*i],
                    accepted_at: rows[*i].0.accepted_at.unwrap_or(0),
                })
                .collect();
            let out = allocate_budget(&requests, remaining, budget.mode);
            let asked: i64 = requests.iter().map(|r| r.amount_fen).sum();
            if asked > remaining {
                budget_notes.push(json!({"policy_version_id": pv, "remaining_fen": remaining, "asked_fen": asked, "mode": match budget.mode { BudgetMode::ProRata => "pro_rata", BudgetMode::FirstComeFirstServed => "first_come_first_served" }}));
            }
            for (k, i) in idx.iter().enumerate() {
                grants[*i] = out[k];
            }
        }
        for (k, (row, wf)) in rows.iter().enumerate() {
            let granted = grants[k];
            let items: Vec<ItemRow> = fetch_all(
                tx.conn(),
                "SELECT item, computed_fen, approved_fen, reason, granted_fen FROM application_items WHERE application_id = ? ORDER BY item",
                vec![row.id.into()],
            )
            .await?;
            let weights: Vec<i64> = items.iter().map(|i| i.approved_fen.unwrap_or(0)).collect();
            let shares = proportional(&weights, granted);
            for (it, share) in items.iter().zip(shares) {
                exec(tx.conn(), "UPDATE application_items SET granted_fen = ? WHERE application_id = ? AND item = ?", vec![share.into(), row.id.into(), it.item.clone().into()]).await?;
            }
            exec(
                tx.conn(),
                "UPDATE applications SET granted_fen = ? WHERE id = ?",
                vec![granted.into(), row.id.into()],
            )
            .await?;
            exec(tx.conn(), "UPDATE notice_entries SET outcome = 'granted' WHERE notice_id = ? AND application_id = ?", vec![n.id.into(), row.id.into()]).await?;
            let cut = row.approved_fen.unwrap_or(0) - granted;
            let comment = if cut > 0 {
                format!(
                    "公示期满无成立的异议；因年度预算所限，核定 {} 元调减为 {} 元。",
                    ipfin_domain::financing::yuan(row.approved_fen.unwrap_or(0)),
                    ipfin_domain::financing::yuan(granted)
                )
            } else {
                "公示期满无成立的异议，资助确定。".into()
            };
            Self::transition(
                tx,
                row,
                wf,
                Actor::Officer(0),
                Action::EndNotice,
                &comment,
                json!({"notice_id": n.id, "granted_fen": granted}),
            )
            .await?;
            Self::notify_applicant(
                tx,
                row,
                format!(
                    "{} 资助确定：{} 元。",
                    row.label(),
                    ipfin_domain::financing::yuan(granted)
                ),
            )
            .await?;
        }
        exec(
            tx.conn(),
            "UPDATE notices SET status = 'ended', ended_at = ? WHERE id = ?",
            vec![crate::now_s().into(), n.id.into()],
        )
        .await?;
        tx.audit(
            "notice.end",
            "notice",
            n.id,
            json!({"granted": rows.len(), "budget": budget_notes}),
        )
        .await
    }

    /// Records a disbursement (up to the granted amount); the first schedules a supervision
    /// check half a year later.
    pub async fn disburse(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        id: i64,
        paid_on: NaiveDate,
        amount_fen: i64,
        reference: &str,
    ) -> Result<()> {
        let (row, wf, _, user) = Self::officer_row(tx, scope, id).await?;
        if !matches!(wf.state, State::Granted | State::Disbursed) {
            return Err(StoreError::conflict(
                "disburse.state",
                format!("申请状态为“{}”，资助确定后才能拨付。", wf.state.zh()),
                "Only granted applications are disbursed.",
            ));
        }
        let granted = row.granted_fen.unwrap_or(0);
        if amount_fen <= 0 || row.disbursed_fen + amount_fen > granted {
            return Err(field_err(
                "amount",
                Msg::new(
                    "disburse.amount",
                    format!(
                        "拨付金额应大于 0，且累计不超过确定的资助额 {} 元（已拨付 {} 元）。",
                        ipfin_domain::financing::yuan(granted),
                        ipfin_domain::financing::yuan(row.disbursed_fen)
                    ),
                    "The amount must be above 0 and in total not above the grant.",
                ),
            ));
        }
        let reference = crate::org::require_text(
            "reference",
            "支付凭证号",
            "Payment reference",
            reference,
            100,
        )?;
        exec(
            tx.conn(),
            "INSERT INTO grant_payments (application_id, paid_on, amount_fen, reference, created_at) VALUES (?, ?, ?, ?, ?)",
            vec![id.into(), paid_on.into(), amount_fen.into(), reference.clone().into(), crate::now_s().into()],
        )
        .await?;
        exec(
            tx.conn(),
            "UPDATE applications SET disbursed_fen = disbursed_fen + ? WHERE id = ?",
            vec![amount_fen.into(), id.into()],
        )
        .await?;
        if wf.state == State::Granted {
            Self::transition(
                tx,
                &row,
                &wf,
                Actor::Officer(user),
                Action::Disburse,
                &reference,
                json!({"amount_fen": amount_fen, "paid_on": paid_on}),
            )
            .await?;
            exec(
                tx.conn(),
                "INSERT INTO supervision_checks (application_id, due_on) VALUES (?, ?)",
                vec![id.into(), (paid_on + chrono::Duration::days(180)).into()],
            )
            .await?;
        } else {
            tx.audit(
                "application.disburse_more",
                "application",
                id,
                json!({"amount_fen": amount_fen, "paid_on": paid_on, "reference": reference}),
            )
            .await?;
        }
        Self::notify_applicant(
            tx,
            &row,
            format!(
                "{} 已拨付 {} 元。",
                row.label(),
                ipfin_domain::financing::yuan(amount_fen)
            ),
        )
        .await
    }

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
        Self::supervise(tx, row, wf, body, user).await
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
                .map(|x| x.to_string())
                .unwrap_or_default();
            Self::notify_officers(
                &tx,
                &row,
                format!("{} {}（{when}），申请单位尚未重新提交。", row.label(), MARK),
            )
            .await?;
            Self::notify_applicant(
                &tx,
                &row,
                format!(
                    "{} {}（{when}）：请尽快补正后重新提交，或联系经办人员。",
                    row.label(),
                    MARK
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
            application_id: i64,
            district_code: String,
        }
        let due: Vec<Due> = fetch_all(
            self.conn(),
            "SELECT c.application_id, a.district_code FROM supervision_checks c JOIN applications a ON a.id = c.application_id \
             WHERE c.done_at IS NULL AND c.due_on <= ? AND a.state = 'disbursed' ORDER BY c.due_on, c.id LIMIT 500",
            vec![today.into()],
        )
        .await?;
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
            Self::supervise(&mut tx, row, wf, body, 0).await?;
            tx.commit().await?;
        }
        Ok(due.len())
    }

    async fn supervise(
        tx: &mut WriteTx,
        row: ApplicationRow,
        wf: Workflow,
        body: Body,
        user: i64,
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
        let open = fetch_opt::<IdRow, _>(tx.conn(), "SELECT id FROM supervision_checks WHERE application_id = ? AND done_at IS NULL ORDER BY id", vec![id.into()]).await?;
        let text = findings.join("；");
        match open {
            Some(c) => exec(tx.conn(), "UPDATE supervision_checks SET done_at = ?, outcome = ?, findings = ? WHERE id = ?", vec![crate::now_s().into(), outcome.into(), text.clone().into(), c.id.into()]).await?,
            None => exec(tx.conn(), "INSERT INTO supervision_checks (application_id, due_on, done_at, outcome, findings) VALUES (?, ?, ?, ?, ?)", vec![id.into(), crate::today_shanghai().into(), crate::now_s().into(), outcome.into(), text.clone().into()]).await?,
        };
        if findings.is_empty() {
            tx.audit("application.supervision_ok", "application", id, json!({}))
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

    /// Closes an investigation: cleared, or a clawback of an amount with its reason.
    pub async fn close_investigation(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        id: i64,
        clawback_fen: Option<i64>,
        reason: &str,
    ) -> Result<()> {
        let (row, wf, _, user) = Self::officer_row(tx, scope, id).await?;
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
        match clawback_fen {
            None => {
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
            }
            Some(a) => {
                if a <= 0 || a > row.disbursed_fen {
                    return Err(field_err(
                        "amount",
                        Msg::new(
                            "clawback.amount",
                            format!(
                                "追回金额应大于 0 且不超过已拨付的 {} 元。",
                                ipfin_domain::financing::yuan(row.disbursed_fen)
                            ),
                            "The amount must be above 0 and not above what was disbursed.",
                        ),
                    ));
                }
                Self::transition(
                    tx,
                    &row,
                    &wf,
                    Actor::Officer(user),
                    Action::Clawback,
                    reason,
                    json!({"amount_fen": a}),
                )
                .await?;
                exec(tx.conn(), "INSERT INTO clawbacks (application_id, amount_fen, reason, decided_at) VALUES (?, ?, ?, ?)", vec![id.into(), a.into(), reason.to_string().into(), crate::now_s().into()]).await?;
                Self::release_claims(tx, id).await?;
                Self::notify_applicant(
                    tx,
                    &row,
                    format!(
                        "{} 经核查需追回资助 {} 元：{reason}",
                        row.label(),
                        ipfin_domain::financing::yuan(a)
                    ),
                )
                .await?;
            }
        }
        Ok(())
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
    pub async fn open_clawbacks(&self, org_id: i64) -> Result<i64> {
        fetch_i64(
            self.conn(),
            "SELECT COUNT(*) FROM clawbacks c JOIN applications a ON a.id = c.application_id WHERE a.applicant_org_id = ? AND c.recovered_on IS NULL",
            vec![org_id.into()],
        )
        .await
    }

    /// Notifications for a scope alone (see `notifications_for`).
    pub async fn notifications(&self, scope: &Scope, limit: u64) -> Result<Vec<Notification>> {
        self.notifications_for(scope, None, limit).await
    }

    /// Notifications for the caller, newest first: the district's for its lead officers; its
    /// organisation's for enterprises, institutions, agencies and member departments (whose
    /// organisation `org_id` names: the scope does not carry it); the city's (addressed to
    /// neither an organisation nor a district) for the city.
    pub async fn notifications_for(
        &self,
        scope: &Scope,
        org_id: Option<i64>,
        limit: u64,
    ) -> Result<Vec<Notification>> {
        let (cond, values): (&str, Vec<Value>) = match (scope, org_id.as_ref()) {
            (Scope::District { code, manage: true }, _) => {
                ("district_code = ?", vec![code.clone().into()])
            }
            (
                Scope::Enterprise { org_id }
                | Scope::Institution { org_id }
                | Scope::Agency { org_id },
                _,
            )
            | (Scope::District { manage: false, .. }, Some(org_id)) => {
                ("organisation_id = ?", vec![(*org_id).into()])
            }
            (Scope::City, _) => ("organisation_id IS NULL AND district_code IS NULL", vec![]),
            _ => return Ok(vec![]),
        };
        fetch_all(
            self.conn(),
            &format!("SELECT id, application_id, text, link, created_at, read_at FROM notifications WHERE {cond} ORDER BY id DESC LIMIT {limit}"),
            values,
        )
        .await
    }

    /// Hands undelivered notifications to a sender (e-mail/SMS in production; the log in
    /// development) and marks them sent.
    pub async fn deliver_notifications(
        &self,
        send: &(dyn Fn(&Notification) + Send + Sync),
    ) -> Result<usize> {
        let pending: Vec<Notification> = fetch_all(
            self.conn(),
            "SELECT id, application_id, text, link, created_at, read_at FROM notifications WHERE sent_at IS NULL ORDER BY id LIMIT 500",
            vec![],
        )
        .await?;
        for n in &pending {
            send(n);
            exec(
                self.conn(),
                "UPDATE notifications SET sent_at = ? WHERE id = ?",
                vec![crate::now_s().into(), n.id.into()],
            )
            .await?;
        }
        Ok(pending.len())
    }

    /// The notice an objection belongs to, for the district's officers (404 otherwise).
    pub async fn objection_notice(&self, scope: &Scope, objection_id: i64) -> Result<i64> {
        let district = officer_district(scope)?.to_string();
        fetch_opt::<IdRow, _>(
            self.conn(),
            "SELECT n.id FROM objections o JOIN notices n ON n.id = o.notice_id WHERE o.id = ? AND n.district_code = ?",
            vec![objection_id.into(), district.into()],
        )
        .await?
        .map(|r| r.id)
        .ok_or(StoreError::NotFound)
    }

    /// A stored file by key for a notice's objection evidence (officers of the district).
    pub async fn objection_evidence(
        &self,
        scope: &Scope,
        objection_id: i64,
    ) -> Result<(String, Bytes)> {
        let code = match scope {
            Scope::District { code, .. } => code.clone(),
            Scope::City => String::new(),
            _ => return Err(StoreError::NotFound),
        };
        #[derive(FromQueryResult)]
        struct K {
            evidence_key: Option<String>,
            evidence_name: Option<String>,
            district_code: String,
        }
        let k: K = fetch_opt(
            self.conn(),
            "SELECT o.evidence_key, o.evidence_name, n.district_code FROM objections o JOIN notices n ON n.id = o.notice_id WHERE o.id = ?",
            vec![objection_id.into()],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
        if !code.is_empty() && k.district_code != code {
            return Err(StoreError::NotFound);
        }
        let key = k.evidence_key.ok_or(StoreError::NotFound)?;
        Ok((
            k.evidence_name.unwrap_or_default(),
            self.blobs().get(&key).await?,
        ))
    }
}

impl Store {
    /// Past enterprise fee applications of a policy year for the simulator: the district's own
    /// for its officers and members, every district's for the city. Drafts and applications
    /// that ended without a grant (withdrawn, not accepted, rejected) are left out.
    pub async fn simulation_inputs(
        &self,
        scope: &Scope,
        year: i32,
    ) -> Result<Vec<ipfin_domain::policy::simulate::PastApplication>> {
        let (cond, mut values) = match scope {
            Scope::City => ("1=1".to_string(), vec![]),
            Scope::District { code, .. } => (
                "a.district_code = ?".to_string(),
                vec![Value::from(code.clone())],
            ),
            _ => return Ok(vec![]),
        };
        values.push(year.into());
        #[derive(FromQueryResult)]
        struct P {
            id: i64,
            applicant_org_id: i64,
            district_code: String,
            body: String,
            size_class: Option<String>,
            operating_revenue_fen: Option<i64>,
        }
        let rows: Vec<P> = fetch_all(
            self.conn(),
            &format!(
                "SELECT a.id, a.applicant_org_id, a.district_code, a.body, COALESCE(e.size_override, e.size_class) AS size_class, \
                 e.operating_revenue_fen FROM applications a JOIN enterprises e ON e.id = a.enterprise_id \
                 WHERE {cond} AND a.policy_year = ? AND a.kind = 'enterprise_fee' AND a.state IN {ACTIVE} \
                 ORDER BY a.submitted_at, a.id"
            ),
            values,
        )
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let body: Body = serde_json::from_str(&r.body).map_err(internal)?;
            let items: Vec<ItemRow> = fetch_all(
                self.conn(),
                "SELECT item, computed_fen, approved_fen, reason, granted_fen FROM application_items WHERE application_id = ? ORDER BY item",
                vec![r.id.into()],
            )
            .await?;
            out.push(ipfin_domain::policy::simulate::PastApplication {
                id: r.id,
                applicant: r.applicant_org_id,
                district: r.district_code,
                class: r
                    .size_class
                    .as_deref()
                    .and_then(ipfin_domain::size::SizeClass::from_code)
                    .unwrap_or(ipfin_domain::size::SizeClass::Small),
                operating_revenue_fen: r.operating_revenue_fen,
                loans: body.lines.iter().map(Line::to_calc).collect(),
                current: items
                    .iter()
                    .filter_map(|i| {
                        let item = Item::ALL.iter().copied().find(|x| x.code() == i.item)?;
                        Some((
                            item,
                            i.granted_fen.or(i.approved_fen).unwrap_or(i.computed_fen),
                        ))
                    })
                    .collect(),
            });
        }
        Ok(out)
    }
}
