//! The introspection queries real clients send (GraphiQL's graphql-js, Python's graphql-core)
//! are answered: they are deeper than the operation depth limit, but the schema bounds them.

use crate::support::{Backend, TestApp};

/// graphql-js 16 `getIntrospectionQuery({ descriptions: true, specifiedByUrl: true,
/// directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true })`, the
/// query GraphiQL sends on its first screen: depth 15.
pub const GRAPHIQL_INTROSPECTION: &str = r#"
query IntrospectionQuery {
  __schema {
    description
    queryType { name }
    mutationType { name }
    subscriptionType { name }
    types { ...FullType }
    directives { name description isRepeatable locations args(includeDeprecated: true) { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description specifiedByURL
  fields(includeDeprecated: true) {
    name description args(includeDeprecated: true) { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason
  }
  inputFields(includeDeprecated: true) { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue {
  name description type { ...TypeRef } defaultValue isDeprecated deprecationReason
}
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name
    ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } } }
}
"#;

#[tokio::test]
async fn graphiqls_introspection_query_is_answered_though_deeper_than_the_depth_limit() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let resp = app.query(GRAPHIQL_INTROSPECTION).await;
    assert!(resp.get("errors").is_none(), "{resp}");
    let types = resp["data"]["__schema"]["types"].as_array().map_or(0, Vec::len);
    assert!(types > 50, "the schema's types: {types}");
    assert_eq!(resp["data"]["__schema"]["queryType"]["name"], "Query");
}

#[tokio::test]
async fn an_ordinary_query_deeper_than_the_limit_is_still_refused_and_so_is_a_runaway_type_reference() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let deep = "{ tasks { nodes { category { tasks { nodes { category { tasks { nodes { category { tasks { nodes { category { tasks { nodes { number } } } } } } } } } } } } } } }";
    assert_eq!(app.error_code(deep).await, "LIMIT_EXCEEDED");
    let of_type = "ofType { ".repeat(30) + "name" + &" }".repeat(30);
    let runaway = format!("{{ __type(name: \"Task\") {{ fields {{ type {{ {of_type} }} }} }} }}");
    let resp = app.query(&runaway).await;
    assert_eq!(crate::support::code(&resp), "LIMIT_EXCEEDED", "{resp}");
    assert!(resp.to_string().contains("introspection depth"), "{resp}");
}
