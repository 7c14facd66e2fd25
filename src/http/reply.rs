//! GraphQL responses over HTTP: the body, its media type and the status code.

use std::collections::BTreeMap;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::negotiation::MediaType;
use super::security::RequestId;

/// The body of a GraphQL response; `data` is left out when execution never started.
#[derive(Serialize)]
struct Body<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<&'a async_graphql::Value>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    errors: &'a [async_graphql::ServerError],
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    extensions: &'a BTreeMap<String, async_graphql::Value>,
}

fn code(e: &async_graphql::ServerError) -> Option<String> {
    match e.extensions.as_ref()?.get("code")? {
        async_graphql::Value::String(s) => Some(s.clone()),
        _ => None,
    }
}

/// The result of executing a request.
///
/// A request that failed before execution (it did not parse, validate or pass a limit) has no
/// `data`; under `application/graphql-response+json` it gets 400 (500 for an internal error),
/// under `application/json` 200 like every other well-formed request.
pub fn graphql(media: MediaType, mut resp: async_graphql::Response, request_id: &RequestId) -> Response {
    let request_error = resp.data == async_graphql::Value::Null
        && !resp.errors.is_empty()
        && resp.errors.iter().all(|e| e.path.is_empty());
    for e in &mut resp.errors {
        if code(e).as_deref() == Some("INTERNAL") {
            e.extensions.get_or_insert_with(Default::default).set("requestId", request_id.0.as_ref());
        }
    }
    let status = match (media, request_error) {
        (MediaType::GraphQlResponse, true) => match resp.errors.first().and_then(code).as_deref() {
            Some("INTERNAL") => StatusCode::INTERNAL_SERVER_ERROR,
            Some("SERVICE_UNAVAILABLE") => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::BAD_REQUEST,
        },
        _ => StatusCode::OK,
    };
    let body =
        Body { data: (!request_error).then_some(&resp.data), errors: &resp.errors, extensions: &resp.extensions };
    let mut response = json(status, media, &body);
    for (name, value) in resp.http_headers.iter() {
        response.headers_mut().append(name, value.clone());
    }
    response
}

/// A query's answer without errors, already serialized (`{"data":…}`).
pub fn data(media: MediaType, body: axum::body::Bytes) -> Response {
    (StatusCode::OK, [(header::CONTENT_TYPE, HeaderValue::from_static(media.content_type()))], body).into_response()
}

/// A request refused outside GraphQL execution: one error with `code`.
pub fn error(media: MediaType, status: StatusCode, code: &str, message: &str) -> Response {
    let body = serde_json::json!({ "errors": [{ "message": message, "extensions": { "code": code } }] });
    json(status, media, &body)
}

/// 429 with `Retry-After`.
pub fn too_many(media: MediaType, refused: super::rate_limit::Refused) -> Response {
    let mut response = error(media, StatusCode::TOO_MANY_REQUESTS, "LIMIT_EXCEEDED", &refused.message);
    response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(refused.retry_after_secs));
    response
}

/// A token that does not sign in: 401 with `WWW-Authenticate` (503 when the tokens could not be
/// looked up).
pub fn unauthenticated(media: MediaType, e: crate::error::ApiError) -> Response {
    let status = if matches!(e, crate::error::ApiError::Unauthenticated(_)) {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let mut response = error(media, status, e.code(), e.message());
    response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    response
}

/// An internal failure (a panic): the message is fixed, the request id leads to the log.
pub fn internal(media: MediaType, request_id: &RequestId) -> Response {
    let body = serde_json::json!({ "errors": [{
        "message": "internal error",
        "extensions": { "code": "INTERNAL", "requestId": request_id.0.as_ref() },
    }] });
    json(StatusCode::INTERNAL_SERVER_ERROR, media, &body)
}

fn json(status: StatusCode, media: MediaType, body: &impl Serialize) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => {
            (status, [(header::CONTENT_TYPE, HeaderValue::from_static(media.content_type()))], bytes).into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot serialize a response");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(header::CONTENT_TYPE, media.content_type())],
                "{\"errors\":[{\"message\":\"internal error\",\"extensions\":{\"code\":\"INTERNAL\"}}]}",
            )
                .into_response()
        }
    }
}
