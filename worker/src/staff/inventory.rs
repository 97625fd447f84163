//! Stock per variant: levels, adjustments recorded in a ledger (who, why, by how much, the
//! level after), and each variant's low-stock threshold.
//!   GET   /api/v1/admin/inventory?low_stock=&q=&cursor=&limit=
//!   POST  /api/v1/admin/inventory/{variant}/adjustments   {delta, reason, note?}   (never below reserved: 409)
//!   GET   /api/v1/admin/inventory/{variant}/adjustments?cursor=&limit=
//!   PATCH /api/v1/admin/inventory/{variant}               {low_stock_threshold}

use serde::{Deserialize, Serialize};
use shoal_domain::catalog_admin::{encode_cursor, Adjustment, InventoryQuery, LedgerQuery, ThresholdInput};
use shoal_domain::config::Config;
use worker::{Request, Response};

use super::catalog_products::Page;
use super::catalog_writes::{self, write};
use super::{db, uuid_or, Staff};
use crate::error::{json_ok, AppError};

#[derive(Debug, Serialize, Deserialize)]
pub struct Level {
    pub variant_id: String,
    pub product_id: String,
    pub product_title: String,
    pub sku: String,
    pub variant_title: String,
    pub available: i64,
    pub reserved: i64,
    pub low_stock_threshold: i64,
    pub low_stock: bool,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct LedgerEntry {
    pub id: i64,
    pub delta: i64,
    pub reason: String,
    pub note: Option<String>,
    pub available_after: i64,
    pub actor_email: Option<String>,
    pub at: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Adjusted {
    pub available: i64,
    pub reserved: i64,
    pub adjustment: LedgerEntry,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Threshold {
    pub variant_id: String,
    pub available: i64,
    pub reserved: i64,
    pub low_stock_threshold: i64,
    pub low_stock: bool,
}

#[derive(Debug, Deserialize)]
struct DbPage<T, N> {
    items: Vec<T>,
    next: Option<N>,
}

fn pairs(req: &Request) -> Vec<(String, String)> {
    catalog_writes::query_pairs(req)
}

pub async fn list(req: &Request, config: &Config, caller: &Staff) -> Result<Response, AppError> {
    let pairs = pairs(req);
    let q = InventoryQuery::parse(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))).map_err(catalog_writes::query)?;
    let args = serde_json::json!({"p_words": q.search.words, "p_sku": q.search.sku, "p_low_stock": q.low_stock,
                                  "p_after_sku": q.after_sku, "p_limit": q.limit});
    let page: DbPage<Level, String> = db::call(config, caller, "admin_list_inventory", args).await?;
    json_ok(&Page { items: page.items, next_cursor: page.next.map(|sku| encode_cursor(&sku)) }, 200)
}

pub async fn adjust(env: &worker::Env, config: &Config, caller: &Staff, variant: &str, body: Adjustment) -> Result<Response, AppError> {
    let variant = uuid_or(variant, "variant_not_found")?;
    let a = body.checked().map_err(catalog_writes::field)?;
    let args = serde_json::json!({"p_variant_id": variant, "p_delta": a.delta, "p_reason": a.reason, "p_note": a.note});
    let adjusted: Adjusted = write(env, config, caller, "admin_adjust_inventory", args).await?;
    json_ok(&adjusted, 201)
}

pub async fn ledger(req: &Request, config: &Config, caller: &Staff, variant: &str) -> Result<Response, AppError> {
    let variant = uuid_or(variant, "variant_not_found")?;
    let pairs = pairs(req);
    let q = LedgerQuery::parse(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))).map_err(catalog_writes::query)?;
    let args = serde_json::json!({"p_variant_id": variant, "p_before": q.before, "p_limit": q.limit});
    let page: DbPage<LedgerEntry, i64> = db::call(config, caller, "admin_inventory_adjustments", args).await?;
    json_ok(&Page { items: page.items, next_cursor: page.next.map(|id| encode_cursor(&id.to_string())) }, 200)
}

pub async fn set_threshold(
    env: &worker::Env,
    config: &Config,
    caller: &Staff,
    variant: &str,
    body: ThresholdInput,
) -> Result<Response, AppError> {
    let variant = uuid_or(variant, "variant_not_found")?;
    let threshold = body.checked().map_err(catalog_writes::field)?;
    let args = serde_json::json!({"p_variant_id": variant, "p_threshold": threshold});
    let level: Threshold = write(env, config, caller, "admin_set_low_stock_threshold", args).await?;
    json_ok(&level, 200)
}
