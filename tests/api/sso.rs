//! Single sign-on by JWT over the real router: keys made here with openssl, a JWKS file and a
//! JWKS URL, RS256 and ES256, every claim check.

use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};

use crate::support::{Backend, TestApp, code};

const ISSUER: &str = "https://sso.portal.example";
const AUDIENCE: &str = "qingdan";

fn openssl(dir: &Path, args: &[&str]) -> Vec<u8> {
    let out = Command::new("openssl").current_dir(dir).args(args).output().expect("openssl");
    assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

/// An RSA and a P-256 key pair: (RS256 signer, ES256 signer, their public JWKs).
fn keys(dir: &Path) -> (EncodingKey, EncodingKey, Value, Value) {
    openssl(dir, &["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "rsa.pem"]);
    let modulus = String::from_utf8(openssl(dir, &["rsa", "-in", "rsa.pem", "-noout", "-modulus"])).expect("utf-8");
    let hex = modulus.trim().trim_start_matches("Modulus=");
    let n: Vec<u8> = (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex")).collect();
    openssl(dir, &["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ec.pem"]);
    openssl(dir, &["pkcs8", "-topk8", "-nocrypt", "-in", "ec.pem", "-out", "ec8.pem"]);
    let der = openssl(dir, &["ec", "-in", "ec.pem", "-pubout", "-outform", "DER"]);
    let point = &der[der.len() - 64..];
    let rsa = EncodingKey::from_rsa_pem(&std::fs::read(dir.join("rsa.pem")).expect("pem")).expect("an RSA key");
    let ec = EncodingKey::from_ec_pem(&std::fs::read(dir.join("ec8.pem")).expect("pem")).expect("an EC key");
    let rsa_jwk = json!({ "kty": "RSA", "kid": "r1", "alg": "RS256", "use": "sig", "n": URL_SAFE_NO_PAD.encode(&n), "e": "AQAB" });
    let ec_jwk = json!({ "kty": "EC", "kid": "e1", "alg": "ES256", "use": "sig", "crv": "P-256",
        "x": URL_SAFE_NO_PAD.encode(&point[..32]), "y": URL_SAFE_NO_PAD.encode(&point[32..]) });
    (rsa, ec, rsa_jwk, ec_jwk)
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn token(key: &EncodingKey, alg: Algorithm, kid: &str, claims: Value) -> String {
    let mut header = Header::new(alg);
    header.kid = Some(kid.into());
    encode(&header, &claims, key).expect("sign")
}

fn claims(role: &str, department: Option<&str>) -> Value {
    let mut c =
        json!({ "iss": ISSUER, "aud": AUDIENCE, "sub": "alice", "exp": now() + 600, "nbf": now() - 5, "role": role });
    if let Some(d) = department {
        c["department"] = json!(d);
    }
    c
}

async fn ask(addr: std::net::SocketAddr, jwt: &str, query: &str, variables: Value) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(format!("http://{addr}/graphql"))
        .bearer_auth(jwt)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .expect("POST");
    (r.status().as_u16(), r.json().await.expect("JSON"))
}

async fn app_with(jwks: &str) -> TestApp {
    let mut app = TestApp::spawn(Backend::Sqlite).await;
    app.state.limits.jwt_issuer = Some(ISSUER.into());
    app.state.limits.jwt_audience = Some(AUDIENCE.into());
    app.state.limits.jwt_jwks = Some(jwks.into());
    app.state.sso = qingdan::settings::single_sign_on(&app.state.limits).await.expect("the JWKS");
    app
}

const WHO: &str = "{ viewer { role label department { name } } }";

#[tokio::test]
async fn portal_jwts_sign_in_with_their_role_and_department_and_every_claim_is_checked() {
    let dir = tempfile::tempdir().expect("dir");
    let (rsa, ec, rsa_jwk, ec_jwk) = keys(dir.path());
    let file = dir.path().join("jwks.json");
    std::fs::write(&file, json!({ "keys": [rsa_jwk, ec_jwk] }).to_string()).expect("write");
    let app = app_with(file.to_str().expect("path")).await;
    let addr = app.serve().await;

    let reporter = token(&rsa, Algorithm::RS256, "r1", claims("reporter", Some("市税务局")));
    let (status, body) = ask(addr, &reporter, WHO, json!({})).await;
    assert_eq!(status, 200, "{body:#}");
    assert_eq!(body["data"]["viewer"]["role"], "REPORTER");
    assert_eq!(body["data"]["viewer"]["department"]["name"], "市税务局");
    let supervisor = token(&ec, Algorithm::ES256, "e1", claims("supervisor", Some("市政务服务办")));
    let (_, body) = ask(addr, &supervisor, WHO, json!({})).await;
    assert_eq!(body["data"]["viewer"]["role"], "SUPERVISOR", "{body:#}");

    // A portal user reports like a CLI reporter, and the trail names the subject.
    let q = "mutation($t: ID!, $p: ID!) { submitReport(input: {taskId: $t, periodId: $p, status: ON_TRACK,
        progressPercent: 20, summary: \"门户提交\"}) { report { revision submittedBy } } }";
    let (_, body) = ask(addr, &reporter, q, json!({ "t": app.task_id(29).await, "p": app.period_id(1).await })).await;
    assert_eq!(body["data"]["submitReport"]["report"]["revision"], 1, "{body:#}");
    assert_eq!(body["data"]["submitReport"]["report"]["submittedBy"], "sso alice");
    let (_, trail) = ask(
        addr,
        &supervisor,
        "{ events(filter: {action: \"report.submitted\"}) { nodes { actorId role } } }",
        json!({}),
    )
    .await;
    assert_eq!(trail["data"]["events"]["nodes"][0]["actorId"], "sso:alice", "{trail:#}");

    let mut expired = claims("viewer", None);
    expired["exp"] = json!(now() - 120);
    let mut early = claims("viewer", None);
    early["nbf"] = json!(now() + 600);
    let mut issuer = claims("viewer", None);
    issuer["iss"] = json!("https://evil.example");
    let mut audience = claims("viewer", None);
    audience["aud"] = json!("another-api");
    let mut no_exp = claims("viewer", None);
    no_exp.as_object_mut().expect("object").remove("exp");
    let (other, _, _, _) = keys(&tempfile::tempdir().expect("dir").keep());
    let refused = [
        ("expired", token(&rsa, Algorithm::RS256, "r1", expired)),
        ("not yet valid", token(&rsa, Algorithm::RS256, "r1", early)),
        ("another issuer", token(&rsa, Algorithm::RS256, "r1", issuer)),
        ("another audience", token(&rsa, Algorithm::RS256, "r1", audience)),
        ("no exp", token(&rsa, Algorithm::RS256, "r1", no_exp)),
        ("unknown department", token(&rsa, Algorithm::RS256, "r1", claims("reporter", Some("不存在的局")))),
        ("unknown role", token(&rsa, Algorithm::RS256, "r1", claims("mayor", None))),
        ("reporter without department", token(&rsa, Algorithm::RS256, "r1", claims("reporter", None))),
        ("collective", token(&rsa, Algorithm::RS256, "r1", claims("reporter", Some("市级有关单位")))),
        ("unknown kid", token(&rsa, Algorithm::RS256, "r9", claims("viewer", None))),
        ("another key, same kid", token(&other, Algorithm::RS256, "r1", claims("admin", None))),
        ("ES256 key as RS256", token(&rsa, Algorithm::RS256, "e1", claims("viewer", None))),
        ("HS256", {
            let mut h = Header::new(Algorithm::HS256);
            h.kid = Some("r1".into());
            encode(&h, &claims("admin", None), &EncodingKey::from_secret(b"guess")).expect("sign")
        }),
    ];
    for (case, jwt) in refused {
        let (status, body) = ask(addr, &jwt, WHO, json!({})).await;
        assert_eq!((status, code(&body)), (401, "UNAUTHENTICATED"), "{case}: {body:#}");
    }
}

#[tokio::test]
async fn a_jwks_url_is_fetched_again_when_a_token_names_an_unknown_key() {
    let dir = tempfile::tempdir().expect("dir");
    let (rsa, ec, rsa_jwk, ec_jwk) = keys(dir.path());
    let served = Arc::new(Mutex::new(json!({ "keys": [rsa_jwk] })));
    let fetches = Arc::new(Mutex::new(0));
    let (s, f) = (served.clone(), fetches.clone());
    let router = axum::Router::new().route(
        "/jwks.json",
        axum::routing::get(move || {
            let (s, f) = (s.clone(), f.clone());
            async move {
                *f.lock().expect("lock") += 1;
                axum::Json(s.lock().expect("lock").clone())
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let jwks_addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, router).await.ok() });
    let app = app_with(&format!("http://{jwks_addr}/jwks.json")).await;
    let addr = app.serve().await;
    assert_eq!(*fetches.lock().expect("lock"), 1, "fetched at start");

    let (_, body) = ask(addr, &token(&rsa, Algorithm::RS256, "r1", claims("viewer", None)), WHO, json!({})).await;
    assert_eq!(body["data"]["viewer"]["role"], "VIEWER", "{body:#}");
    // The issuer rotates in a new key: the first token naming it makes the server fetch again.
    served.lock().expect("lock")["keys"].as_array_mut().expect("keys").push(ec_jwk);
    let (status, body) = ask(addr, &token(&ec, Algorithm::ES256, "e1", claims("admin", None)), WHO, json!({})).await;
    assert_eq!((status, &body["data"]["viewer"]["role"]), (200, &json!("ADMIN")), "{body:#}");
    assert_eq!(*fetches.lock().expect("lock"), 2, "one refresh for the unknown kid");
}

#[tokio::test]
async fn a_department_in_several_regions_is_named_by_the_region_claim_or_its_full_name_and_else_refused_401() {
    let dir = tempfile::tempdir().expect("dir");
    let (rsa, _, rsa_jwk, _) = keys(dir.path());
    let file = dir.path().join("jwks.json");
    std::fs::write(&file, json!({ "keys": [rsa_jwk] }).to_string()).expect("write");
    let app = app_with(file.to_str().expect("path")).await;
    qingdan::import::import_text(app.state.primary(), crate::importing::SHANGHAI, false)
        .await
        .expect("a second region");
    let addr = app.serve().await;
    const WHERE: &str = "{ viewer { department { name region } } }";

    // 市发展改革委 is in 天津 and in 上海: the claim alone names no one department.
    let (status, body) =
        ask(addr, &token(&rsa, Algorithm::RS256, "r1", claims("reporter", Some("市发展改革委"))), WHERE, json!({}))
            .await;
    assert_eq!((status, code(&body)), (401, "UNAUTHENTICATED"), "{body:#}");
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("天津") && message.contains("上海") && message.contains("\"region\""), "{message}");

    let mut with_region = claims("reporter", Some("市发展改革委"));
    with_region["region"] = json!("上海");
    let (status, body) = ask(addr, &token(&rsa, Algorithm::RS256, "r1", with_region), WHERE, json!({})).await;
    assert_eq!(status, 200, "{body:#}");
    assert_eq!(body["data"]["viewer"]["department"], json!({ "name": "市发展改革委", "region": "上海" }));

    let full = claims("reporter", Some("天津市发展改革委"));
    let (status, body) = ask(addr, &token(&rsa, Algorithm::RS256, "r1", full), WHERE, json!({})).await;
    assert_eq!(status, 200, "{body:#}");
    assert_eq!(body["data"]["viewer"]["department"], json!({ "name": "市发展改革委", "region": "天津" }));

    let mut elsewhere = claims("reporter", Some("市发展改革委"));
    elsewhere["region"] = json!("北京");
    let (status, body) = ask(addr, &token(&rsa, Algorithm::RS256, "r1", elsewhere), WHERE, json!({})).await;
    assert_eq!((status, code(&body)), (401, "UNAUTHENTICATED"), "{body:#}");
}
