//! The GraphQL endpoint over HTTP, and GraphiQL.

use async_graphql::http::GraphiQLSource;
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::extract::State;
use axum::response::{Html, IntoResponse};

use super::HttpState;

/// GraphiQL, pointed at `/graphql`.
pub async fn graphiql() -> impl IntoResponse {
    Html(GraphiQLSource::build().endpoint("/graphql").subscription_endpoint("/graphql/ws").title("qingdan").finish())
}

pub async fn post_graphql(State(state): State<HttpState>, req: GraphQLRequest) -> GraphQLResponse {
    execute(&state, req.into_inner()).await
}

pub async fn get_graphql(State(state): State<HttpState>, req: GraphQLRequest) -> GraphQLResponse {
    execute(&state, req.into_inner()).await
}

async fn execute(state: &HttpState, req: async_graphql::Request) -> GraphQLResponse {
    let req = crate::graphql::prepare(req, &state.app);
    state.schema.execute(req).await.into()
}
