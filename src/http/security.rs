//! Request ids and CORS.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::Response;
use rand::RngCore as _;
use tower_http::cors::{AllowOrigin, CorsLayer};

/// `x-request-id`: set on every response, logged with every request, quoted by INTERNAL errors.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The id of a request (always ours: a client's own `x-request-id` is not trusted into logs).
#[derive(Debug, Clone)]
pub struct RequestId(pub Arc<str>);

impl RequestId {
    fn generate() -> Self {
        let mut bytes = [0u8; 8];
        rand::rng().fill_bytes(&mut bytes);
        Self(bytes.iter().map(|b| format!("{b:02x}")).collect::<String>().into())
    }
}

/// Gives the request an id and answers with it.
pub async fn assign_request_id(mut req: Request, next: Next) -> Response {
    let id = RequestId::generate();
    req.extensions_mut().insert(id.clone());
    let mut response = next.run(req).await;
    if let Ok(v) = HeaderValue::from_str(&id.0) {
        response.headers_mut().insert(REQUEST_ID, v);
    }
    response
}

/// CORS for the configured origins; `None` (no CORS headers at all) without any.
pub fn cors(origins: &[String]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    let allow = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()))
    };
    Some(
        CorsLayer::new()
            .allow_origin(allow)
            .allow_methods([Method::GET, Method::POST])
            .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION, header::ACCEPT])
            .expose_headers([header::RETRY_AFTER, REQUEST_ID])
            .max_age(Duration::from_secs(600)),
    )
}
