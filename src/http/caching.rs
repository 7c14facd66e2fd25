//! HTTP caching of GET answers (RFC 9111) and conditional requests (RFC 9110 §13).
//!
//! An answer that depends only on the request, its caller and the versions of the database
//! carries a weak `ETag` computed from those, so a client or a cache that holds it asks again
//! with `If-None-Match` and gets `304 Not Modified` (for a ledger, before it is made). Anonymous
//! answers are `public` for `max-age` seconds (a CDN may keep them); a token holder's are
//! `private, no-cache` (kept by the browser alone, and validated on each use); every GET answer
//! varies by `Authorization` and `Accept`. An answer with errors, or one that depends on the
//! time, is `no-store`.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;

/// What the caching headers of one answer depend on.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// Sent without a token.
    pub anonymous: bool,
    /// Seconds a shared cache may keep an anonymous answer.
    pub max_age: u64,
}

impl Policy {
    /// The `Cache-Control` of an answer that has a validator.
    fn cache_control(&self) -> HeaderValue {
        if self.anonymous {
            HeaderValue::from_str(&format!("public, max-age={}", self.max_age))
                .unwrap_or(HeaderValue::from_static("public"))
        } else {
            HeaderValue::from_static("private, no-cache")
        }
    }

    /// Sets the caching headers of `response`, whose validator is `etag` (none: not to be kept).
    pub fn apply(&self, response: &mut Response, etag: Option<&str>) {
        let h = response.headers_mut();
        h.insert(header::VARY, HeaderValue::from_static("Authorization, Accept"));
        match etag.and_then(|e| HeaderValue::from_str(e).ok()) {
            Some(tag) => {
                h.insert(header::ETAG, tag);
                h.insert(header::CACHE_CONTROL, self.cache_control());
            }
            None => {
                h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            }
        }
    }

    /// `304 Not Modified` for `etag`, with the headers the full answer would have.
    pub fn not_modified(&self, etag: &str) -> Response {
        let mut response = Response::new(axum::body::Body::empty());
        *response.status_mut() = StatusCode::NOT_MODIFIED;
        self.apply(&mut response, Some(etag));
        response
    }
}

/// Whether the request's `If-None-Match` names `etag` (weak comparison, `*` included).
pub fn matches(headers: &HeaderMap, etag: &str) -> bool {
    let opaque = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    let mine = opaque(etag);
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim() == "*" || opaque(t) == mine)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_compares_weakly_and_takes_lists_and_a_star() {
        let mut h = HeaderMap::new();
        assert!(!matches(&h, "W/\"abc\""));
        h.insert(header::IF_NONE_MATCH, HeaderValue::from_static("\"x\", \"abc\""));
        assert!(matches(&h, "W/\"abc\""));
        h.insert(header::IF_NONE_MATCH, HeaderValue::from_static("W/\"abd\""));
        assert!(!matches(&h, "W/\"abc\""));
        h.insert(header::IF_NONE_MATCH, HeaderValue::from_static("*"));
        assert!(matches(&h, "W/\"abc\""));
    }
}
