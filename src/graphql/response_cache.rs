//! Whole answers kept across requests while the database stays at the versions they were
//! computed at.
//!
//! A query's answer depends on its text, operation name and variables, on who asks (the
//! `viewer` field, and reports for token holders only), on the versions of the list and of the
//! reports (see [`versions`]) and, for obligations without `asOf`, on the time. A request reads the
//! versions with one small statement, as every cached read does, and then finds the answer it
//! would compute, serialized, under (request, caller) in the entries of those versions: an
//! import or a submission through any process or replica moves a version, and the next request
//! starts a new set of entries. Only queries that succeed are kept, never a mutation, an answer
//! with an error, or one that read the clock ([`ResponseNote::read_the_clock`]).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use axum::body::Bytes;
use quick_cache::Weighter;
use quick_cache::sync::Cache;

use crate::service::access::Viewer;
use crate::service::versions::Versions;

/// What an answer was asked with: the request and its caller.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ResponseKey {
    query: String,
    operation: Option<String>,
    /// The variables as JSON (their map is ordered, so equal variables give equal text).
    variables: String,
    /// The caller (token id, role, department), `None` for anonymous callers.
    token: Option<(i64, entity::TokenRole, Option<i64>)>,
}

impl ResponseKey {
    /// The key of `request` from `viewer`; `None` when the request cannot be a query (its text
    /// names a mutation or subscription: an operation of those kinds must say so).
    pub fn of(request: &async_graphql::Request, viewer: &Viewer) -> Option<Self> {
        let text = &request.query;
        if text.contains("mutation") || text.contains("subscription") {
            return None;
        }
        Some(Self {
            query: text.clone(),
            operation: request.operation_name.clone(),
            variables: serde_json::to_string(&request.variables).ok()?,
            token: match viewer {
                Viewer::Anonymous => None,
                // The whole caller, not its id alone: a single sign-on subject's role and
                // department come from each JWT and may differ between two of its tokens.
                Viewer::Token { id, role, department_id, .. } => Some((*id, *role, *department_id)),
            },
        })
    }
}

impl ResponseKey {
    /// The HTTP validator of this request's answer at `versions` (a weak ETag): the same
    /// request from the same caller at the same versions has the same answer.
    pub fn etag(&self, versions: &Versions) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(format!("{versions:?}\0{:?}\0{:?}\0", self.operation, self.token));
        h.update(self.query.as_bytes());
        h.update(b"\0");
        h.update(self.variables.as_bytes());
        let digest = h.finalize();
        let hex: String = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
        format!("W/\"{hex}\"")
    }
}

/// What execution learnt about a request's answer; in the request's data while it runs.
#[derive(Debug, Default)]
pub struct ResponseNote {
    query: AtomicBool,
    clock: AtomicBool,
}

impl ResponseNote {
    /// The operation executed is a query (set by the query guard).
    pub fn is_a_query(&self) {
        self.query.store(true, Ordering::Relaxed);
    }

    /// The answer depends on the time it was computed at (or on rows no version guards).
    pub fn read_the_clock(&self) {
        self.clock.store(true, Ordering::Relaxed);
    }

    /// Whether an answer that succeeded may be given again at the same versions.
    pub fn keepable(&self) -> bool {
        self.query.load(Ordering::Relaxed) && !self.clock.load(Ordering::Relaxed)
    }
}

/// Weighs an entry by the bytes it holds.
#[derive(Debug, Clone, Copy, Default)]
pub struct ByteWeight;

impl Weighter<ResponseKey, Bytes> for ByteWeight {
    fn weight(&self, key: &ResponseKey, body: &Bytes) -> u64 {
        let bytes = key.query.len() + key.variables.len() + key.operation.as_ref().map_or(0, String::len) + body.len();
        // The entry's own bookkeeping.
        bytes as u64 + 64
    }
}

/// Answers of one pair of versions.
pub type Entries = Cache<ResponseKey, Bytes, ByteWeight>;

/// The versions whose answers are held, and those answers.
type Current = (Versions, Arc<Entries>);

/// Answers of the current versions, shared by every request a schema serves (one per process;
/// an answer depends on the limits of the schema that computed it).
#[derive(Clone)]
pub struct ResponseCache {
    /// Bytes kept at most; 0 turns the cache off.
    capacity: u64,
    /// The entries of one pair of versions; another pair starts over.
    current: Arc<Mutex<Option<Current>>>,
}

impl ResponseCache {
    /// A cache of at most `capacity` bytes of answers (0: nothing is kept).
    pub fn new(capacity: u64) -> Self {
        Self { capacity, current: Arc::default() }
    }

    /// Whether anything is kept at all.
    pub fn is_enabled(&self) -> bool {
        self.capacity > 0
    }

    /// The answers kept for `versions` (another version's are dropped).
    pub fn at(&self, versions: &Versions) -> Arc<Entries> {
        let mut current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        match &*current {
            Some((v, entries)) if v == versions => entries.clone(),
            _ => {
                // Most answers of a dashboard weigh some kilobytes: the estimate sizes the shards.
                let items = usize::try_from((self.capacity / 4096).clamp(16, 1 << 16)).unwrap_or(1 << 16);
                let entries = Arc::new(Cache::with_weighter(items, self.capacity, ByteWeight));
                *current = Some((versions.clone(), entries.clone()));
                entries
            }
        }
    }
}

impl crate::bounded::Bounded for ResponseCache {
    fn name(&self) -> &'static str {
        "answers"
    }

    fn bytes(&self) -> u64 {
        let current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        current.as_ref().map_or(0, |(_, entries)| entries.weight())
    }

    fn capacity(&self) -> u64 {
        self.capacity
    }
}
