//! Secrets at rest (TOTP secrets): AES-256-GCM under a key from the Worker env.
//!
//! `DATA_ENCRYPTION_KEYS` is `kid:base64key,kid:base64key,…` (32-byte keys); the first one
//! seals, every one opens, so a key is rotated by putting a new one first and dropping the
//! old one once nothing sealed under it remains. A sealed value is
//! `v1:<kid>:<nonce base64>:<ciphertext base64>`. The associated data binds a value to
//! what it is and whose it is (`totp:<account id>`), so a sealed secret copied into another
//! row does not open there.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use data_encoding::BASE64;

pub const KEY_BYTES: usize = 32;
pub const NONCE_BYTES: usize = 12;
const VERSION: &str = "v1";

#[derive(Clone, PartialEq, Eq)]
pub struct DataKeys {
    /// (key id, key); the first seals.
    keys: Vec<(String, [u8; KEY_BYTES])>,
}

/// Never prints the keys (the config is `Debug`).
impl std::fmt::Debug for DataKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<&str> = self.keys.iter().map(|(k, _)| k.as_str()).collect();
        write!(f, "DataKeys({ids:?})")
    }
}

impl DataKeys {
    /// Parses `kid:base64key,…`; an error names what is wrong, never the key.
    pub fn parse(value: &str) -> Result<DataKeys, String> {
        let mut keys: Vec<(String, [u8; KEY_BYTES])> = Vec::new();
        for entry in value.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let (kid, b64) = entry.split_once(':').ok_or("each entry is kid:base64key")?;
            let kid = kid.trim();
            if kid.is_empty() || kid.len() > 32 || !kid.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
                return Err("a key id is 1-32 letters, digits, - or _".into());
            }
            if keys.iter().any(|(k, _)| k == kid) {
                return Err(format!("key id {kid} appears twice"));
            }
            let raw = BASE64.decode(b64.trim().as_bytes()).map_err(|_| format!("key {kid} is not base64"))?;
            let key: [u8; KEY_BYTES] = raw.try_into().map_err(|_| format!("key {kid} must be {KEY_BYTES} bytes"))?;
            keys.push((kid.to_owned(), key));
        }
        if keys.is_empty() {
            return Err("no key".into());
        }
        Ok(DataKeys { keys })
    }

    /// Seals `plain` under the current key; `nonce` must be fresh random bytes.
    pub fn seal(&self, plain: &str, aad: &str, nonce: [u8; NONCE_BYTES]) -> Option<String> {
        let (kid, key) = self.keys.first()?;
        let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key));
        let ct = cipher.encrypt(Nonce::from_slice(&nonce), Payload { msg: plain.as_bytes(), aad: aad.as_bytes() }).ok()?;
        Some(format!("{VERSION}:{kid}:{}:{}", BASE64.encode(&nonce), BASE64.encode(&ct)))
    }

    /// Opens a sealed value; None when it is not one, its key is gone, or it was altered.
    pub fn open(&self, sealed: &str, aad: &str) -> Option<String> {
        let mut parts = sealed.split(':');
        let (version, kid, nonce, ct) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        if version != VERSION || parts.next().is_some() {
            return None;
        }
        let (_, key) = self.keys.iter().find(|(k, _)| k == kid)?;
        let nonce = BASE64.decode(nonce.as_bytes()).ok().filter(|n| n.len() == NONCE_BYTES)?;
        let ct = BASE64.decode(ct.as_bytes()).ok()?;
        let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key));
        let plain = cipher.decrypt(Nonce::from_slice(&nonce), Payload { msg: &ct, aad: aad.as_bytes() }).ok()?;
        String::from_utf8(plain).ok()
    }
}

/// The associated data of an account's TOTP secret (pending or active).
pub fn totp_aad(account_id: &str) -> String {
    format!("totp:{account_id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(spec: &[(&str, u8)]) -> DataKeys {
        let s: Vec<String> = spec.iter().map(|(k, b)| format!("{k}:{}", BASE64.encode(&[*b; KEY_BYTES]))).collect();
        DataKeys::parse(&s.join(",")).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_sealed_secret_opens_only_with_its_key_and_its_associated_data() {
        let k = keys(&[("k1", 1)]);
        let sealed = k.seal("JBSWY3DPEHPK3PXP", "totp:a", [7; NONCE_BYTES]).unwrap_or_default();
        assert!(sealed.starts_with("v1:k1:"), "{sealed}");
        assert!(!sealed.contains("JBSWY3DPEHPK3PXP"));
        assert_eq!(k.open(&sealed, "totp:a").as_deref(), Some("JBSWY3DPEHPK3PXP"));
        assert_eq!(k.open(&sealed, "totp:b"), None, "another account's row");
        assert_eq!(keys(&[("k1", 2)]).open(&sealed, "totp:a"), None, "another key with the same id");
        let mut tampered = sealed.clone();
        tampered.pop();
        tampered.push(if sealed.ends_with('A') { 'B' } else { 'A' });
        assert_eq!(k.open(&tampered, "totp:a"), None);
        assert_eq!(k.open("JBSWY3DPEHPK3PXP", "totp:a"), None, "plain text is not a sealed value");
    }

    #[test]
    fn rotation_seals_with_the_first_key_and_opens_with_any() {
        let old = keys(&[("old", 1)]);
        let sealed_old = old.seal("s", "x", [1; NONCE_BYTES]).unwrap_or_default();
        let rotated = keys(&[("new", 2), ("old", 1)]);
        assert_eq!(rotated.open(&sealed_old, "x").as_deref(), Some("s"));
        assert!(rotated.seal("s", "x", [2; NONCE_BYTES]).unwrap_or_default().starts_with("v1:new:"));
        assert_eq!(keys(&[("new", 2)]).open(&sealed_old, "x"), None, "a dropped key opens nothing");
    }

    #[test]
    fn bad_key_lists_are_refused_without_echoing_the_key() {
        for bad in ["", "k1", "k1:notbase64!", "k1:AAAA", "k 1:AAAA", &format!("a:{0},a:{0}", BASE64.encode(&[0; 32]))] {
            let err = DataKeys::parse(bad).expect_err(bad);
            assert!(!err.contains("AAAA"), "{err}");
        }
        assert!(!format!("{:?}", keys(&[("k1", 9)])).contains("CQkJ"), "Debug hides the key");
    }
}
