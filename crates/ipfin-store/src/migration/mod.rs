//! Embedded schema migrations, one set for SQLite and PostgreSQL, run at start by `serve` and
//! by `ipfin migrate`.
//!
//! One file per migration, named after the name it records in `seaql_migrations` (its
//! `MigrationName::name`, written out in each file). Each migration names itself: the name is
//! stored in `seaql_migrations` and must never change.

mod m0001_foundation;
mod m0002_enterprises;
mod m0003_tags_and_ip;
mod m0004_imports;
mod m0005_name_index;
mod m0006_policies;
mod m0007_policy_attachments;
mod m0008_financing;
mod m0009_applications;
mod m0010_targets;
mod m0011_stat_aggregates;
mod m0012_coordination;
mod m0013_meetings;
mod m0014_supervision;
mod m0015_summaries;
mod m0016_account_activations;
mod m0017_ops_hardening;
mod m0018_objection_limits;
mod m0019_verified_figures;
mod m0020_confirmations;
mod m0021_payment_runs;
mod m0022_check_schedules;
mod m0024_batch_allocation;
mod m0025_whitelist;
mod m0027_screening;
mod m0028_push;
mod m0029_station;
mod m0030_platform;
mod m0031_public_data_and_screening_changes;
mod m0032_case_account_manager;
mod m0033_valuation_quotes;
mod m0034_case_step_files;
mod m0035_meeting_minutes_roles;
mod m0036_notification_english;

use m0001_foundation::M0001Foundation;
use m0002_enterprises::M0002Enterprises;
use m0003_tags_and_ip::M0003TagsAndIp;
use m0004_imports::M0004Imports;
use m0005_name_index::M0005NameIndex;
use m0006_policies::M0006Policies;
use m0007_policy_attachments::M0007PolicyAttachments;
use m0008_financing::M0008Financing;
use m0009_applications::M0009Applications;
use m0010_targets::M0010Targets;
use m0011_stat_aggregates::M0011StatAggregates;
use m0012_coordination::M0012Coordination;
use m0013_meetings::M0013Meetings;
use m0014_supervision::M0014Supervision;
use m0015_summaries::M0015Summaries;
use m0016_account_activations::M0016AccountActivations;
use m0017_ops_hardening::M0017OpsHardening;
use m0018_objection_limits::M0018ObjectionLimits;
use m0019_verified_figures::M0019VerifiedFigures;
use m0020_confirmations::M0020Confirmations;
use m0021_payment_runs::M0021PaymentRuns;
use m0022_check_schedules::M0022CheckSchedules;
use m0024_batch_allocation::M0024BatchAllocation;
use m0025_whitelist::M0025Whitelist;
use m0027_screening::M0027Screening;
use m0028_push::M0028Push;
use m0029_station::M0029Station;
use m0030_platform::M0030Platform;
use m0031_public_data_and_screening_changes::M0031PublicDataAndScreeningChanges;
use m0032_case_account_manager::M0032CaseAccountManager;
use m0033_valuation_quotes::M0033ValuationQuotes;
use m0034_case_step_files::M0034CaseStepFiles;
use m0035_meeting_minutes_roles::M0035MeetingMinutesRoles;
use m0036_notification_english::M0036NotificationEnglish;

use sea_orm_migration::prelude::*;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(M0001Foundation),
            Box::new(M0002Enterprises),
            Box::new(M0003TagsAndIp),
            Box::new(M0004Imports),
            Box::new(M0005NameIndex),
            Box::new(M0006Policies),
            Box::new(M0007PolicyAttachments),
            Box::new(M0008Financing),
            Box::new(M0009Applications),
            Box::new(M0010Targets),
            Box::new(M0011StatAggregates),
            Box::new(M0012Coordination),
            Box::new(M0013Meetings),
            Box::new(M0014Supervision),
            Box::new(M0015Summaries),
            Box::new(M0016AccountActivations),
            Box::new(M0017OpsHardening),
            Box::new(M0018ObjectionLimits),
            Box::new(M0019VerifiedFigures),
            Box::new(M0020Confirmations),
            Box::new(M0021PaymentRuns),
            Box::new(M0022CheckSchedules),
            Box::new(M0024BatchAllocation),
            Box::new(M0025Whitelist),
            Box::new(M0027Screening),
            Box::new(M0028Push),
            Box::new(M0029Station),
            Box::new(M0030Platform),
            Box::new(M0031PublicDataAndScreeningChanges),
            Box::new(M0032CaseAccountManager),
            Box::new(M0033ValuationQuotes),
            Box::new(M0034CaseStepFiles),
            Box::new(M0035MeetingMinutesRoles),
            Box::new(M0036NotificationEnglish),
        ]
    }
}

fn fk(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .take()
}
