//! Reporting periods, reports with revisions, and API tokens.

use sea_orm_migration::prelude::*;

use crate::m20261126_000001_create_list_tables::{Department, Document, Task, fk, pk, plain, unique};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ReportingPeriod::Table)
                .col(pk(ReportingPeriod::Id))
                .col(ColumnDef::new(ReportingPeriod::DocumentId).big_integer().not_null())
                .col(ColumnDef::new(ReportingPeriod::Year).integer().not_null())
                .col(ColumnDef::new(ReportingPeriod::Quarter).integer().not_null())
                .col(ColumnDef::new(ReportingPeriod::Label).string().not_null())
                .col(ColumnDef::new(ReportingPeriod::StartsOn).date().not_null())
                .col(ColumnDef::new(ReportingPeriod::EndsOn).date().not_null())
                .col(ColumnDef::new(ReportingPeriod::DueOn).date().not_null())
                .foreign_key(&mut fk(
                    ReportingPeriod::Table,
                    ReportingPeriod::DocumentId,
                    Document::Table,
                    Document::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique(
            "ux_reporting_period_document_quarter",
            ReportingPeriod::Table,
            [ReportingPeriod::DocumentId, ReportingPeriod::Quarter],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Report::Table)
                .col(pk(Report::Id))
                .col(ColumnDef::new(Report::TaskId).big_integer().not_null())
                .col(ColumnDef::new(Report::DepartmentId).big_integer().not_null())
                .col(ColumnDef::new(Report::PeriodId).big_integer().not_null())
                .col(ColumnDef::new(Report::Revision).integer().not_null())
                .col(ColumnDef::new(Report::Status).string_len(12).not_null())
                .col(ColumnDef::new(Report::ProgressPercent).integer().not_null())
                .col(ColumnDef::new(Report::Summary).text().not_null())
                .col(ColumnDef::new(Report::IndicatorValues).text().not_null())
                .col(ColumnDef::new(Report::SubmittedAt).timestamp_with_time_zone().not_null())
                .col(ColumnDef::new(Report::SubmittedBy).string().not_null())
                .col(ColumnDef::new(Report::FirstSubmittedAt).timestamp_with_time_zone().not_null())
                .foreign_key(&mut fk(Report::Table, Report::TaskId, Task::Table, Task::Id))
                .foreign_key(&mut fk(Report::Table, Report::DepartmentId, Department::Table, Department::Id))
                .foreign_key(&mut fk(Report::Table, Report::PeriodId, ReportingPeriod::Table, ReportingPeriod::Id))
                .to_owned(),
        )
        .await?;
        m.create_index(unique(
            "ux_report_task_department_period",
            Report::Table,
            [Report::TaskId, Report::DepartmentId, Report::PeriodId],
        ))
        .await?;
        m.create_index(plain(
            "ix_report_period_department",
            Report::Table,
            [Report::PeriodId, Report::DepartmentId, Report::TaskId],
        ))
        .await?;
        m.create_index(plain("ix_report_department", Report::Table, [Report::DepartmentId, Report::Id])).await?;

        m.create_table(
            Table::create()
                .table(ReportRevision::Table)
                .col(pk(ReportRevision::Id))
                .col(ColumnDef::new(ReportRevision::ReportId).big_integer().not_null())
                .col(ColumnDef::new(ReportRevision::Revision).integer().not_null())
                .col(ColumnDef::new(ReportRevision::Status).string_len(12).not_null())
                .col(ColumnDef::new(ReportRevision::ProgressPercent).integer().not_null())
                .col(ColumnDef::new(ReportRevision::Summary).text().not_null())
                .col(ColumnDef::new(ReportRevision::IndicatorValues).text().not_null())
                .col(ColumnDef::new(ReportRevision::SubmittedAt).timestamp_with_time_zone().not_null())
                .col(ColumnDef::new(ReportRevision::SubmittedBy).string().not_null())
                .foreign_key(&mut fk(ReportRevision::Table, ReportRevision::ReportId, Report::Table, Report::Id))
                .to_owned(),
        )
        .await?;
        // The guard against lost updates: one row per (report, revision).
        m.create_index(unique(
            "ux_report_revision_report_revision",
            ReportRevision::Table,
            [ReportRevision::ReportId, ReportRevision::Revision],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(ApiToken::Table)
                .col(pk(ApiToken::Id))
                .col(ColumnDef::new(ApiToken::TokenHash).string_len(64).not_null().unique_key())
                .col(ColumnDef::new(ApiToken::Role).string_len(12).not_null())
                .col(ColumnDef::new(ApiToken::DepartmentId).big_integer().null())
                .col(ColumnDef::new(ApiToken::Label).string().not_null())
                .col(ColumnDef::new(ApiToken::CreatedAt).timestamp_with_time_zone().not_null())
                .col(ColumnDef::new(ApiToken::RevokedAt).timestamp_with_time_zone().null())
                .foreign_key(&mut fk(ApiToken::Table, ApiToken::DepartmentId, Department::Table, Department::Id))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(ApiToken::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(ReportRevision::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(Report::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(ReportingPeriod::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum ReportingPeriod {
    Table,
    Id,
    DocumentId,
    Year,
    Quarter,
    Label,
    StartsOn,
    EndsOn,
    DueOn,
}

#[derive(DeriveIden)]
enum Report {
    Table,
    Id,
    TaskId,
    DepartmentId,
    PeriodId,
    Revision,
    Status,
    ProgressPercent,
    Summary,
    IndicatorValues,
    SubmittedAt,
    SubmittedBy,
    FirstSubmittedAt,
}

#[derive(DeriveIden)]
enum ReportRevision {
    Table,
    Id,
    ReportId,
    Revision,
    Status,
    ProgressPercent,
    Summary,
    IndicatorValues,
    SubmittedAt,
    SubmittedBy,
}

#[derive(DeriveIden)]
enum ApiToken {
    Table,
    Id,
    TokenHash,
    Role,
    DepartmentId,
    Label,
    CreatedAt,
    RevokedAt,
}
