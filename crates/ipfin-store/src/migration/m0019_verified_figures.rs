//! Verified figures and eligibility proved at every decision (issue #18 items 1–2): each
//! eligibility check of an application (at submission, acceptance and grant) is kept with the
//! conditions, their values, sources and as-of dates; an enterprise record says where its
//! current facts came from (an import with its data set, an officer's entry, the demo).

use sea_orm_migration::prelude::*;

pub(super) struct M0019VerifiedFigures;

impl MigrationName for M0019VerifiedFigures {
    fn name(&self) -> &str {
        "m0019_verified_figures"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0019VerifiedFigures {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let pk = match db.get_database_backend() {
            sea_orm::DatabaseBackend::Postgres => "BIGSERIAL PRIMARY KEY",
            _ => "INTEGER PRIMARY KEY AUTOINCREMENT",
        };
        for sql in [
            format!(
                "CREATE TABLE application_eligibility (id {pk}, application_id BIGINT NOT NULL, step VARCHAR(12) NOT NULL, \
                 checked_at BIGINT NOT NULL, eligible BOOLEAN NOT NULL, conditions TEXT NOT NULL, \
                 CONSTRAINT fk_elig_app FOREIGN KEY (application_id) REFERENCES applications (id))"
            ),
            "CREATE INDEX ix_elig_app ON application_eligibility (application_id, id)".to_string(),
            "ALTER TABLE enterprises ADD COLUMN source_ref VARCHAR(40)".to_string(),
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
