//! Database connections: pool sizing, SQLite pragmas, the statement counter, migrations.

use std::sync::Arc;
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbBackend, DbErr};

use crate::metrics::Metrics;

/// Opens a pool on `url` and counts every statement it runs into `metrics`.
pub async fn connect(url: &str, metrics: Arc<Metrics>) -> Result<DatabaseConnection, DbErr> {
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.sqlx_logging(false).connect_timeout(Duration::from_secs(5)).acquire_timeout(Duration::from_secs(5));
    if url.starts_with("sqlite:") {
        crate::sqlite_memory::configure();
        // WAL lets readers run beside the one writer; a few connections are enough on SQLite.
        opts.max_connections(4).min_connections(1).map_sqlx_sqlite_opts(|o| {
            o.create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5))
                // No map: the list is read once per version into the snapshot, and what requests
                // read from the file (reports by index) fits each connection's own page cache
                // (8 MiB). A map of the file per connection counted the database once per
                // connection in the server's RSS (469 MiB at national scale with 128 MiB maps).
                .pragma("mmap_size", "0")
                .pragma("cache_size", "-8192")
        });
    } else {
        // Two cores here: a handful of connections saturate them; more only queue in PostgreSQL.
        opts.max_connections(16).min_connections(2).map_sqlx_postgres_opts(|o| {
            // Statements are prepared once per connection; by default PostgreSQL still plans
            // them anew on every run while its estimate favours a custom plan, and the
            // obligation joins spend more time planning than executing (0.5–1.9 ms against
            // 0.4–0.9 ms at national scale). One generic plan per statement: overdue obligations
            // 712 → 1182 requests/s, no canonical read slower.
            o.options([("plan_cache_mode", "force_generic_plan")])
        });
    }
    let mut db = Database::connect(opts).await?;
    db.set_metric_callback(move |info| {
        // `RUST_LOG=qingdan::sql=trace` shows every statement with its time.
        tracing::trace!(target: "qingdan::sql", micros = info.elapsed.as_micros() as u64, sql = %info.statement.sql);
        metrics.record_statement(info.failed);
    });
    Ok(db)
}

/// Applies pending migrations.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

pub fn is_sqlite(db: &DatabaseConnection) -> bool {
    db.get_database_backend() == DbBackend::Sqlite
}

/// Copies the SQLite database at `url` to `file` while others read and write it: `VACUUM INTO`
/// reads one snapshot (a read transaction, which in WAL mode holds no writer back) and writes a
/// compact, consistent database. PostgreSQL has its own tools, and the error says which.
pub async fn backup(url: &str, file: &std::path::Path) -> anyhow::Result<std::time::Duration> {
    if !url.starts_with("sqlite:") {
        anyhow::bail!(
            "qingdan backup copies SQLite databases; on PostgreSQL use its tools while the server runs:\n  \
             pg_dump --format=custom --file=qingdan.dump \"$DATABASE_URL\"\n  \
             createdb qingdan_restored && pg_restore --dbname=qingdan_restored qingdan.dump"
        );
    }
    if file.exists() {
        anyhow::bail!("{} exists; a backup never overwrites a file", file.display());
    }
    let path = file.to_str().ok_or_else(|| anyhow::anyhow!("the backup path is not UTF-8"))?;
    let started = std::time::Instant::now();
    let db = connect(url, Arc::default()).await?;
    let stmt = sea_orm::Statement::from_sql_and_values(sea_orm::DbBackend::Sqlite, "VACUUM INTO ?", [path.into()]);
    sea_orm::ConnectionTrait::execute_raw(&db, stmt)
        .await
        .map_err(|e| anyhow::anyhow!("cannot back up to {}: {e}", file.display()))?;
    Ok(started.elapsed())
}
