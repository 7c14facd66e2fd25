//! The Relay `Node` interface and `node(id:)`.

use async_graphql::{Context, ID, Interface, Object};

use super::audit::Event;
use super::department::Department;
use super::document::{Category, Document};
use super::ids::{self, NodeType};
use super::loaders::{EventKey, ExtensionKey, NoticeKey, ReportKey};
use super::period::ReportingPeriod;
use super::report::Report;
use super::supervision::{Extension, Notice};
use super::task::{Indicator, Task};
use crate::error::ApiError;

/// An object with a global id.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "Global id, opaque."))]
pub enum Node {
    Document(Document),
    Category(Category),
    Task(Task),
    Department(Department),
    ReportingPeriod(ReportingPeriod),
    Indicator(Indicator),
    Report(Report),
    Extension(Extension),
    Notice(Notice),
    Event(Event),
}

/// `node(id:)`.
#[derive(Default)]
pub struct NodeQuery;

/// `node(id:)`.
#[Object]
impl NodeQuery {
    /// Any object by its global id.
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id.")] id: ID,
    ) -> async_graphql::Result<Option<Node>> {
        let (ty, n) = ids::decode_any(&id)?;
        let list = super::context::list(ctx).await?;
        let node = match ty {
            NodeType::Document => list.document(n).cloned().map(|m| Node::Document(Document(m))),
            NodeType::Category => list.category(n).cloned().map(|m| Node::Category(Category(m))),
            NodeType::Task => list.task(n).cloned().map(|m| Node::Task(Task(m))),
            NodeType::Department => list.department(n).cloned().map(|m| Node::Department(Department(m))),
            NodeType::ReportingPeriod => list.period(n).cloned().map(|m| Node::ReportingPeriod(ReportingPeriod(m))),
            NodeType::Indicator => list.indicator(n).cloned().map(|m| Node::Indicator(Indicator(m))),
            NodeType::Report => {
                super::context::require_reader(ctx)?;
                super::context::load(ctx, ReportKey(n)).await?.map(|m| Node::Report(Report::new(m)))
            }
            NodeType::Extension => {
                super::context::require_reader(ctx)?;
                super::context::load(ctx, ExtensionKey(n)).await?.map(|m| Node::Extension(Extension(m)))
            }
            NodeType::Notice => {
                super::context::require_reader(ctx)?;
                super::context::load(ctx, NoticeKey(n)).await?.map(|m| Node::Notice(Notice(m)))
            }
            NodeType::Event => {
                crate::service::supervision::require_any_supervisor(super::context::viewer(ctx))?;
                let rows = super::context::load(ctx, EventKey(n)).await?.unwrap_or_default();
                rows.first().cloned().map(|m| Node::Event(Event(m)))
            }
            NodeType::Token | NodeType::Webhook | NodeType::WebhookDelivery | NodeType::Closure => None,
        };
        node.map(Some)
            .ok_or_else(|| ApiError::not_found(format!("no object with id \"{}\"", ids::truncate(id.as_str()))).into())
    }
}
