//! The security headers every response carries, chosen by what the response is. The
//! worker's pipeline adds them in one place; a page with an inline `<style>` names it by
//! its SHA-256 hash in its own policy (no `'unsafe-inline'`, and no inline scripts at all).

use sha2::{Digest, Sha256};

/// Headers for every response, whatever its type.
pub const COMMON: [(&str, &str); 4] = [
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "strict-origin-when-cross-origin"),
    ("x-frame-options", "DENY"),
    ("permissions-policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"),
];

/// Production only: browsers then refuse plain http for the host for a year.
pub const HSTS: &str = "max-age=31536000; includeSubDomains";

/// Anything that is not HTML (JSON, redirects, text): nothing may be loaded or framed.
pub const NON_HTML_CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/// `'sha256-…'` of an inline `<style>` element's exact text.
pub fn style_hash(css: &str) -> String {
    format!("'sha256-{}'", data_encoding::BASE64.encode(&Sha256::digest(css.as_bytes())))
}

/// The policy of an HTML page: own-origin everything, images also as `data:` URLs, the
/// listed inline styles by hash, never framed.
pub fn html_csp(inline_styles: &[&str]) -> String {
    let mut style = String::from("'self'");
    for css in inline_styles {
        style.push(' ');
        style.push_str(&style_hash(css));
    }
    format!(
        "default-src 'self'; img-src 'self' data:; style-src {style}; script-src 'self'; object-src 'none'; \
         base-uri 'none'; frame-ancestors 'none'"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn style_hashes_are_base64_sha256_of_the_exact_text() {
        // echo -n 'a{}' | openssl dgst -sha256 -binary | base64
        assert_eq!(style_hash("a{}"), "'sha256-X1RutGBrXCt9KkSaXMK7tHftWiRscFHOhxsS8tv8hBk='");
    }

    #[test]
    fn page_policy_lists_the_hashes_and_forbids_framing_and_inline_scripts() {
        let p = html_csp(&["a{}"]);
        assert!(p.contains("style-src 'self' 'sha256-"), "{p}");
        assert!(p.contains("script-src 'self';") && !p.contains("unsafe-inline"), "{p}");
        assert!(p.contains("frame-ancestors 'none'") && p.contains("img-src 'self' data:"), "{p}");
    }
}
