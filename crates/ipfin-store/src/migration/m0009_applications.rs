//! Applications (SPEC §3, issue #6): the applications with their items, events, files and
//! claims (the double-dipping block is a unique index over active claims); number counters per
//! district-year-kind; stored files by content; the enterprise's vault; public notices with
//! their entries and objections; grant payments, supervision checks, clawbacks; notifications.

use sea_orm_migration::prelude::*;

pub(super) struct M0009Applications;

impl MigrationName for M0009Applications {
    fn name(&self) -> &str {
        "m0009_applications"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0009Applications {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let pk = match db.get_database_backend() {
            sea_orm::DbBackend::Postgres => "BIGSERIAL PRIMARY KEY",
            _ => "INTEGER PRIMARY KEY AUTOINCREMENT",
        };
        for sql in [
            format!(
                "CREATE TABLE applications (id {pk}, number VARCHAR(32), kind VARCHAR(20) NOT NULL, district_code VARCHAR(12) NOT NULL, \
                 policy_version_id BIGINT NOT NULL, policy_year INTEGER NOT NULL, batch_name TEXT NOT NULL, applicant_org_id BIGINT NOT NULL, \
                 enterprise_id BIGINT, state VARCHAR(24) NOT NULL, stage VARCHAR(12), workflow TEXT NOT NULL, items VARCHAR(80) NOT NULL, \
                 body TEXT NOT NULL, calc TEXT, differences TEXT, computed_fen BIGINT NOT NULL, approved_fen BIGINT, granted_fen BIGINT, \
                 disbursed_fen BIGINT NOT NULL, return_note TEXT, return_deadline DATE, created_by BIGINT, created_at BIGINT NOT NULL, \
                 submitted_at BIGINT, accepted_at BIGINT, updated_at BIGINT NOT NULL, \
                 CONSTRAINT fk_app_policy FOREIGN KEY (policy_version_id) REFERENCES policy_versions (id), \
                 CONSTRAINT fk_app_org FOREIGN KEY (applicant_org_id) REFERENCES organisations (id), \
                 CONSTRAINT fk_app_enterprise FOREIGN KEY (enterprise_id) REFERENCES enterprises (id))"
            ),
            "CREATE UNIQUE INDEX ux_app_number ON applications (number)".to_string(),
            "CREATE INDEX ix_app_district_state ON applications (district_code, state, stage)".to_string(),
            "CREATE INDEX ix_app_applicant ON applications (applicant_org_id)".to_string(),
            "CREATE TABLE application_items (application_id BIGINT NOT NULL, item VARCHAR(20) NOT NULL, computed_fen BIGINT NOT NULL, \
             approved_fen BIGINT, reason TEXT, granted_fen BIGINT, PRIMARY KEY (application_id, item), \
             CONSTRAINT fk_item_app FOREIGN KEY (application_id) REFERENCES applications (id))".to_string(),
            format!(
                "CREATE TABLE application_events (id {pk}, application_id BIGINT NOT NULL, at BIGINT NOT NULL, user_id BIGINT, \
                 actor_name TEXT NOT NULL, action VARCHAR(24) NOT NULL, from_state VARCHAR(24) NOT NULL, to_state VARCHAR(24) NOT NULL, \
                 stage VARCHAR(12), comment TEXT NOT NULL, data TEXT NOT NULL, \
                 CONSTRAINT fk_event_app FOREIGN KEY (application_id) REFERENCES applications (id))"
            ),
            "CREATE INDEX ix_event_app ON application_events (application_id)".to_string(),
            "CREATE TABLE application_counters (district_code VARCHAR(12) NOT NULL, year INTEGER NOT NULL, kind VARCHAR(20) NOT NULL, \
             last_seq BIGINT NOT NULL, PRIMARY KEY (district_code, year, kind))".to_string(),
            "CREATE TABLE blobs (key VARCHAR(64) PRIMARY KEY, size BIGINT NOT NULL, file_type VARCHAR(8) NOT NULL, created_at BIGINT NOT NULL)".to_string(),
            format!(
                "CREATE TABLE application_files (id {pk}, application_id BIGINT NOT NULL, slot VARCHAR(40) NOT NULL, blob_key VARCHAR(64) NOT NULL, \
                 file_name TEXT NOT NULL, file_type VARCHAR(8) NOT NULL, size BIGINT NOT NULL, uploaded_by BIGINT, uploaded_at BIGINT NOT NULL, \
                 CONSTRAINT fk_file_app FOREIGN KEY (application_id) REFERENCES applications (id), \
                 CONSTRAINT fk_file_blob FOREIGN KEY (blob_key) REFERENCES blobs (key))"
            ),
            "CREATE INDEX ix_file_app ON application_files (application_id)".to_string(),
            format!(
                "CREATE TABLE vault_documents (id {pk}, organisation_id BIGINT NOT NULL, slot VARCHAR(40) NOT NULL, blob_key VARCHAR(64) NOT NULL, \
                 file_name TEXT NOT NULL, file_type VARCHAR(8) NOT NULL, size BIGINT NOT NULL, valid_until DATE NOT NULL, created_at BIGINT NOT NULL, \
                 CONSTRAINT fk_vault_org FOREIGN KEY (organisation_id) REFERENCES organisations (id), \
                 CONSTRAINT fk_vault_blob FOREIGN KEY (blob_key) REFERENCES blobs (key))"
            ),
            "CREATE INDEX ix_vault_org ON vault_documents (organisation_id)".to_string(),
            "CREATE TABLE application_claims (application_id BIGINT NOT NULL, claim_key VARCHAR(200) NOT NULL, item VARCHAR(20) NOT NULL, \
             year INTEGER NOT NULL, active BOOLEAN NOT NULL, PRIMARY KEY (application_id, claim_key, item), \
             CONSTRAINT fk_claim_app FOREIGN KEY (application_id) REFERENCES applications (id))".to_string(),
            "CREATE UNIQUE INDEX ux_claim_active ON application_claims (claim_key, item, year) WHERE active".to_string(),
            format!(
                "CREATE TABLE notices (id {pk}, district_code VARCHAR(12) NOT NULL, title TEXT NOT NULL, starts_on DATE NOT NULL, \
                 ends_on DATE NOT NULL, days INTEGER NOT NULL, status VARCHAR(12) NOT NULL, published_at BIGINT NOT NULL, \
                 published_by BIGINT NOT NULL, ended_at BIGINT)"
            ),
            "CREATE INDEX ix_notice_district ON notices (district_code)".to_string(),
            "CREATE TABLE notice_entries (notice_id BIGINT NOT NULL, application_id BIGINT NOT NULL, enterprise_name TEXT NOT NULL, \
             items TEXT NOT NULL, amount_fen BIGINT NOT NULL, outcome VARCHAR(12), PRIMARY KEY (notice_id, application_id), \
             CONSTRAINT fk_entry_notice FOREIGN KEY (notice_id) REFERENCES notices (id), \
             CONSTRAINT fk_entry_app FOREIGN KEY (application_id) REFERENCES applications (id))".to_string(),
            format!(
                "CREATE TABLE objections (id {pk}, notice_id BIGINT NOT NULL, application_id BIGINT, name TEXT NOT NULL, contact TEXT NOT NULL, \
                 text TEXT NOT NULL, evidence_key VARCHAR(64), evidence_name TEXT, lodged_at BIGINT NOT NULL, decision VARCHAR(12), \
                 reason TEXT, decided_by BIGINT, decided_at BIGINT, \
                 CONSTRAINT fk_objection_notice FOREIGN KEY (notice_id) REFERENCES notices (id))"
            ),
            "CREATE INDEX ix_objection_notice ON objections (notice_id)".to_string(),
            format!(
                "CREATE TABLE grant_payments (id {pk}, application_id BIGINT NOT NULL, paid_on DATE NOT NULL, amount_fen BIGINT NOT NULL, \
                 reference TEXT NOT NULL, created_at BIGINT NOT NULL, \
                 CONSTRAINT fk_gp_app FOREIGN KEY (application_id) REFERENCES applications (id))"
            ),
            "CREATE INDEX ix_gp_app ON grant_payments (application_id)".to_string(),
            format!(
                "CREATE TABLE supervision_checks (id {pk}, application_id BIGINT NOT NULL, due_on DATE NOT NULL, done_at BIGINT, \
                 outcome VARCHAR(12), findings TEXT, \
                 CONSTRAINT fk_sc_app FOREIGN KEY (application_id) REFERENCES applications (id))"
            ),
            "CREATE INDEX ix_sc_app ON supervision_checks (application_id)".to_string(),
            format!(
                "CREATE TABLE clawbacks (id {pk}, application_id BIGINT NOT NULL, amount_fen BIGINT NOT NULL, reason TEXT NOT NULL, \
                 decided_at BIGINT NOT NULL, recovered_on DATE, \
                 CONSTRAINT fk_cb_app FOREIGN KEY (application_id) REFERENCES applications (id))"
            ),
            "CREATE INDEX ix_cb_app ON clawbacks (application_id)".to_string(),
            format!(
                "CREATE TABLE notifications (id {pk}, organisation_id BIGINT, district_code VARCHAR(12), application_id BIGINT, \
                 text TEXT NOT NULL, link TEXT NOT NULL, created_at BIGINT NOT NULL, read_at BIGINT, sent_at BIGINT)"
            ),
            "CREATE INDEX ix_notif_org ON notifications (organisation_id)".to_string(),
            "CREATE INDEX ix_notif_district ON notifications (district_code)".to_string(),
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
