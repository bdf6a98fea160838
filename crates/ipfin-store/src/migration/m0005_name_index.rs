//! The name index moves from a row per bigram (ten or more B-tree entries per enterprise, which
//! held a bulk import to ~8,600 rows/s on SQLite) to a contentless FTS5 table on SQLite and a
//! GIN-indexed bigram column on PostgreSQL; existing names are indexed again.

use sea_orm_migration::prelude::*;

pub(super) struct M0005NameIndex;

impl MigrationName for M0005NameIndex {
    fn name(&self) -> &str {
        "m0005_name_index"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0005NameIndex {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        db.execute_unprepared("DROP TABLE enterprise_name_grams")
            .await?;
        match db.get_database_backend() {
            sea_orm::DbBackend::Sqlite => {
                db.execute_unprepared(
                    "CREATE VIRTUAL TABLE enterprise_name_fts USING fts5(grams, content='', \
                     contentless_delete=1, detail=none, tokenize='ascii')",
                )
                .await?;
            }
            _ => {
                db.execute_unprepared("ALTER TABLE enterprises ADD COLUMN name_grams TEXT")
                    .await?;
                db.execute_unprepared(
                    "CREATE INDEX ix_ent_name_grams ON enterprises USING gin (string_to_array(name_grams, ' '))",
                )
                .await?;
            }
        }
        // Imports started from the web show progress against an estimate, and keep why they
        // stopped and where their error report is.
        for col in [
            "rows_estimate BIGINT NULL",
            "message TEXT NULL",
            "error_report TEXT NULL",
        ] {
            db.execute_unprepared(&format!("ALTER TABLE imports ADD COLUMN {col}"))
                .await?;
        }
        #[derive(sea_orm::FromQueryResult)]
        struct Named {
            id: i64,
            name: String,
        }
        let mut after = 0i64;
        loop {
            let rows: Vec<Named> = crate::db::fetch_all(
                db,
                "SELECT id, name FROM enterprises WHERE id > ? ORDER BY id LIMIT 2000",
                vec![after.into()],
            )
            .await
            .map_err(|e| DbErr::Migration(e.to_string()))?;
            let Some(last) = rows.last() else { break };
            after = last.id;
            let pairs: Vec<(i64, &str)> = rows.iter().map(|r| (r.id, r.name.as_str())).collect();
            crate::enterprise::index_names(db, &pairs, true)
                .await
                .map_err(|e| DbErr::Migration(e.to_string()))?;
        }
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "ipfin migrations are forward-only; restore a backup instead".into(),
        ))
    }
}
