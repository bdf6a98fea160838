//! Financing records (SPEC §4, issue #5): loans with their disbursements, status changes and
//! payments; pledge registrations with their IP items, linked to the loans they secure; the
//! guarantee, insurance and valuation contracts; and the API's idempotency keys.

use sea_orm_migration::prelude::*;

pub(super) struct M0008Financing;

impl MigrationName for M0008Financing {
    fn name(&self) -> &str {
        "m0008_financing"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0008Financing {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let pk = match db.get_database_backend() {
            sea_orm::DbBackend::Postgres => "BIGSERIAL PRIMARY KEY",
            _ => "INTEGER PRIMARY KEY AUTOINCREMENT",
        };
        for sql in [
            format!(
                "CREATE TABLE loans (id {pk}, lender_org_id BIGINT NOT NULL, enterprise_id BIGINT NOT NULL, \
                 contract_number VARCHAR(64) NOT NULL, principal_fen BIGINT NOT NULL, annual_rate VARCHAR(16) NOT NULL, \
                 start_date DATE NOT NULL, end_date DATE NOT NULL, first_disbursed DATE NOT NULL, \
                 other_collateral BOOLEAN NOT NULL, ip_amount_fen BIGINT, ip_ratio VARCHAR(16), first_loan BOOLEAN NOT NULL, \
                 ip_kinds VARCHAR(80) NOT NULL, status VARCHAR(16) NOT NULL, status_date DATE NOT NULL, \
                 repaid_fen BIGINT NOT NULL, interest_paid_fen BIGINT NOT NULL, fingerprint VARCHAR(64) NOT NULL, \
                 created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, \
                 CONSTRAINT fk_loan_lender FOREIGN KEY (lender_org_id) REFERENCES organisations (id), \
                 CONSTRAINT fk_loan_enterprise FOREIGN KEY (enterprise_id) REFERENCES enterprises (id))"
            ),
            "CREATE UNIQUE INDEX ux_loan_contract ON loans (lender_org_id, contract_number)".to_string(),
            "CREATE INDEX ix_loan_enterprise ON loans (enterprise_id)".to_string(),
            "CREATE INDEX ix_loan_start ON loans (start_date)".to_string(),
            format!(
                "CREATE TABLE loan_disbursements (id {pk}, loan_id BIGINT NOT NULL, date DATE NOT NULL, amount_fen BIGINT NOT NULL, \
                 CONSTRAINT fk_disb_loan FOREIGN KEY (loan_id) REFERENCES loans (id))"
            ),
            "CREATE INDEX ix_disb_loan ON loan_disbursements (loan_id)".to_string(),
            format!(
                "CREATE TABLE loan_status_changes (id {pk}, loan_id BIGINT NOT NULL, status VARCHAR(16) NOT NULL, date DATE NOT NULL, \
                 note TEXT NOT NULL, created_at BIGINT NOT NULL, \
                 CONSTRAINT fk_status_loan FOREIGN KEY (loan_id) REFERENCES loans (id))"
            ),
            "CREATE INDEX ix_status_loan ON loan_status_changes (loan_id)".to_string(),
            format!(
                "CREATE TABLE loan_payments (id {pk}, loan_id BIGINT NOT NULL, date DATE NOT NULL, principal_fen BIGINT NOT NULL, \
                 interest_fen BIGINT NOT NULL, created_at BIGINT NOT NULL, \
                 CONSTRAINT fk_payment_loan FOREIGN KEY (loan_id) REFERENCES loans (id))"
            ),
            "CREATE INDEX ix_payment_loan ON loan_payments (loan_id)".to_string(),
            format!(
                "CREATE TABLE pledge_registrations (id {pk}, number VARCHAR(40) NOT NULL, pledgee_org_id BIGINT NOT NULL, \
                 pledgor_enterprise_id BIGINT NOT NULL, secured_amount_fen BIGINT NOT NULL, registration_date DATE NOT NULL, \
                 cancellation_date DATE, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, \
                 CONSTRAINT fk_pledge_pledgee FOREIGN KEY (pledgee_org_id) REFERENCES organisations (id), \
                 CONSTRAINT fk_pledge_pledgor FOREIGN KEY (pledgor_enterprise_id) REFERENCES enterprises (id))"
            ),
            "CREATE UNIQUE INDEX ux_pledge_number ON pledge_registrations (number)".to_string(),
            "CREATE INDEX ix_pledge_pledgor ON pledge_registrations (pledgor_enterprise_id)".to_string(),
            "CREATE TABLE pledge_items (registration_id BIGINT NOT NULL, ip_asset_id BIGINT NOT NULL, related_party TEXT, \
             PRIMARY KEY (registration_id, ip_asset_id), \
             CONSTRAINT fk_item_pledge FOREIGN KEY (registration_id) REFERENCES pledge_registrations (id), \
             CONSTRAINT fk_item_ip FOREIGN KEY (ip_asset_id) REFERENCES ip_assets (id))".to_string(),
            "CREATE TABLE loan_pledges (loan_id BIGINT NOT NULL, registration_id BIGINT NOT NULL, \
             PRIMARY KEY (loan_id, registration_id), \
             CONSTRAINT fk_lp_loan FOREIGN KEY (loan_id) REFERENCES loans (id), \
             CONSTRAINT fk_lp_pledge FOREIGN KEY (registration_id) REFERENCES pledge_registrations (id))".to_string(),
            "CREATE INDEX ix_lp_registration ON loan_pledges (registration_id)".to_string(),
            format!(
                "CREATE TABLE financing_contracts (id {pk}, loan_id BIGINT NOT NULL, kind VARCHAR(16) NOT NULL, \
                 provider_org_id BIGINT, provider_name TEXT NOT NULL, contract_number VARCHAR(64) NOT NULL, \
                 fee_fen BIGINT NOT NULL, invoice_number VARCHAR(64), invoice_date DATE, paid_date DATE, paid_fen BIGINT, \
                 appraised_value_fen BIGINT, report_date DATE, created_at BIGINT NOT NULL, \
                 CONSTRAINT fk_contract_loan FOREIGN KEY (loan_id) REFERENCES loans (id))"
            ),
            "CREATE UNIQUE INDEX ux_contract_loan_kind_number ON financing_contracts (loan_id, kind, contract_number)".to_string(),
            "CREATE TABLE idempotency_keys (organisation_id BIGINT NOT NULL, key VARCHAR(200) NOT NULL, \
             request_hash VARCHAR(64) NOT NULL, status INTEGER NOT NULL, body TEXT NOT NULL, created_at BIGINT NOT NULL, \
             PRIMARY KEY (organisation_id, key))".to_string(),
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
