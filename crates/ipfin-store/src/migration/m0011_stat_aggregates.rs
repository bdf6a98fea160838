//! Statistics aggregates (issue #7, decision 0010): daily figures per district, loan counts by
//! quarter per enterprise-year, distinct-enterprise counts per district-quarter; filled from the
//! records already there.

use sea_orm_migration::prelude::*;

pub(super) struct M0011StatAggregates;

impl MigrationName for M0011StatAggregates {
    fn name(&self) -> &str {
        "m0011_stat_aggregates"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0011StatAggregates {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let backend = db.get_database_backend();
        for sql in crate::stats_aggregate::create_sql(backend)
            .into_iter()
            .chain(crate::stats_aggregate::rebuild_sql(backend))
        {
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
