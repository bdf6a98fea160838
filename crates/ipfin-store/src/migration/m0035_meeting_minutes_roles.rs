//! Issue #23 item 7: minutes in the 会议纪要 form name who chaired the meeting (主持) and who
//! took the record (记录). Both nullable: meetings recorded before have neither, and the lead
//! officers set them on the meeting page until the minutes are published. Decision 0038.

use sea_orm_migration::prelude::*;

pub(super) struct M0035MeetingMinutesRoles;

impl MigrationName for M0035MeetingMinutesRoles {
    fn name(&self) -> &str {
        "m0035_meeting_minutes_roles"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0035MeetingMinutesRoles {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        for sql in [
            "ALTER TABLE meetings ADD COLUMN chair TEXT",
            "ALTER TABLE meetings ADD COLUMN recorder TEXT",
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
