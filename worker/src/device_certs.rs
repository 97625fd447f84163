//! Who signs device certificates. Development: the dev CA from `scripts/dev` (pure Rust in
//! `shoal_domain::device_cert`). Production: Cloudflare's client-certificate API for the
//! edge host's zone (`POST /zones/{zone}/client_certificates {csr, validity_days}`, revoked
//! with `DELETE …/{id}`), whose Managed CA is what the zone's mTLS rule trusts.

use chrono::DateTime;
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
            let ca = DevCa::from_pem(key_pem, cert_pem).map_err(|_| AppError::Internal("EDGE_CA_KEY/EDGE_CA_CERT do not parse or match".into()))?;
            let issued = ca.issue(csr, brand_id, crate::random::bytes()?, now_epoch, config.edge.cert_days)
                .map_err(|e| AppError::Internal(format!("dev CA signing: {e:?}")))?;
            Ok(Signed { chain_pem: issued.certificate_pem, fingerprint: issued.fingerprint_sha256, not_after_epoch: issued.not_after_epoch,
                        issuer: issued.issuer, cert_ref: issued.serial_hex.clone(), serial: issued.serial_hex })
        }
        EdgeIssuer::Cloudflare { api_base, api_token, zone_id } => {
            let body = serde_json::json!({"csr": csr_pem.trim().to_owned() + "\n", "validity_days": config.edge.cert_days});
            let url = format!("{api_base}/zones/{zone_id}/client_certificates");
            let result = call(&url, Method::Post, api_token, Some(body)).await?;
            let chain_pem = result["certificate"].as_str().unwrap_or_default().to_owned();
            // our own hash of what we hand out, not the API's word for it
            let fingerprint = device_cert::fingerprint_of_pem(&chain_pem).ok_or_else(|| unavailable("the API answered no certificate"))?;
            let not_after_epoch = result["expires_on"].as_str().and_then(|s| DateTime::parse_from_rfc3339(s).ok())
                .map(|d| d.timestamp()).ok_or_else(|| unavailable("the API answered no expiry"))?;
            Ok(Signed {
                chain_pem,
                fingerprint,
                not_after_epoch,
                issuer: result["certificate_authority"]["name"].as_str().unwrap_or("Cloudflare Managed CA").to_owned(),
                cert_ref: result["id"].as_str().unwrap_or_default().to_owned(),
                serial: result["serial_number"].as_str().unwrap_or_default().to_owned(),
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
            call(&url, Method::Delete, api_token, None).await.map(|_| ())
        }
        _ => Ok(()),
    }
}

/// One Cloudflare API v4 call: `{"success", "errors", "result"}` envelopes.
async fn call(url: &str, method: Method, token: &str, body: Option<serde_json::Value>) -> Result<serde_json::Value, AppError> {
    let bearer = format!("Bearer {token}");
    let (status, text) = crate::outbound::send(method, url, &[("authorization", &bearer), ("content-type", "application/json")],
        body.map(|b| b.to_string())).await.map_err(|e| unavailable(&format!("cloudflare api: {e}")))?;
    let envelope: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    if (200..300).contains(&status) && envelope["success"].as_bool() == Some(true) {
        return Ok(envelope["result"].clone());
    }
    let first = &envelope["errors"][0];
    // 1xxx codes about the CSR are the device's to fix; anything else is ours
    if (400..500).contains(&status) && status != 401 && status != 403 && status != 429 {
        return Err(AppError::Refused { status: 422, code: "csr_refused_by_issuer".into(),
            detail: Some(first["message"].as_str().unwrap_or("refused").to_owned()) });
    }
    Err(unavailable(&format!("cloudflare api {status}: {}", first["message"].as_str().unwrap_or(""))))
}
