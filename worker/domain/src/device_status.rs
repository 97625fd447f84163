//! What `GET /edge/v1/status` tells a device about itself: one reason, machine-readable,
//! with details and a recovery hint. It answers even when the device would be refused
//! elsewhere (that is when it needs to know why). The first reason in this order wins:
//! setup → certificate → binding → revocation → expiry → hardware → clock → token →
//! subscription → expiring soon → ok. Serialised as `{"code": "...", "details": {...}}`,
//! with `recovery` (in the brand's language) and `can_auto_recover` beside them
//! ([`answer`]). A subscription in its grace period is not a reason: the device is `ok`
//! with a `subscription_warning`.

use serde::Serialize;

use crate::billing::BillingState;
use crate::device_auth::{DeviceState, TlsClientAuth};
use crate::device_license::{LicenseClaims, LicenseError, SignatureError};
use crate::device_status_text::{blocked_message, warning_message};
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
    Ok {
        device_id: String,
        name: String,
        expires_at: Option<String>,
        days_remaining: Option<i64>,
        /// working, inside a grace period: the subscription needs its owner soon
        subscription_warning: Option<SubscriptionWarning>,
    },
    FirstTimeSetup {
        activation_path: &'static str,
    },
    CertificateInvalid {
        reason: String,
    },
    BindingInvalid {
        reason: &'static str,
    },
    Revoked {
        source: &'static str,
        revoked_at: Option<String>,
        reason: Option<String>,
    },
    CertificateExpired {
        expired_at: String,
        days_overdue: i64,
    },
    DeviceMismatch {
        bound_hardware_id: String,
        reported_hardware_id: String,
    },
    ClockTampering {
        direction: &'static str,
        drift_seconds: i64,
        threshold_seconds: i64,
        server_time: String,
        device_time: String,
        last_verified_at: Option<String>,
    },
    SignatureInvalid {
        component: SignatureComponent,
        error: SignatureError,
    },
    TokenExpired {
        expired_at: String,
        refresh_path: &'static str,
    },
    SubscriptionBlocked {
        reason: BlockedReason,
        status: String,
        plan: Option<String>,
        expired_at: Option<String>,
        grace_period_days: i64,
        grace_period_ends_at: Option<String>,
        renewal_url: String,
        support_url: String,
        message: String,
    },
    CertificateExpiringSoon {
        expires_at: String,
        days_remaining: i64,
        threshold_days: i64,
    },
}

/// Which signed thing failed verification. The server verifies one, the license token the
/// device shows in `X-Shoal-License`; the device's own offline checks of its binding,
/// credential and subscription records report with the same names (docs/edge-api.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatureComponent {
    License,
    Binding,
    Credential,
    Subscription,
}

/// Why a subscription stops the device, each with its own message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockedReason {
    Canceled,
    Unpaid,
    /// a failed payment's grace period ran out (Stripe may still be retrying)
    PastDueGraceEnded,
}

/// A subscription in its grace period: everything works until `grace_period_ends_at`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubscriptionWarning {
    /// past_due | unpaid | canceled
    pub status: String,
    pub grace_period_ends_at: Option<String>,
    pub days_left: i64,
    pub renewal_url: String,
    pub message: String,
}

/// The whole answer of `GET /edge/v1/status`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatusAnswer {
    #[serde(flatten)]
    pub status: DeviceStatus,
    /// what to do next, in the brand's language (English when no brand is known yet)
    pub recovery: &'static str,
    /// true when the device fixes it alone (licence refresh, certificate renewal, clock
    /// resync) or has nothing to fix; false when a person must act
    pub can_auto_recover: bool,
    pub server_time: String,
}

/// The status with its recovery hint in `locale` and the server's time.
pub fn answer(status: DeviceStatus, locale: &str, now_epoch: i64) -> StatusAnswer {
    StatusAnswer { recovery: status.recovery(locale), can_auto_recover: status.can_auto_recover(), status, server_time: rfc3339(now_epoch) }
}

impl DeviceStatus {
    /// What the device (or the person at the till) should do next, in `locale` (es or en).
    pub fn recovery(&self, locale: &str) -> &'static str {
        let (en, es) = crate::device_status_text::recovery(self);
        if is_spanish(locale) {
            es
        } else {
            en
        }
    }

    /// Whether the device fixes it without a person: it fetches a new license, renews its
    /// certificate over the current one, sets its clock from NTP — or nothing is wrong.
    pub fn can_auto_recover(&self) -> bool {
        match self {
            DeviceStatus::Ok { .. }
            | DeviceStatus::ClockTampering { .. }
            | DeviceStatus::TokenExpired { .. }
            | DeviceStatus::CertificateExpiringSoon { .. } => true,
            // a bad or foreign license is replaced from /health; other records need their issuer
            DeviceStatus::SignatureInvalid { component, .. } => *component == SignatureComponent::License,
            DeviceStatus::BindingInvalid { reason } => *reason == "license_issued_to_another_certificate",
            DeviceStatus::FirstTimeSetup { .. }
            | DeviceStatus::CertificateInvalid { .. }
            | DeviceStatus::Revoked { .. }
            | DeviceStatus::CertificateExpired { .. }
            | DeviceStatus::DeviceMismatch { .. }
            | DeviceStatus::SubscriptionBlocked { .. } => false,
        }
    }
}

pub(crate) fn is_spanish(locale: &str) -> bool {
    locale.split(['-', '_']).next() == Some("es")
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

pub fn evaluate(cf: &TlsClientAuth, fingerprint: Option<&str>, device: Option<&DeviceFacts>, probe: &Probe, cx: &Context) -> DeviceStatus {
    if cf.cert_presented.as_deref() != Some("1") {
        return DeviceStatus::FirstTimeSetup { activation_path: "/edge/v1/activate" };
    }
    match cf.cert_verified.as_deref() {
        Some("SUCCESS") => {}
        other => return DeviceStatus::CertificateInvalid { reason: other.unwrap_or("missing").trim_start_matches("FAILED:").to_owned() },
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
        Some(Err(LicenseError::SignatureInvalid(error))) => {
            return DeviceStatus::SignatureInvalid { component: SignatureComponent::License, error: *error }
        }
        Some(Err(LicenseError::Expired { expired_epoch })) => {
            return DeviceStatus::TokenExpired { expired_at: rfc3339(*expired_epoch), refresh_path: "/edge/v1/health" }
        }
        Some(Ok((claims, _))) if claims.sub != device.id || Some(claims.fp.as_str()) != fingerprint => {
            return DeviceStatus::BindingInvalid { reason: "license_issued_to_another_certificate" }
        }
        _ => {}
    }
    let billing = &device.billing;
    let spanish = is_spanish(&device.locale);
    if billing.blocked_at(now) {
        let reason = match billing.status.as_str() {
            "canceled" => BlockedReason::Canceled,
            "unpaid" => BlockedReason::Unpaid,
            _ => BlockedReason::PastDueGraceEnded,
        };
        return DeviceStatus::SubscriptionBlocked {
            reason,
            status: billing.status.clone(),
            plan: billing.plan.clone(),
            expired_at: billing.current_period_end.clone(),
            grace_period_days: device.grace_period_days,
            grace_period_ends_at: billing.grace_period_ends_at.clone(),
            renewal_url: cx.renewal_url.clone(),
            support_url: cx.support_url.clone(),
            message: blocked_message(reason, spanish).to_owned(),
        };
    }
    // inside a grace period the device keeps working, warned (the rest of the API works too)
    let subscription_warning = billing
        .grace_period_ends_epoch
        .filter(|end| *end > now && matches!(billing.status.as_str(), "past_due" | "unpaid" | "canceled"))
        .map(|end| SubscriptionWarning {
            status: billing.status.clone(),
            grace_period_ends_at: billing.grace_period_ends_at.clone(),
            // whole days, as a certificate's days_remaining
            days_left: (end - now) / 86_400,
            renewal_url: cx.renewal_url.clone(),
            message: warning_message(&billing.status, spanish).to_owned(),
        });
    let days_remaining = device.cert_expires_epoch.map(|e| (e - now) / 86_400);
    if let (Some(exp), Some(days)) = (device.cert_expires_epoch, days_remaining) {
        if days < cx.expiry_warning_days {
            return DeviceStatus::CertificateExpiringSoon {
                expires_at: rfc3339(exp),
                days_remaining: days,
                threshold_days: cx.expiry_warning_days,
            };
        }
    }
    DeviceStatus::Ok {
        device_id: device.id.clone(),
        name: device.name.clone(),
        expires_at: device.cert_expires_epoch.map(rfc3339),
        days_remaining,
        subscription_warning,
    }
}

#[cfg(test)]
#[path = "device_status_tests.rs"]
mod tests;
