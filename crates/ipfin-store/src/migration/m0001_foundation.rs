//! The foundation: districts, organisations, lead designations, contact persons, users and
//! their roles, sessions, API tokens, the audit chain and settings.

use super::fk;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub(super) struct M0001Foundation;

impl MigrationName for M0001Foundation {
    fn name(&self) -> &str {
        "m0001_foundation"
    }
}

#[derive(DeriveIden)]
pub(super) enum Districts {
    Table,
    Code,
    Name,
    NameEn,
    Kind,
    CityCode,
    SortOrder,
    CreatedAt,
}

#[derive(DeriveIden)]
pub(super) enum Organisations {
    Table,
    Id,
    Kind,
    Name,
    NameEn,
    DistrictCode,
    InstitutionType,
    CreditCode,
    Active,
    CreatedAt,
}

#[derive(DeriveIden)]
enum LeadDesignations {
    Table,
    Id,
    DistrictCode,
    OrganisationId,
    FromDate,
    ToDate,
    HeadName,
    Note,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ContactPersons {
    Table,
    Id,
    OrganisationId,
    Name,
    Title,
    Phone,
    Email,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    OrganisationId,
    Username,
    DisplayName,
    PasswordHash,
    Active,
    MustChangePassword,
    CreatedAt,
    LastSignInAt,
    LastSignInIp,
}

#[derive(DeriveIden)]
enum UserRoles {
    Table,
    UserId,
    Role,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    TokenHash,
    UserId,
    CsrfToken,
    CreatedAt,
    ExpiresAt,
    Ip,
}

#[derive(DeriveIden)]
enum ApiTokens {
    Table,
    Id,
    OrganisationId,
    Name,
    Prefix,
    TokenHash,
    CreatedBy,
    CreatedAt,
    ExpiresAt,
    RevokedAt,
    LastUsedAt,
}

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    Seq,
    AtUs,
    ActorUserId,
    Actor,
    Action,
    EntityType,
    EntityId,
    Data,
    PrevHash,
    Hash,
}

#[derive(DeriveIden)]
enum AuditHead {
    Table,
    Id,
    Seq,
    Hash,
}

#[derive(DeriveIden)]
enum Settings {
    Table,
    Key,
    Value,
}

#[async_trait::async_trait]
impl MigrationTrait for M0001Foundation {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Districts::Table)
                .col(string_len(Districts::Code, 20).primary_key())
                .col(string(Districts::Name))
                .col(string(Districts::NameEn))
                .col(string_len(Districts::Kind, 20))
                .col(string_len(Districts::CityCode, 20))
                .col(integer(Districts::SortOrder).default(0))
                .col(big_integer(Districts::CreatedAt))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Organisations::Table)
                .col(big_pk_auto(Organisations::Id))
                .col(string_len(Organisations::Kind, 30))
                .col(string(Organisations::Name))
                .col(string_null(Organisations::NameEn))
                .col(string_len_null(Organisations::DistrictCode, 20))
                .col(string_len_null(Organisations::InstitutionType, 30))
                .col(string_len_null(Organisations::CreditCode, 18))
                .col(boolean(Organisations::Active).default(true))
                .col(big_integer(Organisations::CreatedAt))
                .foreign_key(&mut fk(
                    "fk_org_district",
                    (Organisations::Table, Organisations::DistrictCode),
                    (Districts::Table, Districts::Code),
                ))
                .take(),
        )
        .await?;
        for (name, cols) in [
            (
                "ix_org_kind_district",
                vec![Organisations::Kind, Organisations::DistrictCode],
            ),
            ("ix_org_district", vec![Organisations::DistrictCode]),
        ] {
            let mut ix = Index::create()
                .name(name)
                .table(Organisations::Table)
                .take();
            for c in cols {
                ix.col(c);
            }
            m.create_index(ix).await?;
        }
        m.create_index(
            Index::create()
                .name("ux_org_credit_code")
                .table(Organisations::Table)
                .col(Organisations::CreditCode)
                .unique()
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(LeadDesignations::Table)
                .col(big_pk_auto(LeadDesignations::Id))
                .col(string_len(LeadDesignations::DistrictCode, 20))
                .col(big_integer(LeadDesignations::OrganisationId))
                .col(date(LeadDesignations::FromDate))
                .col(date_null(LeadDesignations::ToDate))
                .col(string_null(LeadDesignations::HeadName))
                .col(text_null(LeadDesignations::Note))
                .col(big_integer_null(LeadDesignations::CreatedBy))
                .col(big_integer(LeadDesignations::CreatedAt))
                .foreign_key(&mut fk(
                    "fk_lead_district",
                    (LeadDesignations::Table, LeadDesignations::DistrictCode),
                    (Districts::Table, Districts::Code),
                ))
                .foreign_key(&mut fk(
                    "fk_lead_org",
                    (LeadDesignations::Table, LeadDesignations::OrganisationId),
                    (Organisations::Table, Organisations::Id),
                ))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_lead_district")
                .table(LeadDesignations::Table)
                .col(LeadDesignations::DistrictCode)
                .col(LeadDesignations::FromDate)
                .take(),
        )
        .await?;

        // One open designation per district, enforced by the database on both backends.
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_lead_open ON lead_designations (district_code) WHERE to_date IS NULL",
            )
            .await?;

        m.create_table(
            Table::create()
                .table(ContactPersons::Table)
                .col(big_pk_auto(ContactPersons::Id))
                .col(big_integer(ContactPersons::OrganisationId))
                .col(string(ContactPersons::Name))
                .col(string_null(ContactPersons::Title))
                .col(string_null(ContactPersons::Phone))
                .col(string_null(ContactPersons::Email))
                .col(big_integer(ContactPersons::CreatedAt))
                .foreign_key(&mut fk(
                    "fk_contact_org",
                    (ContactPersons::Table, ContactPersons::OrganisationId),
                    (Organisations::Table, Organisations::Id),
                ))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_contact_org")
                .table(ContactPersons::Table)
                .col(ContactPersons::OrganisationId)
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Users::Table)
                .col(big_pk_auto(Users::Id))
                .col(big_integer(Users::OrganisationId))
                .col(string_len(Users::Username, 64))
                .col(string(Users::DisplayName))
                .col(string_null(Users::PasswordHash))
                .col(boolean(Users::Active).default(true))
                .col(boolean(Users::MustChangePassword).default(false))
                .col(big_integer(Users::CreatedAt))
                .col(big_integer_null(Users::LastSignInAt))
                .col(string_len_null(Users::LastSignInIp, 64))
                .foreign_key(&mut fk(
                    "fk_user_org",
                    (Users::Table, Users::OrganisationId),
                    (Organisations::Table, Organisations::Id),
                ))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_user_username")
                .table(Users::Table)
                .col(Users::Username)
                .unique()
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_user_org")
                .table(Users::Table)
                .col(Users::OrganisationId)
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(UserRoles::Table)
                .col(big_integer(UserRoles::UserId))
                .col(string_len(UserRoles::Role, 30))
                .primary_key(Index::create().col(UserRoles::UserId).col(UserRoles::Role))
                .foreign_key(&mut fk(
                    "fk_role_user",
                    (UserRoles::Table, UserRoles::UserId),
                    (Users::Table, Users::Id),
                ))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Sessions::Table)
                .col(string_len(Sessions::TokenHash, 64).primary_key())
                .col(big_integer(Sessions::UserId))
                .col(string_len(Sessions::CsrfToken, 64))
                .col(big_integer(Sessions::CreatedAt))
                .col(big_integer(Sessions::ExpiresAt))
                .col(string_len_null(Sessions::Ip, 64))
                .foreign_key(&mut fk(
                    "fk_session_user",
                    (Sessions::Table, Sessions::UserId),
                    (Users::Table, Users::Id),
                ))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_session_user")
                .table(Sessions::Table)
                .col(Sessions::UserId)
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(ApiTokens::Table)
                .col(big_pk_auto(ApiTokens::Id))
                .col(big_integer(ApiTokens::OrganisationId))
                .col(string(ApiTokens::Name))
                .col(string_len(ApiTokens::Prefix, 16))
                .col(string_len(ApiTokens::TokenHash, 64))
                .col(big_integer_null(ApiTokens::CreatedBy))
                .col(big_integer(ApiTokens::CreatedAt))
                .col(big_integer_null(ApiTokens::ExpiresAt))
                .col(big_integer_null(ApiTokens::RevokedAt))
                .col(big_integer_null(ApiTokens::LastUsedAt))
                .foreign_key(&mut fk(
                    "fk_token_org",
                    (ApiTokens::Table, ApiTokens::OrganisationId),
                    (Organisations::Table, Organisations::Id),
                ))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_token_hash")
                .table(ApiTokens::Table)
                .col(ApiTokens::TokenHash)
                .unique()
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(AuditEvents::Table)
                .col(big_integer(AuditEvents::Seq).primary_key())
                .col(big_integer(AuditEvents::AtUs))
                .col(big_integer_null(AuditEvents::ActorUserId))
                .col(string(AuditEvents::Actor))
                .col(string(AuditEvents::Action))
                .col(string(AuditEvents::EntityType))
                .col(string(AuditEvents::EntityId))
                .col(text(AuditEvents::Data))
                .col(string_len(AuditEvents::PrevHash, 64))
                .col(string_len(AuditEvents::Hash, 64))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_audit_entity")
                .table(AuditEvents::Table)
                .col(AuditEvents::EntityType)
                .col(AuditEvents::EntityId)
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(AuditHead::Table)
                .col(integer(AuditHead::Id).primary_key())
                .col(big_integer(AuditHead::Seq))
                .col(string_len(AuditHead::Hash, 64))
                .take(),
        )
        .await?;
        m.get_connection()
            .execute_unprepared(&format!(
                "INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '{}')",
                ipfin_domain::audit::GENESIS_HASH
            ))
            .await?;

        m.create_table(
            Table::create()
                .table(Settings::Table)
                .col(string_len(Settings::Key, 64).primary_key())
                .col(text(Settings::Value))
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
