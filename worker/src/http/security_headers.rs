//! The one place security headers are added: every response leaves `serve` through here.
//! Values and policies live in `shoal_domain::security_headers`; a page that needs its own
//! policy (inline styles by hash) sets `content-security-policy` and keeps it.

use shoal_domain::security_headers::{html_csp, COMMON, HSTS, NON_HTML_CSP};
use worker::Response;

pub fn apply(resp: &mut Response, production: bool) {
    let is_html =
        resp.headers().get("content-type").ok().flatten().is_some_and(|ct| ct.trim_start().to_ascii_lowercase().starts_with("text/html"));
    let h = resp.headers_mut();
    for (name, value) in COMMON {
        let _ = h.set(name, value);
    }
    if production {
        let _ = h.set("strict-transport-security", HSTS);
    }
    if !h.has("content-security-policy").unwrap_or(false) {
        let policy = if is_html { html_csp(&[]) } else { NON_HTML_CSP.to_owned() };
        let _ = h.set("content-security-policy", &policy);
    }
}
