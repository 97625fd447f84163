//! The one shape check of an email address a person types (sign-up, login, codes,
//! invitations, change of email, erasure), so every route refuses the same inputs with the
//! same `400 invalid_email` before anything is looked up or stored: nothing longer than
//! 254 characters (RFC 5321's path limit) reaches the database or the audit log, and an
//! address the database's checks would refuse never turns into a 500.

/// The longest address accepted, in characters.
pub const MAX_LEN: usize = 254;
const MAX_LOCAL: usize = 64;
const MAX_LABEL: usize = 63;

/// `raw` trimmed and lowercased when it has the shape `local@domain.tld`; None otherwise.
/// The local part is 1-64 characters without spaces, control characters, quotes or the
/// characters that delimit addresses in a header; the domain has at least two labels of
/// letters, digits and inner hyphens.
pub fn normalize(raw: &str) -> Option<String> {
    let email = raw.trim().to_lowercase();
    if email.chars().count() > MAX_LEN {
        return None;
    }
    let (local, domain) = email.split_once('@')?;
    let local_ok = !local.is_empty()
        && local.chars().count() <= MAX_LOCAL
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local.chars().all(|c| !c.is_whitespace() && !c.is_control() && !"@<>()[]\\,;:\"".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.chars().count() <= MAX_LABEL
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
    (local_ok && domain_ok).then_some(email)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_addresses_trimmed_and_lowercased() {
        assert_eq!(normalize("  Ana.Maria+shop@Example.COM ").as_deref(), Some("ana.maria+shop@example.com"));
        assert_eq!(normalize("admin@acme.localhost").as_deref(), Some("admin@acme.localhost"));
        assert_eq!(normalize("o'neil@sub.example.co.uk").as_deref(), Some("o'neil@sub.example.co.uk"));
    }

    #[test]
    fn refuses_what_is_not_an_address() {
        for bad in [
            "",
            "@example.com",
            "@evil.example",
            "a@",
            "a@b",
            "a@@b.co",
            "a@b@c.co",
            "not-an-email",
            "a b@c.co",
            "a@b .co",
            "a@-b.co",
            "a@b-.co",
            "a@b..co",
            "a@.b.co",
            ".a@b.co",
            "a.@b.co",
            "a..b@c.co",
            "\"a\"@b.co",
            "a<b@c.co",
            "a@b.co\nbcc: x@y.co",
            "a\u{0}@b.co",
            "a,b@c.co",
            "a@b_c.co",
        ] {
            assert_eq!(normalize(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn refuses_more_than_254_characters_and_long_parts() {
        let domain = format!("{}.{}.{}.com", "d".repeat(60), "e".repeat(60), "f".repeat(60));
        let fits = format!("{}@{domain}", "a".repeat(MAX_LEN - 1 - domain.len()));
        assert_eq!(fits.len(), MAX_LEN);
        assert!(normalize(&fits).is_none(), "local part over 64");
        let long_domain = format!("{}.{}.{}.{}.co", "d".repeat(60), "e".repeat(60), "f".repeat(60), "g".repeat(57));
        let exact = format!("{}@{long_domain}", "a".repeat(MAX_LEN - 1 - long_domain.len()));
        assert_eq!(exact.chars().count(), MAX_LEN);
        assert!(normalize(&exact).is_some(), "254 characters is allowed");
        assert!(normalize(&format!("a{exact}")).is_none(), "255 is not");
        assert!(normalize(&format!("{}@example.com", "a".repeat(10_000))).is_none());
        assert!(normalize(&format!("a@{}.com", "b".repeat(64))).is_none(), "a label is at most 63");
    }
}
