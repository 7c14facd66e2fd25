//! Persisted queries over the real router: automatic persisted queries (Apollo protocol) over
//! POST and GET, and trusted documents.

use serde_json::{Value, json};

use crate::support::{Backend, TestApp, code};

const QUERY: &str = "{ task(number: 29) { number leads { name } } }";

fn hash(q: &str) -> String {
    qingdan::http::persisted::digest(q)
}

async fn post(addr: std::net::SocketAddr, body: Value) -> (u16, Value) {
    let r = reqwest::Client::new().post(format!("http://{addr}/graphql")).json(&body).send().await.expect("POST");
    (r.status().as_u16(), r.json().await.expect("JSON"))
}

async fn get(addr: std::net::SocketAddr, params: &[(&str, String)]) -> (u16, Value) {
    let r = reqwest::Client::new().get(format!("http://{addr}/graphql")).query(params).send().await.expect("GET");
    (r.status().as_u16(), r.json().await.expect("JSON"))
}

fn pq(h: &str) -> Value {
    json!({ "persistedQuery": { "version": 1, "sha256Hash": h } })
}

#[tokio::test]
async fn automatic_persisted_queries_register_once_then_run_by_hash_over_post_and_get() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let addr = app.serve().await;
    let h = hash(QUERY);
    // Unknown hash: the Apollo answer, which makes a client send the text.
    let (status, body) = post(addr, json!({ "extensions": pq(&h) })).await;
    assert_eq!((status, code(&body)), (200, "PERSISTED_QUERY_NOT_FOUND"), "{body:#}");
    assert_eq!(body["errors"][0]["message"], "PersistedQueryNotFound");
    // A text that is not the hash's is refused and not stored.
    let (status, body) = post(addr, json!({ "query": "{ documents { id } }", "extensions": pq(&h) })).await;
    assert_eq!((status, code(&body)), (400, "BAD_USER_INPUT"), "{body:#}");
    // Text and hash: runs and is kept.
    let (status, body) = post(addr, json!({ "query": QUERY, "extensions": pq(&h) })).await;
    assert_eq!((status, &body["data"]["task"]["number"]), (200, &json!(29)), "{body:#}");
    let (status, by_hash) = post(addr, json!({ "extensions": pq(&h) })).await;
    assert_eq!(status, 200);
    assert_eq!(by_hash["data"], body["data"], "by hash, the same answer");
    let (status, by_get) = get(addr, &[("extensions", pq(&h).to_string())]).await;
    assert_eq!(status, 200, "{by_get:#}");
    assert_eq!(by_get["data"], body["data"], "GET by hash");
    // A persisted mutation is still no GET.
    let m = "mutation { submitReport(input: {taskId: \"x\", periodId: \"y\", status: ON_TRACK, progressPercent: 1, summary: \"s\"}) { report { id } } }";
    post(addr, json!({ "query": m, "extensions": pq(&hash(m)) })).await;
    let (status, _) = get(addr, &[("extensions", pq(&hash(m)).to_string())]).await;
    assert_eq!(status, 405, "a mutation by hash over GET");
    // Bad extensions are clear errors.
    let (status, body) =
        post(addr, json!({ "extensions": { "persistedQuery": { "version": 2, "sha256Hash": h } } })).await;
    assert_eq!((status, code(&body)), (400, "BAD_USER_INPUT"), "{body:#}");
    let (status, body) = post(addr, json!({ "extensions": pq("abc") })).await;
    assert_eq!((status, code(&body)), (400, "BAD_USER_INPUT"), "{body:#}");
}

#[tokio::test]
async fn without_a_store_a_hash_alone_is_not_supported() {
    let mut app = TestApp::spawn(Backend::Sqlite).await;
    app.state.limits.persisted_query_bytes = 0;
    let addr = app.serve().await;
    let (status, body) = post(addr, json!({ "extensions": pq(&hash(QUERY)) })).await;
    assert_eq!((status, code(&body)), (200, "PERSISTED_QUERY_NOT_SUPPORTED"), "{body:#}");
    let (_, body) = post(addr, json!({ "query": QUERY })).await;
    assert_eq!(body["data"]["task"]["number"], 29, "plain queries still run");
}

#[tokio::test]
async fn with_trusted_documents_only_those_execute() {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("trusted.json");
    std::fs::write(&file, json!({ hash(QUERY): QUERY }).to_string()).expect("write");
    let mut app = TestApp::spawn(Backend::Sqlite).await;
    app.state.limits.trusted_documents = Some(file.clone());
    let addr = app.serve().await;
    let (status, body) = post(addr, json!({ "extensions": pq(&hash(QUERY)) })).await;
    assert_eq!((status, &body["data"]["task"]["number"]), (200, &json!(29)), "by hash: {body:#}");
    let (status, body) = post(addr, json!({ "query": QUERY })).await;
    assert_eq!((status, &body["data"]["task"]["number"]), (200, &json!(29)), "by its text: {body:#}");
    let (status, body) = get(addr, &[("query", QUERY.to_owned())]).await;
    assert_eq!((status, &body["data"]["task"]["number"]), (200, &json!(29)), "over GET: {body:#}");
    for other in
        [json!({ "query": "{ documents { id } }" }), json!({ "extensions": pq(&hash("{ documents { id } }")) })]
    {
        let (status, body) = post(addr, other.clone()).await;
        assert_eq!((status, code(&body)), (400, "PERSISTED_QUERY_NOT_ALLOWED"), "{other}: {body:#}");
    }
    // A file whose key is not its query's digest is refused at load.
    std::fs::write(&file, json!({ hash("{ x }"): QUERY }).to_string()).expect("write");
    let err = qingdan::http::persisted::load_trusted(&file).expect_err("a wrong key");
    assert!(err.to_string().contains("not the sha256"), "{err}");
}
