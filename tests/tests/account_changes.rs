//! Change of email (bound to the requesting account) and profile updates.

use shoal_e2e::*;

fn post(host: &str, path: &str, body: Value, token: Option<&str>) -> Reply {
    let ip = fresh_ip();
    let auth = token.map(|t| format!("Bearer {t}")).unwrap_or_default();
    let mut headers = vec![("cf-connecting-ip", ip.as_str()), ("content-type", "application/json")];
    if token.is_some() {
        headers.push(("authorization", auth.as_str()));
    }
    send("POST", host, path, &headers, Some(body.to_string()))
}

/// Signs a new brand up and logs its owner in: (host, email, token).
fn owner() -> (String, String, String) {
    let o = signed_up_owner("acct");
    (o.host, o.email, o.token)
}

#[test]
fn an_email_change_is_confirmed_by_a_code_sent_to_the_new_address_for_that_account_only() {
    let (host, email, token) = owner();
    let new_email = format!("new-{email}");
    let r = post(&host, "/api/v1/account/email", json!({"current_password": "wrong", "new_email": new_email}), Some(&token));
    assert_eq!(r.error_code(), "invalid_credentials");
    let r = post(&host, "/api/v1/account/email", json!({"current_password": OWNER_PASSWORD, "new_email": new_email}), Some(&token));
    assert_eq!(r.status, 202, "{}", r.body);
    let code = mail::code(&new_email, "email_change_code");
    assert_eq!(code.len(), 6);

    // someone else, signed in on their own shop, cannot use that code
    let (other_host, _, other_token) = owner();
    let r = post(&other_host, "/api/v1/account/email/confirm", json!({"code": code}), Some(&other_token));
    assert_eq!((r.status, r.error_code().as_str()), (400, "code_invalid"));

    let r = post(&host, "/api/v1/account/email/confirm", json!({"code": code}), Some(&token));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        count(&format!("select count(*) from email_outbox where to_email = '{email}' and template = 'email_change_notice'")),
        1,
        "the old address is told"
    );
    assert_eq!(post(&host, "/api/v1/auth/login", json!({"email": new_email, "password": OWNER_PASSWORD}), None).status, 200);
    assert_eq!(post(&host, "/api/v1/auth/login", json!({"email": email, "password": OWNER_PASSWORD}), None).status, 401);
    assert_eq!(count(&format!("select count(*) from audit_log where action = 'email_changed' and detail->>'to' = '{new_email}'")), 1);
}

#[test]
fn an_email_already_in_use_cannot_be_taken_and_the_answer_does_not_say_so() {
    let (host, email, token) = owner();
    let taken = post(
        &host,
        "/api/v1/account/email",
        json!({"current_password": OWNER_PASSWORD, "new_email": "admin@acme.localhost"}),
        Some(&token),
    );
    let free = post(
        &host,
        "/api/v1/account/email",
        json!({"current_password": OWNER_PASSWORD, "new_email": format!("free-{email}")}),
        Some(&token),
    );
    assert_eq!((taken.status, free.status), (202, 202), "a taken address answers as a free one: {}", taken.body);
    assert_eq!(
        (taken.json()["code_sent_to"].as_str(), free.json()["code_sent_to"].as_str()),
        (Some("admin@acme.localhost"), Some(format!("free-{email}").as_str())),
        "the same shape, echoing what was asked"
    );
    // no code goes to the taken address (it could never be confirmed); its owner is told
    assert_eq!(count("select count(*) from email_outbox where to_email = 'admin@acme.localhost' and template = 'email_change_code'"), 0);
    assert!(
        count("select count(*) from email_outbox where to_email = 'admin@acme.localhost' and template = 'email_change_taken_notice'") >= 1
    );
    assert_eq!(sql(&format!("select count(*) from accounts where email = '{email}'")), "1", "the account keeps its email");
}

#[test]
fn the_profile_takes_a_name_and_a_language() {
    let (host, _, token) = owner();
    let patch = |body: Value| {
        send(
            "PATCH",
            &host,
            "/api/v1/account/profile",
            &[("authorization", &format!("Bearer {token}")), ("content-type", "application/json")],
            Some(body.to_string()),
        )
    };
    let r = patch(json!({"name": "Olga Owner", "locale": "es"}));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!((r.json()["name"].as_str(), r.json()["locale"].as_str()), (Some("Olga Owner"), Some("es")));
    assert_eq!(patch(json!({"locale": "fr"})).error_code(), "invalid_locale");
    // a field of the wrong type is refused, named, before anything is stored
    let wrong = patch(json!({"name": 5}));
    assert_eq!((wrong.status, wrong.error_code().as_str()), (400, "invalid_field"));
    assert!(wrong.json()["error"]["message"].as_str().is_some_and(|m| m.starts_with("name:")), "{}", wrong.body);
    assert_eq!(sql(&format!("select name from accounts where id = '{}'", r.json()["id"].as_str().unwrap_or_default())), "Olga Owner");
    assert_eq!(send("PATCH", &host, "/api/v1/account/profile", &[], Some("{}".into())).status, 401);
}

#[test]
fn password_reset_attempts_are_limited_per_ip_and_per_account() {
    let (_, email, _) = owner();
    let hash_before = sql(&format!("select password_hash from accounts where email = '{email}'"));
    let reset = |who: &str, ip: &str| {
        send(
            "POST",
            "localhost",
            "/api/v1/auth/reset-password",
            &[("cf-connecting-ip", ip), ("content-type", "application/json")],
            Some(json!({"email": who, "code": "000000", "new_password": "Guessed-Pass-42"}).to_string()),
        )
    };
    // one IP trying codes for many accounts
    let addr = fresh_ip();
    for i in 0..5 {
        let r = reset(&format!("{}@example.com", unique("nobody")), &addr);
        assert_eq!(r.status, 400, "attempt {}: {}", i + 1, r.body);
    }
    let r = reset(&email, &addr);
    assert_eq!((r.status, r.error_code().as_str()), (429, "rate_limited"));
    // many IPs trying codes for one account
    for i in 0..10 {
        let r = reset(&email, &fresh_ip());
        assert_ne!(r.status, 429, "attempt {}: {}", i + 1, r.body);
    }
    let r = reset(&email, &fresh_ip());
    assert_eq!((r.status, r.error_code().as_str()), (429, "rate_limited"));
    assert_eq!(sql(&format!("select password_hash from accounts where email = '{email}'")), hash_before, "nothing changed");
}
