//! `viewer`: who the caller is.

use async_graphql::{Context, Enum, Object, SimpleObject};

use super::context::viewer;
use super::department::Department;
use crate::service::access::Viewer as Caller;

/// What a caller may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum ViewerRole {
    /// No token: the public list only.
    Anonymous,
    /// Reads everything.
    Viewer,
    /// Reads everything; reports for its department's tasks.
    Reporter,
    /// Everything, on behalf of any department.
    Admin,
    /// Reads everything; supervises the documents its department issued (reviews, extensions,
    /// notices, the audit trail).
    Supervisor,
}

/// The caller of this request.
#[derive(SimpleObject)]
pub struct ViewerInfo {
    /// The caller's role.
    role: ViewerRole,
    /// A reporter's department, or a supervisor's issuing office.
    department: Option<Department>,
    /// The token's label.
    label: Option<String>,
}

/// `viewer`.
#[derive(Default)]
pub struct ViewerQuery;

/// `viewer`.
#[Object]
impl ViewerQuery {
    /// The caller: role and department of the token sent, or ANONYMOUS.
    async fn viewer(&self, ctx: &Context<'_>) -> async_graphql::Result<ViewerInfo> {
        Ok(match viewer(ctx) {
            Caller::Anonymous => ViewerInfo { role: ViewerRole::Anonymous, department: None, label: None },
            Caller::Token { role, department_id, label, .. } => {
                let department = match department_id {
                    Some(id) => super::context::list(ctx).await?.department(*id).cloned().map(Department),
                    None => None,
                };
                let role = match role {
                    entity::TokenRole::Viewer => ViewerRole::Viewer,
                    entity::TokenRole::Reporter => ViewerRole::Reporter,
                    entity::TokenRole::Admin => ViewerRole::Admin,
                    entity::TokenRole::Supervisor => ViewerRole::Supervisor,
                };
                ViewerInfo { role, department, label: Some(label.clone()) }
            }
        })
    }
}
