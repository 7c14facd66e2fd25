//! Subscriptions: live report submissions.

use async_graphql::{Context, ID, Subscription};
use futures_util::Stream;
use tokio_stream::StreamExt as _;
use tokio_stream::wrappers::BroadcastStream;

use super::context::{require_reader, state};
use super::ids::{self, NodeType};
use super::report::Report;

/// Live updates.
#[derive(Default)]
pub struct SubscriptionRoot;

/// Live updates.
#[Subscription]
impl SubscriptionRoot {
    /// Each report revision stored from now on (token holders only), optionally only for one
    /// department and/or period.
    async fn report_submitted(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this department's reports.")] department_id: Option<ID>,
        #[graphql(desc = "Only reports for this period.")] period_id: Option<ID>,
    ) -> async_graphql::Result<impl Stream<Item = Report>> {
        require_reader(ctx)?;
        let s = state(ctx)?.clone();
        let dept = department_id.map(|d| ids::decode(&d, NodeType::Department)).transpose()?;
        let period = period_id.map(|p| ids::decode(&p, NodeType::ReportingPeriod)).transpose()?;
        let events = BroadcastStream::new(s.events.subscribe());
        Ok(events
            .filter_map(|e| e.ok())
            .filter(move |e| dept.is_none_or(|d| d == e.department_id) && period.is_none_or(|p| p == e.period_id))
            .then(move |e| {
                let db = s.db.clone();
                async move { entity::report::Entity::find_by_id(e.report_id).one(&db).await.ok().flatten() }
            })
            .filter_map(|r| r.map(Report)))
    }
}

use sea_orm::EntityTrait as _;
