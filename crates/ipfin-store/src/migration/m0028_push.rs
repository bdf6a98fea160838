//! Consent, partner banks, push lists and bank follow-up (issue #20 items 3–5):
//! - `consent_events`: every giving and withdrawing of an enterprise's consent to share its data
//!   with the district's partner banks — when, what it covers, who, through which channel, and
//!   the banks it prefers; `enterprises.data_sharing_consent` stays the current state, written in
//!   the same transaction.
//! - `partner_banks`: the banks a district works with (only they receive its pushes).
//! - `bank_lending`: what a bank declares it lends on (for assignment by fit).
//! - `push_settings`: per district, k banks per enterprise, the period, the first-contact limit.
//! - `push_lists` / `push_entries`: a prepared list (four eyes: a second officer confirms it
//!   through `confirmations`), one entry per enterprise and bank; `visible` says whether the bank
//!   sees the enterprise now (sent, within the period, and consent not withdrawn before contact).
//! - `push_follow_ups`: the bank's contacts and outcomes.

use sea_orm_migration::prelude::*;

pub(super) struct M0028Push;

impl MigrationName for M0028Push {
    fn name(&self) -> &str {
        "m0028_push"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0028Push {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let pk = match db.get_database_backend() {
            sea_orm::DbBackend::Postgres => "BIGSERIAL PRIMARY KEY",
            _ => "INTEGER PRIMARY KEY AUTOINCREMENT",
        };
        for sql in [
            format!(
                "CREATE TABLE consent_events (id {pk}, enterprise_id BIGINT NOT NULL, given BOOLEAN NOT NULL, \
                 scope TEXT NOT NULL, preferred_banks TEXT NOT NULL DEFAULT '', channel VARCHAR(16) NOT NULL, \
                 by_user_id BIGINT, by_name TEXT NOT NULL, at BIGINT NOT NULL, \
                 CONSTRAINT fk_consent_enterprise FOREIGN KEY (enterprise_id) REFERENCES enterprises (id))"
            ),
            "CREATE INDEX ix_consent_enterprise ON consent_events (enterprise_id, id)".to_string(),
            "CREATE TABLE partner_banks (district_code VARCHAR(12) NOT NULL, bank_org_id BIGINT NOT NULL, \
             added_by BIGINT, added_at BIGINT NOT NULL, PRIMARY KEY (district_code, bank_org_id), \
             CONSTRAINT fk_pb_district FOREIGN KEY (district_code) REFERENCES districts (code), \
             CONSTRAINT fk_pb_bank FOREIGN KEY (bank_org_id) REFERENCES organisations (id))"
                .to_string(),
            "CREATE TABLE bank_lending (bank_org_id BIGINT PRIMARY KEY, ip_kinds TEXT NOT NULL DEFAULT '', \
             min_fen BIGINT, max_fen BIGINT, industries TEXT NOT NULL DEFAULT '', updated_by BIGINT, updated_at BIGINT NOT NULL, \
             CONSTRAINT fk_bl_bank FOREIGN KEY (bank_org_id) REFERENCES organisations (id))"
                .to_string(),
            "CREATE TABLE push_settings (district_code VARCHAR(12) PRIMARY KEY, max_banks INTEGER NOT NULL, \
             period_days INTEGER NOT NULL, first_contact_working_days INTEGER NOT NULL, set_by BIGINT, set_at BIGINT NOT NULL, \
             CONSTRAINT fk_ps_district FOREIGN KEY (district_code) REFERENCES districts (code))"
                .to_string(),
            format!(
                "CREATE TABLE push_lists (id {pk}, district_code VARCHAR(12) NOT NULL, method VARCHAR(16) NOT NULL, \
                 k INTEGER NOT NULL, period_days INTEGER NOT NULL, note TEXT NOT NULL DEFAULT '', \
                 state VARCHAR(16) NOT NULL, prepared_by BIGINT, prepared_at BIGINT NOT NULL, \
                 sent_at BIGINT, sent_on DATE, until_on DATE, model_version BIGINT, \
                 CONSTRAINT fk_pl_district FOREIGN KEY (district_code) REFERENCES districts (code))"
            ),
            "CREATE INDEX ix_pl_district ON push_lists (district_code, id)".to_string(),
            format!(
                "CREATE TABLE push_entries (id {pk}, list_id BIGINT NOT NULL, enterprise_id BIGINT NOT NULL, \
                 bank_org_id BIGINT NOT NULL, source VARCHAR(16) NOT NULL, score BIGINT, band VARCHAR(16), reason TEXT NOT NULL, \
                 visible BOOLEAN NOT NULL DEFAULT FALSE, hidden_reason TEXT, first_contact_on DATE, \
                 outcome VARCHAR(16), loan_id BIGINT, overdue_notified BOOLEAN NOT NULL DEFAULT FALSE, \
                 CONSTRAINT fk_pe_list FOREIGN KEY (list_id) REFERENCES push_lists (id), \
                 CONSTRAINT fk_pe_enterprise FOREIGN KEY (enterprise_id) REFERENCES enterprises (id), \
                 CONSTRAINT fk_pe_bank FOREIGN KEY (bank_org_id) REFERENCES organisations (id))"
            ),
            "CREATE UNIQUE INDEX ux_pe_list ON push_entries (list_id, enterprise_id, bank_org_id)".to_string(),
            "CREATE INDEX ix_pe_bank ON push_entries (bank_org_id, visible, enterprise_id)".to_string(),
            "CREATE INDEX ix_pe_enterprise ON push_entries (enterprise_id)".to_string(),
            format!(
                "CREATE TABLE push_follow_ups (id {pk}, entry_id BIGINT NOT NULL, contacted_on DATE NOT NULL, \
                 channel VARCHAR(16) NOT NULL, person TEXT NOT NULL, outcome VARCHAR(16) NOT NULL, loan_id BIGINT, \
                 note TEXT NOT NULL DEFAULT '', recorded_by BIGINT, recorded_at BIGINT NOT NULL, \
                 CONSTRAINT fk_pf_entry FOREIGN KEY (entry_id) REFERENCES push_entries (id))"
            ),
            "CREATE INDEX ix_pf_entry ON push_follow_ups (entry_id, id)".to_string(),
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
