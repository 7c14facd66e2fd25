//! Field errors as the GraphQL specification handles them: the errored field is null in `data`
//! (never missing), a non-null field passes the null to its nearest nullable parent, a non-null
//! root field makes `data` null, and `errors[].path` points at the field that failed. The
//! answers are kept as snapshots, as a normalising client (relay-runtime, Apollo) reads them.

use serde_json::{Value, json};

use crate::on_each_backend;

/// The answer without what changes from run to run (ids, locations stay).
fn answer(resp: &Value) -> Value {
    let mut resp = resp.clone();
    if let Some(errors) = resp.get_mut("errors").and_then(Value::as_array_mut) {
        for e in errors {
            if let Some(x) = e.get_mut("extensions").and_then(Value::as_object_mut) {
                x.remove("requestId");
            }
        }
    }
    resp
}

on_each_backend! {
    async fn a_non_null_field_that_fails_nulls_its_nullable_parent(app) {
        // Anonymous callers may read the task but not its reports; `reports` is `[Report!]!`.
        let resp = app.query("{ task(number: 29) { number reports { revision } } }").await;
        assert_eq!(resp["data"], json!({"task": null}), "{resp}");
        assert_eq!(resp["errors"][0]["path"], json!(["task", "reports"]), "{resp}");
        assert_eq!(resp["errors"].as_array().map(Vec::len), Some(1), "one error per field: {resp}");
        insta::assert_json_snapshot!("a_non_null_field_nulls_its_nullable_parent", answer(&resp));
    }
}

on_each_backend! {
    async fn a_nullable_root_field_that_fails_is_null_beside_its_siblings(app) {
        let resp = app.query(r#"{ node(id: "garbage") { id } }"#).await;
        assert_eq!(resp["data"], json!({"node": null}), "{resp}");
        assert_eq!(resp["errors"][0]["path"], json!(["node"]), "{resp}");
        let q = r#"{ first: documents { year } node(id: "garbage") { id } last: documents { year } }"#;
        let req = async_graphql::Request::new(q);
        let answered = qingdan::graphql::answer(&app.schema, &app.state, req, app.viewer.clone()).await;
        let qingdan::graphql::Answer::Executed(executed) = answered else { panic!("an answer with errors is executed") };
        let data = serde_json::to_string(&executed.data).expect("JSON");
        assert_eq!(data, r#"{"first":[{"year":2023}],"node":null,"last":[{"year":2023}]}"#, "in selection order");
        let resp = app.query(q).await;
        insta::assert_json_snapshot!("a_nullable_root_field_is_null_in_its_place", answer(&resp));
    }
}

on_each_backend! {
    async fn a_non_null_root_field_that_fails_makes_data_null(app) {
        // `reports` at the root is `ReportConnection!`: nothing above it may be null but `data`.
        let resp = app.query("{ documents { year } reports { totalCount } }").await;
        assert!(resp.get("data").is_some_and(Value::is_null), "data is present and null: {resp}");
        assert_eq!(resp["errors"][0]["path"], json!(["reports"]), "{resp}");
        assert_eq!(crate::support::code(&resp), "UNAUTHENTICATED");
        insta::assert_json_snapshot!("a_non_null_root_field_makes_data_null", answer(&resp));
    }
}

on_each_backend! {
    async fn errors_inside_lists_and_fragments_null_the_nearest_nullable_position(app) {
        // Each task of the page is `Task!` in `[Task!]!` of `TaskConnection!`: the null of one
        // task's reports passes up to `data`; under the nullable `node` it stops there.
        let q = "{ tasks(first: 2) { nodes { number reports { revision } } } }";
        let resp = app.query(q).await;
        assert!(resp["data"].is_null(), "{resp}");
        assert_eq!(resp["errors"][0]["path"], json!(["tasks", "nodes", 0, "reports"]), "{resp}");
        let id = app.task_id(29).await;
        let q = "query($id: ID!) { found: node(id: $id) { id ...T } } fragment T on Task { num: number reports { revision } }";
        let resp = app.query_with(q, json!({ "id": id })).await;
        assert_eq!(resp["data"], json!({"found": null}), "{resp}");
        assert_eq!(resp["errors"][0]["path"], json!(["found", "reports"]), "{resp}");
    }
}

on_each_backend! {
    async fn an_answer_without_errors_is_unchanged(app) {
        let resp = app.query("{ task(number: 29) { number isCoLed } node(id: \"x\") { id } }").await;
        let resp_ok = app.query("{ task(number: 29) { number isCoLed } }").await;
        assert!(resp_ok.get("errors").is_none(), "{resp_ok}");
        assert_eq!(resp["data"]["task"], resp_ok["data"]["task"], "{resp}");
    }
}
