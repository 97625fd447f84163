//! Stripe's API over the Workers fetch API: form-encoded bodies with bracketed keys,
//! Bearer secret key, a pinned API version, `Idempotency-Key` on every write, and
//! `Stripe-Account` for calls on a brand's connected account.

use shoal_domain::config::Config;
use worker::Method;

use crate::error::AppError;

/// The API version Shoal is written against (also the webhook endpoint's version).
pub const API_VERSION: &str = "2024-06-20";

pub struct StripeCall<'a> {
    pub path: &'a str,
    pub params: Vec<(String, String)>,
    pub idempotency_key: Option<String>,
    pub account: Option<&'a str>,
}

pub async fn post(config: &Config, call: StripeCall<'_>) -> Result<serde_json::Value, AppError> {
    let path = call.path;
    let (status, value) = send(config, call).await?;
    if !(200..300).contains(&status) {
        return Err(AppError::Stripe(format!("{path} answered {status}: {}", value["error"]["message"].as_str().unwrap_or("no message"))));
    }
    Ok(value)
}

/// A read (`GET path?query`, the query built by the caller) on the platform account or on
/// `account`; a non-2xx answer is `AppError::Stripe`.
pub async fn get(config: &Config, path_and_query: &str, account: Option<&str>) -> Result<serde_json::Value, AppError> {
    let call = StripeCall { path: path_and_query, params: Vec::new(), idempotency_key: None, account };
    let (status, value) = send_as(Method::Get, config, call).await?;
    if !(200..300).contains(&status) {
        let path = path_and_query.split('?').next().unwrap_or_default();
        return Err(AppError::Stripe(format!("{path} answered {status}: {}", value["error"]["message"].as_str().unwrap_or("no message"))));
    }
    Ok(value)
}

/// How Stripe answered a request to expire a Checkout Session.
#[derive(Debug, PartialEq, Eq)]
pub enum SessionExpiry {
    /// it was open and can no longer be paid
    Expired,
    /// Stripe refused: it is no longer open (paid, or expired already); the webhooks settle it
    NotOpen,
}

/// `POST /v1/checkout/sessions/{id}/expire` (no parameters), on the account that owns it.
pub async fn expire_checkout_session(config: &Config, session_id: &str, account: Option<&str>) -> Result<SessionExpiry, AppError> {
    let path = format!("/v1/checkout/sessions/{session_id}/expire");
    let call = StripeCall { path: &path, params: Vec::new(), idempotency_key: None, account };
    let (status, value) = send(config, call).await?;
    match status {
        200..=299 => Ok(SessionExpiry::Expired),
        400 if value["error"]["type"] == "invalid_request_error" => Ok(SessionExpiry::NotOpen),
        _ => Err(AppError::Stripe(format!("{path} answered {status}: {}", value["error"]["message"].as_str().unwrap_or("no message")))),
    }
}

/// One call: Stripe's status and JSON answer, whatever the status.
async fn send(config: &Config, call: StripeCall<'_>) -> Result<(u16, serde_json::Value), AppError> {
    send_as(Method::Post, config, call).await
}

async fn send_as(method: Method, config: &Config, call: StripeCall<'_>) -> Result<(u16, serde_json::Value), AppError> {
    let key = config.stripe_secret_key.as_deref().ok_or_else(|| AppError::Stripe("STRIPE_SECRET_KEY is not configured".into()))?;
    let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(call.params.iter()).finish();
    let bearer = format!("Bearer {key}");
    let mut headers =
        vec![("authorization", bearer.as_str()), ("content-type", "application/x-www-form-urlencoded"), ("stripe-version", API_VERSION)];
    if let Some(k) = &call.idempotency_key {
        headers.push(("idempotency-key", k));
    }
    if let Some(account) = call.account {
        headers.push(("stripe-account", account));
    }
    let url = format!("{}{}", config.stripe_api_base.trim_end_matches('/'), call.path);
    // a GET carries its parameters in the URL and no body
    let body = if method == Method::Get { None } else { Some(body) };
    let (status, text) = crate::outbound::send(method, &url, &headers, body)
        .await
        .map_err(|e| AppError::Stripe(format!("{} unreachable: {e}", call.path)))?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| AppError::Stripe(format!("{} answered non-JSON ({status}): {e}", call.path)))?;
    Ok((status, value))
}

/// `("a[b][0]", "v")` pairs are built by the callers; this keeps them readable.
pub fn p(key: &str, value: impl ToString) -> (String, String) {
    (key.to_owned(), value.to_string())
}
