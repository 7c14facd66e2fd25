//! The real router over HTTP: GraphQL by POST and GET, GraphiQL, health, readiness, metrics.

use std::net::SocketAddr;

use serde_json::{Value, json};

use crate::on_each_backend;

const QUERY: &str = r#"{ tasks(filter: {departmentName: "市科技局"}) { totalCount nodes { number } } }"#;

async fn get_text(addr: SocketAddr, path: &str) -> (reqwest::StatusCode, String, String) {
    let resp = reqwest::get(format!("http://{addr}{path}")).await.expect("GET");
    let status = resp.status();
    let content_type =
        resp.headers().get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    (status, content_type, resp.text().await.expect("body"))
}

async fn post_graphql(addr: SocketAddr, body: &Value) -> (reqwest::StatusCode, Value) {
    let resp = reqwest::Client::new().post(format!("http://{addr}/graphql")).json(body).send().await.expect("POST");
    let status = resp.status();
    (status, resp.json().await.expect("a JSON body"))
}

/// The value of an unlabelled Prometheus sample.
fn sample(metrics: &str, name: &str) -> f64 {
    let line =
        metrics.lines().find(|l| l.split_whitespace().next() == Some(name)).unwrap_or_else(|| panic!("no {name}"));
    line.split_whitespace().nth(1).and_then(|v| v.parse().ok()).unwrap_or_else(|| panic!("no value in {line:?}"))
}

on_each_backend! {
    async fn posting_json_to_graphql_answers_with_data(app) {
        let addr = app.serve().await;
        let (status, body) = post_graphql(addr, &json!({ "query": QUERY })).await;
        assert_eq!(status, reqwest::StatusCode::OK, "[{}] {body:#}", app.backend_name);
        assert_eq!(body, json!({ "data": { "tasks": { "totalCount": 3, "nodes": [{ "number": 66 }, { "number": 67 }, { "number": 68 }] } } }));

        let with_variables = json!({
            "query": "query($n: Int!) { task(number: $n) { number leads { name } } }",
            "variables": { "n": 71 },
        });
        let (_, body) = post_graphql(addr, &with_variables).await;
        assert_eq!(body["data"]["task"], json!({ "number": 71, "leads": [{ "name": "市发展改革委" }, { "name": "滨海新区人民政府" }] }));

        let (status, body) = post_graphql(addr, &json!({ "query": "{ tasks(first: 501) { totalCount } }" })).await;
        assert_eq!(status, reqwest::StatusCode::OK, "[{}] {body:#}", app.backend_name);
        assert_eq!(body["errors"][0]["extensions"]["code"], "LIMIT_EXCEEDED", "[{}] {body:#}", app.backend_name);
    }
}

on_each_backend! {
    async fn getting_graphql_with_a_query_string_answers_with_data(app) {
        let addr = app.serve().await;
        let resp = reqwest::Client::new()
            .get(format!("http://{addr}/graphql"))
            .query(&[("query", QUERY)])
            .send()
            .await
            .expect("GET /graphql");
        assert_eq!(resp.status(), reqwest::StatusCode::OK, "[{}]", app.backend_name);
        let body: Value = resp.json().await.expect("a JSON body");
        assert_eq!(body["data"]["tasks"]["totalCount"], 3, "[{}] {body:#}", app.backend_name);

        let resp = reqwest::Client::new()
            .get(format!("http://{addr}/graphql"))
            .query(&[("query", "query($n: Int!) { task(number: $n) { number } }"), ("variables", r#"{"n": 129}"#)])
            .send()
            .await
            .expect("GET /graphql with variables");
        let body: Value = resp.json().await.expect("a JSON body");
        assert_eq!(body["data"]["task"]["number"], 129, "[{}] {body:#}", app.backend_name);
    }
}

on_each_backend! {
    async fn the_root_serves_graphiql_pointed_at_the_endpoint(app) {
        let addr = app.serve().await;
        let (status, content_type, body) = get_text(addr, "/").await;
        assert_eq!(status, reqwest::StatusCode::OK, "[{}]", app.backend_name);
        assert!(content_type.starts_with("text/html"), "[{}] {content_type}", app.backend_name);
        assert!(body.to_lowercase().contains("graphiql"), "[{}] {body}", app.backend_name);
        let (_, _, script) = get_text(addr, "/assets/graphiql-4.1.2/app.js").await;
        assert!(script.contains("\"/graphql\"") && script.contains("/ws"), "[{}] GraphiQL talks to /graphql", app.backend_name);
    }
}

on_each_backend! {
    async fn health_and_readiness_answer_ok(app) {
        let addr = app.serve().await;
        for path in ["/healthz", "/readyz"] {
            let (status, _, body) = get_text(addr, path).await;
            assert_eq!(status, reqwest::StatusCode::OK, "[{}] {path}: {body}", app.backend_name);
        }
        let (status, _, _) = get_text(addr, "/no-such-page").await;
        assert_eq!(status, reqwest::StatusCode::NOT_FOUND, "[{}]", app.backend_name);
    }
}

on_each_backend! {
    async fn metrics_count_statements_and_time_requests(app) {
        let addr = app.serve().await;
        let (status, content_type, before) = get_text(addr, "/metrics").await;
        assert_eq!(status, reqwest::StatusCode::OK, "[{}]", app.backend_name);
        assert!(content_type.starts_with("text/plain"), "[{}] {content_type}", app.backend_name);
        assert!(before.contains("# TYPE qingdan_db_statements_total counter"), "[{}] {before}", app.backend_name);
        assert!(before.contains("qingdan_http_request_duration_seconds_bucket{le=\"+Inf\"}"), "[{}] {before}", app.backend_name);

        let (_, body) = post_graphql(addr, &json!({ "query": QUERY })).await;
        assert!(body.get("errors").is_none(), "[{}] {body:#}", app.backend_name);
        let (_, _, after) = get_text(addr, "/metrics").await;
        let statements = sample(&after, "qingdan_db_statements_total") - sample(&before, "qingdan_db_statements_total");
        assert!(statements >= 1.0, "[{}] the query ran statements: {statements}", app.backend_name);
        let requests = sample(&after, "qingdan_http_request_duration_seconds_count")
            - sample(&before, "qingdan_http_request_duration_seconds_count");
        assert!(requests >= 2.0, "[{}] the POST and the first scrape were timed: {requests}", app.backend_name);
    }
}
