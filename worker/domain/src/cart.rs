//! Cart rules that need no database: quantities and totals. Stock is checked by the
//! database in the same statement that writes the line.

use serde::{Deserialize, Serialize};

/// Most units of one variant a cart line may hold.
pub const MAX_PER_LINE: i64 = 10;

/// Most units one order (so one cart) may hold, whatever the variants: one checkout can
/// never take more than this off sale.
pub const MAX_UNITS_PER_ORDER: i64 = 20;

/// Most unpaid (pending) orders one email may have at a brand at once.
pub const MAX_PENDING_PER_EMAIL: i64 = 2;

/// Most unpaid (pending) orders one client (IP) may have at a brand at once: a little
/// more than per email, for households and offices behind one address.
pub const MAX_PENDING_PER_CLIENT: i64 = 4;

/// Cart writes per client IP per minute (adding, setting and removing lines).
pub const CART_WRITES_PER_MINUTE: i64 = 60;

/// The shortest life Stripe allows a Checkout Session (`expires_at` must be 30 minutes to
/// 24 hours after creation), plus a minute so clock skew never makes Stripe refuse it.
pub const SESSION_LIFETIME_SECONDS: i64 = 30 * 60 + 60;

/// `expires_at` of a Checkout Session created at `now_epoch`.
pub fn session_expires_at(now_epoch: i64) -> i64 {
    now_epoch.saturating_add(SESSION_LIFETIME_SECONDS)
}

/// What the database keeps to count a client's unpaid checkouts: HMAC-SHA256 of the client
/// (its IP, an IPv6 client by its /64 as the rate limits count it: it can pick any address
/// of its /64) under the project secret, per brand, so the IP itself is never stored and
/// the hash cannot be reversed by trying every address without the secret.
pub fn client_key(secret: &[u8], brand_id: &str, ip: &str) -> String {
    let client = crate::rate_limit::client_key(ip);
    use hmac::{Hmac, KeyInit, Mac};
    match Hmac::<sha2::Sha256>::new_from_slice(secret) {
        Ok(mut mac) => {
            mac.update(b"checkout-client:");
            mac.update(brand_id.as_bytes());
            mac.update(b":");
            mac.update(client.as_bytes());
            hex::encode(mac.finalize().into_bytes())
        }
        // HMAC takes keys of any length: unreachable, but never a panic
        Err(_) => hex::encode(<sha2::Sha256 as sha2::Digest>::digest(ip.as_bytes())),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuantityError {
    NotAnInteger,
    Negative,
    Zero,
    TooLarge,
}

impl QuantityError {
    pub fn code(&self) -> &'static str {
        match self {
            QuantityError::NotAnInteger => "quantity_not_an_integer",
            QuantityError::Negative => "quantity_negative",
            QuantityError::Zero => "quantity_zero",
            QuantityError::TooLarge => "quantity_too_large",
        }
    }
}

/// A quantity from JSON: a whole number from 1 to MAX_PER_LINE (0 allowed when `allow_zero`,
/// meaning "remove the line").
pub fn parse_quantity(value: &serde_json::Value, allow_zero: bool) -> Result<i64, QuantityError> {
    let n = match value {
        serde_json::Value::Number(n) => n.as_i64().ok_or(QuantityError::NotAnInteger)?,
        _ => return Err(QuantityError::NotAnInteger),
    };
    check_quantity(n, allow_zero)
}

/// A whole-number quantity within bounds: 1 to MAX_PER_LINE (0 allowed when `allow_zero`).
pub fn check_quantity(n: i64, allow_zero: bool) -> Result<i64, QuantityError> {
    match n {
        n if n < 0 => Err(QuantityError::Negative),
        0 if allow_zero => Ok(0),
        0 => Err(QuantityError::Zero),
        n if n > MAX_PER_LINE => Err(QuantityError::TooLarge),
        n => Ok(n),
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PricedLine {
    pub unit_amount: i64,
    pub quantity: i64,
}

/// Sum of unit × quantity, refusing overflow instead of wrapping.
pub fn total(lines: &[PricedLine]) -> Option<i64> {
    lines.iter().try_fold(0i64, |acc, l| l.unit_amount.checked_mul(l.quantity).and_then(|t| acc.checked_add(t)))
}

/// The platform's fee on a connected account's sale, in basis points, rounded down.
pub fn application_fee(total: i64, fee_bps: i64) -> i64 {
    (total as i128 * fee_bps as i128 / 10_000) as i64
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn quantities_are_whole_numbers_within_bounds() {
        assert_eq!(parse_quantity(&json!(1), false), Ok(1));
        assert_eq!(parse_quantity(&json!(10), false), Ok(10));
        assert_eq!(parse_quantity(&json!(11), false), Err(QuantityError::TooLarge));
        assert_eq!(parse_quantity(&json!(0), false), Err(QuantityError::Zero));
        assert_eq!(parse_quantity(&json!(0), true), Ok(0));
        assert_eq!(parse_quantity(&json!(-1), true), Err(QuantityError::Negative));
        assert_eq!(parse_quantity(&json!(1.5), false), Err(QuantityError::NotAnInteger));
        assert_eq!(parse_quantity(&json!("2"), false), Err(QuantityError::NotAnInteger));
        assert_eq!(parse_quantity(&json!(null), false), Err(QuantityError::NotAnInteger));
        assert_eq!(check_quantity(10, false), Ok(10));
        assert_eq!(check_quantity(0, true), Ok(0));
        assert_eq!(check_quantity(0, false), Err(QuantityError::Zero));
        assert_eq!(check_quantity(i64::MAX, false), Err(QuantityError::TooLarge));
    }

    #[test]
    fn totals_add_up_and_never_overflow() {
        let lines = [PricedLine { unit_amount: 2800, quantity: 2 }, PricedLine { unit_amount: 6400, quantity: 1 }];
        assert_eq!(total(&lines), Some(12_000));
        assert_eq!(total(&[]), Some(0));
        assert_eq!(total(&[PricedLine { unit_amount: i64::MAX, quantity: 2 }]), None);
    }

    #[test]
    fn sessions_live_the_shortest_time_stripe_allows_and_a_minute_more() {
        assert_eq!(session_expires_at(1_000_000), 1_000_000 + 31 * 60);
        assert_eq!(session_expires_at(i64::MAX), i64::MAX);
    }

    #[test]
    fn client_keys_hide_the_ip_and_differ_per_brand_and_secret() {
        let a = client_key(b"secret-one", "brand-a", "203.0.113.7");
        assert_eq!(a.len(), 64);
        assert!(!a.contains("203"));
        assert_eq!(a, client_key(b"secret-one", "brand-a", "203.0.113.7"));
        assert_ne!(a, client_key(b"secret-one", "brand-b", "203.0.113.7"));
        assert_ne!(a, client_key(b"secret-two", "brand-a", "203.0.113.7"));
        assert_ne!(a, client_key(b"secret-one", "brand-a", "203.0.113.8"));
        // an IPv6 client is its /64: a new address of the same /64 is the same client
        let v6 = client_key(b"secret-one", "brand-a", "2001:db8:1:2::1");
        assert_eq!(v6, client_key(b"secret-one", "brand-a", "2001:db8:1:2::6"));
        assert_ne!(v6, client_key(b"secret-one", "brand-a", "2001:db8:1:3::1"));
    }

    #[test]
    fn application_fee_rounds_down() {
        assert_eq!(application_fee(12_000, 200), 240);
        assert_eq!(application_fee(999, 250), 24);
        assert_eq!(application_fee(0, 200), 0);
    }
}
