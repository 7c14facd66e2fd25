//! The HTTP surface: GraphQL endpoint, GraphiQL, ledger exports, health, readiness and metrics.

mod auth;
mod board;
mod caching;
pub mod client;
mod export;
mod graphiql;
mod graphql;
mod health;
mod negotiation;
pub mod persisted;
mod rate_limit;
mod reply;
pub mod security;
mod ws_session;

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::app::AppState;
use crate::bounded::Bounded;
use crate::graphql::ApiSchema;

pub use security::REQUEST_ID;

/// State of the HTTP handlers.
#[derive(Clone)]
pub struct HttpState {
    pub app: AppState,
    pub schema: ApiSchema,
    limiter: Arc<rate_limit::RateLimiter>,
    graphiql: Arc<graphiql::GraphiqlPage>,
    board: Arc<board::BoardPage>,
    persisted: Arc<persisted::PersistedQueries>,
    /// Turns to make a ledger: at most two at once.
    exports: Arc<tokio::sync::Semaphore>,
}

impl HttpState {
    /// Every cache the server keeps across requests (see [`crate::bounded`]).
    pub fn caches(&self) -> [&dyn Bounded; 5] {
        [self.schema.responses(), self.schema.documents(), &*self.persisted, &self.app.tokens, &*self.limiter]
    }
}

/// The application router.
pub fn build_router(app: AppState) -> Router {
    let schema = crate::graphql::build_schema(Some(app.clone()));
    let cors = security::cors(&app.limits.cors_origins);
    let state = HttpState {
        limiter: Arc::new(rate_limit::RateLimiter::new(&app.limits)),
        graphiql: Arc::new(graphiql::GraphiqlPage::new()),
        board: Arc::new(board::BoardPage::new()),
        persisted: Arc::new(persisted::PersistedQueries::new(&app.limits)),
        exports: Arc::new(tokio::sync::Semaphore::new(2)),
        app,
        schema,
    };
    let caches = state.caches();
    tracing::info!(
        bytes = crate::bounded::total_capacity(&caches),
        "caches kept across requests hold at most this many bytes in all (see /metrics)"
    );
    let router = Router::new()
        .route("/", get(graphql::graphiql))
        .route("/board", get(graphql::board))
        .route("/assets/{version}/{name}", get(graphiql::asset))
        .route(
            "/graphql",
            get(graphql::graphql).post(graphql::graphql).options(security::options).fallback(graphql::method_not_allowed),
        )
        .route("/graphql/ws", get(graphql::websocket))
        .route("/exports/ledger.xlsx", get(export::xlsx).options(security::options))
        .route("/exports/ledger.csv", get(export::csv).options(security::options))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .layer(middleware::from_fn_with_state(state.clone(), record_latency))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(tower_http::trace::TraceLayer::new_for_http().make_span_with(|req: &Request| {
            let id = req.extensions().get::<security::RequestId>().map(|r| r.0.clone()).unwrap_or_else(|| "-".into());
            let client = client::of(req.extensions()).map_or_else(|| "-".to_owned(), |a| a.ip().to_string());
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id, client = %client)
        }))
        .layer(middleware::from_fn_with_state(state.clone(), client::resolve_client))
        .layer(middleware::from_fn(security::assign_request_id));
    let router = match cors {
        Some(cors) => router.layer(cors),
        None => router,
    };
    router.with_state(state)
}

async fn record_latency(State(state): State<HttpState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let response = next.run(req).await;
    state.app.metrics.record_request(started.elapsed().as_secs_f64(), response.status().as_u16());
    response
}
