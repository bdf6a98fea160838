//! Sign-in throttling rules (ASVS 2.2.1), pure: how long an account is locked after failed
//! sign-ins, and how much an address is slowed. Accounts are locked (the name is counted
//! whether or not it exists, so the rule reveals nothing); addresses are only slowed, so one
//! NAT address shared by a whole office is never locked out for long.

/// Failures allowed per account name before it is locked.
pub const ACCOUNT_FREE_FAILURES: i64 = 5;
/// The first lock; each further failure doubles it, up to `ACCOUNT_MAX_LOCK_SECS`.
pub const ACCOUNT_BASE_LOCK_SECS: i64 = 30;
pub const ACCOUNT_MAX_LOCK_SECS: i64 = 15 * 60;
/// An account's failures are forgotten after this long without one.
pub const ACCOUNT_FORGET_SECS: i64 = 24 * 3600;
/// Failures allowed per address within `ADDRESS_WINDOW_SECS` before attempts are spaced out.
pub const ADDRESS_FREE_FAILURES: i64 = 30;
pub const ADDRESS_WINDOW_SECS: i64 = 15 * 60;
/// The longest an address has to wait between two attempts.
pub const ADDRESS_MAX_DELAY_SECS: i64 = 30;

/// How long an account is locked after its `failures`-th consecutive failure (0: not locked).
pub fn account_lock_secs(failures: i64) -> i64 {
    if failures < ACCOUNT_FREE_FAILURES {
        return 0;
    }
    let doublings = (failures - ACCOUNT_FREE_FAILURES).min(10) as u32;
    (ACCOUNT_BASE_LOCK_SECS << doublings).min(ACCOUNT_MAX_LOCK_SECS)
}

/// How long an address must wait after a failure, once it has `failures` failures in the
/// current window (0: no wait). 1 s after the free failures, doubling every ten more failures,
/// at most `ADDRESS_MAX_DELAY_SECS`.
pub fn address_delay_secs(failures: i64) -> i64 {
    if failures < ADDRESS_FREE_FAILURES {
        return 0;
    }
    let doublings = ((failures - ADDRESS_FREE_FAILURES) / 10).min(10) as u32;
    (1i64 << doublings).min(ADDRESS_MAX_DELAY_SECS)
}

/// Why an attempt is refused before the password is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The account is locked until `until` (unix seconds).
    Account { until: i64 },
    /// The address must wait until `until` before its next attempt.
    Address { until: i64 },
}

impl Refusal {
    pub fn until(&self) -> i64 {
        match self {
            Refusal::Account { until } | Refusal::Address { until } => *until,
        }
    }

    /// Seconds to wait from `now`, at least 1.
    pub fn retry_after_secs(&self, now: i64) -> i64 {
        (self.until() - now).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_is_locked_after_five_failures_doubling_to_fifteen_minutes() {
        assert_eq!(account_lock_secs(4), 0);
        assert_eq!(account_lock_secs(5), 30);
        assert_eq!(account_lock_secs(6), 60);
        assert_eq!(account_lock_secs(9), 480);
        assert_eq!(account_lock_secs(10), 900);
        assert_eq!(account_lock_secs(1000), 900);
    }

    #[test]
    fn an_address_is_slowed_never_locked_for_long() {
        assert_eq!(address_delay_secs(29), 0);
        assert_eq!(address_delay_secs(30), 1);
        assert_eq!(address_delay_secs(40), 2);
        assert_eq!(address_delay_secs(60), 8);
        assert_eq!(address_delay_secs(1_000_000), ADDRESS_MAX_DELAY_SECS);
    }
}
