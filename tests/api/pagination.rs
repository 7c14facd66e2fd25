//! Relay paging of task and department listings: forward, backward, descending, nested.

use serde_json::{Value, json};

use crate::on_each_backend;
use crate::support::TestApp;

const TASK_PAGE: &str = "query($first: Int, $after: String, $last: Int, $before: String, $order: [TaskOrder!]) {
    tasks(first: $first, after: $after, last: $last, before: $before, orderBy: $order) {
        totalCount edges { cursor node { number } } nodes { number }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }";

/// The connection at `path` of a query that must succeed.
async fn connection(app: &TestApp, query: &str, variables: Value, path: &[&str]) -> Value {
    let resp = app.query_with(query, variables).await;
    assert!(resp.get("errors").is_none(), "[{}] unexpected errors: {resp:#}", app.backend_name);
    path.iter().fold(resp["data"].clone(), |v, key| v[*key].clone())
}

async fn tasks_page(app: &TestApp, variables: Value) -> Value {
    connection(app, TASK_PAGE, variables, &["tasks"]).await
}

fn numbers(conn: &Value) -> Vec<i64> {
    conn["nodes"].as_array().expect("nodes").iter().map(|n| n["number"].as_i64().expect("number")).collect()
}

/// (hasPreviousPage, hasNextPage) of a connection.
fn flags(conn: &Value) -> (bool, bool) {
    let info = &conn["pageInfo"];
    (info["hasPreviousPage"].as_bool().expect("flag"), info["hasNextPage"].as_bool().expect("flag"))
}

/// Checks that edges and nodes agree and that start/end cursors are the first/last edge's.
fn assert_consistent(conn: &Value, backend: &str) {
    let edges = conn["edges"].as_array().expect("edges");
    let from_edges: Vec<i64> = edges.iter().map(|e| e["node"]["number"].as_i64().expect("number")).collect();
    assert_eq!(from_edges, numbers(conn), "[{backend}] edges and nodes agree");
    let info = &conn["pageInfo"];
    assert_eq!(info["startCursor"], edges.first().map_or(Value::Null, |e| e["cursor"].clone()), "[{backend}]");
    assert_eq!(info["endCursor"], edges.last().map_or(Value::Null, |e| e["cursor"].clone()), "[{backend}]");
}

on_each_backend! {
    async fn paging_forward_through_all_tasks_visits_each_once_in_order(app) {
        let mut seen = Vec::new();
        let mut after = Value::Null;
        let mut pages = Vec::new();
        loop {
            let page = tasks_page(&app, json!({ "first": 50, "after": after })).await;
            assert_consistent(&page, app.backend_name);
            assert_eq!(page["totalCount"], 129, "[{}] totalCount does not depend on the page", app.backend_name);
            seen.extend(numbers(&page));
            pages.push((numbers(&page).len(), flags(&page)));
            if !page["pageInfo"]["hasNextPage"].as_bool().expect("flag") {
                break;
            }
            after = page["pageInfo"]["endCursor"].clone();
            assert!(pages.len() < 10, "[{}] paging does not end", app.backend_name);
        }
        assert_eq!(pages, [(50, (false, true)), (50, (true, true)), (29, (true, false))], "[{}]", app.backend_name);
        assert_eq!(seen, (1..=129).collect::<Vec<_>>(), "[{}] no gaps, no duplicates", app.backend_name);
    }
}

on_each_backend! {
    async fn paging_backward_with_last_and_before_ends_at_the_first_task(app) {
        let last = tasks_page(&app, json!({ "last": 50 })).await;
        assert_consistent(&last, app.backend_name);
        assert_eq!(numbers(&last), (80..=129).collect::<Vec<_>>(), "[{}]", app.backend_name);
        assert_eq!(flags(&last), (true, false), "[{}]", app.backend_name);

        let before = last["pageInfo"]["startCursor"].clone();
        let middle = tasks_page(&app, json!({ "last": 50, "before": before })).await;
        assert_eq!(numbers(&middle), (30..=79).collect::<Vec<_>>(), "[{}]", app.backend_name);
        assert_eq!(flags(&middle), (true, true), "[{}]", app.backend_name);

        let before = middle["pageInfo"]["startCursor"].clone();
        let first = tasks_page(&app, json!({ "last": 50, "before": before })).await;
        assert_eq!(numbers(&first), (1..=29).collect::<Vec<_>>(), "[{}]", app.backend_name);
        assert_eq!(flags(&first), (false, true), "[{}]", app.backend_name);
        assert_eq!(first["totalCount"], 129);
    }
}

on_each_backend! {
    async fn descending_order_pages_from_the_last_task_down(app) {
        let order = json!(["NUMBER_DESC"]);
        let one = tasks_page(&app, json!({ "first": 50, "order": order })).await;
        assert_eq!(numbers(&one), (80..=129).rev().collect::<Vec<_>>(), "[{}]", app.backend_name);
        assert_eq!(flags(&one), (false, true), "[{}]", app.backend_name);
        let after = one["pageInfo"]["endCursor"].clone();
        let two = tasks_page(&app, json!({ "first": 50, "after": after, "order": order })).await;
        assert_eq!(numbers(&two), (30..=79).rev().collect::<Vec<_>>(), "[{}]", app.backend_name);
        let after = two["pageInfo"]["endCursor"].clone();
        let three = tasks_page(&app, json!({ "first": 50, "after": after, "order": order })).await;
        assert_eq!(numbers(&three), (1..=29).rev().collect::<Vec<_>>(), "[{}]", app.backend_name);
        assert_eq!(flags(&three), (true, false), "[{}]", app.backend_name);

        // Backward in descending order: the smallest numbers come last.
        let tail = tasks_page(&app, json!({ "last": 5, "order": order })).await;
        assert_eq!(numbers(&tail), [5, 4, 3, 2, 1], "[{}]", app.backend_name);
        let before = tail["pageInfo"]["startCursor"].clone();
        let prior = tasks_page(&app, json!({ "last": 5, "before": before, "order": order })).await;
        assert_eq!(numbers(&prior), [10, 9, 8, 7, 6], "[{}]", app.backend_name);
    }
}

on_each_backend! {
    async fn a_departments_tasks_page_with_cursors_and_keep_their_total(app) {
        let q = r#"query($after: String) { department(name: "市发展改革委") {
            tasks(first: 10, after: $after) { totalCount edges { cursor node { number } } nodes { number }
                pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }"#;
        let mut after = Value::Null;
        let mut pages = Vec::new();
        for _ in 0..3 {
            let page = connection(&app, q, json!({ "after": after }), &["department", "tasks"]).await;
            assert_consistent(&page, app.backend_name);
            assert_eq!(page["totalCount"], 25, "[{}]", app.backend_name);
            pages.push((numbers(&page), flags(&page)));
            after = page["pageInfo"]["endCursor"].clone();
        }
        assert_eq!(
            pages,
            [
                (vec![4, 5, 6, 39, 40, 44, 45, 46, 56, 57], (false, true)),
                (vec![58, 59, 65, 71, 74, 76, 88, 89, 90, 91], (true, true)),
                (vec![92, 93, 127, 128, 129], (true, false)),
            ],
            "[{}]",
            app.backend_name
        );
        let q = r#"query($before: String) { department(name: "市发展改革委") {
            tasks(role: LEAD, last: 3, before: $before) { totalCount nodes { number } } } }"#;
        let led = connection(&app, q, json!({ "before": null }), &["department", "tasks"]).await;
        assert_eq!(numbers(&led), [91, 92, 93], "[{}] the last three it leads", app.backend_name);
        assert_eq!(led["totalCount"], 15);
    }
}

on_each_backend! {
    async fn a_categorys_tasks_page_within_the_category(app) {
        let q = "query($after: String) { categories { number tasks(first: 5, after: $after) { totalCount
            nodes { number } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }";
        let mut after = Value::Null;
        let mut pages = Vec::new();
        for _ in 0..3 {
            let all = connection(&app, q, json!({ "after": after }), &["categories"]).await;
            let eleven = &all[10];
            assert_eq!(eleven["number"], 11);
            assert_eq!(eleven["tasks"]["totalCount"], 14, "[{}]", app.backend_name);
            pages.push((numbers(&eleven["tasks"]), flags(&eleven["tasks"])));
            after = eleven["tasks"]["pageInfo"]["endCursor"].clone();
        }
        assert_eq!(
            pages,
            [
                (vec![41, 42, 43, 44, 45], (false, true)),
                (vec![46, 47, 48, 49, 50], (true, true)),
                (vec![51, 52, 53, 54], (true, false)),
            ],
            "[{}]",
            app.backend_name
        );
    }
}

on_each_backend! {
    async fn departments_page_through_all_62_without_repeats(app) {
        let q = "query($first: Int, $after: String) { departments(first: $first, after: $after) {
            totalCount nodes { name region } pageInfo { hasNextPage hasPreviousPage endCursor } } }";
        let all = connection(&app, q, json!({ "first": 100 }), &["departments"]).await;
        let all_names: Vec<Value> = all["nodes"].as_array().expect("nodes").iter().map(|n| n["name"].clone()).collect();
        assert_eq!(all_names.len(), 62, "[{}]", app.backend_name);
        assert_eq!(all_names[0], "市市场监管委", "[{}] first appearance order", app.backend_name);

        let mut paged = Vec::new();
        let mut sizes = Vec::new();
        let mut after = Value::Null;
        loop {
            let page = connection(&app, q, json!({ "first": 25, "after": after }), &["departments"]).await;
            assert_eq!(page["totalCount"], 62, "[{}]", app.backend_name);
            let nodes = page["nodes"].as_array().expect("nodes");
            sizes.push(nodes.len());
            paged.extend(nodes.iter().map(|n| n["name"].clone()));
            if !page["pageInfo"]["hasNextPage"].as_bool().expect("flag") {
                break;
            }
            after = page["pageInfo"]["endCursor"].clone();
            assert!(sizes.len() < 10, "[{}] paging does not end", app.backend_name);
        }
        assert_eq!(sizes, [25, 25, 12], "[{}]", app.backend_name);
        assert_eq!(paged, all_names, "[{}] pages add up to the whole listing", app.backend_name);
    }
}

on_each_backend! {
    async fn total_count_is_the_listing_not_the_page(app) {
        for variables in [json!({ "first": 1 }), json!({ "last": 7 }), json!({ "first": 500 })] {
            let page = tasks_page(&app, variables.clone()).await;
            assert_eq!(page["totalCount"], 129, "[{}] {variables}", app.backend_name);
        }
        let q = r#"query($after: String) { tasks(filter: {departmentName: "市科技局"}, first: 1, after: $after) {
            totalCount nodes { number } pageInfo { endCursor } } }"#;
        let first = connection(&app, q, json!({}), &["tasks"]).await;
        let after = first["pageInfo"]["endCursor"].clone();
        let second = connection(&app, q, json!({ "after": after }), &["tasks"]).await;
        assert_eq!((numbers(&first), numbers(&second)), (vec![66], vec![67]), "[{}]", app.backend_name);
        assert_eq!(first["totalCount"], 3);
        assert_eq!(second["totalCount"], 3);
    }
}

on_each_backend! {
    async fn a_page_of_zero_rows_still_counts_the_listing(app) {
        let page = tasks_page(&app, json!({ "first": 0 })).await;
        assert_eq!(page["edges"], json!([]), "[{}]", app.backend_name);
        assert_eq!(page["nodes"], json!([]));
        assert_eq!(page["totalCount"], 129);
        assert_eq!(page["pageInfo"]["startCursor"], Value::Null);
        assert_eq!(page["pageInfo"]["endCursor"], Value::Null);
        assert!(page["pageInfo"]["hasNextPage"].as_bool().expect("flag"), "[{}] rows follow", app.backend_name);

        let empty = connection(&app, r#"{ tasks(filter: {search: "火星基地"}, first: 10) {
            totalCount nodes { number } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }"#, json!({}), &["tasks"]).await;
        assert_eq!(empty["totalCount"], 0);
        assert_eq!(flags(&empty), (false, false), "[{}]", app.backend_name);
        assert_eq!(empty["pageInfo"]["endCursor"], Value::Null);
    }
}

on_each_backend! {
    async fn without_first_or_last_a_page_holds_at_most_100(app) {
        let page = tasks_page(&app, json!({})).await;
        assert_eq!(numbers(&page), (1..=100).collect::<Vec<_>>(), "[{}] the default page", app.backend_name);
        assert_eq!(flags(&page), (false, true), "[{}]", app.backend_name);
    }
}
