//! The cost of an operation, measured on its parsed document before validation: depth (with
//! introspection counted apart, against [`MAX_INTROSPECTION_DEPTH`]), complexity weighted by
//! page sizes, aliases, root fields and directives, and text holding U+0000. Fragments are
//! costed once each. [`super::limits::QueryGuard`] refuses what is over a limit.

use std::collections::{HashMap, HashSet};

use async_graphql::parser::types::{ExecutableDocument, Field, Selection, SelectionSet};
use async_graphql::{Name, Pos, ServerError, Value, Variables};

use super::connection::DEFAULT_PAGE;
use super::limits::{QueryLimits, limit, set_code_if_missing};
use super::type_index::TypeIndex;

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
pub(super) fn check(
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
