//! `POST /api/v1/store/checkout` {"email"}: prices come from the database only (anything
//! else the client sends is ignored), stock is reserved and the pending order created in
//! one transaction, then a Stripe Checkout Session is created with the order id as its
//! Idempotency-Key. If Stripe fails, the order is cancelled and the stock released.
//! Unpaid checkouts hold stock briefly: the session lives the shortest time Stripe allows,
//! and a shopper's cancel link or a new checkout of the same cart expires the session at
//! Stripe and releases the stock at once.

use shoal_domain::brand::BrandContext;
use shoal_domain::cart::application_fee;
use shoal_domain::config::Config;
use shoal_domain::keys::Purpose;
use worker::{Env, Request, Response};

use super::cart::cart_id;
use super::read_json;
use crate::error::{json_response, AppError};
use crate::rate_limit;
use crate::store;
use crate::stripe::{self, p, StripeCall};

/// Checkout attempts per client IP per minute.
const ATTEMPTS_PER_MINUTE: i64 = 10;

pub async fn post(mut req: Request, env: &Env, config: &Config, brand: &BrandContext) -> Result<Response, AppError> {
    let ip = rate_limit::client_ip(&req);
    let cart = cart_id(&req, config, brand);
    let body = read_json(&mut req).await?;
    let started = start(env, config, brand, &ip, cart.as_deref(), body["email"].as_str(), &req).await?;
    let mut resp = json_response(&started, 201);
    let _ = resp.headers_mut().set("cache-control", "no-store");
    Ok(resp)
}

/// Rate limit, order with reserved stock, Stripe session; used by the JSON API and the
/// storefront's checkout form alike.
pub async fn start(
    env: &Env,
    config: &Config,
    brand: &BrandContext,
    ip: &str,
    cart: Option<&str>,
    email: Option<&str>,
    req: &Request,
) -> Result<serde_json::Value, AppError> {
    rate_limit::check(env, "checkout", ip, ATTEMPTS_PER_MINUTE, 60).await?;
    let email = email.map(str::trim).filter(|e| !e.is_empty())
        .ok_or_else(|| AppError::BadRequest("missing_field", "`email` is required".into()))?;
    let cart = cart.ok_or_else(|| AppError::Refused { status: 422, code: "cart_empty".into(), detail: None })?;
    // a new checkout of this cart replaces the unpaid one before it
    for previous in store::checkout::pending(config, &brand.id, Some(cart), None).await? {
        if let Err(e) = release(config, brand, &previous, "replaced_by_new_checkout").await {
            // the old one then runs out on its own; the shopper's new checkout goes on
            worker::console_warn!("{}", serde_json::json!({"level": "warn", "event": "checkout_not_replaced",
                "order_id": previous.order_id, "code": e.code(), "detail": e.detail()}));
        }
    }
    let client = shoal_domain::cart::client_key(&config.keys.signing(Purpose::CartClient), &brand.id, ip);
    let order = store::checkout::checkout(config, &brand.id, cart, email, &client).await?;
    let order_id = order["id"].as_str().unwrap_or_default().to_owned();
    let base = super::brand_origin(req, config, brand, order["primary_host"].as_str());
    match create_session(config, brand, &order, &base).await {
        Ok(session) => {
            let session_id = session["id"].as_str().unwrap_or_default();
            store::checkout::attach_session(config, &brand.id, &order_id, session_id, cart).await?;
            Ok(serde_json::json!({"order_id": order_id, "order_number": order["number"], "currency": order["currency"],
                                  "total_amount": order["total_amount"], "checkout_url": session["url"]}))
        }
        Err(err) => {
            // leave no half state: the order is cancelled and its reservation released
            store::checkout::abandon(config, &brand.id, &order_id, "payment_provider_error").await?;
            Err(err)
        }
    }
}

async fn create_session(config: &Config, brand: &BrandContext, order: &serde_json::Value, base: &str) -> Result<serde_json::Value, AppError> {
    let order_id = order["id"].as_str().unwrap_or_default();
    let number = order["number"].as_i64().unwrap_or_default();
    let currency = brand.currency.to_lowercase();
    let mut params = vec![
        p("mode", "payment"),
        p("currency", &currency),
        p("customer_email", order["email"].as_str().unwrap_or_default()),
        p("client_reference_id", order_id),
        p("metadata[order_id]", order_id),
        p("metadata[brand_id]", &brand.id),
        p("payment_intent_data[metadata][order_id]", order_id),
        p("payment_intent_data[metadata][brand_id]", &brand.id),
        p("success_url", format!("{base}/checkout/success?order={number}")),
        // the signed order id lets the shopper who holds this link (and nobody else) cancel
        p("cancel_url", format!("{base}/checkout/cancel?order={number}&token={}", cancel_token(config, brand, order_id))),
        p("expires_at", shoal_domain::cart::session_expires_at(crate::store::postgrest::now().timestamp())),
    ];
    for (i, item) in order["items"].as_array().map(Vec::as_slice).unwrap_or_default().iter().enumerate() {
        params.push(p(&format!("line_items[{i}][quantity]"), item["quantity"].as_i64().unwrap_or(1)));
        params.push(p(&format!("line_items[{i}][price_data][currency]"), &currency));
        params.push(p(&format!("line_items[{i}][price_data][unit_amount]"), item["unit_amount"].as_i64().unwrap_or(0)));
        params.push(p(&format!("line_items[{i}][price_data][product_data][name]"), item["title"].as_str().unwrap_or_default()));
    }
    if brand.stripe_account.is_some() {
        let fee = application_fee(order["total_amount"].as_i64().unwrap_or(0), config.platform_fee_bps);
        params.push(p("payment_intent_data[application_fee_amount]", fee));
    }
    stripe::post(config, StripeCall {
        path: "/v1/checkout/sessions",
        params,
        idempotency_key: Some(order_id.to_owned()),
        account: brand.stripe_account.as_deref(),
    })
    .await
}

fn cancel_scope(brand: &BrandContext) -> String {
    format!("checkout-cancel:{}", brand.id)
}

fn cancel_token(config: &Config, brand: &BrandContext, order_id: &str) -> String {
    shoal_domain::signed_id::sign(&config.keys.signing(Purpose::CheckoutCancel), &cancel_scope(brand), order_id)
}

/// Expires an unpaid checkout's Stripe session, then releases its stock (`abandon_checkout`).
/// A session Stripe says is no longer open was paid or expired there: the webhooks settle
/// that order, so it is left alone.
async fn release(config: &Config, brand: &BrandContext, pending: &store::checkout::PendingCheckout, reason: &str) -> Result<(), AppError> {
    match stripe::expire_checkout_session(config, &pending.session_id, brand.stripe_account.as_deref()).await? {
        stripe::SessionExpiry::Expired => store::checkout::abandon(config, &brand.id, &pending.order_id, reason).await,
        stripe::SessionExpiry::NotOpen => Ok(()),
    }
}

/// `GET /checkout/cancel?order=&token=`: where Stripe sends a shopper who cancels. A valid
/// token (signed order id, from the cancel URL this worker gave Stripe) ends that checkout
/// at once; without one the page only says the checkout was cancelled.
pub async fn cancel_from_stripe(req: &Request, config: &Config, brand: &BrandContext) -> Result<(), AppError> {
    let token = super::query_param(req, "token").unwrap_or_default();
    let Some(order_id) = config.keys.verify(Purpose::CheckoutCancel, |key| shoal_domain::signed_id::verify(key, &cancel_scope(brand), &token)) else {
        return Ok(());
    };
    if !shoal_domain::ids::is_uuid(order_id) {
        return Ok(());
    }
    for pending in store::checkout::pending(config, &brand.id, None, Some(order_id)).await? {
        release(config, brand, &pending, "cancelled_by_shopper").await?;
    }
    Ok(())
}

/// `GET /api/v1/store/orders/{number}?email=…`: a shopper follows an order by its number
/// and the email it was placed with; a wrong pair is indistinguishable from no order.
pub async fn order_status(req: &Request, config: &Config, brand: &BrandContext, number: &str) -> Result<Response, AppError> {
    let not_found = || AppError::Refused { status: 404, code: "order_not_found".into(), detail: None };
    let number: i64 = number.parse().ok().filter(|n| *n > 0).ok_or_else(not_found)?;
    let email = super::query_param(req, "email");
    let email = email.filter(|e| !e.trim().is_empty()).ok_or_else(not_found)?;
    let order = store::checkout::order_status(config, &brand.id, number, &email).await?;
    if order.is_null() {
        return Err(not_found());
    }
    let mut resp = json_response(&order, 200);
    let _ = resp.headers_mut().set("cache-control", "no-store");
    Ok(resp)
}
