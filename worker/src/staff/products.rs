//! The first staff catalog write, kept for its callers: a product named by its slug, its
//! title, status and one price for every variant. (The catalog API proper, by id:
//! `catalog_products`, `catalog_variants`.)
//!   PATCH /api/v1/admin/products/{slug}   {"title"?, "status"?, "price"?}

use serde::{Deserialize, Serialize};
use shoal_domain::config::Config;
use worker::Response;

use super::{db, Staff};
use crate::error::{json_ok, AppError};

const MAX_TITLE: usize = 200;

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProductStatus {
    Draft,
    Active,
    Archived,
}

/// What may change; absent fields stay as they are.
#[derive(Debug, Deserialize)]
pub struct ProductPatch {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub status: Option<ProductStatus>,
    /// Minor units of the brand's currency, for every variant of the product.
    #[serde(default)]
    pub price: Option<i64>,
}

impl ProductPatch {
    fn validate(&self) -> Result<(), AppError> {
        if let Some(title) = &self.title {
            if title.trim().is_empty() || title.chars().count() > MAX_TITLE {
                return Err(AppError::invalid_field("title", &format!("1 to {MAX_TITLE} characters")));
            }
        }
        if self.price.is_some_and(|p| p < 0) {
            return Err(AppError::invalid_field("price", "a whole number of minor units, not negative"));
        }
        Ok(())
    }
}

/// `public.admin_update_product`'s answer.
#[derive(Debug, Deserialize)]
struct Updated {
    catalog_version: i64,
    /// The brand's hosts, whose cached brand entries must be forgotten.
    invalidate_hosts: Vec<String>,
}

#[derive(Debug, Serialize)]
struct UpdatedReply<'a> {
    slug: &'a str,
    catalog_version: i64,
}

/// A catalog write: the database bumps the brand's catalog version; forgetting the brand's
/// cached host entries makes the next request read that version, so every cached catalog
/// key of this brand (and only this brand) is stale at once.
pub async fn update(env: &worker::Env, config: &Config, caller: &Staff, slug: &str, patch: ProductPatch) -> Result<Response, AppError> {
    patch.validate()?;
    let args = serde_json::json!({"p_slug": slug, "p_title": patch.title, "p_status": patch.status, "p_price": patch.price});
    let updated: Updated = db::call(config, caller, "admin_update_product", args).await?;
    crate::kv::forget_brand_hosts(env, &serde_json::json!(updated.invalidate_hosts)).await;
    json_ok(&UpdatedReply { slug, catalog_version: updated.catalog_version }, 200)
}
