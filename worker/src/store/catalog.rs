//! Catalog reads with the shopper's token (anon + brand claim): RLS decides what shows.

use shoal_domain::catalog::ListQuery;
use shoal_domain::config::Config;
use shoal_domain::db_token::DbClaims;

use crate::error::AppError;

async fn rpc(config: &Config, brand_id: &str, function: &str, args: serde_json::Value) -> Result<serde_json::Value, AppError> {
    super::postgrest::rpc(config, DbClaims::anon_for_brand(brand_id), function, args).await
}

pub async fn list_products(config: &Config, brand_id: &str, q: &ListQuery) -> Result<serde_json::Value, AppError> {
    let args = serde_json::json!({"p_category": q.category, "p_query": q.query, "p_sort": q.sort.as_str(),
                                  "p_offset": q.offset, "p_limit": q.limit});
    rpc(config, brand_id, "store_list_products", args).await
}

pub async fn product(config: &Config, brand_id: &str, slug: &str) -> Result<serde_json::Value, AppError> {
    rpc(config, brand_id, "store_get_product", serde_json::json!({"p_slug": slug})).await
}

pub async fn categories(config: &Config, brand_id: &str) -> Result<serde_json::Value, AppError> {
    rpc(config, brand_id, "store_list_categories", serde_json::json!({})).await
}
