//! The in-process bus of report submissions that subscriptions listen to.

use tokio::sync::broadcast;

/// A report revision was stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportSubmitted {
    pub report_id: i64,
    pub task_id: i64,
    pub department_id: i64,
    pub period_id: i64,
    pub revision: i32,
}

/// Fan-out of [`ReportSubmitted`] to every subscriber of this process.
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
    pub fn publish(&self, event: ReportSubmitted) {
        // No subscriber is not an error.
        let _ = self.tx.send(event);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<ReportSubmitted> {
        self.tx.subscribe()
    }
}
