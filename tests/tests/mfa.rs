//! Staff MFA: TOTP enrolment with recovery codes, the second factor at login, and a brand
//! that requires it of its admins.

use shoal_domain::totp;
use shoal_e2e::*;

fn call(method: &str, host: &str, path: &str, token: Option<&str>, body: Value) -> Reply {
    let ip = fresh_ip();
    let auth = token.map(|t| format!("Bearer {t}")).unwrap_or_default();
    let mut headers = vec![("cf-connecting-ip", ip.as_str()), ("content-type", "application/json")];
    if token.is_some() {
        headers.push(("authorization", auth.as_str()));
    }
    send(method, host, path, &headers, Some(body.to_string()))
}

fn now() -> i64 {
    shoal_e2e::stripe::now()
}

/// A signed-up brand and its owner: (host, email, token).
fn owner() -> (String, String, String) {
    let o = signed_up_owner("mfa");
    (o.host, o.email, o.token)
}

fn login(host: &str, email: &str, extra: Value) -> Reply {
    let mut body = json!({"email": email, "password": OWNER_PASSWORD});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    call("POST", host, "/api/v1/auth/login", None, body)
}

fn enrol(host: &str, token: &str) -> (String, Vec<String>) {
    let setup = call("POST", host, "/api/v1/account/mfa/setup", Some(token), json!({}));
    assert_eq!(setup.status, 200, "{}", setup.body);
    let secret = setup.json()["secret"].as_str().unwrap_or_default().to_owned();
    assert!(setup.json()["otpauth_uri"].as_str().is_some_and(|u| u.starts_with("otpauth://totp/")));
    assert_eq!(call("POST", host, "/api/v1/account/mfa/enable", Some(token), json!({"otp": "000000"})).error_code(), "otp_invalid");
    let code = totp::code_at(&secret, now()).unwrap_or_default();
    let enabled = call("POST", host, "/api/v1/account/mfa/enable", Some(token), json!({"otp": code}));
    assert_eq!(enabled.status, 200, "{}", enabled.body);
    let recovery: Vec<String> = enabled.json()["recovery_codes"].as_array().map(|a| a.iter().filter_map(|c| c.as_str().map(str::to_owned)).collect()).unwrap_or_default();
    (secret, recovery)
}

#[test]
fn once_enrolled_login_needs_a_code_or_a_single_use_recovery_code() {
    let (host, email, token) = owner();
    let (secret, recovery) = enrol(&host, &token);
    assert_eq!(recovery.len(), 10);
    let r = login(&host, &email, json!({}));
    assert_eq!((r.status, r.error_code().as_str()), (401, "mfa_required"));
    let wrong = if totp::code_at(&secret, now()).as_deref() == Some("123456") { "654321" } else { "123456" };
    assert_eq!(login(&host, &email, json!({"otp": wrong})).error_code(), "invalid_credentials");
    assert_eq!(login(&host, &email, json!({"otp": totp::code_at(&secret, now()).unwrap_or_default()})).status, 200);
    assert_eq!(login(&host, &email, json!({"recovery_code": recovery[0]})).status, 200);
    assert_eq!(login(&host, &email, json!({"recovery_code": recovery[0]})).status, 401, "a recovery code works once");
    let actions = sql(&format!("select string_agg(action, ',' order by id) from audit_log where action like 'mfa_%' and actor = (select id::text from accounts where email = '{email}')"));
    assert_eq!(actions, "mfa_enabled");
}

#[test]
fn a_brand_requiring_mfa_keeps_its_admins_out_until_they_enrol() {
    let (host, _, token) = owner();
    let r = call("PATCH", &host, "/api/v1/admin/settings/security", Some(&token), json!({"require_mfa_for_admins": true}));
    assert_eq!(r.status, 200, "{}", r.body);
    let r = call("GET", &host, "/api/v1/admin/members", Some(&token), json!({}));
    assert_eq!((r.status, r.error_code().as_str()), (403, "mfa_enrollment_required"));
    let (secret, _) = enrol(&host, &token);
    assert_eq!(call("GET", &host, "/api/v1/admin/members", Some(&token), json!({})).status, 200, "enrolled: the admin API opens");
    let r = call("POST", &host, "/api/v1/account/mfa/disable", Some(&token), json!({"otp": totp::code_at(&secret, now()).unwrap_or_default()}));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(call("GET", &host, "/api/v1/admin/members", Some(&token), json!({})).error_code(), "mfa_enrollment_required");
}
