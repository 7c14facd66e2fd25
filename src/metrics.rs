//! Process-wide counters rendered in the Prometheus text format at `/metrics`.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};

/// Upper bounds (seconds) of the request latency histogram.
const BUCKETS: [f64; 12] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

/// Counters shared by the database hook and the HTTP layer.
#[derive(Debug, Default)]
pub struct Metrics {
    statements: AtomicU64,
    statement_errors: AtomicU64,
    requests: AtomicU64,
    server_errors: AtomicU64,
    latency_buckets: [AtomicU64; BUCKETS.len()],
    latency_sum_micros: AtomicU64,
    response_cache_hits: AtomicU64,
    response_cache_misses: AtomicU64,
    webhook_delivered: AtomicU64,
    webhook_failed: AtomicU64,
}

impl Metrics {
    pub fn record_statement(&self, failed: bool) {
        self.statements.fetch_add(1, Ordering::Relaxed);
        if failed {
            self.statement_errors.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// SQL statements run since start.
    pub fn statements(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    /// A query looked up in the response cache: found, or not.
    pub fn record_response_cache(&self, hit: bool) {
        let counter = if hit { &self.response_cache_hits } else { &self.response_cache_misses };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// A webhook attempt: answered 2xx, or not.
    pub fn record_webhook(&self, delivered: bool) {
        let counter = if delivered { &self.webhook_delivered } else { &self.webhook_failed };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub fn record_request(&self, seconds: f64, status: u16) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        if status >= 500 {
            self.server_errors.fetch_add(1, Ordering::Relaxed);
        }
        self.latency_sum_micros.fetch_add((seconds * 1e6) as u64, Ordering::Relaxed);
        for (bound, count) in BUCKETS.iter().zip(&self.latency_buckets) {
            if seconds <= *bound {
                count.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// The Prometheus exposition text.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let requests = self.requests.load(Ordering::Relaxed);
        let _ = writeln!(out, "# HELP qingdan_db_statements_total SQL statements executed.");
        let _ = writeln!(out, "# TYPE qingdan_db_statements_total counter");
        let _ = writeln!(out, "qingdan_db_statements_total {}", self.statements());
        let _ = writeln!(out, "# HELP qingdan_db_statement_errors_total SQL statements that failed.");
        let _ = writeln!(out, "# TYPE qingdan_db_statement_errors_total counter");
        let _ = writeln!(out, "qingdan_db_statement_errors_total {}", self.statement_errors.load(Ordering::Relaxed));
        let _ = writeln!(out, "# HELP qingdan_response_cache_hits_total Queries answered from the response cache.");
        let _ = writeln!(out, "# TYPE qingdan_response_cache_hits_total counter");
        let _ = writeln!(out, "qingdan_response_cache_hits_total {}", self.response_cache_hits.load(Ordering::Relaxed));
        let _ = writeln!(
            out,
            "# HELP qingdan_response_cache_misses_total Queries looked up in the response cache and executed."
        );
        let _ = writeln!(out, "# TYPE qingdan_response_cache_misses_total counter");
        let _ =
            writeln!(out, "qingdan_response_cache_misses_total {}", self.response_cache_misses.load(Ordering::Relaxed));
        let _ = writeln!(out, "# HELP qingdan_webhook_attempts_total Webhook deliveries attempted, by result.");
        let _ = writeln!(out, "# TYPE qingdan_webhook_attempts_total counter");
        let _ = writeln!(
            out,
            "qingdan_webhook_attempts_total{{result=\"delivered\"}} {}",
            self.webhook_delivered.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "qingdan_webhook_attempts_total{{result=\"failed\"}} {}",
            self.webhook_failed.load(Ordering::Relaxed)
        );
        let _ = writeln!(out, "# HELP qingdan_http_server_errors_total HTTP responses with a 5xx status.");
        let _ = writeln!(out, "# TYPE qingdan_http_server_errors_total counter");
        let _ = writeln!(out, "qingdan_http_server_errors_total {}", self.server_errors.load(Ordering::Relaxed));
        let _ = writeln!(out, "# HELP qingdan_http_request_duration_seconds HTTP request latency.");
        let _ = writeln!(out, "# TYPE qingdan_http_request_duration_seconds histogram");
        for (bound, count) in BUCKETS.iter().zip(&self.latency_buckets) {
            let _ = writeln!(
                out,
                "qingdan_http_request_duration_seconds_bucket{{le=\"{bound}\"}} {}",
                count.load(Ordering::Relaxed)
            );
        }
        let _ = writeln!(out, "qingdan_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {requests}");
        let sum = self.latency_sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(out, "qingdan_http_request_duration_seconds_sum {sum}");
        let _ = writeln!(out, "qingdan_http_request_duration_seconds_count {requests}");
        out
    }
}
