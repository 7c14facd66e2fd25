//! The write path as a type. [`Writer::begin`] is the only way to start a write and
//! [`Writing::commit`] the only way to end one, so the rules of a write hold by construction:
//!
//! - `begin` takes this process's turn to write (SQLite has one writer; on PostgreSQL writes
//!   lock the rows they change), begins the transaction and reads the clock once: the write's
//!   `now`, the time of everything it stores and of its event;
//! - `commit` records the change ([`super::writes`]: the audit event, the webhooks' outbox and the
//!   moved version, in the transaction), commits, gives the turn back and only then announces the
//!   write to subscriptions (on every replica through `NOTIFY`), so that a subscriber never hears
//!   of a write it cannot read yet;
//! - a `Writing` dropped without `commit` (an error, a refusal) rolls back and gives its turn
//!   back: nothing half-written, nothing announced.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use sea_orm::{DatabaseConnection, DatabaseTransaction, DbErr, TransactionTrait};
use tokio::sync::{Mutex, OwnedMutexGuard};

use super::events::{Happened, ReportEvents};
use super::writes::{Actor, Change, Committed};
use crate::clock::Clock;

/// Where writes go, and what every write needs: the database, the writers' turn, the clock and
/// the subscriptions' bus.
#[derive(Clone)]
pub struct Writer {
    db: DatabaseConnection,
    /// One writer at a time in this process, on SQLite.
    turn: Option<Arc<Mutex<()>>>,
    clock: Clock,
    events: ReportEvents,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer").field("serialised", &self.turn.is_some()).finish()
    }
}

impl Writer {
    /// The writer of `db`.
    pub fn new(db: DatabaseConnection, clock: Clock, events: ReportEvents) -> Self {
        let turn = crate::db::is_sqlite(&db).then(Arc::default);
        Self { db, turn, clock, events }
    }

    /// A writer of its own for a command run on `db` beside (or without) a server: it takes no
    /// server's turn (SQLite serialises the two processes' writers) and announces nothing here.
    pub fn of_command_line(db: &DatabaseConnection) -> Self {
        Self::new(db.clone(), Clock::default(), ReportEvents::default())
    }

    /// The same writer with another clock (a rehearsal's, a test's).
    pub fn with_clock(&self, clock: Clock) -> Self {
        Self { clock, ..self.clone() }
    }

    /// Starts a write: the turn, the transaction, the time.
    pub async fn begin(&self) -> Result<Writing, DbErr> {
        let turn = self.turn().await;
        let txn = self.db.begin().await?;
        Ok(Writing { txn, now: self.clock.now(), turn, db: self.db.clone(), events: self.events.clone() })
    }

    /// This process's turn to write rows that are not the list's, its reports' or the server's
    /// records (the webhook worker's record of its attempts): no event, no version.
    pub async fn turn(&self) -> Option<OwnedMutexGuard<()>> {
        match &self.turn {
            Some(turn) => Some(turn.clone().lock_owned().await),
            None => None,
        }
    }

    /// The time now, by the writer's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}

/// A write under way (see [`Writer::begin`]).
pub struct Writing {
    txn: DatabaseTransaction,
    now: DateTime<Utc>,
    turn: Option<OwnedMutexGuard<()>>,
    db: DatabaseConnection,
    events: ReportEvents,
}

impl Writing {
    /// The transaction the write reads and writes in.
    pub fn txn(&self) -> &DatabaseTransaction {
        &self.txn
    }

    /// The write's time.
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// Records `change` by `actor` (event, outbox, version), commits, gives the turn back and
    /// announces the write.
    pub async fn commit(self, actor: &Actor, change: Change) -> Result<Committed, DbErr> {
        let Self { txn, now, turn, db, events } = self;
        let committed = super::writes::record(&txn, actor, change, now).await?;
        txn.commit().await?;
        drop(turn);
        if committed.action.is_supervision() {
            events.publish(&db, Happened::of(&committed, committed.report_id)).await;
        }
        Ok(committed)
    }

    /// Ends the write with nothing written (a retry that finds its first result, say).
    pub async fn rollback(self) -> Result<(), DbErr> {
        self.txn.rollback().await
    }
}
