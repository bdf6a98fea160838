//! Data-sharing arrangements of the coordination mechanism (issue #8, decision 0013): the
//! arrangement, its receiving departments, and the import that delivered it.

use sea_orm_migration::prelude::*;

pub(super) struct M0012Coordination;

impl MigrationName for M0012Coordination {
    fn name(&self) -> &str {
        "m0012_coordination"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0012Coordination {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let pk = match db.get_database_backend() {
            sea_orm::DbBackend::Postgres => "BIGSERIAL PRIMARY KEY",
            _ => "INTEGER PRIMARY KEY AUTOINCREMENT",
        };
        for sql in [
            format!(
                "CREATE TABLE sharing_arrangements (id {pk}, district_code VARCHAR(12) NOT NULL, provider_org_id BIGINT NOT NULL, \
                 dataset VARCHAR(16) NOT NULL, frequency VARCHAR(16) NOT NULL, provenance TEXT NOT NULL, note TEXT, \
                 starts_on DATE NOT NULL, ended_on DATE, overdue_notified_due DATE, created_by BIGINT, created_at BIGINT NOT NULL, \
                 CONSTRAINT fk_sharing_district FOREIGN KEY (district_code) REFERENCES districts (code), \
                 CONSTRAINT fk_sharing_provider FOREIGN KEY (provider_org_id) REFERENCES organisations (id))"
            ),
            "CREATE INDEX ix_sharing_district ON sharing_arrangements (district_code)".to_string(),
            "CREATE TABLE sharing_recipients (arrangement_id BIGINT NOT NULL, organisation_id BIGINT NOT NULL, \
             PRIMARY KEY (arrangement_id, organisation_id), \
             CONSTRAINT fk_recipient_arrangement FOREIGN KEY (arrangement_id) REFERENCES sharing_arrangements (id), \
             CONSTRAINT fk_recipient_org FOREIGN KEY (organisation_id) REFERENCES organisations (id))"
                .to_string(),
            "ALTER TABLE imports ADD COLUMN arrangement_id BIGINT".to_string(),
            "CREATE INDEX ix_import_arrangement ON imports (arrangement_id, status)".to_string(),
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
