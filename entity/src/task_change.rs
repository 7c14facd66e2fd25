use sea_orm::entity::prelude::*;

use crate::ChangeKind;

/// One change a version made to one task, with the task as it stood before and after (JSON of
/// the task's number, category, content, leads, responsible units and deadline).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "task_change")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub version_id: i64,
    pub task_id: i64,
    pub kind: ChangeKind,
    /// Null for ADDED.
    pub before: Option<String>,
    /// Null for REMOVED.
    pub after: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
