//! Issue #21: a bank's account manager (客户经理) who works with a station is assigned to a
//! service case; the bank then reads that case (visibility: `Party::AccountManager`,
//! `service_cases.manager_org_id`). Decision 0035.

use sea_orm_migration::prelude::*;

pub(super) struct M0032CaseAccountManager;

impl MigrationName for M0032CaseAccountManager {
    fn name(&self) -> &str {
        "m0032_case_account_manager"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0032CaseAccountManager {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        for sql in [
            "ALTER TABLE service_cases ADD COLUMN manager_user_id BIGINT",
            "ALTER TABLE service_cases ADD COLUMN manager_org_id BIGINT",
            "CREATE INDEX ix_sc_manager ON service_cases (manager_org_id, id)",
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
