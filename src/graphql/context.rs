//! What resolvers take from the request context.

use async_graphql::Context;
use async_graphql::dataloader::{DataLoader, HashMapCache};

use super::loaders::DbLoader;
use crate::app::AppState;
use crate::error::ApiError;

/// The shared state; missing only in a schema built without a database.
pub fn state<'a>(ctx: &Context<'a>) -> async_graphql::Result<&'a AppState> {
    ctx.data::<AppState>().map_err(|_| ApiError::Internal(anyhow::anyhow!("no AppState in the schema")).into())
}

/// The per-request DataLoader.
pub fn loader<'a>(ctx: &Context<'a>) -> async_graphql::Result<&'a DataLoader<DbLoader, HashMapCache>> {
    ctx.data::<DataLoader<DbLoader, HashMapCache>>()
        .map_err(|_| ApiError::Internal(anyhow::anyhow!("no DataLoader in the request")).into())
}

/// Loads one row that must exist (a foreign key points at it).
pub async fn load_required<K, V>(ctx: &Context<'_>, key: K) -> async_graphql::Result<V>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + std::fmt::Debug + 'static,
    V: Send + Sync + Clone + 'static,
    DbLoader: async_graphql::dataloader::Loader<K, Value = V, Error = async_graphql::Error>,
{
    // The key is named only when the row is missing: formatting it on every call allocated
    // once per field on the request path.
    let loader = loader(ctx)?;
    match loader.load_one(key.clone()).await? {
        Some(row) => Ok(row),
        None => Err(ApiError::Internal(anyhow::anyhow!("dangling reference {key:?}")).into()),
    }
}

/// The time now, for an answer that depends on it: such an answer is never given again from
/// the response cache.
pub fn now(ctx: &Context<'_>) -> async_graphql::Result<chrono::DateTime<chrono::Utc>> {
    if let Some(note) = ctx.data_opt::<std::sync::Arc<super::response_cache::ResponseNote>>() {
        note.read_the_clock();
    }
    Ok(state(ctx)?.clock.now())
}

/// The caller; anonymous when the request carries no token.
pub fn viewer<'a>(ctx: &Context<'a>) -> &'a crate::service::access::Viewer {
    static ANONYMOUS: crate::service::access::Viewer = crate::service::access::Viewer::Anonymous;
    ctx.data::<crate::service::access::Viewer>().unwrap_or(&ANONYMOUS)
}

/// Reports and obligations are for token holders only.
pub fn require_reader(ctx: &Context<'_>) -> async_graphql::Result<()> {
    Ok(viewer(ctx).require_reader()?)
}
