//! Obligation states around the deadline (end of the due day in Asia/Shanghai) with a fixed clock.

use chrono::{DateTime, TimeZone, Utc};
use entity::TokenRole;
use qingdan::clock::Clock;
use qingdan::service::access::Viewer;
use serde_json::{Value, json};

use crate::on_each_backend;
use crate::support::TestApp;

/// 2023-04-01 in UTC, long before the Q1 deadline (2023-04-10 16:00 UTC).
fn early() -> DateTime<Utc> {
    utc(2023, 4, 1, 0, 0, 0)
}

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s).single().expect("a valid UTC time")
}

/// Submits a Q1 report on `task` as `reporter` at `when` (the clock is moved there first).
async fn submit_at(app: &TestApp, reporter: &Viewer, task: i64, when: DateTime<Utc>) -> Value {
    app.state.write_clock().set(when);
    let input = json!({ "taskId": app.task_id(task).await, "periodId": app.period_id(1).await,
        "status": "COMPLETED", "progressPercent": 100, "summary": "已完成" });
    let resp = app.submit(reporter, input, "revision isLate firstSubmittedAt").await;
    assert!(resp.get("errors").is_none(), "[{}] {resp:#}", app.backend_name);
    resp["data"]["submitReport"]["report"].clone()
}

/// (state, has a report) of the Q1 obligation of `department` on `task`, as of `as_of`.
async fn state_of(app: &TestApp, viewer: &Viewer, department: &str, task: i64, as_of: Option<&str>) -> (String, bool) {
    let q = "query($p: ID!, $n: String, $asOf: Date) { obligations(periodId: $p, departmentName: $n, asOf: $asOf) {
        nodes { state task { number } report { revision isLate } } } }";
    let vars = json!({ "p": app.period_id(1).await, "n": department, "asOf": as_of });
    let resp = app.query_as(viewer, q, vars).await;
    let nodes = resp["data"]["obligations"]["nodes"].as_array().unwrap_or_else(|| panic!("{resp:#}"));
    let node = nodes.iter().find(|n| n["task"]["number"] == task).unwrap_or_else(|| panic!("no task {task}: {resp:#}"));
    (node["state"].as_str().expect("state").to_owned(), !node["report"].is_null())
}

fn st(state: &str, reported: bool) -> (String, bool) {
    (state.to_owned(), reported)
}

on_each_backend! {
    async fn a_q1_report_at_23_59_shanghai_on_the_due_day_is_on_time_and_at_midnight_it_is_late(app) {
        let app = app.with_clock(Clock::fixed(early()));
        let (tax, _) = app.token(TokenRole::Reporter, Some("市税务局")).await;
        // 2023-04-10 23:59 and 2023-04-11 00:00 in Asia/Shanghai (UTC+8).
        let on_time = submit_at(&app, &tax, 29, utc(2023, 4, 10, 15, 59, 0)).await;
        let late = submit_at(&app, &tax, 30, utc(2023, 4, 10, 16, 0, 0)).await;
        assert_eq!(on_time["isLate"], false, "[{}] {on_time:#}", app.backend_name);
        assert_eq!(late["isLate"], true, "[{}] {late:#}", app.backend_name);
        assert_eq!(state_of(&app, &tax, "市税务局", 29, Some("2023-04-11")).await, st("SUBMITTED", true), "[{}]", app.backend_name);
        assert_eq!(state_of(&app, &tax, "市税务局", 30, Some("2023-04-11")).await, st("SUBMITTED_LATE", true), "[{}]", app.backend_name);
        // As of the due day the midnight report has not arrived yet.
        assert_eq!(state_of(&app, &tax, "市税务局", 29, Some("2023-04-10")).await, st("SUBMITTED", true), "[{}]", app.backend_name);
        assert_eq!(state_of(&app, &tax, "市税务局", 30, Some("2023-04-10")).await, st("PENDING", false), "[{}]", app.backend_name);
    }
}

on_each_backend! {
    async fn an_unreported_obligation_is_pending_through_the_due_day_and_overdue_from_the_next(app) {
        let app = app.with_clock(Clock::fixed(utc(2023, 4, 10, 15, 59, 59)));
        let (viewer, _) = app.token(TokenRole::Viewer, None).await;
        let of = |as_of: Option<&'static str>| state_of(&app, &viewer, "市科技局", 67, as_of);
        assert_eq!(of(Some("2023-04-10")).await, st("PENDING", false), "[{}]", app.backend_name);
        assert_eq!(of(Some("2023-04-11")).await, st("OVERDUE", false), "[{}]", app.backend_name);
        assert_eq!(of(Some("2023-01-01")).await, st("PENDING", false), "[{}]", app.backend_name);
        // Without asOf the clock decides: one second before midnight in Shanghai, then after.
        assert_eq!(of(None).await, st("PENDING", false), "[{}] at 23:59:59", app.backend_name);
        app.state.write_clock().set(utc(2023, 4, 10, 16, 0, 1));
        assert_eq!(of(None).await, st("OVERDUE", false), "[{}] at 00:00:01", app.backend_name);
        assert_eq!(of(Some("2023-04-10")).await, st("PENDING", false), "[{}] asOf still rules", app.backend_name);
    }
}

on_each_backend! {
    async fn a_report_submitted_after_the_as_of_day_does_not_count_as_of_that_day(app) {
        let app = app.with_clock(Clock::fixed(early()));
        let (tech, _) = app.token(TokenRole::Reporter, Some("市科技局")).await;
        // 2023-04-12 10:00 in Shanghai.
        let report = submit_at(&app, &tech, 67, utc(2023, 4, 12, 2, 0, 0)).await;
        assert_eq!(report["isLate"], true, "[{}]", app.backend_name);
        let of = |as_of: &'static str| state_of(&app, &tech, "市科技局", 67, Some(as_of));
        assert_eq!(of("2023-04-10").await, st("PENDING", false), "[{}]", app.backend_name);
        assert_eq!(of("2023-04-11").await, st("OVERDUE", false), "[{}]", app.backend_name);
        assert_eq!(of("2023-04-12").await, st("SUBMITTED_LATE", true), "[{}]", app.backend_name);
        app.state.write_clock().set(utc(2023, 4, 12, 1, 59, 0));
        assert_eq!(state_of(&app, &tech, "市科技局", 67, None).await, st("OVERDUE", false), "[{}] a minute before", app.backend_name);
    }
}

/// `obligationSummary` as (total, submitted, submittedLate, pending, overdue).
async fn summary(app: &TestApp, viewer: &Viewer, period: &str, as_of: Option<&str>, dept: Option<&str>) -> [i64; 5] {
    let q = "query($p: ID!, $asOf: Date, $d: ID) { obligationSummary(periodId: $p, asOf: $asOf, departmentId: $d) {
        total submitted submittedLate pending overdue } }";
    let resp = app.query_as(viewer, q, json!({ "p": period, "asOf": as_of, "d": dept })).await;
    let s = &resp["data"]["obligationSummary"];
    let n = |k: &str| s[k].as_i64().unwrap_or_else(|| panic!("no {k}: {resp:#}"));
    [n("total"), n("submitted"), n("submittedLate"), n("pending"), n("overdue")]
}

on_each_backend! {
    async fn summary_counts_match_the_listing_in_each_state_and_add_up_to_the_total(app) {
        let app = app.with_clock(Clock::fixed(early()));
        let (tax, _) = app.token(TokenRole::Reporter, Some("市税务局")).await;
        let (tech, _) = app.token(TokenRole::Reporter, Some("市科技局")).await;
        submit_at(&app, &tax, 29, utc(2023, 4, 5, 2, 0, 0)).await;
        submit_at(&app, &tax, 30, utc(2023, 4, 11, 1, 0, 0)).await;
        submit_at(&app, &tech, 67, utc(2023, 4, 20, 3, 0, 0)).await;
        // Task 20 is 市税务局's as a responsible unit only: a report there is owed by nobody.
        submit_at(&app, &tax, 20, utc(2023, 4, 6, 3, 0, 0)).await;
        app.state.write_clock().set(utc(2023, 5, 1, 0, 0, 0));
        let p = app.period_id(1).await;
        let total = summary(&app, &tax, &p, None, None).await[0];
        assert!(total > 100, "[{}] {total}", app.backend_name);
        let t = total;
        for (as_of, want) in [
            (Some("2023-03-31"), [t, 0, 0, t, 0]),
            (Some("2023-04-10"), [t, 1, 0, t - 1, 0]),
            (Some("2023-04-11"), [t, 1, 1, 0, t - 2]),
            (Some("2023-04-19"), [t, 1, 1, 0, t - 2]),
            (Some("2023-04-20"), [t, 1, 2, 0, t - 3]),
            (None, [t, 1, 2, 0, t - 3]),
        ] {
            let got = summary(&app, &tax, &p, as_of, None).await;
            assert_eq!(got, want, "[{}] as of {as_of:?}", app.backend_name);
            assert_eq!(got[1] + got[2] + got[3] + got[4], got[0], "[{}] states add up", app.backend_name);
            for (i, state) in ["SUBMITTED", "SUBMITTED_LATE", "PENDING", "OVERDUE"].into_iter().enumerate() {
                let q = "query($p: ID!, $s: ObligationState, $asOf: Date) {
                    obligations(periodId: $p, state: $s, asOf: $asOf, first: 500) { totalCount nodes { state } } }";
                let resp = app.query_as(&tax, q, json!({ "p": p, "s": state, "asOf": as_of })).await;
                let conn = &resp["data"]["obligations"];
                let nodes = conn["nodes"].as_array().unwrap_or_else(|| panic!("{resp:#}"));
                assert_eq!(conn["totalCount"], got[i + 1], "[{}] {state} as of {as_of:?}", app.backend_name);
                assert_eq!(nodes.len() as i64, got[i + 1], "[{}] {state} as of {as_of:?}", app.backend_name);
                assert!(nodes.iter().all(|n| n["state"] == state), "[{}] {state}", app.backend_name);
            }
        }
        let d = app.department_id("市税务局").await;
        let mine = summary(&app, &tax, &p, Some("2023-04-15"), Some(&d)).await;
        assert_eq!(mine, [2, 1, 1, 0, 0], "[{}] 市税务局 leads 29 and 30", app.backend_name);
        let q2 = app.period_id(2).await;
        assert_eq!(summary(&app, &tax, &q2, None, None).await, [t, 0, 0, t, 0], "[{}] Q2 is untouched", app.backend_name);
    }
}
