use sea_orm::entity::prelude::*;

use crate::NoticeLevel;

/// A supervision notice (督办单) on one obligation.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notice")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub task_id: i64,
    pub period_id: i64,
    pub department_id: i64,
    pub level: NoticeLevel,
    /// `level.rank()`: one notice per level per obligation is a unique index on it.
    pub rank: i32,
    pub message: String,
    pub issued_at: DateTimeUtc,
    pub issued_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
