//! What each service takes from the command line's settings ([`crate::config::Limits`]): the
//! one place that reads `config` on the services' behalf, so that neither depends on the other.

use std::sync::Arc;
use std::time::Duration;

use crate::app::AppState;
use crate::config::Limits;
use crate::service::sso::{self, Sso};
use crate::service::supervision::lights::Thresholds;
use crate::service::webhooks::signature::Backoff;
use crate::service::webhooks::worker::{self, Worker};

/// How the webhook worker sends and retries.
pub fn webhooks(limits: &Limits) -> worker::Settings {
    worker::Settings {
        timeout: Duration::from_millis(limits.webhook_timeout_ms.max(1)),
        backoff: Backoff {
            base: Duration::from_millis(limits.webhook_retry_base_ms),
            max: Duration::from_millis(limits.webhook_retry_max_ms.max(limits.webhook_retry_base_ms)),
            max_attempts: limits.webhook_max_attempts.max(1),
        },
        concurrency: 16,
        poll: Duration::from_secs(1),
    }
}

/// The thresholds of the warning lights.
pub fn lights(limits: &Limits) -> Thresholds {
    Thresholds {
        due_soon_days: limits.light_due_soon_days,
        yellow_points: limits.light_yellow_points,
        red_points: limits.light_red_points,
    }
}

/// The weights of the assessment's score.
pub fn assessment(limits: &Limits) -> crate::service::assessment::Weights {
    crate::service::assessment::Weights {
        late: limits.assessment_late,
        returned: limits.assessment_returned,
        red_light: limits.assessment_red_light,
        notice: limits.assessment_notice,
        closed: limits.assessment_closed,
    }
}

/// Single sign-on: none without `--jwt-issuer`; see [`Sso::start`].
pub async fn single_sign_on(limits: &Limits) -> anyhow::Result<Option<Arc<Sso>>> {
    let Some(issuer) = limits.jwt_issuer.clone() else { return Ok(None) };
    let settings = sso::Settings {
        issuer,
        audience: limits.jwt_audience.clone(),
        jwks: limits.jwt_jwks.clone(),
        role_claim: limits.jwt_role_claim.clone(),
        department_claim: limits.jwt_department_claim.clone(),
        region_claim: limits.jwt_region_claim.clone(),
        refresh: Duration::from_secs(limits.jwt_jwks_refresh_secs.max(1)),
    };
    Ok(Some(Sso::start(settings).await?))
}

/// The webhook worker of a serving process.
pub fn webhook_worker(state: &AppState) -> Worker {
    Worker {
        db: state.primary().clone(),
        writer: state.writer.clone(),
        events: state.events.clone(),
        metrics: state.metrics.clone(),
        clock: state.write_clock(),
        settings: webhooks(&state.limits),
    }
}
