//! Single sign-on for other portals: bearer JWTs (RS256, ES256) from one issuer for one audience,
//! checked against the issuer's JWKS (a file, or an https URL refreshed on a timer and when a
//! token names an unknown `kid`), with `exp`, `nbf`, `iss` and `aud` enforced; the claims name
//! the role and the department. CLI tokens (`qd_…`) stay for service accounts.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use entity::TokenRole;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use sha2::{Digest, Sha256};

use super::access::Viewer;
use crate::error::{ApiError, ApiResult};

/// Where the keys come from.
#[derive(Debug, Clone)]
enum Source {
    File(std::path::PathBuf),
    Url(String),
}

/// What single sign-on is configured with (`--jwt-*`).
#[derive(Debug, Clone)]
pub struct Settings {
    pub issuer: String,
    pub audience: Option<String>,
    /// A URL (https, or http on loopback) or a file.
    pub jwks: Option<String>,
    pub role_claim: String,
    pub department_claim: String,
    pub region_claim: String,
    /// How often the keys are read again.
    pub refresh: Duration,
}

/// The configured issuer, its keys and the claim names.
pub struct Sso {
    issuer: String,
    audience: String,
    source: Source,
    role_claim: String,
    department_claim: String,
    region_claim: String,
    refresh: Duration,
    keys: RwLock<(JwkSet, Instant)>,
    /// One refresh at a time, and not more often than every few seconds on unknown `kid`s.
    refreshing: tokio::sync::Mutex<Instant>,
}

/// Unknown `kid`s refresh the keys at most this often.
const MIN_REFRESH: Duration = Duration::from_secs(10);

fn unauthenticated(why: impl Into<String>) -> ApiError {
    ApiError::Unauthenticated(why.into())
}

impl Sso {
    /// Starts single sign-on: an issuer without audience or JWKS, or keys that cannot be read,
    /// fail the start.
    pub async fn start(settings: Settings) -> anyhow::Result<Arc<Self>> {
        let Settings { issuer, audience, jwks, role_claim, department_claim, region_claim, refresh } = settings;
        let audience = audience.ok_or_else(|| anyhow::anyhow!("--jwt-issuer needs --jwt-audience"))?;
        let jwks = jwks.ok_or_else(|| anyhow::anyhow!("--jwt-issuer needs --jwt-jwks"))?;
        let source = if jwks.starts_with("https://") || jwks.starts_with("http://127.0.0.1") {
            Source::Url(jwks)
        } else {
            Source::File(jwks.into())
        };
        let keys = fetch(&source).await.map_err(|e| {
            let at = match &source {
                Source::Url(u) => u.clone(),
                Source::File(p) => p.display().to_string(),
            };
            anyhow::anyhow!("cannot read the single sign-on keys (the JWKS at {at}, --jwt-jwks): {e:#}")
        })?;
        let sso = Arc::new(Self {
            issuer,
            audience,
            source,
            role_claim,
            department_claim,
            region_claim,
            refresh,
            keys: RwLock::new((keys, Instant::now())),
            refreshing: tokio::sync::Mutex::new(Instant::now().checked_sub(MIN_REFRESH).unwrap_or_else(Instant::now)),
        });
        Ok(sso)
    }

    /// Whether a bearer value looks like a JWT (three base64url parts) rather than a CLI token.
    pub fn looks_like_jwt(value: &str) -> bool {
        value.split('.').count() == 3 && !value.starts_with("qd_")
    }

    /// The viewer a JWT stands for; `department_of` finds the department its claims name (the
    /// department claim, and the region claim when the JWT has one). A department the claims
    /// do not name exactly (unknown, or found in several regions) refuses the JWT.
    pub async fn verify<F, Fut>(&self, token: &str, department_of: F) -> ApiResult<Viewer>
    where
        F: FnOnce(String, Option<String>) -> Fut,
        Fut: std::future::Future<Output = ApiResult<Option<(i64, entity::DepartmentKind)>>>,
    {
        let header = decode_header(token).map_err(|_| unauthenticated("the bearer JWT is malformed"))?;
        if !matches!(header.alg, Algorithm::RS256 | Algorithm::ES256) {
            return Err(unauthenticated("only RS256 and ES256 JWTs are accepted"));
        }
        let kid = header.kid.clone().ok_or_else(|| unauthenticated("the JWT names no key (kid)"))?;
        let key = match self.key(&kid, header.alg).await? {
            Some(k) => k,
            None => return Err(unauthenticated(format!("no key \"{}\" in the issuer's JWKS", truncate(&kid)))),
        };
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = 30;
        let claims = decode::<serde_json::Value>(token, &key, &validation)
            .map_err(|e| unauthenticated(format!("the JWT was refused: {}", describe(&e))))?
            .claims;
        let text = |name: &str| claims.get(name).and_then(serde_json::Value::as_str).map(str::to_owned);
        let subject = text("sub").unwrap_or_default();
        let role = match text(&self.role_claim).as_deref().map(str::to_ascii_lowercase).as_deref() {
            Some("viewer") => TokenRole::Viewer,
            Some("reporter") => TokenRole::Reporter,
            Some("supervisor") => TokenRole::Supervisor,
            Some("admin") => TokenRole::Admin,
            Some(other) => return Err(unauthenticated(format!("the JWT's role \"{}\" is unknown", truncate(other)))),
            None => return Err(unauthenticated(format!("the JWT has no \"{}\" claim", self.role_claim))),
        };
        let department_id = match text(&self.department_claim) {
            Some(name) => match department_of(name.clone(), text(&self.region_claim)).await.map_err(|e| match e {
                ApiError::BadUserInput(why) => unauthenticated(format!(
                    "the JWT's department is not one department: {why}; send the \"{}\" claim or the name with its region",
                    self.region_claim
                )),
                other => other,
            })? {
                Some((_, entity::DepartmentKind::Collective)) => {
                    return Err(unauthenticated(format!("\"{}\" is a collective: it never signs in", truncate(&name))));
                }
                Some((id, _)) => Some(id),
                None => {
                    return Err(unauthenticated(format!("the JWT's department \"{}\" is unknown", truncate(&name))));
                }
            },
            None => None,
        };
        if matches!(role, TokenRole::Reporter | TokenRole::Supervisor) && department_id.is_none() {
            return Err(unauthenticated(format!("a {role:?} JWT needs a \"{}\" claim", self.department_claim)));
        }
        Ok(Viewer::Token {
            id: subject_id(&self.issuer, &subject),
            role,
            department_id,
            label: format!("sso {subject}"),
        })
    }

    /// The key `kid`, refreshing the set when it is stale or does not have it.
    async fn key(&self, kid: &str, alg: Algorithm) -> ApiResult<Option<DecodingKey>> {
        let (found, stale) = {
            let keys = self.keys.read().unwrap_or_else(std::sync::PoisonError::into_inner);
            (keys.0.find(kid).cloned(), keys.1.elapsed() > self.refresh)
        };
        let found = match found {
            Some(k) if !stale => Some(k),
            _ => {
                let mut last = self.refreshing.lock().await;
                if stale || last.elapsed() > MIN_REFRESH {
                    *last = Instant::now();
                    match fetch(&self.source).await {
                        Ok(set) => {
                            *self.keys.write().unwrap_or_else(std::sync::PoisonError::into_inner) =
                                (set, Instant::now())
                        }
                        Err(e) => tracing::warn!(error = %e, "cannot refresh the JWKS; keeping the keys held"),
                    }
                }
                self.keys.read().unwrap_or_else(std::sync::PoisonError::into_inner).0.find(kid).cloned()
            }
        };
        let Some(jwk) = found else { return Ok(None) };
        if jwk.common.key_algorithm.is_some_and(|a| a.to_string() != format!("{alg:?}")) {
            return Err(unauthenticated("the JWT's algorithm is not its key's"));
        }
        DecodingKey::from_jwk(&jwk).map(Some).map_err(|_| unauthenticated("the issuer's key cannot be used"))
    }
}

async fn fetch(source: &Source) -> anyhow::Result<JwkSet> {
    let text = match source {
        Source::File(path) => tokio::fs::read_to_string(path)
            .await
            .map_err(|e| anyhow::anyhow!("cannot read the JWKS {}: {e}", path.display()))?,
        Source::Url(url) => {
            let client = reqwest::Client::builder().timeout(Duration::from_secs(5)).build()?;
            client.get(url).send().await?.error_for_status()?.text().await?
        }
    };
    serde_json::from_str(&text).map_err(|e| anyhow::anyhow!("the JWKS is not a JSON Web Key Set: {e}"))
}

/// A stable negative id for an SSO subject (CLI tokens have positive ids), so that rate limits
/// and the audit trail tell subjects apart.
fn subject_id(issuer: &str, subject: &str) -> i64 {
    let d = Sha256::digest(format!("{issuer}\n{subject}").as_bytes());
    let n = i64::from_be_bytes([d[0] & 0x7f, d[1], d[2], d[3], d[4], d[5], d[6], d[7]]);
    -(n.max(1))
}

fn describe(e: &jsonwebtoken::errors::Error) -> &'static str {
    use jsonwebtoken::errors::ErrorKind;
    match e.kind() {
        ErrorKind::ExpiredSignature => "expired",
        ErrorKind::ImmatureSignature => "not valid yet (nbf)",
        ErrorKind::InvalidIssuer => "wrong issuer",
        ErrorKind::InvalidAudience => "wrong audience",
        ErrorKind::InvalidSignature => "bad signature",
        ErrorKind::MissingRequiredClaim(_) => "a required claim (exp, iss, aud, sub) is missing",
        _ => "invalid",
    }
}

fn truncate(s: &str) -> String {
    s.chars().take(60).collect()
}
