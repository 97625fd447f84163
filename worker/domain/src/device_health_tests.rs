use super::*;

const NOW: i64 = 1_800_000_000;

fn facts() -> HealthFacts {
    HealthFacts {
        now_epoch: NOW,
        expiry_warning_days: 30,
        license_hours: 72,
        device_id: "0b7c1d2e-0000-4000-8000-00000000abcd".into(),
        brand_id: "brand-1".into(),
        name: "Till 1".into(),
        hardware_id: "HW-1234-5678-9999".into(),
        fingerprint: "ab".repeat(32),
        cert_expires_epoch: Some(NOW + 200 * 86_400),
        previous_seen_at: Some(rfc3339(NOW - 600)),
        previous_seen_epoch: Some(NOW - 600),
        database_reachable: true,
        seen_at: Some(rfc3339(NOW)),
        ..HealthFacts::default()
    }
}

#[test]
fn a_healthy_device_reports_when_it_was_checked_and_its_brand() {
    let h = report(facts());
    assert_eq!(h.overall, Level::Healthy);
    assert_eq!(h.checked_at, rfc3339(NOW));
    assert_eq!((h.device.brand_id.as_str(), h.device.hardware_id.as_str()), ("brand-1", "HW-1…9999"));
    let json = serde_json::to_value(&h).unwrap();
    assert_eq!(json["checked_at"], rfc3339(NOW));
    assert_eq!(json["device"]["brand_id"], "brand-1");
}

#[test]
fn the_network_is_what_the_server_saw_of_the_device() {
    let h = report(HealthFacts { server_ms: 12, ..facts() });
    let n = &h.components.network;
    assert!(n.auth_server_reachable);
    assert_eq!((n.status, n.offline_seconds, n.server_ms), (Level::Healthy, Some(600), 12));
    assert_eq!(n.previous_seen_at.as_deref(), Some(rfc3339(NOW - 600).as_str()));
    assert_eq!(n.last_seen_at.as_deref(), Some(rfc3339(NOW).as_str()));
    // silent for longer than a license refresh interval (a third of 72 h): it was cut off
    let long_gone = report(HealthFacts { previous_seen_epoch: Some(NOW - 25 * 3600), ..facts() });
    assert_eq!((long_gone.components.network.status, long_gone.overall), (Level::Warning, Level::Warning));
    let first = report(HealthFacts { previous_seen_at: None, previous_seen_epoch: None, ..facts() });
    assert_eq!((first.components.network.status, first.components.network.offline_seconds), (Level::Healthy, None));
}

#[test]
fn the_worst_component_decides_the_overall_level() {
    let expiring = report(HealthFacts { cert_expires_epoch: Some(NOW + 86_400), ..facts() });
    assert_eq!((expiring.components.certificate.status, expiring.overall), (Level::Warning, Level::Warning));
    let expired = report(HealthFacts { cert_expires_epoch: Some(NOW - 1), ..facts() });
    assert_eq!(expired.overall, Level::Critical);
    let no_row = report(HealthFacts { seen_at: None, ..facts() });
    assert_eq!((no_row.components.database.status, no_row.overall), (Level::Critical, Level::Critical));
    let in_grace = report(HealthFacts {
        billing: BillingState { status: "past_due".into(), grace_period_ends_epoch: Some(NOW + 10), ..BillingState::default() },
        ..facts()
    });
    assert_eq!(in_grace.components.subscription.status, Level::Warning);
    let unknown = report(HealthFacts { cert_expires_epoch: None, ..facts() });
    assert_eq!(unknown.overall, Level::Unknown);
}
