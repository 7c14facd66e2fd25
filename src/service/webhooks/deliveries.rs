//! The outbox as ADMIN reads it (`webhookDeliveries`, `qingdan webhook list`).

use std::collections::HashMap;

use entity::{DeliveryState, webhook_delivery};
use sea_orm::{ActiveEnum as _, ConnectionTrait, FromQueryResult};

use crate::error::ApiResult;
use crate::service::page::{Page, PageRequest};
use crate::service::sql::Sql;

/// Which deliveries; all given conditions hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryCriteria {
    pub webhook_id: Option<i64>,
    pub state: Option<DeliveryState>,
    pub action: Option<String>,
    pub event_id: Option<i64>,
}

impl DeliveryCriteria {
    fn write_sql(&self, q: &mut Sql) {
        q.push("1 = 1");
        if let Some(v) = self.webhook_id {
            q.push(" AND d.webhook_id = ").bind(v);
        }
        if let Some(v) = self.state {
            q.push(" AND d.state = ").bind(v.to_value());
        }
        if let Some(v) = &self.action {
            q.push(" AND d.action = ").bind(v.clone());
        }
        if let Some(v) = self.event_id {
            q.push(" AND d.event_id = ").bind(v);
        }
    }
}

/// One page of deliveries, newest first.
pub async fn list(
    db: &impl ConnectionTrait,
    criteria: &DeliveryCriteria,
    page: PageRequest,
) -> ApiResult<Page<webhook_delivery::Model>> {
    let mut q = Sql::new(db.get_database_backend());
    q.push("SELECT d.* FROM webhook_delivery d WHERE ");
    criteria.write_sql(&mut q);
    let (lower, upper) = page.id_bounds();
    if let Some(id) = lower {
        q.push(" AND d.id > ").bind(id);
    }
    if let Some(id) = upper {
        q.push(" AND d.id < ").bind(id);
    }
    q.push(if page.scan_descending() { " ORDER BY d.id DESC LIMIT " } else { " ORDER BY d.id LIMIT " });
    q.bind(page.limit as i64 + 1);
    Ok(page.finish(webhook_delivery::Model::find_by_statement(q.build()).all(db).await?))
}

/// How many deliveries match.
pub async fn count(db: &impl ConnectionTrait, criteria: &DeliveryCriteria) -> ApiResult<i64> {
    let mut q = Sql::new(db.get_database_backend());
    q.push("SELECT COUNT(*) AS n FROM webhook_delivery d WHERE ");
    criteria.write_sql(&mut q);
    Ok(match db.query_one_raw(q.build()).await? {
        Some(r) => r.try_get::<i64>("", "n")?,
        None => 0,
    })
}

/// A webhook's deliveries by state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StateCounts {
    pub pending: i64,
    pub delivered: i64,
    pub failed: i64,
    pub cancelled: i64,
}

/// Deliveries by state of every webhook.
pub async fn counts_by_webhook(db: &impl ConnectionTrait) -> ApiResult<HashMap<i64, StateCounts>> {
    #[derive(FromQueryResult)]
    struct Row {
        webhook_id: i64,
        state: String,
        n: i64,
    }
    let stmt = sea_orm::Statement::from_string(
        db.get_database_backend(),
        "SELECT webhook_id, state, COUNT(*) AS n FROM webhook_delivery GROUP BY webhook_id, state",
    );
    let mut out: HashMap<i64, StateCounts> = HashMap::new();
    for r in Row::find_by_statement(stmt).all(db).await? {
        let c = out.entry(r.webhook_id).or_default();
        match DeliveryState::try_from_value(&r.state).ok() {
            Some(DeliveryState::Pending) => c.pending += r.n,
            Some(DeliveryState::Delivered) => c.delivered += r.n,
            Some(DeliveryState::Failed) => c.failed += r.n,
            Some(DeliveryState::Cancelled) => c.cancelled += r.n,
            None => {}
        }
    }
    Ok(out)
}
