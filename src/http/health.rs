//! Liveness, readiness and metrics.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;

use super::HttpState;

/// The process is up.
pub async fn healthz() -> &'static str {
    "ok"
}

/// The database answers.
pub async fn readyz(State(state): State<HttpState>) -> impl IntoResponse {
    match tokio::time::timeout(std::time::Duration::from_secs(2), state.app.primary().ping()).await {
        Ok(Ok(())) => (StatusCode::OK, "ready"),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database timed out"),
    }
}

/// Prometheus text format: the counters, then the bytes of every cache.
pub async fn metrics(State(state): State<HttpState>) -> impl IntoResponse {
    let mut text = state.app.metrics.render();
    crate::bounded::render(&mut text, &state.caches());
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text)
}
