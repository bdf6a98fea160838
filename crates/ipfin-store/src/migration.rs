//! Embedded schema migrations, one set for SQLite and PostgreSQL, run at start by `serve` and
//! by `ipfin migrate`.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

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
        ]
    }
}

/// Each migration names itself: the name is stored in `seaql_migrations` and must never change.
struct M0001Foundation;

impl MigrationName for M0001Foundation {
    fn name(&self) -> &str {
        "m0001_foundation"
    }
}

#[derive(DeriveIden)]
enum Districts {
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
enum Organisations {
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

struct M0002Enterprises;

impl MigrationName for M0002Enterprises {
    fn name(&self) -> &str {
        "m0002_enterprises"
    }
}

#[derive(DeriveIden)]
enum Enterprises {
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

struct M0003TagsAndIp;

impl MigrationName for M0003TagsAndIp {
    fn name(&self) -> &str {
        "m0003_tags_and_ip"
    }
}

#[derive(DeriveIden)]
enum TagTypes {
    Table,
    Code,
    NameZh,
    NameEn,
    DistrictCode,
}

#[derive(DeriveIden)]
enum EnterpriseTags {
    Table,
    Id,
    EnterpriseId,
    TagType,
    Source,
    Year,
    ValidFrom,
    ValidTo,
    CreatedAt,
}

#[derive(DeriveIden)]
enum IpAssets {
    Table,
    Id,
    EnterpriseId,
    Kind,
    Number,
    PatentKind,
    Title,
    LegalStatus,
    GrantDate,
    NiceClass,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for M0003TagsAndIp {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(TagTypes::Table)
                .col(string_len(TagTypes::Code, 48).primary_key())
                .col(string(TagTypes::NameZh))
                .col(string(TagTypes::NameEn))
                .col(string_len_null(TagTypes::DistrictCode, 20))
                .take(),
        )
        .await?;
        for (code, zh, en) in ipfin_domain::whitelist::GUIDELINE_TAGS {
            m.get_connection()
                .execute_unprepared(&format!(
                    "INSERT INTO tag_types (code, name_zh, name_en) VALUES ('{code}', '{zh}', '{}')",
                    en.replace('\'', "''")
                ))
                .await?;
        }
        m.create_table(
            Table::create()
                .table(EnterpriseTags::Table)
                .col(big_pk_auto(EnterpriseTags::Id))
                .col(big_integer(EnterpriseTags::EnterpriseId))
                .col(string_len(EnterpriseTags::TagType, 48))
                .col(string(EnterpriseTags::Source))
                .col(integer(EnterpriseTags::Year))
                .col(date_null(EnterpriseTags::ValidFrom))
                .col(date_null(EnterpriseTags::ValidTo))
                .col(big_integer(EnterpriseTags::CreatedAt))
                .foreign_key(&mut fk(
                    "fk_tag_ent",
                    (EnterpriseTags::Table, EnterpriseTags::EnterpriseId),
                    (Enterprises::Table, Enterprises::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_tag_type",
                    (EnterpriseTags::Table, EnterpriseTags::TagType),
                    (TagTypes::Table, TagTypes::Code),
                ))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_tag_ent_type_year")
                .table(EnterpriseTags::Table)
                .col(EnterpriseTags::EnterpriseId)
                .col(EnterpriseTags::TagType)
                .col(EnterpriseTags::Year)
                .unique()
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_tag_type_ent")
                .table(EnterpriseTags::Table)
                .col(EnterpriseTags::TagType)
                .col(EnterpriseTags::EnterpriseId)
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(IpAssets::Table)
                .col(big_pk_auto(IpAssets::Id))
                .col(big_integer(IpAssets::EnterpriseId))
                .col(string_len(IpAssets::Kind, 24))
                .col(string_len(IpAssets::Number, 64))
                .col(string_len_null(IpAssets::PatentKind, 24))
                .col(string(IpAssets::Title))
                .col(string_len(IpAssets::LegalStatus, 24))
                .col(date_null(IpAssets::GrantDate))
                .col(small_integer_null(IpAssets::NiceClass))
                .col(big_integer(IpAssets::CreatedAt))
                .foreign_key(&mut fk(
                    "fk_ip_ent",
                    (IpAssets::Table, IpAssets::EnterpriseId),
                    (Enterprises::Table, Enterprises::Id),
                ))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_ip_kind_number")
                .table(IpAssets::Table)
                .col(IpAssets::Kind)
                .col(IpAssets::Number)
                .unique()
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_ip_ent")
                .table(IpAssets::Table)
                .col(IpAssets::EnterpriseId)
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

struct M0004Imports;

impl MigrationName for M0004Imports {
    fn name(&self) -> &str {
        "m0004_imports"
    }
}

#[derive(DeriveIden)]
enum Imports {
    Table,
    Id,
    Kind,
    FileKey,
    FileName,
    Scope,
    Status,
    RowsDone,
    Inserted,
    Updated,
    Unchanged,
    Errors,
    StartedAt,
    FinishedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for M0004Imports {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Imports::Table)
                .col(big_pk_auto(Imports::Id))
                .col(string_len(Imports::Kind, 24))
                .col(string_len(Imports::FileKey, 64))
                .col(string(Imports::FileName))
                .col(string_len(Imports::Scope, 48))
                .col(string_len(Imports::Status, 12))
                .col(big_integer(Imports::RowsDone))
                .col(big_integer(Imports::Inserted))
                .col(big_integer(Imports::Updated))
                .col(big_integer(Imports::Unchanged))
                .col(big_integer(Imports::Errors))
                .col(big_integer(Imports::StartedAt))
                .col(big_integer_null(Imports::FinishedAt))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_import_file")
                .table(Imports::Table)
                .col(Imports::FileKey)
                .col(Imports::Status)
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

/// The name index moves from a row per bigram (ten or more B-tree entries per enterprise, which
/// held a bulk import to ~8,600 rows/s on SQLite) to a contentless FTS5 table on SQLite and a
/// GIN-indexed bigram column on PostgreSQL; existing names are indexed again.
struct M0005NameIndex;

impl MigrationName for M0005NameIndex {
    fn name(&self) -> &str {
        "m0005_name_index"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0005NameIndex {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        db.execute_unprepared("DROP TABLE enterprise_name_grams")
            .await?;
        match db.get_database_backend() {
            sea_orm::DbBackend::Sqlite => {
                db.execute_unprepared(
                    "CREATE VIRTUAL TABLE enterprise_name_fts USING fts5(grams, content='', \
                     contentless_delete=1, detail=none, tokenize='ascii')",
                )
                .await?;
            }
            _ => {
                db.execute_unprepared("ALTER TABLE enterprises ADD COLUMN name_grams TEXT")
                    .await?;
                db.execute_unprepared(
                    "CREATE INDEX ix_ent_name_grams ON enterprises USING gin (string_to_array(name_grams, ' '))",
                )
                .await?;
            }
        }
        // Imports started from the web show progress against an estimate, and keep why they
        // stopped and where their error report is.
        for col in [
            "rows_estimate BIGINT NULL",
            "message TEXT NULL",
            "error_report TEXT NULL",
        ] {
            db.execute_unprepared(&format!("ALTER TABLE imports ADD COLUMN {col}"))
                .await?;
        }
        #[derive(sea_orm::FromQueryResult)]
        struct Named {
            id: i64,
            name: String,
        }
        let mut after = 0i64;
        loop {
            let rows: Vec<Named> = crate::db::fetch_all(
                db,
                "SELECT id, name FROM enterprises WHERE id > ? ORDER BY id LIMIT 2000",
                vec![after.into()],
            )
            .await
            .map_err(|e| DbErr::Migration(e.to_string()))?;
            let Some(last) = rows.last() else { break };
            after = last.id;
            let pairs: Vec<(i64, &str)> = rows.iter().map(|r| (r.id, r.name.as_str())).collect();
            crate::enterprise::index_names(db, &pairs, true)
                .await
                .map_err(|e| DbErr::Migration(e.to_string()))?;
        }
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "ipfin migrations are forward-only; restore a backup instead".into(),
        ))
    }
}

/// Policy versions with their comments (issue #4), dated LPR values and the working-day
/// calendar; the State Council's 2025 and 2026 arrangements are loaded here.
struct M0006Policies;

impl MigrationName for M0006Policies {
    fn name(&self) -> &str {
        "m0006_policies"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0006Policies {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let pk = match db.get_database_backend() {
            sea_orm::DbBackend::Postgres => "BIGSERIAL PRIMARY KEY",
            _ => "INTEGER PRIMARY KEY AUTOINCREMENT",
        };
        for sql in [
            format!(
                "CREATE TABLE policy_versions (id {pk}, district_code VARCHAR(20) NOT NULL, series BIGINT NOT NULL, \
                 version INTEGER NOT NULL, status VARCHAR(16) NOT NULL, title TEXT NOT NULL, year INTEGER NOT NULL, \
                 document TEXT NOT NULL, created_by BIGINT, created_at BIGINT NOT NULL, circulated_at BIGINT, \
                 published_at BIGINT, superseded_at BIGINT, \
                 CONSTRAINT fk_policy_district FOREIGN KEY (district_code) REFERENCES districts (code))"
            ),
            "CREATE UNIQUE INDEX ux_policy_series_version ON policy_versions (series, version)".to_string(),
            "CREATE INDEX ix_policy_district_status ON policy_versions (district_code, status)".to_string(),
            format!(
                "CREATE TABLE policy_comments (id {pk}, version_id BIGINT NOT NULL, organisation_id BIGINT NOT NULL, \
                 user_id BIGINT, body TEXT NOT NULL, created_at BIGINT NOT NULL, \
                 CONSTRAINT fk_comment_version FOREIGN KEY (version_id) REFERENCES policy_versions (id))"
            ),
            "CREATE INDEX ix_comment_version ON policy_comments (version_id)".to_string(),
            "CREATE TABLE lpr_values (date DATE PRIMARY KEY, one_year VARCHAR(16) NOT NULL, over_five_years VARCHAR(16) NOT NULL)".to_string(),
            "CREATE TABLE calendar_years (year INTEGER PRIMARY KEY, notice TEXT NOT NULL)".to_string(),
            "CREATE TABLE calendar_days (date DATE PRIMARY KEY, year INTEGER NOT NULL, kind VARCHAR(8) NOT NULL)".to_string(),
        ] {
            db.execute_unprepared(&sql).await?;
        }
        for (y, notice) in [
            (
                ipfin_domain::calendar::arrangement_2025(),
                "国办发明电〔2024〕12号",
            ),
            (
                ipfin_domain::calendar::arrangement_2026(),
                "国务院办公厅关于2026年部分节假日安排的通知（2025年11月4日）",
            ),
        ] {
            crate::policy::write_calendar_year(db, &y, notice)
                .await
                .map_err(|e| DbErr::Migration(e.to_string()))?;
        }
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "ipfin migrations are forward-only; restore a backup instead".into(),
        ))
    }
}

/// The documents of a policy package (R2.3) uploaded with a version: the policy text, the
/// application notice, implementation rules, procedures, the application guide.
struct M0007PolicyAttachments;

impl MigrationName for M0007PolicyAttachments {
    fn name(&self) -> &str {
        "m0007_policy_attachments"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0007PolicyAttachments {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let pk = match db.get_database_backend() {
            sea_orm::DbBackend::Postgres => "BIGSERIAL PRIMARY KEY",
            _ => "INTEGER PRIMARY KEY AUTOINCREMENT",
        };
        db.execute_unprepared(&format!(
            "CREATE TABLE policy_attachments (id {pk}, version_id BIGINT NOT NULL, kind VARCHAR(32) NOT NULL, \
             title TEXT NOT NULL, file_name TEXT NOT NULL, content_type VARCHAR(100) NOT NULL, size BIGINT NOT NULL, \
             sm3 VARCHAR(64) NOT NULL, stored_as TEXT NOT NULL, created_at BIGINT NOT NULL, \
             CONSTRAINT fk_attachment_version FOREIGN KEY (version_id) REFERENCES policy_versions (id))"
        ))
        .await?;
        db.execute_unprepared(
            "CREATE INDEX ix_attachment_version ON policy_attachments (version_id)",
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

/// Financing records (SPEC §4, issue #5): loans with their disbursements, status changes and
/// payments; pledge registrations with their IP items, linked to the loans they secure; the
/// guarantee, insurance and valuation contracts; and the API's idempotency keys.
struct M0008Financing;

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

/// Applications (SPEC §3, issue #6): the applications with their items, events, files and
/// claims (the double-dipping block is a unique index over active claims); number counters per
/// district-year-kind; stored files by content; the enterprise's vault; public notices with
/// their entries and objections; grant payments, supervision checks, clawbacks; notifications.
struct M0009Applications;

impl MigrationName for M0009Applications {
    fn name(&self) -> &str {
        "m0009_applications"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0009Applications {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let pk = match db.get_database_backend() {
            sea_orm::DbBackend::Postgres => "BIGSERIAL PRIMARY KEY",
            _ => "INTEGER PRIMARY KEY AUTOINCREMENT",
        };
        for sql in [
            format!(
                "CREATE TABLE applications (id {pk}, number VARCHAR(32), kind VARCHAR(20) NOT NULL, district_code VARCHAR(12) NOT NULL, \
                 policy_version_id BIGINT NOT NULL, policy_year INTEGER NOT NULL, batch_name TEXT NOT NULL, applicant_org_id BIGINT NOT NULL, \
                 enterprise_id BIGINT, state VARCHAR(24) NOT NULL, stage VARCHAR(12), workflow TEXT NOT NULL, items VARCHAR(80) NOT NULL, \
                 body TEXT NOT NULL, calc TEXT, differences TEXT, computed_fen BIGINT NOT NULL, approved_fen BIGINT, granted_fen BIGINT, \
                 disbursed_fen BIGINT NOT NULL, return_note TEXT, return_deadline DATE, created_by BIGINT, created_at BIGINT NOT NULL, \
                 submitted_at BIGINT, accepted_at BIGINT, updated_at BIGINT NOT NULL, \
                 CONSTRAINT fk_app_policy FOREIGN KEY (policy_version_id) REFERENCES policy_versions (id), \
                 CONSTRAINT fk_app_org FOREIGN KEY (applicant_org_id) REFERENCES organisations (id), \
                 CONSTRAINT fk_app_enterprise FOREIGN KEY (enterprise_id) REFERENCES enterprises (id))"
            ),
            "CREATE UNIQUE INDEX ux_app_number ON applications (number)".to_string(),
            "CREATE INDEX ix_app_district_state ON applications (district_code, state, stage)".to_string(),
            "CREATE INDEX ix_app_applicant ON applications (applicant_org_id)".to_string(),
            "CREATE TABLE application_items (application_id BIGINT NOT NULL, item VARCHAR(20) NOT NULL, computed_fen BIGINT NOT NULL, \
             approved_fen BIGINT, reason TEXT, granted_fen BIGINT, PRIMARY KEY (application_id, item), \
             CONSTRAINT fk_item_app FOREIGN KEY (application_id) REFERENCES applications (id))".to_string(),
            format!(
                "CREATE TABLE application_events (id {pk}, application_id BIGINT NOT NULL, at BIGINT NOT NULL, user_id BIGINT, \
                 actor_name TEXT NOT NULL, action VARCHAR(24) NOT NULL, from_state VARCHAR(24) NOT NULL, to_state VARCHAR(24) NOT NULL, \
                 stage VARCHAR(12), comment TEXT NOT NULL, data TEXT NOT NULL, \
                 CONSTRAINT fk_event_app FOREIGN KEY (application_id) REFERENCES applications (id))"
            ),
            "CREATE INDEX ix_event_app ON application_events (application_id)".to_string(),
            "CREATE TABLE application_counters (district_code VARCHAR(12) NOT NULL, year INTEGER NOT NULL, kind VARCHAR(20) NOT NULL, \
             last_seq BIGINT NOT NULL, PRIMARY KEY (district_code, year, kind))".to_string(),
            "CREATE TABLE blobs (key VARCHAR(64) PRIMARY KEY, size BIGINT NOT NULL, file_type VARCHAR(8) NOT NULL, created_at BIGINT NOT NULL)".to_string(),
            format!(
                "CREATE TABLE application_files (id {pk}, application_id BIGINT NOT NULL, slot VARCHAR(40) NOT NULL, blob_key VARCHAR(64) NOT NULL, \
                 file_name TEXT NOT NULL, file_type VARCHAR(8) NOT NULL, size BIGINT NOT NULL, uploaded_by BIGINT, uploaded_at BIGINT NOT NULL, \
                 CONSTRAINT fk_file_app FOREIGN KEY (application_id) REFERENCES applications (id), \
                 CONSTRAINT fk_file_blob FOREIGN KEY (blob_key) REFERENCES blobs (key))"
            ),
            "CREATE INDEX ix_file_app ON application_files (application_id)".to_string(),
            format!(
                "CREATE TABLE vault_documents (id {pk}, organisation_id BIGINT NOT NULL, slot VARCHAR(40) NOT NULL, blob_key VARCHAR(64) NOT NULL, \
                 file_name TEXT NOT NULL, file_type VARCHAR(8) NOT NULL, size BIGINT NOT NULL, valid_until DATE NOT NULL, created_at BIGINT NOT NULL, \
                 CONSTRAINT fk_vault_org FOREIGN KEY (organisation_id) REFERENCES organisations (id), \
                 CONSTRAINT fk_vault_blob FOREIGN KEY (blob_key) REFERENCES blobs (key))"
            ),
            "CREATE INDEX ix_vault_org ON vault_documents (organisation_id)".to_string(),
            "CREATE TABLE application_claims (application_id BIGINT NOT NULL, claim_key VARCHAR(200) NOT NULL, item VARCHAR(20) NOT NULL, \
             year INTEGER NOT NULL, active BOOLEAN NOT NULL, PRIMARY KEY (application_id, claim_key, item), \
             CONSTRAINT fk_claim_app FOREIGN KEY (application_id) REFERENCES applications (id))".to_string(),
            "CREATE UNIQUE INDEX ux_claim_active ON application_claims (claim_key, item, year) WHERE active".to_string(),
            format!(
                "CREATE TABLE notices (id {pk}, district_code VARCHAR(12) NOT NULL, title TEXT NOT NULL, starts_on DATE NOT NULL, \
                 ends_on DATE NOT NULL, days INTEGER NOT NULL, status VARCHAR(12) NOT NULL, published_at BIGINT NOT NULL, \
                 published_by BIGINT NOT NULL, ended_at BIGINT)"
            ),
            "CREATE INDEX ix_notice_district ON notices (district_code)".to_string(),
            "CREATE TABLE notice_entries (notice_id BIGINT NOT NULL, application_id BIGINT NOT NULL, enterprise_name TEXT NOT NULL, \
             items TEXT NOT NULL, amount_fen BIGINT NOT NULL, outcome VARCHAR(12), PRIMARY KEY (notice_id, application_id), \
             CONSTRAINT fk_entry_notice FOREIGN KEY (notice_id) REFERENCES notices (id), \
             CONSTRAINT fk_entry_app FOREIGN KEY (application_id) REFERENCES applications (id))".to_string(),
            format!(
                "CREATE TABLE objections (id {pk}, notice_id BIGINT NOT NULL, application_id BIGINT, name TEXT NOT NULL, contact TEXT NOT NULL, \
                 text TEXT NOT NULL, evidence_key VARCHAR(64), evidence_name TEXT, lodged_at BIGINT NOT NULL, decision VARCHAR(12), \
                 reason TEXT, decided_by BIGINT, decided_at BIGINT, \
                 CONSTRAINT fk_objection_notice FOREIGN KEY (notice_id) REFERENCES notices (id))"
            ),
            "CREATE INDEX ix_objection_notice ON objections (notice_id)".to_string(),
            format!(
                "CREATE TABLE grant_payments (id {pk}, application_id BIGINT NOT NULL, paid_on DATE NOT NULL, amount_fen BIGINT NOT NULL, \
                 reference TEXT NOT NULL, created_at BIGINT NOT NULL, \
                 CONSTRAINT fk_gp_app FOREIGN KEY (application_id) REFERENCES applications (id))"
            ),
            "CREATE INDEX ix_gp_app ON grant_payments (application_id)".to_string(),
            format!(
                "CREATE TABLE supervision_checks (id {pk}, application_id BIGINT NOT NULL, due_on DATE NOT NULL, done_at BIGINT, \
                 outcome VARCHAR(12), findings TEXT, \
                 CONSTRAINT fk_sc_app FOREIGN KEY (application_id) REFERENCES applications (id))"
            ),
            "CREATE INDEX ix_sc_app ON supervision_checks (application_id)".to_string(),
            format!(
                "CREATE TABLE clawbacks (id {pk}, application_id BIGINT NOT NULL, amount_fen BIGINT NOT NULL, reason TEXT NOT NULL, \
                 decided_at BIGINT NOT NULL, recovered_on DATE, \
                 CONSTRAINT fk_cb_app FOREIGN KEY (application_id) REFERENCES applications (id))"
            ),
            "CREATE INDEX ix_cb_app ON clawbacks (application_id)".to_string(),
            format!(
                "CREATE TABLE notifications (id {pk}, organisation_id BIGINT, district_code VARCHAR(12), application_id BIGINT, \
                 text TEXT NOT NULL, link TEXT NOT NULL, created_at BIGINT NOT NULL, read_at BIGINT, sent_at BIGINT)"
            ),
            "CREATE INDEX ix_notif_org ON notifications (organisation_id)".to_string(),
            "CREATE INDEX ix_notif_district ON notifications (district_code)".to_string(),
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

/// Targets, bulletins and the assessment (SPEC §8 R4.1, R4.2; issue #7): each district's annual
/// targets per metric, the first responsible person, the persons' shares with their milestones,
/// the issued quarterly bulletins with their frozen snapshot (one per quarter, never updated),
/// and the bonus points of the annual assessment.
struct M0010Targets;

impl MigrationName for M0010Targets {
    fn name(&self) -> &str {
        "m0010_targets"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0010Targets {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let pk = match db.get_database_backend() {
            sea_orm::DbBackend::Postgres => "BIGSERIAL PRIMARY KEY",
            _ => "INTEGER PRIMARY KEY AUTOINCREMENT",
        };
        for sql in [
            "CREATE TABLE district_targets (district_code VARCHAR(12) NOT NULL, year INTEGER NOT NULL, metric VARCHAR(16) NOT NULL, \
             value BIGINT NOT NULL, set_by BIGINT, set_at BIGINT NOT NULL, PRIMARY KEY (district_code, year, metric), \
             CONSTRAINT fk_target_district FOREIGN KEY (district_code) REFERENCES districts (code))".to_string(),
            "CREATE TABLE target_leads (district_code VARCHAR(12) NOT NULL, year INTEGER NOT NULL, person_name TEXT NOT NULL, \
             title TEXT, organisation_id BIGINT, user_id BIGINT, set_by BIGINT, set_at BIGINT NOT NULL, PRIMARY KEY (district_code, year), \
             CONSTRAINT fk_lead_district FOREIGN KEY (district_code) REFERENCES districts (code))".to_string(),
            format!(
                "CREATE TABLE target_assignments (id {pk}, district_code VARCHAR(12) NOT NULL, year INTEGER NOT NULL, metric VARCHAR(16) NOT NULL, \
                 user_id BIGINT NOT NULL, share BIGINT NOT NULL, milestones TEXT NOT NULL, note TEXT, set_by BIGINT, set_at BIGINT NOT NULL, \
                 CONSTRAINT fk_assign_user FOREIGN KEY (user_id) REFERENCES users (id), \
                 CONSTRAINT fk_assign_district FOREIGN KEY (district_code) REFERENCES districts (code))"
            ),
            "CREATE UNIQUE INDEX ux_assignment ON target_assignments (district_code, year, metric, user_id)".to_string(),
            "CREATE INDEX ix_assignment_user ON target_assignments (user_id, year)".to_string(),
            format!(
                "CREATE TABLE bulletins (id {pk}, quarter VARCHAR(8) NOT NULL, title TEXT NOT NULL, issued_on DATE NOT NULL, \
                 issued_at BIGINT NOT NULL, issued_by BIGINT, snapshot TEXT NOT NULL, commendations TEXT NOT NULL)"
            ),
            "CREATE UNIQUE INDEX ux_bulletin_quarter ON bulletins (quarter)".to_string(),
            format!(
                "CREATE TABLE assessment_bonuses (id {pk}, district_code VARCHAR(12) NOT NULL, year INTEGER NOT NULL, points TEXT NOT NULL, \
                 reason TEXT NOT NULL, created_by BIGINT, created_at BIGINT NOT NULL, \
                 CONSTRAINT fk_bonus_district FOREIGN KEY (district_code) REFERENCES districts (code))"
            ),
            "CREATE INDEX ix_bonus_year ON assessment_bonuses (year, district_code)".to_string(),
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

/// Statistics aggregates (issue #7, decision 0010): daily figures per district, loan counts by
/// quarter per enterprise-year, distinct-enterprise counts per district-quarter; filled from the
/// records already there.
struct M0011StatAggregates;

impl MigrationName for M0011StatAggregates {
    fn name(&self) -> &str {
        "m0011_stat_aggregates"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0011StatAggregates {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let backend = db.get_database_backend();
        for sql in crate::stats_aggregate::create_sql(backend)
            .into_iter()
            .chain(crate::stats_aggregate::rebuild_sql(backend))
        {
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

/// Data-sharing arrangements of the coordination mechanism (issue #8, decision 0013): the
/// arrangement, its receiving departments, and the import that delivered it.
struct M0012Coordination;

impl MigrationName for M0012Coordination {
    fn name(&self) -> &str {
        "m0012_coordination"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0012Coordination {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let pk = match db.get_database_backend() {
            sea_orm::DbBackend::Postgres => "BIGSERIAL PRIMARY KEY",
            _ => "INTEGER PRIMARY KEY AUTOINCREMENT",
        };
        for sql in [
            format!(
                "CREATE TABLE sharing_arrangements (id {pk}, district_code VARCHAR(12) NOT NULL, provider_org_id BIGINT NOT NULL, \
                 dataset VARCHAR(16) NOT NULL, frequency VARCHAR(16) NOT NULL, provenance TEXT NOT NULL, note TEXT, \
                 starts_on DATE NOT NULL, ended_on DATE, overdue_notified_due DATE, created_by BIGINT, created_at BIGINT NOT NULL, \
                 CONSTRAINT fk_sharing_district FOREIGN KEY (district_code) REFERENCES districts (code), \
                 CONSTRAINT fk_sharing_provider FOREIGN KEY (provider_org_id) REFERENCES organisations (id))"
            ),
            "CREATE INDEX ix_sharing_district ON sharing_arrangements (district_code)".to_string(),
            "CREATE TABLE sharing_recipients (arrangement_id BIGINT NOT NULL, organisation_id BIGINT NOT NULL, \
             PRIMARY KEY (arrangement_id, organisation_id), \
             CONSTRAINT fk_recipient_arrangement FOREIGN KEY (arrangement_id) REFERENCES sharing_arrangements (id), \
             CONSTRAINT fk_recipient_org FOREIGN KEY (organisation_id) REFERENCES organisations (id))"
                .to_string(),
            "ALTER TABLE imports ADD COLUMN arrangement_id BIGINT".to_string(),
            "CREATE INDEX ix_import_arrangement ON imports (arrangement_id, status)".to_string(),
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

/// Daily supervision (SPEC §8 R4.3; issue #8 item 3, decision 0015): a district's inspections
/// of stations, institutions and subsidised enterprises with their findings; rectification
/// tasks raised from them with an owner organisation and a deadline; the evidence submitted
/// (a stored file and a note) and each task's history. Named apart from the applications'
/// post-grant `supervision_checks` (M0009), which stay as they are.
struct M0014Supervision;

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

/// District summaries and information reporting (SPEC §8 R4.4; issue #8 item 4): each
/// district's summaries per period (a quarter `2026Q3` or a year `2026`) — one open draft
/// (revision NULL) and the submitted revisions 1, 2, … with the figures snapshot their results
/// text was generated from; the city's comments on a revision; the city's information requests
/// (信息报送) with the district's answer and optional attachment.
struct M0015Summaries;

impl MigrationName for M0015Summaries {
    fn name(&self) -> &str {
        "m0015_summaries"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0015Summaries {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let pk = match db.get_database_backend() {
            sea_orm::DbBackend::Postgres => "BIGSERIAL PRIMARY KEY",
            _ => "INTEGER PRIMARY KEY AUTOINCREMENT",
        };
        for sql in [
            format!(
                "CREATE TABLE summaries (id {pk}, district_code VARCHAR(12) NOT NULL, period VARCHAR(8) NOT NULL, revision INTEGER, \
                 measures TEXT NOT NULL, results TEXT NOT NULL, highlights TEXT NOT NULL, problems TEXT NOT NULL, next_steps TEXT NOT NULL, \
                 figures TEXT NOT NULL, created_by BIGINT, created_at BIGINT NOT NULL, updated_by BIGINT, updated_at BIGINT NOT NULL, \
                 submitted_by BIGINT, submitted_by_name TEXT, submitted_at BIGINT, \
                 CONSTRAINT fk_summary_district FOREIGN KEY (district_code) REFERENCES districts (code))"
            ),
            "CREATE UNIQUE INDEX ux_summary_revision ON summaries (district_code, period, revision)".to_string(),
            "CREATE UNIQUE INDEX ux_summary_draft ON summaries (district_code, period) WHERE revision IS NULL".to_string(),
            format!(
                "CREATE TABLE summary_comments (id {pk}, summary_id BIGINT NOT NULL, text TEXT NOT NULL, author_id BIGINT, \
                 author_name TEXT NOT NULL, created_at BIGINT NOT NULL, \
                 CONSTRAINT fk_scomment_summary FOREIGN KEY (summary_id) REFERENCES summaries (id))"
            ),
            "CREATE INDEX ix_scomment_summary ON summary_comments (summary_id)".to_string(),
            format!(
                "CREATE TABLE summary_requests (id {pk}, district_code VARCHAR(12) NOT NULL, period VARCHAR(8) NOT NULL, text TEXT NOT NULL, \
                 due_on DATE NOT NULL, created_by BIGINT, created_at BIGINT NOT NULL, answer TEXT, file_key VARCHAR(64), file_name TEXT, \
                 file_type VARCHAR(8), file_size BIGINT, answered_by BIGINT, answered_by_name TEXT, answered_at BIGINT, \
                 CONSTRAINT fk_srequest_district FOREIGN KEY (district_code) REFERENCES districts (code), \
                 CONSTRAINT fk_srequest_blob FOREIGN KEY (file_key) REFERENCES blobs (key))"
            ),
            "CREATE INDEX ix_srequest_district ON summary_requests (district_code, period)".to_string(),
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

/// Quarterly working meetings (SPEC §1 R1.2; issue #8 item 2, decision 0014): the meetings of a
/// district per quarter, the invited units with their attendance, the units' work reports (one
/// per unit, earlier versions kept) with attachments, the issues raised with their status
/// history.
struct M0013Meetings;

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
