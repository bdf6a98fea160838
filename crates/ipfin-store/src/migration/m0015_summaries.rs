//! District summaries and information reporting (SPEC §8 R4.4; issue #8 item 4): each
//! district's summaries per period (a quarter `2026Q3` or a year `2026`) — one open draft
//! (revision NULL) and the submitted revisions 1, 2, … with the figures snapshot their results
//! text was generated from; the city's comments on a revision; the city's information requests
//! (信息报送) with the district's answer and optional attachment.

use sea_orm_migration::prelude::*;

pub(super) struct M0015Summaries;

impl MigrationName for M0015Summaries {
    fn name(&self) -> &str {
        "m0015_summaries"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0015Summaries {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let pk = match db.get_database_backend() {
            sea_orm::DbBackend::Postgres => "BIGSERIAL PRIMARY KEY",
            _ => "INTEGER PRIMARY KEY AUTOINCREMENT",
        };
        for sql in [
            format!(
                "CREATE TABLE summaries (id {pk}, district_code VARCHAR(12) NOT NULL, period VARCHAR(8) NOT NULL, revision INTEGER, \
                 measures TEXT NOT NULL, results TEXT NOT NULL, highlights TEXT NOT NULL, problems TEXT NOT NULL, next_steps TEXT NOT NULL, \
                 figures TEXT NOT NULL, created_by BIGINT, created_at BIGINT NOT NULL, updated_by BIGINT, updated_at BIGINT NOT NULL, \
                 submitted_by BIGINT, submitted_by_name TEXT, submitted_at BIGINT, \
                 CONSTRAINT fk_summary_district FOREIGN KEY (district_code) REFERENCES districts (code))"
            ),
            "CREATE UNIQUE INDEX ux_summary_revision ON summaries (district_code, period, revision)".to_string(),
            "CREATE UNIQUE INDEX ux_summary_draft ON summaries (district_code, period) WHERE revision IS NULL".to_string(),
            format!(
                "CREATE TABLE summary_comments (id {pk}, summary_id BIGINT NOT NULL, text TEXT NOT NULL, author_id BIGINT, \
                 author_name TEXT NOT NULL, created_at BIGINT NOT NULL, \
                 CONSTRAINT fk_scomment_summary FOREIGN KEY (summary_id) REFERENCES summaries (id))"
            ),
            "CREATE INDEX ix_scomment_summary ON summary_comments (summary_id)".to_string(),
            format!(
                "CREATE TABLE summary_requests (id {pk}, district_code VARCHAR(12) NOT NULL, period VARCHAR(8) NOT NULL, text TEXT NOT NULL, \
                 due_on DATE NOT NULL, created_by BIGINT, created_at BIGINT NOT NULL, answer TEXT, file_key VARCHAR(64), file_name TEXT, \
                 file_type VARCHAR(8), file_size BIGINT, answered_by BIGINT, answered_by_name TEXT, answered_at BIGINT, \
                 CONSTRAINT fk_srequest_district FOREIGN KEY (district_code) REFERENCES districts (code), \
                 CONSTRAINT fk_srequest_blob FOREIGN KEY (file_key) REFERENCES blobs (key))"
            ),
            "CREATE INDEX ix_srequest_district ON summary_requests (district_code, period)".to_string(),
        ] {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "ipfin migrations are forward-only; restore a backup instead".into(),
        ))
    }
}
