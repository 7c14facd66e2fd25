//! The query texts of the varied mode, exactly those of `benches/varied/varied.py`: qingdan's and
//! PostGraphile v5's (`task(rowId:)`, `orderBy: ROW_ID_ASC`, relation filters of
//! postgraphile-plugin-connection-filter). Not the repeated mode's texts (`ops.rs`, whose peer
//! queries are PostGraphile v4's).

/// One task page with everything linked, by global id.
pub const TASK_PAGE: &str = r#"query TaskPage($id: ID!) { node(id: $id) { id ... on Task { number content isCoLed
  category { number name } document { region year title issuer }
  assignments { role position department { id name kind } } indicators { targetValue unit comparator phrase }
  reports { revision status progressPercent summary submittedAt isLate department { name }
    period { quarter label dueOn } revisions { revision status progressPercent submittedAt } } } } }"#;

/// The same task page: every relation is a foreign key.
pub const PEER_TASK_PAGE: &str = r#"query TaskPage($id: BigInt!) { task(rowId: $id) { rowId number content leadCount
  category { number name } document { region year title issuer }
  assignments(orderBy: ROW_ID_ASC) { nodes { role position department { rowId name kind } } }
  indicators(orderBy: ROW_ID_ASC) { nodes { targetValue unit comparator phrase } }
  reports(orderBy: ROW_ID_ASC) { nodes { revision status progressPercent summary submittedAt firstSubmittedAt
    department { name } period { quarter label dueOn }
    reportRevisions(orderBy: ROW_ID_ASC) { nodes { revision status progressPercent submittedAt } } } } } }"#;

/// A bureau dashboard with its first `$first` tasks (20–80).
pub const DASHBOARD: &str = r#"query Dashboard($dept: ID!, $first: Int!) { department(id: $dept) { name kind
  workload { lead soleLead coLead responsible total } coLeaders { department { name } taskCount }
  tasks(first: $first) { totalCount pageInfo { hasNextPage endCursor } nodes { id number content category { name }
    leads { name } responsibleUnits { name } reports { revision status progressPercent submittedAt } } } } }"#;

/// The dashboard through the department's assignments, in task order: no workload by role, no co-leaders.
pub const PEER_DASHBOARD: &str = r#"query Dashboard($dept: BigInt!, $first: Int!) { department(rowId: $dept) { name kind
  assignments(first: $first, orderBy: TASK_ID_ASC) { totalCount pageInfo { hasNextPage endCursor }
    nodes { task { rowId number content category { name }
      assignments(orderBy: ROW_ID_ASC) { nodes { role department { name } } }
      reports(orderBy: ROW_ID_ASC) { nodes { revision status progressPercent submittedAt } } } } } } }"#;

/// Co-led tasks a bureau leads, first `$first` (1–100).
pub const CO_LED: &str = r#"query CoLed($dept: ID!, $first: Int!) {
  tasks(filter: {departmentId: $dept, role: LEAD, coLed: true}, first: $first) {
    totalCount nodes { id number content category { number name } leads { name } } } }"#;

/// Co-led tasks a bureau leads, through a relation filter on its assignments.
pub const PEER_CO_LED: &str = r#"query CoLed($dept: BigInt!, $first: Int!) {
  tasks(first: $first, orderBy: ROW_ID_ASC, filter: {leadCount: {greaterThanOrEqualTo: 2},
      assignments: {some: {departmentId: {equalTo: $dept}, role: {equalTo: "LEAD"}}}}) {
    totalCount nodes { rowId number content category { number name }
      assignments(filter: {role: {equalTo: "LEAD"}}, orderBy: POSITION_ASC) { nodes { department { name } } } } } }"#;

/// A page of tasks of one category whose content holds a search term.
pub const TASK_LIST: &str = r#"query TaskList($category: Int!, $search: String!, $first: Int!) {
  tasks(filter: {categoryNumber: $category, search: $search}, first: $first) {
    totalCount pageInfo { hasNextPage endCursor } nodes { id number content category { name } leads { name } } } }"#;

/// The same page: the category through its relation, the term with `includes`.
pub const PEER_TASK_LIST: &str = r#"query TaskList($category: Int!, $search: String!, $first: Int!) {
  tasks(first: $first, orderBy: ROW_ID_ASC, filter: {category: {number: {equalTo: $category}}, content: {includes: $search}}) {
    totalCount pageInfo { hasNextPage endCursor } nodes { rowId number content category { name }
      assignments(filter: {role: {equalTo: "LEAD"}}, orderBy: POSITION_ASC) { nodes { department { name } } } } } }"#;

/// `taskStats` by department over one document, first `$first` groups.
pub const STATS: &str = r#"query Stats($doc: ID!, $first: Int!) { taskStats(filter: {documentId: $doc}, groupBy: [DEPARTMENT], first: $first) {
  department { name } taskCount coLedTaskCount assignmentCount } }"#;

/// The same figures without GROUP BY: two counts per department.
pub const PEER_STATS: &str = r#"query Stats($doc: BigInt!, $first: Int!) {
  departments(first: $first, orderBy: ROW_ID_ASC, filter: {assignments: {some: {task: {documentId: {equalTo: $doc}}}}}) {
    nodes { name tasks: assignments(filter: {task: {documentId: {equalTo: $doc}}}) { totalCount }
      coLed: assignments(filter: {task: {documentId: {equalTo: $doc}, leadCount: {greaterThanOrEqualTo: 2}}}) { totalCount } } } }"#;

/// Overdue obligations of one period (qingdan only: no such join in the peer).
pub const OVERDUE: &str = r#"query Overdue($period: ID!, $first: Int!) { obligations(periodId: $period, state: OVERDUE, first: $first) {
  totalCount pageInfo { hasNextPage endCursor } nodes { state task { id number content } department { name } } } }"#;

/// One department's obligations of one period with their lights on a day (qingdan only).
pub const LIGHTS: &str = r#"query Lights($period: ID!, $dept: ID!, $asOf: Date!) {
  obligations(periodId: $period, departmentId: $dept, asOf: $asOf, first: 100) {
    totalCount nodes { state light dueOn task { number content } report { progressPercent review { state } }
      notices { level } } }
  obligationSummary(periodId: $period, departmentId: $dept, asOf: $asOf) { total green blue yellow red } }"#;

/// The writers' mutation: a new revision of an existing report.
pub const SUBMIT: &str =
    r#"mutation Submit($input: SubmitReportInput!) { submitReport(input: $input) { report { id revision } } }"#;

/// The supervision board's first screen: its own `BoardPeriod` operation, as the page sends it.
pub fn board_period() -> String {
    let operations: std::collections::HashMap<String, String> =
        serde_json::from_str(include_str!("../../assets/board/operations.json")).expect("the board's operations");
    operations.get("BoardPeriod").cloned().expect("BoardPeriod")
}
