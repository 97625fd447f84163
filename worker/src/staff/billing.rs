//! The brand's own subscription to Shoal, as its staff see it: every admin request reads
//! the billing state from the database (a blocked brand gets 402 everywhere but billing),
//! and billing managers open Stripe's portal or a subscription checkout.
//!   POST /api/v1/admin/billing/portal
//!   POST /api/v1/admin/billing/checkout   {"plan": "starter"}
//!   GET  /api/v1/admin/billing/invoices?limit=&cursor=   the brand's Stripe invoices

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

/// One of the brand's invoices as Stripe lists it (`GET /v1/invoices`), the fields the
/// billing screen shows; the links open Stripe's hosted invoice page and its PDF.
#[derive(Debug, Deserialize, Serialize)]
pub struct Invoice {
    pub id: String,
    #[serde(default)]
    pub number: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub amount_due: i64,
    #[serde(default)]
    pub amount_paid: i64,
    #[serde(default)]
    pub currency: String,
    /// Unix seconds in Stripe's answer; an RFC 3339 string in ours (the admin API's rule)
    #[serde(default)]
    pub created: serde_json::Value,
    #[serde(default)]
    pub hosted_invoice_url: Option<String>,
    #[serde(default)]
    pub invoice_pdf: Option<String>,
}

#[derive(Debug, Deserialize)]
struct InvoiceList {
    #[serde(default)]
    data: Vec<Invoice>,
    #[serde(default)]
    has_more: bool,
}

/// `GET …/billing/invoices`: the brand's invoices, newest first, from Stripe (the platform
/// account: Shoal bills the brand). None yet without a billing customer. `?limit=` 1..100,
/// `?cursor=` the previous page's `next_cursor` (Stripe's `starting_after`, wrapped).
pub async fn invoices(config: &Config, billing: &Billing, query: &[(String, String)]) -> Result<Response, AppError> {
    use shoal_domain::admin_list::{decode_cursor, encode_cursor, parse_limit, DEFAULT_LIMIT};
    let mut limit = DEFAULT_LIMIT;
    let mut after = None;
    for (key, value) in query {
        match key.as_str() {
            "limit" if !value.is_empty() => limit = parse_limit(value).map_err(super::orders_list::invalid_query)?,
            "cursor" if !value.is_empty() => {
                let id = decode_cursor(value, 1).map_err(super::orders_list::invalid_query)?.pop().unwrap_or_default();
                // only an invoice id goes back to Stripe
                if !(id.starts_with("in_") && id.len() <= 255 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')) {
                    return Err(super::orders_list::invalid_query(shoal_domain::admin_list::InvalidQuery {
                        parameter: "cursor",
                        why: "not a cursor this list gave",
                    }));
                }
                after = Some(id);
            }
            _ => {}
        }
    }
    let Some(customer) = billing.stripe_customer_id.as_deref() else {
        return json_ok(&serde_json::json!({"items": [], "next_cursor": null}), 200);
    };
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.append_pair("customer", customer).append_pair("limit", &limit.to_string());
    if let Some(after) = &after {
        query.append_pair("starting_after", after);
    }
    let listed = stripe::get(config, &format!("/v1/invoices?{}", query.finish()), None).await?;
    let mut listed: InvoiceList = serde_json::from_value(listed).map_err(|e| AppError::Stripe(format!("/v1/invoices: {e}")))?;
    for invoice in &mut listed.data {
        let rfc3339 = invoice
            .created
            .as_i64()
            .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
            .map(|t| serde_json::Value::String(t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)));
        invoice.created = rfc3339.unwrap_or(serde_json::Value::Null);
        // ISO codes are upper case everywhere else in the admin API (Stripe sends "usd")
        invoice.currency = invoice.currency.to_ascii_uppercase();
    }
    let next_cursor = if listed.has_more { listed.data.last().map(|i| encode_cursor(&[i.id.as_str()])) } else { None };
    json_ok(&serde_json::json!({"items": listed.data, "next_cursor": next_cursor}), 200)
}
