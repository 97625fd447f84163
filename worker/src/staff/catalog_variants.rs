//! A product's variants (option values, SKU, prices, compare-at price, weight).
//!   POST   /api/v1/admin/products/{id}/variants              one variant as in `POST products`
//!   PATCH  /api/v1/admin/products/{id}/variants/{variant}    its fields, each optional
//!   DELETE /api/v1/admin/products/{id}/variants/{variant}    not the last one (409 last_variant)
//! Each answers the product's detail.

use shoal_domain::catalog_admin::{NewVariant, VariantPatch};
use shoal_domain::config::Config;
use worker::Response;

use super::catalog_products::ProductDetail;
use super::catalog_writes::{self, write};
use super::{uuid_or, Staff};
use crate::error::{json_ok, AppError};

pub async fn add(env: &worker::Env, config: &Config, caller: &Staff, product: &str, body: NewVariant) -> Result<Response, AppError> {
    let product = uuid_or(product, "product_not_found")?;
    let variant = body.checked("").map_err(catalog_writes::field)?;
    let detail: ProductDetail =
        write(env, config, caller, "admin_add_variant", serde_json::json!({"p_product_id": product, "p": variant})).await?;
    json_ok(&detail, 201)
}

pub async fn edit(
    env: &worker::Env,
    config: &Config,
    caller: &Staff,
    product: &str,
    variant: &str,
    body: VariantPatch,
) -> Result<Response, AppError> {
    let product = uuid_or(product, "product_not_found")?;
    let variant = uuid_or(variant, "variant_not_found")?;
    let patch = body.checked().map_err(catalog_writes::field)?;
    let args = serde_json::json!({"p_product_id": product, "p_variant_id": variant, "p": patch});
    let detail: ProductDetail = write(env, config, caller, "admin_edit_variant", args).await?;
    json_ok(&detail, 200)
}

pub async fn delete(env: &worker::Env, config: &Config, caller: &Staff, product: &str, variant: &str) -> Result<Response, AppError> {
    let product = uuid_or(product, "product_not_found")?;
    let variant = uuid_or(variant, "variant_not_found")?;
    let args = serde_json::json!({"p_product_id": product, "p_variant_id": variant});
    let detail: ProductDetail = write(env, config, caller, "admin_delete_variant", args).await?;
    json_ok(&detail, 200)
}
