//! The views users ask for, with expected values read from the bundled document by hand.

use serde_json::Value;

use crate::on_each_backend;

/// Task numbers of a connection's `nodes`.
fn numbers(connection: &Value) -> Vec<i64> {
    let nodes = connection["nodes"].as_array().expect("a connection with nodes");
    nodes.iter().map(|n| n["number"].as_i64().expect("a task number")).collect()
}

/// `name` of every element of a list.
fn names(list: &Value) -> Vec<String> {
    let list = list.as_array().expect("a list");
    list.iter().map(|d| d["name"].as_str().expect("a name").to_owned()).collect()
}

on_each_backend! {
    async fn co_led_items_of_a_bureau_come_in_task_order_with_all_leads(app) {
        let data = app
            .data(r#"{ tasks(filter: {departmentName: "市政务服务办", role: LEAD, coLed: true}) {
                totalCount nodes { id number isCoLed leads { id name kind } } } }"#)
            .await;
        let tasks = &data["tasks"];
        assert_eq!(tasks["totalCount"], 5, "[{}]", app.backend_name);
        assert_eq!(numbers(tasks), [6, 8, 9, 10, 13], "[{}]", app.backend_name);
        let leads: Vec<Vec<String>> =
            tasks["nodes"].as_array().expect("nodes").iter().map(|t| names(&t["leads"])).collect();
        assert_eq!(
            leads,
            [
                vec!["市政务服务办", "市委网信办", "市大数据管理中心"],
                vec!["市委网信办", "市政务服务办", "市大数据管理中心"],
                vec!["市政务服务办", "市委网信办", "市公安局", "市大数据管理中心"],
                vec!["市委网信办", "市政务服务办"],
                vec!["市政务服务办", "市委网信办", "市大数据管理中心"],
            ],
            "[{}] leads in source order",
            app.backend_name
        );
        insta::assert_json_snapshot!("co_led_items_of_the_government_services_office", data, {".**.id" => "[id]"});
    }
}

on_each_backend! {
    async fn the_department_view_of_co_led_items_matches_the_task_filter(app) {
        let by_filter = app
            .data(r#"{ tasks(filter: {departmentName: "市政务服务办", role: LEAD, coLed: true}) {
                totalCount nodes { number leads { name } } } }"#)
            .await;
        let by_department = app
            .data(r#"{ department(name: "市政务服务办") { name kind
                tasks(role: LEAD, coLed: true) { totalCount nodes { number leads { name } } } } }"#)
            .await;
        assert_eq!(by_department["department"]["kind"], "GOVERNMENT_AGENCY");
        assert_eq!(by_department["department"]["tasks"], by_filter["tasks"], "[{}]", app.backend_name);
    }
}

on_each_backend! {
    async fn co_leaders_of_the_development_and_reform_commission_come_with_their_shared_tasks(app) {
        let data = app
            .data(r#"{ department(name: "市发展改革委") {
                coLeaders { department { id name kind } taskCount tasks { number } } } }"#)
            .await;
        let co = data["department"]["coLeaders"].as_array().expect("coLeaders");
        let got: Vec<(String, i64, Vec<i64>)> = co
            .iter()
            .map(|c| {
                let tasks = c["tasks"].as_array().expect("tasks").iter().map(|t| t["number"].as_i64().expect("n"));
                (c["department"]["name"].as_str().expect("name").to_owned(), c["taskCount"].as_i64().expect("count"), tasks.collect())
            })
            .collect();
        assert_eq!(
            got,
            [("市住房城乡建设委".to_owned(), 3, vec![4, 56, 57]), ("滨海新区人民政府".to_owned(), 1, vec![71])],
            "[{}] most shared tasks first",
            app.backend_name
        );
        insta::assert_json_snapshot!("co_leaders_of_the_development_and_reform_commission", data, {".**.id" => "[id]"});
    }
}

on_each_backend! {
    async fn workloads_count_sole_and_shared_leads_and_responsibilities(app) {
        // (lead, soleLead, coLead, responsible, total), counted in the document.
        let expected = [
            ("市发展改革委", [15, 11, 4, 10, 25]),
            ("市政务服务办", [13, 8, 5, 7, 20]),
            ("市委网信办", [8, 3, 5, 5, 13]),
        ];
        for (name, counts) in expected {
            let q = format!(
                r#"{{ department(name: "{name}") {{ workload {{ lead soleLead coLead responsible total }}
                    leads: tasks(role: LEAD) {{ totalCount }} responsible: tasks(role: RESPONSIBLE) {{ totalCount }}
                    all: tasks {{ totalCount }} }} }}"#
            );
            let d = &app.data(&q).await["department"];
            let w = &d["workload"];
            let got = ["lead", "soleLead", "coLead", "responsible", "total"].map(|k| w[k].as_i64().expect("count"));
            assert_eq!(got, counts, "[{}] workload of {name}", app.backend_name);
            assert_eq!(got[0], got[1] + got[2], "[{}] lead = soleLead + coLead for {name}", app.backend_name);
            assert_eq!(d["leads"]["totalCount"], w["lead"], "[{}] {name}", app.backend_name);
            assert_eq!(d["responsible"]["totalCount"], w["responsible"], "[{}] {name}", app.backend_name);
            assert_eq!(d["all"]["totalCount"], w["total"], "[{}] {name}", app.backend_name);
        }
    }
}

on_each_backend! {
    async fn categories_come_in_number_order_and_list_their_tasks(app) {
        let data = app.data("{ categories { number name tasks { totalCount nodes { number } } } }").await;
        let categories = data["categories"].as_array().expect("categories");
        let got: Vec<(i64, &str)> =
            categories.iter().map(|c| (c["number"].as_i64().expect("n"), c["name"].as_str().expect("name"))).collect();
        let expected = [
            "优化企业开办服务", "提高项目开工建设效率", "提升政务服务水平", "提高不动产登记效率",
            "完善市场监管机制", "加强劳动力市场监管", "优化纳税服务", "提升企业获得电力服务",
            "提高获得用水用气效率", "提升跨境贸易便利度", "提升企业融资便利度", "深化政府采购和招标投标改革",
            "提升创新创业活跃度", "着力培育和发展数字经济", "持续提升市场开放度", "深入推进法治化营商环境",
            "完善信用体系建设", "加强知识产权创造、保护和运用", "提高合同执行率", "加大对中小投资者保护力度",
            "提高办理企业破产便利度", "加大人才引育力度", "提高公共服务群众满意度", "持续加强生态环境保护",
            "提升城市综合立体交通便利度",
        ];
        let expected: Vec<(i64, &str)> = (1..).zip(expected).collect();
        assert_eq!(got, expected, "[{}]", app.backend_name);
        let thirteen = &categories[12]["tasks"];
        assert_eq!(numbers(thirteen), (60..=68).collect::<Vec<_>>(), "[{}] category 13", app.backend_name);
        assert_eq!(thirteen["totalCount"], 9);
        let sum: i64 = categories.iter().map(|c| c["tasks"]["totalCount"].as_i64().expect("count")).sum();
        assert_eq!(sum, 129, "[{}] every task in one category", app.backend_name);
    }
}

on_each_backend! {
    async fn filters_combine_with_and_or_and_not(app) {
        let tasks = |filter: &'static str| {
            let app = &app;
            async move { app.data(&format!("{{ tasks(filter: {filter}) {{ totalCount nodes {{ number }} }} }}")).await["tasks"].clone() }
        };
        let either = tasks("{or: [{categoryNumber: 1}, {categoryNumber: 2}]}").await;
        assert_eq!(numbers(&either), [1, 2, 3, 4, 5, 6, 7], "[{}] or", app.backend_name);
        let both = tasks(r#"{and: [{departmentName: "市发展改革委", role: LEAD}, {departmentName: "市住房城乡建设委", role: LEAD}]}"#).await;
        assert_eq!(numbers(&both), [4, 56, 57], "[{}] and", app.backend_name);
        let responsible = tasks(r#"{departmentName: "市发展改革委", role: RESPONSIBLE}"#).await;
        assert_eq!(numbers(&responsible), [5, 6, 39, 40, 58, 59, 76, 127, 128, 129], "[{}]", app.backend_name);
        let elsewhere = tasks(r#"{not: {departmentName: "市发展改革委"}}"#).await;
        assert_eq!(elsewhere["totalCount"], 129 - 25, "[{}] not", app.backend_name);

        let co_led = tasks("{coLed: true}").await;
        assert_eq!(numbers(&co_led), [4, 6, 8, 9, 10, 13, 35, 36, 49, 50, 56, 57, 71, 73, 101, 129], "[{}]", app.backend_name);
        let not_co_led = tasks("{not: {coLed: true}}").await;
        let total = co_led["totalCount"].as_i64().expect("n") + not_co_led["totalCount"].as_i64().expect("n");
        assert_eq!(total, 129, "[{}] coLed and not coLed add up", app.backend_name);
        assert_eq!(tasks("{coLed: false}").await["totalCount"], not_co_led["totalCount"]);

        let with = numbers(&tasks("{categoryNumber: 13, hasIndicators: true}").await);
        let without = numbers(&tasks("{categoryNumber: 13, hasIndicators: false}").await);
        assert_eq!(with.len() + without.len(), 9, "[{}] category 13 splits in two", app.backend_name);
        for n in [61, 67, 68] {
            assert!(with.contains(&n), "[{}] task {n} has a target: {with:?}", app.backend_name);
        }
        for n in [60, 62, 64, 65] {
            assert!(without.contains(&n), "[{}] task {n} has no number: {without:?}", app.backend_name);
        }
        let no_lead = tasks("{not: {role: LEAD}}").await;
        assert_eq!(numbers(&no_lead), [83, 84, 87], "[{}] tasks without a lead department", app.backend_name);
    }
}

on_each_backend! {
    async fn search_requires_every_term_and_takes_wildcards_literally(app) {
        let search = |text: &'static str| {
            let app = &app;
            async move {
                let q = "query($s: String) { tasks(filter: {search: $s}) { totalCount nodes { number } } }";
                let resp = app.query_with(q, serde_json::json!({ "s": text })).await;
                assert!(resp.get("errors").is_none(), "[{}] {resp:#}", app.backend_name);
                numbers(&resp["data"]["tasks"])
            }
        };
        assert_eq!(search("双随机").await, [23, 24, 25], "[{}]", app.backend_name);
        // The second term is on the next page of the source, after the page header.
        assert_eq!(search("双随机 量化考核").await, [25], "[{}]", app.backend_name);
        assert_eq!(search("  量化考核   双随机 ").await, [25], "[{}]", app.backend_name);
        // "105" / "00 家" is one number once the line break is removed.
        assert_eq!(search("10500").await, [67], "[{}]", app.backend_name);
        for literal in ["%", "_", "津心%", "津_办", "\\"] {
            assert_eq!(search(literal).await, Vec::<i64>::new(), "[{}] {literal:?} is not a wildcard", app.backend_name);
        }
        assert_eq!(search("火星基地").await, Vec::<i64>::new(), "[{}]", app.backend_name);
        assert_eq!(search("' OR 1=1 --").await, Vec::<i64>::new(), "[{}]", app.backend_name);
    }
}

/// `taskStats` groups of a query that must succeed.
async fn stat_groups(app: &crate::support::TestApp, query: &str) -> Vec<Value> {
    app.data(query).await["taskStats"].as_array().expect("groups").clone()
}

on_each_backend! {
    async fn task_stats_by_category_cover_every_task_largest_first(app) {
        let q = "{ taskStats(groupBy: [CATEGORY]) { category { number } role taskCount coLedTaskCount assignmentCount } }";
        let by_category = stat_groups(&app, q).await;
        assert_eq!(by_category.len(), 25, "[{}]", app.backend_name);
        let counts: Vec<i64> = by_category.iter().map(|g| g["taskCount"].as_i64().expect("n")).collect();
        assert_eq!(counts.iter().sum::<i64>(), 129, "[{}]", app.backend_name);
        assert!(counts.windows(2).all(|w| w[0] >= w[1]), "[{}] largest first: {counts:?}", app.backend_name);
        let head: Vec<(i64, i64, i64)> = by_category[..3]
            .iter()
            .map(|g| (g["category"]["number"].as_i64().expect("n"), g["taskCount"].as_i64().expect("n"), g["coLedTaskCount"].as_i64().expect("n")))
            .collect();
        assert_eq!(head, [(11, 14, 2), (23, 12, 0), (3, 10, 4)], "[{}]", app.backend_name);
        assert!(by_category.iter().all(|g| g["role"].is_null() && g["assignmentCount"] == 0));
    }
}

on_each_backend! {
    async fn task_stats_first_keeps_the_largest_groups_and_is_bounded(app) {
        let all = stat_groups(&app, "{ taskStats(groupBy: [CATEGORY]) { category { number } taskCount } }").await;
        let top = stat_groups(&app, "{ taskStats(groupBy: [CATEGORY], first: 3) { category { number } taskCount } }").await;
        assert_eq!(top, all[..3], "[{}] the three largest, in order", app.backend_name);
        let none = stat_groups(&app, "{ taskStats(groupBy: [CATEGORY], first: 0) { taskCount } }").await;
        assert!(none.is_empty(), "[{}]", app.backend_name);
        for (first, code) in [(-1, "BAD_USER_INPUT"), (10_001, "LIMIT_EXCEEDED")] {
            let resp = app.query(&format!("{{ taskStats(groupBy: [DEPARTMENT], first: {first}) {{ taskCount }} }}")).await;
            assert_eq!(resp["errors"][0]["extensions"]["code"], code, "[{}] first: {first}: {resp:#}", app.backend_name);
        }
    }
}

on_each_backend! {
    async fn task_stats_without_group_by_give_one_total_row(app) {
        let q = "{ taskStats { category { number } department { name } role kind taskCount coLedTaskCount } }";
        let total = stat_groups(&app, q).await;
        assert_eq!(total.len(), 1, "[{}] one row without groupBy", app.backend_name);
        assert_eq!(total[0]["taskCount"], 129);
        assert_eq!(total[0]["coLedTaskCount"], 16);
        for key in ["category", "department", "role", "kind"] {
            assert!(total[0][key].is_null(), "[{}] {key} is not a key: {:#}", app.backend_name, total[0]);
        }
    }
}

on_each_backend! {
    async fn task_stats_by_role_department_and_kind_count_assignments(app) {
        let q = "{ taskStats(groupBy: [ROLE]) { role category { number } taskCount coLedTaskCount assignmentCount } }";
        let by_role = stat_groups(&app, q).await;
        let roles: Vec<(&str, i64, i64)> = by_role
            .iter()
            .map(|g| (g["role"].as_str().expect("role"), g["taskCount"].as_i64().expect("n"), g["coLedTaskCount"].as_i64().expect("n")))
            .collect();
        assert_eq!(roles, [("LEAD", 126, 16), ("RESPONSIBLE", 76, 12)], "[{}]", app.backend_name);
        assert_eq!(by_role[0]["assignmentCount"], 148, "[{}] lead assignments", app.backend_name);
        assert!(by_role[0]["category"].is_null());

        let q = "{ taskStats(filter: {categoryNumber: 13}, groupBy: [DEPARTMENT]) { department { name } taskCount } }";
        let departments: Vec<(String, i64)> = stat_groups(&app, q)
            .await
            .iter()
            .map(|g| (g["department"]["name"].as_str().expect("name").to_owned(), g["taskCount"].as_i64().expect("n")))
            .collect();
        let expected = [("市工业和信息化局", 5), ("市科技局", 3), ("市发展改革委", 1)].map(|(n, c)| (n.to_owned(), c));
        assert_eq!(departments, expected, "[{}]", app.backend_name);

        let by_kind = stat_groups(&app, "{ taskStats(groupBy: [KIND]) { kind taskCount } }").await;
        let kind = |k: &str| by_kind.iter().find(|g| g["kind"] == k).map(|g| g["taskCount"].as_i64().expect("n"));
        assert_eq!(kind("COLLECTIVE"), Some(39), "[{}] tasks naming a collective", app.backend_name);
        assert_eq!(kind("JUDICIAL_ORGAN"), Some(6), "[{}] tasks of 市高级人民法院", app.backend_name);
        assert_eq!(kind("VERTICAL_AGENCY"), Some(26), "[{}]", app.backend_name);
    }
}

on_each_backend! {
    async fn node_finds_every_kind_of_object_by_its_id(app) {
        let ids = app
            .data(r#"{ task(number: 67) { id } department(name: "市科技局") { id } categories { id }
                documents { id } reportingPeriods { id } }"#)
            .await;
        let cases = [
            (&ids["task"]["id"], "Task", "number", serde_json::json!(67)),
            (&ids["department"]["id"], "Department", "name", serde_json::json!("市科技局")),
            (&ids["categories"][12]["id"], "Category", "number", serde_json::json!(13)),
            (&ids["documents"][0]["id"], "Document", "region", serde_json::json!("天津")),
            (&ids["reportingPeriods"][1]["id"], "ReportingPeriod", "quarter", serde_json::json!(2)),
        ];
        for (id, typename, field, value) in cases {
            let q = "query($id: ID!) { node(id: $id) { __typename id
                ... on Task { number } ... on Department { name } ... on Category { number }
                ... on Document { region } ... on ReportingPeriod { quarter } } }";
            let resp = app.query_with(q, serde_json::json!({ "id": id })).await;
            assert!(resp.get("errors").is_none(), "[{}] {resp:#}", app.backend_name);
            let node = &resp["data"]["node"];
            assert_eq!(node["__typename"], typename, "[{}]", app.backend_name);
            assert_eq!(&node["id"], id, "[{}] the id round-trips", app.backend_name);
            assert_eq!(node[field], value, "[{}] {typename}", app.backend_name);
        }
    }
}

on_each_backend! {
    async fn indicators_read_targets_with_split_numbers_and_ten_thousands(app) {
        let q = "query($n: Int) { task(number: $n) { indicators { targetValue unit comparator phrase sentence } } }";
        let indicators = |n: i64| {
            let app = &app;
            async move {
                let resp = app.query_with(q, serde_json::json!({ "n": n })).await;
                assert!(resp.get("errors").is_none(), "[{}] {resp:#}", app.backend_name);
                resp["data"]["task"]["indicators"].as_array().expect("indicators").clone()
            }
        };
        let of_67 = indicators(67).await;
        let high_tech = of_67.iter().find(|i| i["targetValue"] == 11000.0).expect("突破11000 家 is a target");
        assert_eq!(high_tech["unit"], "家");
        assert_eq!(high_tech["comparator"], "AT_LEAST");
        assert!(high_tech["phrase"].as_str().expect("phrase").contains("突破11000"), "{high_tech:#}");
        assert!(high_tech["sentence"].as_str().expect("sentence").contains("国家高新技术企业"), "{high_tech:#}");
        assert!(of_67.iter().any(|i| i["targetValue"] == 10500.0 && i["unit"] == "家"), "[{}] {of_67:#?}", app.backend_name);

        let of_69 = indicators(69).await;
        assert_eq!(of_69.len(), 1, "[{}] 5G is not a target: {of_69:#?}", app.backend_name);
        assert_eq!(of_69[0]["targetValue"], 60000.0);
        assert_eq!(of_69[0]["unit"], "个");
        assert_eq!(of_69[0]["comparator"], "AT_LEAST");
        assert!(of_69[0]["phrase"].as_str().expect("phrase").contains("超过6 万个"), "{:#}", of_69[0]);
    }
}

on_each_backend! {
    async fn departments_filter_by_collective_and_by_kind_in_order_of_appearance(app) {
        let list = |filter: &'static str| {
            let app = &app;
            async move {
                let d = app.data(&format!("{{ departments(filter: {filter}) {{ totalCount nodes {{ name isCollective kind }} }} }}")).await;
                d["departments"].clone()
            }
        };
        let collectives = list("{isCollective: true}").await;
        assert_eq!(
            names(&collectives["nodes"]),
            [
                "市工程建设项目审批制度改革试点工作领导小组有关成员单位", "市级有关单位", "各区人民政府",
                "有关区人民政府", "市“双随机、一公开”监管联席会议有关成员单位",
                "市地方征信平台建设工作领导小组有关成员单位", "海河产业基金管委会有关成员单位",
                "滨海产业发展基金管委会有关成员单位", "各有关行业主管（监管）单位", "市委人才工作领导小组有关成员单位",
            ],
            "[{}]",
            app.backend_name
        );
        assert!(collectives["nodes"].as_array().expect("nodes").iter().all(|d| d["kind"] == "COLLECTIVE"));
        let others = list("{isCollective: false}").await;
        assert_eq!(others["totalCount"].as_i64().expect("n") + collectives["totalCount"].as_i64().expect("n"), 62);

        let vertical = list("{kind: VERTICAL_AGENCY}").await;
        assert_eq!(
            names(&vertical["nodes"]),
            ["市税务局", "人民银行天津分行", "天津海事局", "天津银保监局", "天津海关", "天津证监局", "市通信管理局"],
            "[{}]",
            app.backend_name
        );
        assert!(vertical["nodes"].as_array().expect("nodes").iter().all(|d| d["isCollective"] == false));
    }
}

on_each_backend! {
    async fn the_document_and_its_reporting_periods_come_from_the_notice(app) {
        let data = app
            .data("{ documents { region year title issuer issuedOn }
                reportingPeriods { year quarter label startsOn endsOn dueOn document { year } } }")
            .await;
        assert_eq!(
            data["documents"],
            serde_json::json!([{ "region": "天津", "year": 2023, "title": "天津市2023年优化营商环境责任清单",
                "issuer": "天津市政务服务办", "issuedOn": "2023-01-06" }]),
            "[{}]",
            app.backend_name
        );
        let periods = data["reportingPeriods"].as_array().expect("periods");
        let got: Vec<[&str; 4]> = periods
            .iter()
            .map(|p| ["label", "startsOn", "endsOn", "dueOn"].map(|k| p[k].as_str().expect("text")))
            .collect();
        assert_eq!(
            got,
            [
                ["一季度", "2023-01-01", "2023-03-31", "2023-04-10"],
                ["二季度（半年）", "2023-04-01", "2023-06-30", "2023-07-10"],
                ["三季度", "2023-07-01", "2023-09-30", "2023-10-10"],
                ["四季度（全年）", "2023-10-01", "2023-12-31", "2024-01-10"],
            ],
            "[{}]",
            app.backend_name
        );
        let quarters: Vec<i64> = periods.iter().map(|p| p["quarter"].as_i64().expect("q")).collect();
        assert_eq!(quarters, [1, 2, 3, 4]);
        assert!(periods.iter().all(|p| p["year"] == 2023 && p["document"]["year"] == 2023));
    }
}
