//! The subscription token an edge device keeps so it can keep selling while offline: a JWT
//! (HS256, key derived from the project's JWT secret with its own label, so it is neither
//! an access token nor a database token) naming the device, its certificate, its hardware
//! and the brand's plan, valid for a few days. The device shows it back in
//! `X-Shoal-License`; `/edge/v1/status` says whether it still holds and for whom.

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, KeyInit, Mac};
use jwt_compact::{
    alg::{Hs256, Hs256Key},
    prelude::*,
};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LicenseClaims {
    /// device id
    pub sub: String,
    pub brand_id: String,
    /// the certificate fingerprint the token was issued to
    pub fp: String,
    pub hardware_id: String,
    pub plan: Option<String>,
    pub subscription_status: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LicenseError {
    /// not a token of ours, or altered
    SignatureInvalid,
    /// a genuine token past its `exp`
    Expired { expired_epoch: i64 },
}

fn key(secret: &[u8]) -> Option<Hs256Key> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).ok()?;
    mac.update(b"shoal edge license");
    Some(Hs256Key::new(mac.finalize().into_bytes()))
}

/// The token and its expiry (unix seconds).
pub fn issue(secret: &[u8], claims: LicenseClaims, now: DateTime<Utc>, hours: i64) -> Option<(String, i64)> {
    let mut full = Claims::new(claims);
    full.issued_at = Some(now);
    let exp = now + Duration::hours(hours);
    full.expiration = Some(exp);
    Some((Hs256.token(&Header::empty(), &full, &key(secret)?).ok()?, exp.timestamp()))
}

/// Signature first (an altered token never reports an expiry), then expiry.
pub fn verify(secret: &[u8], token: &str, now: DateTime<Utc>) -> Result<(LicenseClaims, i64), LicenseError> {
    let untrusted = UntrustedToken::new(token.trim()).map_err(|_| LicenseError::SignatureInvalid)?;
    let key = key(secret).ok_or(LicenseError::SignatureInvalid)?;
    let token: Token<LicenseClaims> = Hs256.validator(&key).validate(&untrusted).map_err(|_| LicenseError::SignatureInvalid)?;
    let claims = token.claims();
    let exp = claims.expiration.map(|e| e.timestamp()).ok_or(LicenseError::SignatureInvalid)?;
    if exp <= now.timestamp() {
        return Err(LicenseError::Expired { expired_epoch: exp });
    }
    Ok((claims.custom.clone(), exp))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn at(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(s, 0).unwrap_or_default()
    }

    fn claims() -> LicenseClaims {
        LicenseClaims { sub: "dev".into(), brand_id: "b".into(), fp: "ab".repeat(32), hardware_id: "HW-1".into(),
                        plan: Some("growth".into()), subscription_status: "active".into() }
    }

    #[test]
    fn a_fresh_token_verifies_until_it_expires() {
        let (token, exp) = issue(SECRET, claims(), at(1_000_000), 72).unwrap();
        assert_eq!(exp, 1_000_000 + 72 * 3600);
        assert_eq!(verify(SECRET, &token, at(1_000_001)), Ok((claims(), exp)));
        assert_eq!(verify(SECRET, &token, at(exp)), Err(LicenseError::Expired { expired_epoch: exp }));
    }

    #[test]
    fn altered_foreign_or_garbage_tokens_are_signature_invalid() {
        let (token, _) = issue(SECRET, claims(), at(1_000_000), 1).unwrap();
        let (other, _) = issue(b"another secret of at least 32 bytes!", claims(), at(1_000_000), 1).unwrap();
        let mut altered = token.clone();
        altered.pop();
        altered.push(if token.ends_with('A') { 'B' } else { 'A' });
        for bad in [other.as_str(), altered.as_str(), "x.y.z", ""] {
            assert_eq!(verify(SECRET, bad, at(1_000_001)), Err(LicenseError::SignatureInvalid), "{bad}");
        }
        // an expired token that was also altered is reported as altered
        assert_eq!(verify(SECRET, &altered, at(9_000_000)), Err(LicenseError::SignatureInvalid));
    }

    #[test]
    fn an_access_token_is_not_a_license() {
        let access = crate::access_token::mint(SECRET, crate::access_token::AccessClaims { sub: "a".into(), brand_id: "b".into(),
            app_role: "brand_admin".into(), jti: "j".into(), sid: "s".into() }, at(1_000_000), 600).unwrap();
        assert_eq!(verify(SECRET, &access, at(1_000_001)), Err(LicenseError::SignatureInvalid));
    }
}
