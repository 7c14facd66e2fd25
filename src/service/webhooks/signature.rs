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

/// The Standard Webhooks (standardwebhooks.com) headers of one attempt: `webhook-id` (the
/// message's id, the same on every attempt of it), `webhook-timestamp` (this attempt's time in
/// Unix seconds) and `webhook-signature` (`v1,` and the base64 HMAC-SHA256 of
/// `id.timestamp.body`). A secret in the form those libraries make (`whsec_` and base64) is keyed
/// with the bytes it encodes; any other with its own bytes.
pub fn standard(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> [(&'static str, String); 3] {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let key =
        secret.strip_prefix("whsec_").and_then(|k| b64.decode(k).ok()).unwrap_or_else(|| secret.as_bytes().to_vec());
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap_or_else(|_| unreachable!());
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    let signature = format!("v1,{}", b64.encode(mac.finalize().into_bytes()));
    [("webhook-id", id.to_owned()), ("webhook-timestamp", timestamp.to_string()), ("webhook-signature", signature)]
}

/// A message id unique across servers and databases, the same on every attempt: `msg_` and a
/// digest of the webhook's secret, the delivery and its event (ids restart in a new database;
/// the event's time and the secret do not repeat with them).
pub fn message_id(secret: &str, delivery_id: i64, event_id: i64, event_at: &str) -> String {
    use sha2::Digest as _;
    let digest = Sha256::digest(format!("{secret}\0{delivery_id}\0{event_id}\0{event_at}").as_bytes());
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("msg_{hex}")
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
    fn the_standard_signature_is_the_one_the_standard_webhooks_libraries_compute() {
        // The example of the Standard Webhooks specification's reference libraries.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = br#"{"test": 2432232314}"#;
        let [id, ts, sig] = standard(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body);
        assert_eq!(id.1, "msg_p5jXN8AQM9LWM0D4loKWxJek");
        assert_eq!(ts.1, "1614265330");
        assert_eq!(sig.1, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn a_message_keeps_its_id_and_other_messages_get_others() {
        let at = "2023-04-05T02:00:00+00:00";
        let id = message_id("s3cret-of-the-receiver", 1, 10, at);
        assert_eq!(id, message_id("s3cret-of-the-receiver", 1, 10, at), "every attempt of one message");
        assert_eq!(id.len(), 4 + 32);
        assert_ne!(id, message_id("s3cret-of-the-receiver", 2, 10, at), "another delivery");
        assert_ne!(id, message_id("another-receivers-secret", 1, 10, at), "another webhook, another server");
        assert_ne!(id, message_id("s3cret-of-the-receiver", 1, 10, "2024-01-01T00:00:00+00:00"), "a new database");
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
