//! The whitelist (issue #20 item 1): officers' decisions that put an enterprise of their
//! district on the whitelist, with the reason, the last day it counts, who decided, and — once
//! taken back — who, when and why. At most one decision in force per district and enterprise
//! (a partial unique index, on both backends). Tag-based entries need no table: they are read
//! from `enterprise_tags` on the business date asked for.

use sea_orm_migration::prelude::*;

pub(super) struct M0025Whitelist;

impl MigrationName for M0025Whitelist {
    fn name(&self) -> &str {
        "m0025_whitelist"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0025Whitelist {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let pk = match db.get_database_backend() {
            sea_orm::DbBackend::Postgres => "BIGSERIAL PRIMARY KEY",
            _ => "INTEGER PRIMARY KEY AUTOINCREMENT",
        };
        for sql in [
            format!(
                "CREATE TABLE whitelist_decisions (id {pk}, district_code VARCHAR(12) NOT NULL, enterprise_id BIGINT NOT NULL, \
                 reason TEXT NOT NULL, valid_to DATE NOT NULL, decided_by BIGINT, decided_at BIGINT NOT NULL, \
                 removed_by BIGINT, removed_at BIGINT, removal_reason TEXT, \
                 CONSTRAINT fk_wl_district FOREIGN KEY (district_code) REFERENCES districts (code), \
                 CONSTRAINT fk_wl_enterprise FOREIGN KEY (enterprise_id) REFERENCES enterprises (id))"
            ),
            "CREATE UNIQUE INDEX ux_wl_in_force ON whitelist_decisions (district_code, enterprise_id) WHERE removed_at IS NULL"
                .to_string(),
            "CREATE INDEX ix_wl_enterprise ON whitelist_decisions (enterprise_id)".to_string(),
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
