//! Expired idempotency keys are found by their age: an index on `created_at`, so that sweeping
//! them costs what expired, not every key the caller holds.

use sea_orm_migration::prelude::*;

use crate::m20261126_000001_create_list_tables::plain;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(plain("ix_idempotency_key_created_at", IdempotencyKey::Table, [IdempotencyKey::CreatedAt])).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("ix_idempotency_key_created_at").table(IdempotencyKey::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum IdempotencyKey {
    Table,
    CreatedAt,
}
