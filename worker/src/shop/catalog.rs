//! Storefront catalog JSON: `/api/v1/store/products`, `/products/{slug}`, `/categories`.
//! Reads are cached in KV under keys carrying the brand id and its catalog version; the
//! database functions run with the shopper's token (anon + brand), so RLS decides what
//! shows: that brand's active products only.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use shoal_domain::brand::BrandContext;
use shoal_domain::catalog::{self, encode_cursor, parse_list_query, ListQuery};
use shoal_domain::config::Config;
use shoal_domain::db_token::DbClaims;
use worker::{Context, Env, Request, Response};

use crate::error::{json_response, AppError};
use crate::kv;

/// Catalog reads that reach the database, per client per minute: far above a shopper (a
/// browsing shopper is mostly served from cache), low enough that one client cannot turn
/// made-up queries into unbounded database work. Cache hits are not counted: a busy shop's
/// hot path stays free of the rate limiter's round trip.
const DATABASE_READS_PER_MINUTE: i64 = 600;

/// One product in a listing (`store_list_products`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProductCard {
    pub slug: String,
    pub title: String,
    pub images: Vec<String>,
    pub category: Option<String>,
    /// The cheapest variant's price; none for a product without variants.
    pub price_from: Option<i64>,
}

/// A page of a listing; `next_cursor` is added here when `has_more`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProductPage {
    pub items: Vec<ProductCard>,
    pub has_more: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Category {
    pub slug: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Variant {
    pub id: String,
    pub sku: String,
    pub title: String,
    pub options: serde_json::Value,
    pub price: i64,
    pub compare_at: Option<i64>,
    /// Stock left for shoppers: available minus reserved, never negative.
    pub available: i64,
}

/// A product page (`store_get_product`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProductDetail {
    pub slug: String,
    pub title: String,
    pub description: String,
    pub images: Vec<String>,
    pub category: Option<Category>,
    pub variants: Vec<Variant>,
}

// ------------------------------------------------------------------------ store calls

async fn rpc<T: DeserializeOwned>(config: &Config, brand_id: &str, function: &str, args: serde_json::Value) -> Result<T, AppError> {
    let value = crate::store::postgrest::rpc(config, DbClaims::shopper(brand_id, None), function, args).await?;
    serde_json::from_value(value).map_err(|e| AppError::Internal(format!("{function} returned an unexpected shape: {e}")))
}

async fn list_products(config: &Config, brand_id: &str, q: &ListQuery) -> Result<ProductPage, AppError> {
    let args = serde_json::json!({"p_category": q.category, "p_query": q.query, "p_sort": q.sort.as_str(),
                                  "p_offset": q.offset, "p_limit": q.limit});
    rpc(config, brand_id, "store_list_products", args).await
}

/// None when no active product of the brand has this slug.
async fn get_product(config: &Config, brand_id: &str, slug: &str) -> Result<Option<ProductDetail>, AppError> {
    rpc(config, brand_id, "store_get_product", serde_json::json!({"p_slug": slug})).await
}

async fn list_categories(config: &Config, brand_id: &str) -> Result<Vec<Category>, AppError> {
    rpc(config, brand_id, "store_list_categories", serde_json::json!({})).await
}

// ------------------------------------------------------------------------ cache

/// Answers a catalog read from KV, or from the database and then caches it when `keep`
/// says the answer is worth a key: an empty search result or a missing product is not
/// (anyone can make up endless queries and slugs; each would otherwise cost a KV write).
/// A read that reaches the database counts against `client`'s budget first.
async fn cached<T, F, Fut>(
    env: &Env,
    ctx: &Context,
    config: &Config,
    client: &str,
    key: &str,
    keep: fn(&T) -> bool,
    load: F,
) -> Result<(T, bool), AppError>
where
    T: Serialize + DeserializeOwned,
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<T, AppError>>,
{
    let cache = env.kv(kv::BINDING).ok();
    if let Some(cache) = &cache {
        // an entry of another shape (written by an older worker) is a miss
        if let Some(hit) = kv::get_cached(cache, key, config.catalog_cache_ttl).await.and_then(|v| serde_json::from_value(v).ok()) {
            return Ok((hit, true));
        }
    }
    crate::rate_limit::check(env, "store_read", client, DATABASE_READS_PER_MINUTE, 60).await?;
    let value = load().await?;
    if !keep(&value) {
        return Ok((value, false));
    }
    if let (Some(cache), Ok(json)) = (cache, serde_json::to_value(&value)) {
        // the shopper does not wait for the KV write
        kv::remember(key, &json, config.catalog_cache_ttl);
        let (key, ttl) = (key.to_owned(), config.catalog_cache_ttl);
        ctx.wait_until(async move {
            let _ = kv::put_cached(&cache, &key, &json, ttl).await;
        });
    }
    Ok((value, false))
}

fn has_items(page: &ProductPage) -> bool {
    !page.items.is_empty()
}

fn is_found(product: &Option<ProductDetail>) -> bool {
    product.is_some()
}

fn always(_: &Vec<Category>) -> bool {
    true
}

fn respond(value: &impl Serialize, hit: bool) -> Response {
    let mut resp = json_response(value, 200);
    let _ = resp.headers_mut().set("x-shoal-cache", if hit { "hit" } else { "miss" });
    let _ = resp.headers_mut().set("cache-control", "public, max-age=60");
    resp
}

fn product_not_found() -> AppError {
    AppError::Refused { status: 404, code: "product_not_found".into(), detail: None }
}

// ------------------------------------------------------------------------ reads (JSON API and pages)

pub fn list_query(req: &Request) -> Result<ListQuery, AppError> {
    let pairs: BTreeMap<String, String> =
        req.url().map(|u| u.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()).unwrap_or_default();
    parse_list_query(&pairs).map_err(|e| AppError::BadRequest(e.0, "invalid catalog query".into()))
}

pub async fn load_products(
    env: &Env,
    ctx: &Context,
    config: &Config,
    brand: &BrandContext,
    client: &str,
    q: &ListQuery,
) -> Result<(ProductPage, bool), AppError> {
    let key = catalog::cache_key(&brand.id, brand.catalog_version, "products", q);
    let (mut page, hit) = cached(env, ctx, config, client, &key, has_items, || list_products(config, &brand.id, q)).await?;
    if page.has_more {
        page.next_cursor = Some(encode_cursor(q.offset + q.limit));
    }
    Ok((page, hit))
}

pub async fn load_product(
    env: &Env,
    ctx: &Context,
    config: &Config,
    brand: &BrandContext,
    client: &str,
    slug: &str,
) -> Result<(ProductDetail, bool), AppError> {
    let valid = !slug.is_empty() && slug.len() <= 96 && slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !valid {
        return Err(product_not_found());
    }
    let q = ListQuery { category: None, query: None, sort: catalog::Sort::Newest, offset: 0, limit: 1 };
    let key = catalog::cache_key(&brand.id, brand.catalog_version, &format!("product:{slug}"), &q);
    let (product, hit) = cached(env, ctx, config, client, &key, is_found, || get_product(config, &brand.id, slug)).await?;
    product.map(|p| (p, hit)).ok_or_else(product_not_found)
}

pub async fn load_categories(
    env: &Env,
    ctx: &Context,
    config: &Config,
    brand: &BrandContext,
    client: &str,
) -> Result<(Vec<Category>, bool), AppError> {
    let q = ListQuery { category: None, query: None, sort: catalog::Sort::Newest, offset: 0, limit: 1 };
    let key = catalog::cache_key(&brand.id, brand.catalog_version, "categories", &q);
    cached(env, ctx, config, client, &key, always, || list_categories(config, &brand.id)).await
}

pub async fn products(req: &Request, env: &Env, ctx: &Context, config: &Config, brand: &BrandContext) -> Result<Response, AppError> {
    let q = list_query(req)?;
    let (page, hit) = load_products(env, ctx, config, brand, &crate::rate_limit::client_ip(req), &q).await?;
    Ok(respond(&page, hit))
}

pub async fn product(
    req: &Request,
    env: &Env,
    ctx: &Context,
    config: &Config,
    brand: &BrandContext,
    slug: &str,
) -> Result<Response, AppError> {
    let (product, hit) = load_product(env, ctx, config, brand, &crate::rate_limit::client_ip(req), slug).await?;
    Ok(respond(&product, hit))
}

#[derive(Serialize)]
struct CategoryList {
    items: Vec<Category>,
}

pub async fn categories(req: &Request, env: &Env, ctx: &Context, config: &Config, brand: &BrandContext) -> Result<Response, AppError> {
    let (items, hit) = load_categories(env, ctx, config, brand, &crate::rate_limit::client_ip(req)).await?;
    Ok(respond(&CategoryList { items }, hit))
}
