//! The delivery worker: one per serving process. It takes due deliveries from the outbox, POSTs
//! them, and records each attempt; a write never waits for it.
//!
//! A delivery is *taken* by moving its `next_attempt_at` one lease ahead in the same statement
//! that selects it (on PostgreSQL `FOR UPDATE SKIP LOCKED`: replicas never take the same row).
//! If the process dies before recording the attempt, the row falls due again when the lease
//! ends and another worker (or this one, restarted) sends it again: at least once.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use entity::{DeliveryState, audit_event, webhook, webhook_delivery};
use rand::Rng as _;
use sea_orm::{
    ActiveEnum as _, ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, FromQueryResult, QueryFilter,
};
use tokio::sync::Semaphore;

use super::payload;
use super::signature::{Backoff, message_id, sign, standard};
use crate::service::sql::Sql;

/// How the worker sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// The longest wait for a receiver's answer.
    pub timeout: Duration,
    pub backoff: Backoff,
    /// Deliveries in flight at once.
    pub concurrency: usize,
    /// The longest sleep between two looks at the outbox (writes wake the worker sooner).
    pub poll: Duration,
}

impl Settings {
    /// How long a taken delivery is this worker's before another may take it again.
    fn lease(&self) -> Duration {
        self.timeout * 2 + Duration::from_secs(1)
    }
}

/// What the worker needs of its process: where to read and write, the writes' announcements
/// (which wake it), the counters, the write clock and how to send.
#[derive(Clone)]
pub struct Worker {
    pub db: sea_orm::DatabaseConnection,
    pub writer: crate::service::writer::Writer,
    pub events: crate::service::events::ReportEvents,
    pub metrics: Arc<crate::metrics::Metrics>,
    pub clock: crate::clock::Clock,
    pub settings: Settings,
}

/// Starts the worker of a serving process.
pub fn spawn(state: Worker) -> tokio::task::JoinHandle<()> {
    let settings = state.settings;
    tokio::spawn(async move {
        let http = match reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("qingdan-webhooks/", env!("CARGO_PKG_VERSION")))
            .timeout(settings.timeout)
            .build()
        {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(error = %e, "cannot build the webhook HTTP client; webhooks are not delivered");
                return;
            }
        };
        run(state, http, settings).await;
    })
}

async fn run(state: Worker, http: reqwest::Client, settings: Settings) {
    let permits = Arc::new(Semaphore::new(settings.concurrency.max(1)));
    let mut writes = state.events.subscribe();
    loop {
        // A read first: a worker with nothing due never takes the write lock (on SQLite it would
        // stand in the way of other processes' writers).
        let due = match next_due(&state).await {
            Ok(due) => due,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the webhook outbox; trying again");
                tokio::time::sleep(settings.poll).await;
                continue;
            }
        };
        let now = state.clock.now();
        let wait = match due {
            Some(at) if at <= now => {
                let free = permits.available_permits();
                if free == 0 {
                    // Every sender is busy: wait for one to finish.
                    drop(permits.acquire().await);
                    continue;
                }
                match take(&state, &settings, free).await {
                    Ok(taken) if taken.is_empty() => {
                        // Another replica holds them: its lease shows shortly.
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                    Ok(taken) => {
                        for job in taken {
                            let Ok(permit) = permits.clone().acquire_owned().await else { return };
                            let (state, http) = (state.clone(), http.clone());
                            tokio::spawn(async move {
                                deliver(&state, &http, &settings, job).await;
                                drop(permit);
                            });
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot take webhook deliveries; trying again");
                        tokio::time::sleep(settings.poll).await;
                    }
                }
                continue;
            }
            Some(at) => (at - now).to_std().unwrap_or(Duration::ZERO).min(settings.poll),
            None => settings.poll,
        };
        tokio::select! {
            () = tokio::time::sleep(wait.max(Duration::from_millis(5))) => {}
            // A write may have queued something: look now.
            _ = writes.recv() => {}
        }
    }
}

/// A taken delivery with what it needs to be sent.
struct Job {
    delivery: webhook_delivery::Model,
    webhook: webhook::Model,
    event: audit_event::Model,
}

/// Takes up to `limit` due deliveries (one more attempt each) with their webhooks and events.
async fn take(state: &Worker, settings: &Settings, limit: usize) -> Result<Vec<Job>, DbErr> {
    let db = &state.db;
    let now = state.clock.now();
    let lease_until = now + chrono::Duration::from_std(settings.lease()).unwrap_or(chrono::Duration::minutes(1));
    let backend = db.get_database_backend();
    let mut q = Sql::new(backend);
    q.push("UPDATE webhook_delivery SET attempts = attempts + 1, last_attempt_at = ")
        .bind(now)
        .push(", next_attempt_at = ")
        .bind(lease_until)
        .push(" WHERE id IN (SELECT id FROM webhook_delivery WHERE state = 'PENDING' AND next_attempt_at <= ")
        .bind(now)
        .push(" ORDER BY next_attempt_at, id LIMIT ")
        .bind(limit as i64);
    if backend == DbBackend::Postgres {
        q.push(" FOR UPDATE SKIP LOCKED");
    }
    q.push(") RETURNING *");
    let taken = {
        let _writer = state.writer.turn().await;
        webhook_delivery::Model::find_by_statement(q.build()).all(db).await?
    };
    if taken.is_empty() {
        return Ok(Vec::new());
    }
    let hook_ids: Vec<i64> = taken.iter().map(|d| d.webhook_id).collect();
    let event_ids: Vec<i64> = taken.iter().map(|d| d.event_id).collect();
    let hooks: HashMap<i64, webhook::Model> = webhook::Entity::find()
        .filter(webhook::Column::Id.is_in(hook_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|w| (w.id, w))
        .collect();
    let events: HashMap<i64, audit_event::Model> = audit_event::Entity::find()
        .filter(audit_event::Column::Id.is_in(event_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|e| (e.id, e))
        .collect();
    Ok(taken
        .into_iter()
        .filter_map(|delivery| {
            let webhook = hooks.get(&delivery.webhook_id)?.clone();
            let event = events.get(&delivery.event_id)?.clone();
            Some(Job { delivery, webhook, event })
        })
        .collect())
}

/// When the next pending delivery falls due.
async fn next_due(state: &Worker) -> Result<Option<DateTime<Utc>>, DbErr> {
    #[derive(FromQueryResult)]
    struct Due {
        at: Option<DateTime<Utc>>,
    }
    let stmt = sea_orm::Statement::from_string(
        state.db.get_database_backend(),
        "SELECT MIN(next_attempt_at) AS at FROM webhook_delivery WHERE state = 'PENDING'",
    );
    Ok(Due::find_by_statement(stmt).one(&state.db).await?.and_then(|d| d.at))
}

/// One attempt: POST, then record what came of it.
async fn deliver(state: &Worker, http: &reqwest::Client, settings: &Settings, job: Job) {
    let Job { delivery, webhook, event } = job;
    let body = payload::body(delivery.id, &event);
    let signature = sign(&webhook.secret, &body);
    let id = message_id(&webhook.secret, delivery.id, event.id, &event.at.to_rfc3339());
    let mut post = http
        .post(&webhook.url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        // The headers of earlier releases, kept for one release beside the standard ones.
        .header("X-Qingdan-Event", &event.action)
        .header("X-Qingdan-Delivery", delivery.id.to_string())
        .header("X-Qingdan-Signature", signature);
    // Real time, not the rehearsal clock: receivers refuse a timestamp far from their own.
    for (name, value) in standard(&webhook.secret, &id, Utc::now().timestamp(), &body) {
        post = post.header(name, value);
    }
    let sent = post.body(body).send().await;
    let outcome = match sent {
        Ok(r) if r.status().is_success() => Outcome::Delivered(r.status().as_u16()),
        Ok(r) => Outcome::Failed(Some(r.status().as_u16()), format!("HTTP {}", r.status())),
        Err(e) => Outcome::Failed(None, error_text(&e)),
    };
    if let Outcome::Failed(_, why) = &outcome {
        tracing::info!(delivery = delivery.id, attempt = delivery.attempts, url = %webhook.url, error = %why, "webhook delivery failed");
    }
    state.metrics.record_webhook(matches!(outcome, Outcome::Delivered(_)));
    let unit: f64 = rand::rng().random();
    if let Err(e) = record(state, settings, &delivery, outcome, unit).await {
        // The lease runs out and the delivery is sent again: at least once.
        tracing::warn!(delivery = delivery.id, error = %e, "cannot record a webhook attempt");
    }
}

enum Outcome {
    Delivered(u16),
    Failed(Option<u16>, String),
}

/// The cause of a transport error, without the URL's query.
fn error_text(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else {
        "request failed"
    };
    let mut text = kind.to_owned();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text = format!("{text}: {s}");
        source = s.source();
    }
    text
}

async fn record(
    state: &Worker,
    settings: &Settings,
    delivery: &webhook_delivery::Model,
    outcome: Outcome,
    unit: f64,
) -> Result<(), DbErr> {
    let now = state.clock.now();
    let mut q = Sql::new(state.db.get_database_backend());
    match outcome {
        Outcome::Delivered(status) => {
            q.push("UPDATE webhook_delivery SET state = ")
                .bind(DeliveryState::Delivered.to_value())
                .push(", delivered_at = ")
                .bind(now)
                .push(", last_status = ")
                .bind(i32::from(status))
                .push(", last_error = NULL");
        }
        Outcome::Failed(status, why) => {
            q.push("UPDATE webhook_delivery SET last_status = ")
                .bind(status.map(i32::from))
                .push(", last_error = ")
                .bind(why);
            match settings.backoff.after(delivery.attempts, unit) {
                Some(wait) => {
                    let at = now + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::hours(1));
                    q.push(", next_attempt_at = ").bind(at);
                }
                None => {
                    q.push(", state = ").bind(DeliveryState::Failed.to_value());
                }
            }
        }
    }
    // A removal may have cancelled it meanwhile: that stands.
    q.push(" WHERE id = ").bind(delivery.id).push(" AND state = 'PENDING'");
    let _writer = state.writer.turn().await;
    state.db.execute_raw(q.build()).await?;
    Ok(())
}
