//! Reliability at scale-out: the client behind trusted proxies, idempotent submissions, and
//! subscription connections that check their token again and count their messages.

use std::net::SocketAddr;
use std::time::Duration;

use entity::TokenRole;
use futures_util::StreamExt as _;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::subscriptions::{SUBSCRIPTION, init, open, send, subscribe};
use crate::support::{Backend, TestApp, code};

async fn post(addr: SocketAddr, headers: &[(&str, &str)]) -> u16 {
    let mut req = reqwest::Client::new()
        .post(format!("http://{addr}/graphql"))
        .json(&json!({ "query": "{ documents { year } }" }));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.send().await.expect("POST").status().as_u16()
}

/// Two anonymous requests a minute per client, loopback included.
fn strict(mut app: TestApp, trusted: &[&str]) -> TestApp {
    app.state.limits.rate_limit_per_minute = 2;
    app.state.limits.rate_limit_loopback = true;
    app.state.limits.trusted_proxies = trusted.iter().map(|c| c.parse().expect("a CIDR")).collect();
    app
}

#[tokio::test]
async fn from_an_untrusted_peer_forwarded_addresses_are_ignored() {
    let app = strict(TestApp::spawn(Backend::Sqlite).await, &[]);
    let addr = app.serve().await;
    assert_eq!(post(addr, &[("x-forwarded-for", "198.51.100.1")]).await, 200);
    assert_eq!(post(addr, &[("x-forwarded-for", "198.51.100.2")]).await, 200);
    // A third "client" is the same peer: one bucket, whatever the headers claim.
    assert_eq!(post(addr, &[("x-forwarded-for", "198.51.100.3")]).await, 429);
    assert_eq!(post(addr, &[("forwarded", "for=198.51.100.4")]).await, 429);
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit() {
    let app = strict(TestApp::spawn(Backend::Sqlite).await, &["127.0.0.1/32", "10.0.0.0/8"]);
    let addr = app.serve().await;
    let a = [("x-forwarded-for", "198.51.100.1")];
    assert_eq!(post(addr, &a).await, 200);
    assert_eq!(post(addr, &a).await, 200);
    assert_eq!(post(addr, &a).await, 429, "client A spent its two");
    assert_eq!(post(addr, &[("x-forwarded-for", "198.51.100.2")]).await, 200, "client B has its own");
    // A forged hop left of the real client changes nothing: the right-most untrusted hop counts.
    assert_eq!(post(addr, &[("x-forwarded-for", "203.0.113.77, 198.51.100.1")]).await, 429);
    assert_eq!(post(addr, &[("x-forwarded-for", "198.51.100.1, 10.1.2.3")]).await, 429, "an inner proxy is skipped");
    // RFC 7239 Forwarded, IPv6 with a port.
    let c = [("forwarded", r#"for="[2001:db8::7]:4711";proto=https"#)];
    assert_eq!(post(addr, &c).await, 200);
    assert_eq!(post(addr, &c).await, 200);
    assert_eq!(post(addr, &c).await, 429);
    // The proxy's own requests (no header) count as the proxy.
    assert_eq!(post(addr, &[]).await, 200);
}

const SUBMIT: &str =
    "mutation($input: SubmitReportInput!) { submitReport(input: $input) { report { id revision summary } } }";

async fn input(app: &TestApp, summary: &str, key: &str) -> Value {
    json!({ "input": { "taskId": app.task_id(29).await, "periodId": app.period_id(1).await,
        "status": "ON_TRACK", "progressPercent": 30, "summary": summary, "idempotencyKey": key } })
}

crate::each_backend!(
    #[tokio::test]
    a_retried_submission_with_its_key_writes_nothing_and_gets_the_first_result,
    super::a_retried_submission_with_its_key_writes_nothing_and_gets_the_first_result_on
);

async fn a_retried_submission_with_its_key_writes_nothing_and_gets_the_first_result_on(backend: Backend) {
    let app = TestApp::spawn(backend).await.without_response_cache();
    let (tax, _) = app.token(TokenRole::Reporter, Some("市税务局")).await;
    let (other_tax, _) = app.token(TokenRole::Reporter, Some("市税务局")).await;
    let first = app.query_as(&tax, SUBMIT, input(&app, "第一次", "k-1").await).await;
    assert!(first.get("errors").is_none(), "{first:#}");
    let again = app.query_as(&tax, SUBMIT, input(&app, "第一次", "k-1").await).await;
    assert_eq!(again["data"], first["data"], "[{}] the first result, again", app.backend_name);
    assert_eq!(app.rows("report_revision").await, 1);
    assert_eq!(app.rows("audit_event WHERE action = 'report.submitted'").await, 1);

    // Another input under the same key is refused; another key is another submission.
    let other = app.query_as(&tax, SUBMIT, input(&app, "改过的", "k-1").await).await;
    assert_eq!(code(&other), "CONFLICT", "{other:#}");
    let second = app.query_as(&tax, SUBMIT, input(&app, "第二次", "k-2").await).await;
    assert_eq!(second["data"]["submitReport"]["report"]["revision"], 2);
    // The first key still answers with revision 1, as it was.
    let replay = app.query_as(&tax, SUBMIT, input(&app, "第一次", "k-1").await).await;
    assert_eq!(replay["data"], first["data"]);
    // Keys are the caller's: another token's k-1 is its own.
    let theirs = app.query_as(&other_tax, SUBMIT, input(&app, "第一次", "k-1").await).await;
    assert_eq!(theirs["data"]["submitReport"]["report"]["revision"], 3, "{theirs:#}");
    let bad = app.query_as(&tax, SUBMIT, input(&app, "x", "").await).await;
    assert_eq!(code(&bad), "BAD_USER_INPUT");
    assert_eq!(app.rows("report_revision").await, 3, "[{}]", app.backend_name);
}

crate::each_backend!(
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    concurrent_duplicates_under_one_key_write_once,
    super::concurrent_duplicates_under_one_key_write_once_on
);

async fn concurrent_duplicates_under_one_key_write_once_on(backend: Backend) {
    let app = TestApp::spawn(backend).await.without_response_cache();
    let (tax, _) = app.token(TokenRole::Reporter, Some("市税务局")).await;
    let vars = input(&app, "并发重试", "same-key").await;
    let answers = futures_util::future::join_all((0..12).map(|_| app.query_as(&tax, SUBMIT, vars.clone()))).await;
    for a in &answers {
        assert!(a.get("errors").is_none(), "[{}] {a:#}", app.backend_name);
        assert_eq!(a["data"], answers[0]["data"]);
    }
    assert_eq!(answers[0]["data"]["submitReport"]["report"]["revision"], 1);
    assert_eq!(app.rows("report_revision").await, 1, "[{}] one write for twelve", app.backend_name);
    assert_eq!(app.rows("audit_event WHERE action = 'report.submitted'").await, 1);
}

/// Reads until the server closes; returns its close code.
async fn close_code(ws: &mut crate::subscriptions::Ws, within: Duration) -> Option<u16> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, ws.next()).await {
            Ok(Some(Ok(Message::Close(frame)))) => return frame.map(|f| u16::from(f.code)),
            Ok(Some(Ok(_))) => continue,
            Ok(Some(Err(_)) | None) | Err(_) => return None,
        }
    }
}

crate::each_backend!(
    #[tokio::test]
    a_revoked_tokens_subscription_is_closed_with_4403,
    super::a_revoked_tokens_subscription_is_closed_with_4403_on
);

async fn a_revoked_tokens_subscription_is_closed_with_4403_on(backend: Backend) {
    let mut app = TestApp::spawn(backend).await;
    app.state.limits.token_cache_ms = 500;
    let addr = app.serve().await;
    let (viewer, secret) = app.token(TokenRole::Viewer, None).await;
    let (_, kept) = app.token(TokenRole::Viewer, None).await;
    let mut ws = open(addr, None).await.expect("connect");
    assert_eq!(init(&mut ws, Some(&secret)).await, Some(json!({ "type": "connection_ack" })));
    subscribe(&mut ws, "1", SUBSCRIPTION, json!({ "p": app.period_id(1).await })).await;
    let mut other = open(addr, None).await.expect("connect");
    assert_eq!(init(&mut other, Some(&kept)).await, Some(json!({ "type": "connection_ack" })));

    let qingdan::service::access::Viewer::Token { id, .. } = viewer else { panic!("a token") };
    let revoked =
        qingdan::service::tokens::revoke(&app.state.writer, &qingdan::service::writes::Actor::cli(), id).await;
    assert!(revoked.expect("revoke"));
    // Checked again at least every second (the token cache here is 0.5 s).
    assert_eq!(close_code(&mut ws, Duration::from_secs(5)).await, Some(4403), "[{}]", app.backend_name);
    // A token still valid keeps its connection.
    send(&mut other, json!({ "type": "ping" })).await;
    let pong = tokio::time::timeout(Duration::from_secs(3), other.next()).await;
    assert!(matches!(pong, Ok(Some(Ok(Message::Text(_))))), "[{}] {pong:?}", app.backend_name);
}

#[tokio::test]
async fn messages_on_an_open_socket_count_against_the_rate_limit() {
    let mut app = TestApp::spawn(Backend::Sqlite).await;
    app.state.limits.token_rate_limit_per_minute = 6;
    app.state.limits.rate_limit_loopback = true;
    let addr = app.serve().await;
    let (_, secret) = app.token(TokenRole::Viewer, None).await;
    let mut ws = open(addr, Some(&secret)).await.expect("connect"); // 1: the upgrade
    assert_eq!(init(&mut ws, None).await, Some(json!({ "type": "connection_ack" }))); // 2
    for _ in 0..10 {
        send(&mut ws, json!({ "type": "ping" })).await;
    }
    assert_eq!(close_code(&mut ws, Duration::from_secs(5)).await, Some(4429));
    // The token's budget is spent for HTTP too.
    let resp = reqwest::Client::new()
        .post(format!("http://{addr}/graphql"))
        .bearer_auth(&secret)
        .json(&json!({ "query": "{ viewer { role } }" }))
        .send()
        .await
        .expect("POST");
    assert_eq!(resp.status(), 429);
}

crate::each_backend!(
    #[tokio::test]
    a_key_names_its_submission_for_24_hours_only,
    super::a_key_names_its_submission_for_24_hours_only_on
);

async fn a_key_names_its_submission_for_24_hours_only_on(backend: Backend) {
    let at = chrono::Utc::now();
    let app = TestApp::spawn(backend).await.with_clock(qingdan::clock::Clock::fixed(at)).without_response_cache();
    let (tax, _) = app.token(TokenRole::Reporter, Some("市税务局")).await;
    let first = app.query_as(&tax, SUBMIT, input(&app, "第一次", "daily").await).await;
    assert_eq!(first["data"]["submitReport"]["report"]["revision"], 1, "{first:#}");
    app.state.write_clock().set(at + chrono::Duration::hours(23));
    let other = app.query_as(&tax, SUBMIT, input(&app, "第二次", "daily").await).await;
    assert_eq!(code(&other), "CONFLICT", "[{}] still named after 23 hours", app.backend_name);
    app.state.write_clock().set(at + chrono::Duration::hours(25));
    let later = app.query_as(&tax, SUBMIT, input(&app, "第二次", "daily").await).await;
    assert_eq!(
        later["data"]["submitReport"]["report"]["revision"], 2,
        "[{}] free again after 24 hours: {later:#}",
        app.backend_name
    );
    assert_eq!(app.rows("idempotency_key").await, 1, "the expired key was swept");
}
