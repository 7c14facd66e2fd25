//! Concurrent submissions racing on one report: `expectedRevision` lets exactly one win, and
//! submissions without it all land as contiguous revisions, none lost and none duplicated.

use std::collections::BTreeMap;
use std::sync::Arc;

use entity::TokenRole;
use qingdan::service::access::Viewer;
use serde_json::{Value, json};
use tokio::sync::Barrier;

use crate::support::{Backend, TestApp, code};

/// Runs `n` submissions of one report at once (released together by a barrier); submission `i`
/// has the summary `"{tag} {i}"`. Returns each one's response, in submission order.
async fn race(app: &TestApp, viewer: &Viewer, task: i64, n: usize, tag: &str, expected: Option<i64>) -> Vec<Value> {
    let input = json!({ "taskId": app.task_id(task).await, "periodId": app.period_id(1).await,
        "departmentId": app.department_id(if task == 67 { "市科技局" } else { "市税务局" }).await,
        "status": "ON_TRACK", "progressPercent": 50, "expectedRevision": expected });
    let barrier = Arc::new(Barrier::new(n));
    let mut handles = Vec::new();
    for i in 0..n {
        let (schema, state, viewer, barrier) = (app.schema.clone(), app.state.clone(), viewer.clone(), barrier.clone());
        let mut input = input.clone();
        input["summary"] = json!(format!("{tag} {i}"));
        handles.push(tokio::spawn(async move {
            let q =
                "mutation($input: SubmitReportInput!) { submitReport(input: $input) { report { revision summary } } }";
            let req = async_graphql::Request::new(q)
                .variables(async_graphql::Variables::from_json(json!({ "input": input })));
            let req = qingdan::graphql::prepare(&schema, req, &state, viewer);
            barrier.wait().await;
            serde_json::to_value(schema.execute(req).await).expect("response as JSON")
        }));
    }
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.expect("the submission task ran"));
    }
    out
}

/// Revision numbers the winners got, with the summary each stored; panics on an error other
/// than CONFLICT.
fn winners(app: &TestApp, responses: &[Value]) -> BTreeMap<i64, String> {
    let mut won = BTreeMap::new();
    for resp in responses {
        let report = &resp["data"]["submitReport"]["report"];
        match report["revision"].as_i64() {
            Some(rev) => {
                let summary = report["summary"].as_str().expect("summary").to_owned();
                assert!(won.insert(rev, summary).is_none(), "[{}] revision {rev} given twice", app.backend_name);
            }
            None => assert_eq!(code(resp), "CONFLICT", "[{}] {resp:#}", app.backend_name),
        }
    }
    won
}

/// (revision, summary) of every stored revision of the only report on `task`, oldest first.
async fn history(app: &TestApp, viewer: &Viewer, task: i64) -> (i64, Vec<(i64, String)>) {
    let q = "query($t: Int) { task(number: $t) { reports { revision revisions { revision summary } } } }";
    let resp = app.query_as(viewer, q, json!({ "t": task })).await;
    let report = &resp["data"]["task"]["reports"][0];
    let revisions = report["revisions"].as_array().unwrap_or_else(|| panic!("{resp:#}"));
    let list = revisions
        .iter()
        .map(|r| (r["revision"].as_i64().expect("revision"), r["summary"].as_str().expect("summary").to_owned()))
        .collect();
    (report["revision"].as_i64().expect("revision"), list)
}

crate::each_backend!(
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    with_expected_revision_exactly_one_of_16_racers_wins_each_round,
    super::with_expected_revision_exactly_one_of_16_racers_wins_each_round_on
);

async fn with_expected_revision_exactly_one_of_16_racers_wins_each_round_on(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (admin, _) = app.token(TokenRole::Admin, None).await;
    for (round, expected) in [(1, 0), (2, 1)] {
        let responses = race(&app, &admin, 29, 16, "round", Some(expected)).await;
        let won = winners(&app, &responses);
        assert_eq!(won.keys().copied().collect::<Vec<_>>(), [round], "[{}] one winner", app.backend_name);
        let conflicts = responses.iter().filter(|r| code(r) == "CONFLICT").count();
        assert_eq!(conflicts, 15, "[{}] round {round}", app.backend_name);
    }
    let (latest, revisions) = history(&app, &admin, 29).await;
    assert_eq!(latest, 2, "[{}]", app.backend_name);
    assert_eq!(revisions.iter().map(|r| r.0).collect::<Vec<_>>(), [1, 2], "[{}]", app.backend_name);
    assert_eq!((app.rows("report").await, app.rows("report_revision").await), (1, 2), "[{}]", app.backend_name);
}

crate::each_backend!(
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    without_expected_revision_20_racers_all_land_as_contiguous_revisions,
    super::without_expected_revision_20_racers_all_land_as_contiguous_revisions_on
);

async fn without_expected_revision_20_racers_all_land_as_contiguous_revisions_on(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (admin, _) = app.token(TokenRole::Admin, None).await;
    // Task 29 starts at revision 2 (an update race); task 67 has no report yet (an insert race).
    for expected in [0, 1] {
        let won = winners(&app, &race(&app, &admin, 29, 1, "seed", Some(expected)).await);
        assert_eq!(won.len(), 1, "[{}]", app.backend_name);
    }
    for (task, before) in [(29, 2), (67, 0)] {
        let responses = race(&app, &admin, task, 20, "free", None).await;
        let won = winners(&app, &responses);
        let want: Vec<i64> = (before + 1..=before + 20).collect();
        assert_eq!(
            won.keys().copied().collect::<Vec<_>>(),
            want,
            "[{}] task {task}: every racer lands",
            app.backend_name
        );
        let (latest, revisions) = history(&app, &admin, task).await;
        assert_eq!(latest, before + won.len() as i64, "[{}] task {task}", app.backend_name);
        let numbers: Vec<i64> = revisions.iter().map(|r| r.0).collect();
        assert_eq!(numbers, (1..=latest).collect::<Vec<_>>(), "[{}] task {task}: no gap", app.backend_name);
        for (rev, summary) in revisions.iter().skip(before as usize) {
            assert_eq!(Some(summary), won.get(rev), "[{}] revision {rev} stores its own submission", app.backend_name);
        }
    }
    assert_eq!((app.rows("report").await, app.rows("report_revision").await), (2, 42), "[{}]", app.backend_name);
}

crate::each_backend!(
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    a_shared_versions_read_sees_every_write_acknowledged_before_it_was_asked,
    super::shared_versions_on
);

/// The versions read shared among waiting requests never answers a request with a read that
/// began before it arrived: while readers keep a shared read in flight, every write acknowledged
/// before a request asks is in what that request is given.
async fn shared_versions_on(backend: Backend) {
    use qingdan::service::versions::{SharedVersions, versions};
    use std::sync::atomic::{AtomicBool, Ordering};
    let app = TestApp::spawn(backend).await;
    let shared = SharedVersions::new(app.state.primary().clone());
    let stop = Arc::new(AtomicBool::new(false));
    let readers: Vec<_> = (0..6)
        .map(|_| {
            let (shared, stop) = (shared.clone(), stop.clone());
            tokio::spawn(async move {
                let mut reads = 0u32;
                while !stop.load(Ordering::Relaxed) {
                    shared.read().await.expect("a shared read");
                    reads += 1;
                }
                reads
            })
        })
        .collect();
    for round in 0..40 {
        // A committed write (tokens are written through `writes::commit`, which moves the version).
        // Asked at once after it, while the readers' reads, some begun before the commit, are
        // in flight; no other write follows, so the database holds `committed` from then on.
        app.token(TokenRole::Admin, None).await;
        let seen = shared.read().await.expect("a shared read").submissions;
        let committed = versions(app.state.primary()).await.expect("versions").submissions;
        assert_eq!(
            seen, committed,
            "[{}] round {round}: given {seen}, but {committed} was committed before asking",
            app.backend_name
        );
    }
    stop.store(true, Ordering::Relaxed);
    let mut reads = 0;
    for r in readers {
        reads += r.await.expect("a reader");
    }
    assert!(reads > 40, "[{}] the readers kept reads in flight ({reads} reads)", app.backend_name);
}
