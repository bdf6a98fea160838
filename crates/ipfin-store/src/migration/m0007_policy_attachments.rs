//! The documents of a policy package (R2.3) uploaded with a version: the policy text, the
//! application notice, implementation rules, procedures, the application guide.

use sea_orm_migration::prelude::*;

pub(super) struct M0007PolicyAttachments;

impl MigrationName for M0007PolicyAttachments {
    fn name(&self) -> &str {
        "m0007_policy_attachments"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0007PolicyAttachments {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let pk = match db.get_database_backend() {
            sea_orm::DbBackend::Postgres => "BIGSERIAL PRIMARY KEY",
            _ => "INTEGER PRIMARY KEY AUTOINCREMENT",
        };
        db.execute_unprepared(&format!(
            "CREATE TABLE policy_attachments (id {pk}, version_id BIGINT NOT NULL, kind VARCHAR(32) NOT NULL, \
             title TEXT NOT NULL, file_name TEXT NOT NULL, content_type VARCHAR(100) NOT NULL, size BIGINT NOT NULL, \
             sm3 VARCHAR(64) NOT NULL, stored_as TEXT NOT NULL, created_at BIGINT NOT NULL, \
             CONSTRAINT fk_attachment_version FOREIGN KEY (version_id) REFERENCES policy_versions (id))"
        ))
        .await?;
        db.execute_unprepared(
            "CREATE INDEX ix_attachment_version ON policy_attachments (version_id)",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "ipfin migrations are forward-only; restore a backup instead".into(),
        ))
    }
}
