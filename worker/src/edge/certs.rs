//! Who signs device certificates. Development: the dev CA from `scripts/dev` (pure Rust in
//! `shoal_domain::device_cert`). Production: Cloudflare's client-certificate API for the
//! edge host's zone (`POST /zones/{zone}/client_certificates {csr, validity_days}`, revoked
//! with `DELETE …/{id}`), whose Managed CA is what the zone's mTLS rule trusts.

use chrono::DateTime;
use serde::Deserialize;
use shoal_domain::config::Config;
use shoal_domain::device_cert::{self, CheckedCsr, DevCa};
use shoal_domain::edge_config::EdgeIssuer;
use worker::Method;

use crate::error::AppError;

/// A signed certificate and what the device row keeps of it.
pub struct Signed {
    pub chain_pem: String,
    pub fingerprint: String,
    pub not_after_epoch: i64,
    pub issuer: String,
    /// the issuer's handle for revocation: Cloudflare's certificate id, or the serial
    pub cert_ref: String,
    pub serial: String,
}

fn unavailable(why: &str) -> AppError {
    AppError::Refused { status: 503, code: "certificate_issuer_unavailable".into(), detail: Some(why.into()) }
}

/// Has a checked request signed. The dev CA writes the subject itself (`CN=<hardware id>,
/// O=<brand id>`); Cloudflare copies the request's, which `check_csr` allows to be only
/// `CN=<hardware id>`.
pub async fn sign(config: &Config, csr: &CheckedCsr, csr_pem: &str, brand_id: &str, now_epoch: i64) -> Result<Signed, AppError> {
    match &config.edge.issuer {
        EdgeIssuer::DevCa { key_pem, cert_pem } => {
            let ca = DevCa::from_pem(key_pem, cert_pem)
                .map_err(|_| AppError::Internal("EDGE_CA_KEY/EDGE_CA_CERT do not parse or match".into()))?;
            let issued = ca
                .issue(csr, brand_id, crate::random::bytes()?, now_epoch, config.edge.cert_days)
                .map_err(|e| AppError::Internal(format!("dev CA signing: {e:?}")))?;
            Ok(Signed {
                chain_pem: issued.certificate_pem,
                fingerprint: issued.fingerprint_sha256,
                not_after_epoch: issued.not_after_epoch,
                issuer: issued.issuer,
                cert_ref: issued.serial_hex.clone(),
                serial: issued.serial_hex,
            })
        }
        EdgeIssuer::Cloudflare { api_base, api_token, zone_id } => {
            let body = serde_json::json!({"csr": csr_pem.trim().to_owned() + "\n", "validity_days": config.edge.cert_days});
            let url = format!("{api_base}/zones/{zone_id}/client_certificates");
            let result: Issued =
                call(&url, Method::Post, api_token, Some(body)).await?.ok_or_else(|| unavailable("the API answered no certificate"))?;
            let chain_pem = result.certificate.unwrap_or_default();
            // our own hash of what we hand out, not the API's word for it
            let fingerprint = device_cert::fingerprint_of_pem(&chain_pem).ok_or_else(|| unavailable("the API answered no certificate"))?;
            let not_after_epoch = result
                .expires_on
                .as_deref()
                .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
                .map(|d| d.timestamp())
                .ok_or_else(|| unavailable("the API answered no expiry"))?;
            Ok(Signed {
                chain_pem,
                fingerprint,
                not_after_epoch,
                issuer: result.certificate_authority.and_then(|ca| ca.name).unwrap_or_else(|| "Cloudflare Managed CA".into()),
                cert_ref: result.id.unwrap_or_default(),
                serial: result.serial_number.unwrap_or_default(),
            })
        }
        EdgeIssuer::Unconfigured => Err(unavailable("no certificate issuer is configured")),
    }
}

/// Revokes a certificate at the issuer. The dev CA keeps no revocation list: the device
/// row (read on every request) is what refuses a revoked device there.
pub async fn revoke(config: &Config, cert_ref: &str) -> Result<(), AppError> {
    match &config.edge.issuer {
        EdgeIssuer::Cloudflare { api_base, api_token, zone_id } if !cert_ref.is_empty() => {
            let url = format!("{api_base}/zones/{zone_id}/client_certificates/{cert_ref}");
            call::<serde_json::Value>(&url, Method::Delete, api_token, None).await.map(|_| ())
        }
        _ => Ok(()),
    }
}

/// The `result` of `POST /zones/{zone}/client_certificates`.
#[derive(Deserialize)]
struct Issued {
    id: Option<String>,
    certificate: Option<String>,
    expires_on: Option<String>,
    serial_number: Option<String>,
    certificate_authority: Option<Authority>,
}

#[derive(Deserialize)]
struct Authority {
    name: Option<String>,
}

/// Cloudflare API v4's envelope: `{"success", "errors": [{"message"}], "result"}`.
#[derive(Deserialize)]
struct Envelope<T> {
    #[serde(default)]
    success: bool,
    #[serde(default)]
    errors: Vec<ApiError>,
    result: Option<T>,
}

#[derive(Deserialize)]
struct ApiError {
    #[serde(default)]
    message: String,
}

/// One Cloudflare API v4 call; its `result` when it succeeded.
async fn call<T: serde::de::DeserializeOwned>(
    url: &str,
    method: Method,
    token: &str,
    body: Option<serde_json::Value>,
) -> Result<Option<T>, AppError> {
    let bearer = format!("Bearer {token}");
    let (status, text) = crate::outbound::send(
        method,
        url,
        &[("authorization", &bearer), ("content-type", "application/json")],
        body.map(|b| b.to_string()),
    )
    .await
    .map_err(|e| unavailable(&format!("cloudflare api: {e}")))?;
    let envelope: Option<Envelope<T>> = serde_json::from_str(&text).ok();
    let first = envelope.as_ref().and_then(|e| e.errors.first()).map(|e| e.message.clone()).unwrap_or_default();
    if let Some(envelope) = envelope.filter(|e| (200..300).contains(&status) && e.success) {
        return Ok(envelope.result);
    }
    // 1xxx codes about the CSR are the device's to fix; anything else is ours
    if (400..500).contains(&status) && status != 401 && status != 403 && status != 429 {
        let message = if first.is_empty() { "refused".to_owned() } else { first };
        return Err(AppError::Refused { status: 422, code: "csr_refused_by_issuer".into(), detail: Some(message) });
    }
    Err(unavailable(&format!("cloudflare api {status}: {first}")))
}
