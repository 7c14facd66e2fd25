//! What resolvers take from the request context.

use std::collections::HashMap;
use std::hash::Hash;

use async_graphql::Context;
use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};

use super::loaders::{DbLoader, Kept};
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

/// Loads the value of `key`: from the rows shared at the request's versions when they hold it,
/// else through the request's DataLoader (batched with its siblings).
pub async fn load<K, V>(ctx: &Context<'_>, key: K) -> async_graphql::Result<Option<V>>
where
    K: Kept<Value = V> + Send + Sync + Hash + Eq + Clone + 'static,
    V: Send + Sync + Clone + 'static,
    DbLoader: Loader<K, Value = V, Error = async_graphql::Error>,
{
    let loader = loader(ctx)?;
    if let Some(v) = loader.loader().kept(&key).await? {
        return Ok(Some(v));
    }
    loader.load_one(key).await
}

/// Loads the values of `keys` like [`load`]: from the shared rows when they hold every one.
pub async fn load_all<K, V>(ctx: &Context<'_>, keys: &[K]) -> async_graphql::Result<HashMap<K, V>>
where
    K: Kept<Value = V> + Send + Sync + Hash + Eq + Clone + 'static,
    V: Send + Sync + Clone + 'static,
    DbLoader: Loader<K, Value = V, Error = async_graphql::Error>,
{
    let loader = loader(ctx)?;
    if let Some(rows) = loader.loader().shared_rows().await? {
        let kept: Option<HashMap<K, V>> = keys.iter().map(|k| k.find(&rows).map(|v| (k.clone(), v))).collect();
        if let Some(found) = kept {
            return Ok(found);
        }
    }
    loader.load_many(keys.iter().cloned()).await
}

/// Loads one row that must exist (a foreign key points at it).
pub async fn load_required<K, V>(ctx: &Context<'_>, key: K) -> async_graphql::Result<V>
where
    K: Kept<Value = V> + Send + Sync + Hash + Eq + Clone + std::fmt::Debug + 'static,
    V: Send + Sync + Clone + 'static,
    DbLoader: Loader<K, Value = V, Error = async_graphql::Error>,
{
    // The key is named only when the row is missing: formatting it on every call allocated
    // once per field on the request path.
    match load(ctx, key.clone()).await? {
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
