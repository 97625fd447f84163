//! Edge devices of a brand, as staff manage them (admin API; `manage_devices`: brand and
//! super admins):
//!   POST /api/v1/admin/devices                        {"name", "store"?} → the device and its one-time code
//!   POST /api/v1/admin/devices/{id}/activation-code   a fresh code (lapsed certificate, replaced box)
//!   POST /api/v1/admin/devices/{id}/revoke            {"reason"}: refused from the next request on
//!   POST /api/v1/admin/devices/{id}/commands          {"kind", "payload"?}: delivered once
//! Activation codes are shown once, in the answer that creates them; the database keeps
//! their prefix and HMAC only.

use serde::{Deserialize, Serialize};
use shoal_domain::config::Config;
use worker::Response;

use super::Caller;
use super::{db, uuid_or};
use crate::edge::ActivationCode;
use crate::error::{json_ok, AppError};

/// Command kinds a device understands.
const COMMAND_KINDS: [&str; 5] = ["refresh_catalog", "rotate_certificate", "upload_logs", "lock_till", "update_app"];

#[derive(Debug, Serialize, Deserialize)]
pub struct NewDevice {
    pub id: String,
    pub name: String,
    pub status: String,
    pub activation_expires_at: String,
}

/// A device with the code that activates it (the only time the code is shown).
#[derive(Debug, Serialize)]
pub struct DeviceWithCode {
    #[serde(flatten)]
    pub device: NewDevice,
    pub activation_code: String,
}

#[derive(Debug, Deserialize)]
struct Revoked {
    id: String,
    status: String,
    revoked_at: String,
    revoked_reason: String,
    /// what the certificate's issuer calls it; used here, never shown
    cert_ref: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct RevokedDevice {
    pub id: String,
    pub status: String,
    pub revoked_at: String,
    pub revoked_reason: String,
    pub certificate_revoked_at_issuer: bool,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Command {
    pub id: String,
    pub kind: String,
    pub status: String,
    pub expires_at: String,
}

#[derive(Debug, Deserialize)]
pub struct CreateBody {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    store: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct RevokeBody {
    #[serde(default)]
    reason: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct CommandBody {
    #[serde(default)]
    kind: Option<String>,
    /// handed to the device as given
    #[serde(default)]
    payload: Option<serde_json::Map<String, serde_json::Value>>,
}

fn device_id(raw: &str) -> Result<&str, AppError> {
    uuid_or(raw, "device_not_found")
}

/// A new device and its one-time activation code (shown once; stored as an HMAC).
pub async fn create(config: &Config, caller: &Caller, body: CreateBody) -> Result<Response, AppError> {
    let name = body
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty() && n.chars().count() <= 120)
        .ok_or_else(|| AppError::BadRequest("missing_field", "name: 1 to 120 characters are required".into()))?;
    let code = ActivationCode::fresh()?;
    let args = serde_json::json!({"p_name": name, "p_store": body.store, "p_code_prefix": code.prefix(),
                                  "p_code_hash": code.hash(config)});
    let device: NewDevice = db::call(config, caller, "admin_create_device", args).await?;
    json_ok(&DeviceWithCode { device, activation_code: code.as_str().to_owned() }, 201)
}

/// A fresh one-time code for an existing device (lapsed certificate, replaced box).
pub async fn new_activation_code(config: &Config, caller: &Caller, id: &str) -> Result<Response, AppError> {
    let id = device_id(id)?;
    let code = ActivationCode::fresh()?;
    let args = serde_json::json!({"p_device_id": id, "p_code_prefix": code.prefix(), "p_code_hash": code.hash(config)});
    let device: NewDevice = db::call(config, caller, "admin_new_activation_code", args).await?;
    json_ok(&DeviceWithCode { device, activation_code: code.as_str().to_owned() }, 201)
}

/// The database refuses the device from now on; the issuer's revocation follows.
pub async fn revoke(config: &Config, caller: &Caller, id: &str, body: RevokeBody) -> Result<Response, AppError> {
    let id = device_id(id)?;
    let reason = body
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .ok_or_else(|| AppError::BadRequest("missing_field", "reason: required".into()))?;
    let revoked: Revoked =
        db::call(config, caller, "admin_revoke_device", serde_json::json!({"p_device_id": id, "p_reason": reason})).await?;
    let at_issuer = crate::edge::certs::revoke(config, revoked.cert_ref.as_deref().unwrap_or_default()).await;
    json_ok(
        &RevokedDevice {
            id: revoked.id,
            status: revoked.status,
            revoked_at: revoked.revoked_at,
            revoked_reason: revoked.revoked_reason,
            certificate_revoked_at_issuer: at_issuer.is_ok(),
        },
        200,
    )
}

pub async fn queue_command(config: &Config, caller: &Caller, id: &str, body: CommandBody) -> Result<Response, AppError> {
    let id = device_id(id)?;
    let kind = body
        .kind
        .as_deref()
        .filter(|k| COMMAND_KINDS.contains(k))
        .ok_or_else(|| AppError::BadRequest("invalid_kind", format!("kind: one of {}", COMMAND_KINDS.join(", "))))?;
    let args = serde_json::json!({"p_device_id": id, "p_kind": kind, "p_payload": body.payload});
    let command: Command = db::call(config, caller, "admin_queue_command", args).await?;
    json_ok(&command, 201)
}
