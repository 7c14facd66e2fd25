//! Lists read from Word, Excel, HTML and PDF carry more than the text extraction did: a
//! deadline per task (完成时限, as written and as the last day it allows) and any other column
//! of the source (责任领导, 备注 …), kept as a JSON array of [label, value] pairs.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        m.alter_table(
            Table::alter().table(Task::Table).add_column(ColumnDef::new(Task::DeadlineText).text().null()).to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter().table(Task::Table).add_column(ColumnDef::new(Task::DeadlineOn).date().null()).to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter().table(Task::Table).add_column(ColumnDef::new(Task::Columns).text().null()).to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in [Task::Columns, Task::DeadlineOn, Task::DeadlineText] {
            m.alter_table(Table::alter().table(Task::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Task {
    Table,
    DeadlineText,
    DeadlineOn,
    Columns,
}
