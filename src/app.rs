//! The state every request shares.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::clock::Clock;
use crate::config::Limits;
use crate::metrics::Metrics;
use crate::service::events::ReportEvents;
use crate::service::list::ListSnapshots;
use crate::service::tokens::TokenCache;

/// Shared state: the pool, counters, limits, clock and the report event bus.
#[derive(Clone)]
pub struct AppState {
    /// The primary: writes, tokens, and reads that must see them. Resolvers never take it: they
    /// read through [`crate::graphql::context::Reading`], writes go through `writer`.
    db: DatabaseConnection,
    /// Where queries read: a read replica when configured, else the primary.
    read_db: DatabaseConnection,
    /// The versions as `read_db` holds them, one statement shared by the requests waiting for it.
    pub read_versions: crate::service::versions::SharedVersions,
    pub metrics: Arc<Metrics>,
    pub limits: Limits,
    pub events: ReportEvents,
    /// Read through [`crate::graphql::context::Reading::now`] on the read path, so that an
    /// answer that depends on the time is never kept; writes take [`AppState::write_clock`].
    clock: Clock,
    /// Tokens verified lately (see [`Limits::token_cache_ms`]).
    pub tokens: TokenCache,
    /// Single sign-on by JWT, when an issuer is configured.
    pub sso: Option<Arc<crate::service::sso::Sso>>,
    /// The list at its current version, shared by every request.
    pub snapshots: ListSnapshots,
    /// The reports and supervision rows, held by this process and brought up to date by version.
    pub reports: crate::service::report_store::ReportStore,
    /// The only way to write (see [`crate::service::writer`]).
    pub writer: crate::service::writer::Writer,
}

impl AppState {
    /// Connects to `url`, migrates, and wires the counters.
    pub async fn connect(url: &str, limits: Limits) -> anyhow::Result<Self> {
        Self::connect_with_replica(url, None, limits).await
    }

    /// Like [`AppState::connect`], with queries served by `read_url` (a read replica).
    pub async fn connect_with_replica(url: &str, read_url: Option<&str>, limits: Limits) -> anyhow::Result<Self> {
        use crate::db::{describe, redact};
        let metrics = Arc::new(Metrics::default());
        let opening = |url: &str, e: &sea_orm::DbErr| {
            anyhow::anyhow!("cannot open the database {}: {}", redact(url), describe(e))
        };
        let db = match crate::db::connect(url, metrics.clone()).await {
            Ok(db) => db,
            Err(e) if crate::db::is_missing_database(&e) => {
                let name = crate::db::create_database(url).await.map_err(|why| {
                    anyhow::anyhow!(
                        "the database of {} does not exist, and creating it failed ({why:#}); create it (createdb, or CREATE DATABASE) and start again",
                        redact(url)
                    )
                })?;
                tracing::warn!(database = %name, "the database did not exist: created it");
                crate::db::connect(url, metrics.clone()).await.map_err(|e| opening(url, &e))?
            }
            Err(e) => return Err(opening(url, &e)),
        };
        crate::db::migrate(&db)
            .await
            .map_err(|e| anyhow::anyhow!("cannot migrate the database {}: {}", redact(url), describe(&e)))?;
        let read_db = match read_url {
            Some(r) => crate::db::connect(r, metrics.clone()).await.map_err(|e| opening(r, &e))?,
            None => db.clone(),
        };
        let sso = crate::settings::single_sign_on(&limits).await?;
        let events = ReportEvents::default();
        if url.starts_with("postgres") {
            events.spawn_listener(url.to_owned());
        }
        let clock = Clock::default();
        let writer = crate::service::writer::Writer::new(db.clone(), clock.clone(), events.clone());
        Ok(Self {
            db,
            read_versions: crate::service::versions::SharedVersions::new(read_db.clone()),
            read_db,
            metrics,
            limits,
            events,
            clock,
            tokens: TokenCache::default(),
            sso,
            snapshots: ListSnapshots::default(),
            reports: crate::service::report_store::ReportStore::default(),
            writer,
        })
    }

    /// The same state with `clock` for "now" (tests of deadlines stop it).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.writer = self.writer.with_clock(clock.clone());
        self.clock = clock;
        self
    }

    /// The primary, for the command line, the health check, the request's sign-in and
    /// [`crate::graphql::context::Reading`] (resolvers read through that).
    pub fn primary(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Where queries read (a replica, when configured), for `Reading` and the ledger downloads.
    pub(crate) fn replica(&self) -> &DatabaseConnection {
        &self.read_db
    }

    /// The clock, for a write's timestamps (and for tests that move a stopped clock).
    pub fn write_clock(&self) -> Clock {
        self.clock.clone()
    }

    /// The clock, for [`crate::graphql::context::Reading`] and the ledger exports, whose answers
    /// are never kept.
    pub(crate) fn clock(&self) -> Clock {
        self.clock.clone()
    }
}
