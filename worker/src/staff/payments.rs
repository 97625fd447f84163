//! The brand's Stripe connected account: where its shop's payments go (admin API,
//! `manage_payments`: brand admins, and super admins acting on the brand).
//!   GET  /api/v1/admin/payments           → the account's state
//!   POST /api/v1/admin/payments/connect   → {"url"} of Stripe's onboarding for it
//! Connecting creates the account once (`POST /v1/accounts`, Idempotency-Key
//! `connect-account-{brand}`), stores it through the database as the staff member (the
//! first one stored wins), and answers a fresh Account Link each time: links are single
//! use and short-lived. Whether charges are enabled comes from Stripe's `account.updated`
//! events only (`billing::events`), never from the return URL, which anyone can open.
//!
//! Accounts are created with controller properties, not `type=standard|express`: Stripe
//! recommends them for new platforms. The brand gets the full Stripe Dashboard, pays
//! Stripe's fees and carries its own losses (Stripe collects the requirements), which is
//! what direct charges with an application fee (the checkout) are meant for.

use serde::{Deserialize, Serialize};
use shoal_domain::brand::BrandContext;
use shoal_domain::config::Config;
use shoal_domain::payments::{account_state, AccountState};
use worker::{Env, Request, Response};

use super::{db, Staff};
use crate::error::{json_ok, AppError};
use crate::kv;
use crate::request::brand_origin;
use crate::stripe::{self, p, StripeCall};

/// Where Stripe sends the admin back (return) or when a link expired or was used (refresh).
pub const RETURN_PATH: &str = "/admin/payments/return";
pub const REFRESH_PATH: &str = "/admin/payments/refresh";

/// `public.admin_payment_account()`.
#[derive(Debug, Deserialize)]
struct Stored {
    stripe_account: Option<String>,
    #[serde(default)]
    charges_enabled: bool,
    #[serde(default)]
    payouts_enabled: bool,
    #[serde(default)]
    details_submitted: bool,
    #[serde(default)]
    requirements_due: Vec<String>,
    disabled_reason: Option<String>,
    updated_at: Option<String>,
    primary_host: Option<String>,
}

/// The answer of `GET …/payments`.
#[derive(Debug, Serialize)]
struct Payments<'a> {
    state: AccountState,
    stripe_account: Option<&'a str>,
    charges_enabled: bool,
    payouts_enabled: bool,
    details_submitted: bool,
    requirements_due: &'a [String],
    disabled_reason: Option<&'a str>,
    updated_at: Option<&'a str>,
}

/// `public.admin_bind_payment_account(p_account)`.
#[derive(Debug, Deserialize)]
struct Bound {
    stripe_account: String,
    #[serde(default)]
    hosts: serde_json::Value,
}

#[derive(Debug, Deserialize)]
struct Created {
    id: String,
}

#[derive(Debug, Deserialize, Serialize)]
struct AccountLink {
    url: String,
    #[serde(default)]
    expires_at: Option<i64>,
}

async fn stored(config: &Config, caller: &Staff) -> Result<Stored, AppError> {
    db::call(config, caller, "admin_payment_account", serde_json::json!({})).await
}

pub async fn get(config: &Config, caller: &Staff) -> Result<Response, AppError> {
    let s = stored(config, caller).await?;
    let state = account_state(s.stripe_account.is_some(), s.charges_enabled, s.details_submitted, s.disabled_reason.as_deref());
    json_ok(
        &Payments {
            state,
            stripe_account: s.stripe_account.as_deref(),
            charges_enabled: s.charges_enabled,
            payouts_enabled: s.payouts_enabled,
            details_submitted: s.details_submitted,
            requirements_due: &s.requirements_due,
            disabled_reason: s.disabled_reason.as_deref(),
            updated_at: s.updated_at.as_deref(),
        },
        200,
    )
}

pub async fn connect(req: &Request, env: &Env, config: &Config, brand: &BrandContext, caller: &Staff) -> Result<Response, AppError> {
    let s = stored(config, caller).await?;
    let account = match s.stripe_account {
        Some(account) => account,
        None => {
            let created = create_account(config, brand).await?;
            let bound: Bound = db::call(config, caller, "admin_bind_payment_account", serde_json::json!({"p_account": created})).await?;
            // cached brand configs now lack the account: the next request reads it
            kv::forget_brand_hosts(env, &bound.hosts).await;
            bound.stripe_account
        }
    };
    let base = brand_origin(req, config, brand, s.primary_host.as_deref());
    let link = stripe::post(
        config,
        StripeCall {
            path: "/v1/account_links",
            params: vec![
                p("account", &account),
                p("type", "account_onboarding"),
                p("return_url", format!("{base}{RETURN_PATH}")),
                p("refresh_url", format!("{base}{REFRESH_PATH}")),
            ],
            idempotency_key: None,
            account: None,
        },
    )
    .await?;
    let link: AccountLink =
        serde_json::from_value(link).map_err(|e| AppError::Stripe(format!("/v1/account_links answered no url: {e}")))?;
    json_ok(&link, 200)
}

/// `POST /v1/accounts` on the platform: one per brand, whatever retries or concurrent
/// admins do (Stripe replays the first answer for the brand's Idempotency-Key).
async fn create_account(config: &Config, brand: &BrandContext) -> Result<String, AppError> {
    let created = stripe::post(
        config,
        StripeCall {
            path: "/v1/accounts",
            params: vec![
                p("controller[stripe_dashboard][type]", "full"),
                p("controller[fees][payer]", "account"),
                p("controller[losses][payments]", "stripe"),
                p("controller[requirement_collection]", "stripe"),
                p("capabilities[card_payments][requested]", "true"),
                p("capabilities[transfers][requested]", "true"),
                p("default_currency", brand.currency.to_lowercase()),
                p("business_profile[name]", &brand.name),
                p("metadata[brand_id]", &brand.id),
            ],
            idempotency_key: Some(format!("connect-account-{}", brand.id)),
            account: None,
        },
    )
    .await?;
    serde_json::from_value::<Created>(created).map(|c| c.id).map_err(|e| AppError::Stripe(format!("/v1/accounts answered no id: {e}")))
}
