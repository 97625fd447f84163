//! Brand slugs: a slug becomes `{slug}.{platform host}`, a name on the platform's own zone,
//! so names of the platform's services and look-alikes of its name are never a tenant's.
//! The database has the same rule (`shoal_private.slug_is_reserved`, a check on `brands`);
//! an e2e test checks that both agree on every name here.

/// Names of the platform's own services, mail and well-known infrastructure labels.
pub const RESERVED: &[&str] = &[
    "www", "admin", "administrator", "api", "app", "apps", "status", "login", "logout", "signin", "signup",
    "register", "edge", "mail", "email", "smtp", "imap", "pop", "mx", "ns", "ns1", "ns2", "dns", "ftp",
    "shop", "store", "support", "help", "billing", "dashboard", "static", "assets", "cdn", "media", "img",
    "images", "docs", "blog", "auth", "oauth", "sso", "account", "accounts", "platform", "root", "security",
    "secure", "portal", "webmail", "dev", "staging", "test", "internal", "system", "health", "metrics",
    "localhost", "autoconfig", "autodiscover", "wpad", "pay", "payments", "checkout", "stripe", "webhooks",
    "id", "my", "console", "panel", "manage", "team", "legal", "privacy", "terms", "abuse", "postmaster",
    "hostmaster", "webmaster", "noreply", "no-reply", "git", "vpn", "proxy", "gateway", "files",
    "download", "downloads", "update", "updates", "releases",
];

/// The platform's name, which no slug may contain, however spelt.
pub const PLATFORM_NAME: &str = "shoal";

/// Most characters of a slug (it is one DNS label, and leaves room for the platform host).
pub const MAX_LEN: usize = 40;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlugError {
    /// Not 1–40 of `a-z 0-9 -`, starting and ending with a letter or digit.
    Invalid,
    /// A service name of the platform or a look-alike of its name.
    Reserved,
}

impl SlugError {
    pub fn code(self) -> &'static str {
        match self {
            SlugError::Invalid => "invalid_slug",
            SlugError::Reserved => "reserved_slug",
        }
    }
}

/// Checks a slug as typed (after trimming and lower-casing by the caller).
pub fn check(slug: &str) -> Result<(), SlugError> {
    let bytes = slug.as_bytes();
    let edge_ok = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    if slug.is_empty()
        || slug.len() > MAX_LEN
        || !bytes.iter().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
        || !edge_ok(bytes.first())
        || !edge_ok(bytes.last())
    {
        return Err(SlugError::Invalid);
    }
    if is_reserved(slug) {
        return Err(SlugError::Reserved);
    }
    Ok(())
}

/// A reserved name, or a look-alike of the platform's name.
pub fn is_reserved(slug: &str) -> bool {
    RESERVED.contains(&slug) || looks_like_platform(slug)
}

/// Digits that read as letters become those letters and hyphens go (`sh0a1`, `5-hoal`,
/// `my-shoal-login` all read "shoal"); then the name must not appear.
pub fn looks_like_platform(slug: &str) -> bool {
    let read: String = slug
        .chars()
        .filter(|c| *c != '-')
        .map(|c| match c.to_ascii_lowercase() {
            '0' => 'o',
            '1' => 'l',
            '4' => 'a',
            '5' => 's',
            other => other,
        })
        .collect();
    read.contains(PLATFORM_NAME)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_slugs_pass() {
        for ok in ["acme", "globex", "a", "shop-42", "blue-bottle-coffee", "x1", "shopping", "wwwx"] {
            assert_eq!(check(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn infrastructure_names_are_reserved() {
        for name in ["www", "admin", "api", "app", "status", "login", "edge", "mail", "support", "help", "billing",
                     "dashboard", "static", "assets", "cdn", "docs", "blog", "auth", "account", "accounts", "platform",
                     "root", "shoal"] {
            assert_eq!(check(name), Err(SlugError::Reserved), "{name}");
        }
    }

    #[test]
    fn look_alikes_of_the_platform_name_are_reserved() {
        for name in ["sh0al", "5hoal", "shoa1", "sh04l", "s-h-o-a-l", "shoal-support", "my-shoal", "login-sh0a1-help", "5h0a1"] {
            assert_eq!(check(name), Err(SlugError::Reserved), "{name}");
        }
        assert!(!looks_like_platform("shoe-all"), "letters in between break the name");
    }

    #[test]
    fn malformed_slugs_are_invalid() {
        let long = "a".repeat(41);
        for bad in ["", "-acme", "acme-", "Acme", "ac me", "acme_x", "acmé", "ac.me", long.as_str()] {
            assert_eq!(check(bad), Err(SlugError::Invalid), "{bad:?}");
        }
        assert_eq!(SlugError::Invalid.code(), "invalid_slug");
        assert_eq!(SlugError::Reserved.code(), "reserved_slug");
    }
}
