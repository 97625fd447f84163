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
        "p_max_per_line": shoal_domain::cart::MAX_PER_LINE, "p_max_units": shoal_domain::cart::MAX_UNITS_PER_ORDER});
    rpc(config, "store_set_cart_line", args).await
}

/// The pending order with its reserved stock, within the caps of `shoal_domain::cart`.
pub async fn checkout(config: &Config, brand_id: &str, cart_id: &str, email: &str, client_key: &str) -> Result<serde_json::Value, AppError> {
    use shoal_domain::cart::{MAX_PENDING_PER_CLIENT, MAX_PENDING_PER_EMAIL, MAX_UNITS_PER_ORDER};
    let args = serde_json::json!({"p_brand_id": brand_id, "p_cart_id": cart_id, "p_email": email,
                                  "p_reservation_minutes": config.reservation_minutes, "p_client_key": client_key,
                                  "p_max_units": MAX_UNITS_PER_ORDER, "p_max_pending_per_email": MAX_PENDING_PER_EMAIL,
                                  "p_max_pending_per_client": MAX_PENDING_PER_CLIENT});
    rpc(config, "checkout_cart", args).await
}

/// An unpaid checkout whose Stripe session may still be open.
#[derive(serde::Deserialize)]
pub struct PendingCheckout {
    pub order_id: String,
    pub session_id: String,
}

/// The unpaid checkouts of a cart (a new checkout replaces them) or one order (its cancel link).
pub async fn pending(config: &Config, brand_id: &str, cart_id: Option<&str>, order_id: Option<&str>) -> Result<Vec<PendingCheckout>, AppError> {
    let args = serde_json::json!({"p_brand_id": brand_id, "p_cart_id": cart_id, "p_order_id": order_id});
    let rows = rpc(config, "pending_checkouts", args).await?;
    serde_json::from_value(rows).map_err(|e| AppError::Internal(format!("pending_checkouts: {e}")))
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
