//! The audit trail (留痕): `Event`, `events(filter:)` and the `history` of reports and tasks.

use async_graphql::{Context, ID, InputObject, Json, Object};
use chrono::{DateTime, Utc};
use entity::audit_event;

use super::connection::{PageArgs, connection};
use super::context::{list, state, viewer};
use super::department::Department;
use super::ids::{self, NodeType};
use super::task::Task;
use crate::error::ApiError;
use crate::service::supervision::audit::{self, EventCriteria};
use crate::service::supervision::require_any_supervisor;
use crate::service::writes::Action;

/// One entry of the audit trail: appended by every write in its transaction, never changed.
pub struct Event(pub audit_event::Model);

/// One entry of the audit trail: appended by every write in its transaction, never changed.
#[Object]
impl Event {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Event, self.0.id)
    }
    /// When.
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
    /// What happened: `document.imported`, `list.amended`, `department.renamed`, `report.submitted`,
    /// `report.accepted`, `report.returned`, `extension.requested`, `extension.decided`, `notice.issued`,
    /// `closure.requested`, `closure.decided`, `token.created`, `token.revoked`, `webhook.added`,
    /// `webhook.removed` (a test checks this list against the declaration of actions).
    async fn action(&self) -> &str {
        &self.0.action
    }
    /// Who: the token's id and label, or the command line.
    async fn actor(&self) -> &str {
        &self.0.actor
    }
    /// The token's id, or `cli`.
    async fn actor_id(&self) -> &str {
        &self.0.actor_id
    }
    /// The actor's role: VIEWER, REPORTER, ADMIN, SUPERVISOR, or CLI.
    async fn role(&self) -> &str {
        &self.0.role
    }
    /// The global id of what it happened to (a report, an extension, a notice, a document, a
    /// token).
    async fn subject_id(&self) -> ID {
        super::ids::of_subject(&self.0.subject)
    }
    /// The task concerned, if any.
    async fn task(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Task>> {
        let Some(id) = self.0.task_id else { return Ok(None) };
        Ok(list(ctx).await?.task(id).cloned().map(Task))
    }
    /// The department concerned, if any.
    async fn department(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Department>> {
        let Some(id) = self.0.department_id else { return Ok(None) };
        Ok(list(ctx).await?.department(id).cloned().map(Department))
    }
    /// The subject before (none for a creation).
    async fn before(&self) -> Option<Json<serde_json::Value>> {
        self.0.before.as_deref().and_then(|t| serde_json::from_str(t).ok()).map(Json)
    }
    /// The subject after.
    async fn after(&self) -> Option<Json<serde_json::Value>> {
        self.0.after.as_deref().and_then(|t| serde_json::from_str(t).ok()).map(Json)
    }
    /// The request it came in (`x-request-id`; none from the command line).
    async fn request_id(&self) -> Option<&str> {
        self.0.request_id.as_deref()
    }
}

/// Counts an event listing.
pub struct EventCount(EventCriteria);

impl EventCount {
    pub async fn total(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        Ok(audit::count(super::context::reading(ctx)?.versioned(), &self.0).await?)
    }
}

connection!(
    EventConnection,
    EventEdge,
    Event,
    audit_event::Model,
    Event,
    |e: &audit_event::Model| e.id,
    EventCount,
    "events"
);

/// Conditions on events; all given fields must hold.
#[derive(Debug, Clone, Default, InputObject)]
pub struct EventFilter {
    /// Events about this object (a report, extension, notice, document or token).
    pub subject_id: Option<ID>,
    /// Events of this action (`report.returned`, …).
    pub action: Option<String>,
    /// Events by this actor (a token's id, or `cli`).
    pub actor_id: Option<String>,
    /// From this instant on.
    pub from: Option<DateTime<Utc>>,
    /// Before this instant.
    pub to: Option<DateTime<Utc>>,
    /// Events on this task.
    pub task_id: Option<ID>,
    /// Events on this department's obligations.
    pub department_id: Option<ID>,
    /// Events on this period's obligations.
    pub period_id: Option<ID>,
}

impl EventFilter {
    fn criteria(self) -> async_graphql::Result<EventCriteria> {
        if let Some(a) = &self.action
            && Action::parse(a).is_none()
        {
            let known: Vec<&str> = Action::ALL.iter().map(|a| a.as_str()).collect();
            return Err(ApiError::bad_input(format!(
                "unknown action \"{}\"; one of {}",
                ids::truncate(a),
                known.join(", ")
            ))
            .into());
        }
        let dec = |id: &Option<ID>, t| id.as_ref().map(|id| ids::decode(id, t)).transpose();
        Ok(EventCriteria {
            subject: self.subject_id.as_ref().map(super::ids::subject_of).transpose()?,
            action: self.action,
            actor_id: self.actor_id,
            from: self.from,
            to: self.to,
            task_id: dec(&self.task_id, NodeType::Task)?,
            department_id: dec(&self.department_id, NodeType::Department)?,
            period_id: dec(&self.period_id, NodeType::ReportingPeriod)?,
        })
    }
}

/// Audit trail queries (supervisors and admins).
#[derive(Default)]
pub struct AuditQuery;

/// Audit trail queries (supervisors and admins).
#[Object]
impl AuditQuery {
    /// The audit trail, oldest first (supervisors and admins).
    async fn events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Conditions the events meet.")] filter: Option<EventFilter>,
        #[graphql(desc = "Rows from the start (default 100, at most 500).")] first: Option<i32>,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
        #[graphql(desc = "Rows from the end.")] last: Option<i32>,
        #[graphql(desc = "End before this cursor.")] before: Option<String>,
    ) -> async_graphql::Result<EventConnection> {
        require_any_supervisor(viewer(ctx))?;
        let criteria = filter.unwrap_or_default().criteria()?;
        let s = state(ctx)?;
        let page = PageArgs::new(first, after, last, before).request(s.limits.max_page_size, false)?;
        let rows = audit::list(super::context::reading(ctx)?.versioned(), &criteria, page).await?;
        Ok(EventConnection { page: rows, count: EventCount(criteria) })
    }
}

/// Events of a parent (loaded in one batch with its siblings), oldest first.
pub async fn history<K>(ctx: &Context<'_>, key: K) -> async_graphql::Result<Vec<Event>>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    super::loaders::ReportLoader: async_graphql::dataloader::Loader<
            K,
            Value = std::sync::Arc<Vec<audit_event::Model>>,
            Error = async_graphql::Error,
        >,
{
    super::context::require_reader(ctx)?;
    let rows = super::context::load(ctx, key).await?.unwrap_or_default();
    Ok(rows.iter().cloned().map(Event).collect())
}

#[cfg(test)]
mod tests {
    use crate::service::actions::Action;

    #[test]
    fn the_schema_describes_every_action() {
        let sdl = crate::graphql::schema_sdl();
        for a in Action::ALL {
            assert!(sdl.contains(&format!("`{}`", a.as_str())), "the schema's descriptions name {}", a.as_str());
        }
    }
}
