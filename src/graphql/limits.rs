//! What one operation may ask for: depth, complexity weighted by page sizes, aliases, root
//! fields and directives, checked on the parsed document before validation and execution, with
//! errors that say which limit was hit and its value (`extensions.code = LIMIT_EXCEEDED`).
//!
//! [`QueryGuard`] stands in front of the schema (see [`super::ApiSchema`]) rather than inside it
//! as an async-graphql extension: any installed extension makes async-graphql run a hook per
//! resolved field, which cost a third of the throughput of a 500-row listing. The guard also
//! keeps parse errors short, gives async-graphql's own errors a code and drops "Did you mean …"
//! suggestions for anonymous callers.

use std::any::TypeId;
use std::sync::Arc;

use async_graphql::parser::types::{ExecutableDocument, OperationType};
use async_graphql::{Data, Pos, Request, Response, ServerError, Value};

pub use super::cost::MAX_INTROSPECTION_DEPTH;
use super::cost::check;
use super::response_cache::ResponseNote;
use super::type_index::TypeIndex;
use crate::config::Limits;
use crate::service::access::Viewer;

/// Brackets (`{`, `[`, `(`) may nest this deep before the query is even parsed: deeper
/// selections exceed the depth limit anyway, deeper values serve no query of this API.
const MIN_BRACKET_NESTING: usize = 64;

/// How much of the query a syntax error quotes, on each side of the error.
const EXCERPT_CHARS: usize = 24;

/// The bounds the guard enforces, taken from [`Limits`].
#[derive(Debug, Clone)]
pub struct QueryLimits {
    pub max_depth: usize,
    pub max_complexity: usize,
    pub max_aliases: usize,
    pub max_root_fields: usize,
    pub max_directives: usize,
    pub max_page_size: u64,
    pub max_query_bytes: usize,
    pub introspection: bool,
}

impl From<&Limits> for QueryLimits {
    fn from(l: &Limits) -> Self {
        Self {
            max_depth: l.max_depth,
            max_complexity: l.max_complexity,
            max_aliases: l.max_aliases,
            max_root_fields: l.max_root_fields,
            max_directives: l.max_directives,
            max_page_size: l.max_page_size,
            max_query_bytes: l.max_body_bytes,
            introspection: l.introspection,
        }
    }
}

/// The guard of one schema: its limits and what it needs to know of the schema's types.
#[derive(Debug)]
pub struct QueryGuard {
    limits: QueryLimits,
    types: TypeIndex,
    documents: std::sync::Arc<super::documents::ParsedDocuments>,
}

impl QueryGuard {
    /// A guard for the schema whose SDL is `sdl`.
    pub fn new(limits: &Limits, sdl: &str, documents: std::sync::Arc<super::documents::ParsedDocuments>) -> Self {
        Self { limits: limits.into(), types: TypeIndex::from_sdl(sdl), documents }
    }

    /// The request, parsed and within every limit; or the error refusing it.
    pub fn admit(&self, mut request: Request) -> Result<Request, ServerError> {
        let limits = &self.limits;
        if request.query.len() > limits.max_query_bytes {
            return Err(limit(
                format!(
                    "query size limit exceeded: {} bytes, the maximum is {}",
                    request.query.len(),
                    limits.max_query_bytes
                ),
                None,
            ));
        }
        let max_nesting = MIN_BRACKET_NESTING.max(limits.max_depth * 2);
        if let Some(depth) = bracket_nesting_over(&request.query, max_nesting) {
            return Err(limit(
                format!("query nesting limit exceeded: brackets nest {depth} deep, the maximum is {max_nesting}"),
                None,
            ));
        }
        let doc = self
            .documents
            .parse(&request.query)
            .map_err(|e| parse_error(e.into(), &request.query, limits.max_depth))?;
        check(&doc, &request.variables, &self.types, limits)?;
        note_a_query(&doc, &request);
        request.set_parsed_query(doc);
        Ok(request)
    }

    /// The response as the client sees it: field errors null their field as the specification
    /// says ([`super::nulls`]), async-graphql's own errors get a code, and anonymous callers get
    /// no suggestions. `query` and `operation` are what ran.
    pub fn finish(&self, mut response: Response, anonymous: bool, query: &str, operation: Option<&str>) -> Response {
        // Errors before execution (parse, validation, operation) leave no data at all.
        let before_execution = response.data == Value::Null && response.errors.iter().all(|e| e.path.is_empty());
        if !before_execution && let Ok(doc) = self.documents.parse(query) {
            super::nulls::propagate(&mut response, &doc, operation, &self.types);
        }
        for e in &mut response.errors {
            if anonymous
                && e.path.is_empty()
                && let Some(at) = e.message.find(" Did you mean")
            {
                e.message.truncate(at);
            }
            label_uncoded(e, before_execution);
        }
        response
    }
}

/// Tells the request's [`ResponseNote`], if it has one, that the operation it runs is a query.
fn note_a_query(doc: &ExecutableDocument, request: &Request) {
    let Some(note) =
        request.data.get(&TypeId::of::<Arc<ResponseNote>>()).and_then(|n| n.downcast_ref::<Arc<ResponseNote>>())
    else {
        return;
    };
    let selected = super::documents::selected(doc, request.operation_name.as_deref());
    if selected.is_some_and(|op| op.ty == OperationType::Query) {
        note.is_a_query();
    }
}

/// No token in the request's (or the WebSocket session's) data.
pub fn is_anonymous(request: &Data, session: Option<&Data>) -> bool {
    let viewer = |d: &Data| d.get(&TypeId::of::<Viewer>()).and_then(|v| v.downcast_ref::<Viewer>().cloned());
    viewer(request).or_else(|| session.and_then(viewer)).is_none_or(|v| v == Viewer::Anonymous)
}

/// A LIMIT_EXCEEDED error at `pos`.
pub(super) fn limit(message: String, pos: Option<Pos>) -> ServerError {
    let mut e = ServerError::new(message, pos);
    set_code_if_missing(&mut e, "LIMIT_EXCEEDED");
    e
}

pub(super) fn set_code_if_missing(e: &mut ServerError, code: &str) {
    let ext = e.extensions.get_or_insert_with(Default::default);
    if ext.get("code").is_none() {
        ext.set("code", code);
    }
}

/// Gives an error without a code one. async-graphql's own errors (parse, validation, unknown
/// operation, coercion of arguments and variables, its recursion guard) are the client's or a
/// limit. Any other error without a code came from a resolver that bypassed [`ApiError`]: its
/// text is logged and replaced, since it may quote a database, a file or a panic.
///
/// [`ApiError`]: crate::error::ApiError
fn label_uncoded(e: &mut ServerError, before_execution: bool) {
    if e.extensions.as_ref().is_some_and(|x| x.get("code").is_some()) {
        return;
    }
    let input = e.message.starts_with("Failed to parse")
        || e.message.starts_with("Expected input type")
        || e.message.starts_with("Invalid value for argument")
        || e.message.starts_with("Cannot query field")
        || (e.message.starts_with("Variable ") && e.message.ends_with(" is not defined."));
    if e.message.contains("recursion depth") {
        set_code_if_missing(e, "LIMIT_EXCEEDED");
    } else if input || (before_execution && e.path.is_empty()) {
        set_code_if_missing(e, "BAD_USER_INPUT");
    } else {
        tracing::error!(error = %e.message, path = ?e.path, "an error without a code; answered INTERNAL");
        e.message = "internal error".into();
        set_code_if_missing(e, "INTERNAL");
    }
}

/// Deepest bracket nesting of `query` once it passes `max`, ignoring strings and comments.
fn bracket_nesting_over(query: &str, max: usize) -> Option<usize> {
    let bytes = query.as_bytes();
    let (mut depth, mut deepest, mut i) = (0usize, 0usize, 0usize);
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                i += 3;
                while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 2;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'{' | b'[' | b'(' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b'}' | b']' | b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    (deepest > max).then_some(deepest)
}

/// A parse error with a short excerpt instead of the parser's quote of the whole line.
fn parse_error(e: ServerError, query: &str, max_depth: usize) -> ServerError {
    let pos = e.locations.first().copied();
    if e.message.contains("recursion limit") {
        return limit(format!("query depth limit exceeded: nesting over 64, the maximum depth is {max_depth}"), pos);
    }
    let expected = e
        .message
        .lines()
        .find_map(|l| l.trim_start().strip_prefix("= "))
        .unwrap_or_else(|| e.message.lines().next().unwrap_or("syntax error"));
    let expected: String = expected.chars().take(160).collect();
    let message = match pos {
        Some(p) => {
            format!("syntax error at line {}, column {}: {expected}, near `{}`", p.line, p.column, excerpt(query, p))
        }
        None => format!("syntax error: {expected}"),
    };
    let mut out = ServerError::new(message, pos);
    set_code_if_missing(&mut out, "BAD_USER_INPUT");
    out
}

/// A few characters of `query` around `pos`.
fn excerpt(query: &str, pos: Pos) -> String {
    let line = query.lines().nth(pos.line.saturating_sub(1)).unwrap_or_default();
    let at = pos.column.saturating_sub(1);
    let from = at.saturating_sub(EXCERPT_CHARS);
    let text: String = line.chars().skip(from).take(2 * EXCERPT_CHARS).collect();
    let ellipsis_before = if from > 0 { "…" } else { "" };
    let ellipsis_after = if line.chars().count() > from + 2 * EXCERPT_CHARS { "…" } else { "" };
    format!("{ellipsis_before}{text}{ellipsis_after}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brackets_in_strings_and_comments_do_not_count() {
        let q = format!("{{ a(s: \"{}\") # {}\n }}", "{".repeat(100), "[".repeat(100));
        assert_eq!(bracket_nesting_over(&q, 3), None);
        let block = format!("{{ a(s: \"\"\"{}\"\"\") }}", "(".repeat(100));
        assert_eq!(bracket_nesting_over(&block, 3), None);
        assert_eq!(bracket_nesting_over(&format!("{}{}", "[".repeat(10), "]".repeat(10)), 3), Some(10));
    }

    #[test]
    fn an_excerpt_is_short_and_marks_what_it_cut() {
        let q = format!("{{ {} !oops {} }}", "a ".repeat(1000), "b ".repeat(1000));
        let e = excerpt(&q, Pos { line: 1, column: 2004 });
        assert!(e.chars().count() <= 2 * EXCERPT_CHARS + 2, "{e}");
        assert!(e.contains("!oops") && e.starts_with('…') && e.ends_with('…'), "{e}");
    }
}
