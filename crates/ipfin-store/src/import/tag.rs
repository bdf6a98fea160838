//! Tag rows: enterprise tags written in batches.

use super::RowError;
use super::enterprise::{BatchOutcome, not_in_scope};
use super::rows::TagRow;
use crate::db::{exec, fetch_all};
use crate::error::Result;
use crate::{Store, WriteTx};
use ipfin_domain::Scope;
use sea_orm::{FromQueryResult, Value};
use std::collections::HashMap;

impl Store {
    /// Tag type code and Chinese name → code, over every tag type (whether a district's own
    /// type fits the enterprise is checked when the row is written).
    pub async fn tag_type_lookup(&self) -> Result<HashMap<String, String>> {
        #[derive(FromQueryResult)]
        struct T {
            code: String,
            name_zh: String,
        }
        let all: Vec<T> =
            fetch_all(self.conn(), "SELECT code, name_zh FROM tag_types", vec![]).await?;
        let mut m = HashMap::new();
        for t in all {
            m.insert(t.name_zh, t.code.clone());
            m.insert(t.code.clone(), t.code);
        }
        Ok(m)
    }

    /// Writes a batch of tag rows: a tag is one (enterprise, type, year); new ones are added,
    /// changed sources or validity updated, identical ones left alone. Rows naming an
    /// enterprise outside the scope, or a district's tag type for another district, are errors.
    pub async fn import_tag_batch(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        rows: Vec<TagRow>,
    ) -> Result<(BatchOutcome, Vec<RowError>)> {
        let mut out = BatchOutcome::default();
        let mut errors = Vec::new();
        if rows.is_empty() {
            return Ok((out, errors));
        }
        let codes: Vec<&str> = rows.iter().map(|r| r.code.as_str()).collect();
        let ents = Self::enterprises_by_code(tx, scope, &codes).await?;
        #[derive(FromQueryResult)]
        struct T {
            code: String,
            district_code: Option<String>,
        }
        let type_district: HashMap<String, Option<String>> = fetch_all::<T, _>(
            tx.conn(),
            "SELECT code, district_code FROM tag_types",
            vec![],
        )
        .await?
        .into_iter()
        .map(|t| (t.code, t.district_code))
        .collect();
        #[derive(FromQueryResult)]
        struct Existing {
            id: i64,
            enterprise_id: i64,
            tag_type: String,
            year: i32,
            source: String,
            valid_from: Option<chrono::NaiveDate>,
            valid_to: Option<chrono::NaiveDate>,
        }
        let ids: Vec<i64> = ents.values().map(|(id, _)| *id).collect();
        let mut existing: HashMap<(i64, String, i32), Existing> = HashMap::new();
        for chunk in ids.chunks(2000) {
            let placeholders = vec!["?"; chunk.len()].join(", ");
            let found: Vec<Existing> = fetch_all(
                tx.conn(),
                &format!("SELECT id, enterprise_id, tag_type, year, source, valid_from, valid_to FROM enterprise_tags WHERE enterprise_id IN ({placeholders})"),
                chunk.iter().map(|id| Value::from(*id)).collect(),
            )
            .await?;
            existing.extend(
                found
                    .into_iter()
                    .map(|e| ((e.enterprise_id, e.tag_type.clone(), e.year), e)),
            );
        }
        let now = crate::now_s();
        let mut new_rows: Vec<(i64, TagRow)> = Vec::new();
        for r in rows {
            let Some((ent_id, district)) = ents.get(&r.code) else {
                errors.push(not_in_scope(r.line, &r.code, r.values));
                continue;
            };
            if let Some(Some(own)) = type_district.get(&r.tag_type)
                && district.as_deref() != Some(own.as_str())
            {
                errors.push(RowError {
                    line: r.line,
                    field: "tag_type".into(),
                    message: "该标签类型由其他辖区自定义，不能用于本企业。".into(),
                    values: r.values,
                });
                continue;
            }
            match existing.get(&(*ent_id, r.tag_type.clone(), r.year)) {
                Some(e)
                    if e.source == r.source
                        && e.valid_from == r.valid_from
                        && e.valid_to == r.valid_to =>
                {
                    out.unchanged += 1;
                }
                Some(e) => {
                    exec(
                        tx.conn(),
                        "UPDATE enterprise_tags SET source = ?, valid_from = ?, valid_to = ? WHERE id = ?",
                        vec![r.source.clone().into(), r.valid_from.into(), r.valid_to.into(), e.id.into()],
                    )
                    .await?;
                    out.updated += 1;
                }
                None => new_rows.push((*ent_id, r)),
            }
        }
        for chunk in new_rows.chunks(1000) {
            let placeholders = vec!["(?, ?, ?, ?, ?, ?, ?)"; chunk.len()].join(", ");
            let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 7);
            for (ent_id, r) in chunk {
                values.extend([
                    Value::from(*ent_id),
                    r.tag_type.clone().into(),
                    r.source.clone().into(),
                    r.year.into(),
                    r.valid_from.into(),
                    r.valid_to.into(),
                    now.into(),
                ]);
            }
            exec(
                tx.conn(),
                &format!("INSERT INTO enterprise_tags (enterprise_id, tag_type, source, year, valid_from, valid_to, created_at) VALUES {placeholders}"),
                values,
            )
            .await?;
            out.inserted += chunk.len() as u64;
        }
        Ok((out, errors))
    }
}
