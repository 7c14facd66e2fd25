//! One operation measured three ways: through qingdan, as its SQL floor, through the peer.
//! Each first answers once untimed, to compare rows; then warms up; then runs timed.

use std::sync::Arc;
use std::time::Duration;

use crate::cpu::{self, PerRequest};
use crate::driver::{self, Measured, Request};
use crate::floor::Floor;
use crate::ops::{self, Op};
use crate::params::Params;
use crate::peer_queries;
use crate::report::OpResult;
use crate::server;

/// What every operation is measured with.
pub struct Bench {
    pub client: reqwest::Client,
    /// `http://host:port` of qingdan.
    pub base: String,
    pub token: String,
    /// The server's process, when known (RSS, CPU).
    pub pid: Option<u32>,
    pub backend: String,
    pub params: Arc<Params>,
    /// `endCursor` of the task list's first page.
    pub cursor: Option<String>,
    pub concurrency: usize,
    pub duration: Duration,
    pub warmup: Duration,
    pub floor: Option<Floor>,
    pub floor_duration: Duration,
    pub floor_statements: Arc<qingdan::metrics::Metrics>,
    pub peer: Option<String>,
    /// The PostgreSQL database, whose backends' CPU is counted.
    pub database: Option<String>,
}

impl Bench {
    pub async fn op(&self, op: Op) -> anyhow::Result<OpResult> {
        let gql_url = format!("{}/graphql", self.base);
        let body = ops::graphql_body(op, &self.params, self.cursor.as_deref());
        let mut mismatches = Vec::new();
        let rows = match driver::post(&self.client, &gql_url, Some(&self.token), body(0)).await {
            Ok(v) => driver::count_rows(&v),
            Err(e) => {
                mismatches.push(format!("the check request failed: {e}"));
                0
            }
        };
        let request = driver::graphql(self.client.clone(), gql_url, Some(self.token.clone()), body);
        self.warm(&request, self.warmup).await;
        let before = server::statements(&self.client, &self.base).await.ok();
        if let Some(pid) = self.pid {
            server::reset_peak_rss(pid);
        }
        let (graphql, graphql_cpu) = self.timed(&request, self.duration).await;
        let after = server::statements(&self.client, &self.base).await.ok();
        let sql_per_request = before.zip(after).map(|(b, a)| (a - b) as f64 / graphql.requests.max(1) as f64);
        let mut result = OpResult {
            op: op.name(),
            backend: self.backend.clone(),
            concurrency: self.concurrency,
            graphql,
            graphql_cpu,
            rows,
            sql_per_request,
            server_peak_rss_mib: self.pid.and_then(server::peak_rss_mib),
            server_rss_anon_file_mib: self.pid.and_then(server::rss_now_mib),
            floor: None,
            floor_cpu: None,
            floor_rows: None,
            floor_sql_per_request: None,
            peer: None,
            peer_cpu: None,
            peer_rows: None,
            peer_fidelity: None,
            peer_note: "",
            mismatches,
        };
        if let Some(floor) = &self.floor {
            let r = floor.run(op, 0).await.map_err(|e| anyhow::anyhow!("floor of {}: {e}", op.name()))?;
            if r != rows {
                result.mismatches.push(format!("qingdan answers {rows} rows, the SQL floor {r}"));
            }
            let request = floor.request(op);
            self.warm(&request, self.warmup.min(self.floor_duration)).await;
            let before = self.floor_statements.statements();
            let (m, c) = self.timed(&request, self.floor_duration).await;
            result.floor_sql_per_request =
                Some((self.floor_statements.statements() - before) as f64 / m.requests.max(1) as f64);
            (result.floor, result.floor_cpu, result.floor_rows) = (Some(m), Some(c), Some(r));
        }
        if let Some(peer_url) = &self.peer {
            let q = peer_queries::peer_query(op, &self.params);
            (result.peer_fidelity, result.peer_note) = (Some(q.fidelity), q.note);
            if let Some(body) = q.body {
                let r = match driver::post(&self.client, peer_url, None, body(0)).await {
                    Ok(v) => driver::count_rows(&v),
                    Err(e) => anyhow::bail!("the peer's {} query failed: {e}", op.name()),
                };
                if q.fidelity.same_rows() && r != rows {
                    result.mismatches.push(format!("qingdan answers {rows} rows, the peer {r}"));
                }
                let request = driver::graphql(self.client.clone(), peer_url.clone(), None, body);
                self.warm(&request, self.warmup).await;
                let (m, c) = self.timed(&request, self.duration).await;
                (result.peer, result.peer_cpu, result.peer_rows) = (Some(m), Some(c), Some(r));
            }
        }
        Ok(result)
    }

    async fn warm(&self, request: &Request, time: Duration) {
        if !time.is_zero() {
            driver::run(request.clone(), self.concurrency, time).await;
        }
    }

    async fn timed(&self, request: &Request, time: Duration) -> (Measured, PerRequest) {
        let before = cpu::sample(self.pid, self.database.as_deref());
        let m = driver::run(request.clone(), self.concurrency, time).await;
        let cpu = before.per_request(&cpu::sample(self.pid, self.database.as_deref()), m.requests);
        (m, cpu)
    }
}
