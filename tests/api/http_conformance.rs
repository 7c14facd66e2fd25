//! GraphQL over HTTP (the GraphQL-over-HTTP draft), error hygiene and the browser-facing
//! controls, through the real router on a real port.

use std::net::SocketAddr;

use entity::TokenRole;
use qingdan::config::Limits;
use reqwest::StatusCode;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::on_each_backend;
use crate::support::{Backend, TestApp};

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

/// Serves the real router over this app's database with `tweak`ed limits.
pub async fn serve_with(app: &TestApp, tweak: impl FnOnce(&mut Limits)) -> SocketAddr {
    let mut state = app.state.clone();
    tweak(&mut state.limits);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let router = qingdan::build_router(state);
    tokio::spawn(async move {
        axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>()).await.ok();
    });
    addr
}

/// A finished response: status, headers and body (JSON when it parses, else a string).
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Answer {
    pub async fn of(resp: reqwest::Response) -> Self {
        let status = resp.status();
        let headers = resp.headers().clone();
        let text = resp.text().await.expect("a body");
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Self { status, headers, body }
    }

    pub fn content_type(&self) -> &str {
        self.headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    pub fn code(&self) -> &str {
        self.body["errors"][0]["extensions"]["code"].as_str().unwrap_or("")
    }

    pub fn message(&self) -> &str {
        self.body["errors"][0]["message"].as_str().unwrap_or("")
    }
}

fn url(addr: SocketAddr) -> String {
    format!("http://{addr}/graphql")
}

/// POSTs a raw body with a content type and an Accept header (each optional).
pub async fn post_raw(
    addr: SocketAddr,
    content_type: Option<&str>,
    accept: Option<&str>,
    body: impl Into<reqwest::Body>,
) -> Answer {
    let mut req = reqwest::Client::new().post(url(addr)).body(body);
    if let Some(ct) = content_type {
        req = req.header(CONTENT_TYPE, ct);
    }
    if let Some(a) = accept {
        req = req.header(ACCEPT, a);
    }
    Answer::of(req.send().await.expect("POST")).await
}

/// POSTs `{"query": query}` as JSON.
pub async fn post(addr: SocketAddr, accept: Option<&str>, query: &str) -> Answer {
    post_raw(addr, Some("application/json"), accept, json!({ "query": query }).to_string()).await
}

async fn get(addr: SocketAddr, accept: Option<&str>, params: &[(&str, &str)]) -> Answer {
    let mut req = reqwest::Client::new().get(url(addr)).query(params);
    if let Some(a) = accept {
        req = req.header(ACCEPT, a);
    }
    Answer::of(req.send().await.expect("GET")).await
}

#[tokio::test]
async fn queries_are_served_over_get_and_post_in_the_media_type_the_client_accepts() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let addr = app.serve().await;
    let q = "{ tasks(first: 2) { totalCount } }";
    for accept in [None, Some("application/json"), Some("*/*")] {
        let a = post(addr, accept, q).await;
        assert_eq!(
            (a.status, a.body["data"]["tasks"]["totalCount"].clone()),
            (StatusCode::OK, json!(129)),
            "{accept:?}"
        );
        assert!(a.content_type().starts_with("application/json"), "{accept:?}: {}", a.content_type());
        let a = get(addr, accept, &[("query", q)]).await;
        assert_eq!(a.status, StatusCode::OK, "GET {accept:?}: {:#}", a.body);
        assert!(a.content_type().starts_with("application/json"), "GET {accept:?}: {}", a.content_type());
    }
    for accept in [GRAPHQL_RESPONSE, "application/graphql-response+json, application/json, multipart/mixed"] {
        let a = post(addr, Some(accept), q).await;
        assert_eq!(a.status, StatusCode::OK);
        assert!(a.content_type().starts_with(GRAPHQL_RESPONSE), "{accept}: {}", a.content_type());
    }
    let a = get(
        addr,
        None,
        &[("query", "query($n: Int) { tasks(first: $n) { nodes { number } } }"), ("variables", r#"{"n": 1}"#)],
    )
    .await;
    assert_eq!(a.body["data"]["tasks"]["nodes"], json!([{ "number": 1 }]), "variables over GET");
    let a = post(addr, Some("text/html"), q).await;
    assert_eq!(a.status, StatusCode::NOT_ACCEPTABLE, "{:#}", a.body);
}

on_each_backend! {
    async fn a_mutation_over_get_is_405_and_writes_nothing(app) {
        let (_, secret) = app.token(TokenRole::Admin, None).await;
        let ids = app.data("{ task(number: 8) { id document { reportingPeriods { id } } } department(name: \"市委网信办\") { id } }").await;
        let input = json!({ "taskId": ids["task"]["id"], "periodId": ids["task"]["document"]["reportingPeriods"][0]["id"],
            "departmentId": ids["department"]["id"], "status": "ON_TRACK", "progressPercent": 10, "summary": "GET" });
        let mutation = "mutation($input: SubmitReportInput!) { submitReport(input: $input) { report { revision } } }";
        let addr = app.serve().await;
        let resp = reqwest::Client::new()
            .get(url(addr))
            .bearer_auth(&secret)
            .query(&[("query", mutation), ("variables", &json!({ "input": input }).to_string())])
            .send()
            .await
            .expect("GET");
        let a = Answer::of(resp).await;
        assert_eq!(a.status, StatusCode::METHOD_NOT_ALLOWED, "[{}] {:#}", app.backend_name, a.body);
        assert_eq!(a.headers.get("allow").and_then(|v| v.to_str().ok()), Some("POST"), "[{}]", app.backend_name);
        assert!(a.message().contains("POST"), "[{}] {}", app.backend_name, a.message());
        let rows = app.state.primary().query_one_raw(sea_orm::Statement::from_string(app.state.primary().get_database_backend(),
            "SELECT COUNT(*) AS n FROM report")).await.expect("count").expect("a row");
        assert_eq!(rows.try_get::<i64>("", "n").expect("n"), 0, "[{}] nothing written", app.backend_name);

        // The same over POST is a write, to show the GET was refused for its method alone.
        let resp = reqwest::Client::new().post(url(addr)).bearer_auth(&secret)
            .json(&json!({ "query": mutation, "variables": { "input": input } })).send().await.expect("POST");
        let a = Answer::of(resp).await;
        assert_eq!(a.body["data"]["submitReport"]["report"]["revision"], 1, "[{}] {:#}", app.backend_name, a.body);
    }
}

#[tokio::test]
async fn malformed_bodies_missing_queries_and_batches_are_400_with_a_clear_message() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let addr = app.serve().await;
    let cases: [(&str, &str); 9] = [
        ("{ \"not a JSON", "not valid JSON"),
        ("", "empty"),
        ("{\"qeury\": \"{ __typename }\"}", "query parameter is missing"),
        ("{\"query\": 5}", "must be a string"),
        ("{\"query\": \"{ __typename }\", \"variables\": \"x\"}", "variables"),
        ("{\"query\": \"{ __typename }\", \"operationName\": 3}", "operationName"),
        ("{\"query\": \"{ __typename }\", \"extensions\": []}", "extensions"),
        ("[{\"query\": \"{ __typename }\"}, {\"query\": \"{ __typename }\"}]", "batched requests are not supported"),
        ("\"{ __typename }\"", "JSON object"),
    ];
    for (body, says) in cases {
        for accept in [None, Some(GRAPHQL_RESPONSE)] {
            let a = post_raw(addr, Some("application/json"), accept, body.to_owned()).await;
            assert_eq!(a.status, StatusCode::BAD_REQUEST, "{body:?} {accept:?}: {:#}", a.body);
            assert!(a.message().contains(says), "{body:?}: {:?} should say {says:?}", a.message());
            assert_eq!(a.code(), "BAD_USER_INPUT", "{body:?}");
        }
    }
    let a = get(addr, None, &[("operationName", "x")]).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "a GET without a query: {:#}", a.body);
    let a = get(addr, None, &[("query", "{ __typename }"), ("variables", "{nope")]).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "unreadable variables over GET: {:#}", a.body);
}

#[tokio::test]
async fn a_body_that_is_not_json_is_415() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let addr = app.serve().await;
    let body = json!({ "query": "{ __typename }" }).to_string();
    for ct in
        [None, Some("text/plain;charset=UTF-8"), Some("application/graphql"), Some("application/json; charset=latin1")]
    {
        let a = post_raw(addr, ct, None, body.clone()).await;
        assert_eq!(a.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{ct:?}: {:#}", a.body);
        assert!(a.message().contains("application/json"), "{ct:?}: {}", a.message());
    }
    let a = post_raw(addr, Some("application/json; charset=utf-8"), None, body).await;
    assert_eq!(a.status, StatusCode::OK, "{:#}", a.body);
}

#[tokio::test]
async fn request_errors_are_400_without_data_for_graphql_response_json_and_200_for_json() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let addr = app.serve().await;
    let deep = format!(
        "{{ departments(first: 1) {{ nodes {} }} }}",
        "{ tasks(first: 1) { nodes { leads ".repeat(4) + "{ name }" + &" } } }".repeat(4)
    );
    let cases = [
        ("{ tasks(first: ) { totalCount }", "BAD_USER_INPUT"),
        ("{ nope }", "BAD_USER_INPUT"),
        ("query($id: ID!) { __typename }", "BAD_USER_INPUT"),
        (deep.as_str(), "LIMIT_EXCEEDED"),
    ];
    for (q, code) in cases {
        let a = post(addr, Some(GRAPHQL_RESPONSE), q).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{q}: {:#}", a.body);
        assert!(a.body.get("data").is_none(), "{q}: no data entry: {:#}", a.body);
        assert_eq!(a.code(), code, "{q}: {:#}", a.body);
        let a = post(addr, Some("application/json"), q).await;
        assert_eq!(a.status, StatusCode::OK, "{q}: {:#}", a.body);
        assert_eq!(a.code(), code, "{q}: {:#}", a.body);
    }
    // A field error is not a request error: the data entry stays, and so does 200.
    let a =
        post(addr, Some(GRAPHQL_RESPONSE), "{ task(number: 9999) { number } tasks(first: 1) { totalCount } }").await;
    assert_eq!((a.status, a.code()), (StatusCode::OK, "NOT_FOUND"), "{:#}", a.body);
    assert_eq!(a.body["data"]["tasks"]["totalCount"], 129);
}

/// Text a panic or a database error carries that must never reach a client.
fn assert_clean(body: &Value) {
    let text = body.to_string().to_lowercase();
    for word in
        ["secret.db", "/var/lib", "no such table", "panick", "relation", "sqlx", "sqlite", "postgres", "indicator_gone"]
    {
        assert!(!text.contains(word), "the response shows {word:?}: {body:#}");
    }
}

#[tokio::test]
async fn a_panicking_resolver_answers_internal_with_the_request_id_and_the_server_carries_on() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let addr = serve_with(&app, |l| l.test_hooks = true).await;
    for _ in 0..3 {
        for accept in [None, Some(GRAPHQL_RESPONSE)] {
            let a = post(addr, accept, "{ testPanic: tasks(first: 1) { totalCount } }").await;
            assert_eq!(a.status, StatusCode::INTERNAL_SERVER_ERROR, "{:#}", a.body);
            assert_eq!((a.code(), a.message()), ("INTERNAL", "internal error"), "{:#}", a.body);
            let id = a.headers.get(qingdan::http::REQUEST_ID).and_then(|v| v.to_str().ok()).expect("x-request-id");
            assert_eq!(a.body["errors"][0]["extensions"]["requestId"], id, "the error quotes the request id");
            assert_clean(&a.body);
        }
        let a = post(addr, None, "{ tasks(first: 1) { totalCount } }").await;
        assert_eq!(
            (a.status, a.body["data"]["tasks"]["totalCount"].clone()),
            (StatusCode::OK, json!(129)),
            "still serving"
        );
    }
}

#[tokio::test]
async fn an_error_without_a_code_is_answered_internal_without_its_text() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let addr = serve_with(&app, |l| l.test_hooks = true).await;
    let a = post(addr, None, "{ testRawError: tasks(first: 1) { totalCount } tasks(first: 1) { totalCount } }").await;
    assert_eq!((a.code(), a.message()), ("INTERNAL", "internal error"), "{:#}", a.body);
    assert!(a.body["errors"][0]["extensions"]["requestId"].is_string(), "{:#}", a.body);
    assert_eq!(a.body["data"]["tasks"]["totalCount"], 129, "the other field is served: {:#}", a.body);
    assert_clean(&a.body);
}

on_each_backend! {
    async fn a_failing_database_answers_internal_without_its_text(app) {
        let addr = app.serve().await;
        app.state.primary().execute_unprepared("ALTER TABLE indicator RENAME TO indicator_gone").await.expect("rename");
        let a = post(addr, Some(GRAPHQL_RESPONSE), "{ tasks(first: 3) { nodes { number indicators { unit } } } }").await;
        app.state.primary().execute_unprepared("ALTER TABLE indicator_gone RENAME TO indicator").await.expect("rename back");
        assert_eq!(a.code(), "INTERNAL", "[{}] {:#}", app.backend_name, a.body);
        assert_eq!(a.message(), "internal error", "[{}]", app.backend_name);
        assert!(a.body["errors"][0]["extensions"]["requestId"].is_string(), "[{}] {:#}", app.backend_name, a.body);
        assert_clean(&a.body);
        let a = post(addr, None, "{ tasks(first: 3) { nodes { indicators { unit } } } }").await;
        assert_eq!(a.status, StatusCode::OK, "[{}] {:#}", app.backend_name, a.body);
        assert!(a.body.get("errors").is_none(), "[{}] serving again: {:#}", app.backend_name, a.body);
    }
}

on_each_backend! {
    async fn field_suggestions_are_for_token_holders_only(app) {
        let q = "{ tasks(first: 1) { nodes { numbr } } }";
        let anonymous = app.query(q).await;
        let message = anonymous["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(message.contains("numbr"), "[{}] names the field: {message}", app.backend_name);
        assert!(!message.contains("Did you mean"), "[{}] no suggestion for anonymous callers: {message}", app.backend_name);
        assert_eq!(anonymous["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "[{}]", app.backend_name);
        let (viewer, _) = app.token(TokenRole::Viewer, None).await;
        let known = app.query_as(&viewer, q, json!({})).await;
        let message = known["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(message.contains("Did you mean \"number\""), "[{}] a token holder gets help: {message}", app.backend_name);
    }
}

#[tokio::test]
async fn introspection_is_on_by_default_and_can_be_turned_off() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let q = "{ __schema { queryType { name } } }";
    let on = post(app.serve().await, None, q).await;
    assert_eq!(on.body["data"]["__schema"]["queryType"]["name"], "Query", "{:#}", on.body);
    let off = post(serve_with(&app, |l| l.introspection = false).await, None, q).await;
    assert!(off.body.get("data").is_none(), "{:#}", off.body);
    assert_eq!(
        (off.code(), off.message()),
        ("FORBIDDEN", "introspection is disabled on this server"),
        "{:#}",
        off.body
    );
    let typename = post(serve_with(&app, |l| l.introspection = false).await, None, "{ __typename }").await;
    assert_eq!(typename.body["data"]["__typename"], "Query", "__typename is not introspection: {:#}", typename.body);
}

#[tokio::test]
async fn cors_is_off_by_default_and_an_allow_list_by_flag() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let preflight = |addr: SocketAddr, origin: &'static str| async move {
        reqwest::Client::new()
            .request(reqwest::Method::OPTIONS, url(addr))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type, authorization")
            .send()
            .await
            .expect("OPTIONS")
    };
    let allow = |r: &reqwest::Response| {
        r.headers().get("access-control-allow-origin").and_then(|v| v.to_str().ok()).map(str::to_owned)
    };

    let off = app.serve().await;
    assert_eq!(allow(&preflight(off, "https://portal.example").await), None, "no CORS by default");
    let simple = reqwest::Client::new()
        .post(url(off))
        .header("origin", "https://portal.example")
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .expect("POST");
    assert_eq!(allow(&simple), None, "no CORS by default");

    let on = serve_with(&app, |l| l.cors_origins = vec!["https://portal.example".into()]).await;
    let r = preflight(on, "https://portal.example").await;
    assert_eq!(allow(&r).as_deref(), Some("https://portal.example"));
    let headers =
        r.headers().get("access-control-allow-headers").and_then(|v| v.to_str().ok()).unwrap_or("").to_lowercase();
    assert!(headers.contains("authorization") && headers.contains("content-type"), "{headers}");
    assert_eq!(allow(&preflight(on, "https://evil.example").await), None, "an origin not on the list");
}

#[tokio::test]
async fn graphiql_is_served_from_the_binary_under_a_policy_of_self_alone() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let addr = app.serve().await;
    let resp = reqwest::get(format!("http://{addr}/")).await.expect("GET /");
    let csp =
        resp.headers().get("content-security-policy").and_then(|v| v.to_str().ok()).expect("a CSP header").to_owned();
    let html = resp.text().await.expect("html");
    let directive = |name: &str| {
        csp.split(';')
            .map(str::trim)
            .find(|d| d.starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("no {name} in {csp}"))
            .to_owned()
    };
    assert_eq!(directive("default-src"), "default-src 'none'");
    assert_eq!(directive("frame-ancestors"), "frame-ancestors 'none'");
    assert_eq!(directive("script-src"), "script-src 'self'");
    assert_eq!(directive("style-src"), "style-src 'self' 'unsafe-inline'");
    // No external URL anywhere in the page, and no inline script.
    assert!(!html.contains("http://") && !html.contains("https://") && !html.contains("//unpkg"), "{html}");
    assert!(!html.contains("<script>"), "{html}");
    let connect = directive("connect-src");
    assert!(connect.contains("'self'") && connect.contains(&format!("ws://{addr}")), "{connect}");
    // Every script and stylesheet is served here, cached for a year, and is what SHA256SUMS says.
    let sums =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/graphiql/SHA256SUMS")).expect("sums");
    let mut assets = 0;
    for src in html.split("src=\"").chain(html.split("href=\"")).skip(1).filter_map(|s| s.split('"').next()) {
        if !src.starts_with("/assets/") {
            continue;
        }
        assets += 1;
        let r = reqwest::get(format!("http://{addr}{src}")).await.expect("GET an asset");
        assert_eq!(r.status(), 200, "{src}");
        let cache = r.headers().get("cache-control").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        assert!(cache.contains("max-age=31536000") && cache.contains("immutable"), "{src}: {cache}");
        let body = r.bytes().await.expect("body");
        let name = src.rsplit('/').next().expect("a name");
        let digest: String = {
            use sha2::Digest as _;
            sha2::Sha256::digest(&body).iter().map(|b| format!("{b:02x}")).collect()
        };
        if let Some(line) = sums.lines().find(|l| l.ends_with(&format!("  {name}"))) {
            assert!(line.starts_with(&digest), "{name}: served {digest}, pinned {line}");
        }
    }
    assert_eq!(assets, 5, "React, ReactDOM, GraphiQL, its stylesheet and the page's script: {html}");
    let missing = reqwest::get(format!("http://{addr}/assets/graphiql-0.0.1/graphiql.min.js")).await.expect("GET");
    assert_eq!(missing.status(), 404, "another version is no asset");
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let addr = app.serve().await;
    let a = post(addr, None, "{ __typename }").await;
    let b = post(addr, None, "{ __typename }").await;
    let id = |a: &Answer| a.headers.get("x-request-id").and_then(|v| v.to_str().ok()).map(str::to_owned);
    assert!(id(&a).is_some_and(|i| i.len() == 16), "{:?}", a.headers);
    assert_ne!(id(&a), id(&b), "each request its own id");
    let health = reqwest::get(format!("http://{addr}/healthz")).await.expect("healthz");
    assert!(health.headers().contains_key("x-request-id"));
}
