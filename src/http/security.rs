//! Request ids, CORS and the GraphiQL page with its content security policy.

use std::sync::Arc;
use std::time::Duration;

use async_graphql::http::GraphiQLSource;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use rand::RngCore as _;
use sha2::{Digest, Sha256};
use tower_http::cors::{AllowOrigin, CorsLayer};

/// `x-request-id`: set on every response, logged with every request, quoted by INTERNAL errors.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The id of a request (always ours: a client's own `x-request-id` is not trusted into logs).
#[derive(Debug, Clone)]
pub struct RequestId(pub Arc<str>);

impl RequestId {
    fn generate() -> Self {
        let mut bytes = [0u8; 8];
        rand::rng().fill_bytes(&mut bytes);
        Self(bytes.iter().map(|b| format!("{b:02x}")).collect::<String>().into())
    }
}

/// Gives the request an id and answers with it.
pub async fn assign_request_id(mut req: Request, next: Next) -> Response {
    let id = RequestId::generate();
    req.extensions_mut().insert(id.clone());
    let mut response = next.run(req).await;
    if let Ok(v) = HeaderValue::from_str(&id.0) {
        response.headers_mut().insert(REQUEST_ID, v);
    }
    response
}

/// CORS for the configured origins; `None` (no CORS headers at all) without any.
pub fn cors(origins: &[String]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    let allow = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()))
    };
    Some(
        CorsLayer::new()
            .allow_origin(allow)
            .allow_methods([Method::GET, Method::POST])
            .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION, header::ACCEPT])
            .expose_headers([header::RETRY_AFTER, REQUEST_ID])
            .max_age(Duration::from_secs(600)),
    )
}

/// GraphiQL's HTML, rendered once, and the policy that lets exactly it run.
#[derive(Debug)]
pub struct GraphiqlPage {
    html: String,
    /// The policy without `connect-src`, which depends on the request's host.
    policy: String,
}

/// Where async-graphql's GraphiQL page loads React, GraphiQL and its stylesheet from.
const CDN: &str = "https://unpkg.com";

impl GraphiqlPage {
    pub fn new() -> Self {
        let html =
            GraphiQLSource::build().endpoint("/graphql").subscription_endpoint("/graphql/ws").title("qingdan").finish();
        // The page's one inline script is allowed by its hash, not by 'unsafe-inline'. Styles
        // need 'unsafe-inline': GraphiQL injects <style> elements at run time.
        let scripts: Vec<String> = inline_blocks(&html, "script").map(|s| format!("'sha256-{}'", sha256(s))).collect();
        let policy = format!(
            "default-src 'none'; script-src {CDN} {}; style-src {CDN} 'unsafe-inline'; \
             img-src 'self' data: https://graphql.org; font-src 'self' data:; \
             base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
            scripts.join(" ")
        );
        Self { html, policy }
    }

    /// The page, with its policy and `connect-src` for this server's HTTP and WebSocket.
    pub fn respond(&self, headers: &HeaderMap) -> Response {
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .filter(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c)));
        let connect = match host {
            Some(h) => format!("connect-src 'self' ws://{h} wss://{h}"),
            None => "connect-src 'self'".to_owned(),
        };
        let policy = format!("{}; {connect}", self.policy);
        let mut response = axum::response::Html(self.html.clone()).into_response();
        if let Ok(v) = HeaderValue::from_str(&policy) {
            response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, v);
        }
        response.headers_mut().insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
        response
    }
}

impl Default for GraphiqlPage {
    fn default() -> Self {
        Self::new()
    }
}

/// Contents of the `<tag>` elements of `html` that have no `src`.
pub fn inline_blocks<'a>(html: &'a str, tag: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    let open = format!("<{tag}");
    let close = format!("</{tag}>");
    let mut rest = html;
    std::iter::from_fn(move || {
        loop {
            let start = rest.find(&open)?;
            let after = &rest[start + open.len()..];
            let tag_end = after.find('>')?;
            let attributes = &after[..tag_end];
            let body = &after[tag_end + 1..];
            let end = body.find(&close)?;
            rest = &body[end + close.len()..];
            if !attributes.contains("src=") {
                return Some(&body[..end]);
            }
        }
    })
}

fn sha256(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text.as_bytes()))
}
