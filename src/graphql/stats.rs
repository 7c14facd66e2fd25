//! `taskStats`: task counts grouped by category, department, role and/or kind.

use async_graphql::{Context, Enum, Object};

use super::context::{list, required};
use super::department::{Department, DepartmentKind, Role};
use super::document::Category;
use super::task::TaskFilter;
use crate::error::ApiError;
use crate::service::list::{StatDimension, StatRow};

/// Most groups one `taskStats` answers: a bound on the work and the memory of one request.
const MAX_GROUPS: u64 = 10_000;

/// A dimension to group task counts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum TaskStatsGroupBy {
    /// By key-task category.
    Category,
    /// By assigned department.
    Department,
    /// By assignment role.
    Role,
    /// By kind of the assigned department.
    Kind,
}

/// One group of `taskStats`: the keys it was grouped by (the others are null) and its counts.
pub struct TaskStatGroup(StatRow);

/// One group of `taskStats`: the keys it was grouped by (the others are null) and its counts.
#[Object]
impl TaskStatGroup {
    /// The category, when grouped by CATEGORY.
    async fn category(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Category>> {
        match self.0.category_id {
            Some(id) => required(list(ctx).await?.category(id), "category", id).map(|c| Some(Category(c))),
            None => Ok(None),
        }
    }
    /// The department, when grouped by DEPARTMENT.
    async fn department(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Department>> {
        match self.0.department_id {
            Some(id) => required(list(ctx).await?.department(id), "department", id).map(|d| Some(Department(d))),
            None => Ok(None),
        }
    }
    /// The role, when grouped by ROLE.
    async fn role(&self) -> Option<Role> {
        self.0.role.map(Into::into)
    }
    /// The department kind, when grouped by KIND.
    async fn kind(&self) -> Option<DepartmentKind> {
        self.0.kind.map(Into::into)
    }
    /// Distinct tasks in the group.
    async fn task_count(&self) -> i64 {
        self.0.task_count
    }
    /// Distinct co-led tasks in the group.
    async fn co_led_task_count(&self) -> i64 {
        self.0.co_led_task_count
    }
    /// Assignments in the group (0 when grouped by category only).
    async fn assignment_count(&self) -> i64 {
        self.0.assignment_count
    }
}

/// Aggregate queries.
#[derive(Default)]
pub struct StatsQuery;

/// Aggregate queries.
#[Object]
impl StatsQuery {
    /// Counts of the tasks matching `filter`, grouped by the given dimensions (none: one
    /// total), largest groups first. Grouped by DEPARTMENT, ROLE or KIND, the groups are made
    /// of the assignments the filter asks for: `taskStats(filter: {role: LEAD}, groupBy:
    /// [DEPARTMENT])` gives each lead department with the tasks it leads, and a `departmentName`
    /// or `departmentId` counts that department's assignments only (conditions under `or` and
    /// `not` choose tasks, and every assignment of those counts). Without `first`, every group,
    /// as long as there are at most 10,000 (more is LIMIT_EXCEEDED: ask for the `first`
    /// largest).
    async fn task_stats(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Conditions the counted tasks meet.")] filter: Option<TaskFilter>,
        #[graphql(desc = "Dimensions to group by.", default)] group_by: Vec<TaskStatsGroupBy>,
        #[graphql(desc = "Only the largest groups, at most 10,000.")] first: Option<i32>,
    ) -> async_graphql::Result<Vec<TaskStatGroup>> {
        let limit = match first {
            Some(n) if n < 0 => return Err(ApiError::bad_input(format!("first must not be negative (got {n})")).into()),
            Some(n) if n as u64 > MAX_GROUPS => {
                return Err(ApiError::LimitExceeded(format!(
                    "taskStats returns at most {MAX_GROUPS} groups (first: {n}); ask for fewer"
                ))
                .into());
            }
            Some(n) => n as u64,
            // One more than allowed tells whether the groups fit.
            None => MAX_GROUPS + 1,
        };
        let predicate = filter.map(|f| f.to_predicate(0)).transpose()?;
        let dims: Vec<StatDimension> = group_by
            .iter()
            .map(|g| match g {
                TaskStatsGroupBy::Category => StatDimension::Category,
                TaskStatsGroupBy::Department => StatDimension::Department,
                TaskStatsGroupBy::Role => StatDimension::Role,
                TaskStatsGroupBy::Kind => StatDimension::Kind,
            })
            .collect();
        let list = list(ctx).await?;
        super::task::known_names(&list, predicate.as_ref())?;
        let rows = list.task_stats(predicate.as_ref(), &dims, limit);
        if first.is_none() && rows.len() as u64 > MAX_GROUPS {
            return Err(ApiError::LimitExceeded(format!(
                "taskStats has more than {MAX_GROUPS} groups here; pass first (at most {MAX_GROUPS}) for the largest"
            ))
            .into());
        }
        Ok(rows.into_iter().map(TaskStatGroup).collect())
    }
}
