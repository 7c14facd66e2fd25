//! The GraphQL endpoint over HTTP and WebSocket, and GraphiQL.

use async_graphql::http::GraphiQLSource;
use async_graphql::{Data, ErrorExtensions as _};
use async_graphql_axum::{GraphQLProtocol, GraphQLRequest, GraphQLResponse, GraphQLWebSocket};
use axum::extract::{State, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use super::HttpState;
use super::auth::{viewer_from_headers, viewer_from_value};
use crate::error::ApiError;

/// GraphiQL, pointed at `/graphql`.
pub async fn graphiql() -> impl IntoResponse {
    Html(GraphiQLSource::build().endpoint("/graphql").subscription_endpoint("/graphql/ws").title("qingdan").finish())
}

pub async fn post_graphql(State(state): State<HttpState>, headers: HeaderMap, req: GraphQLRequest) -> Response {
    execute(&state, &headers, req.into_inner()).await
}

pub async fn get_graphql(State(state): State<HttpState>, headers: HeaderMap, req: GraphQLRequest) -> Response {
    execute(&state, &headers, req.into_inner()).await
}

async fn execute(state: &HttpState, headers: &HeaderMap, req: async_graphql::Request) -> Response {
    let viewer = match viewer_from_headers(&state.app, headers).await {
        Ok(v) => v,
        Err(e) => return unauthenticated(e),
    };
    let req = crate::graphql::prepare(req, &state.app, viewer);
    GraphQLResponse::from(state.schema.execute(req).await).into_response()
}

/// A wrong or revoked token: 401 with a GraphQL error body.
fn unauthenticated(e: ApiError) -> Response {
    let status = if matches!(e, ApiError::Unauthenticated(_)) {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let mut error = async_graphql::ServerError::new(e.message(), None);
    error.extensions = e.extend().extensions;
    let body = async_graphql::Response::from_errors(vec![error]);
    let json = serde_json::to_string(&body).unwrap_or_else(|_| "{}".into());
    (status, [(header::CONTENT_TYPE, "application/json"), (header::WWW_AUTHENTICATE, "Bearer")], json).into_response()
}

/// Subscriptions over graphql-transport-ws (and the older graphql-ws). The token comes in the
/// upgrade request's Authorization header or the connection_init payload's `Authorization`.
pub async fn websocket(
    State(state): State<HttpState>,
    headers: HeaderMap,
    protocol: GraphQLProtocol,
    upgrade: WebSocketUpgrade,
) -> Response {
    let header_viewer = match viewer_from_headers(&state.app, &headers).await {
        Ok(v) => v,
        Err(e) => return unauthenticated(e),
    };
    upgrade.protocols(async_graphql::http::ALL_WEBSOCKET_PROTOCOLS).on_upgrade(move |socket| {
        let schema = state.schema.clone();
        let app = state.app.clone();
        GraphQLWebSocket::new(socket, schema, protocol)
            .on_connection_init(move |payload| async move {
                let from_payload = payload
                    .get("Authorization")
                    .or_else(|| payload.get("authorization"))
                    .and_then(|v| v.as_str().map(str::to_owned));
                let viewer = match from_payload {
                    Some(v) => viewer_from_value(&app, Some(&v)).await.map_err(|e| e.extend())?,
                    None => header_viewer,
                };
                let mut data = Data::default();
                data.insert(crate::graphql::loaders::new_loader(app.db.clone(), app.limits.batch_window()));
                data.insert(viewer);
                Ok(data)
            })
            .serve()
    })
}
