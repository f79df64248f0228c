//! Who is asking, as far as the network can tell: client IP (honouring `X-Forwarded-For` only from
//! configured proxies), user agent, and a request id that ties log lines and audit rows together.

use ipnet::IpNet;
use std::net::IpAddr;

/// Attached to every request by the server's middleware.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestMeta {
    pub ip: String,
    pub user_agent: String,
    pub request_id: String,
}

impl RequestMeta {
    /// The metadata of the request being handled (server functions and pages).
    pub fn current() -> Self {
        leptos::prelude::use_context::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<RequestMeta>().cloned())
            .unwrap_or_default()
    }

    /// Metadata for work not caused by a request (CLI, background jobs).
    pub fn system(what: &str) -> Self {
        Self { ip: String::new(), user_agent: what.to_string(), request_id: String::new() }
    }
}

/// Proxies whose `X-Forwarded-For` we believe (`VOUCHSAFE_TRUSTED_PROXIES`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// A comma-separated list of addresses or CIDR ranges.
    pub fn parse(text: &str) -> Result<Self, String> {
        text.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<IpNet>()
                    .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("“{s}” is not an IP address or CIDR range"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    fn trusts(&self, ip: &IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(ip))
    }

    /// The client's address. A peer we do not trust is the client, whatever headers it sends.
    /// Behind trusted proxies, the client is the right-most `X-Forwarded-For` entry that is not
    /// itself a trusted proxy (entries to its left are the client's own claims).
    pub fn client_ip(&self, peer: IpAddr, forwarded_for: Option<&str>) -> IpAddr {
        if !self.trusts(&peer) {
            return peer;
        }
        let hops: Vec<IpAddr> =
            forwarded_for.unwrap_or_default().split(',').filter_map(|s| s.trim().parse::<IpAddr>().ok()).collect();
        hops.iter().rev().find(|ip| !self.trusts(ip)).or(hops.first()).copied().unwrap_or(peer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_for_is_ignored_from_untrusted_peers() {
        let none = TrustedProxies::default();
        assert_eq!(none.client_ip(ip("203.0.113.9"), Some("1.2.3.4")), ip("203.0.113.9"));
    }

    #[test]
    fn behind_trusted_proxies_the_rightmost_untrusted_hop_is_the_client() {
        let proxies = TrustedProxies::parse("10.0.0.0/8, 192.0.2.1").unwrap();
        // The client forged "6.6.6.6"; the proxy appended the real address.
        assert_eq!(proxies.client_ip(ip("10.1.2.3"), Some("6.6.6.6, 198.51.100.7")), ip("198.51.100.7"));
        assert_eq!(proxies.client_ip(ip("192.0.2.1"), Some("198.51.100.7, 10.0.0.5")), ip("198.51.100.7"));
        assert_eq!(proxies.client_ip(ip("10.1.2.3"), None), ip("10.1.2.3"));
        assert!(TrustedProxies::parse("10.0.0.0/8, nonsense").is_err());
    }
}
