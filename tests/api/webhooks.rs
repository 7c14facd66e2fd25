//! Webhooks: the outbox filled in the write's transaction, signed deliveries to a receiver on
//! loopback, retries after failures, delivery after a SIGKILL, one delivery across replicas.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::process::Command;
use std::time::Duration;

use entity::TokenRole;
use qingdan::service::writes::{Action, Actor};
use serde_json::{Value, json};

mod receiver;

use receiver::Receiver;

use crate::server_process::ServerProcess;
use crate::subscriptions::submit;
use crate::support::{Backend, TestApp, code};

const SECRET: &str = "s3cret-of-the-receiver";

/// Waits until no delivery is pending (at most 20 s). A delivery leaves PENDING only when its
/// last POST has been answered and recorded (DELIVERED, or FAILED after its last attempt), so
/// from then on nothing more arrives: the signal that replaces waiting "long enough".
async fn settled(app: &TestApp) {
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    for _ in 0..400 {
        let pending = entity::webhook_delivery::Entity::find()
            .filter(entity::webhook_delivery::Column::State.eq(entity::DeliveryState::Pending))
            .count(app.state.primary())
            .await
            .expect("count deliveries");
        if pending == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("deliveries still pending after 20 s");
}

/// Quick retries for tests.
fn quick(app: TestApp) -> TestApp {
    let mut app = app;
    app.state.limits.webhook_retry_base_ms = 50;
    app.state.limits.webhook_retry_max_ms = 200;
    app.state.limits.webhook_timeout_ms = 1000;
    app.schema = qingdan::build_schema(Some(app.state.clone()));
    app
}

async fn add_webhook(app: &TestApp, addr: SocketAddr, events: &[Action]) -> i64 {
    let url = format!("http://{addr}/hook");
    let events = qingdan::service::webhooks::Subscription::Only(events.to_vec());
    qingdan::service::webhooks::add(&app.state.writer, &Actor::cli(), &url, SECRET, &events).await.expect("add").id
}

const DELIVERIES: &str = "query($f: WebhookDeliveryFilter) { webhookDeliveries(filter: $f) { totalCount
    nodes { deliveryKey action state attempts lastStatus lastError deliveredAt webhook { url events }
    event { action subjectId task { number } } } } }";

crate::each_backend!(
    #[tokio::test]
    a_write_sends_one_signed_delivery_to_each_subscribed_webhook,
    super::a_write_sends_one_signed_delivery_to_each_subscribed_webhook_on
);

async fn a_write_sends_one_signed_delivery_to_each_subscribed_webhook_on(backend: Backend) {
    let app = quick(TestApp::spawn(backend).await);
    let (admin, admin_token) = app.token(TokenRole::Admin, None).await;
    let (reporter, _) = app.token(TokenRole::Reporter, Some("市税务局")).await;
    let (receiver, at) = Receiver::start(Vec::new()).await;
    let (other, other_at) = Receiver::start(Vec::new()).await;
    add_webhook(&app, at, &[Action::ReportSubmitted, Action::ReportReturned]).await;
    add_webhook(&app, other_at, &[Action::NoticeIssued]).await;
    let worker = qingdan::service::webhooks::worker::spawn(qingdan::settings::webhook_worker(&app.state));
    let addr = app.serve().await;

    assert_eq!(submit(&app, addr, &admin_token, 29, "市税务局").await, 1);
    let got = receiver.wait_for(1).await;
    let r = &got[0];
    assert_eq!(r.event, "report.submitted", "[{}]", app.backend_name);
    assert!(r.signed_with(SECRET), "[{}] signature {} does not check", app.backend_name, r.signature);
    assert!(!r.signed_with("another secret"));
    assert!(r.standard_signed_with(SECRET), "[{}] Standard Webhooks: {r:?}", app.backend_name);
    assert!(!r.standard_signed_with("another secret"));
    let body = r.json();
    assert_eq!(body["event"], "report.submitted");
    assert_eq!(body["delivery"], r.delivery.as_str());
    assert_eq!(body["taskId"], app.task_id(29).await);
    assert_eq!(body["departmentId"], app.department_id("市税务局").await);
    assert_eq!(body["periodId"], app.period_id(1).await);
    assert_eq!(body["after"]["revision"], 1, "{body:#}");
    assert!(body["actor"]["id"].is_string() && body["at"].is_string(), "{body:#}");

    // Delivered once, and recorded; the other webhook was owed nothing.
    let mut rows = json!(null);
    for _ in 0..100 {
        rows = app.query_as(&admin, DELIVERIES, json!({})).await;
        if rows["data"]["webhookDeliveries"]["nodes"][0]["state"] == "DELIVERED" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let d = &rows["data"]["webhookDeliveries"];
    assert_eq!(d["totalCount"], 1, "[{}] {rows:#}", app.backend_name);
    let node = &d["nodes"][0];
    assert_eq!(node["state"], "DELIVERED", "{rows:#}");
    assert_eq!(node["attempts"], 1);
    assert_eq!(node["lastStatus"], 200);
    assert_eq!(node["deliveryKey"], r.delivery.as_str());
    assert_eq!(node["event"]["action"], "report.submitted");
    assert_eq!(node["event"]["task"]["number"], 29);
    assert_eq!(node["webhook"]["events"], json!(["report.submitted", "report.returned"]));
    settled(&app).await;
    assert_eq!(receiver.got().len(), 1, "[{}] delivered more than once", app.backend_name);
    assert!(other.got().is_empty(), "[{}] a webhook got an event it did not subscribe to", app.backend_name);

    // Deliveries are ADMIN's.
    let resp = app.query_as(&reporter, DELIVERIES, json!({})).await;
    assert_eq!(code(&resp), "FORBIDDEN", "{resp:#}");
    assert_eq!(code(&app.query(DELIVERIES).await), "UNAUTHENTICATED");
    let resp = app.query_as(&admin, DELIVERIES, json!({ "f": { "action": "token.created" } })).await;
    assert_eq!(code(&resp), "BAD_USER_INPUT", "{resp:#}");
    worker.abort();
}

crate::each_backend!(
    #[tokio::test]
    a_receiver_failing_three_times_gets_each_retry_and_then_no_more,
    super::a_receiver_failing_three_times_gets_each_retry_and_then_no_more_on
);

async fn a_receiver_failing_three_times_gets_each_retry_and_then_no_more_on(backend: Backend) {
    let app = quick(TestApp::spawn(backend).await);
    let (admin, token) = app.token(TokenRole::Admin, None).await;
    let (receiver, at) = Receiver::start(vec![Some(500), Some(500), Some(500)]).await;
    add_webhook(&app, at, &[Action::ReportSubmitted]).await;
    let worker = qingdan::service::webhooks::worker::spawn(qingdan::settings::webhook_worker(&app.state));
    let addr = app.serve().await;

    submit(&app, addr, &token, 29, "市税务局").await;
    let got = receiver.wait_for(4).await;
    settled(&app).await;
    let got_later = receiver.got();
    assert_eq!(got_later.len(), 4, "[{}] 3 failures + 1 success, then no more: {got:?}", app.backend_name);
    assert!(got.iter().all(|r| r.delivery == got[0].delivery && r.body == got[0].body && r.signed_with(SECRET)));
    // A retry is the same message: the same webhook-id, signed again with its own timestamp.
    assert!(got.iter().all(|r| r.id == got[0].id && r.standard_signed_with(SECRET)), "{got:?}");
    let rows = app.query_as(&admin, DELIVERIES, json!({ "f": { "state": "DELIVERED" } })).await;
    let node = &rows["data"]["webhookDeliveries"]["nodes"][0];
    assert_eq!(node["attempts"], 4, "[{}] {rows:#}", app.backend_name);
    assert_eq!(node["lastStatus"], 200);
    assert!(node["lastError"].is_null());
    worker.abort();
}

#[tokio::test]
async fn a_receiver_that_never_succeeds_is_given_up_after_the_last_attempt() {
    let app = quick(TestApp::spawn(Backend::Sqlite).await);
    let mut app = app;
    app.state.limits.webhook_max_attempts = 3;
    let (admin, token) = app.token(TokenRole::Admin, None).await;
    let (receiver, at) = Receiver::start(vec![Some(503); 10]).await;
    add_webhook(&app, at, &[Action::ReportSubmitted]).await;
    let worker = qingdan::service::webhooks::worker::spawn(qingdan::settings::webhook_worker(&app.state));
    let addr = app.serve().await;
    submit(&app, addr, &token, 29, "市税务局").await;
    receiver.wait_for(3).await;
    settled(&app).await;
    assert_eq!(receiver.got().len(), 3);
    let rows = app.query_as(&admin, DELIVERIES, json!({ "f": { "state": "FAILED" } })).await;
    let node = &rows["data"]["webhookDeliveries"]["nodes"][0];
    assert_eq!(node["attempts"], 3, "{rows:#}");
    assert_eq!(node["lastStatus"], 503);
    assert_eq!(node["lastError"], "HTTP 503 Service Unavailable");
    worker.abort();
}

/// A server whose receivers get `timeout_ms` to answer (a taken delivery is its own for twice
/// that and a second).
async fn server(database_url: &str, timeout_ms: u64) -> ServerProcess {
    let timeout = timeout_ms.to_string();
    let args = ["--webhook-timeout-ms", &timeout, "--webhook-retry-base-ms", "50", "--webhook-retry-max-ms", "200"];
    ServerProcess::start(database_url, &args, &[]).await
}

crate::each_backend!(
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    a_delivery_in_flight_when_the_server_is_killed_is_sent_after_the_restart,
    super::a_delivery_in_flight_when_the_server_is_killed_is_sent_after_the_restart_on
);

async fn a_delivery_in_flight_when_the_server_is_killed_is_sent_after_the_restart_on(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (admin, token) = app.token(TokenRole::Admin, None).await;
    // The first attempt never gets an answer: the server is killed while it waits.
    let (receiver, at) = Receiver::start(vec![None]).await;
    add_webhook(&app, at, &[Action::ReportSubmitted]).await;
    let first = server(&app.database_url, 3000).await;
    submit(&app, first.addr, &token, 29, "市税务局").await;
    let got = receiver.wait_for(1).await;
    drop(first); // SIGKILL, the attempt unrecorded.

    let second = server(&app.database_url, 500).await;
    let got_after = receiver.wait_for(2).await;
    assert_eq!(got_after[1].delivery, got[0].delivery, "[{}] the same delivery, sent again", app.backend_name);
    assert!(got_after[1].signed_with(SECRET));
    let mut state = Value::Null;
    for _ in 0..100 {
        let rows = app.query_as(&admin, DELIVERIES, json!({})).await;
        state = rows["data"]["webhookDeliveries"]["nodes"][0]["state"].clone();
        if state == "DELIVERED" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(state, "DELIVERED", "[{}]", app.backend_name);
    drop(second);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: QINGDAN_TEST_POSTGRES=postgres://… cargo test -- --include-ignored"]
async fn on_two_replicas_each_event_is_delivered_by_one_of_them() {
    let app = TestApp::spawn(crate::support::postgres()).await;
    let (_, token) = app.token(TokenRole::Admin, None).await;
    let (receiver, at) = Receiver::start(Vec::new()).await;
    add_webhook(&app, at, &[Action::ReportSubmitted]).await;
    let a = server(&app.database_url, 2000).await;
    let b = server(&app.database_url, 2000).await;
    let n = 20;
    for i in 0..n {
        let through = if i % 2 == 0 { a.addr } else { b.addr };
        submit(&app, through, &token, 29, "市税务局").await;
    }
    receiver.wait_for(n as usize).await;
    settled(&app).await;
    let got = receiver.got();
    let mut by_delivery: HashMap<String, usize> = HashMap::new();
    for r in &got {
        *by_delivery.entry(r.delivery.clone()).or_default() += 1;
    }
    assert_eq!(by_delivery.len(), n as usize, "one delivery per submission");
    assert!(by_delivery.values().all(|&c| c == 1), "an event was delivered twice: {by_delivery:?}");
}

#[tokio::test]
async fn the_cli_adds_lists_and_removes_webhooks_and_removal_cancels_what_was_owed() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_qingdan"))
            .args(["--database-url", &app.database_url])
            .args(args)
            .env("RUST_LOG", "warn")
            .output()
            .expect("run qingdan");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let (ok, out) = run(&[
        "webhook",
        "add",
        "http://127.0.0.1:9/hook",
        "--secret",
        SECRET,
        "--events",
        "report.submitted,notice.issued",
    ]);
    assert!(ok, "{out}");
    assert!(out.contains("added webhook 1"), "{out}");
    let (ok, out) =
        run(&["webhook", "add", "http://127.0.0.1:9/hook", "--secret", SECRET, "--events", "token.created"]);
    assert!(!ok && out.contains("unknown event \"token.created\""), "{out}");
    let (ok, out) = run(&["webhook", "add", "ftp://example/hook", "--secret", SECRET]);
    assert!(!ok && out.contains("http:// or https://"), "{out}");
    let (ok, out) = run(&["webhook", "add", "http://127.0.0.1:9/hook", "--secret", "short"]);
    assert!(!ok && out.contains("16 characters"), "{out}");

    // A submission is owed to webhook 1 (nothing delivers it here: no server runs).
    let (reporter, _) = app.token(TokenRole::Reporter, Some("市税务局")).await;
    let input = json!({ "taskId": app.task_id(29).await, "periodId": app.period_id(1).await,
        "status": "ON_TRACK", "progressPercent": 10, "summary": "推进中" });
    let resp = app.submit(&reporter, input, "revision").await;
    assert!(resp.get("errors").is_none(), "{resp:#}");
    let (ok, out) = run(&["webhook", "list"]);
    assert!(ok, "{out}");
    let line = out.lines().find(|l| l.trim_start().starts_with("1 ")).unwrap_or_else(|| panic!("{out}"));
    assert!(line.contains("http://127.0.0.1:9/hook") && line.contains("report.submitted,notice.issued"), "{line}");
    assert!(!out.contains(SECRET), "the secret is never listed");
    assert!(line.split_whitespace().nth(2) == Some("1"), "one pending: {line}");

    let (ok, out) = run(&["webhook", "remove", "1"]);
    assert!(ok && out.contains("removed webhook 1"), "{out}");
    let (ok, out) = run(&["webhook", "remove", "1"]);
    assert!(!ok && out.contains("no webhook 1"), "{out}");
    let (ok, out) = run(&["webhook", "list"]);
    assert!(ok && !out.contains("127.0.0.1:9"), "{out}");
    let cancelled = app.rows("webhook_delivery WHERE state = 'CANCELLED'").await;
    assert_eq!(cancelled, 1);
    // Both changes are in the audit trail, without the secret.
    let (admin, _) = app.token(TokenRole::Admin, None).await;
    let resp = app
        .query_as(&admin, "{ events(filter: { actorId: \"cli\" }) { nodes { action after before } } }", json!({}))
        .await;
    let text = resp.to_string();
    assert!(text.contains("webhook.added") && text.contains("webhook.removed"), "{resp:#}");
    assert!(!text.contains(SECRET));
}

/// Deliveries owed to webhook `id`, by action name.
async fn owed(app: &TestApp, id: i64) -> Vec<String> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    entity::webhook_delivery::Entity::find()
        .filter(entity::webhook_delivery::Column::WebhookId.eq(id))
        .order_by_asc(entity::webhook_delivery::Column::Id)
        .all(app.state.primary())
        .await
        .expect("deliveries")
        .into_iter()
        .map(|d| d.action)
        .collect()
}

crate::each_backend!(
    #[tokio::test]
    a_webhook_for_all_events_gets_every_action_webhooks_receive_those_declared_later_included,
    super::a_webhook_for_all_events_gets_every_action_webhooks_receive_those_declared_later_included_on
);

async fn a_webhook_for_all_events_gets_every_action_webhooks_receive_those_declared_later_included_on(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let now = app.state.write_clock().now();
    let add = |events: &[&str]| {
        let names: Vec<String> = events.iter().map(|e| (*e).to_owned()).collect();
        let subscription = qingdan::service::webhooks::parse_events(&names).expect("events");
        let writer = app.state.writer.clone();
        async move {
            qingdan::service::webhooks::add(&writer, &Actor::cli(), "http://127.0.0.1:9/hook", SECRET, &subscription)
                .await
                .expect("add")
        }
    };
    let all = add(&[]).await;
    let star = add(&["*"]).await;
    let one = add(&["report.submitted"]).await;
    assert_eq!((all.events.as_str(), star.events.as_str()), ("*", "*"), "[{}] stored as such", app.backend_name);

    // Every action the declaration lets webhooks receive, recorded as a write would record it:
    // an action added to the declaration reaches the all-events webhooks with no change to them.
    let deliverable: Vec<Action> = Action::deliverable().collect();
    for action in &deliverable {
        use sea_orm::TransactionTrait as _;
        let txn = app.state.primary().begin().await.expect("begin");
        let event = entity::audit_event::Model {
            id: 0,
            at: now,
            actor_id: "cli".into(),
            actor: "command line".into(),
            role: "CLI".into(),
            action: action.as_str().into(),
            subject: "Report:1".into(),
            task_id: None,
            department_id: None,
            period_id: None,
            before: None,
            after: None,
            request_id: None,
        };
        let event = {
            use sea_orm::ActiveModelTrait as _;
            let mut active: entity::audit_event::ActiveModel = event.into();
            active.id = sea_orm::ActiveValue::NotSet;
            active.insert(&txn).await.expect("an event")
        };
        qingdan::service::webhooks::outbox::enqueue(&txn, &event, *action, now).await.expect("enqueue");
        txn.commit().await.expect("commit");
    }
    let names: Vec<String> = deliverable.iter().map(|a| a.as_str().to_owned()).collect();
    assert_eq!(owed(&app, all.id).await, names, "[{}]", app.backend_name);
    assert_eq!(owed(&app, star.id).await, names, "[{}]", app.backend_name);
    assert_eq!(owed(&app, one.id).await, ["report.submitted"], "[{}]", app.backend_name);

    let (admin, _) = app.token(TokenRole::Admin, None).await;
    let resp = app.query_as(&admin, "{ webhooks { events allEvents } }", json!({})).await;
    assert_eq!(resp["data"]["webhooks"][0]["allEvents"], true, "{resp:#}");
    assert_eq!(resp["data"]["webhooks"][0]["events"], json!(names));
    assert_eq!(resp["data"]["webhooks"][2], json!({ "events": ["report.submitted"], "allEvents": false }));
}
