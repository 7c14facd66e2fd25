//! Per-token and per-address rate limits: an in-memory token bucket per client.
//!
//! A client may spend its whole minute's allowance at once; the bucket refills evenly over the
//! minute. A bucket left alone for a minute is full again, the same as no bucket, so idle
//! buckets are dropped; the table also never takes more than [`TABLE_BYTES`].

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::config::Limits;
use crate::service::access::Viewer;

/// Bytes the table of clients takes at most (about 75,000 clients); past it the least recently
/// seen half is forgotten.
const TABLE_BYTES: usize = 8 * 1024 * 1024;

/// Bytes one slot of the table takes: its entry and its control byte.
const SLOT_BYTES: usize = std::mem::size_of::<(Key, Bucket)>() + 1;

/// Bytes one tracked client may cost: the table allocates slots for 8/7 of its entries, and
/// doubles when full (a sweep rebuilds it to fit, so it only grows by inserting).
const CLIENT_BYTES: usize = SLOT_BYTES * 2 * 8 / 7;

/// Who a request is counted against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Key {
    Token(i64),
    /// An IPv4 address, or the /64 network of an IPv6 address (one host's usual allocation).
    Address(IpAddr),
    /// No peer address known (the router served without connect info).
    Unknown,
}

/// A refused request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// Whole seconds until the next request is allowed.
    pub retry_after_secs: u64,
    /// The limit that was hit, for the message.
    pub message: String,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

#[derive(Debug)]
struct Table {
    buckets: HashMap<Key, Bucket>,
    last_sweep: Instant,
}

/// The limiter of one server.
#[derive(Debug)]
pub struct RateLimiter {
    per_address: u32,
    per_token: u32,
    loopback: bool,
    max_clients: usize,
    table: Mutex<Table>,
}

impl RateLimiter {
    pub fn new(limits: &Limits) -> Self {
        Self::with_capacity(limits, TABLE_BYTES / CLIENT_BYTES)
    }

    fn with_capacity(limits: &Limits, max_clients: usize) -> Self {
        Self {
            per_address: limits.rate_limit_per_minute,
            per_token: limits.token_rate_limit_per_minute,
            loopback: limits.rate_limit_loopback,
            max_clients: max_clients.max(2),
            table: Mutex::new(Table { buckets: HashMap::new(), last_sweep: Instant::now() }),
        }
    }

    /// Counts a request of `viewer` from `peer`: tokens by token, anonymous callers by address.
    pub fn check(&self, viewer: &Viewer, peer: Option<SocketAddr>) -> Result<(), Refused> {
        match viewer {
            Viewer::Token { id, .. } => {
                self.check_key(Key::Token(*id), self.per_token, "per token", peer, Instant::now())
            }
            Viewer::Anonymous => self.check_address(peer),
        }
    }

    /// Counts a request by its address alone (anonymous, or with a token that failed).
    pub fn check_address(&self, peer: Option<SocketAddr>) -> Result<(), Refused> {
        self.check_key(address_key(peer), self.per_address, "per client address", peer, Instant::now())
    }

    fn check_key(
        &self,
        key: Key,
        per_minute: u32,
        what: &str,
        peer: Option<SocketAddr>,
        now: Instant,
    ) -> Result<(), Refused> {
        if per_minute == 0 || (!self.loopback && peer.is_some_and(|p| p.ip().to_canonical().is_loopback())) {
            return Ok(());
        }
        let capacity = f64::from(per_minute);
        let per_second = capacity / 60.0;
        // A poisoned lock only means another request panicked mid-update; the table is still
        // a table of numbers.
        let mut table = self.table.lock().unwrap_or_else(|e| e.into_inner());
        table.sweep(now, false, self.max_clients);
        if !table.buckets.contains_key(&key) && table.buckets.len() >= self.max_clients {
            table.sweep(now, true, self.max_clients);
        }
        let bucket = table.buckets.entry(key).or_insert(Bucket { tokens: capacity, last: now });
        let elapsed = now.saturating_duration_since(bucket.last).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * per_second).min(capacity);
        bucket.last = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            return Ok(());
        }
        let wait = ((1.0 - bucket.tokens) / per_second).ceil().max(1.0) as u64;
        Err(Refused {
            retry_after_secs: wait,
            message: format!(
                "rate limit exceeded: at most {per_minute} requests per minute {what}; retry after {wait} s"
            ),
        })
    }

    /// Clients tracked now.
    #[cfg(test)]
    fn tracked(&self) -> usize {
        self.table.lock().map(|t| t.buckets.len()).unwrap_or(0)
    }
}

impl crate::bounded::Bounded for RateLimiter {
    fn name(&self) -> &'static str {
        "rate_limits"
    }

    fn bytes(&self) -> u64 {
        let table = self.table.lock().unwrap_or_else(|e| e.into_inner());
        (table.buckets.capacity() * 8 / 7 * SLOT_BYTES) as u64
    }

    fn capacity(&self) -> u64 {
        (self.max_clients * CLIENT_BYTES) as u64
    }
}

impl Table {
    /// Drops buckets idle for a minute (they are full again); every minute, or now when
    /// `full` — then, if that is not enough, the least recently seen half.
    fn sweep(&mut self, now: Instant, full: bool, max_clients: usize) {
        let minute = Duration::from_secs(60);
        if !full && now.saturating_duration_since(self.last_sweep) < minute {
            return;
        }
        self.last_sweep = now;
        self.buckets.retain(|_, b| now.saturating_duration_since(b.last) < minute);
        if self.buckets.len() >= max_clients {
            let mut seen: Vec<Instant> = self.buckets.values().map(|b| b.last).collect();
            let middle = seen.len() / 2;
            let (_, cutoff, _) = seen.select_nth_unstable(middle);
            let cutoff = *cutoff;
            self.buckets.retain(|_, b| b.last > cutoff);
        }
        // Removed entries leave marks that would make the map grow past its entries' need.
        self.buckets.shrink_to_fit();
    }
}

fn address_key(peer: Option<SocketAddr>) -> Key {
    match peer.map(|p| p.ip().to_canonical()) {
        Some(IpAddr::V6(v6)) => {
            let mut octets = v6.octets();
            octets[8..].fill(0);
            Key::Address(IpAddr::from(octets))
        }
        Some(ip) => Key::Address(ip),
        None => Key::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(per_minute: u32, max_clients: usize) -> RateLimiter {
        let limits = Limits { rate_limit_per_minute: per_minute, rate_limit_loopback: true, ..Limits::default() };
        RateLimiter::with_capacity(&limits, max_clients)
    }

    fn addr(i: u32) -> Option<SocketAddr> {
        Some(SocketAddr::from((std::net::Ipv4Addr::from(0x0a00_0000 + i), 1234)))
    }

    #[test]
    fn a_client_gets_its_minute_then_waits_for_the_refill() {
        let l = limiter(3, 100);
        let t0 = Instant::now();
        let key = address_key(addr(1));
        for _ in 0..3 {
            assert!(l.check_key(key, 3, "x", addr(1), t0).is_ok());
        }
        let refused = l.check_key(key, 3, "x", addr(1), t0).expect_err("the fourth is refused");
        assert_eq!(refused.retry_after_secs, 20);
        assert!(l.check_key(key, 3, "x", addr(1), t0 + Duration::from_secs(20)).is_ok());
    }

    #[test]
    fn idle_clients_are_forgotten_and_the_table_stays_bounded() {
        let l = limiter(10, 50);
        let t0 = Instant::now();
        for i in 0..500 {
            let _ = l.check_key(address_key(addr(i)), 10, "x", addr(i), t0);
        }
        assert!(l.tracked() <= 50, "{} tracked", l.tracked());
        use crate::bounded::Bounded as _;
        assert!(l.bytes() <= l.capacity(), "{} bytes of {}", l.bytes(), l.capacity());
        let later = t0 + Duration::from_secs(61);
        let _ = l.check_key(address_key(addr(9999)), 10, "x", addr(9999), later);
        assert_eq!(l.tracked(), 1, "idle buckets are swept after a minute");
    }

    #[test]
    fn an_ipv6_host_is_counted_by_its_64_network() {
        let a: SocketAddr = "[2001:db8:1:2:aaaa::1]:1".parse().expect("addr");
        let b: SocketAddr = "[2001:db8:1:2:bbbb::2]:1".parse().expect("addr");
        assert_eq!(address_key(Some(a)), address_key(Some(b)));
    }
}
