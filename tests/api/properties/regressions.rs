//! Operations that earlier runs of the property test found failing, replayed first on every
//! run (a fixed corpus, as a fuzzer keeps one), anonymously and as admin, under the same checks.

use serde_json::{Value, json};

use super::generator::Operation;
use super::operations::{How, Reply, Target, check, send};

/// Index of the admin token in `Target::auth`.
const ADMIN: usize = 3;

/// (what it found, query). Fixed by the query guard refusing U+0000 (BAD_USER_INPUT) on both
/// backends: INTERNAL on PostgreSQL, text with U+0000 reached SQL
/// ("invalid byte sequence for encoding UTF8: 0x00"). Fixed after 44cfe41: errors without
/// extensions.code for argument values async-graphql parses at execution time.
const CASES: &[(&str, &str)] = &[
    ("U+0000 in a name", r#"{ department(name: "\u0000") { id } }"#),
    ("U+0000 in a search", r#"{ tasks(filter: { search: "a\u0000" }) { totalCount } }"#),
    ("U+0000 in a filter", r#"{ departments(filter: { nameContains: "\u0000" }) { totalCount } }"#),
    ("U+0000 in a region", r#"{ departments(filter: { region: "\u0000" }) { totalCount } }"#),
    (
        "a date that does not parse",
        r#"{ obligations(periodId: "UmVwb3J0aW5nUGVyaW9kOjE", asOf: "today") { totalCount } }"#,
    ),
    ("an Int beyond 32 bits", "{ task(number: 5623281614) { id } }"),
    ("an Int beyond 32 bits in an input", "{ tasks(filter: { categoryNumber: 2147483648 }) { totalCount } }"),
    ("every field skipped", "{ __typename @skip(if: true) }"),
];

const SUBMIT: &str = "mutation($input: SubmitReportInput!) { submitReport(input: $input) { report { revision } } }";

fn op(query: &str, variables: Value) -> Operation {
    Operation { query: query.to_owned(), variables, is_mutation: query.starts_with("mutation") }
}

fn post(auth: Option<String>) -> How {
    How { accept: "application/json", auth, get: false }
}

fn failure(what: &str, op: &Operation, reply: &Reply, why: &str) -> String {
    format!("regression ({what}): {why}\n    query: {}\n    HTTP {}: {}", op.query, reply.status, reply.body)
}

/// Replays the corpus; the failures, one per case.
pub async fn replay(target: &Target) -> Vec<String> {
    let admin = target.auth.get(ADMIN).cloned().flatten();
    let mut failures = Vec::new();
    for (what, query) in CASES {
        for auth in [None, admin.clone()] {
            let op = op(query, json!({}));
            let reply = send(target, &op, post(auth)).await;
            if let Err(why) = check(&reply) {
                failures.push(failure(what, &op, &reply, &why));
                break;
            }
        }
    }
    // A summary with U+0000, stored by an admin for 市税务局 on task 29.
    let q = r#"{ task(number: 29) { id } department(name: "市税务局") { id } reportingPeriods { id } }"#;
    let ids = send(target, &op(q, json!({})), post(admin.clone())).await;
    let ids: Value = serde_json::from_str(&ids.body).unwrap_or_default();
    let input = json!({ "taskId": ids["data"]["task"]["id"], "departmentId": ids["data"]["department"]["id"],
        "periodId": ids["data"]["reportingPeriods"][0]["id"], "status": "ON_TRACK", "progressPercent": 1,
        "summary": "a\u{0}b" });
    let submit = op(SUBMIT, json!({ "input": input }));
    let reply = send(target, &submit, post(admin.clone())).await;
    if let Err(why) = check(&reply) {
        failures.push(failure("U+0000 in a summary", &submit, &reply, &why));
    }
    // Fixed after 44cfe41: refusing a request without reading its body (a bad token: 401; too
    // large: 413) closed the kept-alive connection without `Connection: close`, so the
    // client's next request on it got no response.
    let plain = op("{ documents { title } }", json!({}));
    let large = op("{ documents { title } }", json!({ "padding": "x".repeat(70_000) }));
    for (what, first, auth) in [
        ("the request after a 401", &plain, Some("Bearer not-a-token".to_owned())),
        ("the request after a 413", &large, None),
    ] {
        for _ in 0..20 {
            let refused = send(target, first, post(auth.clone())).await;
            let next = send(target, &plain, post(None)).await;
            if let Err(why) = check(&refused).and_then(|_| check(&next)) {
                failures.push(failure(what, &plain, &next, &why));
                break;
            }
        }
    }
    failures
}
