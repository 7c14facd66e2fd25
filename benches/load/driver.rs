//! The load loop: `concurrency` workers call one request function back to back until the
//! deadline; every call's latency is recorded, percentiles come from sorting them all.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde::Serialize;

/// One request: `Ok(rows)` on success, `Err(why)` on an error answer.
pub type Call = Pin<Box<dyn Future<Output = Result<u64, String>> + Send>>;
/// Makes request number `seq` (a run-wide sequence, for requests that vary).
pub type Request = Arc<dyn Fn(u64) -> Call + Send + Sync>;

/// What one timed run measured.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Measured {
    pub requests: u64,
    pub errors: u64,
    pub elapsed_s: f64,
    pub rps: f64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// Up to three distinct error messages, for diagnosis.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sample_errors: Vec<String>,
}

/// Runs `request` with `concurrency` workers for `duration`.
pub async fn run(request: Request, concurrency: usize, duration: Duration) -> Measured {
    let seq = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let deadline = started + duration;
    let mut workers = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        let (request, seq) = (request.clone(), seq.clone());
        workers.push(tokio::spawn(async move {
            let mut latencies: Vec<u32> = Vec::with_capacity(4096);
            let mut errors = Vec::new();
            while Instant::now() < deadline {
                let n = seq.fetch_add(1, Ordering::Relaxed);
                let t0 = Instant::now();
                let result = request(n).await;
                latencies.push(t0.elapsed().as_micros().min(u32::MAX as u128) as u32);
                if let Err(e) = result {
                    errors.push(e);
                }
            }
            (latencies, errors)
        }));
    }
    let mut all = Vec::new();
    let mut errors = Vec::new();
    for w in workers {
        match w.await {
            Ok((l, e)) => {
                all.extend(l);
                errors.extend(e);
            }
            Err(e) => errors.push(format!("worker failed: {e}")),
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    summarize(all, errors, elapsed)
}

fn summarize(mut micros: Vec<u32>, errors: Vec<String>, elapsed_s: f64) -> Measured {
    micros.sort_unstable();
    let pct = |q: f64| -> f64 {
        if micros.is_empty() {
            return 0.0;
        }
        let rank = ((q * micros.len() as f64).ceil() as usize).clamp(1, micros.len());
        f64::from(micros[rank - 1]) / 1000.0
    };
    let mut sample_errors: Vec<String> = Vec::new();
    for e in &errors {
        if sample_errors.len() < 3 && !sample_errors.contains(e) {
            sample_errors.push(e.chars().take(300).collect());
        }
    }
    Measured {
        requests: micros.len() as u64,
        errors: errors.len() as u64,
        elapsed_s,
        rps: micros.len() as f64 / elapsed_s.max(1e-9),
        p50_ms: pct(0.50),
        p95_ms: pct(0.95),
        p99_ms: pct(0.99),
        max_ms: micros.last().map_or(0.0, |m| f64::from(*m) / 1000.0),
        sample_errors,
    }
}

/// A request that POSTs `body(seq)` to a GraphQL endpoint. An answer is an error when its
/// status is not 200 or its body has `"errors"`.
pub fn graphql(
    client: reqwest::Client,
    url: String,
    token: Option<String>,
    body: Arc<dyn Fn(u64) -> String + Send + Sync>,
) -> Request {
    Arc::new(move |seq| {
        let (client, url, token, body) = (client.clone(), url.clone(), token.clone(), body(seq));
        Box::pin(async move {
            // Timed requests are checked, not parsed: the harness shares the CPUs it measures.
            send(&client, &url, token.as_deref(), body).await.map(|_| 0)
        })
    })
}

/// POSTs one GraphQL body and returns the parsed answer; non-200 or `errors` is an `Err`.
pub async fn post(
    client: &reqwest::Client,
    url: &str,
    token: Option<&str>,
    body: String,
) -> Result<serde_json::Value, String> {
    let text = send(client, url, token, body).await?;
    serde_json::from_str(&text).map_err(|e| format!("not JSON: {e}"))
}

/// POSTs one GraphQL body and returns the answer's text; non-200 or `errors` is an `Err`.
async fn send(client: &reqwest::Client, url: &str, token: Option<&str>, body: String) -> Result<String, String> {
    let mut req = client.post(url).header("content-type", "application/json").body(body);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let resp = req.send().await.map_err(|e| format!("transport: {e}"))?;
    let status = resp.status();
    let text = resp.text().await.map_err(|e| format!("body: {e}"))?;
    if status != reqwest::StatusCode::OK || text.contains("\"errors\"") {
        return Err(format!("HTTP {status}: {}", text.chars().take(300).collect::<String>()));
    }
    Ok(text)
}

/// Rows in an answer: every element of every list, at any depth — the same count for two
/// servers that return the same rows, whatever their shapes (`nodes` or plain lists).
pub fn count_rows(v: &serde_json::Value) -> u64 {
    match v {
        serde_json::Value::Array(items) => items.len() as u64 + items.iter().map(count_rows).sum::<u64>(),
        serde_json::Value::Object(map) => map.values().map(count_rows).sum(),
        _ => 0,
    }
}
