//! `GET /edge/v1/status`: one reason code with details, a recovery hint in the brand's
//! language and whether the device recovers alone, answered even to devices the rest of
//! the API refuses (see `shoal_domain::device_status`). The device may report itself in
//! headers: `X-Shoal-Hardware-Id`, `X-Shoal-Device-Time` (RFC 3339 or unix seconds) and
//! `X-Shoal-License` (the token from `/health`).
//! `GET /edge/v1/health`: component health, a heartbeat (as the device; with the app
//! version it runs when it sends `X-Shoal-App-Version`), and a fresh license token
//! (`shoal_domain::device_health`).

use chrono::DateTime;
use shoal_domain::config::{Config, Environment};
use shoal_domain::device_health::{self, HealthFacts, LicenseGrant};
use shoal_domain::device_license::{self, LicenseClaims};
use shoal_domain::device_status::{self, Context, DeviceFacts, Probe};
use shoal_domain::keys::Purpose;
use worker::{Date, Request, Response};

use super::admission::{lookup, Admitted, DeviceRow};
use super::db;
use crate::clock::now;
use crate::error::{json_ok, AppError};

fn header(req: &Request, name: &str) -> Option<String> {
    req.headers().get(name).ok().flatten().map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

fn device_time(raw: &str) -> Option<i64> {
    raw.parse::<i64>().ok().or_else(|| DateTime::parse_from_rfc3339(raw).ok().map(|d| d.timestamp()))
}

/// A billing link made absolute on the brand's host (the pages of `link_pages` answer
/// there), or on the platform's while no device (so no brand) is known. Production is
/// https on the default port; development keeps the local stack's scheme and port.
fn link(req: &Request, config: &Config, row: Option<&DeviceRow>, raw: Option<&str>, fallback: &str) -> String {
    let path = raw.unwrap_or(fallback);
    if !path.starts_with('/') {
        return path.to_owned();
    }
    let host = row.and_then(|r| r.brand_host.as_deref()).unwrap_or(&config.platform_host);
    if config.environment == Environment::Production {
        return format!("https://{host}{path}");
    }
    let url = req.url().ok();
    let scheme = url.as_ref().map(|u| u.scheme().to_owned()).unwrap_or_else(|| "http".into());
    let port = url.and_then(|u| u.port()).map(|p| format!(":{p}")).unwrap_or_default();
    format!("{scheme}://{host}{port}{path}")
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

pub async fn status(req: &Request, config: &Config) -> Result<Response, AppError> {
    let (cf, fingerprint, row) = lookup(req, config).await?;
    let now = now();
    let probe = Probe {
        hardware_id: header(req, "x-shoal-hardware-id"),
        device_time_epoch: header(req, "x-shoal-device-time").as_deref().and_then(device_time),
        license: header(req, "x-shoal-license").map(|t| device_license::verify_any(&config.keys.accepted(Purpose::DeviceLicense), &t, now)),
    };
    let row = row.as_ref();
    let cx = Context {
        now_epoch: now.timestamp(),
        expiry_warning_days: config.edge.expiry_warning_days,
        clock_drift_seconds: config.edge.clock_drift_seconds,
        renewal_url: link(req, config, row, row.and_then(|r| r.renewal_url.as_deref()), "/admin/billing"),
        support_url: link(req, config, row, row.and_then(|r| r.support_url.as_deref()), "/support"),
    };
    let reason = device_status::evaluate(&cf, fingerprint.as_deref(), row.map(facts).as_ref(), &probe, &cx);
    // the brand's language once a device (so a brand) is known
    let locale = row.and_then(|r| r.locale.as_deref()).unwrap_or("en");
    json_ok(&device_status::answer(reason, locale, now.timestamp()), 200)
}

pub async fn health(req: &Request, config: &Config, a: &Admitted) -> Result<Response, AppError> {
    let started = Date::now().as_millis();
    // the app version it runs, when it says (`X-Shoal-App-Version`): staff see it in the device list
    let version = header(req, "x-shoal-app-version");
    let seen: Result<Option<String>, AppError> =
        db::as_device(config, &a.device, "edge_heartbeat", serde_json::json!({"p_app_version": version})).await;
    let latency = Date::now().as_millis().saturating_sub(started);
    let now = now();
    let now_epoch = now.timestamp();
    let billing = &a.billing;
    let hardware_id = a.row.hardware_id.clone().unwrap_or_default();
    let claims = LicenseClaims {
        sub: a.device.id.clone(),
        brand_id: a.device.brand_id.clone(),
        fp: a.fingerprint.clone(),
        hardware_id: hardware_id.clone(),
        plan: billing.plan.clone(),
        subscription_status: billing.status.clone(),
    };
    let (token, valid_until) = device_license::issue(&config.keys.signing(Purpose::DeviceLicense), claims, now, config.edge.license_hours)
        .ok_or_else(|| AppError::Internal("license signing failed".into()))?;
    // the device refreshes when the token it holds has less than a third of its life left;
    // a licence under the previous Shoal secret is replaced at once, so devices hold the new
    // key's licence (and public key) well before the overlap ends
    let held =
        header(req, "x-shoal-license").and_then(|t| device_license::verify(&config.keys.signing(Purpose::DeviceLicense), &t, now).ok());
    let needs_refresh = held.is_none_or(|(_, exp)| exp - now_epoch < config.edge.license_hours * 3600 / 3);
    let report = device_health::report(HealthFacts {
        now_epoch,
        expiry_warning_days: config.edge.expiry_warning_days,
        license_hours: config.edge.license_hours,
        device_id: a.device.id.clone(),
        brand_id: a.device.brand_id.clone(),
        name: a.row.name.clone(),
        hardware_id,
        fingerprint: a.fingerprint.clone(),
        cert_expires_at: a.row.cert_expires_at.clone(),
        cert_expires_epoch: a.row.cert_expires_epoch,
        cert_issuer: a.row.cert_issuer.clone(),
        billing: billing.clone(),
        // read at admission, before this heartbeat moved it
        previous_seen_at: a.row.last_seen_at.clone(),
        previous_seen_epoch: a.row.last_seen_epoch,
        database_reachable: seen.is_ok(),
        seen_at: seen.ok().flatten(),
        database_latency_ms: latency,
        license: LicenseGrant {
            token,
            public_key: device_license::public_key_pem(&config.keys.signing(Purpose::DeviceLicense)),
            valid_until_epoch: valid_until,
            needs_refresh,
        },
        server_ms: Date::now().as_millis().saturating_sub(started),
    });
    json_ok(&report, 200)
}
