//! The dashboard's CSRF tokens: a request signed in by the access cookie (the browser) that
//! changes state must carry `x-csrf-token`, the signed session family of that login, handed
//! out by the login and refresh answers and `GET /api/v1/account/me`. Missing, forged, of
//! another login or of another brand: 403 `csrf_token_invalid` and nothing changes — admin
//! writes, account writes, logout and refresh by cookie alike. Bearer callers are not asked.

use shoal_e2e::*;

/// A signed-in browser: its two cookies and the CSRF token the login answered.
struct Browser {
    host: String,
    access: String,
    refresh: String,
    csrf: String,
}

fn cookie_value(r: &Reply, name: &str) -> String {
    r.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with(&format!("{name}=")))
        .and_then(|c| c.split(';').next())
        .map(|c| c[name.len() + 1..].to_owned())
        .unwrap_or_default()
}

/// Signs a fresh member of `host`'s brand in (a member of its own: logging out here ends
/// nobody else's session).
fn browser(host: &str, role: &str) -> Browser {
    let brand = sql(&format!("select brand_id from brand_domains where host = '{host}'"));
    let email = format!("{}@example.com", unique(&format!("csrf-{role}-")));
    sql(&format!(
        "insert into accounts (email, password_hash, email_verified_at)
           select '{email}', password_hash, now() from accounts where email = 'admin@acme.localhost';
         insert into memberships (brand_id, account_id, role) select '{brand}', id, '{role}' from accounts where email = '{email}';"
    ));
    login(host, &email)
}

fn login(host: &str, email: &str) -> Browser {
    let body = json!({"email": email, "password": DEV_PASSWORD}).to_string();
    let r =
        send("POST", host, "/api/v1/auth/login", &[("cf-connecting-ip", &fresh_ip()), ("content-type", "application/json")], Some(body));
    assert_eq!(r.status, 200, "{}", r.body);
    let csrf = r.json()["csrf_token"].as_str().unwrap_or_default().to_owned();
    assert!(!csrf.is_empty(), "the login answer carries the CSRF token: {}", r.body);
    Browser { host: host.to_owned(), access: cookie_value(&r, "shoal_access"), refresh: cookie_value(&r, "shoal_refresh"), csrf }
}

impl Browser {
    /// A request with the access cookie (and the refresh cookie on /api/v1/auth), and
    /// `x-csrf-token` when given.
    fn call(&self, method: &str, path: &str, csrf: Option<&str>, body: Option<Value>) -> Reply {
        let cookie = if path.starts_with("/api/v1/auth") {
            format!("shoal_access={}; shoal_refresh={}", self.access, self.refresh)
        } else {
            format!("shoal_access={}", self.access)
        };
        let mut headers = vec![("cookie", cookie.as_str()), ("content-type", "application/json")];
        if let Some(token) = csrf {
            headers.push(("x-csrf-token", token));
        }
        send(method, &self.host, path, &headers, body.map(|b| b.to_string()))
    }
}

fn invitations_to(email: &str) -> i64 {
    count(&format!("select count(*) from invitations where email = '{email}'"))
}

#[test]
fn cookie_writes_need_the_token_of_their_own_session() {
    let admin = browser("acme.localhost", "brand_admin");
    let other_login = browser("acme.localhost", "brand_admin");
    let globex = browser("globex.localhost", "brand_admin");
    let email = format!("{}@example.com", unique("csrf-invitee-"));
    let invite = || Some(json!({"email": email, "role": "editor"}));
    let path = "/api/v1/admin/members/invitations";

    // the same family id, its signature's last digit changed
    let last = if admin.csrf.ends_with('0') { "1" } else { "0" };
    let forged_signature = format!("{}{last}", &admin.csrf[..admin.csrf.len() - 1]);
    let refused: [(&str, Option<&str>); 5] = [
        ("no token", None),
        ("an empty token", Some("")),
        ("a token with a wrong signature", Some(&forged_signature)),
        ("another login's token", Some(&other_login.csrf)),
        ("another brand's token", Some(&globex.csrf)),
    ];
    for (what, token) in refused {
        let r = admin.call("POST", path, token, invite());
        assert_eq!((r.status, r.error_code().as_str()), (403, "csrf_token_invalid"), "{what}: {}", r.body);
        assert_eq!(invitations_to(&email), 0, "{what}: nothing was invited");
    }
    // account writes and deletes too
    let r = admin.call("PATCH", "/api/v1/account/profile", None, Some(json!({"name": "Forged"})));
    assert_eq!((r.status, r.error_code().as_str()), (403, "csrf_token_invalid"));
    let r = admin.call("DELETE", "/api/v1/admin/invitations/00000000-0000-4000-8000-000000000000", None, None);
    assert_eq!((r.status, r.error_code().as_str()), (403, "csrf_token_invalid"));

    // reads need none; `me` hands the same token out
    let me = admin.call("GET", "/api/v1/account/me", None, None);
    assert_eq!(me.status, 200, "{}", me.body);
    assert_eq!(me.json()["csrf_token"].as_str(), Some(admin.csrf.as_str()));

    let r = admin.call("POST", path, Some(&admin.csrf), invite());
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(invitations_to(&email), 1);

    // Bearer callers (API clients) are not asked for one
    let bearer = format!("Bearer {}", staff_token("acme.localhost"));
    let other = format!("{}@example.com", unique("csrf-bearer-"));
    let r = send(
        "POST",
        "acme.localhost",
        path,
        &[("authorization", &bearer), ("content-type", "application/json")],
        Some(json!({"email": other, "role": "editor"}).to_string()),
    );
    assert_eq!(r.status, 201, "{}", r.body);
}

#[test]
fn refresh_and_logout_by_cookie_need_it_too_and_a_refused_refresh_spends_nothing() {
    let b = browser("acme.localhost", "editor");
    let other = browser("acme.localhost", "editor");

    for (what, token) in [("no token", None), ("another login's token", Some(other.csrf.as_str()))] {
        let r = b.call("POST", "/api/v1/auth/refresh", token, None);
        assert_eq!((r.status, r.error_code().as_str()), (403, "csrf_token_invalid"), "{what}: {}", r.body);
    }
    // the refresh token was not spent: with the token it rotates (a spent one would be a reuse)
    let r = b.call("POST", "/api/v1/auth/refresh", Some(&b.csrf), None);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["csrf_token"].as_str(), Some(b.csrf.as_str()), "one token for the whole login, across rotations");
    let b = Browser { access: cookie_value(&r, "shoal_access"), refresh: cookie_value(&r, "shoal_refresh"), ..b };

    // an API client refreshing with the token in the body is not asked
    let body = json!({"refresh_token": other.refresh}).to_string();
    let r = send("POST", "acme.localhost", "/api/v1/auth/refresh", &[("content-type", "application/json")], Some(body));
    assert_eq!(r.status, 200, "{}", r.body);

    let r = b.call("POST", "/api/v1/auth/logout", None, None);
    assert_eq!((r.status, r.error_code().as_str()), (403, "csrf_token_invalid"));
    assert_eq!(b.call("GET", "/api/v1/account/me", None, None).status, 200, "a forged logout ends nothing");
    let r = b.call("POST", "/api/v1/auth/logout", Some(&b.csrf), None);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(b.call("GET", "/api/v1/account/me", None, None).status, 401);
}

#[test]
fn me_names_the_role_its_permissions_the_profile_and_the_brand() {
    let viewer = browser("acme.localhost", "read_only");
    let me = viewer.call("GET", "/api/v1/account/me", None, None);
    assert_eq!(me.status, 200, "{}", me.body);
    assert_eq!(me.header("cache-control").as_deref(), Some("no-store"));
    let me = me.json();
    assert_eq!(me["role"], "read_only");
    assert_eq!(me["permissions"], json!(["read_orders", "read_catalog"]));
    assert_eq!((me["brand"]["name"].as_str(), me["brand"]["currency"].as_str()), (Some("Acme Outfitters"), Some("USD")));
    assert!(me["email"].as_str().is_some_and(|e| e.starts_with("csrf-read_only-")), "{me}");
    assert_eq!((me["locale"].as_str(), me["mfa_enabled"].as_bool()), (Some("en"), Some(false)));

    let admin = browser("globex.localhost", "brand_admin");
    let me = admin.call("GET", "/api/v1/account/me", None, None).json();
    assert!(me["permissions"].as_array().is_some_and(|p| p.len() == 13 && p.contains(&json!("manage_members"))), "{me}");
    assert_eq!(me["brand"]["locale"], "es");
}

#[test]
fn a_token_under_the_previous_secret_holds_during_a_rotation_and_a_storefront_form_token_never_does() {
    use shoal_domain::keys::{derive, Purpose};
    use shoal_domain::signed_id;
    let admin = browser("acme.localhost", "brand_admin");
    let brand = sql("select brand_id from brand_domains where host = 'acme.localhost'");
    let (family, _) = admin.csrf.rsplit_once('.').unwrap_or_default();
    let previous = derive(shoal_secret_previous().as_bytes(), Purpose::Csrf.label());
    let current = shoal_keys().signing(Purpose::Csrf);
    let email = format!("{}@example.com", unique("csrf-rotation-"));
    let invite = || Some(json!({"email": email, "role": "read_only"}));
    let path = "/api/v1/admin/members/invitations";

    // the storefront's form token: the same key, its own scope
    let storefront = signed_id::sign(&current, &format!("csrf:{brand}"), family);
    let r = admin.call("POST", path, Some(&storefront), invite());
    assert_eq!((r.status, r.error_code().as_str()), (403, "csrf_token_invalid"), "{}", r.body);
    let under_previous = signed_id::sign(&previous, &format!("dashboard:{brand}"), family);
    assert_ne!(under_previous, admin.csrf);
    let r = admin.call("POST", path, Some(&under_previous), invite());
    assert_eq!(r.status, 201, "a token signed before the rotation still holds: {}", r.body);
}
