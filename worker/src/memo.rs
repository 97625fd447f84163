//! A small per-isolate memory cache in front of KV. An isolate serves many requests, and
//! a KV read, even a hot one, costs more than a map lookup; catalog keys carry the catalog
//! version, so a remembered entry is never a stale version. Brand entries are remembered
//! only briefly (BRAND_TTL_MS): another isolate may still serve a brand for that long
//! after its KV entry was deleted, on top of KV's own propagation delay.

use std::cell::RefCell;
use std::collections::HashMap;

/// How long a resolved brand is remembered in memory.
pub const BRAND_TTL_MS: i64 = 10_000;
/// Bound on entries; when full, expired entries go first, then everything.
const MAX_ENTRIES: usize = 2048;

thread_local! {
    static ENTRIES: RefCell<HashMap<String, (serde_json::Value, i64)>> = RefCell::new(HashMap::new());
}

fn now_ms() -> i64 {
    worker::Date::now().as_millis() as i64
}

pub fn get(key: &str) -> Option<serde_json::Value> {
    let now = now_ms();
    ENTRIES.with(|e| {
        let map = e.borrow();
        map.get(key).filter(|(_, expires)| *expires > now).map(|(v, _)| v.clone())
    })
}

pub fn put(key: &str, value: &serde_json::Value, ttl_ms: i64) {
    let now = now_ms();
    ENTRIES.with(|e| {
        let mut map = e.borrow_mut();
        if map.len() >= MAX_ENTRIES {
            map.retain(|_, (_, expires)| *expires > now);
            if map.len() >= MAX_ENTRIES {
                map.clear();
            }
        }
        map.insert(key.to_owned(), (value.clone(), now + ttl_ms));
    });
}

pub fn forget(key: &str) {
    ENTRIES.with(|e| {
        e.borrow_mut().remove(key);
    });
}
