//! The server-side cart, per brand, keyed by a signed HttpOnly cookie.
//!   GET    /api/v1/store/cart
//!   POST   /api/v1/store/cart/lines              {"variant_id", "quantity"}  adds
//!   PUT    /api/v1/store/cart/lines/{variant_id} {"quantity"}                sets (0 removes)
//!   DELETE /api/v1/store/cart/lines/{variant_id}

use shoal_domain::brand::BrandContext;
use shoal_domain::cart::parse_quantity;
use shoal_domain::config::Config;
use shoal_domain::keys::Purpose;
use shoal_domain::ids::is_uuid;
use shoal_domain::signed_id;
use worker::{Env, Method, Request, Response};

use super::read_json;
use crate::error::{json_response, AppError};
use crate::{rate_limit, store};

pub const COOKIE: &str = "shoal_cart";
const COOKIE_MAX_AGE: u32 = 30 * 24 * 3600;

fn scope(brand: &BrandContext) -> String {
    format!("cart:{}", brand.id)
}

/// The cart id from the cookie when its signature holds for this brand; else none.
pub fn cart_id(req: &Request, config: &Config, brand: &BrandContext) -> Option<String> {
    let cookies = req.headers().get("cookie").ok().flatten()?;
    let value = cookies.split(';').filter_map(|c| c.trim().split_once('=')).find(|(k, _)| *k == COOKIE)?.1;
    config.keys.verify(Purpose::CartCookie, |key| signed_id::verify(key, &scope(brand), value)).map(str::to_owned)
}

pub fn set_cookie(resp: &mut Response, config: &Config, brand: &BrandContext, cart_id: &str) {
    let value = signed_id::sign(&config.keys.signing(Purpose::CartCookie), &scope(brand), cart_id);
    let cookie = format!("{COOKIE}={value}; Path=/; Max-Age={COOKIE_MAX_AGE}; HttpOnly; Secure; SameSite=Lax");
    let _ = resp.headers_mut().append("set-cookie", &cookie);
}

/// Cart writes (API and forms) per client IP: `CART_WRITES_PER_MINUTE`, else 429.
pub async fn limit_writes(env: &Env, req: &Request) -> Result<(), AppError> {
    let limit = shoal_domain::cart::CART_WRITES_PER_MINUTE;
    rate_limit::check(env, "cart_write", &rate_limit::client_ip(req), limit, 60).await
}

/// A variant id as a client sent it: a UUID, else 400 `invalid_variant` saying so.
pub fn parse_variant(raw: &str) -> Result<&str, AppError> {
    Some(raw.trim()).filter(|v| is_uuid(v))
        .ok_or_else(|| AppError::BadRequest("invalid_variant", "`variant_id` must be a variant's id (a UUID) as the product lists it".into()))
}

pub async fn handle(mut req: Request, env: &Env, config: &Config, brand: &BrandContext, rest: &str) -> Result<Response, AppError> {
    if req.method() != Method::Get {
        limit_writes(env, &req).await?;
    }
    let current = cart_id(&req, config, brand);
    let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let cart = match (req.method(), segments.as_slice()) {
        (Method::Get, []) => store::checkout::cart(config, &brand.id, current.as_deref()).await?,
        (Method::Post, ["lines"]) => {
            let body = read_json(&mut req).await?;
            let variant = parse_variant(body["variant_id"].as_str().unwrap_or_default())?;
            let qty = parse_quantity(&body["quantity"], false).map_err(|e| AppError::BadRequest(e.code(), "quantity must be a whole number from 1 to 10".into()))?;
            store::checkout::set_line(config, &brand.id, current.as_deref(), variant, qty, true).await?
        }
        (Method::Put, ["lines", variant]) => {
            let body = read_json(&mut req).await?;
            let variant = parse_variant(variant)?;
            let qty = parse_quantity(&body["quantity"], true).map_err(|e| AppError::BadRequest(e.code(), "quantity must be a whole number from 0 to 10".into()))?;
            store::checkout::set_line(config, &brand.id, current.as_deref(), variant, qty, false).await?
        }
        (Method::Delete, ["lines", variant]) => {
            let variant = parse_variant(variant)?;
            store::checkout::set_line(config, &brand.id, current.as_deref(), variant, 0, false).await?
        }
        _ => return Err(AppError::NotFound),
    };
    let new_id = cart["id"].as_str().map(str::to_owned);
    let mut resp = json_response(&with_totals(cart), 200);
    let _ = resp.headers_mut().set("cache-control", "no-store");
    if let Some(id) = new_id.filter(|id| current.as_deref() != Some(id.as_str()) && is_uuid(id)) {
        set_cookie(&mut resp, config, brand, &id);
    }
    Ok(resp)
}

/// Adds line totals and the subtotal, computed here from the database's unit prices.
pub fn with_totals(mut cart: serde_json::Value) -> serde_json::Value {
    let mut lines = Vec::new();
    if let Some(items) = cart["lines"].as_array_mut() {
        for line in items.iter_mut() {
            let unit = line["unit_amount"].as_i64().unwrap_or(0);
            let qty = line["quantity"].as_i64().unwrap_or(0);
            line["line_total"] = serde_json::json!(unit.saturating_mul(qty));
            lines.push(shoal_domain::cart::PricedLine { unit_amount: unit, quantity: qty });
        }
    }
    cart["subtotal"] = serde_json::json!(shoal_domain::cart::total(&lines));
    cart
}
