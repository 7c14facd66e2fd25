//! The real binary as a child process: start on a database, wait until ready, kill with
//! SIGKILL; tokens through its CLI; a fresh PostgreSQL database per test.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

pub const BIN: &str = env!("CARGO_BIN_EXE_qingdan");

pub struct Server {
    child: Child,
    pub base: String,
    pub log: PathBuf,
    /// Where the binary was linked for another user; removed after the child.
    _bin_dir: Option<tempfile::TempDir>,
}

/// A port that was free a moment ago.
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

/// The server binary where another user can run it: another user may not reach the build's
/// (a checkout under a 0700 temp dir), so a hard link (or a copy) in a fresh directory everyone
/// can enter, removed with the returned guard.
fn reachable_binary() -> (tempfile::TempDir, PathBuf) {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().expect("a directory for the binary");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod the directory");
    let bin = dir.path().join("qingdan");
    if std::fs::hard_link(BIN, &bin).is_err() {
        std::fs::copy(BIN, &bin).expect("copy the binary");
    }
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).expect("chmod the binary");
    (dir, bin)
}

impl Server {
    /// Starts `qingdan serve` on `database_url`; `Err(stderr)` when it exits before it is ready.
    /// `as_user` runs it as another uid/gid (root ignores file modes).
    pub fn start(database_url: &str, log: &Path, as_user: Option<u32>) -> Result<Self, String> {
        let port = free_port();
        let stderr = File::create(log).expect("log file");
        let (bin_dir, bin) = match as_user {
            Some(_) => {
                let (dir, bin) = reachable_binary();
                (Some(dir), bin)
            }
            None => (None, PathBuf::from(BIN)),
        };
        let mut cmd = Command::new(&bin);
        cmd.args(["serve", "--bind", &format!("127.0.0.1:{port}"), "--database-url", database_url])
            .env("RUST_LOG", "info,sqlx=warn,sea_orm=warn")
            .stdout(Stdio::null())
            .stderr(stderr);
        if let Some(uid) = as_user {
            use std::os::unix::process::CommandExt as _;
            cmd.uid(uid).gid(uid);
        }
        let child = cmd.spawn().expect("spawn the qingdan binary");
        let mut server =
            Self { child, base: format!("http://127.0.0.1:{port}"), log: log.to_owned(), _bin_dir: bin_dir };
        let deadline = Instant::now() + Duration::from_secs(90);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = server.child.try_wait() {
                return Err(format!("exited with {status}: {}", server.stderr()));
            }
            let ready = std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
                && http_get(&format!("{}/readyz", server.base)).is_some_and(|(s, _)| s == 200);
            if ready {
                return Ok(server);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        server.kill();
        Err(format!("not ready within 90 s: {}", server.stderr()))
    }

    pub fn graphql(&self) -> String {
        format!("{}/graphql", self.base)
    }

    /// SIGKILL (on Unix `Child::kill` sends it), then reap.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    pub fn stderr(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A blocking GET without a client library: (status, body). Only for health checks.
pub fn http_get(url: &str) -> Option<(u16, String)> {
    use std::io::{Read as _, Write as _};
    let rest = url.strip_prefix("http://")?;
    let (host, path) = rest.split_once('/').map_or((rest, "/".to_owned()), |(h, p)| (h, format!("/{p}")));
    let mut stream = std::net::TcpStream::connect(host).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.split_whitespace().nth(1)?.parse().ok()?;
    Some((status, response.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default()))
}

/// `qingdan <args> --database-url <url>`: stdout, or panics with stderr.
pub fn cli(database_url: &str, args: &[&str]) -> String {
    let out = Command::new(BIN).args(args).args(["--database-url", database_url]).output().expect("run qingdan");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "qingdan {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    stdout
}

/// An admin token's secret (the CLI prints it alone on the last line).
pub fn admin_token(database_url: &str) -> String {
    let out = cli(database_url, &["token", "create", "--role", "admin", "--label", "faults"]);
    out.lines().last().expect("a token line").trim().to_owned()
}

/// POSTs a GraphQL request; the JSON body (or `{"transport": error}`).
pub async fn graphql(client: &reqwest::Client, url: &str, token: &str, query: &str, variables: Value) -> Value {
    let sent =
        client.post(url).bearer_auth(token).json(&json!({ "query": query, "variables": variables })).send().await;
    match sent {
        Ok(resp) => resp.json().await.unwrap_or_else(|e| json!({ "transport": e.to_string() })),
        Err(e) => json!({ "transport": e.to_string() }),
    }
}

/// A fresh PostgreSQL database on the server of `QINGDAN_TEST_POSTGRES`, dropped on drop.
pub struct PgDatabase {
    admin_url: String,
    name: String,
    pub url: String,
}

impl PgDatabase {
    pub async fn create(admin_url: &str, tag: &str) -> Self {
        let name = format!(
            "qingdan_faults_{tag}_{}_{}",
            std::process::id(),
            chrono::Utc::now().timestamp_micros() % 1_000_000
        );
        let admin = sea_orm::Database::connect(admin_url).await.expect("connect to QINGDAN_TEST_POSTGRES");
        admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create database");
        admin.close().await.ok();
        let (base, query) = admin_url.split_once('?').map_or((admin_url, None), |(b, q)| (b, Some(q)));
        let server = base.rsplit_once('/').map_or(base, |(s, _)| s);
        let url = match query {
            Some(q) => format!("{server}/{name}?{q}"),
            None => format!("{server}/{name}"),
        };
        Self { admin_url: admin_url.to_owned(), name, url }
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        crate::support::drop_database(self.admin_url.clone(), self.name.clone());
    }
}
