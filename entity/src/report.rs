use sea_orm::entity::prelude::*;

use crate::{ReportStatus, ReviewState};

/// A department's progress report on a task for a period: the latest revision, kept in
/// the row so reads need no join; every revision is in `report_revision`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "report")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub task_id: i64,
    pub department_id: i64,
    pub period_id: i64,
    pub revision: i32,
    pub status: ReportStatus,
    pub progress_percent: i32,
    pub summary: String,
    /// JSON array of {indicatorId, value}.
    pub indicator_values: String,
    pub submitted_at: DateTimeUtc,
    pub submitted_by: String,
    /// When revision 1 came in: SUBMITTED or SUBMITTED_LATE is judged on it.
    pub first_submitted_at: DateTimeUtc,
    /// The review of the latest revision: PENDING_REVIEW until the issuing office decides.
    pub review_state: ReviewState,
    pub reviewed_at: Option<DateTimeUtc>,
    pub reviewed_by: Option<String>,
    pub review_comment: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::task::Entity", from = "Column::TaskId", to = "super::task::Column::Id")]
    Task,
    #[sea_orm(
        belongs_to = "super::department::Entity",
        from = "Column::DepartmentId",
        to = "super::department::Column::Id"
    )]
    Department,
    #[sea_orm(
        belongs_to = "super::reporting_period::Entity",
        from = "Column::PeriodId",
        to = "super::reporting_period::Column::Id"
    )]
    ReportingPeriod,
    #[sea_orm(has_many = "super::report_revision::Entity")]
    Revisions,
}

impl Related<super::report_revision::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Revisions.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
