//! Supervision (SPEC §8): the review of each revision, extensions, notices, and the audit trail
//! that every write appends to (on PostgreSQL a trigger refuses to change or delete an event).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::m20261126_000001_create_list_tables::{Department, Task, fk, pk, plain, unique};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // The review of the latest revision on the report (read with it, no join), and of each
        // revision on the revision. SQLite adds one column per statement.
        for table in [Report::Table.into_iden(), ReportRevision::Table.into_iden()] {
            for col in review_columns() {
                m.alter_table(Table::alter().table(table.clone()).add_column(col).to_owned()).await?;
            }
        }

        m.create_table(
            Table::create()
                .table(Extension::Table)
                .col(pk(Extension::Id))
                .col(ColumnDef::new(Extension::TaskId).big_integer().not_null())
                .col(ColumnDef::new(Extension::PeriodId).big_integer().not_null())
                .col(ColumnDef::new(Extension::DepartmentId).big_integer().not_null())
                .col(ColumnDef::new(Extension::PreviousDueOn).date().not_null())
                .col(ColumnDef::new(Extension::DueOn).date().not_null())
                .col(ColumnDef::new(Extension::Reason).text().not_null())
                .col(ColumnDef::new(Extension::State).string_len(12).not_null())
                .col(ColumnDef::new(Extension::Comment).text().null())
                .col(ColumnDef::new(Extension::RequestedAt).timestamp_with_time_zone().not_null())
                .col(ColumnDef::new(Extension::RequestedBy).string().not_null())
                .col(ColumnDef::new(Extension::DecidedAt).timestamp_with_time_zone().null())
                .col(ColumnDef::new(Extension::DecidedBy).string().null())
                .foreign_key(&mut fk(Extension::Table, Extension::TaskId, Task::Table, Task::Id))
                .foreign_key(&mut fk(Extension::Table, Extension::DepartmentId, Department::Table, Department::Id))
                .foreign_key(&mut fk(
                    Extension::Table,
                    Extension::PeriodId,
                    ReportingPeriod::Table,
                    ReportingPeriod::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(plain(
            "ix_extension_period_department",
            Extension::Table,
            [Extension::PeriodId, Extension::DepartmentId, Extension::TaskId],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Notice::Table)
                .col(pk(Notice::Id))
                .col(ColumnDef::new(Notice::TaskId).big_integer().not_null())
                .col(ColumnDef::new(Notice::PeriodId).big_integer().not_null())
                .col(ColumnDef::new(Notice::DepartmentId).big_integer().not_null())
                .col(ColumnDef::new(Notice::Level).string_len(8).not_null())
                .col(ColumnDef::new(Notice::Rank).integer().not_null())
                .col(ColumnDef::new(Notice::Message).text().not_null())
                .col(ColumnDef::new(Notice::IssuedAt).timestamp_with_time_zone().not_null())
                .col(ColumnDef::new(Notice::IssuedBy).string().not_null())
                .foreign_key(&mut fk(Notice::Table, Notice::TaskId, Task::Table, Task::Id))
                .foreign_key(&mut fk(Notice::Table, Notice::DepartmentId, Department::Table, Department::Id))
                .foreign_key(&mut fk(Notice::Table, Notice::PeriodId, ReportingPeriod::Table, ReportingPeriod::Id))
                .to_owned(),
        )
        .await?;
        // One notice per level per obligation: two racing notices of one level cannot both land.
        m.create_index(unique(
            "ux_notice_obligation_rank",
            Notice::Table,
            [Notice::PeriodId, Notice::DepartmentId, Notice::TaskId, Notice::Rank],
        ))
        .await?;
        m.create_index(plain("ix_notice_department", Notice::Table, [Notice::DepartmentId, Notice::Id])).await?;

        // No foreign keys: the trail outlives what it speaks of.
        m.create_table(
            Table::create()
                .table(AuditEvent::Table)
                .col(pk(AuditEvent::Id))
                .col(ColumnDef::new(AuditEvent::At).timestamp_with_time_zone().not_null())
                .col(ColumnDef::new(AuditEvent::ActorId).string().not_null())
                .col(ColumnDef::new(AuditEvent::Actor).string().not_null())
                .col(ColumnDef::new(AuditEvent::Role).string_len(12).not_null())
                .col(ColumnDef::new(AuditEvent::Action).string_len(32).not_null())
                .col(ColumnDef::new(AuditEvent::SubjectId).string().not_null())
                .col(ColumnDef::new(AuditEvent::TaskId).big_integer().null())
                .col(ColumnDef::new(AuditEvent::DepartmentId).big_integer().null())
                .col(ColumnDef::new(AuditEvent::PeriodId).big_integer().null())
                .col(ColumnDef::new(AuditEvent::Before).text().null())
                .col(ColumnDef::new(AuditEvent::After).text().null())
                .col(ColumnDef::new(AuditEvent::RequestId).string().null())
                .to_owned(),
        )
        .await?;
        m.create_index(plain("ix_audit_event_subject", AuditEvent::Table, [AuditEvent::SubjectId, AuditEvent::Id]))
            .await?;
        m.create_index(plain("ix_audit_event_task", AuditEvent::Table, [AuditEvent::TaskId, AuditEvent::Id])).await?;
        if m.get_database_backend() == DbBackend::Postgres {
            m.get_connection()
                .execute_unprepared(
                    "CREATE FUNCTION audit_event_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ \
                     BEGIN RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP; END $$; \
                     CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event \
                     FOR EACH ROW EXECUTE FUNCTION audit_event_is_append_only(); \
                     CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event \
                     FOR EACH STATEMENT EXECUTE FUNCTION audit_event_is_append_only();",
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(AuditEvent::Table).to_owned()).await?;
        if m.get_database_backend() == DbBackend::Postgres {
            m.get_connection().execute_unprepared("DROP FUNCTION IF EXISTS audit_event_is_append_only()").await?;
        }
        m.drop_table(Table::drop().table(Notice::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(Extension::Table).to_owned()).await?;
        for table in [Report::Table.into_iden(), ReportRevision::Table.into_iden()] {
            for col in [
                ReviewColumn::ReviewState,
                ReviewColumn::ReviewedAt,
                ReviewColumn::ReviewedBy,
                ReviewColumn::ReviewComment,
            ] {
                m.alter_table(Table::alter().table(table.clone()).drop_column(col).to_owned()).await?;
            }
        }
        Ok(())
    }
}

fn review_columns() -> [ColumnDef; 4] {
    [
        ColumnDef::new(ReviewColumn::ReviewState).string_len(16).not_null().default("PENDING_REVIEW").to_owned(),
        ColumnDef::new(ReviewColumn::ReviewedAt).timestamp_with_time_zone().null().to_owned(),
        ColumnDef::new(ReviewColumn::ReviewedBy).string().null().to_owned(),
        ColumnDef::new(ReviewColumn::ReviewComment).text().null().to_owned(),
    ]
}

#[derive(DeriveIden)]
enum ReviewColumn {
    ReviewState,
    ReviewedAt,
    ReviewedBy,
    ReviewComment,
}

#[derive(DeriveIden)]
enum Report {
    Table,
}

#[derive(DeriveIden)]
enum ReportRevision {
    Table,
}

#[derive(DeriveIden)]
enum ReportingPeriod {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Extension {
    Table,
    Id,
    TaskId,
    PeriodId,
    DepartmentId,
    PreviousDueOn,
    DueOn,
    Reason,
    State,
    Comment,
    RequestedAt,
    RequestedBy,
    DecidedAt,
    DecidedBy,
}

#[derive(DeriveIden)]
enum Notice {
    Table,
    Id,
    TaskId,
    PeriodId,
    DepartmentId,
    Level,
    Rank,
    Message,
    IssuedAt,
    IssuedBy,
}

#[derive(DeriveIden)]
enum AuditEvent {
    Table,
    Id,
    At,
    ActorId,
    Actor,
    Role,
    Action,
    SubjectId,
    TaskId,
    DepartmentId,
    PeriodId,
    Before,
    After,
    RequestId,
}
