//! Import jobs (SPEC §5): one row per import with its progress, outcome and error report.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub(super) struct M0004Imports;

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
