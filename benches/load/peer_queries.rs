//! The peer's closest equivalents: PostGraphile v4 as `../shared/tools/peer/postgraphile.sh`
//! runs it (pg-simplify-inflector, connection-filter with relation filters, `ignoreIndexes:
//! false`). Its schema was introspected (`{__schema{queryType{fields{name}}}}` and
//! `__type(name: "TaskFilter")` …): root `tasks`, `task(id: BigInt!)`, `department(id: BigInt!)` (BigInt travels as a string),
//! `departments`; backward relations `assignments`, `indicators`, `reports`, `reportRevisions`.
//!
//! What it cannot express, as configured. With `ignoreIndexes: false` a column is filterable,
//! orderable and usable in `condition` only when it leads some index, so `assignment.role`
//! (second in its index), `task.content` (no index) and `category.number` (second) are not
//! filterable; and it has no GROUP BY (no aggregates plugin) and no join that is not a foreign
//! key. Where a query is still the closest one, it is timed and marked; its rows are compared.

use serde_json::json;

use crate::ops::{Body, Op};
use crate::params::Params;

/// How faithfully the peer's query matches the operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Fidelity {
    /// The same rows.
    Same,
    /// The same figures, computed another way (counted per parent instead of grouped).
    Emulated,
    /// More rows than asked (a filter it cannot express is left to the client).
    Superset,
    /// Part of the view only.
    Partial,
    /// Not expressible: not timed.
    NotExpressible,
}

impl Fidelity {
    /// The peer's rows must equal qingdan's.
    pub fn same_rows(self) -> bool {
        matches!(self, Fidelity::Same | Fidelity::Emulated)
    }
}

pub struct PeerQuery {
    pub fidelity: Fidelity,
    pub note: &'static str,
    pub body: Option<Body>,
}

fn query(fidelity: Fidelity, note: &'static str, query: &'static str, variables: serde_json::Value) -> PeerQuery {
    let body = json!({ "query": query, "variables": variables }).to_string();
    PeerQuery { fidelity, note, body: Some(std::sync::Arc::new(move |_| body.clone())) }
}

fn none(note: &'static str) -> PeerQuery {
    PeerQuery { fidelity: Fidelity::NotExpressible, note, body: None }
}

/// Co-led tasks the bureau is assigned to. `role` is not filterable, so the tasks it is only a
/// responsible unit of come too, and every assignment instead of the leads alone.
const CO_LED: &str = "query CoLed($dept: BigInt!) {
  tasks(first: 100, orderBy: ID_ASC, filter: {
    leadCount: {greaterThanOrEqualTo: 2}
    assignments: {some: {departmentId: {equalTo: $dept}}}
  }) {
    totalCount
    nodes { id number content category { number name } assignments(orderBy: ID_ASC) { nodes { role department { name } } } }
  }
}";

/// The department with its first 50 tasks (through its assignments, in task order), every
/// assignment of each (leads and responsible units, split by the client) and their reports.
/// Workload by role (role not filterable) and co-leaders (a self-join of assignment) are absent.
const DASHBOARD: &str = "query Dashboard($dept: BigInt!) {
  department(id: $dept) {
    name kind
    assignments(first: 50, orderBy: TASK_ID_ASC) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes {
        task {
          id number content
          category { name }
          assignments(orderBy: ID_ASC) { nodes { role department { name } } }
          reports(orderBy: ID_ASC) { nodes { revision status progressPercent submittedAt } }
        }
      }
    }
  }
}";

/// The same task page: every relation is a foreign key.
const TASK_PAGE: &str = "query TaskPage($id: BigInt!) {
  task(id: $id) {
    id number content leadCount
    category { number name }
    document { region year title issuer }
    assignments(orderBy: ID_ASC) { nodes { role position department { id name kind } } }
    indicators(orderBy: ID_ASC) { nodes { targetValue unit comparator phrase } }
    reports(orderBy: ID_ASC) {
      nodes {
        revision status progressPercent summary submittedAt firstSubmittedAt
        department { name }
        period { quarter label dueOn }
        reportRevisions(orderBy: ID_ASC) { nodes { revision status progressPercent submittedAt } }
      }
    }
  }
}";

/// taskStats by department over one document, emulated: one count per department of its
/// assignments on the document's tasks (= its distinct tasks: a department holds one assignment
/// per task), and of those on co-led tasks. Not ordered by the counts (no aggregate ordering).
const STATS_DOC: &str = "query StatsDoc($doc: BigInt!) {
  departments(orderBy: ID_ASC, filter: {assignments: {some: {task: {documentId: {equalTo: $doc}}}}}) {
    nodes {
      name
      tasks: assignments(filter: {task: {documentId: {equalTo: $doc}}}) { totalCount }
      coLed: assignments(filter: {task: {documentId: {equalTo: $doc}, leadCount: {greaterThanOrEqualTo: 2}}}) { totalCount }
    }
  }
}";

/// The same emulation over all documents.
const STATS_ALL: &str = "query StatsAll {
  departments(orderBy: ID_ASC, filter: {assignmentsExist: true}) {
    nodes {
      name
      tasks: assignments { totalCount }
      coLed: assignments(filter: {task: {leadCount: {greaterThanOrEqualTo: 2}}}) { totalCount }
    }
  }
}";

/// The peer query of `op`, with how close it is.
pub fn peer_query(op: Op, p: &Params) -> PeerQuery {
    match op {
        Op::CoLed => query(
            Fidelity::Superset,
            "role is not filterable: tasks the bureau is only responsible for, and all assignments, come too",
            CO_LED,
            json!({ "dept": p.department_id.to_string() }),
        ),
        Op::Dashboard => query(
            Fidelity::Partial,
            "no workload by role (role not filterable), no co-leaders (self-join of assignment)",
            DASHBOARD,
            json!({ "dept": p.department_id.to_string() }),
        ),
        Op::TaskPage => query(Fidelity::Same, "", TASK_PAGE, json!({ "id": p.task_id.to_string() })),
        Op::TaskList => none("no text search: task.content has no index, so it is not filterable"),
        Op::StatsDoc => query(
            Fidelity::Emulated,
            "no GROUP BY: two counts per department, unordered",
            STATS_DOC,
            json!({ "doc": p.document_id.to_string() }),
        ),
        Op::StatsAll => query(
            Fidelity::Superset,
            "no GROUP BY: two counts per department, unordered, for every department (it cannot rank by a count to keep the 100 largest)",
            STATS_ALL,
            json!({}),
        ),
        Op::Overdue => none("obligation state needs report joined on (task, department, period): no such foreign key"),
        Op::SubmitReport => none("only generic row mutations: no revisions, no optimistic lock, no access rule"),
    }
}
