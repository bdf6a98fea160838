//! Screening (issue #20 item 2): the facts that arrive through the data-sharing arrangements
//! (R&D expense, last year's revenue, a declared financing need, abnormal-operation and
//! dishonest records — NULL while unknown, never zero), the districts' and the city's scoring
//! models (each save a new version, with who and when), and the derived score profiles: each
//! enterprise's factor levels packed into one number, and their counts per district, rebuilt
//! from the records by `Store::refresh_screening` as a new generation (decision 0033).

use sea_orm_migration::prelude::*;

pub(super) struct M0027Screening;

impl MigrationName for M0027Screening {
    fn name(&self) -> &str {
        "m0027_screening"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0027Screening {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let pk = match db.get_database_backend() {
            sea_orm::DbBackend::Postgres => "BIGSERIAL PRIMARY KEY",
            _ => "INTEGER PRIMARY KEY AUTOINCREMENT",
        };
        for sql in [
            "ALTER TABLE enterprises ADD COLUMN rd_expense_fen BIGINT".to_string(),
            "ALTER TABLE enterprises ADD COLUMN prev_revenue_fen BIGINT".to_string(),
            "ALTER TABLE enterprises ADD COLUMN financing_need BOOLEAN".to_string(),
            "ALTER TABLE enterprises ADD COLUMN abnormal_operation BOOLEAN".to_string(),
            "ALTER TABLE enterprises ADD COLUMN dishonest BOOLEAN".to_string(),
            format!(
                "CREATE TABLE screening_models (id {pk}, area VARCHAR(12) NOT NULL, version INTEGER NOT NULL, \
                 weights TEXT NOT NULL, threshold INTEGER NOT NULL, note TEXT, saved_by BIGINT, saved_at BIGINT NOT NULL)"
            ),
            "CREATE UNIQUE INDEX ux_screening_model_version ON screening_models (area, version)".to_string(),
            // Profiles by generation (one per refresh): a refresh writes its generation beside
            // the one in force and switches in one short transaction (decision 0033).
            "CREATE TABLE screening_facts (generation BIGINT NOT NULL, enterprise_id BIGINT NOT NULL, \
             district_code VARCHAR(12) NOT NULL, profile BIGINT NOT NULL, PRIMARY KEY (generation, enterprise_id))"
                .to_string(),
            "CREATE INDEX ix_screening_district_profile ON screening_facts (generation, district_code, profile, enterprise_id)"
                .to_string(),
            "CREATE INDEX ix_screening_profile ON screening_facts (generation, profile, enterprise_id)".to_string(),
            "CREATE TABLE screening_profiles (generation BIGINT NOT NULL, district_code VARCHAR(12) NOT NULL, \
             profile BIGINT NOT NULL, enterprises BIGINT NOT NULL, PRIMARY KEY (generation, district_code, profile))"
                .to_string(),
            format!(
                "CREATE TABLE screening_refreshes (id {pk}, as_of DATE NOT NULL, enterprises BIGINT NOT NULL, \
                 millis BIGINT NOT NULL, refreshed_at BIGINT NOT NULL, finished_at BIGINT)"
            ),
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
