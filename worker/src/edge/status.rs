//! `GET /edge/v1/status`: one reason code with details and a recovery hint, answered even
//! to devices the rest of the API refuses (see `shoal_domain::device_status`). The device
//! may report itself in headers: `X-Shoal-Hardware-Id`, `X-Shoal-Device-Time` (RFC 3339 or
//! unix seconds) and `X-Shoal-License` (the token from `/health`).
//! `GET /edge/v1/health`: component health, a heartbeat (as the device), and a fresh
//! license token.

use chrono::DateTime;
use serde::Serialize;
use shoal_domain::config::Config;
use shoal_domain::device_license::{self, LicenseClaims};
use shoal_domain::device_status::{self, mask, Context, DeviceFacts, DeviceStatus, Probe};
use shoal_domain::keys::Purpose;
use shoal_domain::time::rfc3339;
use worker::{Date, Request, Response};

use super::admission::{lookup, Admitted, DeviceRow};
use super::db;
use crate::error::{json_ok, json_response, AppError};
use crate::clock::now;

fn header(req: &Request, name: &str) -> Option<String> {
    req.headers().get(name).ok().flatten().map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

fn device_time(raw: &str) -> Option<i64> {
    raw.parse::<i64>().ok().or_else(|| DateTime::parse_from_rfc3339(raw).ok().map(|d| d.timestamp()))
}

fn link(config: &Config, raw: Option<&str>, fallback: &str) -> String {
    match raw.unwrap_or(fallback) {
        l if l.starts_with('/') => format!("https://{}{l}", config.platform_host),
        l => l.to_owned(),
    }
}

fn facts(row: &DeviceRow) -> DeviceFacts {
    DeviceFacts {
        id: row.id.clone(),
        name: row.name.clone(),
        state: Some(row.state()),
        hardware_id: row.hardware_id.clone(),
        cert_expires_epoch: row.cert_expires_epoch,
        revoked_at: row.revoked_at.clone(),
        revoked_reason: row.revoked_reason.clone(),
        last_seen_at: row.last_seen_at.clone(),
        billing: row.billing(),
        grace_period_days: row.grace_period_days,
        locale: row.locale.clone().unwrap_or_else(|| "en".into()),
    }
}

#[derive(Serialize)]
struct StatusAnswer<'a> {
    #[serde(flatten)]
    reason: &'a DeviceStatus,
    recovery: &'static str,
    server_time: String,
}

pub async fn status(req: &Request, config: &Config) -> Result<Response, AppError> {
    let (cf, fingerprint, row) = lookup(req, config).await?;
    let now = now();
    let probe = Probe {
        hardware_id: header(req, "x-shoal-hardware-id"),
        device_time_epoch: header(req, "x-shoal-device-time").as_deref().and_then(device_time),
        license: header(req, "x-shoal-license").map(|t| device_license::verify_any(&config.keys.accepted(Purpose::DeviceLicense), &t, now)),
    };
    let cx = Context {
        now_epoch: now.timestamp(),
        expiry_warning_days: config.edge.expiry_warning_days,
        clock_drift_seconds: config.edge.clock_drift_seconds,
        renewal_url: link(config, row.as_ref().and_then(|r| r.renewal_url.as_deref()), "/admin/billing"),
        support_url: link(config, row.as_ref().and_then(|r| r.support_url.as_deref()), "/support"),
    };
    let reason = device_status::evaluate(&cf, fingerprint.as_deref(), row.as_ref().map(facts).as_ref(), &probe, &cx);
    json_ok(&StatusAnswer { reason: &reason, recovery: reason.recovery(), server_time: now.to_rfc3339() }, 200)
}

fn worst<'a>(levels: &[&'a str]) -> &'a str {
    levels.iter().copied()
        .max_by_key(|l| match *l { "critical" => 3, "warning" => 2, "unknown" => 1, _ => 0 })
        .unwrap_or("unknown")
}

pub async fn health(req: &Request, config: &Config, a: &Admitted) -> Result<Response, AppError> {
    let started = Date::now().as_millis();
    let seen: Result<Option<String>, AppError> = db::as_device(config, &a.device, "edge_heartbeat", serde_json::json!({})).await;
    let latency = Date::now().as_millis().saturating_sub(started);
    let now = now();
    let now_epoch = now.timestamp();
    let days_left = a.row.cert_expires_epoch.map(|e| (e - now_epoch) / 86_400);
    let cert_level = match days_left {
        Some(d) if d < 0 => "critical",
        Some(d) if d < config.edge.expiry_warning_days => "warning",
        Some(_) => "healthy",
        None => "unknown",
    };
    let billing = &a.billing;
    let sub_level = if billing.in_grace_period_at(now_epoch) || billing.status == "past_due" { "warning" } else { "healthy" };
    // reachable and answered: a heartbeat that touched no row (a device revoked meanwhile) is not healthy
    let db_level = if matches!(seen, Ok(Some(_))) { "healthy" } else { "critical" };
    let overall = worst(&[cert_level, sub_level, db_level]);
    let hardware_id = a.row.hardware_id.clone().unwrap_or_default();
    let claims = LicenseClaims { sub: a.device.id.clone(), brand_id: a.device.brand_id.clone(), fp: a.fingerprint.clone(),
        hardware_id: hardware_id.clone(), plan: billing.plan.clone(), subscription_status: billing.status.clone() };
    let (token, valid_until) = device_license::issue(&config.keys.signing(Purpose::DeviceLicense), claims, now, config.edge.license_hours)
        .ok_or_else(|| AppError::Internal("license signing failed".into()))?;
    // the device refreshes when the token it holds has less than a third of its life left;
    // a licence under the previous Shoal secret is replaced at once, so devices hold the new
    // key's licence (and public key) well before the overlap ends
    let held = header(req, "x-shoal-license")
        .and_then(|t| device_license::verify(&config.keys.signing(Purpose::DeviceLicense), &t, now).ok());
    let needs_refresh = held.is_none_or(|(_, exp)| exp - now_epoch < config.edge.license_hours * 3600 / 3);
    let last_seen = seen.as_ref().ok().cloned().flatten();
    let body = serde_json::json!({
        "overall": overall,
        "components": {
            "certificate": {"status": cert_level, "expires_at": a.row.cert_expires_at, "days_remaining": days_left,
                            "fingerprint": mask(&a.fingerprint), "issuer": a.row.cert_issuer},
            "subscription": {"status": sub_level, "plan": billing.plan, "state": billing.status,
                             "grace_period_ends_at": billing.grace_period_ends_at, "license": token,
                             "license_public_key": device_license::public_key_pem(&config.keys.signing(Purpose::DeviceLicense)),
                             "valid_from": now.to_rfc3339(), "valid_until": rfc3339(valid_until),
                             "needs_refresh": needs_refresh},
            "network": {"server_time": now.to_rfc3339(), "last_seen_at": last_seen},
            "database": {"status": db_level, "reachable": seen.is_ok(), "latency_ms": latency},
        },
        "device": {"id": mask(&a.device.id), "name": a.row.name, "hardware_id": mask(&hardware_id)},
    });
    Ok(json_response(&body, 200))
}
