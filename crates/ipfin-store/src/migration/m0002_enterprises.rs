//! Enterprises with their name index and the claims of enterprise accounts.

use super::fk;
use super::m0001_foundation::{Districts, Organisations};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub(super) struct M0002Enterprises;

impl MigrationName for M0002Enterprises {
    fn name(&self) -> &str {
        "m0002_enterprises"
    }
}

#[derive(DeriveIden)]
pub(super) enum Enterprises {
    Table,
    Id,
    CreditCode,
    Name,
    RegisteredDistrict,
    TaxDistrict,
    IndependentLegalPerson,
    Industry,
    Employees,
    OperatingRevenueFen,
    TotalAssetsFen,
    SizeClass,
    SizeOverride,
    SizeOverrideReason,
    SizeOverrideBy,
    SizeOverrideAt,
    OrganisationId,
    DataSharingConsent,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum EnterpriseNameGrams {
    Table,
    Gram,
    District,
    EnterpriseId,
}

#[derive(DeriveIden)]
enum EnterpriseClaims {
    Table,
    Id,
    EnterpriseId,
    Username,
    DisplayName,
    PasswordHash,
    Phone,
    Status,
    Reason,
    DecidedBy,
    DecidedAt,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for M0002Enterprises {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Enterprises::Table)
                .col(big_pk_auto(Enterprises::Id))
                .col(string_len(Enterprises::CreditCode, 18))
                .col(string(Enterprises::Name))
                .col(string_len_null(Enterprises::RegisteredDistrict, 20))
                .col(string_len_null(Enterprises::TaxDistrict, 20))
                .col(boolean(Enterprises::IndependentLegalPerson).default(true))
                .col(string_len_null(Enterprises::Industry, 8))
                .col(big_integer_null(Enterprises::Employees))
                .col(big_integer_null(Enterprises::OperatingRevenueFen))
                .col(big_integer_null(Enterprises::TotalAssetsFen))
                .col(string_len_null(Enterprises::SizeClass, 10))
                .col(string_len_null(Enterprises::SizeOverride, 10))
                .col(text_null(Enterprises::SizeOverrideReason))
                .col(big_integer_null(Enterprises::SizeOverrideBy))
                .col(big_integer_null(Enterprises::SizeOverrideAt))
                .col(big_integer_null(Enterprises::OrganisationId))
                .col(boolean(Enterprises::DataSharingConsent).default(false))
                .col(big_integer(Enterprises::CreatedAt))
                .col(big_integer(Enterprises::UpdatedAt))
                .foreign_key(&mut fk(
                    "fk_ent_district",
                    (Enterprises::Table, Enterprises::RegisteredDistrict),
                    (Districts::Table, Districts::Code),
                ))
                .foreign_key(&mut fk(
                    "fk_ent_org",
                    (Enterprises::Table, Enterprises::OrganisationId),
                    (Organisations::Table, Organisations::Id),
                ))
                .take(),
        )
        .await?;
        for (name, cols, unique) in [
            ("ux_ent_credit_code", vec![Enterprises::CreditCode], true),
            (
                "ix_ent_district_id",
                vec![Enterprises::RegisteredDistrict, Enterprises::Id],
                false,
            ),
            ("ix_ent_org", vec![Enterprises::OrganisationId], false),
        ] {
            let mut ix = Index::create().name(name).table(Enterprises::Table).take();
            for c in cols {
                ix.col(c);
            }
            if unique {
                ix.unique();
            }
            m.create_index(ix).await?;
        }
        // Bigram index of enterprise names: (gram, district) leads so a district officer's
        // two-character search reads one short range.
        m.create_table(
            Table::create()
                .table(EnterpriseNameGrams::Table)
                .col(string_len(EnterpriseNameGrams::Gram, 16))
                .col(string_len(EnterpriseNameGrams::District, 20))
                .col(big_integer(EnterpriseNameGrams::EnterpriseId))
                .primary_key(
                    Index::create()
                        .col(EnterpriseNameGrams::Gram)
                        .col(EnterpriseNameGrams::District)
                        .col(EnterpriseNameGrams::EnterpriseId),
                )
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_grams_enterprise")
                .table(EnterpriseNameGrams::Table)
                .col(EnterpriseNameGrams::EnterpriseId)
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(EnterpriseClaims::Table)
                .col(big_pk_auto(EnterpriseClaims::Id))
                .col(big_integer(EnterpriseClaims::EnterpriseId))
                .col(string_len(EnterpriseClaims::Username, 64))
                .col(string(EnterpriseClaims::DisplayName))
                .col(string(EnterpriseClaims::PasswordHash))
                .col(string_len(EnterpriseClaims::Phone, 20))
                .col(string_len(EnterpriseClaims::Status, 12))
                .col(text_null(EnterpriseClaims::Reason))
                .col(big_integer_null(EnterpriseClaims::DecidedBy))
                .col(big_integer_null(EnterpriseClaims::DecidedAt))
                .col(big_integer(EnterpriseClaims::CreatedAt))
                .foreign_key(&mut fk(
                    "fk_claim_ent",
                    (EnterpriseClaims::Table, EnterpriseClaims::EnterpriseId),
                    (Enterprises::Table, Enterprises::Id),
                ))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_claim_ent_status")
                .table(EnterpriseClaims::Table)
                .col(EnterpriseClaims::EnterpriseId)
                .col(EnterpriseClaims::Status)
                .take(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "ipfin migrations are forward-only; restore a backup instead".into(),
        ))
    }
}
