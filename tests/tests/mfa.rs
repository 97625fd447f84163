//! Staff MFA: TOTP enrolment with recovery codes, the second factor at login (each code
//! once), a brand that requires it of its admins, secrets sealed at rest, and changes that
//! need the password and the current factor.

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
    let setup = call("POST", host, "/api/v1/account/mfa/setup", Some(token), json!({"current_password": OWNER_PASSWORD}));
    assert_eq!(setup.status, 200, "{}", setup.body);
    let secret = setup.json()["secret"].as_str().unwrap_or_default().to_owned();
    assert!(setup.json()["otpauth_uri"].as_str().is_some_and(|u| u.starts_with("otpauth://totp/")));
    assert_eq!(call("POST", host, "/api/v1/account/mfa/enable", Some(token), json!({"otp": "000000"})).error_code(), "otp_invalid");
    let code = totp::code_at(&secret, now()).unwrap_or_default();
    let enabled = call("POST", host, "/api/v1/account/mfa/enable", Some(token), json!({"otp": code}));
    assert_eq!(enabled.status, 200, "{}", enabled.body);
    let recovery: Vec<String> = enabled.json()["recovery_codes"]
        .as_array()
        .map(|a| a.iter().filter_map(|c| c.as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    (secret, recovery)
}

/// The code of the next time step: the enrolment used the current one, and a step is
/// accepted once (one step of drift either way is allowed).
fn next_code(secret: &str) -> String {
    totp::code_at(secret, now() + totp::STEP_SECONDS).unwrap_or_default()
}

fn stored_secret(email: &str) -> String {
    sql(&format!("select coalesce(mfa_secret, '') from accounts where email = '{email}'"))
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
    assert_eq!(login(&host, &email, json!({"otp": next_code(&secret)})).status, 200);
    assert_eq!(login(&host, &email, json!({"recovery_code": recovery[0]})).status, 200);
    assert_eq!(login(&host, &email, json!({"recovery_code": recovery[0]})).status, 401, "a recovery code works once");
    let actions = sql(&format!("select string_agg(action, ',' order by id) from audit_log where action like 'mfa_%' and actor = (select id::text from accounts where email = '{email}')"));
    assert_eq!(actions, "mfa_enabled");
    assert_eq!(
        count(&format!("select count(*) from email_outbox where to_email = '{email}' and template = 'mfa_changed'")),
        1,
        "the account is told"
    );
}

#[test]
fn a_totp_code_works_once() {
    let (host, email, token) = owner();
    let (secret, _) = enrol(&host, &token);
    let code = next_code(&secret);
    assert_eq!(login(&host, &email, json!({"otp": code})).status, 200);
    let replay = login(&host, &email, json!({"otp": code}));
    assert_eq!((replay.status, replay.error_code().as_str()), (401, "invalid_credentials"), "the same step again: {}", replay.body);
    // the code the enrolment used is spent as well
    let enrolled_with = totp::code_at(&secret, now()).unwrap_or_default();
    assert_eq!(login(&host, &email, json!({"otp": enrolled_with})).status, 401);
}

#[test]
fn the_totp_secret_is_sealed_at_rest_and_never_in_clear() {
    let (host, email, token) = owner();
    let (secret, _) = enrol(&host, &token);
    let stored = stored_secret(&email);
    assert!(stored.starts_with("v1:"), "sealed as v1:<kid>:<nonce>:<ciphertext>: {stored}");
    assert_eq!(stored.split(':').count(), 4);
    assert!(!stored.contains(&secret) && !stored.contains(&secret.to_lowercase()), "no base32 of the secret in the column");
    let clear = sql(&format!("select count(*) from accounts where mfa_secret like '%{secret}%' or mfa_pending_secret like '%{secret}%'"));
    assert_eq!(clear, "0");
    // the database refuses a secret in clear outright
    let id = sql(&format!("select id from accounts where email = '{email}'"));
    let out = std::process::Command::new(project_root().join("scripts/dev"))
        .args(["psql", "-tA", "-c", &format!("update accounts set mfa_secret = '{secret}' where id = '{id}'")])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!out.status.success(), "plain secret accepted");
    assert_eq!(login(&host, &email, json!({"otp": next_code(&secret)})).status, 200, "login with TOTP still works");
}

#[test]
fn a_stolen_access_token_alone_cannot_replace_or_remove_the_factor() {
    let (host, email, token) = owner();
    // even the first enrolment needs the password: a stolen session cannot lock the owner out
    let setup = call("POST", &host, "/api/v1/account/mfa/setup", Some(&token), json!({}));
    assert_eq!((setup.status, setup.error_code().as_str()), (401, "invalid_credentials"), "{}", setup.body);
    assert_eq!(sql(&format!("select coalesce(mfa_pending_secret, 'none') from accounts where email = '{email}'")), "none");
    let (secret, recovery) = enrol(&host, &token);
    let before = stored_secret(&email);
    // the attack: access token only, then enable with a code of the attacker's new secret
    let setup = call("POST", &host, "/api/v1/account/mfa/setup", Some(&token), json!({}));
    assert_eq!((setup.status, setup.error_code().as_str()), (401, "invalid_credentials"), "{}", setup.body);
    let r = call("POST", &host, "/api/v1/account/mfa/enable", Some(&token), json!({"otp": "123456"}));
    assert_eq!((r.status, r.error_code().as_str()), (409, "mfa_setup_missing"));
    // the password alone is not enough either
    let setup = call("POST", &host, "/api/v1/account/mfa/setup", Some(&token), json!({"current_password": OWNER_PASSWORD}));
    assert_eq!((setup.status, setup.error_code().as_str()), (401, "mfa_required"));
    let off = call("POST", &host, "/api/v1/account/mfa/disable", Some(&token), json!({"otp": next_code(&secret)}));
    assert_eq!((off.status, off.error_code().as_str()), (401, "invalid_credentials"), "disable needs the password too");
    let pw = call(
        "POST",
        &host,
        "/api/v1/account/password",
        Some(&token),
        json!({"current_password": OWNER_PASSWORD, "new_password": "Taken-Over-99"}),
    );
    assert_eq!((pw.status, pw.error_code().as_str()), (401, "mfa_required"));
    let em = call(
        "POST",
        &host,
        "/api/v1/account/email",
        Some(&token),
        json!({"current_password": OWNER_PASSWORD, "new_email": format!("x-{email}")}),
    );
    assert_eq!((em.status, em.error_code().as_str()), (401, "mfa_required"));
    assert_eq!(stored_secret(&email), before, "factor unchanged");
    assert_eq!(sql(&format!("select coalesce(mfa_pending_secret, 'none') from accounts where email = '{email}'")), "none");
    assert_eq!(count(&format!("select count(*) from email_outbox where template = 'email_change_code' and to_email = 'x-{email}'")), 0);

    // with the password and the current factor the owner replaces it, and is told
    let setup = call(
        "POST",
        &host,
        "/api/v1/account/mfa/setup",
        Some(&token),
        json!({"current_password": OWNER_PASSWORD, "recovery_code": recovery[0]}),
    );
    assert_eq!(setup.status, 200, "{}", setup.body);
    let fresh = setup.json()["secret"].as_str().unwrap_or_default().to_owned();
    let r =
        call("POST", &host, "/api/v1/account/mfa/enable", Some(&token), json!({"otp": totp::code_at(&fresh, now()).unwrap_or_default()}));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_ne!(stored_secret(&email), before);
    assert_eq!(count(&format!("select count(*) from email_outbox where to_email = '{email}' and template = 'mfa_changed'")), 2);
    let pw = call(
        "POST",
        &host,
        "/api/v1/account/password",
        Some(&token),
        json!({"current_password": OWNER_PASSWORD, "new_password": "Changed-Pass-77", "otp": next_code(&fresh)}),
    );
    assert_eq!(pw.status, 200, "{}", pw.body);
    assert_eq!(count(&format!("select count(*) from email_outbox where to_email = '{email}' and template = 'password_changed'")), 1);
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
    let r = call(
        "POST",
        &host,
        "/api/v1/account/mfa/disable",
        Some(&token),
        json!({"current_password": OWNER_PASSWORD, "otp": next_code(&secret)}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(call("GET", &host, "/api/v1/admin/members", Some(&token), json!({})).error_code(), "mfa_enrollment_required");
}

/// A 6-digit code that is none of the codes the secret accepts now (one step either way).
fn wrong_code(secret: &str) -> String {
    let valid: Vec<String> = [-1i64, 0, 1, 2].iter().filter_map(|d| totp::code_at(secret, now() + d * totp::STEP_SECONDS)).collect();
    (0..10).map(|d| format!("{d}{d}{d}{d}{d}{d}")).find(|c| !valid.contains(c)).unwrap_or_default()
}

#[test]
fn a_stolen_session_cannot_guess_the_second_factor_reauthentication_is_limited_per_account_and_audited() {
    let (host, email, token) = owner();
    let (secret, _) = enrol(&host, &token); // one re-authentication (setup) of the hourly ten
    let id = sql(&format!("select id from accounts where email = '{email}'"));
    let state = || {
        sql(&format!("select password_hash || mfa_secret || email || coalesce(mfa_pending_secret, '-') || mfa_enabled_at from accounts where id = '{id}'"))
    };
    let before = state();
    let mails = || {
        count(&format!(
            "select count(*) from email_outbox where to_email = '{email}' or template = 'email_change_code' and to_email = 'x-{email}'"
        ))
    };
    let mails_before = mails();
    // the attack: the password is known (phished), the second factor is guessed; every try
    // from a new client, across every route that re-authenticates
    let guess = wrong_code(&secret);
    let routes = [
        ("/api/v1/account/password", json!({"new_password": "Taken-Over-99"})),
        ("/api/v1/account/email", json!({"new_email": format!("x-{email}")})),
        ("/api/v1/account/mfa/disable", json!({})),
        ("/api/v1/account/mfa/setup", json!({})),
    ];
    let mut answers = Vec::new();
    for i in 0..30 {
        let (path, extra) = &routes[i % routes.len()];
        let mut body = json!({"current_password": OWNER_PASSWORD, "otp": guess});
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            b.extend(e.clone());
        }
        let r = call("POST", &host, path, Some(&token), body);
        answers.push((r.status, r.error_code(), r.header("retry-after")));
    }
    for (i, a) in answers.iter().enumerate() {
        if i < 9 {
            assert_eq!((a.0, a.1.as_str()), (400, "otp_invalid"), "attempt {}", i + 1);
        } else {
            assert_eq!((a.0, a.1.as_str()), (429, "rate_limited"), "attempt {}: past ten re-authentications an hour", i + 1);
            assert!(a.2.as_deref().and_then(|s| s.parse::<i64>().ok()).is_some_and(|s| s > 0 && s <= 3600), "Retry-After: {:?}", a.2);
        }
    }
    // past the limit even the right code is not checked
    let r = call(
        "POST",
        &host,
        "/api/v1/account/password",
        Some(&token),
        json!({"current_password": OWNER_PASSWORD, "otp": next_code(&secret), "new_password": "Taken-Over-99"}),
    );
    assert_eq!((r.status, r.error_code().as_str()), (429, "rate_limited"), "{}", r.body);
    assert_eq!(state(), before, "password, factor and email unchanged");
    assert_eq!(mails(), mails_before, "no code, no notice sent");
    // each failure is audited with what failed, never what was typed
    assert_eq!(count(&format!("select count(*) from audit_log where action = 'reauthentication_failed' and actor = '{id}' and target = '{id}' and detail->>'reason' = 'second_factor'")), 9);
    let purposes = sql(&format!("select string_agg(distinct detail->>'purpose', ',' order by detail->>'purpose') from audit_log where action = 'reauthentication_failed' and actor = '{id}'"));
    assert_eq!(purposes, "email_change,mfa_disable,mfa_setup,password_change");
    assert_eq!(count(&format!("select count(*) from audit_log where action = 'reauthentication_failed' and actor = '{id}' and (detail::text like '%{guess}%' or detail::text like '%{OWNER_PASSWORD}%')")), 0);
    // the limit is the account's: another owner re-authenticates as usual
    let (host2, _, token2) = owner();
    let r = call("POST", &host2, "/api/v1/account/mfa/setup", Some(&token2), json!({"current_password": OWNER_PASSWORD}));
    assert_eq!(r.status, 200, "{}", r.body);
}

#[test]
fn a_stolen_session_cannot_guess_the_password_either() {
    let (host, email, token) = owner();
    let hash = sql(&format!("select password_hash from accounts where email = '{email}'"));
    let codes: Vec<u16> = (0..15)
        .map(|i| {
            call(
                "POST",
                &host,
                "/api/v1/account/password",
                Some(&token),
                json!({"current_password": format!("guess-{i}"), "new_password": "Taken-Over-99"}),
            )
            .status
        })
        .collect();
    assert_eq!(&codes[..10], &[401; 10]);
    assert_eq!(&codes[10..], &[429; 5]);
    let r = call(
        "POST",
        &host,
        "/api/v1/account/password",
        Some(&token),
        json!({"current_password": OWNER_PASSWORD, "new_password": "Taken-Over-99"}),
    );
    assert_eq!(r.status, 429, "the right password too, once the budget is spent: {}", r.body);
    assert_eq!(sql(&format!("select password_hash from accounts where email = '{email}'")), hash);
    assert_eq!(count(&format!("select count(*) from audit_log a join accounts c on a.actor = c.id::text where c.email = '{email}' and a.action = 'reauthentication_failed' and a.detail->>'reason' = 'password'")), 10);
}

#[test]
fn recovery_codes_are_stored_as_keyed_hashes_a_database_reader_cannot_search() {
    let (host, email, token) = owner();
    let (_, recovery) = enrol(&host, &token);
    assert_eq!(count(&format!("select cardinality(mfa_recovery_hashes) from accounts where email = '{email}'")), 10);
    for code in &recovery {
        // an unsalted SHA-256 of a 10-hex-digit code falls to an offline search of 2^40
        let plain = count(&format!("select count(*) from accounts where email = '{email}' and encode(extensions.digest('{code}', 'sha256'), 'hex') = any(mfa_recovery_hashes)"));
        assert_eq!(plain, 0, "{code} stored as plain SHA-256");
    }
    assert_eq!(login(&host, &email, json!({"recovery_code": recovery[3].to_uppercase()})).status, 200, "a recovery code still works");
    assert_eq!(count(&format!("select cardinality(mfa_recovery_hashes) from accounts where email = '{email}'")), 9);
}
