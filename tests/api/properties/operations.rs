//! Random operations over the real schema, sent through the real router over HTTP with and
//! without a token: never a 5xx, always JSON, every error with a code, no internals leaked.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::time::Duration;

use entity::TokenRole;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{Value, json};

use super::generator::{Generator, Operation, Tape};
use super::model::{INTROSPECTION, Model};
use crate::support::{Backend, TestApp, backends};

/// Text that must never reach a client: SQL, driver names, source locations, panics.
const LEAKS: &[&str] =
    &["SELECT", "INSERT", "UPDATE ", "sqlx", "sqlite", "SQLite", "postgres", ".rs:", "panicked", "DbErr", "database error"];

/// Cases per backend: `PROPTEST_CASES` overrides.
fn cases(backend: &Backend) -> u32 {
    let default = if matches!(backend, Backend::Sqlite) { 300 } else { 60 };
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

struct Target {
    url: String,
    client: reqwest::Client,
    /// Authorization header values: none, each role, a wrong token, a wrong scheme.
    auth: Vec<Option<String>>,
}

struct Reply {
    status: u16,
    body: String,
}

async fn send(target: &Target, op: &Operation, tape: &mut Tape) -> Reply {
    let accept = ["application/json", "application/graphql-response+json", "", "*/*"][tape.pick(4)];
    let auth = target.auth[tape.pick(target.auth.len())].clone();
    let get = !op.is_mutation && op.query.len() < 4000 && tape.chance(15);
    let mut req = if get {
        let mut params = vec![("query", op.query.clone())];
        if op.variables.as_object().is_some_and(|v| !v.is_empty()) {
            params.push(("variables", op.variables.to_string()));
        }
        target.client.get(&target.url).query(&params)
    } else {
        target.client.post(&target.url).json(&json!({ "query": op.query, "variables": op.variables }))
    };
    if !accept.is_empty() {
        req = req.header("accept", accept);
    }
    if let Some(a) = auth {
        req = req.header("authorization", a);
    }
    match req.send().await {
        Ok(resp) => {
            let status = resp.status().as_u16();
            Reply { status, body: resp.text().await.unwrap_or_default() }
        }
        Err(e) => Reply { status: 599, body: format!("no response: {e}") },
    }
}

/// The checks; on success, the codes of the errors (or "ok").
fn check(reply: &Reply) -> Result<Vec<String>, String> {
    if reply.status >= 500 {
        return Err(format!("status {}", reply.status));
    }
    let body: Value = serde_json::from_str(&reply.body).map_err(|e| format!("the body is not JSON ({e})"))?;
    let Some(errors) = body.get("errors") else {
        return if body.get("data").is_some_and(|d| !d.is_null()) { Ok(vec!["ok".into()]) } else { Err("no data".into()) };
    };
    let errors = errors.as_array().filter(|e| !e.is_empty()).ok_or("`errors` is not a non-empty list")?;
    let mut codes = Vec::new();
    for e in errors {
        let message = e["message"].as_str().ok_or("an error without a message")?;
        let code = e["extensions"]["code"].as_str().filter(|c| !c.is_empty());
        let code = code.ok_or_else(|| format!("an error without extensions.code: {message}"))?;
        if code == "INTERNAL" {
            return Err(format!("an INTERNAL error: {e}"));
        }
        if let Some(leak) = LEAKS.iter().find(|l| message.contains(*l)) {
            return Err(format!("the message leaks {leak:?}: {message}"));
        }
        codes.push(code.to_owned());
    }
    Ok(codes)
}

/// Ids that exist, so that generated operations get past "not found" now and then.
async fn known_ids(target: &Target) -> Vec<String> {
    let q = "{ documents { id categories { id } reportingPeriods { id } }
      tasks(first: 3) { nodes { id leads { id } indicators { id } } }
      task(number: 29) { id leads { id } responsibleUnits { id } indicators { id } } }";
    let resp = post(target, q, None).await;
    let mut ids = Vec::new();
    collect_ids(&resp["data"], &mut ids);
    assert!(ids.len() > 10, "ids found: {resp}");
    ids
}

fn collect_ids(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                match (k.as_str(), v.as_str()) {
                    ("id", Some(id)) => out.push(id.to_owned()),
                    _ => collect_ids(v, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|v| collect_ids(v, out)),
        _ => {}
    }
}

async fn post(target: &Target, query: &str, auth: Option<&str>) -> Value {
    let mut req = target.client.post(&target.url).json(&json!({ "query": query }));
    if let Some(a) = auth {
        req = req.header("authorization", a);
    }
    req.send().await.expect("the server answers").json().await.expect("a JSON body")
}

fn run_on(backend: Backend) {
    let cases = cases(&backend);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let app = rt.block_on(TestApp::spawn(backend));
    let addr = rt.block_on(app.serve());
    let mut auth = vec![None, Some("Bearer not-a-token".to_owned()), Some("Basic YTpi".to_owned())];
    for (role, dept) in [(TokenRole::Admin, None), (TokenRole::Reporter, Some("市税务局")), (TokenRole::Viewer, None)] {
        let (_, secret) = rt.block_on(app.token(role, dept));
        auth.push(Some(format!("Bearer {secret}")));
    }
    let client = reqwest::Client::builder().timeout(Duration::from_secs(40)).build().expect("client");
    let target = Target { url: format!("http://{addr}/graphql"), client, auth };
    let introspection = rt.block_on(post(&target, INTROSPECTION, None));
    let model = Model::from_introspection(&introspection["data"]);
    let ids = rt.block_on(known_ids(&target));

    let tally: RefCell<BTreeMap<String, u32>> = RefCell::default();
    let config = Config { cases, failure_persistence: None, max_shrink_iters: 256, ..Config::default() };
    let mut runner = TestRunner::new(config);
    let result = runner.run(&prop::collection::vec(any::<u32>(), 0..400), |tape| {
        let mut generator = Generator::new(&model, &ids, Tape::new(tape));
        let op = generator.operation();
        let reply = rt.block_on(send(&target, &op, &mut generator.tape));
        match check(&reply) {
            Ok(codes) => {
                let mut tally = tally.borrow_mut();
                *tally.entry(format!("HTTP {}", reply.status)).or_default() += 1;
                codes.into_iter().for_each(|c| *tally.entry(c).or_default() += 1);
                Ok(())
            }
            Err(why) => Err(TestCaseError::fail(format!(
                "[{}] {why}\nquery: {}\nvariables: {}\nstatus {}: {}",
                app.backend_name,
                op.query,
                op.variables,
                reply.status,
                reply.body.chars().take(2000).collect::<String>()
            ))),
        }
    });
    eprintln!("[{}] {cases} random operations over HTTP: {:?}", app.backend_name, tally.borrow());
    if let Err(e) = result {
        panic!("{e}");
    }
    drop(app);
}

#[test]
fn random_operations_over_http_never_fail_the_server_and_every_error_has_a_code() {
    for backend in backends() {
        run_on(backend);
    }
}
