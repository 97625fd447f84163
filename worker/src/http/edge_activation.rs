//! `POST /edge/v1/activate {"activation_code"?, "hardware_id", "csr"}` (rate limited per IP).
//! With a code: first activation (or a replaced box) — the code is checked before anything
//! is signed, consumed when the certificate is bound. Without one: renewal by a device
//! admitted with its current certificate. The answer carries the chain; the database keeps
//! only the fingerprint, expiry, issuer and the issuer's handle for revocation.

use shoal_domain::config::Config;
use shoal_domain::device_cert::{check_csr, valid_hardware_id};
use shoal_domain::time::rfc3339;
use worker::{Env, Request, Response};

use super::edge::admit;
use super::read_json;
use crate::device_certs;
use crate::error::{json_response, AppError};
use crate::rate_limit;
use crate::store::{self, postgrest::now};

/// Activation attempts per client IP per minute (codes are 128-bit; this caps the noise).
const ACTIVATIONS_PER_MINUTE: i64 = 10;

/// A one-time activation code: 32 hex characters, the first 8 its public lookup prefix.
/// The database keeps the prefix and an HMAC of the whole code, never the code.
pub struct ActivationCode(String);

impl ActivationCode {
    pub fn fresh() -> Result<Self, AppError> {
        Ok(ActivationCode(shoal_domain::request_id::from_random(crate::random::bytes()?)))
    }

    /// A code as a device typed it, if it has the shape of one.
    fn parse(raw: &str) -> Option<Self> {
        let code = raw.trim().to_ascii_lowercase();
        (code.len() == 32 && code.bytes().all(|b| b.is_ascii_hexdigit())).then_some(ActivationCode(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn prefix(&self) -> &str {
        &self.0[..8]
    }

    pub fn hash(&self, config: &Config) -> String {
        shoal_domain::codes::hash(&config.keys.hashing(shoal_domain::keys::StoredHash::OneTimeCode), "device_activation", self.prefix(), &self.0)
    }
}

fn refused(code: &str) -> AppError {
    let status = match code {
        "activation_code_expired" => 410,
        "activation_attempts_exhausted" => 403,
        _ => 401,
    };
    AppError::Refused { status, code: code.into(), detail: None }
}

pub async fn activate(mut req: Request, env: &Env, config: &Config) -> Result<Response, AppError> {
    rate_limit::check(env, "edge_activate", &rate_limit::client_ip(&req), ACTIVATIONS_PER_MINUTE, 60).await?;
    let body = read_json(&mut req).await?;
    let hardware_id = body["hardware_id"].as_str().filter(|h| valid_hardware_id(h))
        .ok_or_else(|| AppError::BadRequest("invalid_hardware_id", "`hardware_id` is 4–128 of A-Z a-z 0-9 . _ : -".into()))?;
    let csr_pem = body["csr"].as_str().ok_or_else(|| AppError::BadRequest("missing_field", "`csr` is required".into()))?;
    let csr = check_csr(csr_pem, hardware_id).map_err(|e| AppError::BadRequest(e.code(), e.message()))?;
    let (device_id, brand_id, code_hash) = match body["activation_code"].as_str() {
        Some(raw) => {
            let code = ActivationCode::parse(raw).ok_or_else(|| refused("activation_code_invalid"))?;
            let hash = code.hash(config);
            let target = store::edge::call(config, "edge_check_activation", serde_json::json!({"p_code_prefix": code.prefix(), "p_code_hash": hash})).await?;
            if let Some(why) = target["refused"].as_str() {
                return Err(refused(why));
            }
            (target["device_id"].as_str().unwrap_or_default().to_owned(), target["brand_id"].as_str().unwrap_or_default().to_owned(), Some(hash))
        }
        // renewal: the current certificate must still admit the device
        None => match admit(&req, config).await? {
            Ok(a) => (a.device.id, a.device.brand_id, None),
            Err(refusal) => return Ok(refusal),
        },
    };
    let signed = device_certs::sign(config, &csr, csr_pem, &brand_id, now().timestamp()).await?;
    let expires_at = rfc3339(signed.not_after_epoch);
    let bound = store::edge::call(config, "edge_bind_certificate", serde_json::json!({"p_device_id": device_id,
        "p_code_hash": code_hash, "p_hardware_id": hardware_id, "p_fingerprint": signed.fingerprint, "p_cert_expires_at": expires_at,
        "p_issuer": signed.issuer, "p_cert_ref": signed.cert_ref, "p_serial": signed.serial})).await;
    let bound = match bound {
        Ok(b) => b,
        Err(e) => {
            // a certificate no device row names must not stay valid at the issuer
            let _ = device_certs::revoke(config, &signed.cert_ref).await;
            return Err(e);
        }
    };
    if let Some(previous) = bound["previous_cert_ref"].as_str().filter(|p| *p != signed.cert_ref) {
        if let Err(e) = device_certs::revoke(config, previous).await {
            worker::console_error!("revoking superseded certificate {previous}: {}", e.code());
        }
    }
    let answer = serde_json::json!({
        "device_id": bound["device_id"], "brand_id": bound["brand_id"], "certificate_chain": signed.chain_pem,
        "fingerprint_sha256": signed.fingerprint, "expires_at": expires_at, "issuer": signed.issuer,
        "renewal": code_hash.is_none(),
        // licenses from /health are ES256 under this key: the device checks them offline
        "license_public_key": shoal_domain::device_license::public_key_pem(&config.keys.signing(shoal_domain::keys::Purpose::DeviceLicense)),
    });
    Ok(json_response(&answer, 201))
}
