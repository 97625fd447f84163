//! Admin reads and staff writes, each one database function scoped to the brand.

use shoal_domain::config::Config;
use shoal_domain::db_token::DbClaims;

use crate::error::AppError;

async fn rpc(config: &Config, function: &str, args: serde_json::Value) -> Result<serde_json::Value, AppError> {
    super::postgrest::rpc(config, DbClaims::service(), function, args).await
}

/// The brand's billing state, read from the database (never from KV alone).
pub async fn billing_state(config: &Config, brand_id: &str) -> Result<serde_json::Value, AppError> {
    rpc(config, "brand_billing_state", serde_json::json!({"p_brand_id": brand_id})).await
}

/// Stores the Stripe customer created for the brand's billing; answers the one stored
/// (an earlier one wins a race).
pub async fn bind_billing_customer(config: &Config, brand_id: &str, customer: &str, actor: &str) -> Result<String, AppError> {
    let args = serde_json::json!({"p_brand_id": brand_id, "p_customer": customer, "p_actor": actor});
    let value = rpc(config, "admin_bind_billing_customer", args).await?;
    value.as_str().map(str::to_owned).ok_or_else(|| AppError::Internal("admin_bind_billing_customer answered no customer".into()))
}

pub async fn order(config: &Config, brand_id: &str, order_id: &str) -> Result<serde_json::Value, AppError> {
    let value = rpc(config, "admin_get_order", serde_json::json!({"p_brand_id": brand_id, "p_order_id": order_id})).await?;
    if value.is_null() {
        return Err(AppError::Refused { status: 404, code: "order_not_found".into(), detail: None });
    }
    Ok(value)
}

pub async fn transition_order(
    config: &Config,
    brand_id: &str,
    order_id: &str,
    to: &str,
    tracking_number: Option<&str>,
    actor: &str,
) -> Result<serde_json::Value, AppError> {
    rpc(
        config,
        "staff_transition_order",
        serde_json::json!({"p_brand_id": brand_id, "p_order_id": order_id, "p_to": to,
                           "p_tracking": tracking_number, "p_actor": actor}),
    )
    .await
}

pub async fn update_product(
    config: &Config,
    brand_id: &str,
    slug: &str,
    patch: &serde_json::Value,
    actor: &str,
) -> Result<serde_json::Value, AppError> {
    rpc(
        config,
        "admin_update_product",
        serde_json::json!({"p_brand_id": brand_id, "p_slug": slug, "p_title": patch["title"],
                           "p_status": patch["status"], "p_price": patch["price"], "p_actor": actor}),
    )
    .await
}

pub async fn audit_log(config: &Config, brand_id: &str, filters: serde_json::Value) -> Result<serde_json::Value, AppError> {
    let mut args = filters;
    args["p_brand_id"] = serde_json::json!(brand_id);
    rpc(config, "admin_audit_log", args).await
}

/// Any admin database function by name (each checks the brand it is given).
pub async fn call(config: &Config, function: &str, args: serde_json::Value) -> Result<serde_json::Value, AppError> {
    rpc(config, function, args).await
}
