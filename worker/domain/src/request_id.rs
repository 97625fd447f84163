//! Request ids: echoed from a trusted upstream when well-formed, otherwise generated.

/// Accepts an incoming `x-request-id` only when it is short and made of safe characters,
/// so it can be logged and echoed without escaping.
pub fn accept_incoming(value: &str) -> Option<&str> {
    let ok = (8..=64).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    ok.then_some(value)
}

/// Formats 16 random bytes as a lower-case hex id.
pub fn from_random(bytes: [u8; 16]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_only_safe_ids() {
        assert_eq!(accept_incoming("abcd-1234_EF"), Some("abcd-1234_EF"));
        assert_eq!(accept_incoming("short"), None);
        assert_eq!(accept_incoming("has space in it"), None);
        assert_eq!(accept_incoming("quote\"injection"), None);
        assert_eq!(accept_incoming(&"a".repeat(65)), None);
    }

    #[test]
    fn random_ids_are_32_hex_chars() {
        let id = from_random([0xab; 16]);
        assert_eq!(id.len(), 32);
        assert!(id.chars().all(|c| c.is_ascii_hexdigit()));
    }
}
