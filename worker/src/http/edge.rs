//! The device API on `edge.{PLATFORM_HOST}`. Cloudflare's mTLS rule verifies the client
//! certificate and hands the worker `request.cf.tlsClientAuth`; the worker never sees TLS.
//! Every request is admitted by `shoal_domain::device_auth` against the device row read
//! from the database (never KV), so a revocation applies to the very next request.
//!   POST /edge/v1/activate (no certificate yet, or the current one to renew)
//!   GET  /edge/v1/status (answers even for refused devices)   GET /edge/v1/health   GET /edge/v1/commands
//!   POST /edge/v1/sync/push   GET /edge/v1/sync/pull (see edge_sync)
//!   POST /edge/v1/commands/{id}/ack  {"success": bool, "message"}

use shoal_domain::billing::BillingState;
use shoal_domain::config::Config;
use shoal_domain::device_auth::{self, BoundDevice, DeviceState, TlsClientAuth};
use worker::wasm_bindgen::JsValue;
use worker::{Method, Request, Response};

use super::read_json;
use crate::error::{json_response, AppError};
use crate::store::{self, postgrest::now};

/// A delivered command comes back to the device only after this long without an ack.
const COMMAND_LEASE_SECONDS: i64 = 60;

/// `request.cf.tlsClientAuth`, read field by field: a missing field is None, never a panic.
fn tls_client_auth(req: &Request) -> TlsClientAuth {
    let get = |obj: &JsValue, key: &str| js_sys::Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED);
    let cf = get(req.inner(), "cf");
    let tls = if cf.is_object() { get(&cf, "tlsClientAuth") } else { JsValue::UNDEFINED };
    let field = |k: &str| if tls.is_object() { get(&tls, k).as_string() } else { None };
    TlsClientAuth {
        cert_presented: field("certPresented"),
        cert_verified: field("certVerified"),
        cert_revoked: field("certRevoked"),
        cert_fingerprint_sha256: field("certFingerprintSHA256"),
    }
}

fn refusal(r: device_auth::Refusal) -> Response {
    let details = serde_json::to_value(&r).unwrap_or_default();
    let code = details["reason"].as_str().unwrap_or("refused").to_owned();
    json_response(&serde_json::json!({"error": {"code": code, "message": "this device may not use the edge API", "details": details}}), r.status())
}

/// A device admitted by its certificate, with the row it is bound to.
pub struct Admitted {
    pub device: BoundDevice,
    pub row: serde_json::Value,
    pub fingerprint: String,
    pub billing: BillingState,
}

/// The certificate's fields and the device row bound to its fingerprint (Null when none).
pub async fn lookup(req: &Request, config: &Config) -> Result<(TlsClientAuth, Option<String>, serde_json::Value), AppError> {
    let cf = tls_client_auth(req);
    let Ok(fingerprint) = device_auth::fingerprint(&cf) else { return Ok((cf, None, serde_json::Value::Null)) };
    let row = store::edge::call(config, "edge_device_by_fingerprint", serde_json::json!({"p_fingerprint": fingerprint})).await?;
    Ok((cf, Some(fingerprint), row))
}

/// Admission of every device request but activation and status: the device, or the refusal.
pub async fn admit(req: &Request, config: &Config) -> Result<Result<Admitted, Response>, AppError> {
    let (cf, fingerprint, row) = lookup(req, config).await?;
    let now_epoch = now().timestamp();
    let billing: BillingState = serde_json::from_value(row["billing"].clone()).unwrap_or_default();
    let bound = (!row.is_null()).then(|| BoundDevice {
        id: row["id"].as_str().unwrap_or_default().to_owned(),
        brand_id: row["brand_id"].as_str().unwrap_or_default().to_owned(),
        state: device_state(&row),
        revoked_at: row["revoked_at"].as_str().map(str::to_owned),
        revoked_reason: row["revoked_reason"].as_str().map(str::to_owned),
        brand_blocked: billing.blocked_at(now_epoch),
    });
    Ok(match (device_auth::admit(&cf, bound), fingerprint) {
        (Ok(device), Some(fingerprint)) => Ok(Admitted { device, row, fingerprint, billing }),
        (Err(r), _) => Err(refusal(r)),
        (Ok(_), None) => Err(refusal(device_auth::Refusal::UnknownFingerprint)),
    })
}

pub fn device_state(row: &serde_json::Value) -> DeviceState {
    match row["status"].as_str() {
        Some("active") => DeviceState::Active,
        Some("revoked") => DeviceState::Revoked,
        _ => DeviceState::Pending,
    }
}

pub async fn handle(mut req: Request, env: &worker::Env, config: &Config) -> Result<Response, AppError> {
    let path = req.path();
    match (req.method(), path.as_str()) {
        (Method::Post, "/edge/v1/activate") => return super::edge_activation::activate(req, env, config).await,
        (Method::Get, "/edge/v1/status") => return super::edge_status::status(&req, config).await,
        _ => {}
    }
    let admitted = match admit(&req, config).await? {
        Ok(a) => a,
        Err(refused) => return Ok(refused),
    };
    let device = &admitted.device;
    match (req.method(), path.as_str()) {
        (Method::Get, "/edge/v1/health") => super::edge_status::health(&req, config, &admitted).await,
        (Method::Get, "/edge/v1/updates/latest") => super::releases::latest(&req, config).await,
        (Method::Get, p) if p.starts_with("/edge/v1/updates/") && p.ends_with("/download") => {
            let parts: Vec<&str> = p.trim_start_matches("/edge/v1/updates/").trim_end_matches("/download").split('/').collect();
            match parts.as_slice() {
                [platform, version] => super::releases::download(&req, env, config, platform, version).await,
                _ => Err(AppError::NotFound),
            }
        }
        (Method::Post, "/edge/v1/sync/push") => Ok(json_response(&super::edge_sync::push(&mut req, config, &admitted).await?, 200)),
        (Method::Get, "/edge/v1/sync/pull") => super::edge_sync::pull(&req, config, &admitted).await,
        (Method::Get, "/edge/v1/commands") => {
            let commands = store::edge::call(config, "edge_claim_commands",
                serde_json::json!({"p_device_id": device.id, "p_lease_seconds": COMMAND_LEASE_SECONDS})).await?;
            Ok(json_response(&serde_json::json!({"items": commands}), 200))
        }
        (Method::Post, p) if p.starts_with("/edge/v1/commands/") && p.ends_with("/ack") => {
            let id = p.trim_start_matches("/edge/v1/commands/").trim_end_matches("/ack");
            if !shoal_domain::ids::is_uuid(id) {
                return Err(AppError::Refused { status: 404, code: "command_not_found".into(), detail: None });
            }
            let body = read_json(&mut req).await?;
            let success = body["success"].as_bool().ok_or_else(|| AppError::BadRequest("missing_field", "`success` is a boolean".into()))?;
            let acked = store::edge::call(config, "edge_ack_command", serde_json::json!({"p_device_id": device.id, "p_command_id": id,
                "p_success": success, "p_message": body["message"]})).await?;
            Ok(json_response(&acked, 200))
        }
        _ => Err(AppError::NotFound),
    }
}
