//! Field errors as the GraphQL specification handles them ("Handling Field Errors"): the field
//! that raised the error is null in `data`, and when its type is non-null the null moves up to
//! the nearest position that may be null (a nullable field, a nullable list item, or `data`).
//!
//! async-graphql 7 leaves an errored field out of its parent's object instead (its container
//! resolution adds the error and drops the key) and answers `data: null` when every root field
//! failed; no release does otherwise. Installing an extension to catch each field's error would
//! make async-graphql take its slow path for every resolved field (see [`super::limits`]), so
//! the answer is mended after execution instead, only when it has field errors: each error's
//! path is typed through the operation's selections and the schema, the missing key is put back
//! as null at its place in the selection order, and non-null positions pass the null upward.

use async_graphql::parser::types::{BaseType, ExecutableDocument, Selection, SelectionSet, Type};
use async_graphql::{Name, PathSegment, Response, Value};

use super::type_index::TypeIndex;

/// Mends `response` to the specification's handling of field errors; `doc` and `operation` are
/// what was executed.
pub fn propagate(response: &mut Response, doc: &ExecutableDocument, operation: Option<&str>, types: &TypeIndex) {
    if response.errors.iter().all(|e| e.path.is_empty()) {
        return;
    }
    let Some(op) = super::documents::selected(doc, operation) else { return };
    let Some(root) = types.root(op.ty) else { return };
    let typer = Typer { doc, types };
    let typed: Vec<(&[PathSegment], Typed)> = response
        .errors
        .iter()
        .filter(|e| !e.path.is_empty())
        .filter_map(|e| Some((e.path.as_slice(), typer.type_path(root, &op.selection_set.node, &e.path)?)))
        .collect();
    if typed.is_empty() {
        return;
    }
    // First every errored field is present as null (and every object whose fields all failed
    // is an object again), then the nulls move up: in this order, a null passed up by one error
    // is never taken for an object whose fields all failed by another.
    let data = &mut response.data;
    for (path, t) in &typed {
        put_back(data, path, &t.order);
    }
    for (path, t) in &typed {
        pass_up(data, path, &t.nullable);
    }
}

/// What the schema says of the positions along one error's path.
struct Typed {
    /// For each segment of the path, whether the position may be null.
    nullable: Vec<bool>,
    /// The response keys of the errored field's selection set, in order.
    order: Vec<Name>,
}

struct Typer<'a> {
    doc: &'a ExecutableDocument,
    types: &'a TypeIndex,
}

impl<'a> Typer<'a> {
    /// The positions along `path` from the root type `root` and its selection set; None when
    /// the path leaves what the schema describes (introspection, say).
    fn type_path(&self, root: &str, set: &'a SelectionSet, path: &[PathSegment]) -> Option<Typed> {
        let mut sets: Vec<(&'a SelectionSet, String)> = vec![(set, root.to_string())];
        let mut current: Option<Type> = None;
        let mut nullable = Vec::with_capacity(path.len());
        let mut order = Vec::new();
        for (i, segment) in path.iter().enumerate() {
            match segment {
                PathSegment::Field(key) => {
                    if i + 1 == path.len() {
                        for (set, _) in &sets {
                            self.keys(set, &mut order, 0);
                        }
                    }
                    let mut found = Vec::new();
                    for (set, ty) in &sets {
                        self.fields(set, ty, key, &mut found, 0);
                    }
                    let field_type =
                        found.iter().find_map(|(field, ty)| self.types.field(ty, field.name.node.as_str()))?;
                    nullable.push(field_type.ty.nullable);
                    current = Some(field_type.ty.clone());
                    sets =
                        found.iter().map(|(field, _)| (&field.selection_set.node, field_type.named.clone())).collect();
                }
                PathSegment::Index(_) => {
                    let BaseType::List(item) = &current.as_ref()?.base else { return None };
                    nullable.push(item.nullable);
                    current = Some(Type::clone(item));
                }
            }
        }
        Some(Typed { nullable, order })
    }

    /// The fields of `set` (on type `ty`) answering under `key`, with the type each is a field
    /// of (a fragment's type condition, or `ty`).
    fn fields(
        &self,
        set: &'a SelectionSet,
        ty: &str,
        key: &str,
        out: &mut Vec<(&'a async_graphql::parser::types::Field, String)>,
        depth: usize,
    ) {
        if depth > MAX_FRAGMENT_NESTING {
            return;
        }
        for selection in &set.items {
            match &selection.node {
                Selection::Field(f) if f.node.response_key().node.as_str() == key => {
                    out.push((&f.node, ty.to_string()))
                }
                Selection::Field(_) => {}
                Selection::InlineFragment(frag) => {
                    let on = frag.node.type_condition.as_ref().map_or(ty, |c| c.node.on.node.as_str());
                    self.fields(&frag.node.selection_set.node, on, key, out, depth + 1);
                }
                Selection::FragmentSpread(spread) => {
                    if let Some(def) = self.doc.fragments.get(&spread.node.fragment_name.node) {
                        let on = def.node.type_condition.node.on.node.as_str();
                        self.fields(&def.node.selection_set.node, on, key, out, depth + 1);
                    }
                }
            }
        }
    }

    /// The response keys of `set`, fragments included, in the order they are selected.
    fn keys(&self, set: &'a SelectionSet, out: &mut Vec<Name>, depth: usize) {
        if depth > MAX_FRAGMENT_NESTING {
            return;
        }
        for selection in &set.items {
            match &selection.node {
                Selection::Field(f) => {
                    let key = &f.node.response_key().node;
                    if !out.contains(key) {
                        out.push(key.clone());
                    }
                }
                Selection::InlineFragment(frag) => self.keys(&frag.node.selection_set.node, out, depth + 1),
                Selection::FragmentSpread(spread) => {
                    if let Some(def) = self.doc.fragments.get(&spread.node.fragment_name.node) {
                        self.keys(&def.node.selection_set.node, out, depth + 1);
                    }
                }
            }
        }
    }
}

/// Fragments nest at most this deep in a document that passed the depth limit.
const MAX_FRAGMENT_NESTING: usize = 64;

/// Puts the errored field at `path` back into its object as null, at its place in `order`. An
/// object on the way that async-graphql answered as null (every field of it failed) is an
/// object again.
fn put_back(data: &mut Value, path: &[PathSegment], order: &[Name]) {
    let mut at = data;
    for (i, segment) in path.iter().enumerate() {
        let last = i + 1 == path.len();
        match segment {
            PathSegment::Field(key) => {
                if *at == Value::Null {
                    *at = Value::Object(Default::default());
                }
                let Value::Object(map) = at else { return };
                if last {
                    let key = Name::new(key);
                    if !map.contains_key(&key) {
                        let rank = |k: &Name| order.iter().position(|o| o == k).unwrap_or(usize::MAX);
                        let mine = rank(&key);
                        let index = map.keys().filter(|k| rank(k) < mine).count();
                        map.shift_insert(index, key, Value::Null);
                    }
                    return;
                }
                match map.get_mut(key.as_str()) {
                    Some(next) => at = next,
                    None => return,
                }
            }
            PathSegment::Index(n) => {
                let Value::List(items) = at else { return };
                match items.get_mut(*n) {
                    Some(next) if !last => at = next,
                    _ => return,
                }
            }
        }
    }
}

/// Passes the null at `path` up while its position is non-null: the parent becomes null, and so
/// on; a non-null root field makes `data` null.
fn pass_up(data: &mut Value, path: &[PathSegment], nullable: &[bool]) {
    // A null already passed up through this path (by another error) leaves nothing to do.
    if !matches!(at(data, path), Some(Value::Null)) {
        return;
    }
    let mut i = path.len() - 1;
    while !nullable[i] {
        if i == 0 {
            *data = Value::Null;
            return;
        }
        match at(data, &path[..i]) {
            Some(parent) => *parent = Value::Null,
            None => return,
        }
        i -= 1;
    }
}

/// The value at `path`, when every position above it is an object or a list.
fn at<'v>(data: &'v mut Value, path: &[PathSegment]) -> Option<&'v mut Value> {
    let mut at = data;
    for segment in path {
        at = match (segment, at) {
            (PathSegment::Field(key), Value::Object(map)) => map.get_mut(key.as_str())?,
            (PathSegment::Index(n), Value::List(items)) => items.get_mut(*n)?,
            _ => return None,
        };
    }
    Some(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SDL: &str = r#"
        type Query { task(n: Int): Task  tasks: [Task!]!  first: Task!  node(id: ID!): Node }
        interface Node { id: ID! }
        type Task implements Node { id: ID! number: Int! title: String reports: [Report!]! owner: Owner! }
        type Owner { name: String! }
        type Report implements Node { id: ID! value: Int! note: String }
    "#;

    /// `data` (as async-graphql answered `query`) once the errors at `paths` are handled.
    fn mend(query: &str, data: &str, paths: &[&str]) -> String {
        let types = TypeIndex::from_sdl(SDL);
        let doc = async_graphql::parser::parse_query(query).expect("a query");
        let mut response = Response::new(serde_json::from_str::<Value>(data).expect("JSON"));
        for p in paths {
            let mut e = async_graphql::ServerError::new("failed", None);
            e.path = serde_json::from_str(p).expect("a path");
            response.errors.push(e);
        }
        propagate(&mut response, &doc, None, &types);
        serde_json::to_string(&response.data).expect("JSON")
    }

    #[test]
    fn a_non_null_field_nulls_its_nullable_parent() {
        let data = mend(
            "{ task(n: 29) { number reports { value } } }",
            r#"{"task":{"number":29}}"#,
            &[r#"["task","reports"]"#],
        );
        assert_eq!(data, r#"{"task":null}"#);
    }

    #[test]
    fn a_nullable_field_is_null_in_its_place() {
        let data =
            mend("{ task(n: 1) { number title id } }", r#"{"task":{"number":1,"id":"x"}}"#, &[r#"["task","title"]"#]);
        assert_eq!(data, r#"{"task":{"number":1,"title":null,"id":"x"}}"#);
    }

    #[test]
    fn a_root_field_that_failed_alone_is_null_not_the_data() {
        let data = mend(r#"{ node(id: "garbage") { id } }"#, "null", &[r#"["node"]"#]);
        assert_eq!(data, r#"{"node":null}"#);
    }

    #[test]
    fn a_non_null_root_field_nulls_the_data() {
        let query = "{ task(n: 1) { number } first { owner { name } } }";
        let data = mend(query, r#"{"task":{"number":1},"first":{"owner":null}}"#, &[r#"["first","owner","name"]"#]);
        assert_eq!(data, "null");
    }

    #[test]
    fn non_null_list_items_pass_the_null_to_the_list_and_up() {
        let query = "{ task(n: 1) { reports { value note } } }";
        let data = r#"{"task":{"reports":[{"value":1,"note":"a"},{"note":"b"}]}}"#;
        assert_eq!(mend(query, data, &[r#"["task","reports",1,"value"]"#]), r#"{"task":null}"#);
        let data = r#"{"task":{"reports":[{"value":1,"note":"a"},{"value":2}]}}"#;
        let mended = mend(query, data, &[r#"["task","reports",1,"note"]"#]);
        assert_eq!(mended, r#"{"task":{"reports":[{"value":1,"note":"a"},{"value":2,"note":null}]}}"#);
    }

    #[test]
    fn aliases_and_fragments_are_followed() {
        let query =
            "query { t: task(n: 1) { ...F } } fragment F on Task { num: number ... on Task { owner { name } } }";
        assert_eq!(mend(query, r#"{"t":{"num":1}}"#, &[r#"["t","owner"]"#]), r#"{"t":null}"#);
        let query = r#"{ node(id: "r") { id ... on Report { value note } } }"#;
        let data = mend(query, r#"{"node":{"id":"r","value":3}}"#, &[r#"["node","note"]"#]);
        assert_eq!(data, r#"{"node":{"id":"r","value":3,"note":null}}"#);
    }

    #[test]
    fn an_object_whose_fields_all_failed_is_an_object_of_nulls() {
        let data =
            mend("{ task(n: 1) { title } tasks { number } }", r#"{"task":null,"tasks":[]}"#, &[r#"["task","title"]"#]);
        assert_eq!(data, r#"{"task":{"title":null},"tasks":[]}"#);
    }

    #[test]
    fn two_errors_under_one_parent_pass_one_null() {
        let query = "{ task(n: 1) { number owner { name } reports { value } } }";
        let data = mend(query, r#"{"task":{"number":1}}"#, &[r#"["task","owner"]"#, r#"["task","reports"]"#]);
        assert_eq!(data, r#"{"task":null}"#);
    }

    #[test]
    fn a_path_the_schema_does_not_describe_is_left_alone() {
        let data = mend("{ task(n: 1) { number } }", r#"{"task":{"number":1}}"#, &[r#"["__schema","types"]"#]);
        assert_eq!(data, r#"{"task":{"number":1}}"#);
    }
}
