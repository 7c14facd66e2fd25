//! Renamed departments (机构改革, SPEC §12): a department's former names, by which imports, filters
//! and sign-ins still find it.

use sea_orm_migration::prelude::*;

use crate::m20261126_000001_create_list_tables::{Department, fk, pk, unique};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(DepartmentAlias::Table)
                .col(pk(DepartmentAlias::Id))
                .col(ColumnDef::new(DepartmentAlias::DepartmentId).big_integer().not_null())
                .col(ColumnDef::new(DepartmentAlias::Region).string().not_null())
                .col(ColumnDef::new(DepartmentAlias::Name).string().not_null())
                .col(ColumnDef::new(DepartmentAlias::UntilOn).date().not_null())
                .col(ColumnDef::new(DepartmentAlias::CreatedAt).timestamp_with_time_zone().not_null())
                .foreign_key(&mut fk(
                    DepartmentAlias::Table,
                    DepartmentAlias::DepartmentId,
                    Department::Table,
                    Department::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique(
            "ux_department_alias_region_name",
            DepartmentAlias::Table,
            [DepartmentAlias::Region, DepartmentAlias::Name],
        ))
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(DepartmentAlias::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum DepartmentAlias {
    Table,
    Id,
    DepartmentId,
    Region,
    Name,
    UntilOn,
    CreatedAt,
}
