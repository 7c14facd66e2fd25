//! The supervising office's board (督查督办看板) at `GET /board`: a page of the binary with its
//! pinned assets (Apache ECharts 6.0.0; `assets/board/`), under a content security policy of
//! 'self' alone, so it works without internet access. The page asks `/graphql` with the caller's
//! token through its published operations (`assets/board/operations.json`, put into the page),
//! which the server trusts even under `--trusted-documents` (see [`operations`]).

use std::collections::BTreeMap;
use std::sync::LazyLock;

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// The assets: name, content type, bytes.
const ASSETS: [(&str, &str, &[u8]); 3] = [
    ("echarts.min.js", "text/javascript; charset=utf-8", include_bytes!("../../assets/board/echarts.min.js")),
    ("board.js", "text/javascript; charset=utf-8", include_bytes!("../../assets/board/board.js")),
    ("board.css", "text/css; charset=utf-8", include_bytes!("../../assets/board/board.css")),
];

const TEMPLATE: &str = include_str!("../../assets/board/board.html");
const OPERATIONS: &str = include_str!("../../assets/board/operations.json");

/// The page's policy: everything from this server; ECharts draws on a canvas and sets inline
/// styles on its own elements, hence 'unsafe-inline' for styles, never for scripts.
const POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data: blob:; font-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The board's operations by name, as published in the page.
static OPERATIONS_BY_NAME: LazyLock<BTreeMap<String, String>> = LazyLock::new(|| {
    serde_json::from_str(OPERATIONS).expect("assets/board/operations.json is a JSON object of name → operation")
});

/// The board's operations (queries, mutations, its subscription): the documents a server with
/// `--trusted-documents` trusts besides its file, so the board works there too.
pub fn operations() -> impl Iterator<Item = &'static str> {
    OPERATIONS_BY_NAME.values().map(String::as_str)
}

/// The version of the board's assets: part of their path, so a new build is a new URL and the
/// year-long caching never serves a stale file. A digest of the assets themselves.
static VERSION: LazyLock<String> = LazyLock::new(|| {
    let mut all = Vec::new();
    for (_, _, bytes) in ASSETS {
        all.extend_from_slice(bytes);
    }
    format!("board-{}", &super::persisted::digest_bytes(&all)[..12])
});

/// `NAME` of `/assets/VERSION/NAME`, when `version` is the board's.
pub fn asset(version: &str, name: &str) -> Option<(&'static str, &'static [u8])> {
    if version != VERSION.as_str() {
        return None;
    }
    ASSETS.iter().find(|(n, _, _)| *n == name).map(|(_, content_type, bytes)| (*content_type, *bytes))
}

/// The page, rendered once.
#[derive(Debug)]
pub struct BoardPage {
    html: String,
}

impl BoardPage {
    pub fn new() -> Self {
        // The operations go into a JSON script element: no "</" may end it early.
        let operations = OPERATIONS.replace("</", "<\\/");
        let html = TEMPLATE
            .replace("{{ASSETS}}", &format!("/assets/{}", VERSION.as_str()))
            .replace("{{OPERATIONS}}", &operations);
        Self { html }
    }

    /// The page, with its policy and `connect-src` for this server's HTTP and WebSocket.
    pub fn respond(&self, headers: &HeaderMap) -> Response {
        let policy = format!("{POLICY}; {}", super::graphiql::connect_src(headers));
        let mut response = axum::response::Html(self.html.clone()).into_response();
        if let Ok(v) = HeaderValue::from_str(&policy) {
            response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, v);
        }
        response.headers_mut().insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        response
    }
}

impl Default for BoardPage {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_is_named_as_its_key_and_the_page_holds_them() {
        assert!(OPERATIONS_BY_NAME.len() >= 7);
        for (name, text) in OPERATIONS_BY_NAME.iter() {
            let parsed = async_graphql::parser::parse_query(text).expect("an operation of the board parses");
            let names: Vec<String> = parsed.operations.iter().filter_map(|(n, _)| n.map(|n| n.to_string())).collect();
            assert_eq!(names, vec![name.clone()], "the operation under {name} is named {name}");
        }
        let page = BoardPage::new().html;
        assert!(page.contains(VERSION.as_str()) && page.contains("\"BoardPeriod\"") && !page.contains("{{"));
        for testid in
            ["token-input", "sign-in", "document-select", "period-select", "tile-total", "event-feed", "chart-lights"]
        {
            assert!(page.contains(&format!("data-testid=\"{testid}\"")), "{testid}");
        }
    }

    #[test]
    fn assets_are_found_under_their_version_only() {
        assert!(asset(VERSION.as_str(), "board.js").is_some());
        assert!(asset("board-000000000000", "board.js").is_none());
        assert!(asset(VERSION.as_str(), "nothing.js").is_none());
    }
}
