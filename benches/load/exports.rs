//! The ledger downloads at scale: the whole dataset as CSV and as XLSX, with a token (every
//! period's columns), timed, with the server's peak resident memory before and after.

use std::time::Instant;

use futures_util::StreamExt as _;
use serde::Serialize;

use crate::server;

/// One download.
#[derive(Debug, Clone, Serialize)]
pub struct ExportResult {
    pub path: String,
    pub status: u16,
    /// From the request to the last byte.
    pub seconds: f64,
    /// To the first byte of the body.
    pub first_byte_seconds: f64,
    pub bytes: u64,
    /// Lines (CSV) — rows and the header.
    pub lines: Option<u64>,
    /// The server's VmHWM before and after (MiB; SQLite's mapped file included).
    pub peak_rss_before_mib: Option<f64>,
    pub peak_rss_after_mib: Option<f64>,
}

/// Downloads each ledger once, one after the other.
pub async fn measure(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    pid: Option<u32>,
) -> anyhow::Result<Vec<ExportResult>> {
    let mut out = Vec::new();
    for path in ["/exports/ledger.csv", "/exports/ledger.xlsx"] {
        let before = pid.and_then(server::peak_rss_mib);
        let started = Instant::now();
        let resp = client.get(format!("{base}{path}")).bearer_auth(token).send().await?;
        let status = resp.status().as_u16();
        let mut stream = resp.bytes_stream();
        let (mut bytes, mut lines, mut first) = (0u64, 0u64, None);
        while let Some(chunk) = stream.next().await {
            let chunk = chunk?;
            first.get_or_insert_with(|| started.elapsed().as_secs_f64());
            bytes += chunk.len() as u64;
            lines += chunk.iter().filter(|b| **b == b'\n').count() as u64;
        }
        let seconds = started.elapsed().as_secs_f64();
        let after = pid.and_then(server::peak_rss_mib);
        let r = ExportResult {
            path: path.to_owned(),
            status,
            seconds,
            first_byte_seconds: first.unwrap_or(seconds),
            bytes,
            lines: path.ends_with(".csv").then_some(lines),
            peak_rss_before_mib: before,
            peak_rss_after_mib: after,
        };
        eprintln!(
            "{:<22} {} in {:>6.2} s (first byte {:.2} s), {:>6.1} MiB{}, server VmHWM {} → {} MiB",
            r.path,
            r.status,
            r.seconds,
            r.first_byte_seconds,
            r.bytes as f64 / 1048576.0,
            r.lines.map_or(String::new(), |l| format!(", {l} lines")),
            r.peak_rss_before_mib.map_or("-".into(), |v| format!("{v:.0}")),
            r.peak_rss_after_mib.map_or("-".into(), |v| format!("{v:.0}")),
        );
        anyhow::ensure!(status == 200, "{path} answered {status}");
        out.push(r);
    }
    Ok(out)
}
