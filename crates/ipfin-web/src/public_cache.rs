//! A short-lived in-process cache of public pages' data (a district zone): derived from the
//! database, the same for everyone who asks, at most `ttl` old. Nothing that matters lives only
//! here — another instance, or this one after `ttl`, reads the database again — so several
//! instances stay correct; a change shows on the public zone within `ttl`. A `ttl` of zero (the
//! default, and the tests') turns it off.

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Entries kept at most (a city has a few dozen zones; this bounds a flood of unknown keys).
const MAX_ENTRIES: usize = 256;

type Entry = (Arc<dyn Any + Send + Sync>, Instant);

pub struct PublicCache {
    ttl: Duration,
    entries: Mutex<HashMap<String, Entry>>,
}

impl PublicCache {
    pub fn new(ttl: Duration) -> PublicCache {
        PublicCache {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The value cached under `key` if it is fresh and of type `T`.
    pub fn get<T: Any + Send + Sync>(&self, key: &str) -> Option<Arc<T>> {
        if self.ttl.is_zero() {
            return None;
        }
        let map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        map.get(key)
            .filter(|(_, at)| at.elapsed() < self.ttl)
            .and_then(|(v, _)| v.clone().downcast::<T>().ok())
    }

    pub fn put<T: Any + Send + Sync>(&self, key: &str, value: Arc<T>) {
        if self.ttl.is_zero() {
            return;
        }
        let mut map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= MAX_ENTRIES {
            let ttl = self.ttl;
            map.retain(|_, (_, at)| at.elapsed() < ttl);
            if map.len() >= MAX_ENTRIES {
                map.clear();
            }
        }
        map.insert(key.to_string(), (value, Instant::now()));
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

    #[test]
    fn fresh_values_are_served_stale_and_foreign_types_are_not() {
        let c = PublicCache::new(Duration::from_millis(50));
        c.put("zone:440305", Arc::new(7_i64));
        assert_eq!(c.get::<i64>("zone:440305").as_deref(), Some(&7));
        assert!(c.get::<String>("zone:440305").is_none(), "another type");
        assert!(c.get::<i64>("zone:440304").is_none());
        std::thread::sleep(Duration::from_millis(60));
        assert!(c.get::<i64>("zone:440305").is_none(), "expired");
        let off = PublicCache::default();
        off.put("k", Arc::new(1_i64));
        assert!(off.get::<i64>("k").is_none(), "a zero ttl caches nothing");
        for i in 0..(MAX_ENTRIES + 10) {
            c.put(&format!("k{i}"), Arc::new(i));
        }
        assert!(c.entries.lock().map(|m| m.len()).unwrap_or(0) <= MAX_ENTRIES);
    }
}
