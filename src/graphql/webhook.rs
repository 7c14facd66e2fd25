//! Webhooks and their deliveries, as ADMIN sees them (`webhooks`, `webhookDeliveries`).

use async_graphql::{Context, Enum, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use entity::{webhook, webhook_delivery};

use super::audit::Event;
use super::connection::{PageArgs, connection};
use super::context::{load, reading, state, viewer};
use super::ids::{self, NodeType};
use super::loaders::{EventKey, WebhookKey};
use crate::error::ApiError;
use crate::service::webhooks::deliveries::{self, DeliveryCriteria};
use crate::service::writes::Action;

/// A receiver of signed event deliveries (`qingdan webhook add`).
pub struct Webhook(pub webhook::Model);

/// A receiver of signed event deliveries (`qingdan webhook add`).
#[Object]
impl Webhook {
    /// Global id.
    async fn id(&self) -> ID {
        ids::encode(NodeType::Webhook, self.0.id)
    }
    /// Where events are POSTed.
    async fn url(&self) -> &str {
        &self.0.url
    }
    /// The actions it receives now (`report.submitted`, …).
    async fn events(&self) -> Vec<&str> {
        crate::service::webhooks::event_names(&self.0)
    }
    /// It was added for every event: actions added in later releases reach it too.
    async fn all_events(&self) -> bool {
        self.0.events == crate::service::webhooks::ALL_EVENTS
    }
    /// When it was added.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "entity::DeliveryState")]
pub enum WebhookDeliveryState {
    /// Waiting for its first attempt or its next retry.
    Pending,
    /// The receiver answered 2xx.
    Delivered,
    /// Every attempt failed: given up.
    Failed,
    /// Its webhook was removed first.
    Cancelled,
}

/// One event owed to one webhook: queued in the transaction of the write, then POSTed until a
/// 2xx or the last attempt.
pub struct WebhookDelivery(pub webhook_delivery::Model);

/// One event owed to one webhook: queued in the transaction of the write, then POSTed until a
/// 2xx or the last attempt.
#[Object]
impl WebhookDelivery {
    /// Global id (the `X-Qingdan-Delivery` header carries the row id: `delivery` in the body).
    async fn id(&self) -> ID {
        ids::encode(NodeType::WebhookDelivery, self.0.id)
    }
    /// The `X-Qingdan-Delivery` header's value: the same on every attempt, for receivers to
    /// drop a repeated delivery.
    async fn delivery_key(&self) -> String {
        self.0.id.to_string()
    }
    /// The webhook it is owed to.
    async fn webhook(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Webhook>> {
        let rows = load(ctx, WebhookKey(self.0.webhook_id)).await?.unwrap_or_default();
        Ok(rows.first().cloned().map(Webhook))
    }
    /// The audit event delivered.
    async fn event(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Event>> {
        let rows = load(ctx, EventKey(self.0.event_id)).await?.unwrap_or_default();
        Ok(rows.first().cloned().map(Event))
    }
    /// The event's action (`X-Qingdan-Event`).
    async fn action(&self) -> &str {
        &self.0.action
    }
    /// Where it stands.
    async fn state(&self) -> WebhookDeliveryState {
        self.0.state.into()
    }
    /// Attempts made so far.
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }
    /// When it is tried next (while PENDING).
    async fn next_attempt_at(&self) -> Option<DateTime<Utc>> {
        (self.0.state == entity::DeliveryState::Pending).then_some(self.0.next_attempt_at)
    }
    /// When it was last tried.
    async fn last_attempt_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_attempt_at
    }
    /// The HTTP status of the last answer (none when the receiver could not be reached).
    async fn last_status(&self) -> Option<i32> {
        self.0.last_status
    }
    /// Why the last attempt failed.
    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }
    /// When the receiver accepted it.
    async fn delivered_at(&self) -> Option<DateTime<Utc>> {
        self.0.delivered_at
    }
    /// When its write committed it to the outbox.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// Counts a delivery listing.
pub struct DeliveryCount(DeliveryCriteria);

impl DeliveryCount {
    pub async fn total(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        Ok(deliveries::count(reading(ctx)?.unversioned(), &self.0).await?)
    }
}

connection!(
    WebhookDeliveryConnection,
    WebhookDeliveryEdge,
    WebhookDelivery,
    webhook_delivery::Model,
    WebhookDelivery,
    |d: &webhook_delivery::Model| d.id,
    DeliveryCount,
    "webhook deliveries"
);

/// Conditions on deliveries; all given fields must hold.
#[derive(Debug, Clone, Default, InputObject)]
pub struct WebhookDeliveryFilter {
    /// Deliveries to this webhook.
    pub webhook_id: Option<ID>,
    /// Deliveries in this state.
    pub state: Option<WebhookDeliveryState>,
    /// Deliveries of this action (`report.submitted`, …).
    pub action: Option<String>,
    /// Deliveries of this audit event.
    pub event_id: Option<ID>,
}

impl WebhookDeliveryFilter {
    fn criteria(self) -> async_graphql::Result<DeliveryCriteria> {
        if let Some(a) = &self.action
            && Action::parse(a).is_none_or(|a| !a.is_deliverable())
        {
            let known: Vec<&str> = Action::deliverable().map(Action::as_str).collect();
            return Err(ApiError::bad_input(format!(
                "unknown event \"{}\"; one of {}",
                ids::truncate(a),
                known.join(", ")
            ))
            .into());
        }
        let dec = |id: &Option<ID>, t| id.as_ref().map(|id| ids::decode(id, t)).transpose();
        Ok(DeliveryCriteria {
            webhook_id: dec(&self.webhook_id, NodeType::Webhook)?,
            state: self.state.map(Into::into),
            action: self.action,
            event_id: dec(&self.event_id, NodeType::Event)?,
        })
    }
}

/// Webhook queries (ADMIN).
#[derive(Default)]
pub struct WebhookQuery;

/// Webhook queries (ADMIN).
#[Object]
impl WebhookQuery {
    /// Webhooks not removed, oldest first (ADMIN).
    async fn webhooks(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Webhook>> {
        viewer(ctx).require_admin()?;
        let rows = crate::service::webhooks::list(super::context::reading(ctx)?.versioned()).await?;
        Ok(rows.into_iter().map(Webhook).collect())
    }

    /// Deliveries of the outbox, newest first (ADMIN). Never answered from the response cache:
    /// attempts change them without a write.
    async fn webhook_deliveries(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Conditions the deliveries meet.")] filter: Option<WebhookDeliveryFilter>,
        #[graphql(desc = "Rows from the start (default 100, at most 500).")] first: Option<i32>,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
        #[graphql(desc = "Rows from the end.")] last: Option<i32>,
        #[graphql(desc = "End before this cursor.")] before: Option<String>,
    ) -> async_graphql::Result<WebhookDeliveryConnection> {
        viewer(ctx).require_admin()?;
        let criteria = filter.unwrap_or_default().criteria()?;
        let page = PageArgs::new(first, after, last, before).request(state(ctx)?.limits.max_page_size, true)?;
        let rows = deliveries::list(reading(ctx)?.unversioned(), &criteria, page).await?;
        Ok(WebhookDeliveryConnection { page: rows, count: DeliveryCount(criteria) })
    }
}
