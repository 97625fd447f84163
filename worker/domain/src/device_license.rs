//! The subscription token an edge device keeps so it can keep selling while offline: a JWT
//! naming the device, its certificate, its hardware and the brand's plan, valid for a few
//! days. ES256, so the device can check it offline with the public key it gets at
//! activation and from `/health`, and can never mint one. The P-256 key is derived from
//! the Shoal secret's licence key (`keys::Purpose::DeviceLicense`) under its own label (no
//! new secret to provision; it is neither an access token nor a database token). The
//! device shows the token back in `X-Shoal-License`; `/edge/v1/status` says whether it
//! holds and for whom. While `SHOAL_SECRET` rotates, [`verify_any`] accepts a licence
//! signed under the previous secret; `/health` hands out a new one and the new public key.

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, KeyInit, Mac};
use jwt_compact::{alg::Es256, prelude::*};
use p256::ecdsa::{SigningKey, VerifyingKey};
use p256::pkcs8::EncodePublicKey;
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
    /// not a token of ours, or altered: why it failed verification
    SignatureInvalid(SignatureError),
    /// a genuine token past its `exp`
    Expired { expired_epoch: i64 },
}

/// Why a signed token failed verification, as `signature_invalid` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatureError {
    /// not three base64url parts with a JSON header
    MalformedToken,
    /// signed with another algorithm than ES256
    UnsupportedAlgorithm,
    /// well formed, but no accepted key made this signature (altered, or not ours)
    SignatureMismatch,
    /// signed, but the claims are not a license's (or carry no expiry)
    MalformedClaims,
    /// the public key given to check it with is not a P-256 key (offline checks only)
    MalformedKey,
}

fn signing_key(secret: &[u8]) -> Option<SigningKey> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).ok()?;
    mac.update(b"shoal edge license es256");
    // a 256-bit HMAC output is a valid P-256 scalar except with probability ~2^-32
    SigningKey::from_slice(&mac.finalize().into_bytes()).ok()
}

/// The key devices verify licenses with (PEM, SubjectPublicKeyInfo).
pub fn public_key_pem(secret: &[u8]) -> Option<String> {
    signing_key(secret)?.verifying_key().to_public_key_pem(p256::pkcs8::LineEnding::LF).ok()
}

/// The token and its expiry (unix seconds).
pub fn issue(secret: &[u8], claims: LicenseClaims, now: DateTime<Utc>, hours: i64) -> Option<(String, i64)> {
    let mut full = Claims::new(claims);
    full.issued_at = Some(now);
    let exp = now + Duration::hours(hours);
    full.expiration = Some(exp);
    Some((Es256.token(&Header::empty(), &full, &signing_key(secret)?).ok()?, exp.timestamp()))
}

/// Signature first (an altered token never reports an expiry), then expiry.
pub fn verify(secret: &[u8], token: &str, now: DateTime<Utc>) -> Result<(LicenseClaims, i64), LicenseError> {
    let key = signing_key(secret).ok_or(LicenseError::SignatureInvalid(SignatureError::MalformedKey))?;
    verify_with(key.verifying_key(), token, now)
}

/// [`verify`] under each accepted key (current first): the first that holds answers; a
/// genuine but expired token under any of them reports its expiry; otherwise the current
/// key's verification error.
pub fn verify_any(secrets: &[[u8; 32]], token: &str, now: DateTime<Utc>) -> Result<(LicenseClaims, i64), LicenseError> {
    let mut outcome: Option<LicenseError> = None;
    for secret in secrets {
        match verify(secret, token, now) {
            Ok(found) => return Ok(found),
            Err(expired @ LicenseError::Expired { .. }) => outcome = Some(expired),
            Err(invalid) => {
                outcome.get_or_insert(invalid);
            }
        }
    }
    Err(outcome.unwrap_or(LicenseError::SignatureInvalid(SignatureError::SignatureMismatch)))
}

/// What a device does offline: the same check with the published public key.
pub fn verify_offline(public_key_pem: &str, token: &str, now: DateTime<Utc>) -> Result<(LicenseClaims, i64), LicenseError> {
    use p256::pkcs8::DecodePublicKey;
    let key = VerifyingKey::from_public_key_pem(public_key_pem.trim())
        .map_err(|_| LicenseError::SignatureInvalid(SignatureError::MalformedKey))?;
    verify_with(&key, token, now)
}

/// The ES256 signature (r‖s, base64url) over `header.payload`, checked alone.
fn signature_holds(key: &VerifyingKey, token: &str) -> bool {
    use p256::ecdsa::signature::Verifier;
    let Some((signed, signature)) = token.trim().rsplit_once('.') else { return false };
    let Ok(bytes) = data_encoding::BASE64URL_NOPAD.decode(signature.as_bytes()) else { return false };
    p256::ecdsa::Signature::from_slice(&bytes).is_ok_and(|sig| key.verify(signed.as_bytes(), &sig).is_ok())
}

fn verify_with(key: &VerifyingKey, token: &str, now: DateTime<Utc>) -> Result<(LicenseClaims, i64), LicenseError> {
    use jwt_compact::ValidationError as V;
    let invalid = LicenseError::SignatureInvalid;
    let untrusted = UntrustedToken::new(token.trim()).map_err(|_| invalid(SignatureError::MalformedToken))?;
    let token: Token<LicenseClaims> = Es256.validator(key).validate(&untrusted).map_err(|e| {
        invalid(match e {
            V::AlgorithmMismatch { .. } => SignatureError::UnsupportedAlgorithm,
            // jwt-compact reads the claims before it checks the signature: unreadable claims
            // under a signature that does not hold are an altered token
            V::MalformedClaims(_) if !signature_holds(key, token) => SignatureError::SignatureMismatch,
            V::MalformedClaims(_) | V::NoClaim(_) => SignatureError::MalformedClaims,
            _ => SignatureError::SignatureMismatch,
        })
    })?;
    let claims = token.claims();
    let exp = claims.expiration.map(|e| e.timestamp()).ok_or(invalid(SignatureError::MalformedClaims))?;
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
        LicenseClaims {
            sub: "dev".into(),
            brand_id: "b".into(),
            fp: "ab".repeat(32),
            hardware_id: "HW-1".into(),
            plan: Some("growth".into()),
            subscription_status: "active".into(),
        }
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
        let invalid = LicenseError::SignatureInvalid;
        for bad in [other.as_str(), altered.as_str()] {
            assert_eq!(verify(SECRET, bad, at(1_000_001)), Err(invalid(SignatureError::SignatureMismatch)), "{bad}");
        }
        for bad in ["x.y.z", "", "not a token"] {
            assert_eq!(verify(SECRET, bad, at(1_000_001)), Err(invalid(SignatureError::MalformedToken)), "{bad}");
        }
        // a token signed with another algorithm says so
        let hs256 = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjk5OTk5OTk5OTl9.c2lnbmF0dXJl";
        assert_eq!(verify(SECRET, hs256, at(1_000_001)), Err(invalid(SignatureError::UnsupportedAlgorithm)));
        // a payload altered into unreadable claims is altered, not malformed
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        let middle = parts[1].len() / 2;
        parts[1].insert(middle, 'x');
        assert_eq!(verify(SECRET, &parts.join("."), at(1_000_001)), Err(invalid(SignatureError::SignatureMismatch)));
        // an expired token that was also altered is reported as altered
        assert_eq!(verify(SECRET, &altered, at(9_000_000)), Err(invalid(SignatureError::SignatureMismatch)));
    }

    #[test]
    fn devices_verify_offline_with_the_public_key_only() {
        let (token, exp) = issue(SECRET, claims(), at(1_000_000), 72).unwrap();
        let public = public_key_pem(SECRET).unwrap();
        assert!(public.starts_with("-----BEGIN PUBLIC KEY-----"));
        assert_eq!(verify_offline(&public, &token, at(1_000_001)), Ok((claims(), exp)));
        let other = public_key_pem(b"another secret of at least 32 bytes!").unwrap();
        assert_eq!(verify_offline(&other, &token, at(1_000_001)), Err(LicenseError::SignatureInvalid(SignatureError::SignatureMismatch)));
        assert_eq!(verify_offline("not a key", &token, at(1_000_001)), Err(LicenseError::SignatureInvalid(SignatureError::MalformedKey)));
        assert_eq!(public_key_pem(SECRET), Some(public), "stable: derived from the secret");
    }

    #[test]
    fn during_a_rotation_licences_under_the_previous_key_still_hold() {
        let (old, new, unknown) = ([1u8; 32], [2u8; 32], [3u8; 32]);
        let (token, exp) = issue(&old, claims(), at(1_000_000), 72).unwrap();
        assert_eq!(verify_any(&[new, old], &token, at(1_000_001)), Ok((claims(), exp)));
        assert_eq!(verify_any(&[new, old], &token, at(exp)), Err(LicenseError::Expired { expired_epoch: exp }));
        assert_eq!(
            verify_any(&[new], &token, at(1_000_001)),
            Err(LicenseError::SignatureInvalid(SignatureError::SignatureMismatch)),
            "after the overlap"
        );
        assert_eq!(
            verify_any(&[new, unknown], &token, at(1_000_001)),
            Err(LicenseError::SignatureInvalid(SignatureError::SignatureMismatch))
        );
    }

    #[test]
    fn an_access_token_is_not_a_license() {
        let access = crate::access_token::mint(
            SECRET,
            crate::access_token::AccessClaims {
                sub: "a".into(),
                brand_id: "b".into(),
                app_role: "brand_admin".into(),
                jti: "j".into(),
                sid: "s".into(),
            },
            at(1_000_000),
            600,
        )
        .unwrap();
        assert!(matches!(verify(SECRET, &access, at(1_000_001)), Err(LicenseError::SignatureInvalid(_))));
    }
}
