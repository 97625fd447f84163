//! `GET /edge/v1/status`: every reason reachable over HTTP and shaped as docs/edge-api.md
//! says — `{"code", "details", "recovery", "can_auto_recover", "server_time"}` — even for
//! refused devices, with hints in the brand's language; and what `/health` reports.

use shoal_domain::device_license::{self, LicenseClaims};
use shoal_e2e::edge::*;
use shoal_e2e::*;

fn status(blob: &str, extra: &[(&str, &str)]) -> Value {
    let r = edge_with("GET", "/edge/v1/status", blob, extra, None);
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    assert!(v["recovery"].as_str().is_some_and(|h| !h.is_empty()) && v["server_time"].is_string(), "{v}");
    assert!(v["can_auto_recover"].is_boolean(), "{v}");
    v
}

/// The brand's subscription row, as a billing event would leave it.
fn subscription(brand: &str, status: &str, grace: &str) {
    sql(&format!(
        "insert into brand_subscriptions (brand_id, stripe_customer_id, status, plan, grace_period_ends_at)
                  values ('{brand}', 'cus_{brand}', '{status}', 'growth', {grace})
                  on conflict (brand_id) do update set status = '{status}', plan = 'growth', grace_period_ends_at = {grace}"
    ));
}

fn license_for(fp: &str) -> String {
    let h = edge("GET", "/edge/v1/health", &verified(fp), None).json();
    h["components"]["subscription"]["license"].as_str().unwrap_or_default().to_owned()
}

#[test]
fn certificate_reasons_come_before_the_device_is_known() {
    assert_eq!(status(&json!({"clientAcceptEncoding": ""}).to_string(), &[])["code"], "first_time_setup");
    let invalid = status(&cf("1", "FAILED:unable to get local issuer certificate", "0", &"ab".repeat(32)), &[]);
    assert_eq!(
        (invalid["code"].as_str(), invalid["details"]["reason"].as_str()),
        (Some("certificate_invalid"), Some("unable to get local issuer certificate"))
    );
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
    assert_eq!(
        (s["code"].as_str(), s["details"]["source"].as_str(), s["details"]["reason"].as_str()),
        (Some("revoked"), Some("device"), Some("till stolen"))
    );
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
    let (bound, reported) =
        (s["details"]["bound_hardware_id"].as_str().unwrap_or_default(), s["details"]["reported_hardware_id"].as_str().unwrap_or_default());
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
    let s = status(&verified(&fp), &[("x-shoal-license", &altered)]);
    assert_eq!((s["code"].as_str(), s["details"]["component"].as_str()), (Some("signature_invalid"), Some("license")), "{s}");
    // one character of the signature changed: still a well-formed token, but not ours
    let (signed, signature) = license.rsplit_once('.').unwrap_or_default();
    let mut forged: Vec<char> = signature.chars().collect();
    forged[10] = if forged[10] == 'A' { 'B' } else { 'A' };
    let forged = format!("{signed}.{}", forged.into_iter().collect::<String>());
    let s = status(&verified(&fp), &[("x-shoal-license", &forged)]);
    assert_eq!(s["details"], json!({"component": "license", "error": "signature_mismatch"}), "names the component and the error");
    assert_eq!(s["can_auto_recover"], true, "a new license is one /health away");
    let s = status(&verified(&fp), &[("x-shoal-license", "not-a-token")]);
    assert_eq!(s["details"], json!({"component": "license", "error": "malformed_token"}), "{s}");

    // a genuine token issued by this server a week ago, for 72 hours
    let claims = LicenseClaims {
        sub: id,
        brand_id: ACME_ID.into(),
        fp: fp.clone(),
        hardware_id: hw,
        plan: None,
        subscription_status: "none".into(),
    };
    let (old, _) = device_license::issue(
        &shoal_keys().signing(shoal_domain::keys::Purpose::DeviceLicense),
        claims,
        chrono_now() - chrono::Duration::days(7),
        72,
    )
    .unwrap_or_else(|| panic!("mint"));
    let s = status(&verified(&fp), &[("x-shoal-license", &old)]);
    assert_eq!((s["code"].as_str(), s["details"]["refresh_path"].as_str()), (Some("token_expired"), Some("/edge/v1/health")), "{s}");
    assert_eq!(s["can_auto_recover"], true);

    let (_, other_fp, _) = activated("acme.localhost");
    let s = status(&verified(&other_fp), &[("x-shoal-license", &license)]);
    assert_eq!(
        (s["code"].as_str(), s["details"]["reason"].as_str()),
        (Some("binding_invalid"), Some("license_issued_to_another_certificate"))
    );
}

#[test]
fn a_blocked_subscription_is_explained_in_the_brand_s_terms() {
    let owner = signed_up_owner("edge-blocked");
    let (_, fp, _) = activated(&owner.host);
    let health = edge("GET", "/edge/v1/health", &verified(&fp), None).json();
    assert_eq!(health["components"]["subscription"]["needs_refresh"], true, "holds no license yet");
    subscription(&owner.brand_id, "unpaid", "now() - interval '1 day'");
    let s = status(&verified(&fp), &[]);
    assert_eq!(s["code"], "subscription_blocked", "{s}");
    assert_eq!(s["can_auto_recover"], false, "the owner must pay");
    let d = &s["details"];
    assert_eq!(
        (d["reason"].as_str(), d["status"].as_str(), d["plan"].as_str(), d["grace_period_days"].as_i64()),
        (Some("unpaid"), Some("unpaid"), Some("growth"), Some(7))
    );
    // the links lead to the brand's own host, where links_walk.rs follows them to a page
    for key in ["renewal_url", "support_url"] {
        let url = d[key].as_str().unwrap_or_default();
        assert!(url.starts_with("http") && url.contains(&format!("://{}", owner.host)), "{key} on the brand's host: {url}");
        let path =
            url.split_once(&owner.host).map(|(_, rest)| rest.trim_start_matches(|c: char| c == ':' || c.is_ascii_digit())).unwrap_or("/");
        assert_eq!(get(&owner.host, path).status, 200, "{url}");
    }
    assert!(d["message"].as_str().is_some_and(|m| m.contains("unpaid")), "{d}");
    let refused = edge("GET", "/edge/v1/health", &verified(&fp), None);
    assert_eq!((refused.status, refused.error_code().as_str()), (403, "brand_blocked"), "the rest of the API refuses it");

    // canceled, and past due after its grace period: each its reason and message
    let mut messages = vec![d["message"].clone()];
    for (state, reason) in [("canceled", "canceled"), ("past_due", "past_due_grace_ended")] {
        subscription(&owner.brand_id, state, "now() - interval '1 day'");
        let s = status(&verified(&fp), &[]);
        assert_eq!((s["code"].as_str(), s["details"]["reason"].as_str()), (Some("subscription_blocked"), Some(reason)), "{s}");
        messages.push(s["details"]["message"].clone());
        assert_eq!(edge("GET", "/edge/v1/health", &verified(&fp), None).status, 403, "{state} past grace is blocked");
    }
    messages.dedup();
    assert_eq!(messages.len(), 3, "{messages:?}");
    let r = send("GET", &owner.host, "/api/v1/admin/members", &[("authorization", &format!("Bearer {}", owner.token))], None);
    assert_eq!((r.status, r.error_code().as_str()), (402, "subscription_blocked"), "past due past grace blocks the admin API too");

    // a Spanish brand reads its message and hint in Spanish
    sql(&format!("update brands set locale = 'es' where id = '{}'", owner.brand_id));
    let s = status(&verified(&fp), &[]);
    assert!(s["details"]["message"].as_str().is_some_and(|m| m.starts_with("Un pago")), "{s}");
    assert!(s["recovery"].as_str().is_some_and(|m| m.contains("suscripción")), "{s}");
}

#[test]
fn inside_the_grace_period_the_device_works_with_a_warning() {
    let owner = signed_up_owner("edge-grace");
    let (_, fp, _) = activated(&owner.host);
    let ok = status(&verified(&fp), &[]);
    assert_eq!((ok["code"].as_str(), &ok["details"]["subscription_warning"]), (Some("ok"), &Value::Null), "{ok}");
    for state in ["past_due", "unpaid", "canceled"] {
        subscription(&owner.brand_id, state, "now() + interval '3 days 1 hour'");
        let s = status(&verified(&fp), &[]);
        assert_eq!(s["code"], "ok", "{state}: {s}");
        let w = &s["details"]["subscription_warning"];
        assert_eq!((w["status"].as_str(), w["days_left"].as_i64()), (Some(state), Some(3)), "{w}");
        assert!(w["grace_period_ends_at"].is_string() && w["message"].as_str().is_some_and(|m| m.contains("grace period")), "{w}");
        assert!(w["renewal_url"].as_str().is_some_and(|u| u.contains(&owner.host)), "{w}");
        let h = edge("GET", "/edge/v1/health", &verified(&fp), None);
        assert_eq!(h.status, 200, "{state}: the rest of the API works in grace: {}", h.body);
        assert_eq!(h.json()["components"]["subscription"]["status"], "warning");
    }
}

#[test]
fn recovery_hints_are_in_the_brand_s_language() {
    // globex is the Spanish demo brand, acme the English one
    let (_, es_fp, _) = activated("globex.localhost");
    let (_, en_fp, _) = activated("acme.localhost");
    let an_hour_ago = (chrono_now().timestamp() - 3600).to_string();
    let es = status(&verified(&es_fp), &[("x-shoal-device-time", &an_hour_ago)]);
    let en = status(&verified(&en_fp), &[("x-shoal-device-time", &an_hour_ago)]);
    assert_eq!((es["code"].as_str(), en["code"].as_str()), (Some("clock_tampering"), Some("clock_tampering")));
    assert!(es["recovery"].as_str().is_some_and(|h| h.contains("sincroniza el reloj")), "{es}");
    assert!(en["recovery"].as_str().is_some_and(|h| h.contains("set the device clock")), "{en}");
    assert_eq!((es["can_auto_recover"].as_bool(), en["can_auto_recover"].as_bool()), (Some(true), Some(true)), "NTP fixes it");
    let es_ok = status(&verified(&es_fp), &[]);
    assert_eq!((es_ok["code"].as_str(), es_ok["recovery"].as_str()), (Some("ok"), Some("nada que hacer")));
    // before a device is known there is no brand: English
    let setup = status(&json!({"clientAcceptEncoding": ""}).to_string(), &[]);
    assert_eq!(
        (setup["can_auto_recover"].as_bool(), setup["recovery"].as_str().map(|h| h.starts_with("activate"))),
        (Some(false), Some(true))
    );
}

#[test]
fn health_reports_when_it_checked_the_brand_and_the_network_as_the_server_saw_it() {
    let (id, fp, _) = activated("globex.localhost");
    let first = edge("GET", "/edge/v1/health", &verified(&fp), None);
    assert_eq!(first.status, 200, "{}", first.body);
    let first = first.json();
    assert!(first["checked_at"].as_str().is_some_and(|t| t.starts_with("20")), "{first}");
    assert_eq!(first["device"]["brand_id"], GLOBEX_ID);
    let n = &first["components"]["network"];
    assert_eq!((n["status"].as_str(), n["auth_server_reachable"].as_bool()), (Some("healthy"), Some(true)), "{n}");
    assert!(n["server_ms"].is_u64() && n["last_seen_at"].is_string(), "{n}");
    // a device silent for two days (longer than a license refresh interval) was cut off
    sql(&format!("update devices set last_seen_at = now() - interval '2 days' where id = '{id}'"));
    let back = edge("GET", "/edge/v1/health", &verified(&fp), None).json();
    let n = &back["components"]["network"];
    assert_eq!(n["status"], "warning", "{n}");
    assert!(n["offline_seconds"].as_i64().is_some_and(|s| (172_700..=172_900).contains(&s)), "{n}");
    assert!(n["previous_seen_at"].is_string(), "{n}");
    assert_eq!(back["overall"], "warning");
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
