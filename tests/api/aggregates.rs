//! `taskStats` grouped by assignment (department, role, kind) counts the assignments the filter
//! asks for: `{role: LEAD}` by DEPARTMENT gives the lead departments, each with its lead tasks,
//! as `tasks` with the same filter per department does. Each combination of filter and grouping
//! is checked against the task list.

use serde_json::Value;

use crate::on_each_backend;

/// Every task's assignments as (department id, kind, role).
async fn assignments(app: &crate::support::TestApp) -> Vec<Vec<(String, String, String)>> {
    let q = "{ tasks(first: 500) { nodes { assignments { role department { id kind } } } } }";
    let data = app.data(q).await;
    data["tasks"]["nodes"]
        .as_array()
        .expect("tasks")
        .iter()
        .map(|t| {
            t["assignments"]
                .as_array()
                .expect("assignments")
                .iter()
                .map(|a| {
                    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
                    (text(&a["department"]["id"]), text(&a["department"]["kind"]), text(&a["role"]))
                })
                .collect()
        })
        .collect()
}

fn groups(data: &Value) -> Vec<Value> {
    data["taskStats"].as_array().cloned().unwrap_or_default()
}

on_each_backend! {
    async fn a_role_filter_grouped_by_department_gives_that_roles_departments(app) {
        let all = assignments(&app).await;
        for role in ["LEAD", "RESPONSIBLE"] {
            let q = format!(
                "{{ taskStats(filter: {{role: {role}}}, groupBy: [DEPARTMENT]) {{ department {{ id }} taskCount assignmentCount }} }}"
            );
            let stats = groups(&app.data(&q).await);
            let expected: usize = all.iter().map(|t| t.iter().filter(|a| a.2 == role).count()).sum();
            let summed: i64 = stats.iter().map(|g| g["assignmentCount"].as_i64().unwrap_or(0)).sum();
            assert_eq!(summed as usize, expected, "[{}] {role}: the {role} assignments, no others", app.backend_name);
            for g in &stats {
                let id = g["department"]["id"].as_str().expect("a department");
                let holds: usize = all.iter().filter(|t| t.iter().any(|a| a.0 == id && a.2 == role)).count();
                assert_eq!(g["taskCount"].as_i64(), Some(holds as i64), "[{}] {role} tasks of {id}", app.backend_name);
            }
        }
        // The Tianjin list: 148 lead assignments.
        let q = "{ taskStats(filter: {role: LEAD}, groupBy: [DEPARTMENT]) { assignmentCount } }";
        let summed: i64 = groups(&app.data(q).await).iter().map(|g| g["assignmentCount"].as_i64().unwrap_or(0)).sum();
        assert_eq!(summed, 148, "[{}]", app.backend_name);
    }
}

on_each_backend! {
    async fn a_department_filter_grouped_by_role_or_kind_counts_that_departments_assignments(app) {
        let all = assignments(&app).await;
        let name = "市发展改革委";
        let id = app.department_id(name).await;
        let q = format!("{{ taskStats(filter: {{departmentName: \"{name}\"}}, groupBy: [ROLE]) {{ role taskCount assignmentCount }} }}");
        let stats = groups(&app.data(&q).await);
        for g in &stats {
            let role = g["role"].as_str().expect("a role");
            let holds = all.iter().filter(|t| t.iter().any(|a| a.0 == id && a.2 == role)).count();
            assert_eq!(g["taskCount"].as_i64(), Some(holds as i64), "[{}] {role}", app.backend_name);
        }
        let total: i64 = stats.iter().map(|g| g["assignmentCount"].as_i64().unwrap_or(0)).sum();
        let mine = all.iter().flatten().filter(|a| a.0 == id).count();
        assert_eq!(total as usize, mine, "[{}] only {name}'s assignments", app.backend_name);

        let q = "{ taskStats(filter: {role: RESPONSIBLE}, groupBy: [KIND, ROLE]) { kind role assignmentCount } }";
        let stats = groups(&app.data(q).await);
        assert!(stats.iter().all(|g| g["role"] == "RESPONSIBLE"), "[{}] {stats:?}", app.backend_name);
        for g in &stats {
            let kind = g["kind"].as_str().expect("a kind");
            let n = all.iter().flatten().filter(|a| a.1 == kind && a.2 == "RESPONSIBLE").count();
            assert_eq!(g["assignmentCount"].as_i64(), Some(n as i64), "[{}] {kind}", app.backend_name);
        }
    }
}

on_each_backend! {
    async fn conditions_under_or_choose_tasks_and_every_assignment_of_them_counts(app) {
        let all = assignments(&app).await;
        // `or` chooses tasks (led by someone, or co-led): every assignment of them is counted.
        let q = "{ taskStats(filter: {or: [{role: LEAD}, {coLed: true}]}, groupBy: [ROLE]) { role assignmentCount } }";
        let stats = groups(&app.data(q).await);
        let chosen: Vec<_> = all.iter().filter(|t| t.iter().any(|a| a.2 == "LEAD")).collect();
        for g in &stats {
            let role = g["role"].as_str().expect("a role");
            let n = chosen.iter().map(|t| t.iter().filter(|a| a.2 == role).count()).sum::<usize>();
            assert_eq!(g["assignmentCount"].as_i64(), Some(n as i64), "[{}] {role}", app.backend_name);
        }
        // Grouped by category only, a role filter chooses tasks as before.
        let q = "{ taskStats(filter: {role: LEAD}) { taskCount assignmentCount } }";
        let total = groups(&app.data(q).await);
        assert_eq!(total[0]["taskCount"].as_i64(), Some(chosen.len() as i64), "[{}]", app.backend_name);
    }
}
