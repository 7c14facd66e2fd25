//! Every kind of write, and the version it moves: the one place that says so.
//!
//! A cached answer is filed under the [`Versions`](super::versions::Versions) it was computed at;
//! it stays right only while every write that could change it moves one of them in its own
//! transaction. A write therefore commits through [`commit`], naming what it wrote; the match
//! below is exhaustive, so a new kind of write cannot land without saying what it moves.

use sea_orm::{ConnectionTrait, DatabaseTransaction, DbErr};

use super::sql::Sql;

/// What a transaction wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Write {
    /// A document imported, replaced or generated (with any reports it brings).
    Import,
    /// A report revision on `task_id`.
    Submission { task_id: i64 },
}

/// Moves the version `write` changes, inside the writer's transaction `txn`.
pub async fn record(txn: &impl ConnectionTrait, write: Write) -> Result<(), DbErr> {
    match write {
        // The new or replaced document row moves the list version (count, newest id, time of
        // the last import), which the answers of reports are filed under as well.
        Write::Import => Ok(()),
        Write::Submission { task_id } => count_submission(txn, task_id).await,
    }
}

/// Records `write` and commits: how every write path ends.
pub async fn commit(txn: DatabaseTransaction, write: Write) -> Result<(), DbErr> {
    record(&txn, write).await?;
    txn.commit().await
}

/// Moves the report counter on PostgreSQL, sharded by task so that concurrent submissions on
/// different tasks rarely wait for the same row. On SQLite the new revision's id already moves
/// the submissions version (its writers are serialised).
async fn count_submission(db: &impl ConnectionTrait, task_id: i64) -> Result<(), DbErr> {
    if db.get_database_backend() != sea_orm::DbBackend::Postgres {
        return Ok(());
    }
    let mut q = Sql::new(db.get_database_backend());
    q.push("UPDATE report_counter SET submissions = submissions + 1 WHERE shard = ")
        .bind(task_id.rem_euclid(migration::REPORT_COUNTER_SHARDS));
    db.execute_raw(q.build()).await?;
    Ok(())
}
