//! One subscription connection (graphql-transport-ws, or the older graphql-ws), kept honest for
//! as long as it lives:
//!
//! - its token is checked again every token-cache interval (`--token-cache-ms`, at least every
//!   second): a revoked or expired one closes the connection with 4403;
//! - every message the client sends counts against the rate limits like a request does; over
//!   the limit the connection closes with 4429.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_graphql::http::WebSocketProtocols;
use async_graphql::{Data, ErrorExtensions as _};
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures_util::{SinkExt as _, StreamExt as _, future};

use super::HttpState;
use super::auth::viewer_from_value;
use crate::error::ApiError;
use crate::service::access::Viewer;

/// graphql-transport-ws: the subscriber is not (or no longer) allowed.
pub const FORBIDDEN: u16 = 4403;
/// Too many messages (the 4xxx range is the application's).
pub const TOO_MANY: u16 = 4429;

/// Who is signed in on the connection, and with what (to check again).
#[derive(Default)]
struct SignedIn {
    viewer: Viewer,
    authorization: Option<String>,
}

/// Serves the connection until either side ends it.
pub async fn serve(
    state: HttpState,
    socket: WebSocket,
    protocol: WebSocketProtocols,
    header_viewer: Viewer,
    header_authorization: Option<String>,
    peer: Option<SocketAddr>,
) {
    let (mut sink, stream) = socket.split();
    let signed_in =
        Arc::new(Mutex::new(SignedIn { viewer: header_viewer.clone(), authorization: header_authorization.clone() }));
    let over_limit = Arc::new(std::sync::atomic::AtomicBool::new(false));

    let (limiter, who, over) = (state.limiter.clone(), signed_in.clone(), over_limit.clone());
    let input = stream
        .take_while(|res| future::ready(res.is_ok()))
        .filter_map(|msg| future::ready(msg.ok()))
        .filter(|msg| future::ready(matches!(msg, Message::Text(_) | Message::Binary(_))))
        .take_while(move |_| {
            let viewer = who.lock().unwrap_or_else(PoisonError::into_inner).viewer.clone();
            let allowed = limiter.check(&viewer, peer).is_ok();
            if !allowed {
                over.store(true, std::sync::atomic::Ordering::Relaxed);
            }
            future::ready(allowed)
        })
        .map(Message::into_data);

    let (app, who) = (state.app.clone(), signed_in.clone());
    let on_init = move |payload: serde_json::Value| async move {
        let from_payload = payload
            .get("Authorization")
            .or_else(|| payload.get("authorization"))
            .and_then(|v| v.as_str().map(str::to_owned));
        let (viewer, authorization) = match from_payload {
            Some(v) => (viewer_from_value(&app, Some(&v)).await.map_err(|e| e.extend())?, Some(v)),
            None => (header_viewer, header_authorization),
        };
        *who.lock().unwrap_or_else(PoisonError::into_inner) = SignedIn { viewer: viewer.clone(), authorization };
        let mut data = Data::default();
        // The session lives as long as the connection: it reads the list as it is at each
        // event, and the reports an event announces from the primary.
        data.insert(crate::graphql::context::Reading::for_session(&app));
        data.insert(viewer);
        Ok(data)
    };
    let messages = async_graphql::http::WebSocket::new(state.schema.clone(), input, protocol)
        .on_connection_init(on_init)
        .map(|msg| match msg {
            async_graphql::http::WsMessage::Text(text) => Message::Text(text.into()),
            async_graphql::http::WsMessage::Close(code, reason) => {
                Message::Close(Some(CloseFrame { code, reason: reason.into() }))
            }
        });
    futures_util::pin_mut!(messages);

    let every = Duration::from_millis(state.app.limits.token_cache_ms.clamp(1000, 60_000));
    let mut recheck = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    loop {
        tokio::select! {
            next = messages.next() => match next {
                Some(msg) => {
                    if sink.send(msg).await.is_err() {
                        return;
                    }
                }
                None => break,
            },
            _ = recheck.tick() => {
                let authorization = signed_in.lock().unwrap_or_else(PoisonError::into_inner).authorization.clone();
                if let Some(a) = authorization
                    && let Err(ApiError::Unauthenticated(why)) = viewer_from_value(&state.app, Some(&a)).await
                {
                    tracing::info!(reason = %why, "closing a subscription connection: its token no longer signs in");
                    let _ = sink.send(close(FORBIDDEN, "Forbidden: the token no longer signs in")).await;
                    return;
                }
            }
        }
    }
    if over_limit.load(std::sync::atomic::Ordering::Relaxed) {
        let _ = sink.send(close(TOO_MANY, "Too many messages: rate limit exceeded")).await;
    }
}

/// The subprotocol a client asks for (`Sec-WebSocket-Protocol`), the first one supported.
pub fn protocol(headers: &axum::http::HeaderMap) -> Option<WebSocketProtocols> {
    headers
        .get_all(axum::http::header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .find_map(|p| p.trim().parse().ok())
}

fn close(code: u16, reason: &'static str) -> Message {
    Message::Close(Some(CloseFrame { code, reason: reason.into() }))
}
