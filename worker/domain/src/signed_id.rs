//! Ids handed to browsers in cookies (the cart), signed so they cannot be guessed or
//! moved to another brand: `{id}.{hex HMAC-SHA256(secret, "{scope}:{id}")}`.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

fn mac(secret: &[u8], scope: &str, id: &str) -> Option<Hmac<Sha256>> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).ok()?;
    mac.update(scope.as_bytes());
    mac.update(b":");
    mac.update(id.as_bytes());
    Some(mac)
}

pub fn sign(secret: &[u8], scope: &str, id: &str) -> String {
    match mac(secret, scope, id) {
        Some(m) => format!("{id}.{}", hex::encode(m.finalize().into_bytes())),
        None => String::new(),
    }
}

/// The id inside `value` when its signature is valid for `scope` (constant-time check).
pub fn verify<'a>(secret: &[u8], scope: &str, value: &'a str) -> Option<&'a str> {
    let (id, sig) = value.rsplit_once('.')?;
    let sig = hex::decode(sig).ok()?;
    mac(secret, scope, id)?.verify_slice(&sig).ok()?;
    Some(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn round_trips_and_refuses_tampering() {
        let v = sign(KEY, "brand-a", "cart-1");
        assert_eq!(verify(KEY, "brand-a", &v), Some("cart-1"));
        assert_eq!(verify(KEY, "brand-b", &v), None, "another brand's cookie");
        assert_eq!(verify(b"another-key-another-key-another!", "brand-a", &v), None);
        assert_eq!(verify(KEY, "brand-a", &v.replace("cart-1", "cart-2")), None);
        assert_eq!(verify(KEY, "brand-a", "cart-1"), None);
        assert_eq!(verify(KEY, "brand-a", "cart-1.zz"), None);
    }
}
