//! The brand cache in Workers KV: `brand:domain:{host}` → the resolved brand (or a
//! remembered miss), with a TTL. KV is eventually consistent, so nothing that must take
//! effect at once (suspension, revocation) is decided from here alone.

use serde::{Deserialize, Serialize};
use shoal_domain::brand::{domain_cache_key, BrandContext};
use worker::kv::KvStore;

pub const BINDING: &str = "CACHE";
/// Unknown hosts are remembered briefly so a flood of them cannot hammer the database.
const NEGATIVE_TTL: u64 = 60;

#[derive(Serialize, Deserialize)]
struct CachedBrand {
    brand: Option<BrandContext>,
}

pub enum Lookup {
    Hit(Option<BrandContext>),
    Miss,
}

pub async fn get_brand(kv: &KvStore, host: &str) -> Lookup {
    match kv.get(&domain_cache_key(host)).json::<CachedBrand>().await {
        Ok(Some(entry)) => Lookup::Hit(entry.brand),
        // a KV failure or an unreadable entry is treated as a miss: the database decides
        _ => Lookup::Miss,
    }
}

pub async fn put_brand(kv: &KvStore, host: &str, brand: Option<&BrandContext>, ttl: u64) -> worker::Result<()> {
    let ttl = if brand.is_some() { ttl } else { NEGATIVE_TTL };
    let entry = CachedBrand { brand: brand.cloned() };
    kv.put(&domain_cache_key(host), serde_json::to_string(&entry)?)?
        .expiration_ttl(ttl)
        .execute()
        .await?;
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
    let Ok(kv) = env.kv(BINDING) else { return };
    for host in hosts.as_array().map(Vec::as_slice).unwrap_or_default().iter().filter_map(|h| h.as_str()) {
        let _ = kv.delete(&domain_cache_key(host)).await;
    }
}

/// A cached catalog read, or None (a KV failure counts as a miss: the database answers).
pub async fn get_cached(kv: &KvStore, key: &str) -> Option<serde_json::Value> {
    kv.get(key).json::<serde_json::Value>().await.ok().flatten()
}

pub async fn put_cached(kv: &KvStore, key: &str, value: &serde_json::Value, ttl: u64) -> worker::Result<()> {
    kv.put(key, value.to_string())?.expiration_ttl(ttl).execute().await?;
    Ok(())
}
