//! Limits on anonymous objections (issue #17 item 4): each objection keeps the client address
//! it came from, so the number lodged per address and per notice in the last hour is counted in
//! the database (shared by every `ipfin serve` instance), never in one process's memory. The
//! address is not shown to anyone; it is used only for this count.

use sea_orm_migration::prelude::*;

pub(super) struct M0018ObjectionLimits;

impl MigrationName for M0018ObjectionLimits {
    fn name(&self) -> &str {
        "m0018_objection_limits"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0018ObjectionLimits {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        for sql in [
            "ALTER TABLE objections ADD COLUMN client_addr VARCHAR(64)",
            "CREATE INDEX ix_objection_addr ON objections (client_addr, lodged_at)",
            "CREATE INDEX ix_objection_notice_time ON objections (notice_id, lodged_at)",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "ipfin migrations are forward-only; restore a backup instead".into(),
        ))
    }
}
