//! What `GET /edge/v1/health` reports: the parts of a device's health the server can know
//! (its certificate, its brand's subscription and a fresh license, the database behind
//! the API, and the network as the server sees it: when the device last got through and
//! how long the server took to answer). The device's own disk, printer or local database
//! are device-side (docs/edge-api.md). The worker gathers the facts; the levels are here.

use serde::Serialize;

use crate::billing::BillingState;
use crate::device_status::mask;
use crate::time::rfc3339;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    // in rising order of concern: the overall level is the worst component's
    Healthy,
    Unknown,
    Warning,
    Critical,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EdgeHealth {
    pub overall: Level,
    pub checked_at: String,
    pub components: Components,
    pub device: DeviceInfo,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Components {
    pub certificate: CertificateHealth,
    pub subscription: SubscriptionHealth,
    pub network: NetworkHealth,
    pub database: DatabaseHealth,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CertificateHealth {
    pub status: Level,
    pub expires_at: Option<String>,
    pub days_remaining: Option<i64>,
    /// masked
    pub fingerprint: String,
    pub issuer: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubscriptionHealth {
    pub status: Level,
    pub plan: Option<String>,
    /// the subscription's own status: trialing | active | past_due | unpaid | canceled | none …
    pub state: String,
    pub grace_period_ends_at: Option<String>,
    pub license: String,
    pub license_public_key: Option<String>,
    pub valid_from: String,
    pub valid_until: String,
    pub needs_refresh: bool,
}

/// The network as the server sees it. The device measures its own round trip; `server_ms`
/// is the server's share of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NetworkHealth {
    pub status: Level,
    /// this request got through: the edge API is reachable from the device
    pub auth_server_reachable: bool,
    pub server_time: String,
    /// this heartbeat, as recorded
    pub last_seen_at: Option<String>,
    /// the heartbeat before this one (the last time the device got through to /health)
    pub previous_seen_at: Option<String>,
    /// how long the device had not been heard from before this request
    pub offline_seconds: Option<i64>,
    pub server_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DatabaseHealth {
    pub status: Level,
    pub reachable: bool,
    pub latency_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeviceInfo {
    /// masked
    pub id: String,
    pub brand_id: String,
    pub name: String,
    /// masked
    pub hardware_id: String,
}

/// A license just issued for the device.
#[derive(Debug, Clone, Default)]
pub struct LicenseGrant {
    pub token: String,
    pub public_key: Option<String>,
    pub valid_until_epoch: i64,
    pub needs_refresh: bool,
}

/// What the worker gathered for one heartbeat.
#[derive(Debug, Clone, Default)]
pub struct HealthFacts {
    pub now_epoch: i64,
    pub expiry_warning_days: i64,
    pub license_hours: i64,
    pub device_id: String,
    pub brand_id: String,
    pub name: String,
    pub hardware_id: String,
    pub fingerprint: String,
    pub cert_expires_at: Option<String>,
    pub cert_expires_epoch: Option<i64>,
    pub cert_issuer: Option<String>,
    pub billing: BillingState,
    /// the device row's `last_seen_at` before this heartbeat
    pub previous_seen_at: Option<String>,
    pub previous_seen_epoch: Option<i64>,
    /// the heartbeat's answer: the database answered, and the time it recorded (None: no
    /// row touched, e.g. a device revoked meanwhile)
    pub database_reachable: bool,
    pub seen_at: Option<String>,
    pub database_latency_ms: u64,
    pub license: LicenseGrant,
    pub server_ms: u64,
}

pub fn report(f: HealthFacts) -> EdgeHealth {
    let now = f.now_epoch;
    let days_remaining = f.cert_expires_epoch.map(|e| (e - now) / 86_400);
    let certificate = match f.cert_expires_epoch {
        Some(e) if e <= now => Level::Critical,
        Some(_) if days_remaining.is_some_and(|d| d < f.expiry_warning_days) => Level::Warning,
        Some(_) => Level::Healthy,
        None => Level::Unknown,
    };
    let billing = &f.billing;
    let subscription = if billing.in_grace_period_at(now) || billing.status == "past_due" { Level::Warning } else { Level::Healthy };
    // a device silent for longer than it should wait between license refreshes was cut off
    let offline_seconds = f.previous_seen_epoch.map(|seen| (now - seen).max(0));
    let network = if offline_seconds.is_some_and(|s| s > f.license_hours * 3600 / 3) { Level::Warning } else { Level::Healthy };
    // reachable and answered: a heartbeat that touched no row is not healthy
    let database = if f.database_reachable && f.seen_at.is_some() { Level::Healthy } else { Level::Critical };
    let overall = [certificate, subscription, network, database].into_iter().max().unwrap_or(Level::Unknown);
    EdgeHealth {
        overall,
        checked_at: rfc3339(now),
        components: Components {
            certificate: CertificateHealth {
                status: certificate,
                expires_at: f.cert_expires_at,
                days_remaining,
                fingerprint: mask(&f.fingerprint),
                issuer: f.cert_issuer,
            },
            subscription: SubscriptionHealth {
                status: subscription,
                plan: billing.plan.clone(),
                state: billing.status.clone(),
                grace_period_ends_at: billing.grace_period_ends_at.clone(),
                license: f.license.token,
                license_public_key: f.license.public_key,
                valid_from: rfc3339(now),
                valid_until: rfc3339(f.license.valid_until_epoch),
                needs_refresh: f.license.needs_refresh,
            },
            network: NetworkHealth {
                status: network,
                auth_server_reachable: true,
                server_time: rfc3339(now),
                last_seen_at: f.seen_at,
                previous_seen_at: f.previous_seen_at,
                offline_seconds,
                server_ms: f.server_ms,
            },
            database: DatabaseHealth { status: database, reachable: f.database_reachable, latency_ms: f.database_latency_ms },
        },
        device: DeviceInfo { id: mask(&f.device_id), brand_id: f.brand_id, name: f.name, hardware_id: mask(&f.hardware_id) },
    }
}

#[cfg(test)]
#[path = "device_health_tests.rs"]
mod tests;
