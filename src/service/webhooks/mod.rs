//! Webhooks (SPEC §9): receivers told of what happens instead of polling.
//!
//! Every write queues its event for the webhooks subscribed to its action in its own transaction
//! ([`outbox`], called by [`crate::service::writes::record`]); a [`worker`] in each serving
//! process takes due deliveries (on PostgreSQL with `FOR UPDATE SKIP LOCKED`, so that on several
//! replicas each is taken by one), POSTs them signed ([`signature`]) and retries with backoff
//! until a 2xx or the last attempt. Nothing acknowledged is lost: the outbox row is committed
//! with the write, and a delivery taken by a worker that dies is taken again when its lease ends.

pub mod deliveries;
pub mod outbox;
pub mod payload;
pub mod signature;
pub mod worker;

use entity::{DeliveryState, webhook, webhook_delivery};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveEnum as _, ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::writer::Writer;
use super::writes::{Action, Actor, Change, Write};
use crate::error::{ApiError, ApiResult};

/// What a webhook subscribes to: every action webhooks receive (stored as `*`, so that actions
/// added later reach it too), or the ones named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subscription {
    All,
    Only(Vec<Action>),
}

impl Subscription {
    /// As stored in `webhook.events`: `*`, or `,name,name,` (matched by `LIKE '%,name,%'`).
    fn stored(&self) -> String {
        match self {
            Self::All => ALL_EVENTS.to_owned(),
            Self::Only(actions) => {
                format!(",{},", actions.iter().map(|a| a.as_str()).collect::<Vec<_>>().join(","))
            }
        }
    }
}

/// `webhook.events` of a webhook subscribed to every event.
pub const ALL_EVENTS: &str = "*";

/// The subscription `names` ask for (comma-separated; none, or `*`: every event), checked.
pub fn parse_events(names: &[String]) -> ApiResult<Subscription> {
    let names: Vec<&str> = names.iter().flat_map(|n| n.split(',')).map(str::trim).filter(|n| !n.is_empty()).collect();
    if names.is_empty() || names == [ALL_EVENTS] {
        return Ok(Subscription::All);
    }
    let mut actions = Vec::new();
    for name in names {
        let action = Action::parse(name).filter(|a| a.is_deliverable()).ok_or_else(|| {
            let known: Vec<&str> = Action::deliverable().map(Action::as_str).collect();
            ApiError::bad_input(format!("unknown event \"{name}\"; one of {} (or * for all)", known.join(", ")))
        })?;
        if !actions.contains(&action) {
            actions.push(action);
        }
    }
    Ok(Subscription::Only(actions))
}

/// The names of the actions `webhook` receives now.
pub fn event_names(webhook: &webhook::Model) -> Vec<&str> {
    if webhook.events == ALL_EVENTS {
        Action::deliverable().map(Action::as_str).collect()
    } else {
        webhook.event_names()
    }
}

/// Checks a receiver's address: an absolute http(s) URL with a host.
pub fn check_url(url: &str) -> ApiResult<()> {
    let parsed = reqwest::Url::parse(url).map_err(|e| ApiError::bad_input(format!("not a URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none_or(str::is_empty) {
        return Err(ApiError::bad_input("a webhook URL is http:// or https:// with a host"));
    }
    Ok(())
}

/// Adds a webhook; the audit trail records it (never its secret).
pub async fn add(
    writer: &Writer,
    actor: &Actor,
    url: &str,
    secret: &str,
    events: &Subscription,
) -> ApiResult<webhook::Model> {
    check_url(url)?;
    if secret.len() < 16 {
        return Err(ApiError::bad_input("a webhook secret has at least 16 characters"));
    }
    if matches!(events, Subscription::Only(a) if a.is_empty()) {
        return Err(ApiError::bad_input("a webhook subscribes to at least one event"));
    }
    let w = writer.begin().await?;
    let (txn, now) = (w.txn(), w.now());
    let row = webhook::ActiveModel {
        id: NotSet,
        url: Set(url.to_owned()),
        secret: Set(secret.to_owned()),
        events: Set(events.stored()),
        created_at: Set(now),
        removed_at: Set(None),
    }
    .insert(txn)
    .await?;
    let after = serde_json::json!({ "url": row.url, "events": stored_names(&row) });
    w.commit(actor, Change::new(Write::new(Action::WebhookAdded, row.id), None, Some(after))).await?;
    Ok(row)
}

/// Webhooks not removed, oldest first.
pub async fn list(db: &impl ConnectionTrait) -> ApiResult<Vec<webhook::Model>> {
    Ok(webhook::Entity::find()
        .filter(webhook::Column::RemovedAt.is_null())
        .order_by_asc(webhook::Column::Id)
        .all(db)
        .await?)
}

/// Removes a webhook and cancels what it was still owed; false when there is no such webhook.
pub async fn remove(writer: &Writer, actor: &Actor, id: i64) -> ApiResult<bool> {
    let w = writer.begin().await?;
    let (txn, now) = (w.txn(), w.now());
    let Some(row) = webhook::Entity::find_by_id(id).filter(webhook::Column::RemovedAt.is_null()).one(txn).await? else {
        return Ok(false);
    };
    let before = serde_json::json!({ "url": row.url, "events": stored_names(&row) });
    let mut active: webhook::ActiveModel = row.into();
    active.removed_at = Set(Some(now));
    active.update(txn).await?;
    webhook_delivery::Entity::update_many()
        .col_expr(webhook_delivery::Column::State, Expr::value(DeliveryState::Cancelled.to_value()))
        .filter(webhook_delivery::Column::WebhookId.eq(id))
        .filter(webhook_delivery::Column::State.eq(DeliveryState::Pending))
        .exec(txn)
        .await?;
    w.commit(actor, Change::new(Write::new(Action::WebhookRemoved, id), Some(before), None)).await?;
    Ok(true)
}

/// The events of `webhook` as the audit trail records them: `["*"]` for every event.
fn stored_names(webhook: &webhook::Model) -> Vec<&str> {
    if webhook.events == ALL_EVENTS { vec![ALL_EVENTS] } else { webhook.event_names() }
}
