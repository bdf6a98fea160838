//! Sign-in rate limiting, per account name and per client address. Failures are counted for
//! any account name, existing or not, so the limiter never reveals which accounts exist.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures allowed per account before a lock; each further failure doubles the lock.
pub const ACCOUNT_FREE_FAILURES: u32 = 5;
pub const ACCOUNT_BASE_LOCK: Duration = Duration::from_secs(30);
pub const ACCOUNT_MAX_LOCK: Duration = Duration::from_secs(15 * 60);
/// Failures allowed per address within the window.
pub const IP_MAX_FAILURES: u32 = 30;
pub const IP_WINDOW: Duration = Duration::from_secs(15 * 60);

#[derive(Debug, Clone, Copy)]
struct Entry {
    failures: u32,
    since: Instant,
    locked_until: Option<Instant>,
}

#[derive(Default)]
pub struct Throttle {
    entries: Mutex<HashMap<String, Entry>>,
}

/// Why a sign-in attempt is refused before the password is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Account { retry_after_secs: u64 },
    Address { retry_after_secs: u64 },
}

impl Throttle {
    fn key_account(username: &str) -> String {
        format!("a:{}", username.trim().to_lowercase())
    }
    fn key_ip(ip: &str) -> String {
        format!("i:{ip}")
    }

    /// Checks whether an attempt may proceed now.
    pub fn check(&self, username: &str, ip: Option<&str>) -> Result<(), Refusal> {
        let now = Instant::now();
        let map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(e) = map.get(&Self::key_account(username))
            && let Some(until) = e.locked_until
            && until > now
        {
            return Err(Refusal::Account {
                retry_after_secs: (until - now).as_secs().max(1),
            });
        }
        if let Some(ip) = ip
            && let Some(e) = map.get(&Self::key_ip(ip))
            && e.failures >= IP_MAX_FAILURES
            && now.duration_since(e.since) < IP_WINDOW
        {
            return Err(Refusal::Address {
                retry_after_secs: (IP_WINDOW - now.duration_since(e.since)).as_secs().max(1),
            });
        }
        Ok(())
    }

    /// Records a failed attempt.
    pub fn failure(&self, username: &str, ip: Option<&str>) {
        let now = Instant::now();
        let mut map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > 100_000 {
            map.retain(|_, e| {
                now.duration_since(e.since) < IP_WINDOW || e.locked_until.is_some_and(|u| u > now)
            });
        }
        let a = map.entry(Self::key_account(username)).or_insert(Entry {
            failures: 0,
            since: now,
            locked_until: None,
        });
        a.failures += 1;
        if a.failures >= ACCOUNT_FREE_FAILURES {
            let doublings = (a.failures - ACCOUNT_FREE_FAILURES).min(10);
            let lock = (ACCOUNT_BASE_LOCK * 2u32.pow(doublings)).min(ACCOUNT_MAX_LOCK);
            a.locked_until = Some(now + lock);
        }
        if let Some(ip) = ip {
            let e = map.entry(Self::key_ip(ip)).or_insert(Entry {
                failures: 0,
                since: now,
                locked_until: None,
            });
            if now.duration_since(e.since) >= IP_WINDOW {
                *e = Entry {
                    failures: 0,
                    since: now,
                    locked_until: None,
                };
            }
            e.failures += 1;
        }
    }

    /// Clears the account's failures after a successful sign-in.
    pub fn success(&self, username: &str) {
        let mut map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(&Self::key_account(username));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_after_free_failures_for_existing_and_unknown_names_alike() {
        let t = Throttle::default();
        for name in ["ns.officer", "nobody.at.all"] {
            for _ in 0..ACCOUNT_FREE_FAILURES - 1 {
                t.failure(name, Some("10.0.0.1"));
                assert!(t.check(name, None).is_ok());
            }
            t.failure(name, None);
            assert!(matches!(t.check(name, None), Err(Refusal::Account { .. })));
        }
        t.success("ns.officer");
        assert!(t.check("ns.officer", None).is_ok());
    }

    #[test]
    fn address_limit_applies_across_accounts() {
        let t = Throttle::default();
        for i in 0..IP_MAX_FAILURES {
            t.failure(&format!("user{i}"), Some("192.0.2.7"));
        }
        assert!(matches!(
            t.check("fresh", Some("192.0.2.7")),
            Err(Refusal::Address { .. })
        ));
        assert!(t.check("fresh", Some("192.0.2.8")).is_ok());
    }
}
