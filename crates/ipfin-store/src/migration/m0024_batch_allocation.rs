//! Budgets allocated per batch (issue #19 item 2, SPEC §3.4 step 5): a notice's end no longer
//! grants; the batch's budget is allocated over all its applications that passed their notice,
//! once the batch is complete (its window over and none of its applications still before the end
//! of a notice) or once two officers close it. A closed batch is recorded here; applications of
//! a closed batch that pass their notice later are granted from what remains.

use sea_orm_migration::prelude::*;

pub(super) struct M0024BatchAllocation;

impl MigrationName for M0024BatchAllocation {
    fn name(&self) -> &str {
        "m0024_batch_allocation"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0024BatchAllocation {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        for sql in [
            "CREATE TABLE batch_closures (series BIGINT NOT NULL, policy_year INTEGER NOT NULL, batch_name VARCHAR(200) NOT NULL, \
             district_code VARCHAR(12) NOT NULL, closed_at BIGINT NOT NULL, closed_by BIGINT, confirmation_id BIGINT, \
             PRIMARY KEY (series, policy_year, batch_name))",
            "CREATE INDEX ix_app_batch ON applications (policy_version_id, policy_year, batch_name, state)",
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
