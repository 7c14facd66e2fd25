//! What the server keeps across requests, each bounded in bytes (never in rows), and their
//! gauges at `/metrics`.
//!
//! Every cache of the server implements [`Bounded`]; `http::health::metrics` lists them all, so a
//! new cache that does not implement it has no gauge and no bound to show, which review catches.
//! The list snapshot is not a cache of requests: it is one per list version, its size set by the
//! data (≈ 50 MiB at national scale), whatever callers ask.

use std::fmt::Write as _;

/// A cache whose weight in bytes never exceeds its capacity.
pub trait Bounded {
    /// The `cache` label of its gauges.
    fn name(&self) -> &'static str;
    /// Bytes held now (by the cache's own accounting of what each entry holds).
    fn bytes(&self) -> u64;
    /// Bytes held at most.
    fn capacity(&self) -> u64;
}

/// The gauges `qingdan_cache_bytes` and `qingdan_cache_capacity_bytes`, one series per cache.
pub fn render(out: &mut String, caches: &[&dyn Bounded]) {
    let _ = writeln!(out, "# HELP qingdan_cache_bytes Bytes held by each cache kept across requests.");
    let _ = writeln!(out, "# TYPE qingdan_cache_bytes gauge");
    for c in caches {
        let _ = writeln!(out, "qingdan_cache_bytes{{cache=\"{}\"}} {}", c.name(), c.bytes());
    }
    let _ = writeln!(out, "# HELP qingdan_cache_capacity_bytes Bytes each cache kept across requests holds at most.");
    let _ = writeln!(out, "# TYPE qingdan_cache_capacity_bytes gauge");
    for c in caches {
        let _ = writeln!(out, "qingdan_cache_capacity_bytes{{cache=\"{}\"}} {}", c.name(), c.capacity());
    }
}

/// The bytes all `caches` hold at most.
pub fn total_capacity(caches: &[&dyn Bounded]) -> u64 {
    caches.iter().map(|c| c.capacity()).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed(u64, u64);

    impl Bounded for Fixed {
        fn name(&self) -> &'static str {
            "fixed"
        }
        fn bytes(&self) -> u64 {
            self.0
        }
        fn capacity(&self) -> u64 {
            self.1
        }
    }

    #[test]
    fn every_cache_has_a_gauge_of_its_bytes_and_of_its_bound() {
        let mut out = String::new();
        let (a, b) = (Fixed(3, 10), Fixed(0, 5));
        render(&mut out, &[&a, &b]);
        assert!(out.contains("qingdan_cache_bytes{cache=\"fixed\"} 3\n"), "{out}");
        assert!(out.contains("qingdan_cache_capacity_bytes{cache=\"fixed\"} 10\n"), "{out}");
        assert_eq!(total_capacity(&[&a, &b]), 15);
    }
}
