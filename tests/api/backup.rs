//! Backup and restore while the server serves and writes: every revision acknowledged before the
//! backup began is in the copy.

use std::net::SocketAddr;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::Duration;

use entity::TokenRole;
use qingdan::AppState;

use crate::server_process::ServerProcess;
use crate::subscriptions::submit;
use crate::support::{Backend, TestApp};

/// Submits revisions one after another until told to stop; `acked` is the latest acknowledged.
fn burst(
    app: Arc<TestApp>,
    addr: SocketAddr,
    token: String,
    acked: Arc<AtomicI64>,
    stop: Arc<AtomicBool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        while !stop.load(Ordering::Relaxed) {
            let revision = submit(&app, addr, &token, 29, "市税务局").await;
            acked.store(revision, Ordering::SeqCst);
        }
    })
}

/// The revisions of the burst's report in a database.
async fn revisions(url: &str) -> Vec<i64> {
    let state = AppState::connect(url, Default::default()).await.expect("open the restored database");
    let stmt = sea_orm::Statement::from_string(
        state.primary().get_database_backend(),
        "SELECT CAST(r.revision AS BIGINT) AS n FROM report_revision r ORDER BY r.revision",
    );
    use sea_orm::ConnectionTrait as _;
    state
        .primary()
        .query_all_raw(stmt)
        .await
        .expect("revisions")
        .iter()
        .map(|r| r.try_get::<i64>("", "n").unwrap_or(-1))
        .collect()
}

crate::each_backend!(
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    a_backup_during_a_burst_of_submissions_holds_every_revision_acknowledged_before_it,
    super::a_backup_during_a_burst_of_submissions_holds_every_revision_acknowledged_before_it_on
);

async fn a_backup_during_a_burst_of_submissions_holds_every_revision_acknowledged_before_it_on(backend: Backend) {
    let app = Arc::new(TestApp::spawn(backend.clone()).await);
    let (_, token) = app.token(TokenRole::Admin, None).await;
    let server = ServerProcess::start(&app.database_url, &[], &[("QINGDAN_TOKEN_RATE_LIMIT_PER_MINUTE", "0")]).await;
    let addr = server.addr;
    let (acked, stop) = (Arc::new(AtomicI64::new(0)), Arc::new(AtomicBool::new(false)));
    let writer = burst(app.clone(), addr, token, acked.clone(), stop.clone());
    while acked.load(Ordering::SeqCst) < 20 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let dir = tempfile::tempdir().expect("a temp dir");
    let before = acked.load(Ordering::SeqCst);
    let restored_url = match &backend {
        Backend::Sqlite => {
            let file = dir.path().join("backup.db");
            let out = Command::new(env!("CARGO_BIN_EXE_qingdan"))
                .args(["--database-url", &app.database_url, "backup"])
                .arg(&file)
                .output()
                .expect("run qingdan backup");
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            // Restoring is putting the copy in place: here, opening it as a database.
            format!("sqlite://{}?mode=rwc", file.display())
        }
        Backend::Postgres(admin) => {
            let file = dir.path().join("qingdan.dump");
            let out = Command::new("pg_dump")
                .args(["--format=custom", "--file"])
                .arg(&file)
                .arg(&app.database_url)
                .output()
                .expect("run pg_dump");
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            let name = format!("qingdan_restored_{}", std::process::id());
            let admin_db = sea_orm::Database::connect(admin).await.expect("admin");
            use sea_orm::ConnectionTrait as _;
            admin_db.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("createdb");
            let url = app.database_url.rsplit_once('/').map(|(b, _)| format!("{b}/{name}")).expect("a URL");
            let out = Command::new("pg_restore").args(["--dbname", &url]).arg(&file).output().expect("pg_restore");
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            let _drop = crate::support::DropDatabase(admin.clone(), name);
            let got = revisions(&url).await;
            check(&got, before, "postgres");
            stop.store(true, Ordering::Relaxed);
            writer.await.expect("the burst");
            return;
        }
    };
    stop.store(true, Ordering::Relaxed);
    writer.await.expect("the burst");
    let got = revisions(&restored_url).await;
    check(&got, before, "sqlite");
    assert!(
        got.last().copied().unwrap_or(0) < acked.load(Ordering::SeqCst),
        "the burst went on after the backup (else this test proves little)"
    );
}

fn check(got: &[i64], before: i64, backend: &str) {
    let want: Vec<i64> = (1..=before).collect();
    assert!(
        got.len() as i64 >= before,
        "[{backend}] {} revisions in the copy, {before} acknowledged before it",
        got.len()
    );
    assert_eq!(&got[..before as usize], want.as_slice(), "[{backend}] every acknowledged revision, in order");
}
