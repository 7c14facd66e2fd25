//! What the request guard knows of the schema's types, read once from its SDL: per type, its
//! fields' types (with their lists and non-null marks) and whether they are connections; the
//! root types; the members of each interface and union.

use std::collections::HashMap;

use async_graphql::parser::types::{BaseType, OperationType, Type, TypeKind, TypeSystemDefinition};

/// Per type, its fields' types and whether they are connections (take `first`/`last`).
#[derive(Debug, Default)]
pub struct TypeIndex {
    fields: HashMap<String, HashMap<String, FieldType>>,
    query: String,
    mutation: Option<String>,
    subscription: Option<String>,
}

/// One field of a type.
#[derive(Debug)]
pub struct FieldType {
    /// The named type, without lists and marks: `Task` of `[Task!]!`.
    pub named: String,
    /// The type as declared.
    pub ty: Type,
    /// The field takes `first` or `last`.
    pub connection: bool,
}

impl TypeIndex {
    /// The index of the schema whose SDL is `sdl`.
    pub fn from_sdl(sdl: &str) -> Self {
        let mut index = Self { query: "Query".into(), ..Self::default() };
        let doc = match async_graphql::parser::parse_schema(sdl) {
            Ok(doc) => doc,
            Err(e) => {
                tracing::error!(error = %e, "cannot read the schema's SDL: connections count as single fields");
                return index;
            }
        };
        for def in doc.definitions {
            match def {
                TypeSystemDefinition::Schema(s) => {
                    if let Some(q) = s.node.query {
                        index.query = q.node.to_string();
                    }
                    index.mutation = s.node.mutation.map(|m| m.node.to_string());
                    index.subscription = s.node.subscription.map(|m| m.node.to_string());
                }
                TypeSystemDefinition::Type(t) => {
                    let fields = match t.node.kind {
                        TypeKind::Object(o) => o.fields,
                        TypeKind::Interface(i) => i.fields,
                        _ => continue,
                    };
                    let fields = fields
                        .into_iter()
                        .map(|f| {
                            let connection =
                                f.node.arguments.iter().any(|a| matches!(a.node.name.node.as_str(), "first" | "last"));
                            let ty = f.node.ty.node;
                            (f.node.name.node.to_string(), FieldType { named: named(&ty), ty, connection })
                        })
                        .collect();
                    index.fields.insert(t.node.name.node.to_string(), fields);
                }
                TypeSystemDefinition::Directive(_) => {}
            }
        }
        index
    }

    /// The root type of operations of kind `ty`.
    pub fn root(&self, ty: OperationType) -> Option<&str> {
        match ty {
            OperationType::Query => Some(&self.query),
            OperationType::Mutation => self.mutation.as_deref(),
            OperationType::Subscription => self.subscription.as_deref(),
        }
    }

    /// The field `name` of type `ty` (an object or an interface).
    pub fn field(&self, ty: &str, name: &str) -> Option<&FieldType> {
        self.fields.get(ty)?.get(name)
    }
}

/// `Task` of `[Task!]!`.
fn named(ty: &Type) -> String {
    match &ty.base {
        BaseType::Named(n) => n.to_string(),
        BaseType::List(inner) => named(inner),
    }
}
