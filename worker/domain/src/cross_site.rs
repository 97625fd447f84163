//! Who may write from where. A browser attaches the shopper's cookies to a form post or
//! a CORS-simple request from any site, so a state-changing request of a browser-facing
//! route is accepted only when it comes from the page's own origin (the request's host)
//! or from an origin the brand listed for its headless storefront (`theme.cors_origins`).
//! Clients that are not browsers send no `Origin` and no `Sec-Fetch-Site`: they pass.

/// Why a request was refused (`cross_origin_refused`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrossSiteRefusal(pub &'static str);

/// `scheme://host[:port]`, lower case, default ports dropped; None when `raw` is not a bare
/// origin (a path, credentials, a wildcard or an unknown scheme).
pub fn normalize_origin(raw: &str) -> Option<String> {
    let raw = raw.trim().to_ascii_lowercase();
    let (scheme, authority) = raw.split_once("://")?;
    if scheme != "https" && scheme != "http" {
        return None;
    }
    let authority = authority.strip_suffix('/').unwrap_or(authority);
    let allowed = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']');
    if authority.is_empty() || !authority.bytes().all(allowed) {
        return None;
    }
    Some(format!("{scheme}://{}", strip_default_port(scheme, authority)))
}

fn strip_default_port<'a>(scheme: &str, authority: &'a str) -> &'a str {
    let default = if scheme == "https" { ":443" } else { ":80" };
    authority.strip_suffix(default).unwrap_or(authority)
}

/// True when `origin` is the request's own host (`Host` header, port included). In
/// production only `https` counts; development serves plain http.
pub fn is_same_origin(origin: &str, host: &str, allow_http: bool) -> bool {
    let Some(origin) = normalize_origin(origin) else { return false };
    let Some((scheme, authority)) = origin.split_once("://") else { return false };
    if scheme == "http" && !allow_http {
        return false;
    }
    let host = host.trim().to_ascii_lowercase();
    !host.is_empty() && authority == strip_default_port(scheme, &host)
}

/// The brand's allowed headless-storefront origins: `theme.cors_origins`, each a bare
/// origin; `http` only in development; anything else (`*`, paths) is ignored.
pub fn allowed_origins(theme: &serde_json::Value, allow_http: bool) -> Vec<String> {
    theme["cors_origins"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|v| v.as_str())
        .filter_map(normalize_origin)
        .filter(|o| allow_http || o.starts_with("https://"))
        .collect()
}

/// True when `origin` is one of `allowed` (exact match after normalising).
pub fn is_allowed(origin: &str, allowed: &[String]) -> bool {
    normalize_origin(origin).is_some_and(|o| allowed.contains(&o))
}

/// The decision for a state-changing request (POST, PUT, PATCH, DELETE).
pub fn check_write(
    host: &str,
    origin: Option<&str>,
    fetch_site: Option<&str>,
    allowed: &[String],
    allow_http: bool,
) -> Result<(), CrossSiteRefusal> {
    match origin.map(str::trim).filter(|o| !o.is_empty()) {
        // `null`: sandboxed frames, file pages, cross-origin redirects — never trusted
        Some("null") => Err(CrossSiteRefusal("opaque origin")),
        Some(o) if is_same_origin(o, host, allow_http) || is_allowed(o, allowed) => Ok(()),
        Some(_) => Err(CrossSiteRefusal("foreign origin")),
        // no Origin: only a browser that says the request is cross-site is refused
        None => match fetch_site.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
            Some("cross-site" | "same-site") => Err(CrossSiteRefusal("cross-site request")),
            _ => Ok(()),
        },
    }
}

/// A logo (or other brand-supplied link) may only be a path on the shop's own origin:
/// `/x`, never `//host/x` or `/\host/x` (browsers read both as another host).
pub fn is_same_origin_path(s: &str) -> bool {
    let b = s.as_bytes();
    b.first() == Some(&b'/')
        && !matches!(b.get(1), Some(b'/' | b'\\'))
        && !s.chars().any(|c| c.is_control() || c == '\\' || c.is_whitespace())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed() -> Vec<String> {
        allowed_origins(
            &serde_json::json!({"cors_origins": ["https://Shop.Acme.example/", "*", "https://x.example/path", "http://dev.example"]}),
            false,
        )
    }

    #[test]
    fn origins_are_normalised_and_only_bare_https_origins_are_allowed() {
        assert_eq!(normalize_origin("HTTPS://Shop.Example:443"), Some("https://shop.example".into()));
        assert_eq!(normalize_origin("http://acme.localhost:8787"), Some("http://acme.localhost:8787".into()));
        assert_eq!(normalize_origin("https://x.example/path"), None);
        assert_eq!(normalize_origin("https://user@x.example"), None);
        assert_eq!(normalize_origin("*"), None);
        assert_eq!(allowed(), vec!["https://shop.acme.example".to_owned()]);
    }

    #[test]
    fn same_origin_writes_pass_and_foreign_ones_are_refused() {
        let a = allowed();
        assert_eq!(check_write("acme.localhost:8787", Some("http://acme.localhost:8787"), Some("same-origin"), &a, true), Ok(()));
        assert_eq!(check_write("acme.example", Some("https://acme.example"), None, &a, false), Ok(()));
        assert_eq!(
            check_write("acme.example", Some("http://acme.example"), None, &a, false),
            Err(CrossSiteRefusal("foreign origin")),
            "plain http in production"
        );
        assert_eq!(
            check_write("acme.example", Some("https://evil.example"), Some("cross-site"), &a, false),
            Err(CrossSiteRefusal("foreign origin"))
        );
        assert_eq!(
            check_write("acme.localhost", Some("http://globex.localhost"), None, &a, true),
            Err(CrossSiteRefusal("foreign origin")),
            "a sibling brand is same-site, not same-origin"
        );
        assert_eq!(check_write("acme.example", Some("null"), None, &a, false), Err(CrossSiteRefusal("opaque origin")));
        assert_eq!(check_write("acme.example", Some("https://shop.acme.example"), Some("cross-site"), &a, false), Ok(()), "allow-listed");
    }

    #[test]
    fn without_an_origin_only_a_browser_saying_cross_site_is_refused() {
        assert_eq!(check_write("acme.example", None, None, &[], false), Ok(()), "curl, servers");
        assert_eq!(check_write("acme.example", None, Some("same-origin"), &[], false), Ok(()));
        assert_eq!(check_write("acme.example", None, Some("none"), &[], false), Ok(()));
        assert!(check_write("acme.example", None, Some("cross-site"), &[], false).is_err());
        assert!(check_write("acme.example", None, Some("same-site"), &[], false).is_err());
    }

    #[test]
    fn only_paths_on_the_own_origin_count_as_local() {
        assert!(is_same_origin_path("/assets/acme/logo.svg"));
        for bad in ["//evil.host/x.svg", "/\\evil.host/x.svg", "https://evil.host/x.svg", "", "x.svg", "/a b", "/a\nb"] {
            assert!(!is_same_origin_path(bad), "{bad:?}");
        }
    }
}
