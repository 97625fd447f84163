//! `/api/v1/admin/…` on a brand's host, for signed-in staff only (each route checks the
//! role × action table; database tokens, the service role's included, are refused). A
//! brand whose subscription is blocked gets 402 everywhere except billing, which it needs
//! to pay.

use shoal_domain::billing::BillingState;
use shoal_domain::brand::BrandContext;
use shoal_domain::config::Config;
use shoal_domain::permissions::Action;
use worker::{Method, Request, Response};

use super::read_json;
use crate::error::{json_response, AppError};
use crate::staff::{self, require, Caller};
use crate::store::{self, postgrest::now};
use crate::stripe::{self, p, StripeCall};

pub async fn handle(mut req: Request, env: &worker::Env, config: &Config, brand: &BrandContext) -> Result<Response, AppError> {
    let caller = staff::authenticate(&req, config, brand).await?;
    staff::require_mfa_if_demanded(&caller)?;
    let path = req.path();
    let rest = path.trim_start_matches("/api/v1/admin/");
    let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let base = super::origin(&req, brand);
    let billing = store::admin::billing_state(config, &brand.id).await?;
    if segments.first() != Some(&"billing") {
        refuse_if_blocked(&billing, &base)?;
    }
    match (req.method(), segments.as_slice()) {
        (Method::Get, ["orders", id]) => {
            require(&caller, Action::ReadOrders)?;
            Ok(json_response(&store::admin::order(config, &brand.id, order_id(id)?).await?, 200))
        }
        (Method::Post, ["orders", id, "transitions"]) => {
            require(&caller, Action::ManageOrders)?;
            let body: serde_json::Value = read_json(&mut req).await?;
            transition(config, brand, order_id(id)?, &body, &caller).await
        }
        (Method::Patch, ["products", slug]) => {
            require(&caller, Action::ManageCatalog)?;
            let body: serde_json::Value = read_json(&mut req).await?;
            update_product(env, config, brand, slug, &body, &caller).await
        }
        (Method::Get, ["members"]) => {
            require(&caller, Action::ManageMembers)?;
            staff::members::list(config, &caller).await
        }
        (Method::Post, ["members", "invitations"]) => {
            require(&caller, Action::ManageMembers)?;
            let body = staff::body(&mut req).await?;
            staff::invitations::invite(&req, config, brand, &caller, body).await
        }
        (Method::Get, ["invitations"]) => {
            require(&caller, Action::ManageMembers)?;
            staff::invitations::list(config, &caller).await
        }
        (Method::Delete, ["invitations", id]) => {
            require(&caller, Action::ManageMembers)?;
            staff::invitations::revoke(config, &caller, id).await
        }
        (Method::Patch, ["members", account]) => {
            require(&caller, Action::ManageMembers)?;
            let body = staff::body(&mut req).await?;
            staff::members::update(config, &caller, account, Some(body)).await
        }
        (Method::Delete, ["members", account]) => {
            require(&caller, Action::ManageMembers)?;
            staff::members::update(config, &caller, account, None).await
        }
        (Method::Get, ["domains"]) => {
            require(&caller, Action::ManageDomains)?;
            staff::domains::list(config, &caller).await
        }
        (Method::Post, ["domains"]) => {
            require(&caller, Action::ManageDomains)?;
            let body = staff::body(&mut req).await?;
            staff::domains::add(env, config, &caller, body).await
        }
        (Method::Post, ["domains", host, "verify"]) => {
            require(&caller, Action::ManageDomains)?;
            staff::domains::verify(env, config, brand, &caller, host).await
        }
        (Method::Patch, ["domains", host]) => {
            require(&caller, Action::ManageDomains)?;
            let body = staff::body(&mut req).await?;
            staff::domains::update(env, config, &caller, host, body).await
        }
        (Method::Delete, ["domains", host]) => {
            require(&caller, Action::ManageDomains)?;
            staff::domains::remove(env, config, &caller, host).await
        }
        (Method::Patch, ["settings", "security"]) => {
            require(&caller, Action::ManageMembers)?;
            let body: serde_json::Value = read_json(&mut req).await?;
            let on = body["require_mfa_for_admins"].as_bool()
                .ok_or_else(|| AppError::BadRequest("missing_field", "`require_mfa_for_admins` is a boolean".into()))?;
            let set = store::postgrest::rpc(config, shoal_domain::db_token::DbClaims::service(), "admin_set_security",
                serde_json::json!({"p_brand_id": brand.id, "p_require_mfa": on, "p_actor": caller.actor()})).await?;
            Ok(json_response(&set, 200))
        }
        (Method::Get, ["export"]) => {
            require(&caller, Action::ManageData)?;
            let data = store::admin::call(config, "admin_export", serde_json::json!({"p_brand_id": brand.id, "p_actor": caller.actor()})).await?;
            let mut resp = json_response(&data, 200);
            let _ = resp.headers_mut().set("cache-control", "no-store");
            Ok(resp)
        }
        (Method::Post, ["customers", "erase"]) => {
            require(&caller, Action::ManageData)?;
            let body: serde_json::Value = read_json(&mut req).await?;
            let email = body["email"].as_str().and_then(shoal_domain::email_address::normalize)
                .ok_or_else(|| crate::account::invalid_email("email"))?;
            let done = store::admin::call(config, "admin_erase_customer",
                serde_json::json!({"p_brand_id": brand.id, "p_email": email, "p_actor": caller.actor()})).await?;
            Ok(json_response(&done, 200))
        }
        (Method::Post, ["releases"]) => {
            super::releases::require_super_admin(&caller)?;
            super::releases::publish(req, env, config, &caller).await
        }
        (Method::Delete, ["releases", platform, version]) => {
            super::releases::require_super_admin(&caller)?;
            super::releases::yank(config, &caller, platform, version).await
        }
        (Method::Post, ["devices"]) => {
            require(&caller, Action::ManageDevices)?;
            let body = staff::body(&mut req).await?;
            staff::devices::create(config, &caller, body).await
        }
        (Method::Post, ["devices", id, "activation-code"]) => {
            require(&caller, Action::ManageDevices)?;
            staff::devices::new_activation_code(config, &caller, id).await
        }
        (Method::Post, ["devices", id, "revoke"]) => {
            require(&caller, Action::ManageDevices)?;
            let body = staff::body(&mut req).await?;
            staff::devices::revoke(config, &caller, id, body).await
        }
        (Method::Post, ["devices", id, "commands"]) => {
            require(&caller, Action::ManageDevices)?;
            let body = staff::body(&mut req).await?;
            staff::devices::queue_command(config, &caller, id, body).await
        }
        (Method::Get, ["audit-log"]) => {
            require(&caller, Action::ReadAuditLog)?;
            Ok(json_response(&super::members::audit_log(&req, config, brand).await?, 200))
        }
        (Method::Post, ["billing", "portal"]) => {
            require(&caller, Action::ManageBilling)?;
            portal(config, &billing, &base).await
        }
        (Method::Post, ["billing", "checkout"]) => {
            require(&caller, Action::ManageBilling)?;
            let body: serde_json::Value = read_json(&mut req).await?;
            subscription_checkout(config, brand, &billing, &base, &body, &caller).await
        }
        (_, ["orders", _] | ["orders", _, "transitions"] | ["billing", "portal" | "checkout"] | ["products", _]
            | ["members"] | ["members", _] | ["invitations"] | ["invitations", _] | ["audit-log"] | ["domains"] | ["domains", _] | ["domains", _, "verify"]
            | ["settings", "security"] | ["export"] | ["customers", "erase"] | ["devices"] | ["devices", _, _]
            | ["releases"] | ["releases", _, _]) => {
            Err(AppError::MethodNotAllowed)
        }
        _ => Err(AppError::NotFound),
    }
}

fn refuse_if_blocked(billing: &serde_json::Value, base: &str) -> Result<(), AppError> {
    let state: BillingState = serde_json::from_value(billing.clone()).unwrap_or_default();
    let now_epoch = now().timestamp();
    if !state.blocked_at(now_epoch) {
        return Ok(());
    }
    let renewal = billing["renewal_url"].as_str().unwrap_or("/admin/billing");
    Err(AppError::PaymentRequired(serde_json::json!({
        "code": "subscription_blocked",
        "status": state.status,
        "plan": state.plan,
        "expired_at": billing["current_period_end"],
        "grace_period_ends_at": state.grace_period_ends_at,
        "in_grace_period": state.in_grace_period_at(now_epoch),
        "renewal_url": if renewal.starts_with('/') { format!("{base}{renewal}") } else { renewal.to_owned() },
        "support_url": billing["support_url"],
    })))
}

/// Order ids are UUIDs; anything else cannot name an order.
fn order_id(raw: &str) -> Result<&str, AppError> {
    if shoal_domain::ids::is_uuid(raw) {
        Ok(raw)
    } else {
        Err(AppError::Refused { status: 404, code: "order_not_found".into(), detail: None })
    }
}

async fn transition(config: &Config, brand: &BrandContext, id: &str, body: &serde_json::Value, caller: &Caller) -> Result<Response, AppError> {
    let to = body["to"].as_str().ok_or_else(|| AppError::BadRequest("missing_field", "`to` is required".into()))?;
    let tracking = body["tracking_number"].as_str();
    if to == "cancelled" {
        refund_before_cancel(config, brand, id).await?;
    }
    let order = store::admin::transition_order(config, &brand.id, id, to, tracking, &caller.actor()).await?;
    Ok(json_response(&order, 200))
}

/// Cancelling a paid order refunds what is left through Stripe first (idempotent per
/// order); the refund's own webhook then records it. A Stripe failure leaves the order as is.
async fn refund_before_cancel(config: &Config, brand: &BrandContext, id: &str) -> Result<(), AppError> {
    let order = store::admin::order(config, &brand.id, id).await?;
    if !matches!(order["payment_status"].as_str(), Some("paid" | "partially_refunded")) {
        return Ok(());
    }
    let remaining = order["total_amount"].as_i64().unwrap_or(0) - order["amount_refunded"].as_i64().unwrap_or(0);
    let intent = order["stripe_payment_intent_id"].as_str().ok_or_else(|| AppError::Refused {
        status: 409,
        code: "no_payment_to_refund".into(),
        detail: None,
    })?;
    if remaining <= 0 {
        return Ok(());
    }
    stripe::post(config, StripeCall {
        path: "/v1/refunds",
        params: vec![
            p("payment_intent", intent),
            p("amount", remaining),
            p("reason", "requested_by_customer"),
            p("metadata[order_id]", id),
            p("metadata[brand_id]", &brand.id),
        ],
        idempotency_key: Some(format!("refund-cancel-{id}")),
        account: brand.stripe_account.as_deref(),
    })
    .await?;
    Ok(())
}

async fn portal(config: &Config, billing: &serde_json::Value, base: &str) -> Result<Response, AppError> {
    let customer = billing["stripe_customer_id"].as_str().ok_or_else(|| AppError::Refused {
        status: 409,
        code: "no_billing_customer".into(),
        detail: Some("subscribe to a plan first".into()),
    })?;
    let session = stripe::post(config, StripeCall {
        path: "/v1/billing_portal/sessions",
        params: vec![p("customer", customer), p("return_url", format!("{base}/admin/billing"))],
        idempotency_key: None,
        account: None,
    })
    .await?;
    Ok(json_response(&serde_json::json!({"url": session["url"]}), 200))
}

async fn subscription_checkout(
    config: &Config,
    brand: &BrandContext,
    billing: &serde_json::Value,
    base: &str,
    body: &serde_json::Value,
    caller: &Caller,
) -> Result<Response, AppError> {
    let plan = body["plan"].as_str().ok_or_else(|| AppError::BadRequest("missing_field", "`plan` is required".into()))?;
    let price = billing["plans"][plan]["price"].as_str().ok_or_else(|| AppError::Refused {
        status: 422,
        code: "unknown_plan".into(),
        detail: Some(plan.to_owned()),
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
        p("customer", billing_customer(config, brand, billing, caller).await?),
    ];
    let session = stripe::post(config, StripeCall { path: "/v1/checkout/sessions", params, idempotency_key: None, account: None }).await?;
    Ok(json_response(&serde_json::json!({"id": session["id"], "url": session["url"]}), 200))
}

/// The brand's Stripe customer, created (once: the Idempotency-Key is the brand's id) and
/// stored before its first subscription checkout, so billing events find the brand by an
/// id Shoal stored rather than by metadata.
async fn billing_customer(config: &Config, brand: &BrandContext, billing: &serde_json::Value, caller: &Caller) -> Result<String, AppError> {
    if let Some(customer) = billing["stripe_customer_id"].as_str() {
        return Ok(customer.to_owned());
    }
    let customer = stripe::post(config, StripeCall {
        path: "/v1/customers",
        params: vec![p("name", &brand.name), p("metadata[brand_id]", &brand.id)],
        idempotency_key: Some(format!("billing-customer-{}", brand.id)),
        account: None,
    })
    .await?;
    let id = customer["id"].as_str().ok_or_else(|| AppError::Stripe("/v1/customers answered no id".into()))?;
    store::admin::bind_billing_customer(config, &brand.id, id, &caller.actor()).await
}

/// A catalog write: the database bumps the brand's catalog version; forgetting the brand's
/// cached host entries makes the next request read that version, so every cached catalog
/// key of this brand (and only this brand) is stale at once.
async fn update_product(env: &worker::Env, config: &Config, brand: &BrandContext, slug: &str, body: &serde_json::Value, caller: &Caller) -> Result<Response, AppError> {
    if let Some(status) = body["status"].as_str() {
        if !matches!(status, "draft" | "active" | "archived") {
            return Err(AppError::BadRequest("invalid_status", "status is draft, active or archived".into()));
        }
    }
    if body["price"].as_i64().is_some_and(|p| p < 0) || (!body["price"].is_null() && body["price"].as_i64().is_none()) {
        return Err(AppError::BadRequest("invalid_price", "price is a whole number of minor units".into()));
    }
    let updated = store::admin::update_product(config, &brand.id, slug, body, &caller.actor()).await?;
    crate::kv::forget_brand_hosts(env, &updated["invalidate_hosts"]).await;
    Ok(json_response(&serde_json::json!({"slug": slug, "catalog_version": updated["catalog_version"]}), 200))
}
