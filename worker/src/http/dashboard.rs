//! The dashboard's HTML shell: `GET /admin` and `/admin/…` on a brand's host (and on the
//! platform's host, for sign-up and the super admin's brand switch). The shell only loads
//! the built single-page app (`frontend/admin/`, bundled by `scripts/build` into
//! `frontend/public/assets/admin/`, served as static assets); everything it shows comes from
//! the JSON API. Its policy allows no inline script or style at all.

use worker::{Method, Request, Response};

use crate::error::{body_response, AppError};

/// Nothing inline, nothing from elsewhere, never framed, forms post only to this origin.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; \
                       object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/// Whether the dashboard answers this path (the link pages that must work without
/// JavaScript, such as `/admin/accept-invitation`, are routed before this). Stripe's
/// Connect onboarding returns to two server pages of the shop (`shop::pages`), not here.
pub fn serves(path: &str) -> bool {
    (path == "/admin" || path.starts_with("/admin/"))
        && path != crate::staff::payments::RETURN_PATH
        && path != crate::staff::payments::REFRESH_PATH
}

/// `site`: `brand` or `platform`, which screens the app offers; `lang`: the first paint's
/// language before the member's own is known.
pub fn shell(req: &Request, site: &str, lang: &str) -> Result<Response, AppError> {
    if !matches!(req.method(), Method::Get | Method::Head) {
        return Err(AppError::MethodNotAllowed);
    }
    let lang = if lang.starts_with("es") { "es" } else { "en" };
    let noscript = if lang == "es" { "El panel necesita JavaScript." } else { "The dashboard needs JavaScript." };
    let html = format!(
        "<!doctype html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Dashboard</title><link rel=\"stylesheet\" href=\"/assets/admin/app.css\">\
         <script type=\"module\" src=\"/assets/admin/app.js\"></script></head>\
         <body data-site=\"{site}\"><div id=\"app\"><noscript><p>{noscript}</p></noscript></div></body></html>\n"
    );
    let mut resp = body_response(html.into_bytes(), 200, "text/html; charset=utf-8");
    let h = resp.headers_mut();
    let _ = h.set("cache-control", "no-cache");
    let _ = h.set("content-security-policy", CSP);
    Ok(resp)
}
