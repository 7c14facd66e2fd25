//! Storage faults on SQLite: a read-only database file and a full disk give a clear error (a
//! refusal to start that says why, or an error with a code), never a crash or a panic.

use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use sea_orm::ConnectionTrait as _;
use serde_json::{Value, json};

use super::server::{Server, admin_token, cli, graphql};

const DOCUMENT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/tianjin-2023-responsibility-list.txt");
/// `nobody`: root ignores file modes, so the read-only test runs the server as another user.
const NOBODY: u32 = 65534;

fn is_root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}?mode=rwc", path.display())
}

/// A database file with the bundled document and an admin token.
fn prepared_database(path: &Path) -> (String, String) {
    let url = sqlite_url(path);
    cli(&url, &["import", DOCUMENT]);
    let token = admin_token(&url);
    (url, token)
}

/// A submission for task 29 by its lead 市税务局, with a long unique summary.
async fn submit(client: &reqwest::Client, server: &Server, token: &str, n: usize) -> Value {
    let q = r#"{ task(number: 29) { id } department(name: "市税务局") { id } reportingPeriods { id } }"#;
    let ids = graphql(client, &server.graphql(), token, q, json!({})).await;
    let input = json!({ "taskId": ids["data"]["task"]["id"], "departmentId": ids["data"]["department"]["id"],
        "periodId": ids["data"]["reportingPeriods"][0]["id"], "status": "ON_TRACK", "progressPercent": 10,
        "summary": format!("{n} {}", "进展".repeat(2000)) });
    let m = "mutation($input: SubmitReportInput!) { submitReport(input: $input) { report { revision } } }";
    graphql(client, &server.graphql(), token, m, json!({ "input": input })).await
}

fn error_code(resp: &Value) -> Option<&str> {
    resp["errors"][0]["extensions"]["code"].as_str()
}

/// The server answered with a revision, or with an error that has a code; nothing else.
fn assert_clean(resp: &Value) {
    let ok = resp["data"]["submitReport"]["report"]["revision"].is_i64();
    assert!(ok || error_code(resp).is_some(), "neither a revision nor an error code: {resp}");
}

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

/// Checkpoints the WAL into the file and closes: one self-contained file. (The CLI exits
/// without closing its pool, so what it leaves behind varies.) With `keep_wal`, the three files
/// are copied while a connection holds them open: a database with its -wal and -shm.
async fn settle(dir: &Path, keep_wal: bool) -> PathBuf {
    let path = dir.join("ro.db");
    let db = sea_orm::Database::connect(format!("sqlite://{}?mode=rw", path.display())).await.expect("open");
    db.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)").await.expect("checkpoint");
    if !keep_wal {
        db.close().await.expect("close");
        assert!(!dir.join("ro.db-wal").exists(), "the WAL is gone after a clean close");
        return path;
    }
    db.execute_unprepared("SELECT COUNT(*) FROM task").await.expect("read");
    let copy = dir.join("with-wal");
    std::fs::create_dir(&copy).expect("mkdir");
    for suffix in ["", "-wal", "-shm"] {
        std::fs::copy(dir.join(format!("ro.db{suffix}")), copy.join(format!("ro.db{suffix}"))).expect("copy");
    }
    db.close().await.expect("close");
    copy.join("ro.db")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_database_file_is_refused_clearly_or_serves_reads_and_refuses_writes_with_a_code() {
    for keep_wal in [false, true] {
        let dir = tempfile::tempdir().expect("temp dir");
        let logs = tempfile::tempdir().expect("temp dir");
        let (_, token) = prepared_database(&dir.path().join("ro.db"));
        let db = settle(dir.path(), keep_wal).await;
        let data = db.parent().expect("its directory").to_owned();
        for entry in std::fs::read_dir(&data).expect("ls") {
            let path = entry.expect("entry").path();
            set_mode(&path, if path.is_dir() { 0o555 } else { 0o444 });
        }
        set_mode(&data, 0o555);
        set_mode(dir.path(), 0o755);
        let what = if keep_wal { "read-only database with its -wal/-shm" } else { "read-only database file" };
        let log = logs.path().join("server.log");
        let started =
            tokio::task::block_in_place(|| Server::start(&sqlite_url(&db), &log, is_root().then_some(NOBODY)));
        let stderr = std::fs::read_to_string(&log).unwrap_or_default();
        assert!(!stderr.contains("panicked"), "{stderr}");
        match started {
            Err(why) => {
                let lower = why.to_lowercase();
                assert!(lower.contains("readonly") || lower.contains("read-only"), "refused without saying why: {why}");
                eprintln!("{what}: the server refuses to start: {}", why.lines().last().unwrap_or_default());
            }
            Ok(mut server) => {
                let client = reqwest::Client::new();
                let read = graphql(&client, &server.graphql(), &token, "{ tasks { totalCount } }", json!({})).await;
                assert_eq!(read["data"]["tasks"]["totalCount"], 129, "{what}: reads are served: {read}");
                let write = submit(&client, &server, &token, 1).await;
                assert_clean(&write);
                let code = error_code(&write).unwrap_or_else(|| panic!("{what}: a write was acknowledged: {write}"));
                assert!(server.is_running(), "{what}: the server died on a write: {}", server.stderr());
                assert!(server.stderr().contains("readonly"), "{what}: the log does not name the cause");
                assert!(!server.stderr().contains("panicked"), "{}", server.stderr());
                eprintln!("{what}: reads served; a write is answered {code}: {}", write["errors"][0]["message"]);
            }
        }
        set_mode(&data, 0o755);
    }
}

/// A tmpfs of `size`, unmounted on drop.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(path: &Path, size: &str) -> Option<Self> {
        std::fs::create_dir_all(path).ok()?;
        let status =
            Command::new("mount").args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"]).arg(path).status();
        status.ok().filter(|s| s.success()).map(|_| Self(path.to_owned()))
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// Writes until the file system says it is full; the bytes written.
fn fill(path: &Path) -> u64 {
    use std::io::Write as _;
    let mut file = std::fs::File::create(path).expect("filler");
    let chunk = vec![0u8; 16 * 1024];
    let mut written = 0;
    while file.write_all(&chunk).is_ok() {
        written += chunk.len() as u64;
    }
    let _ = file.sync_all();
    written
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs root (mounts a 24 MiB tmpfs to fill): run as root with --include-ignored"]
async fn a_full_disk_refuses_writes_with_a_code_and_writes_resume_when_space_returns() {
    let dir = tempfile::tempdir().expect("temp dir");
    assert!(is_root(), "this test mounts a tmpfs: run it as root");
    let disk = Tmpfs::mount(&dir.path().join("disk"), "24m").expect("mount -t tmpfs (as root)");
    let (url, token) = prepared_database(&disk.0.join("full.db"));
    let log = dir.path().join("server.log");
    let mut server = tokio::task::block_in_place(|| Server::start(&url, &log, None)).expect("server starts");
    let client = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().expect("client");
    assert_clean(&submit(&client, &server, &token, 0).await);
    let filler = disk.0.join("filler");
    let filled = fill(&filler);
    let mut refused = None;
    for n in 1..=40 {
        let resp = submit(&client, &server, &token, n).await;
        assert_clean(&resp);
        if let Some(code) = error_code(&resp) {
            refused = Some((n, code.to_owned(), resp["errors"][0]["message"].clone()));
            break;
        }
    }
    let (n, code, message) = refused.expect("some write on a full disk fails");
    // The client gets a code (INTERNAL for now, with a request id); the log names the cause.
    assert!(server.stderr().contains("disk is full"), "the log does not say the disk is full: {}", server.stderr());
    assert!(server.is_running(), "the server died on a full disk: {}", server.stderr());
    let read = graphql(&client, &server.graphql(), &token, "{ tasks { totalCount } }", json!({})).await;
    assert_eq!(read["data"]["tasks"]["totalCount"], 129, "reads go on: {read}");
    std::fs::remove_file(&filler).expect("free the space");
    let again = submit(&client, &server, &token, 100).await;
    assert!(again["data"]["submitReport"]["report"]["revision"].is_i64(), "writes resume: {again}");
    assert!(!server.stderr().contains("panicked"), "{}", server.stderr());
    eprintln!(
        "full disk ({filled} bytes of filler): write {n} answered {code}: {message}; writes resume after freeing space"
    );
    server.kill();
}
