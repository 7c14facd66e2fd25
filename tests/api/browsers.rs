//! What browsers and caches in front of the server see: CORS for the headers GraphQL clients
//! send, and HTTP caching of GET answers (ETag, 304, Cache-Control, Vary), for GraphQL and for
//! the ledger downloads.

use std::net::SocketAddr;

use entity::TokenRole;
use serde_json::json;

use crate::http_conformance::serve_with;
use crate::support::{Backend, TestApp};

/// The request headers Apollo Client, urql, OpenTelemetry-instrumented fetch and a page's own
/// request id send.
const CLIENT_HEADERS: &str = "content-type, authorization, traceparent, tracestate, x-request-id, \
    apollographql-client-name, apollographql-client-version, apollo-require-preflight";

async fn preflight(addr: SocketAddr, path: &str) -> reqwest::Response {
    reqwest::Client::new()
        .request(reqwest::Method::OPTIONS, format!("http://{addr}{path}"))
        .header("origin", "https://portal.example")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", CLIENT_HEADERS)
        .send()
        .await
        .expect("OPTIONS")
}

fn header(r: &reqwest::Response, name: &str) -> String {
    r.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_lowercase()
}

#[tokio::test]
async fn a_preflight_allows_the_headers_clients_send_and_pages_read_the_download_name() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let on = serve_with(&app, |l| l.cors_origins = vec!["https://portal.example".into()]).await;
    let r = preflight(on, "/graphql").await;
    assert!(r.status().is_success(), "{}", r.status());
    assert_eq!(header(&r, "access-control-allow-origin"), "https://portal.example");
    let allowed = header(&r, "access-control-allow-headers");
    for h in CLIENT_HEADERS.split(", ") {
        assert!(allowed.contains(h), "{h} in {allowed}");
    }
    let download = reqwest::Client::new()
        .get(format!("http://{on}/exports/ledger.csv"))
        .header("origin", "https://portal.example")
        .send()
        .await
        .expect("GET");
    assert_eq!(header(&download, "access-control-allow-origin"), "https://portal.example");
    let exposed = header(&download, "access-control-expose-headers");
    for h in ["content-disposition", "x-request-id", "etag"] {
        assert!(exposed.contains(h), "{h} in {exposed}");
    }

    // Without origins: no CORS headers, and a preflight is answered (204 naming the methods)
    // rather than refused as a method the resource does not take.
    let off = app.serve().await;
    for path in ["/graphql", "/exports/ledger.xlsx"] {
        let r = preflight(off, path).await;
        assert_eq!(r.status().as_u16(), 204, "{path}");
        assert_eq!(header(&r, "access-control-allow-origin"), "", "{path}");
        assert!(header(&r, "allow").contains("get"), "{path}");
    }
}

async fn get(addr: SocketAddr, path: &str, token: Option<&str>, etag: Option<&str>) -> reqwest::Response {
    let mut req = reqwest::Client::new().get(format!("http://{addr}{path}"));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(e) = etag {
        req = req.header("if-none-match", e);
    }
    req.send().await.expect("GET")
}

crate::each_backend!(
    #[tokio::test]
    get_answers_carry_an_etag_of_their_versions_and_a_matching_if_none_match_is_304,
    super::get_answers_carry_an_etag_of_their_versions_and_a_matching_if_none_match_is_304_on
);

async fn get_answers_carry_an_etag_of_their_versions_and_a_matching_if_none_match_is_304_on(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (reporter, secret) = app.token(TokenRole::Reporter, Some("市税务局")).await;
    let addr = app.serve().await;
    let q = "/graphql?query=%7B%20documents%20%7B%20year%20%7D%20%7D";

    let first = get(addr, q, None, None).await;
    assert_eq!(first.status(), 200);
    let etag = header(&first, "etag");
    assert!(etag.starts_with("w/\""), "[{}] a weak validator: {etag}", app.backend_name);
    assert_eq!(header(&first, "cache-control"), "public, max-age=60");
    assert_eq!(header(&first, "vary"), "authorization, accept");
    let etag = first.headers()["etag"].to_str().expect("etag").to_owned();
    let again = get(addr, q, None, Some(&etag)).await;
    assert_eq!(again.status(), 304, "[{}]", app.backend_name);
    assert_eq!(again.bytes().await.expect("body").len(), 0);

    // A token holder's answer is private and validated on each use.
    let mine = get(addr, q, Some(&secret), None).await;
    assert_eq!(header(&mine, "cache-control"), "private, no-cache");
    let my_etag = mine.headers()["etag"].to_str().expect("etag").to_owned();
    assert_ne!(my_etag, etag, "[{}] another caller, another validator", app.backend_name);

    // A write moves the versions: the old validator no longer matches.
    let input = json!({ "taskId": app.task_id(29).await, "periodId": app.period_id(1).await,
        "status": "ON_TRACK", "progressPercent": 10, "summary": "进行中" });
    assert!(app.submit(&reporter, input, "revision").await.get("errors").is_none());
    let after = get(addr, q, Some(&secret), Some(&my_etag)).await;
    assert_eq!(after.status(), 200, "[{}] a changed answer is sent again", app.backend_name);
    assert_ne!(header(&after, "etag"), my_etag.to_lowercase());

    // An answer with an error is not to be kept; a POST has no caching headers.
    let bad = get(addr, "/graphql?query=%7B%20node(id%3A%20%22x%22)%20%7B%20id%20%7D%20%7D", None, None).await;
    assert_eq!(header(&bad, "cache-control"), "no-store");
    assert_eq!(header(&bad, "etag"), "");
    let post = reqwest::Client::new()
        .post(format!("http://{addr}/graphql"))
        .json(&json!({ "query": "{ documents { year } }" }))
        .send()
        .await
        .expect("POST");
    assert_eq!((header(&post, "etag"), header(&post, "cache-control")), (String::new(), String::new()));
}

#[tokio::test]
async fn a_ledger_download_is_validated_by_its_etag_before_it_is_made() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let (_, viewer) = app.token(TokenRole::Viewer, None).await;
    let addr = app.serve().await;
    for path in ["/exports/ledger.csv", "/exports/ledger.xlsx?shape=long"] {
        let first = get(addr, path, None, None).await;
        assert_eq!(first.status(), 200, "{path}");
        assert_eq!(header(&first, "cache-control"), "public, max-age=60", "{path}");
        assert_eq!(header(&first, "vary"), "authorization, accept", "{path}");
        let etag = first.headers()["etag"].to_str().expect("an etag").to_owned();
        let again = get(addr, path, None, Some(&etag)).await;
        assert_eq!(again.status(), 304, "{path}");
        let other_day = get(
            addr,
            &format!("{path}{}asOf=2023-05-01", if path.contains('?') { '&' } else { '?' }),
            None,
            Some(&etag),
        )
        .await;
        assert_eq!(other_day.status(), 200, "{path}: judged at another day, another ledger");
        let mine = get(addr, path, Some(&viewer), Some(&etag)).await;
        assert_eq!(mine.status(), 200, "{path}: a token holder's ledger shows reports");
        assert_eq!(header(&mine, "cache-control"), "private, no-cache", "{path}");
    }
}
