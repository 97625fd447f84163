//! The brand's own subscription to Shoal, as its staff see it: every admin request reads
//! the billing state from the database (a blocked brand gets 402 everywhere but billing),
//! and billing managers open Stripe's portal or a subscription checkout.
//!   POST /api/v1/admin/billing/portal
//!   POST /api/v1/admin/billing/checkout   {"plan": "starter"}

use serde::{Deserialize, Serialize};
use shoal_domain::billing::BillingState;
use shoal_domain::brand::BrandContext;
use shoal_domain::config::Config;
use worker::Response;

use super::{db, Staff};
use crate::clock::now;
use crate::error::{json_ok, AppError};
use crate::stripe::{self, p, StripeCall};

/// `public.brand_billing_state()`: the brand's state plus what acting on it needs. The
/// customer id is there for billing managers only (the database's policy). The plans'
/// prices are configuration (`STRIPE_PRICES`, `config.payments`).
#[derive(Debug, Deserialize)]
pub struct Billing {
    #[serde(flatten)]
    pub state: BillingState,
    #[serde(default)]
    pub stripe_customer_id: Option<String>,
    #[serde(default)]
    pub renewal_url: Option<String>,
    #[serde(default)]
    pub support_url: Option<String>,
}

/// `POST …/billing/checkout`.
#[derive(Debug, Deserialize)]
pub struct CheckoutBody {
    pub plan: String,
}

#[derive(Debug, Deserialize, Serialize)]
struct Session {
    id: Option<String>,
    url: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Customer {
    id: Option<String>,
}

/// The caller's brand's billing state, read from the database as the caller.
pub async fn state(config: &Config, caller: &Staff) -> Result<Billing, AppError> {
    db::call(config, caller, "brand_billing_state", serde_json::json!({})).await
}

/// `GET …/billing`: the dashboard's billing screen and its banners (trial ending, past due
/// within the grace period, blocked). For billing managers (the route checks).
pub fn get(billing: &Billing) -> Result<Response, AppError> {
    let now_epoch = now().timestamp();
    let state = &billing.state;
    json_ok(
        &serde_json::json!({
            "status": state.status,
            "plan": state.plan,
            "current_period_end": state.current_period_end,
            "grace_period_ends_at": state.grace_period_ends_at,
            "in_grace_period": state.in_grace_period_at(now_epoch),
            "blocked": state.blocked_at(now_epoch),
            "has_billing_customer": billing.stripe_customer_id.is_some(),
        }),
        200,
    )
}

/// 402 with what the brand needs to renew, when its subscription is blocked.
pub fn refuse_if_blocked(billing: &Billing, base: &str) -> Result<(), AppError> {
    let now_epoch = now().timestamp();
    let state = &billing.state;
    if !state.blocked_at(now_epoch) {
        return Ok(());
    }
    let renewal = billing.renewal_url.as_deref().unwrap_or("/admin/billing");
    Err(AppError::PaymentRequired(serde_json::json!({
        "code": "subscription_blocked",
        "status": state.status,
        "plan": state.plan,
        "expired_at": state.current_period_end,
        "grace_period_ends_at": state.grace_period_ends_at,
        "in_grace_period": state.in_grace_period_at(now_epoch),
        "renewal_url": if renewal.starts_with('/') { format!("{base}{renewal}") } else { renewal.to_owned() },
        "support_url": billing.support_url.as_deref().map(|s| if s.starts_with('/') { format!("{base}{s}") } else { s.to_owned() }),
    })))
}

pub async fn portal(config: &Config, billing: &Billing, base: &str) -> Result<Response, AppError> {
    let customer = billing.stripe_customer_id.as_deref().ok_or_else(|| AppError::Refused {
        status: 409,
        code: "no_billing_customer".into(),
        detail: Some("subscribe to a plan first".into()),
    })?;
    let session = stripe::post(
        config,
        StripeCall {
            path: "/v1/billing_portal/sessions",
            params: vec![p("customer", customer), p("return_url", format!("{base}/admin/billing"))],
            idempotency_key: None,
            account: None,
        },
    )
    .await?;
    let session: Session = serde_json::from_value(session).map_err(|e| AppError::Stripe(format!("portal session: {e}")))?;
    json_ok(&serde_json::json!({"url": session.url}), 200)
}

pub async fn checkout(
    config: &Config,
    brand: &BrandContext,
    caller: &Staff,
    billing: &Billing,
    base: &str,
    body: CheckoutBody,
) -> Result<Response, AppError> {
    let plan = body.plan.as_str();
    let price = config.payments.price_for(plan).ok_or_else(|| AppError::Refused {
        status: 422,
        code: "unknown_plan".into(),
        detail: Some(plan.chars().take(40).collect()),
    })?;
    let params = vec![
        p("mode", "subscription"),
        p("line_items[0][price]", price),
        p("line_items[0][quantity]", 1),
        p("client_reference_id", &brand.id),
        p("metadata[brand_id]", &brand.id),
        p("metadata[plan]", plan),
        p("subscription_data[metadata][brand_id]", &brand.id),
        p("subscription_data[metadata][plan]", plan),
        p("success_url", format!("{base}/admin/billing?checkout=success")),
        p("cancel_url", format!("{base}/admin/billing?checkout=cancelled")),
        p("customer", customer(config, brand, caller, billing).await?),
    ];
    let session = stripe::post(config, StripeCall { path: "/v1/checkout/sessions", params, idempotency_key: None, account: None }).await?;
    let session: Session = serde_json::from_value(session).map_err(|e| AppError::Stripe(format!("checkout session: {e}")))?;
    json_ok(&session, 200)
}

/// The brand's Stripe customer, created (once: the Idempotency-Key is the brand's id) and
/// stored before its first subscription checkout, so billing events find the brand by an
/// id Shoal stored rather than by metadata. The database keeps the first one stored.
async fn customer(config: &Config, brand: &BrandContext, caller: &Staff, billing: &Billing) -> Result<String, AppError> {
    if let Some(customer) = &billing.stripe_customer_id {
        return Ok(customer.clone());
    }
    let created = stripe::post(
        config,
        StripeCall {
            path: "/v1/customers",
            params: vec![p("name", &brand.name), p("metadata[brand_id]", &brand.id)],
            idempotency_key: Some(format!("billing-customer-{}", brand.id)),
            account: None,
        },
    )
    .await?;
    let id = serde_json::from_value::<Customer>(created)
        .ok()
        .and_then(|c| c.id)
        .ok_or_else(|| AppError::Stripe("/v1/customers answered no id".into()))?;
    db::call(config, caller, "admin_bind_billing_customer", serde_json::json!({"p_customer": id})).await
}
