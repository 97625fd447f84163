//! `GET /api/v1/store/orders/{number}?email=…`: a shopper follows an order by its number
//! and the email it was placed with, from any browser; a wrong pair is indistinguishable
//! from no order. The lookup runs with the shopper's token (anon + brand): another brand's
//! order is no order, whatever the number.

use serde::{Deserialize, Serialize};
use shoal_domain::brand::BrandContext;
use shoal_domain::config::Config;
use shoal_domain::db_token::DbClaims;
use worker::{Request, Response};

use super::checkout::OrderItem;
use crate::error::{json_response, AppError};
use crate::request::query_param;

/// What a shopper may see of their order (`store_order_status`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OrderStatus {
    pub number: i64,
    pub status: String,
    pub payment_status: String,
    pub currency: String,
    pub total_amount: i64,
    pub tracking_number: Option<String>,
    pub created_at: String,
    pub items: Option<Vec<OrderItem>>,
}

/// The order with this number placed with this email at the brand; none otherwise (also
/// for a number that is not positive or an empty email, without asking the database).
pub async fn lookup(config: &Config, brand: &BrandContext, number: i64, email: &str) -> Result<Option<OrderStatus>, AppError> {
    if number <= 0 || email.trim().is_empty() {
        return Ok(None);
    }
    let args = serde_json::json!({"p_number": number, "p_email": email});
    let value = crate::store::postgrest::rpc(config, DbClaims::shopper(&brand.id, None), "store_order_status", args).await?;
    serde_json::from_value(value).map_err(|e| AppError::Internal(format!("store_order_status returned an unexpected shape: {e}")))
}

pub async fn get(req: &Request, config: &Config, brand: &BrandContext, number: &str) -> Result<Response, AppError> {
    let not_found = || AppError::Refused { status: 404, code: "order_not_found".into(), detail: None };
    let number: i64 = number.parse().ok().filter(|n| *n > 0).ok_or_else(not_found)?;
    let email = query_param(req, "email").unwrap_or_default();
    let order = lookup(config, brand, number, &email).await?.ok_or_else(not_found)?;
    let mut resp = json_response(&order, 200);
    let _ = resp.headers_mut().set("cache-control", "no-store");
    Ok(resp)
}
