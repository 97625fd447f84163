//! `POST /edge/v1/activate {"activation_code"?, "hardware_id", "csr"}` (rate limited per IP).
//! With a code: first activation (or a replaced box). The caller is not identified yet, so
//! the code is checked (`edge_check_activation`) and the certificate bound
//! (`edge_bind_certificate`, consuming the code) as service role. Without one: renewal by a
//! device admitted with its current certificate, bound as that device
//! (`edge_renew_certificate`). The answer carries the chain; the database keeps only the
//! fingerprint, expiry, issuer and the issuer's handle for revocation.

use serde::{Deserialize, Serialize};
use shoal_domain::config::Config;
use shoal_domain::device_auth::BoundDevice;
use shoal_domain::device_cert::{check_csr, valid_hardware_id};
use shoal_domain::time::rfc3339;
use worker::{Env, Request, Response};

use super::admission::admit;
use super::body::Fields;
use super::certs::{self, Signed};
use super::db;
use crate::clock::now;
use crate::error::{json_ok, AppError};
use crate::rate_limit;

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
        shoal_domain::codes::hash(
            &config.keys.hashing(shoal_domain::keys::StoredHash::OneTimeCode),
            "device_activation",
            self.prefix(),
            &self.0,
        )
    }
}

/// The request body, checked: the code's shape is checked later, where a bad one is a
/// refusal (401 activation_code_invalid) like a wrong one.
struct Activate {
    activation_code: Option<String>,
    hardware_id: String,
    csr: String,
}

impl Activate {
    fn from_fields(mut f: Fields) -> Result<Self, AppError> {
        let activation_code = f.optional("activation_code", "a string")?;
        let hardware_id: String = f.required("hardware_id", "a string")?;
        if !valid_hardware_id(&hardware_id) {
            return Err(AppError::BadRequest("invalid_hardware_id", "hardware_id: 4–128 of A-Z a-z 0-9 . _ : -".into()));
        }
        let csr = f.required("csr", "a PEM certificate request")?;
        Ok(Activate { activation_code, hardware_id, csr })
    }
}

/// What `edge_check_activation` answers: the device the code names, or why not.
#[derive(Deserialize)]
#[serde(untagged)]
enum Checked {
    Refused { refused: String },
    Device { device_id: String, brand_id: String },
}

/// What binding answers (`edge_bind_certificate` and `edge_renew_certificate`).
#[derive(Deserialize)]
struct Bound {
    device_id: String,
    brand_id: String,
    previous_cert_ref: Option<String>,
}

#[derive(Serialize)]
struct Activated {
    device_id: String,
    brand_id: String,
    certificate_chain: String,
    fingerprint_sha256: String,
    expires_at: String,
    issuer: String,
    renewal: bool,
    /// licenses from /health are ES256 under this key: the device checks them offline
    license_public_key: Option<String>,
}

fn refused(code: &str) -> AppError {
    let status = match code {
        "activation_code_expired" => 410,
        "activation_attempts_exhausted" => 403,
        _ => 401,
    };
    AppError::Refused { status, code: code.into(), detail: None }
}

/// Who the certificate is for: the device a code names, or the admitted device renewing.
enum Target {
    Code { device_id: String, brand_id: String, code_hash: String },
    Renewal(BoundDevice),
}

pub async fn activate(mut req: Request, env: &Env, config: &Config) -> Result<Response, AppError> {
    rate_limit::check(env, "edge_activate", &rate_limit::client_ip(&req), ACTIVATIONS_PER_MINUTE, 60).await?;
    let body = Activate::from_fields(Fields::read(&mut req).await?)?;
    let csr = check_csr(&body.csr, &body.hardware_id).map_err(|e| AppError::BadRequest(e.code(), e.message()))?;
    let target = match body.activation_code.as_deref() {
        Some(raw) => {
            let code = ActivationCode::parse(raw).ok_or_else(|| refused("activation_code_invalid"))?;
            let code_hash = code.hash(config);
            let checked: Checked = db::as_service(
                config,
                "edge_check_activation",
                serde_json::json!({"p_code_prefix": code.prefix(), "p_code_hash": code_hash}),
            )
            .await?;
            match checked {
                Checked::Refused { refused: why } => return Err(refused(&why)),
                Checked::Device { device_id, brand_id } => Target::Code { device_id, brand_id, code_hash },
            }
        }
        // renewal: the current certificate must still admit the device
        None => match admit(&req, config).await? {
            Ok(a) => Target::Renewal(a.device),
            Err(refusal) => return Ok(refusal),
        },
    };
    let brand_id = match &target {
        Target::Code { brand_id, .. } => brand_id.clone(),
        Target::Renewal(device) => device.brand_id.clone(),
    };
    let signed = certs::sign(config, &csr, &body.csr, &brand_id, now().timestamp()).await?;
    let expires_at = rfc3339(signed.not_after_epoch);
    let bound = match bind(config, &target, &body.hardware_id, &signed, &expires_at).await {
        Ok(b) => b,
        Err(e) => {
            // a certificate no device row names must not stay valid at the issuer
            let _ = certs::revoke(config, &signed.cert_ref).await;
            return Err(e);
        }
    };
    if let Some(previous) = bound.previous_cert_ref.as_deref().filter(|p| *p != signed.cert_ref) {
        if let Err(e) = certs::revoke(config, previous).await {
            worker::console_error!("revoking superseded certificate {previous}: {}", e.code());
        }
    }
    json_ok(
        &Activated {
            device_id: bound.device_id,
            brand_id: bound.brand_id,
            certificate_chain: signed.chain_pem,
            fingerprint_sha256: signed.fingerprint,
            expires_at,
            issuer: signed.issuer,
            renewal: matches!(target, Target::Renewal(_)),
            license_public_key: shoal_domain::device_license::public_key_pem(
                &config.keys.signing(shoal_domain::keys::Purpose::DeviceLicense),
            ),
        },
        201,
    )
}

async fn bind(config: &Config, target: &Target, hardware_id: &str, signed: &Signed, expires_at: &str) -> Result<Bound, AppError> {
    let cert = serde_json::json!({"p_hardware_id": hardware_id, "p_fingerprint": signed.fingerprint, "p_cert_expires_at": expires_at,
        "p_issuer": signed.issuer, "p_cert_ref": signed.cert_ref, "p_serial": signed.serial});
    match target {
        Target::Code { device_id, code_hash, .. } => {
            let mut args = cert;
            if let Some(map) = args.as_object_mut() {
                map.insert("p_device_id".into(), device_id.as_str().into());
                map.insert("p_code_hash".into(), code_hash.as_str().into());
            }
            db::as_service(config, "edge_bind_certificate", args).await
        }
        Target::Renewal(device) => db::as_device(config, device, "edge_renew_certificate", cert).await,
    }
}
