//! Brand middleware: normalised host → KV `brand:domain:{host}` → on a miss the
//! `resolve_brand` RPC, whose answer (or absence) is cached with a TTL. The brand comes
//! from the host alone; nothing a client sends can choose it.

use shoal_domain::brand::{BrandContext, BrandStatus};
use shoal_domain::config::Config;
use worker::{Context, Env};

use crate::error::AppError;
use crate::{kv, store};

pub enum CacheOutcome {
    Hit,
    Miss,
}

impl CacheOutcome {
    pub fn as_str(&self) -> &'static str {
        match self {
            CacheOutcome::Hit => "hit",
            CacheOutcome::Miss => "miss",
        }
    }
}

pub async fn resolve(env: &Env, ctx: &Context, config: &Config, host: &str) -> Result<(BrandContext, CacheOutcome), AppError> {
    let cache = env.kv(kv::BINDING).ok();
    if let Some(cache) = &cache {
        if let kv::Lookup::Hit(found) = kv::get_brand(cache, host).await {
            return usable(found).map(|b| (b, CacheOutcome::Hit));
        }
    }
    let found = store::brands::resolve(config, host).await?;
    if let Some(cache) = cache {
        // written after the response is sent; a failure only costs the next request a lookup
        let entry = kv::remember_brand(host, found.as_ref());
        let (host, ttl) = (host.to_owned(), config.brand_cache_ttl);
        ctx.wait_until(async move {
            if let Err(e) = kv::put_brand(&cache, &host, &entry, ttl).await {
                worker::console_warn!("{}", serde_json::json!({"level": "warn", "event": "kv_put_failed", "detail": e.to_string()}));
            }
        });
    }
    usable(found).map(|b| (b, CacheOutcome::Miss))
}

fn usable(found: Option<BrandContext>) -> Result<BrandContext, AppError> {
    match found {
        None => Err(AppError::UnknownHost),
        Some(b) if b.status == BrandStatus::Suspended => Err(AppError::BrandUnavailable),
        Some(b) => Ok(b),
    }
}
