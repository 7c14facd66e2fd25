//! The bus of report submissions that subscriptions listen to.
//!
//! On SQLite (one process) a submission goes straight to this process's subscribers. On
//! PostgreSQL it goes out through `NOTIFY`, and every replica's listener (this one included)
//! hands it to its own subscribers, so a report submitted through one replica reaches the
//! subscribers of all of them.

use std::time::Duration;

use sea_orm::sqlx::postgres::PgListener;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

/// The PostgreSQL channel submissions travel on.
pub const CHANNEL: &str = "qingdan_report_submitted";

/// A report revision was stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportSubmitted {
    pub report_id: i64,
    pub task_id: i64,
    pub department_id: i64,
    pub period_id: i64,
    pub revision: i32,
}

/// Fan-out of [`ReportSubmitted`] to every subscriber.
#[derive(Debug, Clone)]
pub struct ReportEvents {
    tx: broadcast::Sender<ReportSubmitted>,
}

impl Default for ReportEvents {
    fn default() -> Self {
        Self { tx: broadcast::channel(1024).0 }
    }
}

impl ReportEvents {
    /// Announces a committed submission: through NOTIFY on PostgreSQL, directly otherwise.
    pub async fn publish(&self, db: &DatabaseConnection, event: ReportSubmitted) {
        if db.get_database_backend() == DbBackend::Postgres {
            let payload = serde_json::to_string(&event).unwrap_or_default();
            let stmt = Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT pg_notify($1, $2)",
                [CHANNEL.into(), payload.into()],
            );
            if let Err(e) = db.execute_raw(stmt).await {
                // The report is stored; only live subscribers miss it. Deliver locally at least.
                tracing::warn!(error = %e, "NOTIFY failed; delivering the submission to local subscribers only");
                self.deliver(event);
            }
        } else {
            self.deliver(event);
        }
    }

    fn deliver(&self, event: ReportSubmitted) {
        // No subscriber is not an error.
        let _ = self.tx.send(event);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<ReportSubmitted> {
        self.tx.subscribe()
    }

    /// Listens on PostgreSQL for submissions of every replica, reconnecting after outages.
    pub fn spawn_listener(&self, url: String) {
        let events = self.clone();
        tokio::spawn(async move {
            loop {
                if let Err(e) = events.listen(&url).await {
                    tracing::warn!(error = %e, "report listener lost its connection; reconnecting");
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        });
    }

    async fn listen(&self, url: &str) -> Result<(), sea_orm::sqlx::Error> {
        let mut listener = PgListener::connect(url).await?;
        listener.listen(CHANNEL).await?;
        loop {
            let n = listener.recv().await?;
            match serde_json::from_str::<ReportSubmitted>(n.payload()) {
                Ok(event) => self.deliver(event),
                Err(e) => tracing::warn!(error = %e, "unreadable report notification"),
            }
        }
    }
}
