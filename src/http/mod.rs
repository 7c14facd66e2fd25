//! The HTTP surface: GraphQL endpoint, GraphiQL, health, readiness and metrics.

mod auth;
mod graphql;
mod health;

use std::time::Instant;

use axum::Router;
use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;

use crate::app::AppState;
use crate::graphql::ApiSchema;

/// State of the HTTP handlers.
#[derive(Clone)]
pub struct HttpState {
    pub app: AppState,
    pub schema: ApiSchema,
}

/// The application router.
pub fn build_router(app: AppState) -> Router {
    let schema = crate::graphql::build_schema(Some(app.clone()));
    let state = HttpState { app, schema };
    Router::new()
        .route("/", get(graphql::graphiql))
        .route("/graphql", get(graphql::get_graphql).post(graphql::post_graphql))
        .route("/graphql/ws", get(graphql::websocket))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .layer(middleware::from_fn_with_state(state.clone(), record_latency))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

async fn record_latency(State(state): State<HttpState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let response = next.run(req).await;
    state.app.metrics.record_request(started.elapsed().as_secs_f64(), response.status().as_u16());
    response
}
