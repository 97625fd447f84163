//! The audit log names account actions as docs/auth.md lists them, read where staff read
//! it (the audit API): `login`, with the session it opened and the request it came from,
//! and `password_changed`.

use shoal_e2e::*;

fn as_owner(method: &str, host: &str, path: &str, token: &str, body: Option<Value>) -> Reply {
    let auth = format!("Bearer {token}");
    send(method, host, path, &[("authorization", &auth), ("content-type", "application/json")], body.map(|b| b.to_string()))
}

/// The brand's audit entries of `action`, newest first, through the staff audit API.
fn audited(host: &str, token: &str, action: &str) -> Vec<Value> {
    let r = as_owner("GET", host, &format!("/api/v1/admin/audit-log?action={action}&limit=50"), token, None);
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["items"].as_array().cloned().unwrap_or_default()
}

fn account_id(email: &str) -> String {
    sql(&format!("select id from accounts where email = '{email}'"))
}

#[test]
fn a_login_is_audited_as_login_with_its_session_ip_and_request() {
    let owner = signed_up_owner("audlogin");
    let ip = fresh_ip();
    let body = json!({"email": owner.email, "password": OWNER_PASSWORD}).to_string();
    let r = send(
        "POST",
        &owner.host,
        "/api/v1/auth/login",
        &[("cf-connecting-ip", ip.as_str()), ("content-type", "application/json")],
        Some(body),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let token = r.json()["access_token"].as_str().unwrap_or_default().to_owned();
    let request_id = r.header("x-request-id").unwrap_or_default();

    let logins = audited(&owner.host, &token, "login");
    assert_eq!(logins.len(), 2, "the sign-up's login and this one: {logins:?}");
    let newest = &logins[0];
    assert_eq!(newest["actor"], account_id(&owner.email));
    assert_eq!(newest["ip"], ip.as_str());
    assert_eq!(newest["request_id"], request_id.as_str(), "{newest}");
    let session = newest["target"].as_str().unwrap_or_default();
    assert_eq!(
        count(&format!("select count(*) from sessions where id::text = '{session}' and brand_id = '{}'", owner.brand_id)),
        1,
        "the target is the session the login opened"
    );
    // a wrong password is `login_failed`, never `login`
    let body = json!({"email": owner.email, "password": "Wrong-Pass-000"}).to_string();
    let ip = fresh_ip();
    let r = send(
        "POST",
        &owner.host,
        "/api/v1/auth/login",
        &[("cf-connecting-ip", ip.as_str()), ("content-type", "application/json")],
        Some(body),
    );
    assert_eq!(r.status, 401, "{}", r.body);
    assert_eq!(audited(&owner.host, &token, "login").len(), 2);
    assert_eq!(audited(&owner.host, &token, "login_failed").len(), 1);
}

#[test]
fn a_password_change_is_audited_as_password_changed() {
    let owner = signed_up_owner("audpass");
    assert!(audited(&owner.host, &owner.token, "password_changed").is_empty());
    let r = as_owner(
        "POST",
        &owner.host,
        "/api/v1/account/password",
        &owner.token,
        Some(json!({"current_password": OWNER_PASSWORD, "new_password": "Changed-Pass-2026"})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    // the token's own session stays: it reads its brand's log
    let changed = audited(&owner.host, &owner.token, "password_changed");
    assert_eq!(changed.len(), 1, "{changed:?}");
    let me = account_id(&owner.email);
    assert_eq!((changed[0]["actor"].as_str(), changed[0]["target"].as_str()), (Some(me.as_str()), Some(me.as_str())));
    assert_eq!(changed[0]["request_id"].as_str(), r.header("x-request-id").as_deref(), "{}", changed[0]);
    // a refused change (wrong current password) is not audited as a change
    let r = as_owner(
        "POST",
        &owner.host,
        "/api/v1/account/password",
        &owner.token,
        Some(json!({"current_password": "Wrong-Pass-000", "new_password": "Other-Pass-2026"})),
    );
    assert_eq!(r.status, 401, "{}", r.body);
    assert_eq!(audited(&owner.host, &owner.token, "password_changed").len(), 1);
}
