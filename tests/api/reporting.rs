//! Reporting periods, obligations and `submitReport` with revisions and indicator values.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeZone, Utc};
use entity::TokenRole;
use qingdan::clock::Clock;
use serde_json::{Value, json};

use crate::on_each_backend;
use crate::support::{TestApp, code};

const OBLIGATIONS: &str = "query($p: ID!, $d: ID, $n: String, $s: ObligationState, $asOf: Date) {
    obligations(periodId: $p, departmentId: $d, departmentName: $n, state: $s, asOf: $asOf, first: 500) {
        totalCount nodes { state task { number } department { name } report { revision } } } }";

const REPORT: &str = "id revision status progressPercent summary submittedAt firstSubmittedAt submittedBy isLate
    task { number } department { name } period { quarter }
    revisions { revision progressPercent summary submittedAt submittedBy isLate }";

fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).single().expect("a valid UTC time")
}

fn time(v: &Value) -> DateTime<Utc> {
    let s = v.as_str().unwrap_or_else(|| panic!("not a time: {v}"));
    DateTime::parse_from_rfc3339(s).expect("an RFC 3339 time").with_timezone(&Utc)
}

/// (task number, department name) of each obligation node.
fn owed(resp: &Value) -> Vec<(i64, String)> {
    let nodes = resp["data"]["obligations"]["nodes"].as_array().unwrap_or_else(|| panic!("no obligations: {resp:#}"));
    nodes
        .iter()
        .map(|n| {
            (n["task"]["number"].as_i64().expect("number"), n["department"]["name"].as_str().expect("name").to_owned())
        })
        .collect()
}

/// The obligations of one period by the rule, computed from the public task listing.
async fn expected_obligations(app: &TestApp) -> Vec<(i64, String)> {
    let data = app
        .data("{ tasks(first: 500) { totalCount nodes { number leads { name isCollective } responsibleUnits { name isCollective } } } }")
        .await;
    assert_eq!(data["tasks"]["totalCount"], 129);
    let mut out = Vec::new();
    for t in data["tasks"]["nodes"].as_array().expect("tasks") {
        let leads = t["leads"].as_array().expect("leads");
        let owers = if leads.is_empty() { t["responsibleUnits"].as_array().expect("units") } else { leads };
        for d in owers.iter().filter(|d| d["isCollective"] == false) {
            out.push((t["number"].as_i64().expect("number"), d["name"].as_str().expect("name").to_owned()));
        }
    }
    out
}

on_each_backend! {
    async fn the_notice_sets_four_quarterly_periods_due_on_the_tenth_after_each_quarter(app) {
        let data = app.data("{ reportingPeriods { year quarter label startsOn endsOn dueOn } }").await;
        assert_eq!(
            data["reportingPeriods"],
            json!([
                {"year": 2023, "quarter": 1, "label": "一季度", "startsOn": "2023-01-01", "endsOn": "2023-03-31", "dueOn": "2023-04-10"},
                {"year": 2023, "quarter": 2, "label": "二季度（半年）", "startsOn": "2023-04-01", "endsOn": "2023-06-30", "dueOn": "2023-07-10"},
                {"year": 2023, "quarter": 3, "label": "三季度", "startsOn": "2023-07-01", "endsOn": "2023-09-30", "dueOn": "2023-10-10"},
                {"year": 2023, "quarter": 4, "label": "四季度（全年）", "startsOn": "2023-10-01", "endsOn": "2023-12-31", "dueOn": "2024-01-10"},
            ]),
            "[{}]",
            app.backend_name
        );
    }
}

on_each_backend! {
    async fn q1_obligations_are_the_non_collective_leads_or_else_the_responsible_units_of_each_task(app) {
        let (viewer, _) = app.token(TokenRole::Viewer, None).await;
        let expected = expected_obligations(&app).await;
        eprintln!("[{}] Q1 obligations computed from the assignments: {}", app.backend_name, expected.len());
        for quarter in [1, 4] {
            let p = app.period_id(quarter).await;
            let resp = app.query_as(&viewer, OBLIGATIONS, json!({ "p": p })).await;
            assert_eq!(resp["data"]["obligations"]["totalCount"], expected.len(), "[{}] {resp:#}", app.backend_name);
            let got = owed(&resp);
            assert!(got.windows(2).all(|w| w[0].0 <= w[1].0), "[{}] obligations come in task order", app.backend_name);
            let (mut got_sorted, mut want_sorted) = (got.clone(), expected.clone());
            got_sorted.sort();
            want_sorted.sort();
            assert_eq!(got_sorted, want_sorted, "[{}] Q{quarter} obligations", app.backend_name);
            let summary = app
                .query_as(&viewer, "query($p: ID!) { obligationSummary(periodId: $p) { total } }", json!({ "p": p }))
                .await;
            assert_eq!(summary["data"]["obligationSummary"]["total"], expected.len(), "[{}]", app.backend_name);
        }
        // Read by hand: tasks 83 and 84 have no lead and one non-collective responsible unit;
        // task 87 has no lead and only collectives, so nobody owes it.
        let by_task = |n: i64| expected.iter().filter(|o| o.0 == n).map(|o| o.1.as_str()).collect::<Vec<_>>();
        assert_eq!(by_task(83), ["市委依法治市办"]);
        assert_eq!(by_task(84), ["市委依法治市办"]);
        assert!(by_task(87).is_empty());
        assert_eq!(by_task(8), ["市委网信办", "市政务服务办", "市大数据管理中心"]);
    }
}

on_each_backend! {
    async fn obligations_of_one_department_come_alike_by_id_by_name_and_from_the_department(app) {
        let (viewer, _) = app.token(TokenRole::Viewer, None).await;
        let p = app.period_id(1).await;
        // 市税务局 leads tasks 29 and 30; 市委依法治市办 owes the lead-less tasks 83 and 84.
        for (name, tasks) in [("市税务局", [29, 30]), ("市委依法治市办", [83, 84])] {
            let d = app.department_id(name).await;
            let by_id = app.query_as(&viewer, OBLIGATIONS, json!({ "p": p, "d": d })).await;
            let by_name = app.query_as(&viewer, OBLIGATIONS, json!({ "p": p, "n": name })).await;
            let want: Vec<(i64, String)> = tasks.iter().map(|n| (*n, name.to_owned())).collect();
            assert_eq!(owed(&by_id), want, "[{}] by id: {by_id:#}", app.backend_name);
            assert_eq!(by_name["data"], by_id["data"], "[{}] by name", app.backend_name);
            let q = "query($p: ID!, $n: String) { department(name: $n) {
                obligations(periodId: $p) { totalCount nodes { state task { number } department { name } report { revision } } } } }";
            let of_dept = app.query_as(&viewer, q, json!({ "p": p, "n": name })).await;
            assert_eq!(of_dept["data"]["department"]["obligations"], by_id["data"]["obligations"], "[{}]", app.backend_name);
            let s = "query($p: ID!, $d: ID) { obligationSummary(periodId: $p, departmentId: $d) { total } }";
            let summary = app.query_as(&viewer, s, json!({ "p": p, "d": d })).await;
            assert_eq!(summary["data"]["obligationSummary"]["total"], 2, "[{}]", app.backend_name);
        }
    }
}

on_each_backend! {
    async fn obligations_filter_by_state_as_of_a_day(app) {
        let app = app.with_clock(Clock::fixed(at(2023, 3, 20, 2, 0)));
        let (reporter, _) = app.token(TokenRole::Reporter, Some("市税务局")).await;
        let p = app.period_id(1).await;
        let input = json!({ "taskId": app.task_id(29).await, "periodId": p, "status": "ON_TRACK",
            "progressPercent": 30, "summary": "预填报服务已上线" });
        let resp = app.submit(&reporter, input, "revision").await;
        assert_eq!(resp["data"]["submitReport"]["report"]["revision"], 1, "[{}] {resp:#}", app.backend_name);
        let total = expected_obligations(&app).await.len();
        let count = |state: &'static str, as_of: &'static str| {
            let (app, reporter, p) = (&app, &reporter, &p);
            async move {
                let resp = app.query_as(reporter, OBLIGATIONS, json!({ "p": p, "s": state, "asOf": as_of })).await;
                assert!(resp.get("errors").is_none(), "{resp:#}");
                let nodes = resp["data"]["obligations"]["nodes"].as_array().expect("nodes").clone();
                assert!(nodes.iter().all(|n| n["state"] == state), "{state}: {resp:#}");
                (resp["data"]["obligations"]["totalCount"].as_u64().expect("count") as usize, nodes)
            }
        };
        let (n, submitted) = count("SUBMITTED", "2023-04-01").await;
        assert_eq!(n, 1, "[{}]", app.backend_name);
        assert_eq!(submitted[0]["task"]["number"], 29);
        assert_eq!(submitted[0]["department"]["name"], "市税务局");
        assert_eq!(submitted[0]["report"]["revision"], 1);
        assert_eq!(count("PENDING", "2023-04-01").await.0, total - 1, "[{}]", app.backend_name);
        assert_eq!(count("OVERDUE", "2023-04-01").await.0, 0, "[{}]", app.backend_name);
        assert_eq!(count("SUBMITTED_LATE", "2023-04-01").await.0, 0, "[{}]", app.backend_name);
        assert_eq!(count("OVERDUE", "2023-04-11").await.0, total - 1, "[{}]", app.backend_name);
        assert_eq!(count("PENDING", "2023-04-11").await.0, 0, "[{}]", app.backend_name);
        assert_eq!(count("SUBMITTED", "2023-04-11").await.0, 1, "[{}]", app.backend_name);
    }
}

on_each_backend! {
    async fn a_second_revision_needs_expected_revision_1_and_both_stay_in_the_history(app) {
        let first_at = at(2023, 4, 3, 1, 30);
        let second_at = at(2023, 4, 12, 8, 0);
        let app = app.with_clock(Clock::fixed(first_at));
        let (reporter, _) = app.token(TokenRole::Reporter, Some("市税务局")).await;
        let qingdan::service::access::Viewer::Token { id, .. } = &reporter else { panic!("a token viewer") };
        let by = format!("token {id} (test)");
        let (task, p) = (app.task_id(29).await, app.period_id(1).await);
        let input = |progress: i64, summary: &str, expected: i64| json!({ "taskId": task, "periodId": p,
            "status": "ON_TRACK", "progressPercent": progress, "summary": summary, "expectedRevision": expected });
        let one = app.submit(&reporter, input(30, "预填报上线", 0), REPORT).await;
        let one = &one["data"]["submitReport"]["report"];
        assert_eq!(one["revision"], 1, "[{}] {one:#}", app.backend_name);
        app.state.write_clock().set(second_at);
        let two = app.submit(&reporter, input(60, "  覆盖主要税种  ", 1), REPORT).await;
        let two = two["data"]["submitReport"]["report"].clone();
        assert_eq!(two["id"], one["id"], "[{}] the same report", app.backend_name);
        assert_eq!((two["revision"].clone(), two["progressPercent"].clone()), (json!(2), json!(60)));
        assert_eq!(two["summary"], "覆盖主要税种", "[{}] the summary is trimmed", app.backend_name);
        assert_eq!((time(&two["submittedAt"]), time(&two["firstSubmittedAt"])), (second_at, first_at));
        assert_eq!(two["isLate"], false, "[{}] lateness is judged on the first revision", app.backend_name);
        assert_eq!(two["submittedBy"], by.as_str());
        assert_eq!((two["task"]["number"].clone(), two["period"]["quarter"].clone()), (json!(29), json!(1)));
        assert_eq!(two["department"]["name"], "市税务局");
        let revs = two["revisions"].as_array().expect("revisions");
        // Times are compared as instants, whatever offset notation the server writes.
        let got: Vec<Value> = revs
            .iter()
            .map(|r| json!([r["revision"], r["progressPercent"], time(&r["submittedAt"]).to_rfc3339(), r["submittedBy"], r["isLate"]]))
            .collect();
        let want = [
            json!([1, 30, first_at.to_rfc3339(), by, false]),
            json!([2, 60, second_at.to_rfc3339(), by, true]),
        ];
        assert_eq!(got, want, "[{}] the Q1 deadline is 2023-04-10 16:00 UTC", app.backend_name);
        assert_eq!((app.rows("report").await, app.rows("report_revision").await), (1, 2));

        let report_id = two["id"].clone();
        let only = vec![report_id.clone()];
        let ids_of = |list: &Value| list.as_array().expect("a list").iter().map(|r| r["id"].clone()).collect::<Vec<_>>();
        let q = "query($t: Int, $n: String, $p: ID!, $d: ID!, $r: ID!) {
            task(number: $t) { reports(periodId: $p) { id } all: reports { id } }
            department(name: $n) { reports(periodId: $p) { totalCount nodes { id } } }
            node(id: $r) { id ... on Report { revision } }
            byFilter: reports(filter: {taskId: null, departmentId: $d, periodId: $p, status: ON_TRACK}) { totalCount nodes { id } }
            other: reports(filter: {periodId: $p, status: COMPLETED}) { totalCount } }";
        let d = app.department_id("市税务局").await;
        let vars = json!({ "t": 29, "n": "市税务局", "p": p, "d": d, "r": report_id });
        let data = app.query_as(&reporter, q, vars).await;
        assert!(data.get("errors").is_none(), "[{}] {data:#}", app.backend_name);
        let data = &data["data"];
        assert_eq!(ids_of(&data["task"]["reports"]), only);
        assert_eq!(ids_of(&data["task"]["all"]), only);
        assert_eq!(ids_of(&data["department"]["reports"]["nodes"]), only);
        assert_eq!(data["node"], json!({ "id": report_id, "revision": 2 }));
        assert_eq!(ids_of(&data["byFilter"]["nodes"]), only);
        assert_eq!(data["other"]["totalCount"], 0);
        let period_reports = app
            .query_as(&reporter, "{ reportingPeriods { quarter reports { totalCount nodes { id } } } }", json!({}))
            .await;
        let counts: BTreeMap<i64, Vec<Value>> = period_reports["data"]["reportingPeriods"]
            .as_array()
            .expect("periods")
            .iter()
            .map(|p| (p["quarter"].as_i64().expect("quarter"), ids_of(&p["reports"]["nodes"])))
            .collect();
        assert_eq!(counts[&1], only, "[{}] {period_reports:#}", app.backend_name);
        assert!(counts[&2].is_empty() && counts[&3].is_empty() && counts[&4].is_empty());
    }
}

on_each_backend! {
    async fn indicator_values_of_task_67_are_stored_and_returned_and_bad_ones_write_nothing(app) {
        let (reporter, _) = app.token(TokenRole::Reporter, Some("市科技局")).await;
        let data = app.data("{ t67: task(number: 67) { id indicators { id targetValue } } t68: task(number: 68) { indicators { id } } }").await;
        let ind = data["t67"]["indicators"].as_array().expect("indicators").clone();
        let targets: Vec<f64> = ind.iter().map(|i| i["targetValue"].as_f64().expect("target")).collect();
        assert_eq!(targets, [11000.0, 10500.0], "[{}] 国家高新技术企业 11000 家, 科技型中小企业 10500 家", app.backend_name);
        let (a, b) = (ind[0]["id"].clone(), ind[1]["id"].clone());
        let other = data["t68"]["indicators"][0]["id"].clone();
        let p = app.period_id(1).await;
        let input = |values: Value| json!({ "taskId": data["t67"]["id"], "periodId": p, "status": "ON_TRACK",
            "progressPercent": 25, "summary": "认定工作推进中", "indicatorValues": values });
        let fields = "revision indicatorValues { indicator { id } value } revisions { indicatorValues { indicator { id } value } }";
        let bad = [
            json!([{ "indicatorId": a, "value": 3000 }, { "indicatorId": other, "value": 5 }]),
            json!([{ "indicatorId": a, "value": -1 }]),
            json!([{ "indicatorId": a, "value": 1 }, { "indicatorId": a, "value": 2 }]),
        ];
        for values in &bad {
            let resp = app.submit(&reporter, input(values.clone()), "revision").await;
            assert_eq!(code(&resp), "BAD_USER_INPUT", "[{}] {values}: {resp:#}", app.backend_name);
            assert_eq!((app.rows("report").await, app.rows("report_revision").await), (0, 0), "[{}] {values}", app.backend_name);
        }
        let good = json!([{ "indicatorId": a, "value": 9800 }, { "indicatorId": b, "value": 7600.5 }]);
        let resp = app.submit(&reporter, input(good), fields).await;
        let report = &resp["data"]["submitReport"]["report"];
        let want = json!([{ "indicator": { "id": a }, "value": 9800.0 }, { "indicator": { "id": b }, "value": 7600.5 }]);
        assert_eq!(report["indicatorValues"], want, "[{}] {resp:#}", app.backend_name);
        assert_eq!(report["revisions"][0]["indicatorValues"], want, "[{}]", app.backend_name);
        let resp = app.submit(&reporter, input(bad[0].clone()), "revision").await;
        assert_eq!(code(&resp), "BAD_USER_INPUT", "[{}] {resp:#}", app.backend_name);
        assert_eq!((app.rows("report").await, app.rows("report_revision").await), (1, 1), "[{}]", app.backend_name);
    }
}

on_each_backend! {
    async fn out_of_range_progress_an_empty_summary_and_a_stale_revision_write_nothing(app) {
        let (reporter, _) = app.token(TokenRole::Reporter, Some("市税务局")).await;
        let (task, p) = (app.task_id(29).await, app.period_id(1).await);
        let input = |progress: i64, summary: &str, expected: Option<i64>| json!({ "taskId": task, "periodId": p,
            "status": "AT_RISK", "progressPercent": progress, "summary": summary, "expectedRevision": expected });
        for (bad, want) in [
            (input(101, "进展", None), "BAD_USER_INPUT"),
            (input(-1, "进展", None), "BAD_USER_INPUT"),
            (input(50, "", None), "BAD_USER_INPUT"),
            (input(50, "  \n ", None), "BAD_USER_INPUT"),
            (input(50, "进展", Some(1)), "CONFLICT"),
        ] {
            let resp = app.submit(&reporter, bad.clone(), "revision").await;
            assert_eq!(code(&resp), want, "[{}] {bad}: {resp:#}", app.backend_name);
            assert_eq!((app.rows("report").await, app.rows("report_revision").await), (0, 0), "[{}] {bad}", app.backend_name);
        }
        let ok = app.submit(&reporter, input(100, "进展", Some(0)), "revision progressPercent").await;
        assert_eq!(ok["data"]["submitReport"]["report"], json!({ "revision": 1, "progressPercent": 100 }), "[{}] {ok:#}", app.backend_name);
        for stale in [0, 2] {
            let resp = app.submit(&reporter, input(10, "倒退", Some(stale)), "revision").await;
            assert_eq!(code(&resp), "CONFLICT", "[{}] expectedRevision {stale}: {resp:#}", app.backend_name);
        }
        assert_eq!((app.rows("report").await, app.rows("report_revision").await), (1, 1), "[{}]", app.backend_name);
        let after = app.query_as(&reporter, "{ reports { nodes { revision progressPercent } } }", json!({})).await;
        assert_eq!(after["data"]["reports"]["nodes"], json!([{ "revision": 1, "progressPercent": 100 }]), "[{}]", app.backend_name);
    }
}

on_each_backend! {
    async fn two_submissions_in_one_operation_each_read_their_own_revisions(app) {
        let (admin, _) = app.token(TokenRole::Admin, None).await;
        let (task, p, d) = (app.task_id(29).await, app.period_id(1).await, app.department_id("市税务局").await);
        let input = |progress: i64| json!({ "taskId": task, "periodId": p, "departmentId": d,
            "status": "ON_TRACK", "progressPercent": progress, "summary": format!("第{progress}") });
        let q = "mutation($a: SubmitReportInput!, $b: SubmitReportInput!) {
            a: submitReport(input: $a) { report { revision revisions { revision } task { reports { revision } } } }
            b: submitReport(input: $b) { report { revision revisions { revision } task { reports { revision } } } } }";
        let resp = app.query_as(&admin, q, json!({ "a": input(10), "b": input(20) })).await;
        assert!(resp.get("errors").is_none(), "[{}] {resp:#}", app.backend_name);
        let revisions = |alias: &str| resp["data"][alias]["report"]["revisions"].clone();
        assert_eq!(revisions("a"), json!([{ "revision": 1 }]), "[{}] {resp:#}", app.backend_name);
        assert_eq!(revisions("b"), json!([{ "revision": 1 }, { "revision": 2 }]), "[{}] {resp:#}", app.backend_name);
        assert_eq!(resp["data"]["b"]["report"]["task"]["reports"], json!([{ "revision": 2 }]), "[{}]", app.backend_name);
    }
}
