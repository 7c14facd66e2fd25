//! Load benchmark against a `qingdan serve` it starts (or `--url`), in two parts, each printed
//! as a table and written to one JSON file. A harness, not a test.
//!
//! 1. Varied requests (`varied.rs`, the port of `benches/varied/varied.py`): each operation
//!    sends a different body every request, drawn without replacement from the whole dataset
//!    and split 4:1 into timed and warm-up bodies, so none repeats within a run; with a peer
//!    (`--varied-peer`, default `--peer`: PostGraphile v5) the same draws in its query language.
//! 2. Repeated requests: each canonical operation repeats one body (answers may come from the
//!    answer cache), beside its hand-written SQL floor and, with `--peer`, PostGraphile's
//!    closest query (v4's names, `peer_queries.rs`).
//!
//!   cargo bench --bench load -- --smoke                     # CI: tiny SQLite, ~0.5 s per varied op, ~1 s per op
//!   cargo bench --bench load                                # SQLite, --scale national (cached)
//!   cargo bench --bench load -- --database-url 'postgres://postgres@localhost/qingdan_bench?host=/var/run/postgresql' \
//!       --peer http://127.0.0.1:5050/graphql --varied-peer http://127.0.0.1:5055/graphql
//!
//! `--no-varied` / `--no-repeated` skip a part, `--varied-ops` picks the varied operations.
//! Exits non-zero on any error answer (either part, the writers of `reporting_day` included) or
//! when the floor (or a peer query that promises the same rows) disagrees with qingdan on the
//! rows of an answer.

mod cpu;
mod driver;
mod exports;
mod floor;
mod floor_write;
mod measure;
mod ops;
mod params;
mod peer_queries;
mod report;
mod seaography_queries;
mod server;
mod varied;
mod varied_draws;
mod varied_queries;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use clap::{Parser, ValueEnum};
use sea_orm::ConnectionTrait;

use crate::measure::Bench;
use crate::ops::Op;
use crate::report::Run;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Generate {
    National,
    Stress,
    Tiny,
    /// Use the database as it is.
    None,
}

/// Load benchmark of the canonical operations.
#[derive(Debug, Parser)]
struct Args {
    /// Database (PostgreSQL: prefer the Unix socket, `?host=/var/run/postgresql`). Default: a
    /// SQLite file under bench-results/, generated once per scale and seed.
    #[arg(long)]
    database_url: Option<String>,
    /// Data to generate when the database is empty (or the cached file is missing).
    #[arg(long, value_enum, default_value_t = Generate::National)]
    generate: Generate,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// Seconds per operation, varied and repeated (and again for its floor and its peer query).
    #[arg(long, default_value_t = 10.0)]
    duration: f64,
    /// Untimed seconds before each timed run (default: a tenth of --duration, at most 2).
    #[arg(long)]
    warmup: Option<f64>,
    /// Operations to run (default all): co_led, dashboard, task_page, task_list, stats_doc,
    /// stats_all, overdue, submit_report.
    #[arg(long, value_delimiter = ',')]
    ops: Vec<String>,
    /// PostGraphile over the same PostgreSQL database (../shared/tools/peer/postgraphile.sh).
    /// The repeated table's peer queries are v4's; the varied ones v5's (see --varied-peer).
    #[arg(long)]
    peer: Option<String>,
    /// PostGraphile v5 for the varied mode (`PEER_VERSION=5 postgraphile.sh serve`; default
    /// --peer, which must then be v5). Not used with --smoke.
    #[arg(long)]
    varied_peer: Option<String>,
    /// Seaography 2 over the same PostgreSQL database, the varied mode's second peer
    /// (`scripts/seaography-peer.sh serve`). Not used with --smoke.
    #[arg(long)]
    varied_seaography: Option<String>,
    /// Varied operations to run (default all): task_page, dashboard, co_led, task_list, stats,
    /// overdue, lights, board, reporting_day.
    #[arg(long, value_delimiter = ',')]
    varied_ops: Vec<String>,
    /// Skip the varied mode.
    #[arg(long)]
    no_varied: bool,
    /// Skip the repeated requests (their table and the ledger downloads printed with it).
    #[arg(long)]
    no_repeated: bool,
    /// Where to write the JSON (default bench-results/load-BACKEND.json).
    #[arg(long)]
    json: Option<PathBuf>,
    /// CI smoke: tiny data in a temp SQLite file, concurrency 4, ~1 s per op (varied: 0.5 s, no peer).
    #[arg(long)]
    smoke: bool,
    /// An already running qingdan (http://host:port) on --database-url; no RSS unless --server-pid.
    #[arg(long)]
    url: Option<String>,
    #[arg(long)]
    server_pid: Option<u32>,
    /// Bearer token to send (default: a new admin token made with `qingdan token create`).
    #[arg(long)]
    token: Option<String>,
    /// QINGDAN_BATCH_WINDOW_US of the started server (default: the server's).
    #[arg(long)]
    batch_window_us: Option<u64>,
    /// Search term of the task list.
    #[arg(long, default_value = "服务")]
    search: String,
    /// Skip the SQL floor.
    #[arg(long)]
    no_floor: bool,
    /// Skip the ledger downloads (the whole dataset as CSV and XLSX, before the operations).
    #[arg(long)]
    no_exports: bool,
    /// Passed by `cargo bench` to every bench binary.
    #[arg(long, hide = true)]
    bench: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("FAILED: errors or row mismatches (see above)");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(mut args: Args) -> anyhow::Result<bool> {
    let results = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench-results");
    std::fs::create_dir_all(&results)?;
    anyhow::ensure!(
        args.url.is_none() || args.database_url.is_some(),
        "--url needs --database-url: the parameters, the floor and the token come from the database"
    );
    let varied_ops: Vec<&'static str> = if args.varied_ops.is_empty() {
        varied_draws::OPS.to_vec()
    } else {
        args.varied_ops
            .iter()
            .map(|n| varied_draws::OPS.into_iter().find(|op| *op == n.trim()))
            .map(|op| op.context("unknown varied op"))
            .collect::<Result<_, _>>()
            .with_context(|| format!("--varied-ops {:?}: one of {:?}", args.varied_ops, varied_draws::OPS))?
    };
    let mut _temp = None;
    if args.smoke {
        (args.concurrency, args.duration, args.generate) = (4, 1.0, Generate::Tiny);
        args.warmup.get_or_insert(0.0);
    }
    let url = match (&args.database_url, args.smoke) {
        (Some(url), _) => url.clone(),
        (None, true) => {
            let dir = tempfile::tempdir()?;
            let url = format!("sqlite://{}?mode=rwc", dir.path().join("smoke.db").display());
            _temp = Some(dir);
            url
        }
        (None, false) => cached_sqlite(&results, args.generate, args.seed)?,
    };
    let backend = if url.starts_with("sqlite:") { "sqlite" } else { "postgres" }.to_owned();
    let db = qingdan::db::connect(&url, Arc::default()).await.context("cannot open the database")?;
    if args.generate != Generate::None && params::data_size(&db).await.map_or(true, |d| d.documents == 0) {
        server::generate(&url, scale_name(args.generate), args.seed)?;
    }
    if backend == "postgres" {
        // Statistics as autovacuum would keep them (it may be off, as on this machine, and a
        // bulk load leaves none): without them the planner picks nested loops over seq scans.
        db.execute_unprepared("ANALYZE").await?;
    }
    let data = params::data_size(&db).await?;
    let floor_metrics = Arc::new(qingdan::metrics::Metrics::default());
    let floor_db = qingdan::db::connect(&url, floor_metrics.clone()).await?;
    let token = match &args.token {
        Some(t) => t.clone(),
        None => server::create_admin_token(&url)?,
    };
    let params = Arc::new(params::pick(&db, &args.search, &token).await?);
    eprintln!("data: {data:?}\nparams: {}", serde_json::to_string(&*params)?);

    let (child, base, pid) = match &args.url {
        Some(u) => (None, u.trim_end_matches('/').to_owned(), args.server_pid),
        None => {
            let log = results.join(format!("server-{backend}.log"));
            let s = server::Server::start(&url, args.batch_window_us, &log).await?;
            let (base, pid) = (s.base.clone(), Some(s.pid()));
            (Some(s), base, pid)
        }
    };
    let client = reqwest::Client::builder().pool_max_idle_per_host(args.concurrency * 2).tcp_nodelay(true).build()?;
    let first = serde_json::json!({ "query": ops::TASK_LIST, "variables": ops::task_list_variables(&params, None) });
    let answer = driver::post(&client, &format!("{base}/graphql"), Some(&token), first.to_string())
        .await
        .map_err(anyhow::Error::msg)?;
    let cursor = answer.pointer("/data/tasks/pageInfo/endCursor").and_then(|c| c.as_str()).map(str::to_owned);

    let load_average = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().and_then(|v| v.parse().ok()));
    // The ledgers first, on a fresh server, so that its peak memory is theirs.
    let exports = if args.no_exports || args.no_repeated {
        Vec::new()
    } else {
        exports::measure(&client, &base, &token, pid).await?
    };
    let mut peak_rss = pid.and_then(server::peak_rss_mib);

    let warmup = args.warmup.unwrap_or((args.duration / 10.0).min(2.0));
    let varied = if args.no_varied {
        None
    } else {
        let draws = varied_draws::draw(&db, args.seed).await.context("the varied draws")?;
        let (duration, warmup) = if args.smoke { (0.5, 0.1) } else { (args.duration, warmup) };
        let varied = varied::Varied {
            client: client.clone(),
            url: format!("{base}/graphql"),
            token: token.clone(),
            peer: if args.smoke { None } else { args.varied_peer.clone().or_else(|| args.peer.clone()) },
            seaography: if args.smoke { None } else { args.varied_seaography.clone() },
            pid,
            concurrency: args.concurrency,
            duration: Duration::from_secs_f64(duration),
            warmup: Duration::from_secs_f64(warmup),
            seed: args.seed,
        };
        let run = varied.run(&draws, &varied_ops).await;
        varied::print_table(&run, &backend);
        Some(run)
    };

    let selected: Vec<Op> = if args.no_repeated {
        Vec::new()
    } else if args.ops.is_empty() {
        Op::ALL.to_vec()
    } else {
        args.ops.iter().map(|n| Op::parse(n).with_context(|| format!("unknown op {n:?}"))).collect::<Result<_, _>>()?
    };
    let duration = Duration::from_secs_f64(args.duration);
    let bench = Bench {
        client,
        base,
        token,
        pid,
        backend: backend.clone(),
        params: params.clone(),
        cursor,
        concurrency: args.concurrency,
        duration,
        warmup: Duration::from_secs_f64(warmup),
        floor: (!args.no_floor).then(|| floor::Floor::new(floor_db, params.clone())),
        floor_duration: if args.smoke { duration / 4 } else { duration },
        floor_statements: floor_metrics,
        peer: args.peer.clone(),
        database: cpu::database_name(&url),
    };
    let mut out = Vec::new();
    for op in selected {
        let result = bench.op(op).await?;
        peak_rss = match (peak_rss, result.server_peak_rss_mib) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        let g = &result.graphql;
        eprintln!(
            "{:<13} {:>7.0} rps  p99 {:>7.2} ms  errors {}  sql/req {}  rows {}",
            op.name(),
            g.rps,
            g.p99_ms,
            g.errors,
            result.sql_per_request.map_or("-".into(), |s| format!("{s:.2}")),
            result.rows
        );
        out.push(result);
    }
    drop(child);

    let ok = out.iter().all(|r| {
        r.mismatches.is_empty()
            && r.graphql.errors == 0
            && r.floor.as_ref().is_none_or(|f| f.errors == 0)
            && r.peer.as_ref().is_none_or(|p| p.errors == 0)
    }) && varied.as_ref().is_none_or(|v| v.errors() == 0);
    let run = Run {
        backend: backend.clone(),
        database: redact(&url),
        data,
        concurrency: args.concurrency,
        duration_s: args.duration,
        batch_window_us: args.batch_window_us,
        server_keeps: match &args.url {
            Some(_) => "kept answers and rows as the server at --url was started".to_owned(),
            None => server::keeps_from_env(),
        },
        load_average,
        params: (*params).clone(),
        server_peak_rss_mib: peak_rss,
        results: out,
        exports,
        varied,
    };
    if !args.no_repeated {
        report::print_table(&run);
    }
    let suffix = if args.smoke { "-smoke" } else { "" };
    let path = args.json.clone().unwrap_or_else(|| results.join(format!("load-{backend}{suffix}.json")));
    report::write_json(&run, &path)?;
    Ok(ok)
}

fn scale_name(g: Generate) -> &'static str {
    match g {
        Generate::National => "national",
        Generate::Stress => "stress",
        Generate::Tiny | Generate::None => "tiny",
    }
}

/// The default database: `bench-results/qingdan-SCALE-seedN.db`, generated once; a marker
/// file says the generation finished, so an interrupted one is redone.
fn cached_sqlite(results: &Path, generate: Generate, seed: u64) -> anyhow::Result<String> {
    let scale = if generate == Generate::None { "national" } else { scale_name(generate) };
    let file = results.join(format!("qingdan-{scale}-seed{seed}.db"));
    let done = results.join(format!("qingdan-{scale}-seed{seed}.db.done"));
    let url = format!("sqlite://{}?mode=rwc", file.display());
    if !done.exists() {
        anyhow::ensure!(generate != Generate::None, "{} is missing and --generate none", file.display());
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
        }
        server::generate(&url, scale, seed)?;
        std::fs::write(&done, "")?;
    }
    Ok(url)
}

/// The URL without a password.
fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(s), Some(at)) if url[s + 3..at].contains(':') => {
            let user_end = s + 3 + url[s + 3..at].find(':').unwrap_or(0);
            format!("{}:***{}", &url[..user_end], &url[at..])
        }
        _ => url.to_owned(),
    }
}
