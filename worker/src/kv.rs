//! The brand cache in Workers KV: `brand:domain:{host}` → the resolved brand (or a
//! remembered miss), with a TTL; and the catalog cache. Both sit behind the isolate's
//! memory cache (`memo`). KV is eventually consistent, so nothing that must take
//! effect at once (suspension, revocation) is decided from here alone.

use serde::{Deserialize, Serialize};
use shoal_domain::brand::{domain_cache_key, BrandContext};
use worker::kv::KvStore;

use crate::memo;

pub const BINDING: &str = "CACHE";
/// Unknown hosts are remembered briefly so a flood of them cannot hammer the database.
const NEGATIVE_TTL: u64 = 60;

#[derive(Serialize, Deserialize)]
struct CachedBrand {
    brand: Option<BrandContext>,
}

// one per request and never stored, so the size gap between the variants costs nothing
#[allow(clippy::large_enum_variant)]
pub enum Lookup {
    Hit(Option<BrandContext>),
    Miss,
}

pub async fn get_brand(kv: &KvStore, host: &str) -> Lookup {
    let key = domain_cache_key(host);
    if let Some(entry) = memo::get(&key).and_then(|v| serde_json::from_value::<CachedBrand>(v).ok()) {
        return Lookup::Hit(entry.brand);
    }
    match kv.get(&key).json::<serde_json::Value>().await {
        Ok(Some(value)) => match serde_json::from_value::<CachedBrand>(value.clone()) {
            Ok(entry) => {
                memo::put(&key, &value, memo::BRAND_TTL_MS);
                Lookup::Hit(entry.brand)
            }
            Err(_) => Lookup::Miss,
        },
        // a KV failure or an unreadable entry is treated as a miss: the database decides
        _ => Lookup::Miss,
    }
}

/// Remembers a resolution in this isolate at once and returns the entry for KV.
pub fn remember_brand(host: &str, brand: Option<&BrandContext>) -> serde_json::Value {
    let entry = serde_json::to_value(CachedBrand { brand: brand.cloned() }).unwrap_or(serde_json::Value::Null);
    memo::put(&domain_cache_key(host), &entry, memo::BRAND_TTL_MS);
    entry
}

pub async fn put_brand(kv: &KvStore, host: &str, entry: &serde_json::Value, ttl: u64) -> worker::Result<()> {
    let ttl = if entry["brand"].is_null() { NEGATIVE_TTL } else { ttl };
    kv.put(&domain_cache_key(host), entry.to_string())?.expiration_ttl(ttl).execute().await?;
    Ok(())
}

/// Health probe: a read that proves the binding answers.
pub async fn probe(kv: &KvStore) -> Result<(), String> {
    kv.get("health:probe").text().await.map(|_| ()).map_err(|e| e.to_string())
}

/// Forgets the cached brand of each host, so the next request re-reads the brand (its
/// catalog version, its billing state) from the database. Best effort: a failed delete
/// only delays the change until the entry's TTL.
pub async fn forget_brand_hosts(env: &worker::Env, hosts: &serde_json::Value) {
    let hosts: Vec<&str> = hosts.as_array().map(Vec::as_slice).unwrap_or_default().iter().filter_map(|h| h.as_str()).collect();
    for host in &hosts {
        memo::forget(&domain_cache_key(host));
    }
    let Ok(kv) = env.kv(BINDING) else { return };
    for host in hosts {
        let _ = kv.delete(&domain_cache_key(host)).await;
    }
}

/// A cached catalog read, or None (a KV failure counts as a miss: the database answers).
pub async fn get_cached(kv: &KvStore, key: &str, ttl: u64) -> Option<serde_json::Value> {
    if let Some(hit) = memo::get(key) {
        return Some(hit);
    }
    let value = kv.get(key).json::<serde_json::Value>().await.ok().flatten()?;
    memo::put(key, &value, ttl as i64 * 1000);
    Some(value)
}

/// Remembers a catalog read in this isolate at once.
pub fn remember(key: &str, value: &serde_json::Value, ttl: u64) {
    memo::put(key, value, ttl as i64 * 1000);
}

pub async fn put_cached(kv: &KvStore, key: &str, value: &serde_json::Value, ttl: u64) -> worker::Result<()> {
    kv.put(key, value.to_string())?.expiration_ttl(ttl).execute().await?;
    Ok(())
}
