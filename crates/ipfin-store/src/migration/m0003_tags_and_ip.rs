//! Tag types, enterprise tags and intellectual property assets.

use super::fk;
use super::m0002_enterprises::Enterprises;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub(super) struct M0003TagsAndIp;

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
