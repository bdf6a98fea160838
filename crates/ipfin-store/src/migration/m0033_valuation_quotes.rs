//! Issue #22 item 3 (评估评价): a valuation institution's profile (qualifications, IP kinds it
//! values, fee range) and the quotes enterprises request for one of their IP assets, answered,
//! accepted, and closed by the valuation report, which links back to the asset (decision 0036).

use sea_orm_migration::prelude::*;

pub(super) struct M0033ValuationQuotes;

impl MigrationName for M0033ValuationQuotes {
    fn name(&self) -> &str {
        "m0033_valuation_quotes"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0033ValuationQuotes {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let pk = match db.get_database_backend() {
            sea_orm::DbBackend::Postgres => "BIGSERIAL PRIMARY KEY",
            _ => "INTEGER PRIMARY KEY AUTOINCREMENT",
        };
        for sql in [
            "CREATE TABLE valuation_profiles (org_id BIGINT PRIMARY KEY, qualifications TEXT NOT NULL, \
             ip_kinds VARCHAR(80) NOT NULL, fee_min_fen BIGINT NOT NULL, fee_max_fen BIGINT NOT NULL, \
             updated_by BIGINT, updated_at BIGINT NOT NULL, \
             CONSTRAINT fk_vp_org FOREIGN KEY (org_id) REFERENCES organisations (id))"
                .to_string(),
            format!(
                "CREATE TABLE valuation_quotes (id {pk}, district_code VARCHAR(12) NOT NULL, enterprise_id BIGINT NOT NULL, \
                 enterprise_org_id BIGINT NOT NULL, valuer_org_id BIGINT NOT NULL, asset_id BIGINT NOT NULL, note TEXT NOT NULL, \
                 status VARCHAR(16) NOT NULL, fee_fen BIGINT, days INTEGER, answer TEXT, report_number VARCHAR(64), \
                 report_date DATE, appraised_fen BIGINT, requested_on DATE NOT NULL, requested_at BIGINT NOT NULL, \
                 answered_at BIGINT, reported_at BIGINT, \
                 CONSTRAINT fk_vq_ent FOREIGN KEY (enterprise_id) REFERENCES enterprises (id), \
                 CONSTRAINT fk_vq_valuer FOREIGN KEY (valuer_org_id) REFERENCES organisations (id), \
                 CONSTRAINT fk_vq_asset FOREIGN KEY (asset_id) REFERENCES ip_assets (id))"
            ),
            "CREATE INDEX ix_vq_valuer ON valuation_quotes (valuer_org_id, id)".to_string(),
            "CREATE INDEX ix_vq_ent ON valuation_quotes (enterprise_org_id, id)".to_string(),
            "CREATE INDEX ix_vq_district ON valuation_quotes (district_code, id)".to_string(),
            "CREATE INDEX ix_vq_asset ON valuation_quotes (asset_id)".to_string(),
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
