//! Time-based one-time passwords for staff MFA (RFC 6238: HMAC-SHA-1, 30-second steps,
//! 6 digits), with one step of clock drift either way, and single-use recovery codes.

use data_encoding::BASE32_NOPAD;
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use sha2::Sha256;

pub const STEP_SECONDS: i64 = 30;
pub const DIGITS: u32 = 6;

/// A new secret from 20 random bytes, in base32 as authenticator apps expect.
pub fn secret_from(random: [u8; 20]) -> String {
    BASE32_NOPAD.encode(&random)
}

/// The `otpauth://` URI an authenticator app scans.
pub fn provisioning_uri(secret: &str, issuer: &str, account: &str) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| if b.is_ascii_alphanumeric() || b"-._~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
            .collect::<String>()
    };
    format!(
        "otpauth://totp/{}:{}?secret={secret}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
        enc(issuer),
        enc(account),
        enc(issuer)
    )
}

fn hotp(key: &[u8], counter: u64, digits: u32) -> Option<String> {
    let mut mac = Hmac::<Sha1>::new_from_slice(key).ok()?;
    mac.update(&counter.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let offset = (h[h.len() - 1] & 0x0f) as usize;
    let bin = u32::from_be_bytes([h[offset] & 0x7f, h[offset + 1], h[offset + 2], h[offset + 3]]);
    Some(format!("{:0width$}", bin % 10u32.pow(digits), width = digits as usize))
}

/// The code for `secret` at unix time `now`.
pub fn code_at(secret: &str, now: i64) -> Option<String> {
    let key = BASE32_NOPAD.decode(secret.as_bytes()).ok()?;
    hotp(&key, (now / STEP_SECONDS) as u64, DIGITS)
}

/// Accepts the current code and the ones of the neighbouring steps.
pub fn verify(secret: &str, code: &str, now: i64) -> bool {
    verify_step(secret, code, now).is_some()
}

/// The time step whose code `code` is (current or a neighbour), so the caller can refuse a
/// step at or below the last one it accepted: a code works once.
pub fn verify_step(secret: &str, code: &str, now: i64) -> Option<i64> {
    let code = code.trim();
    if code.len() != DIGITS as usize {
        return None;
    }
    [-1i64, 0, 1].iter().map(|d| now / STEP_SECONDS + d).find(|step| code_at(secret, step * STEP_SECONDS).is_some_and(|c| c == code))
}

/// Ten recovery codes like `a1b2c-3d4e5` from 50 random bytes.
pub fn recovery_codes(random: [u8; 50]) -> Vec<String> {
    random
        .chunks(5)
        .map(|c| {
            let h = hex::encode(c);
            format!("{}-{}", &h[..5], &h[5..])
        })
        .collect()
}

/// What is stored of a recovery code: HMAC-SHA256 under a key derived from the Shoal
/// hashing secret (`keys::StoredHash::MfaRecovery`), bound to the account. A code has only 40 random bits, so a plain
/// hash would fall to an offline search by anyone who reads the database; without the
/// secret nothing can be tried but through the (rate-limited) API. Lowercased and trimmed,
/// as people type them.
pub fn recovery_hash(secret: &[u8], account: &str, code: &str) -> String {
    let Ok(mut derive) = Hmac::<Sha256>::new_from_slice(secret) else { return String::new() };
    derive.update(b"shoal mfa recovery codes");
    let key = derive.finalize().into_bytes();
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&key) else { return String::new() };
    mac.update(account.as_bytes());
    mac.update(b":");
    mac.update(code.trim().to_lowercase().as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_6238_vectors_for_sha1() {
        // RFC 6238 appendix B: secret "12345678901234567890", 8 digits
        let key = b"12345678901234567890";
        for (t, want) in [(59u64, "94287082"), (1_111_111_109, "07081804"), (1_234_567_890, "89005924"), (2_000_000_000, "69279037")] {
            assert_eq!(hotp(key, t / 30, 8).as_deref(), Some(want), "t={t}");
        }
        let secret = BASE32_NOPAD.encode(key);
        assert_eq!(code_at(&secret, 59).as_deref(), Some("287082"), "6 digits");
    }

    #[test]
    fn the_matching_step_is_reported_for_replay_checks() {
        let secret = secret_from([3; 20]);
        let now = 1_800_000_000;
        let earlier = code_at(&secret, now - STEP_SECONDS).unwrap_or_default();
        assert_eq!(verify_step(&secret, &earlier, now), Some(now / STEP_SECONDS - 1));
        assert_eq!(verify_step(&secret, "12345", now), None);
    }

    #[test]
    fn accepts_one_step_of_drift_and_no_more() {
        let secret = secret_from([9; 20]);
        let now = 1_800_000_000;
        let code = code_at(&secret, now).unwrap_or_default();
        assert!(verify(&secret, &code, now));
        assert!(verify(&secret, &code, now + 30));
        assert!(verify(&secret, &code, now - 30));
        assert!(!verify(&secret, &code, now + 90));
        assert!(!verify(&secret, "12345", now));
    }

    #[test]
    fn uri_and_recovery_codes() {
        let uri = provisioning_uri("ABC", "Acme Outfitters", "a@b.co");
        assert!(uri.starts_with("otpauth://totp/Acme%20Outfitters:a%40b.co?secret=ABC&issuer=Acme%20Outfitters"));
        let codes = recovery_codes([7; 50]);
        assert_eq!(codes.len(), 10);
        assert_eq!(codes[0].len(), 11);
        assert_eq!(recovery_hash(b"k", "acct", " 0707070707-x "), recovery_hash(b"k", "acct", "0707070707-X"));
    }

    #[test]
    fn recovery_hashes_are_keyed_by_the_secret_and_bound_to_the_account() {
        use sha2::Digest;
        let code = "a1b2c-3d4e5";
        let h = recovery_hash(b"project-secret", "acct-1", code);
        assert_eq!(h.len(), 64);
        assert_ne!(h, hex::encode(Sha256::digest(code.as_bytes())), "not the unsalted SHA-256 a database reader can search");
        assert_ne!(h, recovery_hash(b"another-secret", "acct-1", code), "the key is the project's");
        assert_ne!(h, recovery_hash(b"project-secret", "acct-2", code), "a hash copied to another account does not match");
        assert_ne!(h, recovery_hash(b"project-secret", "acct-1", "a1b2c-3d4e6"));
        assert_eq!(h, recovery_hash(b"project-secret", "acct-1", " A1B2C-3D4E5 "));
    }
}
