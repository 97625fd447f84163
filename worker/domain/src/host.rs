//! Host header normalisation: the only input from which a brand is derived.
//!
//! `ACME.localhost:8787.` and `acme.localhost` must name the same brand, and an IDN such as
//! `bücher.example` must match the punycode form stored in `brand_domains.host`, so every
//! lookup key goes through [`normalize_host`].

use std::fmt;

/// Why a Host header cannot name a brand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostError {
    Missing,
    BadPort,
    Invalid(String),
}

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HostError::Missing => write!(f, "the Host header is missing or empty"),
            HostError::BadPort => write!(f, "the Host header has an invalid port"),
            HostError::Invalid(why) => write!(f, "the Host header is not a valid host name: {why}"),
        }
    }
}

/// Maximum length of a DNS name in its ASCII form (RFC 1035).
const MAX_HOST_LEN: usize = 253;

/// Lower-cases, strips the port and one trailing dot, converts an IDN to punycode and
/// checks DNS syntax (STD3 rules, label and total length). IP literals are kept as they
/// are: they are valid hosts that simply never belong to a brand.
pub fn normalize_host(raw: &str) -> Result<String, HostError> {
    // A trailing dot may follow the port too (`ACME.localhost:8787.`), as some clients send it.
    let raw = raw.trim();
    let raw = raw.strip_suffix('.').unwrap_or(raw);
    if raw.is_empty() {
        return Err(HostError::Missing);
    }
    if let Some(rest) = raw.strip_prefix('[') {
        return normalize_ipv6_literal(rest);
    }
    let name = match raw.rsplit_once(':') {
        Some((name, port)) => {
            check_port(port)?;
            name
        }
        None => raw,
    };
    let name = name.strip_suffix('.').unwrap_or(name);
    if name.is_empty() {
        return Err(HostError::Missing);
    }
    if name.contains(['/', '\\', '@', ' ', '%', '?', '#', ':']) {
        return Err(HostError::Invalid(format!("forbidden character in {name:?}")));
    }
    let ascii = idna::domain_to_ascii_strict(name).map_err(|_| HostError::Invalid(format!("{name:?} is not a valid domain name")))?;
    if ascii.is_empty() || ascii.len() > MAX_HOST_LEN {
        return Err(HostError::Invalid("host name length out of range".into()));
    }
    if ascii.split('.').any(|label| label.is_empty() || label.len() > 63) {
        return Err(HostError::Invalid("empty or over-long label".into()));
    }
    Ok(ascii)
}

fn check_port(port: &str) -> Result<(), HostError> {
    if port.is_empty() {
        // `host:` is tolerated by browsers and means the default port.
        return Ok(());
    }
    match port.parse::<u16>() {
        Ok(p) if p > 0 && port.bytes().all(|b| b.is_ascii_digit()) => Ok(()),
        _ => Err(HostError::BadPort),
    }
}

fn normalize_ipv6_literal(rest: &str) -> Result<String, HostError> {
    let (addr, after) = rest.split_once(']').ok_or_else(|| HostError::Invalid("unterminated IPv6 literal".into()))?;
    addr.parse::<std::net::Ipv6Addr>().map_err(|_| HostError::Invalid("bad IPv6 literal".into()))?;
    match after {
        "" => {}
        port => check_port(port.strip_prefix(':').ok_or(HostError::BadPort)?)?,
    }
    Ok(format!("[{}]", addr.to_ascii_lowercase()))
}

/// Why a host cannot be a brand's custom domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DomainRefusal {
    /// An IPv4 or IPv6 literal (bracketed or not, in any IPv4 spelling a browser accepts).
    IpAddress,
    /// The platform's own host or a name under it (those are slugs and services).
    Platform,
    /// A single-label name or a special-use name (`localhost`, `.local`, `.internal`, …).
    Reserved,
}

impl DomainRefusal {
    pub fn code(self) -> &'static str {
        match self {
            DomainRefusal::IpAddress => "ip_address_domain",
            DomainRefusal::Platform => "platform_domain",
            DomainRefusal::Reserved => "reserved_domain",
        }
    }
}

/// Top-level names that never resolve on the public internet (RFC 6761, 6762, 7686, 9476…).
const SPECIAL_USE_TLDS: &[&str] = &["localhost", "local", "internal", "invalid", "arpa", "onion", "alt", "home", "lan", "corp"];

/// An IP literal as `normalize_host` leaves it: `[v6]`, or a name whose last label is a
/// number (`127.0.0.1`, `127.1`, `2130706433`, `0x7f.1`) — WHATWG URL parsing reads all of
/// these as IPv4 addresses, so none may name a brand.
pub fn is_ip_literal(host: &str) -> bool {
    if host.starts_with('[') || host.parse::<std::net::IpAddr>().is_ok() {
        return true;
    }
    let last = host.rsplit('.').next().unwrap_or(host);
    let hex = last.strip_prefix("0x").map(|h| h.bytes().all(|b| b.is_ascii_hexdigit()));
    (!last.is_empty() && last.bytes().all(|b| b.is_ascii_digit())) || hex == Some(true)
}

/// Checks a normalised host (see [`normalize_host`]) a brand asks to add as its domain.
pub fn check_custom_domain(host: &str, platform_host: &str) -> Result<(), DomainRefusal> {
    if is_ip_literal(host) {
        return Err(DomainRefusal::IpAddress);
    }
    if host == platform_host || host.ends_with(&format!(".{platform_host}")) {
        return Err(DomainRefusal::Platform);
    }
    let tld = host.rsplit('.').next().unwrap_or(host);
    if !host.contains('.') || SPECIAL_USE_TLDS.contains(&tld) {
        return Err(DomainRefusal::Reserved);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_equivalent_spellings_to_one_key() {
        let cases = [
            ("acme.localhost", "acme.localhost"),
            ("ACME.localhost", "acme.localhost"),
            ("ACME.localhost:8787", "acme.localhost"),
            ("ACME.localhost:8787.", "acme.localhost"),
            ("acme.localhost.", "acme.localhost"),
            ("acme.localhost.:8787", "acme.localhost"),
            ("  Shop.Example.COM  ", "shop.example.com"),
            ("acme.localhost:", "acme.localhost"),
            ("bücher.example", "xn--bcher-kva.example"),
            ("BÜCHER.example:443", "xn--bcher-kva.example"),
            ("xn--bcher-kva.example", "xn--bcher-kva.example"),
            ("127.0.0.1:8787", "127.0.0.1"),
            ("[::1]:8787", "[::1]"),
            ("[2001:DB8::1]", "[2001:db8::1]"),
        ];
        for (raw, want) in cases {
            assert_eq!(normalize_host(raw).as_deref(), Ok(want), "input {raw:?}");
        }
    }

    #[test]
    fn rejects_hosts_that_cannot_name_a_brand() {
        let long_label = format!("{}.example", "a".repeat(64));
        let long_name = format!("{}example", "abcdefghi.".repeat(26));
        let cases: Vec<(&str, HostError)> = vec![
            ("", HostError::Missing),
            ("   ", HostError::Missing),
            (".", HostError::Missing),
            (":8787", HostError::Missing),
            ("acme.localhost:99999", HostError::BadPort),
            ("acme.localhost:0", HostError::BadPort),
            ("acme.localhost:+80", HostError::BadPort),
            ("acme.localhost:abc", HostError::BadPort),
            ("[::1", HostError::Invalid(String::new())),
            ("[nothex]:80", HostError::Invalid(String::new())),
            ("a..b", HostError::Invalid(String::new())),
            ("evil.com/path", HostError::Invalid(String::new())),
            ("user@evil.com", HostError::Invalid(String::new())),
            ("under_score.example", HostError::Invalid(String::new())),
            ("sp ace.example", HostError::Invalid(String::new())),
            ("a:b:c", HostError::BadPort),
            (&long_label, HostError::Invalid(String::new())),
            (&long_name, HostError::Invalid(String::new())),
        ];
        for (raw, want) in cases {
            let got = normalize_host(raw);
            match (&got, &want) {
                (Err(HostError::Invalid(_)), HostError::Invalid(_)) => {}
                _ => assert_eq!(got, Err(want), "input {raw:?}"),
            }
        }
    }

    #[test]
    fn errors_explain_themselves() {
        assert!(HostError::Missing.to_string().contains("missing"));
        assert!(HostError::BadPort.to_string().contains("port"));
    }

    #[test]
    fn ip_literals_are_never_custom_domains() {
        for raw in ["127.0.0.1", "127.1", "2130706433", "0x7f000001", "0x7f.1", "[::1]", "[2001:db8::1]:443", "10.0.0.1:8080", "1.2.3.4."] {
            let host = normalize_host(raw).unwrap_or_else(|e| panic!("{raw}: {e}"));
            assert_eq!(check_custom_domain(&host, "shoal.app"), Err(DomainRefusal::IpAddress), "{raw}");
        }
        assert!(!is_ip_literal("1.2.3.4.nip.io"), "a name that ends in a word is a name");
    }

    #[test]
    fn the_platforms_hosts_and_special_names_are_refused() {
        assert_eq!(check_custom_domain("shoal.app", "shoal.app"), Err(DomainRefusal::Platform));
        assert_eq!(check_custom_domain("www.shoal.app", "shoal.app"), Err(DomainRefusal::Platform));
        assert_eq!(check_custom_domain("edge.shoal.app", "shoal.app"), Err(DomainRefusal::Platform));
        for host in ["intranet", "printer.local", "db.internal", "x.localhost", "site.onion", "1.in-addr.arpa"] {
            assert_eq!(check_custom_domain(host, "shoal.app"), Err(DomainRefusal::Reserved), "{host}");
        }
        for host in ["shop.example.com", "www.acme.example", "notshoal.app", "xn--bcher-kva.example"] {
            assert_eq!(check_custom_domain(host, "shoal.app"), Ok(()), "{host}");
        }
        assert_eq!(DomainRefusal::IpAddress.code(), "ip_address_domain");
    }
}
