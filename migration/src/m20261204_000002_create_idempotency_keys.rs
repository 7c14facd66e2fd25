//! Idempotent submissions: a caller's key names one submission for 24 hours.

use sea_orm_migration::prelude::*;

use crate::m20261126_000001_create_list_tables::{pk, unique};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(IdempotencyKey::Table)
                .col(pk(IdempotencyKey::Id))
                // The actor id: a token's id, `sso:SUBJECT`.
                .col(ColumnDef::new(IdempotencyKey::Caller).string().not_null())
                .col(ColumnDef::new(IdempotencyKey::Key).string_len(200).not_null())
                // SHA-256 of the submission's input: the same key with another input is refused.
                .col(ColumnDef::new(IdempotencyKey::RequestSha256).string_len(64).not_null())
                .col(ColumnDef::new(IdempotencyKey::ReportId).big_integer().null())
                .col(ColumnDef::new(IdempotencyKey::Revision).integer().null())
                .col(ColumnDef::new(IdempotencyKey::CreatedAt).timestamp_with_time_zone().not_null())
                .to_owned(),
        )
        .await?;
        // Two racing duplicates: the second waits for the first here, then finds its result.
        m.create_index(unique(
            "ux_idempotency_key_caller_key",
            IdempotencyKey::Table,
            [IdempotencyKey::Caller, IdempotencyKey::Key],
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(IdempotencyKey::Table).to_owned()).await?;
        Ok(())
    }
}

#[derive(DeriveIden)]
enum IdempotencyKey {
    Table,
    Id,
    Caller,
    Key,
    RequestSha256,
    ReportId,
    Revision,
    CreatedAt,
}
