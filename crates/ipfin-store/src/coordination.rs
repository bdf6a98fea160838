//! The coordination mechanism's data-sharing arrangements (SPEC §1 R1.1; issue #8, decision
//! 0013): which department of a district provides which data set, to which departments, how
//! often and from where. A delivery is an import (SPEC §5) linked to the arrangement; its last
//! finished delivery gives the date the next one is due, and an overdue arrangement is flagged
//! to the lead department (on the district page and as a notification, once per due date).
//!
//! The district's government (lead and member departments) and the city read arrangements; the
//! city and the district's lead officers record and end them and import deliveries.

use crate::audit::AuditActor;
use crate::column::Code;
use crate::db::{exec, fetch_all, fetch_i64, fetch_opt};
use crate::error::{Result, StoreError};
use crate::{Store, WriteTx};
use chrono::NaiveDate;
use ipfin_domain::coordination::{
    Dataset, DeliveryState, Frequency, check_provenance, check_start, delivery_state, import_kind,
};
use ipfin_domain::org::Scope;
use ipfin_domain::visibility::Records;
use sea_orm::FromQueryResult;
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;

/// One data-sharing arrangement with its delivery state.
#[derive(Debug, Clone, Serialize)]
pub struct Arrangement {
    pub id: i64,
    pub district_code: String,
    pub provider_org_id: i64,
    pub provider_name: String,
    pub dataset: Dataset,
    pub frequency: Frequency,
    pub provenance: String,
    pub note: Option<String>,
    pub starts_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
    /// The business date of the last finished delivery (import), if any.
    pub last_delivery: Option<NaiveDate>,
    pub deliveries: i64,
    /// The import kind that delivers this data set (`enterprises`, `tags`, `ip_assets`).
    pub import_kind: &'static str,
    /// Departments that receive the data set.
    pub recipients: Vec<Recipient>,
    pub state: DeliveryState,
}

#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult, Serialize)]
pub struct Recipient {
    pub organisation_id: i64,
    pub name: String,
}

#[derive(FromQueryResult)]
struct Row {
    id: i64,
    district_code: String,
    provider_org_id: i64,
    provider_name: String,
    dataset: Code<Dataset>,
    frequency: Code<Frequency>,
    provenance: String,
    note: Option<String>,
    starts_on: NaiveDate,
    ended_on: Option<NaiveDate>,
    last_at: Option<i64>,
    deliveries: i64,
}

const COLS: &str = "a.id, a.district_code, a.provider_org_id, o.name AS provider_name, a.dataset, a.frequency, \
    a.provenance, a.note, a.starts_on, a.ended_on, \
    (SELECT MAX(i.finished_at) FROM imports i WHERE i.arrangement_id = a.id AND i.status = 'done') AS last_at, \
    (SELECT COUNT(*) FROM imports i WHERE i.arrangement_id = a.id AND i.status = 'done') AS deliveries \
    FROM sharing_arrangements a JOIN organisations o ON o.id = a.provider_org_id";

/// What a new arrangement says.
#[derive(Debug, Clone)]
pub struct NewArrangement {
    pub provider_org_id: Option<i64>,
    pub dataset: Option<String>,
    pub frequency: Option<String>,
    pub provenance: String,
    pub note: Option<String>,
    pub starts_on: Option<NaiveDate>,
    pub recipients: Vec<i64>,
}

/// The business date (Asia/Shanghai) of a Unix time in seconds.
pub fn shanghai_date(ts: i64) -> Option<NaiveDate> {
    let offset = chrono::FixedOffset::east_opt(8 * 3600)?;
    chrono::DateTime::from_timestamp(ts, 0).map(|t| t.with_timezone(&offset).date_naive())
}

fn only_managers() -> StoreError {
    StoreError::forbidden(
        "sharing.lead_only",
        "只有市级管理员和本区牵头部门经办人可以登记数据共享约定。",
        "Only the city and the district's lead officers record data-sharing arrangements.",
    )
}

async fn rows<C: sea_orm::ConnectionTrait>(
    conn: &C,
    cond: &str,
    values: Vec<sea_orm::Value>,
    today: NaiveDate,
) -> Result<Vec<Arrangement>> {
    let rows: Vec<Row> = fetch_all(
        conn,
        &format!("SELECT {COLS} WHERE {cond} ORDER BY a.ended_on IS NOT NULL, a.id"),
        values,
    )
    .await?;
    if rows.is_empty() {
        return Ok(vec![]);
    }
    let ids: Vec<String> = rows.iter().map(|r| r.id.to_string()).collect();
    #[derive(FromQueryResult)]
    struct R {
        arrangement_id: i64,
        organisation_id: i64,
        name: String,
    }
    let recips: Vec<R> = fetch_all(
        conn,
        &format!(
            "SELECT r.arrangement_id, r.organisation_id, o.name FROM sharing_recipients r \
             JOIN organisations o ON o.id = r.organisation_id WHERE r.arrangement_id IN ({}) ORDER BY o.id",
            ids.join(",")
        ),
        vec![],
    )
    .await?;
    let mut by_id: BTreeMap<i64, Vec<Recipient>> = BTreeMap::new();
    for r in recips {
        by_id.entry(r.arrangement_id).or_default().push(Recipient {
            organisation_id: r.organisation_id,
            name: r.name,
        });
    }
    Ok(rows
        .into_iter()
        .map(|r| {
            let dataset = r.dataset.get();
            let frequency = r.frequency.get();
            let last_delivery = r.last_at.and_then(shanghai_date);
            Arrangement {
                state: delivery_state(frequency, r.starts_on, r.ended_on, last_delivery, today),
                recipients: by_id.remove(&r.id).unwrap_or_default(),
                import_kind: import_kind(dataset),
                id: r.id,
                district_code: r.district_code,
                provider_org_id: r.provider_org_id,
                provider_name: r.provider_name,
                dataset,
                frequency,
                provenance: r.provenance,
                note: r.note,
                starts_on: r.starts_on,
                ended_on: r.ended_on,
                last_delivery,
                deliveries: r.deliveries,
            }
        })
        .collect())
}

/// A district's department (active), read inside the transaction; its name.
async fn department_of(tx: &WriteTx, district: &str, org_id: i64) -> Result<Option<String>> {
    #[derive(FromQueryResult)]
    struct N {
        name: String,
    }
    let n: Option<N> = fetch_opt(
        tx.conn(),
        "SELECT name FROM organisations WHERE id = ? AND kind = 'department' AND district_code = ? AND active = ?",
        vec![org_id.into(), district.into(), true.into()],
    )
    .await?;
    Ok(n.map(|n| n.name))
}

impl Store {
    /// A district's arrangements, the active ones first, each with its delivery state on `today`.
    pub async fn arrangements(
        &self,
        scope: &Scope,
        district: &str,
        today: NaiveDate,
    ) -> Result<Vec<Arrangement>> {
        if !scope.reads_district(district) {
            return Err(StoreError::NotFound);
        }
        rows(
            self.conn(),
            "a.district_code = ?",
            vec![district.into()],
            today,
        )
        .await
    }

    /// One arrangement of a district.
    pub async fn arrangement(
        &self,
        scope: &Scope,
        district: &str,
        id: i64,
        today: NaiveDate,
    ) -> Result<Arrangement> {
        if !scope.reads_district(district) {
            return Err(StoreError::NotFound);
        }
        rows(
            self.conn(),
            "a.district_code = ? AND a.id = ?",
            vec![district.into(), id.into()],
            today,
        )
        .await?
        .pop()
        .ok_or(StoreError::NotFound)
    }

    /// Every arrangement in the scope's districts (the city: all), for the overdue job and the
    /// conformance matrix.
    pub async fn all_arrangements(
        &self,
        scope: &Scope,
        today: NaiveDate,
    ) -> Result<Vec<Arrangement>> {
        let (cond, values) = crate::visibility::condition(scope, Records::Arrangements);
        rows(self.conn(), &cond, values, today).await
    }

    /// Records an arrangement: the provider and every recipient must be active departments of
    /// the district (at least one recipient). Every check runs before the first write.
    pub async fn create_arrangement(
        &self,
        scope: &Scope,
        actor: AuditActor,
        district: &str,
        new: NewArrangement,
    ) -> Result<i64> {
        if !scope.reads_district(district) {
            return Err(StoreError::NotFound);
        }
        if !scope.manages_district(district) {
            return Err(only_managers());
        }
        let today = crate::today_shanghai();
        let dataset = new
            .dataset
            .as_deref()
            .and_then(Dataset::from_code)
            .ok_or_else(|| {
                StoreError::invalid(
                    "dataset",
                    "sharing.dataset",
                    "请选择共享的数据类别（商事登记、纳税、信用、科技企业名单或知识产权）。",
                    "Choose the data set.",
                )
            })?;
        let frequency = new
            .frequency
            .as_deref()
            .and_then(Frequency::from_code)
            .ok_or_else(|| {
                StoreError::invalid(
                    "frequency",
                    "sharing.frequency",
                    "请选择报送频率（每月、每季度、每半年或每年）。",
                    "Choose how often the data set is delivered.",
                )
            })?;
        let provenance = check_provenance(&new.provenance).map_err(StoreError::Invalid)?;
        let starts_on = new.starts_on.unwrap_or(today);
        check_start(starts_on, today).map_err(StoreError::Invalid)?;
        let note = crate::org::clean(new.note);
        if note.as_ref().is_some_and(|n| n.chars().count() > 500) {
            return Err(StoreError::invalid(
                "note",
                "sharing.note",
                "备注不能超过 500 个字。",
                "The note is at most 500 characters.",
            ));
        }
        let mut recipients = new.recipients.clone();
        recipients.sort_unstable();
        recipients.dedup();
        let mut tx = self.write(actor).await?;
        let provider = match new.provider_org_id {
            Some(id) => department_of(&tx, district, id).await?,
            None => None,
        };
        let Some(provider_name) = provider else {
            return Err(StoreError::invalid(
                "provider_org_id",
                "sharing.provider",
                "请选择提供数据的部门（须为本区在用的部门）。",
                "Choose the providing department (an active department of the district).",
            ));
        };
        if recipients.is_empty() {
            return Err(StoreError::invalid(
                "recipients",
                "sharing.recipients",
                "请至少选择一个接收数据的部门。",
                "Choose at least one receiving department.",
            ));
        }
        for r in &recipients {
            if department_of(&tx, district, *r).await?.is_none() {
                return Err(StoreError::invalid(
                    "recipients",
                    "sharing.recipient_outside",
                    "接收部门须为本区在用的部门。",
                    "Receiving departments must be active departments of the district.",
                ));
            }
        }
        let id = fetch_i64(
            tx.conn(),
            "INSERT INTO sharing_arrangements (district_code, provider_org_id, dataset, frequency, provenance, note, \
             starts_on, ended_on, overdue_notified_due, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?) RETURNING id",
            vec![
                district.into(),
                new.provider_org_id.into(),
                dataset.code().into(),
                frequency.code().into(),
                provenance.clone().into(),
                note.into(),
                starts_on.into(),
                tx.actor_user_id().into(),
                crate::now_s().into(),
            ],
        )
        .await?;
        for r in &recipients {
            exec(
                tx.conn(),
                "INSERT INTO sharing_recipients (arrangement_id, organisation_id) VALUES (?, ?)",
                vec![id.into(), (*r).into()],
            )
            .await?;
        }
        tx.audit(
            "sharing.create",
            "sharing_arrangement",
            id,
            json!({"district": district, "provider": provider_name, "dataset": dataset.code(),
                   "frequency": frequency.code(), "provenance": provenance, "recipients": recipients}),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Ends an arrangement on `today` (it is no longer due; its deliveries stay on record).
    pub async fn end_arrangement(
        &self,
        scope: &Scope,
        actor: AuditActor,
        district: &str,
        id: i64,
    ) -> Result<()> {
        let today = crate::today_shanghai();
        let a = self.arrangement(scope, district, id, today).await?;
        if !scope.manages_district(district) {
            return Err(only_managers());
        }
        if a.ended_on.is_some() {
            return Err(StoreError::conflict(
                "sharing.ended",
                "该数据共享约定已终止。",
                "The arrangement has already ended.",
            ));
        }
        let mut tx = self.write(actor).await?;
        exec(
            tx.conn(),
            "UPDATE sharing_arrangements SET ended_on = ? WHERE id = ? AND ended_on IS NULL",
            vec![today.into(), id.into()],
        )
        .await?;
        tx.audit(
            "sharing.end",
            "sharing_arrangement",
            id,
            json!({"district": district, "ended_on": today}),
        )
        .await?;
        tx.commit().await
    }

    /// Checks that an import of `kind` by `scope` may be the delivery of arrangement `id`: the
    /// caller manages the arrangement's district, the arrangement is running and `kind` is the
    /// import that delivers its data set. Called before the import starts, so a refused link
    /// starts nothing.
    pub async fn check_delivery(&self, scope: &Scope, id: i64, kind: &str) -> Result<Arrangement> {
        let today = crate::today_shanghai();
        let found: Vec<Arrangement> = rows(self.conn(), "a.id = ?", vec![id.into()], today).await?;
        let Some(a) = found
            .into_iter()
            .next()
            .filter(|a| scope.reads_district(&a.district_code))
        else {
            return Err(StoreError::invalid(
                "arrangement_id",
                "sharing.unknown",
                "所选的数据共享约定不存在或不属于本区。",
                "The arrangement does not exist in your district.",
            ));
        };
        if !scope.manages_district(&a.district_code) {
            return Err(only_managers());
        }
        if a.ended_on.is_some() {
            return Err(StoreError::invalid(
                "arrangement_id",
                "sharing.ended",
                "该数据共享约定已终止，不能再登记报送。",
                "The arrangement has ended.",
            ));
        }
        if a.import_kind != kind {
            return Err(StoreError::invalid(
                "arrangement_id",
                "sharing.kind",
                format!(
                    "“{}”须通过“{}”导入报送，请选择对应的导入内容。",
                    a.dataset.zh(),
                    crate::import::ImportKind::from_code(a.import_kind)
                        .map_or(a.import_kind, |k| k.zh())
                ),
                format!(
                    "{} is delivered by the {} import.",
                    a.dataset.en(),
                    a.import_kind
                ),
            ));
        }
        Ok(a)
    }

    /// Links an import to the arrangement it delivers (after `check_delivery`).
    pub async fn link_delivery(
        &self,
        actor: AuditActor,
        import_id: i64,
        arrangement_id: i64,
    ) -> Result<()> {
        let mut tx = self.write(actor).await?;
        exec(
            tx.conn(),
            "UPDATE imports SET arrangement_id = ? WHERE id = ?",
            vec![arrangement_id.into(), import_id.into()],
        )
        .await?;
        tx.audit(
            "sharing.delivery",
            "sharing_arrangement",
            arrangement_id,
            json!({"import": import_id}),
        )
        .await?;
        tx.commit().await
    }

    /// The imports that delivered an arrangement, newest first.
    pub async fn deliveries(
        &self,
        scope: &Scope,
        district: &str,
        id: i64,
    ) -> Result<Vec<crate::import::ImportRecord>> {
        self.arrangement(scope, district, id, crate::today_shanghai())
            .await?;
        fetch_all(
            self.conn(),
            &format!(
                "SELECT {} FROM imports WHERE arrangement_id = ? ORDER BY id DESC LIMIT 100",
                crate::import::IMPORT_COLS
            ),
            vec![id.into()],
        )
        .await
    }

    /// Flags overdue arrangements to their district's lead department: one notification per
    /// arrangement and due date. Returns how many were flagged.
    pub async fn notify_overdue_deliveries(&self, today: NaiveDate) -> Result<u64> {
        #[derive(FromQueryResult)]
        struct Notified {
            id: i64,
            overdue_notified_due: Option<NaiveDate>,
        }
        let all = self.all_arrangements(&Scope::City, today).await?;
        let overdue: Vec<&Arrangement> = all.iter().filter(|a| a.state.is_overdue()).collect();
        if overdue.is_empty() {
            return Ok(0);
        }
        let notified: Vec<Notified> = fetch_all(
            self.conn(),
            "SELECT id, overdue_notified_due FROM sharing_arrangements WHERE ended_on IS NULL",
            vec![],
        )
        .await?;
        let notified: BTreeMap<i64, Option<NaiveDate>> = notified
            .into_iter()
            .map(|n| (n.id, n.overdue_notified_due))
            .collect();
        let mut n = 0;
        for a in overdue {
            let DeliveryState::Overdue { due, days } = a.state else {
                continue;
            };
            if notified.get(&a.id).copied().flatten() == Some(due) {
                continue;
            }
            let mut tx = self.write(AuditActor::system("sharing")).await?;
            let lead = Store::lead_on(tx.conn(), &a.district_code, today).await?;
            crate::notification::notify(
                tx.conn(),
                lead.map(ipfin_domain::id::OrgId::new),
                Some(&a.district_code),
                None,
                (
                    format!(
                        "数据共享逾期：{}的“{}”应于 {} 前报送，已逾期 {} 天。",
                        a.provider_name,
                        a.dataset.zh(),
                        ipfin_domain::format::date_zh(due),
                        days
                    ),
                    format!(
                        "Data sharing overdue: {} from {} was due by {}, {} days ago.",
                        a.dataset.en(),
                        a.provider_name,
                        ipfin_domain::format::date(due, ipfin_domain::Lang::En),
                        days
                    ),
                ),
                format!("/districts/{}/sharing/{}", a.district_code, a.id),
            )
            .await?;
            exec(
                tx.conn(),
                "UPDATE sharing_arrangements SET overdue_notified_due = ? WHERE id = ?",
                vec![due.into(), a.id.into()],
            )
            .await?;
            tx.audit(
                "sharing.overdue",
                "sharing_arrangement",
                a.id,
                json!({"due": due, "days": days}),
            )
            .await?;
            tx.commit().await?;
            n += 1;
        }
        Ok(n)
    }

    /// Demo arrangements for a district: the provider departments by name suffix.
    pub(crate) async fn seed_sharing_demo(
        tx: &WriteTx,
        district: &str,
        lead: i64,
        members: &BTreeMap<&str, i64>,
        full: bool,
        recent: NaiveDate,
        today: NaiveDate,
    ) -> Result<()> {
        use chrono::Datelike;
        let jan1 = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(recent);
        let plans: [(&str, Dataset, Frequency, &str, NaiveDate); 3] = [
            (
                "",
                Dataset::Registration,
                Frequency::Monthly,
                "区市场监督管理局商事登记系统",
                recent,
            ),
            (
                "税务局",
                Dataset::Tax,
                Frequency::Quarterly,
                "区税务局金税系统纳税信用数据",
                jan1,
            ),
            (
                "科技创新局",
                Dataset::SciTech,
                Frequency::Yearly,
                "区科技创新局国家高新技术企业认定名单",
                jan1,
            ),
        ];
        for (suffix, dataset, frequency, provenance, starts_on) in
            plans.into_iter().take(if full { 3 } else { 1 })
        {
            let provider = if suffix.is_empty() {
                Some(lead)
            } else {
                members.get(suffix).copied()
            };
            let Some(provider) = provider else { continue };
            let id = fetch_i64(
                tx.conn(),
                "INSERT INTO sharing_arrangements (district_code, provider_org_id, dataset, frequency, provenance, note, \
                 starts_on, ended_on, overdue_notified_due, created_by, created_at) VALUES (?, ?, ?, ?, ?, NULL, ?, NULL, NULL, NULL, ?) RETURNING id",
                vec![
                    district.into(),
                    provider.into(),
                    dataset.code().into(),
                    frequency.code().into(),
                    provenance.into(),
                    starts_on.into(),
                    crate::now_s().into(),
                ],
            )
            .await?;
            let mut recipients = vec![lead];
            recipients.extend(members.get("金融工作局").copied());
            recipients.retain(|r| *r != provider);
            for r in recipients {
                exec(
                    tx.conn(),
                    "INSERT INTO sharing_recipients (arrangement_id, organisation_id) VALUES (?, ?)",
                    vec![id.into(), r.into()],
                )
                .await?;
            }
        }
        Ok(())
    }
}
