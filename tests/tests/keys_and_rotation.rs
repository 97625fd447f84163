//! Keys as built for Supabase: database tokens are ES256 under the worker's P-256 key and
//! PostgREST trusts nothing else; every PostgREST request carries `apikey`; the worker's
//! own tokens use the separate Shoal secret, and during a rotation (the dev stack always
//! runs with `SHOAL_SECRET_PREVIOUS` set) tokens under the previous secret still work.

use shoal_domain::access_token;
use shoal_domain::db_token::{DbClaims, DbKey};
use shoal_domain::keys::{derive, Purpose};
use shoal_e2e::spawned::*;
use shoal_e2e::*;
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};

/// A P-256 key the stack has never seen (made for these tests with openssl).
const FOREIGN_JWK: &str = r#"{"kty":"EC","crv":"P-256","d":"LbgeUXT4fXHzFp7fV40bzzBFN2LmLXioflPSoQkt7CA","x":"6ATNXJOgjX2Qr3lK6TP4KaO-fLDVz9lNYGO-O4oPbOw","y":"TZpp4ycrr8jDhdilKY7Spzb8Vx8Mk5d9KnMM9SPq0Ds","kid":"KID"}"#;

fn api(path: &str, token: &str) -> Reply {
    let url = format!("http://127.0.0.1:{}{path}", std::env::var("SHOAL_API_PORT").unwrap_or_else(|_| "54330".into()));
    http("POST", &url, &[("authorization", &format!("Bearer {token}")), ("content-type", "application/json")], Some("{}".into()))
}

fn stack_kid() -> String {
    db_key().public_jwk().and_then(|k| k["kid"].as_str().map(str::to_owned)).unwrap_or_default()
}

fn foreign(kid: &str) -> DbKey {
    DbKey::from_jwk(&FOREIGN_JWK.replace("KID", kid)).unwrap_or_else(|e| panic!("{e:?}"))
}

#[test]
fn postgrest_accepts_the_workers_es256_tokens_and_refuses_the_legacy_secret_and_foreign_keys() {
    let ours = token_for(DbClaims::service());
    let header = ours.split('.').next().unwrap_or_default().to_owned();
    assert!(!header.is_empty());
    let r = api("/rpc/shoal_ping", &ours);
    assert_eq!(r.status, 200, "the worker's own token: {}", r.body);

    let now = chrono_now();
    let legacy = DbKey::hs256(b"legacy-supabase-jwt-secret-legacy-supabase-jwt").unwrap_or_else(|e| panic!("{e:?}"));
    let forged = [
        ("an HS256 token (legacy secret)", shoal_domain::db_token::mint(&legacy, DbClaims::service(), now, 60)),
        ("a foreign P-256 key under the stack's kid", shoal_domain::db_token::mint(&foreign(&stack_kid()), DbClaims::service(), now, 60)),
        ("a foreign P-256 key under its own kid", shoal_domain::db_token::mint(&foreign("foreign"), DbClaims::service(), now, 60)),
    ];
    for (what, token) in forged {
        let token = token.unwrap_or_else(|e| panic!("{what}: {e:?}"));
        let r = api("/rpc/shoal_ping", &token);
        assert_eq!(r.status, 401, "{what} was not refused: {}", r.body);
    }
}

#[test]
fn db_token_signs_any_claims_as_the_worker_does() {
    let token = db_token(json!({"role": "service_role"}));
    assert_eq!(api("/rpc/shoal_ping", &token).status, 200);
    let expired = db_token(json!({"role": "service_role", "exp": chrono_now().timestamp() - 3600}));
    assert_eq!(api("/rpc/shoal_ping", &expired).status, 401, "an expired token passed");
}

/// The access token a signed-in admin holds, re-signed under another Shoal secret.
fn resigned(token: &str, secret: &[u8]) -> String {
    let keys = shoal_keys();
    let (claims, exp) = access_token::verify(&keys.signing(Purpose::AccessToken), token, chrono_now())
        .unwrap_or_else(|| panic!("the worker signs access tokens with the current Shoal secret"));
    let ttl = (exp - chrono_now().timestamp()).clamp(60, access_token::MAX_TTL_SECONDS);
    access_token::mint(&derive(secret, Purpose::AccessToken.label()), claims, chrono_now(), ttl).unwrap_or_default()
}

fn members(token: &str) -> u16 {
    let auth = format!("Bearer {token}");
    send("GET", "acme.localhost", "/api/v1/admin/members", &[("authorization", &auth)], None).status
}

#[test]
fn a_staff_token_under_the_previous_shoal_secret_works_during_the_overlap_and_an_unknown_one_is_refused() {
    let token = staff_token("acme.localhost");
    assert_eq!(members(&token), 200);
    let previous = shoal_secret_previous();
    assert!(
        access_token::verify(&derive(previous.as_bytes(), Purpose::AccessToken.label()), &token, chrono_now()).is_none(),
        "new tokens are signed with the current secret, not the previous one"
    );
    assert_eq!(members(&resigned(&token, previous.as_bytes())), 200, "a token from before the rotation was refused");
    assert_eq!(members(&resigned(&token, b"a-secret-this-stack-has-never-held-0123456789")), 401);
    // the database's key is not a Shoal secret: an access token under it is no token
    let db_jwk = local_file("db_jwt_signing_key.json");
    assert_eq!(members(&resigned(&token, db_jwk.as_bytes())), 401);
}

#[test]
fn a_cart_cookie_signed_under_the_previous_secret_still_finds_its_cart() {
    let (brand, host, variant) = shop::shop_with_lamp("keys", r##"{"primary": "#112233"}"##, 5);
    let mut shopper = shop::Shopper::new(&host);
    assert_eq!(shopper.add(&variant, 1).status, 200);
    let signed = shopper.cookie.clone().unwrap_or_else(|| panic!("no cart cookie"));
    let (cart_id, _) = signed.rsplit_once('.').unwrap_or_else(|| panic!("unsigned cookie {signed}"));
    let scope = format!("cart:{brand}");
    let sign = |secret: &[u8]| shoal_domain::signed_id::sign(&derive(secret, Purpose::CartCookie.label()), &scope, cart_id);
    let lines = |cookie: String| {
        let mut s = shop::Shopper::new(&host);
        s.cookie = Some(cookie);
        s.call("GET", "/api/v1/store/cart", None).json()["lines"].as_array().map(Vec::len)
    };
    assert_eq!(lines(signed.clone()), Some(1));
    assert_eq!(lines(sign(shoal_secret_previous().as_bytes())), Some(1), "a cookie from before the rotation lost its cart");
    assert_eq!(lines(sign(b"a-secret-this-stack-has-never-held-0123456789")), Some(0), "a cookie under an unknown secret found the cart");
}

/// A stand-in for Supabase's API gateway that answers every request 401 and keeps the
/// request heads it saw.
fn refusing_gateway() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("bind: {e}"));
    let port = listener.local_addr().map(|a| a.port()).unwrap_or_default();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).is_ok_and(|n| n == 1) {
                head.push(byte[0]);
            }
            if let Ok(mut l) = log.lock() {
                l.push(String::from_utf8_lossy(&head).into_owned());
            }
            let body = r#"{"message":"Invalid API key"}"#;
            let _ = write!(
                stream,
                "HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (port, seen)
}

#[test]
fn every_postgrest_request_carries_the_api_key_and_a_refusal_is_database_unauthorized() {
    let (port, seen) = refusing_gateway();
    let url = format!("http://127.0.0.1:{port}");
    let w = start(&[
        ("ENVIRONMENT", "development"),
        ("PLATFORM_HOST", "localhost"),
        ("POSTGREST_URL", &url),
        ("SUPABASE_API_KEY", "sb_secret_e2e_gateway_check"),
    ]);
    let (status, body) = get_from(&w, "acme.localhost", "/api/v1/store/brand");
    assert_eq!((status, body["error"]["code"].as_str()), (503, Some("database_unauthorized")), "{body}");
    assert!(!body.to_string().contains("Invalid API key"), "the gateway's answer stays in the log: {body}");
    let (status, health) = get_from(&w, "127.0.0.1", "/healthz");
    assert_eq!((status, health["checks"]["database"]["error"].as_str()), (503, Some("database_unauthorized")), "{health}");
    let heads = seen.lock().map(|l| l.clone()).unwrap_or_default();
    assert!(!heads.is_empty(), "the worker never called the gateway");
    let jwks = json!({"keys": [db_key().public_jwk()]});
    for head in &heads {
        let field = |name: &str| {
            head.split("\r\n")
                .filter_map(|l| l.split_once(':'))
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.trim().to_owned())
        };
        assert_eq!(field("apikey").as_deref(), Some("sb_secret_e2e_gateway_check"), "no apikey in:\n{head}");
        let bearer = field("authorization").and_then(|v| v.strip_prefix("Bearer ").map(str::to_owned)).unwrap_or_default();
        let claims = shoal_domain::db_token::verify_with_jwks(&jwks, &bearer, chrono_now());
        assert!(claims.is_some(), "the token is not ES256 under the stack's key: {bearer}");
    }
}

#[test]
fn a_device_licence_under_the_previous_secret_holds_during_the_overlap_and_is_replaced_at_once() {
    use shoal_domain::device_license::{self, LicenseClaims};
    use shoal_e2e::edge::*;
    let (id, fp, hw) = activated("acme.localhost");
    let claims = LicenseClaims {
        sub: id,
        brand_id: ACME_ID.into(),
        fp: fp.clone(),
        hardware_id: hw,
        plan: None,
        subscription_status: "none".into(),
    };
    let status = |licence: &str| edge_with("GET", "/edge/v1/status", &verified(&fp), &[("x-shoal-license", licence)], None).json();
    let under = |secret: &[u8]| {
        device_license::issue(&derive(secret, Purpose::DeviceLicense.label()), claims.clone(), chrono_now(), 72)
            .unwrap_or_else(|| panic!("mint"))
            .0
    };
    let old = under(shoal_secret_previous().as_bytes());
    assert_eq!(status(&old)["code"], "ok", "a licence from before the rotation was refused");
    assert_eq!(status(&under(b"a-secret-this-stack-has-never-held-0123456789"))["code"], "signature_invalid");
    // /health hands the device a licence under the current secret, and says to take it now
    let health = edge_with("GET", "/edge/v1/health", &verified(&fp), &[("x-shoal-license", &old)], None).json();
    let subscription = &health["components"]["subscription"];
    assert_eq!(subscription["needs_refresh"], true, "{subscription}");
    let public = subscription["license_public_key"].as_str().unwrap_or_default();
    let fresh = subscription["license"].as_str().unwrap_or_default();
    assert!(device_license::verify_offline(public, fresh, chrono_now()).is_ok());
    assert!(device_license::verify_offline(public, &old, chrono_now()).is_err(), "the published key is the current one");
}
