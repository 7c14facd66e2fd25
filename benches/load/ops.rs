//! The canonical operations: realistic client requests, as GraphQL bodies. Their hand-written
//! SQL floors are in `floor.rs`, the peer's closest queries in `peer_queries.rs`.

use std::sync::Arc;

use serde_json::json;

use crate::params::{Params, global_id};

/// A canonical operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// Co-led items of the busiest bureau, with all leads and categories.
    CoLed,
    /// A bureau dashboard: workload, co-leaders, first 50 tasks with category, leads,
    /// responsible units and reports (the client shows the latest).
    Dashboard,
    /// One task page with everything linked, by global id.
    TaskPage,
    /// A page of 100 tasks with a category filter and a text search, then the next page
    /// (requests alternate between the two pages).
    TaskList,
    /// `taskStats` grouped by department over one document.
    StatsDoc,
    /// `taskStats` grouped by department over all documents: the `STATS_ALL_TOP` largest groups.
    StatsAll,
    /// Overdue obligations of one period, first 100, with totalCount.
    Overdue,
    /// `submitReport`: a new revision of an existing report, a different one per request.
    SubmitReport,
}

impl Op {
    pub const ALL: [Op; 8] = [
        Op::CoLed,
        Op::Dashboard,
        Op::TaskPage,
        Op::TaskList,
        Op::StatsDoc,
        Op::StatsAll,
        Op::Overdue,
        Op::SubmitReport,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Op::CoLed => "co_led",
            Op::Dashboard => "dashboard",
            Op::TaskPage => "task_page",
            Op::TaskList => "task_list",
            Op::StatsDoc => "stats_doc",
            Op::StatsAll => "stats_all",
            Op::Overdue => "overdue",
            Op::SubmitReport => "submit_report",
        }
    }

    pub fn parse(name: &str) -> Option<Op> {
        Op::ALL.into_iter().find(|op| op.name() == name.trim())
    }
}

/// Groups `stats_all` asks for: the nation's busiest departments (all 24,800 would be a
/// download, not a page).
pub const STATS_ALL_TOP: i64 = 100;

/// Makes the body of request `seq` of an operation.
pub type Body = Arc<dyn Fn(u64) -> String + Send + Sync>;

fn fixed(query: &str, variables: serde_json::Value) -> Body {
    let body = json!({ "query": query, "variables": variables }).to_string();
    Arc::new(move |_| body.clone())
}

const CO_LED: &str = "query CoLed($dept: ID!) {
  tasks(filter: {departmentId: $dept, role: LEAD, coLed: true}, first: 100) {
    totalCount
    nodes { id number content category { number name } leads { name } }
  }
}";

const DASHBOARD: &str = "query Dashboard($dept: ID!) {
  department(id: $dept) {
    name kind
    workload { lead soleLead coLead responsible total }
    coLeaders { department { name } taskCount }
    tasks(first: 50) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes {
        id number content
        category { name }
        leads { name }
        responsibleUnits { name }
        reports { revision status progressPercent submittedAt }
      }
    }
  }
}";

const TASK_PAGE: &str = "query TaskPage($id: ID!) {
  node(id: $id) {
    id
    ... on Task {
      number content isCoLed
      category { number name }
      document { region year title issuer }
      assignments { role position department { id name kind } }
      indicators { targetValue unit comparator phrase }
      reports {
        revision status progressPercent summary submittedAt isLate
        department { name }
        period { quarter label dueOn }
        revisions { revision status progressPercent submittedAt }
      }
    }
  }
}";

pub const TASK_LIST: &str = "query TaskList($category: Int!, $search: String!, $after: String) {
  tasks(filter: {categoryNumber: $category, search: $search}, first: 100, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { id number content category { name } leads { name } }
  }
}";

const STATS: &str = "query Stats($filter: TaskFilter, $first: Int) {
  taskStats(filter: $filter, groupBy: [DEPARTMENT], first: $first) {
    department { name }
    taskCount coLedTaskCount assignmentCount
  }
}";

const OVERDUE: &str = "query Overdue($period: ID!) {
  obligations(periodId: $period, state: OVERDUE, first: 100) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { state task { id number content } department { name } }
  }
}";

const SUBMIT: &str = "mutation Submit($input: SubmitReportInput!) {
  submitReport(input: $input) { report { id revision status submittedAt } }
}";

/// Variables of the task list's first page.
pub fn task_list_variables(p: &Params, after: Option<&str>) -> serde_json::Value {
    json!({ "category": p.category_number, "search": p.search, "after": after })
}

/// The GraphQL body maker of `op`; `page2_cursor` is the task list's first `endCursor`.
pub fn graphql_body(op: Op, p: &Params, page2_cursor: Option<&str>) -> Body {
    let dept = global_id("Department", p.department_id);
    match op {
        Op::CoLed => fixed(CO_LED, json!({ "dept": dept })),
        Op::Dashboard => fixed(DASHBOARD, json!({ "dept": dept })),
        Op::TaskPage => fixed(TASK_PAGE, json!({ "id": global_id("Task", p.task_id) })),
        Op::TaskList => {
            let pages = [
                json!({ "query": TASK_LIST, "variables": task_list_variables(p, None) }).to_string(),
                json!({ "query": TASK_LIST, "variables": task_list_variables(p, page2_cursor) }).to_string(),
            ];
            Arc::new(move |seq| pages[(seq % 2) as usize].clone())
        }
        Op::StatsDoc => fixed(STATS, json!({ "filter": { "documentId": global_id("Document", p.document_id) } })),
        Op::StatsAll => fixed(STATS, json!({ "filter": null, "first": STATS_ALL_TOP })),
        Op::Overdue => fixed(OVERDUE, json!({ "period": global_id("ReportingPeriod", p.period_id) })),
        Op::SubmitReport => {
            let writes = p.writes.clone();
            Arc::new(move |seq| {
                let (task, dept, period) = writes[(seq % writes.len() as u64) as usize];
                let input = json!({
                    "taskId": global_id("Task", task),
                    "departmentId": global_id("Department", dept),
                    "periodId": global_id("ReportingPeriod", period),
                    "status": "ON_TRACK",
                    "progressPercent": (seq % 101) as i64,
                    "summary": format!("负载测试第{seq}次填报"),
                });
                json!({ "query": SUBMIT, "variables": { "input": input } }).to_string()
            })
        }
    }
}
