//! Sign-up on the platform host, one-time codes (verify email, reset password), password
//! change; each with its bad paths.

use shoal_e2e::*;
fn post(host: &str, path: &str, body: Value, ip: &str) -> Reply {
    send("POST", host, path, &[("cf-connecting-ip", ip), ("content-type", "application/json")], Some(body.to_string()))
}

fn last_code(email: &str, template: &str) -> String {
    mail::code(email, template)
}

fn signup(slug: &str, email: &str) -> Reply {
    post(
        "localhost",
        "/api/v1/auth/signup",
        json!({"brand_name": "Fresh Shop", "slug": slug, "email": email, "password": "Fresh-Start-42"}),
        &fresh_ip(),
    )
}

/// Proves the address with the code sent at sign-up (staff must have a verified email).
fn verify(email: &str) {
    let r =
        post("localhost", "/api/v1/auth/verify-email", json!({"email": email, "code": last_code(email, "verification_code")}), &fresh_ip());
    assert_eq!(r.status, 200, "{}", r.body);
}

/// Fires the cron trigger (wrangler dev --test-scheduled), as Cloudflare would.
fn run_cron() {
    let r = get("127.0.0.1", "/__scheduled?cron=*/5+*+*+*+*");
    assert!(r.status < 500, "{}", r.body);
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
    assert_eq!(
        sql(&format!("select role from memberships m join accounts a on a.id = m.account_id where a.email = '{email}'")),
        "brand_admin"
    );
    assert_eq!(login(&host, &email, "Fresh-Start-42").status, 401, "no sign-in before the email is verified");

    let again = signup(&format!("{slug}x"), &email);
    assert_eq!(again.status, 201, "an existing email is not revealed: {}", again.body);
    let clash = signup(&slug, &format!("other-{email}"));
    assert_eq!((clash.status, clash.error_code().as_str()), (409, "slug_taken"));
    assert_eq!(count(&format!("select count(*) from brands where slug = '{slug}'")), 1, "nothing half-created");
    assert_eq!(count(&format!("select count(*) from accounts where email = 'other-{email}'")), 0, "nothing half-created");
    let weak = post(
        "localhost",
        "/api/v1/auth/signup",
        json!({"brand_name": "W", "slug": format!("{slug}w"), "email": format!("w{email}"), "password": "password"}),
        &fresh_ip(),
    );
    assert_eq!((weak.status, weak.error_code().as_str()), (422, "password_too_simple"));

    // the refused sign-in above sent a fresh code (the earlier one is replaced)
    let code = last_code(&email, "verification_code");
    let ok = post("localhost", "/api/v1/auth/verify-email", json!({"email": email, "code": code}), &fresh_ip());
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(count(&format!("select count(*) from accounts where email = '{email}' and email_verified_at is not null")), 1);
    assert_eq!(
        post("localhost", "/api/v1/auth/verify-email", json!({"email": email, "code": code}), &fresh_ip()).error_code(),
        "code_invalid",
        "a code works once"
    );
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
        assert_eq!((r.status, r.error_code().as_str()), (400, "code_invalid"), "attempt {}: {}", i + 1, r.body);
    }
    let r = post("localhost", "/api/v1/auth/verify-email", json!({"email": email, "code": right}), &fresh_ip());
    assert_eq!((r.status, r.error_code().as_str()), (400, "code_invalid"), "even the right code, once locked");
    assert_eq!(count(&format!("select count(*) from accounts where email = '{email}' and email_verified_at is null")), 1);
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
    assert_eq!((r.status, r.error_code().as_str()), (400, "code_invalid"));
    assert_eq!(count(&format!("select count(*) from accounts where email = '{email}' and email_verified_at is null")), 1);
}

#[test]
fn wrong_codes_answer_alike_for_known_and_unknown_emails() {
    // "locked" and "expired" could only ever happen to an address with an account
    let slug = unique("guess").chars().take(30).collect::<String>();
    let known = format!("{slug}@example.com");
    assert_eq!(signup(&slug, &known).status, 201);
    let wrong = if last_code(&known, "verification_code") == "000000" { "111111" } else { "000000" };
    // an unknown address of its own (per-address budgets must not carry over between runs)
    let unknown = format!("nobody-{slug}@example.com");
    for path in ["/api/v1/auth/verify-email", "/api/v1/auth/reset-password"] {
        for _ in 0..6 {
            let answers: Vec<(u16, String)> = [known.as_str(), unknown.as_str()]
                .iter()
                .map(|e| {
                    let r = post("localhost", path, json!({"email": e, "code": wrong, "new_password": "Brand-New-Pass-7"}), &fresh_ip());
                    (r.status, r.body)
                })
                .collect();
            assert_eq!(answers[0], answers[1], "{path}");
        }
    }
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
    let r =
        post(&host, "/api/v1/auth/reset-password", json!({"email": email, "code": code, "new_password": "Brand-New-Pass-7"}), &fresh_ip());
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
        send(
            "POST",
            &host,
            "/api/v1/account/password",
            &[("authorization", &auth), ("content-type", "application/json")],
            Some(json!({"current_password": current, "new_password": "Changed-Pass-99"}).to_string()),
        )
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
        let r = post(
            "localhost",
            "/api/v1/auth/signup",
            json!({"brand_name": "x", "slug": "Bad Slug", "email": "x@example.com", "password": "x"}),
            &addr,
        );
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

/// The keys of a JSON object, sorted: two answers of the same shape have the same keys.
fn shape(v: &Value) -> Vec<String> {
    let mut keys: Vec<String> = v.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default();
    keys.sort();
    keys
}

#[test]
fn sign_up_answers_alike_for_existing_and_new_emails_and_tells_the_existing_owner() {
    let slug = unique("enum").chars().take(30).collect::<String>();
    let taken = format!("{slug}@example.com");
    assert_eq!(signup(&slug, &taken).status, 201);
    verify(&taken);
    let hash_before = sql(&format!("select password_hash from accounts where email = '{taken}'"));

    let existing = signup(&format!("{slug}e"), &taken);
    let fresh = signup(&format!("{slug}n"), &format!("n{taken}"));
    let seeded = signup(&format!("{slug}s"), "admin@acme.localhost");
    assert_eq!((existing.status, fresh.status, seeded.status), (201, 201, 201), "{} / {} / {}", existing.body, fresh.body, seeded.body);
    assert_eq!(shape(&existing.json()), shape(&fresh.json()));
    assert_eq!(shape(&seeded.json()), shape(&fresh.json()));
    assert_eq!(existing.json()["email_verification"], fresh.json()["email_verification"]);
    for r in [&existing, &seeded] {
        assert!(!r.body.contains("taken") && !r.body.contains("exists"), "{}", r.body);
    }
    // the existing account is untouched and gets no brand; its owner is told instead
    assert_eq!(sql(&format!("select password_hash from accounts where email = '{taken}'")), hash_before);
    assert_eq!(count(&format!("select count(*) from memberships m join accounts a on a.id = m.account_id where a.email = '{taken}'")), 1);
    assert_eq!(count(&format!("select count(*) from memberships m join brands b on b.id = m.brand_id where b.slug = '{slug}e'")), 0);
    assert_eq!(count(&format!("select count(*) from email_outbox where to_email = '{taken}' and template = 'signup_attempt_notice'")), 1);
    assert!(count("select count(*) from email_outbox where to_email = 'admin@acme.localhost' and template = 'signup_attempt_notice'") >= 1);
    assert_eq!(
        count(&format!("select count(*) from email_outbox where to_email = '{taken}' and template = 'verification_code'")),
        1,
        "no code for the attempt"
    );
    assert_eq!(signup(&format!("{slug}f"), &taken).status, 201);
    assert_eq!(
        count(&format!("select count(*) from email_outbox where to_email = '{taken}' and template = 'signup_attempt_notice'")),
        1,
        "one notice an hour: sign-up cannot flood an inbox"
    );
}

#[test]
fn sign_up_errors_never_name_a_constraint() {
    let slug = unique("cst").chars().take(30).collect::<String>();
    let cases = [
        (
            json!({"brand_name": "Shop", "slug": "-bad-", "email": format!("{slug}@example.com"), "password": "Fresh-Start-42"}),
            "invalid_slug",
        ),
        (
            json!({"brand_name": "Shop", "slug": "x".repeat(41), "email": format!("{slug}@example.com"), "password": "Fresh-Start-42"}),
            "invalid_slug",
        ),
        (
            json!({"brand_name": "N".repeat(121), "slug": slug, "email": format!("{slug}@example.com"), "password": "Fresh-Start-42"}),
            "invalid_brand_name",
        ),
        (json!({"brand_name": "Shop", "slug": slug, "email": "not-an-email", "password": "Fresh-Start-42"}), "invalid_email"),
        // the database's `accounts_email_check` refused these with a 500
        (json!({"brand_name": "Shop", "slug": slug, "email": "@example.com", "password": "Fresh-Start-42"}), "invalid_email"),
        (
            json!({"brand_name": "Shop", "slug": slug, "email": format!("{}@example.com", "a".repeat(300)), "password": "Fresh-Start-42"}),
            "invalid_email",
        ),
    ];
    for (body, code) in cases {
        let r = post("localhost", "/api/v1/auth/signup", body, &fresh_ip());
        assert_eq!(r.error_code(), code, "{}", r.body);
        assert!((400..500).contains(&r.status), "{}", r.status);
        assert!(!r.body.contains("_check") && !r.body.contains("constraint") && !r.body.contains("brands"), "{}", r.body);
    }
    assert_eq!(count(&format!("select count(*) from accounts where email = '{slug}@example.com'")), 0);
}

#[test]
fn infrastructure_slugs_and_look_alikes_of_the_platform_are_refused() {
    for slug in ["www", "admin", "api", "app", "status", "login", "edge", "support", "sh0al", "5hoal-support", "my-shoa1"] {
        let email = format!("{}@example.com", unique("infra"));
        let r = signup(slug, &email);
        assert_eq!((r.status, r.error_code().as_str()), (422, "reserved_slug"), "{slug}: {}", r.body);
        assert_eq!(count(&format!("select count(*) from brands where slug = '{slug}'")), 0);
        assert_eq!(count(&format!("select count(*) from accounts where email = '{email}'")), 0);
    }
    assert_eq!(get("www.localhost", "/api/v1/store/brand").status, 404, "no tenant on the platform's www");
}

#[test]
fn the_database_reserves_the_same_slugs_as_the_worker() {
    let list = |names: &[&str]| names.iter().map(|n| format!("'{n}'")).collect::<Vec<_>>().join(",");
    let reserved = shoal_domain::slug::RESERVED;
    let lookalikes = ["shoal", "sh0al", "5h0a1", "s-h-o-a-l", "the-sh04l-shop"];
    let ordinary = ["acme", "globex", "shoe-all", "blue-bottle"];
    for names in [reserved, &lookalikes[..]] {
        assert_eq!(count(&format!("select count(*) from unnest(array[{}]) s where not shoal_private.slug_is_reserved(s)", list(names))), 0);
        assert!(names.iter().all(|n| shoal_domain::slug::is_reserved(n)));
    }
    assert_eq!(count(&format!("select count(*) from unnest(array[{}]) s where shoal_private.slug_is_reserved(s)", list(&ordinary))), 0);
    assert_eq!(
        count("select count(*) from pg_constraint where conname = 'brands_slug_not_reserved' and convalidated"),
        1,
        "a direct insert is checked too"
    );
}

#[test]
fn code_requests_answer_alike_for_known_and_unknown_emails() {
    let slug = unique("codes").chars().take(30).collect::<String>();
    let unverified = format!("{slug}@example.com");
    assert_eq!(signup(&slug, &unverified).status, 201);
    let verified_slug = format!("{slug}v");
    let verified = format!("{verified_slug}@example.com");
    assert_eq!(signup(&verified_slug, &verified).status, 201);
    verify(&verified);
    for path in ["/api/v1/auth/resend-verification", "/api/v1/auth/forgot-password"] {
        let answers: Vec<(u16, String)> = [unverified.as_str(), verified.as_str(), "ghost@example.com", "admin@acme.localhost"]
            .iter()
            .map(|e| {
                let r = post("localhost", path, json!({"email": e}), &fresh_ip());
                (r.status, r.body)
            })
            .collect();
        assert!(answers.iter().all(|a| *a == answers[0]), "{path}: {answers:?}");
        assert_eq!(answers[0].0, 202);
    }
}

#[test]
fn an_unverified_sign_up_expires_and_releases_its_slug_and_email() {
    let slug = unique("gone").chars().take(30).collect::<String>();
    let email = format!("{slug}@example.com");
    let r = signup(&slug, &email);
    assert_eq!(r.status, 201);
    let brand = r.json()["brand_id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(get(&format!("{slug}.localhost"), "/api/v1/store/brand").status, 200, "served (and its host cached)");
    // one that verified, and a placeholder made for an existing address, of the same age
    let kept_slug = format!("{slug}k");
    let kept = format!("{kept_slug}@example.com");
    assert_eq!(signup(&kept_slug, &kept).status, 201);
    verify(&kept);
    let placeholder = signup(&format!("{slug}p"), &kept).json()["brand_id"].as_str().unwrap_or_default().to_owned();
    let backdate = |b: &str| sql(&format!("update signup_claims set created_at = now() - interval '49 hours' where brand_id = '{b}'"));
    backdate(&brand);
    backdate(&placeholder);
    sql(&format!("update brands set created_at = now() - interval '49 hours' where slug like '{slug}%'"));
    run_cron();

    assert_eq!(count(&format!("select count(*) from accounts where email = '{email}'")), 0, "the address is free again");
    assert_eq!(count(&format!("select count(*) from brands where slug in ('{slug}', '{slug}p')")), 0, "the slugs are free again");
    assert_eq!(count(&format!("select count(*) from brand_domains where brand_id in ('{brand}', '{placeholder}')")), 0);
    assert_eq!(count(&format!("select count(*) from memberships where brand_id = '{brand}'")), 0);
    assert_eq!(sql(&format!("select status from brands where id = '{brand}'")), "suspended", "a tombstone keeps the audit log whole");
    assert_eq!(get(&format!("{slug}.localhost"), "/api/v1/store/brand").status, 404);
    assert_eq!(count(&format!("select count(*) from audit_log where brand_id = '{brand}' and action = 'signup_expired'")), 1);
    // the verified one stays
    assert_eq!(count(&format!("select count(*) from brands where slug = '{kept_slug}' and status = 'active'")), 1);
    assert_eq!(count(&format!("select count(*) from accounts where email = '{kept}'")), 1);

    let again = signup(&slug, &email);
    assert_eq!(again.status, 201, "{}", again.body);
    assert_eq!(get(&format!("{slug}.localhost"), "/api/v1/store/brand").status, 200);
}

#[test]
fn an_invitation_proves_the_address_of_an_unverified_account() {
    // the invitation link came to the address: accepting it (with the account's password)
    // verifies the account; the owner's unverified sign-up is then kept as well
    let slug = unique("invu").chars().take(30).collect::<String>();
    let email = format!("{slug}@example.com");
    assert_eq!(signup(&slug, &email).status, 201);
    let acme =
        login("acme.localhost", "admin@acme.localhost", "Shoal-dev-2026!").json()["access_token"].as_str().unwrap_or_default().to_owned();
    let auth = format!("Bearer {acme}");
    let r = send(
        "POST",
        "acme.localhost",
        "/api/v1/admin/members/invitations",
        &[("authorization", &auth), ("content-type", "application/json")],
        Some(json!({"email": email, "role": "read_only"}).to_string()),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let url = mail::link(&email, "member_invitation");
    let token = url.rsplit("token=").next().unwrap_or_default().to_owned();
    let wrong =
        post("acme.localhost", "/api/v1/auth/accept-invitation", json!({"token": token, "password": "Not-The-Password-1"}), &fresh_ip());
    assert_eq!(wrong.status, 401, "{}", wrong.body);
    assert_eq!(count(&format!("select count(*) from accounts where email = '{email}' and email_verified_at is null")), 1, "not yet");
    let joined =
        post("acme.localhost", "/api/v1/auth/accept-invitation", json!({"token": token, "password": "Fresh-Start-42"}), &fresh_ip());
    assert_eq!(joined.status, 200, "{}", joined.body);
    assert_eq!(count(&format!("select count(*) from accounts where email = '{email}' and email_verified_at is not null")), 1);
    assert_eq!(count(&format!("select count(*) from signup_claims c join accounts a on a.id = c.account_id where a.email = '{email}'")), 0);
}

#[test]
fn verify_email_is_limited_per_ip() {
    let addr = fresh_ip();
    let slug = unique("vip").chars().take(30).collect::<String>();
    for i in 0..10 {
        let r =
            post("localhost", "/api/v1/auth/verify-email", json!({"email": format!("{slug}-{i}@example.com"), "code": "000000"}), &addr);
        assert_eq!((r.status, r.error_code().as_str()), (400, "code_invalid"), "attempt {}: {}", i + 1, r.body);
    }
    let r = post("localhost", "/api/v1/auth/verify-email", json!({"email": format!("{slug}-x@example.com"), "code": "000000"}), &addr);
    assert_eq!((r.status, r.error_code().as_str()), (429, "rate_limited"), "{}", r.body);
    assert!(r.header("retry-after").is_some());
}

/// The attack: a code locks after 5 wrong tries, but a new one is a resend away, from a
/// new IP each time; so the address itself has a budget of tries (and of codes).
#[test]
fn verify_email_is_limited_per_address_so_codes_cannot_be_brute_forced_across_resends() {
    let slug = unique("vaddr").chars().take(30).collect::<String>();
    let email = format!("{slug}@example.com");
    assert_eq!(signup(&slug, &email).status, 201);
    let wrong = |code: &str| if code == "000000" { "111111".to_owned() } else { "000000".to_owned() };
    for i in 0..20 {
        if i % 5 == 0 && i > 0 {
            assert_eq!(post("localhost", "/api/v1/auth/resend-verification", json!({"email": email}), &fresh_ip()).status, 202);
        }
        let code = last_code(&email, "verification_code");
        let r = post("localhost", "/api/v1/auth/verify-email", json!({"email": email, "code": wrong(&code)}), &fresh_ip());
        assert_eq!((r.status, r.error_code().as_str()), (400, "code_invalid"), "attempt {}: {}", i + 1, r.body);
    }
    assert_eq!(post("localhost", "/api/v1/auth/resend-verification", json!({"email": email}), &fresh_ip()).status, 202);
    let right = last_code(&email, "verification_code");
    let r = post("localhost", "/api/v1/auth/verify-email", json!({"email": email, "code": right}), &fresh_ip());
    assert_eq!((r.status, r.error_code().as_str()), (429, "rate_limited"), "past 20 tries an hour even the right code waits: {}", r.body);
    assert_eq!(
        count(&format!("select count(*) from accounts where email = '{email}' and email_verified_at is null")),
        1,
        "still unverified"
    );
}

/// Resend and forgot answer the same 202 past the per-address cap but send nothing: an
/// inbox cannot be flooded, and the answer says nothing about the address.
#[test]
fn code_requests_are_capped_per_address_with_the_same_answer() {
    let slug = unique("flood").chars().take(30).collect::<String>();
    let email = format!("{slug}@example.com");
    assert_eq!(signup(&slug, &email).status, 201);
    let ghost = format!("ghost-{slug}@example.com");
    for (path, template) in [("/api/v1/auth/resend-verification", "verification_code"), ("/api/v1/auth/forgot-password", "password_reset")]
    {
        let before = count(&format!("select count(*) from email_outbox where to_email = '{email}' and template = '{template}'"));
        for i in 0..12 {
            for who in [&email, &ghost] {
                let r = post("localhost", path, json!({"email": who}), &fresh_ip());
                assert_eq!((r.status, r.body.as_str()), (202, r#"{"accepted":true}"#), "{path} {who} request {}", i + 1);
            }
        }
        let sent = count(&format!("select count(*) from email_outbox where to_email = '{email}' and template = '{template}'")) - before;
        assert_eq!(sent, 5, "{path}: five codes an hour to one address, then nothing");
    }
}

/// Every route that takes an email refuses what is not one (and anything over 254
/// characters) with 400 invalid_email before storing anything.
#[test]
fn anonymous_routes_refuse_what_is_not_an_email_with_400_and_store_nothing() {
    let long = format!("{}@example.com", "a".repeat(10_000));
    let slug = unique("bademail").chars().take(30).collect::<String>();
    let bad = [long.as_str(), "@example.com", "@evil.example", "no-at-sign", "a@b"];
    // other tests run at once: count only what could have gone to these inputs
    let outbox = || {
        count("select count(*) from email_outbox where length(to_email) > 254 or to_email in ('@example.com', '@evil.example', 'no-at-sign', 'a@b')")
    };
    for email in bad {
        for (host, path) in [
            ("acme.localhost", "/api/v1/auth/login"),
            ("localhost", "/api/v1/auth/forgot-password"),
            ("localhost", "/api/v1/auth/resend-verification"),
            ("localhost", "/api/v1/auth/verify-email"),
            ("localhost", "/api/v1/auth/reset-password"),
            ("localhost", "/api/v1/auth/signup"),
        ] {
            let before = outbox();
            let r = post(
                host,
                path,
                json!({"email": email, "password": "Fresh-Start-42", "code": "123456",
                                            "new_password": "Brand-New-Pass-7", "brand_name": "Shop", "slug": slug}),
                &fresh_ip(),
            );
            assert_eq!((r.status, r.error_code().as_str()), (400, "invalid_email"), "{path} {:.40}: {}", email, r.body);
            assert_eq!(outbox(), before, "{path}: nothing sent");
        }
    }
    assert_eq!(
        count("select count(*) from audit_log where length(target) > 254 or target like '%aaaaaaaaaa%'"),
        0,
        "no typed text in the audit log"
    );
    assert_eq!(count("select count(*) from login_failures where length(email) > 254 or email in ('@example.com', '@evil.example', 'no-at-sign', 'a@b')"), 0);
    assert_eq!(count(&format!("select count(*) from brands where slug = '{slug}'")), 0);
}
