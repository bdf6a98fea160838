//! Policy versions with their comments (issue #4), dated LPR values and the working-day
//! calendar; the State Council's 2025 and 2026 arrangements are loaded here.

use sea_orm_migration::prelude::*;

pub(super) struct M0006Policies;

impl MigrationName for M0006Policies {
    fn name(&self) -> &str {
        "m0006_policies"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0006Policies {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let pk = match db.get_database_backend() {
            sea_orm::DbBackend::Postgres => "BIGSERIAL PRIMARY KEY",
            _ => "INTEGER PRIMARY KEY AUTOINCREMENT",
        };
        for sql in [
            format!(
                "CREATE TABLE policy_versions (id {pk}, district_code VARCHAR(20) NOT NULL, series BIGINT NOT NULL, \
                 version INTEGER NOT NULL, status VARCHAR(16) NOT NULL, title TEXT NOT NULL, year INTEGER NOT NULL, \
                 document TEXT NOT NULL, created_by BIGINT, created_at BIGINT NOT NULL, circulated_at BIGINT, \
                 published_at BIGINT, superseded_at BIGINT, \
                 CONSTRAINT fk_policy_district FOREIGN KEY (district_code) REFERENCES districts (code))"
            ),
            "CREATE UNIQUE INDEX ux_policy_series_version ON policy_versions (series, version)".to_string(),
            "CREATE INDEX ix_policy_district_status ON policy_versions (district_code, status)".to_string(),
            format!(
                "CREATE TABLE policy_comments (id {pk}, version_id BIGINT NOT NULL, organisation_id BIGINT NOT NULL, \
                 user_id BIGINT, body TEXT NOT NULL, created_at BIGINT NOT NULL, \
                 CONSTRAINT fk_comment_version FOREIGN KEY (version_id) REFERENCES policy_versions (id))"
            ),
            "CREATE INDEX ix_comment_version ON policy_comments (version_id)".to_string(),
            "CREATE TABLE lpr_values (date DATE PRIMARY KEY, one_year VARCHAR(16) NOT NULL, over_five_years VARCHAR(16) NOT NULL)".to_string(),
            "CREATE TABLE calendar_years (year INTEGER PRIMARY KEY, notice TEXT NOT NULL)".to_string(),
            "CREATE TABLE calendar_days (date DATE PRIMARY KEY, year INTEGER NOT NULL, kind VARCHAR(8) NOT NULL)".to_string(),
        ] {
            db.execute_unprepared(&sql).await?;
        }
        for (y, notice) in [
            (
                ipfin_domain::calendar::arrangement_2025(),
                "国办发明电〔2024〕12号",
            ),
            (
                ipfin_domain::calendar::arrangement_2026(),
                "国务院办公厅关于2026年部分节假日安排的通知（2025年11月4日）",
            ),
        ] {
            crate::policy::write_calendar_year(db, &y, notice)
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
