//! Events anyone can cause at will (junk download links, cross-site posts, dead sign-in links,
//! failed staff sign-ins, reset requests for unknown addresses, sign-in link requests, anonymous
//! downloads of public documents) are limited and aggregated before they reach the access log.
//!
//! The log is permanent and append-only, so whatever anyone can write to it without an account
//! must be bounded: otherwise a script filling it with junk both buries the real events and
//! grows storage for ever. The first event of a kind from a source in a window is written at
//! once, as before; repeats in the same window are only counted, and one row per source and
//! window records how many there were (and up to ten of the accounts named). Past
//! [`PER_MINUTE`] such events a minute, a source is also answered `429` without further work.
//! Sources are IPv4 addresses and IPv6 /64 networks (one host can hold a whole /64). Across all
//! sources at most [`FIRST_ROWS_PER_MINUTE`] first rows a minute are written; beyond that, new
//! sources share one window. State is per instance and bounded in size.

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
/// First rows a minute across all sources (a botnet of many sources is one window beyond it).
pub const FIRST_ROWS_PER_MINUTE: u32 = 60;
/// Accounts named in a window's summary at most.
const MAX_LABELS: usize = 10;
/// Sources tracked at once; beyond this, refusals from new sources share one window.
const MAX_SOURCES: usize = 10_000;
const OVERFLOW_SOURCE: &str = "(many sources)";

#[derive(Debug)]
struct Window {
    started: i64,
    /// Events counted but not written.
    suppressed: u64,
    /// The last suppressed event's object, as an example for the summary row.
    example: String,
    /// Accounts the counted events named (at most [`MAX_LABELS`]).
    labels: std::collections::BTreeSet<String>,
    outcome: Outcome,
}

/// The per-instance windows and rate limiters of anonymous refusals (see the module docs).
#[derive(Debug)]
pub struct RefusalLog {
    windows: Mutex<HashMap<(String, &'static str), Window>>,
    limiter: RateLimiter<String, DefaultKeyedStateStore<String>, DefaultClock>,
    first_rows: RateLimiter<governor::state::NotKeyed, governor::state::InMemoryState, DefaultClock>,
}

impl Default for RefusalLog {
    fn default() -> Self {
        let burst = NonZeroU32::new(PER_MINUTE).expect("positive");
        let first = NonZeroU32::new(FIRST_ROWS_PER_MINUTE).expect("positive");
        Self {
            windows: Mutex::new(HashMap::new()),
            limiter: RateLimiter::keyed(Quota::per_minute(burst)),
            first_rows: RateLimiter::direct(Quota::per_minute(first)),
        }
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

/// The source a refusal is attributed to: the address, or its /64 for IPv6 (see
/// [`super::request_meta::source_of`]).
pub fn source_of(ip: &str) -> String {
    match ip.parse::<IpAddr>().map(super::request_meta::source_of) {
        Ok(IpAddr::V6(v6)) => format!("{v6}/64"),
        Ok(v4) => v4.to_string(),
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
        self.note_by(db, meta, &Actor::anonymous(), event, Outcome::Denied, object, details).await
    }

    /// As [`Self::note`], for any actor and outcome (a prospect's refused link, a failed staff
    /// sign-in naming an account, an anonymous public download).
    #[expect(clippy::too_many_arguments, reason = "one event's fields, as the log writer takes them")]
    pub async fn note_by(
        &self,
        db: &Db,
        meta: &RequestMeta,
        actor: &Actor,
        event: &'static str,
        outcome: Outcome,
        object: String,
        details: serde_json::Value,
    ) -> Noted {
        let source = source_of(&meta.ip);
        let throttled = self.limiter.check_key(&source).is_err();
        let now = Timestamp::now().0;
        let first = {
            let mut windows = self.lock();
            let key = (source, event);
            let open = windows.get(&key).is_some_and(|w| now - w.started < WINDOW_SECONDS);
            let key = if open || (windows.len() < MAX_SOURCES && self.first_rows.check().is_ok()) {
                key
            } else {
                (OVERFLOW_SOURCE.to_string(), event)
            };
            match windows.get_mut(&key) {
                Some(window) if now - window.started < WINDOW_SECONDS => {
                    window.suppressed += 1;
                    window.example = object.chars().take(200).collect();
                    if window.labels.len() < MAX_LABELS {
                        window.labels.insert(actor.label.chars().take(100).collect());
                    }
                    false
                }
                _ => {
                    let window = Window {
                        started: now,
                        suppressed: 0,
                        example: String::new(),
                        labels: Default::default(),
                        outcome,
                    };
                    windows.insert(key, window);
                    true
                }
            }
        };
        if first {
            let row = Event { actor, event, object, outcome, details };
            if let Err(err) = audit::record_alone(db, meta, row).await {
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
                "accounts": window.labels.into_iter().filter(|l| l != "anonymous").collect::<Vec<_>>(),
                "source": source,
            });
            let row = Event { actor: &actor, event, object: String::new(), outcome: window.outcome, details };
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
        assert_eq!(source_of("2001:db8::1"), "2001:db8::/64");
        assert_eq!(source_of("2001:db8:1:2:ffff::1"), "2001:db8:1:2::/64");
        assert_eq!(source_of("::ffff:192.0.2.1"), "192.0.2.1");
        assert_eq!(source_of("192.0.2.9"), "192.0.2.9");
    }
}
