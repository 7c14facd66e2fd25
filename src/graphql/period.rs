//! Reporting periods.

use async_graphql::{Context, ID, Object};
use entity::reporting_period;

use super::context::{list, required};
use super::document::Document;
use super::ids::{self, NodeType};

/// A quarter the departments of a document report on.
pub struct ReportingPeriod(pub reporting_period::Model);

impl ReportingPeriod {
    /// The period row `id` points at, from the request's list.
    pub async fn of(ctx: &async_graphql::Context<'_>, id: i64) -> async_graphql::Result<Self> {
        super::context::required(super::context::list(ctx).await?.period(id), "period", id).map(Self)
    }
}

/// A quarter the departments of a document report on.
#[Object]
impl ReportingPeriod {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::ReportingPeriod, self.0.id)
    }
    /// Year of the quarter.
    async fn year(&self) -> i32 {
        self.0.year
    }
    /// Quarter, 1-4.
    async fn quarter(&self) -> i32 {
        self.0.quarter
    }
    /// Label as the notice words it ("二季度（半年）").
    async fn label(&self) -> &str {
        &self.0.label
    }
    /// First day of the quarter.
    async fn starts_on(&self) -> super::scalars::Date {
        self.0.starts_on.into()
    }
    /// Last day of the quarter.
    async fn ends_on(&self) -> super::scalars::Date {
        self.0.ends_on.into()
    }
    /// Last day to report; the deadline is the end of this day in Asia/Shanghai.
    async fn due_on(&self) -> super::scalars::Date {
        self.0.due_on.into()
    }
    /// Reports for this period (token holders only).
    async fn reports(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Rows from the start (default 100, at most 500).")] first: Option<i32>,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
        #[graphql(desc = "Rows from the end.")] last: Option<i32>,
        #[graphql(desc = "End before this cursor.")] before: Option<String>,
    ) -> async_graphql::Result<super::report::ReportConnection> {
        let page = super::connection::PageArgs::new(first, after, last, before);
        super::report::reports_of(ctx, super::loaders::ReportsOfPeriod(self.0.id), |_| true, page).await
    }
    /// The document it belongs to.
    async fn document(&self, ctx: &Context<'_>) -> async_graphql::Result<Document> {
        required(list(ctx).await?.document(self.0.document_id), "document", self.0.document_id).map(Document)
    }
}

/// Queries on reporting periods.
#[derive(Default)]
pub struct PeriodQuery;

/// Queries on reporting periods.
#[Object]
impl PeriodQuery {
    /// Reporting periods of a document, in order. Without `documentId`, of the latest document
    /// (by year, then date of issue) of the caller's region, or of all when the caller has none.
    async fn reporting_periods(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The document; default: the latest of the caller's region, or of all.")] document_id: Option<
            ID,
        >,
    ) -> async_graphql::Result<Vec<ReportingPeriod>> {
        let list = list(ctx).await?;
        let doc = match document_id {
            Some(id) => ids::decode(&id, NodeType::Document)?,
            None => list.default_document_id(super::context::caller_region(ctx, &list))?,
        };
        Ok(list.periods_of(doc).into_iter().cloned().map(ReportingPeriod).collect())
    }
}
