//! The clock of a rehearsal (`serve --clock-start`), kept in the database so that the command
//! line's writes beside that server (tokens, webhooks, imports) are on the same clock.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Rehearsal::Table)
                .col(ColumnDef::new(Rehearsal::Id).big_integer().not_null().primary_key())
                .col(ColumnDef::new(Rehearsal::ShiftMs).big_integer().not_null())
                .col(ColumnDef::new(Rehearsal::RecordedAt).timestamp_with_time_zone().not_null())
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Rehearsal::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Rehearsal {
    Table,
    Id,
    ShiftMs,
    RecordedAt,
}
