//! The state every request shares.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::config::Limits;
use crate::metrics::Metrics;
use crate::service::events::ReportEvents;

/// Shared state: the pool, counters, limits and the report event bus.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub metrics: Arc<Metrics>,
    pub limits: Limits,
    pub events: ReportEvents,
}

impl AppState {
    /// Connects to `url`, migrates, and wires the counters.
    pub async fn connect(url: &str, limits: Limits) -> anyhow::Result<Self> {
        let metrics = Arc::new(Metrics::default());
        let db = crate::db::connect(url, metrics.clone()).await?;
        crate::db::migrate(&db).await?;
        Ok(Self { db, metrics, limits, events: ReportEvents::default() })
    }
}
