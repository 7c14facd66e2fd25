//! A webhook receiver on loopback: records each request with its headers, answers as scripted.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

/// One request a receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub event: String,
    pub delivery: String,
    pub signature: String,
    pub body: Vec<u8>,
    /// The Standard Webhooks headers.
    pub id: String,
    pub timestamp: String,
    pub standard_signature: String,
}

impl Received {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }

    /// Whether the Standard Webhooks signature checks as its libraries check it: `v1,` and the
    /// base64 HMAC-SHA256 of `id.timestamp.body`, the timestamp within five minutes of now.
    pub fn standard_signed_with(&self, secret: &str) -> bool {
        use base64::Engine as _;
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key");
        mac.update(format!("{}.{}.", self.id, self.timestamp).as_bytes());
        mac.update(&self.body);
        let want = format!("v1,{}", base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()));
        let fresh = self.timestamp.parse::<i64>().is_ok_and(|t| (chrono::Utc::now().timestamp() - t).abs() < 300);
        self.standard_signature.split(' ').any(|s| s == want) && fresh && self.id.starts_with("msg_")
    }

    /// Whether the signature is the HMAC-SHA256 of the body with `secret`, as a receiver checks it.
    pub fn signed_with(&self, secret: &str) -> bool {
        let Some(hex) = self.signature.strip_prefix("sha256=") else { return false };
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key");
        mac.update(&self.body);
        let want: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
        want == hex
    }
}

/// What a receiver answers: these statuses first (`None`: hang up never), then 200.
#[derive(Default)]
struct Script {
    answers: Vec<Option<u16>>,
}

#[derive(Clone, Default)]
pub struct Receiver {
    got: Arc<Mutex<Vec<Received>>>,
    script: Arc<Mutex<Script>>,
}

impl Receiver {
    /// A receiver on a free loopback port answering by `answers`, then 200.
    pub async fn start(answers: Vec<Option<u16>>) -> (Self, SocketAddr) {
        let receiver = Receiver::default();
        receiver.script.lock().expect("script").answers = answers;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let r = receiver.clone();
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: HeaderMap, body: axum::body::Bytes| {
                let r = r.clone();
                async move {
                    let h = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
                    r.got.lock().expect("got").push(Received {
                        event: h("x-qingdan-event"),
                        delivery: h("x-qingdan-delivery"),
                        signature: h("x-qingdan-signature"),
                        body: body.to_vec(),
                        id: h("webhook-id"),
                        timestamp: h("webhook-timestamp"),
                        standard_signature: h("webhook-signature"),
                    });
                    let answer = {
                        let mut s = r.script.lock().expect("script");
                        if s.answers.is_empty() { Some(200) } else { s.answers.remove(0) }
                    };
                    match answer {
                        Some(code) => StatusCode::from_u16(code).unwrap_or(StatusCode::OK),
                        None => {
                            tokio::time::sleep(Duration::from_secs(3600)).await;
                            StatusCode::OK
                        }
                    }
                }
            }),
        );
        tokio::spawn(async move {
            axum::serve(listener, app).await.ok();
        });
        (receiver, addr)
    }

    pub fn got(&self) -> Vec<Received> {
        self.got.lock().expect("got").clone()
    }

    /// Waits until `n` requests came (at most 20 s).
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        for _ in 0..400 {
            let got = self.got();
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the receiver got {} of {n} requests", self.got().len());
    }
}
