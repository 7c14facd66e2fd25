use sea_orm::entity::prelude::*;

use crate::{ReportStatus, ReviewState};

/// One submission of a report; revisions are numbered 1, 2, … per report.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "report_revision")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub report_id: i64,
    pub revision: i32,
    pub status: ReportStatus,
    pub progress_percent: i32,
    pub summary: String,
    /// JSON array of {indicatorId, value}.
    pub indicator_values: String,
    pub submitted_at: DateTimeUtc,
    pub submitted_by: String,
    /// The review of the revision: PENDING_REVIEW until the issuing office decides.
    pub review_state: ReviewState,
    pub reviewed_at: Option<DateTimeUtc>,
    pub reviewed_by: Option<String>,
    pub review_comment: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::report::Entity", from = "Column::ReportId", to = "super::report::Column::Id")]
    Report,
}

impl Related<super::report::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Report.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
