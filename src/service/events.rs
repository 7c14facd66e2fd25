//! The bus of committed writes that subscriptions listen to (`reportSubmitted`,
//! `supervisionEvents`).
//!
//! On SQLite (one process) a write goes straight to this process's subscribers. On PostgreSQL it
//! goes out through `NOTIFY`, and every replica's listener (this one included) hands it to its
//! own subscribers, so a write through one replica reaches the subscribers of all of them.

use std::time::Duration;

use sea_orm::sqlx::postgres::PgListener;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

use super::writes::{Action, Committed, Obligated};

/// The PostgreSQL channel writes travel on.
pub const CHANNEL: &str = "qingdan_writes";

/// A write was committed: its audit event, and what subscribers filter on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Happened {
    pub event_id: i64,
    pub action: Action,
    pub at: Option<Obligated>,
    /// The report, for a submission or a review.
    pub report_id: Option<i64>,
}

impl Happened {
    pub fn of(committed: &Committed, report_id: Option<i64>) -> Self {
        Self { event_id: committed.event.id, action: committed.action, at: committed.at, report_id }
    }
}

/// Fan-out of [`Happened`] to every subscriber.
#[derive(Debug, Clone)]
pub struct ReportEvents {
    tx: broadcast::Sender<Happened>,
}

impl Default for ReportEvents {
    fn default() -> Self {
        Self { tx: broadcast::channel(1024).0 }
    }
}

impl ReportEvents {
    /// Announces a committed write: through NOTIFY on PostgreSQL, directly otherwise.
    pub async fn publish(&self, db: &DatabaseConnection, event: Happened) {
        if db.get_database_backend() == DbBackend::Postgres {
            let payload = serde_json::to_string(&event).unwrap_or_default();
            let stmt = Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT pg_notify($1, $2)",
                [CHANNEL.into(), payload.into()],
            );
            if let Err(e) = db.execute_raw(stmt).await {
                // The report is stored; only live subscribers miss it. Deliver locally at least.
                tracing::warn!(error = %e, "NOTIFY failed; delivering the write to local subscribers only");
                self.deliver(event);
            }
        } else {
            self.deliver(event);
        }
    }

    fn deliver(&self, event: Happened) {
        // No subscriber is not an error.
        let _ = self.tx.send(event);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Happened> {
        self.tx.subscribe()
    }

    /// Listens on PostgreSQL for the writes of every replica, reconnecting after outages.
    pub fn spawn_listener(&self, url: String) {
        let events = self.clone();
        tokio::spawn(async move {
            loop {
                if let Err(e) = events.listen(&url).await {
                    tracing::warn!(error = %e, "write listener lost its connection; reconnecting");
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
            match serde_json::from_str::<Happened>(n.payload()) {
                Ok(event) => self.deliver(event),
                Err(e) => tracing::warn!(error = %e, "unreadable write notification"),
            }
        }
    }
}
