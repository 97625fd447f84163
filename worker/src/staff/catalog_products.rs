//! Products of the staff catalog API (variants: `catalog_variants`).
//!   GET   /api/v1/admin/products?q=&status=&category=&low_stock=&cursor=&limit=
//!   POST  /api/v1/admin/products                       {title, slug?, description?, status?, category_id?, variants: [..]}
//!   GET   /api/v1/admin/products/{id}
//!   PATCH /api/v1/admin/products/{id}                  {title?, slug?, description?, status?, category_id?}
//!   POST  /api/v1/admin/products/{id}/archive | restore | duplicate
//! (`PATCH products/{slug}` with `price`: `products`, kept for its callers.)

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use shoal_domain::catalog_admin::{product_cursor, NewProduct, ProductPatch, ProductQuery};
use shoal_domain::config::Config;
use worker::{Request, Response};

use super::catalog_writes::{self, write};
use super::{db, uuid_or, Staff};
use crate::error::{json_ok, AppError};

#[derive(Debug, Serialize, Deserialize)]
pub struct Image {
    pub id: Option<String>,
    pub url: String,
    #[serde(default)]
    pub alt: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Stock {
    pub available: i64,
    pub reserved: i64,
    pub low_stock_threshold: i64,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Variant {
    pub id: String,
    pub sku: String,
    pub title: String,
    pub options: BTreeMap<String, String>,
    pub price_amount: i64,
    pub compare_at_amount: Option<i64>,
    pub weight_grams: Option<i64>,
    /// Prices in currencies other than the brand's.
    pub prices: BTreeMap<String, i64>,
    pub position: i64,
    pub inventory: Stock,
}

/// A product as staff edit it (every write answers it).
#[derive(Debug, Serialize, Deserialize)]
pub struct ProductDetail {
    pub id: String,
    pub slug: String,
    pub title: String,
    pub description: String,
    pub status: String,
    pub category_id: Option<String>,
    pub images: Vec<Image>,
    pub currency: String,
    pub variants: Vec<Variant>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ProductItem {
    pub id: String,
    pub slug: String,
    pub title: String,
    pub status: String,
    pub category_id: Option<String>,
    pub image: Option<String>,
    pub currency: String,
    pub price_min: Option<i64>,
    pub price_max: Option<i64>,
    pub variant_count: i64,
    /// Units left to sell over all variants (available - reserved).
    pub available: i64,
    pub updated_at: String,
}

#[derive(Debug, Deserialize)]
struct After {
    created_at: String,
    id: String,
}

#[derive(Debug, Deserialize)]
struct ProductPage {
    items: Vec<ProductItem>,
    next: Option<After>,
}

#[derive(Debug, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

pub async fn list(req: &Request, config: &Config, caller: &Staff) -> Result<Response, AppError> {
    let pairs = catalog_writes::query_pairs(req);
    let q = ProductQuery::parse(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))).map_err(catalog_writes::query)?;
    let args = serde_json::json!({
        "p_words": q.search.words, "p_sku": q.search.sku, "p_status": q.status.map(|s| s.as_str()),
        "p_category_id": q.category_id, "p_low_stock": q.low_stock,
        "p_after_created": q.after.as_ref().map(|a| &a.0), "p_after_id": q.after.as_ref().map(|a| &a.1), "p_limit": q.limit,
    });
    let page: ProductPage = db::call(config, caller, "admin_list_products", args).await?;
    json_ok(&Page { items: page.items, next_cursor: page.next.map(|n| product_cursor(&n.created_at, &n.id)) }, 200)
}

pub async fn get(config: &Config, caller: &Staff, id: &str) -> Result<Response, AppError> {
    let id = uuid_or(id, "product_not_found")?;
    let detail: ProductDetail = db::call(config, caller, "admin_get_product", serde_json::json!({"p_product_id": id})).await?;
    json_ok(&detail, 200)
}

pub async fn create(env: &worker::Env, config: &Config, caller: &Staff, body: NewProduct) -> Result<Response, AppError> {
    let p = body.checked().map_err(catalog_writes::field)?;
    let args = serde_json::json!({
        "p_title": p.title, "p_slug": p.slug, "p_slug_given": p.slug_given, "p_description": p.description,
        "p_status": p.status.as_str(), "p_category_id": p.category_id, "p_variants": p.variants,
    });
    let detail: ProductDetail = write(env, config, caller, "admin_create_product", args).await?;
    json_ok(&detail, 201)
}

pub async fn edit(env: &worker::Env, config: &Config, caller: &Staff, id: &str, body: ProductPatch) -> Result<Response, AppError> {
    let id = uuid_or(id, "product_not_found")?;
    let patch = body.checked().map_err(catalog_writes::field)?;
    let detail: ProductDetail =
        write(env, config, caller, "admin_edit_product", serde_json::json!({"p_product_id": id, "p": patch})).await?;
    json_ok(&detail, 200)
}

/// `archive` (→ archived) or `restore` (archived → draft).
pub async fn set_archived(env: &worker::Env, config: &Config, caller: &Staff, id: &str, archived: bool) -> Result<Response, AppError> {
    let id = uuid_or(id, "product_not_found")?;
    let args = serde_json::json!({"p_product_id": id, "p_archived": archived});
    let detail: ProductDetail = write(env, config, caller, "admin_set_product_archived", args).await?;
    json_ok(&detail, 200)
}

pub async fn duplicate(env: &worker::Env, config: &Config, caller: &Staff, id: &str) -> Result<Response, AppError> {
    let id = uuid_or(id, "product_not_found")?;
    let detail: ProductDetail = write(env, config, caller, "admin_duplicate_product", serde_json::json!({"p_product_id": id})).await?;
    json_ok(&detail, 201)
}
