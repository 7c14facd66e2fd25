//! Subscriptions: live report submissions and supervision events.

use async_graphql::{Context, ID, Subscription};
use futures_util::Stream;
use tokio_stream::StreamExt as _;
use tokio_stream::wrappers::BroadcastStream;

use super::audit::Event;
use super::context::{require_reader, state};
use super::ids::{self, NodeType};
use super::report::Report;
use crate::service::events::Happened;
use crate::service::writes::Action;

/// Live updates.
#[derive(Default)]
pub struct SubscriptionRoot;

/// Live updates.
#[Subscription(name = "Subscription")]
impl SubscriptionRoot {
    /// Each report revision stored from now on (token holders only), optionally only for one
    /// department and/or period.
    async fn report_submitted(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this department's reports.")] department_id: Option<ID>,
        #[graphql(desc = "Only reports for this period.")] period_id: Option<ID>,
    ) -> async_graphql::Result<impl Stream<Item = Report>> {
        let (s, writes) = writes(ctx, department_id, period_id, |a| a == Action::ReportSubmitted)?;
        Ok(writes
            .filter_map(|e| e.report_id)
            .then(move |id| {
                let db = s.primary().clone();
                async move { entity::report::Entity::find_by_id(id).one(&db).await.ok().flatten() }
            })
            .filter_map(|r| r.map(Report::new)))
    }

    /// Each supervision event from now on (token holders only): submissions, reviews, extension
    /// requests and decisions, notices; optionally only for one department and/or period.
    async fn supervision_events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only events on this department's obligations.")] department_id: Option<ID>,
        #[graphql(desc = "Only events on this period's obligations.")] period_id: Option<ID>,
    ) -> async_graphql::Result<impl Stream<Item = Event>> {
        let (s, writes) = writes(ctx, department_id, period_id, Action::is_supervision)?;
        Ok(writes
            .then(move |e| {
                let db = s.primary().clone();
                async move { entity::audit_event::Entity::find_by_id(e.event_id).one(&db).await.ok().flatten() }
            })
            .filter_map(|r| r.map(Event)))
    }
}

/// The committed writes from now on (token holders only) whose action passes `wanted`, on the
/// department and period asked for (when given), with the state to load their rows from.
fn writes(
    ctx: &Context<'_>,
    department_id: Option<ID>,
    period_id: Option<ID>,
    wanted: fn(Action) -> bool,
) -> async_graphql::Result<(crate::app::AppState, impl Stream<Item = Happened> + use<>)> {
    require_reader(ctx)?;
    let s = state(ctx)?.clone();
    let dept = department_id.map(|d| ids::decode(&d, NodeType::Department)).transpose()?;
    let period = period_id.map(|p| ids::decode(&p, NodeType::ReportingPeriod)).transpose()?;
    let stream = BroadcastStream::new(s.events.subscribe())
        .filter_map(|e| e.ok())
        .filter(move |e| wanted(e.action) && concerns(e, dept, period));
    Ok((s, stream))
}

/// Whether a write concerns the department and period asked for.
fn concerns(e: &Happened, dept: Option<i64>, period: Option<i64>) -> bool {
    let Some(at) = e.at else { return dept.is_none() && period.is_none() };
    dept.is_none_or(|d| d == at.department_id) && period.is_none_or(|p| p == at.period_id)
}

use sea_orm::EntityTrait as _;
