//! Issue #23 item 10: a notification keeps its English text beside the Chinese, so a reader in
//! English mode reads it in English. Nullable: notifications written before (and any area that
//! has not said it in English yet) show their Chinese text. Decision 0041.

use sea_orm_migration::prelude::*;

pub(super) struct M0036NotificationEnglish;

impl MigrationName for M0036NotificationEnglish {
    fn name(&self) -> &str {
        "m0036_notification_english"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0036NotificationEnglish {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection()
            .execute_unprepared("ALTER TABLE notifications ADD COLUMN text_en TEXT")
            .await?;
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "ipfin migrations are forward-only; restore a backup instead".into(),
        ))
    }
}
