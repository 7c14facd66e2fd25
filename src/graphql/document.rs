//! Documents, categories and their queries.

use async_graphql::{Context, ID, Object};
use entity::{category, document};

use super::connection::PageArgs;
use super::context::{list, required};
use super::ids::{self, NodeType};
use super::task::{TaskConnection, scoped_tasks};
use crate::service::list::TaskScope;

/// One responsibility list: a region's list of tasks for a year.
pub struct Document(pub document::Model);

/// One responsibility list: a region's list of tasks for a year.
#[Object]
impl Document {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Document, self.0.id)
    }
    /// Region whose list this is (天津).
    async fn region(&self) -> &str {
        &self.0.region
    }
    /// Year the list is for.
    async fn year(&self) -> i32 {
        self.0.year
    }
    /// Title of the list.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// Office that issued it.
    async fn issuer(&self) -> &str {
        &self.0.issuer
    }
    /// Date of the notice that issued it.
    async fn issued_on(&self) -> super::scalars::Date {
        self.0.issued_on.into()
    }
    /// Key-task categories in number order.
    async fn categories(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Category>> {
        Ok(list(ctx).await?.categories(Some(self.0.id)).into_iter().cloned().map(Category).collect())
    }
    /// Its versions, 1 (the list as first imported) first: each amended text or decision that
    /// changed tasks, from when, and what it changed.
    async fn versions(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<super::version::DocumentVersion>> {
        super::version::versions_of(ctx, self.0.id).await
    }
    /// Reporting periods (quarters) in order.
    async fn reporting_periods(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<super::period::ReportingPeriod>> {
        Ok(list(ctx).await?.periods_of(self.0.id).into_iter().cloned().map(super::period::ReportingPeriod).collect())
    }
    /// The period being reported now: the first whose due date has not passed (Asia/Shanghai, by
    /// the server's clock), else the last.
    async fn current_period(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<super::period::ReportingPeriod>> {
        let today = crate::clock::shanghai_day(super::context::now(ctx)?);
        let list = list(ctx).await?;
        let periods = list.periods_of(self.0.id);
        let current = periods.iter().find(|p| p.due_on >= today).or(periods.last());
        Ok(current.map(|p| super::period::ReportingPeriod((*p).clone())))
    }
}

/// A key-task category (重点任务) of a document.
pub struct Category(pub category::Model);

/// A key-task category (重点任务) of a document.
#[Object]
impl Category {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Category, self.0.id)
    }
    /// Number within the document (1-based).
    async fn number(&self) -> i32 {
        self.0.number
    }
    /// Name, as in the document.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The document it belongs to.
    async fn document(&self, ctx: &Context<'_>) -> async_graphql::Result<Document> {
        required(list(ctx).await?.document(self.0.document_id), "document", self.0.document_id).map(Document)
    }
    /// Tasks of the category in number order.
    async fn tasks(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Rows from the start (default 100, at most 500).")] first: Option<i32>,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
        #[graphql(desc = "Rows from the end.")] last: Option<i32>,
        #[graphql(desc = "End before this cursor.")] before: Option<String>,
    ) -> async_graphql::Result<TaskConnection> {
        scoped_tasks(ctx, TaskScope::Category(self.0.id), None, PageArgs::new(first, after, last, before)).await
    }
}

/// Queries on documents and categories.
#[derive(Default)]
pub struct DocumentQuery;

/// Queries on documents and categories.
#[Object]
impl DocumentQuery {
    /// Every loaded document, in import order.
    async fn documents(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Document>> {
        Ok(list(ctx).await?.documents().iter().cloned().map(Document).collect())
    }

    /// Categories of one document (or of all), in number order.
    async fn categories(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this document's categories.")] document_id: Option<ID>,
    ) -> async_graphql::Result<Vec<Category>> {
        let doc = document_id.map(|id| ids::decode(&id, NodeType::Document)).transpose()?;
        Ok(list(ctx).await?.categories(doc).into_iter().cloned().map(Category).collect())
    }
}
