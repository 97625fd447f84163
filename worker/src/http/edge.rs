//! The device API on `edge.{PLATFORM_HOST}`. Cloudflare's mTLS rule verifies the client
//! certificate and hands the worker `request.cf.tlsClientAuth`; the worker never sees TLS.
//! Every request is admitted by `shoal_domain::device_auth` against the device row read
//! from the database (never KV), so a revocation applies to the very next request.
//!   GET  /edge/v1/status   GET /edge/v1/health   GET /edge/v1/commands
//!   POST /edge/v1/commands/{id}/ack  {"success": bool, "message"}

use shoal_domain::billing::BillingState;
use shoal_domain::config::Config;
use shoal_domain::device_auth::{self, BoundDevice, DeviceState, TlsClientAuth};
use worker::wasm_bindgen::JsValue;
use worker::{Date, Method, Request, Response};

use super::read_json;
use crate::error::{json_response, AppError};
use crate::store::{self, postgrest::now};

/// A delivered command comes back to the device only after this long without an ack.
const COMMAND_LEASE_SECONDS: i64 = 60;
/// Certificates closer than this to expiry make the status a warning.
const EXPIRY_WARNING_DAYS: i64 = 30;

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

pub async fn handle(mut req: Request, env: &worker::Env, config: &Config) -> Result<Response, AppError> {
    let cf = tls_client_auth(&req);
    let fingerprint = match device_auth::fingerprint(&cf) {
        Ok(fp) => fp,
        Err(r) => return Ok(refusal(r)),
    };
    let row = store::edge::call(config, "edge_device_by_fingerprint", serde_json::json!({"p_fingerprint": fingerprint})).await?;
    let now_epoch = now().timestamp();
    let billing: BillingState = serde_json::from_value(row["billing"].clone()).unwrap_or_default();
    let bound = (!row.is_null()).then(|| BoundDevice {
        id: row["id"].as_str().unwrap_or_default().to_owned(),
        brand_id: row["brand_id"].as_str().unwrap_or_default().to_owned(),
        state: match row["status"].as_str() {
            Some("active") => DeviceState::Active,
            Some("revoked") => DeviceState::Revoked,
            _ => DeviceState::Pending,
        },
        revoked_at: row["revoked_at"].as_str().map(str::to_owned),
        revoked_reason: row["revoked_reason"].as_str().map(str::to_owned),
        brand_blocked: billing.blocked_at(now_epoch),
    });
    let device = match device_auth::admit(&cf, bound) {
        Ok(d) => d,
        Err(r) => return Ok(refusal(r)),
    };
    let path = req.path();
    match (req.method(), path.as_str()) {
        (Method::Get, "/edge/v1/status") => Ok(json_response(&status(&row, now_epoch), 200)),
        (Method::Get, "/edge/v1/health") => health(config, &device, &row, &fingerprint, &billing, now_epoch).await,
        (Method::Get, "/edge/v1/updates/latest") => super::releases::latest(&req, config).await,
        (Method::Get, p) if p.starts_with("/edge/v1/updates/") && p.ends_with("/download") => {
            let parts: Vec<&str> = p.trim_start_matches("/edge/v1/updates/").trim_end_matches("/download").split('/').collect();
            match parts.as_slice() {
                [platform, version] => super::releases::download(&req, env, config, platform, version).await,
                _ => Err(AppError::NotFound),
            }
        }
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

/// The device's state as `{"code", "details"}`, the shape documented in docs/edge-api.md.
fn status(row: &serde_json::Value, now_epoch: i64) -> serde_json::Value {
    match row["cert_expires_epoch"].as_i64() {
        Some(exp) if exp <= now_epoch => serde_json::json!({"code": "certificate_expired", "details": {
            "expired_at": row["cert_expires_at"], "days_overdue": (now_epoch - exp + 86_399) / 86_400},
            "recovery": "ask the shop's admin to re-activate this device"}),
        Some(exp) if exp - now_epoch < EXPIRY_WARNING_DAYS * 86_400 => serde_json::json!({"code": "certificate_expiring_soon", "details": {
            "expires_at": row["cert_expires_at"], "days_remaining": (exp - now_epoch) / 86_400, "threshold_days": EXPIRY_WARNING_DAYS},
            "recovery": "renew the certificate by re-activating before it expires"}),
        _ => serde_json::json!({"code": "ok", "details": {"device_id": row["id"], "name": row["name"]}}),
    }
}

fn mask(s: &str) -> String {
    let n = s.chars().count();
    if n <= 8 { "*".repeat(n) } else { format!("{}…{}", &s[..4], &s[s.len() - 4..]) }
}

async fn health(config: &Config, device: &BoundDevice, row: &serde_json::Value, fp: &str, billing: &BillingState, now_epoch: i64) -> Result<Response, AppError> {
    let started = Date::now().as_millis();
    let seen = store::edge::call(config, "edge_heartbeat", serde_json::json!({"p_device_id": device.id})).await;
    let latency = Date::now().as_millis().saturating_sub(started);
    let days_left = row["cert_expires_epoch"].as_i64().map(|e| (e - now_epoch) / 86_400);
    let cert_level = match days_left {
        Some(d) if d < 0 => "critical",
        Some(d) if d < EXPIRY_WARNING_DAYS => "warning",
        Some(_) => "healthy",
        None => "unknown",
    };
    let sub_level = if billing.in_grace_period_at(now_epoch) || billing.status == "past_due" { "warning" } else { "healthy" };
    let db_level = if seen.is_ok() { "healthy" } else { "critical" };
    let overall = [cert_level, sub_level, db_level]
        .into_iter()
        .max_by_key(|l| match *l { "critical" => 3, "warning" => 2, "unknown" => 1, _ => 0 })
        .unwrap_or("unknown");
    let body = serde_json::json!({
        "overall": overall,
        "components": {
            "certificate": {"status": cert_level, "expires_at": row["cert_expires_at"], "days_remaining": days_left,
                            "fingerprint": mask(fp), "issuer": row["cert_issuer"]},
            "subscription": {"status": sub_level, "plan": billing.plan, "state": billing.status,
                             "grace_period_ends_at": billing.grace_period_ends_at},
            "network": {"server_time": now().to_rfc3339(), "last_seen_at": seen.as_ref().ok()},
            "database": {"status": db_level, "reachable": seen.is_ok(), "latency_ms": latency},
        },
        "device": {"id": mask(&device.id), "hardware_id": row["hardware_id"].as_str().map(mask)},
    });
    Ok(json_response(&body, 200))
}
