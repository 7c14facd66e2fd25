use sea_orm::entity::prelude::*;

/// A quantitative target found in a task's text.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "indicator")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub task_id: i64,
    /// 0-based order within the task text.
    pub position: i32,
    pub target_value: f64,
    pub unit: String,
    /// AT_LEAST, AT_MOST or EXACTLY.
    pub comparator: String,
    /// The phrase the target was read from ("突破11000 家").
    pub phrase: String,
    /// The sentence around it.
    pub sentence: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::task::Entity", from = "Column::TaskId", to = "super::task::Column::Id")]
    Task,
}

impl ActiveModelBehavior for ActiveModel {}
