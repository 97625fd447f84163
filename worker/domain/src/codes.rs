//! One-time codes (email verification, password reset, email change): 6 digits, uniform,
//! stored only as an HMAC bound to the purpose and the email.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// Six uniform digits from random words (rejection sampling: no modulo bias).
pub fn six_digits(words: &[u32]) -> Option<String> {
    const LIMIT: u32 = u32::MAX - (u32::MAX % 1_000_000);
    words.iter().find(|w| **w < LIMIT).map(|w| format!("{:06}", w % 1_000_000))
}

pub fn hash(secret: &[u8], purpose: &str, email: &str, code: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else { return String::new() };
    mac.update(b"shoal code:");
    mac.update(purpose.as_bytes());
    mac.update(b":");
    mac.update(email.trim().to_lowercase().as_bytes());
    mac.update(b":");
    mac.update(code.trim().as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn six_digits_are_zero_padded_and_skip_biased_words() {
        assert_eq!(six_digits(&[42]), Some("000042".into()));
        assert_eq!(six_digits(&[u32::MAX, 1_234_567]), Some("234567".into()));
        assert_eq!(six_digits(&[u32::MAX]), None);
    }

    #[test]
    fn hashes_bind_purpose_and_email() {
        let k = b"0123456789abcdef0123456789abcdef";
        let h = hash(k, "reset_password", "A@B.co", "123456");
        assert_eq!(h, hash(k, "reset_password", "a@b.co ", " 123456"));
        assert_ne!(h, hash(k, "verify_email", "a@b.co", "123456"));
        assert_ne!(h, hash(k, "reset_password", "c@b.co", "123456"));
        assert_ne!(h, hash(k, "reset_password", "a@b.co", "123457"));
    }
}
