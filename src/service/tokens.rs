//! API tokens: created by the CLI, stored as SHA-256 hashes, checked on every request.

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use entity::{TokenRole, api_token};
use quick_cache::Weighter;
use quick_cache::sync::Cache;
use rand::RngCore as _;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq as _;

use super::access::Viewer;
use super::writer::Writer;
use super::writes::{Action, Actor, Change, Write};
use crate::error::{ApiError, ApiResult};

/// Prefix of every secret, so leaked tokens are easy to recognise.
const PREFIX: &str = "qd_";

/// Creates a token and returns its row and its secret (shown once, never stored); the audit trail
/// records it (never the secret nor its hash).
pub async fn create(
    writer: &Writer,
    actor: &Actor,
    role: TokenRole,
    department_id: Option<i64>,
    label: &str,
) -> ApiResult<(api_token::Model, String)> {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret = format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes));
    let w = writer.begin().await?;
    let (txn, now) = (w.txn(), w.now());
    let row = api_token::ActiveModel {
        id: NotSet,
        token_hash: Set(hash(&secret)),
        role: Set(role),
        department_id: Set(department_id),
        label: Set(label.to_owned()),
        created_at: Set(now),
        revoked_at: Set(None),
    }
    .insert(txn)
    .await?;
    let change = Change::new(Write::new(Action::TokenCreated, row.id), None, Some(public(&row)));
    w.commit(actor, change).await?;
    Ok((row, secret))
}

/// What the audit trail keeps of a token.
fn public(row: &api_token::Model) -> serde_json::Value {
    serde_json::json!({
        "role": super::writes::role_name(row.role),
        "departmentId": row.department_id,
        "label": row.label,
        "revokedAt": row.revoked_at,
    })
}

pub async fn list(db: &impl ConnectionTrait) -> ApiResult<Vec<api_token::Model>> {
    Ok(api_token::Entity::find().order_by_asc(api_token::Column::Id).all(db).await?)
}

/// Revokes token `id`; false when there is no such token.
pub async fn revoke(writer: &Writer, actor: &Actor, id: i64) -> ApiResult<bool> {
    let w = writer.begin().await?;
    let (txn, now) = (w.txn(), w.now());
    let Some(row) = api_token::Entity::find_by_id(id).one(txn).await? else {
        return Ok(false);
    };
    let before = public(&row);
    let mut active: api_token::ActiveModel = row.into();
    active.revoked_at = Set(Some(now));
    let row = active.update(txn).await?;
    let change = Change::new(Write::new(Action::TokenRevoked, id), Some(before), Some(public(&row)));
    w.commit(actor, change).await?;
    Ok(true)
}

fn invalid() -> ApiError {
    ApiError::Unauthenticated("invalid or revoked token".into())
}

/// The viewer a bearer secret stands for; a wrong or revoked one is UNAUTHENTICATED.
pub async fn authenticate(db: &impl ConnectionTrait, secret: &str) -> ApiResult<Viewer> {
    by_digest(db, &digest_of(secret)?).await
}

/// The stored form of a secret that looks like one of ours.
fn digest_of(secret: &str) -> ApiResult<String> {
    if !secret.starts_with(PREFIX) || secret.len() > 100 {
        return Err(invalid());
    }
    Ok(hash(secret))
}

async fn by_digest(db: &impl ConnectionTrait, digest: &str) -> ApiResult<Viewer> {
    let row =
        api_token::Entity::find().filter(api_token::Column::TokenHash.eq(digest)).one(db).await?.ok_or_else(invalid)?;
    // The lookup is by hash, so timing reveals nothing of the secret; compare anyway in
    // constant time so the check does not rest on the database's comparison alone.
    if !bool::from(row.token_hash.as_bytes().ct_eq(digest.as_bytes())) || row.revoked_at.is_some() {
        return Err(invalid());
    }
    Ok(Viewer::Token { id: row.id, role: row.role, department_id: row.department_id, label: row.label })
}

/// Tokens verified lately, by digest (never by secret), so that a client's requests do not each
/// look their token up. Failures are not kept: a wrong token always reaches the database (and
/// the rate limit), so anonymous callers cannot fill it.
#[derive(Clone)]
pub struct TokenCache {
    verified: Arc<Cache<String, (Viewer, Instant), ByEntry>>,
}

/// Bytes of verified tokens kept at most (some thousands of callers); past it the least used go.
const TOKEN_CACHE_BYTES: u64 = 2 * 1024 * 1024;

/// Weighs a verified token by what it holds: its digest, its label and the entry itself.
#[derive(Clone)]
struct ByEntry;

impl Weighter<String, (Viewer, Instant)> for ByEntry {
    fn weight(&self, digest: &String, (viewer, _): &(Viewer, Instant)) -> u64 {
        let label = match viewer {
            Viewer::Token { label, .. } => label.len(),
            Viewer::Anonymous => 0,
        };
        (digest.len() + label + std::mem::size_of::<(String, Viewer, Instant)>()) as u64
    }
}

impl Default for TokenCache {
    fn default() -> Self {
        Self { verified: Arc::new(Cache::with_weighter(4096, TOKEN_CACHE_BYTES, ByEntry)) }
    }
}

impl TokenCache {
    /// Like [`authenticate`], trusting a verification younger than `ttl`.
    pub async fn authenticate(&self, db: &impl ConnectionTrait, secret: &str, ttl: Duration) -> ApiResult<Viewer> {
        if ttl.is_zero() {
            return authenticate(db, secret).await;
        }
        let digest = digest_of(secret)?;
        if let Some((viewer, at)) = self.verified.get(&digest)
            && at.elapsed() < ttl
        {
            return Ok(viewer);
        }
        let viewer = by_digest(db, &digest).await?;
        self.verified.insert(digest, (viewer.clone(), Instant::now()));
        Ok(viewer)
    }
}

impl crate::bounded::Bounded for TokenCache {
    fn name(&self) -> &'static str {
        "tokens"
    }

    fn bytes(&self) -> u64 {
        self.verified.weight()
    }

    fn capacity(&self) -> u64 {
        self.verified.capacity()
    }
}

fn hash(secret: &str) -> String {
    Sha256::digest(secret.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}
