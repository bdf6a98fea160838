//! Policy versions (SPEC R2.1–R2.3): a district's lead officers draft a version, circulate it
//! to the district's member departments for comments, publish it (then it never changes) and
//! later supersede it with a revision. Also the dated LPR values and the working-day calendar
//! the calculations read.

use crate::db::{exec, fetch_all, fetch_i64, fetch_opt};
use crate::error::{Result, StoreError};
use crate::{Store, WriteTx};
use chrono::{Datelike, NaiveDate};
use ipfin_domain::Scope;
use ipfin_domain::calendar::{Calendar, YearArrangement};
use ipfin_domain::policy::document::{PolicyDocument, parse};
use ipfin_domain::policy::lpr::{LprTable, LprValue};
use ipfin_domain::visibility::Records;
use sea_orm::{ConnectionTrait, FromQueryResult};
use serde::Serialize;
use serde_json::json;
use std::str::FromStr;

/// A stored policy version.
#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct PolicyVersionRow {
    pub id: i64,
    pub district_code: String,
    pub series: i64,
    pub version: i32,
    pub status: String,
    pub title: String,
    pub year: i32,
    pub document: String,
    pub created_at: i64,
    pub circulated_at: Option<i64>,
    pub published_at: Option<i64>,
    pub superseded_at: Option<i64>,
}

impl PolicyVersionRow {
    /// The document (stored documents were checked when written).
    pub fn doc(&self) -> Result<PolicyDocument> {
        parse(self.document.as_bytes())
            .map_err(|e| StoreError::Internal(format!("stored policy {}: {}", self.id, e.msg)))
    }
    pub fn is_public(&self) -> bool {
        self.status == "published" || self.status == "superseded"
    }
    pub fn editable(&self) -> bool {
        self.status == "draft" || self.status == "circulating"
    }
}

/// A member department's comment on a circulated draft.
#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct PolicyComment {
    pub id: i64,
    pub version_id: i64,
    pub organisation_id: i64,
    pub org_name: String,
    pub body: String,
    pub created_at: i64,
}

const COLS: &str = "p.id, p.district_code, p.series, p.version, p.status, p.title, p.year, p.document, p.created_at, \
    p.circulated_at, p.published_at, p.superseded_at";

fn checked(doc: &PolicyDocument) -> Result<String> {
    if let Some(e) = doc.check().into_iter().next() {
        return Err(StoreError::Document(e));
    }
    serde_json::to_string(doc).map_err(|e| StoreError::Internal(e.to_string()))
}

fn lead_district(scope: &Scope) -> Result<&str> {
    scope.lead_district().ok_or_else(|| {
        StoreError::forbidden(
            "policy.manage",
            "只有区牵头部门可以起草和发布本区政策。",
            "Only a district's lead officers draft and publish its policies.",
        )
    })
}

impl Store {
    /// Policy versions the scope may read, newest first; `district` narrows to one district.
    pub async fn policy_versions(
        &self,
        scope: &Scope,
        district: Option<&str>,
    ) -> Result<Vec<PolicyVersionRow>> {
        let (mut cond, mut values) = crate::visibility::condition(scope, Records::Policies);
        if let Some(d) = district {
            cond.push_str(" AND p.district_code = ?");
            values.push(d.to_string().into());
        }
        fetch_all(
            self.conn(),
            &format!("SELECT {COLS} FROM policy_versions p WHERE {cond} ORDER BY p.district_code, p.series DESC, p.version DESC"),
            values,
        )
        .await
    }

    /// One version, if the scope may read it.
    pub async fn policy_version(&self, scope: &Scope, id: i64) -> Result<PolicyVersionRow> {
        Self::policy_version_in(self.conn(), scope, id).await
    }

    pub(crate) async fn policy_version_scoped<C: ConnectionTrait>(
        conn: &C,
        scope: &Scope,
        id: i64,
    ) -> Result<PolicyVersionRow> {
        Self::policy_version_in(conn, scope, id).await
    }

    async fn policy_version_in<C: ConnectionTrait>(
        conn: &C,
        scope: &Scope,
        id: i64,
    ) -> Result<PolicyVersionRow> {
        let (cond, mut values) = crate::visibility::condition(scope, Records::Policies);
        values.insert(0, id.into());
        fetch_opt(
            conn,
            &format!("SELECT {COLS} FROM policy_versions p WHERE p.id = ? AND {cond}"),
            values,
        )
        .await?
        .ok_or(StoreError::NotFound)
    }

    /// The version a lead officer may change: their district's, still a draft.
    async fn own_draft(tx: &WriteTx, scope: &Scope, id: i64) -> Result<PolicyVersionRow> {
        let district = lead_district(scope)?;
        let v = Self::policy_version_in(tx.conn(), scope, id).await?;
        if v.district_code != district {
            return Err(StoreError::NotFound);
        }
        if !v.editable() {
            return Err(StoreError::conflict(
                "policy.published_immutable",
                "已发布的政策版本不能修改；如需调整，请基于该版本起草修订版。",
                "A published version cannot change: draft a revision instead.",
            ));
        }
        Ok(v)
    }

    /// Drafts a new policy (its first version).
    pub async fn create_policy(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        doc: &PolicyDocument,
    ) -> Result<PolicyVersionRow> {
        let district = lead_district(scope)?.to_string();
        let text = checked(doc)?;
        let id = insert_draft(tx, &district, 0, 1, &doc.title, doc.year, &text).await?;
        exec(
            tx.conn(),
            "UPDATE policy_versions SET series = id WHERE id = ?",
            vec![id.into()],
        )
        .await?;
        tx.audit(
            "policy.create",
            "policy_version",
            id,
            json!({"district": district, "title": doc.title}),
        )
        .await?;
        Self::policy_version_in(tx.conn(), scope, id).await
    }

    /// Replaces a draft's document.
    pub async fn update_policy(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        id: i64,
        doc: &PolicyDocument,
    ) -> Result<PolicyVersionRow> {
        let before = Self::own_draft(tx, scope, id).await?;
        let text = checked(doc)?;
        exec(
            tx.conn(),
            "UPDATE policy_versions SET title = ?, year = ?, document = ? WHERE id = ?",
            vec![
                doc.title.clone().into(),
                doc.year.into(),
                text.into(),
                id.into(),
            ],
        )
        .await?;
        tx.audit(
            "policy.update",
            "policy_version",
            id,
            json!({"before_title": before.title, "title": doc.title}),
        )
        .await?;
        Self::policy_version_in(tx.conn(), scope, id).await
    }

    /// Sends a draft to the district's member departments for comments.
    pub async fn circulate_policy(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        id: i64,
    ) -> Result<PolicyVersionRow> {
        Self::own_draft(tx, scope, id).await?;
        exec(
            tx.conn(),
            "UPDATE policy_versions SET status = 'circulating', circulated_at = ? WHERE id = ?",
            vec![crate::now_s().into(), id.into()],
        )
        .await?;
        tx.audit("policy.circulate", "policy_version", id, json!({}))
            .await?;
        Self::policy_version_in(tx.conn(), scope, id).await
    }

    /// A member department (or the lead department) comments on a circulated draft of its
    /// district; the comment stays with the version.
    pub async fn comment_policy(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        organisation_id: ipfin_domain::id::OrgId,
        id: i64,
        body: &str,
    ) -> Result<i64> {
        let Some(code) = scope.district() else {
            return Err(StoreError::forbidden(
                "policy.comment",
                "只有本区成员单位可以提出意见。",
                "Only the district's member departments comment.",
            ));
        };
        let v = Self::policy_version_in(tx.conn(), scope, id).await?;
        if v.district_code != code {
            return Err(StoreError::NotFound);
        }
        if v.status != "circulating" {
            return Err(StoreError::conflict(
                "policy.not_circulating",
                "该版本未在征求意见中，不能提出意见。",
                "This version is not out for comments.",
            ));
        }
        let body = crate::org::require_text("body", "意见", "Comment", body, 2000)?;
        let cid = fetch_i64(
            tx.conn(),
            "INSERT INTO policy_comments (version_id, organisation_id, user_id, body, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
            vec![id.into(), organisation_id.into(), tx.actor_user_id().into(), body.clone().into(), crate::now_s().into()],
        )
        .await?;
        tx.audit(
            "policy.comment",
            "policy_version",
            id,
            json!({"comment_id": cid, "organisation_id": organisation_id}),
        )
        .await?;
        Ok(cid)
    }

    pub async fn policy_comments(&self, scope: &Scope, id: i64) -> Result<Vec<PolicyComment>> {
        let v = self.policy_version(scope, id).await?;
        let own = scope.reads_district(&v.district_code);
        if !own {
            return Ok(Vec::new());
        }
        fetch_all(
            self.conn(),
            "SELECT c.id, c.version_id, c.organisation_id, o.name AS org_name, c.body, c.created_at FROM policy_comments c \
             JOIN organisations o ON o.id = c.organisation_id WHERE c.version_id = ? ORDER BY c.id",
            vec![id.into()],
        )
        .await
    }

    /// Checks a draft's publication exactly as publishing checks it (the district's own draft,
    /// a document without errors) and says what it will do, with the budget before and after;
    /// nothing is written. Four eyes (issue #18 item 3): `publish_policy` runs once a second
    /// person confirms.
    pub(crate) async fn plan_policy_publish(
        tx: &WriteTx,
        scope: &Scope,
        id: i64,
    ) -> Result<ipfin_domain::confirmation::PolicyStep> {
        use sm3::{Digest, Sm3};
        let v = Self::own_draft(tx, scope, id).await?;
        let doc = v.doc()?;
        checked(&doc)?;
        let current: Option<PolicyVersionRow> = fetch_opt(
            tx.conn(),
            &format!(
                "SELECT {COLS} FROM policy_versions p WHERE p.series = ? AND p.status = 'published'"
            ),
            vec![v.series.into()],
        )
        .await?;
        let budget_before = match &current {
            Some(c) => c.doc()?.budget,
            None => None,
        };
        Ok(ipfin_domain::confirmation::PolicyStep {
            version_id: v.id,
            series: v.series,
            version: v.version,
            title: v.title.clone(),
            year: v.year,
            document_sm3: hex::encode(Sm3::digest(v.document.as_bytes())),
            supersedes: current.map(|c| c.id),
            budget_before,
            budget_after: doc.budget,
        })
    }

    /// Publishes a draft: it becomes public and immutable, and the series' earlier published
    /// version is superseded. Only through a confirmed request (`crate::confirmation`) or the
    /// demo's seeding.
    pub(crate) async fn publish_policy(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        id: i64,
    ) -> Result<PolicyVersionRow> {
        let v = Self::own_draft(tx, scope, id).await?;
        checked(&v.doc()?)?;
        let now = crate::now_s();
        exec(
            tx.conn(),
            "UPDATE policy_versions SET status = 'superseded', superseded_at = ? WHERE series = ? AND status = 'published'",
            vec![now.into(), v.series.into()],
        )
        .await?;
        exec(
            tx.conn(),
            "UPDATE policy_versions SET status = 'published', published_at = ? WHERE id = ?",
            vec![now.into(), id.into()],
        )
        .await?;
        tx.audit(
            "policy.publish",
            "policy_version",
            id,
            json!({"series": v.series, "version": v.version}),
        )
        .await?;
        Self::policy_version_in(tx.conn(), scope, id).await
    }

    /// Starts a revision of a published version: a new draft with the same document.
    pub async fn revise_policy(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        id: i64,
    ) -> Result<PolicyVersionRow> {
        let district = lead_district(scope)?;
        let v = Self::policy_version_in(tx.conn(), scope, id).await?;
        if v.district_code != district {
            return Err(StoreError::NotFound);
        }
        let open: Option<i64> = fetch_opt::<IdRow, _>(
            tx.conn(),
            "SELECT id FROM policy_versions WHERE series = ? AND status IN ('draft', 'circulating')",
            vec![v.series.into()],
        )
        .await?
        .map(|r| r.id);
        if let Some(open) = open {
            return Err(StoreError::conflict(
                "policy.revision_open",
                format!("该政策已有未发布的修订稿（版本编号 {open}），请先完成或修改该稿。"),
                format!("This policy already has an unpublished revision (#{open})."),
            ));
        }
        let next = fetch_i64(
            tx.conn(),
            "SELECT CAST(COALESCE(MAX(version), 0) + 1 AS BIGINT) FROM policy_versions WHERE series = ?",
            vec![v.series.into()],
        )
        .await?;
        let nid = insert_draft(
            tx,
            &v.district_code,
            v.series,
            next as i32,
            &v.title,
            v.year,
            &v.document,
        )
        .await?;
        exec(
            tx.conn(),
            "INSERT INTO policy_attachments (version_id, kind, title, file_name, content_type, size, sm3, stored_as, created_at) \
             SELECT ?, kind, title, file_name, content_type, size, sm3, stored_as, created_at FROM policy_attachments WHERE version_id = ?",
            vec![nid.into(), id.into()],
        )
        .await?;
        tx.audit(
            "policy.revise",
            "policy_version",
            nid,
            json!({"from": id, "version": next}),
        )
        .await?;
        Self::policy_version_in(tx.conn(), scope, nid).await
    }

    /// The LPR values entered so far.
    pub async fn lpr_table(&self) -> Result<LprTable> {
        Self::lpr_table_in(self.conn()).await
    }

    pub(crate) async fn lpr_table_in<C: ConnectionTrait>(conn: &C) -> Result<LprTable> {
        #[derive(FromQueryResult)]
        struct Row {
            date: NaiveDate,
            one_year: String,
            over_five_years: String,
        }
        let rows: Vec<Row> = fetch_all(
            conn,
            "SELECT date, one_year, over_five_years FROM lpr_values ORDER BY date",
            vec![],
        )
        .await?;
        let dec = |s: &str| {
            rust_decimal::Decimal::from_str(s)
                .map_err(|e| StoreError::Internal(format!("lpr value {s}: {e}")))
        };
        let mut values = Vec::with_capacity(rows.len());
        for r in rows {
            values.push(LprValue {
                date: r.date,
                one_year: dec(&r.one_year)?,
                over_five_years: dec(&r.over_five_years)?,
            });
        }
        Ok(LprTable::new(values))
    }

    /// Enters (or corrects) the LPR published on a date (the city administrator).
    pub async fn set_lpr(&self, tx: &mut WriteTx, scope: &Scope, v: LprValue) -> Result<()> {
        if !scope.is_city() {
            return Err(StoreError::forbidden(
                "lpr.manage",
                "只有市级管理员可以维护 LPR 数据。",
                "Only the city administrator maintains LPR values.",
            ));
        }
        for (field, r) in [
            ("one_year", v.one_year),
            ("over_five_years", v.over_five_years),
        ] {
            if r <= rust_decimal::Decimal::ZERO || r >= rust_decimal::Decimal::ONE {
                return Err(StoreError::invalid(
                    field,
                    "lpr.value",
                    "LPR 应为 0 到 1 之间的小数（3.00% 填 0.0300）。",
                    "An LPR is a fraction between 0 and 1 (3.00% is 0.0300).",
                ));
            }
        }
        exec(
            tx.conn(),
            "DELETE FROM lpr_values WHERE date = ?",
            vec![v.date.into()],
        )
        .await?;
        exec(
            tx.conn(),
            "INSERT INTO lpr_values (date, one_year, over_five_years) VALUES (?, ?, ?)",
            vec![
                v.date.into(),
                v.one_year.to_string().into(),
                v.over_five_years.to_string().into(),
            ],
        )
        .await?;
        tx.audit("lpr.set", "lpr", v.date, json!({"one_year": v.one_year.to_string(), "over_five_years": v.over_five_years.to_string()})).await
    }

    /// Enters (or replaces) a year's holiday arrangement as the State Council published it
    /// (the city administrator).
    pub async fn set_calendar_year(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        y: &YearArrangement,
        notice: &str,
    ) -> Result<()> {
        if !scope.is_city() {
            return Err(StoreError::forbidden(
                "calendar.manage",
                "只有市级管理员可以维护工作日历。",
                "Only the city administrator maintains the calendar.",
            ));
        }
        if !(2000..=2100).contains(&y.year) {
            return Err(StoreError::invalid(
                "year",
                "calendar.year",
                "年份应在 2000–2100 之间。",
                "The year is between 2000 and 2100.",
            ));
        }
        if let Some(d) = y
            .holidays
            .iter()
            .chain(y.adjusted_working_days.iter())
            .find(|d| d.year() != y.year)
        {
            return Err(StoreError::invalid(
                "holidays",
                "calendar.other_year",
                format!("日期 {d} 不在 {} 年内。", y.year),
                format!("{d} is not in {}.", y.year),
            ));
        }
        if let Some(d) = y.holidays.intersection(&y.adjusted_working_days).next() {
            return Err(StoreError::invalid(
                "workdays",
                "calendar.both",
                format!("{d} 不能既是节假日又是调休上班日。"),
                format!("{d} cannot be both a holiday and a working day."),
            ));
        }
        let notice = crate::org::require_text("notice", "通知文号或名称", "Notice", notice, 200)?;
        write_calendar_year(tx.conn(), y, &notice).await?;
        tx.audit("calendar.set", "calendar", y.year, json!({"holidays": y.holidays.len(), "workdays": y.adjusted_working_days.len(), "notice": notice})).await
    }

    /// The working-day calendar of the years entered so far.
    pub async fn calendar(&self) -> Result<Calendar> {
        Self::calendar_in(self.conn()).await
    }

    pub(crate) async fn calendar_in<C: ConnectionTrait>(conn: &C) -> Result<Calendar> {
        #[derive(FromQueryResult)]
        struct Y {
            year: i32,
        }
        #[derive(FromQueryResult)]
        struct D {
            date: NaiveDate,
            kind: String,
        }
        let years: Vec<Y> = fetch_all(
            conn,
            "SELECT year FROM calendar_years ORDER BY year",
            vec![],
        )
        .await?;
        let days: Vec<D> = fetch_all(
            conn,
            "SELECT date, kind FROM calendar_days ORDER BY date",
            vec![],
        )
        .await?;
        Ok(Calendar::new(
            years
                .into_iter()
                .map(|y| {
                    let of_year = |k: &str| {
                        days.iter()
                            .filter(|d| d.date.year() == y.year && d.kind == k)
                            .map(|d| d.date)
                            .collect()
                    };
                    YearArrangement::new(y.year, of_year("holiday"), of_year("workday"))
                })
                .collect(),
        ))
    }
}

/// A new draft version row; returns its id.
async fn insert_draft(
    tx: &WriteTx,
    district: &str,
    series: i64,
    version: i32,
    title: &str,
    year: i32,
    document: &str,
) -> Result<i64> {
    fetch_i64(
        tx.conn(),
        "INSERT INTO policy_versions (district_code, series, version, status, title, year, document, created_by, created_at) \
         VALUES (?, ?, ?, 'draft', ?, ?, ?, ?, ?) RETURNING id",
        vec![
            district.to_string().into(),
            series.into(),
            version.into(),
            title.to_string().into(),
            year.into(),
            document.to_string().into(),
            tx.actor_user_id().into(),
            crate::now_s().into(),
        ],
    )
    .await
}

#[derive(FromQueryResult)]
struct IdRow {
    id: i64,
}

/// Writes one year's arrangement (replacing what was there).
pub(crate) async fn write_calendar_year<C: ConnectionTrait>(
    conn: &C,
    y: &YearArrangement,
    notice: &str,
) -> Result<()> {
    exec(
        conn,
        "DELETE FROM calendar_days WHERE year = ?",
        vec![y.year.into()],
    )
    .await?;
    exec(
        conn,
        "DELETE FROM calendar_years WHERE year = ?",
        vec![y.year.into()],
    )
    .await?;
    exec(
        conn,
        "INSERT INTO calendar_years (year, notice) VALUES (?, ?)",
        vec![y.year.into(), notice.to_string().into()],
    )
    .await?;
    for (kind, dates) in [
        ("holiday", &y.holidays),
        ("workday", &y.adjusted_working_days),
    ] {
        for d in dates.iter() {
            exec(
                conn,
                "INSERT INTO calendar_days (date, year, kind) VALUES (?, ?, ?)",
                vec![(*d).into(), y.year.into(), kind.to_string().into()],
            )
            .await?;
        }
    }
    Ok(())
}

/// A document of a policy package, stored with its version.
#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct PolicyAttachment {
    pub id: i64,
    pub version_id: i64,
    pub kind: String,
    pub title: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sm3: String,
    /// The file's name in the attachment folder (never shown).
    #[serde(skip)]
    pub stored_as: String,
    pub created_at: i64,
}

/// What an uploaded attachment is, found from its first bytes (not its name).
pub fn sniff_document(head: &[u8]) -> Option<&'static str> {
    if head.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if head.starts_with(b"PK\x03\x04") {
        // DOCX, XLSX and OFD are ZIP containers.
        Some("application/zip")
    } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else {
        None
    }
}

/// A new attachment, already written to the attachment folder.
pub struct NewAttachment {
    pub kind: String,
    pub title: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sm3: String,
    pub stored_as: String,
}

impl Store {
    /// Adds a document to a draft (the district's lead officers).
    pub async fn add_policy_attachment(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        id: i64,
        a: NewAttachment,
    ) -> Result<i64> {
        Self::own_draft(tx, scope, id).await?;
        let kinds = [
            "policy",
            "notice",
            "implementation_rules",
            "procedures",
            "guide",
        ];
        if !kinds.contains(&a.kind.as_str()) {
            return Err(StoreError::invalid(
                "kind",
                "attachment.kind",
                "请选择文件类别（扶持政策、申报通知、实施细则、操作规程、申报指南）。",
                "Choose the document's kind.",
            ));
        }
        let title = crate::org::require_text("title", "文件名称", "Title", &a.title, 200)?;
        let aid = fetch_i64(
            tx.conn(),
            "INSERT INTO policy_attachments (version_id, kind, title, file_name, content_type, size, sm3, stored_as, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            vec![id.into(), a.kind.clone().into(), title.clone().into(), a.file_name.into(), a.content_type.into(), a.size.into(), a.sm3.clone().into(), a.stored_as.into(), crate::now_s().into()],
        )
        .await?;
        tx.audit(
            "policy.attach",
            "policy_version",
            id,
            json!({"attachment_id": aid, "kind": a.kind, "title": title, "sm3": a.sm3}),
        )
        .await?;
        Ok(aid)
    }

    /// The documents of a version the scope may read.
    pub async fn policy_attachments(
        &self,
        scope: &Scope,
        id: i64,
    ) -> Result<Vec<PolicyAttachment>> {
        self.policy_version(scope, id).await?;
        fetch_all(
            self.conn(),
            "SELECT id, version_id, kind, title, file_name, content_type, size, sm3, stored_as, created_at FROM policy_attachments WHERE version_id = ? ORDER BY id",
            vec![id.into()],
        )
        .await
    }
}
