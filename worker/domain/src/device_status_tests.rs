use super::*;

impl DeviceStatus {
    /// The serialised `code`, as a device reads it.
    fn code(&self) -> String {
        serde_json::to_value(self).ok().and_then(|v| v["code"].as_str().map(str::to_owned)).unwrap_or_default()
    }
}

const NOW: i64 = 1_800_000_000;
const FP: &str = "abababababababababababababababababababababababababababababababab";

fn cf(presented: &str, verified: &str, revoked: &str) -> TlsClientAuth {
    TlsClientAuth { cert_presented: Some(presented.into()), cert_verified: Some(verified.into()), cert_revoked: Some(revoked.into()),
                    cert_fingerprint_sha256: Some(FP.into()) }
}

fn good() -> TlsClientAuth {
    cf("1", "SUCCESS", "0")
}

fn device() -> DeviceFacts {
    DeviceFacts { id: "dev-1".into(), name: "Till 1".into(), state: Some(DeviceState::Active), hardware_id: Some("HW-1234-5678-9999".into()),
                  cert_expires_epoch: Some(NOW + 200 * 86_400), last_seen_at: Some("2027-01-15T08:00:00+00:00".into()),
                  grace_period_days: 7, locale: "es".into(), ..DeviceFacts::default() }
}

fn cx() -> Context {
    Context { now_epoch: NOW, expiry_warning_days: 30, clock_drift_seconds: 300, renewal_url: "https://shoal.example/billing".into(),
              support_url: "https://shoal.example/support".into() }
}

fn eval(cf: &TlsClientAuth, d: Option<&DeviceFacts>, p: &Probe) -> DeviceStatus {
    evaluate(cf, Some(FP), d, p, &cx())
}

fn claims(sub: &str, fp: &str) -> LicenseClaims {
    LicenseClaims { sub: sub.into(), brand_id: "b".into(), fp: fp.into(), hardware_id: "HW".into(), plan: None, subscription_status: "active".into() }
}

#[test]
fn a_healthy_device_is_ok_with_its_expiry() {
    let s = eval(&good(), Some(&device()), &Probe::default());
    assert_eq!(s.code(), "ok");
    let json = serde_json::to_value(&s).unwrap();
    assert_eq!(json["details"]["days_remaining"], 200);
    assert_eq!(json["details"]["device_id"], "dev-1");
}

#[test]
fn certificate_level_reasons_come_first() {
    let d = device();
    assert_eq!(eval(&TlsClientAuth::default(), Some(&d), &Probe::default()).code(), "first_time_setup");
    assert_eq!(eval(&cf("0", "NONE", "0"), None, &Probe::default()).code(), "first_time_setup");
    assert_eq!(eval(&cf("1", "FAILED:certificate has expired", "0"), Some(&d), &Probe::default()),
               DeviceStatus::CertificateInvalid { reason: "certificate has expired".into() });
    assert_eq!(eval(&cf("1", "SUCCESS", "1"), Some(&d), &Probe::default()),
               DeviceStatus::Revoked { source: "certificate", revoked_at: None, reason: None });
    assert_eq!(eval(&good(), None, &Probe::default()), DeviceStatus::BindingInvalid { reason: "certificate_not_bound" });
    assert_eq!(evaluate(&good(), None, Some(&d), &Probe::default(), &cx()).code(), "binding_invalid");
}

#[test]
fn a_revoked_device_says_when_and_why() {
    let d = DeviceFacts { state: Some(DeviceState::Revoked), revoked_at: Some("2027-01-01T00:00:00Z".into()), revoked_reason: Some("stolen".into()), ..device() };
    assert_eq!(eval(&good(), Some(&d), &Probe::default()),
               DeviceStatus::Revoked { source: "device", revoked_at: Some("2027-01-01T00:00:00Z".into()), reason: Some("stolen".into()) });
}

#[test]
fn expired_and_expiring_certificates_count_days() {
    let expired = DeviceFacts { cert_expires_epoch: Some(NOW - 3 * 86_400 - 5), ..device() };
    assert_eq!(eval(&good(), Some(&expired), &Probe::default()),
               DeviceStatus::CertificateExpired { expired_at: rfc3339(NOW - 3 * 86_400 - 5), days_overdue: 4 });
    let soon = DeviceFacts { cert_expires_epoch: Some(NOW + 10 * 86_400 + 60), ..device() };
    assert_eq!(eval(&good(), Some(&soon), &Probe::default()),
               DeviceStatus::CertificateExpiringSoon { expires_at: rfc3339(NOW + 10 * 86_400 + 60), days_remaining: 10, threshold_days: 30 });
}

#[test]
fn other_hardware_is_a_mismatch_shown_masked() {
    let p = Probe { hardware_id: Some("HW-0000-0000-1111".into()), ..Probe::default() };
    assert_eq!(eval(&good(), Some(&device()), &p),
               DeviceStatus::DeviceMismatch { bound_hardware_id: "HW-1…9999".into(), reported_hardware_id: "HW-0…1111".into() });
    let same = Probe { hardware_id: Some("HW-1234-5678-9999".into()), ..Probe::default() };
    assert_eq!(eval(&good(), Some(&device()), &same).code(), "ok");
}

#[test]
fn a_clock_beyond_the_threshold_is_tampering_with_direction() {
    let back = Probe { device_time_epoch: Some(NOW - 3600), ..Probe::default() };
    match eval(&good(), Some(&device()), &back) {
        DeviceStatus::ClockTampering { direction, drift_seconds, threshold_seconds, last_verified_at, .. } => {
            assert_eq!((direction, drift_seconds, threshold_seconds), ("backward", 3600, 300));
            assert_eq!(last_verified_at.as_deref(), Some("2027-01-15T08:00:00+00:00"));
        }
        other => panic!("{other:?}"),
    }
    let fwd = Probe { device_time_epoch: Some(NOW + 301), ..Probe::default() };
    assert!(matches!(eval(&good(), Some(&device()), &fwd), DeviceStatus::ClockTampering { direction: "forward", drift_seconds: 301, .. }));
    let fine = Probe { device_time_epoch: Some(NOW - 300), ..Probe::default() };
    assert_eq!(eval(&good(), Some(&device()), &fine).code(), "ok");
}

#[test]
fn extreme_device_times_saturate_instead_of_overflowing() {
    let min = Probe { device_time_epoch: Some(i64::MIN), ..Probe::default() };
    assert!(matches!(eval(&good(), Some(&device()), &min),
        DeviceStatus::ClockTampering { direction: "backward", drift_seconds: i64::MAX, .. }), "i64::MIN is far behind, not ahead");
    let max = Probe { device_time_epoch: Some(i64::MAX), ..Probe::default() };
    assert!(matches!(eval(&good(), Some(&device()), &max),
        DeviceStatus::ClockTampering { direction: "forward", drift_seconds: d, .. } if d == i64::MAX - NOW));
}

#[test]
fn license_problems_are_told_apart() {
    let bad = Probe { license: Some(Err(LicenseError::SignatureInvalid)), ..Probe::default() };
    assert_eq!(eval(&good(), Some(&device()), &bad).code(), "signature_invalid");
    let old = Probe { license: Some(Err(LicenseError::Expired { expired_epoch: NOW - 10 })), ..Probe::default() };
    assert_eq!(eval(&good(), Some(&device()), &old), DeviceStatus::TokenExpired { expired_at: rfc3339(NOW - 10), refresh_path: "/edge/v1/health" });
    let foreign = Probe { license: Some(Ok((claims("dev-2", FP), NOW + 10))), ..Probe::default() };
    assert_eq!(eval(&good(), Some(&device()), &foreign), DeviceStatus::BindingInvalid { reason: "license_issued_to_another_certificate" });
    let old_cert = Probe { license: Some(Ok((claims("dev-1", &"cd".repeat(32)), NOW + 10))), ..Probe::default() };
    assert_eq!(eval(&good(), Some(&device()), &old_cert).code(), "binding_invalid");
    let mine = Probe { license: Some(Ok((claims("dev-1", FP), NOW + 10))), ..Probe::default() };
    assert_eq!(eval(&good(), Some(&device()), &mine).code(), "ok");
}

#[test]
fn a_blocked_subscription_has_grace_details_and_a_localised_message() {
    let billing = BillingState { status: "unpaid".into(), plan: Some("growth".into()), grace_period_ends_epoch: Some(NOW - 1),
                                grace_period_ends_at: Some("2027-01-14T00:00:00Z".into()), ..BillingState::default() };
    let d = DeviceFacts { billing: billing.clone(), ..device() };
    let json = serde_json::to_value(eval(&good(), Some(&d), &Probe::default())).unwrap();
    assert_eq!(json["code"], "subscription_blocked");
    assert_eq!(json["details"]["in_grace_period"], false);
    assert_eq!(json["details"]["grace_period_days"], 7);
    assert_eq!(json["details"]["plan"], "growth");
    assert!(json["details"]["message"].as_str().unwrap().starts_with("La suscripción"));
    let in_grace = DeviceFacts { billing: BillingState { grace_period_ends_epoch: Some(NOW + 86_400), ..billing }, locale: "en".into(), ..device() };
    let json = serde_json::to_value(eval(&good(), Some(&in_grace), &Probe::default())).unwrap();
    assert_eq!((json["details"]["in_grace_period"].as_bool(), json["details"]["message"].as_str().map(|m| m.starts_with("This shop"))), (Some(true), Some(true)));
    let active = DeviceFacts { billing: BillingState { status: "active".into(), ..BillingState::default() }, ..device() };
    assert_eq!(eval(&good(), Some(&active), &Probe::default()).code(), "ok");
}

#[test]
fn every_reason_has_a_recovery_hint_and_masks_are_short() {
    assert_eq!(mask("short"), "*****");
    assert_eq!(mask("HW-1234-5678-9999"), "HW-1…9999");
    assert!(!DeviceStatus::FirstTimeSetup { activation_path: "/x" }.recovery().is_empty());
}
