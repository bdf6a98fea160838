//! A short-lived in-process cache of public pages' data (a district zone, the platform's front
//! page): derived from the database, the same for everyone who asks, refreshed every `ttl`.
//! Nothing that matters lives only here — another instance, or this one after `ttl`, reads the
//! database again — so several instances stay correct; a change shows on the public pages
//! within `ttl` (plus the time one load takes). A `ttl` of zero (the default, and the tests')
//! turns it off.
//!
//! When an entry has aged past `ttl`, the first caller loads it again while everyone else is
//! still served the previous value (stale while revalidating): under load, one request per key
//! and `ttl` pays for the database, never a crowd of them at once.

use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Entries kept at most (a city has a few dozen zones; this bounds a flood of unknown keys).
const MAX_ENTRIES: usize = 256;
/// A refresh that has not finished after this long (its request was dropped) is started again.
const REFRESH_GIVE_UP: Duration = Duration::from_secs(10);

struct Entry {
    value: Arc<dyn Any + Send + Sync>,
    at: Instant,
    /// When a caller started loading a newer value, if one is loading.
    refreshing: Option<Instant>,
}

pub struct PublicCache {
    ttl: Duration,
    entries: Mutex<HashMap<String, Entry>>,
}

/// What a caller finds under a key.
enum Found<T> {
    Fresh(Arc<T>),
    /// Old, and another caller is loading: serve this.
    Stale(Arc<T>),
    /// Missing, or old and nobody is loading: this caller loads.
    Load,
}

impl PublicCache {
    pub fn new(ttl: Duration) -> PublicCache {
        PublicCache {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The value under `key`: cached when fresh (or stale while another caller reloads it),
    /// otherwise from `load`, which is then cached. An error of `load` is returned and nothing
    /// is cached.
    pub async fn get_or_load<T, E, F, Fut>(&self, key: &str, load: F) -> Result<Arc<T>, E>
    where
        T: Any + Send + Sync,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        if self.ttl.is_zero() {
            return load().await.map(Arc::new);
        }
        match self.find::<T>(key) {
            Found::Fresh(v) | Found::Stale(v) => return Ok(v),
            Found::Load => {}
        }
        match load().await {
            Ok(v) => {
                let v = Arc::new(v);
                self.put(key, v.clone());
                Ok(v)
            }
            Err(e) => {
                let mut map = self.lock();
                if let Some(entry) = map.get_mut(key) {
                    entry.refreshing = None;
                }
                Err(e)
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn find<T: Any + Send + Sync>(&self, key: &str) -> Found<T> {
        let mut map = self.lock();
        let Some(entry) = map.get_mut(key) else {
            return Found::Load;
        };
        let Ok(value) = entry.value.clone().downcast::<T>() else {
            return Found::Load;
        };
        if entry.at.elapsed() < self.ttl {
            return Found::Fresh(value);
        }
        match entry.refreshing {
            Some(since) if since.elapsed() < REFRESH_GIVE_UP => Found::Stale(value),
            _ => {
                entry.refreshing = Some(Instant::now());
                Found::Load
            }
        }
    }

    fn put<T: Any + Send + Sync>(&self, key: &str, value: Arc<T>) {
        let mut map = self.lock();
        if map.len() >= MAX_ENTRIES && !map.contains_key(key) {
            let ttl = self.ttl;
            map.retain(|_, e| e.at.elapsed() < ttl);
            if map.len() >= MAX_ENTRIES {
                map.clear();
            }
        }
        map.insert(
            key.to_string(),
            Entry {
                value,
                at: Instant::now(),
                refreshing: None,
            },
        );
    }
}

impl Default for PublicCache {
    fn default() -> Self {
        PublicCache::new(Duration::ZERO)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    async fn counted(c: &PublicCache, key: &str, loads: &AtomicUsize, v: i64) -> i64 {
        let r: Result<Arc<i64>, ()> = c
            .get_or_load(key, || async {
                loads.fetch_add(1, Ordering::SeqCst);
                Ok(v)
            })
            .await;
        r.map_or(-1, |x| *x)
    }

    #[tokio::test]
    async fn fresh_values_are_served_and_an_old_one_while_a_single_caller_reloads() {
        let c = PublicCache::new(Duration::from_millis(50));
        let loads = AtomicUsize::new(0);
        assert_eq!(counted(&c, "zone:440305", &loads, 7).await, 7);
        assert_eq!(counted(&c, "zone:440305", &loads, 8).await, 7, "fresh");
        assert_eq!(loads.load(Ordering::SeqCst), 1);
        assert_eq!(
            counted(&c, "zone:440304", &loads, 9).await,
            9,
            "another key"
        );
        tokio::time::sleep(Duration::from_millis(60)).await;
        // Old: the first caller finds it needs loading and, while it does, others get the
        // previous value without loading.
        assert!(matches!(c.find::<i64>("zone:440305"), Found::Load));
        assert!(matches!(c.find::<i64>("zone:440305"), Found::Stale(v) if *v == 7));
        assert_eq!(counted(&c, "zone:440305", &loads, 10).await, 7, "stale");
        assert_eq!(loads.load(Ordering::SeqCst), 2, "nobody else loaded");
        c.put("zone:440305", Arc::new(10_i64));
        assert_eq!(counted(&c, "zone:440305", &loads, 11).await, 10, "reloaded");
        // A value of another type under the key is loaded again, never mistaken.
        let s: Result<Arc<String>, ()> = c
            .get_or_load("zone:440305", || async { Ok("x".to_string()) })
            .await;
        assert_eq!(s.as_deref().map(String::as_str), Ok("x"));
    }

    #[tokio::test]
    async fn a_failed_load_caches_nothing_and_lets_the_next_caller_try() {
        let c = PublicCache::new(Duration::from_millis(20));
        let loads = AtomicUsize::new(0);
        let e: Result<Arc<i64>, &str> = c.get_or_load("k", || async { Err("db down") }).await;
        assert_eq!(e.err(), Some("db down"));
        assert_eq!(counted(&c, "k", &loads, 3).await, 3);
        tokio::time::sleep(Duration::from_millis(30)).await;
        // The refresh of the old value fails: the caller that tried gets the error.
        let e: Result<Arc<i64>, &str> = c.get_or_load("k", || async { Err("db down") }).await;
        assert!(e.is_err());
        assert!(
            matches!(c.find::<i64>("k"), Found::Load),
            "the failed refresh no longer blocks"
        );
    }

    #[tokio::test]
    async fn a_zero_ttl_caches_nothing_and_the_size_is_bounded() {
        let off = PublicCache::default();
        let loads = AtomicUsize::new(0);
        counted(&off, "k", &loads, 1).await;
        counted(&off, "k", &loads, 1).await;
        assert_eq!(loads.load(Ordering::SeqCst), 2);
        let c = PublicCache::new(Duration::from_secs(60));
        for i in 0..(MAX_ENTRIES + 10) {
            counted(&c, &format!("k{i}"), &loads, 1).await;
        }
        assert!(c.lock().len() <= MAX_ENTRIES);
    }
}
