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
    TlsClientAuth {
        cert_presented: Some(presented.into()),
        cert_verified: Some(verified.into()),
        cert_revoked: Some(revoked.into()),
        cert_fingerprint_sha256: Some(FP.into()),
    }
}

fn good() -> TlsClientAuth {
    cf("1", "SUCCESS", "0")
}

fn device() -> DeviceFacts {
    DeviceFacts {
        id: "dev-1".into(),
        name: "Till 1".into(),
        state: Some(DeviceState::Active),
        hardware_id: Some("HW-1234-5678-9999".into()),
        cert_expires_epoch: Some(NOW + 200 * 86_400),
        last_seen_at: Some("2027-01-15T08:00:00+00:00".into()),
        grace_period_days: 7,
        locale: "es".into(),
        ..DeviceFacts::default()
    }
}

fn cx() -> Context {
    Context {
        now_epoch: NOW,
        expiry_warning_days: 30,
        clock_drift_seconds: 300,
        renewal_url: "https://shoal.example/billing".into(),
        support_url: "https://shoal.example/support".into(),
    }
}

fn eval(cf: &TlsClientAuth, d: Option<&DeviceFacts>, p: &Probe) -> DeviceStatus {
    evaluate(cf, Some(FP), d, p, &cx())
}

fn claims(sub: &str, fp: &str) -> LicenseClaims {
    LicenseClaims {
        sub: sub.into(),
        brand_id: "b".into(),
        fp: fp.into(),
        hardware_id: "HW".into(),
        plan: None,
        subscription_status: "active".into(),
    }
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
    assert_eq!(
        eval(&cf("1", "FAILED:certificate has expired", "0"), Some(&d), &Probe::default()),
        DeviceStatus::CertificateInvalid { reason: "certificate has expired".into() }
    );
    assert_eq!(
        eval(&cf("1", "SUCCESS", "1"), Some(&d), &Probe::default()),
        DeviceStatus::Revoked { source: "certificate", revoked_at: None, reason: None }
    );
    assert_eq!(eval(&good(), None, &Probe::default()), DeviceStatus::BindingInvalid { reason: "certificate_not_bound" });
    assert_eq!(evaluate(&good(), None, Some(&d), &Probe::default(), &cx()).code(), "binding_invalid");
}

#[test]
fn a_revoked_device_says_when_and_why() {
    let d = DeviceFacts {
        state: Some(DeviceState::Revoked),
        revoked_at: Some("2027-01-01T00:00:00Z".into()),
        revoked_reason: Some("stolen".into()),
        ..device()
    };
    assert_eq!(
        eval(&good(), Some(&d), &Probe::default()),
        DeviceStatus::Revoked { source: "device", revoked_at: Some("2027-01-01T00:00:00Z".into()), reason: Some("stolen".into()) }
    );
}

#[test]
fn expired_and_expiring_certificates_count_days() {
    let expired = DeviceFacts { cert_expires_epoch: Some(NOW - 3 * 86_400 - 5), ..device() };
    assert_eq!(
        eval(&good(), Some(&expired), &Probe::default()),
        DeviceStatus::CertificateExpired { expired_at: rfc3339(NOW - 3 * 86_400 - 5), days_overdue: 4 }
    );
    let soon = DeviceFacts { cert_expires_epoch: Some(NOW + 10 * 86_400 + 60), ..device() };
    assert_eq!(
        eval(&good(), Some(&soon), &Probe::default()),
        DeviceStatus::CertificateExpiringSoon { expires_at: rfc3339(NOW + 10 * 86_400 + 60), days_remaining: 10, threshold_days: 30 }
    );
}

#[test]
fn other_hardware_is_a_mismatch_shown_masked() {
    let p = Probe { hardware_id: Some("HW-0000-0000-1111".into()), ..Probe::default() };
    assert_eq!(
        eval(&good(), Some(&device()), &p),
        DeviceStatus::DeviceMismatch { bound_hardware_id: "HW-1…9999".into(), reported_hardware_id: "HW-0…1111".into() }
    );
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
    assert!(
        matches!(eval(&good(), Some(&device()), &min), DeviceStatus::ClockTampering { direction: "backward", drift_seconds: i64::MAX, .. }),
        "i64::MIN is far behind, not ahead"
    );
    let max = Probe { device_time_epoch: Some(i64::MAX), ..Probe::default() };
    assert!(matches!(eval(&good(), Some(&device()), &max),
        DeviceStatus::ClockTampering { direction: "forward", drift_seconds: d, .. } if d == i64::MAX - NOW));
}

#[test]
fn license_problems_are_told_apart() {
    let bad = Probe { license: Some(Err(LicenseError::SignatureInvalid(SignatureError::SignatureMismatch))), ..Probe::default() };
    let json = serde_json::to_value(eval(&good(), Some(&device()), &bad)).unwrap();
    assert_eq!(json, serde_json::json!({"code": "signature_invalid", "details": {"component": "license", "error": "signature_mismatch"}}));
    let garbage = Probe { license: Some(Err(LicenseError::SignatureInvalid(SignatureError::MalformedToken))), ..Probe::default() };
    assert_eq!(
        eval(&good(), Some(&device()), &garbage),
        DeviceStatus::SignatureInvalid { component: SignatureComponent::License, error: SignatureError::MalformedToken }
    );
    let old = Probe { license: Some(Err(LicenseError::Expired { expired_epoch: NOW - 10 })), ..Probe::default() };
    assert_eq!(
        eval(&good(), Some(&device()), &old),
        DeviceStatus::TokenExpired { expired_at: rfc3339(NOW - 10), refresh_path: "/edge/v1/health" }
    );
    let foreign = Probe { license: Some(Ok((claims("dev-2", FP), NOW + 10))), ..Probe::default() };
    assert_eq!(eval(&good(), Some(&device()), &foreign), DeviceStatus::BindingInvalid { reason: "license_issued_to_another_certificate" });
    let old_cert = Probe { license: Some(Ok((claims("dev-1", &"cd".repeat(32)), NOW + 10))), ..Probe::default() };
    assert_eq!(eval(&good(), Some(&device()), &old_cert).code(), "binding_invalid");
    let mine = Probe { license: Some(Ok((claims("dev-1", FP), NOW + 10))), ..Probe::default() };
    assert_eq!(eval(&good(), Some(&device()), &mine).code(), "ok");
}

fn billing(status: &str, grace_end: Option<i64>) -> BillingState {
    BillingState {
        status: status.into(),
        plan: Some("growth".into()),
        grace_period_ends_epoch: grace_end,
        grace_period_ends_at: grace_end.map(rfc3339),
        ..BillingState::default()
    }
}

fn with_billing(b: BillingState, locale: &str) -> serde_json::Value {
    let d = DeviceFacts { billing: b, locale: locale.into(), ..device() };
    serde_json::to_value(eval(&good(), Some(&d), &Probe::default())).unwrap()
}

#[test]
fn a_blocked_subscription_names_why_with_its_own_message() {
    let cases = [
        ("canceled", None, "canceled"),
        ("canceled", Some(NOW - 1), "canceled"),
        ("unpaid", Some(NOW - 1), "unpaid"),
        ("past_due", Some(NOW - 1), "past_due_grace_ended"),
    ];
    let mut messages = std::collections::BTreeSet::new();
    for (status, grace, reason) in cases {
        for locale in ["en", "es"] {
            let json = with_billing(billing(status, grace), locale);
            assert_eq!((json["code"].as_str(), json["details"]["reason"].as_str()), (Some("subscription_blocked"), Some(reason)), "{json}");
            assert_eq!((json["details"]["status"].as_str(), json["details"]["plan"].as_str()), (Some(status), Some("growth")));
            assert_eq!(json["details"]["grace_period_days"], 7);
            assert_eq!(json["details"]["renewal_url"], "https://shoal.example/billing");
            messages.insert((reason, locale, json["details"]["message"].as_str().unwrap_or_default().to_owned()));
        }
    }
    // one message per reason and language, Spanish for a Spanish brand
    assert_eq!(messages.iter().map(|(_, _, m)| m).collect::<std::collections::BTreeSet<_>>().len(), 6, "{messages:?}");
    assert!(messages.iter().filter(|(_, l, _)| *l == "es").all(|(_, _, m)| m.starts_with("La suscripción") || m.starts_with("Un pago")));
}

#[test]
fn inside_the_grace_period_the_device_works_with_a_warning() {
    let mut messages = std::collections::BTreeSet::new();
    for status in ["past_due", "unpaid", "canceled"] {
        for locale in ["en", "es"] {
            let json = with_billing(billing(status, Some(NOW + 2 * 86_400 + 60)), locale);
            assert_eq!(json["code"], "ok", "{status}: {json}");
            let w = &json["details"]["subscription_warning"];
            assert_eq!((w["status"].as_str(), w["days_left"].as_i64()), (Some(status), Some(2)), "{w}");
            assert_eq!(w["grace_period_ends_at"], rfc3339(NOW + 2 * 86_400 + 60));
            messages.insert(w["message"].as_str().unwrap_or_default().to_owned());
        }
    }
    assert_eq!(messages.len(), 6, "each status has its message in each language: {messages:?}");
    // a warning is not a reason: the answer is still `ok`, and nothing to fix for the device
    let d = DeviceFacts { billing: billing("past_due", Some(NOW + 60)), ..device() };
    let s = eval(&good(), Some(&d), &Probe::default());
    assert!(s.can_auto_recover());
    assert!(s.recovery("es").contains("periodo de gracia"), "{}", s.recovery("es"));
    // past due without a grace period started, or an active subscription: plain ok
    for b in [billing("past_due", None), billing("active", None)] {
        let json = with_billing(b, "en");
        assert_eq!((json["code"].as_str(), &json["details"]["subscription_warning"]), (Some("ok"), &serde_json::Value::Null), "{json}");
    }
}

/// One value of every reason (and the ok with a warning).
fn every_status() -> Vec<DeviceStatus> {
    let mut all = vec![
        eval(&good(), Some(&device()), &Probe::default()),
        DeviceStatus::FirstTimeSetup { activation_path: "/edge/v1/activate" },
        DeviceStatus::CertificateInvalid { reason: "x".into() },
        DeviceStatus::BindingInvalid { reason: "certificate_not_bound" },
        DeviceStatus::BindingInvalid { reason: "device_not_active" },
        DeviceStatus::BindingInvalid { reason: "license_issued_to_another_certificate" },
        DeviceStatus::Revoked { source: "device", revoked_at: None, reason: None },
        DeviceStatus::CertificateExpired { expired_at: "x".into(), days_overdue: 1 },
        DeviceStatus::DeviceMismatch { bound_hardware_id: "a".into(), reported_hardware_id: "b".into() },
        eval(&good(), Some(&device()), &Probe { device_time_epoch: Some(0), ..Probe::default() }),
        DeviceStatus::TokenExpired { expired_at: "x".into(), refresh_path: "/edge/v1/health" },
        DeviceStatus::CertificateExpiringSoon { expires_at: "x".into(), days_remaining: 1, threshold_days: 30 },
    ];
    for component in
        [SignatureComponent::License, SignatureComponent::Binding, SignatureComponent::Credential, SignatureComponent::Subscription]
    {
        all.push(DeviceStatus::SignatureInvalid { component, error: SignatureError::SignatureMismatch });
    }
    for (status, grace) in [("canceled", None), ("unpaid", Some(NOW - 1)), ("past_due", Some(NOW - 1)), ("past_due", Some(NOW + 1))] {
        let d = DeviceFacts { billing: billing(status, grace), ..device() };
        all.push(eval(&good(), Some(&d), &Probe::default()));
    }
    all
}

#[test]
fn the_device_recovers_alone_from_licence_certificate_renewal_and_clock_problems_only() {
    let auto: Vec<String> = every_status()
        .iter()
        .filter(|s| s.can_auto_recover())
        .map(|s| format!("{} {}", s.code(), serde_json::to_value(s).unwrap()["details"]["component"].as_str().unwrap_or("")))
        .collect();
    let auto: std::collections::BTreeSet<&str> = auto.iter().map(|s| s.trim()).collect();
    assert_eq!(
        auto,
        ["binding_invalid", "certificate_expiring_soon", "clock_tampering", "ok", "signature_invalid license", "token_expired"].into(),
        "and binding_invalid only for a license issued to another certificate"
    );
    assert!(!DeviceStatus::BindingInvalid { reason: "certificate_not_bound" }.can_auto_recover());
    let a = answer(DeviceStatus::TokenExpired { expired_at: "x".into(), refresh_path: "/edge/v1/health" }, "es", NOW);
    let json = serde_json::to_value(&a).unwrap();
    assert_eq!((json["code"].as_str(), json["can_auto_recover"].as_bool()), (Some("token_expired"), Some(true)));
    assert_eq!(json["server_time"], rfc3339(NOW));
}

#[test]
fn every_reason_has_a_recovery_hint_in_english_and_spanish() {
    assert_eq!(mask("short"), "*****");
    assert_eq!(mask("HW-1234-5678-9999"), "HW-1…9999");
    for s in every_status() {
        let (en, es) = (s.recovery("en"), s.recovery("es"));
        assert!(!en.is_empty() && !es.is_empty() && en != es, "{s:?}: {en} / {es}");
        assert_eq!(s.recovery("es-MX"), es, "a regional Spanish locale reads Spanish");
        assert_eq!(s.recovery("fr"), en, "other locales read English");
    }
}
