//! Verification of Stripe's `Stripe-Signature` header, exactly as Stripe specifies:
//! `t=<unix seconds>,v1=<hex>[,v1=<hex>…]`, each `v1` an HMAC-SHA256 of `"{t}.{raw body}"`
//! with the endpoint secret. Any `v1` matching any accepted secret passes (secrets rotate;
//! Stripe sends one `v1` per active secret), compared in constant time, and `t` must be
//! within the tolerance of now in both directions (replays and skewed clocks).

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// Stripe's default tolerance (stripe-node `DEFAULT_TOLERANCE`).
pub const DEFAULT_TOLERANCE_SECONDS: i64 = 300;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureError {
    /// No `Stripe-Signature` header at all.
    MissingHeader,
    /// The header cannot be parsed: no timestamp, a bad timestamp, or no `v1` entry.
    MalformedHeader,
    /// The timestamp is further than the tolerance from now.
    TimestampOutOfTolerance,
    /// No `v1` matches any accepted secret.
    SignatureMismatch,
    /// The worker has no webhook secret configured.
    NoSecretConfigured,
}

impl SignatureError {
    /// Stable error code for the HTTP answer.
    pub fn code(self) -> &'static str {
        match self {
            SignatureError::MissingHeader => "signature_missing",
            SignatureError::MalformedHeader => "signature_malformed",
            SignatureError::TimestampOutOfTolerance => "signature_timestamp_out_of_tolerance",
            SignatureError::SignatureMismatch => "signature_mismatch",
            SignatureError::NoSecretConfigured => "webhook_secret_missing",
        }
    }
}

struct ParsedHeader {
    timestamp: i64,
    signatures: Vec<Vec<u8>>,
}

fn parse(header: &str) -> Result<ParsedHeader, SignatureError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        let Some((key, value)) = part.trim().split_once('=') else { continue };
        match key {
            "t" => timestamp = Some(value.parse::<i64>().map_err(|_| SignatureError::MalformedHeader)?),
            // an undecodable v1 can never match; skip it like other unknown entries
            "v1" => signatures.extend(hex::decode(value).ok().filter(|s| s.len() == 32)),
            _ => {} // v0 (test-mode legacy) and future schemes are ignored, as Stripe's libraries do
        }
    }
    match timestamp {
        Some(timestamp) if !signatures.is_empty() => Ok(ParsedHeader { timestamp, signatures }),
        _ => Err(SignatureError::MalformedHeader),
    }
}

/// Verifies `header` over the raw `body` bytes with any of `secrets` at time `now`.
/// Returns the event timestamp on success.
pub fn verify(header: Option<&str>, body: &[u8], secrets: &[String], now: i64, tolerance: i64) -> Result<i64, SignatureError> {
    let header = header.map(str::trim).filter(|h| !h.is_empty()).ok_or(SignatureError::MissingHeader)?;
    if secrets.is_empty() {
        return Err(SignatureError::NoSecretConfigured);
    }
    let parsed = parse(header)?;
    let matched = secrets.iter().any(|secret| {
        parsed.signatures.iter().any(|sig| {
            let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else { return false };
            mac.update(parsed.timestamp.to_string().as_bytes());
            mac.update(b".");
            mac.update(body);
            mac.verify_slice(sig).is_ok() // constant-time comparison
        })
    });
    if !matched {
        return Err(SignatureError::SignatureMismatch);
    }
    // checked after the signature, like Stripe's libraries, so a forged header learns nothing
    if (now - parsed.timestamp).abs() > tolerance {
        return Err(SignatureError::TimestampOutOfTolerance);
    }
    Ok(parsed.timestamp)
}

/// Computes a `v1` signature: what Stripe sends, and what tests and the local Stripe
/// stand-in use to sign events.
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => return String::new(), // HMAC accepts keys of any length
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_700_000_000;
    const BODY: &[u8] = br#"{"id":"evt_1","type":"checkout.session.completed"}"#;

    fn secrets(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn header(t: i64, sigs: &[String]) -> String {
        let mut h = format!("t={t}");
        for s in sigs {
            h.push_str(&format!(",v1={s}"));
        }
        h
    }

    #[test]
    fn known_vector_matches_stripe_algorithm() {
        // printf '1700000000.{}' | openssl dgst -sha256 -hmac whsec_test
        assert_eq!(sign("whsec_test", NOW, b"{}"), "35495024f4ef3f94e5a93e22221544c4b75e9a42300cd965ab81cb85cd994e91");
    }

    #[test]
    fn accepts_a_valid_signature() {
        let h = header(NOW, &[sign("whsec_a", NOW, BODY)]);
        assert_eq!(verify(Some(&h), BODY, &secrets(&["whsec_a"]), NOW, 300), Ok(NOW));
    }

    #[test]
    fn accepts_when_any_v1_matches_any_secret() {
        let h = header(NOW, &[sign("whsec_old", NOW, BODY), sign("whsec_other", NOW, BODY)]);
        assert!(verify(Some(&h), BODY, &secrets(&["whsec_new", "whsec_other"]), NOW, 300).is_ok());
        let two = header(NOW, &["00".repeat(32), sign("whsec_a", NOW, BODY)]);
        assert!(verify(Some(&two), BODY, &secrets(&["whsec_a"]), NOW, 300).is_ok(), "second v1 valid");
    }

    #[test]
    fn refuses_what_stripe_refuses() {
        let good = sign("whsec_a", NOW, BODY);
        let s = secrets(&["whsec_a"]);
        let cases: Vec<(Option<String>, &[u8], i64, SignatureError)> = vec![
            (None, BODY, NOW, SignatureError::MissingHeader),
            (Some("".into()), BODY, NOW, SignatureError::MissingHeader),
            (Some("garbage".into()), BODY, NOW, SignatureError::MalformedHeader),
            (Some(format!("v1={good}")), BODY, NOW, SignatureError::MalformedHeader),
            (Some(format!("t=abc,v1={good}")), BODY, NOW, SignatureError::MalformedHeader),
            (Some(format!("t={NOW}")), BODY, NOW, SignatureError::MalformedHeader),
            (Some(format!("t={NOW},v0={good}")), BODY, NOW, SignatureError::MalformedHeader),
            (Some(header(NOW, &[sign("whsec_wrong", NOW, BODY)])), BODY, NOW, SignatureError::SignatureMismatch),
            (Some(header(NOW, std::slice::from_ref(&good))), b"{\"tampered\":1}", NOW, SignatureError::SignatureMismatch),
            (Some(header(NOW - 301, &[sign("whsec_a", NOW - 301, BODY)])), BODY, NOW, SignatureError::TimestampOutOfTolerance),
            (Some(header(NOW + 301, &[sign("whsec_a", NOW + 301, BODY)])), BODY, NOW, SignatureError::TimestampOutOfTolerance),
            // the timestamp is part of the signed payload: changing it breaks the signature
            (Some(header(NOW + 1, std::slice::from_ref(&good))), BODY, NOW, SignatureError::SignatureMismatch),
        ];
        for (h, body, now, want) in cases {
            assert_eq!(verify(h.as_deref(), body, &s, now, 300), Err(want), "header {h:?}");
        }
    }

    #[test]
    fn tolerance_is_inclusive_in_both_directions() {
        for t in [NOW - 300, NOW + 300] {
            let h = header(t, &[sign("whsec_a", t, BODY)]);
            assert!(verify(Some(&h), BODY, &secrets(&["whsec_a"]), NOW, 300).is_ok(), "t={t}");
        }
    }

    #[test]
    fn no_configured_secret_is_its_own_error() {
        let h = header(NOW, &[sign("whsec_a", NOW, BODY)]);
        assert_eq!(verify(Some(&h), BODY, &[], NOW, 300), Err(SignatureError::NoSecretConfigured));
    }

    #[test]
    fn codes_are_distinct() {
        let all = [
            SignatureError::MissingHeader,
            SignatureError::MalformedHeader,
            SignatureError::TimestampOutOfTolerance,
            SignatureError::SignatureMismatch,
            SignatureError::NoSecretConfigured,
        ];
        let mut codes: Vec<_> = all.iter().map(|e| e.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), all.len());
    }
}
