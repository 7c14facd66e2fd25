//! GraphiQL from the binary: the page, its pinned assets (GraphiQL 4.1.2, React 18.3.1
//! production builds; `assets/graphiql/`) and a content security policy of 'self' alone. No
//! request leaves the server, so the page works without internet access.

use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The GraphiQL release the assets come from; part of every asset's path, so an upgrade is a
/// new URL and the year-long caching never serves a stale file.
pub const VERSION: &str = "4.1.2";

/// The assets: name, content type, bytes.
const ASSETS: [(&str, &str, &[u8]); 5] = [
    ("graphiql.min.js", "text/javascript; charset=utf-8", include_bytes!("../../assets/graphiql/graphiql.min.js")),
    ("graphiql.min.css", "text/css; charset=utf-8", include_bytes!("../../assets/graphiql/graphiql.min.css")),
    (
        "react.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/graphiql/react.production.min.js"),
    ),
    (
        "react-dom.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/graphiql/react-dom.production.min.js"),
    ),
    ("app.js", "text/javascript; charset=utf-8", include_bytes!("../../assets/graphiql/app.js")),
];

/// The query the page opens with: the README's first example.
pub const DEFAULT_QUERY: &str = r#"# 市政务服务办's co-led tasks: press ▶ (Ctrl-Enter) to run.
# Reports, obligations and supervision need a token: add
# {"Authorization": "Bearer qd_…"} in the headers pane below.
{
  tasks(filter: {departmentName: "市政务服务办", role: LEAD, coLed: true}) {
    totalCount
    nodes { number content leads { name } }
  }
}
"#;

/// The page's policy: scripts and styles from this server only (GraphiQL injects `<style>`
/// elements at run time, hence 'unsafe-inline' for styles, never for scripts).
const POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; font-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The page, rendered once.
#[derive(Debug)]
pub struct GraphiqlPage {
    html: String,
}

impl GraphiqlPage {
    pub fn new() -> Self {
        let base = format!("/assets/graphiql-{VERSION}");
        let query = html_escape(DEFAULT_QUERY);
        let html = format!(
            "<!doctype html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>qingdan</title>\n\
             <link rel=\"stylesheet\" href=\"{base}/graphiql.min.css\">\n\
             <style>html, body, #graphiql {{ height: 100%; margin: 0; }}</style>\n</head>\n<body>\n\
             <div id=\"graphiql\" data-default-query=\"{query}\">Loading GraphiQL…</div>\n\
             <script src=\"{base}/react.production.min.js\"></script>\n\
             <script src=\"{base}/react-dom.production.min.js\"></script>\n\
             <script src=\"{base}/graphiql.min.js\"></script>\n\
             <script src=\"{base}/app.js\"></script>\n</body>\n</html>\n"
        );
        Self { html }
    }

    /// The page, with its policy and `connect-src` for this server's HTTP and WebSocket.
    pub fn respond(&self, headers: &HeaderMap) -> Response {
        let connect = connect_src(headers);
        let policy = format!("{POLICY}; {connect}");
        let mut response = axum::response::Html(self.html.clone()).into_response();
        if let Ok(v) = HeaderValue::from_str(&policy) {
            response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, v);
        }
        response.headers_mut().insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        response
    }
}

impl Default for GraphiqlPage {
    fn default() -> Self {
        Self::new()
    }
}

/// `connect-src` for this server's HTTP and WebSocket, from the request's `Host`.
pub fn connect_src(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c)));
    match host {
        Some(h) => format!("connect-src 'self' ws://{h} wss://{h}"),
        None => "connect-src 'self'".to_owned(),
    }
}

/// `GET /assets/VERSION/NAME`: an embedded asset of GraphiQL or of the board, cached for a year.
pub async fn asset(Path((version, name)): Path<(String, String)>) -> Response {
    let graphiql = || {
        ASSETS
            .iter()
            .find(|(n, _, _)| *n == name)
            .filter(|_| version == format!("graphiql-{VERSION}"))
            .map(|(_, content_type, bytes)| (*content_type, *bytes))
    };
    match graphiql().or_else(|| super::board::asset(&version, &name)) {
        Some((content_type, bytes)) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
                (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable")),
                (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
            ],
            bytes,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;").replace('\n', "&#10;")
}
