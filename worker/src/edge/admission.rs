//! Who is calling. Cloudflare's mTLS rule verifies the client certificate and hands the
//! worker `request.cf.tlsClientAuth`; the worker never sees TLS. The device bound to the
//! certificate's fingerprint is read from the database on every request (never from KV),
//! so a revocation applies to the very next one, and `shoal_domain::device_auth` decides.
//! The lookup runs as service role: until it answers, no device is identified.

use serde::Deserialize;
use shoal_domain::billing::BillingState;
use shoal_domain::config::Config;
use shoal_domain::device_auth::{self, BoundDevice, DeviceState, TlsClientAuth};
use worker::wasm_bindgen::JsValue;
use worker::{Request, Response};

use super::db;
use crate::clock::now;
use crate::error::{json_response, AppError};

/// The device row bound to a fingerprint (`edge_device_by_fingerprint`), with what status
/// and health report about its brand.
#[derive(Debug, Clone, Deserialize)]
pub struct DeviceRow {
    pub id: String,
    pub brand_id: String,
    pub status: String,
    pub name: String,
    pub revoked_at: Option<String>,
    pub revoked_reason: Option<String>,
    pub hardware_id: Option<String>,
    pub cert_expires_at: Option<String>,
    pub cert_expires_epoch: Option<i64>,
    pub cert_issuer: Option<String>,
    pub last_seen_at: Option<String>,
    pub last_seen_epoch: Option<i64>,
    pub locale: Option<String>,
    pub billing: Option<BillingState>,
    #[serde(default)]
    pub grace_period_days: i64,
    pub renewal_url: Option<String>,
    pub support_url: Option<String>,
    /// the brand's primary (else oldest) verified host, where those links lead
    pub brand_host: Option<String>,
}

impl DeviceRow {
    pub fn state(&self) -> DeviceState {
        match self.status.as_str() {
            "active" => DeviceState::Active,
            "revoked" => DeviceState::Revoked,
            _ => DeviceState::Pending,
        }
    }

    pub fn billing(&self) -> BillingState {
        self.billing.clone().unwrap_or_default()
    }
}

/// A device admitted by its certificate, with the row it is bound to.
pub struct Admitted {
    pub device: BoundDevice,
    pub row: DeviceRow,
    pub fingerprint: String,
    pub billing: BillingState,
}

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

/// The refusal as the device reads it: the reason as the code, its fields as details.
fn refusal(r: device_auth::Refusal) -> Response {
    let details = serde_json::to_value(&r).unwrap_or_default();
    json_response(
        &serde_json::json!({"error": {"code": r.code(), "message": "this device may not use the edge API", "details": details}}),
        r.status(),
    )
}

/// The certificate's fields, its fingerprint when it has one, and the device row bound to it.
pub async fn lookup(req: &Request, config: &Config) -> Result<(TlsClientAuth, Option<String>, Option<DeviceRow>), AppError> {
    let cf = tls_client_auth(req);
    let Ok(fingerprint) = device_auth::fingerprint(&cf) else { return Ok((cf, None, None)) };
    let row = db::as_service(config, "edge_device_by_fingerprint", serde_json::json!({"p_fingerprint": fingerprint})).await?;
    Ok((cf, Some(fingerprint), row))
}

/// Admission of every device request but activation by code and status: the device, or the
/// refusal to answer.
pub async fn admit(req: &Request, config: &Config) -> Result<Result<Admitted, Response>, AppError> {
    let (cf, fingerprint, row) = lookup(req, config).await?;
    let now_epoch = now().timestamp();
    let billing = row.as_ref().map(DeviceRow::billing).unwrap_or_default();
    let bound = row.as_ref().map(|r| BoundDevice {
        id: r.id.clone(),
        brand_id: r.brand_id.clone(),
        state: r.state(),
        revoked_at: r.revoked_at.clone(),
        revoked_reason: r.revoked_reason.clone(),
        brand_blocked: billing.blocked_at(now_epoch),
    });
    Ok(match (device_auth::admit(&cf, bound), fingerprint, row) {
        (Ok(device), Some(fingerprint), Some(row)) => Ok(Admitted { device, row, fingerprint, billing }),
        (Err(r), _, _) => Err(refusal(r)),
        (Ok(_), _, _) => Err(refusal(device_auth::Refusal::UnknownFingerprint)),
    })
}
