//! The outbox: a write's events owed to webhooks, added in the write's own transaction, so that
//! an event is owed exactly when its write committed (none is lost to a crash after the commit,
//! none is sent for a write rolled back).

use chrono::{DateTime, Utc};
use entity::audit_event;
use sea_orm::{ConnectionTrait, DbErr};

use crate::service::sql::Sql;
use crate::service::writes::Action;

/// Queues `event` for every webhook subscribed to `action`: one statement, whatever their number.
pub async fn enqueue(
    txn: &impl ConnectionTrait,
    event: &audit_event::Model,
    action: Action,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    if !action.is_deliverable() {
        return Ok(());
    }
    let mut q = Sql::new(txn.get_database_backend());
    q.push(
        "INSERT INTO webhook_delivery (webhook_id, event_id, action, state, attempts, next_attempt_at, created_at) \
         SELECT w.id, ",
    )
    .bind(event.id)
    .push(", ")
    .bind(action.as_str())
    .push(", 'PENDING', 0, ")
    .bind(now)
    .push(", ")
    .bind(now)
    .push(" FROM webhook w WHERE w.removed_at IS NULL AND (w.events = ")
    .bind(super::ALL_EVENTS)
    .push(" OR w.events LIKE ")
    // Action names hold neither `%` nor `_`.
    .bind(format!("%,{},%", action.as_str()))
    .push(")");
    txn.execute_raw(q.build()).await?;
    Ok(())
}
