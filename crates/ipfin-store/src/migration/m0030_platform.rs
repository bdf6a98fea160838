//! The public service platform (issue #22, R3.3):
//! - `interpretations`: policy interpretations (政策解读) written by a district's officers, each
//!   naming the policy version it interprets; draft → published → withdrawn.
//! - `loan_products`: banks' IP-pledge loan products (amount, term and rate ranges, IP kinds,
//!   industries, regions, contact); `financing_needs` (+ `financing_need_assets`, the
//!   enterprise's IP assets offered): what enterprises seek.
//! - `match_contacts`: every contact, both ways; the unique index on (kind, subject, enterprise,
//!   bank, day) is the daily rate limit, held by the database.
//! - `disposal_listings` (+ `disposal_assets`, `disposal_interests`): pledged IP offered for
//!   disposal after a default, with its outcome, linked to the loan.
//! - `search_grams`: the two-character index of the search box.

use sea_orm_migration::prelude::*;

pub(super) struct M0030Platform;

impl MigrationName for M0030Platform {
    fn name(&self) -> &str {
        "m0030_platform"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0030Platform {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let pk = match db.get_database_backend() {
            sea_orm::DbBackend::Postgres => "BIGSERIAL PRIMARY KEY",
            _ => "INTEGER PRIMARY KEY AUTOINCREMENT",
        };
        for sql in [
            format!(
                "CREATE TABLE interpretations (id {pk}, district_code VARCHAR(12) NOT NULL, policy_version_id BIGINT NOT NULL, \
                 title TEXT NOT NULL, body TEXT NOT NULL, status VARCHAR(16) NOT NULL, author_user_id BIGINT, author_name TEXT NOT NULL, \
                 created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, published_at BIGINT, \
                 CONSTRAINT fk_interp_district FOREIGN KEY (district_code) REFERENCES districts (code), \
                 CONSTRAINT fk_interp_policy FOREIGN KEY (policy_version_id) REFERENCES policy_versions (id))"
            ),
            "CREATE INDEX ix_interp_district ON interpretations (district_code, status, id)".to_string(),
            format!(
                "CREATE TABLE loan_products (id {pk}, bank_org_id BIGINT NOT NULL, name TEXT NOT NULL, ip_kinds TEXT NOT NULL, \
                 min_fen BIGINT NOT NULL, max_fen BIGINT NOT NULL, min_months INTEGER NOT NULL, max_months INTEGER NOT NULL, \
                 min_rate_bp INTEGER NOT NULL, max_rate_bp INTEGER NOT NULL, industries TEXT NOT NULL DEFAULT '', \
                 regions TEXT NOT NULL DEFAULT '', contact TEXT NOT NULL, description TEXT NOT NULL DEFAULT '', \
                 status VARCHAR(16) NOT NULL, created_by BIGINT, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, \
                 CONSTRAINT fk_product_bank FOREIGN KEY (bank_org_id) REFERENCES organisations (id))"
            ),
            "CREATE INDEX ix_product_bank ON loan_products (bank_org_id, status)".to_string(),
            format!(
                "CREATE TABLE financing_needs (id {pk}, enterprise_id BIGINT NOT NULL, enterprise_org_id BIGINT NOT NULL, \
                 district_code VARCHAR(12), amount_fen BIGINT NOT NULL, months INTEGER NOT NULL, purpose TEXT NOT NULL, \
                 public BOOLEAN NOT NULL, status VARCHAR(16) NOT NULL, created_by BIGINT, created_at BIGINT NOT NULL, \
                 CONSTRAINT fk_need_enterprise FOREIGN KEY (enterprise_id) REFERENCES enterprises (id))"
            ),
            "CREATE INDEX ix_need_org ON financing_needs (enterprise_org_id, status)".to_string(),
            "CREATE TABLE financing_need_assets (need_id BIGINT NOT NULL, ip_asset_id BIGINT NOT NULL, \
             PRIMARY KEY (need_id, ip_asset_id), \
             CONSTRAINT fk_fna_need FOREIGN KEY (need_id) REFERENCES financing_needs (id), \
             CONSTRAINT fk_fna_ip FOREIGN KEY (ip_asset_id) REFERENCES ip_assets (id))"
                .to_string(),
            format!(
                "CREATE TABLE match_contacts (id {pk}, kind VARCHAR(16) NOT NULL, subject_id BIGINT NOT NULL, \
                 enterprise_id BIGINT NOT NULL, enterprise_org_id BIGINT, bank_org_id BIGINT NOT NULL, district_code VARCHAR(12), \
                 on_date DATE NOT NULL, message TEXT NOT NULL, by_user_id BIGINT, by_name TEXT NOT NULL, push_entry_id BIGINT, \
                 created_at BIGINT NOT NULL, \
                 CONSTRAINT fk_mc_enterprise FOREIGN KEY (enterprise_id) REFERENCES enterprises (id), \
                 CONSTRAINT fk_mc_bank FOREIGN KEY (bank_org_id) REFERENCES organisations (id))"
            ),
            "CREATE UNIQUE INDEX ux_mc_daily ON match_contacts (kind, subject_id, enterprise_id, bank_org_id, on_date)".to_string(),
            "CREATE INDEX ix_mc_bank ON match_contacts (bank_org_id, id)".to_string(),
            "CREATE INDEX ix_mc_enterprise ON match_contacts (enterprise_org_id, id)".to_string(),
            format!(
                "CREATE TABLE disposal_listings (id {pk}, loan_id BIGINT NOT NULL, bank_org_id BIGINT NOT NULL, \
                 enterprise_id BIGINT NOT NULL, district_code VARCHAR(12), title TEXT NOT NULL, reserve_fen BIGINT NOT NULL, \
                 opens_on DATE NOT NULL, closes_on DATE NOT NULL, terms TEXT NOT NULL DEFAULT '', status VARCHAR(16) NOT NULL, \
                 price_fen BIGINT, outcome_on DATE, outcome_note TEXT NOT NULL DEFAULT '', created_by BIGINT, created_at BIGINT NOT NULL, \
                 CONSTRAINT fk_dl_loan FOREIGN KEY (loan_id) REFERENCES loans (id), \
                 CONSTRAINT fk_dl_bank FOREIGN KEY (bank_org_id) REFERENCES organisations (id))"
            ),
            "CREATE INDEX ix_dl_status ON disposal_listings (status, closes_on)".to_string(),
            "CREATE INDEX ix_dl_bank ON disposal_listings (bank_org_id, id)".to_string(),
            "CREATE TABLE disposal_assets (listing_id BIGINT NOT NULL, ip_asset_id BIGINT NOT NULL, \
             PRIMARY KEY (listing_id, ip_asset_id), \
             CONSTRAINT fk_da_listing FOREIGN KEY (listing_id) REFERENCES disposal_listings (id), \
             CONSTRAINT fk_da_ip FOREIGN KEY (ip_asset_id) REFERENCES ip_assets (id))"
                .to_string(),
            format!(
                "CREATE TABLE disposal_interests (id {pk}, listing_id BIGINT NOT NULL, name TEXT NOT NULL, contact TEXT NOT NULL, \
                 note TEXT NOT NULL DEFAULT '', by_user_id BIGINT, created_at BIGINT NOT NULL, \
                 CONSTRAINT fk_di_listing FOREIGN KEY (listing_id) REFERENCES disposal_listings (id))"
            ),
            "CREATE INDEX ix_di_listing ON disposal_interests (listing_id, id)".to_string(),
            "CREATE TABLE search_grams (kind VARCHAR(16) NOT NULL, record_id BIGINT NOT NULL, gram VARCHAR(16) NOT NULL, \
             PRIMARY KEY (gram, kind, record_id))"
                .to_string(),
            "CREATE INDEX ix_sg_record ON search_grams (kind, record_id)".to_string(),
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
