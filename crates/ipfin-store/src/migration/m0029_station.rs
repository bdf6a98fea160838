//! Service stations and door-to-door service (issue #21, R3.1):
//! - `stations`: a district's station, one per service-agency organisation, with its partner,
//!   address, service area (district codes), opening date and contact;
//! - `station_people`: its specialists (the agency's users) and the bank account managers who
//!   work with it;
//! - `service_bookings`: requests for on-site service (an enterprise signed in, or anyone), each
//!   becoming a case or declined with a reason;
//! - `service_cases`: one enterprise followed through the six steps (`case_steps`), with visits
//!   (`case_visits`), trips to an office (`case_trips`), the consent for an application prepared
//!   on its behalf and the enterprise's rating.

use sea_orm_migration::prelude::*;

pub(super) struct M0029Station;

impl MigrationName for M0029Station {
    fn name(&self) -> &str {
        "m0029_station"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0029Station {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let pk = match db.get_database_backend() {
            sea_orm::DbBackend::Postgres => "BIGSERIAL PRIMARY KEY",
            _ => "INTEGER PRIMARY KEY AUTOINCREMENT",
        };
        for sql in [
            format!(
                "CREATE TABLE stations (id {pk}, org_id BIGINT NOT NULL, district_code VARCHAR(12) NOT NULL, \
                 name TEXT NOT NULL, partner_kind VARCHAR(24) NOT NULL, partner_name TEXT NOT NULL, address TEXT NOT NULL, \
                 service_area TEXT NOT NULL, opened_on DATE NOT NULL, contact_name TEXT NOT NULL, contact_phone TEXT NOT NULL, \
                 active BOOLEAN NOT NULL DEFAULT TRUE, created_by BIGINT, created_at BIGINT NOT NULL, \
                 CONSTRAINT fk_st_org FOREIGN KEY (org_id) REFERENCES organisations (id), \
                 CONSTRAINT fk_st_district FOREIGN KEY (district_code) REFERENCES districts (code))"
            ),
            "CREATE UNIQUE INDEX ux_st_org ON stations (org_id)".to_string(),
            "CREATE INDEX ix_st_district ON stations (district_code)".to_string(),
            "CREATE TABLE station_people (station_id BIGINT NOT NULL, user_id BIGINT NOT NULL, role VARCHAR(16) NOT NULL, \
             added_by BIGINT, added_at BIGINT NOT NULL, PRIMARY KEY (station_id, user_id), \
             CONSTRAINT fk_sp_station FOREIGN KEY (station_id) REFERENCES stations (id), \
             CONSTRAINT fk_sp_user FOREIGN KEY (user_id) REFERENCES users (id))"
                .to_string(),
            format!(
                "CREATE TABLE service_cases (id {pk}, station_id BIGINT NOT NULL, station_org_id BIGINT NOT NULL, \
                 district_code VARCHAR(12) NOT NULL, enterprise_id BIGINT NOT NULL, booking_id BIGINT, specialist_user_id BIGINT, \
                 opened_on DATE NOT NULL, completed_on DATE, consent_by TEXT, consent_note TEXT, consent_channel VARCHAR(16), \
                 consent_at BIGINT, application_id BIGINT, rating INTEGER, rating_comment TEXT, rated_at BIGINT, \
                 created_by BIGINT, created_at BIGINT NOT NULL, \
                 CONSTRAINT fk_sc_station FOREIGN KEY (station_id) REFERENCES stations (id), \
                 CONSTRAINT fk_sc_enterprise FOREIGN KEY (enterprise_id) REFERENCES enterprises (id))"
            ),
            "CREATE INDEX ix_sc_station ON service_cases (station_org_id, id)".to_string(),
            "CREATE INDEX ix_sc_district ON service_cases (district_code, id)".to_string(),
            "CREATE INDEX ix_sc_enterprise ON service_cases (enterprise_id)".to_string(),
            "CREATE TABLE case_steps (case_id BIGINT NOT NULL, step VARCHAR(16) NOT NULL, status VARCHAR(16) NOT NULL, \
             started_on DATE, done_on DATE, responsible TEXT NOT NULL DEFAULT '', documents TEXT NOT NULL DEFAULT '', \
             linked_id BIGINT, updated_by BIGINT, updated_at BIGINT NOT NULL, PRIMARY KEY (case_id, step), \
             CONSTRAINT fk_cs_case FOREIGN KEY (case_id) REFERENCES service_cases (id))"
                .to_string(),
            format!(
                "CREATE TABLE case_visits (id {pk}, case_id BIGINT NOT NULL, step VARCHAR(16), visited_on DATE NOT NULL, \
                 place TEXT NOT NULL, visitors TEXT NOT NULL, what TEXT NOT NULL, recorded_by BIGINT, recorded_by_name TEXT NOT NULL, \
                 recorded_org TEXT NOT NULL, recorded_at BIGINT NOT NULL, \
                 CONSTRAINT fk_cv_case FOREIGN KEY (case_id) REFERENCES service_cases (id))"
            ),
            "CREATE INDEX ix_cv_case ON case_visits (case_id, visited_on)".to_string(),
            "CREATE INDEX ix_cv_date ON case_visits (visited_on)".to_string(),
            format!(
                "CREATE TABLE case_trips (id {pk}, case_id BIGINT NOT NULL, trip_on DATE NOT NULL, office TEXT NOT NULL, \
                 reason TEXT NOT NULL, recorded_by BIGINT, recorded_at BIGINT NOT NULL, \
                 CONSTRAINT fk_ct_case FOREIGN KEY (case_id) REFERENCES service_cases (id))"
            ),
            "CREATE INDEX ix_ct_case ON case_trips (case_id)".to_string(),
            format!(
                "CREATE TABLE service_bookings (id {pk}, station_id BIGINT NOT NULL, station_org_id BIGINT NOT NULL, \
                 district_code VARCHAR(12) NOT NULL, enterprise_name TEXT NOT NULL, credit_code VARCHAR(18) NOT NULL, \
                 contact_name TEXT NOT NULL, contact_phone TEXT NOT NULL, enterprise_district VARCHAR(12) NOT NULL, \
                 need TEXT NOT NULL DEFAULT '', channel VARCHAR(16) NOT NULL, requested_by BIGINT, requested_by_org BIGINT, \
                 requested_at BIGINT NOT NULL, state VARCHAR(16) NOT NULL, decided_by BIGINT, decided_at BIGINT, \
                 decline_reason TEXT, case_id BIGINT, \
                 CONSTRAINT fk_bk_station FOREIGN KEY (station_id) REFERENCES stations (id))"
            ),
            "CREATE INDEX ix_bk_station ON service_bookings (station_org_id, state, id)".to_string(),
            "CREATE INDEX ix_bk_district ON service_bookings (district_code, state, id)".to_string(),
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
