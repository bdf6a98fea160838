//! Targets, bulletins and the assessment (SPEC §8 R4.1, R4.2; issue #7): each district's annual
//! targets per metric, the first responsible person, the persons' shares with their milestones,
//! the issued quarterly bulletins with their frozen snapshot (one per quarter, never updated),
//! and the bonus points of the annual assessment.

use sea_orm_migration::prelude::*;

pub(super) struct M0010Targets;

impl MigrationName for M0010Targets {
    fn name(&self) -> &str {
        "m0010_targets"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0010Targets {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let pk = match db.get_database_backend() {
            sea_orm::DbBackend::Postgres => "BIGSERIAL PRIMARY KEY",
            _ => "INTEGER PRIMARY KEY AUTOINCREMENT",
        };
        for sql in [
            "CREATE TABLE district_targets (district_code VARCHAR(12) NOT NULL, year INTEGER NOT NULL, metric VARCHAR(16) NOT NULL, \
             value BIGINT NOT NULL, set_by BIGINT, set_at BIGINT NOT NULL, PRIMARY KEY (district_code, year, metric), \
             CONSTRAINT fk_target_district FOREIGN KEY (district_code) REFERENCES districts (code))".to_string(),
            "CREATE TABLE target_leads (district_code VARCHAR(12) NOT NULL, year INTEGER NOT NULL, person_name TEXT NOT NULL, \
             title TEXT, organisation_id BIGINT, user_id BIGINT, set_by BIGINT, set_at BIGINT NOT NULL, PRIMARY KEY (district_code, year), \
             CONSTRAINT fk_lead_district FOREIGN KEY (district_code) REFERENCES districts (code))".to_string(),
            format!(
                "CREATE TABLE target_assignments (id {pk}, district_code VARCHAR(12) NOT NULL, year INTEGER NOT NULL, metric VARCHAR(16) NOT NULL, \
                 user_id BIGINT NOT NULL, share BIGINT NOT NULL, milestones TEXT NOT NULL, note TEXT, set_by BIGINT, set_at BIGINT NOT NULL, \
                 CONSTRAINT fk_assign_user FOREIGN KEY (user_id) REFERENCES users (id), \
                 CONSTRAINT fk_assign_district FOREIGN KEY (district_code) REFERENCES districts (code))"
            ),
            "CREATE UNIQUE INDEX ux_assignment ON target_assignments (district_code, year, metric, user_id)".to_string(),
            "CREATE INDEX ix_assignment_user ON target_assignments (user_id, year)".to_string(),
            format!(
                "CREATE TABLE bulletins (id {pk}, quarter VARCHAR(8) NOT NULL, title TEXT NOT NULL, issued_on DATE NOT NULL, \
                 issued_at BIGINT NOT NULL, issued_by BIGINT, snapshot TEXT NOT NULL, commendations TEXT NOT NULL)"
            ),
            "CREATE UNIQUE INDEX ux_bulletin_quarter ON bulletins (quarter)".to_string(),
            format!(
                "CREATE TABLE assessment_bonuses (id {pk}, district_code VARCHAR(12) NOT NULL, year INTEGER NOT NULL, points TEXT NOT NULL, \
                 reason TEXT NOT NULL, created_by BIGINT, created_at BIGINT NOT NULL, \
                 CONSTRAINT fk_bonus_district FOREIGN KEY (district_code) REFERENCES districts (code))"
            ),
            "CREATE INDEX ix_bonus_year ON assessment_bonuses (year, district_code)".to_string(),
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
