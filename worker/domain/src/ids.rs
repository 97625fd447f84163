//! Ids that arrive in paths and bodies are checked for shape before any lookup, so a
//! malformed one is a clean 404/400 and never a database error.

/// A canonical, hyphenated UUID (any version), e.g. `a0000000-0000-4000-8000-00000000000a`.
pub fn is_uuid(s: &str) -> bool {
    s.len() == 36 && s.chars().enumerate().all(|(i, c)| if matches!(i, 8 | 13 | 18 | 23) { c == '-' } else { c.is_ascii_hexdigit() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_canonical_uuids() {
        assert!(is_uuid("a0000000-0000-4000-8000-00000000000a"));
        assert!(is_uuid("A0000000-0000-4000-8000-00000000000A"));
        for bad in [
            "",
            "not-a-uuid",
            "a0000000000040008000000000000000000a",
            "a0000000-0000-4000-8000-00000000000z",
            "a0000000-0000-4000-8000-00000000000a0",
            "a000000--0000-4000-8000-00000000000a",
        ] {
            assert!(!is_uuid(bad), "{bad}");
        }
    }
}
