//! Tasks, their assignments and indicators, the task filter and the task queries.

use async_graphql::{Context, Enum, ID, InputObject, Object};
use entity::{assignment, indicator, task};

use super::connection::{PageArgs, connection};
use super::context::{list, required, state};
use super::department::{Department, Role};
use super::document::{Category, Document};
use super::ids::{self, NodeType};
use crate::error::ApiError;
use crate::service::list::TaskScope;
use crate::service::supervision::progress;
use crate::service::task_filter::{DepartmentRef, TaskPredicate};

/// How deep `and`/`or`/`not` may nest in one filter.
pub const MAX_FILTER_DEPTH: usize = 5;

/// A numbered task (主要内容) of a document.
pub struct Task(pub task::Model);

impl Task {
    /// The task row `id` points at, from the request's list.
    pub async fn of(ctx: &Context<'_>, id: i64) -> async_graphql::Result<Self> {
        required(list(ctx).await?.task(id), "task", id).map(Self)
    }
}

impl Task {
    async fn departments(&self, ctx: &Context<'_>, role: entity::Role) -> async_graphql::Result<Vec<Department>> {
        let list = list(ctx).await?;
        Ok(list.departments_of(self.0.id, role).into_iter().cloned().map(Department).collect())
    }
}

/// A numbered task (主要内容) of a document.
#[Object]
impl Task {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Task, self.0.id)
    }
    /// Number within its document (序号).
    async fn number(&self) -> i32 {
        self.0.number
    }
    /// The task text.
    async fn content(&self) -> &str {
        &self.0.content
    }
    /// Its key-task category.
    async fn category(&self, ctx: &Context<'_>) -> async_graphql::Result<Category> {
        required(list(ctx).await?.category(self.0.category_id), "category", self.0.category_id).map(Category)
    }
    /// The document it belongs to.
    async fn document(&self, ctx: &Context<'_>) -> async_graphql::Result<Document> {
        required(list(ctx).await?.document(self.0.document_id), "document", self.0.document_id).map(Document)
    }
    /// Lead departments (牵头部门) in source order.
    async fn leads(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Department>> {
        self.departments(ctx, entity::Role::Lead).await
    }
    /// Responsible units (责任单位) in source order.
    async fn responsible_units(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Department>> {
        self.departments(ctx, entity::Role::Responsible).await
    }
    /// Every assignment: leads first, then responsible units, each in source order.
    async fn assignments(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Assignment>> {
        Ok(list(ctx).await?.assignments_of(self.0.id).iter().cloned().map(Assignment).collect())
    }
    /// The deadline (完成时限); null when the list has no deadline column or the cell is empty.
    async fn deadline(&self) -> Option<super::task_source::TaskDeadline> {
        super::task_source::deadline(&self.0)
    }
    /// The source's other columns (责任领导, 预期目标, 备注 …), labelled as in its header, in order.
    async fn columns(&self) -> Vec<super::task_source::SourceColumn> {
        super::task_source::columns(&self.0)
    }
    /// Two or more lead departments.
    async fn is_co_led(&self) -> bool {
        self.0.lead_count >= 2
    }
    /// Reports on this task (token holders only), optionally for one period, by department.
    async fn reports(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only reports for this period.")] period_id: Option<ID>,
    ) -> async_graphql::Result<Vec<super::report::Report>> {
        super::context::require_reader(ctx)?;
        let period = period_id.map(|p| ids::decode(&p, NodeType::ReportingPeriod)).transpose()?;
        let of_period = |r: &std::sync::Arc<entity::report::Model>| period.is_none_or(|p| p == r.period_id);
        if ctx.look_ahead().field("revisions").exists() {
            let key = super::loaders::ReportsWithRevisionsOfTask(self.0.id);
            let rows = super::context::load(ctx, key).await?.unwrap_or_default();
            return Ok(rows
                .iter()
                .filter(|r| of_period(&r.0))
                .cloned()
                .map(super::report::Report::with_revisions)
                .collect());
        }
        let rows = super::context::load(ctx, super::loaders::ReportsOfTask(self.0.id)).await?.unwrap_or_default();
        Ok(rows.iter().filter(|r| of_period(r)).cloned().map(super::report::Report::new).collect())
    }
    /// The worst warning light of its obligations for a period (token holders only), judged at
    /// the end of `asOf` (default: now).
    async fn light(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The reporting period.")] period_id: ID,
        #[graphql(desc = "Judge at the end of this day (Asia/Shanghai); default: now.")] as_of: Option<
            super::scalars::Date,
        >,
    ) -> async_graphql::Result<super::supervision::Light> {
        let args = super::obligation::ObligationArgs { task_id: Some(self.0.id), ..Default::default() };
        let query = super::obligation::obligation_query(ctx, &period_id, as_of, args).await?;
        if query.period.document_id != self.0.document_id {
            return Err(ApiError::bad_input("the reporting period belongs to another document than the task").into());
        }
        let all = super::obligation::all_obligations(ctx, &query).await?;
        Ok(crate::service::obligations::worst_light(&all, &query).into())
    }
    /// The day it was closed (销号), when a closure was approved: it owes no report for periods
    /// due after that day, and stays in every view.
    async fn closed_on(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<super::scalars::Date>> {
        let rows = super::closure::of_task(ctx, self.0.id).await?;
        Ok(crate::service::supervision::closures::closed_days(rows.iter().map(|c| &**c))
            .get(&self.0.id)
            .map(|d| (*d).into()))
    }
    /// The day a version removed it from the list (null while it is in the list): it owes no
    /// report for periods due from that day on, and is listed only with `includeRemoved`.
    async fn removed_on(&self) -> Option<super::scalars::Date> {
        self.0.removed_on.map(Into::into)
    }
    /// What the document's versions changed in it, oldest first.
    async fn changes(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<super::version::TaskChange>> {
        super::version::changes_of(ctx, self.0.id).await
    }
    /// Requests to close it and their decisions, oldest first (token holders only).
    async fn closures(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<super::closure::Closure>> {
        super::context::require_reader(ctx)?;
        Ok(super::closure::of_task(ctx, self.0.id).await?.iter().cloned().map(super::closure::Closure).collect())
    }
    /// Its audit trail: submissions, reviews, extensions and notices on it, oldest first (token
    /// holders only).
    async fn history(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<super::audit::Event>> {
        super::audit::history(ctx, super::loaders::EventsOfTask(self.0.id)).await
    }
    /// Quantitative targets found in the text.
    async fn indicators(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Indicator>> {
        Ok(list(ctx).await?.indicators_of(self.0.id).iter().cloned().map(Indicator).collect())
    }
}

/// A department's place in a task.
pub struct Assignment(pub assignment::Model);

/// A department's place in a task.
#[Object]
impl Assignment {
    /// The department.
    async fn department(&self, ctx: &Context<'_>) -> async_graphql::Result<Department> {
        Department::of(ctx, self.0.department_id).await
    }
    /// LEAD or RESPONSIBLE.
    async fn role(&self) -> Role {
        self.0.role.into()
    }
    /// 0-based position in the source cell of its role.
    async fn position(&self) -> i32 {
        self.0.position
    }
}

/// How a target compares with the value reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum Comparator {
    /// The value must reach the target (达到, 突破, 超过, 以上).
    AtLeast,
    /// The value must stay within the target.
    AtMost,
    /// The target is an exact count (新增 50 家).
    Exactly,
}

/// A quantitative target found in a task's text.
pub struct Indicator(pub indicator::Model);

/// A quantitative target found in a task's text.
#[Object]
impl Indicator {
    /// Global id; reports give indicator values by it.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Indicator, self.0.id)
    }
    /// The task it belongs to.
    async fn task(&self, ctx: &Context<'_>) -> async_graphql::Result<Task> {
        Task::of(ctx, self.0.task_id).await
    }
    /// Target value (超过6 万个 → 60000).
    async fn target_value(&self) -> f64 {
        self.0.target_value
    }
    /// Counting unit (家, 个, 件 …).
    async fn unit(&self) -> &str {
        &self.0.unit
    }
    /// How the target compares.
    async fn comparator(&self) -> Comparator {
        match self.0.comparator.as_str() {
            "AT_MOST" => Comparator::AtMost,
            "EXACTLY" => Comparator::Exactly,
            _ => Comparator::AtLeast,
        }
    }
    /// The phrase it was read from ("突破11000 家").
    async fn phrase(&self) -> &str {
        &self.0.phrase
    }
    /// The sentence around it.
    async fn sentence(&self) -> &str {
        &self.0.sentence
    }
    /// The value most recently reported for it (token holders only).
    async fn latest_value(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<f64>> {
        Ok(self.reported(ctx).await?.last().map(|v| v.value))
    }
    /// How far the latest value is toward the target, in percent (0-100; comparator-aware: at
    /// least grows toward it, at most is 100 within it, exactly falls by the share it misses).
    async fn progress_percent(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<f64>> {
        let latest = self.reported(ctx).await?.last().map(|v| v.value);
        Ok(latest.map(|v| progress::progress_percent(&self.0.comparator, self.0.target_value, v)))
    }
    /// Every value reported for it, oldest submission first (token holders only).
    async fn values(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only values reported for this period.")] period_id: Option<ID>,
    ) -> async_graphql::Result<Vec<IndicatorReading>> {
        let period = period_id.map(|p| ids::decode(&p, NodeType::ReportingPeriod)).transpose()?;
        Ok(self
            .reported(ctx)
            .await?
            .into_iter()
            .filter(|v| period.is_none_or(|p| p == v.period_id))
            .map(IndicatorReading)
            .collect())
    }
}

impl Indicator {
    /// The values reported for it, from its task's reports (one batch for every task of a level).
    async fn reported(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<progress::ReportedValue>> {
        super::context::require_reader(ctx)?;
        let reports = super::context::load(ctx, super::loaders::ReportsOfTask(self.0.task_id)).await?;
        Ok(progress::values_of(self.0.id, &reports.unwrap_or_default()))
    }
}

/// A value reported for an indicator.
pub struct IndicatorReading(progress::ReportedValue);

/// A value reported for an indicator.
#[Object]
impl IndicatorReading {
    /// The value.
    async fn value(&self) -> f64 {
        self.0.value
    }
    /// The period it was reported for.
    async fn period(&self, ctx: &Context<'_>) -> async_graphql::Result<super::period::ReportingPeriod> {
        super::period::ReportingPeriod::of(ctx, self.0.period_id).await
    }
    /// The reporting department.
    async fn department(&self, ctx: &Context<'_>) -> async_graphql::Result<Department> {
        Department::of(ctx, self.0.department_id).await
    }
    /// When the report that carries it was submitted (its latest revision).
    async fn submitted_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.submitted_at
    }
}

/// Conditions on tasks; all given fields must hold.
#[derive(Debug, Clone, Default, InputObject)]
pub struct TaskFilter {
    /// Tasks of this document.
    pub document_id: Option<ID>,
    /// Tasks of the category with this number.
    pub category_number: Option<i32>,
    /// Tasks this department is assigned to (in `role`, when given).
    pub department_id: Option<ID>,
    /// Like `departmentId`, by name (in every region that has the name).
    pub department_name: Option<String>,
    /// The role the department holds; alone: tasks having an assignment of this role.
    pub role: Option<Role>,
    /// Tasks with two or more leads (true) or fewer (false).
    pub co_led: Option<bool>,
    /// Every whitespace-separated term occurs in the task text.
    pub search: Option<String>,
    /// Tasks with (true) or without (false) quantitative targets.
    pub has_indicators: Option<bool>,
    /// All of these hold.
    pub and: Option<Vec<TaskFilter>>,
    /// At least one of these holds.
    pub or: Option<Vec<TaskFilter>>,
    /// This does not hold.
    pub not: Option<Box<TaskFilter>>,
    /// List the tasks versions removed too (default false: the list as in force now). Read at
    /// the top level only.
    pub include_removed: Option<bool>,
}

impl TaskFilter {
    /// Validates into a predicate: ids decoded, nesting bounded.
    pub fn to_predicate(&self, depth: usize) -> Result<TaskPredicate, ApiError> {
        if depth > MAX_FILTER_DEPTH {
            return Err(ApiError::LimitExceeded(format!(
                "filter nesting limit exceeded: and/or/not may nest at most {MAX_FILTER_DEPTH} deep"
            )));
        }
        let mut all = Vec::new();
        if let Some(id) = &self.document_id {
            all.push(TaskPredicate::Document(ids::decode(id, NodeType::Document)?));
        }
        if let Some(n) = self.category_number {
            all.push(TaskPredicate::CategoryNumber(n));
        }
        let role = self.role.map(entity::Role::from);
        let mut department = None;
        if let Some(id) = &self.department_id {
            department = Some(DepartmentRef::Id(ids::decode(id, NodeType::Department)?));
        }
        if let Some(name) = &self.department_name {
            if department.is_some() {
                return Err(ApiError::bad_input("pass departmentId or departmentName, not both"));
            }
            department = Some(DepartmentRef::Name(name.trim().to_owned()));
        }
        match (department, role) {
            (Some(department), role) => all.push(TaskPredicate::Department { department, role }),
            (None, Some(role)) => all.push(TaskPredicate::HasRole(role)),
            (None, None) => {}
        }
        if let Some(c) = self.co_led {
            all.push(TaskPredicate::CoLed(c));
        }
        if let Some(s) = &self.search {
            if s.chars().count() > 200 {
                return Err(ApiError::bad_input("search is limited to 200 characters"));
            }
            all.push(TaskPredicate::Search(s.clone()));
        }
        if let Some(h) = self.has_indicators {
            all.push(TaskPredicate::HasIndicators(h));
        }
        if let Some(list) = &self.and {
            all.push(TaskPredicate::And(list.iter().map(|f| f.to_predicate(depth + 1)).collect::<Result<_, _>>()?));
        }
        if let Some(list) = &self.or {
            all.push(TaskPredicate::Or(list.iter().map(|f| f.to_predicate(depth + 1)).collect::<Result<_, _>>()?));
        }
        if let Some(inner) = &self.not {
            all.push(TaskPredicate::Not(Box::new(inner.to_predicate(depth + 1)?)));
        }
        Ok(if all.len() == 1 { all.remove(0) } else { TaskPredicate::And(all) })
    }
}

/// Order of a task listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum TaskOrder {
    /// Document, then task number, ascending (the default).
    NumberAsc,
    /// Document, then task number, descending.
    NumberDesc,
}

/// The count behind a task connection (counted only when asked for).
pub enum TaskCount {
    /// Tasks matching a filter, and whether removed ones count.
    Filtered(Option<TaskPredicate>, bool),
    /// A category's or department's tasks, co-led or not.
    Scoped(TaskScope, Option<bool>),
}

impl TaskCount {
    pub async fn total(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        let list = list(ctx).await?;
        Ok(match self {
            Self::Filtered(p, removed) => list.tasks_count(p.as_ref(), *removed),
            Self::Scoped(scope, co_led) => list.scoped_count(*scope, *co_led),
        })
    }
}

/// A page of a category's or department's tasks.
pub async fn scoped_tasks(
    ctx: &Context<'_>,
    scope: TaskScope,
    co_led: Option<bool>,
    page: PageArgs,
) -> async_graphql::Result<TaskConnection> {
    let page = page.request(state(ctx)?.limits.max_page_size, false)?;
    let rows = list(ctx).await?.scoped_page(scope, co_led, page);
    Ok(TaskConnection { page: rows, count: TaskCount::Scoped(scope, co_led) })
}

connection!(TaskConnection, TaskEdge, Task, task::Model, Task, |t: &task::Model| t.id, TaskCount, "tasks");

/// Queries on tasks.
#[derive(Default)]
pub struct TaskQuery;

/// Queries on tasks.
#[Object]
impl TaskQuery {
    /// Tasks matching `filter`, a page at a time.
    async fn tasks(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Conditions the tasks meet.")] filter: Option<TaskFilter>,
        #[graphql(desc = "Order; default NUMBER_ASC.")] order_by: Option<Vec<TaskOrder>>,
        #[graphql(desc = "Rows from the start (default 100, at most 500).")] first: Option<i32>,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
        #[graphql(desc = "Rows from the end.")] last: Option<i32>,
        #[graphql(desc = "End before this cursor.")] before: Option<String>,
    ) -> async_graphql::Result<TaskConnection> {
        let s = state(ctx)?;
        let descending = order_by.unwrap_or_default().first() == Some(&TaskOrder::NumberDesc);
        let page = PageArgs::new(first, after, last, before).request(s.limits.max_page_size, descending)?;
        let removed = filter.as_ref().and_then(|f| f.include_removed).unwrap_or(false);
        let predicate = filter.map(|f| f.to_predicate(0)).transpose()?;
        let list = list(ctx).await?;
        known_names(&list, predicate.as_ref())?;
        let rows = list.tasks_page(predicate.as_ref(), removed, page);
        Ok(TaskConnection { page: rows, count: TaskCount::Filtered(predicate, removed) })
    }

    /// One task, by global id or by number. A number without `documentId` is of the latest
    /// document (by year, then date of issue) of the caller's region, or of all when the caller
    /// has none: with one document loaded, that one.
    async fn task(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id.")] id: Option<ID>,
        #[graphql(desc = "Number within the document.")] number: Option<i32>,
        #[graphql(desc = "Document of `number`; default: the latest of the caller's region, or of all.")]
        document_id: Option<ID>,
    ) -> async_graphql::Result<Option<Task>> {
        let list = list(ctx).await?;
        let (row, what) = match (id, number) {
            (Some(id), None) => {
                let row = list.task(ids::decode(&id, NodeType::Task)?).cloned();
                (row, format!("no task with id \"{}\"", ids::truncate(id.as_str())))
            }
            (None, Some(n)) => {
                let doc = match document_id {
                    Some(d) => ids::decode(&d, NodeType::Document)?,
                    None => list.default_document_id(super::context::caller_region(ctx, &list))?,
                };
                (list.task_by_number(doc, n).cloned(), format!("no task number {n} in the document"))
            }
            _ => return Err(ApiError::bad_input("pass either id or number").into()),
        };
        row.map(Task).map(Some).ok_or_else(|| ApiError::not_found(what).into())
    }
}

/// NOT_FOUND for a department name in `predicate` that no loaded department has.
pub fn known_names(
    list: &crate::service::list::ListSnapshot,
    predicate: Option<&TaskPredicate>,
) -> async_graphql::Result<()> {
    match predicate.and_then(|p| list.unknown_department_name(p)) {
        Some(name) => Err(ApiError::not_found(format!("no department named \"{}\"", ids::truncate(name))).into()),
        None => Ok(()),
    }
}
