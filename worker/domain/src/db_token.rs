//! Short-lived tokens the worker mints for PostgREST. Their claims are what the RLS
//! policies read through `(select auth.jwt())`, so the shape is part of the database
//! contract: `role` picks the Postgres role, `brand_id` fences rows, `exp` bounds replay.
//!
//! Signed ES256 with a P-256 key the worker holds (`DB_JWT_SIGNING_KEY`, a private JWK with
//! a `kid`): the key a Supabase project imports as its JWT signing key, so PostgREST checks
//! the token against the project's JWK set by `kid`. HS256 with the legacy Supabase JWT
//! secret (`SUPABASE_JWT_SECRET`) remains as the fallback for a project that has not moved
//! to signing keys. Neither key ever signs the worker's own tokens (`keys.rs`).

use chrono::{DateTime, Duration, Utc};
use jwt_compact::{
    alg::{Es256, Hs256, Hs256Key},
    jwk::JsonWebKey,
    prelude::*,
};
use p256::ecdsa::{SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};

/// The claims envelope [`sign`] takes (`iat`, `exp` and the custom claims).
pub use jwt_compact::Claims;

/// Longest lifetime a database token may have: it is minted per request.
pub const MAX_TTL_SECONDS: i64 = 300;

/// The Postgres role PostgREST switches to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DbRole {
    /// Shoppers and anything not signed in; with a `brand_id` it sees that brand's public rows.
    Anon,
    /// Signed-in brand staff (`sub` + `app_role` set).
    Authenticated,
    /// Only for work where no brand is known yet (host resolution, webhooks, cron); it may
    /// call nothing but the SECURITY DEFINER functions granted to it.
    ServiceRole,
}

/// Claims carried to PostgREST; unknown fields are never added. The database reads them
/// through `shoal_private.claim_brand()/claim_actor()/claim_app_role()/claim_device()/
/// claim_cart()`; functions callers reach take brand and actor from here, never from a
/// parameter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DbClaims {
    pub role: DbRole,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub brand_id: Option<String>,
    /// The staff account.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub sub: Option<String>,
    /// brand_admin | editor | read_only | super_admin for staff, `device` for devices.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub app_role: Option<String>,
    /// The staff session the access token belongs to.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub sid: Option<String>,
    /// The edge device (app_role = device).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub device_id: Option<String>,
    /// The shopper's cart, when the request touches one (its id comes from a signed cookie).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub cart_id: Option<String>,
}

impl DbClaims {
    fn empty(role: DbRole) -> Self {
        DbClaims { role, brand_id: None, sub: None, app_role: None, sid: None, device_id: None, cart_id: None }
    }
    /// Work no caller owns: host resolution, Stripe webhooks, cron, and the steps of
    /// sign-up, login and code checks before anyone is authenticated (docs/architecture.md).
    pub fn service() -> Self {
        Self::empty(DbRole::ServiceRole)
    }
    /// A shopper of the brand: sees its public rows.
    pub fn anon_for_brand(brand_id: &str) -> Self {
        DbClaims { brand_id: Some(brand_id.to_owned()), ..Self::empty(DbRole::Anon) }
    }
    /// A shopper of the brand touching their cart (the id from the signed cart cookie).
    pub fn shopper(brand_id: &str, cart_id: Option<&str>) -> Self {
        DbClaims { cart_id: cart_id.map(str::to_owned), ..Self::anon_for_brand(brand_id) }
    }
    /// A signed-in staff member acting on `brand_id` with `app_role`, in session `sid`.
    pub fn staff(account_id: &str, brand_id: &str, app_role: &str, sid: &str) -> Self {
        DbClaims {
            brand_id: Some(brand_id.to_owned()),
            sub: Some(account_id.to_owned()),
            app_role: Some(app_role.to_owned()),
            sid: Some(sid.to_owned()),
            ..Self::empty(DbRole::Authenticated)
        }
    }
    /// An authenticated edge device of the brand.
    pub fn device(device_id: &str, brand_id: &str) -> Self {
        DbClaims {
            brand_id: Some(brand_id.to_owned()),
            app_role: Some("device".to_owned()),
            device_id: Some(device_id.to_owned()),
            ..Self::empty(DbRole::Authenticated)
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenError {
    SecretTooShort,
    BadTtl,
    Signing(String),
    /// `DB_JWT_SIGNING_KEY` is not a P-256 private JWK with a `kid` (the reason says why).
    BadKey(String),
}

/// Minimum HS256 secret length accepted, in bytes (RFC 7518 §3.2: key ≥ hash output).
pub const MIN_SECRET_BYTES: usize = 32;

/// The key database tokens are signed with.
#[derive(Clone, PartialEq, Eq)]
pub enum DbKey {
    /// ES256 with a P-256 private key; `kid` goes in every token's header.
    Es256 { key: SigningKey, kid: String },
    /// HS256 with Supabase's legacy JWT secret (the documented fallback).
    Hs256(Vec<u8>),
}

impl std::fmt::Debug for DbKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DbKey::Es256 { kid, .. } => write!(f, "DbKey::Es256 {{ kid: {kid:?} }}"),
            DbKey::Hs256(_) => write!(f, "DbKey::Hs256"),
        }
    }
}

impl DbKey {
    /// A P-256 private key as a JWK (`kty` EC, `crv` P-256, `d`, `x`, `y`, `kid`; `alg`,
    /// when present, ES256), as `supabase gen signing-key --algorithm ES256` writes it.
    pub fn from_jwk(json: &str) -> Result<DbKey, TokenError> {
        let bad = |why: &str| TokenError::BadKey(why.to_owned());
        let value: serde_json::Value = serde_json::from_str(json.trim()).map_err(|_| bad("not JSON"))?;
        let kid = value["kid"].as_str().map(str::trim).filter(|k| !k.is_empty()).ok_or_else(|| bad("no kid"))?.to_owned();
        if value.get("alg").is_some_and(|a| a != "ES256") {
            return Err(bad("alg is not ES256"));
        }
        let jwk: JsonWebKey<'_> = serde_json::from_value(value).map_err(|_| bad("not a JWK"))?;
        let key = SigningKey::try_from(&jwk).map_err(|e| bad(&format!("not a P-256 private key: {e}")))?;
        Ok(DbKey::Es256 { key, kid })
    }

    pub fn hs256(secret: &[u8]) -> Result<DbKey, TokenError> {
        if secret.len() < MIN_SECRET_BYTES {
            return Err(TokenError::SecretTooShort);
        }
        Ok(DbKey::Hs256(secret.to_vec()))
    }

    pub fn alg(&self) -> &'static str {
        match self {
            DbKey::Es256 { .. } => "ES256",
            DbKey::Hs256(_) => "HS256",
        }
    }

    /// The public JWK PostgREST (or a Supabase project) verifies with; none for HS256.
    pub fn public_jwk(&self) -> Option<serde_json::Value> {
        let DbKey::Es256 { key, kid } = self else { return None };
        let mut jwk = serde_json::to_value(JsonWebKey::from(key.verifying_key())).ok()?;
        jwk["kid"] = kid.as_str().into();
        jwk["alg"] = "ES256".into();
        jwk["use"] = "sig".into();
        Some(jwk)
    }
}

/// Signs any claims exactly as database tokens are signed (the e2e tests sign made-up
/// claims with it); the worker itself only calls [`mint`].
pub fn sign<C: Serialize>(key: &DbKey, claims: &Claims<C>) -> Result<String, TokenError> {
    let signing = |e: jwt_compact::CreationError| TokenError::Signing(e.to_string());
    match key {
        DbKey::Es256 { key, kid } => Es256.token(&Header::empty().with_key_id(kid.as_str()), claims, key).map_err(signing),
        DbKey::Hs256(secret) => Hs256.token(&Header::empty(), claims, &Hs256Key::new(secret)).map_err(signing),
    }
}

/// Mints a token valid from `now` for `ttl_seconds` (1..=300).
pub fn mint(key: &DbKey, claims: DbClaims, now: DateTime<Utc>, ttl_seconds: i64) -> Result<String, TokenError> {
    if !(1..=MAX_TTL_SECONDS).contains(&ttl_seconds) {
        return Err(TokenError::BadTtl);
    }
    let mut full = Claims::new(claims);
    full.issued_at = Some(now);
    full.expiration = Some(now + Duration::seconds(ttl_seconds));
    sign(key, &full)
}

/// The headers that authenticate a PostgREST request: the database token, and Supabase's
/// API key (`apikey`) that its API gateway requires before the request reaches PostgREST.
pub fn request_headers(api_key: Option<&str>, token: &str) -> Vec<(&'static str, String)> {
    let mut headers = vec![("Authorization", format!("Bearer {token}"))];
    if let Some(key) = api_key {
        headers.push(("apikey", key.to_owned()));
    }
    headers
}

fn unexpired(claims: Claims<DbClaims>, now: DateTime<Utc>) -> Option<Claims<DbClaims>> {
    claims.validate_expiration(&TimeOptions::new(Duration::zero(), move || now)).ok()?;
    Some(claims)
}

/// What PostgREST does with a JWK set: the key named by the token's `kid`, ES256 only.
/// The worker never needs this on a request path; it documents and tests the contract.
pub fn verify_with_jwks(jwks: &serde_json::Value, token: &str, now: DateTime<Utc>) -> Option<Claims<DbClaims>> {
    let untrusted = UntrustedToken::new(token).ok()?;
    if untrusted.algorithm() != "ES256" {
        return None;
    }
    let kid = untrusted.header().key_id.as_deref()?;
    let jwk = jwks["keys"].as_array()?.iter().find(|k| k["kid"] == kid)?;
    let jwk: JsonWebKey<'_> = serde_json::from_value(jwk.clone()).ok()?;
    let public = VerifyingKey::try_from(&jwk).ok()?;
    let token: Token<DbClaims> = Es256.validator(&public).validate(&untrusted).ok()?;
    unexpired(token.claims().clone(), now)
}

/// The HS256 fallback's check, with the legacy secret.
pub fn verify_hs256(secret: &[u8], token: &str, now: DateTime<Utc>) -> Option<Claims<DbClaims>> {
    let untrusted = UntrustedToken::new(token).ok()?;
    let token: Token<DbClaims> = Hs256.validator(&Hs256Key::new(secret)).validate(&untrusted).ok()?;
    unexpired(token.claims().clone(), now)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";
    /// A P-256 key as `supabase gen signing-key --algorithm ES256` writes one (test only).
    const JWK: &str = r#"{"kty":"EC","kid":"test-key-1","use":"sig","key_ops":["sign","verify"],"alg":"ES256","ext":true,
        "crv":"P-256","d":"LbgeUXT4fXHzFp7fV40bzzBFN2LmLXioflPSoQkt7CA",
        "x":"6ATNXJOgjX2Qr3lK6TP4KaO-fLDVz9lNYGO-O4oPbOw","y":"TZpp4ycrr8jDhdilKY7Spzb8Vx8Mk5d9KnMM9SPq0Ds"}"#;

    fn es256() -> DbKey {
        DbKey::from_jwk(JWK).unwrap_or_else(|e| panic!("{e:?}"))
    }

    fn hs256() -> DbKey {
        DbKey::hs256(SECRET).unwrap_or_else(|e| panic!("{e:?}"))
    }

    fn jwks(keys: &[&DbKey]) -> serde_json::Value {
        serde_json::json!({"keys": keys.iter().filter_map(|k| k.public_jwk()).collect::<Vec<_>>()})
    }

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(secs, 0).unwrap_or_default()
    }

    fn part(token: &str, n: usize) -> serde_json::Value {
        let part = token.split('.').nth(n).unwrap_or_default();
        let bytes = base64_url_decode(part);
        serde_json::from_slice(&bytes).unwrap_or_default()
    }

    fn payload(token: &str) -> serde_json::Value {
        part(token, 1)
    }

    fn base64_url_decode(s: &str) -> Vec<u8> {
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut bits = 0u32;
        let mut n = 0;
        let mut out = Vec::new();
        for c in s.bytes() {
            let v = alphabet.iter().position(|&a| a == c).unwrap_or(0) as u32;
            bits = (bits << 6) | v;
            n += 6;
            if n >= 8 {
                n -= 8;
                out.push((bits >> n) as u8);
            }
        }
        out
    }

    #[test]
    fn anon_brand_token_carries_role_brand_and_short_expiry() {
        let token = mint(&es256(), DbClaims::anon_for_brand("b-1"), at(1_000), 60).unwrap_or_default();
        let p = payload(&token);
        assert_eq!(p["role"], "anon");
        assert_eq!(p["brand_id"], "b-1");
        assert_eq!(p["iat"], 1_000);
        assert_eq!(p["exp"], 1_060);
        assert!(p.get("sub").is_none(), "absent claims are not serialised: {p}");
    }

    #[test]
    fn es256_tokens_name_their_key_and_verify_against_the_jwk_set() {
        let token = mint(&es256(), DbClaims::service(), at(5), 300).unwrap_or_default();
        assert_eq!(part(&token, 0), serde_json::json!({"alg": "ES256", "kid": "test-key-1"}));
        let p = payload(&token);
        assert_eq!(p["role"], "service_role");
        assert!(p.get("brand_id").is_none());
        assert_eq!(p["exp"], 305);
        let claims = verify_with_jwks(&jwks(&[&es256()]), &token, at(6)).map(|c| c.custom);
        assert_eq!(claims, Some(DbClaims::service()));
        assert!(verify_with_jwks(&jwks(&[&es256()]), &token, at(306)).is_none(), "expired token accepted");
    }

    #[test]
    fn the_public_jwk_carries_no_private_part() {
        let public = es256().public_jwk().unwrap_or_default();
        assert_eq!(
            (public["kty"].as_str(), public["crv"].as_str(), public["kid"].as_str()),
            (Some("EC"), Some("P-256"), Some("test-key-1"))
        );
        assert_eq!(public["x"], "6ATNXJOgjX2Qr3lK6TP4KaO-fLDVz9lNYGO-O4oPbOw");
        assert!(public.get("d").is_none(), "{public}");
        assert_eq!(hs256().public_jwk(), None);
    }

    #[test]
    fn during_a_rotation_the_set_holds_both_keys_and_either_verifies() {
        let other = other_key("next-key");
        let set = jwks(&[&other, &es256()]);
        for key in [&es256(), &other] {
            let token = mint(key, DbClaims::anon_for_brand("b"), at(10), 60).unwrap_or_default();
            assert!(verify_with_jwks(&set, &token, at(11)).is_some(), "{key:?}");
        }
        // a foreign key, even one claiming a known kid, is refused
        let foreign = other_key("test-key-1");
        let forged = mint(&foreign, DbClaims::service(), at(10), 60).unwrap_or_default();
        assert!(verify_with_jwks(&set, &forged, at(11)).is_none());
        let unknown = mint(&other_key("unknown"), DbClaims::service(), at(10), 60).unwrap_or_default();
        assert!(verify_with_jwks(&set, &unknown, at(11)).is_none());
    }

    fn other_key(kid: &str) -> DbKey {
        // any scalar below the curve order is a key
        let key = SigningKey::from_slice(&[7u8; 32]).unwrap_or_else(|e| panic!("{e}"));
        DbKey::Es256 { key, kid: kid.into() }
    }

    #[test]
    fn hs256_with_the_legacy_secret_remains_as_fallback_and_never_passes_as_es256() {
        let token = mint(&hs256(), DbClaims::anon_for_brand("b"), at(100), 60).unwrap_or_default();
        assert_eq!(part(&token, 0), serde_json::json!({"alg": "HS256"}));
        let claims = verify_hs256(SECRET, &token, at(159)).map(|c| c.custom);
        assert_eq!(claims, Some(DbClaims::anon_for_brand("b")));
        assert!(verify_hs256(SECRET, &token, at(161)).is_none(), "expired token accepted");
        assert!(verify_hs256(b"another-secret-another-secret-xx", &token, at(100)).is_none(), "wrong key accepted");
        assert!(verify_with_jwks(&jwks(&[&es256()]), &token, at(100)).is_none(), "an HS256 token passed the JWK set");
    }

    #[test]
    fn every_request_carries_the_token_and_the_api_key() {
        assert_eq!(
            request_headers(Some("sb_secret_x"), "t"),
            vec![("Authorization", "Bearer t".to_owned()), ("apikey", "sb_secret_x".to_owned())]
        );
        assert_eq!(request_headers(None, "t"), vec![("Authorization", "Bearer t".to_owned())]);
    }

    #[test]
    fn lifetime_is_capped_at_five_minutes() {
        assert_eq!(mint(&es256(), DbClaims::service(), at(0), 301), Err(TokenError::BadTtl));
        assert_eq!(mint(&es256(), DbClaims::service(), at(0), 0), Err(TokenError::BadTtl));
        assert!(mint(&hs256(), DbClaims::service(), at(0), MAX_TTL_SECONDS).is_ok());
    }

    #[test]
    fn short_secrets_and_unusable_jwks_are_refused() {
        assert_eq!(DbKey::hs256(b"short"), Err(TokenError::SecretTooShort));
        let without_kid = JWK.replace(r#""kid":"test-key-1","#, "");
        let public_only = JWK.replace(r#""d":"LbgeUXT4fXHzFp7fV40bzzBFN2LmLXioflPSoQkt7CA","#, "");
        let other_alg = JWK.replace(r#""alg":"ES256""#, r#""alg":"RS256""#);
        let mismatched = JWK.replace("6ATNXJOgjX2Qr3lK6TP4KaO-fLDVz9lNYGO-O4oPbOw", "TZpp4ycrr8jDhdilKY7Spzb8Vx8Mk5d9KnMM9SPq0Ds");
        for bad in [
            without_kid.as_str(),
            public_only.as_str(),
            other_alg.as_str(),
            mismatched.as_str(),
            "-----BEGIN PRIVATE KEY-----",
            r#"{"kty":"oct","k":"AAAA","kid":"x"}"#,
        ] {
            assert!(matches!(DbKey::from_jwk(bad), Err(TokenError::BadKey(_))), "{bad}");
        }
        assert!(!format!("{:?}", es256()).contains("LbgeU"), "Debug shows no private key");
    }
}
