//! GraphQL over HTTP: what the client accepts, and the request it sent (GET or POST).
//!
//! Follows the GraphQL-over-HTTP draft: `application/graphql-response+json` when the client
//! names it, `application/json` otherwise; POST bodies are `application/json` objects (one
//! operation: batches are refused); GET carries queries only.

use async_graphql::parser::types::OperationType;
use axum::body::Body;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use futures_util::StreamExt as _;
use serde_json::{Map, Value};

/// The media type of a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaType {
    /// `application/graphql-response+json`: status codes tell request errors apart.
    GraphQlResponse,
    /// `application/json`: every well-formed request gets 200.
    Json,
}

impl MediaType {
    pub fn content_type(self) -> &'static str {
        match self {
            Self::GraphQlResponse => "application/graphql-response+json; charset=utf-8",
            Self::Json => "application/json; charset=utf-8",
        }
    }
}

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

/// The response type for `Accept`: None when neither type is acceptable (406).
pub fn negotiate(headers: &HeaderMap) -> Option<MediaType> {
    let accept: Vec<&str> = headers.get_all(header::ACCEPT).iter().filter_map(|v| v.to_str().ok()).collect();
    let ranges: Vec<(String, f32)> = accept
        .iter()
        .flat_map(|v| v.split(','))
        .filter_map(|range| {
            let mut parts = range.split(';');
            let media = parts.next()?.trim().to_ascii_lowercase();
            if media.is_empty() {
                return None;
            }
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q=").or_else(|| p.trim().strip_prefix("Q=")))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            Some((media, q))
        })
        .collect();
    if ranges.is_empty() {
        return Some(MediaType::Json);
    }
    // The most specific range naming a type decides its quality.
    let quality = |ty: &str| -> f32 {
        let exact = ranges.iter().find(|(m, _)| m == ty);
        let family = ranges.iter().find(|(m, _)| m == "application/*");
        let any = ranges.iter().find(|(m, _)| m == "*/*");
        exact.or(family).or(any).map_or(0.0, |(_, q)| *q)
    };
    let named = ranges.iter().find(|(m, _)| m == GRAPHQL_RESPONSE).map_or(0.0, |(_, q)| *q);
    let json = quality("application/json");
    if named > 0.0 && named >= json {
        Some(MediaType::GraphQlResponse)
    } else if json > 0.0 {
        Some(MediaType::Json)
    } else {
        None
    }
}

/// A request the server refuses before GraphQL sees it.
#[derive(Debug)]
pub struct Rejection {
    pub status: StatusCode,
    pub message: String,
    /// The body was left unread: the connection must close after the answer, or the client
    /// would send its next request after the rest of this body.
    pub close: bool,
}

impl Rejection {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self { status, message: message.into(), close: false }
    }

    fn closing(mut self, close: bool) -> Self {
        self.close = close;
        self
    }

    fn bad(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }
}

/// A POST request: an `application/json` body of at most `max_bytes` holding one operation.
pub async fn from_post(headers: &HeaderMap, body: Body, max_bytes: usize) -> Result<async_graphql::Request, Rejection> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if is_multipart(content_type) {
        return from_multipart(headers, content_type, body).await;
    }
    if !is_json(content_type) {
        let drained = drain(body, max_bytes).await;
        return Err(Rejection::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!(
                "unsupported content type {:?}: send the request as application/json",
                content_type.chars().take(100).collect::<String>()
            ),
        )
        .closing(!drained));
    }
    let bytes = read_bounded(headers, body, max_bytes, "request body limit exceeded").await?;
    if bytes.is_empty() {
        return Err(Rejection::bad("the request body is empty: send {\"query\": \"…\"}"));
    }
    let value: Value = serde_json::from_slice(&bytes).map_err(|e| {
        Rejection::bad(format!(
            "the request body is not valid JSON: {} at line {}, column {}",
            classify(&e),
            e.line(),
            e.column()
        ))
    })?;
    match value {
        Value::Object(map) => params(map),
        Value::Array(_) => Err(Rejection::bad("batched requests are not supported: send one operation per request")),
        _ => Err(Rejection::bad("the request body must be a JSON object: {\"query\": \"…\"}")),
    }
}

/// The body, refused (413, closing the connection) past `max_bytes`: by its declared length
/// before anything is read, else as soon as what arrived passes it.
async fn read_bounded(headers: &HeaderMap, body: Body, max_bytes: usize, what: &str) -> Result<Vec<u8>, Rejection> {
    let too_large = || {
        Rejection::new(StatusCode::PAYLOAD_TOO_LARGE, format!("{what}: the maximum is {max_bytes} bytes")).closing(true)
    };
    let declared =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max_bytes as u64) {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    let mut chunks = body.into_data_stream();
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk.map_err(|_| Rejection::bad("the request body could not be read"))?;
        if bytes.len() + chunk.len() > max_bytes {
            return Err(too_large());
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// Uploads (`importDocument`) have a body limit of their own: the largest file the importer
/// reads, plus room for the operations and map parts.
pub const MAX_UPLOAD_BODY_BYTES: usize = crate::import::source::MAX_FILE_BYTES + (256 << 10);

fn is_multipart(content_type: &str) -> bool {
    content_type.split(';').next().is_some_and(|m| m.trim().eq_ignore_ascii_case("multipart/form-data"))
}

/// A GraphQL multipart request (operations, map, one file), bounded by [`MAX_UPLOAD_BODY_BYTES`].
async fn from_multipart(
    headers: &HeaderMap,
    content_type: &str,
    body: Body,
) -> Result<async_graphql::Request, Rejection> {
    let bytes = read_bounded(headers, body, MAX_UPLOAD_BODY_BYTES, "upload limit exceeded").await?;
    let opts = async_graphql::http::MultipartOptions::default()
        .max_file_size(crate::import::source::MAX_FILE_BYTES)
        .max_num_files(1);
    async_graphql::http::receive_body(Some(content_type), futures_util::io::Cursor::new(bytes), opts)
        .await
        .map_err(|e| Rejection::bad(format!("the multipart request could not be read: {e}")))
}

/// Reads and discards a body the answer does not need, so the connection can serve the next
/// request; false when it is larger than `max_bytes` (or unreadable) and was left unread.
pub async fn drain(body: Body, max_bytes: usize) -> bool {
    let mut read = 0usize;
    let mut chunks = body.into_data_stream();
    while let Some(chunk) = chunks.next().await {
        match chunk {
            Ok(c) if read + c.len() <= max_bytes => read += c.len(),
            _ => return false,
        }
    }
    true
}

/// A GET request: `query`, `operationName`, `variables` and `extensions` in the URL (the last
/// two as JSON text).
pub fn from_get(uri: &Uri, max_bytes: usize) -> Result<async_graphql::Request, Rejection> {
    if uri.query().map_or(0, str::len) > max_bytes {
        return Err(Rejection::new(
            StatusCode::URI_TOO_LONG,
            format!("query string limit exceeded: the maximum is {max_bytes} bytes; POST a longer query"),
        ));
    }
    let pairs: Vec<(String, String)> = axum::extract::Query::try_from_uri(uri)
        .map(|axum::extract::Query(p)| p)
        .map_err(|_| Rejection::bad("the query string could not be read"))?;
    let mut map = Map::new();
    for (key, value) in pairs {
        let value = match key.as_str() {
            "variables" | "extensions" if !value.is_empty() => serde_json::from_str(&value)
                .map_err(|_| Rejection::bad(format!("the {key} parameter is not valid JSON")))?,
            "variables" | "extensions" => Value::Null,
            _ => Value::String(value),
        };
        if map.insert(key.clone(), value).is_some() {
            return Err(Rejection::bad(format!("the {key} parameter is given more than once")));
        }
    }
    params(map)
}

fn params(mut map: Map<String, Value>) -> Result<async_graphql::Request, Rejection> {
    // A persisted query may come without its text (see `persisted`); an empty text is resolved
    // there or refused as missing.
    let query = match map.remove("query") {
        Some(Value::String(q)) => q,
        None | Some(Value::Null) if map.get("extensions").is_some_and(|e| e.get("persistedQuery").is_some()) => {
            String::new()
        }
        None | Some(Value::Null) => return Err(Rejection::bad("the query parameter is missing")),
        Some(_) => return Err(Rejection::bad("the query parameter must be a string")),
    };
    let mut request = async_graphql::Request::new(query);
    match map.remove("operationName") {
        None | Some(Value::Null) => {}
        Some(Value::String(name)) => request = request.operation_name(name),
        Some(_) => return Err(Rejection::bad("the operationName parameter must be a string")),
    }
    match map.remove("variables") {
        None | Some(Value::Null) => {}
        Some(v @ Value::Object(_)) => request = request.variables(async_graphql::Variables::from_json(v)),
        Some(_) => return Err(Rejection::bad("the variables parameter must be an object")),
    }
    match map.remove("extensions") {
        None | Some(Value::Null) => {}
        Some(Value::Object(ext)) => {
            for (k, v) in ext {
                if let Ok(v) = async_graphql::Value::from_json(v) {
                    request.extensions.insert(k, v);
                }
            }
        }
        Some(_) => return Err(Rejection::bad("the extensions parameter must be an object")),
    }
    Ok(request)
}

/// A GET may only read: refuses a mutation or subscription (405, with `Allow: POST`).
pub fn require_query(request: &async_graphql::Request) -> Result<(), Rejection> {
    // A document that does not parse is left to GraphQL, which says why.
    let Ok(doc) = async_graphql::parser::parse_query(&request.query) else { return Ok(()) };
    let chosen = match &request.operation_name {
        Some(name) => doc.operations.iter().find(|(n, _)| n.is_some_and(|n| n.as_str() == name)).map(|(_, op)| op),
        None => doc.operations.iter().next().map(|(_, op)| op),
    };
    match chosen.map(|op| op.node.ty) {
        Some(OperationType::Mutation) => {
            Err(Rejection::new(StatusCode::METHOD_NOT_ALLOWED, "mutations are accepted over POST only"))
        }
        Some(OperationType::Subscription) => Err(Rejection::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "subscriptions are served over WebSocket at /graphql/ws",
        )),
        _ => Ok(()),
    }
}

/// `application/json`, with no charset or UTF-8.
fn is_json(content_type: &str) -> bool {
    let mut parts = content_type.split(';');
    let media = parts.next().unwrap_or("").trim();
    media.eq_ignore_ascii_case("application/json")
        && parts.all(|p| {
            let p = p.trim().to_ascii_lowercase();
            p.is_empty() || !p.starts_with("charset=") || matches!(p.as_str(), "charset=utf-8" | "charset=\"utf-8\"")
        })
}

fn classify(e: &serde_json::Error) -> &'static str {
    match e.classify() {
        serde_json::error::Category::Eof => "unexpected end",
        serde_json::error::Category::Syntax => "syntax error",
        serde_json::error::Category::Data => "unexpected data",
        serde_json::error::Category::Io => "unreadable",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(v: &str) -> Option<MediaType> {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT, v.parse().expect("a header"));
        negotiate(&h)
    }

    #[test]
    fn the_response_type_follows_accept() {
        assert_eq!(negotiate(&HeaderMap::new()), Some(MediaType::Json));
        assert_eq!(accept("*/*"), Some(MediaType::Json));
        assert_eq!(accept("application/json"), Some(MediaType::Json));
        assert_eq!(accept("application/graphql-response+json"), Some(MediaType::GraphQlResponse));
        assert_eq!(
            accept("application/graphql-response+json, application/json, multipart/mixed"),
            Some(MediaType::GraphQlResponse)
        );
        assert_eq!(accept("application/graphql-response+json;q=0.5, application/json"), Some(MediaType::Json));
        assert_eq!(accept("application/json;q=0, */*"), None);
        assert_eq!(accept("text/html"), None);
    }

    #[test]
    fn only_utf8_json_is_accepted() {
        assert!(is_json("application/json"));
        assert!(is_json("Application/JSON; charset=UTF-8"));
        assert!(!is_json("application/json; charset=latin1"));
        assert!(!is_json("text/plain;charset=UTF-8"));
        assert!(!is_json(""));
    }
}
