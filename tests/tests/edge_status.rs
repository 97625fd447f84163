//! `GET /edge/v1/status`: every reason reachable over HTTP and shaped as docs/edge-api.md
//! says — `{"code", "details", "recovery", "server_time"}` — even for refused devices.

use shoal_domain::device_license::{self, LicenseClaims};
use shoal_e2e::edge::*;
use shoal_e2e::*;

fn status(blob: &str, extra: &[(&str, &str)]) -> Value {
    let r = edge_with("GET", "/edge/v1/status", blob, extra, None);
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    assert!(v["recovery"].as_str().is_some_and(|h| !h.is_empty()) && v["server_time"].is_string(), "{v}");
    v
}

fn license_for(fp: &str) -> String {
    let h = edge("GET", "/edge/v1/health", &verified(fp), None).json();
    h["components"]["subscription"]["license"].as_str().unwrap_or_default().to_owned()
}

#[test]
fn certificate_reasons_come_before_the_device_is_known() {
    assert_eq!(status(&json!({"clientAcceptEncoding": ""}).to_string(), &[])["code"], "first_time_setup");
    let invalid = status(&cf("1", "FAILED:unable to get local issuer certificate", "0", &"ab".repeat(32)), &[]);
    assert_eq!((invalid["code"].as_str(), invalid["details"]["reason"].as_str()),
               (Some("certificate_invalid"), Some("unable to get local issuer certificate")));
    let (_, fp) = device("acme.localhost", 200);
    let revoked = status(&cf("1", "SUCCESS", "1", &fp), &[]);
    assert_eq!((revoked["code"].as_str(), revoked["details"]["source"].as_str()), (Some("revoked"), Some("certificate")));
    let unbound = status(&verified(&"cd".repeat(32)), &[]);
    assert_eq!((unbound["code"].as_str(), unbound["details"]["reason"].as_str()), (Some("binding_invalid"), Some("certificate_not_bound")));
    let ok = status(&verified(&fp), &[]);
    assert_eq!(ok["code"], "ok", "{ok}");
    assert!(ok["details"]["days_remaining"].as_i64().is_some_and(|d| (199..=200).contains(&d)));
}

#[test]
fn a_revoked_device_learns_when_and_why() {
    let (id, fp) = device("globex.localhost", 200);
    let r = admin("POST", "globex.localhost", &format!("/api/v1/admin/devices/{id}/revoke"), Some(json!({"reason": "till stolen"})));
    assert_eq!(r.status, 200, "{}", r.body);
    let s = status(&verified(&fp), &[]);
    assert_eq!((s["code"].as_str(), s["details"]["source"].as_str(), s["details"]["reason"].as_str()),
               (Some("revoked"), Some("device"), Some("till stolen")));
    assert!(s["details"]["revoked_at"].is_string());
}

#[test]
fn expiry_hardware_and_clock_reasons() {
    let (_, expired) = device("acme.localhost", -3);
    let s = status(&verified(&expired), &[]);
    assert_eq!((s["code"].as_str(), s["details"]["days_overdue"].as_i64()), (Some("certificate_expired"), Some(3)), "{s}");
    let (_, soon) = device("acme.localhost", 10);
    let s = status(&verified(&soon), &[]);
    assert_eq!((s["code"].as_str(), s["details"]["threshold_days"].as_i64()), (Some("certificate_expiring_soon"), Some(30)), "{s}");

    let (_, fp, hw) = activated("acme.localhost");
    let other = "XB-OTHER-BOX-0001";
    let s = status(&verified(&fp), &[("x-shoal-hardware-id", other)]);
    assert_eq!(s["code"], "device_mismatch", "{s}");
    let (bound, reported) = (s["details"]["bound_hardware_id"].as_str().unwrap_or_default(), s["details"]["reported_hardware_id"].as_str().unwrap_or_default());
    assert!(bound.contains('…') && !bound.contains(&hw[4..hw.len() - 4]), "masked: {bound}");
    assert_ne!(bound, reported);
    assert_eq!(status(&verified(&fp), &[("x-shoal-hardware-id", &hw)])["code"], "ok");

    let an_hour_ago = (chrono_now().timestamp() - 3600).to_string();
    let s = status(&verified(&fp), &[("x-shoal-hardware-id", &hw), ("x-shoal-device-time", &an_hour_ago)]);
    assert_eq!((s["code"].as_str(), s["details"]["direction"].as_str()), (Some("clock_tampering"), Some("backward")), "{s}");
    assert!(s["details"]["drift_seconds"].as_i64().is_some_and(|d| (3590..=3610).contains(&d)));
    assert_eq!(s["details"]["threshold_seconds"], 300);
    let ahead = (chrono_now() + chrono::Duration::hours(2)).to_rfc3339();
    assert_eq!(status(&verified(&fp), &[("x-shoal-device-time", &ahead)])["details"]["direction"], "forward");
    let now = chrono_now().to_rfc3339();
    assert_eq!(status(&verified(&fp), &[("x-shoal-device-time", &now)])["code"], "ok");
}

#[test]
fn license_tokens_are_checked_for_signature_expiry_and_binding() {
    let (id, fp, hw) = activated("acme.localhost");
    let license = license_for(&fp);
    assert_eq!(status(&verified(&fp), &[("x-shoal-license", &license)])["code"], "ok");
    // the device checks it offline with the public key alone, as a till without network would
    let health = edge("GET", "/edge/v1/health", &verified(&fp), None).json();
    let public = health["components"]["subscription"]["license_public_key"].as_str().unwrap_or_default().to_owned();
    let (claims, _) = device_license::verify_offline(&public, &license, chrono_now()).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!((claims.sub.as_str(), claims.fp.as_str()), (id.as_str(), fp.as_str()));
    let mut altered = license.clone();
    altered.insert(license.len() / 2, 'x');
    assert_eq!(status(&verified(&fp), &[("x-shoal-license", &altered)])["code"], "signature_invalid");

    // a genuine token issued by this server a week ago, for 72 hours
    let claims = LicenseClaims { sub: id, brand_id: ACME_ID.into(), fp: fp.clone(), hardware_id: hw, plan: None, subscription_status: "none".into() };
    let (old, _) = device_license::issue(&shoal_keys().signing(shoal_domain::keys::Purpose::DeviceLicense), claims, chrono_now() - chrono::Duration::days(7), 72)
        .unwrap_or_else(|| panic!("mint"));
    let s = status(&verified(&fp), &[("x-shoal-license", &old)]);
    assert_eq!((s["code"].as_str(), s["details"]["refresh_path"].as_str()), (Some("token_expired"), Some("/edge/v1/health")), "{s}");

    let (_, other_fp, _) = activated("acme.localhost");
    let s = status(&verified(&other_fp), &[("x-shoal-license", &license)]);
    assert_eq!((s["code"].as_str(), s["details"]["reason"].as_str()), (Some("binding_invalid"), Some("license_issued_to_another_certificate")));
}

#[test]
fn a_blocked_subscription_is_explained_in_the_brand_s_terms() {
    let owner = signed_up_owner("edge-blocked");
    let (_, fp, _) = activated(&owner.host);
    let health = edge("GET", "/edge/v1/health", &verified(&fp), None).json();
    assert_eq!(health["components"]["subscription"]["needs_refresh"], true, "holds no license yet");
    sql(&format!("insert into brand_subscriptions (brand_id, stripe_customer_id, status, plan, grace_period_ends_at)
                  values ('{b}', 'cus_{b}', 'unpaid', 'growth', now() - interval '1 day')
                  on conflict (brand_id) do update set status = 'unpaid', plan = 'growth', grace_period_ends_at = now() - interval '1 day'",
                 b = owner.brand_id));
    let s = status(&verified(&fp), &[]);
    assert_eq!(s["code"], "subscription_blocked", "{s}");
    let d = &s["details"];
    assert_eq!((d["status"].as_str(), d["plan"].as_str(), d["in_grace_period"].as_bool(), d["grace_period_days"].as_i64()),
               (Some("unpaid"), Some("growth"), Some(false), Some(7)));
    assert!(d["renewal_url"].as_str().is_some_and(|u| u.starts_with("https://")), "{d}");
    assert!(d["support_url"].is_string() && d["message"].as_str().is_some_and(|m| m.contains("subscription")));
    let refused = edge("GET", "/edge/v1/health", &verified(&fp), None);
    assert_eq!((refused.status, refused.error_code().as_str()), (403, "brand_blocked"), "the rest of the API refuses it");
}

#[test]
fn extreme_device_times_saturate_instead_of_wrapping_around() {
    let (_, fp, _) = activated("acme.localhost");
    // i64::MIN minus now wrapped to a huge positive drift: a clock far behind read as "forward"
    let s = status(&verified(&fp), &[("x-shoal-device-time", "-9223372036854775808")]);
    assert_eq!((s["code"].as_str(), s["details"]["direction"].as_str()), (Some("clock_tampering"), Some("backward")), "{s}");
    assert_eq!(s["details"]["drift_seconds"].as_i64(), Some(i64::MAX));
    let s = status(&verified(&fp), &[("x-shoal-device-time", "9223372036854775807")]);
    assert_eq!((s["code"].as_str(), s["details"]["direction"].as_str()), (Some("clock_tampering"), Some("forward")), "{s}");
}
