//! The whitelist (白名单, SPEC §6, R3.2; issue #20 item 1): per district, the enterprises
//! registered there with a tag valid today (the guideline's six types and the district's own)
//! or an officer's decision still in force, each with its evidence. Nothing is copied: the list
//! is read from the tags and decisions on the business date asked for, so an entry leaves the
//! list the day after its last evidence expires. Read by the district's departments and the
//! city; decided by the district's lead officers (or the city administrator).

use crate::db::{Page, Paged, exec, fetch_all, fetch_i64, fetch_opt, fetch_page_capped};
use crate::error::{Result, StoreError};
use crate::{Store, WriteTx};
use chrono::NaiveDate;
use ipfin_domain::org::Scope;
use ipfin_domain::size::SizeClass;
use ipfin_domain::whitelist::{EntrySource, check_decision, check_removal};
use ipfin_domain::{CreditCode, Msg, OrgKind};
use sea_orm::{FromQueryResult, Value};
use serde::Serialize;
use serde_json::json;

#[derive(FromQueryResult)]
struct IdRow {
    id: i64,
}

/// How far the list's total is counted (city-wide lists say "10,000+").
pub const COUNT_CAP: u64 = 10_000;

/// Filters of the list.
#[derive(Debug, Clone, Default)]
pub struct WhitelistFilter {
    /// The district (the city chooses; a district's departments always get their own).
    pub district: Option<String>,
    /// A credit code (or its first characters) or part of the name.
    pub q: Option<String>,
    /// Only entries with a valid tag of this type.
    pub tag: Option<String>,
    /// Only entries on the list by a tag, or by a decision.
    pub source: Option<EntrySource>,
    pub size: Option<SizeClass>,
}

/// One enterprise on the list.
#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct WhitelistRow {
    pub enterprise_id: i64,
    pub credit_code: String,
    pub name: String,
    pub district_code: String,
    pub size_class: Option<String>,
    pub data_sharing_consent: bool,
}

/// One piece of evidence that puts an enterprise on the list.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Evidence {
    pub source: EntrySource,
    /// The tag type (tags only).
    pub tag_type: Option<String>,
    /// The tag type's name, or 认定决定.
    pub label: String,
    /// Where the tag came from (the list or import that granted it), or the decision's reason.
    pub detail: String,
    /// The tag's year (tags only).
    pub year: Option<i32>,
    pub valid_from: Option<NaiveDate>,
    /// Last day it counts; `None`: open-ended.
    pub valid_to: Option<NaiveDate>,
    /// The decision (decisions only), to take it back.
    pub decision_id: Option<i64>,
    /// Who decided (decisions only).
    pub decided_by: Option<String>,
}

/// An enterprise on the list with its evidence.
#[derive(Debug, Clone, Serialize)]
pub struct WhitelistEntry {
    #[serde(flatten)]
    pub row: WhitelistRow,
    pub evidence: Vec<Evidence>,
}

impl WhitelistEntry {
    /// The last day the entry stays on the list (`None`: some evidence is open-ended).
    pub fn listed_until(&self) -> Option<NaiveDate> {
        let mut until = None;
        for e in &self.evidence {
            match e.valid_to {
                None => return None,
                Some(t) => until = until.max(Some(t)),
            }
        }
        until
    }
}

pub(crate) const VALID_TAG: &str = "SELECT t.enterprise_id FROM enterprise_tags t JOIN tag_types y ON y.code = t.tag_type \
    JOIN enterprises x ON x.id = t.enterprise_id \
    WHERE (y.district_code IS NULL OR y.district_code = x.registered_district) \
    AND (t.valid_from IS NULL OR t.valid_from <= ?) AND (t.valid_to IS NULL OR t.valid_to >= ?)";
pub(crate) const ACTIVE_DECISION: &str = "SELECT w.enterprise_id FROM whitelist_decisions w \
    JOIN enterprises x ON x.id = w.enterprise_id \
    WHERE w.district_code = x.registered_district AND w.removed_at IS NULL AND w.valid_to >= ?";

impl Store {
    /// The enterprise with this credit code among those the scope sees (for the decision form,
    /// where an officer types the code).
    pub async fn whitelist_candidate(&self, scope: &Scope, code: &CreditCode) -> Result<i64> {
        let (cond, mut values) =
            crate::visibility::condition(scope, ipfin_domain::visibility::Records::Enterprises);
        values.push(code.as_str().to_string().into());
        fetch_opt::<IdRow, _>(
            self.conn(),
            &format!("SELECT e.id FROM enterprises e WHERE {cond} AND e.credit_code = ?"),
            values,
        )
        .await?
        .map(|r| r.id)
        .ok_or_else(|| {
            StoreError::invalid(
                "credit_code",
                "whitelist.unknown_enterprise",
                format!(
                    "本辖区企业库中没有统一社会信用代码为 {} 的企业。",
                    code.as_str()
                ),
                "No enterprise of your district has this credit code.",
            )
        })
    }

    /// The whitelist on `today`: one page, ordered by name.
    pub async fn whitelist(
        &self,
        scope: &Scope,
        f: &WhitelistFilter,
        page: Page,
        today: NaiveDate,
    ) -> Result<Paged<WhitelistEntry>> {
        if !scope.is_government() {
            return Err(StoreError::NotFound);
        }
        let mut conds: Vec<String> = Vec::new();
        let mut values: Vec<Value> = Vec::new();
        let district = match (scope.district(), &f.district) {
            (Some(own), Some(asked)) if own != asked => return Err(StoreError::NotFound),
            (Some(own), _) => Some(own.to_string()),
            (None, asked) => asked.clone(),
        };
        // Where the list comes from: tags valid today, decisions in force, or both.
        let mut from = Vec::new();
        if f.source != Some(EntrySource::Decision) {
            let mut sql = VALID_TAG.to_string();
            values.push(today.into());
            values.push(today.into());
            if let Some(t) = &f.tag {
                sql.push_str(" AND t.tag_type = ?");
                values.push(t.clone().into());
            }
            from.push(sql);
        }
        if f.source != Some(EntrySource::Tag) && f.tag.is_none() {
            from.push(ACTIVE_DECISION.to_string());
            values.push(today.into());
        }
        if from.is_empty() {
            return Ok(Paged {
                items: vec![],
                total: 0,
                capped: false,
                page: page.page,
                per_page: page.per_page,
            });
        }
        conds.push(format!("e.id IN ({})", from.join(" UNION ")));
        if let Some(d) = &district {
            conds.push("e.registered_district = ?".into());
            values.push(d.clone().into());
        }
        if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            conds.push("(e.credit_code LIKE ? OR e.name LIKE ?)".into());
            values.push(format!("{}%", q.to_uppercase()).into());
            values.push(format!("%{q}%").into());
        }
        if let Some(s) = f.size {
            conds.push("COALESCE(e.size_override, e.size_class) = ?".into());
            values.push(s.code().into());
        }
        let from_where = format!("FROM enterprises e WHERE {}", conds.join(" AND "));
        let p: Paged<WhitelistRow> = fetch_page_capped(
            self.conn(),
            "e.id AS enterprise_id, e.credit_code, e.name, e.registered_district AS district_code, \
             COALESCE(e.size_override, e.size_class) AS size_class, e.data_sharing_consent",
            &from_where,
            "e.name, e.id",
            values,
            page,
            Some(COUNT_CAP),
        )
        .await?;
        let ids: Vec<i64> = p.items.iter().map(|r| r.enterprise_id).collect();
        let mut evidence = self.evidence_of(&ids, today).await?;
        Ok(Paged {
            items: p
                .items
                .into_iter()
                .map(|row| WhitelistEntry {
                    evidence: evidence.remove(&row.enterprise_id).unwrap_or_default(),
                    row,
                })
                .collect(),
            total: p.total,
            capped: p.capped,
            page: p.page,
            per_page: p.per_page,
        })
    }

    /// The evidence valid on `today` of these enterprises (tags first, newest year first).
    async fn evidence_of(
        &self,
        ids: &[i64],
        today: NaiveDate,
    ) -> Result<std::collections::HashMap<i64, Vec<Evidence>>> {
        let mut out: std::collections::HashMap<i64, Vec<Evidence>> = Default::default();
        if ids.is_empty() {
            return Ok(out);
        }
        let marks = vec!["?"; ids.len()].join(", ");
        #[derive(FromQueryResult)]
        struct T {
            enterprise_id: i64,
            tag_type: String,
            name_zh: String,
            source: String,
            year: i32,
            valid_from: Option<NaiveDate>,
            valid_to: Option<NaiveDate>,
        }
        let mut values: Vec<Value> = ids.iter().map(|i| (*i).into()).collect();
        values.push(today.into());
        values.push(today.into());
        let tags: Vec<T> = fetch_all(
            self.conn(),
            &format!(
                "SELECT t.enterprise_id, t.tag_type, y.name_zh, t.source, t.year, t.valid_from, t.valid_to \
                 FROM enterprise_tags t JOIN tag_types y ON y.code = t.tag_type JOIN enterprises x ON x.id = t.enterprise_id \
                 WHERE t.enterprise_id IN ({marks}) AND (y.district_code IS NULL OR y.district_code = x.registered_district) \
                 AND (t.valid_from IS NULL OR t.valid_from <= ?) AND (t.valid_to IS NULL OR t.valid_to >= ?) \
                 ORDER BY t.enterprise_id, t.year DESC, t.id"
            ),
            values,
        )
        .await?;
        for t in tags {
            out.entry(t.enterprise_id).or_default().push(Evidence {
                source: EntrySource::Tag,
                tag_type: Some(t.tag_type),
                label: t.name_zh,
                detail: t.source,
                year: Some(t.year),
                valid_from: t.valid_from,
                valid_to: t.valid_to,
                decision_id: None,
                decided_by: None,
            });
        }
        #[derive(FromQueryResult)]
        struct D {
            id: i64,
            enterprise_id: i64,
            reason: String,
            valid_to: NaiveDate,
            decided_at: i64,
            person: Option<String>,
        }
        let mut values: Vec<Value> = ids.iter().map(|i| (*i).into()).collect();
        values.push(today.into());
        let decisions: Vec<D> = fetch_all(
            self.conn(),
            &format!(
                "SELECT w.id, w.enterprise_id, w.reason, w.valid_to, w.decided_at, u.display_name AS person \
                 FROM whitelist_decisions w JOIN enterprises x ON x.id = w.enterprise_id \
                 LEFT JOIN users u ON u.id = w.decided_by \
                 WHERE w.enterprise_id IN ({marks}) AND w.district_code = x.registered_district \
                 AND w.removed_at IS NULL AND w.valid_to >= ? ORDER BY w.enterprise_id, w.id"
            ),
            values,
        )
        .await?;
        for d in decisions {
            out.entry(d.enterprise_id).or_default().push(Evidence {
                source: EntrySource::Decision,
                tag_type: None,
                label: EntrySource::Decision.zh().to_string(),
                detail: d.reason,
                year: None,
                valid_from: crate::date_shanghai(d.decided_at),
                valid_to: Some(d.valid_to),
                decision_id: Some(d.id),
                decided_by: d.person,
            });
        }
        Ok(out)
    }

    /// Puts an enterprise of the district on its whitelist by decision (the district's lead
    /// officers or the city administrator, signed in): with the reason and the last day it
    /// counts (one year when not given). Every problem at once; one decision in force per
    /// enterprise.
    pub async fn add_to_whitelist(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        enterprise_id: i64,
        reason: &str,
        valid_to: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Result<i64> {
        let e = self.enterprise_in(tx.conn(), scope, enterprise_id).await?;
        let Some(district) = e.registered_district.clone() else {
            return Err(StoreError::invalid(
                "enterprise_id",
                "whitelist.no_district",
                "该企业没有注册地辖区，无法列入任何区的白名单。",
                "The enterprise has no district of registration.",
            ));
        };
        if !(scope.manages_district(&district)
            && scope.manages_kind_in(OrgKind::Enterprise, Some(&district)))
        {
            return Err(StoreError::forbidden(
                "whitelist.manage",
                "只有本区牵头部门或市级管理员可以决定列入白名单。",
                "Only the district's lead department or the city administrator decides.",
            ));
        }
        if tx.actor_user_id().is_none() {
            return Err(StoreError::forbidden(
                "whitelist.person_required",
                "列入白名单的决定须以个人账号登录办理。",
                "A decision is signed by a person.",
            ));
        }
        let (reason, until) =
            check_decision(reason, valid_to, today).map_err(StoreError::fields)?;
        let id = fetch_i64(
            tx.conn(),
            "INSERT INTO whitelist_decisions (district_code, enterprise_id, reason, valid_to, decided_by, decided_at) \
             VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            vec![
                district.clone().into(),
                enterprise_id.into(),
                reason.clone().into(),
                until.into(),
                tx.actor_user_id().into(),
                crate::now_s().into(),
            ],
        )
        .await
        .map_err(|err| {
            err.unique_as(Msg::new(
                "whitelist.duplicate",
                format!("{} 已有生效的列入决定；如需变更，请先移出再重新列入。", e.name),
                "The enterprise already has a decision in force.",
            ))
        })?;
        tx.audit(
            "whitelist.add",
            "enterprise",
            enterprise_id,
            json!({"decision_id": id, "district": district, "reason": reason, "valid_to": until}),
        )
        .await?;
        Ok(id)
    }

    /// Whether a decision in force exists in a district the scope reads (not found otherwise):
    /// the API asks before it reads the request body.
    pub async fn whitelist_decision_seen(&self, scope: &Scope, decision_id: i64) -> Result<()> {
        #[derive(FromQueryResult)]
        struct W {
            district_code: String,
        }
        fetch_opt::<W, _>(
            self.conn(),
            "SELECT district_code FROM whitelist_decisions WHERE id = ? AND removed_at IS NULL",
            vec![decision_id.into()],
        )
        .await?
        .filter(|w| scope.reads_district(&w.district_code))
        .map(|_| ())
        .ok_or(StoreError::NotFound)
    }

    /// Takes a decision back, with the reason; tags are not touched.
    pub async fn remove_from_whitelist(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        decision_id: i64,
        reason: &str,
    ) -> Result<()> {
        #[derive(FromQueryResult)]
        struct W {
            enterprise_id: i64,
            district_code: String,
        }
        let w: W = fetch_opt::<W, _>(
            tx.conn(),
            "SELECT enterprise_id, district_code FROM whitelist_decisions WHERE id = ? AND removed_at IS NULL",
            vec![decision_id.into()],
        )
        .await?
        .filter(|w| scope.reads_district(&w.district_code))
        .ok_or(StoreError::NotFound)?;
        if !scope.manages_district(&w.district_code) {
            return Err(StoreError::forbidden(
                "whitelist.manage",
                "只有本区牵头部门或市级管理员可以移出白名单。",
                "Only the district's lead department or the city administrator decides.",
            ));
        }
        let reason = check_removal(reason).map_err(StoreError::Invalid)?;
        exec(
            tx.conn(),
            "UPDATE whitelist_decisions SET removed_by = ?, removed_at = ?, removal_reason = ? WHERE id = ? AND removed_at IS NULL",
            vec![
                tx.actor_user_id().into(),
                crate::now_s().into(),
                reason.clone().into(),
                decision_id.into(),
            ],
        )
        .await?;
        tx.audit(
            "whitelist.remove",
            "enterprise",
            w.enterprise_id,
            json!({"decision_id": decision_id, "reason": reason}),
        )
        .await
    }
}
