//! `POST /webhooks/stripe`: verify the signature over the raw bytes, then apply the event
//! in one database transaction. Duplicates and events the order state machine refuses
//! answer 200 (Stripe must stop retrying them); a database failure answers 5xx (Stripe
//! must retry).

use shoal_domain::config::Config;
use shoal_domain::stripe_signature::{self, DEFAULT_TOLERANCE_SECONDS};
use worker::{Date, Env, Request, Response};

use crate::error::{json_response, AppError};
use crate::{kv, store};

/// Stripe's events are a few KiB; anything this large is not one.
pub const MAX_BODY_BYTES: usize = 512 * 1024;

pub async fn post(mut req: Request, env: &Env, config: &Config) -> Result<Response, AppError> {
    let body = super::read_bytes(&mut req, MAX_BODY_BYTES).await?;
    let header = req.headers().get("stripe-signature").ok().flatten();
    let now = (Date::now().as_millis() / 1000) as i64;
    stripe_signature::verify(header.as_deref(), &body, &config.stripe_webhook_secrets, now, DEFAULT_TOLERANCE_SECONDS)
        .map_err(AppError::Signature)?;
    let mut event: serde_json::Value = serde_json::from_slice(&body)
        .map_err(|e| AppError::BadRequest("invalid_event", format!("the body is not JSON: {e}")))?;
    without_nul(&mut event);
    let well_formed = event["id"].is_string() && event["type"].is_string() && event["data"]["object"].is_object()
        && event["livemode"].is_boolean();
    if !well_formed {
        return Err(AppError::BadRequest("invalid_event", "not a Stripe event (id, type, livemode, data.object)".into()));
    }
    let applied = store::webhooks::apply(config, &event).await.map_err(|e| AppError::WebhookNotApplied(format!("{}: {}", e.code(), e.detail().unwrap_or("-"))))?;
    // billing changed: the next request re-reads the brand and its billing state
    kv::forget_brand_hosts(env, &applied.invalidate_hosts).await;
    Ok(json_response(
        &serde_json::json!({"received": true, "event_id": applied.event_id, "outcome": applied.outcome}),
        200,
    ))
}

/// Postgres text cannot hold NUL, and a connected account writes its objects' metadata:
/// a signed event carrying `\u0000` would fail every delivery, and Stripe disables an
/// endpoint that keeps failing. NUL characters (in keys too) become U+FFFD before the
/// event is stored; the signature was checked over the raw bytes already.
fn without_nul(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::String(s) if s.contains('\0') => *s = s.replace('\0', "\u{FFFD}"),
        Value::Array(items) => items.iter_mut().for_each(without_nul),
        Value::Object(map) => {
            if map.keys().any(|k| k.contains('\0')) {
                *map = std::mem::take(map).into_iter().map(|(k, v)| (k.replace('\0', "\u{FFFD}"), v)).collect();
            }
            map.values_mut().for_each(without_nul);
        }
        _ => {}
    }
}
