//! The reports' half of the read model: reports with their revisions and reviews, extensions,
//! notices and closures, held in this process's memory and brought up to date by version.
//!
//! A reader brings the versions its request read ([`Versions`]); rows at least as new as those
//! are served from memory. When the writes count moved, one read (in one snapshot: the events
//! after the newest this process applied, then the rows they name) brings the rows up to date;
//! when the list's version moved (an import, an amendment, a rename), everything is read again.
//! Every write appends its audit event in its own transaction, in the order of the commits
//! ([`crate::service::writes`]), so the events after the newest applied are exactly the writes
//! not yet seen: an answer reflects every write acknowledged before its request arrived, on one
//! server and on each replica of it. The rows of a parent are shared lists (`Arc`), so a reader
//! holds them without copying and a change copies only the lists it touches.

mod read;
mod rows;

use std::sync::{Arc, RwLock};

use sea_orm::DatabaseConnection;

pub use rows::{HasId, Held, HeldRows, Revisions};

use crate::error::ApiResult;
use crate::service::versions::Versions;

/// The rows held by this process, shared by its requests.
#[derive(Clone, Default)]
pub struct ReportStore {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    rows: RwLock<HeldRows>,
    /// One read at a time brings the rows up to date; the readers waiting meanwhile find them so.
    turn: tokio::sync::Mutex<()>,
}

impl ReportStore {
    /// Runs `f` on rows at least as new as `versions`, reading from `db` what changed first if
    /// they are older.
    pub async fn read<T>(
        &self,
        db: &DatabaseConnection,
        versions: &Versions,
        f: impl FnOnce(&HeldRows) -> T,
    ) -> ApiResult<T> {
        if !self.covers(versions) {
            self.bring_up_to(db, versions).await?;
        }
        let rows = self.inner.rows.read().unwrap_or_else(|e| e.into_inner());
        Ok(f(&rows))
    }

    /// Whether the rows held are at least as new as `versions`: the same list, and at least as
    /// many writes (the count only grows, so a read that saw as many saw the same writes).
    fn covers(&self, versions: &Versions) -> bool {
        let rows = self.inner.rows.read().unwrap_or_else(|e| e.into_inner());
        rows.list.as_ref() == Some(&versions.list) && rows.submissions >= versions.submissions
    }

    async fn bring_up_to(&self, db: &DatabaseConnection, versions: &Versions) -> ApiResult<()> {
        let _turn = self.inner.turn.lock().await;
        if self.covers(versions) {
            return Ok(());
        }
        let (same_list, seq) = {
            let rows = self.inner.rows.read().unwrap_or_else(|e| e.into_inner());
            (rows.list.as_ref() == Some(&versions.list), rows.seq)
        };
        // Read after `versions` was: what it counts is in what is read now.
        if same_list {
            let (changed, newest) = read::since(db, seq).await?;
            let mut rows = self.inner.rows.write().unwrap_or_else(|e| e.into_inner());
            rows.apply(changed, newest);
            rows.submissions = rows.submissions.max(versions.submissions);
        } else {
            let started = std::time::Instant::now();
            let loaded = read::everything(db, versions.list.clone(), versions.submissions).await?;
            let [reports, revisions, extensions, notices, closures] = loaded.counts();
            let previous = std::mem::replace(&mut *self.inner.rows.write().unwrap_or_else(|e| e.into_inner()), loaded);
            drop(previous);
            tracing::info!(
                reports,
                revisions,
                extensions,
                notices,
                closures,
                ms = started.elapsed().as_millis() as u64,
                "held rows read"
            );
        }
        Ok(())
    }
}
