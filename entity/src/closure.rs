use sea_orm::entity::prelude::*;

use crate::ClosureState;

/// A lead department's request to close a finished task (销号), and the issuing office's decision.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "closure")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The task's document (for the obligations of a document's period, in one statement).
    pub document_id: i64,
    pub task_id: i64,
    /// The lead department asking.
    pub department_id: i64,
    /// What was done.
    pub summary: String,
    pub state: ClosureState,
    pub comment: Option<String>,
    pub requested_at: DateTimeUtc,
    pub requested_by: String,
    pub decided_at: Option<DateTimeUtc>,
    pub decided_by: Option<String>,
    /// The day the task was closed (Asia/Shanghai), when approved.
    pub closed_on: Option<Date>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
