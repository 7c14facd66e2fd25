//! Documents, categories, tasks, departments, assignments and indicators.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Document::Table)
                .col(pk(Document::Id))
                .col(ColumnDef::new(Document::Region).string().not_null())
                .col(ColumnDef::new(Document::Year).integer().not_null())
                .col(ColumnDef::new(Document::Title).string().not_null())
                .col(ColumnDef::new(Document::Issuer).string().not_null())
                .col(ColumnDef::new(Document::IssuedOn).date().not_null())
                .col(ColumnDef::new(Document::SourceSha256).string_len(64).not_null().unique_key())
                .col(ColumnDef::new(Document::ImportedAt).timestamp_with_time_zone().not_null())
                .to_owned(),
        )
        .await?;
        m.create_index(unique(
            "ux_document_region_year_title",
            Document::Table,
            [Document::Region, Document::Year, Document::Title],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Category::Table)
                .col(pk(Category::Id))
                .col(ColumnDef::new(Category::DocumentId).big_integer().not_null())
                .col(ColumnDef::new(Category::Number).integer().not_null())
                .col(ColumnDef::new(Category::Name).string().not_null())
                .foreign_key(&mut fk(Category::Table, Category::DocumentId, Document::Table, Document::Id))
                .to_owned(),
        )
        .await?;
        m.create_index(unique(
            "ux_category_document_number",
            Category::Table,
            [Category::DocumentId, Category::Number],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Department::Table)
                .col(pk(Department::Id))
                .col(ColumnDef::new(Department::Region).string().not_null())
                .col(ColumnDef::new(Department::Name).string().not_null())
                .col(ColumnDef::new(Department::Kind).string_len(24).not_null())
                .to_owned(),
        )
        .await?;
        m.create_index(unique("ux_department_region_name", Department::Table, [Department::Region, Department::Name]))
            .await?;
        m.create_index(plain("ix_department_name", Department::Table, [Department::Name])).await?;

        m.create_table(
            Table::create()
                .table(Task::Table)
                .col(pk(Task::Id))
                .col(ColumnDef::new(Task::DocumentId).big_integer().not_null())
                .col(ColumnDef::new(Task::CategoryId).big_integer().not_null())
                .col(ColumnDef::new(Task::Number).integer().not_null())
                .col(ColumnDef::new(Task::Content).text().not_null())
                .col(ColumnDef::new(Task::LeadCount).integer().not_null())
                .foreign_key(&mut fk(Task::Table, Task::DocumentId, Document::Table, Document::Id))
                .foreign_key(&mut fk(Task::Table, Task::CategoryId, Category::Table, Category::Id))
                .to_owned(),
        )
        .await?;
        m.create_index(unique("ux_task_document_number", Task::Table, [Task::DocumentId, Task::Number])).await?;
        m.create_index(plain("ix_task_category", Task::Table, [Task::CategoryId, Task::Id])).await?;
        m.create_index(plain("ix_task_lead_count", Task::Table, [Task::LeadCount, Task::Id])).await?;

        m.create_table(
            Table::create()
                .table(Assignment::Table)
                .col(pk(Assignment::Id))
                .col(ColumnDef::new(Assignment::TaskId).big_integer().not_null())
                .col(ColumnDef::new(Assignment::DepartmentId).big_integer().not_null())
                .col(ColumnDef::new(Assignment::Role).string_len(12).not_null())
                .col(ColumnDef::new(Assignment::Position).integer().not_null())
                .foreign_key(&mut fk(Assignment::Table, Assignment::TaskId, Task::Table, Task::Id))
                .foreign_key(&mut fk(Assignment::Table, Assignment::DepartmentId, Department::Table, Department::Id))
                .to_owned(),
        )
        .await?;
        m.create_index(unique(
            "ux_assignment_task_role_position",
            Assignment::Table,
            [Assignment::TaskId, Assignment::Role, Assignment::Position],
        ))
        .await?;
        // Serves Department.tasks(role), workload and co-leaders: department first, then role.
        m.create_index(plain(
            "ix_assignment_department_role_task",
            Assignment::Table,
            [Assignment::DepartmentId, Assignment::Role, Assignment::TaskId],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Indicator::Table)
                .col(pk(Indicator::Id))
                .col(ColumnDef::new(Indicator::TaskId).big_integer().not_null())
                .col(ColumnDef::new(Indicator::Position).integer().not_null())
                .col(ColumnDef::new(Indicator::TargetValue).double().not_null())
                .col(ColumnDef::new(Indicator::Unit).string().not_null())
                .col(ColumnDef::new(Indicator::Comparator).string_len(12).not_null())
                .col(ColumnDef::new(Indicator::Phrase).string().not_null())
                .col(ColumnDef::new(Indicator::Sentence).text().not_null())
                .foreign_key(&mut fk(Indicator::Table, Indicator::TaskId, Task::Table, Task::Id))
                .to_owned(),
        )
        .await?;
        m.create_index(unique("ux_indicator_task_position", Indicator::Table, [Indicator::TaskId, Indicator::Position]))
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Indicator::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(Assignment::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(Task::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(Department::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(Category::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(Document::Table).to_owned()).await
    }
}

pub(crate) fn pk<T: IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col).big_integer().not_null().auto_increment().primary_key().to_owned()
}

pub(crate) fn fk<A: IntoIden, B: IntoIden, C: IntoIden, D: IntoIden>(
    table: A,
    col: B,
    ref_table: C,
    ref_col: D,
) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(table, col).to(ref_table, ref_col).on_delete(ForeignKeyAction::Cascade).to_owned()
}

pub(crate) fn unique<T: IntoIden, C: IntoIden>(
    name: &str,
    table: T,
    cols: impl IntoIterator<Item = C>,
) -> IndexCreateStatement {
    let mut idx = Index::create().name(name).table(table).unique().to_owned();
    for c in cols {
        idx.col(c);
    }
    idx
}

pub(crate) fn plain<T: IntoIden, C: IntoIden>(
    name: &str,
    table: T,
    cols: impl IntoIterator<Item = C>,
) -> IndexCreateStatement {
    let mut idx = Index::create().name(name).table(table).to_owned();
    for c in cols {
        idx.col(c);
    }
    idx
}

#[derive(DeriveIden)]
pub(crate) enum Document {
    Table,
    Id,
    Region,
    Year,
    Title,
    Issuer,
    IssuedOn,
    SourceSha256,
    ImportedAt,
}

#[derive(DeriveIden)]
enum Category {
    Table,
    Id,
    DocumentId,
    Number,
    Name,
}

#[derive(DeriveIden)]
pub(crate) enum Department {
    Table,
    Id,
    Region,
    Name,
    Kind,
}

#[derive(DeriveIden)]
pub(crate) enum Task {
    Table,
    Id,
    DocumentId,
    CategoryId,
    Number,
    Content,
    LeadCount,
}

#[derive(DeriveIden)]
enum Assignment {
    Table,
    Id,
    TaskId,
    DepartmentId,
    Role,
    Position,
}

#[derive(DeriveIden)]
enum Indicator {
    Table,
    Id,
    TaskId,
    Position,
    TargetValue,
    Unit,
    Comparator,
    Phrase,
    Sentence,
}
