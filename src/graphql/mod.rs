//! The GraphQL schema: one file per domain, merged here.

pub mod assessment;
pub mod audit;
pub mod batching;
pub mod closure;
pub mod connection;
pub mod context;
pub mod cost;
pub mod department;
pub mod document;
pub mod documents;
pub mod hooks;
pub use crate::ids;
pub mod imports;
pub mod limits;
pub mod loaders;
pub mod node;
pub mod nulls;
pub mod obligation;
pub mod period;
pub mod rename;
pub mod report;
pub mod response_cache;
pub mod scalars;
pub mod stats;
pub mod subscription;
pub mod supervision;
pub mod task;
pub mod task_source;
pub mod type_index;
pub mod version;
pub mod viewer;
pub mod webhook;

use std::future::Future;
use std::sync::Arc;

use async_graphql::{MergedObject, Schema};
use axum::body::Bytes;
use futures_util::stream::{BoxStream, StreamExt as _};

use self::response_cache::{ResponseKey, ResponseNote};
use crate::app::AppState;
use crate::service::access::Viewer;

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
    assessment::AssessmentQuery,
    viewer::ViewerQuery,
    audit::AuditQuery,
    webhook::WebhookQuery,
);

/// Every mutation of the API.
#[derive(MergedObject, Default)]
pub struct Mutation(
    report::ReportMutation,
    supervision::SupervisionMutation,
    closure::ClosureMutation,
    rename::RenameMutation,
    version::VersionMutation,
    imports::ImportMutation,
);

/// The schema as async-graphql builds it.
pub type InnerSchema = Schema<Query, Mutation, subscription::SubscriptionRoot>;

/// The schema behind its [`limits::QueryGuard`]: every query, mutation and subscription is
/// parsed and measured against the limits before async-graphql validates and runs it.
#[derive(Clone)]
pub struct ApiSchema {
    inner: InnerSchema,
    /// None for a schema that only describes itself.
    guard: Option<Arc<limits::QueryGuard>>,
    /// Answers this schema gave (an answer depends on the limits it was computed under).
    responses: response_cache::ResponseCache,
    /// The documents of the query texts the guard parsed.
    documents: Arc<documents::ParsedDocuments>,
}

impl ApiSchema {
    /// Executes one request.
    pub async fn execute(&self, request: impl Into<async_graphql::Request>) -> async_graphql::Response {
        let request = request.into();
        let Some(guard) = &self.guard else { return self.inner.execute(request).await };
        let anonymous = limits::is_anonymous(&request.data, None);
        match guard.admit(request) {
            Ok(request) => {
                let (query, operation) = (request.query.clone(), request.operation_name.clone());
                guard.finish(self.inner.execute(request).await, anonymous, &query, operation.as_deref())
            }
            Err(refused) => async_graphql::Response::from_errors(vec![refused]),
        }
    }

    /// The answers this schema keeps.
    pub fn responses(&self) -> &response_cache::ResponseCache {
        &self.responses
    }

    /// The parsed documents this schema keeps.
    pub fn documents(&self) -> &documents::ParsedDocuments {
        &self.documents
    }

    /// The SDL.
    pub fn sdl(&self) -> String {
        self.inner.sdl()
    }
}

impl async_graphql::Executor for ApiSchema {
    fn execute(&self, request: async_graphql::Request) -> impl Future<Output = async_graphql::Response> + Send {
        ApiSchema::execute(self, request)
    }

    fn execute_stream(
        &self,
        request: async_graphql::Request,
        session_data: Option<Arc<async_graphql::Data>>,
    ) -> BoxStream<'static, async_graphql::Response> {
        let Some(guard) = self.guard.clone() else {
            return async_graphql::Executor::execute_stream(&self.inner, request, session_data);
        };
        let anonymous = limits::is_anonymous(&request.data, session_data.as_deref());
        match guard.admit(request) {
            Ok(request) => {
                let (query, operation) = (request.query.clone(), request.operation_name.clone());
                async_graphql::Executor::execute_stream(&self.inner, request, session_data)
                    .map(move |r| guard.finish(r, anonymous, &query, operation.as_deref()))
                    .boxed()
            }
            Err(refused) => {
                futures_util::stream::once(async move { async_graphql::Response::from_errors(vec![refused]) }).boxed()
            }
        }
    }
}

/// Builds the schema; with `state` it serves requests, without it only describes itself.
pub fn build_schema(state: Option<AppState>) -> ApiSchema {
    let mut builder = Schema::build(Query::default(), Mutation::default(), subscription::SubscriptionRoot);
    let Some(state) = state else {
        let (responses, documents) =
            (response_cache::ResponseCache::new(0), Arc::new(documents::ParsedDocuments::new(0)));
        return ApiSchema { inner: builder.finish(), guard: None, responses, documents };
    };
    if !state.limits.introspection {
        builder = builder.disable_introspection();
    }
    if state.limits.test_hooks {
        builder = builder.extension(hooks::TestHooks);
    }
    let limits = state.limits.clone();
    let inner = builder.data(state).finish();
    let documents = Arc::new(documents::ParsedDocuments::new(documents::KEPT_BYTES));
    let guard = limits::QueryGuard::new(&limits, &inner.sdl(), documents.clone());
    let responses = response_cache::ResponseCache::new(limits.response_cache_bytes);
    ApiSchema { inner, guard: Some(Arc::new(guard)), responses, documents }
}

/// The SDL of the schema, as committed in `schema.graphql`.
pub fn schema_sdl() -> String {
    build_schema(None).sdl()
}

/// Executes a prepared request, fetching each DataLoader batch as soon as the request waits.
pub async fn execute(schema: &ApiSchema, request: async_graphql::Request) -> async_graphql::Response {
    batching::run(schema.execute(request)).await
}

/// Adds what every request needs: what it reads from ([`context::Reading`]) and its caller.
pub fn prepare(
    schema: &ApiSchema,
    request: async_graphql::Request,
    state: &AppState,
    viewer: Viewer,
) -> async_graphql::Request {
    let note = Arc::new(ResponseNote::default());
    let (db, query) = reads_from(schema, &request, state);
    let reading = context::Reading::new(state, db, query, note.clone());
    request.data(reading).data(viewer).data(note)
}

/// Where a request reads: where queries read (a replica, when configured) for a query, by the
/// operation its parsed document selects; the primary for anything else (a mutation's payload,
/// and anything after the write, must show it; a document that does not parse fails anyway).
/// Says whether it is a query.
fn reads_from(
    schema: &ApiSchema,
    request: &async_graphql::Request,
    state: &AppState,
) -> (sea_orm::DatabaseConnection, bool) {
    let kind = schema.documents.operation_type(&request.query, request.operation_name.as_deref());
    if kind == Some(async_graphql::parser::types::OperationType::Query) {
        (state.replica().clone(), true)
    } else {
        (state.primary().clone(), false)
    }
}

/// The answer to a request.
pub enum Answer {
    /// A query's answer that succeeded, serialized (`{"data":…}`): just computed or kept; and its
    /// validator (an ETag from the request, the caller and the versions it was computed at).
    Json(Bytes, String),
    /// Any other response, to be rendered.
    Executed(async_graphql::Response),
}

/// The body of an answer without errors, as [`Answer::Json`] holds it.
#[derive(serde::Serialize)]
struct DataOnly<'a> {
    data: &'a async_graphql::Value,
}

/// Answers `request` from `viewer`: from the response cache when the same caller asked the same
/// at the same versions, else by executing it (and keeping the answer when it may be given again;
/// see [`response_cache`]).
pub async fn answer(schema: &ApiSchema, state: &AppState, request: async_graphql::Request, viewer: Viewer) -> Answer {
    let cache = &schema.responses;
    let key = if cache.is_enabled() { ResponseKey::of(&request, &viewer) } else { None };
    let Some(key) = key else {
        return Answer::Executed(execute(schema, prepare(schema, request, state, viewer)).await);
    };
    let seen = match state.read_versions.read().await {
        Ok(seen) => seen,
        // A database that cannot answer fails the request now, with its code, rather than
        // once more after waiting for the pool again in execution.
        Err(e) => return Answer::Executed(refused(e)),
    };
    let entries = cache.at(&seen);
    let etag = key.etag(&seen);
    if let Some(body) = entries.get(&key) {
        state.metrics.record_response_cache(true);
        return Answer::Json(body, etag);
    }
    state.metrics.record_response_cache(false);
    let note = Arc::new(ResponseNote::default());
    let (db, query) = reads_from(schema, &request, state);
    let reading = context::Reading::new(state, db, query, note.clone());
    if let Err(e) = reading.start_at(&seen).await {
        return Answer::Executed(refused(e));
    }
    let request = request.data(reading).data(viewer).data(note.clone());
    let response = execute(schema, request).await;
    if response.is_ok() && response.extensions.is_empty() && response.http_headers.is_empty() && note.keepable() {
        match serde_json::to_vec(&DataOnly { data: &response.data }) {
            Ok(body) => {
                let body = Bytes::from(body);
                entries.insert(key, body.clone());
                return Answer::Json(body, etag);
            }
            Err(e) => tracing::error!(error = %e, "cannot serialize an answer"),
        }
    }
    Answer::Executed(response)
}

/// A request that fails before execution, with its error's code.
fn refused(e: crate::error::ApiError) -> async_graphql::Response {
    let e = async_graphql::Error::from(e);
    let mut refused = async_graphql::ServerError::new(e.message, None);
    refused.extensions = e.extensions;
    async_graphql::Response::from_errors(vec![refused])
}
