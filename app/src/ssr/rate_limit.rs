//! Rate limits on sign-in, link requests, resets and second-factor attempts, per client source and
//! per account (the e-mail as typed, whether or not such an account exists, so the limit itself
//! reveals nothing). Counters live in memory, per instance (governor's GCRA).
//!
//! Keys have a fixed size whatever the client sends: a source is an IPv4 address or an IPv6 /64
//! (one host can hold a whole /64), an account is the SHA-256 of the address as typed (at most
//! [`MAX_ACCOUNT_CHARS`] of it). The source is checked first and a refused source touches no
//! account counter, so one client cannot grow memory past its own limit.
//!
//! Staff passwords are limited so that a stranger cannot lock the owner out: attempts count per
//! account *and* source, so one client typing someone's e-mail with wrong passwords only slows
//! itself down. Failures also count per account across all sources, more slowly; when that
//! limit trips (a guessing attack from many sources) the account is in back-off for a while:
//! only sources its owner signed in from (or unlocked from the link in the warning mail) may
//! still try, and the owner is mailed, at most once a day.

use super::request_meta::source_of;
use crate::error::AppError;
use governor::{clock::DefaultClock, state::keyed::DefaultKeyedStateStore, Quota, RateLimiter};
use sha2::{Digest, Sha256};
use std::{
    collections::HashMap,
    net::IpAddr,
    num::NonZeroU32,
    sync::Mutex,
    time::{Duration, Instant},
};

type Keyed<K> = RateLimiter<K, DefaultKeyedStateStore<K>, DefaultClock>;

/// An account key: the SHA-256 of the normalised address.
type Account = [u8; 32];

/// No e-mail address is longer than this; more of what was typed is not looked at.
pub const MAX_ACCOUNT_CHARS: usize = 320;

fn account_key(typed: &str) -> Account {
    let normalised: String = typed.trim().chars().take(MAX_ACCOUNT_CHARS).collect::<String>().to_lowercase();
    Sha256::digest(normalised.as_bytes()).into()
}

/// Questions one source may ask the trust center per quarter hour.
pub const ASK_PER_SOURCE: i64 = 40;
/// Times one question may be asked per quarter hour (from anywhere).
pub const ASK_PER_QUESTION: i64 = 100;

/// What is being attempted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    SignInLink,
    PasswordReset,
    SecondFactor,
    /// Asking for update mails (each sends a confirmation mail).
    Subscribe,
    /// Asking the trust center a question (the account is the question).
    Ask,
    /// Leaving an address to be told when a question is answered.
    AskNotify,
}

/// `burst` at once, then one more every `period / burst`.
fn quota(burst: u32, period: Duration) -> Quota {
    let burst = NonZeroU32::new(burst).expect("burst is positive");
    Quota::with_period(period / burst.get()).expect("period is positive").allow_burst(burst)
}

/// A pair of limiters: one per source, one per account.
#[derive(Debug)]
struct Pair {
    source: Keyed<IpAddr>,
    account: Keyed<Account>,
}

impl Pair {
    fn new(source_burst: u32, account_burst: u32, period: Duration) -> Self {
        Self {
            source: RateLimiter::keyed(quota(source_burst, period)),
            account: RateLimiter::keyed(quota(account_burst, period)),
        }
    }
}

/// Staff password attempts: see the module documentation.
#[derive(Debug)]
struct StaffPasswords {
    source: Keyed<IpAddr>,
    account_source: Keyed<(Account, IpAddr)>,
    account_failures: Keyed<Account>,
    /// Accounts in back-off, until when.
    backoff: Mutex<HashMap<Account, Instant>>,
    /// When each account's owner was last warned.
    warned: Mutex<HashMap<Account, Instant>>,
}

/// How long an account stays in back-off after its failures tripped the limit.
pub const BACKOFF: Duration = Duration::from_secs(15 * 60);
/// An owner is warned of a guessing attack at most this often.
const WARN_EVERY: Duration = Duration::from_secs(24 * 3600);

/// Every in-memory limit of this instance, one set per guarded action; `Default` sets the quotas.
#[derive(Debug)]
pub struct RateLimits {
    staff_passwords: StaffPasswords,
    sign_in_link: Pair,
    password_reset: Pair,
    second_factor: Pair,
    subscribe: Pair,
    ask: Pair,
    ask_notify: Pair,
    /// Sessions created to carry a form's message for a visitor who had none.
    new_sessions: Keyed<IpAddr>,
}

impl Default for RateLimits {
    fn default() -> Self {
        let quarter_hour = Duration::from_secs(15 * 60);
        Self {
            staff_passwords: StaffPasswords {
                source: RateLimiter::keyed(quota(30, quarter_hour)),
                account_source: RateLimiter::keyed(quota(5, quarter_hour)),
                account_failures: RateLimiter::keyed(quota(20, Duration::from_secs(3600))),
                backoff: Mutex::new(HashMap::new()),
                warned: Mutex::new(HashMap::new()),
            },
            sign_in_link: Pair::new(10, 3, quarter_hour),
            password_reset: Pair::new(10, 3, quarter_hour),
            second_factor: Pair::new(30, 5, quarter_hour),
            subscribe: Pair::new(10, 3, quarter_hour),
            ask: Pair::new(ASK_PER_SOURCE as u32, ASK_PER_QUESTION as u32, quarter_hour),
            ask_notify: Pair::new(10, 3, quarter_hour),
            new_sessions: RateLimiter::keyed(quota(30, Duration::from_secs(60))),
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl RateLimits {
    /// Counts one attempt; `RateLimited` once the source or the account is over its limit. A
    /// refused source is not counted against the account.
    pub fn check(&self, action: Action, ip: Option<IpAddr>, account: &str) -> Result<(), AppError> {
        let pair = match action {
            Action::SignInLink => &self.sign_in_link,
            Action::PasswordReset => &self.password_reset,
            Action::SecondFactor => &self.second_factor,
            Action::Subscribe => &self.subscribe,
            Action::Ask => &self.ask,
            Action::AskNotify => &self.ask_notify,
        };
        if ip.is_some_and(|ip| pair.source.check_key(&source_of(ip)).is_err()) {
            return Err(AppError::RateLimited);
        }
        pair.account.check_key(&account_key(account)).map_err(|_| AppError::RateLimited)
    }

    /// Counts one staff password attempt from `ip` for `account`. `Err(RateLimited)` when the
    /// source is over its limit, or over its limit for this account. `Ok(true)` when the account
    /// is in back-off: the caller lets only its owner's own sources through.
    pub fn staff_password_attempt(&self, ip: Option<IpAddr>, account: &str) -> Result<bool, AppError> {
        let limits = &self.staff_passwords;
        let account = account_key(account);
        if let Some(source) = ip.map(source_of) {
            if limits.source.check_key(&source).is_err() || limits.account_source.check_key(&(account, source)).is_err()
            {
                return Err(AppError::RateLimited);
            }
        }
        let now = Instant::now();
        let mut backoff = lock(&limits.backoff);
        backoff.retain(|_, until| *until > now);
        Ok(backoff.contains_key(&account))
    }

    /// Counts a wrong password for `account`. Returns `true` when this failure started a back-off
    /// and the owner has not been warned in the last day (time to tell them).
    pub fn staff_password_failed(&self, account: &str) -> bool {
        let limits = &self.staff_passwords;
        let account = account_key(account);
        if limits.account_failures.check_key(&account).is_ok() {
            return false;
        }
        let now = Instant::now();
        let started = {
            let mut backoff = lock(&limits.backoff);
            let started = backoff.get(&account).is_none_or(|until| *until <= now);
            backoff.insert(account, now + BACKOFF);
            started
        };
        let mut warned = lock(&limits.warned);
        warned.retain(|_, at| now.duration_since(*at) < WARN_EVERY);
        if started && !warned.contains_key(&account) {
            warned.insert(account, now);
            return true;
        }
        false
    }

    /// Whether a session may be created to carry a form's message for a visitor without one
    /// (each is a database row: a client posting bad forms in a loop gets its answers without).
    pub fn new_session(&self, ip: Option<IpAddr>) -> bool {
        ip.is_none_or(|ip| self.new_sessions.check_key(&source_of(ip)).is_ok())
    }

    /// Drops keys whose limits have fully recovered, so memory does not grow without bound.
    pub fn prune(&self) {
        let staff = &self.staff_passwords;
        staff.source.retain_recent();
        staff.account_source.retain_recent();
        staff.account_failures.retain_recent();
        let now = Instant::now();
        lock(&staff.backoff).retain(|_, until| *until > now);
        lock(&staff.warned).retain(|_, at| now.duration_since(*at) < WARN_EVERY);
        for pair in [&self.sign_in_link, &self.password_reset, &self.second_factor, &self.subscribe] {
            pair.source.retain_recent();
            pair.account.retain_recent();
        }
        self.new_sessions.retain_recent();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_are_limited_whoever_asks() {
        let limits = RateLimits::default();
        let ip = |n: u8| Some(IpAddr::from([198, 51, 100, n]));
        for n in 0..3 {
            assert!(limits.check(Action::PasswordReset, ip(n), "Ann@Example.com").is_ok());
        }
        assert_eq!(limits.check(Action::PasswordReset, ip(9), "ann@example.com "), Err(AppError::RateLimited));
        assert!(limits.check(Action::PasswordReset, ip(9), "bob@example.com").is_ok());
    }

    #[test]
    fn a_stranger_cannot_lock_the_owner_out() {
        let limits = RateLimits::default();
        let stranger = Some(IpAddr::from([203, 0, 113, 66]));
        let owner = Some(IpAddr::from([198, 51, 100, 10]));
        for _ in 0..5 {
            assert_eq!(limits.staff_password_attempt(stranger, "ann@example.com"), Ok(false));
            assert!(!limits.staff_password_failed("ann@example.com"));
        }
        assert_eq!(limits.staff_password_attempt(stranger, "Ann@Example.com"), Err(AppError::RateLimited));
        // The owner, from their own address, is not affected.
        assert_eq!(limits.staff_password_attempt(owner, "ann@example.com"), Ok(false));
    }

    #[test]
    fn failures_from_many_addresses_put_the_account_in_back_off_and_warn_once_a_day() {
        let limits = RateLimits::default();
        let mut warned = 0;
        for round in 0..3u8 {
            for n in 0..25u8 {
                let ip = Some(IpAddr::from([203, round, 113, n]));
                if limits.staff_password_attempt(ip, "ann@example.com").is_ok()
                    && limits.staff_password_failed("ann@example.com")
                {
                    warned += 1;
                }
            }
            // The back-off ends; the attack goes on.
            lock(&limits.staff_passwords.backoff).clear();
        }
        assert_eq!(warned, 1, "the owner is told once a day, not at every new back-off");
        assert_eq!(limits.staff_password_attempt(Some(IpAddr::from([192, 0, 2, 1])), "ann@example.com"), Ok(false));
        limits.staff_password_failed("ann@example.com");
        assert_eq!(limits.staff_password_attempt(Some(IpAddr::from([192, 0, 2, 1])), "ann@example.com"), Ok(true));
        assert_eq!(limits.staff_password_attempt(Some(IpAddr::from([192, 0, 2, 1])), "bob@example.com"), Ok(false));
    }

    #[test]
    fn one_source_is_limited_across_accounts_and_ipv6_hosts_of_a_64() {
        let limits = RateLimits::default();
        for n in 0..10u16 {
            let ip: IpAddr = format!("2001:db8:1:2::{n:x}").parse().unwrap();
            assert!(limits.check(Action::SignInLink, Some(ip), &format!("p{n}@example.com")).is_ok());
        }
        let same_64: IpAddr = "2001:db8:1:2:ffff::1".parse().unwrap();
        assert_eq!(limits.check(Action::SignInLink, Some(same_64), "another@example.com"), Err(AppError::RateLimited));
        let other_64: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert!(limits.check(Action::SignInLink, Some(other_64), "another@example.com").is_ok());
    }

    #[test]
    fn a_refused_source_adds_no_account_keys() {
        let limits = RateLimits::default();
        let ip = Some(IpAddr::from([203, 0, 113, 1]));
        for n in 0..200 {
            let _ = limits.check(Action::PasswordReset, ip, &format!("{n}{}", "q".repeat(10_000)));
        }
        assert_eq!(limits.password_reset.account.len(), 10, "only the attempts the source was allowed");
    }
}
