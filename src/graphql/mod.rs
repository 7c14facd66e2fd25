//! The GraphQL schema: one file per domain, merged here.

pub mod connection;
pub mod context;
pub mod department;
pub mod document;
pub mod hooks;
pub mod ids;
pub mod limits;
pub mod loaders;
pub mod node;
pub mod obligation;
pub mod period;
pub mod report;
pub mod stats;
pub mod subscription;
pub mod task;
pub mod viewer;

use async_graphql::{MergedObject, Schema};

use crate::app::AppState;

/// Every query of the API.
#[derive(MergedObject, Default)]
pub struct Query(
    node::NodeQuery,
    document::DocumentQuery,
    task::TaskQuery,
    department::DepartmentQuery,
    stats::StatsQuery,
    period::PeriodQuery,
    report::ReportQuery,
    obligation::ObligationQueryRoot,
    viewer::ViewerQuery,
);

/// Every mutation of the API.
#[derive(MergedObject, Default)]
pub struct Mutation(report::ReportMutation);

pub type ApiSchema = Schema<Query, Mutation, subscription::SubscriptionRoot>;

/// Builds the schema; with `state` it serves requests, without it only describes itself.
pub fn build_schema(state: Option<AppState>) -> ApiSchema {
    let mut builder = Schema::build(Query::default(), Mutation::default(), subscription::SubscriptionRoot);
    if let Some(state) = state {
        builder = builder.extension(limits::QueryGuard::new(&state.limits));
        if !state.limits.introspection {
            builder = builder.disable_introspection();
        }
        if state.limits.test_hooks {
            builder = builder.extension(hooks::TestHooks);
        }
        builder = builder.data(state);
    }
    builder.finish()
}

/// The SDL of the schema, as committed in `schema.graphql`.
pub fn schema_sdl() -> String {
    build_schema(None).sdl()
}

/// Adds what every request needs: its own DataLoader and its caller.
pub fn prepare(
    request: async_graphql::Request,
    state: &AppState,
    viewer: crate::service::access::Viewer,
) -> async_graphql::Request {
    request.data(loaders::new_loader(state.read_db.clone(), state.limits.batch_window())).data(viewer)
}
