//! Supervision on a schedule the district sets (issue #18 item 6): each district's schedule of
//! post-grant checks (days after the first payment, and/or at each loan's maturity; a district
//! without a row keeps the default of 180 days), and on every check its kind (scheduled or
//! ad hoc), what its date rests on, and who ran an ad-hoc check. Existing checks were created
//! by the fixed 180-day rule or by an officer's run that closed them: they are all scheduled.

use sea_orm_migration::prelude::*;

pub(super) struct M0022CheckSchedules;

impl MigrationName for M0022CheckSchedules {
    fn name(&self) -> &str {
        "m0022_check_schedules"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0022CheckSchedules {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        for sql in [
            "CREATE TABLE check_schedules (district_code VARCHAR(12) PRIMARY KEY, days_after TEXT NOT NULL, \
             at_maturity BOOLEAN NOT NULL, set_by BIGINT, set_at BIGINT NOT NULL, \
             CONSTRAINT fk_check_schedule_district FOREIGN KEY (district_code) REFERENCES districts (code))",
            "ALTER TABLE supervision_checks ADD COLUMN kind VARCHAR(12) NOT NULL DEFAULT 'scheduled'",
            "ALTER TABLE supervision_checks ADD COLUMN basis VARCHAR(16)",
            "ALTER TABLE supervision_checks ADD COLUMN run_by BIGINT",
            "UPDATE supervision_checks SET basis = 'days:180'",
            "CREATE INDEX ix_sc_due ON supervision_checks (done_at, due_on)",
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
