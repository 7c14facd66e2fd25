//! `renameDepartment` (机构改革): a department's new name, its former one kept as an alias.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};

use super::context::{actor, state, viewer};
use super::department::Department;
use super::ids::{self, NodeType};
use super::scalars::Date;
use crate::service::departments;

/// A department's new name.
#[derive(Debug, Clone, InputObject)]
pub struct RenameDepartmentInput {
    /// The department.
    pub department_id: ID,
    /// Its new name.
    pub name: String,
    /// The day the new name takes effect (the former name was its name until the day before).
    pub effective_on: Date,
}

/// The renamed department.
#[derive(SimpleObject)]
pub struct RenameDepartmentPayload {
    /// The department, under its new name (`formerNames` lists the old).
    pub department: Department,
}

/// Department mutations.
#[derive(Default)]
pub struct RenameMutation;

/// Department mutations.
#[Object]
impl RenameMutation {
    /// Renames a department (ADMIN): its tasks, reports and tokens stay with it, and its former
    /// name still finds it in imports, filters and sign-ins.
    async fn rename_department(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The department and its new name.")] input: RenameDepartmentInput,
    ) -> async_graphql::Result<RenameDepartmentPayload> {
        let rename = departments::Rename {
            department_id: ids::decode(&input.department_id, NodeType::Department)?,
            name: input.name,
            effective_on: input.effective_on.0,
        };
        let s = state(ctx)?;
        let saved = departments::rename(&s.writer, viewer(ctx), &actor(ctx), rename).await?;
        Ok(RenameDepartmentPayload { department: Department(saved) })
    }
}
