//! Stripe event fixtures in Stripe's real event shape (API version pinned below), signed
//! the way Stripe signs them, and delivered to the worker's webhook endpoint.

use crate::{send, sql, unique, Reply};
use serde_json::{json, Value};

/// The API version the fixtures follow (the webhook endpoint's pinned version).
pub const API_VERSION: &str = "2024-06-20";

pub fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or_default()
}

/// The secrets the test stack's worker accepts (scripts/test sets two: current, previous).
pub fn secrets() -> Vec<String> {
    std::env::var("STRIPE_WEBHOOK_SECRETS")
        .unwrap_or_else(|_| "whsec_shoal_local_development_only".into())
        .split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

pub fn secret() -> String {
    secrets().into_iter().next().unwrap_or_default()
}

/// The same event as a connected account's (Connect endpoints get `account`).
pub fn from_account(mut event: Value, account: &str) -> Value {
    event["account"] = json!(account);
    event
}

/// A brand's billing as Shoal leaves it after creating its Stripe customer (the admin
/// billing checkout does this through Stripe): a fresh subscription id and the customer.
pub fn billing_customer(brand: &str) -> (String, String) {
    let (sub, customer) = (unique("sub_"), unique("cus_"));
    sql(&format!(
        "insert into public.brand_subscriptions (brand_id, stripe_customer_id, status) values ('{brand}', '{customer}', 'incomplete')"
    ));
    (sub, customer)
}

/// An event envelope as Stripe sends it.
pub fn event(kind: &str, object: Value) -> Value {
    json!({
        "id": unique("evt_"),
        "object": "event",
        "api_version": API_VERSION,
        "created": now(),
        "livemode": false,
        "pending_webhooks": 1,
        "request": {"id": null, "idempotency_key": null},
        "type": kind,
        "data": {"object": object},
    })
}

pub fn signature_header(secret: &str, t: i64, body: &str) -> String {
    format!("t={t},v1={}", shoal_domain::stripe_signature::sign(secret, t, body.as_bytes()))
}

pub fn post_raw(body: &str, signature: Option<&str>) -> Reply {
    let mut headers = vec![("content-type", "application/json; charset=utf-8")];
    if let Some(sig) = signature {
        headers.push(("stripe-signature", sig));
    }
    send("POST", "localhost", "/webhooks/stripe", &headers, Some(body.to_owned()))
}

/// Delivers an event signed with the current secret, as Stripe would.
pub fn deliver(event: &Value) -> Reply {
    let body = event.to_string();
    post_raw(&body, Some(&signature_header(&secret(), now(), &body)))
}

/// A pending order of `brand` for `total` minor units, as checkout leaves it.
pub fn pending_order(brand: &str, total: i64, currency: &str) -> String {
    sql(&format!(
        "insert into public.orders (brand_id, email, currency, total_amount)
         values ('{brand}', 'shopper+{}@example.com', '{currency}', {total}) returning id",
        unique("")
    ))
}

#[derive(Debug, PartialEq)]
pub struct OrderState {
    pub status: String,
    pub payment_status: String,
    pub amount_refunded: i64,
    pub needs_review: bool,
}

pub fn order_state(order_id: &str) -> OrderState {
    let row = sql(&format!("select status, payment_status, amount_refunded, needs_review from public.orders where id = '{order_id}'"));
    let f: Vec<&str> = row.split('|').collect();
    OrderState {
        status: f.first().copied().unwrap_or_default().to_owned(),
        payment_status: f.get(1).copied().unwrap_or_default().to_owned(),
        amount_refunded: f.get(2).and_then(|v| v.parse().ok()).unwrap_or(-1),
        needs_review: f.get(3).copied() == Some("t"),
    }
}

/// A Checkout Session for the order, with its id stored on the order as checkout stores it
/// (events find orders by the ids Shoal stored, never by metadata alone).
pub fn checkout_session(order_id: &str, brand: &str, amount: i64, currency: &str, payment_status: &str) -> Value {
    let id = unique("cs_test_");
    sql(&format!("update public.orders set stripe_checkout_session_id = '{id}' where id = '{order_id}'"));
    json!({
        "id": id,
        "object": "checkout.session",
        "mode": "payment",
        "status": "complete",
        "payment_status": payment_status,
        "amount_total": amount,
        "currency": currency.to_lowercase(),
        "client_reference_id": order_id,
        "payment_intent": unique("pi_"),
        "metadata": {"order_id": order_id, "brand_id": brand},
        "livemode": false,
    })
}

pub fn charge(order_id: &str, payment_intent: &str, amount: i64, refunded: i64, currency: &str) -> Value {
    json!({
        "id": unique("ch_"),
        "object": "charge",
        "amount": amount,
        "amount_captured": amount,
        "amount_refunded": refunded,
        "currency": currency.to_lowercase(),
        "paid": true,
        "captured": true,
        "refunded": refunded >= amount,
        "payment_intent": payment_intent,
        "metadata": {"order_id": order_id},
        "refunds": {"object": "list", "data": [
            {"id": unique("re_"), "object": "refund", "amount": refunded, "currency": currency.to_lowercase(), "status": "succeeded"}
        ]},
    })
}

/// A dispute of the charge paid by `payment_intent` (its charge id as yet unknown to Shoal).
pub fn dispute(payment_intent: &str, amount: i64, currency: &str) -> Value {
    json!({"id": unique("dp_"), "object": "dispute", "amount": amount, "currency": currency.to_lowercase(),
           "payment_intent": payment_intent, "charge": unique("ch_"), "status": "needs_response", "reason": "fraudulent"})
}
