//! The server-side cart, per brand, keyed by a signed HttpOnly cookie.
//!   GET    /api/v1/store/cart
//!   POST   /api/v1/store/cart/lines              {"variant_id", "quantity"}  adds
//!   PUT    /api/v1/store/cart/lines/{variant_id} {"quantity"}                sets (0 removes)
//!   DELETE /api/v1/store/cart/lines/{variant_id}
//! The cart id travels to the database as the token's `cart_id` claim, never as a
//! parameter: the carts and cart_lines policies allow that cart of that brand only.

use serde::{Deserialize, Serialize};
use shoal_domain::brand::BrandContext;
use shoal_domain::cart::check_quantity;
use shoal_domain::config::Config;
use shoal_domain::db_token::DbClaims;
use shoal_domain::ids::is_uuid;
use shoal_domain::keys::Purpose;
use shoal_domain::signed_id;
use worker::{Env, Method, Request, Response};

use crate::body::read_body;
use crate::error::{json_response, AppError};
use crate::rate_limit;
use crate::request::Field;

pub const COOKIE: &str = "shoal_cart";
const COOKIE_MAX_AGE: u32 = 30 * 24 * 3600;

fn scope(brand: &BrandContext) -> String {
    format!("cart:{}", brand.id)
}

/// The cart id from the cookie when its signature holds for this brand; else none.
pub fn cart_id(req: &Request, config: &Config, brand: &BrandContext) -> Option<String> {
    let cookies = req.headers().get("cookie").ok().flatten()?;
    let value = cookies.split(';').filter_map(|c| c.trim().split_once('=')).find(|(k, _)| *k == COOKIE)?.1;
    config.keys.verify(Purpose::CartCookie, |key| signed_id::verify(key, &scope(brand), value)).filter(|id| is_uuid(id)).map(str::to_owned)
}

pub fn set_cookie(resp: &mut Response, config: &Config, brand: &BrandContext, cart_id: &str) {
    let value = signed_id::sign(&config.keys.signing(Purpose::CartCookie), &scope(brand), cart_id);
    let cookie = format!("{COOKIE}={value}; Path=/; Max-Age={COOKIE_MAX_AGE}; HttpOnly; Secure; SameSite=Lax");
    let _ = resp.headers_mut().append("set-cookie", &cookie);
}

/// The cart a write goes to: the cookie's, or a new random id (the database opens the
/// cart under it on the first line, and the answer sets the cookie).
fn cart_for_write(current: Option<&str>) -> Result<String, AppError> {
    match current {
        Some(id) => Ok(id.to_owned()),
        None => crate::random::uuid(),
    }
}

/// Cart writes (API and forms) per client IP: `CART_WRITES_PER_MINUTE`, else 429.
pub async fn limit_writes(env: &Env, req: &Request) -> Result<(), AppError> {
    let limit = shoal_domain::cart::CART_WRITES_PER_MINUTE;
    rate_limit::check(env, "cart_write", &rate_limit::client_ip(req), limit, 60).await
}

/// A variant id as a client sent it: a UUID, else 400 `invalid_variant` saying so.
pub fn parse_variant(raw: &str) -> Result<&str, AppError> {
    Some(raw.trim()).filter(|v| is_uuid(v)).ok_or_else(|| {
        AppError::BadRequest("invalid_variant", "`variant_id` must be a variant's id (a UUID) as the product lists it".into())
    })
}

/// A quantity as a client sent it: a whole number from 1 (0 when `allow_zero`: remove)
/// to `MAX_PER_LINE`, else 400 with the quantity's own code.
pub fn parse_quantity(raw: Field<i64>, allow_zero: bool) -> Result<i64, AppError> {
    let lowest = if allow_zero { 0 } else { 1 };
    let why = || format!("quantity must be a whole number from {lowest} to {}", shoal_domain::cart::MAX_PER_LINE);
    let n = match raw {
        Field::Valid(n) => n,
        Field::Missing | Field::Invalid => return Err(AppError::BadRequest("quantity_not_an_integer", why())),
    };
    check_quantity(n, allow_zero).map_err(|e| AppError::BadRequest(e.code(), why()))
}

/// `POST /lines` and `PUT /lines/{variant}` bodies.
#[derive(Deserialize)]
struct LineBody {
    #[serde(default)]
    variant_id: Field<String>,
    #[serde(default)]
    quantity: Field<i64>,
}

// ------------------------------------------------------------------------ the cart as stored

/// One line, priced from the database (`shoal_private.cart_json`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CartLine {
    pub variant_id: String,
    pub sku: String,
    pub product_slug: String,
    pub title: String,
    pub variant_title: String,
    pub quantity: i64,
    pub unit_amount: i64,
    pub available: i64,
    /// unit × quantity, computed here.
    #[serde(default)]
    pub line_total: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Cart {
    /// None until the shopper's first line.
    pub id: Option<String>,
    pub currency: Option<String>,
    pub lines: Vec<CartLine>,
    /// The lines' total, computed here; none if it would overflow.
    #[serde(default)]
    pub subtotal: Option<i64>,
}

impl Cart {
    /// Adds line totals and the subtotal, computed here from the database's unit prices.
    fn with_totals(mut self) -> Cart {
        let mut priced = Vec::with_capacity(self.lines.len());
        for line in &mut self.lines {
            line.line_total = line.unit_amount.saturating_mul(line.quantity);
            priced.push(shoal_domain::cart::PricedLine { unit_amount: line.unit_amount, quantity: line.quantity });
        }
        self.subtotal = shoal_domain::cart::total(&priced);
        self
    }
}

async fn rpc(config: &Config, brand: &BrandContext, cart: Option<&str>, function: &str, args: serde_json::Value) -> Result<Cart, AppError> {
    let value = crate::store::postgrest::rpc(config, DbClaims::shopper(&brand.id, cart), function, args).await?;
    let cart: Cart =
        serde_json::from_value(value).map_err(|e| AppError::Internal(format!("{function} returned an unexpected shape: {e}")))?;
    Ok(cart.with_totals())
}

/// The shopper's cart (empty without a cookie).
pub async fn get(config: &Config, brand: &BrandContext, cart: Option<&str>) -> Result<Cart, AppError> {
    rpc(config, brand, cart, "store_get_cart", serde_json::json!({})).await
}

/// Adds to (`add`) or sets a line of the cart `cart`; quantity 0 removes it.
pub async fn set_line(
    config: &Config,
    brand: &BrandContext,
    cart: &str,
    variant_id: &str,
    quantity: i64,
    add: bool,
) -> Result<Cart, AppError> {
    let args = serde_json::json!({"p_variant_id": variant_id, "p_quantity": quantity, "p_mode": if add { "add" } else { "set" },
        "p_max_per_line": shoal_domain::cart::MAX_PER_LINE, "p_max_units": shoal_domain::cart::MAX_UNITS_PER_ORDER});
    rpc(config, brand, Some(cart), "store_set_cart_line", args).await
}

/// Sets a line from a request (API or form) on the shopper's cart, and the cookie on
/// `resp` when the cart is new.
pub async fn set_line_of(
    req: &Request,
    config: &Config,
    brand: &BrandContext,
    variant: &str,
    quantity: i64,
    add: bool,
) -> Result<(Cart, bool), AppError> {
    let current = cart_id(req, config, brand);
    let cart = cart_for_write(current.as_deref())?;
    let stored = set_line(config, brand, &cart, variant, quantity, add).await?;
    Ok((stored, current.is_none()))
}

pub async fn handle(mut req: Request, env: &Env, config: &Config, brand: &BrandContext, rest: &str) -> Result<Response, AppError> {
    // HEAD is answered as GET (the route table allows it)
    let method = if req.method() == Method::Head { Method::Get } else { req.method() };
    if method != Method::Get {
        limit_writes(env, &req).await?;
    }
    let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let (cart, new) = match (method, segments.as_slice()) {
        (Method::Get, []) => (get(config, brand, cart_id(&req, config, brand).as_deref()).await?, false),
        (Method::Post, ["lines"]) => {
            let body: LineBody = read_body(&mut req).await?;
            let variant = match body.variant_id {
                Field::Valid(v) => v,
                Field::Missing | Field::Invalid => String::new(),
            };
            let variant = parse_variant(&variant)?;
            let qty = parse_quantity(body.quantity, false)?;
            set_line_of(&req, config, brand, variant, qty, true).await?
        }
        (Method::Put, ["lines", variant]) => {
            let body: LineBody = read_body(&mut req).await?;
            let variant = parse_variant(variant)?;
            let qty = parse_quantity(body.quantity, true)?;
            set_line_of(&req, config, brand, variant, qty, false).await?
        }
        (Method::Delete, ["lines", variant]) => {
            let variant = parse_variant(variant)?;
            set_line_of(&req, config, brand, variant, 0, false).await?
        }
        // the route table (`shoal_domain::api_routes`) let it through: a handler is missing
        _ => return Err(AppError::RouteNotHandled(format!("no handler for {} /api/v1/store/cart{rest}", req.method()))),
    };
    let mut resp = json_response(&cart, 200);
    let _ = resp.headers_mut().set("cache-control", "no-store");
    if let Some(id) = cart.id.as_deref().filter(|id| new && is_uuid(id)) {
        set_cookie(&mut resp, config, brand, id);
    }
    Ok(resp)
}
