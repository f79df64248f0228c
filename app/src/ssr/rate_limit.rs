//! Rate limits on sign-in, link requests, resets and second-factor attempts, per client IP and
//! per account (the e-mail as typed, whether or not such an account exists, so the limit itself
//! reveals nothing). Counters live in memory, per instance (governor's GCRA).

use crate::error::AppError;
use governor::{clock::DefaultClock, state::keyed::DefaultKeyedStateStore, Quota, RateLimiter};
use std::{net::IpAddr, num::NonZeroU32, time::Duration};

type Keyed<K> = RateLimiter<K, DefaultKeyedStateStore<K>, DefaultClock>;

/// What is being attempted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    StaffSignIn,
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

#[derive(Debug)]
pub struct RateLimits {
    staff_sign_in: Pair,
    sign_in_link: Pair,
    password_reset: Pair,
    second_factor: Pair,
    subscribe: Pair,
}

impl Default for RateLimits {
    fn default() -> Self {
        let quarter_hour = Duration::from_secs(15 * 60);
        Self {
            staff_sign_in: Pair::new(30, 5, quarter_hour),
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
            Action::StaffSignIn => &self.staff_sign_in,
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

    /// Drops keys whose limits have fully recovered, so memory does not grow without bound.
    pub fn prune(&self) {
        for pair in
            [&self.staff_sign_in, &self.sign_in_link, &self.password_reset, &self.second_factor, &self.subscribe]
        {
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
        for n in 0..5 {
            assert!(limits.check(Action::StaffSignIn, ip(n), "Ann@Example.com").is_ok());
        }
        assert_eq!(limits.check(Action::StaffSignIn, ip(9), "ann@example.com"), Err(AppError::RateLimited));
        assert!(limits.check(Action::StaffSignIn, ip(9), "bob@example.com").is_ok());
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
