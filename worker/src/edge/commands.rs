//! Commands from the cloud (queued by staff), delivered to their device once.
//!   GET  /edge/v1/commands                  → {"items": [{id, kind, payload, created_at, lease_until}]}
//!   POST /edge/v1/commands/{id}/ack  {"success": bool, "message"?: string ≤ 2000}
//! Both run as the device: another device's command, of any brand, reads as not found.

use serde::{Deserialize, Serialize};
use shoal_domain::config::Config;
use worker::{Request, Response};

use super::admission::Admitted;
use super::body::{invalid, Fields};
use super::db;
use crate::error::{json_ok, AppError};

/// A delivered command comes back to the device only after this long without an ack.
const COMMAND_LEASE_SECONDS: i64 = 60;
/// The longest result message a device may send with an ack.
const MAX_MESSAGE_CHARS: usize = 2000;

#[derive(Debug, Serialize, Deserialize)]
pub struct Command {
    pub id: String,
    pub kind: String,
    pub payload: serde_json::Value,
    pub created_at: String,
    pub lease_until: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Acked {
    pub id: String,
    pub status: String,
}

#[derive(Serialize)]
struct Items {
    items: Vec<Command>,
}

/// The body of an ack.
pub struct Ack {
    pub success: bool,
    pub message: Option<String>,
}

impl Ack {
    pub fn from_fields(mut f: Fields) -> Result<Self, AppError> {
        let success = f.required("success", "true or false")?;
        let message: Option<String> = f.optional("message", "a string")?;
        if message.as_ref().is_some_and(|m| m.chars().count() > MAX_MESSAGE_CHARS) {
            return Err(invalid("message", &format!("at most {MAX_MESSAGE_CHARS} characters")));
        }
        Ok(Ack { success, message })
    }
}

fn not_found() -> AppError {
    AppError::Refused { status: 404, code: "command_not_found".into(), detail: None }
}

pub async fn list(config: &Config, a: &Admitted) -> Result<Response, AppError> {
    let items: Vec<Command> =
        db::as_device(config, &a.device, "edge_claim_commands", serde_json::json!({"p_lease_seconds": COMMAND_LEASE_SECONDS})).await?;
    json_ok(&Items { items }, 200)
}

pub async fn ack(req: &mut Request, config: &Config, a: &Admitted, id: &str) -> Result<Response, AppError> {
    if !shoal_domain::ids::is_uuid(id) {
        return Err(not_found());
    }
    let body = Ack::from_fields(Fields::read(req).await?)?;
    let acked: Acked = db::as_device(
        config,
        &a.device,
        "edge_ack_command",
        serde_json::json!({"p_command_id": id, "p_success": body.success, "p_message": body.message}),
    )
    .await?;
    json_ok(&acked, 200)
}
