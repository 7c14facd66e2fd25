//! OpenTelemetry over OTLP: a real server process with `--otlp-endpoint` pointed at a loopback
//! collector stub, which receives a span per request named by its operation, continuing the
//! caller's `traceparent`, and the request's database statements beneath it.

use std::net::{SocketAddr, TcpListener};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};

/// Every span the stub received: (trace id, span id, parent span id, name, attribute keys).
type Spans = Arc<Mutex<Vec<(String, String, String, String, Vec<String>)>>>;

async fn collector() -> (SocketAddr, Spans) {
    let spans: Spans = Arc::default();
    let seen = spans.clone();
    let router = axum::Router::new().route(
        "/v1/traces",
        axum::routing::post(move |body: axum::body::Bytes| {
            let seen = seen.clone();
            async move {
                let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                let mut out = seen.lock().expect("lock");
                for rs in v["resourceSpans"].as_array().into_iter().flatten() {
                    for ss in rs["scopeSpans"].as_array().into_iter().flatten() {
                        for s in ss["spans"].as_array().into_iter().flatten() {
                            let text = |k: &str| s[k].as_str().unwrap_or("").to_owned();
                            let keys = s["attributes"]
                                .as_array()
                                .into_iter()
                                .flatten()
                                .filter_map(|a| a["key"].as_str().map(str::to_owned))
                                .collect();
                            out.push((text("traceId"), text("spanId"), text("parentSpanId"), text("name"), keys));
                        }
                    }
                }
                axum::Json(json!({}))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, router).await.ok() });
    (addr, spans)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_span_named_by_its_operation_continues_the_callers_trace_with_its_statements() {
    let (collector, spans) = collector().await;
    let dir = tempfile::tempdir().expect("dir");
    let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a port").port();
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
    let mut child = Command::new(env!("CARGO_BIN_EXE_qingdan"))
        .args([
            "--database-url",
            &url,
            "--otlp-endpoint",
            &format!("http://{collector}"),
            "serve",
            "--bind",
            &addr.to_string(),
        ])
        .env("OTEL_BSP_SCHEDULE_DELAY", "100")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the server");
    let client = reqwest::Client::new();
    for _ in 0..100 {
        if client.get(format!("http://{addr}/readyz")).send().await.is_ok_and(|r| r.status() == 200) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
    let parent = "00f067aa0ba902b7";
    let resp = client
        .post(format!("http://{addr}/graphql"))
        .header("traceparent", format!("00-{trace_id}-{parent}-01"))
        .json(&json!({ "query": "query TaskPage { task(number: 29) { number leads { name } } }" }))
        .send()
        .await
        .expect("POST");
    assert_eq!(resp.status(), 200);
    let mut found = None;
    for _ in 0..100 {
        {
            let spans = spans.lock().expect("lock");
            let request = spans.iter().find(|s| s.0 == trace_id && s.3 == "TaskPage").cloned();
            let statements: Vec<_> =
                spans.iter().filter(|s| s.0 == trace_id && s.4.iter().any(|k| k == "db.system")).cloned().collect();
            if let Some(r) = request
                && !statements.is_empty()
            {
                found = Some((r, statements));
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    let (request, statements) =
        found.unwrap_or_else(|| panic!("no TaskPage span with statements in: {:#?}", spans.lock().expect("lock")));
    assert_eq!(request.2, parent, "the request span's parent is the caller's span");
    assert!(statements.iter().all(|s| s.2 == request.1), "statements beneath the request span: {statements:?}");
    // Only request and statement spans: no resolver spans.
    let names: Vec<String> =
        spans.lock().expect("lock").iter().filter(|s| s.0 == trace_id).map(|s| s.3.clone()).collect();
    assert!(names.len() <= 1 + statements.len(), "{names:?}");
}
