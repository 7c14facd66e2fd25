//! Renamed departments (机构改革, SPEC §12): the former name stays an alias, so the API's name
//! lookups and filters, the CLI's and single sign-on's find the department by either name, and
//! its tasks, reports and tokens stay with it.

use entity::TokenRole;
use serde_json::json;

use crate::on_each_backend;
use crate::support::code;

const RENAME: &str = "mutation($i: RenameDepartmentInput!) { renameDepartment(input: $i) {
    department { id name region formerNames } } }";

on_each_backend! {
    async fn a_renamed_department_keeps_its_tasks_reports_and_tokens_and_answers_to_both_names(app) {
        let (admin, _) = app.token(TokenRole::Admin, None).await;
        let (reporter, _) = app.token(TokenRole::Reporter, Some("市税务局")).await;
        let id = app.department_id("市税务局").await;
        let input = json!({ "taskId": app.task_id(29).await, "periodId": app.period_id(1).await,
            "status": "ON_TRACK", "progressPercent": 30, "summary": "改革前报送" });
        assert!(app.submit(&reporter, input, "revision").await.get("errors").is_none());
        let count = |name: &str| format!("{{ tasks(filter: {{departmentName: \"{name}\"}}) {{ totalCount }} }}");
        let before = app.data(&count("市税务局")).await["tasks"]["totalCount"].clone();

        let renamed = app.query_as(&admin, RENAME, json!({ "i": {
            "departmentId": id, "name": "国家税务总局天津市税务局", "effectiveOn": "2023-06-01" } })).await;
        let d = &renamed["data"]["renameDepartment"]["department"];
        assert_eq!(d["id"], json!(id), "[{}] {renamed:#}", app.backend_name);
        assert_eq!(d["name"], "国家税务总局天津市税务局");
        assert_eq!(d["formerNames"], json!(["市税务局"]));

        for name in ["市税务局", "国家税务总局天津市税务局"] {
            let found = app.data(&format!("{{ department(name: \"{name}\") {{ id name }} }}")).await;
            assert_eq!(found["department"]["id"], json!(id), "[{}] by {name}", app.backend_name);
            assert_eq!(app.data(&count(name)).await["tasks"]["totalCount"], before, "[{}] {name}", app.backend_name);
        }
        let who = app.query_as(&reporter, "{ viewer { department { name } } task(number: 29) { reports { summary department { name } } } }", json!({})).await;
        assert_eq!(who["data"]["viewer"]["department"]["name"], "国家税务总局天津市税务局", "{who:#}");
        assert_eq!(who["data"]["task"]["reports"][0]["department"]["name"], "国家税务总局天津市税务局");
        assert_eq!(who["data"]["task"]["reports"][0]["summary"], "改革前报送");

        // The CLI and single sign-on name departments on the database: either name finds it.
        let by_old = qingdan::service::departments::find_by_name(app.state.primary(), "市税务局", Some("天津")).await;
        assert_eq!(by_old.expect("a lookup").map(|d| d.name).as_deref(), Some("国家税务总局天津市税务局"));
        let trail = app.query_as(&admin, "{ events(filter: {action: \"department.renamed\"}) { nodes { before after } } }", json!({})).await;
        assert_eq!(trail["data"]["events"]["nodes"].as_array().map(Vec::len), Some(1), "{trail:#}");
    }
}

on_each_backend! {
    async fn a_rename_is_refused_with_its_code_and_writes_nothing(app) {
        let (admin, _) = app.token(TokenRole::Admin, None).await;
        let (reporter, _) = app.token(TokenRole::Reporter, Some("市税务局")).await;
        let id = app.department_id("市税务局").await;
        let input = |name: &str| json!({ "i": { "departmentId": id, "name": name, "effectiveOn": "2023-06-01" } });
        assert_eq!(code(&app.query_with(RENAME, input("新名")).await), "UNAUTHENTICATED");
        assert_eq!(code(&app.query_as(&reporter, RENAME, input("新名")).await), "FORBIDDEN");
        assert_eq!(code(&app.query_as(&admin, RENAME, input("  ")).await), "BAD_USER_INPUT");
        assert_eq!(code(&app.query_as(&admin, RENAME, input("市税务局")).await), "BAD_USER_INPUT");
        let taken = app.query_as(&admin, RENAME, input("市商务局")).await;
        assert_eq!(code(&taken), "CONFLICT", "[{}] another department's name: {taken:#}", app.backend_name);
        let unknown = json!({ "i": { "departmentId": "RGVwYXJ0bWVudDo5OTk5OQ", "name": "新名", "effectiveOn": "2023-06-01" } });
        assert_eq!(code(&app.query_as(&admin, RENAME, unknown).await), "NOT_FOUND");
        let still = app.data("{ department(name: \"市税务局\") { name formerNames } }").await;
        assert_eq!(still["department"], json!({ "name": "市税务局", "formerNames": [] }), "[{}] nothing written", app.backend_name);
    }
}
