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
    /// The stored session the request was authorized by, if someone is signed in: the access
    /// log's writer checks, inside the action's transaction, that it still exists.
    pub session: Option<SessionOwner>,
}

/// A signed-in request's session: its key (the SHA-256 the store uses) and whose it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionOwner {
    pub key: String,
    pub staff_id: Option<i64>,
    pub prospect_id: Option<i64>,
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
        Self { ip: String::new(), user_agent: what.to_string(), request_id: String::new(), session: None }
    }
}

/// The source limits and aggregation count by: an IPv4 address, or the /64 an IPv6 address is in
/// (one host is routinely given a whole /64, so its addresses are one client).
pub fn source_of(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let bits = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(std::net::Ipv6Addr::from(bits))
        }
        v4 => v4,
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

    /// Whether `ip` is one of the trusted proxies.
    pub fn trusts(&self, ip: &IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(ip))
    }

    /// The client's address. A peer we do not trust is the client, whatever headers it sends.
    /// Behind trusted proxies the chain is read from the right: each trusted proxy is skipped, and
    /// the first entry that is not one is the client as the last trusted proxy saw it. Entries
    /// further left are the client's own claims and are never believed. An entry that is not an
    /// address (garbage, or a proxy writing something unexpected) stops the walk at the last
    /// trusted hop, so a forged entry can never be reached by skipping a bad one.
    pub fn client_ip(&self, peer: IpAddr, forwarded_for: Option<&str>) -> IpAddr {
        // A dual-stack listener sees IPv4 peers as `::ffff:a.b.c.d`: one address, one form.
        let peer = peer.to_canonical();
        if !self.trusts(&peer) {
            return peer;
        }
        let mut client = peer;
        for hop in forwarded_for.unwrap_or_default().rsplit(',').map(str::trim) {
            match parse_hop(hop) {
                Some(ip) if self.trusts(&ip) => client = ip,
                Some(ip) => return ip,
                None => return client,
            }
        }
        client
    }
}

/// One `X-Forwarded-For` entry: an address, optionally with a port (`192.0.2.1:443`,
/// `[2001:db8::1]:443`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let ip = hop.parse::<IpAddr>().ok().or_else(|| hop.parse::<std::net::SocketAddr>().ok().map(|s| s.ip()))?;
    Some(ip.to_canonical())
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

    #[test]
    fn nothing_left_of_a_bad_entry_is_believed() {
        let proxies = TrustedProxies::parse("10.0.0.0/8").unwrap();
        // The proxy appended something that is no address: the client stays unknown (the proxy).
        assert_eq!(proxies.client_ip(ip("10.1.2.3"), Some("6.6.6.6, garbage")), ip("10.1.2.3"));
        assert_eq!(proxies.client_ip(ip("10.1.2.3"), Some("6.6.6.6, 10.0.0.9, \u{fffd}")), ip("10.1.2.3"));
        assert_eq!(proxies.client_ip(ip("10.1.2.3"), Some("6.6.6.6, \u{fffd}, 10.0.0.9")), ip("10.0.0.9"));
        // Ports are allowed.
        assert_eq!(proxies.client_ip(ip("10.1.2.3"), Some("6.6.6.6, 198.51.100.7:5555")), ip("198.51.100.7"));
        assert_eq!(proxies.client_ip(ip("10.1.2.3"), Some("[2001:db8::7]:443")), ip("2001:db8::7"));
        // IPv4 seen through a dual-stack socket is still IPv4.
        assert_eq!(proxies.client_ip(ip("::ffff:10.1.2.3"), Some("::ffff:198.51.100.7")), ip("198.51.100.7"));
        assert_eq!(TrustedProxies::default().client_ip(ip("::ffff:203.0.113.9"), None), ip("203.0.113.9"));
        // Every hop a trusted proxy: the left-most of them.
        assert_eq!(proxies.client_ip(ip("10.1.2.3"), Some("10.0.0.5, 10.0.0.6")), ip("10.0.0.5"));
    }
}
