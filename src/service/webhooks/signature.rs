//! What a receiver checks, and when a failed delivery is tried again.

use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The `X-Qingdan-Signature` of `body`: `sha256=` and the hex HMAC-SHA256 of the body, keyed
/// with the webhook's secret.
pub fn sign(secret: &str, body: &[u8]) -> String {
    // HMAC takes a key of any length.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap_or_else(|_| unreachable!());
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256=");
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// How retries are spaced, and when they stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The wait after the first failure; each further failure doubles it.
    pub base: Duration,
    /// The longest wait.
    pub max: Duration,
    /// Attempts in all before a delivery is given up (FAILED).
    pub max_attempts: i32,
}

impl Backoff {
    /// The wait after failed attempt number `attempt` (1 for the first), before jitter.
    pub fn ceiling(&self, attempt: i32) -> Duration {
        let doublings = u32::try_from(attempt.saturating_sub(1)).unwrap_or(0).min(30);
        self.base.saturating_mul(1u32 << doublings).min(self.max)
    }

    /// The wait after failed attempt `attempt`, with jitter: uniformly between half the ceiling
    /// and the ceiling, so that receivers coming back are not hit by every retry at once.
    /// `None` once the attempts are spent.
    pub fn after(&self, attempt: i32, unit: f64) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        let ceiling = self.ceiling(attempt);
        Some(ceiling.mul_f64(0.5 + 0.5 * unit.clamp(0.0, 1.0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_the_hmac_of_the_body_in_hex() {
        // RFC 4231, test case 2.
        assert_eq!(
            sign("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn waits_double_up_to_the_ceiling_and_attempts_run_out() {
        let b = Backoff { base: Duration::from_secs(1), max: Duration::from_secs(60), max_attempts: 10 };
        let waits: Vec<u64> = (1..=8).map(|a| b.ceiling(a).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 60, 60]);
        assert_eq!(b.after(3, 0.0), Some(Duration::from_secs(2)));
        assert_eq!(b.after(3, 1.0), Some(Duration::from_secs(4)));
        assert_eq!(b.after(9, 0.5).map(|d| d.as_secs()), Some(45));
        assert_eq!(b.after(10, 0.5), None);
        assert_eq!(b.ceiling(1000), Duration::from_secs(60));
    }
}
