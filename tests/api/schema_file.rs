//! `schema.graphql` is generated from the code.

#[test]
fn schema_graphql_matches_the_code() {
    let sdl = qingdan::schema_sdl();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(committed == sdl, "schema.graphql is stale; regenerate it with: cargo run -- schema > schema.graphql");
}

#[tokio::test]
async fn every_type_field_and_argument_has_a_description() {
    let schema = qingdan::build_schema(None);
    let q = "{ __schema { types { name kind description fields { name description args { name description } }
        inputFields { name description } enumValues { name description } } } }";
    let resp = serde_json::to_value(schema.execute(q).await).expect("json");
    let mut missing = Vec::new();
    let empty = |v: &serde_json::Value| v.as_str().is_none_or(|s| s.trim().is_empty());
    for t in resp["data"]["__schema"]["types"].as_array().expect("types") {
        let name = t["name"].as_str().unwrap_or_default();
        if name.starts_with("__") || ["String", "Int", "Float", "Boolean", "ID"].contains(&name) {
            continue;
        }
        if empty(&t["description"]) {
            missing.push(name.to_owned());
        }
        for f in t["fields"].as_array().into_iter().flatten().chain(t["inputFields"].as_array().into_iter().flatten()) {
            if empty(&f["description"]) {
                missing.push(format!("{name}.{}", f["name"]));
            }
            for a in f["args"].as_array().into_iter().flatten() {
                if empty(&a["description"]) {
                    missing.push(format!("{name}.{}({})", f["name"], a["name"]));
                }
            }
        }
        for v in t["enumValues"].as_array().into_iter().flatten() {
            if empty(&v["description"]) {
                missing.push(format!("{name}.{}", v["name"]));
            }
        }
    }
    assert!(missing.is_empty(), "undocumented schema members:\n{}", missing.join("\n"));
}
