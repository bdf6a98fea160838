//! The finance bureau pays (issue #18 item 4): a district's paying unit (财政拨付单位, one
//! member department at a time; earlier designations are in the audit trail), the payee
//! account each application names, and payment runs with their lines — each line a snapshot of
//! the account and the amount as prepared, confirmed and exported, and the treasury's result.
//! At most one line without a result per application (a partial unique index, on both
//! backends), so an application is never in two runs waiting for payment at once.

use sea_orm_migration::prelude::*;

pub(super) struct M0021PaymentRuns;

impl MigrationName for M0021PaymentRuns {
    fn name(&self) -> &str {
        "m0021_payment_runs"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0021PaymentRuns {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let pk = match db.get_database_backend() {
            sea_orm::DbBackend::Postgres => "BIGSERIAL PRIMARY KEY",
            _ => "INTEGER PRIMARY KEY AUTOINCREMENT",
        };
        for sql in [
            "CREATE TABLE paying_units (district_code VARCHAR(12) PRIMARY KEY, organisation_id BIGINT NOT NULL, \
             set_by BIGINT, set_at BIGINT NOT NULL, \
             CONSTRAINT fk_paying_district FOREIGN KEY (district_code) REFERENCES districts (code), \
             CONSTRAINT fk_paying_org FOREIGN KEY (organisation_id) REFERENCES organisations (id))"
                .to_string(),
            "CREATE TABLE payee_accounts (application_id BIGINT PRIMARY KEY, account_name TEXT NOT NULL, \
             bank_name TEXT NOT NULL, account_number VARCHAR(30) NOT NULL, updated_by BIGINT, updated_at BIGINT NOT NULL, \
             CONSTRAINT fk_payee_app FOREIGN KEY (application_id) REFERENCES applications (id))"
                .to_string(),
            format!(
                "CREATE TABLE payment_runs (id {pk}, district_code VARCHAR(12) NOT NULL, title TEXT NOT NULL, \
                 state VARCHAR(12) NOT NULL, paying_org_id BIGINT NOT NULL, prepared_by BIGINT NOT NULL, prepared_at BIGINT NOT NULL, \
                 confirmed_by BIGINT, confirmed_at BIGINT, exported_by BIGINT, exported_at BIGINT, completed_at BIGINT, \
                 CONSTRAINT fk_prun_district FOREIGN KEY (district_code) REFERENCES districts (code), \
                 CONSTRAINT fk_prun_org FOREIGN KEY (paying_org_id) REFERENCES organisations (id))"
            ),
            "CREATE INDEX ix_prun_district ON payment_runs (district_code, state)".to_string(),
            format!(
                "CREATE TABLE payment_run_lines (id {pk}, run_id BIGINT NOT NULL, line_no INTEGER NOT NULL, \
                 application_id BIGINT NOT NULL, account_name TEXT NOT NULL, bank_name TEXT NOT NULL, \
                 account_number VARCHAR(30) NOT NULL, amount_fen BIGINT NOT NULL, purpose TEXT NOT NULL, \
                 result VARCHAR(8), paid_on DATE, reference TEXT, failure_reason TEXT, recorded_by BIGINT, recorded_at BIGINT, \
                 settled_at BIGINT, settled_by BIGINT, settle_note TEXT, \
                 CONSTRAINT fk_prl_run FOREIGN KEY (run_id) REFERENCES payment_runs (id), \
                 CONSTRAINT fk_prl_app FOREIGN KEY (application_id) REFERENCES applications (id))"
            ),
            "CREATE INDEX ix_prl_run ON payment_run_lines (run_id, line_no)".to_string(),
            "CREATE INDEX ix_prl_app ON payment_run_lines (application_id)".to_string(),
            "CREATE UNIQUE INDEX ux_prl_pending ON payment_run_lines (application_id) WHERE result IS NULL"
                .to_string(),
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
