//! Issue #17 items 8 and 9: the audit table becomes append-only in the database itself
//! (triggers refuse UPDATE, DELETE and TRUNCATE of events, and any move of the chain head
//! backwards); sign-in failures are counted in the database (per account name and per
//! address, shared by every instance and kept across restarts); sessions record when they were
//! last used, for the idle timeout; periodic jobs (the daily audit anchor) are claimed through
//! a table so one instance runs each.

use sea_orm_migration::prelude::*;

pub(super) struct M0017OpsHardening;

impl MigrationName for M0017OpsHardening {
    fn name(&self) -> &str {
        "m0017_ops_hardening"
    }
}

/// SQLite: triggers that abort the statement.
const SQLITE_GUARDS: [&str; 4] = [
    "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events \
     BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
    "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events \
     BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
    "CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head \
     BEGIN SELECT RAISE(ABORT, 'audit_head cannot be deleted'); END",
    "CREATE TRIGGER audit_head_forward BEFORE UPDATE ON audit_head WHEN NEW.seq < OLD.seq \
     BEGIN SELECT RAISE(ABORT, 'audit_head only moves forward'); END",
];

/// PostgreSQL: one function per rule, row triggers for UPDATE/DELETE and a statement trigger
/// for TRUNCATE (which row triggers do not see).
const POSTGRES_GUARDS: [&str; 6] = [
    "CREATE FUNCTION ipfin_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ \
     BEGIN RAISE EXCEPTION 'audit_events is append-only' USING ERRCODE = 'insufficient_privilege'; END $$",
    "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events \
     FOR EACH ROW EXECUTE FUNCTION ipfin_audit_append_only()",
    "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events \
     FOR EACH STATEMENT EXECUTE FUNCTION ipfin_audit_append_only()",
    "CREATE FUNCTION ipfin_audit_head_forward() RETURNS trigger LANGUAGE plpgsql AS $$ \
     BEGIN IF TG_OP <> 'UPDATE' OR NEW.seq < OLD.seq THEN \
     RAISE EXCEPTION 'audit_head only moves forward' USING ERRCODE = 'insufficient_privilege'; END IF; \
     RETURN NEW; END $$",
    "CREATE TRIGGER audit_head_forward BEFORE UPDATE OR DELETE ON audit_head \
     FOR EACH ROW EXECUTE FUNCTION ipfin_audit_head_forward()",
    "CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head \
     FOR EACH STATEMENT EXECUTE FUNCTION ipfin_audit_append_only()",
];

#[async_trait::async_trait]
impl MigrationTrait for M0017OpsHardening {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let guards: &[&str] = match db.get_database_backend() {
            sea_orm::DbBackend::Postgres => &POSTGRES_GUARDS,
            _ => &SQLITE_GUARDS,
        };
        for sql in guards {
            db.execute_unprepared(sql).await?;
        }
        for sql in [
            "ALTER TABLE sessions ADD COLUMN last_seen_at BIGINT NOT NULL DEFAULT 0",
            "UPDATE sessions SET last_seen_at = created_at",
            // `key` is `account:<lower-case name>` or `address:<ip>`.
            "CREATE TABLE sign_in_failures (key VARCHAR(200) PRIMARY KEY, failures BIGINT NOT NULL, \
             first_at BIGINT NOT NULL, last_at BIGINT NOT NULL, blocked_until BIGINT NOT NULL)",
            "CREATE INDEX ix_sign_in_failures_last ON sign_in_failures (last_at)",
            "CREATE TABLE periodic_jobs (name VARCHAR(64) PRIMARY KEY, due_at BIGINT NOT NULL, \
             last_run_at BIGINT)",
            "INSERT INTO periodic_jobs (name, due_at) VALUES ('audit_anchor', 0)",
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
