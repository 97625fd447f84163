//! The password rule: 8–128 characters, at least three of upper case, lower case, digit
//! and symbol, and not the account's email.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordError {
    TooShort,
    TooLong,
    TooSimple,
    SameAsEmail,
}

impl PasswordError {
    pub fn code(self) -> &'static str {
        match self {
            PasswordError::TooShort => "password_too_short",
            PasswordError::TooLong => "password_too_long",
            PasswordError::TooSimple => "password_too_simple",
            PasswordError::SameAsEmail => "password_same_as_email",
        }
    }
}

pub fn check(password: &str, email: &str) -> Result<(), PasswordError> {
    let len = password.chars().count();
    if len < 8 {
        return Err(PasswordError::TooShort);
    }
    if len > 128 {
        return Err(PasswordError::TooLong);
    }
    let classes = [
        password.chars().any(|c| c.is_uppercase()),
        password.chars().any(|c| c.is_lowercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_alphanumeric()),
    ];
    if classes.iter().filter(|c| **c).count() < 3 {
        return Err(PasswordError::TooSimple);
    }
    if password.trim().eq_ignore_ascii_case(email.trim()) {
        return Err(PasswordError::SameAsEmail);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_refuses() {
        assert_eq!(check("Tr0ub4dor", "a@b.co"), Ok(()));
        assert_eq!(check("correct-horse-7", "a@b.co"), Ok(()));
        assert_eq!(check("Aa1!", "a@b.co"), Err(PasswordError::TooShort));
        assert_eq!(check(&"Aa1!".repeat(33), "a@b.co"), Err(PasswordError::TooLong));
        assert_eq!(check("alllowercase", "a@b.co"), Err(PasswordError::TooSimple));
        assert_eq!(check("lower1234", "a@b.co"), Err(PasswordError::TooSimple));
        assert_eq!(check("Me@Example.com1", "me@example.com1"), Err(PasswordError::SameAsEmail));
        assert_eq!(check("ÄÖÜäöü12", "a@b.co"), Ok(()), "unicode letters count");
    }
}

/// Argon2id with OWASP's parameters (m = 19 MiB, t = 2, p = 1), as a PHC string. The salt
/// comes from the caller (the worker's CSPRNG), so this crate needs no randomness source.
pub fn hash(password: &str, salt: [u8; 16]) -> Option<String> {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let params = argon2::Params::new(19_456, 2, 1, None).ok()?;
    let hasher = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let salt = SaltString::encode_b64(&salt).ok()?;
    hasher.hash_password(password.as_bytes(), &salt).ok().map(|h| h.to_string())
}

/// What a login checks the password against when the email has no account, so both answers
/// cost the same Argon2id work: a hash with the same parameters as real ones, of 32 random
/// bytes that were thrown away, so no password matches it (unlike a hash of a known or
/// seeded password would).
pub const DECOY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$dKkbPl1H7tbxfTJKriCWHQ$T1dRwRabX+pGPniqK1jhiAdeXw0N2AKlnRPnGi4OuHE";

/// Checks a password against a stored PHC string (parameters are read from it).
pub fn verify(password: &str, phc: &str) -> bool {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    match PasswordHash::new(phc) {
        Ok(parsed) => argon2::Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod hashing_tests {
    use super::*;

    #[test]
    fn hashes_with_argon2id_owasp_parameters_and_verifies() {
        let phc = hash("Tr0ub4dor&3", [7; 16]).unwrap_or_default();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify("Tr0ub4dor&3", &phc));
        assert!(!verify("tr0ub4dor&3", &phc));
        assert!(!verify("anything", "not a phc string"));
    }

    #[test]
    fn the_decoy_costs_what_a_real_hash_costs_and_matches_no_known_password() {
        assert!(DECOY_HASH.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "same parameters as `hash`");
        assert!(argon2::password_hash::PasswordHash::new(DECOY_HASH).is_ok());
        // the seeded development password (database/supabase/seed.sql) and a few obvious ones
        for p in ["Shoal-dev-2026!", "Owner-Pass-123", "password", ""] {
            assert!(!verify(p, DECOY_HASH), "{p:?}");
        }
    }
}
