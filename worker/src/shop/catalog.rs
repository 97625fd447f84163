//! Storefront catalog JSON: `/api/v1/store/products`, `/products/{slug}`, `/categories`.
//! Reads are cached in KV under keys carrying the brand id and its catalog version.

use std::collections::BTreeMap;

use shoal_domain::brand::BrandContext;
use shoal_domain::catalog::{self, encode_cursor, parse_list_query, ListQuery};
use shoal_domain::config::Config;
use worker::{Context, Env, Request, Response};

use crate::error::{json_response, AppError};
use crate::{kv, store};

/// Catalog reads that reach the database, per client per minute: far above a shopper (a
/// browsing shopper is mostly served from cache), low enough that one client cannot turn
/// made-up queries into unbounded database work. Cache hits are not counted: a busy shop's
/// hot path stays free of the rate limiter's round trip.
const DATABASE_READS_PER_MINUTE: i64 = 600;

/// Answers a catalog read from KV, or from the database and then caches it when `keep`
/// says the answer is worth a key: an empty search result or a missing product is not
/// (anyone can make up endless queries and slugs; each would otherwise cost a KV write).
/// A read that reaches the database counts against `client`'s budget first.
async fn cached<F, Fut>(env: &Env, ctx: &Context, config: &Config, client: &str, key: &str, keep: fn(&serde_json::Value) -> bool, load: F) -> Result<(serde_json::Value, bool), AppError>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<serde_json::Value, AppError>>,
{
    let cache = env.kv(kv::BINDING).ok();
    if let Some(cache) = &cache {
        if let Some(hit) = kv::get_cached(cache, key, config.catalog_cache_ttl).await {
            return Ok((hit, true));
        }
    }
    crate::rate_limit::check(env, "store_read", client, DATABASE_READS_PER_MINUTE, 60).await?;
    let value = load().await?;
    if !keep(&value) {
        return Ok((value, false));
    }
    if let Some(cache) = cache {
        // the shopper does not wait for the KV write
        kv::remember(key, &value, config.catalog_cache_ttl);
        let (key, copy, ttl) = (key.to_owned(), value.clone(), config.catalog_cache_ttl);
        ctx.wait_until(async move {
            let _ = kv::put_cached(&cache, &key, &copy, ttl).await;
        });
    }
    Ok((value, false))
}

fn has_items(page: &serde_json::Value) -> bool {
    page["items"].as_array().is_some_and(|items| !items.is_empty())
}

fn is_found(value: &serde_json::Value) -> bool {
    !value.is_null()
}

fn always(_: &serde_json::Value) -> bool {
    true
}

fn respond(value: &serde_json::Value, hit: bool) -> Response {
    let mut resp = json_response(value, 200);
    let _ = resp.headers_mut().set("x-shoal-cache", if hit { "hit" } else { "miss" });
    let _ = resp.headers_mut().set("cache-control", "public, max-age=60");
    resp
}

pub fn list_query(req: &Request) -> Result<ListQuery, AppError> {
    let pairs: BTreeMap<String, String> =
        req.url().map(|u| u.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()).unwrap_or_default();
    parse_list_query(&pairs).map_err(|e| AppError::BadRequest(e.0, "invalid catalog query".into()))
}

pub async fn load_products(env: &Env, ctx: &Context, config: &Config, brand: &BrandContext, client: &str, q: &ListQuery) -> Result<(serde_json::Value, bool), AppError> {
    let key = catalog::cache_key(&brand.id, brand.catalog_version, "products", q);
    let (mut page, hit) = cached(env, ctx, config, client, &key, has_items, || store::catalog::list_products(config, &brand.id, q)).await?;
    if page["has_more"].as_bool() == Some(true) {
        page["next_cursor"] = serde_json::Value::String(encode_cursor(q.offset + q.limit));
    }
    Ok((page, hit))
}

pub async fn load_product(env: &Env, ctx: &Context, config: &Config, brand: &BrandContext, client: &str, slug: &str) -> Result<(serde_json::Value, bool), AppError> {
    let valid = !slug.is_empty() && slug.len() <= 96 && slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !valid {
        return Err(AppError::Refused { status: 404, code: "product_not_found".into(), detail: None });
    }
    let q = ListQuery { category: None, query: None, sort: catalog::Sort::Newest, offset: 0, limit: 1 };
    let key = catalog::cache_key(&brand.id, brand.catalog_version, &format!("product:{slug}"), &q);
    let (product, hit) = cached(env, ctx, config, client, &key, is_found, || store::catalog::product(config, &brand.id, slug)).await?;
    if product.is_null() {
        return Err(AppError::Refused { status: 404, code: "product_not_found".into(), detail: None });
    }
    Ok((product, hit))
}

pub async fn load_categories(env: &Env, ctx: &Context, config: &Config, brand: &BrandContext, client: &str) -> Result<(serde_json::Value, bool), AppError> {
    let q = ListQuery { category: None, query: None, sort: catalog::Sort::Newest, offset: 0, limit: 1 };
    let key = catalog::cache_key(&brand.id, brand.catalog_version, "categories", &q);
    cached(env, ctx, config, client, &key, always, || store::catalog::categories(config, &brand.id)).await
}

pub async fn products(req: &Request, env: &Env, ctx: &Context, config: &Config, brand: &BrandContext) -> Result<Response, AppError> {
    let q = list_query(req)?;
    let (page, hit) = load_products(env, ctx, config, brand, &crate::rate_limit::client_ip(req), &q).await?;
    Ok(respond(&page, hit))
}

pub async fn product(req: &Request, env: &Env, ctx: &Context, config: &Config, brand: &BrandContext, slug: &str) -> Result<Response, AppError> {
    let (product, hit) = load_product(env, ctx, config, brand, &crate::rate_limit::client_ip(req), slug).await?;
    Ok(respond(&product, hit))
}

pub async fn categories(req: &Request, env: &Env, ctx: &Context, config: &Config, brand: &BrandContext) -> Result<Response, AppError> {
    let (list, hit) = load_categories(env, ctx, config, brand, &crate::rate_limit::client_ip(req)).await?;
    Ok(respond(&serde_json::json!({"items": list}), hit))
}
