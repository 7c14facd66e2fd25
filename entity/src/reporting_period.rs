use sea_orm::entity::prelude::*;

/// A quarter a document's departments report on.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reporting_period")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub document_id: i64,
    pub year: i32,
    pub quarter: i32,
    pub label: String,
    pub starts_on: Date,
    pub ends_on: Date,
    /// Last day to report; the deadline is the end of this day in Asia/Shanghai.
    pub due_on: Date,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::document::Entity", from = "Column::DocumentId", to = "super::document::Column::Id")]
    Document,
}

impl ActiveModelBehavior for ActiveModel {}
