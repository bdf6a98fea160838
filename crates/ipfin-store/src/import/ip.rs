//! Intellectual property rows: IP assets of enterprises written in batches.

use super::RowError;
use super::enterprise::{BatchOutcome, not_in_scope};
use super::rows::IpRow;
use crate::db::{exec, fetch_all};
use crate::error::Result;
use crate::{Store, WriteTx};
use ipfin_domain::Scope;
use sea_orm::{FromQueryResult, Value};
use std::collections::HashMap;

impl Store {
    /// Writes a batch of IP asset rows: an asset is one (kind, number); new ones are added to
    /// the enterprise, changed titles, statuses and dates updated, identical ones left alone.
    /// A number already held by another enterprise is an error (a transfer is recorded by
    /// an officer, not by a bulk file).
    pub async fn import_ip_batch(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        rows: Vec<IpRow>,
    ) -> Result<(BatchOutcome, Vec<RowError>)> {
        let mut out = BatchOutcome::default();
        let mut errors = Vec::new();
        if rows.is_empty() {
            return Ok((out, errors));
        }
        let codes: Vec<&str> = rows.iter().map(|r| r.code.as_str()).collect();
        let ents = Self::enterprises_by_code(tx, scope, &codes).await?;
        #[derive(FromQueryResult)]
        struct Existing {
            id: i64,
            enterprise_id: i64,
            kind: String,
            number: String,
            patent_kind: Option<String>,
            title: String,
            legal_status: String,
            grant_date: Option<chrono::NaiveDate>,
            nice_class: Option<i16>,
        }
        let numbers: Vec<&str> = rows.iter().map(|r| r.ip.number.as_str()).collect();
        let mut existing: HashMap<(String, String), Existing> = HashMap::new();
        for chunk in numbers.chunks(2000) {
            let placeholders = vec!["?"; chunk.len()].join(", ");
            let found: Vec<Existing> = fetch_all(
                tx.conn(),
                &format!("SELECT id, enterprise_id, kind, number, patent_kind, title, legal_status, grant_date, nice_class FROM ip_assets WHERE number IN ({placeholders})"),
                chunk.iter().map(|n| Value::from(n.to_string())).collect(),
            )
            .await?;
            existing.extend(
                found
                    .into_iter()
                    .map(|e| ((e.kind.clone(), e.number.clone()), e)),
            );
        }
        let now = crate::now_s();
        let mut new_rows: Vec<(i64, IpRow)> = Vec::new();
        for r in rows {
            let Some((ent_id, _)) = ents.get(&r.code) else {
                errors.push(not_in_scope(r.line, &r.code, r.values));
                continue;
            };
            let ip = &r.ip;
            let patent_kind = ip.patent_kind.map(|k| k.code().to_string());
            match existing.get(&(ip.kind.code().to_string(), ip.number.clone())) {
                Some(e) if e.enterprise_id != *ent_id => errors.push(RowError {
                    line: r.line,
                    field: "number".into(),
                    message: format!(
                        "{}“{}”已登记在其他企业名下；权利转移请由区级经办人在企业页面办理。",
                        ip.kind.zh(),
                        ip.number
                    ),
                    values: r.values,
                }),
                Some(e)
                    if e.title == ip.title
                        && e.legal_status == ip.legal_status
                        && e.grant_date == ip.grant_date
                        && e.nice_class == ip.nice_class
                        && e.patent_kind == patent_kind =>
                {
                    out.unchanged += 1;
                }
                Some(e) => {
                    exec(
                        tx.conn(),
                        "UPDATE ip_assets SET title = ?, legal_status = ?, grant_date = ?, nice_class = ?, patent_kind = ? WHERE id = ?",
                        vec![ip.title.clone().into(), ip.legal_status.clone().into(), ip.grant_date.into(), ip.nice_class.into(), patent_kind.into(), e.id.into()],
                    )
                    .await?;
                    crate::screening::mark_changed(tx.conn(), &[*ent_id]).await?;
                    out.updated += 1;
                }
                None => new_rows.push((*ent_id, r)),
            }
        }
        for chunk in new_rows.chunks(1000) {
            let placeholders = vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?)"; chunk.len()].join(", ");
            let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 9);
            for (ent_id, r) in chunk {
                let ip = &r.ip;
                values.extend([
                    Value::from(*ent_id),
                    ip.kind.code().into(),
                    ip.number.clone().into(),
                    ip.patent_kind.map(|k| k.code().to_string()).into(),
                    ip.title.clone().into(),
                    ip.legal_status.clone().into(),
                    ip.grant_date.into(),
                    ip.nice_class.into(),
                    now.into(),
                ]);
            }
            exec(
                tx.conn(),
                &format!("INSERT INTO ip_assets (enterprise_id, kind, number, patent_kind, title, legal_status, grant_date, nice_class, created_at) VALUES {placeholders}"),
                values,
            )
            .await?;
            let mut owners: Vec<i64> = chunk.iter().map(|(e, _)| *e).collect();
            owners.sort_unstable();
            owners.dedup();
            crate::screening::mark_changed(tx.conn(), &owners).await?;
            out.inserted += chunk.len() as u64;
        }
        Ok((out, errors))
    }
}
