//! `POST /webhooks/stripe`: verify the signature over the raw bytes, then apply the event
//! in one database transaction. Duplicates and events the order state machine refuses
//! answer 200 (Stripe must stop retrying them); a database failure answers 5xx (Stripe
//! must retry).

use serde::Deserialize;
use shoal_domain::config::Config;
use shoal_domain::stripe_signature::{self, DEFAULT_TOLERANCE_SECONDS};
use worker::{Date, Env, Request, Response};

use crate::body::read_bytes;
use crate::error::{json_response, AppError};
use crate::kv;

use super::events;

/// What makes a body a Stripe event: `id`, `type`, `livemode` and an object in `data`.
#[derive(Deserialize)]
#[allow(dead_code)] // parsed to validate the shape; the event itself goes to the database
struct Envelope {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    livemode: bool,
    data: EnvelopeData,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct EnvelopeData {
    object: serde_json::Map<String, serde_json::Value>,
}

/// Stripe's events are a few KiB; anything this large is not one.
pub const MAX_BODY_BYTES: usize = 512 * 1024;

pub async fn post(mut req: Request, env: &Env, config: &Config) -> Result<Response, AppError> {
    let body = read_bytes(&mut req, MAX_BODY_BYTES).await?;
    let header = req.headers().get("stripe-signature").ok().flatten();
    let now = (Date::now().as_millis() / 1000) as i64;
    stripe_signature::verify(header.as_deref(), &body, &config.stripe_webhook_secrets, now, DEFAULT_TOLERANCE_SECONDS)
        .map_err(AppError::Signature)?;
    let mut event: serde_json::Value =
        serde_json::from_slice(&body).map_err(|e| AppError::BadRequest("invalid_event", format!("the body is not JSON: {e}")))?;
    without_nul(&mut event);
    // the envelope every Stripe event has; the database reads the rest
    serde_json::from_value::<Envelope>(event.clone())
        .map_err(|e| AppError::BadRequest("invalid_event", format!("not a Stripe event (id, type, livemode, data.object): {e}")))?;
    let applied = events::apply(config, &event)
        .await
        .map_err(|e| AppError::WebhookNotApplied(format!("{}: {}", e.code(), e.detail().unwrap_or("-"))))?;
    // billing changed: the next request re-reads the brand and its billing state
    kv::forget_brand_hosts(env, &applied.invalidate_hosts).await;
    Ok(json_response(&serde_json::json!({"received": true, "event_id": applied.event_id, "outcome": applied.outcome}), 200))
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
