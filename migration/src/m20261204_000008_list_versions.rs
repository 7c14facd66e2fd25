//! The list through its year (SPEC §12): every document has numbered versions (1 is the list as
//! first imported; each amendment or decision that changes tasks makes the next), each version's
//! changes per task, a removed task's day, and the days an assignment holds from and until, so
//! the reports of a period are owed by the assignments in force on its due date.

use sea_orm_migration::prelude::*;

use crate::m20261126_000001_create_list_tables::{Document, Task, fk, pk, plain, unique};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(DocumentVersion::Table)
                .col(pk(DocumentVersion::Id))
                .col(ColumnDef::new(DocumentVersion::DocumentId).big_integer().not_null())
                .col(ColumnDef::new(DocumentVersion::Number).integer().not_null())
                .col(ColumnDef::new(DocumentVersion::EffectiveOn).date().not_null())
                .col(ColumnDef::new(DocumentVersion::ImportedAt).timestamp_with_time_zone().not_null())
                .col(ColumnDef::new(DocumentVersion::SourceSha256).string_len(64).null())
                .col(ColumnDef::new(DocumentVersion::Reason).text().null())
                .col(ColumnDef::new(DocumentVersion::Actor).string().not_null())
                .foreign_key(&mut fk(
                    DocumentVersion::Table,
                    DocumentVersion::DocumentId,
                    Document::Table,
                    Document::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique(
            "ux_document_version_number",
            DocumentVersion::Table,
            [DocumentVersion::DocumentId, DocumentVersion::Number],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table(TaskChange::Table)
                .col(pk(TaskChange::Id))
                .col(ColumnDef::new(TaskChange::VersionId).big_integer().not_null())
                .col(ColumnDef::new(TaskChange::TaskId).big_integer().not_null())
                .col(ColumnDef::new(TaskChange::Kind).string_len(12).not_null())
                .col(ColumnDef::new(TaskChange::Before).text().null())
                .col(ColumnDef::new(TaskChange::After).text().null())
                .foreign_key(&mut fk(
                    TaskChange::Table,
                    TaskChange::VersionId,
                    DocumentVersion::Table,
                    DocumentVersion::Id,
                ))
                .foreign_key(&mut fk(TaskChange::Table, TaskChange::TaskId, Task::Table, Task::Id))
                .to_owned(),
        )
        .await?;
        m.create_index(plain("ix_task_change_task", TaskChange::Table, [TaskChange::TaskId, TaskChange::Id])).await?;
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        m.alter_table(
            Table::alter()
                .table(Task::Table)
                .add_column(ColumnDef::new(TaskColumn::RemovedOn).date().null())
                .to_owned(),
        )
        .await?;
        for column in [Assignment::SinceOn, Assignment::UntilOn] {
            m.alter_table(
                Table::alter().table(Assignment::Table).add_column(ColumnDef::new(column).date().null()).to_owned(),
            )
            .await?;
        }
        // A removed task keeps its number, which an added one may take; an ended assignment keeps
        // its place, which its successor takes. Uniqueness among the tasks and assignments in
        // force is the amendment's to keep (it writes them from one read list).
        m.drop_index(Index::drop().name("ux_task_document_number").table(Task::Table).to_owned()).await?;
        m.create_index(plain("ix_task_document_number", Task::Table, [Task::DocumentId, Task::Number])).await?;
        m.drop_index(Index::drop().name("ux_assignment_task_role_position").table(Assignment::Table).to_owned())
            .await?;
        m.create_index(plain(
            "ix_assignment_task_role_position",
            Assignment::Table,
            [Assignment::TaskId, Assignment::Role, Assignment::Position],
        ))
        .await?;
        // Every document loaded so far is its own version 1, in force from its date of issue.
        let backfill = "INSERT INTO document_version (document_id, number, effective_on, imported_at, source_sha256, \
                        reason, actor) SELECT id, 1, issued_on, imported_at, source_sha256, NULL, 'cli' FROM document";
        m.get_connection().execute_unprepared(backfill).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(TaskChange::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(DocumentVersion::Table).to_owned()).await?;
        m.alter_table(Table::alter().table(Task::Table).drop_column(TaskColumn::RemovedOn).to_owned()).await?;
        for column in [Assignment::UntilOn, Assignment::SinceOn] {
            m.alter_table(Table::alter().table(Assignment::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum DocumentVersion {
    Table,
    Id,
    DocumentId,
    Number,
    EffectiveOn,
    ImportedAt,
    SourceSha256,
    Reason,
    Actor,
}

#[derive(DeriveIden)]
enum TaskChange {
    Table,
    Id,
    VersionId,
    TaskId,
    Kind,
    Before,
    After,
}

#[derive(DeriveIden)]
enum TaskColumn {
    RemovedOn,
}

#[derive(DeriveIden)]
enum Assignment {
    Table,
    TaskId,
    Role,
    Position,
    SinceOn,
    UntilOn,
}
