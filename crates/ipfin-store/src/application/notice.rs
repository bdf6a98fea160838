//! Public notice (公示) of reviewed applications and the objections lodged against them.

use super::{
    IdRow, NOTICE_COLUMNS, NewObjection, NoticeDetail, NoticeIssuer, NoticeRow, ObjectionRow,
    field_err, notify, officer_district, person_required,
};
use crate::confirmation::Signed;
use crate::db::{exec, fetch_all, fetch_i64, fetch_opt};
use crate::error::{Result, StoreError};
use crate::{Store, WriteTx};
use bytes::Bytes;
use chrono::NaiveDate;
use ipfin_domain::application::files::check_upload;
use ipfin_domain::application::objection::{ObjectionLimits, Reached, retry_after};
use ipfin_domain::application::{self as app, Action, Actor, State};
use ipfin_domain::confirmation::{NoticeLine, NoticeStep};
use ipfin_domain::org::Scope;
use ipfin_domain::{Fen, Msg};
use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use serde_json::json;

impl Store {
    /// Checks a public notice (公示) of reviewed applications for `days` working days from
    /// `start` exactly as publishing checks it (the period covered by the calendar and not
    /// before `today`, a title, 5–30 working days, every application the district's and
    /// reviewed) and says what it will publish; nothing is written. Four eyes (issue #18 item
    /// 3): `publish_notice` publishes it once a second person confirms.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn plan_notice(
        tx: &WriteTx,
        scope: &Scope,
        title: &str,
        ids: &[i64],
        start: NaiveDate,
        days: u32,
        today: NaiveDate,
    ) -> Result<NoticeStep> {
        officer_district(scope)?;
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
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        let mut entries = Vec::new();
        for id in ids {
            let (row, wf, _, _) = Self::officer_row(tx, scope, id).await?;
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
            wf.apply(Actor::Officer(user), Action::PublishNotice)
                .map_err(StoreError::Conflict)?;
            let items: Vec<String> = row.item_list().iter().map(|i| i.zh().to_string()).collect();
            let items = if items.is_empty() {
                row.kind().zh().to_string()
            } else {
                items.join("、")
            };
            entries.push(NoticeLine {
                application_id: id,
                number: row.number.clone(),
                enterprise_name: row.applicant_name.clone(),
                items,
                amount_fen: row.approved_fen.unwrap_or(Fen::ZERO),
            });
        }
        let warnings = Self::split_batch_warnings(tx.conn(), &entries).await?;
        Ok(NoticeStep {
            title: title.to_string(),
            starts_on: start,
            ends_on: end,
            days,
            entries,
            warnings,
        })
    }

    /// Warnings for a notice that splits a batch (issue #19 item 2): accepted applications of
    /// a batch on the notice (accepted, in review or reviewed) that are not on it. The batch's
    /// budget is allocated once over the whole batch, so this notice's end grants nothing yet.
    async fn split_batch_warnings<C: ConnectionTrait>(
        conn: &C,
        entries: &[NoticeLine],
    ) -> Result<Vec<String>> {
        if entries.is_empty() {
            return Ok(vec![]);
        }
        let marks = vec!["?"; entries.len()].join(", ");
        let ids: Vec<Value> = entries.iter().map(|e| e.application_id.into()).collect();
        #[derive(FromQueryResult)]
        struct Left {
            batch_name: String,
            n: i64,
        }
        let mut values = ids.clone();
        values.extend(ids);
        let left: Vec<Left> = fetch_all(
            conn,
            &format!(
                "SELECT a.batch_name, COUNT(*) AS n FROM applications a \
                 JOIN policy_versions p ON p.id = a.policy_version_id \
                 JOIN (SELECT DISTINCT p2.series, b.policy_year, b.batch_name, b.district_code FROM applications b \
                       JOIN policy_versions p2 ON p2.id = b.policy_version_id WHERE b.id IN ({marks})) k \
                   ON k.series = p.series AND k.policy_year = a.policy_year AND k.batch_name = a.batch_name \
                   AND k.district_code = a.district_code \
                 WHERE a.state IN ('accepted', 'reviewed') AND a.id NOT IN ({marks}) \
                 GROUP BY a.batch_name ORDER BY a.batch_name"
            ),
            values,
        )
        .await?;
        Ok(left
            .into_iter()
            .map(|l| {
                format!(
                    "申报批次“{}”还有 {} 件已受理的申请不在本次公示中：本批次的预算在其最后一次公示期满（或两位经办人员确认关闭批次）后统一分配，本次公示期满时不先行确定资助。",
                    l.batch_name, l.n
                )
            })
            .collect())
    }

    /// Publishes a notice planned by `plan_notice` (checked again by the caller); each
    /// application's history names both people of the four eyes.
    pub(crate) async fn publish_notice(
        tx: &mut WriteTx,
        scope: &Scope,
        step: &NoticeStep,
        signed: &Signed,
    ) -> Result<i64> {
        let district = officer_district(scope)?.to_string();
        let user = tx.actor_user_id().ok_or_else(person_required)?;
        let (title, start, end, days) =
            (step.title.as_str(), step.starts_on, step.ends_on, step.days);
        let now = crate::now_s();
        let nid = fetch_i64(
            tx.conn(),
            "INSERT INTO notices (district_code, title, starts_on, ends_on, days, status, published_at, published_by) \
             VALUES (?, ?, ?, ?, ?, 'open', ?, ?) RETURNING id",
            vec![district.clone().into(), title.to_string().into(), start.into(), end.into(), (days as i32).into(), now.into(), user.into()],
        )
        .await?;
        for e in &step.entries {
            let (row, wf, _, _) = Self::officer_row(tx, scope, e.application_id).await?;
            exec(
                tx.conn(),
                "INSERT INTO notice_entries (notice_id, application_id, enterprise_name, items, amount_fen) VALUES (?, ?, ?, ?, ?)",
                vec![nid.into(), e.application_id.into(), e.enterprise_name.clone().into(), e.items.clone().into(), e.amount_fen.into()],
            )
            .await?;
            Self::transition(
                tx,
                &row,
                &wf,
                Actor::Officer(user),
                Action::PublishNotice,
                &signed.comment(title),
                signed.data(json!({"notice_id": nid, "ends_on": end})),
            )
            .await?;
            Self::notify_applicant(
                tx,
                &row,
                (
                    format!(
                        "{} 已进入公示，公示期至 {}。",
                        row.label(),
                        ipfin_domain::format::date_zh(end)
                    ),
                    format!(
                        "{} is in public notice until {}.",
                        row.label(),
                        ipfin_domain::format::date(end, ipfin_domain::Lang::En)
                    ),
                ),
            )
            .await?;
        }
        let ids: Vec<i64> = step.entries.iter().map(|e| e.application_id).collect();
        tx.audit(
            "notice.publish",
            "notice",
            nid,
            signed.data(
                json!({"applications": ids, "starts_on": start, "ends_on": end, "days": days}),
            ),
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
            &format!("SELECT {NOTICE_COLUMNS} FROM notices {cond} ORDER BY id DESC LIMIT 200"),
            values,
        )
        .await
    }

    /// A district's latest `limit` notices the public reads (published or ended), filtered in
    /// the database.
    pub async fn public_notices(&self, district: &str, limit: u32) -> Result<Vec<NoticeRow>> {
        fetch_all(
            self.conn(),
            &format!(
                "SELECT {NOTICE_COLUMNS} FROM notices \
                 WHERE district_code = ? AND status <> 'draft' ORDER BY id DESC LIMIT {limit}"
            ),
            vec![district.to_string().into()],
        )
        .await
    }

    /// Who issued a notice (public facts): the district's name, the organisation of the officer
    /// who published it, a contact with a phone number — the first of that organisation's contact
    /// persons who has one, else of the district's current lead department — and the day of
    /// publication. Unknown notice → `NotFound`.
    pub async fn notice_issuer(&self, id: i64) -> Result<NoticeIssuer> {
        #[derive(FromQueryResult)]
        struct Row {
            district_code: String,
            district_name: String,
            org_id: Option<i64>,
            organisation: Option<String>,
            published_at: i64,
        }
        #[derive(FromQueryResult)]
        struct Contact {
            name: String,
            phone: Option<String>,
        }
        let r: Row = fetch_opt(
            self.conn(),
            "SELECT n.district_code, d.name AS district_name, o.id AS org_id, o.name AS organisation, n.published_at \
             FROM notices n JOIN districts d ON d.code = n.district_code \
             LEFT JOIN users u ON u.id = n.published_by LEFT JOIN organisations o ON o.id = u.organisation_id \
             WHERE n.id = ?",
            vec![id.into()],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
        let mut contact: Option<Contact> = None;
        if let Some(org) = r.org_id {
            contact = fetch_opt(
                self.conn(),
                "SELECT name, phone FROM contact_persons WHERE organisation_id = ? AND phone IS NOT NULL AND phone <> '' \
                 ORDER BY id LIMIT 1",
                vec![org.into()],
            )
            .await?;
        }
        if contact.is_none() {
            contact = fetch_opt(
                self.conn(),
                "SELECT c.name, c.phone FROM contact_persons c \
                 JOIN lead_designations l ON l.organisation_id = c.organisation_id \
                 WHERE l.district_code = ? AND l.to_date IS NULL AND c.phone IS NOT NULL AND c.phone <> '' \
                 ORDER BY c.id LIMIT 1",
                vec![r.district_code.into()],
            )
            .await?;
        }
        Ok(NoticeIssuer {
            district_name: r.district_name,
            organisation: r.organisation,
            contact_name: contact.as_ref().map(|c| c.name.clone()),
            phone: contact.and_then(|c| c.phone),
            published_on: crate::date_shanghai(r.published_at),
        })
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
            &format!("SELECT {NOTICE_COLUMNS} FROM notices WHERE id = ?"),
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
        let officer = scope.reads_district(&notice.district_code);
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
        let (name, contact, text) =
            ipfin_domain::application::objection::check_text(&o.name, &o.contact, &o.text)
                .map_err(StoreError::fields)?;
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
        // The same objection again (same notice, application, text and evidence) is refused:
        // each one stored is work for an officer.
        let same = fetch_i64(
            tx.conn(),
            "SELECT COUNT(*) FROM objections WHERE notice_id = ? AND COALESCE(application_id, 0) = ? \
             AND text = ? AND COALESCE(evidence_key, '') = ?",
            vec![
                notice_id.into(),
                o.application_id.unwrap_or(0).into(),
                text.clone().into(),
                key.clone().unwrap_or_default().into(),
            ],
        )
        .await?;
        if same > 0 {
            return Err(StoreError::conflict(
                "objection.duplicate",
                "相同的异议（同一公示、同一申请、相同内容和证明材料）已经提交过，无需重复提交。",
                "The same objection (same notice, application, text and evidence) was already lodged.",
            ));
        }
        let addr: Option<String> = o.client_addr.map(|a| a.chars().take(64).collect());
        let oid = fetch_i64(
            tx.conn(),
            "INSERT INTO objections (notice_id, application_id, name, contact, text, evidence_key, evidence_name, lodged_at, client_addr) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            vec![notice_id.into(), o.application_id.into(), name.into(), contact.into(), text.into(), key.into(), ename.into(), crate::now_s().into(), addr.into()],
        )
        .await?;
        notify(
            tx.conn(),
            None,
            Some(&d.notice.district_code),
            o.application_id,
            (
                format!("公示“{}”收到一件异议，请处理。", d.notice.title),
                format!(
                    "The notice “{}” received an objection: decide it.",
                    d.notice.title
                ),
            ),
            format!("/notices/{notice_id}"),
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

    /// Whether one more objection is allowed now from `client_addr` on notice `notice_id`
    /// under `limits`: `None` when it is, else the limit reached and the seconds to wait. The
    /// counts are read from the stored objections, so every server instance sees the same.
    pub async fn objection_refusal(
        &self,
        notice_id: i64,
        client_addr: Option<&str>,
        limits: &ObjectionLimits,
        now: i64,
    ) -> Result<Option<(Reached, i64)>> {
        #[derive(FromQueryResult)]
        struct At {
            lodged_at: i64,
        }
        let since = now - limits.window_secs;
        let times = |rows: Vec<At>| rows.into_iter().map(|r| r.lodged_at).collect::<Vec<_>>();
        if let Some(addr) = client_addr {
            let rows: Vec<At> = fetch_all(
                self.conn(),
                "SELECT lodged_at FROM objections WHERE client_addr = ? AND lodged_at > ?",
                vec![addr.into(), since.into()],
            )
            .await?;
            if let Some(wait) =
                retry_after(&times(rows), limits.per_address, limits.window_secs, now)
            {
                return Ok(Some((Reached::Address, wait)));
            }
        }
        let rows: Vec<At> = fetch_all(
            self.conn(),
            "SELECT lodged_at FROM objections WHERE notice_id = ? AND lodged_at > ?",
            vec![notice_id.into(), since.into()],
        )
        .await?;
        Ok(
            retry_after(&times(rows), limits.per_notice, limits.window_secs, now)
                .map(|wait| (Reached::Notice, wait)),
        )
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
                (
                    format!(
                        "{} 公示期间的异议经核查成立，申请退回重新审核。",
                        row.label()
                    ),
                    format!(
                        "{}: an objection during the notice was upheld; the application goes back to review.",
                        row.label()
                    ),
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
