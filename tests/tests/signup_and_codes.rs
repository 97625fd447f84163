//! Sign-up on the platform host, one-time codes (verify email, reset password), password
//! change; each with its bad paths.

use shoal_e2e::*;
fn post(host: &str, path: &str, body: Value, ip: &str) -> Reply {
    send("POST", host, path, &[("cf-connecting-ip", ip), ("content-type", "application/json")], Some(body.to_string()))
}

fn last_code(email: &str, template: &str) -> String {
    sql(&format!("select payload->>'code' from email_outbox where to_email = '{email}' and template = '{template}' order by created_at desc limit 1"))
}

fn signup(slug: &str, email: &str) -> Reply {
    post("localhost", "/api/v1/auth/signup",
         json!({"brand_name": "Fresh Shop", "slug": slug, "email": email, "password": "Fresh-Start-42"}), &fresh_ip())
}

fn login(host: &str, email: &str, password: &str) -> Reply {
    post(host, "/api/v1/auth/login", json!({"email": email, "password": password}), &fresh_ip())
}

#[test]
fn sign_up_creates_brand_domain_owner_and_a_code_in_one_go() {
    let slug = unique("new").chars().take(30).collect::<String>();
    let email = format!("{slug}@example.com");
    let r = signup(&slug, &email);
    assert_eq!(r.status, 201, "{}", r.body);
    let host = format!("{slug}.localhost");
    assert_eq!(r.json()["host"], host);
    assert_eq!(get(&host, "/api/v1/store/brand").json()["slug"], slug, "the new shop answers on its domain");
    let code = last_code(&email, "verification_code");
    assert_eq!(code.len(), 6);
    assert_eq!(sql(&format!("select role from memberships m join accounts a on a.id = m.account_id where a.email = '{email}'")), "brand_admin");
    assert_eq!(login(&host, &email, "Fresh-Start-42").status, 401, "no sign-in before the email is verified");

    let again = signup(&format!("{slug}x"), &email);
    assert_eq!((again.status, again.error_code().as_str()), (409, "email_taken"));
    let clash = signup(&slug, &format!("other-{email}"));
    assert_eq!((clash.status, clash.error_code().as_str()), (409, "slug_taken"));
    assert_eq!(count(&format!("select count(*) from brands where slug like '{slug}%'")), 1, "nothing half-created");
    let weak = post("localhost", "/api/v1/auth/signup", json!({"brand_name": "W", "slug": format!("{slug}w"), "email": format!("w{email}"), "password": "password"}), &fresh_ip());
    assert_eq!((weak.status, weak.error_code().as_str()), (422, "password_too_simple"));

    // the refused sign-in above sent a fresh code (the earlier one is replaced)
    let code = last_code(&email, "verification_code");
    let ok = post("localhost", "/api/v1/auth/verify-email", json!({"email": email, "code": code}), &fresh_ip());
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(count(&format!("select count(*) from accounts where email = '{email}' and email_verified_at is not null")), 1);
    assert_eq!(post("localhost", "/api/v1/auth/verify-email", json!({"email": email, "code": code}), &fresh_ip()).error_code(), "code_invalid", "a code works once");
    assert_eq!(login(&host, &email, "Fresh-Start-42").status, 200, "verified: the owner signs in");
}

#[test]
fn five_wrong_codes_lock_the_code_and_a_new_one_works() {
    let slug = unique("lock").chars().take(30).collect::<String>();
    let email = format!("{slug}@example.com");
    assert_eq!(signup(&slug, &email).status, 201);
    let right = last_code(&email, "verification_code");
    let wrong = if right == "000000" { "111111" } else { "000000" };
    for i in 0..5 {
        let r = post("localhost", "/api/v1/auth/verify-email", json!({"email": email, "code": wrong}), &fresh_ip());
        assert_eq!(r.status, if i < 4 { 400 } else { 429 }, "attempt {}: {}", i + 1, r.body);
    }
    let r = post("localhost", "/api/v1/auth/verify-email", json!({"email": email, "code": right}), &fresh_ip());
    assert_eq!((r.status, r.error_code().as_str()), (429, "code_locked"), "even the right code, once locked");
    assert_eq!(post("localhost", "/api/v1/auth/resend-verification", json!({"email": email}), &fresh_ip()).status, 202);
    let fresh = last_code(&email, "verification_code");
    assert_eq!(post("localhost", "/api/v1/auth/verify-email", json!({"email": email, "code": fresh}), &fresh_ip()).status, 200);
}

#[test]
fn an_expired_code_is_refused() {
    let slug = unique("exp").chars().take(30).collect::<String>();
    let email = format!("{slug}@example.com");
    assert_eq!(signup(&slug, &email).status, 201);
    let code = last_code(&email, "verification_code");
    sql(&format!("update auth_codes set expires_at = now() - interval '1 second' where account_id = (select id from accounts where email = '{email}')"));
    let r = post("localhost", "/api/v1/auth/verify-email", json!({"email": email, "code": code}), &fresh_ip());
    assert_eq!((r.status, r.error_code().as_str()), (400, "code_expired"));
}

#[test]
fn password_reset_answers_alike_and_ends_every_session() {
    let slug = unique("rst").chars().take(30).collect::<String>();
    let email = format!("{slug}@example.com");
    assert_eq!(signup(&slug, &email).status, 201);
    verify_email(&email);
    let host = format!("{slug}.localhost");
    let access = login(&host, &email, "Fresh-Start-42").json()["access_token"].as_str().unwrap_or_default().to_owned();
    let known = post(&host, "/api/v1/auth/forgot-password", json!({"email": email}), &fresh_ip());
    let unknown = post(&host, "/api/v1/auth/forgot-password", json!({"email": format!("ghost-{email}")}), &fresh_ip());
    assert_eq!((known.status, known.body.clone()), (unknown.status, unknown.body.clone()), "no way to tell accounts apart");
    let code = last_code(&email, "password_reset");
    let weak = post(&host, "/api/v1/auth/reset-password", json!({"email": email, "code": code, "new_password": "short"}), &fresh_ip());
    assert_eq!(weak.error_code(), "password_too_short");
    let r = post(&host, "/api/v1/auth/reset-password", json!({"email": email, "code": code, "new_password": "Brand-New-Pass-7"}), &fresh_ip());
    assert_eq!(r.status, 200, "{}", r.body);
    let me = send("GET", &host, "/api/v1/account/me", &[("authorization", &format!("Bearer {access}"))], None);
    assert_eq!(me.status, 401, "sessions from before the reset are over");
    assert_eq!(login(&host, &email, "Fresh-Start-42").status, 401);
    assert_eq!(login(&host, &email, "Brand-New-Pass-7").status, 200);
    assert!(count(&format!("select count(*) from audit_log where action = 'password_reset' and actor = (select id::text from accounts where email = '{email}')")) == 1);
}

#[test]
fn changing_the_password_needs_the_current_one_and_ends_other_sessions() {
    let slug = unique("chg").chars().take(30).collect::<String>();
    let email = format!("{slug}@example.com");
    assert_eq!(signup(&slug, &email).status, 201);
    verify_email(&email);
    let host = format!("{slug}.localhost");
    let here = login(&host, &email, "Fresh-Start-42").json()["access_token"].as_str().unwrap_or_default().to_owned();
    let elsewhere = login(&host, &email, "Fresh-Start-42").json()["access_token"].as_str().unwrap_or_default().to_owned();
    let auth = format!("Bearer {here}");
    let change = |current: &str| {
        send("POST", &host, "/api/v1/account/password", &[("authorization", &auth), ("content-type", "application/json")],
             Some(json!({"current_password": current, "new_password": "Changed-Pass-99"}).to_string()))
    };
    assert_eq!(change("wrong-password").error_code(), "invalid_credentials");
    assert_eq!(change("Fresh-Start-42").status, 200);
    let me = |t: &str| send("GET", &host, "/api/v1/account/me", &[("authorization", &format!("Bearer {t}"))], None).status;
    assert_eq!(me(&here), 200, "this session goes on");
    assert_eq!(me(&elsewhere), 401, "the other one ends");
}

#[test]
fn sign_up_is_limited_to_three_a_minute_per_ip() {
    let addr = fresh_ip();
    for i in 0..3 {
        let r = post("localhost", "/api/v1/auth/signup", json!({"brand_name": "x", "slug": "Bad Slug", "email": "x@example.com", "password": "x"}), &addr);
        assert_ne!(r.status, 429, "attempt {}", i + 1);
    }
    let r = post("localhost", "/api/v1/auth/signup", json!({}), &addr);
    assert_eq!((r.status, r.error_code().as_str()), (429, "rate_limited"));
}

#[test]
fn code_requests_are_limited_to_three_a_minute_per_ip() {
    let addr = fresh_ip();
    for i in 0..3 {
        let r = post("localhost", "/api/v1/auth/forgot-password", json!({"email": format!("nobody{i}@example.com")}), &addr);
        assert_eq!(r.status, 202, "attempt {}", i + 1);
    }
    let r = post("localhost", "/api/v1/auth/forgot-password", json!({"email": "nobody@example.com"}), &addr);
    assert_eq!((r.status, r.error_code().as_str()), (429, "rate_limited"));
    let r = post("localhost", "/api/v1/auth/resend-verification", json!({"email": "nobody@example.com"}), &addr);
    assert_eq!(r.status, 202, "resending has a budget of its own");
}
