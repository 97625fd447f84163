//! The brand's devices as device managers see them (`manage_devices`, as the devices'
//! policy: brand and super admins), each with its current status reason — the reason
//! `GET /edge/v1/status` would give the device (`shoal_domain::device_status`), judged
//! from what the cloud knows (its row, certificate expiry, the brand's subscription), not
//! from what only the device can show (its clock, hardware id, license token):
//!   GET /api/v1/admin/devices
//!   GET /api/v1/admin/devices/{id}     with its latest 50 commands and their acknowledgements
//! A brand has a handful of devices: the list is one page (`next_cursor` is always null).

use serde::{Deserialize, Serialize};
use shoal_domain::billing::BillingState;
use shoal_domain::brand::BrandContext;
use shoal_domain::config::Config;
use shoal_domain::device_auth::{DeviceState, TlsClientAuth};
use shoal_domain::device_status::{self, Context, DeviceFacts, DeviceStatus, Probe};
use worker::Response;

use super::orders_list::Page;
use super::{db, uuid_or, Staff};
use crate::clock::now;
use crate::error::{json_ok, AppError};

/// A device as `public.admin_list_devices` / `admin_get_device` answer it.
#[derive(Debug, Deserialize)]
struct Row {
    id: String,
    name: String,
    store: String,
    status: String,
    last_seen_at: Option<String>,
    certificate_expires_at: Option<String>,
    cert_expires_epoch: Option<i64>,
    revoked_at: Option<String>,
    revoked_reason: Option<String>,
    app_version: Option<String>,
    created_at: String,
    #[serde(default)]
    commands: Option<Vec<Command>>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Command {
    pub id: String,
    pub kind: String,
    pub status: String,
    pub deliveries: i64,
    pub created_at: String,
    pub expires_at: String,
    pub acknowledged_at: Option<String>,
    pub result: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Device {
    pub id: String,
    pub name: String,
    pub store: String,
    pub status: String,
    /// the code of `GET /edge/v1/status`'s reason (`ok`, `certificate_expiring_soon`, …)
    pub status_reason: String,
    pub status_details: serde_json::Value,
    /// what to do about it, in the brand's language
    pub recovery: &'static str,
    pub last_seen_at: Option<String>,
    pub certificate_expires_at: Option<String>,
    pub app_version: Option<String>,
    pub revoked_at: Option<String>,
    pub revoked_reason: Option<String>,
    pub created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commands: Option<Vec<Command>>,
}

/// The reason the device would be given now. A pending device has not activated yet; any
/// other has a certificate the cloud bound, so the TLS facts are taken as presented and valid.
fn reason(row: &Row, billing: &BillingState, config: &Config, locale: &str) -> DeviceStatus {
    let state = match row.status.as_str() {
        "active" => DeviceState::Active,
        "revoked" => DeviceState::Revoked,
        _ => return DeviceStatus::FirstTimeSetup { activation_path: "/edge/v1/activate" },
    };
    let tls = TlsClientAuth {
        cert_presented: Some("1".into()),
        cert_verified: Some("SUCCESS".into()),
        cert_revoked: Some("0".into()),
        cert_fingerprint_sha256: None,
    };
    let facts = DeviceFacts {
        id: row.id.clone(),
        name: row.name.clone(),
        state: Some(state),
        hardware_id: None,
        cert_expires_epoch: row.cert_expires_epoch,
        revoked_at: row.revoked_at.clone(),
        revoked_reason: row.revoked_reason.clone(),
        last_seen_at: row.last_seen_at.clone(),
        billing: billing.clone(),
        // only named in a blocked subscription's reason, and a blocked brand's staff get 402 first
        grace_period_days: 0,
        locale: locale.to_owned(),
    };
    let cx = Context {
        now_epoch: now().timestamp(),
        expiry_warning_days: config.edge.expiry_warning_days,
        clock_drift_seconds: config.edge.clock_drift_seconds,
        renewal_url: "/admin/billing".into(),
        support_url: "/support".into(),
    };
    device_status::evaluate(&tls, Some("bound"), Some(&facts), &Probe::default(), &cx)
}

fn device(row: Row, billing: &BillingState, config: &Config, locale: &str) -> Device {
    let status = reason(&row, billing, config, locale);
    let recovery = status.recovery(locale);
    let value = serde_json::to_value(&status).unwrap_or_default();
    Device {
        status_reason: value["code"].as_str().unwrap_or("ok").to_owned(),
        status_details: value.get("details").cloned().unwrap_or_default(),
        recovery,
        id: row.id,
        name: row.name,
        store: row.store,
        status: row.status,
        last_seen_at: row.last_seen_at,
        certificate_expires_at: row.certificate_expires_at,
        app_version: row.app_version,
        revoked_at: row.revoked_at,
        revoked_reason: row.revoked_reason,
        created_at: row.created_at,
        commands: row.commands,
    }
}

pub async fn list(config: &Config, brand: &BrandContext, caller: &Staff, billing: &BillingState) -> Result<Response, AppError> {
    let rows: Vec<Row> = db::call(config, caller, "admin_list_devices", serde_json::json!({})).await?;
    let items = rows.into_iter().map(|r| device(r, billing, config, &brand.locale)).collect();
    json_ok(&Page::<Device> { items, next_cursor: None }, 200)
}

pub async fn get(config: &Config, brand: &BrandContext, caller: &Staff, billing: &BillingState, id: &str) -> Result<Response, AppError> {
    let id = uuid_or(id, "device_not_found")?;
    let row: Option<Row> = db::call(config, caller, "admin_get_device", serde_json::json!({"p_device_id": id})).await?;
    let row = row.ok_or_else(|| AppError::Refused { status: 404, code: "device_not_found".into(), detail: None })?;
    json_ok(&device(row, billing, config, &brand.locale), 200)
}
