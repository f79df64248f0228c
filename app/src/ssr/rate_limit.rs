//! Rate limits on sign-in, link requests, resets and second-factor attempts, per client IP and
//! per account (the e-mail as typed, whether or not such an account exists, so the limit itself
//! reveals nothing). Counters live in memory, per instance (governor's GCRA).
//!
//! Staff passwords are limited so that a stranger cannot lock the owner out: attempts count per
//! account *and* address, so one client typing someone's e-mail with wrong passwords only slows
//! itself down. Failures also count per account across all addresses, more slowly; when that
//! limit trips (a guessing attack from many addresses) the account is in back-off for a while:
//! only addresses its owner recently signed in from may still try, and the owner is mailed.

use crate::error::AppError;
use governor::{clock::DefaultClock, state::keyed::DefaultKeyedStateStore, Quota, RateLimiter};
use std::{
    collections::HashMap,
    net::IpAddr,
    num::NonZeroU32,
    sync::Mutex,
    time::{Duration, Instant},
};

type Keyed<K> = RateLimiter<K, DefaultKeyedStateStore<K>, DefaultClock>;

/// What is being attempted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    SignInLink,
    PasswordReset,
    SecondFactor,
    /// Asking for update mails (each sends a confirmation mail).
    Subscribe,
}

/// A pair of limiters: one per IP, one per account.
#[derive(Debug)]
struct Pair {
    ip: Keyed<IpAddr>,
    account: Keyed<String>,
}

impl Pair {
    /// `burst` attempts at once, then one more every `period / burst`.
    fn new(ip_burst: u32, account_burst: u32, period: Duration) -> Self {
        let quota = |burst: u32| {
            let burst = NonZeroU32::new(burst).expect("burst is positive");
            Quota::with_period(period / burst.get()).expect("period is positive").allow_burst(burst)
        };
        Self { ip: RateLimiter::keyed(quota(ip_burst)), account: RateLimiter::keyed(quota(account_burst)) }
    }
}

/// Staff password attempts: see the module documentation.
#[derive(Debug)]
struct StaffPasswords {
    ip: Keyed<IpAddr>,
    account_ip: Keyed<(String, IpAddr)>,
    account_failures: Keyed<String>,
    /// Accounts in back-off, until when.
    backoff: Mutex<HashMap<String, Instant>>,
}

/// How long an account stays in back-off after its failures tripped the limit.
pub const BACKOFF: Duration = Duration::from_secs(15 * 60);

#[derive(Debug)]
pub struct RateLimits {
    staff_passwords: StaffPasswords,
    sign_in_link: Pair,
    password_reset: Pair,
    second_factor: Pair,
    subscribe: Pair,
}

impl Default for RateLimits {
    fn default() -> Self {
        let quarter_hour = Duration::from_secs(15 * 60);
        let quota = |burst: u32, period: Duration| {
            let burst = NonZeroU32::new(burst).expect("burst is positive");
            Quota::with_period(period / burst.get()).expect("period is positive").allow_burst(burst)
        };
        Self {
            staff_passwords: StaffPasswords {
                ip: RateLimiter::keyed(quota(30, quarter_hour)),
                account_ip: RateLimiter::keyed(quota(5, quarter_hour)),
                account_failures: RateLimiter::keyed(quota(20, Duration::from_secs(3600))),
                backoff: Mutex::new(HashMap::new()),
            },
            sign_in_link: Pair::new(10, 3, quarter_hour),
            password_reset: Pair::new(10, 3, quarter_hour),
            second_factor: Pair::new(30, 5, quarter_hour),
            subscribe: Pair::new(10, 3, quarter_hour),
        }
    }
}

impl RateLimits {
    /// Counts one attempt; `RateLimited` once either the IP or the account is over its limit.
    pub fn check(&self, action: Action, ip: Option<IpAddr>, account: &str) -> Result<(), AppError> {
        let pair = match action {
            Action::SignInLink => &self.sign_in_link,
            Action::PasswordReset => &self.password_reset,
            Action::SecondFactor => &self.second_factor,
            Action::Subscribe => &self.subscribe,
        };
        let ip_ok = ip.is_none_or(|ip| pair.ip.check_key(&ip).is_ok());
        let account_ok = pair.account.check_key(&account.trim().to_lowercase()).is_ok();
        if ip_ok && account_ok {
            Ok(())
        } else {
            Err(AppError::RateLimited)
        }
    }

    /// Counts one staff password attempt from `ip` for `account`. `Err(RateLimited)` when the
    /// address is over its limit, or over its limit for this account. `Ok(true)` when the account
    /// is in back-off: the caller lets only its owner's recent addresses through.
    pub fn staff_password_attempt(&self, ip: Option<IpAddr>, account: &str) -> Result<bool, AppError> {
        let limits = &self.staff_passwords;
        let account = account.trim().to_lowercase();
        if let Some(ip) = ip {
            if limits.ip.check_key(&ip).is_err() || limits.account_ip.check_key(&(account.clone(), ip)).is_err() {
                return Err(AppError::RateLimited);
            }
        }
        let now = Instant::now();
        let mut backoff = limits.backoff.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        backoff.retain(|_, until| *until > now);
        Ok(backoff.contains_key(&account))
    }

    /// Counts a wrong password for `account`. Returns `true` when this failure started a back-off
    /// (time to tell the owner).
    pub fn staff_password_failed(&self, account: &str) -> bool {
        let limits = &self.staff_passwords;
        let account = account.trim().to_lowercase();
        if limits.account_failures.check_key(&account).is_ok() {
            return false;
        }
        let mut backoff = limits.backoff.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let now = Instant::now();
        let started = !backoff.get(&account).is_some_and(|until| *until > now);
        backoff.insert(account, now + BACKOFF);
        started
    }

    /// Drops keys whose limits have fully recovered, so memory does not grow without bound.
    pub fn prune(&self) {
        self.staff_passwords.ip.retain_recent();
        self.staff_passwords.account_ip.retain_recent();
        self.staff_passwords.account_failures.retain_recent();
        let now = Instant::now();
        self.staff_passwords
            .backoff
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .retain(|_, until| *until > now);
        for pair in [&self.sign_in_link, &self.password_reset, &self.second_factor, &self.subscribe] {
            pair.ip.retain_recent();
            pair.account.retain_recent();
        }
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
        assert_eq!(limits.check(Action::PasswordReset, ip(9), "ann@example.com"), Err(AppError::RateLimited));
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
    fn failures_from_many_addresses_put_the_account_in_back_off_once() {
        let limits = RateLimits::default();
        let mut started = 0;
        for n in 0..25u8 {
            let ip = Some(IpAddr::from([203, 0, 113, n]));
            if limits.staff_password_attempt(ip, "ann@example.com") == Ok(false)
                && limits.staff_password_failed("ann@example.com")
            {
                started += 1;
            }
        }
        assert_eq!(started, 1, "the owner is told once");
        assert_eq!(limits.staff_password_attempt(Some(IpAddr::from([192, 0, 2, 1])), "ann@example.com"), Ok(true));
        assert_eq!(limits.staff_password_attempt(Some(IpAddr::from([192, 0, 2, 1])), "bob@example.com"), Ok(false));
    }

    #[test]
    fn one_ip_is_limited_across_accounts() {
        let limits = RateLimits::default();
        let ip = Some(IpAddr::from([203, 0, 113, 1]));
        for n in 0..10 {
            assert!(limits.check(Action::SignInLink, ip, &format!("p{n}@example.com")).is_ok());
        }
        assert_eq!(limits.check(Action::SignInLink, ip, "another@example.com"), Err(AppError::RateLimited));
    }
}
