//! What a blocked brand's storefront shows: 503, branded, in the brand's language.

use shoal_domain::brand::BrandContext;
use worker::Response;

use crate::error::{body_response, json_response};

pub fn storefront(brand: &BrandContext, wants_json: bool) -> Response {
    let mut resp = if wants_json {
        json_response(&serde_json::json!({"error": {"code": "brand_unavailable", "message": "this shop is temporarily unavailable"}}), 503)
    } else {
        let (html, style) = page(brand);
        let mut resp = body_response(html.into_bytes(), 503, "text/html; charset=utf-8");
        let _ = resp.headers_mut().set("content-security-policy", &shoal_domain::security_headers::html_csp(&[&style]));
        resp
    };
    let _ = resp.headers_mut().set("retry-after", "3600");
    let _ = resp.headers_mut().set("cache-control", "no-store");
    resp
}

/// The page and its one inline style (allowed by hash in the page's CSP).
fn page(brand: &BrandContext) -> (String, String) {
    let (lang, title, text) = match brand.locale.as_str() {
        "es" => ("es", "Tienda no disponible temporalmente", "Volveremos pronto. Gracias por tu paciencia."),
        _ => ("en", "Temporarily unavailable", "This shop will be back soon. Thank you for your patience."),
    };
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
