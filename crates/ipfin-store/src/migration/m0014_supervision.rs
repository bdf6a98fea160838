//! Daily supervision (SPEC §8 R4.3; issue #8 item 3, decision 0015): a district's inspections
//! of stations, institutions and subsidised enterprises with their findings; rectification
//! tasks raised from them with an owner organisation and a deadline; the evidence submitted
//! (a stored file and a note) and each task's history. Named apart from the applications'
//! post-grant `supervision_checks` (M0009), which stay as they are.

use sea_orm_migration::prelude::*;

pub(super) struct M0014Supervision;

impl MigrationName for M0014Supervision {
    fn name(&self) -> &str {
        "m0014_supervision"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0014Supervision {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let pk = match db.get_database_backend() {
            sea_orm::DbBackend::Postgres => "BIGSERIAL PRIMARY KEY",
            _ => "INTEGER PRIMARY KEY AUTOINCREMENT",
        };
        for sql in [
            format!(
                "CREATE TABLE inspections (id {pk}, district_code VARCHAR(12) NOT NULL, subject_kind VARCHAR(12) NOT NULL, \
                 subject_org_id BIGINT, subject_enterprise_id BIGINT, subject_name TEXT NOT NULL, due_on DATE NOT NULL, \
                 inspectors TEXT NOT NULL, purpose TEXT NOT NULL, status VARCHAR(12) NOT NULL, done_on DATE, findings TEXT, \
                 result VARCHAR(16), created_by BIGINT, created_at BIGINT NOT NULL, recorded_by BIGINT, recorded_at BIGINT, \
                 CONSTRAINT fk_insp_district FOREIGN KEY (district_code) REFERENCES districts (code), \
                 CONSTRAINT fk_insp_org FOREIGN KEY (subject_org_id) REFERENCES organisations (id), \
                 CONSTRAINT fk_insp_enterprise FOREIGN KEY (subject_enterprise_id) REFERENCES enterprises (id))"
            ),
            "CREATE INDEX ix_insp_district_due ON inspections (district_code, due_on)".to_string(),
            format!(
                "CREATE TABLE rectification_tasks (id {pk}, inspection_id BIGINT NOT NULL, district_code VARCHAR(12) NOT NULL, \
                 owner_org_id BIGINT NOT NULL, deadline DATE NOT NULL, requirement TEXT NOT NULL, status VARCHAR(20) NOT NULL, \
                 created_by BIGINT, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, closed_at BIGINT, closed_by BIGINT, \
                 close_note TEXT, \
                 CONSTRAINT fk_rect_insp FOREIGN KEY (inspection_id) REFERENCES inspections (id), \
                 CONSTRAINT fk_rect_owner FOREIGN KEY (owner_org_id) REFERENCES organisations (id))"
            ),
            "CREATE INDEX ix_rect_district ON rectification_tasks (district_code, status, deadline)".to_string(),
            "CREATE INDEX ix_rect_owner ON rectification_tasks (owner_org_id)".to_string(),
            "CREATE INDEX ix_rect_insp ON rectification_tasks (inspection_id)".to_string(),
            format!(
                "CREATE TABLE rectification_evidence (id {pk}, task_id BIGINT NOT NULL, blob_key VARCHAR(64) NOT NULL, \
                 file_name TEXT NOT NULL, file_type VARCHAR(8) NOT NULL, size BIGINT NOT NULL, note TEXT NOT NULL, \
                 organisation_id BIGINT, submitted_by BIGINT, submitted_at BIGINT NOT NULL, \
                 CONSTRAINT fk_rev_task FOREIGN KEY (task_id) REFERENCES rectification_tasks (id), \
                 CONSTRAINT fk_rev_blob FOREIGN KEY (blob_key) REFERENCES blobs (key))"
            ),
            "CREATE INDEX ix_rev_task ON rectification_evidence (task_id)".to_string(),
            format!(
                "CREATE TABLE rectification_events (id {pk}, task_id BIGINT NOT NULL, at BIGINT NOT NULL, user_id BIGINT, \
                 actor_name TEXT NOT NULL, action VARCHAR(20) NOT NULL, from_status VARCHAR(20) NOT NULL, \
                 to_status VARCHAR(20) NOT NULL, note TEXT NOT NULL, \
                 CONSTRAINT fk_rey_task FOREIGN KEY (task_id) REFERENCES rectification_tasks (id))"
            ),
            "CREATE INDEX ix_rey_task ON rectification_events (task_id)".to_string(),
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
