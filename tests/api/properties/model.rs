//! The schema as the generator sees it: read by introspection from the running server, so
//! the operations follow the real schema (and a new field is fuzzed without touching this).

use std::collections::BTreeMap;

use serde::Deserialize;

/// Enough of `__schema` to build operations: every type with its fields, arguments, input
/// fields, enum values and possible types, type references three wrappers deep.
pub const INTROSPECTION: &str = "
fragment R on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }
query Introspect { __schema {
  queryType { name } mutationType { name } subscriptionType { name }
  types { kind name
    fields { name args { name type { ...R } } type { ...R } }
    inputFields { name type { ...R } }
    enumValues { name }
    possibleTypes { name }
  }
} }";

#[derive(Debug, Clone, Deserialize)]
pub struct TypeRef {
    pub kind: String,
    pub name: Option<String>,
    #[serde(rename = "ofType")]
    pub of_type: Option<Box<TypeRef>>,
}

impl TypeRef {
    /// The named type under the list and non-null wrappers.
    pub fn named(&self) -> &str {
        match (&self.name, &self.of_type) {
            (Some(n), _) => n,
            (None, Some(inner)) => inner.named(),
            (None, None) => "",
        }
    }

    /// The reference as written in a variable definition (`[ID!]!`).
    pub fn render(&self) -> String {
        let inner = || self.of_type.as_ref().map(|t| t.render()).unwrap_or_default();
        match self.kind.as_str() {
            "NON_NULL" => format!("{}!", inner()),
            "LIST" => format!("[{}]", inner()),
            _ => self.name.clone().unwrap_or_default(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct InputValue {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: TypeRef,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Field {
    pub name: String,
    pub args: Vec<InputValue>,
    #[serde(rename = "type")]
    pub ty: TypeRef,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Named {
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct FullType {
    pub kind: String,
    pub name: String,
    pub fields: Option<Vec<Field>>,
    #[serde(rename = "inputFields")]
    pub input_fields: Option<Vec<InputValue>>,
    #[serde(rename = "enumValues")]
    pub enum_values: Option<Vec<Named>>,
    #[serde(rename = "possibleTypes")]
    pub possible_types: Option<Vec<Named>>,
}

#[derive(Debug, Clone, Deserialize)]
struct Raw {
    #[serde(rename = "queryType")]
    query: Named,
    #[serde(rename = "mutationType")]
    mutation: Option<Named>,
    #[serde(rename = "subscriptionType")]
    subscription: Option<Named>,
    types: Vec<FullType>,
}

/// The schema by type name, with its root types.
#[derive(Debug, Clone)]
pub struct Model {
    pub types: BTreeMap<String, FullType>,
    pub query: String,
    pub mutation: Option<String>,
    pub subscription: Option<String>,
}

impl Model {
    /// From the `data` of [`INTROSPECTION`].
    pub fn from_introspection(data: &serde_json::Value) -> Self {
        let raw: Raw = serde_json::from_value(data["__schema"].clone()).expect("an introspection result");
        let types = raw.types.into_iter().filter(|t| !t.name.starts_with("__")).map(|t| (t.name.clone(), t)).collect();
        Self {
            types,
            query: raw.query.name,
            mutation: raw.mutation.map(|m| m.name),
            subscription: raw.subscription.map(|s| s.name),
        }
    }

    pub fn kind(&self, name: &str) -> &str {
        self.types.get(name).map_or("SCALAR", |t| t.kind.as_str())
    }

    /// Scalars and enums have no selection set.
    pub fn is_leaf(&self, name: &str) -> bool {
        matches!(self.kind(name), "SCALAR" | "ENUM")
    }
}
