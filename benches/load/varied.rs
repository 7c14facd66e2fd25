//! The varied mode (the port of `benches/varied/varied.py`): every request asks for another
//! task, bureau, page, document or period, drawn without replacement from the whole dataset
//! (`varied_draws.rs`); the peer (PostGraphile v5) gets the same draws in its own query language
//! (`varied_queries.rs`). Each pool is split 4:1: the timed run sends bodies from its start, the
//! warm-up bodies from its end, so no body repeats within a run and no answer comes from a
//! copy of an earlier one; a row is marked "(bodies repeated)" when a run sent more requests than
//! its share of the pool held.

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

use crate::driver::{self, Measured};
use crate::ops::Body;
use crate::server;
use crate::varied_draws::{Draws, Key, Maker, Pool, Write, write_body};

/// Concurrent writers of `reporting_day`.
const WRITERS: usize = 2;

/// The writers beside one server's readers: the reports they revise, the number of their first write.
struct Writers {
    share: Arc<Vec<Write>>,
    first: u64,
}

/// What the varied mode is run with.
pub struct Varied {
    pub client: reqwest::Client,
    /// qingdan's `/graphql`.
    pub url: String,
    /// The admin token qingdan's readers and the writers send (the peer gets none).
    pub token: String,
    /// PostGraphile v5's `/graphql`.
    pub peer: Option<String>,
    /// Seaography 2's `/graphql` (`scripts/seaography-peer.sh`).
    pub seaography: Option<String>,
    /// The server's process (peak RSS), when known.
    pub pid: Option<u32>,
    pub concurrency: usize,
    pub duration: Duration,
    pub warmup: Duration,
    pub seed: u64,
}

/// The whole varied run, as written to the JSON (`varied` of the report).
#[derive(Debug, Clone, Serialize)]
pub struct VariedRun {
    pub concurrency: usize,
    pub duration_s: f64,
    pub warmup_s: f64,
    pub seed: u64,
    pub peer: Option<String>,
    pub seaography: Option<String>,
    /// Search terms of `task_list` (the most common two-character words, up to 300).
    pub search_terms: usize,
    /// Existing reports the writers of `reporting_day` revise (a share beside each server).
    pub write_pool: usize,
    /// Peak RSS of the server over the varied run (MiB).
    pub server_peak_rss_mib: Option<f64>,
    pub results: Vec<VariedResult>,
}

/// One operation of the varied mode.
#[derive(Debug, Clone, Serialize)]
pub struct VariedResult {
    pub op: &'static str,
    /// Distinct draws; the timed run takes the first 4/5, the warm-up the rest.
    pub pool: usize,
    pub timed_bodies: usize,
    pub warmup_bodies: usize,
    pub qingdan: Option<Side>,
    pub peer: Option<Side>,
    pub seaography: Option<Side>,
    /// Peak RSS of the server during this operation (MiB).
    pub server_peak_rss_mib: Option<f64>,
}

/// One server's figures for an operation.
#[derive(Debug, Clone, Serialize)]
pub struct Side {
    #[serde(flatten)]
    pub measured: Measured,
    /// The timed run sent more requests than it had bodies: some were sent twice.
    pub bodies_repeated: bool,
    /// `reporting_day`: the writers submitting through qingdan meanwhile.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub writers: Option<Measured>,
    /// The untimed first request failed: nothing was timed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check_error: Option<String>,
}

impl Side {
    /// Error answers of the readers and the writers, and a failed check.
    pub fn errors(&self) -> u64 {
        self.measured.errors + self.writers.as_ref().map_or(0, |w| w.errors) + u64::from(self.check_error.is_some())
    }
}

impl VariedResult {
    pub fn errors(&self) -> u64 {
        [&self.qingdan, &self.peer, &self.seaography].iter().map(|s| s.as_ref().map_or(0, Side::errors)).sum()
    }
}

impl VariedRun {
    pub fn errors(&self) -> u64 {
        self.results.iter().map(VariedResult::errors).sum()
    }
}

/// Sends `keys[seq % len]` as request `seq`.
fn bodies(keys: Arc<Vec<Key>>, make: Maker) -> Body {
    Arc::new(move |seq| make(&keys[(seq % keys.len() as u64) as usize]))
}

impl Varied {
    /// Runs `ops` (names of `varied_draws::OPS`) in turn.
    pub async fn run(&self, draws: &Draws, ops: &[&'static str]) -> VariedRun {
        let mut results = Vec::new();
        let mut peak: Option<f64> = None;
        for &op in ops {
            let Some(pool) = draws.pools.get(op) else { continue };
            let result = self.op(pool, &draws.writes).await;
            peak = match (peak, result.server_peak_rss_mib) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            };
            let line = |s: &Option<Side>| {
                s.as_ref().map_or("-".to_owned(), |s| {
                    format!("{:.0} rps p99 {:.2} ms errors {}", s.measured.rps, s.measured.p99_ms, s.errors())
                })
            };
            eprintln!(
                "varied {:<13} bodies {:>7}  qingdan {}  peer {}  seaography {}",
                op,
                result.timed_bodies,
                line(&result.qingdan),
                line(&result.peer),
                line(&result.seaography)
            );
            results.push(result);
        }
        VariedRun {
            concurrency: self.concurrency,
            duration_s: self.duration.as_secs_f64(),
            warmup_s: self.warmup.as_secs_f64(),
            seed: self.seed,
            peer: self.peer.clone(),
            seaography: self.seaography.clone(),
            search_terms: draws.search_terms,
            write_pool: draws.writes.len(),
            server_peak_rss_mib: peak,
            results,
        }
    }

    async fn op(&self, pool: &Pool, writes: &[Write]) -> VariedResult {
        let n = pool.keys.len();
        // Timed bodies from the start, warm-up ones from the end: none is sent by both.
        let cut = if n >= 2 { (n * 4 / 5).max(1) } else { n };
        let timed = Arc::new(pool.keys[..cut].to_vec());
        let warm = Arc::new(pool.keys[cut..].to_vec());
        let mut result = VariedResult {
            op: pool.op,
            pool: n,
            timed_bodies: timed.len(),
            warmup_bodies: warm.len(),
            qingdan: None,
            peer: None,
            seaography: None,
            server_peak_rss_mib: None,
        };
        if n == 0 {
            return result;
        }
        if let Some(pid) = self.pid {
            server::reset_peak_rss(pid);
        }
        // Reporting day: two writers submit through qingdan while the readers read; each peer's
        // readers run beside writers too, each over its own share of the reports.
        let (first_half, rest) = writes.split_at(writes.len() / 3);
        let (second_half, third) = rest.split_at(rest.len() / 2);
        let writing = pool.op == "reporting_day";
        let share = |half: &[Write], first: usize| {
            (writing && !half.is_empty()).then(|| Writers { share: Arc::new(half.to_vec()), first: first as u64 })
        };
        result.qingdan =
            Some(self.side(&self.url, Some(&self.token), &pool.qingdan, &timed, &warm, share(first_half, 0)).await);
        if let (Some(url), Some(make)) = (&self.peer, &pool.peer) {
            result.peer = Some(self.side(url, None, make, &timed, &warm, share(second_half, first_half.len())).await);
        }
        if let (Some(url), Some(make)) = (&self.seaography, &pool.seaography) {
            let writers = share(third, first_half.len() + second_half.len());
            result.seaography = Some(self.side(url, None, make, &timed, &warm, writers).await);
        }
        result.server_peak_rss_mib = self.pid.and_then(server::peak_rss_mib);
        result
    }

    /// One server's warm-up and timed run of a pool, beside `writers` if any.
    async fn side(
        &self,
        url: &str,
        token: Option<&str>,
        make: &Maker,
        timed: &Arc<Vec<Key>>,
        warm: &Arc<Vec<Key>>,
        writers: Option<Writers>,
    ) -> Side {
        let token = token.map(str::to_owned);
        let mut side = Side { measured: Measured::default(), bodies_repeated: false, writers: None, check_error: None };
        // One untimed request first, with the pool's last body (the warm-up's, or the only one):
        // a server that cannot answer (a peer that is not v5) is not timed for nothing.
        let last = warm.last().or(timed.last()).copied().unwrap_or_default();
        if let Err(e) = driver::post(&self.client, url, token.as_deref(), make(&last)).await {
            side.check_error = Some(e);
            return side;
        }
        let warmup = if warm.is_empty() { Duration::ZERO } else { self.warmup };
        let writing = writers.map(|Writers { share, first }| {
            let body: Body = Arc::new(move |seq| write_body(&share, seq, first + seq));
            let request = driver::graphql(self.client.clone(), self.url.clone(), Some(self.token.clone()), body);
            // Until the readers are done (a little longer: they finish their last requests).
            let time = warmup + self.duration + Duration::from_millis(250);
            tokio::spawn(driver::run(request, WRITERS, time))
        });
        if !warmup.is_zero() {
            let request =
                driver::graphql(self.client.clone(), url.to_owned(), token.clone(), bodies(warm.clone(), make.clone()));
            driver::run(request, self.concurrency, warmup).await;
        }
        let request = driver::graphql(self.client.clone(), url.to_owned(), token, bodies(timed.clone(), make.clone()));
        side.measured = driver::run(request, self.concurrency, self.duration).await;
        side.bodies_repeated = side.measured.requests > timed.len() as u64;
        if let Some(w) = writing {
            side.writers = Some(w.await.unwrap_or_else(|e| Measured {
                errors: 1,
                sample_errors: vec![format!("writers failed: {e}")],
                ..Measured::default()
            }));
        }
        side
    }
}

/// The varied table: qingdan beside the peer, one row per operation.
pub fn print_table(run: &VariedRun, backend: &str) {
    println!(
        "\nvaried requests ({backend}; a different body every request, drawn without replacement; warm-up bodies \
         apart from the timed ones): concurrency {}, {} s per op after {} s of warm-up, peer {}, seaography {}",
        run.concurrency,
        run.duration_s,
        run.warmup_s,
        run.peer.as_deref().unwrap_or("none"),
        run.seaography.as_deref().unwrap_or("none")
    );
    println!(
        "{:<14}{:>8} |{:>12}{:>8}{:>8}{:>7} |{:>8}{:>8}{:>7} |{:>7} |{:>8}{:>8}{:>7} |{:>7}",
        "op",
        "bodies",
        "qingdan rps",
        "p50",
        "p99",
        "errors",
        "v5 rps",
        "p99",
        "errors",
        "q/peer",
        "sea rps",
        "p99",
        "errors",
        "q/sea"
    );
    let mut notes = Vec::new();
    for r in &run.results {
        let Some(q) = &r.qingdan else {
            println!("{:<14}{:>8} | no draws in this data", r.op, r.timed_bodies);
            continue;
        };
        let qm = &q.measured;
        let column = |side: &Option<Side>, configured: &Option<String>| {
            let figures = match (side, configured) {
                (Some(p), _) => format!("{:>8.0}{:>8.2}{:>7}", p.measured.rps, p.measured.p99_ms, p.errors()),
                (None, Some(_)) => format!("{:>8}{:>8}{:>7}", "n/a", "", ""),
                (None, None) => format!("{:>8}{:>8}{:>7}", "-", "", ""),
            };
            let ratio =
                side.as_ref().map(|p| &p.measured).filter(|p| p.rps > 0.0).map(|p| format!("{:.1}x", qm.rps / p.rps));
            format!("{figures} |{:>7}", ratio.unwrap_or_else(|| "-".to_owned()))
        };
        let (peer, sea) = (column(&r.peer, &run.peer), column(&r.seaography, &run.seaography));
        let mut flags = String::new();
        if q.bodies_repeated || [&r.peer, &r.seaography].iter().any(|p| p.as_ref().is_some_and(|p| p.bodies_repeated)) {
            flags.push_str(" (bodies repeated)");
        }
        if let Some(w) = &q.writers {
            let beside_peer = r.peer.as_ref().and_then(|p| p.writers.as_ref());
            flags.push_str(&format!(
                " (writers: {:.0}/s beside qingdan{}, {} write errors)",
                w.rps,
                beside_peer.map_or(String::new(), |p| format!(", {:.0}/s beside the peer", p.rps)),
                w.errors + beside_peer.map_or(0, |p| p.errors)
            ));
        }
        println!(
            "{:<14}{:>8} |{:>12.0}{:>8.2}{:>8.2}{:>7} |{peer} |{sea}{flags}",
            r.op,
            r.timed_bodies,
            qm.rps,
            qm.p50_ms,
            qm.p99_ms,
            q.errors(),
        );
        for (who, side) in [("qingdan", Some(q)), ("peer", r.peer.as_ref()), ("seaography", r.seaography.as_ref())] {
            let Some(side) = side else { continue };
            if let Some(e) = &side.check_error {
                notes.push(format!("{}: {who} check request failed, not timed: {e}", r.op));
            }
            notes.extend(side.measured.sample_errors.iter().map(|e| format!("{}: {who} error {e}", r.op)));
            if let Some(w) = &side.writers {
                notes.extend(w.sample_errors.iter().map(|e| format!("{}: writer beside {who}: error {e}", r.op)));
            }
        }
    }
    println!(
        "(latencies in ms; bodies = timed bodies, 4/5 of the pool; errors = error answers, writers' included; \
         q/peer, q/sea = qingdan rps / PostGraphile v5's, / Seaography's; n/a = the peer cannot express it)"
    );
    if let Some(rss) = run.server_peak_rss_mib {
        let worst = run.results.iter().filter(|r| r.server_peak_rss_mib == Some(rss)).map(|r| r.op).next();
        println!(
            "server peak RSS over the varied run: {rss:.1} MiB{}",
            worst.map_or(String::new(), |op| format!(" (highest during {op})"))
        );
    }
    for n in notes {
        println!("  {n}");
    }
}
