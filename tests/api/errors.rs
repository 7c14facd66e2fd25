//! Bad input gets a clear error with a stable `extensions.code`, and never SQL text.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::on_each_backend;
use crate::support::TestApp;

/// A global id the way the server builds them: base64url without padding of "Type:row".
fn global_id(ty: &str, row: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("{ty}:{row}"))
}

/// Fails if a message shows database internals.
fn assert_no_sql(message: &str, backend: &str) {
    let lower = message.to_lowercase();
    for word in ["select ", "sqlx", "sqlite", "postgres", "at or near", "dberr", "no such table", "no such column"] {
        assert!(!lower.contains(word), "[{backend}] error message shows {word:?}: {message}");
    }
}

/// Runs a query that must fail with `code`; every error must carry a code and no SQL.
/// Returns the first error's message.
async fn error(app: &TestApp, query: &str, variables: Value, code: &str) -> String {
    let resp = app.query_with(query, variables).await;
    let errors =
        resp["errors"].as_array().unwrap_or_else(|| panic!("[{}] expected an error: {resp:#}", app.backend_name));
    assert!(!errors.is_empty(), "[{}] {resp:#}", app.backend_name);
    for e in errors {
        assert!(e["extensions"]["code"].is_string(), "[{}] every error has extensions.code: {e:#}", app.backend_name);
        assert_no_sql(e["message"].as_str().expect("a message"), app.backend_name);
    }
    assert_eq!(errors[0]["extensions"]["code"], code, "[{}] {query}: {resp:#}", app.backend_name);
    errors[0]["message"].as_str().expect("a message").to_owned()
}

/// The message must name each of `words`.
fn assert_names(message: &str, words: &[&str], backend: &str) {
    for w in words {
        assert!(message.contains(w), "[{backend}] message should name {w:?}: {message}");
    }
}

on_each_backend! {
    async fn an_unreadable_cursor_is_bad_user_input_naming_it(app) {
        let cases = [
            ("query($c: String) { tasks(after: $c) { totalCount } }", "nonsense-cursor"),
            ("query($c: String) { tasks(last: 3, before: $c) { totalCount } }", "!!"),
            ("query($c: String) { departments(after: $c) { totalCount } }", "bm9wZQ"),
            (r#"query($c: String) { department(name: "市科技局") { tasks(after: $c) { totalCount } } }"#, "Yzphbw"),
        ];
        for (q, cursor) in cases {
            let message = error(&app, q, json!({ "c": cursor }), "BAD_USER_INPUT").await;
            assert_names(&message, &[cursor, "cursor"], app.backend_name);
        }
    }
}

on_each_backend! {
    async fn a_malformed_id_is_bad_user_input_naming_it(app) {
        let cases = [
            "query($id: ID!) { node(id: $id) { id } }",
            "query($id: ID!) { task(id: $id) { number } }",
            "query($id: ID!) { department(id: $id) { name } }",
            "query($id: ID!) { tasks(filter: {documentId: $id}) { totalCount } }",
            "query($id: ID!) { categories(documentId: $id) { number } }",
        ];
        for q in cases {
            for id in ["not an id", "VGFzazp4eXo", "Tm9wZToz"] {
                let message = error(&app, q, json!({ "id": id }), "BAD_USER_INPUT").await;
                assert_names(&message, &[id], app.backend_name);
            }
        }
    }
}

on_each_backend! {
    async fn an_id_of_another_type_is_bad_user_input_naming_both_types(app) {
        let ids = app.data(r#"{ task(number: 1) { id } department(name: "市科技局") { id } }"#).await;
        let (task_id, department_id) = (&ids["task"]["id"], &ids["department"]["id"]);
        let cases = [
            ("query($id: ID!) { task(id: $id) { number } }", department_id, ["Department", "Task"]),
            ("query($id: ID!) { department(id: $id) { name } }", task_id, ["Task", "Department"]),
            ("query($id: ID!) { tasks(filter: {departmentId: $id}) { totalCount } }", task_id, ["Task", "Department"]),
            ("query($id: ID!) { tasks(filter: {documentId: $id}) { totalCount } }", task_id, ["Task", "Document"]),
            ("query($id: ID!) { reportingPeriods(documentId: $id) { label } }", department_id, ["Department", "Document"]),
        ];
        for (q, id, types) in cases {
            let message = error(&app, q, json!({ "id": id }), "BAD_USER_INPUT").await;
            assert_names(&message, &types, app.backend_name);
        }
    }
}

on_each_backend! {
    async fn an_unknown_id_is_not_found_naming_it(app) {
        let task = global_id("Task", 999_999);
        let department = global_id("Department", 999_999);
        let cases = [
            ("query($id: ID!) { node(id: $id) { id } }", &task),
            ("query($id: ID!) { node(id: $id) { id } }", &department),
            ("query($id: ID!) { task(id: $id) { number } }", &task),
            ("query($id: ID!) { department(id: $id) { name } }", &department),
        ];
        let mut unclear = Vec::new();
        for (q, id) in cases {
            let message = error(&app, q, json!({ "id": id }), "NOT_FOUND").await;
            if !message.contains(id.as_str()) {
                unclear.push(format!("{q} with {id}: {message:?}"));
            }
        }
        let message = error(&app, "{ task(number: 999) { number } }", json!({}), "NOT_FOUND").await;
        if !message.contains("999") {
            unclear.push(format!("task(number: 999): {message:?}"));
        }
        assert!(unclear.is_empty(), "[{}] NOT_FOUND messages should name what was not found:\n{}", app.backend_name, unclear.join("\n"));
    }
}

on_each_backend! {
    async fn an_unknown_department_name_is_not_found_naming_it(app) {
        let message = error(&app, r#"{ department(name: "市火星开发局") { name } }"#, json!({}), "NOT_FOUND").await;
        assert_names(&message, &["市火星开发局"], app.backend_name);
        // Wherever a name is taken: a filter does not answer an empty page for a name it does
        // not know, which would read as "no tasks".
        for q in [
            r#"{ tasks(filter: {departmentName: "市火星开发局"}) { totalCount } }"#,
            r#"{ tasks(filter: {or: [{coLed: true}, {departmentName: "市火星开发局", role: LEAD}]}) { totalCount } }"#,
            r#"{ taskStats(filter: {departmentName: "市火星开发局"}, groupBy: [ROLE]) { taskCount } }"#,
        ] {
            let message = error(&app, q, json!({}), "NOT_FOUND").await;
            assert_names(&message, &["市火星开发局"], app.backend_name);
        }
        let (viewer, _) = app.token(entity::TokenRole::Viewer, None).await;
        let q = r#"query($p: ID!) { obligations(periodId: $p, departmentName: "市火星开发局") { totalCount } }"#;
        let resp = app.query_as(&viewer, q, json!({ "p": app.period_id(1).await })).await;
        assert_eq!(crate::support::code(&resp), "NOT_FOUND", "[{}] {resp:#}", app.backend_name);
    }
}

on_each_backend! {
    async fn a_page_of_more_than_500_rows_exceeds_the_limit_and_says_so(app) {
        let cases = [
            "{ tasks(first: 501) { totalCount } }",
            "{ tasks(last: 501) { totalCount } }",
            "{ departments(first: 501) { totalCount } }",
            r#"{ department(name: "市科技局") { tasks(first: 501) { totalCount } } }"#,
            "{ categories { tasks(last: 10000) { totalCount } } }",
        ];
        for q in cases {
            let message = error(&app, q, json!({}), "LIMIT_EXCEEDED").await;
            assert_names(&message, &["limit", "500"], app.backend_name);
        }
        let ok = app.data("{ tasks(first: 500) { totalCount nodes { number } } }").await;
        assert_eq!(ok["tasks"]["nodes"].as_array().map(Vec::len), Some(129), "[{}] 500 is allowed", app.backend_name);
    }
}

on_each_backend! {
    async fn first_and_last_together_are_bad_user_input(app) {
        for q in ["{ tasks(first: 2, last: 2) { totalCount } }", "{ departments(first: 1, last: 1) { totalCount } }"] {
            let message = error(&app, q, json!({}), "BAD_USER_INPUT").await;
            assert_names(&message, &["first", "last"], app.backend_name);
        }
    }
}

on_each_backend! {
    async fn a_negative_page_size_is_bad_user_input(app) {
        let message = error(&app, "{ tasks(first: -1) { totalCount } }", json!({}), "BAD_USER_INPUT").await;
        assert_names(&message, &["first", "negative"], app.backend_name);
        let message = error(&app, "{ departments(last: -5) { totalCount } }", json!({}), "BAD_USER_INPUT").await;
        assert_names(&message, &["last", "negative"], app.backend_name);
    }
}

/// `levels` nested `not`s around `{coLed: true}`.
fn nested_nots(levels: usize) -> String {
    (0..levels).fold("{coLed: true}".to_owned(), |inner, _| format!("{{not: {inner}}}"))
}

on_each_backend! {
    async fn filters_nested_deeper_than_five_levels_exceed_the_limit(app) {
        // Five levels are fine: an odd number of nots is "not co-led".
        let five = app.data(&format!("{{ tasks(filter: {}) {{ totalCount }} }}", nested_nots(5))).await;
        assert_eq!(five["tasks"]["totalCount"], 113, "[{}]", app.backend_name);

        let six = format!("{{ tasks(filter: {}) {{ totalCount }} }}", nested_nots(6));
        let message = error(&app, &six, json!({}), "LIMIT_EXCEEDED").await;
        assert_names(&message, &["5"], app.backend_name);

        let mixed = "{ tasks(filter: {and: [{or: [{not: {and: [{or: [{not: {coLed: true}}]}]}}]}]}) { totalCount } }";
        error(&app, mixed, json!({}), "LIMIT_EXCEEDED").await;
        let stats = format!("{{ taskStats(filter: {}) {{ taskCount }} }}", nested_nots(6));
        error(&app, &stats, json!({}), "LIMIT_EXCEEDED").await;
    }
}

on_each_backend! {
    async fn a_task_needs_either_an_id_or_a_number(app) {
        let message = error(&app, "{ task { number } }", json!({}), "BAD_USER_INPUT").await;
        assert_names(&message, &["id", "number"], app.backend_name);
        let both = format!(r#"{{ task(id: "{}", number: 1) {{ number }} }}"#, global_id("Task", 1));
        error(&app, &both, json!({}), "BAD_USER_INPUT").await;
        let message = error(&app, "{ department { name } }", json!({}), "BAD_USER_INPUT").await;
        assert_names(&message, &["id", "name"], app.backend_name);
    }
}

on_each_backend! {
    async fn a_syntax_error_gets_a_message_and_the_server_carries_on(app) {
        for q in ["{ tasks(first: ) { totalCount }", "query {", "{ tasks { nodes { nope } } }"] {
            let resp = app.query(q).await;
            let message = resp["errors"][0]["message"].as_str().unwrap_or_default();
            assert!(!message.is_empty(), "[{}] {q:?} gets an error with a message: {resp:#}", app.backend_name);
            assert!(resp["data"].is_null(), "[{}] no data for {q:?}", app.backend_name);
            assert_no_sql(message, app.backend_name);
        }
        let resp = app.query("{ tasks { nodes { nope } } }").await;
        assert_names(resp["errors"][0]["message"].as_str().unwrap_or_default(), &["nope"], app.backend_name);
        assert_eq!(app.data("{ tasks(first: 1) { totalCount } }").await["tasks"]["totalCount"], 129);
    }
}

on_each_backend! {
    async fn a_query_nested_too_deep_is_refused_with_a_code(app) {
        let mut q = "number".to_owned();
        for _ in 0..5 {
            q = format!("tasks(first: 1) {{ nodes {{ category {{ {q} }} }} }}");
        }
        let resp = app.query(&format!("{{ categories {{ {q} }} }}")).await;
        let errors = resp["errors"].as_array().unwrap_or_else(|| panic!("[{}] refused: {resp:#}", app.backend_name));
        let first = &errors[0];
        assert!(first["extensions"]["code"].is_string(), "[{}] every error has extensions.code: {first:#}", app.backend_name);
        assert_eq!(first["extensions"]["code"], "LIMIT_EXCEEDED", "[{}] {first:#}", app.backend_name);
    }
}

on_each_backend! {
    async fn hostile_text_in_filters_is_only_text(app) {
        for text in ["'; DROP TABLE task; --", "' OR '1'='1", "\\%", "%' OR 1=1 --"] {
            let q = "query($s: String) { tasks(filter: {search: $s}) { totalCount }
                departments(filter: {nameContains: $s}) { totalCount } }";
            let resp = app.query_with(q, json!({ "s": text })).await;
            assert!(resp.get("errors").is_none(), "[{}] {text:?}: {resp:#}", app.backend_name);
            assert_eq!(resp["data"]["tasks"]["totalCount"], 0, "[{}] {text:?}", app.backend_name);
            assert_eq!(resp["data"]["departments"]["totalCount"], 0, "[{}] {text:?}", app.backend_name);
        }
        let long = "长".repeat(201);
        let q = "query($s: String) { tasks(filter: {search: $s}) { totalCount } }";
        let message = error(&app, q, json!({ "s": long }), "BAD_USER_INPUT").await;
        assert_names(&message, &["200"], app.backend_name);
        assert_eq!(app.data("{ tasks { totalCount } }").await["tasks"]["totalCount"], 129, "[{}]", app.backend_name);
    }
}

on_each_backend! {
    async fn text_with_nul_is_bad_user_input_on_both_backends(app) {
        let cases = [
            (r#"{ department(name: "a\u0000b") { id } }"#, json!({})),
            (r#"{ tasks(filter: { search: "x\u0000" }) { totalCount } }"#, json!({})),
            ("query($s: String) { tasks(filter: { search: $s }) { totalCount } }", json!({ "s": "a\u{0}" })),
            ("query($r: String = \"\\u0000\") { departments(filter: { region: $r }) { totalCount } }", json!({})),
        ];
        for (q, vars) in cases {
            let message = error(&app, q, vars, "BAD_USER_INPUT").await;
            assert_names(&message, &["U+0000"], app.backend_name);
        }
    }
}
