//! Issue #21 item 2: the documents of a service case's step are files (the signed contract, the
//! scanned registration certificate, the interpretation handed over), kept in the blob store
//! like application materials; `case_steps.documents` stays as the step's note. Decision 0035.

use sea_orm_migration::prelude::*;

pub(super) struct M0034CaseStepFiles;

impl MigrationName for M0034CaseStepFiles {
    fn name(&self) -> &str {
        "m0034_case_step_files"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0034CaseStepFiles {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let pk = match db.get_database_backend() {
            sea_orm::DbBackend::Postgres => "BIGSERIAL PRIMARY KEY",
            _ => "INTEGER PRIMARY KEY AUTOINCREMENT",
        };
        for sql in [
            format!(
                "CREATE TABLE case_step_files (id {pk}, case_id BIGINT NOT NULL, step VARCHAR(16) NOT NULL, \
                 blob_key VARCHAR(64) NOT NULL, file_name TEXT NOT NULL, file_type VARCHAR(8) NOT NULL, \
                 size BIGINT NOT NULL, uploaded_by BIGINT, uploaded_at BIGINT NOT NULL, \
                 CONSTRAINT fk_csf_case FOREIGN KEY (case_id) REFERENCES service_cases (id))"
            ),
            "CREATE INDEX ix_csf_case ON case_step_files (case_id, step)".to_string(),
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
