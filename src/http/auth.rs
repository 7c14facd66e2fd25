//! Bearer tokens on requests.

use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;

use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::service::access::Viewer;

/// The caller named by an `Authorization: Bearer` value (anonymous without one).
pub async fn viewer_from_value(state: &AppState, value: Option<&str>) -> ApiResult<Viewer> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(Viewer::Anonymous);
    };
    let secret = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .ok_or_else(|| ApiError::Unauthenticated("the Authorization header must be: Bearer <token>".into()))?;
    let secret = secret.trim();
    if let Some(sso) = &state.sso
        && crate::service::sso::Sso::looks_like_jwt(secret)
    {
        return sso
            .verify(secret, |name, region| async move {
                let found =
                    crate::service::departments::find_by_name(state.primary(), &name, region.as_deref()).await?;
                Ok(found.map(|d| (d.id, d.kind)))
            })
            .await;
    }
    state.tokens.authenticate(state.primary(), secret, state.limits.token_cache()).await
}

pub async fn viewer_from_headers(state: &AppState, headers: &HeaderMap) -> ApiResult<Viewer> {
    let value = match headers.get(AUTHORIZATION) {
        Some(v) => Some(v.to_str().map_err(|_| ApiError::Unauthenticated("unreadable Authorization header".into()))?),
        None => None,
    };
    viewer_from_value(state, value).await
}
