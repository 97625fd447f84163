//! `POST /api/v1/store/checkout` and the storefront's checkout form: a pending order
//! created in one transaction, then a Stripe Checkout Session is created with the order id
//! as its Idempotency-Key. If Stripe fails, the order is cancelled and the stock released.
//! Unpaid checkouts hold stock briefly: the session lives the shortest time Stripe allows,
//! and a shopper's cancel link or a new checkout of the same cart expires the session at
//! Stripe and releases the stock at once.
//!
//! Every call carries the shopper's token with the cart (`DbClaims::shopper`): the
//! database acts on that cart's checkouts of that brand only. The cancel link signs the
//! order and its cart together, so it works from any browser and still names the cart.

use serde::{Deserialize, Serialize};
use shoal_domain::brand::BrandContext;
use shoal_domain::cart::application_fee;
use shoal_domain::config::Config;
use shoal_domain::db_token::DbClaims;
use shoal_domain::ids::is_uuid;
use shoal_domain::keys::Purpose;
use worker::{Env, Request, Response};

use super::cart::cart_id;
use crate::body::read_body;
use crate::error::{json_response, AppError};
use crate::rate_limit;
use crate::request::{brand_origin, query_param, Field};
use crate::stripe::{self, p, StripeCall};

/// Checkout attempts per client IP per minute.
const ATTEMPTS_PER_MINUTE: i64 = 10;

/// `POST /api/v1/store/checkout` body.
#[derive(Deserialize)]
struct CheckoutBody {
    #[serde(default)]
    email: Field<String>,
}

/// What was bought, as the order keeps it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OrderItem {
    pub title: String,
    pub sku: String,
    pub unit_amount: i64,
    pub quantity: i64,
}

/// The pending order `checkout_cart` created.
#[derive(Debug, Deserialize)]
struct NewOrder {
    id: String,
    number: i64,
    email: String,
    currency: String,
    total_amount: i64,
    /// The brand's verified primary host, for the links Stripe sends the shopper back to.
    primary_host: Option<String>,
    #[serde(default)]
    items: Vec<OrderItem>,
}

/// The part of a Stripe Checkout Session the worker uses.
#[derive(Debug, Deserialize)]
struct Session {
    id: String,
    url: Option<String>,
}

/// The answer to a checkout: where to pay.
#[derive(Debug, Serialize)]
pub struct Started {
    pub order_id: String,
    pub order_number: i64,
    pub currency: String,
    pub total_amount: i64,
    pub checkout_url: Option<String>,
}

/// An unpaid checkout whose Stripe session may still be open.
#[derive(Debug, Deserialize)]
struct PendingCheckout {
    order_id: String,
    session_id: String,
}

// ------------------------------------------------------------------------ store calls

async fn rpc(
    config: &Config,
    brand: &BrandContext,
    cart: &str,
    function: &str,
    args: serde_json::Value,
) -> Result<serde_json::Value, AppError> {
    crate::store::postgrest::rpc(config, DbClaims::shopper(&brand.id, Some(cart)), function, args).await
}

fn shape<T: serde::de::DeserializeOwned>(function: &str, value: serde_json::Value) -> Result<T, AppError> {
    serde_json::from_value(value).map_err(|e| AppError::Internal(format!("{function} returned an unexpected shape: {e}")))
}

/// The pending order with its reserved stock, within the caps of `shoal_domain::cart`.
async fn create_order(config: &Config, brand: &BrandContext, cart: &str, email: &str, client_key: &str) -> Result<NewOrder, AppError> {
    use shoal_domain::cart::{MAX_PENDING_PER_CLIENT, MAX_PENDING_PER_EMAIL, MAX_UNITS_PER_ORDER};
    let args = serde_json::json!({"p_email": email, "p_reservation_minutes": config.reservation_minutes, "p_client_key": client_key,
                                  "p_max_units": MAX_UNITS_PER_ORDER, "p_max_pending_per_email": MAX_PENDING_PER_EMAIL,
                                  "p_max_pending_per_client": MAX_PENDING_PER_CLIENT});
    shape("checkout_cart", rpc(config, brand, cart, "checkout_cart", args).await?)
}

/// The unpaid checkouts of the cart (a new checkout replaces them), or one of them (its
/// cancel link).
async fn pending(config: &Config, brand: &BrandContext, cart: &str, order_id: Option<&str>) -> Result<Vec<PendingCheckout>, AppError> {
    shape("pending_checkouts", rpc(config, brand, cart, "pending_checkouts", serde_json::json!({"p_order_id": order_id})).await?)
}

async fn attach_session(config: &Config, brand: &BrandContext, cart: &str, order_id: &str, session_id: &str) -> Result<(), AppError> {
    let args = serde_json::json!({"p_order_id": order_id, "p_session_id": session_id});
    rpc(config, brand, cart, "attach_checkout_session", args).await.map(|_| ())
}

async fn abandon(config: &Config, brand: &BrandContext, cart: &str, order_id: &str, reason: &str) -> Result<(), AppError> {
    let args = serde_json::json!({"p_order_id": order_id, "p_reason": reason});
    rpc(config, brand, cart, "abandon_checkout", args).await.map(|_| ())
}

/// Cron: cancels pending orders whose reservation ran out (no caller owns this: service role).
pub async fn expire_reservations(config: &Config) -> Result<i64, AppError> {
    let value = crate::store::postgrest::rpc(config, DbClaims::service(), "expire_reservations", serde_json::json!({})).await?;
    shape("expire_reservations", value)
}

// ------------------------------------------------------------------------ handlers

pub async fn post(mut req: Request, env: &Env, config: &Config, brand: &BrandContext) -> Result<Response, AppError> {
    let ip = rate_limit::client_ip(&req);
    let cart = cart_id(&req, config, brand);
    let body: CheckoutBody = read_body(&mut req).await?;
    let email = body.email.required("email", "a string")?;
    let started = start(env, config, brand, &ip, cart.as_deref(), Some(&email), &req).await?;
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
) -> Result<Started, AppError> {
    rate_limit::check(env, "checkout", ip, ATTEMPTS_PER_MINUTE, 60).await?;
    // before anything is written: no order, no reservation, no replaced checkout
    let account = charge_account(config, brand)?;
    let email = email
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .ok_or_else(|| AppError::BadRequest("missing_field", "`email` is required".into()))?;
    let cart = cart.ok_or_else(|| AppError::Refused { status: 422, code: "cart_empty".into(), detail: None })?;
    // a new checkout of this cart replaces the unpaid one before it
    for previous in pending(config, brand, cart, None).await? {
        if let Err(e) = release(config, brand, cart, &previous, "replaced_by_new_checkout").await {
            // the old one then runs out on its own; the shopper's new checkout goes on
            worker::console_warn!(
                "{}",
                serde_json::json!({"level": "warn", "event": "checkout_not_replaced",
                "order_id": previous.order_id, "code": e.code(), "detail": e.detail()})
            );
        }
    }
    let client = shoal_domain::cart::client_key(&config.keys.signing(Purpose::CartClient), &brand.id, ip);
    let order = create_order(config, brand, cart, email, &client).await?;
    let base = brand_origin(req, config, brand, order.primary_host.as_deref());
    match create_session(config, brand, account, cart, &order, &base).await {
        Ok(session) => {
            attach_session(config, brand, cart, &order.id, &session.id).await?;
            let NewOrder { id, number, currency, total_amount, .. } = order;
            Ok(Started { order_id: id, order_number: number, currency, total_amount, checkout_url: session.url })
        }
        Err(err) => {
            // leave no half state: the order is cancelled and its reservation released
            abandon(config, brand, cart, &order.id, "payment_provider_error").await?;
            Err(err)
        }
    }
}

/// The account the brand's checkout is charged on (`None`: the platform's own), or
/// `409 payments_not_ready` when the brand cannot take payments yet (`shoal_domain::payments`).
fn charge_account<'a>(config: &Config, brand: &'a BrandContext) -> Result<Option<&'a str>, AppError> {
    use shoal_domain::payments::{charge_on, NotReady};
    charge_on(config.payments.mode, brand.stripe_account.as_deref(), brand.charges_enabled).map_err(|why| AppError::Refused {
        status: 409,
        code: "payments_not_ready".into(),
        detail: Some(match why {
            NotReady::NoAccount => "the shop has not connected a Stripe account yet".into(),
            NotReady::ChargesDisabled => "Stripe has not enabled payments on the shop's account yet".into(),
        }),
    })
}

async fn create_session(
    config: &Config,
    brand: &BrandContext,
    account: Option<&str>,
    cart: &str,
    order: &NewOrder,
    base: &str,
) -> Result<Session, AppError> {
    let order_id = order.id.as_str();
    let currency = brand.currency.to_lowercase();
    let mut params = vec![
        p("mode", "payment"),
        p("currency", &currency),
        p("customer_email", &order.email),
        p("client_reference_id", order_id),
        p("metadata[order_id]", order_id),
        p("metadata[brand_id]", &brand.id),
        p("payment_intent_data[metadata][order_id]", order_id),
        p("payment_intent_data[metadata][brand_id]", &brand.id),
        p("success_url", format!("{base}/checkout/success?order={}", order.number)),
        // the signed order and cart let the shopper who holds this link (and nobody else) cancel
        p("cancel_url", format!("{base}/checkout/cancel?order={}&token={}", order.number, cancel_token(config, brand, order_id, cart))),
        p("expires_at", shoal_domain::cart::session_expires_at(crate::clock::now().timestamp())),
    ];
    for (i, item) in order.items.iter().enumerate() {
        params.push(p(&format!("line_items[{i}][quantity]"), item.quantity));
        params.push(p(&format!("line_items[{i}][price_data][currency]"), &currency));
        params.push(p(&format!("line_items[{i}][price_data][unit_amount]"), item.unit_amount));
        params.push(p(&format!("line_items[{i}][price_data][product_data][name]"), &item.title));
    }
    if account.is_some() {
        let fee = application_fee(order.total_amount, config.platform_fee_bps);
        params.push(p("payment_intent_data[application_fee_amount]", fee));
    }
    let session =
        stripe::post(config, StripeCall { path: "/v1/checkout/sessions", params, idempotency_key: Some(order_id.to_owned()), account })
            .await?;
    serde_json::from_value(session).map_err(|e| AppError::Stripe(format!("checkout session without an id: {e}")))
}

fn cancel_scope(brand: &BrandContext) -> String {
    format!("checkout-cancel:{}", brand.id)
}

/// `{order id}:{cart id}`, signed for this brand.
fn cancel_token(config: &Config, brand: &BrandContext, order_id: &str, cart: &str) -> String {
    shoal_domain::signed_id::sign(&config.keys.signing(Purpose::CheckoutCancel), &cancel_scope(brand), &format!("{order_id}:{cart}"))
}

/// Expires an unpaid checkout's Stripe session, then releases its stock (`abandon_checkout`).
/// A session Stripe says is no longer open was paid or expired there: the webhooks settle
/// that order, so it is left alone.
async fn release(config: &Config, brand: &BrandContext, cart: &str, pending: &PendingCheckout, reason: &str) -> Result<(), AppError> {
    match stripe::expire_checkout_session(config, &pending.session_id, brand.stripe_account.as_deref()).await? {
        stripe::SessionExpiry::Expired => abandon(config, brand, cart, &pending.order_id, reason).await,
        stripe::SessionExpiry::NotOpen => Ok(()),
    }
}

/// `GET /checkout/cancel?order=&token=`: where Stripe sends a shopper who cancels. A valid
/// token (signed order and cart ids, from the cancel URL this worker gave Stripe) ends
/// that checkout at once; without one the page only says the checkout was cancelled.
pub async fn cancel_from_stripe(req: &Request, config: &Config, brand: &BrandContext) -> Result<(), AppError> {
    let token = query_param(req, "token").unwrap_or_default();
    let Some(signed) =
        config.keys.verify(Purpose::CheckoutCancel, |key| shoal_domain::signed_id::verify(key, &cancel_scope(brand), &token))
    else {
        return Ok(());
    };
    let Some((order_id, cart)) = signed.split_once(':').filter(|(o, c)| is_uuid(o) && is_uuid(c)) else {
        return Ok(());
    };
    for pending in pending(config, brand, cart, Some(order_id)).await? {
        release(config, brand, cart, &pending, "cancelled_by_shopper").await?;
    }
    Ok(())
}
