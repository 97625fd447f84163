//! Staff access tokens (JWT HS256, at most 15 minutes) and opaque refresh tokens.
//!
//! Access tokens are signed with the Shoal secret's access-token key
//! (`keys::Purpose::AccessToken`, further labelled here), never with the database's key, so
//! one can never be replayed against PostgREST as a database token, and a database token
//! is never accepted as an access token. The worker verifies under each accepted key
//! (`ShoalKeys::verify`), so tokens signed before a rotation hold until they expire.

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, KeyInit, Mac};
use jwt_compact::{
    alg::{Hs256, Hs256Key},
    prelude::*,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub const MAX_TTL_SECONDS: i64 = 15 * 60;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccessClaims {
    /// Account id.
    pub sub: String,
    pub brand_id: String,
    pub app_role: String,
    /// Token id, for the logout deny list.
    pub jti: String,
    /// Session id, re-checked in the database on every request.
    pub sid: String,
}

fn key(secret: &[u8]) -> Option<Hs256Key> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).ok()?;
    mac.update(b"shoal access token");
    Some(Hs256Key::new(mac.finalize().into_bytes()))
}

pub fn mint(secret: &[u8], claims: AccessClaims, now: DateTime<Utc>, ttl_seconds: i64) -> Option<String> {
    if !(1..=MAX_TTL_SECONDS).contains(&ttl_seconds) {
        return None;
    }
    let mut full = Claims::new(claims);
    full.issued_at = Some(now);
    full.expiration = Some(now + Duration::seconds(ttl_seconds));
    Hs256.token(&Header::empty(), &full, &key(secret)?).ok()
}

/// The claims of a valid, unexpired access token, with its expiry (unix seconds).
pub fn verify(secret: &[u8], token: &str, now: DateTime<Utc>) -> Option<(AccessClaims, i64)> {
    let untrusted = UntrustedToken::new(token).ok()?;
    let token: Token<AccessClaims> = Hs256.validator(&key(secret)?).validate(&untrusted).ok()?;
    let claims = token.claims().clone();
    claims.validate_expiration(&TimeOptions::new(Duration::zero(), move || now)).ok()?;
    let exp = claims.expiration?.timestamp();
    Some((claims.custom, exp))
}

/// Refresh tokens are 256 random bits; only their SHA-256 is stored.
pub fn refresh_token(random: [u8; 32]) -> String {
    hex::encode(random)
}

pub fn refresh_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn claims() -> AccessClaims {
        AccessClaims { sub: "acc".into(), brand_id: "b".into(), app_role: "editor".into(), jti: "j".into(), sid: "s".into() }
    }

    fn at(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(s, 0).unwrap_or_default()
    }

    #[test]
    fn round_trip_expiry_and_cap() {
        let t = mint(SECRET, claims(), at(1000), 900).unwrap_or_default();
        assert_eq!(verify(SECRET, &t, at(1899)).map(|c| c.1), Some(1900));
        assert!(verify(SECRET, &t, at(1901)).is_none());
        assert!(mint(SECRET, claims(), at(0), 901).is_none(), "at most 15 minutes");
    }

    #[test]
    fn database_tokens_and_access_tokens_never_pass_for_each_other() {
        let access = mint(SECRET, claims(), at(1000), 60).unwrap_or_default();
        assert!(crate::db_token::verify_hs256(SECRET, &access, at(1000)).is_none());
        let legacy = crate::db_token::DbKey::hs256(SECRET).unwrap_or_else(|e| panic!("{e:?}"));
        let db = crate::db_token::mint(&legacy, crate::db_token::DbClaims::service(), at(1000), 60).unwrap_or_default();
        assert!(verify(SECRET, &db, at(1000)).is_none());
    }

    #[test]
    fn refresh_tokens_are_hashed() {
        let t = refresh_token([1; 32]);
        assert_eq!(t.len(), 64);
        assert_eq!(refresh_hash(&t).len(), 64);
        assert_ne!(refresh_hash(&t), t);
    }
}
