use sea_orm::entity::prelude::*;

use crate::ExtensionState;

/// A department's request for a later due date of one obligation (延期申请), and its decision.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "extension")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub task_id: i64,
    pub period_id: i64,
    pub department_id: i64,
    /// The obligation's due date when the request was made.
    pub previous_due_on: Date,
    /// The date asked for.
    pub due_on: Date,
    pub reason: String,
    pub state: ExtensionState,
    pub comment: Option<String>,
    pub requested_at: DateTimeUtc,
    pub requested_by: String,
    pub decided_at: Option<DateTimeUtc>,
    pub decided_by: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
