//! Issue #20's last two pieces:
//! - `enterprises.data_public_basis`: the basis on which a district's lead officers recorded an
//!   enterprise's data as public (the guideline's "或数据已公开", e.g. a listed company's
//!   disclosures); such an enterprise may be pushed without a consent form unless it has said no
//!   (decision 0034). Each recording is also a `consent_events` row with channel `public`.
//! - `screening_changes`: enterprises whose screening facts changed since the profiles in force
//!   were derived (imports, forms); the job refreshes only their profiles (decision 0033). The
//!   daily full refresh is a `periodic_jobs` entry (`screening_refresh`).

use sea_orm_migration::prelude::*;

pub(super) struct M0031PublicDataAndScreeningChanges;

impl MigrationName for M0031PublicDataAndScreeningChanges {
    fn name(&self) -> &str {
        "m0031_public_data_and_screening_changes"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0031PublicDataAndScreeningChanges {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let pk = match db.get_database_backend() {
            sea_orm::DbBackend::Postgres => "BIGSERIAL PRIMARY KEY",
            _ => "INTEGER PRIMARY KEY AUTOINCREMENT",
        };
        for sql in [
            "ALTER TABLE enterprises ADD COLUMN data_public_basis TEXT".to_string(),
            format!("CREATE TABLE screening_changes (id {pk}, enterprise_id BIGINT NOT NULL)"),
            "INSERT INTO periodic_jobs (name, due_at) VALUES ('screening_refresh', 0)".to_string(),
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
