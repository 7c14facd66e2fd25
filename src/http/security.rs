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

/// Request headers browsers may send cross-origin besides the safelisted ones: what GraphQL
/// clients send (Apollo's client name and version and its CSRF header), trace context (which
/// the server continues), a caller's own request id, and a conditional GET.
const ALLOWED_HEADERS: [&str; 11] = [
    "content-type",
    "authorization",
    "accept",
    "traceparent",
    "tracestate",
    "x-request-id",
    "apollographql-client-name",
    "apollographql-client-version",
    "apollo-require-preflight",
    "x-apollo-operation-name",
    "if-none-match",
];

/// Response headers a cross-origin page may read: the download's file name, the request id
/// quoted by errors, when to retry, and the answer's version for a conditional GET.
const EXPOSED_HEADERS: [&str; 4] = ["content-disposition", "x-request-id", "retry-after", "etag"];

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
            .allow_headers(ALLOWED_HEADERS.map(HeaderName::from_static))
            .expose_headers(EXPOSED_HEADERS.map(HeaderName::from_static))
            .max_age(Duration::from_secs(600)),
    )
}

/// An `OPTIONS` request the CORS layer did not answer (no origins are configured, or it is no
/// preflight): 204 with the methods the resource takes, and no CORS headers, so a browser's
/// preflight fails as CORS says rather than on a 405.
pub async fn options(req: Request) -> Response {
    let allow = if req.uri().path() == "/graphql" { "GET, POST, OPTIONS" } else { "GET, HEAD, OPTIONS" };
    let mut response = Response::new(axum::body::Body::empty());
    *response.status_mut() = axum::http::StatusCode::NO_CONTENT;
    response.headers_mut().insert(header::ALLOW, HeaderValue::from_static(allow));
    response
}
