//! Database connections: pool sizing, SQLite pragmas, the statement counter, migrations.

use std::sync::Arc;
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, ConnectionTrait as _, Database, DatabaseConnection, DbBackend, DbErr, RuntimeErr};

use crate::metrics::Metrics;

/// Opens a pool on `url` and counts every statement it runs into `metrics`.
pub async fn connect(url: &str, metrics: Arc<Metrics>) -> Result<DatabaseConnection, DbErr> {
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.sqlx_logging(false).connect_timeout(Duration::from_secs(5)).acquire_timeout(Duration::from_secs(5));
    if url.starts_with("sqlite:") {
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

/// What went wrong with a database, in a sentence: the server's own message (without the
/// position in the server's source that its errors carry), or the driver's.
pub fn describe(e: &DbErr) -> String {
    match sqlx_error(e) {
        Some(sea_orm::sqlx::Error::Database(d)) => d.message().to_owned(),
        Some(other) => other.to_string(),
        None => e.to_string(),
    }
}

fn sqlx_error(e: &DbErr) -> Option<&sea_orm::sqlx::Error> {
    match e {
        DbErr::Conn(RuntimeErr::SqlxError(x))
        | DbErr::Exec(RuntimeErr::SqlxError(x))
        | DbErr::Query(RuntimeErr::SqlxError(x)) => Some(x.as_ref()),
        _ => None,
    }
}

/// Whether `e` says the PostgreSQL database named in the URL does not exist (3D000).
pub fn is_missing_database(e: &DbErr) -> bool {
    matches!(sqlx_error(e), Some(sea_orm::sqlx::Error::Database(d)) if d.code().as_deref() == Some("3D000"))
}

/// Creates the PostgreSQL database `url` names, from the server's `postgres` database; its name.
pub async fn create_database(url: &str) -> anyhow::Result<String> {
    let mut admin = reqwest::Url::parse(url)?;
    let name = percent_encoding::percent_decode_str(admin.path().trim_start_matches('/')).decode_utf8()?.into_owned();
    anyhow::ensure!(!name.is_empty(), "the URL names no database");
    admin.set_path("/postgres");
    let db = Database::connect(ConnectOptions::new(admin.to_string()).sqlx_logging(false).to_owned()).await?;
    let quoted = format!("\"{}\"", name.replace('"', "\"\""));
    db.execute_unprepared(&format!("CREATE DATABASE {quoted}")).await.map_err(|e| anyhow::anyhow!(describe(&e)))?;
    db.close().await.ok();
    Ok(name)
}

/// `url` without its password, to be shown.
pub fn redact(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_owned(),
    }
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

#[cfg(test)]
mod tests {
    use sea_orm::{ConnectionTrait as _, Statement};

    /// SQLite is built without memory statistics (`.cargo/config.toml`), whose mutex every
    /// allocation otherwise takes.
    #[tokio::test]
    async fn sqlite_keeps_no_memory_statistics() {
        let db = super::connect("sqlite::memory:", Default::default()).await.expect("an in-memory SQLite");
        let sql = "SELECT compile_options FROM pragma_compile_options";
        let rows = db.query_all_raw(Statement::from_string(db.get_database_backend(), sql)).await.expect("options");
        let options: Vec<String> =
            rows.iter().filter_map(|r| r.try_get::<String>("", "compile_options").ok()).collect();
        assert!(options.iter().any(|o| o == "DEFAULT_MEMSTATUS=0"), "{options:?}");
    }
}
