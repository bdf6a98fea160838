//! Quarterly working meetings (SPEC §1 R1.2; issue #8 item 2, decision 0014): the meetings of a
//! district per quarter, the invited units with their attendance, the units' work reports (one
//! per unit, earlier versions kept) with attachments, the issues raised with their status
//! history.

use sea_orm_migration::prelude::*;

pub(super) struct M0013Meetings;

impl MigrationName for M0013Meetings {
    fn name(&self) -> &str {
        "m0013_meetings"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0013Meetings {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let pk = match db.get_database_backend() {
            sea_orm::DbBackend::Postgres => "BIGSERIAL PRIMARY KEY",
            _ => "INTEGER PRIMARY KEY AUTOINCREMENT",
        };
        for sql in [
            format!(
                "CREATE TABLE meetings (id {pk}, district_code VARCHAR(12) NOT NULL, quarter VARCHAR(8) NOT NULL, title TEXT NOT NULL, \
                 meeting_date DATE NOT NULL, place TEXT, online_link TEXT, agenda TEXT NOT NULL, convener_org_id BIGINT, \
                 status VARCHAR(12) NOT NULL, held_at BIGINT, minutes TEXT, minutes_published_at BIGINT, minutes_published_by BIGINT, \
                 created_by BIGINT, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, \
                 CONSTRAINT fk_meeting_district FOREIGN KEY (district_code) REFERENCES districts (code))"
            ),
            "CREATE INDEX ix_meeting_district ON meetings (district_code, quarter)".to_string(),
            "CREATE TABLE meeting_invitations (meeting_id BIGINT NOT NULL, organisation_id BIGINT NOT NULL, invited_by BIGINT, \
             invited_at BIGINT NOT NULL, attended BOOLEAN NOT NULL, attendees TEXT, PRIMARY KEY (meeting_id, organisation_id), \
             CONSTRAINT fk_invite_meeting FOREIGN KEY (meeting_id) REFERENCES meetings (id), \
             CONSTRAINT fk_invite_org FOREIGN KEY (organisation_id) REFERENCES organisations (id))".to_string(),
            "CREATE INDEX ix_invite_org ON meeting_invitations (organisation_id)".to_string(),
            format!(
                "CREATE TABLE meeting_reports (id {pk}, meeting_id BIGINT NOT NULL, organisation_id BIGINT NOT NULL, text TEXT NOT NULL, \
                 version INTEGER NOT NULL, submitted_by BIGINT, submitted_at BIGINT NOT NULL, \
                 CONSTRAINT fk_report_meeting FOREIGN KEY (meeting_id) REFERENCES meetings (id), \
                 CONSTRAINT fk_report_org FOREIGN KEY (organisation_id) REFERENCES organisations (id))"
            ),
            "CREATE UNIQUE INDEX ux_report_unit ON meeting_reports (meeting_id, organisation_id)".to_string(),
            "CREATE TABLE meeting_report_versions (report_id BIGINT NOT NULL, version INTEGER NOT NULL, text TEXT NOT NULL, \
             submitted_by BIGINT, submitted_at BIGINT NOT NULL, PRIMARY KEY (report_id, version), \
             CONSTRAINT fk_rv_report FOREIGN KEY (report_id) REFERENCES meeting_reports (id))".to_string(),
            format!(
                "CREATE TABLE meeting_report_files (id {pk}, report_id BIGINT NOT NULL, version INTEGER NOT NULL, blob_key VARCHAR(64) NOT NULL, \
                 file_name TEXT NOT NULL, file_type VARCHAR(8) NOT NULL, size BIGINT NOT NULL, uploaded_by BIGINT, uploaded_at BIGINT NOT NULL, \
                 CONSTRAINT fk_rf_report FOREIGN KEY (report_id) REFERENCES meeting_reports (id), \
                 CONSTRAINT fk_rf_blob FOREIGN KEY (blob_key) REFERENCES blobs (key))"
            ),
            "CREATE INDEX ix_rf_report ON meeting_report_files (report_id)".to_string(),
            format!(
                "CREATE TABLE meeting_issues (id {pk}, meeting_id BIGINT NOT NULL, district_code VARCHAR(12) NOT NULL, title TEXT NOT NULL, \
                 detail TEXT, owner_org_id BIGINT NOT NULL, due_on DATE NOT NULL, status VARCHAR(12) NOT NULL, resolution_note TEXT, \
                 created_by BIGINT, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, \
                 CONSTRAINT fk_issue_meeting FOREIGN KEY (meeting_id) REFERENCES meetings (id), \
                 CONSTRAINT fk_issue_owner FOREIGN KEY (owner_org_id) REFERENCES organisations (id))"
            ),
            "CREATE INDEX ix_issue_meeting ON meeting_issues (meeting_id)".to_string(),
            "CREATE INDEX ix_issue_owner ON meeting_issues (owner_org_id, status)".to_string(),
            "CREATE INDEX ix_issue_district ON meeting_issues (district_code, status)".to_string(),
            format!(
                "CREATE TABLE meeting_issue_events (id {pk}, issue_id BIGINT NOT NULL, at BIGINT NOT NULL, user_id BIGINT, \
                 from_status VARCHAR(12) NOT NULL, to_status VARCHAR(12) NOT NULL, note TEXT, \
                 CONSTRAINT fk_ie_issue FOREIGN KEY (issue_id) REFERENCES meeting_issues (id))"
            ),
            "CREATE INDEX ix_ie_issue ON meeting_issue_events (issue_id)".to_string(),
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
