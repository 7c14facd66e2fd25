//! The list through its year (SPEC §12): an amended text or a decision makes the next version of
//! a document; tasks kept keep their ids and reports; each difference is a change; reports are
//! owed by the assignments in force on each period's due date; refusals write nothing.

use entity::TokenRole;
use qingdan::import::model::{ParsedDocument, TaskDeadline};
use qingdan::service::amendments::{Amended, Amendment, Source, amend};
use qingdan::service::writes::Actor;
use serde_json::{Value, json};

use crate::on_each_backend;
use crate::support::{TestApp, code};

/// The bundled list as read.
fn bundled() -> ParsedDocument {
    qingdan::import::parse_document(qingdan::import::BUNDLED_DOCUMENT).expect("the bundled list reads")
}

/// Two tasks next to each other in one category, after `from`.
fn neighbours(doc: &ParsedDocument, from: usize) -> (usize, usize) {
    (from..doc.tasks.len() - 1)
        .find(|i| doc.tasks[*i].category_number == doc.tasks[i + 1].category_number)
        .map(|i| (i, i + 1))
        .expect("two tasks of one category")
}

/// An amended text of the bundled list with one change of every kind:
/// - task 2 reworded;
/// - two neighbours swapped, the first of them also reworded (REWORDED and RENUMBERED at once);
/// - task 1 gets a second lead (REASSIGNED) and a deadline (RESCHEDULED);
/// - the last task dropped, a new one added in its category.
fn amended_text() -> (ParsedDocument, Expected) {
    let mut doc = bundled();
    doc.tasks[1].content = doc.tasks[1].content.replace("拓展", "进一步拓展");
    let (a, b) = neighbours(&doc, 5);
    let (number_a, number_b) = (doc.tasks[a].number, doc.tasks[b].number);
    doc.tasks.swap(a, b);
    doc.tasks[a].number = number_a;
    doc.tasks[b].number = number_b;
    doc.tasks[b].content.push_str("做好跟踪评估。");
    doc.tasks[0].leads.push("市政务服务办".into());
    doc.tasks[0].responsible.retain(|r| r != "市政务服务办");
    doc.tasks[0].deadline = Some(TaskDeadline { text: "2023年9月底前".into(), date: None });
    let last = doc.tasks.pop().expect("a last task");
    let mut added = last.clone();
    added.content = "建立营商环境问题线索快速转办机制，对企业反映的问题实行清单化管理、闭环式处置。".into();
    added.leads = vec!["市政务服务办".into()];
    added.responsible = vec![];
    doc.tasks.push(added);
    (doc, Expected { swapped: (number_a, number_b), last: last.number })
}

struct Expected {
    /// The numbers of the swapped pair (the second of them reworded too).
    swapped: (i32, i32),
    /// The number of the task dropped (and of the one added).
    last: i32,
}

async fn amend_with(
    app: &TestApp,
    doc: &ParsedDocument,
    sha: &str,
    effective: &str,
    check: bool,
) -> Result<Amended, String> {
    let amendment = Amendment {
        document_id: Some(1),
        effective_on: effective.parse().expect("a date"),
        source: Source::Text { parsed: doc, sha },
    };
    amend(&app.state.writer, amendment, None, &Actor::cli(), check)
        .await
        .map_err(|e| format!("{}: {}", e.code(), e.message()))
}

const VERSIONS: &str = "{ documents { versions { number effectiveOn sourceSha256 reason
    changes { kind task { number removedOn } before { number content leadNames deadline } after { number leadNames deadline } } } } }";

on_each_backend! {
    async fn an_amended_text_makes_the_next_version_with_every_kind_of_change(app) {
        let (doc, expected) = amended_text();
        let (reporter, _) = app.token(TokenRole::Reporter, Some("市市场监管委")).await;
        let (admin, _) = app.token(TokenRole::Admin, None).await;
        // Reports before: on task 2 (to be reworded) and on the last task (to be dropped).
        let last_lead = bundled().tasks.last().expect("a task").leads[0].clone();
        let (last_reporter, _) = app.token(TokenRole::Reporter, Some(&last_lead)).await;
        let period = app.period_id(1).await;
        for (who, number) in [(&reporter, 2), (&last_reporter, expected.last as i64)] {
            let input = json!({ "taskId": app.task_id(number).await, "periodId": period,
                "status": "ON_TRACK", "progressPercent": 25, "summary": format!("任务{number}一季度") });
            let r = app.submit(who, input, "id").await;
            assert!(r.get("errors").is_none(), "[{}] {r:#}", app.backend_name);
        }
        let ids_before: Value = app.data("{ tasks(first: 500) { totalCount nodes { id number } } }").await;
        let id_of = |n: i32| ids_before["tasks"]["nodes"].as_array().expect("present").iter().find(|t| t["number"] == n).expect("present")["id"].clone();
        let rows = |app: &TestApp| {
            let db = app.state.primary().clone();
            async move {
                let mut n = Vec::new();
                for t in ["task", "assignment", "document_version", "task_change", "audit_event", "indicator"] {
                    let row = db.query_one_raw(sea_orm::Statement::from_string(db.get_database_backend(), format!("SELECT COUNT(*) AS n FROM {t}"))).await.expect("present").expect("present");
                    n.push(row.try_get::<i64>("", "n").expect("present"));
                }
                n
            }
        };
        use sea_orm::ConnectionTrait as _;
        let before = rows(&app).await;

        // A check works it all out and writes nothing.
        let checked = amend_with(&app, &doc, &"a".repeat(64), "2023-07-01", true).await.expect("a check");
        assert_eq!(checked.version, Some(2));
        assert!(!checked.written);
        assert_eq!(rows(&app).await, before, "[{}] a check writes nothing", app.backend_name);
        let printed = checked.describe();
        assert!(printed.contains(&format!("{} → {} (reworded", expected.swapped.0, expected.swapped.1)), "{printed}");
        assert!(printed.contains(&format!("{} → {} (same text, another number)", expected.swapped.1, expected.swapped.0)), "{printed}");
        assert!(printed.contains("would make version 2"), "{printed}");

        let done = amend_with(&app, &doc, &"a".repeat(64), "2023-07-01", false).await.expect("an amendment");
        assert!(done.written);
        assert_eq!(done.changes.len(), checked.changes.len());
        let kinds = |a: &Amended, n: i32| {
            let mut k: Vec<String> = a.changes.iter()
                .filter(|c| c.after.as_ref().map(|s| s.number).or(c.before.as_ref().map(|s| s.number)) == Some(n))
                .map(|c| format!("{:?}", c.kind)).collect();
            k.sort();
            k
        };
        assert_eq!(kinds(&done, 1), ["Reassigned", "Rescheduled"]);
        assert_eq!(kinds(&done, 2), ["Reworded"]);
        assert_eq!(kinds(&done, expected.swapped.1), ["Renumbered", "Reworded"], "reworded and renumbered at once");
        assert_eq!(kinds(&done, expected.swapped.0), ["Renumbered"]);
        assert_eq!(kinds(&done, expected.last), ["Added", "Removed"]);
        assert_eq!(done.changes.len(), 8);

        let versions = app.data(VERSIONS).await;
        let v = &versions["documents"][0]["versions"];
        assert_eq!(v.as_array().map(Vec::len), Some(2), "[{}] {versions:#}", app.backend_name);
        assert_eq!(v[0]["number"], 1);
        assert_eq!(v[0]["changes"], json!([]));
        assert_eq!(v[1]["effectiveOn"], "2023-07-01");
        assert_eq!(v[1]["sourceSha256"], "a".repeat(64));
        assert_eq!(v[1]["changes"].as_array().map(Vec::len), Some(8));
        let removed = v[1]["changes"].as_array().expect("present").iter().find(|c| c["kind"] == "REMOVED").expect("present");
        assert_eq!(removed["task"]["removedOn"], "2023-07-01");
        assert_eq!(removed["after"], Value::Null);

        // Kept tasks keep their ids and reports; the list in force has the added task, not the
        // dropped one, which stays reachable with its report.
        let task2 = app.query_as(&admin, &format!("{{ node(id: {}) {{ ... on Task {{ number content removedOn reports {{ summary }} changes {{ kind }} }} }} }}", id_of(2)), json!({})).await;
        assert_eq!(task2["data"]["node"]["reports"][0]["summary"], "任务2一季度", "[{}] {task2:#}", app.backend_name);
        assert!(task2["data"]["node"]["content"].as_str().expect("present").contains("进一步拓展"));
        assert_eq!(task2["data"]["node"]["changes"], json!([{ "kind": "REWORDED" }]));
        let dropped = app.query_as(&admin, &format!("{{ node(id: {}) {{ ... on Task {{ number removedOn reports {{ summary }} }} }} }}", id_of(expected.last)), json!({})).await;
        assert_eq!(dropped["data"]["node"]["removedOn"], "2023-07-01", "{dropped:#}");
        assert_eq!(dropped["data"]["node"]["reports"][0]["summary"], format!("任务{}一季度", expected.last));
        let now = app.data("{ tasks(first: 500) { totalCount nodes { id number } } all: tasks(filter: {includeRemoved: true}) { totalCount } }").await;
        let count = ids_before["tasks"]["totalCount"].as_i64().expect("present");
        assert_eq!(now["tasks"]["totalCount"], count, "one dropped, one added");
        assert_eq!(now["all"]["totalCount"], count + 1);
        let listed: Vec<&Value> = now["tasks"]["nodes"].as_array().expect("present").iter().filter(|t| t["number"] == expected.last).collect();
        assert_eq!(listed.len(), 1);
        assert_ne!(listed[0]["id"], id_of(expected.last), "the added task is a new task");
        let by_number = app.data(&format!("{{ task(number: {}) {{ content leads {{ name }} }} }}", expected.last)).await;
        assert!(by_number["task"]["content"].as_str().expect("present").starts_with("建立营商环境问题线索"), "{by_number:#}");
        let one = app.data("{ task(number: 1) { isCoLed deadline { text } leads { name } } }").await;
        assert_eq!(one["task"]["isCoLed"], true, "{one:#}");
        assert_eq!(one["task"]["deadline"]["text"], "2023年9月底前");

        // One event, list.amended; the same text again changes nothing.
        let trail = app.query_as(&admin, "{ events(filter: {action: \"list.amended\"}) { nodes { after } } }", json!({})).await;
        assert_eq!(trail["data"]["events"]["nodes"].as_array().map(Vec::len), Some(1), "{trail:#}");
        let again = amend_with(&app, &doc, &"a".repeat(64), "2023-08-01", false).await.expect("the same text");
        assert!(again.unchanged);
        assert_eq!(app.data(VERSIONS).await["documents"][0]["versions"].as_array().map(Vec::len), Some(2));
    }
}

on_each_backend! {
    async fn reports_due_before_a_reassignment_stay_owed_by_the_old_lead_and_after_by_the_new(app) {
        let (supervisor, _) = app.token(TokenRole::Supervisor, Some("市政务服务办")).await;
        let (old, _) = app.token(TokenRole::Reporter, Some("市税务局")).await;
        let (new, _) = app.token(TokenRole::Reporter, Some("市商务局")).await;
        let led = app.data(r#"{ tasks(filter: {departmentName: "市税务局", role: LEAD, coLed: false}, first: 1) { nodes { id number } } }"#).await;
        let task = led["tasks"]["nodes"][0]["id"].as_str().expect("a task 市税务局 leads alone").to_owned();
        let number = led["tasks"]["nodes"][0]["number"].as_i64().expect("present");
        let amended = app.query_as(&supervisor, AMEND, json!({ "i": { "taskId": task, "leads": ["市商务局"],
            "reason": "市政府常务会议决定", "effectiveOn": "2023-06-01" } })).await;
        let payload = &amended["data"]["amendTask"];
        assert_eq!(payload["version"], 2, "[{}] {amended:#}", app.backend_name);
        assert_eq!(payload["changes"], json!(["REASSIGNED"]));
        assert_eq!(payload["task"]["leads"], json!([{ "name": "市商务局" }]));

        // Q1 is due 2023-04-10, before the decision: 市税务局 owes it. Q2 (07-10): 市商务局.
        let (reader, viewer) = app.token(TokenRole::Viewer, None).await;
        let owes = |quarter: i64, name: &'static str| {
            let (app, reader) = (&app, &reader);
            async move {
                let q = format!("{{ obligations(periodId: \"{}\", departmentName: \"{name}\", first: 500) {{ nodes {{ task {{ number }} }} }} }}", app.period_id(quarter).await);
                let r = app.query_as(reader, &q, json!({})).await;
                r["data"]["obligations"]["nodes"].as_array().expect("present").iter().any(|o| o["task"]["number"] == number)
            }
        };
        assert!(owes(1, "市税务局").await, "[{}] Q1 stays with the old lead", app.backend_name);
        assert!(!owes(1, "市商务局").await);
        assert!(owes(2, "市商务局").await, "[{}] Q2 follows the decision", app.backend_name);
        assert!(!owes(2, "市税务局").await);
        // Submissions follow too: the old lead reports Q1, not Q2; the new one Q2, not Q1.
        let submit = |who, quarter| {
            let app = &app;
            let task = task.clone();
            async move {
                let input = json!({ "taskId": task, "periodId": app.period_id(quarter).await,
                    "status": "ON_TRACK", "progressPercent": 40, "summary": "进展" });
                app.submit(who, input, "id").await
            }
        };
        assert!(submit(&old, 1).await.get("errors").is_none());
        assert_eq!(code(&submit(&old, 2).await), "FORBIDDEN");
        assert_eq!(code(&submit(&new, 1).await), "FORBIDDEN");
        assert!(submit(&new, 2).await.get("errors").is_none());

        // The ledger of each period shows the version in force then.
        let addr = app.serve().await;
        for (quarter, lead) in [(1, "市税务局"), (2, "市商务局")] {
            let path = format!("/exports/ledger.csv?periodId={}", app.period_id(quarter).await);
            let csv = String::from_utf8(crate::ledger::get(addr, &path, Some(&viewer)).await.body).expect("UTF-8");
            let row = csv.lines().find(|l| l.split(',').next() == Some(&number.to_string())).unwrap_or_else(|| panic!("task {number} in {csv}"));
            assert!(row.contains(lead), "[{}] Q{quarter}: {row}", app.backend_name);
        }
        let changes = app.data(&format!("{{ task(number: {number}) {{ changes {{ kind version {{ number reason effectiveOn }} before {{ leadNames }} after {{ leadNames }} }} }} }}")).await;
        assert_eq!(changes["task"]["changes"], json!([{ "kind": "REASSIGNED",
            "version": { "number": 2, "reason": "市政府常务会议决定", "effectiveOn": "2023-06-01" },
            "before": { "leadNames": ["市税务局"] }, "after": { "leadNames": ["市商务局"] } }]));
    }
}

const AMEND: &str =
    "mutation($i: AmendTaskInput!) { amendTask(input: $i) { version changes task { number leads { name } } } }";

on_each_backend! {
    async fn an_amendment_is_refused_with_its_code_and_writes_nothing(app) {
        let (supervisor, _) = app.token(TokenRole::Supervisor, Some("市政务服务办")).await;
        let (other_office, _) = app.token(TokenRole::Supervisor, Some("市商务局")).await;
        let (reporter, _) = app.token(TokenRole::Reporter, Some("市税务局")).await;
        let task = app.task_id(1).await;
        let input = |extra: Value| {
            let mut i = json!({ "taskId": task, "leads": ["市商务局"], "reason": "决定", "effectiveOn": "2023-06-01" });
            i.as_object_mut().expect("present").extend(extra.as_object().expect("present").clone());
            json!({ "i": i })
        };
        assert_eq!(code(&app.query_with(AMEND, input(json!({}))).await), "UNAUTHENTICATED");
        assert_eq!(code(&app.query_as(&reporter, AMEND, input(json!({}))).await), "FORBIDDEN");
        assert_eq!(code(&app.query_as(&other_office, AMEND, input(json!({}))).await), "FORBIDDEN");
        for (extra, want) in [
            (json!({ "effectiveOn": "2024-01-02" }), "BAD_USER_INPUT"),
            (json!({ "effectiveOn": "2022-12-31" }), "BAD_USER_INPUT"),
            (json!({ "reason": "  " }), "BAD_USER_INPUT"),
            (json!({ "leads": ["没有这个部门"] }), "NOT_FOUND"),
            (json!({ "leads": [], "responsible": [] }), "BAD_USER_INPUT"),
            (json!({ "taskId": "VGFzazo5OTk5OTk" }), "NOT_FOUND"),
        ] {
            let r = app.query_as(&supervisor, AMEND, input(extra.clone())).await;
            assert_eq!(code(&r), want, "[{}] {extra}: {r:#}", app.backend_name);
        }
        let unchanged = app.query_as(&supervisor, AMEND, json!({ "i": { "taskId": task, "reason": "决定", "effectiveOn": "2023-06-01" } })).await;
        assert_eq!(code(&unchanged), "BAD_USER_INPUT", "nothing to change");
        assert_eq!(app.data(VERSIONS).await["documents"][0]["versions"].as_array().map(Vec::len), Some(1), "[{}] nothing written", app.backend_name);

        // A version moves the earliest effective date on.
        let ok = app.query_as(&supervisor, AMEND, input(json!({ "effectiveOn": "2023-06-01" }))).await;
        assert_eq!(ok["data"]["amendTask"]["version"], 2, "{ok:#}");
        let earlier = app.query_as(&supervisor, AMEND, input(json!({ "leads": ["市税务局"], "effectiveOn": "2023-05-31" }))).await;
        assert_eq!(code(&earlier), "BAD_USER_INPUT", "before the latest version: {earlier:#}");

        // Texts: an unknown document, another region's or year's list.
        let mut other = bundled();
        other.year = 2024;
        assert!(amend_with(&app, &other, &"b".repeat(64), "2023-07-01", false).await.expect_err("refused").starts_with("BAD_USER_INPUT"));
        other = bundled();
        other.region = "北京".into();
        assert!(amend_with(&app, &other, &"b".repeat(64), "2023-07-01", false).await.expect_err("refused").starts_with("BAD_USER_INPUT"));
        let unknown = Amendment { document_id: Some(99), effective_on: "2023-07-01".parse().expect("present"), source: Source::Text { parsed: &bundled(), sha: &"c".repeat(64) } };
        let refused = amend(&app.state.writer, unknown, None, &Actor::cli(), false).await.map(|_| ()).map_err(|e| e.code());
        assert_eq!(refused, Err("NOT_FOUND"));
        assert_eq!(app.data(VERSIONS).await["documents"][0]["versions"].as_array().map(Vec::len), Some(2), "[{}] nothing written", app.backend_name);
    }
}

on_each_backend! {
    async fn no_answer_mixes_two_versions_of_the_list(app) {
        let app = app.with_response_cache();
        let (supervisor, _) = app.token(TokenRole::Supervisor, Some("市政务服务办")).await;
        let q = "{ documents { versions { number } } task(number: 1) { leads { name } changes { kind } } }";
        let before = app.data(q).await;
        assert_eq!(app.data(q).await, before, "kept");
        let task = app.task_id(1).await;
        let r = app.query_as(&supervisor, AMEND, json!({ "i": { "taskId": task, "leads": ["市商务局"], "reason": "决定", "effectiveOn": "2023-06-01" } })).await;
        assert!(r.get("errors").is_none(), "{r:#}");
        let after = app.data(q).await;
        assert_eq!(after["documents"][0]["versions"].as_array().map(Vec::len), Some(2), "[{}] {after:#}", app.backend_name);
        assert_eq!(after["task"]["leads"], json!([{ "name": "市商务局" }]));
        assert_eq!(after["task"]["changes"], json!([{ "kind": "REASSIGNED" }]));
    }
}

/// The bundled list as an office's spreadsheet: the same tasks, categories and departments in
/// a table (序号, 重点任务 merged down, 工作任务, 牵头单位, 责任单位, 完成时限).
fn as_spreadsheet(doc: &ParsedDocument) -> ParsedDocument {
    use crate::formats::truth::{Layout, Truth, TruthTask, render};
    let category = |n: i32| doc.categories.iter().find(|c| c.number == n).map(|c| c.name.clone()).unwrap_or_default();
    let truth = Truth {
        region: doc.region.clone(),
        year: doc.year,
        title: doc.title.clone(),
        issuer: doc.issuer.clone(),
        tasks: doc
            .tasks
            .iter()
            .map(|t| TruthTask {
                category: category(t.category_number),
                content: t.content.clone(),
                leads: t.leads.clone(),
                support: t.responsible.clone(),
                deadline: (String::new(), String::new()),
                leader: String::new(),
            })
            .collect(),
    };
    let bytes = crate::formats::render::xlsx(&render(&truth, Layout::CategoryColumn));
    let opts = qingdan::import::layout::Options { issued_on: Some(doc.issued_on), ..Default::default() };
    qingdan::import::read_document(&bytes, &opts).expect("the spreadsheet reads").doc
}

on_each_backend! {
    async fn the_same_list_in_another_format_changes_nothing_and_a_change_in_it_is_found_alone(app) {
        // The list as imported (the PDF's text), amended by the office's spreadsheet of it.
        let same = as_spreadsheet(&bundled());
        assert_eq!(same.tasks.len(), bundled().tasks.len());
        let unchanged = amend_with(&app, &same, &"d".repeat(64), "2023-07-01", true).await.expect("a check");
        assert_eq!((unchanged.version, unchanged.changes.len()), (None, 0), "[{}] {}", app.backend_name, unchanged.describe());
        assert!(unchanged.describe().contains("nothing written"));

        let mut changed = bundled();
        changed.tasks[4].content = changed.tasks[4].content.replace("。", "，按季度通报进展。");
        changed.tasks[6].leads = vec!["市政务服务办".into()];
        let found = amend_with(&app, &as_spreadsheet(&changed), &"e".repeat(64), "2023-07-01", false).await.expect("an amendment");
        let kinds: Vec<String> = found.changes.iter().map(|c| format!("{:?} {}", c.kind, c.after.as_ref().map_or(0, |s| s.number))).collect();
        assert_eq!(kinds, ["Reworded 5", "Reassigned 7"], "[{}] {}", app.backend_name, found.describe());
    }
}
