//! Anonymous refusals (junk download links, cross-site posts, dead sign-in links) are limited
//! and aggregated before they reach the access log.
//!
//! The log is permanent and append-only, so whatever anyone can write to it without an account
//! must be bounded: otherwise a script filling it with junk both buries the real events and
//! grows storage for ever. The first refusal of a kind from a source in a window is written at
//! once, as before; repeats in the same window are only counted, and one row per source and
//! window records how many there were. Past [`PER_MINUTE`] refusals a minute, a source is also
//! answered `429` without further work. Sources are IPv4 addresses and IPv6 /64 networks (one
//! host can hold a whole /64). State is per instance and bounded in size.

use super::{
    audit::{self, Actor, Event, Outcome},
    db::Db,
    request_meta::RequestMeta,
};
use crate::{error::AppError, types::Timestamp};
use governor::{clock::DefaultClock, state::keyed::DefaultKeyedStateStore, Quota, RateLimiter};
use std::{collections::HashMap, net::IpAddr, num::NonZeroU32, sync::Mutex};

/// One row per source and kind of refusal at most this often (plus the summary row).
pub const WINDOW_SECONDS: i64 = 10 * 60;
/// Refusals a minute a source may cause before it is answered `429` outright.
pub const PER_MINUTE: u32 = 30;
/// Sources tracked at once; beyond this, refusals from new sources share one window.
const MAX_SOURCES: usize = 10_000;
const OVERFLOW_SOURCE: &str = "(many sources)";

#[derive(Debug)]
struct Window {
    started: i64,
    /// Refusals counted but not written.
    suppressed: u64,
    /// The last suppressed refusal's object, as an example for the summary row.
    example: String,
}

#[derive(Debug)]
pub struct RefusalLog {
    windows: Mutex<HashMap<(String, &'static str), Window>>,
    limiter: RateLimiter<String, DefaultKeyedStateStore<String>, DefaultClock>,
}

impl Default for RefusalLog {
    fn default() -> Self {
        let burst = NonZeroU32::new(PER_MINUTE).expect("positive");
        Self { windows: Mutex::new(HashMap::new()), limiter: RateLimiter::keyed(Quota::per_minute(burst)) }
    }
}

/// What happened to a refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Noted {
    /// Written to the log now.
    Logged,
    /// Counted in its window's summary.
    Counted,
    /// Counted, and the source is over its rate: answer `429`.
    Throttled,
}

/// The source a refusal is attributed to: the address, or its /64 for IPv6.
pub fn source_of(ip: &str) -> String {
    match ip.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Ok(IpAddr::V6(v6)) => v6.to_ipv4_mapped().map(|v4| v4.to_string()).unwrap_or_default(),
        Ok(ip) => ip.to_string(),
        Err(_) => ip.chars().take(64).collect(),
    }
}

impl RefusalLog {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(String, &'static str), Window>> {
        self.windows.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Notes an anonymous refusal: writes it (the first of its kind from its source in the
    /// window) or counts it. Logging failures are logged, never raised: a refusal stays refused.
    pub async fn note(
        &self,
        db: &Db,
        meta: &RequestMeta,
        event: &'static str,
        object: String,
        details: serde_json::Value,
    ) -> Noted {
        let source = source_of(&meta.ip);
        let throttled = self.limiter.check_key(&source).is_err();
        let now = Timestamp::now().0;
        let first = {
            let mut windows = self.lock();
            let key = if windows.len() >= MAX_SOURCES && !windows.contains_key(&(source.clone(), event)) {
                (OVERFLOW_SOURCE.to_string(), event)
            } else {
                (source, event)
            };
            match windows.get_mut(&key) {
                Some(window) if now - window.started < WINDOW_SECONDS => {
                    window.suppressed += 1;
                    window.example = object.chars().take(200).collect();
                    false
                }
                _ => {
                    windows.insert(key, Window { started: now, suppressed: 0, example: String::new() });
                    true
                }
            }
        };
        if first {
            let actor = Actor::anonymous();
            let event = Event { actor: &actor, event, object, outcome: Outcome::Denied, details };
            if let Err(err) = audit::record_alone(db, meta, event).await {
                tracing::error!(error = %err, "could not log a refusal");
            }
        }
        match (first, throttled) {
            (_, true) => Noted::Throttled,
            (true, false) => Noted::Logged,
            (false, false) => Noted::Counted,
        }
    }

    /// Writes one summary row per window that has ended (all windows with `everything`) and had
    /// repeats, and forgets ended windows. Run every minute, and at shutdown.
    pub async fn flush(&self, db: &Db, everything: bool) -> Result<usize, AppError> {
        let now = Timestamp::now().0;
        let ended: Vec<((String, &'static str), Window)> = {
            let mut windows = self.lock();
            let keys: Vec<_> = windows
                .iter()
                .filter(|(_, w)| everything || now - w.started >= WINDOW_SECONDS)
                .map(|(k, _)| k.clone())
                .collect();
            keys.into_iter().filter_map(|k| windows.remove(&k).map(|w| (k, w))).collect()
        };
        self.limiter.retain_recent();
        let mut written = 0;
        for ((source, event), window) in ended.into_iter().filter(|(_, w)| w.suppressed > 0) {
            let actor = Actor::anonymous();
            let meta = RequestMeta { ip: source.clone(), ..RequestMeta::system("refusals aggregated") };
            let details = serde_json::json!({
                "repeated": window.suppressed,
                "window_start": window.started,
                "window_end": now.min(window.started + WINDOW_SECONDS),
                "example": window.example,
                "source": source,
            });
            let row = Event { actor: &actor, event, object: String::new(), outcome: Outcome::Denied, details };
            audit::record_alone(db, &meta, row).await?;
            written += 1;
        }
        Ok(written)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_sources_are_networks() {
        assert_eq!(source_of("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
        assert_eq!(source_of("2001:db8:1:2:ffff::1"), "2001:db8:1:2::/64");
        assert_eq!(source_of("::ffff:192.0.2.1"), "192.0.2.1");
        assert_eq!(source_of("192.0.2.9"), "192.0.2.9");
    }
}
