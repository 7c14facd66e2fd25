//! What resolvers take from the request context, and [`Reading`]: the only way a resolver reads
//! the list, the reports or the clock.

use std::hash::Hash;
use std::sync::Arc;

use async_graphql::Context;
use async_graphql::dataloader::{DataLoader, Loader, NoCache};
use chrono::{DateTime, Utc};

use super::loaders::ReportLoader;
use super::response_cache::ResponseNote;
use crate::app::AppState;
use crate::clock::Clock;
use crate::error::{ApiError, ApiResult};
use crate::service::list::{ListSnapshot, ListSnapshots};
use crate::service::report_store::{HeldRows, ReportStore};
use crate::service::versions::{Versions, versions};

/// What one request reads from. It holds one list snapshot from its first use to the end of the
/// request (a request never mixes two versions of the list), a loader that keeps nothing past a
/// batch, and the clock, whose every reading marks the answer as one never given again.
pub struct Reading {
    list: tokio::sync::OnceCell<Arc<ListSnapshot>>,
    /// A subscription's session reads the list afresh at each event instead of holding one.
    hold: bool,
    snapshots: ListSnapshots,
    seen: Arc<Seen>,
    reports_store: ReportStore,
    reports: DataLoader<ReportLoader, NoCache>,
    clock: Clock,
    note: Arc<ResponseNote>,
}

/// The versions a request reads at, and where it reads. A query reads at the versions it first
/// read, to its end; an operation that writes (and a subscription's session) reads them again for
/// each batch of rows, so that what it shows after its write includes the write.
pub struct Seen {
    db: sea_orm::DatabaseConnection,
    hold: bool,
    versions: tokio::sync::OnceCell<Versions>,
}

impl Seen {
    /// Where this request reads.
    pub fn db(&self) -> &sea_orm::DatabaseConnection {
        &self.db
    }

    /// The versions to read at.
    pub async fn versions(&self) -> ApiResult<Versions> {
        if !self.hold {
            return versions(&self.db).await;
        }
        Ok(self.versions.get_or_try_init(|| versions(&self.db)).await?.clone())
    }
}

impl Reading {
    /// What a request reads from. Reads go to `db`: the primary for an operation that may write
    /// (its payload must show the write), else where queries read. `query` says which: a query
    /// reads at one version of the reports to its end.
    pub fn new(state: &AppState, db: sea_orm::DatabaseConnection, query: bool, note: Arc<ResponseNote>) -> Self {
        let seen = Arc::new(Seen { db, hold: query, versions: tokio::sync::OnceCell::new() });
        Self {
            list: tokio::sync::OnceCell::new(),
            hold: true,
            snapshots: state.snapshots.clone(),
            reports: super::loaders::new_loader(seen.clone(), state.reports.clone(), state.limits.batch_window()),
            seen,
            reports_store: state.reports.clone(),
            clock: state.clock(),
            note,
        }
    }

    /// What a subscription's session reads from: the list and the reports as they are at each
    /// event, from the primary.
    pub fn for_session(state: &AppState) -> Self {
        Self { hold: false, ..Self::new(state, state.primary().clone(), false, Arc::default()) }
    }

    /// This request reads at `versions`, which its caller has just read: no second statement
    /// asks for them.
    pub async fn start_at(&self, versions: &Versions) -> ApiResult<()> {
        if self.seen.hold {
            let _ = self.seen.versions.set(versions.clone());
        }
        let snapshot = self.snapshots.at(&self.seen.db, &versions.list).await?;
        let _ = self.list.set(snapshot);
        Ok(())
    }

    /// The list this request reads.
    pub async fn list(&self) -> ApiResult<Arc<ListSnapshot>> {
        if !self.hold {
            let version = versions(&self.seen.db).await?.list;
            return self.snapshots.at(&self.seen.db, &version).await;
        }
        let list = self
            .list
            .get_or_try_init(|| async {
                let version = self.seen.versions().await?.list;
                self.snapshots.at(&self.seen.db, &version).await
            })
            .await?;
        Ok(list.clone())
    }

    /// Where rows that change without moving a version are read (the webhook outbox, whose
    /// attempts are no writes of the list or its reports): the answer is never given again.
    pub fn unversioned(&self) -> &sea_orm::DatabaseConnection {
        self.note.read_the_clock();
        &self.seen.db
    }

    /// Where rows that move a version when they change are read (reports, the audit trail,
    /// webhooks): an answer from them is kept under the versions read before it.
    pub fn versioned(&self) -> &sea_orm::DatabaseConnection {
        &self.seen.db
    }

    /// Runs `f` on the held reports and supervision rows, at least as new as the versions this
    /// request reads (for a service that reads many of them at once, like the assessment).
    pub async fn held<T>(&self, f: impl FnOnce(&HeldRows) -> T) -> ApiResult<T> {
        let versions = self.seen.versions().await?;
        self.reports_store.read(&self.seen.db, &versions, f).await
    }

    /// The time now. The answer then depends on when it was computed, so it is never given again
    /// from the response cache.
    pub fn now(&self) -> DateTime<Utc> {
        self.note.read_the_clock();
        self.clock.now()
    }
}

/// The shared state; missing only in a schema built without a database.
pub fn state<'a>(ctx: &Context<'a>) -> async_graphql::Result<&'a AppState> {
    ctx.data::<AppState>().map_err(|_| ApiError::Internal(anyhow::anyhow!("no AppState in the schema")).into())
}

/// What this request reads from.
pub fn reading<'a>(ctx: &Context<'a>) -> async_graphql::Result<&'a Reading> {
    ctx.data::<Reading>().map_err(|_| ApiError::Internal(anyhow::anyhow!("no Reading in the request")).into())
}

/// The list this request reads.
pub async fn list(ctx: &Context<'_>) -> async_graphql::Result<Arc<ListSnapshot>> {
    Ok(reading(ctx)?.list().await?)
}

/// The time now, for an answer that depends on it (see [`Reading::now`]).
pub fn now(ctx: &Context<'_>) -> async_graphql::Result<DateTime<Utc>> {
    Ok(reading(ctx)?.now())
}

/// Loads the report rows of `key`, batched with its siblings.
pub async fn load<K>(ctx: &Context<'_>, key: K) -> async_graphql::Result<Option<<ReportLoader as Loader<K>>::Value>>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    ReportLoader: Loader<K, Error = async_graphql::Error>,
{
    reading(ctx)?.reports.load_one(key).await
}

/// A row of the list that a foreign key points at.
pub fn required<T>(row: Option<&T>, what: &str, id: i64) -> async_graphql::Result<T>
where
    T: Clone,
{
    row.cloned().ok_or_else(|| ApiError::Internal(anyhow::anyhow!("dangling reference to {what} {id}")).into())
}

/// The caller; anonymous when the request carries no token.
pub fn viewer<'a>(ctx: &Context<'a>) -> &'a crate::service::access::Viewer {
    static ANONYMOUS: crate::service::access::Viewer = crate::service::access::Viewer::Anonymous;
    ctx.data::<crate::service::access::Viewer>().unwrap_or(&ANONYMOUS)
}

/// The region of the caller's department (a token bound to one), which the one-document
/// shortcuts prefer when several documents are loaded.
pub fn caller_region<'l>(ctx: &Context<'_>, list: &'l crate::service::list::ListSnapshot) -> Option<&'l str> {
    match viewer(ctx) {
        crate::service::access::Viewer::Token { department_id: Some(d), .. } => {
            list.department(*d).map(|d| d.region.as_str())
        }
        _ => None,
    }
}

/// Reports and obligations are for token holders only.
pub fn require_reader(ctx: &Context<'_>) -> async_graphql::Result<()> {
    Ok(viewer(ctx).require_reader()?)
}

/// Who makes a write from this request: the caller, with the request's id.
pub fn actor(ctx: &Context<'_>) -> crate::service::writes::Actor {
    let request_id = ctx.data::<crate::http::security::RequestId>().ok().map(|r| r.0.to_string());
    crate::service::writes::Actor::of(viewer(ctx), request_id.as_deref())
}
