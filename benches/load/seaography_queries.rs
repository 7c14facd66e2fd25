//! The varied mode's query texts for the second peer, Seaography 2 (2.0.0-rc.9, over entities from
//! `sea-orm-cli generate entity --seaography`; served by `scripts/seaography-peer.sh`): one per op
//! that PostGraphile v5 has a text for (`PEER_*` in `varied_queries.rs`), asking for the same
//! information with the same variables. Ids are GraphQL `Int` here, so the bodies carry them as JSON
//! numbers (`json!({ "id": k[0] })`), not as the strings PostGraphile's `BigInt` takes.
//!
//! How Seaography 2 names things (generated schema: default `BuilderContext`, features
//! `field-camel-case` + `schema-meta`, no `field-pluralize`), from the seaography source:
//! - root field per entity: the table name in lowerCamelCase, never pluralised, always a connection
//!   (`task`, `reportingPeriod`); no single-row field by id without `field-pluralize`, so one row is
//!   `filters: {id: {eq: $id}}` (src/query/entity_query_field.rs, src/utilities.rs `pluralize_unique`);
//! - columns: the column name in lowerCamelCase (`lead_count` → `leadCount`; src/outputs/entity_object.rs);
//! - relations: the `RelatedEntity` variant, which sea-orm-codegen names after the *other table*
//!   (`period_id` → `reportingPeriod`, not `period`), in lowerCamelCase, singular even when has-many
//!   (sea-orm-macros derives/related_entity.rs, sea-orm-codegen entity/relation.rs `get_enum_name`,
//!   src/query/entity_object_relation.rs). belongs-to is the object; has-many a connection taking
//!   `filters`, `orderBy`, `pagination` (no `having`), paged in memory after loading every row;
//! - root arguments: `filters` (`{col: {eq ne gt gte lt lte is_in is_not_in is_null contains
//!   starts_with ends_with like not_like between …}}`, `and`/`or`/`not`), `having` (one level of
//!   relation filter: `{relation: <Related>FilterInput}` → `EXISTS (…)`, the "some" of
//!   connection-filter), `orderBy: {col: ASC|DESC}` (applied in column declaration order, not
//!   input order), `pagination: {offset: {limit, offset}} | {page: {limit, page}} | {cursor: …}`
//!   (src/inputs/{filter_input,having_input,order_input,pagination_input,offset_input}.rs,
//!   src/query/having.rs, src/builder_context/filter_types_map.rs);
//! - types: every integer column, i64 ids included, is `Int` and filters with `IntegerFilterInput`
//!   (`eq: Int`); `varchar`/`text` are `String` with `StringFilterInput` (has `contains`, `like`);
//!   dates and timestamps are `String` (src/builder_context/types_map.rs, filter_types_map.rs);
//! - connection: `nodes`, `edges`, `pageInfo {hasPreviousPage hasNextPage startCursor endCursor}`,
//!   `paginationInfo {pages current offset total}`; `total` is the count (PostGraphile's
//!   `totalCount`; offset pagination runs a `COUNT(*)`) (src/outputs/connection_object.rs,
//!   src/query/pagination.rs).

/// The task page: one task by id with everything linked. Differs from qingdan's: by row id, not
/// global id (like the peer); `leadCount` and `firstSubmittedAt` stand for `isCoLed` and `isLate`;
/// the period is `reportingPeriod` (named after its table).
pub const SEA_TASK_PAGE: &str = r#"query TaskPage($id: Int!) {
  task(filters: {id: {eq: $id}}) { nodes { id number content leadCount
  category { number name } document { region year title issuer }
  assignment(orderBy: {id: ASC}) { nodes { role position department { id name kind } } }
  indicator(orderBy: {id: ASC}) { nodes { targetValue unit comparator phrase } }
  report(orderBy: {id: ASC}) { nodes { revision status progressPercent summary submittedAt firstSubmittedAt
    department { name } reportingPeriod { quarter label dueOn }
    reportRevision(orderBy: {id: ASC}) { nodes { revision status progressPercent submittedAt } } } } } } }"#;

/// A bureau dashboard: the department, and its first `$first` assignments in task order with their
/// tasks. Differs from qingdan's as the peer's does (no workload by role, no co-leaders; leads and
/// responsible units as every assignment with its role), and is two root fields, not one: nested
/// under `department`, `assignment` would load all the bureau's assignments and page them in memory
/// (`apply_memory_pagination`), while at the root it pages in SQL. Ordered by `taskId` alone (a
/// tie-breaking `id` would be applied first: order follows column declaration).
pub const SEA_DASHBOARD: &str = r#"query Dashboard($dept: Int!, $first: Int!) {
  department(filters: {id: {eq: $dept}}) { nodes { name kind } }
  assignment(filters: {departmentId: {eq: $dept}}, orderBy: {taskId: ASC},
      pagination: {offset: {limit: $first, offset: 0}}) {
    paginationInfo { total } pageInfo { hasNextPage endCursor }
    nodes { task { id number content category { name }
      assignment(orderBy: {id: ASC}) { nodes { role department { name } } }
      report(orderBy: {id: ASC}) { nodes { revision status progressPercent submittedAt } } } } } }"#;

/// Co-led tasks a bureau leads, first `$first`: `having` is the relation filter ("some assignment
/// of this bureau as lead"), `leadCount >= 2` stands for qingdan's `coLed`, and the leads are the
/// task's `LEAD` assignments by position (as the peer's).
pub const SEA_CO_LED: &str = r#"query CoLed($dept: Int!, $first: Int!) {
  task(filters: {leadCount: {gte: 2}}, having: {assignment: {departmentId: {eq: $dept}, role: {eq: "LEAD"}}},
      orderBy: {id: ASC}, pagination: {offset: {limit: $first, offset: 0}}) {
    paginationInfo { total } nodes { id number content category { number name }
      assignment(filters: {role: {eq: "LEAD"}}, orderBy: {position: ASC}) { nodes { department { name } } } } } }"#;

/// A page of tasks of one category whose content holds a term: the category number through
/// `having` on the `category` relation, the term with `contains` (`LIKE '%term%'`, as the peer's
/// `includes`; qingdan's `search` has no counterpart beyond that).
pub const SEA_TASK_LIST: &str = r#"query TaskList($category: Int!, $search: String!, $first: Int!) {
  task(filters: {content: {contains: $search}}, having: {category: {number: {eq: $category}}},
      orderBy: {id: ASC}, pagination: {offset: {limit: $first, offset: 0}}) {
    paginationInfo { total } pageInfo { hasNextPage endCursor } nodes { id number content category { name }
      assignment(filters: {role: {eq: "LEAD"}}, orderBy: {position: ASC}) { nodes { department { name } } } } } }"#;

/// The per-department figures of one document, as rows the client must group: every assignment
/// on the document's tasks with its department and the task's `leadCount` (count per
/// `departmentId` = the peer's `tasks`, those with `leadCount >= 2` = its `coLed`). Neither GROUP BY
/// nor counts per related row exist, `having` reaches one relation deep (department → assignment
/// → task is two) and nested connections take no `having`, so the peer's shape (first `$first`
/// departments, two counts each) cannot be asked for. `$first` is therefore not declared (the
/// harness may still send it: undeclared variables are ignored); the answer holds every
/// assignment of the document, not `$first` groups.
pub const SEA_STATS: &str = r#"query Stats($doc: Int!) {
  assignment(having: {task: {documentId: {eq: $doc}}}, orderBy: {departmentId: ASC}) {
    paginationInfo { total } nodes { departmentId department { name } task { leadCount } } } }"#;

// reporting_day: the dashboards again (`SEA_DASHBOARD`), read while writers revise reports
// through qingdan, as beside PostGraphile.

// overdue, lights, board: no text, as for PostGraphile: obligations, their state and lights, and
// the board's assessment are computed by qingdan and are not in any table Seaography can read.
