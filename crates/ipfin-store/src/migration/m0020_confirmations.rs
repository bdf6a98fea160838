//! Four eyes on money and publication (issue #18 item 3): a request that one person prepared
//! and a second person of the district's lead department confirms (or refuses, with a reason;
//! or the preparer withdraws). `payload` holds exactly what the confirmed step does (the
//! domain's `confirmation::Step` as JSON) and `summary` says it in Chinese. `confirmation_holds`
//! keeps one row per record a pending request is about, so a record has at most one pending
//! request (its primary key); the rows go when the request is decided.

use sea_orm_migration::prelude::*;

pub(super) struct M0020Confirmations;

impl MigrationName for M0020Confirmations {
    fn name(&self) -> &str {
        "m0020_confirmations"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0020Confirmations {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let pk = match db.get_database_backend() {
            sea_orm::DbBackend::Postgres => "BIGSERIAL PRIMARY KEY",
            _ => "INTEGER PRIMARY KEY AUTOINCREMENT",
        };
        for sql in [
            format!(
                "CREATE TABLE confirmations (id {pk}, district_code VARCHAR(12) NOT NULL, kind VARCHAR(24) NOT NULL, \
                 subject_type VARCHAR(24) NOT NULL, subject_id BIGINT NOT NULL, payload TEXT NOT NULL, summary TEXT NOT NULL, \
                 prepared_by BIGINT, prepared_by_name TEXT NOT NULL, prepared_at BIGINT NOT NULL, \
                 decided_by BIGINT, decided_by_name TEXT, decided_at BIGINT, outcome VARCHAR(12) NOT NULL, reason TEXT, \
                 result_id BIGINT)"
            ),
            "CREATE INDEX ix_confirmation_district ON confirmations (district_code, outcome, prepared_at)".to_string(),
            "CREATE INDEX ix_confirmation_subject ON confirmations (subject_type, subject_id)".to_string(),
            "CREATE TABLE confirmation_holds (subject_type VARCHAR(24) NOT NULL, subject_id BIGINT NOT NULL, \
             confirmation_id BIGINT NOT NULL, PRIMARY KEY (subject_type, subject_id), \
             CONSTRAINT fk_hold_confirmation FOREIGN KEY (confirmation_id) REFERENCES confirmations (id))".to_string(),
            "CREATE INDEX ix_hold_confirmation ON confirmation_holds (confirmation_id)".to_string(),
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
