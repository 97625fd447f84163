//! Carts and checkout: database functions scoped to the brand (service role), each one
//! transaction.

use shoal_domain::config::Config;
use shoal_domain::db_token::DbClaims;

use crate::error::AppError;

async fn rpc(config: &Config, function: &str, args: serde_json::Value) -> Result<serde_json::Value, AppError> {
    super::postgrest::rpc(config, DbClaims::service(), function, args).await
}

pub async fn cart(config: &Config, brand_id: &str, cart_id: Option<&str>) -> Result<serde_json::Value, AppError> {
    rpc(config, "store_get_cart", serde_json::json!({"p_brand_id": brand_id, "p_cart_id": cart_id})).await
}

pub async fn set_line(
    config: &Config,
    brand_id: &str,
    cart_id: Option<&str>,
    variant_id: &str,
    quantity: i64,
    add: bool,
) -> Result<serde_json::Value, AppError> {
    let args = serde_json::json!({"p_brand_id": brand_id, "p_cart_id": cart_id, "p_variant_id": variant_id,
        "p_quantity": quantity, "p_mode": if add { "add" } else { "set" },
        "p_max_per_line": shoal_domain::cart::MAX_PER_LINE});
    rpc(config, "store_set_cart_line", args).await
}

pub async fn checkout(config: &Config, brand_id: &str, cart_id: &str, email: &str) -> Result<serde_json::Value, AppError> {
    let args = serde_json::json!({"p_brand_id": brand_id, "p_cart_id": cart_id, "p_email": email,
                                  "p_reservation_minutes": config.reservation_minutes});
    rpc(config, "checkout_cart", args).await
}

pub async fn attach_session(config: &Config, brand_id: &str, order_id: &str, session_id: &str, cart_id: &str) -> Result<(), AppError> {
    let args = serde_json::json!({"p_brand_id": brand_id, "p_order_id": order_id, "p_session_id": session_id, "p_cart_id": cart_id});
    rpc(config, "attach_checkout_session", args).await.map(|_| ())
}

pub async fn abandon(config: &Config, brand_id: &str, order_id: &str, reason: &str) -> Result<(), AppError> {
    let args = serde_json::json!({"p_brand_id": brand_id, "p_order_id": order_id, "p_reason": reason});
    rpc(config, "abandon_checkout", args).await.map(|_| ())
}

pub async fn expire_reservations(config: &Config) -> Result<i64, AppError> {
    rpc(config, "expire_reservations", serde_json::json!({})).await.map(|v| v.as_i64().unwrap_or(0))
}

pub async fn order_status(config: &Config, brand_id: &str, number: i64, email: &str) -> Result<serde_json::Value, AppError> {
    rpc(config, "store_order_status", serde_json::json!({"p_brand_id": brand_id, "p_number": number, "p_email": email})).await
}
