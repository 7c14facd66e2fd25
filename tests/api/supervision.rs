//! Supervision by the issuing office (SPEC §8): review and return, extensions, warning lights,
//! notices, indicator progress and the audit trail, on both backends.

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;
use entity::TokenRole;
use qingdan::clock::Clock;
use qingdan::service::access::Viewer;
use serde_json::{Value, json};

use crate::on_each_backend;
use crate::support::{TestApp, code};

/// An instant in Asia/Shanghai, 2023.
fn shanghai(m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Shanghai.with_ymd_and_hms(2023, m, d, h, 0, 0).single().expect("a time").with_timezone(&Utc)
}

/// The first task (by number) with exactly one lead, not a collective nor the issuing office;
/// returns its number and that lead's name.
async fn sole_led_task(app: &TestApp) -> (i64, String) {
    let data = app.data("{ tasks(first: 500) { nodes { number leads { name isCollective } } } }").await;
    for t in data["tasks"]["nodes"].as_array().expect("tasks") {
        let leads = t["leads"].as_array().expect("leads");
        if let [lead] = leads.as_slice()
            && lead["isCollective"] == false
            && lead["name"] != "市政务服务办"
        {
            return (t["number"].as_i64().expect("number"), lead["name"].as_str().expect("name").to_owned());
        }
    }
    panic!("no task with a sole lead");
}

/// What one supervision walk needs: the app on a fixed clock, the obligation and the callers.
struct Walk {
    app: TestApp,
    task: String,
    task_number: i64,
    department: String,
    period: String,
    reporter: Viewer,
    supervisor: Viewer,
    admin: Viewer,
    viewer: Viewer,
}

async fn walk(app: TestApp, now: DateTime<Utc>) -> Walk {
    let app = app.with_clock(Clock::fixed(now)).without_response_cache();
    let (task_number, lead) = sole_led_task(&app).await;
    let (reporter, _) = app.token(TokenRole::Reporter, Some(&lead)).await;
    let (supervisor, _) = app.token(TokenRole::Supervisor, Some("市政务服务办")).await;
    let (admin, _) = app.token(TokenRole::Admin, None).await;
    let (viewer, _) = app.token(TokenRole::Viewer, None).await;
    Walk {
        task: app.task_id(task_number).await,
        department: app.department_id(&lead).await,
        period: app.period_id(1).await,
        task_number,
        app,
        reporter,
        supervisor,
        admin,
        viewer,
    }
}

impl Walk {
    async fn submit(&self, progress: i64) -> Value {
        let input = json!({ "taskId": self.task, "periodId": self.period, "status": "ON_TRACK",
            "progressPercent": progress, "summary": "按计划推进" });
        let resp = self.app.submit(&self.reporter, input, "id revision review { state }").await;
        assert!(resp.get("errors").is_none(), "[{}] submit: {resp:#}", self.app.backend_name);
        resp["data"]["submitReport"]["report"].clone()
    }

    async fn review(&self, who: &Viewer, report: &Value, decision: &str, comment: Option<&str>, rev: i64) -> Value {
        let q = "mutation($input: ReviewReportInput!) { reviewReport(input: $input) { report {
            revision review { state decidedAt decidedBy comment } } } }";
        let input =
            json!({ "reportId": report["id"], "decision": decision, "comment": comment, "expectedRevision": rev });
        self.app.query_as(who, q, json!({ "input": input })).await
    }

    /// The obligation of the walk as of `as_of` (now when none).
    async fn obligation(&self, as_of: Option<&str>) -> Value {
        let q = "query($p: ID!, $d: ID!, $asOf: Date) { obligations(periodId: $p, departmentId: $d, asOf: $asOf, first: 500) {
            nodes { state light dueOn task { number } extensions { state dueOn } notices { level message }
                report { revision review { state } } } } }";
        let resp =
            self.app.query_as(&self.admin, q, json!({ "p": self.period, "d": self.department, "asOf": as_of })).await;
        let nodes = resp["data"]["obligations"]["nodes"].as_array().unwrap_or_else(|| panic!("{resp:#}"));
        nodes.iter().find(|n| n["task"]["number"] == self.task_number).cloned().expect("the walk's obligation")
    }

    async fn events(&self) -> i64 {
        self.app.rows("audit_event").await
    }

    async fn request_extension(&self, who: &Viewer, due_on: &str, department: Option<&str>) -> Value {
        let q = "mutation($input: RequestExtensionInput!) { requestExtension(input: $input) {
            extension { id dueOn previousDueOn reason state comment } } }";
        let input = json!({ "taskId": self.task, "periodId": self.period, "departmentId": department,
            "dueOn": due_on, "reason": "需协调多部门数据" });
        self.app.query_as(who, q, json!({ "input": input })).await
    }

    async fn decide(&self, who: &Viewer, id: &Value, approve: bool, comment: Option<&str>) -> Value {
        let q = "mutation($input: DecideExtensionInput!) { decideExtension(input: $input) {
            extension { id dueOn state comment } } }";
        let input = json!({ "extensionId": id, "approve": approve, "comment": comment });
        self.app.query_as(who, q, json!({ "input": input })).await
    }

    async fn notice(&self, who: &Viewer, level: &str) -> Value {
        let q = "mutation($input: IssueNoticeInput!) { issueNotice(input: $input) { notice { id level message issuedAt } } }";
        let input = json!({ "taskId": self.task, "periodId": self.period, "departmentId": self.department,
            "level": level, "message": format!("请于三日内报送（{level}）") });
        self.app.query_as(who, q, json!({ "input": input })).await
    }
}

on_each_backend! {
    async fn a_report_is_returned_resubmitted_and_accepted(app) {
        let w = walk(app, shanghai(4, 1, 10)).await;
        let b = w.app.backend_name;
        let first = w.submit(20).await;
        assert_eq!(first["review"]["state"], "PENDING_REVIEW", "[{b}]");

        // Refusals write nothing.
        let events = w.events().await;
        assert_eq!(code(&w.review(&w.reporter, &first, "ACCEPT", None, 1).await), "FORBIDDEN", "[{b}] a reporter");
        assert_eq!(code(&w.review(&w.viewer, &first, "ACCEPT", None, 1).await), "FORBIDDEN", "[{b}] a viewer");
        let anonymous = w.review(&Viewer::Anonymous, &first, "ACCEPT", None, 1).await;
        assert_eq!(code(&anonymous), "UNAUTHENTICATED", "[{b}] anonymous");
        let (elsewhere, _) = w.app.token(TokenRole::Supervisor, Some("市税务局")).await;
        let events = events + 1; // that token's creation
        assert_eq!(code(&w.review(&elsewhere, &first, "RETURN", Some("不足"), 1).await), "FORBIDDEN", "[{b}] another office");
        assert_eq!(code(&w.review(&w.supervisor, &first, "RETURN", None, 1).await), "BAD_USER_INPUT", "[{b}] no comment");
        assert_eq!(code(&w.review(&w.supervisor, &first, "RETURN", Some("  "), 1).await), "BAD_USER_INPUT", "[{b}] blank");
        assert_eq!(code(&w.review(&w.supervisor, &first, "RETURN", Some("不足"), 2).await), "CONFLICT", "[{b}] stale");
        assert_eq!(w.events().await, events, "[{b}] refused reviews append no event");

        // Returned: the obligation is RETURNED; its light goes by the due date as if unreported.
        let returned = w.review(&w.supervisor, &first, "RETURN", Some("缺少量化数据"), 1).await;
        let review = &returned["data"]["reviewReport"]["report"]["review"];
        assert_eq!(review["state"], "RETURNED", "[{b}] {returned:#}");
        assert_eq!(review["comment"], "缺少量化数据", "[{b}]");
        assert!(review["decidedBy"].as_str().is_some_and(|s| s.starts_with("token ")), "[{b}] {review}");
        assert_eq!(w.obligation(Some("2023-04-05")).await["state"], "RETURNED", "[{b}]");
        assert_eq!(w.obligation(Some("2023-04-05")).await["light"], "GREEN", "[{b}]");
        assert_eq!(w.obligation(Some("2023-04-08")).await["light"], "BLUE", "[{b}]");
        assert_eq!(w.obligation(Some("2023-04-11")).await["light"], "RED", "[{b}]");
        assert_eq!(code(&w.review(&w.supervisor, &first, "ACCEPT", None, 1).await), "CONFLICT", "[{b}] decided twice");

        // Resubmitted: pending review again, then accepted.
        let second = w.submit(30).await;
        assert_eq!(second["revision"], 2, "[{b}]");
        assert_eq!(second["review"]["state"], "PENDING_REVIEW", "[{b}]");
        assert_eq!(w.obligation(Some("2023-04-05")).await["state"], "SUBMITTED", "[{b}]");
        let accepted = w.review(&w.admin, &second, "ACCEPT", None, 2).await;
        assert_eq!(accepted["data"]["reviewReport"]["report"]["review"]["state"], "ACCEPTED", "[{b}] {accepted:#}");

        // Each revision keeps its own review; the report's history shows the cycle.
        let q = "query($id: ID!) { node(id: $id) { ... on Report { review { state }
            revisions { revision review { state comment } } history { action actorId role subjectId before after } } } }";
        let report = w.app.query_as(&w.viewer, q, json!({ "id": first["id"] })).await;
        let report = &report["data"]["node"];
        assert_eq!(report["revisions"][0]["review"]["state"], "RETURNED", "[{b}] {report:#}");
        assert_eq!(report["revisions"][0]["review"]["comment"], "缺少量化数据", "[{b}]");
        assert_eq!(report["revisions"][1]["review"]["state"], "ACCEPTED", "[{b}]");
        let actions: Vec<&str> = report["history"].as_array().expect("history").iter().map(|e| e["action"].as_str().expect("action")).collect();
        assert_eq!(actions, ["report.submitted", "report.returned", "report.submitted", "report.accepted"], "[{b}]");
        let returned_event = &report["history"][1];
        assert_eq!(returned_event["role"], "SUPERVISOR", "[{b}]");
        assert_eq!(returned_event["before"]["reviewState"], "PENDING_REVIEW", "[{b}] {returned_event:#}");
        assert_eq!(returned_event["after"]["reviewState"], "RETURNED", "[{b}]");
        assert_eq!(returned_event["subjectId"], first["id"], "[{b}]");
    }
}

on_each_backend! {
    async fn an_approved_extension_moves_the_due_date_and_the_light(app) {
        let w = walk(app, shanghai(4, 8, 10)).await;
        let b = w.app.backend_name;
        let now = w.obligation(None).await;
        assert_eq!((now["light"].as_str(), now["dueOn"].as_str()), (Some("BLUE"), Some("2023-04-10")), "[{b}] {now:#}");

        let events = w.events().await;
        assert_eq!(code(&w.request_extension(&w.reporter, "2023-04-10", None).await), "BAD_USER_INPUT", "[{b}] not later");
        assert_eq!(code(&w.request_extension(&w.supervisor, "2023-04-20", Some(&w.department)).await), "FORBIDDEN", "[{b}]");
        assert_eq!(code(&w.request_extension(&w.admin, "2023-04-20", None).await), "BAD_USER_INPUT", "[{b}] admin names none");
        let other = w.app.department_id("市税务局").await;
        let wrong = w.request_extension(&w.reporter, "2023-04-20", Some(&other)).await;
        assert_eq!(code(&wrong), "FORBIDDEN", "[{b}] another department's");
        assert_eq!(w.events().await, events, "[{b}] refused requests append no event");

        let asked = w.request_extension(&w.reporter, "2023-04-20", None).await;
        let ext = &asked["data"]["requestExtension"]["extension"];
        assert_eq!(ext["state"], "PENDING", "[{b}] {asked:#}");
        assert_eq!(ext["previousDueOn"], "2023-04-10", "[{b}]");
        let again = w.request_extension(&w.reporter, "2023-04-25", None).await;
        assert_eq!(code(&again), "CONFLICT", "[{b}] one pending at a time");
        assert_eq!(w.obligation(None).await["dueOn"], "2023-04-10", "[{b}] pending moves nothing");

        assert_eq!(code(&w.decide(&w.reporter, &ext["id"], true, None).await), "FORBIDDEN", "[{b}]");
        assert_eq!(code(&w.decide(&w.supervisor, &ext["id"], false, None).await), "BAD_USER_INPUT", "[{b}] reject needs why");
        let approved = w.decide(&w.supervisor, &ext["id"], true, Some("同意")).await;
        assert_eq!(approved["data"]["decideExtension"]["extension"]["state"], "APPROVED", "[{b}] {approved:#}");
        assert_eq!(code(&w.decide(&w.supervisor, &ext["id"], true, None).await), "CONFLICT", "[{b}] decided twice");

        // The moved date rules states and lights.
        let now = w.obligation(None).await;
        assert_eq!((now["light"].as_str(), now["dueOn"].as_str()), (Some("GREEN"), Some("2023-04-20")), "[{b}] {now:#}");
        assert_eq!(now["extensions"][0]["state"], "APPROVED", "[{b}]");
        let after_old_due = w.obligation(Some("2023-04-12")).await;
        assert_eq!((after_old_due["state"].as_str(), after_old_due["light"].as_str()), (Some("PENDING"), Some("GREEN")), "[{b}]");
        assert_eq!(w.obligation(Some("2023-04-17")).await["light"], "BLUE", "[{b}]");
        let late = w.obligation(Some("2023-04-21")).await;
        assert_eq!((late["state"].as_str(), late["light"].as_str()), (Some("OVERDUE"), Some("RED")), "[{b}]");

        // Task.light, obligations(light:) and the summary agree.
        let q = "query($t: ID!, $p: ID!, $d: ID!) { node(id: $t) { ... on Task { light(periodId: $p, asOf: \"2023-04-21\") } }
            obligations(periodId: $p, departmentId: $d, light: RED, asOf: \"2023-04-21\") { nodes { task { number } } }
            obligationSummary(periodId: $p, departmentId: $d, asOf: \"2023-04-21\") { total green blue yellow red overdue } }";
        let resp = w.app.query_as(&w.viewer, q, json!({ "t": w.task, "p": w.period, "d": w.department })).await;
        assert_eq!(resp["data"]["node"]["light"], "RED", "[{b}] {resp:#}");
        let reds = resp["data"]["obligations"]["nodes"].as_array().expect("nodes");
        assert!(reds.iter().any(|n| n["task"]["number"] == w.task_number), "[{b}] {resp:#}");
        let s = &resp["data"]["obligationSummary"];
        assert_eq!(s["red"], reds.len(), "[{b}]");
        let lit: i64 = ["green", "blue", "yellow", "red"].iter().map(|k| s[*k].as_i64().expect("count")).sum();
        assert_eq!(s["total"].as_i64(), Some(lit), "[{b}] every obligation has one light");

        // After the (moved) due date no further request is taken.
        w.app.state.write_clock().set(shanghai(4, 21, 1));
        assert_eq!(code(&w.request_extension(&w.reporter, "2023-04-30", None).await), "BAD_USER_INPUT", "[{b}] too late");
    }
}

on_each_backend! {
    async fn notices_rise_in_level(app) {
        let w = walk(app, shanghai(4, 12, 9)).await;
        let b = w.app.backend_name;
        assert_eq!(code(&w.notice(&w.reporter, "BLUE").await), "FORBIDDEN", "[{b}]");
        let blue = w.notice(&w.supervisor, "BLUE").await;
        assert_eq!(blue["data"]["issueNotice"]["notice"]["level"], "BLUE", "[{b}] {blue:#}");
        assert_eq!(code(&w.notice(&w.supervisor, "BLUE").await), "BAD_USER_INPUT", "[{b}] equal");
        let red = w.notice(&w.admin, "RED").await;
        assert_eq!(red["data"]["issueNotice"]["notice"]["level"], "RED", "[{b}] {red:#}");
        assert_eq!(code(&w.notice(&w.supervisor, "ORANGE").await), "BAD_USER_INPUT", "[{b}] lower after higher");
        let levels = |v: &Value| v.as_array().expect("notices").iter().map(|n| n["level"].as_str().unwrap_or("").to_owned()).collect::<Vec<_>>();
        assert_eq!(levels(&w.obligation(None).await["notices"]), ["BLUE", "RED"], "[{b}]");
        let q = "query($d: ID!) { node(id: $d) { ... on Department { notices { level task { number } } } } }";
        let dept = w.app.query_as(&w.viewer, q, json!({ "d": w.department })).await;
        assert_eq!(levels(&dept["data"]["node"]["notices"]), ["BLUE", "RED"], "[{b}] {dept:#}");
        let anonymous = w.app.query_as(&Viewer::Anonymous, q, json!({ "d": w.department })).await;
        assert_eq!(code(&anonymous), "UNAUTHENTICATED", "[{b}]");
        // A department that owes nothing on the task is no obligation to chase.
        let q = "mutation($input: IssueNoticeInput!) { issueNotice(input: $input) { notice { id } } }";
        let input = json!({ "taskId": w.task, "periodId": w.period, "departmentId": w.app.department_id("市政务服务办").await,
            "level": "BLUE", "message": "催办" });
        let resp = w.app.query_as(&w.supervisor, q, json!({ "input": input })).await;
        assert!(matches!(code(&resp), "BAD_USER_INPUT"), "[{b}] {resp:#}");
    }
}

on_each_backend! {
    async fn every_write_appends_one_event_and_the_trail_is_for_supervisors(app) {
        let w = walk(app, shanghai(4, 1, 10)).await;
        let b = w.app.backend_name;
        let all = "query($f: EventFilter) { events(filter: $f, first: 500) { totalCount nodes { action actorId role subjectId requestId } } }";
        let trail = w.app.query_as(&w.admin, all, json!({})).await;
        let actions: Vec<&str> = trail["data"]["events"]["nodes"].as_array().expect("events").iter().map(|e| e["action"].as_str().expect("action")).collect();
        // The bundled document's import and the four tokens of the walk, all from the command line.
        assert_eq!(actions, ["document.imported", "token.created", "token.created", "token.created", "token.created"], "[{b}]");
        assert!(trail["data"]["events"]["nodes"].as_array().expect("events").iter().all(|e| e["actorId"] == "cli" && e["role"] == "CLI"), "[{b}]");

        let report = w.submit(10).await;
        w.review(&w.supervisor, &report, "RETURN", Some("请补充"), 1).await;
        let ext = w.request_extension(&w.reporter, "2023-04-15", None).await;
        w.decide(&w.admin, &ext["data"]["requestExtension"]["extension"]["id"], false, Some("不同意")).await;
        w.notice(&w.supervisor, "ORANGE").await;
        let (revoked, _) = w.app.token(TokenRole::Viewer, None).await;
        let Viewer::Token { id, .. } = revoked else { panic!("a token") };
        qingdan::service::tokens::revoke(&w.app.state.writer, &qingdan::service::writes::Actor::cli(), id).await.expect("revoke");
        let trail = w.app.query_as(&w.supervisor, all, json!({})).await;
        let actions: Vec<&str> = trail["data"]["events"]["nodes"].as_array().expect("events").iter().skip(5).map(|e| e["action"].as_str().expect("action")).collect();
        assert_eq!(actions, ["report.submitted", "report.returned", "extension.requested", "extension.decided",
            "notice.issued", "token.created", "token.revoked"], "[{b}] {trail:#}");
        assert_eq!(w.app.rows("audit_event").await, 12, "[{b}]");

        // Filters.
        let f = |filter: Value| w.app.query_as(&w.admin, all, json!({ "f": filter }));
        assert_eq!(f(json!({ "action": "report.returned" })).await["data"]["events"]["totalCount"], 1, "[{b}]");
        assert_eq!(f(json!({ "subjectId": report["id"] })).await["data"]["events"]["totalCount"], 2, "[{b}]");
        assert_eq!(f(json!({ "taskId": w.task })).await["data"]["events"]["totalCount"], 5, "[{b}]");
        assert_eq!(f(json!({ "actorId": "cli" })).await["data"]["events"]["totalCount"], 7, "[{b}]");
        assert_eq!(f(json!({ "from": "2030-01-01T00:00:00Z" })).await["data"]["events"]["totalCount"], 0, "[{b}]");
        assert_eq!(code(&f(json!({ "action": "report.deleted" })).await), "BAD_USER_INPUT", "[{b}]");

        // The whole trail is for supervisors and admins; a task's history for token holders.
        assert_eq!(code(&w.app.query_as(&w.reporter, all, json!({})).await), "FORBIDDEN", "[{b}]");
        assert_eq!(code(&w.app.query_as(&Viewer::Anonymous, all, json!({})).await), "UNAUTHENTICATED", "[{b}]");
        let q = "query($t: ID!) { node(id: $t) { ... on Task { history { action department { name } } } } }";
        let history = w.app.query_as(&w.reporter, q, json!({ "t": w.task })).await;
        assert_eq!(history["data"]["node"]["history"].as_array().map(Vec::len), Some(5), "[{b}] {history:#}");

        // No mutation changes or deletes an event: the schema has none.
        let sdl = qingdan::graphql::schema_sdl();
        assert!(!sdl.contains("deleteEvent") && !sdl.contains("updateEvent"), "[{b}]");
    }
}

on_each_backend! {
    async fn a_write_over_http_records_its_request_id(app) {
        let w = walk(app, shanghai(4, 1, 10)).await;
        let (_, secret) = w.app.token(TokenRole::Reporter, Some(&sole_led_task(&w.app).await.1)).await;
        let addr = w.app.serve().await;
        let q = "mutation($input: SubmitReportInput!) { submitReport(input: $input) { report { revision } } }";
        let input = json!({ "taskId": w.task, "periodId": w.period, "status": "ON_TRACK", "progressPercent": 40, "summary": "推进中" });
        let resp = reqwest::Client::new().post(format!("http://{addr}/graphql")).bearer_auth(&secret)
            .json(&json!({ "query": q, "variables": { "input": input } })).send().await.expect("POST");
        let request_id = resp.headers()["x-request-id"].to_str().expect("a header").to_owned();
        assert_eq!(resp.status(), 200);
        let trail = w.app.query_as(&w.admin, "{ events(filter: {action: \"report.submitted\"}) { nodes { requestId role } } }", json!({})).await;
        assert_eq!(trail["data"]["events"]["nodes"][0]["requestId"], request_id.as_str(), "[{}] {trail:#}", w.app.backend_name);
        assert_eq!(trail["data"]["events"]["nodes"][0]["role"], "REPORTER");
    }
}

on_each_backend! {
    async fn indicator_progress_follows_the_reported_values(app) {
        let app = app.with_clock(Clock::fixed(shanghai(4, 1, 10))).without_response_cache();
        let b = app.backend_name;
        let data = app.data("{ tasks(filter: {hasIndicators: true}, first: 500) { nodes { number id
            leads { name isCollective } indicators { id targetValue comparator } } } }").await;
        let task = data["tasks"]["nodes"].as_array().expect("tasks").iter()
            .find(|t| t["indicators"].as_array().is_some_and(|i| i.iter().any(|i| i["comparator"] == "AT_LEAST"))
                && t["leads"].as_array().is_some_and(|l| l.len() == 1 && l[0]["isCollective"] == false))
            .expect("a sole-led task with an at-least indicator").clone();
        let indicator = task["indicators"].as_array().expect("indicators").iter().find(|i| i["comparator"] == "AT_LEAST").expect("one").clone();
        let target = indicator["targetValue"].as_f64().expect("target");
        let (reporter, _) = app.token(TokenRole::Reporter, Some(task["leads"][0]["name"].as_str().expect("lead"))).await;
        for (quarter, share) in [(1, 0.25), (2, 0.5)] {
            let input = json!({ "taskId": task["id"], "periodId": app.period_id(quarter).await, "status": "ON_TRACK",
                "progressPercent": 50, "summary": "进展", "indicatorValues": [{ "indicatorId": indicator["id"], "value": target * share }] });
            let resp = app.submit(&reporter, input, "revision").await;
            assert!(resp.get("errors").is_none(), "[{b}] {resp:#}");
        }
        let q = "query($i: ID!, $p: ID) { node(id: $i) { ... on Indicator { latestValue progressPercent
            values { value period { quarter } department { name } } q2: values(periodId: $p) { value } } } }";
        let resp = app.query_as(&reporter, q, json!({ "i": indicator["id"], "p": app.period_id(2).await })).await;
        let i = &resp["data"]["node"];
        assert_eq!(i["latestValue"].as_f64(), Some(target * 0.5), "[{b}] {resp:#}");
        assert_eq!(i["progressPercent"].as_f64(), Some(50.0), "[{b}]");
        let quarters: Vec<i64> = i["values"].as_array().expect("values").iter().map(|v| v["period"]["quarter"].as_i64().expect("q")).collect();
        assert_eq!(quarters, [1, 2], "[{b}]");
        assert_eq!(i["q2"].as_array().map(Vec::len), Some(1), "[{b}]");
        let anonymous = app.query_as(&Viewer::Anonymous, q, json!({ "i": indicator["id"] })).await;
        assert_eq!(code(&anonymous), "UNAUTHENTICATED", "[{b}]");
    }
}

on_each_backend! {
    async fn supervision_events_stream_over_a_websocket(app) {
        use crate::subscriptions::{init, open, recv, subscribe};
        let w = walk(app, shanghai(4, 1, 10)).await;
        let b = w.app.backend_name;
        let (_, watcher) = w.app.token(TokenRole::Supervisor, Some("市政务服务办")).await;
        let addr = w.app.serve().await;
        let mut ws = open(addr, None).await.expect("open");
        assert_eq!(init(&mut ws, Some(&watcher)).await.expect("ack")["type"], "connection_ack");
        let q = "subscription($d: ID, $p: ID) { supervisionEvents(departmentId: $d, periodId: $p) {
            action subjectId task { number } department { name } } }";
        subscribe(&mut ws, "s", q, json!({ "d": w.department, "p": w.period })).await;
        let report = w.submit(10).await;
        w.review(&w.supervisor, &report, "RETURN", Some("请补充"), 1).await;
        w.notice(&w.supervisor, "BLUE").await;
        let mut seen = Vec::new();
        for _ in 0..3 {
            let msg = recv(&mut ws).await.unwrap_or_else(|| panic!("[{b}] an event after {seen:?}"));
            let e = &msg["payload"]["data"]["supervisionEvents"];
            assert_eq!(e["task"]["number"], w.task_number, "[{b}] {msg:#}");
            seen.push(e["action"].as_str().expect("action").to_owned());
        }
        assert_eq!(seen, ["report.submitted", "report.returned", "notice.issued"], "[{b}]");
    }
}

/// On PostgreSQL the trail is append-only below the API too: a trigger refuses UPDATE, DELETE
/// and TRUNCATE.
#[tokio::test]
#[ignore = "needs PostgreSQL: QINGDAN_TEST_POSTGRES=postgres://… cargo test -- --include-ignored"]
async fn postgres_refuses_to_change_or_delete_an_event() {
    use sea_orm::ConnectionTrait as _;
    let app = TestApp::spawn(crate::support::postgres()).await;
    let before = app.rows("audit_event").await;
    assert!(before >= 1);
    for sql in ["UPDATE audit_event SET action = 'x'", "DELETE FROM audit_event", "TRUNCATE audit_event"] {
        let err = app.state.primary().execute_unprepared(sql).await.expect_err(sql);
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    assert_eq!(app.rows("audit_event").await, before);
}

on_each_backend! {
    async fn every_supervision_write_moves_the_version_kept_answers_are_filed_under(app) {
        let w = walk(app, shanghai(4, 5, 10)).await;
        let w = Walk { app: w.app.with_response_cache(), ..w };
        let b = w.app.backend_name;
        let q = "query($p: ID!, $d: ID!) { obligations(periodId: $p, departmentId: $d, asOf: \"2023-04-08\", first: 500) {
            nodes { state light dueOn task { number } extensions { state } notices { level } report { review { state } } } } }";
        let vars = json!({ "p": w.period, "d": w.department });
        let mine = |resp: &Value| {
            resp["data"]["obligations"]["nodes"].as_array().expect("nodes").iter()
                .find(|n| n["task"]["number"] == w.task_number).cloned().expect("the walk's obligation")
        };
        // Asked twice: the second answer is kept (one statement, the versions).
        w.app.query_as(&w.viewer, q, vars.clone()).await;
        let before = w.app.statements();
        let again = w.app.query_as(&w.viewer, q, vars.clone()).await;
        assert_eq!(w.app.statements() - before, 1, "[{b}] kept");
        assert_eq!(mine(&again)["light"], "BLUE", "[{b}]");

        let report = w.submit(10).await;
        assert_eq!(mine(&w.app.query_as(&w.viewer, q, vars.clone()).await)["report"]["review"]["state"], "PENDING_REVIEW", "[{b}]");
        w.review(&w.supervisor, &report, "RETURN", Some("请补充"), 1).await;
        assert_eq!(mine(&w.app.query_as(&w.viewer, q, vars.clone()).await)["state"], "RETURNED", "[{b}] after the review");
        let ext = w.request_extension(&w.reporter, "2023-04-20", None).await;
        assert_eq!(mine(&w.app.query_as(&w.viewer, q, vars.clone()).await)["extensions"][0]["state"], "PENDING", "[{b}]");
        w.decide(&w.supervisor, &ext["data"]["requestExtension"]["extension"]["id"], true, None).await;
        let moved = mine(&w.app.query_as(&w.viewer, q, vars.clone()).await);
        assert_eq!((moved["dueOn"].as_str(), moved["light"].as_str()), (Some("2023-04-20"), Some("GREEN")), "[{b}] {moved:#}");
        w.notice(&w.supervisor, "BLUE").await;
        assert_eq!(mine(&w.app.query_as(&w.viewer, q, vars.clone()).await)["notices"][0]["level"], "BLUE", "[{b}] after the notice");
    }
}
