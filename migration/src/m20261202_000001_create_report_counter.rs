//! Counters of report submissions on PostgreSQL: their sum moves with every committed submission,
//! so a reader can tell in one small statement whether any report changed since it last looked.
//! Spread over shards (by task) so that concurrent submissions rarely wait for each other's
//! counter row. SQLite needs none: its writers are serialised, so the newest revision id already
//! moves with every commit (ids on PostgreSQL come from a sequence and may commit out of order).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

/// Shards of the counter; submissions on task `t` count in shard `t % SHARDS`.
pub const SHARDS: i64 = 64;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        m.create_table(
            Table::create()
                .table(ReportCounter::Table)
                .col(ColumnDef::new(ReportCounter::Shard).big_integer().not_null().primary_key())
                .col(ColumnDef::new(ReportCounter::Submissions).big_integer().not_null())
                .to_owned(),
        )
        .await?;
        let mut seed = Query::insert();
        seed.into_table(ReportCounter::Table).columns([ReportCounter::Shard, ReportCounter::Submissions]);
        for shard in 0..SHARDS {
            seed.values_panic([shard.into(), 0i64.into()]);
        }
        m.exec_stmt(seed).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        m.drop_table(Table::drop().table(ReportCounter::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub enum ReportCounter {
    Table,
    Shard,
    Submissions,
}
