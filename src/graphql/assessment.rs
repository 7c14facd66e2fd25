//! `assessment`: the year-end assessment (考核) of a document's departments (see
//! [`crate::service::assessment`]).

use async_graphql::{Context, ID, Object};

use super::context::{list, reading, require_reader, state};
use super::department::Department;
use super::ids::{self, NodeType};
use super::scalars::Date;
use crate::clock::last_instant_of;
use crate::error::ApiError;
use crate::service::assessment::{self, Row};

/// One department's assessment over a document's periods, by a day.
pub struct DepartmentAssessment(pub Row);

/// One department's assessment over a document's periods, by a day.
#[Object]
impl DepartmentAssessment {
    /// The department.
    async fn department(&self, ctx: &Context<'_>) -> async_graphql::Result<Department> {
        Department::of(ctx, self.0.department_id).await
    }
    /// Reports it owed over the document's periods.
    async fn obligations(&self) -> i64 {
        self.0.obligations
    }
    /// Submitted before the due date (an approved extension's, where one was approved).
    async fn submitted_on_time(&self) -> i64 {
        self.0.submitted_on_time
    }
    /// Submitted after the due date.
    async fn submitted_late(&self) -> i64 {
        self.0.submitted_late
    }
    /// Not submitted, and the due date has passed.
    async fn overdue(&self) -> i64 {
        self.0.overdue
    }
    /// Returned for rework and not resubmitted.
    async fn returned(&self) -> i64 {
        self.0.returned
    }
    /// Not submitted, not due yet: not judged.
    async fn pending(&self) -> i64 {
        self.0.pending
    }
    /// Obligations with a red light.
    async fn red_lights(&self) -> i64 {
        self.0.red_lights
    }
    /// Requests for a later due date approved.
    async fn extensions_approved(&self) -> i64 {
        self.0.extensions_approved
    }
    /// Notices (督办单) received.
    async fn notices_received(&self) -> i64 {
        self.0.notices_received
    }
    /// Tasks it leads that were closed (销号).
    async fn tasks_closed(&self) -> i64 {
        self.0.tasks_closed
    }
    /// 0–100, one decimal: the share of judged obligations met, less red lights and notices, plus
    /// closed tasks, with the weights of `--assessment-*` (docs/guide/supervision.md).
    async fn score(&self) -> f64 {
        self.0.score
    }
    /// 1 for the highest score; equal scores share a rank.
    async fn rank(&self) -> i64 {
        self.0.rank
    }
}

/// The assessment query.
#[derive(Default)]
pub struct AssessmentQuery;

/// The assessment query.
#[Object]
impl AssessmentQuery {
    /// The year-end assessment (考核) of a document (token holders): one row per non-collective
    /// department with obligations, best first, judged at the end of `asOf` (default: now).
    async fn assessment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The document.")] document_id: ID,
        #[graphql(desc = "Judge at the end of this day (Asia/Shanghai); default: now.")] as_of: Option<Date>,
    ) -> async_graphql::Result<Vec<DepartmentAssessment>> {
        require_reader(ctx)?;
        let id = ids::decode(&document_id, NodeType::Document)?;
        let list = list(ctx).await?;
        if list.document(id).is_none() {
            return Err(ApiError::not_found(format!("no document \"{}\"", ids::truncate(document_id.as_str()))).into());
        }
        let as_of = match as_of {
            Some(day) => last_instant_of(day.0),
            None => super::context::now(ctx)?,
        };
        let s = state(ctx)?;
        let thresholds = crate::settings::lights(&s.limits);
        let weights = crate::settings::assessment(&s.limits);
        let rows = reading(ctx)?.held(|held| assessment::assess(held, &list, id, as_of, thresholds, &weights)).await?;
        Ok(rows.into_iter().map(DepartmentAssessment).collect())
    }
}
