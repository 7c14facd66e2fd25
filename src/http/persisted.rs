//! Persisted queries: automatic persisted queries (the Apollo protocol: a client sends
//! `extensions.persistedQuery.sha256Hash`, and the query text only when the server does not know
//! it yet), over GET and POST, in a store bounded in bytes; and trusted documents
//! (`--trusted-documents FILE`: a JSON map sha256 → query; with it only those execute).
//!
//! Resolved before anything else reads the request, so the answer cache, the limits and the
//! GET-may-only-read rule all see the query that will run.

use std::collections::HashMap;
use std::sync::Arc;

use quick_cache::Weighter;
use quick_cache::sync::Cache;
use sha2::{Digest, Sha256};

use crate::config::Limits;
use crate::error::ApiError;

#[derive(Clone)]
struct ByLength;

impl Weighter<String, Arc<str>> for ByLength {
    fn weight(&self, key: &String, query: &Arc<str>) -> u64 {
        (key.len() + query.len() + 64) as u64
    }
}

/// The persisted queries of one server.
pub struct PersistedQueries {
    /// Queries clients registered (APQ), bounded in bytes.
    learned: Option<Cache<String, Arc<str>, ByLength>>,
    /// With `--trusted-documents`: the only queries that execute (the file's and the board's).
    trusted: Option<HashMap<String, Arc<str>>>,
}

/// Reads a trusted-documents file: a JSON object of lowercase hex sha256 → query, each key the
/// digest of its query.
pub fn load_trusted(path: &std::path::Path) -> anyhow::Result<HashMap<String, Arc<str>>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("cannot read the trusted documents {}: {e}", path.display()))?;
    let map: HashMap<String, String> = serde_json::from_str(&text)
        .map_err(|e| anyhow::anyhow!("{} is not a JSON object of sha256 → query: {e}", path.display()))?;
    let mut out = HashMap::with_capacity(map.len());
    for (hash, query) in map {
        let hash = hash.to_ascii_lowercase();
        if digest(&query) != hash {
            anyhow::bail!("{}: the key {hash} is not the sha256 of its query", path.display());
        }
        out.insert(hash, Arc::from(query));
    }
    Ok(out)
}

impl crate::bounded::Bounded for PersistedQueries {
    fn name(&self) -> &'static str {
        "persisted_queries"
    }

    fn bytes(&self) -> u64 {
        self.learned.as_ref().map_or(0, Cache::weight)
    }

    fn capacity(&self) -> u64 {
        self.learned.as_ref().map_or(0, Cache::capacity)
    }
}

impl PersistedQueries {
    /// From the limits; a trusted-documents file that cannot be read refuses every query (and
    /// `serve` checks the file before it starts, so this only happens when it changed since).
    pub fn new(limits: &Limits) -> Self {
        // The board's own operations are trusted besides the file, so the board works there too.
        let trusted = limits.trusted_documents.as_deref().map(|path| match load_trusted(path) {
            Ok(mut trusted) => {
                trusted.extend(super::board::operations().map(|q| (digest(q), Arc::from(q))));
                trusted
            }
            Err(e) => {
                tracing::error!(error = %e, "trusted documents unreadable: every query is refused");
                HashMap::new()
            }
        });
        let bytes = limits.persisted_query_bytes;
        let learned = (bytes > 0 && trusted.is_none())
            .then(|| Cache::with_weighter(((bytes / 512) as usize).max(16), bytes, ByLength));
        Self { learned, trusted }
    }

    /// Puts the query to run into `request` (from the store or the trusted documents), or says
    /// why it cannot run.
    pub fn resolve(&self, request: &mut async_graphql::Request) -> Result<(), ApiError> {
        let hash = requested_hash(request)?;
        if let Some(trusted) = &self.trusted {
            let hash = match hash {
                Some(h) => h,
                None if request.query.is_empty() => return Err(missing_query()),
                None => digest(&request.query),
            };
            return match trusted.get(&hash) {
                Some(query) if request.query.is_empty() || *request.query == **query => {
                    request.query = query.to_string();
                    Ok(())
                }
                Some(_) => Err(ApiError::bad_input("provided sha does not match query")),
                None => Err(ApiError::PersistedQueryNotAllowed(
                    "only trusted documents execute on this server; this one is not among them".into(),
                )),
            };
        }
        let Some(hash) = hash else {
            return if request.query.is_empty() { Err(missing_query()) } else { Ok(()) };
        };
        let Some(learned) = &self.learned else {
            return if request.query.is_empty() {
                Err(ApiError::PersistedQueryNotSupported("PersistedQueryNotSupported".into()))
            } else {
                Ok(())
            };
        };
        if request.query.is_empty() {
            let query =
                learned.get(&hash).ok_or_else(|| ApiError::PersistedQueryNotFound("PersistedQueryNotFound".into()))?;
            request.query = query.to_string();
            return Ok(());
        }
        if digest(&request.query) != hash {
            return Err(ApiError::bad_input("provided sha does not match query"));
        }
        learned.insert(hash, Arc::from(request.query.as_str()));
        Ok(())
    }
}

fn missing_query() -> ApiError {
    ApiError::bad_input("the query parameter is missing")
}

/// `extensions.persistedQuery.sha256Hash` (version 1), lowercase.
fn requested_hash(request: &async_graphql::Request) -> Result<Option<String>, ApiError> {
    let Some(pq) = request.extensions.get("persistedQuery") else { return Ok(None) };
    let pq = serde_json::to_value(pq).unwrap_or_default();
    if pq.get("version").and_then(serde_json::Value::as_i64) != Some(1) {
        return Err(ApiError::bad_input("persistedQuery.version must be 1"));
    }
    let hash = pq.get("sha256Hash").and_then(serde_json::Value::as_str).unwrap_or("");
    if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ApiError::bad_input("persistedQuery.sha256Hash must be 64 hex digits"));
    }
    Ok(Some(hash.to_ascii_lowercase()))
}

/// Lowercase hex sha256 of a query text.
pub fn digest(query: &str) -> String {
    digest_bytes(query.as_bytes())
}

/// Lowercase hex sha256 of `bytes`.
pub fn digest_bytes(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}
