//! The worker's own keys: one Shoal secret (`SHOAL_SECRET`), never the database's key, from
//! which every token and HMAC the worker makes for itself takes a key of its own:
//! `HMAC-SHA256(secret, "shoal/<purpose>/v1")`. A key for one purpose never verifies
//! another's token, and rotating the database's signing key leaves these alone (and back).
//!
//! Rotation: `SHOAL_SECRET_PREVIOUS` holds the secret being retired. Signing always uses
//! the current secret; verification accepts the current and then the previous one, so
//! tokens and cookies issued before the switch keep working until they expire.
//!
//! Hashes stored in the database (one-time codes, MFA recovery codes) cannot be re-made
//! after a rotation (nobody keeps the codes), so they are keyed by the *hashing* secret,
//! which is not rotated with the others: `SHOAL_HASH_SECRET` when set, else `SHOAL_SECRET`.
//! Before the first rotation the operator pins it (docs/architecture.md, "Keys").

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// Shortest Shoal secret accepted, in bytes (a key at least as long as HMAC-SHA256's output).
pub const MIN_SECRET_BYTES: usize = 32;

/// What a rotating key is for. Each has its own label, so its key is its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Staff access tokens (HS256 JWT, 15 minutes).
    AccessToken,
    /// The signed cart id in the shopper's cookie.
    CartCookie,
    /// The rate-limit key of a shopper without a cart (from the IP; never sent anywhere).
    CartClient,
    /// The token in a checkout's cancel link.
    CheckoutCancel,
    /// Form tokens of the server-rendered pages.
    Csrf,
    /// The P-256 key of edge device licences (public half published to devices).
    DeviceLicense,
}

/// What a stored hash is for: keyed by the hashing secret, which does not rotate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoredHash {
    /// Email verification, password reset, email change and device activation codes.
    OneTimeCode,
    /// MFA recovery codes.
    MfaRecovery,
}

impl Purpose {
    pub const ALL: [Purpose; 6] =
        [Purpose::AccessToken, Purpose::CartCookie, Purpose::CartClient, Purpose::CheckoutCancel, Purpose::Csrf, Purpose::DeviceLicense];

    pub fn label(self) -> &'static str {
        match self {
            Purpose::AccessToken => "shoal/access-token/v1",
            Purpose::CartCookie => "shoal/cart-cookie/v1",
            Purpose::CartClient => "shoal/cart-client/v1",
            Purpose::CheckoutCancel => "shoal/checkout-cancel/v1",
            Purpose::Csrf => "shoal/csrf/v1",
            Purpose::DeviceLicense => "shoal/device-license/v1",
        }
    }
}

impl StoredHash {
    pub fn label(self) -> &'static str {
        match self {
            StoredHash::OneTimeCode => "shoal/one-time-code/v1",
            StoredHash::MfaRecovery => "shoal/mfa-recovery/v1",
        }
    }
}

/// `HMAC-SHA256(secret, label)`: the key for one purpose.
pub fn derive(secret: &[u8], label: &str) -> [u8; 32] {
    // HMAC takes a key of any length: this cannot fail
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else { return [0; 32] };
    mac.update(label.as_bytes());
    mac.finalize().into_bytes().into()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyError {
    /// Which setting, and that it is shorter than [`MIN_SECRET_BYTES`].
    TooShort(&'static str),
    /// `SHOAL_SECRET_PREVIOUS` equal to `SHOAL_SECRET`: a rotation that rotates nothing.
    PreviousIsCurrent,
}

impl std::fmt::Display for KeyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyError::TooShort(name) => write!(f, "{name} must be at least {MIN_SECRET_BYTES} bytes"),
            KeyError::PreviousIsCurrent => write!(f, "SHOAL_SECRET_PREVIOUS must differ from SHOAL_SECRET"),
        }
    }
}

/// The secrets behind the worker's own keys. Only derived keys leave it.
#[derive(Clone, PartialEq, Eq)]
pub struct ShoalKeys {
    current: Vec<u8>,
    previous: Option<Vec<u8>>,
    hashing: Vec<u8>,
}

impl std::fmt::Debug for ShoalKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ShoalKeys {{ previous: {}, hashing pinned: {} }}", self.previous.is_some(), self.hashing != self.current)
    }
}

impl ShoalKeys {
    /// `current` signs; `previous` (being retired) still verifies; `hashing` keys stored
    /// hashes and defaults to `current`.
    pub fn new(current: &[u8], previous: Option<&[u8]>, hashing: Option<&[u8]>) -> Result<ShoalKeys, KeyError> {
        if current.len() < MIN_SECRET_BYTES {
            return Err(KeyError::TooShort("SHOAL_SECRET"));
        }
        if previous.is_some_and(|p| p.len() < MIN_SECRET_BYTES) {
            return Err(KeyError::TooShort("SHOAL_SECRET_PREVIOUS"));
        }
        if previous == Some(current) {
            return Err(KeyError::PreviousIsCurrent);
        }
        if hashing.is_some_and(|h| h.len() < MIN_SECRET_BYTES) {
            return Err(KeyError::TooShort("SHOAL_HASH_SECRET"));
        }
        Ok(ShoalKeys { current: current.to_vec(), previous: previous.map(<[u8]>::to_vec), hashing: hashing.unwrap_or(current).to_vec() })
    }

    /// The key that signs for `purpose` now.
    pub fn signing(&self, purpose: Purpose) -> [u8; 32] {
        derive(&self.current, purpose.label())
    }

    /// Every key a token for `purpose` may have been signed with: current first.
    pub fn accepted(&self, purpose: Purpose) -> Vec<[u8; 32]> {
        std::iter::once(&self.current).chain(self.previous.as_ref()).map(|s| derive(s, purpose.label())).collect()
    }

    /// The first answer `check` gives under an accepted key (current first), if any.
    pub fn verify<T>(&self, purpose: Purpose, check: impl Fn(&[u8]) -> Option<T>) -> Option<T> {
        self.accepted(purpose).iter().find_map(|key| check(key))
    }

    /// The key of a hash stored in the database: never rotated with the others.
    pub fn hashing(&self, hash: StoredHash) -> [u8; 32] {
        derive(&self.hashing, hash.label())
    }

    /// True while a previous secret is still accepted.
    pub fn rotating(&self) -> bool {
        self.previous.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &[u8] = b"secret-a-secret-a-secret-a-secret-a";
    const B: &[u8] = b"secret-b-secret-b-secret-b-secret-b";
    const C: &[u8] = b"secret-c-secret-c-secret-c-secret-c";

    fn keys(current: &[u8], previous: Option<&[u8]>) -> ShoalKeys {
        ShoalKeys::new(current, previous, None).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn each_purpose_has_a_key_of_its_own_and_none_is_the_secret() {
        let k = keys(A, None);
        let mut all: Vec<[u8; 32]> = Purpose::ALL.iter().map(|p| k.signing(*p)).collect();
        all.push(k.hashing(StoredHash::OneTimeCode));
        all.push(k.hashing(StoredHash::MfaRecovery));
        let mut unique = all.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), all.len(), "two purposes share a key");
        assert!(all.iter().all(|key| key[..] != A[..32]));
        assert_eq!(k.signing(Purpose::Csrf), keys(A, Some(B)).signing(Purpose::Csrf), "derivation is stable");
    }

    #[test]
    fn the_derivation_is_hmac_sha256_of_the_label() {
        // RFC 4231 test case 2 (key "Jefe") checks HMAC-SHA256 itself; this one pins the label
        assert_eq!(
            hex::encode(derive(b"Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(Purpose::AccessToken.label(), "shoal/access-token/v1");
    }

    #[test]
    fn signing_uses_the_current_secret_and_verification_accepts_the_previous_too() {
        let old = keys(A, None);
        let rotating = keys(B, Some(A));
        let done = keys(B, None);
        let signed_before = old.signing(Purpose::AccessToken);
        assert_eq!(rotating.signing(Purpose::AccessToken), done.signing(Purpose::AccessToken));
        assert_ne!(rotating.signing(Purpose::AccessToken), signed_before);
        let check = |k: &ShoalKeys, tag: [u8; 32]| k.verify(Purpose::AccessToken, |key| (key == tag).then_some(()));
        assert_eq!(check(&rotating, signed_before), Some(()), "old key refused during the overlap");
        assert_eq!(check(&rotating, rotating.signing(Purpose::AccessToken)), Some(()));
        assert_eq!(check(&done, signed_before), None, "old key accepted after the overlap");
        assert_eq!(check(&rotating, keys(C, None).signing(Purpose::AccessToken)), None, "unknown key accepted");
        assert_eq!(rotating.accepted(Purpose::Csrf).len(), 2);
        assert!(rotating.rotating() && !done.rotating());
    }

    #[test]
    fn stored_hashes_keep_their_key_when_the_secret_rotates_if_pinned() {
        let before = keys(A, None);
        let after = ShoalKeys::new(B, Some(A), Some(A)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(before.hashing(StoredHash::MfaRecovery), after.hashing(StoredHash::MfaRecovery));
        assert_eq!(before.hashing(StoredHash::OneTimeCode), after.hashing(StoredHash::OneTimeCode));
        assert_ne!(keys(B, None).hashing(StoredHash::OneTimeCode), before.hashing(StoredHash::OneTimeCode));
    }

    #[test]
    fn short_or_repeated_secrets_are_refused() {
        assert_eq!(ShoalKeys::new(b"short", None, None), Err(KeyError::TooShort("SHOAL_SECRET")));
        assert_eq!(ShoalKeys::new(A, Some(b"short"), None), Err(KeyError::TooShort("SHOAL_SECRET_PREVIOUS")));
        assert_eq!(ShoalKeys::new(A, Some(A), None), Err(KeyError::PreviousIsCurrent));
        assert_eq!(ShoalKeys::new(A, None, Some(b"short")), Err(KeyError::TooShort("SHOAL_HASH_SECRET")));
        assert!(!format!("{:?}", keys(A, Some(B))).contains("secret-a"), "Debug shows no secret");
    }
}
