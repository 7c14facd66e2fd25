//! Memory under hostile variety: a real `qingdan serve` receives thousands of distinct large
//! anonymous queries, filters and persisted queries, each from another forwarded address. Every
//! cache stays within its bytes (`/metrics`), and the process's peak resident memory grows by no
//! more than those bytes and a fixed allowance for work in flight — while the requests and
//! their answers carry several times that, and unbounded stores would keep every one.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::server_process::ServerProcess;
use crate::support::{Backend, TestApp};

const MIB: u64 = 1024 * 1024;
/// What the server may hold beyond its caches while it works: requests in flight, their parsed
/// documents and answers, the allocator's spare pages, the database's page caches.
const WORK_ALLOWANCE: u64 = 48 * MIB;
const REQUESTS: usize = 900;
const CONCURRENCY: usize = 4;

/// A distinct large request `i`: a big answer under a padded text, a large filter in the
/// variables, or a query registered as a persisted query (APQ).
fn hostile(i: usize) -> Value {
    let pad = |n: usize| format!("# {i:08} {}\n", "填充".repeat(n / 6));
    match i % 3 {
        // Eight views of the whole list in one request: an answer of a third of a megabyte.
        0 => {
            let views: String = (0..8)
                .map(|k| format!("v{k}: tasks(first: {}) {{ nodes {{ number content category {{ name }} leads {{ name }} responsibleUnits {{ name }} }} }} ", 110 + (i + k) % 20))
                .collect();
            json!({ "query": format!("# {i}\n{{ {views}}}") })
        }
        1 => {
            let terms: Vec<Value> =
                (0..40).map(|k| json!({ "search": format!("{i}-{k}-{}", "无".repeat(60)) })).collect();
            json!({
                "query": "query Hostile($f: TaskFilter) { tasks(filter: $f, first: 5) { totalCount nodes { number } } }",
                "variables": { "f": { "or": terms } },
            })
        }
        _ => {
            let query = format!("{}{{ categories {{ number name }} }}", pad(55_000));
            let hash: String = Sha256::digest(query.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
            json!({ "query": query, "extensions": { "persistedQuery": { "version": 1, "sha256Hash": hash } } })
        }
    }
}

/// A field of `/proc/PID/status` in bytes.
fn status_bytes(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc status");
    let line = status.lines().find(|l| l.starts_with(field)).expect("the field");
    line.split_whitespace().nth(1).and_then(|kb| kb.parse::<u64>().ok()).expect("kB") * 1024
}

/// `qingdan_cache_bytes` or `qingdan_cache_capacity_bytes` of `cache`.
fn gauge(metrics: &str, name: &str, cache: &str) -> u64 {
    let prefix = format!("{name}{{cache=\"{cache}\"}} ");
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("{prefix} in /metrics:\n{metrics}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn distinct_large_anonymous_requests_leave_every_cache_and_the_process_within_their_bounds() {
    assert!(std::path::Path::new("/proc/self/status").exists(), "the memory test reads /proc (Linux)");
    let app = TestApp::spawn(Backend::Sqlite).await;
    // Smaller stores than the defaults, so that the requests carry many times what is kept.
    let server = ServerProcess::start(
        &app.database_url,
        &["--trusted-proxies", "127.0.0.1/32", "--response-cache-bytes", "4194304"],
        &[("QINGDAN_PERSISTED_QUERY_BYTES", "2097152")],
    )
    .await;
    let (addr, pid) = (server.addr, server.pid());
    let client = reqwest::Client::new();
    let url = format!("http://{addr}/graphql");
    for i in 0..20 {
        let body = json!({ "query": format!("{{ tasks(first: {}) {{ nodes {{ number content }} }} }}", i + 1) });
        let resp = client.post(&url).json(&body).send().await.expect("warm-up");
        assert_eq!(resp.status(), 200);
    }
    let before = status_bytes(pid, "VmRSS:");

    let next = Arc::new(AtomicUsize::new(0));
    let carried = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::new();
    for _ in 0..CONCURRENCY {
        let (client, url, next, carried) = (client.clone(), url.clone(), next.clone(), carried.clone());
        workers.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= REQUESTS {
                    return;
                }
                let body = hostile(i).to_string();
                carried.fetch_add(body.len(), Ordering::Relaxed);
                let forwarded = format!("10.{}.{}.{}", i >> 16 & 255, i >> 8 & 255, i & 255);
                let resp = client
                    .post(&url)
                    .header("content-type", "application/json")
                    .header("x-forwarded-for", forwarded)
                    .body(body)
                    .send()
                    .await
                    .expect("POST");
                let status = resp.status();
                let text = resp.text().await.expect("an answer");
                carried.fetch_add(text.len(), Ordering::Relaxed);
                let answer: Value = serde_json::from_str(&text).expect("JSON");
                assert_eq!(status, 200, "request {i}: {answer}");
                assert!(answer.get("errors").is_none(), "request {i}: {answer}");
            }
        }));
    }
    for w in workers {
        w.await.expect("worker");
    }

    let metrics =
        client.get(format!("http://{addr}/metrics")).send().await.expect("metrics").text().await.expect("text");
    let mut kept = 0;
    for cache in ["answers", "documents", "persisted_queries", "tokens", "rate_limits"] {
        let (bytes, capacity) =
            (gauge(&metrics, "qingdan_cache_bytes", cache), gauge(&metrics, "qingdan_cache_capacity_bytes", cache));
        eprintln!("{cache}: {bytes} bytes of {capacity}");
        assert!(bytes <= capacity, "{cache} holds {bytes} bytes, more than its {capacity}");
        kept += capacity;
    }
    // The requests filled what they could fill.
    for cache in ["answers", "persisted_queries"] {
        let (bytes, capacity) =
            (gauge(&metrics, "qingdan_cache_bytes", cache), gauge(&metrics, "qingdan_cache_capacity_bytes", cache));
        assert!(bytes * 2 >= capacity, "{cache} only reached {bytes} of {capacity}: the test did not press it");
    }
    assert!(gauge(&metrics, "qingdan_cache_bytes", "rate_limits") > 0, "every forwarded client is tracked");

    let (rss, peak) = (status_bytes(pid, "VmRSS:"), status_bytes(pid, "VmHWM:"));
    let carried = carried.load(Ordering::Relaxed) as u64;
    eprintln!(
        "{} MiB of requests and answers in {REQUESTS} distinct requests; RSS {} → {} MiB, peak {} MiB; caches at most {} MiB",
        carried / MIB,
        before / MIB,
        rss / MIB,
        peak / MIB,
        kept / MIB
    );
    // Stores without bounds would keep every text and variables sent, and the answers beside them.
    assert!(
        carried > 3 * (kept + WORK_ALLOWANCE) / 2,
        "the requests and answers carry 1.5 times the bound ({carried} bytes)"
    );
    assert!(
        peak <= before + kept + WORK_ALLOWANCE,
        "peak RSS {} MiB exceeds {} MiB at rest + {} MiB of caches + {} MiB for work",
        peak / MIB,
        before / MIB,
        kept / MIB,
        WORK_ALLOWANCE / MIB
    );
}
