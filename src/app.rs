//! The state every request shares.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::clock::Clock;
use crate::config::Limits;
use crate::metrics::Metrics;
use crate::service::events::ReportEvents;

/// Shared state: the pool, counters, limits, clock and the report event bus.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub metrics: Arc<Metrics>,
    pub limits: Limits,
    pub events: ReportEvents,
    pub clock: Clock,
    /// SQLite has one writer: in-process writers queue here instead of failing with
    /// SQLITE_BUSY on a lock upgrade. Unused on PostgreSQL.
    pub write_lock: Arc<tokio::sync::Mutex<()>>,
}

impl AppState {
    /// Connects to `url`, migrates, and wires the counters.
    pub async fn connect(url: &str, limits: Limits) -> anyhow::Result<Self> {
        let metrics = Arc::new(Metrics::default());
        let db = crate::db::connect(url, metrics.clone()).await?;
        crate::db::migrate(&db).await?;
        Ok(Self {
            db,
            metrics,
            limits,
            events: ReportEvents::default(),
            clock: Clock::default(),
            write_lock: Arc::default(),
        })
    }

    /// Holds the writer lock on SQLite; nothing on PostgreSQL.
    pub async fn writer(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        if crate::db::is_sqlite(&self.db) { Some(self.write_lock.lock().await) } else { None }
    }
}
