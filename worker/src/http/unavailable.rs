//! What a blocked brand's storefront shows, and an unpublished one's ("coming soon"):
//! 503, branded, in the brand's language, `noindex`. An unpublished shop answers like
//! Shopify's password page: every storefront URL shows the one page and nothing of the
//! catalog, while its staff API, sign-in and media keep working. 503 with `Retry-After`
//! rather than 200: search engines neither index the placeholder nor drop the shop's
//! future pages for it (docs/storefront.md "Coming soon").

use shoal_domain::brand::BrandContext;
use worker::Response;

use crate::error::{body_response, json_response};

pub fn storefront(brand: &BrandContext, wants_json: bool) -> Response {
    let (title, text) = match brand.locale.as_str() {
        "es" => ("Tienda no disponible temporalmente", "Volveremos pronto. Gracias por tu paciencia."),
        _ => ("Temporarily unavailable", "This shop will be back soon. Thank you for your patience."),
    };
    answer(brand, wants_json, ("brand_unavailable", "this shop is temporarily unavailable"), title, text)
}

/// The paths an unpublished shop keeps to itself: its pages and store API, except the
/// brand's public card (`/api/v1/store/brand`, which says `published`) and `/admin`.
pub fn gated_until_published(path: &str) -> bool {
    !(path == "/api/v1/store/brand" || path == "/admin" || path.starts_with("/admin/"))
}

pub fn coming_soon(brand: &BrandContext, wants_json: bool) -> Response {
    let (title, text) = match brand.locale.as_str() {
        "es" => ("Próximamente", "Esta tienda abrirá pronto. ¡Vuelve en unos días!"),
        _ => ("Coming soon", "This shop is opening soon. Please come back in a few days!"),
    };
    answer(brand, wants_json, ("shop_not_published", "this shop is not open yet"), title, text)
}

fn answer(brand: &BrandContext, wants_json: bool, (code, message): (&str, &str), title: &str, text: &str) -> Response {
    let mut resp = if wants_json {
        json_response(&serde_json::json!({"error": {"code": code, "message": message}}), 503)
    } else {
        let (html, style) = page(brand, title, text);
        let mut resp = body_response(html.into_bytes(), 503, "text/html; charset=utf-8");
        let _ = resp.headers_mut().set("content-security-policy", &shoal_domain::security_headers::html_csp(&[&style]));
        resp
    };
    let _ = resp.headers_mut().set("retry-after", "3600");
    let _ = resp.headers_mut().set("cache-control", "no-store");
    let _ = resp.headers_mut().set("x-robots-tag", "noindex");
    resp
}

/// The page and its one inline style (allowed by hash in the page's CSP).
fn page(brand: &BrandContext, title: &str, text: &str) -> (String, String) {
    let lang = if brand.locale == "es" { "es" } else { "en" };
    let colour = brand.theme["primary"].as_str().filter(|c| is_hex_colour(c)).unwrap_or("#333333");
    let style = format!(
        "body {{ font-family: system-ui, sans-serif; max-width: 36rem; margin: 4rem auto; padding: 0 1rem }} h1 {{ color: {colour} }}"
    );
    let html = format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex\"><title>{name} — {title}</title><style>{style}</style></head>\
         <body><h1>{name}</h1><p><strong>{title}</strong></p><p>{text}</p></body></html>",
        name = escape(&brand.name),
    );
    (html, style)
}

fn is_hex_colour(c: &str) -> bool {
    c.len() == 7 && c.starts_with('#') && c[1..].chars().all(|ch| ch.is_ascii_hexdigit())
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}
