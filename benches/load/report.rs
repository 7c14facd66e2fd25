//! The results: one table on stdout, the same figures as JSON.

use std::path::Path;

use serde::Serialize;

use crate::cpu::PerRequest;
use crate::driver::Measured;
use crate::params::{DataSize, Params};
use crate::peer_queries::Fidelity;

/// Everything measured for one operation.
#[derive(Debug, Clone, Serialize)]
pub struct OpResult {
    pub op: &'static str,
    pub backend: String,
    pub concurrency: usize,
    pub graphql: Measured,
    /// CPU per request, by process, while qingdan was measured.
    pub graphql_cpu: PerRequest,
    /// Rows (list elements) of one answer, checked against the floor and the peer.
    pub rows: u64,
    pub sql_per_request: Option<f64>,
    /// Peak RSS of the server during this operation (MiB).
    pub server_peak_rss_mib: Option<f64>,
    /// Resident memory right after it: (anonymous, file-backed) MiB.
    pub server_rss_anon_file_mib: Option<(f64, f64)>,
    pub floor: Option<Measured>,
    pub floor_cpu: Option<PerRequest>,
    pub floor_rows: Option<u64>,
    pub floor_sql_per_request: Option<f64>,
    pub peer: Option<Measured>,
    pub peer_cpu: Option<PerRequest>,
    pub peer_rows: Option<u64>,
    pub peer_fidelity: Option<Fidelity>,
    pub peer_note: &'static str,
    /// Row-count disagreements found before timing.
    pub mismatches: Vec<String>,
}

impl OpResult {
    pub fn p99_over_floor(&self) -> Option<f64> {
        self.floor.as_ref().filter(|f| f.p99_ms > 0.0).map(|f| self.graphql.p99_ms / f.p99_ms)
    }

    pub fn over_peer(&self) -> Option<f64> {
        self.peer.as_ref().filter(|p| p.rps > 0.0).map(|p| self.graphql.rps / p.rps)
    }
}

/// The whole run.
#[derive(Debug, Clone, Serialize)]
pub struct Run {
    pub backend: String,
    pub database: String,
    pub data: DataSize,
    pub concurrency: usize,
    pub duration_s: f64,
    pub batch_window_us: Option<u64>,
    /// What the server keeps across requests (answers, rows), as it was configured.
    pub server_keeps: String,
    /// The 1-minute load average when the run started: other jobs disturb the figures.
    pub load_average: Option<f64>,
    pub params: Params,
    pub server_peak_rss_mib: Option<f64>,
    pub results: Vec<OpResult>,
    /// The ledger downloads of the whole dataset.
    pub exports: Vec<crate::exports::ExportResult>,
    /// The varied requests (absent with `--no-varied`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub varied: Option<crate::varied::VariedRun>,
}

fn opt(v: Option<f64>, digits: usize) -> String {
    v.map_or_else(|| "-".to_owned(), |v| format!("{v:.digits$}"))
}

pub fn print_table(run: &Run) {
    let d = &run.data;
    println!("\nrepeated requests (one body per operation; answers may come from the answer cache)");
    println!(
        "{} — {} documents, {} tasks, {} assignments, {} reports; concurrency {}, {} s per op, batch window {}, {}, load average {}",
        run.backend,
        d.documents,
        d.tasks,
        d.assignments,
        d.reports,
        run.concurrency,
        run.duration_s,
        run.batch_window_us.map_or_else(|| "default".to_owned(), |us| format!("{us} µs")),
        run.server_keeps,
        opt(run.load_average, 2)
    );
    println!(
        "{:<14}{:<9}{:>5}{:>9}{:>8}{:>8}{:>8}{:>7}{:>8}{:>10}{:>10}{:>9}{:>13}",
        "op",
        "backend",
        "conc",
        "rps",
        "p50",
        "p95",
        "p99",
        "errors",
        "sql/req",
        "floor p99",
        "p99/floor",
        "peer rps",
        "qingdan/peer"
    );
    let mut notes = Vec::new();
    for r in &run.results {
        let g = &r.graphql;
        let (peer_rps, ratio) = match (&r.peer, r.peer_fidelity) {
            (Some(p), Some(f)) => {
                let mark = if f == Fidelity::Same { "" } else { "≈" };
                (format!("{:.0}", p.rps), format!("{mark}{}", opt(r.over_peer(), 2)))
            }
            (None, Some(Fidelity::NotExpressible)) => ("n/a".to_owned(), "n/a".to_owned()),
            _ => ("-".to_owned(), "-".to_owned()),
        };
        if !r.peer_note.is_empty() {
            notes.push(format!(
                "{}: peer {:?} — {}",
                r.op,
                r.peer_fidelity.unwrap_or(Fidelity::NotExpressible),
                r.peer_note
            ));
        }
        notes.extend(r.mismatches.iter().map(|m| format!("{}: MISMATCH {m}", r.op)));
        notes.extend(g.sample_errors.iter().map(|e| format!("{}: error {e}", r.op)));
        println!(
            "{:<14}{:<9}{:>5}{:>9.0}{:>8.2}{:>8.2}{:>8.2}{:>7}{:>8}{:>10}{:>10}{:>9}{:>13}",
            r.op,
            r.backend,
            r.concurrency,
            g.rps,
            g.p50_ms,
            g.p95_ms,
            g.p99_ms,
            g.errors + r.floor.as_ref().map_or(0, |f| f.errors) + r.peer.as_ref().map_or(0, |p| p.errors),
            opt(r.sql_per_request, 2),
            opt(r.floor.as_ref().map(|f| f.p99_ms), 2),
            opt(r.p99_over_floor(), 2),
            peer_rps,
            ratio
        );
    }
    println!(
        "(latencies in ms; errors = qingdan + floor + peer; ≈ = the peer's query is not the same view, see notes)"
    );
    if let Some(rss) = run.server_peak_rss_mib {
        let worst = run.results.iter().max_by(|a, b| {
            a.server_peak_rss_mib.partial_cmp(&b.server_peak_rss_mib).unwrap_or(std::cmp::Ordering::Equal)
        });
        print!("server peak RSS: {rss:.1} MiB");
        if let Some(w) = worst {
            print!(" (highest during {})", w.op);
        }
        if let Some((anon, file)) = run.results.last().and_then(|r| r.server_rss_anon_file_mib) {
            print!("; after the last op {anon:.1} MiB anonymous + {file:.1} MiB file-backed");
        }
        println!();
    }
    for e in &run.exports {
        println!(
            "ledger {:<22} {:>7.2} s (first byte {:.2} s) {:>8.1} MiB{}  server VmHWM {} → {} MiB",
            e.path,
            e.seconds,
            e.first_byte_seconds,
            e.bytes as f64 / 1048576.0,
            e.lines.map_or(String::new(), |l| format!(" {l} lines")),
            opt(e.peak_rss_before_mib, 0),
            opt(e.peak_rss_after_mib, 0)
        );
    }
    for n in notes {
        println!("  {n}");
    }
    print_cpu(run);
}

/// CPU milliseconds per request, by process: where the time goes. `cap` is the throughput the
/// machine would reach if that CPU were all it spent (cores × 1000 / ms): unlike rps, it does
/// not depend on what else runs meanwhile.
fn print_cpu(run: &Run) {
    let cores = std::thread::available_parallelism().map_or(1.0, |n| n.get() as f64);
    let cap = |ms: f64| if ms > 0.0 { format!("{:.0}", cores * 1000.0 / ms) } else { "-".to_owned() };
    println!(
        "\nCPU ms per request (from /proc; other = the rest of the machine meanwhile; cap = {cores} cores × 1000 / ms)"
    );
    println!(
        "{:<14}{:>7}{:>7}{:>7}{:>7}{:>7} |{:>9}{:>7}{:>7} |{:>7}{:>7}{:>7}{:>7} |{:>8}",
        "op",
        "server",
        "db",
        "bench",
        "other",
        "cap",
        "floor db",
        "bench",
        "cap",
        "peer",
        "db",
        "bench",
        "cap",
        "cap q/p"
    );
    let f = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |v| format!("{v:.2}"));
    for r in &run.results {
        let g = &r.graphql_cpu;
        let q_ms = g.server_ms + g.database_ms + g.harness_ms;
        let fl = r.floor_cpu.as_ref();
        let p = r.peer_cpu.as_ref();
        let p_ms = p.map(|c| c.peer_ms + c.database_ms + c.harness_ms);
        let ratio = p_ms.filter(|p| *p > 0.0 && q_ms > 0.0).map(|p| p / q_ms);
        println!(
            "{:<14}{:>7}{:>7}{:>7}{:>7}{:>7} |{:>9}{:>7}{:>7} |{:>7}{:>7}{:>7}{:>7} |{:>8}",
            r.op,
            f(Some(g.server_ms)),
            f(Some(g.database_ms)),
            f(Some(g.harness_ms)),
            f(Some(g.other_ms)),
            cap(q_ms),
            f(fl.map(|c| c.database_ms)),
            f(fl.map(|c| c.harness_ms)),
            fl.map_or_else(|| "-".to_owned(), |c| cap(c.database_ms + c.harness_ms)),
            f(p.map(|c| c.peer_ms)),
            f(p.map(|c| c.database_ms)),
            f(p.map(|c| c.harness_ms)),
            p_ms.map_or_else(|| "-".to_owned(), cap),
            f(ratio),
        );
    }
}

pub fn write_json(run: &Run, path: &Path) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, serde_json::to_string_pretty(run)?)?;
    println!("wrote {}", path.display());
    Ok(())
}
