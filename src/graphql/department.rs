//! Departments: their tasks, co-leaders and workload, and the department queries.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use entity::department;

use super::connection::{PageArgs, connection};
use super::context::{list, state};
use super::ids::{self, NodeType};
use super::task::{Task, TaskConnection, scoped_tasks};
use crate::error::ApiError;
use crate::service::list::{DepartmentCriteria, TaskScope};

/// The part a department plays in a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "entity::Role")]
pub enum Role {
    /// Lead department (牵头部门).
    Lead,
    /// Responsible unit (责任单位).
    Responsible,
}

/// What kind of body a department is, derived from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "entity::DepartmentKind")]
pub enum DepartmentKind {
    /// A bureau, commission or office of the government (市…委/局/办).
    GovernmentAgency,
    /// An organ of the Party committee (市委…).
    PartyOrgan,
    /// A district's government (…区人民政府).
    DistrictGovernment,
    /// A central-government branch in the region (海关, 证监局, 人民银行分行 …).
    VerticalAgency,
    /// A state-owned enterprise (…集团, …公司, 机场).
    StateEnterprise,
    /// A court or procuratorate.
    JudicialOrgan,
    /// A placeholder for a group of units (市级有关单位, 各区人民政府): never reports.
    Collective,
}

/// A department, unique by region and name.
pub struct Department(pub department::Model);

impl Department {
    /// The department row `id` points at, from the request's list.
    pub async fn of(ctx: &Context<'_>, id: i64) -> async_graphql::Result<Self> {
        super::context::required(super::context::list(ctx).await?.department(id), "department", id).map(Self)
    }
}

/// A department, unique by region and name.
#[Object]
impl Department {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Department, self.0.id)
    }
    /// Name as in the source document.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Region it belongs to.
    async fn region(&self) -> &str {
        &self.0.region
    }
    /// Its former names (机构改革), oldest first: filters, imports and sign-ins find it by them.
    async fn former_names(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<String>> {
        Ok(list(ctx).await?.former_names(self.0.id).to_vec())
    }
    /// Kind, derived from the name.
    async fn kind(&self) -> DepartmentKind {
        self.0.kind.into()
    }
    /// A placeholder for a group of units: appears in views, never reports, never signs in.
    async fn is_collective(&self) -> bool {
        self.0.kind == entity::DepartmentKind::Collective
    }
    /// Tasks this department is assigned to, in task order.
    async fn tasks(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only tasks where it holds this role.")] role: Option<Role>,
        #[graphql(desc = "Only co-led (true) or not co-led (false) tasks.")] co_led: Option<bool>,
        #[graphql(desc = "Rows from the start (default 100, at most 500).")] first: Option<i32>,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
        #[graphql(desc = "Rows from the end.")] last: Option<i32>,
        #[graphql(desc = "End before this cursor.")] before: Option<String>,
    ) -> async_graphql::Result<TaskConnection> {
        let scope = TaskScope::Department { id: self.0.id, role: role.map(Into::into) };
        scoped_tasks(ctx, scope, co_led, PageArgs::new(first, after, last, before)).await
    }
    /// Departments that lead tasks together with this one, most shared tasks first.
    async fn co_leaders(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<CoLeader>> {
        let list = list(ctx).await?;
        Ok(list
            .co_leaders(self.0.id)
            .iter()
            .filter_map(|(d, tasks)| {
                list.department(*d).map(|dep| CoLeader {
                    department: Department(dep.clone()),
                    task_count: tasks.len() as i32,
                    task_ids: tasks.clone(),
                })
            })
            .collect())
    }
    /// Reports this department owes for a period (token holders only), with their states.
    async fn obligations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The reporting period.")] period_id: ID,
        #[graphql(desc = "Judge states at the end of this day (Asia/Shanghai); default: now.")] as_of: Option<
            super::scalars::Date,
        >,
        #[graphql(desc = "Only obligations in this state.")] state: Option<super::obligation::ObligationState>,
        #[graphql(desc = "Only obligations with this light.")] light: Option<super::supervision::Light>,
        #[graphql(desc = "Rows from the start (default 100, at most 500).")] first: Option<i32>,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
        #[graphql(desc = "Rows from the end.")] last: Option<i32>,
        #[graphql(desc = "End before this cursor.")] before: Option<String>,
    ) -> async_graphql::Result<super::obligation::ObligationConnection> {
        let args =
            super::obligation::ObligationArgs { department_id: Some(self.0.id), state, light, ..Default::default() };
        let query = super::obligation::obligation_query(ctx, &period_id, as_of, args).await?;
        super::obligation::obligation_connection(ctx, query, PageArgs::new(first, after, last, before)).await
    }
    /// Notices issued to this department, oldest first (token holders only).
    async fn notices(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<super::supervision::Notice>> {
        super::context::require_reader(ctx)?;
        let rows = super::context::load(ctx, super::loaders::NoticesOfDepartment(self.0.id)).await?.unwrap_or_default();
        Ok(rows.iter().cloned().map(super::supervision::Notice).collect())
    }
    /// Reports this department submitted (token holders only).
    async fn reports(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only reports for this period.")] period_id: Option<ID>,
        #[graphql(desc = "Rows from the start (default 100, at most 500).")] first: Option<i32>,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
        #[graphql(desc = "Rows from the end.")] last: Option<i32>,
        #[graphql(desc = "End before this cursor.")] before: Option<String>,
    ) -> async_graphql::Result<super::report::ReportConnection> {
        let period = period_id.map(|p| ids::decode(&p, NodeType::ReportingPeriod)).transpose()?;
        let key = super::loaders::ReportsOfDepartment(self.0.id);
        let page = PageArgs::new(first, after, last, before);
        super::report::reports_of(ctx, key, move |r| period.is_none_or(|p| r.period_id == p), page).await
    }
    /// How many tasks it leads and shares.
    async fn workload(&self, ctx: &Context<'_>) -> async_graphql::Result<Workload> {
        let w = list(ctx).await?.workload(self.0.id);
        Ok(Workload {
            lead: w.lead as i32,
            sole_lead: w.sole_lead as i32,
            co_lead: w.co_lead as i32,
            responsible: w.responsible as i32,
            total: w.total as i32,
        })
    }
}

/// A department that co-leads tasks with another.
pub struct CoLeader {
    department: Department,
    task_count: i32,
    task_ids: Vec<i64>,
}

/// A department that co-leads tasks with another.
#[Object]
impl CoLeader {
    /// The co-leading department.
    async fn department(&self) -> &Department {
        &self.department
    }
    /// How many tasks the two lead together.
    async fn task_count(&self) -> i32 {
        self.task_count
    }
    /// Those tasks, in task order.
    async fn tasks(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Task>> {
        let list = list(ctx).await?;
        Ok(self.task_ids.iter().filter_map(|id| list.task(*id)).cloned().map(Task).collect())
    }
}

/// A department's task counts by role.
#[derive(Debug, Clone, Copy, SimpleObject)]
pub struct Workload {
    /// Tasks it leads.
    pub lead: i32,
    /// Tasks it leads alone.
    pub sole_lead: i32,
    /// Tasks it leads with others.
    pub co_lead: i32,
    /// Tasks it is a responsible unit of.
    pub responsible: i32,
    /// Distinct tasks it is assigned to.
    pub total: i32,
}

/// Conditions on departments; all given fields must hold.
#[derive(Debug, Clone, Default, InputObject)]
pub struct DepartmentFilter {
    /// Departments of this region.
    pub region: Option<String>,
    /// Departments of this kind.
    pub kind: Option<DepartmentKind>,
    /// Collectives (true) or real departments (false).
    pub is_collective: Option<bool>,
    /// Name contains this text.
    pub name_contains: Option<String>,
    /// Departments assigned to some task of this document.
    pub document_id: Option<ID>,
}

/// Counts a department listing.
pub struct DepartmentCount(DepartmentCriteria);

impl DepartmentCount {
    pub async fn total(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        Ok(list(ctx).await?.departments_count(&self.0))
    }
}

connection!(
    DepartmentConnection,
    DepartmentEdge,
    Department,
    department::Model,
    Department,
    |d: &department::Model| d.id,
    DepartmentCount,
    "departments"
);

/// Queries on departments.
#[derive(Default)]
pub struct DepartmentQuery;

/// Queries on departments.
#[Object]
impl DepartmentQuery {
    /// Departments matching `filter`, in order of first appearance.
    async fn departments(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Conditions the departments meet.")] filter: Option<DepartmentFilter>,
        #[graphql(desc = "Rows from the start (default 100, at most 500).")] first: Option<i32>,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
        #[graphql(desc = "Rows from the end.")] last: Option<i32>,
        #[graphql(desc = "End before this cursor.")] before: Option<String>,
    ) -> async_graphql::Result<DepartmentConnection> {
        let s = state(ctx)?;
        let page = PageArgs::new(first, after, last, before).request(s.limits.max_page_size, false)?;
        let f = filter.unwrap_or_default();
        let criteria = DepartmentCriteria {
            region: f.region,
            kind: f.kind.map(Into::into),
            is_collective: f.is_collective,
            name_contains: f.name_contains,
            document_id: f.document_id.map(|id| ids::decode(&id, NodeType::Document)).transpose()?,
        };
        let rows = list(ctx).await?.departments_page(&criteria, page);
        Ok(DepartmentConnection { page: rows, count: DepartmentCount(criteria) })
    }

    /// One department, by global id or by name. A name found in several regions without
    /// `region` means the caller's region's department, else the one in the region of the
    /// latest document; a name with its region before it (天津市税务局) is found too.
    async fn department(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id.")] id: Option<ID>,
        #[graphql(desc = "Name as in the document.")] name: Option<String>,
        #[graphql(desc = "Region of `name`.")] region: Option<String>,
    ) -> async_graphql::Result<Option<Department>> {
        let list = list(ctx).await?;
        let (row, what) = match (id, name) {
            (Some(id), None) => {
                let row = list.department(ids::decode(&id, NodeType::Department)?).cloned();
                (row, format!("no department with id \"{}\"", ids::truncate(id.as_str())))
            }
            (None, Some(name)) => {
                let preferred = super::context::caller_region(ctx, &list);
                let row = list.department_by_name(name.trim(), region.as_deref(), preferred).cloned();
                let place = region.map(|r| format!(" in {}", ids::truncate(&r))).unwrap_or_default();
                (row, format!("no department named \"{}\"{place}", ids::truncate(name.trim())))
            }
            _ => return Err(ApiError::bad_input("pass either id or name").into()),
        };
        row.map(Department).map(Some).ok_or_else(|| ApiError::not_found(what).into())
    }
}
