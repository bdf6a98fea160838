//! Eligibility proved at every decision (issue #18 item 2, SPEC §2 R2.2): at submission,
//! acceptance and grant the enterprise's registration district, tax district and legal
//! personality are checked again on the registry as it stands, and each check is kept with the
//! application — every condition with its value, the data set or import it came from, and the
//! as-of date — for the review screen and the auditor.

use super::{ApplicationRow, internal};
use crate::db::{exec, fetch_all, fetch_opt};
use crate::error::Result;
use crate::{Store, WriteTx};
use ipfin_domain::org::Scope;
use ipfin_domain::policy::document::PolicyDocument;
use ipfin_domain::policy::eligibility::{self, Condition, KeptCheck, Step};
use sea_orm::{ConnectionTrait, FromQueryResult};

impl Store {
    /// Where an enterprise's current facts came from, in words: the import (with its file and
    /// date) or the person who entered them.
    async fn facts_source<C: ConnectionTrait>(conn: &C, enterprise_id: i64) -> Result<String> {
        #[derive(FromQueryResult)]
        struct S {
            source_ref: Option<String>,
        }
        let s = fetch_opt::<S, _>(
            conn,
            "SELECT source_ref FROM enterprises WHERE id = ?",
            vec![enterprise_id.into()],
        )
        .await?
        .and_then(|s| s.source_ref);
        let Some(s) = s else {
            return Ok("企业库登记信息".into());
        };
        if let Some(id) = s
            .strip_prefix("import:")
            .and_then(|x| x.parse::<i64>().ok())
        {
            #[derive(FromQueryResult)]
            struct I {
                file_name: String,
                started_at: i64,
            }
            if let Some(i) = fetch_opt::<I, _>(
                conn,
                "SELECT file_name, started_at FROM imports WHERE id = ?",
                vec![id.into()],
            )
            .await?
            {
                return Ok(format!(
                    "企业库（导入批次 #{id}“{}”，{} 导入）",
                    i.file_name,
                    ipfin_domain::calendar::business_date(i.started_at)
                ));
            }
            return Ok(format!("企业库（导入批次 #{id}）"));
        }
        if let Some(id) = s.strip_prefix("user:").and_then(|x| x.parse::<i64>().ok()) {
            let name = Self::user_display_name(conn, id).await?;
            return Ok(format!("企业库（{name}录入）"));
        }
        if let Some(id) = s.strip_prefix("token:") {
            return Ok(format!("企业库（接口令牌 #{id} 报送）"));
        }
        Ok(format!("企业库（{}）", s.trim_start_matches("system:")))
    }

    /// Checks eligibility at a step on the registry as it stands and keeps the check with the
    /// application. Returns the first condition that failed, if any (the caller refuses, or at
    /// grant does not grant). Institutions' applications have no enterprise conditions.
    pub(crate) async fn prove_eligibility(
        &self,
        tx: &WriteTx,
        row: &ApplicationRow,
        doc: &PolicyDocument,
        step: Step,
    ) -> Result<Option<Condition>> {
        let Some(eid) = row.enterprise_id else {
            return Ok(None);
        };
        let e = self.enterprise_in(tx.conn(), &Scope::City, eid).await?;
        let district = Self::district_name(tx.conn(), &row.district_code).await?;
        let mut facts = e.facts();
        facts.source = Self::facts_source(tx.conn(), eid).await?;
        let el = eligibility::check(
            &facts,
            &row.district_code,
            &district,
            &doc.eligibility.extra_conditions,
        );
        exec(
            tx.conn(),
            "INSERT INTO application_eligibility (application_id, step, checked_at, eligible, conditions) VALUES (?, ?, ?, ?, ?)",
            vec![
                row.id.into(),
                step.code().into(),
                crate::now_s().into(),
                el.eligible.into(),
                serde_json::to_string(&el.conditions).map_err(internal)?.into(),
            ],
        )
        .await?;
        Ok(el.conditions.into_iter().find(|c| c.met == Some(false)))
    }

    /// A district's name.
    pub(crate) async fn district_name<C: ConnectionTrait>(conn: &C, code: &str) -> Result<String> {
        #[derive(FromQueryResult)]
        struct N {
            name: String,
        }
        Ok(fetch_opt::<N, _>(
            conn,
            "SELECT name FROM districts WHERE code = ?",
            vec![code.to_string().into()],
        )
        .await?
        .map(|d| d.name)
        .unwrap_or_else(|| code.to_string()))
    }

    /// The eligibility checks kept with an application, oldest first.
    pub(crate) async fn eligibility_checks<C: ConnectionTrait>(
        conn: &C,
        id: i64,
    ) -> Result<Vec<KeptCheck>> {
        #[derive(FromQueryResult)]
        struct R {
            step: String,
            checked_at: i64,
            eligible: bool,
            conditions: String,
        }
        let rows: Vec<R> = fetch_all(
            conn,
            "SELECT step, checked_at, eligible, conditions FROM application_eligibility WHERE application_id = ? ORDER BY id",
            vec![id.into()],
        )
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(KeptCheck {
                    step: crate::column::decode::<Step>("application_eligibility.step", &r.step)?,
                    checked_at: r.checked_at,
                    eligible: r.eligible,
                    conditions: serde_json::from_str(&r.conditions).map_err(internal)?,
                })
            })
            .collect()
    }
}
