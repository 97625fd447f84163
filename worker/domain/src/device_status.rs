//! What `GET /edge/v1/status` tells a device about itself: one reason, machine-readable,
//! with details and a recovery hint. It answers even when the device would be refused
//! elsewhere (that is when it needs to know why). The first reason in this order wins:
//! setup → certificate → binding → revocation → expiry → hardware → clock → token →
//! subscription → expiring soon → ok. Serialised as `{"code": "...", "details": {...}}`.

use serde::Serialize;

use crate::billing::BillingState;
use crate::device_auth::{DeviceState, TlsClientAuth};
use crate::device_license::{LicenseClaims, LicenseError};
use crate::time::rfc3339;

/// The device row bound to the presented certificate's fingerprint.
#[derive(Debug, Clone, Default)]
pub struct DeviceFacts {
    pub id: String,
    pub name: String,
    pub state: Option<DeviceState>,
    pub hardware_id: Option<String>,
    pub cert_expires_epoch: Option<i64>,
    pub revoked_at: Option<String>,
    pub revoked_reason: Option<String>,
    pub last_seen_at: Option<String>,
    pub billing: BillingState,
    pub grace_period_days: i64,
    pub locale: String,
}

/// What the device says about itself on this request.
#[derive(Debug, Clone, Default)]
pub struct Probe {
    pub hardware_id: Option<String>,
    pub device_time_epoch: Option<i64>,
    pub license: Option<Result<(LicenseClaims, i64), LicenseError>>,
}

#[derive(Debug, Clone)]
pub struct Context {
    pub now_epoch: i64,
    pub expiry_warning_days: i64,
    pub clock_drift_seconds: i64,
    pub renewal_url: String,
    pub support_url: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "code", content = "details", rename_all = "snake_case")]
pub enum DeviceStatus {
    Ok { device_id: String, name: String, expires_at: Option<String>, days_remaining: Option<i64> },
    FirstTimeSetup { activation_path: &'static str },
    CertificateInvalid { reason: String },
    BindingInvalid { reason: &'static str },
    Revoked { source: &'static str, revoked_at: Option<String>, reason: Option<String> },
    CertificateExpired { expired_at: String, days_overdue: i64 },
    DeviceMismatch { bound_hardware_id: String, reported_hardware_id: String },
    ClockTampering { direction: &'static str, drift_seconds: i64, threshold_seconds: i64, server_time: String,
                     device_time: String, last_verified_at: Option<String> },
    SignatureInvalid { token: &'static str },
    TokenExpired { expired_at: String, refresh_path: &'static str },
    SubscriptionBlocked { status: String, plan: Option<String>, expired_at: Option<String>, grace_period_days: i64,
                          grace_period_ends_at: Option<String>, in_grace_period: bool, renewal_url: String,
                          support_url: String, message: String },
    CertificateExpiringSoon { expires_at: String, days_remaining: i64, threshold_days: i64 },
}

impl DeviceStatus {
    /// What the device (or the person at the till) should do next.
    pub fn recovery(&self) -> &'static str {
        match self {
            DeviceStatus::Ok { .. } => "nothing to do",
            DeviceStatus::FirstTimeSetup { .. } => "activate with the code from the dashboard: POST /edge/v1/activate",
            DeviceStatus::CertificateInvalid { .. } => "reinstall the certificate from activation, or ask for a new activation code",
            DeviceStatus::BindingInvalid { .. } => "ask the shop's admin for a new activation code and activate again",
            DeviceStatus::Revoked { .. } => "this device was revoked; ask the shop's admin to create a new device",
            DeviceStatus::CertificateExpired { .. } => "ask the shop's admin for a new activation code and activate again",
            DeviceStatus::DeviceMismatch { .. } => "this certificate belongs to other hardware; activate this box with its own code",
            DeviceStatus::ClockTampering { .. } => "set the device clock to network time (NTP), then retry",
            DeviceStatus::SignatureInvalid { .. } => "discard the stored license and fetch a new one from GET /edge/v1/health",
            DeviceStatus::TokenExpired { .. } => "fetch a new license from GET /edge/v1/health",
            DeviceStatus::SubscriptionBlocked { .. } => "the shop's owner must renew the subscription",
            DeviceStatus::CertificateExpiringSoon { .. } => "renew now: POST /edge/v1/activate with a new CSR and this certificate",
        }
    }
}

/// `HW-1234-5678-9999` → `HW-1…9999`: enough to tell two boxes apart, not to clone one.
pub fn mask(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= 8 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}…{tail}")
}

fn blocked_message(locale: &str) -> String {
    match locale.split('-').next().unwrap_or("en") {
        "es" => "La suscripción de esta tienda está suspendida. Las ventas sin conexión siguen guardándose; pide al propietario que la renueve.",
        _ => "This shop's subscription is suspended. Offline sales are still kept; ask the owner to renew it.",
    }
    .to_owned()
}

pub fn evaluate(cf: &TlsClientAuth, fingerprint: Option<&str>, device: Option<&DeviceFacts>, probe: &Probe, cx: &Context) -> DeviceStatus {
    if cf.cert_presented.as_deref() != Some("1") {
        return DeviceStatus::FirstTimeSetup { activation_path: "/edge/v1/activate" };
    }
    match cf.cert_verified.as_deref() {
        Some("SUCCESS") => {}
        other => return DeviceStatus::CertificateInvalid {
            reason: other.unwrap_or("missing").trim_start_matches("FAILED:").to_owned(),
        },
    }
    if cf.cert_revoked.as_deref() != Some("0") {
        return DeviceStatus::Revoked { source: "certificate", revoked_at: None, reason: None };
    }
    let Some(device) = device.filter(|_| fingerprint.is_some()) else {
        return DeviceStatus::BindingInvalid { reason: "certificate_not_bound" };
    };
    match device.state {
        Some(DeviceState::Revoked) => {
            return DeviceStatus::Revoked { source: "device", revoked_at: device.revoked_at.clone(), reason: device.revoked_reason.clone() }
        }
        Some(DeviceState::Active) => {}
        _ => return DeviceStatus::BindingInvalid { reason: "device_not_active" },
    }
    let now = cx.now_epoch;
    if let Some(exp) = device.cert_expires_epoch.filter(|e| *e <= now) {
        return DeviceStatus::CertificateExpired { expired_at: rfc3339(exp), days_overdue: (now - exp + 86_399) / 86_400 };
    }
    if let (Some(bound), Some(reported)) = (device.hardware_id.as_deref(), probe.hardware_id.as_deref()) {
        if bound != reported {
            return DeviceStatus::DeviceMismatch { bound_hardware_id: mask(bound), reported_hardware_id: mask(reported) };
        }
    }
    if let Some(device_time) = probe.device_time_epoch {
        // the device's time is any i64 a header carried: saturate, never overflow (i64::MIN
        // minus now would wrap to a huge positive drift, i.e. "forward")
        let drift = device_time.saturating_sub(now);
        if drift.saturating_abs() > cx.clock_drift_seconds {
            return DeviceStatus::ClockTampering {
                direction: if drift < 0 { "backward" } else { "forward" },
                drift_seconds: drift.saturating_abs(),
                threshold_seconds: cx.clock_drift_seconds,
                server_time: rfc3339(now),
                device_time: rfc3339(device_time),
                last_verified_at: device.last_seen_at.clone(),
            };
        }
    }
    match &probe.license {
        Some(Err(LicenseError::SignatureInvalid)) => return DeviceStatus::SignatureInvalid { token: "license" },
        Some(Err(LicenseError::Expired { expired_epoch })) => {
            return DeviceStatus::TokenExpired { expired_at: rfc3339(*expired_epoch), refresh_path: "/edge/v1/health" }
        }
        Some(Ok((claims, _))) if claims.sub != device.id || Some(claims.fp.as_str()) != fingerprint => {
            return DeviceStatus::BindingInvalid { reason: "license_issued_to_another_certificate" }
        }
        _ => {}
    }
    let billing = &device.billing;
    if billing.blocked_at(now) || (billing.in_grace_period_at(now) && matches!(billing.status.as_str(), "canceled" | "unpaid")) {
        return DeviceStatus::SubscriptionBlocked {
            status: billing.status.clone(),
            plan: billing.plan.clone(),
            expired_at: billing.current_period_end.clone(),
            grace_period_days: device.grace_period_days,
            grace_period_ends_at: billing.grace_period_ends_at.clone(),
            in_grace_period: billing.in_grace_period_at(now),
            renewal_url: cx.renewal_url.clone(),
            support_url: cx.support_url.clone(),
            message: blocked_message(&device.locale),
        };
    }
    let days_remaining = device.cert_expires_epoch.map(|e| (e - now) / 86_400);
    if let (Some(exp), Some(days)) = (device.cert_expires_epoch, days_remaining) {
        if days < cx.expiry_warning_days {
            return DeviceStatus::CertificateExpiringSoon { expires_at: rfc3339(exp), days_remaining: days, threshold_days: cx.expiry_warning_days };
        }
    }
    DeviceStatus::Ok { device_id: device.id.clone(), name: device.name.clone(), expires_at: device.cert_expires_epoch.map(rfc3339), days_remaining }
}

#[cfg(test)]
#[path = "device_status_tests.rs"]
mod tests;
