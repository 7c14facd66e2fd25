//! Who the client is behind a load balancer: `--trusted-proxies`.
//!
//! When the peer of a connection is a trusted proxy, the client is the right-most address of the
//! `Forwarded` (RFC 7239) or, without it, `X-Forwarded-For` chain that is not itself a trusted
//! proxy: each proxy appends the address it received from, so everything left of the first
//! untrusted hop may be forged by the client. From any other peer both headers are ignored.
//! Rate limits and logs use the result.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;

use super::HttpState;

pub use crate::config::Cidr;

/// The client's address, as resolved for this request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub SocketAddr);

/// The client of a request (see the module): its address, with the peer's port when it came
/// through proxies.
pub fn resolve(trusted: &[Cidr], peer: SocketAddr, headers: &HeaderMap) -> SocketAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|c| c.contains(ip));
    if !is_trusted(peer.ip()) {
        return peer;
    }
    let chain = forwarded_chain(headers);
    let mut client = peer.ip();
    for hop in chain.iter().rev() {
        match hop {
            Some(ip) => {
                client = *ip;
                if !is_trusted(*ip) {
                    break;
                }
            }
            // An unreadable hop (`unknown`, an obfuscated name): nothing left of it can be
            // trusted, and the hop itself is no address; the last proxy stands for it.
            None => break,
        }
    }
    SocketAddr::new(client, peer.port())
}

/// The `for` addresses of `Forwarded`, or else of `X-Forwarded-For`, left to right (every header
/// line in order). `None` for a hop that is not an address.
fn forwarded_chain(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let forwarded: Vec<&str> = headers.get_all("forwarded").iter().filter_map(|v| v.to_str().ok()).collect();
    if !forwarded.is_empty() {
        return forwarded
            .iter()
            .flat_map(|line| line.split(','))
            .filter_map(|element| {
                element.split(';').find_map(|pair| {
                    let (k, v) = pair.split_once('=')?;
                    k.trim().eq_ignore_ascii_case("for").then(|| parse_node(v.trim().trim_matches('"')))
                })
            })
            .collect();
    }
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|line| line.split(','))
        .map(|hop| parse_node(hop.trim()))
        .collect()
}

/// `192.0.2.1`, `192.0.2.1:4711`, `[2001:db8::1]`, `[2001:db8::1]:4711`, `2001:db8::1`.
fn parse_node(s: &str) -> Option<IpAddr> {
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Ok(sa) = s.parse::<SocketAddr>() {
        return Some(sa.ip());
    }
    s.strip_prefix('[').and_then(|r| r.split_once(']')).and_then(|(ip, _)| ip.parse().ok())
}

/// Resolves the client of every request into its extensions ([`ClientAddr`]).
pub async fn resolve_client(State(state): State<HttpState>, mut req: Request, next: Next) -> Response {
    if let Some(ConnectInfo(peer)) = req.extensions().get::<ConnectInfo<SocketAddr>>().copied() {
        let client = resolve(&state.app.limits.trusted_proxies, peer, req.headers());
        req.extensions_mut().insert(ClientAddr(client));
    }
    next.run(req).await
}

/// The client of a request whose parts these are.
pub fn of(extensions: &axum::http::Extensions) -> Option<SocketAddr> {
    extensions
        .get::<ClientAddr>()
        .map(|c| c.0)
        .or_else(|| extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(a)| *a))
}

/// The same, from a request's parts.
pub fn of_parts(parts: &Parts) -> Option<SocketAddr> {
    of(&parts.extensions)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).expect("a header value"));
        }
        h
    }

    fn cidrs(list: &[&str]) -> Vec<Cidr> {
        list.iter().map(|c| c.parse().expect("a CIDR")).collect()
    }

    const PROXY: &str = "10.0.0.5:40000";

    #[test]
    fn blocks_contain_their_addresses_only() {
        let c: Cidr = "10.0.0.0/8".parse().expect("cidr");
        assert!(c.contains("10.255.1.2".parse().expect("ip")));
        assert!(!c.contains("11.0.0.1".parse().expect("ip")));
        assert!(c.contains("::ffff:10.1.2.3".parse().expect("ip")), "IPv4-mapped IPv6");
        let v6: Cidr = "fd00::/8".parse().expect("cidr");
        assert!(v6.contains("fd12::1".parse().expect("ip")) && !v6.contains("fe80::1".parse().expect("ip")));
        let host: Cidr = "192.0.2.1".parse().expect("cidr");
        assert!(host.contains("192.0.2.1".parse().expect("ip")) && !host.contains("192.0.2.2".parse().expect("ip")));
        assert!("0.0.0.0/0".parse::<Cidr>().expect("cidr").contains("8.8.8.8".parse().expect("ip")));
        assert!("10.0.0.0/33".parse::<Cidr>().is_err() && "proxy".parse::<Cidr>().is_err());
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        let peer: SocketAddr = "203.0.113.9:5000".parse().expect("addr");
        let h = headers(&[("x-forwarded-for", "198.51.100.1"), ("forwarded", "for=198.51.100.2")]);
        assert_eq!(resolve(&cidrs(&["10.0.0.0/8"]), peer, &h), peer);
        assert_eq!(resolve(&[], peer, &h), peer);
    }

    #[test]
    fn behind_trusted_proxies_the_client_is_the_right_most_untrusted_hop() {
        let peer: SocketAddr = PROXY.parse().expect("addr");
        let trusted = cidrs(&["10.0.0.0/8"]);
        let ip = |h: &HeaderMap| resolve(&trusted, peer, h).ip().to_string();
        assert_eq!(ip(&headers(&[("x-forwarded-for", "198.51.100.7")])), "198.51.100.7");
        // A client that forges a hop gets the address the first proxy saw.
        assert_eq!(ip(&headers(&[("x-forwarded-for", "1.2.3.4, 198.51.100.7, 10.0.0.3")])), "198.51.100.7");
        assert_eq!(
            ip(&headers(&[("x-forwarded-for", "1.2.3.4"), ("x-forwarded-for", "198.51.100.7")])),
            "198.51.100.7"
        );
        // Forwarded wins over X-Forwarded-For; ports and brackets are read.
        let h = headers(&[
            ("forwarded", r#"for="[2001:db8::1]:4711";proto=https, for=10.0.0.2"#),
            ("x-forwarded-for", "1.1.1.1"),
        ]);
        assert_eq!(ip(&h), "2001:db8::1");
        assert_eq!(ip(&headers(&[("forwarded", "for=198.51.100.8:80;by=10.0.0.5")])), "198.51.100.8");
        // No header, or only proxies: the left-most proxy.
        assert_eq!(ip(&HeaderMap::new()), "10.0.0.5");
        assert_eq!(ip(&headers(&[("x-forwarded-for", "10.0.0.1, 10.0.0.2")])), "10.0.0.1");
        // An unreadable hop stops the walk at the proxy that reported it.
        assert_eq!(ip(&headers(&[("x-forwarded-for", "198.51.100.7, unknown")])), "10.0.0.5");
        assert_eq!(ip(&headers(&[("forwarded", "for=_hidden, for=198.51.100.9")])), "198.51.100.9");
    }
}
