//! Account activation links (issue #17 item 2): a new account or a password reset gives a
//! one-time link, kept here only as a hash, with which the person sets their own password.
//! Nobody else ever learns it. A link works once and for 72 hours; issuing a new one for the
//! same account replaces the old.

use sea_orm_migration::prelude::*;

pub(super) struct M0016AccountActivations;

impl MigrationName for M0016AccountActivations {
    fn name(&self) -> &str {
        "m0016_account_activations"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0016AccountActivations {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let pk = match db.get_database_backend() {
            sea_orm::DbBackend::Postgres => "BIGSERIAL PRIMARY KEY",
            _ => "INTEGER PRIMARY KEY AUTOINCREMENT",
        };
        for sql in [
            format!(
                "CREATE TABLE account_activations (id {pk}, user_id BIGINT NOT NULL, token_hash VARCHAR(64) NOT NULL, \
                 purpose VARCHAR(16) NOT NULL, issued_by BIGINT, issued_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, \
                 used_at BIGINT, used_by BIGINT, \
                 CONSTRAINT fk_activation_user FOREIGN KEY (user_id) REFERENCES users (id))"
            ),
            "CREATE UNIQUE INDEX ux_activation_token ON account_activations (token_hash)"
                .to_string(),
            "CREATE INDEX ix_activation_user ON account_activations (user_id)".to_string(),
            // The conflict check reads who administered whose account from the audit trail.
            "CREATE INDEX ix_audit_actor ON audit_events (actor_user_id, action)".to_string(),
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
