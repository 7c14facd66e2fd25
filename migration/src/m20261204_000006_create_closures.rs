//! Closure (销号, SPEC §12): a lead department asks for a finished task to be closed, the issuing
//! office approves (the task is closed on that day) or rejects it with a comment.

use sea_orm_migration::prelude::*;

use crate::m20261126_000001_create_list_tables::{Department, Document, Task, fk, pk, plain};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Closure::Table)
                .col(pk(Closure::Id))
                .col(ColumnDef::new(Closure::DocumentId).big_integer().not_null())
                .col(ColumnDef::new(Closure::TaskId).big_integer().not_null())
                .col(ColumnDef::new(Closure::DepartmentId).big_integer().not_null())
                .col(ColumnDef::new(Closure::Summary).text().not_null())
                .col(ColumnDef::new(Closure::State).string_len(12).not_null())
                .col(ColumnDef::new(Closure::Comment).text().null())
                .col(ColumnDef::new(Closure::RequestedAt).timestamp_with_time_zone().not_null())
                .col(ColumnDef::new(Closure::RequestedBy).string().not_null())
                .col(ColumnDef::new(Closure::DecidedAt).timestamp_with_time_zone().null())
                .col(ColumnDef::new(Closure::DecidedBy).string().null())
                .col(ColumnDef::new(Closure::ClosedOn).date().null())
                .foreign_key(&mut fk(Closure::Table, Closure::DocumentId, Document::Table, Document::Id))
                .foreign_key(&mut fk(Closure::Table, Closure::TaskId, Task::Table, Task::Id))
                .foreign_key(&mut fk(Closure::Table, Closure::DepartmentId, Department::Table, Department::Id))
                .to_owned(),
        )
        .await?;
        m.create_index(plain("ix_closure_task", Closure::Table, [Closure::TaskId, Closure::State])).await?;
        m.create_index(plain("ix_closure_document", Closure::Table, [Closure::DocumentId])).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Closure::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Closure {
    Table,
    Id,
    DocumentId,
    TaskId,
    DepartmentId,
    Summary,
    State,
    Comment,
    RequestedAt,
    RequestedBy,
    DecidedAt,
    DecidedBy,
    ClosedOn,
}
