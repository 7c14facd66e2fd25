//! The SQL statements one request runs grow with its depth, never with its rows.

use crate::on_each_backend;

const ALL_TASKS_DEEP: &str = "query($n: Int) { tasks(first: $n) { totalCount nodes { number content isCoLed
    category { number name }
    leads { name kind workload { lead soleLead coLead responsible total } }
    responsibleUnits { name isCollective }
    indicators { targetValue unit comparator phrase } } } }";

on_each_backend! {
    async fn listing_tasks_with_relations_runs_the_same_few_statements_for_10_and_129_tasks(app) {
        let run = |n: i64| {
            let app = &app;
            async move {
                let before = app.statements();
                let resp = app.query_with(ALL_TASKS_DEEP, serde_json::json!({ "n": n })).await;
                assert!(resp.get("errors").is_none(), "{resp:#}");
                assert_eq!(resp["data"]["tasks"]["nodes"].as_array().map(Vec::len), Some(n as usize));
                app.statements() - before
            }
        };
        let ten = run(10).await;
        let all = run(129).await;
        // tasks page, count, categories, assignments, departments, indicators, workloads.
        assert_eq!(ten, all, "[{}] statements grew with the rows", app.backend_name);
        assert_eq!(all, 7, "[{}] statements for the deep task listing", app.backend_name);
    }
}

on_each_backend! {
    async fn departments_with_their_task_pages_batch_into_one_statement_per_level(app) {
        let q = "{ departments(first: 60) { nodes { name tasks(role: LEAD, first: 3) { totalCount nodes { number category { name } } } coLeaders { department { name } taskCount } } } }";
        let n = app.count_statements(q).await;
        // departments page; task pages; task counts; categories; co-leaders; co-leader departments.
        assert_eq!(n, 6, "[{}]", app.backend_name);
    }
}
