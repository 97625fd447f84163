//! Brand slugs: a slug becomes `{slug}.{platform host}`, a name on the platform's own zone,
//! so names of the platform's services and look-alikes of its name are never a tenant's.
//! The database has the same rule (`shoal_private.slug_is_reserved`, a check on `brands`);
//! an e2e test checks that both agree on every name here.

/// Names of the platform's own services, mail and well-known infrastructure labels.
pub const RESERVED: &[&str] = &[
    "www",
    "admin",
    "administrator",
    "api",
    "app",
    "apps",
    "status",
    "login",
    "logout",
    "signin",
    "signup",
    "register",
    "edge",
    "mail",
    "email",
    "smtp",
    "imap",
    "pop",
    "mx",
    "ns",
    "ns1",
    "ns2",
    "dns",
    "ftp",
    "shop",
    "store",
    "support",
    "help",
    "billing",
    "dashboard",
    "static",
    "assets",
    "cdn",
    "media",
    "img",
    "images",
    "docs",
    "blog",
    "auth",
    "oauth",
    "sso",
    "account",
    "accounts",
    "platform",
    "root",
    "security",
    "secure",
    "portal",
    "webmail",
    "dev",
    "staging",
    "test",
    "internal",
    "system",
    "health",
    "metrics",
    "localhost",
    "autoconfig",
    "autodiscover",
    "wpad",
    "pay",
    "payments",
    "checkout",
    "stripe",
    "webhooks",
    "id",
    "my",
    "console",
    "panel",
    "manage",
    "team",
    "legal",
    "privacy",
    "terms",
    "abuse",
    "postmaster",
    "hostmaster",
    "webmaster",
    "noreply",
    "no-reply",
    "git",
    "vpn",
    "proxy",
    "gateway",
    "files",
    "download",
    "downloads",
    "update",
    "updates",
    "releases",
];

/// The platform's name, which no slug may contain, however spelt.
pub const PLATFORM_NAME: &str = "shoal";

/// Most characters of a slug (it is one DNS label, and leaves room for the platform host).
pub const MAX_LEN: usize = 40;

/// Expired sign-ups keep their brand row as a tombstone under `expired-{id without dashes}`
/// (40 characters, see `expire_unverified_signups`): a tenant taking such a name first would
/// block the rename, so no slug may start with it.
pub const TOMBSTONE_PREFIX: &str = "expired-";

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

/// A reserved name, a look-alike of the platform's name, a tombstone's name, or a label
/// IDNA reserves.
pub fn is_reserved(slug: &str) -> bool {
    RESERVED.contains(&slug) || looks_like_platform(slug) || slug.starts_with(TOMBSTONE_PREFIX) || idna_reserved(slug)
}

/// `??--` labels are IDNA's: `xn--` is punycode, which browsers show as Unicode, so
/// `xn--shal-65d` reads "shоal" (a Cyrillic о) and `xn--dmin-43d` "аdmin"; the other
/// hyphen pairs at positions 3–4 are kept for future ACE prefixes (RFC 5891 4.2.3.1).
fn idna_reserved(slug: &str) -> bool {
    slug.get(2..4) == Some("--")
}

/// Does a slug or a brand name read as the platform's name? Characters that look like its
/// letters become those letters (digits `0 1 4 5`, accented, Cyrillic, Greek and fullwidth
/// look-alikes), everything that is not a letter or digit goes (hyphens, spaces, dots,
/// accents typed as combining marks, zero-width characters), then the name must not appear:
/// `sh0a1`, `5-hoal`, `my-shoal-login`, "Shoal Support", "S.H.O.A.L", "Shоal" (Cyrillic о).
pub fn looks_like_platform(text: &str) -> bool {
    let read: String = text.chars().map(read_as).filter(|c| c.is_alphanumeric()).collect();
    read.contains(PLATFORM_NAME)
}

/// A character as the letter it reads as, lower case; only look-alikes of the platform
/// name's letters (s h o a l) are mapped, as those are all the check needs.
fn read_as(c: char) -> char {
    // fullwidth ASCII (U+FF01..U+FF5E) is ASCII shifted
    let c = match c as u32 {
        0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    };
    match c {
        '5' | '$' | 'ѕ' | 'Ѕ' | 'ś' | 'Ś' | 'ŝ' | 'Ŝ' | 'ş' | 'Ş' | 'š' | 'Š' | 'ș' | 'Ș' => 's',
        'һ' | 'Һ' | 'ĥ' | 'Ĥ' | 'ħ' | 'Ħ' | 'Η' | 'Н' => 'h',
        '0' | 'о' | 'О' | 'ο' | 'Ο' | 'օ' | 'Օ' | 'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'ō' | 'Ō'
        | 'ŏ' | 'Ŏ' | 'ő' | 'Ő' => 'o',
        '4' | '@' | 'а' | 'А' | 'α' | 'Α' | 'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' | 'ā' | 'Ā' | 'ă'
        | 'Ă' | 'ą' | 'Ą' => 'a',
        // a capital I reads as l in most sans-serif faces
        '1' | '|' | 'I' | 'ӏ' | 'Ӏ' | 'І' | 'Ι' | 'ĺ' | 'Ĺ' | 'ļ' | 'Ļ' | 'ľ' | 'Ľ' | 'ŀ' | 'Ŀ' | 'ł' | 'Ł' => 'l',
        other => other.to_lowercase().next().unwrap_or(other),
    }
}

/// Why a brand name is refused: a name reading as the platform's ("Shoal Support") would
/// show as the sender of the brand's emails and on its pages as if the platform spoke.
pub fn check_brand_name(name: &str) -> Result<(), &'static str> {
    if looks_like_platform(name) {
        return Err("reserved_brand_name");
    }
    Ok(())
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
        for name in [
            "www",
            "admin",
            "api",
            "app",
            "status",
            "login",
            "edge",
            "mail",
            "support",
            "help",
            "billing",
            "dashboard",
            "static",
            "assets",
            "cdn",
            "docs",
            "blog",
            "auth",
            "account",
            "accounts",
            "platform",
            "root",
            "shoal",
        ] {
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
    fn tombstone_names_are_reserved() {
        // the exact form expire_unverified_signups gives an expired brand, and the prefix
        assert_eq!(check("expired-0123456789abcdef0123456789abcdef"), Err(SlugError::Reserved));
        assert_eq!(check("expired-x"), Err(SlugError::Reserved));
        assert_eq!(check("expiredx"), Ok(()));
        assert_eq!(check("not-expired-x"), Ok(()));
    }

    #[test]
    fn punycode_and_other_idna_labels_are_reserved() {
        for name in ["xn--shal-65d", "xn--80a1a6d2ujd", "xn--dmin-43d", "xn--07aaa", "xn--a", "ab--cd", "zz--9"] {
            assert_eq!(check(name), Err(SlugError::Reserved), "{name}");
        }
        for ok in ["a--b", "abc--d", "x-n", "xn-a", "xn"] {
            assert_eq!(check(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn brand_names_reading_as_the_platform_are_refused() {
        for name in [
            "Shoal",
            "Shoal Support",
            "SHOAL",
            "The S.H.O.A.L. team",
            "Sh0al Store",
            "5HOAL",
            "ShoaI Help",
            "Sh\u{043e}al",
            "\u{0405}hoal",
            "Sho\u{0308}al",
            "Sh\u{00f6}al",
            "\u{FF33}\u{FF28}\u{FF2F}\u{FF21}\u{FF2C}",
            "Sh\u{200b}oal",
            "Sh\u{03bf}\u{03b1}l",
            "sh-o-a-l",
        ] {
            assert_eq!(check_brand_name(name), Err("reserved_brand_name"), "{name}");
        }
        for ok in ["Acme", "Shoe All", "Blue Bottle Coffee", "Café Olé", "Søl", "Ｇlobex", "Shop Alley"] {
            assert_eq!(check_brand_name(ok), Ok(()), "{ok}");
        }
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
