//! The `qingdan` child processes: `generate`, `token create` and `serve`, plus what the
//! harness reads from a running server (statement counter, peak RSS).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};

/// The server binary cargo built for this bench (same profile as the bench: release under
/// `cargo bench`), so the figures are never taken from a stale or debug build.
pub fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_qingdan"))
}

/// `qingdan generate --scale SCALE --seed SEED` into `url`; progress goes to our stderr.
pub fn generate(url: &str, scale: &str, seed: u64) -> anyhow::Result<()> {
    eprintln!("generating --scale {scale} --seed {seed} into {url} …");
    let status = Command::new(binary())
        .args(["--database-url", url, "generate", "--scale", scale, "--seed", &seed.to_string()])
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .status()
        .context("cannot run qingdan generate")?;
    if !status.success() {
        bail!("qingdan generate failed ({status})");
    }
    Ok(())
}

/// A new admin token on `url`: the secret is alone on the last stdout line.
pub fn create_admin_token(url: &str) -> anyhow::Result<String> {
    let out = Command::new(binary())
        .args(["--database-url", url, "token", "create", "--role", "admin", "--label", "load-bench"])
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .output()
        .context("cannot run qingdan token create")?;
    if !out.status.success() {
        bail!("qingdan token create failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    stdout.lines().last().map(|l| l.trim().to_owned()).filter(|l| !l.is_empty()).context("no token printed")
}

/// What a started server keeps across requests: it inherits this process's environment.
pub fn keeps_from_env() -> String {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let answers = match var("QINGDAN_RESPONSE_CACHE_BYTES").as_deref() {
        Some("0") => "answers not kept".to_owned(),
        Some(bytes) => format!("answers kept ({bytes} bytes)"),
        None => "answers kept".to_owned(),
    };
    format!("{answers}, list snapshot")
}

/// A `qingdan serve` child, killed on drop.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
}

impl Server {
    /// Starts `qingdan serve` on a free loopback port over `database_url` and waits for `/readyz`.
    pub async fn start(database_url: &str, batch_window_us: Option<u64>, log: &Path) -> anyhow::Result<Self> {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let bind = format!("127.0.0.1:{port}");
        let log_file = std::fs::File::create(log).with_context(|| format!("cannot create {}", log.display()))?;
        let mut cmd = Command::new(binary());
        cmd.args(["--database-url", database_url, "serve", "--bind", &bind, "--no-seed"])
            // The harness is one client with one token: no rate limit may throttle it.
            .env("QINGDAN_RATE_LIMIT_PER_MINUTE", "0")
            .env("QINGDAN_TOKEN_RATE_LIMIT_PER_MINUTE", "0")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(log_file.try_clone()?)
            .stderr(log_file);
        if let Some(us) = batch_window_us {
            cmd.env("QINGDAN_BATCH_WINDOW_US", us.to_string());
        }
        let child = cmd.spawn().context("cannot start qingdan serve")?;
        let base = format!("http://{bind}");
        let mut server = Self { child, base };
        server.wait_ready(log).await?;
        Ok(server)
    }

    async fn wait_ready(&mut self, log: &Path) -> anyhow::Result<()> {
        let client = reqwest::Client::new();
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(60) {
            if let Some(status) = self.child.try_wait()? {
                bail!("qingdan serve exited ({status}); see {}", log.display());
            }
            if let Ok(r) = client.get(format!("{}/readyz", self.base)).send().await {
                if r.status().is_success() {
                    return Ok(());
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("qingdan serve did not become ready in 60 s; see {}", log.display())
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `qingdan_db_statements_total` from `/metrics` of the server at `base`.
pub async fn statements(client: &reqwest::Client, base: &str) -> anyhow::Result<u64> {
    let text = client.get(format!("{base}/metrics")).send().await?.error_for_status()?.text().await?;
    text.lines()
        .find_map(|l| l.strip_prefix("qingdan_db_statements_total "))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .map(|v| v as u64)
        .context("/metrics has no qingdan_db_statements_total")
}

/// Peak resident set (VmHWM) of process `pid` in MiB, from /proc.
pub fn peak_rss_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb: f64 =
        status.lines().find_map(|l| l.strip_prefix("VmHWM:"))?.trim().trim_end_matches("kB").trim().parse().ok()?;
    Some(kb / 1024.0)
}

/// Resident memory of `pid` now, in MiB: (anonymous, file-backed). SQLite maps the database
/// file (`mmap_size`), so its pages count as file-backed resident memory.
pub fn rss_now_mib(pid: u32) -> Option<(f64, f64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb = |key: &str| -> Option<f64> {
        status.lines().find_map(|l| l.strip_prefix(key))?.trim().trim_end_matches("kB").trim().parse().ok()
    };
    Some((kb("RssAnon:")? / 1024.0, kb("RssFile:")? / 1024.0))
}

/// Resets the peak-RSS mark of `pid` (Linux `clear_refs` 5), so the next reading is the peak
/// of what follows. False when the kernel or permissions refuse.
pub fn reset_peak_rss(pid: u32) -> bool {
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5").is_ok()
}
