//! The GraphQL endpoint over HTTP and WebSocket, and GraphiQL.
//!
//! A request goes: media type → caller → rate limit → body → GraphQL, all within the request
//! timeout; a panic while executing is caught and answered INTERNAL with the request id.

use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;

use axum::extract::{Request, State, WebSocketUpgrade};
use axum::http::request::Parts;
use axum::http::{Extensions, HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use futures_util::FutureExt as _;
use tracing::Instrument as _;

use super::HttpState;
use super::auth::viewer_from_headers;
use super::negotiation::{self, MediaType, Rejection};
use super::reply;
use super::security::RequestId;
use crate::error::ApiError;
use crate::graphql::Answer;

/// GraphiQL, pointed at `/graphql`, with its content security policy.
pub async fn graphiql(State(state): State<HttpState>, headers: HeaderMap) -> Response {
    state.graphiql.respond(&headers)
}

/// `GET /board`: the supervising office's board.
pub async fn board(State(state): State<HttpState>, headers: HeaderMap) -> Response {
    state.board.respond(&headers)
}

/// `GET /graphql` and `POST /graphql`.
pub async fn graphql(State(state): State<HttpState>, request: Request) -> Response {
    let Some(media) = negotiation::negotiate(request.headers()) else {
        return reply::error(
            MediaType::Json,
            StatusCode::NOT_ACCEPTABLE,
            "BAD_USER_INPUT",
            "Accept names no type this server answers with: application/graphql-response+json or application/json",
        );
    };
    let request_id = request.extensions().get::<RequestId>().cloned().unwrap_or_else(|| RequestId("-".into()));
    let limit = state.app.limits.request_timeout();
    match tokio::time::timeout(limit, serve(&state, request, media, &request_id)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(request_id = %request_id.0, "request timed out");
            reply::error(
                media,
                StatusCode::SERVICE_UNAVAILABLE,
                "LIMIT_EXCEEDED",
                &format!(
                    "request timeout exceeded: the request ran longer than {} s, the maximum is {} s",
                    limit.as_secs(),
                    limit.as_secs()
                ),
            )
        }
    }
}

async fn serve(state: &HttpState, request: Request, media: MediaType, request_id: &RequestId) -> Response {
    let (parts, body) = request.into_parts();
    let peer = peer(&parts);
    let viewer = match viewer_from_headers(&state.app, &parts.headers).await {
        Ok(v) => v,
        Err(e) => {
            // Failed tokens count against the address, so guessing costs the guesser.
            let response = match state.limiter.check_address(peer) {
                Err(refused) => reply::too_many(media, refused),
                Ok(()) => reply::unauthenticated(media, e),
            };
            return unread(body, state.app.limits.max_body_bytes, response).await;
        }
    };
    if let Err(refused) = state.limiter.check(&viewer, peer) {
        return unread(body, state.app.limits.max_body_bytes, reply::too_many(media, refused)).await;
    }
    let parsed = match parts.method {
        Method::POST => negotiation::from_post(&parts.headers, body, state.app.limits.max_body_bytes).await,
        // GET, and HEAD (which axum routes with GET).
        _ => negotiation::from_get(&parts.uri, state.app.limits.max_body_bytes),
    };
    let mut request = match parsed {
        Ok(r) => r,
        Err(rejection) => return rejected(media, rejection),
    };
    if let Err(e) = state.persisted.resolve(&mut request) {
        // Apollo clients answer PERSISTED_QUERY_NOT_FOUND by sending the text: a 200 they read.
        let status = match e {
            ApiError::PersistedQueryNotFound(_) | ApiError::PersistedQueryNotSupported(_) => StatusCode::OK,
            _ => StatusCode::BAD_REQUEST,
        };
        return reply::error(media, status, e.code(), e.message());
    }
    if parts.method != Method::POST
        && let Err(rejection) = negotiation::require_query(&request)
    {
        return rejected(media, rejection);
    }
    // One span per request, named by its operation, continuing the caller's trace.
    let span = tracing::info_span!(target: crate::telemetry::TARGET, "graphql", otel.name = tracing::field::Empty,
        otel.kind = "server", graphql.operation.name = tracing::field::Empty, request_id = %request_id.0);
    if !span.is_disabled() {
        let name = crate::telemetry::operation_name(&request);
        span.record("otel.name", name.as_str());
        span.record("graphql.operation.name", name.as_str());
        crate::telemetry::continue_trace(&span, &parts.headers);
    }
    // Writes record the request they came in (the audit trail's `requestId`).
    let request = request.data(request_id.clone());
    let anonymous = viewer == crate::service::access::Viewer::Anonymous;
    let answered = AssertUnwindSafe(crate::graphql::answer(&state.schema, &state.app, request, viewer))
        .catch_unwind()
        .instrument(span)
        .await;
    // GET answers are cacheable (HEAD is routed with GET); POST answers never are.
    let cached = (parts.method != Method::POST)
        .then_some(super::caching::Policy { anonymous, max_age: state.app.limits.http_max_age_secs });
    match answered {
        Ok(Answer::Json(body, etag)) => match cached {
            Some(policy) if super::caching::matches(&parts.headers, &etag) => policy.not_modified(&etag),
            Some(policy) => {
                let mut response = reply::data(media, body);
                policy.apply(&mut response, Some(&etag));
                response
            }
            None => reply::data(media, body),
        },
        Ok(Answer::Executed(response)) => {
            let mut response = reply::graphql(media, response, request_id);
            if let Some(policy) = cached {
                policy.apply(&mut response, None);
            }
            response
        }
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic without a message".to_owned());
            tracing::error!(request_id = %request_id.0, panic = %what, "a resolver panicked; answered INTERNAL");
            reply::internal(media, request_id)
        }
    }
}

/// The client: the peer, or behind trusted proxies the address they forwarded.
fn peer(parts: &Parts) -> Option<SocketAddr> {
    super::client::of_parts(parts)
}

/// `response` to a request whose body it does not need: the body is discarded, or, when too
/// large for that, the connection closes after the response.
async fn unread(body: axum::body::Body, max_bytes: usize, mut response: Response) -> Response {
    if !negotiation::drain(body, max_bytes).await {
        response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

fn rejected(media: MediaType, rejection: Rejection) -> Response {
    let code = match rejection.status {
        StatusCode::PAYLOAD_TOO_LARGE | StatusCode::URI_TOO_LONG => "LIMIT_EXCEEDED",
        _ => "BAD_USER_INPUT",
    };
    let mut response = reply::error(media, rejection.status, code, &rejection.message);
    if rejection.status == StatusCode::METHOD_NOT_ALLOWED {
        response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("POST"));
    }
    if rejection.close {
        response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

/// Subscriptions over graphql-transport-ws (and the older graphql-ws). The token comes in the
/// upgrade request's Authorization header or the connection_init payload's `Authorization`.
pub async fn websocket(
    State(state): State<HttpState>,
    headers: HeaderMap,
    extensions: Extensions,
    upgrade: WebSocketUpgrade,
) -> Response {
    let Some(protocol) = super::ws_session::protocol(&headers) else {
        return reply::error(
            MediaType::Json,
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            "Sec-WebSocket-Protocol names no protocol this server speaks: graphql-transport-ws or graphql-ws",
        );
    };
    let peer = super::client::of(&extensions);
    let header_viewer = match viewer_from_headers(&state.app, &headers).await {
        Ok(v) => v,
        Err(e) => return reply::unauthenticated(MediaType::Json, e),
    };
    if let Err(refused) = state.limiter.check(&header_viewer, peer) {
        return reply::too_many(MediaType::Json, refused);
    }
    let authorization = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).map(str::to_owned);
    upgrade
        .protocols(async_graphql::http::ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| super::ws_session::serve(state, socket, protocol, header_viewer, authorization, peer))
}

/// Anything but GET and POST on `/graphql`.
pub async fn method_not_allowed() -> Response {
    let mut response =
        reply::error(MediaType::Json, StatusCode::METHOD_NOT_ALLOWED, "BAD_USER_INPUT", "use GET (queries) or POST");
    response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("GET, POST"));
    response
}
