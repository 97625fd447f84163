//! Short-lived HS256 tokens the worker mints for PostgREST. Their claims are what the RLS
//! policies read through `(select auth.jwt())`, so the shape is part of the database
//! contract: `role` picks the Postgres role, `brand_id` fences rows, `exp` bounds replay.

use chrono::{DateTime, Duration, Utc};
use jwt_compact::{
    alg::{Hs256, Hs256Key},
    prelude::*,
};
use serde::{Deserialize, Serialize};

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
}

/// Minimum HS256 secret length accepted, in bytes (RFC 7518 §3.2: key ≥ hash output).
pub const MIN_SECRET_BYTES: usize = 32;

/// Mints a token valid from `now` for `ttl_seconds` (1..=300).
pub fn mint(secret: &[u8], claims: DbClaims, now: DateTime<Utc>, ttl_seconds: i64) -> Result<String, TokenError> {
    if secret.len() < MIN_SECRET_BYTES {
        return Err(TokenError::SecretTooShort);
    }
    if !(1..=MAX_TTL_SECONDS).contains(&ttl_seconds) {
        return Err(TokenError::BadTtl);
    }
    let mut full = Claims::new(claims);
    full.issued_at = Some(now);
    full.expiration = Some(now + Duration::seconds(ttl_seconds));
    Hs256
        .token(&Header::empty(), &full, &Hs256Key::new(secret))
        .map_err(|e| TokenError::Signing(e.to_string()))
}

/// Verifies a token minted by [`mint`] and returns its claims when it is still valid at `now`.
/// The worker never needs this on a request path; it documents and tests the contract.
pub fn verify(secret: &[u8], token: &str, now: DateTime<Utc>) -> Option<Claims<DbClaims>> {
    let untrusted = UntrustedToken::new(token).ok()?;
    let token: Token<DbClaims> = Hs256.validator(&Hs256Key::new(secret)).validate(&untrusted).ok()?;
    let claims = token.claims().clone();
    let options = TimeOptions::new(Duration::zero(), move || now);
    claims.validate_expiration(&options).ok()?;
    Some(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(secs, 0).unwrap_or_default()
    }

    fn payload(token: &str) -> serde_json::Value {
        let part = token.split('.').nth(1).unwrap_or_default();
        let bytes = base64_url_decode(part);
        serde_json::from_slice(&bytes).unwrap_or_default()
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
        let token = mint(SECRET, DbClaims::anon_for_brand("b-1"), at(1_000), 60).unwrap_or_default();
        let p = payload(&token);
        assert_eq!(p["role"], "anon");
        assert_eq!(p["brand_id"], "b-1");
        assert_eq!(p["iat"], 1_000);
        assert_eq!(p["exp"], 1_060);
        assert!(p.get("sub").is_none(), "absent claims are not serialised: {p}");
    }

    #[test]
    fn service_token_has_no_brand() {
        let token = mint(SECRET, DbClaims::service(), at(5), 300).unwrap_or_default();
        let p = payload(&token);
        assert_eq!(p["role"], "service_role");
        assert!(p.get("brand_id").is_none());
        assert_eq!(p["exp"], 305);
    }

    #[test]
    fn lifetime_is_capped_at_five_minutes() {
        assert_eq!(mint(SECRET, DbClaims::service(), at(0), 301), Err(TokenError::BadTtl));
        assert_eq!(mint(SECRET, DbClaims::service(), at(0), 0), Err(TokenError::BadTtl));
        assert!(mint(SECRET, DbClaims::service(), at(0), MAX_TTL_SECONDS).is_ok());
    }

    #[test]
    fn short_secrets_are_refused() {
        assert_eq!(mint(b"short", DbClaims::service(), at(0), 60), Err(TokenError::SecretTooShort));
    }

    #[test]
    fn verifies_within_lifetime_and_not_after() {
        let token = mint(SECRET, DbClaims::anon_for_brand("b"), at(100), 60).unwrap_or_default();
        let claims = verify(SECRET, &token, at(159)).map(|c| c.custom);
        assert_eq!(claims, Some(DbClaims::anon_for_brand("b")));
        assert!(verify(SECRET, &token, at(161)).is_none(), "expired token accepted");
        assert!(verify(b"another-secret-another-secret-xx", &token, at(100)).is_none(), "wrong key accepted");
    }
}
