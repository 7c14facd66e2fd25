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
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use async_graphql::parser::types::{ExecutableDocument, Field, OperationType, Selection, SelectionSet};
use async_graphql::{Data, Name, Pos, Request, Response, ServerError, Value, Variables};

use super::connection::DEFAULT_PAGE;
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
    let selected = match request.operation_name.as_deref() {
        Some(name) => doc.operations.iter().find(|(n, _)| n.is_some_and(|n| n.as_str() == name)),
        None => doc.operations.iter().next().filter(|_| doc.operations.iter().count() == 1),
    };
    if selected.is_some_and(|(_, op)| op.node.ty == OperationType::Query) {
        note.is_a_query();
    }
}

/// No token in the request's (or the WebSocket session's) data.
pub fn is_anonymous(request: &Data, session: Option<&Data>) -> bool {
    let viewer = |d: &Data| d.get(&TypeId::of::<Viewer>()).and_then(|v| v.downcast_ref::<Viewer>().cloned());
    viewer(request).or_else(|| session.and_then(viewer)).is_none_or(|v| v == Viewer::Anonymous)
}

/// A LIMIT_EXCEEDED error at `pos`.
fn limit(message: String, pos: Option<Pos>) -> ServerError {
    let mut e = ServerError::new(message, pos);
    set_code_if_missing(&mut e, "LIMIT_EXCEEDED");
    e
}

fn set_code_if_missing(e: &mut ServerError, code: &str) {
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

/// How deep a `__schema`/`__type` selection may go: past the deepest type reference a client
/// asks for (graphql-js nests `ofType` nine times under `__schema { types { fields { type`).
pub const MAX_INTROSPECTION_DEPTH: usize = 24;

/// What an operation (or a part of it) asks for.
#[derive(Debug, Clone, Copy, Default)]
struct Cost {
    /// Deepest chain of fields.
    depth: usize,
    /// Fields resolved, connections weighted by page size.
    complexity: u64,
    aliases: u64,
    directives: u64,
    /// Fields directly in this selection set (fragments included).
    fields: u64,
}

impl Cost {
    fn merge(&mut self, o: Cost) {
        self.depth = self.depth.max(o.depth);
        self.complexity = self.complexity.saturating_add(o.complexity);
        self.aliases = self.aliases.saturating_add(o.aliases);
        self.directives = self.directives.saturating_add(o.directives);
        self.fields = self.fields.saturating_add(o.fields);
    }
}

/// Checks every operation of `doc` against `limits`.
fn check(
    doc: &ExecutableDocument,
    variables: &Variables,
    types: &TypeIndex,
    limits: &QueryLimits,
) -> Result<(), ServerError> {
    let mut walker = Walker {
        doc,
        types,
        variables,
        max_page: limits.max_page_size.max(1),
        fragments: HashMap::new(),
        visiting: HashSet::new(),
        introspects: false,
        introspection_depth: 0,
        nul_at: None,
    };
    // No text of this API holds U+0000, and PostgreSQL cannot store it: refused alike on both
    // backends, before anything runs.
    if variables.values().any(has_nul) {
        return Err(nul_refused(None));
    }
    for (_, op) in doc.operations.iter() {
        let root = types.root(op.node.ty);
        let mut cost = walker.selection_set(&op.node.selection_set.node, root);
        let mut defaults = op.node.variable_definitions.iter().filter_map(|d| d.node.default_value.as_ref());
        if let Some(pos) = walker.nul_at.or(defaults.find(|v| has_nul(&v.node)).map(|v| v.pos)) {
            return Err(nul_refused(Some(pos)));
        }
        let own: usize = op.node.directives.len()
            + op.node.variable_definitions.iter().map(|v| v.node.directives.len()).sum::<usize>();
        cost.directives = cost.directives.saturating_add(own as u64);
        let pos = Some(op.pos);
        if walker.introspects && !limits.introspection {
            let mut e = ServerError::new("introspection is disabled on this server", pos);
            set_code_if_missing(&mut e, "FORBIDDEN");
            return Err(e);
        }
        let over = |n: u64, max: usize| n > max as u64;
        if over(cost.fields, limits.max_root_fields) {
            return Err(limit(
                format!(
                    "root field limit exceeded: {} root fields, the maximum is {}",
                    cost.fields, limits.max_root_fields
                ),
                pos,
            ));
        }
        if over(cost.aliases, limits.max_aliases) {
            return Err(limit(
                format!("alias limit exceeded: {} aliases, the maximum is {}", cost.aliases, limits.max_aliases),
                pos,
            ));
        }
        if over(cost.directives, limits.max_directives) {
            return Err(limit(
                format!(
                    "directive limit exceeded: {} directives, the maximum is {}",
                    cost.directives, limits.max_directives
                ),
                pos,
            ));
        }
        if walker.introspection_depth > MAX_INTROSPECTION_DEPTH {
            return Err(limit(
                format!(
                    "introspection depth limit exceeded: depth {}, the maximum is {MAX_INTROSPECTION_DEPTH}",
                    walker.introspection_depth
                ),
                pos,
            ));
        }
        if cost.depth > limits.max_depth {
            return Err(limit(
                format!("query depth limit exceeded: depth {}, the maximum is {}", cost.depth, limits.max_depth),
                pos,
            ));
        }
        if over(cost.complexity, limits.max_complexity) {
            return Err(limit(
                format!(
                    "query complexity limit exceeded: complexity {}, the maximum is {} \
                     (a connection costs its page size times its selection; ask for smaller pages)",
                    cost.complexity, limits.max_complexity
                ),
                pos,
            ));
        }
    }
    Ok(())
}

/// Walks selections with the schema's types at hand; fragments are costed once each, so a
/// document of fragments spreading fragments is measured in linear time.
struct Walker<'a> {
    doc: &'a ExecutableDocument,
    types: &'a TypeIndex,
    variables: &'a Variables,
    max_page: u64,
    fragments: HashMap<&'a Name, Cost>,
    visiting: HashSet<&'a Name>,
    /// `__schema` or `__type` was asked for.
    introspects: bool,
    /// The deepest `__schema`/`__type` selection: the schema bounds what it can return, so it
    /// counts against [`MAX_INTROSPECTION_DEPTH`] rather than the operation's depth limit
    /// (graphql-js asks for depth 15, graphql-core for 13: GraphiQL's own first query).
    introspection_depth: usize,
    /// Where an argument's text holds U+0000.
    nul_at: Option<Pos>,
}

impl<'a> Walker<'a> {
    fn selection_set(&mut self, set: &'a SelectionSet, ty: Option<&'a str>) -> Cost {
        let mut total = Cost::default();
        for item in &set.items {
            match &item.node {
                Selection::Field(f) => {
                    let f = &f.node;
                    let introspection = matches!(f.name.node.as_str(), "__schema" | "__type");
                    self.introspects |= introspection;
                    let meta = ty.and_then(|t| self.types.field(t, f.name.node.as_str()));
                    let child_ty = meta.map(|m| m.named.as_str());
                    let connection = meta.is_some_and(|m| m.connection);
                    if self.nul_at.is_none()
                        && let Some((_, v)) = f.arguments.iter().find(|(_, v)| {
                            v.node.clone().into_const_with(|_| Ok::<_, ()>(Value::Null)).is_ok_and(|v| has_nul(&v))
                        })
                    {
                        self.nul_at = Some(v.pos);
                    }
                    let children = self.selection_set(&f.selection_set.node, child_ty);
                    let page = self.page_size(f, connection);
                    let depth = children.depth + 1;
                    if introspection {
                        self.introspection_depth = self.introspection_depth.max(depth);
                    }
                    total.merge(Cost {
                        depth: if introspection { 1 } else { depth },
                        complexity: page.saturating_mul(children.complexity).saturating_add(1),
                        aliases: children.aliases.saturating_add(u64::from(f.alias.is_some())),
                        directives: children.directives.saturating_add(f.directives.len() as u64),
                        fields: 1,
                    });
                }
                Selection::FragmentSpread(spread) => {
                    let mut cost = self.fragment(&spread.node.fragment_name.node);
                    cost.directives = cost.directives.saturating_add(spread.node.directives.len() as u64);
                    total.merge(cost);
                }
                Selection::InlineFragment(inline) => {
                    let inline = &inline.node;
                    let on = inline.type_condition.as_ref().map(|c| c.node.on.node.as_str()).or(ty);
                    let mut cost = self.selection_set(&inline.selection_set.node, on);
                    cost.directives = cost.directives.saturating_add(inline.directives.len() as u64);
                    total.merge(cost);
                }
            }
        }
        total
    }

    fn fragment(&mut self, name: &'a Name) -> Cost {
        if let Some(cost) = self.fragments.get(name) {
            return *cost;
        }
        let Some(def) = self.doc.fragments.get(name) else { return Cost::default() };
        // A cycle is refused by validation; here it only must not recurse forever.
        if !self.visiting.insert(name) {
            return Cost::default();
        }
        let mut cost =
            self.selection_set(&def.node.selection_set.node, Some(def.node.type_condition.node.on.node.as_str()));
        cost.directives = cost.directives.saturating_add(def.node.directives.len() as u64);
        self.visiting.remove(name);
        self.fragments.insert(name, cost);
        cost
    }

    /// The factor a field multiplies its children by: its `first`/`last` (capped at the largest
    /// page, which the resolver enforces with its own message), the default page for a
    /// connection without them, 1 for any other field.
    fn page_size(&self, field: &Field, connection: bool) -> u64 {
        let mut size: Option<u64> = None;
        for (name, value) in &field.arguments {
            if matches!(name.node.as_str(), "first" | "last") {
                let value = value.node.clone().into_const_with(|var| Ok::<_, ()>(self.variable(&var)));
                if let Some(n) = value.ok().as_ref().and_then(int) {
                    size = Some(size.unwrap_or(0).max(n));
                }
            }
        }
        match size {
            Some(n) => n.clamp(1, self.max_page),
            None if connection => DEFAULT_PAGE.min(self.max_page),
            None => 1,
        }
    }

    /// A variable: as sent, else its default in the document, else null.
    fn variable(&self, name: &Name) -> Value {
        if let Some(v) = self.variables.get(name) {
            return v.clone();
        }
        self.doc
            .operations
            .iter()
            .find_map(|(_, op)| {
                op.node
                    .variable_definitions
                    .iter()
                    .find(|d| d.node.name.node == *name)
                    .and_then(|d| d.node.default_value.as_ref())
                    .map(|v| v.node.clone())
            })
            .unwrap_or(Value::Null)
    }
}

/// Some text in `v` holds U+0000.
fn has_nul(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains('\0'),
        Value::List(items) => items.iter().any(has_nul),
        Value::Object(fields) => fields.values().any(has_nul),
        _ => false,
    }
}

fn nul_refused(pos: Option<Pos>) -> ServerError {
    let mut e = ServerError::new("text must not contain the character U+0000 (NUL)", pos);
    set_code_if_missing(&mut e, "BAD_USER_INPUT");
    e
}

fn int(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_i64().map(|n| n.max(0) as u64),
        _ => None,
    }
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
