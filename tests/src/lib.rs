//! Helpers for end-to-end tests against the local stack that `scripts/test` starts:
//! real HTTP to the worker (any Host header), and the dev script for database access and
//! for stopping/starting services.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

pub mod edge;
pub mod forms;
pub mod mail;
pub mod shop;
pub mod spawned;
pub mod stripe;

pub use serde_json::{json, Value};

pub const ACME_ID: &str = "a0000000-0000-4000-8000-00000000000a";
pub const GLOBEX_ID: &str = "b0000000-0000-4000-8000-00000000000b";

fn port(var: &str, default: u16) -> u16 {
    std::env::var(var).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

pub fn worker_port() -> u16 {
    port("SHOAL_HTTP_PORT", 8787)
}

pub fn stripe_port() -> u16 {
    port("SHOAL_STRIPE_PORT", 12111)
}

pub fn email_port() -> u16 {
    port("SHOAL_EMAIL_PORT", 12112)
}

pub fn project_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A response read whole: status, headers (lower-case names) and body.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", self.body))
    }
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
    }
    /// Asserts the standard error shape and returns its code.
    pub fn error_code(&self) -> String {
        let v = self.json();
        let code = v["error"]["code"].as_str().unwrap_or_else(|| panic!("no error.code in {v}"));
        assert!(v["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "no error.message in {v}");
        code.to_owned()
    }
}

fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(30))
        // redirects are part of what is tested: never follow them
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_else(|e| panic!("http client: {e}"))
}

/// A client IP no other request of this test run has used, in a /64 of its own (rate
/// limits count an IPv6 client per /64), so rate-limit budgets never leak between tests:
/// `fdPP:PPPP:NNNN:NNNN::1` (unique-local), P the process id, N a counter.
pub fn fresh_ip() -> String {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);
    let (pid, n) = (std::process::id(), NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst));
    format!("fd{:02x}:{:x}:{:x}:{:x}::1", (pid >> 16) & 0xff, pid & 0xffff, n >> 16, n & 0xffff)
}

thread_local! {
    /// Each test (a thread) is its own client: `CF-Connecting-IP` unless a test sets one.
    static CLIENT_IP: String = fresh_ip();
}

/// Sends a request to the worker with the given Host header.
pub fn send(method: &str, host: &str, path: &str, headers: &[(&str, &str)], body: Option<String>) -> Reply {
    let url = format!("http://127.0.0.1:{}{}", worker_port(), path);
    let ip = CLIENT_IP.with(|ip| ip.clone());
    let mut all = vec![("host", host)];
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("cf-connecting-ip")) {
        all.push(("cf-connecting-ip", ip.as_str()));
    }
    all.extend_from_slice(headers);
    http(method, &url, &all, body)
}

pub fn get(host: &str, path: &str) -> Reply {
    send("GET", host, path, &[], None)
}

/// Plain HTTP to a loopback service (stand-ins).
pub fn http(method: &str, url: &str, headers: &[(&str, &str)], body: Option<String>) -> Reply {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap_or(reqwest::Method::GET);
    let mut req = client().request(method, url);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    if let Some(b) = body {
        req = req.body(b);
    }
    let resp = req.send().unwrap_or_else(|e| panic!("request to {url} failed: {e}"));
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    Reply { status, headers, body: resp.text().unwrap_or_default() }
}

/// Runs `scripts/dev <args>` with the test stack's environment; panics on failure.
pub fn dev(args: &[&str]) -> String {
    let out = Command::new(project_root().join("scripts/dev")).args(args).output().unwrap_or_else(|e| panic!("scripts/dev {args:?}: {e}"));
    assert!(
        out.status.success(),
        "scripts/dev {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// Runs SQL as the database superuser and returns psql's unaligned output.
pub fn sql(statement: &str) -> String {
    dev(&["psql", "-tA", "-c", statement])
}

/// A single number from SQL (`select count(*) …`).
pub fn count(query: &str) -> i64 {
    sql(query).parse().unwrap_or(-1)
}

/// A staff member the database confirms: a fresh account with an active membership of
/// `brand` in `role` (a super admin account for `super_admin`). Policies check a token's
/// brand and role against memberships (`shoal_private.claim_staff_role`), so a made-up
/// account id is no staff member; returns the account id.
pub fn staff_member(brand: &str, role: &str) -> String {
    let id = uuid();
    let super_admin = role == "super_admin";
    sql(&format!("insert into accounts (id, email, password_hash, is_super_admin) values ('{id}', '{id}@staff.test', 'x', {super_admin})"));
    if !super_admin {
        sql(&format!("insert into memberships (brand_id, account_id, role) values ('{brand}', '{id}', '{role}')"));
    }
    id
}

/// The database claims of a fresh, confirmed staff member (see `staff_member`).
pub fn staff_claims(brand: &str, role: &str) -> shoal_domain::db_token::DbClaims {
    shoal_domain::db_token::DbClaims::staff(&staff_member(brand, role), brand, role, "sid")
}

/// A fresh UUID (v4 shape) for client-made ids: the varying bits come first, so any prefix
/// of it is unique within a run too.
pub fn uuid() -> String {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or_default() as u64;
    let h = format!("{:08x}{:016x}{:08x}", n.wrapping_mul(2_654_435_761) ^ nanos as u32, nanos, std::process::id());
    format!("{}-{}-4{}-8{}-{}", &h[..8], &h[8..12], &h[13..16], &h[17..20], &h[20..32])
}

/// A short random suffix so tests that create rows never collide.
pub fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or_default();
    format!("{prefix}{:x}{:x}", nanos, std::process::id())
}

/// A brand of its own with one verified domain, so a test can change it freely; published
/// (a new brand starts unpublished, "coming soon"; `signed_up_owner`'s brands do).
pub fn new_brand(prefix: &str, currency: &str, locale: &str) -> (String, String) {
    let slug = unique(prefix);
    let host = format!("{slug}.localhost");
    let id = sql(&format!(
        "insert into public.brands (slug, name, currency, locale, theme, published) values ('{slug}', 'Shop {slug}', '{currency}', '{locale}', '{{\"primary\": \"#112233\"}}', true) returning id"
    ));
    sql(&format!("insert into public.brand_domains (host, brand_id, is_primary, verified) values ('{host}', '{id}', true, true)"));
    (id, host)
}

/// A file the dev script generated in the state folder (secrets, keys), trimmed.
pub fn local_file(name: &str) -> String {
    let local = std::env::var("SHOAL_LOCAL").unwrap_or_else(|_| panic!("SHOAL_LOCAL is not set: run through scripts/test"));
    std::fs::read_to_string(format!("{local}/{name}")).unwrap_or_else(|e| panic!("{local}/{name}: {e}")).trim().to_owned()
}

/// The key the stack's worker signs database tokens with (ES256, `DB_JWT_SIGNING_KEY`).
pub fn db_key() -> shoal_domain::db_token::DbKey {
    shoal_domain::db_token::DbKey::from_jwk(&local_file("db_jwt_signing_key.json")).unwrap_or_else(|e| panic!("db key: {e:?}"))
}

/// A database token for any claims (JSON), signed exactly as the worker signs its own
/// (ES256 with the stack's key, `kid` in the header); `iat`/`exp` (5 minutes) are added
/// unless the claims carry them.
pub fn db_token(claims: Value) -> String {
    let now = chrono_now();
    let mut full = shoal_domain::db_token::Claims::new(claims.clone());
    if claims.get("iat").is_none() {
        full.issued_at = Some(now);
    }
    if claims.get("exp").is_none() {
        full.expiration = Some(now + chrono::Duration::seconds(300));
    }
    shoal_domain::db_token::sign(&db_key(), &full).unwrap_or_else(|e| panic!("sign: {e:?}"))
}

/// A service-role bearer token, as Supabase's service key is: signed with the stack's
/// database key. The admin API refuses it (401); tests use it to prove that.
pub fn service_token() -> String {
    token_for(shoal_domain::db_token::DbClaims::service())
}

pub fn token_for(claims: shoal_domain::db_token::DbClaims) -> String {
    shoal_domain::db_token::mint(&db_key(), claims, chrono_now(), 300).unwrap_or_else(|e| panic!("mint: {e:?}"))
}

/// The stack's Shoal secrets: the current one signs, the previous one still verifies
/// (the dev stack always runs mid-rotation, so both paths are exercised).
pub fn shoal_secret() -> String {
    local_file("shoal_secret")
}

pub fn shoal_secret_previous() -> String {
    local_file("shoal_secret_previous")
}

/// The stack's worker keys, as its config builds them (`SHOAL_HASH_SECRET` unset).
pub fn shoal_keys() -> shoal_domain::keys::ShoalKeys {
    let (current, previous) = (shoal_secret(), shoal_secret_previous());
    shoal_domain::keys::ShoalKeys::new(current.as_bytes(), Some(previous.as_bytes()), None).unwrap_or_else(|e| panic!("{e}"))
}

pub fn chrono_now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(stripe::now(), 0).unwrap_or_default()
}

/// The seeded development accounts' password (docs/local-stack.md).
pub const DEV_PASSWORD: &str = "Shoal-dev-2026!";

/// Signs `email` in on `host` from a fresh IP and returns the access token.
pub fn sign_in(host: &str, email: &str, password: &str) -> String {
    let ip = fresh_ip();
    let body = json!({"email": email, "password": password}).to_string();
    let r =
        send("POST", host, "/api/v1/auth/login", &[("cf-connecting-ip", ip.as_str()), ("content-type", "application/json")], Some(body));
    assert_eq!(r.status, 200, "sign-in of {email} on {host}: {}", r.body);
    r.json()["access_token"].as_str().unwrap_or_default().to_owned()
}

/// An access token of a brand admin of `host`'s brand: an account made for the tests (one
/// per brand, verified, the development password), signed in once per test process and
/// again after 10 minutes (tokens live 15). The admin API takes staff sessions only.
pub fn staff_token(host: &str) -> String {
    static TOKENS: std::sync::Mutex<Vec<(String, std::time::Instant, String)>> = std::sync::Mutex::new(Vec::new());
    let fresh = |t: &std::time::Instant| t.elapsed() < Duration::from_secs(600);
    if let Some((_, _, token)) = TOKENS.lock().ok().and_then(|l| l.iter().find(|(h, t, _)| h == host && fresh(t)).cloned()) {
        return token;
    }
    let brand = sql(&format!("select brand_id from brand_domains where host = '{host}'"));
    assert!(!brand.is_empty(), "no brand serves {host}");
    let token = staff_session(host, &brand, "brand_admin");
    if let Ok(mut l) = TOKENS.lock() {
        l.retain(|(h, _, _)| h != host);
        l.push((host.to_owned(), std::time::Instant::now(), token.clone()));
    }
    token
}

/// The binding that counts the limit (`API_LIMIT`) counts in windows aligned to the minute,
/// Cloudflare's and Miniflare's alike: a test starts counting with at least 30 s of the
/// window left, so its 101 requests (a few seconds) fall in one window.
pub fn start_of_a_window() {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    if now % 60 > 30 {
        std::thread::sleep(std::time::Duration::from_secs(60 - now % 60));
    }
}

/// A fresh access token of a staff member of `brand` in `role`, signed in on `host`: an
/// account made for the tests (one per brand and role, verified, the development password).
pub fn staff_session(host: &str, brand: &str, role: &str) -> String {
    let email = if role == "brand_admin" { format!("e2e-admin-{brand}@example.com") } else { format!("e2e-{role}-{brand}@example.com") };
    sql(&format!(
        "insert into accounts (email, password_hash, email_verified_at)
           select '{email}', password_hash, now() from accounts where email = 'admin@acme.localhost'
         on conflict (email) do nothing;
         insert into memberships (brand_id, account_id, role) select '{brand}', id, '{role}' from accounts where email = '{email}'
         on conflict (brand_id, account_id) do update set role = '{role}', status = 'active';"
    ));
    sign_in(host, &email, DEV_PASSWORD)
}

/// An access token of the platform super admin, signed in on `host`.
pub fn super_admin_token(host: &str) -> String {
    sign_in(host, "super@shoal.localhost", DEV_PASSWORD)
}

/// Calls the admin API of `host` as a brand admin of its brand (see `staff_token`).
pub fn admin(method: &str, host: &str, path: &str, body: Option<Value>) -> Reply {
    let auth = format!("Bearer {}", staff_token(host));
    send(method, host, path, &[("authorization", &auth), ("content-type", "application/json")], body.map(|b| b.to_string()))
}

/// What the Stripe stand-in received on `path`, oldest first.
pub fn stripe_requests(path: &str) -> Vec<Value> {
    let journal = http("GET", &format!("http://127.0.0.1:{}/__requests", stripe_port()), &[], None).json();
    journal["data"].as_array().map(|a| a.iter().filter(|e| e["path"] == path).cloned().collect()).unwrap_or_default()
}

/// Makes the Stripe stand-in fail the next `times` calls to `path`.
pub fn stripe_fail(path: &str, status: u16, times: u32) {
    let body = json!({"path": path, "status": status, "times": times}).to_string();
    let r = http("POST", &format!("http://127.0.0.1:{}/__fail", stripe_port()), &[("authorization", "Bearer sk_test_x")], Some(body));
    assert_eq!(r.status, 200, "{}", r.body);
}

pub const OWNER_PASSWORD: &str = "Owner-Pass-123";

/// A brand created through sign-up, with its owner signed in.
pub struct Owner {
    pub host: String,
    pub email: String,
    pub brand_id: String,
    pub token: String,
}

/// Verifies `email` with the code the sign-up emailed (read from the email it received), as
/// its owner would: an unverified account cannot sign in.
pub fn verify_email(email: &str) {
    let code = mail::code(email, "verification_code");
    let ip = fresh_ip();
    let r = send(
        "POST",
        "localhost",
        "/api/v1/auth/verify-email",
        &[("cf-connecting-ip", ip.as_str()), ("content-type", "application/json")],
        Some(json!({"email": email, "code": code}).to_string()),
    );
    assert_eq!(r.status, 200, "verify {email}: {}", r.body);
}

/// A brand created through sign-up on the platform host, its owner's email verified and
/// signed in.
pub fn signed_up_owner(prefix: &str) -> Owner {
    let slug = unique(prefix).chars().take(30).collect::<String>();
    let email = format!("{slug}@example.com");
    let json_body = |v: Value| Some(v.to_string());
    let ip = fresh_ip();
    let headers = [("cf-connecting-ip", ip.as_str()), ("content-type", "application/json")];
    let r = send(
        "POST",
        "localhost",
        "/api/v1/auth/signup",
        &headers,
        json_body(json!({"brand_name": "Shop", "slug": slug, "email": email, "password": OWNER_PASSWORD})),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    verify_email(&email);
    let host = format!("{slug}.localhost");
    let login = send("POST", &host, "/api/v1/auth/login", &headers, json_body(json!({"email": email, "password": OWNER_PASSWORD})));
    assert_eq!(login.status, 200, "{}", login.body);
    Owner {
        brand_id: r.json()["brand_id"].as_str().unwrap_or_default().to_owned(),
        token: login.json()["access_token"].as_str().unwrap_or_default().to_owned(),
        host,
        email,
    }
}
