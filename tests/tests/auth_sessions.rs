//! Staff sign-in: Argon2id passwords, short access tokens, rotating refresh tokens with
//! reuse detection, logout and disabling that take effect at once, RBAC on the admin API.

use shoal_e2e::stripe::*;
use shoal_e2e::*;

const PASSWORD: &str = "Shoal-dev-2026!";
fn login_from(host: &str, email: &str, password: &str, ip: &str) -> Reply {
    let body = json!({"email": email, "password": password}).to_string();
    send("POST", host, "/api/v1/auth/login", &[("cf-connecting-ip", ip), ("content-type", "application/json")], Some(body))
}

fn login(host: &str, email: &str) -> Value {
    let r = login_from(host, email, PASSWORD, &fresh_ip());
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()
}

fn as_staff(method: &str, host: &str, path: &str, token: &str, body: Option<Value>) -> Reply {
    let auth = format!("Bearer {token}");
    send(method, host, path, &[("authorization", &auth), ("content-type", "application/json")], body.map(|b| b.to_string()))
}

fn refresh(host: &str, token: &str) -> Reply {
    send("POST", host, "/api/v1/auth/refresh", &[("content-type", "application/json")], Some(json!({"refresh_token": token}).to_string()))
}

#[test]
fn login_issues_cookies_and_tokens_and_wrong_passwords_are_refused_alike() {
    let r = login_from("acme.localhost", "admin@acme.localhost", PASSWORD, &fresh_ip());
    assert_eq!(r.status, 200, "{}", r.body);
    let cookies: Vec<String> = r.headers.get_all("set-cookie").iter().filter_map(|v| v.to_str().ok().map(str::to_owned)).collect();
    assert!(cookies
        .iter()
        .any(|c| c.starts_with("shoal_access=") && c.contains("HttpOnly") && c.contains("Secure") && c.contains("SameSite=Strict")));
    assert!(cookies.iter().any(|c| c.starts_with("shoal_refresh=") && c.contains("Path=/api/v1/auth")));
    let body = r.json();
    assert_eq!((body["token_type"].as_str(), body["expires_in"].as_i64()), (Some("Bearer"), Some(900)));
    assert_eq!(body["account"]["role"], "brand_admin");
    let me = as_staff("GET", "acme.localhost", "/api/v1/account/me", body["access_token"].as_str().unwrap_or_default(), None);
    assert_eq!(me.json()["role"], "brand_admin");
    // the dashboard sends the cookie instead of a Bearer header
    let cookie = cookies.iter().find(|c| c.starts_with("shoal_access=")).and_then(|c| c.split(';').next()).unwrap_or_default().to_owned();
    let me = send("GET", "acme.localhost", "/api/v1/account/me", &[("cookie", &cookie)], None);
    assert_eq!(me.json()["role"], "brand_admin", "{}", me.body);

    let wrong = login_from("acme.localhost", "admin@acme.localhost", "not-the-password", &fresh_ip());
    let unknown = login_from("acme.localhost", "nobody@acme.localhost", PASSWORD, &fresh_ip());
    let other_brand = login_from("acme.localhost", "admin@globex.localhost", PASSWORD, &fresh_ip());
    for r in [&wrong, &unknown, &other_brand] {
        assert_eq!((r.status, r.error_code().as_str()), (401, "invalid_credentials"), "{}", r.body);
    }
    assert_eq!(wrong.body, unknown.body, "no account enumeration");
    assert!(count("select count(*) from audit_log where action = 'login_failed' and target = 'nobody@acme.localhost'") >= 1);
}

#[test]
fn roles_decide_what_the_admin_api_allows() {
    let order = pending_order(ACME_ID, 1000, "USD");
    deliver(&event("checkout.session.completed", checkout_session(&order, ACME_ID, 1000, "USD", "paid")));
    let viewer = login("acme.localhost", "viewer@acme.localhost")["access_token"].as_str().unwrap_or_default().to_owned();
    let editor = login("acme.localhost", "editor@acme.localhost")["access_token"].as_str().unwrap_or_default().to_owned();
    let path = format!("/api/v1/admin/orders/{order}");
    let move_it = format!("{path}/transitions");
    assert_eq!(as_staff("GET", "acme.localhost", &path, &viewer, None).status, 200, "read_only reads orders");
    let r = as_staff("POST", "acme.localhost", &move_it, &viewer, Some(json!({"to": "processing"})));
    assert_eq!((r.status, r.error_code().as_str()), (403, "forbidden"), "read_only cannot write");
    let r = as_staff("POST", "acme.localhost", &move_it, &editor, Some(json!({"to": "processing"})));
    assert_eq!(r.status, 200, "{}", r.body);
    let actor = sql(&format!("select actor from audit_log where target = '{order}' and action = 'order_status_changed'"));
    assert_ne!(actor, "service_role", "the staff member is the actor");
    let r = as_staff("POST", "acme.localhost", "/api/v1/admin/billing/portal", &editor, Some(json!({})));
    assert_eq!(r.status, 403, "editors have no billing");
    // a token of acme is worth nothing on globex
    let r = as_staff("GET", "globex.localhost", &path, &editor, None);
    assert_eq!(r.status, 401);
}

#[test]
fn refresh_rotates_and_a_reused_token_revokes_the_whole_family() {
    let first = login("acme.localhost", "editor@acme.localhost");
    let r1 = first["refresh_token"].as_str().unwrap_or_default().to_owned();
    let second = refresh("acme.localhost", &r1);
    assert_eq!(second.status, 200, "{}", second.body);
    let r2 = second.json()["refresh_token"].as_str().unwrap_or_default().to_owned();
    let access2 = second.json()["access_token"].as_str().unwrap_or_default().to_owned();
    assert_ne!(r1, r2);
    assert_eq!(as_staff("GET", "acme.localhost", "/api/v1/account/me", &access2, None).status, 200);
    // the rotated token comes back: someone copied it; the family ends
    let reused = refresh("acme.localhost", &r1);
    assert_eq!((reused.status, reused.error_code().as_str()), (401, "refresh_token_reused"));
    assert_eq!(refresh("acme.localhost", &r2).status, 401, "the newest token of the family is dead too");
    assert_eq!(as_staff("GET", "acme.localhost", "/api/v1/account/me", &access2, None).status, 401, "and its access token");
    assert_eq!(refresh("acme.localhost", "not-a-token").error_code(), "invalid_refresh_token");
}

#[test]
fn logout_makes_the_access_token_useless_at_once() {
    let s = login("acme.localhost", "viewer@acme.localhost");
    let access = s["access_token"].as_str().unwrap_or_default().to_owned();
    assert_eq!(as_staff("GET", "acme.localhost", "/api/v1/account/me", &access, None).status, 200);
    assert_eq!(as_staff("POST", "acme.localhost", "/api/v1/auth/logout", &access, Some(json!({}))).status, 200);
    assert_eq!(as_staff("GET", "acme.localhost", "/api/v1/account/me", &access, None).status, 401);
    assert_eq!(refresh("acme.localhost", s["refresh_token"].as_str().unwrap_or_default()).status, 401);
}

#[test]
fn a_disabled_member_is_refused_at_once() {
    let (brand, host) = new_brand("team", "USD", "en");
    let email = format!("{}@example.com", unique("staff"));
    sql(&format!(
        "insert into accounts (email, password_hash, email_verified_at) select '{email}', password_hash, now() from accounts where email = 'editor@acme.localhost';
         insert into memberships (brand_id, account_id, role) select '{brand}', id, 'editor' from accounts where email = '{email}';"
    ));
    let access = login(&host, &email)["access_token"].as_str().unwrap_or_default().to_owned();
    assert_eq!(as_staff("GET", &host, "/api/v1/account/me", &access, None).status, 200);
    sql(&format!("update memberships set status = 'disabled' where brand_id = '{brand}'"));
    assert_eq!(as_staff("GET", &host, "/api/v1/account/me", &access, None).status, 401, "the database is asked, not the token");
    sql(&format!("update memberships set status = 'active', role = 'read_only' where brand_id = '{brand}'"));
    assert_eq!(as_staff("GET", &host, "/api/v1/account/me", &access, None).json()["role"], "read_only", "a role change applies at once");
}

#[test]
fn the_sixth_login_in_a_minute_from_one_ip_is_refused() {
    let addr = fresh_ip();
    for i in 0..5 {
        let r = login_from("globex.localhost", "viewer@globex.localhost", "wrong", &addr);
        assert_eq!(r.status, 401, "attempt {}", i + 1);
    }
    let r = login_from("globex.localhost", "viewer@globex.localhost", PASSWORD, &addr);
    assert_eq!((r.status, r.error_code().as_str()), (429, "rate_limited"));
    let wait: u64 = r.header("retry-after").and_then(|v| v.parse().ok()).unwrap_or(0);
    assert!((1..=60).contains(&wait), "Retry-After {wait}");
    assert_eq!(login_from("globex.localhost", "viewer@globex.localhost", PASSWORD, &fresh_ip()).status, 200, "another IP is fine");
    // the window ends when Retry-After says
    std::thread::sleep(std::time::Duration::from_secs(wait + 1));
    assert_eq!(login_from("globex.localhost", "viewer@globex.localhost", PASSWORD, &addr).status, 200, "reset after the window");
}

#[test]
fn the_staff_api_allows_a_hundred_requests_a_minute_per_ip() {
    let token = login("acme.localhost", "viewer@acme.localhost")["access_token"].as_str().unwrap_or_default().to_owned();
    let auth = format!("Bearer {token}");
    let addr = fresh_ip();
    let me = || send("GET", "acme.localhost", "/api/v1/account/me", &[("authorization", &auth), ("cf-connecting-ip", &addr)], None);
    start_of_a_window();
    for i in 0..100 {
        assert_eq!(me().status, 200, "request {}", i + 1);
    }
    let r = me();
    assert_eq!((r.status, r.error_code().as_str()), (429, "rate_limited"));
}

#[test]
fn a_super_admin_switches_into_any_brand_and_the_switch_is_audited() {
    let token = login("globex.localhost", "super@shoal.localhost")["access_token"].as_str().unwrap_or_default().to_owned();
    assert_eq!(as_staff("GET", "globex.localhost", "/api/v1/account/me", &token, None).json()["role"], "super_admin");
    let log = as_staff("GET", "globex.localhost", "/api/v1/admin/audit-log?action=brand_switched", &token, None);
    assert_eq!(log.status, 200, "{}", log.body);
    assert!(log.json()["items"].as_array().is_some_and(|a| !a.is_empty()));
    assert_eq!(as_staff("GET", "acme.localhost", "/api/v1/account/me", &token, None).status, 401, "the switch is to one brand");
}

/// A verified staff account of its own on `brand` (the development password), so a test can
/// fail its logins without touching the shared development accounts.
fn own_member(brand: &str, role: &str) -> (String, String) {
    let email = format!("{}@example.com", unique("member"));
    let id = sql(&format!(
        "insert into accounts (email, password_hash, email_verified_at) select '{email}', password_hash, now() from accounts where email = 'editor@acme.localhost' returning id"
    ));
    sql(&format!("insert into memberships (brand_id, account_id, role) values ('{brand}', '{id}', '{role}')"));
    (email, id)
}

#[test]
fn failures_on_another_brands_host_never_lock_an_account_out_and_the_limit_says_nothing_about_existence() {
    let (email, id) = own_member(ACME_ID, "brand_admin");
    let ghost = format!("ghost-{email}");
    // an attacker on globex's host, a new IP for every try (the per-IP minute limit never bites)
    let hammer = |who: &str| -> Reply {
        for i in 0..100 {
            let r = login_from("globex.localhost", who, "wrong-password", &fresh_ip());
            assert_eq!(r.status, 401, "attempt {} for {who}: {}", i + 1, r.body);
        }
        login_from("globex.localhost", who, "wrong-password", &fresh_ip())
    };
    let (known, unknown) = std::thread::scope(|s| {
        let k = s.spawn(|| hammer(&email));
        let u = s.spawn(|| hammer(&ghost));
        (k.join().unwrap_or_else(|_| panic!("known")), u.join().unwrap_or_else(|_| panic!("unknown")))
    });
    assert_eq!((known.status, known.error_code().as_str()), (429, "rate_limited"), "{}", known.body);
    assert_eq!(
        (known.status, &known.body, known.header("retry-after")),
        (unknown.status, &unknown.body, unknown.header("retry-after")),
        "a locked known email and a locked unknown one look alike"
    );
    // the account's own brand is untouched
    assert_eq!(login_from("acme.localhost", &email, PASSWORD, &fresh_ip()).status, 200, "no lockout across brands");
    // globex's audit log names no account of another brand
    assert_eq!(count(&format!("select count(*) from audit_log where brand_id = '{GLOBEX_ID}' and (actor = '{id}' or target = '{id}' or detail::text like '%{id}%')")), 0);
    assert!(count(&format!("select count(*) from audit_log where brand_id = '{GLOBEX_ID}' and action = 'login_failed' and actor = 'anonymous' and target = '{email}'")) >= 100);
}

#[test]
fn logout_ends_every_access_token_of_the_session_family() {
    let first = login("acme.localhost", "viewer@acme.localhost");
    let older = first["access_token"].as_str().unwrap_or_default().to_owned();
    let second = refresh("acme.localhost", first["refresh_token"].as_str().unwrap_or_default());
    assert_eq!(second.status, 200, "{}", second.body);
    let newer = second.json()["access_token"].as_str().unwrap_or_default().to_owned();
    assert_eq!(as_staff("GET", "acme.localhost", "/api/v1/account/me", &older, None).status, 200, "both live before logout");
    assert_eq!(as_staff("POST", "acme.localhost", "/api/v1/auth/logout", &newer, Some(json!({}))).status, 200);
    let r = as_staff("GET", "acme.localhost", "/api/v1/account/me", &older, None);
    assert_eq!((r.status, r.error_code().as_str()), (401, "unauthorized"), "the older token of the family is refused too");
    assert_eq!(as_staff("GET", "acme.localhost", "/api/v1/account/me", &newer, None).status, 401);
    assert_eq!(refresh("acme.localhost", second.json()["refresh_token"].as_str().unwrap_or_default()).status, 401);
}

#[test]
fn a_refresh_token_sent_to_another_brands_host_is_refused_and_not_spent() {
    let s = login("acme.localhost", "editor@acme.localhost");
    let token = s["refresh_token"].as_str().unwrap_or_default().to_owned();
    let hash = shoal_domain::access_token::refresh_hash(&token);
    let r = refresh("globex.localhost", &token);
    assert_eq!((r.status, r.error_code().as_str()), (401, "invalid_refresh_token"));
    assert_eq!(
        sql(&format!("select (rotated_at is null and revoked_at is null)::text from sessions where refresh_hash = '{hash}'")),
        "true",
        "untouched"
    );
    let r = refresh("acme.localhost", &token);
    assert_eq!(r.status, 200, "still good on its own brand: {}", r.body);
}

#[test]
fn an_unverified_account_cannot_sign_in_and_gets_a_fresh_code_instead() {
    let (brand, host) = new_brand("unver", "USD", "en");
    let email = format!("{}@example.com", unique("unverified"));
    sql(&format!(
        "insert into accounts (email, password_hash) select '{email}', password_hash from accounts where email = 'editor@acme.localhost';
         insert into memberships (brand_id, account_id, role) select '{brand}', id, 'brand_admin' from accounts where email = '{email}';"
    ));
    let right = login_from(&host, &email, PASSWORD, &fresh_ip());
    let wrong = login_from(&host, &email, "not-the-password", &fresh_ip());
    assert_eq!((right.status, right.error_code().as_str()), (401, "invalid_credentials"), "{}", right.body);
    assert_eq!(right.body, wrong.body, "the answer does not tell the password was right");
    assert_eq!(count(&format!("select count(*) from sessions s join accounts a on a.id = s.account_id where a.email = '{email}'")), 0);
    // the owner of the address gets a code (only after the right password), and once verified signs in
    assert_eq!(count(&format!("select count(*) from email_outbox where to_email = '{email}' and template = 'verification_code'")), 1);
    verify_email(&email);
    assert_eq!(login_from(&host, &email, PASSWORD, &fresh_ip()).status, 200);
}

#[test]
fn the_login_decoy_hash_is_no_accounts_hash() {
    let decoy = shoal_domain::password::DECOY_HASH;
    assert_eq!(
        count(&format!("select count(*) from accounts where password_hash = '{decoy}'")),
        0,
        "the seeded password must not match the decoy"
    );
    let r = login_from("acme.localhost", "nobody-at-all@acme.localhost", PASSWORD, &fresh_ip());
    assert_eq!((r.status, r.error_code().as_str()), (401, "invalid_credentials"));
}

#[test]
fn a_super_admin_is_held_to_a_brands_mfa_requirement() {
    let (brand, host) = new_brand("supermfa", "USD", "en");
    sql(&format!("update brands set require_mfa_for_admins = true where id = '{brand}'"));
    let token = login(&host, "super@shoal.localhost")["access_token"].as_str().unwrap_or_default().to_owned();
    let r = as_staff("GET", &host, "/api/v1/admin/members", &token, None);
    assert_eq!((r.status, r.error_code().as_str()), (403, "mfa_enrollment_required"), "{}", r.body);
}
