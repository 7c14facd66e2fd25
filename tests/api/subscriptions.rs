//! `reportSubmitted` over a real WebSocket (graphql-transport-ws), fed by submissions over HTTP.

use std::net::SocketAddr;
use std::time::Duration;

use entity::TokenRole;
use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::on_each_backend;
use crate::support::TestApp;

pub(crate) type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

const WAIT: Duration = Duration::from_secs(10);

/// Opens `/graphql/ws` with the graphql-transport-ws protocol and an optional upgrade header.
pub(crate) async fn open(addr: SocketAddr, header_token: Option<&str>) -> Result<Ws, WsError> {
    let mut req = format!("ws://{addr}/graphql/ws").into_client_request().expect("a request");
    req.headers_mut().insert("Sec-WebSocket-Protocol", "graphql-transport-ws".parse().expect("a header"));
    if let Some(t) = header_token {
        req.headers_mut().insert("Authorization", format!("Bearer {t}").parse().expect("a header"));
    }
    Ok(tokio_tungstenite::connect_async(req).await?.0)
}

pub(crate) async fn send(ws: &mut Ws, msg: Value) {
    ws.send(Message::Text(msg.to_string().into())).await.expect("send a message");
}

/// The next text message as JSON; `None` when the socket closes (or after `WAIT`).
pub(crate) async fn recv(ws: &mut Ws) -> Option<Value> {
    loop {
        match timeout(WAIT, ws.next()).await.ok()?? {
            Ok(Message::Text(t)) => return Some(serde_json::from_str(&t).expect("JSON message")),
            Ok(Message::Close(_)) | Err(_) => return None,
            Ok(_) => continue,
        }
    }
}

/// connection_init (with `token` in its payload when given), then the ack.
pub(crate) async fn init(ws: &mut Ws, token: Option<&str>) -> Option<Value> {
    let payload = token.map_or(json!({}), |t| json!({ "Authorization": format!("Bearer {t}") }));
    send(ws, json!({ "type": "connection_init", "payload": payload })).await;
    recv(ws).await
}

/// Subscribes as `id`, then waits for a pong so that the server has read the subscription.
pub(crate) async fn subscribe(ws: &mut Ws, id: &str, query: &str, variables: Value) {
    send(ws, json!({ "id": id, "type": "subscribe", "payload": { "query": query, "variables": variables } })).await;
    send(ws, json!({ "type": "ping" })).await;
    assert_eq!(recv(ws).await, Some(json!({ "type": "pong" })));
}

pub(crate) const SUBSCRIPTION: &str = "subscription($p: ID, $d: ID) { reportSubmitted(periodId: $p, departmentId: $d) {
    revision task { number } department { name } } }";

/// Submits a Q1 report over HTTP as the holder of `token`; returns the new revision.
pub(crate) async fn submit(app: &TestApp, addr: SocketAddr, token: &str, task: i64, department: &str) -> i64 {
    let q = "mutation($input: SubmitReportInput!) { submitReport(input: $input) { report { revision } } }";
    let input = json!({ "taskId": app.task_id(task).await, "periodId": app.period_id(1).await,
        "departmentId": app.department_id(department).await, "status": "ON_TRACK", "progressPercent": 40,
        "summary": "推进中" });
    let resp = reqwest::Client::new()
        .post(format!("http://{addr}/graphql"))
        .bearer_auth(token)
        .json(&json!({ "query": q, "variables": { "input": input } }))
        .send()
        .await
        .expect("POST /graphql");
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.expect("a JSON body");
    body["data"]["submitReport"]["report"]["revision"].as_i64().unwrap_or_else(|| panic!("{body:#}"))
}

on_each_backend! {
    async fn a_subscriber_receives_each_report_submitted_for_its_period(app) {
        let addr = app.serve().await;
        let (_, reader) = app.token(TokenRole::Viewer, None).await;
        let (_, tax) = app.token(TokenRole::Reporter, Some("市税务局")).await;
        let mut ws = open(addr, None).await.expect("connect");
        assert_eq!(init(&mut ws, Some(&reader)).await, Some(json!({ "type": "connection_ack" })), "[{}]", app.backend_name);
        subscribe(&mut ws, "1", SUBSCRIPTION, json!({ "p": app.period_id(1).await })).await;
        for want in 1..=2 {
            assert_eq!(submit(&app, addr, &tax, 29, "市税务局").await, want);
            let msg = recv(&mut ws).await.expect("a message within 10 s");
            let data = json!({ "reportSubmitted": { "revision": want, "task": { "number": 29 }, "department": { "name": "市税务局" } } });
            assert_eq!(msg, json!({ "id": "1", "type": "next", "payload": { "data": data } }), "[{}]", app.backend_name);
        }
    }
}

on_each_backend! {
    async fn a_subscriber_filtered_on_another_department_or_period_hears_nothing_of_a_submission(app) {
        let addr = app.serve().await;
        let (_, admin) = app.token(TokenRole::Admin, None).await;
        // The token may also come in the upgrade request's header.
        let mut ws = open(addr, Some(&admin)).await.expect("connect");
        assert_eq!(init(&mut ws, None).await, Some(json!({ "type": "connection_ack" })), "[{}]", app.backend_name);
        let tech = app.department_id("市科技局").await;
        subscribe(&mut ws, "tech", SUBSCRIPTION, json!({ "d": tech })).await;
        subscribe(&mut ws, "q2", SUBSCRIPTION, json!({ "p": app.period_id(2).await })).await;
        // 市税务局's Q1 report matches neither; 市科技局's does, and must be the first message.
        submit(&app, addr, &admin, 29, "市税务局").await;
        submit(&app, addr, &admin, 67, "市科技局").await;
        let msg = recv(&mut ws).await.expect("a message within 10 s");
        let data = json!({ "reportSubmitted": { "revision": 1, "task": { "number": 67 }, "department": { "name": "市科技局" } } });
        assert_eq!(msg, json!({ "id": "tech", "type": "next", "payload": { "data": data } }), "[{}]", app.backend_name);
        send(&mut ws, json!({ "type": "ping" })).await;
        assert_eq!(recv(&mut ws).await, Some(json!({ "type": "pong" })), "[{}] nothing else came", app.backend_name);
    }
}

on_each_backend! {
    async fn an_anonymous_subscription_is_unauthenticated_and_a_bad_token_is_refused(app) {
        let addr = app.serve().await;
        let mut ws = open(addr, None).await.expect("connect");
        assert_eq!(init(&mut ws, None).await, Some(json!({ "type": "connection_ack" })), "[{}]", app.backend_name);
        send(&mut ws, json!({ "id": "1", "type": "subscribe", "payload": { "query": SUBSCRIPTION } })).await;
        let msg = recv(&mut ws).await.expect("an answer within 10 s");
        assert_eq!(msg["id"], "1", "{msg:#}");
        // graphql-transport-ws: an `error` message; async-graphql sends a `next` with errors.
        let errors = if msg["type"] == "error" { &msg["payload"] } else { &msg["payload"]["errors"] };
        assert_eq!(errors[0]["extensions"]["code"], "UNAUTHENTICATED", "[{}] {msg:#}", app.backend_name);
        assert!(msg["payload"]["data"].is_null(), "{msg:#}");

        // A wrong token in connection_init closes the socket without an ack.
        let mut ws = open(addr, None).await.expect("connect");
        assert_eq!(init(&mut ws, Some("qd_wrong")).await, None, "[{}]", app.backend_name);
        // A wrong token in the upgrade request is refused before the upgrade.
        match open(addr, Some("qd_wrong")).await {
            Err(WsError::Http(resp)) => assert_eq!(resp.status(), 401),
            other => panic!("[{}] expected a 401, got {:?}", app.backend_name, other.map(|_| "an open socket")),
        }
    }
}
