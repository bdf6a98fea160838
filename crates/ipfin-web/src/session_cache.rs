//! A short-lived in-process cache of resolved sessions, so an authenticated page does not pay a
//! database round trip just to learn who is calling. Entries live `TTL` at most; this process
//! drops a user's entries at once when it signs them out, changes or resets their password, or
//! disables them. Another instance sees such a change within `TTL`.

use ipfin_store::auth::SessionUser;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const TTL: Duration = Duration::from_secs(5);
const MAX_ENTRIES: usize = 20_000;

#[derive(Default)]
pub struct SessionCache {
    entries: Mutex<HashMap<String, (SessionUser, Instant)>>,
}

impl SessionCache {
    /// A fresh cached session for this cookie token, if any.
    pub fn get(&self, token: &str) -> Option<SessionUser> {
        let map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        map.get(token)
            .filter(|(_, at)| at.elapsed() < TTL)
            .map(|(u, _)| u.clone())
    }

    pub fn put(&self, token: &str, user: SessionUser) {
        let mut map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= MAX_ENTRIES {
            map.retain(|_, (_, at)| at.elapsed() < TTL);
            if map.len() >= MAX_ENTRIES {
                map.clear();
            }
        }
        map.insert(token.to_string(), (user, Instant::now()));
    }

    /// Forgets every cached session of a user.
    pub fn forget_user(&self, user_id: ipfin_domain::id::UserId) {
        let mut map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        map.retain(|_, (u, _)| u.user_id != user_id);
    }

    /// Forgets every cached session (e.g. an organisation was disabled).
    pub fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }
}
