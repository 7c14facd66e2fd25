//! Hostile queries and bad input: every limit refuses with LIMIT_EXCEEDED and says which limit
//! and its value, the queries real clients send pass, and the server keeps serving.

use std::net::SocketAddr;

use entity::TokenRole;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use crate::http_conformance::{Answer, post, post_raw, serve_with};
use crate::on_each_backend;
use crate::support::{Backend, TestApp};

/// The first error of a query that must be refused by a limit; returns its message.
async fn refused(app: &TestApp, query: &str, variables: Value) -> String {
    let resp = app.query_with(query, variables).await;
    let e = &resp["errors"][0];
    assert_eq!(e["extensions"]["code"], "LIMIT_EXCEEDED", "[{}] {query}: {resp:#}", app.backend_name);
    assert!(resp["data"].is_null(), "[{}] nothing executed: {resp:#}", app.backend_name);
    e["message"].as_str().expect("a message").to_owned()
}

/// The canonical full task listing of the clients.
const ALL_TASKS: &str = "{ tasks(first: 500) { totalCount nodes { number content isCoLed category { name }
    leads { name workload { lead } } responsibleUnits { name } indicators { unit targetValue } } } }";

/// The dashboard: departments with a page of their tasks, one level down.
const DASHBOARD: &str = "{ departments(first: 50) { totalCount nodes { name kind workload { lead coLead total }
    tasks(first: 50) { totalCount nodes { number isCoLed category { name } leads { name } } } } }
    stats: tasks(first: 50, filter: {coLed: true}) { totalCount nodes { number leads { name } } } }";

on_each_backend! {
    async fn the_queries_clients_send_pass_every_limit(app) {
        let all = app.data(ALL_TASKS).await;
        assert_eq!(all["tasks"]["nodes"].as_array().map(Vec::len), Some(129), "[{}]", app.backend_name);
        let dashboard = app.data(DASHBOARD).await;
        assert_eq!(dashboard["departments"]["nodes"].as_array().map(Vec::len), Some(50), "[{}]", app.backend_name);
    }
}

/// `departments(first: 1)` then `levels` of `tasks → leads`, ending in `leaf`.
fn nested(levels: usize, leaf: &str) -> String {
    let open = "{ tasks(first: 1) { nodes { leads ".repeat(levels);
    let close = " } } }".repeat(levels);
    format!("{{ departments(first: 1) {{ nodes {open}{{ {leaf} }}{close} }} }}")
}

on_each_backend! {
    async fn a_query_deeper_than_the_limit_is_refused_naming_its_depth_and_the_maximum(app) {
        // departments nodes (tasks nodes leads)×3 name = depth 12: allowed.
        app.data(&nested(3, "name")).await;
        let message = refused(&app, &nested(3, "workload { lead }"), json!({})).await;
        assert_eq!(message, "query depth limit exceeded: depth 13, the maximum is 12", "[{}]", app.backend_name);
        // Fragments add no depth of their own, and hide none either.
        let via_fragment = "{ departments(first: 1) { nodes { ...D } } }
            fragment D on Department { tasks(first: 1) { nodes { leads { tasks(first: 1) { nodes { leads {
                tasks(first: 1) { nodes { leads { workload { lead } } } } } } } } } } }";
        let message = refused(&app, via_fragment, json!({})).await;
        assert!(message.contains("depth 13"), "[{}] {message}", app.backend_name);
    }
}

on_each_backend! {
    async fn complexity_is_weighted_by_page_sizes_including_variables_and_defaults(app) {
        let q = "query($n: Int) { tasks(first: $n) { nodes { leads { tasks(first: $n) { nodes { number } } } } } }";
        let small = app.query_with(q, json!({ "n": 10 })).await;
        assert!(small.get("errors").is_none(), "[{}] {small:#}", app.backend_name);
        // 1 + 500 × (nodes 1 + leads (1 + tasks (1 + 500 × (nodes 1 + number 1)))) = 501501.
        let message = refused(&app, q, json!({ "n": 500 })).await;
        assert_eq!(
            message.split(" (").next(),
            Some("query complexity limit exceeded: complexity 501501, the maximum is 250000"),
            "[{}] {message}",
            app.backend_name
        );
        // A connection without first/last counts 100 rows.
        let defaults = "{ departments { nodes { tasks { nodes { leads { tasks { nodes { number } } } } } } } }";
        let message = refused(&app, defaults, json!({})).await;
        assert!(message.contains("complexity 2030201"), "[{}] {message}", app.backend_name);
        // A variable's default in the document counts like a value sent.
        let with_default = "query($n: Int = 500) { tasks(first: $n) { nodes { leads { tasks(first: $n) { nodes { number } } } } } }";
        let message = refused(&app, with_default, json!({})).await;
        assert!(message.contains("complexity 501501"), "[{}] {message}", app.backend_name);
    }
}

on_each_backend! {
    async fn fragments_spreading_fragments_are_costed_once_each_and_refused(app) {
        // 2^40 fields through 40 fragments that each spread the next twice.
        let bomb = |root: &str, on: &str, leaf: &str| {
            let mut q = format!("{root}\n");
            for i in 0..40 {
                q.push_str(&format!("fragment F{i} on {on} {{ ...F{} ...F{} }}\n", i + 1, i + 1));
            }
            q + &format!("fragment F40 on {on} {{ {leaf} }}\n")
        };
        let message = refused(&app, &bomb("{ task(number: 1) { ...F0 } }", "Task", "number"), json!({})).await;
        assert_eq!(
            message.split(" (").next(),
            Some("query complexity limit exceeded: complexity 1099511627777, the maximum is 250000"),
            "[{}] {message}",
            app.backend_name
        );
        let message = refused(&app, &bomb("{ ...F0 }", "Query", "__typename"), json!({})).await;
        assert!(message.contains("1099511627776 root fields"), "[{}] {message}", app.backend_name);
    }
}

/// `n` aliased numbers on one task.
fn aliases(n: usize) -> String {
    let fields: Vec<String> = (0..n).map(|i| format!("a{i}: number")).collect();
    format!("{{ task(number: 1) {{ {} }} }}", fields.join(" "))
}

on_each_backend! {
    async fn aliases_roots_and_directives_are_counted_per_operation(app) {
        app.data(&aliases(30)).await;
        let message = refused(&app, &aliases(31), json!({})).await;
        assert_eq!(message, "alias limit exceeded: 31 aliases, the maximum is 30", "[{}]", app.backend_name);
        // An aliased fragment counts each time it is spread.
        let fields: Vec<String> = (0..16).map(|i| format!("a{i}: number")).collect();
        let spread = format!("{{ task(number: 1) {{ ...A x: category {{ ...C }} }} }} fragment A on Task {{ {} }}
            fragment C on Category {{ tasks(first: 1) {{ nodes {{ ...A }} }} }}", fields.join(" "));
        let message = refused(&app, &spread, json!({})).await;
        assert!(message.contains("33 aliases"), "[{}] {message}", app.backend_name);

        let roots = |n: usize| format!("{{ {} }}", vec!["__typename"; n].join(" "));
        app.data(&roots(20)).await;
        let message = refused(&app, &roots(21), json!({})).await;
        assert_eq!(message, "root field limit exceeded: 21 root fields, the maximum is 20", "[{}]", app.backend_name);

        let directives = |n: usize| format!("{{ task(number: 1) {{ {} }} }}", vec!["... @include(if: true) { number }"; n].join(" "));
        app.data(&directives(50)).await;
        let message = refused(&app, &directives(51), json!({})).await;
        assert_eq!(message, "directive limit exceeded: 51 directives, the maximum is 50", "[{}]", app.backend_name);
    }
}

#[tokio::test]
async fn deeply_nested_brackets_are_refused_before_parsing() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let lists =
        format!("{{ tasks(filter: {{search: {}\"x\"{}}}) {{ totalCount }} }}", "[".repeat(5000), "]".repeat(5000));
    let message = refused(&app, &lists, json!({})).await;
    assert!(message.contains("nesting") && message.contains("64"), "{message}");
    let selections = format!("{}{}", "{ a ".repeat(200), "}".repeat(200));
    let message = refused(&app, &selections, json!({})).await;
    assert!(message.contains("nest"), "{message}");
    assert_eq!(app.data("{ tasks { totalCount } }").await["tasks"]["totalCount"], 129);
}

#[tokio::test]
async fn a_syntax_error_quotes_only_a_short_excerpt_of_the_query() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let q = format!("{{ {} }} oops! {}", "__typename ".repeat(4000), "x".repeat(20_000));
    let resp = app.query(&q).await;
    let message = resp["errors"][0]["message"].as_str().expect("a message");
    assert!(message.len() < 300, "{} characters: {message}", message.len());
    assert!(message.starts_with("syntax error at line 1, column"), "{message}");
    assert!(message.contains("oops!"), "quotes where: {message}");
    assert_eq!(resp["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
}

#[tokio::test]
async fn a_body_over_the_limit_gets_413_even_at_5_mb_and_without_a_length() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let addr = app.serve().await;
    let padding = " ".repeat(5 * 1024 * 1024);
    let big = format!("{{\"query\": \"{{ __typename }}\", \"extensions\": {{\"pad\": \"{padding}\"}}}}");
    let a = post_raw(addr, Some("application/json"), None, big).await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE, "{:#}", a.body);
    assert_eq!(a.code(), "LIMIT_EXCEEDED");
    assert!(a.message().contains("65536"), "{}", a.message());
    // Just over 64 KiB is refused; just under is served.
    let body =
        |n: usize| format!("{{\"query\": \"{{ __typename }}\", \"extensions\": {{\"pad\": \"{}\"}}}}", " ".repeat(n));
    let over = post_raw(addr, Some("application/json"), None, body(64 * 1024)).await;
    assert_eq!(over.status, StatusCode::PAYLOAD_TOO_LARGE);
    let under = post_raw(addr, Some("application/json"), None, body(60 * 1024)).await;
    assert_eq!(under.status, StatusCode::OK, "{:#}", under.body);
    // A GET carries its query in the URL, bounded the same.
    let small = serve_with(&app, |l| l.max_body_bytes = 1000).await;
    let long = format!("{{ {} }}", "__typename ".repeat(100));
    let resp = reqwest::Client::new().get(format!("http://{small}/graphql")).query(&[("query", long)]).send().await;
    assert_eq!(resp.map(|r| r.status()).ok(), Some(StatusCode::URI_TOO_LONG));
    // One client, one kept-alive connection: a refused body must not spoil the next request.
    let client = reqwest::Client::new();
    let url = format!("http://{addr}/graphql");
    for (content_type, big_body, status) in [
        ("application/json", format!("{{\"query\": \"{{ __typename }}\", \"x\": \"{}\"}}", " ".repeat(1 << 20)), 413),
        ("text/plain", " ".repeat(1 << 20), 415),
        ("text/plain", " ".repeat(100), 415),
    ] {
        let big_body_len = big_body.len();
        let resp = client.post(&url).header("content-type", content_type).body(big_body).send().await.expect("POST");
        assert_eq!(resp.status().as_u16(), status);
        // A body left unread closes the connection (the client must not reuse it); one read
        // and discarded keeps it.
        let closes = resp.headers().get("connection").is_some_and(|v| v == "close");
        assert_eq!(closes, big_body_len > 64 * 1024, "{status} with a body of {big_body_len} bytes");
        let _ = resp.bytes().await;
        let next =
            client.post(&url).json(&json!({ "query": "{ __typename }" })).send().await.expect("the next request");
        assert_eq!(next.status(), StatusCode::OK, "after a {status}");
    }
    // A chunked body declares no length: it is cut off while it streams.
    assert_eq!(chunked_post(addr, 5 * 1024 * 1024).await, 413);
    assert_eq!(post(addr, None, "{ __typename }").await.status, StatusCode::OK, "still serving");
}

/// POSTs `total` bytes of JSON in chunks over a raw connection; returns the status answered.
async fn chunked_post(addr: SocketAddr, total: usize) -> u16 {
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.expect("head");
    let chunk = vec![b' '; 64 * 1024];
    let mut sent = 0;
    while sent < total {
        let frame = [format!("{:x}\r\n", chunk.len()).as_bytes(), &chunk, b"\r\n"].concat();
        if stream.write_all(&frame).await.is_err() {
            break; // the server stopped reading: its answer is waiting
        }
        sent += chunk.len();
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut answer = vec![0u8; 1024];
    let n = stream.read(&mut answer).await.unwrap_or(0);
    let text = String::from_utf8_lossy(&answer[..n]);
    text.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0)
}

#[tokio::test]
async fn a_request_running_past_the_timeout_is_cancelled_with_a_clear_error() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let addr = serve_with(&app, |l| {
        l.test_hooks = true;
        l.request_timeout_secs = 1;
    })
    .await;
    let request = post(addr, None, "{ testSleep: tasks(first: 1) { totalCount } }");
    let a =
        tokio::time::timeout(std::time::Duration::from_secs(30), request).await.expect("answered, not left hanging");
    assert_eq!(a.status, StatusCode::SERVICE_UNAVAILABLE, "{:#}", a.body);
    assert_eq!(a.code(), "LIMIT_EXCEEDED");
    assert_eq!(a.message(), "request timeout exceeded: the request ran longer than 1 s, the maximum is 1 s");
    assert_eq!(post(addr, None, "{ tasks { totalCount } }").await.body["data"]["tasks"]["totalCount"], 129);
}

/// POSTs `{ __typename }` with an optional bearer token.
async fn call(addr: SocketAddr, token: Option<&str>) -> Answer {
    let mut req =
        reqwest::Client::new().post(format!("http://{addr}/graphql")).json(&json!({ "query": "{ __typename }" }));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    Answer::of(req.send().await.expect("POST")).await
}

#[tokio::test]
async fn an_address_over_its_rate_gets_429_with_retry_after() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let addr = serve_with(&app, |l| {
        l.rate_limit_per_minute = 3;
        l.rate_limit_loopback = true;
    })
    .await;
    for i in 0..3 {
        assert_eq!(call(addr, None).await.status, StatusCode::OK, "request {i}");
    }
    let a = call(addr, None).await;
    assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS, "{:#}", a.body);
    assert_eq!(a.code(), "LIMIT_EXCEEDED");
    assert!(a.message().contains("3 requests per minute"), "{}", a.message());
    let retry: u64 =
        a.headers.get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok()).expect("Retry-After");
    assert!((1..=20).contains(&retry), "{retry}");
    // Wrong tokens count against the address too.
    assert_eq!(call(addr, Some("qd_wrong")).await.status, StatusCode::TOO_MANY_REQUESTS);
}

on_each_backend! {
    async fn a_token_over_its_rate_gets_429_while_others_carry_on(app) {
        let (_, secret) = app.token(TokenRole::Viewer, None).await;
        let addr = serve_with(&app, |l| {
            l.token_rate_limit_per_minute = 2;
            l.rate_limit_per_minute = 1000;
            l.rate_limit_loopback = true;
        })
        .await;
        for _ in 0..2 {
            assert_eq!(call(addr, Some(&secret)).await.status, StatusCode::OK, "[{}]", app.backend_name);
        }
        let a = call(addr, Some(&secret)).await;
        assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS, "[{}] {:#}", app.backend_name, a.body);
        assert!(a.message().contains("per token"), "[{}] {}", app.backend_name, a.message());
        assert!(a.headers.contains_key("retry-after"), "[{}]", app.backend_name);
        assert_eq!(call(addr, None).await.status, StatusCode::OK, "[{}] anonymous callers have their own budget", app.backend_name);
    }
}

#[tokio::test]
async fn loopback_clients_are_exempt_by_default_and_zero_turns_a_limit_off() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let exempt = serve_with(&app, |l| l.rate_limit_per_minute = 1).await;
    let off = serve_with(&app, |l| {
        l.rate_limit_per_minute = 0;
        l.rate_limit_loopback = true;
    })
    .await;
    for addr in [exempt, off] {
        for _ in 0..5 {
            assert_eq!(call(addr, None).await.status, StatusCode::OK);
        }
    }
}
